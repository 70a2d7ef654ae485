//! The properties the fuzz targets check, shared with the stable test suite
//! (`tests/testsuite/reliability.rs` includes this file), which replays the
//! saved crashers of `fuzz/regressions/` and random inputs on every run.
//!
//! Each function panics when a property fails; a panic is what libFuzzer
//! reports as a crash.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use facade_engine::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use facade_engine::load::{Manifest, Member, Workspace};
use facade_engine::name::{DeclName, module_ident};
use facade_engine::write::{Action, Owner};

/// The namespaced-name parser: never panics; what it accepts prints back
/// as itself and becomes valid Rust identifiers; what it rejects gets a
/// one-line message, and a suggested name that is itself valid.
pub fn check_decl_name(key: &str) {
    match DeclName::parse(key) {
        Ok(name) => {
            assert_eq!(name.to_string(), key, "a parsed name prints back as itself");
            // Panics (inside proc-macro2) on anything that is no identifier.
            let _ = module_ident(name.root());
            if let Some(child) = name.child() {
                let ident = module_ident(child).to_string();
                assert!(
                    !["self", "super", "crate", "Self", "_"].contains(&ident.as_str()),
                    "`{key}` became the module `{ident}`"
                );
            }
        }
        Err(err) => {
            for text in [&err.message, &err.help] {
                assert!(
                    !text.chars().any(char::is_control),
                    "a message with a control character for {key:?}: {text:?}"
                );
            }
            // "… e.g. `foo::bar-baz`": the suggestion must be accepted.
            if let Some(suggestion) = err
                .help
                .split_once("e.g. `")
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(name, _)| name)
                && !suggestion.contains('<')
            {
                assert!(
                    DeclName::parse(suggestion).is_ok(),
                    "for {key:?} the help suggests `{suggestion}`, which is rejected too"
                );
            }
        }
    }
}

/// A workspace on disk with path children, for the declaration reader.
pub struct Sandbox {
    dir: tempfile::TempDir,
    root_manifest: String,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("cargo-facade-fuzz-")
            .tempdir()
            .expect("temp dir");
        let root_manifest = "[workspace]\nmembers = [\"app\", \"crates/*\"]\n\n\
             [workspace.metadata.facade.dependencies]\n\
             \"foo::baz\" = { path = \"crates/foo-baz\" }\n"
            .to_owned();
        let files: &[(&str, &str)] = &[
            ("Cargo.toml", &root_manifest),
            (
                "crates/foo/Cargo.toml",
                "[package]\nname = \"foo\"\nversion = \"1.0.0\"\n",
            ),
            ("crates/foo/src/lib.rs", ""),
            (
                "crates/foo-bar/Cargo.toml",
                "[package]\nname = \"foo-bar\"\nversion = \"1.2.0\"\n\n[features]\nstd = []\n",
            ),
            ("crates/foo-bar/src/lib.rs", ""),
            (
                "crates/foo-baz/Cargo.toml",
                "[package]\nname = \"foo-baz\"\nversion = \"0.3.0\"\n",
            ),
            ("crates/foo-baz/src/lib.rs", ""),
            (
                "crates/binonly/Cargo.toml",
                "[package]\nname = \"binonly\"\nversion = \"0.1.0\"\n",
            ),
            ("crates/binonly/src/main.rs", "fn main() {}\n"),
        ];
        for (rel, text) in files {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        Sandbox { dir, root_manifest }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The workspace with `consumer` as the manifest of member `app`;
    /// `None` when the text is no TOML document.
    pub fn workspace(&self, consumer: &str) -> Option<Workspace> {
        let root = self.root().to_owned();
        let manifest = |path: PathBuf, text: &str| {
            let doc = toml_edit::Document::parse(text.to_owned()).ok()?;
            Some(Manifest {
                file: SourceFile::new(path, text.to_owned()),
                doc,
            })
        };
        let app = root.join("app/Cargo.toml");
        Some(Workspace {
            manifests: vec![
                manifest(root.join("Cargo.toml"), &self.root_manifest).expect("valid root"),
                manifest(app.clone(), consumer)?,
            ],
            members: vec![Member {
                name: "app".to_owned(),
                manifest_path: app,
                dependencies: Vec::new(),
                manifest: Some(1),
            }],
            lock_path: root.join("Cargo.lock"),
            root,
        })
    }
}

/// The declaration reader on any consumer manifest: never panics; every
/// diagnostic points inside its file, on character boundaries, and
/// renders; a valid plan renders to a manifest that is TOML again and on
/// which a second run is a fixed point.
pub fn check_declarations(sandbox: &Sandbox, consumer: &str) {
    let Some(ws) = sandbox.workspace(consumer) else {
        return;
    };
    let mut diags = Diagnostics::default();
    let plan = facade_engine::plan::plan(&ws, &mut diags);
    let changes = plan
        .as_ref()
        .map(|plan| facade_engine::write::collect_changes(&ws, plan, &mut diags));
    check_diagnostics(&diags, sandbox.root());
    let Some(Ok(changes)) = changes else {
        return;
    };
    if diags.has_errors() {
        return;
    }
    let Some(new_text) = changes.iter().find_map(|c| match (&c.owner, &c.action) {
        (Owner::Consumer(_), Action::Write(text)) => Some(text.clone()),
        _ => None,
    }) else {
        return; // nothing to change in the manifest: already a fixed point
    };
    assert!(
        toml_edit::Document::parse(new_text.clone()).is_ok(),
        "sync would write a manifest that is not TOML:\n{new_text}"
    );
    let again = sandbox
        .workspace(&new_text)
        .expect("the written manifest parses");
    let mut diags = Diagnostics::default();
    let plan = facade_engine::plan::plan(&again, &mut diags);
    check_diagnostics(&diags, sandbox.root());
    let plan = plan.unwrap_or_else(|| {
        panic!(
            "the synced manifest is rejected:\n--- before\n{consumer}\n--- after\n{new_text}\n--- errors\n{}",
            rendered(&diags, sandbox.root())
        )
    });
    let changes = facade_engine::write::collect_changes(&again, &plan, &mut diags).unwrap();
    for change in changes {
        if let (Owner::Consumer(_), Action::Write(text)) = (&change.owner, &change.action) {
            panic!(
                "a second sync changes the manifest again:\n--- first\n{new_text}\n--- second\n{text}"
            );
        }
    }
}

fn check_diagnostics(diags: &Diagnostics, cwd: &Path) {
    for diag in diags.items() {
        check_diagnostic(diag);
        let _ = diag.render(cwd);
    }
}

fn check_diagnostic(diag: &Diagnostic) {
    for label in &diag.labels {
        let text = label.file.text();
        let span = &label.span;
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "span {span:?} outside `{}` ({} bytes): {}",
            label.file.path().display(),
            text.len(),
            diag.message
        );
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "span {span:?} splits a character: {}",
            diag.message
        );
    }
    assert!(
        diag.raw.is_some() || !diag.message.contains('\n'),
        "a multi-line title: {:?}",
        diag.message
    );
}

fn rendered(diags: &Diagnostics, cwd: &Path) -> String {
    diags
        .items()
        .iter()
        .map(|d| d.render(cwd))
        .collect::<Vec<_>>()
        .join("\n")
}
