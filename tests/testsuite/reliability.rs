//! Reliability and security: concurrent and interrupted syncs, names that
//! try to inject code, and property tests of the name parser and the
//! declaration reader (the stable, bounded twins of the cargo-fuzz targets
//! in `fuzz/`, whose saved crashers replay here on every run).

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::corpus::{Entry, differences, tree};
use crate::support::{Fixture, MANAGED, repo_root};

#[path = "../../fuzz/checks.rs"]
mod checks;

/// `cargo-facade facade <args>` in `dir`, not waited for.
fn spawn_facade(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cargo-facade"))
        .arg("facade")
        .args(args)
        .current_dir(dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env("NO_COLOR", "1")
        .env_remove("CARGO_TARGET_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cargo-facade")
}

/// The bytes of every file below `root` except `target/`.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    tree(root)
        .into_iter()
        .filter_map(|(path, entry)| match entry {
            Entry::File { bytes, .. } => Some((path, bytes)),
            _ => None,
        })
        .collect()
}

/// Four syncs started at once take turns on the workspace lock: one
/// writes, three find everything fresh, and the tree is exactly what one
/// sync makes — `check` agrees and cargo builds it.
#[test]
fn concurrent_syncs_end_consistent_and_buildable() {
    let expected = Fixture::case("corpus-base");
    expected.facade(&["sync"]).assert_code(0);

    let ws = Fixture::case("corpus-base");
    let started = Instant::now();
    let runs: Vec<Child> = (0..4).map(|_| spawn_facade(ws.path(), &["sync"])).collect();
    let stderrs: Vec<String> = runs
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(
                output.status.success(),
                "a concurrent sync failed:\n{stderr}"
            );
            stderr
        })
        .collect();
    let elapsed = started.elapsed();
    let wrote = stderrs.iter().filter(|s| s.contains("written)")).count();
    let fresh = stderrs
        .iter()
        .filter(|s| s.contains("(nothing to change)"))
        .count();
    assert_eq!(
        (wrote, fresh),
        (1, 3),
        "one sync writes, the others find it done ({elapsed:?}):\n{}",
        stderrs.join("\n---\n")
    );
    assert_eq!(
        files(ws.path()),
        files(expected.path()),
        "the tree differs from one clean sync"
    );
    ws.facade(&["check"]).assert_code(0);
    ws.cargo(&["build", "--offline"]).assert_code(0);
}

/// A sync that finds the lock taken says so, as cargo does, and goes on
/// once it is released.
#[test]
fn a_waiting_sync_says_it_is_blocked() {
    let ws = Fixture::case("corpus-base");
    let lock_path = ws.path().join("target/cargo-facade.lock");
    fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let lock = fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();

    let mut child = spawn_facade(ws.path(), &["sync"]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert_eq!(first, "    Blocking waiting for file lock on facades\n");
    assert!(
        !ws.path().join("facades").exists(),
        "nothing is written while blocked"
    );
    drop(lock);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(rest.contains("Finished"), "{rest}");
}

/// A small deterministic generator (xorshift64*), so the kill points are
/// the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// `sync` killed (SIGKILL) at 30 pseudo-random points, half of them in the
/// few milliseconds in which it writes: every file is then
/// either its old or its new version, never torn (at most a temporary
/// file of the interrupted write is left beside it), and the next sync
/// ends in exactly the tree of an uninterrupted one, litter gone.
#[test]
#[allow(clippy::print_stderr)] // its numbers are the report
fn killed_syncs_never_leave_a_torn_file() {
    const RUNS: usize = 30;
    let old = {
        let ws = Fixture::case("corpus-base");
        files(ws.path())
    };
    let clean = Fixture::case("corpus-base");
    let started = Instant::now();
    clean.facade(&["sync"]).assert_code(0);
    let sync_time = started.elapsed();
    let mut new = files(clean.path());
    assert!(new.len() > old.len(), "sync writes new files");
    new.remove(Path::new("Cargo.lock"));
    // Kill anywhere from before the first write to after the last one.
    let window = sync_time.as_millis().max(50) as u64 + 10;

    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let (mut all_old, mut mixed, mut all_new, mut litter) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    let started = Instant::now();
    for run in 0..RUNS {
        let ws = Fixture::case("corpus-base");
        let mut child = spawn_facade(ws.path(), &["sync"]);
        // Even runs: anywhere in the run. Odd runs: within a few
        // milliseconds after the status lines that precede the first write.
        let delay = if run % 2 == 0 {
            Duration::from_millis(rng.below(window))
        } else {
            let mut stderr = BufReader::new(child.stderr.take().unwrap());
            let mut line = String::new();
            while stderr.read_line(&mut line).is_ok_and(|n| n > 0) && !line.contains("Generating") {
                line.clear();
            }
            Duration::from_micros(rng.below(4000))
        };
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();

        let now = files(ws.path());
        let (mut olds, mut news) = (0, 0);
        for (path, bytes) in &now {
            let name = path.file_name().unwrap().to_string_lossy();
            if path == Path::new("Cargo.lock") {
                continue; // cargo's own file, written by cargo
            }
            if name.starts_with(".cargo-facade-") {
                litter += 1;
                continue;
            }
            let is_old = old.get(path) == Some(bytes);
            let is_new = new.get(path) == Some(bytes);
            match (is_old, is_new) {
                (true, true) => {}
                (true, false) => olds += 1,
                (false, true) => news += 1,
                (false, false) => problems.push(format!(
                    "run {run} (killed after {delay:?}): `{}` is neither old nor new",
                    path.display()
                )),
            }
        }
        for path in old.keys() {
            if !now.contains_key(path) {
                problems.push(format!("run {run}: `{}` was deleted", path.display()));
            }
        }
        match (olds, news) {
            (_, 0) => all_old += 1,
            (0, _) => all_new += 1,
            _ => mixed += 1,
        }

        // The next sync repairs whatever the killed one left. (`Cargo.lock`
        // is left out: the `cargo metadata` child of a killed sync may
        // still be writing it.)
        ws.facade(&["sync"]).assert_code(0);
        let mut repaired = files(ws.path());
        repaired.remove(Path::new("Cargo.lock"));
        if repaired != new {
            let extra: Vec<_> = repaired
                .keys()
                .chain(new.keys())
                .filter(|p| new.get(*p) != repaired.get(*p))
                .collect();
            problems.push(format!(
                "run {run}: the next sync did not restore a clean tree: {extra:?}"
            ));
        }
    }
    eprintln!(
        "killed sync {RUNS} times in {:?} (a clean sync takes {sync_time:?}, kill window \
         {window} ms): {all_old} before any write, {mixed} mid-way, {all_new} after every \
         write; {litter} temporary files left, all cleaned by the next sync",
        started.elapsed()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Names that try to smuggle Rust or TOML into the generated files are
/// rejected, each with its own error, and nothing is written.
#[test]
fn malicious_names_are_rejected_not_emitted() {
    let names = [
        "foo::bar;std::process::exit(1)",
        "foo::bar\"]\n[evil]",
        "foo::bar\n[evil]",
        "foo::q\"uote",
        "foo::bar}]; fn evil() {",
        "foo::bar\r\nevil = true",
        "foo::bar::super",
        "foo::r#type",
        "foo::\u{202e}rab",
        "foo::bar\u{0}",
    ];
    for name in names {
        assert!(
            facade_engine::name::DeclName::parse(name).is_err(),
            "{name:?} is accepted"
        );
    }
    let ws = Fixture::case("corpus-base");
    let mut manifest = String::from(
        "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\n",
    );
    for name in names {
        let mut key = toml_edit::Key::new(name);
        key.fmt();
        manifest.push_str(&format!(
            "{} = {{ version = \"1\", package = \"evil\" }}\n",
            key.display_repr()
        ));
    }
    ws.write("tool/Cargo.toml", &manifest);
    let before = tree(ws.path());
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_eq!(
        run.stderr.matches("error: invalid namespaced name").count(),
        names.len(),
        "one error per name:\n{}",
        run.stderr
    );
    for line in run.stderr.lines() {
        assert!(
            !line.starts_with("[evil]") && !line.starts_with("evil"),
            "a name's newline reached the output: {line:?}\n{}",
            run.stderr
        );
    }
    assert_eq!(
        differences("workspace", &before, &tree(ws.path())),
        Vec::<String>::new()
    );
    assert!(!ws.path().join("facades").exists());
}

/// Crashers the fuzzers found, kept as regression tests.
#[test]
#[allow(clippy::print_stderr)] // its numbers are the report
fn fuzz_regressions_stay_fixed() {
    let sandbox = checks::Sandbox::new();
    let dir = repo_root().join("fuzz/regressions");
    let mut count = 0;
    for (target, check) in [
        (
            "decl_name",
            &(|text: &str| checks::check_decl_name(text)) as &dyn Fn(&str),
        ),
        ("declarations", &|text: &str| {
            checks::check_declarations(&sandbox, text)
        }),
    ] {
        let Ok(entries) = fs::read_dir(dir.join(target)) else {
            continue;
        };
        for entry in entries {
            let bytes = fs::read(entry.unwrap().path()).unwrap();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                check(text);
                count += 1;
            }
        }
    }
    eprintln!("replayed {count} fuzz regressions");
}

/// Strings near the grammar: segments, separators and troublemakers.
fn name_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("foo".to_owned()),
        Just("bar-baz".to_owned()),
        Just("x_1".to_owned()),
        Just("::".to_owned()),
        Just(":".to_owned()),
        Just("-".to_owned()),
        Just("_".to_owned()),
        Just("self".to_owned()),
        Just("super".to_owned()),
        Just("type".to_owned()),
        Just("r#".to_owned()),
        Just("1".to_owned()),
        Just(" ".to_owned()),
        Just("\"".to_owned()),
        Just("\n".to_owned()),
        Just("é".to_owned()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The twin of `fuzz/fuzz_targets/decl_name.rs`.
    #[test]
    fn name_parser_properties(key in name_strategy()) {
        checks::check_decl_name(&key);
    }
}

/// A consumer manifest: the pieces sync must keep, and its declarations.
#[derive(Debug, Clone)]
struct GeneratedManifest {
    text: String,
}

/// Declarations the sandbox can satisfy, each with its name.
const DECLARATIONS: &[(&str, &str)] = &[
    ("foo", "foo = { path = \"../crates/foo\" }"),
    (
        "foo::bar",
        "\"foo::bar\" = { path = \"../crates/foo-bar\" }",
    ),
    (
        "foo::bar",
        "\"foo::bar\" = { path = \"../crates/foo-bar\", features = [\"std\"] } # with std",
    ),
    ("foo::baz", "\"foo::baz\".workspace = true"),
    ("foo::baz", "\"foo::baz\" = { workspace = true }"),
    (
        "foo::reg",
        "\"foo::reg\" = { version = \"1.0\", package = \"foo-reg\" }",
    ),
];

/// Tables that are none of cargo-facade's business.
const OTHER_TABLES: &[&str] = &[
    "[lib]\npath = \"src/lib.rs\"\n",
    "[dependencies]\nserde = \"1\" # keep me\n",
    "[dependencies]\n",
    "[dev-dependencies]\nanyhow = { version = \"1\" }\n",
    "[badges]\nmaintenance = { status = \"none\" }\n",
    "[[bin]]\nname = \"x\"\npath = \"src/x.rs\"\n",
    "[features]\ndefault = []\n",
    "[package.metadata.other]\nkey = \"value\"\n",
];

fn manifest_strategy() -> impl Strategy<Value = GeneratedManifest> {
    let decorations = prop::collection::vec(
        prop_oneof![
            Just(String::new()),
            Just("\n".to_owned()),
            Just("# a comment\n".to_owned()),
            Just("#\n".to_owned()),
            Just("   \n".to_owned()),
            "[a-z ]{0,12}".prop_map(|s| format!("# {s}\n")),
        ],
        12,
    );
    (
        prop::sample::subsequence((0..DECLARATIONS.len()).collect::<Vec<_>>(), 1..=4),
        prop::collection::vec(any::<bool>(), 4),
        prop::sample::subsequence((0..OTHER_TABLES.len()).collect::<Vec<_>>(), 0..=4),
        any::<prop::sample::Index>(),
        decorations,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(decls, dev, others, position, decoration, trailing_spaces, final_newline, crlf)| {
                let mut normal = String::new();
                let mut dev_table = String::new();
                let mut seen = Vec::new();
                for (i, index) in decls.into_iter().enumerate() {
                    let (name, line) = DECLARATIONS[index];
                    let table = if dev[i % dev.len()] {
                        &mut dev_table
                    } else {
                        &mut normal
                    };
                    if seen.contains(&(name, dev[i % dev.len()])) {
                        continue;
                    }
                    seen.push((name, dev[i % dev.len()]));
                    table.push_str(line);
                    table.push_str(if trailing_spaces { "  \n" } else { "\n" });
                    table.push_str(&decoration[i]);
                }
                let mut sections = Vec::new();
                if !normal.is_empty() {
                    sections.push(format!("[package.metadata.facade.dependencies]\n{normal}"));
                }
                if !dev_table.is_empty() {
                    sections.push(format!(
                        "[package.metadata.facade.dev-dependencies]\n{dev_table}"
                    ));
                }
                let mut has_deps_table = false;
                for index in others {
                    let table = OTHER_TABLES[index];
                    if table.starts_with("[dependencies]") {
                        if has_deps_table {
                            continue;
                        }
                        has_deps_table = true;
                    }
                    let at = position.index(sections.len() + 1);
                    sections.insert(at, table.to_owned());
                }
                let mut text = format!(
                    "{}[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                    decoration[4]
                );
                for (i, section) in sections.iter().enumerate() {
                    text.push_str(&decoration[5 + i % 7]);
                    text.push('\n');
                    text.push_str(section);
                }
                if !final_newline {
                    while text.ends_with('\n') {
                        text.pop();
                    }
                }
                if crlf {
                    text = text.replace('\n', "\r\n");
                }
                GeneratedManifest { text }
            },
        )
}

/// The sync of one consumer manifest in memory: its new text.
fn synced(sandbox: &checks::Sandbox, text: &str) -> String {
    let ws = sandbox
        .workspace(text)
        .expect("generated manifests are TOML");
    let mut diags = facade_engine::diagnostic::Diagnostics::default();
    let plan = facade_engine::plan::plan(&ws, &mut diags);
    let rendered: Vec<String> = diags
        .items()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render(sandbox.root()))
        .collect();
    let plan = plan.unwrap_or_else(|| panic!("rejected:\n{text}\n{}", rendered.join("\n")));
    let consumer = &plan.consumers[0];
    facade_engine::render::render_consumer(&ws.manifests[1], consumer, &plan)
}

/// `new` without what sync adds: managed entry lines, and a dependency
/// table header it created with the blank line before it.
fn without_managed(original: &str, new: &str) -> String {
    let original_lines: Vec<&str> = original.lines().map(str::trim_end).collect();
    let lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut keep = vec![true; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_end();
        // A facade's entry, or (the root declared alone) the root's own,
        // which only the managed comment tells apart.
        let managed = ["foo", "util"].iter().any(|root| {
            trimmed.starts_with(&format!("{root} = {{ path = \"../facades/{root}/"))
                || (trimmed.starts_with(&format!("{root} = ")) && trimmed.ends_with(MANAGED))
        });
        let created_header = trimmed.starts_with('[')
            && trimmed.ends_with("dependencies]")
            && !original_lines.contains(&trimmed);
        if managed || created_header {
            keep[i] = false;
        }
        if created_header && i > 0 && lines[i - 1].trim().is_empty() {
            keep[i - 1] = false;
        }
    }
    lines
        .iter()
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .map(|(line, _)| *line)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The twin of `fuzz/fuzz_targets/declarations.rs`, on manifests near
    /// the real thing.
    #[test]
    fn declaration_reader_properties(manifest in manifest_strategy()) {
        thread_local!(static SANDBOX: checks::Sandbox = checks::Sandbox::new());
        SANDBOX.with(|sandbox| checks::check_declarations(sandbox, &manifest.text));
    }

    /// Sync changes no byte of a consumer manifest outside its managed
    /// entries (and the dependency table it may have to create), and a
    /// second sync changes nothing.
    #[test]
    fn sync_edits_only_managed_entries(manifest in manifest_strategy()) {
        thread_local!(static SANDBOX: checks::Sandbox = checks::Sandbox::new());
        SANDBOX.with(|sandbox| {
            let original = &manifest.text;
            let new = synced(sandbox, original);
            let stripped = without_managed(original, &new);
            // The one byte sync may add: the newline that ends a last line
            // which had none, when a table is appended after it.
            let newline_added = !original.ends_with('\n')
                && (stripped == format!("{original}\n") || stripped == format!("{original}\r\n"));
            prop_assert!(
                stripped == *original || newline_added,
                "bytes outside the managed entries changed\n--- original\n{}\n--- synced\n{}",
                original,
                new
            );
            prop_assert_eq!(&synced(sandbox, &new), &new, "a second sync changes bytes");
            Ok(())
        })?;
    }
}
