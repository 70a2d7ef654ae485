//! Messages about what cargo-facade generated point at what the user wrote
//! (issue 21.6): cargo's errors that name a facade package, and the
//! ownership warning, once per declaration at its own line.

use crate::support::{Fixture, mask_facade_hashes};

/// A workspace whose crates-io source is `vendor/` (`foo` and `foo-bar`
/// 1.0.0 from two repositories) and members `app` and `tool`, each
/// declaring `foo` and `foo::bar`.
fn two_members() -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
    );
    for (name, repo) in [
        ("foo", "https://example.org/foo"),
        ("foo-bar", "https://example.org/other"),
    ] {
        ws.write(
            &format!("vendor/{name}-1.0.0/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\nrepository = \"{repo}\"\n"
            ),
        );
        ws.write(
            &format!("vendor/{name}-1.0.0/src/lib.rs"),
            "pub fn one() -> u8 { 1 }\n",
        );
        ws.write(
            &format!("vendor/{name}-1.0.0/.cargo-checksum.json"),
            "{\"files\":{},\"package\":null}\n",
        );
    }
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"tool\"]\nresolver = \"2\"\n",
    );
    for (member, extra) in [("app", ""), ("tool", "# the tool's own comment\n")] {
        ws.write(
            &format!("{member}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{member}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [package.metadata.facade.dependencies]\n{extra}foo = \"1\"\n\
                 \"foo::bar\" = {{ version = \"1\", package = \"foo-bar\" }}\n"
            ),
        );
        ws.write(
            &format!("{member}/src/main.rs"),
            "fn main() { println!(\"{}\", foo::one() + foo::bar::one()); }\n",
        );
    }
    ws
}

/// Two members declare the same foreign child: two warnings, each at its
/// own member's line (it was the first member's line twice).
#[test]
fn the_ownership_warning_is_given_once_per_declaration_at_its_line() {
    let ws = two_members();
    let sync = ws.facade(&["sync"]);
    sync.assert_code(0);
    let warnings: Vec<&str> = sync
        .stderr
        .split("\n\n")
        .filter(|part| part.contains("warning: `foo::bar` is package `foo-bar`"))
        .collect();
    assert_eq!(warnings.len(), 2, "{}", sync.stderr);
    assert!(
        warnings[0].contains(" --> app/Cargo.toml:8:1"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains(" --> tool/Cargo.toml:9:1"),
        "{}",
        warnings[1]
    );
    assert_eq!(
        ws.cargo(&["run", "-q", "-p", "tool"]).assert_code(0).stdout,
        "2\n"
    );
}

/// cargo cannot resolve what a committed facade requires (here: the
/// registry lost the package; `Cargo.lock` is gone, so a fresh `sync` asks
/// cargo to resolve): the error names the declarations behind the facade
/// and which facade cargo meant, not only `required by package foo-facade-…`.
#[test]
fn a_resolution_error_naming_a_facade_points_at_the_declarations() {
    let ws = two_members();
    ws.facade(&["sync"]).assert_code(0);
    std::fs::remove_dir_all(ws.path().join("vendor/foo-bar-1.0.0")).unwrap();
    std::fs::remove_file(ws.path().join("Cargo.lock")).unwrap();
    let before = ws.snapshot();
    let sync = ws.facade(&["sync"]);
    sync.assert_code(2);
    let stderr = mask_facade_hashes(&sync.stderr);
    assert!(
        stderr.starts_with("error: cargo cannot resolve the declared dependencies: no matching package named `foo-bar` found\n"),
        "{stderr}"
    );
    for place in [" --> app/Cargo.toml:8:1", "::: tool/Cargo.toml:9:1"] {
        assert!(stderr.contains(place), "{place}\n{stderr}");
    }
    assert!(
        stderr.contains(
            "`foo-facade-[HASH]` is the facade of `foo` that cargo-facade generates for `app`"
        ),
        "{stderr}"
    );
    crate::support::assert_unchanged(&before, &ws.snapshot());
}

/// The root re-exports the foreign child (`pub use foo_bar as bar;`), so
/// neither member gets a facade (format 5): the ownership rule still
/// judges each declaration, since only the root's owners may publish
/// `foo::bar` whatever the root presents.
#[test]
fn the_ownership_warning_holds_where_no_facade_is_needed() {
    let ws = two_members();
    ws.write(
        "vendor/foo-1.0.0/Cargo.toml",
        "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\
         repository = \"https://example.org/foo\"\n\n[dependencies]\nfoo-bar = \"1\"\n",
    );
    ws.write(
        "vendor/foo-1.0.0/src/lib.rs",
        "pub use foo_bar as bar;\n\npub fn one() -> u8 { 1 }\n",
    );
    let sync = ws.facade(&["sync"]);
    sync.assert_code(0);
    assert!(!ws.path().join("facades/foo").exists(), "{}", sync.stderr);
    for member in ["app", "tool"] {
        let manifest = ws.read(&format!("{member}/Cargo.toml"));
        assert!(
            manifest
                .contains("[dependencies]\nfoo = { version = \"1\" } # managed by cargo-facade"),
            "{manifest}"
        );
    }
    let warnings = sync
        .stderr
        .matches("warning: `foo::bar` is package `foo-bar`")
        .count();
    assert_eq!(warnings, 2, "{}", sync.stderr);
    assert_eq!(
        ws.cargo(&["run", "-q", "-p", "tool"]).assert_code(0).stdout,
        "2\n"
    );
}
