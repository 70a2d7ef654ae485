//! Issue 11: every command works from whatever state a real repository is
//! in — facades deleted (or never committed), a facade manifest mangled by
//! a merge conflict, RFC 3243 syntax in the real `[features]`, a stale
//! `Cargo.lock` — and feels like cargo (`-vv`, help, messages said once).
//! `check` calls such a tree stale (exit 1) and `sync` repairs it; every
//! repaired workspace is built with real cargo.

use std::process::Command;

use snapbox::{assert_data_eq, str};

use crate::support::{
    Fixture, assert_same_bytes, assert_unchanged, bytes, mask_facade_hashes, repo_root,
    shared_target_dir,
};

/// The `basic` case, synced and built once: the state every test breaks.
fn synced_basic() -> Fixture {
    let ws = Fixture::case("basic");
    ws.facade(&["sync", "-q"]).assert_code(0);
    ws
}

/// `check` exits 1 without touching a file, naming what is stale.
#[track_caller]
fn assert_stale(ws: &Fixture, stale: &str) -> crate::support::Run {
    let before = ws.snapshot();
    let run = ws.facade(&["check"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(&format!("error: out of date: {stale}")),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
    run
}

/// A deleted `facades/` (or one never committed, or ignored by git): `check`
/// shows the files `sync` would write, `sync` writes them back byte for byte
/// (the lock included) and the workspace builds.
#[test]
fn deleted_facades_are_stale_and_sync_restores_them() {
    let ws = synced_basic();
    let synced = bytes(&ws, true);
    std::fs::remove_dir_all(ws.path().join("facades")).unwrap();

    let run = assert_stale(
        &ws,
        "facade `foo/bar` (2 files), facade `foo/self+bar+derive` (2 files), facade `util/text` (2 files)\n\nnote: `sync` would write 6 files",
    );
    assert!(
        run.stdout
            .contains("--- /dev/null\n+++ b/facades/foo/self+bar+derive/Cargo.toml"),
        "{}",
        run.stdout
    );

    ws.facade(&["sync"]).assert_code(0);
    assert_same_bytes(&synced, &bytes(&ws, true));
    ws.facade(&["check"]).assert_code(0);
    ws.cargo(&["build", "--offline"]).assert_code(0);
}

/// `list` needs no facade, and `eject` of a tree without facades removes the
/// managed entries; `sync` then restores the synced tree.
#[test]
fn list_and_eject_work_without_facades() {
    let ws = synced_basic();
    let synced = bytes(&ws, false);
    std::fs::remove_dir_all(ws.path().join("facades")).unwrap();

    let list = ws.facade(&["list"]);
    list.assert_code(0);
    assert!(
        list.stdout
            .contains("foo::bar = foo-bar (path crates/foo-bar)"),
        "{}",
        list.stdout
    );

    ws.facade(&["eject", "-q"]).assert_code(0);
    assert!(
        !ws.read("app/Cargo.toml").contains("foo-facade"),
        "{}",
        ws.read("app/Cargo.toml")
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    assert_same_bytes(&synced, &bytes(&ws, false));
}

/// Conflict markers in a facade's `Cargo.toml` (both sides generated): cargo
/// cannot read it, cargo-facade does not need to. `check` is stale, `sync`
/// replaces the file and the workspace builds.
#[test]
fn conflict_markers_in_a_facade_manifest_are_repaired() {
    let ws = synced_basic();
    let synced = bytes(&ws, true);
    let manifest = ws.read("facades/foo/self+bar+derive/Cargo.toml");
    let mangled = manifest.replacen(
        "[dependencies]\n",
        "[dependencies]\n<<<<<<< HEAD\nold = \"1\"\n=======\nnew = \"2\"\n>>>>>>> theirs\n",
        1,
    );
    assert_ne!(manifest, mangled);
    ws.write("facades/foo/self+bar+derive/Cargo.toml", &mangled);

    let run = assert_stale(&ws, "facade `foo/self+bar+derive` (1 file)");
    assert!(run.stdout.contains("-<<<<<<< HEAD"), "{}", run.stdout);

    ws.facade(&["sync"]).assert_code(0);
    assert_same_bytes(&synced, &bytes(&ws, true));
    ws.cargo(&["build", "--offline"]).assert_code(0);
}

/// A conflict whose first side opens with the header and whose other side
/// is hand-written: the file is not cargo-facade's alone, so `sync` refuses
/// to replace it and changes nothing.
#[test]
fn a_hand_written_side_of_a_conflict_is_never_overwritten() {
    let ws = synced_basic();
    let manifest = ws.read("facades/foo/self+bar+derive/Cargo.toml");
    let hand_written = "[package]\nname = \"mine\"\nversion = \"0.1.0\"\n";
    ws.write(
        "facades/foo/self+bar+derive/Cargo.toml",
        &format!("<<<<<<< HEAD\n{manifest}=======\n{hand_written}>>>>>>> theirs\n"),
    );
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("refusing to overwrite `[ROOT]/facades/foo/self+bar+derive/Cargo.toml`"),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// DESIGN: "A consumer's `[features]` may name children as Cargo will once
/// namespaces land". Written in the real `[features]` beside mirror
/// declarations (which cargo rejects as it finds them), they are translated,
/// the consumer builds with and without them, and `eject` gives the real
/// `[features]` back as written; `sync` after `eject` restores the synced tree.
#[test]
fn rfc_features_beside_mirror_declarations() {
    let ws = Fixture::case("basic");
    ws.write(
        "app/Cargo.toml",
        r#"[package]
name = "basic-app"
version = "0.1.0"
edition = "2021"

[package.metadata.facade.dependencies]
foo = { path = "../crates/foo" }
"foo::bar" = { path = "../crates/foo-bar", optional = true }
"foo::derive" = { path = "../crates/foo-derive" }
"util::text" = { path = "../crates/util-text", optional = true }

[features]
net = ["dep:foo::bar"]          # dep: form
text = ["util::text/shout", "foo::bar?/extra"]

[dependencies]
"#,
    );
    ws.write(
        "app/src/main.rs",
        r#"#[derive(foo::derive::Named)]
struct Thing;

fn main() {
    println!("{}", Thing::NAME);
    #[cfg(feature = "net")]
    println!("net {}", foo::bar::Baz::new().0);
    #[cfg(feature = "text")]
    println!("{}", util::text::upper("text"));
}
"#,
    );
    for package in ["foo-bar", "util-text"] {
        let path = format!("crates/{package}/Cargo.toml");
        let manifest = ws.read(&path);
        ws.write(
            &path,
            &format!("{manifest}\n[features]\nextra = []\nshout = []\n"),
        );
    }
    let features = "[features]\nnet = [\"dep:foo::bar\"]          # dep: form\ntext = [\"util::text/shout\", \"foo::bar?/extra\"]\n";

    ws.facade(&["check"]).assert_code(1);
    ws.facade(&["sync", "-q"]).assert_code(0);
    let synced = bytes(&ws, false);
    let run = |features: &[&str]| {
        let mut args = vec!["run", "--offline", "-q", "-p", "basic-app"];
        args.extend(features);
        let run = ws.cargo(&args);
        run.assert_code(0);
        run.stdout
    };
    assert_data_eq!(
        run(&[]),
        str![[r#"
Thing

"#]]
    );
    assert_data_eq!(
        run(&["--features", "net,text"]),
        str![[r#"
Thing
net 7
TEXT

"#]]
    );

    ws.facade(&["eject", "-q"]).assert_code(0);
    let ejected = ws.read("app/Cargo.toml");
    assert!(ejected.contains(features), "{ejected}");
    ws.facade(&["sync", "-q"]).assert_code(0);
    assert_same_bytes(&synced, &bytes(&ws, false));
}

/// `-v` is counted as cargo counts it: `-vv` (or `-v -v`) is accepted and
/// passed on to the cargo commands cargo-facade runs.
#[test]
fn very_verbose_is_counted_and_passed_to_cargo() {
    let ws = synced_basic();
    let run = ws.facade(&["-vv", "check"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
     Running `cargo metadata --no-deps -vv` to validate the workspace
    Finished 3 facades, 2 consumers: up to date

"#]]
    );
    ws.facade(&["sync", "-v", "-v"]).assert_code(0);
    let quiet = ws.facade(&["-q", "check"]);
    quiet.assert_code(0);
    assert_data_eq!(quiet.stderr, str![""]);
}

/// A lock that lacks a facade (reverted, or from before the facade): `check`
/// says so and exits 1; `sync` refreshes it through cargo although every
/// file is fresh.
#[test]
fn stale_lock_is_reported_and_refreshed() {
    let ws = synced_basic();
    let lock = ws.read("Cargo.lock");
    let start = lock
        .find("[[package]]\nname = \"util-facade-")
        .expect("the lock lists util's facade");
    let end = lock[start..]
        .find("\n\n")
        .map_or(lock.len(), |n| start + n + 2);
    ws.write("Cargo.lock", &format!("{}{}", &lock[..start], &lock[end..]));

    let run = assert_stale(&ws, "Cargo.lock (lacks `util-facade-");
    assert_data_eq!(run.stdout, str![""]);
    assert_data_eq!(
        mask_facade_hashes(&run.stderr),
        str![[r#"
error: out of date: Cargo.lock (lacks `util-facade-[HASH]`)

note: `sync` would refresh Cargo.lock through cargo
help: run `cargo facade sync` to update them

"#]]
    );

    let sync = ws.facade(&["sync"]);
    sync.assert_code(0);
    assert_data_eq!(
        mask_facade_hashes(&sync.stderr),
        str![[r#"
    Updating Cargo.lock (it lacked `util-facade-[HASH]`)
    Finished 3 facades, 2 consumers (Cargo.lock refreshed)

"#]]
    );
    assert!(ws.read("Cargo.lock").contains("name = \"util-facade-"));
    ws.facade(&["check"]).assert_code(0);
}

/// Each message once, and only where true: a read-only command never says
/// it changed no file; `sync` says it once.
#[test]
fn read_only_commands_do_not_claim_to_have_changed_nothing() {
    let ws = synced_basic();
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &app.replace("\"foo::bar\" =", "\"foo::bar::baz\" ="),
    );
    for args in [&["check"][..], &["list"], &["sync", "--dry-run"]] {
        let run = ws.facade(args);
        run.assert_code(2);
        assert!(
            !run.stderr.contains("no file was changed") && run.stderr.contains("aborting due to"),
            "{args:?}:\n{}",
            run.stderr
        );
    }
    let sync = ws.facade(&["sync"]);
    sync.assert_code(2);
    assert_eq!(
        sync.stderr.matches("no file was changed").count(),
        1,
        "{}",
        sync.stderr
    );
}

/// `cargo facade --help` starts with what the command does, not with the
/// engine crate's description.
#[test]
fn help_describes_the_command() {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-facade"))
        .args(["facade", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        help.lines().next(),
        Some("Namespaced dependencies (RFC 3243) on stable Rust, through generated facade crates"),
        "{help}"
    );
}

/// Members are found as cargo finds them, without cargo: glob members,
/// `exclude` (a broken manifest there is never read), the root package,
/// path dependencies inside the root, and a run from a member's folder.
#[test]
fn members_are_found_as_cargo_finds_them() {
    let ws = Fixture::case("basic");
    ws.write(
        "Cargo.toml",
        r#"[workspace]
members = ["app", "tool", "crates/foo*"]
exclude = ["crates/broken"]
resolver = "2"

[package]
name = "basic-root"
version = "0.1.0"
edition = "2021"

[package.metadata.facade.dependencies]
"util::text" = { path = "crates/util-text" }
"#,
    );
    ws.write("src/lib.rs", "pub use util::text::upper;\n");
    ws.write("crates/broken/Cargo.toml", "[package\nthis is not TOML\n");

    // From a member's folder, as cargo searches: the nearest `Cargo.toml`,
    // then the ancestor whose `[workspace]` has it.
    let run = Command::new(env!("CARGO_BIN_EXE_cargo-facade"))
        .args(["facade", "sync"])
        .current_dir(ws.path().join("app/src"))
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Updating basic-root (../../Cargo.toml)"),
        "{stderr}"
    );
    ws.facade(&["check", "--manifest-path", "tool/Cargo.toml"])
        .assert_code(0);
    ws.cargo(&["build", "--offline", "--workspace"])
        .assert_code(0);
}

/// The fenced block of `lang` in `text` that contains `containing`.
fn fenced_block(text: &str, lang: &str, containing: &str) -> String {
    let open = format!("```{lang}\n");
    text.split(open.as_str())
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains(containing))
        .unwrap_or_else(|| panic!("README has no ```{lang} block with `{containing}`"))
        .to_owned()
}

/// The README's xtask recipe works as written with an unpublished engine:
/// its `xtask/Cargo.toml` (the path variant, pointed at this repository's
/// engine), `main.rs` and alias, put in a workspace, run `sync` and `check`.
#[test]
fn readme_xtask_recipe_works_as_written() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let manifest = fenced_block(&readme, "toml", "name = \"xtask\"");
    let engine = repo_root().join("crates/facade-engine");
    let (git_line, path_line) = {
        let line = |prefix: &str| {
            manifest
                .lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no `{prefix}` line in\n{manifest}"))
                .to_owned()
        };
        (
            line("facade-engine = { git = "),
            line("# facade-engine = { path = "),
        )
    };
    let manifest = manifest.replace(&git_line, "").replace(
        &path_line,
        &format!(
            "facade-engine = {{ path = {:?} }}",
            engine.display().to_string()
        ),
    );

    let ws = Fixture::case("basic");
    ws.write("xtask/Cargo.toml", &manifest);
    ws.write(
        "xtask/src/main.rs",
        &fenced_block(&readme, "rust", "run_from_args"),
    );
    ws.write(
        ".cargo/config.toml",
        &fenced_block(&readme, "toml", "[alias]"),
    );
    let root = ws.read("Cargo.toml");
    ws.write(
        "Cargo.toml",
        &root.replace("\"crates/*\"]", "\"crates/*\", \"xtask\"]"),
    );
    // The demo's lock pins the engine's dependencies to versions on disk.
    std::fs::copy(
        repo_root().join("examples/demo/Cargo.lock"),
        ws.path().join("Cargo.lock"),
    )
    .unwrap();

    let xtask = |args: &[&str]| {
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["xtask", "facade"])
            .args(args)
            .current_dir(ws.path())
            .env("CARGO_TARGET_DIR", shared_target_dir())
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), stderr)
    };
    let (code, stderr) = xtask(&["sync"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("Finished 3 facades, 2 consumers (9 files written)"),
        "{stderr}"
    );
    let (code, stderr) = xtask(&["check"]);
    assert_eq!(code, Some(0), "{stderr}");
    ws.cargo(&["build", "--offline", "-p", "basic-app"])
        .assert_code(0);
}

/// Issue 20.1: a machine's package cache holds only what its own builds
/// fetched, never the crates only another platform uses. Offline, `sync`
/// must still resolve and lock a workspace that `cargo build --offline`
/// builds there: here a cache (a `CARGO_HOME` of its own, the index copied)
/// with `anstyle-query` and not the Windows crates it depends on there.
#[test]
fn sync_offline_needs_only_the_hosts_crates_in_the_cache() {
    let real_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo")
        });
    let ws = Fixture::case("basic");
    let home = ws.path().join(".home");
    let registry = real_home.join("registry");
    crate::support::copy_dir(&registry.join("index"), &home.join("registry/index"));
    let crate_file = std::fs::read_dir(registry.join("cache"))
        .unwrap()
        .map(|dir| dir.unwrap().path().join("anstyle-query-1.1.5.crate"))
        .find(|file| file.exists())
        .expect("the suite's own build fetched anstyle-query 1.1.5");
    let cache = home
        .join("registry/cache")
        .join(crate_file.parent().unwrap().file_name().unwrap());
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::copy(&crate_file, cache.join("anstyle-query-1.1.5.crate")).unwrap();
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &format!("{app}\n[dependencies.anstyle-query]\nversion = \"=1.1.5\"\n"),
    );

    let home_env = home.display().to_string();
    let run = ws.facade_env(&["sync"], &[("CARGO_HOME", &home_env)]);
    run.assert_code(0);
    assert!(ws.read("Cargo.lock").contains("name = \"windows-sys\""));
    let build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--offline", "-p", "basic-app"])
        .current_dir(ws.path())
        .env("CARGO_HOME", &home)
        .env("CARGO_TARGET_DIR", ws.target_dir())
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
}

/// A consumer manifest with `basic`'s managed `foo` entry replaced by
/// `conflict` (the entry's own line is `{ours}`).
fn conflicted_app(ws: &Fixture, conflict: impl Fn(&str) -> String) -> String {
    let app = ws.read("app/Cargo.toml");
    let ours = app
        .lines()
        .find(|l| l.starts_with("foo = { path = \"../facades/"))
        .expect("the managed entry")
        .to_owned();
    let mangled = app.replacen(&format!("{ours}\n"), &conflict(&ours), 1);
    assert_ne!(app, mangled);
    ws.write("app/Cargo.toml", &mangled);
    mangled
}

/// Issue 20.3: the merge that conflicts a facade also conflicts the managed
/// entry in the consumer's own manifest. Every conflicted line is
/// cargo-facade's, so the tree is merely stale: `check` exits 1 and shows
/// the diff, `sync` restores the synced bytes and the workspace builds.
#[test]
fn a_conflict_in_managed_entries_of_a_consumer_is_stale_and_repaired() {
    let ws = synced_basic();
    let synced = bytes(&ws, true);
    conflicted_app(&ws, |ours| {
        format!(
            "<<<<<<< HEAD\n{ours}\n=======\n\
             foo = {{ path = \"../facades/foo/self+bar\", package = \"foo-facade-0badc0de\" }}\n\
             >>>>>>> theirs\n"
        )
    });

    let run = assert_stale(&ws, "manifest of `basic-app`");
    assert!(run.stdout.contains("-<<<<<<< HEAD"), "{}", run.stdout);
    ws.facade(&["sync"]).assert_code(0);
    assert_same_bytes(&synced, &bytes(&ws, true));
    ws.cargo(&["build", "--offline"]).assert_code(0);
}

/// Issue 20.3: a conflict that also holds the user's own lines is theirs to
/// resolve. The error says it is a merge conflict, points at the user's
/// line and names the lines cargo-facade writes; nothing changes.
#[test]
fn a_conflict_in_the_users_lines_of_a_consumer_is_named_as_such() {
    let ws = synced_basic();
    conflicted_app(&ws, |ours| {
        format!("<<<<<<< HEAD\n{ours}\n=======\n{ours}\nserde = \"1\"\n>>>>>>> theirs\n")
    });
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(2);
    assert_data_eq!(
        &check.stderr,
        str![[r#"
error: unresolved merge conflict in `[ROOT]/app/Cargo.toml`
  --> app/Cargo.toml:18:1
   |
18 | serde = "1"
   | ^^^^^^^^^^^ this conflicted line is yours, not cargo-facade's
   |
   = note: cargo-facade writes conflicted lines 15, 17 (managed entries and `# managed` features): `cargo facade sync` rewrites them once the rest is resolved
   = help: resolve the conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`) by hand, then run `cargo facade sync`

error: aborting due to the previous error

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    let sync = ws.facade(&["sync"]);
    sync.assert_code(2);
    assert_eq!(
        sync.stderr.replace("; no file was changed", ""),
        check.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// Issue 20 (conventions): cargo does not pass `cargo --color …`, `-q` or
/// `-v` on to a subcommand, so cargo-facade reads them where cargo keeps
/// them: `CARGO_TERM_QUIET`, `CARGO_TERM_VERBOSE`, `CARGO_TERM_COLOR`, and
/// `[term]` in `.cargo/config.toml`; a flag still wins.
#[test]
fn terminal_settings_come_from_cargos_environment_and_config() {
    let ws = synced_basic();
    let status = "       Fresh 3 facades, 2 consumers (nothing to change)\n";
    let run = ws.facade(&["sync"]);
    assert_eq!(run.assert_code(0).stderr, status);

    let quiet = ws.facade_env(&["sync"], &[("CARGO_TERM_QUIET", "true")]);
    assert_eq!(quiet.assert_code(0).stderr, "");
    let verbose = ws.facade_env(&["sync"], &[("CARGO_TERM_VERBOSE", "true")]);
    assert!(
        verbose
            .assert_code(0)
            .stderr
            .contains("     Running `cargo metadata"),
        "{}",
        verbose.stderr
    );
    let flag = ws.facade_env(&["sync", "-v"], &[("CARGO_TERM_QUIET", "true")]);
    assert!(flag.stderr.contains("Running"), "{}", flag.stderr);

    let color = ws.facade_env(&["sync"], &[("CARGO_TERM_COLOR", "always")]);
    assert!(color.stderr.contains("\u{1b}["), "{:?}", color.stderr);
    let never = ws.facade_env(
        &["sync", "--color", "never"],
        &[("CARGO_TERM_COLOR", "always")],
    );
    assert_eq!(never.stderr, status);

    ws.write(".cargo/config.toml", "[term]\nquiet = true\n");
    let config = ws.facade(&["sync"]);
    assert_eq!(config.assert_code(0).stderr, "");
    let flag = ws.facade(&["sync", "-v"]);
    assert!(flag.stderr.contains("Running"), "{}", flag.stderr);
}

/// `--help` ends with examples of the first commands to run.
#[test]
fn help_shows_examples() {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-facade"))
        .args(["facade", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("Examples:\n  cargo facade sync "), "{help}");
    assert!(help.contains("CARGO_TERM_COLOR"), "{help}");
}
