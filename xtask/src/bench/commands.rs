//! The command timings: cold and no-op `sync`, `check` and `cargo
//! metadata` on workspaces of growing size, and the proof that a no-op
//! `sync` (and `check`) leaves every file and mtime as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, bail};

use super::process::{Sample, Tools, measure, median, median_cpu};
use super::workspace::{PER_NAMESPACE, PreSync, Shape, Variant, count_facades, generate};

pub(super) const COMMANDS: [Cmd; 5] = [
    Cmd::Metadata,
    Cmd::MetadataNoDeps,
    Cmd::ColdSync,
    Cmd::NoopSync,
    Cmd::Check,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Cmd {
    Metadata,
    MetadataNoDeps,
    ColdSync,
    NoopSync,
    Check,
}

impl Cmd {
    pub(super) fn label(self) -> &'static str {
        match self {
            Cmd::Metadata => "`cargo metadata` (baseline)",
            Cmd::MetadataNoDeps => "`cargo metadata --no-deps` (info)",
            Cmd::ColdSync => "cold `facade sync`",
            Cmd::NoopSync => "no-op `facade sync`",
            Cmd::Check => "`facade check`",
        }
    }
}

#[derive(Debug)]
pub(super) struct SizeResult {
    pub(super) shape: Shape,
    pub(super) samples: BTreeMap<Cmd, Vec<Sample>>,
    pub(super) noop: NoopVerdict,
    /// Members after `sync` (consumers, namespace crates and facades).
    pub(super) synced_members: usize,
}

impl SizeResult {
    pub(super) fn median(&self, cmd: Cmd) -> Duration {
        median(self.samples[&cmd].iter().map(|s| s.wall).collect())
    }
    pub(super) fn median_cpu(&self, cmd: Cmd) -> Option<Duration> {
        median_cpu(&self.samples[&cmd])
    }
    pub(super) fn min_max(&self, cmd: Cmd) -> (Duration, Duration) {
        let walls = self.samples[&cmd].iter().map(|s| s.wall);
        (
            walls.clone().min().unwrap_or_default(),
            walls.max().unwrap_or_default(),
        )
    }
    pub(super) fn max_rss(&self, cmds: &[Cmd]) -> Option<u64> {
        cmds.iter()
            .flat_map(|cmd| &self.samples[cmd])
            .filter_map(|s| s.max_rss_kib)
            .max()
    }
    pub(super) fn ratio(&self, cmd: Cmd) -> f64 {
        self.median(cmd).as_secs_f64() / self.median(Cmd::Metadata).as_secs_f64()
    }
}

pub(super) fn bench_size(
    tools: &Tools,
    bench_dir: &Path,
    size: usize,
    runs: usize,
) -> anyhow::Result<SizeResult> {
    let shape = Shape::new(size);
    let ws = bench_dir.join(format!("ws-{size}"));
    eprintln!(
        "ws-{size}: {} namespaces ({} crates), {} consumers; generating…",
        shape.namespaces,
        shape.namespaces * PER_NAMESPACE,
        shape.consumers
    );
    generate(&ws, shape, Variant::Facade)?;
    // The starting point: a workspace with its `Cargo.lock`, before `sync`.
    measure(&mut tools.metadata(&ws, false))
        .context("`cargo metadata` on the generated workspace")?;
    let pre = PreSync::capture(&ws)?;

    let mut samples: BTreeMap<Cmd, Vec<Sample>> = BTreeMap::new();
    // Run 0 warms the page cache and cargo's rustc cache; it is not counted.
    for run in 0..=runs {
        eprintln!(
            "ws-{size}: run {run}/{runs}{}",
            if run == 0 { " (warm-up)" } else { "" }
        );
        // Alternate the order of the steady-state commands from run to run.
        let steady = if run % 2 == 0 {
            [
                Cmd::Metadata,
                Cmd::NoopSync,
                Cmd::Check,
                Cmd::MetadataNoDeps,
            ]
        } else {
            [
                Cmd::Check,
                Cmd::MetadataNoDeps,
                Cmd::NoopSync,
                Cmd::Metadata,
            ]
        };
        for cmd in std::iter::once(Cmd::ColdSync).chain(steady) {
            let mut command = match cmd {
                Cmd::Metadata => tools.metadata(&ws, false),
                Cmd::MetadataNoDeps => tools.metadata(&ws, true),
                Cmd::ColdSync => {
                    pre.restore()?;
                    tools.facade(&ws, "sync")
                }
                Cmd::NoopSync => tools.facade(&ws, "sync"),
                Cmd::Check => tools.facade(&ws, "check"),
            };
            let sample =
                measure(&mut command).with_context(|| format!("{} on ws-{size}", cmd.label()))?;
            if cmd == Cmd::NoopSync && !sample.stderr.contains("Fresh") {
                bail!(
                    "the no-op `sync` on ws-{size} was not fresh:\n{}",
                    sample.stderr
                );
            }
            if run > 0 {
                samples.entry(cmd).or_default().push(sample);
            }
        }
    }
    let facades = count_facades(&ws).with_context(|| format!("ws-{size}"))?;
    let noop = verify_noop(tools, &ws)?;
    Ok(SizeResult {
        shape,
        samples,
        noop,
        synced_members: size + facades,
    })
}

// ---------------------------------------------------------------------------
// No-op verification

/// What one file or folder looked like.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    modified: Option<SystemTime>,
    /// `None` for a folder.
    bytes: Option<Vec<u8>>,
}

/// Every file and folder of `ws` except `target/`.
fn snapshot(ws: &Path) -> anyhow::Result<BTreeMap<PathBuf, Entry>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![ws.to_owned()];
    while let Some(dir) = stack.pop() {
        out.insert(
            dir.clone(),
            Entry {
                modified: fs::symlink_metadata(&dir)?.modified().ok(),
                bytes: None,
            },
        );
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let meta = entry.metadata()?;
            if meta.is_dir() {
                if !(dir == ws && entry.file_name() == "target") {
                    stack.push(path);
                }
            } else {
                out.insert(
                    path.clone(),
                    Entry {
                        modified: meta.modified().ok(),
                        bytes: Some(fs::read(&path)?),
                    },
                );
            }
        }
    }
    Ok(out)
}

/// Differences between two snapshots, as `path: what`.
fn diff_snapshots(
    ws: &Path,
    before: &BTreeMap<PathBuf, Entry>,
    after: &BTreeMap<PathBuf, Entry>,
) -> Vec<String> {
    let rel = |p: &Path| p.strip_prefix(ws).unwrap_or(p).display().to_string();
    let mut out = Vec::new();
    for (path, old) in before {
        match after.get(path) {
            None => out.push(format!("{}: removed", rel(path))),
            Some(new) if new.bytes != old.bytes => {
                out.push(format!("{}: bytes changed", rel(path)))
            }
            Some(new) if new.modified != old.modified => {
                out.push(format!("{}: mtime changed", rel(path)))
            }
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("{}: created", rel(path)));
    }
    out
}

#[derive(Debug)]
pub(super) struct NoopVerdict {
    pub(super) files: usize,
    pub(super) folders: usize,
    /// Per command (`sync`, `check`): what changed.
    pub(super) changes: Vec<(&'static str, Vec<String>)>,
}

fn verify_noop(tools: &Tools, ws: &Path) -> anyhow::Result<NoopVerdict> {
    let mut changes = Vec::new();
    let mut counts = (0, 0);
    for subcommand in ["sync", "check"] {
        let before = snapshot(ws)?;
        // Coarse mtime granularity must not hide a rewrite.
        std::thread::sleep(Duration::from_millis(20));
        measure(&mut tools.facade(ws, subcommand))?;
        let after = snapshot(ws)?;
        counts = (
            before.values().filter(|e| e.bytes.is_some()).count(),
            before.values().filter(|e| e.bytes.is_none()).count(),
        );
        changes.push((subcommand, diff_snapshots(ws, &before, &after)));
    }
    Ok(NoopVerdict {
        files: counts.0,
        folders: counts.1,
        changes,
    })
}
