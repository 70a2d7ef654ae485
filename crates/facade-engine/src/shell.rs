//! All terminal output goes through [`Shell`]: cargo-style status lines,
//! warnings and errors on stderr, command results (diffs, lists) on stdout.
//! Tests and xtasks can hand it any writer.

use std::fmt::Display;
use std::io::{self, Write};
use std::path::PathBuf;

use anstyle::{AnsiColor, Effects, Style};

use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    /// `-v`.
    Verbose,
    /// `-vv`: also passed on to the cargo commands cargo-facade runs.
    VeryVerbose,
}

/// When to colour output, as cargo's `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

const STATUS: Style = AnsiColor::Green.on_default().effects(Effects::BOLD);
const NOTE: Style = AnsiColor::Cyan.on_default().effects(Effects::BOLD);
const ERROR: Style = AnsiColor::Red.on_default().effects(Effects::BOLD);

/// The one writer of a run.
pub struct Shell {
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    verbosity: Verbosity,
    /// Whether long steps say what they are doing without `-v` (see
    /// [`Shell::progress`]).
    progress: bool,
    cwd: PathBuf,
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell")
            .field("verbosity", &self.verbosity)
            .finish_non_exhaustive()
    }
}

impl Shell {
    /// A shell on the process's stdout and stderr.
    pub fn stdio(color: ColorChoice, verbosity: Verbosity) -> Shell {
        let choice = match color {
            ColorChoice::Auto => anstream::ColorChoice::Auto,
            ColorChoice::Always => anstream::ColorChoice::Always,
            ColorChoice::Never => anstream::ColorChoice::Never,
        };
        let mut shell = Shell::new(
            Box::new(anstream::AutoStream::new(io::stdout(), choice)),
            Box::new(anstream::AutoStream::new(io::stderr(), choice)),
            verbosity,
        );
        // As cargo's progress bar: on a terminal, or as
        // `CARGO_TERM_PROGRESS_WHEN` says.
        shell.progress = match std::env::var("CARGO_TERM_PROGRESS_WHEN").as_deref() {
            Ok("always") => true,
            Ok("never") => false,
            _ => io::IsTerminal::is_terminal(&io::stderr()),
        };
        shell
    }

    /// A shell on any writers (styles are written as ANSI escapes).
    pub fn new(out: Box<dyn Write>, err: Box<dyn Write>, verbosity: Verbosity) -> Shell {
        Shell {
            out,
            err,
            verbosity,
            progress: false,
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }

    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Sets the verbosity, returning the previous one (for a step whose
    /// own status lines would repeat its caller's).
    pub fn set_verbosity(&mut self, verbosity: Verbosity) -> Verbosity {
        std::mem::replace(&mut self.verbosity, verbosity)
    }

    /// `   Generating facade foo`: a cargo status line, skipped with `-q`.
    pub fn status(&mut self, verb: &str, message: impl Display) {
        if self.verbosity > Verbosity::Quiet {
            let _ = writeln!(self.err, "{STATUS}{verb:>12}{STATUS:#} {message}");
        }
    }

    /// A status line shown only with `-v` (or `-vv`).
    /// A status line for a step that takes seconds (a probe that compiles):
    /// shown with `-v`, or without it where cargo would show its progress
    /// bar (a terminal, `CARGO_TERM_PROGRESS_WHEN=always`), never with `-q`.
    /// Piped output stays as it is, so scripts and logs see no new lines.
    pub fn progress(&mut self, verb: &str, message: impl Display) {
        if self.progress && self.verbosity > Verbosity::Quiet {
            self.status(verb, message);
        } else {
            self.verbose(verb, message);
        }
    }

    pub fn verbose(&mut self, verb: &str, message: impl Display) {
        if self.verbosity >= Verbosity::Verbose {
            let _ = writeln!(self.err, "{STATUS}{verb:>12}{STATUS:#} {message}");
        }
    }

    pub fn note(&mut self, message: impl Display) {
        if self.verbosity > Verbosity::Quiet {
            let _ = writeln!(self.err, "{NOTE}note{NOTE:#}: {message}");
        }
    }

    /// An error without a place in a file.
    pub fn error(&mut self, message: impl Display) {
        let _ = writeln!(self.err, "{ERROR}error{ERROR:#}: {message}");
    }

    /// A diagnostic with its snippet; warnings are skipped with `-q`.
    pub fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        if !diagnostic.is_error() && self.verbosity == Verbosity::Quiet {
            return;
        }
        let text = diagnostic.render(&self.cwd);
        let _ = writeln!(self.err, "{text}\n");
        let _ = self.err.flush();
    }

    /// The command's result, on stdout.
    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    pub fn display_path(&self, path: &std::path::Path) -> String {
        crate::diagnostic::display_path(path, &self.cwd)
    }
}
