//! The grammar of declaration keys: `foo` (a namespace root) and `foo::bar`
//! (a child), as RFC 3243 defines them, and the Rust identifiers they become.

use std::fmt;

use cargo_util_schemas::manifest::PackageName;

/// The RFC sentence every depth rule cites.
pub const RFC_ONE_LEVEL: &str = "RFC 3243: \"For now, we will restrict package names to having a single \
     `::` in them, not at the beginning or end of the name\"";

/// A validated declaration key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeclName {
    /// `foo`: the namespace root itself.
    Root(String),
    /// `foo::bar`: a child of namespace `foo`.
    Child { root: String, child: String },
}

/// Why a key is not a valid declaration name, with the help that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    pub message: String,
    pub notes: Vec<String>,
    pub help: String,
}

impl DeclName {
    /// Parses a key of a `[package.metadata.facade.*dependencies]` table.
    pub fn parse(key: &str) -> Result<DeclName, NameError> {
        // Checked first so that no message ever prints a raw newline.
        if let Some(bad) = key.chars().find(|c| c.is_control()) {
            return Err(NameError {
                message: format!(
                    "`{}` contains the control character {bad:?}",
                    key.escape_debug()
                ),
                notes: Vec::new(),
                help: "write the name as `<root>::<child>`, each a package name: letters, digits, \
                       `-` and `_`"
                    .to_owned(),
            });
        }
        let segments: Vec<&str> = key.split("::").collect();
        match segments.as_slice() {
            [root] => {
                validate_segment(key, root, "namespace root")?;
                Ok(DeclName::Root((*root).to_owned()))
            }
            [root, child] => {
                if root.is_empty() || child.is_empty() {
                    return Err(NameError {
                        message: format!("`{key}` has `::` at its start or end"),
                        notes: vec![RFC_ONE_LEVEL.to_owned()],
                        help: "write the name as `<root>::<child>`, e.g. `foo::bar`".to_owned(),
                    });
                }
                validate_segment(key, root, "namespace root")?;
                validate_segment(key, child, "child")?;
                Ok(DeclName::Child {
                    root: (*root).to_owned(),
                    child: (*child).to_owned(),
                })
            }
            _ if segments.iter().any(|s| s.is_empty()) => Err(NameError {
                message: format!("`{key}` has an empty segment"),
                notes: vec![RFC_ONE_LEVEL.to_owned()],
                help: "write the name as `<root>::<child>`, e.g. `foo::bar`".to_owned(),
            }),
            _ => {
                // A segment that is no package name at all is the better
                // message (and makes no nonsense suggestion below).
                for segment in &segments {
                    if PackageName::new(*segment).is_err() {
                        validate_segment(key, segment, "segment")?;
                    }
                }
                // Suggest the one-level name only where it is valid itself.
                let suggestion = format!("{}::{}", segments[0], segments[1..].join("-"));
                let help = match DeclName::parse(&suggestion) {
                    Ok(_) => format!("declare at most one level, e.g. `{suggestion}`"),
                    Err(_) => "declare at most one level: `<root>::<child>`".to_owned(),
                };
                Err(NameError {
                    message: format!(
                        "`{key}` nests namespaces {} levels deep",
                        segments.len() - 1
                    ),
                    notes: vec![RFC_ONE_LEVEL.to_owned()],
                    help,
                })
            }
        }
    }

    /// The namespace this name belongs to.
    pub fn root(&self) -> &str {
        match self {
            DeclName::Root(root) | DeclName::Child { root, .. } => root,
        }
    }

    /// The child segment, `None` for the root.
    pub fn child(&self) -> Option<&str> {
        match self {
            DeclName::Root(_) => None,
            DeclName::Child { child, .. } => Some(child),
        }
    }
}

impl fmt::Display for DeclName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeclName::Root(root) => f.write_str(root),
            DeclName::Child { root, child } => write!(f, "{root}::{child}"),
        }
    }
}

/// Identifiers that not even a raw identifier (`r#…`) can spell.
const NOT_RAW: &[&str] = &["self", "super", "crate", "Self", "_"];

fn validate_segment(key: &str, segment: &str, what: &str) -> Result<(), NameError> {
    if NOT_RAW.contains(&segment) {
        return Err(NameError {
            message: format!("`{key}`: `{segment}` cannot name a {what}"),
            notes: vec![format!(
                "`{segment}` is a path keyword that no Rust path can use as a module name, \
                 not even as a raw identifier"
            )],
            help: "choose another name".to_owned(),
        });
    }
    if let Err(err) = PackageName::new(segment) {
        return Err(NameError {
            message: format!("`{key}`: invalid {what} `{segment}`"),
            notes: vec![err.to_string()],
            help: "each segment must be a valid package name: letters, digits, `-` and `_`, \
                   not starting with a digit"
                .to_owned(),
        });
    }
    if what == "namespace root" && is_keyword(&segment.replace('-', "_")) {
        return Err(NameError {
            message: format!("`{key}`: namespace root `{segment}` is a Rust keyword"),
            notes: vec![
                "a crate cannot be named with a keyword, so no facade can present it".to_owned(),
            ],
            help: "choose another namespace root".to_owned(),
        });
    }
    Ok(())
}

/// The Rust identifier for a segment: `-` becomes `_`, keywords become raw.
pub fn module_ident(segment: &str) -> proc_macro2::Ident {
    let name = segment.replace('-', "_");
    if is_keyword(&name) {
        proc_macro2::Ident::new_raw(&name, proc_macro2::Span::call_site())
    } else {
        proc_macro2::Ident::new(&name, proc_macro2::Span::call_site())
    }
}

/// A Rust keyword of any edition (strict, reserved and 2024's `gen`).
pub fn is_keyword(name: &str) -> bool {
    syn::parse_str::<syn::Ident>(name).is_err() || name == "gen"
}

/// Whether `package` names a facade of namespace `root`: `<root>-facade-<hash>`
/// (8 or 16 hex digits), or `<root>-facade`, the one facade of a namespace
/// that the first releases wrote.
pub fn is_facade_package(root: &str, package: &str) -> bool {
    let Some(rest) = package
        .strip_prefix(root)
        .and_then(|rest| rest.strip_prefix("-facade"))
    else {
        return false;
    };
    rest.is_empty()
        || rest.strip_prefix('-').is_some_and(|hash| {
            matches!(hash.len(), 8 | 16)
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// The namespace whose facade `package` is, if it is one.
pub fn facade_root(package: &str) -> Option<&str> {
    package
        .match_indices("-facade")
        .map(|(at, _)| &package[..at])
        .find(|root| is_facade_package(root, package))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: &str, expect: &str) {
        let actual = match DeclName::parse(key) {
            Ok(name) => format!("ok {name:?}"),
            Err(err) => format!("err {}", err.message),
        };
        assert_eq!(actual, expect, "key {key:?}");
    }

    #[test]
    fn grammar() {
        check("foo", r#"ok Root("foo")"#);
        check("foo::bar", r#"ok Child { root: "foo", child: "bar" }"#);
        check(
            "foo-x::bar_y",
            r#"ok Child { root: "foo-x", child: "bar_y" }"#,
        );
        check("foo::type", r#"ok Child { root: "foo", child: "type" }"#);
        check("::bar", "err `::bar` has `::` at its start or end");
        check("foo::", "err `foo::` has `::` at its start or end");
        check(
            "foo::bar::baz",
            "err `foo::bar::baz` nests namespaces 2 levels deep",
        );
        check("foo::self", "err `foo::self`: `self` cannot name a child");
        check("foo::_", "err `foo::_`: `_` cannot name a child");
        check(
            "Self::bar",
            "err `Self::bar`: `Self` cannot name a namespace root",
        );
        check(
            "type::bar",
            "err `type::bar`: namespace root `type` is a Rust keyword",
        );
        check("foo::1x", "err `foo::1x`: invalid child `1x`");
        check("foo::b r", "err `foo::b r`: invalid child `b r`");
        check("foo:bar", "err `foo:bar`: invalid namespace root `foo:bar`");
    }

    #[test]
    fn idents() {
        assert_eq!(module_ident("bar-baz").to_string(), "bar_baz");
        assert_eq!(module_ident("type").to_string(), "r#type");
        assert_eq!(module_ident("gen").to_string(), "r#gen");
        assert_eq!(module_ident("async").to_string(), "r#async");
    }
}
