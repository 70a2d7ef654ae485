//! Write: compares rendered bytes with the disk, refuses to touch files that
//! cargo-facade did not generate and to write outside the workspace or
//! through a symlink, writes atomically (temp file + rename in the same
//! folder) and can put every byte — and modification time — back when a
//! later step fails. `sync` applies changes under the workspace lock
//! ([`crate::lock`]).

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context as _;
use toml_edit::Item;

use crate::diagnostic::{Diagnostic, Diagnostics, Label, SourceFile, display_path};
use crate::load::Workspace;
use crate::manifest::get_path;
use crate::marker::is_generated;
use crate::plan::Plan;
use crate::render::{render_consumer, render_facade};

/// The lines git writes around a merge conflict.
const CONFLICT_MARKERS: [&str; 4] = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"];

/// What happens to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Write(String),
    Delete,
}

/// One file that differs from what the plan wants.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: PathBuf,
    /// The bytes on disk before, `None` when the file does not exist.
    pub old: Option<Vec<u8>>,
    pub action: Action,
    /// What the file is, for status lines: `facade foo`, `manifest of app`…
    pub owner: Owner,
}

/// Who a change belongs to, for reporting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Facade(String),
    Consumer(String),
    /// The recorded conflict verdicts (`conflict/record.rs`).
    Verdicts,
}

/// Every change the plan implies, in a stable order. Problems (a file
/// without the generated marker in the way, a symlink) go to `diags`.
pub fn collect_changes(
    ws: &Workspace,
    plan: &Plan,
    diags: &mut Diagnostics,
) -> anyhow::Result<Vec<Change>> {
    let mut changes = Vec::new();
    let mut live_dirs = BTreeSet::new();
    let facade_place = facade_dir_label(ws);
    let mut symlinks = BTreeSet::new();
    for facade in &plan.facades {
        live_dirs.insert(facade.dir.clone());
        for (rel, text) in render_facade(facade) {
            let path = facade.dir.join(rel);
            if !check_confined(&ws.root, &path, &facade_place, &mut symlinks, diags) {
                continue;
            }
            let old = read_optional(&path)?;
            if old.as_deref() == Some(text.as_bytes()) {
                continue;
            }
            if let Some(old) = &old
                && !replaceable(old)
            {
                diags.push(not_generated(&path, old, "overwrite"));
                continue;
            }
            changes.push(Change {
                path,
                old,
                action: Action::Write(text),
                owner: Owner::Facade(facade.id.clone()),
            });
        }
    }
    remove_facades(
        &plan.facade_dir,
        &live_dirs,
        "is no longer declared",
        &mut changes,
        diags,
    )?;
    for consumer in &plan.consumers {
        let manifest = &ws.manifests[consumer.manifest];
        let text = render_consumer(manifest, consumer, plan);
        // The bytes on disk, which differ from the parsed text when `load`
        // resolved a conflict in cargo-facade's own lines.
        let disk = fs::read(manifest.path()).ok();
        let old = disk.unwrap_or_else(|| manifest.file.text().as_bytes().to_vec());
        if text.as_bytes() != old {
            let first_line = manifest.file.text().find('\n').unwrap_or(0);
            let place = Label::new(&manifest.file, 0..first_line, "this manifest");
            if !check_confined(&ws.root, manifest.path(), &place, &mut symlinks, diags) {
                continue;
            }
            changes.push(Change {
                path: manifest.path().to_owned(),
                old: Some(old),
                action: Action::Write(text),
                owner: Owner::Consumer(consumer.name.clone()),
            });
        }
    }
    Ok(changes)
}

/// Deletions of every generated facade folder in `facade_dir` other than
/// `keep`; every file must carry the marker (`why` says why the facade goes).
/// Facades are `<dir>/<root>/<label>`; a `<dir>/<root>` facade of the first
/// releases (one per namespace) goes the same way.
pub fn remove_facades(
    facade_dir: &Path,
    keep: &BTreeSet<PathBuf>,
    why: &str,
    changes: &mut Vec<Change>,
    diags: &mut Diagnostics,
) -> anyhow::Result<()> {
    for dir in facade_folders(facade_dir)? {
        if keep.contains(&dir) {
            continue;
        }
        let manifest = read_optional(&dir.join("Cargo.toml"))?;
        if !manifest.as_deref().is_some_and(replaceable) {
            continue; // not a facade of ours: leave it alone
        }
        let id = crate::paths::relative(facade_dir, &dir);
        for file in own_files(&dir)? {
            if file.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
                let text = String::from_utf8_lossy(manifest.as_deref().unwrap_or_default());
                let first_line = text.find('\n').unwrap_or(0);
                let file_of_facade = SourceFile::new(dir.join("Cargo.toml"), text.into_owned());
                diags.push(
                    Diagnostic::error(format!(
                        "refusing to delete symlink `{}`: cargo-facade did not create it",
                        file.display()
                    ))
                    .at(&file_of_facade, 0..first_line, "in this facade")
                    .note(format!(
                        "facade `{id}` {why}, so its folder `{}` would be removed",
                        dir.display()
                    ))
                    .help("move the symlink out of the facade folder, or delete it"),
                );
                continue;
            }
            let old =
                fs::read(&file).with_context(|| format!("failed to read `{}`", file.display()))?;
            if !replaceable(&old) {
                diags.push(not_generated(&file, &old, "delete").note(format!(
                    "facade `{id}` {why}, so its folder `{}` would be removed",
                    dir.display()
                )));
                continue;
            }
            changes.push(Change {
                path: file,
                old: Some(old),
                action: Action::Delete,
                owner: Owner::Facade(id.clone()),
            });
        }
    }
    Ok(())
}

/// The change `sync` makes to the recorded conflict verdicts
/// (`<facade dir>/verdicts.toml`) so that it holds exactly `entries`:
/// written, removed when there is nothing to record, or nothing.
pub fn record_change(
    ws: &Workspace,
    plan: &Plan,
    entries: &[crate::conflict::Entry],
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Change>> {
    let path = plan.facade_dir.join(crate::conflict::record::FILE);
    let text = crate::conflict::record::render(entries);
    let old = read_optional(&path)?;
    if old.is_none() && text.is_none() || old.as_deref() == text.as_deref().map(str::as_bytes) {
        return Ok(None);
    }
    let place = facade_dir_label(ws);
    if !check_confined(&ws.root, &path, &place, &mut BTreeSet::new(), diags) {
        return Ok(None);
    }
    if let Some(old) = &old
        && !replaceable(old)
    {
        let verb = if text.is_some() {
            "overwrite"
        } else {
            "delete"
        };
        diags.push(not_generated(&path, old, verb));
        return Ok(None);
    }
    let action = match text {
        Some(text) => Action::Write(text),
        None => Action::Delete,
    };
    Ok(Some(Change {
        path,
        old,
        action,
        owner: Owner::Verdicts,
    }))
}

/// The folders one and two levels below `facade_dir` (not through
/// symlinks) that hold a `Cargo.toml`, sorted.
fn facade_folders(facade_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let subdirs = |dir: &Path| -> anyhow::Result<Vec<PathBuf>> {
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut out: Vec<PathBuf> = fs::read_dir(dir)
            .with_context(|| format!("failed to read `{}`", dir.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        out.sort();
        Ok(out)
    };
    let mut out = Vec::new();
    for root in subdirs(facade_dir)? {
        if root.join("Cargo.toml").is_file() {
            out.push(root.clone());
        }
        for facade in subdirs(&root)? {
            if facade.join("Cargo.toml").is_file() {
                out.push(facade);
            }
        }
    }
    Ok(out)
}

/// The files of the package in `dir`: every file below it except those of
/// another package nested in it.
fn own_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)
            .with_context(|| format!("failed to read `{}`", current.display()))?
        {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if !entry.path().join("Cargo.toml").exists() {
                    stack.push(entry.path());
                }
            } else {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether `sync` may overwrite or delete a file: it starts with the
/// `@generated` header — or, for a file mangled by a merge conflict, both
/// sides (ours and theirs) do, so a hand-written side is never clobbered.
pub fn replaceable(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let conflicted = text
        .lines()
        .any(|line| CONFLICT_MARKERS.iter().any(|m| line.starts_with(m)));
    if !conflicted {
        return is_generated(bytes);
    }
    [Side::Ours, Side::Theirs]
        .into_iter()
        .all(|side| is_generated(conflict_side(&text, side).as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    /// A diff3 base, never kept.
    Base,
    Theirs,
}

/// The file as one side of its conflicts wrote it.
fn conflict_side(text: &str, side: Side) -> String {
    let mut out = String::new();
    let mut part: Option<Side> = None;
    for line in text.split_inclusive('\n') {
        let marker = CONFLICT_MARKERS.iter().position(|m| line.starts_with(m));
        match (marker, part) {
            (Some(0), _) => part = Some(Side::Ours),
            (Some(1), Some(_)) => part = Some(Side::Base),
            (Some(2), Some(_)) => part = Some(Side::Theirs),
            (Some(3), Some(_)) => part = None,
            _ if part.is_none_or(|p| p == side) => out.push_str(line),
            _ => {}
        }
    }
    out
}

fn not_generated(path: &Path, old: &[u8], verb: &str) -> Diagnostic {
    let text = String::from_utf8_lossy(old).into_owned();
    let first_line = text.find('\n').unwrap_or(text.len());
    let file = SourceFile::new(path.to_owned(), text);
    Diagnostic::error(format!(
        "refusing to {verb} `{}`: it was not generated by cargo-facade",
        path.display()
    ))
    .at(
        &file,
        0..first_line,
        "no `@generated by cargo-facade` header",
    )
    .note("cargo-facade only overwrites or deletes files that start with its `@generated` header")
    .help("move the file out of the facade folder, or delete it if it is an old copy")
}

/// Whether `path` may be written: inside the workspace root and reached
/// through no symlink, the file itself included (a symlink could lead
/// outside, and renaming over it would replace the link). `place` is the
/// manifest line the diagnostic points at; each symlink is reported once.
fn check_confined(
    root: &Path,
    path: &Path,
    place: &Label,
    reported: &mut BTreeSet<PathBuf>,
    diags: &mut Diagnostics,
) -> bool {
    let rel = match path.strip_prefix(root) {
        Ok(rel) if rel.components().all(|c| matches!(c, Component::Normal(_))) => rel,
        _ => {
            if reported.insert(path.to_owned()) {
                diags.push(
                    Diagnostic::error(format!(
                        "refusing to write `{}` outside the workspace",
                        path.display()
                    ))
                    .label(place.clone())
                    .help("cargo-facade writes only below the workspace root"),
                );
            }
            return false;
        }
    };
    let mut walk = root.to_owned();
    for component in rel.components() {
        walk.push(component);
        if !walk.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
            continue;
        }
        if reported.insert(walk.clone()) {
            let shown = walk.strip_prefix(root).unwrap_or(&walk).display();
            let target = fs::read_link(&walk)
                .map(|t| format!(", which leads to `{}`", t.display()))
                .unwrap_or_default();
            diags.push(
                Diagnostic::error(format!(
                    "refusing to write through symlink `{shown}`{target}"
                ))
                .label(place.clone())
                .note(format!(
                    "cargo-facade writes only inside the workspace and never through a \
                         symlink; it needed to write `{}`",
                    rel.display()
                ))
                .help(format!(
                    "replace the symlink `{shown}` with a real folder or file inside the \
                     workspace"
                )),
            );
        }
        return false;
    }
    true
}

/// The manifest line that decides where facades go: `dir` when it is set,
/// the `[workspace]` header otherwise.
fn facade_dir_label(ws: &Workspace) -> Label {
    let manifest = ws.root_manifest();
    let doc = manifest.doc.as_item();
    if let Some(span) =
        get_path(doc, &["workspace", "metadata", "facade", "dir"]).and_then(Item::span)
    {
        return Label::new(
            &manifest.file,
            span,
            "facades are written below this folder",
        );
    }
    let span = ["workspace", "package"]
        .iter()
        .find_map(|key| doc.get(key).and_then(Item::span))
        .unwrap_or(0..0);
    Label::new(
        &manifest.file,
        span,
        format!(
            "facades are written below `{}` of this workspace (the default `dir`)",
            crate::plan::DEFAULT_DIR
        ),
    )
}

/// The facade packages that `Cargo.lock` lacks, so that `sync` refreshes
/// it even when every file is fresh. An unreadable lock lacks them all; an
/// absent one lacks none (cargo writes it on the next build, and a library
/// may keep it out of version control).
pub fn lock_lacks(ws: &Workspace, plan: &Plan) -> Vec<String> {
    let Ok(text) = fs::read_to_string(&ws.lock_path) else {
        return Vec::new();
    };
    let listed: BTreeSet<String> = toml::from_str::<crate::schema::RawLockFile>(&text)
        .ok()
        .and_then(|lock| lock.package)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.source.is_none())
        .filter_map(|p| p.name)
        .collect();
    plan.facades
        .iter()
        .map(|f| f.package.clone())
        .filter(|package| !listed.contains(package))
        .collect()
}

fn read_optional(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("failed to read `{}`", path.display())),
    }
}

/// Changes applied so far, to undo them if a later step fails.
#[derive(Debug, Default)]
pub struct Applied {
    /// Each change with the modification time its file had before.
    done: Vec<(Change, Option<SystemTime>)>,
    created_dirs: Vec<PathBuf>,
}

/// Applies every change atomically; on an I/O error undoes what was done.
/// Folders below `stop_at` that deletions leave empty are removed.
pub fn apply(changes: &[Change], stop_at: &Path) -> anyhow::Result<Applied> {
    remove_stale_temp_files(changes);
    let mut applied = Applied::default();
    for change in changes {
        let mtime = fs::metadata(&change.path).and_then(|m| m.modified()).ok();
        if let Err(err) = apply_one(change, &mut applied) {
            let _ = applied.rollback();
            return Err(err);
        }
        applied.done.push((change.clone(), mtime));
    }
    // Folders emptied by deletions go too, up to (not including) `stop_at`.
    for change in changes.iter().filter(|c| c.action == Action::Delete) {
        let mut dir = change.path.parent();
        while let Some(d) = dir {
            if d == stop_at || !d.starts_with(stop_at) || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(applied)
}

/// The prefix of the temporary files [`write_atomic`] renames into place.
pub const TEMP_PREFIX: &str = ".cargo-facade-";

/// Temporary files that an interrupted run (killed between writing and
/// renaming) left in the folders this run writes to. `sync` holds the
/// workspace lock, so none of them belongs to a run still going.
fn remove_stale_temp_files(changes: &[Change]) {
    let dirs: BTreeSet<&Path> = changes.iter().filter_map(|c| c.path.parent()).collect();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn apply_one(change: &Change, applied: &mut Applied) -> anyhow::Result<()> {
    match &change.action {
        Action::Write(text) => {
            let parent = change.path.parent().context("a file has a parent folder")?;
            let mut missing = Vec::new();
            let mut dir = Some(parent);
            while let Some(d) = dir {
                if d.exists() {
                    break;
                }
                missing.push(d.to_owned());
                dir = d.parent();
            }
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
            applied.created_dirs.extend(missing.into_iter().rev());
            write_atomic(&change.path, text.as_bytes())
        }
        Action::Delete => fs::remove_file(&change.path)
            .with_context(|| format!("failed to remove `{}`", change.path.display())),
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let parent = path.parent().context("a file has a parent folder")?;
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) {
        anyhow::bail!(
            "refusing to replace symlink `{}` with a file",
            path.display()
        );
    }
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(parent)
        .with_context(|| {
            format!(
                "failed to create a temporary file in `{}`",
                parent.display()
            )
        })?;
    temp.write_all(bytes)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    if let Ok(meta) = fs::metadata(path) {
        let _ = fs::set_permissions(temp.path(), meta.permissions());
    }
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    // No fsync, of the file or its folder: like cargo's own writes. The
    // rename keeps every file whole if the process dies; generated files
    // can be regenerated after a power cut. Per-file fsyncs cost 270–560 ms
    // of a 1000-member cold sync and made it swing with disk load
    // (`cargo xtask bench`).
    Ok(())
}

impl Applied {
    /// Puts back every byte of every file this run changed, and its
    /// modification time, so that cargo sees nothing to rebuild.
    pub fn rollback(self) -> anyhow::Result<()> {
        let mut first_error = None;
        for (change, mtime) in self.done.iter().rev() {
            let saved = Saved {
                path: change.path.clone(),
                bytes: change.old.clone(),
                mtime: *mtime,
            };
            let result = saved.restore();
            if let Err(err) = result {
                first_error.get_or_insert(err);
            }
        }
        for dir in self.created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// A file as it was, to put back exactly: bytes and modification time.
#[derive(Debug, Clone)]
pub struct Saved {
    path: PathBuf,
    /// `None`: the file did not exist.
    bytes: Option<Vec<u8>>,
    mtime: Option<SystemTime>,
}

impl Saved {
    /// Reads the file as it is now.
    pub fn read(path: &Path) -> Saved {
        Saved {
            path: path.to_owned(),
            bytes: fs::read(path).ok(),
            mtime: fs::metadata(path).and_then(|m| m.modified()).ok(),
        }
    }

    /// Puts the file back; writes nothing when its bytes are already those.
    pub fn restore(&self) -> anyhow::Result<()> {
        let path = &self.path;
        let Some(bytes) = &self.bytes else {
            return match fs::remove_file(path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    Err(err).with_context(|| format!("failed to remove `{}`", path.display()))
                }
                _ => Ok(()),
            };
        };
        if fs::read(path).ok().as_ref() != Some(bytes) {
            if let Some(parent) = path.parent() {
                let _ = fs::create_dir_all(parent);
            }
            write_atomic(path, bytes)?;
        }
        if let Some(mtime) = self.mtime
            && fs::metadata(path).and_then(|m| m.modified()).ok() != Some(mtime)
        {
            // Best effort: a read-only file keeps its new time.
            let _ = fs::File::options()
                .write(true)
                .open(path)
                .and_then(|file| file.set_modified(mtime));
        }
        Ok(())
    }
}

/// A unified diff of every change, paths relative to `cwd`.
pub fn unified_diff(changes: &[Change], cwd: &Path) -> String {
    let mut out = String::new();
    for change in changes {
        let path = display_path(&change.path, cwd);
        let old = change
            .old
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let new = match &change.action {
            Action::Write(text) => text.as_str(),
            Action::Delete => "",
        };
        let a = if change.old.is_some() {
            format!("a/{path}")
        } else {
            "/dev/null".to_owned()
        };
        let b = if change.action == Action::Delete {
            "/dev/null".to_owned()
        } else {
            format!("b/{path}")
        };
        let diff = similar::TextDiff::from_lines(old.as_ref(), new);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marker::TOML_HEADER;

    #[test]
    fn a_conflicted_file_is_replaceable_only_when_both_sides_are_generated() {
        let both =
            format!("{TOML_HEADER}[features]\n<<<<<<< HEAD\na = []\n=======\nb = []\n>>>>>>> x\n");
        assert!(replaceable(both.as_bytes()));
        let at_top = format!(
            "<<<<<<< HEAD\n{TOML_HEADER}a = 1\n||||||| base\n[package]\n=======\n{TOML_HEADER}b = 1\n>>>>>>> x\n"
        );
        assert!(replaceable(at_top.as_bytes()));
        let theirs_by_hand =
            format!("<<<<<<< HEAD\n{TOML_HEADER}a = 1\n=======\n[package]\n>>>>>>> x\n");
        assert!(!replaceable(theirs_by_hand.as_bytes()));
        let ours_by_hand = format!("<<<<<<< HEAD\n[package]\n=======\n{TOML_HEADER}\n>>>>>>> x\n");
        assert!(!replaceable(ours_by_hand.as_bytes()));
        assert!(!replaceable(b"[package]\nname = \"x\"\n"));
    }
}
