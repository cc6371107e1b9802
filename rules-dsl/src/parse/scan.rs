//! The scanner: words, punctuation, strings and comments, read as a stream without recursion.
//!
//! It serves three jobs that must not depend on pest (which recurses once per bracket): cutting
//! a file into items and clauses for error recovery, collecting comments for the formatter
//! ([`comments`]), and finding brackets nested deeper than [`MAX_NESTING`] before pest parses
//! them.

use std::iter::Peekable;
use std::str::CharIndices;

use super::MAX_NESTING;
use crate::ast::Span;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokKind {
    /// A run of letters, digits and `_` (a keyword, a name or a number's digits).
    Word,
    /// One other character (a bracket, an operator's first character, ...).
    Punct,
    /// A string, to its closing `"` or the end of its line.
    Str,
    /// A `#` or `//` comment, to the end of its line.
    Comment,
}

/// A token: its kind and where it is.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    /// What it is.
    pub kind: TokKind,
    /// Where it starts (a byte offset in the text).
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Whether only whitespace precedes the token on its line.
    pub line_start: bool,
}

/// Whether `c` continues a word.
pub(super) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The tokens of `text[range]` (positions in `text`), one at a time: the file is scanned as a
/// stream (a file of n bytes never holds n tokens in memory), and each item again when it is
/// checked for nesting or recovered from a syntax error. `range` starts and ends at token
/// boundaries; `Tok::line_start` is right when it starts at a line start (e.g. at 0).
pub(super) fn scan(text: &str, range: (usize, usize)) -> Scanner<'_> {
    let piece = text.get(range.0..range.1).unwrap_or("");
    Scanner {
        piece,
        off: range.0,
        it: piece.char_indices().peekable(),
        fresh: true,
    }
}

/// See [`scan`].
pub(super) struct Scanner<'a> {
    piece: &'a str,
    off: usize,
    it: Peekable<CharIndices<'a>>,
    /// Whether only whitespace has been seen since the last line break.
    fresh: bool,
}

impl Iterator for Scanner<'_> {
    type Item = Tok;

    fn next(&mut self) -> Option<Tok> {
        let it = &mut self.it;
        let len = self.piece.len();
        let (i, c) = loop {
            let (i, c) = it.next()?;
            if !c.is_whitespace() {
                break (i, c);
            }
            self.fresh |= c == '\n';
        };
        let line_start = std::mem::replace(&mut self.fresh, false);
        let (kind, end) = if c == '#' || (c == '/' && it.peek().map(|p| p.1) == Some('/')) {
            (TokKind::Comment, line_token_end(it, len, false))
        } else if c == '"' {
            (TokKind::Str, line_token_end(it, len, true))
        } else if is_ident_char(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if !is_ident_char(d) {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
            (TokKind::Word, end)
        } else {
            (TokKind::Punct, i + c.len_utf8())
        };
        Some(Tok {
            kind,
            start: self.off + i,
            end: self.off + end,
            line_start,
        })
    }
}

/// Advances `it` to the end of a comment or a string that runs to the end of its line (a
/// string stops after its closing `"`, escapes skipped): the token's end (`len` at the end of
/// the text).
fn line_token_end(it: &mut Peekable<CharIndices<'_>>, len: usize, string: bool) -> usize {
    while let Some(&(j, d)) = it.peek() {
        if d == '\n' || d == '\r' {
            return j;
        }
        it.next();
        if !string {
            continue;
        }
        if d == '\\' {
            if let Some(&(_, e)) = it.peek() {
                if e != '\n' && e != '\r' {
                    it.next();
                }
            }
        } else if d == '"' {
            return j + 1;
        }
    }
    len
}

/// The text of a token.
pub(super) fn tok_text<'a>(text: &'a str, t: &Tok) -> &'a str {
    text.get(t.start..t.end).unwrap_or("")
}

/// A comment of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Where it is.
    pub span: Span,
    /// Its text (with the `#` or `//`, trailing spaces removed).
    pub text: String,
    /// Whether it is alone on its line (otherwise it trails code).
    pub own_line: bool,
}

/// Every comment of a source text, in order (offsets after a byte order mark, as in
/// [`SourceFile`](crate::diagnostics::SourceFile)).
pub fn comments(text: &str) -> Vec<Comment> {
    let text = crate::diagnostics::without_bom(text);
    scan(text, (0, text.len()))
        .filter(|t| t.kind == TokKind::Comment)
        .map(|t| Comment {
            span: Span::new(t.start, t.end),
            text: tok_text(text, &t).trim_end().to_string(),
            own_line: t.line_start,
        })
        .collect()
}

/// Where a range nests brackets more than [`MAX_NESTING`] deep, and whether the bracket too
/// many opens a type (`set<`, `map<`) rather than a block, a group, a list or a call.
///
/// Every construct of the grammar that nests is bracketed: blocks `{`, groups and calls `(`,
/// lists `[` and types `<` (after `set` or `map`; a `<` anywhere else is the comparison). The
/// operator chains that nest without brackets (`not not x`, `1 + 1 + ...`) are bounded by
/// [`MAX_EXPR_DEPTH`](super::MAX_EXPR_DEPTH) when the expression is built. pest recurses once per bracket while
/// parsing, and so does every later walk (building the tree, checking, formatting, lowering,
/// dropping): this scan, which does not recurse, keeps them all bounded.
pub(super) fn max_nesting(text: &str, range: (usize, usize)) -> Option<(usize, bool)> {
    // the open brackets, innermost last (`true` for a type's `<`); at most MAX_NESTING + 1
    let mut open: Vec<bool> = Vec::new();
    let mut prev_word = "";
    for t in scan(text, range) {
        let s = tok_text(text, &t);
        if t.kind == TokKind::Punct {
            match s {
                "{" | "(" | "[" => open.push(false),
                "<" if matches!(prev_word, "set" | "map") => open.push(true),
                ">" if open.last() == Some(&true) => {
                    open.pop();
                }
                "}" | ")" | "]" => {
                    // a type left open in broken text closes with its block
                    while open.last() == Some(&true) {
                        open.pop();
                    }
                    open.pop();
                }
                _ => {}
            }
            if open.len() > MAX_NESTING {
                return Some((t.start, open.last() == Some(&true)));
            }
        }
        prev_word = if t.kind == TokKind::Word { s } else { "" };
    }
    None
}
