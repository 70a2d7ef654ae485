//! RFC 3243's root/child conflict rule on every kind of root: "If users
//! import both foo and foo::bar but foo also has a bar item in its API that
//! isn't just foo::bar re-exported, then rustc will error." Each rule has
//! twins: a path root and a root from a vendored directory registry (the
//! offline stand-in for the registry; its sources are wherever cargo put
//! them). A conflict is refused by `sync` and `check` before anything is
//! written (exit 2, every byte and mtime as it was), naming the root's item,
//! the macro or the glob that makes it; everything else builds and runs.

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_unchanged};

/// Where the root and its child come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Path,
    Vendored,
}

const BOTH: [Kind; 2] = [Kind::Path, Kind::Vendored];

/// A namespace `ns` with child `ns::bar` (package `ns-bar`), declared by
/// member `app`. The root's manifest gets `root_extra`, its `lib.rs` is
/// `root_lib`; `root_decl` is added to the root's declaration (e.g.
/// `features = ["x"]`). The root may depend on `other` (`pub mod bar {}`
/// and `pub fn other()`), and on the child itself.
struct Namespace<'a> {
    kind: Kind,
    root_lib: &'a str,
    root_extra: &'a str,
    root_decl: &'a str,
    /// Child segments, each package `ns-<child>` with `pub fn hello() -> u8 { 7 }`.
    children: &'a [&'a str],
    main: &'a str,
}

const MAIN: &str = "fn main() {\n    println!(\"{}\", ns::bar::hello());\n}\n";

impl Namespace<'_> {
    fn build(&self) -> Fixture {
        let ws = Fixture::empty();
        let dep = |name: &str| match self.kind {
            Kind::Path => format!("path = \"../{name}\""),
            Kind::Vendored => "version = \"1\"".to_owned(),
        };
        let mut packages = vec![
            (
                "ns".to_owned(),
                format!(
                    "{}\n[dependencies]\nother = {{ {} }}\n{}",
                    self.root_extra,
                    dep("other"),
                    self.children
                        .iter()
                        .map(|c| format!("ns-{c} = {{ {} }}\n", dep(&format!("ns-{c}"))))
                        .collect::<String>()
                ),
                self.root_lib.to_owned(),
            ),
            (
                "other".to_owned(),
                String::new(),
                "pub mod bar {\n    pub fn other() {}\n}\n".to_owned(),
            ),
        ];
        for child in self.children {
            packages.push((
                format!("ns-{child}"),
                String::new(),
                "pub fn hello() -> u8 { 7 }\n".to_owned(),
            ));
        }
        for (name, extra, lib) in &packages {
            let dir = match self.kind {
                Kind::Path => format!("crates/{name}"),
                Kind::Vendored => format!("vendor/{name}-1.0.0"),
            };
            ws.write(
                &format!("{dir}/Cargo.toml"),
                &format!(
                    "[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n{extra}"
                ),
            );
            ws.write(&format!("{dir}/src/lib.rs"), lib);
            if self.kind == Kind::Vendored {
                ws.write(
                    &format!("{dir}/.cargo-checksum.json"),
                    "{\"files\":{},\"package\":null}\n",
                );
            }
        }
        if self.kind == Kind::Vendored {
            ws.write(
                ".cargo/config.toml",
                "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
            );
        }
        ws.write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
        );
        let src = |name: &str| match self.kind {
            Kind::Path => format!("path = \"../crates/{name}\""),
            Kind::Vendored => format!("version = \"1\", package = \"{name}\""),
        };
        let root_decl = if self.root_decl.is_empty() {
            String::new()
        } else {
            format!(", {}", self.root_decl)
        };
        let mut declarations = format!("ns = {{ {}{root_decl} }}\n", src("ns"));
        for child in self.children {
            declarations.push_str(&format!(
                "\"ns::{child}\" = {{ {} }}\n",
                src(&format!("ns-{child}"))
            ));
        }
        ws.write(
            "app/Cargo.toml",
            &format!(
                "[package]\nname = \"ns-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [package.metadata.facade.dependencies]\n{declarations}"
            ),
        );
        ws.write("app/src/main.rs", self.main);
        ws
    }
}

fn namespace(kind: Kind, root_lib: &str) -> Fixture {
    Namespace {
        kind,
        root_lib,
        root_extra: "",
        root_decl: "",
        children: &["bar"],
        main: MAIN,
    }
    .build()
}

/// `sync` and `check` both exit 2 and leave every byte and mtime as it
/// was; returns `sync`'s stderr.
#[track_caller]
fn refused(ws: &Fixture) -> String {
    let before = ws.snapshot();
    let check = ws.facade(&["check"]);
    check.assert_code(2);
    let sync = ws.facade(&["sync"]);
    sync.assert_code(2);
    assert_unchanged(&before, &ws.snapshot());
    assert_eq!(
        check.stderr.lines().find(|l| l.starts_with("error")),
        sync.stderr.lines().find(|l| l.starts_with("error")),
        "check and sync disagree\n{}\n{}",
        check.stderr,
        sync.stderr
    );
    sync.stderr
}

/// `sync` succeeds, the program prints the child's value, and a second
/// `sync` changes nothing and compiles no probe (`-v` shows every probe).
#[track_caller]
fn builds_and_runs(ws: &Fixture) {
    let first = ws.facade(&["sync", "-v"]);
    assert!(
        first.assert_code(0).stderr.contains("Probing"),
        "{}",
        first.stderr
    );
    let run = ws.cargo(&["run", "-q", "-p", "ns-app"]);
    assert_eq!(run.assert_code(0).stdout, "7\n", "{}", run.stderr);
    let before = ws.snapshot();
    let again = ws.facade(&["sync", "-v"]);
    again.assert_code(0);
    assert!(!again.stderr.contains("Probing"), "{}", again.stderr);
    assert_unchanged(&before, &ws.snapshot());
}

#[track_caller]
fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "expected `{needle}` in\n{text}");
    }
}

/// A plain `pub mod bar {}` in the root: refused, with the root's file and
/// line (in the vendored copy for a registry root), package and version.
#[test]
fn plain_item_is_refused_for_every_root_source() {
    let ws = namespace(Kind::Vendored, "pub fn root() {}\n\npub mod bar {}\n");
    assert_data_eq!(
        refused(&ws),
        str![[r#"
error: root crate `ns` (ns v1.0.0) has its own `bar` (module), which would hide the child `ns::bar`
 --> vendor/ns-1.0.0/src/lib.rs:3:9
  |
3 | pub mod bar {}
  |         ^^^ `ns::bar` is already taken here
  |
 ::: app/Cargo.toml:8:1
  |
8 | "ns::bar" = { version = "1", package = "ns-bar" }
  | --------- child declared here
  |
  = note: RFC 3243: "If users import both foo and foo::bar but foo also has a bar item in its API that isn't just foo::bar re-exported, then rustc will error."
  = help: drop the root declaration `ns`, disable the root feature that makes `bar` (if one does), or declare the child under another name (a re-export of the child, `pub use ns_bar as bar;`, in the root is also fine)

error: aborting due to the previous error; no file was changed

"#]]
    );
    let ws = namespace(Kind::Path, "pub fn root() {}\n\npub mod bar {}\n");
    assert_contains(
        &refused(&ws),
        &[
            "error: root crate `ns` (ns v1.0.0) has its own `bar` (module)",
            "--> crates/ns/src/lib.rs:3:9",
        ],
    );
}

/// `#[cfg(feature = "x")] pub mod bar {}`: absent while `x` is off (the
/// consumer builds and runs), present once the declaration enables `x`
/// (refused, the help names the feature).
#[test]
fn cfg_gated_items_follow_the_resolved_features() {
    let lib = "#[cfg(feature = \"x\")]\npub mod bar {}\n";
    for kind in BOTH {
        let off = Namespace {
            kind,
            root_lib: lib,
            root_extra: "\n[features]\nx = []\n",
            root_decl: "",
            children: &["bar"],
            main: MAIN,
        };
        builds_and_runs(&off.build());
        let on = Namespace {
            root_decl: "features = [\"x\"]",
            ..off
        };
        assert_contains(
            &refused(&on.build()),
            &[
                "has its own `bar` (module), which would hide the child `ns::bar`",
                "2 | pub mod bar {}",
                "features of `ns` as cargo resolves them here: x",
                "disable the root's feature `x` that makes `bar`",
            ],
        );
    }
}

/// An item made by a macro invocation at the root (tokio's `cfg_sync! {
/// pub mod sync; }`) counts; the error points at the invocation.
#[test]
fn macro_made_items_are_refused() {
    let lib = "macro_rules! cfg_x {\n    ($($i:item)*) => { $($i)* };\n}\n\ncfg_x! {\n    pub mod bar {}\n}\n";
    for kind in BOTH {
        assert_contains(
            &refused(&namespace(kind, lib)),
            &[
                "has its own `bar` (made by `cfg_x!`), which would hide the child `ns::bar`",
                "5 | cfg_x! {",
                "this `cfg_x!` makes a `bar`",
            ],
        );
    }
}

/// A glob re-export of another crate that has `pub mod bar` counts; the
/// error points at the glob.
#[test]
fn glob_made_items_are_refused() {
    for kind in BOTH {
        assert_contains(
            &refused(&namespace(kind, "pub use other::*;\n")),
            &[
                "has its own `bar` (brought in by `pub use other::*;`)",
                "1 | pub use other::*;",
                "this glob re-export brings a `bar`",
            ],
        );
    }
}

/// RFC 3243: no error when the root's `bar` "is just foo::bar re-exported"
/// (as `icu` re-exports its components), directly or through a glob of a
/// crate without `bar`; items in other namespaces (`fn bar`) never conflict.
#[test]
fn roots_reexporting_the_child_build() {
    for kind in BOTH {
        let ws = namespace(
            kind,
            "pub use ns_bar as bar;\npub fn root() -> u8 { bar::hello() }\n",
        );
        builds_and_runs(&ws);
    }
    let ws = namespace(Kind::Vendored, "pub fn bar() {}\npub use ns_bar::*;\n");
    builds_and_runs(&ws);
}

/// The verdict is cached by its inputs: a no-op `sync` or `check` runs no
/// probe, and editing the root's sources (a path root) runs it again and
/// finds the new conflict.
#[test]
fn probe_reruns_only_when_its_inputs_change() {
    let ws = namespace(Kind::Path, "pub fn root() {}\n");
    builds_and_runs(&ws);
    let check = ws.facade(&["check", "-v"]);
    assert!(
        !check.assert_code(0).stderr.contains("Probing"),
        "{}",
        check.stderr
    );
    ws.write(
        "crates/ns/src/lib.rs",
        "pub fn root() {}\npub struct bar;\n",
    );
    assert_contains(
        &refused(&ws),
        &[
            "has its own `bar` (struct)",
            "--> crates/ns/src/lib.rs:2:12",
        ],
    );
}

/// Children named like crates of the extern prelude (`ns::core`, `ns::std`)
/// beside a declared root are no conflict: the probe names each child as
/// `self::<child>`, so the built-in `core` and `std` never make it
/// ambiguous. `sync` accepts them, for every root source, and the consumer
/// builds and runs with root and both children (facades v2's guard).
#[test]
fn extern_prelude_named_children_are_no_conflict() {
    for kind in BOTH {
        let ws = Namespace {
            kind,
            root_lib: "pub fn root() -> u8 { 1 }\n",
            root_extra: "",
            root_decl: "",
            children: &["core", "std"],
            main: "fn main() {\n    println!(\"{} {} {}\", ns::root(), ns::core::hello(), ns::std::hello());\n}\n",
        }
        .build();
        let sync = ws.facade(&["sync"]);
        assert!(
            !sync.assert_code(0).stderr.contains("error"),
            "{}",
            sync.stderr
        );
        let run = ws.cargo(&["run", "-q", "-p", "ns-app"]);
        assert_eq!(run.assert_code(0).stdout, "1 7 7\n", "{}", run.stderr);
    }
}

/// A root that does not compile cannot be probed: `sync` warns with
/// cargo's words and goes on (the user's own build reports the root's
/// error), and the failed probe is not cached.
#[test]
fn a_root_that_does_not_compile_is_a_warning() {
    let ws = namespace(Kind::Path, "pub fn root() -> u8 { \"not a number\" }\n");
    let sync = ws.facade(&["sync"]);
    assert_contains(
        &sync.assert_code(0).stderr,
        &[
            "warning: could not check root `ns` against its children for RFC 3243 conflicts",
            "error[E0308]: mismatched types",
        ],
    );
    let again = ws.facade(&["sync"]);
    assert!(
        again
            .assert_code(0)
            .stderr
            .contains("warning: could not check root `ns`")
    );
}

/// Names live in three namespaces: a root *macro* named like a built-in
/// attribute or macro (`test`, `derive`) does not hide a child *module*
/// `test`; rustc resolves `ns::test::hello()` and `ns::test!()` side by
/// side. `sync` accepts it, `check` then says fresh, and the facade (whose
/// guard must not be ambiguous with the built-in `#[test]`) compiles and
/// runs; a root *module* `test` is still refused.
#[test]
fn a_root_macro_named_like_a_built_in_does_not_hide_a_child_module() {
    let lib = "#[macro_export]\nmacro_rules! test {\n    () => { 7 };\n}\n\n\
               #[macro_export]\nmacro_rules! derive {\n    () => { 0 };\n}\n";
    for kind in BOTH {
        let ws = Namespace {
            kind,
            root_lib: lib,
            root_extra: "",
            root_decl: "",
            children: &["test", "derive"],
            main: "fn main() {\n    println!(\"{}\", ns::test::hello() + ns::derive::hello() - ns::test!() + ns::derive!());\n}\n",
        }
        .build();
        ws.facade(&["sync"]).assert_code(0);
        let check = ws.facade(&["check"]);
        assert!(
            check.assert_code(0).stderr.contains("up to date"),
            "{}",
            check.stderr
        );
        let run = ws.cargo(&["run", "-q", "-p", "ns-app"]);
        assert_eq!(run.assert_code(0).stdout, "7\n", "{}", run.stderr);
    }
    let ws = Namespace {
        kind: Kind::Path,
        root_lib: "pub mod test {}\n",
        root_extra: "",
        root_decl: "",
        children: &["test"],
        main: "fn main() {}\n",
    }
    .build();
    assert_contains(
        &refused(&ws),
        &["has its own `test` (module), which would hide the child `ns::test`"],
    );
}

/// The root re-exports the child crate, but another version of it than
/// the declaration asks for (`pub use ns_bar as bar;` of `ns-bar` v1,
/// `"ns::bar"` wants v2): two versions are two crates, so it is refused,
/// saying which version each side has and how to align them (not that the
/// item "is not written at the top of lib.rs"). Aligned, it builds.
#[test]
fn a_root_reexporting_another_version_of_the_child_says_so() {
    let ws = namespace(Kind::Vendored, "pub use ns_bar as bar;\n");
    ws.write(
        "vendor/ns-bar-2.0.0/Cargo.toml",
        "[package]\nname = \"ns-bar\"\nversion = \"2.0.0\"\nedition = \"2021\"\n",
    );
    ws.write(
        "vendor/ns-bar-2.0.0/src/lib.rs",
        "pub fn hello() -> u8 { 7 }\n",
    );
    ws.write(
        "vendor/ns-bar-2.0.0/.cargo-checksum.json",
        "{\"files\":{},\"package\":null}\n",
    );
    let v1 = "\"ns::bar\" = { version = \"1\", package = \"ns-bar\" }";
    let app = ws.read("app/Cargo.toml");
    ws.write(
        "app/Cargo.toml",
        &app.replace(
            v1,
            "\"ns::bar\" = { version = \"2\", package = \"ns-bar\" }",
        ),
    );
    assert_data_eq!(
        refused(&ws),
        str![[r#"
error: root crate `ns` (ns v1.0.0) re-exports `ns-bar` v1.0.0 as `bar`, but the declaration of `ns::bar` asks for `ns-bar` v2.0.0
 --> vendor/ns-1.0.0/src/lib.rs:1:19
  |
1 | pub use ns_bar as bar;
  |                   ^^^ `ns-bar` v1.0.0
  |
 ::: app/Cargo.toml:8:1
  |
8 | "ns::bar" = { version = "2", package = "ns-bar" }
  | --------- `ns-bar` v2.0.0 declared here (`version = "2"`)
  |
  = note: two versions of `ns-bar` are two crates: the root's `bar` is not the declared child
  = note: RFC 3243: "If users import both foo and foo::bar but foo also has a bar item in its API that isn't just foo::bar re-exported, then rustc will error."
  = help: align the declaration with the root, `version = "1.0.0"`, or drop the declaration `ns::bar` and use the root's re-export `ns::bar`

error: aborting due to the previous error; no file was changed

"#]]
    );
    ws.write("app/Cargo.toml", &app);
    builds_and_runs(&ws);
}
