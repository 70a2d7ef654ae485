//! `cargo facade migrate 'foo::bar=foo-bar'… [--reverse]`: the codemod from
//! a dependency on package `foo-bar` to the declaration `foo::bar`, and back.
//!
//! For each consumer (a member that depends on a spec's package), the
//! manifest moves the dependency into the mirrored declaration table
//! ([`manifest`]) and every Rust file below the package renames its paths
//! ([`source`]). Nothing is written before everything is known to work:
//!
//! 1. every edit is computed in memory, and forward also computes the way
//!    back and compares it with the original bytes; what would not come back
//!    exactly is an error (or, for a manifest, first gets a record);
//! 2. the engine's plan runs on the edited manifests, so the result is a
//!    valid `sync` input, and `--dry-run` can show the whole diff;
//! 3. the edits and what `sync` makes of them (facades, managed entries)
//!    are written together, then cargo resolves the result, refreshing
//!    `Cargo.lock`; if it cannot, every byte goes back.
//!
//! The exactness rules are documented in [`source`] (paths) and
//! [`manifest`] (dependency entries). Refused with an error, because the way
//! back could not restore the bytes: a file that already names `foo::bar`
//! (say through a root that re-exports its child), `#[macro_use] extern
//! crate foo_bar`, a raw `r#foo_bar`, a quoted dependency key, and a
//! manifest whose layout neither the defaults nor a record reproduce.
//! Refused because the meaning would change: optional dependencies and
//! `[features]` that name the dependency, edition 2015 packages, and paths
//! that a local `foo` would capture.
//!
//! Doc comments count as code where they hold Rust: code blocks (doctests,
//! hidden lines included) and intra-doc links are rewritten by the same
//! engine ([`doc`] finds them); prose stays.
//!
//! Not seen (left as they are): paths in string literals (`#[serde(with = "foo_bar::m")]`), `use foo_bar;` inside
//! a macro body that is not Rust syntax, a `foo_bar` brought in by a glob
//! import, and an `extern crate foo_bar as x;` alias used as `x::…` from
//! other modules (it becomes an import of the crate root module only).

pub mod doc;
pub mod features;
pub mod format;
pub mod lockfile;
pub mod manifest;
pub mod on_disk;
pub mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use toml_edit::{DocumentMut, Item};

use crate::diagnostic::{Diagnostic, Diagnostics, InputErrors, SourceFile};
use crate::load::{self, Manifest};
use crate::manifest::{get_path, real_tables};
use crate::paths::relative;
use crate::plan;
use crate::shell::Shell;
use crate::write::{self, Action, Change, Owner};
use crate::{Exit, Options};
use manifest::{Entry, Spec};
use source::Rename;

/// What `migrate` migrates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateOptions {
    /// `foo::bar=foo-bar`: namespaced name and the package that provides it today.
    pub specs: Vec<String>,
    /// Declarations back to dependencies.
    pub reverse: bool,
    /// Only these members (every member when empty).
    pub packages: Vec<String>,
    /// Print the unified diff instead of writing files.
    pub dry_run: bool,
}

/// A workspace member as `migrate` sees it.
struct Member {
    name: String,
    manifest: Manifest,
    edition: cargo_metadata::Edition,
}

/// The workspace as `migrate` sees it.
struct Loaded {
    root_dir: PathBuf,
    root_manifest: Manifest,
    facade_dir: PathBuf,
    /// Every member but the facades, by manifest path.
    members: Vec<Member>,
}

/// Everything one consumer's migration changes.
struct Migrated {
    name: String,
    manifest_path: PathBuf,
    manifest: String,
    sources: Vec<Change>,
    paths: usize,
    /// Entries that inherit from the workspace: (name, key, child package).
    inherited: Vec<(String, String, Option<String>)>,
}

/// Runs `migrate` (`Err` for failures and reported input errors).
pub fn migrate(
    opts: &MigrateOptions,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    // It writes `sync`'s changes: an older tree is upgraded by `sync` first.
    crate::commands::format::require_current(options, false, shell)?;
    let mut out = Report::default();
    let mut diags = Diagnostics::default();
    let specs = parse_specs(&opts.specs, &mut diags);
    out.flush(shell, &mut diags)?;
    let Some(loaded) = load_members(opts, options, &mut diags, shell)? else {
        out.flush(shell, &mut diags)?;
        return Ok(Exit::Error);
    };
    out.flush(shell, &mut diags)?;

    let (mut migrated, edited) = migrate_members(&loaded, &specs, opts, &mut diags)?;
    out.flush(shell, &mut diags)?;
    if migrated.is_empty() {
        let (what, names) = wanted(&specs, opts.reverse);
        diags.push(Diagnostic::warning(format!(
            "nothing to migrate: no workspace member {what} {}",
            names.join(" or ")
        )));
        out.flush(shell, &mut diags)?;
        return out.finish(options, shell);
    }

    let mut changes = manifest_changes(&loaded, &edited)?;
    for m in &mut migrated {
        changes.append(&mut m.sources);
    }

    // The engine's own checks on the result, and what `sync` makes of it.
    let sync_changes = planned_sync(options, &edited, &mut diags)?;
    out.flush(shell, &mut diags)?;
    if out.finish(options, shell)? != Exit::Success {
        return Ok(Exit::Error);
    }

    report_consumers(&migrated, &changes, &loaded, &edited, opts.reverse, shell);
    merge_sync(&mut changes, sync_changes);

    if opts.dry_run {
        crate::commands::status::dry_run(&changes, shell)?;
        return Ok(Exit::Success);
    }
    let done = format!(
        "{} {}",
        count(migrated.len(), "consumer"),
        if opts.reverse { "reverted" } else { "migrated" }
    );
    write_all(&changes, &loaded, &done, opts.reverse, options, shell)
}

/// The edited manifests whose bytes change, each owned by its member (or
/// the workspace).
fn manifest_changes(
    loaded: &Loaded,
    edited: &BTreeMap<PathBuf, String>,
) -> anyhow::Result<Vec<Change>> {
    let mut changes: Vec<Change> = Vec::new();
    for (path, text) in edited {
        let old = fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
        if old != text.as_bytes() {
            let owner = loaded
                .members
                .iter()
                .find(|m| m.manifest.path() == path)
                .map_or_else(|| "workspace".to_owned(), |m| m.name.clone());
            changes.push(Change {
                path: path.clone(),
                old: Some(old),
                action: Action::Write(text.clone()),
                owner: Owner::Consumer(owner),
            });
        }
    }
    Ok(changes)
}

/// One status line per consumer: its manifests, paths and files.
fn report_consumers(
    migrated: &[Migrated],
    changes: &[Change],
    loaded: &Loaded,
    edited: &BTreeMap<PathBuf, String>,
    reverse: bool,
    shell: &mut Shell,
) {
    let root_path = loaded.root_manifest.path();
    let verb = if reverse { "Reverting" } else { "Migrating" };
    for m in migrated {
        let files: BTreeSet<&Path> = changes
            .iter()
            .filter(|c| {
                c.owner == Owner::Consumer(m.name.clone())
                    && c.path.extension().is_some_and(|e| e == "rs")
            })
            .map(|c| c.path.as_path())
            .collect();
        let shares_root = !m.inherited.is_empty()
            && m.manifest_path != root_path
            && edited.contains_key(root_path);
        shell.status(
            verb,
            format!(
                "{}: {}, {} in {}",
                m.name,
                count(1 + usize::from(shares_root), "manifest"),
                count(m.paths, "path"),
                count(files.len(), "file")
            ),
        );
    }
}

/// Adds what `sync` makes of the edits (its version of a file wins), and
/// drops the writes that change nothing.
fn merge_sync(changes: &mut Vec<Change>, sync_changes: Vec<Change>) {
    for sync_change in sync_changes {
        match changes.iter_mut().find(|c| c.path == sync_change.path) {
            Some(mine) => mine.action = sync_change.action,
            None => changes.push(sync_change),
        }
    }
    changes.retain(|c| match &c.action {
        Action::Write(text) => c.old.as_deref() != Some(text.as_bytes()),
        Action::Delete => true,
    });
}

/// The diagnostics printed so far, and how many were warnings.
#[derive(Debug, Default)]
struct Report {
    warnings: usize,
}

impl Report {
    /// Prints and empties `diags`; `Err` when one was an error.
    fn flush(&mut self, shell: &mut Shell, diags: &mut Diagnostics) -> anyhow::Result<()> {
        let diags = std::mem::take(diags);
        for diag in diags.items() {
            shell.diagnostic(diag);
        }
        self.warnings += diags.items().len() - diags.error_count();
        if diags.has_errors() {
            return Err(InputErrors {
                count: diags.error_count(),
            }
            .into());
        }
        Ok(())
    }

    /// `--deny-warnings` after the warnings are out.
    fn finish(&self, options: &Options, shell: &mut Shell) -> anyhow::Result<Exit> {
        if options.deny_warnings && self.warnings > 0 {
            shell.error(format!(
                "{} denied by `--deny-warnings`; no file was changed",
                count(self.warnings, "warning")
            ));
            return Ok(Exit::Error);
        }
        Ok(Exit::Success)
    }
}

/// What the specs name on this side: `("depends on", ["`foo-bar`"])`.
fn wanted(specs: &[Spec], reverse: bool) -> (&'static str, Vec<String>) {
    if reverse {
        (
            "declares",
            specs.iter().map(|s| format!("`{}`", s.name)).collect(),
        )
    } else {
        (
            "depends on",
            specs.iter().map(|s| format!("`{}`", s.package)).collect(),
        )
    }
}

fn parse_specs(args: &[String], diags: &mut Diagnostics) -> Vec<Spec> {
    let mut specs: Vec<Spec> = Vec::new();
    for arg in args {
        match Spec::parse(arg) {
            Ok(spec) => {
                if let Some(other) = specs
                    .iter()
                    .find(|s| s.name == spec.name || s.package == spec.package)
                {
                    diags.push(Diagnostic::error(format!(
                        "`{arg}` repeats `{}={}`: each name and each package can be migrated once",
                        other.name, other.package
                    )));
                }
                specs.push(spec);
            }
            Err(diag) => diags.push(*diag),
        }
    }
    specs
}

/// `cargo metadata` and every member's manifest; `None` on reported errors.
fn load_members(
    opts: &MigrateOptions,
    options: &Options,
    diags: &mut Diagnostics,
    shell: &mut Shell,
) -> anyhow::Result<Option<Loaded>> {
    let metadata = match load::cargo_metadata(
        options.manifest_path.as_deref(),
        &options.cargo,
        true,
        shell,
    )? {
        Ok(metadata) => metadata,
        Err(stderr) => {
            diags.push(crate::cargo::cargo_failed("cargo metadata", &stderr));
            return Ok(None);
        }
    };
    let root_dir: PathBuf = metadata.workspace_root.clone().into();
    let Some(root_manifest) = load::read_manifest(&root_dir.join("Cargo.toml"), diags)? else {
        return Ok(None);
    };
    let facade_dir = root_dir.join(
        get_path(
            root_manifest.doc.as_item(),
            &["workspace", "metadata", "facade", "dir"],
        )
        .and_then(Item::as_str)
        .unwrap_or(plan::DEFAULT_DIR),
    );
    let mut members = Vec::new();
    let ids: BTreeSet<_> = metadata.workspace_members.iter().collect();
    for package in metadata.packages.iter().filter(|p| ids.contains(&p.id)) {
        let path: PathBuf = package.manifest_path.clone().into();
        if path.starts_with(&facade_dir) {
            continue; // a facade of ours
        }
        if let Some(manifest) = load::read_manifest(&path, diags)? {
            members.push(Member {
                name: package.name.to_string(),
                manifest,
                edition: package.edition,
            });
        }
    }
    members.sort_by(|a, b| a.manifest.path().cmp(b.manifest.path()));
    for name in &opts.packages {
        if !members.iter().any(|m| m.name == *name) {
            diags.push(Diagnostic::error(format!(
                "package `{name}` is not a member of this workspace"
            )));
        }
    }
    Ok(Some(Loaded {
        root_dir,
        root_manifest,
        facade_dir,
        members,
    }))
}

/// Migrates every selected member; the edited manifests by path (the
/// workspace root's included when its declarations change).
fn migrate_members(
    loaded: &Loaded,
    specs: &[Spec],
    opts: &MigrateOptions,
    diags: &mut Diagnostics,
) -> anyhow::Result<(Vec<Migrated>, BTreeMap<PathBuf, String>)> {
    let mut migrated = Vec::new();
    let mut returned: Vec<(String, String)> = Vec::new();
    let mut edited: BTreeMap<PathBuf, String> = BTreeMap::new();
    let selected = |m: &&Member| opts.packages.is_empty() || opts.packages.contains(&m.name);
    for member in loaded.members.iter().filter(selected) {
        let named = opts.packages.contains(&member.name);
        let result = if opts.reverse {
            reverse_member(member, specs, &loaded.facade_dir, &mut returned, diags)?
        } else {
            let specs = &consumable(member, &loaded.root_manifest, specs, diags);
            forward_member(
                member,
                &loaded.root_manifest,
                specs,
                &loaded.facade_dir,
                diags,
            )?
        };
        match result {
            Some(result) => {
                edited.insert(member.manifest.path().to_owned(), result.manifest.clone());
                migrated.push(result);
            }
            None if named => {
                let (what, names) = wanted(specs, opts.reverse);
                diags.push(Diagnostic::error(format!(
                    "`{}` neither {what} {}",
                    member.name,
                    names.join(" nor ")
                )));
            }
            None => {}
        }
    }

    // The workspace's own declarations that inherited entries need.
    let root_path = loaded.root_manifest.path().to_owned();
    let root_before = edited
        .get(&root_path)
        .cloned()
        .unwrap_or_else(|| loaded.root_manifest.file.text().to_owned());
    let mut root_doc: DocumentMut = root_before
        .parse()
        .context("failed to re-parse the root manifest")?;
    if opts.reverse {
        let still: BTreeSet<String> = loaded
            .members
            .iter()
            .flat_map(|m| {
                let text = edited
                    .get(m.manifest.path())
                    .map_or(m.manifest.file.text(), String::as_str);
                inherited_names(text)
            })
            .collect();
        manifest::return_workspace_decls(&mut root_doc, &returned, &still);
    } else {
        let needed: Vec<_> = migrated
            .iter()
            .flat_map(|m| m.inherited.iter().cloned())
            .collect();
        manifest::copy_workspace_decls(&mut root_doc, &needed);
    }
    let root_after = root_doc.to_string();
    if root_after != root_before {
        edited.insert(root_path, root_after);
    }
    Ok((migrated, edited))
}

/// The specs `member` can consume: all of them but the children of its own
/// root namespace (with a warning naming the ones it depends on).
///
/// The root of a namespace keeps its children as plain dependencies: its
/// lib could reach them as `foo::bar` through a facade without `self`, but
/// cargo gives the root's doctests, tests, examples and binaries both its
/// own lib and that facade as `foo` (rustc error E0464), so no root with a
/// doctest would build. Nightly's `-Z namespaced-crates` has no such
/// conflict; see ARCHITECTURE.md's "Families" notes.
fn consumable(
    member: &Member,
    root: &Manifest,
    specs: &[Spec],
    diags: &mut Diagnostics,
) -> Vec<Spec> {
    let own = |s: &Spec| s.root_ident() == member.name.replace('-', "_");
    if !specs.iter().any(own) {
        return specs.to_vec();
    }
    let mut ignored = Diagnostics::default();
    let entries = manifest::forward_entries(&member.manifest, root, specs, &mut ignored);
    let kept: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.spec.map(|i| &specs[i]))
        .filter(|s| own(s))
        .map(|s| s.package.as_str())
        .collect();
    if let Some(first) = kept.first() {
        let spans: Vec<_> = entries
            .iter()
            .filter(|e| e.spec.is_some_and(|i| own(&specs[i])))
            .filter_map(|e| {
                get_path(member.manifest.doc.as_item(), &e.table.real_path())
                    .and_then(Item::as_table_like)
                    .and_then(|t| t.get_key_value(&e.key))
                    .and_then(|(key, _)| key.span())
            })
            .collect();
        let names: Vec<String> = kept.iter().map(|p| format!("`{p}`")).collect();
        let mut diag = Diagnostic::warning(format!(
            "`{}` is the root of namespace `{}`: it keeps {} as {}",
            member.name,
            member.name.replace('-', "_"),
            names.join(", "),
            if kept.len() == 1 {
                "a dependency"
            } else {
                "dependencies"
            },
        ));
        for span in spans {
            diag = diag.at(&member.manifest.file, span, "stays a dependency");
        }
        diags.push(
            diag.note(
                "a root that declared its own children would get a facade under its own \
                 name, and cargo gives its doctests, tests and binaries both crates as \
                 that name (rustc error E0464)",
            )
            .help(format!(
                "nothing to do: `{}`'s own paths stay `{}::…`, and its consumers migrate",
                member.name,
                first.replace('-', "_")
            )),
        );
    }
    specs.iter().filter(|s| !own(s)).cloned().collect()
}

/// Writes every change, then lets cargo resolve the result (refreshing
/// `Cargo.lock`); if it cannot, every byte goes back.
fn write_all(
    changes: &[Change],
    loaded: &Loaded,
    done: &str,
    reverse: bool,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    let _lock = crate::lock::lock_root(&loaded.root_dir, shell)?;
    crate::commands::status::migrate(changes, shell);
    let lock_path = loaded.root_dir.join("Cargo.lock");
    let lock_before = write::Saved::read(&lock_path);
    let lock_text = fs::read_to_string(&lock_path).ok();
    let applied = write::apply(changes, &loaded.facade_dir)?;
    if reverse {
        let _ = fs::remove_dir(&loaded.facade_dir); // only when the last facade went
    }
    shell.verbose("Running", "`cargo metadata` to refresh Cargo.lock");
    let failure = match load::cargo_metadata(
        options.manifest_path.as_deref(),
        &options.cargo,
        false,
        shell,
    ) {
        Ok(Ok(_)) => None,
        Ok(Err(stderr)) => Some(crate::cargo::cargo_failed("cargo metadata", &stderr)),
        Err(err) => Some(Diagnostic::error(format!("{err:#}"))),
    };
    if let Some(failure) = failure {
        let note = "cargo rejected the migrated workspace, so every file was restored";
        return Err(crate::commands::rolled_back(
            applied,
            &lock_before,
            failure,
            note,
            shell,
        ));
    }
    if !lockfile::keep_format_version(&lock_path, lock_text.as_deref())? {
        shell.diagnostic(&Diagnostic::warning(
            "cargo rewrote `Cargo.lock` in a newer format: it has git sources whose URL escaping \
             differs between the formats",
        ));
    }
    let mut written = changes.len();
    if !reverse {
        let record = loaded.facade_dir.join(crate::conflict::record::FILE);
        match crate::commands::sync::record_after_migrate(options, shell) {
            Ok(false) => {}
            Ok(true) => {
                written += 1;
                shell.status(
                    "Recording",
                    format!("conflict verdicts ({})", shell.display_path(&record)),
                );
            }
            Err(err) => shell.diagnostic(
                &Diagnostic::warning(format!("the conflict verdicts were not recorded: {err:#}"))
                    .help(
                        "run `cargo facade sync` to record them, so that a fresh clone's `check` \
                     compiles nothing",
                    ),
            ),
        }
    }
    shell.status(
        "Finished",
        format!("{done} ({} written)", count(written, "file")),
    );
    Ok(Exit::Success)
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Forward for one member: `None` when it does not depend on a spec.
fn forward_member(
    member: &Member,
    root: &Manifest,
    specs: &[Spec],
    facade_dir: &Path,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Migrated>> {
    let mut local = Diagnostics::default();
    let entries = manifest::forward_entries(&member.manifest, root, specs, &mut local);
    if !entries.iter().any(|e| e.spec.is_some()) {
        return Ok(None);
    }
    edition_2015(member, diags);
    let text = if local.has_errors() {
        None
    } else {
        forward_manifest(member, &entries, specs, facade_dir, &mut local)
    };
    diags.extend(local);
    let Some(text) = text else {
        return Ok(Some(Migrated {
            name: member.name.clone(),
            manifest_path: member.manifest.path().to_owned(),
            manifest: member.manifest.file.text().to_owned(),
            sources: Vec::new(),
            paths: 0,
            inherited: Vec::new(),
        }));
    };
    let renames: Vec<Rename> = child_renames(&entries, specs, false);
    let (sources, paths) = forward_sources(member, &renames, facade_dir, diags)?;
    Ok(Some(Migrated {
        name: member.name.clone(),
        manifest_path: member.manifest.path().to_owned(),
        manifest: text,
        sources,
        paths,
        inherited: forward_inherited(&entries, specs),
    }))
}

/// The consumer's migrated manifest; `None`, with an error, when
/// `--reverse` could not restore it byte for byte.
fn forward_manifest(
    member: &Member,
    entries: &[Entry],
    specs: &[Spec],
    facade_dir: &Path,
    diags: &mut Diagnostics,
) -> Option<String> {
    let original = member.manifest.file.text();
    let dir = member.manifest.dir().to_owned();
    let facade_path = |root: &str| relative(&dir, &facade_dir.join(root));
    match manifest::forward_text(&member.manifest, entries, specs, &facade_path) {
        Ok(forward) => Some(forward),
        Err(back) => {
            diags.push(
                Diagnostic::error(format!(
                    "cannot migrate `{}` so that `--reverse` restores it byte for byte",
                    member.name
                ))
                .at(
                    &member.manifest.file,
                    first_difference(original, &back),
                    "this line would not come back",
                )
                .help("move the dependency into `[package.metadata.facade.dependencies]` by hand"),
            );
            None
        }
    }
}

/// The consumer's Rust files migrated forward, and how many paths changed.
fn forward_sources(
    member: &Member,
    renames: &[Rename],
    facade_dir: &Path,
    diags: &mut Diagnostics,
) -> anyhow::Result<(Vec<Change>, usize)> {
    let fmt = format::Rustfmt::new(&member.edition.to_string());
    let mut sources = Vec::new();
    let mut paths = 0;
    for path in rust_files(member.manifest.dir(), facade_dir)? {
        let Some(file) = read_source(&path, diags)? else {
            continue;
        };
        // Files that name the root matter too: `--reverse` would rewrite
        // a `foo::bar` already there.
        if !renames.iter().any(|r| {
            file.text().contains(r.from[0].as_str()) || file.text().contains(r.to[0].as_str())
        }) {
            continue;
        }
        if let Some((change, sites)) = forward_source(member, &path, &file, renames, &fmt, diags) {
            paths += sites;
            sources.push(change);
        }
    }
    Ok((sources, paths))
}

/// One file migrated forward, with its number of paths; `None` when it
/// has none, or (with errors) when it cannot be migrated exactly.
fn forward_source(
    member: &Member,
    path: &Path,
    file: &std::sync::Arc<SourceFile>,
    renames: &[Rename],
    fmt: &format::Rustfmt,
    diags: &mut Diagnostics,
) -> Option<(Change, usize)> {
    let inverse: Vec<Rename> = renames.iter().map(Rename::inverse).collect();
    // What `--reverse` would take for a migrated path is there already.
    if let Ok(existing) = source::rewrite(file.text(), &inverse)
        && let Some(site) = existing.sites.first()
    {
        let spelled = inverse
            .iter()
            .map(|r| r.from.join("::"))
            .collect::<Vec<_>>()
            .join("`, `");
        diags.push(
            Diagnostic::error(format!("`{spelled}` is named in this file already"))
                .at(file, site.clone(), "this path or import")
                .note("`--reverse` could not tell it from a migrated path, so it could not restore the file")
                .help(format!(
                    "write it with the child's own crate name (`{}::…`) and migrate again",
                    renames[0].from[0]
                )),
        );
        return None;
    }
    let forward = match source::rewrite(file.text(), renames) {
        Ok(forward) => forward,
        Err(problems) => {
            push_problems(file, problems, diags);
            return None;
        }
    };
    if forward.sites.is_empty() {
        return None;
    }
    let dir = path.parent().unwrap_or(member.manifest.dir());
    match format::forward(file.text(), forward.text, &inverse, fmt, dir) {
        Ok(text) => Some((rewritten(member, path, file, text), forward.sites.len())),
        Err(back) => {
            push_not_reversible(file, &back, diags);
            None
        }
    }
}

/// The change that writes `text` over a consumer's source `file`.
fn rewritten(member: &Member, path: &Path, file: &SourceFile, text: String) -> Change {
    Change {
        path: path.to_owned(),
        old: Some(file.text().as_bytes().to_vec()),
        action: Action::Write(text),
        owner: Owner::Consumer(member.name.clone()),
    }
}

/// The entries that inherit from the workspace: (name, key, child package).
fn forward_inherited(entries: &[Entry], specs: &[Spec]) -> Vec<(String, String, Option<String>)> {
    entries
        .iter()
        .filter(|e| e.inherited)
        .map(|e| {
            (
                e.name.clone(),
                e.key.clone(),
                e.spec.map(|i| specs[i].package.clone()),
            )
        })
        .collect()
}

/// Reverse for one member: `None` when it declares no spec.
fn reverse_member(
    member: &Member,
    specs: &[Spec],
    facade_dir: &Path,
    returned: &mut Vec<(String, String)>,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Migrated>> {
    let back = manifest::reverse_entries(member.manifest.doc.as_item(), specs);
    if !back.entries.iter().any(|e| e.spec.is_some()) {
        return Ok(None);
    }
    let mut doc = member.manifest.doc.clone().into_mut();
    if let Err(what) = manifest::reverse_doc(&mut doc, &back) {
        diags.push(
            Diagnostic::error(format!(
                "cannot move the declarations of `{}` back: {what}",
                member.name
            ))
            .at(&member.manifest.file, 0..0, "in this manifest")
            .help("remove the entry in the way, then migrate back again"),
        );
    }
    let inherited: Vec<(String, String, Option<String>)> = back
        .entries
        .iter()
        .filter(|e| e.inherited)
        .map(|e| (e.name.clone(), e.key.clone(), None))
        .collect();
    returned.extend(
        inherited
            .iter()
            .map(|(name, key, _)| (name.clone(), key.clone())),
    );
    let renames = child_renames(&back.entries, specs, true);
    let fmt = format::Rustfmt::new(&member.edition.to_string());
    let mut sources = Vec::new();
    let mut paths = 0;
    for path in rust_files(member.manifest.dir(), facade_dir)? {
        let Some(file) = read_source(&path, diags)? else {
            continue;
        };
        if !renames
            .iter()
            .any(|r| file.text().contains(r.from[0].as_str()))
        {
            continue;
        }
        match source::rewrite(file.text(), &renames) {
            Ok(back) if !back.sites.is_empty() => {
                paths += back.sites.len();
                let dir = path.parent().unwrap_or(member.manifest.dir());
                let text = format::reverse(file.text(), back.text, &fmt, dir);
                sources.push(rewritten(member, &path, &file, text));
            }
            Ok(_) => {}
            Err(problems) => push_problems(&file, problems, diags),
        }
    }
    Ok(Some(Migrated {
        name: member.name.clone(),
        manifest_path: member.manifest.path().to_owned(),
        manifest: doc.to_string(),
        sources,
        paths,
        inherited,
    }))
}

/// The source renames of the children among `entries`: the dependency
/// key's extern name ↔ `root::child`.
fn child_renames(entries: &[Entry], specs: &[Spec], reverse: bool) -> Vec<Rename> {
    let mut renames = Vec::new();
    for entry in entries {
        let Some(index) = entry.spec else {
            continue;
        };
        let spec = &specs[index];
        let forward = Rename {
            from: vec![entry.key.replace('-', "_")],
            to: vec![spec.root_ident(), spec.module()],
        };
        let rename = if reverse { forward.inverse() } else { forward };
        if !renames.contains(&rename) {
            renames.push(rename);
        }
    }
    renames
}

/// The byte range of the first line of `a` that differs from `b`.
fn first_difference(a: &str, b: &str) -> std::ops::Range<usize> {
    let mut start = 0;
    for (x, y) in a
        .split_inclusive('\n')
        .zip(b.split_inclusive('\n').chain(std::iter::repeat("")))
    {
        if x != y {
            return start..start + x.trim_end().len();
        }
        start += x.len();
    }
    start..start
}

/// Names the manifest `text` declares with `workspace = true`.
fn inherited_names(text: &str) -> Vec<String> {
    let Ok(doc) = text.parse::<DocumentMut>() else {
        return Vec::new();
    };
    let Some(facade) = get_path(doc.as_item(), &manifest::MIRROR) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for table in real_tables(facade) {
        if let Some(decls) = get_path(facade, &table.real_path()).and_then(Item::as_table_like) {
            for (name, item) in decls.iter() {
                let inherits = item
                    .as_table_like()
                    .and_then(|t| t.get("workspace"))
                    .and_then(Item::as_bool)
                    == Some(true);
                if inherits {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names
}

fn edition_2015(member: &Member, diags: &mut Diagnostics) {
    if member.edition == cargo_metadata::Edition::E2015 {
        diags.push(
            Diagnostic::error(format!(
                "`{}` uses edition 2015, where paths to crates need `extern crate`",
                member.name
            ))
            .note("a facade crate is reached through the extern prelude of edition 2018 and later")
            .help("move the package to a newer edition (`cargo fix --edition`), then migrate"),
        );
    }
}

/// The engine's plan on the edited manifests: its errors (pointing at the
/// files on disk), and the changes `sync` will make on top of the migration.
fn planned_sync(
    options: &Options,
    edited: &BTreeMap<PathBuf, String>,
    diags: &mut Diagnostics,
) -> anyhow::Result<Vec<Change>> {
    let mut local = Diagnostics::default();
    let changes = planned_sync_inner(options, edited, &mut local);
    let originals = changes.as_ref().map(|(_, o)| o);
    for diag in local.items() {
        diags.push(match originals {
            Ok(originals) => originals.map(diag.clone()),
            Err(_) => diag.clone(),
        });
    }
    changes.map(|(changes, _)| changes)
}

fn planned_sync_inner(
    options: &Options,
    edited: &BTreeMap<PathBuf, String>,
    diags: &mut Diagnostics,
) -> anyhow::Result<(Vec<Change>, on_disk::Originals)> {
    let mut originals = on_disk::Originals::default();
    let Some(mut ws) = load::load(options.manifest_path.as_deref(), diags)? else {
        return Ok((Vec::new(), originals));
    };
    for (path, text) in edited {
        let manifest = Manifest {
            file: SourceFile::new(path.clone(), text.clone()),
            doc: toml_edit::Document::parse(text.clone())
                .context("an edited manifest is valid TOML")?,
        };
        // The member's real entries as edited: a dependency that moved into
        // a declaration is no longer a direct one.
        let dependencies = ws.dependencies_of(manifest.doc.as_item(), manifest.dir());
        for member in ws.members.iter_mut().filter(|m| m.manifest_path == *path) {
            member.dependencies = dependencies.clone();
        }
        match ws.manifests.iter().position(|m| m.path() == path) {
            Some(index) => {
                originals.insert(std::sync::Arc::clone(&ws.manifests[index].file));
                ws.manifests[index] = manifest;
            }
            None => {
                let text = fs::read_to_string(path)
                    .with_context(|| format!("failed to read `{}`", path.display()))?;
                originals.insert(SourceFile::new(path.clone(), text));
                ws.manifests.push(manifest);
                let index = ws.manifests.len() - 1;
                for member in ws.members.iter_mut().filter(|m| m.manifest_path == *path) {
                    member.manifest = Some(index);
                }
            }
        }
    }
    let Some(mut plan) = plan::plan(&ws, diags) else {
        return Ok((Vec::new(), originals));
    };
    // RFC 3243's root/child rule, as `sync` checks it.
    let verdicts = crate::conflict::check(&ws, &plan, &options.cargo, None, diags)?;
    if diags.has_errors() {
        return Ok((Vec::new(), originals));
    }
    if let Some(verdicts) = &verdicts {
        crate::commands::elide(&ws, &mut plan, verdicts);
    }
    let mut changes = write::collect_changes(&ws, &plan, diags)?;
    // The verdicts were judged on the sources before their paths are
    // rewritten, so their keys would not hold after: the record is written
    // once the rewrite is on disk (`sync::record_after_migrate`, from
    // `write_all`), and only removed here when nothing is left to record.
    if verdicts.is_some_and(|v| v.is_empty()) && !diags.has_errors() {
        changes.extend(write::record_change(&ws, &plan, &[], diags)?);
    }
    // A manifest that migrate edits was read from disk before the edit.
    for change in &mut changes {
        if edited.contains_key(&change.path) {
            change.old = fs::read(&change.path).ok();
        }
    }
    Ok((changes, originals))
}

/// Every `.rs` file of the package in `dir`: not below `target/`, hidden
/// folders, other packages (folders with a `Cargo.toml`) or the facades.
fn rust_files(dir: &Path, facade_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        let entries = fs::read_dir(&folder)
            .with_context(|| format!("failed to read `{}`", folder.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("failed to read `{}`", folder.display()))?;
            let path = entry.path();
            let kind = entry.file_type()?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if kind.is_dir() {
                let skip = name.starts_with('.')
                    || (folder == dir && name == "target")
                    || path == facade_dir
                    || path.join("Cargo.toml").exists();
                if !skip {
                    stack.push(path);
                }
            } else if kind.is_file() && name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read_source(
    path: &Path,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<std::sync::Arc<SourceFile>>> {
    let bytes = fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(SourceFile::new(path.to_owned(), text))),
        Err(_) => {
            diags.push(
                Diagnostic::error(format!("`{}` is not valid UTF-8", path.display()))
                    .help("Rust sources are UTF-8; re-save the file as UTF-8"),
            );
            Ok(None)
        }
    }
}

fn push_problems(
    file: &std::sync::Arc<SourceFile>,
    problems: Vec<source::Problem>,
    diags: &mut Diagnostics,
) {
    for problem in problems {
        let mut diag = Diagnostic::error(problem.message).at(file, problem.span, problem.label);
        if let Some((span, text)) = problem.related {
            diag = diag.at(file, span, text);
        }
        diags.push(diag.help(problem.help));
    }
}

fn push_not_reversible(file: &std::sync::Arc<SourceFile>, back: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error("migrating this file could not be undone byte for byte")
            .at(
                file,
                first_difference(file.text(), back),
                "`--reverse` would not restore this line",
            )
            .note("cargo-facade refuses a migration it cannot reverse exactly")
            .help("rewrite the paths on this line by hand, then migrate again"),
    );
}
