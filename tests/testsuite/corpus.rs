//! The bad-input corpus: every folder of `tests/cases/corpus/` is one bad
//! input, run end to end with the real binary on a copy of the shared
//! workspace `tests/cases/corpus-base/in` (synced first, unless the case
//! says otherwise).
//!
//! A case folder holds `case.toml` (what to change in the base), optionally
//! `in/` (files laid over the base) and `outside/` (files put in the
//! sentinel folder outside the workspace), and `stderr.txt`, the expected
//! error output (`SNAPSHOTS=overwrite` rewrites it). Every case must exit 2,
//! name a file and line (`--> path:line:col`), say how to fix it (`help:`),
//! and leave every byte, mtime and symlink of the workspace — and of the
//! sentinel folder outside it — as it was. All failing cases are reported
//! together.

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use serde::Deserialize;

use crate::support::{Fixture, Run, cases_dir, copy_dir};

/// What a case changes in the base workspace, in this order: `in/` is laid
/// over it, `remove` deletes, `move` moves out, `edit` rewrites text,
/// `symlink` links.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CaseSpec {
    /// One sentence: the bad input.
    about: String,
    #[serde(default)]
    base: Base,
    /// The `cargo facade` arguments.
    #[serde(default = "sync_args")]
    args: Vec<String>,
    /// Paths (files or folders) to delete.
    #[serde(default)]
    remove: Vec<String>,
    /// Path → where to move it; `{outside}` is the sentinel folder.
    #[serde(default, rename = "move")]
    move_out: BTreeMap<String, String>,
    #[serde(default)]
    edit: Vec<Edit>,
    /// Link path → target; `{outside}` in the target is the sentinel folder.
    #[serde(default)]
    symlink: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Base {
    /// The base after a successful `sync`: facades, managed entries, lock.
    #[default]
    Synced,
    /// The base as written, never synced.
    Raw,
}

/// Replaces the one occurrence of `find` (or appends `append`) in `file`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    find: Option<String>,
    replace: Option<String>,
    append: Option<String>,
}

fn sync_args() -> Vec<String> {
    vec!["sync".to_owned()]
}

#[test]
fn every_bad_input_changes_nothing_and_says_where_and_how() {
    let root = cases_dir().join("corpus");
    let mut names: Vec<String> = fs::read_dir(&root)
        .expect("tests/cases/corpus")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 40, "the corpus has {} cases", names.len());

    let raw = Fixture::empty();
    copy_dir(&cases_dir().join("corpus-base/in"), raw.path());
    let synced = Fixture::empty();
    copy_dir(raw.path(), synced.path());
    synced.facade(&["sync", "-q"]).assert_code(0);

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let problems = run_case(&root.join(name), raw.path(), synced.path());
                    if !problems.is_empty() {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("case `{name}`:\n  {}", problems.join("\n  ")));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
}

/// Runs one case; the problems found, empty when it passes.
fn run_case(dir: &Path, raw: &Path, synced: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let spec: CaseSpec = match fs::read_to_string(dir.join("case.toml"))
        .map_err(|e| e.to_string())
        .and_then(|text| toml::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(spec) => spec,
        Err(err) => return vec![format!("bad case.toml: {err}")],
    };
    if spec.about.trim().is_empty() {
        problems.push("case.toml: `about` is empty".to_owned());
    }
    if (!spec.symlink.is_empty() || !spec.move_out.is_empty()) && !cfg!(unix) {
        return problems; // symlink cases need a Unix file system
    }

    let ws = Fixture::empty();
    let outside = tempfile::Builder::new()
        .prefix("cargo-facade-outside-")
        .tempdir()
        .unwrap();
    let outside_path = outside.path().to_owned();
    copy_dir(
        match spec.base {
            Base::Synced => synced,
            Base::Raw => raw,
        },
        ws.path(),
    );
    let _ = fs::remove_dir_all(ws.path().join("target"));
    fs::write(outside_path.join("sentinel.txt"), "outside the workspace\n").unwrap();
    if dir.join("in").is_dir() {
        copy_dir(&dir.join("in"), ws.path());
    }
    if dir.join("outside").is_dir() {
        copy_dir(&dir.join("outside"), &outside_path);
    }
    if let Err(err) = prepare(&spec, ws.path(), &outside_path) {
        return vec![format!("cannot prepare the case: {err}")];
    }

    let before = tree(ws.path());
    let outside_before = tree(&outside_path);
    let args: Vec<&str> = spec.args.iter().map(String::as_str).collect();
    let run = ws.facade(&args);
    let stderr = redact_outside(&run, &outside_path);

    if run.code != 2 {
        problems.push(format!("exit code {} (expected 2)", run.code));
    }
    if stderr.contains("panicked at") {
        problems.push("the binary panicked".to_owned());
    }
    if !names_a_line(&stderr) {
        problems.push("no `--> file:line:column` in the error".to_owned());
    }
    if !stderr.contains("help:") {
        problems.push("no `help:` in the error".to_owned());
    }
    problems.extend(differences("workspace", &before, &tree(ws.path())));
    problems.extend(differences(
        "folder outside the workspace",
        &outside_before,
        &tree(&outside_path),
    ));
    // Raw: no wildcards, and `\` stays `\` (names with quotes, Windows paths).
    let expected = snapbox::Data::read_from(&dir.join("stderr.txt"), None).raw();
    if let Err(err) = snapbox::Assert::new().action_env("SNAPSHOTS").try_eq(
        Some(&"stderr"),
        snapbox::Data::text(stderr.clone()),
        expected,
    ) {
        problems.push(format!("stderr differs from `stderr.txt`:\n{err}"));
    }
    if !problems.is_empty() {
        problems.push(format!("--- stderr\n{stderr}"));
    }
    problems
}

/// Applies `remove`, `edit` and `symlink`.
fn prepare(spec: &CaseSpec, ws: &Path, outside: &Path) -> Result<(), String> {
    for rel in &spec.remove {
        let path = ws.join(rel);
        let result = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        result.map_err(|e| format!("remove `{rel}`: {e}"))?;
    }
    for (from, to) in &spec.move_out {
        let to = PathBuf::from(to.replace("{outside}", &outside.display().to_string()));
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::rename(ws.join(from), &to).map_err(|e| format!("move `{from}`: {e}"))?;
    }
    for edit in &spec.edit {
        let path = ws.join(&edit.file);
        let text = fs::read_to_string(&path).map_err(|e| format!("read `{}`: {e}", edit.file))?;
        let text = match (&edit.find, &edit.replace, &edit.append) {
            (Some(find), Some(replace), None) => {
                if text.matches(find.as_str()).count() != 1 {
                    return Err(format!("`{find}` is not in `{}` exactly once", edit.file));
                }
                text.replacen(find.as_str(), replace, 1)
            }
            (None, None, Some(append)) => text + append,
            _ => return Err("an edit has `find` and `replace`, or `append`".to_owned()),
        };
        fs::write(&path, text).map_err(|e| format!("write `{}`: {e}", edit.file))?;
    }
    for (link, target) in &spec.symlink {
        let target = target.replace("{outside}", &outside.display().to_string());
        let path = ws.join(link);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(Path::new(&target), &path).map_err(|e| format!("symlink `{link}`: {e}"))?;
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("symlinks are tested on Unix only"))
}

fn redact_outside(run: &Run, outside: &Path) -> String {
    let canonical = outside
        .canonicalize()
        .unwrap_or_else(|_| outside.to_owned());
    run.stderr
        .replace(&canonical.display().to_string(), "[OUTSIDE]")
        .replace(&outside.display().to_string(), "[OUTSIDE]")
}

/// Whether an error points at a line of a file, as `--> app/Cargo.toml:7:1`.
fn names_a_line(stderr: &str) -> bool {
    stderr.lines().any(|line| {
        let Some(place) = line.trim_start().strip_prefix("--> ") else {
            return false;
        };
        let mut parts = place.rsplitn(3, ':');
        let (Some(column), Some(line), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        [column, line]
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && !path.is_empty()
            && !path.starts_with('/')
    })
}

/// One entry of a folder, as it matters for "nothing changed".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entry {
    File { bytes: Vec<u8>, mtime: SystemTime },
    Dir,
    Symlink(PathBuf),
}

/// Every entry below `root` (not following symlinks), without `target/`.
pub fn tree(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_owned();
            if rel == Path::new("target") {
                continue;
            }
            let meta = fs::symlink_metadata(&path).unwrap();
            let entry = if meta.is_symlink() {
                Entry::Symlink(fs::read_link(&path).unwrap())
            } else if meta.is_dir() {
                stack.push(path);
                Entry::Dir
            } else {
                Entry::File {
                    bytes: fs::read(&path).unwrap(),
                    mtime: meta.modified().unwrap(),
                }
            };
            out.insert(rel, entry);
        }
    }
    out
}

/// A digest of a whole tree.
pub fn tree_hash(tree: &BTreeMap<PathBuf, Entry>) -> u64 {
    let mut hasher = DefaultHasher::new();
    tree.hash(&mut hasher);
    hasher.finish()
}

/// What differs between two trees, one line per path.
pub fn differences(
    what: &str,
    before: &BTreeMap<PathBuf, Entry>,
    after: &BTreeMap<PathBuf, Entry>,
) -> Vec<String> {
    if tree_hash(before) == tree_hash(after) && before == after {
        return Vec::new();
    }
    let mut out = vec![format!(
        "the {what} changed (tree hash {:016x} → {:016x})",
        tree_hash(before),
        tree_hash(after)
    )];
    for (path, entry) in before {
        match after.get(path) {
            None => out.push(format!("  removed `{}`", path.display())),
            Some(now) if now != entry => {
                let how = match (entry, now) {
                    (Entry::File { bytes: a, .. }, Entry::File { bytes: b, .. }) if a == b => {
                        "rewritten with the same bytes (mtime changed)"
                    }
                    _ => "changed",
                };
                out.push(format!("  {how} `{}`", path.display()));
            }
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("  added `{}`", path.display()));
    }
    out
}
