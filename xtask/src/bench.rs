//! `cargo xtask bench`: how `cargo facade` scales with the size of a
//! workspace, measured against `cargo metadata` (the floor: every command
//! runs it once), and what facades cost a build.
//!
//! 1. Synthetic workspaces of N members under `target/bench/ws-N`: up to 20
//!    namespaces `fooK` with a root crate and four children
//!    (`fooK-bar`, `fooK-baz`, `fooK-qux`, `fooK-quux`), the other members
//!    consumers declaring 2–4 (3 on average) namespaced names with `path`.
//! 2. Whole processes, wall time (`Instant` around spawn → `wait4`), the
//!    commands alternating within each run, medians over the runs; the peak
//!    RSS comes from `wait4`'s `ru_maxrss` (the process and the children it
//!    waited for, KiB on Linux).
//! 3. `cargo check` through facades against the same code with direct path
//!    dependencies, clean and after touching one child.
//! 4. A no-op `sync` (and `check`) must leave every file's bytes and mtime,
//!    and every folder's mtime, as they were.
//!
//! The report goes to stdout and to `BENCHMARKS.md` at the repository root.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, bail, ensure};

const USAGE: &str =
    "usage: cargo xtask bench [--sizes 100,500,1000] [--runs N] [--build-size N] [--build-runs N]

  --sizes       workspace sizes in members (default 100,500,1000)
  --runs        measured runs per size, after one warm-up run (default 5)
  --build-size  members of the workspace whose `cargo check` is compared
                (default: the largest size; 0 skips the build comparison)
  --build-runs  runs of the build comparison (default 3)";

/// Namespaces at most, each a root crate and [`CHILDREN`].
const MAX_NAMESPACES: usize = 20;
const CHILDREN: [&str; 4] = ["bar", "baz", "qux", "quux"];
/// Crates per namespace: the root and its children.
const PER_NAMESPACE: usize = 1 + CHILDREN.len();

/// The targets of the issue, checked on the largest workspace.
const TARGET_NOOP: f64 = 1.3;
const TARGET_CHECK: f64 = 1.3;
const TARGET_COLD: f64 = 3.0;
const TARGET_RSS_MIB: f64 = 100.0;
const TARGET_BUILD_OVERHEAD: f64 = 0.05;

#[derive(Debug)]
struct Config {
    sizes: Vec<usize>,
    runs: usize,
    build_size: Option<usize>,
    build_runs: usize,
    command_line: String,
}

fn parse_args(args: &[String]) -> anyhow::Result<Config> {
    let mut sizes = vec![100, 500, 1000];
    let mut runs = 5;
    let mut build_size = None;
    let mut build_runs = 3;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        if matches!(flag, "-h" | "--help") {
            bail!("{USAGE}");
        }
        let value = match inline {
            Some(value) => value,
            None => iter
                .next()
                .cloned()
                .with_context(|| format!("`{flag}` needs a value\n\n{USAGE}"))?,
        };
        let number = |text: &str| -> anyhow::Result<usize> {
            text.trim()
                .parse()
                .with_context(|| format!("`{flag}`: `{text}` is not a number"))
        };
        match flag {
            "--sizes" => {
                sizes = value
                    .split(',')
                    .map(number)
                    .collect::<anyhow::Result<_>>()?
            }
            "--runs" => runs = number(&value)?,
            "--build-size" => build_size = Some(number(&value)?),
            "--build-runs" => build_runs = number(&value)?,
            _ => bail!("unknown argument `{arg}`\n\n{USAGE}"),
        }
    }
    ensure!(!sizes.is_empty(), "`--sizes` is empty");
    ensure!(
        runs >= 1 && build_runs >= 1,
        "`--runs` and `--build-runs` must be at least 1"
    );
    for &size in &sizes {
        ensure!(
            size >= 2 * PER_NAMESPACE,
            "a workspace needs at least {} members (one namespace and as many consumers)",
            2 * PER_NAMESPACE
        );
    }
    sizes.sort_unstable();
    sizes.dedup();
    let largest = *sizes.last().expect("not empty");
    let build_size = match build_size {
        None => Some(largest),
        Some(0) => None,
        Some(size) => {
            ensure!(
                size >= 2 * PER_NAMESPACE,
                "`--build-size` must be 0 or at least {}",
                2 * PER_NAMESPACE
            );
            Some(size)
        }
    };
    let mut command_line = "cargo xtask bench".to_owned();
    for arg in args {
        command_line.push(' ');
        command_line.push_str(arg);
    }
    Ok(Config {
        sizes,
        runs,
        build_size,
        build_runs,
        command_line,
    })
}

/// Runs the benchmark; `args` follow `bench` on the command line.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let config = parse_args(args)?;
    let started = Instant::now();
    let bench_dir = root.join("target/bench");
    fs::create_dir_all(&bench_dir)
        .with_context(|| format!("failed to create `{}`", bench_dir.display()))?;
    let tools = Tools::build(root)?;
    let build_time = started.elapsed();
    let started = Instant::now();
    let mut machine = Machine::probe(root, &tools, &bench_dir);

    let mut results = Vec::new();
    for &size in &config.sizes {
        results.push(bench_size(&tools, &bench_dir, size, config.runs)?);
    }
    let build = match config.build_size {
        Some(size) => Some(bench_build(&tools, &bench_dir, size, config.build_runs)?),
        None => None,
    };

    machine.load_after = loadavg();
    let report = Report {
        build_time,
        config: &config,
        machine: &machine,
        results: &results,
        build: build.as_ref(),
        elapsed: started.elapsed(),
    }
    .render();
    print!("{report}");
    let path = root.join("BENCHMARKS.md");
    fs::write(&path, &report).with_context(|| format!("failed to write `{}`", path.display()))?;
    eprintln!(
        "wrote {} in {:.0?} (+ {build_time:.0?} building cargo-facade)",
        path.display(),
        started.elapsed()
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Processes

/// The programs under test.
#[derive(Debug)]
struct Tools {
    /// The cargo that runs this xtask (`$CARGO`): the baseline, and the
    /// cargo that `cargo-facade` runs (it reads `$CARGO` too).
    cargo: PathBuf,
    /// The release build of `cargo-facade`.
    facade: PathBuf,
}

impl Tools {
    fn build(root: &Path) -> anyhow::Result<Tools> {
        let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        eprintln!("building `cargo-facade` (release)…");
        let status = Command::new(&cargo)
            .args(["build", "--release", "--quiet", "--package", "cargo-facade"])
            .current_dir(root)
            .status()
            .context("failed to run `cargo build --release -p cargo-facade`")?;
        ensure!(
            status.success(),
            "`cargo build --release -p cargo-facade` failed"
        );
        let target_dir =
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let facade = target_dir
            .join("release")
            .join(format!("cargo-facade{}", std::env::consts::EXE_SUFFIX));
        ensure!(facade.is_file(), "`{}` was not built", facade.display());
        Ok(Tools { cargo, facade })
    }

    /// A command of the benchmark: run in `ws`, offline, the same `$CARGO`.
    fn command(&self, program: &Path, ws: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(ws)
            .env("CARGO", &self.cargo)
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_TARGET_DIR");
        command
    }

    fn metadata(&self, ws: &Path, no_deps: bool) -> Command {
        let mut command = self.command(&self.cargo, ws);
        command.args(["metadata", "--format-version", "1"]);
        if no_deps {
            command.arg("--no-deps");
        }
        command.arg("--manifest-path").arg(ws.join("Cargo.toml"));
        command
    }

    fn facade(&self, ws: &Path, subcommand: &str) -> Command {
        let mut command = self.command(&self.facade, ws);
        command
            .args(["facade", subcommand, "--color", "never", "--manifest-path"])
            .arg(ws.join("Cargo.toml"));
        command
    }

    fn check_build(&self, ws: &Path, target_dir: &Path) -> Command {
        let mut command = self.command(&self.cargo, ws);
        command
            .args(["check", "--workspace", "--manifest-path"])
            .arg(ws.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target_dir);
        command
    }
}

/// One finished process.
#[derive(Debug)]
struct Sample {
    wall: Duration,
    /// `ru_maxrss` of the process and the children it waited for, in KiB.
    max_rss_kib: Option<u64>,
    /// User + system CPU time of the process and the children it waited
    /// for: less sensitive than wall time to other work on the machine.
    cpu: Option<Duration>,
    stderr: String,
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
fn measure(command: &mut Command) -> anyhow::Result<Sample> {
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
    let out_reader = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
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
    out_reader.join().expect("stdout reader")?;
    let stderr = err_reader.join().expect("stderr reader")?;
    if !status.success() {
        bail!("{command:?} failed ({status}):\n{stderr}");
    }
    Ok(Sample {
        wall,
        max_rss_kib,
        cpu,
        stderr,
    })
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
fn output_of(program: impl AsRef<std::ffi::OsStr>, args: &[&str], dir: &Path) -> Option<String> {
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

// ---------------------------------------------------------------------------
// Synthetic workspaces

/// How a workspace of `members` members is made.
#[derive(Debug, Clone, Copy)]
struct Shape {
    members: usize,
    namespaces: usize,
    consumers: usize,
}

impl Shape {
    /// 20 namespaces (100 crates); a smaller workspace gets fewer, so that at
    /// least four fifths of its members are consumers.
    fn new(members: usize) -> Shape {
        let namespaces = (members / (5 * PER_NAMESPACE)).clamp(1, MAX_NAMESPACES);
        Shape {
            members,
            namespaces,
            consumers: members - namespaces * PER_NAMESPACE,
        }
    }

    /// The names consumer `index` declares: 2, 3 or 4 distinct
    /// `(namespace, child)` pairs (`None` is the root), about one in five a
    /// root, spread evenly by a fixed pseudo-random sequence.
    fn declarations(&self, index: usize) -> Vec<(usize, Option<usize>)> {
        let mut state = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED;
        let count = 2 + index % 3;
        let mut names = Vec::with_capacity(count);
        while names.len() < count {
            state = splitmix64(state);
            let slot =
                usize::try_from(state % (self.namespaces * PER_NAMESPACE) as u64).expect("small");
            let name = (slot / PER_NAMESPACE, (slot % PER_NAMESPACE).checked_sub(1));
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.sort_unstable();
        names
    }
}

fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How consumers reach the namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// `[package.metadata.facade.dependencies] "foo3::bar" = { path = … }`,
    /// code `foo3::bar::VALUE`.
    Facade,
    /// `[dependencies] foo3-bar = { path = … }`, code `foo3_bar::VALUE`.
    Direct,
}

fn package_name(ns: usize, child: Option<usize>) -> String {
    match child {
        None => format!("foo{ns}"),
        Some(child) => format!("foo{ns}-{}", CHILDREN[child]),
    }
}

/// The child whose `lib.rs` the build comparison touches.
fn touched_child(ws: &Path) -> PathBuf {
    ws.join("ns")
        .join(package_name(0, Some(0)))
        .join("src/lib.rs")
}

/// Writes a fresh workspace of `shape` at `dir` (removing what was there).
fn generate(dir: &Path, shape: Shape, variant: Variant) -> anyhow::Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("failed to remove `{}`", dir.display()))?;
    }
    let write = |rel: &str, text: &str| -> anyhow::Result<()> {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("a file has a folder"))?;
        fs::write(&path, text).with_context(|| format!("failed to write `{}`", path.display()))
    };
    write(
        "Cargo.toml",
        &format!(
            "# Synthetic workspace of `cargo xtask bench` ({variant:?} variant): {} members,\n\
             # {} namespaces of a root and {} children, {} consumers.\n\
             [workspace]\nmembers = [\"ns/*\", \"consumers/*\"]\nresolver = \"2\"\n",
            shape.members,
            shape.namespaces,
            CHILDREN.len(),
            shape.consumers
        ),
    )?;
    for ns in 0..shape.namespaces {
        for child in std::iter::once(None).chain((0..CHILDREN.len()).map(Some)) {
            let name = package_name(ns, child);
            let value = ns * 10 + child.map_or(0, |c| c + 1);
            write(
                &format!("ns/{name}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n"
                ),
            )?;
            write(
                &format!("ns/{name}/src/lib.rs"),
                &format!(
                    "//! `{name}` of the benchmark.\n\npub const VALUE: u32 = {value};\n\npub fn value() -> u32 {{\n    VALUE\n}}\n"
                ),
            )?;
        }
    }
    let width = shape.consumers.to_string().len();
    for index in 0..shape.consumers {
        let name = format!("c{index:0width$}");
        let names = shape.declarations(index);
        let mut manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n"
        );
        let mut terms = Vec::new();
        match variant {
            Variant::Facade => manifest.push_str("[package.metadata.facade.dependencies]\n"),
            Variant::Direct => manifest.push_str("[dependencies]\n"),
        }
        for &(ns, child) in &names {
            let package = package_name(ns, child);
            let (key, path) = match (variant, child) {
                (Variant::Facade, None) => (package.clone(), format!("foo{ns}::VALUE")),
                (Variant::Facade, Some(c)) => (
                    format!("\"foo{ns}::{}\"", CHILDREN[c]),
                    format!("foo{ns}::{}::VALUE", CHILDREN[c]),
                ),
                (Variant::Direct, _) => (
                    package.clone(),
                    format!("{}::VALUE", package.replace('-', "_")),
                ),
            };
            writeln!(manifest, "{key} = {{ path = \"../../ns/{package}\" }}")?;
            terms.push(path);
        }
        write(&format!("consumers/{name}/Cargo.toml"), &manifest)?;
        write(
            &format!("consumers/{name}/src/lib.rs"),
            &format!(
                "pub fn f() -> u32 {{\n    {}\n}}\n",
                terms.join("\n        + ")
            ),
        )?;
    }
    Ok(())
}

/// The files a cold `sync` starts from: consumer manifests and `Cargo.lock`
/// as they were before the first `sync`.
#[derive(Debug)]
struct PreSync {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    facades: PathBuf,
}

impl PreSync {
    fn capture(ws: &Path) -> anyhow::Result<PreSync> {
        let mut files = Vec::new();
        for entry in fs::read_dir(ws.join("consumers"))? {
            let path = entry?.path().join("Cargo.toml");
            files.push((path.clone(), Some(fs::read(&path)?)));
        }
        let lock = ws.join("Cargo.lock");
        files.push((lock.clone(), fs::read(&lock).ok()));
        Ok(PreSync {
            files,
            facades: ws.join("facades"),
        })
    }

    fn restore(&self) -> anyhow::Result<()> {
        if self.facades.exists() {
            fs::remove_dir_all(&self.facades)?;
        }
        for (path, bytes) in &self.files {
            match bytes {
                Some(bytes) => fs::write(path, bytes)?,
                None => {
                    let _ = fs::remove_file(path);
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Command timings

const COMMANDS: [Cmd; 5] = [
    Cmd::Metadata,
    Cmd::MetadataNoDeps,
    Cmd::ColdSync,
    Cmd::NoopSync,
    Cmd::Check,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cmd {
    Metadata,
    MetadataNoDeps,
    ColdSync,
    NoopSync,
    Check,
}

impl Cmd {
    fn label(self) -> &'static str {
        match self {
            Cmd::Metadata => "`cargo metadata` (baseline)",
            Cmd::MetadataNoDeps => "`cargo metadata --no-deps` (info)",
            Cmd::ColdSync => "cold `facade sync`",
            Cmd::NoopSync => "no-op `facade sync`",
            Cmd::Check => "`facade check`",
        }
    }
}

#[derive(Debug)]
struct SizeResult {
    shape: Shape,
    samples: BTreeMap<Cmd, Vec<Sample>>,
    noop: NoopVerdict,
    /// Members after `sync` (consumers, namespace crates and facades).
    synced_members: usize,
}

impl SizeResult {
    fn median(&self, cmd: Cmd) -> Duration {
        median(self.samples[&cmd].iter().map(|s| s.wall).collect())
    }
    fn median_cpu(&self, cmd: Cmd) -> Option<Duration> {
        median_cpu(&self.samples[&cmd])
    }
    fn min_max(&self, cmd: Cmd) -> (Duration, Duration) {
        let walls = self.samples[&cmd].iter().map(|s| s.wall);
        (
            walls.clone().min().unwrap_or_default(),
            walls.max().unwrap_or_default(),
        )
    }
    fn max_rss(&self, cmds: &[Cmd]) -> Option<u64> {
        cmds.iter()
            .flat_map(|cmd| &self.samples[cmd])
            .filter_map(|s| s.max_rss_kib)
            .max()
    }
    fn ratio(&self, cmd: Cmd) -> f64 {
        self.median(cmd).as_secs_f64() / self.median(Cmd::Metadata).as_secs_f64()
    }
}

/// The median CPU time, when every sample has one.
fn median_cpu(samples: &[Sample]) -> Option<Duration> {
    samples
        .iter()
        .map(|s| s.cpu)
        .collect::<Option<Vec<_>>>()
        .map(median)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    match values.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2,
    }
}

fn bench_size(
    tools: &Tools,
    bench_dir: &Path,
    size: usize,
    runs: usize,
) -> anyhow::Result<SizeResult> {
    let shape = Shape::new(size);
    let ws = bench_dir.join(format!("ws-{size}"));
    eprintln!(
        "ws-{size}: {} namespaces ({} crates), {} consumers; generating…",
        shape.namespaces,
        shape.namespaces * PER_NAMESPACE,
        shape.consumers
    );
    generate(&ws, shape, Variant::Facade)?;
    // The starting point: a workspace with its `Cargo.lock`, before `sync`.
    measure(&mut tools.metadata(&ws, false))
        .context("`cargo metadata` on the generated workspace")?;
    let pre = PreSync::capture(&ws)?;

    let mut samples: BTreeMap<Cmd, Vec<Sample>> = BTreeMap::new();
    // Run 0 warms the page cache and cargo's rustc cache; it is not counted.
    for run in 0..=runs {
        eprintln!(
            "ws-{size}: run {run}/{runs}{}",
            if run == 0 { " (warm-up)" } else { "" }
        );
        // Alternate the order of the steady-state commands from run to run.
        let steady = if run % 2 == 0 {
            [
                Cmd::Metadata,
                Cmd::NoopSync,
                Cmd::Check,
                Cmd::MetadataNoDeps,
            ]
        } else {
            [
                Cmd::Check,
                Cmd::MetadataNoDeps,
                Cmd::NoopSync,
                Cmd::Metadata,
            ]
        };
        for cmd in std::iter::once(Cmd::ColdSync).chain(steady) {
            let mut command = match cmd {
                Cmd::Metadata => tools.metadata(&ws, false),
                Cmd::MetadataNoDeps => tools.metadata(&ws, true),
                Cmd::ColdSync => {
                    pre.restore()?;
                    tools.facade(&ws, "sync")
                }
                Cmd::NoopSync => tools.facade(&ws, "sync"),
                Cmd::Check => tools.facade(&ws, "check"),
            };
            let sample =
                measure(&mut command).with_context(|| format!("{} on ws-{size}", cmd.label()))?;
            if cmd == Cmd::NoopSync && !sample.stderr.contains("Fresh") {
                bail!(
                    "the no-op `sync` on ws-{size} was not fresh:\n{}",
                    sample.stderr
                );
            }
            if run > 0 {
                samples.entry(cmd).or_default().push(sample);
            }
        }
    }
    let facades = fs::read_dir(ws.join("facades"))?.count();
    ensure!(
        facades == shape.namespaces,
        "ws-{size}: `sync` wrote {facades} facades, expected {}",
        shape.namespaces
    );
    let noop = verify_noop(tools, &ws)?;
    Ok(SizeResult {
        shape,
        samples,
        noop,
        synced_members: size + facades,
    })
}

// ---------------------------------------------------------------------------
// No-op verification

/// What one file or folder looked like.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    modified: Option<SystemTime>,
    /// `None` for a folder.
    bytes: Option<Vec<u8>>,
}

/// Every file and folder of `ws` except `target/`.
fn snapshot(ws: &Path) -> anyhow::Result<BTreeMap<PathBuf, Entry>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![ws.to_owned()];
    while let Some(dir) = stack.pop() {
        out.insert(
            dir.clone(),
            Entry {
                modified: fs::symlink_metadata(&dir)?.modified().ok(),
                bytes: None,
            },
        );
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let meta = entry.metadata()?;
            if meta.is_dir() {
                if !(dir == ws && entry.file_name() == "target") {
                    stack.push(path);
                }
            } else {
                out.insert(
                    path.clone(),
                    Entry {
                        modified: meta.modified().ok(),
                        bytes: Some(fs::read(&path)?),
                    },
                );
            }
        }
    }
    Ok(out)
}

/// Differences between two snapshots, as `path: what`.
fn diff_snapshots(
    ws: &Path,
    before: &BTreeMap<PathBuf, Entry>,
    after: &BTreeMap<PathBuf, Entry>,
) -> Vec<String> {
    let rel = |p: &Path| p.strip_prefix(ws).unwrap_or(p).display().to_string();
    let mut out = Vec::new();
    for (path, old) in before {
        match after.get(path) {
            None => out.push(format!("{}: removed", rel(path))),
            Some(new) if new.bytes != old.bytes => {
                out.push(format!("{}: bytes changed", rel(path)))
            }
            Some(new) if new.modified != old.modified => {
                out.push(format!("{}: mtime changed", rel(path)))
            }
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("{}: created", rel(path)));
    }
    out
}

#[derive(Debug)]
struct NoopVerdict {
    files: usize,
    folders: usize,
    /// Per command (`sync`, `check`): what changed.
    changes: Vec<(&'static str, Vec<String>)>,
}

fn verify_noop(tools: &Tools, ws: &Path) -> anyhow::Result<NoopVerdict> {
    let mut changes = Vec::new();
    let mut counts = (0, 0);
    for subcommand in ["sync", "check"] {
        let before = snapshot(ws)?;
        // Coarse mtime granularity must not hide a rewrite.
        std::thread::sleep(Duration::from_millis(20));
        measure(&mut tools.facade(ws, subcommand))?;
        let after = snapshot(ws)?;
        counts = (
            before.values().filter(|e| e.bytes.is_some()).count(),
            before.values().filter(|e| e.bytes.is_none()).count(),
        );
        changes.push((subcommand, diff_snapshots(ws, &before, &after)));
    }
    Ok(NoopVerdict {
        files: counts.0,
        folders: counts.1,
        changes,
    })
}

// ---------------------------------------------------------------------------
// Build cost

#[derive(Debug)]
struct BuildResult {
    shape: Shape,
    /// `(variant, incremental)` → samples.
    samples: BTreeMap<(u8, bool), Vec<Sample>>,
    touched: String,
}

fn variant_key(variant: Variant) -> u8 {
    match variant {
        Variant::Facade => 0,
        Variant::Direct => 1,
    }
}

impl BuildResult {
    fn median(&self, variant: Variant, incremental: bool) -> Duration {
        median(
            self.samples[&(variant_key(variant), incremental)]
                .iter()
                .map(|s| s.wall)
                .collect(),
        )
    }
    /// Crates `cargo check` compiled (its `Checking` lines), from the last run.
    fn checked(&self, variant: Variant, incremental: bool) -> usize {
        self.samples[&(variant_key(variant), incremental)]
            .last()
            .map_or(0, |s| {
                s.stderr
                    .lines()
                    .filter(|l| l.trim_start().starts_with("Checking "))
                    .count()
            })
    }
    fn median_cpu(&self, variant: Variant, incremental: bool) -> Option<Duration> {
        median_cpu(&self.samples[&(variant_key(variant), incremental)])
    }
    /// Wall-time overhead of facades: facade / direct − 1.
    fn overhead(&self, incremental: bool) -> f64 {
        self.median(Variant::Facade, incremental).as_secs_f64()
            / self.median(Variant::Direct, incremental).as_secs_f64()
            - 1.0
    }
    /// CPU-time overhead of facades.
    fn cpu_overhead(&self, incremental: bool) -> Option<f64> {
        let facade = self.median_cpu(Variant::Facade, incremental)?;
        let direct = self.median_cpu(Variant::Direct, incremental)?;
        Some(facade.as_secs_f64() / direct.as_secs_f64() - 1.0)
    }
}

fn bench_build(
    tools: &Tools,
    bench_dir: &Path,
    size: usize,
    runs: usize,
) -> anyhow::Result<BuildResult> {
    let shape = Shape::new(size);
    let facade_ws = bench_dir.join(format!("build-{size}-facade"));
    let direct_ws = bench_dir.join(format!("build-{size}-direct"));
    eprintln!("build comparison on {size} members: generating…");
    generate(&facade_ws, shape, Variant::Facade)?;
    measure(&mut tools.facade(&facade_ws, "sync"))
        .context("`facade sync` of the build workspace")?;
    generate(&direct_ws, shape, Variant::Direct)?;
    measure(&mut tools.metadata(&direct_ws, false))?;

    let mut samples: BTreeMap<(u8, bool), Vec<Sample>> = BTreeMap::new();
    for run in 1..=runs {
        let order = if run % 2 == 1 {
            [Variant::Facade, Variant::Direct]
        } else {
            [Variant::Direct, Variant::Facade]
        };
        for variant in order {
            let ws = match variant {
                Variant::Facade => &facade_ws,
                Variant::Direct => &direct_ws,
            };
            let target = bench_dir.join(format!(
                "target-{size}-{}",
                format!("{variant:?}").to_lowercase()
            ));
            if target.exists() {
                fs::remove_dir_all(&target)?;
            }
            eprintln!("build comparison: run {run}/{runs}, {variant:?}: clean `cargo check`…");
            let clean = measure(&mut tools.check_build(ws, &target))?;
            samples
                .entry((variant_key(variant), false))
                .or_default()
                .push(clean);
            let child = touched_child(ws);
            fs::File::options()
                .append(true)
                .open(&child)?
                .set_modified(SystemTime::now())
                .with_context(|| format!("failed to touch `{}`", child.display()))?;
            eprintln!(
                "build comparison: run {run}/{runs}, {variant:?}: `cargo check` after touching one child…"
            );
            let incremental = measure(&mut tools.check_build(ws, &target))?;
            samples
                .entry((variant_key(variant), true))
                .or_default()
                .push(incremental);
        }
    }
    Ok(BuildResult {
        shape,
        samples,
        touched: format!("ns/{}/src/lib.rs", package_name(0, Some(0))),
    })
}

// ---------------------------------------------------------------------------
// Machine

#[derive(Debug)]
struct Machine {
    cpus: String,
    cpu_model: String,
    memory: String,
    os: String,
    filesystem: String,
    rustc: String,
    cargo: String,
    date: String,
    revision: String,
    /// `/proc/loadavg` before and after: other work on the machine skews timings.
    load_before: String,
    load_after: String,
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

impl Machine {
    fn probe(root: &Path, tools: &Tools, bench_dir: &Path) -> Machine {
        let unknown = || "unknown".to_owned();
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|r| r.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(unknown);
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(unknown, |kib| {
                format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0)
            });
        let cpus =
            std::thread::available_parallelism().map_or_else(|_| unknown(), |n| n.to_string());
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let revision = match output_of("git", &["rev-parse", "--short", "HEAD"], root) {
            Some(rev) => {
                let dirty = output_of(
                    "git",
                    &["status", "--porcelain", "--untracked-files=no"],
                    root,
                )
                .is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{rev} + uncommitted changes")
                } else {
                    rev
                }
            }
            None => unknown(),
        };
        let bench = bench_dir.to_string_lossy().into_owned();
        Machine {
            cpus,
            cpu_model,
            memory,
            os: output_of("uname", &["-srm"], root).unwrap_or_else(unknown),
            filesystem: output_of("df", &["--output=fstype", &bench], root)
                .and_then(|out| out.lines().nth(1).map(|l| l.trim().to_owned()))
                .unwrap_or_else(unknown),
            rustc: output_of(rustc, &["-V"], root).unwrap_or_else(unknown),
            cargo: output_of(&tools.cargo, &["-V"], root).unwrap_or_else(unknown),
            date: output_of("date", &["-u", "+%Y-%m-%d %H:%M UTC"], root).unwrap_or_else(unknown),
            revision,
            load_before: loadavg(),
            load_after: String::new(),
        }
    }
}

// ---------------------------------------------------------------------------
// Report

struct Report<'a> {
    build_time: Duration,
    config: &'a Config,
    machine: &'a Machine,
    results: &'a [SizeResult],
    build: Option<&'a BuildResult>,
    elapsed: Duration,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "n/a".to_owned(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

fn verdict(pass: bool) -> &'static str {
    if pass { "**PASS**" } else { "**FAIL**" }
}

impl Report<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.header(&mut out);
        self.commands(&mut out);
        self.per_member(&mut out);
        self.build(&mut out);
        self.noop(&mut out);
        self.targets(&mut out);
        out
    }

    fn header(&self, out: &mut String) {
        let m = self.machine;
        let c = self.config;
        let first = |load: &str| {
            load.split_whitespace()
                .next()
                .and_then(|l| l.parse::<f64>().ok())
        };
        let cpus: f64 = m.cpus.parse().unwrap_or(1.0);
        let busiest = [first(&m.load_before), first(&m.load_after)]
            .into_iter()
            .flatten()
            .fold(0.0, f64::max);
        let busy = if busiest >= cpus / 2.0 {
            format!(
                "**Note:** the 1-minute load average reached {busiest:.2} on {cpus} CPUs: other work was running, \
                 so wall times (cold `sync` and builds above all, which also wait on the disk) are inflated and \
                 noisy; the CPU times are the steadier figures.\n\n"
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "# cargo-facade benchmarks\n\n\
             Generated by `{cmd}` (run from the repository root): {elapsed:.0?} of measurements after \
             {build:.0?} building `cargo-facade` in release mode. Re-run the same command to refresh this \
             file.\n\n\
             | machine | |\n| --- | --- |\n\
             | date | {date} |\n| revision | {rev} |\n| CPUs (nproc) | {cpus} |\n| CPU model | {model} |\n\
             | memory | {mem} |\n| OS | {os} |\n| file system of `target/bench` | {fs} |\n\
             | rustc | {rustc} |\n| cargo | {cargo} |\n\
             | load average (1, 5, 15 min) before / after | {load_before} / {load_after} |\n\n\
             {busy}\
             ## Method\n\n\
             - Workspaces `target/bench/ws-N` of N members: up to {max_ns} namespaces `fooK`, each a root crate \
             `fooK` and children `fooK-bar`, `fooK-baz`, `fooK-qux`, `fooK-quux` (path crates, a constant and a \
             function); the other members are consumers declaring 2–4 names (3 on average, about one in five a \
             root) in `[package.metadata.facade.dependencies]` with `path`, used from `src/lib.rs` \
             (`foo3::VALUE + foo3::bar::VALUE + …`). A workspace under {small} members gets one namespace per \
             {per} members. No registry, no network (`CARGO_NET_OFFLINE=true`).\n\
             - Every figure is a whole process (`target/release/cargo-facade facade <cmd> --manifest-path …`, or \
             `cargo metadata --format-version 1 --manifest-path …` in the same workspace), wall time from spawn \
             to `wait4`, stdout drained through a pipe. Each run executes a cold `sync` and then the steady-state \
             commands (order alternating between runs); {runs} measured runs after one warm-up run; medians \
             (min–max in brackets).\n\
             - cold `sync`: `facades/` deleted, consumer manifests and `Cargo.lock` restored to their bytes \
             before the first `sync`. no-op `sync` and `check`: on the synced workspace.\n\
             - max RSS: `ru_maxrss` from `wait4`, i.e. the largest of the process and every child it waited \
             for — for `sync` that includes the `cargo metadata` it runs.\n\n",
            cmd = c.command_line,
            elapsed = self.elapsed,
            build = self.build_time,
            load_before = m.load_before,
            load_after = m.load_after,
            busy = busy,
            date = m.date,
            rev = m.revision,
            cpus = m.cpus,
            model = m.cpu_model,
            mem = m.memory,
            os = m.os,
            fs = m.filesystem,
            rustc = m.rustc,
            cargo = m.cargo,
            max_ns = MAX_NAMESPACES,
            small = MAX_NAMESPACES * 5 * PER_NAMESPACE,
            per = 5 * PER_NAMESPACE,
            runs = c.runs,
        );
    }

    fn commands(&self, out: &mut String) {
        out.push_str(
            "## Commands\n\n\
             Wall time is the measure; CPU time (user + system of the process and its children) is shown \
             because it is less sensitive to other work on the machine.\n\n\
             | members (after sync) | namespaces | consumers | command | median wall (min–max) | × `cargo metadata` | µs / member | median CPU | max RSS |\n\
             | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |\n",
        );
        for r in self.results {
            for cmd in COMMANDS {
                let (min, max) = r.min_max(cmd);
                let median = r.median(cmd);
                let _ = writeln!(
                    out,
                    "| {} ({}) | {} | {} | {} | {} ({}–{}) | {:.2}× | {:.0} | {} | {} |",
                    r.shape.members,
                    r.synced_members,
                    r.shape.namespaces,
                    r.shape.consumers,
                    cmd.label(),
                    ms(median),
                    ms(min).trim_end_matches(" ms"),
                    ms(max),
                    r.ratio(cmd),
                    median.as_secs_f64() * 1e6 / r.shape.members as f64,
                    r.median_cpu(cmd).map_or_else(|| "n/a".to_owned(), ms),
                    mib(r.max_rss(&[cmd])),
                );
            }
        }
        out.push('\n');
    }

    fn per_member(&self, out: &mut String) {
        out.push_str(
            "## Cost per member (median µs / member)\n\n\
             Flat rows mean linear growth. The last two columns estimate cargo-facade's own share: a \
             no-op `sync` is one `cargo metadata --no-deps` plus the engine's work; a cold `sync` adds \
             the writes and one full `cargo metadata` to that.\n\n\
             | members | `cargo metadata` | `--no-deps` | cold `sync` | no-op `sync` | `check` | no-op `sync` − `--no-deps` | cold `sync` − `cargo metadata` − `--no-deps` |\n\
             | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for r in self.results {
            let per = |d: Duration| d.as_secs_f64() * 1e6 / r.shape.members as f64;
            let signed = |a: Duration, b: Duration| {
                (a.as_secs_f64() - b.as_secs_f64()) * 1e6 / r.shape.members as f64
            };
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
                r.shape.members,
                per(r.median(Cmd::Metadata)),
                per(r.median(Cmd::MetadataNoDeps)),
                per(r.median(Cmd::ColdSync)),
                per(r.median(Cmd::NoopSync)),
                per(r.median(Cmd::Check)),
                signed(r.median(Cmd::NoopSync), r.median(Cmd::MetadataNoDeps)),
                signed(
                    r.median(Cmd::ColdSync),
                    r.median(Cmd::Metadata) + r.median(Cmd::MetadataNoDeps)
                ),
            );
        }
        out.push('\n');
    }

    fn build(&self, out: &mut String) {
        let Some(b) = self.build else {
            out.push_str("## Build cost of facades\n\nSkipped (`--build-size 0`).\n\n");
            return;
        };
        let largest = self.results.last().map_or(0, |r| r.shape.members);
        let note = if b.shape.members < largest {
            format!(
                " This is a smaller workspace than the largest above ({largest} members), chosen to keep the run \
                 short on this machine; the overhead is relative, so it carries over only roughly."
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "## Build cost of facades\n\n\
             `cargo check --workspace` of {members} members ({ns} namespaces, {consumers} consumers) written \
             twice: through facades (`foo3::bar::VALUE`, after `sync`; {ns} facade crates more) and with direct \
             path dependencies on the same packages (`foo3_bar::VALUE`). Each variant has its own \
             `CARGO_TARGET_DIR` under `target/bench`. clean: target dir deleted first; incremental: after \
             setting the mtime of `{touched}` to now. Medians of {runs} runs (crates checked in brackets); \
             wall time, and CPU time of cargo and every rustc it ran.{note}\n\n\
             | case | direct deps: wall | through facades: wall | overhead (wall) | direct deps: CPU | through facades: CPU | overhead (CPU) |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            members = b.shape.members,
            ns = b.shape.namespaces,
            consumers = b.shape.consumers,
            touched = b.touched,
            runs = self.config.build_runs,
        );
        for (name, incremental) in [
            ("clean `cargo check`", false),
            ("after touching one child", true),
        ] {
            let _ = writeln!(
                out,
                "| {name} | {} ({} crates) | {} ({} crates) | {:+.1}% | {} | {} | {} |",
                ms(b.median(Variant::Direct, incremental)),
                b.checked(Variant::Direct, incremental),
                ms(b.median(Variant::Facade, incremental)),
                b.checked(Variant::Facade, incremental),
                b.overhead(incremental) * 100.0,
                b.median_cpu(Variant::Direct, incremental)
                    .map_or_else(|| "n/a".to_owned(), ms),
                b.median_cpu(Variant::Facade, incremental)
                    .map_or_else(|| "n/a".to_owned(), ms),
                b.cpu_overhead(incremental)
                    .map_or_else(|| "n/a".to_owned(), |o| format!("{:+.1}%", o * 100.0)),
            );
        }
        out.push('\n');
    }

    fn noop(&self, out: &mut String) {
        out.push_str(
            "## A no-op `sync` changes nothing\n\n\
             Snapshot of every file (bytes and mtime) and folder (mtime) of the workspace except `target/`, \
             before and after a `sync` (and a `check`) on the synced workspace.\n\n\
             | members | files | folders | no-op `sync` | `check` |\n| ---: | ---: | ---: | --- | --- |\n",
        );
        for r in self.results {
            let cells: Vec<String> = r
                .noop
                .changes
                .iter()
                .map(|(_, changes)| {
                    if changes.is_empty() {
                        "nothing written, no mtime touched".to_owned()
                    } else {
                        let shown: Vec<&str> = changes.iter().take(5).map(String::as_str).collect();
                        format!("**{} changed**: {}", changes.len(), shown.join("; "))
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.shape.members,
                r.noop.files,
                r.noop.folders,
                cells.first().map_or("", String::as_str),
                cells.get(1).map_or("", String::as_str),
            );
        }
        out.push('\n');
    }

    fn targets(&self, out: &mut String) {
        let Some(r) = self.results.last() else { return };
        let _ = write!(
            out,
            "## Targets ({} members)\n\n| target | measured | verdict |\n| --- | ---: | --- |\n",
            r.shape.members
        );
        let ratio_row = |out: &mut String, what: &str, cmd: Cmd, limit: f64| {
            let ratio = r.ratio(cmd);
            let _ = writeln!(
                out,
                "| {what} ≤ {limit}× `cargo metadata` | {ratio:.2}× ({} vs {}) | {} |",
                ms(r.median(cmd)),
                ms(r.median(Cmd::Metadata)),
                verdict(ratio <= limit)
            );
        };
        ratio_row(out, "no-op `sync`", Cmd::NoopSync, TARGET_NOOP);
        ratio_row(out, "`check`", Cmd::Check, TARGET_CHECK);
        ratio_row(out, "cold `sync`", Cmd::ColdSync, TARGET_COLD);
        let rss = r.max_rss(&[Cmd::ColdSync, Cmd::NoopSync]);
        let _ = writeln!(
            out,
            "| peak RSS of `sync` ≤ {TARGET_RSS_MIB} MiB | {} (`cargo metadata` alone: {}) | {} |",
            mib(rss),
            mib(r.max_rss(&[Cmd::Metadata])),
            verdict(rss.is_some_and(|k| k as f64 / 1024.0 <= TARGET_RSS_MIB))
        );
        if let Some(b) = self.build {
            for (what, incremental) in [("clean", false), ("after touching one child", true)] {
                let overhead = b.overhead(incremental);
                let cpu = b.cpu_overhead(incremental);
                let _ = writeln!(
                    out,
                    "| facade build overhead ({what}, {} members) ≤ {:.0}% | wall {:+.1}% (CPU {}) | {} |",
                    b.shape.members,
                    TARGET_BUILD_OVERHEAD * 100.0,
                    overhead * 100.0,
                    cpu.map_or_else(|| "n/a".to_owned(), |o| format!("{:+.1}%", o * 100.0)),
                    verdict(overhead <= TARGET_BUILD_OVERHEAD)
                );
            }
        }
        let noop_clean = self
            .results
            .iter()
            .all(|r| r.noop.changes.iter().all(|(_, c)| c.is_empty()));
        let _ = writeln!(
            out,
            "| no-op `sync` and `check` write no file, touch no mtime (every size) | {} | {} |",
            if noop_clean {
                "nothing changed"
            } else {
                "files changed"
            },
            verdict(noop_clean)
        );
        out.push('\n');
    }
}
