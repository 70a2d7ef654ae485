//! `cargo xtask bench --real`: the build cost of facades on real family
//! repositories, as their maintainers would live with it after `migrate`.
//!
//! Per family of `cargo xtask migrate-real` (its published crates at pinned
//! versions, laid out as one workspace whose members depend on each other
//! by path), two copies under `target/bench/real-<family>-…`: the family
//! as published (the unmigrated twin) and the same bytes after one
//! `cargo facade migrate` with every spec (the migrated twin, whose lock
//! starts from the twin's). Then, alternating the twins, each with its own
//! target folder:
//!
//! - `cargo check --workspace` clean, no-op, after editing the first child
//!   and after editing the root (a private constant appended to its
//!   `src/lib.rs`, undone and checked again unmeasured), counting the
//!   crates cargo re-checked;
//! - the facade crates' own unit time in one `--timings` check per edit
//!   (from cargo's HTML report), unmeasured;
//! - a fresh clone: the migrated workspace copied without any target
//!   folder, `cargo facade check` against `cargo metadata` in it, each run
//!   with a new empty `CARGO_TARGET_DIR`. `check` must exit 0 and leave
//!   no build in that folder (the recorded verdicts, not a probe: rustc's
//!   `deps` folders are looked for).
//!
//! Fetching needs the network (`cargo vendor`, `cargo fetch`); everything
//! measured runs offline.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use serde_json::Value;

use super::build::{CASES, Case, Check, Rechecked, Twin};
use super::process::{Sample, Tools, measure, measure_output, median};
use super::workspace::{Edit, count_facades};
use crate::migrate_real::family::{Family, families, fetch, lay_out};

/// One family's figures.
#[derive(Debug)]
pub(super) struct RealResult {
    pub(super) family: &'static str,
    pub(super) members: usize,
    /// The edited child and root packages.
    pub(super) child: String,
    pub(super) root: String,
    /// Facade crates `migrate` wrote.
    pub(super) facades: usize,
    /// The unmigrated twin, then the migrated one.
    pub(super) twins: Vec<Twin>,
    /// Seconds each facade unit took in a `--timings` check, per edit case.
    pub(super) facade_units: BTreeMap<Case, Vec<(String, f64)>>,
    /// Fresh clone: `cargo facade check` and `cargo metadata`.
    pub(super) fresh_check: Vec<Sample>,
    pub(super) fresh_metadata: Vec<Sample>,
}

impl RealResult {
    pub(super) fn overhead(&self, case: Case) -> f64 {
        self.twins[1].median(case).as_secs_f64() / self.twins[0].median(case).as_secs_f64() - 1.0
    }
    pub(super) fn cpu_overhead(&self, case: Case) -> Option<f64> {
        Some(
            self.twins[1].median_cpu(case)?.as_secs_f64()
                / self.twins[0].median_cpu(case)?.as_secs_f64()
                - 1.0,
        )
    }
    pub(super) fn fresh_ratio(&self) -> f64 {
        self.fresh_check_median().as_secs_f64() / self.fresh_metadata_median().as_secs_f64()
    }
    pub(super) fn fresh_check_median(&self) -> Duration {
        median(self.fresh_check.iter().map(|s| s.wall).collect())
    }
    pub(super) fn fresh_metadata_median(&self) -> Duration {
        median(self.fresh_metadata.iter().map(|s| s.wall).collect())
    }
}

/// Runs every family.
pub(super) fn bench_real(
    tools: &Tools,
    bench_dir: &Path,
    runs: usize,
) -> anyhow::Result<Vec<RealResult>> {
    families()
        .iter()
        .map(|family| {
            bench_family(tools, bench_dir, family, runs)
                .with_context(|| format!("real family `{}`", family.name))
        })
        .collect()
}

fn bench_family(
    tools: &Tools,
    bench_dir: &Path,
    family: &Family,
    runs: usize,
) -> anyhow::Result<RealResult> {
    let name = family.name;
    eprintln!("real family `{name}`: fetching…");
    let sources = fetch(
        family,
        &bench_dir.join(format!("real-{name}-fetch")),
        &tools.cargo.to_string_lossy(),
    )?;
    let direct = bench_dir.join(format!("real-{name}-direct"));
    let migrated = bench_dir.join(format!("real-{name}-migrated"));
    for dir in [&direct, &migrated] {
        if dir.exists() {
            fs::remove_dir_all(dir)
                .with_context(|| format!("failed to clear {}", dir.display()))?;
        }
        lay_out(family, &sources, dir)?;
    }
    online(tools, &direct, &["generate-lockfile"])?;
    online(tools, &direct, &["fetch"])?;
    fs::copy(direct.join("Cargo.lock"), migrated.join("Cargo.lock"))?;
    let mut args = vec!["migrate"];
    args.extend(family.specs);
    let mut command = tools.facade(&migrated, args[0]);
    command.args(&args[1..]);
    measure(&mut command).context("`cargo facade migrate` with every spec")?;
    measure(&mut tools.facade(&migrated, "check")).context("`cargo facade check` after migrate")?;
    let facades = count_facades(&migrated)?;

    let root = family.crates[0].0.to_owned();
    let child = family.specs[0]
        .split_once('=')
        .map(|(_, package)| package.to_owned())
        .context("a spec without `=`")?;
    let mut setups = [
        (
            direct.clone(),
            bench_dir.join(format!("real-{name}-target-direct")),
            Twin {
                label: "as published".to_owned(),
                source: None,
                facades: None,
                checks: BTreeMap::new(),
                instructions: None,
            },
        ),
        (
            migrated.clone(),
            bench_dir.join(format!("real-{name}-target-migrated")),
            Twin {
                label: "migrated (this checkout)".to_owned(),
                source: Some("this checkout".to_owned()),
                facades: None,
                checks: BTreeMap::new(),
                instructions: None,
            },
        ),
    ];
    let mut edits = 0;
    for run in 0..runs {
        for offset in 0..setups.len() {
            let (ws, target, twin) = &mut setups[(run + offset) % 2];
            if target.exists() {
                fs::remove_dir_all(&*target)?;
            }
            for case in CASES {
                eprintln!(
                    "real family `{name}`: run {}/{runs}, {}: {}…",
                    run + 1,
                    twin.label,
                    case.label_for(&child, &root)
                );
                let edit = match case {
                    Case::EditChild => Some(&child),
                    Case::EditRoot => Some(&root),
                    Case::Clean | Case::Noop => None,
                };
                let edit = match edit {
                    Some(package) => {
                        edits += 1;
                        Some(Edit::apply(ws.join(package).join("src/lib.rs"), edits)?)
                    }
                    None => None,
                };
                let (sample, stdout) = measure_output(&mut tools.check_build(ws, target))
                    .with_context(|| {
                        format!("{}: {}", twin.label, case.label_for(&child, &root))
                    })?;
                let rechecked = Rechecked::parse(ws, &stdout)?;
                if let Some(edit) = edit {
                    edit.undo()?;
                    measure(&mut tools.check_build(ws, target))?;
                }
                twin.checks
                    .entry(case)
                    .or_default()
                    .push(Check { sample, rechecked });
            }
        }
    }
    for (_, _, twin) in &setups {
        ensure!(
            twin.rechecked(Case::Noop).total() == 0,
            "{}: a no-op check re-checked {} crates",
            twin.label,
            twin.rechecked(Case::Noop).total()
        );
        for case in [Case::EditChild, Case::EditRoot] {
            ensure!(
                twin.rechecked(case).total() > 0,
                "{}: cargo re-checked nothing after `{}`",
                twin.label,
                case.label_for(&child, &root)
            );
        }
    }

    // The facade units' own time, one `--timings` check per edit.
    let (ws, target, _) = &setups[1];
    let mut facade_units = BTreeMap::new();
    for (case, package) in [(Case::EditChild, &child), (Case::EditRoot, &root)] {
        edits += 1;
        let path = ws.join(package).join("src/lib.rs");
        facade_units.insert(case, facade_unit_times(tools, ws, target, path, edits)?);
    }

    // Instructions of a no-op check, which the machine's load does not move.
    if super::instructions::available() {
        for (key, (ws, target, twin)) in ["direct", "migrated"].into_iter().zip(&mut setups) {
            eprintln!(
                "real family `{name}`: counting the instructions of a no-op check, {}…",
                twin.label
            );
            let profile = bench_dir.join(format!("callgrind-real-{name}-{key}.out"));
            twin.instructions = Some(
                super::instructions::count_noop(tools, ws, target, &profile)
                    .with_context(|| format!("`{name}`, {}: counting instructions", twin.label))?,
            );
        }
    }

    // A fresh clone: no target folder, the verdicts as committed.
    let clone = bench_dir.join(format!("real-{name}-clone"));
    if clone.exists() {
        fs::remove_dir_all(&clone)?;
    }
    copy_tree(&migrated, &clone)?;
    let fresh_target = bench_dir.join(format!("real-{name}-clone-target"));
    let (mut fresh_check, mut fresh_metadata) = (Vec::new(), Vec::new());
    for run in 0..runs.max(3) {
        eprintln!("real family `{name}`: fresh clone, run {}…", run + 1);
        for first in [run % 2 == 0, run % 2 != 0] {
            if fresh_target.exists() {
                fs::remove_dir_all(&fresh_target)?;
            }
            if first {
                let mut command = tools.facade(&clone, "check");
                command.env("CARGO_TARGET_DIR", &fresh_target);
                fresh_check
                    .push(measure(&mut command).context("fresh clone: `cargo facade check`")?);
                ensure!(
                    !compiled_in(&fresh_target),
                    "fresh clone: `cargo facade check` built in `{}` (a probe ran): the recorded \
                     verdicts were not used",
                    fresh_target.display()
                );
            } else {
                let mut command = tools.metadata(&clone, false);
                command.env("CARGO_TARGET_DIR", &fresh_target);
                fresh_metadata
                    .push(measure(&mut command).context("fresh clone: `cargo metadata`")?);
            }
        }
    }

    Ok(RealResult {
        family: name,
        members: family.crates.len(),
        child,
        root,
        facades,
        twins: setups.into_iter().map(|(_, _, twin)| twin).collect(),
        facade_units,
        fresh_check,
        fresh_metadata,
    })
}

/// The facade units of `ws` and the seconds each took in one `cargo check
/// --timings` after appending edit `n` to `path` (undone and checked
/// again after), from cargo's HTML report.
pub(super) fn facade_unit_times(
    tools: &Tools,
    ws: &Path,
    target: &Path,
    path: PathBuf,
    n: usize,
) -> anyhow::Result<Vec<(String, f64)>> {
    let edit = Edit::apply(path, n)?;
    let mut command = tools.check_build(ws, target);
    command.arg("--timings");
    let (_, stdout) = measure_output(&mut command).context("`cargo check --timings`")?;
    edit.undo()?;
    measure(&mut tools.check_build(ws, target))?;
    // The report lists fresh units too: only those cargo re-checked count.
    let rebuilt = rebuilt_libs(&stdout)?;
    let units = unit_times(&target.join("cargo-timings/cargo-timing.html"))?;
    let facades = facade_packages(ws)?;
    Ok(units
        .into_iter()
        .filter(|(unit, _)| facades.contains(unit) && rebuilt.contains(&unit.replace('-', "_")))
        .collect())
}

/// The library names of the `compiler-artifact` messages with `"fresh":
/// false` of a `--message-format=json` build.
fn rebuilt_libs(stdout: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let message: Value = serde_json::from_str(line)?;
        if message["reason"] == "compiler-artifact"
            && message["fresh"] == false
            && let Some(name) = message["target"]["name"].as_str()
        {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

/// A cargo command that may use the network (the rest of the bench runs
/// offline).
fn online(tools: &Tools, ws: &Path, args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new(&tools.cargo)
        .args(args)
        .current_dir(ws)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .with_context(|| format!("failed to run cargo {}", args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "`cargo {}` in {} failed:\n{}",
            args.join(" "),
            ws.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// The package names of the facades under `ws/facades`.
fn facade_packages(ws: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for manifest in facade_manifests(&ws.join("facades"))? {
        let doc: toml_edit::DocumentMut = fs::read_to_string(&manifest)?.parse()?;
        if let Some(name) = doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
        {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

/// `facades/<root>/<label>/Cargo.toml`.
fn facade_manifests(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for root in fs::read_dir(dir).with_context(|| format!("failed to read {}", dir.display()))? {
        let root = root?.path();
        if !root.is_dir() {
            continue;
        }
        for label in fs::read_dir(&root)? {
            let manifest = label?.path().join("Cargo.toml");
            if manifest.is_file() {
                out.push(manifest);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Every unit's duration in seconds, by package name, from cargo's
/// `--timings` HTML report (its `UNIT_DATA` array).
fn unit_times(report: &Path) -> anyhow::Result<Vec<(String, f64)>> {
    let html = fs::read_to_string(report)
        .with_context(|| format!("failed to read {}", report.display()))?;
    parse_unit_times(&html).with_context(|| format!("in {}", report.display()))
}

fn parse_unit_times(html: &str) -> anyhow::Result<Vec<(String, f64)>> {
    const START: &str = "const UNIT_DATA = ";
    let at = html
        .find(START)
        .context("no `UNIT_DATA` in cargo's timings report")?;
    let units: Value = serde_json::Deserializer::from_str(&html[at + START.len()..])
        .into_iter::<Value>()
        .next()
        .context("`UNIT_DATA` is empty")?
        .context("`UNIT_DATA` is not JSON")?;
    units
        .as_array()
        .context("`UNIT_DATA` is not an array")?
        .iter()
        .map(|unit| {
            Ok((
                unit["name"]
                    .as_str()
                    .context("a unit without a name")?
                    .to_owned(),
                unit["duration"]
                    .as_f64()
                    .context("a unit without a duration")?,
            ))
        })
        .collect()
}

/// Whether anything was compiled below `dir`: a `deps` folder (rustc's
/// output) anywhere. The recorded verdicts cached for this machine
/// (`cargo-facade/probe/*/verdict.json`) are no build.
fn compiled_in(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        entry.file_type().is_ok_and(|t| t.is_dir())
            && (entry.file_name() == "deps" || compiled_in(&entry.path()))
    })
}

/// Copies a workspace, leaving out `target` folders (a fresh clone).
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name() == "target" {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()))?;
        } else {
            fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_times_come_from_the_timings_report() {
        let html = "<script>\nconst UNIT_DATA = [\n  {\n    \"i\": 0,\n    \"name\": \"a\",\n    \
                    \"duration\": 0.25,\n    \"sections\": [[\"frontend\", {\"start\": 0.0}]]\n  },\n  \
                    {\"name\": \"b-facade-1\", \"duration\": 1.5}\n];\nconst CONCURRENCY_DATA = [];\n";
        let units = parse_unit_times(html).unwrap();
        assert_eq!(
            units,
            [("a".to_owned(), 0.25), ("b-facade-1".to_owned(), 1.5)]
        );
        assert!(parse_unit_times("<html></html>").is_err());
    }
}
