//! Lock: one `sync` at a time per workspace.
//!
//! Every file is written atomically (see [`crate::write::write_atomic`]), but
//! two syncs that read the tree at once could still interleave their writes
//! and the `Cargo.lock` refresh. An exclusive advisory lock on
//! `<workspace root>/target/cargo-facade.lock`, held from before the
//! manifests are read until the last byte is written, serialises them; the
//! operating system releases it when the process ends, however it ends.
//! While it waits, `sync` says so as cargo does for its own locks.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::CargoOptions;
use crate::shell::Shell;

/// The lock file, relative to the workspace root.
pub const LOCK_PATH: &str = "target/cargo-facade.lock";

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
    let path = root.join(LOCK_PATH);
    let dir = path.parent().expect("the lock path has a folder");
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

/// The workspace root as cargo finds it, `None` when cargo cannot.
fn workspace_root(
    manifest_path: Option<&Path>,
    cargo: &CargoOptions,
) -> anyhow::Result<Option<PathBuf>> {
    let mut command = crate::load::cargo_command(cargo);
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
