//! `cargo facade eject [--dry-run]`: put every declaration back into the
//! real tables in RFC 3243 syntax and remove the managed entries and the
//! facades ([`crate::eject`] computes the manifests).

use std::collections::BTreeMap;

use super::status::{self, files};
use super::{Planned, lock_unless, planned};
use crate::load;
use crate::shell::Shell;
use crate::write;
use crate::{Exit, Options};

/// Runs `eject`; with `dry_run`, prints the diff instead of writing.
pub fn run(dry_run: bool, options: &Options, shell: &mut Shell) -> anyhow::Result<Exit> {
    let _lock = lock_unless(dry_run, options, shell)?;
    let Planned {
        ws, plan, changes, ..
    } = planned(
        options,
        shell,
        false,
        &BTreeMap::new(),
        |ws, plan, _, diags| crate::eject::collect_changes(ws, plan, diags),
    )?;
    if dry_run {
        status::dry_run(&changes, shell)?;
        return Ok(Exit::Success);
    }
    if changes.is_empty() {
        shell.status("Fresh", "nothing to eject");
        return Ok(Exit::Success);
    }
    status::eject(&changes, shell);
    let lock_before = std::fs::read(&ws.lock_path).ok();
    write::apply(&changes, &plan.facade_dir)?;
    // The facade folder goes too if eject emptied it.
    let _ = std::fs::remove_dir(&plan.facade_dir);
    // The ejected manifests are in RFC 3243 syntax: cargo resolves them only
    // where every declaration names its `package`. If it cannot, the lock
    // file stays as it was and the next `sync` (or a cargo with namespace
    // support) refreshes it.
    match load::cargo_metadata(
        options.manifest_path.as_deref(),
        &options.cargo,
        false,
        shell,
    ) {
        Ok(Ok(_)) => {}
        _ => {
            if let Some(bytes) = lock_before {
                write::write_atomic(&ws.lock_path, &bytes)?;
            }
            shell.note(
                "this cargo cannot resolve every ejected declaration yet (RFC 3243 is not implemented); \
                 Cargo.lock was left as it was",
            );
        }
    }
    shell.status(
        "Finished",
        format!("eject ({} changed)", files(changes.len())),
    );
    Ok(Exit::Success)
}
