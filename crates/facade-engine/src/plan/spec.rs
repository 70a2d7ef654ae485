//! One declaration entry read into a [`Spec`]: cargo's dependency schema,
//! workspace inheritance (`workspace = true` from
//! `[workspace.metadata.facade.dependencies]`), the keys facades do not
//! support, and the source (path, registry or git) that provides it. Each
//! step is a function of its own, called in order by [`read_spec`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cargo_util_schemas::manifest::{
    InheritableDependency, TomlDependency, TomlDetailedDependency, TomlInheritedDependency,
};
use serde::de::IntoDeserializer as _;
use toml_edit::Item;

use super::path_package::{PathPackages, read_path_package};
use super::{Declaration, Source, Spec, TableId, normalize};
use crate::diagnostic::{Diagnostic, Diagnostics, Label, SourceFile};
use crate::load::{Manifest, Workspace};
use crate::name::DeclName;

/// A workspace-level declaration, for `workspace = true`.
pub(super) struct WorkspaceDecl<'a> {
    pub item: &'a Item,
    pub label: Label,
}

/// `[workspace.metadata.facade.dependencies]` by key.
pub(super) type WorkspaceDecls<'a> = BTreeMap<String, WorkspaceDecl<'a>>;

/// One entry of a declaration table, as written.
pub(super) struct Entry<'a> {
    pub manifest: &'a Manifest,
    /// Index into [`Plan::consumers`](super::Plan::consumers).
    pub consumer: usize,
    pub table: TableId,
    /// The table's key path, for messages: `package.metadata.facade.dependencies`.
    pub table_path: &'a str,
    /// In a real table, to be moved into the mirrored one by `sync`.
    pub adopted: bool,
    pub name: DeclName,
    pub key: Label,
    pub item: &'a Item,
}

/// A declaration after workspace inheritance: cargo's detailed dependency
/// and what the member's `workspace = true` entry adds to it.
struct Resolved {
    detailed: TomlDetailedDependency,
    /// The directory a `path` is relative to.
    base_dir: PathBuf,
    member_features: Option<Vec<String>>,
    member_optional: Option<bool>,
    member_default: Option<bool>,
    unused: Vec<String>,
}

/// The package that provides a declaration, and where from.
struct Provider {
    source: Source,
    package: String,
    has_default_feature: bool,
    repository: Option<String>,
    known_features: Option<std::collections::BTreeSet<String>>,
}

/// One entry as a [`Declaration`], or `None` with the reasons in `diags`.
pub(super) fn read_declaration(
    ws: &Workspace,
    ws_decls: &WorkspaceDecls<'_>,
    packages: &mut PathPackages,
    diags: &mut Diagnostics,
    entry: Entry<'_>,
) -> Option<Declaration> {
    let spec = read_spec(ws, ws_decls, packages, diags, &entry)?;
    Some(Declaration {
        name: entry.name,
        consumer: entry.consumer,
        table: entry.table,
        key: entry.key,
        spec,
        adopted: entry.adopted,
    })
}

/// Deserializes one declaration with cargo's schema and resolves it.
fn read_spec(
    ws: &Workspace,
    ws_decls: &WorkspaceDecls<'_>,
    packages: &mut PathPackages,
    diags: &mut Diagnostics,
    entry: &Entry<'_>,
) -> Option<Spec> {
    let resolved = resolve(ws, ws_decls, diags, entry)?;
    check_unused_keys(diags, entry, &resolved.unused)?;
    let detailed = &resolved.detailed;
    check_keys(diags, entry, detailed)?;

    let mut features: Vec<String> = detailed.features.clone().unwrap_or_default();
    features.extend(resolved.member_features.clone().unwrap_or_default());
    let default_features = resolved
        .member_default
        .or(detailed.default_features())
        .unwrap_or(true);
    let optional = resolved
        .member_optional
        .or(detailed.optional)
        .unwrap_or(false);

    let provider = match &detailed.path {
        Some(path) => path_provider(packages, diags, entry, &resolved.base_dir, path, detailed)?,
        None => registry_or_git_provider(diags, entry, detailed)?,
    };
    let foreign = read_foreign(diags, entry)?;
    check_version(diags, entry, detailed.version.as_deref())?;
    Some(Spec {
        package: provider.package,
        version: detailed.version.clone(),
        source: provider.source,
        features,
        default_features,
        optional,
        has_default_feature: provider.has_default_feature,
        foreign,
        repository: provider.repository,
        known_features: provider.known_features,
    })
}

/// A version requirement cargo would reject, reported at the declaration
/// (its `version` value where written there) rather than at the facade
/// manifest cargo would name, and by `check` as well as `sync`.
fn check_version(diags: &mut Diagnostics, entry: &Entry<'_>, version: Option<&str>) -> Option<()> {
    let Some(version) = version else {
        return Some(());
    };
    let Err(err) = cargo_metadata::semver::VersionReq::parse(version.trim()) else {
        return Some(());
    };
    let value = match entry.item {
        Item::Value(toml_edit::Value::String(s)) => s.span(),
        item => item
            .as_table_like()
            .and_then(|t| t.get("version"))
            .and_then(Item::span),
    };
    let label = match value {
        Some(span) => Label::new(&entry.manifest.file, span, format!("{err}")),
        None => entry
            .key
            .clone()
            .with_text(format!("inherits version `{version}`: {err}")),
    };
    diags.push(
        Diagnostic::error(format!(
            "`{}`: invalid version requirement `{version}`",
            entry.name
        ))
        .label(label)
        .help("write a requirement cargo accepts, such as `\"1.2\"` or `\"=1.2.3\"`"),
    );
    None
}

/// The entry as cargo's dependency, inherited from the workspace if it says
/// `workspace = true`.
fn resolve(
    ws: &Workspace,
    ws_decls: &WorkspaceDecls<'_>,
    diags: &mut Diagnostics,
    entry: &Entry<'_>,
) -> Option<Resolved> {
    let file = &entry.manifest.file;
    match deserialize::<InheritableDependency>(diags, file, entry.item, &entry.key, &entry.name)? {
        InheritableDependency::Value(dep) => Some(Resolved {
            unused: dep.unused_keys(),
            detailed: detailed(dep),
            base_dir: entry.manifest.dir().to_owned(),
            member_features: None,
            member_optional: None,
            member_default: None,
        }),
        InheritableDependency::Inherit(inherit) => {
            inherit_from_workspace(ws, ws_decls, diags, entry, inherit)
        }
    }
}

/// `"1"` as `{ version = "1" }`.
fn detailed(dep: TomlDependency) -> TomlDetailedDependency {
    match dep {
        TomlDependency::Simple(version) => TomlDetailedDependency {
            version: Some(version),
            ..Default::default()
        },
        TomlDependency::Detailed(detailed) => detailed,
    }
}

/// `workspace = true`: the workspace's declaration of the same key, with
/// the member's `features`, `optional` and `default-features` on top.
fn inherit_from_workspace(
    ws: &Workspace,
    ws_decls: &WorkspaceDecls<'_>,
    diags: &mut Diagnostics,
    entry: &Entry<'_>,
    inherit: TomlInheritedDependency,
) -> Option<Resolved> {
    let key_text = entry.name.to_string();
    let key = &entry.key;
    let unused = inherit._unused_keys.keys().cloned().collect();
    if !inherit.workspace {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}`: `workspace = false` is not supported"
            ))
            .label(key.clone().with_text("declared here"))
            .help("remove `workspace = false` and give the dependency's source"),
        );
        return None;
    }
    let root = ws.root_manifest();
    let Some(ws_decl) = ws_decls.get(&key_text) else {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}` inherits from the workspace, but `[workspace.metadata.facade.dependencies]` \
                 has no `{key_text}`"
            ))
            .label(key.clone().with_text("`workspace = true` here"))
            .help(format!(
                "declare `\"{key_text}\"` in `[workspace.metadata.facade.dependencies]` of `{}`",
                root.path().display()
            )),
        );
        return None;
    };
    let ws_dep = deserialize::<TomlDependency>(
        diags,
        &root.file,
        ws_decl.item,
        &ws_decl.label,
        &entry.name,
    )?;
    let detailed = detailed(ws_dep);
    if detailed.optional.is_some() {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}`: `optional` is not allowed in workspace declarations"
            ))
            .label(ws_decl.label.clone().with_text("workspace declaration"))
            .help("remove `optional` here and set it in the member's declaration"),
        );
        return None;
    }
    let default = inherit.default_features.or(inherit.default_features2);
    Some(Resolved {
        detailed,
        base_dir: ws.root.clone(),
        member_features: inherit.features,
        member_optional: inherit.optional,
        member_default: default,
        unused,
    })
}

/// Keys cargo's schema did not use: warnings, except a mistyped `workspace`.
fn check_unused_keys(diags: &mut Diagnostics, entry: &Entry<'_>, unused: &[String]) -> Option<()> {
    let key_text = &entry.name;
    let key = &entry.key;
    for unused in unused {
        if unused == "foreign" {
            continue;
        }
        if unused == "workspace" {
            // Cargo's schema reads a non-boolean `workspace` as an unused
            // key; it can only be a mistyped `workspace = true`.
            let span = entry
                .item
                .as_table_like()
                .and_then(|t| t.get("workspace"))
                .and_then(Item::span);
            let mut diag = Diagnostic::error(format!("`{key_text}`: `workspace` must be `true`"));
            if let Some(span) = span {
                diag = diag.at(&entry.manifest.file, span, "expected `true`");
            }
            diags.push(
                diag.label(key.clone().with_text("in this declaration"))
                    .help(
                        "write `workspace = true` to inherit from \
                         `[workspace.metadata.facade.dependencies]`, or remove `workspace`",
                    ),
            );
            return None;
        }
        diags.push(
            Diagnostic::warning(format!(
                "unused manifest key: {}.\"{key_text}\".{unused}",
                entry.table_path
            ))
            .label(key.clone().with_text("in this declaration"))
            .help("remove the key; declarations accept the keys Cargo accepts on a dependency"),
        );
    }
    Some(())
}

/// Dependency keys cargo knows that a facade cannot forward; at most one
/// of `path`, `git` and `registry`; git references only with `git`.
fn check_keys(
    diags: &mut Diagnostics,
    entry: &Entry<'_>,
    detailed: &TomlDetailedDependency,
) -> Option<()> {
    for (what, set) in [
        ("registry-index", detailed.registry_index.is_some()),
        ("base", detailed.base.is_some()),
        ("artifact", detailed.artifact.is_some()),
        ("lib", detailed.lib.is_some()),
        ("target", detailed.target.is_some()),
    ] {
        if set {
            diags.push(
                Diagnostic::error(format!(
                    "`{}`: `{what}` is not supported in facade declarations",
                    entry.name
                ))
                .label(entry.key.clone().with_text("declared here"))
                .help(format!("remove `{what}`")),
            );
            return None;
        }
    }
    let key_text = &entry.name;
    let sources = [
        detailed.path.is_some(),
        detailed.git.is_some(),
        detailed.registry.is_some(),
    ]
    .iter()
    .filter(|s| **s)
    .count();
    if sources > 1 {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}` names more than one source (`path`, `git`, `registry`)"
            ))
            .label(entry.key.clone().with_text("declared here"))
            .help("keep exactly one of `path`, `git` and `registry`"),
        );
        return None;
    }
    if detailed.git.is_none()
        && (detailed.branch.is_some() || detailed.tag.is_some() || detailed.rev.is_some())
    {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}` has `branch`, `tag` or `rev` without `git`"
            ))
            .label(entry.key.clone().with_text("declared here"))
            .help("add the `git` URL or remove the git reference"),
        );
        return None;
    }
    Some(())
}

/// A `path` declaration: the package found there, which must be the one
/// `package` names and have a library.
fn path_provider(
    packages: &mut PathPackages,
    diags: &mut Diagnostics,
    entry: &Entry<'_>,
    base_dir: &Path,
    path: &str,
    detailed: &TomlDetailedDependency,
) -> Option<Provider> {
    let key_text = entry.name.to_string();
    let key = &entry.key;
    let dir = normalize(&base_dir.join(path));
    let package = packages.get(&dir, || {
        read_path_package(diags, &dir, path, key, &key_text)
    })?;
    let declared_package = detailed.package.as_ref().map(|p| p.to_string());
    if let Some(declared) = &declared_package
        && *declared != package.name
    {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}` names package `{declared}`, but `{path}` holds package `{}`",
                package.name
            ))
            .label(key.clone().with_text("declared here"))
            .help(format!(
                "set `package = \"{}\"` or remove `package`",
                package.name
            )),
        );
        return None;
    }
    if !package.has_lib {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}`: package `{}` at `{path}` has no library target",
                package.name
            ))
            .label(key.clone().with_text("declared here"))
            .note("a facade re-exports a library; binaries cannot be re-exported")
            .help(format!(
                "add a `src/lib.rs` (or a `[lib]` section) to `{}`",
                package.name
            )),
        );
        return None;
    }
    Some(Provider {
        source: Source::Path(dir),
        has_default_feature: package.features.contains("default"),
        known_features: Some(
            package
                .features
                .union(&package.dependencies)
                .cloned()
                .collect(),
        ),
        package: package.name,
        repository: package.repository,
    })
}

/// A registry or git declaration: its manifest is not read, so a child must
/// name its package.
fn registry_or_git_provider(
    diags: &mut Diagnostics,
    entry: &Entry<'_>,
    detailed: &TomlDetailedDependency,
) -> Option<Provider> {
    let key_text = &entry.name;
    let key = &entry.key;
    if detailed.version.is_none() && detailed.git.is_none() {
        diags.push(
            Diagnostic::error(format!(
                "`{key_text}` has no source: no `version`, `path` or `git`"
            ))
            .label(key.clone().with_text("declared here"))
            .help(format!(
                "write e.g. `\"{key_text}\" = {{ version = \"1\", package = \"…\" }}`"
            )),
        );
        return None;
    }
    let declared_package = detailed.package.as_ref().map(|p| p.to_string());
    let package = match (&declared_package, &entry.name) {
        (Some(package), _) => package.clone(),
        (None, DeclName::Root(root)) => root.clone(),
        (None, DeclName::Child { root, child }) => {
            diags.push(
                Diagnostic::error(format!(
                    "`{key_text}` needs `package`: which package provides it?"
                ))
                .label(key.clone().with_text("no `package` here"))
                .note(
                    "until registries support namespaced packages, a registry or git child is \
                         provided by an ordinary package; cargo-facade never guesses its name",
                )
                .help(format!(
                    "add e.g. `package = \"{root}-{child}\"` if that is the package"
                )),
            );
            return None;
        }
    };
    let source = match &detailed.git {
        Some(url) => Source::Git {
            url: url.clone(),
            branch: detailed.branch.clone(),
            tag: detailed.tag.clone(),
            rev: detailed.rev.clone(),
        },
        None => Source::Registry {
            registry: detailed.registry.as_ref().map(|r| r.to_string()),
        },
    };
    Some(Provider {
        source,
        package,
        has_default_feature: true,
        repository: None,
        known_features: None,
    })
}

/// `foreign = true|false`.
fn read_foreign(diags: &mut Diagnostics, entry: &Entry<'_>) -> Option<bool> {
    let Some(value) = entry.item.as_table_like().and_then(|t| t.get("foreign")) else {
        return Some(false);
    };
    if let Some(foreign) = value.as_bool() {
        return Some(foreign);
    }
    diags.push(
        Diagnostic::error(format!("invalid declaration `{}`", entry.name))
            .at(
                &entry.manifest.file,
                value.span().unwrap_or(0..0),
                "`foreign` must be `true` or `false`",
            )
            .help("write `foreign = true` to accept a child from another repository"),
    );
    None
}

pub(super) fn deserialize<T: serde::de::DeserializeOwned>(
    diags: &mut Diagnostics,
    file: &Arc<SourceFile>,
    item: &Item,
    key: &Label,
    name: &DeclName,
) -> Option<T> {
    let value = match item.clone().into_value() {
        Ok(value) => value,
        Err(_) => {
            diags.push(
                Diagnostic::error(format!("`{name}`: expected a version string or a table"))
                    .label(key.clone().with_text("declared here")),
            );
            return None;
        }
    };
    match T::deserialize(value.clone().into_deserializer()) {
        Ok(value) => Some(value),
        Err(err) => {
            let (err, field) = precise_error(&value).unwrap_or((err, None));
            let mut message = err
                .message()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(field) = field {
                message = format!("`{field}`: {message}");
            }
            let span = err.span().filter(|s| s.end <= file.text().len());
            let mut diag = Diagnostic::error(format!("invalid declaration `{name}`"));
            diag = match span {
                Some(span) => diag
                    .at(file, span, message)
                    .label(key.clone().with_text("in this declaration")),
                None => diag.label(key.clone().with_text(message)),
            };
            diags.push(diag.help(
                "declarations take Cargo's dependency syntax: a version string or a table of \
                 `version`, `path`, `git`, `package`, `features`, `optional`, `default-features`…",
            ));
            None
        }
    }
}

/// The same error from a shape that keeps spans, with the key it is under:
/// cargo's dependency types go through an untagged buffer that drops both.
fn precise_error(value: &toml_edit::Value) -> Option<(toml_edit::de::Error, Option<String>)> {
    use serde::Deserialize as _;
    let table = value.as_inline_table()?;
    let err = if table.contains_key("workspace") {
        cargo_util_schemas::manifest::TomlInheritedDependency::deserialize(
            value.clone().into_deserializer(),
        )
        .err()?
    } else {
        TomlDetailedDependency::<String>::deserialize(value.clone().into_deserializer()).err()?
    };
    let span = err.span()?;
    let field = table
        .iter()
        .find(|(_, v)| {
            v.span()
                .is_some_and(|s| s.start <= span.start && span.end <= s.end)
        })
        .map(|(k, _)| k.to_owned());
    Some((err, field))
}
