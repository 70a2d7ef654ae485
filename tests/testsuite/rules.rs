//! RFC 3243's protective rules that need more than one package source:
//! dash typosquatting and the registry's ownership rule (emulated). The
//! "registry" is a vendored directory source, so the suite stays offline.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_unchanged};

/// A workspace whose crates-io source is replaced by `vendor/`, holding
/// `foo` (repository `foo_repo`) and `foo-bar` (repository `bar_repo`).
fn vendored(foo_repo: &str, bar_repo: &str, declaration: &str) -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
    );
    for (name, repo, body) in [
        ("foo", foo_repo, "pub fn root() -> u8 { 1 }\n"),
        ("foo-bar", bar_repo, "pub fn bar() -> u8 { 2 }\n"),
    ] {
        ws.write(
            &format!("vendor/{name}-1.0.0/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\nrepository = \"{repo}\"\n"
            ),
        );
        ws.write(&format!("vendor/{name}-1.0.0/src/lib.rs"), body);
        ws.write(
            &format!("vendor/{name}-1.0.0/.cargo-checksum.json"),
            "{\"files\":{},\"package\":null}\n",
        );
    }
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "app/Cargo.toml",
        &format!(
            "[package]\nname = \"own-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [package.metadata.facade.dependencies]\nfoo = \"1\"\n{declaration}\n"
        ),
    );
    ws.write(
        "app/src/main.rs",
        "fn main() { println!(\"{} {}\", foo::root(), foo::bar::bar()); }\n",
    );
    ws
}

/// RFC 3243: "Only the owners of foo may create the foo::bar crate". A
/// registry child from another repository than its root is a warning (the
/// build still works), on every sync, including a no-op one.
#[test]
fn foreign_registry_child_is_warned_about() {
    let ws = vendored(
        "https://example.org/foo",
        "https://example.org/someone-else",
        "\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }",
    );
    let run = ws.facade(&["sync"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
warning: `foo::bar` is package `foo-bar` from repository https://example.org/someone-else, but root `foo` is from https://example.org/foo
 --> app/Cargo.toml:8:1
  |
8 | "foo::bar" = { version = "1", package = "foo-bar" }
  | ^^^^^^^^^^ declared here
  |
  = note: RFC 3243: "Only the owners of foo may create the foo::bar crate"; a registry will refuse a child that the root's owners did not publish
  = help: if the child is meant to come from elsewhere, add `foreign = true` to its declaration

  Generating facade foo/self+bar (root + 1 child, for 1 package)
    Updating own-app (app/Cargo.toml)
    Finished 1 facade, 1 consumer (3 files written)

"#]]
    );
    assert_eq!(
        ws.cargo(&["run", "-q", "-p", "own-app"])
            .assert_code(0)
            .stdout,
        "1 2\n"
    );
    let again = ws.facade(&["sync"]);
    again.assert_code(0);
    assert!(
        again
            .stderr
            .contains("warning: `foo::bar` is package `foo-bar`"),
        "{}",
        again.stderr
    );
}

/// `foreign = true` accepts a child from elsewhere; a child from the root's
/// own repository (trailing `/` and `.git` aside) needs nothing.
#[test]
fn foreign_true_or_same_repository_is_silent() {
    let ws = vendored(
        "https://example.org/foo",
        "https://example.org/someone-else",
        "\"foo::bar\" = { version = \"1\", package = \"foo-bar\", foreign = true }",
    );
    let run = ws.facade(&["sync"]);
    assert!(
        !run.assert_code(0).stderr.contains("warning"),
        "{}",
        run.stderr
    );

    let ws = vendored(
        "https://example.org/foo",
        "https://example.org/foo.git/",
        "\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }",
    );
    let run = ws.facade(&["sync"]);
    assert!(
        !run.assert_code(0).stderr.contains("warning"),
        "{}",
        run.stderr
    );
}

/// `--deny-warnings` turns the ownership warning into an error: exit 2 and
/// every byte (manifests, facades, `Cargo.lock`) as it was.
#[test]
fn deny_warnings_rolls_back() {
    let ws = vendored(
        "https://example.org/foo",
        "https://example.org/someone-else",
        "\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }",
    );
    let before = ws.snapshot();
    let run = ws.facade(&["sync", "--deny-warnings"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("1 warning denied by `--deny-warnings`"),
        "{}",
        run.stderr
    );
    let after = ws.snapshot();
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, (bytes, _)) in &before {
        assert!(after[path].0 == *bytes, "`{}` changed", path.display());
    }
}

/// RFC 3243, "Dash typosquatting": a consumer of `foo::bar` that also
/// depends directly on a package `foo_bar` which is not that child gets an
/// error naming both places; nothing is written.
#[test]
fn dash_typosquatting_is_an_error() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"foo-bar\", \"squat\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    ws.write("foo-bar/src/lib.rs", "");
    ws.write(
        "squat/Cargo.toml",
        "[package]\nname = \"foo_bar\"\nversion = \"6.6.6\"\nedition = \"2021\"\n",
    );
    ws.write("squat/src/lib.rs", "");
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"squat-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\n\"foo::bar\" = { path = \"../foo-bar\" }\n\n\
         [dependencies]\nfoo_bar = { path = \"../squat\" }\n",
    );
    ws.write("app/src/lib.rs", "");
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: `squat-app` depends on package `foo_bar`, which is not the declared child `foo::bar`
  --> app/Cargo.toml:10:1
   |
 7 | "foo::bar" = { path = "../foo-bar" }
   | ---------- `foo::bar` is package `foo-bar` from here
...
10 | foo_bar = { path = "../squat" }
   | ^^^^^^^ a different package, one typo away
   |
   = note: RFC 3243, "Dash typosquatting": "it's totally possible for a user to accidentally type foo-bar in Cargo.toml instead of foo/bar, and pull in the wrong, squatted, crate"
   = help: remove the direct dependency and write `foo::bar::…` paths; if `foo_bar` really is the child, declare it with `package = "foo_bar"` and the same source

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());

    // The declared child itself as a direct dependency is no typosquat.
    ws.write(
        "app/Cargo.toml",
        &ws.read("app/Cargo.toml").replace(
            "foo_bar = { path = \"../squat\" }",
            "foo-bar = { path = \"../foo-bar\" }",
        ),
    );
    ws.facade(&["sync"]).assert_code(0);
}
