//! Staging: the package's files copied (lowered where needed) under the
//! target folder, and real cargo run on that copy. The working tree is only
//! read; a run killed at any point leaves its files below
//! `<target-dir>/cargo-facade/package/`, which the next run replaces.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use toml_edit::{Array, DocumentMut, Item, Table, value};

use crate::diagnostic::{Diagnostic, Severity};
use crate::manifest::get_path;

/// The files of a package, relative to its folder, as `cargo package`
/// chooses them before its own `include`/`exclude`: git's tracked and
/// untracked-but-not-ignored files when the package is in a git work tree
/// that does not ignore its manifest, otherwise every file; never `target/` at the top, hidden folders or
/// nested packages (folders with a `Cargo.toml`).
pub fn package_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = match git_files(dir) {
        Some(files) => files,
        None => walk(dir)?,
    };
    files.retain(|rel| {
        let mut ancestors = rel.ancestors().skip(1);
        let top = rel.components().next().map(|c| c.as_os_str().to_owned());
        top.as_deref() != Some(std::ffi::OsStr::new("target"))
            && dir.join(rel).is_file()
            && !ancestors.any(|a| {
                !a.as_os_str().is_empty()
                    && (dir.join(a).join("Cargo.toml").is_file()
                        || a.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.')))
            })
    });
    files.sort();
    files.dedup();
    Ok(files)
}

fn git_files(dir: &Path) -> Option<Vec<PathBuf>> {
    // As cargo does: a package whose manifest git ignores (a workspace laid
    // out under an ignored folder) is walked, not listed by git.
    let ignored = Command::new("git")
        .arg("--no-optional-locks")
        .arg("-C")
        .arg(dir)
        .args(["check-ignore", "-q", "Cargo.toml"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if ignored.success() {
        return None;
    }
    let output = Command::new("git")
        .arg("--no-optional-locks")
        .arg("-C")
        .arg(dir)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(
        text.split('\0')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect(),
    )
}

fn walk(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        let entries = fs::read_dir(&folder)
            .with_context(|| format!("failed to read `{}`", folder.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("failed to read `{}`", folder.display()))?;
            let path = entry.path();
            if path.is_dir() {
                let name = entry.file_name();
                let hidden = name.to_string_lossy().starts_with('.');
                let target = folder == dir && name == "target";
                if !hidden && !target {
                    stack.push(path);
                }
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_owned());
            }
        }
    }
    Ok(out)
}

/// Files of the package that git sees as changed or new, as `cargo
/// package` refuses them without `--allow-dirty`; empty outside git.
pub fn dirty_files(dir: &Path) -> Vec<String> {
    // `--no-optional-locks`: a plain `git status` refreshes `.git/index`,
    // and this command changes nothing, git's files included.
    let Ok(output) = Command::new("git")
        .arg("--no-optional-locks")
        .arg("-C")
        .arg(dir)
        .args([
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ])
        .output()
    else {
        return Vec::new();
    };
    if !output.status.success() {
        return Vec::new();
    }
    String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|entry| entry.len() > 3)
        .map(|entry| entry[3..].to_owned())
        .collect()
}

/// Makes `stage` hold exactly `files` (relative path → bytes). A file whose
/// bytes are already there is not rewritten, so its mtime stays and cargo's
/// verification of an unchanged package is fresh.
pub fn write_stage(stage: &Path, files: &[(PathBuf, Vec<u8>)]) -> anyhow::Result<()> {
    let wanted: std::collections::BTreeSet<&Path> =
        files.iter().map(|(rel, _)| rel.as_path()).collect();
    if stage.is_dir() {
        for rel in walk(stage)? {
            if !wanted.contains(rel.as_path()) {
                let path = stage.join(&rel);
                fs::remove_file(&path)
                    .with_context(|| format!("failed to remove `{}`", path.display()))?;
            }
        }
    }
    for (rel, bytes) in files {
        let path = stage.join(rel);
        if fs::read(&path).is_ok_and(|old| old == *bytes) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    Ok(())
}

/// The root manifest of the staging workspace: the packages being
/// packaged as its members, with the resolver the author's workspace has.
pub fn workspace_manifest<'n>(author_root: &Item, names: impl Iterator<Item = &'n str>) -> String {
    let resolver = get_path(author_root, &["workspace", "resolver"])
        .and_then(Item::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            // Without `resolver`, a root package's edition implies one and
            // a virtual workspace has the first.
            match get_path(author_root, &["package", "edition"]).and_then(Item::as_str) {
                Some("2021") => "2".to_owned(),
                Some(edition) if edition > "2021" => "3".to_owned(),
                _ => "1".to_owned(),
            }
        });
    let mut workspace = Table::new();
    workspace.insert("members", value(names.collect::<Array>()));
    workspace.insert("resolver", value(resolver));
    let mut doc = DocumentMut::new();
    doc.insert("workspace", Item::Table(workspace));
    doc.decor_mut().set_prefix(
        "# The lowered copies of the packages being packaged, staged by cargo-facade.\n",
    );
    doc.to_string()
}

/// One lowered package: its name, its staged copy, the author's folder.
#[derive(Debug, Clone)]
pub struct Staged {
    pub name: String,
    pub stage: PathBuf,
    pub dir: PathBuf,
}

/// What cargo said, with staged paths turned back into the author's.
#[derive(Debug)]
pub struct CargoRun {
    pub success: bool,
    pub stderr: String,
}

/// Runs `command` in the staging workspace at `root` and maps every staged
/// path in its output back to the author's folder; `shown` is how a path of
/// the author's is displayed.
pub fn run_cargo(
    mut command: Command,
    root: &Path,
    packages: &[Staged],
    shown: impl Fn(&Path) -> String,
) -> anyhow::Result<CargoRun> {
    let output = command
        .output()
        .context("failed to run cargo on the lowered package")?;
    let mut stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    // Longest first: `…/package/a-b` before `…/package/a`.
    let mut by_length: Vec<&Staged> = packages.iter().collect();
    by_length.sort_by_key(|p| std::cmp::Reverse(p.stage.as_os_str().len()));
    for package in by_length {
        stderr = stderr.replace(
            &package.stage.display().to_string(),
            &package.dir.display().to_string(),
        );
    }
    Ok(CargoRun {
        success: output.status.success(),
        stderr: authors_paths(&stderr, root, packages, shown),
    })
}

/// rustc names a file relative to the workspace it builds: the staging
/// workspace (`--> a/src/lib.rs:4:5`, `cargo doc`) or the unpacked copy
/// cargo verifies (`--> src/lib.rs:4:5`, of the package last named in a
/// `Compiling`/`Verifying` line). Lowering keeps every line where it was,
/// so the same line of the author's file is the place to show.
fn authors_paths(
    stderr: &str,
    root: &Path,
    packages: &[Staged],
    shown: impl Fn(&Path) -> String,
) -> String {
    let mut out = String::with_capacity(stderr.len());
    let mut current: Option<&Staged> = None;
    for line in stderr.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let mut words = trimmed.split(' ');
        if let (Some("Compiling" | "Verifying" | "Checking" | "Documenting"), Some(name)) =
            (words.next(), words.next())
            && let Some(package) = packages.iter().find(|p| p.name == name)
        {
            current = Some(package);
        }
        let arrow = ["--> ", "::: "].iter().find(|a| trimmed.starts_with(**a));
        let mapped = arrow.and_then(|arrow| {
            let place = &trimmed[arrow.len()..];
            let file = place.split(':').next()?;
            let path = Path::new(file);
            if !path.is_relative() {
                return None;
            }
            let in_stage = packages.iter().find_map(|p| {
                let rest = path.strip_prefix(&p.name).ok()?;
                root.join(path).is_file().then(|| p.dir.join(rest))
            });
            let authors = in_stage.or_else(|| {
                let package = current?;
                package
                    .dir
                    .join(path)
                    .is_file()
                    .then(|| package.dir.join(path))
            })?;
            let indent = &line[..line.len() - trimmed.len()];
            Some(format!(
                "{indent}{arrow}{}{}",
                shown(&authors),
                &place[file.len()..]
            ))
        });
        out.push_str(mapped.as_deref().unwrap_or(line));
    }
    out
}

/// cargo's stderr as our own output: its status lines as status lines, the
/// rest (warnings, errors) as cargo rendered it.
pub fn relay(
    stderr: &str,
    severity: Severity,
    mut status: impl FnMut(&str, &str),
) -> Option<Diagnostic> {
    let mut rest = String::new();
    for line in stderr.lines() {
        let trimmed = line.trim_start();
        // Another cargo holding a lock is no news about this package.
        if trimmed.starts_with("Blocking waiting for file lock") {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let verb_len = trimmed.find(' ').unwrap_or(0);
        if indent > 0
            && indent + verb_len == 12
            && trimmed.starts_with(|c: char| c.is_ascii_uppercase())
        {
            let (verb, message) = trimmed.split_at(verb_len);
            status(verb, message.trim_start());
        } else if !line
            .trim_start()
            .starts_with("Blocking waiting for file lock")
        {
            rest.push_str(line);
            rest.push('\n');
        }
    }
    (!rest.trim().is_empty()).then(|| Diagnostic {
        severity,
        ..Diagnostic::raw(rest.trim_end())
    })
}
