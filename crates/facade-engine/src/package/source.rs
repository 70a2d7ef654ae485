//! The Rust half of lowering: a package's sources name each child crate
//! directly (`foo::bar::Baz` → `foo_bar::Baz`), doc comments included.
//!
//! Three passes, each editing only bytes inside a line, so every line of a
//! lowered file is the author's line of the same number (cargo's errors on
//! the lowered crate point at the right line of the author's file):
//!
//! 1. braced imports that mix a child with the root are flattened in place:
//!    `use foo::{bar::Baz, Root};` → `use {foo::bar::Baz, foo::Root};`
//!    (a leading-brace use tree, valid since the 2018 edition);
//! 2. [`crate::migrate::source::rewrite`] renames every path, `use` tree,
//!    macro path and path in a macro body (`foo::bar` → `foo_bar`), keeping
//!    the names imports bind and leaving `$crate` alone;
//! 3. doc comments (`///`, `//!`): Rust code blocks (doctests, hidden `# `
//!    lines too) are lowered by the two passes above, and the prose's
//!    `foo::bar` paths (intra-doc links, inline code) become `foo_bar`.
//!
//! Lowering is one way: unlike `migrate`, nothing has to come back byte
//! for byte; it has to compile.

use std::ops::Range;

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens as _;
use syn::UseTree;
use syn::ext::IdentExt as _;
use syn::visit::{self, Visit};

use crate::migrate::doc;
use crate::migrate::source::{Problem, Rename, parse_offset, rewrite_code};

/// The rename that lowers child `child` of namespace `root` (package-name
/// segments) to the crate key `krate`.
pub fn child_rename(root: &str, child: &str, krate: &str) -> Rename {
    Rename::new(
        &[&root.replace('-', "_"), &child.replace('-', "_")],
        &[krate],
    )
}

/// A lowered file: its text and how many paths changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lowered {
    pub text: String,
    pub paths: usize,
}

/// Lowers one Rust file. Problems carry byte ranges of `text`.
pub fn lower(text: &str, renames: &[Rename]) -> Result<Lowered, Vec<Problem>> {
    if renames.is_empty() {
        return Ok(Lowered {
            text: text.to_owned(),
            paths: 0,
        });
    }
    let code = lower_code(text, renames)?;
    let docs = lower_docs(&code.text, renames)?;
    Ok(Lowered {
        text: docs.text,
        paths: code.paths + docs.paths,
    })
}

/// Passes 1 and 2 on Rust code.
fn lower_code(text: &str, renames: &[Rename]) -> Result<Lowered, Vec<Problem>> {
    let split = split_use_groups(text, renames);
    match rewrite_code(&split, renames) {
        Ok(out) => Ok(Lowered {
            text: out.text,
            paths: out.sites.len(),
        }),
        // Problems point into the split text; its lines are the input's,
        // so the span is moved to the same line and column of `text`.
        Err(problems) => Err(problems
            .into_iter()
            .map(|mut p| {
                p.span = same_place(&split, text, p.span.clone());
                if let Some((span, label)) = p.related.take() {
                    p.related = Some((same_place(&split, text, span), label));
                }
                p.help = p.help.replace("migrate again", "package again");
                p
            })
            .collect()),
    }
}

/// A range of `from` moved to the same line and column (clamped) of `to`.
fn same_place(from: &str, to: &str, range: Range<usize>) -> Range<usize> {
    let map = |at: usize| {
        let line = from[..at.min(from.len())].matches('\n').count();
        let col = at - from[..at.min(from.len())].rfind('\n').map_or(0, |i| i + 1);
        let start = to
            .match_indices('\n')
            .nth(line.wrapping_sub(1))
            .map_or(0, |(i, _)| i + 1);
        let start = if line == 0 { 0 } else { start };
        let end = to[start..].find('\n').map_or(to.len(), |i| start + i);
        (start + col).min(end)
    };
    let start = map(range.start);
    start..map(range.end).max(start)
}

/// Pass 1: `foo::{bar::X, Y}` → `{foo::bar::X, foo::Y}` wherever a use
/// tree starts with a namespace root and its group names a child.
fn split_use_groups(text: &str, renames: &[Rename]) -> String {
    let base = parse_offset(text);
    let Ok(file) = syn::parse_str::<syn::File>(&text[base..]) else {
        return text.to_owned(); // the rewrite reports the syntax error
    };
    let mut splitter = Splitter {
        renames,
        edits: Vec::new(),
    };
    splitter.visit_file(&file);
    let edits = splitter
        .edits
        .into_iter()
        .map(|(range, text)| (range.start + base..range.end + base, text))
        .collect();
    apply_edits(text, edits)
}

/// `text` with each range replaced; an edit overlapping an earlier one is
/// dropped.
fn apply_edits(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(range, _)| (range.start, range.end));
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

struct Splitter<'a> {
    renames: &'a [Rename],
    edits: Vec<(Range<usize>, String)>,
}

impl Splitter<'_> {
    fn is_child_of(&self, root: &str, first: &syn::Ident) -> bool {
        let first = first.unraw().to_string();
        self.renames
            .iter()
            .any(|r| r.from.len() == 2 && r.from[0] == root && r.from[1] == first)
    }

    /// `tree` sits where a use path starts (after `use`, `use ::` or a
    /// group at that place).
    fn tree(&mut self, tree: &UseTree) {
        match tree {
            UseTree::Group(group) => {
                for item in &group.items {
                    self.tree(item);
                }
            }
            UseTree::Path(path) => {
                let root = path.ident.unraw().to_string();
                let UseTree::Group(group) = &*path.tree else {
                    return;
                };
                let names_child = group.items.iter().any(|item| match item {
                    UseTree::Path(p) => self.is_child_of(&root, &p.ident),
                    UseTree::Name(n) => self.is_child_of(&root, &n.ident),
                    UseTree::Rename(r) => self.is_child_of(&root, &r.ident),
                    _ => false,
                });
                if !names_child {
                    return;
                }
                let root_src = path.ident.to_string();
                // `foo::{` loses `foo::`; each item gains it.
                let start = path.ident.span().byte_range().start;
                let open = group.brace_token.span.open().byte_range().start;
                self.edits.push((start..open, String::new()));
                for item in &group.items {
                    let range = tokens_range(item.to_token_stream());
                    let is_self = match item {
                        UseTree::Name(n) => n.ident == "self",
                        UseTree::Rename(r) => r.ident == "self",
                        _ => false,
                    };
                    if is_self {
                        self.edits
                            .push((range.start..range.start, format!("{root_src}::{{")));
                        self.edits.push((range.end..range.end, "}".to_owned()));
                    } else {
                        self.edits
                            .push((range.start..range.start, format!("{root_src}::")));
                    }
                }
            }
            UseTree::Name(_) | UseTree::Rename(_) | UseTree::Glob(_) => {}
        }
    }
}

impl<'ast> Visit<'ast> for Splitter<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.tree(&item.tree);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `cfg_if! { … use foo::{bar::X, Y}; … }` and friends.
        if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            for stmt in &stmts {
                self.visit_stmt(stmt);
            }
        }
        visit::visit_macro(self, mac);
    }
}

/// `pub use foo;`, `pub use foo as ns;` and `pub use foo::*;` for a
/// namespace root `foo` that has children: through a facade they re-export
/// the children too, in the lowered crate only the root's items. Byte
/// ranges of the `use` items; nothing is lowered for them.
pub fn namespace_reexports(text: &str, roots: &[String]) -> Vec<Range<usize>> {
    struct Finder<'a> {
        roots: &'a [String],
        found: Vec<Range<usize>>,
    }
    impl Finder<'_> {
        fn exports_root(&self, tree: &UseTree) -> bool {
            let is_root = |ident: &syn::Ident| self.roots.contains(&ident.unraw().to_string());
            match tree {
                UseTree::Name(n) => is_root(&n.ident),
                UseTree::Rename(r) => is_root(&r.ident),
                UseTree::Path(p) => is_root(&p.ident) && matches!(&*p.tree, UseTree::Glob(_)),
                UseTree::Group(g) => g.items.iter().any(|item| self.exports_root(item)),
                UseTree::Glob(_) => false,
            }
        }
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            if matches!(item.vis, syn::Visibility::Public(_)) && self.exports_root(&item.tree) {
                self.found.push(tokens_range(item.to_token_stream()));
            }
        }
    }
    let base = parse_offset(text);
    let Ok(file) = syn::parse_str::<syn::File>(&text[base..]) else {
        return Vec::new();
    };
    let mut finder = Finder {
        roots,
        found: Vec::new(),
    };
    finder.visit_file(&file);
    finder
        .found
        .into_iter()
        .map(|r| r.start + base..r.end + base)
        .collect()
}

/// The byte range from the first to the last token of a stream.
fn tokens_range(tokens: TokenStream) -> Range<usize> {
    let mut start = usize::MAX;
    let mut end = 0;
    for token in tokens {
        let range = match &token {
            TokenTree::Group(g) => g.span().byte_range(),
            other => other.span().byte_range(),
        };
        start = start.min(range.start);
        end = end.max(range.end);
    }
    start..end.max(start)
}

/// One `///` or `//!` comment line (or one line of a `/** */` or `/*! */`): the byte range of its text after the
/// three slashes, and whether it is an inner (`//!`) comment.
#[derive(Debug, Clone)]
struct DocLine {
    content: Range<usize>,
    inner: bool,
    line: usize,
}

/// Pass 3: doc comments.
fn lower_docs(text: &str, renames: &[Rename]) -> Result<Lowered, Vec<Problem>> {
    lower_doc_lines(text, &doc_lines(text), renames)
}

/// Lowers a Markdown file that a doc attribute includes
/// (`#![doc = include_str!("../README.md")]`): its code blocks are
/// doctests of the crate, its links intra-doc links.
pub fn lower_markdown(text: &str, renames: &[Rename]) -> Result<Lowered, Vec<Problem>> {
    let mut lines = Vec::new();
    let mut at = 0;
    for (line, piece) in text.split_inclusive('\n').enumerate() {
        let content = piece.trim_end_matches(['\n', '\r']);
        lines.push(DocLine {
            content: at..at + content.len(),
            inner: false,
            line,
        });
        at += piece.len();
    }
    lower_doc_lines(text, &lines, renames)
}

/// The files that `#[doc = include_str!("…")]` attributes of `text` include,
/// as written (relative to the file's folder).
pub fn doc_includes(text: &str) -> Vec<String> {
    struct Includes(Vec<String>);
    impl<'ast> Visit<'ast> for Includes {
        fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
            if let syn::Meta::NameValue(nv) = &attr.meta
                && nv.path.is_ident("doc")
                && let syn::Expr::Macro(mac) = &nv.value
                && mac.mac.path.is_ident("include_str")
                && let Ok(lit) = mac.mac.parse_body::<syn::LitStr>()
            {
                self.0.push(lit.value());
            }
        }
    }
    let base = parse_offset(text);
    let Ok(file) = syn::parse_str::<syn::File>(&text[base..]) else {
        return Vec::new();
    };
    let mut includes = Includes(Vec::new());
    includes.visit_file(&file);
    includes.0
}

fn lower_doc_lines(
    text: &str,
    lines: &[DocLine],
    renames: &[Rename],
) -> Result<Lowered, Vec<Problem>> {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut problems = Vec::new();
    let mut paths = 0;
    let mut i = 0;
    while i < lines.len() {
        // A run: consecutive lines of the same kind.
        let mut j = i + 1;
        while j < lines.len()
            && lines[j].line == lines[j - 1].line + 1
            && lines[j].inner == lines[i].inner
        {
            j += 1;
        }
        let run = &lines[i..j];
        i = j;
        let mut fence: Option<(String, bool)> = None;
        let mut code: Vec<&DocLine> = Vec::new();
        for line in run {
            let content = &text[line.content.clone()];
            let trimmed = content.trim_start();
            let marker: String = trimmed
                .chars()
                .take_while(|&c| c == '`' || c == '~')
                .collect();
            let is_fence =
                marker.len() >= 3 && marker.chars().all(|c| c == marker.as_bytes()[0] as char);
            match &fence {
                None if is_fence => {
                    let info = trimmed[marker.len()..].trim();
                    fence = Some((marker, is_rust_info(info)));
                    code.clear();
                }
                None => {
                    let (lowered, n) = lower_prose(content, renames);
                    if n > 0 {
                        paths += n;
                        edits.push((line.content.clone(), lowered));
                    }
                }
                Some((open, rust)) if is_fence && marker.starts_with(open.as_str()) => {
                    if *rust {
                        match lower_block(text, &code, renames) {
                            Ok((mut block_edits, n)) => {
                                paths += n;
                                edits.append(&mut block_edits);
                            }
                            Err(mut found) => problems.append(&mut found),
                        }
                    }
                    fence = None;
                }
                Some(_) => code.push(line),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Lowered {
        text: apply_edits(text, edits),
        paths,
    })
}

/// Whether a code block's info string makes it Rust (rustdoc's rule: no
/// info, `rust`, or only rustdoc's own attributes).
fn is_rust_info(info: &str) -> bool {
    info.split([',', ' ', '\t'])
        .filter(|word| !word.is_empty())
        .all(|word| {
            matches!(
                word,
                "rust"
                    | "ignore"
                    | "no_run"
                    | "should_panic"
                    | "compile_fail"
                    | "test_harness"
                    | "standalone_crate"
                    | "allow_fail"
            ) || word.starts_with("edition")
                || word.starts_with("ignore-")
                || word.starts_with('{')
        })
}

/// Every `///`, `//!`, `/** */` and `/*! */` comment line, found through the tokenizer (so that
/// `///` inside a string literal is not one).
fn doc_lines(text: &str) -> Vec<DocLine> {
    let base = parse_offset(text);
    let Ok(tokens) = text[base..].parse::<TokenStream>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect_docs(tokens, text, base, &mut out);
    out.sort_by_key(|l| l.content.start);
    out.dedup_by_key(|l| l.content.start);
    out
}

fn collect_docs(tokens: TokenStream, text: &str, base: usize, out: &mut Vec<DocLine>) {
    for token in tokens {
        if let TokenTree::Group(group) = token {
            // Every form `migrate` writes into: `///`, `//!`, `/** */`,
            // `/*! */` and a `#[doc = "…"]` string that is the file's bytes.
            if let Some(lines) = doc::doc_lines(text, base, group.stream()) {
                let open = group.span().byte_range().start + base;
                let comment = lines.first().map_or("", |l| &text[..l.start]);
                let inner = comment.ends_with("//!")
                    || comment.ends_with("/*!")
                    || (!comment.ends_with("///")
                        && !comment.ends_with("/**")
                        && text[..open].trim_end().ends_with('!'));
                for content in lines {
                    let line = text[..content.start].matches('\n').count();
                    out.push(DocLine {
                        content,
                        inner,
                        line,
                    });
                }
                continue;
            }
            collect_docs(group.stream(), text, base, out);
        }
    }
}

/// `foo::bar` in prose (intra-doc links, inline code) → `foo_bar`.
fn lower_prose(content: &str, renames: &[Rename]) -> (String, usize) {
    let mut out = content.to_owned();
    let mut count = 0;
    for rename in renames.iter().filter(|r| r.from.len() == 2) {
        let needle = format!("{}::{}", rename.from[0], rename.from[1]);
        let mut result = String::with_capacity(out.len());
        let mut at = 0;
        while let Some(found) = out[at..].find(&needle) {
            let start = at + found;
            let end = start + needle.len();
            let before = out[..start].chars().next_back();
            let after = out[end..].chars().next();
            let ident = |c: char| c.is_alphanumeric() || c == '_';
            let starts = !before.is_some_and(|c| ident(c) || c == ':' || c == '$' || c == '.');
            let ends = !after.is_some_and(ident);
            result.push_str(&out[at..start]);
            if starts && ends {
                result.push_str(&rename.to[0]);
                count += 1;
            } else {
                result.push_str(&needle);
            }
            at = end;
        }
        result.push_str(&out[at..]);
        out = result;
    }
    (out, count)
}

/// One Rust code block of a doc comment: its lines lowered as a file (or,
/// when they are statements, as a function body); edits in `text`.
#[allow(clippy::type_complexity)]
fn lower_block(
    text: &str,
    lines: &[&DocLine],
    renames: &[Rename],
) -> Result<(Vec<(Range<usize>, String)>, usize), Vec<Problem>> {
    // Hidden lines (`# x`) are code: the `#` becomes a space, same width.
    let mut hidden = Vec::new();
    let code: Vec<String> = lines
        .iter()
        .map(|line| {
            let content = &text[line.content.clone()];
            let indent = content.len() - content.trim_start().len();
            let rest = &content[indent..];
            if rest == "#" || rest.starts_with("# ") {
                hidden.push(Some(indent));
                format!("{} {}", &content[..indent], &rest[1..])
            } else {
                hidden.push(None);
                content.to_owned()
            }
        })
        .collect();
    let joined = code.join("\n");
    let (lowered, wrapped) = if syn::parse_file(&joined).is_ok() {
        (lower_code(&joined, renames), false)
    } else {
        let wrapped = format!("fn __doctest() {{\n{joined}\n}}\n");
        if syn::parse_file(&wrapped).is_err() {
            return Ok((Vec::new(), 0)); // not Rust rustdoc can run either
        }
        (lower_code(&wrapped, renames), true)
    };
    let skip = usize::from(wrapped);
    let to_file = |at: usize, source: &str| {
        let line = source[..at].matches('\n').count();
        let col = at - source[..at].rfind('\n').map_or(0, |i| i + 1);
        let index = line.saturating_sub(skip).min(lines.len() - 1);
        let content = &lines[index].content;
        (content.start + col).min(content.end)
    };
    let lowered = match lowered {
        Ok(lowered) => lowered,
        Err(problems) => {
            let source = if wrapped {
                format!("fn __doctest() {{\n{joined}\n}}\n")
            } else {
                joined.clone()
            };
            return Err(problems
                .into_iter()
                .map(|mut p| {
                    p.span = to_file(p.span.start, &source)..to_file(p.span.end, &source);
                    p.related = p.related.map(|(span, label)| {
                        (
                            to_file(span.start, &source)..to_file(span.end, &source),
                            label,
                        )
                    });
                    p
                })
                .collect());
        }
    };
    let new_lines: Vec<&str> = lowered.text.split('\n').skip(skip).collect();
    let mut edits = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(new) = new_lines.get(i) else { break };
        if *new == code[i] {
            continue;
        }
        let mut new = (*new).to_owned();
        if let Some(at) = hidden[i] {
            new.replace_range(at..at + 1, "#");
        }
        edits.push((line.content.clone(), new));
    }
    Ok((edits, lowered.paths))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames() -> Vec<Rename> {
        vec![
            child_rename("foo", "bar", "foo_bar"),
            child_rename("foo", "mac", "foo_mac"),
            child_rename("foo", "derive", "foo_derive"),
        ]
    }

    #[track_caller]
    fn check(before: &str, after: &str) {
        let out = lower(before, &renames()).unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(out.text, after);
        assert_eq!(
            out.text.matches('\n').count(),
            before.matches('\n').count(),
            "lines moved"
        );
    }

    #[test]
    fn paths_uses_macros_derives() {
        check(
            "use foo::bar::Baz;\nuse foo::Root;\nfn f() -> foo::bar::Baz { foo::mac::m!(foo::bar::x()); foo::root() }\n#[derive(foo::derive::Hello)]\nstruct S;\n",
            "use foo_bar::Baz;\nuse foo::Root;\nfn f() -> foo_bar::Baz { foo_mac::m!(foo_bar::x()); foo::root() }\n#[derive(foo_derive::Hello)]\nstruct S;\n",
        );
        check("use foo::bar;\n", "use foo_bar as bar;\n");
        check(
            "macro_rules! m { () => { $crate::foo::bar::x() + ::foo::bar::y() } }\n",
            "macro_rules! m { () => { $crate::foo::bar::x() + ::foo_bar::y() } }\n",
        );
    }

    #[test]
    fn braced_imports_are_split_in_place() {
        check(
            "use foo::{bar::Baz, Root};\n",
            "use {foo_bar::Baz, foo::Root};\n",
        );
        check(
            "pub use foo::{\n    self,\n    bar::{self as b, Baz},\n    mac,\n};\n",
            "pub use {\n    foo::{self},\n    foo_bar::{self as b, Baz},\n    foo_mac as mac,\n};\n",
        );
        check(
            "use ::foo::{bar::Baz, Root};\nuse {std::fmt, foo::{bar::X}};\nuse foo::{Root as R, other::Y};\n",
            "use ::{foo_bar::Baz, foo::Root};\nuse {std::fmt, {foo_bar::X}};\nuse foo::{Root as R, other::Y};\n",
        );
        check(
            "fn f() { use foo::{bar::Baz, Root}; }\n",
            "fn f() { use {foo_bar::Baz, foo::Root}; }\n",
        );
    }

    #[test]
    fn doc_comments() {
        check(
            "//! See [`foo::bar::Baz`] and [foo::Root], not `xfoo::bar` or `a::foo::bar`.\n//!\n//! ```\n//! # use foo::{bar::Baz, Root};\n//! let b: foo::bar::Baz = foo::bar::make();\n//! ```\n//!\n//! ```text\n//! foo::bar::Baz\n//! ```\n/// [`Baz`](foo::bar::Baz)\n///\n/// ```no_run\n/// use foo::bar;\n/// fn main() { bar::make(); }\n/// ```\npub fn f() {}\nconst S: &str = \"/// foo::bar::X\";\n",
            "//! See [`foo_bar::Baz`] and [foo::Root], not `xfoo::bar` or `a::foo::bar`.\n//!\n//! ```\n//! # use {foo_bar::Baz, foo::Root};\n//! let b: foo_bar::Baz = foo_bar::make();\n//! ```\n//!\n//! ```text\n//! foo::bar::Baz\n//! ```\n/// [`Baz`](foo_bar::Baz)\n///\n/// ```no_run\n/// use foo_bar as bar;\n/// fn main() { bar::make(); }\n/// ```\npub fn f() {}\nconst S: &str = \"/// foo::bar::X\";\n",
        );
    }

    #[test]
    fn block_comments_and_doc_strings() {
        check(
            "/*! Crate: see [`foo::bar::Baz`].\n *\n * ```\n * let b = foo::bar::make();\n * ```\n */\n\n/** [`make`](foo::bar::make)\n\n```\nuse foo::{bar::Baz, Root};\n```\n*/\npub fn f() {}\n/* not docs: foo::bar::X */\n#[doc = \"[`foo::bar::Baz`]\"]\n#[doc = r#\"```\nfoo::bar::make();\n```\"#]\n#[doc = \"escaped: [`foo::bar::Baz`]\\n\"]\nstruct S;\n",
            "/*! Crate: see [`foo_bar::Baz`].\n *\n * ```\n * let b = foo_bar::make();\n * ```\n */\n\n/** [`make`](foo_bar::make)\n\n```\nuse {foo_bar::Baz, foo::Root};\n```\n*/\npub fn f() {}\n/* not docs: foo::bar::X */\n#[doc = \"[`foo_bar::Baz`]\"]\n#[doc = r#\"```\nfoo_bar::make();\n```\"#]\n#[doc = \"escaped: [`foo::bar::Baz`]\\n\"]\nstruct S;\n",
        );
    }

    #[test]
    fn included_markdown() {
        let text = "# ns\n\nUses [`foo::bar::Baz`].\n\n```rust\nuse foo::{bar::Baz, Root};\n```\n\n```sh\nfoo::bar\n```\n";
        let out = lower_markdown(text, &renames()).unwrap();
        assert_eq!(
            out.text,
            "# ns\n\nUses [`foo_bar::Baz`].\n\n```rust\nuse {foo_bar::Baz, foo::Root};\n```\n\n```sh\nfoo::bar\n```\n"
        );
        assert_eq!(
            doc_includes("#![doc = include_str!(\"../README.md\")]\n#[doc = \"x\"]\nfn f() {}\n"),
            ["../README.md"]
        );
    }

    #[test]
    fn public_reexports_of_a_namespace_are_found() {
        let text = "pub use foo;\nuse foo;\npub use foo::*;\npub use {foo as ns, std::fmt};\npub use foo::Root;\npub use other::*;\n";
        let found: Vec<&str> = namespace_reexports(text, &["foo".to_owned()])
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            found,
            [
                "pub use foo;",
                "pub use foo::*;",
                "pub use {foo as ns, std::fmt};"
            ]
        );
    }

    #[test]
    fn problems_point_at_the_authors_text() {
        let text = "mod foo_bar {}\nfn f() { foo::bar::x(); }\n";
        let problems = lower(text, &renames()).expect_err("a local item captures the path");
        assert_eq!(&text[problems[0].span.clone()], "foo::bar");
    }
}
