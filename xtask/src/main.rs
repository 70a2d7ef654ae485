//! This repository's own tasks (matklad's cargo-xtask pattern):
//! `cargo xtask demo` shows the bundled demo's declarations, syncs a
//! scratch copy of it and runs it;
//! `cargo xtask bench` measures `cargo facade` against `cargo metadata`
//! (see `bench.rs`) and writes `BENCHMARKS.md`; `cargo xtask bots` runs
//! real Renovate with the shipped preset and writes `BOTS.md`; `cargo
//! xtask forward` builds ejected workspaces on nightly and writes
//! `FORWARD.md`; `cargo xtask team-tools` runs cargo-deny, cargo-hack and
//! `cargo test` on a synced workspace and writes `TEAM-TOOLS.md`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a task runner talks to its user

mod bench;
mod bots;
mod ecosystem;
mod forward;
mod migrate_real;
mod rust_analyzer;
mod team_tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use facade_engine::shell::{ColorChoice, Shell, Verbosity};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("bench") => bench::run(&repo_root(), &args[1..]),
        Some("migrate-real") => migrate_real::run(&repo_root(), &args[1..]),
        Some("ecosystem") => ecosystem::run(&repo_root(), &args[1..]),
        Some("bots") => bots::run(&repo_root(), &args[1..]),
        Some("forward") => forward::run(&repo_root(), &args[1..]),
        Some("team-tools") => team_tools::run(&repo_root(), &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <demo|bench|migrate-real|ecosystem|bots|forward|team-tools>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is one level below the root")
        .to_owned()
}

/// The three steps a newcomer wants to see, on a scratch copy of
/// `examples/demo` (so the committed demo stays as it is): the
/// declaration, the facade `sync` generates from it, and the programs
/// running through `foo::bar::` paths.
fn demo() -> anyhow::Result<()> {
    // Two levels below the root, as `examples/demo` is: its xtask reaches
    // the engine by a relative path.
    let scratch = repo_root().join("target/demo-workspace");
    let _ = std::fs::remove_dir_all(&scratch);
    copy_tree(&repo_root().join("examples/demo"), &scratch)?;
    // A fresh checkout before its first sync: no facades yet.
    std::fs::remove_dir_all(scratch.join("facades")).context("remove the demo's facades")?;
    let manifest = scratch.join("Cargo.toml");

    let app = std::fs::read_to_string(scratch.join("app/Cargo.toml"))?;
    let declarations = app
        .split("\n\n")
        .find(|part| part.contains("[package.metadata.facade.dependencies]"))
        .context("the demo app declares its namespaces")?;
    println!("1. The declarations (app/Cargo.toml):\n\n{declarations}\n");

    println!("2. `cargo facade sync` generates the facades:\n");
    let mut shell = Shell::stdio(ColorChoice::Auto, Verbosity::Normal);
    let options = facade_engine::Options {
        manifest_path: Some(manifest.clone()),
        ..Default::default()
    };
    let exit = facade_engine::run(
        &facade_engine::Command::Sync {
            dry_run: false,
            upgrade: false,
            packages: Vec::new(),
        },
        &options,
        &mut shell,
    );
    if exit != facade_engine::Exit::Success {
        bail!("`cargo facade sync` on the demo failed");
    }
    let app = std::fs::read_to_string(scratch.join("app/Cargo.toml"))?;
    let entry = app
        .lines()
        .find(|line| line.starts_with("foo = { path = \"../facades/"))
        .context("the managed entry of `foo`")?;
    let facade = entry
        .split('"')
        .nth(1)
        .context("the managed entry's path")?;
    let lib = std::fs::read_to_string(scratch.join("app").join(facade).join("src/lib.rs"))?;
    let facade = facade.trim_start_matches("../");
    println!("\napp/Cargo.toml now has\n\n{entry}\n\nand {facade}/src/lib.rs is\n\n{lib}");

    println!("3. The programs, written with `foo::bar::` paths:\n");
    let target = repo_root().join("target/demo");
    for bin in ["app", "tool"] {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["run", "--quiet", "--package", bin, "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .with_context(|| format!("failed to run `cargo run -p {bin}`"))?;
        if !status.success() {
            bail!("`cargo run -p {bin}` in the demo failed");
        }
    }
    Ok(())
}

/// Copies a folder, without its `target/`.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name() == "target" {
            continue;
        }
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)
                .with_context(|| format!("copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
