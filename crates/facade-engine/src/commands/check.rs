//! `cargo facade check`: change nothing; exit 1 with the diff `sync` would
//! apply when the facades, the managed entries or `Cargo.lock` are stale.

use super::format::{self, TreeFormat};
use super::status::{self, files, list_some, quoted, stale_parts, summary};
use super::{Planned, cargo_accepts, planned_sync};
use crate::shell::Shell;
use crate::write;
use crate::{Exit, Options};

/// Runs `check`: [`Exit::Stale`] when `sync` would change something.
pub fn run(options: &Options, shell: &mut Shell) -> anyhow::Result<Exit> {
    if let TreeFormat::Older { format, manifest } = format::read(options, shell)? {
        shell.diagnostic(&format::older_format(&manifest, format, shell));
        return Ok(Exit::Stale);
    }
    let Planned {
        ws,
        plan,
        changes,
        adopted,
    } = planned_sync(options, &Default::default(), shell)?;
    let lock_lacks = write::lock_lacks(&ws, &plan);
    if changes.is_empty() && lock_lacks.is_empty() {
        cargo_accepts(options, shell)?;
        shell.status("Finished", format!("{}: up to date", summary(&plan)));
        return Ok(Exit::Success);
    }
    status::adoptions_pending(&adopted, shell);
    for removed in crate::outside::removed_entries(&ws, &plan) {
        shell.diagnostic(&removed);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let diff = write::unified_diff(&changes, &cwd);
    shell.out().write_all(diff.as_bytes())?;
    let fix = match &options.manifest_path {
        Some(path) => format!(
            "cargo facade sync --manifest-path {}",
            shell.display_path(path)
        ),
        None => "cargo facade sync".to_owned(),
    };
    let mut stale = stale_parts(&changes);
    if !lock_lacks.is_empty() {
        stale.push(format!("Cargo.lock (lacks {})", quoted(&lock_lacks)));
    }
    let lock = if changes.is_empty() {
        "`sync` would refresh Cargo.lock through cargo".to_owned()
    } else {
        format!(
            "`sync` would write {} (the diff above), then refresh Cargo.lock through cargo",
            files(changes.len())
        )
    };
    shell.error(format!(
        "out of date: {}\n\nnote: {lock}\nhelp: run `{fix}` to update them",
        list_some(&stale)
    ));
    Ok(Exit::Stale)
}
