//! The Rust half of `migrate`: renames the paths that name a crate
//! (`foo_bar::…` → `foo::bar::…`, and back) by editing only the bytes of
//! those paths. syn finds them (`span-locations` gives byte offsets); the
//! text is edited, never re-printed, so comments, string literals and
//! formatting keep every byte.
//!
//! A [`Rename`] turns the leading segments `from` of a path into `to`. The
//! same code runs both directions (`["foo_bar"]` → `["foo", "bar"]` and the
//! [`Rename::inverse`]), and every rule below has its inverse among them, so
//! `rewrite(rewrite(x, r), r.inverse()) == x` whenever the first rewrite
//! succeeds and `x` does not already spell `to` (the caller checks both):
//!
//! | before                           | after                             |
//! | -------------------------------- | --------------------------------- |
//! | `foo_bar::X` (any path, `::` too) | `foo::bar::X`                     |
//! | `use foo_bar;`                   | `use foo::bar as foo_bar;`        |
//! | `use foo_bar as bar;`            | `use foo::bar;`                   |
//! | `use foo_bar::{self};`           | `use foo::bar::{self as foo_bar};` |
//! | `use foo_bar::{self as bar};`    | `use foo::bar::{self};`           |
//! | `extern crate foo_bar as x;`     | `use ::foo::{bar as x};`          |
//!
//! Imports keep the name they bind. `extern crate` becomes the one import
//! shape that renaming a `use` never produces (a braced single rename after
//! a leading `::`), which is how the way back recognises it.
//!
//! Paths inside macro invocations are found by parsing the body as
//! statements or as comma-separated expressions when it is either, and by
//! scanning its tokens otherwise (`foo_bar` followed by `::`, not after `.`,
//! `$`, `#`, or a path segment). A path whose first segment is a local item
//! (`mod foo_bar`, `use x as foo_bar`, a struct…) in its module or block
//! does not name the crate and is left alone; a rewritten path that a local
//! item would capture is an error.
//!
//! Doc comments: each Rust code block is rewritten as a crate of its own
//! (rustdoc compiles it so), with its edits mapped back to the file through
//! [`super::doc::DocCode`]; an intra-doc link's path is renamed when it
//! starts with `from` (`[foo_bar::X]`, `` [`foo_bar`] ``).

use std::collections::BTreeSet;
use std::ops::Range;

use proc_macro2::{Spacing, Span, TokenStream, TokenTree};
use syn::ext::IdentExt as _;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Ident, Item, UseTree};

use super::doc::{self, DocCode, DocLink, DocRust};
use crate::name::is_keyword;

/// Paths that start with `from` start with `to` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// Segment names as identifiers name them, without `r#`.
    pub from: Vec<String>,
    pub to: Vec<String>,
}

impl Rename {
    pub fn new(from: &[&str], to: &[&str]) -> Rename {
        Rename {
            from: from.iter().map(|s| (*s).to_owned()).collect(),
            to: to.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The rename that undoes this one.
    pub fn inverse(&self) -> Rename {
        Rename {
            from: self.to.clone(),
            to: self.from.clone(),
        }
    }

    /// `to` as Rust source: `foo::r#type`.
    fn to_source(&self) -> String {
        self.to
            .iter()
            .map(|s| ident_source(s))
            .collect::<Vec<_>>()
            .join("::")
    }
}

/// Why a file cannot be rewritten, at a byte range of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub help: String,
    /// A second place that explains the first (the local item in the way).
    pub related: Option<(Range<usize>, String)>,
}

/// The rewritten text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    pub text: String,
    /// Byte ranges of the input that were rewritten, one per path.
    pub sites: Vec<Range<usize>>,
}

/// Rewrites every path of `text` that starts with a rename's `from`: in
/// the code, and in the doc comments' Rust code blocks and intra-doc links
/// ([`super::doc`]).
pub fn rewrite(text: &str, renames: &[Rename]) -> Result<Rewritten, Vec<Problem>> {
    rewrite_parts(text, renames, true)
}

/// [`rewrite`] of the code only, doc comments left as they are (for a
/// caller that handles doc comments its own way, as `package` does).
pub fn rewrite_code(text: &str, renames: &[Rename]) -> Result<Rewritten, Vec<Problem>> {
    rewrite_parts(text, renames, false)
}

fn rewrite_parts(text: &str, renames: &[Rename], docs: bool) -> Result<Rewritten, Vec<Problem>> {
    let base = parse_offset(text);
    let file = syn::parse_str::<syn::File>(&text[base..]).map_err(|err| {
        let range = err.span().byte_range();
        vec![Problem {
            span: range.start + base..range.end + base,
            message: "cannot parse this file as Rust".to_owned(),
            label: err.to_string(),
            help: "fix the syntax error (or move the file out of the package) and migrate again"
                .to_owned(),
            related: None,
        }]
    })?;
    let mut found = Found::default();
    visit(text, base, renames, &mut found, |r| r.visit_file(&file));
    for piece in doc::doc_rust(text).into_iter().filter(|_| docs) {
        match piece {
            DocRust::Code(code) => doc_code(&code, renames, &mut found),
            DocRust::Link(link) => doc_link(text, &link, renames, &mut found),
        }
    }
    let Found {
        mut edits,
        mut sites,
        mut problems,
    } = found;
    edits.sort_by_key(|(range, _)| (range.start, range.end));
    for pair in edits.windows(2) {
        if pair[1].0.start < pair[0].0.end {
            problems.push(Problem {
                span: pair[1].0.clone(),
                message: "cannot rewrite this path: it overlaps another rewrite".to_owned(),
                label: "rewritten twice".to_owned(),
                help: "rewrite this path by hand; please report this as a bug of cargo-facade"
                    .to_owned(),
                related: None,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = String::with_capacity(text.len() + 16 * edits.len());
    let mut at = 0;
    for (range, replacement) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    sites.sort_by_key(|r| (r.start, r.end));
    Ok(Rewritten { text: out, sites })
}

/// Edits, sites and problems found so far, as byte ranges of the file.
#[derive(Debug, Default)]
struct Found {
    edits: Vec<(Range<usize>, String)>,
    sites: Vec<Range<usize>>,
    problems: Vec<Problem>,
}

/// Runs a [`Rewriter`] over `text` (parsed from `base`) and adds what it
/// found to `found`.
fn visit(
    text: &str,
    base: usize,
    renames: &[Rename],
    found: &mut Found,
    run: impl FnOnce(&mut Rewriter<'_>),
) {
    let mut watched = BTreeSet::new();
    for rename in renames {
        watched.extend(rename.from.first().cloned());
        watched.extend(rename.to.first().cloned());
    }
    let mut rewriter = Rewriter {
        text,
        base,
        renames,
        watched,
        scopes: Vec::new(),
        skip_next_path: false,
        edits: Vec::new(),
        sites: Vec::new(),
        problems: Vec::new(),
        reported: BTreeSet::new(),
    };
    run(&mut rewriter);
    found.edits.append(&mut rewriter.edits);
    found.sites.append(&mut rewriter.sites);
    found.problems.append(&mut rewriter.problems);
}

/// The paths of a doc comment's code block, rewritten as a file of their
/// own (rustdoc compiles each block as a crate): parsed as a file, else as
/// the body of `fn main` (as rustdoc wraps it), else scanned as tokens.
fn doc_code(code: &DocCode, renames: &[Rename], found: &mut Found) {
    if !renames
        .iter()
        .any(|r| code.text.contains(r.from[0].as_str()))
    {
        return;
    }
    const MAIN: &str = "fn main() {\n";
    let mut local = Found::default();
    let shift = if let Ok(file) = syn::parse_str::<syn::File>(&code.text) {
        visit(&code.text, 0, renames, &mut local, |r| r.visit_file(&file));
        0
    } else if let wrapped = format!("{MAIN}{}\n}}", code.text)
        && let Ok(file) = syn::parse_str::<syn::File>(&wrapped)
    {
        visit(&wrapped, 0, renames, &mut local, |r| r.visit_file(&file));
        MAIN.len()
    } else if let Ok(tokens) = code.text.parse::<TokenStream>() {
        visit(&code.text, 0, renames, &mut local, |r| r.scan(tokens));
        0
    } else {
        return; // not Rust tokens: rustdoc could not compile it either
    };
    let map = |range: &Range<usize>| code.file_range(range.start - shift..range.end - shift);
    for (range, replacement) in local.edits {
        match map(&range) {
            Some(range) => found.edits.push((range, replacement)),
            None => found.problems.push(Problem {
                span: code.file_offset(range.start - shift)..code.file_offset(range.start - shift),
                message: "cannot rewrite a path that spans lines of a doc comment".to_owned(),
                label: "this path".to_owned(),
                help: "write the path on one line and migrate again".to_owned(),
                related: None,
            }),
        }
    }
    found.sites.extend(local.sites.iter().filter_map(map));
    for mut problem in local.problems {
        let span = map(&problem.span);
        problem.span = span.unwrap_or_else(|| {
            let at = code.file_offset(problem.span.start.saturating_sub(shift));
            at..at
        });
        if let Some((range, _)) = &mut problem.related {
            *range = map(range).unwrap_or(problem.span.clone());
        }
        found.problems.push(problem);
    }
}

/// An intra-doc link whose path starts with a rename's `from`.
fn doc_link(text: &str, link: &DocLink, renames: &[Rename], found: &mut Found) {
    let path = &text[link.range.clone()];
    let leading = usize::from(path.starts_with("::")) * 2;
    let segs: Vec<&str> = path[leading..].split("::").collect();
    for rename in renames {
        let n = rename.from.len();
        let matches = segs.len() >= n
            && rename
                .from
                .iter()
                .zip(&segs)
                .all(|(name, seg)| name_of_src(seg) == *name);
        if matches {
            let len = segs[..n].iter().map(|s| s.len()).sum::<usize>() + 2 * (n - 1);
            let start = link.range.start + leading;
            found.sites.push(start..start + len);
            found.edits.push((start..start + len, rename.to_source()));
            return;
        }
    }
}

/// Where syn's `parse_file` starts parsing: after a BOM and a shebang line.
pub(crate) fn parse_offset(text: &str) -> usize {
    let mut base = 0;
    if text.starts_with('\u{feff}') {
        base = '\u{feff}'.len_utf8();
    }
    let rest = &text[base..];
    if let Some(after) = rest.strip_prefix("#!") {
        // `#![attr]` is an inner attribute, not a shebang (syn's rule).
        if !after.trim_start().starts_with('[') {
            base += rest.find('\n').unwrap_or(rest.len());
        }
    }
    base
}

/// An identifier as source: `r#` for keywords.
fn ident_source(name: &str) -> String {
    if is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

fn name_of(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// One segment of a path being matched.
#[derive(Debug, Clone)]
struct Seg {
    name: String,
    range: Range<usize>,
    /// No generic arguments.
    plain: bool,
}

/// The type-namespace names an item scope binds to something other than
/// the crate, with where.
#[derive(Debug, Default)]
struct Scope {
    module: bool,
    shadows: Vec<(String, Range<usize>)>,
}

struct Rewriter<'a> {
    text: &'a str,
    base: usize,
    renames: &'a [Rename],
    /// Names whose local bindings matter: each rename's first `from` and `to`.
    watched: BTreeSet<String>,
    scopes: Vec<Scope>,
    /// The next path follows a `<T>::` qualified self: not a leading segment.
    skip_next_path: bool,
    edits: Vec<(Range<usize>, String)>,
    sites: Vec<Range<usize>>,
    problems: Vec<Problem>,
    /// Local items already reported as capturing a rewritten path.
    reported: BTreeSet<(usize, usize)>,
}

impl Rewriter<'_> {
    fn range(&self, span: Span) -> Range<usize> {
        let range = span.byte_range();
        range.start + self.base..range.end + self.base
    }

    fn seg(&self, ident: &Ident) -> Seg {
        Seg {
            name: name_of(ident),
            range: self.range(ident.span()),
            plain: true,
        }
    }

    fn src(&self, range: &Range<usize>) -> &str {
        &self.text[range.clone()]
    }

    /// The local item that binds `name` where the visitor is, if any.
    fn shadowed(&self, name: &str) -> Option<Range<usize>> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, range)) = scope.shadows.iter().find(|(n, _)| n == name) {
                return Some(range.clone());
            }
            if scope.module {
                break;
            }
        }
        None
    }

    /// A rename whose whole `from` the first segments spell.
    fn matching(&self, segs: &[Seg]) -> Option<&Rename> {
        let renames = self.renames;
        renames.iter().find(|r| {
            r.from.len() <= segs.len()
                && r.from
                    .iter()
                    .zip(segs)
                    .all(|(name, seg)| *name == seg.name && seg.plain)
        })
    }

    /// Whether `segs` is the beginning of some rename's `from`, not all of it.
    fn partial(&self, segs: &[Seg]) -> bool {
        self.renames.iter().any(|r| {
            r.from.len() > segs.len() && r.from.iter().zip(segs).all(|(n, s)| *n == s.name)
        })
    }

    /// Whether a local binding of `name` to `path` is the crate itself.
    fn crateish(&self, name: &str, path: &[String]) -> bool {
        path.len() == 1 && path[0] == name
            || self.renames.iter().any(|r| {
                r.from == path
                    && (r.from.last().is_some_and(|l| l == name)
                        || r.to.last().is_some_and(|l| l == name))
            })
    }

    fn push_scope(&mut self, module: bool, items: &[&Item]) {
        let mut shadows = Vec::new();
        for item in items {
            self.item_bindings(item, &mut shadows);
        }
        shadows.retain(|(name, _)| self.watched.contains(name));
        self.scopes.push(Scope { module, shadows });
    }

    fn item_bindings(&self, item: &Item, out: &mut Vec<(String, Range<usize>)>) {
        let ident = match item {
            Item::Mod(i) => &i.ident,
            Item::Struct(i) => &i.ident,
            Item::Enum(i) => &i.ident,
            Item::Union(i) => &i.ident,
            Item::Trait(i) => &i.ident,
            Item::TraitAlias(i) => &i.ident,
            Item::Type(i) => &i.ident,
            Item::ExternCrate(i) => {
                let bound = i.rename.as_ref().map_or(&i.ident, |(_, r)| r);
                if !self.crateish(&name_of(bound), &[name_of(&i.ident)]) {
                    out.push((name_of(bound), self.range(bound.span())));
                }
                return;
            }
            Item::Use(i) => {
                self.use_bindings(&i.tree, &mut Vec::new(), out);
                return;
            }
            _ => return,
        };
        out.push((name_of(ident), self.range(ident.span())));
    }

    fn use_bindings(
        &self,
        tree: &UseTree,
        prefix: &mut Vec<String>,
        out: &mut Vec<(String, Range<usize>)>,
    ) {
        let (bound, path) = match tree {
            UseTree::Path(p) => {
                prefix.push(name_of(&p.ident));
                self.use_bindings(&p.tree, prefix, out);
                prefix.pop();
                return;
            }
            UseTree::Group(g) => {
                for item in &g.items {
                    self.use_bindings(item, prefix, out);
                }
                return;
            }
            UseTree::Glob(_) => return,
            UseTree::Name(n) if n.ident == "self" => match prefix.last() {
                Some(last) => ((last.clone(), &n.ident), prefix.clone()),
                None => return,
            },
            UseTree::Name(n) => {
                let mut path = prefix.clone();
                path.push(name_of(&n.ident));
                ((name_of(&n.ident), &n.ident), path)
            }
            UseTree::Rename(r) => {
                let mut path = prefix.clone();
                if r.ident != "self" {
                    path.push(name_of(&r.ident));
                }
                ((name_of(&r.rename), &r.rename), path)
            }
        };
        let (name, ident) = bound;
        if !self.crateish(&name, &path) {
            out.push((name, self.range(ident.span())));
        }
    }

    /// Renames the segments `segs` (exactly a rename's `from`) of a path
    /// that starts there. `false` when the path is left alone.
    fn rename_prefix(&mut self, rename: &Rename, segs: &[Seg], leading_colon: bool) -> bool {
        if !leading_colon && self.shadowed(&rename.from[0]).is_some() {
            return false; // a local item, not the crate
        }
        let range = segs[0].range.start..segs[segs.len() - 1].range.end;
        let expected = segs
            .iter()
            .map(|s| self.src(&s.range))
            .collect::<Vec<_>>()
            .join("::");
        if self.src(&range) != expected {
            self.problems.push(Problem {
                span: range,
                message: format!(
                    "cannot rewrite `{}`: the path has spaces or comments inside",
                    expected
                ),
                label: "this path".to_owned(),
                help: format!("write it as `{expected}` and migrate again"),
                related: None,
            });
            return false;
        }
        if !leading_colon && let Some(local) = self.shadowed(&rename.to[0]) {
            if self.reported.insert((local.start, local.end)) {
                self.problems.push(Problem {
                    span: range,
                    message: format!(
                        "`{}` would name a local item here, not the crate",
                        rename.to[0]
                    ),
                    label: format!("would become `{}`", rename.to_source()),
                    help: format!(
                        "rename the local `{}`, or write this path as `::{expected}::…` so that no local \
                         item can capture it",
                        rename.to[0]
                    ),
                    related: Some((local, format!("local `{}` defined here", rename.to[0]))),
                });
            }
            return false;
        }
        self.sites.push(range.clone());
        self.edits.push((range, rename.to_source()));
        true
    }

    fn use_tree(&mut self, tree: &UseTree, prefix: &mut Vec<Seg>, leading_colon: bool) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(self.seg(&p.ident));
                if let Some(rename) = self.matching(prefix).cloned() {
                    if rename.from.len() == prefix.len()
                        && self.rename_prefix(&rename, prefix, leading_colon)
                        && let UseTree::Group(group) = &*p.tree
                    {
                        let bound = self.src(&prefix[prefix.len() - 1].range).to_owned();
                        self.rebind_selves(&rename, group, &bound);
                    }
                } else if self.partial(prefix) {
                    self.use_tree(&p.tree, prefix, leading_colon);
                }
                prefix.pop();
            }
            UseTree::Name(n) => {
                prefix.push(self.seg(&n.ident));
                if let Some(rename) = self.full(prefix)
                    && self.rename_prefix(&rename, prefix, leading_colon)
                    && rename.to.last() != Some(&name_of(&n.ident))
                {
                    // Keep the name the import binds.
                    let end = self.range(n.ident.span()).end;
                    let bound = self.src(&self.range(n.ident.span())).to_owned();
                    self.edits.push((end..end, format!(" as {bound}")));
                }
                prefix.pop();
            }
            UseTree::Rename(r) => {
                prefix.push(self.seg(&r.ident));
                if let Some(rename) = self.full(prefix)
                    && self.rename_prefix(&rename, prefix, leading_colon)
                {
                    self.drop_redundant_as(&rename, &r.ident, &r.rename);
                }
                prefix.pop();
            }
            UseTree::Group(g) if prefix.is_empty() => {
                for item in &g.items {
                    self.use_tree(item, prefix, leading_colon);
                }
            }
            UseTree::Group(g) => {
                // `foo::{bar::X, baz}`: the renamed path would need splitting.
                for item in &g.items {
                    let first = match item {
                        UseTree::Path(p) => &p.ident,
                        UseTree::Name(n) => &n.ident,
                        UseTree::Rename(r) => &r.ident,
                        _ => continue,
                    };
                    prefix.push(self.seg(first));
                    if self.matching(prefix).is_some() || self.partial(prefix) {
                        let range = prefix[0].range.start..prefix[prefix.len() - 1].range.end;
                        let spelled = prefix
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join("::");
                        self.problems.push(Problem {
                            span: range,
                            message: format!("cannot rewrite `{spelled}` inside a braced import"),
                            label: "imported inside `{…}`".to_owned(),
                            help: format!(
                                "give `{spelled}` an import of its own (`use {spelled}…;`) and migrate again"
                            ),
                            related: None,
                        });
                    }
                    prefix.pop();
                }
            }
            UseTree::Glob(_) => {}
        }
    }

    /// The rename that `prefix` spells completely.
    fn full(&self, prefix: &[Seg]) -> Option<Rename> {
        self.matching(prefix)
            .filter(|r| r.from.len() == prefix.len())
            .cloned()
    }

    /// `foo_bar::{self}` binds `foo_bar`, `foo::bar::{self}` binds `bar`:
    /// keep the bound name.
    fn rebind_selves(&mut self, rename: &Rename, group: &syn::UseGroup, bound: &str) {
        for item in &group.items {
            match item {
                UseTree::Name(n)
                    if n.ident == "self"
                        && rename.to.last().map(String::as_str) != Some(&*name_of_src(bound)) =>
                {
                    let end = self.range(n.ident.span()).end;
                    self.edits.push((end..end, format!(" as {bound}")));
                }
                UseTree::Rename(r) if r.ident == "self" => {
                    self.drop_redundant_as(rename, &r.ident, &r.rename);
                }
                _ => {}
            }
        }
    }

    /// `foo_bar as bar` → `foo::bar`: the rename says what the path now says.
    fn drop_redundant_as(&mut self, rename: &Rename, ident: &Ident, alias: &Ident) {
        let ident_end = self.range(ident.span()).end;
        let alias_range = self.range(alias.span());
        if rename.to.last() == Some(&name_of(alias))
            && self.src(&(ident_end..alias_range.end)) == format!(" as {}", self.src(&alias_range))
        {
            self.edits.push((ident_end..alias_range.end, String::new()));
        }
    }

    /// `use ::foo::{bar as x};` is what `extern crate foo_bar as x;`
    /// became; turn it back. `true` when it did.
    fn use_to_extern_crate(&mut self, item: &syn::ItemUse) -> bool {
        let Some(_) = &item.leading_colon else {
            return false;
        };
        for rename in self.renames.iter().filter(|r| r.to.len() == 1) {
            let n = rename.from.len();
            let mut tree = &item.tree;
            let mut segs = Vec::new();
            for name in &rename.from[..n - 1] {
                match tree {
                    UseTree::Path(p) if name_of(&p.ident) == *name => {
                        segs.push(self.src(&self.range(p.ident.span())).to_owned());
                        tree = &p.tree;
                    }
                    _ => break,
                }
            }
            if segs.len() != n - 1 {
                continue;
            }
            let UseTree::Group(group) = tree else {
                continue;
            };
            let Some(UseTree::Rename(r)) = group.items.first() else {
                continue;
            };
            if group.items.len() != 1
                || group.items.trailing_punct()
                || name_of(&r.ident) != rename.from[n - 1]
            {
                continue;
            }
            let start = self.range(item.use_token.span).start;
            let end = self.range(group.brace_token.span.close()).end;
            let alias = self.src(&self.range(r.rename.span())).to_owned();
            let expected = format!(
                "use ::{}{{{} as {alias}}}",
                segs.iter().map(|s| format!("{s}::")).collect::<String>(),
                self.src(&self.range(r.ident.span())),
            );
            if self.src(&(start..end)) != expected {
                continue;
            }
            let krate = &rename.to[0];
            let mut replacement = format!("extern crate {}", ident_source(krate));
            if name_of(&r.rename) != *krate {
                replacement.push_str(&format!(" as {alias}"));
            }
            self.sites.push(start..end);
            self.edits.push((start..end, replacement));
            return true;
        }
        false
    }

    /// Token trees that did not parse as Rust: `foo_bar::` not after `.`,
    /// `$`, `#`, `'` or a path segment.
    fn scan(&mut self, stream: TokenStream) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            if let TokenTree::Group(group) = &tokens[i] {
                self.scan(group.stream());
                i += 1;
                continue;
            }
            i += self.scan_path_at(&tokens, i).unwrap_or(1);
        }
    }

    fn scan_path_at(&mut self, tokens: &[TokenTree], i: usize) -> Option<usize> {
        let TokenTree::Ident(_) = &tokens[i] else {
            return None;
        };
        let leading_colon = match path_start(tokens, i) {
            Start::No => return None,
            Start::Colon2 => true,
            Start::Plain => false,
        };
        let renames = self.renames;
        for rename in renames {
            let mut segs = Vec::new();
            let mut j = i;
            for name in &rename.from {
                match tokens.get(j) {
                    Some(TokenTree::Ident(ident))
                        if name_of(ident) == *name && is_colon2(tokens, j + 1) =>
                    {
                        segs.push(self.seg(ident));
                        j += 3;
                    }
                    _ => break,
                }
            }
            if segs.len() == rename.from.len() {
                self.rename_prefix(rename, &segs, leading_colon);
                return Some(j - i);
            }
        }
        None
    }
}

/// `&str` of an identifier's source without `r#`.
fn name_of_src(source: &str) -> String {
    source.strip_prefix("r#").unwrap_or(source).to_owned()
}

enum Start {
    /// Not the first segment of a path.
    No,
    /// After a leading `::`.
    Colon2,
    Plain,
}

fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == ch)
}

fn is_colon2(tokens: &[TokenTree], j: usize) -> bool {
    matches!(tokens.get(j), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(tokens.get(j + 1), ':')
}

fn path_start(tokens: &[TokenTree], i: usize) -> Start {
    let before = |k: usize| i.checked_sub(k).and_then(|at| tokens.get(at));
    if ['.', '$', '#', '\'']
        .iter()
        .any(|&ch| is_punct(before(1), ch))
    {
        return Start::No;
    }
    if i < 2 || !is_colon2(tokens, i - 2) {
        return Start::Plain;
    }
    match before(3) {
        Some(TokenTree::Ident(_)) => Start::No,
        // `Vec::<u8>::x` continues a path; `-> ::x` and `=> ::x` start one.
        Some(TokenTree::Punct(p)) if p.as_char() == '>' => {
            let arrow = matches!(before(4), Some(TokenTree::Punct(q)) if (q.as_char() == '-' || q.as_char() == '=') && q.spacing() == Spacing::Joint);
            if arrow { Start::Colon2 } else { Start::No }
        }
        _ => Start::Colon2,
    }
}

impl<'ast> Visit<'ast> for Rewriter<'_> {
    fn visit_file(&mut self, file: &'ast syn::File) {
        let items: Vec<&Item> = file.items.iter().collect();
        self.push_scope(true, &items);
        visit::visit_file(self, file);
        self.scopes.pop();
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        for attr in &module.attrs {
            self.visit_attribute(attr);
        }
        if let Some((_, items)) = &module.content {
            let refs: Vec<&Item> = items.iter().collect();
            self.push_scope(true, &refs);
            for item in items {
                self.visit_item(item);
            }
            self.scopes.pop();
        }
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items: Vec<&Item> = block
            .stmts
            .iter()
            .filter_map(|s| match s {
                syn::Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        self.push_scope(false, &items);
        visit::visit_block(self, block);
        self.scopes.pop();
    }

    fn visit_qself(&mut self, qself: &'ast syn::QSelf) {
        visit::visit_qself(self, qself);
        if qself.position == 0 {
            self.skip_next_path = true; // `<T>::foo_bar`: a member of `T`
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if !std::mem::take(&mut self.skip_next_path) {
            let segs: Vec<Seg> = path
                .segments
                .iter()
                .map(|s| Seg {
                    plain: s.arguments.is_none(),
                    ..self.seg(&s.ident)
                })
                .collect();
            // A path that is only `foo_bar` is a local value, not the crate.
            if let Some(rename) = self.matching(&segs).cloned()
                && rename.from.len() < segs.len()
            {
                let n = rename.from.len();
                self.rename_prefix(&rename, &segs[..n], path.leading_colon.is_some());
            }
        }
        visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for attr in &item.attrs {
            self.visit_attribute(attr);
        }
        self.visit_visibility(&item.vis);
        if !self.use_to_extern_crate(item) {
            self.use_tree(&item.tree, &mut Vec::new(), item.leading_colon.is_some());
        }
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        for attr in &item.attrs {
            self.visit_attribute(attr);
        }
        let name = name_of(&item.ident);
        let renames = self.renames;
        let Some(rename) = renames
            .iter()
            .find(|r| r.from.len() == 1 && r.from[0] == name)
        else {
            return;
        };
        let ident = self.range(item.ident.span());
        if let Some(attr) = item.attrs.iter().find(|a| a.path().is_ident("macro_use")) {
            let span = self.range(attr.pound_token.span).start..ident.end;
            self.problems.push(Problem {
                span,
                message: format!("cannot migrate `#[macro_use] extern crate {name}`"),
                label: "imports every macro of the crate by name".to_owned(),
                help: format!(
                    "import the macros this crate uses by path (`use {name}::some_macro;`), remove \
                     `#[macro_use]` and migrate again"
                ),
                related: None,
            });
            return;
        }
        let start = self.range(item.extern_token.span).start;
        let (end, alias) = match &item.rename {
            Some((_, alias)) => {
                let range = self.range(alias.span());
                (range.end, self.src(&range).to_owned())
            }
            None => (ident.end, self.src(&ident).to_owned()),
        };
        let mut expected = format!("extern crate {}", self.src(&ident));
        if item.rename.is_some() {
            expected.push_str(&format!(" as {alias}"));
        }
        if self.src(&(start..end)) != expected {
            self.problems.push(Problem {
                span: start..end,
                message: format!(
                    "cannot rewrite `{expected}`: it has extra spaces or comments inside"
                ),
                label: "this item".to_owned(),
                help: format!("write it as `{expected}` and migrate again"),
                related: None,
            });
            return;
        }
        let (last, init) = rename.to.split_last().expect("a rename names a path");
        let replacement = format!(
            "use ::{}{{{} as {alias}}}",
            init.iter()
                .map(|s| format!("{}::", ident_source(s)))
                .collect::<String>(),
            ident_source(last),
        );
        self.sites.push(start..end);
        self.edits.push((start..end, replacement));
    }

    fn visit_meta_list(&mut self, list: &'ast syn::MetaList) {
        visit::visit_meta_list(self, list);
        self.scan(list.tokens.clone());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            let items: Vec<&Item> = stmts
                .iter()
                .filter_map(|s| match s {
                    syn::Stmt::Item(item) => Some(item),
                    _ => None,
                })
                .collect();
            self.push_scope(false, &items);
            for stmt in &stmts {
                self.visit_stmt(stmt);
            }
            self.scopes.pop();
        } else if let Ok(exprs) =
            mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        } else {
            self.scan(mac.tokens.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forward() -> Vec<Rename> {
        vec![Rename::new(&["foo_bar"], &["foo", "bar"])]
    }

    /// Rewrites forward, checks the result, and checks the way back.
    #[track_caller]
    fn check(before: &str, after: &str) {
        let renames = forward();
        let out = rewrite(before, &renames).unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(out.text, after, "forward");
        let inverse: Vec<Rename> = renames.iter().map(Rename::inverse).collect();
        let back = rewrite(&out.text, &inverse).unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(back.text, before, "back");
    }

    #[track_caller]
    fn check_error(before: &str, renames: &[Rename], expect: &str) {
        let problems = rewrite(before, renames).expect_err("a problem");
        let text: Vec<String> = problems
            .iter()
            .map(|p| format!("{} @ `{}`", p.message, &before[p.span.clone()]))
            .collect();
        assert_eq!(text.join("\n"), expect);
    }

    #[test]
    fn uses() {
        check(
            "use foo_bar::Baz; // trailing\nuse foo_bar::{self as fb, x::Y};\n",
            "use foo::bar::Baz; // trailing\nuse foo::bar::{self as fb, x::Y};\n",
        );
        check("use foo_bar;\n", "use foo::bar as foo_bar;\n");
        check("pub use foo_bar as bar;\n", "pub use foo::bar;\n");
        check("use foo_bar as x;\n", "use foo::bar as x;\n");
        check(
            "use foo_bar::{self};\n",
            "use foo::bar::{self as foo_bar};\n",
        );
        check(
            "use foo_bar::{self as bar, Baz};\n",
            "use foo::bar::{self, Baz};\n",
        );
        check("use ::foo_bar::*;\n", "use ::foo::bar::*;\n");
        check(
            "use {foo_bar::A, std::fmt, foo_bar};\n",
            "use {foo::bar::A, std::fmt, foo::bar as foo_bar};\n",
        );
        check(
            "use self::foo_bar::X;\nmod foo_bar { pub struct X; }\n",
            "use self::foo_bar::X;\nmod foo_bar { pub struct X; }\n",
        );
    }

    #[test]
    fn extern_crates() {
        check("extern crate foo_bar;\n", "use ::foo::{bar as foo_bar};\n");
        check(
            "pub extern crate foo_bar as fb;\n",
            "pub use ::foo::{bar as fb};\n",
        );
        check("extern crate foo_bar as _;\n", "use ::foo::{bar as _};\n");
        check("extern crate other;\n", "extern crate other;\n");
        check_error(
            "#[macro_use]\nextern crate foo_bar;\n",
            &forward(),
            "cannot migrate `#[macro_use] extern crate foo_bar` @ `#[macro_use]\nextern crate foo_bar`",
        );
    }

    #[test]
    fn paths_types_patterns() {
        check(
            "fn f(x: foo_bar::T) -> ::foo_bar::U {\n    match foo_bar::E::A { foo_bar::E::A => foo_bar::g::<foo_bar::T>(), _ => <foo_bar::T as foo_bar::Tr>::h() }\n}\n",
            "fn f(x: foo::bar::T) -> ::foo::bar::U {\n    match foo::bar::E::A { foo::bar::E::A => foo::bar::g::<foo::bar::T>(), _ => <foo::bar::T as foo::bar::Tr>::h() }\n}\n",
        );
        // Not the crate: a field, a method turbofish, a bare value, `<T>::`, a later segment.
        check(
            "fn f() { let foo_bar = 1; s.foo_bar; s.foo_bar::<u8>(); <T>::foo_bar::x(); a::foo_bar::b(); }\n",
            "fn f() { let foo_bar = 1; s.foo_bar; s.foo_bar::<u8>(); <T>::foo_bar::x(); a::foo_bar::b(); }\n",
        );
        check(
            "#[foo_bar::attr]\n#[derive(foo_bar::Derive)]\nstruct S;\n",
            "#[foo::bar::attr]\n#[derive(foo::bar::Derive)]\nstruct S;\n",
        );
    }

    #[test]
    fn comments_and_strings_keep_every_byte() {
        check(
            "/* foo_bar::X */ fn main() {\n    // foo_bar::Y\n    let s = \"foo_bar::Z\"; let r = r#\"foo_bar::W\"#;\n    /// foo_bar::doc\n    let x = foo_bar /* c */ ::X;\n}\n",
            "/* foo_bar::X */ fn main() {\n    // foo_bar::Y\n    let s = \"foo_bar::Z\"; let r = r#\"foo_bar::W\"#;\n    /// foo_bar::doc\n    let x = foo::bar /* c */ ::X;\n}\n",
        );
    }

    #[test]
    fn doc_comments_code_and_links() {
        check(
            "//! Uses [foo_bar::X] (see [`foo_bar`]); prose foo_bar::x stays.\n//!\n//! ```\n//! # use foo_bar::Y;\n//! let y = foo_bar::f();\n//! ```\n//! ```text\n//! foo_bar::text\n//! ```\n\n/// [x](foo_bar::g) and [`foo_bar::Z`]\n///\n/// [z]: foo_bar::Z\n/** ```no_run\n * extern crate foo_bar;\n * use foo_bar as fb;\n * ```\n */\npub fn g() {}\n",
            "//! Uses [foo::bar::X] (see [`foo::bar`]); prose foo_bar::x stays.\n//!\n//! ```\n//! # use foo::bar::Y;\n//! let y = foo::bar::f();\n//! ```\n//! ```text\n//! foo_bar::text\n//! ```\n\n/// [x](foo::bar::g) and [`foo::bar::Z`]\n///\n/// [z]: foo::bar::Z\n/** ```no_run\n * use ::foo::{bar as foo_bar};\n * use foo::bar as fb;\n * ```\n */\npub fn g() {}\n",
        );
        // A doctest that is not valid Rust is scanned as tokens.
        check(
            "/// ```compile_fail\n/// let = foo_bar::f();\n/// ```\nfn h() {}\n",
            "/// ```compile_fail\n/// let = foo::bar::f();\n/// ```\nfn h() {}\n",
        );
        // A local `foo` in a doctest captures the path there.
        check_error(
            "/// ```\n/// mod foo {}\n/// foo_bar::f();\n/// ```\nfn h() {}\n",
            &forward(),
            "`foo` would name a local item here, not the crate @ `foo_bar`",
        );
    }

    #[test]
    fn macros() {
        check(
            "fn main() {\n    println!(\"foo_bar::{}\", foo_bar::x());\n    foo_bar::mac!(1);\n    weird!(=> foo_bar::X; a.foo_bar::y, $foo_bar::z #foo_bar::w);\n}\n",
            "fn main() {\n    println!(\"foo_bar::{}\", foo::bar::x());\n    foo::bar::mac!(1);\n    weird!(=> foo::bar::X; a.foo_bar::y, $foo_bar::z #foo_bar::w);\n}\n",
        );
        check(
            "macro_rules! m { ($e:expr) => { ::foo_bar::f($e) + $crate::foo_bar::g() + foo_bar::h() } }\n",
            "macro_rules! m { ($e:expr) => { ::foo::bar::f($e) + $crate::foo_bar::g() + foo::bar::h() } }\n",
        );
        check(
            "cfg_if! { if #[cfg(x)] { use foo_bar::A; } }\n",
            "cfg_if! { if #[cfg(x)] { use foo::bar::A; } }\n",
        );
    }

    #[test]
    fn shadowing() {
        // A local module of that name: its paths stay, `::` paths move.
        check(
            "mod foo_bar { pub fn f() {} }\nfn main() { foo_bar::f(); ::foo_bar::g(); }\nmod inner { fn h() { foo_bar::f(); } }\n",
            "mod foo_bar { pub fn f() {} }\nfn main() { foo_bar::f(); ::foo::bar::g(); }\nmod inner { fn h() { foo::bar::f(); } }\n",
        );
        check(
            "fn main() { use std::fmt as foo_bar; foo_bar::Debug; }\n",
            "fn main() { use std::fmt as foo_bar; foo_bar::Debug; }\n",
        );
        // A local `foo` would capture the rewritten path.
        check_error(
            "mod foo {}\nfn main() { foo_bar::f(); }\n",
            &forward(),
            "`foo` would name a local item here, not the crate @ `foo_bar`",
        );
        // ... unless it is the crate `foo` itself.
        check(
            "use foo;\nfn main() { foo_bar::f(); }\n",
            "use foo;\nfn main() { foo::bar::f(); }\n",
        );
    }

    #[test]
    fn the_way_back_refuses_what_it_cannot_undo() {
        let back = [Rename::new(&["foo", "bar"], &["foo_bar"])];
        check_error(
            "use foo::{bar::X, Y};\n",
            &back,
            "cannot rewrite `foo::bar` inside a braced import @ `foo::{bar`",
        );
        check_error(
            "fn f() { foo :: bar::x(); }\n",
            &back,
            "cannot rewrite `foo::bar`: the path has spaces or comments inside @ `foo :: bar`",
        );
        check_error(
            "mod foo_bar {}\nfn f() { foo::bar::x(); }\n",
            &back,
            "`foo_bar` would name a local item here, not the crate @ `foo::bar`",
        );
    }

    #[test]
    fn keyword_children_and_renamed_keys() {
        let renames = [Rename::new(&["x"], &["foo", "type"])];
        let out = rewrite("use x::T;\nfn f() -> x::T { x::T }\n", &renames).unwrap();
        assert_eq!(
            out.text,
            "use foo::r#type::T;\nfn f() -> foo::r#type::T { foo::r#type::T }\n"
        );
        let back = rewrite(&out.text, &[renames[0].inverse()]).unwrap();
        assert_eq!(back.text, "use x::T;\nfn f() -> x::T { x::T }\n");
    }

    #[test]
    fn offsets_are_bytes_not_chars() {
        check(
            "fn f() { let s = \"héllo — ✓ foo_bar::x\"; /* ünï */ foo_bar::x(s); }\n",
            "fn f() { let s = \"héllo — ✓ foo_bar::x\"; /* ünï */ foo::bar::x(s); }\n",
        );
    }

    #[test]
    fn shebang_and_bom() {
        check(
            "#!/usr/bin/env run\nfn main() { foo_bar::f(); }\n",
            "#!/usr/bin/env run\nfn main() { foo::bar::f(); }\n",
        );
        check(
            "\u{feff}#![allow(x)]\nfn main() { foo_bar::f(); }\n",
            "\u{feff}#![allow(x)]\nfn main() { foo::bar::f(); }\n",
        );
    }

    /// Round trip over generated files: every rewritten file comes back
    /// byte for byte, parses, and keeps its strings and comments.
    mod round_trip {
        use proptest::prelude::*;

        use super::super::*;

        const ITEMS: &[&str] = &[
            "use foo_bar::Baz; // trailing foo_bar::comment\n",
            "use foo_bar::{self as fb, x::{Y, Z}};",
            "use foo_bar::{self};",
            "use foo_bar;",
            "pub use foo_bar as bar;",
            "use foo_bar as fbr;",
            "use ::foo_bar::*;",
            "use std::{fmt, foo_bar::W};",
            "extern crate foo_bar;",
            "extern crate foo_bar as fbx;",
            "struct S(foo_bar::T, ::foo_bar::U<foo_bar::V>);",
            "#[derive(foo_bar::D, Debug)] struct Q;",
            "macro_rules! mm { ($e:expr) => { ::foo_bar::x($e) + $crate::foo_bar::y() } }",
            "impl foo_bar::Tr for S { type A = foo_bar::A; }",
            "const C: &str = \"foo_bar::C\";",
            "/* foo_bar::block\n   comment */",
            "type X = <S as foo_bar::Tr>::A;",
            "mod foo_bar { pub fn f() {} }",
            "/// [foo_bar::X] and foo_bar::prose\n///\n/// ```\n/// # use foo_bar::Y;\n/// foo_bar::f();\n/// ```\nfn d() {}",
        ];

        const STMTS: &[&str] = &[
            "let x = foo_bar::f(1);",
            "let s = \"foo_bar::string\";",
            "let r = r#\"foo_bar::raw\"#;",
            "/* foo_bar::block */",
            "// foo_bar::line\n",
            "println!(\"{} foo_bar::fmt\", foo_bar::g());",
            "weird!(=> foo_bar::X; a.foo_bar, $foo_bar::y);",
            "match v { foo_bar::E::A => 1, _ => 2 };",
            "let t: Vec<::foo_bar::T> = Vec::new();",
            "<T as foo_bar::Tr>::f();",
            "x.foo_bar::<u8>();",
            "let foo_bar = 3;",
            "use foo_bar::Local as L;",
            "foo_bar::mac!(foo_bar::Z);",
            "{ mod foo_bar { } foo_bar::x(); }",
        ];

        const SEPARATORS: &[&str] = &[" ", "\n", "\n    ", " /* c */ ", "\n// foo_bar::c\n"];

        fn function() -> impl Strategy<Value = String> {
            (
                prop::collection::vec(prop::sample::select(STMTS), 0..6),
                prop::sample::select(SEPARATORS),
            )
                .prop_map(|(stmts, sep)| format!("fn f() {{{sep}{}{sep}}}", stmts.join(sep)))
        }

        fn items() -> impl Strategy<Value = String> {
            let leaf = prop_oneof![
                prop::sample::select(ITEMS).prop_map(str::to_owned),
                function(),
            ];
            leaf.prop_recursive(2, 24, 4, |inner| {
                (
                    prop::sample::select(&["inner", "foo_bar"][..]),
                    prop::collection::vec(inner, 0..4),
                )
                    .prop_map(|(name, items)| format!("mod {name} {{\n{}\n}}", items.join("\n")))
            })
        }

        fn file() -> impl Strategy<Value = String> {
            (
                prop::collection::vec(items(), 0..8),
                prop::sample::select(SEPARATORS),
            )
                .prop_map(|(items, sep)| items.join(sep) + "\n")
        }

        /// The literal and comment texts of the generator, which must survive.
        fn protected(text: &str) -> usize {
            [
                "foo_bar::comment",
                "foo_bar::block",
                "foo_bar::string",
                "foo_bar::raw",
                "foo_bar::line",
                "foo_bar::fmt",
                "foo_bar::c\n",
                "foo_bar::C",
            ]
            .iter()
            .map(|p| text.matches(p).count())
            .sum()
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

            #[test]
            fn forward_then_back_is_identity(original in file()) {
                let renames = [Rename::new(&["foo_bar"], &["foo", "bar"])];
                let inverse = [renames[0].inverse()];
                let forward = rewrite(&original, &renames).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
                prop_assert!(syn::parse_file(&forward.text).is_ok(), "{}", forward.text);
                prop_assert_eq!(protected(&forward.text), protected(&original));
                let back = rewrite(&forward.text, &inverse).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
                prop_assert_eq!(&back.text, &original);
                prop_assert_eq!(back.sites.len(), forward.sites.len());
            }
        }
    }
}
