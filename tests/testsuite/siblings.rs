//! A family's own crates use each other through their namespace: sibling
//! children declare each other (facades are per declaration set, so no
//! cycle unless cargo's graph has one), a child reaches a sibling through a
//! dev-dependency (a cycle cargo allows), and only a real cycle is refused.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_unchanged};

/// `foo` (root), `foo-core`, `foo-extra` (declares `foo::core`), `foo-util`
/// (dev-declares `foo::extra`, which depends on `foo-util` back), and an app
/// declaring the whole namespace.
fn family() -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\", \"app\"]\nresolver = \"2\"\n",
    );
    let package = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
    };
    ws.write("crates/foo/Cargo.toml", &package("foo"));
    ws.write("crates/foo/src/lib.rs", "pub fn root() -> u8 { 1 }\n");
    ws.write("crates/foo-core/Cargo.toml", &package("foo-core"));
    ws.write("crates/foo-core/src/lib.rs", "pub fn body() -> u8 { 2 }\n");
    ws.write(
        "crates/foo-extra/Cargo.toml",
        &format!(
            "{}\n[package.metadata.facade.dependencies]\n\"foo::core\" = {{ path = \"../foo-core\" }}\n\
             \"foo::util\" = {{ path = \"../foo-util\" }}\n",
            package("foo-extra")
        ),
    );
    ws.write(
        "crates/foo-extra/src/lib.rs",
        "pub fn more() -> u8 {\n    foo::core::body() + foo::util::one()\n}\n",
    );
    ws.write(
        "crates/foo-util/Cargo.toml",
        &format!(
            "{}\n[package.metadata.facade.dev-dependencies]\n\"foo::extra\" = {{ path = \"../foo-extra\" }}\n",
            package("foo-util")
        ),
    );
    ws.write(
        "crates/foo-util/src/lib.rs",
        "pub fn one() -> u8 {\n    1\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn through_the_sibling() {\n        assert_eq!(foo::extra::more(), 3);\n    }\n}\n",
    );
    ws.write(
        "app/Cargo.toml",
        &format!(
            "{}\n[package.metadata.facade.dependencies]\nfoo = {{ path = \"../crates/foo\" }}\n\
             \"foo::core\" = {{ path = \"../crates/foo-core\" }}\n\"foo::extra\" = {{ path = \"../crates/foo-extra\" }}\n",
            package("app")
        ),
    );
    ws.write(
        "app/src/main.rs",
        "fn main() {\n    println!(\"{}\", foo::root() + foo::core::body() + foo::extra::more());\n}\n",
    );
    ws
}

/// Siblings declaring each other sync and build; the dev-dependency back
/// (`foo-util` → `foo::extra` → `foo::util`) is a cycle cargo allows, and
/// its test passes.
#[test]
fn siblings_declare_each_other_and_build() {
    let ws = family();
    ws.facade(&["sync"]).assert_code(0);
    let run = ws.cargo(&["run", "-q", "-p", "app"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "6\n");
    let test = ws.cargo(&["test", "-q", "-p", "foo-util"]);
    test.assert_code(0);
    assert!(test.stdout.contains("1 passed"), "{}", test.stdout);
    ws.facade(&["check"]).assert_code(0);
}

/// A real cycle, through a declaration and a real dependency, is refused at
/// the declaration with every edge named: exit 2, nothing written.
#[test]
fn a_real_cycle_is_refused_at_its_declarations() {
    let ws = family();
    ws.write(
        "crates/foo-core/Cargo.toml",
        "[package]\nname = \"foo-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-extra = { path = \"../foo-extra\" }\n",
    );
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: `foo-extra` would depend on itself: `foo-extra` → `foo::core` (`foo-core`) → `foo-extra`
 --> crates/foo-extra/Cargo.toml:7:1
  |
7 | "foo::core" = { path = "../foo-core" }
  | ^^^^^^^^^^^ declared here
  |
 ::: crates/foo-core/Cargo.toml:7:1
  |
7 | foo-extra = { path = "../foo-extra" }
  | --------- `foo-core` depends on `foo-extra`
  |
  = note: each declaration makes its package depend on the declared package (through a facade), and cargo refuses a package that depends on itself, except through dev-dependencies
  = help: remove one of these dependencies; if only tests need `foo::core`, declare it in `[package.metadata.facade.dev-dependencies]`

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
}

/// The root package declaring its own namespace is refused at the
/// declaration, and why holds with today's cargo and rustc: the same tree
/// written by hand (the facade as `foo`'s dependency `foo`) builds the
/// library, but rustdoc's doctest build sees two crates named `foo`
/// (E0464), as do its tests, binaries and examples. When that
/// stops being true, this test says so and the refusal can go.
#[test]
fn the_root_cannot_declare_its_own_namespace() {
    let ws = family();
    let root = "[package]\nname = \"foo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    let lib = "/// ```\n/// assert_eq!(foo::twice(), 4);\n/// ```\npub fn twice() -> u8 {\n    foo::core::body() * 2\n}\n";
    ws.write(
        "crates/foo/Cargo.toml",
        &format!(
            "{root}\n[package.metadata.facade.dependencies]\n\"foo::core\" = {{ path = \"../foo-core\" }}\n"
        ),
    );
    ws.write("crates/foo/src/lib.rs", lib);
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: `foo` is the root of namespace `foo`, so it cannot declare `foo::core`
 --> crates/foo/Cargo.toml:7:1
  |
7 | "foo::core" = { path = "../foo-core" }
  | ^^^^^^^^^^^ declared here
  |
  = note: the facade would be `foo`'s dependency `foo`; cargo gives the package's tests, binaries, examples and doctests both its own library and that facade as `foo`, and rustc refuses the two candidates (E0464)
  = help: depend on package `foo-core` directly in `[dependencies]` and write `foo_core::` in `foo`

error: aborting due to the previous error; no file was changed

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());

    // By hand: a facade of `foo::core` alone, `foo`'s dependency `foo`.
    ws.write(
        "crates/foo/Cargo.toml",
        &format!(
            "{root}\n[dependencies]\nfoo = {{ path = \"../../by-hand\", package = \"by-hand\" }}\n"
        ),
    );
    ws.write(
        "by-hand/Cargo.toml",
        "[package]\nname = \"by-hand\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nfoo-core = { path = \"../crates/foo-core\" }\n",
    );
    ws.write("by-hand/src/lib.rs", "pub use foo_core as core;\n");
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/foo\", \"crates/foo-core\", \"by-hand\"]\nresolver = \"2\"\n",
    );
    ws.cargo(&["build", "-p", "foo", "--lib"]).assert_code(0);
    let test = ws.cargo(&["test", "-p", "foo", "--doc"]);
    assert_ne!(test.code, 0, "{}", test.stderr);
    assert!(
        test.stderr
            .contains("error[E0464]: multiple candidates for `rlib` dependency `foo` found"),
        "{}",
        test.stderr
    );
}
