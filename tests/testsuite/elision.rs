//! No avoidable facade (issue 19 item 3, format 5): a member that declares
//! a namespace's root and none of its children gets no facade; its managed
//! entry is the root crate itself, written as the declaration says (what
//! cargo will read once the `package.metadata.facade.` prefix is deleted).
//! The entry is still managed: `sync` keeps it as declared, adopts a bot's
//! bump or `cargo add`'s feature into the declaration, `eject` and
//! `package` treat it as the facade entry it replaces.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, MANAGED, assert_nothing_compiled, assert_unchanged};

/// `foo` (features `x`, `y`), its child `foo-bar`, `app` declaring the root
/// alone (in two tables, with features) and `both` declaring the root and
/// the child.
fn family() -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"foo\", \"foo-bar\", \"app\", \"both\", \"facades/*/*\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"1.3.0\"\nedition = \"2021\"\n\n[features]\nx = []\ny = []\n",
    );
    ws.write(
        "foo/src/lib.rs",
        "pub fn root() -> u8 {\n    1\n}\n\n#[cfg(feature = \"x\")]\npub fn x() -> u8 {\n    2\n}\n\n#[cfg(feature = \"y\")]\npub fn y() -> u8 {\n    3\n}\n",
    );
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    ws.write("foo-bar/src/lib.rs", "pub fn bar() -> u8 {\n    4\n}\n");
    ws.write(
        "app/Cargo.toml",
        r#"[package]
name = "app"
version = "0.1.0"
edition = "2021"

[package.metadata.facade.dependencies]
foo = { path = "../foo", version = "1.2", features = ["x"] } # the root alone

[package.metadata.facade.dev-dependencies]
foo = { path = "../foo", version = "1.2", default-features = false }

[package.metadata.facade.features]
why = ["foo/y"]
"#,
    );
    ws.write(
        "app/src/lib.rs",
        "pub fn sum() -> u8 {\n    foo::root() + foo::x()\n}\n\n#[cfg(feature = \"why\")]\npub fn why() -> u8 {\n    foo::y()\n}\n",
    );
    ws.write(
        "both/Cargo.toml",
        r#"[package]
name = "both"
version = "0.1.0"
edition = "2021"

[package.metadata.facade.dependencies]
foo = { path = "../foo", version = "1.2" }
"foo::bar" = { path = "../foo-bar" }
"#,
    );
    ws.write(
        "both/src/lib.rs",
        "pub fn sum() -> u8 {\n    foo::root() + foo::bar::bar()\n}\n",
    );
    ws
}

/// The root-only member depends on the root crate: no facade for it, the
/// entry says what the declaration says, features keep the root's own
/// names, the workspace builds, a second `sync` writes nothing, and `list`
/// says so.
#[test]
fn a_member_that_declares_the_root_alone_depends_on_the_root_itself() {
    let ws = family();
    ws.facade(&["sync"]).assert_code(0);
    assert_data_eq!(
        ws.read("app/Cargo.toml"),
        format!(
            r#"[package]
name = "app"
version = "0.1.0"
edition = "2021"

[package.metadata.facade.dependencies]
foo = {{ path = "../foo", version = "1.2", features = ["x"] }} # the root alone

[package.metadata.facade.dev-dependencies]
foo = {{ path = "../foo", version = "1.2", default-features = false }}

[package.metadata.facade.features]
why = ["foo/y"]

[dependencies]
foo = {{ version = "1.2", path = "../foo", features = ["x"] }}{MANAGED}

[dev-dependencies]
foo = {{ version = "1.2", path = "../foo", default-features = false }}{MANAGED}

[features]
why = ["foo/y"]{MANAGED}
"#
        )
    );
    // One facade, for the member that declares a child.
    let mut facades: Vec<String> = std::fs::read_dir(ws.path().join("facades/foo"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    facades.sort();
    assert_eq!(facades, ["self+bar"]);
    assert!(
        ws.read("both/Cargo.toml")
            .contains("package = \"foo-facade-")
    );

    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);
    ws.cargo(&["test", "-p", "app", "--features", "why", "-q"])
        .assert_code(0);
    // Only `both`'s facade is built and locked.
    let lock = ws.read("Cargo.lock");
    assert_eq!(lock.matches("name = \"foo-facade-").count(), 1, "{lock}");

    let before = ws.snapshot();
    let again = ws.facade(&["sync"]);
    again.assert_code(0);
    assert_unchanged(&before, &ws.snapshot());
    ws.facade(&["check"]).assert_code(0);

    let list = ws.facade(&["list"]);
    list.assert_code(0);
    assert!(
        list.stdout
            .ends_with("└── no facade for app: the entry is the root crate itself\n"),
        "{}",
        list.stdout
    );
    let json = ws.facade(&["list", "--format", "json"]);
    assert!(
        json.stdout
            .contains("\"root-entry-consumers\": [\n        \"app\"\n      ]"),
        "{}",
        json.stdout
    );

    // Exact as before: the root does not present the child it was not
    // declared with.
    ws.write(
        "app/src/lib.rs",
        "pub fn sum() -> u8 {\n    foo::bar::bar()\n}\n",
    );
    let build = ws.cargo(&["build", "-p", "app", "-q"]);
    build.assert_code(101);
    assert!(build.stderr.contains("`bar`"), "{}", build.stderr);
}

/// The entry is managed although it names no facade: a hand edit of it is
/// put back, a raised requirement (a bot's bump) and a feature `cargo add`
/// wrote are moved into the declaration, and a member that starts declaring
/// a child gets its facade in the entry's place.
#[test]
fn the_root_entry_stays_managed() {
    let ws = family();
    ws.facade(&["sync", "-q"]).assert_code(0);
    let synced = ws.read("app/Cargo.toml");

    // A hand edit that is not an adoption (a path changed) is reverted.
    ws.write(
        "app/Cargo.toml",
        &synced.replace(
            "foo = { version = \"1.2\", path = \"../foo\", features",
            "foo = { version = \"1.2\", path = \"../foo/\", features",
        ),
    );
    ws.facade(&["check"]).assert_code(1);
    ws.facade(&["sync", "-q"]).assert_code(0);
    assert_eq!(ws.read("app/Cargo.toml"), synced);

    // A bot raises the requirement in the entry; `cargo add` adds a feature.
    ws.write(
        "app/Cargo.toml",
        &synced.replace(
            "foo = { version = \"1.2\", path = \"../foo\", features = [\"x\"] }",
            "foo = { version = \"1.3\", path = \"../foo\", features = [\"x\"] }",
        ),
    );
    ws.cargo(&["add", "-p", "app", "foo", "-F", "y", "--offline", "-q"])
        .assert_code(0);
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check.stderr.contains("feature `y` of `foo`") && check.stderr.contains("foo 1.2 → 1.3"),
        "{}",
        check.stderr
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    let app = ws.read("app/Cargo.toml");
    assert!(
        app.contains(
            "foo = { path = \"../foo\", version = \"1.3\", features = [\"x\", \"y\"] } # the root alone\n"
        ),
        "{app}"
    );
    assert!(
        app.contains(&format!(
            "foo = {{ version = \"1.3\", path = \"../foo\", features = [\"x\", \"y\"] }}{MANAGED}\n"
        )),
        "{app}"
    );
    ws.facade(&["check"]).assert_code(0);
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);

    // Declaring a child: the member now needs a facade, which takes the
    // entry's place.
    ws.write(
        "app/Cargo.toml",
        &app.replace(
            " # the root alone\n",
            " # the root alone\n\"foo::bar\" = { path = \"../foo-bar\" }\n",
        ),
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    let app = ws.read("app/Cargo.toml");
    assert!(
        app.contains("[dependencies]\nfoo = { path = \"../facades/foo/self+bar\""),
        "{app}"
    );
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);
}

/// `eject` puts the declarations back in the real tables in place of the
/// entries, as it does for a facade's entries.
#[test]
fn eject_puts_the_root_declaration_in_the_entrys_place() {
    let ws = family();
    ws.facade(&["sync", "-q"]).assert_code(0);
    ws.facade(&["eject", "-q"]).assert_code(0);
    let app = ws.read("app/Cargo.toml");
    assert_data_eq!(
        app,
        str![[r#"
[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
foo = { path = "../foo", version = "1.2", features = ["x"] } # the root alone

[dev-dependencies]
foo = { path = "../foo", version = "1.2", default-features = false }

[features]
why = ["foo/y"]

"#]]
    );
    assert!(
        ws.read("both/Cargo.toml")
            .contains("[dependencies]\nfoo = { path = \"../foo\", version = \"1.2\" }\n\"foo::bar\" = { package = \"foo-bar\", path = \"../foo-bar\" }\n"),
        "{}",
        ws.read("both/Cargo.toml")
    );
    assert!(!ws.path().join("facades").exists());
}

/// A format-4 tree, where the root-only member had a facade that only
/// re-exported the root: stale for `check`, refused by a plain `sync`, and
/// `sync --upgrade` points the entry at the root and removes that facade.
#[test]
fn the_upgrade_from_format_4_removes_the_root_only_facade() {
    let ws = family();
    ws.facade(&["sync", "-q"]).assert_code(0);
    let synced = ws.snapshot();
    let header = "# @generated by cargo-facade. Do not edit: run `cargo facade sync` to update.\n";
    ws.write(
        "facades/foo/self/Cargo.toml",
        &format!(
            "{header}\n[package]\nname = \"foo-facade-0123abcd\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[package.metadata.cargo-facade]\nformat = 4\n\n\
             [lib]\nname = \"foo_facade_0123abcd\"\npath = \"src/lib.rs\"\n\n\
             [dependencies]\nfoo = {{ package = \"foo\", path = \"../../../foo\" }}\n\n\
             [features]\nself = []\n\"self.x\" = [\"foo/x\"]\n\"self.y\" = [\"foo/y\"]\n"
        ),
    );
    ws.write(
        "facades/foo/self/src/lib.rs",
        &format!(
            "{}#![no_std]\npub use ::foo::*;\n",
            header.replace('#', "//")
        ),
    );
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &app.replace(
            "foo = { version = \"1.2\", path = \"../foo\", features = [\"x\"] }",
            "foo = { path = \"../facades/foo/self\", version = \"0.0.0\", package = \"foo-facade-0123abcd\", features = [\"self.x\"] }",
        )
        .replace(
            "foo = { version = \"1.2\", path = \"../foo\", default-features = false }",
            "foo = { path = \"../facades/foo/self\", version = \"0.0.0\", package = \"foo-facade-0123abcd\" }",
        )
        .replace("why = [\"foo/y\"] #", "why = [\"foo/self.y\"] #"),
    );
    let self_bar = ws.read("facades/foo/self+bar/Cargo.toml");
    ws.write(
        "facades/foo/self+bar/Cargo.toml",
        &self_bar.replace("\nformat = 5\n", "\nformat = 4\n"),
    );
    ws.cargo(&["build", "--workspace", "-q"]).assert_code(0);

    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check
            .stderr
            .contains("(format 4); this one writes format 5")
            && check
                .stderr
                .contains("depends on the root crate itself, and that facade is removed"),
        "{}",
        check.stderr
    );
    ws.facade(&["sync"]).assert_code(2);
    assert_unchanged(&before, &ws.snapshot());

    ws.facade(&["sync", "--upgrade", "-q"]).assert_code(0);
    assert!(!ws.path().join("facades/foo/self").exists());
    for (path, (bytes, _)) in &synced {
        if path.starts_with("target") || path.ends_with("Cargo.lock") {
            continue;
        }
        let now = std::fs::read(ws.path().join(path)).unwrap();
        assert!(
            now == *bytes,
            "`{}` differs after the upgrade",
            path.display()
        );
    }
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);
    ws.facade(&["check"]).assert_code(0);
}

/// A root that re-exports its children (`pub use foo_bar as bar;`, as icu
/// and futures do) presents them itself: a member that declares the root
/// and such children, asking nothing of them that the root's own edges do
/// not already turn on, gets the root as its entry and no facade. A member
/// that asks the child for another feature, names the child in its
/// `[features]`, or declares a child the root re-exports only under a
/// feature that is off, keeps its facade. A fresh clone's `check` decides
/// the same from the recorded verdict, compiling nothing.
#[test]
fn a_root_that_reexports_its_children_needs_no_facade() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"foo\", \"foo-bar\", \"foo-baz\", \"plain\", \"extra\", \"named\", \"gated\", \"facades/*/*\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"1\", default-features = false }\n\
         foo-baz = { path = \"../foo-baz\", version = \"1\", optional = true }\n\n\
         [features]\ndefault = [\"std\"]\nstd = [\"foo-bar/std\"]\nbaz = [\"dep:foo-baz\"]\n",
    );
    ws.write(
        "foo/src/lib.rs",
        "pub use foo_bar as bar;\n\n#[cfg(feature = \"baz\")]\npub use foo_baz as baz;\n\npub fn root() -> u8 {\n    1\n}\n",
    );
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n\
         [features]\ndefault = [\"std\"]\nstd = []\nextra = []\n",
    );
    ws.write(
        "foo-bar/src/lib.rs",
        "#[cfg(feature = \"std\")]\npub fn bar() -> u8 {\n    2\n}\n\n#[cfg(feature = \"extra\")]\npub fn extra() -> u8 {\n    3\n}\n",
    );
    ws.write(
        "foo-baz/Cargo.toml",
        "[package]\nname = \"foo-baz\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    ws.write("foo-baz/src/lib.rs", "pub fn baz() -> u8 {\n    4\n}\n");
    let member = |name: &str, decls: &str, body: &str| {
        ws.write(
            &format!("{name}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [package.metadata.facade.dependencies]\nfoo = {{ path = \"../foo\" }}\n{decls}"
            ),
        );
        ws.write(
            &format!("{name}/src/lib.rs"),
            &format!("pub fn f() -> u8 {{\n    {body}\n}}\n"),
        );
    };
    // The child as the root's default features build it.
    member(
        "plain",
        "\"foo::bar\" = { path = \"../foo-bar\" }\n",
        "foo::root() + foo::bar::bar()",
    );
    // A feature of the child that the root does not turn on.
    member(
        "extra",
        "\"foo::bar\" = { path = \"../foo-bar\", features = [\"extra\"] }\n",
        "foo::bar::extra()",
    );
    // A feature of the member naming the child.
    member(
        "named",
        "\"foo::bar\" = { path = \"../foo-bar\", optional = true }\n\n\
         [package.metadata.facade.features]\nbar = [\"dep:foo::bar\"]\n",
        "foo::root()",
    );
    // Re-exported only under the root's feature `baz`, which is off.
    member(
        "gated",
        "\"foo::baz\" = { path = \"../foo-baz\" }\n",
        "foo::baz::baz()",
    );
    ws.facade(&["sync", "-q"]).assert_code(0);

    let plain = ws.read("plain/Cargo.toml");
    assert!(
        plain.contains(&format!(
            "[dependencies]\nfoo = {{ path = \"../foo\" }}{MANAGED}\n"
        )),
        "{plain}"
    );
    for name in ["extra", "named", "gated"] {
        let manifest = ws.read(&format!("{name}/Cargo.toml"));
        assert!(
            manifest.contains("package = \"foo-facade-"),
            "{name} keeps its facade:\n{manifest}"
        );
    }
    let record = ws.read("facades/verdicts.toml");
    assert!(
        record.contains(
            "[verdict.reexported]\n\"foo::bar\" = [\n    \"default\",\n    \"std\",\n]\n"
        ),
        "{record}"
    );
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);
    let lock = ws.read("Cargo.lock");
    assert_eq!(lock.matches("name = \"foo-facade-").count(), 3, "{lock}");

    // A fresh clone: no probe cache, the record decides, nothing compiles.
    std::fs::remove_dir_all(ws.target_dir().join("cargo-facade")).ok();
    std::fs::remove_dir_all(ws.path().join("target")).ok();
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(0);
    assert_nothing_compiled(&check);
    assert_unchanged(&before, &ws.snapshot());
    let list = ws.facade(&["list"]);
    assert!(
        list.stdout
            .contains("└── no facade for plain: the entry is the root crate itself\n"),
        "{}",
        list.stdout
    );

    // The root stops re-exporting the child: `plain` gets its facade back.
    ws.write(
        "foo/src/lib.rs",
        "#[cfg(feature = \"baz\")]\npub use foo_baz as baz;\n\npub fn root() -> u8 {\n    1\n}\n",
    );
    ws.facade(&["check"]).assert_code(1);
    ws.facade(&["sync", "-q"]).assert_code(0);
    assert!(
        ws.read("plain/Cargo.toml")
            .contains("package = \"foo-facade-")
    );
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);
}

/// What may change after `sync` keeps the facade: a re-export behind a
/// negated feature (another member's feature could remove it) or a
/// platform cfg (the record travels to other machines). A member whose
/// `foo::bar` is another package than the one the root re-exports is a
/// conflict, also when another member's `foo::bar` is probed first.
#[test]
fn elision_never_rests_on_what_may_change() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"foo\", \"foo-bar\", \"fork\", \"a\", \"b\", \"facades/*/*\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"1\" }\n\n[features]\nx = []\n",
    );
    ws.write(
        "foo/src/lib.rs",
        "pub use foo_bar as bar;\n\n#[cfg(not(feature = \"x\"))]\npub use foo_bar as negated;\n\n\
         #[cfg(unix)]\npub use foo_bar as unix;\n\npub fn root() -> u8 {\n    1\n}\n",
    );
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    ws.write("foo-bar/src/lib.rs", "pub fn bar() -> u8 {\n    2\n}\n");
    ws.write(
        "fork/Cargo.toml",
        "[package]\nname = \"foo-bar-fork\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    ws.write("fork/src/lib.rs", "pub fn forked() -> u8 {\n    3\n}\n");
    // `a` is first: its `foo::bar` is the one the probe judges.
    ws.write(
        "a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\nfoo = { path = \"../foo\" }\n\
         \"foo::bar\" = { path = \"../foo-bar\" }\n\"foo::negated\" = { path = \"../foo-bar\", package = \"foo-bar\" }\n",
    );
    ws.write(
        "a/src/lib.rs",
        "pub fn f() -> u8 {\n    foo::bar::bar()\n}\n",
    );
    ws.write(
        "b/Cargo.toml",
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\nfoo = { path = \"../foo\" }\n\
         \"foo::bar\" = { path = \"../fork\" }\n",
    );
    ws.write("b/src/lib.rs", "pub fn f() -> u8 {\n    1\n}\n");
    let sync = ws.facade(&["sync", "-q"]);
    // `a` declares two names of one package: refused, nothing written.
    sync.assert_code(2);
    assert!(
        sync.stderr.contains("are the same package `foo-bar`"),
        "{}",
        sync.stderr
    );

    // One name each instead.
    ws.write(
        "a/Cargo.toml",
        &ws.read("a/Cargo.toml")
            .replace("\"foo::bar\" = { path = \"../foo-bar\" }\n", ""),
    );
    ws.write(
        "a/src/lib.rs",
        "pub fn f() -> u8 {\n    foo::negated::bar()\n}\n",
    );
    ws.write(
        "b/Cargo.toml",
        &format!(
            "{}\"foo::unix\" = {{ path = \"../foo-bar\", package = \"foo-bar\" }}\n",
            ws.read("b/Cargo.toml")
        )
        .replace(
            "\"foo::bar\" = { path = \"../fork\" }\n",
            "\"foo::bar\" = { path = \"../fork\", package = \"foo-bar-fork\" }\n",
        ),
    );
    // `b`'s `foo::bar` is not the crate the root re-exports as `bar`: a
    // conflict, found although `a` is probed first (it was a facade that
    // failed to compile).
    let before = ws.snapshot();
    let sync = ws.facade(&["sync", "-q"]);
    sync.assert_code(2);
    assert!(
        sync.stderr
            .contains("which would hide the child `foo::bar`")
            && sync.stderr.contains(" ::: b/Cargo.toml:8:1"),
        "{}",
        sync.stderr
    );
    assert_unchanged(&before, &ws.snapshot());

    ws.write(
        "b/Cargo.toml",
        &ws.read("b/Cargo.toml").replace(
            "\"foo::bar\" = { path = \"../fork\"",
            "\"foo::fork\" = { path = \"../fork\"",
        ),
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    for member in ["a", "b"] {
        let manifest = ws.read(&format!("{member}/Cargo.toml"));
        assert!(
            manifest.contains("package = \"foo-facade-"),
            "{member} keeps its facade:\n{manifest}"
        );
    }
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);
    ws.facade(&["check"]).assert_code(0);
}

/// A child feature the root turns on for one platform only (a
/// `[target.'cfg(unix)'.dependencies]` edge) is off on every other one:
/// a member asking for it reaches the child through its facade, even on
/// the platform where the root would have sufficed.
#[test]
fn a_feature_the_root_turns_on_for_one_platform_keeps_the_facade() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"foo\", \"foo-bar\", \"app\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"1\" }\n\n\
         [target.'cfg(unix)'.dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"1\", features = [\"extra\"] }\n",
    );
    ws.write(
        "foo/src/lib.rs",
        "pub use foo_bar as bar;\n\npub fn root() -> u8 {\n    1\n}\n",
    );
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[features]\nextra = []\n",
    );
    ws.write(
        "foo-bar/src/lib.rs",
        "pub fn bar() -> u8 {\n    2\n}\n\n#[cfg(feature = \"extra\")]\npub fn extra() -> u8 {\n    3\n}\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\nfoo = { path = \"../foo\" }\n\
         \"foo::bar\" = { path = \"../foo-bar\", features = [\"extra\"] }\n",
    );
    ws.write(
        "app/src/lib.rs",
        "pub fn f() -> u8 {\n    foo::root() + foo::bar::extra()\n}\n",
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    let manifest = ws.read("app/Cargo.toml");
    assert!(
        manifest.contains("package = \"foo-facade-"),
        "app keeps its facade:\n{manifest}"
    );
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);
    ws.facade(&["check"]).assert_code(0);
}

/// The root entry rewritten by hand as a `[dependencies.foo]` table (which
/// cannot carry the marking comment), the same dependency as the
/// declaration: an outside edit like any other, which `check` calls stale
/// and `sync` reverts (DESIGN: anything not adopted is reverted), never
/// "declared twice" or "depends on `foo` directly".
#[test]
fn a_root_entry_rewritten_as_a_table_is_written_back() {
    let ws = family();
    ws.facade(&["sync", "-q"]).assert_code(0);
    let synced = ws.read("app/Cargo.toml");
    let entry = synced
        .lines()
        .find(|l| l.starts_with("foo = ") && l.contains(MANAGED))
        .expect("app's root entry")
        .to_owned();
    let table = "[dependencies.foo]\nversion = \"1.2\"\npath = \"../foo\"\nfeatures = [\"x\"]\n";
    ws.write(
        "app/Cargo.toml",
        &synced.replacen(&format!("[dependencies]\n{entry}\n"), table, 1),
    );
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check.stderr.contains("out of date: manifest of `app`")
            && !check.stderr.contains("declared twice")
            && !check.stderr.contains("depends on `foo` directly"),
        "{}",
        check.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
    ws.facade(&["sync", "-q"]).assert_code(0);
    assert_eq!(ws.read("app/Cargo.toml"), synced);
    ws.facade(&["check"]).assert_code(0);
    ws.cargo(&["build", "--workspace", "--locked", "-q"])
        .assert_code(0);

    // `eject` puts the declaration in the table's place, as it does in the
    // managed entry's.
    ws.write(
        "app/Cargo.toml",
        &synced.replacen(&format!("[dependencies]\n{entry}\n"), table, 1),
    );
    ws.facade(&["eject", "-q"]).assert_code(0);
    let ejected = ws.read("app/Cargo.toml");
    assert!(
        ejected.contains(
            "[dependencies]\nfoo = { path = \"../foo\", version = \"1.2\", features = [\"x\"] }"
        ) && !ejected.contains("[dependencies.foo]"),
        "{ejected}"
    );
}

/// The same through a crate further down: the root depends on `z` only on
/// Windows, and `z` turns on `foo-bar/extra`. The resolve merges every
/// platform, so `extra` looked on; the member that asks for it keeps its
/// facade, and `cargo build -p app` (no `z` here) builds.
#[test]
fn a_feature_turned_on_below_a_per_platform_edge_keeps_the_facade() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"foo\", \"foo-bar\", \"z\", \"app\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"1\" }\n\n\
         [target.'cfg(windows)'.dependencies]\nz = { path = \"../z\" }\n",
    );
    ws.write(
        "foo/src/lib.rs",
        "pub use foo_bar as bar;\n\npub fn root() -> u8 {\n    1\n}\n",
    );
    ws.write(
        "z/Cargo.toml",
        "[package]\nname = \"z\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-bar = { path = \"../foo-bar\", features = [\"extra\"] }\n",
    );
    ws.write("z/src/lib.rs", "");
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[features]\nextra = []\n",
    );
    ws.write(
        "foo-bar/src/lib.rs",
        "#[cfg(feature = \"extra\")]\npub fn extra() -> u8 {\n    3\n}\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\nfoo = { path = \"../foo\" }\n\
         \"foo::bar\" = { path = \"../foo-bar\", features = [\"extra\"] }\n",
    );
    ws.write(
        "app/src/lib.rs",
        "pub fn f() -> u8 {\n    foo::root() + foo::bar::extra()\n}\n",
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    let manifest = ws.read("app/Cargo.toml");
    assert!(
        manifest.contains("package = \"foo-facade-"),
        "app keeps its facade:\n{manifest}"
    );
    ws.cargo(&["build", "-p", "app", "--locked", "-q"])
        .assert_code(0);
}

/// Only a table can lose the mark by being retyped: an inline entry
/// without it, or one inheriting with `workspace = true` (from
/// `[workspace.dependencies]`, not from the declarations' table), is the
/// user's own and still refused, never overwritten.
#[test]
fn an_unmarked_inline_or_inherited_root_entry_is_still_the_users() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"foo\", \"app\"]\nresolver = \"2\"\n\n\
         [workspace.dependencies]\nfoo = { path = \"foo\", version = \"1\", features = [\"x\"] }\n\n\
         [workspace.metadata.facade.dependencies]\nfoo = { path = \"foo\", version = \"1\" }\n",
    );
    ws.write(
        "foo/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[features]\nx = []\n",
    );
    ws.write("foo/src/lib.rs", "pub fn f() -> u8 {\n    1\n}\n");
    ws.write("app/src/lib.rs", "pub fn g() -> u8 {\n    foo::f()\n}\n");
    for real in [
        "foo = { workspace = true }",
        "foo = { path = \"../foo\", version = \"1\" } # my own",
    ] {
        let declared = if real.contains("workspace") {
            "foo = { workspace = true }"
        } else {
            "foo = { path = \"../foo\", version = \"1\" }"
        };
        ws.write(
            "app/Cargo.toml",
            &format!(
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [dependencies]\n{real}\n\n[package.metadata.facade.dependencies]\n{declared}\n"
            ),
        );
        let before = ws.snapshot();
        for command in ["check", "sync"] {
            let out = ws.facade(&[command]);
            out.assert_code(2);
            assert!(
                out.stderr.contains("`foo` is declared twice"),
                "{real}, {command}:\n{}",
                out.stderr
            );
            assert_unchanged(&before, &ws.snapshot());
        }
    }
}
