//! Reading a root crate's `lib.rs` with syn: which top-level items take a
//! child's module name, under the `#[cfg]` the root is really built with.
//!
//! This pass never decides alone (the probe does, see `probe.rs`); it turns
//! the compiler's "`bar` is ambiguous" into the place that makes `bar`: a
//! plain item (file and line), a macro invocation whose tokens mention `bar`
//! (`cfg_sync! { pub mod sync; }`), or a glob re-export (`pub use other::*`).
//! Only the type namespace counts (where a module lives): functions,
//! constants, statics and macros never conflict.

use std::ops::Range;
use std::str::FromStr as _;

use cargo_platform::{Cfg, CfgExpr};
use proc_macro2::{TokenStream, TokenTree};
use syn::{Attribute, Item, UseTree, Visibility};

/// The cfg a crate is compiled with: the target's (`rustc --print cfg`)
/// plus `feature = "…"` for each enabled feature.
#[derive(Debug, Clone, Default)]
pub struct CfgSet {
    cfgs: Vec<Cfg>,
}

impl CfgSet {
    pub fn new(target: &str, features: &[String]) -> CfgSet {
        let mut cfgs: Vec<Cfg> = target
            .lines()
            .filter_map(|line| Cfg::from_str(line.trim()).ok())
            .collect();
        cfgs.extend(
            features
                .iter()
                .filter_map(|f| Cfg::from_str(&format!("feature = {f:?}")).ok()),
        );
        CfgSet { cfgs }
    }

    /// Whether every `#[cfg(…)]` of `attrs` holds. An expression cargo's
    /// parser does not know counts as true: the compiler has already said
    /// the name exists, this pass only looks for where.
    fn enabled(&self, attrs: &[Attribute]) -> bool {
        cfg_exprs(attrs).all(|expr| expr.is_none_or(|expr| expr.matches(&self.cfgs)))
    }
}

impl CfgSet {
    /// Whether every `#[cfg(…)]` of `attrs` holds in *every* build that
    /// turns on at least these features, on any platform: each expression
    /// is made of `feature = "…"` alone, under `all`/`any` but never `not`
    /// (features are only ever added, by other members or cargo's
    /// unification, so such an item cannot disappear), and holds now. An
    /// item behind a platform, a `--cfg` or a negation is not surely there.
    fn surely_enabled(&self, attrs: &[Attribute]) -> bool {
        fn monotone(expr: &CfgExpr) -> bool {
            match expr {
                CfgExpr::Value(Cfg::KeyPair(key, _)) => key.as_str() == "feature",
                CfgExpr::All(list) | CfgExpr::Any(list) => list.iter().all(monotone),
                _ => false,
            }
        }
        cfg_exprs(attrs)
            .all(|expr| expr.is_some_and(|expr| monotone(&expr) && expr.matches(&self.cfgs)))
    }
}

/// Whether the root's `lib.rs` re-exports the child crate itself as
/// `module` at its top level, under `cfg` and every build with more
/// features (see `surely_enabled`): `pub use foo_bar as bar;`,
/// `pub use ::foo_bar as bar;`, `pub use foo_bar::{self as bar};` or `pub
/// extern crate foo_bar as bar;`, where `crates` are the extern names the
/// root has for the child. Only a plain, certainly enabled item counts
/// (not a macro's or a glob's); `false` when the file does not parse.
pub fn reexports_child(source: &str, module: &str, crates: &[String], cfg: &CfgSet) -> bool {
    let Ok(file) = syn::parse_file(source) else {
        return false;
    };
    let is_child = |ident: &syn::Ident| crates.iter().any(|c| ident_is(ident, c));
    file.items.iter().any(|item| {
        if !cfg.surely_enabled(item_attrs(item)) {
            return false;
        }
        match item {
            Item::ExternCrate(i) => {
                is_pub(&i.vis)
                    && is_child(&i.ident)
                    && i.rename
                        .as_ref()
                        .is_some_and(|(_, rename)| ident_is(rename, module))
            }
            Item::Use(i) => is_pub(&i.vis) && use_binds_child(&i.tree, None, module, &is_child),
            _ => false,
        }
    })
}

/// Whether a `use` tree binds `module` to the crate it starts with
/// (`first`, once the tree has descended one segment) and that crate is the
/// child.
fn use_binds_child(
    tree: &UseTree,
    first: Option<&syn::Ident>,
    module: &str,
    is_child: &dyn Fn(&syn::Ident) -> bool,
) -> bool {
    match tree {
        UseTree::Path(p) => {
            first.is_none() && use_binds_child(&p.tree, Some(&p.ident), module, is_child)
        }
        UseTree::Group(g) => g
            .items
            .iter()
            .any(|tree| use_binds_child(tree, first, module, is_child)),
        // `foo_bar as bar` at the top, or `foo_bar::{self as bar}`.
        UseTree::Rename(r) => match first {
            None => is_child(&r.ident) && ident_is(&r.rename, module),
            Some(krate) => r.ident == "self" && is_child(krate) && ident_is(&r.rename, module),
        },
        UseTree::Name(n) => match first {
            None => is_child(&n.ident) && ident_is(&n.ident, module),
            Some(krate) => n.ident == "self" && is_child(krate) && ident_is(krate, module),
        },
        UseTree::Glob(_) => false,
    }
}

/// What makes the root's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A plain item: `module`, `struct`, `` `use` re-export ``…
    Item(&'static str),
    /// A macro invocation at the top level whose tokens name the module.
    Macro(String),
    /// `pub use path::*;`, written as the path.
    Glob(String),
}

/// A top-level item of the root that makes (or may make) a child's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The child's module name.
    pub module: String,
    pub origin: Origin,
    /// The item's name, the macro's path or the glob (byte range).
    pub span: Range<usize>,
    /// A feature in the item's `#[cfg]` (`feature = "x"`): disabling it removes the item.
    pub feature: Option<String>,
}

impl Location {
    /// Plain items first, then macros, then globs: the most precise answer.
    fn rank(&self) -> u8 {
        match self.origin {
            Origin::Item(_) => 0,
            Origin::Macro(_) => 1,
            Origin::Glob(_) => 2,
        }
    }
}

/// Every top-level item of `source` enabled under `cfg` that makes, or may
/// make, one of `modules`. `modules` holds, per child module, the extern
/// names under which the root itself refers to that child crate:
/// re-exporting the child is allowed and never listed. `Err` when the file
/// does not parse.
pub fn scan(
    source: &str,
    modules: &[(String, Vec<String>)],
    cfg: &CfgSet,
) -> Result<Vec<Location>, syn::Error> {
    let file = syn::parse_file(source)?;
    let definitions = macro_definitions(&file);
    let mut out = Vec::new();
    for item in &file.items {
        let attrs = item_attrs(item);
        if !cfg.enabled(attrs) {
            continue;
        }
        let feature = cfg_feature(attrs);
        let found = item_makes(item, modules, &definitions);
        out.extend(found.into_iter().map(|(module, origin, span)| Location {
            module,
            origin,
            span,
            feature: feature.clone(),
        }));
    }
    Ok(out)
}

/// A module an item makes, how, and where: `(module, origin, span)`.
type Found = (String, Origin, Range<usize>);

/// A local `macro_rules!` definition: its name and body.
type MacroDefinition<'a> = (&'a syn::Ident, &'a TokenStream);

/// Local `macro_rules!` bodies: an invocation with empty input
/// (`crate_root!();`) may still make items its definition names.
fn macro_definitions(file: &syn::File) -> Vec<MacroDefinition<'_>> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                m.ident.as_ref().map(|ident| (ident, &m.mac.tokens))
            }
            _ => None,
        })
        .collect()
}

/// The modules one top-level item makes, whatever its cfg.
fn item_makes(
    item: &Item,
    modules: &[(String, Vec<String>)],
    definitions: &[MacroDefinition<'_>],
) -> Vec<Found> {
    match item {
        Item::ExternCrate(i) => extern_crate_makes(i, modules).into_iter().collect(),
        Item::Use(i) => {
            let mut found = Vec::new();
            if is_pub(&i.vis) {
                collect_use(&i.tree, &mut Vec::new(), modules, &mut found);
            }
            found
        }
        Item::Macro(i) if i.ident.is_none() => macro_call_makes(i, modules, definitions),
        _ => named_item_makes(item, modules).into_iter().collect(),
    }
}

/// `pub extern crate other as bar;` makes `bar`, unless `other` is the
/// child crate itself.
fn extern_crate_makes(
    i: &syn::ItemExternCrate,
    modules: &[(String, Vec<String>)],
) -> Option<Found> {
    let name = i.rename.as_ref().map_or(&i.ident, |(_, rename)| rename);
    let (module, crates) = modules.iter().find(|(m, _)| ident_is(name, m))?;
    if !is_pub(&i.vis) || crates.iter().any(|c| ident_is(&i.ident, c)) {
        return None;
    }
    Some((
        module.clone(),
        Origin::Item("extern crate"),
        name.span().byte_range(),
    ))
}

/// A macro invocation may make every module its tokens, or the body of the
/// local `macro_rules!` it calls, mention.
fn macro_call_makes(
    i: &syn::ItemMacro,
    modules: &[(String, Vec<String>)],
    definitions: &[MacroDefinition<'_>],
) -> Vec<Found> {
    let name = i
        .mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let body = definitions
        .iter()
        .find(|(ident, _)| i.mac.path.is_ident(*ident))
        .map(|(_, body)| *body);
    modules
        .iter()
        .filter(|(module, _)| {
            mentions(&i.mac.tokens, module) || body.is_some_and(|b| mentions(b, module))
        })
        .map(|(module, _)| {
            (
                module.clone(),
                Origin::Macro(format!("{name}!")),
                path_span(&i.mac.path),
            )
        })
        .collect()
}

/// A public item of the type namespace named like a child module.
fn named_item_makes(item: &Item, modules: &[(String, Vec<String>)]) -> Option<Found> {
    let (vis, kind, ident) = match item {
        Item::Mod(i) => (&i.vis, "module", &i.ident),
        Item::Struct(i) => (&i.vis, "struct", &i.ident),
        Item::Enum(i) => (&i.vis, "enum", &i.ident),
        Item::Union(i) => (&i.vis, "union", &i.ident),
        Item::Trait(i) => (&i.vis, "trait", &i.ident),
        Item::TraitAlias(i) => (&i.vis, "trait alias", &i.ident),
        Item::Type(i) => (&i.vis, "type alias", &i.ident),
        _ => return None,
    };
    if !is_pub(vis) {
        return None;
    }
    let (module, _) = modules.iter().find(|(m, _)| ident_is(ident, m))?;
    Some((
        module.clone(),
        Origin::Item(kind),
        ident.span().byte_range(),
    ))
}

/// The best place that makes `module`: a plain item, else a macro that
/// names it, else a glob re-export.
pub fn locate(locations: &[Location], module: &str) -> Option<Location> {
    locations
        .iter()
        .filter(|l| l.module == module || matches!(l.origin, Origin::Glob(_)))
        .min_by_key(|l| l.rank())
        .cloned()
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn ident_is(ident: &syn::Ident, name: &str) -> bool {
    let text = ident.to_string();
    text.strip_prefix("r#").unwrap_or(&text) == name.strip_prefix("r#").unwrap_or(name)
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The expressions of every `#[cfg(…)]`; `None` where cargo's parser gives up.
fn cfg_exprs(attrs: &[Attribute]) -> impl Iterator<Item = Option<CfgExpr>> + '_ {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).map(|a| {
        let list = a.meta.require_list().ok()?;
        CfgExpr::from_str(&list.tokens.to_string()).ok()
    })
}

/// A feature that enables the item: `feature = "x"` outside any `not(…)`.
fn cfg_feature(attrs: &[Attribute]) -> Option<String> {
    fn walk(expr: &CfgExpr) -> Option<String> {
        match expr {
            CfgExpr::Value(Cfg::KeyPair(key, value)) if key.as_str() == "feature" => {
                Some(value.clone())
            }
            CfgExpr::All(list) | CfgExpr::Any(list) => list.iter().find_map(walk),
            _ => None,
        }
    }
    cfg_exprs(attrs).flatten().find_map(|e| walk(&e))
}

/// Whether an identifier `name` occurs anywhere in `tokens`.
fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident_is(&ident, name),
        TokenTree::Group(group) => mentions(&group.stream(), name),
        _ => false,
    })
}

fn path_span(path: &syn::Path) -> Range<usize> {
    let first = path.segments.first().map(|s| s.ident.span().byte_range());
    let last = path.segments.last().map(|s| s.ident.span().byte_range());
    match (first, last) {
        (Some(first), Some(last)) => first.start..last.end,
        _ => 0..0,
    }
}

/// Walks a `pub use` tree: a leaf that binds a child's name is a
/// conflict unless it is the child crate itself (`pub use foo_bar as bar;`,
/// `pub use ::foo_bar::{self as bar};`); a glob may bring any name.
fn collect_use<'a>(
    tree: &'a UseTree,
    path: &mut Vec<&'a syn::Ident>,
    modules: &[(String, Vec<String>)],
    out: &mut Vec<(String, Origin, Range<usize>)>,
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
        UseTree::Glob(g) => {
            let text: Vec<String> = path.iter().map(|i| i.to_string()).collect();
            let start = path
                .first()
                .map_or(g.star_token.span.byte_range(), |i| i.span().byte_range());
            out.push((
                String::new(),
                Origin::Glob(format!("{}::*", text.join("::"))),
                start.start..g.star_token.span.byte_range().end,
            ));
        }
    }
}

fn check_binding(
    source: &syn::Ident,
    bound: &syn::Ident,
    path: &[&syn::Ident],
    modules: &[(String, Vec<String>)],
    out: &mut Vec<(String, Origin, Range<usize>)>,
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
        out.push((
            module.clone(),
            Origin::Item("`use` re-export"),
            bound.span().byte_range(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reexport_of_the_child_itself_is_found_under_its_cfg() {
        let cfg = CfgSet::new("unix", &["std".to_owned()]);
        let crates = ["foo_bar".to_owned(), "renamed".to_owned()];
        let found = |source: &str| reexports_child(source, "bar", &crates, &cfg);
        for yes in [
            "pub use foo_bar as bar;",
            "pub use ::foo_bar as bar;",
            "pub use renamed as bar;",
            "pub use {foo_bar as bar, other as baz};",
            "pub use foo_bar::{self as bar};",
            "pub extern crate foo_bar as bar;",
            "#[cfg(feature = \"std\")]\npub use foo_bar as bar;",
            "#[cfg(any(feature = \"std\", feature = \"off\"))]\npub use foo_bar as bar;",
        ] {
            assert!(found(yes), "{yes}");
        }
        for no in [
            "use foo_bar as bar;",
            "pub(crate) use foo_bar as bar;",
            "pub use other as bar;",
            "pub use foo_bar::inner as bar;",
            "pub use foo_bar::*;",
            "pub use foo_bar;",
            "pub mod bar { pub use foo_bar::*; }",
            "#[cfg(feature = \"off\")]\npub use foo_bar as bar;",
            "#[cfg(windows)]\npub use foo_bar as bar;",
            // Platform, `--cfg` and negations may differ on the next build.
            "#[cfg(unix)]\npub use foo_bar as bar;",
            "#[cfg(all(unix, feature = \"std\"))]\npub use foo_bar as bar;",
            "#[cfg(not(feature = \"off\"))]\npub use foo_bar as bar;",
            "#[cfg(some_unknown_cfg(\"x\"))]\npub use foo_bar as bar;",
            "macro_rules! m { () => { pub use foo_bar as bar; } }\nm!();",
            "not rust",
        ] {
            assert!(!found(no), "{no}");
        }
    }

    fn check_with(source: &str, features: &[&str], expect: &[&str]) {
        let modules = vec![("bar".to_owned(), vec!["foo_bar".to_owned()])];
        let features: Vec<String> = features.iter().map(|f| (*f).to_owned()).collect();
        let cfg = CfgSet::new("unix\ntarget_os=\"linux\"\npanic=\"unwind\"", &features);
        let found: Vec<String> = scan(source, &modules, &cfg)
            .unwrap()
            .into_iter()
            .map(|l| {
                let what = match l.origin {
                    Origin::Item(kind) => kind.to_owned(),
                    Origin::Macro(name) => format!("macro {name}"),
                    Origin::Glob(glob) => format!("glob {glob}"),
                };
                format!("{what} {}", &source[l.span])
            })
            .collect();
        assert_eq!(found, expect, "{source}");
    }

    fn check(source: &str, expect: &[&str]) {
        check_with(source, &[], expect);
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
        check("pub mod baz {}", &[]);
    }

    #[test]
    fn cfg_is_evaluated() {
        let gated = "#[cfg(feature = \"x\")]\npub mod bar {}";
        check_with(gated, &[], &[]);
        check_with(gated, &["x"], &["module bar"]);
        check("#[cfg(windows)]\npub mod bar {}", &[]);
        check("#[cfg(unix)]\npub mod bar {}", &["module bar"]);
        check(
            "#[cfg(not(feature = \"x\"))]\npub mod bar {}",
            &["module bar"],
        );
        check("#[cfg(some_unknown_flag)]\npub mod bar {}", &[]);
    }

    #[test]
    fn macros_and_globs_are_candidates() {
        check("cfg_x! { pub mod bar {} }", &["macro cfg_x! cfg_x"]);
        check("cfg_x! { pub mod baz {} }", &[]);
        check(
            "macro_rules! root { () => { pub use core::{bar, baz}; } }\nroot!();",
            &["macro root! root"],
        );
        check("pub use other::*;", &["glob other::* other::*"]);
        check("use other::*;", &[]);
    }

    #[test]
    fn locate_prefers_plain_items() {
        let modules = vec![("bar".to_owned(), vec![])];
        let source = "pub use other::*;\nm! { pub mod bar {} }\npub mod bar {}\n";
        let found = scan(source, &modules, &CfgSet::default()).unwrap();
        let best = locate(&found, "bar").unwrap();
        assert_eq!(best.origin, Origin::Item("module"));
        assert_eq!(&source[best.span], "bar");
        let feature = scan(
            "#[cfg(all(unix, feature = \"x\"))] pub mod bar {}",
            &modules,
            &CfgSet::new("unix", &["x".to_owned()]),
        )
        .unwrap();
        assert_eq!(feature[0].feature.as_deref(), Some("x"));
    }
}
