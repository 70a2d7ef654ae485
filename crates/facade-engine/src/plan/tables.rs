//! A consumer's real dependency tables: which there are, which entry is a
//! managed one, which entries `sync` adopts, and the check that no real
//! entry or feature would be overwritten by a managed one.

use std::collections::BTreeSet;

use toml_edit::Item;

use super::{Consumer, Declaration, TableId};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::Workspace;
use crate::manifest::{get_path, is_managed_in, real_tables, same_dependency};

/// A consumer's own `foo` dependency would take the managed entry's name;
/// its own `[features]` entry would be overwritten by a translated one.
pub(super) fn check_real_tables(
    ws: &Workspace,
    diags: &mut Diagnostics,
    consumers: &[Consumer],
    declarations: &[Declaration],
) {
    for consumer in consumers {
        let manifest = &ws.manifests[consumer.manifest];
        if let Some(real) = manifest.doc.get("features").and_then(Item::as_table_like) {
            for feature in &consumer.features {
                let Some((key, item)) = real.get_key_value(&feature.name) else {
                    continue;
                };
                if crate::marker::is_managed_feature_in(item, manifest.file.text())
                    || feature.adopted
                {
                    continue;
                }
                diags.push(
                    Diagnostic::error(format!(
                        "feature `{}` is defined both in `[features]` and in `[package.metadata.facade.features]`",
                        feature.name
                    ))
                    .at(&manifest.file, key.span().unwrap_or(0..0), "defined here by hand")
                    .help("keep one definition: cargo-facade writes the `[features]` entry from the other"),
                );
            }
        }
        let mut reported = BTreeSet::new();
        let mine = &declarations[consumer.declarations.clone()];
        for decl in mine {
            let root = decl.name.root();
            for table in real_tables(manifest.doc.as_item()) {
                let Some(table_like) = get_path(manifest.doc.as_item(), &table.real_path())
                    .and_then(Item::as_table_like)
                else {
                    continue;
                };
                let Some((key, item)) = table_like.get_key_value(root) else {
                    continue;
                };
                let adopted = mine.iter().any(|d| {
                    d.adopted
                        && d.table == table
                        && d.name.child().is_none()
                        && d.name.root() == root
                });
                // The same dependency as the root's declaration: the managed
                // entry without its mark, which `sync` writes back.
                let unmarked = || {
                    item.is_table()
                        && get_path(manifest.doc.as_item(), &table.mirror_path())
                            .and_then(|t| t.get(root))
                            .is_some_and(|declared| same_dependency(item, declared))
                };
                if adopted
                    || is_managed_in(root, item, manifest.file.text())
                    || unmarked()
                    || !reported.insert(root.to_owned())
                {
                    continue;
                }
                diags.push(
                    Diagnostic::error(format!(
                        "`{}` depends on `{root}` directly, but `{root}` must name the facade of namespace `{root}`",
                        consumer.name
                    ))
                    .at(&manifest.file, key.span().unwrap_or(0..0), format!("`{root}` in {}", table.display("")))
                    .label(decl.key.clone().with_text("namespace declared here"))
                    .help(format!(
                        "move this entry into `[package.metadata.facade.{}]` as the namespace root: \
                         the facade re-exports it",
                        table.kind.table_name()
                    )),
                );
            }
        }
    }
}

/// The real-table entries `sync` adopts, in document order: every key with
/// `::`, and the real entry of every namespace root declared (in `roots`,
/// which grows with the roots of the `::` keys). Managed entries and
/// entries of inline tables are left alone.
pub fn adoptable_entries(
    doc: &Item,
    source: &str,
    roots: &mut BTreeSet<String>,
) -> Vec<(TableId, String)> {
    let tables: Vec<(TableId, &toml_edit::Table)> = real_tables(doc)
        .into_iter()
        .filter_map(|id| {
            let table = get_path(doc, &id.real_path()).and_then(Item::as_table)?;
            Some((id, table))
        })
        .collect();
    for (_, table) in &tables {
        for (key, _) in table.iter() {
            if let Some((root, _)) = key.split_once("::") {
                roots.insert(root.to_owned());
            }
        }
    }
    let mut out = Vec::new();
    for (id, table) in &tables {
        for (key, item) in table.iter() {
            if key.contains("::") || (roots.contains(key) && !is_managed_in(key, item, source)) {
                out.push((id.clone(), key.to_owned()));
            }
        }
    }
    out
}
