//! Errors and warnings about user input, rendered as cargo renders manifest
//! errors: a title, the snippet of the offending file, notes and help.
//!
//! Checks never return early on the first problem: they push into
//! [`Diagnostics`] and the caller decides, once every check has run, whether
//! anything may be written (the `Errors::propagate()` shape of cxx).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A file whose text diagnostics can point into.
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Arc<SourceFile> {
        Arc::new(SourceFile { path, text })
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }
}

/// A span in a file with a label.
#[derive(Debug, Clone)]
pub struct Label {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    pub text: String,
}

impl Label {
    pub fn new(file: &Arc<SourceFile>, span: Range<usize>, text: impl Into<String>) -> Label {
        Label {
            file: Arc::clone(file),
            span,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the input.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// The offending place; the first is the primary one.
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Vec<String>,
    /// Text already rendered by another tool (cargo), printed as it is.
    pub raw: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
            raw: None,
        }
    }

    /// An error that cargo already rendered (with its own file and line).
    pub fn raw(text: impl Into<String>) -> Diagnostic {
        Diagnostic {
            raw: Some(text.into()),
            ..Diagnostic::error("")
        }
    }
    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }
    pub fn label(mut self, label: Label) -> Diagnostic {
        self.labels.push(label);
        self
    }
    pub fn at(
        self,
        file: &Arc<SourceFile>,
        span: Range<usize>,
        text: impl Into<String>,
    ) -> Diagnostic {
        self.label(Label::new(file, span, text))
    }
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders with ANSI styles; the output stream strips them when colour is off.
    pub fn render(&self, cwd: &Path) -> String {
        if let Some(raw) = &self.raw {
            let mut text = raw.trim_end().to_owned();
            for note in &self.notes {
                text.push_str(&format!("\nnote: {note}"));
            }
            for help in &self.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            return text;
        }
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(self.message.as_str()));
        // One snippet per file, in the order the files are first named.
        let mut files: Vec<&Arc<SourceFile>> = Vec::new();
        for label in &self.labels {
            if !files.iter().any(|f| Arc::ptr_eq(f, &label.file)) {
                files.push(&label.file);
            }
        }
        let paths: Vec<String> = files.iter().map(|f| display_path(f.path(), cwd)).collect();
        for (file, path) in files.iter().zip(&paths) {
            let mut snippet = Snippet::source(file.text()).path(path.as_str()).fold(true);
            for (i, label) in self.labels.iter().enumerate() {
                if Arc::ptr_eq(&label.file, file) {
                    let kind = if i == 0 {
                        AnnotationKind::Primary
                    } else {
                        AnnotationKind::Context
                    };
                    snippet = snippet.annotation(
                        kind.span(clamp(&label.span, file.text()))
                            .label(label.text.as_str()),
                    );
                }
            }
            group = group.element(snippet);
        }
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.trim_end()));
        }
        for help in &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        Renderer::styled().render(&[group]).trim_end().to_owned()
    }
}

fn clamp(span: &Range<usize>, text: &str) -> Range<usize> {
    let end = span.end.min(text.len());
    span.start.min(end)..end
}

/// `path` relative to `cwd` where it lies below it, as cargo prints paths.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    match pathdiff::diff_paths(path, cwd) {
        Some(rel)
            if !rel.as_os_str().is_empty()
                && rel.components().count() <= path.components().count() =>
        {
            rel.display().to_string()
        }
        _ => path.display().to_string(),
    }
}

/// The diagnostics of one run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }
}

/// The run stopped on errors in the input; they are in the diagnostics
/// already reported, and nothing was written.
#[derive(Debug)]
pub struct InputErrors {
    pub count: usize,
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.count {
            1 => f.write_str("aborting due to the previous error"),
            n => write!(f, "aborting due to {n} previous errors"),
        }
    }
}

impl std::error::Error for InputErrors {}

/// A file that is not UTF-8, pointing at its first invalid byte.
pub fn not_utf8(path: &Path, bytes: &[u8]) -> Diagnostic {
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(err) => err.valid_up_to(),
    };
    // Up to `valid` the lossy text has the file's own bytes, so the offset
    // of the first replacement character is `valid`.
    let text = String::from_utf8_lossy(bytes).into_owned();
    let end = text[valid..]
        .chars()
        .next()
        .map_or(valid, |c| valid + c.len_utf8());
    let byte = bytes.get(valid).copied().unwrap_or(0);
    let file = SourceFile::new(path.to_owned(), text);
    Diagnostic::error(format!("`{}` is not valid UTF-8", path.display()))
        .at(
            &file,
            valid..end,
            format!("byte 0x{byte:02x} is not UTF-8 (shown as `\u{fffd}`)"),
        )
        .note("cargo reads manifests as UTF-8 text")
        .help("re-save the file as UTF-8, or remove the character")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_utf8_points_at_the_byte() {
        let diag = not_utf8(Path::new("Cargo.toml"), b"[package]\n# caf\xe9\n");
        let label = &diag.labels[0];
        assert_eq!(label.file.line_of(label.span.start), 2);
        assert_eq!(&label.file.text()[label.span.clone()], "\u{fffd}");
        assert!(label.text.contains("0xe9"), "{}", label.text);
    }
}
