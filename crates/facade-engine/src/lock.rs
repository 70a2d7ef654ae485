//! Lock: one `sync` at a time per workspace.
//!
//! Every file is written atomically (see `write::write_atomic`), but
//! two syncs that read the tree at once could still interleave their writes
//! and the `Cargo.lock` refresh. An exclusive advisory lock on
//! `cargo-facade.lock` in cargo's target folder, held from before the
//! manifests are read until the last byte is written, serialises them; the
//! operating system releases it when the process ends, however it ends.
//! While it waits, `sync` says so as cargo does for its own locks.
//!
//! The target folder is found as cargo finds it, without running cargo:
//! `CARGO_TARGET_DIR`, `CARGO_BUILD_TARGET_DIR`, then `build.target-dir` of
//! the `.cargo/config.toml` files from the current folder up and of
//! `CARGO_HOME` (the nearest wins; a relative path is relative to the
//! folder that holds `.cargo`), else `<workspace root>/target`. So a
//! repository whose builds go elsewhere gets no untracked `target/`.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::CargoOptions;
use crate::shell::Shell;

/// The lock file's name in the target folder.
pub const LOCK_FILE: &str = "cargo-facade.lock";

/// An exclusive lock on a workspace; released when dropped.
#[derive(Debug)]
pub struct WorkspaceLock {
    _file: File,
    path: PathBuf,
}

impl WorkspaceLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Locks the workspace that `manifest_path` (or the current folder) belongs
/// to, waiting for another `sync` to finish. `None` when cargo cannot locate
/// the workspace: loading it fails next and reports why.
pub fn lock_workspace(
    manifest_path: Option<&Path>,
    cargo: &CargoOptions,
    shell: &mut Shell,
) -> anyhow::Result<Option<WorkspaceLock>> {
    let Some(root) = workspace_root(manifest_path, cargo)? else {
        return Ok(None);
    };
    lock_root(&root, shell).map(Some)
}

/// Locks the workspace rooted at `root`.
pub fn lock_root(root: &Path, shell: &mut Shell) -> anyhow::Result<WorkspaceLock> {
    let dir = target_dir(root);
    let path = dir.join(LOCK_FILE);
    let dir = dir.as_path();
    fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("failed to open `{}`", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            shell.status("Blocking", "waiting for file lock on facades");
            file.lock()
                .with_context(|| format!("failed to lock `{}`", path.display()))?;
        }
        Err(TryLockError::Error(err)) => {
            return Err(err).with_context(|| format!("failed to lock `{}`", path.display()));
        }
    }
    Ok(WorkspaceLock { _file: file, path })
}

/// Cargo's target folder for the workspace at `root` (see the module
/// header for the order).
pub fn target_dir(root: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_owned());
    for var in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"] {
        if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return cwd.join(dir);
        }
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|h| h.join(".cargo")));
    let configs = cwd
        .ancestors()
        .map(|dir| dir.join(".cargo"))
        .chain(home)
        .flat_map(|dir| [dir.join("config.toml"), dir.join("config")]);
    for config in configs {
        if let Some(dir) = config_target_dir(&config) {
            return dir;
        }
    }
    root.join("target")
}

/// `build.target-dir` of one cargo config file, resolved.
fn config_target_dir(config: &Path) -> Option<PathBuf> {
    let text = fs::read_to_string(config).ok()?;
    let doc: toml::Table = text.parse().ok()?;
    let dir = doc.get("build")?.get("target-dir")?.as_str()?;
    // Relative to the folder that holds `.cargo`.
    let base = config.parent()?.parent()?;
    Some(base.join(dir))
}

/// The workspace root as cargo finds it, `None` when cargo cannot.
fn workspace_root(
    manifest_path: Option<&Path>,
    cargo: &CargoOptions,
) -> anyhow::Result<Option<PathBuf>> {
    let mut command = crate::cargo::cargo_command(cargo);
    command.args(["locate-project", "--workspace", "--message-format", "plain"]);
    if let Some(path) = manifest_path {
        command.arg("--manifest-path").arg(path);
    }
    let output = command
        .output()
        .context("failed to run `cargo locate-project`")?;
    if !output.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let manifest = PathBuf::from(text.trim_end_matches(['\n', '\r']));
    Ok(manifest.parent().map(Path::to_owned))
}
