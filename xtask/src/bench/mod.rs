//! `cargo xtask bench`: how `cargo facade` scales with the size of a
//! workspace, measured against `cargo metadata` (the floor: every command
//! runs it once), and what facades cost a build.
//!
//! 1. Synthetic workspaces of N members under `target/bench/ws-N`
//!    (`workspace.rs`): up to 20 namespaces `fooK` with a root crate and
//!    four children (`fooK-bar`, `fooK-baz`, `fooK-qux`, `fooK-quux`), the
//!    other members consumers declaring 2–4 (3 on average) namespaced names
//!    with `path`, about one in five a root, one in four with a feature.
//! 2. Whole processes (`process.rs`), wall time (`Instant` around spawn →
//!    `wait4`), the commands alternating within each run, medians over the
//!    runs; the peak RSS comes from `wait4`'s `ru_maxrss` (the process and
//!    the children it waited for, KiB on Linux). (`commands.rs`)
//! 3. `cargo check --workspace` through facades against the same packages
//!    and features as direct path dependencies (`build.rs`): clean, no-op,
//!    and after a real edit of one child and of one root, counting the
//!    crates cargo re-checked; `--baseline REV` adds the facades of an
//!    older revision, for a before/after in one run; a third twin, direct
//!    dependencies plus as many empty packages as there are facades, is the
//!    per-package floor (cargo's workspace loading scans the member list
//!    once per path dependency).
//! 4. A no-op `sync` (and `check`) must leave every file's bytes and mtime,
//!    and every folder's mtime, as they were.
//!
//! The report (`report.rs`) goes to stdout and to `BENCHMARKS.md` at the
//! repository root (`--quick`: `target/bench/BENCHMARKS.quick.md`), keeping
//! the file's history table and adding this run's build figures to it when
//! `--label` names the run.

mod build;
mod commands;
mod history;
mod instructions;
mod machine;
mod process;
mod real;
mod report;
mod workspace;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, bail, ensure};

use self::history::History;
use self::machine::{Machine, loadavg};
use self::process::Tools;
use self::report::Report;
use self::workspace::PER_NAMESPACE;

const USAGE: &str = "usage: cargo xtask bench [--quick] [--sizes 100,500,1000] [--runs N]
                         [--build-size N] [--build-runs N] [--baseline REV]
                         [--label TEXT] [--out PATH] [--real]

  --quick       a couple of minutes instead of about ten: --sizes 100 --runs 3
                --build-size 200 --build-runs 3 --out target/bench/BENCHMARKS.quick.md
                (flags given too win)
  --sizes       workspace sizes in members (default 100,500,1000)
  --runs        measured runs per size, after one warm-up run (default 5)
  --build-size  members of the workspace whose `cargo check` is compared
                (default: the largest size; 0 skips the build comparison)
  --build-runs  runs of the build comparison (default 3)
  --baseline    also measure the facades written by `cargo-facade` as it was
                at this git revision (built once under target/bench)
  --label       name this run in the history table of the report (its build
                figures are appended to the rows already there)
  --out         the report file, relative to the repository root
                (default BENCHMARKS.md)
  --real        also measure the real family workspaces of `cargo xtask
                migrate-real` against their unmigrated twins (fetches
                them: needs the network; --build-runs runs)";

/// The targets of the issue, checked on the largest workspace.
const TARGET_NOOP: f64 = 1.3;
const TARGET_CHECK: f64 = 1.3;
const TARGET_COLD: f64 = 3.0;
const TARGET_RSS_MIB: f64 = 100.0;
/// Facades against direct dependencies: a clean `cargo check`, and one
/// after an edit.
const TARGET_BUILD_CLEAN: f64 = 0.05;
const TARGET_BUILD_EDIT: f64 = 0.10;
/// A fresh clone's `cargo facade check` against `cargo metadata`, on the
/// real families (`--real`).
const TARGET_FRESH_CHECK: f64 = 2.0;

#[derive(Debug)]
struct Config {
    sizes: Vec<usize>,
    runs: usize,
    build_size: Option<usize>,
    build_runs: usize,
    baseline: Option<String>,
    label: Option<String>,
    out: PathBuf,
    quick: bool,
    real: bool,
    command_line: String,
}

fn parse_args(args: &[String]) -> anyhow::Result<Config> {
    let quick = args.iter().any(|a| a == "--quick");
    let real = args.iter().any(|a| a == "--real");
    let (mut sizes, mut runs, mut build_size, mut build_runs, mut out) = if quick {
        (
            vec![100],
            3,
            Some(200),
            3,
            PathBuf::from("target/bench/BENCHMARKS.quick.md"),
        )
    } else {
        (
            vec![100, 500, 1000],
            5,
            None,
            3,
            PathBuf::from("BENCHMARKS.md"),
        )
    };
    let mut baseline = None;
    let mut label = None;
    let mut iter = args.iter().filter(|a| *a != "--quick" && *a != "--real");
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        if matches!(flag, "-h" | "--help") {
            bail!("{USAGE}");
        }
        let value = match inline {
            Some(value) => value,
            None => iter
                .next()
                .cloned()
                .with_context(|| format!("`{flag}` needs a value\n\n{USAGE}"))?,
        };
        let number = |text: &str| -> anyhow::Result<usize> {
            text.trim()
                .parse()
                .with_context(|| format!("`{flag}`: `{text}` is not a number"))
        };
        match flag {
            "--sizes" => {
                sizes = value
                    .split(',')
                    .map(number)
                    .collect::<anyhow::Result<_>>()?
            }
            "--runs" => runs = number(&value)?,
            "--build-size" => build_size = Some(number(&value)?),
            "--build-runs" => build_runs = number(&value)?,
            "--baseline" => baseline = Some(value),
            "--label" => {
                ensure!(
                    !value.trim().is_empty() && !value.contains(['|', '\n']),
                    "`--label` must be non-empty, without `|` or a line break"
                );
                label = Some(value);
            }
            "--out" => out = PathBuf::from(value),
            _ => bail!("unknown argument `{arg}`\n\n{USAGE}"),
        }
    }
    ensure!(!sizes.is_empty(), "`--sizes` is empty");
    ensure!(
        runs >= 1 && build_runs >= 1,
        "`--runs` and `--build-runs` must be at least 1"
    );
    for &size in &sizes {
        ensure!(
            size >= 2 * PER_NAMESPACE,
            "a workspace needs at least {} members (one namespace and as many consumers)",
            2 * PER_NAMESPACE
        );
    }
    sizes.sort_unstable();
    sizes.dedup();
    let largest = *sizes.last().expect("not empty");
    let build_size = match build_size {
        None => Some(largest),
        Some(0) => None,
        Some(size) => {
            ensure!(
                size >= 2 * PER_NAMESPACE,
                "`--build-size` must be 0 or at least {}",
                2 * PER_NAMESPACE
            );
            Some(size)
        }
    };
    ensure!(
        (baseline.is_none() && label.is_none()) || build_size.is_some(),
        "`--baseline` and `--label` need the build comparison (not `--build-size 0`)"
    );
    let mut command_line = "cargo xtask bench".to_owned();
    for arg in args {
        command_line.push(' ');
        command_line.push_str(arg);
    }
    Ok(Config {
        sizes,
        runs,
        build_size,
        build_runs,
        baseline,
        label,
        out,
        quick,
        real,
        command_line,
    })
}

/// Runs the benchmark; `args` follow `bench` on the command line.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let config = parse_args(args)?;
    let started = Instant::now();
    let bench_dir = root.join("target/bench");
    fs::create_dir_all(&bench_dir)
        .with_context(|| format!("failed to create `{}`", bench_dir.display()))?;
    let out = root.join(&config.out);
    // Read first: a history that cannot be kept stops the run before it starts.
    let history = History::read(&out)?;
    let tools = Tools::build(root)?;
    let mut binaries = vec![tools.head()];
    if let Some(rev) = &config.baseline {
        binaries.push(tools.build_baseline(root, &bench_dir, rev)?);
    }
    let build_time = started.elapsed();
    let started = Instant::now();
    let mut machine = Machine::probe(root, &tools, &bench_dir);

    let mut results = Vec::new();
    for &size in &config.sizes {
        results.push(commands::bench_size(&tools, &bench_dir, size, config.runs)?);
    }
    let build = match config.build_size {
        Some(size) => Some(build::bench_build(
            &tools,
            &binaries,
            &bench_dir,
            size,
            config.build_runs,
        )?),
        None => None,
    };
    let real = if config.real {
        real::bench_real(&tools, &bench_dir, config.build_runs)?
    } else {
        Vec::new()
    };

    machine.load_after = loadavg();
    let history = match (&config.label, &build) {
        (Some(label), Some(build)) => history.with_run(label, &machine, build),
        _ => history,
    };
    let report = Report {
        build_time,
        config: &config,
        machine: &machine,
        results: &results,
        build: build.as_ref(),
        real: &real,
        history: &history,
        elapsed: started.elapsed(),
    }
    .render();
    print!("{report}");
    if let Some(parent) = out.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("failed to create `{}`", parent.display()))?;
    }
    fs::write(&out, &report).with_context(|| format!("failed to write `{}`", out.display()))?;
    eprintln!(
        "wrote {} in {:.0?} (+ {build_time:.0?} building cargo-facade)",
        out.display(),
        started.elapsed()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> anyhow::Result<Config> {
        parse_args(
            &args
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn the_full_run_measures_builds_on_the_largest_workspace() {
        let config = parse("").unwrap();
        assert_eq!(config.sizes, [100, 500, 1000]);
        assert_eq!(config.build_size, Some(1000));
        assert_eq!(config.out, Path::new("BENCHMARKS.md"));
    }

    #[test]
    fn quick_is_small_and_writes_apart_and_given_flags_win() {
        let config = parse("--quick").unwrap();
        assert_eq!((config.sizes.as_slice(), config.runs), (&[100][..], 3));
        assert_eq!((config.build_size, config.build_runs), (Some(200), 3));
        assert_eq!(config.out, Path::new("target/bench/BENCHMARKS.quick.md"));
        let config = parse("--build-size 50 --quick --label=v1").unwrap();
        assert_eq!(config.build_size, Some(50));
        assert_eq!(config.label.as_deref(), Some("v1"));
    }

    #[test]
    fn a_label_needs_a_build_and_a_clean_name() {
        let err = parse("--label v1 --build-size 0").unwrap_err().to_string();
        assert!(err.contains("need the build comparison"), "{err}");
        let err = parse("--label a|b").unwrap_err().to_string();
        assert!(err.contains("without `|`"), "{err}");
    }
}
