//! RFC 3243's conflict rule, checked before anything is written: "If users
//! import both foo and foo::bar but foo also has a bar item in its API that
//! isn't just foo::bar re-exported, then rustc will error."
//!
//! Decided by the compiler, located by syn:
//! - `probe.rs` builds, per consumer that declares a root beside children,
//!   a scratch crate that imports both the way a facade does and asks
//!   `cargo check` which child names are ambiguous. This covers every root
//!   source (path, registry, git), the root's features as cargo resolves
//!   them, the target's cfg, macro-made items and glob re-exports, and never
//!   flags a root that re-exports the child crate itself. It builds in
//!   cargo's target folder, so its work is the user's next build's.
//! - `record.rs` keeps each clean verdict with the key that decides it in
//!   `<facade dir>/verdicts.toml`, written by `sync` with the facades: a
//!   fresh clone's `check` compiles nothing while the key holds.
//! - `syntax.rs` turns each ambiguity into a place in the root's `lib.rs`
//!   (the item, the macro invocation, or the glob), with `#[cfg]` evaluated
//!   against the resolved features and the target.
//!
//! A probe that cannot be built (the root itself does not compile, a
//! registry that cannot be reached offline) is a warning: cargo's own build
//! will report the same problem.

pub mod probe;
pub mod record;
pub mod syntax;

use std::collections::BTreeSet;
use std::path::Path;

use crate::CargoOptions;
use crate::diagnostic::{Diagnostic, Diagnostics, Label, SourceFile};
use crate::load::Workspace;
use crate::plan::{Declaration, Plan};
use crate::shell::Shell;
use probe::{Outcome, Probe};
pub use record::Entry;
use syntax::Origin;

/// The RFC's words, quoted in every conflict.
const RFC_RULE: &str = "RFC 3243: \"If users import both foo and foo::bar but foo also has a bar \
     item in its API that isn't just foo::bar re-exported, then rustc will error.\"";

/// A probe with the declarations it speaks for.
struct Job<'a> {
    probe: Probe,
    root: &'a Declaration,
    children: Vec<&'a Declaration>,
}

/// Checks every root declared beside children against those children,
/// pushing one error per conflict (and a warning per probe that could not
/// be built) into `diags`; returns the verdicts to record (`record.rs`),
/// or `None` when a probe could not be resolved (the run fails on its own
/// resolution; the record is left as it is).
/// `shell` hears about probes that run (`migrate` passes none: it reports
/// its own progress).
///
/// A verdict comes from the first of: this machine's cache beside the
/// probe, the record (whose key must hold on this machine too), the probe.
pub fn check(
    ws: &Workspace,
    plan: &Plan,
    cargo: &CargoOptions,
    mut shell: Option<&mut Shell>,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Vec<Entry>>> {
    let settings = probe::Settings::of(&ws.root_manifest().doc);
    let jobs = jobs(plan, &ws.root, &settings);
    let mut entries = Vec::new();
    if jobs.is_empty() {
        return Ok(Some(entries));
    }
    let mut unresolved = false;
    let recorded = record::read(&plan.facade_dir.join(record::FILE));
    let tree = record::Tree::new(&ws.root, &plan.facade_dir, &ws.lock_path);
    let mut machine = record::Machine::new(&ws.root);
    let identity = probe::toolchain(&ws.root);
    let target_dir = crate::lock::target_dir(&ws.root);
    let mut target_cfg: Option<String> = None;
    let mut reported = BTreeSet::new();
    for job in &jobs {
        let dir = job.probe.dir(&target_dir);
        let same_root = |e: &&Entry| e.root == job.probe.root && e.key.probe == job.probe.key;
        let verdict = match probe::cached(&dir, &job.probe, &identity, &tree) {
            Some(verdict) => verdict,
            None => {
                if let Some(entry) = recorded.iter().filter(same_root).find(|e| {
                    e.key.tree_current(&job.probe.key, &tree) && e.key.machine_current(&mut machine)
                }) {
                    probe::remember(&dir, entry, &identity, &tree);
                    entries.push(entry.clone());
                    continue;
                }
                // A probe compiles (seconds, minutes when cold): said on a
                // terminal as cargo's progress is, and with `-v`; piped
                // output of a no-op-looking run stays quiet.
                if let Some(shell) = shell.as_deref_mut() {
                    shell.progress(
                        "Probing",
                        format!(
                            "`{}` for RFC 3243 conflicts with its children",
                            job.probe.root
                        ),
                    );
                }
                let outcome = probe::run(
                    &job.probe,
                    &dir,
                    &target_dir,
                    &ws.root,
                    &ws.lock_path,
                    cargo,
                    &tree,
                    &mut machine,
                )?;
                match outcome {
                    Outcome::Judged(verdict) => *verdict,
                    Outcome::Failed(stderr) => {
                        diags.push(probe_failed(job, &stderr));
                        continue;
                    }
                    // `sync`'s own resolution reports why, at the declaration.
                    Outcome::Unresolved => {
                        unresolved = true;
                        continue;
                    }
                }
            }
        };
        if verdict.ambiguous.is_empty() {
            // Judged again on another machine, the same: the record stays.
            let kept = recorded
                .iter()
                .filter(same_root)
                .find(|e| e.key.same_tree(&verdict.key));
            entries.push(match kept {
                Some(entry) => entry.clone(),
                None => entry(job, &verdict),
            });
        }
        for module in &verdict.ambiguous {
            let Some(child) = job.children.iter().find(|d| {
                d.name
                    .child()
                    .is_some_and(|c| c.replace('-', "_") == *module)
            }) else {
                continue;
            };
            if !reported.insert((child.name.to_string(), &child.spec.package)) {
                continue;
            }
            let cfg = target_cfg.get_or_insert_with(|| probe::target_cfg(&ws.root));
            diags.push(conflict(job.root, child, module, &verdict, cfg));
        }
    }
    Ok((!unresolved).then_some(entries))
}

/// The recorded verdicts whose key still holds, for a command that does not
/// probe (`list`): what [`check`] would reuse without compiling.
pub fn recorded(ws: &Workspace, plan: &Plan) -> Vec<Entry> {
    let recorded = record::read(&plan.facade_dir.join(record::FILE));
    if recorded.iter().all(|e| e.reexported.is_empty()) {
        return Vec::new();
    }
    let settings = probe::Settings::of(&ws.root_manifest().doc);
    let tree = record::Tree::new(&ws.root, &plan.facade_dir, &ws.lock_path);
    let mut out = Vec::new();
    for job in jobs(plan, &ws.root, &settings) {
        // As `check` keeps a record whose tree holds (a re-probe on another
        // machine judges the same tree alike: the re-export answer depends
        // on features only, see `syntax::reexports_child`).
        if let Some(entry) = recorded.iter().find(|e| {
            e.root == job.probe.root
                && e.key.probe == job.probe.key
                && e.key.tree_current(&job.probe.key, &tree)
        }) {
            out.push(entry.clone());
        }
    }
    out
}

/// The consumers whose every declared child of a root is re-exported by
/// that root as itself, with the features the declaration asks for, by the
/// verdicts `entries` (probed or recorded, see [`record::Entry::reexported`]):
/// their facade would present nothing the root does not, so
/// [`plan::plan_eliding`](crate::plan::plan_eliding) may give them the
/// root itself. A child declared with other features than the one probed
/// for the root does not count.
pub fn elision(ws: &Workspace, plan: &Plan, entries: &[Entry]) -> crate::plan::Reexporting {
    let mut out = crate::plan::Reexporting::new();
    if entries.iter().all(|e| e.reexported.is_empty()) {
        return out;
    }
    let settings = probe::Settings::of(&ws.root_manifest().doc);
    let jobs = jobs(plan, &ws.root, &settings);
    for consumer in 0..plan.consumers.len() {
        let decls = plan.declarations_of(consumer);
        let roots: BTreeSet<&str> = decls
            .iter()
            .filter(|d| d.name.child().is_some())
            .map(|d| d.name.root())
            .collect();
        for root in roots {
            let mine = decls.iter().filter(|d| d.name.root() == root);
            let (root_decls, children): (Vec<&Declaration>, Vec<&Declaration>) =
                mine.partition(|d| d.name.child().is_none());
            if root_decls.is_empty() {
                continue;
            }
            // Each child judged, as this member's package (another member
            // may declare the name otherwise), beside each of its roots.
            let all_reexported = root_decls.iter().all(|root_decl| {
                children.iter().all(|child| {
                    jobs.iter().any(|job| {
                        same_root(job.root, root_decl)
                            && job
                                .children
                                .iter()
                                .any(|probed| same_package(probed, child))
                            && entries
                                .iter()
                                .find(|e| e.root == job.probe.root && e.key.probe == job.probe.key)
                                .and_then(|e| e.reexported.get(&child.name.to_string()))
                                .is_some_and(|on| asks_no_more(child, on))
                    })
                })
            });
            if all_reexported {
                out.insert((consumer, root.to_owned()));
            }
        }
    }
    out
}

/// Whether two declarations of a name are one package from one source.
fn same_crate(a: &Declaration, b: &Declaration) -> bool {
    a.name == b.name && a.spec.package == b.spec.package && a.spec.source == b.spec.source
}

/// [`same_crate`], under one requirement.
fn same_package(a: &Declaration, b: &Declaration) -> bool {
    same_crate(a, b) && a.spec.version == b.spec.version
}

/// Whether a child's declaration asks for no feature beyond `on`, those
/// the root's own edges turn on (`default` among them where its defaults
/// are on).
fn asks_no_more(child: &Declaration, on: &[String]) -> bool {
    (!child.spec.default_features || on.iter().any(|f| f == "default"))
        && child.spec.features.iter().all(|f| on.contains(f))
}

/// The record of a clean verdict.
fn entry(job: &Job, verdict: &probe::Verdict) -> Entry {
    Entry {
        root: job.probe.root.clone(),
        package: verdict.root_package.clone(),
        version: verdict.root_version.clone(),
        features: verdict.root_features.clone(),
        children: job.children.iter().map(|d| d.name.to_string()).collect(),
        reexported: job
            .children
            .iter()
            .filter_map(|d| {
                let module = d.name.child()?.replace('-', "_");
                let (_, features) = verdict.reexported.iter().find(|(m, _)| *m == module)?;
                Some((d.name.to_string(), features.clone()))
            })
            .collect(),
        key: verdict.key.clone(),
    }
}

/// One job per distinct root declaration (package, source, version,
/// features): the root with every child declared beside it by any consumer
/// that declares the root that way. One probe per namespace in the usual
/// case, however many consumers.
fn jobs<'a>(plan: &'a Plan, ws_root: &Path, settings: &probe::Settings) -> Vec<Job<'a>> {
    let mut groups: Vec<(&Declaration, Vec<&Declaration>)> = Vec::new();
    for consumer in 0..plan.consumers.len() {
        let decls = plan.declarations_of(consumer);
        for root in decls.iter().filter(|d| d.name.child().is_none()) {
            if !groups.iter().any(|(other, _)| same_root(other, root)) {
                groups.push((root, Vec::new()));
            }
            for decl in decls {
                if decl.name.root() != root.name.root() || decl.name.child().is_none() {
                    continue;
                }
                // Judged already with this package under this name?
                let judged = groups.iter().any(|(other, children)| {
                    same_root(other, root) && children.iter().any(|c| same_crate(c, decl))
                });
                if judged {
                    continue;
                }
                // Else with the first probe of this root that has neither
                // the name nor the package (a probe cannot hold two crates
                // as one module, nor depend on one package twice: another
                // member's other package under the same name, or the same
                // package under another name, gets a probe of its own).
                match groups.iter_mut().find(|(other, children)| {
                    same_root(other, root)
                        && !children.iter().any(|c| {
                            c.name == decl.name
                                || (c.spec.package == decl.spec.package
                                    && c.spec.source == decl.spec.source)
                        })
                }) {
                    Some((_, children)) => children.push(decl),
                    None => groups.push((root, vec![decl])),
                }
            }
        }
    }
    groups
        .into_iter()
        .filter(|(_, children)| !children.is_empty())
        .map(|(root, mut children)| {
            children.sort_by_key(|d| d.name.to_string());
            let specs: Vec<(&str, &crate::plan::Spec)> = children
                .iter()
                .map(|d| (d.name.child().expect("a child"), &d.spec))
                .collect();
            Job {
                probe: Probe::new(root.name.root(), &root.spec, &specs, ws_root, settings),
                root,
                children,
            }
        })
        .collect()
}

/// Whether two root declarations build the root the same way.
fn same_root(a: &Declaration, b: &Declaration) -> bool {
    let mut features = [a.spec.features.clone(), b.spec.features.clone()];
    for list in &mut features {
        list.sort();
        list.dedup();
    }
    a.name == b.name
        && a.spec.package == b.spec.package
        && a.spec.version == b.spec.version
        && a.spec.source == b.spec.source
        && a.spec.default_features == b.spec.default_features
        && features[0] == features[1]
}

/// The error for child `child`, whose module `module` the root also makes.
fn conflict(
    root: &Declaration,
    child: &Declaration,
    module: &str,
    verdict: &probe::Verdict,
    target_cfg: &str,
) -> Diagnostic {
    let root_name = root.name.root();
    let child_crate = child.spec.package.replace('-', "_");
    let located = std::fs::read_to_string(&verdict.root_lib)
        .ok()
        .and_then(|text| {
            let cfg = syntax::CfgSet::new(target_cfg, &verdict.root_features);
            let modules = [(module.to_owned(), vec![child_crate.clone()])];
            let found = syntax::scan(&text, &modules, &cfg).ok()?;
            let location = syntax::locate(&found, module)?;
            Some((SourceFile::new(verdict.root_lib.clone(), text), location))
        });
    if located.is_none()
        && let Some(diag) = other_version(root, child, module, verdict, target_cfg)
    {
        return diag;
    }
    let what = match located.as_ref().map(|(_, l)| &l.origin) {
        Some(Origin::Item(kind)) => format!("own `{module}` ({kind})"),
        Some(Origin::Macro(name)) => format!("own `{module}` (made by `{name}`)"),
        Some(Origin::Glob(glob)) => {
            format!("own `{module}` (brought in by `pub use {glob};`)")
        }
        None => format!("own `{module}`"),
    };
    let mut diag = Diagnostic::error(format!(
        "root crate `{root_name}` ({} v{}) has its {what}, which would hide the child `{}`",
        verdict.root_package, verdict.root_version, child.name
    ));
    let feature = located.as_ref().and_then(|(_, l)| l.feature.clone());
    match &located {
        Some((file, location)) => {
            let text = match &location.origin {
                Origin::Item(_) => format!("`{}` is already taken here", child.name),
                Origin::Macro(name) => format!("this `{name}` makes a `{module}`"),
                Origin::Glob(_) => format!("this glob re-export brings a `{module}`"),
            };
            diag = diag.label(Label::new(file, location.span.clone(), text));
            diag = diag.label(child.key.clone().with_text("child declared here"));
        }
        None => {
            diag = diag
                .label(child.key.clone().with_text("child declared here"))
                .note(format!(
                    "the compiler sees a public `{module}` in `{}`; it is not written at the top of `{}`",
                    verdict.root_package,
                    verdict.root_lib.display()
                ));
        }
    }
    diag = diag.note(RFC_RULE);
    if !verdict.root_features.is_empty() {
        diag = diag.note(format!(
            "features of `{}` as cargo resolves them here: {}",
            verdict.root_package,
            verdict.root_features.join(", ")
        ));
    }
    let disable = match feature {
        Some(feature) => format!("disable the root's feature `{feature}` that makes `{module}`"),
        None => format!("disable the root feature that makes `{module}` (if one does)"),
    };
    diag.help(format!(
        "drop the root declaration `{root_name}`, {disable}, or declare the child under \
         another name (a re-export of the child, `pub use {child_crate} as {module};`, \
         in the root is also fine)"
    ))
}

/// The error when the root's `module` is the child's package in another
/// version than the declaration resolves to (`pub use foo_bar as bar;` of
/// `foo-bar` v1 while `foo::bar` asks for v2): two versions are two crates,
/// so the root's `bar` is not "just foo::bar re-exported". `None` when the
/// root does not depend on another version of the child.
fn other_version(
    root: &Declaration,
    child: &Declaration,
    module: &str,
    verdict: &probe::Verdict,
    target_cfg: &str,
) -> Option<Diagnostic> {
    let package = &child.spec.package;
    let declared = verdict
        .children
        .iter()
        .find(|(name, _)| name == package)
        .map(|(_, version)| version)?;
    let (_, theirs) = verdict
        .root_deps
        .iter()
        .find(|(name, version)| name == package && version != declared)?;
    let root_name = root.name.root();
    let mut diag = Diagnostic::error(format!(
        "root crate `{root_name}` ({} v{}) re-exports `{package}` v{theirs} as `{module}`, but the \
         declaration of `{}` asks for `{package}` v{declared}",
        verdict.root_package, verdict.root_version, child.name
    ));
    // The re-export itself: the line that binds `module`, whatever crate.
    let located = std::fs::read_to_string(&verdict.root_lib)
        .ok()
        .and_then(|text| {
            let cfg = syntax::CfgSet::new(target_cfg, &verdict.root_features);
            let found = syntax::scan(&text, &[(module.to_owned(), Vec::new())], &cfg).ok()?;
            let location = syntax::locate(&found, module)?;
            Some((SourceFile::new(verdict.root_lib.clone(), text), location))
        });
    if let Some((file, location)) = &located {
        diag = diag.label(Label::new(
            file,
            location.span.clone(),
            format!("`{package}` v{theirs}"),
        ));
    }
    let requirement = child
        .spec
        .version
        .as_deref()
        .map_or(String::new(), |v| format!(" (`version = \"{v}\"`)"));
    let diag = diag
        .label(
            child
                .key
                .clone()
                .with_text(format!("`{package}` v{declared} declared here{requirement}")),
        )
        .note(format!(
        "two versions of `{package}` are two crates: the root's `{module}` is not the declared child"
    ))
    .note(RFC_RULE)
    .help(format!(
        "align the declaration with the root, `version = \"{theirs}\"`, or drop the declaration \
         `{}` and use the root's re-export `{root_name}::{module}`",
        child.name
    ));
    Some(diag)
}

/// A probe that cargo could not build.
fn probe_failed(job: &Job, stderr: &str) -> Diagnostic {
    let first: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim_start().starts_with("Blocking waiting for file lock"))
        .take(12)
        .collect();
    Diagnostic::warning(format!(
        "could not check root `{}` against its children for RFC 3243 conflicts",
        job.root.name
    ))
    .label(job.root.key.clone().with_text("root declared here"))
    .note(format!("cargo said:\n{}", first.join("\n")))
    .help("fix the root's build; the facade's compile-time guard still refuses a conflict")
}
