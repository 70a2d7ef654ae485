//! The generated tree's format (as cargo-hakari's `dep-format-version`),
//! read before anything else: a tree written by a newer cargo-facade is
//! refused ("upgrade cargo-facade") before its manifests are read, so no
//! misleading error blames the user; a tree in an older format is rewritten
//! only when the user asks (`sync --upgrade`), since the upgrade renames
//! facades and so changes the consumer manifests and `Cargo.lock`.
//!
//! The format is read from every generated facade manifest below the
//! facade folder (`[package.metadata.cargo-facade] format`, see
//! `marker::FORMAT`); a tree without generated facades has no format yet.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::Options;
use crate::diagnostic::{Diagnostic, Diagnostics, InputErrors, Label, SourceFile};
use crate::load;
use crate::manifest::get_path;
use crate::marker::{FORMAT, is_generated, recorded_format};
use crate::plan::DEFAULT_DIR;
use crate::shell::Shell;

/// What the facade folder holds, by format.
pub(crate) enum TreeFormat {
    /// This release's format, or no generated facade yet.
    Current,
    /// An older format, in `manifest` (the first such facade manifest).
    Older { format: u32, manifest: PathBuf },
}

/// Reads the tree's format; a facade manifest of a newer format is an
/// error (reported, exit 2) naming its file and line.
pub(crate) fn read(options: &Options, shell: &mut Shell) -> anyhow::Result<TreeFormat> {
    let Some(root) = load::find_root(
        options.manifest_path.as_deref(),
        &mut Diagnostics::default(),
    )?
    else {
        return Ok(TreeFormat::Current);
    };
    let mut older = None;
    let mut newer = Vec::new();
    for manifest in facade_manifests(&facade_dir(&root)) {
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        if !is_generated(text.as_bytes()) {
            continue;
        }
        let Some((format, span)) = recorded_format(&text) else {
            continue;
        };
        if format > FORMAT {
            let file = SourceFile::new(manifest.clone(), text.clone());
            newer.push(newer_format(&file, format, span));
        } else if format < FORMAT && older.is_none() {
            older = Some(TreeFormat::Older { format, manifest });
        }
    }
    if !newer.is_empty() {
        let count = newer.len();
        for diag in &newer {
            shell.diagnostic(diag);
        }
        return Err(InputErrors { count }.into());
    }
    Ok(older.unwrap_or(TreeFormat::Current))
}

/// For `sync` and `migrate` without `--upgrade`: an older tree is an error
/// that says what to run.
pub(crate) fn require_current(
    options: &Options,
    upgrade: bool,
    shell: &mut Shell,
) -> anyhow::Result<()> {
    match read(options, shell)? {
        TreeFormat::Older { format, manifest } if !upgrade => {
            shell.diagnostic(&older_format(&manifest, format, shell));
            Err(InputErrors { count: 1 }.into())
        }
        _ => Ok(()),
    }
}

/// The one-line explanation of an older tree, with the command to run.
pub(crate) fn older_format(manifest: &Path, format: u32, shell: &Shell) -> Diagnostic {
    Diagnostic::error(format!(
        "`{}` was written by an older cargo-facade (format {format}); this one writes format {FORMAT}",
        shell.display_path(manifest)
    ))
    .note(what_upgrading_changes(format))
    .help("run `cargo facade sync --upgrade` to rewrite the facades in the new format")
}

/// What `sync --upgrade` changes, from `format` to [`FORMAT`].
fn what_upgrading_changes(format: u32) -> String {
    const COMMENTS: &str = "every managed entry and managed `[features]` line in the \
                            members' manifests gains a comment saying to run `cargo facade sync`";
    const ELISION: &str = "a member whose facade would present nothing its root does not (it \
                           declares the root alone, or the root re-exports each declared child \
                           as itself) depends on the root crate itself, and that facade is \
                           removed";
    match format {
        4.. => format!("format {FORMAT}: {ELISION}; no other facade is renamed"),
        3 => format!(
            "since format 4 {COMMENTS}; since format 5 {ELISION}; no other facade is renamed"
        ),
        _ => format!(
            "since format 3 facades are named by the names they present and who uses them, not \
             by versions, so upgrading renames facades once (consumer manifests and Cargo.lock \
             change); since format 4 {COMMENTS}; since format 5 {ELISION}"
        ),
    }
}

fn newer_format(
    file: &Arc<SourceFile>,
    format: u32,
    span: Option<std::ops::Range<usize>>,
) -> Diagnostic {
    let shown = if format == u32::MAX {
        "an unknown format".to_owned()
    } else {
        format!("format {format}")
    };
    Diagnostic::error(format!(
        "written by a newer cargo-facade ({shown}): upgrade cargo-facade"
    ))
    .label(Label::new(
        file,
        span.unwrap_or(0..0),
        format!("this facade was written in {shown}"),
    ))
    .note(format!(
        "this cargo-facade reads and writes format {FORMAT}; it would misread a newer tree, so it \
         changed nothing"
    ))
    .help("install the cargo-facade release your team uses (`cargo install cargo-facade`)")
}

/// The facade folder as `[workspace.metadata.facade] dir` names it (the
/// default where the root manifest cannot be read: `load` reports that).
fn facade_dir(root: &Path) -> PathBuf {
    let dir = std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok())
        .and_then(|doc| {
            get_path(doc.as_item(), &["workspace", "metadata", "facade", "dir"])
                .and_then(|item| item.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| DEFAULT_DIR.to_owned());
    root.join(dir)
}

/// Every `Cargo.toml` one level (the first layout) and two levels below the
/// facade folder, in a stable order; symlinks are not followed.
fn facade_manifests(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for folder in subfolders(dir) {
        out.push(folder.join("Cargo.toml"));
        for inner in subfolders(&folder) {
            out.push(inner.join("Cargo.toml"));
        }
    }
    out.retain(|path| path.is_file());
    out
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}
