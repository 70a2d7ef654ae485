//! Edits of a `toml_edit` document that keep the user's formatting: find,
//! create, insert in place, drop what became empty, keep the line endings.
//! Every stage and command that writes a manifest uses these.

use toml_edit::{DocumentMut, InlineTable, Item, Key, Table, TableLike, Value};

/// The item at a key path.
pub fn get_path<'a>(item: &'a Item, path: &[&str]) -> Option<&'a Item> {
    path.iter()
        .try_fold(item, |item, key| item.as_table_like()?.get(key))
}

/// The item at a key path, mutable.
pub fn get_path_mut<'a>(item: &'a mut Item, path: &[&str]) -> Option<&'a mut Item> {
    path.iter()
        .try_fold(item, |item, key| item.as_table_like_mut()?.get_mut(key))
}

/// The table at `path`, created (with implicit parents) when missing.
pub fn ensure_path<'d>(doc: &'d mut DocumentMut, path: &[&str]) -> &'d mut dyn TableLike {
    let mut item = doc.as_item_mut();
    for (depth, key) in path.iter().enumerate() {
        let table_like = item
            .as_table_like_mut()
            .expect("dependency tables are tables");
        if table_like.get(key).is_none() {
            let mut table = Table::new();
            // `target` and the platform are only path segments of the header.
            table.set_implicit(depth + 1 < path.len());
            let key = if depth > 0 && path[depth - 1] == "target" {
                platform_key(key)
            } else {
                Key::new(*key)
            };
            insert_formatted(table_like, &key, Item::Table(table));
        }
        item = table_like.get_mut(key).expect("just ensured");
    }
    item.as_table_like_mut()
        .expect("dependency tables are tables")
}

/// A platform key as Cargo's docs write it: `'cfg(unix)'`.
pub fn platform_key(target: &str) -> Key {
    Key::parse(&format!("'{target}'"))
        .ok()
        .and_then(|mut keys| (keys.len() == 1).then(|| keys.remove(0)))
        .filter(|key| key.get() == target)
        .unwrap_or_else(|| Key::new(target))
}

/// Sets `key` to `item`; an existing key keeps its place, comments and
/// formatting (`TableLike::insert` would reset them).
pub fn replace_keeping_key(table: &mut dyn TableLike, key: &str, item: Item) {
    match table.get_mut(key) {
        Some(slot) => *slot = item,
        None => {
            table.insert(key, item);
        }
    }
}

/// Inserts `key` at position `at` of a table, keeping every other entry's
/// order and formatting.
pub fn insert_at(table: &mut dyn TableLike, at: usize, key: Key, item: Item) {
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_owned()).skip(at).collect();
    let tail: Vec<(Key, Item)> = keys
        .iter()
        .filter_map(|k| {
            let (key, _) = table.get_key_value(k)?;
            let key = key.clone();
            let item = table.remove(k)?;
            Some((key, item))
        })
        .collect();
    insert_formatted(table, &key, item);
    for (key, item) in tail {
        insert_formatted(table, &key, item);
    }
}

/// `Table::insert_formatted` for any table-like (keeps the key's decor).
pub fn insert_formatted(table: &mut dyn TableLike, key: &Key, item: Item) {
    match table.entry_format(key) {
        toml_edit::Entry::Vacant(entry) => {
            entry.insert(item);
        }
        toml_edit::Entry::Occupied(mut entry) => {
            entry.insert(item);
        }
    }
}

/// Removes the table at `path` if empty and uncommented, then its parents
/// while they are empty implicit tables, keeping `path[..keep]`.
pub fn remove_empty_tables(doc: &mut DocumentMut, path: &[&str], keep: usize) {
    for depth in (keep + 1..=path.len()).rev() {
        let (last, parents) = path[..depth].split_last().expect("non-empty");
        let Some(parent) =
            get_path_mut(doc.as_item_mut(), parents).and_then(Item::as_table_like_mut)
        else {
            return;
        };
        let removable = parent.get(last).is_some_and(|item| match item {
            Item::Table(t) => {
                t.is_empty()
                    && (depth < path.len() && t.is_implicit()
                        || t.decor()
                            .prefix()
                            .and_then(|p| p.as_str())
                            .is_none_or(|p| p.trim().is_empty()))
            }
            _ => false,
        });
        if !removable {
            return;
        }
        parent.remove(last);
    }
}

/// The table at `path`, created implicit (shown only once it holds values).
pub fn ensure_implicit<'d>(doc: &'d mut DocumentMut, path: &[&str]) -> &'d mut dyn TableLike {
    let mut item = doc.as_item_mut();
    for key in path {
        let table = item.as_table_like_mut().expect("a table");
        if table.get(key).is_none() {
            let mut new = Table::new();
            new.set_implicit(true);
            table.insert(key, Item::Table(new));
        }
        item = table.get_mut(key).expect("just ensured");
    }
    item.as_table_like_mut().expect("a table")
}

/// Removes the empty tables of `path` (whatever their comments), deepest
/// first, keeping `path[..keep]`; unlike [`remove_empty_tables`], a missing
/// table does not stop it.
pub fn prune_empty_tables(doc: &mut DocumentMut, path: &[&str], keep: usize) {
    for depth in (keep + 1..=path.len()).rev() {
        let (last, parents) = path[..depth].split_last().expect("non-empty");
        let Some(parent) =
            get_path_mut(doc.as_item_mut(), parents).and_then(Item::as_table_like_mut)
        else {
            continue;
        };
        let empty = parent
            .get(last)
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.is_empty());
        if empty {
            parent.remove(last);
        }
    }
}

/// Appends to an inline table, moving the space before `}` to the new last value.
pub fn inline_push(table: &mut InlineTable, key: &str, mut value: Value) {
    let last_suffix = table.iter_mut().last().and_then(|(_, v)| {
        let suffix = v.decor().suffix().cloned();
        v.decor_mut().set_suffix("");
        suffix
    });
    value.decor_mut().set_prefix(" ");
    if let Some(suffix) = last_suffix {
        value.decor_mut().set_suffix(suffix);
    }
    let mut new_key = Key::new(key);
    new_key.leaf_decor_mut().set_prefix(" ");
    new_key.leaf_decor_mut().set_suffix(" ");
    table.insert_formatted(&new_key, value);
}

/// Removes from an inline table; the removed last value's trailing space
/// goes to the new last value.
pub fn inline_remove(table: &mut InlineTable, key: &str) {
    let was_last = table.iter().last().is_some_and(|(k, _)| k == key);
    let Some(removed) = table.remove(key) else {
        return;
    };
    if was_last
        && let Some(suffix) = removed.decor().suffix().cloned()
        && let Some((_, last)) = table.iter_mut().last()
    {
        last.decor_mut().set_suffix(suffix);
    }
}

/// `text` with the line endings of `original`: toml_edit writes `\n`, and
/// editing one entry of a CRLF manifest must not rewrite all its lines.
pub fn with_line_endings_of(original: &str, text: String) -> String {
    if original.contains("\r\n") {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        text
    }
}
