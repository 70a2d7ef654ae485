//! Load: finds the workspace and reads its manifests itself, with cargo's
//! rules, so that a tree cargo would reject as it stands — facades missing or
//! mangled by a merge, RFC 3243 syntax in real tables — is input for the
//! plan rather than a fatal error. Every manifest is parsed once, with spans.
//!
//! The rules follow cargo's `core/workspace.rs`: the nearest `Cargo.toml`
//! from `--manifest-path` or the current folder; its `package.workspace`,
//! else the first ancestor whose `[workspace]` does not exclude it; members
//! are `workspace.members` (glob patterns, only folders) minus `exclude`
//! (a path prefix, overridden by an explicit member), the root package, and
//! the path dependencies of members that lie inside the root.
//!
//! Generated facades are output of the plan, never input: a member below the
//! facade folder or carrying the `@generated` header is not read (a facade
//! manifest may be missing or hold conflict markers; `write` compares and
//! replaces it). Cargo is asked only once the tree is consistent
//! (`cargo_metadata`). Nothing here judges the declarations; that is
//! `plan`'s job.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use toml_edit::Item;

use crate::CargoOptions;
use crate::cargo::cargo_command;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::manifest::get_path;
use crate::marker::is_generated;
use crate::paths::normalize;
use crate::shell::Shell;

/// The facade folder when `[workspace.metadata.facade] dir` is not set.
pub const DEFAULT_FACADE_DIR: &str = "facades";

/// The real dependency tables, as cargo spells them (old underscore forms too).
const DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
];

/// A manifest's text and its spanned parse.
#[derive(Debug)]
pub struct Manifest {
    pub file: Arc<SourceFile>,
    pub doc: toml_edit::Document<String>,
}

impl Manifest {
    pub fn path(&self) -> &Path {
        self.file.path()
    }
    pub fn dir(&self) -> &Path {
        self.file
            .path()
            .parent()
            .expect("a manifest path has a parent")
    }
}

/// A workspace member, read from its own manifest.
#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub manifest_path: PathBuf,
    /// Entries of every real dependency table (`[dependencies]`, dev, build,
    /// per target), `workspace = true` resolved against the root.
    pub dependencies: Vec<Dependency>,
    /// Index into [`Workspace::manifests`] when the member declares
    /// namespaces or holds a managed entry.
    pub manifest: Option<usize>,
}

/// One entry of a real dependency table, as written.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// The key: the name the member's code uses.
    pub key: String,
    /// The package it names: `package = …`, else the key.
    pub package: String,
    pub source: DepSource,
    /// The key's span in the member's manifest.
    pub span: Range<usize>,
    /// From a `[dev-dependencies]` table, whose cycles cargo allows.
    pub dev: bool,
}

/// Where a dependency comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepSource {
    /// The package's folder, absolute and normalized.
    Path(PathBuf),
    /// The repository URL as written.
    Git(String),
    /// A registry, by name (`None`: the default one).
    Registry(Option<String>),
}

/// The loaded workspace.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    /// `manifests[0]` is the workspace root's `Cargo.toml`.
    pub manifests: Vec<Manifest>,
    pub members: Vec<Member>,
    /// Where the lock file lives (it may not exist yet).
    pub lock_path: PathBuf,
}

impl Workspace {
    pub fn root_manifest(&self) -> &Manifest {
        &self.manifests[0]
    }

    /// The real dependency entries of a member's manifest `doc` in `dir`,
    /// as [`Member::dependencies`] holds them (for a manifest edited in
    /// memory, as `migrate` does).
    pub fn dependencies_of(&self, doc: &Item, dir: &Path) -> Vec<Dependency> {
        dependencies(doc, dir, &self.root, self.manifests[0].doc.as_item())
    }
}

/// Finds the workspace and reads the manifests of its root and of every
/// member that declares namespaces or has a managed entry. Runs no cargo.
///
/// `Err` is a failure of the environment (I/O); problems of the user's
/// files are diagnostics.
pub fn load(
    manifest_path: Option<&Path>,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Workspace>> {
    let Some(root) = find_root(manifest_path, diags)? else {
        return Ok(None);
    };
    let root_manifest_path = root.join("Cargo.toml");
    let Some(root_manifest) = read_manifest(&root_manifest_path, diags)? else {
        return Ok(None);
    };
    let doc = root_manifest.doc.as_item();
    let facade_dir = normalize(
        &root.join(
            get_path(doc, &["workspace", "metadata", "facade", "dir"])
                .and_then(Item::as_str)
                .unwrap_or(DEFAULT_FACADE_DIR),
        ),
    );
    let config = doc
        .get("workspace")
        .filter(|w| w.is_table_like())
        .map(|w| WorkspaceConfig::new(&root, w));
    let mut loader = Loader {
        root: root.clone(),
        facade_dir,
        config,
        manifests: vec![root_manifest],
        members: Vec::new(),
        seen: BTreeSet::new(),
    };
    let paths = loader
        .config
        .as_ref()
        .map(WorkspaceConfig::member_paths)
        .unwrap_or_default();
    for (index, path) in paths {
        loader.add_member(&path.join("Cargo.toml"), Some(index), diags)?;
    }
    loader.add_member(&root_manifest_path, None, diags)?;
    let Loader {
        mut members,
        manifests,
        ..
    } = loader;
    members.sort_by(|a, b| a.manifest_path.cmp(&b.manifest_path));
    Ok(Some(Workspace {
        lock_path: root.join("Cargo.lock"),
        root,
        manifests,
        members,
    }))
}

/// The workspace root folder for `manifest_path` (or the current folder),
/// found as cargo finds it. `None` with a diagnostic when there is none.
pub fn find_root(
    manifest_path: Option<&Path>,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<PathBuf>> {
    let cwd = std::env::current_dir().context("failed to read the current folder")?;
    let start = match manifest_path {
        Some(path) => {
            let path = normalize(&cwd.join(path));
            if !path.is_file() {
                let what = if path.exists() {
                    "is not a file"
                } else {
                    "does not exist"
                };
                diags.push(
                    Diagnostic::error(format!("manifest path `{}` {what}", path.display()))
                        .help("pass the path of a `Cargo.toml` file to `--manifest-path`"),
                );
                return Ok(None);
            }
            path
        }
        None => match cwd
            .ancestors()
            .map(|dir| dir.join("Cargo.toml"))
            .find(|path| path.is_file())
        {
            Some(path) => path,
            None => {
                diags.push(
                    Diagnostic::error(format!(
                        "could not find `Cargo.toml` in `{}` or any parent folder",
                        cwd.display()
                    ))
                    .help("run the command inside a cargo workspace, or pass `--manifest-path`"),
                );
                return Ok(None);
            }
        },
    };
    let Some(manifest) = read_manifest(&start, diags)? else {
        return Ok(None);
    };
    let dir = manifest.dir().to_owned();
    let doc = manifest.doc.as_item();
    if doc.get("workspace").is_some() {
        return Ok(Some(dir));
    }
    if let Some(explicit) = get_path(doc, &["package", "workspace"]).and_then(Item::as_str) {
        return Ok(Some(normalize(&dir.join(explicit))));
    }
    // The first ancestor with a `[workspace]` that does not exclude us.
    for ancestor in dir.ancestors().skip(1) {
        if ancestor.ends_with("target/package") {
            break;
        }
        let candidate = ancestor.join("Cargo.toml");
        if !candidate.is_file() {
            continue;
        }
        let Some(parent) = read_manifest(&candidate, diags)? else {
            return Ok(None);
        };
        if let Some(workspace) = parent.doc.get("workspace").filter(|w| w.is_table_like())
            && !WorkspaceConfig::new(ancestor, workspace).is_excluded(&start)
        {
            return Ok(Some(ancestor.to_owned()));
        }
    }
    Ok(Some(dir))
}

/// `[workspace]`'s `members` and `exclude`, as written.
struct WorkspaceConfig {
    root: PathBuf,
    /// Each member pattern with its span in the root manifest.
    members: Vec<(String, Option<Range<usize>>)>,
    exclude: Vec<String>,
}

impl WorkspaceConfig {
    fn new(root: &Path, workspace: &Item) -> WorkspaceConfig {
        let strings = |key: &str| -> Vec<(String, Option<Range<usize>>)> {
            workspace
                .get(key)
                .and_then(Item::as_array)
                .map(|array| {
                    array
                        .iter()
                        .filter_map(|v| Some((v.as_str()?.to_owned(), v.span())))
                        .collect()
                })
                .unwrap_or_default()
        };
        WorkspaceConfig {
            root: root.to_owned(),
            members: strings("members"),
            exclude: strings("exclude").into_iter().map(|(s, _)| s).collect(),
        }
    }

    /// Cargo's `is_excluded`: below an `exclude` entry and below no
    /// `members` entry (compared as written, not expanded).
    fn is_excluded(&self, manifest_path: &Path) -> bool {
        let below = |entry: &String| manifest_path.starts_with(normalize(&self.root.join(entry)));
        self.exclude.iter().any(below) && !self.members.iter().any(|(m, _)| below(m))
    }

    /// Every folder `members` names, globs expanded (folders only, as
    /// cargo); a pattern that matches nothing stands for itself. Each with
    /// the index of its entry.
    fn member_paths(&self) -> Vec<(usize, PathBuf)> {
        let mut out = Vec::new();
        for (index, (pattern, _)) in self.members.iter().enumerate() {
            let full = self.root.join(pattern);
            let expanded: Vec<PathBuf> = full
                .to_str()
                .and_then(|p| glob::glob(p).ok())
                .map(|paths| paths.filter_map(Result::ok).collect())
                .unwrap_or_default();
            if expanded.is_empty() {
                out.push((index, normalize(&full)));
            } else {
                out.extend(
                    expanded
                        .into_iter()
                        .filter(|p| p.is_dir())
                        .map(|p| (index, normalize(&p))),
                );
            }
        }
        out
    }
}

/// Walks the members, as cargo's `find_members` and `find_path_deps`.
struct Loader {
    root: PathBuf,
    facade_dir: PathBuf,
    config: Option<WorkspaceConfig>,
    manifests: Vec<Manifest>,
    members: Vec<Member>,
    seen: BTreeSet<PathBuf>,
}

impl Loader {
    /// Adds the member at `manifest_path` and the path dependencies inside
    /// the root it has. `entry` is the index of the `members` entry naming
    /// it; `None` for the root package and path dependencies, which cargo
    /// adds when they exist.
    fn add_member(
        &mut self,
        manifest_path: &Path,
        entry: Option<usize>,
        diags: &mut Diagnostics,
    ) -> anyhow::Result<()> {
        let manifest_path = normalize(manifest_path);
        let dir = manifest_path
            .parent()
            .expect("a manifest path has a parent");
        if !self.seen.insert(manifest_path.clone())
            || !dir.starts_with(&self.root)
            || dir.starts_with(&self.facade_dir)
            || self
                .config
                .as_ref()
                .is_some_and(|c| c.is_excluded(&manifest_path))
        {
            return Ok(());
        }
        let root_manifest = self.manifests[0].path() == manifest_path;
        let manifest = if root_manifest {
            None
        } else {
            let bytes = match std::fs::read(&manifest_path) {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    if let Some(entry) = entry {
                        diags.push(self.missing_member(entry, &manifest_path));
                    }
                    return Ok(());
                }
                Err(err) => {
                    return Err(err)
                        .with_context(|| format!("failed to read `{}`", manifest_path.display()));
                }
            };
            if is_generated(&bytes) {
                return Ok(()); // a facade elsewhere: output, not input
            }
            match parse_manifest(&manifest_path, bytes, diags) {
                Some(manifest) => Some(manifest),
                None => return Ok(()),
            }
        };
        let doc = match &manifest {
            Some(manifest) => manifest.doc.as_item(),
            None => self.manifests[0].doc.as_item(),
        };
        let Some(name) = get_path(doc, &["package", "name"]).and_then(Item::as_str) else {
            return Ok(()); // a virtual manifest, or one cargo will reject
        };
        let name = name.to_owned();
        let dependencies = dependencies(doc, dir, &self.root, self.manifests[0].doc.as_item());
        let index = if root_manifest {
            Some(0)
        } else if declares_namespaces(doc, &dependencies) {
            self.manifests.extend(manifest);
            Some(self.manifests.len() - 1)
        } else {
            None
        };
        let paths: Vec<PathBuf> = dependencies
            .iter()
            .filter_map(|d| match &d.source {
                DepSource::Path(path) => Some(path.join("Cargo.toml")),
                _ => None,
            })
            .collect();
        self.members.push(Member {
            name,
            manifest_path: manifest_path.clone(),
            dependencies,
            manifest: index,
        });
        for path in paths {
            self.add_member(&path, None, diags)?;
        }
        Ok(())
    }

    fn missing_member(&self, entry: usize, manifest_path: &Path) -> Diagnostic {
        let root = &self.manifests[0];
        let mut diag = Diagnostic::error(format!(
            "workspace member `{}` has no `Cargo.toml`",
            manifest_path.parent().unwrap_or(manifest_path).display()
        ));
        if let Some((pattern, Some(span))) = self.config.as_ref().and_then(|c| c.members.get(entry))
        {
            diag = diag.at(&root.file, span.clone(), format!("`{pattern}` names it"));
        }
        diag.help("create the package there, or remove it from `workspace.members`")
    }
}

/// Whether a member has anything for cargo-facade: declarations, RFC syntax
/// in a real table, or a managed entry (a path dependency on a facade: a
/// package named `…-facade…`; a false match only costs reading the manifest).
fn declares_namespaces(doc: &Item, dependencies: &[Dependency]) -> bool {
    get_path(doc, &["package", "metadata", "facade"]).is_some()
        || dependencies.iter().any(|d| {
            d.key.contains("::")
                || d.package.contains("::")
                || (matches!(d.source, DepSource::Path(_))
                    && crate::name::facade_root(&d.package).is_some())
        })
        || doc
            .get("features")
            .and_then(Item::as_table_like)
            .is_some_and(|features| {
                features.iter().any(|(_, values)| {
                    values.as_array().is_some_and(|a| {
                        a.iter()
                            .any(|v| v.as_str().is_some_and(|s| s.contains("::")))
                    })
                })
            })
}

/// Every entry of the real dependency tables of `doc` (a manifest in `dir`).
fn dependencies(doc: &Item, dir: &Path, root: &Path, root_doc: &Item) -> Vec<Dependency> {
    fn in_table(at: &Item) -> Vec<(&Item, bool)> {
        DEPENDENCY_TABLES
            .iter()
            .filter_map(|t| Some((at.get(t)?, t.starts_with("dev"))))
            .collect()
    }
    let mut tables: Vec<(&Item, bool)> = in_table(doc);
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (_, target) in targets.iter() {
            tables.extend(in_table(target));
        }
    }
    let inherited = get_path(root_doc, &["workspace", "dependencies"]);
    let mut out = Vec::new();
    for (table, dev) in tables {
        let Some(table) = table.as_table_like() else {
            continue;
        };
        for (key, item) in table.iter() {
            let span = table
                .get_key_value(key)
                .and_then(|(k, _)| k.span())
                .unwrap_or(0..0);
            let inherits = item.get("workspace").and_then(Item::as_bool) == Some(true);
            let (spec, base) = match inherits {
                true => match inherited.and_then(|t| t.get(key)) {
                    Some(spec) => (spec, root),
                    None => continue, // cargo reports it
                },
                false => (item, dir),
            };
            let field = |name: &str| spec.get(name).and_then(Item::as_str);
            let source = if let Some(path) = field("path") {
                DepSource::Path(normalize(&base.join(path)))
            } else if let Some(git) = field("git") {
                DepSource::Git(git.to_owned())
            } else {
                DepSource::Registry(field("registry").map(str::to_owned))
            };
            out.push(Dependency {
                key: key.to_owned(),
                package: field("package").unwrap_or(key).to_owned(),
                source,
                span,
                dev,
            });
        }
    }
    out
}

/// Reads and parses a manifest; a broken file becomes a diagnostic.
pub fn read_manifest(path: &Path, diags: &mut Diagnostics) -> anyhow::Result<Option<Manifest>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    Ok(parse_manifest(path, bytes, diags))
}

fn parse_manifest(path: &Path, bytes: Vec<u8>, diags: &mut Diagnostics) -> Option<Manifest> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            diags.push(crate::diagnostic::not_utf8(path, err.as_bytes()));
            return None;
        }
    };
    let text = match resolve_tool_conflicts(path, text) {
        Ok(text) => text,
        Err(diag) => {
            diags.push(*diag);
            return None;
        }
    };
    let file = SourceFile::new(path.to_owned(), text.clone());
    match toml_edit::Document::parse(text) {
        Ok(doc) => Some(Manifest { file, doc }),
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::error(format!("invalid TOML in `{}`", path.display()))
                    .at(&file, span, err.message().trim_end().to_owned())
                    .help("fix the TOML syntax"),
            );
            None
        }
    }
}

/// A merge conflict whose every hunk holds only lines cargo-facade writes
/// (managed entries, `# managed` feature lines) is resolved here to its
/// first side: the manifest is then merely stale, and `sync` rewrites those
/// lines from the declarations (`write` compares with the bytes on disk).
/// A conflict in any other line is the user's to resolve: the error says
/// so and which conflicted lines are the tool's.
fn resolve_tool_conflicts(path: &Path, text: String) -> Result<String, Box<Diagnostic>> {
    if !text.lines().any(|line| line.starts_with("<<<<<<< ")) {
        return Ok(text);
    }
    #[derive(PartialEq)]
    enum Side {
        Outside,
        Ours,
        Base,
        Theirs,
    }
    let mut side = Side::Outside;
    let mut resolved = String::with_capacity(text.len());
    let mut tool_lines = Vec::new();
    let mut user_line: Option<(usize, Range<usize>)> = None;
    let mut offset = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let span = offset..offset + line.trim_end().len();
        offset += line.len();
        let marker = |m: &str| line.starts_with(m);
        match side {
            Side::Outside if marker("<<<<<<< ") => side = Side::Ours,
            Side::Outside => resolved.push_str(line),
            _ if marker("||||||| ") || line.trim_end() == "|||||||" => side = Side::Base,
            _ if line.trim_end() == "=======" => side = Side::Theirs,
            _ if marker(">>>>>>> ") || line.trim_end() == ">>>>>>>" => side = Side::Outside,
            _ => {
                if is_tool_line(line) {
                    tool_lines.push(number + 1);
                } else if !line.trim().is_empty() && user_line.is_none() {
                    user_line = Some((number + 1, span));
                }
                if side == Side::Ours {
                    resolved.push_str(line);
                }
            }
        }
    }
    let Some((_, span)) = user_line else {
        return Ok(resolved);
    };
    let file = SourceFile::new(path.to_owned(), text);
    let tool = if tool_lines.is_empty() {
        "none of the conflicted lines is cargo-facade's".to_owned()
    } else {
        format!(
            "cargo-facade writes conflicted line{} {} (managed entries and `# managed` features): \
             `cargo facade sync` rewrites {} once the rest is resolved",
            if tool_lines.len() == 1 { "" } else { "s" },
            tool_lines
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            if tool_lines.len() == 1 { "it" } else { "them" },
        )
    };
    Err(Box::new(
        Diagnostic::error(format!("unresolved merge conflict in `{}`", path.display()))
            .at(
                &file,
                span,
                "this conflicted line is yours, not cargo-facade's",
            )
            .note(tool)
            .help(
                "resolve the conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`) by hand, \
                 then run `cargo facade sync`",
            ),
    ))
}

/// A line cargo-facade writes in a user's manifest: a managed entry
/// (`foo = { path = …, package = "foo-facade-…" }`) or a feature line with
/// the managed marker.
fn is_tool_line(line: &str) -> bool {
    if line.contains(crate::marker::MANAGED_MARKER) {
        return true;
    }
    let Ok(doc) = line.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    let mut entries = doc.iter();
    matches!((entries.next(), entries.next()), (Some((key, item)), None) if crate::manifest::is_managed(key, item))
}

/// `cargo metadata --format-version 1`, `--no-deps` unless `resolve`.
/// The inner `Err` is cargo's stderr when cargo itself reported an error.
///
/// A full `cargo metadata` downloads every package of the resolve, also
/// those only another platform uses, which `cargo build` never fetches. So
/// offline, on a machine whose cache holds only what its builds needed, it
/// fails where the build would not; then it is asked again for the host's
/// packages only (`--filter-platform`), which resolves (and locks) the same
/// graph.
///
/// When cargo takes over a second (a cold index, downloads, a lock held by
/// another cargo), `shell` shows a progress line where cargo would show
/// its own ([`Shell::progress`]): its output is captured, not shown.
pub fn cargo_metadata(
    manifest_path: Option<&Path>,
    cargo: &CargoOptions,
    no_deps: bool,
    shell: &mut Shell,
) -> anyhow::Result<Result<cargo_metadata::Metadata, String>> {
    let metadata = cargo_metadata_for(manifest_path, cargo, no_deps, None, shell)?;
    match metadata {
        Err(stderr) if !no_deps && needs_download_offline(&stderr) => match host_triple() {
            Some(host) => cargo_metadata_for(manifest_path, cargo, no_deps, Some(&host), shell),
            None => Ok(Err(stderr)),
        },
        metadata => Ok(metadata),
    }
}

/// Cargo failed only because offline it could not download a package.
fn needs_download_offline(stderr: &str) -> bool {
    stderr.contains("failed to download") && stderr.contains("--offline was specified")
}

/// The host's target triple, as `rustc -vV` (`$RUSTC` if set) reports it.
fn host_triple() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = std::process::Command::new(rustc).arg("-vV").output().ok()?;
    String::from_utf8(output.stdout)
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
}

fn cargo_metadata_for(
    manifest_path: Option<&Path>,
    cargo: &CargoOptions,
    no_deps: bool,
    platform: Option<&str>,
    shell: &mut Shell,
) -> anyhow::Result<Result<cargo_metadata::Metadata, String>> {
    let mut command = cargo_command(cargo);
    command.args(["metadata", "--format-version", "1"]);
    if no_deps {
        command.arg("--no-deps");
    }
    if let Some(platform) = platform {
        command.args(["--filter-platform", platform]);
    }
    if let Some(path) = manifest_path {
        command.arg("--manifest-path").arg(path);
    }
    command.args(cargo.flags());
    let output = output_with_progress(&mut command, shell, || {
        format!(
            "the workspace with `cargo metadata{}`",
            if no_deps { " --no-deps" } else { "" }
        )
    })
    .context("failed to run `cargo metadata`")?;
    if !output.status.success() {
        // Cargo's progress lines ("Blocking waiting for file lock on package
        // cache" while another cargo runs) are not part of its error.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let error: Vec<&str> = stderr
            .lines()
            .filter(|line| {
                !line
                    .trim_start()
                    .starts_with("Blocking waiting for file lock")
            })
            .collect();
        return Ok(Err(error.join("\n")));
    }
    let stdout =
        std::str::from_utf8(&output.stdout).context("`cargo metadata` printed invalid UTF-8")?;
    let metadata = cargo_metadata::MetadataCommand::parse(stdout)
        .context("failed to parse `cargo metadata` output")?;
    Ok(Ok(metadata))
}

/// How long a step runs before a progress line says what it is doing.
const PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// [`std::process::Command::output`], printing `Resolving <what>` through
/// [`Shell::progress`] if the command is still running after
/// [`PROGRESS_AFTER`]; a fast command costs no waiting.
fn output_with_progress(
    command: &mut std::process::Command,
    shell: &mut Shell,
    what: impl FnOnce() -> String,
) -> std::io::Result<std::process::Output> {
    use std::process::Stdio;
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (done, finished) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let output = child.wait_with_output();
        let _ = done.send(());
        output
    });
    if finished.recv_timeout(PROGRESS_AFTER).is_err() {
        shell.progress("Resolving", what());
    }
    waiter.join().unwrap_or_else(|_| {
        Err(std::io::Error::other(
            "the thread waiting for cargo panicked",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> WorkspaceConfig {
        let doc: toml_edit::Document<String> = toml_edit::Document::parse(toml.to_owned()).unwrap();
        WorkspaceConfig::new(Path::new("/w"), doc.get("workspace").unwrap())
    }

    #[test]
    fn exclude_is_a_path_prefix_that_an_explicit_member_overrides() {
        let ws = config(
            "[workspace]\nmembers = [\"crates/*\", \"vendor/kept\"]\nexclude = [\"vendor\", \"crates/old\"]\n",
        );
        assert!(ws.is_excluded(Path::new("/w/vendor/x/Cargo.toml")));
        assert!(!ws.is_excluded(Path::new("/w/vendor/kept/Cargo.toml")));
        // A glob entry is compared as written, so it does not override.
        assert!(ws.is_excluded(Path::new("/w/crates/old/Cargo.toml")));
        assert!(
            !ws.is_excluded(Path::new("/w/vendorx/Cargo.toml")),
            "whole components only"
        );
    }
}
