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
        "",
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
        "",
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

use foo::{bar::Baz, Root};
pub use foo::bar;

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

const LIB_TOML: &str = r#"[package]
name = "ns-user"
version = "0.1.0"
edition = "2021"
description = "Uses namespace foo"
license = "MIT"

[package.metadata.facade.dependencies]
foo = "1"
"foo::bar" = { version = "1", package = "foo-bar", features = ["shiny"] }
"foo::mac" = { version = "1.0", package = "foo-mac", optional = true }

[package.metadata.facade.target.'cfg(not(windows))'.dependencies]
"foo::derive" = { version = "1", package = "foo-derive" }

[package.metadata.facade.features]
default = ["macros"]
macros = ["dep:foo::mac"]
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
    assert!(
        run.stderr.contains(
            "    Lowering ns-user v0.1.0 (ns-user: 4 namespaced dependencies, "
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("   Verifying ns-user v0.1.0"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("    Finished lowered crate written to target/package/ns-user-0.1.0.crate"),
        "{}",
        run.stderr
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
    ] {
        assert!(manifest.contains(expected), "missing `{expected}` in\n{manifest}");
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
    assert!(!lib.contains("foo::bar") && !lib.contains("foo::mac"), "{lib}");
    assert_eq!(
        lib.lines().count(),
        LIB_RS.lines().count(),
        "lowering keeps every line in place"
    );

    // On its own, against the same registry: unit tests and doctests.
    let test = ws.cargo(&[
        "test",
        "--manifest-path",
        &format!("{unpacked}/Cargo.toml"),
    ]);
    test.assert_code(0);
    assert!(test.stdout.contains("test result: ok. 1 passed"), "{}", test.stdout);
    assert!(test.stdout.contains("test result: ok. 2 passed"), "doctests: {}", test.stdout);
}
