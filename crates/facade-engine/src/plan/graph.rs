//! Checks of the package graph the facades would create: cargo rejects
//! these only once the files are written, and without naming a declaration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use toml_edit::Item;

use super::{Consumer, Declaration, DepKind, Facade, Source, get_path};
use crate::diagnostic::{Diagnostic, Diagnostics, Label, SourceFile};
use crate::load::{DepSource, Workspace};
use crate::name::DeclName;

/// The first declaration of each name, whose key the messages point at.
type Firsts<'d> = BTreeMap<&'d DeclName, &'d Declaration>;

/// Every graph check, in order.
pub(super) fn check_graph(
    ws: &Workspace,
    diags: &mut Diagnostics,
    facades: &[Facade],
    consumers: &[Consumer],
    declarations: &[Declaration],
) {
    let mut firsts: Firsts<'_> = BTreeMap::new();
    for decl in declarations {
        firsts.entry(&decl.name).or_insert(decl);
    }
    check_root_declares_own(diags, consumers, declarations);
    check_cycles(ws, diags, consumers, declarations);
    check_package_names(ws, diags, facades, &firsts);
}

/// One edge of cargo's package graph between members, as the facades
/// would make it: a declaration (through its consumer's facade, which holds
/// exactly the consumer's declared names) or a real path dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Edge {
    /// Index into the plan's declarations.
    Declared(usize),
    /// Member index and index into its `dependencies`.
    Real(usize, usize),
}

/// A member reaching itself through facades and real dependencies: cargo
/// refuses such a graph (cycles are allowed only through dev-dependencies)
/// once the files are written, without naming a declaration. Facades are
/// per declaration set, so siblings declaring each other make no cycle
/// unless their packages really do; and the graph, not the order in which
/// members were migrated, decides.
fn check_cycles(
    ws: &Workspace,
    diags: &mut Diagnostics,
    consumers: &[Consumer],
    declarations: &[Declaration],
) {
    let members: BTreeMap<&Path, usize> = ws
        .members
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((m.manifest_path.parent()?, i)))
        .collect();
    let member_at = |dir: &Path| members.get(dir).copied();
    // Outgoing normal and build edges of every member, to members.
    let mut edges: Vec<Vec<(usize, Edge)>> = vec![Vec::new(); ws.members.len()];
    for (index, decl) in declarations.iter().enumerate() {
        if decl.table.kind == DepKind::Dev {
            continue;
        }
        if let Source::Path(dir) = &decl.spec.source
            && let Some(to) = member_at(dir)
        {
            edges[consumers[decl.consumer].member].push((to, Edge::Declared(index)));
        }
    }
    for (from, member) in ws.members.iter().enumerate() {
        for (index, dep) in member.dependencies.iter().enumerate() {
            if dep.dev || crate::name::facade_root(&dep.package).is_some() {
                continue;
            }
            if let DepSource::Path(dir) = &dep.source
                && let Some(to) = member_at(dir)
            {
                edges[from].push((to, Edge::Real(from, index)));
            }
        }
    }
    let mut reported: BTreeSet<Vec<Edge>> = BTreeSet::new();
    for (from, out) in edges.iter().enumerate() {
        for &(to, edge) in out {
            if !matches!(edge, Edge::Declared(_)) {
                continue;
            }
            let Some(rest) = shortest_path(&edges, to, from) else {
                continue;
            };
            let mut cycle = vec![edge];
            cycle.extend(rest);
            let mut key = cycle.clone();
            key.sort();
            if reported.insert(key) {
                diags.push(cycle_error(ws, consumers, declarations, &cycle));
            }
        }
    }
}

/// The edges of a shortest path from member `from` to member `to` (empty
/// when they are the same), breadth first.
fn shortest_path(edges: &[Vec<(usize, Edge)>], from: usize, to: usize) -> Option<Vec<Edge>> {
    let mut came: BTreeMap<usize, (usize, Edge)> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(at) = queue.pop_front() {
        if at == to {
            let mut path = Vec::new();
            let mut node = at;
            while node != from {
                let (prev, edge) = came[&node];
                path.push(edge);
                node = prev;
            }
            path.reverse();
            return Some(path);
        }
        for &(next, edge) in &edges[at] {
            if seen.insert(next) {
                came.insert(next, (at, edge));
                queue.push_back(next);
            }
        }
    }
    None
}

/// The error of one cycle, at its first edge (a declaration), with a label
/// at every other edge.
fn cycle_error(
    ws: &Workspace,
    consumers: &[Consumer],
    declarations: &[Declaration],
    cycle: &[Edge],
) -> Diagnostic {
    let Edge::Declared(first) = cycle[0] else {
        unreachable!("a reported cycle starts at a declaration")
    };
    let first = &declarations[first];
    let start = &consumers[first.consumer].name;
    let mut steps = vec![format!("`{start}`")];
    let mut labels = Vec::new();
    for (i, edge) in cycle.iter().enumerate() {
        match *edge {
            Edge::Declared(index) => {
                let decl = &declarations[index];
                steps.push(format!("`{}` (`{}`)", decl.name, decl.spec.package));
                if i > 0 {
                    labels.push(decl.key.clone().with_text(format!(
                        "`{}` declares `{}`",
                        consumers[decl.consumer].name, decl.name
                    )));
                }
            }
            Edge::Real(member, dep) => {
                let member = &ws.members[member];
                let dep = &member.dependencies[dep];
                steps.push(format!("`{}`", dep.package));
                if let Ok(text) = std::fs::read_to_string(&member.manifest_path) {
                    let file = SourceFile::new(member.manifest_path.clone(), text);
                    labels.push(Label::new(
                        &file,
                        dep.span.clone(),
                        format!("`{}` depends on `{}`", member.name, dep.package),
                    ));
                }
            }
        }
    }
    let mut diag = Diagnostic::error(format!(
        "`{start}` would depend on itself: {}",
        steps.join(" → ")
    ))
    .label(first.key.clone().with_text("declared here"));
    for label in labels {
        diag = diag.label(label);
    }
    diag.note(
        "each declaration makes its package depend on the declared package (through a facade), \
         and cargo refuses a package that depends on itself, except through dev-dependencies",
    )
    .help(format!(
        "remove one of these dependencies; if only tests need `{}`, declare it in \
         `[package.metadata.facade.dev-dependencies]`",
        first.name
    ))
}

/// The package that is a namespace's root declaring names of its own
/// namespace. Its facade would be its dependency under its own name: the
/// library would reach `foo::bar` (as nightly's `-Z namespaced-crates`
/// resolves it there), but cargo gives the package's tests, binaries,
/// examples and doctests both the package's own library and the facade as
/// `foo`, and rustc refuses the two candidates (E0464). No dependency can be
/// limited to the library, so this is refused at the declaration.
fn check_root_declares_own(
    diags: &mut Diagnostics,
    consumers: &[Consumer],
    declarations: &[Declaration],
) {
    for decl in declarations {
        let consumer = &consumers[decl.consumer];
        let root = decl.name.root();
        if consumer.name.replace('-', "_") != root.replace('-', "_") {
            continue;
        }
        diags.push(
            Diagnostic::error(format!(
                "`{}` is the root of namespace `{root}`, so it cannot declare `{}`",
                consumer.name, decl.name
            ))
            .label(decl.key.clone().with_text("declared here"))
            .note(format!(
                "the facade would be `{}`'s dependency `{root}`; cargo gives the package's tests, \
                 binaries, examples and doctests both its own library and that facade as `{root}`, \
                 and rustc refuses the two candidates (E0464)",
                consumer.name
            ))
            .help(match decl.name.child() {
                Some(_) => format!(
                    "depend on package `{}` directly in `[{}]` and write `{}::` in `{}`",
                    decl.spec.package,
                    decl.table.kind.table_name(),
                    decl.spec.package.replace('-', "_"),
                    consumer.name
                ),
                None => format!("remove the declaration: `{root}` is this package"),
            }),
        );
    }
}

/// The facade's package name is taken by another member.
fn check_package_names(
    ws: &Workspace,
    diags: &mut Diagnostics,
    facades: &[Facade],
    firsts: &Firsts<'_>,
) {
    for facade in facades {
        let facade_manifest = facade.dir.join("Cargo.toml");
        for member in &ws.members {
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
            diags.push(
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
