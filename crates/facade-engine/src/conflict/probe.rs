//! The compiler-backed half of the conflict rule: a scratch crate, the
//! *probe*, that imports the root's items and the children the way a facade
//! does, checked by the real compiler against the root's sources wherever
//! cargo put them (path, registry, git), with the features cargo resolves.
//!
//! The probe lives in cargo's target folder, found as the workspace lock
//! finds it (`CARGO_TARGET_DIR`, `build.target-dir`, else `target/`), at
//! `cargo-facade/probe/<root>-<key>`, and builds into that same target
//! folder with the workspace's `[profile]` and resolver: the user's next
//! `cargo check` reuses the dependency artifacts it left, and `cargo clean`
//! removes it. It is its own `[workspace]` with a copy of the user's
//! `Cargo.lock` so versions match; cargo runs from the workspace root so the
//! user's `.cargo/config.toml` (flags, source replacement) applies. Its
//! `lib.rs` glob-imports `::root::*` and a module of the children side by
//! side and names each child as the path prefix `self::<child>::{self as _}`,
//! which rustc resolves in the type namespace only (where a module lives):
//! the compiler reports "`<child>` is ambiguous" exactly when the root has
//! its own item of that name in the type namespace — plain, `#[cfg]`-enabled,
//! made by a macro, or brought by a glob — and not when the root re-exports
//! the child crate itself, nor for a root function or macro of that name
//! (`#[foo::test]` beside `foo::test::f`). `self::` keeps the extern prelude
//! out, so children named `core` or `std` are no false alarm.
//!
//! A verdict carries its [`Key`] (see `record.rs`); it is cached next to the
//! probe with the identity of this machine's toolchain and the sizes and
//! modification times of the path packages' files, and reused while they
//! hold. A no-op `sync` or `check` reads one small JSON file per probe and
//! `stat`s those files.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use super::record::{Key, Machine, Tree, hex};
use crate::CargoOptions;
use crate::manifest::Source;
use crate::name::module_ident;
use crate::plan::Spec;

/// The probe folder below cargo's target folder.
pub const PROBE_DIR: &str = "cargo-facade/probe";

/// Bumped when the probe's shape or the verdict's format changes.
const PROBE_VERSION: &str = "4";

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
    /// The same manifest with the root alone: what the root's own
    /// dependency edges make of each child (see [`reexported`]).
    alone: String,
    /// The children's modules, in the order of their probe keys.
    modules: Vec<String>,
    pub lib: String,
    /// The hash of the probe with its path sources relative to the
    /// workspace root: the same in every clone.
    pub key: String,
    /// The hash of the probe as written (absolute paths).
    dir_key: String,
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
    /// The child modules the root re-exports as the child crate itself,
    /// each with the features the root's own edges turn on in it (`default`
    /// where its defaults are on): see [`reexported`].
    #[serde(default)]
    pub reexported: Vec<(String, Vec<String>)>,
    /// What decided it.
    pub key: Key,
    /// The toolchain's identity when it was judged ([`toolchain`]).
    machine: String,
    /// Each of `key.paths` by its files' sizes and modification times.
    stats: Vec<(String, String)>,
}

/// A probe judged, could not be built (cargo's words), or could not be
/// resolved (the declarations themselves are wrong).
#[derive(Debug)]
pub enum Outcome {
    Judged(Box<Verdict>),
    Failed(String),
    Unresolved,
}

/// What the probe takes from the workspace root's manifest: `[profile]`
/// (so that dependencies build as the user's own `cargo check` builds
/// them) and `workspace.resolver`.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub profile: Option<toml_edit::Table>,
    pub resolver: Option<String>,
}

impl Settings {
    pub fn of(root_manifest: &toml_edit::Document<String>) -> Settings {
        let profile = root_manifest
            .get("profile")
            .and_then(|p| p.as_table())
            .map(|table| {
                let mut table = table.clone();
                table.decor_mut().clear();
                table
            });
        let resolver = root_manifest
            .get("workspace")
            .and_then(|w| w.get("resolver"))
            .and_then(|r| r.as_str())
            .map(str::to_owned);
        Settings { profile, resolver }
    }
}

impl Probe {
    /// The probe of root `root` (declared with `root_spec`) and `children`
    /// (`(child segment, spec)`) in the workspace at `ws_root`.
    pub fn new(
        root: &str,
        root_spec: &Spec,
        children: &[(&str, &Spec)],
        ws_root: &Path,
        settings: &Settings,
    ) -> Probe {
        let modules: Vec<_> = children
            .iter()
            .map(|(name, _)| module_ident(name))
            .collect();
        let deps = |path: &dyn Fn(&Path) -> String| {
            let mut deps = toml_edit::Table::new();
            deps.insert(ROOT_KEY, dependency(root_spec, path));
            for (index, (_, spec)) in children.iter().enumerate() {
                deps.insert(&child_key(index), dependency(spec, path));
            }
            deps
        };
        let absolute = deps(&|dir| dir.display().to_string());
        // Named by its inputs, absolute paths included: probes share one
        // target folder (perhaps with other clones), where cargo tells path
        // packages apart by name, not by folder.
        let names: Vec<String> = modules.iter().map(ToString::to_string).collect();
        let id = fnv(&[absolute.to_string().as_bytes(), names.join(",").as_bytes()]);
        let document = |deps: toml_edit::Table, name: &str| {
            let mut doc = toml_edit::DocumentMut::new();
            let mut package = toml_edit::Table::new();
            package.insert("name", toml_edit::value(name));
            package.insert("version", toml_edit::value("0.0.0"));
            package.insert("edition", toml_edit::value("2021"));
            package.insert("publish", toml_edit::value(false));
            doc.insert("package", toml_edit::Item::Table(package));
            let mut workspace = toml_edit::Table::new();
            if let Some(resolver) = &settings.resolver {
                workspace.insert("resolver", toml_edit::value(resolver));
            }
            doc.insert("workspace", toml_edit::Item::Table(workspace));
            doc.insert("dependencies", toml_edit::Item::Table(deps));
            if let Some(profile) = &settings.profile {
                doc.insert("profile", toml_edit::Item::Table(profile.clone()));
            }
            doc.to_string()
        };
        let mut root_only = toml_edit::Table::new();
        root_only.insert(
            ROOT_KEY,
            dependency(root_spec, &|dir| dir.display().to_string()),
        );
        let alone = document(root_only, &format!("{PROBE_PACKAGE}-alone-{id:016x}"));
        let manifest = document(absolute, &format!("{PROBE_PACKAGE}-{id:016x}"));
        // The same probe in every clone: path sources relative to the
        // workspace root, no name from absolute paths.
        let portable = document(
            deps(&|dir| crate::paths::relative(ws_root, dir)),
            PROBE_PACKAGE,
        );

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
        let lib = prettyplease::unparse(&file);
        let key = hex(fnv(&[
            PROBE_VERSION.as_bytes(),
            portable.as_bytes(),
            lib.as_bytes(),
        ]));
        let dir_key = hex(fnv(&[
            PROBE_VERSION.as_bytes(),
            manifest.as_bytes(),
            lib.as_bytes(),
        ]));
        Probe {
            root: root.to_owned(),
            manifest,
            alone,
            modules: modules.iter().map(ToString::to_string).collect(),
            lib,
            key,
            dir_key,
        }
    }

    /// The folder of this probe below cargo's target folder `target_dir`,
    /// named by its inputs (two clones sharing a target folder get two).
    pub fn dir(&self, target_dir: &Path) -> PathBuf {
        target_dir
            .join(PROBE_DIR)
            .join(format!("{}-{}", self.root, self.dir_key))
    }
}

fn child_key(index: usize) -> String {
    format!("{CHILD_KEY}{index}")
}

/// A probe dependency: the declaration's package, source, version and features.
fn dependency(spec: &Spec, path: &dyn Fn(&Path) -> String) -> toml_edit::Item {
    let mut table = toml_edit::InlineTable::new();
    table.insert("package", spec.package.as_str().into());
    crate::manifest::insert_source(&mut table, &spec.source, path);
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

/// The cached verdict of the probe in `dir`, if it was judged with this
/// toolchain (`machine`, [`toolchain`]) and the tree still gives its key:
/// the same probe and locked packages, and path packages whose files have
/// the sizes and modification times they had (no file is read).
pub fn cached(dir: &Path, probe: &Probe, machine: &str, tree: &Tree) -> Option<Verdict> {
    let text = std::fs::read_to_string(dir.join("verdict.json")).ok()?;
    let verdict: Verdict = serde_json::from_str(&text).ok()?;
    let current = verdict.machine == machine
        && verdict.key.probe == probe.key
        && tree.lock_current(&verdict.key)
        && verdict.stats.len() == verdict.key.paths.len()
        && verdict
            .stats
            .iter()
            .all(|(rel, stat)| tree.stat_hash(rel) == *stat);
    current.then_some(verdict)
}

/// Caches a recorded verdict that holds on this machine in `dir`, so that
/// the next run only `stat`s the path packages' files. A cache: failing to
/// write it changes nothing.
pub fn remember(dir: &Path, entry: &super::record::Entry, machine: &str, tree: &Tree) {
    let verdict = Verdict {
        root_package: entry.package.clone(),
        root_version: entry.version.clone(),
        root_lib: PathBuf::new(),
        root_features: entry.features.clone(),
        ambiguous: Vec::new(),
        // Only a conflict's message reads these; a recorded verdict has none.
        root_deps: Vec::new(),
        children: Vec::new(),
        reexported: entry
            .reexported
            .iter()
            .filter_map(|(name, on)| {
                let (_, child) = name.split_once("::")?;
                Some((child.replace('-', "_"), on.clone()))
            })
            .collect(),
        key: entry.key.clone(),
        machine: machine.to_owned(),
        stats: entry
            .key
            .paths
            .keys()
            .map(|rel| (rel.clone(), tree.stat_hash(rel)))
            .collect(),
    };
    if let Ok(text) = serde_json::to_string_pretty(&verdict)
        && std::fs::create_dir_all(dir).is_ok()
    {
        let _ = std::fs::write(dir.join("verdict.json"), text);
    }
}

/// Writes the probe into `dir` and asks cargo: `cargo metadata` for the
/// root's resolved package and features, `cargo check` for the verdict,
/// which is cached on success. Both build in `target_dir`, cargo's target
/// folder of the workspace.
#[allow(clippy::too_many_arguments)]
pub fn run(
    probe: &Probe,
    dir: &Path,
    target_dir: &Path,
    ws_root: &Path,
    lock_path: &Path,
    cargo: &CargoOptions,
    tree: &Tree,
    machine: &mut Machine,
) -> anyhow::Result<Outcome> {
    write_probe(probe, dir, lock_path)?;
    let manifest = dir.join("Cargo.toml");
    let cargo_at = |manifest: &Path, args: &[&str]| {
        let mut command = crate::cargo::cargo_command(cargo);
        command
            .args(args)
            .arg("--manifest-path")
            .arg(manifest)
            .current_dir(ws_root)
            .env("CARGO_TARGET_DIR", target_dir)
            .env_remove("CARGO_TERM_COLOR");
        if cargo.offline || cargo.frozen {
            command.arg("--offline");
        }
        command
    };
    let cargo_in = |args: &[&str]| cargo_at(&manifest, args);

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
    let probe_lock = super::record::LockFile::read(&dir.join("Cargo.lock")).unwrap_or_default();
    let resolved = resolved_root(&metadata, probe, &probe_lock, tree, machine, ws_root)?;

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
    let reexported = reexported(
        probe, dir, &metadata, &resolved, &ambiguous, ws_root, &cargo_at,
    )?;
    let verdict = Verdict {
        ambiguous,
        reexported,
        ..resolved
    };
    std::fs::write(
        dir.join("verdict.json"),
        serde_json::to_string_pretty(&verdict)?,
    )
    .with_context(|| format!("failed to write `{}/verdict.json`", dir.display()))?;
    Ok(Outcome::Judged(Box::new(verdict)))
}

/// The child modules the root presents itself: it re-exports the child
/// crate under the module's name (`pub use foo_bar as bar;`, found by syn
/// in the root's `lib.rs` under the resolved cfg), the compiler found no
/// ambiguity, and the root alone (resolved by `cargo metadata` on a second
/// manifest, with the same features of the root) depends on that very
/// package; each with the features the root's edges turn on in it. A
/// consumer that asks the child for no more reaches through the root
/// exactly what its facade would present (`conflict::elision`).
fn reexported(
    probe: &Probe,
    dir: &Path,
    metadata: &cargo_metadata::Metadata,
    resolved: &Verdict,
    ambiguous: &[String],
    ws_root: &Path,
    cargo_at: &dyn Fn(&Path, &[&str]) -> Command,
) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let Some(resolve) = metadata.resolve.as_ref() else {
        return Ok(Vec::new());
    };
    let node = |id: &cargo_metadata::PackageId| resolve.nodes.iter().find(|n| n.id == *id);
    let Some(probe_node) = resolve.root.as_ref().and_then(node) else {
        return Ok(Vec::new());
    };
    let Some(root_dep) = probe_node.deps.iter().find(|d| d.name == ROOT_KEY) else {
        return Ok(Vec::new());
    };
    let Some(root_node) = node(&root_dep.pkg) else {
        return Ok(Vec::new());
    };
    let Ok(source) = std::fs::read_to_string(&resolved.root_lib) else {
        return Ok(Vec::new());
    };
    let mut target_cfg = None;
    // (module, child package id) of each child the root re-exports.
    let mut candidates = Vec::new();
    for (index, module) in probe.modules.iter().enumerate() {
        let module = module.strip_prefix("r#").unwrap_or(module);
        if ambiguous.iter().any(|a| a == module) {
            continue;
        }
        let Some(child) = probe_node.deps.iter().find(|d| d.name == child_key(index)) else {
            continue;
        };
        // The root's own, unconditional edge to the same package: its
        // extern name is what the root's `lib.rs` calls the child.
        let extern_names: Vec<String> = root_node
            .deps
            .iter()
            .filter(|d| {
                d.pkg == child.pkg
                    && d.dep_kinds.iter().any(|k| {
                        k.kind == cargo_metadata::DependencyKind::Normal && k.target.is_none()
                    })
            })
            .map(|d| d.name.clone())
            .collect();
        if extern_names.is_empty() {
            continue;
        }
        // An edge for some platforms only (`[target.'cfg(…)'.dependencies]`)
        // may turn on features that the resolve below counts as on, which
        // other platforms lack: nothing about the child is then certain.
        let per_platform = root_node.deps.iter().any(|d| {
            d.pkg == child.pkg
                && d.dep_kinds
                    .iter()
                    .any(|k| k.kind == cargo_metadata::DependencyKind::Normal && k.target.is_some())
        });
        if per_platform {
            continue;
        }
        let cfg = target_cfg.get_or_insert_with(|| self::target_cfg(ws_root));
        let cfg = super::syntax::CfgSet::new(cfg, &resolved.root_features);
        if super::syntax::reexports_child(&source, module, &extern_names, &cfg) {
            candidates.push((module.to_owned(), child.pkg.clone()));
        }
    }
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let alone_dir = dir.join("alone");
    std::fs::create_dir_all(alone_dir.join("src"))
        .with_context(|| format!("failed to create `{}`", alone_dir.display()))?;
    std::fs::write(alone_dir.join("Cargo.toml"), &probe.alone)
        .with_context(|| format!("failed to write `{}/Cargo.toml`", alone_dir.display()))?;
    std::fs::write(alone_dir.join("src/lib.rs"), "")
        .with_context(|| format!("failed to write `{}/src/lib.rs`", alone_dir.display()))?;
    // The probe's lock: the same versions.
    if let Ok(lock) = std::fs::read(dir.join("Cargo.lock")) {
        std::fs::write(alone_dir.join("Cargo.lock"), lock)
            .with_context(|| format!("failed to write `{}/Cargo.lock`", alone_dir.display()))?;
    }
    let output = cargo_at(
        &alone_dir.join("Cargo.toml"),
        &["metadata", "--format-version", "1"],
    )
    .output()
    .context("failed to run `cargo metadata` on the conflict probe's root")?;
    if !output.status.success() {
        return Ok(Vec::new());
    }
    let alone = cargo_metadata::MetadataCommand::parse(
        std::str::from_utf8(&output.stdout).context("`cargo metadata` printed invalid UTF-8")?,
    )
    .context("failed to parse `cargo metadata` output")?;
    let Some(alone_resolve) = alone.resolve.as_ref() else {
        return Ok(Vec::new());
    };
    let features_of = |resolve: &cargo_metadata::Resolve, id: &cargo_metadata::PackageId| {
        resolve.nodes.iter().find(|n| n.id == *id).map(|n| {
            let mut features: Vec<String> = n.features.iter().map(ToString::to_string).collect();
            features.sort();
            features
        })
    };
    if features_of(alone_resolve, &root_node.id) != features_of(resolve, &root_node.id) {
        return Ok(Vec::new());
    }
    // What the root's own edges turn on in each child: a declaration asking
    // for no more adds nothing. `default` counts as on where the child has
    // none, or where everything its `default` lists is on (a root commonly
    // turns its child's defaults off and turns on what they would, `std =
    // ["foo-bar/std"]`): only code testing `cfg(feature = "default")`
    // itself could tell.
    // The resolve merges every platform's edges: one that exists on some
    // platforms only, anywhere on a way from the root to the child (`foo`
    // → `z` under `cfg(windows)`, `z` turning on `foo-bar/extra`), may turn
    // on features other platforms lack. Such a child is never elided.
    let per_platform_into = |child: &cargo_metadata::PackageId| {
        let mut reaching: std::collections::BTreeSet<&cargo_metadata::PackageId> = [child].into();
        loop {
            let before = reaching.len();
            for node in &alone_resolve.nodes {
                if node.deps.iter().any(|d| reaching.contains(&d.pkg)) {
                    reaching.insert(&node.id);
                }
            }
            if reaching.len() == before {
                break;
            }
        }
        alone_resolve.nodes.iter().any(|node| {
            node.deps.iter().any(|d| {
                reaching.contains(&d.pkg) && d.dep_kinds.iter().any(|k| k.target.is_some())
            })
        })
    };
    Ok(candidates
        .into_iter()
        .filter(|(_, id)| !per_platform_into(id))
        .filter_map(|(module, id)| {
            let mut on = features_of(alone_resolve, &id)?;
            let defaults = alone
                .packages
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.features.get("default").cloned());
            let default_on = match defaults {
                Some(None) => true,
                Some(Some(list)) => {
                    on.iter().any(|f| f == "default")
                        || list.iter().all(|item| on.iter().any(|f| f == item))
                }
                None => false,
            };
            if default_on && !on.iter().any(|f| f == "default") {
                on.push("default".to_owned());
                on.sort();
            }
            Some((module, on))
        })
        .collect())
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
/// file, features) and the verdict's key (every package it compiles);
/// `ambiguous` is left empty for the check to fill.
fn resolved_root(
    metadata: &cargo_metadata::Metadata,
    probe: &Probe,
    probe_lock: &super::record::LockFile,
    tree: &Tree,
    machine: &mut Machine,
    ws_root: &Path,
) -> anyhow::Result<Verdict> {
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
    let mut packages = Vec::new();
    let mut paths = std::collections::BTreeMap::new();
    // Code that runs at build time can ask which compiler runs it.
    let mut compile_time_code = false;
    for package in &metadata.packages {
        if package.id == *probe_id {
            continue;
        }
        compile_time_code |= package
            .targets
            .iter()
            .any(|t| t.is_custom_build() || t.is_proc_macro());
        match &package.source {
            Some(_) => packages.push(format!("{} {}", package.name, package.version)),
            None => {
                let dir = package.manifest_path.parent().unwrap().as_std_path();
                let (rel, hash) = tree.path_entry(dir);
                paths.insert(rel, hash);
            }
        }
    }
    packages.sort();
    packages.dedup();
    let stats = paths
        .keys()
        .map(|rel| (rel.clone(), tree.stat_hash(rel)))
        .collect();
    let key = Key {
        probe: probe.key.clone(),
        lock: probe_lock.hash_of(&packages).unwrap_or_default(),
        packages,
        paths,
        target: machine.target(),
        toolchain: compile_time_code.then(|| machine.toolchain()),
    };
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
        reexported: Vec::new(),
        key,
        machine: toolchain(ws_root),
        stats,
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
            known_features: None,
        }
    }

    #[test]
    fn probe_names_each_child_through_self() {
        let probe = Probe::new(
            "foo",
            &spec("foo"),
            &[("core", &spec("foo-core")), ("type", &spec("foo-type"))],
            Path::new("/ws"),
            &Settings::default(),
        );
        assert!(probe.lib.contains("pub use ::facade_probe_child0 as core;"));
        assert!(probe.lib.contains("use self::core::{self as _};"));
        assert!(probe.lib.contains("use self::r#type::{self as _};"));
        assert!(probe.lib.contains("use ::facade_probe_root::*;"));
        assert!(probe.manifest.contains(
            "facade_probe_root = { package = \"foo\", version = \"1\", features = [\"x\"], default-features = false }"
        ));
        let dir = probe.dir(Path::new("/elsewhere/target"));
        assert_eq!(
            dir,
            Path::new("/elsewhere/target/cargo-facade/probe")
                .join(format!("foo-{}", probe.dir_key))
        );
    }

    /// The probe's key is the same in every clone: path sources count
    /// relative to the workspace root; the workspace's profile counts.
    #[test]
    fn probe_key_is_portable() {
        let path = |ws: &str| Spec {
            source: Source::Path(Path::new(ws).join("crates/foo")),
            ..spec("foo")
        };
        let at = |ws: &str, settings: &Settings| {
            Probe::new(
                "foo",
                &path(ws),
                &[("bar", &spec("foo-bar"))],
                Path::new(ws),
                settings,
            )
        };
        let a = at("/a", &Settings::default());
        let b = at("/b/c", &Settings::default());
        assert_eq!(a.key, b.key);
        let target = Path::new("/shared-target");
        assert_ne!(a.dir(target), b.dir(target));
        assert!(a.manifest.contains("path = \"/a/crates/foo\""));
        let doc: toml_edit::Document<String> =
            toml_edit::Document::parse("[profile.dev]\nopt-level = 1\n".to_owned()).unwrap();
        let profiled = at("/a", &Settings::of(&doc));
        assert!(profiled.manifest.contains("[profile.dev]\nopt-level = 1"));
        assert_ne!(a.key, profiled.key);
    }
}
