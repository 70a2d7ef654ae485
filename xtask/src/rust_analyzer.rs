//! rust-analyzer on the team-tools fixture (`cargo xtask team-tools`): what
//! an editor shows of a synced tree. Its `diagnostics` and `analysis-stats`
//! commands load the workspace as the language server does (`cargo
//! metadata`, build scripts and proc-macros through `cargo check`), so a
//! namespaced path that the server could not follow through a facade shows
//! as an error or an expression of unknown type. The same tree with names
//! its packages did not declare is the control: the editor must refuse them
//! as rustc does, or exactness would hold for builds only.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

/// `ra_ap_rust-analyzer`, the language server published as a library
/// crate with its binary: it needs nightly features, and this is the newest
/// release whose `rust-version` this machine's nightly meets.
pub(crate) const VERSION: &str = "0.0.349";

/// What rust-analyzer reported on one tree.
pub(crate) struct Analysis {
    /// `file:line: code message` of each error `diagnostics` reported.
    pub(crate) errors: Vec<String>,
    /// Expressions in the workspace's bodies, and those of unknown type.
    pub(crate) exprs: u64,
    pub(crate) unknown: u64,
}

/// Installs rust-analyzer into `base` (skipped by cargo when present) and
/// returns the binary.
pub(crate) fn install(base: &Path) -> anyhow::Result<PathBuf> {
    eprintln!("==> cargo +nightly install --locked ra_ap_rust-analyzer@{VERSION}");
    // `$CARGO` is cargo's own binary, which knows no `+toolchain`: rustup does.
    let status = Command::new("rustup")
        .args([
            "run", "nightly", "cargo", "install", "--locked", "--quiet", "--root",
        ])
        .arg(base)
        .arg(format!("ra_ap_rust-analyzer@{VERSION}"))
        .env("CARGO_TARGET_DIR", base.join("build-rust-analyzer"))
        .status()
        .context("failed to run `rustup run nightly cargo install`")?;
    if !status.success() {
        bail!(
            "`cargo +nightly install --locked ra_ap_rust-analyzer@{VERSION}` failed (it needs a \
             nightly toolchain: `rustup toolchain install nightly`)"
        );
    }
    Ok(base.join("bin/rust-analyzer"))
}

/// `rust-analyzer diagnostics .` and `analysis-stats .` on `ws`.
pub(crate) fn analyse(ra: &Path, ws: &Path, target: &Path) -> anyhow::Result<Analysis> {
    let run = |args: &[&str]| -> anyhow::Result<String> {
        let out = Command::new(ra)
            .args(args)
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", target)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .with_context(|| format!("failed to run `rust-analyzer {}`", args.join(" ")))?;
        // `diagnostics` exits 1 when it reports an error: the text says which.
        Ok(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    };
    eprintln!("==> rust-analyzer diagnostics .");
    let diagnostics = run(&["diagnostics", "."])?;
    if !diagnostics.contains("diagnostic scan complete") {
        bail!("`rust-analyzer diagnostics .` did not complete:\n{diagnostics}");
    }
    eprintln!("==> rust-analyzer analysis-stats .");
    let stats = run(&["analysis-stats", "."])?;
    let (exprs, unknown) = unknown_types(&stats).with_context(|| {
        format!("`rust-analyzer analysis-stats .` printed no `exprs:` line:\n{stats}")
    })?;
    Ok(Analysis {
        errors: errors(&diagnostics, ws),
        exprs,
        unknown,
    })
}

/// The errors of `rust-analyzer diagnostics` output, as `file:line: code
/// message` (lines are 0-based there). Lines look like
/// `at crate app, file /…/app/src/main.rs: Error RustcHardError("E0432") from
/// LineCol { line: 15, col: 4 } to LineCol { … }: unresolved import`.
fn errors(text: &str, ws: &Path) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("at crate "))
        .filter_map(|l| {
            let (_, rest) = l.split_once(", file ")?;
            let (file, rest) = rest.split_once(": ")?;
            let rest = rest.strip_prefix("Error ")?;
            let code = rest
                .split_once("(\"")
                .and_then(|(_, r)| r.split_once("\")"))
                .map_or("", |(code, _)| code);
            let line: u64 = rest
                .split_once("from LineCol { line: ")?
                .1
                .split(',')
                .next()?
                .parse()
                .ok()?;
            let message = rest.rsplit_once("}: ").map_or("", |(_, m)| m);
            let file = Path::new(file)
                .strip_prefix(ws)
                .map_or_else(|_| file.to_owned(), |p| p.display().to_string());
            Some(format!("{file}:{}: {code} {message}", line + 1))
        })
        .collect()
}

/// `exprs: 67778, ??ty: 69 (0%), ?ty: 26 (0%), !ty: 0` of `analysis-stats`:
/// expressions, and those of unknown type.
fn unknown_types(text: &str) -> Option<(u64, u64)> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("exprs:"))?;
    let field = |name: &str| -> Option<u64> {
        line.split(", ")
            .find_map(|part| part.strip_prefix(name))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some((field("exprs: ")?, field("??ty: ")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_line_and_code() {
        let text = "\
at crate app, file /ws/app/src/main.rs: Error RustcHardError(\"E0432\") from LineCol { line: 15, col: 4 } to LineCol { line: 15, col: 20 }: unresolved import
at crate app, file /ws/app/src/lib.rs: WeakWarning RaLint(\"inactive_code\", WeakWarning) from LineCol { line: 3, col: 0 } to LineCol { line: 5, col: 1 }: code is inactive
diagnostic scan complete
";
        assert_eq!(
            errors(text, Path::new("/ws")),
            ["app/src/main.rs:16: E0432 unresolved import"]
        );
    }

    #[test]
    fn unknown_types_come_from_the_exprs_line() {
        let text = "Expression Store Lowering: 218.50ms\n  exprs: 67778, ??ty: 69 (0%), ?ty: 26 (0%), !ty: 0\n  pats: 12634, ??ty: 8 (0%)\n";
        assert_eq!(unknown_types(text), Some((67778, 69)));
        assert_eq!(unknown_types("Total: 1s\n"), None);
    }
}
