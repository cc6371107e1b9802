//! Error recovery: the file is parsed item by item, and a broken route clause by clause.
//!
//! The [scanner](super::scan) cuts the file into items (a new item starts at an item keyword
//! outside brackets, or at the start of a line, or at a word right after a closed block); each
//! item is parsed alone, so a broken item does not hide the errors of the next. A route that
//! fails to parse is cut into clauses, each parsed alone, so one file reports one syntax error
//! per broken item or clause.

use pest::iterators::Pair;
use pest::Parser as _;

use super::build::{empty_route, Builder};
use super::scan::{max_nesting, scan, tok_text, Tok, TokKind};
use super::syntax_error::{nesting_error, syntax_error, SyntaxContext};
use super::{Partial, RailParser, Rule, CLAUSE_KEYWORDS, ITEM_KEYWORDS};
use crate::ast::{RuleFile, Span, StrLit};
use crate::diagnostics::{Diagnostic, SourceFile};

/// Parses the file item by item (see the module docs), keeping the items that parsed.
pub(super) fn parse_items(src: &SourceFile) -> Partial {
    let text = src.text();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut declarations_ok = true;
    for chunk in item_chunks(text) {
        let Some(piece) = text.get(chunk.0..chunk.1) else {
            continue;
        };
        if let Some((pos, in_type)) = max_nesting(text, chunk) {
            errors.push(nesting_error(src, pos, in_type));
            // a declaration that did not parse: checking the rest would mislead
            declarations_ok &= is_route_or_fallback(piece);
            continue;
        }
        let b = Builder { src, off: chunk.0 };
        match parse_alone(Rule::item_only, piece) {
            Ok(item) => match item.map(|p| b.item(p)) {
                Some(Ok(item)) => items.push(item),
                Some(Err(mut es)) => errors.append(&mut es),
                None => errors.push(b.internal(chunk.0)),
            },
            Err(e) => {
                let trimmed_end = chunk.0 + piece.trim_end().len();
                let first = syntax_error(src, chunk.0, trimmed_end, &e, SyntaxContext::Item);
                declarations_ok &= is_route_or_fallback(piece);
                let mut clause_errors = Vec::new();
                if piece.trim_start().starts_with("route") {
                    if let Some(body) = route_body(text, chunk) {
                        clause_errors = recover_clauses(src, body);
                    }
                }
                let first_pos = first.span().map_or(0, |s| s.start);
                let covered = clause_errors
                    .iter()
                    .any(|d| d.span().is_some_and(|s| s.start == first_pos));
                if !covered {
                    errors.push(first);
                }
                errors.append(&mut clause_errors);
            }
        }
    }
    Partial {
        file: RuleFile { items },
        errors,
        declarations_ok,
    }
}

/// Whether an item chunk is a route or the fallback: when another declaration fails to parse,
/// checking the rest of the file would mislead.
fn is_route_or_fallback(piece: &str) -> bool {
    let head = piece.trim_start();
    head.starts_with("route") || head.starts_with("fallback")
}

/// Parses `piece` alone as `rule` (`item_only` or `clause_only`); returns the item or clause
/// inside it.
fn parse_alone(
    rule: Rule,
    piece: &str,
) -> Result<Option<Pair<'_, Rule>>, pest::error::Error<Rule>> {
    let mut pairs = RailParser::parse(rule, piece)?;
    Ok(pairs
        .next()
        .and_then(|p| p.into_inner().find(|q| q.as_rule() != Rule::EOI)))
}

/// The syntax errors of the clauses of a route that did not parse, each clause parsed alone.
fn recover_clauses(src: &SourceFile, body: (usize, usize)) -> Vec<Diagnostic> {
    let text = src.text();
    let mut errors = Vec::new();
    for chunk in clause_chunks(text, body) {
        let Some(piece) = text.get(chunk.0..chunk.1) else {
            continue;
        };
        match parse_alone(Rule::clause_only, piece) {
            Err(e) => {
                let end = chunk.0 + piece.trim_end().len();
                errors.push(syntax_error(src, chunk.0, end, &e, SyntaxContext::Clause))
            }
            Ok(clause) => {
                // a clause that parses may still hold a bad literal or a chained comparison
                let b = Builder { src, off: chunk.0 };
                if let Some(c) = clause {
                    let name = StrLit {
                        value: String::new(),
                        span: Span::default(),
                    };
                    let mut scratch = empty_route(name, Span::default());
                    if let Err(mut es) = b.clause(c, &mut scratch) {
                        errors.append(&mut es);
                    }
                }
            }
        }
    }
    errors
}

/// Cuts the file into item chunks (byte ranges).
fn item_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts: Vec<usize> = Vec::new();
    let mut depth: usize = 0;
    let mut code = scan(text, (0, text.len()))
        .filter(|t| t.kind != TokKind::Comment)
        .peekable();
    let mut first_code = None;
    let mut prev: Option<Tok> = None;
    let mut closed = false;
    while let Some(t) = code.next() {
        first_code.get_or_insert(t.start);
        let s = tok_text(text, &t);
        if closed && depth == 0 && t.kind == TokKind::Word && !ITEM_KEYWORDS.contains(&s) {
            // a word right after a closed block starts a new (broken) item
            starts.push(t.start);
        }
        closed = false;
        match t.kind {
            TokKind::Punct if matches!(s, "{" | "(" | "[") => depth += 1,
            TokKind::Punct if matches!(s, "}" | ")" | "]") => {
                depth = depth.saturating_sub(1);
                closed = depth == 0 && s == "}";
            }
            TokKind::Word if ITEM_KEYWORDS.contains(&s) => {
                let prev_dot = prev.is_some_and(|p| tok_text(text, &p) == ".");
                let next = code.peek().map(|n| tok_text(text, n)).unwrap_or("");
                let boundary = depth == 0 || (t.line_start && next != ":");
                if !prev_dot && next != "." && next != ":" && next != "(" && boundary {
                    starts.push(t.start);
                    depth = 0;
                }
            }
            _ => {}
        }
        prev = Some(t);
    }
    let mut chunks = Vec::new();
    if let (Some(fc), Some(&s0)) = (first_code, starts.first()) {
        if fc < s0 {
            chunks.push((fc, s0));
        }
    } else if let Some(fc) = first_code {
        chunks.push((fc, text.len()));
    }
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        chunks.push((s, e));
    }
    chunks
}

/// Cuts a route's body (between `{` and `}`) into clause chunks.
fn clause_chunks(text: &str, body: (usize, usize)) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut depth: usize = 0;
    let code: Vec<Tok> = scan(text, body)
        .filter(|t| t.kind != TokKind::Comment)
        .collect();
    for (k, t) in code.iter().enumerate() {
        let s = tok_text(text, t);
        match t.kind {
            TokKind::Punct if matches!(s, "{" | "(" | "[") => depth += 1,
            TokKind::Punct if matches!(s, "}" | ")" | "]") => depth = depth.saturating_sub(1),
            TokKind::Word if CLAUSE_KEYWORDS.contains(&s) || k == 0 => {
                let prev_dot = k
                    .checked_sub(1)
                    .and_then(|p| code.get(p))
                    .is_some_and(|p| tok_text(text, p) == ".");
                if depth == 0 && !prev_dot {
                    starts.push(t.start);
                }
            }
            _ => {}
        }
    }
    let mut chunks = Vec::new();
    if let (Some(first), Some(&s0)) = (code.first(), starts.first()) {
        if first.start < s0 {
            chunks.push((first.start, s0));
        }
    }
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(body.1);
        chunks.push((s, e));
    }
    chunks
}

/// The body of a route chunk: from after its first `{` to its matching `}` (or the chunk end).
fn route_body(text: &str, chunk: (usize, usize)) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut open = None;
    for t in scan(text, chunk) {
        if t.kind != TokKind::Punct {
            continue;
        }
        match tok_text(text, &t) {
            "{" => {
                if open.is_none() {
                    open = Some(t.end);
                }
                depth += 1;
            }
            "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(o) = open {
                        return Some((o, t.start));
                    }
                }
            }
            _ => {}
        }
    }
    open.map(|o| (o, chunk.1))
}
