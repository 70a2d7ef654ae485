//! Facades v2: one facade per distinct set of declarations.
//!
//! Each consumer's declarations of one namespace become the content of a
//! facade (its root crate and children, with their features); consumers
//! whose content is identical share one facade. A consumer so reaches
//! exactly the names it declared, whatever other members declare, and an
//! edit of a child re-checks only the facades that hold it and their
//! consumers. A facade with an optional name serves one consumer only:
//! Cargo unifies a package's features across a workspace build, so a shared
//! facade would let one member's enabled feature open the name to another.
//!
//! Naming (the facade's identity): which names it presents and who uses
//! it, never what it asks of them. Its *anchor* is the first of its
//! consumers by package name; no two facades of a root share one, since a
//! consumer has one facade per root. The package is `<root>-facade-<hash>`,
//! the hash of the root, the names and the anchor; its library
//! `<root>_facade_<hash>`, so no library shares a name with a crate of the
//! build (cargo#6313). The folder is `<dir>/<root>/<label>`, the label
//! listing the names (`self` for the root), e.g. `facades/foo/self+bar`;
//! when several facades of a root present the same names (their versions,
//! sources or gating differ), the one with the first anchor keeps the plain
//! label and the others get their hash appended. So a version bump or a
//! feature change renames nothing: only the facade manifest and
//! `Cargo.lock` change, and two bumps of different namespaces touch
//! different files. Reordering declarations renames nothing either.
//!
//! Elision: a facade presents the root's items (a glob) and each declared
//! child. Where that is nothing the root does not already present, the
//! consumer gets no facade: its managed entry depends on the real root
//! crate, with the root declaration's own package, version, source and
//! features (exactly the dependency cargo will read once namespaces land
//! and the `package.metadata.facade.` prefix is deleted). That is so
//! - when the consumer declares the root and none of its children, and
//! - when the root re-exports each declared child as the child crate itself
//!   (`pub use foo_bar as bar;`) and the child resolves to the same package
//!   with the same features without its own declaration (the conflict
//!   probe's verdict, `conflict::elision`), the root is declared in every
//!   table of the namespace and not optional, and no feature of the
//!   consumer names a child (which the root's entry could not turn on).
//!
//! The root's items are what the facade's glob presented, so exactness is
//! unchanged: the root exposes no more than before. Such a consumer shares
//! no facade with others; cargo builds one crate fewer for it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use super::features::{Facts, enabling_features};
use super::{
    Consumer, Declaration, Facade, FacadeChild, FacadeDep, ManagedEntry, PointsAt, RootEntry,
    Source, TableId,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::name::DeclName;

/// The facades and, per consumer, its managed entries.
pub(super) struct Built {
    pub facades: Vec<Facade>,
    pub entries: Vec<BTreeMap<TableId, Vec<ManagedEntry>>>,
}

/// Longest label written out in full; longer ones are shortened.
const MAX_LABEL: usize = 48;

/// Consumers grouped by what their facades present.
pub(super) struct Grouping<'d> {
    drafts: Vec<Draft<'d>>,
    /// The draft serving each (consumer, root).
    served: BTreeMap<(usize, &'d str), usize>,
}

/// Groups every consumer's declarations of each root by identity: the names
/// with their packages, versions, sources, platforms and gating. Features
/// do not split a facade: a shared facade forwards each consumer's, and
/// Cargo unifies them as it would unify direct dependencies. Problems of
/// one consumer's set (a name declared with two sources, two names of one
/// module or one package) go to `diags`.
pub(super) fn group<'d>(
    facade_dir: &Path,
    consumers: &[Consumer],
    declarations: &'d [Declaration],
    gates: &[Facts],
    reexporting: &super::Reexporting,
    diags: &mut Diagnostics,
) -> Grouping<'d> {
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut drafts: Vec<Draft<'d>> = Vec::new();
    let mut served = BTreeMap::new();
    for (index, consumer) in consumers.iter().enumerate() {
        let mut by_root: BTreeMap<&str, BTreeMap<&DeclName, Vec<&Declaration>>> = BTreeMap::new();
        for decl in &declarations[consumer.declarations.clone()] {
            by_root
                .entry(decl.name.root())
                .or_default()
                .entry(&decl.name)
                .or_default()
                .push(decl);
        }
        for (root, names) in by_root {
            let content = content(root, &names, &gates[index], diags);
            // Whether this consumer reaches the same through the root alone
            // (see the module documentation): such consumers share no
            // facade with others, so that each is elided or not on its own.
            let root_is_enough = content.root_crate.is_some()
                && (content.children.is_empty()
                    || (reexporting.contains(&(index, root.to_owned()))
                        && gates[index]
                            .get(&DeclName::Root(root.to_owned()))
                            .is_some_and(|facts| !facts.gated)));
            let mut key = content.fingerprint(facade_dir);
            if root_is_enough {
                key.push_str("elided\n");
            }
            if names.values().flatten().any(|d| d.spec.optional) {
                // Per consumer: see the module documentation.
                let _ = writeln!(key, "consumer {}", consumer.name);
            }
            let draft = *by_key.entry(key).or_insert_with(|| {
                drafts.push(Draft {
                    content,
                    anchor: consumer.name.clone(),
                    consumers: Vec::new(),
                    decls: BTreeMap::new(),
                    elided: root_is_enough,
                });
                drafts.len() - 1
            });
            if consumer.name < drafts[draft].anchor {
                drafts[draft].anchor.clone_from(&consumer.name);
            }
            drafts[draft].consumers.push(index);
            for (name, decls) in names {
                drafts[draft]
                    .decls
                    .entry(name.clone())
                    .or_default()
                    .extend(decls);
            }
            served.insert((index, root), draft);
        }
    }
    Grouping { drafts, served }
}

impl Grouping<'_> {
    /// Whether `consumer`'s managed entries of `root` point at the real root
    /// crate (it declares the root alone), so that its features name the
    /// root's own features rather than the facade's.
    pub(super) fn elided(&self, consumer: usize, root: &str) -> bool {
        self.served
            .get(&(consumer, root))
            .is_some_and(|&draft| self.drafts[draft].elided)
    }

    /// Decides `default` forwarding, which depends on every declaration that
    /// shares a facade, and records it in the facts of its consumers.
    pub(super) fn settle_defaults(&mut self, facts: &mut [Facts]) {
        for draft in &mut self.drafts {
            for (name, decls) in &draft.decls {
                let opt_out = decls.iter().any(|d| !d.spec.default_features);
                let forward_default = opt_out
                    && decls
                        .iter()
                        .any(|d| d.spec.default_features && d.spec.has_default_feature);
                if let Some(dep) = draft.content.dep_mut(name) {
                    dep.default_features = !opt_out;
                    dep.forward_default = forward_default;
                }
                for &consumer in &draft.consumers {
                    if let Some(facts) = facts[consumer].get_mut(name) {
                        facts.forward_default = forward_default;
                    }
                }
            }
        }
    }

    /// The facades, named, with every feature their consumers forward
    /// (declared `features` and translated `[features]` values), and each
    /// consumer's managed entries.
    pub(super) fn build(
        mut self,
        facade_dir: &Path,
        declarations: &[Declaration],
        facts: &[Facts],
        forwards: &BTreeMap<(usize, DeclName), BTreeSet<String>>,
    ) -> Built {
        for draft in &mut self.drafts {
            for (name, decls) in &draft.decls {
                let mut forwarded: BTreeSet<String> = decls
                    .iter()
                    .flat_map(|d| d.spec.features.iter().cloned())
                    .collect();
                for &consumer in &draft.consumers {
                    if let Some(more) = forwards.get(&(consumer, name.clone())) {
                        forwarded.extend(more.iter().cloned());
                    }
                }
                if let Some(dep) = draft.content.dep_mut(name) {
                    dep.forwarded = forwarded;
                }
            }
        }
        // Elided drafts (the root alone) get no facade, so no name either;
        // the others are named as before, since no other facade presents
        // the root alone.
        let mut kept_as: Vec<Option<usize>> = Vec::with_capacity(self.drafts.len());
        let mut drafts = Vec::new();
        for draft in self.drafts {
            if draft.elided {
                kept_as.push(None);
            } else {
                kept_as.push(Some(drafts.len()));
                drafts.push(draft);
            }
        }
        let names = name_drafts(&drafts);
        let mut order: Vec<usize> = (0..drafts.len()).collect();
        order.sort_by(|a, b| names[*a].0.cmp(&names[*b].0));
        let mut position = vec![0; drafts.len()];
        for (pos, &draft) in order.iter().enumerate() {
            position[draft] = pos;
        }
        let facades: Vec<Facade> = order
            .iter()
            .map(|&draft| {
                let Draft {
                    content, consumers, ..
                } = &drafts[draft];
                let (id, hash) = &names[draft];
                let package = format!("{}-facade-{hash}", content.root);
                Facade {
                    root: content.root.clone(),
                    id: id.clone(),
                    lib_name: package.replace('-', "_"),
                    package,
                    dir: facade_dir.join(id),
                    root_crate: content.root_crate.clone(),
                    children: content.children.clone(),
                    consumers: consumers.clone(),
                }
            })
            .collect();

        // Managed entries: one per (consumer, table, root). Required names
        // are turned on by the entry's features; optional ones by the
        // consumer's translated `[features]`, as Cargo turns on optional
        // dependencies.
        let consumers = facts.len();
        let mut entries = vec![BTreeMap::<TableId, Vec<ManagedEntry>>::new(); consumers];
        let mut per_table: BTreeMap<(usize, &TableId, &str), Vec<&Declaration>> = BTreeMap::new();
        for decl in declarations {
            per_table
                .entry((decl.consumer, &decl.table, decl.name.root()))
                .or_default()
                .push(decl);
        }
        for ((consumer, table, root), decls) in per_table {
            let (points_at, mut features) = match kept_as[self.served[&(consumer, root)]] {
                Some(draft) => {
                    let features: Vec<String> = decls
                        .iter()
                        .filter(|d| !d.spec.optional)
                        .flat_map(|d| enabling_features(d, &facts[consumer]))
                        .collect();
                    (PointsAt::Facade(position[draft]), features)
                }
                // The root's one declaration in this table, as cargo would
                // read it once the prefix is deleted.
                None => {
                    let roots: Vec<&&Declaration> =
                        decls.iter().filter(|d| d.name.child().is_none()).collect();
                    // An elided namespace declares its root in every table.
                    let Some(first) = roots.first() else {
                        continue;
                    };
                    let root_entry = RootEntry {
                        package: first.spec.package.clone(),
                        version: first.spec.version.clone(),
                        source: first.spec.source.clone(),
                        default_features: roots.iter().all(|d| d.spec.default_features),
                    };
                    let features = roots
                        .iter()
                        .flat_map(|d| d.spec.features.iter().cloned())
                        .collect();
                    (PointsAt::Root(root_entry), features)
                }
            };
            features.sort();
            features.dedup();
            entries[consumer]
                .entry(table.clone())
                .or_default()
                .push(ManagedEntry {
                    root: root.to_owned(),
                    points_at,
                    features,
                    optional: decls.iter().all(|d| d.spec.optional),
                });
        }
        Built { facades, entries }
    }
}

/// A facade before it has a name.
struct Draft<'d> {
    content: Content,
    /// The first of its consumers by package name: with the names, its
    /// identity (see the module documentation).
    anchor: String,
    consumers: Vec<usize>,
    /// Every declaration of its names, of every consumer it serves.
    decls: BTreeMap<DeclName, Vec<&'d Declaration>>,
    /// No facade: every consumer reaches the same through the root alone.
    elided: bool,
}

/// What a facade holds.
struct Content {
    root: String,
    root_crate: Option<FacadeDep>,
    children: Vec<FacadeChild>,
}

impl Content {
    fn dep_mut(&mut self, name: &DeclName) -> Option<&mut FacadeDep> {
        match name.child() {
            None => self.root_crate.as_mut(),
            Some(child) => self
                .children
                .iter_mut()
                .find(|c| c.name == child)
                .map(|c| &mut c.dep),
        }
    }

    /// What consumers may share, spelled out: the names and where they
    /// come from (versions included), not the features asked of them.
    /// Paths are relative to the facade dir, so that it does not depend on
    /// where the workspace is.
    fn fingerprint(&self, facade_dir: &Path) -> String {
        let mut out = format!("root {}\n", self.root);
        let deps = self
            .root_crate
            .iter()
            .map(|dep| ("self", dep))
            .chain(self.children.iter().map(|c| (c.name.as_str(), &c.dep)));
        for (name, dep) in deps {
            let _ = writeln!(
                out,
                "{name} key={} package={} version={:?} source={} target={:?} gated={}",
                dep.key,
                dep.package,
                dep.version,
                source_text(&dep.source, facade_dir),
                dep.target,
                dep.gated
            );
        }
        out
    }

    /// The names it presents: `self` for the root, then the children.
    fn names(&self) -> Vec<&str> {
        self.root_crate
            .iter()
            .map(|_| "self")
            .chain(self.children.iter().map(|c| c.name.as_str()))
            .collect()
    }

    /// `self+bar+baz`: the names it presents, shortened past [`MAX_LABEL`].
    fn label(&self) -> String {
        let names = self.names();
        let full = names.join("+");
        if full.len() <= MAX_LABEL {
            return full;
        }
        let mut short = String::new();
        for (i, name) in names.iter().enumerate() {
            let rest = format!("+{}-more", names.len() - i);
            if short.len() + name.len() + 1 + rest.len() > MAX_LABEL {
                return format!("{short}{rest}");
            }
            if i > 0 {
                short.push('+');
            }
            short.push_str(name);
        }
        short
    }
}

/// A source for a fingerprint: paths relative to the facade dir.
fn source_text(source: &Source, facade_dir: &Path) -> String {
    match source {
        Source::Path(path) => format!("path {}", crate::paths::relative(facade_dir, path)),
        other => format!("{other:?}"),
    }
}

/// Each draft's id (`<root>/<label>`, see the module documentation) and
/// identity hash.
fn name_drafts(drafts: &[Draft<'_>]) -> Vec<(String, String)> {
    let hashes: Vec<String> = drafts
        .iter()
        .map(|d| format!("{:016x}", fnv1a(identity(d).as_bytes())))
        .collect();
    // Eight hex digits, unless two facades of a root would share them.
    let mut short: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (draft, hash) in drafts.iter().zip(&hashes) {
        *short.entry((&draft.content.root, &hash[..8])).or_default() += 1;
    }
    let hashes: Vec<&str> = drafts
        .iter()
        .zip(&hashes)
        .map(|(d, h)| {
            if short[&(d.content.root.as_str(), &h[..8])] > 1 {
                h.as_str()
            } else {
                &h[..8]
            }
        })
        .collect();
    let labels: Vec<String> = drafts.iter().map(|d| d.content.label()).collect();
    // Per root and label, the first anchor keeps the plain label.
    let mut first: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for (draft, label) in drafts.iter().zip(&labels) {
        first
            .entry((&draft.content.root, label))
            .and_modify(|anchor| *anchor = (*anchor).min(draft.anchor.as_str()))
            .or_insert(&draft.anchor);
    }
    drafts
        .iter()
        .zip(labels.iter().zip(&hashes))
        .map(|(draft, (label, hash))| {
            let root = &draft.content.root;
            let id = if first[&(root.as_str(), label.as_str())] == draft.anchor {
                format!("{root}/{label}")
            } else {
                format!("{root}/{label}-{hash}")
            };
            (id, (*hash).to_owned())
        })
        .collect()
}

/// A facade's identity, spelled out: its root, the names it presents and
/// its anchor. Versions, sources and features are not part of it.
fn identity(draft: &Draft<'_>) -> String {
    format!(
        "root {}\nnames {}\nanchor {}\n",
        draft.content.root,
        draft.content.names().join(" "),
        draft.anchor
    )
}

/// 64-bit FNV-1a: a stable hash (std's may change between releases, and
/// facade names must not).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The version requirements of one name's declarations (in the tables of
/// one consumer), each once; an error if they name different packages or
/// sources.
fn versions<'d>(
    name: &DeclName,
    decls: &[&'d Declaration],
    diags: &mut Diagnostics,
) -> Vec<&'d str> {
    let first = decls[0];
    let mut versions: Vec<&str> = Vec::new();
    for decl in decls {
        if (&decl.spec.package, &decl.spec.source) != (&first.spec.package, &first.spec.source) {
            diags.push(
                Diagnostic::error(format!("`{name}` is declared with different sources"))
                    .label(decl.key.clone().with_text("declared here"))
                    .label(first.key.clone().with_text("and differently here"))
                    .note(
                        "one package reaches a name in all tables of a package, as Cargo \
                         requires of one dependency key",
                    )
                    .help(format!(
                        "give every declaration of `{name}` in this package the same package and source"
                    )),
            );
        }
        if let Some(version) = decl.spec.version.as_deref()
            && !versions.contains(&version)
        {
            versions.push(version);
        }
    }
    versions
}

/// The facade's dependency for one name, before features are settled.
fn facade_dep(
    root: &str,
    name: &DeclName,
    decls: &[&Declaration],
    versions: &[&str],
    gates: &Facts,
) -> FacadeDep {
    let first = decls[0];
    FacadeDep {
        key: match name.child() {
            None => root.to_owned(),
            Some(child) => format!("{root}-{child}"),
        },
        package: first.spec.package.clone(),
        // Requirements of several tables all hold, as Cargo holds them
        // for one package reached from several tables.
        version: (!versions.is_empty()).then(|| versions.join(", ")),
        source: first.spec.source.clone(),
        default_features: true,
        forward_default: false,
        forwarded: BTreeSet::new(),
        target: first.table.target.clone().filter(|target| {
            decls
                .iter()
                .all(|d| d.table.target.as_ref() == Some(target))
        }),
        gated: gates[name].gated,
    }
}

/// The content of one consumer's facade of `root`; features are settled
/// once consumers are grouped ([`Grouping::settle_defaults`],
/// [`Grouping::build`]).
fn content(
    root: &str,
    names: &BTreeMap<&DeclName, Vec<&Declaration>>,
    gates: &Facts,
    diags: &mut Diagnostics,
) -> Content {
    let mut root_crate = None;
    let mut children = Vec::new();
    let mut modules: BTreeMap<String, &Declaration> = BTreeMap::new();
    let mut packages: BTreeMap<(&str, &Source), &Declaration> = BTreeMap::new();
    for (name, decls) in names {
        let first = decls[0];
        let versions = versions(name, decls, diags);
        if let Some(prev) = packages.insert((&first.spec.package, &first.spec.source), first) {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` and `{name}` are the same package `{}`",
                    prev.name, first.spec.package
                ))
                .label(first.key.clone().with_text("declared here"))
                .label(prev.key.clone().with_text("and here"))
                .note(format!(
                    "the facade of `{root}` would depend on `{}` twice, which cargo rejects",
                    first.spec.package
                ))
                .help("keep one of the two names"),
            );
            continue;
        }
        let dep = facade_dep(root, name, decls, &versions, gates);
        match name.child() {
            None => root_crate = Some(dep),
            Some(child) => {
                let module = child.replace('-', "_");
                if let Some(prev) = modules.get(&module) {
                    diags.push(
                        Diagnostic::error(format!(
                            "`{name}` and `{}` are the same module `{root}::{module}`",
                            prev.name
                        ))
                        .label(first.key.clone().with_text("declared here"))
                        .label(prev.key.clone().with_text("and here"))
                        .help("`-` and `_` are the same in Rust paths; keep one of the two names"),
                    );
                    continue;
                }
                modules.insert(module, first);
                children.push(FacadeChild {
                    name: child.to_owned(),
                    dep,
                });
            }
        }
    }
    Content {
        root: root.to_owned(),
        root_crate,
        children,
    }
}
