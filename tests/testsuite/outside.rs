//! Outside edits (issue 21): what a bot, `cargo add` or a person wrote into
//! generated files or managed entries is adopted into the declarations, not
//! silently reverted. The "registry" is a vendored directory source holding
//! two versions of each crate, so the suite stays offline and cargo really
//! resolves the bumped requirement.

use snapbox::{assert_data_eq, str};

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

/// `cargo add -p app foo -F extra` rewrites the managed entry (no `path`
/// any more: cargo then fails with 101); `check` names the adoption and
/// `sync` moves the feature into the root's declaration and repairs the
/// entry, the feature on.
#[test]
fn cargo_add_features_on_a_managed_entry_are_adopted() {
    let ws = vendored(
        "",
        "foo = \"1.0.0\"\n\"foo::bar\" = { version = \"1.0.0\", package = \"foo-bar\" }\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    ws.cargo(&["add", "-p", "app", "foo", "-F", "extra"])
        .assert_code(101);
    assert!(
        !ws.read("app/Cargo.toml").contains("path = "),
        "{}",
        ws.read("app/Cargo.toml")
    );
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check.stderr.contains(
            "note: app/Cargo.toml (managed entry `foo`): feature `extra` of `foo` will be adopted by \
             `cargo facade sync` (into app/Cargo.toml)"
        ),
        "{}",
        check.stderr
    );
    let sync = ws.facade(&["sync"]);
    sync.assert_code(0);
    assert!(
        sync.stderr.starts_with(
            "    Adopting feature `extra` of `foo` from managed entry `foo` of app/Cargo.toml into app/Cargo.toml\n"
        ),
        "{}",
        sync.stderr
    );
    let app = ws.read("app/Cargo.toml");
    // The version cargo picked (2.0.0, a new major) is not taken as meant.
    assert!(
        app.contains("foo = { version = \"1.0.0\", features = [\"extra\"] }\n"),
        "{app}"
    );
    assert!(app.contains("features = [\"self.extra\"]"), "{app}");
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "1 1\n");
    ws.facade(&["check"]).assert_code(0);
}

/// `cargo remove -p app foo` deletes the managed entry: `check` warns and
/// names every declaration behind it (file:line) and the command that
/// removes them; `cargo facade remove` does, and the facade goes too.
#[test]
fn a_removed_managed_entry_names_its_declarations() {
    let ws = vendored(
        "",
        "foo = \"1.0.0\"\n\"foo::bar\" = { version = \"1.0.0\", package = \"foo-bar\" }\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    ws.cargo(&["remove", "-p", "app", "foo"]).assert_code(0);
    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert_data_eq!(
        check.stderr.split("error: out of date").next().unwrap(),
        str![[r#"
warning: `app` has no managed entry `foo` in [dependencies]: was it removed on purpose?
 --> app/Cargo.toml:7:1
  |
7 | foo = "1.0.0"
  | ^^^ declared here
8 | "foo::bar" = { version = "1.0.0", package = "foo-bar" }
  | ---------- declared here
  |
  = note: the entry is generated from these declarations; `cargo facade sync` writes it back
  = help: to remove the dependency, remove the declarations instead: `cargo facade remove -p app 'foo' 'foo::bar'`


"#]]
    );
    ws.write("app/src/main.rs", "fn main() { println!(\"none\"); }\n");
    let remove = ws.facade(&["remove", "-p", "app", "foo", "foo::bar"]);
    remove.assert_code(0);
    assert_data_eq!(
        remove.stderr,
        str![[r#"
    Removing `foo` from [package.metadata.facade.dependencies] of app
    Removing `foo::bar` from [package.metadata.facade.dependencies] of app
    Removing facade foo/self+bar (no longer declared)
    Updating app (app/Cargo.toml)
    Finished 0 facades, 0 consumers (3 files written)

"#]]
    );
    assert_eq!(
        ws.read("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"
    );
    assert!(!ws.path().join("facades/foo").exists());
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "none\n");
}

/// `cargo facade add` writes the declaration as `cargo add` writes a
/// dependency (the version cargo itself picks, features, tables) and syncs
/// in the same step; a registry child without its package, or an unknown
/// member, is refused with nothing written.
#[test]
fn add_declares_and_syncs_as_cargo_add_does() {
    let ws = vendored("", "");
    ws.write(
        "app/src/main.rs",
        "fn main() { println!(\"{}\", foo::bar::major()); }\n",
    );
    let before = ws.snapshot();
    let refused = ws.facade(&["add", "-p", "app", "foo::bar"]);
    refused.assert_code(2);
    assert_data_eq!(
        refused.stderr,
        str![[r#"
error: `foo::bar` needs the package that provides it
 |
 = note: a registry or git child is never guessed from its name
 = help: name it after `=`: `cargo facade add 'foo::bar=foo-bar'` (if that is its package)

error: aborting due to the previous error; no file was changed

"#]]
    );
    ws.facade(&["add", "-p", "nope", "foo::bar=foo-bar"])
        .assert_code(2);
    assert_unchanged(&before, &ws.snapshot());

    // From the member's folder, as `cargo add` is run.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-facade"));
    command
        .args(["facade", "add", "foo::bar=foo-bar", "-F", "extra"])
        .current_dir(ws.path().join("app"))
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TERM_COLOR", "never");
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with(
            "      Adding `foo::bar` (foo-bar 2.0.0) to [package.metadata.facade.dependencies] of app\n"
        ),
        "{stderr}"
    );
    assert!(
        ws.read("app/Cargo.toml").contains(
            "[package.metadata.facade.dependencies]\n\
             \"foo::bar\" = { version = \"2.0.0\", package = \"foo-bar\", features = [\"extra\"] }\n"
        ),
        "{}",
        ws.read("app/Cargo.toml")
    );
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "2\n");
    ws.facade(&["check"]).assert_code(0);

    ws.facade(&["add", "-p", "app", "foo@1.0.0", "--dev", "--dry-run"])
        .assert_code(0);
    assert!(!ws.read("app/Cargo.toml").contains("dev-dependencies"));
    ws.facade(&["add", "-p", "app", "foo@1.0.0", "--dev"])
        .assert_code(0);
    assert!(
        ws.read("app/Cargo.toml")
            .contains("[package.metadata.facade.dev-dependencies]\nfoo = \"1.0.0\"\n"),
        "{}",
        ws.read("app/Cargo.toml")
    );
    ws.cargo(&["test", "-q", "-p", "app"]).assert_code(0);
    ws.facade(&["check"]).assert_code(0);
}

/// `cargo add serde_json` beside `serde::json`: one crate by two paths, a
/// warning at both lines (the build still works).
#[test]
fn a_direct_dependency_on_a_declared_package_is_warned_about() {
    let ws = vendored(
        "",
        "\"foo::bar\" = { version = \"1.0.0\", package = \"foo-bar\" }\n\n[dependencies]\nfoo-bar = \"1\"\n",
    );
    ws.write(
        "app/src/main.rs",
        "fn main() { println!(\"{} {}\", foo::bar::major(), foo_bar::major()); }\n",
    );
    let sync = ws.facade(&["sync"]);
    sync.assert_code(0);
    assert!(
        sync.stderr.contains(
            "warning: `app` reaches package `foo-bar` by two paths: `foo_bar::` and `foo::bar::`\n"
        ) && sync.stderr.contains("10 | foo-bar = \"1\"\n   | ^^^^^^^ a direct dependency on it")
            && sync.stderr.contains("7 | \"foo::bar\" = { version = \"1.0.0\", package = \"foo-bar\" }\n   | ---------- declared as `foo::bar` here"),
        "{}",
        sync.stderr
    );
    assert_eq!(ws.cargo(&["run", "-q"]).assert_code(0).stdout, "1 1\n");
}
