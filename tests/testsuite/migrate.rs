//! `cargo facade migrate`: forward builds and behaves the same, `--reverse`
//! gives every byte back, and what cannot be migrated exactly is an error
//! that changes nothing.

use std::collections::BTreeMap;

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_same_bytes, assert_unchanged, bytes};

/// The acceptance case: a pre-namespace consumer (imports with trailing
/// comments, `{self as alias}`, leading `::` paths in a nested module, a
/// macro invocation, block comments and strings that contain `foo_bar::`)
/// migrates, builds and prints the same, and migrates back to its bytes.
#[test]
fn pre_namespace_consumer_migrates_and_comes_back_byte_for_byte() {
    let ws = Fixture::case("migrate-basic");
    let before_run = ws.cargo(&["run", "-q", "-p", "migrate-app"]);
    before_run.assert_code(0);
    ws.cargo(&["test", "-q", "-p", "migrate-app"])
        .assert_code(0);
    let original = bytes(&ws, true);

    let run = ws.facade(&["migrate", "foo::bar=foo-bar"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
   Migrating migrate-app: 1 manifest, 10 paths in 2 files
  Generating facade foo/self+bar
   Recording conflict verdicts (facades/verdicts.toml)
    Finished 1 consumer migrated (6 files written)

"#]]
    );
    ws.assert_out();
    ws.facade(&["check"]).assert_code(0);

    let after_run = ws.cargo(&["run", "-q", "-p", "migrate-app"]);
    after_run.assert_code(0);
    assert_eq!(after_run.stdout, before_run.stdout);
    ws.cargo(&["test", "-q", "-p", "migrate-app"])
        .assert_code(0);

    let back = ws.facade(&["migrate", "foo::bar=foo-bar", "--reverse"]);
    back.assert_code(0);
    assert_data_eq!(
        back.stderr,
        str![[r#"
   Reverting migrate-app: 1 manifest, 10 paths in 2 files
    Removing facade foo/self+bar (no longer declared)
    Finished 1 consumer reverted (6 files written)

"#]]
    );
    assert_same_bytes(&original, &bytes(&ws, true));
    assert!(!ws.path().join("facades").exists());
    let again = ws.cargo(&["run", "-q", "-p", "migrate-app"]);
    assert_eq!(again.assert_code(0).stdout, before_run.stdout);
}

/// A renamed key (`fb = { package = "foo-bar" }`, with `extern crate fb;`
/// and `use fb;`), a `[dev-dependencies.fb]` table, a `workspace = true`
/// entry in a `target.'cfg(…)'` table and local modules named `foo_bar`.
#[test]
fn renamed_inherited_and_target_dependencies_round_trip() {
    let ws = Fixture::case("migrate-forms");
    let app_before = ws.cargo(&["run", "-q", "-p", "forms-app"]);
    let tool_before = ws.cargo(&["run", "-q", "-p", "forms-tool"]);
    app_before.assert_code(0);
    tool_before.assert_code(0);
    let original = bytes(&ws, true);

    let run = ws.facade(&["migrate", "foo::bar=foo-bar"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
   Migrating forms-app: 1 manifest, 6 paths in 1 file
   Migrating forms-tool: 2 manifests, 1 path in 1 file
  Generating facade foo/bar
  Generating facade foo/bar-01e5daf6
    Finished 2 consumers migrated (9 files written)

"#]]
    );
    ws.assert_out();

    let app_after = ws.cargo(&["run", "-q", "-p", "forms-app"]);
    let tool_after = ws.cargo(&["run", "-q", "-p", "forms-tool"]);
    assert_eq!(app_after.assert_code(0).stdout, app_before.stdout);
    assert_eq!(tool_after.assert_code(0).stdout, tool_before.stdout);

    ws.facade(&["migrate", "foo::bar=foo-bar", "--reverse"])
        .assert_code(0);
    assert_same_bytes(&original, &bytes(&ws, true));
    let app_back = ws.cargo(&["run", "-q", "-p", "forms-app"]);
    assert_eq!(app_back.assert_code(0).stdout, app_before.stdout);
}

/// `-p` migrates the members named and leaves the others alone.
#[test]
fn only_the_selected_members_migrate() {
    let ws = Fixture::case("migrate-forms");
    let run = ws.facade(&[
        "migrate",
        "foo::bar=foo-bar",
        "-p",
        "forms-tool",
        "--dry-run",
    ]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("+++ b/tool/src/main.rs"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("app/"), "{}", run.stdout);
    assert_data_eq!(
        run.stderr,
        str![[r#"
   Migrating forms-tool: 2 manifests, 1 path in 1 file
    Finished dry run: 5 files would change; no file was written

"#]]
    );
    let run = ws.facade(&["migrate", "foo::bar=foo-bar", "-p", "zed"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error: `zed` neither depends on `foo-bar`"),
        "{}",
        run.stderr
    );
}

/// `--dry-run` shows the whole change, facades included, and writes nothing.
#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let ws = Fixture::case("migrate-basic");
    let before = ws.snapshot();
    let run = ws.facade(&["migrate", "foo::bar=foo-bar", "--dry-run"]);
    run.assert_code(0);
    for line in [
        "+\"foo::bar\" = { path = \"../crates/foo-bar\" } # becomes `foo::bar`",
        "-use foo_bar::{self as fb, nested::deep}; /* block: foo_bar::nested */",
        "+use foo::bar::{self as fb, nested::deep}; /* block: foo_bar::nested */",
        "+++ b/facades/foo/self+bar/src/lib.rs",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    assert!(
        run.stderr
            .contains("Finished dry run: 5 files would change; no file was written"),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// A small workspace: `app` depends on `foo-bar`; `main` is its code.
fn consumer(main: &str) -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"foo-bar\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write("foo-bar/src/lib.rs", "pub fn greet() {}\n");
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-bar = { path = \"../foo-bar\" }\n",
    );
    ws.write("app/src/main.rs", main);
    ws
}

/// Adds the root `foo` (with `lib` as its code) to a [`consumer`] workspace.
fn add_root(ws: &Fixture, lib: &str) {
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"foo\", \"foo-bar\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write("foo/src/lib.rs", lib);
}

/// Migrates forward, expecting success and `stderr`.
#[track_caller]
fn migrate_forward(ws: &Fixture, stderr: impl snapbox::data::IntoData) {
    let run = ws.facade(&["migrate", "foo::bar=foo-bar"]);
    run.assert_code(0);
    assert_data_eq!(run.stderr, stderr);
}

/// What would not work or not come back is reported, all of it, with file
/// and line; nothing is written.
#[test]
fn what_cannot_be_migrated_exactly_is_an_error() {
    let ws = consumer(
        "#[macro_use]\nextern crate foo_bar;\n\nmod foo {}\n\nfn main() {\n    foo_bar::greet();\n}\n",
    );
    ws.write(
        "app/src/other.rs",
        "pub fn f() {\n    foo::bar::greet();\n}\n",
    );
    let before = ws.snapshot();
    let run = ws.facade(&["migrate", "foo::bar=foo-bar"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: cannot migrate `#[macro_use] extern crate foo_bar`
 --> app/src/main.rs:1:1
  |
1 | / #[macro_use]
2 | | extern crate foo_bar;
  | |____________________^ imports every macro of the crate by name
  |
  = help: import the macros this crate uses by path (`use foo_bar::some_macro;`), remove `#[macro_use]` and migrate again

error: `foo` would name a local item here, not the crate
 --> app/src/main.rs:7:5
  |
4 | mod foo {}
  |     --- local `foo` defined here
...
7 |     foo_bar::greet();
  |     ^^^^^^^ would become `foo::bar`
  |
  = help: rename the local `foo`, or write this path as `::foo_bar::…` so that no local item can capture it

error: `foo::bar` is named in this file already
 --> app/src/other.rs:2:5
  |
2 |     foo::bar::greet();
  |     ^^^^^^^^ this path or import
  |
  = note: `--reverse` could not tell it from a migrated path, so it could not restore the file
  = help: write it with the child's own crate name (`foo_bar::…`) and migrate again

error: aborting due to 3 previous errors; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
}

#[test]
fn bad_arguments_are_errors() {
    let ws = consumer("fn main() {\n    foo_bar::greet();\n}\n");
    let before = ws.snapshot();
    let run = ws.facade(&["migrate", "foo::bar"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: invalid migration `foo::bar`
 |
 = note: the package that provides the child is required; cargo-facade never guesses it
 = help: write `<root>::<child>=<package>`, e.g. `foo::bar=foo-bar`

error: aborting due to the previous error; no file was changed

"#]]
    );
    let run = ws.facade(&["migrate", "foo::bar=foo-bar", "-p", "nope"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error: package `nope` is not a member of this workspace"),
        "{}",
        run.stderr
    );
    // Nothing declared yet: `--reverse` has nothing to do.
    let run = ws.facade(&["migrate", "foo::bar=foo-bar", "--reverse"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("warning: nothing to migrate: no workspace member declares `foo::bar`"),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// `app` as real projects have it: an optional child behind a feature, an
/// optional root with an implicit feature, doctests (hidden lines too) and
/// intra-doc links that name the child.
fn optional_consumer() -> Fixture {
    let ws = consumer("");
    std::fs::remove_file(ws.path().join("app/src/main.rs")).unwrap();
    add_root(&ws, "pub fn root() -> &'static str {\n    \"root\"\n}\n");
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\nstd = []\n",
    );
    ws.write(
        "foo-bar/src/lib.rs",
        "pub struct Greeter;\n\nimpl Greeter {\n    pub fn hello() -> &'static str {\n        \"hello\"\n    }\n}\n\npub fn greet() -> &'static str {\n    \"hi\"\n}\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo = { path = \"../foo\", optional = true }\n\
         foo-bar = { path = \"../foo-bar\", optional = true } # the child\n\n\
         [features]\ndefault = []\n# serve things\nserver = [\"dep:foo-bar\"]\nloud = [\"server\", \"foo-bar?/std\"]\n",
    );
    ws.write(
        "app/src/lib.rs",
        r#"//! App. Uses [`foo_bar::Greeter`] and [the root](foo::root) when built with
//! `server` and `foo`; prose that says foo_bar::Greeter stays.
//!
//! ```
//! # use foo_bar::Greeter;
//! assert_eq!(Greeter::hello(), "hello");
//! ```
//!
//! ```text
//! foo_bar::not_rust
//! ```

/// Greets through [foo_bar::greet].
///
/// ```
/// assert_eq!(app::greet(), foo_bar::greet());
/// ```
#[cfg(feature = "server")]
pub fn greet() -> &'static str {
    foo_bar::greet()
}

#[cfg(not(feature = "server"))]
pub fn greet() -> &'static str {
    "quiet"
}

/// The root, see [`root`][foo::root].
#[cfg(feature = "foo")]
pub fn root() -> &'static str {
    foo::root()
}
"#,
    );
    ws
}

/// Optional children and the features that name them migrate both ways,
/// doctests pass and rustdoc resolves every link after the migration.
#[test]
fn optional_children_features_doctests_and_links_migrate() {
    let ws = optional_consumer();
    fn with<'a>(args: &[&'a str]) -> Vec<&'a str> {
        [args, &["--features", "server,foo,loud"][..]].concat()
    }
    ws.cargo(&with(&["test", "-q", "-p", "app"])).assert_code(0);
    let original = bytes(&ws, true);

    migrate_forward(
        &ws,
        str![[r#"
   Migrating app: 1 manifest, 5 paths in 1 file
  Generating facade foo/self+bar
   Recording conflict verdicts (facades/verdicts.toml)
    Finished 1 consumer migrated (5 files written)

"#]],
    );
    assert_data_eq!(
        ws.read("app/Cargo.toml"),
        str![[r#"
[package]
name = "app"
version = "0.1.0"
edition = "2021"

[package.metadata.facade.dependencies]
foo = { path = "../foo", optional = true }
"foo::bar" = { path = "../foo-bar", optional = true } # the child

[package.metadata.facade.features]
server = ["dep:foo::bar"]
loud = ["server", "foo::bar?/std"]
foo = ["dep:foo"]

[dependencies]
foo = { path = "../facades/foo/self+bar", version = "0.0.0", package = "foo-facade-ca6e559b", optional = true } # managed by cargo-facade: edit the declaration, then run `cargo facade sync`

[features]
default = []
# serve things
server = ["dep:foo", "foo/bar"] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`
loud = ["server", "foo?/bar.std"] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`
foo = ["dep:foo", "foo/self"] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`

"#]]
    );
    ws.facade(&["check"]).assert_code(0);
    ws.cargo(&["build", "-q", "-p", "app"]).assert_code(0);
    ws.cargo(&with(&["build", "-q", "-p", "app"]))
        .assert_code(0);
    let test = ws.cargo(&with(&["test", "-p", "app", "--doc"]));
    assert!(
        test.assert_code(0)
            .stdout
            .contains("test result: ok. 2 passed"),
        "{}",
        test.stdout
    );
    let mut rustdoc = with(&["rustdoc", "-q", "-p", "app"]);
    rustdoc.extend(["--", "-D", "warnings"]);
    ws.cargo(&rustdoc).assert_code(0);

    ws.facade(&["migrate", "foo::bar=foo-bar", "--reverse"])
        .assert_code(0);
    assert_same_bytes(&original, &bytes(&ws, true));
    ws.cargo(&with(&["test", "-q", "-p", "app"])).assert_code(0);
}

/// A version-3 `Cargo.lock` stays version 3 both ways and comes back byte
/// for byte; the workspace lock goes to cargo's target folder
/// (`build.target-dir`), leaving no `target/` in the repository.
#[test]
fn cargo_lock_keeps_its_format_and_the_lock_file_follows_the_target_dir() {
    let ws = consumer("fn main() {\n    foo_bar::greet();\n}\n");
    ws.write(
        ".cargo/config.toml",
        "[build]\ntarget-dir = \"build-out\"\n",
    );
    ws.cargo(&["generate-lockfile", "--offline"]).assert_code(0);
    let v4 = ws.read("Cargo.lock");
    assert!(v4.contains("\nversion = 4\n"), "{v4}");
    ws.write(
        "Cargo.lock",
        &v4.replace("\nversion = 4\n", "\nversion = 3\n"),
    );
    let original = bytes(&ws, true);

    ws.facade(&["migrate", "foo::bar=foo-bar"]).assert_code(0);
    let lock = ws.read("Cargo.lock");
    assert!(lock.contains("\nversion = 3\n"), "{lock}");
    assert!(lock.contains("name = \"foo-facade"), "{lock}");
    assert!(ws.path().join("build-out/cargo-facade.lock").exists());
    assert!(!ws.path().join("target").exists());

    ws.facade(&["migrate", "foo::bar=foo-bar", "--reverse"])
        .assert_code(0);
    let mut after = bytes(&ws, true);
    after.retain(|path, _| !path.starts_with("build-out")); // cargo's own folder
    assert_same_bytes(&original, &after);
}

/// The same child in `[dependencies]` and `[build-dependencies]` with
/// different version requirements migrates, as cargo accepts it: the
/// facade requires both, the build script and the binary build and run.
#[test]
fn one_child_with_two_version_requirements_migrates() {
    let ws = consumer("fn main() {\n    foo_bar::greet();\n    println!(\"ran\");\n}\n");
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"0.1.5\"\nedition = \"2021\"\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"0.1\" }\n\n\
         [build-dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"0.1.5\" }\n",
    );
    ws.write("app/build.rs", "fn main() {\n    foo_bar::greet();\n}\n");
    ws.cargo(&["build", "-q"]).assert_code(0);
    let original = bytes(&ws, true);

    migrate_forward(
        &ws,
        str![[r#"
   Migrating app: 1 manifest, 2 paths in 2 files
  Generating facade foo/bar
    Finished 1 consumer migrated (5 files written)

"#]],
    );
    // The facade requires both (wherever the facade layout puts it).
    let lock = ws.read("Cargo.lock");
    assert!(lock.contains("name = \"foo-facade"), "{lock}");
    let facades = bytes(&ws, false);
    assert!(
        facades
            .iter()
            .any(|(path, text)| path.starts_with("facades")
                && String::from_utf8_lossy(text).contains("version = \"0.1, 0.1.5\"")),
        "no facade requires both versions"
    );
    let run = ws.cargo(&["run", "-q", "-p", "app"]);
    assert_eq!(run.assert_code(0).stdout, "ran\n");

    ws.facade(&["migrate", "foo::bar=foo-bar", "--reverse"])
        .assert_code(0);
    assert_same_bytes(&original, &bytes(&ws, true));
}

/// An error the engine finds in a migrated manifest points at the line of
/// the file on disk (the dependency), not at the manifest in memory.
#[test]
fn errors_in_the_migrated_manifest_point_at_the_file_on_disk() {
    let ws = consumer("fn main() {\n    foo_bar::greet();\n}\n");
    add_root(&ws, "pub mod bar {}\n");
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo = { path = \"../foo\" }\nfoo-bar = { path = \"../foo-bar\" } # child\n",
    );
    let before = ws.snapshot();
    let run = ws.facade(&["migrate", "foo::bar=foo-bar"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: root crate `foo` (foo v0.1.0) has its own `bar` (module), which would hide the child `foo::bar`
 --> foo/src/lib.rs:1:9
  |
1 | pub mod bar {}
  |         ^^^ `foo::bar` is already taken here
  |
 ::: app/Cargo.toml:8:1
  |
8 | foo-bar = { path = "../foo-bar" } # child
  | ------- child declared here
  |
  = note: RFC 3243: "If users import both foo and foo::bar but foo also has a bar item in its API that isn't just foo::bar re-exported, then rustc will error."
  = help: drop the root declaration `foo`, disable the root feature that makes `bar` (if one does), or declare the child under another name (a re-export of the child, `pub use foo_bar as bar;`, in the root is also fine)

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// A file that passed `rustfmt --check` (with the workspace's
/// `rustfmt.toml`) passes it after the migration: the imports the longer
/// path moved are re-sorted and the line that grew past `max_width` is
/// wrapped; nothing else moves, and `--reverse` gives every byte back. A
/// file that was not clean is only renamed.
#[test]
fn rustfmt_clean_files_stay_clean() {
    let main = "use foo::root;\nuse foo_bar::greet;\n\nfn main() {\n    let pair = (foo_bar::greet(), foo_bar::greet(), 12345);\n    println!(\"{pair:?} {}\", root());\n    greet();\n}\n";
    let ws = consumer(main);
    add_root(&ws, "pub fn root() -> u8 {\n    1\n}\n");
    ws.write("rustfmt.toml", "max_width = 60\n");
    ws.write("foo-bar/src/lib.rs", "pub fn greet() -> u8 {\n    2\n}\n");
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo = { path = \"../foo\" }\nfoo-bar = { path = \"../foo-bar\" }\n",
    );
    // Not a module of the crate (so `cargo fmt` skips it), but migrated.
    ws.write(
        "app/src/untidy.rs",
        "pub fn f() -> u8 {   foo_bar::greet() }\n",
    );
    ws.cargo(&["fmt", "--check"]).assert_code(0);
    ws.cargo(&["generate-lockfile", "--offline"]).assert_code(0);
    let original = bytes(&ws, true);

    ws.facade(&["migrate", "foo::bar=foo-bar"]).assert_code(0);
    assert_data_eq!(
        ws.read("app/src/main.rs"),
        str![[r#"
use foo::bar::greet;
use foo::root;

fn main() {
    let pair =
        (foo::bar::greet(), foo::bar::greet(), 12345);
    println!("{pair:?} {}", root());
    greet();
}

"#]]
    );
    assert_eq!(
        ws.read("app/src/untidy.rs"),
        "pub fn f() -> u8 {   foo::bar::greet() }\n"
    );
    ws.cargo(&["fmt", "--check", "-p", "app"]).assert_code(0);
    ws.cargo(&["build", "-q", "-p", "app"]).assert_code(0);

    ws.facade(&["migrate", "foo::bar=foo-bar", "--reverse"])
        .assert_code(0);
    assert_same_bytes(&original, &bytes(&ws, true));
}

/// The family's specs, one `migrate` for all of them.
const FAMILY: [&str; 3] = [
    "fam::core=fam-core",
    "fam::extra=fam-extra",
    "fam::macros=fam-macros",
];

/// Issue 17: a whole family migrates in one run and comes back in one.
/// `fam` (the root) uses `fam-core` and an optional proc-macro child;
/// `fam-extra` uses the root and its siblings `fam-core` and `fam-macros`
/// (optional, and again as a dev-dependency with other features);
/// `fam-macros` has a path dev-dependency on `fam-core` and an optional one;
/// `/*! */` and `/** */` links and doctests; an app uses them all. The
/// family packages together after the migration. Normal
/// builds stay exactly what they were: every member's `cargo tree -e
/// normal` (real packages and their features, with default features, none,
/// and each feature) and its list of features.
#[test]
fn a_family_migrates_as_a_whole_and_comes_back_byte_for_byte() {
    let ws = Fixture::case("migrate-family");
    let before_run = ws.cargo(&["run", "-q", "-p", "fam-app"]);
    before_run.assert_code(0);
    let trees = normal_trees(&ws);
    let features = member_features(&ws);
    let original = bytes(&ws, true);

    let run = ws.facade(&[&["migrate"][..], &FAMILY].concat());
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
warning: `fam` is the root of namespace `fam`: it keeps `fam-core`, `fam-macros` as dependencies
 --> fam/Cargo.toml:7:1
  |
7 | fam-core = { path = "../fam-core", version = "0.1.0" }
  | ^^^^^^^^ stays a dependency
8 | fam-macros = { path = "../fam-macros", version = "0.1.0", optional = true }
  | ---------- stays a dependency
  |
  = note: a root that declared its own children would get a facade under its own name, and cargo gives its doctests, tests and binaries both crates as that name (rustc error E0464)
  = help: nothing to do: `fam`'s own paths stay `fam_core::…`, and its consumers migrate

   Migrating fam-app: 1 manifest, 3 paths in 1 file
   Migrating fam-extra: 1 manifest, 5 paths in 1 file
   Migrating fam-macros: 1 manifest, 3 paths in 2 files
  Generating facade fam/core
  Generating facade fam/self+core+extra
  Generating facade fam/self+core+macros
   Recording conflict verdicts (facades/verdicts.toml)
    Finished 3 consumers migrated (14 files written)

"#]]
    );
    ws.assert_out();
    ws.facade(&["check"]).assert_code(0);
    assert_eq!(normal_trees(&ws), trees);
    assert_eq!(member_features(&ws), features);

    ws.cargo(&["build", "-q", "--workspace"]).assert_code(0);
    let after_run = ws.cargo(&["run", "-q", "-p", "fam-app"]);
    assert_eq!(after_run.assert_code(0).stdout, before_run.stdout);
    let test = ws.cargo(&["test", "--workspace"]);
    assert!(
        test.assert_code(0)
            .stdout
            .matches("test result: ok")
            .count()
            >= 8,
        "{}",
        test.stdout
    );
    for lib in ["fam", "fam-core", "fam-extra", "fam-macros"] {
        ws.cargo(&["rustdoc", "-q", "-p", lib, "--", "-D", "warnings"])
            .assert_code(0);
    }
    ws.cargo(&["fmt", "--all", "--check"]).assert_code(0);

    // Packaged together, lowered, each verified against its lowered siblings.
    let members = ["fam-core", "fam", "fam-macros", "fam-extra"];
    let mut package = vec!["package"];
    for member in members {
        package.extend(["-p", member]);
    }
    let package = ws.facade(&package);
    package.assert_code(0);
    for member in members {
        let written = format!("lowered crate written to target/package/{member}-0.1.0.crate");
        assert!(package.stderr.contains(&written), "{}", package.stderr);
    }

    let back = ws.facade(&[&["migrate", "--reverse"][..], &FAMILY].concat());
    back.assert_code(0);
    assert_data_eq!(
        back.stderr,
        str![[r#"
   Reverting fam-app: 1 manifest, 3 paths in 1 file
   Reverting fam-extra: 1 manifest, 5 paths in 1 file
   Reverting fam-macros: 1 manifest, 3 paths in 2 files
    Removing facade fam/core (no longer declared)
    Removing facade fam/self+core+extra (no longer declared)
    Removing facade fam/self+core+macros (no longer declared)
    Finished 3 consumers reverted (14 files written)

"#]]
    );
    assert_same_bytes(&original, &bytes(&ws, true));
}

/// Every workspace member's normal dependency tree with default features,
/// with none and with each feature: real packages and their features (the
/// facades, the only packages migrate adds, left out).
fn normal_trees(ws: &Fixture) -> BTreeMap<String, String> {
    let mut trees = BTreeMap::new();
    for (member, features) in member_features(ws) {
        let mut sets = vec![String::new(), "--no-default-features".to_owned()];
        sets.extend(
            features
                .iter()
                .filter(|f| *f != "default")
                .map(|f| format!("--features={f}")),
        );
        for set in sets {
            let mut args = vec!["tree", "-q", "-p", &member, "-e", "normal"];
            args.extend(["--prefix", "none", "-f", "{p} [{f}]"]);
            if !set.is_empty() {
                args.push(&set);
            }
            let tree = ws.cargo(&args);
            let mut lines: Vec<&str> = tree
                .assert_code(0)
                .stdout
                .lines()
                .filter(|l| !l.contains("/facades/"))
                .map(|l| l.trim_end_matches(" (*)"))
                .collect();
            lines.sort_unstable();
            lines.dedup();
            trees.insert(format!("{member} {set}"), lines.join("\n"));
        }
    }
    trees
}

/// Every member but the facades, with the features cargo gives it
/// (implicit ones included).
fn member_features(ws: &Fixture) -> BTreeMap<String, Vec<String>> {
    let metadata = ws.cargo(&["metadata", "-q", "--no-deps", "--format-version", "1"]);
    let json: serde_json::Value = serde_json::from_str(&metadata.assert_code(0).stdout).unwrap();
    json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["manifest_path"].as_str().unwrap().contains("/facades/"))
        .map(|p| {
            let features = p["features"].as_object().unwrap().keys().cloned().collect();
            (p["name"].as_str().unwrap().to_owned(), features)
        })
        .collect()
}
