//! Blame: errors that cargo reports without a place the user can fix (a
//! generated facade, a path without a line) turned into diagnostics that
//! point at the manifest line to change — the declaration, the byte that is
//! not UTF-8, the package name that clashes.
//!
//! Cargo's text is kept as a note: these functions only add the place and
//! the help, they never hide what cargo said.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml_edit::Item;

use crate::cargo::cargo_failed;
use crate::diagnostic::{Diagnostic, SourceFile, not_utf8};
use crate::manifest::get_path;
use crate::marker::is_generated;
use crate::plan::{Declaration, Facade, Plan};

/// `cargo metadata --no-deps` failed while loading the workspace.
pub fn load_failure(stderr: &str) -> Diagnostic {
    let reported = |diag: Diagnostic| {
        diag.note(format!(
            "reported by `cargo metadata`, which cargo-facade runs: {}",
            first_error(stderr)
        ))
    };
    // "path at `…/Cargo.toml` was not valid utf-8"
    if let Some(path) = between(stderr, "path at `", "` was not valid utf-8")
        && let Ok(bytes) = std::fs::read(path)
        && std::str::from_utf8(&bytes).is_err()
    {
        return reported(not_utf8(Path::new(path), &bytes));
    }
    // "two packages named `x` in this workspace:\n- /a/Cargo.toml\n- /b/Cargo.toml"
    if let Some(name) = between(stderr, "two packages named `", "` in this workspace") {
        let mut paths: Vec<PathBuf> = stderr
            .lines()
            .filter_map(|line| line.trim().strip_prefix("- "))
            .map(PathBuf::from)
            .filter(|path| path.ends_with("Cargo.toml"))
            .collect();
        // The user's package first, a generated facade after it.
        paths.sort_by_key(|path| std::fs::read(path).is_ok_and(|b| is_generated(&b)));
        let mut diag = Diagnostic::error(format!("two packages are named `{name}`"));
        for path in &paths {
            if let Some((file, span)) = package_name_span(path) {
                diag = diag.at(&file, span, "named here");
            }
        }
        if !diag.labels.is_empty() {
            let help = match crate::name::facade_root(name) {
                Some(root) => format!(
                    "`{name}` is the package of the facade of namespace `{root}`: rename the \
                     other package"
                ),
                None => "rename one of the two packages".to_owned(),
            };
            return reported(diag).help(help);
        }
    }
    cargo_failed("cargo metadata", stderr)
        .help("fix what cargo reports above and run the command again")
}

/// A full `cargo metadata` failed on a tree the plan describes (written or
/// found fresh): a resolution error when cargo names a declared package or
/// a facade, else what [`load_failure`] makes of it.
pub fn metadata_failure(stderr: &str, plan: &Plan) -> Diagnostic {
    let (culprits, _, _) = culprits(stderr);
    let named = culprits
        .iter()
        .any(|name| plan.declarations.iter().any(|d| d.spec.package == *name));
    if named || !facades_named(stderr, plan).is_empty() {
        resolution_failure(stderr, plan)
    } else {
        load_failure(stderr)
    }
}

/// `cargo metadata` rejected the tree `sync` wrote. Points at the
/// declarations of the packages cargo names; `plan` is what was written.
pub fn resolution_failure(stderr: &str, plan: &Plan) -> Diagnostic {
    let (culprits, feature, help) = culprits(stderr);
    let mut blamed: Vec<&Declaration> = plan
        .declarations
        .iter()
        .filter(|d| culprits.contains(d.spec.package.as_str()))
        .collect();
    if let Some(feature) = &feature {
        let asking: Vec<&Declaration> = blamed
            .iter()
            .copied()
            .filter(|d| d.spec.features.iter().any(|f| f == feature))
            .collect();
        if !asking.is_empty() {
            blamed = asking;
        }
    }
    let cycle = stderr.contains("cyclic package dependency");
    if cycle {
        // The consumers in the cycle, where they declare a namespace in it.
        blamed =
            plan.declarations
                .iter()
                .filter(|d| {
                    let consumer = &plan.consumers[d.consumer].name;
                    culprits.contains(consumer.as_str())
                        && plan.facades.iter().any(|f| {
                            f.root == d.name.root() && culprits.contains(f.package.as_str())
                        })
                })
                .collect();
    }
    // Cargo names the facade that requires the package (`required by
    // package `foo-facade-…``): only its consumers' declarations are meant,
    // and with no culprit of its own, every declaration it presents.
    let facades = facades_named(stderr, plan);
    if !facades.is_empty() && !cycle {
        let of_facades = |d: &&Declaration| {
            facades
                .iter()
                .any(|f| f.root == d.name.root() && f.consumers.contains(&d.consumer))
        };
        let narrowed: Vec<&Declaration> = blamed.iter().copied().filter(of_facades).collect();
        blamed = if narrowed.is_empty() && culprits.is_empty() {
            plan.declarations.iter().filter(of_facades).collect()
        } else if narrowed.is_empty() {
            blamed
        } else {
            narrowed
        };
    }
    if blamed.is_empty() {
        return cargo_failed("cargo metadata", stderr).help(help);
    }
    let mut diag = Diagnostic::error(format!(
        "cargo cannot resolve the declared dependencies: {}",
        first_error(stderr)
    ));
    let mut seen = BTreeSet::new();
    for decl in blamed {
        let place = (decl.key.file.path().to_owned(), decl.key.span.start);
        if seen.insert(place) {
            let consumer = &plan.consumers[decl.consumer].name;
            let text = match &feature {
                _ if cycle => format!("`{consumer}` declares `{}`: part of the cycle", decl.name),
                Some(feature) if decl.spec.features.iter().any(|f| f == feature) => {
                    format!(
                        "feature `{feature}` of `{}` requested here",
                        decl.spec.package
                    )
                }
                _ => format!("`{}` declared here", decl.spec.package),
            };
            diag = diag.label(decl.key.clone().with_text(text));
        }
    }
    for facade in facades {
        let users: Vec<String> = facade
            .consumers
            .iter()
            .map(|&c| format!("`{}`", plan.consumers[c].name))
            .collect();
        diag = diag.note(format!(
            "`{}` is the facade of `{}` that cargo-facade generates for {} (`{}`)",
            facade.package,
            facade.root,
            users.join(", "),
            facade.id
        ));
    }
    diag.note(format!(
        "reported by `cargo metadata`, which cargo-facade runs:\n{}",
        stderr.trim_end()
    ))
    .help(help)
}

/// The facades of the plan that cargo's message names as packages
/// (`package `foo-facade-… v0.0.0 (…)``).
fn facades_named<'p>(stderr: &str, plan: &'p Plan) -> Vec<&'p Facade> {
    plan.facades
        .iter()
        .filter(|f| stderr.contains(&format!("package `{} v", f.package)))
        .collect()
}

/// The packages cargo blames, the feature it names, and the help to give.
fn culprits(stderr: &str) -> (BTreeSet<&str>, Option<String>, String) {
    let mut names = BTreeSet::new();
    let mut feature = None;
    let help;
    if let Some(name) = between(stderr, "depends on `", "` with feature `") {
        names.insert(name);
        feature = between(stderr, "` with feature `", "`").map(str::to_owned);
        help = format!(
            "remove feature `{}` from the declaration, or add it to `[features]` of `{name}`",
            feature.as_deref().unwrap_or_default()
        );
    } else if let Some(req) = between(
        stderr,
        "failed to select a version for the requirement `",
        "`",
    ) {
        names.insert(req.split([' ', '=']).next().unwrap_or(req));
        help = "change the declared `version` to one the package has".to_owned();
    } else if let Some(name) = between(stderr, "no matching package named `", "`") {
        names.insert(name);
        help = "check the declared `package` (and `registry`): cargo cannot find it; offline, \
                it must already be in cargo's cache"
            .to_owned();
    } else if let Some(cycle) = stderr.split_once("Cycle:").map(|(_, cycle)| cycle) {
        // `package `a v…``, then `… of package `b v…`` per line, until `a`
        // comes back; later lines only lead to the cycle.
        let mut first = None;
        for line in cycle.lines() {
            let Some(at) = line.rfind("package `") else {
                continue;
            };
            let Some(name) = between(&line[at..], "package `", " v") else {
                continue;
            };
            if first == Some(name) {
                break;
            }
            first.get_or_insert(name);
            names.insert(name);
        }
        help = "cargo refuses a package that depends on itself: remove one of the declarations \
                in the cycle, or move it to the dev-dependencies if only tests need it"
            .to_owned();
    } else {
        if let Some(name) = between(stderr, "failed to select a version for `", "`") {
            names.insert(name);
        }
        if let Some(name) = between(stderr, "depends on crate `", " v") {
            names.insert(name);
        }
        help = "fix the declaration so that cargo can resolve it, then run `cargo facade sync` \
                again"
            .to_owned();
    }
    (names, feature, help)
}

/// The first `error:` line of cargo's output, without the prefix.
fn first_error(stderr: &str) -> &str {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("error: "))
        .unwrap_or_else(|| stderr.lines().next().unwrap_or_default())
        .trim_end()
}

/// The text between the first `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// The span of `package.name` in a manifest, with the file.
fn package_name_span(path: &Path) -> Option<(std::sync::Arc<SourceFile>, std::ops::Range<usize>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc = toml_edit::Document::parse(text.as_str()).ok()?;
    let span = get_path(doc.as_item(), &["package", "name"]).and_then(Item::span)?;
    Some((SourceFile::new(path.to_owned(), text), span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn culprits_of_cargo_messages() {
        let (names, feature, _) = culprits(
            "error: failed to select a version for `foo-baz`.\n\
             package `foo-facade` depends on `foo-baz` with feature `nope` but `foo-baz` \
             does not have that feature.\n",
        );
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["foo-baz"]);
        assert_eq!(feature.as_deref(), Some("nope"));
        let (names, _, _) =
            culprits("error: failed to select a version for the requirement `foo-bar = \"^9\"`\n");
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["foo-bar"]);
        let (names, _, _) = culprits(
            "error: cyclic package dependency: package `foo-facade v0.0.0 (/w/facades/foo)` \
             depends on itself. Cycle:\npackage `foo-facade v0.0.0 (/w/facades/foo)`\n    \
             ... which satisfies path dependency `foo` of package `foo-bar v1.2.0 (/w/foo-bar)`\n    \
             ... which satisfies path dependency `foo-bar` of package `foo-facade v0.0.0 (/w/f)`\n    \
             ... which satisfies path dependency `foo` of package `app v0.1.0 (/w/app)`\n",
        );
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["foo-bar", "foo-facade"]
        );
    }
}
