//! The rules of RFC 3243 that the plan enforces beyond the declarations'
//! own validity: dash typosquatting (an error) and the registries'
//! ownership rule, emulated (warnings, once `cargo metadata` has resolved
//! registry and git packages). The root/child conflict check, which needs
//! the roots' sources, is the `conflict` module, run after the plan.

use std::collections::BTreeSet;

use super::{Consumer, Declaration, Plan, Source};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{DepSource, Workspace};
use crate::name::DeclName;

/// package `foo-bar`/`foo_bar` that is not that child are one typo apart.
pub(super) fn check_typosquats(
    ws: &Workspace,
    diags: &mut Diagnostics,
    consumers: &[Consumer],
    declarations: &[Declaration],
) {
    let mut reported = BTreeSet::new();
    for decl in declarations {
        let DeclName::Child { root, child } = &decl.name else {
            continue;
        };
        let consumer = &consumers[decl.consumer];
        let member = &ws.members[consumer.member];
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
            let manifest = &ws.manifests[consumer.manifest];
            let span = dep.span.clone();
            diags.push(
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

/// A consumer that depends directly on the very package one of its
/// declarations names (`cargo add serde_json` beside `serde::json`) reaches
/// one crate by two paths (`serde_json::` and `serde::json::`): it builds,
/// but the two drift apart (versions, features). A warning at both lines.
pub(super) fn check_two_paths(
    ws: &Workspace,
    diags: &mut Diagnostics,
    consumers: &[Consumer],
    declarations: &[Declaration],
) {
    let mut reported = BTreeSet::new();
    for decl in declarations {
        if decl.name.child().is_none() || decl.adopted {
            continue;
        }
        let consumer = &consumers[decl.consumer];
        let member = &ws.members[consumer.member];
        for dep in &member.dependencies {
            let same = dep.package == decl.spec.package
                && match (&decl.spec.source, &dep.source) {
                    (Source::Path(dir), DepSource::Path(path)) => path == dir,
                    (Source::Registry { .. }, DepSource::Registry(_)) => true,
                    (Source::Git { url, .. }, DepSource::Git(git)) => git == url,
                    _ => false,
                };
            if !same || !reported.insert((decl.consumer, dep.key.clone())) {
                continue;
            }
            let manifest = &ws.manifests[consumer.manifest];
            let module = crate::name::module_ident(decl.name.child().unwrap_or_default());
            diags.push(
                Diagnostic::warning(format!(
                    "`{}` reaches package `{}` by two paths: `{}::` and `{}::{module}::`",
                    consumer.name,
                    dep.package,
                    dep.key.replace('-', "_"),
                    decl.name.root().replace('-', "_")
                ))
                .at(&manifest.file, dep.span.clone(), "a direct dependency on it")
                .label(decl.key.clone().with_text(format!("declared as `{}` here", decl.name)))
                .note("one crate under two names drifts apart: versions and features are set in two places")
                .help(format!(
                    "keep one: remove the direct dependency (`cargo remove -p {} {}`) and write `{}::{module}::…`, \
                     or remove the declaration (`cargo facade remove -p {} '{}'`)",
                    consumer.name,
                    dep.key,
                    decl.name.root().replace('-', "_"),
                    consumer.name,
                    decl.name
                )),
            );
        }
    }
}

/// The registries' ownership rule, emulated: "Only the owners of foo may create
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
    // One warning per declaration, at its own line (a child declared by
    // two members is two declarations; one declaration reached through
    // several facades is still one).
    let mut out = Vec::new();
    let mut warned: Vec<(&std::path::Path, std::ops::Range<usize>)> = Vec::new();
    for decl in &plan.declarations {
        let Some(child) = decl.name.child() else {
            continue;
        };
        if decl.spec.foreign || matches!(decl.spec.source, Source::Path(_)) {
            continue;
        }
        let root = decl.name.root();
        let Some(facade) = plan.facades.iter().find(|f| {
            f.root == root
                && f.consumers.contains(&decl.consumer)
                && f.children.iter().any(|c| c.name == child)
        }) else {
            continue;
        };
        let Some(root_dep) = &facade.root_crate else {
            continue;
        };
        let Some(root_repo) = repository(&root_dep.package) else {
            continue;
        };
        let Some(child_repo) = repository(&decl.spec.package) else {
            continue;
        };
        if child_repo == root_repo && root_repo.is_some() {
            continue;
        }
        let place = (decl.key.file.path(), decl.key.span.clone());
        if warned.contains(&place) {
            continue;
        }
        warned.push(place);
        let name = &decl.name;
        let show = |r: &Option<String>| r.clone().unwrap_or_else(|| "none".to_owned());
        out.push(
            Diagnostic::warning(format!(
                "`{name}` is package `{}` from repository {}, but root `{root}` is from {}",
                decl.spec.package,
                show(&child_repo),
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
    out
}

fn normalize_repository(repository: Option<&str>) -> Option<String> {
    repository.map(|r| {
        let r = r.trim().trim_end_matches('/');
        r.strip_suffix(".git").unwrap_or(r).to_ascii_lowercase()
    })
}
