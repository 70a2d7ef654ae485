//! The plan's model: the validated data every later stage reads — facades,
//! consumers, declarations and their specs, managed entries and features.
//! Types only (and their small accessors); the checks that build them live
//! in the sibling modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::diagnostic::Label;
pub use crate::manifest::{DepKind, Source, TableId};
use crate::name::{DeclName, module_ident};

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
    /// The features a path package can turn on (its `[features]` and the
    /// keys of its `[dependencies]`); `None` where its manifest is not read.
    pub known_features: Option<BTreeSet<String>>,
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

/// A managed entry: the dependency keyed by the namespace root in one real
/// table of a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedEntry {
    pub root: String,
    pub points_at: PointsAt,
    /// The facade's features, or the root's own where it points at the root.
    pub features: Vec<String>,
    pub optional: bool,
}

impl ManagedEntry {
    /// The facade it points at (an index into [`Plan::facades`]), if any.
    pub fn facade(&self) -> Option<usize> {
        match self.points_at {
            PointsAt::Facade(index) => Some(index),
            PointsAt::Root(_) => None,
        }
    }
}

/// What a managed entry depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointsAt {
    /// A generated facade: an index into [`Plan::facades`].
    Facade(usize),
    /// The real root crate, where the consumer declares the root and no
    /// child of its namespace: a facade would only re-export it (elision,
    /// see the `facades` module).
    Root(RootEntry),
}

/// The declared root, as the managed entry writes it when no facade is
/// needed: the declaration's own package, version and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootEntry {
    pub package: String,
    pub version: Option<String>,
    pub source: Source,
    pub default_features: bool,
}

/// A workspace member whose manifest cargo-facade manages.
#[derive(Debug, Clone)]
pub struct Consumer {
    pub name: String,
    /// Index into [`Workspace::manifests`](crate::load::Workspace::manifests).
    pub manifest: usize,
    /// Index into [`Workspace::members`](crate::load::Workspace::members).
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

    /// Whether [`ownership_warnings`](super::ownership_warnings) has anything to check: a registry or
    /// git child not declared `foreign`, in a namespace with a root.
    pub fn has_foreign_candidates(&self) -> bool {
        self.declarations.iter().any(|d| {
            d.name.child().is_some() && !d.spec.foreign && !matches!(d.spec.source, Source::Path(_))
        }) && self.declarations.iter().any(|d| d.name.child().is_none())
    }
}
