//! The syntax tree of a rule file. Every node has a [`Span`]; spans are ignored by equality, so
//! two trees parsed from differently laid out sources compare equal.

use std::fmt;

use chrono::NaiveDate;
/// The comparison operators of [`BinOp::Cmp`] are core's (the plan's), as they are lowered.
pub use leadrail_core::plan::CmpOp;
use rust_decimal::Decimal;

/// A byte range of the source text.
///
/// Spans are ignored by `==` (every span equals every other span), so that syntax trees compare
/// by structure only. Use [`Span::range`] to compare positions.
#[derive(Debug, Clone, Copy, Default, Eq)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The byte range.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// An identifier with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

impl Ident {
    /// An identifier.
    pub fn new(name: impl Into<String>, span: Span) -> Ident {
        Ident {
            name: name.into(),
            span,
        }
    }
}

/// A string literal (unescaped) with its span (including the quotes).
#[derive(Debug, Clone, PartialEq)]
pub struct StrLit {
    /// The unescaped value.
    pub value: String,
    /// Where it is.
    pub span: Span,
}

/// A parsed rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFile {
    /// Top-level items, in source order.
    pub items: Vec<Item>,
}

impl RuleFile {
    /// The `ruleset` declaration, if any (the first one).
    pub fn ruleset(&self) -> Option<&RulesetDecl> {
        self.items.iter().find_map(|i| match i {
            Item::Ruleset(r) => Some(r),
            _ => None,
        })
    }

    /// The route rules, in order.
    pub fn routes(&self) -> impl Iterator<Item = &RouteDecl> {
        self.items.iter().filter_map(|i| match i {
            Item::Route(r) => Some(r.as_ref()),
            _ => None,
        })
    }

    /// The schema declared for `kind` (`lead` or `partner`), if any (the first one).
    pub fn schema(&self, kind: &str) -> Option<&SchemaDecl> {
        self.items.iter().find_map(|i| match i {
            Item::Schema(s) if s.kind.name == kind => Some(s),
            _ => None,
        })
    }

    /// The calendars, in order.
    pub fn calendars(&self) -> impl Iterator<Item = &CalendarDecl> {
        self.items.iter().filter_map(|i| match i {
            Item::Calendar(c) => Some(c.as_ref()),
            _ => None,
        })
    }

    /// The SLAs, in order.
    pub fn slas(&self) -> impl Iterator<Item = &SlaDecl> {
        self.items.iter().filter_map(|i| match i {
            Item::Sla(s) => Some(s.as_ref()),
            _ => None,
        })
    }

    /// The registration policies, in order.
    pub fn registrations(&self) -> impl Iterator<Item = &RegistrationDecl> {
        self.items.iter().filter_map(|i| match i {
            Item::Registration(r) => Some(r.as_ref()),
            _ => None,
        })
    }

    /// The `fallback` declaration, if any (the first one).
    pub fn fallback(&self) -> Option<&FallbackDecl> {
        self.items.iter().find_map(|i| match i {
            Item::Fallback(f) => Some(f),
            _ => None,
        })
    }
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `ruleset "name" version N`
    Ruleset(RulesetDecl),
    /// `schema lead { ... }`
    Schema(SchemaDecl),
    /// `route "name" { ... }`
    Route(Box<RouteDecl>),
    /// `fallback ...`
    Fallback(FallbackDecl),
    /// `calendar "name" { ... }`
    Calendar(Box<CalendarDecl>),
    /// `sla name { ... }`
    Sla(Box<SlaDecl>),
    /// `registration "name" { ... }`
    Registration(Box<RegistrationDecl>),
}

impl Item {
    /// The item's span.
    pub fn span(&self) -> Span {
        match self {
            Item::Ruleset(r) => r.span,
            Item::Schema(s) => s.span,
            Item::Route(r) => r.span,
            Item::Fallback(f) => f.span,
            Item::Calendar(c) => c.span,
            Item::Sla(s) => s.span,
            Item::Registration(r) => r.span,
        }
    }
}

/// `ruleset "name" version N`
#[derive(Debug, Clone, PartialEq)]
pub struct RulesetDecl {
    /// The ruleset's name.
    pub name: StrLit,
    /// The version.
    pub version: u32,
    /// Where it is.
    pub span: Span,
}

/// `schema kind { fields }`
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDecl {
    /// `lead` or `partner` (checked).
    pub kind: Ident,
    /// The fields.
    pub fields: Vec<FieldDecl>,
    /// Where it is.
    pub span: Span,
}

/// `name: type` (`?` for optional).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// The field's name.
    pub name: Ident,
    /// The field's type.
    pub ty: TypeExpr,
    /// Whether the field is optional.
    pub optional: bool,
    /// Where it is.
    pub span: Span,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    /// The type.
    pub kind: TypeKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of written types.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// A named type (`text`, `int`, `money`, ...; checked).
    Named(String),
    /// `enum(a, b)`
    Enum(Vec<Ident>),
    /// `set<T>`
    Set(Box<TypeExpr>),
    /// `map<K, V>`
    Map(Box<TypeExpr>, Box<TypeExpr>),
}

/// `calendar "name" { entries }`
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarDecl {
    /// The calendar's name.
    pub name: StrLit,
    /// The entries, in source order.
    pub entries: Vec<Clause<CalendarEntry>>,
    /// Where it is.
    pub span: Span,
}

/// One entry of a calendar.
#[derive(Debug, Clone, PartialEq)]
pub enum CalendarEntry {
    /// `timezone "Area/City"`
    Timezone(StrLit),
    /// `hours mon-fri 08:00-12:00, 13:00-17:00`
    Hours {
        /// The days (single days or ranges).
        days: Vec<DayRange>,
        /// The working intervals of each of those days.
        intervals: Vec<TimeRange>,
    },
    /// `closed 2026-12-24, 2026-12-28..2026-12-30`
    Closed(Vec<ClosedDays>),
    /// `holidays "file.txt"`
    Holidays(StrLit),
}

/// `mon` or `mon-fri` as written (the names are checked).
#[derive(Debug, Clone, PartialEq)]
pub struct DayRange {
    /// The first day.
    pub from: Ident,
    /// The last day of a range.
    pub to: Option<Ident>,
    /// Where it is.
    pub span: Span,
}

/// `08:00-12:00` as written: minutes after midnight (checked: `start < end <= 24:00`).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeRange {
    /// Start, in minutes after midnight.
    pub start: u32,
    /// End, in minutes after midnight.
    pub end: u32,
    /// Where it is.
    pub span: Span,
}

/// A closed date or an inclusive range of closed dates.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedDays {
    /// The first date.
    pub from: NaiveDate,
    /// The last date of a range.
    pub to: Option<NaiveDate>,
    /// Where it is.
    pub span: Span,
}

/// `sla name { entries }`
#[derive(Debug, Clone, PartialEq)]
pub struct SlaDecl {
    /// The SLA's name.
    pub name: Ident,
    /// The entries, in source order.
    pub entries: Vec<Clause<SlaEntry>>,
    /// Where it is.
    pub span: Span,
}

/// One entry of an SLA.
#[derive(Debug, Clone, PartialEq)]
pub enum SlaEntry {
    /// `start assigned, reassigned`
    Start(Vec<Ident>),
    /// `stop accepted, rejected`
    Stop(Vec<Ident>),
    /// `pause while waiting_on_customer`
    PauseWhile(Vec<Ident>),
    /// `goal 24h [business "calendar" | business partner.field]`
    Goal {
        /// The duration literal.
        duration: NumLit,
        /// The duration's span.
        duration_span: Span,
        /// `business ...`, if present.
        business: Option<BusinessClock>,
    },
    /// `warn 50%, 75%`
    Warn(Vec<(NumLit, Span)>),
    /// `on breach remind, escalate "role"`
    OnBreach(Vec<Clause<BreachAction>>),
    /// `each stage except won, lost`
    EachStage {
        /// The excepted stages.
        except: Vec<Ident>,
    },
}

/// `registration "name" { entries }`
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationDecl {
    /// The policy's name.
    pub name: StrLit,
    /// The entries, in source order.
    pub entries: Vec<Clause<RegistrationEntry>>,
    /// Where it is.
    pub span: Span,
}

/// One entry of a registration policy (the words are checked).
#[derive(Debug, Clone, PartialEq)]
pub enum RegistrationEntry {
    /// `match name >= 0.9`, `match postal and name >= 0.75`, `match domain`, `match email`
    Match {
        /// The keys joined by `and`.
        keys: Vec<Ident>,
        /// The name threshold (`>= N`) and its span.
        threshold: Option<(NumLit, Span)>,
    },
    /// `require product_lines overlap`
    Overlap(Ident),
    /// `check registrations, accounts, leads`
    Check(Vec<Ident>),
    /// `protect 90d [extend 30d [max 2]]`
    Protect {
        /// The protection period and its span.
        period: (NumLit, Span),
        /// One extension's length and its span.
        extend: Option<(NumLit, Span)>,
        /// How many extensions and its span.
        max: Option<(NumLit, Span)>,
    },
    /// `on SITUATION ACTION`
    On {
        /// `clear_conflict`, `possible_duplicate` or `lead_conflict`.
        situation: Ident,
        /// What to do.
        action: RegistrationAction,
    },
}

/// The action of an `on` entry of a registration policy.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistrationAction {
    /// A word: `reject`, `review`, `approve`, `flag`.
    Word(Ident),
    /// `holder` or `holder else queue "name"`.
    Holder(Option<StrLit>),
    /// `queue "name"`.
    Queue(StrLit),
}

/// The calendar of a business-time goal.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessClock {
    /// The calendar.
    pub calendar: Option<BusinessCalendar>,
    /// Where `business ...` is.
    pub span: Span,
}

/// `"name"` or `partner.field`.
#[derive(Debug, Clone, PartialEq)]
pub enum BusinessCalendar {
    /// A calendar of the file.
    Named(StrLit),
    /// A field of the partner naming its calendar (`base` is checked to be `partner`).
    Field(Ident, Ident),
}

/// A breach action.
#[derive(Debug, Clone, PartialEq)]
pub enum BreachAction {
    /// `remind`
    Remind,
    /// `escalate "role"`
    Escalate(StrLit),
    /// `alert "message"`
    Alert(StrLit),
    /// `retract and reroute` (or `reroute`)
    RetractAndReroute,
}

/// `route "name" { clauses }`
#[derive(Debug, Clone, PartialEq)]
pub struct RouteDecl {
    /// The rule's name.
    pub name: StrLit,
    /// `when`, if present.
    pub when: Option<Clause<Expr>>,
    /// The `require` clauses in order.
    pub requires: Vec<Clause<Expr>>,
    /// `rank`, if present.
    pub rank: Option<Clause<Expr>>,
    /// `balance workload`, if present.
    pub balance: Option<Clause<()>>,
    /// `tie`, if present (default `round_robin`).
    pub tie: Option<Clause<TieDecl>>,
    /// `else`, if present (default `next`).
    pub otherwise: Option<Clause<ElseDecl>>,
    /// Where it is.
    pub span: Span,
}

/// A clause's content with the span of the whole clause (keyword included).
#[derive(Debug, Clone, PartialEq)]
pub struct Clause<T> {
    /// The content.
    pub node: T,
    /// The clause's span.
    pub span: Span,
}

/// A tie-break.
#[derive(Debug, Clone, PartialEq)]
pub enum TieDecl {
    /// `round_robin` or `round_robin weighted by <expr>`
    RoundRobin(Option<Expr>),
    /// `id`
    Id,
}

/// What a rule does when no partner is eligible.
#[derive(Debug, Clone, PartialEq)]
pub enum ElseDecl {
    /// `next`
    Next,
    /// `parent`
    Parent,
    /// `queue "name"`
    Queue(StrLit),
}

/// `fallback queue "name"` or `fallback unrouted`.
#[derive(Debug, Clone, PartialEq)]
pub struct FallbackDecl {
    /// The queue, or `None` for `unrouted`.
    pub queue: Option<StrLit>,
    /// Where it is.
    pub span: Span,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is (parentheses excluded).
    pub span: Span,
}

impl Expr {
    /// An expression.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}

/// The kinds of expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Number(NumLit),
    /// A string literal (unescaped).
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// A date literal.
    Date(NaiveDate),
    /// A bare identifier (an enum symbol, or `partner` as an argument).
    Symbol(String),
    /// `base.field` (`lead.x`, `partner.y`; the base is checked).
    Path(Ident, Ident),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `name(args)`
    Call(Ident, Vec<Expr>),
    /// A prefix operator.
    Unary(UnOp, Box<Expr>),
    /// An infix operator.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// A number literal: its value and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct NumLit {
    /// The value as written (exact), without `_` separators.
    pub value: Decimal,
    /// Whether the value was written with a fraction (`0.6`, `1.0`).
    pub fraction: bool,
    /// The unit.
    pub unit: Unit,
}

/// The unit of a number literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// No unit.
    None,
    /// `km`
    Km,
    /// `%`
    Percent,
    /// `ms`
    Millis,
    /// `s`
    Seconds,
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
    /// `w`
    Weeks,
}

impl Unit {
    /// The unit's suffix as written by the formatter.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Km => " km",
            Unit::Percent => "%",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Minutes => "m",
            Unit::Hours => "h",
            Unit::Days => "d",
            Unit::Weeks => "w",
        }
    }

    /// Milliseconds per unit, for duration units.
    pub fn millis(self) -> Option<i64> {
        match self {
            Unit::Millis => Some(1),
            Unit::Seconds => Some(1_000),
            Unit::Minutes => Some(60_000),
            Unit::Hours => Some(3_600_000),
            Unit::Days => Some(86_400_000),
            Unit::Weeks => Some(604_800_000),
            Unit::None | Unit::Km | Unit::Percent => None,
        }
    }
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// A comparison: `==`, `!=`, `<`, `<=`, `>`, `>=` (core's operators, as lowered).
    Cmp(CmpOp),
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `covers`
    Covers,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Cmp(c) => c.as_str(),
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Covers => "covers",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding power: higher binds tighter (`or` 1, `and` 2, comparisons 4, `+ -` 5, `* /` 6;
    /// prefix `not` is 3 and prefix `-` is 7).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Cmp(_) | BinOp::In | BinOp::NotIn | BinOp::Covers => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }

    /// Whether this is a comparison (non-associative).
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

impl fmt::Display for BinOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
