//! Processes: the programs under test (`cargo`, a release `cargo-facade`,
//! optionally one built from an older revision), run to completion with
//! their wall time, CPU time and peak RSS from `wait4`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};

/// The programs under test.
#[derive(Debug)]
pub(super) struct Tools {
    /// The cargo that runs this xtask (`$CARGO`): the baseline, and the
    /// cargo that `cargo-facade` runs (it reads `$CARGO` too).
    pub(super) cargo: PathBuf,
    /// The release build of `cargo-facade` from this checkout.
    pub(super) facade: PathBuf,
}

/// A `cargo-facade` binary whose facades the build comparison measures.
#[derive(Debug)]
pub(super) struct FacadeBinary {
    /// `this checkout`, or the revision it was built from.
    pub(super) label: String,
    pub(super) path: PathBuf,
    /// Short name used for folders and keys: `head` or `base`.
    pub(super) key: &'static str,
}

impl Tools {
    pub(super) fn build(root: &Path) -> anyhow::Result<Tools> {
        let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        eprintln!("building `cargo-facade` (release)…");
        let target_dir =
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let facade = build_release(&cargo, root, &target_dir)?;
        Ok(Tools { cargo, facade })
    }

    /// Builds `cargo-facade` as it was at `rev` of the repository at `root`:
    /// `git archive` into `target/bench/baseline-<sha>` (git's own state is
    /// not touched), then a release build with its own target folder there.
    /// Both are kept, so a second run reuses them.
    pub(super) fn build_baseline(
        &self,
        root: &Path,
        bench_dir: &Path,
        rev: &str,
    ) -> anyhow::Result<FacadeBinary> {
        let sha = output_of(
            "git",
            &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
            root,
        )
        .with_context(|| format!("`--baseline {rev}`: git knows no such revision"))?;
        let short = &sha[..sha.len().min(10)];
        let dir = bench_dir.join(format!("baseline-{short}"));
        if !dir.join("Cargo.toml").is_file() {
            eprintln!("extracting revision {short} into `{}`…", dir.display());
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("failed to create `{}`", dir.display()))?;
            let mut archive = Command::new("git")
                .args(["archive", "--format=tar", &sha])
                .current_dir(root)
                .stdout(Stdio::piped())
                .spawn()
                .context("failed to run `git archive`")?;
            let tar = Command::new("tar")
                .arg("-x")
                .current_dir(&dir)
                .stdin(archive.stdout.take().expect("piped"))
                .status()
                .context("failed to run `tar -x`")?;
            let archived = archive.wait().context("`git archive` failed")?;
            ensure!(
                archived.success() && tar.success(),
                "failed to extract revision {short} into `{}`",
                dir.display()
            );
        }
        eprintln!("building `cargo-facade` of revision {short} (release)…");
        let path = build_release(&self.cargo, &dir, &dir.join("target"))?;
        Ok(FacadeBinary {
            label: format!("`{short}`, `--baseline {rev}`"),
            path,
            key: "base",
        })
    }

    /// The binary of this checkout, as a [`FacadeBinary`].
    pub(super) fn head(&self) -> FacadeBinary {
        FacadeBinary {
            label: "this checkout".to_owned(),
            path: self.facade.clone(),
            key: "head",
        }
    }

    /// A command of the benchmark: run in `ws`, offline, the same `$CARGO`.
    pub(super) fn command(&self, program: &Path, ws: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(ws)
            .env("CARGO", &self.cargo)
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_TARGET_DIR");
        command
    }

    pub(super) fn metadata(&self, ws: &Path, no_deps: bool) -> Command {
        let mut command = self.command(&self.cargo, ws);
        command.args(["metadata", "--format-version", "1"]);
        if no_deps {
            command.arg("--no-deps");
        }
        command.arg("--manifest-path").arg(ws.join("Cargo.toml"));
        command
    }

    /// `cargo facade <subcommand>` of this checkout's binary.
    pub(super) fn facade(&self, ws: &Path, subcommand: &str) -> Command {
        self.facade_of(&self.facade, ws, subcommand)
    }

    pub(super) fn facade_of(&self, binary: &Path, ws: &Path, subcommand: &str) -> Command {
        let mut command = self.command(binary, ws);
        command
            .args(["facade", subcommand, "--color", "never", "--manifest-path"])
            .arg(ws.join("Cargo.toml"));
        command
    }

    /// `cargo check --workspace`, its messages as JSON on stdout (one
    /// `compiler-artifact` per unit, `fresh: false` for those it checked).
    pub(super) fn check_build(&self, ws: &Path, target_dir: &Path) -> Command {
        let mut command = self.command(&self.cargo, ws);
        command
            .args([
                "check",
                "--workspace",
                "--message-format=json",
                "--manifest-path",
            ])
            .arg(ws.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target_dir);
        command
    }
}

/// `cargo build --release -p cargo-facade` of the workspace at `root` into
/// `target_dir`; the path of the binary.
fn build_release(cargo: &Path, root: &Path, target_dir: &Path) -> anyhow::Result<PathBuf> {
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--package", "cargo-facade"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .context("failed to run `cargo build --release -p cargo-facade`")?;
    ensure!(
        status.success(),
        "`cargo build --release -p cargo-facade` in `{}` failed",
        root.display()
    );
    let facade = target_dir
        .join("release")
        .join(format!("cargo-facade{}", std::env::consts::EXE_SUFFIX));
    ensure!(facade.is_file(), "`{}` was not built", facade.display());
    Ok(facade)
}

/// One finished process.
#[derive(Debug)]
pub(super) struct Sample {
    pub(super) wall: Duration,
    /// `ru_maxrss` of the process and the children it waited for, in KiB.
    pub(super) max_rss_kib: Option<u64>,
    /// User + system CPU time of the process and the children it waited
    /// for: less sensitive than wall time to other work on the machine.
    pub(super) cpu: Option<Duration>,
    pub(super) stderr: String,
}

/// What `wait4` reports about a finished child.
#[derive(Debug)]
struct Usage {
    status: ExitStatus,
    max_rss_kib: Option<u64>,
    cpu: Option<Duration>,
}

/// Runs `command` to completion: wall time from spawn to reaping, peak RSS,
/// stdout drained (as a caller parsing it would) and stderr kept. A failure
/// of the command is an error.
pub(super) fn measure(command: &mut Command) -> anyhow::Result<Sample> {
    run(command, false).map(|(sample, _)| sample)
}

/// [`measure`], keeping stdout too.
pub(super) fn measure_output(command: &mut Command) -> anyhow::Result<(Sample, String)> {
    run(command, true)
}

fn run(command: &mut Command, keep_stdout: bool) -> anyhow::Result<(Sample, String)> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("failed to run {command:?}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        if keep_stdout {
            stdout.read_to_string(&mut text).map(|_| text)
        } else {
            std::io::copy(&mut stdout, &mut std::io::sink()).map(|_| text)
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let Usage {
        status,
        max_rss_kib,
        cpu,
    } = wait(&mut child)?;
    let wall = start.elapsed();
    let stdout = out_reader.join().expect("stdout reader")?;
    let stderr = err_reader.join().expect("stderr reader")?;
    if !status.success() {
        bail!("{command:?} failed ({status}):\n{stderr}");
    }
    Ok((
        Sample {
            wall,
            max_rss_kib,
            cpu,
            stderr,
        },
        stdout,
    ))
}

/// The median CPU time, when every sample has one.
pub(super) fn median_cpu<'a>(samples: impl IntoIterator<Item = &'a Sample>) -> Option<Duration> {
    samples
        .into_iter()
        .map(|s| s.cpu)
        .collect::<Option<Vec<_>>>()
        .map(median)
}

pub(super) fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    match values.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2,
    }
}

/// Reaps `child` with `wait4` for its resource usage.
#[cfg(unix)]
#[allow(unsafe_code)]
fn wait(child: &mut std::process::Child) -> anyhow::Result<Usage> {
    use std::os::unix::process::ExitStatusExt as _;

    let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain integers, for which all-zero bytes are valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not reaped yet (`Child::wait` is
        // never called on it); both pointers are valid for writes.
        let reaped = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
        if reaped == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err).context("wait4 failed");
        }
    }
    // `ru_maxrss` is in KiB on Linux (bytes on macOS).
    let scale = if cfg!(target_os = "macos") { 1024 } else { 1 };
    let time = |t: libc::timeval| {
        Some(
            Duration::new(u64::try_from(t.tv_sec).ok()?, 0)
                + Duration::from_micros(u64::try_from(t.tv_usec).ok()?),
        )
    };
    Ok(Usage {
        status: ExitStatus::from_raw(status),
        max_rss_kib: u64::try_from(usage.ru_maxrss).ok().map(|rss| rss / scale),
        cpu: time(usage.ru_utime)
            .zip(time(usage.ru_stime))
            .map(|(user, system)| user + system),
    })
}

#[cfg(not(unix))]
fn wait(child: &mut std::process::Child) -> anyhow::Result<Usage> {
    Ok(Usage {
        status: child.wait()?,
        max_rss_kib: None,
        cpu: None,
    })
}

/// Stdout of a short command, trimmed; `None` when it fails.
pub(super) fn output_of(
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    dir: &Path,
) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
