//! Instructions of a no-op `cargo check`, counted by valgrind's callgrind.
//!
//! On this 2-core machine the wall time of the same no-op check moves by
//! tens of percent from one run to the next; the instructions cargo
//! executes do not (same binary, same inputs). They are counted once per
//! twin, for cargo's own process (not the rustc it asks for its version):
//! the whole run, and the share in cargo's workspace loading
//! (`Workspace::find_path_deps`, which checks every path dependency
//! against the member list one by one, `PathBuf::eq` being that check).

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail, ensure};

use super::process::Tools;

/// What callgrind counted in one no-op `cargo check --workspace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Count {
    pub(super) total: u64,
    /// Inclusive: `Workspace::find_path_deps` (reading every member's
    /// manifest, and the member-list scans).
    pub(super) find_path_deps: Option<u64>,
    /// Inclusive: `PathBuf::eq`, the member-list scans' comparisons.
    pub(super) path_eq: Option<u64>,
}

/// Whether valgrind and `callgrind_annotate` are on this machine
/// (`callgrind_annotate --version` prints its version and exits 255: only
/// whether it runs at all tells).
pub(super) fn available() -> bool {
    let status = |program: &str| {
        Command::new(program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
    };
    status("valgrind").is_ok_and(|s| s.success()) && status("callgrind_annotate").is_ok()
}

/// Counts a no-op `cargo check --workspace` of `ws` with `target`: one
/// unmeasured check first, which must re-check nothing, then the counted
/// one. The callgrind profile stays at `profile` for a closer look
/// (`callgrind_annotate --inclusive=yes <profile>`).
pub(super) fn count_noop(
    tools: &Tools,
    ws: &Path,
    target: &Path,
    profile: &Path,
) -> anyhow::Result<Count> {
    let (_, stdout) = super::process::measure_output(&mut tools.check_build(ws, target))
        .context("the no-op `cargo check` before counting")?;
    let rechecked = super::build::Rechecked::parse(ws, &stdout)?;
    ensure!(
        rechecked.total() == 0,
        "`{}`: the check before counting re-checked {} crates, so the counted one would not be a no-op",
        ws.display(),
        rechecked.total()
    );
    let command = tools.check_build(ws, target);
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let mut valgrind = Command::new("valgrind");
    valgrind
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", profile.display()))
        .arg(&program)
        .args(&args)
        .current_dir(ws)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => valgrind.env(key, value),
            None => valgrind.env_remove(key),
        };
    }
    let out = valgrind
        .output()
        .context("failed to run `valgrind --tool=callgrind`")?;
    if !out.status.success() {
        bail!(
            "`valgrind --tool=callgrind {} check` failed in `{}`:\n{}",
            program.to_string_lossy(),
            ws.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(profile)
        .with_context(|| format!("failed to read `{}`", profile.display()))?;
    let total = total_of(&text).with_context(|| {
        format!(
            "`{}` has no `summary:` or `totals:` line",
            profile.display()
        )
    })?;
    // A rustup proxy would exec the real cargo, which callgrind does not
    // follow: the count would be the proxy's alone.
    ensure!(
        total > 50_000_000,
        "callgrind counted only {total} instructions in `{}`: is `$CARGO` ({}) a launcher rather \
         than cargo itself?",
        ws.display(),
        program.to_string_lossy()
    );
    let annotated = Command::new("callgrind_annotate")
        .args(["--inclusive=yes", "--threshold=100"])
        .arg(profile)
        .output()
        .context("failed to run `callgrind_annotate`")?;
    ensure!(
        annotated.status.success(),
        "`callgrind_annotate {}` failed: {}",
        profile.display(),
        String::from_utf8_lossy(&annotated.stderr)
    );
    let annotated = String::from_utf8_lossy(&annotated.stdout);
    Ok(Count {
        total,
        find_path_deps: inclusive_of(&annotated, "core::workspace::Workspace>::find_path_deps"),
        path_eq: inclusive_of(
            &annotated,
            "<std::path::PathBuf as core::cmp::PartialEq>::eq",
        ),
    })
}

/// The program's total from a callgrind profile (`summary:` in the
/// current format, `totals:` in older ones).
fn total_of(profile: &str) -> Option<u64> {
    profile.lines().find_map(|line| {
        let rest = line
            .strip_prefix("summary:")
            .or_else(|| line.strip_prefix("totals:"))?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// The inclusive count of the first (outermost, not a recursive `'2`)
/// function whose name ends in `function` in `callgrind_annotate
/// --inclusive=yes` output: lines like
/// `1,304,369,488 (44.32%)  ???:<cargo::…::Workspace>::find_path_deps [/…/cargo]`.
fn inclusive_of(annotated: &str, function: &str) -> Option<u64> {
    annotated.lines().find_map(|line| {
        let line = line.trim();
        let (count, rest) = line.split_once(' ')?;
        let name = rest.split_once(":").map_or(rest, |(_, name)| name);
        let name = name.split(" [").next()?.trim_end();
        if !name.ends_with(function) {
            return None;
        }
        count.replace(',', "").parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_the_summary_line() {
        let profile =
            "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 2943203914\n\nfl=(1)\n";
        assert_eq!(total_of(profile), Some(2_943_203_914));
        assert_eq!(total_of("events: Ir\ntotals: 12\n"), Some(12));
        assert_eq!(total_of("events: Ir\n"), None);
    }

    #[test]
    fn inclusive_counts_take_the_outermost_call_and_the_exact_name() {
        let annotated = "\
--------------------------------------------------------------------------------
Ir                      file:function
--------------------------------------------------------------------------------
2,943,191,910 (100.0%)  ???:0x000000000001ab70 [/usr/lib/ld-linux-x86-64.so.2]
1,338,158,210 (45.47%)  ???:<cargo::core::workspace::Workspace>::new [/bin/cargo]
1,304,369,488 (44.32%)  ???:<cargo::core::workspace::Workspace>::find_path_deps [/bin/cargo]
  955,345,210 (32.46%)  ???:<std::path::PathBuf as core::cmp::PartialEq>::eq [/bin/cargo]
  468,873,138 (15.93%)  ???:<cargo::core::workspace::Workspace>::find_path_deps'2 [/bin/cargo]
";
        assert_eq!(
            inclusive_of(annotated, "core::workspace::Workspace>::find_path_deps"),
            Some(1_304_369_488)
        );
        assert_eq!(
            inclusive_of(
                annotated,
                "<std::path::PathBuf as core::cmp::PartialEq>::eq"
            ),
            Some(955_345_210)
        );
        assert_eq!(inclusive_of(annotated, "Workspace>::load"), None);
    }
}
