//! The generated tree's format version (issue 21 item 5): a tree written
//! by a newer cargo-facade is refused before anything else is read; a tree
//! written by an older one (today's `format-2` case: main before formats
//! were recorded) is rewritten only by `sync --upgrade`.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, MANAGED, assert_unchanged};

/// A facade manifest recording format 6 stops every command with one
/// error at its record, even where the manifests hold what this release
/// would call the user's errors (a newer format may write what this one
/// misreads): nothing is written.
#[test]
fn a_tree_of_a_newer_format_is_refused_before_anything_else() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let manifest = ws.read("facades/foo/bar/Cargo.toml");
    assert!(manifest.contains("[package.metadata.cargo-facade]\nformat = 5\n"));
    ws.write(
        "facades/foo/bar/Cargo.toml",
        &manifest.replace("format = 5", "format = 6"),
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
error: written by a newer cargo-facade (format 6): upgrade cargo-facade
  --> facades/foo/bar/Cargo.toml:13:10
   |
13 | format = 6
   |          ^ this facade was written in format 6
   |
   = note: this cargo-facade reads and writes format 5; it would misread a newer tree, so it changed nothing
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
error: `facades/foo/bar/Cargo.toml` was written by an older cargo-facade (format 2); this one writes format 5
 |
 = note: since format 3 facades are named by the names they present and who uses them, not by versions, so upgrading renames facades once (consumer manifests and Cargo.lock change); since format 4 every managed entry and managed `[features]` line in the members' manifests gains a comment saying to run `cargo facade sync`; since format 5 a member whose facade would present nothing its root does not (it declares the root alone, or the root re-exports each declared child as itself) depends on the root crate itself, and that facade is removed
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

/// Format 4 (issue 20 item 6): every managed entry and managed feature line
/// of a member's manifest says how to refresh it. A format-3 tree (the same
/// lines without the comment) is upgraded only when asked, and the upgrade
/// adds the comments and the record and renames nothing. A comment removed
/// replaced by the user's makes the tree stale, and `sync` puts it back
/// after the user's.
#[test]
fn managed_lines_say_how_to_refresh_them_and_format_3_gains_the_comment() {
    let ws = Fixture::case("basic");
    ws.write(
        "tool/Cargo.toml",
        &format!(
            "{}\n[features]\nstd = [\"foo::bar/std\"]\n",
            ws.read("tool/Cargo.toml")
        ),
    );
    ws.write(
        "crates/foo-bar/Cargo.toml",
        &format!(
            "{}\n[features]\nstd = []\n",
            ws.read("crates/foo-bar/Cargo.toml")
        ),
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    let synced = ws.snapshot();
    let tool = ws.read("tool/Cargo.toml");
    for line in tool
        .lines()
        .filter(|l| l.starts_with("foo = ") || l.starts_with("std = [\"foo/"))
    {
        assert!(
            line.ends_with(MANAGED),
            "no managed comment: {line}\n{tool}"
        );
    }
    assert_eq!(tool.matches(MANAGED).count(), 2, "{tool}");

    // Format 3: the same tree without the comments (its feature marker was
    // the comment's first words) and recording format 3.
    let mut format_3 = Vec::new();
    for path in synced.keys() {
        let rel = path.to_str().unwrap().to_owned();
        if !rel.ends_with("Cargo.toml") {
            continue;
        }
        let text = ws.read(&rel);
        let old = text
            .replace(&format!("]{MANAGED}"), "] # managed by cargo-facade")
            .replace(MANAGED, "")
            .replace("\nformat = 5\n", "\nformat = 3\n");
        if old != text {
            ws.write(&rel, &old);
            format_3.push(rel);
        }
    }
    assert!(
        ws.read("tool/Cargo.toml")
            .contains("std = [\"foo/bar.std\"] # managed by cargo-facade\n")
    );
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check
            .stderr
            .contains("(format 3); this one writes format 5")
            && check.stderr.contains("no other facade is renamed"),
        "{}",
        check.stderr
    );
    ws.facade(&["sync"]).assert_code(2);
    assert_unchanged(&before, &ws.snapshot());
    let upgrade = ws.facade(&["sync", "--upgrade"]);
    upgrade.assert_code(0);
    // Byte for byte the tree a fresh format-4 sync wrote: no facade renamed.
    for rel in &format_3 {
        let now = std::fs::read(ws.path().join(rel)).unwrap();
        let fresh = &synced[std::path::Path::new(rel)].0;
        assert!(
            now == *fresh,
            "`{rel}` differs after the upgrade:\n{}",
            ws.read(rel)
        );
    }
    ws.facade(&["check"]).assert_code(0);

    // The entry's comment replaced by the user's own: `sync` keeps theirs
    // and puts its own after it. (A feature line without the marker is the
    // user's feature; that is how features are told apart.)
    let tool = ws.read("tool/Cargo.toml");
    let entry = tool.lines().find(|l| l.starts_with("foo = ")).unwrap();
    let bare = entry.strip_suffix(MANAGED).unwrap();
    ws.write(
        "tool/Cargo.toml",
        &tool.replace(entry, &format!("{bare} # the bar client")),
    );
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check
            .stderr
            .contains("help: run `cargo facade sync` to update them"),
        "{}",
        check.stderr
    );
    ws.facade(&["sync"]).assert_code(0);
    let tool = ws.read("tool/Cargo.toml");
    assert!(
        tool.contains(&format!("{bare} # the bar client{MANAGED}\n")),
        "{tool}"
    );
    ws.facade(&["check"]).assert_code(0);
    ws.cargo(&["build", "--locked"]).assert_code(0);
}
