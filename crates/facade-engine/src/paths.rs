//! Paths: lexical path arithmetic shared by every stage (foundation: imports
//! nothing of the crate). Nothing here touches the file system.

use std::path::{Component, Path, PathBuf};

/// Resolves `.` and `..` without touching the file system, as cargo's
/// `normalize_path`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to `from`, with `/` separators as manifests write paths.
pub fn relative(from: &Path, to: &Path) -> String {
    let rel = pathdiff::diff_paths(to, from).unwrap_or_else(|| to.to_owned());
    let text = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(
            normalize(Path::new("/w/app/../crates/./x")),
            PathBuf::from("/w/crates/x")
        );
    }

    #[test]
    fn relative_paths_use_slashes() {
        assert_eq!(
            relative(Path::new("/w/app"), Path::new("/w/facades/foo")),
            "../facades/foo"
        );
        assert_eq!(
            relative(Path::new("/w/facades/foo"), Path::new("/w/foo")),
            "../../foo"
        );
        assert_eq!(relative(Path::new("/w"), Path::new("/w")), ".");
    }
}
