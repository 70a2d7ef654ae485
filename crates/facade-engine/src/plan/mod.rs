//! Plan: turns the loaded manifests into a validated model of every facade
//! and every consumer's managed entries. Every check of the input happens
//! here, all problems are collected, and nothing downstream runs unless the
//! plan is free of errors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use cargo_util_schemas::manifest::{InheritableDependency, TomlDependency, TomlDetailedDependency};
use serde::de::IntoDeserializer as _;
use toml_edit::{Item, TableLike};

use crate::diagnostic::{Diagnostic, Diagnostics, Label, SourceFile};
use crate::load::{DepSource, Manifest, Workspace};
pub use crate::manifest::{DepKind, Source, TableId};
use crate::manifest::{get_path, is_managed, real_tables};
use crate::name::{DeclName, module_ident};
use crate::schema::RawPackageManifest;

mod facades;
pub(crate) use facades::fnv1a;
mod features;

pub use features::base_feature;
use features::{Translated, enabling_features};

/// The help of every declaration table of the wrong type.
const DECLARATION_TABLES_HELP: &str = "declarations mirror Cargo's dependency tables, e.g. \
     `[package.metadata.facade.dependencies]` holding `\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }`";

/// The default `[workspace.metadata.facade] dir`.
pub const DEFAULT_DIR: &str = "facades";

/// A validated declaration spec (after workspace inheritance).
#[derive(Debug, Clone)]
pub struct Spec {
    pub package: String,
    pub version: Option<String>,
    pub source: Source,
    pub features: Vec<String>,
    pub default_features: bool,
    pub optional: bool,
    /// Whether the package has a `default` feature (assumed for registry
    /// and git packages, whose manifests are not read).
    pub has_default_feature: bool,
    /// `foreign = true`: a child from outside the root's repository, on purpose.
    pub foreign: bool,
    /// The `repository` of a path package's manifest.
    pub repository: Option<String>,
}

/// One declaration in one consumer's manifest.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub name: DeclName,
    /// Index into [`Plan::consumers`].
    pub consumer: usize,
    pub table: TableId,
    pub key: Label,
    pub spec: Spec,
    /// Written in a real table in RFC syntax; `sync` moves it to the mirror.
    pub adopted: bool,
}

/// A dependency of a facade crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacadeDep {
    /// The key in the facade's `[dependencies]`; its extern name in `lib.rs`.
    pub key: String,
    pub package: String,
    pub version: Option<String>,
    pub source: Source,
    /// Whether the facade's dependency keeps the package's default features:
    /// false as soon as one declaration opts out.
    pub default_features: bool,
    /// Emit `<name>.default` so the tables that did not opt out get them.
    pub forward_default: bool,
    /// Features forwarded as facade features `<name>.<feature>`, turned on
    /// per table or by the consumer's `[features]`.
    pub forwarded: BTreeSet<String>,
    /// The platform every declaration shares, if any: the facade then
    /// depends on the package only there, so even the version-1 feature
    /// resolver never builds it for other platforms.
    pub target: Option<String>,
    /// Behind the facade's Cargo feature of its name (an optional
    /// dependency): the name is not wanted in every table the facade serves,
    /// or only when a feature of the consumer is on. `false`: always there.
    pub gated: bool,
}

impl FacadeDep {
    pub fn extern_name(&self) -> String {
        self.key.replace('-', "_")
    }
}

/// A child presented as module `module` of the facade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacadeChild {
    /// The segment after `::`, also the Cargo feature that enables it.
    pub name: String,
    pub dep: FacadeDep,
}

impl FacadeChild {
    pub fn module(&self) -> proc_macro2::Ident {
        module_ident(&self.name)
    }
}

/// The Cargo feature of a facade that enables the root crate. `self` cannot
/// name a child, so it never collides with a child's feature.
pub const ROOT_FEATURE: &str = "self";

/// One generated facade crate: the namespace `root` as one set of
/// consumers declared it (facades v2: one facade per distinct set of
/// declarations, so that a consumer reaches exactly what it declared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facade {
    pub root: String,
    /// `<root>/<label>`: the facade's folder below the facade dir, and its
    /// name in status lines.
    pub id: String,
    pub package: String,
    pub lib_name: String,
    /// Absolute directory of the facade.
    pub dir: PathBuf,
    pub root_crate: Option<FacadeDep>,
    pub children: Vec<FacadeChild>,
    /// The consumers it serves (indices into [`Plan::consumers`]).
    pub consumers: Vec<usize>,
}

/// A managed entry: the facade dependency in one real table of a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedEntry {
    pub root: String,
    /// Index into [`Plan::facades`].
    pub facade: usize,
    pub features: Vec<String>,
    pub optional: bool,
}

/// A workspace member whose manifest cargo-facade manages.
#[derive(Debug, Clone)]
pub struct Consumer {
    pub name: String,
    /// Index into [`Workspace::manifests`].
    pub manifest: usize,
    /// Index into [`Workspace::members`].
    pub member: usize,
    /// This consumer's slice of [`Plan::declarations`] (they are stored
    /// consumer after consumer).
    pub declarations: std::ops::Range<usize>,
    pub entries: BTreeMap<TableId, Vec<ManagedEntry>>,
    /// `[package.metadata.facade.features]`, translated for `[features]`.
    pub features: Vec<ManagedFeature>,
}

/// A consumer feature whose RFC-syntax values were translated to the facade's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedFeature {
    pub name: String,
    /// Written in the real `[features]`; `sync` moves the original value
    /// into `[package.metadata.facade.features]`.
    pub adopted: bool,
    pub values: Vec<String>,
}

/// The validated model of a run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub facade_dir: PathBuf,
    pub facades: Vec<Facade>,
    pub consumers: Vec<Consumer>,
    pub declarations: Vec<Declaration>,
}

impl Plan {
    /// The declarations of one consumer.
    pub fn declarations_of(&self, consumer: usize) -> &[Declaration] {
        &self.declarations[self.consumers[consumer].declarations.clone()]
    }

    /// The facade of an id (`<root>/<label>`).
    pub fn facade(&self, id: &str) -> Option<&Facade> {
        self.facades.iter().find(|f| f.id == id)
    }

    /// Whether [`ownership_warnings`] has anything to check: a registry or
    /// git child not declared `foreign`, in a namespace with a root.
    pub fn has_foreign_candidates(&self) -> bool {
        self.declarations.iter().any(|d| {
            d.name.child().is_some() && !d.spec.foreign && !matches!(d.spec.source, Source::Path(_))
        }) && self.facades.iter().any(|f| f.root_crate.is_some())
    }
}

/// Builds the plan, or `None` with the reasons in `diags`.
pub fn plan(ws: &Workspace, diags: &mut Diagnostics) -> Option<Plan> {
    let mut planner = Planner {
        ws,
        diags,
        children: BTreeMap::new(),
    };
    planner.run()
}

struct Planner<'a> {
    ws: &'a Workspace,
    diags: &'a mut Diagnostics,
    /// Package manifests read for path declarations, by directory.
    children: BTreeMap<PathBuf, Option<PathPackage>>,
}

/// What a path dependency's own manifest says.
#[derive(Debug, Clone)]
struct PathPackage {
    name: String,
    has_lib: bool,
    features: BTreeSet<String>,
    repository: Option<String>,
}

/// A workspace-level declaration, for `workspace = true`.
struct WorkspaceDecl<'a> {
    item: &'a Item,
    label: Label,
}

impl Planner<'_> {
    fn run(&mut self) -> Option<Plan> {
        let root_manifest = self.ws.root_manifest();
        let facade_dir = self.facade_dir(root_manifest);
        let ws_decls = self.workspace_decls(root_manifest);

        let mut consumers = Vec::new();
        let mut declarations = Vec::new();
        let mut raw_features = Vec::new();
        for (member_index, member) in self.ws.members.iter().enumerate() {
            let Some(index) = member.manifest else {
                continue;
            };
            let consumer = consumers.len();
            let manifest = &self.ws.manifests[index];
            let first = declarations.len();
            self.read_declarations(manifest, consumer, &ws_decls, &mut declarations);
            consumers.push(Consumer {
                name: member.name.clone(),
                manifest: index,
                member: member_index,
                declarations: first..declarations.len(),
                entries: BTreeMap::new(),
                features: Vec::new(),
            });
            let mine: Vec<(String, bool)> = declarations[first..]
                .iter()
                .map(|d| (d.name.to_string(), d.spec.optional))
                .collect();
            raw_features.push(self.read_features(manifest, &mine));
        }
        let facade_dir = facade_dir?;

        // Facades: consumers grouped by the names they declare, then the
        // features of each (their `[features]` translated to the facade's).
        let mut facts: Vec<features::Facts> = consumers
            .iter()
            .map(|c| features::gates(&declarations[c.declarations.clone()]))
            .collect();
        let mut grouping =
            facades::group(&facade_dir, &consumers, &declarations, &facts, self.diags);
        grouping.settle_defaults(&mut facts);
        let mut forwards: BTreeMap<(usize, DeclName), BTreeSet<String>> = BTreeMap::new();
        for (consumer, features) in raw_features.into_iter().enumerate() {
            let mine: Vec<&Declaration> = declarations[consumers[consumer].declarations.clone()]
                .iter()
                .collect();
            for feature in features {
                let mut values = Vec::new();
                for (value, label) in &feature.values {
                    match features::translate_feature_value(value, &mine, &facts[consumer]) {
                        Ok(Translated::Unchanged) => values.push(value.clone()),
                        Ok(Translated::Into { values: new, forward }) => {
                            values.extend(new);
                            if let Some((name, f)) = forward {
                                forwards.entry((consumer, name)).or_default().insert(f);
                            }
                        }
                        Err(message) => self.diags.push(
                            Diagnostic::error(format!("feature `{}`: {message}", feature.name))
                                .label(label.clone().with_text("this value"))
                                .help(
                                    "declare the name in `[package.metadata.facade.dependencies]` (or a dev, build \
                                     or target table) of this package, or remove the value",
                                ),
                        ),
                    }
                }
                values.dedup();
                consumers[consumer].features.push(ManagedFeature {
                    name: feature.name,
                    adopted: feature.adopted,
                    values,
                });
            }
        }

        let built = grouping.build(&facade_dir, &declarations, &facts, &forwards);
        for (consumer, entries) in consumers.iter_mut().zip(built.entries) {
            consumer.entries = entries;
        }
        let facades = built.facades;

        self.check_real_tables(&consumers, &declarations);
        self.check_typosquats(&consumers, &declarations);
        self.check_graph(&facades, &consumers, &declarations);

        if self.diags.has_errors() {
            return None;
        }
        Some(Plan {
            facade_dir,
            facades,
            consumers,
            declarations,
        })
    }

    /// RFC 3243, "Dash typosquatting": `foo::bar` and a direct dependency on a
    /// package `foo-bar`/`foo_bar` that is not that child are one typo apart.
    fn check_typosquats(&mut self, consumers: &[Consumer], declarations: &[Declaration]) {
        let mut reported = BTreeSet::new();
        for decl in declarations {
            let DeclName::Child { root, child } = &decl.name else {
                continue;
            };
            let consumer = &consumers[decl.consumer];
            let member = &self.ws.members[consumer.member];
            let squats = [format!("{root}-{child}"), format!("{root}_{child}")];
            for dep in &member.dependencies {
                let key = dep.key.as_str();
                if !squats.iter().any(|s| *s == dep.package || s == key) {
                    continue;
                }
                let same_package = dep.package == decl.spec.package
                    && match (&decl.spec.source, &dep.source) {
                        (Source::Path(dir), DepSource::Path(path)) => path == dir,
                        (Source::Registry { .. }, DepSource::Registry(_)) => true,
                        (Source::Git { url, .. }, DepSource::Git(git)) => git == url,
                        _ => false,
                    };
                if same_package || !reported.insert((decl.consumer, key.to_owned())) {
                    continue;
                }
                let manifest = &self.ws.manifests[consumer.manifest];
                let span = dep.span.clone();
                self.diags.push(
                    Diagnostic::error(format!(
                        "`{}` depends on package `{}`{}, which is not the declared child `{}`",
                        consumer.name,
                        dep.package,
                        if key != dep.package { format!(" as `{key}`") } else { String::new() },
                        decl.name
                    ))
                    .at(&manifest.file, span, "a different package, one typo away")
                    .label(decl.key.clone().with_text(format!("`{}` is package `{}` from here", decl.name, decl.spec.package)))
                    .note(
                        "RFC 3243, \"Dash typosquatting\": \"it's totally possible for a user to accidentally type \
                         foo-bar in Cargo.toml instead of foo/bar, and pull in the wrong, squatted, crate\"",
                    )
                    .help(format!(
                        "remove the direct dependency and write `{root}::{}::…` paths; if `{}` really is the child, \
                         declare it with `package = \"{}\"` and the same source",
                        crate::name::module_ident(child),
                        dep.package,
                        dep.package
                    )),
                );
            }
        }
    }

    /// `[package.metadata.facade.features]`: features naming declarations.
    /// `[package.metadata.facade.features]`, and (adopted) the real
    /// `[features]` entries that name declarations of this package.
    fn read_features(
        &mut self,
        manifest: &Manifest,
        declared: &[(String, bool)],
    ) -> Vec<RawFeature> {
        let mut out = Vec::new();
        let mirror = get_path(
            manifest.doc.as_item(),
            &["package", "metadata", "facade", "features"],
        );
        if let Some(item) = mirror {
            match item.as_table_like() {
                Some(table) => self.read_feature_table(manifest, table, false, &mut out),
                None => self.bad_type(
                    manifest,
                    item,
                    "package.metadata.facade.features",
                    "a table of features",
                ),
            }
        }
        if let Some(real) = manifest.doc.get("features").and_then(Item::as_table_like) {
            let adoptable = adoptable_features(real, declared, manifest.file.text());
            if !adoptable.is_empty() {
                let mut adopted = Vec::new();
                self.read_feature_table(manifest, real, true, &mut adopted);
                out.extend(adopted.into_iter().filter(|f| adoptable.contains(&f.name)));
            }
        }
        out
    }

    fn read_feature_table(
        &mut self,
        manifest: &Manifest,
        table: &dyn TableLike,
        adopted: bool,
        out: &mut Vec<RawFeature>,
    ) {
        for (name, _) in table.iter() {
            let (key, item) = table.get_key_value(name).expect("key from iter");
            let key_label = Label::new(&manifest.file, key.span().unwrap_or(0..0), "");
            let Some(array) = item.as_array() else {
                self.diags.push(
                    Diagnostic::error(format!("feature `{name}` must be an array of strings"))
                        .label(key_label.with_text("not an array"))
                        .help(format!("write e.g. `{name} = [\"foo::bar/std\"]`")),
                );
                continue;
            };
            let mut values = Vec::new();
            for value in array.iter() {
                let label = Label::new(&manifest.file, value.span().unwrap_or(0..0), "");
                match value.as_str() {
                    Some(text) => values.push((text.to_owned(), label)),
                    None => self.diags.push(
                        Diagnostic::error(format!("feature `{name}` must list strings"))
                            .label(label.with_text("not a string"))
                            .help("quote the feature value"),
                    ),
                }
            }
            out.push(RawFeature {
                name: name.to_owned(),
                values,
                adopted,
            });
        }
    }

    /// `[workspace.metadata.facade] dir`, checked to stay inside the workspace.
    fn facade_dir(&mut self, root: &Manifest) -> Option<PathBuf> {
        let config = get_path(root.doc.as_item(), &["workspace", "metadata", "facade"]);
        let Some((key, item)) = config
            .and_then(|c| c.as_table_like())
            .and_then(|t| t.get_key_value("dir"))
        else {
            return Some(self.ws.root.join(DEFAULT_DIR));
        };
        let label = Label::new(
            &root.file,
            item.span().or_else(|| key.span()).unwrap_or(0..0),
            "",
        );
        let Some(dir) = item.as_str() else {
            self.diags.push(
                Diagnostic::error("`workspace.metadata.facade.dir` must be a string")
                    .label(label.with_text("expected a relative path such as \"facades\""))
                    .help("write the folder as a string, e.g. `dir = \"facades\"`"),
            );
            return None;
        };
        let path = Path::new(dir);
        let escapes = path.is_absolute()
            || path.has_root()
            || path
                .components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
            || path.components().next().is_none()
            || path.components().all(|c| c == Component::CurDir)
            // Absolute on Windows; `~` is never expanded.
            || dir.contains('\\')
            || dir.contains(':')
            || dir.starts_with('~');
        if escapes {
            self.diags.push(
                Diagnostic::error(format!(
                    "facade dir `{dir}` is not a folder inside the workspace"
                ))
                .label(label.with_text("absolute, empty or escaping with `..`"))
                .help(
                    "use a relative path with `/` separators below the workspace root, e.g. \
                     `dir = \"facades\"`",
                ),
            );
            return None;
        }
        let full = self.ws.root.join(path);
        // A symlink anywhere on the way could lead outside the workspace.
        let mut walk = self.ws.root.clone();
        for component in path.components() {
            walk.push(component);
            if walk
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink())
            {
                self.diags.push(
                    Diagnostic::error(format!("facade dir `{dir}` goes through a symlink (`{}`)", walk.display()))
                        .label(label.with_text("symlinked path"))
                        .note("cargo-facade writes only inside the workspace and never follows symlinks to do so")
                        .help("point `dir` at a real folder inside the workspace"),
                );
                return None;
            }
        }
        Some(full)
    }

    fn workspace_decls<'m>(&mut self, root: &'m Manifest) -> BTreeMap<String, WorkspaceDecl<'m>> {
        let mut out = BTreeMap::new();
        let Some(table) = get_path(
            root.doc.as_item(),
            &["workspace", "metadata", "facade", "dependencies"],
        ) else {
            return out;
        };
        let Some(table) = table.as_table_like() else {
            self.diags.push(
                Diagnostic::error("`workspace.metadata.facade.dependencies` must be a table")
                    .at(&root.file, table.span().unwrap_or(0..0), "not a table")
                    .help(DECLARATION_TABLES_HELP),
            );
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

    fn read_declarations(
        &mut self,
        manifest: &Manifest,
        consumer: usize,
        ws_decls: &BTreeMap<String, WorkspaceDecl<'_>>,
        out: &mut Vec<Declaration>,
    ) {
        let first = out.len();
        self.read_mirror_declarations(manifest, consumer, ws_decls, out);
        // Adoption: RFC-syntax entries in the real tables, and the real root
        // entry of a namespace this package declares, are declarations too;
        // `sync` moves them into the mirrored tables.
        let mut roots: BTreeSet<String> = out[first..]
            .iter()
            .map(|d| d.name.root().to_owned())
            .collect();
        let adoptable = adoptable_entries(manifest.doc.as_item(), &mut roots);
        for (table_id, key_text) in adoptable {
            let table = get_path(manifest.doc.as_item(), &table_id.real_path())
                .and_then(Item::as_table_like)
                .expect("adoptable entries come from real tables");
            let (key, item) = table
                .get_key_value(&key_text)
                .expect("adoptable key exists");
            let key_label = Label::new(&manifest.file, key.span().unwrap_or(0..0), "");
            let Some(decl_name) = self.parse_name(&key_text, &key_label) else {
                continue;
            };
            let path = table_id.display("").trim_matches(['[', ']']).to_owned();
            // Moving it would overwrite the mirrored declaration.
            if let Some(mirrored) = out[first..]
                .iter()
                .find(|d| !d.adopted && d.name == decl_name && d.table == table_id)
            {
                self.diags.push(
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
            let Some(spec) =
                self.read_spec(manifest, &decl_name, &key_label, item, &path, ws_decls)
            else {
                continue;
            };
            out.push(Declaration {
                name: decl_name,
                consumer,
                table: table_id,
                key: key_label,
                spec,
                adopted: true,
            });
        }
    }

    /// A declaration key as a [`DeclName`], or an error at `key`.
    fn parse_name(&mut self, text: &str, key: &Label) -> Option<DeclName> {
        match DeclName::parse(text) {
            Ok(name) => Some(name),
            Err(err) => {
                let mut diag =
                    Diagnostic::error(format!("invalid namespaced name: {}", err.message))
                        .label(key.clone().with_text("declared here"));
                for note in err.notes {
                    diag = diag.note(note);
                }
                self.diags.push(diag.help(err.help));
                None
            }
        }
    }

    fn read_mirror_declarations(
        &mut self,
        manifest: &Manifest,
        consumer: usize,
        ws_decls: &BTreeMap<String, WorkspaceDecl<'_>>,
        out: &mut Vec<Declaration>,
    ) {
        let Some(facade) = get_path(manifest.doc.as_item(), &["package", "metadata", "facade"])
        else {
            return;
        };
        let Some(facade) = facade.as_table_like() else {
            self.diags.push(
                Diagnostic::error("`package.metadata.facade` must be a table")
                    .at(&manifest.file, facade.span().unwrap_or(0..0), "not a table")
                    .help(DECLARATION_TABLES_HELP),
            );
            return;
        };
        let mut tables: Vec<(TableId, &Item, String)> = Vec::new();
        for (key, item) in facade.iter() {
            let kind = match key {
                "dependencies" => Some(DepKind::Normal),
                "dev-dependencies" => Some(DepKind::Dev),
                "build-dependencies" => Some(DepKind::Build),
                _ => None,
            };
            if let Some(kind) = kind {
                tables.push((
                    TableId { target: None, kind },
                    item,
                    format!("package.metadata.facade.{key}"),
                ));
            } else if key == "features" {
                // Read by `read_features`.
            } else if key == "target" {
                let Some(targets) = item.as_table_like() else {
                    self.bad_type(
                        manifest,
                        item,
                        "package.metadata.facade.target",
                        "a table of platforms",
                    );
                    continue;
                };
                for (platform, item) in targets.iter() {
                    let Some(kinds) = item.as_table_like() else {
                        self.bad_type(
                            manifest,
                            item,
                            &format!("package.metadata.facade.target.'{platform}'"),
                            "a table",
                        );
                        continue;
                    };
                    for (key, item) in kinds.iter() {
                        let kind = match key {
                            "dependencies" => DepKind::Normal,
                            "dev-dependencies" => DepKind::Dev,
                            "build-dependencies" => DepKind::Build,
                            _ => {
                                self.unknown_key(
                                    manifest,
                                    kinds,
                                    key,
                                    &format!("package.metadata.facade.target.'{platform}'"),
                                );
                                continue;
                            }
                        };
                        tables.push((
                            TableId {
                                target: Some(platform.to_owned()),
                                kind,
                            },
                            item,
                            format!("package.metadata.facade.target.'{platform}'.{key}"),
                        ));
                    }
                }
            } else {
                self.unknown_key(manifest, facade, key, "package.metadata.facade");
            }
        }
        for (table_id, item, path) in tables {
            let Some(table) = item.as_table_like() else {
                self.bad_type(manifest, item, &path, "a table of dependencies");
                continue;
            };
            for (name, _) in table.iter() {
                let (key, item) = table.get_key_value(name).expect("key from iter");
                let key_label = Label::new(&manifest.file, key.span().unwrap_or(0..0), "");
                let Some(decl_name) = self.parse_name(name, &key_label) else {
                    continue;
                };
                let Some(spec) =
                    self.read_spec(manifest, &decl_name, &key_label, item, &path, ws_decls)
                else {
                    continue;
                };
                out.push(Declaration {
                    name: decl_name,
                    consumer,
                    table: table_id.clone(),
                    key: key_label,
                    spec,
                    adopted: false,
                });
            }
        }
    }

    /// Deserializes one declaration with cargo's schema and resolves it.
    fn read_spec(
        &mut self,
        manifest: &Manifest,
        name: &DeclName,
        key: &Label,
        item: &Item,
        table_path: &str,
        ws_decls: &BTreeMap<String, WorkspaceDecl<'_>>,
    ) -> Option<Spec> {
        let dep = self.deserialize::<InheritableDependency>(&manifest.file, item, key, name)?;
        let key_text = name.to_string();
        let (
            detailed,
            base_dir,
            member_features,
            member_optional,
            member_default,
            unused,
            spec_file,
        ) = match dep {
            InheritableDependency::Value(dep) => {
                let unused = dep.unused_keys();
                let detailed = match dep {
                    TomlDependency::Simple(version) => TomlDetailedDependency {
                        version: Some(version),
                        ..Default::default()
                    },
                    TomlDependency::Detailed(detailed) => detailed,
                };
                (
                    detailed,
                    manifest.dir().to_owned(),
                    None,
                    None,
                    None,
                    unused,
                    &manifest.file,
                )
            }
            InheritableDependency::Inherit(inherit) => {
                let unused = inherit._unused_keys.keys().cloned().collect();
                if !inherit.workspace {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "`{key_text}`: `workspace = false` is not supported"
                        ))
                        .label(key.clone().with_text("declared here"))
                        .help("remove `workspace = false` and give the dependency's source"),
                    );
                    return None;
                }
                let root = self.ws.root_manifest();
                let Some(ws_decl) = ws_decls.get(&key_text) else {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "`{key_text}` inherits from the workspace, but `[workspace.metadata.facade.dependencies]` \
                             has no `{key_text}`"
                        ))
                        .label(key.clone().with_text("`workspace = true` here"))
                        .help(format!(
                            "declare `\"{key_text}\"` in `[workspace.metadata.facade.dependencies]` of `{}`",
                            root.path().display()
                        )),
                    );
                    return None;
                };
                let ws_dep = self.deserialize::<TomlDependency>(
                    &root.file,
                    ws_decl.item,
                    &ws_decl.label,
                    name,
                )?;
                let detailed = match ws_dep {
                    TomlDependency::Simple(version) => TomlDetailedDependency {
                        version: Some(version),
                        ..Default::default()
                    },
                    TomlDependency::Detailed(detailed) => detailed,
                };
                if detailed.optional.is_some() {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "`{key_text}`: `optional` is not allowed in workspace declarations"
                        ))
                        .label(ws_decl.label.clone().with_text("workspace declaration"))
                        .help("remove `optional` here and set it in the member's declaration"),
                    );
                    return None;
                }
                let default = inherit.default_features.or(inherit.default_features2);
                (
                    detailed,
                    self.ws.root.clone(),
                    inherit.features,
                    inherit.optional,
                    default,
                    unused,
                    &root.file,
                )
            }
        };
        let _ = spec_file;
        for unused in unused {
            if unused == "foreign" {
                continue;
            }
            if unused == "workspace" {
                // Cargo's schema reads a non-boolean `workspace` as an unused
                // key; it can only be a mistyped `workspace = true`.
                let span = item
                    .as_table_like()
                    .and_then(|t| t.get("workspace"))
                    .and_then(Item::span);
                let mut diag =
                    Diagnostic::error(format!("`{key_text}`: `workspace` must be `true`"));
                if let Some(span) = span {
                    diag = diag.at(&manifest.file, span, "expected `true`");
                }
                self.diags.push(
                    diag.label(key.clone().with_text("in this declaration"))
                        .help(
                            "write `workspace = true` to inherit from \
                             `[workspace.metadata.facade.dependencies]`, or remove `workspace`",
                        ),
                );
                return None;
            }
            self.diags.push(
                Diagnostic::warning(format!(
                    "unused manifest key: {table_path}.\"{key_text}\".{unused}"
                ))
                .label(key.clone().with_text("in this declaration"))
                .help("remove the key; declarations accept the keys Cargo accepts on a dependency"),
            );
        }
        for (what, set) in [
            ("registry-index", detailed.registry_index.is_some()),
            ("base", detailed.base.is_some()),
            ("artifact", detailed.artifact.is_some()),
            ("lib", detailed.lib.is_some()),
            ("target", detailed.target.is_some()),
        ] {
            if set {
                self.diags.push(
                    Diagnostic::error(format!(
                        "`{key_text}`: `{what}` is not supported in facade declarations"
                    ))
                    .label(key.clone().with_text("declared here"))
                    .help(format!("remove `{what}`")),
                );
                return None;
            }
        }

        let mut features: Vec<String> = detailed.features.clone().unwrap_or_default();
        features.extend(member_features.unwrap_or_default());
        let default_features = member_default
            .or(detailed.default_features())
            .unwrap_or(true);
        let optional = member_optional.or(detailed.optional).unwrap_or(false);
        let declared_package = detailed.package.as_ref().map(|p| p.to_string());

        let sources = [
            detailed.path.is_some(),
            detailed.git.is_some(),
            detailed.registry.is_some(),
        ]
        .iter()
        .filter(|s| **s)
        .count();
        if sources > 1 {
            self.diags.push(
                Diagnostic::error(format!(
                    "`{key_text}` names more than one source (`path`, `git`, `registry`)"
                ))
                .label(key.clone().with_text("declared here"))
                .help("keep exactly one of `path`, `git` and `registry`"),
            );
            return None;
        }
        if detailed.git.is_none()
            && (detailed.branch.is_some() || detailed.tag.is_some() || detailed.rev.is_some())
        {
            self.diags.push(
                Diagnostic::error(format!(
                    "`{key_text}` has `branch`, `tag` or `rev` without `git`"
                ))
                .label(key.clone().with_text("declared here"))
                .help("add the `git` URL or remove the git reference"),
            );
            return None;
        }
        let (source, package, has_default_feature, repository) = if let Some(path) = &detailed.path
        {
            let dir = normalize(&base_dir.join(path));
            let package = self.path_package(&dir, path, key, &key_text)?;
            if let Some(declared) = &declared_package
                && *declared != package.name
            {
                self.diags.push(
                    Diagnostic::error(format!(
                        "`{key_text}` names package `{declared}`, but `{path}` holds package `{}`",
                        package.name
                    ))
                    .label(key.clone().with_text("declared here"))
                    .help(format!(
                        "set `package = \"{}\"` or remove `package`",
                        package.name
                    )),
                );
                return None;
            }
            if !package.has_lib {
                self.diags.push(
                    Diagnostic::error(format!(
                        "`{key_text}`: package `{}` at `{path}` has no library target",
                        package.name
                    ))
                    .label(key.clone().with_text("declared here"))
                    .note("a facade re-exports a library; binaries cannot be re-exported")
                    .help(format!(
                        "add a `src/lib.rs` (or a `[lib]` section) to `{}`",
                        package.name
                    )),
                );
                return None;
            }
            let has_default = package.features.contains("default");
            (
                Source::Path(dir),
                package.name,
                has_default,
                package.repository,
            )
        } else {
            if detailed.version.is_none() && detailed.git.is_none() {
                self.diags.push(
                    Diagnostic::error(format!(
                        "`{key_text}` has no source: no `version`, `path` or `git`"
                    ))
                    .label(key.clone().with_text("declared here"))
                    .help(format!(
                        "write e.g. `\"{key_text}\" = {{ version = \"1\", package = \"…\" }}`"
                    )),
                );
                return None;
            }
            let package = match (&declared_package, name) {
                (Some(package), _) => package.clone(),
                (None, DeclName::Root(root)) => root.clone(),
                (None, DeclName::Child { root, child }) => {
                    self.diags.push(
                        Diagnostic::error(format!("`{key_text}` needs `package`: which package provides it?"))
                            .label(key.clone().with_text("no `package` here"))
                            .note(
                                "until registries support namespaced packages, a registry or git child is \
                                 provided by an ordinary package; cargo-facade never guesses its name",
                            )
                            .help(format!("add e.g. `package = \"{root}-{child}\"` if that is the package")),
                    );
                    return None;
                }
            };
            let source = match &detailed.git {
                Some(url) => Source::Git {
                    url: url.clone(),
                    branch: detailed.branch.clone(),
                    tag: detailed.tag.clone(),
                    rev: detailed.rev.clone(),
                },
                None => Source::Registry {
                    registry: detailed.registry.as_ref().map(|r| r.to_string()),
                },
            };
            (source, package, true, None)
        };
        let foreign = match item.as_table_like().and_then(|t| t.get("foreign")) {
            None => false,
            Some(value) => {
                match value.as_bool() {
                    Some(foreign) => foreign,
                    None => {
                        self.diags.push(
                        Diagnostic::error(format!("invalid declaration `{key_text}`"))
                            .at(
                                &manifest.file,
                                value.span().unwrap_or(0..0),
                                "`foreign` must be `true` or `false`",
                            )
                            .help("write `foreign = true` to accept a child from another repository"),
                    );
                        return None;
                    }
                }
            }
        };
        Some(Spec {
            package,
            version: detailed.version.clone(),
            source,
            features,
            default_features,
            optional,
            has_default_feature,
            foreign,
            repository,
        })
    }

    fn deserialize<T: serde::de::DeserializeOwned>(
        &mut self,
        file: &Arc<SourceFile>,
        item: &Item,
        key: &Label,
        name: &DeclName,
    ) -> Option<T> {
        let value = match item.clone().into_value() {
            Ok(value) => value,
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(format!("`{name}`: expected a version string or a table"))
                        .label(key.clone().with_text("declared here")),
                );
                return None;
            }
        };
        match T::deserialize(value.clone().into_deserializer()) {
            Ok(value) => Some(value),
            Err(err) => {
                let (err, field) = precise_error(&value).unwrap_or((err, None));
                let mut message = err
                    .message()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(field) = field {
                    message = format!("`{field}`: {message}");
                }
                let span = err.span().filter(|s| s.end <= file.text().len());
                let mut diag = Diagnostic::error(format!("invalid declaration `{name}`"));
                diag = match span {
                    Some(span) => diag
                        .at(file, span, message)
                        .label(key.clone().with_text("in this declaration")),
                    None => diag.label(key.clone().with_text(message)),
                };
                self.diags.push(diag.help(
                    "declarations take Cargo's dependency syntax: a version string or a table of \
                     `version`, `path`, `git`, `package`, `features`, `optional`, `default-features`…",
                ));
                None
            }
        }
    }

    /// Reads the package at a path declaration (cached per directory).
    fn path_package(
        &mut self,
        dir: &Path,
        written: &str,
        key: &Label,
        key_text: &str,
    ) -> Option<PathPackage> {
        if let Some(cached) = self.children.get(dir) {
            return cached.clone();
        }
        let package = self.read_path_package(dir, written, key, key_text);
        self.children.insert(dir.to_owned(), package.clone());
        package
    }

    fn read_path_package(
        &mut self,
        dir: &Path,
        written: &str,
        key: &Label,
        key_text: &str,
    ) -> Option<PathPackage> {
        let manifest_path = dir.join("Cargo.toml");
        let text = match std::fs::read_to_string(&manifest_path) {
            Ok(text) => text,
            Err(err) => {
                if err.kind() == std::io::ErrorKind::InvalidData
                    && let Ok(bytes) = std::fs::read(&manifest_path)
                {
                    self.diags.push(
                        crate::diagnostic::not_utf8(&manifest_path, &bytes)
                            .label(key.clone().with_text("declared here")),
                    );
                    return None;
                }
                let what = if dir.exists() {
                    format!("`{written}` has no readable `Cargo.toml` ({err})")
                } else {
                    format!("path `{written}` does not exist")
                };
                self.diags.push(
                    Diagnostic::error(format!("`{key_text}`: {what}"))
                        .label(key.clone().with_text("declared here"))
                        .note(format!("looked for `{}`", manifest_path.display()))
                        .help("fix `path`: it is relative to the manifest that declares it"),
                );
                return None;
            }
        };
        let file = SourceFile::new(manifest_path.clone(), text);
        let raw: RawPackageManifest = match toml_edit::de::from_str(file.text()) {
            Ok(raw) => raw,
            Err(err) => {
                self.diags.push(
                    Diagnostic::error(format!(
                        "`{key_text}`: cannot read the package at `{written}`"
                    ))
                    .at(&file, err.span().unwrap_or(0..0), err.message().to_owned())
                    .label(key.clone().with_text("declared here"))
                    .help(format!(
                        "fix the manifest of the package at `{written}`, or `path` if it points \
                         at the wrong folder"
                    )),
                );
                return None;
            }
        };
        let Some(name) = raw.package.as_ref().and_then(|p| p.name.clone()) else {
            self.diags.push(
                Diagnostic::error(format!(
                    "`{key_text}`: `{}` has no `[package] name`",
                    manifest_path.display()
                ))
                .label(key.clone().with_text("declared here"))
                .help(
                    "a path declaration must point at a package, not a virtual workspace manifest",
                ),
            );
            return None;
        };
        let autolib = raw.package.as_ref().and_then(|p| p.autolib).unwrap_or(true);
        let has_lib = raw.lib.is_some() || (autolib && dir.join("src/lib.rs").is_file());
        let features = raw
            .features
            .map(|f| f.into_keys().collect())
            .unwrap_or_default();
        let repository = raw
            .package
            .as_ref()
            .and_then(|p| p.repository.as_ref())
            .and_then(|r| r.as_str())
            .map(str::to_owned);
        Some(PathPackage {
            name,
            has_lib,
            features,
            repository,
        })
    }

    /// A consumer's own `foo` dependency would take the managed entry's name;
    /// its own `[features]` entry would be overwritten by a translated one.
    fn check_real_tables(&mut self, consumers: &[Consumer], declarations: &[Declaration]) {
        for consumer in consumers {
            let manifest = &self.ws.manifests[consumer.manifest];
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
                    self.diags.push(
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
                    if adopted || is_managed(root, item) || !reported.insert(root.to_owned()) {
                        continue;
                    }
                    self.diags.push(
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

    fn bad_type(&mut self, manifest: &Manifest, item: &Item, path: &str, expected: &str) {
        self.diags.push(
            Diagnostic::error(format!("`{path}` must be {expected}"))
                .at(
                    &manifest.file,
                    item.span().unwrap_or(0..0),
                    format!("expected {expected}"),
                )
                .help(DECLARATION_TABLES_HELP),
        );
    }

    fn unknown_key(&mut self, manifest: &Manifest, table: &dyn TableLike, key: &str, path: &str) {
        let span = table
            .get_key_value(key)
            .and_then(|(k, _)| k.span())
            .unwrap_or(0..0);
        self.diags.push(
            Diagnostic::warning(format!("unused manifest key: {path}.{key}"))
                .at(&manifest.file, span, "not a dependency table")
                .help(
                    "expected `dependencies`, `dev-dependencies`, `build-dependencies` or `target`",
                ),
        );
    }
}

/// Problems of the package graph the facades would create: cargo rejects
/// them only once the files are written, and without naming a declaration.
impl Planner<'_> {
    fn check_graph(
        &mut self,
        facades: &[Facade],
        consumers: &[Consumer],
        declarations: &[Declaration],
    ) {
        let mut firsts: BTreeMap<&DeclName, &Declaration> = BTreeMap::new();
        for decl in declarations {
            firsts.entry(&decl.name).or_insert(decl);
        }

        // A package inside a namespace that declares the same namespace:
        // the facade depends on it and it on the facade. (Cargo allows the
        // cycle through dev-dependencies only.)
        for decl in declarations.iter().filter(|d| d.table.kind != DepKind::Dev) {
            let consumer = &consumers[decl.consumer];
            let consumer_dir = self.ws.manifests[consumer.manifest].dir();
            let provided = firsts.iter().find(|(name, provider)| {
                name.root() == decl.name.root()
                    && matches!(&provider.spec.source, Source::Path(dir) if dir == consumer_dir)
            });
            let Some((provided, provider)) = provided else {
                continue;
            };
            self.diags.push(
                Diagnostic::error(format!(
                    "`{}` is `{provided}`, so it cannot declare `{}` of its own namespace",
                    consumer.name, decl.name
                ))
                .label(decl.key.clone().with_text("declared here"))
                .label(
                    provider
                        .key
                        .clone()
                        .with_text(format!("`{provided}` declared here")),
                )
                .note(format!(
                    "the facade of `{root}` depends on `{}`, so `{}` cannot depend on the facade: \
                     that is a dependency cycle",
                    consumer.name,
                    consumer.name,
                    root = decl.name.root()
                ))
                .help(format!(
                    "depend on package `{}` directly in `[{}]` instead of declaring `{}`",
                    decl.spec.package,
                    decl.table.kind.table_name(),
                    decl.name
                )),
            );
        }

        // The facade's package name is taken by another member.
        for facade in facades {
            let facade_manifest = facade.dir.join("Cargo.toml");
            for member in &self.ws.members {
                if member.name != facade.package || member.manifest_path == facade_manifest {
                    continue;
                }
                let mut diag = Diagnostic::error(format!(
                    "package `{}` already exists: it would clash with the facade of namespace `{}`",
                    facade.package, facade.root
                ));
                if let Ok(text) = std::fs::read_to_string(&member.manifest_path) {
                    let span = toml_edit::Document::parse(text.as_str())
                        .ok()
                        .and_then(|doc| {
                            get_path(doc.as_item(), &["package", "name"]).and_then(Item::span)
                        })
                        .unwrap_or(0..0);
                    let file = SourceFile::new(member.manifest_path.clone(), text);
                    diag = diag.at(&file, span, "this package has the facade's name");
                }
                if let Some((_, first)) = firsts.iter().find(|(n, _)| n.root() == facade.root) {
                    diag = diag.label(
                        first
                            .key
                            .clone()
                            .with_text(format!("namespace `{}` declared here", facade.root)),
                    );
                }
                self.diags.push(
                    diag.note(format!(
                        "the facade of namespace `{}` is the package `{}`, and a workspace \
                         cannot hold two packages of one name",
                        facade.root, facade.package
                    ))
                    .help(format!(
                        "rename the package at `{}`",
                        member.manifest_path.display()
                    )),
                );
            }
        }
    }
}

impl Label {
    pub fn with_text(mut self, text: impl Into<String>) -> Label {
        self.text = text.into();
        self
    }
}

/// A feature of `[package.metadata.facade.features]` as written.
struct RawFeature {
    name: String,
    values: Vec<(String, Label)>,
    /// From the real `[features]` table (RFC syntax written in place).
    adopted: bool,
}

/// The real `[features]` entries that name a declaration (`dep:foo::bar`,
/// `foo::bar/x`, `foo::bar?/x`, `foo/x` of a declared root, or the bare
/// name of an optional declaration) and are not cargo-facade's own.
pub fn adoptable_features(
    real: &dyn TableLike,
    declared: &[(String, bool)],
    source: &str,
) -> Vec<String> {
    let names_declared = |value: &str| {
        declared.iter().any(|(name, optional)| {
            value.strip_prefix("dep:") == Some(name)
                || value
                    .strip_prefix(name.as_str())
                    .is_some_and(|rest| rest.starts_with('/') || rest.starts_with("?/"))
                || (value == name && (*optional || name.contains("::")))
        })
    };
    real.iter()
        .filter(|(_, item)| !crate::marker::is_managed_feature_in(item, source))
        .filter(|(_, item)| {
            item.as_array()
                .is_some_and(|a| a.iter().any(|v| v.as_str().is_some_and(names_declared)))
        })
        .map(|(key, _)| key.to_owned())
        .collect()
}

/// crates.io's ownership rule, emulated: "Only the owners of foo may create
/// the foo::bar crate". Registry and git children whose `repository`
/// differs from the root's are warned about unless declared `foreign = true`.
/// Needs a resolved `cargo metadata` (registry manifests are not read).
pub fn ownership_warnings(plan: &Plan, metadata: &cargo_metadata::Metadata) -> Vec<Diagnostic> {
    let repository = |package: &str| {
        metadata
            .packages
            .iter()
            .find(|p| p.name.as_str() == package)
            .map(|p| normalize_repository(p.repository.as_deref()))
    };
    let mut out = Vec::new();
    for facade in &plan.facades {
        let Some(root) = &facade.root_crate else {
            continue;
        };
        let Some(root_repo) = repository(&root.package) else {
            continue;
        };
        for child in &facade.children {
            if matches!(child.dep.source, Source::Path(_)) {
                continue;
            }
            let name = DeclName::Child {
                root: facade.root.clone(),
                child: child.name.clone(),
            };
            let decls: Vec<&Declaration> = plan
                .declarations
                .iter()
                .filter(|d| d.name == name)
                .collect();
            if decls.iter().all(|d| d.spec.foreign) {
                continue;
            }
            let Some(child_repo) = repository(&child.dep.package) else {
                continue;
            };
            if child_repo == root_repo && root_repo.is_some() {
                continue;
            }
            let decl = decls
                .iter()
                .find(|d| !d.spec.foreign)
                .expect("one is not foreign");
            let show = |r: &Option<String>| r.clone().unwrap_or_else(|| "none".to_owned());
            out.push(
                Diagnostic::warning(format!(
                    "`{name}` is package `{}` from repository {}, but root `{}` is from {}",
                    child.dep.package,
                    show(&child_repo),
                    facade.root,
                    show(&root_repo)
                ))
                .label(decl.key.clone().with_text("declared here"))
                .note(
                    "RFC 3243: \"Only the owners of foo may create the foo::bar crate\"; a registry will refuse \
                     a child that the root's owners did not publish",
                )
                .help("if the child is meant to come from elsewhere, add `foreign = true` to its declaration"),
            );
        }
    }
    out
}

fn normalize_repository(repository: Option<&str>) -> Option<String> {
    repository.map(|r| {
        let r = r.trim().trim_end_matches('/');
        r.strip_suffix(".git").unwrap_or(r).to_ascii_lowercase()
    })
}

/// The real-table entries `sync` adopts, in document order: every key with
/// `::`, and the real entry of every namespace root declared (in `roots`,
/// which grows with the roots of the `::` keys). Managed entries and
/// entries of inline tables are left alone.
pub fn adoptable_entries(doc: &Item, roots: &mut BTreeSet<String>) -> Vec<(TableId, String)> {
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
            if key.contains("::") || (roots.contains(key) && !is_managed(key, item)) {
                out.push((id.clone(), key.to_owned()));
            }
        }
    }
    out
}

/// The same error from a shape that keeps spans, with the key it is under:
/// cargo's dependency types go through an untagged buffer that drops both.
fn precise_error(value: &toml_edit::Value) -> Option<(toml_edit::de::Error, Option<String>)> {
    use serde::Deserialize as _;
    let table = value.as_inline_table()?;
    let err = if table.contains_key("workspace") {
        cargo_util_schemas::manifest::TomlInheritedDependency::deserialize(
            value.clone().into_deserializer(),
        )
        .err()?
    } else {
        TomlDetailedDependency::<String>::deserialize(value.clone().into_deserializer()).err()?
    };
    let span = err.span()?;
    let field = table
        .iter()
        .find(|(_, v)| {
            v.span()
                .is_some_and(|s| s.start <= span.start && span.end <= s.end)
        })
        .map(|(k, _)| k.to_owned());
    Some((err, field))
}

pub use crate::paths::normalize;
