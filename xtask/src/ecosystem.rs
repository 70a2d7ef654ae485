//! `cargo xtask ecosystem [CASE…]`: RFC 3243's root/child rule on real crate
//! families from the registry (needs the network, so not in the default
//! suite, whose offline twins live in `tests/testsuite/conflicts.rs`).
//!
//! Each case is a one-member workspace under `target/ecosystem/<case>`
//! declaring a root and children with ordinary registry versions. The case
//! states what the RFC requires (refused, naming the root's item, or built
//! and run); the task runs the real `cargo-facade sync`, then `cargo run`,
//! and records what happened. Run without arguments it writes
//! `ECOSYSTEM.md`; with case names it only prints their rows.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// What RFC 3243 requires of a case.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Refused before writing, the error naming the root's item `name`.
    Refused(&'static str),
    /// Refused before writing, the error saying this (a rule of the plan,
    /// or a message other than "has its own `x`").
    RefusedSaying(&'static str),
    /// Syncs, builds and prints this line.
    Runs(&'static str),
}

/// What the emulated ownership rule must say of the case's registry
/// children (RFC 3243: "Only the owners of foo may create the foo::bar
/// crate"), judged by owners, not repository strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owners {
    /// Every child has its root's owner: no warning.
    Same,
    /// A child of another owner: a warning.
    Foreign,
}

#[derive(Debug)]
struct Case {
    id: &'static str,
    family: &'static str,
    /// Lines of `[package.metadata.facade.dependencies]`.
    declarations: &'static str,
    main: &'static str,
    /// Why, in the RFC's terms.
    why: &'static str,
    expect: Expect,
    owners: Owners,
}

const CASES: &[Case] = &[
    Case {
        id: "tokio-stream",
        family: "tokio",
        declarations: "tokio = \"1\"\n\"tokio::stream\" = { version = \"0.1\", package = \"tokio-stream\" }\n",
        main: "fn main() {}\n",
        why: "tokio has its own `pub mod stream {}` (a plain item), not a re-export of tokio-stream",
        owners: Owners::Same,
        expect: Expect::Refused("stream"),
    },
    Case {
        id: "tokio-util",
        family: "tokio",
        declarations: "tokio = \"1\"\n\"tokio::util\" = { version = \"0.7\", package = \"tokio-util\" }\n",
        main: "fn main() {\n    let token = tokio::util::sync::CancellationToken::new();\n    println!(\"cancelled: {}\", token.is_cancelled());\n}\n",
        why: "tokio's `util` is private (`mod util;`): no public item takes the name",
        owners: Owners::Same,
        expect: Expect::Runs("cancelled: false"),
    },
    Case {
        id: "tokio-sync-on",
        family: "tokio",
        declarations: "tokio = { version = \"1\", features = [\"sync\"] }\n\"tokio::sync\" = { version = \"0.1\", package = \"tokio-stream\" }\n",
        main: "fn main() {}\n",
        why: "a synthetic child named `sync`: tokio makes `pub mod sync` inside `cfg_sync! { … }` (macro-made); tokio-stream itself enables tokio's `sync`, so with unified features the module exists",
        owners: Owners::Same,
        expect: Expect::Refused("sync"),
    },
    Case {
        id: "tokio-sync-off",
        family: "tokio",
        declarations: "tokio = \"1\"\n\"tokio::sync\" = { version = \"2\", package = \"tokio-macros\" }\n",
        main: "fn main() {\n    println!(\"no sync module\");\n}\n",
        why: "a synthetic child named `sync` that, unlike tokio-stream, does not enable tokio's `sync` feature: the macro-made module is cfg'd out",
        owners: Owners::Same,
        expect: Expect::Runs("no sync module"),
    },
    Case {
        id: "tokio-rootless",
        family: "tokio",
        declarations: "\"tokio::util\" = { version = \"0.7\", package = \"tokio-util\" }\n",
        main: "fn main() {\n    let token = tokio::util::sync::CancellationToken::new();\n    println!(\"cancelled: {}\", token.is_cancelled());\n}\n",
        why: "a root-less namespace while the real tokio is in the graph (tokio-util depends on it): nothing to conflict with",
        owners: Owners::Same,
        expect: Expect::Runs("cancelled: false"),
    },
    Case {
        id: "futures-executor",
        family: "futures",
        declarations: "futures = \"0.3\"\n\"futures::executor\" = { version = \"0.3\", package = \"futures-executor\" }\n",
        main: "fn main() {}\n",
        why: "futures' default features include `executor`, which enables its own `pub mod executor { … }`",
        owners: Owners::Same,
        expect: Expect::Refused("executor"),
    },
    Case {
        id: "futures-executor-off",
        family: "futures",
        declarations: "futures = { version = \"0.3\", default-features = false, features = [\"std\"] }\n\"futures::executor\" = { version = \"0.3\", package = \"futures-executor\" }\n",
        main: "fn main() {\n    println!(\"{}\", futures::executor::block_on(async { 6 * 7 }));\n}\n",
        why: "without the root's `executor` feature its `executor` module is absent",
        owners: Owners::Same,
        expect: Expect::Runs("42"),
    },
    Case {
        id: "futures-channel",
        family: "futures",
        declarations: "futures = \"0.3\"\n\"futures::channel\" = { version = \"0.3\", package = \"futures-channel\" }\n",
        main: "fn main() {\n    let (tx, rx) = futures::channel::oneshot::channel::<u8>();\n    tx.send(7).unwrap();\n    println!(\"{}\", futures::executor::block_on(rx).unwrap());\n}\n",
        why: "futures' `channel` is `pub use futures_channel as channel;`, the child re-exported",
        owners: Owners::Same,
        expect: Expect::Runs("7"),
    },
    Case {
        id: "icu-components",
        family: "icu",
        declarations: "icu = \"2\"\n\"icu::locale\" = { version = \"2\", package = \"icu_locale\" }\n\"icu::collections\" = { version = \"2\", package = \"icu_collections\" }\n",
        main: "fn main() {\n    let locale: icu::locale::Locale = \"en-US\".parse().unwrap();\n    let _ = core::any::type_name::<icu::collections::codepointinvlist::CodePointInversionList>();\n    println!(\"{locale}\");\n}\n",
        why: "icu re-exports its components (`pub use icu_locale as locale;`): the same crate, no conflict",
        owners: Owners::Same,
        expect: Expect::Runs("en-US"),
    },
    Case {
        id: "serde-json-derive",
        family: "serde",
        declarations: "serde = \"1\"\n\"serde::json\" = { version = \"1\", package = \"serde_json\" }\n\"serde::derive\" = { version = \"1\", package = \"serde_derive\" }\n",
        main: "#[derive(serde::derive::Serialize)]\nstruct Point {\n    x: u8,\n}\n\nfn main() {\n    println!(\"{}\", serde::json::to_string(&Point { x: 1 }).unwrap());\n}\n",
        why: "serde has no `json` or `derive` item; a derive from a proc-macro child through the facade",
        owners: Owners::Same,
        expect: Expect::Runs("{\"x\":1}"),
    },
    Case {
        id: "serde-de",
        family: "serde",
        declarations: "serde = \"1\"\n\"serde::de\" = { version = \"1\", package = \"serde_core\" }\n",
        main: "fn main() {}\n",
        why: "serde's `de` is serde_core's module `de` (re-exported inside the `crate_root!` macro), not the crate serde_core",
        owners: Owners::Same,
        expect: Expect::Refused("de"),
    },
    Case {
        id: "clap-complete-derive",
        family: "clap",
        declarations: "clap = \"4\"\n\"clap::complete\" = { version = \"4\", package = \"clap_complete\" }\n\"clap::derive\" = { version = \"4\", package = \"clap_derive\" }\n",
        main: "#[derive(clap::derive::Parser)]\nstruct Args {\n    #[arg(long)]\n    n: u8,\n}\n\nfn main() {\n    let args = <Args as clap::Parser>::parse_from([\"x\", \"--n\", \"3\"]);\n    let mut command = <Args as clap::CommandFactory>::command();\n    clap::complete::generate(clap::complete::Shell::Bash, &mut command, \"x\", &mut std::io::sink());\n    println!(\"n = {}\", args.n);\n}\n",
        why: "clap's `derive` in clap_builder is private and `pub use clap_derive::{self, …}` binds `clap_derive`, not `derive`",
        owners: Owners::Same,
        expect: Expect::Runs("n = 3"),
    },
    Case {
        id: "clap-builder",
        family: "clap",
        declarations: "clap = \"4\"\n\"clap::builder\" = { version = \"4\", package = \"clap_builder\" }\n",
        main: "fn main() {}\n",
        why: "clap's `pub use clap_builder::*;` brings clap_builder's module `builder` (glob-made), not the crate clap_builder",
        owners: Owners::Same,
        expect: Expect::Refused("builder"),
    },
    Case {
        id: "rand-core",
        family: "rand",
        declarations: "rand = \"0.10\"\n\"rand::core\" = { version = \"0.10\", package = \"rand_core\" }\n",
        main: "fn seeded<R: rand::core::SeedableRng>() -> &'static str {\n    core::any::type_name::<R::Seed>()\n}\n\nfn main() {\n    let _ = seeded::<rand::rngs::StdRng>;\n    println!(\"rand::core works\");\n}\n",
        why: "rand has no `core` item (`pub use rand_core;` binds `rand_core`); a child named like the built-in crate `core`",
        owners: Owners::Same,
        expect: Expect::Runs("rand::core works"),
    },
    Case {
        id: "tokio-test",
        family: "tokio",
        declarations: "tokio = { version = \"1\", features = [\"macros\", \"rt\"] }\n\"tokio::test\" = { version = \"0.4\", package = \"tokio-test\" }\n",
        main: "fn main() {\n    println!(\"{}\", tokio::test::block_on(async { 6 * 7 }));\n}\n\n#[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn the_root_macro_beside_the_child_module() {}\n}\n",
        why: "tokio's `test` is an attribute *macro* (`#[tokio::test]`), named like the built-in `#[test]`; the child is a *module*: another namespace, so both resolve",
        owners: Owners::Same,
        expect: Expect::Runs("42"),
    },
    Case {
        id: "icu-collections-v1",
        family: "icu",
        declarations: "icu = \"2\"\n\"icu::collections\" = { version = \"1\", package = \"icu_collections\" }\n",
        main: "fn main() {}\n",
        why: "icu 2 re-exports `icu_collections` v2 as `collections`; the declaration asks for v1, another crate",
        owners: Owners::Same,
        expect: Expect::RefusedSaying("re-exports `icu_collections` v2."),
    },
    Case {
        id: "wasm-bindgen-futures",
        family: "wasm-bindgen",
        declarations: "wasm-bindgen = \"0.2\"\n\"wasm-bindgen::futures\" = { version = \"0.4\", package = \"wasm-bindgen-futures\" }\n",
        main: "fn main() {\n    let name = core::any::type_name::<wasm_bindgen::futures::JsFuture>();\n    println!(\"{}\", name.rsplit(\"::\").next().unwrap());\n}\n",
        why: "wasm-bindgen has no `futures` item; the child's `repository` is the root's repository with a `/tree/master/crates/futures` suffix, so no ownership warning",
        owners: Owners::Same,
        expect: Expect::Runs("JsFuture"),
    },
    Case {
        id: "wasm-bindgen-spelling",
        family: "wasm-bindgen",
        declarations: "wasm-bindgen = \"0.2\"\n\"wasm_bindgen::futures\" = { version = \"0.4\", package = \"wasm-bindgen-futures\" }\n",
        main: "fn main() {}\n",
        why: "one namespace spelled `wasm-bindgen` and `wasm_bindgen`: both would be crate `wasm_bindgen` (two facades, E0464)",
        owners: Owners::Same,
        expect: Expect::RefusedSaying("spells the namespace `wasm-bindgen` as `wasm_bindgen`"),
    },
    Case {
        id: "serde-case",
        family: "serde",
        declarations: "serde = \"1\"\n\"Serde::json\" = { version = \"1\", package = \"serde_json\" }\n",
        main: "fn main() {}\n",
        why: "`Serde` beside `serde`: package names differ only by case, one namespace",
        owners: Owners::Same,
        expect: Expect::RefusedSaying("spells the namespace `serde` as `Serde`"),
    },
    Case {
        id: "serde-xml",
        family: "serde",
        declarations: "serde = \"1\"\n\"serde::xml\" = { version = \"0.8\", package = \"serde-xml-rs\" }\n",
        main: "fn main() {\n    let name = core::any::type_name::<serde::xml::Error>();\n    println!(\"{}\", name.rsplit(\"::\").next().unwrap());\n}\n",
        why: "serde has no `xml` item; serde-xml-rs is a third-party plugin (RFC 3243's own example) of another owner: it builds",
        owners: Owners::Foreign,
        expect: Expect::Runs("Error"),
    },
];

/// One case's outcome.
#[derive(Debug)]
struct Outcome {
    did: String,
    agrees: bool,
    /// `cargo facade check` on the synced tree, then `cargo build` if it said 0.
    fresh_build: String,
    /// Each ownership verdict (what was compared), and the warnings.
    owners: Vec<String>,
    sync_time: Duration,
    noop_time: Option<Duration>,
    /// Facades `sync` wrote (none where the root presents every declared
    /// child itself); `None` where it refused.
    facades: Option<usize>,
}

/// The facade manifests below `<dir>/facades` (`<root>/<label>/Cargo.toml`).
fn facades_in(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("facades"))
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|root| {
            std::fs::read_dir(root.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .filter(|facade| facade.path().join("Cargo.toml").is_file())
        .count()
}

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let selected: Vec<&Case> = CASES
        .iter()
        .filter(|c| args.is_empty() || args.iter().any(|a| a == c.id || a == c.family))
        .collect();
    if selected.is_empty() {
        let ids: Vec<&str> = CASES.iter().map(|c| c.id).collect();
        bail!("no such case; cases: {}", ids.join(", "));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--quiet", "--package", "cargo-facade"])
        .current_dir(root)
        .status()
        .context("failed to build cargo-facade")?;
    if !status.success() {
        bail!("building cargo-facade failed");
    }
    let binary = root.join("target/debug/cargo-facade");
    let started = Instant::now();
    let mut rows = Vec::new();
    for case in selected {
        eprintln!("=== {} ({})", case.id, case.family);
        let outcome = run_case(root, &binary, &cargo, case)?;
        eprintln!(
            "    {} — {}",
            if outcome.agrees {
                "as the RFC says"
            } else {
                "DIFFERS"
            },
            outcome.did
        );
        rows.push((case, outcome));
    }
    let table = table(&rows);
    println!("{table}");
    if args.is_empty() {
        let text = document(&table, &rows, started.elapsed(), root);
        std::fs::write(root.join("ECOSYSTEM.md"), text).context("failed to write ECOSYSTEM.md")?;
        eprintln!("wrote ECOSYSTEM.md");
    }
    if rows.iter().any(|(_, o)| !o.agrees) {
        bail!("some cases differ from what RFC 3243 requires");
    }
    Ok(())
}

fn run_case(root: &Path, binary: &Path, cargo: &str, case: &Case) -> anyhow::Result<Outcome> {
    let dir = root.join("target/ecosystem").join(case.id);
    // A fresh tree, and a cold probe (its verdicts and its target folder go);
    // the case's own build artifacts stay, to make reruns quicker.
    for stale in ["facades", "app", "Cargo.lock", "target/cargo-facade"] {
        let path = dir.join(stale);
        if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else if path.exists() {
            std::fs::remove_file(&path)
        } else {
            Ok(())
        }
        .with_context(|| format!("failed to clear `{}`", path.display()))?;
    }
    std::fs::create_dir_all(dir.join("app/src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"app\"]\nresolver = \"3\"\n",
    )?;
    std::fs::write(
        dir.join("app/Cargo.toml"),
        format!(
            "[package]\nname = \"eco-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [package.metadata.facade.dependencies]\n{}",
            case.declarations
        ),
    )?;
    std::fs::write(dir.join("app/src/main.rs"), case.main)?;

    let facade = |subcommand: &str| {
        let started = Instant::now();
        let mut args = vec!["facade", subcommand];
        if subcommand == "sync" {
            // `-v` prints each ownership verdict with what was compared.
            args.push("-v");
        }
        let output = Command::new(binary)
            .args(&args)
            .current_dir(&dir)
            .env("CARGO_TERM_COLOR", "never")
            .output();
        (output, started.elapsed())
    };
    let (sync, sync_time) = facade("sync");
    let sync = sync.context("failed to run cargo-facade")?;
    let stderr = String::from_utf8_lossy(&sync.stderr).into_owned();
    let files_left = dir.join("facades").exists() || dir.join("Cargo.lock").exists();
    if !sync.status.success() {
        let title = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("error without a message")
            .to_owned();
        let place = stderr
            .lines()
            .find(|l| l.trim_start().starts_with("-->"))
            .map(|l| shorten(l.trim_start().trim_start_matches("--> ")))
            .unwrap_or_default();
        let did = format!(
            "refused{}: {}{}",
            if files_left { " (but left files)" } else { "" },
            title.trim_start_matches("error: "),
            if place.is_empty() {
                String::new()
            } else {
                format!(" at `{place}`")
            }
        );
        let (check, _) = facade("check");
        let check = check.context("failed to run cargo-facade")?;
        let check_code = check.status.code().unwrap_or(-1);
        let agrees = !files_left
            && check_code == 2
            && match case.expect {
                Expect::Refused(item) => title.contains(&format!("own `{item}`")),
                Expect::RefusedSaying(text) => title.contains(text),
                Expect::Runs(_) => false,
            };
        return Ok(Outcome {
            did,
            agrees,
            fresh_build: format!("refused: `check` exits {check_code}"),
            owners: vec!["not reached (refused first)".to_owned()],
            sync_time,
            noop_time: None,
            facades: None,
        });
    }
    let owners: Vec<String> = stderr
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("Ownership ")
                .map(|verdict| verdict.to_owned())
                .or_else(|| {
                    l.starts_with("warning:")
                        .then(|| l.contains("owner"))
                        .filter(|owner| *owner)
                        .map(|_| format!("**{l}**"))
                })
        })
        .collect();
    let warned = owners.iter().any(|o| o.starts_with("**warning"));
    let owners_agree = warned == (case.owners == Owners::Foreign);
    let (_, noop_time) = facade("sync");
    let (check, _) = facade("check");
    let check_code = check
        .context("failed to run cargo-facade")?
        .status
        .code()
        .unwrap_or(-1);
    let (fresh_build, built) = if check_code == 0 {
        let build = Command::new(cargo)
            .args(["build", "--quiet", "--package", "eco-app"])
            .current_dir(&dir)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .context("failed to run `cargo build`")?;
        if build.status.success() {
            ("`check` 0, `cargo build` ok".to_owned(), true)
        } else {
            let err = String::from_utf8_lossy(&build.stderr);
            let first = err
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or("failed");
            (
                format!("`check` 0, `cargo build` **failed**: {first}"),
                false,
            )
        }
    } else {
        (format!("`check` exits {check_code} after `sync`"), false)
    };
    let run = Command::new(cargo)
        .args(["run", "--quiet", "--package", "eco-app"])
        .current_dir(&dir)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .context("failed to run `cargo run`")?;
    let stdout = String::from_utf8_lossy(&run.stdout).trim().to_owned();
    let (did, agrees) = if run.status.success() {
        (
            format!("built and ran: `{stdout}`"),
            matches!(case.expect, Expect::Runs(line) if stdout == line) && built && owners_agree,
        )
    } else {
        let run_err = String::from_utf8_lossy(&run.stderr);
        let first = run_err
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("failed")
            .to_owned();
        (format!("synced, then the build failed: {first}"), false)
    };
    Ok(Outcome {
        did,
        agrees,
        fresh_build,
        owners: if owners.is_empty() {
            vec!["no registry child beside a root".to_owned()]
        } else {
            owners
        },
        sync_time,
        noop_time: Some(noop_time),
        facades: Some(facades_in(&dir)),
    })
}

/// A registry path without the machine's home: `…/tokio-1.48.0/src/lib.rs:687:9`.
fn shorten(place: &str) -> String {
    match place.find("/registry/src/") {
        Some(at) => {
            let rest = &place[at + "/registry/src/".len()..];
            rest.split_once('/')
                .map_or(rest, |(_, tail)| tail)
                .to_owned()
        }
        None => place.to_owned(),
    }
}

fn table(rows: &[(&Case, Outcome)]) -> String {
    let mut out = String::from(
        "| family | case | declarations | RFC 3243 requires | cargo-facade did | `cargo build` after a fresh `check` | ownership (what was compared) | agrees | facades | sync (cold / no-op) |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for (case, outcome) in rows {
        let requires = match case.expect {
            Expect::Refused(item) => format!("refused, naming the root's `{item}`: {}", case.why),
            Expect::RefusedSaying(text) => format!("refused, saying \"{text}\": {}", case.why),
            Expect::Runs(line) => format!("builds and runs (`{line}`): {}", case.why),
        };
        let owners = match case.owners {
            Owners::Same => "",
            Owners::Foreign => " (an ownership warning: another owner)",
        };
        let declarations: Vec<String> = case
            .declarations
            .lines()
            .map(|l| format!("`{}`", l.replace('|', "\\|")))
            .collect();
        let timing = match outcome.noop_time {
            Some(noop) => format!(
                "{:.1} s / {:.0} ms",
                outcome.sync_time.as_secs_f64(),
                noop.as_secs_f64() * 1000.0
            ),
            None => format!("{:.1} s", outcome.sync_time.as_secs_f64()),
        };
        let facades = match outcome.facades {
            None => "—".to_owned(),
            Some(0) => "0 (the root's own entry)".to_owned(),
            Some(n) => n.to_string(),
        };
        out.push_str(&format!(
            "| {} | `{}` | {} | {}{owners} | {} | {} | {} | {} | {facades} | {} |\n",
            case.family,
            case.id,
            declarations.join("<br>"),
            requires,
            outcome.did.replace('|', "\\|"),
            outcome.fresh_build.replace('|', "\\|"),
            outcome.owners.join("<br>").replace('|', "\\|"),
            if outcome.agrees { "yes" } else { "**no**" },
            timing
        ));
    }
    out
}

fn document(table: &str, rows: &[(&Case, Outcome)], elapsed: Duration, root: &Path) -> String {
    let rustc = Command::new("rustc")
        .arg("-V")
        .current_dir(root)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let agree = rows.iter().filter(|(_, o)| o.agrees).count();
    let synced: Vec<usize> = rows.iter().filter_map(|(_, o)| o.facades).collect();
    let elided = synced.iter().filter(|n| **n == 0).count();
    let families: std::collections::BTreeSet<&str> = rows.iter().map(|(c, _)| c.family).collect();
    format!(
        "# RFC 3243 on real crates\n\n\
         Generated by `cargo xtask ecosystem` (needs the registry; {elapsed:.0} s, {rustc}). \
         Re-run it to refresh this file; `cargo xtask ecosystem CASE…` runs a few cases without writing it.\n\n\
         Each case is a fresh workspace with one member declaring a root and children from the registry \
         under `[package.metadata.facade.dependencies]`. The rule: \"If users import both foo and foo::bar \
         but foo also has a bar item in its API that isn't just foo::bar re-exported, then rustc will error\" \
         (RFC 3243) — cargo-facade must refuse such a declaration before writing anything, naming the root's \
         item, and build everything else. \"sync (cold)\" includes the compiler probe's first `cargo check` \
         of the root; \"no-op\" is the second `sync`, which reuses the cached verdict.\n\n\
         Beyond that rule: a name lives in three namespaces (a root *macro* `test` does not hide a child \
         *module* `test`); one namespace spelled two ways (`-`/`_`, case) is refused; a root that re-exports \
         another version of the child is refused saying so. \"`cargo build` after a fresh `check`\" runs \
         `cargo facade check` on the synced tree and, when it exits 0, `cargo build`: `check` 0 must mean \
         the facades compile. \"ownership\" is every verdict of the emulated rule \"Only the owners of foo \
         may create the foo::bar crate\", as `sync -v` prints it: the code host and owner of the \
         `repository`, `homepage` and `documentation` URLs of both manifests, normalised (the registry's \
         owner lists are not looked at); a warning is in bold.\n\n\
         \"facades\" counts the facades `sync` wrote: none where the root re-exports every declared \
         child as itself and the member asks the child for nothing more (the managed entry is the root \
         crate; format 5).\n\n\
         Families: {}. {agree} of {} cases agree with the RFC. Of the {} cases that sync, {} need \
         their facade and {elided} need none.\n\n{table}",
        families.into_iter().collect::<Vec<_>>().join(", "),
        rows.len(),
        synced.len(),
        synced.len() - elided,
        elapsed = elapsed.as_secs_f64(),
    )
}
