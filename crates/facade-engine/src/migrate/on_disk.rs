//! Diagnostics about the migrated manifests, pointed at the files on disk.
//!
//! `migrate` runs the engine's plan on manifests it edited in memory, so
//! the plan's labels point into text no one can open. Each such label moves
//! to the line of the file on disk it came from: an unchanged line maps to
//! itself; a moved or rewritten line (`"foo::bar" = …` in the mirror table)
//! to the most similar changed line of the original (`foo-bar = …` in the
//! real table), on the same text when it is there, else on the line's key.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use similar::{ChangeTag, TextDiff};

use crate::diagnostic::{Diagnostic, Label, SourceFile};

/// The edited manifests' original files, by path.
#[derive(Debug, Default)]
pub struct Originals {
    files: BTreeMap<PathBuf, Arc<SourceFile>>,
}

impl Originals {
    pub fn insert(&mut self, file: Arc<SourceFile>) {
        self.files.insert(file.path().to_owned(), file);
    }

    /// `diag` with every label into an edited text moved to the original.
    pub fn map(&self, mut diag: Diagnostic) -> Diagnostic {
        for label in &mut diag.labels {
            let Some(original) = self.files.get(label.file.path()) else {
                continue;
            };
            if label.file.text() == original.text() {
                label.file = Arc::clone(original);
                continue;
            }
            let span = map_span(label.file.text(), original.text(), label.span.clone());
            *label = Label::new(original, span, std::mem::take(&mut label.text));
        }
        diag
    }
}

/// The span in `original` that `span` of `edited` came from.
fn map_span(edited: &str, original: &str, span: Range<usize>) -> Range<usize> {
    let line_start = edited[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_no = edited[..line_start].matches('\n').count();
    let diff = TextDiff::from_lines(original, edited);
    let old_lines: Vec<&str> = original.split_inclusive('\n').collect();
    let offset_of = |line: usize| old_lines[..line].iter().map(|l| l.len()).sum::<usize>();
    let mut changed_old: Vec<usize> = Vec::new();
    let mut target: Option<usize> = None;
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Equal if change.new_index() == Some(line_no) => {
                let old = change.old_index().expect("an equal line has both");
                let start = offset_of(old) + (span.start - line_start);
                return start..start + span.len();
            }
            ChangeTag::Delete => changed_old.extend(change.old_index()),
            ChangeTag::Insert if change.new_index() == Some(line_no) => target = Some(line_no),
            _ => {}
        }
    }
    let edited_line = edited[line_start..].lines().next().unwrap_or("");
    let best = target.and_then(|_| {
        changed_old
            .iter()
            .map(|&i| {
                let ratio = TextDiff::from_chars(old_lines[i], edited_line).ratio();
                (ratio, i)
            })
            .filter(|(ratio, _)| *ratio >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, i)| i)
    });
    let Some(old) = best else {
        return 0..0;
    };
    let start = offset_of(old);
    let line = old_lines[old].trim_end_matches(['\n', '\r']);
    let labelled = &edited[span.clone()];
    if let Some(at) = line.find(labelled).filter(|_| !labelled.is_empty()) {
        return start + at..start + at + labelled.len();
    }
    // The key, when the line is `key = …`.
    let key_len = line
        .find('=')
        .map_or(line.len(), |eq| line[..eq].trim_end().len());
    start..start + key_len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_and_unchanged_lines() {
        let original = "[package]\nname = \"app\"\n\n[dependencies]\nfoo-bar = { path = \"../foo-bar\", version = \"0.1\" }\nserde = \"1\"\n";
        let edited = "[package]\nname = \"app\"\n\n[package.metadata.facade.dependencies]\n\"foo::bar\" = { path = \"../foo-bar\", version = \"0.1\" }\n\n[dependencies]\nfoo = { path = \"../facades/foo\", package = \"foo-facade\" }\nserde = \"1\"\n";
        let at = |text: &str, what: &str| {
            let start = text.find(what).unwrap();
            start..start + what.len()
        };
        // A moved declaration's key: the original entry's key.
        let span = map_span(edited, original, at(edited, "\"foo::bar\""));
        assert_eq!(&original[span], "foo-bar");
        // Text that is on the original line: the same text.
        let span = map_span(edited, original, at(edited, "version = \"0.1\""));
        assert_eq!(&original[span], "version = \"0.1\"");
        // An unchanged line: itself.
        let span = map_span(edited, original, at(edited, "serde = \"1\""));
        assert_eq!(&original[span], "serde = \"1\"");
    }
}
