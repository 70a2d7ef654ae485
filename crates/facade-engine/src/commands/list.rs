//! `cargo facade list [-p PKG]… [--format json]`: the plan, printed by
//! [`crate::list`]; nothing is rendered or written.

use std::collections::BTreeMap;

use super::{Planned, planned};
use crate::diagnostic::{Diagnostic, InputErrors};
use crate::list::{self, ListFormat};
use crate::load::Workspace;
use crate::plan::{Plan, PointsAt};
use crate::shell::Shell;
use crate::{Exit, Options};

/// Runs `list`; with `packages`, for those members only.
pub fn run(
    format: ListFormat,
    packages: &[String],
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    // The facades `sync` would write: elided where the recorded verdicts
    // (still current, nothing probed) show the root presents it all.
    let Planned { ws, plan, .. } =
        planned(options, shell, false, &BTreeMap::new(), |ws, plan, _, _| {
            let verdicts = crate::conflict::recorded(ws, plan);
            super::elide(ws, plan, &verdicts);
            Ok(Vec::new())
        })?;
    let plan = if packages.is_empty() {
        plan
    } else {
        only(&ws, plan, packages, shell)?
    };
    list::print(&ws, &plan, format, shell)?;
    Ok(Exit::Success)
}

/// The plan as the named members see it: their declarations, and the
/// facades that serve them (each said to serve only the named ones). An
/// unknown name is an error, as cargo's `-p` makes it.
pub(super) fn only(
    ws: &Workspace,
    mut plan: Plan,
    packages: &[String],
    shell: &mut Shell,
) -> anyhow::Result<Plan> {
    let unknown: Vec<&String> = packages
        .iter()
        .filter(|name| !ws.members.iter().any(|m| &m.name == *name))
        .collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = ws.members.iter().map(|m| m.name.as_str()).collect();
        for name in &unknown {
            shell.diagnostic(
                &Diagnostic::error(format!(
                    "package ID specification `{name}` did not match any packages"
                ))
                .help(format!(
                    "the members of this workspace: {}",
                    names.join(", ")
                )),
            );
        }
        return Err(InputErrors {
            count: unknown.len(),
        }
        .into());
    }
    let named = |consumer: usize| packages.contains(&plan.consumers[consumer].name);
    let declarations: Vec<_> = plan
        .declarations
        .iter()
        .filter(|d| named(d.consumer))
        .cloned()
        .collect();
    // Declarations stay stored consumer after consumer: each named
    // consumer's slice moves down, the others' become empty.
    let mut start = 0;
    let ranges: Vec<_> = (0..plan.consumers.len())
        .map(|c| {
            let len = if named(c) {
                plan.consumers[c].declarations.len()
            } else {
                0
            };
            start += len;
            start - len..start
        })
        .collect();
    let mut facades = Vec::new();
    // Old index → new index, for the managed entries that point at them.
    let mut moved = vec![None; plan.facades.len()];
    for (old, facade) in plan.facades.iter().enumerate() {
        let mut facade = facade.clone();
        facade.consumers.retain(|&c| named(c));
        if !facade.consumers.is_empty() {
            moved[old] = Some(facades.len());
            facades.push(facade);
        }
    }
    let named: Vec<bool> = (0..plan.consumers.len()).map(named).collect();
    for ((consumer, range), named) in plan.consumers.iter_mut().zip(ranges).zip(named) {
        consumer.declarations = range;
        if named {
            // A named consumer's facades serve it, so all are kept.
            for entries in consumer.entries.values_mut() {
                entries.retain_mut(|entry| match &mut entry.points_at {
                    PointsAt::Facade(index) => moved[*index].map(|new| *index = new).is_some(),
                    PointsAt::Root(_) => true,
                });
            }
        } else {
            // Left out: it is not summed up or written for.
            consumer.entries.clear();
            consumer.features.clear();
        }
    }
    plan.declarations = declarations;
    plan.facades = facades;
    Ok(plan)
}
