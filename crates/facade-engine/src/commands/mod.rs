//! The flows of the commands that run the pipeline: `sync`, `check`,
//! `list` and `eject`, one file each, over what they share here (lock,
//! load → plan → the command's changes, the diagnostics' report, cargo's
//! say on the result). [`status`] turns planned [`Change`]s into what the
//! user reads, one place for every command.
//!
//! `migrate` and `package`/`publish` have modules of their own (`migrate/`,
//! `package/`, which use [`status`] and `rolled_back` from here, so this
//! module never imports them); `run` in `lib.rs` dispatches every command.

pub mod add;
pub mod check;
pub mod eject;
pub(crate) mod format;
pub mod list;
pub mod remove;
pub mod status;
pub mod sync;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, InputErrors};
use crate::load::{self, Workspace};
use crate::lock::{self, WorkspaceLock};
use crate::outside::{self, Adoption};
use crate::plan::{self, Plan};
use crate::shell::Shell;
use crate::write::{Action, Applied, Change, Owner, Saved};
use crate::{CargoOptions, Options};

/// A valid plan of the workspace and the changes the command derived from it.
struct Planned {
    ws: Workspace,
    plan: Plan,
    changes: Vec<Change>,
    /// Requirements raised in generated files, moved into declarations
    /// (their manifests' edits are among `changes`).
    adopted: Vec<Adoption>,
}

/// `load` → `plan` → `derive` (the command's own checks and changes), every
/// diagnostic reported; errors, and warnings under `--deny-warnings`, as
/// `Err` (nothing was written).
fn planned(
    options: &Options,
    shell: &mut Shell,
    adopt_outside: bool,
    pre: &BTreeMap<PathBuf, String>,
    derive: impl FnOnce(
        &Workspace,
        &mut Plan,
        &mut Shell,
        &mut Diagnostics,
    ) -> anyhow::Result<Vec<Change>>,
) -> anyhow::Result<Planned> {
    // A newer tree is refused before its manifests are read.
    format::read(options, shell)?;
    let mut diags = Diagnostics::default();
    let mut workspace = load::load(options.manifest_path.as_deref(), &mut diags)?;
    // A command's own edits (`add`, `remove`) are planned as if written.
    let mut edits = outside::Edits {
        manifests: pre.clone(),
        ..outside::Edits::default()
    };
    if let Some(ws) = &mut workspace {
        edits.apply_to(ws)?;
    }
    let mut plan = workspace.as_ref().and_then(|ws| plan::plan(ws, &mut diags));
    if adopt_outside
        && !diags.has_errors()
        && let (Some(ws), Some(first)) = (&mut workspace, &plan)
    {
        let adopted = outside::adoptions(ws, first);
        if !adopted.is_empty() {
            // Planned again on the edited declarations; the first plan's
            // diagnostics would only repeat (they point at the same lines).
            adopted.apply_to(ws)?;
            edits.adoptions = adopted.adoptions;
            edits.manifests.extend(adopted.manifests);
            diags = Diagnostics::default();
            plan = plan::plan(ws, &mut diags);
        }
    }
    let derived = match (&workspace, &mut plan) {
        (Some(ws), Some(plan)) => {
            let mut changes = derive(ws, plan, shell, &mut diags)?;
            with_edits_on_disk(&edits, ws, plan, &mut changes);
            Some(changes)
        }
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
    Ok(Planned {
        ws,
        plan,
        changes,
        adopted: edits.adoptions,
    })
}

/// The changes of a plan made on edited manifests, as changes of the files
/// on disk: an edited manifest's old bytes are the disk's, and an edit that
/// rendering left as it is still has to be written.
fn with_edits_on_disk(
    edits: &outside::Edits,
    ws: &Workspace,
    plan: &Plan,
    changes: &mut Vec<Change>,
) {
    for (path, text) in &edits.manifests {
        let disk = std::fs::read(path).ok();
        match changes.iter_mut().find(|c| c.path == *path) {
            Some(change) => change.old = disk,
            None => {
                let owner = plan
                    .consumers
                    .iter()
                    .find(|c| ws.manifests[c.manifest].path() == path)
                    .map_or_else(|| "workspace".to_owned(), |c| c.name.clone());
                changes.push(Change {
                    path: path.clone(),
                    old: disk,
                    action: Action::Write(text.clone()),
                    owner: Owner::Consumer(owner),
                });
            }
        }
    }
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
/// plan, before anything is rendered; then every file `sync` would write,
/// the recorded verdicts included.
fn planned_sync(
    options: &Options,
    pre: &BTreeMap<PathBuf, String>,
    shell: &mut Shell,
) -> anyhow::Result<Planned> {
    planned(options, shell, true, pre, |ws, plan, shell, diags| {
        let verdicts = crate::conflict::check(ws, plan, &options.cargo, Some(shell), diags)?;
        if let Some(verdicts) = &verdicts
            && !diags.has_errors()
        {
            elide(ws, plan, verdicts);
        }
        let mut changes = crate::write::collect_changes(ws, plan, diags)?;
        // After an error nothing is written: one report per problem.
        if let Some(verdicts) = verdicts
            && !diags.has_errors()
        {
            changes.extend(crate::write::record_change(ws, plan, &verdicts, diags)?);
        }
        Ok(changes)
    })
}

/// The plan again, with the facades the verdicts show to add nothing to
/// their root elided (`conflict::elision`); `plan` as it is when there are
/// none.
pub(crate) fn elide(ws: &Workspace, plan: &mut Plan, verdicts: &[crate::conflict::Entry]) {
    let reexporting = crate::conflict::elision(ws, plan, verdicts);
    if reexporting.is_empty() {
        return;
    }
    // The same declarations planned again: the first plan had no error.
    if let Some(elided) = plan::plan_eliding(ws, &mut Diagnostics::default(), &reexporting) {
        *plan = elided;
    }
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
    match load::cargo_metadata(
        options.manifest_path.as_deref(),
        &options.cargo,
        true,
        shell,
    )? {
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

/// The member whose manifest `add` and `remove` edit: `-p NAME`, else the
/// package whose folder holds `--manifest-path` or the current folder (as
/// `cargo add` picks it). Its manifest path and text.
fn target_member(
    package: Option<&str>,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<(Workspace, PathBuf, String)> {
    let mut diags = Diagnostics::default();
    let workspace = load::load(options.manifest_path.as_deref(), &mut diags)?;
    report(shell, &diags)?;
    let Some(ws) = workspace else {
        return Err(InputErrors { count: 1 }.into());
    };
    let cwd = std::env::current_dir()?;
    let start = match &options.manifest_path {
        Some(path) => crate::paths::normalize(&cwd.join(path))
            .parent()
            .map(Path::to_owned)
            .unwrap_or_default(),
        None => cwd,
    };
    let found = match package {
        Some(name) => ws.members.iter().find(|m| m.name == name),
        None => ws
            .members
            .iter()
            .filter(|m| {
                m.manifest_path
                    .parent()
                    .is_some_and(|dir| start.starts_with(dir))
            })
            .max_by_key(|m| m.manifest_path.components().count()),
    };
    let Some(member) = found else {
        let names: Vec<&str> = ws.members.iter().map(|m| m.name.as_str()).collect();
        let message = match package {
            Some(name) => format!("`{name}` is not a member of this workspace"),
            None => "the current folder is not inside a workspace member".to_owned(),
        };
        shell.diagnostic(
            &Diagnostic::error(message)
                .help(format!("choose a member with `-p`: {}", names.join(", "))),
        );
        return Err(InputErrors { count: 1 }.into());
    };
    let path = member.manifest_path.clone();
    let text = std::fs::read_to_string(&path)
        .map_err(|err| anyhow::anyhow!("failed to read `{}`: {err}", path.display()))?;
    Ok((ws, path, text))
}

/// `-p`: the part of `plan` the named members see (see
/// [`list::only`]), and `changes` cut down to their manifests, the facades
/// serving them and the workspace's one verdict record (a stale one is
/// reported rather than guessed apart). `None` without `-p`.
fn select(
    ws: &Workspace,
    plan: &Plan,
    packages: &[String],
    changes: &mut Vec<Change>,
    shell: &mut Shell,
) -> anyhow::Result<Option<Plan>> {
    if packages.is_empty() {
        return Ok(None);
    }
    let selected = list::only(ws, plan.clone(), packages, shell)?;
    let named: Vec<&Path> = ws
        .members
        .iter()
        .filter(|m| packages.contains(&m.name))
        .map(|m| m.manifest_path.as_path())
        .collect();
    // A facade nobody declares any more goes, unless a member left out
    // still points at it (its entry is refreshed only by its own sync).
    let still_used = |path: &Path| {
        ws.members
            .iter()
            .filter(|m| !packages.contains(&m.name))
            .flat_map(|m| &m.dependencies)
            .any(|d| match &d.source {
                load::DepSource::Path(dir) => {
                    dir.starts_with(&plan.facade_dir) && path.starts_with(dir)
                }
                _ => false,
            })
    };
    changes.retain(|c| {
        named.contains(&c.path.as_path())
            || selected.facades.iter().any(|f| c.path.starts_with(&f.dir))
            || c.owner == Owner::Verdicts
            || (matches!(c.action, Action::Delete)
                && c.path.starts_with(&plan.facade_dir)
                && !plan.facades.iter().any(|f| c.path.starts_with(&f.dir))
                && !still_used(&c.path))
    });
    Ok(Some(selected))
}
