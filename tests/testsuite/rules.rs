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
/// registry child of another owner than its root (another user or
/// organisation on the code host) is a warning saying exactly what was
/// compared (the build still works), on every sync, including a no-op one.
#[test]
fn foreign_registry_child_is_warned_about() {
    let ws = vendored(
        "https://github.com/foo-org/foo",
        "https://github.com/someone-else/foo-bar",
        "\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }",
    );
    let run = ws.facade(&["sync"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
  Generating facade foo/self+bar (root + 1 child, for 1 package)
    Updating own-app (app/Cargo.toml)
warning: `foo::bar` is package `foo-bar` of owner github.com/someone-else (per `repository`), but root `foo` is of github.com/foo-org (per `repository`)
 --> app/Cargo.toml:8:1
  |
8 | "foo::bar" = { version = "1", package = "foo-bar" }
  | ^^^^^^^^^^ declared here
  |
  = note: compared: `foo::bar` (package `foo-bar`) and root `foo` (package `foo`): different owners, child github.com/someone-else (per `repository`) vs root github.com/foo-org (per `repository`)
  = note: what decides is the code host and owner (user or organisation) of the `repository`, `homepage` and `documentation` URLs in both manifests; the registry's owner lists are not looked at
  = note: RFC 3243: "Only the owners of foo may create the foo::bar crate"
  = help: if the child is meant to come from another owner, add `foreign = true` to its declaration

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
            .contains("warning: `foo::bar` is package `foo-bar` of owner github.com/someone-else"),
        "{}",
        again.stderr
    );
}

/// `foreign = true` accepts a child of another owner. Ownership is judged
/// by owners, not repository strings: a child in the root's repository
/// however the URL is written (`.git`, `/`, case, ssh, a monorepo's
/// `/tree/<branch>/<dir>`), in another repository of the same organisation,
/// or whose `homepage` is on the root's organisation's pages needs nothing;
/// `-v` says what was compared.
#[test]
fn foreign_true_same_repository_or_same_owner_is_silent() {
    let ws = vendored(
        "https://github.com/foo-org/foo",
        "https://github.com/someone-else/foo-bar",
        "\"foo::bar\" = { version = \"1\", package = \"foo-bar\", foreign = true }",
    );
    let run = ws.facade(&["sync"]);
    assert!(
        !run.assert_code(0).stderr.contains("warning"),
        "{}",
        run.stderr
    );

    for (root, child, compared) in [
        (
            "https://example.org/foo",
            "https://example.org/foo.git/",
            "same owner, example.org/foo",
        ),
        (
            "https://github.com/foo-org/foo",
            "https://github.com/foo-org/foo/tree/main/crates/foo-bar",
            "same repository, github.com/foo-org/foo",
        ),
        (
            "https://github.com/Foo-Org/foo.git",
            "git@github.com:foo-org/foo",
            "same repository, github.com/foo-org/foo",
        ),
        (
            "https://github.com/foo-org/foo",
            "https://github.com/foo-org/foo-bar",
            "same owner, github.com/foo-org",
        ),
    ] {
        let ws = vendored(
            root,
            child,
            "\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }",
        );
        let run = ws.facade(&["sync", "-v"]);
        assert!(
            !run.assert_code(0).stderr.contains("warning"),
            "{root} {child}\n{}",
            run.stderr
        );
        assert!(run.stderr.contains(compared), "{}", run.stderr);
    }

    // A child whose repository is elsewhere (another host), but whose
    // homepage is its root's organisation's pages.
    let ws = vendored(
        "https://github.com/foo-org/foo",
        "https://hg.example.net/foo-bar\"\nhomepage = \"https://foo-org.github.io/foo-bar",
        "\"foo::bar\" = { version = \"1\", package = \"foo-bar\" }",
    );
    let run = ws.facade(&["sync", "-v"]);
    assert!(
        !run.assert_code(0).stderr.contains("warning"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("same owner, github.com/foo-org (child `homepage`, root `repository`)"),
        "{}",
        run.stderr
    );
}

/// `--deny-warnings` turns the ownership warning into an error: exit 2 and
/// every byte (manifests, facades, `Cargo.lock`) as it was.
#[test]
fn deny_warnings_rolls_back() {
    let ws = vendored(
        "https://github.com/foo-org/foo",
        "https://github.com/someone-else/foo-bar",
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

/// A workspace of path packages `foo-bar` (the root), `foo-bar-x` and
/// `acme`, `acme-http`, with member `app` declaring `declarations`.
fn spelled(declarations: &str) -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
    );
    for name in ["foo-bar", "foo-bar-x", "acme", "acme-http"] {
        ws.write(
            &format!("crates/{name}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n"),
        );
        ws.write(
            &format!("crates/{name}/src/lib.rs"),
            "pub fn hello() -> u8 { 7 }\n",
        );
    }
    ws.write(
        "app/Cargo.toml",
        &format!(
            "[package]\nname = \"spell-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [package.metadata.facade.dependencies]\n{declarations}"
        ),
    );
    ws.write("app/src/lib.rs", "");
    ws
}

/// One namespace spelled two ways (`foo-bar` root, `"foo_bar::x"` child):
/// cargo treats `-`/`_` as one crate name, so two facades would both be
/// crate `foo_bar` (E0464 at nothing the user wrote). `sync` and `check`
/// refuse at the declaration with the spelling to use; nothing is written.
/// Spelled one way, the same declarations build.
#[test]
fn one_namespace_spelled_two_ways_is_an_error() {
    let ws = spelled(
        "foo-bar = { path = \"../crates/foo-bar\" }\n\"foo_bar::x\" = { path = \"../crates/foo-bar-x\" }\n",
    );
    let before = ws.snapshot();
    ws.facade(&["check"]).assert_code(2);
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: `foo_bar::x` spells the namespace `foo-bar` as `foo_bar`
 --> app/Cargo.toml:8:1
  |
7 | foo-bar = { path = "../crates/foo-bar" }
  | ------- `foo-bar` here
8 | "foo_bar::x" = { path = "../crates/foo-bar-x" }
  | ^^^^^^^^^^^^ `foo_bar` here
  |
  = note: RFC 3243 makes each segment a package name; `foo_bar` and `foo-bar` are one name: cargo treats `-` and `_` in package names as the same, so both would compile to crate `foo_bar` (two facades: cargo's E0464, "multiple candidates")
  = help: spell it as the other declarations do: write `"foo-bar::x"` (or rename every declaration of the namespace to one spelling)

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());

    ws.write(
        "app/Cargo.toml",
        &ws.read("app/Cargo.toml")
            .replace("\"foo_bar::x\"", "\"foo-bar::x\""),
    );
    ws.write(
        "app/src/lib.rs",
        "pub fn f() -> u8 { foo_bar::hello() + foo_bar::x::hello() }\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    ws.cargo(&["build", "-q"]).assert_code(0);
}

/// `"Acme::http"` beside `acme` (issue 20): a registry treats package
/// names case-insensitively, so `Acme` is no second namespace; refused at
/// the declaration. Two children spelled two ways (`acme::http`,
/// `acme::HTTP`) are refused the same way.
#[test]
fn namespaces_that_differ_only_by_case_are_an_error() {
    let ws = spelled(
        "acme = { path = \"../crates/acme\" }\n\"Acme::http\" = { path = \"../crates/acme-http\" }\n",
    );
    let before = ws.snapshot();
    ws.facade(&["check"]).assert_code(2);
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: `Acme::http` spells the namespace `acme` as `Acme`
 --> app/Cargo.toml:8:1
  |
7 | acme = { path = "../crates/acme" }
  | ---- `acme` here
8 | "Acme::http" = { path = "../crates/acme-http" }
  | ^^^^^^^^^^^^ `Acme` here
  |
  = note: RFC 3243 makes each segment a package name; `Acme` and `acme` are one name: they differ only by case, and a registry treats package names case-insensitively
  = help: spell it as the other declarations do: write `"acme::http"` (or rename every declaration of the namespace to one spelling)

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());

    let ws = spelled(
        "\"acme::http\" = { path = \"../crates/acme-http\" }\n\"acme::HTTP\" = { path = \"../crates/acme-http\" }\n",
    );
    let run = ws.facade(&["sync"]);
    assert!(
        run.assert_code(2)
            .stderr
            .contains("error: `acme::HTTP` spells the child `http` as `HTTP`"),
        "{}",
        run.stderr
    );
}

/// RFC 3243's segments are package names, and a package name may hold
/// capitals: a lone namespace `Acme` (no `acme` beside it) is accepted and
/// its facade builds without a `non_snake_case` warning about generated
/// code; the user's `Acme::http::hello()` works.
#[test]
fn a_namespace_with_capitals_builds_without_warnings() {
    let ws = spelled("\"Acme::http\" = { path = \"../crates/acme-http\" }\n");
    ws.write(
        "app/src/lib.rs",
        "pub fn f() -> u8 {\n    Acme::http::hello()\n}\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    let build = ws.cargo(&["build"]);
    assert!(
        !build.assert_code(0).stderr.contains("warning"),
        "{}",
        build.stderr
    );
}
