//! The command line, shared by the `cargo-facade` binary and any
//! workspace's xtask: `cargo facade …` and `cargo xtask facade …` parse the
//! same [`FacadeArgs`] and run the same code.
//!
//! clap lives here rather than only in the binary (as cargo-semver-checks
//! does) because an xtask must get the identical CLI without depending on the
//! binary crate.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::add::AddOptions;
use crate::commands::remove::RemoveOptions;
use crate::manifest::DepKind;
use crate::migrate::MigrateOptions;
use crate::package::{PackageOptions, PublishOptions};
use crate::shell::{ColorChoice, Shell, Verbosity};
use crate::{CargoOptions, Command, Exit, ListFormat, Options};

/// Namespaced dependencies (RFC 3243) on stable Rust, through generated facade crates.
///
/// `about` is spelled out: clap's default is the package description, which
/// is the engine crate's, not the command's.
/// What `--help` ends with: the commands a newcomer runs first.
const EXAMPLES: &str = "\
Examples:
  cargo facade sync                       write the facades of the declarations, then build as usual
  cargo facade check                      in CI: exit 1 and show the diff when `sync` would change files
  cargo facade check --format json        the same as a JSON report, for bots
  cargo facade list --format json         namespaces, names and the members that declare them
  cargo facade migrate 'foo::bar=foo-bar' move users of package `foo-bar` to `foo::bar::` paths
  cargo facade eject --dry-run            show the manifests in RFC 3243 syntax, without facades

Settings as cargo reads them: CARGO_TERM_COLOR, CARGO_TERM_QUIET, CARGO_TERM_VERBOSE, [term] in .cargo/config.toml";

#[derive(Debug, Parser)]
#[command(
    name = "facade",
    version,
    about = "Namespaced dependencies (RFC 3243) on stable Rust, through generated facade crates",
    long_about = None,
    after_help = EXAMPLES
)]
pub struct FacadeArgs {
    #[command(subcommand)]
    pub command: FacadeCommand,

    /// Path to the workspace's Cargo.toml
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// Run without accessing the network (passed to cargo)
    #[arg(long, global = true)]
    pub offline: bool,

    /// Assert that `Cargo.lock` will remain unchanged (passed to cargo)
    #[arg(long, global = true)]
    pub locked: bool,

    /// Equivalent to specifying both --locked and --offline (passed to cargo)
    #[arg(long, global = true)]
    pub frozen: bool,

    /// Coloring [default: `CARGO_TERM_COLOR`, `[term] color` in .cargo/config.toml, else auto]
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<Color>,

    /// Do not print cargo-style status lines [default: `CARGO_TERM_QUIET`, `[term] quiet`]
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Use verbose output (-vv very verbose, passed on to the cargo it runs) [default: `CARGO_TERM_VERBOSE`, `[term] verbose`]
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Treat warnings as errors (exit 2, nothing written)
    #[arg(long, global = true)]
    pub deny_warnings: bool,
}

#[derive(Debug, Subcommand)]
pub enum FacadeCommand {
    /// Write every facade and managed entry, remove undeclared facades, refresh Cargo.lock
    Sync(SyncArgs),
    /// Change nothing; print the diff `sync` would apply (exit 1 when stale)
    Check(CheckArgs),
    /// List namespaces, their children and the members that declare them
    List(ListArgs),
    /// Declare a namespaced dependency as `cargo add` adds one, then sync
    #[command(
        after_help = "Examples:\n  cargo facade add 'acme::http=acme-http'          # version picked as `cargo add` picks it\n  cargo facade add 'acme::http=acme-http@1.2' -F tls\n  cargo facade add 'acme::http' --path ../acme-http\n  cargo facade add acme --dev"
    )]
    Add(AddArgs),
    /// Remove namespaced declarations as `cargo remove` removes dependencies, then sync
    Remove(RemoveArgs),
    /// Put declarations back into the real tables in RFC 3243 syntax; remove managed entries and facades
    Eject(EjectArgs),
    /// Turn dependencies on `foo-bar` into declarations of `foo::bar` and rewrite `foo_bar::…` paths (or back)
    Migrate(MigrateArgs),
    /// Write the `.crate` `cargo package` would, lowered: real dependencies instead of facades, `foo_bar::` for `foo::bar::`
    Package(PackageArgs),
    /// Package as `package` does, then publish that lowered crate with `cargo publish`
    Publish(PublishArgs),
}

impl FacadeCommand {
    /// The library's [`Command`], carrying this command's flags.
    pub fn command(&self) -> Command {
        match self {
            FacadeCommand::Sync(args) => Command::Sync {
                dry_run: args.dry_run,
                upgrade: args.upgrade,
                packages: args.packages.clone(),
            },
            FacadeCommand::Check(args) => Command::Check {
                format: match args.format {
                    Format::Human => ListFormat::Human,
                    Format::Json => ListFormat::Json,
                },
                packages: args.packages.clone(),
            },
            FacadeCommand::Add(args) => Command::Add(AddOptions {
                spec: args.spec.clone(),
                version: args.version.clone(),
                path: args.path.clone(),
                features: args.features.clone(),
                kind: args.kind.kind(),
                optional: args.optional,
                package: args.package.clone(),
                dry_run: args.dry_run,
            }),
            FacadeCommand::Remove(args) => Command::Remove(RemoveOptions {
                names: args.names.clone(),
                kind: args.kind.kind(),
                package: args.package.clone(),
                dry_run: args.dry_run,
            }),
            FacadeCommand::List(args) => Command::List {
                format: match args.format {
                    Format::Human => ListFormat::Human,
                    Format::Json => ListFormat::Json,
                },
                packages: args.packages.clone(),
            },
            FacadeCommand::Eject(args) => Command::Eject {
                dry_run: args.dry_run,
            },
            FacadeCommand::Migrate(args) => Command::Migrate(MigrateOptions {
                specs: args.specs.clone(),
                reverse: args.reverse,
                packages: args.packages.clone(),
                dry_run: args.dry_run,
            }),
            FacadeCommand::Package(args) => {
                Command::Package(args.lowering.options(args.packages.clone()))
            }
            FacadeCommand::Publish(args) => Command::Publish(PublishOptions {
                package: args
                    .lowering
                    .options(args.package.iter().cloned().collect()),
                registry: args.registry.clone(),
                dry_run: args.dry_run,
            }),
        }
    }
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Package this workspace member (repeatable; default: the package of the current folder)
    #[arg(short, long = "package", value_name = "PKG")]
    pub packages: Vec<String>,

    #[command(flatten)]
    pub lowering: LoweringArgs,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Publish this workspace member (default: the package of the current folder)
    #[arg(short, long = "package", value_name = "PKG")]
    pub package: Option<String>,

    /// Package and verify, but do not upload (`cargo publish --dry-run`)
    #[arg(long)]
    pub dry_run: bool,

    /// The registry to publish to (`cargo publish --registry`)
    #[arg(long, value_name = "REGISTRY")]
    pub registry: Option<String>,

    #[command(flatten)]
    pub lowering: LoweringArgs,
}

/// Flags `package` and `publish` share, passed on to cargo.
#[derive(Debug, Args)]
pub struct LoweringArgs {
    /// Do not verify the lowered crate by building it
    #[arg(long)]
    pub no_verify: bool,

    /// Package even if the package's files have uncommitted changes
    #[arg(long)]
    pub allow_dirty: bool,

    /// Features to activate in the verification build
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,

    /// Activate all features in the verification build
    #[arg(long)]
    pub all_features: bool,

    /// Do not activate the `default` feature in the verification build
    #[arg(long)]
    pub no_default_features: bool,
}

impl LoweringArgs {
    fn options(&self, packages: Vec<String>) -> PackageOptions {
        PackageOptions {
            packages,
            no_verify: self.no_verify,
            allow_dirty: self.allow_dirty,
            features: self.features.clone(),
            all_features: self.all_features,
            no_default_features: self.no_default_features,
        }
    }
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// What to migrate: `<root>::<child>=<package>`, e.g. `foo::bar=foo-bar`
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<String>,

    /// Go back: declarations become dependencies again, `foo::bar::…` becomes `foo_bar::…`
    #[arg(long)]
    pub reverse: bool,

    /// Print the unified diff instead of writing files
    #[arg(long)]
    pub dry_run: bool,

    /// Only migrate this workspace member (repeatable; default: every member)
    #[arg(short, long = "package", value_name = "PKG")]
    pub packages: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// `NAME[=PACKAGE][@VERSION]`: `acme::http=acme-http@1.2`; a registry or git child needs its package
    #[arg(value_name = "SPEC")]
    pub spec: String,

    /// The version requirement (default: the one `cargo add` would pick)
    #[arg(value_name = "VERSION", conflicts_with = "path")]
    pub version: Option<String>,

    /// The package's folder (a path root or child)
    #[arg(long, value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Features of the declared package to turn on (comma or space separated, repeatable)
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,

    /// Declare it optional
    #[arg(long)]
    pub optional: bool,

    #[command(flatten)]
    pub kind: KindArgs,

    /// The member to edit (default: the package of the current folder)
    #[arg(short, long, value_name = "PKG")]
    pub package: Option<String>,

    /// Print the unified diff instead of writing files
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The declared names to remove: `acme::http`, `acme`
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,

    #[command(flatten)]
    pub kind: KindArgs,

    /// The member to edit (default: the package of the current folder)
    #[arg(short, long, value_name = "PKG")]
    pub package: Option<String>,

    /// Print the unified diff instead of writing files
    #[arg(long)]
    pub dry_run: bool,
}

/// `--dev` / `--build`, as `cargo add` spells them.
#[derive(Debug, Args)]
pub struct KindArgs {
    /// The dev-dependencies table
    #[arg(long, conflicts_with = "build")]
    pub dev: bool,

    /// The build-dependencies table
    #[arg(long)]
    pub build: bool,
}

impl KindArgs {
    fn kind(&self) -> DepKind {
        match (self.dev, self.build) {
            (true, _) => DepKind::Dev,
            (_, true) => DepKind::Build,
            _ => DepKind::Normal,
        }
    }
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Print the unified diff instead of writing files
    #[arg(long)]
    pub dry_run: bool,

    /// Rewrite facades written by an older cargo-facade in this release's format
    #[arg(long)]
    pub upgrade: bool,

    /// Write only for this workspace member: its manifest and the facades serving it (repeatable)
    #[arg(short, long = "package", value_name = "PKG")]
    pub packages: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EjectArgs {
    /// Print the unified diff instead of writing files
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Report only what is stale for this workspace member: its manifest and the facades serving it (repeatable)
    #[arg(short, long = "package", value_name = "PKG")]
    pub packages: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// List only what this workspace member declares and the facades that serve it (repeatable)
    #[arg(short, long = "package", value_name = "PKG")]
    pub packages: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl FacadeArgs {
    /// Converts the parsed flags into the library's [`Command`] (with its
    /// own flags) and the [`Options`] every command shares.
    pub fn options(&self) -> (Command, Options) {
        let options = Options {
            manifest_path: self.manifest_path.clone(),
            cargo: CargoOptions {
                offline: self.offline,
                locked: self.locked,
                frozen: self.frozen,
                very_verbose: self.verbose >= 2,
            },
            deny_warnings: self.deny_warnings,
        };
        (self.command.command(), options)
    }

    /// Runs the parsed command on stdout/stderr.
    pub fn execute(&self) -> Exit {
        let (command, options) = self.options();
        let term = Term::read();
        let color = match self.color.or(term.color) {
            None | Some(Color::Auto) => ColorChoice::Auto,
            Some(Color::Always) => ColorChoice::Always,
            Some(Color::Never) => ColorChoice::Never,
        };
        let flags = self.quiet || self.verbose > 0;
        let verbosity = match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 1) => Verbosity::Verbose,
            (false, 2..) => Verbosity::VeryVerbose,
            (false, 0) if !flags && term.quiet == Some(true) => Verbosity::Quiet,
            (false, 0) if !flags && term.verbose == Some(true) => Verbosity::Verbose,
            (false, 0) => Verbosity::Normal,
        };
        let mut shell = Shell::stdio(color, verbosity);
        crate::run(&command, &options, &mut shell)
    }
}

/// cargo's `[term]` settings, which cargo does not pass on to a subcommand
/// (`cargo --color never facade …` drops the flag), so they arrive only as
/// `CARGO_TERM_COLOR`, `CARGO_TERM_QUIET`, `CARGO_TERM_VERBOSE` or `[term]`
/// in a `.cargo/config.toml`; as in cargo, flags beat the environment,
/// which beats the config files (the nearest to the current folder first,
/// then `$CARGO_HOME`'s).
#[derive(Debug, Default)]
struct Term {
    color: Option<Color>,
    quiet: Option<bool>,
    verbose: Option<bool>,
}

impl Term {
    fn read() -> Term {
        let env = |name: &str| std::env::var(name).ok();
        let mut term = Term {
            color: env("CARGO_TERM_COLOR").and_then(|v| color_named(&v)),
            quiet: env("CARGO_TERM_QUIET").map(|v| v == "true"),
            verbose: env("CARGO_TERM_VERBOSE").map(|v| v == "true"),
        };
        for config in config_files() {
            let Ok(text) = std::fs::read_to_string(&config) else {
                continue;
            };
            let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
                continue;
            };
            let Some(table) = doc.get("term") else {
                continue;
            };
            term.color = term
                .color
                .or_else(|| table.get("color")?.as_str().and_then(color_named));
            term.quiet = term.quiet.or_else(|| table.get("quiet")?.as_bool());
            term.verbose = term.verbose.or_else(|| table.get("verbose")?.as_bool());
        }
        term
    }
}

fn color_named(name: &str) -> Option<Color> {
    match name {
        "auto" => Some(Color::Auto),
        "always" => Some(Color::Always),
        "never" => Some(Color::Never),
        _ => None,
    }
}

/// cargo's config files in priority order: `.cargo/config.toml` (or the
/// old `.cargo/config`) in the current folder and each ancestor, then in
/// `$CARGO_HOME` (default `~/.cargo`).
fn config_files() -> Vec<PathBuf> {
    let in_dir = |dir: &std::path::Path| {
        ["config.toml", "config"]
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    };
    let mut files = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        files.extend(
            cwd.ancestors()
                .filter_map(|dir| in_dir(&dir.join(".cargo"))),
        );
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if let Some(home) = home
        && let Some(file) = in_dir(&home)
        && !files.contains(&file)
    {
        files.push(file);
    }
    files
}

/// Parses `args` (the first is the program name, e.g. `facade`) and runs
/// them: what a workspace's `cargo xtask facade …` calls.
pub fn run_from_args<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match FacadeArgs::try_parse_from(args) {
        Ok(args) => args.execute(),
        Err(err) => {
            let _ = err.print();
            if err.use_stderr() {
                Exit::Error
            } else {
                Exit::Success
            }
        }
    }
}
