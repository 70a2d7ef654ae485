//! `cargo facade sync`.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_nothing_compiled, assert_unchanged, mask_facade_hashes};

/// The core contract: a root with a `#[macro_export]` macro, a child with its
/// own macro, a proc-macro child, a root-less namespace and a second consumer
/// that declares one child all build and run through the facades.
#[test]
fn basic_workspace_builds_and_runs() {
    let ws = Fixture::case("basic");
    let run = ws.facade(&["sync"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
  Generating facade foo/bar (1 child, for 1 package)
  Generating facade foo/self+bar+derive (root + 2 children, for 1 package)
  Generating facade util/text (1 child, for 1 package)
    Updating basic-app (app/Cargo.toml)
    Updating basic-tool (tool/Cargo.toml)
   Recording conflict verdicts (facades/verdicts.toml)
    Finished 3 facades, 2 consumers (9 files written)

"#]]
    );
    ws.assert_out();

    ws.cargo(&["build", "--locked"]).assert_code(0);
    let app = ws.cargo(&["run", "--locked", "-q", "-p", "basic-app"]);
    app.assert_code(0);
    assert_data_eq!(
        app.stdout,
        str![[r#"
root foo
42
7
8
Thing
OK

"#]]
    );
    let tool = ws.cargo(&["run", "--locked", "-q", "-p", "basic-tool"]);
    assert_eq!(tool.assert_code(0).stdout, "tool 8\n");

    // `check` agrees, and a second sync changes no byte and no mtime.
    ws.facade(&["check"]).assert_code(0);
    let before = ws.snapshot();
    let again = ws.facade(&["sync"]);
    again.assert_code(0);
    assert_data_eq!(
        again.stderr,
        str![[r#"
       Fresh 3 facades, 2 consumers (nothing to change)

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    assert_nothing_compiled(ws.cargo(&["build", "--locked"]).assert_code(0));
}

/// A consumer that declares only `foo::bar` builds although no crate `foo`
/// exists anywhere (DESIGN: "builds even if no crate `foo` exists").
#[test]
fn rootless_namespace_needs_no_root_crate() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"ns-child\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "ns-child/Cargo.toml",
        "[package]\nname = \"ns-child\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write(
        "ns-child/src/lib.rs",
        "pub fn hi() -> &'static str { \"hi from ns::child\" }\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"rootless-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\n\"ns::child\" = { path = \"../ns-child\" }\n",
    );
    ws.write(
        "app/src/main.rs",
        "fn main() { println!(\"{}\", ns::child::hi()); }\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    assert!(
        !ws.read("facades/ns/child/Cargo.toml")
            .contains("[dependencies.ns]")
    );
    let run = ws.cargo(&["run", "-q", "-p", "rootless-app"]);
    assert_eq!(run.assert_code(0).stdout, "hi from ns::child\n");
    // No facade library is named like the namespace's (absent) root, which
    // would collide with a real `ns` elsewhere in the graph (cargo#6313).
    assert!(
        mask_facade_hashes(&ws.read("facades/ns/child/Cargo.toml"))
            .contains("[lib]\nname = \"ns_facade_[HASH]\"")
    );
}

/// Removing the last declaration of a namespace removes its facade and the
/// managed entry; the rest of the manifest keeps every byte.
#[test]
fn undeclared_facades_and_entries_are_removed() {
    let ws = Fixture::case("basic");
    let original_tool = ws.read("tool/Cargo.toml");
    ws.facade(&["sync"]).assert_code(0);
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &app.replace("\"util::text\" = { path = \"../crates/util-text\" }\n", ""),
    );
    ws.write(
        "app/src/main.rs",
        &ws.read("app/src/main.rs")
            .replace("    println!(\"{}\", util::text::upper(\"ok\"));\n", ""),
    );
    let tool = ws.read("tool/Cargo.toml");
    ws.write(
        "tool/Cargo.toml",
        &tool.replace("\"foo::bar\" = { path = \"../crates/foo-bar\" }\n", ""),
    );
    ws.write("tool/src/main.rs", "fn main() {}\n");

    let run = ws.facade(&["sync"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
    Removing facade foo/bar (no longer declared)
    Removing facade util/text (no longer declared)
    Updating basic-app (app/Cargo.toml)
    Updating basic-tool (tool/Cargo.toml)
    Finished 1 facade, 1 consumer (6 files written)

"#]]
    );
    assert!(!ws.path().join("facades/util").exists());
    assert!(!ws.read("app/Cargo.toml").contains("util ="));
    // The tool's manifest is back to its declarations-only form.
    assert_eq!(
        ws.read("tool/Cargo.toml"),
        original_tool.replace("\"foo::bar\" = { path = \"../crates/foo-bar\" }\n", "")
    );
    ws.cargo(&["build", "--locked"]).assert_code(0);
}

/// `--dry-run` prints the diff and writes nothing.
#[test]
fn dry_run_writes_nothing() {
    let ws = Fixture::case("basic");
    let before = ws.snapshot();
    let run = ws.facade(&["sync", "--dry-run"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("+++ b/facades/foo/self+bar+derive/src/lib.rs"),
        "{}",
        run.stdout
    );
    assert!(
        mask_facade_hashes(&run.stdout).contains(
            "+foo = { path = \"../facades/foo/self+bar+derive\", version = \"0.0.0\", package = \"foo-facade-[HASH]\" }"
        ),
        "{}",
        run.stdout
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// A file without the `@generated` header in a facade folder is never
/// overwritten; the run fails, names it, and changes nothing.
#[test]
fn hand_written_files_are_never_clobbered() {
    let ws = Fixture::case("basic");
    ws.write(
        "facades/foo/self+bar+derive/src/lib.rs",
        "// mine\npub fn precious() {}\n",
    );
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: refusing to overwrite `[ROOT]/facades/foo/self+bar+derive/src/lib.rs`: it was not generated by cargo-facade
 --> facades/foo/self+bar+derive/src/lib.rs:1:1
  |
1 | // mine
  | ^^^^^^^ no `@generated by cargo-facade` header
  |
  = note: cargo-facade only overwrites or deletes files that start with its `@generated` header
  = help: move the file out of the facade folder, or delete it if it is an old copy

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());

    // A hand-written extra file beside generated ones survives syncs.
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    ws.write("facades/foo/bar/NOTES.md", "keep me\n");
    ws.facade(&["sync"]).assert_code(0);
    assert_eq!(ws.read("facades/foo/bar/NOTES.md"), "keep me\n");
}

/// `cargo doc` shows each child as a module of the namespace, and the root's
/// items inline, without the doc-output collision two `foo` libraries cause.
#[test]
fn cargo_doc_shows_children_as_modules() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let doc = ws.cargo(&["doc", "--workspace", "--no-deps"]);
    doc.assert_code(0);
    assert!(!doc.stderr.contains("collision"), "{}", doc.stderr);
    let target = ws.target_dir().join("doc");
    let list = ws.facade(&["list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&list.stdout).expect("list JSON");
    let lib = |root: usize, facade: usize| {
        list["namespaces"][root]["facades"][facade]["lib"]
            .as_str()
            .expect("a facade library")
            .to_owned()
    };
    // `facades/foo/self+bar+derive`: the root and two children.
    let foo = lib(0, 1);
    let index = std::fs::read_to_string(target.join(&foo).join("index.html")).expect("facade docs");
    for expected in [
        "bar/index.html",
        "derive/index.html",
        "ROOT",
        "fn.twice.html",
    ] {
        assert!(
            index.contains(expected),
            "`{expected}` missing from the facade's docs"
        );
    }
    assert!(
        target.join(&foo).join("bar/struct.Baz.html").is_file(),
        "child items are documented under `bar`"
    );
    let util = std::fs::read_to_string(target.join(lib(1, 0)).join("index.html"))
        .expect("root-less facade docs");
    assert!(
        util.contains("text/index.html"),
        "the root-less facade documents `util::text`"
    );
}

/// `sync -p` writes only what the named members see: another member's
/// changed declaration waits for its own sync (its manifest and facades
/// untouched, `check -p` of it still stale); the named member's old facade,
/// which nobody else uses, goes. The result builds.
#[test]
fn package_flag_syncs_only_the_named_members() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let add_root = |rel: &str| {
        let text = ws.read(rel);
        ws.write(
            rel,
            &text.replace(
                "[package.metadata.facade.dependencies]\n",
                "[package.metadata.facade.dependencies]\nfoo = { path = \"../crates/foo\" }\n",
            ),
        );
    };
    add_root("tool/Cargo.toml");
    let app_before = ws.read("app/Cargo.toml");
    let tool_before = ws.read("tool/Cargo.toml");
    let app = ws.facade(&["sync", "-p", "basic-app"]);
    app.assert_code(0);
    // Summed up for the named member only.
    assert!(
        app.stderr
            .contains("Fresh 2 facades, 1 consumer (nothing to change)"),
        "{}",
        app.stderr
    );
    assert_eq!(ws.read("tool/Cargo.toml"), tool_before);
    assert_eq!(ws.read("app/Cargo.toml"), app_before);
    assert!(ws.path().join("facades/foo/bar/Cargo.toml").exists());
    assert!(!ws.path().join("facades/foo/self+bar").exists());
    ws.facade(&["check", "-p", "basic-tool"]).assert_code(1);
    ws.facade(&["check", "-p", "basic-app"]).assert_code(0);

    ws.facade(&["sync", "--package", "basic-tool"])
        .assert_code(0);
    assert_ne!(ws.read("tool/Cargo.toml"), tool_before);
    assert!(ws.path().join("facades/foo/self+bar/Cargo.toml").exists());
    assert!(!ws.path().join("facades/foo/bar").exists());
    ws.facade(&["check"]).assert_code(0);
    ws.cargo(&["build", "--workspace", "--offline"])
        .assert_code(0);

    let before = ws.snapshot();
    let unknown = ws.facade(&["sync", "-p", "nope"]);
    unknown.assert_code(2);
    assert_unchanged(&before, &ws.snapshot());
}
