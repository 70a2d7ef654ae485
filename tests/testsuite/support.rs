//! The test harness: fixture workspaces copied from `tests/cases/<name>/in`
//! into a temporary folder, the real `cargo-facade` binary, and real cargo
//! builds (each fixture in its own target folder; see `Fixture::empty`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::SystemTime;

/// Cargo builds of fixtures run one at a time: two cargo processes compiling
/// at once on this 2-core machine only slow each other down.
static CARGO: Mutex<()> = Mutex::new(());

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn cases_dir() -> PathBuf {
    repo_root().join("tests/cases")
}

pub fn shared_target_dir() -> PathBuf {
    repo_root().join("target/fixtures")
}

/// A fixture workspace in a temporary folder.
pub struct Fixture {
    dir: tempfile::TempDir,
    case: Option<String>,
    target_dir: PathBuf,
}

/// The result of a process, text decoded.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(output: Output, root: &Path) -> Run {
        let redact = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            // Mask machine-specific paths; canonical first (`/tmp` may be a link).
            let canonical = root.canonicalize().unwrap_or_else(|_| root.to_owned());
            text.replace(&canonical.display().to_string(), "[ROOT]")
                .replace(&root.display().to_string(), "[ROOT]")
        };
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: redact(&output.stdout),
            stderr: redact(&output.stderr),
        }
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Fixture {
    /// Copies `tests/cases/<case>/in`.
    pub fn case(case: &str) -> Fixture {
        let fixture = Fixture::empty();
        copy_dir(&cases_dir().join(case).join("in"), fixture.path());
        Fixture {
            case: Some(case.to_owned()),
            ..fixture
        }
    }

    /// An empty folder to write files into.
    pub fn empty() -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("cargo-facade-test-")
            .tempdir()
            .expect("tempdir");
        // Each fixture builds in a target folder of its own: cargo hashes a
        // path package by its workspace-relative path, so two fixtures with
        // the same layout sharing `CARGO_TARGET_DIR` can silently reuse each
        // other's artifacts (seen in this suite). Fixtures depend on path
        // packages only, so sharing would save nothing.
        let target_dir = dir.path().join("target");
        Fixture {
            dir,
            case: None,
            target_dir,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The `CARGO_TARGET_DIR` of this fixture's cargo builds.
    pub fn target_dir(&self) -> &Path {
        &self.target_dir
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// `cargo-facade facade <args>` in the fixture. Cargo's target folder
    /// is the fixture's own default (`target/`, or what its config says),
    /// never a `CARGO_TARGET_DIR` of the environment running the suite.
    pub fn facade(&self, args: &[&str]) -> Run {
        self.facade_env(args, &[])
    }

    /// `cargo <args>` in the fixture, offline, in the fixture's target folder.
    pub fn cargo(&self, args: &[&str]) -> Run {
        let _guard = CARGO.lock().unwrap_or_else(|e| e.into_inner());
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command
            .args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", &self.target_dir);
        self.run(command)
    }

    /// `cargo-facade facade <args>` with `env` set last (it may override
    /// the suite's defaults, such as `CARGO_NET_OFFLINE`).
    pub fn facade_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-facade"));
        command
            .arg("facade")
            .args(args)
            .current_dir(self.path())
            .env_remove("CARGO_TARGET_DIR");
        self.run_env(command, env)
    }

    fn run(&self, command: Command) -> Run {
        self.run_env(command, &[])
    }

    fn run_env(&self, mut command: Command, env: &[(&str, &str)]) -> Run {
        command
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied());
        let output = command.output().expect("spawn process");
        Run::from_output(output, self.path())
    }

    /// Every file (bytes and mtime), except `target/`.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
        let mut out = BTreeMap::new();
        let mut stack = vec![self.path().to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let entry = entry.unwrap();
                let path = entry.path();
                let rel = path.strip_prefix(self.path()).unwrap().to_owned();
                if rel == Path::new("target") {
                    continue;
                }
                let meta = fs::symlink_metadata(&path).unwrap();
                if meta.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = fs::read(&path).unwrap_or_default();
                    out.insert(rel, (bytes, meta.modified().unwrap()));
                }
            }
        }
        out
    }

    /// Asserts the generated tree matches `tests/cases/<case>/out`
    /// (`SNAPSHOTS=overwrite` updates it), and that `out` lists every
    /// facade file that exists.
    #[track_caller]
    pub fn assert_out(&self) {
        let case = self.case.as_deref().expect("a case fixture");
        let out = cases_dir().join(case).join("out");
        if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
            let _ = fs::remove_dir_all(&out);
            copy_dir_filtered(self.path(), &out);
        }
        snapbox::Assert::new()
            .action_env("SNAPSHOTS")
            .subset_eq(&out, self.path());
        let expected: Vec<PathBuf> = files_below(&out);
        let actual: Vec<PathBuf> = files_below(self.path())
            .into_iter()
            .filter(|p| !p.starts_with("target") && p != Path::new("Cargo.lock"))
            .collect();
        assert_eq!(
            actual,
            expected,
            "the fixture's files differ from `{}`",
            out.display()
        );
    }
}

/// Asserts two snapshots are identical, bytes and mtimes.
#[track_caller]
pub fn assert_unchanged(
    before: &BTreeMap<PathBuf, (Vec<u8>, SystemTime)>,
    after: &BTreeMap<PathBuf, (Vec<u8>, SystemTime)>,
) {
    let keys = |m: &BTreeMap<PathBuf, _>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(before), keys(after), "files were added or removed");
    for (path, (bytes, mtime)) in before {
        let (after_bytes, after_mtime) = &after[path];
        assert!(bytes == after_bytes, "`{}` changed", path.display());
        assert_eq!(
            mtime,
            after_mtime,
            "`{}` was rewritten (mtime changed)",
            path.display()
        );
    }
}

fn files_below(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

pub fn copy_dir(from: &Path, to: &Path) {
    for rel in files_below(from) {
        let dest = to.join(&rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(from.join(&rel), dest).unwrap();
    }
}

fn copy_dir_filtered(from: &Path, to: &Path) {
    for rel in files_below(from) {
        if rel.starts_with("target") || rel == Path::new("Cargo.lock") {
            continue;
        }
        let dest = to.join(&rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(from.join(&rel), dest).unwrap();
    }
}

/// Asserts cargo compiled nothing (every unit fresh).
#[track_caller]
pub fn assert_nothing_compiled(run: &Run) {
    assert!(
        !run.stderr.contains("Compiling") && !run.stderr.contains("Checking"),
        "cargo rebuilt something:\n{}",
        run.stderr
    );
}

/// Every file's bytes (without `target/`, and without `Cargo.lock` when
/// `with_lock` is false: cargo owns it).
pub fn bytes(ws: &Fixture, with_lock: bool) -> BTreeMap<PathBuf, Vec<u8>> {
    ws.snapshot()
        .into_iter()
        .filter(|(path, _)| with_lock || path != Path::new("Cargo.lock"))
        .map(|(path, (bytes, _))| (path, bytes))
        .collect()
}

/// Asserts two [`bytes`] snapshots are identical, showing the first file
/// that differs.
#[track_caller]
pub fn assert_same_bytes(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files were added or removed"
    );
    for (path, bytes) in before {
        assert!(
            after[path] == *bytes,
            "`{}` differs:\n--- before\n{}\n--- after\n{}",
            path.display(),
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&after[path])
        );
    }
}

/// The comment `sync` leaves on every managed entry and feature line of a
/// member's manifest (format 4).
pub const MANAGED: &str =
    " # managed by cargo-facade: edit the declaration, then run `cargo facade sync`";

/// `text` with every facade package's content hash (`foo-facade-1a2b3c4d`,
/// `foo_facade_1a2b3c4d`) replaced by `[HASH]`: the hash depends on every
/// byte of the facade, which tests of other behaviour should not pin.
pub fn mask_facade_hashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("facade").map(|i| i + "facade".len()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let sep = rest.chars().next();
        let hex_len = rest
            .get(1..)
            .map(|r| r.bytes().take_while(u8::is_ascii_hexdigit).count())
            .unwrap_or(0);
        if matches!(sep, Some('-' | '_')) && matches!(hex_len, 8 | 16) {
            out.push(sep.unwrap());
            out.push_str("[HASH]");
            rest = &rest[1 + hex_len..];
        }
    }
    out.push_str(rest);
    out
}
