//! Syntax-error texts: pest's errors turned into messages a rule author reads.
//!
//! A pest error says which grammar rules were expected at a position; this module names them
//! the way the language guide does (`` `{` ``, "an expression", "a clause (...)"), says what
//! was found, and adds a hint for the usual slips (`=` for `==`, single quotes, `&&`, `!`, a
//! misspelt keyword, an unterminated string, a missing `}`).

use leadrail_core::report::codes;
use pest::error::{ErrorVariant, InputLocation};

use super::scan::is_ident_char;
use super::{Rule, CLAUSE_KEYWORDS, ITEM_KEYWORDS, MAX_NESTING};
use crate::ast::Span;
use crate::diagnostics::{suggest, Diagnostic, SourceFile};

/// What the piece that failed was parsed as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SyntaxContext {
    /// A top-level item (a declaration).
    Item,
    /// One clause of a route, parsed alone while recovering.
    Clause,
}

/// What is expected where an item starts.
const A_DECLARATION: &str =
    "a declaration (`ruleset`, `schema`, `calendar`, `sla`, `registration`, `route`, `fallback`)";
/// What is expected where a route clause starts.
const A_CLAUSE: &str = "a clause (`when`, `require`, `rank`, `balance`, `tie`, `else`)";

/// Keywords that, when three or more of them are expected, are named as their group.
const KEYWORD_GROUPS: [(&str, &[&str]); 5] = [
    (
        A_CLAUSE,
        &[
            "`when`",
            "`require`",
            "`rank`",
            "`balance`",
            "`tie`",
            "`else`",
        ],
    ),
    (
        A_DECLARATION,
        &[
            "`ruleset`",
            "`schema`",
            "`calendar`",
            "`sla`",
            "`registration`",
            "`route`",
            "`fallback`",
        ],
    ),
    (
        "an sla entry (`start`, `stop`, `pause while`, `goal`, `warn`, `on breach`, `each stage`)",
        &[
            "`start`", "`stop`", "`pause`", "`goal`", "`warn`", "`on`", "`each`",
        ],
    ),
    (
        "a calendar entry (`timezone`, `hours`, `closed`, `holidays`)",
        &["`timezone`", "`hours`", "`closed`", "`holidays`"],
    ),
    (
        "a registration entry (`match`, `require`, `check`, `protect`, `on`)",
        &["`match`", "`require`", "`check`", "`protect`", "`on`"],
    ),
];

/// How a grammar rule is named in "expected ..." (`None`: not named, e.g. whitespace).
fn rule_name(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of input",
        item_only | file => A_DECLARATION,
        clause_only => A_CLAUSE,
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
        kw_registration | registration_decl => "`registration`",
        match_entry | kw_match => "`match`",
        overlap_entry => "`require`",
        kw_overlap => "`overlap`",
        check_entry | kw_check => "`check`",
        protect_entry | kw_protect => "`protect`",
        kw_extend => "`extend`",
        kw_max => "`max`",
        reg_on_entry => "`on`",
        reg_holder | kw_holder => "`holder`",
        word => "a name",
        _ => return None,
    })
}

/// The names of what was expected, each once, with keyword groups named as a group.
fn expected_list(positives: &[Rule], ctx: SyntaxContext) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for r in positives {
        let name = match (r, ctx) {
            (Rule::EOI, SyntaxContext::Clause) => Some("a new clause"),
            (Rule::EOI, SyntaxContext::Item) => Some(A_DECLARATION),
            _ => rule_name(*r),
        };
        if let Some(n) = name {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    for (group, members) in KEYWORD_GROUPS {
        if members.iter().filter(|k| names.contains(k)).count() >= 3 {
            names.retain(|n| !members.contains(n));
            names.insert(0, group);
        }
    }
    if names.contains(&"an expression") {
        names.retain(|n| !matches!(*n, "a string" | "a name" | "`(`" | "`[`"));
    }
    names
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(names: &[&str]) -> String {
    match names {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The keywords among what was expected, for a did-you-mean.
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

/// The error for a bad string at `pos`: an invalid escape or no closing quote.
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

/// The error for pest's `e` in the piece of the file from `off` to `piece_end`.
pub(super) fn syntax_error(
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
    let text = if has(Rule::reg_holder) || has(Rule::kw_holder) {
        "write the action: `reject`, `review`, `approve`, `flag`, `holder`, \
         `holder else queue \"name\"` or `queue \"name\"`"
    } else if has(Rule::kw_overlap) {
        "write `require product_lines overlap`"
    } else if has(Rule::kw_match) || has(Rule::kw_protect) {
        "a registration policy holds `match`, `require product_lines overlap`, `check`, \
         `protect` and `on` entries"
    } else if has(Rule::kw_reroute) {
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

/// The error for brackets nested deeper than [`MAX_NESTING`] at `pos`; `in_type` when the
/// bracket too many opens a type (`set<`, `map<`).
pub(super) fn nesting_error(src: &SourceFile, pos: usize, in_type: bool) -> Diagnostic {
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
    src.error(codes::PARSE_TOO_DEEP, message)
        .label(
            Span::new(pos, pos + 1),
            format!("more than {MAX_NESTING} levels"),
        )
        .help(help)
}
