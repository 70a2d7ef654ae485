//! `cargo xtask team-tools`: the team tools that read every workspace
//! member, run for real on a synced fixture workspace (needs the network
//! once, to install the tools; not part of the default test suite, which
//! checks each decision offline in `tests/testsuite/team_tools.rs`).
//!
//! cargo-deny and cargo-hack are installed from the registry with
//! `cargo install --locked` into `target/team-tools/`. The fixture (under
//! `target/team-tools/ws`) is a publishable consumer and a private one of
//! a path namespace (a root, a child with a feature, a dev-only child), and
//! a publishable one of the root alone (no facade: its managed entry is the
//! root crate itself, as declared, with a `version`), with an ordinary
//! `deny.toml` (`MIT` and `Apache-2.0` allowed, wildcards
//! denied) and nothing facade-specific. Each tool runs twice: on the tree
//! as `sync` writes it ("now"), and on the same tree without what facades
//! and managed entries lacked before format 3 ("before": no `license`, no
//! `test = false`/`doctest = false`, no `version` on managed entries), so
//! the table shows what each field fixes. cargo-deny's bans check runs once
//! more with the root-only consumer's declaration (so its managed entry)
//! lacking `version`. rust-analyzer (built with `cargo +nightly install`,
//! `rust_analyzer.rs`) then reads the synced tree, and the same tree with
//! names its packages did not declare, beside `cargo check --keep-going` (every
//! crate's errors, not the first one's). The tables go
//! to stdout and to `TEAM-TOOLS.md` at the repository root.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};

const TOOLS: [&str; 2] = ["cargo-deny", "cargo-hack"];

/// One tool run: what it printed, as counted for the table.
struct Outcome {
    ok: bool,
    text: String,
}

/// A check: the command, and how its output is summarised.
struct Check {
    tool: &'static str,
    args: &'static [&'static str],
    summarise: fn(bool, &str) -> String,
}

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask team-tools");
    }
    let started = Instant::now();
    let base = root.join("target/team-tools");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    install(&base, &cargo)?;
    let facade = crate::migrate_real::build_facade(root, &cargo)?;
    let path = format!(
        "{}:{}",
        base.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let versions: Vec<String> = TOOLS
        .iter()
        .map(|tool| {
            let sub = tool.trim_start_matches("cargo-");
            let out = Command::new(&cargo)
                .args([sub, "--version"])
                .env("PATH", &path)
                .output()
                .with_context(|| format!("failed to run `cargo {sub} --version`"))?;
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        })
        .collect::<anyhow::Result<_>>()?;

    let ws = base.join("ws");
    let mut rows: Vec<(&Check, Outcome, Outcome)> = Vec::new();
    let checks = checks();
    for check in &checks {
        let mut outcomes = Vec::new();
        for before in [true, false] {
            write_fixture(&ws)?;
            run_ok(
                Command::new(&facade)
                    .args(["facade", "sync"])
                    .current_dir(&ws),
            )?;
            if before {
                strip_format_3_fields(&ws)?;
            }
            let label = if before { "before" } else { "now" };
            outcomes.push(run_check(check, label, &ws, &base, &cargo, &path)?);
        }
        let now = outcomes.pop().expect("two runs");
        let before = outcomes.pop().expect("two runs");
        rows.push((check, before, now));
    }
    // `report` declares the root alone: its managed entry is the root crate
    // as declared, with `version`, then without (a path root may be, by the
    // user's choice).
    let mut entries = Vec::new();
    for strip in [false, true] {
        write_fixture(&ws)?;
        let manifest = ws.join("report/Cargo.toml");
        if strip {
            let text = fs::read_to_string(&manifest)?;
            fs::write(&manifest, text.replace(", version = \"0.1.0\" }", " }"))?;
        }
        run_ok(
            Command::new(&facade)
                .args(["facade", "sync"])
                .current_dir(&ws),
        )?;
        let text = fs::read_to_string(&manifest)?;
        let entry = text
            .lines()
            .find(|l| l.starts_with("kit = ") && l.contains("# managed by cargo-facade"))
            .and_then(|l| l.split(" # ").next())
            .context("`report` has no managed entry `kit`")?;
        entries.push(entry.to_owned());
    }
    let bans = checks
        .iter()
        .find(|c| c.args.contains(&"bans"))
        .expect("a bans check");
    let versionless = run_check(bans, "`kit` without `version`", &ws, &base, &cargo, &path)?;
    let ide = editor(&ws, &base, &cargo, &facade)?;
    let report = render(
        &rows,
        (&entries, bans, &versionless),
        &ide,
        &versions,
        started.elapsed().as_secs(),
    );
    print!("{report}");
    fs::write(root.join("TEAM-TOOLS.md"), report).context("failed to write TEAM-TOOLS.md")?;
    if rows.iter().any(|(_, _, now)| !now.ok) {
        bail!("a team tool fails on the synced workspace");
    }
    if !ide.synced.0.errors.is_empty() || ide.synced.0.unknown > 0 {
        bail!("rust-analyzer does not follow every namespaced path of the synced workspace");
    }
    if ide.undeclared.0.errors.len() < 2 || ide.undeclared.0.unknown <= ide.synced.0.unknown {
        bail!("rust-analyzer resolved a name its package did not declare: the control failed");
    }
    Ok(())
}

/// The editor's view: rust-analyzer on the synced fixture, and on the same
/// tree with names its packages did not declare, each beside `cargo check`.
struct Editor {
    synced: (crate::rust_analyzer::Analysis, Outcome),
    undeclared: (crate::rust_analyzer::Analysis, Outcome),
}

fn editor(ws: &Path, base: &Path, cargo: &str, facade: &Path) -> anyhow::Result<Editor> {
    let ra = crate::rust_analyzer::install(base)?;
    let target = base.join("ws-target-rust-analyzer");
    let mut runs = Vec::new();
    for undeclared in [false, true] {
        write_fixture(ws)?;
        run_ok(
            Command::new(facade)
                .args(["facade", "sync"])
                .current_dir(ws),
        )?;
        if undeclared {
            // `tool` declared only `kit::core`; `report` only the root.
            append(
                &ws.join("tool/src/main.rs"),
                "\n#[allow(unused_imports)]\nuse kit::testing::FIXTURE as _UNDECLARED;\n\n\
                 #[allow(dead_code)]\nfn undeclared_root() {\n    let _root = kit::ROOT;\n}\n",
            )?;
            append(
                &ws.join("report/src/lib.rs"),
                "\n#[allow(unused_imports)]\nuse kit::core::value as _UNDECLARED;\n",
            )?;
        }
        let analysis = crate::rust_analyzer::analyse(&ra, ws, &target)?;
        let output = Command::new(cargo)
            .args(["check", "--workspace", "--offline", "--keep-going"])
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .context("failed to run `cargo check`")?;
        let text = String::from_utf8_lossy(&output.stderr);
        let mut codes: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("error["))
            .filter_map(|l| l.split(']').next())
            .collect();
        codes.sort_unstable();
        let check = Outcome {
            ok: output.status.success(),
            text: if output.status.success() {
                "passes".to_owned()
            } else {
                format!("fails: {}", codes.join(", "))
            },
        };
        runs.push((analysis, check));
    }
    let undeclared = runs.pop().expect("two runs");
    let synced = runs.pop().expect("two runs");
    Ok(Editor { synced, undeclared })
}

fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut body =
        fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))?;
    body.push_str(text);
    fs::write(path, body).with_context(|| format!("failed to write {}", path.display()))
}

/// One run of `check`'s command on the fixture in `ws`, summarised.
fn run_check(
    check: &Check,
    label: &str,
    ws: &Path,
    base: &Path,
    cargo: &str,
    path: &str,
) -> anyhow::Result<Outcome> {
    eprintln!("==> cargo {} ({label})", check.args.join(" "));
    let output = Command::new(cargo)
        .args(check.args)
        .current_dir(ws)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", base.join("ws-target"))
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .context("failed to run a team tool")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let ok = output.status.success();
    eprintln!("    {}", if ok { "ok" } else { "FAILED" });
    Ok(Outcome {
        ok,
        text: (check.summarise)(ok, &text),
    })
}

fn checks() -> Vec<Check> {
    vec![
        Check {
            tool: "cargo-deny",
            args: &["deny", "--offline", "check", "licenses"],
            summarise: deny_summary,
        },
        Check {
            tool: "cargo-deny",
            args: &["deny", "--offline", "check", "bans"],
            summarise: deny_summary,
        },
        Check {
            tool: "cargo-hack",
            args: &[
                "hack",
                "check",
                "--each-feature",
                "--workspace",
                "--offline",
            ],
            summarise: hack_summary,
        },
        Check {
            tool: "cargo",
            args: &["test", "--workspace", "--offline"],
            summarise: test_summary,
        },
    ]
}

/// `cargo install --locked` of each tool into `base` (cargo skips a tool
/// already installed at the same version).
fn install(base: &Path, cargo: &str) -> anyhow::Result<()> {
    for tool in TOOLS {
        eprintln!("==> cargo install --locked {tool}");
        run_ok(
            Command::new(cargo)
                .args(["install", "--locked", "--quiet", "--root"])
                .arg(base)
                .arg(tool)
                .env("CARGO_TARGET_DIR", base.join("build")),
        )?;
    }
    Ok(())
}

fn run_ok(command: &mut Command) -> anyhow::Result<()> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("failed to run {shown}"))?;
    if !status.success() {
        bail!("{shown} failed");
    }
    Ok(())
}

/// cargo-deny: pass, or how many errors of which kinds.
fn deny_summary(ok: bool, text: &str) -> String {
    let mut kinds: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("error["))
        .filter_map(|l| l.split(']').next())
        .collect();
    let count = kinds.len();
    kinds.sort_unstable();
    kinds.dedup();
    match (ok, count) {
        (true, _) => "passes".to_owned(),
        (false, 0) => format!("fails: {}", first_line(text)),
        (false, 1) => format!("fails: 1 error ({})", kinds.join(", ")),
        (false, n) => format!("fails: {n} errors ({})", kinds.join(", ")),
    }
}

/// cargo-hack: its runs, how many of them on facades.
fn hack_summary(ok: bool, text: &str) -> String {
    let runs: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("info: running"))
        .collect();
    let facade_runs = runs.iter().filter(|l| l.contains("-facade-")).count();
    format!(
        "{}: {} runs, {facade_runs} of them on facades (each builds)",
        if ok { "passes" } else { "fails" },
        runs.len()
    )
}

/// `cargo test`: harnesses run, how many for facades.
fn test_summary(ok: bool, text: &str) -> String {
    let harnesses: Vec<&str> = text
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("Running") || l.starts_with("Doc-tests"))
        .collect();
    let facade = harnesses.iter().filter(|l| l.contains("facade")).count();
    format!(
        "{}: {} harnesses, {facade} of them empty ones of facades",
        if ok { "passes" } else { "fails" },
        harnesses.len()
    )
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("")
        .to_owned()
}

/// What format 2 wrote: the synced tree without the fields format 3 added
/// for team tools (the naming change does not matter to them).
fn strip_format_3_fields(ws: &Path) -> anyhow::Result<()> {
    for path in files(ws)? {
        let Some(name) = path.file_name() else {
            continue;
        };
        if name != "Cargo.toml" {
            continue;
        }
        let text = fs::read_to_string(&path)?;
        let stripped: String = text
            .lines()
            .filter(|l| {
                !matches!(
                    l.trim(),
                    "license = \"MIT OR Apache-2.0\"" | "test = false" | "doctest = false"
                )
            })
            .map(|l| {
                format!(
                    "{}\n",
                    l.replace(", version = \"0.0.0\", package", ", package")
                )
            })
            .collect();
        fs::write(&path, stripped)?;
    }
    Ok(())
}

fn files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    Ok(out)
}

/// A publishable consumer `app` (root, `kit::core` with a feature, a
/// dev-only `kit::testing`), a private `tool` (`kit::core`) and a
/// publishable `report` that declares only the root `kit` (no facade) and
/// forwards its feature; path declarations carry versions, as a publishable
/// package's must.
fn write_fixture(ws: &Path) -> anyhow::Result<()> {
    if ws.exists() {
        fs::remove_dir_all(ws).context("failed to clear the fixture")?;
    }
    let lib = |name: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             license = \"MIT\"\ndescription = \"{name}\"\n\n[features]\nfast = []\n"
        )
    };
    let files: Vec<(String, String)> = vec![
        (
            "Cargo.toml".into(),
            "[workspace]\nmembers = [\"app\", \"tool\", \"report\", \"crates/*\"]\nresolver = \"2\"\n".into(),
        ),
        (
            "deny.toml".into(),
            "[licenses]\nallow = [\"MIT\", \"Apache-2.0\"]\n\n[bans]\nwildcards = \"deny\"\n".into(),
        ),
        ("crates/kit/Cargo.toml".into(), lib("kit")),
        ("crates/kit/src/lib.rs".into(), "pub const ROOT: u32 = 1;\n".into()),
        ("crates/kit-core/Cargo.toml".into(), lib("kit-core")),
        (
            "crates/kit-core/src/lib.rs".into(),
            "pub fn value() -> u32 { if cfg!(feature = \"fast\") { 2 } else { 3 } }\n".into(),
        ),
        ("crates/kit-testing/Cargo.toml".into(), lib("kit-testing")),
        ("crates/kit-testing/src/lib.rs".into(), "pub const FIXTURE: u32 = 4;\n".into()),
        (
            "app/Cargo.toml".into(),
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             license = \"MIT\"\ndescription = \"A publishable consumer\"\n\n\
             [package.metadata.facade.dependencies]\n\
             kit = { path = \"../crates/kit\", version = \"0.1.0\" }\n\
             \"kit::core\" = { path = \"../crates/kit-core\", version = \"0.1.0\", features = [\"fast\"] }\n\n\
             [package.metadata.facade.dev-dependencies]\n\
             \"kit::testing\" = { path = \"../crates/kit-testing\", version = \"0.1.0\" }\n"
                .into(),
        ),
        (
            "app/src/lib.rs".into(),
            "//! The app.\n\n/// The answer.\n///\n/// ```\n/// assert_eq!(app::answer(), 3);\n/// ```\n\
             pub fn answer() -> u32 { kit::ROOT + kit::core::value() }\n\n\
             #[cfg(test)]\nmod tests {\n    #[test]\n    fn fixture() {\n        \
             assert_eq!(kit::testing::FIXTURE, 4);\n    }\n}\n"
                .into(),
        ),
        (
            "tool/Cargo.toml".into(),
            "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             publish = false\nlicense = \"MIT\"\n\n\
             [package.metadata.facade.dependencies]\n\
             \"kit::core\" = { path = \"../crates/kit-core\", version = \"0.1.0\" }\n"
                .into(),
        ),
        (
            "tool/src/main.rs".into(),
            "fn main() { println!(\"{}\", kit::core::value()); }\n".into(),
        ),
        (
            "report/Cargo.toml".into(),
            "[package]\nname = \"report\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             license = \"MIT\"\ndescription = \"A publishable consumer of the root alone\"\n\n\
             [package.metadata.facade.dependencies]\n\
             kit = { path = \"../crates/kit\", version = \"0.1.0\" }\n\n\
             [package.metadata.facade.features]\nfast = [\"kit/fast\"]\n"
                .into(),
        ),
        (
            "report/src/lib.rs".into(),
            "//! The report.\n\n/// The root's constant.\npub fn root() -> u32 { kit::ROOT }\n".into(),
        ),
    ];
    for (rel, text) in files {
        let path = ws.join(rel);
        fs::create_dir_all(path.parent().expect("a file in a folder"))?;
        fs::write(&path, text).with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(())
}

/// `root_only`: `report`'s managed entry with and without `version`, and
/// the check run on the second.
fn render(
    rows: &[(&Check, Outcome, Outcome)],
    root_only: (&[String], &Check, &Outcome),
    ide: &Editor,
    versions: &[String],
    secs: u64,
) -> String {
    let mut out = String::from("# Team tools on a synced workspace\n\n");
    out.push_str(
        "Written by `cargo xtask team-tools` (`xtask/src/team_tools.rs`): the real tools, \
         installed with `cargo install --locked`, on a synced fixture with a publishable \
         consumer and a private one of a path namespace, a publishable one of the root alone \
         (`report`: no facade, its managed entry is the root crate itself, declared with a \
         `version`, and its `fast` feature forwards `kit/fast`), and an ordinary `deny.toml` \
         (`MIT` and `Apache-2.0` allowed, `wildcards = \"deny\"`), nothing facade-specific. \
         *Before* is the same tree without what facades lacked before format 3 (`license`, \
         `test = false`, `doctest = false`, `version` on managed entries).\n\n",
    );
    let _ = writeln!(out, "Tools: {}.\n", versions.join(", "));
    out.push_str("| tool | command | before | now |\n|---|---|---|---|\n");
    for (check, before, now) in rows {
        let _ = writeln!(
            out,
            "| {} | `cargo {}` | {} | {} |",
            check.tool,
            check.args.join(" "),
            before.text,
            now.text
        );
    }
    out.push_str(
        "\ncargo-hack's `--each-feature` still visits facade features (a facade is a \
         workspace member, its features forward the declared ones): harmlessly, every \
         such build passes; `--ignore-private` skips facades (they are `publish = false`).\n",
    );
    let (entries, check, versionless) = root_only;
    let _ = writeln!(
        out,
        "\n`report` declares only the root, so it has no facade: its managed entry is \
         `{}`, the declaration itself, which the rows above check like any dependency \
         (cargo-hack builds `report` with and without `fast`, which forwards `kit/fast`). \
         Declared without `version`, as a path root may be, the entry is `{}`: \
         `cargo {}` {}.",
        entries[0],
        entries[1],
        check.args.join(" "),
        versionless.text
    );
    let _ = write!(
        out,
        "\n## rust-analyzer\n\n\
         rust-analyzer (`ra_ap_rust-analyzer` {}, built with `cargo +nightly install --locked`): \
         `rust-analyzer diagnostics .` and `analysis-stats .` load the workspace as the language \
         server does, so a namespaced path it could not follow through a facade (or a root entry) \
         shows as an error or an expression of unknown type. The control adds names the packages \
         did not declare: `tool` (which declared only `kit::core`) imports `kit::testing::FIXTURE` \
         and uses `kit::ROOT`, `report` (which declared only the root) imports `kit::core::value`; \
         the editor must refuse them as rustc does.\n\n\
         | tree | errors (`diagnostics`) | expressions of unknown type (`analysis-stats`) | `cargo check` |\n\
         |---|---|---|---|\n",
        crate::rust_analyzer::VERSION
    );
    for (label, (analysis, check)) in [
        ("synced", &ide.synced),
        ("with undeclared names", &ide.undeclared),
    ] {
        let errors = if analysis.errors.is_empty() {
            "none".to_owned()
        } else {
            analysis
                .errors
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = writeln!(
            out,
            "| {label} | {errors} | {} of {} | {} |",
            analysis.unknown, analysis.exprs, check.text
        );
    }
    let _ = writeln!(out, "\nTotal: {secs} s on this machine.");
    out
}
