//! Facades v2 (DESIGN.md, "What `sync` writes"): exact and zero cost.
//!
//! - Exact: a member reaches only the names it declared, also in a whole-
//!   workspace build where other members declare other children or turn on
//!   an optional child (no leak through Cargo's feature unification).
//! - Zero cost: an edit of a child re-checks that child, its declarers and
//!   the facades holding it; an edit of the root re-checks only members that
//!   declared the root. Counted from cargo's own JSON messages.
//! - Predictable: reordering declarations changes no facade; an upgrade from
//!   the first releases' one-facade-per-namespace layout is one `sync`.
//! - Children named like extern-prelude crates (`core`, `std`) work beside
//!   the root, and generated Rust passes `cargo fmt --check` whatever the
//!   workspace's `rustfmt.toml` says.

use std::collections::BTreeSet;

use crate::support::{Fixture, Run, assert_unchanged};

/// `shapes` (root), `shapes-square`, `shapes-circle` and members: `lib1`
/// declares `shapes::square`, `lib2` declares `shapes` and
/// `shapes::circle`, `app` declares `shapes::circle` and uses both libs.
fn shapes() -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"lib1\", \"lib2\", \"shapes/*\"]\nresolver = \"2\"\n",
    );
    libraries(
        &ws,
        &[
            ("shapes/shapes", "shapes", "pub const ROOT: u32 = 1;\n"),
            (
                "shapes/square",
                "shapes-square",
                "pub const SIDES: u32 = 4;\n",
            ),
            (
                "shapes/circle",
                "shapes-circle",
                "pub const SIDES: u32 = 0;\n",
            ),
        ],
    );
    member(
        &ws,
        "lib1",
        "\"shapes::square\" = { path = \"../shapes/square\" }\n",
        "",
        "lib.rs",
        "pub fn sides() -> u32 { shapes::square::SIDES }\n",
    );
    member(
        &ws,
        "lib2",
        "shapes = { path = \"../shapes/shapes\" }\n\"shapes::circle\" = { path = \"../shapes/circle\" }\n",
        "",
        "lib.rs",
        "pub fn sides() -> u32 { shapes::circle::SIDES + shapes::ROOT }\n",
    );
    member(
        &ws,
        "app",
        "\"shapes::circle\" = { path = \"../shapes/circle\" }\n",
        "lib1 = { path = \"../lib1\" }\n",
        "main.rs",
        "fn main() { println!(\"{}\", shapes::circle::SIDES + lib1::sides()); }\n",
    );
    ws
}

/// Library packages: (folder, package name, `src/lib.rs`).
fn libraries(ws: &Fixture, packages: &[(&str, &str, &str)]) {
    for (dir, name, body) in packages {
        ws.write(
            &format!("{dir}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        );
        ws.write(&format!("{dir}/src/lib.rs"), body);
    }
}

/// A member `name` with declarations `decls` and plain dependencies `deps`.
fn member(ws: &Fixture, name: &str, decls: &str, deps: &str, file: &str, source: &str) {
    ws.write(
        &format!("{name}/Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [package.metadata.facade.dependencies]\n{decls}\n[dependencies]\n{deps}"
        ),
    );
    ws.write(&format!("{name}/src/{file}"), source);
}

#[track_caller]
fn sync(ws: &Fixture) {
    ws.facade(&["sync"]).assert_code(0);
}

#[track_caller]
fn assert_compile_error(run: &Run, needle: &str) {
    assert_eq!(run.code, 101, "expected a failed build\n{}", run.stderr);
    assert!(
        run.stderr.contains(needle),
        "expected `{needle}` in\n{}",
        run.stderr
    );
}

/// A member that uses a child another member declares does not build, with
/// `-p` or in the whole workspace.
#[test]
fn undeclared_children_are_unreachable_in_a_workspace_build() {
    let ws = shapes();
    sync(&ws);
    ws.cargo(&["build", "--workspace"]).assert_code(0);
    assert_eq!(
        ws.cargo(&["run", "-q", "-p", "app"]).assert_code(0).stdout,
        "4\n"
    );

    // `lib1` declared only `shapes::square`; `app` and `lib2` declare
    // `shapes::circle`, and `lib2` the root.
    for (code, needle) in [
        (
            "shapes::circle::SIDES",
            "could not find `circle` in `shapes`",
        ),
        ("shapes::ROOT", "cannot find value `ROOT` in crate `shapes`"),
    ] {
        ws.write(
            "lib1/src/lib.rs",
            &format!("pub fn sides() -> u32 {{ shapes::square::SIDES + {code} }}\n"),
        );
        assert_compile_error(&ws.cargo(&["build", "--workspace"]), needle);
        assert_compile_error(&ws.cargo(&["build", "-p", "lib1"]), needle);
    }
}

/// An optional child that one member turns on stays closed to another
/// member that declares it identically but leaves its feature off.
#[test]
fn disabled_optional_children_are_unreachable_in_a_workspace_build() {
    let ws = shapes();
    for name in ["lib1", "lib2"] {
        ws.write(
            &format!("{name}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [package.metadata.facade.dependencies]\n\
                 \"shapes::square\" = {{ path = \"../shapes/square\" }}\n\
                 \"shapes::circle\" = {{ path = \"../shapes/circle\", optional = true }}\n\n\
                 [package.metadata.facade.features]\nround = [\"dep:shapes::circle\"]\n"
            ),
        );
    }
    ws.write(
        "lib1/src/lib.rs",
        "pub fn sides() -> u32 {\n    #[cfg(feature = \"round\")]\n    \
         return shapes::circle::SIDES;\n    #[cfg(not(feature = \"round\"))]\n    \
         shapes::square::SIDES\n}\n",
    );
    ws.write(
        "lib2/src/lib.rs",
        "pub fn sides() -> u32 { shapes::square::SIDES }\n",
    );
    // `app` turns `round` on in `lib1`.
    member(
        &ws,
        "app",
        "\"shapes::circle\" = { path = \"../shapes/circle\" }\n",
        "lib1 = { path = \"../lib1\", features = [\"round\"] }\nlib2 = { path = \"../lib2\" }\n",
        "main.rs",
        "fn main() { println!(\"{} {}\", lib1::sides(), lib2::sides()); }\n",
    );
    sync(&ws);
    assert_eq!(
        ws.cargo(&["run", "-q", "-p", "app"]).assert_code(0).stdout,
        "0 4\n"
    );
    // The same declarations, yet one facade each: `lib1`'s enabled feature
    // must not open `shapes::circle` to `lib2`.
    let list = ws.facade(&["list"]).assert_code(0).stdout.clone();
    assert!(
        list.contains(" for lib1\n") && list.contains(" for lib2\n"),
        "{list}"
    );
    ws.write(
        "lib2/src/lib.rs",
        "pub fn sides() -> u32 { shapes::circle::SIDES }\n",
    );
    assert_compile_error(
        &ws.cargo(&["build", "--workspace"]),
        "could not find `circle` in `shapes`",
    );
}

/// The packages cargo compiled (not fresh) in a `cargo check`, from its JSON
/// messages.
#[track_caller]
fn rechecked(ws: &Fixture) -> BTreeSet<String> {
    let run = ws.cargo(&["check", "--workspace", "--message-format=json"]);
    run.assert_code(0);
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["fresh"] == false)
        .filter_map(|m| {
            let name = m["target"]["name"].as_str()?;
            // Facade libraries are `<root>_facade_<hash>`.
            Some(
                name.split_once("_facade_")
                    .map_or(name.to_owned(), |(root, _)| format!("{root}_facade")),
            )
        })
        .collect()
}

/// Editing a child re-checks the child, its facades and their consumers;
/// editing the root re-checks only the members that declared the root.
#[test]
fn an_edit_rechecks_what_direct_dependencies_would() {
    let ws = shapes();
    sync(&ws);
    rechecked(&ws);
    assert!(rechecked(&ws).is_empty(), "a second check is fresh");

    let set = |names: &[&str]| {
        names
            .iter()
            .map(|n| (*n).to_owned())
            .collect::<BTreeSet<_>>()
    };
    ws.write(
        "shapes/square/src/lib.rs",
        "pub const SIDES: u32 = 4 * 1;\n",
    );
    // `lib1` declares square; `app` depends on `lib1`.
    assert_eq!(
        rechecked(&ws),
        set(&["shapes_square", "shapes_facade", "lib1", "app"])
    );

    ws.write("shapes/shapes/src/lib.rs", "pub const ROOT: u32 = 1 * 1;\n");
    // Only `lib2` declares the root; `lib1` and `app` are untouched.
    assert_eq!(rechecked(&ws), set(&["shapes", "shapes_facade", "lib2"]));
}

/// Reordering declarations changes no byte of any facade; consumers with
/// the same declarations share one facade.
#[test]
fn reordering_declarations_does_not_churn_facades() {
    let ws = shapes();
    sync(&ws);
    let manifest = ws.read("lib2/Cargo.toml");
    let reordered = manifest.replace(
        "shapes = { path = \"../shapes/shapes\" }\n\"shapes::circle\" = { path = \"../shapes/circle\" }\n",
        "\"shapes::circle\" = { path = \"../shapes/circle\" }\nshapes = { path = \"../shapes/shapes\" }\n",
    );
    assert_ne!(manifest, reordered);
    ws.write("lib2/Cargo.toml", &reordered);
    let after_edit = ws.snapshot();
    sync(&ws);
    assert_unchanged(&after_edit, &ws.snapshot());

    // A fourth member with `app`'s declarations shares `app`'s facade.
    member(
        &ws,
        "lib3",
        "\"shapes::circle\" = { path = \"../shapes/circle\" }\n",
        "",
        "lib.rs",
        "pub fn sides() -> u32 { shapes::circle::SIDES }\n",
    );
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"lib1\", \"lib2\", \"lib3\", \"shapes/*\"]\nresolver = \"2\"\n",
    );
    sync(&ws);
    let list = ws.facade(&["list"]).assert_code(0).stdout.clone();
    assert!(
        list.contains("facades/shapes/circle (") && list.contains(") for app, lib3\n"),
        "{list}"
    );
    ws.cargo(&["build", "--workspace"]).assert_code(0);
}

/// A workspace synced by the first releases (one `facades/<root>` per
/// namespace, package `<root>-facade`) moves to the new layout in one
/// `sync --upgrade` (a plain `sync` refuses an older format: see
/// `format_version::`).
#[test]
fn the_first_layout_is_upgraded_by_one_sync() {
    let ws = shapes();
    let header = "# @generated by cargo-facade. Do not edit: run `cargo facade sync` to update.\n";
    ws.write(
        "facades/shapes/Cargo.toml",
        &format!(
            "{header}[package]\nname = \"shapes-facade\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [lib]\nname = \"shapes_facade\"\n\n[dependencies]\n\
             shapes-circle = {{ package = \"shapes-circle\", path = \"../../shapes/circle\" }}\n"
        ),
    );
    ws.write(
        "facades/shapes/src/lib.rs",
        "// @generated by cargo-facade. Do not edit: run `cargo facade sync` to update.\n\
         #![no_std]\npub use ::shapes_circle as circle;\n",
    );
    let app = ws.read("app/Cargo.toml").replace(
        "[dependencies]\n",
        "[dependencies]\nshapes = { path = \"../facades/shapes\", package = \"shapes-facade\", features = [\"circle\"] }\n",
    );
    ws.write("app/Cargo.toml", &app);
    ws.facade(&["sync"]).assert_code(2);
    let run = ws.facade(&["sync", "--upgrade"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("Removing facade shapes (no longer declared)"),
        "{}",
        run.stderr
    );
    assert!(!ws.path().join("facades/shapes/Cargo.toml").exists());
    assert!(!ws.path().join("facades/shapes/src").exists());
    assert!(ws.path().join("facades/shapes/circle/Cargo.toml").is_file());
    assert!(
        !ws.read("app/Cargo.toml")
            .contains("package = \"shapes-facade\""),
        "the old managed entry is replaced"
    );
    ws.cargo(&["build", "--workspace"]).assert_code(0);
    ws.facade(&["check"]).assert_code(0);
}

/// Children named like crates of the extern prelude work beside the root:
/// no false "ambiguous" error from the facade's check.
#[test]
fn children_named_like_builtin_crates_work_beside_the_root() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"kit/*\"]\nresolver = \"2\"\n",
    );
    libraries(
        &ws,
        &[
            ("kit/kit", "kit", "pub const ROOT: &str = \"root\";\n"),
            (
                "kit/core",
                "kit-core",
                "pub const NAME: &str = \"kit::core\";\n",
            ),
            (
                "kit/std",
                "kit-std",
                "pub const NAME: &str = \"kit::std\";\n",
            ),
            (
                "kit/alloc",
                "kit-alloc",
                "pub const NAME: &str = \"kit::alloc\";\n",
            ),
        ],
    );
    member(
        &ws,
        "app",
        "kit = { path = \"../kit/kit\" }\n\"kit::core\" = { path = \"../kit/core\" }\n\
         \"kit::std\" = { path = \"../kit/std\" }\n\"kit::alloc\" = { path = \"../kit/alloc\" }\n",
        "",
        "main.rs",
        "fn main() {\n    let v: Vec<&str> = vec![kit::ROOT, kit::core::NAME, kit::std::NAME, \
         kit::alloc::NAME];\n    println!(\"{}\", v.join(\" \"));\n}\n",
    );
    sync(&ws);
    let build = ws.cargo(&["build", "-p", "app"]);
    build.assert_code(0);
    assert!(!build.stderr.contains("warning"), "{}", build.stderr);
    assert_eq!(
        ws.cargo(&["run", "-q", "-p", "app"]).assert_code(0).stdout,
        "root kit::core kit::std kit::alloc\n"
    );
}

/// Generated facades pass the workspace's own `cargo fmt --check`, whatever
/// its `rustfmt.toml` asks for.
#[test]
fn generated_rust_passes_the_workspaces_cargo_fmt() {
    let ws = shapes();
    ws.write(
        "rustfmt.toml",
        "hard_tabs = true\nmax_width = 40\nuse_small_heuristics = \"Max\"\nstyle_edition = \"2024\"\n",
    );
    // The members' own files are formatted for that config first.
    let fmt = ws.cargo(&["fmt", "--all"]);
    fmt.assert_code(0);
    sync(&ws);
    let check = ws.cargo(&["fmt", "--all", "--check"]);
    assert_eq!(
        check.code, 0,
        "cargo fmt --check failed on generated files\n{}{}",
        check.stdout, check.stderr
    );
    // And it did look at them: a facade written by hand badly is reported.
    let lib = "facades/shapes/square/src/lib.rs";
    let text = ws
        .read(lib)
        .replace("#![cfg_attr(rustfmt, rustfmt::skip)]\n", "");
    ws.write(lib, &text);
    assert_eq!(ws.cargo(&["fmt", "--all", "--check"]).code, 1);
}

/// A root-less namespace beside its real root in one graph: no facade
/// library is named like a crate of the build, so `cargo doc --workspace`
/// reports no output filename collision (cargo#6313) and documents both.
#[test]
fn a_rootless_facade_beside_its_real_root_documents_cleanly() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"ns/*\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "ns/ns/Cargo.toml",
        "[package]\nname = \"ns\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write(
        "ns/ns/src/lib.rs",
        "//! The real root.\npub const ROOT: u32 = 1;\n",
    );
    // The child depends on the real root, so `ns` is in the graph although
    // `app` declares only `ns::util`.
    ws.write(
        "ns/util/Cargo.toml",
        "[package]\nname = \"ns-util\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nns = { path = \"../ns\" }\n",
    );
    ws.write(
        "ns/util/src/lib.rs",
        "//! The child.\npub fn twice() -> u32 { 2 * ns::ROOT }\n",
    );
    member(
        &ws,
        "app",
        "\"ns::util\" = { path = \"../ns/util\" }\n",
        "",
        "lib.rs",
        "//! The app.\npub fn value() -> u32 { ns::util::twice() }\n",
    );
    sync(&ws);
    let doc = ws.cargo(&["doc", "--workspace", "--no-deps"]);
    doc.assert_code(0);
    assert!(!doc.stderr.contains("collision"), "{}", doc.stderr);
    let docs = ws.target_dir().join("doc");
    assert!(
        docs.join("ns/constant.ROOT.html").is_file(),
        "the real root"
    );
    assert!(docs.join("app/fn.value.html").is_file(), "the consumer");
}

/// When the user's own build fails inside a facade (a root item that
/// collides with a child appeared after the last `sync`), rustc's error
/// shows the line that names the RFC rule and `cargo facade check`, and
/// `check` then says which item.
#[test]
fn a_conflict_that_reaches_rustc_explains_itself() {
    let ws = shapes();
    sync(&ws);
    ws.cargo(&["build", "-p", "lib2"]).assert_code(0);
    // The root grows its own `circle` after the sync.
    ws.write(
        "shapes/shapes/src/lib.rs",
        "pub const ROOT: u32 = 1;\npub mod circle {}\n",
    );
    let build = ws.cargo(&["build", "-p", "lib2"]);
    assert_compile_error(&build, "error[E0659]: `circle` is ambiguous");
    assert!(
        build
            .stderr
            .contains("(RFC 3243): run `cargo facade check`"),
        "{}",
        build.stderr
    );
    let check = ws.facade(&["check"]);
    check.assert_code(2);
    assert!(
        check.stderr.contains("has its own `circle`"),
        "{}",
        check.stderr
    );
}

/// A facade whose children are all behind features that are off (a
/// dev-only child, in a normal build) compiles without a warning.
#[test]
fn a_facade_with_every_child_off_builds_without_warnings() {
    let ws = shapes();
    ws.write(
        "lib2/Cargo.toml",
        "[package]\nname = \"lib2\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\nshapes = { path = \"../shapes/shapes\" }\n\n\
         [package.metadata.facade.dev-dependencies]\n\
         \"shapes::circle\" = { path = \"../shapes/circle\" }\n",
    );
    ws.write(
        "lib2/src/lib.rs",
        "pub fn root() -> u32 { shapes::ROOT }\n\n\
         #[cfg(test)]\nmod tests {\n    #[test]\n    fn circle() {\n        \
         assert_eq!(shapes::circle::SIDES, 0);\n    }\n}\n",
    );
    sync(&ws);
    let build = ws.cargo(&["build", "-p", "lib2"]);
    build.assert_code(0);
    assert!(!build.stderr.contains("warning"), "{}", build.stderr);
    ws.cargo(&["test", "-p", "lib2"]).assert_code(0);
}
