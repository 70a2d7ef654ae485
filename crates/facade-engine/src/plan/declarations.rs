//! Reading declarations: the mirrored tables under
//! `[package.metadata.facade]` (and its `target` tables), the workspace's
//! `[workspace.metadata.facade.dependencies]`, and the RFC-syntax entries
//! of real tables that `sync` adopts. Each entry becomes a [`Declaration`]
//! through [`spec::read_spec`](super::spec::read_spec).

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{Item, TableLike};

use super::path_package::PathPackages;
use super::spec::{Entry, WorkspaceDecl, WorkspaceDecls, read_declaration};
use super::{Declaration, DepKind, TableId, adoptable_entries, get_path};
use crate::diagnostic::{Diagnostic, Diagnostics, Label};
use crate::load::{Manifest, Workspace};
use crate::name::DeclName;

/// The help of every declaration table of the wrong type.
const DECLARATION_TABLES_HELP: &str = "declarations mirror Cargo's dependency tables, e.g. \
     `[package.metadata.facade.dependencies]` holding `\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }`";

/// `[workspace.metadata.facade.dependencies]`, for `workspace = true`.
pub(super) fn workspace_decls<'m>(
    diags: &mut Diagnostics,
    root: &'m Manifest,
) -> WorkspaceDecls<'m> {
    let mut out = BTreeMap::new();
    let path = ["workspace", "metadata", "facade", "dependencies"];
    let Some(table) = table_at(diags, root, &path) else {
        return out;
    };
    for (name, _) in table.iter() {
        let (key, item) = table.get_key_value(name).expect("key from iter");
        out.insert(
            name.to_owned(),
            WorkspaceDecl {
                item,
                label: Label::new(&root.file, key.span().unwrap_or(0..0), ""),
            },
        );
    }
    out
}

/// The table at `path`, if there is one; an error if it is not a table.
fn table_at<'m>(
    diags: &mut Diagnostics,
    manifest: &'m Manifest,
    path: &[&str],
) -> Option<&'m dyn TableLike> {
    let item = get_path(manifest.doc.as_item(), path)?;
    let table = item.as_table_like();
    if table.is_none() {
        diags.push(
            Diagnostic::error(format!("`{}` must be a table", path.join(".")))
                .at(&manifest.file, item.span().unwrap_or(0..0), "not a table")
                .help(DECLARATION_TABLES_HELP),
        );
    }
    table
}

/// Every declaration of one consumer: the mirrored ones, then the adopted.
pub(super) fn read_declarations(
    ws: &Workspace,
    ws_decls: &WorkspaceDecls<'_>,
    packages: &mut PathPackages,
    diags: &mut Diagnostics,
    manifest: &Manifest,
    consumer: usize,
) -> Vec<Declaration> {
    let mirror = table_at(diags, manifest, &["package", "metadata", "facade"]);
    let mut out = match mirror {
        Some(facade) => {
            read_mirror_declarations(ws, ws_decls, packages, diags, facade, manifest, consumer)
        }
        None => Vec::new(),
    };
    // Adoption: RFC-syntax entries in the real tables, and the real root
    // entry of a namespace this package declares, are declarations too;
    // `sync` moves them into the mirrored tables.
    let mut roots: BTreeSet<String> = out.iter().map(|d| d.name.root().to_owned()).collect();
    let adoptable = adoptable_entries(manifest.doc.as_item(), manifest.file.text(), &mut roots);
    for (table_id, key_text) in adoptable {
        let table = get_path(manifest.doc.as_item(), &table_id.real_path())
            .and_then(Item::as_table_like)
            .expect("adoptable entries come from real tables");
        let (key, item) = table
            .get_key_value(&key_text)
            .expect("adoptable key exists");
        let key_label = Label::new(&manifest.file, key.span().unwrap_or(0..0), "");
        let Some(decl_name) = parse_name(diags, &key_text, &key_label) else {
            continue;
        };
        let path = table_id.display("").trim_matches(['[', ']']).to_owned();
        // Moving it would overwrite the mirrored declaration.
        if let Some(mirrored) = out
            .iter()
            .find(|d| !d.adopted && d.name == decl_name && d.table == table_id)
        {
            // The managed entry of a root, written again by hand (a
            // `[dependencies.foo]` table cannot carry the comment that
            // marks it): the same dependency as its declaration. Not a
            // declaration: `sync` writes the managed entry over it. An
            // inline entry without the mark is the user's, as before.
            let declared = get_path(manifest.doc.as_item(), &table_id.mirror_path())
                .and_then(|t| t.get(&key_text));
            if decl_name.child().is_none()
                && item.is_table()
                && declared.is_some_and(|d| crate::manifest::same_dependency(item, d))
            {
                continue;
            }
            diags.push(
                Diagnostic::error(format!(
                    "`{decl_name}` is declared twice: in {} and in {}",
                    table_id.display(""),
                    table_id.display("package.metadata.facade.")
                ))
                .label(key_label.with_text("a real dependency"))
                .label(mirrored.key.clone().with_text("and a declaration"))
                .note("`sync` would move the real entry over the declaration")
                .help("remove one of the two entries"),
            );
            continue;
        }
        let entry = Entry {
            manifest,
            consumer,
            table: table_id,
            table_path: &path,
            adopted: true,
            name: decl_name,
            key: key_label,
            item,
        };
        out.extend(read_declaration(ws, ws_decls, packages, diags, entry));
    }
    out
}

/// A declaration key as a [`DeclName`], or an error at `key`.
fn parse_name(diags: &mut Diagnostics, text: &str, key: &Label) -> Option<DeclName> {
    match DeclName::parse(text) {
        Ok(name) => Some(name),
        Err(err) => {
            let mut diag = Diagnostic::error(format!("invalid namespaced name: {}", err.message))
                .label(key.clone().with_text("declared here"));
            for note in err.notes {
                diag = diag.note(note);
            }
            diags.push(diag.help(err.help));
            None
        }
    }
}

/// The declarations of the mirrored tables in `facade`, the manifest's
/// `[package.metadata.facade]`.
fn read_mirror_declarations(
    ws: &Workspace,
    ws_decls: &WorkspaceDecls<'_>,
    packages: &mut PathPackages,
    diags: &mut Diagnostics,
    facade: &dyn TableLike,
    manifest: &Manifest,
    consumer: usize,
) -> Vec<Declaration> {
    let mut out = Vec::new();
    for (table_id, item, path) in mirror_tables(diags, manifest, facade) {
        let Some(table) = item.as_table_like() else {
            bad_type(diags, manifest, item, &path, "a table of dependencies");
            continue;
        };
        for (name, _) in table.iter() {
            let (key, item) = table.get_key_value(name).expect("key from iter");
            let key_label = Label::new(&manifest.file, key.span().unwrap_or(0..0), "");
            let Some(name) = parse_name(diags, name, &key_label) else {
                continue;
            };
            let entry = Entry {
                manifest,
                consumer,
                table: table_id.clone(),
                table_path: &path,
                adopted: false,
                name,
                key: key_label,
                item,
            };
            out.extend(read_declaration(ws, ws_decls, packages, diags, entry));
        }
    }
    out
}

/// The dependency tables under `[package.metadata.facade]`, with their key
/// paths; other keys are warned about (`features` is read elsewhere).
fn mirror_tables<'m>(
    diags: &mut Diagnostics,
    manifest: &Manifest,
    facade: &'m dyn TableLike,
) -> Vec<(TableId, &'m Item, String)> {
    let mut tables = Vec::new();
    for (key, item) in facade.iter() {
        if let Some(kind) = dep_kind(key) {
            tables.push((
                TableId { target: None, kind },
                item,
                format!("package.metadata.facade.{key}"),
            ));
        } else if key == "features" {
            // Read by `feature_tables::read_features`.
        } else if key == "target" {
            target_tables(diags, manifest, item, &mut tables);
        } else {
            unknown_key(diags, manifest, facade, key, "package.metadata.facade");
        }
    }
    tables
}

/// The tables of `[package.metadata.facade.target.'<platform>']`.
fn target_tables<'m>(
    diags: &mut Diagnostics,
    manifest: &Manifest,
    item: &'m Item,
    tables: &mut Vec<(TableId, &'m Item, String)>,
) {
    let Some(targets) = item.as_table_like() else {
        bad_type(
            diags,
            manifest,
            item,
            "package.metadata.facade.target",
            "a table of platforms",
        );
        return;
    };
    for (platform, item) in targets.iter() {
        let path = format!("package.metadata.facade.target.'{platform}'");
        let Some(kinds) = item.as_table_like() else {
            bad_type(diags, manifest, item, &path, "a table");
            continue;
        };
        for (key, item) in kinds.iter() {
            let Some(kind) = dep_kind(key) else {
                unknown_key(diags, manifest, kinds, key, &path);
                continue;
            };
            tables.push((
                TableId {
                    target: Some(platform.to_owned()),
                    kind,
                },
                item,
                format!("{path}.{key}"),
            ));
        }
    }
}

/// The kind of a dependency table's key.
fn dep_kind(key: &str) -> Option<DepKind> {
    match key {
        "dependencies" => Some(DepKind::Normal),
        "dev-dependencies" => Some(DepKind::Dev),
        "build-dependencies" => Some(DepKind::Build),
        _ => None,
    }
}

/// An error at a key of `[package.metadata.facade]` whose value has the
/// wrong type.
pub(super) fn bad_type(
    diags: &mut Diagnostics,
    manifest: &Manifest,
    item: &Item,
    path: &str,
    expected: &str,
) {
    diags.push(
        Diagnostic::error(format!("`{path}` must be {expected}"))
            .at(
                &manifest.file,
                item.span().unwrap_or(0..0),
                format!("expected {expected}"),
            )
            .help(DECLARATION_TABLES_HELP),
    );
}

fn unknown_key(
    diags: &mut Diagnostics,
    manifest: &Manifest,
    table: &dyn TableLike,
    key: &str,
    path: &str,
) {
    let span = table
        .get_key_value(key)
        .and_then(|(k, _)| k.span())
        .unwrap_or(0..0);
    diags.push(
        Diagnostic::warning(format!("unused manifest key: {path}.{key}"))
            .at(&manifest.file, span, "not a dependency table")
            .help("expected `dependencies`, `dev-dependencies`, `build-dependencies` or `target`"),
    );
}
