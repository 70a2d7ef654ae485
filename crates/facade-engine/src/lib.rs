//! The engine of cargo-facade: RFC 3243 namespaced dependencies on stable
//! Rust through generated facade crates.
//!
//! The CLI (`cargo facade`) and any workspace's own xtask call the same entry
//! points: [`cli::run_from_args`] for the identical command line, or
//! [`run`] with a [`Command`] (carrying its own flags) and the [`Options`]
//! every command shares, for programmatic use.
//!
//! Data flows one way: [`load`] → [`plan`] → [`render`] → [`write`](mod@write); the
//! flows of the commands ([`commands`], [`migrate`], [`package`]) run it.
//! This file is the public surface only.

pub mod blame;
pub mod cargo;
pub mod cli;
pub mod commands;
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
pub mod outside;
pub mod package;
pub mod paths;
pub mod plan;
pub mod render;
pub mod schema;
pub mod shell;
pub mod write;

use std::path::PathBuf;

use diagnostic::InputErrors;
pub use list::ListFormat;
use shell::Shell;

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

/// What to run, with the flags that only this command takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Write every facade and managed entry, refresh `Cargo.lock`; with
    /// `dry_run`, print the diff instead of writing. A tree written in an
    /// older format is rewritten only with `upgrade`.
    Sync {
        dry_run: bool,
        upgrade: bool,
        /// `-p`: only these members' manifests and facades (empty: all).
        packages: Vec<String>,
    },
    /// Change nothing; report what `sync` would change (`format`: the
    /// diff for people, or a JSON report for CI bots).
    Check {
        format: ListFormat,
        /// `-p`: only these members' manifests and facades (empty: all).
        packages: Vec<String>,
    },
    /// Write a declaration as `cargo add` writes a dependency, then `sync`.
    Add(commands::add::AddOptions),
    /// Remove declarations as `cargo remove` removes dependencies, then `sync`.
    Remove(commands::remove::RemoveOptions),
    /// Print namespaces, children and their consumers.
    List {
        format: ListFormat,
        /// `-p`: only these members' declarations (empty: every member).
        packages: Vec<String>,
    },
    /// Put declarations back into the real tables (RFC syntax), remove
    /// managed entries and facades; with `dry_run`, print the diff instead.
    Eject { dry_run: bool },
    /// Turn dependencies on packages into namespaced declarations (or
    /// back): manifests and Rust sources, then `sync`. See [`migrate`].
    Migrate(migrate::MigrateOptions),
    /// Write the `.crate` `cargo package` would, lowered: real dependencies
    /// instead of facades. See [`package`].
    Package(package::PackageOptions),
    /// `package`, then publish that lowered crate with cargo.
    Publish(package::PublishOptions),
}

impl Command {
    /// Whether the command may write files (and so may say it wrote none).
    fn writes(&self) -> bool {
        match self {
            Command::Sync { dry_run, .. } | Command::Eject { dry_run } => !dry_run,
            Command::Migrate(options) => !options.dry_run,
            Command::Add(options) => !options.dry_run,
            Command::Remove(options) => !options.dry_run,
            Command::Check { .. }
            | Command::List { .. }
            | Command::Package(_)
            | Command::Publish(_) => false,
        }
    }
}

/// What every command shares: where the workspace is, how cargo runs, how
/// strict to be. A command's own flags travel with its [`Command`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The workspace's (or a member's) `Cargo.toml`; default: cargo's search from the current folder.
    pub manifest_path: Option<PathBuf>,
    pub cargo: CargoOptions,
    /// Treat warnings (unused keys, ownership) as errors.
    pub deny_warnings: bool,
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
pub fn run(command: &Command, options: &Options, shell: &mut Shell) -> Exit {
    let result = match command {
        Command::Sync {
            dry_run,
            upgrade,
            packages,
        } => commands::sync::run(*dry_run, *upgrade, packages, options, shell),
        Command::Check { format, packages } => {
            commands::check::run(*format, packages, options, shell)
        }
        Command::Add(add) => commands::add::run(add, options, shell),
        Command::Remove(remove) => commands::remove::run(remove, options, shell),
        Command::List { format, packages } => {
            commands::list::run(*format, packages, options, shell)
        }
        Command::Eject { dry_run } => commands::eject::run(*dry_run, options, shell),
        Command::Migrate(migrate) => migrate::migrate(migrate, options, shell),
        Command::Package(package) => package::package(package, options, shell),
        Command::Publish(publish) => package::publish(publish, options, shell),
    };
    match result {
        Ok(exit) => exit,
        Err(err) => {
            if let Some(input) = err.downcast_ref::<InputErrors>() {
                if command.writes() {
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
