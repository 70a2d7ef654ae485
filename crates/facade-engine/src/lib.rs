//! The engine of cargo-facade: RFC 3243 namespaced dependencies on stable
//! Rust through generated facade crates.
//!
//! The CLI (`cargo facade`) and any workspace's own xtask call the same entry
//! points: [`cli::run_from_args`] for the identical command line, or
//! [`run`] with [`Options`] for programmatic use.
//!
//! Data flows one way: [`load`] → [`plan`] → [`render`] → [`write`].

pub mod blame;
pub mod cargo;
pub mod cli;
pub mod conflict;
pub mod diagnostic;
pub mod eject;
pub mod list;
pub mod load;
pub mod lock;
pub mod manifest;
pub mod marker;
pub mod migrate;
pub mod name;
pub mod package;
pub mod paths;
pub mod plan;
pub mod render;
pub mod schema;
pub mod shell;
pub mod write;

use std::path::PathBuf;

use diagnostic::{Diagnostics, InputErrors};
use shell::Shell;
use write::Change;

/// Flags passed through to every cargo invocation.
#[derive(Debug, Clone, Default)]
pub struct CargoOptions {
    pub offline: bool,
    pub locked: bool,
    pub frozen: bool,
    /// `-vv`: cargo's very verbose output for the cargo commands run.
    pub very_verbose: bool,
}

impl CargoOptions {
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.offline {
            flags.push("--offline");
        }
        if self.locked {
            flags.push("--locked");
        }
        if self.frozen {
            flags.push("--frozen");
        }
        if self.very_verbose {
            flags.push("-vv");
        }
        flags
    }
}

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Write every facade and managed entry, refresh `Cargo.lock`.
    Sync,
    /// Change nothing; report what `sync` would change.
    Check,
    /// Print namespaces, children and their consumers.
    List,
    /// Put declarations back into the real tables (RFC syntax), remove
    /// managed entries and facades.
    Eject,
    /// Turn dependencies on packages into namespaced declarations (or
    /// back): manifests and Rust sources, then `sync`. See [`migrate`].
    Migrate,
    /// Write the `.crate` `cargo package` would, lowered: real dependencies
    /// instead of facades. See [`package`].
    Package,
    /// `package`, then publish that lowered crate with cargo.
    Publish,
}

/// The output format of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    #[default]
    Human,
    Json,
}

/// Everything a run needs besides the command.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The workspace's (or a member's) `Cargo.toml`; default: cargo's search from the current folder.
    pub manifest_path: Option<PathBuf>,
    pub cargo: CargoOptions,
    /// `sync`: print the diff instead of writing.
    pub dry_run: bool,
    pub format: ListFormat,
    /// Treat warnings (unused keys, ownership) as errors.
    pub deny_warnings: bool,
    /// `migrate`: what to migrate.
    pub migrate: migrate::MigrateOptions,
    /// `package` and `publish`: what to lower and how.
    pub package: package::PackageOptions,
}

/// The process exit codes of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done / up to date.
    Success = 0,
    /// `check`: facades are stale.
    Stale = 1,
    /// Bad input or a failure; nothing was changed.
    Error = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// Runs one command, reporting through `shell`.
pub fn run(command: Command, options: &Options, shell: &mut Shell) -> Exit {
    match run_inner(command, options, shell) {
        Ok(exit) => exit,
        Err(err) => {
            if let Some(input) = err.downcast_ref::<InputErrors>() {
                if writes(command, options) {
                    shell.error(format!("{input}; no file was changed"));
                } else {
                    shell.error(input);
                }
            } else {
                shell.error(format!("{err:#}"));
            }
            Exit::Error
        }
    }
}

fn run_inner(command: Command, options: &Options, shell: &mut Shell) -> anyhow::Result<Exit> {
    if command == Command::Migrate {
        return migrate::migrate(options, shell);
    }
    if matches!(command, Command::Package | Command::Publish) {
        return package::run(command == Command::Publish, options, shell);
    }
    // Held until the last byte is written: concurrent syncs take turns.
    // Where there is no workspace, `load` says why just below.
    let _lock = match command {
        Command::Sync | Command::Eject if !options.dry_run => {
            match load::find_root(
                options.manifest_path.as_deref(),
                &mut Diagnostics::default(),
            )? {
                Some(root) => Some(lock::lock_root(&root, shell)?),
                None => None,
            }
        }
        _ => None,
    };
    let mut diags = Diagnostics::default();
    let workspace = load::load(options.manifest_path.as_deref(), &mut diags)?;
    let plan = workspace.as_ref().and_then(|ws| plan::plan(ws, &mut diags));
    // RFC 3243's root/child conflicts need the compiler: checked after the
    // plan, before anything is rendered or written.
    if let (Some(ws), Some(plan), Command::Sync | Command::Check) = (&workspace, &plan, command) {
        conflict::check(ws, plan, &options.cargo, Some(shell), &mut diags)?;
    }
    let changes = match (&workspace, &plan) {
        (Some(ws), Some(plan)) if command == Command::Eject => {
            eject::collect_changes(ws, plan, &mut diags)?
        }
        (Some(ws), Some(plan)) if command != Command::List => {
            write::collect_changes(ws, plan, &mut diags)?
        }
        _ => Vec::new(),
    };
    report(shell, &diags)?;
    deny_warnings(
        options,
        diags.items().iter().filter(|d| !d.is_error()).count(),
    )?;
    let (Some(ws), Some(plan)) = (workspace, plan) else {
        unreachable!("load and plan report errors when they return nothing")
    };
    match command {
        Command::List => {
            list::print(&ws, &plan, options.format, shell)?;
            Ok(Exit::Success)
        }
        Command::Check => check(&ws, &plan, &changes, options, shell),
        Command::Sync | Command::Eject if options.dry_run => {
            let diff = write::unified_diff(&changes, &std::env::current_dir()?);
            shell.out().write_all(diff.as_bytes())?;
            shell.status(
                "Finished",
                format!(
                    "dry run: {} would change; no file was written",
                    files(changes.len())
                ),
            );
            Ok(Exit::Success)
        }
        Command::Sync => sync(&ws, &plan, changes, options, shell),
        Command::Eject => eject(&ws, &plan, changes, options, shell),
        Command::Migrate | Command::Package | Command::Publish => {
            unreachable!("`migrate`, `package` and `publish` run on their own")
        }
    }
}

/// Whether `command` may write files (and so may say it wrote none).
fn writes(command: Command, options: &Options) -> bool {
    matches!(command, Command::Sync | Command::Eject | Command::Migrate) && !options.dry_run
}

/// A cargo command line as shown with `-v`, flags passed on included.
fn cargo_line(args: &[&str], cargo: &CargoOptions) -> String {
    let mut words = vec!["cargo"];
    words.extend(args);
    words.extend(cargo.flags());
    words.join(" ")
}

/// Asks cargo whether it accepts the tree that the plan found consistent
/// (what `load` used to learn from `cargo metadata --no-deps`): an error
/// here is the user's to fix, reported where cargo points.
fn cargo_accepts(options: &Options, shell: &mut Shell) -> anyhow::Result<()> {
    shell.verbose(
        "Running",
        format!(
            "`{}` to validate the workspace",
            cargo_line(&["metadata", "--no-deps"], &options.cargo)
        ),
    );
    match load::cargo_metadata(options.manifest_path.as_deref(), &options.cargo, true)? {
        Ok(_) => Ok(()),
        Err(stderr) => {
            shell.diagnostic(&blame::load_failure(&stderr));
            Err(InputErrors { count: 1 }.into())
        }
    }
}

fn report(shell: &mut Shell, diags: &Diagnostics) -> anyhow::Result<()> {
    for diag in diags.items() {
        shell.diagnostic(diag);
    }
    if diags.has_errors() {
        return Err(InputErrors {
            count: diags.error_count(),
        }
        .into());
    }
    Ok(())
}

/// With `--deny-warnings`, warnings already reported stop the run.
fn deny_warnings(options: &Options, warnings: usize) -> anyhow::Result<()> {
    if options.deny_warnings && warnings > 0 {
        return Err(InputErrors { count: warnings }.into());
    }
    Ok(())
}

fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_owned()
    } else {
        format!("{n} files")
    }
}

fn summary(plan: &plan::Plan) -> String {
    let facades = plan.facades.len();
    let consumers = plan
        .consumers
        .iter()
        .filter(|c| !c.entries.is_empty())
        .count();
    format!(
        "{facades} facade{}, {consumers} consumer{}",
        if facades == 1 { "" } else { "s" },
        if consumers == 1 { "" } else { "s" }
    )
}

fn sync(
    ws: &load::Workspace,
    plan: &plan::Plan,
    changes: Vec<Change>,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    if changes.is_empty() {
        let lock_lacks = write::lock_lacks(ws, plan);
        // Ownership needs registry manifests, hence a resolve, as does a
        // lock that lacks a facade; otherwise (the common case) cargo is
        // only asked whether it accepts the tree.
        if lock_lacks.is_empty() && !plan.has_foreign_candidates() {
            cargo_accepts(options, shell)?;
        } else {
            shell.verbose(
                "Running",
                format!(
                    "`{}` to resolve the workspace",
                    cargo_line(&["metadata"], &options.cargo)
                ),
            );
            match load::cargo_metadata(options.manifest_path.as_deref(), &options.cargo, false)? {
                Ok(metadata) => {
                    let warnings = plan::ownership_warnings(plan, &metadata);
                    for warning in &warnings {
                        shell.diagnostic(warning);
                    }
                    deny_warnings(options, warnings.len())?;
                }
                Err(stderr) => {
                    shell.diagnostic(&blame::load_failure(&stderr));
                    return Err(InputErrors { count: 1 }.into());
                }
            }
        }
        if lock_lacks.is_empty() {
            shell.status("Fresh", format!("{} (nothing to change)", summary(plan)));
        } else {
            shell.status(
                "Updating",
                format!("Cargo.lock (it lacked {})", quoted(&lock_lacks)),
            );
            shell.status(
                "Finished",
                format!("{} (Cargo.lock refreshed)", summary(plan)),
            );
        }
        return Ok(Exit::Success);
    }
    report_changes(plan, &changes, shell);
    let lock_before = write::Saved::read(&ws.lock_path);
    let applied = write::apply(&changes, &plan.facade_dir)?;

    // Let cargo resolve the new graph: this refreshes `Cargo.lock` and
    // catches what only cargo can judge (versions, features); on failure
    // every byte goes back.
    shell.verbose(
        "Running",
        format!(
            "`{}` to refresh Cargo.lock",
            cargo_line(&["metadata"], &options.cargo)
        ),
    );
    let resolved = load::cargo_metadata(options.manifest_path.as_deref(), &options.cargo, false);
    let failure = match resolved {
        Ok(Ok(metadata)) => {
            let warnings = plan::ownership_warnings(plan, &metadata);
            for warning in &warnings {
                shell.diagnostic(warning);
            }
            (options.deny_warnings && !warnings.is_empty()).then(|| {
                diagnostic::Diagnostic::error(format!(
                    "{} warning{} denied by `--deny-warnings`",
                    warnings.len(),
                    if warnings.len() == 1 { "" } else { "s" }
                ))
            })
        }
        Ok(Err(stderr)) => Some(blame::resolution_failure(&stderr, plan)),
        Err(err) => Some(diagnostic::Diagnostic::error(format!("{err:#}"))),
    };
    if let Some(failure) = failure {
        applied.rollback()?;
        lock_before.restore()?;
        shell.diagnostic(
            &failure.note("the synced workspace was rejected, so every file was restored"),
        );
        return Err(InputErrors { count: 1 }.into());
    }
    shell.status(
        "Finished",
        format!("{} ({} written)", summary(plan), files(changes.len())),
    );
    Ok(Exit::Success)
}

fn eject(
    ws: &load::Workspace,
    plan: &plan::Plan,
    changes: Vec<Change>,
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    if changes.is_empty() {
        shell.status("Fresh", "nothing to eject");
        return Ok(Exit::Success);
    }
    for change in &changes {
        if let (write::Owner::Consumer(name), write::Action::Write(_)) =
            (&change.owner, &change.action)
        {
            shell.status(
                "Ejecting",
                format!("{name} ({})", shell.display_path(&change.path)),
            );
        }
    }
    let mut removed: Vec<&str> = changes
        .iter()
        .filter_map(|c| match &c.owner {
            write::Owner::Facade(root) => Some(root.as_str()),
            write::Owner::Consumer(_) => None,
        })
        .collect();
    removed.dedup();
    for id in removed {
        shell.status("Removing", format!("facade {id}"));
    }
    let lock_before = std::fs::read(&ws.lock_path).ok();
    write::apply(&changes, &plan.facade_dir)?;
    // The facade folder goes too if eject emptied it.
    let _ = std::fs::remove_dir(&plan.facade_dir);
    // The ejected manifests are in RFC 3243 syntax: cargo resolves them only
    // where every declaration names its `package`. If it cannot, the lock
    // file stays as it was and the next `sync` (or a cargo with namespace
    // support) refreshes it.
    match load::cargo_metadata(options.manifest_path.as_deref(), &options.cargo, false) {
        Ok(Ok(_)) => {}
        _ => {
            if let Some(bytes) = lock_before {
                write::write_atomic(&ws.lock_path, &bytes)?;
            }
            shell.note(
                "this cargo cannot resolve every ejected declaration yet (RFC 3243 is not implemented); \
                 Cargo.lock was left as it was",
            );
        }
    }
    shell.status(
        "Finished",
        format!("eject ({} changed)", files(changes.len())),
    );
    Ok(Exit::Success)
}

fn report_changes(plan: &plan::Plan, changes: &[Change], shell: &mut Shell) {
    use write::{Action, Owner};
    // One pass over the changes: each owner with its first written file,
    // in a stable order (facades first, then consumers by name).
    let mut owners: std::collections::BTreeMap<&Owner, Option<&Change>> =
        std::collections::BTreeMap::new();
    for change in changes {
        let first = owners.entry(&change.owner).or_default();
        if first.is_none() && matches!(change.action, Action::Write(_)) {
            *first = Some(change);
        }
    }
    let consumers: std::collections::HashMap<&str, usize> = plan
        .consumers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    for (owner, first_write) in owners {
        match owner {
            Owner::Facade(id) => match plan.facade(id) {
                Some(facade) => {
                    let n = facade.children.len();
                    let root_note = if facade.root_crate.is_some() {
                        "root + "
                    } else {
                        ""
                    };
                    let users = facade.consumers.len();
                    shell.status(
                        "Generating",
                        format!(
                            "facade {id} ({root_note}{n} child{}, for {users} package{})",
                            if n == 1 { "" } else { "ren" },
                            if users == 1 { "" } else { "s" }
                        ),
                    );
                }
                None => shell.status("Removing", format!("facade {id} (no longer declared)")),
            },
            Owner::Consumer(name) => {
                let moved: Vec<String> = consumers
                    .get(name.as_str())
                    .map(|&index| plan.declarations_of(index))
                    .unwrap_or_default()
                    .iter()
                    .filter(|d| d.adopted)
                    .map(|d| format!("`{}`", d.name))
                    .collect();
                if !moved.is_empty() {
                    shell.status(
                        "Adopting",
                        format!(
                            "{name}: {} moved under [package.metadata.facade]",
                            moved.join(", ")
                        ),
                    );
                }
                let path = first_write
                    .map(|c| shell.display_path(&c.path))
                    .unwrap_or_default();
                shell.status("Updating", format!("{name} ({path})"));
            }
        }
    }
}

fn check(
    ws: &load::Workspace,
    plan: &plan::Plan,
    changes: &[Change],
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    let lock_lacks = write::lock_lacks(ws, plan);
    if changes.is_empty() && lock_lacks.is_empty() {
        cargo_accepts(options, shell)?;
        shell.status("Finished", format!("{}: up to date", summary(plan)));
        return Ok(Exit::Success);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let diff = write::unified_diff(changes, &cwd);
    shell.out().write_all(diff.as_bytes())?;
    let fix = match &options.manifest_path {
        Some(path) => format!(
            "cargo facade sync --manifest-path {}",
            shell.display_path(path)
        ),
        None => "cargo facade sync".to_owned(),
    };
    let mut stale = stale_parts(changes);
    if !lock_lacks.is_empty() {
        stale.push(format!("Cargo.lock (lacks {})", quoted(&lock_lacks)));
    }
    let lock = if changes.is_empty() {
        "`sync` would refresh Cargo.lock through cargo".to_owned()
    } else {
        format!(
            "`sync` would write {} (the diff above), then refresh Cargo.lock through cargo",
            files(changes.len())
        )
    };
    shell.error(format!(
        "out of date: {}\n\nnote: {lock}\nhelp: run `{fix}` to update them",
        list_some(&stale)
    ));
    Ok(Exit::Stale)
}

/// What the changes make stale, for `check`: each facade (with its file
/// count) and each consumer manifest.
fn stale_parts(changes: &[Change]) -> Vec<String> {
    let mut owners: std::collections::BTreeMap<&write::Owner, usize> =
        std::collections::BTreeMap::new();
    for change in changes {
        *owners.entry(&change.owner).or_default() += 1;
    }
    owners
        .into_iter()
        .map(|(owner, n)| match owner {
            write::Owner::Facade(root) => format!("facade `{root}` ({})", files(n)),
            write::Owner::Consumer(name) => format!("manifest of `{name}`"),
        })
        .collect()
}

/// `a, b, c` — or the first few and how many more.
fn list_some(items: &[String]) -> String {
    const SHOWN: usize = 6;
    if items.len() <= SHOWN {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..SHOWN].join(", "),
        items.len() - SHOWN
    )
}

/// `` `a`, `b` ``.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
