//! Reading a consumer's features that name declarations:
//! `[package.metadata.facade.features]`, and the real `[features]` entries
//! written in RFC syntax (adopted by `sync`); then translating their values
//! to the facades' features with [`features::translate_feature_value`].

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{Item, TableLike};

use super::declarations::bad_type;
use super::features::{self, Facts, Translated};
use super::{Consumer, Declaration, ManagedFeature, get_path};
use crate::diagnostic::{Diagnostic, Diagnostics, Label};
use crate::load::Manifest;
use crate::name::DeclName;

pub(super) struct RawFeature {
    name: String,
    values: Vec<(String, Label)>,
    /// From the real `[features]` table (RFC syntax written in place).
    adopted: bool,
}

/// `[package.metadata.facade.features]`, and (adopted) the real
/// `[features]` entries that name declarations of this package.
pub(super) fn read_features(
    diags: &mut Diagnostics,
    manifest: &Manifest,
    declared: &[(String, bool)],
) -> Vec<RawFeature> {
    let mut out = Vec::new();
    let mirror = get_path(
        manifest.doc.as_item(),
        &["package", "metadata", "facade", "features"],
    );
    if let Some(item) = mirror {
        match item.as_table_like() {
            Some(table) => read_feature_table(diags, manifest, table, false, &mut out),
            None => bad_type(
                diags,
                manifest,
                item,
                "package.metadata.facade.features",
                "a table of features",
            ),
        }
    }
    if let Some(real) = manifest.doc.get("features").and_then(Item::as_table_like) {
        let adoptable = adoptable_features(real, declared, manifest.file.text());
        if !adoptable.is_empty() {
            let mut adopted = Vec::new();
            read_feature_table(diags, manifest, real, true, &mut adopted);
            out.extend(adopted.into_iter().filter(|f| adoptable.contains(&f.name)));
        }
    }
    out
}

fn read_feature_table(
    diags: &mut Diagnostics,
    manifest: &Manifest,
    table: &dyn TableLike,
    adopted: bool,
    out: &mut Vec<RawFeature>,
) {
    for (name, _) in table.iter() {
        let (key, item) = table.get_key_value(name).expect("key from iter");
        let key_label = Label::new(&manifest.file, key.span().unwrap_or(0..0), "");
        let Some(array) = item.as_array() else {
            diags.push(
                Diagnostic::error(format!("feature `{name}` must be an array of strings"))
                    .label(key_label.with_text("not an array"))
                    .help(format!("write e.g. `{name} = [\"foo::bar/std\"]`")),
            );
            continue;
        };
        let mut values = Vec::new();
        for value in array.iter() {
            let label = Label::new(&manifest.file, value.span().unwrap_or(0..0), "");
            match value.as_str() {
                Some(text) => values.push((text.to_owned(), label)),
                None => diags.push(
                    Diagnostic::error(format!("feature `{name}` must list strings"))
                        .label(label.with_text("not a string"))
                        .help("quote the feature value"),
                ),
            }
        }
        out.push(RawFeature {
            name: name.to_owned(),
            values,
            adopted,
        });
    }
}

/// The real `[features]` entries that name a declaration (`dep:foo::bar`,
/// `foo::bar/x`, `foo::bar?/x`, `foo/x` of a declared root, or the bare
/// name of an optional declaration) and are not cargo-facade's own.
pub fn adoptable_features(
    real: &dyn TableLike,
    declared: &[(String, bool)],
    source: &str,
) -> Vec<String> {
    let names_declared = |value: &str| {
        declared.iter().any(|(name, optional)| {
            value.strip_prefix("dep:") == Some(name)
                || value
                    .strip_prefix(name.as_str())
                    .is_some_and(|rest| rest.starts_with('/') || rest.starts_with("?/"))
                || (value == name && (*optional || name.contains("::")))
        })
    };
    real.iter()
        .filter(|(_, item)| !crate::marker::is_managed_feature_in(item, source))
        .filter(|(_, item)| {
            item.as_array()
                .is_some_and(|a| a.iter().any(|v| v.as_str().is_some_and(names_declared)))
        })
        .map(|(key, _)| key.to_owned())
        .collect()
}

/// Whether a value of `features` names a child of `root` (`dep:foo::bar`,
/// `foo::bar/x`, `foo::bar?/x`, `foo::bar`).
pub(super) fn names_a_child(features: &[RawFeature], root: &str) -> bool {
    let prefix = format!("{root}::");
    features.iter().any(|f| {
        f.values.iter().any(|(value, _)| {
            value
                .strip_prefix("dep:")
                .unwrap_or(value)
                .starts_with(&prefix)
        })
    })
}

/// The features each facade forwards for a consumer's translated values.
pub(super) type Forwards = BTreeMap<(usize, DeclName), BTreeSet<String>>;

/// Every consumer's features translated for its `[features]` (into
/// [`Consumer::features`]), and what the facades must forward for them.
pub(super) fn translate_features(
    diags: &mut Diagnostics,
    consumers: &mut [Consumer],
    declarations: &[Declaration],
    raw_features: Vec<Vec<RawFeature>>,
    facts: &[Facts],
    elided: impl Fn(usize, &str) -> bool,
) -> Forwards {
    let mut forwards = Forwards::new();
    for (consumer, features) in raw_features.into_iter().enumerate() {
        let mine: Vec<&Declaration> = declarations[consumers[consumer].declarations.clone()]
            .iter()
            .collect();
        for feature in features {
            let mut values = Vec::new();
            for (value, label) in &feature.values {
                match features::translate_feature_value(value, &mine, &facts[consumer], |root| {
                    elided(consumer, root)
                }) {
                    Ok(Translated::Unchanged) => values.push(value.clone()),
                    Ok(Translated::Into { values: new, forward }) => {
                        if let Some((name, f)) = &forward
                            && let Some(decl) = mine.iter().find(|d| d.name == *name)
                            && let Some(known) = &decl.spec.known_features
                            && !known.contains(f)
                        {
                            diags.push(
                                Diagnostic::error(format!(
                                    "feature `{}`: `{name}` (package `{}`) has no feature `{f}`",
                                    feature.name, decl.spec.package
                                ))
                                .label(label.clone().with_text("this value"))
                                .label(decl.key.clone().with_text(format!("`{name}` declared here")))
                                .help(format!(
                                    "add `{f}` to `[features]` of package `{}`, or remove this value",
                                    decl.spec.package
                                )),
                            );
                            continue;
                        }
                        for value in new {
                            if !values.contains(&value) {
                                values.push(value);
                            }
                        }
                        if let Some((name, f)) = forward {
                            forwards.entry((consumer, name)).or_default().insert(f);
                        }
                    }
                    Err(message) => diags.push(
                        Diagnostic::error(format!("feature `{}`: {message}", feature.name))
                            .label(label.clone().with_text("this value"))
                            .help(
                                "declare the name in `[package.metadata.facade.dependencies]` (or a dev, build \
                                 or target table) of this package, or remove the value",
                            ),
                    ),
                }
            }
            consumers[consumer].features.push(ManagedFeature {
                name: feature.name,
                adopted: feature.adopted,
                values,
            });
        }
    }
    forwards
}
