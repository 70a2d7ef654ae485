//! The rules of RFC 3243 that the plan enforces beyond the declarations'
//! own validity: dash typosquatting and one spelling per namespace (errors).
//! The registries' ownership rule is `ownership.rs` (warnings, once `cargo
//! metadata` has resolved registry and git packages); the root/child
//! conflict check, which needs the roots' sources, is the `conflict`
//! module, run after the plan.

use std::collections::{BTreeMap, BTreeSet};

use super::{Consumer, Declaration, Source};
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
            let manifest = &ws.manifests[consumer.manifest];
            // `dependencies` were read from disk; a command may plan on an
            // edited manifest (`migrate`) that no longer has the entry.
            let still_there = crate::manifest::real_tables(manifest.doc.as_item())
                .iter()
                .any(|table| {
                    let mut path = table.real_path();
                    path.push(&dep.key);
                    crate::manifest::get_path(manifest.doc.as_item(), &path).is_some()
                });
            if !same || !still_there || !reported.insert((decl.consumer, dep.key.clone())) {
                continue;
            }
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

/// A namespace, or a child within one, as the registry tells names apart:
/// `-` and `_` are the same (as cargo treats them in crate names) and case
/// does not count (a registry refuses `Foo` beside `foo`).
fn spelling_key(segment: &str) -> String {
    segment.to_ascii_lowercase().replace('-', "_")
}

/// RFC 3243 makes each segment a package name, and package names that
/// differ only by `-`/`_` or case are one name: `foo-bar` with
/// `"foo_bar::x"` (or `"Acme::http"` beside `acme`) would be two facades
/// compiling to one crate name (cargo's E0464, pointing at nothing the
/// user wrote). One spelling per namespace, and per child (children that
/// differ by `-`/`_` are one module, refused where facades are grouped), in
/// the whole workspace; the first root declaration's spelling (else the first
/// declaration's) is the one the others are told to use.
pub(super) fn check_spellings(diags: &mut Diagnostics, declarations: &[Declaration]) {
    // Each namespace's reference declaration (its first root declaration,
    // else its first declaration) and each child's first declaration, by
    // spelling, found in one pass: a large workspace has thousands of
    // declarations, and this runs on every `check`.
    let mut references: BTreeMap<String, &Declaration> = BTreeMap::new();
    let mut children: BTreeMap<(&str, String), &Declaration> = BTreeMap::new();
    for decl in declarations {
        let first = references
            .entry(spelling_key(decl.name.root()))
            .or_insert(decl);
        if first.name.child().is_some() && decl.name.child().is_none() {
            *first = decl;
        }
        if let Some(child) = decl.name.child() {
            children
                .entry((decl.name.root(), spelling_key(child)))
                .or_insert(decl);
        }
    }
    let mut reported = BTreeSet::new();
    for decl in declarations {
        let first = references[&spelling_key(decl.name.root())];
        let (wrong, right, what) = if first.name.root() != decl.name.root() {
            (decl.name.root(), first.name.root(), "namespace")
        } else {
            let Some(child) = decl.name.child() else {
                continue;
            };
            let other = children[&(decl.name.root(), spelling_key(child))];
            let other_child = other.name.child().expect("a child");
            // `bar-baz` beside `bar_baz` is one module: `facades.rs` says so.
            if other_child.replace('-', "_") == child.replace('-', "_") {
                continue;
            }
            (child, other_child, "child")
        };
        if !reported.insert(decl.name.to_string()) {
            continue;
        }
        let reference = if what == "namespace" {
            first
        } else {
            declarations
                .iter()
                .find(|d| d.name.child() == Some(right) && d.name.root() == decl.name.root())
                .expect("the reference spelling is declared")
        };
        let fixed = match (&decl.name, what) {
            (DeclName::Child { child, .. }, "namespace") => format!("{right}::{child}"),
            (DeclName::Child { root, .. }, _) => format!("{root}::{right}"),
            (DeclName::Root(_), _) => right.to_owned(),
        };
        let why = if wrong.eq_ignore_ascii_case(right) {
            "they differ only by case, and a registry treats package names case-insensitively"
                .to_owned()
        } else {
            format!(
                "cargo treats `-` and `_` in package names as the same, so both would compile to \
                 crate `{}` (two facades: cargo's E0464, \"multiple candidates\")",
                right.replace('-', "_")
            )
        };
        diags.push(
            Diagnostic::error(format!(
                "`{}` spells the {what} `{right}` as `{wrong}`",
                decl.name
            ))
            .label(decl.key.clone().with_text(format!("`{wrong}` here")))
            .label(reference.key.clone().with_text(format!("`{right}` here")))
            .note(format!(
                "RFC 3243 makes each segment a package name; `{wrong}` and `{right}` are one name: {why}"
            ))
            .help(format!(
                "spell it as the other declarations do: write `\"{fixed}\"` (or rename every \
                 declaration of the {what} to one spelling)"
            )),
        );
    }
}
