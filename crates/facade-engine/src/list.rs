//! `cargo facade list`: namespaces → children → the consumers that declare
//! them, as a tree for people or JSON for tools.

use std::collections::BTreeMap;

use serde_json::json;

use crate::ListFormat;
use crate::load::Workspace;
use crate::plan::{Declaration, Plan, Source};
use crate::render::relative;
use crate::shell::Shell;

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

fn group(plan: &Plan) -> BTreeMap<(&str, Option<&str>), Vec<&Declaration>> {
    let mut by_name: BTreeMap<(&str, Option<&str>), Vec<&Declaration>> = BTreeMap::new();
    for decl in &plan.declarations {
        by_name
            .entry((decl.name.root(), decl.name.child()))
            .or_default()
            .push(decl);
    }
    by_name
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

fn human(ws: &Workspace, plan: &Plan) -> String {
    let by_name = group(plan);
    let mut out = String::new();
    if plan.facades.is_empty() {
        out.push_str("no namespaced dependencies are declared\n");
        return out;
    }
    for facade in &plan.facades {
        out.push_str(&format!(
            "{} (facade {} in {})\n",
            facade.root,
            facade.package,
            relative(&ws.root, &facade.dir)
        ));
        let names: Vec<_> = by_name
            .iter()
            .filter(|((root, _), _)| *root == facade.root)
            .collect();
        for (i, ((root, child), decls)) in names.iter().enumerate() {
            let last = i + 1 == names.len();
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
                "{} {name} = {}\n{}   declared by {}\n",
                if last { "└──" } else { "├──" },
                source_text(ws, decls[0]),
                if last { " " } else { "│" },
                users.join(", ")
            ));
        }
    }
    out
}

fn to_json(ws: &Workspace, plan: &Plan) -> serde_json::Value {
    let by_name = group(plan);
    let namespaces: Vec<_> = plan
        .facades
        .iter()
        .map(|facade| {
            let members: Vec<_> = by_name
                .iter()
                .filter(|((root, _), _)| *root == facade.root)
                .map(|((root, child), decls)| {
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
                        "name": match child { Some(c) => format!("{root}::{c}"), None => (*root).to_owned() },
                        "kind": if child.is_some() { "child" } else { "root" },
                        "module": child.map(|c| crate::name::module_ident(c).to_string()),
                        "package": spec.package,
                        "version": spec.version,
                        "source": source,
                        "consumers": consumers,
                    })
                })
                .collect();
            json!({
                "root": facade.root,
                "facade": {
                    "package": facade.package,
                    "lib": facade.lib_name,
                    "path": relative(&ws.root, &facade.dir),
                },
                "names": members,
            })
        })
        .collect();
    json!({ "version": 1, "namespaces": namespaces })
}
