//! `cargo xtask forward`: does code written against facades build natively
//! once the toolchain implements RFC 3243? Each case is a small workspace
//! whose consumer declares namespaced path crates and prints through
//! `foo::bar::` paths. Under `target/forward/<case>`:
//!
//! 1. `cargo facade sync`, then the consumer runs on stable (the reference
//!    output);
//! 2. `cargo facade eject` (declarations back in the real tables in RFC
//!    syntax, `package` kept where it differs from the declared name), the
//!    consumer's manifest gains `cargo-features = ["open-namespaces"]`, and
//!    `cargo +nightly run` with `-Z namespaced-crates` runs the unchanged
//!    sources; the output must be the same;
//! 3. where nightly does not build it, the same crates are compiled with
//!    `rustc +nightly` alone (`--extern ns::child=…`), the minimal
//!    reproduction of the toolchain's side, and its first error is kept.
//!
//! Needs a nightly toolchain (`rustup toolchain install nightly`); no
//! network. The table goes to stdout and to `FORWARD.md`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context as _, bail};
use facade_engine::shell::{ColorChoice, Shell, Verbosity};

/// A crate of a case: the name the consumer declares, its package, its
/// library source.
struct Crate {
    declared: &'static str,
    package: &'static str,
    lib: &'static str,
}

/// One eject case.
struct Case {
    name: &'static str,
    what: &'static str,
    crates: &'static [Crate],
    main: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "child",
        what: "one root-less child",
        crates: &[Crate {
            declared: "ns::child",
            package: "ns-child",
            lib: "pub fn hi() -> &'static str { \"hi from ns::child\" }\n",
        }],
        main: "fn main() { println!(\"{}\", ns::child::hi()); }\n",
    },
    Case {
        name: "children",
        what: "two root-less children, one imported with `use ns::a`",
        crates: &[
            Crate {
                declared: "ns::a",
                package: "ns-a",
                lib: "pub fn a() -> u32 { 1 }\n",
            },
            Crate {
                declared: "ns::b",
                package: "ns-b",
                lib: "pub fn b() -> u32 { 2 }\n",
            },
        ],
        main: "use ns::a;\nfn main() { println!(\"{}\", a::a() + ns::b::b()); }\n",
    },
    Case {
        name: "macro-child",
        what: "a child's `macro_rules!` macro through its path",
        crates: &[Crate {
            declared: "ns::mac",
            package: "ns-mac",
            lib: "#[macro_export]\nmacro_rules! hello { () => { \"hello from ns::mac\" } }\n",
        }],
        main: "fn main() { println!(\"{}\", ns::mac::hello!()); }\n",
    },
    Case {
        name: "root+child",
        what: "a root crate `ns` and its child",
        crates: &[
            Crate {
                declared: "ns",
                package: "ns",
                lib: "pub fn root() -> &'static str { \"root ns\" }\n",
            },
            Crate {
                declared: "ns::child",
                package: "ns-child",
                lib: "pub fn hi() -> &'static str { \"hi from ns::child\" }\n",
            },
        ],
        main: "fn main() { println!(\"{} {}\", ns::root(), ns::child::hi()); }\n",
    },
];

/// What one case gave.
struct Outcome {
    stable: Result<String, String>,
    nightly: Result<String, String>,
    /// The `rustc`-only reproduction, when nightly cargo did not build it.
    repro: Option<(String, String)>,
}

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask forward");
    }
    let version = output(Command::new("rustc").args(["+nightly", "--version"]))
        .context("no nightly toolchain: `rustup toolchain install nightly`")?;
    let base = root.join("target/forward");
    let mut rows = Vec::new();
    for case in CASES {
        eprintln!("forward: {}", case.name);
        let dir = base.join(case.name.replace('+', "-"));
        rows.push((case, run_case(case, &dir)?));
    }
    let report = report(version.trim(), &rows);
    print!("{report}");
    fs::write(root.join("FORWARD.md"), report).context("write FORWARD.md")?;
    Ok(())
}

fn run_case(case: &Case, dir: &Path) -> anyhow::Result<Outcome> {
    let _ = fs::remove_dir_all(dir);
    write_workspace(case, dir)?;
    let manifest = dir.join("Cargo.toml");
    facade(
        &manifest,
        facade_engine::Command::Sync {
            dry_run: false,
            upgrade: false,
            packages: Vec::new(),
        },
    )?;
    let stable = cargo_run(dir, false);
    facade(&manifest, facade_engine::Command::Eject { dry_run: false })?;
    let app = dir.join("app/Cargo.toml");
    let ejected = fs::read_to_string(&app)?;
    fs::write(
        &app,
        format!("cargo-features = [\"open-namespaces\"]\n\n{ejected}"),
    )?;
    let nightly = cargo_run(dir, true);
    let repro = match &nightly {
        Ok(out) if Ok(out) == stable.as_ref() => None,
        _ => Some(rustc_repro(case, &dir.join("rustc"))?),
    };
    Ok(Outcome {
        stable,
        nightly,
        repro,
    })
}

fn write_workspace(case: &Case, dir: &Path) -> anyhow::Result<()> {
    let mut members = vec!["\"app\"".to_owned()];
    let mut decls = String::new();
    for krate in case.crates {
        members.push(format!("{:?}", krate.package));
        write(
            &dir.join(krate.package).join("Cargo.toml"),
            &format!(
                "[package]\nname = {:?}\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                krate.package
            ),
        )?;
        write(&dir.join(krate.package).join("src/lib.rs"), krate.lib)?;
        // As a user writes them: a path child's package is read from its
        // manifest, so no `package` key.
        let _ = writeln!(
            decls,
            "{:?} = {{ path = \"../{}\" }}",
            krate.declared, krate.package
        );
    }
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            members.join(", ")
        ),
    )?;
    write(
        &dir.join("app/Cargo.toml"),
        &format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [package.metadata.facade.dependencies]\n{decls}"
        ),
    )?;
    write(&dir.join("app/src/main.rs"), case.main)
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    fs::create_dir_all(path.parent().expect("a file in a folder"))?;
    fs::write(path, text).with_context(|| format!("write {}", path.display()))
}

fn facade(manifest: &Path, command: facade_engine::Command) -> anyhow::Result<()> {
    let mut shell = Shell::stdio(ColorChoice::Never, Verbosity::Quiet);
    let options = facade_engine::Options {
        manifest_path: Some(manifest.to_owned()),
        ..Default::default()
    };
    if facade_engine::run(&command, &options, &mut shell) != facade_engine::Exit::Success {
        bail!("`cargo facade` failed on {}", manifest.display());
    }
    Ok(())
}

/// `cargo run -q -p app`, on stable or on nightly with `-Z namespaced-crates`.
fn cargo_run(dir: &Path, nightly: bool) -> Result<String, String> {
    let mut command = Command::new("cargo");
    if nightly {
        command
            .arg("+nightly")
            .env("RUSTFLAGS", "-Z namespaced-crates");
    }
    command
        .args(["run", "-q", "-p", "app"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN");
    output(&mut command).map_err(|err| first_error(&format!("{err:#}")))
}

/// The case's crates compiled by `rustc +nightly` alone: each library,
/// then the consumer with one `--extern` per declared name. Returns the
/// commands and what rustc said.
fn rustc_repro(case: &Case, dir: &Path) -> anyhow::Result<(String, String)> {
    fs::create_dir_all(dir)?;
    let mut script = String::new();
    let mut externs = Vec::new();
    for krate in case.crates {
        let crate_name = krate.package.replace('-', "_");
        let source = format!("{crate_name}.rs");
        fs::write(dir.join(&source), krate.lib)?;
        let args = [
            "+nightly",
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "--crate-name",
            &crate_name,
            &source,
        ];
        let _ = writeln!(script, "rustc {}", args.join(" "));
        output(Command::new("rustc").args(args).current_dir(dir))
            .map_err(|err| anyhow::anyhow!("{err:#}"))
            .with_context(|| format!("rustc on {source}"))?;
        externs.push(format!("--extern={}=lib{crate_name}.rlib", krate.declared));
    }
    fs::write(dir.join("main.rs"), case.main)?;
    let mut args = vec![
        "+nightly".to_owned(),
        "-Zunstable-options".to_owned(),
        "-Znamespaced-crates".to_owned(),
        "--edition".to_owned(),
        "2021".to_owned(),
    ];
    args.extend(externs);
    args.push("main.rs".to_owned());
    let _ = writeln!(script, "rustc {}", args.join(" "));
    let said = match output(Command::new("rustc").args(&args).current_dir(dir)) {
        Ok(_) => "builds".to_owned(),
        Err(err) => first_error(&format!("{err:#}")),
    };
    Ok((script, said))
}

/// A process's stdout, or its stderr as the error.
fn output(command: &mut Command) -> anyhow::Result<String> {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().context("spawn")?;
    if status.success() {
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    } else {
        bail!("{}", String::from_utf8_lossy(&stderr))
    }
}

/// The first `error` of a compiler's output with its location line.
fn first_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    match lines.iter().position(|l| l.starts_with("error")) {
        Some(at) => lines[at..]
            .iter()
            .take(2)
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" "),
        None => stderr.lines().next().unwrap_or("").to_owned(),
    }
}

fn report(version: &str, rows: &[(&Case, Outcome)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Forward compatibility (`cargo xtask forward`)\n\n\
         Each case is synced and run through facades on stable, ejected (RFC 3243\n\
         syntax in the real tables, `package` kept), then built with unchanged\n\
         sources by `cargo +nightly` (`cargo-features = [\"open-namespaces\"]`,\n\
         `-Z namespaced-crates`). Toolchain: `{version}`.\n"
    );
    let _ = writeln!(
        out,
        "| case | shape | stable (facades) | nightly, ejected | native |\n| --- | --- | --- | --- | --- |"
    );
    let cell = |r: &Result<String, String>| match r {
        Ok(out) => format!("`{}`", out.trim()),
        Err(err) => format!("fails: {}", err.replace('|', "\\|")),
    };
    for (case, outcome) in rows {
        let native = matches!((&outcome.stable, &outcome.nightly), (Ok(a), Ok(b)) if a == b);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            case.name,
            case.what,
            cell(&outcome.stable),
            cell(&outcome.nightly),
            if native { "yes" } else { "no" }
        );
    }
    for (case, outcome) in rows {
        let Some((script, said)) = &outcome.repro else {
            continue;
        };
        let _ = writeln!(
            out,
            "\n## {}: the toolchain's side\n\nThe same crates with `rustc` alone:\n\n```sh\n{script}```\n\nrustc: {said}",
            case.name
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_keeps_the_message_and_its_place() {
        let stderr = "warning: x\nerror[E0433]: failed to resolve\n --> main.rs:1:2\n  |\n";
        assert_eq!(
            first_error(stderr),
            "error[E0433]: failed to resolve --> main.rs:1:2"
        );
    }
}
