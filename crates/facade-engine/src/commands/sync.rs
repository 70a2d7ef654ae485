//! `cargo facade sync [--dry-run]`: write every facade and managed entry,
//! remove undeclared facades, then let cargo resolve the result (refreshing
//! `Cargo.lock`); if cargo rejects it, every byte goes back.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::status::{self, files, quoted, summary};
use super::{Planned, cargo_accepts, cargo_line, deny_warnings, lock_unless, planned_sync};
use crate::diagnostic::{Diagnostic, InputErrors};
use crate::load::{self, Workspace};
use crate::plan::{self, Plan};
use crate::shell::Shell;
use crate::write::{self, Change};
use crate::{Exit, Options};

/// Runs `sync`; with `dry_run`, prints the diff instead of writing. A tree
/// of an older format is an error unless `upgrade`.
/// With `packages` (`-p`), only what the named members see is written:
/// their manifests, the facades serving them, the verdict record.
pub fn run(
    dry_run: bool,
    upgrade: bool,
    packages: &[String],
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    super::format::require_current(options, upgrade, shell)?;
    let _lock = lock_unless(dry_run, options, shell)?;
    sync_members(dry_run, &BTreeMap::new(), packages, options, shell)
}

/// `sync` as if `edited` (new manifest texts by path) were written: they are
/// written with everything `sync` makes of them, or nothing is. The caller
/// holds the workspace lock (`add` and `remove` read under it).
pub(crate) fn run_edited(
    dry_run: bool,
    edited: &BTreeMap<PathBuf, String>,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    sync_members(dry_run, edited, &[], options, shell)
}

/// After `migrate` wrote its files: `sync` once more, with its status lines
/// silenced, so that the conflict verdicts are recorded on the migrated
/// sources (`migrate` judged them before its rewrite, so their keys do not
/// hold after) and a fresh clone's `check` compiles nothing. The caller
/// holds the workspace lock. Whether the record changed; an error is the
/// caller's to report as a warning (the migration itself is done).
pub(crate) fn record_after_migrate(options: &Options, shell: &mut Shell) -> anyhow::Result<bool> {
    let quiet = shell.set_verbosity(crate::shell::Verbosity::Quiet);
    let result = planned_sync(options, &BTreeMap::new(), shell).and_then(|planned| {
        let Planned {
            ws, plan, changes, ..
        } = planned;
        if changes.is_empty() {
            return Ok(false);
        }
        write_and_resolve(&ws, &plan, &plan, &changes, options, shell)?;
        Ok(true)
    });
    shell.set_verbosity(quiet);
    result
}

fn sync_members(
    dry_run: bool,
    edited: &BTreeMap<PathBuf, String>,
    packages: &[String],
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    let Planned {
        ws,
        plan,
        mut changes,
        adopted,
    } = planned_sync(options, edited, shell)?;
    let selected = super::select(&ws, &plan, packages, &mut changes, shell)?;
    let judged = selected.as_ref().unwrap_or(&plan);
    if dry_run {
        status::adoptions_pending(&adopted, shell);
        status::dry_run(&changes, shell)?;
    } else if changes.is_empty() {
        fresh(&ws, judged, options, shell)?;
    } else {
        status::adoptions(&adopted, shell);
        write_and_resolve(&ws, &plan, judged, &changes, options, shell)?;
    }
    Ok(Exit::Success)
}

/// Nothing to write: cargo still has its say, and `Cargo.lock` is refreshed
/// if it lacks a facade.
fn fresh(ws: &Workspace, plan: &Plan, options: &Options, shell: &mut Shell) -> anyhow::Result<()> {
    let lock_lacks = write::lock_lacks(ws, plan);
    // Ownership needs registry manifests, hence a resolve, as does a lock
    // that lacks a facade; otherwise (the common case) cargo is only asked
    // whether it accepts the tree.
    if lock_lacks.is_empty() && !plan.has_foreign_candidates() {
        cargo_accepts(options, shell)?;
    } else {
        shell.verbose(
            "Running",
            format!(
                "`{}` to resolve the workspace",
                cargo_line(&["metadata"], &options.cargo)
            ),
        );
        match load::cargo_metadata(
            options.manifest_path.as_deref(),
            &options.cargo,
            false,
            shell,
        )? {
            Ok(metadata) => {
                let warnings = ownership_warnings(plan, &metadata, shell);
                deny_warnings(options, warnings)?;
            }
            Err(stderr) => {
                shell.diagnostic(&crate::blame::metadata_failure(&stderr, plan));
                return Err(InputErrors { count: 1 }.into());
            }
        }
    }
    if lock_lacks.is_empty() {
        shell.status("Fresh", format!("{} (nothing to change)", summary(plan)));
    } else {
        shell.status(
            "Updating",
            format!("Cargo.lock (it lacked {})", quoted(&lock_lacks)),
        );
        shell.status(
            "Finished",
            format!("{} (Cargo.lock refreshed)", summary(plan)),
        );
    }
    Ok(())
}

/// Writes the changes, then lets cargo resolve the new graph: this refreshes
/// `Cargo.lock` and catches what only cargo can judge (versions, features);
/// on failure every byte goes back.
///
/// `judged` is the part of `plan` that was written (all of it without `-p`).
fn write_and_resolve(
    ws: &Workspace,
    plan: &Plan,
    judged: &Plan,
    changes: &[Change],
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<()> {
    let lock_before = write::Saved::read(&ws.lock_path);
    let applied = write::apply(changes, &plan.facade_dir)?;
    shell.verbose(
        "Running",
        format!(
            "`{}` to refresh Cargo.lock",
            cargo_line(&["metadata"], &options.cargo)
        ),
    );
    let resolved = load::cargo_metadata(
        options.manifest_path.as_deref(),
        &options.cargo,
        false,
        shell,
    );
    let failure = match resolved {
        Ok(Ok(metadata)) => {
            let warnings = ownership_warnings(plan, &metadata, shell);
            (options.deny_warnings && warnings > 0).then(|| {
                Diagnostic::error(format!(
                    "{warnings} warning{} denied by `--deny-warnings`",
                    if warnings == 1 { "" } else { "s" }
                ))
            })
        }
        Ok(Err(stderr)) => Some(crate::blame::resolution_failure(&stderr, plan)),
        Err(err) => Some(Diagnostic::error(format!("{err:#}"))),
    };
    if let Some(failure) = failure {
        let note = "the synced workspace was rejected, so every file was restored";
        return Err(super::rolled_back(
            applied,
            &lock_before,
            failure,
            note,
            shell,
        ));
    }
    // What was written is said once cargo has accepted it: lines printed
    // before a rollback would read as if the files were still there.
    status::sync(judged, changes, shell);
    shell.status(
        "Finished",
        format!("{} ({} written)", summary(judged), files(changes.len())),
    );
    Ok(())
}

/// Reports the RFC's ownership warnings, which need the resolved graph;
/// returns how many there were.
fn ownership_warnings(
    plan: &Plan,
    metadata: &cargo_metadata::Metadata,
    shell: &mut Shell,
) -> usize {
    let verdicts = plan::ownership(plan, metadata);
    let mut warnings = 0;
    for verdict in &verdicts {
        shell.verbose("Ownership", verdict.summary());
        for warning in verdict.warnings() {
            shell.diagnostic(&warning);
            warnings += 1;
        }
    }
    warnings
}
