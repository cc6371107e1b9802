//! Diagnostics: errors and warnings about a rule file, with source, span, code and help.
//!
//! Every [`Diagnostic`] owns its source text (shared, `Arc<str>`) so it can be rendered by any
//! miette handler, and converts to the language-neutral [`ErrorReport`].

use std::fmt;
use std::sync::Arc;

use leadrail_core::report::{ErrorReport, Label, Severity};
use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::ast::Span;

/// A source file: its name and text, shared by every diagnostic about it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: Arc<str>,
    text: Arc<str>,
}

impl SourceFile {
    /// A source file.
    pub fn new(text: &str, name: &str) -> SourceFile {
        SourceFile {
            name: Arc::from(name),
            text: Arc::from(text),
        }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of a span (empty if the span is not on character boundaries).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// 1-based line and column (in code points) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        line_col(&self.text, offset)
    }

    pub(crate) fn error(&self, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            help: None,
            severity: Severity::Error,
            src: NamedSource::new(&self.name, self.text.clone()),
            file: self.name.clone(),
            text: self.text.clone(),
            labels: Vec::new(),
        }
    }

    pub(crate) fn warning(&self, code: &'static str, message: impl Into<String>) -> Diagnostic {
        let mut d = self.error(code, message);
        d.severity = Severity::Warning;
        d
    }
}

/// 1-based line and column (in code points) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let mut line = 1u32;
    let mut col = 1u32;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line = line.saturating_add(1);
            col = 1;
        } else {
            col = col.saturating_add(1);
        }
    }
    (line, col)
}

/// One error or warning about a rule file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    code: &'static str,
    message: String,
    help: Option<String>,
    severity: Severity,
    src: NamedSource<Arc<str>>,
    file: Arc<str>,
    text: Arc<str>,
    labels: Vec<(Span, String)>,
}

impl Diagnostic {
    pub(crate) fn label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push((span, message.into()));
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn maybe_help(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// The stable code (see `leadrail_core::report::codes`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it, if known.
    pub fn hint(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The file name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The primary span (the first label's), if any.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|(s, _)| *s)
    }

    /// 1-based line and column of the primary span (`(0, 0)` if none).
    pub fn line_col(&self) -> (u32, u32) {
        self.span()
            .map_or((0, 0), |s| line_col(&self.text, s.start))
    }

    /// The labelled spans; the first is the primary one.
    pub fn spans(&self) -> impl Iterator<Item = (Span, &str)> {
        self.labels.iter().map(|(s, m)| (*s, m.as_str()))
    }

    /// The language-neutral form.
    pub fn to_report(&self) -> ErrorReport {
        let labels: Vec<Label> = self
            .labels
            .iter()
            .map(|(span, message)| {
                let (line, column) = line_col(&self.text, span.start);
                let (end_line, end_column) = line_col(&self.text, span.end);
                Label {
                    message: message.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                }
            })
            .collect();
        ErrorReport::located(
            self.code,
            self.message.clone(),
            self.file.to_string(),
            labels,
        )
        .with_help_opt(self.help.clone())
        .with_severity(self.severity)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.text.len();
        Some(Box::new(self.labels.iter().map(move |(span, msg)| {
            let start = span.start.min(len);
            let end = span.end.clamp(start, len);
            let text = if msg.is_empty() {
                None
            } else {
                Some(msg.clone())
            };
            LabeledSpan::new(text, start, end - start)
        })))
    }
}

/// A non-empty list of diagnostics (errors, possibly with warnings), sorted by position.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The list, or `None` if it is empty.
    pub fn from_vec(mut items: Vec<Diagnostic>) -> Option<Diagnostics> {
        if items.is_empty() {
            return None;
        }
        items.sort_by_key(|d| d.span().map_or((0, 0), |s| (s.start, s.end)));
        Some(Diagnostics { items })
    }

    pub(crate) fn from_nonempty(mut items: Vec<Diagnostic>) -> Diagnostics {
        items.sort_by_key(|d| d.span().map_or((0, 0), |s| (s.start, s.end)));
        Diagnostics { items }
    }

    /// The diagnostics, sorted by position.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// The diagnostics as a slice.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.items
    }

    /// How many there are (at least one).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Always false: the list is never empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The language-neutral forms.
    pub fn reports(&self) -> Vec<ErrorReport> {
        self.items.iter().map(Diagnostic::to_report).collect()
    }

    /// The diagnostics.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl fmt::Display for Diagnostics {
    /// One line per diagnostic: `file:line:column: error[code]: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            let (line, col) = d.line_col();
            let sev = if d.is_error() { "error" } else { "warning" };
            write!(
                f,
                "{}:{line}:{col}: {sev}[{}]: {}",
                d.file, d.code, d.message
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl miette::Diagnostic for Diagnostics {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.items.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}

/// Edit distance (Levenshtein) between two strings, in code points.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The closest candidate to `name` within a small edit distance, if any.
pub(crate) fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `did you mean `x`?` help, if there is a close candidate.
pub(crate) fn suggest<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}
