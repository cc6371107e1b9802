//! Text to syntax tree: the pest parser, error recovery and friendly syntax errors.
//!
//! Recovery: the file is cut into top-level items by a small scanner (a new item starts at
//! `ruleset`, `schema`, `route` or `fallback` outside brackets, or at the start of a line), and
//! each item is parsed alone. A route that fails to parse is cut into clauses, each parsed
//! alone, so one file reports one syntax error per broken item or clause.

use std::str::FromStr;
use std::sync::OnceLock;

use chrono::NaiveDate;
use leadrail_core::report::codes;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use rust_decimal::Decimal;

use crate::ast::*;
use crate::diagnostics::{suggest, Diagnostic, SourceFile};

pub use generated::{RailParser, Rule};

mod generated {
    #![expect(
        missing_docs,
        reason = "pest_derive generates `Rule` (documented rule by rule from grammar.pest's `///` \
                  comments) and its helpers without docs of their own"
    )]
    use pest_derive::Parser;

    /// The pest parser generated from `grammar.pest`.
    #[derive(Parser)]
    #[grammar = "grammar.pest"]
    pub struct RailParser;
}

/// Deepest bracket nesting accepted.
pub const MAX_NESTING: usize = 48;
/// Deepest expression tree accepted.
pub const MAX_EXPR_DEPTH: usize = 200;

const ITEM_KEYWORDS: &[&str] = &["ruleset", "schema", "calendar", "sla", "route", "fallback"];
const CLAUSE_KEYWORDS: &[&str] = &["when", "require", "rank", "balance", "tie", "else"];

// ---------------------------------------------------------------------------------------------
// A small scanner: words, punctuation, strings and comments. Used to cut the file into items
// and clauses, and to collect comments for the formatter.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    Word,
    Punct,
    Str,
    Comment,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
    /// Whether only whitespace precedes the token on its line.
    pub line_start: bool,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The tokens of `text[range]` (positions in `text`), one at a time: the file is scanned as a
/// stream (a file of n bytes never holds n tokens in memory), and each item again when it is
/// checked for nesting or recovered from a syntax error. `range` starts and ends at token
/// boundaries; `Tok::line_start` is right when it starts at a line start (e.g. at 0).
pub(crate) fn scan(text: &str, range: (usize, usize)) -> Scanner<'_> {
    let piece = text.get(range.0..range.1).unwrap_or("");
    Scanner {
        piece,
        off: range.0,
        it: piece.char_indices().peekable(),
        fresh: true,
    }
}

/// See [`scan`].
pub(crate) struct Scanner<'a> {
    piece: &'a str,
    off: usize,
    it: std::iter::Peekable<std::str::CharIndices<'a>>,
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
            let mut end = len;
            while let Some(&(j, d)) = it.peek() {
                if d == '\n' || d == '\r' {
                    end = j;
                    break;
                }
                it.next();
            }
            (TokKind::Comment, end)
        } else if c == '"' {
            let mut end = len;
            while let Some(&(j, d)) = it.peek() {
                if d == '\n' || d == '\r' {
                    end = j;
                    break;
                }
                it.next();
                if d == '\\' {
                    if let Some(&(_, e)) = it.peek() {
                        if e != '\n' && e != '\r' {
                            it.next();
                        }
                    }
                } else if d == '"' {
                    end = j + 1;
                    break;
                }
            }
            (TokKind::Str, end)
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

fn tok_text<'a>(text: &'a str, t: &Tok) -> &'a str {
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
/// [`SourceFile`]).
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

/// Where a range nests brackets more than [`MAX_NESTING`] deep, and whether the bracket too
/// many opens a type (`set<`, `map<`) rather than a block, a group, a list or a call.
///
/// Every construct of the grammar that nests is bracketed: blocks `{`, groups and calls `(`,
/// lists `[` and types `<` (after `set` or `map`; a `<` anywhere else is the comparison). The
/// operator chains that nest without brackets (`not not x`, `1 + 1 + ...`) are bounded by
/// [`MAX_EXPR_DEPTH`] when the expression is built. pest recurses once per bracket while
/// parsing, and so does every later walk (building the tree, checking, formatting, lowering,
/// dropping): this scan, which does not recurse, keeps them all bounded.
fn max_nesting(text: &str, range: (usize, usize)) -> Option<(usize, bool)> {
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

// ---------------------------------------------------------------------------------------------
// Entry point

/// Parses a source file into a syntax tree, or every syntax error it finds.
pub fn parse_file(src: &SourceFile) -> Result<RuleFile, Vec<Diagnostic>> {
    let partial = parse_partial(src);
    if partial.errors.is_empty() {
        Ok(partial.file)
    } else {
        Err(partial.errors)
    }
}

/// The result of parsing with recovery: the items that parsed, the syntax errors, and whether
/// every declaration other than routes and the fallback parsed (so that checking the rest is
/// meaningful).
pub struct Partial {
    /// The items that parsed.
    pub file: RuleFile,
    /// The syntax errors.
    pub errors: Vec<Diagnostic>,
    /// Whether every `ruleset` and `schema` item parsed (only routes/fallbacks failed).
    pub declarations_ok: bool,
}

/// The stack the recursive walks over a rule file may need (parsing, building and checking
/// the deepest file the limits accept needs less than 512 KB): with less left on the calling
/// thread (a small host thread), they run on a stack segment of [`STACK_SEGMENT`] bytes from
/// the heap instead.
pub(crate) const STACK_RED_ZONE: usize = 1 << 20;
/// See [`STACK_RED_ZONE`].
pub(crate) const STACK_SEGMENT: usize = 4 << 20;

/// Parses with recovery, keeping the items that parsed.
pub fn parse_partial(src: &SourceFile) -> Partial {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || parse_partial_here(src))
}

fn parse_partial_here(src: &SourceFile) -> Partial {
    let text = src.text();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut declarations_ok = true;
    for chunk in item_chunks(text) {
        if let Some((pos, in_type)) = max_nesting(text, chunk) {
            let (message, help) = if in_type {
                (
                    "this type is nested too deeply",
                    format!(
                        "`set<...>` and `map<...>` nest at most {MAX_NESTING} brackets deep, \
                         counting the schema's `{{`; a record field rarely needs more than \
                         `map<text, set<region>>`"
                    ),
                )
            } else {
                (
                    "brackets are nested too deeply",
                    "split the expression into several `require` clauses".to_string(),
                )
            };
            errors.push(
                src.error(codes::PARSE_TOO_DEEP, message)
                    .label(
                        Span::new(pos, pos + 1),
                        format!("more than {MAX_NESTING} levels"),
                    )
                    .help(help),
            );
            let head = text.get(chunk.0..chunk.1).unwrap_or("").trim_start();
            if !(head.starts_with("route") || head.starts_with("fallback")) {
                // a declaration that did not parse: checking the rest would mislead
                declarations_ok = false;
            }
            continue;
        }
        let Some(piece) = text.get(chunk.0..chunk.1) else {
            continue;
        };
        let b = Builder { src, off: chunk.0 };
        match RailParser::parse(Rule::item_only, piece) {
            Ok(mut pairs) => {
                let item = pairs
                    .next()
                    .and_then(|p| p.into_inner().find(|q| q.as_rule() != Rule::EOI));
                match item.map(|p| b.item(p)) {
                    Some(Ok(item)) => items.push(item),
                    Some(Err(mut es)) => errors.append(&mut es),
                    None => errors.push(b.internal(chunk.0)),
                }
            }
            Err(e) => {
                let trimmed_end = chunk.0 + piece.trim_end().len();
                let first = syntax_error(src, chunk.0, trimmed_end, &e, SyntaxContext::Item);
                let is_route = piece.trim_start().starts_with("route");
                let head = piece.trim_start();
                if !(is_route || head.starts_with("fallback")) {
                    declarations_ok = false;
                }
                let mut clause_errors = Vec::new();
                if is_route {
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

fn recover_clauses(src: &SourceFile, body: (usize, usize)) -> Vec<Diagnostic> {
    let text = src.text();
    let mut errors = Vec::new();
    for chunk in clause_chunks(text, body) {
        let Some(piece) = text.get(chunk.0..chunk.1) else {
            continue;
        };
        match RailParser::parse(Rule::clause_only, piece) {
            Err(e) => {
                let end = chunk.0 + piece.trim_end().len();
                errors.push(syntax_error(src, chunk.0, end, &e, SyntaxContext::Clause))
            }
            Ok(mut pairs) => {
                // a clause that parses may still hold a bad literal or a chained comparison
                let b = Builder { src, off: chunk.0 };
                let clause = pairs
                    .next()
                    .and_then(|p| p.into_inner().find(|q| q.as_rule() != Rule::EOI));
                if let Some(c) = clause {
                    let mut scratch = RouteDecl {
                        name: StrLit {
                            value: String::new(),
                            span: Span::default(),
                        },
                        when: None,
                        requires: Vec::new(),
                        rank: None,
                        balance: None,
                        tie: None,
                        otherwise: None,
                        span: Span::default(),
                    };
                    if let Err(mut es) = b.clause(c, &mut scratch) {
                        errors.append(&mut es);
                    }
                }
            }
        }
    }
    errors
}

// ---------------------------------------------------------------------------------------------
// Syntax errors

#[derive(Clone, Copy, PartialEq, Eq)]
enum SyntaxContext {
    Item,
    Clause,
}

fn rule_name(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of input",
        item_only | file => {
            "a declaration (`ruleset`, `schema`, `calendar`, `sla`, `route`, `fallback`)"
        }
        clause_only => "a clause (`when`, `require`, `rank`, `balance`, `tie`, `else`)",
        lbrace => "`{`",
        rbrace => "`}`",
        lparen => "`(`",
        rparen => "`)`",
        lbracket => "`[`",
        rbracket => "`]`",
        langle => "`<`",
        rangle => "`>`",
        comma => "`,`",
        colon => "`:`",
        question => "`?`",
        string | string_inner => "a string",
        integer => "a whole number",
        name | field_name => "a name",
        type_expr | type_name | kw_enum | kw_set | kw_map | enum_type | set_type | map_type => {
            "a type"
        }
        field_decl => "a field",
        expr | paren | list | call | path | date | number | digits | boolean | symbol | kw_true
        | kw_false | op_not | op_neg => "an expression",
        op_or | op_and | op_not_in | op_in | op_covers | op_eq | op_ne | op_le | op_ge | op_lt
        | op_gt | op_add | op_sub | op_mul | op_div => "an operator",
        kw_ruleset | ruleset_decl => "`ruleset`",
        kw_version => "`version`",
        kw_schema | schema_decl => "`schema`",
        kw_route | route_decl => "`route`",
        kw_fallback | fallback_decl => "`fallback`",
        kw_when => "`when`",
        kw_require => "`require`",
        kw_rank => "`rank`",
        kw_balance => "`balance`",
        kw_workload => "`workload`",
        kw_tie => "`tie`",
        kw_round_robin => "`round_robin`",
        kw_weighted => "`weighted`",
        kw_by => "`by`",
        kw_id => "`id`",
        kw_else => "`else`",
        kw_next => "`next`",
        kw_parent => "`parent`",
        kw_queue => "`queue`",
        kw_unrouted => "`unrouted`",
        kw_not | kw_in => "an operator",
        kw_calendar | calendar_decl => "`calendar`",
        kw_sla | sla_decl => "`sla`",
        timezone_entry | kw_timezone => "`timezone`",
        hours_entry | kw_hours => "`hours`",
        closed_entry | kw_closed => "`closed`",
        holidays_entry | kw_holidays => "`holidays`",
        day_range => "a day (`mon`..`sun`) or a range of days (`mon-fri`)",
        time_range | clock => "a time range such as `08:00-17:00`",
        closed_days => "a date or a date range (`2026-12-24`, `2026-12-28..2026-12-30`)",
        start_entry | kw_start => "`start`",
        stop_entry | kw_stop => "`stop`",
        pause_entry | kw_pause => "`pause`",
        kw_while => "`while`",
        goal_entry | kw_goal => "`goal`",
        goal_business | kw_business => "`business`",
        warn_entry | kw_warn => "`warn`",
        breach_entry | kw_on => "`on`",
        kw_breach => "`breach`",
        stage_entry | kw_each => "`each`",
        kw_stage => "`stage`",
        kw_except => "`except`",
        breach_action => "a breach action (`remind`, `escalate \"role\"`, `alert \"message\"`, `retract and reroute`)",
        action_reroute | kw_retract => "`retract`",
        kw_reroute => "`reroute`",
        action_escalate | kw_escalate => "`escalate`",
        action_alert | kw_alert => "`alert`",
        action_remind | kw_remind => "`remind`",
        word => "a name",
        _ => return None,
    })
}

fn expected_list(positives: &[Rule], ctx: SyntaxContext) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for r in positives {
        let name = match (r, ctx) {
            (Rule::EOI, SyntaxContext::Clause) => Some("a new clause"),
            (Rule::EOI, SyntaxContext::Item) => {
                Some("a declaration (`ruleset`, `schema`, `calendar`, `sla`, `route`, `fallback`)")
            }
            _ => rule_name(*r),
        };
        if let Some(n) = name {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let clause_kws = [
        "`when`",
        "`require`",
        "`rank`",
        "`balance`",
        "`tie`",
        "`else`",
    ];
    if clause_kws.iter().filter(|k| names.contains(k)).count() >= 3 {
        names.retain(|n| !clause_kws.contains(n));
        names.insert(
            0,
            "a clause (`when`, `require`, `rank`, `balance`, `tie`, `else`)",
        );
    }
    let item_kws = [
        "`ruleset`",
        "`schema`",
        "`calendar`",
        "`sla`",
        "`route`",
        "`fallback`",
    ];
    if item_kws.iter().filter(|k| names.contains(k)).count() >= 3 {
        names.retain(|n| !item_kws.contains(n));
        names.insert(
            0,
            "a declaration (`ruleset`, `schema`, `calendar`, `sla`, `route`, `fallback`)",
        );
    }
    let sla_kws = [
        "`start`", "`stop`", "`pause`", "`goal`", "`warn`", "`on`", "`each`",
    ];
    if sla_kws.iter().filter(|k| names.contains(k)).count() >= 3 {
        names.retain(|n| !sla_kws.contains(n));
        names.insert(
            0,
            "an sla entry (`start`, `stop`, `pause while`, `goal`, `warn`, `on breach`, `each stage`)",
        );
    }
    let cal_kws = ["`timezone`", "`hours`", "`closed`", "`holidays`"];
    if cal_kws.iter().filter(|k| names.contains(k)).count() >= 3 {
        names.retain(|n| !cal_kws.contains(n));
        names.insert(
            0,
            "a calendar entry (`timezone`, `hours`, `closed`, `holidays`)",
        );
    }
    if names.contains(&"an expression") {
        names.retain(|n| !matches!(*n, "a string" | "a name" | "`(`" | "`[`"));
    }
    names
}

fn join_or(names: &[&str]) -> String {
    match names {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

fn keyword_candidates(positives: &[Rule]) -> Vec<&'static str> {
    positives
        .iter()
        .filter_map(|r| rule_name(*r))
        .filter_map(|n| n.strip_prefix('`').and_then(|n| n.strip_suffix('`')))
        .filter(|n| n.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
        .collect()
}

/// The token found at `pos`: its span and a description.
fn found_token(text: &str, pos: usize) -> (Span, String) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return (Span::new(pos, pos), "end of input".to_string());
    };
    if is_ident_char(c) {
        let len: usize = rest
            .chars()
            .take_while(|c| is_ident_char(*c))
            .map(char::len_utf8)
            .sum();
        let word = rest.get(..len).unwrap_or("");
        return (Span::new(pos, pos + len), format!("`{word}`"));
    }
    for two in ["==", "!=", "<=", ">=", "&&", "||"] {
        if rest.starts_with(two) {
            return (Span::new(pos, pos + 2), format!("`{two}`"));
        }
    }
    (Span::new(pos, pos + c.len_utf8()), format!("`{c}`"))
}

fn string_problem(src: &SourceFile, pos: usize) -> Option<Diagnostic> {
    let text = src.text();
    let rest = text.get(pos..)?;
    if !rest.starts_with('"') {
        return None;
    }
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\n' | '\r' => break,
            '\\' => match chars.next() {
                Some((_, '"' | '\\' | 'n')) => {}
                Some((j, e)) if e != '\n' && e != '\r' => {
                    let span = Span::new(pos + i, pos + j + e.len_utf8());
                    return Some(
                        src.error(
                            codes::PARSE_INVALID_LITERAL,
                            format!("invalid escape `\\{e}` in a string"),
                        )
                        .label(span, "not an escape")
                        .help("the escapes are `\\\"`, `\\\\` and `\\n`"),
                    );
                }
                _ => break,
            },
            _ => {}
        }
    }
    let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    Some(
        src.error(codes::PARSE_UNEXPECTED_TOKEN, "unterminated string")
            .label(Span::new(pos, pos + end), "this string has no closing `\"`")
            .help("close the string with `\"` on the same line"),
    )
}

fn syntax_error(
    src: &SourceFile,
    off: usize,
    piece_end: usize,
    e: &pest::error::Error<Rule>,
    ctx: SyntaxContext,
) -> Diagnostic {
    let pos = off
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    if let ErrorVariant::CustomError { message } = &e.variant {
        // pest's guard: the thread's stack ran low (the nesting limits keep pest's recursion
        // short, so only a very small stack gets here)
        if message.contains("limit reached") {
            let at = found_token(src.text(), pos).0;
            return src
                .error(codes::PARSE_TOO_DEEP, "the parser cannot go deeper here")
                .label(at, "")
                .help(
                    "nest brackets less deeply, or compile the rules on a thread with a larger \
                     stack",
                );
        }
    }
    if ctx == SyntaxContext::Item && pos >= piece_end {
        if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
            if positives.contains(&Rule::rbrace) {
                let what = if piece_end < src.text().trim_end().len() {
                    "before the next declaration"
                } else {
                    "at the end of the file"
                };
                return src
                    .error(
                        codes::PARSE_UNEXPECTED_TOKEN,
                        format!("missing `}}` {what}"),
                    )
                    .label(Span::new(piece_end, piece_end), "expected `}`")
                    .help("a `{` has no matching `}`; close the block");
            }
        }
    }
    if let Some(d) = string_problem(src, pos) {
        return d;
    }
    let positives: Vec<Rule> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let text = src.text();
    let (span, found) = found_token(text, pos);
    let names = expected_list(&positives, ctx);
    let expected = join_or(&names);
    let message = format!("expected {expected}, found {found}");
    let rest = text.get(pos..).unwrap_or("");
    let mut d = src.error(codes::PARSE_UNEXPECTED_TOKEN, message).label(
        span,
        if names.len() == 1 {
            format!("expected {expected}")
        } else {
            "unexpected".to_string()
        },
    );
    let word = found.trim_matches('`');
    let help = if rest.starts_with('=') && !rest.starts_with("==") {
        Some("use `==` to compare two values".to_string())
    } else if rest.starts_with('\'') {
        Some("strings are written in double quotes: `\"...\"`".to_string())
    } else if rest.starts_with("&&") {
        Some("write `and` instead of `&&`".to_string())
    } else if rest.starts_with("||") {
        Some("write `or` instead of `||`".to_string())
    } else if rest.starts_with('!') && !rest.starts_with("!=") {
        Some("write `not` instead of `!`".to_string())
    } else if span.end == span.start {
        if ctx == SyntaxContext::Item && names.contains(&"`}`") {
            Some("a `{` has no matching `}`".to_string())
        } else {
            None
        }
    } else if rest.starts_with(is_ident_char) {
        let kws = keyword_candidates(&positives);
        suggest(word, kws.iter().copied()).or_else(|| {
            if names.iter().any(|n| n.starts_with("a declaration")) {
                suggest(word, ITEM_KEYWORDS.iter().copied())
            } else if names.iter().any(|n| n.starts_with("a clause")) {
                suggest(word, CLAUSE_KEYWORDS.iter().copied()).or_else(|| {
                    Some(
                        "a route holds clauses in this order: `when`, `require`, `rank`, \
                         `balance`, `tie`, `else`"
                            .to_string(),
                    )
                })
            } else {
                None
            }
        })
    } else {
        None
    };
    d = d.maybe_help(help.or_else(|| calendar_sla_help(&positives)));
    d
}

/// A hint for a syntax error inside a `calendar` or `sla` declaration, from what was expected.
fn calendar_sla_help(positives: &[Rule]) -> Option<String> {
    let has = |r: Rule| positives.contains(&r);
    let text = if has(Rule::kw_reroute) {
        "the re-route action is written `retract and reroute`"
    } else if has(Rule::breach_action) {
        "breach actions are `remind`, `escalate \"role\"`, `alert \"message\"` and `retract and reroute`, separated by commas"
    } else if has(Rule::time_range) || has(Rule::clock) {
        "working hours are written `HH:MM-HH:MM` after the days, e.g. `hours mon-fri 08:00-12:00, 13:00-17:00`"
    } else if has(Rule::day_range) {
        "days are `mon` to `sun`, or a range such as `mon-fri`"
    } else if has(Rule::closed_days) || has(Rule::date) {
        "closed days are dates `YYYY-MM-DD` or ranges `YYYY-MM-DD..YYYY-MM-DD`, separated by commas"
    } else if has(Rule::kw_start) || has(Rule::kw_goal) || has(Rule::kw_each) {
        "an sla holds `start`, `stop`, `pause while`, `goal`, `warn`, `on breach` and `each stage` entries"
    } else if has(Rule::kw_timezone) || has(Rule::kw_hours) {
        "a calendar holds `timezone`, `hours`, `closed` and `holidays` entries"
    } else if has(Rule::kw_while) {
        "write `pause while <status>`"
    } else if has(Rule::kw_breach) {
        "write `on breach <action>`"
    } else if has(Rule::kw_stage) {
        "write `each stage` or `each stage except won, lost`"
    } else if has(Rule::word) {
        "expected a name here (an event, a status, a stage or an sla name)"
    } else if has(Rule::number) {
        "expected a number here, e.g. `24h` for a goal or `75%` for a warning"
    } else {
        return None;
    };
    Some(text.to_string())
}

// ---------------------------------------------------------------------------------------------
// Pairs to syntax tree

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_not_in, Assoc::Left)
                | Op::infix(Rule::op_covers, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
    })
}

/// An expression being built: the tree, its depth, and whether it was parenthesised.
type Built = Result<(Expr, usize, bool), Vec<Diagnostic>>;

struct Builder<'s> {
    src: &'s SourceFile,
    off: usize,
}

impl Builder<'_> {
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.off + s.start(), self.off + s.end())
    }

    fn internal(&self, pos: usize) -> Diagnostic {
        self.src
            .error(
                codes::PARSE_UNEXPECTED_TOKEN,
                "the parser could not read this",
            )
            .label(Span::new(pos, pos), "")
    }

    fn next<'i>(
        &self,
        pairs: &mut Pairs<'i, Rule>,
        at: Span,
    ) -> Result<Pair<'i, Rule>, Vec<Diagnostic>> {
        pairs.next().ok_or_else(|| vec![self.internal(at.start)])
    }

    /// The next pair that is not punctuation or a keyword.
    fn next_content<'i>(
        &self,
        pairs: &mut Pairs<'i, Rule>,
        at: Span,
    ) -> Result<Pair<'i, Rule>, Vec<Diagnostic>> {
        pairs
            .find(|p| !is_token(p.as_rule()))
            .ok_or_else(|| vec![self.internal(at.start)])
    }

    fn item(&self, p: Pair<'_, Rule>) -> Result<Item, Vec<Diagnostic>> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::ruleset_decl => {
                let mut it = p.into_inner();
                let name = self.string(self.next_content(&mut it, span)?)?;
                let v = self.next_content(&mut it, span)?;
                let vspan = self.span(&v);
                let digits: String = v.as_str().chars().filter(|c| *c != '_').collect();
                let version = u32::from_str(&digits).map_err(|_| {
                    vec![self
                        .src
                        .error(
                            codes::PARSE_INVALID_LITERAL,
                            format!("version `{}` is too large", v.as_str()),
                        )
                        .label(vspan, "not a version number")
                        .help("a version is a whole number from 0 to 4294967295")]
                })?;
                Ok(Item::Ruleset(RulesetDecl {
                    name,
                    version,
                    span,
                }))
            }
            Rule::schema_decl => {
                let mut it = p.into_inner();
                let kind = self.ident(self.next_content(&mut it, span)?);
                let mut fields = Vec::new();
                for f in it.filter(|q| q.as_rule() == Rule::field_decl) {
                    fields.push(self.field(f)?);
                }
                Ok(Item::Schema(SchemaDecl { kind, fields, span }))
            }
            Rule::route_decl => self.route(p).map(|r| Item::Route(Box::new(r))),
            Rule::calendar_decl => self.calendar(p).map(|c| Item::Calendar(Box::new(c))),
            Rule::sla_decl => self.sla(p).map(|c| Item::Sla(Box::new(c))),
            Rule::fallback_decl => {
                let target = self.next_content(&mut p.into_inner(), span)?;
                let queue = match target.as_rule() {
                    Rule::queue_target => {
                        let tspan = self.span(&target);
                        Some(self.string(self.next_content(&mut target.into_inner(), tspan)?)?)
                    }
                    _ => None,
                };
                Ok(Item::Fallback(FallbackDecl { queue, span }))
            }
            _ => Err(vec![self.internal(span.start)]),
        }
    }

    fn words(&self, pairs: Pairs<'_, Rule>) -> Vec<Ident> {
        pairs
            .filter(|q| q.as_rule() == Rule::word)
            .map(|q| self.ident(q))
            .collect()
    }

    fn date(&self, p: &Pair<'_, Rule>) -> Result<NaiveDate, Vec<Diagnostic>> {
        NaiveDate::parse_from_str(p.as_str(), "%Y-%m-%d").map_err(|_| {
            vec![self
                .src
                .error(
                    codes::PARSE_INVALID_LITERAL,
                    format!("`{}` is not a valid date", p.as_str()),
                )
                .label(self.span(p), "no such date")
                .help("dates are written `YYYY-MM-DD`, e.g. `2026-12-24`")]
        })
    }

    fn clock(&self, p: &Pair<'_, Rule>) -> Result<u32, Vec<Diagnostic>> {
        let text = p.as_str();
        let (h, m) = text.split_once(':').unwrap_or((text, ""));
        match (h.parse::<u32>(), m.parse::<u32>()) {
            (Ok(h), Ok(m)) if m < 60 && (h < 24 || (h == 24 && m == 0)) => Ok(h * 60 + m),
            _ => Err(vec![self
                .src
                .error(
                    codes::PARSE_INVALID_LITERAL,
                    format!("`{text}` is not a time of day"),
                )
                .label(self.span(p), "no such time")
                .help(
                    "times are written `HH:MM` from `00:00` to `24:00`, e.g. `08:30`",
                )]),
        }
    }

    fn calendar(&self, p: Pair<'_, Rule>) -> Result<CalendarDecl, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.string(self.next_content(&mut it, span)?)?;
        let entries = all_or_errors(it.filter(|q| !is_token(q.as_rule())), |e| {
            self.calendar_entry(e)
        })?;
        Ok(CalendarDecl {
            name,
            entries,
            span,
        })
    }

    fn calendar_entry(&self, e: Pair<'_, Rule>) -> Result<Clause<CalendarEntry>, Vec<Diagnostic>> {
        let span = self.span(&e);
        let rule = e.as_rule();
        let mut it = e.into_inner();
        let node = match rule {
            Rule::timezone_entry => {
                CalendarEntry::Timezone(self.string(self.next_content(&mut it, span)?)?)
            }
            Rule::holidays_entry => {
                CalendarEntry::Holidays(self.string(self.next_content(&mut it, span)?)?)
            }
            Rule::hours_entry => {
                let mut days = Vec::new();
                let mut intervals = Vec::new();
                for q in it {
                    let qspan = self.span(&q);
                    match q.as_rule() {
                        Rule::day_range => {
                            let mut w = q.into_inner().map(|x| self.ident(x));
                            let from = w.next().ok_or_else(|| vec![self.internal(qspan.start)])?;
                            days.push(DayRange {
                                from,
                                to: w.next(),
                                span: qspan,
                            });
                        }
                        Rule::time_range => {
                            let clocks: Vec<Pair<'_, Rule>> = q.into_inner().collect();
                            let (Some(a), Some(b)) = (clocks.first(), clocks.get(1)) else {
                                return Err(vec![self.internal(qspan.start)]);
                            };
                            intervals.push(TimeRange {
                                start: self.clock(a)?,
                                end: self.clock(b)?,
                                span: qspan,
                            });
                        }
                        _ => {}
                    }
                }
                CalendarEntry::Hours { days, intervals }
            }
            Rule::closed_entry => {
                let mut closed = Vec::new();
                for q in it.filter(|q| q.as_rule() == Rule::closed_days) {
                    let qspan = self.span(&q);
                    let dates: Vec<Pair<'_, Rule>> = q.into_inner().collect();
                    let from = match dates.first() {
                        Some(d) => self.date(d)?,
                        None => return Err(vec![self.internal(qspan.start)]),
                    };
                    let to = match dates.get(1) {
                        Some(d) => Some(self.date(d)?),
                        None => None,
                    };
                    closed.push(ClosedDays {
                        from,
                        to,
                        span: qspan,
                    });
                }
                CalendarEntry::Closed(closed)
            }
            _ => return Err(vec![self.internal(span.start)]),
        };
        Ok(Clause { node, span })
    }

    fn sla(&self, p: Pair<'_, Rule>) -> Result<SlaDecl, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(self.next_content(&mut it, span)?);
        let entries = all_or_errors(it.filter(|q| !is_token(q.as_rule())), |e| self.sla_entry(e))?;
        Ok(SlaDecl {
            name,
            entries,
            span,
        })
    }

    fn sla_entry(&self, e: Pair<'_, Rule>) -> Result<Clause<SlaEntry>, Vec<Diagnostic>> {
        let span = self.span(&e);
        let rule = e.as_rule();
        let mut it = e.into_inner();
        let node = match rule {
            Rule::start_entry => SlaEntry::Start(self.words(it)),
            Rule::stop_entry => SlaEntry::Stop(self.words(it)),
            Rule::pause_entry => SlaEntry::PauseWhile(self.words(it)),
            Rule::stage_entry => SlaEntry::EachStage {
                except: self.words(it),
            },
            Rule::goal_entry => {
                let n = self.next_content(&mut it, span)?;
                let duration_span = self.span(&n);
                let duration = self.number(n)?;
                let business = match it.find(|q| q.as_rule() == Rule::goal_business) {
                    None => None,
                    Some(b) => {
                        let bspan = self.span(&b);
                        let calendar = match b.into_inner().find(|q| !is_token(q.as_rule())) {
                            None => None,
                            Some(c) if c.as_rule() == Rule::string => {
                                Some(BusinessCalendar::Named(self.string(c)?))
                            }
                            Some(c) => {
                                let cspan = self.span(&c);
                                let mut parts = c.into_inner();
                                let base = self.ident(self.next(&mut parts, cspan)?);
                                let field = self.ident(self.next(&mut parts, cspan)?);
                                Some(BusinessCalendar::Field(base, field))
                            }
                        };
                        Some(BusinessClock {
                            calendar,
                            span: bspan,
                        })
                    }
                };
                SlaEntry::Goal {
                    duration,
                    duration_span,
                    business,
                }
            }
            Rule::warn_entry => {
                let mut out = Vec::new();
                for q in it.filter(|q| q.as_rule() == Rule::number) {
                    let qspan = self.span(&q);
                    out.push((self.number(q)?, qspan));
                }
                SlaEntry::Warn(out)
            }
            Rule::breach_entry => {
                let mut out = Vec::new();
                for q in it.filter(|q| q.as_rule() == Rule::breach_action) {
                    let qspan = self.span(&q);
                    let a = self.next(&mut q.into_inner(), qspan)?;
                    let aspan = self.span(&a);
                    let rule = a.as_rule();
                    let mut parts = a.into_inner();
                    let node = match rule {
                        Rule::action_remind => BreachAction::Remind,
                        Rule::action_reroute => BreachAction::RetractAndReroute,
                        Rule::action_escalate => BreachAction::Escalate(
                            self.string(self.next_content(&mut parts, aspan)?)?,
                        ),
                        _ => {
                            BreachAction::Alert(self.string(self.next_content(&mut parts, aspan)?)?)
                        }
                    };
                    out.push(Clause { node, span: qspan });
                }
                SlaEntry::OnBreach(out)
            }
            _ => return Err(vec![self.internal(span.start)]),
        };
        Ok(Clause { node, span })
    }

    fn ident(&self, p: Pair<'_, Rule>) -> Ident {
        Ident::new(p.as_str(), self.span(&p))
    }

    fn string(&self, p: Pair<'_, Rule>) -> Result<StrLit, Vec<Diagnostic>> {
        let span = self.span(&p);
        let inner = p.into_inner().next().map(|q| q.as_str()).unwrap_or("");
        Ok(StrLit {
            value: unescape(inner),
            span,
        })
    }

    fn field(&self, p: Pair<'_, Rule>) -> Result<FieldDecl, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(self.next_content(&mut it, span)?);
        let ty = self.type_expr(self.next_content(&mut it, span)?)?;
        let optional = it.any(|q| q.as_rule() == Rule::question);
        Ok(FieldDecl {
            name,
            ty,
            optional,
            span,
        })
    }

    fn type_expr(&self, p: Pair<'_, Rule>) -> Result<TypeExpr, Vec<Diagnostic>> {
        let span = self.span(&p);
        let inner = self.next(&mut p.into_inner(), span)?;
        let kind = match inner.as_rule() {
            Rule::type_name => TypeKind::Named(inner.as_str().to_string()),
            Rule::enum_type => TypeKind::Enum(
                inner
                    .into_inner()
                    .filter(|q| q.as_rule() == Rule::name)
                    .map(|q| self.ident(q))
                    .collect(),
            ),
            Rule::set_type => {
                let t = self.next_content(&mut inner.into_inner(), span)?;
                TypeKind::Set(Box::new(self.type_expr(t)?))
            }
            Rule::map_type => {
                let mut it = inner.into_inner();
                let k = self.type_expr(self.next_content(&mut it, span)?)?;
                let v = self.type_expr(self.next_content(&mut it, span)?)?;
                TypeKind::Map(Box::new(k), Box::new(v))
            }
            _ => return Err(vec![self.internal(span.start)]),
        };
        Ok(TypeExpr { kind, span })
    }

    fn route(&self, p: Pair<'_, Rule>) -> Result<RouteDecl, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.string(self.next_content(&mut it, span)?)?;
        let mut route = RouteDecl {
            name,
            when: None,
            requires: Vec::new(),
            rank: None,
            balance: None,
            tie: None,
            otherwise: None,
            span,
        };
        let mut errors = Vec::new();
        // (order index, keyword, span) of the clauses seen so far
        let mut seen: Vec<(usize, &'static str, Span)> = Vec::new();
        for c in it.filter(|q| !is_token(q.as_rule())) {
            let cspan = self.span(&c);
            let (order, kw) = match c.as_rule() {
                Rule::when_clause => (0, "when"),
                Rule::require_clause => (1, "require"),
                Rule::rank_clause => (2, "rank"),
                Rule::balance_clause => (3, "balance"),
                Rule::tie_clause => (4, "tie"),
                Rule::else_clause => (5, "else"),
                _ => continue,
            };
            let kw_span = Span::new(cspan.start, cspan.start + kw.len());
            if kw != "require" {
                if let Some((_, _, first)) = seen.iter().find(|(o, _, _)| *o == order) {
                    errors.push(
                        self.src
                            .error(
                                codes::PARSE_DUPLICATE_CLAUSE,
                                format!("a route has at most one `{kw}` clause"),
                            )
                            .label(kw_span, "repeated here")
                            .label(Span::new(first.start, first.start + kw.len()), "first here")
                            .help(match kw {
                                "when" | "rank" => {
                                    format!("combine the two `{kw}` expressions into one")
                                }
                                _ => format!("remove one of the `{kw}` clauses"),
                            }),
                    );
                    continue;
                }
            }
            if let Some((_, later, later_span)) = seen.iter().find(|(o, _, _)| *o > order) {
                errors.push(
                    self.src
                        .error(codes::PARSE_CLAUSE_ORDER, format!("`{kw}` must come before `{later}`"))
                        .label(kw_span, "out of order")
                        .label(Span::new(later_span.start, later_span.start + later.len()), format!("`{later}` is here"))
                        .help("a route's clauses go in this order: `when`, `require`, `rank`, `balance`, `tie`, `else`"),
                );
                continue;
            }
            seen.push((order, kw, cspan));
            match self.clause(c, &mut route) {
                Ok(()) => {}
                Err(mut es) => errors.append(&mut es),
            }
        }
        if errors.is_empty() {
            Ok(route)
        } else {
            Err(errors)
        }
    }

    fn clause(&self, c: Pair<'_, Rule>, route: &mut RouteDecl) -> Result<(), Vec<Diagnostic>> {
        let span = self.span(&c);
        let rule = c.as_rule();
        let mut it = c.into_inner();
        match rule {
            Rule::when_clause => {
                route.when = Some(Clause {
                    node: self.expr(self.next_content(&mut it, span)?)?,
                    span,
                })
            }
            Rule::require_clause => route.requires.push(Clause {
                node: self.expr(self.next_content(&mut it, span)?)?,
                span,
            }),
            Rule::rank_clause => {
                route.rank = Some(Clause {
                    node: self.expr(self.next_content(&mut it, span)?)?,
                    span,
                })
            }
            Rule::balance_clause => route.balance = Some(Clause { node: (), span }),
            Rule::tie_clause => {
                let t = self.next_content(&mut it, span)?;
                let node = match t.as_rule() {
                    Rule::tie_round_robin => {
                        match t.into_inner().find(|q| q.as_rule() == Rule::expr) {
                            Some(w) => TieDecl::RoundRobin(Some(self.expr(w)?)),
                            None => TieDecl::RoundRobin(None),
                        }
                    }
                    _ => TieDecl::Id,
                };
                route.tie = Some(Clause { node, span });
            }
            Rule::else_clause => {
                let t = self.next_content(&mut it, span)?;
                let tspan = self.span(&t);
                let node = match t.as_rule() {
                    Rule::next_target => ElseDecl::Next,
                    Rule::parent_target => ElseDecl::Parent,
                    _ => ElseDecl::Queue(
                        self.string(self.next_content(&mut t.into_inner(), tspan)?)?,
                    ),
                };
                route.otherwise = Some(Clause { node, span });
            }
            _ => return Err(vec![self.internal(span.start)]),
        }
        Ok(())
    }

    fn expr(&self, p: Pair<'_, Rule>) -> Result<Expr, Vec<Diagnostic>> {
        let span = self.span(&p);
        // bound the tree's depth before building it (deep trees overflow the stack on drop)
        let bound = depth_bound(&p);
        let (e, depth, _) = if bound > MAX_EXPR_DEPTH {
            (Expr::new(ExprKind::Bool(false), span), bound, false)
        } else {
            self.expr_inner(p)?
        };
        if depth > MAX_EXPR_DEPTH {
            return Err(vec![self
                .src
                .error(
                    codes::PARSE_TOO_DEEP,
                    "this expression is too deeply nested",
                )
                .label(span, format!("more than {MAX_EXPR_DEPTH} levels"))
                .help("split the expression into several `require` clauses")]);
        }
        Ok(e)
    }

    fn expr_inner(&self, p: Pair<'_, Rule>) -> Built {
        pratt()
            .map_primary(|q| self.primary(q))
            .map_prefix(|op, rhs| {
                let (rhs, depth, _) = rhs?;
                let ospan = self.span(&op);
                let uop = if op.as_rule() == Rule::op_not { UnOp::Not } else { UnOp::Neg };
                let span = ospan.to(rhs.span);
                Ok((Expr::new(ExprKind::Unary(uop, Box::new(rhs)), span), depth + 1, false))
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, ld, lparen) = lhs?;
                let (rhs, rd, _) = rhs?;
                let bop = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_in => BinOp::In,
                    Rule::op_not_in => BinOp::NotIn,
                    Rule::op_covers => BinOp::Covers,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    _ => BinOp::Div,
                };
                let span = lhs.span.to(rhs.span);
                if bop.is_comparison() && !lparen {
                    if let ExprKind::Binary(prev, _, _) = &lhs.kind {
                        if prev.is_comparison() {
                            return Err(vec![self
                                .src
                                .error(
                                    codes::PARSE_CHAINED_COMPARISON,
                                    format!("comparisons cannot be chained: `{prev}` followed by `{bop}`"),
                                )
                                .label(self.span(&op), "second comparison")
                                .help("combine the comparisons with `and`, e.g. `a < b and b < c`")]);
                        }
                    }
                }
                let depth = ld.max(rd) + 1;
                Ok((Expr::new(ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs)), span), depth, false))
            })
            .parse(p.into_inner())
    }

    fn exprs(&self, pairs: Pairs<'_, Rule>) -> Result<(Vec<Expr>, usize), Vec<Diagnostic>> {
        let mut depth = 0;
        let built = all_or_errors(pairs.filter(|q| q.as_rule() == Rule::expr), |q| {
            self.expr_inner(q).map(|(e, d, _)| {
                depth = depth.max(d);
                e
            })
        })?;
        Ok((built, depth))
    }

    fn primary(&self, p: Pair<'_, Rule>) -> Built {
        let span = self.span(&p);
        let leaf = |k: ExprKind| Ok((Expr::new(k, span), 1, false));
        match p.as_rule() {
            Rule::paren => {
                let inner = self.next_content(&mut p.into_inner(), span)?;
                let (e, d, _) = self.expr_inner(inner)?;
                Ok((e, d, true))
            }
            Rule::list => {
                let (items, d) = self.exprs(p.into_inner())?;
                Ok((Expr::new(ExprKind::List(items), span), d + 1, false))
            }
            Rule::call => {
                let mut it = p.into_inner();
                let name = self.ident(self.next(&mut it, span)?);
                let (args, d) = self.exprs(it)?;
                Ok((Expr::new(ExprKind::Call(name, args), span), d + 1, false))
            }
            Rule::path => {
                let mut it = p.into_inner();
                let base = self.ident(self.next(&mut it, span)?);
                let field = self.ident(self.next(&mut it, span)?);
                leaf(ExprKind::Path(base, field))
            }
            Rule::symbol => leaf(ExprKind::Symbol(p.as_str().to_string())),
            Rule::boolean => leaf(ExprKind::Bool(p.as_str() == "true")),
            Rule::string => {
                let s = self.string(p)?;
                leaf(ExprKind::Str(s.value))
            }
            Rule::date => match NaiveDate::parse_from_str(p.as_str(), "%Y-%m-%d") {
                Ok(d) => leaf(ExprKind::Date(d)),
                Err(_) => Err(vec![self
                    .src
                    .error(
                        codes::PARSE_INVALID_LITERAL,
                        format!("`{}` is not a valid date", p.as_str()),
                    )
                    .label(span, "no such date")
                    .help("dates are written `YYYY-MM-DD`, e.g. `2026-12-24`")]),
            },
            Rule::number => self
                .number(p)
                .map(|n| (Expr::new(ExprKind::Number(n), span), 1, false)),
            _ => Err(vec![self.internal(span.start)]),
        }
    }

    fn number(&self, p: Pair<'_, Rule>) -> Result<NumLit, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut digits = "";
        let mut unit = Unit::None;
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::digits => digits = q.as_str(),
                Rule::unit_km => unit = Unit::Km,
                Rule::unit_percent => unit = Unit::Percent,
                Rule::unit_duration => {
                    unit = match q.as_str() {
                        "ms" => Unit::Millis,
                        "s" => Unit::Seconds,
                        "m" => Unit::Minutes,
                        "h" => Unit::Hours,
                        "d" => Unit::Days,
                        _ => Unit::Weeks,
                    }
                }
                _ => {}
            }
        }
        let clean: String = digits.chars().filter(|c| *c != '_').collect();
        let fraction = clean.contains('.');
        let bad = |msg: String, help: &str| {
            vec![self
                .src
                .error(codes::PARSE_INVALID_LITERAL, msg)
                .label(span, "")
                .help(help.to_string())]
        };
        let exact_help = "numbers are exact decimals: at most 28 digits after the point, and at \
                          most 79228162514264337593543950335 (29 digits) in all";
        let value = Decimal::from_str(&clean)
            .map_err(|_| bad(format!("the number `{digits}` is too large"), exact_help))?;
        // rust_decimal rounds a literal with more digits than it holds: refuse to
        let percent_exact = unit != Unit::Percent
            || value
                .checked_div(Decimal::ONE_HUNDRED)
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
                == Some(value);
        if canonical_digits(&clean) != value.normalize().to_string() || !percent_exact {
            return Err(vec![self
                .src
                .error(
                    codes::PARSE_INVALID_LITERAL,
                    format!("the number `{digits}` cannot be represented exactly"),
                )
                .label(span, "it has more digits than a decimal holds")
                .help(exact_help)]);
        }
        if !fraction && unit != Unit::Km && unit != Unit::Percent && i64::from_str(&clean).is_err()
        {
            return Err(bad(
                format!("the number `{digits}` is too large"),
                "whole numbers range from -9223372036854775808 to 9223372036854775807",
            ));
        }
        if let Some(ms) = unit.millis() {
            if fraction {
                return Err(bad(
                    format!(
                        "the duration `{}` is not a whole number",
                        self.src.slice(span)
                    ),
                    "use a smaller unit, e.g. `90m` instead of `1.5h`",
                ));
            }
            let n = i64::from_str(&clean).ok().and_then(|n| n.checked_mul(ms));
            if n.is_none() {
                return Err(bad(
                    format!("the duration `{}` is too long", self.src.slice(span)),
                    "durations are at most about 292 million years",
                ));
            }
        }
        Ok(NumLit {
            value,
            fraction,
            unit,
        })
    }
}

/// The value of a literal's digits (no `_`) as `Decimal::normalize` writes it: no leading
/// zeros in the whole part, no trailing zeros in the fraction (`007.50` is `7.5`, `0.0` is `0`).
fn canonical_digits(clean: &str) -> String {
    let (int, frac) = clean.split_once('.').unwrap_or((clean, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// An upper bound of the depth of the tree an `expr` pair builds: its operators plus the
/// deepest operand. Recursion here follows bracket nesting only, which the scanner bounds.
fn depth_bound(p: &Pair<'_, Rule>) -> usize {
    match p.as_rule() {
        Rule::expr => {
            let mut ops = 0usize;
            let mut deepest = 0usize;
            for c in p.clone().into_inner() {
                if is_operator(c.as_rule()) {
                    ops += 1;
                } else {
                    deepest = deepest.max(depth_bound(&c));
                }
            }
            ops + deepest
        }
        Rule::paren | Rule::list | Rule::call | Rule::tie_round_robin => {
            1 + p
                .clone()
                .into_inner()
                .map(|c| depth_bound(&c))
                .max()
                .unwrap_or(0)
        }
        _ => 1,
    }
}

fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_or
            | op_and
            | op_not
            | op_not_in
            | op_in
            | op_covers
            | op_eq
            | op_ne
            | op_le
            | op_ge
            | op_lt
            | op_gt
            | op_add
            | op_sub
            | op_mul
            | op_div
            | op_neg
    )
}

/// Punctuation and keyword pairs, skipped when looking for content.
fn is_token(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        lbrace
            | rbrace
            | lparen
            | rparen
            | lbracket
            | rbracket
            | langle
            | rangle
            | comma
            | colon
            | EOI
    ) || matches!(
        rule,
        kw_ruleset
            | kw_version
            | kw_schema
            | kw_enum
            | kw_set
            | kw_map
            | kw_route
            | kw_fallback
            | kw_when
            | kw_require
            | kw_rank
            | kw_balance
            | kw_workload
            | kw_tie
            | kw_round_robin
            | kw_weighted
            | kw_by
            | kw_id
            | kw_else
            | kw_next
            | kw_parent
            | kw_queue
            | kw_unrouted
            | kw_true
            | kw_false
            | kw_not
            | kw_in
    ) || matches!(
        rule,
        kw_calendar
            | kw_timezone
            | kw_hours
            | kw_closed
            | kw_holidays
            | kw_sla
            | kw_start
            | kw_stop
            | kw_pause
            | kw_while
            | kw_goal
            | kw_business
            | kw_warn
            | kw_on
            | kw_breach
            | kw_retract
            | kw_reroute
            | kw_escalate
            | kw_alert
            | kw_remind
            | kw_each
            | kw_stage
            | kw_except
            | op_and
    )
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Applies `f` to every item and returns every result, or else every error of every item (a
/// file's errors are reported all at once, never only the first).
fn all_or_errors<I, T>(
    items: impl Iterator<Item = I>,
    mut f: impl FnMut(I) -> Result<T, Vec<Diagnostic>>,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match f(item) {
            Ok(x) => out.push(x),
            Err(mut es) => errors.append(&mut es),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
