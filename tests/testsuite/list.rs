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
foo (facade foo-facade in facades/foo)
├── foo (root) = foo (path crates/foo)
│   declared by basic-app
├── foo::bar = foo-bar (path crates/foo-bar)
│   declared by basic-app, basic-tool
└── foo::derive = foo-derive (path crates/foo-derive)
    declared by basic-app
util (facade util-facade in facades/util)
└── util::text = util-text (path crates/util-text)
    declared by basic-app

"#]]
    );
}

#[test]
fn json() {
    let ws = Fixture::case("basic");
    let run = ws.facade(&["list", "--format", "json"]);
    run.assert_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(value["version"], 1);
    let foo = &value["namespaces"][0];
    assert_eq!(foo["root"], "foo");
    assert_eq!(foo["facade"]["package"], "foo-facade");
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
    assert_eq!(value["namespaces"][1]["facade"]["lib"], "util");
}
