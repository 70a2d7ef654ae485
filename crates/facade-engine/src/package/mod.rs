//! `cargo facade package` and `cargo facade publish`: write namespaced
//! code, publish an ordinary crate.
//!
//! A published crate cannot depend on a path facade, so the package is
//! *lowered* on the way out: its manifest depends on the real packages
//! ([`manifest`]) and its sources name each child crate directly,
//! `foo::bar::Baz` → `foo_bar::Baz` ([`source`]). The lowered copies of
//! every package named are staged together, as members of one workspace
//! under `<target-dir>/cargo-facade/package/` (each in `<name>/`, a path
//! between them leading to the lowered sibling), so that one real `cargo
//! package -p a -p b` (or `cargo publish`) packages and verifies them as
//! cargo does interdependent members ([`stage`]), writing
//! `<target-dir>/package/<name>-<version>.crate` where `cargo package` would
//! for the originals. Unless `--no-verify`, rustdoc runs on the lowered
//! copies first (`cargo doc` with `-D warnings`), so that a link lowering
//! broke stops the run before anything is packaged or uploaded. The working
//! tree is only read.
//!
//! Everything that cannot be lowered (a declaration without `version`, a
//! path a local item would capture, a file that does not parse) is reported
//! together, before cargo runs, so nothing is packaged or published.

pub mod manifest;
pub mod source;
pub mod stage;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::diagnostic::{Diagnostic, Diagnostics, InputErrors, Severity, SourceFile};
use crate::load;
use crate::plan::{self, Declaration};
use crate::shell::Shell;
use crate::{Exit, Options};

/// The flags of `package` (and of the packaging `publish` does first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageOptions {
    /// Members to package (`-p`); default: the package of the current folder.
    pub packages: Vec<String>,
    /// Skip cargo's verification build.
    pub no_verify: bool,
    /// Package even with uncommitted changes.
    pub allow_dirty: bool,
    /// Feature flags for the verification build.
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
}

/// The flags of `publish`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishOptions {
    /// What to lower, as `package` does: one package.
    pub package: PackageOptions,
    /// `publish --registry`.
    pub registry: Option<String>,
    /// Package and verify, but do not upload (`cargo publish --dry-run`).
    pub dry_run: bool,
}

/// One package, lowered in memory and ready to stage.
#[derive(Debug)]
struct Lowered {
    name: String,
    version: String,
    dir: PathBuf,
    /// Relative path → bytes, the manifest and sources lowered.
    files: Vec<(PathBuf, Vec<u8>)>,
    dependencies: usize,
    paths: usize,
    lowered_files: usize,
}

impl Lowered {
    /// `ns-user v0.1.0 (ns-user: 4 namespaced dependencies, 21 paths in 2 files)`.
    fn summary(&self, shell: &Shell) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{} v{} ({}: {}, {} in {})",
            self.name,
            self.version,
            shell.display_path(&self.dir),
            plural(
                self.dependencies,
                "namespaced dependency",
                "namespaced dependencies"
            ),
            plural(self.paths, "path", "paths"),
            plural(self.lowered_files, "file", "files"),
        )
    }
}

/// Runs `package`.
pub fn package(
    opts: &PackageOptions,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    run(opts, None, options, shell)
}

/// Runs `publish`.
pub fn publish(
    opts: &PublishOptions,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    run(&opts.package, Some(opts), options, shell)
}

/// Runs `package`, or `publish` when `publish` is given.
fn run(
    opts: &PackageOptions,
    publish: Option<&PublishOptions>,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    let verb = verb(publish);
    // A `sync` running meanwhile would change what is being packaged.
    let _lock =
        crate::lock::lock_workspace(options.manifest_path.as_deref(), &options.cargo, shell)?;
    let mut diags = Diagnostics::default();
    let metadata = match load::cargo_metadata(
        options.manifest_path.as_deref(),
        &options.cargo,
        true,
        shell,
    )? {
        Ok(metadata) => metadata,
        Err(stderr) => {
            diags.push(crate::cargo::cargo_failed("cargo metadata", &stderr));
            return report(shell, diags);
        }
    };
    let target_dir: PathBuf = metadata.target_directory.clone().into();
    let Some(ws) = load::load(options.manifest_path.as_deref(), &mut diags)? else {
        return report(shell, diags);
    };
    let Some(plan) = plan::plan(&ws, &mut diags) else {
        return report(shell, diags);
    };
    let members: Vec<&cargo_metadata::Package> = metadata.workspace_packages();
    let selected = select(&members, opts, options, &plan.facade_dir, &mut diags);
    if publish.is_some() && selected.len() > 1 {
        diags.push(
            Diagnostic::error("`cargo facade publish` publishes one package at a time")
                .help("name it with `-p <package>`"),
        );
    }
    let staged: Vec<(PathBuf, PathBuf)> = selected
        .iter()
        .map(|package| {
            let dir = package
                .manifest_path
                .parent()
                .expect("a manifest has a folder");
            (
                dir.as_std_path().to_owned(),
                stage_dir(&target_dir, package.name.as_str()),
            )
        })
        .collect();
    let context = manifest::WorkspaceContext {
        root: &ws.root,
        doc: ws.root_manifest().doc.as_item(),
        facade_dir: &plan.facade_dir,
        staged: &staged,
    };
    let mut lowered = Vec::new();
    for package in &selected {
        let decls = plan
            .consumers
            .iter()
            .position(|c| c.name == package.name.as_str())
            .map_or(&[][..], |i| plan.declarations_of(i));
        let stage = stage_dir(&target_dir, package.name.as_str());
        if let Some(one) = lower_package(package, &stage, context, decls, opts, &mut diags)? {
            lowered.push(one);
        }
    }
    if diags.has_errors() || lowered.is_empty() {
        if !diags.has_errors() {
            diags.push(Diagnostic::error(format!("nothing to {verb}")));
        }
        return report(shell, diags);
    }
    for diag in diags.items() {
        shell.diagnostic(diag);
    }
    let warnings = diags.items().len();
    if options.deny_warnings && warnings > 0 {
        shell.error(format!(
            "{warnings} warning{} denied by `--deny-warnings`; nothing was packaged",
            if warnings == 1 { "" } else { "s" }
        ));
        return Ok(Exit::Error);
    }

    stage_and_run(opts, publish, &lowered, &ws, &target_dir, options, shell)?;
    Ok(Exit::Success)
}

/// The cargo command run on the lowered copy: `package` or `publish`.
fn verb(publish: Option<&PublishOptions>) -> &'static str {
    if publish.is_some() {
        "publish"
    } else {
        "package"
    }
}

/// Stages the lowered packages as one workspace, runs rustdoc on them
/// (unless `--no-verify`), then one `cargo package`/`cargo publish` naming
/// them all.
fn stage_and_run(
    opts: &PackageOptions,
    publish: Option<&PublishOptions>,
    packages: &[Lowered],
    ws: &load::Workspace,
    target_dir: &Path,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<()> {
    let verb = verb(publish);
    let root = stage_root(target_dir);
    let mut files = vec![(
        PathBuf::from("Cargo.toml"),
        stage::workspace_manifest(
            ws.root_manifest().doc.as_item(),
            packages.iter().map(|p| p.name.as_str()),
        )
        .into_bytes(),
    )];
    if ws.lock_path.is_file() {
        let lock = std::fs::read(&ws.lock_path)
            .with_context(|| format!("failed to read `{}`", ws.lock_path.display()))?;
        files.push((PathBuf::from("Cargo.lock"), lock));
    }
    for package in packages {
        shell.status("Lowering", package.summary(shell));
        for (rel, bytes) in &package.files {
            files.push((Path::new(&package.name).join(rel), bytes.clone()));
        }
    }
    stage::write_stage(&root, &files)?;
    shell.verbose("Staged", shell.display_path(&root));
    let staged: Vec<stage::Staged> = packages
        .iter()
        .map(|p| stage::Staged {
            name: p.name.clone(),
            stage: stage_dir(target_dir, &p.name),
            dir: p.dir.clone(),
        })
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = |path: &Path| crate::diagnostic::display_path(path, &cwd);
    let copy = match packages {
        [one] => stage_dir(target_dir, &one.name),
        _ => root.clone(),
    };
    let names = packages
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect::<Vec<_>>()
        .join(", ");

    if !opts.no_verify {
        let command = doc_command(opts, options, packages, &root, target_dir);
        let ran = stage::run_cargo(command, &root, &staged, shown)?;
        if !ran.success && fails_unlowered(opts, options, packages, ws, target_dir) {
            // Not lowering's doing: the author's own tree fails the same
            // way (plain `cargo package` runs no rustdoc at all).
            shell.diagnostic(
                &Diagnostic::warning(format!(
                    "rustdoc (`-D warnings`) fails on {names} as written, before lowering too"
                ))
                .note("lowering did not cause it, so packaging goes on")
                .help("`cargo doc --no-deps` with `RUSTDOCFLAGS=\"-D warnings\"` shows it"),
            );
        } else if !ran.success {
            let failure = stage::relay(&ran.stderr, Severity::Error, |_, _| {})
                .unwrap_or_else(|| Diagnostic::error("`cargo doc` failed"))
                .note(format!(
                    "reported by rustdoc (`cargo doc` with `-D warnings`) on the lowered copy of \
                     {names}, before anything was packaged: a link or doctest path that names a \
                     child as `foo::bar` must resolve as `foo_bar` once published"
                ))
                .note(format!(
                    "the lowered copy is in `{}`",
                    shell.display_path(&copy)
                ));
            shell.diagnostic(&failure);
            return Err(InputErrors { count: 1 }.into());
        } else {
            shell.status(
                "Documented",
                format!("{names} (lowered, rustdoc with `-D warnings`)"),
            );
        }
    }

    let mut command = cargo_command(opts, publish, options, packages, &root, target_dir);
    if shell.verbosity() == crate::shell::Verbosity::Verbose {
        command.arg("--verbose");
    }
    let ran = stage::run_cargo(command, &root, &staged, shown)?;
    let relayed = stage::relay(
        &ran.stderr,
        if ran.success {
            Severity::Warning
        } else {
            Severity::Error
        },
        |verb, message| shell.status(verb, message),
    );
    if !ran.success {
        let failure = relayed
            .unwrap_or_else(|| Diagnostic::error(format!("`cargo {verb}` failed")))
            .note(format!(
                "reported by `cargo {verb}` on the lowered copy of {names}; its sources name \
                 each child crate directly (`foo::bar::` became `foo_bar::`): lines are the \
                 author's, columns those of the lowered text"
            ))
            .note(format!(
                "the lowered copy is in `{}`",
                shell.display_path(&copy)
            ));
        shell.diagnostic(&failure);
        return Err(InputErrors { count: 1 }.into());
    }
    if let Some(warnings) = relayed {
        shell.diagnostic(&warnings);
    }
    if publish.is_none() {
        for package in packages {
            let krate = target_dir
                .join("package")
                .join(format!("{}-{}.crate", package.name, package.version));
            shell.status(
                "Finished",
                format!("lowered crate written to {}", shell.display_path(&krate)),
            );
        }
    }
    Ok(())
}

/// The staging workspace: every lowered package is a member below it.
fn stage_root(target_dir: &Path) -> PathBuf {
    target_dir.join("cargo-facade").join("package")
}

/// Where a package's lowered copy is staged.
fn stage_dir(target_dir: &Path, name: &str) -> PathBuf {
    stage_root(target_dir).join(name)
}

fn report(shell: &mut Shell, diags: Diagnostics) -> anyhow::Result<Exit> {
    for diag in diags.items() {
        shell.diagnostic(diag);
    }
    Err(InputErrors {
        count: diags.error_count().max(1),
    }
    .into())
}

/// The members named with `-p`, or the one whose folder holds the manifest
/// path (or the current folder).
fn select<'m>(
    members: &[&'m cargo_metadata::Package],
    opts: &PackageOptions,
    options: &Options,
    facade_dir: &Path,
    diags: &mut Diagnostics,
) -> Vec<&'m cargo_metadata::Package> {
    let mut out = Vec::new();
    for name in &opts.packages {
        match members.iter().find(|m| m.name.as_str() == name) {
            Some(member) => out.push(*member),
            None => diags.push(
                Diagnostic::error(format!(
                    "package `{name}` is not a member of this workspace"
                ))
                .help(format!(
                    "members: {}",
                    members
                        .iter()
                        .filter(|m| !m.manifest_path.starts_with(facade_dir))
                        .map(|m| format!("`{}`", m.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ),
        }
    }
    if !opts.packages.is_empty() {
        return out;
    }
    let here = match &options.manifest_path {
        Some(path) => std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()),
        None => std::env::current_dir()
            .unwrap_or_default()
            .join("Cargo.toml"),
    };
    let found = members
        .iter()
        .filter(|m| !m.manifest_path.starts_with(facade_dir))
        .filter(|m| {
            let dir = m.manifest_path.parent().expect("a manifest has a folder");
            here.starts_with(dir.as_std_path())
        })
        .max_by_key(|m| m.manifest_path.as_str().len());
    match found {
        Some(member) => out.push(*member),
        None => diags.push(
            Diagnostic::error("no package to lower here: this is a virtual workspace")
                .help("name the package with `-p <package>`"),
        ),
    }
    out
}

/// Lowers one package in memory; `None` with errors in `diags`.
fn lower_package(
    package: &cargo_metadata::Package,
    stage: &Path,
    context: manifest::WorkspaceContext<'_>,
    decls: &[Declaration],
    opts: &PackageOptions,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Lowered>> {
    let manifest_path: PathBuf = package.manifest_path.clone().into();
    let dir = manifest_path
        .parent()
        .expect("a manifest has a folder")
        .to_owned();
    if !opts.allow_dirty
        && let Some(dirty) = uncommitted(package.name.as_str(), &dir)
    {
        diags.push(dirty);
        return Ok(None);
    }
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("failed to read `{}`", manifest_path.display()))?;
    let Some(lowered_manifest) =
        manifest::lower_manifest(&text, &manifest_path, stage, context, decls, diags)?
    else {
        return Ok(None);
    };
    let Some(mut sources) = lower_files(&dir, &lowered_manifest.renames, diags)? else {
        return Ok(None);
    };
    let mut files = vec![(
        PathBuf::from("Cargo.toml"),
        lowered_manifest.text.into_bytes(),
    )];
    files.append(&mut sources.files);
    Ok(Some(Lowered {
        name: package.name.to_string(),
        version: package.version.to_string(),
        dir,
        files,
        dependencies: lowered_manifest.dependencies,
        paths: sources.paths,
        lowered_files: sources.lowered_files,
    }))
}

/// The uncommitted-changes error `cargo package` would give, if any.
fn uncommitted(name: &str, dir: &Path) -> Option<Diagnostic> {
    let dirty = stage::dirty_files(dir);
    (!dirty.is_empty()).then(|| {
        Diagnostic::error(format!(
            "`{name}` has changes not yet committed into git ({} file{})",
            dirty.len(),
            if dirty.len() == 1 { "" } else { "s" },
        ))
        .note(format!("changed: {}", dirty.join(", ")))
        .help("commit these changes, or pass `--allow-dirty` to package them anyway")
    })
}

/// A package's files (relative path → bytes) with Rust sources, and the
/// Markdown their docs include, lowered.
#[derive(Debug)]
struct LoweredFiles {
    files: Vec<(PathBuf, Vec<u8>)>,
    paths: usize,
    lowered_files: usize,
}

/// Reads and lowers every file of the package in `dir` but its manifest and
/// lock file; `None` with the problems in `diags`.
fn lower_files(
    dir: &Path,
    renames: &[crate::migrate::source::Rename],
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<LoweredFiles>> {
    let mut files = Vec::new();
    let mut originals = Vec::new();
    for rel in stage::package_files(dir)? {
        if rel == Path::new("Cargo.toml") || rel == Path::new("Cargo.lock") {
            continue;
        }
        let path = dir.join(&rel);
        let bytes =
            std::fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
        originals.push((rel, bytes));
    }
    // Markdown that doc attributes include holds doctests too.
    let mut markdown = std::collections::BTreeSet::new();
    for (rel, bytes) in &originals {
        if rel.extension().is_some_and(|e| e == "rs")
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            let folder = rel.parent().unwrap_or(Path::new(""));
            for include in source::doc_includes(text) {
                markdown.insert(crate::paths::normalize(&dir.join(folder).join(include)));
            }
        }
    }
    let mut paths = 0;
    let mut lowered_files = 0;
    let mut ok = true;
    for (rel, bytes) in originals {
        let path = dir.join(&rel);
        let lower = if rel.extension().is_some_and(|e| e == "rs") {
            source::lower
        } else if markdown.contains(&path) {
            source::lower_markdown
        } else {
            files.push((rel, bytes));
            continue;
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) if !renames.is_empty() => text,
            Ok(text) => {
                files.push((rel, text.into_bytes()));
                continue;
            }
            Err(err) => {
                files.push((rel, err.into_bytes()));
                continue;
            }
        };
        if rel.extension().is_some_and(|e| e == "rs") {
            warn_reexports(&path, &text, renames, diags);
        }
        match lower(&text, renames) {
            Ok(out) => {
                if out.paths > 0 {
                    paths += out.paths;
                    lowered_files += 1;
                }
                files.push((rel, out.text.into_bytes()));
            }
            Err(problems) => {
                ok = false;
                let file = SourceFile::new(path, text);
                for problem in problems {
                    let mut diag =
                        Diagnostic::error(problem.message).at(&file, problem.span, problem.label);
                    if let Some((span, label)) = problem.related {
                        diag = diag.at(&file, span, label);
                    }
                    diags.push(
                        diag.help(problem.help)
                            .note("`cargo facade package` lowers `foo::bar::` to `foo_bar::`"),
                    );
                }
            }
        }
    }
    Ok(ok.then_some(LoweredFiles {
        files,
        paths,
        lowered_files,
    }))
}

/// Warns of public re-exports of a namespace: downstream crates lose the
/// children they reached through it (cargo's verification cannot see that).
fn warn_reexports(
    path: &Path,
    text: &str,
    renames: &[crate::migrate::source::Rename],
    diags: &mut Diagnostics,
) {
    let mut roots: Vec<String> = renames.iter().map(|r| r.from[0].clone()).collect();
    roots.dedup();
    let found = source::namespace_reexports(text, &roots);
    if found.is_empty() {
        return;
    }
    let file = SourceFile::new(path.to_owned(), text.to_owned());
    for span in found {
        let children: Vec<String> = renames
            .iter()
            .filter(|r| text[span.clone()].contains(r.from[0].as_str()))
            .map(|r| format!("`{}::{}`", r.from[0], r.from[1]))
            .collect();
        diags.push(
            Diagnostic::warning("this re-export of a namespace loses its children when published")
                .at(&file, span, "re-exports the namespace")
                .note(format!(
                    "through the facade it re-exports {}; the published crate has no facade, so \
                     it re-exports only the root's items",
                    children.join(", ")
                ))
                .help("re-export the children your users need by name, e.g. `pub use foo::bar;`"),
        );
    }
}

/// Whether rustdoc with `-D warnings` fails on the packages as the author
/// has them too (through their facades, in the author's workspace, writing
/// only into the target folder): then a failure on the lowered copy is not
/// lowering's.
fn fails_unlowered(
    opts: &PackageOptions,
    options: &Options,
    packages: &[Lowered],
    ws: &load::Workspace,
    target_dir: &Path,
) -> bool {
    let mut command = doc_command(opts, options, packages, &ws.root, target_dir);
    command.arg("--locked");
    // Only rustdoc's own failure counts (not, say, a lock cargo would
    // have to change).
    command.output().is_ok_and(|out| {
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("error: could not document `")
    })
}

/// `cargo doc` on the staged packages, as the docs.rs build of each would
/// find a broken link: `-D warnings` added to the user's `RUSTDOCFLAGS`.
fn doc_command(
    opts: &PackageOptions,
    options: &Options,
    packages: &[Lowered],
    root: &Path,
    target_dir: &Path,
) -> std::process::Command {
    let mut command = crate::cargo::cargo_command(&options.cargo);
    command
        .arg("doc")
        .arg("--no-deps")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    for package in packages {
        command.args(["--package", &package.name]);
    }
    feature_args(&mut command, opts, options);
    let mut flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    flags.push_str(if flags.is_empty() { "" } else { " " });
    flags.push_str("-D warnings");
    command.env("RUSTDOCFLAGS", flags);
    command.env("CARGO_TERM_COLOR", "never");
    command
}

/// `cargo package`/`cargo publish` on the staged workspace, naming every
/// package, writing into the workspace's own target folder.
fn cargo_command(
    opts: &PackageOptions,
    publish: Option<&PublishOptions>,
    options: &Options,
    packages: &[Lowered],
    root: &Path,
    target_dir: &Path,
) -> std::process::Command {
    let mut command = crate::cargo::cargo_command(&options.cargo);
    command
        .arg(verb(publish))
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        // The staged copy is not the author's git checkout; the author's
        // was checked above.
        .arg("--allow-dirty");
    for package in packages {
        command.args(["--package", &package.name]);
    }
    if opts.no_verify {
        command.arg("--no-verify");
    }
    if let Some(publish) = publish {
        if publish.dry_run {
            command.arg("--dry-run");
        }
        if let Some(registry) = &publish.registry {
            command.args(["--registry", registry]);
        }
    }
    feature_args(&mut command, opts, options);
    command.env("CARGO_TERM_COLOR", "never");
    command
}

/// The feature flags, and `--offline`, both cargo runs take.
fn feature_args(command: &mut std::process::Command, opts: &PackageOptions, options: &Options) {
    for feature in &opts.features {
        command.args(["--features", feature]);
    }
    if opts.all_features {
        command.arg("--all-features");
    }
    if opts.no_default_features {
        command.arg("--no-default-features");
    }
    // The staged lock file is the workspace's, which still lists the
    // facades: cargo trims it, so `--locked` cannot hold; offline stays.
    if options.cargo.offline || options.cargo.frozen {
        command.arg("--offline");
    }
}
