//! What facades declare for the team tools that read every member (issue
//! 21 item 4), checked offline through cargo itself; `cargo xtask
//! team-tools` runs the real cargo-deny and cargo-hack (`TEAM-TOOLS.md`).

use crate::support::Fixture;

/// `cargo metadata`'s view of a synced workspace: every facade has a
/// license (cargo-deny's license check) and no test or doctest target,
/// and every managed entry has a version requirement, not `*`
/// (cargo-deny's `wildcards = "deny"`).
#[test]
fn facades_declare_a_license_and_managed_entries_a_version() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let run = ws.cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]);
    let metadata: serde_json::Value = serde_json::from_str(&run.assert_code(0).stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let (facades, members): (Vec<_>, Vec<_>) = packages
        .iter()
        .partition(|p| p["name"].as_str().unwrap().contains("-facade-"));
    assert_eq!(facades.len(), 3);
    for facade in &facades {
        assert_eq!(facade["license"], "MIT OR Apache-2.0", "{facade:#}");
        let target = &facade["targets"][0];
        assert_eq!(target["test"], false, "{target:#}");
        assert_eq!(target["doctest"], false, "{target:#}");
    }
    let mut entries = 0;
    for member in &members {
        for dep in member["dependencies"].as_array().unwrap() {
            if dep["name"].as_str().unwrap().contains("-facade-") {
                assert_eq!(dep["req"], "^0.0.0", "{dep:#}");
                entries += 1;
            }
        }
    }
    assert_eq!(entries, 3);
}

/// `cargo test --workspace` runs the members' tests and no empty harness
/// (unit tests or doctests) per facade.
#[test]
fn cargo_test_runs_no_harness_per_facade() {
    let ws = Fixture::case("basic");
    ws.facade(&["sync"]).assert_code(0);
    let run = ws.cargo(&["test", "--workspace", "--locked"]);
    run.assert_code(0);
    let harnesses: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| {
            l.trim_start().starts_with("Running") || l.trim_start().starts_with("Doc-tests")
        })
        .collect();
    assert!(
        harnesses.iter().any(|l| l.contains("Doc-tests foo")),
        "the members' own harnesses run: {harnesses:#?}"
    );
    let facade_harnesses: Vec<&&str> = harnesses.iter().filter(|l| l.contains("facade")).collect();
    assert!(facade_harnesses.is_empty(), "{facade_harnesses:#?}");
}
