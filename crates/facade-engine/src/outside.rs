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

use crate::diagnostic::SourceFile;
use crate::load::{Manifest, Workspace};
use crate::manifest::get_path;
use crate::marker::is_generated;
use crate::name::DeclName;
use crate::plan::{Declaration, FacadeDep, Plan};

/// One requirement moved from a generated file into a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    /// The generated file where the new requirement was found.
    pub found_in: PathBuf,
    /// The package whose requirement changed.
    pub package: String,
    pub from: String,
    pub to: String,
    /// The manifest whose declaration takes it.
    pub declared_in: PathBuf,
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
            let Some(index) = ws.manifests.iter().position(|m| m.path() == path) else {
                anyhow::bail!("`{}` was edited but not loaded", path.display());
            };
            ws.manifests[index] = Manifest {
                file: SourceFile::new(path.clone(), text.clone()),
                doc: toml_edit::Document::parse(text.clone())?,
            };
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
                if let Some(file) = edit_declaration(ws, plan, decl, &found, &mut docs)
                    && !declared_in.contains(&file)
                {
                    declared_in.push(file);
                }
            }
            for file in declared_in {
                edits.adoptions.push(Adoption {
                    found_in: path.clone(),
                    package: dep.package.clone(),
                    from: planned.to_owned(),
                    to: found.clone(),
                    declared_in: file,
                });
            }
        }
    }
    for (path, doc) in docs {
        edits.manifests.insert(path, doc.to_string());
    }
    edits
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

/// Sets the `version` of `decl` where it is written (the member's entry, or
/// the workspace's when it inherits); the manifest edited, if any.
fn edit_declaration(
    ws: &Workspace,
    plan: &Plan,
    decl: &Declaration,
    version: &str,
    docs: &mut BTreeMap<PathBuf, DocumentMut>,
) -> Option<PathBuf> {
    let member = &ws.manifests[plan.consumers[decl.consumer].manifest];
    let mirror = decl.table.mirror_path();
    let key = entry_key(get_path(member.doc.as_item(), &mirror)?, &decl.name)?;
    let inherits = get_path(member.doc.as_item(), &mirror)?
        .get(&key)?
        .get("workspace")
        .and_then(Item::as_bool)
        == Some(true);
    let (manifest, path): (&Manifest, Vec<&str>) = if inherits {
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
    set_version(item, version).then(|| manifest.path().to_owned())
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
fn set_version(item: &mut Item, version: &str) -> bool {
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
