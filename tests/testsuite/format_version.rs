//! The generated tree's format version (issue 21 item 5): a tree written
//! by a newer cargo-facade is refused before anything else is read; a tree
//! written by an older one (today's `format-2` case: main before formats
//! were recorded) is rewritten only by `sync --upgrade`.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_unchanged};

/// A facade manifest recording format 4 stops every command with one
/// error at its record, even where the manifests hold what this release
/// would call the user's errors (a newer format may write what this one
/// misreads): nothing is written.
#[test]
fn a_tree_of_a_newer_format_is_refused_before_anything_else() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let manifest = ws.read("facades/foo/bar/Cargo.toml");
    assert!(manifest.contains("[package.metadata.cargo-facade]\nformat = 3\n"));
    ws.write(
        "facades/foo/bar/Cargo.toml",
        &manifest.replace("format = 3", "format = 4"),
    );
    let tool = ws.read("tool/Cargo.toml");
    ws.write(
        "tool/Cargo.toml",
        &tool.replace(
            "\"foo::bar\" = ",
            "\"foo::bar::baz\" = \"1\"\n\"foo::bar\" = ",
        ),
    );
    let before = ws.snapshot();
    let sync = ws.facade(&["sync"]);
    sync.assert_code(2);
    assert_data_eq!(
        &sync.stderr,
        str![[r#"
error: written by a newer cargo-facade (format 4): upgrade cargo-facade
  --> facades/foo/bar/Cargo.toml:13:10
   |
13 | format = 4
   |          ^ this facade was written in format 4
   |
   = note: this cargo-facade reads and writes format 3; it would misread a newer tree, so it changed nothing
   = help: install the cargo-facade release your team uses (`cargo install cargo-facade`)

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    // The same one error from every command (read-only ones do not say
    // that they changed nothing).
    let error = sync.stderr.split("error: aborting").next().unwrap();
    for command in [
        &["sync", "--upgrade"][..],
        &["check"],
        &["list"],
        &["eject"],
    ] {
        let run = ws.facade(command);
        run.assert_code(2);
        assert!(
            run.stderr.starts_with(error),
            "{command:?}:\n{}",
            run.stderr
        );
        assert_eq!(run.stderr.matches("error:").count(), 2, "{}", run.stderr);
        assert_unchanged(&before, &ws.snapshot());
    }
}

/// A tree synced before formats were recorded: `check` calls it stale and
/// says what to run, `sync` refuses in one line and changes nothing, and
/// `sync --upgrade` rewrites it (facades renamed once), after which it
/// builds and is fresh.
#[test]
fn a_tree_of_an_older_format_is_upgraded_only_when_asked() {
    let ws = Fixture::case("format-2");
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert_data_eq!(
        check.stderr,
        str![[r#"
error: `facades/foo/bar/Cargo.toml` was written by an older cargo-facade (format 2); this one writes format 3
 |
 = note: format 3 names facades by the names they present and who uses them, not by versions, so upgrading renames facades once (consumer manifests and Cargo.lock change)
 = help: run `cargo facade sync --upgrade` to rewrite the facades in the new format


"#]]
    );
    let sync = ws.facade(&["sync"]);
    sync.assert_code(2);
    assert!(
        sync.stderr
            .contains("help: run `cargo facade sync --upgrade` to rewrite the facades"),
        "{}",
        sync.stderr
    );
    assert_unchanged(&before, &ws.snapshot());

    let upgrade = ws.facade(&["sync", "--upgrade"]);
    upgrade.assert_code(0);
    ws.assert_out();
    ws.cargo(&["build", "--locked"]).assert_code(0);
    ws.facade(&["check"]).assert_code(0);
    ws.facade(&["sync"]).assert_code(0);
}
