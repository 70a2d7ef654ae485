//! Real crate families (issue 17): a family's published crates at pinned
//! versions, their sources fetched by cargo itself (`cargo vendor` of a
//! scratch project), laid out as one workspace whose members depend on each
//! other by path as their repository has them, then migrated with all the
//! family's specs in one run and back in one.
//!
//! Per family, under `target/migrate-real/family-<name>`:
//!
//! 1. the workspace is written and locked, and must pass `cargo check
//!    --workspace --lib` and `cargo doc` with `-D warnings` as it is; every member's `cargo tree -e
//!    normal` (default features, none, each feature) is recorded;
//! 2. one `migrate` with every spec: members migrated, paths rewritten, and
//!    what was refused (its warnings and errors); then `cargo facade check`,
//!    the normal trees again (the facades left out: they are the only
//!    packages migrate adds), `cargo check --workspace --lib` and the docs;
//!    then `cargo facade package` with every member at once: lowered,
//!    staged together and verified by cargo (each `.crate` built against its
//!    lowered siblings), the working tree untouched;
//! 3. one `migrate --reverse`, then every file compared with step 1's
//!    bytes, `Cargo.lock` included.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use toml_edit::{DocumentMut, Item};

use super::{Cell, Sh, files, first_error};

/// A real family.
pub struct Family {
    pub name: &'static str,
    /// Where it comes from and what it exercises.
    pub shape: &'static str,
    /// Its published crates, pinned: (package, version); the root first.
    pub crates: &'static [(&'static str, &'static str)],
    /// `root::child=package`, every child.
    pub specs: &'static [&'static str],
}

pub const STEPS: [&str; 9] = [
    "migrate",
    "refused",
    "check",
    "normal trees",
    "packages before → after",
    "cargo check (libs)",
    "doc -D warnings",
    "package -p … (together, verified)",
    "reverse: bytes",
];

pub fn families() -> Vec<Family> {
    vec![
        Family {
            name: "regex",
            shape: "rust-lang/regex: `regex` uses `regex-syntax` and `regex-automata`, \
                    `regex-automata` uses `regex-syntax` (optional, behind features), \
                    `regex-lite` stands alone; thousands of doctests and intra-doc links",
            crates: &[
                ("regex", "1.13.2"),
                ("regex-syntax", "0.8.12"),
                ("regex-automata", "0.4.19"),
                ("regex-lite", "0.1.9"),
            ],
            specs: &[
                "regex::syntax=regex-syntax",
                "regex::automata=regex-automata",
                "regex::lite=regex-lite",
            ],
        },
        Family {
            name: "axum",
            shape: "tokio-rs/axum: `axum` uses `axum-core` and the optional proc-macro \
                    `axum-macros`; `axum-extra` uses the root and `axum-core`; \
                    `axum-macros` has the root as a dev-dependency",
            crates: &[
                ("axum", "0.8.9"),
                ("axum-core", "0.5.6"),
                ("axum-extra", "0.12.6"),
                ("axum-macros", "0.5.1"),
            ],
            specs: &[
                "axum::core=axum-core",
                "axum::extra=axum-extra",
                "axum::macros=axum-macros",
            ],
        },
    ]
}

const DOC: [&str; 3] = ["doc", "--no-deps", "--workspace"];

/// Runs one family; its cells, one per [`STEPS`].
pub(super) fn run_family(
    family: &Family,
    base: &Path,
    target: &Path,
    cargo: &str,
    facade: &Path,
) -> anyhow::Result<Vec<Cell>> {
    let dir = base.join(format!("family-{}", family.name));
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("failed to clear {}", dir.display()))?;
    }
    let sources = fetch(family, &base.join(format!("fetch-{}", family.name)), cargo)?;
    lay_out(family, &sources, &dir)?;
    let sh = Sh {
        dir: &dir,
        target,
        cargo,
    };
    sh.cargo(&["generate-lockfile"], &[])?
        .expect("lock the family")?;
    // Every locked package, so that `cargo tree --offline` sees each feature's.
    sh.cargo(&["fetch"], &[])?
        .expect("fetch the family's dependencies")?;
    // Published crates lack their repository's test data, so libraries only.
    sh.cargo(&["check", "--workspace", "--lib"], &[])?
        .expect("the family as published")?;
    // Some families' docs need features docs.rs turns on: then the step
    // says so instead of judging the migration.
    let doc_before = sh.cargo(&DOC, &[("RUSTDOCFLAGS", "-D warnings")])?;
    let members: Vec<&str> = family.crates.iter().map(|(name, _)| *name).collect();
    let trees_before = normal_trees(&sh, &members)?;
    let before = files(&dir)?;

    let mut cells = Vec::new();
    let mut args = vec!["facade", "migrate"];
    args.extend(family.specs);
    let forward = sh.run(Command::new(facade).args(&args))?;
    cells.push(if forward.ok {
        let migrated = forward
            .stderr
            .lines()
            .filter(|l| l.trim_start().starts_with("Migrating"))
            .count();
        let summary = forward.summary(&before, &dir)?;
        Cell::ok(format!("{migrated} migrated; {}", summary.text))
    } else {
        Cell::fail(first_error(&forward.stderr))
    });
    cells.push(Cell::ok(refused(&forward.stderr)));
    if !forward.ok {
        cells.extend(STEPS[2..].iter().map(|_| Cell::skipped()));
        return Ok(cells);
    }
    cells.push(
        sh.run(Command::new(facade).args(["facade", "check"]))?
            .cell(),
    );
    let trees_after = normal_trees(&sh, &members)?;
    let differ: Vec<&String> = trees_before
        .keys()
        .filter(|k| trees_before.get(*k) != trees_after.get(*k))
        .collect();
    cells.push(if differ.is_empty() {
        Cell::ok(format!("identical ({} sets)", trees_before.len()))
    } else {
        for key in &differ {
            eprintln!(
                "    tree `{key}` differs:\n--- before\n{}\n--- after\n{}",
                trees_before[*key],
                trees_after.get(*key).map_or("", String::as_str)
            );
        }
        Cell::fail(format!(
            "{} of {} sets differ (first: `{}`)",
            differ.len(),
            trees_before.len(),
            differ[0]
        ))
    });
    let counts: Vec<String> = members
        .iter()
        .map(|m| {
            let key = format!("{m} default");
            let count =
                |trees: &BTreeMap<String, String>| trees.get(&key).map_or(0, |t| t.lines().count());
            format!("{m} {} → {}", count(&trees_before), count(&trees_after))
        })
        .collect();
    cells.push(Cell::ok(counts.join(", ")));
    cells.push(sh.cargo(&["check", "--workspace", "--lib"], &[])?.cell());
    cells.push(if doc_before.ok {
        sh.cargo(&DOC, &[("RUSTDOCFLAGS", "-D warnings")])?.cell()
    } else {
        Cell::ok(format!(
            "not judged: fails as published ({})",
            first_error(&doc_before.stderr)
        ))
    });
    let mut args = vec!["facade", "package", "--allow-dirty"];
    for member in &members {
        args.extend(["-p", member]);
    }
    let packaged = sh.run(Command::new(facade).args(&args))?;
    cells.push(if packaged.ok {
        let verified = packaged
            .stderr
            .lines()
            .filter(|l| l.trim_start().starts_with("Verifying"))
            .count();
        Cell::ok(format!("{verified} of {} verified by cargo", members.len()))
    } else {
        Cell::fail(first_error(&packaged.stderr))
    });

    let mut args = vec!["facade", "migrate", "--reverse"];
    args.extend(family.specs);
    let back = sh.run(Command::new(facade).args(&args))?;
    cells.push(if back.ok {
        let after = files(&dir)?;
        let differ: Vec<String> = before
            .keys()
            .chain(after.keys())
            .filter(|p| before.get(*p) != after.get(*p))
            .map(|p| p.display().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if differ.is_empty() {
            Cell::ok(format!("identical ({} files)", before.len()))
        } else {
            Cell::fail(format!("differ: {}", differ.join(", ")))
        }
    } else {
        back.cell()
    });
    Ok(cells)
}

/// The published sources of the family's crates, by package, fetched by
/// `cargo vendor` of a scratch project that pins them.
pub(crate) fn fetch(
    family: &Family,
    scratch: &Path,
    cargo: &str,
) -> anyhow::Result<BTreeMap<String, PathBuf>> {
    if scratch.exists() {
        fs::remove_dir_all(scratch)?;
    }
    fs::create_dir_all(scratch.join("src"))?;
    fs::write(scratch.join("src/lib.rs"), "")?;
    let mut manifest = String::from(
        "[package]\nname = \"fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\n",
    );
    for (name, version) in family.crates {
        let _ = writeln!(manifest, "{name} = \"={version}\"");
    }
    fs::write(scratch.join("Cargo.toml"), manifest)?;
    let output = Command::new(cargo)
        .args(["vendor", "--quiet", "--versioned-dirs", "vendor"])
        .current_dir(scratch)
        .output()
        .context("failed to run cargo vendor")?;
    if !output.status.success() {
        bail!(
            "cargo vendor of {} failed:\n{}",
            family.name,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(family
        .crates
        .iter()
        .map(|(name, version)| {
            (
                (*name).to_owned(),
                scratch.join("vendor").join(format!("{name}-{version}")),
            )
        })
        .collect())
}

/// One workspace, a folder per crate, each dependency on a member also by
/// path (keeping its version requirement, as the repositories write them).
pub(crate) fn lay_out(
    family: &Family,
    sources: &BTreeMap<String, PathBuf>,
    dir: &Path,
) -> anyhow::Result<()> {
    let members: Vec<&str> = family.crates.iter().map(|(name, _)| *name).collect();
    fs::create_dir_all(dir)?;
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            members
                .iter()
                .map(|m| format!("\"{m}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )?;
    for member in &members {
        let to = dir.join(member);
        copy_dir(&sources[*member], &to)?;
        // cargo vendor's checksums; the registry's own records of the upload.
        for extra in [
            ".cargo-checksum.json",
            ".cargo_vcs_info.json",
            "Cargo.toml.orig",
        ] {
            let _ = fs::remove_file(to.join(extra));
        }
        let path = to.join("Cargo.toml");
        let mut doc: DocumentMut = fs::read_to_string(&path)?.parse()?;
        let mut tables: Vec<&mut Item> = Vec::new();
        let (targets, rest): (Vec<_>, Vec<_>) = doc
            .as_table_mut()
            .iter_mut()
            .partition(|(key, _)| key.get() == "target");
        for (key, item) in rest {
            if key.get().ends_with("dependencies") {
                tables.push(item);
            }
        }
        for (_, item) in targets {
            if let Some(platforms) = item.as_table_like_mut() {
                for (_, platform) in platforms.iter_mut() {
                    if let Some(platform) = platform.as_table_like_mut() {
                        for (key, item) in platform.iter_mut() {
                            if key.get().ends_with("dependencies") {
                                tables.push(item);
                            }
                        }
                    }
                }
            }
        }
        for table in tables {
            let Some(table) = table.as_table_like_mut() else {
                continue;
            };
            for (key, entry) in table.iter_mut() {
                let Some(entry) = entry.as_table_like_mut() else {
                    continue;
                };
                let package = entry
                    .get("package")
                    .and_then(Item::as_str)
                    .unwrap_or(key.get())
                    .to_owned();
                if members.contains(&package.as_str()) {
                    entry.insert("path", toml_edit::value(format!("../{package}")));
                }
            }
        }
        fs::write(&path, doc.to_string())?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("failed to read {}", from.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Every member's `cargo tree -e normal` with default features, none and
/// each feature: real packages and their features, facades left out.
fn normal_trees(sh: &Sh<'_>, members: &[&str]) -> anyhow::Result<BTreeMap<String, String>> {
    let metadata = sh.cargo(
        &[
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ],
        &[],
    )?;
    let json: serde_json::Value = serde_json::from_str(&metadata.stdout)?;
    let mut trees = BTreeMap::new();
    for member in members {
        let features: Vec<String> = json["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["name"] == *member)
            .flat_map(|p| p["features"].as_object().into_iter().flatten())
            .map(|(name, _)| name.clone())
            .filter(|name| name != "default")
            .collect();
        let mut sets = vec![
            ("default".to_owned(), vec![]),
            ("none".to_owned(), vec!["--no-default-features".to_owned()]),
        ];
        sets.extend(
            features
                .iter()
                .map(|f| (format!("+{f}"), vec![format!("--features={f}")])),
        );
        for (label, extra) in sets {
            let mut args = vec!["tree", "--offline", "-p", member, "-e", "normal"];
            args.extend(["--prefix", "none", "-f", "{p} [{f}]"]);
            args.extend(extra.iter().map(String::as_str));
            let mut command = Command::new(sh.cargo);
            command.args(&args);
            let tree = sh.quiet(&mut command)?;
            let mut lines: Vec<&str> = tree
                .lines()
                .filter(|l| !l.contains("/facades/"))
                .map(|l| l.trim_end_matches(" (*)"))
                .collect();
            lines.sort_unstable();
            lines.dedup();
            trees.insert(format!("{member} {label}"), lines.join("\n"));
        }
    }
    Ok(trees)
}

/// The warnings and errors of a `migrate` run, one line each.
fn refused(stderr: &str) -> String {
    let lines: Vec<String> = stderr
        .lines()
        .filter(|l| l.starts_with("warning") || l.starts_with("error"))
        .map(|l| l.replace('|', "\\|"))
        .collect();
    if lines.is_empty() {
        "nothing".to_owned()
    } else {
        lines.join("<br>")
    }
}
