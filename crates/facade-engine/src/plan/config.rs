//! `[workspace.metadata.facade] dir`: where the facades live, checked to
//! stay inside the workspace.

use std::path::{Component, Path, PathBuf};

use super::{DEFAULT_DIR, get_path};
use crate::diagnostic::{Diagnostic, Diagnostics, Label};
use crate::load::{Manifest, Workspace};

/// `[workspace.metadata.facade] dir`, checked to stay inside the workspace.
pub(super) fn facade_dir(
    ws: &Workspace,
    diags: &mut Diagnostics,
    root: &Manifest,
) -> Option<PathBuf> {
    let config = get_path(root.doc.as_item(), &["workspace", "metadata", "facade"]);
    let Some((key, item)) = config
        .and_then(|c| c.as_table_like())
        .and_then(|t| t.get_key_value("dir"))
    else {
        return Some(ws.root.join(DEFAULT_DIR));
    };
    let label = Label::new(
        &root.file,
        item.span().or_else(|| key.span()).unwrap_or(0..0),
        "",
    );
    let Some(dir) = item.as_str() else {
        diags.push(
            Diagnostic::error("`workspace.metadata.facade.dir` must be a string")
                .label(label.with_text("expected a relative path such as \"facades\""))
                .help("write the folder as a string, e.g. `dir = \"facades\"`"),
        );
        return None;
    };
    let path = Path::new(dir);
    let escapes = path.is_absolute()
        || path.has_root()
        || path
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        || path.components().next().is_none()
        || path.components().all(|c| c == Component::CurDir)
        // Absolute on Windows; `~` is never expanded.
        || dir.contains('\\')
        || dir.contains(':')
        || dir.starts_with('~');
    if escapes {
        diags.push(
            Diagnostic::error(format!(
                "facade dir `{dir}` is not a folder inside the workspace"
            ))
            .label(label.with_text("absolute, empty or escaping with `..`"))
            .help(
                "use a relative path with `/` separators below the workspace root, e.g. \
                 `dir = \"facades\"`",
            ),
        );
        return None;
    }
    let full = ws.root.join(path);
    // A symlink anywhere on the way could lead outside the workspace.
    let mut walk = ws.root.clone();
    for component in path.components() {
        walk.push(component);
        if walk
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            diags.push(
                Diagnostic::error(format!("facade dir `{dir}` goes through a symlink (`{}`)", walk.display()))
                    .label(label.with_text("symlinked path"))
                    .note("cargo-facade writes only inside the workspace and never follows symlinks to do so")
                    .help("point `dir` at a real folder inside the workspace"),
            );
            return None;
        }
    }
    Some(full)
}
