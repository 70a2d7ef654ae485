//! The synthetic workspaces: one [`Shape`] written twice, through facades
//! and with direct dependencies on the same packages with the same
//! features ([`generate`]); the edits of the build comparison ([`Edit`]);
//! and the proof, from `cargo metadata`, that the two twins resolve the same
//! packages with the same features ([`compare_twins`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail, ensure};
use serde_json::Value;

/// Namespaces at most, each a root crate and [`CHILDREN`].
pub(super) const MAX_NAMESPACES: usize = 20;
pub(super) const CHILDREN: [&str; 4] = ["bar", "baz", "qux", "quux"];
/// Crates per namespace: the root and its children.
pub(super) const PER_NAMESPACE: usize = 1 + CHILDREN.len();
/// The feature every namespace crate has; about one declaration in four
/// turns it on (and the consumer then uses the item behind it).
const FEATURE: &str = "extra";

/// How a workspace of `members` members is made.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub(super) members: usize,
    pub(super) namespaces: usize,
    pub(super) consumers: usize,
}

/// One declared name of a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Decl {
    pub(super) ns: usize,
    /// `None` is the root.
    pub(super) child: Option<usize>,
    /// `features = ["extra"]`.
    pub(super) feature: bool,
}

impl Decl {
    pub(super) fn package(self) -> String {
        package_name(self.ns, self.child)
    }
}

impl Shape {
    /// 20 namespaces (100 crates); a smaller workspace gets fewer, so that at
    /// least four fifths of its members are consumers.
    pub(super) fn new(members: usize) -> Shape {
        let namespaces = (members / (5 * PER_NAMESPACE)).clamp(1, MAX_NAMESPACES);
        Shape {
            members,
            namespaces,
            consumers: members - namespaces * PER_NAMESPACE,
        }
    }

    /// The names consumer `index` declares: 2, 3 or 4 distinct
    /// `(namespace, child)` pairs (`None` is the root), about one in five a
    /// root, spread evenly by a fixed pseudo-random sequence; about one in
    /// four with the feature (drawn apart from that sequence, so the names
    /// stay those of earlier versions of this benchmark).
    pub(super) fn declarations(&self, index: usize) -> Vec<Decl> {
        let mut state = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED;
        let count = 2 + index % 3;
        let mut names: Vec<Decl> = Vec::with_capacity(count);
        while names.len() < count {
            state = splitmix64(state);
            let slot =
                usize::try_from(state % (self.namespaces * PER_NAMESPACE) as u64).expect("small");
            let (ns, child) = (slot / PER_NAMESPACE, (slot % PER_NAMESPACE).checked_sub(1));
            if !names.iter().any(|d| (d.ns, d.child) == (ns, child)) {
                let feature = splitmix64(state ^ 0xFEA7).is_multiple_of(4);
                names.push(Decl { ns, child, feature });
            }
        }
        names.sort_unstable();
        names
    }

    /// The consumers that declare the package of `(ns, child)`.
    pub(super) fn declarers(&self, ns: usize, child: Option<usize>) -> BTreeSet<String> {
        (0..self.consumers)
            .filter(|&i| {
                self.declarations(i)
                    .iter()
                    .any(|d| (d.ns, d.child) == (ns, child))
            })
            .map(|i| self.consumer_name(i))
            .collect()
    }

    /// Consumers that declare a child of `ns` but not its root.
    pub(super) fn child_only_consumers(&self, ns: usize) -> usize {
        (0..self.consumers)
            .filter(|&i| {
                let decls = self.declarations(i);
                decls.iter().any(|d| d.ns == ns && d.child.is_some())
                    && !decls.iter().any(|d| d.ns == ns && d.child.is_none())
            })
            .count()
    }

    pub(super) fn consumer_name(&self, index: usize) -> String {
        let width = self.consumers.to_string().len();
        format!("c{index:0width$}")
    }

    /// Declarations in all, those of a root, those with the feature.
    pub(super) fn declaration_counts(&self) -> (usize, usize, usize) {
        let all: Vec<Decl> = (0..self.consumers)
            .flat_map(|i| self.declarations(i))
            .collect();
        (
            all.len(),
            all.iter().filter(|d| d.child.is_none()).count(),
            all.iter().filter(|d| d.feature).count(),
        )
    }
}

fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How consumers reach the namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Variant {
    /// `[package.metadata.facade.dependencies] "foo3::bar" = { path = … }`,
    /// code `foo3::bar::VALUE`.
    Facade,
    /// `[dependencies] foo3-bar = { path = … }`, code `foo3_bar::VALUE`.
    Direct,
    /// [`Variant::Direct`] with this many more members, empty libraries
    /// nothing depends on (`padding/p<i>`): what as many packages as there
    /// are facades cost cargo by their number alone.
    Padded(usize),
}

pub(super) fn package_name(ns: usize, child: Option<usize>) -> String {
    match child {
        None => format!("foo{ns}"),
        Some(child) => format!("foo{ns}-{}", CHILDREN[child]),
    }
}

/// The source file of a namespace crate, relative to the workspace.
pub(super) fn source_of(ns: usize, child: Option<usize>) -> String {
    format!("ns/{}/src/lib.rs", package_name(ns, child))
}

/// Writes a fresh workspace of `shape` at `dir` (removing what was there).
pub(super) fn generate(dir: &Path, shape: Shape, variant: Variant) -> anyhow::Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("failed to remove `{}`", dir.display()))?;
    }
    let write = |rel: &str, text: &str| -> anyhow::Result<()> {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("a file has a folder"))?;
        fs::write(&path, text).with_context(|| format!("failed to write `{}`", path.display()))
    };
    write(
        "Cargo.toml",
        &format!(
            "# Synthetic workspace of `cargo xtask bench` ({variant:?} variant): {} members,\n\
             # {} namespaces of a root and {} children, {} consumers.\n\
             [workspace]\nmembers = [\"ns/*\", \"consumers/*\"{}]\nresolver = \"2\"\n",
            shape.members,
            shape.namespaces,
            CHILDREN.len(),
            shape.consumers,
            if let Variant::Padded(_) = variant {
                ", \"padding/*\""
            } else {
                ""
            },
        ),
    )?;
    if let Variant::Padded(count) = variant {
        for i in 0..count {
            write(
                &format!("padding/p{i}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"p{i}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n"
                ),
            )?;
            write(&format!("padding/p{i}/src/lib.rs"), "#![no_std]\n")?;
        }
    }
    for ns in 0..shape.namespaces {
        for child in std::iter::once(None).chain((0..CHILDREN.len()).map(Some)) {
            let name = package_name(ns, child);
            let value = ns * 10 + child.map_or(0, |c| c + 1);
            write(
                &format!("ns/{name}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
                     [features]\n{FEATURE} = []\n"
                ),
            )?;
            write(
                &source_of(ns, child),
                &format!(
                    "//! `{name}` of the benchmark.\n\npub const VALUE: u32 = {value};\n\n\
                     #[cfg(feature = \"{FEATURE}\")]\npub const EXTRA: u32 = {value};\n\n\
                     pub fn value() -> u32 {{\n    VALUE\n}}\n"
                ),
            )?;
        }
    }
    for index in 0..shape.consumers {
        let name = shape.consumer_name(index);
        let mut manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n"
        );
        let mut terms = Vec::new();
        match variant {
            Variant::Facade => manifest.push_str("[package.metadata.facade.dependencies]\n"),
            Variant::Direct | Variant::Padded(_) => manifest.push_str("[dependencies]\n"),
        }
        for decl in shape.declarations(index) {
            let package = decl.package();
            let (key, path) = match (variant, decl.child) {
                (Variant::Facade, None) => (package.clone(), format!("foo{}", decl.ns)),
                (Variant::Facade, Some(c)) => (
                    format!("\"foo{}::{}\"", decl.ns, CHILDREN[c]),
                    format!("foo{}::{}", decl.ns, CHILDREN[c]),
                ),
                (Variant::Direct | Variant::Padded(_), _) => {
                    (package.clone(), package.replace('-', "_"))
                }
            };
            let features = if decl.feature {
                format!(", features = [\"{FEATURE}\"]")
            } else {
                String::new()
            };
            writeln!(
                manifest,
                "{key} = {{ path = \"../../ns/{package}\"{features} }}"
            )?;
            terms.push(format!("{path}::VALUE"));
            if decl.feature {
                terms.push(format!("{path}::EXTRA"));
            }
        }
        write(&format!("consumers/{name}/Cargo.toml"), &manifest)?;
        write(
            &format!("consumers/{name}/src/lib.rs"),
            &format!(
                "pub fn f() -> u32 {{\n    {}\n}}\n",
                terms.join("\n        + ")
            ),
        )?;
    }
    Ok(())
}

/// Manifests of the facades `sync` wrote under `facades/` (any layout).
pub(super) fn count_facades(ws: &Path) -> anyhow::Result<usize> {
    let mut count = 0;
    let mut stack = vec![ws.join("facades")];
    while let Some(dir) = stack.pop() {
        for entry in
            fs::read_dir(&dir).with_context(|| format!("failed to read `{}`", dir.display()))?
        {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            } else if entry.file_name() == "Cargo.toml" {
                count += 1;
            }
        }
    }
    ensure!(
        count > 0,
        "`sync` wrote no facade under `{}`",
        ws.join("facades").display()
    );
    Ok(count)
}

/// The files a cold `sync` starts from: consumer manifests and `Cargo.lock`
/// as they were before the first `sync`.
#[derive(Debug)]
pub(super) struct PreSync {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    facades: PathBuf,
}

impl PreSync {
    pub(super) fn capture(ws: &Path) -> anyhow::Result<PreSync> {
        let mut files = Vec::new();
        for entry in fs::read_dir(ws.join("consumers"))? {
            let path = entry?.path().join("Cargo.toml");
            files.push((path.clone(), Some(fs::read(&path)?)));
        }
        let lock = ws.join("Cargo.lock");
        files.push((lock.clone(), fs::read(&lock).ok()));
        Ok(PreSync {
            files,
            facades: ws.join("facades"),
        })
    }

    pub(super) fn restore(&self) -> anyhow::Result<()> {
        if self.facades.exists() {
            fs::remove_dir_all(&self.facades)?;
        }
        for (path, bytes) in &self.files {
            match bytes {
                Some(bytes) => fs::write(path, bytes)?,
                None => {
                    let _ = fs::remove_file(path);
                }
            }
        }
        Ok(())
    }
}

/// A real edit of one source file: a private constant appended (so rustc
/// has new code to check, not only a newer mtime), undone afterwards.
#[derive(Debug)]
pub(super) struct Edit {
    path: PathBuf,
    original: Vec<u8>,
}

impl Edit {
    /// Appends `const _BENCH_EDIT_<n>: u32 = <n>;` to `path`.
    pub(super) fn apply(path: PathBuf, n: usize) -> anyhow::Result<Edit> {
        let original =
            fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
        let mut edited = original.clone();
        edited.extend_from_slice(format!("\nconst _BENCH_EDIT_{n}: u32 = {n};\n").as_bytes());
        fs::write(&path, edited).with_context(|| format!("failed to edit `{}`", path.display()))?;
        Ok(Edit { path, original })
    }

    /// Puts the original bytes back (itself an edit for cargo: new mtime).
    pub(super) fn undo(self) -> anyhow::Result<()> {
        fs::write(&self.path, &self.original)
            .with_context(|| format!("failed to restore `{}`", self.path.display()))
    }
}

/// What `cargo metadata` (the whole-workspace resolve, features unified
/// across members as in `cargo check --workspace`) says about a twin.
#[derive(Debug)]
struct Resolved {
    /// Every package that is not a facade → its enabled features.
    features: BTreeMap<String, BTreeSet<String>>,
    /// Consumer → the non-facade packages it reaches, directly or through
    /// facades (a facade's dependencies, recursively).
    reaches: BTreeMap<String, BTreeSet<String>>,
    facades: usize,
}

/// What [`compare_twins`] found.
#[derive(Debug)]
pub(super) struct TwinCheck {
    pub(super) consumers: usize,
    pub(super) facades: usize,
    /// Consumers that reach, through facades, a namespace crate they did not
    /// declare (feature unification across the workspace); and how many
    /// such crates in all.
    pub(super) leaking_consumers: usize,
    pub(super) leaked_crates: usize,
}

/// Checks that the facade twin and the direct twin resolve the same
/// packages with the same features, and that each direct consumer depends
/// on exactly what the shape declares; counts what the facade consumers
/// reach beyond that. `facade` and `direct` are `cargo metadata` outputs.
pub(super) fn compare_twins(
    shape: Shape,
    facade_ws: &Path,
    facade: &str,
    direct_ws: &Path,
    direct: &str,
) -> anyhow::Result<TwinCheck> {
    let facade = resolve(facade_ws, facade)?;
    let direct = resolve(direct_ws, direct)?;
    ensure!(
        direct.facades == 0,
        "the direct twin has {} facades",
        direct.facades
    );
    if facade.features != direct.features {
        let differ: Vec<String> = facade
            .features
            .iter()
            .filter(|(name, f)| direct.features.get(*name) != Some(f))
            .map(|(name, f)| format!("{name} {f:?} vs {:?}", direct.features.get(name)))
            .chain(
                direct
                    .features
                    .keys()
                    .filter(|name| !facade.features.contains_key(*name))
                    .map(|name| format!("{name} only in the direct twin")),
            )
            .take(5)
            .collect();
        bail!(
            "the twins resolve different packages or features (facades vs direct): {}",
            differ.join("; ")
        );
    }
    let mut leaking_consumers = 0;
    let mut leaked_crates = 0;
    for index in 0..shape.consumers {
        let name = shape.consumer_name(index);
        let declared: BTreeSet<String> = shape
            .declarations(index)
            .iter()
            .map(|d| d.package())
            .collect();
        ensure!(
            direct.reaches.get(&name) == Some(&declared),
            "direct twin: `{name}` depends on {:?}, declared {declared:?}",
            direct.reaches.get(&name)
        );
        let reached = facade
            .reaches
            .get(&name)
            .with_context(|| format!("facade twin: no consumer `{name}` in `cargo metadata`"))?;
        let missing: Vec<&String> = declared.difference(reached).collect();
        ensure!(
            missing.is_empty(),
            "facade twin: `{name}` does not reach {missing:?} that it declared"
        );
        let extra = reached.difference(&declared).count();
        if extra > 0 {
            leaking_consumers += 1;
            leaked_crates += extra;
        }
    }
    Ok(TwinCheck {
        consumers: shape.consumers,
        facades: facade.facades,
        leaking_consumers,
        leaked_crates,
    })
}

fn resolve(ws: &Path, metadata: &str) -> anyhow::Result<Resolved> {
    let json: Value = serde_json::from_str(metadata)
        .with_context(|| format!("`cargo metadata` of `{}` is not JSON", ws.display()))?;
    let facades_dir = ws.join("facades");
    let consumers_dir = ws.join("consumers");
    let mut names = BTreeMap::new();
    let mut facade_ids = BTreeSet::new();
    let mut consumer_ids = BTreeSet::new();
    for package in json["packages"].as_array().context("no `packages`")? {
        let id = package["id"].as_str().context("a package without `id`")?;
        let name = package["name"]
            .as_str()
            .context("a package without `name`")?;
        let manifest = Path::new(package["manifest_path"].as_str().unwrap_or_default());
        if manifest.starts_with(&facades_dir) {
            facade_ids.insert(id.to_owned());
        } else if manifest.starts_with(&consumers_dir) {
            consumer_ids.insert(id.to_owned());
        }
        names.insert(id.to_owned(), name.to_owned());
    }
    let mut deps: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut features = BTreeMap::new();
    for node in json["resolve"]["nodes"]
        .as_array()
        .context("no `resolve`")?
    {
        let id = node["id"].as_str().context("a node without `id`")?;
        let ids = node["deps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["pkg"].as_str())
            .collect();
        deps.insert(id, ids);
        if !facade_ids.contains(id) {
            let enabled = node["features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect();
            features.insert(names[id].clone(), enabled);
        }
    }
    let mut reaches = BTreeMap::new();
    for consumer in &consumer_ids {
        let mut reached = BTreeSet::new();
        let mut stack: Vec<&str> = deps.get(consumer.as_str()).cloned().unwrap_or_default();
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            if facade_ids.contains(id) {
                stack.extend(deps.get(id).into_iter().flatten());
            } else {
                reached.insert(names[id].clone());
            }
        }
        reaches.insert(names[consumer].clone(), reached);
    }
    Ok(Resolved {
        features,
        reaches,
        facades: facade_ids.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumers_declare_roots_and_features() {
        let shape = Shape::new(1000);
        assert_eq!((shape.namespaces, shape.consumers), (20, 900));
        let (all, roots, features) = shape.declaration_counts();
        assert_eq!(all, 900 * 3, "2, 3 or 4 names, 3 on average");
        // About one in five a root, one in four with the feature.
        assert!(
            (all / 7..all / 4).contains(&roots),
            "{roots} roots of {all}"
        );
        assert!(
            (all / 6..all / 3).contains(&features),
            "{features} features of {all}"
        );
        // The edited namespace has consumers of a child without its root.
        assert!(shape.child_only_consumers(0) > 0);
        assert!(!shape.declarers(0, None).is_empty());
    }

    #[test]
    fn twins_declare_the_same_packages_and_features() {
        let dir = tempfile::tempdir().unwrap();
        let shape = Shape::new(60);
        let (facade, direct) = (dir.path().join("f"), dir.path().join("d"));
        generate(&facade, shape, Variant::Facade).unwrap();
        generate(&direct, shape, Variant::Direct).unwrap();
        for index in 0..shape.consumers {
            let rel = format!("consumers/{}/Cargo.toml", shape.consumer_name(index));
            let read = |ws: &Path| fs::read_to_string(ws.join(&rel)).unwrap();
            let (f, d) = (read(&facade), read(&direct));
            for decl in shape.declarations(index) {
                let line = |text: &str| -> String {
                    text.lines()
                        .find(|l| l.contains(&format!("ns/{}\"", decl.package())))
                        .unwrap_or_else(|| panic!("{rel} misses {}", decl.package()))
                        .split_once(" = ")
                        .unwrap()
                        .1
                        .to_owned()
                };
                assert_eq!(line(&f), line(&d), "{rel}");
                assert_eq!(line(&f).contains("\"extra\""), decl.feature);
            }
        }
    }

    #[test]
    fn an_edit_is_new_code_and_undoes_to_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        fs::write(&path, "pub const VALUE: u32 = 1;\n").unwrap();
        let edit = Edit::apply(path.clone(), 7).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "pub const VALUE: u32 = 1;\n\nconst _BENCH_EDIT_7: u32 = 7;\n"
        );
        edit.undo().unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "pub const VALUE: u32 = 1;\n"
        );
    }
}
