//! The manifest half of lowering: the packaged `Cargo.toml` depends on the
//! real packages instead of facades.
//!
//! Driven by the plan's [`Declaration`]s, never by the generated facades:
//!
//! - every dependency entry whose `path` leads into the facade folder (a
//!   managed entry) and every RFC-syntax key (`"foo::bar"`) is dropped;
//! - each declaration becomes an ordinary dependency in its own table (and
//!   target): the root under its name, a child `foo::bar` under the key
//!   `foo_bar` (so that `foo_bar::` resolves), with `package`, `version`,
//!   source, `features`, `default-features` and `optional`;
//! - `[features]` takes the values of `[package.metadata.facade.features]`
//!   with children renamed (`dep:foo::bar` → `dep:foo_bar`, `foo::bar/x` →
//!   `foo_bar/x`), and `[package.metadata.facade]` goes;
//! - the package is staged outside its workspace, as a member of the
//!   staging workspace of everything packaged together: workspace
//!   inheritance resolved, relative paths made relative to the staging
//!   folder (never absolute: `Cargo.toml.orig` is published as it is), and a
//!   path to another package being packaged leads to its lowered copy;
//! - `[package.metadata.facade]` and every `[package.metadata.facade-…]`
//!   record go.
//!
//! A normal or build declaration without `version` (path or git) cannot be
//! published, as cargo says of any dependency: an error at the declaration.
//! A dev-dependency without one (a declaration or a real path entry) is left
//! out, as cargo leaves it out; staged, it would otherwise pull the
//! author's unlowered copy of a package being packaged into the graph.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::manifest::{DepKind, Source, TableId, get_path, insert_source, real_tables};
use crate::migrate::source::Rename;
use crate::name::DeclName;
use crate::paths::{normalize, relative};
use crate::plan::Declaration;

use super::source::child_rename;

/// The workspace a package is lowered out of.
#[derive(Debug, Clone, Copy)]
pub struct WorkspaceContext<'a> {
    pub root: &'a Path,
    /// The workspace root manifest.
    pub doc: &'a Item,
    pub facade_dir: &'a Path,
    /// The folder of every package being packaged and of its lowered copy.
    pub staged: &'a [(PathBuf, PathBuf)],
}

impl WorkspaceContext<'_> {
    /// How the manifest staged in `stage` reaches the package in `dir`:
    /// its lowered copy when it is being packaged too.
    fn path_from(&self, stage: &Path, dir: &Path) -> String {
        let to = self
            .staged
            .iter()
            .find(|(author, _)| author == dir)
            .map_or(dir, |(_, staged)| staged.as_path());
        relative(stage, to)
    }
}

/// A lowered manifest and the source renames it implies.
#[derive(Debug, Clone)]
pub struct LoweredManifest {
    pub text: String,
    pub renames: Vec<Rename>,
    /// Declarations that became dependencies.
    pub dependencies: usize,
}

/// The dependency key a declaration becomes: `foo`, or `foo_bar` for `foo::bar`.
pub fn dependency_key(name: &DeclName) -> String {
    match name {
        DeclName::Root(root) => root.clone(),
        DeclName::Child { root, child } => {
            format!("{}_{}", root.replace('-', "_"), child.replace('-', "_"))
        }
    }
}

/// Lowers `text`, the manifest at `path`; `None` with errors in `diags`.
pub fn lower_manifest(
    text: &str,
    path: &Path,
    stage: &Path,
    ws: WorkspaceContext<'_>,
    decls: &[Declaration],
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<LoweredManifest>> {
    let dir = path.parent().expect("a manifest has a folder");
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|err| anyhow::anyhow!("failed to parse `{}`: {err}", path.display()))?;
    let errors_before = diags.error_count();

    inherit_package_fields(&mut doc, ws, dir, stage);
    let mut unversioned_paths = Vec::new();
    for table in real_tables(doc.as_item()) {
        unversioned_paths.extend(lower_real_table(&mut doc, &table, dir, stage, ws));
    }
    if !unversioned_paths.is_empty() {
        report_unversioned_paths(text, path, unversioned_paths, diags);
    }
    let (renames, dependencies) = lower_declarations(&mut doc, decls, stage, ws, diags);
    lower_features(&mut doc, decls);
    drop_facade_metadata(&mut doc);
    resolve_workspace_lints(&mut doc, ws);

    if diags.error_count() > errors_before {
        return Ok(None);
    }
    Ok(Some(LoweredManifest {
        text: doc.to_string(),
        renames,
        dependencies,
    }))
}

/// An error at each real path dependency without `version` (from
/// `lower_real_table`), pointing at its key in `text`, the manifest at `path`.
fn report_unversioned_paths(
    text: &str,
    path: &Path,
    unversioned_paths: Vec<(TableId, String, PathBuf)>,
    diags: &mut Diagnostics,
) {
    let file = SourceFile::new(path.to_owned(), text.to_owned());
    let spanned = toml_edit::Document::parse(text.to_owned()).ok();
    for (table, key, dep_dir) in unversioned_paths {
        let span = spanned
            .as_ref()
            .and_then(|d| get_path(d.as_item(), &table.real_path()))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get_key_value(&key))
            .and_then(|(k, _)| k.span())
            .unwrap_or(0..0);
        diags.push(
            Diagnostic::error(format!(
                "`{key}` cannot be published: it is a path dependency without `version`"
            ))
            .at(&file, span, "no `version`")
            .note(
                "cargo strips `path` when packaging, so the registry needs a version to find it \
                 (nothing was packaged or published)",
            )
            .help(format!(
                "{}; or make it a dev-dependency, which cargo leaves out of the package",
                version_help(&dep_dir, &format!("`{key}`"))
            )),
        );
    }
}

/// Each declaration becomes an ordinary dependency in its own table; an
/// unpublishable one is an error (a dev-dependency is left out instead).
/// Returns the source renames children imply and the dependencies written.
fn lower_declarations(
    doc: &mut DocumentMut,
    decls: &[Declaration],
    stage: &Path,
    ws: WorkspaceContext<'_>,
    diags: &mut Diagnostics,
) -> (Vec<Rename>, usize) {
    let mut renames: Vec<Rename> = Vec::new();
    let mut dependencies = 0;
    for decl in decls {
        if let DeclName::Child { root, child } = &decl.name {
            let rename = child_rename(root, child, &dependency_key(&decl.name));
            if !renames.contains(&rename) {
                renames.push(rename);
            }
        }
        let published =
            decl.spec.version.is_some() || matches!(decl.spec.source, Source::Registry { .. });
        if !published {
            if decl.table.kind == DepKind::Dev {
                continue; // cargo drops such dev-dependencies when packaging
            }
            diags.push(unversioned(decl));
            continue;
        }
        let table = table_mut(doc, &decl.table);
        table.insert(
            &dependency_key(&decl.name),
            Item::Value(Value::InlineTable(dependency(
                decl,
                &dependency_key(&decl.name),
                stage,
                ws,
            ))),
        );
        dependencies += 1;
    }
    (renames, dependencies)
}

/// `package.workspace`, `[package.metadata.facade]` and the
/// `[package.metadata.facade-…]` records (`migrate`'s) go, and
/// `[package.metadata]` with them when nothing else is left in it.
fn drop_facade_metadata(doc: &mut DocumentMut) {
    let Some(package) = doc.get_mut("package").and_then(Item::as_table_like_mut) else {
        return;
    };
    package.remove("workspace");
    if let Some(metadata) = package
        .get_mut("metadata")
        .and_then(Item::as_table_like_mut)
    {
        let ours: Vec<String> = metadata
            .iter()
            .map(|(key, _)| key.to_owned())
            .filter(|key| key == "facade" || key.starts_with("facade-"))
            .collect();
        for key in ours {
            metadata.remove(&key);
        }
        if metadata.is_empty() {
            package.remove("metadata");
        }
    }
}

/// `lints.workspace = true` takes the workspace's `[workspace.lints]`, or
/// no lints at all when the workspace has none.
fn resolve_workspace_lints(doc: &mut DocumentMut, ws: WorkspaceContext<'_>) {
    if doc
        .get("lints")
        .and_then(|l| l.get("workspace"))
        .and_then(Item::as_bool)
        == Some(true)
    {
        match get_path(ws.doc, &["workspace", "lints"]) {
            Some(lints) => doc["lints"] = lints.clone(),
            None => {
                doc.remove("lints");
            }
        }
    }
}

fn unversioned(decl: &Declaration) -> Diagnostic {
    let what = match &decl.spec.source {
        Source::Path(_) => "path",
        Source::Git { .. } => "git",
        Source::Registry { .. } => "registry",
    };
    let key = dependency_key(&decl.name);
    Diagnostic::error(format!(
        "`{}` cannot be published: it is a {what} dependency without `version`",
        decl.name
    ))
    .label(
        decl.key
            .clone()
            .with_text("declared here, without `version`"),
    )
    .note(format!(
        "the packaged crate depends on package `{}` as `{key}`, and cargo strips `{what}` when \
         packaging, so the registry needs a version to find it (nothing was packaged or published)",
        decl.spec.package
    ))
    .help(match &decl.spec.source {
        Source::Path(dir) => version_help(dir, "the declaration"),
        _ => format!(
            "add the version of `{}` that is published to the declaration, e.g. `version = \"1\"`",
            decl.spec.package
        ),
    })
}

/// `add `version = "1.2.0"` …`: the version of the package at `dir` when
/// its manifest says it.
fn version_help(dir: &Path, to: &str) -> String {
    let version = std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|doc| {
            doc.get("package")?
                .get("version")?
                .as_str()
                .map(str::to_owned)
        });
    match version {
        Some(version) => format!(
            "add `version = \"{version}\"` (the version at its path) to {to}, and publish that \
             package first"
        ),
        None => format!(
            "add the version of the package at its path to {to}, e.g. `version = \"0.1\"`, and \
             publish that package first"
        ),
    }
}

/// The ordinary dependency a declaration becomes.
fn dependency(
    decl: &Declaration,
    key: &str,
    stage: &Path,
    ws: WorkspaceContext<'_>,
) -> InlineTable {
    let spec = &decl.spec;
    let mut table = InlineTable::new();
    if spec.package != key {
        table.insert("package", spec.package.as_str().into());
    }
    if let Some(version) = &spec.version {
        table.insert("version", version.as_str().into());
    }
    insert_source(&mut table, &spec.source, |path| ws.path_from(stage, path));
    if !spec.features.is_empty() {
        table.insert(
            "features",
            Value::Array(spec.features.iter().map(String::as_str).collect()),
        );
    }
    if !spec.default_features {
        table.insert("default-features", false.into());
    }
    if spec.optional {
        table.insert("optional", true.into());
    }
    table
}

/// The real table of `id`, created where missing.
fn table_mut<'d>(doc: &'d mut DocumentMut, id: &TableId) -> &'d mut dyn toml_edit::TableLike {
    let mut item: &mut Item = doc.as_item_mut();
    for key in id.real_path() {
        let table = item
            .as_table_like_mut()
            .expect("dependency tables are tables");
        if table.get(key).is_none() {
            let mut new = Table::new();
            new.set_implicit(key == "target");
            table.insert(key, Item::Table(new));
        }
        item = table.get_mut(key).expect("just inserted");
    }
    item.as_table_like_mut()
        .expect("dependency tables are tables")
}

/// Drops managed entries and RFC-syntax keys; resolves `workspace = true`
/// entries and makes `path`s absolute. Returns the normal and build
/// dependencies with a `path` but no `version`, which cannot be published.
fn lower_real_table(
    doc: &mut DocumentMut,
    id: &TableId,
    dir: &Path,
    stage: &Path,
    ws: WorkspaceContext<'_>,
) -> Vec<(TableId, String, PathBuf)> {
    let mut unversioned = Vec::new();
    let table = table_mut(doc, id);
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_owned()).collect();
    for key in keys {
        if key.contains("::") {
            table.remove(&key);
            continue;
        }
        let Some(item) = table.get_mut(&key) else {
            continue;
        };
        if crate::manifest::is_managed(&key, item) {
            // A managed entry (a facade's, or the real root's where no
            // facade is needed): the lowered declarations take its place.
            table.remove(&key);
            continue;
        }
        let inherited = item
            .get("workspace")
            .and_then(Item::as_bool)
            .unwrap_or(false);
        let (entry, base) = if inherited {
            let mut entry = workspace_dependency(ws.doc, &key);
            merge_member_keys(&mut entry, item);
            (entry, ws.root)
        } else {
            match item {
                Item::Value(Value::String(version)) => {
                    let mut entry = InlineTable::new();
                    entry.insert("version", version.value().as_str().into());
                    (entry, dir)
                }
                other => match other.as_table_like() {
                    Some(t) => (to_inline(t), dir),
                    None => continue,
                },
            }
        };
        let path = entry
            .get("path")
            .and_then(Value::as_str)
            .map(|p| normalize(&base.join(p)));
        match path {
            Some(path) if path.starts_with(ws.facade_dir) => {
                table.remove(&key); // a managed entry: a facade
            }
            Some(_) if id.kind == DepKind::Dev && !entry.contains_key("version") => {
                table.remove(&key); // cargo drops it from the package
            }
            Some(path) => {
                if id.kind != DepKind::Dev && !entry.contains_key("version") {
                    unversioned.push((id.clone(), key.clone(), path.clone()));
                }
                let mut entry = entry;
                entry.insert("path", ws.path_from(stage, &path).into());
                table.insert(&key, Item::Value(Value::InlineTable(entry)));
            }
            None if inherited => {
                table.insert(&key, Item::Value(Value::InlineTable(entry)));
            }
            None => {}
        }
    }
    unversioned
}

fn to_inline(table: &dyn toml_edit::TableLike) -> InlineTable {
    let mut out = InlineTable::new();
    for (key, item) in table.iter() {
        if let Some(value) = item.as_value() {
            out.insert(key, value.clone());
        }
    }
    out
}

/// `[workspace.dependencies] key` as an inline table.
fn workspace_dependency(ws_doc: &Item, key: &str) -> InlineTable {
    match get_path(ws_doc, &["workspace", "dependencies", key]) {
        Some(Item::Value(Value::String(version))) => {
            let mut entry = InlineTable::new();
            entry.insert("version", version.value().as_str().into());
            entry
        }
        Some(other) => other.as_table_like().map(to_inline).unwrap_or_default(),
        None => InlineTable::new(),
    }
}

/// A member's `features` add to the workspace's; `optional` is the member's.
fn merge_member_keys(entry: &mut InlineTable, member: &Item) {
    let mut features: BTreeSet<String> = entry
        .get("features")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(more) = member.get("features").and_then(Item::as_array) {
        features.extend(more.iter().filter_map(|v| v.as_str().map(str::to_owned)));
    }
    if !features.is_empty() {
        entry.insert(
            "features",
            Value::Array(features.iter().map(String::as_str).collect()),
        );
    }
    if let Some(optional) = member.get("optional").and_then(Item::as_bool) {
        entry.insert("optional", optional.into());
    }
}

/// `version.workspace = true` and friends take the workspace's value;
/// `readme`/`license-file` outside the package are reached from the stage.
fn inherit_package_fields(
    doc: &mut DocumentMut,
    ws: WorkspaceContext<'_>,
    dir: &Path,
    stage: &Path,
) {
    let Some(package) = doc.get_mut("package").and_then(Item::as_table_like_mut) else {
        return;
    };
    let keys: Vec<String> = package.iter().map(|(k, _)| k.to_owned()).collect();
    for key in keys {
        let item = package.get_mut(&key).expect("listed key");
        let inherited = item.get("workspace").and_then(Item::as_bool) == Some(true);
        let base: PathBuf = if inherited {
            match get_path(ws.doc, &["workspace", "package", &key]) {
                Some(value) => *item = value.clone(),
                None => continue, // cargo reports it
            }
            ws.root.to_owned()
        } else {
            dir.to_owned()
        };
        if matches!(key.as_str(), "readme" | "license-file")
            && let Some(rel) = item.as_str()
        {
            let path = normalize(&base.join(rel));
            if !path.starts_with(dir) {
                *item = toml_edit::value(relative(stage, &path));
            }
        }
    }
}

/// `[features]`: RFC-syntax values name the new keys; the mirror's
/// features replace their translated copies.
fn lower_features(doc: &mut DocumentMut, decls: &[Declaration]) {
    let mirror = features_of(get_path(
        doc.as_item(),
        &["package", "metadata", "facade", "features"],
    ));
    let real = features_of(doc.get("features"));
    if mirror.is_empty() && !real.iter().flat_map(|(_, v)| v).any(|v| v.contains("::")) {
        return;
    }
    let features = doc
        .entry("features")
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_like_mut()
        .expect("[features] is a table");
    for (name, values) in real.into_iter().chain(mirror) {
        let lowered: Array = values
            .iter()
            .map(|v| lower_feature_value(v, decls))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect();
        features.insert(&name, toml_edit::value(lowered));
    }
}

/// A features table as (name, values).
fn features_of(table: Option<&Item>) -> Vec<(String, Vec<String>)> {
    table
        .and_then(Item::as_table_like)
        .map(|t| {
            t.iter()
                .map(|(name, values)| (name.to_owned(), strings(values)))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(item: &Item) -> Vec<String> {
    item.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `dep:foo::bar` → `dep:foo_bar`, `foo::bar?/x` → `foo_bar?/x`, …
pub fn lower_feature_value(value: &str, decls: &[Declaration]) -> String {
    let (prefix, rest) = match value.strip_prefix("dep:") {
        Some(rest) => ("dep:", rest),
        None => ("", value),
    };
    let split = rest
        .find("?/")
        .or_else(|| rest.find('/'))
        .unwrap_or(rest.len());
    let (name, tail) = rest.split_at(split);
    match decls.iter().find(|d| d.name.to_string() == name) {
        Some(decl) if name.contains("::") => {
            format!("{prefix}{}{tail}", dependency_key(&decl.name))
        }
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_children_are_crate_names() {
        let key = |name: &str| dependency_key(&DeclName::parse(name).unwrap());
        assert_eq!(key("foo"), "foo");
        assert_eq!(key("foo::bar"), "foo_bar");
        assert_eq!(key("my-ns::bar-baz"), "my_ns_bar_baz");
        assert_eq!(key("foo::type"), "foo_type");
    }
}
