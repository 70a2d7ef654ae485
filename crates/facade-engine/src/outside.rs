//! Outside edits: what others wrote into the files cargo-facade generates,
//! adopted into the declarations that produced them instead of being
//! reverted.
//!
//! A bot (Renovate with `rangeStrategy = "bump"`) or a person raises a
//! version requirement in a generated facade manifest; `sync` would render
//! the declaration's requirement again and throw the bump away. So, after
//! the plan and before anything is rendered, every facade manifest on disk
//! is compared with the plan: a requirement that is *higher* than the one
//! declared (one comparator each, same operator, a greater version) becomes
//! an edit of the declaration's `version` value — in the member's manifest,
//! or in `[workspace.metadata.facade.dependencies]` when the member writes
//! `workspace = true` — made with toml_edit so nothing else moves. The
//! commands then plan again on the edited manifests, so the facade renders
//! with the new requirement and the edit is one more change to write.
//! A lowered requirement, or any other edit of a generated file, is left to
//! `sync` to revert, as before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cargo_metadata::semver::{Comparator, Op, VersionReq};
use toml_edit::{DocumentMut, Item, Value};

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::load::{Manifest, Workspace};
use crate::manifest::get_path;
use crate::marker::is_generated;
use crate::name::DeclName;
use crate::plan::{Declaration, FacadeDep, Plan};

/// One requirement or feature moved from what cargo-facade generates into
/// a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    /// Where the outside edit was found.
    pub found_in: Found,
    /// What moves: `foo-bar 1.0.0 → 2.0.0`, `feature `derive` of `serde``.
    pub what: String,
    /// The manifest whose declaration takes it.
    pub declared_in: PathBuf,
}

/// Where an outside edit was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A generated facade manifest.
    Facade(PathBuf),
    /// The managed entry `key` in a consumer's manifest (`cargo add`'s edit).
    Entry { manifest: PathBuf, key: String },
}

/// The adoptions of one run and the manifests they edit (new text by path).
#[derive(Debug, Default)]
pub struct Edits {
    pub adoptions: Vec<Adoption>,
    pub manifests: BTreeMap<PathBuf, String>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.adoptions.is_empty()
    }

    /// `ws` with the edited manifests in place of the loaded ones (what the
    /// commands plan again on); the originals are still on disk.
    pub fn apply_to(&self, ws: &mut Workspace) -> anyhow::Result<()> {
        for (path, text) in &self.manifests {
            let manifest = Manifest {
                file: SourceFile::new(path.clone(), text.clone()),
                doc: toml_edit::Document::parse(text.clone())?,
            };
            match ws.manifests.iter().position(|m| m.path() == path) {
                Some(index) => ws.manifests[index] = manifest,
                None => {
                    // A member that declared nothing until this edit.
                    ws.manifests.push(manifest);
                    let index = ws.manifests.len() - 1;
                    for member in ws.members.iter_mut().filter(|m| m.manifest_path == *path) {
                        member.manifest = Some(index);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Every raised requirement in the facade manifests on disk, as edits of the
/// declarations that produced the planned one.
pub fn adoptions(ws: &Workspace, plan: &Plan) -> Edits {
    let mut edits = Edits::default();
    let mut docs: BTreeMap<PathBuf, DocumentMut> = BTreeMap::new();
    for facade in &plan.facades {
        let path = facade.dir.join("Cargo.toml");
        let Some(on_disk) = generated_manifest(&path) else {
            continue;
        };
        let names = facade
            .root_crate
            .iter()
            .map(|dep| (DeclName::Root(facade.root.clone()), dep))
            .chain(facade.children.iter().map(|child| {
                let name = DeclName::Child {
                    root: facade.root.clone(),
                    child: child.name.clone(),
                };
                (name, &child.dep)
            }));
        for (name, dep) in names {
            let Some(planned) = dep.version.as_deref() else {
                continue;
            };
            let Some(found) = requirement_on_disk(&on_disk, dep) else {
                continue;
            };
            if !raises(planned, &found) {
                continue;
            }
            let decls = plan.declarations.iter().filter(|d| {
                d.name == name
                    && facade.consumers.contains(&d.consumer)
                    && d.spec.version.as_deref() == Some(planned)
                    && !d.adopted
            });
            let mut declared_in = Vec::new();
            for decl in decls {
                let edit = |item: &mut Item| set_version(item, &found);
                if let Some(file) = edit_declaration(ws, plan, decl, true, &mut docs, edit)
                    && !declared_in.contains(&file)
                {
                    declared_in.push(file);
                }
            }
            for file in declared_in {
                edits.adoptions.push(Adoption {
                    found_in: Found::Facade(path.clone()),
                    what: format!("{} {planned} → {found}", dep.package),
                    declared_in: file,
                });
            }
        }
    }
    for (index, consumer) in plan.consumers.iter().enumerate() {
        let manifest = &ws.manifests[consumer.manifest];
        for (table, entries) in &consumer.entries {
            for entry in entries {
                let mut path = table.real_path();
                path.push(&entry.root);
                let Some(on_disk) =
                    get_path(manifest.doc.as_item(), &path).and_then(Item::as_table_like)
                else {
                    continue;
                };
                let root = DeclName::Root(entry.root.clone());
                let Some(decl) = plan
                    .declarations_of(index)
                    .iter()
                    .find(|d| d.name == root && d.table == *table && !d.adopted)
                else {
                    continue;
                };
                adopt_from_entry(ws, plan, decl, on_disk, entry, &mut edits, &mut docs);
            }
        }
    }
    for (path, doc) in docs {
        edits.manifests.insert(path, doc.to_string());
    }
    edits
}

/// `cargo add -p app foo -F derive` on the managed entry of `foo`: cargo
/// drops its `path`, writes the version it picked and the features asked
/// for. The features (and a version that raises the declared one) go into
/// the root's declaration in the same table; the entry is then rendered
/// again as the plan wants it.
fn adopt_from_entry(
    ws: &Workspace,
    plan: &Plan,
    decl: &Declaration,
    on_disk: &dyn toml_edit::TableLike,
    entry: &crate::plan::ManagedEntry,
    edits: &mut Edits,
    docs: &mut BTreeMap<PathBuf, DocumentMut>,
) {
    let found_in = Found::Entry {
        manifest: ws.manifests[plan.consumers[decl.consumer].manifest]
            .path()
            .to_owned(),
        key: entry.root.clone(),
    };
    // An entry of a facade names the facade's features, derived from the
    // declarations (`self`, a child's name, `<name>.<feature>`): those are
    // not `cargo add`'s, also when the plan now wants another entry (the
    // upgrade from a facade that only re-exported the root).
    let of_facade = on_disk
        .get("package")
        .and_then(Item::as_str)
        .is_some_and(|p| crate::name::is_facade_package(&entry.root, p));
    let derived = |f: &str| {
        of_facade
            && (f.contains('.')
                || f == crate::plan::ROOT_FEATURE
                || plan
                    .declarations_of(decl.consumer)
                    .iter()
                    .any(|d| d.name.root() == entry.root && d.name.child() == Some(f)))
    };
    let features: Vec<String> = on_disk
        .get("features")
        .and_then(Item::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|f| !derived(f))
        .filter(|f| !entry.features.iter().any(|p| p == f))
        .filter(|f| !decl.spec.features.iter().any(|d| d == f))
        .map(str::to_owned)
        .collect();
    if !features.is_empty() {
        let edit = |item: &mut Item| add_features(item, &features);
        if let Some(file) = edit_declaration(ws, plan, decl, false, docs, edit) {
            let quoted: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
            edits.adoptions.push(Adoption {
                found_in: found_in.clone(),
                what: format!(
                    "feature{} {} of `{}`",
                    if features.len() == 1 { "" } else { "s" },
                    quoted.join(", "),
                    decl.name
                ),
                declared_in: file,
            });
        }
    }
    // cargo writes the newest version when the entry had none (a facade's
    // entry has only the facade's own `0.0.0`, never a raise): only a raise
    // the declaration already accepts (`1.0` → `1.4.2`) is taken as meant;
    // a new major is not. An entry of the real root had the declared
    // requirement itself, so any raise of it was meant (a bot's bump).
    let version = on_disk.get("version").and_then(Item::as_str);
    // The entry on disk decides (the first plan does not know yet which
    // facades the conflict verdicts elide).
    let of_root = !of_facade || matches!(entry.points_at, crate::plan::PointsAt::Root(_));
    if let (Some(found), Some(planned)) = (version, decl.spec.version.as_deref())
        && raises(planned, found)
        && (of_root || compatible(planned, found))
    {
        let edit = |item: &mut Item| set_version(item, found);
        if let Some(file) = edit_declaration(ws, plan, decl, true, docs, edit) {
            edits.adoptions.push(Adoption {
                found_in,
                what: format!("{} {planned} → {found}", decl.spec.package),
                declared_in: file,
            });
        }
    }
}

/// A facade manifest on disk, when it is one cargo-facade wrote and parses.
fn generated_manifest(path: &Path) -> Option<DocumentMut> {
    let bytes = std::fs::read(path).ok()?;
    if !is_generated(&bytes) {
        return None;
    }
    String::from_utf8(bytes).ok()?.parse().ok()
}

/// The requirement a facade manifest on disk gives `dep` (in its own table).
fn requirement_on_disk(doc: &DocumentMut, dep: &FacadeDep) -> Option<String> {
    let table: Vec<&str> = match &dep.target {
        None => vec!["dependencies", dep.key.as_str()],
        Some(target) => vec!["target", target, "dependencies", dep.key.as_str()],
    };
    let entry = get_path(doc.as_item(), &table)?.as_table_like()?;
    // Only an entry for the same package is the same requirement.
    if entry.get("package").and_then(Item::as_str) != Some(dep.package.as_str()) {
        return None;
    }
    entry
        .get("version")
        .and_then(Item::as_str)
        .map(str::to_owned)
}

/// Whether `found` raises `planned`: one comparator each, the same
/// operator, and a greater version (`1.0.100` → `1.0.150`, `^1` → `^2`).
/// Anything else (lower, equal, a changed operator, a range) is not a bump.
pub fn raises(planned: &str, found: &str) -> bool {
    let single = |text: &str| -> Option<Comparator> {
        let mut req = VersionReq::parse(text).ok()?;
        (req.comparators.len() == 1).then(|| req.comparators.remove(0))
    };
    let (Some(old), Some(new)) = (single(planned), single(found)) else {
        return false;
    };
    if old.op != new.op || !matches!(old.op, Op::Caret | Op::Tilde | Op::Exact | Op::GreaterEq) {
        return false;
    }
    let key = |c: &Comparator| (c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
    key(&new) > key(&old) || (key(&new) == key(&old) && new.pre > old.pre && !old.pre.is_empty())
}

/// Whether the lower bound of `found` is a version `planned` accepts (a
/// bump within the declared range).
fn compatible(planned: &str, found: &str) -> bool {
    let (Ok(planned), Ok(found)) = (VersionReq::parse(planned), VersionReq::parse(found)) else {
        return false;
    };
    let [bound] = found.comparators.as_slice() else {
        return false;
    };
    let version = cargo_metadata::semver::Version {
        major: bound.major,
        minor: bound.minor.unwrap_or(0),
        patch: bound.patch.unwrap_or(0),
        pre: bound.pre.clone(),
        build: Default::default(),
    };
    planned.matches(&version)
}

/// Edits the entry of `decl` where it is written: the member's entry, or
/// (with `follow_inheritance`) the workspace's when it says `workspace =
/// true`; the manifest edited, if any.
fn edit_declaration(
    ws: &Workspace,
    plan: &Plan,
    decl: &Declaration,
    follow_inheritance: bool,
    docs: &mut BTreeMap<PathBuf, DocumentMut>,
    edit: impl FnOnce(&mut Item) -> bool,
) -> Option<PathBuf> {
    let member = &ws.manifests[plan.consumers[decl.consumer].manifest];
    let mirror = decl.table.mirror_path();
    let key = entry_key(get_path(member.doc.as_item(), &mirror)?, &decl.name)?;
    let inherits = get_path(member.doc.as_item(), &mirror)?
        .get(&key)?
        .get("workspace")
        .and_then(Item::as_bool)
        == Some(true);
    let (manifest, path): (&Manifest, Vec<&str>) = if inherits && follow_inheritance {
        let root = ws.root_manifest();
        (
            root,
            vec!["workspace", "metadata", "facade", "dependencies"],
        )
    } else {
        (member, mirror)
    };
    let table = get_path(manifest.doc.as_item(), &path)?;
    let key = entry_key(table, &decl.name)?;
    let doc = docs.entry(manifest.path().to_owned()).or_insert_with(|| {
        manifest
            .file
            .text()
            .parse()
            .expect("a loaded manifest parses")
    });
    let item = crate::manifest::get_path_mut(doc.as_item_mut(), &path)?
        .as_table_like_mut()?
        .get_mut(&key)?;
    edit(item).then(|| manifest.path().to_owned())
}

/// Adds `features` to a dependency entry (a plain requirement becomes an
/// inline table).
pub fn add_features(item: &mut Item, features: &[String]) -> bool {
    if let Some(Value::String(req)) = item.as_value() {
        let decor = req.decor().clone();
        let mut table = toml_edit::InlineTable::new();
        table.insert("version", Value::from(req.value().as_str()));
        let mut value = Value::InlineTable(table);
        *value.decor_mut() = decor;
        *item = Item::Value(value);
    }
    let Some(table) = item.as_table_like_mut() else {
        return false;
    };
    if table.get("features").is_none() {
        table.insert(
            "features",
            Item::Value(Value::Array(toml_edit::Array::new())),
        );
    }
    let Some(array) = table.get_mut("features").and_then(Item::as_array_mut) else {
        return false;
    };
    for feature in features {
        array.push(feature.as_str());
    }
    true
}

/// The key of `name`'s entry in a declaration table, as written.
fn entry_key(table: &Item, name: &DeclName) -> Option<String> {
    table
        .as_table_like()?
        .iter()
        .map(|(key, _)| key)
        .find(|key| DeclName::parse(key).ok().as_ref() == Some(name))
        .map(str::to_owned)
}

/// Replaces the requirement of a dependency entry (`"1.0"` or a table's
/// `version`), keeping its decor; false when there is none to replace.
pub fn set_version(item: &mut Item, version: &str) -> bool {
    let slot = match item {
        Item::Value(Value::String(_)) => item.as_value_mut(),
        _ => item
            .as_table_like_mut()
            .and_then(|t| t.get_mut("version"))
            .and_then(Item::as_value_mut),
    };
    let Some(slot) = slot.filter(|v| v.is_str()) else {
        return false;
    };
    let decor = slot.decor().clone();
    *slot = Value::from(version);
    *slot.decor_mut() = decor;
    true
}

/// Managed entries that were there and are gone (`cargo remove`, `cargo
/// machete --fix`): the facade is on disk for the consumer, its manifest
/// lacks the entry. `sync` would put it back; if the removal was meant, the
/// declarations are what to remove, so the warning names each one.
pub fn removed_entries(ws: &Workspace, plan: &Plan) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (index, consumer) in plan.consumers.iter().enumerate() {
        let manifest = &ws.manifests[consumer.manifest];
        for (table, entries) in &consumer.entries {
            for entry in entries {
                // An entry of the real root leaves no trace when removed.
                let Some(facade) = entry.facade().map(|f| &plan.facades[f]) else {
                    continue;
                };
                if generated_manifest(&facade.dir.join("Cargo.toml")).is_none() {
                    continue;
                }
                let mut path = table.real_path();
                path.push(&entry.root);
                if get_path(manifest.doc.as_item(), &path).is_some() {
                    continue;
                }
                let decls: Vec<&Declaration> = plan
                    .declarations_of(index)
                    .iter()
                    .filter(|d| d.name.root() == entry.root && d.table == *table)
                    .collect();
                let Some(first) = decls.first() else {
                    continue;
                };
                let mut diag = Diagnostic::warning(format!(
                    "`{}` has no managed entry `{}` in {}: was it removed on purpose?",
                    consumer.name,
                    entry.root,
                    table.display("")
                ));
                for decl in &decls {
                    diag = diag.label(decl.key.clone().with_text("declared here"));
                }
                let names: Vec<String> = decls.iter().map(|d| format!("'{}'", d.name)).collect();
                let flag = match first.table.kind {
                    crate::manifest::DepKind::Normal => "",
                    crate::manifest::DepKind::Dev => " --dev",
                    crate::manifest::DepKind::Build => " --build",
                };
                out.push(
                    diag.note(
                        "the entry is generated from these declarations; `cargo facade sync` writes it back",
                    )
                    .help(format!(
                        "to remove the dependency, remove the declaration{} instead: `cargo facade remove{flag} -p {} {}`",
                        if decls.len() == 1 { "" } else { "s" },
                        consumer.name,
                        names.join(" ")
                    )),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::raises;

    #[test]
    fn only_a_higher_requirement_of_the_same_shape_is_a_bump() {
        assert!(raises("1.0.100", "1.0.150"));
        assert!(raises("^1", "^2"));
        assert!(raises("1", "1.2"));
        assert!(raises("~0.3.1", "~0.3.4"));
        assert!(!raises("1.0.150", "1.0.100"));
        assert!(!raises("1.0", "1.0"));
        assert!(!raises("1.0", "~1.1"));
        assert!(!raises("1.0", ">=1.0, <2"));
        assert!(!raises("1.0", "not a version"));
    }
}
