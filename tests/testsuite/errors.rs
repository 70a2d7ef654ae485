//! Bad input: every error names file and line, exits 2, and leaves every
//! byte of the tree as it was. All errors of a run are reported together.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_unchanged};

#[test]
fn every_error_of_every_consumer_is_reported_at_once() {
    let ws = Fixture::case("errors");
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: invalid namespaced name: `foo::bar::baz` nests namespaces 2 levels deep
 --> a/Cargo.toml:7:1
  |
7 | "foo::bar::baz" = { path = "../x" }
  | ^^^^^^^^^^^^^^^ declared here
  |
  = note: RFC 3243: "For now, we will restrict package names to having a single `::` in them, not at the beginning or end of the name"
  = help: declare at most one level, e.g. `foo::bar-baz`

error: invalid namespaced name: `::bar` has `::` at its start or end
 --> a/Cargo.toml:8:1
  |
8 | "::bar" = "1"
  | ^^^^^^^ declared here
  |
  = note: RFC 3243: "For now, we will restrict package names to having a single `::` in them, not at the beginning or end of the name"
  = help: write the name as `<root>::<child>`, e.g. `foo::bar`

error: invalid namespaced name: `foo::self`: `self` cannot name a child
 --> a/Cargo.toml:9:1
  |
9 | "foo::self" = "1"
  | ^^^^^^^^^^^ declared here
  |
  = note: `self` is a path keyword that no Rust path can use as a module name, not even as a raw identifier
  = help: choose another name

error: `foo::reg` needs `package`: which package provides it?
  --> a/Cargo.toml:10:1
   |
10 | "foo::reg" = "1.0"
   | ^^^^^^^^^^ no `package` here
   |
   = note: until registries support namespaced packages, a registry or git child is provided by an ordinary package; cargo-facade never guesses its name
   = help: add e.g. `package = "foo-reg"` if that is the package

error: `foo::missing`: path `../nope` does not exist
  --> a/Cargo.toml:11:1
   |
11 | "foo::missing" = { path = "../nope" }
   | ^^^^^^^^^^^^^^ declared here
   |
   = note: looked for `[ROOT]/nope/Cargo.toml`
   = help: fix `path`: it is relative to the manifest that declares it

error: `foo::binonly`: package `binonly` at `../binonly` has no library target
  --> a/Cargo.toml:12:1
   |
12 | "foo::binonly" = { path = "../binonly" }
   | ^^^^^^^^^^^^^^ declared here
   |
   = note: a facade re-exports a library; binaries cannot be re-exported
   = help: add a `src/lib.rs` (or a `[lib]` section) to `binonly`

error: invalid declaration `foo::typo`
 --> b/Cargo.toml:7:49
  |
7 | "foo::typo" = { path = "../binonly", features = "std" }
  | ----------- in this declaration                 ^^^^^ `features`: invalid type: string "std", expected a sequence
  |
  = help: declarations take Cargo's dependency syntax: a version string or a table of `version`, `path`, `git`, `package`, `features`, `optional`, `default-features`…

error: aborting due to 7 previous errors; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    // `check` reports the same errors (exit 2, not 1).
    ws.facade(&["check"]).assert_code(2);
    assert_unchanged(&before, &ws.snapshot());
}

#[test]
fn broken_toml_names_the_place() {
    let ws = Fixture::case("basic");
    ws.write(
        "tool/Cargo.toml",
        &ws.read("tool/Cargo.toml")
            .replace("\"foo::bar\" = {", "\"foo::bar\" = {{"),
    );
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: invalid TOML in `[ROOT]/tool/Cargo.toml`
 --> tool/Cargo.toml:7:15
  |
7 | "foo::bar" = {{ path = "../crates/foo-bar" }
  |               ^ missing key for inline table element, expected key
  |
  = help: fix the TOML syntax

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// A declaration cargo would reject only at resolution (a version the path
/// child does not have) is caught after writing and every byte, `Cargo.lock`
/// included, is put back.
#[test]
fn resolution_errors_restore_every_file() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    ws.write(
        "tool/Cargo.toml",
        &ws.read("tool/Cargo.toml").replace(
            "\"foo::bar\" = { path = \"../crates/foo-bar\" }",
            "\"foo::bar\" = { path = \"../crates/foo-bar\", version = \"9\" }",
        ),
    );
    ws.write(
        "app/Cargo.toml",
        &ws.read("app/Cargo.toml").replace(
            "\"foo::bar\" = { path = \"../crates/foo-bar\" }",
            "\"foo::bar\" = { path = \"../crates/foo-bar\", version = \"9\" }",
        ),
    );
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("failed to select a version for the requirement `foo-bar = \"^9\"`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("every file was restored"),
        "{}",
        run.stderr
    );
    let after = ws.snapshot();
    for (path, (bytes, _)) in &before {
        assert!(
            after[path].0 == *bytes,
            "`{}` differs after the rollback",
            path.display()
        );
    }
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
}

/// Issue 20.5: a version requirement cargo would reject is reported at the
/// declaration's `version` (not at the facade manifest cargo would name
/// after the write and rollback), by `check` as by `sync`, and nothing is
/// written: no "Generating" line says otherwise.
#[test]
fn a_bad_version_requirement_points_at_the_declaration() {
    let ws = Fixture::case("basic");
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &app.replace(
            "\"foo::bar\" = { path = \"../crates/foo-bar\" }",
            "\"foo::bar\" = { path = \"../crates/foo-bar\", version = \"one point two\" }",
        ),
    );
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(2);
    assert_data_eq!(
        &check.stderr,
        str![[r#"
error: `foo::bar`: invalid version requirement `one point two`
 --> app/Cargo.toml:8:54
  |
8 | "foo::bar" = { path = "../crates/foo-bar", version = "one point two" }
  |                                                      ^^^^^^^^^^^^^^^ unexpected character 'o' while parsing major version number
  |
  = help: write a requirement cargo accepts, such as `"1.2"` or `"=1.2.3"`

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

/// Issue 20.5: when cargo rejects the synced tree (no version of the path
/// child matches the requirement) everything is rolled back, and no status
/// line printed before says a facade was generated or a manifest updated.
#[test]
fn a_rolled_back_sync_prints_no_progress_that_reads_as_written() {
    let ws = Fixture::case("basic");
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &app.replace(
            "\"foo::bar\" = { path = \"../crates/foo-bar\" }",
            "\"foo::bar\" = { path = \"../crates/foo-bar\", version = \"9\" }",
        ),
    );
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    for written in ["Generating", "Updating", "Finished"] {
        assert!(!run.stderr.contains(written), "{}", run.stderr);
    }
    assert!(
        run.stderr.contains("every file was restored"),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// Issue 20.5: a feature value naming a feature the child does not have is
/// reported at that value in `[package.metadata.facade.features]`, by
/// `check` too, with the fix in the right place (the child's `[features]`
/// or the value), not at the declaration after cargo's rejection.
#[test]
fn a_missing_child_feature_points_at_the_feature_line() {
    let ws = Fixture::case("basic");
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &format!("{app}\n[package.metadata.facade.features]\nzstd = [\"foo::bar/zstd\"]\n"),
    );
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(2);
    assert_data_eq!(
        &check.stderr,
        str![[r#"
error: feature `zstd`: `foo::bar` (package `foo-bar`) has no feature `zstd`
  --> app/Cargo.toml:16:9
   |
 8 | "foo::bar" = { path = "../crates/foo-bar" }
   | ---------- `foo::bar` declared here
...
16 | zstd = ["foo::bar/zstd"]
   |         ^^^^^^^^^^^^^^^ this value
   |
   = help: add `zstd` to `[features]` of package `foo-bar`, or remove this value

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
