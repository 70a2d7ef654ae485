//! `cargo facade package` / `publish`: a library written against `foo::…`
//! paths is packaged as an ordinary crate that depends on the real
//! packages, and that crate builds and passes its tests on its own. The
//! "registry" is a vendored directory source the tests write, so the suite
//! stays offline.

use std::path::Path;
use std::process::Command;

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_unchanged};

/// The registry's packages: a root, a plain child, a macro child (with
/// `$crate`) and a proc-macro child written with `proc_macro` alone.
const VENDORED: &[(&str, &str, &str)] = &[
    (
        "foo",
        "[features]\nextra = []\n",
        "pub struct Root;\npub fn root() -> u8 { 1 }\n",
    ),
    (
        "foo-bar",
        "[features]\nshiny = []\n",
        "#[derive(Debug, PartialEq)]\npub struct Baz(pub u8);\npub fn make() -> Baz { Baz(7) }\n\
         #[cfg(feature = \"shiny\")]\npub fn shine() -> &'static str { \"shiny\" }\n",
    ),
    (
        "foo-mac",
        "[features]\nloud = []\n",
        "#[doc(hidden)]\npub fn helper(x: u8) -> u8 { x + 1 }\n\
         #[macro_export]\nmacro_rules! plus_one { ($e:expr) => { $crate::helper($e) }; }\n",
    ),
    (
        "foo-derive",
        "[lib]\nproc-macro = true\n",
        "extern crate proc_macro;\nuse proc_macro::{TokenStream, TokenTree};\n\n\
         #[proc_macro_derive(Hello)]\npub fn hello(input: TokenStream) -> TokenStream {\n\
         \x20   let mut tokens = input.into_iter();\n\
         \x20   while let Some(token) = tokens.next() {\n\
         \x20       if matches!(&token, TokenTree::Ident(i) if i.to_string() == \"struct\") {\n\
         \x20           let name = tokens.next().unwrap();\n\
         \x20           return format!(\"impl {name} {{ pub fn hello() -> &'static str {{ \\\"hello\\\" }} }}\").parse().unwrap();\n\
         \x20       }\n\
         \x20   }\n\
         \x20   panic!(\"Hello derives structs\")\n}\n",
    ),
];

/// The library: every form of `foo::…` path the lowering must handle.
const LIB_RS: &str = r#"//! A library written only against `foo::…` paths.
//!
//! ```
//! # use foo::{bar::Baz, Root};
//! let pair: ns_user::Pair = ns_user::pair();
//! let _: (Root, Baz) = (pair.root, pair.baz);
//! assert_eq!(foo::bar::make(), foo::bar::Baz(7));
//! assert_eq!(ns_user::greet(), "hello");
//! ```
//!
//! See [`foo::bar::Baz`], [`Root`](foo::Root) and [make](foo::bar::make).
#![doc = include_str!("../README.md")]

use foo::{bar::Baz, Root};
pub use foo::bar;
pub use foo as ns;

pub mod inner {
    use foo::bar::{self as b, Baz as B};

    pub fn two() -> (b::Baz, B) {
        (foo::bar::make(), b::make())
    }

    pub mod deeper {
        pub fn via_absolute_path() -> u8 {
            ::foo::bar::make().0 + foo::root()
        }
    }
}

pub struct Pair {
    pub root: Root,
    pub baz: Baz,
}

pub fn pair() -> Pair {
    Pair { root: Root, baz: foo::bar::make() }
}

#[derive(foo::derive::Hello)]
pub struct Greeter;

pub fn greet() -> &'static str {
    Greeter::hello()
}

/// Adds one through the macro child.
///
/// ```
/// assert_eq!(ns_user::plus(1), 2);
/// assert_eq!(foo::mac::plus_one!(2), 3);
/// ```
#[cfg(feature = "macros")]
pub fn plus(x: u8) -> u8 {
    foo::mac::plus_one!(x)
}

/// Shines through a feature forwarded to the child.
pub fn shine() -> &'static str {
    foo::bar::shine()
}

macro_rules! local {
    () => {
        foo::bar::make()
    };
}

pub fn via_local_macro() -> Baz {
    local!()
}

pub fn formatted() -> String {
    format!("{:?} {}", foo::bar::make(), foo::root())
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_resolve() {
        assert_eq!(super::inner::deeper::via_absolute_path(), 8);
        assert_eq!(super::formatted(), "Baz(7) 1");
        assert_eq!(super::via_local_macro(), foo::bar::Baz(7));
        assert_eq!(super::shine(), "shiny");
    }
}
"#;

/// Included into the crate's docs: its code block is a doctest too.
const README: &str = "# ns-user\n\nLinks to [`foo::bar::make`].\n\n```rust\nuse foo::{bar::Baz, Root};\nlet _: (Baz, Root) = (foo::bar::make(), Root);\n```\n";

const LIB_TOML: &str = r#"[package]
name = "ns-user"
version = "0.1.0"
edition = "2021"
description = "Uses namespace foo"
license = "MIT"
repository = "https://example.org/ns-user"

[package.metadata.facade.dependencies]
foo = "1"
"foo::bar" = { version = "1", package = "foo-bar", features = ["shiny"] }
"foo::mac" = { version = "1.0", package = "foo-mac", optional = true }

[package.metadata.facade.target.'cfg(not(windows))'.dependencies]
"foo::derive" = { version = "1", package = "foo-derive" }

[package.metadata.facade.features]
default = ["macros"]
macros = ["dep:foo::mac"]
loud = ["foo::mac?/loud"]
shiny = ["foo::bar/shiny", "foo/extra"]
"#;

/// A workspace with the vendored registry, the library, and an excluded
/// folder to unpack `.crate`s into.
fn library() -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
    );
    for (name, extra, lib) in VENDORED {
        ws.write(
            &format!("vendor/{name}-1.0.0/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n{extra}"
            ),
        );
        ws.write(&format!("vendor/{name}-1.0.0/src/lib.rs"), lib);
        ws.write(
            &format!("vendor/{name}-1.0.0/.cargo-checksum.json"),
            "{\"files\":{},\"package\":null}\n",
        );
    }
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"ns-user\"]\nexclude = [\"unpacked\"]\nresolver = \"2\"\n",
    );
    ws.write("ns-user/Cargo.toml", LIB_TOML);
    ws.write("ns-user/src/lib.rs", LIB_RS);
    ws.write("ns-user/README.md", README);
    ws
}

/// Unpacks a `.crate` (a gzipped tarball) into `unpacked/`.
fn unpack(ws: &Fixture, krate: &Path) {
    std::fs::create_dir_all(ws.path().join("unpacked")).unwrap();
    let status = Command::new("tar")
        .arg("xzf")
        .arg(krate)
        .arg("-C")
        .arg(ws.path().join("unpacked"))
        .status()
        .expect("run tar");
    assert!(status.success(), "tar failed on {}", krate.display());
}

/// The whole promise: the library builds through facades; `package`
/// writes a `.crate` with real dependencies and lowered sources, which
/// builds and passes its tests (doctests included) on its own; the working
/// tree keeps every byte.
#[test]
fn a_namespaced_library_packages_into_an_ordinary_crate() {
    let ws = library();
    ws.facade(&["sync"]).assert_code(0);
    ws.cargo(&["test", "-p", "ns-user"]).assert_code(0);
    let before = ws.snapshot();

    let run = ws.facade(&["package", "-p", "ns-user"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
warning: this re-export of a namespace loses its children when published
  --> ns-user/src/lib.rs:16:1
   |
16 | pub use foo as ns;
   | ^^^^^^^^^^^^^^^^^^ re-exports the namespace
   |
   = note: through the facade it re-exports `foo::bar`, `foo::mac`, `foo::derive`; the published crate has no facade, so it re-exports only the root's items
   = help: re-export the children your users need by name, e.g. `pub use foo::bar;`

    Lowering ns-user v0.1.0 (ns-user: 4 namespaced dependencies, 21 paths in 2 files)
  Documented `ns-user` (lowered, rustdoc with `-D warnings`)
   Packaging ns-user v0.1.0 ([ROOT]/ns-user)
    Packaged [..] files, [..]
   Verifying ns-user v0.1.0 ([ROOT]/ns-user)
   Compiling ns-user v0.1.0 ([ROOT]/target/package/ns-user-0.1.0)
    Finished `dev` profile [unoptimized + debuginfo] target(s) in [..]s
    Finished lowered crate written to target/package/ns-user-0.1.0.crate

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());

    let krate = ws.path().join("target/package/ns-user-0.1.0.crate");
    unpack(&ws, &krate);
    let unpacked = "unpacked/ns-user-0.1.0";
    let manifest = ws.read(&format!("{unpacked}/Cargo.toml"));
    for expected in [
        "[dependencies.foo]\nversion = \"1\"",
        "[dependencies.foo_bar]\nversion = \"1\"\nfeatures = [\"shiny\"]\npackage = \"foo-bar\"",
        "[dependencies.foo_mac]\nversion = \"1.0\"\noptional = true\npackage = \"foo-mac\"",
        "[target.\"cfg(not(windows))\".dependencies.foo_derive]\nversion = \"1\"\npackage = \"foo-derive\"",
        "macros = [\"dep:foo_mac\"]",
        "loud = [\"foo_mac?/loud\"]",
        "shiny = [\n    \"foo_bar/shiny\",\n    \"foo/extra\",\n]",
    ] {
        assert!(
            manifest.contains(expected),
            "missing `{expected}` in\n{manifest}"
        );
    }
    let orig = ws.read(&format!("{unpacked}/Cargo.toml.orig"));
    for absent in ["facade", "::", "path = \"/"] {
        assert!(!manifest.contains(absent), "`{absent}` in\n{manifest}");
        assert!(!orig.contains(absent), "`{absent}` in\n{orig}");
    }
    let lib = ws.read(&format!("{unpacked}/src/lib.rs"));
    for expected in [
        "//! # use {foo_bar::Baz, foo::Root};",
        "//! See [`foo_bar::Baz`], [`Root`](foo::Root) and [make](foo_bar::make).",
        "use {foo_bar::Baz, foo::Root};",
        "pub use foo_bar as bar;",
        "use foo_bar::{self as b, Baz as B};",
        "::foo_bar::make().0 + foo::root()",
        "#[derive(foo_derive::Hello)]",
        "/// assert_eq!(foo_mac::plus_one!(2), 3);",
        "    foo_mac::plus_one!(x)",
        "format!(\"{:?} {}\", foo_bar::make(), foo::root())",
    ] {
        assert!(lib.contains(expected), "missing `{expected}` in\n{lib}");
    }
    assert!(
        !lib.contains("foo::bar") && !lib.contains("foo::mac"),
        "{lib}"
    );
    assert_eq!(
        lib.lines().count(),
        LIB_RS.lines().count(),
        "lowering keeps every line in place"
    );

    // On its own, against the same registry: unit tests and doctests.
    let test = ws.cargo(&["test", "--manifest-path", &format!("{unpacked}/Cargo.toml")]);
    test.assert_code(0);
    assert!(
        test.stdout.contains("test result: ok. 1 passed"),
        "{}",
        test.stdout
    );
    assert!(
        test.stdout.contains("test result: ok. 3 passed"),
        "doctests: {}",
        test.stdout
    );

    // The re-export warning stops `--deny-warnings` before cargo runs.
    let denied = ws.facade(&["package", "-p", "ns-user", "--deny-warnings"]);
    denied.assert_code(2);
    assert!(
        denied
            .stderr
            .ends_with("error: 1 warning denied by `--deny-warnings`; nothing was packaged\n"),
        "{}",
        denied.stderr
    );
}

/// `publish --dry-run` packages the lowered crate, verifies it and stops
/// before the upload. The registry is a git index on disk (`file://`), which
/// cargo reads without any network; only the upload would need one.
#[test]
fn publish_dry_run_publishes_the_lowered_crate() {
    let ws = library();
    ws.write(
        "index/config.json",
        &format!(
            "{{\"dl\":\"file://{}/dl/{{crate}}-{{version}}.crate\",\"api\":\"http://127.0.0.1:9\"}}\n",
            ws.path().display()
        ),
    );
    for args in [
        &["init", "-q"][..],
        &["add", "config.json"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "index",
        ],
    ] {
        let status = Command::new("git")
            .args(args)
            .current_dir(ws.path().join("index"))
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?}");
    }
    let config = ws.read(".cargo/config.toml");
    ws.write(
        ".cargo/config.toml",
        &format!(
            "{config}\n[registries.local]\nindex = \"file://{}/index\"\n",
            ws.path().display()
        ),
    );
    let before = ws.snapshot();
    let home = ws.path().join("target/cargo-home");
    let run = ws.facade_env(
        &[
            "publish",
            "-p",
            "ns-user",
            "--dry-run",
            "--registry",
            "local",
        ],
        &[
            ("CARGO_NET_OFFLINE", "false"),
            ("CARGO_HOME", home.to_str().unwrap()),
        ],
    );
    run.assert_code(0);
    for expected in [
        "    Lowering ns-user v0.1.0 (ns-user: 4 namespaced dependencies, 21 paths in 2 files)\n",
        "   Verifying ns-user v0.1.0 ([ROOT]/ns-user)\n",
        "   Uploading ns-user v0.1.0 ([ROOT]/ns-user)\n",
        "warning: aborting upload due to dry run",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing `{expected}`:\n{}",
            run.stderr
        );
    }
    assert_unchanged(&before, &ws.snapshot());
}

/// What cannot be lowered is refused before cargo runs, all of it at once:
/// a path child without `version` and an ordinary path dependency without
/// one (cargo strips `path` when packaging); a dev-dependency without one is
/// fine (cargo leaves it out). Exit 2, nothing packaged, every file as it was.
#[test]
fn an_unversioned_path_child_is_refused_before_anything_is_packaged() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"foo-bar\", \"util\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "util/Cargo.toml",
        "[package]\nname = \"util\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write("util/src/lib.rs", "");
    ws.write(
        "foo-bar/Cargo.toml",
        "[package]\nname = \"foo-bar\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    ws.write("foo-bar/src/lib.rs", "pub fn bar() {}\n");
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\n\"foo::bar\" = { path = \"../foo-bar\" }\n\n\
         [package.metadata.facade.dev-dependencies]\n\"foo::bar\" = { path = \"../foo-bar\" }\n\n\
         [dependencies]\nutil = { path = \"../util\" }\n",
    );
    ws.write("app/src/lib.rs", "pub fn f() { foo::bar::bar() }\n");
    ws.facade(&["sync"]).assert_code(0);
    let before = ws.snapshot();
    let run = ws.facade(&["package", "-p", "app"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: `util` cannot be published: it is a path dependency without `version`
  --> app/Cargo.toml:13:1
   |
13 | util = { path = "../util" }
   | ^^^^ no `version`
   |
   = note: cargo strips `path` when packaging, so the registry needs a version to find it (nothing was packaged or published)
   = help: add `version = "0.1.0"` (the version at its path) to `util`, and publish that package first; or make it a dev-dependency, which cargo leaves out of the package

error: `foo::bar` cannot be published: it is a path dependency without `version`
 --> app/Cargo.toml:7:1
  |
7 | "foo::bar" = { path = "../foo-bar" }
  | ^^^^^^^^^^ declared here, without `version`
  |
  = note: the packaged crate depends on package `foo-bar` as `foo_bar`, and cargo strips `path` when packaging, so the registry needs a version to find it (nothing was packaged or published)
  = help: add `version = "1.0.0"` (the version at its path) to the declaration, and publish that package first

error: aborting due to 2 previous errors

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    assert!(!ws.path().join("target/package").exists());
    assert!(!ws.path().join("target/cargo-facade/package").exists());
}

/// `package -p ns-user` on the library with `lib_rs` as its `lib.rs`
/// fails, changing nothing but the target folder, with this stderr.
fn package_fails(lib_rs: &str) -> (Fixture, String) {
    let ws = library();
    ws.write("ns-user/src/lib.rs", lib_rs);
    let before = ws.snapshot();
    let run = ws.facade(&["package", "-p", "ns-user"]);
    run.assert_code(2);
    assert_unchanged(&before, &ws.snapshot());
    (ws, run.stderr)
}

/// cargo's verification errors in a lowered file name the author's file
/// and line (lowering never moves a line).
#[test]
fn verification_errors_point_at_the_authors_file() {
    let (_ws, stderr) =
        package_fails("//! Broken.\n\npub fn f() -> foo::bar::Baz {\n    foo::bar::make().0\n}\n");
    assert_data_eq!(
        stderr,
        str![[r#"
    Lowering ns-user v0.1.0 (ns-user: 4 namespaced dependencies, 2 paths in 1 file)
  Documented `ns-user` (lowered, rustdoc with `-D warnings`)
   Packaging ns-user v0.1.0 ([ROOT]/ns-user)
    Packaged [..] files, [..]
   Verifying ns-user v0.1.0 ([ROOT]/ns-user)
...
   Compiling ns-user v0.1.0 ([ROOT]/target/package/ns-user-0.1.0)
error[E0308]: mismatched types
 --> ns-user/src/lib.rs:4:5
  |
3 | pub fn f() -> foo_bar::Baz {
  |               ------------ expected `Baz` because of return type
4 |     foo_bar::make().0
  |     ^^^^^^^^^^^^^^^^^ expected `Baz`, found `u8`
  |
help: consider removing the tuple struct field `0`
  |
4 -     foo_bar::make().0
4 +     foo_bar::make()
  |

For more information about this error, try `rustc --explain E0308`.
error: could not compile `ns-user` (lib) due to 1 previous error
error: failed to verify package tarball
note: reported by `cargo package` on the lowered copy of `ns-user`; its sources name each child crate directly (`foo::bar::` became `foo_bar::`): lines are the author's, columns those of the lowered text
note: the lowered copy is in `target/cargo-facade/package/ns-user`

error: aborting due to the previous error

"#]]
    );
}

/// A member that inherits from its workspace (package fields, lints,
/// declarations, ordinary dependencies) is packaged alone: the lowered
/// manifest spells out what it inherited, a path child with a version
/// becomes a registry dependency (cargo strips the path); a path-only dev-dependency is
/// left out, as cargo leaves it out; run from the member's folder, no `-p`
/// is needed.
#[test]
fn workspace_inheritance_is_spelled_out() {
    let ws = library();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"ns-user\", \"helper\", \"foo-bar\"]\nexclude = [\"unpacked\"]\nresolver = \"2\"\n\n\
         [workspace.package]\nversion = \"0.2.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n\
         [workspace.dependencies]\nhelper = { path = \"helper\" }\n\n\
         [workspace.lints.rust]\nunsafe_code = \"forbid\"\n\n\
         [workspace.metadata.facade.dependencies]\n\"foo::bar\" = { version = \"1\", path = \"foo-bar\" }\n",
    );
    // The child as a workspace member: a path with a version.
    ws.write(
        "foo-bar/Cargo.toml",
        &ws.read("vendor/foo-bar-1.0.0/Cargo.toml"),
    );
    ws.write(
        "foo-bar/src/lib.rs",
        &ws.read("vendor/foo-bar-1.0.0/src/lib.rs"),
    );
    ws.write(
        "helper/Cargo.toml",
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write("helper/src/lib.rs", "");
    ws.write(
        "ns-user/Cargo.toml",
        "[package]\nname = \"ns-user\"\nversion.workspace = true\nedition.workspace = true\n\
         license.workspace = true\ndescription = \"inherits\"\n\n\
         [lints]\nworkspace = true\n\n\
         [dev-dependencies]\nhelper.workspace = true\n\n\
         [package.metadata.facade.dependencies]\n\"foo::bar\" = { workspace = true, features = [\"shiny\"] }\n",
    );
    ws.write(
        "ns-user/src/lib.rs",
        "/// ```\n/// assert_eq!(ns_user::shine(), \"shiny\");\n/// ```\npub fn shine() -> &'static str {\n    foo::bar::shine()\n}\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    let before = ws.snapshot();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-facade"));
    command
        .args(["facade", "package"])
        .current_dir(ws.path().join("ns-user/src"))
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO_TARGET_DIR");
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_unchanged(&before, &ws.snapshot());

    unpack(&ws, &ws.path().join("target/package/ns-user-0.2.0.crate"));
    let manifest = ws.read("unpacked/ns-user-0.2.0/Cargo.toml");
    for expected in [
        "version = \"0.2.0\"",
        "edition = \"2021\"",
        "license = \"MIT\"",
        "[dependencies.foo_bar]\nversion = \"1\"\nfeatures = [\"shiny\"]\npackage = \"foo-bar\"",
        "[lints.rust]\nunsafe_code = \"forbid\"",
    ] {
        assert!(
            manifest.contains(expected),
            "missing `{expected}` in\n{manifest}"
        );
    }
    assert!(!manifest.contains("helper"), "{manifest}");
    // `Cargo.toml.orig` is published as it is: no absolute path in it.
    let orig = ws.read("unpacked/ns-user-0.2.0/Cargo.toml.orig");
    assert!(
        orig.contains("foo_bar = { package = \"foo-bar\", version = \"1\", path = \"../../../../foo-bar\", features = [\"shiny\"] }"),
        "{orig}"
    );
    ws.cargo(&[
        "test",
        "--manifest-path",
        "unpacked/ns-user-0.2.0/Cargo.toml",
    ])
    .assert_code(0);
}

/// A path that would mean something else once lowered (a local item named
/// like the child's crate) is refused at its place in the author's file,
/// before cargo runs.
#[test]
fn a_path_a_local_item_would_capture_is_refused() {
    let (ws, stderr) =
        package_fails("mod foo_bar {}\n\npub fn f() -> u8 {\n    foo::bar::make().0\n}\n");
    assert_data_eq!(
        stderr,
        str![[r#"
error: `foo_bar` would name a local item here, not the crate
 --> ns-user/src/lib.rs:4:5
  |
1 | mod foo_bar {}
  |     ------- local `foo_bar` defined here
...
4 |     foo::bar::make().0
  |     ^^^^^^^^ would become `foo_bar`
  |
  = note: `cargo facade package` lowers `foo::bar::` to `foo_bar::`
  = help: rename the local `foo_bar`, or write this path as `::foo::bar::…` so that no local item can capture it

error: aborting due to the previous error

"#]]
    );
    assert!(!ws.path().join("target/package").exists());
}

/// `git init`, then every file not ignored committed.
fn commit_all(ws: &Fixture, message: &str) {
    for args in [
        &["init", "-q"][..],
        &["add", "."],
        &["commit", "-qm", message],
    ] {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .current_dir(ws.path())
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?}");
    }
}

/// In a git checkout, uncommitted changes to the package stop `package`
/// as they stop `cargo package`, until `--allow-dirty`.
#[test]
fn uncommitted_changes_need_allow_dirty() {
    let ws = library();
    ws.write(".gitignore", "target/\nunpacked/\n");
    commit_all(&ws, "library");
    ws.write("ns-user/src/lib.rs", &format!("{LIB_RS}// edited\n"));
    let before = ws.snapshot();
    let run = ws.facade(&["package", "-p", "ns-user", "--no-verify"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
error: `ns-user` has changes not yet committed into git (1 file)
 |
 = note: changed: ns-user/src/lib.rs
 = help: commit these changes, or pass `--allow-dirty` to package them anyway

error: aborting due to the previous error

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    ws.facade(&["package", "-p", "ns-user", "--allow-dirty"])
        .assert_code(0);
    assert_unchanged(&before, &ws.snapshot());
    assert!(
        ws.path()
            .join("target/package/ns-user-0.1.0.crate")
            .is_file()
    );
}

/// A workspace whose files git ignores (laid out under an ignored folder
/// of a repository, as `cargo xtask migrate-real` does under `target/`) is
/// walked, as cargo walks it: git would list none of its files.
#[test]
fn a_workspace_git_ignores_is_packaged_from_its_files() {
    let ws = library();
    ws.write(".gitignore", "*\n!.gitignore\n");
    commit_all(&ws, "only the ignore file");
    let before = ws.snapshot();
    ws.facade(&["package", "-p", "ns-user", "--no-verify"])
        .assert_code(0);
    assert_unchanged(&before, &ws.snapshot());
    unpack(&ws, &ws.path().join("target/package/ns-user-0.1.0.crate"));
    assert!(
        ws.read("unpacked/ns-user-0.1.0/src/lib.rs")
            .contains("foo_bar::"),
        "the lowered source is packaged"
    );
}

/// A family's members, path packages only (cargo packages interdependent
/// members together through its own overlay of the registry, which a
/// replaced registry cannot have): `foo-extra` declares `foo::core`, and
/// documents it in `/*! */` and `/** */` comments; `foo-core` tests with
/// `testkit`, a path dev-dependency without `version` that declares
/// `foo::core` back.
fn family() -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"foo-core\", \"foo-extra\", \"testkit\"]\nexclude = [\"unpacked\"]\nresolver = \"2\"\n",
    );
    let package = |name: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             description = \"{name}\"\nlicense = \"MIT\"\nrepository = \"https://example.org/foo\"\n"
        )
    };
    ws.write(
        "foo-core/Cargo.toml",
        &format!(
            "{}\n[dev-dependencies]\ntestkit = {{ path = \"../testkit\" }}\n",
            package("foo-core")
        ),
    );
    ws.write(
        "foo-core/src/lib.rs",
        "pub fn body() -> u8 {\n    2\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn checked() {\n        assert!(testkit::check());\n    }\n}\n",
    );
    ws.write(
        "testkit/Cargo.toml",
        &format!(
            "{}publish = false\n\n[package.metadata.facade.dependencies]\n\"foo::core\" = {{ path = \"../foo-core\" }}\n",
            package("testkit")
        ),
    );
    ws.write(
        "testkit/src/lib.rs",
        "pub fn check() -> bool {\n    foo::core::body() == 2\n}\n",
    );
    ws.write(
        "foo-extra/Cargo.toml",
        &format!(
            "{}\n[package.metadata.facade.dependencies]\n\"foo::core\" = {{ path = \"../foo-core\", version = \"0.1.0\" }}\n\n\
             [package.metadata.facade-migrate.dependencies]\n\"foo::core\" = {{ key = \"core\", index = 0 }}\n",
            package("foo-extra")
        ),
    );
    ws.write("foo-extra/src/lib.rs", FAMILY_EXTRA);
    ws
}

const FAMILY_EXTRA: &str = "/*! The extra parts of `foo`, over [`foo::core::body`].
 *
 * ```
 * assert_eq!(foo_extra::more(), foo::core::body() + 1);
 * ```
 */

/** One more than [`body`](foo::core::body). */
pub fn more() -> u8 {
    foo::core::body() + 1
}
";

/// `package -p foo-extra -p foo-core` packages the two together, as cargo
/// does interdependent members: `foo-extra` is verified against the lowered
/// `foo-core`; `foo-core`'s path dev-dependency without `version` is left
/// out as cargo leaves it out. The packaged crates are clean: block doc
/// comments lowered, no `[package.metadata.facade*]`, and unpacked side by
/// side they build, test and document with `-D warnings`.
#[test]
fn a_family_packages_together() {
    let ws = family();
    ws.facade(&["sync"]).assert_code(0);
    ws.cargo(&["test", "--workspace"]).assert_code(0);
    let before = ws.snapshot();
    // Alone, `foo-core` packages as with plain cargo: its dev-dependency
    // back into the workspace is left out, not pulled in as a second
    // `foo-core`.
    ws.facade(&["package", "-p", "foo-core"]).assert_code(0);

    let run = ws.facade(&["package", "-p", "foo-extra", "-p", "foo-core"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
    Lowering foo-extra v0.1.0 (foo-extra: 1 namespaced dependency, 4 paths in 1 file)
    Lowering foo-core v0.1.0 (foo-core: 0 namespaced dependencies, 0 paths in 0 files)
  Documented `foo-extra`, `foo-core` (lowered, rustdoc with `-D warnings`)
   Packaging foo-core v0.1.0 ([ROOT]/foo-core)
    Packaged [..] files, [..]
   Packaging foo-extra v0.1.0 ([ROOT]/foo-extra)
    Packaged [..] files, [..]
   Verifying foo-core v0.1.0 ([ROOT]/foo-core)
   Compiling foo-core v0.1.0 ([ROOT]/target/package/foo-core-0.1.0)
    Finished `dev` profile [unoptimized + debuginfo] target(s) in [..]s
   Verifying foo-extra v0.1.0 ([ROOT]/foo-extra)
   Unpacking foo-core v0.1.0 (registry `[ROOT]/target/package/tmp-registry`)
   Compiling foo-core v0.1.0
   Compiling foo-extra v0.1.0 ([ROOT]/target/package/foo-extra-0.1.0)
    Finished `dev` profile [unoptimized + debuginfo] target(s) in [..]s
    Finished lowered crate written to target/package/foo-extra-0.1.0.crate
    Finished lowered crate written to target/package/foo-core-0.1.0.crate

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());

    for krate in ["foo-core-0.1.0", "foo-extra-0.1.0"] {
        unpack(
            &ws,
            &ws.path().join(format!("target/package/{krate}.crate")),
        );
    }
    let manifest = ws.read("unpacked/foo-extra-0.1.0/Cargo.toml");
    assert!(
        manifest.contains("[dependencies.foo_core]\nversion = \"0.1.0\"\npackage = \"foo-core\""),
        "{manifest}"
    );
    let orig = ws.read("unpacked/foo-extra-0.1.0/Cargo.toml.orig");
    for text in [&manifest, &orig] {
        assert!(!text.contains("facade"), "{text}");
    }
    assert!(
        !ws.read("unpacked/foo-core-0.1.0/Cargo.toml")
            .contains("testkit")
    );
    let lib = ws.read("unpacked/foo-extra-0.1.0/src/lib.rs");
    assert_eq!(lib, FAMILY_EXTRA.replace("foo::core::", "foo_core::"));

    // Side by side, the lowered crates build, test and document against
    // each other (the registry's `foo-core` is the unpacked one).
    ws.write(
        "unpacked/Cargo.toml",
        "[workspace]\nmembers = [\"foo-core-0.1.0\", \"foo-extra-0.1.0\"]\nresolver = \"2\"\n\n\
         [patch.crates-io]\nfoo-core = { path = \"foo-core-0.1.0\" }\n",
    );
    let unpacked = ws.path().join("unpacked/Cargo.toml");
    let unpacked = unpacked.to_str().unwrap();
    let test = ws.cargo(&["test", "--manifest-path", unpacked, "-p", "foo-extra"]);
    test.assert_code(0);
    assert!(test.stdout.contains("1 passed"), "doctest: {}", test.stdout);
    let doc = Command::new("cargo")
        .args(["doc", "--offline", "--no-deps", "--manifest-path", unpacked])
        .env("RUSTDOCFLAGS", "-D warnings")
        .env("CARGO_TARGET_DIR", ws.path().join("target"))
        .output()
        .unwrap();
    assert!(
        doc.status.success(),
        "{}",
        String::from_utf8_lossy(&doc.stderr)
    );
}

/// A link that lowering cannot reach (a `#[doc = "…"]` string with an
/// escape, which `migrate` does not write into either) is broken
/// in the lowered copy: rustdoc, run with `-D warnings` before anything is
/// packaged, stops the run at the author's line. Exit 2, nothing packaged.
/// A link that is broken as the author wrote it, before any lowering, is
/// not lowering's doing: rustdoc's complaint is a warning and packaging
/// goes on (plain `cargo package` runs no rustdoc at all).
#[test]
fn a_link_broken_before_lowering_only_warns() {
    let ws = family();
    ws.write(
        "foo-extra/src/lib.rs",
        &format!("{FAMILY_EXTRA}\n/// See [`nowhere_at_all`].\npub fn also() {{}}\n"),
    );
    ws.facade(&["sync"]).assert_code(0);
    let before = ws.snapshot();
    let run = ws.facade(&["package", "-p", "foo-extra", "-p", "foo-core"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains(
            "warning: rustdoc (`-D warnings`) fails on `foo-extra`, `foo-core` as written, \
             before lowering too"
        ) && !run.stderr.contains("Documented"),
        "{}",
        run.stderr
    );
    assert_unchanged(&before, &ws.snapshot());
    assert!(
        ws.path()
            .join("target/package/foo-extra-0.1.0.crate")
            .is_file()
    );
}

#[test]
fn a_link_broken_by_lowering_stops_packaging() {
    let ws = family();
    ws.write(
        "foo-extra/src/lib.rs",
        &format!(
            "{FAMILY_EXTRA}\n#[doc = \"Also [`foo::core::body`] (\\\"the body\\\").\"]\npub fn also() {{}}\n"
        ),
    );
    ws.facade(&["sync"]).assert_code(0);
    ws.cargo(&["doc", "--no-deps", "-p", "foo-extra"])
        .assert_code(0);
    let before = ws.snapshot();
    let run = ws.facade(&["package", "-p", "foo-extra", "-p", "foo-core"]);
    run.assert_code(2);
    assert_data_eq!(
        run.stderr,
        str![[r#"
    Lowering foo-extra v0.1.0 (foo-extra: 1 namespaced dependency, 4 paths in 1 file)
    Lowering foo-core v0.1.0 (foo-core: 0 namespaced dependencies, 0 paths in 0 files)
error: unresolved link to `foo::core::body`
  --> foo-extra/src/lib.rs:13:17
   |
13 | #[doc = "Also [`foo::core::body`] (/"the body/")."]
   |                 ^^^^^^^^^^^^^^^ no item named `foo` in scope
   |
   = note: `-D rustdoc::broken-intra-doc-links` implied by `-D warnings`
   = help: to override `-D warnings` add `#[allow(rustdoc::broken_intra_doc_links)]`

error: could not document `foo-extra`
...
note: reported by rustdoc (`cargo doc` with `-D warnings`) on the lowered copy of `foo-extra`, `foo-core`, before anything was packaged: a link or doctest path that names a child as `foo::bar` must resolve as `foo_bar` once published
note: the lowered copy is in `target/cargo-facade/package`

error: aborting due to the previous error

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    assert!(
        !ws.path()
            .join("target/package/foo-extra-0.1.0.crate")
            .exists()
    );
}

/// A member that declares the root alone has the root crate as its entry
/// (no facade, format 5): the packaged manifest has the declaration as a
/// plain dependency, once, and the packaged crate builds on its own.
#[test]
fn a_root_only_member_packages_its_declaration() {
    let ws = library();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"root-user\"]\nexclude = [\"unpacked\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "root-user/Cargo.toml",
        "[package]\nname = \"root-user\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         description = \"Uses the root\"\nlicense = \"MIT\"\n\n\
         [package.metadata.facade.dependencies]\nfoo = { version = \"1\", features = [\"extra\"] }\n",
    );
    ws.write(
        "root-user/src/lib.rs",
        "pub fn one() -> u8 {\n    foo::root()\n}\n",
    );
    ws.facade(&["sync", "-q"]).assert_code(0);
    assert!(!ws.path().join("facades").exists());
    let manifest = ws.read("root-user/Cargo.toml");
    assert!(
        manifest.contains("[dependencies]\nfoo = { version = \"1\", features = [\"extra\"] } # managed by cargo-facade"),
        "{manifest}"
    );
    ws.cargo(&["build", "-q", "-p", "root-user"]).assert_code(0);

    ws.facade(&["package", "-q", "-p", "root-user"])
        .assert_code(0);
    unpack(&ws, &ws.path().join("target/package/root-user-0.1.0.crate"));
    let packaged = ws.read("unpacked/root-user-0.1.0/Cargo.toml");
    assert_eq!(
        packaged.matches("[dependencies.foo]").count(),
        1,
        "{packaged}"
    );
    assert!(
        packaged.contains("[dependencies.foo]\nversion = \"1\"\nfeatures = [\"extra\"]"),
        "{packaged}"
    );
    assert!(!packaged.contains("managed"), "{packaged}");
    ws.cargo(&[
        "build",
        "-q",
        "--manifest-path",
        "unpacked/root-user-0.1.0/Cargo.toml",
    ])
    .assert_code(0);
}
