//! Outside edits (issue 21): what a bot, `cargo add` or a person wrote into
//! generated files or managed entries is adopted into the declarations, not
//! silently reverted. The "registry" is a vendored directory source holding
//! two versions of each crate, so the suite stays offline and cargo really
//! resolves the bumped requirement.

use crate::support::{Fixture, assert_unchanged};

/// A workspace whose crates-io source is `vendor/`: `foo` and `foo-bar` at
/// 1.0.0 and 2.0.0 (whose `major()` says which), and a
/// member `app` with `manifest` as its declarations.
fn vendored(root_manifest_extra: &str, declarations: &str) -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
    );
    for name in ["foo", "foo-bar"] {
        for major in [1, 2] {
            let dir = format!("vendor/{name}-{major}.0.0");
            ws.write(
                &format!("{dir}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{name}\"\nversion = \"{major}.0.0\"\nedition = \"2021\"\n\
                     repository = \"https://example.org/foo\"\n\n[features]\nextra = []\n"
                ),
            );
            ws.write(
                &format!("{dir}/src/lib.rs"),
                &format!("pub fn major() -> u8 {{ {major} }}\n"),
            );
            ws.write(
                &format!("{dir}/.cargo-checksum.json"),
                "{\"files\":{},\"package\":null}\n",
            );
        }
    }
    ws.write(
        "Cargo.toml",
        &format!("[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n{root_manifest_extra}"),
    );
    ws.write(
        "app/Cargo.toml",
        &format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [package.metadata.facade.dependencies]\n{declarations}"
        ),
    );
    ws.write(
        "app/src/main.rs",
        "fn main() { println!(\"{} {}\", foo::major(), foo::bar::major()); }\n",
    );
    ws
}

/// The one facade manifest of the fixture.
fn facade_manifest(ws: &Fixture) -> String {
    let dir = ws.path().join("facades/foo");
    let label = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    format!("facades/foo/{}/Cargo.toml", label.to_string_lossy())
}

/// A bot raises `foo-bar` in the facade manifest: `check` names the
/// adoption (exit 1), `sync` moves the requirement into the declaration
/// (one value edited, nothing else), cargo resolves 2.0.0, and the tree
/// is then fresh.
#[test]
fn a_bumped_facade_requirement_is_adopted_into_the_declaration() {
    let ws = vendored(
        "",
        "foo = \"1.0.0\"\n\"foo::bar\" = { version = \"1.0.0\", package = \"foo-bar\" } # the child\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "1 1\n");
    let manifest = facade_manifest(&ws);
    let text = ws.read(&manifest);
    let bumped = text.replace(
        "foo-bar = { package = \"foo-bar\", version = \"1.0.0\" }",
        "foo-bar = { package = \"foo-bar\", version = \"2.0.0\" }",
    );
    assert_ne!(text, bumped, "{text}");
    ws.write(&manifest, &bumped);

    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check.stderr.contains(&format!(
            "note: {manifest}: foo-bar 1.0.0 → 2.0.0 will be adopted by `cargo facade sync` (into app/Cargo.toml)"
        )),
        "{}",
        check.stderr
    );

    let sync = ws.facade(&["sync"]);
    sync.assert_code(0);
    assert!(
        sync.stderr.starts_with(&format!(
            "    Adopting foo-bar 1.0.0 → 2.0.0 from {manifest} into app/Cargo.toml\n"
        )),
        "{}",
        sync.stderr
    );
    assert!(
        ws.read("app/Cargo.toml").contains(
            "foo = \"1.0.0\"\n\"foo::bar\" = { version = \"2.0.0\", package = \"foo-bar\" } # the child\n"
        ),
        "{}",
        ws.read("app/Cargo.toml")
    );
    assert!(
        ws.read(&manifest)
            .contains("foo-bar = { package = \"foo-bar\", version = \"2.0.0\" }"),
        "{}",
        ws.read(&manifest)
    );
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "1 2\n");
    ws.facade(&["check"]).assert_code(0);
    let before = ws.snapshot();
    ws.facade(&["sync"]).assert_code(0);
    assert_unchanged(&before, &ws.snapshot());
}

/// A member that inherits (`workspace = true`): the bump lands in
/// `[workspace.metadata.facade.dependencies]`, the member is untouched.
#[test]
fn a_bump_of_an_inherited_declaration_lands_in_the_workspace() {
    let ws = vendored(
        "\n[workspace.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1.0.0\", package = \"foo-bar\" }\n",
        "foo = \"1.0.0\"\n\"foo::bar\".workspace = true\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    let manifest = facade_manifest(&ws);
    let bumped = ws.read(&manifest).replace(
        "package = \"foo-bar\", version = \"1.0.0\"",
        "package = \"foo-bar\", version = \"2.0.0\"",
    );
    ws.write(&manifest, &bumped);
    let sync = ws.facade(&["sync"]);
    sync.assert_code(0);
    assert!(sync.stderr.contains("into Cargo.toml\n"), "{}", sync.stderr);
    assert!(
        ws.read("app/Cargo.toml")
            .contains("foo = \"1.0.0\"\n\"foo::bar\".workspace = true\n"),
        "{}",
        ws.read("app/Cargo.toml")
    );
    assert!(
        ws.read("Cargo.toml")
            .contains("\"foo::bar\" = { version = \"2.0.0\", package = \"foo-bar\" }\n"),
        "{}",
        ws.read("Cargo.toml")
    );
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "1 2\n");
    ws.facade(&["check"]).assert_code(0);
}

/// A lowered requirement, or an edit that is not a requirement, is not a
/// bump: `sync` reverts it as before and the declaration keeps its value.
#[test]
fn a_lowered_requirement_or_another_edit_is_reverted() {
    let ws = vendored(
        "",
        "foo = \"2.0.0\"\n\"foo::bar\" = { version = \"2.0.0\", package = \"foo-bar\" }\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    let app = ws.read("app/Cargo.toml");
    let manifest = facade_manifest(&ws);
    let generated = ws.read(&manifest);
    let edited = generated
        .replace(
            "package = \"foo-bar\", version = \"2.0.0\"",
            "package = \"foo-bar\", version = \"1.0.0\"",
        )
        .replace("publish = false", "publish = true");
    assert_ne!(edited, generated);
    ws.write(&manifest, &edited);
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(!check.stderr.contains("adopted"), "{}", check.stderr);
    ws.facade(&["sync"]).assert_code(0);
    assert_eq!(ws.read(&manifest), generated);
    assert_eq!(ws.read("app/Cargo.toml"), app);
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "2 2\n");
}
