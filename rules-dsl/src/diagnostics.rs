//! Diagnostics: errors and warnings about a rule file, with source, span, code and help.
//!
//! Every [`Diagnostic`] owns its source text (shared, `Arc<str>`) so it can be rendered by any
//! miette handler, and converts to the language-neutral [`ErrorReport`].

use std::fmt;
use std::sync::{Arc, OnceLock};

use leadrail_core::report::{ErrorReport, Label, Severity};
use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::ast::Span;

/// A source file: its name and text, shared by every diagnostic about it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: Arc<str>,
    text: Arc<str>,
    lines: Lines,
}

impl SourceFile {
    /// A source file. A UTF-8 byte order mark at the start of `text` is not part of it (as
    /// editors show the file): offsets, lines and columns count from the character after it.
    pub fn new(text: &str, name: &str) -> SourceFile {
        let text = without_bom(text);
        SourceFile {
            name: Arc::from(name),
            text: Arc::from(text),
            lines: Lines::default(),
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
        self.lines.line_col(&self.text, offset)
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
            lines: self.lines.clone(),
            labels: Vec::new(),
        }
    }

    pub(crate) fn warning(&self, code: &'static str, message: impl Into<String>) -> Diagnostic {
        let mut d = self.error(code, message);
        d.severity = Severity::Warning;
        d
    }
}

/// `text` without the UTF-8 byte order mark (U+FEFF) it may start with.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The line starts of a source text, built once on first use and shared by the file and every
/// diagnostic about it: a line and column costs two binary searches and a count of at most
/// [`MARK_EVERY`] characters, not a scan from the start of the file (or of a long line), so
/// reporting n diagnostics stays linear in the file, minified or not.
#[derive(Clone, Default)]
struct Lines(Arc<OnceLock<LineIndex>>);

/// Characters between two marks of [`LineIndex::marks`].
const MARK_EVERY: usize = 1024;

struct LineIndex {
    /// Byte offset of the start of each line (the first is 0).
    starts: Vec<usize>,
    /// Character index of the start of each line.
    start_chars: Vec<usize>,
    /// (byte offset, character index) of every [`MARK_EVERY`]th character.
    marks: Vec<(usize, usize)>,
}

impl fmt::Debug for Lines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lines")
    }
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut index = LineIndex {
            starts: vec![0],
            start_chars: vec![0],
            marks: vec![(0, 0)],
        };
        for (n, (i, c)) in text.char_indices().enumerate() {
            if n % MARK_EVERY == 0 && n > 0 {
                index.marks.push((i, n));
            }
            if c == '\n' {
                index.starts.push(i + 1);
                index.start_chars.push(n + 1);
            }
        }
        index
    }

    /// How many characters start before byte `offset`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let k = self
            .marks
            .partition_point(|&(b, _)| b <= offset)
            .saturating_sub(1);
        let (b, n) = self.marks.get(k).copied().unwrap_or((0, 0));
        n + text
            .get(b..)
            .unwrap_or("")
            .char_indices()
            .take_while(|(i, _)| b + i < offset)
            .count()
    }
}

impl Lines {
    fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let index = self.0.get_or_init(|| LineIndex::new(text));
        let offset = offset.min(text.len());
        let line = index
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let first = index.start_chars.get(line).copied().unwrap_or(0);
        let col = index.chars_before(text, offset).saturating_sub(first);
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (to_u32(line + 1), to_u32(col).saturating_add(1))
    }
}

/// 1-based line and column (in code points) of a byte offset in `text` (a scan from the start
/// of `text`; [`SourceFile::line_col`] and the diagnostics use an index).
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
    lines: Lines,
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
            .map_or((0, 0), |s| self.lines.line_col(&self.text, s.start))
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
                let (line, column) = self.lines.line_col(&self.text, span.start);
                let (end_line, end_column) = self.lines.line_col(&self.text, span.end);
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
