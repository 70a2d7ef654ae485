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
use super::report::{ms, percent};

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
    /// case (clean, no-op, edit one child, edit one root).
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
            for case in [Case::Clean, Case::Noop, Case::EditChild, Case::EditRoot] {
                let mut row = String::new();
                let _ = write!(
                    row,
                    "| {run} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
                    machine.date,
                    machine.revision,
                    build.shape.members,
                    case.label(),
                    ms(direct.median(case)),
                    ms(twin.median(case)),
                    percent(Some(build.overhead(twin, case))),
                    percent(build.cpu_overhead(twin, case)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn history(rows: &[&str]) -> History {
        History {
            rows: rows.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn rows_survive_a_regenerated_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("BENCHMARKS.md");
        let rows = ["| v1 | a | b | 1000 | clean | 1 ms | 2 ms | +100.0% | n/a | 1 / 2 |"];
        let mut text = "# report\n\nsome table\n| x | y |\n\n".to_owned();
        history(&rows).render(&mut text);
        text.push_str("## after\n| z |\n");
        fs::write(&path, &text).unwrap();
        assert_eq!(History::read(&path).unwrap().rows, rows);
    }

    #[test]
    fn the_committed_report_keeps_the_v1_rows() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
        let rows = History::read(&path).unwrap().rows;
        assert!(
            rows.iter().filter(|r| r.starts_with("| v1, ")).count() >= 2,
            "{rows:#?}"
        );
    }

    #[test]
    fn no_file_no_history() {
        let dir = tempfile::tempdir().unwrap();
        let read = History::read(&dir.path().join("BENCHMARKS.md")).unwrap();
        assert!(read.rows.is_empty());
    }

    #[test]
    fn a_mangled_history_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("BENCHMARKS.md");
        fs::write(
            &path,
            format!("# r\n{BEGIN}\n{HEADER}\n| ok |\n<<<<<<< HEAD\n{END}\n"),
        )
        .unwrap();
        let err = History::read(&path).unwrap_err().to_string();
        assert!(err.ends_with("rows start with `| `)"), "{err}");
        assert!(err.contains("BENCHMARKS.md:5:"), "{err}");
        fs::write(&path, format!("# r\n{BEGIN}\n| ok |\n")).unwrap();
        let err = History::read(&path).unwrap_err().to_string();
        assert!(err.contains("no end line"), "{err}");
    }
}
