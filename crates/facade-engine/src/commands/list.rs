//! `cargo facade list [-p PKG]… [--format json]`: the plan, printed by
//! [`crate::list`]; nothing is rendered or written.

use std::collections::BTreeMap;

use super::{Planned, planned};
use crate::diagnostic::{Diagnostic, InputErrors};
use crate::list::{self, ListFormat};
use crate::load::Workspace;
use crate::plan::Plan;
use crate::shell::Shell;
use crate::{Exit, Options};

/// Runs `list`; with `packages`, for those members only.
pub fn run(
    format: ListFormat,
    packages: &[String],
    options: &Options,
    shell: &mut Shell,
) -> anyhow::Result<Exit> {
    let Planned { ws, plan, .. } =
        planned(options, shell, false, &BTreeMap::new(), |_, _, _, _| {
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
    let facades = plan
        .facades
        .iter()
        .filter_map(|facade| {
            let mut facade = facade.clone();
            facade.consumers.retain(|&c| named(c));
            (!facade.consumers.is_empty()).then_some(facade)
        })
        .collect();
    for (consumer, range) in plan.consumers.iter_mut().zip(ranges) {
        consumer.declarations = range;
    }
    plan.declarations = declarations;
    plan.facades = facades;
    Ok(plan)
}
