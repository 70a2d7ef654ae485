//! Cargo invocation: how cargo-facade starts `cargo`, and how a failed run
//! becomes a diagnostic (foundation: every stage and command may use it).
//! What a failure *means* for the user's manifests is `blame`'s job, in the
//! flow that ran cargo.

use std::process::Command;

use crate::CargoOptions;
use crate::diagnostic::Diagnostic;

/// A `cargo` process: `$CARGO` when run by cargo, else `cargo` on `PATH`.
pub fn cargo_command(_cargo: &CargoOptions) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(program)
}

/// A cargo invocation that failed, reported with cargo's own words.
pub fn cargo_failed(what: &str, stderr: &str) -> Diagnostic {
    Diagnostic::raw(stderr.trim_end())
        .note(format!("reported by `{what}`, which cargo-facade runs"))
}
