//! The syntax tree of a rule file. Every node has a [`Span`]; spans are ignored by equality, so
//! two trees parsed from differently laid out sources compare equal.

use std::fmt;

use chrono::NaiveDate;
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
}

impl Item {
    /// The item's span.
    pub fn span(&self) -> Span {
        match self {
            Item::Ruleset(r) => r.span,
            Item::Schema(s) => s.span,
            Item::Route(r) => r.span,
            Item::Fallback(f) => f.span,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
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
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
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
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::In
            | BinOp::NotIn
            | BinOp::Covers => 4,
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
