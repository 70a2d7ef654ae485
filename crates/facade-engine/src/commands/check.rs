//! `cargo facade check [--format json]`: change nothing; exit 1 with the
//! diff `sync` would apply (or a JSON report) when the facades, the managed
//! entries or `Cargo.lock` are stale.

use super::format::{self, TreeFormat};
use super::status::{self, files, list_some, quoted, stale_parts, summary};
use super::{Planned, cargo_accepts, planned_sync};
use crate::list::ListFormat;
use crate::shell::Shell;
use crate::write::{self, Action, Owner};
use crate::{Exit, Options};

/// Runs `check`: [`Exit::Stale`] when `sync` would change something.
pub fn run(
    output: ListFormat,
    packages: &[String],
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    if let TreeFormat::Older { format, manifest } = format::read(options, shell)? {
        shell.diagnostic(&format::older_format(&manifest, format, shell));
        return Ok(Exit::Stale);
    }
    let Planned {
        ws,
        plan,
        mut changes,
        adopted,
    } = planned_sync(options, &Default::default(), shell)?;
    // `-p`: what is stale for the named members only, their manifests and
    // the facades serving them; the rest of the workspace is not judged.
    // `-p`: what is stale for the named members only; the rest of the
    // workspace is not judged.
    let selected = super::select(&ws, &plan, packages, &mut changes, shell)?;
    // What is judged and summed up: the named members' part of the plan.
    let judged = selected.as_ref().unwrap_or(&plan);
    // A record that would only gain verdicts is not stale (see
    // `record::only_adds`); one whose verdict no longer holds is.
    changes.retain(|c| {
        let only_adds = match (&c.old, &c.action) {
            (None, _) => true,
            (Some(old), Action::Write(new)) => crate::conflict::record::only_adds(old, new),
            (Some(_), Action::Delete) => false,
        };
        !(c.owner == Owner::Verdicts && only_adds)
    });
    let lock_lacks = write::lock_lacks(&ws, judged);
    if changes.is_empty() && lock_lacks.is_empty() {
        cargo_accepts(options, shell)?;
        if output == ListFormat::Json {
            let report = serde_json::json!({ "status": "fresh" });
            writeln!(shell.out(), "{report}")?;
        }
        shell.status("Finished", format!("{}: up to date", summary(judged)));
        return Ok(Exit::Success);
    }
    status::adoptions_pending(&adopted, shell);
    for removed in crate::outside::removed_entries(&ws, &plan) {
        shell.diagnostic(&removed);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    if output == ListFormat::Human {
        let diff = write::unified_diff(&changes, &cwd);
        shell.out().write_all(diff.as_bytes())?;
    }
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
    if output == ListFormat::Json {
        // One line a bot can read: what is stale, each file `sync` would
        // write or delete (relative to the workspace root), the fix.
        let files: Vec<serde_json::Value> = changes
            .iter()
            .map(|change| {
                let path = change.path.strip_prefix(&ws.root).unwrap_or(&change.path);
                serde_json::json!({
                    "path": path.to_string_lossy().replace('\\', "/"),
                    "action": match change.action {
                        Action::Write(_) if change.old.is_some() => "update",
                        Action::Write(_) => "create",
                        Action::Delete => "delete",
                    },
                })
            })
            .collect();
        let report = serde_json::json!({
            "status": "stale",
            "stale": stale,
            "files": files,
            "lock_lacks": lock_lacks,
            "fix": fix,
        });
        writeln!(shell.out(), "{report}")?;
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
