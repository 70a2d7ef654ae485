//! What planned [`Change`]s look like to the user: the status lines of
//! `sync`, `eject` and `migrate`, the stale parts `check` names, the diff of a dry run
//! and the summaries. One list of changes, two consumers (as hakari's
//! `WorkspaceOps`): these lines describe it, `write::apply` carries it out.

use std::collections::{BTreeMap, HashMap};

use crate::outside::{Adoption, Found};
use crate::plan::Plan;
use crate::shell::Shell;
use crate::write::{self, Action, Change, Owner};

/// `sync`: one line per owner of a change, in a stable order (facades
/// first, then consumers by name): `Generating`/`Removing` a facade,
/// `Adopting` declarations and `Updating` a consumer's manifest.
pub fn sync(plan: &Plan, changes: &[Change], shell: &mut Shell) {
    // One pass over the changes: each owner with its first written file.
    let mut owners: BTreeMap<&Owner, Option<&Change>> = BTreeMap::new();
    for change in changes {
        let first = owners.entry(&change.owner).or_default();
        if first.is_none() && matches!(change.action, Action::Write(_)) {
            *first = Some(change);
        }
    }
    let consumers: HashMap<&str, usize> = plan
        .consumers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    for (owner, first_write) in owners {
        match owner {
            Owner::Facade(id) => facade(plan, id, shell),
            Owner::Consumer(name) => {
                let moved: Vec<String> = consumers
                    .get(name.as_str())
                    .map(|&index| plan.declarations_of(index))
                    .unwrap_or_default()
                    .iter()
                    .filter(|d| d.adopted)
                    .map(|d| format!("`{}`", d.name))
                    .collect();
                if !moved.is_empty() {
                    shell.status(
                        "Adopting",
                        format!(
                            "{name}: {} moved under [package.metadata.facade]",
                            moved.join(", ")
                        ),
                    );
                }
                let path = first_write
                    .map(|c| shell.display_path(&c.path))
                    .unwrap_or_default();
                shell.status("Updating", format!("{name} ({path})"));
            }
        }
    }
}

/// The line of one facade `sync` writes or removes.
fn facade(plan: &Plan, id: &str, shell: &mut Shell) {
    let Some(facade) = plan.facade(id) else {
        shell.status("Removing", format!("facade {id} (no longer declared)"));
        return;
    };
    let n = facade.children.len();
    let root_note = if facade.root_crate.is_some() {
        "root + "
    } else {
        ""
    };
    let users = facade.consumers.len();
    shell.status(
        "Generating",
        format!(
            "facade {id} ({root_note}{n} child{}, for {users} package{})",
            if n == 1 { "" } else { "ren" },
            if users == 1 { "" } else { "s" }
        ),
    );
}

/// `eject`: each consumer manifest put back, then each facade removed.
pub fn eject(changes: &[Change], shell: &mut Shell) {
    for change in changes {
        if let (Owner::Consumer(name), Action::Write(_)) = (&change.owner, &change.action) {
            shell.status(
                "Ejecting",
                format!("{name} ({})", shell.display_path(&change.path)),
            );
        }
    }
    let mut removed: Vec<&str> = changes
        .iter()
        .filter_map(|c| match &c.owner {
            Owner::Facade(root) => Some(root.as_str()),
            Owner::Consumer(_) => None,
        })
        .collect();
    removed.dedup();
    for id in removed {
        shell.status("Removing", format!("facade {id}"));
    }
}

/// `migrate`: each facade that the migration's `sync` writes or removes.
pub fn migrate(changes: &[Change], shell: &mut Shell) {
    let mut facades: Vec<(&str, bool)> = changes
        .iter()
        .filter_map(|c| match &c.owner {
            Owner::Facade(root) => Some((root.as_str(), c.action != Action::Delete)),
            Owner::Consumer(_) => None,
        })
        .collect();
    facades.dedup();
    for (root, kept) in facades {
        if kept {
            shell.status("Generating", format!("facade {root}"));
        } else {
            shell.status("Removing", format!("facade {root} (no longer declared)"));
        }
    }
}

/// A dry run: the diff on stdout and what would change.
pub fn dry_run(changes: &[Change], shell: &mut Shell) -> anyhow::Result<()> {
    let diff = write::unified_diff(changes, &std::env::current_dir()?);
    shell.out().write_all(diff.as_bytes())?;
    shell.status(
        "Finished",
        format!(
            "dry run: {} would change; no file was written",
            files(changes.len())
        ),
    );
    Ok(())
}

/// What the changes make stale, for `check`: each facade (with its file
/// count) and each consumer manifest.
pub fn stale_parts(changes: &[Change]) -> Vec<String> {
    let mut owners: BTreeMap<&Owner, usize> = BTreeMap::new();
    for change in changes {
        *owners.entry(&change.owner).or_default() += 1;
    }
    owners
        .into_iter()
        .map(|(owner, n)| match owner {
            Owner::Facade(root) => format!("facade `{root}` ({})", files(n)),
            Owner::Consumer(name) => format!("manifest of `{name}`"),
        })
        .collect()
}

/// `3 facades, 2 consumers`.
pub fn summary(plan: &Plan) -> String {
    let facades = plan.facades.len();
    let consumers = plan
        .consumers
        .iter()
        .filter(|c| !c.entries.is_empty())
        .count();
    format!(
        "{facades} facade{}, {consumers} consumer{}",
        if facades == 1 { "" } else { "s" },
        if consumers == 1 { "" } else { "s" }
    )
}

/// `1 file`, `3 files`.
pub fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_owned()
    } else {
        format!("{n} files")
    }
}

/// `a, b, c` — or the first few and how many more.
pub fn list_some(items: &[String]) -> String {
    const SHOWN: usize = 6;
    if items.len() <= SHOWN {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..SHOWN].join(", "),
        items.len() - SHOWN
    )
}

/// `` `a`, `b` ``.
pub fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sync`: one line per requirement moved from a generated file into a
/// declaration (`check` words the same move in the future, see
/// [`adoptions_pending`]).
pub fn adoptions(adopted: &[Adoption], shell: &mut Shell) {
    for adoption in adopted {
        let from = match &adoption.found_in {
            Found::Facade(path) => shell.display_path(path),
            Found::Entry { manifest, key } => {
                format!("managed entry `{key}` of {}", shell.display_path(manifest))
            }
        };
        shell.status(
            "Adopting",
            format!(
                "{} from {from} into {}",
                adoption.what,
                shell.display_path(&adoption.declared_in)
            ),
        );
    }
}

/// `check`: one line per requirement `sync` would adopt.
pub fn adoptions_pending(adopted: &[Adoption], shell: &mut Shell) {
    for adoption in adopted {
        let place = match &adoption.found_in {
            Found::Facade(path) => shell.display_path(path),
            Found::Entry { manifest, key } => {
                format!("{} (managed entry `{key}`)", shell.display_path(manifest))
            }
        };
        shell.note(format!(
            "{place}: {} will be adopted by `cargo facade sync` (into {})",
            adoption.what,
            shell.display_path(&adoption.declared_in)
        ));
    }
}
