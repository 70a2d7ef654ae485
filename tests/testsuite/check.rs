//! `cargo facade check`.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_unchanged};

/// Stale facades: exit 1, a unified diff on stdout, the fixing command on
/// stderr, and no file changed.
#[test]
fn stale_declaration_is_reported_and_nothing_changes() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    ws.facade(&["check"]).assert_code(0);

    let tool = ws.read("tool/Cargo.toml");
    ws.write(
        "tool/Cargo.toml",
        &tool.replace(
            "[package.metadata.facade.dependencies]\n",
            "[package.metadata.facade.dependencies]\nfoo = { path = \"../crates/foo\" }\n",
        ),
    );
    let before = ws.snapshot();
    let run = ws.facade(&["check"]);
    run.assert_code(1);
    assert_data_eq!(
        run.stdout,
        str![[r#"
--- a/tool/Cargo.toml
+++ b/tool/Cargo.toml
@@ -8,4 +8,4 @@
 "foo::bar" = { path = "../crates/foo-bar" }
 
 [dependencies]
-foo = { path = "../facades/foo", package = "foo-facade", features = ["bar"] }
+foo = { path = "../facades/foo", package = "foo-facade", features = ["bar", "self"] }

"#]]
    );
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: out of date: manifest of `basic-tool`

note: `sync` would write 1 file (the diff above), then refresh Cargo.lock through cargo
help: run `cargo facade sync` to update them

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// Before the first sync every facade file is new.
#[test]
fn never_synced_workspace_is_stale() {
    let ws = Fixture::case("basic");
    let before = ws.snapshot();
    let run = ws.facade(&["check"]);
    run.assert_code(1);
    assert!(
        run.stdout
            .contains("--- /dev/null\n+++ b/facades/foo/Cargo.toml"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "error: out of date: facade `foo` (2 files), facade `util` (2 files), \
             manifest of `basic-app`, manifest of `basic-tool`\n\n\
             note: `sync` would write 6 files"
        ),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
}
