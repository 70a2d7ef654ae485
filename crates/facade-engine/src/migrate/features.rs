//! The `[features]` half of `migrate`: features that name a moving
//! dependency (`dep:foo-bar`, `foo-bar/x`, `foo-bar?/x`) move with it into
//! `[package.metadata.facade.features]`, in RFC syntax (`dep:foo::bar`,
//! `foo::bar/x`, `foo::bar?/x`), and back.
//!
//! The mirror table is where `sync` reads features from today, and it
//! writes each one's translation into the real `[features]` under the same
//! key. So forward leaves, in the key's place, a marked placeholder that
//! `sync` fills: the key keeps its place and comments, and the value (with
//! its own comments) is what moves. Reverse puts the value back over the
//! translation.
//!
//! An optional dependency that no `dep:` names has an implicit feature of
//! its name (`--features foo-bar`, `#[cfg(feature = "foo-bar")]`). A
//! declaration's implicit feature would be `foo::bar`, which cargo cannot
//! name today, so forward writes the feature explicitly
//! (`foo-bar = ["dep:foo::bar"]`); reverse removes such a feature again,
//! unless the record says the user wrote it
//! (`[package.metadata.facade-migrate.features] foo-bar = true`).

use std::collections::BTreeSet;

use toml_edit::{Array, DocumentMut, Item, Key, Table, TableLike, Value};

use super::manifest::{Entry, MIRROR, RECORD};
use crate::manifest::{ensure_implicit, get_path, get_path_mut};
use crate::marker::{MANAGED_COMMENT, is_managed_feature};

/// A dependency as features name it: its key and the declaration's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named<'e> {
    pub key: &'e str,
    pub name: &'e str,
    pub optional: bool,
}

/// `value` with dependency `from` renamed to `to`: `dep:from`, `from/x`,
/// `from?/x`. `None` when it does not name `from` (a bare name is a feature).
pub fn rename_value(value: &str, from: &str, to: &str) -> Option<String> {
    if value.strip_prefix("dep:") == Some(from) {
        return Some(format!("dep:{to}"));
    }
    let rest = value.strip_prefix(from)?;
    (rest.starts_with('/') || rest.starts_with("?/")).then(|| format!("{to}{rest}"))
}

/// Whether any value of a feature names one of `deps` by `side` (its key
/// forward, its name reverse).
fn names_any(values: &Array, deps: &[Named<'_>], reverse: bool) -> bool {
    values.iter().filter_map(Value::as_str).any(|v| {
        deps.iter().any(|d| {
            let from = if reverse { d.name } else { d.key };
            rename_value(v, from, from).is_some()
        })
    })
}

/// Renames every value of `values` in place, keeping each one's decor.
fn rename_values(values: &mut Array, deps: &[Named<'_>], reverse: bool) {
    for value in values.iter_mut() {
        let Some(text) = value.as_str() else {
            continue;
        };
        let renamed = deps.iter().find_map(|d| {
            let (from, to) = if reverse {
                (d.name, d.key)
            } else {
                (d.key, d.name)
            };
            rename_value(text, from, to)
        });
        if let Some(renamed) = renamed
            && renamed != text
        {
            let decor = value.decor().clone();
            *value = Value::from(renamed);
            *value.decor_mut() = decor;
        }
    }
}

/// The dependencies among `entries` as features name them, one per key.
pub fn named(entries: &[Entry]) -> Vec<Named<'_>> {
    let mut out: Vec<Named<'_>> = Vec::new();
    for entry in entries {
        match out.iter_mut().find(|n| n.key == entry.key) {
            Some(n) => n.optional |= entry.optional,
            None => out.push(Named {
                key: &entry.key,
                name: &entry.name,
                optional: entry.optional,
            }),
        }
    }
    out
}

fn mirror_path() -> Vec<&'static str> {
    MIRROR.iter().copied().chain(["features"]).collect()
}

fn record_path() -> Vec<&'static str> {
    RECORD.iter().copied().chain(["features"]).collect()
}

/// The placeholder `sync` replaces with a feature's translation.
fn placeholder() -> Item {
    let mut array = Value::Array(Array::new());
    array.decor_mut().set_suffix(format!(" {MANAGED_COMMENT}"));
    Item::Value(array)
}

/// Whether reverse would take `feature = values` for one forward wrote.
fn looks_written(feature: &str, values: &Array, deps: &[Named<'_>]) -> bool {
    let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    deps.iter()
        .any(|d| d.key == feature && values == [format!("dep:{}", d.name)])
}

/// Forward on a document whose dependency entries moved already; `records`
/// keeps the user's features that reverse would take for written ones.
pub fn forward(doc: &mut DocumentMut, deps: &[Named<'_>], records: bool) {
    let dep_named: BTreeSet<&str> = doc
        .get("features")
        .and_then(Item::as_table_like)
        .into_iter()
        .flat_map(|t| t.iter())
        .filter_map(|(_, item)| item.as_array())
        .flat_map(|a| a.iter().filter_map(Value::as_str))
        .filter_map(|v| v.strip_prefix("dep:"))
        .collect();
    let implicit: Vec<&Named<'_>> = deps
        .iter()
        .filter(|d| d.optional && !dep_named.contains(d.key))
        .collect();
    let moving: Vec<String> = doc
        .get("features")
        .and_then(Item::as_table_like)
        .into_iter()
        .flat_map(|t| t.iter())
        .filter(|(_, item)| item.as_array().is_some_and(|a| names_any(a, deps, false)))
        .map(|(key, _)| key.to_owned())
        .collect();
    let mut moved: Vec<(String, Item)> = Vec::new();
    for feature in &moving {
        let slot = doc
            .get_mut("features")
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.get_mut(feature))
            .expect("listed above");
        let mut item = std::mem::replace(slot, placeholder());
        if let Some(values) = item.as_array_mut() {
            rename_values(values, deps, false);
            if records && looks_written(feature, values, deps) {
                ensure_implicit(doc, &record_path()).insert(feature, toml_edit::value(true));
            }
        }
        moved.push((feature.clone(), item));
    }
    for dep in implicit {
        if doc.get("features").is_none() {
            doc.insert("features", Item::Table(Table::new()));
        }
        let real = doc["features"].as_table_like_mut().expect("a table");
        if real.contains_key(dep.key) {
            continue; // a feature of that name is there already
        }
        real.insert(dep.key, placeholder());
        let values = Array::from_iter([format!("dep:{}", dep.name)]);
        moved.push((dep.key.to_owned(), toml_edit::value(values)));
    }
    if moved.is_empty() {
        return;
    }
    let mirror = ensure_implicit(doc, &mirror_path());
    for (feature, item) in moved {
        mirror.entry_format(&Key::new(feature)).or_insert(item);
    }
}

/// Reverse on a document: the mirrored features that name `deps` go back
/// over their translations; the ones forward wrote go.
pub fn reverse(doc: &mut DocumentMut, deps: &[Named<'_>]) {
    let Some(mirror) = get_path(doc.as_item(), &mirror_path()).and_then(Item::as_table_like) else {
        return;
    };
    let going: Vec<String> = mirror
        .iter()
        .filter(|(_, item)| item.as_array().is_some_and(|a| names_any(a, deps, true)))
        .map(|(key, _)| key.to_owned())
        .collect();
    let mut dropped = false;
    for feature in going {
        let mut item = get_path_mut(doc.as_item_mut(), &mirror_path())
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.remove(&feature))
            .expect("listed above");
        let kept = get_path_mut(doc.as_item_mut(), &record_path())
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.remove(&feature))
            .is_some();
        let written = !kept
            && item
                .as_array()
                .is_some_and(|values| looks_written(&feature, values, deps));
        let real = doc.get_mut("features").and_then(Item::as_table_like_mut);
        if written {
            if let Some(real) = real
                && real.get(&feature).is_some_and(is_managed_feature)
            {
                real.remove(&feature);
                dropped = true;
            }
            continue;
        }
        if let Some(values) = item.as_array_mut() {
            rename_values(values, deps, true);
        }
        match real {
            Some(real) => match real.get_mut(&feature) {
                Some(slot) => *slot = item,
                None => {
                    real.insert(&feature, item);
                }
            },
            None => {
                let mut table = Table::new();
                table.insert(&feature, item);
                doc.insert("features", Item::Table(table));
            }
        }
    }
    if dropped
        && doc
            .get("features")
            .and_then(Item::as_table_like)
            .is_some_and(TableLike::is_empty)
    {
        doc.remove("features");
    }
    for path in [mirror_path(), record_path()] {
        let parent = &path[..path.len() - 1];
        let empty = get_path(doc.as_item(), &path)
            .and_then(Item::as_table_like)
            .is_some_and(TableLike::is_empty);
        if empty
            && let Some(parent) =
                get_path_mut(doc.as_item_mut(), parent).and_then(Item::as_table_like_mut)
        {
            parent.remove("features");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        for (value, renamed) in [
            ("dep:foo-bar", Some("dep:foo::bar")),
            ("foo-bar/std", Some("foo::bar/std")),
            ("foo-bar?/std", Some("foo::bar?/std")),
            ("foo-bar", None),
            ("foo-barx/std", None),
            ("dep:foo-barx", None),
        ] {
            assert_eq!(
                rename_value(value, "foo-bar", "foo::bar").as_deref(),
                renamed
            );
        }
    }
}
