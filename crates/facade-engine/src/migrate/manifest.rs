//! The TOML half of `migrate`: moves a consumer's dependency on package
//! `foo-bar` into the declaration `"foo::bar"` of the mirrored
//! `[package.metadata.facade…]` table (and its real `foo` into the root
//! declaration `foo`), and back. Entries move with `toml_edit`, keeping
//! their comments and formatting; only a registry or git child gains the
//! `package` key that declarations require.
//!
//! The way back needs what the way there dropped: the dependency's key,
//! its place in the real table, and whether `package` or an inline table
//! was there before. By default the key is the package (the root's is the
//! root), `package` equal to the key goes, `{ version = "…" }` alone becomes
//! a plain version string, and an entry goes back where the table's sort
//! order puts it (at the end of an unsorted table). When that would not
//! give the original bytes back, forward writes what it needs to
//! `[package.metadata.facade-migrate…]` (mirroring the tables):
//! `"foo::bar" = { key = "fb", index = 2, table = true, package = true }`.

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{DocumentMut, InlineTable, Item, Key, Table, TableLike, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, Label};
use crate::load::Manifest;
use crate::manifest::{
    TableId, ensure_implicit, get_path, get_path_mut, inline_push, inline_remove, insert_at,
    is_managed, is_managed_in, prune_empty_tables, real_tables,
};
use crate::name::DeclName;

/// The table that holds declarations.
pub const MIRROR: [&str; 3] = ["package", "metadata", "facade"];

/// The table that holds what `--reverse` needs beyond the declarations.
pub const RECORD: [&str; 3] = ["package", "metadata", "facade-migrate"];

/// One `foo::bar=foo-bar` of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// `foo::bar`.
    pub name: String,
    pub root: String,
    pub child: String,
    /// The package that provides the child today.
    pub package: String,
}

impl Spec {
    /// Parses `foo::bar=foo-bar`.
    pub fn parse(arg: &str) -> Result<Spec, Box<Diagnostic>> {
        let usage = || {
            Diagnostic::error(format!("invalid migration `{arg}`"))
                .help("write `<root>::<child>=<package>`, e.g. `foo::bar=foo-bar`")
        };
        let Some((name, package)) = arg.split_once('=') else {
            return Err(Box::new(usage().note(
                "the package that provides the child is required; cargo-facade never guesses it",
            )));
        };
        let (root, child) = match DeclName::parse(name.trim()) {
            Ok(DeclName::Child { root, child }) => (root, child),
            Ok(DeclName::Root(_)) => {
                return Err(Box::new(usage().note(format!(
                    "`{name}` is not a namespaced name: it has no `::`"
                ))));
            }
            Err(err) => {
                let mut diag = usage().note(err.message);
                for note in err.notes {
                    diag = diag.note(note);
                }
                return Err(Box::new(diag));
            }
        };
        let package = package.trim();
        if let Err(err) = cargo_util_schemas::manifest::PackageName::new(package) {
            return Err(Box::new(usage().note(err.to_string())));
        }
        Ok(Spec {
            name: format!("{root}::{child}"),
            root,
            child,
            package: package.to_owned(),
        })
    }

    /// The child's module: `bar` (`-` → `_`).
    pub fn module(&self) -> String {
        self.child.replace('-', "_")
    }

    /// The root as Rust names it.
    pub fn root_ident(&self) -> String {
        self.root.replace('-', "_")
    }
}

/// A dependency that moves between a real table and its mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub table: TableId,
    /// The declaration's name: `foo::bar`, or `foo` for the root.
    pub name: String,
    /// The key in the real table: the extern name, `-` → `_`.
    pub key: String,
    /// `workspace = true`: the spec lives in the workspace's table.
    pub inherited: bool,
    /// `Some(i)`: the child of `specs[i]`; `None`: a root.
    pub spec: Option<usize>,
    /// Where the record says the entry stood, when it says.
    pub index: Option<usize>,
    /// The original was an inline table (keep `{ version = … }`).
    pub keep_table: bool,
    /// The original had `package` (keep it).
    pub keep_package: bool,
    /// `optional = true`.
    pub optional: bool,
}

/// `path` of the table `table` mirrored below `base`.
pub fn mirrored(base: &[&str], table: &TableId) -> Vec<String> {
    base.iter()
        .map(|s| (*s).to_owned())
        .chain(table.real_path().into_iter().map(str::to_owned))
        .collect()
}

fn strs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

/// The package a real entry depends on (`workspace = true` looks it up in
/// `[workspace.dependencies]`).
fn package_of(key: &str, item: &Item, workspace_deps: Option<&dyn TableLike>) -> String {
    let Some(table) = item.as_table_like() else {
        return key.to_owned();
    };
    if inherits(item) {
        return workspace_deps
            .and_then(|deps| deps.get(key))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get("package"))
            .and_then(Item::as_str)
            .unwrap_or(key)
            .to_owned();
    }
    table
        .get("package")
        .and_then(Item::as_str)
        .unwrap_or(key)
        .to_owned()
}

fn is_optional(item: &Item) -> bool {
    item.as_table_like()
        .and_then(|t| t.get("optional"))
        .and_then(Item::as_bool)
        == Some(true)
}

fn inherits(item: &Item) -> bool {
    item.as_table_like()
        .and_then(|t| t.get("workspace"))
        .and_then(Item::as_bool)
        == Some(true)
}

/// Whether the entry's package can only come from a `package` key.
fn needs_package(item: &Item) -> bool {
    match item.as_table_like() {
        None => true,
        Some(t) => !t.contains_key("path") && !t.contains_key("package") && !inherits(item),
    }
}

/// Finds what forward moves in one consumer; problems go to `diags`.
pub fn forward_entries(
    manifest: &Manifest,
    root: &Manifest,
    specs: &[Spec],
    diags: &mut Diagnostics,
) -> Vec<Entry> {
    let doc = manifest.doc.as_item();
    let workspace_deps =
        get_path(root.doc.as_item(), &["workspace", "dependencies"]).and_then(Item::as_table_like);
    let tables = real_tables(doc);
    let mut entries = spec_entries(doc, &tables, specs, workspace_deps);
    // The roots of the namespaces that gain a child.
    let roots: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.spec.map(|i| specs[i].root.as_str()))
        .collect();
    entries.extend(root_entries(doc, manifest.file.text(), &tables, &roots));
    check_forward(manifest, &entries, specs, diags);
    entries
}

/// An entry of a real table, before any record says more.
fn plain_entry(table: &TableId, name: &str, key: &str, item: &Item, spec: Option<usize>) -> Entry {
    Entry {
        table: table.clone(),
        name: name.to_owned(),
        key: key.to_owned(),
        inherited: inherits(item),
        spec,
        index: None,
        keep_table: false,
        keep_package: false,
        optional: is_optional(item),
    }
}

/// The dependencies on a spec's package, table by table.
fn spec_entries(
    doc: &Item,
    tables: &[TableId],
    specs: &[Spec],
    workspace_deps: Option<&dyn TableLike>,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for table in tables {
        let Some(deps) = get_path(doc, &table.real_path()).and_then(Item::as_table_like) else {
            continue;
        };
        for (key, item) in deps.iter() {
            let package = package_of(key, item, workspace_deps);
            let Some(index) = specs.iter().position(|s| s.package == package) else {
                continue;
            };
            entries.push(plain_entry(
                table,
                &specs[index].name,
                key,
                item,
                Some(index),
            ));
        }
    }
    entries
}

/// The real (not managed) dependencies on `roots`, table by table.
fn root_entries(
    doc: &Item,
    source: &str,
    tables: &[TableId],
    roots: &BTreeSet<&str>,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for table in tables {
        let Some(deps) = get_path(doc, &table.real_path()).and_then(Item::as_table_like) else {
            continue;
        };
        for root in roots {
            if let Some(item) = deps.get(root)
                && !is_managed_in(root, item, source)
            {
                entries.push(plain_entry(table, root, root, item, None));
            }
        }
    }
    entries
}

/// The key `key` of the real table `table`, labelled `text`.
fn key_label(manifest: &Manifest, table: &TableId, key: &str, text: &str) -> Label {
    let span = get_path(manifest.doc.as_item(), &table.real_path())
        .and_then(Item::as_table_like)
        .and_then(|t| t.get_key_value(key))
        .and_then(|(k, _)| k.span())
        .unwrap_or(0..0);
    Label::new(&manifest.file, span, text)
}

/// What forward cannot carry over: a package under two keys, a name
/// declared already.
fn check_forward(manifest: &Manifest, entries: &[Entry], specs: &[Spec], diags: &mut Diagnostics) {
    let doc = manifest.doc.as_item();
    let mut keys: BTreeMap<usize, &Entry> = BTreeMap::new();
    for entry in entries {
        if let Some(index) = entry.spec
            && let Some(first) = keys.insert(index, entry)
            && first.key != entry.key
        {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` depends on `{}` under two names, `{}` and `{}`",
                    member_name(manifest),
                    specs[index].package,
                    first.key,
                    entry.key
                ))
                .label(key_label(manifest, &entry.table, &entry.key, "one name"))
                .label(key_label(manifest, &first.table, &first.key, "another name"))
                .note(format!("the code of both names becomes `{}::…`, so the way back could not tell them apart", specs[index].name))
                .help("use one dependency key in every table and migrate again"),
            );
        }
        let mirror = mirrored(&MIRROR, &entry.table);
        if let Some((existing, _)) = get_path(doc, &strs(&mirror))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get_key_value(&entry.name))
        {
            diags.push(
                Diagnostic::error(format!("`{}` is declared already", entry.name))
                    .at(
                        &manifest.file,
                        existing.span().unwrap_or(0..0),
                        "declared here",
                    )
                    .label(key_label(
                        manifest,
                        &entry.table,
                        &entry.key,
                        "and depended on here",
                    ))
                    .help("remove one of the two, then migrate again (or run `cargo facade sync`)"),
            );
        }
    }
}

fn member_name(manifest: &Manifest) -> String {
    manifest
        .doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str)
        .unwrap_or("this package")
        .to_owned()
}

/// The migrated text of a consumer's manifest: without records when the
/// defaults of the way back restore it, with them when only they do. `Err`
/// holds what the way back would give instead.
pub fn forward_text(
    manifest: &Manifest,
    entries: &[Entry],
    specs: &[Spec],
    facade_path: &dyn Fn(&str) -> String,
) -> Result<String, String> {
    let mut back = String::new();
    for records in [false, true] {
        let mut doc = manifest.doc.clone().into_mut();
        forward_doc(&mut doc, entries, specs, facade_path, records);
        let forward = doc.to_string();
        match reverse_text(&forward, specs) {
            Some(text) if text == manifest.file.text() => return Ok(forward),
            other => back = other.unwrap_or_default(),
        }
    }
    Err(back)
}

/// The way back on a manifest's text; `None` when it cannot be taken.
pub fn reverse_text(text: &str, specs: &[Spec]) -> Option<String> {
    let mut doc: DocumentMut = text.parse().ok()?;
    let back = reverse_entries(doc.as_item(), specs);
    reverse_doc(&mut doc, &back).ok()?;
    Some(doc.to_string())
}

/// Forward on a document: every entry into its mirror, managed
/// placeholders where the namespace's first entry stood, records when asked.
pub fn forward_doc(
    doc: &mut DocumentMut,
    entries: &[Entry],
    specs: &[Spec],
    facade_path: &dyn Fn(&str) -> String,
    records: bool,
) {
    let mut by_table: BTreeMap<&TableId, Vec<&Entry>> = BTreeMap::new();
    for entry in entries {
        by_table.entry(&entry.table).or_default().push(entry);
    }
    for (table, moved) in by_table {
        let real = table.real_path();
        let deps = get_path_mut(doc.as_item_mut(), &real)
            .and_then(Item::as_table_like_mut)
            .expect("the real table exists");
        let order: Vec<String> = deps.iter().map(|(k, _)| k.to_owned()).collect();
        let mut moved = moved;
        moved.sort_by_key(|e| order.iter().position(|k| *k == e.key));
        // Where each namespace's managed entry goes: the root's place, or
        // the first child's.
        let mut slots: BTreeMap<String, usize> = BTreeMap::new();
        let mut taken = Vec::new();
        for entry in &moved {
            let index = order
                .iter()
                .position(|k| *k == entry.key)
                .expect("key of this table");
            let key = deps.key(&entry.key).expect("key of this table").clone();
            let mut item = deps.remove(&entry.key).expect("key of this table");
            let root = match entry.spec {
                Some(i) => specs[i].root.clone(),
                None => entry.name.clone(),
            };
            let slot = slots.entry(root).or_insert(usize::MAX);
            if entry.spec.is_none() || *slot == usize::MAX {
                *slot = index;
            }
            let record = records.then(|| record_value(&entry.key, index, &item));
            if let Some(i) = entry.spec
                && needs_package(&item)
            {
                add_package(&mut item, &specs[i].package);
            }
            taken.push((entry, key, item, record));
        }
        // Placeholders: `sync` completes them in place.
        let deps = get_path_mut(doc.as_item_mut(), &real)
            .and_then(Item::as_table_like_mut)
            .expect("the real table exists");
        let mut placed: Vec<(usize, String)> =
            slots.into_iter().map(|(root, at)| (at, root)).collect();
        placed.sort();
        let mut inserted = 0;
        for (at, root) in placed {
            if deps.contains_key(&root) {
                continue;
            }
            let kept_before = order[..at].iter().filter(|k| deps.contains_key(k)).count();
            let mut value = InlineTable::new();
            value.insert("path", facade_path(&root).into());
            value.insert("package", format!("{root}-facade").into());
            insert_at(
                deps,
                kept_before + inserted,
                Key::new(root.as_str()),
                Item::Value(Value::InlineTable(value)),
            );
            inserted += 1;
        }
        for (entry, key, item, record) in taken {
            let target = ensure_mirror(doc, &MIRROR, &entry.table);
            let new_key = Key::new(entry.name.as_str())
                .with_leaf_decor(key.leaf_decor().clone())
                .with_dotted_decor(key.dotted_decor().clone());
            let end = target.len();
            insert_at(target, end, new_key, item);
            if let Some(record) = record {
                ensure_mirror(doc, &RECORD, &entry.table)
                    .insert(&entry.name, Item::Value(Value::InlineTable(record)));
            }
        }
    }
    super::features::forward(doc, &super::features::named(entries), records);
}

/// `{ key = "fb", index = 2, table = true, package = true }`.
fn record_value(key: &str, index: usize, item: &Item) -> InlineTable {
    let mut record = InlineTable::new();
    record.insert("key", key.into());
    record.insert("index", Value::from(index as i64));
    if matches!(item, Item::Value(Value::InlineTable(_))) {
        record.insert("table", true.into());
    }
    if item
        .as_table_like()
        .is_some_and(|t| t.contains_key("package"))
    {
        record.insert("package", true.into());
    }
    record
}

/// Adds `package`: a version string becomes `{ version = …, package = … }`.
fn add_package(item: &mut Item, package: &str) {
    match item {
        Item::Value(Value::String(version)) => {
            let decor = version.decor().clone();
            let mut version = version.clone();
            version.decor_mut().clear();
            let mut table = InlineTable::new();
            table.insert("version", Value::String(version));
            table.insert("package", package.into());
            *table.decor_mut() = decor;
            *item = Item::Value(Value::InlineTable(table));
        }
        Item::Value(Value::InlineTable(table)) => inline_push(table, "package", package.into()),
        Item::Table(table) => {
            table.insert("package", toml_edit::value(package));
        }
        _ => {}
    }
}

/// The mirror of `table` below `base`, created implicit; a platform key is
/// written as the real table writes it (`'cfg(unix)'`).
fn ensure_mirror<'d>(
    doc: &'d mut DocumentMut,
    base: &[&str],
    table: &TableId,
) -> &'d mut dyn TableLike {
    if let Some(platform) = &table.target
        && let Some(mut key) = doc
            .get("target")
            .and_then(Item::as_table_like)
            .and_then(|t| t.key(platform))
            .cloned()
    {
        key.leaf_decor_mut().clear();
        key.dotted_decor_mut().clear();
        let mut path: Vec<&str> = base.to_vec();
        path.push("target");
        let targets = ensure_implicit(doc, &path);
        if !targets.contains_key(platform) {
            let mut new = Table::new();
            new.set_implicit(true);
            targets.entry_format(&key).or_insert(Item::Table(new));
        }
    }
    ensure_implicit(doc, &strs(&mirrored(base, table)))
}

/// What reverse moves back in one consumer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Back {
    pub entries: Vec<Entry>,
    /// Namespaces left without declarations: their managed entries go.
    pub leaving: BTreeSet<String>,
}

/// Finds what reverse moves back in one consumer: every declaration of a
/// spec, and the root declarations of namespaces left without children.
pub fn reverse_entries(doc: &Item, specs: &[Spec]) -> Back {
    let Some(facade) = get_path(doc, &MIRROR) else {
        return Back::default();
    };
    let tables = real_tables(facade);
    let mut entries = Vec::new();
    let mut emptied_roots: BTreeSet<&str> = BTreeSet::new();
    for table in &tables {
        let Some(decls) = get_path(facade, &table.real_path()).and_then(Item::as_table_like) else {
            continue;
        };
        for (name, item) in decls.iter() {
            if let Some(index) = specs.iter().position(|s| s.name == name) {
                emptied_roots.insert(&specs[index].root);
                entries.push(entry_back(
                    doc,
                    table,
                    name,
                    item,
                    Some(index),
                    &specs[index].package,
                ));
            }
        }
    }
    // A root goes back only when no other child of it stays declared.
    emptied_roots.retain(|root| {
        !tables.iter().any(|table| {
            get_path(facade, &table.real_path())
                .and_then(Item::as_table_like)
                .is_some_and(|decls| {
                    decls.iter().any(|(name, _)| {
                        name.strip_prefix(root)
                            .is_some_and(|rest| rest.starts_with("::"))
                            && !specs.iter().any(|s| s.name == name)
                    })
                })
        })
    });
    for table in &tables {
        let Some(decls) = get_path(facade, &table.real_path()).and_then(Item::as_table_like) else {
            continue;
        };
        for root in &emptied_roots {
            if let Some(item) = decls.get(root) {
                entries.push(entry_back(doc, table, root, item, None, root));
            }
        }
    }
    Back {
        entries,
        leaving: emptied_roots.into_iter().map(str::to_owned).collect(),
    }
}

fn entry_back(
    doc: &Item,
    table: &TableId,
    name: &str,
    item: &Item,
    spec: Option<usize>,
    default_key: &str,
) -> Entry {
    let record = get_path(doc, &strs(&mirrored(&RECORD, table)))
        .and_then(|t| t.get(name))
        .and_then(Item::as_table_like);
    let field = |key: &str| record.and_then(|r| r.get(key));
    Entry {
        table: table.clone(),
        name: name.to_owned(),
        key: field("key")
            .and_then(Item::as_str)
            .unwrap_or(default_key)
            .to_owned(),
        inherited: inherits(item),
        spec,
        index: field("index")
            .and_then(Item::as_integer)
            .and_then(|i| usize::try_from(i).ok()),
        keep_table: field("table").and_then(Item::as_bool) == Some(true),
        keep_package: field("package").and_then(Item::as_bool) == Some(true),
        optional: is_optional(item),
    }
}

/// Reverse on a document. `Err` names a real entry in the way.
pub fn reverse_doc(doc: &mut DocumentMut, back: &Back) -> Result<(), String> {
    let entries = &back.entries;
    super::features::reverse(doc, &super::features::named(entries));
    remove_leaving(doc, &back.leaving);
    let mut taken: Vec<(&Entry, Key, Item)> = entries
        .iter()
        .map(|entry| {
            let (key, item) = take_declaration(doc, entry);
            (entry, key, item)
        })
        .collect();
    // Recorded places first, in order, so that each lands where it stood.
    taken.sort_by_key(|(entry, _, _)| entry.index.map_or((1, 0), |i| (0, i)));
    for (entry, key, item) in taken {
        put_back(doc, entry, key, item)?;
    }
    for entry in entries {
        tidy_tables(doc, entry);
    }
    Ok(())
}

/// Removes the managed entries of namespaces that leave this consumer.
fn remove_leaving(doc: &mut DocumentMut, leaving: &BTreeSet<String>) {
    for table in real_tables(doc.as_item()) {
        let Some(deps) =
            get_path_mut(doc.as_item_mut(), &table.real_path()).and_then(Item::as_table_like_mut)
        else {
            continue;
        };
        for root in leaving {
            if deps.get(root).is_some_and(|item| is_managed(root, item)) {
                deps.remove(root);
            }
        }
    }
}

/// Takes `entry`'s declaration (and its record) out of the document: the
/// dependency key it becomes, with the declaration's decor, and its item.
fn take_declaration(doc: &mut DocumentMut, entry: &Entry) -> (Key, Item) {
    let mirror = mirrored(&MIRROR, &entry.table);
    let decls = get_path_mut(doc.as_item_mut(), &strs(&mirror))
        .and_then(Item::as_table_like_mut)
        .expect("found by reverse_entries");
    let key = decls
        .key(&entry.name)
        .expect("found by reverse_entries")
        .clone();
    let mut item = decls.remove(&entry.name).expect("found by reverse_entries");
    if entry.spec.is_some() {
        if !entry.keep_package
            && item
                .as_table_like()
                .and_then(|t| t.get("package"))
                .and_then(Item::as_str)
                == Some(entry.key.as_str())
        {
            remove_package(&mut item);
        }
        if !entry.keep_table {
            stringify(&mut item);
        }
    }
    let new_key = Key::new(entry.key.as_str())
        .with_leaf_decor(key.leaf_decor().clone())
        .with_dotted_decor(key.dotted_decor().clone());
    let record = mirrored(&RECORD, &entry.table);
    if let Some(records) =
        get_path_mut(doc.as_item_mut(), &strs(&record)).and_then(Item::as_table_like_mut)
    {
        records.remove(&entry.name);
    }
    (new_key, item)
}

/// Puts a taken declaration back into its real table as a dependency:
/// where the record says, else in sorted place. `Err` names a real entry
/// in the way.
fn put_back(doc: &mut DocumentMut, entry: &Entry, key: Key, item: Item) -> Result<(), String> {
    let real = entry.table.real_path();
    if get_path(doc.as_item(), &real).is_none() {
        ensure_implicit(doc, &real);
        if let Some(Item::Table(t)) = get_path_mut(doc.as_item_mut(), &real) {
            t.set_implicit(false);
        }
    }
    let deps = get_path_mut(doc.as_item_mut(), &real)
        .and_then(Item::as_table_like_mut)
        .expect("ensured");
    if deps.contains_key(&entry.key) {
        return Err(format!(
            "{} already has `{}`",
            entry.table.display(""),
            entry.key
        ));
    }
    let at = match entry.index {
        Some(index) => index.min(deps.len()),
        None if matches!(&item, Item::Table(t) if !t.is_dotted()) => deps.len(),
        None => sorted_place(deps, &entry.key),
    };
    insert_at(deps, at, key, item);
    Ok(())
}

/// Tidies the tables `entry` passed through: the real one back to a header
/// prefix, the mirrored ones gone when empty.
fn tidy_tables(doc: &mut DocumentMut, entry: &Entry) {
    // A real table left with only `[dependencies.x]` tables in it was
    // only a header prefix before the managed entry came.
    if let Some(Item::Table(real)) = get_path_mut(doc.as_item_mut(), &entry.table.real_path())
        && real.get_values().is_empty()
        && real
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_none_or(|p| p.trim().is_empty())
    {
        real.set_implicit(true);
    }
    prune_empty_tables(
        doc,
        &strs(&mirrored(&MIRROR, &entry.table)),
        MIRROR.len() - 1,
    );
    prune_empty_tables(
        doc,
        &strs(&mirrored(&RECORD, &entry.table)),
        RECORD.len() - 1,
    );
}

/// Where `key` goes in a sorted table; the end of an unsorted one.
fn sorted_place(deps: &dyn TableLike, key: &str) -> usize {
    let keys: Vec<&str> = deps.iter().map(|(k, _)| k).collect();
    if keys.windows(2).all(|w| w[0] <= w[1]) {
        keys.iter().position(|k| *k > key).unwrap_or(keys.len())
    } else {
        keys.len()
    }
}

fn remove_package(item: &mut Item) {
    match item {
        Item::Value(Value::InlineTable(table)) => inline_remove(table, "package"),
        Item::Table(table) => {
            table.remove("package");
        }
        _ => {}
    }
}

/// `{ version = "1" }` alone → `"1"`, keeping the decor around it.
fn stringify(item: &mut Item) {
    let Item::Value(Value::InlineTable(table)) = item else {
        return;
    };
    if table.len() != 1 {
        return;
    }
    let Some(Value::String(version)) = table.get("version") else {
        return;
    };
    let mut version = version.clone();
    *version.decor_mut() = table.decor().clone();
    *item = Item::Value(Value::String(version));
}

/// Copies the workspace specs that inherited entries need into
/// `[workspace.metadata.facade.dependencies]`; `[workspace.dependencies]`
/// keeps its own (other members may use them).
pub fn copy_workspace_decls(
    root: &mut DocumentMut,
    inherited: &[(String, String, Option<String>)],
) {
    for (name, key, package) in inherited {
        let path = ["workspace", "metadata", "facade", "dependencies"];
        if get_path(root.as_item(), &path).is_some_and(|t| t.get(name).is_some()) {
            continue;
        }
        let Some(item) =
            get_path(root.as_item(), &["workspace", "dependencies"]).and_then(|t| t.get(key))
        else {
            continue;
        };
        let mut item = match item {
            Item::Table(t) => Item::Value(Value::InlineTable(t.clone().into_inline_table())),
            other => other.clone(),
        };
        if let Some(package) = package
            && needs_package(&item)
        {
            add_package(&mut item, package);
        }
        if let Some(value) = item.as_value_mut() {
            value.decor_mut().clear();
        }
        ensure_implicit(root, &path).insert(name, item);
    }
}

/// Removes workspace declarations no member inherits any more; one whose
/// `[workspace.dependencies]` entry is gone moves back there.
pub fn return_workspace_decls(
    root: &mut DocumentMut,
    returned: &[(String, String)],
    still_inherited: &BTreeSet<String>,
) {
    let path = ["workspace", "metadata", "facade", "dependencies"];
    for (name, key) in returned {
        if still_inherited.contains(name) {
            continue;
        }
        let Some(decls) = get_path_mut(root.as_item_mut(), &path).and_then(Item::as_table_like_mut)
        else {
            continue;
        };
        let Some(item) = decls.remove(name) else {
            continue;
        };
        let has_own = get_path(root.as_item(), &["workspace", "dependencies"])
            .is_some_and(|t| t.get(key).is_some());
        if !has_own {
            let deps = ensure_implicit(root, &["workspace", "dependencies"]);
            deps.insert(key, item);
            if let Some(Item::Table(t)) = root
                .get_mut("workspace")
                .and_then(|w| w.get_mut("dependencies"))
            {
                t.set_implicit(false);
            }
        }
    }
    prune_empty_tables(root, &path, 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Vec<Spec> {
        vec![Spec::parse("foo::bar=foo-bar").unwrap()]
    }

    fn manifest(text: &str) -> Manifest {
        Manifest {
            file: crate::diagnostic::SourceFile::new("Cargo.toml".into(), text.to_owned()),
            doc: toml_edit::Document::parse(text.to_owned()).unwrap(),
        }
    }

    /// Forward (records only where needed), the expected text, and the way back.
    #[track_caller]
    fn check(before: &str, after: &str) {
        check_specs(&spec(), before, after);
    }

    #[track_caller]
    fn check_specs(specs: &[Spec], before: &str, after: &str) {
        let m = manifest(before);
        let mut diags = Diagnostics::default();
        let entries = forward_entries(&m, &m, specs, &mut diags);
        assert!(!diags.has_errors(), "{:?}", diags.items());
        let forward = forward_text(&m, &entries, specs, &|root| format!("../facades/{root}"))
            .unwrap_or_else(|back| panic!("not reversible; back:\n{back}"));
        assert_eq!(forward, after);
        assert_eq!(
            reverse_text(&forward, specs).as_deref(),
            Some(before),
            "back"
        );
    }

    #[test]
    fn forms() {
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\n# the root\nfoo = { path = \"../foo\" }\n# the child\nfoo-bar = { path = \"../foo-bar\" } # trailing\nserde = \"1\"\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n# the root\nfoo = { path = \"../foo\" }\n# the child\n\"foo::bar\" = { path = \"../foo-bar\" } # trailing\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\nserde = \"1\"\n",
        );
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\nanyhow = \"1\"\nfoo-bar = \"1.2\"\nzed = { version = \"3\", features = [\"x\"] }\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1.2\", package = \"foo-bar\" }\n\n[dependencies]\nanyhow = \"1\"\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\nzed = { version = \"3\", features = [\"x\"] }\n",
        );
        check(
            "[package]\nname = \"app\"\n\n[dev-dependencies.foo-bar]\nversion = \"1\"\nfeatures = [\"a\"]\n\n[features]\nx = []\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dev-dependencies.\"foo::bar\"]\nversion = \"1\"\nfeatures = [\"a\"]\npackage = \"foo-bar\"\n\n[dev-dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n\n[features]\nx = []\n",
        );
        check(
            "[package]\nname = \"app\"\n\n[build-dependencies]\nz = \"1\"\nfb = { version = \"1\", package = \"foo-bar\" }\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.build-dependencies]\n\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }\n\n[package.metadata.facade-migrate.build-dependencies]\n\"foo::bar\" = { key = \"fb\", index = 1, table = true, package = true }\n\n[build-dependencies]\nz = \"1\"\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n",
        );
    }

    #[test]
    fn records_only_what_the_defaults_lose() {
        // `{ version = … }` alone would come back as a plain string.
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\nfoo-bar = { version = \"1\" }\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }\n\n[package.metadata.facade-migrate.dependencies]\n\"foo::bar\" = { key = \"foo-bar\", index = 0, table = true }\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n",
        );
        // A `package` equal to the key would be dropped.
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\nfoo-bar = { version = \"1\", package = \"foo-bar\" }\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }\n\n[package.metadata.facade-migrate.dependencies]\n\"foo::bar\" = { key = \"foo-bar\", index = 0, table = true, package = true }\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n",
        );
        // An unsorted table: the place is recorded.
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\nzed = \"1\"\nfoo-bar = \"2\"\nabc = \"3\"\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"2\", package = \"foo-bar\" }\n\n[package.metadata.facade-migrate.dependencies]\n\"foo::bar\" = { key = \"foo-bar\", index = 1 }\n\n[dependencies]\nzed = \"1\"\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\nabc = \"3\"\n",
        );
        // A dotted `workspace = true` entry in an inherited workspace.
        check(
            "[workspace.dependencies]\nfoo-bar = \"1\"\n\n[package]\nname = \"app\"\n\n[dependencies]\nfoo-bar.workspace = true\n",
            "[workspace.dependencies]\nfoo-bar = \"1\"\n\n[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\".workspace = true\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n",
        );
    }

    #[test]
    fn optional_dependencies_and_their_features() {
        // The implicit feature becomes explicit, and goes again.
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\nfoo-bar = { version = \"1\", optional = true }\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1\", optional = true, package = \"foo-bar\" }\n\n[package.metadata.facade.features]\nfoo-bar = [\"dep:foo::bar\"]\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n\n[features]\nfoo-bar = [] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`\n",
        );
        // Features naming it move, comments kept; others stay.
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\nfoo = { version = \"2\", optional = true }\nfoo-bar = { version = \"1\", optional = true }\n\n[features]\ndefault = [\"std\"]\n# the server\nserver = [\"dep:foo-bar\", \"tokio/net\"] # trailing\nstd = [\"foo-bar?/std\", \"foo/std\"]\nx = []\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\nfoo = { version = \"2\", optional = true }\n\"foo::bar\" = { version = \"1\", optional = true, package = \"foo-bar\" }\n\n[package.metadata.facade.features]\nserver = [\"dep:foo::bar\", \"tokio/net\"] # trailing\nstd = [\"foo::bar?/std\", \"foo/std\"]\nfoo = [\"dep:foo\"]\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n\n[features]\ndefault = [\"std\"]\n# the server\nserver = [] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`\nstd = [] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`\nx = []\nfoo = [] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`\n",
        );
        // A feature the user wrote like a made one is recorded.
        check(
            "[package]\nname = \"app\"\n\n[dependencies]\nfoo-bar = { version = \"1\", optional = true }\n\n[features]\nfoo-bar = [\"dep:foo-bar\"]\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1\", optional = true, package = \"foo-bar\" }\n\n[package.metadata.facade.features]\nfoo-bar = [\"dep:foo::bar\"]\n\n[package.metadata.facade-migrate.dependencies]\n\"foo::bar\" = { key = \"foo-bar\", index = 0, table = true }\n\n[package.metadata.facade-migrate.features]\nfoo-bar = true\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\n\n[features]\nfoo-bar = [] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`\n",
        );
    }

    #[test]
    fn two_namespaces_in_one_table() {
        let specs = [
            Spec::parse("foo::bar=foo-bar").unwrap(),
            Spec::parse("util::text=util-text").unwrap(),
        ];
        check_specs(
            &specs,
            "[package]\nname = \"app\"\n\n[dependencies]\nfoo-bar = \"1\"\nserde = \"1\"\nutil-text = \"2\"\n",
            "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }\n\"util::text\" = { version = \"2\", package = \"util-text\" }\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\nserde = \"1\"\nutil = { path = \"../facades/util\", package = \"util-facade\" }\n",
        );
    }

    #[test]
    fn workspace_declarations_are_copied_and_removed() {
        let before = "[workspace.dependencies]\nfoo-bar = { version = \"1\", features = [\"x\"] } # shared\n";
        let mut doc: DocumentMut = before.parse().unwrap();
        let needed = [(
            "foo::bar".to_owned(),
            "foo-bar".to_owned(),
            Some("foo-bar".to_owned()),
        )];
        copy_workspace_decls(&mut doc, &needed);
        assert_eq!(
            doc.to_string(),
            "[workspace.dependencies]\nfoo-bar = { version = \"1\", features = [\"x\"] } # shared\n\n[workspace.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1\", features = [\"x\"], package = \"foo-bar\" }\n"
        );
        let returned = [("foo::bar".to_owned(), "foo-bar".to_owned())];
        return_workspace_decls(&mut doc, &returned, &BTreeSet::new());
        assert_eq!(doc.to_string(), before);
    }

    #[test]
    fn specs() {
        let spec = Spec::parse("foo-x::type=foo-type").unwrap();
        assert_eq!(
            (spec.root_ident(), spec.module()),
            ("foo_x".to_owned(), "type".to_owned())
        );
        for (arg, note) in [
            (
                "foo::bar",
                "the package that provides the child is required; cargo-facade never guesses it",
            ),
            ("foo=foo", "`foo` is not a namespaced name: it has no `::`"),
            (
                "foo::bar::baz=x",
                "`foo::bar::baz` nests namespaces 2 levels deep",
            ),
            (
                "foo::bar=no way",
                "invalid character ` ` in package name: `no way`, characters must be Unicode XID characters (numbers, `-`, `_`, or most letters)",
            ),
        ] {
            let diag = Spec::parse(arg).unwrap_err();
            assert_eq!(diag.notes.first().map(String::as_str), Some(note), "{arg}");
        }
    }

    #[test]
    fn what_forward_cannot_carry_is_an_error() {
        let specs = spec();
        for (text, message) in [
            (
                "[package]\nname = \"app\"\n[dependencies]\nfoo-bar = \"1\"\n[dev-dependencies]\nfb = { version = \"1\", package = \"foo-bar\" }\n",
                "`app` depends on `foo-bar` under two names, `foo-bar` and `fb`",
            ),
            (
                "[package]\nname = \"app\"\n[package.metadata.facade.dependencies]\n\"foo::bar\" = \"1\"\n[dependencies]\nfoo-bar = \"1\"\n",
                "`foo::bar` is declared already",
            ),
        ] {
            let m = manifest(text);
            let mut diags = Diagnostics::default();
            forward_entries(&m, &m, &specs, &mut diags);
            let messages: Vec<&str> = diags.items().iter().map(|d| d.message.as_str()).collect();
            assert_eq!(messages, [message], "{text}");
        }
    }
}
