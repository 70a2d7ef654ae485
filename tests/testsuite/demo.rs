//! The bundled demo (`examples/demo`): its committed facades must be fresh
//! (like rust-analyzer's `ensure_file_contents`: a stale tree is updated
//! and the test fails, so committing the update fixes it), and its own
//! xtask must drive the same CLI.

use std::process::Command;

use crate::support::{repo_root, shared_target_dir};

fn facade(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-facade"))
        .arg("facade")
        .args(args)
        .arg("--manifest-path")
        .arg(repo_root().join("examples/demo/Cargo.toml"))
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("run cargo-facade")
}

#[test]
fn demo_facades_are_fresh() {
    let check = facade(&["check", "--color", "never"]);
    if check.status.code() == Some(0) {
        return;
    }
    let sync = facade(&["sync", "--color", "never"]);
    panic!(
        "examples/demo was stale; `sync` updated it (exit {:?}), commit the result.\n--- check's diff\n{}\n{}",
        sync.status.code(),
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// `cargo xtask facade check` inside the demo is the same CLI, through the
/// demo workspace's own xtask calling the engine library.
#[test]
fn demo_xtask_runs_the_same_cli() {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["xtask", "facade", "list", "--color", "never"])
        .current_dir(repo_root().join("examples/demo"))
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("run cargo xtask");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("foo::derive = foo-derive (path crates/foo-derive)"),
        "{stdout}"
    );
}
