//! Load: one `cargo metadata --no-deps` call for the workspace's shape, then
//! the raw text of every manifest that matters, parsed once with spans.
//!
//! Nothing here judges the declarations; that is [`crate::plan`]'s job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::Context as _;

use crate::CargoOptions;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

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

/// A workspace member as cargo reports it.
#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub manifest_path: PathBuf,
    /// Dependencies of every kind, as cargo read them.
    pub dependencies: Vec<cargo_metadata::Dependency>,
    /// Index into [`Workspace::manifests`] when the member's manifest was read.
    pub manifest: Option<usize>,
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
}

/// Runs `cargo metadata` and reads the manifests of the workspace root and
/// of every member that declares namespaces or has a managed entry.
///
/// `Err` is a failure of the environment (cargo missing, I/O); problems of
/// the user's files are diagnostics.
pub fn load(
    manifest_path: Option<&Path>,
    cargo: &CargoOptions,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Workspace>> {
    let metadata = match cargo_metadata(manifest_path, cargo, true)? {
        Ok(metadata) => metadata,
        Err(stderr) => {
            diags.push(crate::blame::load_failure(&stderr));
            return Ok(None);
        }
    };
    let root: PathBuf = metadata.workspace_root.clone().into();
    let root_manifest_path = root.join("Cargo.toml");
    let mut manifests = Vec::new();
    let mut by_path = BTreeMap::new();
    match read_manifest(&root_manifest_path, diags)? {
        Some(manifest) => {
            by_path.insert(root_manifest_path.clone(), 0);
            manifests.push(manifest);
        }
        None => return Ok(None),
    }
    let mut members = Vec::new();
    let member_ids: std::collections::HashSet<_> = metadata.workspace_members.iter().collect();
    for package in &metadata.packages {
        if !member_ids.contains(&package.id) {
            continue;
        }
        let manifest_path: PathBuf = package.manifest_path.clone().into();
        let interesting = !package
            .metadata
            .get("facade")
            .is_none_or(serde_json::Value::is_null)
            || package.dependencies.iter().any(|dep| {
                (dep.path.is_some() && crate::plan::facade_root(&dep.name).is_some())
                    || dep.name.contains("::")
                    || dep.rename.as_deref().is_some_and(|r| r.contains("::"))
            });
        let manifest = if let Some(&index) = by_path.get(&manifest_path) {
            Some(index)
        } else if interesting {
            match read_manifest(&manifest_path, diags)? {
                Some(manifest) => {
                    manifests.push(manifest);
                    by_path.insert(manifest_path.clone(), manifests.len() - 1);
                    Some(manifests.len() - 1)
                }
                None => None,
            }
        } else {
            None
        };
        members.push(Member {
            name: package.name.to_string(),
            manifest_path,
            dependencies: package.dependencies.clone(),
            manifest,
        });
    }
    members.sort_by(|a, b| a.manifest_path.cmp(&b.manifest_path));
    Ok(Some(Workspace {
        lock_path: root.join("Cargo.lock"),
        root,
        manifests,
        members,
    }))
}

/// Reads and parses a manifest; a broken file becomes a diagnostic.
pub fn read_manifest(path: &Path, diags: &mut Diagnostics) -> anyhow::Result<Option<Manifest>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            diags.push(crate::blame::not_utf8(path, err.as_bytes()));
            return Ok(None);
        }
    };
    let file = SourceFile::new(path.to_owned(), text.clone());
    match toml_edit::Document::parse(text) {
        Ok(doc) => Ok(Some(Manifest { file, doc })),
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::error(format!("invalid TOML in `{}`", path.display()))
                    .at(&file, span, err.message().trim_end().to_owned())
                    .help("fix the TOML syntax; cargo-facade changed no file"),
            );
            Ok(None)
        }
    }
}

/// `cargo metadata --format-version 1`, `--no-deps` unless `resolve`.
/// The inner `Err` is cargo's stderr when cargo itself reported an error.
pub fn cargo_metadata(
    manifest_path: Option<&Path>,
    cargo: &CargoOptions,
    no_deps: bool,
) -> anyhow::Result<Result<cargo_metadata::Metadata, String>> {
    let mut command = cargo_command(cargo);
    command.args(["metadata", "--format-version", "1"]);
    if no_deps {
        command.arg("--no-deps");
    }
    if let Some(path) = manifest_path {
        command.arg("--manifest-path").arg(path);
    }
    command.args(cargo.flags());
    let output = command.output().context("failed to run `cargo metadata`")?;
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

/// A `cargo` process: `$CARGO` when run by cargo, else `cargo` on `PATH`.
pub fn cargo_command(_cargo: &CargoOptions) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(program)
}

/// A cargo invocation that failed, reported with cargo's own words.
pub fn cargo_failed(what: &str, stderr: &str) -> Diagnostic {
    Diagnostic::raw(stderr.trim_end())
        .note(format!("reported by `{what}`, which cargo-facade runs"))
}
