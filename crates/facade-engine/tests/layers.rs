//! The engine's import rule, checked on its own sources (ARCHITECTURE.md,
//! "Stages import only earlier stages and the foundation"): every
//! `crate::<module>` a file names is a module of an earlier layer, and the
//! modules form no cycle. Doc comments count, as in the module graph the
//! architecture note draws.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, earliest first; the first two are the foundation. A module
/// imports only modules of earlier layers, except that the commands (the
/// last layer) may use each other (the cycle check still applies to them).
const LAYERS: &[&[&str]] = &[
    &["diagnostic", "name", "schema", "paths", "marker"],
    &["shell", "manifest", "cargo"],
    &["lock"],
    &["load"],
    &["plan"],
    &["outside"],
    &["conflict"],
    &["render"],
    &["write"],
    &["blame"],
    &["commands", "eject", "list", "migrate", "package", "cli"],
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`plan/facades.rs` → `plan`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The crate's top-level modules each file's module names as `crate::<m>`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| top_module(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = top_module(file);
        let text = std::fs::read_to_string(file).unwrap();
        let deps = graph.entry(module.clone()).or_default();
        for (at, _) in text.match_indices("crate::") {
            // `$crate::x` in a test's macro source is not an import.
            if text[..at].ends_with('$') {
                continue;
            }
            let name: String = text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if name != module && modules.contains(&name) {
                deps.insert(name);
            }
        }
    }
    graph.remove("lib");
    graph
}

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| {
            panic!(
                "module `{module}` is in no layer: add it to LAYERS here and to ARCHITECTURE.md's \
                 import rule"
            )
        })
}

#[test]
fn stages_import_only_earlier_stages_and_the_foundation() {
    let mut wrong = Vec::new();
    for (module, deps) in graph() {
        let layer = layer_of(&module);
        for dep in deps {
            let dep_layer = layer_of(&dep);
            let allowed = dep_layer < layer || (layer == LAYERS.len() - 1 && dep_layer == layer);
            if !allowed {
                wrong.push(format!("{module} -> {dep}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports of a later (or same) stage; move the helper into the foundation:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn modules_form_no_cycle() {
    let graph = graph();
    // Depth-first search with the current path; a back edge is a cycle.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if !done.insert(module.to_owned()) {
            return None;
        }
        path.push(module.to_owned());
        for dep in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(dep, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(cycle) = visit(module, &graph, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}
