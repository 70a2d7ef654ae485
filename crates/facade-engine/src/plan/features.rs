//! Features: what each declared name needs from its facade, per consumer
//! (always there or behind a feature, `default` forwarded or not), and the
//! translation of a consumer's RFC-syntax feature
//! values (`dep:foo::bar`, `foo::bar/std`, `foo::bar?/std`) into the
//! facade features that do the same.

use std::collections::{BTreeMap, BTreeSet};

use super::{Declaration, DepKind, ROOT_FEATURE, TableId};
use crate::name::DeclName;

/// What one consumer's facade must do for one declared name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct NameFacts {
    /// Behind the facade feature of its name: some table of the facade's
    /// consumer does not declare it, or declares it `optional`.
    pub gated: bool,
    /// Some declaration that shares the facade says `default-features =
    /// false`, and another does not: those that do not turn on
    /// `<name>.default`.
    pub forward_default: bool,
}

/// [`NameFacts`] of every name one consumer declares.
pub(super) type Facts = BTreeMap<DeclName, NameFacts>;

/// Which names of one consumer's declarations are gated (see
/// [`NameFacts::gated`]); `forward_default` is filled in once the facades
/// are grouped, since it depends on every consumer of a facade.
pub(super) fn gates(decls: &[Declaration]) -> Facts {
    let mut tables: BTreeMap<&str, BTreeSet<&TableId>> = BTreeMap::new();
    let mut by_name: BTreeMap<&DeclName, Vec<&Declaration>> = BTreeMap::new();
    for decl in decls {
        tables
            .entry(decl.name.root())
            .or_default()
            .insert(&decl.table);
        by_name.entry(&decl.name).or_default().push(decl);
    }
    by_name
        .into_iter()
        .map(|(name, decls)| {
            let everywhere = tables[name.root()]
                .iter()
                .all(|table| decls.iter().any(|d| &&d.table == table && !d.spec.optional));
            let facts = NameFacts {
                gated: !everywhere,
                forward_default: false,
            };
            (name.clone(), facts)
        })
        .collect()
}

/// The facade feature that enables a name: the child's own name, or `self`.
pub fn base_feature(name: &DeclName) -> &str {
    name.child().unwrap_or(ROOT_FEATURE)
}

/// The facade features one declaration turns on: the name itself where it
/// is gated, each of its features (forwarded as `<name>.<feature>`: a
/// facade shared by consumers that ask for different features turns on for
/// each what it asked for, and Cargo unifies them as it unifies direct
/// dependencies), and `default` where the facade forwards it.
pub(super) fn enabling_features(decl: &Declaration, facts: &Facts) -> Vec<String> {
    let name_facts = &facts[&decl.name];
    let base = base_feature(&decl.name);
    let mut out = Vec::new();
    if name_facts.gated {
        out.push(base.to_owned());
    }
    out.extend(decl.spec.features.iter().map(|f| format!("{base}.{f}")));
    if decl.spec.default_features && name_facts.forward_default {
        out.push(format!("{base}.default"));
    }
    out
}

pub(super) enum Translated {
    Unchanged,
    Into {
        values: Vec<String>,
        /// A child or root feature the facade must forward.
        forward: Option<(DeclName, String)>,
    },
}

/// Translates one value of a consumer feature from RFC syntax
/// (`dep:foo::bar`, `foo::bar/std`, `foo::bar?/std`) into the facade's.
/// `elided(root)`: the consumer's entry of `root` is the real root crate,
/// whose features are named as they are (`foo/std`, not `foo/self.std`).
pub(super) fn translate_feature_value(
    value: &str,
    decls: &[&Declaration],
    facts: &Facts,
    elided: impl Fn(&str) -> bool,
) -> Result<Translated, String> {
    enum Form<'v> {
        Dep(&'v str),
        Strong(&'v str, &'v str),
        Weak(&'v str, &'v str),
        Bare(&'v str),
    }
    let form = if let Some(name) = value.strip_prefix("dep:") {
        Form::Dep(name)
    } else if let Some((name, feature)) = value.split_once("?/") {
        Form::Weak(name, feature)
    } else if let Some((name, feature)) = value.split_once('/') {
        Form::Strong(name, feature)
    } else {
        Form::Bare(value)
    };
    let name = match form {
        Form::Dep(n) | Form::Strong(n, _) | Form::Weak(n, _) | Form::Bare(n) => n,
    };
    let matching: Vec<&&Declaration> = decls
        .iter()
        .filter(|d| d.name.to_string() == name)
        .collect();
    let Some(first) = matching.first() else {
        if name.contains("::") {
            return Err(format!(
                "`{value}` names `{name}`, which this package does not declare"
            ));
        }
        return Ok(Translated::Unchanged);
    };
    let decl_name = &first.name;
    let root = decl_name.root();
    let base = base_feature(decl_name);
    let elided = elided(root);
    let feature_of = |feature: &str| {
        if elided {
            feature.to_owned()
        } else {
            format!("{base}.{feature}")
        }
    };
    // What the value turns on is the optional declarations of the name, as
    // cargo's `dep:`/`/` turn on optional dependencies: a required one's
    // entry turns on its own features, and a dev-dependency's features
    // (`features = [..]` of a `[dev-dependencies]` twin) must not leak into
    // normal builds through a feature.
    let optional: Vec<&&&Declaration> = matching.iter().filter(|d| d.spec.optional).collect();
    let enabled: Vec<&&&Declaration> = if optional.is_empty() {
        matching
            .iter()
            .filter(|d| d.table.kind != DepKind::Dev)
            .collect()
    } else {
        optional
    };
    // Where the root's entry is optional, `dep:<root>` keeps cargo from
    // giving the consumer an implicit feature `<root>` it never had.
    let optional_entry = {
        let mut tables: BTreeMap<&TableId, bool> = BTreeMap::new();
        for d in decls.iter().filter(|d| d.name.root() == root) {
            *tables.entry(&d.table).or_insert(true) &= d.spec.optional;
        }
        tables.values().any(|all| *all)
    };
    let enable = || {
        let mut out: Vec<String> = Vec::new();
        if optional_entry && enabled.iter().any(|d| d.spec.optional) {
            out.push(format!("dep:{root}"));
        }
        let facade_features = enabled
            .iter()
            .filter(|_| !elided)
            .flat_map(|d| enabling_features(d, facts));
        for feature in facade_features {
            let value = format!("{root}/{feature}");
            if !out.contains(&value) {
                out.push(value);
            }
        }
        out
    };
    Ok(match form {
        // A bare root name is a feature of the package's own, unless the
        // root is optional (then it is the implicit feature of that dependency).
        Form::Bare(_) if !matching.iter().any(|d| d.spec.optional) => Translated::Unchanged,
        Form::Bare(_) | Form::Dep(_) => Translated::Into {
            values: enable(),
            forward: None,
        },
        Form::Strong(_, feature) => {
            let mut values = enable();
            values.push(format!("{root}/{}", feature_of(feature)));
            Translated::Into {
                values,
                forward: Some((decl_name.clone(), feature.to_owned())),
            }
        }
        // `?` is only valid on an optional dependency: when the facade is a
        // required dependency anyway, the facade's own weak forwarding
        // (`<key>?/<feature>`) keeps the meaning.
        Form::Weak(_, feature) => Translated::Into {
            values: vec![if decls
                .iter()
                .filter(|d| d.name.root() == root)
                .all(|d| d.spec.optional)
            {
                format!("{root}?/{}", feature_of(feature))
            } else {
                format!("{root}/{}", feature_of(feature))
            }],
            forward: Some((decl_name.clone(), feature.to_owned())),
        },
    })
}
