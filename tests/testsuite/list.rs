//! `cargo facade list`.

use snapbox::{assert_data_eq, str};

use crate::support::Fixture;

#[test]
fn human_tree() {
    let ws = Fixture::case("basic");
    let run = ws.facade(&["list"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stdout,
        str![[r#"
foo
├── foo (root) = foo (path crates/foo)
│   declared by basic-app
├── foo::bar = foo-bar (path crates/foo-bar)
│   declared by basic-app, basic-tool
├── foo::derive = foo-derive (path crates/foo-derive)
│   declared by basic-app
├── facade facades/foo/bar (foo-facade-9e6d1989) for basic-tool
└── facade facades/foo/self+bar+derive (foo-facade-22da0a60) for basic-app
util
├── util::text = util-text (path crates/util-text)
│   declared by basic-app
└── facade facades/util/text (util-facade-6fe967d9) for basic-app

"#]]
    );
}

#[test]
fn json() {
    let ws = Fixture::case("basic");
    let run = ws.facade(&["list", "--format", "json"]);
    run.assert_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(value["version"], 2);
    let foo = &value["namespaces"][0];
    assert_eq!(foo["root"], "foo");
    // Two facades: each consumer sees exactly what it declared.
    let facades = foo["facades"].as_array().unwrap();
    assert_eq!(facades.len(), 2);
    assert_eq!(facades[0]["path"], "facades/foo/bar");
    assert_eq!(facades[0]["consumers"], serde_json::json!(["basic-tool"]));
    assert_eq!(facades[0]["names"], serde_json::json!(["foo::bar"]));
    assert_eq!(facades[1]["path"], "facades/foo/self+bar+derive");
    assert_eq!(facades[1]["consumers"], serde_json::json!(["basic-app"]));
    let package = facades[1]["package"].as_str().unwrap();
    assert!(
        package.starts_with("foo-facade-") && facades[1]["lib"] == package.replace('-', "_"),
        "{package}"
    );
    let names: Vec<&str> = foo["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["foo", "foo::bar", "foo::derive"]);
    let bar = &foo["names"][1];
    assert_eq!(bar["consumers"].as_array().unwrap().len(), 2);
    assert_eq!(bar["source"]["path"], "crates/foo-bar");
    // No library shares a name with a crate of the build (cargo#6313).
    assert_ne!(value["namespaces"][1]["facades"][0]["lib"], "util");
}

#[test]
fn package_flag_lists_only_the_named_members() {
    let ws = Fixture::case("basic");
    let run = ws.facade(&["list", "-p", "basic-tool"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stdout,
        str![[r#"
foo
├── foo::bar = foo-bar (path crates/foo-bar)
│   declared by basic-tool
└── facade facades/foo/bar (foo-facade-9e6d1989) for basic-tool

"#]]
    );
    // Repeatable, as cargo's `-p`; JSON follows the same selection.
    let run = ws.facade(&[
        "list",
        "--format",
        "json",
        "-p",
        "basic-tool",
        "--package",
        "basic-app",
    ]);
    run.assert_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(value["namespaces"].as_array().unwrap().len(), 2);
    let before = ws.snapshot();
    let run = ws.facade(&["list", "-p", "basic-tol"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("package ID specification `basic-tol` did not match any packages"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("basic-tool"), "{}", run.stderr);
    assert_eq!(ws.snapshot(), before);
}
