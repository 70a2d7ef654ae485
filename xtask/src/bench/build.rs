//! The build cost of facades: `cargo check --workspace` of the same
//! workspace written with direct dependencies and through facades (of this
//! checkout, and optionally of a baseline revision), clean, no-op, and after
//! a real edit of one child and of one root. Each check's JSON messages say
//! which crates cargo re-checked (`compiler-artifact` with `fresh: false`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use serde_json::Value;

use super::process::{FacadeBinary, Sample, Tools, measure, measure_output, median, median_cpu};
use super::workspace::{
    Edit, Shape, TwinCheck, Variant, compare_twins, count_facades, generate, package_name,
    source_of,
};

/// What a measured `cargo check` starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Case {
    /// An empty target folder.
    Clean,
    /// Nothing changed since the last check.
    Noop,
    /// One child's source edited.
    EditChild,
    /// One root's source edited.
    EditRoot,
}

pub(super) const CASES: [Case; 4] = [Case::Clean, Case::Noop, Case::EditChild, Case::EditRoot];

/// The namespace whose crates the edits touch, and the child.
const EDITED_NS: usize = 0;
const EDITED_CHILD: usize = 0;

impl Case {
    pub(super) fn label(self) -> String {
        match self {
            Case::Clean => "clean `cargo check`".to_owned(),
            Case::Noop => "no-op `cargo check`".to_owned(),
            Case::EditChild => format!(
                "edit one child (`{}`)",
                package_name(EDITED_NS, Some(EDITED_CHILD))
            ),
            Case::EditRoot => format!("edit one root (`{}`)", package_name(EDITED_NS, None)),
        }
    }

    /// [`Case::label`] for a workspace whose edited child and root are
    /// the packages `child` and `root`.
    pub(super) fn label_for(self, child: &str, root: &str) -> String {
        match self {
            Case::Clean | Case::Noop => self.label(),
            Case::EditChild => format!("edit one child (`{child}`)"),
            Case::EditRoot => format!("edit one root (`{root}`)"),
        }
    }

    /// The namespace crate this case edits.
    fn edited(self) -> Option<Option<usize>> {
        match self {
            Case::Clean | Case::Noop => None,
            Case::EditChild => Some(Some(EDITED_CHILD)),
            Case::EditRoot => Some(None),
        }
    }
}

/// The crates one `cargo check` checked, from its JSON messages.
#[derive(Debug, Default)]
pub(super) struct Rechecked {
    /// Packages that are not facades (their folder name is the package name).
    pub(super) crates: BTreeSet<String>,
    /// Facade crates (any layout under `facades/`).
    pub(super) facades: usize,
}

impl Rechecked {
    pub(super) fn total(&self) -> usize {
        self.crates.len() + self.facades
    }

    pub(super) fn parse(ws: &Path, stdout: &str) -> anyhow::Result<Rechecked> {
        let facades_dir = ws.join("facades");
        let mut out = Rechecked::default();
        for line in stdout.lines().filter(|l| l.starts_with('{')) {
            let message: Value = serde_json::from_str(line)
                .with_context(|| format!("a message of `cargo check` is not JSON: {line}"))?;
            if message["reason"] != "compiler-artifact" || message["fresh"] != false {
                continue;
            }
            let manifest = Path::new(
                message["manifest_path"]
                    .as_str()
                    .context("a `compiler-artifact` without `manifest_path`")?,
            );
            if manifest.starts_with(&facades_dir) {
                out.facades += 1;
            } else {
                let name = manifest
                    .parent()
                    .and_then(Path::file_name)
                    .context("a manifest without a folder")?;
                out.crates.insert(name.to_string_lossy().into_owned());
            }
        }
        Ok(out)
    }
}

/// One measured `cargo check`.
#[derive(Debug)]
pub(super) struct Check {
    pub(super) sample: Sample,
    pub(super) rechecked: Rechecked,
}

/// One way of writing the workspace, and its checks.
#[derive(Debug)]
pub(super) struct Twin {
    /// `direct deps`, or `facades (…)`.
    pub(super) label: String,
    /// Where the facades come from (`this checkout`, a revision); `None`
    /// for the direct twin.
    pub(super) source: Option<String>,
    /// Facades `sync` wrote, and what the resolve says about them; `None`
    /// for the direct twin.
    pub(super) facades: Option<TwinCheck>,
    pub(super) checks: BTreeMap<Case, Vec<Check>>,
    /// Instructions of one no-op check, where valgrind is installed.
    pub(super) instructions: Option<super::instructions::Count>,
}

impl Twin {
    pub(super) fn median(&self, case: Case) -> Duration {
        median(self.checks[&case].iter().map(|c| c.sample.wall).collect())
    }
    pub(super) fn median_cpu(&self, case: Case) -> Option<Duration> {
        median_cpu(self.checks[&case].iter().map(|c| &c.sample))
    }
    /// The crates the last run of `case` re-checked (every run checks the
    /// same ones; [`bench_build`] verifies that).
    pub(super) fn rechecked(&self, case: Case) -> &Rechecked {
        &self.checks[&case]
            .last()
            .expect("at least one run")
            .rechecked
    }
}

#[derive(Debug)]
pub(super) struct BuildResult {
    pub(super) shape: Shape,
    pub(super) runs: usize,
    /// The direct twin first, then the facades of this checkout, then the
    /// baseline's.
    pub(super) twins: Vec<Twin>,
    /// Consumers declaring the edited child, the edited root; consumers
    /// declaring a child of that namespace but not its root.
    pub(super) child_declarers: usize,
    pub(super) root_declarers: usize,
    pub(super) child_only: usize,
    /// Seconds each facade unit of this checkout's facades took in one
    /// `cargo check --timings` after each edit, unmeasured.
    pub(super) facade_units: BTreeMap<Case, Vec<(String, f64)>>,
}

impl BuildResult {
    pub(super) fn direct(&self) -> &Twin {
        &self.twins[0]
    }
    /// `facade / direct − 1` of the median wall time.
    pub(super) fn overhead(&self, twin: &Twin, case: Case) -> f64 {
        ratio(twin.median(case), self.direct().median(case))
    }
    pub(super) fn cpu_overhead(&self, twin: &Twin, case: Case) -> Option<f64> {
        Some(ratio(
            twin.median_cpu(case)?,
            self.direct().median_cpu(case)?,
        ))
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64() - 1.0
}

/// A twin being measured: where it is and how it reaches the namespaces.
struct Setup<'a> {
    ws: PathBuf,
    target: PathBuf,
    twin: Twin,
    /// `None`: direct dependencies.
    binary: Option<&'a FacadeBinary>,
    /// Empty packages added to the direct dependencies (the padded twin).
    padding: usize,
}

pub(super) fn bench_build(
    tools: &Tools,
    binaries: &[FacadeBinary],
    bench_dir: &Path,
    size: usize,
    runs: usize,
) -> anyhow::Result<BuildResult> {
    let shape = Shape::new(size);
    let child_declarers = shape.declarers(EDITED_NS, Some(EDITED_CHILD));
    let root_declarers = shape.declarers(EDITED_NS, None);
    let child_only = shape.child_only_consumers(EDITED_NS);
    ensure!(
        !child_declarers.is_empty() && !root_declarers.is_empty() && child_only > 0,
        "the {size}-member workspace is too small: the edited crates need declarers, and some \
         consumers of namespace `{}` must not declare its root",
        package_name(EDITED_NS, None)
    );

    eprintln!("build comparison on {size} members: generating…");
    let direct_ws = bench_dir.join(format!("build-{size}-direct"));
    generate(&direct_ws, shape, Variant::Direct)?;
    let (_, direct_metadata) = measure_output(&mut tools.metadata(&direct_ws, false))
        .context("`cargo metadata` of the direct twin")?;
    let mut setups = vec![Setup {
        target: bench_dir.join(format!("target-{size}-direct")),
        ws: direct_ws.clone(),
        twin: Twin {
            label: "direct deps".to_owned(),
            source: None,
            facades: None,
            checks: BTreeMap::new(),
            instructions: None,
        },
        binary: None,
        padding: 0,
    }];
    for binary in binaries {
        let ws = bench_dir.join(format!("build-{size}-facade-{}", binary.key));
        generate(&ws, shape, Variant::Facade)?;
        measure(&mut tools.facade_of(&binary.path, &ws, "sync"))
            .with_context(|| format!("`facade sync` of {} on the build workspace", binary.label))?;
        let (_, metadata) = measure_output(&mut tools.metadata(&ws, false))
            .context("`cargo metadata` of the facade twin")?;
        let mut check = compare_twins(shape, &ws, &metadata, &direct_ws, &direct_metadata)
            .with_context(|| format!("facades of {}", binary.label))?;
        let written = count_facades(&ws)?;
        ensure!(
            written == check.facades,
            "{}: {written} facade manifests under `facades/`, {} facade packages in the resolve",
            binary.label,
            check.facades
        );
        check.facades = written;
        setups.push(Setup {
            target: bench_dir.join(format!("target-{size}-facade-{}", binary.key)),
            ws,
            twin: Twin {
                label: format!("facades ({})", binary.label),
                source: Some(binary.label.clone()),
                facades: Some(check),
                checks: BTreeMap::new(),
                instructions: None,
            },
            binary: Some(binary),
            padding: 0,
        });
    }
    // The per-package floor: direct dependencies plus as many empty
    // packages as this checkout wrote facades, nothing depending on them.
    let padding = setups[1]
        .twin
        .facades
        .as_ref()
        .map_or(0, |check| check.facades);
    let padded_ws = bench_dir.join(format!("build-{size}-padded"));
    generate(&padded_ws, shape, Variant::Padded(padding))?;
    setups.push(Setup {
        target: bench_dir.join(format!("target-{size}-padded")),
        ws: padded_ws,
        twin: Twin {
            label: format!("direct deps + {padding} empty packages"),
            source: None,
            facades: None,
            checks: BTreeMap::new(),
            instructions: None,
        },
        binary: None,
        padding,
    });

    let mut edits = 0;
    for run in 0..runs {
        // Rotate the order of the twins from run to run.
        let count = setups.len();
        for offset in 0..count {
            let setup = &mut setups[(run + offset) % count];
            let name = &setup.twin.label;
            if setup.target.exists() {
                fs::remove_dir_all(&setup.target)
                    .with_context(|| format!("failed to remove `{}`", setup.target.display()))?;
            }
            for case in CASES {
                eprintln!(
                    "build comparison: run {}/{runs}, {name}: {}…",
                    run + 1,
                    case.label()
                );
                let edit = match case.edited() {
                    Some(child) => {
                        edits += 1;
                        Some(Edit::apply(
                            setup.ws.join(source_of(EDITED_NS, child)),
                            edits,
                        )?)
                    }
                    None => None,
                };
                let (sample, stdout) =
                    measure_output(&mut tools.check_build(&setup.ws, &setup.target))
                        .with_context(|| format!("{name}: {}", case.label()))?;
                let rechecked = Rechecked::parse(&setup.ws, &stdout)?;
                if let Some(edit) = edit {
                    edit.undo()?;
                    // Back to a fresh target folder, unmeasured.
                    measure(&mut tools.check_build(&setup.ws, &setup.target))
                        .with_context(|| format!("{name}: `cargo check` after undoing the edit"))?;
                }
                let checks = setup.twin.checks.entry(case).or_default();
                if let Some(first) = checks.first() {
                    ensure!(
                        first.rechecked.crates == rechecked.crates
                            && first.rechecked.facades == rechecked.facades,
                        "{name}, {}: run {} re-checked {} crates, run 1 re-checked {}",
                        case.label(),
                        run + 1,
                        rechecked.total(),
                        first.rechecked.total()
                    );
                }
                checks.push(Check { sample, rechecked });
            }
        }
    }

    for setup in &setups {
        verify(
            &setup.twin,
            shape,
            setup.binary.is_none(),
            setup.padding,
            &child_declarers,
            &root_declarers,
        )?;
    }
    // The one figure the machine's load does not move: instructions of a
    // no-op check, per twin.
    if super::instructions::available() {
        for (index, setup) in setups.iter_mut().enumerate() {
            let key = match (index, setup.binary) {
                (0, _) => "direct",
                (_, Some(binary)) => binary.key,
                (_, None) => "padded",
            };
            eprintln!(
                "build comparison: counting the instructions of a no-op check, {}…",
                setup.twin.label
            );
            let profile = bench_dir.join(format!("callgrind-{size}-{key}.out"));
            setup.twin.instructions = Some(
                super::instructions::count_noop(tools, &setup.ws, &setup.target, &profile)
                    .with_context(|| format!("{}: counting instructions", setup.twin.label))?,
            );
        }
    } else {
        eprintln!("build comparison: valgrind not found, instructions not counted");
    }
    let head = &setups[1];
    let mut facade_units = BTreeMap::new();
    for case in [Case::EditChild, Case::EditRoot] {
        let child = case.edited().expect("an edit case");
        edits += 1;
        let path = head.ws.join(source_of(EDITED_NS, child));
        facade_units.insert(
            case,
            super::real::facade_unit_times(tools, &head.ws, &head.target, path, edits)?,
        );
    }
    Ok(BuildResult {
        shape,
        runs,
        twins: setups.into_iter().map(|s| s.twin).collect(),
        child_declarers: child_declarers.len(),
        root_declarers: root_declarers.len(),
        child_only,
        facade_units,
    })
}

/// The crates each case must re-check: with direct dependencies exactly the
/// edited crate and its declarers (every member when clean, none when
/// nothing changed); through facades at least those. Anything else means
/// the measurement is broken (an edit cargo did not see, a message not
/// parsed), not that facades are slow.
fn verify(
    twin: &Twin,
    shape: Shape,
    direct: bool,
    padding: usize,
    child_declarers: &BTreeSet<String>,
    root_declarers: &BTreeSet<String>,
) -> anyhow::Result<()> {
    for case in CASES {
        let got = twin.rechecked(case);
        let expected: BTreeSet<String> = match case.edited() {
            None => BTreeSet::new(),
            Some(child) => {
                let declarers = if child.is_some() {
                    child_declarers
                } else {
                    root_declarers
                };
                std::iter::once(package_name(EDITED_NS, child))
                    .chain(declarers.iter().cloned())
                    .collect()
            }
        };
        let ok = match (case, direct) {
            (Case::Clean, _) => got.crates.len() == shape.members + padding,
            (Case::Noop, true) | (Case::EditChild | Case::EditRoot, true) => {
                got.crates == expected && got.facades == 0
            }
            // A facade twin that re-checks something after no change is a
            // finding the report shows, not a broken measurement.
            (Case::Noop, false) => true,
            (Case::EditChild | Case::EditRoot, false) => got.crates.is_superset(&expected),
        };
        if !ok {
            bail!(
                "{}, {}: cargo re-checked {} crates ({} facades), expected {} — {:?}",
                twin.label,
                case.label(),
                got.total(),
                got.facades,
                if case == Case::Clean {
                    shape.members + padding
                } else {
                    expected.len()
                },
                got.crates.iter().take(10).collect::<Vec<_>>()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rechecked_counts_fresh_false_artifacts_by_kind() {
        let ws = Path::new("/ws");
        let artifact = |manifest: &str, fresh: bool| {
            format!(
                r#"{{"reason":"compiler-artifact","manifest_path":"{manifest}","fresh":{fresh}}}"#
            )
        };
        let stdout = [
            artifact("/ws/ns/foo0-bar/Cargo.toml", false),
            artifact("/ws/consumers/c001/Cargo.toml", false),
            artifact("/ws/consumers/c002/Cargo.toml", true),
            artifact("/ws/facades/foo0/Cargo.toml", false),
            r#"{"reason":"build-finished","success":true}"#.to_owned(),
            "not json, not a message".to_owned(),
        ]
        .join("\n");
        let rechecked = Rechecked::parse(ws, &stdout).unwrap();
        assert_eq!(
            rechecked.crates.iter().collect::<Vec<_>>(),
            ["c001", "foo0-bar"]
        );
        assert_eq!((rechecked.facades, rechecked.total()), (1, 3));
    }

    #[test]
    fn a_broken_message_stops_the_count() {
        let err = Rechecked::parse(Path::new("/ws"), "{\"reason\":").unwrap_err();
        assert!(err.to_string().contains("not JSON"), "{err}");
    }
}
