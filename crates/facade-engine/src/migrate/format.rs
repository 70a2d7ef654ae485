//! rustfmt for migrated files: a file that passed `rustfmt --check` before
//! `migrate` passes it after, and `--reverse` still gives its bytes back.
//!
//! A longer or shorter path can move an import in rustfmt's order
//! (`use serde::*; use serde_json::x;` becomes `use serde::*; use
//! serde::json::x;`, out of order) or push a line past `max_width`. So when
//! the original was clean, forward formats the rewritten file with the
//! toolchain's rustfmt (`RUSTFMT`, else `rustfmt`), run from the file's
//! folder so that it finds the workspace's `rustfmt.toml` as `cargo fmt`
//! does, with the package's edition. rustfmt changes nothing in the clean
//! rest, so only the migrated lines move.
//!
//! The way back follows one rule, which forward simulates before it
//! commits to anything: reverse formats its result when the file it
//! starts from is clean. A clean original, renamed, formatted, renamed back
//! and formatted again, is the original; forward checks exactly that (and
//! falls back to the unformatted rewrite, then to an error, when it is not).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::source::{Rename, rewrite};

/// rustfmt as `cargo fmt` would run it on one package's files.
#[derive(Debug, Clone)]
pub struct Rustfmt {
    program: PathBuf,
    edition: String,
}

impl Rustfmt {
    /// rustfmt for a package of `edition` (`"2021"`).
    pub fn new(edition: &str) -> Rustfmt {
        Rustfmt {
            program: std::env::var_os("RUSTFMT").map_or_else(|| "rustfmt".into(), PathBuf::from),
            edition: edition.to_owned(),
        }
    }

    /// `text` formatted as if it were a file in `dir`; `None` when rustfmt
    /// is missing or fails (say, on a syntax it does not know).
    pub fn format(&self, text: &str, dir: &Path) -> Option<String> {
        let mut child = Command::new(&self.program)
            .args(["--edition", &self.edition, "--emit", "stdout"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut stdin = child.stdin.take()?;
        let input = text.to_owned();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output().ok()?;
        writer.join().ok()?.ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8(output.stdout).ok()
    }

    /// Whether `rustfmt --check` passes on `text`.
    pub fn is_clean(&self, text: &str, dir: &Path) -> bool {
        self.format(text, dir).is_some_and(|f| f == text)
    }
}

/// The way back of one file, given `text` and its renamed `back`: `back`
/// formatted when `text` is clean.
pub fn reverse(text: &str, back: String, fmt: &Rustfmt, dir: &Path) -> String {
    if back != text && fmt.is_clean(text, dir) {
        return fmt.format(&back, dir).unwrap_or(back);
    }
    back
}

/// The forward text of a file whose rename gave `renamed`: formatted when
/// the original was clean and the way back still restores it, else as
/// renamed when that comes back. `Err` holds what the way back would give.
pub fn forward(
    original: &str,
    renamed: String,
    inverse: &[Rename],
    fmt: &Rustfmt,
    dir: &Path,
) -> Result<String, String> {
    let mut candidates = Vec::new();
    if fmt.is_clean(original, dir)
        && let Some(formatted) = fmt.format(&renamed, dir)
        && formatted != renamed
    {
        candidates.push(formatted);
    }
    candidates.push(renamed);
    let mut back = String::new();
    for candidate in candidates {
        back = match rewrite(&candidate, inverse) {
            Ok(renamed) => reverse(&candidate, renamed.text, fmt, dir),
            Err(_) => String::new(),
        };
        if back == original {
            return Ok(candidate);
        }
    }
    Err(back)
}
