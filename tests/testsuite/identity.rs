//! Stable facade identity (issue 21 item 2): a facade's folder and package
//! name depend on the names it presents and who uses it, never on the
//! versions or features asked of them. The "registry" is a vendored
//! directory source the tests write, so the suite stays offline.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use snapbox::{assert_data_eq, str};

use crate::support::{Fixture, Run, assert_unchanged, bytes};

/// Publishes `name` `version` to the vendored registry: a library whose
/// `version()` says which it is, with an `extra` feature. A namespace's
/// packages share a repository (no ownership warning).
fn publish(ws: &Fixture, name: &str, version: &str) {
    let dir = format!("vendor/{name}-{version}");
    let root = name.split('-').next().unwrap();
    ws.write(
        &format!("{dir}/Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\
             repository = \"https://example.org/{root}\"\n\n[features]\nextra = []\n"
        ),
    );
    ws.write(
        &format!("{dir}/src/lib.rs"),
        &format!(
            "pub fn version() -> &'static str {{ \"{name} {version}\" }}\n\n\
             #[cfg(feature = \"extra\")]\npub fn extra() -> &'static str {{ \"extra\" }}\n"
        ),
    );
    ws.write(
        &format!("{dir}/.cargo-checksum.json"),
        "{\"files\":{},\"package\":null}\n",
    );
}

/// A member `app` declaring registry namespaces `foo` (root and `bar`) and
/// `baz` (`qux`), every package at 1.0.0. The `baz::qux` and `foo::bar`
/// declarations are not on adjacent lines, so that two branches editing one
/// each merge as text.
fn registry_app(main_rs: &str) -> Fixture {
    let ws = Fixture::empty();
    ws.write(
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
    );
    ws.write(".gitignore", "target/\n");
    for name in ["foo", "foo-bar", "baz-qux"] {
        publish(&ws, name, "1.0.0");
    }
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
    );
    ws.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.facade.dependencies]\n\
         \"baz::qux\" = { version = \"1.0.0\", package = \"baz-qux\" }\n\
         foo = \"1.0.0\"\n\
         \"foo::bar\" = { version = \"1.0.0\", package = \"foo-bar\" }\n",
    );
    ws.write("app/src/main.rs", main_rs);
    ws
}

const MAIN_RS: &str = "fn main() {\n    \
    println!(\"{}, {}, {}\", foo::version(), foo::bar::version(), baz::qux::version());\n}\n";

/// Replaces `from` by `to` in the file `rel` (which must contain it).
fn edit(ws: &Fixture, rel: &str, from: &str, to: &str) {
    let text = ws.read(rel);
    assert!(text.contains(from), "`{rel}` lacks `{from}`:\n{text}");
    ws.write(rel, &text.replacen(from, to, 1));
}

/// The files whose bytes differ between two [`bytes`] snapshots, and the
/// ones added or removed.
fn changed(
    before: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
    after: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
) -> BTreeSet<String> {
    let paths: BTreeSet<&PathBuf> = before.keys().chain(after.keys()).collect();
    paths
        .into_iter()
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| p.display().to_string())
        .collect()
}

fn git(ws: &Fixture, args: &[&str]) -> Run {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(["-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"])
        .args(args)
        .current_dir(ws.path())
        .output()
        .expect("run git");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A version bump touches only the facade manifest and `Cargo.lock`: the
/// consumer manifest keeps its managed entries, and no facade folder or
/// package is renamed. A feature change renames nothing either: the
/// consumer's managed entry turns the forwarded feature on, beside the
/// declaration the user just edited in the same manifest.
#[test]
fn a_bump_or_a_feature_change_renames_no_facade() {
    let ws = registry_app(MAIN_RS);
    ws.facade(&["sync"]).assert_code(0);
    let run = ws.cargo(&["run", "--locked", "-q"]);
    assert_eq!(
        run.assert_code(0).stdout,
        "foo 1.0.0, foo-bar 1.0.0, baz-qux 1.0.0\n"
    );
    let entries = ws.read("app/Cargo.toml");
    assert_data_eq!(
        entries.split_once("[dependencies]").unwrap().1,
        str![[r#"

baz = { path = "../facades/baz/qux", version = "0.0.0", package = "baz-facade-[..]" } # managed by cargo-facade: edit the declaration, then run `cargo facade sync`
foo = { path = "../facades/foo/self+bar", version = "0.0.0", package = "foo-facade-[..]" } # managed by cargo-facade: edit the declaration, then run `cargo facade sync`

"#]]
    );

    // A new release, and a bump of `foo::bar` to it.
    publish(&ws, "foo-bar", "1.1.0");
    edit(
        &ws,
        "app/Cargo.toml",
        "{ version = \"1.0.0\", package = \"foo-bar\" }",
        "{ version = \"1.1.0\", package = \"foo-bar\" }",
    );
    let before = bytes(&ws, true);
    ws.facade(&["sync"]).assert_code(0);
    assert_eq!(
        changed(&before, &bytes(&ws, true)),
        BTreeSet::from([
            "Cargo.lock".to_owned(),
            "facades/foo/self+bar/Cargo.toml".to_owned(),
            // The root's conflict verdict, keyed by the child's version.
            "facades/verdicts.toml".to_owned()
        ])
    );
    let run = ws.cargo(&["run", "--locked", "-q"]);
    assert_eq!(
        run.assert_code(0).stdout,
        "foo 1.0.0, foo-bar 1.1.0, baz-qux 1.0.0\n"
    );

    // A feature: the facade forwards it and the managed entry (in the
    // manifest the user edited) turns it on; no file is added or removed,
    // no package renamed.
    edit(
        &ws,
        "app/Cargo.toml",
        "package = \"foo-bar\" }",
        "package = \"foo-bar\", features = [\"extra\"] }",
    );
    edit(
        &ws,
        "app/src/main.rs",
        "foo::bar::version()",
        "foo::bar::extra()",
    );
    let before = bytes(&ws, true);
    ws.facade(&["sync"]).assert_code(0);
    assert_eq!(
        changed(&before, &bytes(&ws, true)),
        BTreeSet::from([
            "app/Cargo.toml".to_owned(),
            "facades/foo/self+bar/Cargo.toml".to_owned(),
            // The root's conflict verdict, keyed by the child's features.
            "facades/verdicts.toml".to_owned()
        ])
    );
    let after = ws.read("app/Cargo.toml");
    let entry = |text: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with("foo = { path"))
            .unwrap();
        let end = line.find("package = ").unwrap() + "package = ".len();
        let len = line[end + 1..].find('"').unwrap() + 2;
        line[..end + len].to_owned()
    };
    assert_eq!(
        entry(&entries),
        entry(&after),
        "the managed entry was renamed"
    );
    let run = ws.cargo(&["run", "--locked", "-q"]);
    assert_eq!(
        run.assert_code(0).stdout,
        "foo 1.0.0, extra, baz-qux 1.0.0\n"
    );
}

/// Two branches bumping different namespaces of one member, each synced,
/// merge with `git merge` without a conflict, and `sync` afterwards has
/// nothing to do: the merged tree is what it would write.
#[test]
fn bumps_of_two_namespaces_on_two_branches_merge_cleanly() {
    let ws = registry_app(MAIN_RS);
    ws.facade(&["sync"]).assert_code(0);
    ws.cargo(&["build", "--locked", "-q"]).assert_code(0);
    publish(&ws, "foo-bar", "1.1.0");
    publish(&ws, "baz-qux", "1.1.0");
    git(&ws, &["init", "-q"]).assert_code(0);
    git(&ws, &["add", "."]).assert_code(0);
    git(&ws, &["commit", "-qm", "synced"]).assert_code(0);

    for (branch, package) in [("bump-bar", "foo-bar"), ("bump-qux", "baz-qux")] {
        git(&ws, &["checkout", "-q", "-b", branch, "main"]).assert_code(0);
        edit(
            &ws,
            "app/Cargo.toml",
            &format!("{{ version = \"1.0.0\", package = \"{package}\" }}"),
            &format!("{{ version = \"1.1.0\", package = \"{package}\" }}"),
        );
        ws.facade(&["sync"]).assert_code(0);
        git(&ws, &["commit", "-qam", branch]).assert_code(0);
    }
    git(&ws, &["checkout", "-q", "main"]).assert_code(0);
    git(&ws, &["merge", "-q", "bump-bar"]).assert_code(0);
    let merge = git(&ws, &["merge", "-q", "--no-edit", "bump-qux"]);
    assert_eq!(
        merge.code,
        0,
        "the bumps conflict:\n{}{}\n{}",
        merge.stdout,
        merge.stderr,
        git(&ws, &["diff"]).stdout
    );

    // The merged tree is synced: `check` agrees and `sync` writes nothing.
    ws.facade(&["check"]).assert_code(0);
    let before = ws.snapshot();
    let again = ws.facade(&["sync"]);
    again.assert_code(0);
    assert_data_eq!(
        again.stderr,
        str![[r#"
       Fresh 2 facades, 1 consumer (nothing to change)

"#]]
    );
    assert_unchanged(&before, &ws.snapshot());
    let run = ws.cargo(&["run", "--locked", "-q"]);
    assert_eq!(
        run.assert_code(0).stdout,
        "foo 1.0.0, foo-bar 1.1.0, baz-qux 1.1.0\n"
    );
}

/// Two members sharing a facade: when the second (by package name) bumps
/// its requirement, the contents differ and the facades split, and the
/// first keeps its facade, folder and package: its manifest is untouched.
/// (Both then build with 1.1.0: Cargo unifies semver-compatible versions,
/// as for direct dependencies.)
#[test]
fn a_member_that_bumps_away_from_a_shared_facade_leaves_the_other_alone() {
    let ws = Fixture::empty();
    ws.write(
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
    );
    publish(&ws, "foo-bar", "1.0.0");
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    );
    for member in ["a", "b"] {
        ws.write(
            &format!("{member}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{member}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [package.metadata.facade.dependencies]\n\
                 \"foo::bar\" = {{ version = \"1.0.0\", package = \"foo-bar\" }}\n"
            ),
        );
        ws.write(
            &format!("{member}/src/main.rs"),
            "fn main() { println!(\"{}\", foo::bar::version()); }\n",
        );
    }
    ws.facade(&["sync"]).assert_code(0);
    assert_eq!(
        ws.read("a/Cargo.toml").lines().last(),
        ws.read("b/Cargo.toml").lines().last()
    );

    publish(&ws, "foo-bar", "1.1.0");
    edit(
        &ws,
        "b/Cargo.toml",
        "version = \"1.0.0\"",
        "version = \"1.1.0\"",
    );
    let before = bytes(&ws, true);
    let run = ws.facade(&["sync"]);
    run.assert_code(0);
    let changed = changed(&before, &bytes(&ws, true));
    assert!(!changed.contains("a/Cargo.toml"), "{changed:?}");
    assert!(
        !changed.contains("facades/foo/bar/Cargo.toml"),
        "{changed:?}"
    );
    assert!(changed.contains("b/Cargo.toml"), "{changed:?}");
    for member in ["a", "b"] {
        let run = ws.cargo(&["run", "--locked", "-q", "-p", member]);
        assert_eq!(run.assert_code(0).stdout, "foo-bar 1.1.0\n");
    }
}
