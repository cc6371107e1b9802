//! The canonical layout of a rule file: 2-space indent, route clause keywords padded to one
//! column, expressions wrapped at [`WIDTH`] columns, every comment kept (own-line comments stay
//! on their own line, trailing comments trail the line before them; a comment between the
//! operands of an expression chain puts the chain one operand per line). Formatting is
//! idempotent.

use crate::ast::*;
use crate::parse::{comments, Comment};

mod registration;

pub use registration::registration_entry_text;

/// The line width the formatter wraps at.
pub const WIDTH: usize = 100;

/// Width of the clause keyword column (`require ` is the longest keyword plus a space).
const KW: usize = 8;

/// Formats a parsed file. `text` is the source it was parsed from (for its comments). The
/// output has no byte order mark.
pub fn format_file(text: &str, file: &RuleFile) -> String {
    let text = crate::diagnostics::without_bom(text);
    let mut f = Formatter {
        comments: comments(text),
        next: 0,
        lines: Vec::new(),
        src: text.to_string(),
    };
    for (i, item) in file.items.iter().enumerate() {
        if i > 0 {
            f.flush_trailing(item.span().start);
            f.lines.push(Line::blank());
        }
        f.flush(item.span().start, 0);
        match item {
            Item::Ruleset(r) => {
                f.push(
                    0,
                    format!("ruleset {} version {}", quote(&r.name.value), r.version),
                );
            }
            Item::Fallback(fb) => match &fb.queue {
                Some(q) => f.push(0, format!("fallback queue {}", quote(&q.value))),
                None => f.push(0, "fallback unrouted".to_string()),
            },
            Item::Schema(s) => f.schema(s),
            Item::Route(r) => f.route(r),
            Item::Calendar(c) => f.calendar(c),
            Item::Sla(x) => f.sla(x),
            Item::Registration(x) => {
                let entries = x
                    .entries
                    .iter()
                    .map(|e| (e.span, registration_entry_text(&e.node)))
                    .collect();
                f.block(
                    format!("registration {}", quote(&x.name.value)),
                    x.span,
                    entries,
                );
            }
        }
    }
    f.flush(usize::MAX, 0);
    let mut out = String::new();
    for l in &f.lines {
        out.push_str(l.text.trim_end());
        out.push('\n');
    }
    // no blank lines at the end, exactly one newline
    while out.ends_with("\n\n") {
        out.pop();
    }
    if out == "\n" {
        out.clear();
    }
    out
}

struct Line {
    text: String,
    has_comment: bool,
}

impl Line {
    fn blank() -> Line {
        Line {
            text: String::new(),
            has_comment: false,
        }
    }
}

struct Formatter {
    comments: Vec<Comment>,
    next: usize,
    lines: Vec<Line>,
    /// The source, to keep one blank line where the author separated a comment group.
    src: String,
}

impl Formatter {
    fn push(&mut self, indent: usize, text: String) {
        self.lines.push(Line {
            text: format!("{}{}", " ".repeat(indent), text),
            has_comment: false,
        });
    }

    /// Emits the comments that start before `pos`: a trailing comment trails the last line
    /// (if that line has no comment yet), any other comment gets its own line.
    fn flush(&mut self, pos: usize, indent: usize) {
        self.flush_inner(pos, indent, false);
    }

    /// Emits only the trailing comments that start before `pos`.
    fn flush_trailing(&mut self, pos: usize) {
        self.flush_inner(pos, 0, true);
    }

    /// Whether the source has a blank line between byte offsets `a` and `b`.
    fn blank_between(&self, a: usize, b: usize) -> bool {
        self.src.get(a..b.min(self.src.len())).is_some_and(|gap| {
            let parts: Vec<&str> = gap.split('\n').collect();
            // Interior lines of the gap (between two newlines) that hold only whitespace.
            parts.len() > 2
                && parts
                    .get(1..parts.len() - 1)
                    .is_some_and(|inner| inner.iter().any(|l| l.trim().is_empty()))
        })
    }

    fn last_is_blank(&self) -> bool {
        self.lines.last().is_none_or(|l| l.text.is_empty())
    }

    fn flush_inner(&mut self, pos: usize, indent: usize, trailing_only: bool) {
        let mut last_own_end = None;
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= pos {
                break;
            }
            // A comment that cannot trail the last line (it is on its own line, or the line
            // already has a comment) gets a line of its own. Before an item, that line goes
            // after the blank line that separates the items, where the next formatting finds
            // it (as an own-line comment): it is left to the flush that follows the blank.
            let can_trail = !c.own_line
                && self
                    .lines
                    .last()
                    .is_some_and(|l| !l.text.is_empty() && !l.has_comment);
            if trailing_only && !can_trail {
                break;
            }
            let text = c.text.clone();
            let own_line = c.own_line;
            let (start, end) = (c.span.start, c.span.end);
            if own_line {
                // Keep one blank line between comment groups the author separated.
                if let Some(prev) = last_own_end {
                    if self.blank_between(prev, start) && !self.last_is_blank() {
                        self.lines.push(Line::blank());
                    }
                }
                last_own_end = Some(end);
            } else {
                last_own_end = None;
            }
            match self.lines.last_mut() {
                Some(l) if !own_line && !l.text.is_empty() && !l.has_comment => {
                    l.text.push_str("  ");
                    l.text.push_str(&text);
                    l.has_comment = true;
                }
                _ => self.lines.push(Line {
                    text: format!("{}{}", " ".repeat(indent), text),
                    has_comment: true,
                }),
            }
            self.next += 1;
        }
        // ... and between a comment group and the item it is separated from.
        if let Some(end) = last_own_end {
            if pos != usize::MAX && self.blank_between(end, pos) && !self.last_is_blank() {
                self.lines.push(Line::blank());
            }
        }
    }

    /// Whether a comment starts inside `span` (the comments are in source order: a binary
    /// search, so formatting n routes with comments costs n log n).
    fn has_comment_in(&self, span: Span) -> bool {
        let first = self.comments.partition_point(|c| c.span.start < span.start);
        self.comments
            .get(first)
            .is_some_and(|c| c.span.start < span.end)
    }

    fn schema(&mut self, s: &SchemaDecl) {
        let fields: Vec<String> = s.fields.iter().map(field_text).collect();
        let one = if fields.is_empty() {
            format!("schema {} {{}}", s.kind.name)
        } else {
            format!("schema {} {{ {} }}", s.kind.name, fields.join(", "))
        };
        if one.chars().count() <= WIDTH && !self.has_comment_in(s.span) {
            self.push(0, one);
            return;
        }
        self.push(0, format!("schema {} {{", s.kind.name));
        for (f, text) in s.fields.iter().zip(fields) {
            self.flush(f.span.start, 2);
            self.push(2, format!("{text},"));
        }
        self.flush(s.span.end.saturating_sub(1), 2);
        self.push(0, "}".to_string());
    }

    fn clause(&mut self, kw: &str, span: Span, rest: &str, e: Option<&Expr>) {
        self.flush(span.start, 2);
        let head = format!("{kw:<KW$}{rest}");
        let head = if e.is_none() {
            head.trim_end().to_string()
        } else {
            head
        };
        let col = 2 + head.chars().count();
        match e {
            None => self.push(2, head),
            Some(e) if self.comment_between_operands(e) => self.commented(&head, e, col),
            Some(e) => {
                let lines = wrap(e, col);
                let mut it = lines.into_iter();
                let first = it.next().unwrap_or_default();
                self.push(2, format!("{head}{first}"));
                for l in it {
                    self.push(0, l);
                }
            }
        }
    }

    /// Lays out a clause whose expression has comments inside: its top-level chain one operand
    /// per line, each comment kept where it was relative to the operands (a comment after an
    /// operand trails that operand's line; an own-line comment keeps its own line). Comments
    /// nested deeper than the chain follow the clause. Not a chain: as one line.
    fn commented(&mut self, head: &str, e: &Expr, col: usize) {
        let Some(((_, first), rest)) = chain(e) else {
            self.push(2, format!("{head}{}", expr_to_string(e)));
            return;
        };
        self.push(2, format!("{head}{first}"));
        for (op, x, operand) in rest {
            let pad = col.saturating_sub(op.as_str().len() + 1);
            self.flush(x.span.start, pad);
            self.push(0, format!("{}{} {operand}", " ".repeat(pad), op.as_str()));
        }
    }

    /// Whether a comment lies between two operands of the expression's top-level chain (not
    /// inside one: those follow the clause, as in a one-line layout).
    fn comment_between_operands(&self, e: &Expr) -> bool {
        let Some(((first, _), rest)) = chain(e) else {
            return false;
        };
        let mut prev = first.span.end;
        rest.iter().any(|(_, x, _)| {
            let gap = Span {
                start: prev,
                end: x.span.start,
            };
            prev = x.span.end;
            self.has_comment_in(gap)
        })
    }

    fn block(&mut self, header: String, span: Span, entries: Vec<(Span, String)>) {
        if entries.is_empty() && !self.has_comment_in(span) {
            self.push(0, format!("{header} {{}}"));
            return;
        }
        self.push(0, format!("{header} {{"));
        for (sp, text) in entries {
            self.flush(sp.start, 2);
            self.push(2, text);
        }
        self.flush(span.end.saturating_sub(1), 2);
        self.push(0, "}".to_string());
    }

    fn calendar(&mut self, c: &CalendarDecl) {
        let entries = c
            .entries
            .iter()
            .map(|e| (e.span, calendar_entry_text(&e.node)))
            .collect();
        self.block(
            format!("calendar {}", quote(&c.name.value)),
            c.span,
            entries,
        );
    }

    fn sla(&mut self, x: &SlaDecl) {
        let entries = x
            .entries
            .iter()
            .map(|e| (e.span, sla_entry_text(&e.node)))
            .collect();
        self.block(format!("sla {}", x.name.name), x.span, entries);
    }

    fn route(&mut self, r: &RouteDecl) {
        let header = format!("route {} {{", quote(&r.name.value));
        let empty = r.when.is_none()
            && r.requires.is_empty()
            && r.rank.is_none()
            && r.balance.is_none()
            && r.tie.is_none()
            && r.otherwise.is_none();
        if empty && !self.has_comment_in(r.span) {
            self.push(0, format!("{header}}}"));
            return;
        }
        self.push(0, header);
        if let Some(w) = &r.when {
            self.clause("when", w.span, "", Some(&w.node));
        }
        for q in &r.requires {
            self.clause("require", q.span, "", Some(&q.node));
        }
        if let Some(k) = &r.rank {
            self.clause("rank", k.span, "", Some(&k.node));
        }
        if let Some(b) = &r.balance {
            self.clause("balance", b.span, "workload", None);
        }
        if let Some(t) = &r.tie {
            match &t.node {
                TieDecl::RoundRobin(None) => self.clause("tie", t.span, "round_robin", None),
                TieDecl::RoundRobin(Some(w)) => {
                    self.clause("tie", t.span, "round_robin weighted by ", Some(w))
                }
                TieDecl::Id => self.clause("tie", t.span, "id", None),
            }
        }
        if let Some(o) = &r.otherwise {
            let rest = match &o.node {
                ElseDecl::Next => "next".to_string(),
                ElseDecl::Parent => "parent".to_string(),
                ElseDecl::Queue(q) => format!("queue {}", quote(&q.value)),
            };
            self.clause("else", o.span, &rest, None);
        }
        self.flush(r.span.end.saturating_sub(1), 2);
        self.push(0, "}".to_string());
    }
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn words(ws: &[Ident]) -> String {
    ws.iter()
        .map(|w| w.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The canonical text of a calendar entry.
pub fn calendar_entry_text(e: &CalendarEntry) -> String {
    match e {
        CalendarEntry::Timezone(tz) => format!("timezone {}", quote(&tz.value)),
        CalendarEntry::Holidays(f) => format!("holidays {}", quote(&f.value)),
        CalendarEntry::Hours { days, intervals } => {
            let days: Vec<String> = days
                .iter()
                .map(|d| match &d.to {
                    Some(t) => format!("{}-{}", d.from.name, t.name),
                    None => d.from.name.clone(),
                })
                .collect();
            let ivs: Vec<String> = intervals
                .iter()
                .map(|i| format!("{}-{}", hhmm(i.start), hhmm(i.end)))
                .collect();
            format!("hours {} {}", days.join(", "), ivs.join(", "))
        }
        CalendarEntry::Closed(list) => {
            let ds: Vec<String> = list
                .iter()
                .map(|c| match c.to {
                    Some(to) => format!("{}..{}", c.from, to),
                    None => c.from.to_string(),
                })
                .collect();
            format!("closed {}", ds.join(", "))
        }
    }
}

/// The canonical text of an SLA entry.
pub fn sla_entry_text(e: &SlaEntry) -> String {
    match e {
        SlaEntry::Start(ws) => format!("start {}", words(ws)),
        SlaEntry::Stop(ws) => format!("stop {}", words(ws)),
        SlaEntry::PauseWhile(ws) => format!("pause while {}", words(ws)),
        SlaEntry::EachStage { except } if except.is_empty() => "each stage".to_string(),
        SlaEntry::EachStage { except } => format!("each stage except {}", words(except)),
        SlaEntry::Goal {
            duration, business, ..
        } => {
            let mut out = format!("goal {}", number_text(duration));
            if let Some(b) = business {
                out.push_str(" business");
                match &b.calendar {
                    Some(BusinessCalendar::Named(c)) => {
                        out.push(' ');
                        out.push_str(&quote(&c.value));
                    }
                    Some(BusinessCalendar::Field(base, field)) => {
                        out.push_str(&format!(" {}.{}", base.name, field.name));
                    }
                    None => {}
                }
            }
            out
        }
        SlaEntry::Warn(list) => format!(
            "warn {}",
            list.iter()
                .map(|(n, _)| number_text(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SlaEntry::OnBreach(list) => format!(
            "on breach {}",
            list.iter()
                .map(|a| match &a.node {
                    BreachAction::Remind => "remind".to_string(),
                    BreachAction::Escalate(r) => format!("escalate {}", quote(&r.value)),
                    BreachAction::Alert(m) => format!("alert {}", quote(&m.value)),
                    BreachAction::RetractAndReroute => "retract and reroute".to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn field_text(f: &FieldDecl) -> String {
    format!(
        "{}: {}{}",
        f.name.name,
        type_text(&f.ty),
        if f.optional { "?" } else { "" }
    )
}

/// A type as the formatter writes it (without recursion: any depth of a tree built by hand).
pub fn type_text(t: &TypeExpr) -> String {
    enum Work<'a> {
        Type(&'a TypeExpr),
        Text(&'static str),
    }
    let mut out = String::new();
    let mut stack = vec![Work::Type(t)];
    while let Some(w) = stack.pop() {
        match w {
            Work::Text(s) => out.push_str(s),
            Work::Type(t) => match &t.kind {
                TypeKind::Named(n) => out.push_str(n),
                TypeKind::Enum(s) => {
                    out.push_str("enum(");
                    for (i, x) in s.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&x.name);
                    }
                    out.push(')');
                }
                TypeKind::Set(e) => {
                    out.push_str("set<");
                    stack.push(Work::Text(">"));
                    stack.push(Work::Type(e));
                }
                TypeKind::Map(k, v) => {
                    out.push_str("map<");
                    stack.push(Work::Text(">"));
                    stack.push(Work::Type(v));
                    stack.push(Work::Text(", "));
                    stack.push(Work::Type(k));
                }
            },
        }
    }
    out
}

/// A string literal with quotes and escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, _, _) => op.precedence(),
        ExprKind::Unary(UnOp::Not, _) => 3,
        ExprKind::Unary(UnOp::Neg, _) => 7,
        _ => 8,
    }
}

fn number_text(n: &NumLit) -> String {
    let s = n.value.to_string();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let grouped = if digits.len() >= 5 {
        let mut out = String::new();
        let first = digits.len() % 3;
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (i + 3 - first) % 3 == 0 {
                out.push('_');
            }
            out.push(c);
        }
        out
    } else {
        digits.to_string()
    };
    let mut out = format!("{sign}{grouped}");
    match frac {
        Some(f) => {
            out.push('.');
            out.push_str(f);
        }
        // written with a fraction that the decimal does not keep (`79228162514264337593543950335.0`
        // has no room for its `.0`): keep one, so that the literal stays a decimal
        None if n.fraction => out.push_str(".0"),
        None => {}
    }
    out.push_str(n.unit.suffix());
    out
}

/// An expression on one line, with the fewest parentheses that keep its structure.
pub fn expr_to_string(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e);
    out
}

fn write_child(out: &mut String, e: &Expr, parens: bool) {
    if parens {
        out.push('(');
        write_expr(out, e);
        out.push(')');
    } else {
        write_expr(out, e);
    }
}

fn needs_parens_left(op: BinOp, a: &Expr) -> bool {
    let p = op.precedence();
    prec(a) < p || (op.is_comparison() && prec(a) == p)
}

fn needs_parens_right(op: BinOp, b: &Expr) -> bool {
    prec(b) <= op.precedence()
}

/// Writes an expression without recursion (an explicit stack of what is left to write), so that
/// any depth of a tree built by hand is written.
fn write_expr(out: &mut String, e: &Expr) {
    enum Work<'a> {
        Expr(&'a Expr),
        Child(&'a Expr, bool),
        Text(&'static str),
    }
    let mut stack = vec![Work::Expr(e)];
    while let Some(w) = stack.pop() {
        let e = match w {
            Work::Text(s) => {
                out.push_str(s);
                continue;
            }
            Work::Child(e, true) => {
                out.push('(');
                stack.push(Work::Text(")"));
                e
            }
            Work::Child(e, false) | Work::Expr(e) => e,
        };
        match &e.kind {
            ExprKind::Number(n) => out.push_str(&number_text(n)),
            ExprKind::Str(s) => out.push_str(&quote(s)),
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Date(d) => out.push_str(&d.format("%Y-%m-%d").to_string()),
            ExprKind::Symbol(s) => out.push_str(s),
            ExprKind::Path(b, f) => {
                out.push_str(&b.name);
                out.push('.');
                out.push_str(&f.name);
            }
            ExprKind::List(items) => {
                out.push('[');
                stack.push(Work::Text("]"));
                push_separated(&mut stack, items, Work::Expr, || Work::Text(", "));
            }
            ExprKind::Call(name, args) => {
                out.push_str(&name.name);
                out.push('(');
                stack.push(Work::Text(")"));
                push_separated(&mut stack, args, Work::Expr, || Work::Text(", "));
            }
            ExprKind::Unary(UnOp::Not, x) => {
                out.push_str("not ");
                stack.push(Work::Child(x, prec(x) < 3));
            }
            ExprKind::Unary(UnOp::Neg, x) => {
                out.push('-');
                stack.push(Work::Child(x, prec(x) < 7));
            }
            ExprKind::Binary(op, a, b) => {
                stack.push(Work::Child(b, needs_parens_right(*op, b)));
                stack.push(Work::Text(match op {
                    BinOp::Or => " or ",
                    BinOp::And => " and ",
                    BinOp::Cmp(CmpOp::Eq) => " == ",
                    BinOp::Cmp(CmpOp::Ne) => " != ",
                    BinOp::Cmp(CmpOp::Lt) => " < ",
                    BinOp::Cmp(CmpOp::Le) => " <= ",
                    BinOp::Cmp(CmpOp::Gt) => " > ",
                    BinOp::Cmp(CmpOp::Ge) => " >= ",
                    BinOp::In => " in ",
                    BinOp::NotIn => " not in ",
                    BinOp::Covers => " covers ",
                    BinOp::Add => " + ",
                    BinOp::Sub => " - ",
                    BinOp::Mul => " * ",
                    BinOp::Div => " / ",
                }));
                stack.push(Work::Child(a, needs_parens_left(*op, a)));
            }
        }
    }
}

/// Pushes `items` with separators between them onto a work stack, so that they pop in order.
fn push_separated<'a, T, W>(
    stack: &mut Vec<W>,
    items: &'a [T],
    item: impl Fn(&'a T) -> W,
    sep: impl Fn() -> W,
) {
    for (i, x) in items.iter().enumerate().rev() {
        stack.push(item(x));
        if i > 0 {
            stack.push(sep());
        }
    }
}

/// Lays out an expression that starts at column `col`: one line if it fits in [`WIDTH`],
/// otherwise its top-level chain of `or`, `and`, `+ -` or `* /` operands is wrapped with the
/// operator hanging before the operand column. Continuation lines carry their indentation.
fn wrap(e: &Expr, col: usize) -> Vec<String> {
    let one = expr_to_string(e);
    if col + one.chars().count() <= WIDTH {
        return vec![one];
    }
    let Some(((_, first), rest)) = chain(e) else {
        return vec![one];
    };
    let mut lines = vec![first];
    for (op, _, operand) in rest {
        let piece = format!("{} {operand}", op.as_str());
        let last = lines.last().map_or(0, |l| l.chars().count());
        let start = if lines.len() == 1 { col } else { 0 };
        if start + last + 1 + piece.chars().count() <= WIDTH {
            if let Some(l) = lines.last_mut() {
                l.push(' ');
                l.push_str(&piece);
            }
        } else {
            let pad = col.saturating_sub(op.as_str().len() + 1);
            lines.push(format!("{}{piece}", " ".repeat(pad)));
        }
    }
    lines
}

/// The top-level chain of an expression whose root is a non-comparison binary operator: its
/// first operand (and its text), then each operator with its operand (and the operand's text),
/// in source order. `None` for any other expression.
#[expect(
    clippy::type_complexity,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]
fn chain(e: &Expr) -> Option<((&Expr, String), Vec<(BinOp, &Expr, String)>)> {
    let ExprKind::Binary(root, _, _) = &e.kind else {
        return None;
    };
    if root.is_comparison() {
        return None;
    }
    let p = root.precedence();
    // flatten the left spine of operators of the same precedence
    let mut rest: Vec<(BinOp, &Expr)> = Vec::new();
    let mut cur = e;
    while let ExprKind::Binary(op, a, b) = &cur.kind {
        if op.precedence() != p {
            break;
        }
        rest.push((*op, b));
        cur = a;
    }
    rest.reverse();
    let mut first = String::new();
    write_child(&mut first, cur, prec(cur) < p);
    let rest = rest
        .into_iter()
        .map(|(op, x)| {
            let mut operand = String::new();
            write_child(&mut operand, x, needs_parens_right(op, x));
            (op, x, operand)
        })
        .collect();
    Some(((cur, first), rest))
}
