//! Adoption (`sync` moving RFC-syntax entries out of the real tables) and
//! `eject` (putting them back): both round trips restore every byte.

use std::process::Command;

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, assert_same_bytes, bytes};

/// DESIGN "Adoption": RFC syntax written directly in `[dependencies]` (and
/// a real `foo` entry, whose name the facade takes) is moved under
/// `[package.metadata.facade]` losslessly, the move is reported, namespaced
/// feature values keep working, and `eject` restores the original bytes.
#[test]
fn sync_adopts_and_eject_restores_the_original() {
    let ws = Fixture::case("adopt");
    let original = bytes(&ws, false);

    let check = ws.facade(&["check"]);
    check.assert_code(1);
    assert!(
        check.stdout.contains("+++ b/app/Cargo.toml"),
        "{}",
        check.stdout
    );

    let run = ws.facade(&["sync"]);
    run.assert_code(0);
    assert_data_eq!(
        run.stderr,
        str![[r#"
  Generating facade foo/self+bar+baz (root + 2 children, for 1 package)
    Adopting adopt-app: `foo`, `foo::bar`, `foo::baz` moved under [package.metadata.facade]
    Updating adopt-app (app/Cargo.toml)
   Recording conflict verdicts (facades/verdicts.toml)
    Finished 1 facade, 1 consumer (4 files written)

"#]]
    );
    assert_data_eq!(
        ws.read("app/Cargo.toml"),
        str![[r#"
[package]
name = "adopt-app"
version = "0.1.0"
edition = "2021"

[package.metadata.facade.dependencies]
# The foo family, written as Cargo will accept it once RFC 3243 lands.
foo = { path = "../crates/foo", features = ["loud"] }
"foo::bar" = { path = "../crates/foo-bar", package = "foo-bar" } # a child
"foo::baz" = { path = "../crates/foo-baz", package = "foo-baz", optional = true }

[package.metadata.facade.features]
std = ["foo::bar/std"]
baz = ["dep:foo::baz"]

[dependencies]
foo = { path = "../facades/foo/self+bar+baz", version = "0.0.0", package = "foo-facade-5a95033e", features = ["self.loud"] } # managed by cargo-facade: edit the declaration, then run `cargo facade sync`

[features]
default = ["std"]
# Namespaced feature syntax keeps working.
std = ["foo/bar.std"] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`
baz = ["foo/baz"] # managed by cargo-facade: edit the declaration, then run `cargo facade sync`

"#]]
    );
    let out = ws.cargo(&["run", "-q", "-p", "adopt-app"]);
    assert_eq!(out.assert_code(0).stdout, "ROOT std=true\n");
    let out = ws.cargo(&[
        "run",
        "-q",
        "-p",
        "adopt-app",
        "--no-default-features",
        "--features",
        "baz",
    ]);
    assert_eq!(out.assert_code(0).stdout, "ROOT std=false\nbaz=3\n");
    ws.facade(&["check"]).assert_code(0);

    let eject = ws.facade(&["eject"]);
    eject.assert_code(0);
    assert!(
        eject.stderr.contains("Ejecting adopt-app (app/Cargo.toml)"),
        "{}",
        eject.stderr
    );
    assert!(
        eject.stderr.contains("Removing facade foo"),
        "{}",
        eject.stderr
    );
    assert_same_bytes(&original, &bytes(&ws, false));
}

/// DESIGN "Commands": "`eject` then `sync` restores the tree byte for byte",
/// here on a workspace written in the mirrored tables from the start.
#[test]
fn eject_then_sync_restores_the_synced_tree() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let synced = bytes(&ws, false);

    ws.facade(&["eject"]).assert_code(0);
    let app = ws.read("app/Cargo.toml");
    // Issue 20.2: the package name goes with the path, as cargo (nightly
    // `open-namespaces`) needs it; `sync` drops it again when adopting.
    assert!(
        app.contains("\"foo::bar\" = { package = \"foo-bar\", path = \"../crates/foo-bar\" }"),
        "{app}"
    );
    assert!(!app.contains("foo-facade"), "{app}");
    assert!(!ws.path().join("facades").exists());

    ws.facade(&["sync"]).assert_code(0);
    assert_same_bytes(&synced, &bytes(&ws, false));
    ws.cargo(&["build", "--locked"]).assert_code(0);
}

/// `eject --dry-run` prints the diff and changes nothing.
#[test]
fn eject_dry_run_changes_nothing() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let before = ws.snapshot();
    let run = ws.facade(&["eject", "--dry-run"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("--- a/facades/foo/self+bar+derive/src/lib.rs\n+++ /dev/null"),
        "{}",
        run.stdout
    );
    crate::support::assert_unchanged(&before, &ws.snapshot());
}

fn nightly_available() -> bool {
    Command::new("cargo")
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn nightly_run(ws: &Fixture, package: &str) -> std::process::Output {
    Command::new("cargo")
        .args(["+nightly", "run", "-q", "-p", package])
        .current_dir(ws.path())
        .env("RUSTFLAGS", "-Z namespaced-crates")
        .env("CARGO_TARGET_DIR", ws.target_dir().join("nightly"))
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .output()
        .expect("run cargo +nightly")
}

/// Forward compatibility, proven: code written against a facade compiles
/// unchanged once the compiler resolves namespaced crates. A root-less
/// `ns::child` consumer builds through the facade on stable, is ejected, and
/// the same sources build on nightly with `-Z namespaced-crates` (rustc's
/// implementation of RFC 3243's `--extern foo::bar=…`), printing the same.
/// The declaration names no `package` (a path child's is read from its
/// manifest); eject writes it, or nightly cargo would look for a package
/// named `ns::child` (issue 20.2).
#[test]
#[allow(clippy::print_stderr)] // the nightly half must say loudly when it cannot run
fn ejected_sources_build_on_nightly_with_namespaced_crates() {
    let ws = Fixture::empty();
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"ns-child\", \"ns\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "ns-child/Cargo.toml",
        "[package]\nname = \"ns-child\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write(
        "ns-child/src/lib.rs",
        "pub fn hi() -> &'static str { \"hi from ns::child\" }\n",
    );
    ws.write(
        "ns/Cargo.toml",
        "[package]\nname = \"ns\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    ws.write(
        "ns/src/lib.rs",
        "pub fn root() -> &'static str { \"root ns\" }\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"fwd-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\n\"ns::child\" = { path = \"../ns-child\" }\n",
    );
    ws.write(
        "app/src/main.rs",
        "fn main() { println!(\"{}\", ns::child::hi()); }\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    let stable = ws.cargo(&["run", "-q", "-p", "fwd-app"]);
    assert_eq!(stable.assert_code(0).stdout, "hi from ns::child\n");
    let sources = std::fs::read(ws.path().join("app/src/main.rs")).unwrap();

    ws.facade(&["eject"]).assert_code(0);
    assert!(ws.read("app/Cargo.toml").contains(
        "[dependencies]\n\"ns::child\" = { package = \"ns-child\", path = \"../ns-child\" }\n"
    ));
    assert_eq!(
        std::fs::read(ws.path().join("app/src/main.rs")).unwrap(),
        sources,
        "eject never touches sources"
    );

    if !nightly_available() {
        // Loud on purpose: this is the one proof a stable-only machine cannot give.
        eprintln!(
            "\n!!! FORWARD-COMPATIBILITY NOT PROVEN: no nightly toolchain (`cargo +nightly`) on this machine.\n\
             !!! Install one (`rustup toolchain install nightly`) to run the nightly half of this test.\n"
        );
        return;
    }
    let nightly = nightly_run(&ws, "fwd-app");
    assert!(
        nightly.status.success(),
        "nightly failed to build the ejected sources:\n{}",
        String::from_utf8_lossy(&nightly.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&nightly.stdout),
        stable.stdout,
        "same output both ways"
    );

    // Root plus child: on the day nightly resolves `ns::child` beside a real
    // `ns` crate, the same must hold; until then, say so loudly.
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"fwd-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nns = { path = \"../ns\" }\n\"ns::child\" = { path = \"../ns-child\", package = \"ns-child\" }\n",
    );
    ws.write(
        "app/src/main.rs",
        "fn main() { println!(\"{} {}\", ns::root(), ns::child::hi()); }\n",
    );
    ws.facade(&["sync"]).assert_code(0);
    let stable = ws.cargo(&["run", "-q", "-p", "fwd-app"]);
    assert_eq!(stable.assert_code(0).stdout, "root ns hi from ns::child\n");
    ws.facade(&["eject"]).assert_code(0);
    let nightly = nightly_run(&ws, "fwd-app");
    if nightly.status.success() {
        assert_eq!(
            String::from_utf8_lossy(&nightly.stdout),
            stable.stdout,
            "same output both ways"
        );
    } else {
        eprintln!(
            "\n!!! root + child NOT YET SUPPORTED by this nightly (the root-less case above passed):\n{}",
            String::from_utf8_lossy(&nightly.stderr)
                .lines()
                .take(6)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
