//! Recorded verdicts: `<facade dir>/verdicts.toml`, written by `sync` beside
//! the facades (generated, deterministic, reviewed like them), so that a
//! fresh clone runs `check` without compiling anything.
//!
//! A verdict is a function of what is already pinned in the tree, and each
//! entry carries exactly that as its [`Key`]:
//! - `probe`: the probe crate itself (the root's and children's
//!   declarations: packages, sources, versions, features; the workspace's
//!   `[profile]`), hashed with path sources relative to the workspace root;
//! - `packages` and `lock`: the registry and git packages the probe compiled
//!   (`name version`) and their sources and checksums in `Cargo.lock`, so a
//!   bump of any of them probes again;
//! - `paths`: the content of every path package the probe compiled (its
//!   files below its folder, without `target/`, hidden entries, nested
//!   packages and the facades), so an edited path root probes again;
//! - `target`: `rustc --print cfg` (with the target and `RUSTFLAGS` of the
//!   environment; those of `.cargo/config.toml` are not read), which
//!   decides `#[cfg]`ed items;
//! - `toolchain`: `rustc -vV`, only where it matters: when a build script or
//!   a proc macro runs in the probe's build (they can make items depend on
//!   the compiler, as `autocfg`, `rustversion` or `version_check` do).
//!   Without them the root's items are a function of its sources, features
//!   and cfg, and name resolution is the language's, not a release's.
//!
//! `target` and `toolchain` describe the machine that probed, not the tree.
//! When they alone differ, the probe runs again, and `sync` keeps the entry
//! as it is if the verdict agrees: a team on several platforms or
//! toolchains does not rewrite the file back and forth.
//!
//! Only clean verdicts are recorded: a conflict stops `sync` before anything
//! is written.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::marker::TOML_HEADER;

/// The record's file name in the facade folder.
pub const FILE: &str = "verdicts.toml";

/// What decides a verdict (see the module header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub probe: String,
    #[serde(default)]
    pub packages: Vec<String>,
    pub lock: String,
    #[serde(default)]
    pub paths: BTreeMap<String, String>,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toolchain: Option<String>,
}

impl Key {
    /// Whether the tree still gives this key, apart from the machine's
    /// `target` and `toolchain`: the same probe, the same locked packages,
    /// the same path sources.
    pub fn tree_current(&self, probe: &str, tree: &Tree) -> bool {
        self.probe == probe
            && tree.lock_current(self)
            && self
                .paths
                .iter()
                .all(|(rel, hash)| tree.content_hash(rel) == *hash)
    }

    /// Whether this machine gives this key's `target` and `toolchain`.
    pub fn machine_current(&self, machine: &mut Machine) -> bool {
        self.target == machine.target()
            && self
                .toolchain
                .as_ref()
                .is_none_or(|toolchain| *toolchain == machine.toolchain())
    }

    /// The same tree (every part but the machine's).
    pub fn same_tree(&self, other: &Key) -> bool {
        self.probe == other.probe
            && self.packages == other.packages
            && self.lock == other.lock
            && self.paths == other.paths
            && self.toolchain.is_some() == other.toolchain.is_some()
    }
}

/// One recorded verdict: no child of `children` is hidden by the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The root's name in the namespace.
    pub root: String,
    /// The root's package and version as cargo resolved them.
    pub package: String,
    pub version: String,
    /// The root's features as cargo resolved them.
    #[serde(default)]
    pub features: Vec<String>,
    /// The children judged (`foo::bar`).
    #[serde(default)]
    pub children: Vec<String>,
    /// The children the root re-exports as themselves (`foo::bar` where
    /// the root has `pub use foo_bar as bar;`), each with the features the
    /// root's own edges turn on in it: a declaration asking for no more
    /// gets nothing from a facade.
    #[serde(default)]
    pub reexported: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(flatten)]
    pub key: Key,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    verdict: Vec<Entry>,
}

/// The entries of the record at `path`; none when it is missing or cannot
/// be read (then every root is probed, and `sync` rewrites it).
pub fn read(path: &Path) -> Vec<Entry> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str::<File>(&text).ok())
        .map(|file| file.verdict)
        .unwrap_or_default()
}

/// The record's bytes: header, then one `[[verdict]]` per entry, sorted by
/// root and probe; `None` when there is nothing to record.
pub fn render(entries: &[Entry]) -> Option<String> {
    if entries.is_empty() {
        return None;
    }
    let mut entries = entries.to_vec();
    entries.sort_by(|a, b| (&a.root, &a.key.probe).cmp(&(&b.root, &b.key.probe)));
    entries.dedup();
    let mut tables = toml_edit::ArrayOfTables::new();
    for entry in &entries {
        let mut table = toml_edit::Table::new();
        table.insert("root", toml_edit::value(&entry.root));
        table.insert("package", toml_edit::value(&entry.package));
        table.insert("version", toml_edit::value(&entry.version));
        table.insert("features", toml_edit::value(array(&entry.features)));
        table.insert("children", toml_edit::value(array(&entry.children)));
        let key = &entry.key;
        table.insert("probe", toml_edit::value(&key.probe));
        table.insert("packages", toml_edit::value(array(&key.packages)));
        table.insert("lock", toml_edit::value(&key.lock));
        table.insert("target", toml_edit::value(&key.target));
        if let Some(toolchain) = &key.toolchain {
            table.insert("toolchain", toml_edit::value(toolchain));
        }
        if !entry.reexported.is_empty() {
            let mut reexported = toml_edit::Table::new();
            for (name, features) in &entry.reexported {
                reexported.insert(name, toml_edit::value(array(features)));
            }
            table.insert("reexported", toml_edit::Item::Table(reexported));
        }
        if !key.paths.is_empty() {
            let mut paths = toml_edit::Table::new();
            for (rel, hash) in &key.paths {
                paths.insert(rel, toml_edit::value(hash));
            }
            table.insert("paths", toml_edit::Item::Table(paths));
        }
        tables.push(table);
    }
    let mut doc = toml_edit::DocumentMut::new();
    doc.insert("verdict", toml_edit::Item::ArrayOfTables(tables));
    Some(format!(
        "{TOML_HEADER}# RFC 3243 conflict verdicts of each root beside its children, reused by\n\
         # `cargo facade check` and `sync` while every part of their key is unchanged.\n\n{doc}"
    ))
}

/// Whether the record `new` only adds verdicts to the record `old` (every
/// entry of `old` is in `new`). `check` does not call the record stale for
/// that: a verdict missing from it costs a probe, never a wrong answer (a
/// root that could not be probed at the last `sync`, say because its
/// children needed the facades that `sync` was writing).
pub fn only_adds(old: &[u8], new: &str) -> bool {
    let parse = |text: &str| toml::from_str::<File>(text).ok().map(|f| f.verdict);
    match (parse(&String::from_utf8_lossy(old)), parse(new)) {
        (Some(old), Some(new)) => old.iter().all(|entry| new.contains(entry)),
        _ => false,
    }
}

/// A TOML array, one value per line when it has more than one.
fn array(values: &[String]) -> toml_edit::Array {
    let mut array = toml_edit::Array::from_iter(values.iter().map(String::as_str));
    if array.len() > 1 {
        for value in array.iter_mut() {
            value.decor_mut().set_prefix("\n    ");
        }
        array.set_trailing("\n");
        array.set_trailing_comma(true);
    }
    array
}

/// What a key is checked against in the tree: `Cargo.lock` and the path
/// packages' files.
#[derive(Debug)]
pub struct Tree {
    root: PathBuf,
    facade_dir: PathBuf,
    lock: Option<LockFile>,
    hashes: RefCell<BTreeMap<String, String>>,
}

impl Tree {
    pub fn new(root: &Path, facade_dir: &Path, lock: &Path) -> Tree {
        Tree {
            root: root.to_owned(),
            facade_dir: facade_dir.to_owned(),
            lock: LockFile::read(lock),
            hashes: RefCell::default(),
        }
    }

    /// The content hash of the package folder `rel` (relative to the
    /// workspace root).
    pub fn content_hash(&self, rel: &str) -> String {
        self.hashes
            .borrow_mut()
            .entry(rel.to_owned())
            .or_insert_with(|| {
                content_hash(
                    &crate::paths::normalize(&self.root.join(rel)),
                    &self.facade_dir,
                )
            })
            .clone()
    }

    /// The [`stat_hash`] of the package folder `rel`.
    pub fn stat_hash(&self, rel: &str) -> String {
        stat_hash(
            &crate::paths::normalize(&self.root.join(rel)),
            &self.facade_dir,
        )
    }

    /// Whether `Cargo.lock` still holds `key`'s packages as they were.
    pub fn lock_current(&self, key: &Key) -> bool {
        self.lock
            .as_ref()
            .is_some_and(|lock| lock.hash_of(&key.packages).as_deref() == Some(&key.lock))
    }

    /// The key's `paths` entry of an absolute package folder.
    pub fn path_entry(&self, dir: &Path) -> (String, String) {
        let rel = crate::paths::relative(&self.root, dir);
        let rel = if rel.is_empty() { ".".to_owned() } else { rel };
        let hash = self.content_hash(&rel);
        (rel, hash)
    }
}

/// The packages of a `Cargo.lock`: `name version` → their sources and
/// checksums.
#[derive(Debug, Default)]
pub struct LockFile {
    packages: BTreeMap<String, Vec<String>>,
}

impl LockFile {
    pub fn read(path: &Path) -> Option<LockFile> {
        let text = std::fs::read_to_string(path).ok()?;
        let lock: toml::Table = text.parse().ok()?;
        let mut packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for package in lock.get("package")?.as_array()? {
            let field = |key: &str| package.get(key).and_then(|v| v.as_str()).unwrap_or("");
            packages
                .entry(format!("{} {}", field("name"), field("version")))
                .or_default()
                .push(format!("{} {}", field("source"), field("checksum")));
        }
        for sources in packages.values_mut() {
            sources.sort();
        }
        Some(LockFile { packages })
    }

    /// The hash of the sources and checksums of `packages` (`name
    /// version`), `None` when one is missing.
    pub fn hash_of(&self, packages: &[String]) -> Option<String> {
        let mut bytes = Vec::new();
        for package in packages {
            bytes.extend_from_slice(package.as_bytes());
            for source in self.packages.get(package)? {
                bytes.push(0xfe);
                bytes.extend_from_slice(source.as_bytes());
            }
            bytes.push(0xff);
        }
        Some(hex(crate::plan::fnv1a(&bytes)))
    }
}

/// The machine's part of a key, asked of rustc once, when first needed.
#[derive(Debug)]
pub struct Machine {
    root: PathBuf,
    target: Option<String>,
    toolchain: Option<String>,
}

impl Machine {
    pub fn new(root: &Path) -> Machine {
        Machine {
            root: root.to_owned(),
            target: None,
            toolchain: None,
        }
    }

    /// `rustc --print cfg`, with the target and flags cargo takes from the
    /// environment (`CARGO_BUILD_TARGET`, `CARGO_ENCODED_RUSTFLAGS`,
    /// `RUSTFLAGS`), hashed.
    pub fn target(&mut self) -> String {
        let root = &self.root;
        self.target
            .get_or_insert_with(|| {
                let mut args = vec!["--print".to_owned(), "cfg".to_owned()];
                if let Ok(target) = std::env::var("CARGO_BUILD_TARGET") {
                    args.extend(["--target".to_owned(), target]);
                }
                if let Ok(flags) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
                    args.extend(
                        flags
                            .split('\x1f')
                            .filter(|f| !f.is_empty())
                            .map(str::to_owned),
                    );
                } else if let Ok(flags) = std::env::var("RUSTFLAGS") {
                    args.extend(flags.split_whitespace().map(str::to_owned));
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                hex(crate::plan::fnv1a(&rustc(root, &args)))
            })
            .clone()
    }

    /// `rustc -vV`, hashed.
    pub fn toolchain(&mut self) -> String {
        let root = &self.root;
        self.toolchain
            .get_or_insert_with(|| hex(crate::plan::fnv1a(&rustc(root, &["-vV"]))))
            .clone()
    }
}

/// The standard output of `rustc <args>` (`RUSTC` if set, as cargo runs
/// it), run in the workspace root so that a `rust-toolchain` file applies.
fn rustc(root: &Path, args: &[&str]) -> Vec<u8> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .args(args)
        .current_dir(root)
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default()
}

/// The files of a package folder that its key covers: every file below
/// it without `target/`, hidden entries, nested packages (folders with a
/// `Cargo.toml`), the facade folder and `Cargo.lock` (keyed on its own),
/// sorted.
fn package_files(dir: &Path, facade_dir: &Path) -> Vec<(PathBuf, std::fs::Metadata)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in read.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                let nested = path.join("Cargo.toml").is_file();
                if name != "target" && !nested && path != facade_dir {
                    stack.push(path);
                }
            } else if !(folder == dir && name == "Cargo.lock") {
                files.push((path, meta));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// The content of a package folder: each file's relative path and bytes.
fn content_hash(dir: &Path, facade_dir: &Path) -> String {
    let mut bytes = Vec::new();
    for (file, _) in package_files(dir, facade_dir) {
        bytes.extend_from_slice(crate::paths::relative(dir, &file).as_bytes());
        bytes.push(0xff);
        bytes.extend_from_slice(&std::fs::read(&file).unwrap_or_default());
        bytes.push(0xff);
    }
    hex(crate::plan::fnv1a(&bytes))
}

/// The same files' paths, sizes and modification times: what this
/// machine's cache checks instead of reading every byte (a no-op run stays
/// as cheap as a `stat` per file).
fn stat_hash(dir: &Path, facade_dir: &Path) -> String {
    let mut text = String::new();
    for (file, meta) in package_files(dir, facade_dir) {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        text.push_str(&format!(
            "{}\u{1f}{}\u{1f}{mtime}\n",
            file.display(),
            meta.len()
        ));
    }
    hex(crate::plan::fnv1a(text.as_bytes()))
}

pub fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(root: &str, probe: &str) -> Entry {
        Entry {
            root: root.to_owned(),
            package: root.to_owned(),
            version: "1.0.0".to_owned(),
            features: vec!["default".to_owned(), "std".to_owned()],
            children: vec![format!("{root}::bar")],
            reexported: BTreeMap::from([(format!("{root}::bar"), vec!["std".to_owned()])]),
            key: Key {
                probe: probe.to_owned(),
                packages: vec!["memchr 2.7.4".to_owned()],
                lock: "00".to_owned(),
                paths: BTreeMap::from([("crates/foo".to_owned(), "11".to_owned())]),
                target: "22".to_owned(),
                toolchain: None,
            },
        }
    }

    /// A bumped, re-sourced or missing package changes the lock's part of
    /// the key; packages outside the key do not.
    #[test]
    fn lock_hash_covers_versions_sources_and_checksums() {
        let dir = tempfile::tempdir().unwrap();
        let lock = |text: &str| {
            let path = dir.path().join("Cargo.lock");
            std::fs::write(&path, text).unwrap();
            LockFile::read(&path).unwrap()
        };
        let entry = |name: &str, version: &str, checksum: &str| {
            format!(
                "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+x\"\nchecksum = \"{checksum}\"\n"
            )
        };
        let packages = ["memchr 2.7.4".to_owned()];
        let base = lock(&entry("memchr", "2.7.4", "aa")).hash_of(&packages);
        assert!(base.is_some());
        let other = format!(
            "{}{}",
            entry("memchr", "2.7.4", "aa"),
            entry("log", "0.4.0", "bb")
        );
        assert_eq!(lock(&other).hash_of(&packages), base);
        assert_ne!(
            lock(&entry("memchr", "2.7.4", "ab")).hash_of(&packages),
            base
        );
        assert_eq!(
            lock(&entry("memchr", "2.7.5", "aa")).hash_of(&packages),
            None
        );
    }

    #[test]
    fn record_round_trips_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let entries = [entry("foo", "b"), entry("foo", "a"), entry("bar", "c")];
        let text = render(&entries).unwrap();
        assert!(text.starts_with(TOML_HEADER));
        let path = dir.path().join(FILE);
        std::fs::write(&path, &text).unwrap();
        let read = read(&path);
        let order: Vec<_> = read.iter().map(|e| e.key.probe.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"]);
        assert_eq!(render(&read).unwrap(), text);
        assert_eq!(render(&[]), None);
    }
}
