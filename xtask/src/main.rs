//! This repository's own tasks (matklad's cargo-xtask pattern):
//! `cargo xtask demo` syncs and runs the bundled demo workspace;
//! `cargo xtask bench` measures `cargo facade` against `cargo metadata`
//! (see `bench.rs`) and writes `BENCHMARKS.md`; `cargo xtask bots` runs
//! real Renovate with the shipped preset and writes `BOTS.md`; `cargo xtask
//! team-tools` runs cargo-deny, cargo-hack and `cargo test` on a synced
//! workspace and writes `TEAM-TOOLS.md`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a task runner talks to its user

mod bench;
mod bots;
mod ecosystem;
mod migrate_real;
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
        Some("team-tools") => team_tools::run(&repo_root(), &args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <demo|bench|migrate-real|ecosystem|bots|team-tools>");
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

/// Syncs `examples/demo` with the engine, then builds and runs its binaries.
fn demo() -> anyhow::Result<()> {
    let demo = repo_root().join("examples/demo");
    let manifest = demo.join("Cargo.toml");
    let mut shell = Shell::stdio(ColorChoice::Auto, Verbosity::Normal);
    let options = facade_engine::Options {
        manifest_path: Some(manifest.clone()),
        ..Default::default()
    };
    let exit = facade_engine::run(
        &facade_engine::Command::Sync {
            dry_run: false,
            upgrade: false,
        },
        &options,
        &mut shell,
    );
    if exit != facade_engine::Exit::Success {
        bail!("`cargo facade sync` on the demo failed");
    }
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
