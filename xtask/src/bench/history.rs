//! The history table of the report: build figures of earlier runs, kept
//! from one `BENCHMARKS.md` to the next, so that a before/after stays
//! visible after the file is regenerated. `--label` appends this run's rows;
//! rows already there are kept byte for byte.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context as _, bail};

use super::build::{BuildResult, Case};
use super::machine::Machine;
use super::report::ms;

const BEGIN: &str =
    "<!-- history: kept by `cargo xtask bench`, which appends a run with `--label` -->";
const END: &str = "<!-- end of history -->";
const HEADER: &str = "| run | date | revision | members | case | direct deps: wall | facades: wall | overhead (wall) | overhead (CPU) | crates re-checked (direct / facades) |";
const SEPARATOR: &str = "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |";

/// The rows of the history table.
#[derive(Debug)]
pub(super) struct History {
    rows: Vec<String>,
}

impl History {
    /// The rows of the report at `path` (none if there is no such file or no
    /// history in it).
    pub(super) fn read(path: &Path) -> anyhow::Result<History> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(err) => {
                return Err(err).with_context(|| format!("failed to read `{}`", path.display()));
            }
        };
        let mut lines = text.lines().enumerate();
        let mut rows = Vec::new();
        if lines.by_ref().any(|(_, line)| line == BEGIN) {
            let mut closed = false;
            for (index, line) in lines.by_ref() {
                if line == END {
                    closed = true;
                    break;
                }
                if line == HEADER || line == SEPARATOR || line.trim().is_empty() {
                    continue;
                }
                if !line.starts_with("| ") {
                    bail!(
                        "{}:{}: the history table holds a line that is not a row; fix or remove it \
                         (rows start with `| `)",
                        path.display(),
                        index + 1
                    );
                }
                rows.push(line.to_owned());
            }
            if !closed {
                bail!(
                    "{}: the history table has no end line; add `{END}` after its last row",
                    path.display()
                );
            }
        }
        Ok(History { rows })
    }

    /// The history with this run's rows added: one per facade build and
    /// case (clean, edit one child, edit one root).
    pub(super) fn with_run(
        mut self,
        label: &str,
        machine: &Machine,
        build: &BuildResult,
    ) -> History {
        let direct = build.direct();
        for (index, twin) in build.twins.iter().enumerate().skip(1) {
            let run = if index == 1 {
                label.to_owned()
            } else {
                format!("{label}, {}", twin.label)
            };
            for case in [Case::Clean, Case::EditChild, Case::EditRoot] {
                let mut row = String::new();
                let _ = write!(
                    row,
                    "| {run} | {} | {} | {} | {} | {} | {} | {:+.1}% | {} | {} / {} |",
                    machine.date,
                    machine.revision,
                    build.shape.members,
                    case.label(),
                    ms(direct.median(case)),
                    ms(twin.median(case)),
                    build.overhead(twin, case) * 100.0,
                    build
                        .cpu_overhead(twin, case)
                        .map_or_else(|| "n/a".to_owned(), |o| format!("{:+.1}%", o * 100.0)),
                    direct.rechecked(case).total(),
                    twin.rechecked(case).total(),
                );
                self.rows.push(row);
            }
        }
        self
    }

    pub(super) fn render(&self, out: &mut String) {
        let _ = write!(
            out,
            "## History of the build cost\n\n\
             Build figures of earlier runs, kept when this file is regenerated; `cargo xtask bench --label NAME` \
             appends the run's own (one row per facade build and case). Runs differ in machine load and method, \
             see each run's label.\n\n\
             {BEGIN}\n{HEADER}\n{SEPARATOR}\n"
        );
        for row in &self.rows {
            out.push_str(row);
            out.push('\n');
        }
        out.push_str(END);
        out.push_str("\n\n");
    }
}
