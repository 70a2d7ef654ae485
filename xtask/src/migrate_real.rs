//! `cargo xtask migrate-real`: `cargo facade migrate` on the shapes of real
//! repositories, with real registry crates (needs the network; not part of
//! the default test suite, which covers each shape offline).
//!
//! Each fixture reproduces what blocked a real project: an optional child
//! behind a feature, doctests and intra-doc links naming the child, a
//! build-dependency on the same child with another version requirement,
//! imports whose order rustfmt cares about, a workspace-inherited optional
//! child, and a version-3 `Cargo.lock`. For each, under
//! `target/migrate-real/<name>`:
//!
//! 1. the fixture is written, locked, and checked to build, test and pass
//!    `cargo fmt --check` as it is (a fixture that does not is a bug here);
//! 2. `migrate` forward; then `cargo facade check`, `cargo build` without
//!    and with every feature, `cargo test --all-features` (doctests
//!    included), `cargo doc --no-deps --all-features` with
//!    `RUSTDOCFLAGS=-D warnings`, `cargo fmt --check` on the migrated
//!    packages, and the `Cargo.lock` format version;
//! 3. `migrate --reverse`, then every file compared with step 1's bytes,
//!    `Cargo.lock` included.
//!
//! The table goes to stdout and to `MIGRATE-REAL.md` at the repository root.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};

pub(crate) mod family;

/// One repository shape.
struct Fixture {
    name: &'static str,
    /// What it reproduces.
    shape: &'static str,
    /// `foo::bar=foo-bar`.
    spec: &'static str,
    /// The members whose sources migrate (for `cargo fmt --check -p`).
    consumers: &'static [&'static str],
    files: &'static [(&'static str, &'static str)],
}

/// One step's outcome: a cell of the table.
#[derive(Debug, Clone)]
struct Cell {
    ok: bool,
    text: String,
}

const STEPS: [&str; 9] = [
    "migrate",
    "check",
    "build",
    "build (all features)",
    "test + doctests",
    "doc -D warnings",
    "fmt --check",
    "lock v3",
    "reverse: bytes",
];

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let families_only = match args {
        [] => false,
        [only] if only == "families" => true,
        _ => bail!("usage: cargo xtask migrate-real [families]"),
    };
    let base = root.join("target/migrate-real");
    let target = base.join("target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let facade = build_facade(root, &cargo)?;
    if families_only {
        // A quicker run while working on families: the table, no file.
        let mut family_rows = Vec::new();
        for family in family::families() {
            eprintln!("==> family {}", family.name);
            let cells = family::run_family(&family, &base, &target, &cargo, &facade)?;
            family_rows.push((family, cells));
        }
        print!("{}", render_families(&family_rows));
        return Ok(());
    }
    let mut rows = Vec::new();
    let started = Instant::now();
    for fixture in fixtures() {
        eprintln!("==> {}", fixture.name);
        let dir = base.join(fixture.name);
        let (cells, facades_fmt) = run_fixture(&fixture, &dir, &target, &cargo, &facade)?;
        rows.push((fixture, cells, facades_fmt));
    }
    let mut family_rows = Vec::new();
    for family in family::families() {
        eprintln!("==> family {}", family.name);
        let cells = family::run_family(&family, &base, &target, &cargo, &facade)?;
        family_rows.push((family, cells));
    }
    let mut report = render(&rows, started.elapsed().as_secs());
    report.push_str(&render_families(&family_rows));
    print!("{report}");
    fs::write(root.join("MIGRATE-REAL.md"), &report).context("failed to write MIGRATE-REAL.md")?;
    let failed = rows.iter().any(|(_, cells, _)| cells.iter().any(|c| !c.ok))
        || family_rows
            .iter()
            .any(|(_, cells)| cells.iter().any(|c| !c.ok));
    if failed {
        bail!("some steps failed (see the table)");
    }
    Ok(())
}

/// The `cargo-facade` binary of this checkout.
pub(crate) fn build_facade(root: &Path, cargo: &str) -> anyhow::Result<PathBuf> {
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--bin",
            "cargo-facade",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .status()
        .context("failed to run cargo build")?;
    if !status.success() {
        bail!("building cargo-facade failed");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target.join("debug/cargo-facade"))
}

fn run_fixture(
    fixture: &Fixture,
    dir: &Path,
    target: &Path,
    cargo: &str,
    facade: &Path,
) -> anyhow::Result<(Vec<Cell>, String)> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("failed to clear {}", dir.display()))?;
    }
    for (path, text) in fixture.files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("a file has a folder"))?;
        fs::write(&path, text)?;
    }
    let sh = Sh { dir, target, cargo };
    // The project as its CI sees it, on a version-3 lock.
    sh.cargo(&["generate-lockfile"], &[])?
        .expect("lock the fixture")?;
    let lock = fs::read_to_string(dir.join("Cargo.lock"))?;
    fs::write(
        dir.join("Cargo.lock"),
        lock.replacen("\nversion = 4\n", "\nversion = 3\n", 1),
    )?;
    for args in [
        &["build", "--all-features"][..],
        &["test", "--all-features"],
        &["fmt", "--check"],
    ] {
        sh.cargo(args, &[])?.expect("the fixture as it is")?;
    }
    let before = files(dir)?;

    let mut cells = Vec::new();
    let forward = sh.run(Command::new(facade).args(["facade", "migrate", fixture.spec]))?;
    let migrated = forward.ok;
    cells.push(forward.summary(&before, dir)?);
    if !migrated {
        cells.extend(STEPS[1..].iter().map(|_| Cell::skipped()));
        return Ok((cells, "not run".to_owned()));
    }
    cells.push(
        sh.run(Command::new(facade).args(["facade", "check"]))?
            .cell(),
    );
    cells.push(sh.cargo(&["build"], &[])?.cell());
    cells.push(sh.cargo(&["build", "--all-features"], &[])?.cell());
    cells.push(sh.cargo(&["test", "--all-features"], &[])?.tests());
    cells.push(
        sh.cargo(
            &["doc", "--no-deps", "--all-features"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )?
        .cell(),
    );
    let mut fmt = vec!["fmt", "--check"];
    for consumer in fixture.consumers {
        fmt.extend(["-p", consumer]);
    }
    cells.push(sh.cargo(&fmt, &[])?.cell());
    // The generated facades too: the facade renderer's part, reported apart.
    let whole = sh.cargo(&["fmt", "--check"], &[])?;
    let facades_fmt = if whole.ok {
        "clean".to_owned()
    } else {
        let first = whole
            .stdout
            .lines()
            .find(|l| l.starts_with("Diff in"))
            .unwrap_or("failed");
        first.replace(&format!("{}/", dir.display()), "")
    };
    let lock = fs::read_to_string(dir.join("Cargo.lock"))?;
    let v3 = lock.contains("\nversion = 3\n");
    cells.push(Cell {
        ok: v3,
        text: if v3 { "3".into() } else { "changed".into() },
    });

    let back =
        sh.run(Command::new(facade).args(["facade", "migrate", fixture.spec, "--reverse"]))?;
    cells.push(if back.ok {
        let after = files(dir)?;
        let differ: Vec<String> = before
            .keys()
            .chain(after.keys())
            .filter(|p| before.get(*p) != after.get(*p))
            .map(|p| p.display().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if differ.is_empty() {
            Cell::ok(format!("identical ({} files)", before.len()))
        } else {
            Cell::fail(format!("differ: {}", differ.join(", ")))
        }
    } else {
        back.cell()
    });
    Ok((cells, facades_fmt))
}

/// Runs commands in a fixture, cargo in the shared target folder.
struct Sh<'a> {
    dir: &'a Path,
    target: &'a Path,
    cargo: &'a str,
}

struct Ran {
    ok: bool,
    command: String,
    secs: f64,
    stdout: String,
    stderr: String,
}

impl Sh<'_> {
    fn cargo(&self, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Ran> {
        let mut command = Command::new(self.cargo);
        command.args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        self.run(&mut command)
    }

    fn run(&self, command: &mut Command) -> anyhow::Result<Ran> {
        command
            .current_dir(self.dir)
            .env("CARGO_TARGET_DIR", self.target)
            .env("CARGO_TERM_COLOR", "never");
        let shown = format!("{command:?}");
        let started = Instant::now();
        let output = command
            .output()
            .with_context(|| format!("failed to run {shown}"))?;
        let ran = Ran {
            ok: output.status.success(),
            command: shown,
            secs: started.elapsed().as_secs_f64(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        eprintln!(
            "    {} {:.1}s {}",
            if ran.ok { "ok  " } else { "FAIL" },
            ran.secs,
            ran.command
        );
        if !ran.ok {
            eprintln!("{}{}", ran.stdout, ran.stderr);
        }
        Ok(ran)
    }
}

impl Sh<'_> {
    /// `command`'s stdout, or its first error (not a failure of the run).
    fn quiet(&self, command: &mut Command) -> anyhow::Result<String> {
        let output = command
            .current_dir(self.dir)
            .env("CARGO_TARGET_DIR", self.target)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .context("failed to run cargo")?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Ok(format!(
                "FAILED: {}",
                first_error(&String::from_utf8_lossy(&output.stderr))
            ))
        }
    }
}

impl Ran {
    fn expect(self, what: &str) -> anyhow::Result<()> {
        if !self.ok {
            bail!("{what}: {} failed", self.command);
        }
        Ok(())
    }

    fn cell(&self) -> Cell {
        if self.ok {
            Cell::ok(format!("ok {:.0}s", self.secs))
        } else {
            Cell::fail(first_error(&self.stderr))
        }
    }

    /// Passed tests, doctests apart.
    fn tests(&self) -> Cell {
        if !self.ok {
            return Cell::fail(first_error(&format!("{}{}", self.stdout, self.stderr)));
        }
        // Doctests are named `src/lib.rs - item (line N)`.
        let passed = self
            .stdout
            .lines()
            .filter(|l| l.starts_with("test ") && l.ends_with("... ok"));
        let (doc, unit): (Vec<&str>, Vec<&str>) = passed.partition(|l| l.contains(" (line "));
        let (unit, doc) = (unit.len(), doc.len());
        Cell::ok(format!("{unit} + {doc} doctests"))
    }

    /// The forward run: files written, paths rewritten.
    fn summary(&self, before: &BTreeMap<PathBuf, Vec<u8>>, dir: &Path) -> anyhow::Result<Cell> {
        if !self.ok {
            return Ok(Cell::fail(first_error(&self.stderr)));
        }
        let after = files(dir)?;
        let changed = after
            .iter()
            .filter(|(p, b)| before.get(*p) != Some(b))
            .count();
        let paths: usize = self
            .stderr
            .lines()
            .filter_map(|l| {
                let rest = l.split(" manifest").nth(1)?;
                rest.split(", ")
                    .nth(1)?
                    .split(' ')
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .sum();
        Ok(Cell::ok(format!("{changed} files, {paths} paths")))
    }
}

impl Cell {
    fn ok(text: String) -> Cell {
        Cell { ok: true, text }
    }
    fn fail(text: String) -> Cell {
        Cell { ok: false, text }
    }
    fn skipped() -> Cell {
        Cell::fail("not run".into())
    }
}

/// The first `error` line of cargo's or rustc's output.
fn first_error(output: &str) -> String {
    output
        .lines()
        .find(|l| l.starts_with("error") || l.contains("FAILED"))
        .unwrap_or("failed")
        .replace('|', "\\|")
}

/// Every file's bytes below `dir`, except cargo's and git's folders.
fn files(dir: &Path) -> anyhow::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            let rel = path.strip_prefix(dir)?.to_owned();
            if path.is_dir() {
                if rel != Path::new("target") && rel != Path::new(".git") {
                    stack.push(path);
                }
            } else {
                out.insert(rel, fs::read(&path)?);
            }
        }
    }
    Ok(out)
}

fn render(rows: &[(Fixture, Vec<Cell>, String)], secs: u64) -> String {
    let mut out = String::new();
    out.push_str("# `cargo facade migrate` on real repository shapes\n\n");
    out.push_str(
        "Written by `cargo xtask migrate-real` (`xtask/src/migrate_real.rs`): each fixture reproduces \
         the shape of a real project with real registry crates, on a version-3 `Cargo.lock`, \
         and passes its own build, tests and `cargo fmt --check` before the migration. \
         Each cell is the outcome of that step after `migrate` (times include compiling).\n\n",
    );
    for (fixture, _, _) in rows {
        let _ = writeln!(
            out,
            "- **{}** (`{}`): {}",
            fixture.name, fixture.spec, fixture.shape
        );
    }
    out.push('\n');
    let _ = writeln!(out, "| fixture | {} |", STEPS.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(STEPS.len()));
    for (fixture, cells, _) in rows {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| {
                if c.ok {
                    c.text.clone()
                } else {
                    format!("**FAIL**: {}", c.text)
                }
            })
            .collect();
        let _ = writeln!(out, "| {} | {} |", fixture.name, cells.join(" | "));
    }
    out.push_str(
        "\n`fmt --check` above covers the migrated packages. The whole workspace after the \
         migration, generated facades included (their formatting is the facade renderer's, \
         not `migrate`'s):\n\n",
    );
    for (fixture, _, facades_fmt) in rows {
        let _ = writeln!(out, "- {}: {facades_fmt}", fixture.name);
    }
    let _ = writeln!(out, "\nTotal: {secs} s on this machine.");
    out
}

fn render_families(rows: &[(family::Family, Vec<Cell>)]) -> String {
    let mut out = String::new();
    out.push_str("\n## Real families\n\n");
    out.push_str(
        "Each family's published crates at pinned versions (sources fetched by `cargo vendor`), \
         laid out as one workspace whose members depend on each other by path, as their \
         repository has them; one `migrate` with every spec, one `--reverse`. *normal trees*: \
         every member's `cargo tree -e normal` (real packages and their features, with default \
         features, none and each feature) before and after; *packages before → after*: that \
         tree's size with default features.\n\n",
    );
    for (family, _) in rows {
        let crates: Vec<String> = family
            .crates
            .iter()
            .map(|(name, version)| format!("{name} {version}"))
            .collect();
        let _ = writeln!(
            out,
            "- **{}** ({}; `{}`): {}",
            family.name,
            crates.join(", "),
            family.specs.join(" "),
            family.shape
        );
    }
    out.push('\n');
    let _ = writeln!(out, "| family | {} |", family::STEPS.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(family::STEPS.len()));
    for (family, cells) in rows {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| {
                if c.ok {
                    c.text.clone()
                } else {
                    format!("**FAIL**: {}", c.text)
                }
            })
            .collect();
        let _ = writeln!(out, "| {} | {} |", family.name, cells.join(" | "));
    }
    out
}

fn fixtures() -> Vec<Fixture> {
    vec![
        Fixture {
            name: "cli",
            shape: "a binary with optional shell completions behind a feature, the same child as a \
                    build-dependency with another version requirement (`\"4\"` and `\"4.5.0\"`), \
                    clap's derive macros through the facade, imports rustfmt re-sorts",
            spec: "clap::complete=clap_complete",
            consumers: &["cli"],
            files: &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"cli\"]\nresolver = \"2\"\n",
                ),
                (
                    "cli/Cargo.toml",
                    r#"[package]
name = "cli"
version = "0.1.0"
edition = "2021"

[dependencies]
clap = { version = "4", features = ["derive"] }
clap_complete = { version = "4", optional = true }

[build-dependencies]
clap = "4"
clap_complete = "4.5.0"

[features]
default = []
# print completions at run time
completions = ["dep:clap_complete"]
"#,
                ),
                (
                    "cli/build.rs",
                    r#"use clap::Command;
use clap_complete::{generate_to, Shell};

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut cmd = Command::new("cli").arg(clap::Arg::new("name"));
    generate_to(Shell::Bash, &mut cmd, "cli", out).expect("completions");
}
"#,
                ),
                (
                    "cli/src/main.rs",
                    r#"use clap::Parser;
#[cfg(feature = "completions")]
use clap_complete::Shell;

/// Greets someone.
#[derive(Parser, Debug)]
struct Args {
    /// Who to greet.
    name: String,
    /// Print completions for this shell instead.
    #[cfg(feature = "completions")]
    #[arg(long)]
    completions: Option<Shell>,
}

fn main() {
    let args = Args::parse();
    #[cfg(feature = "completions")]
    if let Some(shell) = args.completions {
        let mut cmd = <Args as clap::CommandFactory>::command();
        clap_complete::generate(shell, &mut cmd, "cli", &mut std::io::stdout());
        return;
    }
    println!("hello {}", args.name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let args = Args::try_parse_from(["cli", "world"]).unwrap();
        assert_eq!(args.name, "world");
    }
}
"#,
                ),
            ],
        },
        Fixture {
            name: "json-lib",
            shape: "a library whose doctests (hidden lines too) and intra-doc links name the child, \
                    a second member with a build-dependency on the child at `\"1.0.100\"`, \
                    `[workspace.dependencies]` inheritance, `style_edition = \"2021\"` in rustfmt.toml",
            spec: "serde::json=serde_json",
            consumers: &["jsonlib", "jsontool"],
            files: &[
                (
                    "Cargo.toml",
                    r#"[workspace]
members = ["jsonlib", "jsontool"]
resolver = "2"

[workspace.dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
"#,
                ),
                ("rustfmt.toml", "style_edition = \"2021\"\nmax_width = 90\n"),
                (
                    "jsonlib/Cargo.toml",
                    r#"[package]
name = "jsonlib"
version = "0.1.0"
edition = "2021"

[dependencies]
serde.workspace = true
serde_json.workspace = true
"#,
                ),
                (
                    "jsonlib/src/lib.rs",
                    r##"//! Tagged values as JSON, through [`serde_json`].
//!
//! ```
//! # use serde_json::json;
//! let v = jsonlib::tagged("a", json!(1));
//! assert_eq!(v["tag"], "a");
//! ```

use serde::Serialize;
use serde_json::Value;

/// Wraps `value` under `tag`: a [`serde_json::Value`], printable with
/// [to_string](serde_json::to_string).
///
/// ```
/// let v = jsonlib::tagged("t", serde_json::Value::Null);
/// assert!(v.is_object());
/// ```
pub fn tagged(tag: &str, value: Value) -> Value {
    serde_json::json!({ "tag": tag, "value": value })
}

/// A point, serialized by [`point_json`].
#[derive(Serialize, Debug)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// The point as JSON text ([`serde_json::to_string`]).
///
/// ```
/// # use jsonlib::{point_json, Point};
/// assert_eq!(point_json(&Point { x: 1, y: 2 }), r#"{"x":1,"y":2}"#);
/// ```
pub fn point_json(p: &Point) -> String {
    serde_json::to_string(p).expect("a point serializes")
}
"##,
                ),
                (
                    "jsontool/Cargo.toml",
                    r#"[package]
name = "jsontool"
version = "0.1.0"
edition = "2021"

[dependencies]
jsonlib = { path = "../jsonlib" }
serde_json.workspace = true

[build-dependencies]
serde_json = "1.0.100"
"#,
                ),
                (
                    "jsontool/build.rs",
                    r#"fn main() {
    let v: serde_json::Value = serde_json::from_str("[1, 2]").expect("valid JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}
"#,
                ),
                (
                    "jsontool/src/main.rs",
                    r#"use jsonlib::Point;
use serde_json::to_string_pretty;

fn main() {
    let v = jsonlib::tagged("point", serde_json::json!([1, 2]));
    println!("{}", to_string_pretty(&v).unwrap());
    println!("{:?}", Point { x: 1, y: 2 });
}
"#,
                ),
            ],
        },
        Fixture {
            name: "channels",
            shape: "a 2-member workspace: an optional, workspace-inherited child behind a \
                    `test-util` feature (`dep:` and `?/` values), enabled by the other member",
            spec: "futures::channel=futures-channel",
            consumers: &["chcore"],
            files: &[
                (
                    "Cargo.toml",
                    r#"[workspace]
members = ["chcore", "chapp"]
resolver = "2"

[workspace.dependencies]
futures-channel = { version = "0.3", default-features = false, features = ["alloc"] }
"#,
                ),
                (
                    "chcore/Cargo.toml",
                    r#"[package]
name = "chcore"
version = "0.1.0"
edition = "2021"

[dependencies]
futures-channel = { workspace = true, optional = true }

[features]
# test helpers for dependents
test-util = ["dep:futures-channel", "futures-channel?/std"]
"#,
                ),
                (
                    "chcore/src/lib.rs",
                    r#"//! Core, with [`pair`] behind `test-util`.

/// A oneshot pair from [`futures_channel::oneshot`].
#[cfg(feature = "test-util")]
pub fn pair() -> (
    futures_channel::oneshot::Sender<u8>,
    futures_channel::oneshot::Receiver<u8>,
) {
    futures_channel::oneshot::channel()
}

pub fn answer() -> u8 {
    42
}
"#,
                ),
                (
                    "chapp/Cargo.toml",
                    r#"[package]
name = "chapp"
version = "0.1.0"
edition = "2021"

[dependencies]
chcore = { path = "../chcore", features = ["test-util"] }
"#,
                ),
                (
                    "chapp/src/main.rs",
                    r#"fn main() {
    let (tx, mut rx) = chcore::pair();
    tx.send(chcore::answer()).unwrap();
    println!("{:?}", rx.try_recv());
}
"#,
                ),
            ],
        },
    ]
}
