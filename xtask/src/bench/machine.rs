//! The machine a benchmark ran on, and how busy it was.

use std::fs;
use std::path::Path;

use super::process::{Tools, output_of};

#[derive(Debug)]
pub(super) struct Machine {
    pub(super) cpus: String,
    pub(super) cpu_model: String,
    pub(super) memory: String,
    pub(super) os: String,
    pub(super) filesystem: String,
    pub(super) rustc: String,
    pub(super) cargo: String,
    pub(super) date: String,
    pub(super) revision: String,
    /// `/proc/loadavg` before and after: other work on the machine skews timings.
    pub(super) load_before: String,
    pub(super) load_after: String,
}

pub(super) fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

impl Machine {
    pub(super) fn probe(root: &Path, tools: &Tools, bench_dir: &Path) -> Machine {
        let unknown = || "unknown".to_owned();
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|r| r.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(unknown);
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(unknown, |kib| {
                format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0)
            });
        let cpus =
            std::thread::available_parallelism().map_or_else(|_| unknown(), |n| n.to_string());
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let revision = match output_of("git", &["rev-parse", "--short", "HEAD"], root) {
            Some(rev) => {
                let dirty = output_of(
                    "git",
                    &["status", "--porcelain", "--untracked-files=no"],
                    root,
                )
                .is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{rev} + uncommitted changes")
                } else {
                    rev
                }
            }
            None => unknown(),
        };
        let bench = bench_dir.to_string_lossy().into_owned();
        Machine {
            cpus,
            cpu_model,
            memory,
            os: output_of("uname", &["-srm"], root).unwrap_or_else(unknown),
            filesystem: output_of("df", &["--output=fstype", &bench], root)
                .and_then(|out| out.lines().nth(1).map(|l| l.trim().to_owned()))
                .unwrap_or_else(unknown),
            rustc: output_of(rustc, &["-V"], root).unwrap_or_else(unknown),
            cargo: output_of(&tools.cargo, &["-V"], root).unwrap_or_else(unknown),
            date: output_of("date", &["-u", "+%Y-%m-%d %H:%M UTC"], root).unwrap_or_else(unknown),
            revision,
            load_before: loadavg(),
            load_after: String::new(),
        }
    }
}
