//! The compiler-backed half of the conflict rule: a scratch crate, the
//! *probe*, that imports the root's items and the children the way a facade
//! does, checked by the real compiler against the root's sources wherever
//! cargo put them (path, registry, git), with the features cargo resolves.
//!
//! The probe lives in `<workspace root>/target/cargo-facade/probe/<root>-<key>`
//! (its own `[workspace]`, a copy of the user's `Cargo.lock` so versions
//! match; cargo runs from the workspace root so the user's `.cargo/config.toml`
//! and source replacement apply). Its `lib.rs` glob-imports `::root::*` and a
//! module of the children side by side and names each child as the path
//! prefix `self::<child>::{self as _}`, which rustc resolves in the type
//! namespace only (where a module lives): the compiler reports "`<child>` is
//! ambiguous" exactly when the root has its own item of that name in the
//! type namespace — plain, `#[cfg]`-enabled, made by a macro, or brought by a
//! glob — and not when the root re-exports the child crate itself, nor for a
//! root function or macro of that name (`#[foo::test]` beside
//! `foo::test::f`). `self::` keeps the extern prelude out, so children named
//! `core` or `std` are no false alarm.
//!
//! A verdict is cached next to the probe, keyed by the probe's bytes and the
//! toolchain; it stays valid while the registry/git packages it resolved are
//! still in the user's `Cargo.lock` and the files of the path packages it
//! compiled have the same sizes and mtimes. A no-op `sync` or `check` reads
//! one small JSON file per probe.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::CargoOptions;
use crate::manifest::Source;
use crate::name::module_ident;
use crate::plan::Spec;

/// The probe folder below the workspace root.
pub const PROBE_DIR: &str = "target/cargo-facade/probe";

/// Bumped when the probe's shape or the verdict's format changes.
const PROBE_VERSION: &str = "1";

/// The package name of every probe, before its hash.
const PROBE_PACKAGE: &str = "cargo-facade-probe";

/// The dependency key of the root in the probe's manifest.
const ROOT_KEY: &str = "facade_probe_root";

/// The dependency key of each child in the probe's manifest, before its index.
const CHILD_KEY: &str = "facade_probe_child";

/// One probe: a root with the children one consumer declares beside it.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The root's name in the namespace (`foo`).
    pub root: String,
    pub manifest: String,
    pub lib: String,
}

/// What the compiler said about one probe.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verdict {
    pub root_package: String,
    pub root_version: String,
    /// The root's `lib.rs` where cargo put it.
    pub root_lib: PathBuf,
    /// The root's features as cargo resolved them.
    pub root_features: Vec<String>,
    /// Child modules the root also makes (the compiler's ambiguities).
    pub ambiguous: Vec<String>,
    /// The root's own dependencies as resolved: (package, version). A root
    /// that re-exports another version of a child shows here.
    #[serde(default)]
    pub root_deps: Vec<(String, String)>,
    /// The declared children as resolved: (package, version).
    #[serde(default)]
    pub children: Vec<(String, String)>,
    /// Registry and git packages of the resolve: (name, version, source).
    locked: Vec<(String, String, String)>,
    /// Path packages of the resolve and the fingerprint of their files.
    paths: Vec<(PathBuf, u64)>,
}

/// A probe judged, could not be built (cargo's words), or could not be
/// resolved (the declarations themselves are wrong).
#[derive(Debug)]
pub enum Outcome {
    Judged(Verdict),
    Failed(String),
    Unresolved,
}

impl Probe {
    /// The probe of root `root` (declared with `root_spec`) and `children`
    /// (`(child segment, spec)`).
    pub fn new(root: &str, root_spec: &Spec, children: &[(&str, &Spec)]) -> Probe {
        let mut deps = toml_edit::Table::new();
        deps.insert(ROOT_KEY, dependency(root_spec));
        for (index, (_, spec)) in children.iter().enumerate() {
            deps.insert(&child_key(index), dependency(spec));
        }
        let modules: Vec<_> = children
            .iter()
            .map(|(name, _)| module_ident(name))
            .collect();
        // Named by its inputs: probes share one target folder, where cargo
        // tells path packages apart by name, not by folder.
        let names: Vec<String> = modules.iter().map(ToString::to_string).collect();
        let id = fnv(&[deps.to_string().as_bytes(), names.join(",").as_bytes()]);
        let mut doc = toml_edit::DocumentMut::new();
        let mut package = toml_edit::Table::new();
        package.insert(
            "name",
            toml_edit::value(format!("{PROBE_PACKAGE}-{id:016x}")),
        );
        package.insert("version", toml_edit::value("0.0.0"));
        package.insert("edition", toml_edit::value("2021"));
        package.insert("publish", toml_edit::value(false));
        doc.insert("package", toml_edit::Item::Table(package));
        doc.insert("workspace", toml_edit::Item::Table(toml_edit::Table::new()));
        doc.insert("dependencies", toml_edit::Item::Table(deps));

        let root_crate = quote::format_ident!("{ROOT_KEY}");
        let crates: Vec<_> = (0..children.len())
            .map(|index| quote::format_ident!("{}", child_key(index)))
            .collect();
        let tokens = quote::quote! {
            #![no_std]
            #![allow(unused_imports)]
            #![deny(ambiguous_glob_imports)]
            mod __children {
                #( pub use ::#crates as #modules; )*
            }
            mod __probe {
                use ::#root_crate::*;
                use super::__children::*;
                #( use self::#modules::{self as _}; )*
            }
        };
        let file = syn::parse2(tokens).expect("the probe is valid Rust");
        Probe {
            root: root.to_owned(),
            manifest: doc.to_string(),
            lib: prettyplease::unparse(&file),
        }
    }

    /// The folder of this probe, named by its inputs.
    pub fn dir(&self, ws_root: &Path, toolchain: &str) -> PathBuf {
        let key = fnv(&[
            PROBE_VERSION.as_bytes(),
            self.manifest.as_bytes(),
            self.lib.as_bytes(),
            toolchain.as_bytes(),
        ]);
        ws_root
            .join(PROBE_DIR)
            .join(format!("{}-{key:016x}", self.root))
    }
}

fn child_key(index: usize) -> String {
    format!("{CHILD_KEY}{index}")
}

/// A probe dependency: the declaration's package, source, version and features.
fn dependency(spec: &Spec) -> toml_edit::Item {
    let mut table = toml_edit::InlineTable::new();
    table.insert("package", spec.package.as_str().into());
    crate::manifest::insert_source(&mut table, &spec.source, |dir| dir.display().to_string());
    match (&spec.version, &spec.source) {
        (Some(version), _) => {
            table.insert("version", version.as_str().into());
        }
        (None, Source::Registry { .. }) => {
            table.insert("version", "*".into());
        }
        _ => {}
    }
    if !spec.features.is_empty() {
        table.insert(
            "features",
            toml_edit::Array::from_iter(spec.features.iter().map(String::as_str)).into(),
        );
    }
    if !spec.default_features {
        table.insert("default-features", false.into());
    }
    toml_edit::value(table)
}

/// The toolchain's identity without running it (a `rustc -vV` would cost
/// a no-op `sync` as much as the rest of it): what selects the toolchain
/// (`RUSTC`, `RUSTUP_TOOLCHAIN`, a `rust-toolchain` file, rustup's default)
/// and the size and mtime of `rustc` and of rustup's toolchain folder, which
/// an install or update changes.
pub fn toolchain(ws_root: &Path) -> String {
    let stat = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    };
    let mut parts = Vec::new();
    for var in [
        "RUSTC",
        "RUSTUP_TOOLCHAIN",
        "RUSTC_WRAPPER",
        "CARGO_BUILD_TARGET",
    ] {
        parts.push(format!("{var}={:?}", std::env::var_os(var)));
    }
    for file in ["rust-toolchain", "rust-toolchain.toml"] {
        parts.push(format!(
            "{file}={:?}",
            std::fs::read(ws_root.join(file)).ok()
        ));
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(&rustc))
            .find(|candidate| candidate.is_file())
    });
    parts.push(format!(
        "rustc={on_path:?} {:?}",
        on_path.as_deref().map(stat)
    ));
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".rustup")));
    if let Some(home) = rustup_home {
        for entry in ["settings.toml", "toolchains"] {
            parts.push(format!("{entry}={:?}", stat(&home.join(entry))));
        }
    }
    parts.join("\n")
}

/// The target's cfg (`rustc --print cfg`), for evaluating `#[cfg]`.
pub fn target_cfg(ws_root: &Path) -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .args(["--print", "cfg"])
        .current_dir(ws_root)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// The cached verdict of the probe in `dir`, if its inputs are unchanged.
pub fn cached(dir: &Path, lock: Option<&LockIndex>) -> Option<Verdict> {
    let text = std::fs::read_to_string(dir.join("verdict.json")).ok()?;
    let verdict: Verdict = serde_json::from_str(&text).ok()?;
    // Without a user `Cargo.lock` both runs resolved afresh.
    let locked_ok = lock.is_none_or(|lock| {
        verdict
            .locked
            .iter()
            .all(|(name, version, source)| lock.contains(name, version, source))
    });
    let paths_ok = verdict
        .paths
        .iter()
        .all(|(dir, print)| fingerprint(dir) == *print);
    (locked_ok && paths_ok).then_some(verdict)
}

/// The registry and git packages of a `Cargo.lock`.
#[derive(Debug, Default)]
pub struct LockIndex {
    packages: std::collections::BTreeSet<(String, String, String)>,
}

impl LockIndex {
    pub fn read(path: &Path) -> Option<LockIndex> {
        let text = std::fs::read_to_string(path).ok()?;
        let lock: toml::Table = text.parse().ok()?;
        let mut packages = std::collections::BTreeSet::new();
        for package in lock.get("package")?.as_array()? {
            let field = |key: &str| package.get(key).and_then(|v| v.as_str());
            if let (Some(name), Some(version), Some(source)) =
                (field("name"), field("version"), field("source"))
            {
                packages.insert((name.to_owned(), version.to_owned(), source.to_owned()));
            }
        }
        Some(LockIndex { packages })
    }

    fn contains(&self, name: &str, version: &str, source: &str) -> bool {
        self.packages
            .contains(&(name.to_owned(), version.to_owned(), source.to_owned()))
    }
}

/// Writes the probe into `dir` and asks cargo: `cargo metadata` for the
/// root's resolved package and features, `cargo check` for the verdict,
/// which is cached on success.
pub fn run(
    probe: &Probe,
    dir: &Path,
    ws_root: &Path,
    lock_path: &Path,
    cargo: &CargoOptions,
) -> anyhow::Result<Outcome> {
    write_probe(probe, dir, lock_path)?;
    let manifest = dir.join("Cargo.toml");
    let target = ws_root.join(PROBE_DIR).join("target");
    let cargo_in = |args: &[&str]| {
        let mut command = crate::cargo::cargo_command(cargo);
        command
            .args(args)
            .arg("--manifest-path")
            .arg(&manifest)
            .current_dir(ws_root)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("CARGO_TERM_COLOR");
        if cargo.offline || cargo.frozen {
            command.arg("--offline");
        }
        command
    };

    let output = cargo_in(&["metadata", "--format-version", "1"])
        .output()
        .context("failed to run `cargo metadata` on the conflict probe")?;
    if !output.status.success() {
        return Ok(Outcome::Unresolved);
    }
    let metadata = cargo_metadata::MetadataCommand::parse(
        std::str::from_utf8(&output.stdout).context("`cargo metadata` printed invalid UTF-8")?,
    )
    .context("failed to parse `cargo metadata` output")?;
    let resolved = resolved_root(&metadata)?;

    let output = cargo_in(&["check", "--lib", "--message-format=json"])
        .output()
        .context("failed to run `cargo check` on the conflict probe")?;
    let (ambiguous, errors) = ambiguities(&String::from_utf8_lossy(&output.stdout));
    if !output.status.success() && ambiguous.is_empty() {
        let text = if errors.is_empty() {
            String::from_utf8_lossy(&output.stderr).into_owned()
        } else {
            errors.join("\n")
        };
        return Ok(Outcome::Failed(text));
    }
    let verdict = Verdict {
        ambiguous,
        ..resolved
    };
    std::fs::write(
        dir.join("verdict.json"),
        serde_json::to_string_pretty(&verdict)?,
    )
    .with_context(|| format!("failed to write `{}/verdict.json`", dir.display()))?;
    Ok(Outcome::Judged(verdict))
}

/// Writes the probe crate and a copy of the workspace's `Cargo.lock` (so
/// that it resolves the versions the workspace uses); drops an old verdict.
fn write_probe(probe: &Probe, dir: &Path, lock_path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("src"))
        .with_context(|| format!("failed to create `{}`", dir.display()))?;
    std::fs::write(dir.join("Cargo.toml"), &probe.manifest)
        .with_context(|| format!("failed to write `{}/Cargo.toml`", dir.display()))?;
    std::fs::write(dir.join("src/lib.rs"), &probe.lib)
        .with_context(|| format!("failed to write `{}/src/lib.rs`", dir.display()))?;
    let probe_lock = dir.join("Cargo.lock");
    match std::fs::read(lock_path) {
        Ok(bytes) => std::fs::write(&probe_lock, bytes)
            .with_context(|| format!("failed to write `{}`", probe_lock.display()))?,
        Err(_) => {
            let _ = std::fs::remove_file(&probe_lock);
        }
    }
    let _ = std::fs::remove_file(dir.join("verdict.json"));
    Ok(())
}

/// What the probe's resolve says of its root (package, version, library
/// file, features) and of every package it compiles (the cache's inputs);
/// `ambiguous` is left empty for the check to fill.
fn resolved_root(metadata: &cargo_metadata::Metadata) -> anyhow::Result<Verdict> {
    let resolve = metadata.resolve.as_ref().context("no resolve")?;
    let probe_id = resolve.root.as_ref().context("the probe is the root")?;
    let root_id = resolve
        .nodes
        .iter()
        .find(|n| &n.id == probe_id)
        .and_then(|n| n.deps.iter().find(|d| d.name == ROOT_KEY))
        .map(|d| d.pkg.clone())
        .context("the probe depends on its root")?;
    let root_node = resolve.nodes.iter().find(|n| n.id == root_id);
    let name_version = |id: &cargo_metadata::PackageId| {
        let package = &metadata[id];
        (package.name.to_string(), package.version.to_string())
    };
    let root_deps = root_node
        .map(|n| n.deps.iter().map(|d| name_version(&d.pkg)).collect())
        .unwrap_or_default();
    let children = resolve
        .nodes
        .iter()
        .find(|n| &n.id == probe_id)
        .map(|n| {
            n.deps
                .iter()
                .filter(|d| d.name.starts_with(CHILD_KEY))
                .map(|d| name_version(&d.pkg))
                .collect()
        })
        .unwrap_or_default();
    let root = &metadata[&root_id];
    let root_lib = root
        .targets
        .iter()
        .find(|t| t.is_lib() || t.is_proc_macro())
        .map(|t| t.src_path.clone().into_std_path_buf())
        .unwrap_or_else(|| {
            root.manifest_path
                .parent()
                .unwrap()
                .join("src/lib.rs")
                .into()
        });
    let mut locked = Vec::new();
    let mut paths = Vec::new();
    for package in &metadata.packages {
        if package.id == *probe_id {
            continue;
        }
        match &package.source {
            Some(source) => locked.push((
                package.name.to_string(),
                package.version.to_string(),
                source.repr.clone(),
            )),
            None => {
                let dir = package.manifest_path.parent().unwrap().as_std_path();
                paths.push((dir.to_owned(), fingerprint(dir)));
            }
        }
    }
    Ok(Verdict {
        root_package: root.name.to_string(),
        root_version: root.version.to_string(),
        root_lib,
        root_features: root_node
            .map(|n| n.features.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default(),
        ambiguous: Vec::new(),
        root_deps,
        children,
        locked,
        paths,
    })
}

/// From `cargo check --message-format=json`: the child names rustc found
/// ambiguous in the probe, and the rendered errors of anything else.
fn ambiguities(stdout: &str) -> (Vec<String>, Vec<String>) {
    let mut ambiguous = Vec::new();
    let mut errors = Vec::new();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" {
            continue;
        }
        let diag = &message["message"];
        let in_probe = message["target"]["name"]
            .as_str()
            .is_some_and(|name| name.starts_with(&PROBE_PACKAGE.replace('-', "_")));
        let code = diag["code"]["code"].as_str().unwrap_or_default();
        let text = diag["message"].as_str().unwrap_or_default();
        if in_probe && matches!(code, "E0659" | "ambiguous_glob_imports") {
            if let Some(name) = text
                .strip_prefix('`')
                .and_then(|t| t.strip_suffix("` is ambiguous"))
            {
                let name = name.strip_prefix("r#").unwrap_or(name).to_owned();
                if !ambiguous.contains(&name) {
                    ambiguous.push(name);
                }
            }
        } else if diag["level"] == "error" {
            errors.push(diag["rendered"].as_str().unwrap_or(text).to_owned());
        }
    }
    (ambiguous, errors)
}

/// Sizes and mtimes of every file below `dir` (without `target/` and
/// hidden folders), hashed.
fn fingerprint(dir: &Path) -> u64 {
    let mut entries: BTreeMap<PathBuf, (u64, u128)> = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in read.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                let skip = name == "target" || name.to_string_lossy().starts_with('.');
                if !skip {
                    stack.push(path);
                }
            } else {
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                entries.insert(path, (meta.len(), mtime));
            }
        }
    }
    let text = format!("{entries:?}");
    fnv(&[text.as_bytes()])
}

/// The plan's stable FNV-1a over `parts`, each ended by a 0xff byte (which
/// UTF-8 text never holds).
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(part);
        bytes.push(0xff);
    }
    crate::plan::fnv1a(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(package: &str) -> Spec {
        Spec {
            package: package.to_owned(),
            version: Some("1".to_owned()),
            source: Source::Registry { registry: None },
            features: vec!["x".to_owned()],
            default_features: false,
            optional: false,
            has_default_feature: true,
            foreign: false,
            repository: None,
        }
    }

    #[test]
    fn probe_names_each_child_through_self() {
        let probe = Probe::new(
            "foo",
            &spec("foo"),
            &[("core", &spec("foo-core")), ("type", &spec("foo-type"))],
        );
        assert!(probe.lib.contains("pub use ::facade_probe_child0 as core;"));
        assert!(probe.lib.contains("use self::core::{self as _};"));
        assert!(probe.lib.contains("use self::r#type::{self as _};"));
        assert!(probe.lib.contains("use ::facade_probe_root::*;"));
        assert!(probe.manifest.contains(
            "facade_probe_root = { package = \"foo\", version = \"1\", features = [\"x\"], default-features = false }"
        ));
        let dir = probe.dir(Path::new("/ws"), "rustc 1.95.0");
        assert!(dir.starts_with("/ws/target/cargo-facade/probe"));
        assert_ne!(dir, probe.dir(Path::new("/ws"), "rustc 1.96.0"));
    }
}
