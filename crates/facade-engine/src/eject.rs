//! `cargo facade eject`: the reverse of adoption. Declarations go back into
//! the real tables in RFC 3243 syntax (each namespace's entries where its
//! managed entry stood), translated features get their original values
//! back, managed entries and facades are removed.
//!
//! Exactness is checked, not hoped for: an emptied mirrored table is
//! removed only when syncing the result would recreate it byte for byte;
//! otherwise its (empty) header stays, so `eject` then `sync` always
//! restores the tree.

use std::collections::BTreeSet;
use toml_edit::{DocumentMut, Item, Key};

use crate::diagnostic::{Diagnostics, SourceFile};
use crate::load::{Manifest, Workspace};
use crate::manifest::{
    TableId, ensure_path, get_path_mut, insert_at, is_managed, real_tables, remove_empty_tables,
    replace_keeping_key, same_dependency, with_line_endings_of,
};
use crate::marker::is_managed_feature;
use crate::plan::{Consumer, Declaration, Plan, Source};
use crate::render::render_consumer;
use crate::write::{Action, Change, Owner};

/// Every change `eject` makes: consumer manifests and facade deletions
/// (the recorded verdicts included).
pub fn collect_changes(
    ws: &Workspace,
    plan: &Plan,
    diags: &mut Diagnostics,
) -> anyhow::Result<Vec<Change>> {
    let mut changes = Vec::new();
    for (index, consumer) in plan.consumers.iter().enumerate() {
        let manifest = &ws.manifests[consumer.manifest];
        let text = eject_manifest(manifest, index, plan);
        if text != manifest.file.text() {
            changes.push(Change {
                path: manifest.path().to_owned(),
                old: Some(manifest.file.text().as_bytes().to_vec()),
                action: Action::Write(text),
                owner: Owner::Consumer(consumer.name.clone()),
            });
        }
    }
    crate::write::remove_facades(
        &plan.facade_dir,
        &BTreeSet::new(),
        "is ejected",
        &mut changes,
        diags,
    )?;
    // Nothing left to record: the recorded verdicts go with the facades.
    changes.extend(crate::write::record_change(ws, plan, &[], diags)?);
    Ok(changes)
}

/// The consumer's manifest with its declarations back in the real tables.
pub fn eject_manifest(manifest: &Manifest, index: usize, plan: &Plan) -> String {
    let tidy = eject_doc(manifest, index, plan, true);
    // Would `sync` give the current manifest back from the tidy result?
    if resyncs_to(manifest, &tidy, index, plan) {
        tidy
    } else {
        eject_doc(manifest, index, plan, false)
    }
}

fn eject_doc(manifest: &Manifest, index: usize, plan: &Plan, tidy: bool) -> String {
    let mut doc: DocumentMut = manifest.doc.clone().into_mut();
    let mut mirrors: Vec<TableId> = plan
        .declarations_of(index)
        .iter()
        .filter(|d| !d.adopted)
        .map(|d| d.table.clone())
        .collect();
    mirrors.dedup();
    let mut seen = BTreeSet::new();
    mirrors.retain(|t| seen.insert(t.clone()));

    for table_id in &mirrors {
        move_back(&mut doc, table_id);
    }
    name_path_packages(&mut doc, plan.declarations_of(index));
    remove_managed_entries(&mut doc);
    restore_features(&mut doc, &plan.consumers[index]);

    if tidy {
        remove_empty_tables(&mut doc, &["package", "metadata", "facade", "features"], 1);
        for table_id in &mirrors {
            remove_empty_tables(&mut doc, &table_id.mirror_path(), 1);
        }
    }
    with_line_endings_of(manifest.file.text(), doc.to_string())
}

/// Moves a mirror table's declarations into the real table, each namespace
/// where its managed entry was (else at the end), in the order the
/// namespaces first appear.
fn move_back(doc: &mut DocumentMut, table_id: &TableId) {
    let Some(mirror) =
        get_path_mut(doc.as_item_mut(), &table_id.mirror_path()).and_then(Item::as_table_like_mut)
    else {
        return;
    };
    let keys: Vec<String> = mirror.iter().map(|(k, _)| k.to_owned()).collect();
    let entries: Vec<(Key, Item)> = keys
        .iter()
        .filter_map(|k| {
            let key = mirror.key(k)?.clone();
            Some((key, mirror.remove(k)?))
        })
        .collect();
    let mut roots: Vec<String> = Vec::new();
    for (key, _) in &entries {
        let root = root_of(key.get());
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    let real = ensure_path(doc, &table_id.real_path());
    for root in roots {
        let group: Vec<&(Key, Item)> = entries
            .iter()
            .filter(|(k, _)| root_of(k.get()) == root)
            .collect();
        // The managed entry, or a root entry retyped as a table (which
        // cannot carry the marker) saying what the declaration says.
        let declared_root = group
            .iter()
            .find(|(k, _)| k.get() == root)
            .map(|(_, item)| item);
        let at = real.iter().position(|(k, item)| {
            k == root
                && (is_managed(k, item)
                    || (item.is_table() && declared_root.is_some_and(|d| same_dependency(item, d))))
        });
        match at {
            Some(at) => {
                real.remove(&root);
                for (offset, (key, item)) in group.into_iter().enumerate() {
                    insert_at(real, at + offset, key.clone(), item.clone());
                }
            }
            None => {
                for (key, item) in group {
                    let len = real.len();
                    insert_at(real, len, key.clone(), item.clone());
                }
            }
        }
    }
}

/// Gives every path declaration its `package` where the package's name
/// differs from the declared name: cargo (nightly `open-namespaces`) looks
/// for a package literally named `foo::bar` otherwise. It goes first in the
/// entry, where `sync` recognises it and drops it again when it adopts the
/// entry (`render::drop_redundant_package`), so `eject` then `sync` stays
/// byte-exact.
fn name_path_packages(doc: &mut DocumentMut, decls: &[Declaration]) {
    for decl in decls {
        let Source::Path(_) = decl.spec.source else {
            continue;
        };
        let name = decl.name.to_string();
        if decl.spec.package == name {
            continue;
        }
        let mut path = decl.table.real_path();
        path.push(&name);
        let Some(entry) = get_path_mut(doc.as_item_mut(), &path).and_then(Item::as_table_like_mut)
        else {
            continue;
        };
        if entry.contains_key("path") && !entry.contains_key("package") {
            let package = toml_edit::value(decl.spec.package.as_str());
            insert_at(entry, 0, Key::new("package"), package);
        }
    }
}

/// Drops the managed entries left over (namespaces no longer declared).
fn remove_managed_entries(doc: &mut DocumentMut) {
    for table_id in real_tables(doc.as_item()) {
        if let Some(real) =
            get_path_mut(doc.as_item_mut(), &table_id.real_path()).and_then(Item::as_table_like_mut)
        {
            let managed: Vec<String> = real
                .iter()
                .filter(|(k, item)| is_managed(k, item))
                .map(|(k, _)| k.to_owned())
                .collect();
            for key in managed {
                real.remove(&key);
            }
        }
    }
}

/// Features: the original values back in place of the translations, and
/// cargo-facade's own entries dropped.
fn restore_features(doc: &mut DocumentMut, consumer: &Consumer) {
    let mirror_features: Vec<(String, Item)> = get_path_mut(
        doc.as_item_mut(),
        &["package", "metadata", "facade", "features"],
    )
    .and_then(Item::as_table_like_mut)
    .map(|t| {
        let keys: Vec<String> = t.iter().map(|(k, _)| k.to_owned()).collect();
        keys.into_iter()
            .filter_map(|k| Some((k.clone(), t.remove(&k)?)))
            .collect()
    })
    .unwrap_or_default();
    if !mirror_features.is_empty() || consumer.features.iter().any(|f| f.adopted) {
        let real = ensure_path(doc, &["features"]);
        for (name, item) in mirror_features {
            replace_keeping_key(real, &name, item);
        }
    }
    if let Some(real) = doc.get_mut("features").and_then(Item::as_table_like_mut) {
        let stale: Vec<String> = real
            .iter()
            .filter(|(_, item)| is_managed_feature(item))
            .map(|(k, _)| k.to_owned())
            .collect();
        for key in stale {
            real.remove(&key);
        }
    }
}

fn root_of(key: &str) -> String {
    key.split_once("::")
        .map_or(key, |(root, _)| root)
        .to_owned()
}

/// Whether syncing `text` (the ejected manifest) gives `manifest` back.
fn resyncs_to(manifest: &Manifest, text: &str, index: usize, plan: &Plan) -> bool {
    let Ok(doc) = toml_edit::Document::parse(text.to_owned()) else {
        return false;
    };
    let ejected = Manifest {
        file: SourceFile::new(manifest.path().to_owned(), text.to_owned()),
        doc,
    };
    // The same plan, with this consumer's declarations now in real tables.
    let mut replay = plan.clone();
    let range = replay.consumers[index].declarations.clone();
    for decl in &mut replay.declarations[range] {
        decl.adopted = true;
    }
    let declared: Vec<(String, bool)> = replay
        .declarations_of(index)
        .iter()
        .map(|d| (d.name.to_string(), d.spec.optional))
        .collect();
    let adoptable = ejected
        .doc
        .get("features")
        .and_then(Item::as_table_like)
        .map(|t| crate::plan::adoptable_features(t, &declared, text))
        .unwrap_or_default();
    for feature in &mut replay.consumers[index].features {
        feature.adopted = adoptable.contains(&feature.name);
    }
    render_consumer(&ejected, &replay.consumers[index], &replay) == manifest.file.text()
}
