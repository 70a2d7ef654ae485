//! RFC 3243's conflict rule, checked before anything is written: "If users
//! import both foo and foo::bar but foo also has a bar item in its API that
//! isn't just foo::bar re-exported, then rustc will error."
//!
//! The root crate's `lib.rs` is parsed with syn and its public top-level
//! items are compared with the children's module names in the type
//! namespace (where a module lives). Functions, constants, statics and
//! macros live in other namespaces and never conflict. Items syn cannot see
//! (glob re-exports, macro-generated items) are caught by the compile-time
//! guard the facade's `lib.rs` carries.

use std::ops::Range;

use syn::{Item, UseTree, Visibility};

/// A public root item that takes a child's module name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The child's module name.
    pub module: String,
    /// What the item is: `module`, `struct`, `use` re-export…
    pub kind: &'static str,
    /// The item's name in `lib.rs` (byte range).
    pub span: Range<usize>,
}

/// Finds root items in `source` that conflict with `modules`. `child_crates`
/// holds, per module, the extern names under which the root itself may
/// refer to that child crate (re-exporting it is allowed). `Err` when the
/// file does not parse (rustc will say why; the guard still protects).
pub fn find_conflicts(
    source: &str,
    modules: &[(String, Vec<String>)],
) -> Result<Vec<Conflict>, syn::Error> {
    let file = syn::parse_file(source)?;
    let mut out = Vec::new();
    for item in &file.items {
        let (vis, kind, ident) = match item {
            Item::Mod(i) => (&i.vis, "module", Some(&i.ident)),
            Item::Struct(i) => (&i.vis, "struct", Some(&i.ident)),
            Item::Enum(i) => (&i.vis, "enum", Some(&i.ident)),
            Item::Union(i) => (&i.vis, "union", Some(&i.ident)),
            Item::Trait(i) => (&i.vis, "trait", Some(&i.ident)),
            Item::TraitAlias(i) => (&i.vis, "trait alias", Some(&i.ident)),
            Item::Type(i) => (&i.vis, "type alias", Some(&i.ident)),
            Item::ExternCrate(i) => {
                let name = i.rename.as_ref().map_or(&i.ident, |(_, rename)| rename);
                if let Some((module, crates)) = modules.iter().find(|(m, _)| ident_is(name, m))
                    && matches!(i.vis, Visibility::Public(_))
                    && !crates.iter().any(|c| ident_is(&i.ident, c))
                {
                    out.push(Conflict {
                        module: module.clone(),
                        kind: "extern crate",
                        span: name.span().byte_range(),
                    });
                }
                continue;
            }
            Item::Use(i) => {
                if matches!(i.vis, Visibility::Public(_)) {
                    let mut path = Vec::new();
                    collect_use(&i.tree, &mut path, modules, &mut out);
                }
                continue;
            }
            _ => continue,
        };
        let Some(ident) = ident else { continue };
        if !matches!(vis, Visibility::Public(_)) {
            continue;
        }
        if let Some((module, _)) = modules.iter().find(|(m, _)| ident_is(ident, m)) {
            out.push(Conflict {
                module: module.clone(),
                kind,
                span: ident.span().byte_range(),
            });
        }
    }
    Ok(out)
}

fn ident_is(ident: &syn::Ident, name: &str) -> bool {
    let text = ident.to_string();
    text.strip_prefix("r#").unwrap_or(&text) == name.strip_prefix("r#").unwrap_or(name)
}

/// Walks a `pub use` tree; a leaf that binds a child's name is a conflict
/// unless it is the child crate itself (`pub use foo_bar as bar;`,
/// `pub use ::foo_bar::{self as bar};`).
fn collect_use<'a>(
    tree: &'a UseTree,
    path: &mut Vec<&'a syn::Ident>,
    modules: &[(String, Vec<String>)],
    out: &mut Vec<Conflict>,
) {
    match tree {
        UseTree::Path(p) => {
            path.push(&p.ident);
            collect_use(&p.tree, path, modules, out);
            path.pop();
        }
        UseTree::Group(g) => {
            for tree in &g.items {
                collect_use(tree, path, modules, out);
            }
        }
        UseTree::Name(n) => check_binding(&n.ident, &n.ident, path, modules, out),
        UseTree::Rename(r) => check_binding(&r.ident, &r.rename, path, modules, out),
        UseTree::Glob(_) => {}
    }
}

fn check_binding(
    source: &syn::Ident,
    bound: &syn::Ident,
    path: &[&syn::Ident],
    modules: &[(String, Vec<String>)],
    out: &mut Vec<Conflict>,
) {
    let Some((module, crates)) = modules.iter().find(|(m, _)| ident_is(bound, m)) else {
        return;
    };
    // The whole path, `self` leaves resolved to their parent.
    let mut segments: Vec<&syn::Ident> = path.to_vec();
    if source != "self" {
        segments.push(source);
    }
    let is_child_crate = segments.len() == 1 && crates.iter().any(|c| ident_is(segments[0], c));
    if !is_child_crate {
        out.push(Conflict {
            module: module.clone(),
            kind: "`use` re-export",
            span: bound.span().byte_range(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, expect: &[&str]) {
        let modules = vec![("bar".to_owned(), vec!["foo_bar".to_owned()])];
        let found: Vec<String> = find_conflicts(source, &modules)
            .unwrap()
            .into_iter()
            .map(|c| format!("{} {}", c.kind, &source[c.span]))
            .collect();
        assert_eq!(found, expect, "{source}");
    }

    #[test]
    fn type_namespace_items_conflict() {
        check("pub mod bar {}", &["module bar"]);
        check("pub mod bar;", &["module bar"]);
        check("pub struct bar;", &["struct bar"]);
        check("pub enum bar {}", &["enum bar"]);
        check("pub union bar { x: u8 }", &["union bar"]);
        check("pub trait bar {}", &["trait bar"]);
        check("pub type bar = u8;", &["type alias bar"]);
        check("pub use std::vec as bar;", &["`use` re-export bar"]);
        check("pub use self::inner::bar;", &["`use` re-export bar"]);
        check("pub use other::{x, y::bar};", &["`use` re-export bar"]);
        check("pub extern crate other as bar;", &["extern crate bar"]);
        check("pub mod r#bar {}", &["module r#bar"]);
    }

    #[test]
    fn others_do_not() {
        check("pub fn bar() {}", &[]);
        check("pub const bar: u8 = 0;", &[]);
        check("pub static bar: u8 = 0;", &[]);
        check("macro_rules! bar { () => {} }", &[]);
        check("#[macro_export] macro_rules! bar { () => {} }", &[]);
        check("mod bar {}", &[]);
        check("pub(crate) mod bar {}", &[]);
        check("pub use foo_bar as bar;", &[]);
        check("pub use foo_bar::{self as bar};", &[]);
        check("pub use ::foo_bar as bar;", &[]);
        check("pub extern crate foo_bar as bar;", &[]);
        check("pub use other::*;", &[]);
        check("pub mod baz {}", &[]);
    }
}
