//! The packages that path declarations point at: their own `Cargo.toml`
//! read once per directory (name, library target, features, repository).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, Label, SourceFile};
use crate::schema::RawPackageManifest;

/// What a path dependency's own manifest says.
#[derive(Debug, Clone)]
pub(super) struct PathPackage {
    pub name: String,
    pub has_lib: bool,
    pub features: BTreeSet<String>,
    /// The keys of its `[dependencies]`: an optional one is also a feature
    /// (cargo's implicit features).
    pub dependencies: BTreeSet<String>,
    pub repository: Option<String>,
}

/// Package manifests read for path declarations, by directory (`None`:
/// unreadable, already reported).
#[derive(Default)]
pub(super) struct PathPackages(BTreeMap<PathBuf, Option<PathPackage>>);

impl PathPackages {
    /// The package at `dir`, read by `read` the first time only.
    pub(super) fn get(
        &mut self,
        dir: &Path,
        read: impl FnOnce() -> Option<PathPackage>,
    ) -> Option<PathPackage> {
        self.0.entry(dir.to_owned()).or_insert_with(read).clone()
    }
}

/// Reads the package at a path declaration; `written` is its `path` as
/// written, `key_text` the declaration, for messages.
pub(super) fn read_path_package(
    diags: &mut Diagnostics,
    dir: &Path,
    written: &str,
    key: &Label,
    key_text: &str,
) -> Option<PathPackage> {
    let manifest_path = dir.join("Cargo.toml");
    let text = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(err) => {
            if err.kind() == std::io::ErrorKind::InvalidData
                && let Ok(bytes) = std::fs::read(&manifest_path)
            {
                diags.push(
                    crate::diagnostic::not_utf8(&manifest_path, &bytes)
                        .label(key.clone().with_text("declared here")),
                );
                return None;
            }
            let what = if dir.exists() {
                format!("`{written}` has no readable `Cargo.toml` ({err})")
            } else {
                format!("path `{written}` does not exist")
            };
            diags.push(
                Diagnostic::error(format!("`{key_text}`: {what}"))
                    .label(key.clone().with_text("declared here"))
                    .note(format!("looked for `{}`", manifest_path.display()))
                    .help("fix `path`: it is relative to the manifest that declares it"),
            );
            return None;
        }
    };
    let file = SourceFile::new(manifest_path.clone(), text);
    let raw: RawPackageManifest = match toml_edit::de::from_str(file.text()) {
        Ok(raw) => raw,
        Err(err) => {
            diags.push(
                Diagnostic::error(format!(
                    "`{key_text}`: cannot read the package at `{written}`"
                ))
                .at(&file, err.span().unwrap_or(0..0), err.message().to_owned())
                .label(key.clone().with_text("declared here"))
                .help(format!(
                    "fix the manifest of the package at `{written}`, or `path` if it points \
                     at the wrong folder"
                )),
            );
            return None;
        }
    };
    let Some(name) = raw.package.as_ref().and_then(|p| p.name.clone()) else {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}`: `{}` has no `[package] name`",
                manifest_path.display()
            ))
            .label(key.clone().with_text("declared here"))
            .help("a path declaration must point at a package, not a virtual workspace manifest"),
        );
        return None;
    };
    let autolib = raw.package.as_ref().and_then(|p| p.autolib).unwrap_or(true);
    let has_lib = raw.lib.is_some() || (autolib && dir.join("src/lib.rs").is_file());
    let features = raw
        .features
        .map(|f| f.into_keys().collect())
        .unwrap_or_default();
    let dependencies = raw
        .dependencies
        .map(|d| d.into_keys().collect())
        .unwrap_or_default();
    let repository = raw
        .package
        .as_ref()
        .and_then(|p| p.repository.as_ref())
        .and_then(|r| r.as_str())
        .map(str::to_owned);
    Some(PathPackage {
        name,
        has_lib,
        features,
        dependencies,
        repository,
    })
}
