//! Plan: turns the loaded manifests into a validated model of every facade
//! and every consumer's managed entries. Every check of the input happens
//! here, all problems are collected, and nothing downstream runs unless the
//! plan is free of errors.
//!
//! [`plan`] calls the stages in order, each a module of plain functions over
//! the data of `model`: `config` (the facade dir), `declarations` and
//! `spec` (with `path_package`), `feature_tables`, `facades` (grouping, with
//! `features`' gates), then the checks: `tables`, `rules`, `graph`;
//! `ownership` runs later, on cargo's resolve.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostics, Label};
use crate::load::Workspace;

mod config;
mod declarations;
mod facades;
mod feature_tables;
mod features;
mod graph;
mod model;
mod ownership;
mod path_package;
mod rules;
mod spec;
mod tables;

pub(crate) use facades::fnv1a;
pub use feature_tables::adoptable_features;
pub use features::base_feature;
pub use model::*;
pub use ownership::{Ownership, Verdict as OwnershipVerdict, ownership, ownership_warnings};
pub use tables::adoptable_entries;

pub use crate::manifest::{get_path, is_managed, real_tables};
pub use crate::name::{facade_root, is_facade_package};
pub use crate::paths::normalize;

/// Builds the plan, or `None` with the reasons in `diags`.
pub fn plan(ws: &Workspace, diags: &mut Diagnostics) -> Option<Plan> {
    plan_eliding(ws, diags, &Reexporting::new())
}

/// (consumer index, root): the consumer's every declared child of `root`
/// is re-exported by the root as itself, with every feature the
/// declaration asks for (the conflict probe's verdict, `conflict::elision`).
pub type Reexporting = std::collections::BTreeSet<(usize, String)>;

/// [`plan`], where the facades of the consumers in `reexporting` that would
/// present nothing the root does not already present are elided: their
/// managed entries are the root crate (see the `facades` module).
pub fn plan_eliding(
    ws: &Workspace,
    diags: &mut Diagnostics,
    reexporting: &Reexporting,
) -> Option<Plan> {
    let facade_dir = config::facade_dir(ws, diags, ws.root_manifest());
    let Members {
        mut consumers,
        declarations,
        raw_features,
    } = read_members(ws, diags);
    let facade_dir = facade_dir?;

    // Facades: consumers grouped by the names they declare, then the
    // features of each (their `[features]` translated to the facade's).
    let mut facts: Vec<features::Facts> = consumers
        .iter()
        .map(|c| features::gates(&declarations[c.declarations.clone()]))
        .collect();
    // A consumer feature that names a child (`foo::bar/std`) needs the
    // facade: the root's entry cannot turn on a feature of the child.
    let reexporting: Reexporting = reexporting
        .iter()
        .filter(|(consumer, root)| !feature_tables::names_a_child(&raw_features[*consumer], root))
        .cloned()
        .collect();
    let mut grouping = facades::group(
        &facade_dir,
        &consumers,
        &declarations,
        &facts,
        &reexporting,
        diags,
    );
    grouping.settle_defaults(&mut facts);
    let forwards = feature_tables::translate_features(
        diags,
        &mut consumers,
        &declarations,
        raw_features,
        &facts,
        |consumer, root| grouping.elided(consumer, root),
    );
    let built = grouping.build(&facade_dir, &declarations, &facts, &forwards);
    for (consumer, entries) in consumers.iter_mut().zip(built.entries) {
        consumer.entries = entries;
    }
    let facades = built.facades;

    tables::check_real_tables(ws, diags, &consumers, &declarations);
    rules::check_typosquats(ws, diags, &consumers, &declarations);
    rules::check_spellings(diags, &declarations);
    rules::check_two_paths(ws, diags, &consumers, &declarations);
    graph::check_graph(ws, diags, &facades, &consumers, &declarations);

    if diags.has_errors() {
        return None;
    }
    Some(Plan {
        facade_dir,
        facades,
        consumers,
        declarations,
    })
}

/// What the members' manifests declare.
struct Members {
    consumers: Vec<Consumer>,
    /// Stored consumer after consumer ([`Consumer::declarations`]).
    declarations: Vec<Declaration>,
    /// Each consumer's features naming declarations, as written.
    raw_features: Vec<Vec<feature_tables::RawFeature>>,
}

/// Every member with a manifest as a consumer, with its declarations and
/// features.
fn read_members(ws: &Workspace, diags: &mut Diagnostics) -> Members {
    let ws_decls = declarations::workspace_decls(diags, ws.root_manifest());
    let mut packages = path_package::PathPackages::default();
    let mut consumers = Vec::new();
    let mut declarations = Vec::new();
    let mut raw_features = Vec::new();
    for (member_index, member) in ws.members.iter().enumerate() {
        let Some(index) = member.manifest else {
            continue;
        };
        let consumer = consumers.len();
        let manifest = &ws.manifests[index];
        let first = declarations.len();
        declarations.extend(declarations::read_declarations(
            ws,
            &ws_decls,
            &mut packages,
            diags,
            manifest,
            consumer,
        ));
        consumers.push(Consumer {
            name: member.name.clone(),
            manifest: index,
            member: member_index,
            declarations: first..declarations.len(),
            entries: BTreeMap::new(),
            features: Vec::new(),
        });
        let mine: Vec<(String, bool)> = declarations[first..]
            .iter()
            .map(|d| (d.name.to_string(), d.spec.optional))
            .collect();
        raw_features.push(feature_tables::read_features(diags, manifest, &mine));
    }
    Members {
        consumers,
        declarations,
        raw_features,
    }
}

impl Label {
    pub fn with_text(mut self, text: impl Into<String>) -> Label {
        self.text = text.into();
        self
    }
}
