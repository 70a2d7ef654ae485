//! The flows of the commands that run the pipeline: `sync`, `check`,
//! `list` and `eject`, one file each, over what they share here (lock,
//! load → plan → the command's changes, the diagnostics' report, cargo's
//! say on the result). [`status`] turns planned [`Change`]s into what the
//! user reads, one place for every command.
//!
//! `migrate` and `package`/`publish` have modules of their own (`migrate/`,
//! `package/`, which use [`status`] and `rolled_back` from here, so this
//! module never imports them); `run` in `lib.rs` dispatches every command.

pub mod check;
pub mod eject;
pub(crate) mod format;
pub mod list;
pub mod status;
pub mod sync;

use crate::diagnostic::{Diagnostic, Diagnostics, InputErrors};
use crate::load::{self, Workspace};
use crate::lock::{self, WorkspaceLock};
use crate::plan::{self, Plan};
use crate::shell::Shell;
use crate::write::{Applied, Change, Saved};
use crate::{CargoOptions, Options};

/// A valid plan of the workspace and the changes the command derived from it.
struct Planned {
    ws: Workspace,
    plan: Plan,
    changes: Vec<Change>,
}

/// `load` → `plan` → `derive` (the command's own checks and changes), every
/// diagnostic reported; errors, and warnings under `--deny-warnings`, as
/// `Err` (nothing was written).
fn planned(
    options: &Options,
    shell: &mut Shell,
    derive: impl FnOnce(&Workspace, &Plan, &mut Shell, &mut Diagnostics) -> anyhow::Result<Vec<Change>>,
) -> anyhow::Result<Planned> {
    // A newer tree is refused before its manifests are read.
    format::read(options, shell)?;
    let mut diags = Diagnostics::default();
    let workspace = load::load(options.manifest_path.as_deref(), &mut diags)?;
    let plan = workspace.as_ref().and_then(|ws| plan::plan(ws, &mut diags));
    let derived = match (&workspace, &plan) {
        (Some(ws), Some(plan)) => Some(derive(ws, plan, shell, &mut diags)?),
        _ => None,
    };
    report(shell, &diags)?;
    deny_warnings(
        options,
        diags.items().iter().filter(|d| !d.is_error()).count(),
    )?;
    let (Some(ws), Some(plan), Some(changes)) = (workspace, plan, derived) else {
        unreachable!("load and plan report errors when they return nothing")
    };
    Ok(Planned { ws, plan, changes })
}

/// The workspace lock for a command that writes (none for a dry run), held
/// until the last byte is written: concurrent syncs take turns. Where there
/// is no workspace, `load` says why just after.
fn lock_unless(
    dry_run: bool,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Option<WorkspaceLock>> {
    if dry_run {
        return Ok(None);
    }
    match load::find_root(
        options.manifest_path.as_deref(),
        &mut Diagnostics::default(),
    )? {
        Some(root) => Ok(Some(lock::lock_root(&root, shell)?)),
        None => Ok(None),
    }
}

/// [`planned`] with `sync`'s changes (for `sync` and `check`): RFC 3243's
/// root/child conflicts need the compiler, so they are checked after the
/// plan, before anything is rendered; then every file `sync` would write.
fn planned_sync(options: &Options, shell: &mut Shell) -> anyhow::Result<Planned> {
    planned(options, shell, |ws, plan, shell, diags| {
        crate::conflict::check(ws, plan, &options.cargo, Some(shell), diags)?;
        crate::write::collect_changes(ws, plan, diags)
    })
}

/// After cargo rejected the written files: every file and `Cargo.lock` put
/// back, and `failure` reported with `note`; the error to return.
pub(crate) fn rolled_back(
    applied: Applied,
    lock_before: &Saved,
    failure: Diagnostic,
    note: &str,
    shell: &mut Shell,
) -> anyhow::Error {
    if let Err(err) = applied.rollback().and_then(|()| lock_before.restore()) {
        return err;
    }
    shell.diagnostic(&failure.note(note));
    InputErrors { count: 1 }.into()
}

/// A cargo command line as shown with `-v`, flags passed on included.
fn cargo_line(args: &[&str], cargo: &CargoOptions) -> String {
    let mut words = vec!["cargo"];
    words.extend(args);
    words.extend(cargo.flags());
    words.join(" ")
}

/// Asks cargo whether it accepts the tree that the plan found consistent
/// (what `load` used to learn from `cargo metadata --no-deps`): an error
/// here is the user's to fix, reported where cargo points.
fn cargo_accepts(options: &Options, shell: &mut Shell) -> anyhow::Result<()> {
    shell.verbose(
        "Running",
        format!(
            "`{}` to validate the workspace",
            cargo_line(&["metadata", "--no-deps"], &options.cargo)
        ),
    );
    match load::cargo_metadata(options.manifest_path.as_deref(), &options.cargo, true)? {
        Ok(_) => Ok(()),
        Err(stderr) => {
            shell.diagnostic(&crate::blame::load_failure(&stderr));
            Err(InputErrors { count: 1 }.into())
        }
    }
}

fn report(shell: &mut Shell, diags: &Diagnostics) -> anyhow::Result<()> {
    for diag in diags.items() {
        shell.diagnostic(diag);
    }
    if diags.has_errors() {
        return Err(InputErrors {
            count: diags.error_count(),
        }
        .into());
    }
    Ok(())
}

/// With `--deny-warnings`, warnings already reported stop the run.
fn deny_warnings(options: &Options, warnings: usize) -> anyhow::Result<()> {
    if options.deny_warnings && warnings > 0 {
        return Err(InputErrors { count: warnings }.into());
    }
    Ok(())
}
