//! `cargo facade add 'acme::http=acme-http' [VERSION | --path P]`: writes a
//! declaration as `cargo add` writes a dependency (toml_edit, in the
//! member of the current folder or `-p`), then runs `sync` on the result:
//! both are written, or neither. Without a version, cargo itself picks it:
//! `cargo add` runs on a scratch package in cargo's target folder (with the
//! workspace's cargo configuration, so registries and source replacement
//! apply) and its choice is copied.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, InlineTable, Item, Value};

use super::{lock_unless, sync, target_member};
use crate::diagnostic::{Diagnostic, InputErrors};
use crate::load::Workspace;
use crate::manifest::{DepKind, TableId, ensure_path};
use crate::name::DeclName;
use crate::outside::{add_features, set_version};
use crate::paths::{normalize, relative};
use crate::shell::Shell;
use crate::{Exit, Options};

/// What `add` declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddOptions {
    /// `NAME[=PACKAGE][@VERSION]`: `acme::http=acme-http@1.2`, `acme`.
    pub spec: String,
    /// The version requirement (instead of `@VERSION`).
    pub version: Option<String>,
    /// A path child or root: its folder (relative to the current folder).
    pub path: Option<PathBuf>,
    pub features: Vec<String>,
    pub kind: DepKind,
    pub optional: bool,
    /// The member to edit (default: the package of the current folder).
    pub package: Option<String>,
    pub dry_run: bool,
}

/// A parsed `NAME[=PACKAGE][@VERSION]`.
struct AddSpec {
    name: DeclName,
    package: Option<String>,
    version: Option<String>,
}

/// Runs `add`.
pub fn run(opts: &AddOptions, options: &Options, shell: &mut Shell) -> anyhow::Result<Exit> {
    let _lock = lock_unless(opts.dry_run, options, shell)?;
    let spec = parse_spec(&opts.spec, opts.version.as_deref(), shell)?;
    let (ws, manifest_path, text) = target_member(opts.package.as_deref(), options, shell)?;
    let package = match (&spec.package, &spec.name) {
        (Some(package), _) => Some(package.clone()),
        (None, DeclName::Root(root)) => Some(root.clone()),
        (None, DeclName::Child { .. }) if opts.path.is_some() => None,
        (None, DeclName::Child { root, child }) => {
            shell.diagnostic(
                &Diagnostic::error(format!(
                    "`{}` needs the package that provides it",
                    spec.name
                ))
                .note("a registry or git child is never guessed from its name")
                .help(format!(
                    "name it after `=`: `cargo facade add '{root}::{child}={root}-{child}'` \
                     (if that is its package)"
                )),
            );
            return Err(InputErrors { count: 1 }.into());
        }
    };
    let version = match (&spec.version, &opts.path, &package) {
        (Some(version), _, _) => Some(version.clone()),
        (None, None, Some(package)) => Some(pick_version(&ws, package, options, shell)?),
        _ => None,
    };
    let path = opts.path.as_ref().map(|path| {
        let cwd = std::env::current_dir().unwrap_or_default();
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        relative(dir, &normalize(&cwd.join(path)))
    });
    let package_key = match (&spec.name, &package) {
        (DeclName::Root(root), Some(package)) if package == root => None,
        (_, package) => package.clone(),
    };
    let Ok(mut doc) = text.parse::<DocumentMut>() else {
        // The plan reports the syntax error with its place.
        return sync::run_edited(opts.dry_run, &BTreeMap::new(), options, shell);
    };
    let table = TableId {
        target: None,
        kind: opts.kind,
    };
    let declarations = ensure_path(&mut doc, &table.mirror_path());
    let key = spec.name.to_string();
    let features = split_features(&opts.features);
    match declarations.get_mut(&key) {
        Some(existing) => {
            // As `cargo add` on an existing dependency: what was asked
            // changes, the rest stays.
            if let Some(version) = &spec.version {
                set_version(existing, version);
            }
            if !features.is_empty() {
                add_features(existing, &features);
            }
            if opts.optional
                && let Some(table) = existing.as_table_like_mut()
            {
                table.insert("optional", Item::Value(true.into()));
            }
        }
        None => {
            let entry = entry(
                version.as_deref(),
                package_key.as_deref(),
                path.as_deref(),
                &features,
                opts.optional,
            );
            declarations.insert(&key, Item::Value(entry));
        }
    }
    let member = ws
        .members
        .iter()
        .find(|m| m.manifest_path == manifest_path)
        .map_or("", |m| m.name.as_str());
    let what = match (&version, &path) {
        (_, Some(path)) => format!("path {path}"),
        (Some(version), None) => format!("{} {version}", package.as_deref().unwrap_or_default()),
        (None, None) => String::new(),
    };
    shell.status(
        "Adding",
        format!(
            "`{key}` ({what}) to {} of {member}",
            table.display("package.metadata.facade.")
        ),
    );
    let mut edited = BTreeMap::new();
    edited.insert(manifest_path, doc.to_string());
    sync::run_edited(opts.dry_run, &edited, options, shell)
}

/// `NAME[=PACKAGE][@VERSION]`, the name checked by the RFC's grammar.
fn parse_spec(spec: &str, version: Option<&str>, shell: &mut Shell) -> anyhow::Result<AddSpec> {
    let (rest, at_version) = match spec.rsplit_once('@') {
        Some((rest, version)) => (rest, Some(version.to_owned())),
        None => (spec, None),
    };
    let (name, package) = match rest.split_once('=') {
        Some((name, package)) => (name, Some(package.to_owned())),
        None => (rest, None),
    };
    let name = match DeclName::parse(name) {
        Ok(name) => name,
        Err(err) => {
            let mut diag = Diagnostic::error(err.message).help(err.help);
            for note in err.notes {
                diag = diag.note(note);
            }
            shell.diagnostic(&diag);
            return Err(InputErrors { count: 1 }.into());
        }
    };
    if at_version.is_some() && version.is_some() {
        shell.diagnostic(
            &Diagnostic::error(format!("`{spec}` gives a version twice"))
                .help("give it either after `@` or as the second argument"),
        );
        return Err(InputErrors { count: 1 }.into());
    }
    Ok(AddSpec {
        name,
        package,
        version: at_version.or(version.map(str::to_owned)),
    })
}

/// `-F a,b -F c` as cargo splits it (commas and spaces).
fn split_features(features: &[String]) -> Vec<String> {
    features
        .iter()
        .flat_map(|f| f.split([',', ' ']))
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A new declaration as `cargo add` writes a dependency: a plain
/// requirement when that is all, else an inline table.
fn entry(
    version: Option<&str>,
    package: Option<&str>,
    path: Option<&str>,
    features: &[String],
    optional: bool,
) -> Value {
    if let (Some(version), None, None, [], false) = (version, package, path, features, optional) {
        return Value::from(version);
    }
    let mut table = InlineTable::new();
    if let Some(version) = version {
        table.insert("version", version.into());
    }
    if let Some(package) = package {
        table.insert("package", package.into());
    }
    if let Some(path) = path {
        table.insert("path", path.into());
    }
    if !features.is_empty() {
        table.insert("features", Value::Array(Array::from_iter(features)));
    }
    if optional {
        table.insert("optional", true.into());
    }
    Value::InlineTable(table)
}

/// The requirement `cargo add PACKAGE` writes, asked of cargo itself on a
/// scratch package below cargo's target folder, run from the workspace root
/// so that its `.cargo/config.toml` (registries, source replacement) applies.
fn pick_version(
    ws: &Workspace,
    package: &str,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<String> {
    let scratch = crate::lock::target_dir(&ws.root).join("cargo-facade/add");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("src"))?;
    std::fs::write(
        scratch.join("Cargo.toml"),
        "[package]\nname = \"cargo-facade-add\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )?;
    std::fs::write(scratch.join("src/lib.rs"), "")?;
    let mut command = crate::cargo::cargo_command(&options.cargo);
    command
        .args(["add", package, "--quiet", "--manifest-path"])
        .arg(scratch.join("Cargo.toml"))
        .args(options.cargo.flags())
        .current_dir(&ws.root);
    shell.verbose(
        "Running",
        format!("`cargo add {package}` on a scratch package to pick its version"),
    );
    let output = command.output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        shell.diagnostic(
            &crate::cargo::cargo_failed("cargo add", &stderr).help(format!(
                "check the package name `{package}`, or give a version (`@1.2`) or `--path`"
            )),
        );
        return Err(InputErrors { count: 1 }.into());
    }
    let written = std::fs::read_to_string(scratch.join("Cargo.toml"))?;
    let doc: DocumentMut = written.parse()?;
    let entry = doc
        .get("dependencies")
        .and_then(|deps| deps.get(package))
        .ok_or_else(|| anyhow::anyhow!("`cargo add {package}` wrote no dependency"))?;
    let version = match entry {
        Item::Value(Value::String(version)) => Some(version.value().clone()),
        other => other
            .get("version")
            .and_then(Item::as_str)
            .map(str::to_owned),
    };
    version.ok_or_else(|| anyhow::anyhow!("`cargo add {package}` wrote no version"))
}
