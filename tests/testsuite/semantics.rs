//! Conformance: one end-to-end test per rule of RFC 3243 and of Cargo's
//! dependency semantics that declarations mirror (DESIGN.md, "Declarations"
//! and "Semantics"). Every test syncs a small inline workspace and then
//! proves the rule with real cargo: a program's output, a test run, a
//! dependency graph, or an exact error that exits 2 and leaves the tree
//! untouched. After every successful `sync`, a second one must change
//! nothing and `check` must agree.
//!
//! Fixture builds share one target folder, so every package and binary name
//! carries its test's topic.
//!
//! Not repeated here: a consumer that declares only `foo::bar` builds although
//! no crate `foo` exists (`sync::rootless_namespace_needs_no_root_crate`).

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, MANAGED, assert_unchanged, mask_facade_hashes};

/// A workspace of `members` (more members join as path dependencies).
fn workspace(members: &[&str]) -> Fixture {
    let ws = Fixture::empty();
    ws.write("Cargo.toml", &workspace_manifest(members, ""));
    ws
}

fn workspace_manifest(members: &[&str], extra: &str) -> String {
    let members: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    format!(
        "[workspace]\nmembers = [{}]\nresolver = \"2\"\n{extra}",
        members.join(", ")
    )
}

/// A package in `dir` named `name`: `extra` is appended to its manifest,
/// `source` is its `src/lib.rs` (or `src/main.rs` when `bin`).
fn package(ws: &Fixture, dir: &str, name: &str, extra: &str, file: &str, source: &str) {
    ws.write(
        &format!("{dir}/Cargo.toml"),
        &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}"),
    );
    ws.write(&format!("{dir}/src/{file}"), source);
}

fn lib(ws: &Fixture, dir: &str, name: &str, extra: &str, source: &str) {
    package(ws, dir, name, extra, "lib.rs", source);
}

fn bin(ws: &Fixture, dir: &str, name: &str, extra: &str, source: &str) {
    package(ws, dir, name, extra, "main.rs", source);
}

#[track_caller]
fn sync(ws: &Fixture) {
    ws.facade(&["sync"]).assert_code(0);
}

/// `cargo run -q <args>`: the program's stdout.
#[track_caller]
fn run(ws: &Fixture, args: &[&str]) -> String {
    let mut full = vec!["run", "-q"];
    full.extend_from_slice(args);
    ws.cargo(&full).assert_code(0).stdout.clone()
}

/// The packages in a member's normal dependency graph, one per line.
#[track_caller]
fn tree(ws: &Fixture, args: &[&str]) -> String {
    let mut full = vec!["tree", "-e", "normal", "--prefix", "none", "-f", "{p}"];
    full.extend_from_slice(args);
    let run = ws.cargo(&full);
    run.assert_code(0);
    mask_facade_hashes(
        &run.stdout
            .lines()
            .map(|line| line.split(' ').next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// A second `sync` changes no byte and no mtime (managed `[features]`
/// entries included).
#[track_caller]
fn assert_sync_is_noop(ws: &Fixture) {
    let before = ws.snapshot();
    sync(ws);
    assert_unchanged(&before, &ws.snapshot());
    ws.facade(&["check"]).assert_code(0);
}

/// `sync` fails with exit 2 and writes nothing; returns the stderr.
#[track_caller]
fn sync_fails(ws: &Fixture) -> String {
    let before = ws.snapshot();
    let run = ws.facade(&["sync"]);
    run.assert_code(2);
    assert_unchanged(&before, &ws.snapshot());
    run.stderr
}

/// `cargo build -p <package>` succeeds without a single warning (the
/// generated facade included).
#[track_caller]
fn assert_builds_clean(ws: &Fixture, package: &str) {
    let build = ws.cargo(&["build", "-p", package]);
    build.assert_code(0);
    assert!(!build.stderr.contains("warning"), "{}", build.stderr);
}

// ---------------------------------------------------------------------------
// Dependency kinds and platforms
// ---------------------------------------------------------------------------

/// Cargo: dev-dependencies are "used for compiling tests, examples, and
/// benchmarks" only. `[package.metadata.facade.dev-dependencies]` becomes a
/// managed entry in `[dev-dependencies]`: the child is usable from
/// `#[cfg(test)]` code under `cargo test`, and `cargo build` of the binary
/// never builds it (nor its facade).
#[test]
fn dev_dependencies_are_mirrored_into_dev_dependencies() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "devns-testing",
        "devns-testing",
        "",
        "pub fn fixture() -> u32 { 5 }\n",
    );
    bin(
        &ws,
        "app",
        "dev-app",
        "\n[package.metadata.facade.dev-dependencies]\n\"devns::testing\" = { path = \"../devns-testing\" }\n",
        "fn main() { println!(\"dev-app main\"); }\n\n\
         #[cfg(test)]\nmod tests {\n    #[test]\n    fn child_from_test() {\n        \
         assert_eq!(devns::testing::fixture(), 5);\n    }\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    assert!(
        mask_facade_hashes(&ws.read("app/Cargo.toml")).ends_with(
            &format!("\n[dev-dependencies]\ndevns = {{ path = \"../facades/devns/testing\", version = \"0.0.0\", package = \"devns-facade-[HASH]\" }}{MANAGED}\n")
        ),
        "{}",
        ws.read("app/Cargo.toml")
    );

    let test = ws.cargo(&["test", "-p", "dev-app"]);
    test.assert_code(0);
    assert!(
        test.stdout.contains("test tests::child_from_test ... ok")
            && test.stdout.contains("test result: ok. 1 passed"),
        "{}",
        test.stdout
    );

    // `-v` lists every unit of the build, fresh or not: neither the child
    // nor the facade is one.
    let build = ws.cargo(&["build", "-v", "-p", "dev-app"]);
    build.assert_code(0);
    assert!(build.stderr.contains("dev-app"), "{}", build.stderr);
    assert!(!build.stderr.contains("devns"), "{}", build.stderr);
    assert_eq!(run(&ws, &["-p", "dev-app"]), "dev-app main\n");
}

/// Cargo: build-dependencies are the dependencies of the build script.
/// `[package.metadata.facade.build-dependencies]` becomes a managed entry in
/// `[build-dependencies]`; `build.rs` calls `bns::gen::value()` (`gen`, a
/// 2024 keyword, is the raw `r#gen` in the facade) and passes the result to
/// the program through `cargo:rustc-env`.
#[test]
fn build_dependencies_are_mirrored_into_build_dependencies() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "bns-gen",
        "bns-gen",
        "",
        "pub fn value() -> u32 { 6 * 7 }\n",
    );
    bin(
        &ws,
        "app",
        "build-app",
        "\n[package.metadata.facade.build-dependencies]\n\"bns::gen\" = { path = \"../bns-gen\" }\n",
        "fn main() { println!(\"from build.rs: {}\", env!(\"BUILD_APP_VALUE\")); }\n",
    );
    ws.write(
        "app/build.rs",
        "fn main() { println!(\"cargo:rustc-env=BUILD_APP_VALUE={}\", bns::gen::value()); }\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    assert!(
        mask_facade_hashes(&ws.read("app/Cargo.toml")).ends_with(
            &format!("\n[build-dependencies]\nbns = {{ path = \"../facades/bns/gen\", version = \"0.0.0\", package = \"bns-facade-[HASH]\" }}{MANAGED}\n")
        ),
        "{}",
        ws.read("app/Cargo.toml")
    );
    assert_eq!(run(&ws, &["-p", "build-app"]), "from build.rs: 42\n");
}

/// Cargo: "platform-specific dependencies take the same format, but are
/// listed under a `target` section"; with resolver 2, features of a
/// dependency of another platform are not enabled. The `cfg(windows)` child
/// is a `compile_error!`: the Linux build succeeds, so it is never compiled,
/// while the `cfg(unix)` child of the same namespace is.
#[test]
fn target_specific_children_build_only_on_their_platform() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "tns-unix",
        "tns-unix",
        "",
        "pub fn name() -> &'static str { \"unix child\" }\n",
    );
    lib(
        &ws,
        "tns-win",
        "tns-win",
        "",
        "compile_error!(\"tns::win was compiled on a non-Windows host\");\n",
    );
    bin(
        &ws,
        "app",
        "target-app",
        "\n[package.metadata.facade.target.'cfg(unix)'.dependencies]\n\
         \"tns::unix\" = { path = \"../tns-unix\" }\n\n\
         [package.metadata.facade.target.'cfg(windows)'.dependencies]\n\
         \"tns::win\" = { path = \"../tns-win\" }\n",
        "fn main() {\n    #[cfg(unix)]\n    println!(\"{}\", tns::unix::name());\n    \
         #[cfg(windows)]\n    println!(\"{}\", tns::win::name());\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    let manifest = mask_facade_hashes(&ws.read("app/Cargo.toml"));
    assert!(
        manifest.contains(
            &format!("[target.'cfg(unix)'.dependencies]\ntns = {{ path = \"../facades/tns/unix+win\", version = \"0.0.0\", package = \"tns-facade-[HASH]\", features = [\"unix\"] }}{MANAGED}\n")
        ) && manifest.contains(
            &format!("[target.'cfg(windows)'.dependencies]\ntns = {{ path = \"../facades/tns/unix+win\", version = \"0.0.0\", package = \"tns-facade-[HASH]\", features = [\"win\"] }}{MANAGED}\n")
        ),
        "{manifest}"
    );
    assert_eq!(run(&ws, &["-p", "target-app"]), "unix child\n");
    assert_eq!(
        tree(&ws, &["-p", "target-app"]),
        "target-app\ntns-facade-[HASH]\ntns-unix"
    );
}

// ---------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------

/// RFC 3243 lists namespaces "as an alternative to feature flags for optional
/// subsystems"; Cargo: an `optional = true` dependency is compiled only when
/// a feature enables it (`dep:`). `fancy = ["dep:optns::opt"]` in
/// `[package.metadata.facade.features]` enables the optional child; without
/// it the child is not in the build, while the required child always is.
#[test]
fn optional_children_are_enabled_by_dep_features() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "optns-base",
        "optns-base",
        "",
        "pub fn name() -> &'static str { \"base\" }\n",
    );
    lib(
        &ws,
        "optns-opt",
        "optns-opt",
        "",
        "pub fn name() -> &'static str { \"opt\" }\n",
    );
    bin(
        &ws,
        "app",
        "opt-app",
        "\n[package.metadata.facade.dependencies]\n\
         \"optns::base\" = { path = \"../optns-base\" }\n\
         \"optns::opt\" = { path = \"../optns-opt\", optional = true }\n\n\
         [package.metadata.facade.features]\nfancy = [\"dep:optns::opt\"]\n",
        "fn main() {\n    println!(\"{}\", optns::base::name());\n    \
         #[cfg(feature = \"fancy\")]\n    println!(\"{}\", optns::opt::name());\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    let manifest = mask_facade_hashes(&ws.read("app/Cargo.toml"));
    assert!(
        manifest.contains(
            "optns = { path = \"../facades/optns/base+opt\", version = \"0.0.0\", package = \"optns-facade-[HASH]\" }"
        ) && manifest.contains("fancy = [\"optns/opt\"] # managed by cargo-facade"),
        "{manifest}"
    );

    assert_eq!(run(&ws, &["-p", "opt-app"]), "base\n");
    assert_eq!(
        tree(&ws, &["-p", "opt-app"]),
        "opt-app\noptns-facade-[HASH]\noptns-base"
    );
    assert_eq!(
        run(&ws, &["-p", "opt-app", "--features", "fancy"]),
        "base\nopt\n"
    );
    assert_eq!(
        tree(&ws, &["-p", "opt-app", "--features", "fancy"]),
        "opt-app\noptns-facade-[HASH]\noptns-base\noptns-opt"
    );
}

/// The features-per-consumer child: prints which of its features are on.
fn feature_child(ws: &Fixture) {
    lib(
        ws,
        "featns-child",
        "featns-child",
        "\n[features]\ndefault = [\"std\"]\nstd = []\nextra = []\n",
        "pub fn flags() -> &'static str {\n    \
         match (cfg!(feature = \"std\"), cfg!(feature = \"extra\")) {\n        \
         (true, true) => \"std extra\",\n        (true, false) => \"std\",\n        \
         (false, true) => \"extra\",\n        (false, false) => \"none\",\n    }\n}\n",
    );
}

/// Cargo: `features = [...]` enables features of the dependency and
/// `default-features = false` drops its `default` feature, for that
/// dependent. Two consumers of one child, each built alone, see exactly the
/// features their own declaration asks for, although they share one facade.
#[test]
fn features_and_default_features_are_per_consumer() {
    let ws = workspace(&["with-defaults", "without-defaults"]);
    feature_child(&ws);
    let main = "fn main() { println!(\"{}\", featns::child::flags()); }\n";
    bin(
        &ws,
        "with-defaults",
        "feat-with-defaults",
        "\n[package.metadata.facade.dependencies]\n\
         \"featns::child\" = { path = \"../featns-child\", features = [\"extra\"] }\n",
        main,
    );
    bin(
        &ws,
        "without-defaults",
        "feat-without-defaults",
        "\n[package.metadata.facade.dependencies]\n\
         \"featns::child\" = { path = \"../featns-child\", default-features = false }\n",
        main,
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    assert_eq!(run(&ws, &["-p", "feat-with-defaults"]), "std extra\n");
    assert_eq!(run(&ws, &["-p", "feat-without-defaults"]), "none\n");
    // Built together, Cargo unifies the features as it would for direct
    // dependencies: the opted-out consumer sees the other's features too.
    ws.cargo(&[
        "build",
        "-q",
        "-p",
        "feat-with-defaults",
        "-p",
        "feat-without-defaults",
    ])
    .assert_code(0);
    let unified = std::process::Command::new(ws.target_dir().join("debug/feat-without-defaults"))
        .output()
        .expect("run the unified build");
    assert_eq!(String::from_utf8_lossy(&unified.stdout), "std extra\n");
}

/// Cargo's feature syntax: `"dep/feature"` enables the dependency and its
/// feature; `"dep?/feature"` enables the feature only if something else
/// enables the (optional) dependency. The RFC-syntax values
/// `"featns::child/std"` and `"featns::child?/std"` keep exactly those
/// meanings.
#[test]
fn strong_and_weak_child_features_behave_as_cargo() {
    let ws = workspace(&["app"]);
    feature_child(&ws);
    bin(
        &ws,
        "app",
        "feat-weak-app",
        "\n[package.metadata.facade.dependencies]\n\
         \"featns::child\" = { path = \"../featns-child\", default-features = false, optional = true }\n\n\
         [package.metadata.facade.features]\n\
         on = [\"dep:featns::child\"]\n\
         strong = [\"featns::child/std\"]\n\
         weak = [\"featns::child?/std\"]\n",
        "fn main() {\n    #[cfg(any(feature = \"on\", feature = \"strong\"))]\n    \
         println!(\"child: {}\", featns::child::flags());\n    \
         #[cfg(not(any(feature = \"on\", feature = \"strong\")))]\n    println!(\"child: off\");\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    let app = ["-p", "feat-weak-app", "--features"];
    let with = |features: &str| {
        let mut args = app.to_vec();
        args.push(features);
        run(&ws, &args)
    };
    // `dep:` alone: the child without its default `std`.
    assert_eq!(with("on"), "child: none\n");
    // Strong: enables the child and `std`.
    assert_eq!(with("strong"), "child: std\n");
    // Weak, with the child enabled by another feature: `std` is on.
    assert_eq!(with("on,weak"), "child: std\n");
    // Weak alone: the child stays out of the build.
    assert_eq!(with("weak"), "child: off\n");
    assert_eq!(
        tree(&ws, &["-p", "feat-weak-app", "--features", "weak"]),
        "feat-weak-app"
    );
    assert_eq!(
        tree(&ws, &["-p", "feat-weak-app", "--features", "strong"]),
        "feat-weak-app\nfeatns-facade-[HASH]\nfeatns-child"
    );
}

// ---------------------------------------------------------------------------
// Workspace inheritance
// ---------------------------------------------------------------------------

/// Cargo: a member's `workspace = true` dependency takes the workspace
/// declaration; "`features` are additive with the features from
/// `[workspace.dependencies]`" and `optional` comes from the member.
/// A name missing from the workspace table is an error (exit 2, no file
/// changed).
#[test]
fn workspace_inheritance_merges_features_and_optional() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        &workspace_manifest(
            &["app"],
            "\n[workspace.metadata.facade.dependencies]\n\
             \"wsns::child\" = { path = \"wsns-child\", features = [\"a\"] }\n",
        ),
    );
    lib(
        &ws,
        "wsns-child",
        "wsns-child",
        "\n[features]\na = []\nb = []\nc = []\n",
        "pub fn flags() -> [bool; 3] { [cfg!(feature = \"a\"), cfg!(feature = \"b\"), cfg!(feature = \"c\")] }\n",
    );
    bin(
        &ws,
        "app",
        "ws-inherit-app",
        "\n[package.metadata.facade.dependencies]\n\
         \"wsns::child\" = { workspace = true, features = [\"b\"], optional = true }\n\n\
         [package.metadata.facade.features]\nchild = [\"dep:wsns::child\"]\n",
        "fn main() {\n    #[cfg(feature = \"child\")]\n    \
         println!(\"{:?}\", wsns::child::flags());\n    \
         #[cfg(not(feature = \"child\"))]\n    println!(\"off\");\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    // Optional, from the member.
    assert_eq!(run(&ws, &["-p", "ws-inherit-app"]), "off\n");
    assert_eq!(tree(&ws, &["-p", "ws-inherit-app"]), "ws-inherit-app");
    // Features: the workspace's `a` and the member's `b`, not `c`.
    assert_eq!(
        run(&ws, &["-p", "ws-inherit-app", "--features", "child"]),
        "[true, true, false]\n"
    );

    let manifest = mask_facade_hashes(&ws.read("app/Cargo.toml"));
    ws.write(
        "app/Cargo.toml",
        &manifest.replace(
            "\n[package.metadata.facade.features]",
            "\"wsns::missing\".workspace = true\n\n[package.metadata.facade.features]",
        ),
    );
    assert_data_eq!(
        sync_fails(&ws),
        str![[r#"
error: `wsns::missing` inherits from the workspace, but `[workspace.metadata.facade.dependencies]` has no `wsns::missing`
 --> app/Cargo.toml:8:1
  |
8 | "wsns::missing".workspace = true
  | ^^^^^^^^^^^^^^^ `workspace = true` here
  |
  = help: declare `"wsns::missing"` in `[workspace.metadata.facade.dependencies]` of `[ROOT]/Cargo.toml`

error: aborting due to the previous error; no file was changed

"#]]
    );
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// DESIGN: "the module is the segment with `-` turned into `_`; a keyword
/// segment becomes a raw identifier". `kw::type` is `kw::r#type`, `kw::gen`
/// is `kw::r#gen` in a 2024 crate, and `kw::bar-baz` is `kw::bar_baz`.
#[test]
fn keyword_and_dashed_children_become_rust_identifiers() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "kw-type",
        "kw-type",
        "",
        "pub const NAME: &str = \"type\";\n",
    );
    lib(
        &ws,
        "kw-gen",
        "kw-gen",
        "",
        "pub const NAME: &str = \"gen\";\n",
    );
    lib(
        &ws,
        "kw-bar-baz",
        "kw-bar-baz",
        "",
        "pub const NAME: &str = \"bar-baz\";\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"names-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [package.metadata.facade.dependencies]\n\
         \"kw::type\" = { path = \"../kw-type\" }\n\
         \"kw::gen\" = { path = \"../kw-gen\" }\n\
         \"kw::bar-baz\" = { path = \"../kw-bar-baz\" }\n",
    );
    ws.write(
        "app/src/main.rs",
        "use kw::r#type::NAME as TYPE;\n\n\
         fn main() {\n    println!(\"{TYPE} {} {}\", kw::r#gen::NAME, kw::bar_baz::NAME);\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    assert_eq!(run(&ws, &["-p", "names-app"]), "type gen bar-baz\n");
}

/// RFC 3243: "For now, we will restrict package names to having a single ::
/// in them, not at the beginning or end of the name". Segments that no Rust
/// path can name (`self`, `super`, `crate`, `Self`, `_`), a keyword root
/// (no crate can be named `type`), and two names that are the same module
/// (`bar-baz`, `bar_baz`) are errors too, all reported in one run.
#[test]
fn invalid_names_are_rejected_together() {
    let ws = workspace(&["app"]);
    lib(&ws, "bad-dash", "bad-dash", "", "");
    lib(&ws, "bad-under", "bad-under", "", "");
    bin(
        &ws,
        "app",
        "names-bad-app",
        "\n[package.metadata.facade.dependencies]\n\
         \"bad::bar::baz\" = \"1\"\n\
         \"::x\" = \"1\"\n\
         \"bad::\" = \"1\"\n\
         \"bad::self\" = \"1\"\n\
         \"bad::_\" = \"1\"\n\
         \"bad::super\" = \"1\"\n\
         \"bad::crate\" = \"1\"\n\
         \"bad::Self\" = \"1\"\n\
         \"type::x\" = \"1\"\n\
         \"bad::bar-baz\" = { path = \"../bad-dash\" }\n\
         \"bad::bar_baz\" = { path = \"../bad-under\" }\n",
        "fn main() {}\n",
    );
    assert_data_eq!(
        sync_fails(&ws),
        str![[r#"
error: invalid namespaced name: `bad::bar::baz` nests namespaces 2 levels deep
 --> app/Cargo.toml:7:1
  |
7 | "bad::bar::baz" = "1"
  | ^^^^^^^^^^^^^^^ declared here
  |
  = note: RFC 3243: "For now, we will restrict package names to having a single `::` in them, not at the beginning or end of the name"
  = help: declare at most one level, e.g. `bad::bar-baz`

error: invalid namespaced name: `::x` has `::` at its start or end
 --> app/Cargo.toml:8:1
  |
8 | "::x" = "1"
  | ^^^^^ declared here
  |
  = note: RFC 3243: "For now, we will restrict package names to having a single `::` in them, not at the beginning or end of the name"
  = help: write the name as `<root>::<child>`, e.g. `foo::bar`

error: invalid namespaced name: `bad::` has `::` at its start or end
 --> app/Cargo.toml:9:1
  |
9 | "bad::" = "1"
  | ^^^^^^^ declared here
  |
  = note: RFC 3243: "For now, we will restrict package names to having a single `::` in them, not at the beginning or end of the name"
  = help: write the name as `<root>::<child>`, e.g. `foo::bar`

error: invalid namespaced name: `bad::self`: `self` cannot name a child
  --> app/Cargo.toml:10:1
   |
10 | "bad::self" = "1"
   | ^^^^^^^^^^^ declared here
   |
   = note: `self` is a path keyword that no Rust path can use as a module name, not even as a raw identifier
   = help: choose another name

error: invalid namespaced name: `bad::_`: `_` cannot name a child
  --> app/Cargo.toml:11:1
   |
11 | "bad::_" = "1"
   | ^^^^^^^^ declared here
   |
   = note: `_` is a path keyword that no Rust path can use as a module name, not even as a raw identifier
   = help: choose another name

error: invalid namespaced name: `bad::super`: `super` cannot name a child
  --> app/Cargo.toml:12:1
   |
12 | "bad::super" = "1"
   | ^^^^^^^^^^^^ declared here
   |
   = note: `super` is a path keyword that no Rust path can use as a module name, not even as a raw identifier
   = help: choose another name

error: invalid namespaced name: `bad::crate`: `crate` cannot name a child
  --> app/Cargo.toml:13:1
   |
13 | "bad::crate" = "1"
   | ^^^^^^^^^^^^ declared here
   |
   = note: `crate` is a path keyword that no Rust path can use as a module name, not even as a raw identifier
   = help: choose another name

error: invalid namespaced name: `bad::Self`: `Self` cannot name a child
  --> app/Cargo.toml:14:1
   |
14 | "bad::Self" = "1"
   | ^^^^^^^^^^^ declared here
   |
   = note: `Self` is a path keyword that no Rust path can use as a module name, not even as a raw identifier
   = help: choose another name

error: invalid namespaced name: `type::x`: namespace root `type` is a Rust keyword
  --> app/Cargo.toml:15:1
   |
15 | "type::x" = "1"
   | ^^^^^^^^^ declared here
   |
   = note: a crate cannot be named with a keyword, so no facade can present it
   = help: choose another namespace root

error: `bad::bar_baz` and `bad::bar-baz` are the same module `bad::bar_baz`
  --> app/Cargo.toml:17:1
   |
16 | "bad::bar-baz" = { path = "../bad-dash" }
   | -------------- and here
17 | "bad::bar_baz" = { path = "../bad-under" }
   | ^^^^^^^^^^^^^^ declared here
   |
   = help: `-` and `_` are the same in Rust paths; keep one of the two names

error: aborting due to 10 previous errors; no file was changed

"#]]
    );
}

// ---------------------------------------------------------------------------
// Conflicts between the root and its children
// ---------------------------------------------------------------------------

/// RFC 3243: "If users import both foo and foo::bar but foo also has a bar
/// item in its API that isn't just foo::bar re-exported, then rustc will
/// error." A root module, struct or `use` re-export named like a child is
/// reported before anything is written, naming the root's `lib.rs` line and
/// the declaration.
#[test]
fn root_items_named_like_children_are_errors() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "cf",
        "cf",
        "",
        "pub mod bar {}\n\npub struct baz;\n\npub use core::fmt as qux;\n",
    );
    for child in ["bar", "baz", "qux"] {
        lib(&ws, &format!("cf-{child}"), &format!("cf-{child}"), "", "");
    }
    bin(
        &ws,
        "app",
        "conflict-app",
        "\n[package.metadata.facade.dependencies]\n\
         cf = { path = \"../cf\" }\n\
         \"cf::bar\" = { path = \"../cf-bar\" }\n\
         \"cf::baz\" = { path = \"../cf-baz\" }\n\
         \"cf::qux\" = { path = \"../cf-qux\" }\n",
        "fn main() {}\n",
    );
    assert_data_eq!(
        sync_fails(&ws),
        str![[r#"
error: root crate `cf` (cf v0.1.0) has its own `bar` (module), which would hide the child `cf::bar`
 --> cf/src/lib.rs:1:9
  |
1 | pub mod bar {}
  |         ^^^ `cf::bar` is already taken here
  |
 ::: app/Cargo.toml:8:1
  |
8 | "cf::bar" = { path = "../cf-bar" }
  | --------- child declared here
  |
  = note: RFC 3243: "If users import both foo and foo::bar but foo also has a bar item in its API that isn't just foo::bar re-exported, then rustc will error."
  = help: drop the root declaration `cf`, disable the root feature that makes `bar` (if one does), or declare the child under another name (a re-export of the child, `pub use cf_bar as bar;`, in the root is also fine)

error: root crate `cf` (cf v0.1.0) has its own `baz` (struct), which would hide the child `cf::baz`
 --> cf/src/lib.rs:3:12
  |
3 | pub struct baz;
  |            ^^^ `cf::baz` is already taken here
  |
 ::: app/Cargo.toml:9:1
  |
9 | "cf::baz" = { path = "../cf-baz" }
  | --------- child declared here
  |
  = note: RFC 3243: "If users import both foo and foo::bar but foo also has a bar item in its API that isn't just foo::bar re-exported, then rustc will error."
  = help: drop the root declaration `cf`, disable the root feature that makes `baz` (if one does), or declare the child under another name (a re-export of the child, `pub use cf_baz as baz;`, in the root is also fine)

error: root crate `cf` (cf v0.1.0) has its own `qux` (`use` re-export), which would hide the child `cf::qux`
  --> cf/src/lib.rs:5:22
   |
 5 | pub use core::fmt as qux;
   |                      ^^^ `cf::qux` is already taken here
   |
  ::: app/Cargo.toml:10:1
   |
10 | "cf::qux" = { path = "../cf-qux" }
   | --------- child declared here
   |
   = note: RFC 3243: "If users import both foo and foo::bar but foo also has a bar item in its API that isn't just foo::bar re-exported, then rustc will error."
   = help: drop the root declaration `cf`, disable the root feature that makes `qux` (if one does), or declare the child under another name (a re-export of the child, `pub use cf_qux as qux;`, in the root is also fine)

error: aborting due to 3 previous errors; no file was changed

"#]]
    );
}

/// RFC 3243: no error when "that module is not just a reexport of crate
/// foo::bar". A root that depends on the child and re-exports it as
/// `pub use reex_bar as bar;` syncs, builds, and `reex::bar::X` resolves
/// to the one child item.
#[test]
fn root_reexporting_the_child_is_allowed() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "reex-bar",
        "reex-bar",
        "",
        "pub struct X;\nimpl X { pub const ID: u32 = 9; }\n",
    );
    lib(
        &ws,
        "reex",
        "reex",
        "\n[dependencies]\nreex-bar = { path = \"../reex-bar\" }\n",
        "pub use reex_bar as bar;\n\npub fn via_root() -> bar::X { bar::X }\n",
    );
    bin(
        &ws,
        "app",
        "reex-app",
        "\n[package.metadata.facade.dependencies]\n\
         reex = { path = \"../reex\" }\n\
         \"reex::bar\" = { path = \"../reex-bar\" }\n",
        "fn main() {\n    let _same_type: reex::bar::X = reex::via_root();\n    println!(\"{}\", reex::bar::X::ID);\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    assert_builds_clean(&ws, "reex-app");
    assert_eq!(run(&ws, &["-p", "reex-app"]), "9\n");
}

/// A root `fn bar` (value namespace) and `macro_rules! bar` (macro
/// namespace) do not take the module `bar` (type namespace): RFC 3243's
/// error is for "a bar item" that rustc would resolve in place of the
/// child. All three are usable side by side in one consumer.
#[test]
fn root_functions_and_macros_do_not_conflict() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "nc-bar",
        "nc-bar",
        "",
        "pub struct Baz;\nimpl Baz { pub const ID: u32 = 2; }\n",
    );
    lib(
        &ws,
        "nc",
        "nc",
        "",
        "pub fn bar() -> u32 { 1 }\n\n#[macro_export]\nmacro_rules! bar {\n    () => {\n        3\n    };\n}\n",
    );
    bin(
        &ws,
        "app",
        "nc-app",
        "\n[package.metadata.facade.dependencies]\n\
         nc = { path = \"../nc\" }\n\
         \"nc::bar\" = { path = \"../nc-bar\" }\n",
        "fn main() {\n    println!(\"{} {} {}\", nc::bar(), nc::bar::Baz::ID, nc::bar!());\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    assert_builds_clean(&ws, "nc-app");
    assert_eq!(run(&ws, &["-p", "nc-app"]), "1 2 3\n");
}

// ---------------------------------------------------------------------------
// Macros and proc macros
// ---------------------------------------------------------------------------

/// RFC 3243: "rustc will include this crate during resolution as if it were a
/// module bar living under crate foo." So a child's `macro_rules!` reaches
/// its own `#[doc(hidden)]` helpers through `$crate`, a function-like proc
/// macro is called as `macns::macros::make!()`, an attribute as
/// `#[macns::macros::tag]`, and a derive's output may itself name the
/// namespace (`::macns::util::Describe`).
#[test]
fn child_macros_and_proc_macros_work_through_the_facade() {
    let ws = workspace(&["app"]);
    lib(
        &ws,
        "macns-util",
        "macns-util",
        "",
        "#[doc(hidden)]\npub mod __private {\n    pub fn helper(x: u32) -> u32 {\n        x + 100\n    }\n}\n\n\
         pub trait Describe {\n    fn describe() -> &'static str;\n}\n\n\
         #[macro_export]\nmacro_rules! add_hundred {\n    ($x:expr) => {\n        $crate::__private::helper($x)\n    };\n}\n",
    );
    lib(
        &ws,
        "macns-macros",
        "macns-macros",
        "\n[lib]\nproc-macro = true\n",
        "extern crate proc_macro;\nuse proc_macro::TokenStream;\n\n\
         #[proc_macro]\npub fn make(_: TokenStream) -> TokenStream {\n    \
         \"fn made() -> &'static str { \\\"made\\\" }\".parse().unwrap()\n}\n\n\
         #[proc_macro_attribute]\npub fn tag(_: TokenStream, item: TokenStream) -> TokenStream {\n    \
         let mut out: TokenStream = \"#[allow(dead_code)] const TAGGED: bool = true;\".parse().unwrap();\n    \
         out.extend(item);\n    out\n}\n\n\
         #[proc_macro_derive(Describe)]\npub fn describe(input: TokenStream) -> TokenStream {\n    \
         let name = input\n        .into_iter()\n        .skip_while(|t| t.to_string() != \"struct\")\n        \
         .nth(1)\n        .expect(\"a struct\")\n        .to_string();\n    \
         format!(\"impl ::macns::util::Describe for {name} {{ fn describe() -> &'static str {{ \\\"{name}\\\" }} }}\")\n        \
         .parse()\n        .unwrap()\n}\n",
    );
    bin(
        &ws,
        "app",
        "macns-app",
        "\n[package.metadata.facade.dependencies]\n\
         \"macns::util\" = { path = \"../macns-util\" }\n\
         \"macns::macros\" = { path = \"../macns-macros\" }\n",
        "use macns::util::Describe;\n\n\
         macns::macros::make!();\n\n\
         #[derive(macns::macros::Describe)]\nstruct Widget;\n\n\
         #[macns::macros::tag]\nfn tagged() -> bool {\n    TAGGED\n}\n\n\
         fn main() {\n    println!(\"{}\", macns::util::add_hundred!(1));\n    \
         println!(\"{}\", made());\n    println!(\"{}\", Widget::describe());\n    \
         println!(\"{}\", tagged());\n}\n",
    );
    sync(&ws);
    assert_sync_is_noop(&ws);
    assert_eq!(run(&ws, &["-p", "macns-app"]), "101\nmade\nWidget\ntrue\n");
}
