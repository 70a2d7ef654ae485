//! Rust inside doc comments: the code blocks (doctests) and intra-doc
//! links of a source file, with the byte offsets of their text in the
//! file, so that a path rewriter can edit them as span-exactly as code.
//!
//! [`doc_rust`] finds them. Doc comments are the `///`, `//!`, `/** */` and
//! `/*! */` comments and the `#[doc = "…"]` attributes whose string has no
//! escapes (plain or raw), found by tokenizing the file, so doc comments
//! inside macro bodies count and comment-like text inside string literals
//! does not. Consecutive doc attributes of one item form one Markdown text,
//! as rustdoc joins them.
//!
//! - A **code block** is a fenced block (```` ``` ```` or `~~~`) whose info
//!   string rustdoc compiles as Rust: none, `rust`, or only rustdoc's own
//!   attributes (`no_run`, `should_panic`, `ignore`, `compile_fail`,
//!   `edition2021`, …); not `text`, `sh`, `toml`… Its [`DocCode::text`] is
//!   the code as rustdoc compiles it, each line without its indentation:
//!   hidden lines (`# use x;`) without their `# `, `##` as `#`. Every line of that text is a contiguous range
//!   of the file ([`DocCode::file_range`] maps a range back).
//! - A **link** is the target of an intra-doc link that is a Rust path:
//!   `[foo_bar::X]`, ``[`foo_bar::X`]``, `[x](foo_bar::X)`, `[x][foo_bar::X]`,
//!   `[x]: foo_bar::X`; [`DocLink::range`] covers the path only (no
//!   backticks, `struct@` disambiguator, `()`/`!` suffix or `#anchor`).
//!   A `[label]` or `[x][label]` whose label the same doc text defines
//!   (`[label]: https://…`) is a Markdown reference, not a path.
//!
//! Prose is never returned. Not recognised (left as they are): indented
//! (four-space) code blocks, fences inside block quotes, and doc strings
//! built by macros (`#[doc = include_str!(…)]`, `cfg_attr`).

use std::ops::Range;
use std::str::FromStr as _;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// A piece of Rust in the doc comments of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocRust {
    Code(DocCode),
    Link(DocLink),
}

/// A Rust code block of a doc comment (a doctest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocCode {
    /// The code as rustdoc compiles it (lines without their indentation),
    /// joined with `\n`.
    pub text: String,
    /// Where each line starts: (offset in `text`, offset in the file).
    lines: Vec<(usize, usize)>,
}

/// The path of an intra-doc link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLink {
    /// The path's bytes in the file (`foo_bar::X`, `::foo_bar::X`).
    pub range: Range<usize>,
}

impl DocCode {
    /// The file offset of byte `at` of [`DocCode::text`].
    pub fn file_offset(&self, at: usize) -> usize {
        let line = self.lines.partition_point(|(start, _)| *start <= at) - 1;
        let (text_start, file_start) = self.lines[line];
        file_start + (at - text_start)
    }

    /// A range of [`DocCode::text`] as a range of the file; `None` when it
    /// spans a line break (the file has comment markers there).
    pub fn file_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        let line = self
            .lines
            .partition_point(|(start, _)| *start <= range.start)
            - 1;
        let next = self.lines.get(line + 1).map_or(usize::MAX, |(s, _)| *s);
        (range.end < next).then(|| self.file_offset(range.start)..self.file_offset(range.end))
    }
}

/// Every Rust code block and intra-doc link in the doc comments of `text`
/// (a Rust source file), in file order. A file that does not tokenize has
/// none.
pub fn doc_rust(text: &str) -> Vec<DocRust> {
    let base = super::source::parse_offset(text);
    let Ok(tokens) = TokenStream::from_str(&text[base..]) else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    collect_runs(text, base, tokens, &mut runs);
    let mut out = Vec::new();
    for run in runs {
        markdown(text, &run, &mut out);
    }
    out
}

/// Runs of consecutive doc attributes, each as the file ranges of its lines.
fn collect_runs(text: &str, base: usize, stream: TokenStream, runs: &mut Vec<Vec<Range<usize>>>) {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut run: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let is_pound = matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == '#');
        let bang = usize::from(
            matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!'),
        );
        if is_pound
            && let Some(TokenTree::Group(group)) = tokens.get(i + 1 + bang)
            && group.delimiter() == Delimiter::Bracket
        {
            if let Some(lines) = doc_lines(text, base, group.stream()) {
                run.extend(lines);
            }
            i += 2 + bang;
            continue;
        }
        if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
        if let TokenTree::Group(group) = &tokens[i] {
            collect_runs(text, base, group.stream(), runs);
        }
        i += 1;
    }
    if !run.is_empty() {
        runs.push(run);
    }
}

/// The lines of one attribute if it is a doc attribute whose text is in the
/// file verbatim.
pub fn doc_lines(text: &str, base: usize, attr: TokenStream) -> Option<Vec<Range<usize>>> {
    let tokens: Vec<TokenTree> = attr.into_iter().collect();
    let [
        TokenTree::Ident(doc),
        TokenTree::Punct(eq),
        TokenTree::Literal(lit),
    ] = &tokens[..]
    else {
        return None;
    };
    if doc != "doc" || eq.as_char() != '=' {
        return None;
    }
    let span = lit.span().byte_range();
    let (start, end) = (span.start + base, span.end + base);
    let source = &text[start..end];
    if source.starts_with("///") || source.starts_with("//!") {
        let line = start + 3..end;
        return Some(vec![trim_cr(text, line)]);
    }
    if source.starts_with("/**") || source.starts_with("/*!") {
        return Some(block_lines(text, start + 3..end - 2));
    }
    // `#[doc = "…"]`: only a string without escapes is the file's bytes.
    let inner = if source.starts_with('"') {
        if source.contains('\\') {
            return None;
        }
        start + 1..end - 1
    } else {
        let hashes = source.strip_prefix('r')?;
        let n = hashes.len() - hashes.trim_start_matches('#').len();
        start + 2 + n..end - 1 - n
    };
    Some(split_lines(text, inner))
}

/// `/** … */` lines, without the ` * ` decoration when every line after
/// the first has it (rustdoc's rule).
fn block_lines(text: &str, inner: Range<usize>) -> Vec<Range<usize>> {
    let mut lines = split_lines(text, inner);
    let decorated = lines.iter().skip(1).all(|l| {
        let s = text[l.clone()].trim_start();
        s.is_empty() || s.starts_with('*')
    });
    if decorated {
        for line in lines.iter_mut().skip(1) {
            let s = &text[line.clone()];
            if let Some(star) = s.find('*')
                && s[..star].trim().is_empty()
            {
                line.start += star + 1;
            }
        }
    }
    lines
}

fn split_lines(text: &str, inner: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = inner.start;
    for piece in text[inner.clone()].split('\n') {
        out.push(trim_cr(text, at..at + piece.len()));
        at += piece.len() + 1;
    }
    out
}

fn trim_cr(text: &str, line: Range<usize>) -> Range<usize> {
    if text[line.clone()].ends_with('\r') {
        line.start..line.end - 1
    } else {
        line
    }
}

/// An open code fence: its character, length and whether it is Rust.
struct Fence {
    ch: char,
    len: usize,
    rust: bool,
    code: Vec<Range<usize>>,
}

/// Code blocks and links of one Markdown text given as file lines.
fn markdown(text: &str, lines: &[Range<usize>], out: &mut Vec<DocRust>) {
    let defined: Vec<&str> = lines
        .iter()
        .filter_map(|line| {
            let s = text[line.clone()].trim_start().strip_prefix('[')?;
            let (label, rest) = s.split_once(']')?;
            rest.starts_with(':').then_some(label)
        })
        .collect();
    let mut fence: Option<Fence> = None;
    for line in lines {
        let s = &text[line.clone()];
        let trimmed = s.trim_start();
        match &mut fence {
            None => match fence_open(trimmed) {
                Some((ch, len, info)) => {
                    fence = Some(Fence {
                        ch,
                        len,
                        rust: is_rust(info),
                        code: Vec::new(),
                    });
                }
                None => links(text, line.clone(), &defined, out),
            },
            Some(open) => {
                let run = trimmed.len() - trimmed.trim_start_matches(open.ch).len();
                if run >= open.len && trimmed[run..].trim().is_empty() {
                    let done = fence.take().expect("open");
                    push_code(text, done, out);
                } else {
                    let start = line.start + (s.len() - trimmed.len());
                    open.code.push(code_line(trimmed, start, line.end));
                }
            }
        }
    }
    // rustdoc runs an unclosed block to the end of the text.
    if let Some(open) = fence {
        push_code(text, open, out);
    }
}

fn push_code(text: &str, fence: Fence, out: &mut Vec<DocRust>) {
    if !fence.rust {
        return;
    }
    let mut code = DocCode {
        text: String::new(),
        lines: Vec::new(),
    };
    for (i, line) in fence.code.iter().enumerate() {
        if i > 0 {
            code.text.push('\n');
        }
        code.lines.push((code.text.len(), line.start));
        code.text.push_str(&text[line.clone()]);
    }
    if code.lines.is_empty() {
        code.lines.push((0, 0));
    }
    out.push(DocRust::Code(code));
}

/// The code of a line starting at `start` (after its indentation): hidden
/// lines lose `# `, `##` becomes `#`.
fn code_line(trimmed: &str, start: usize, end: usize) -> Range<usize> {
    if trimmed.starts_with("##") {
        start + 1..end
    } else if trimmed.starts_with("# ") || trimmed.starts_with("#\t") {
        start + 2..end
    } else if trimmed == "#" {
        end..end
    } else {
        start..end
    }
}

/// ```` ```rust,no_run ```` → (`` ` ``, 3, `rust,no_run`).
fn fence_open(trimmed: &str) -> Option<(char, usize, &str)> {
    let ch = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.len() - trimmed.trim_start_matches(ch).len();
    let info = &trimmed[len..];
    (len >= 3 && !(ch == '`' && info.contains('`'))).then_some((ch, len, info.trim()))
}

/// Whether rustdoc compiles a block with this info string as Rust.
fn is_rust(info: &str) -> bool {
    let mut rust = false;
    let mut other = false;
    let tokens = info
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|t| t.trim_matches(|c| c == '{' || c == '}' || c == '.'))
        .filter(|t| !t.is_empty());
    for token in tokens {
        let error_code = token.len() == 5
            && token.starts_with('E')
            && token[1..].bytes().all(|b| b.is_ascii_digit());
        match token {
            "rust" => rust = true,
            "should_panic" | "no_run" | "ignore" | "test_harness" | "compile_fail"
            | "standalone_crate" | "allow_fail" => {}
            _ if token.starts_with("ignore-") || token.starts_with("edition") || error_code => {}
            _ => other = true,
        }
    }
    rust || !other
}

/// The intra-doc link targets of one prose line; `defined` are the labels
/// of the text's reference definitions.
fn links(text: &str, line: Range<usize>, defined: &[&str], out: &mut Vec<DocRust>) {
    let s = &text[line.clone()];
    let at = |r: Range<usize>| line.start + r.start..line.start + r.end;
    let mut i = 0;
    while let Some(open) = s[i..].find('[').map(|o| o + i) {
        let Some(close) = s[open + 1..].find(']').map(|c| c + open + 1) else {
            break;
        };
        if s[open + 1..close].contains('[') {
            i = open + 1;
            continue;
        }
        let after = &s[close + 1..];
        // (the target, whether it is a label, where to go on)
        let (target, label, next) = if after.starts_with('(') {
            match closing_paren(after) {
                Some(end) => (close + 2..close + 1 + end, false, close + 2 + end),
                None => (open + 1..close, true, close + 1),
            }
        } else if after.starts_with('[') {
            match after.find(']') {
                Some(1) => (open + 1..close, true, close + 3),
                Some(end) => (close + 2..close + 1 + end, true, close + 2 + end),
                None => (open + 1..close, true, close + 1),
            }
        } else if after.starts_with(':') && s[..open].trim().is_empty() {
            (close + 2..s.len(), false, s.len())
        } else {
            (open + 1..close, true, close + 1)
        };
        let reference = label && defined.contains(&&s[target.clone()]);
        if !reference && let Some(path) = link_path(&s[target.clone()]) {
            let start = target.start + path.start;
            out.push(DocRust::Link(DocLink {
                range: at(start..start + path.len()),
            }));
        }
        i = next.max(open + 1);
    }
}

/// The index of the `)` that closes the `(` at the start of `s`.
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the Rust path is in a link target, if the target is one.
fn link_path(target: &str) -> Option<Range<usize>> {
    let lead = target.len() - target.trim_start().len();
    let mut s = target.trim();
    let mut start = lead;
    if let Some(inner) = s.strip_prefix('`').and_then(|x| x.strip_suffix('`')) {
        s = inner;
        start += 1;
    }
    if let Some(at) = s.find('@')
        && s[..at].bytes().all(|b| b.is_ascii_lowercase())
    {
        s = &s[at + 1..];
        start += at + 1;
    }
    let s = s.split('#').next().unwrap_or(s);
    let s = ["()", "!()", "!{}", "![]", "!"]
        .iter()
        .find_map(|suffix| s.strip_suffix(suffix))
        .unwrap_or(s);
    let body = s.strip_prefix("::").unwrap_or(s);
    let valid = !body.is_empty()
        && body.split("::").all(|seg| {
            let seg = seg.strip_prefix("r#").unwrap_or(seg);
            seg.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
    valid.then(|| start..start + s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Code texts and link paths found in `text`.
    fn found(text: &str) -> Vec<String> {
        doc_rust(text)
            .into_iter()
            .map(|piece| match piece {
                DocRust::Code(code) => {
                    for at in 0..=code.text.len() {
                        if let Some(r) = code.file_range(at..at) {
                            assert_eq!(r.start, code.file_offset(at));
                        }
                    }
                    format!("code: {}", code.text)
                }
                DocRust::Link(link) => format!("link: {}", &text[link.range]),
            })
            .collect()
    }

    #[test]
    fn code_blocks_of_every_comment_form() {
        let text = "//! Crate.\n//!\n//! ```\n//! # use foo_bar::X;\n//! let x = foo_bar::f();\n//! ```\n\n/// Text.\n/// ```rust,no_run\n///     foo_bar::g();\n/// ##[derive(Debug)]\n/// #\n/// ```\n/// ```text\n/// foo_bar::not_rust\n/// ```\n/// ```sh\n/// foo_bar::no\n/// ```\n/** Block.\n * ```edition2021\n * foo_bar::h();\n * ```\n */\n#[doc = \"```\\nescaped::skipped\\n```\"]\n#[doc = r#\"```\nraw::kept();\n```\"#]\nfn f() { let s = \"/// ```\\n/// in_string\"; }\n";
        assert_eq!(
            found(text),
            [
                "code: use foo_bar::X;\nlet x = foo_bar::f();",
                "code: foo_bar::g();\n#[derive(Debug)]\n",
                "code: foo_bar::h();",
                "code: raw::kept();",
            ]
        );
        // Every code line is the file's bytes.
        for piece in doc_rust(text) {
            if let DocRust::Code(code) = piece {
                for (i, line) in code.text.split('\n').enumerate() {
                    let start = code.lines[i].1;
                    assert_eq!(&text[start..start + line.len()], line);
                }
            }
        }
    }

    #[test]
    fn intra_doc_links() {
        let text = "/// See [foo_bar::X], [`foo_bar::Y`], [the z](foo_bar::z()), [w][`struct@foo_bar::W`],\n/// [mac](foo_bar::mac!) and [web](https://x.org/foo_bar::x) and [prose words] and [foo_bar].\n/// [A reference][foo_bar_ref], [foo_bar_ref].\n///\n/// [def]: foo_bar::D#section\n/// [foo_bar_ref]: https://x.org\nmod m {\n    //! [::foo_bar::Inner]\n}\n";
        assert_eq!(
            found(text),
            [
                "link: foo_bar::X",
                "link: foo_bar::Y",
                "link: foo_bar::z",
                "link: foo_bar::W",
                "link: foo_bar::mac",
                "link: foo_bar",
                "link: foo_bar::D",
                "link: ::foo_bar::Inner",
            ]
        );
    }

    #[test]
    fn ranges_across_lines_do_not_map() {
        let text = "/// ```\n/// a\n/// b\n/// ```\nfn f() {}\n";
        let [DocRust::Code(code)] = &doc_rust(text)[..] else {
            panic!()
        };
        assert_eq!(code.text, "a\nb");
        assert_eq!(code.file_range(0..1), Some(12..13));
        assert_eq!(code.file_range(0..3), None);
    }
}
