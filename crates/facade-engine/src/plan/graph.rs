//! Checks of the package graph the facades would create: cargo rejects
//! these only once the files are written, and without naming a declaration.

use std::collections::BTreeMap;

use toml_edit::Item;

use super::{Consumer, Declaration, DepKind, Facade, Source, get_path};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::load::Workspace;
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
    check_own_namespace(ws, diags, consumers, declarations, &firsts);
    check_package_names(ws, diags, facades, &firsts);
}

/// A package inside a namespace that declares the same namespace: the
/// facade depends on it and it on the facade. (Cargo allows the cycle
/// through dev-dependencies only.)
fn check_own_namespace(
    ws: &Workspace,
    diags: &mut Diagnostics,
    consumers: &[Consumer],
    declarations: &[Declaration],
    firsts: &Firsts<'_>,
) {
    for decl in declarations.iter().filter(|d| d.table.kind != DepKind::Dev) {
        let consumer = &consumers[decl.consumer];
        let consumer_dir = ws.manifests[consumer.manifest].dir();
        let provided = firsts.iter().find(|(name, provider)| {
            name.root() == decl.name.root()
                && matches!(&provider.spec.source, Source::Path(dir) if dir == consumer_dir)
        });
        let Some((provided, provider)) = provided else {
            continue;
        };
        diags.push(
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
