//! `cargo facade list`: namespaces → names → the consumers that declare
//! them, and which facade serves which consumer; a tree for people or JSON
//! for tools.

use std::collections::BTreeMap;

use serde_json::json;

use crate::load::Workspace;
use crate::manifest::Source;
use crate::paths::relative;
use crate::plan::{Declaration, Facade, Plan};
use crate::shell::Shell;

/// The output format of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    #[default]
    Human,
    Json,
}

/// Prints the list on stdout.
pub fn print(
    ws: &Workspace,
    plan: &Plan,
    format: ListFormat,
    shell: &mut Shell,
) -> anyhow::Result<()> {
    let text = match format {
        ListFormat::Human => human(ws, plan),
        ListFormat::Json => serde_json::to_string_pretty(&to_json(ws, plan))? + "\n",
    };
    shell.out().write_all(text.as_bytes())?;
    Ok(())
}

/// Declarations of one name: (consumer, table) pairs.
fn consumers_of<'p>(plan: &'p Plan, decls: &[&'p Declaration]) -> Vec<(&'p str, String)> {
    let mut out: Vec<(&str, String)> = decls
        .iter()
        .map(|d| {
            (
                plan.consumers[d.consumer].name.as_str(),
                d.table.display("").trim_matches(['[', ']']).to_owned(),
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Declarations by namespace root, then by name and source (two packages
/// may declare one name with different sources: each gets its line).
type Grouped<'p> = BTreeMap<&'p str, BTreeMap<(Option<&'p str>, String), Vec<&'p Declaration>>>;

fn group<'p>(ws: &Workspace, plan: &'p Plan) -> Grouped<'p> {
    let mut by_root: Grouped<'p> = BTreeMap::new();
    for decl in &plan.declarations {
        by_root
            .entry(decl.name.root())
            .or_default()
            .entry((decl.name.child(), source_text(ws, decl)))
            .or_default()
            .push(decl);
    }
    by_root
}

fn source_text(ws: &Workspace, decl: &Declaration) -> String {
    let version = decl
        .spec
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let source = match &decl.spec.source {
        Source::Path(path) => format!(" (path {})", relative(&ws.root, path)),
        Source::Registry { registry: Some(r) } => format!(" (registry {r})"),
        Source::Registry { registry: None } => String::new(),
        Source::Git { url, .. } => format!(" (git {url})"),
    };
    format!("{}{version}{source}", decl.spec.package)
}

/// The facades of one namespace.
fn facades_of<'p>(plan: &'p Plan, root: &str) -> Vec<&'p Facade> {
    plan.facades.iter().filter(|f| f.root == root).collect()
}

fn served_by(plan: &Plan, facade: &Facade) -> Vec<String> {
    facade
        .consumers
        .iter()
        .map(|&c| plan.consumers[c].name.clone())
        .collect()
}

/// The consumers of `root` whose managed entries are the real root crate
/// (they declare the root alone, so no facade serves them).
fn direct_consumers(plan: &Plan, root: &str) -> Vec<String> {
    plan.consumers
        .iter()
        .filter(|c| {
            c.entries
                .values()
                .flatten()
                .any(|e| e.root == root && e.facade().is_none())
        })
        .map(|c| c.name.clone())
        .collect()
}

fn human(ws: &Workspace, plan: &Plan) -> String {
    let mut out = String::new();
    if plan.declarations.is_empty() {
        out.push_str("no namespaced dependencies are declared\n");
        return out;
    }
    for (root, names) in group(ws, plan) {
        out.push_str(&format!("{root}\n"));
        let facades = facades_of(plan, root);
        let direct = direct_consumers(plan, root);
        let lines = names.len() + facades.len() + usize::from(!direct.is_empty());
        for (i, ((child, source), decls)) in names.iter().enumerate() {
            let last = i + 1 == lines;
            let name = match child {
                Some(child) => format!("{root}::{child}"),
                None => format!("{root} (root)"),
            };
            let users: Vec<String> = consumers_of(plan, decls)
                .into_iter()
                .map(|(c, t)| {
                    if t == "dependencies" {
                        c.to_owned()
                    } else {
                        format!("{c} [{t}]")
                    }
                })
                .collect();
            out.push_str(&format!(
                "{} {name} = {source}\n{}   declared by {}\n",
                if last { "└──" } else { "├──" },
                if last { " " } else { "│" },
                users.join(", ")
            ));
        }
        for (i, facade) in facades.iter().enumerate() {
            let last = names.len() + i + 1 == lines;
            out.push_str(&format!(
                "{} facade {} ({}) for {}\n",
                if last { "└──" } else { "├──" },
                relative(&ws.root, &facade.dir),
                facade.package,
                served_by(plan, facade).join(", ")
            ));
        }
        if !direct.is_empty() {
            out.push_str(&format!(
                "└── no facade for {}: the entry is the root crate itself\n",
                direct.join(", ")
            ));
        }
    }
    out
}

fn to_json(ws: &Workspace, plan: &Plan) -> serde_json::Value {
    let namespaces: Vec<_> = group(ws, plan)
        .into_iter()
        .map(|(root, names)| {
            let members: Vec<_> = names
                .iter()
                .map(|((child, _), decls)| {
                    let spec = &decls[0].spec;
                    let source = match &spec.source {
                        Source::Path(path) => json!({ "path": relative(&ws.root, path) }),
                        Source::Registry { registry } => json!({ "registry": registry }),
                        Source::Git { url, branch, tag, rev } => {
                            json!({ "git": url, "branch": branch, "tag": tag, "rev": rev })
                        }
                    };
                    let consumers: Vec<_> = consumers_of(plan, decls)
                        .into_iter()
                        .map(|(c, t)| json!({ "package": c, "table": t }))
                        .collect();
                    json!({
                        "name": match child { Some(c) => format!("{root}::{c}"), None => root.to_owned() },
                        "kind": if child.is_some() { "child" } else { "root" },
                        "module": child.map(|c| crate::name::module_ident(c).to_string()),
                        "package": spec.package,
                        "version": spec.version,
                        "source": source,
                        "consumers": consumers,
                    })
                })
                .collect();
            let facades: Vec<_> = facades_of(plan, root)
                .into_iter()
                .map(|facade| {
                    let names: Vec<String> = facade
                        .root_crate
                        .iter()
                        .map(|_| root.to_owned())
                        .chain(facade.children.iter().map(|c| format!("{root}::{}", c.name)))
                        .collect();
                    json!({
                        "package": facade.package,
                        "lib": facade.lib_name,
                        "path": relative(&ws.root, &facade.dir),
                        "names": names,
                        "consumers": served_by(plan, facade),
                    })
                })
                .collect();
            json!({
                "root": root,
                "names": members,
                "facades": facades,
                "root-entry-consumers": direct_consumers(plan, root),
            })
        })
        .collect();
    json!({ "version": 2, "namespaces": namespaces })
}
