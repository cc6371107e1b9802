//! The checker: declarations, schemas, typing of every clause, and static warnings.
//!
//! Checking also elaborates each expression into the core plan's resolved [`plan::Expr`]
//! (field names to indexes, enum symbols and region strings to typed literals), so lowering
//! only assembles the plan. Every error of the file is reported, not only the first.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use leadrail_core::geo::Territory;
use leadrail_core::plan::{self, ArithOp, CmpOp, Scope};
use leadrail_core::report::codes;
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::{Type, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::ast::*;
use crate::builtins;
use crate::diagnostics::{did_you_mean, suggest, Diagnostic, SourceFile};

mod sla;

pub use sla::{CheckedSlas, HolidayFile};

/// A checked rule file, ready to lower.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The ruleset's name.
    pub name: String,
    /// The ruleset's version.
    pub version: u32,
    /// The lead schema.
    pub lead: Schema,
    /// The partner schema.
    pub partner: Schema,
    /// The rules, elaborated.
    pub rules: Vec<CheckedRule>,
    /// The fallback.
    pub fallback: plan::Fallback,
    /// Warnings (the file has no errors).
    pub warnings: Vec<Diagnostic>,
    /// The calendars and SLAs.
    pub slas: CheckedSlas,
}

/// One rule with its expressions resolved.
#[derive(Debug, Clone)]
pub struct CheckedRule {
    /// The rule's name.
    pub name: String,
    /// The `when` predicate.
    pub when: Option<plan::Expr>,
    /// The requires, in order.
    pub requires: Vec<plan::Expr>,
    /// The rank.
    pub rank: Option<plan::Expr>,
    /// `balance workload`.
    pub balance: bool,
    /// The tie-break.
    pub tie: plan::Tie,
    /// The else.
    pub otherwise: plan::Else,
}

const TYPE_NAMES: &[&str] = &[
    "text", "int", "decimal", "money", "ratio", "bool", "date", "datetime", "duration", "region",
    "geopoint", "enum", "set", "map",
];

fn named_type(name: &str) -> Option<Type> {
    Some(match name {
        "text" => Type::Text,
        "int" => Type::Int,
        "decimal" | "money" => Type::Decimal,
        "ratio" => Type::Ratio,
        "bool" => Type::Bool,
        "date" => Type::Date,
        "datetime" => Type::DateTime,
        "duration" => Type::Duration,
        "region" => Type::Region,
        "geopoint" => Type::GeoPoint,
        _ => return None,
    })
}

fn type_alias_help(name: &str) -> Option<String> {
    let to = match name {
        "string" | "str" => "text",
        "integer" | "i64" | "long" => "int",
        "float" | "double" | "number" | "f64" => "decimal` or `ratio",
        "boolean" => "bool",
        "timestamp" | "instant" => "datetime",
        "point" | "location" | "latlon" => "geopoint",
        _ => return None,
    };
    Some(format!("use `{to}`"))
}

/// Checks a parsed file. Returns the checked file, or every error (and warning) found.
pub fn check(src: &SourceFile, file: &RuleFile) -> Result<Checked, Vec<Diagnostic>> {
    stacker::maybe_grow(
        crate::parse::STACK_RED_ZONE,
        crate::parse::STACK_SEGMENT,
        || check_here(src, file),
    )
}

fn check_here(src: &SourceFile, file: &RuleFile) -> Result<Checked, Vec<Diagnostic>> {
    let mut c = Checker {
        src,
        errors: Vec::new(),
        warnings: Vec::new(),
        missing: Vec::new(),
        depth: 0,
        enum_sets: HashMap::new(),
    };
    let out = c.file(file);
    if c.errors.is_empty() {
        if let Some(mut out) = out {
            out.warnings = c.warnings;
            return Ok(out);
        }
    }
    let mut all = c.errors;
    all.append(&mut c.warnings);
    Err(all)
}

struct Checker<'s> {
    src: &'s SourceFile,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Schemas that are not declared (their fields are not reported as unknown).
    missing: Vec<&'static str>,
    /// How deep the walk is in the expression or type being checked (see [`MAX_DEPTH`]).
    depth: usize,
    /// The members of each large enum type as a set, by the address of its member list, so that
    /// a symbol is looked up in constant time (an enum may have 100,000 symbols).
    enum_sets: HashMap<usize, HashSet<String>>,
}

/// Enums with more members than this are looked up through [`Checker::enum_sets`].
const SMALL_ENUM: usize = 16;

/// The deepest expression or type the checker walks. Trees from the parser are shallower (it
/// bounds brackets by [`crate::parse::MAX_NESTING`] and expressions by
/// [`crate::parse::MAX_EXPR_DEPTH`]); this bound keeps the recursive walk safe for a syntax tree
/// built by hand.
const MAX_DEPTH: usize = 2 * crate::parse::MAX_EXPR_DEPTH;

/// Which records a clause may read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    LeadOnly,
    Both,
    PartnerOnly,
}

struct Ctx<'a> {
    lead: &'a Schema,
    partner: &'a Schema,
    reads: Reads,
    clause: &'static str,
}

type Typed = Option<(Type, plan::Expr)>;

fn is_contextual(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Str(_) | ExprKind::Symbol(_) | ExprKind::List(_)
    )
}

fn numeric_result(op: BinOp, a: &Type, b: &Type) -> Type {
    let float = |t: &Type| matches!(t, Type::Ratio | Type::Float);
    if float(a) || float(b) {
        Type::Float
    } else if matches!(a, Type::Decimal) || matches!(b, Type::Decimal) {
        Type::Decimal
    } else if op == BinOp::Div {
        Type::Float
    } else {
        Type::Int
    }
}

fn same_kind(a: &Type, b: &Type) -> bool {
    (a.is_numeric() && b.is_numeric()) || same_type(a, b)
}

/// `a == b`, in constant time for two uses of one enum type (an enum's member list is shared:
/// comparing the lists of an enum of n symbols n times would cost n squared).
fn same_type(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Enum(x), Type::Enum(y)) => Arc::ptr_eq(x, y) || x == y,
        (Type::Set(x), Type::Set(y)) => same_type(x, y),
        (Type::Map(k, v), Type::Map(k2, v2)) => same_type(k, k2) && same_type(v, v2),
        _ => a == b,
    }
}

impl Checker<'_> {
    fn err(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    fn file(&mut self, file: &RuleFile) -> Option<Checked> {
        let whole = Span::new(0, 0);
        // declarations
        let mut ruleset: Option<&RulesetDecl> = None;
        let mut lead: Option<Schema> = None;
        let mut partner: Option<Schema> = None;
        let mut lead_span = None;
        let mut partner_span = None;
        let mut fallback: Option<&FallbackDecl> = None;
        for item in &file.items {
            match item {
                Item::Ruleset(r) => {
                    if let Some(first) = ruleset {
                        self.duplicate("ruleset", r.span, first.span);
                    } else {
                        ruleset = Some(r);
                    }
                }
                Item::Fallback(f) => {
                    if let Some(first) = fallback {
                        self.duplicate("fallback", f.span, first.span);
                    } else {
                        fallback = Some(f);
                    }
                }
                Item::Schema(s) => {
                    let schema = self.schema(s);
                    match s.kind.name.as_str() {
                        "lead" | "partner" => {
                            let (slot, sp) = if s.kind.name == "lead" {
                                (&mut lead, &mut lead_span)
                            } else {
                                (&mut partner, &mut partner_span)
                            };
                            if let Some(first) = *sp {
                                let d = self
                                    .src
                                    .error(
                                        codes::CHECK_DUPLICATE_ITEM,
                                        format!("the `{}` schema is declared twice", s.kind.name),
                                    )
                                    .label(s.kind.span, "declared again here")
                                    .label(first, "first declared here")
                                    .help("merge the fields into one schema");
                                self.err(d);
                            } else {
                                *slot = Some(schema);
                                *sp = Some(s.kind.span);
                            }
                        }
                        other => {
                            let d = self
                                .src
                                .error(
                                    codes::CHECK_UNKNOWN_SCHEMA,
                                    format!("unknown schema `{other}`"),
                                )
                                .label(s.kind.span, "not a record kind")
                                .help(suggest(other, ["lead", "partner"]).unwrap_or_else(|| {
                                    "the schemas are `lead` and `partner`".to_string()
                                }));
                            self.err(d);
                        }
                    }
                }
                Item::Route(_) | Item::Calendar(_) | Item::Sla(_) => {}
            }
        }
        if ruleset.is_none() {
            let d = self
                .src
                .error(
                    codes::CHECK_MISSING_ITEM,
                    "the file has no `ruleset` declaration",
                )
                .label(whole, "")
                .help("start the file with `ruleset \"name\" version 1`");
            self.err(d);
        }
        for (kind, s) in [("lead", &lead), ("partner", &partner)] {
            if s.is_none() {
                self.missing.push(kind);
                let d = self
                    .src
                    .error(
                        codes::CHECK_MISSING_ITEM,
                        format!("the file has no `{kind}` schema"),
                    )
                    .label(whole, "")
                    .help(format!(
                        "declare the {kind} fields: `schema {kind} {{ name: type, ... }}`"
                    ));
                self.err(d);
            }
        }
        let lead = lead.unwrap_or_default();
        let partner = partner.unwrap_or_default();

        // rules
        let mut rules = Vec::new();
        let mut names: HashMap<&str, Span> = HashMap::new();
        for r in file.routes() {
            if let Some(first) = names.get(r.name.value.as_str()) {
                let d = self
                    .src
                    .error(
                        codes::CHECK_DUPLICATE_ITEM,
                        format!("two routes are named `{}`", r.name.value),
                    )
                    .label(r.name.span, "second rule with this name")
                    .label(*first, "first rule with this name")
                    .help("rule names identify rules in decisions; give each rule its own name");
                self.err(d);
            } else {
                names.insert(&r.name.value, r.name.span);
            }
            rules.push(self.route(r, &lead, &partner));
        }
        self.unreachable(file);
        let slas = self.calendars_and_slas(file, &partner);

        let fallback = match fallback.and_then(|f| f.queue.as_ref()) {
            Some(q) => plan::Fallback::Queue(q.value.clone()),
            None => plan::Fallback::Unrouted,
        };
        let rules: Option<Vec<CheckedRule>> = rules.into_iter().collect();
        let ruleset = ruleset?;
        Some(Checked {
            name: ruleset.name.value.clone(),
            version: ruleset.version,
            lead,
            partner,
            rules: rules?,
            fallback,
            warnings: Vec::new(),
            slas,
        })
    }

    fn duplicate(&mut self, what: &str, span: Span, first: Span) {
        let d = self
            .src
            .error(
                codes::CHECK_DUPLICATE_ITEM,
                format!("a file has at most one `{what}` declaration"),
            )
            .label(
                Span::new(span.start, span.start + what.len()),
                "declared again here",
            )
            .label(
                Span::new(first.start, first.start + what.len()),
                "first declared here",
            )
            .help(format!("remove one of the `{what}` declarations"));
        self.err(d);
    }

    fn schema(&mut self, s: &SchemaDecl) -> Schema {
        let mut fields: Vec<Field> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for f in &s.fields {
            if f.name.name == "id" {
                let d = self
                    .src
                    .error(codes::CHECK_RESERVED_FIELD, "`id` is implicit and cannot be declared")
                    .label(f.name.span, "reserved field")
                    .help("every record has a text `id`; remove this field and read it as `lead.id` or `partner.id`");
                self.err(d);
                continue;
            }
            if let Some(first) = seen.get(f.name.name.as_str()) {
                let d = self
                    .src
                    .error(
                        codes::CHECK_DUPLICATE_FIELD,
                        format!("the field `{}` is declared twice", f.name.name),
                    )
                    .label(f.name.span, "declared again here")
                    .label(*first, "first declared here")
                    .help("remove or rename one of the fields");
                self.err(d);
                continue;
            }
            seen.insert(&f.name.name, f.name.span);
            if let Some(ty) = self.type_expr(&f.ty) {
                fields.push(Field {
                    name: f.name.name.clone(),
                    ty,
                    optional: f.optional,
                });
            }
        }
        Schema { fields }
    }

    fn too_deep(&mut self, span: Span, what: &str) {
        let d = self
            .src
            .error(
                codes::PARSE_TOO_DEEP,
                format!("this {what} is too deeply nested"),
            )
            .label(span, format!("more than {MAX_DEPTH} levels"))
            .help(format!("a {what} nests at most {MAX_DEPTH} levels deep"));
        self.err(d);
    }

    /// Resolves a written type, at most [`MAX_DEPTH`] levels deep.
    fn type_expr(&mut self, t: &TypeExpr) -> Option<Type> {
        if self.depth >= MAX_DEPTH {
            self.too_deep(t.span, "type");
            return None;
        }
        self.depth += 1;
        let out = self.type_expr_inner(t);
        self.depth -= 1;
        out
    }

    fn type_expr_inner(&mut self, t: &TypeExpr) -> Option<Type> {
        match &t.kind {
            TypeKind::Named(n) => match named_type(n) {
                Some(ty) => Some(ty),
                None => {
                    let help = type_alias_help(n)
                        .or_else(|| suggest(n, TYPE_NAMES.iter().copied()))
                        .unwrap_or_else(|| {
                            "the types are text, int, decimal, money, ratio, bool, date, datetime, \
                             duration, region, geopoint, enum(...), set<T> and map<K, V>"
                                .to_string()
                        });
                    let d = self
                        .src
                        .error(codes::TYPE_UNKNOWN_TYPE, format!("unknown type `{n}`"))
                        .label(t.span, "not a type")
                        .help(help);
                    self.err(d);
                    None
                }
            },
            TypeKind::Enum(symbols) => {
                let mut names: Vec<String> = Vec::new();
                let mut seen: HashSet<&str> = HashSet::new();
                for s in symbols {
                    if !seen.insert(&s.name) {
                        let d = self
                            .src
                            .error(
                                codes::CHECK_DUPLICATE_FIELD,
                                format!("the enum symbol `{}` is listed twice", s.name),
                            )
                            .label(s.span, "listed again here")
                            .help("remove the repeated symbol");
                        self.err(d);
                    } else {
                        names.push(s.name.clone());
                    }
                }
                Some(Type::Enum(Arc::from(names)))
            }
            TypeKind::Set(e) => self.type_expr(e).map(|t| Type::Set(Box::new(t))),
            TypeKind::Map(k, v) => {
                let k = self.type_expr(k);
                let v = self.type_expr(v);
                Some(Type::Map(Box::new(k?), Box::new(v?)))
            }
        }
    }

    fn requirement(&mut self, span: Span, what: &str, needs: &str, help: &str) {
        let d = self
            .src
            .error(
                codes::CHECK_SCHEMA_REQUIREMENT,
                format!("{what} needs {needs}"),
            )
            .label(span, "")
            .help(help.to_string());
        self.err(d);
    }

    fn route(&mut self, r: &RouteDecl, lead: &Schema, partner: &Schema) -> Option<CheckedRule> {
        let mut ok = true;
        let when = match &r.when {
            Some(w) => {
                let ctx = Ctx {
                    lead,
                    partner,
                    reads: Reads::LeadOnly,
                    clause: "when",
                };
                let e = self.condition(&ctx, &w.node);
                ok &= e.is_some();
                e
            }
            None => None,
        };
        let mut requires = Vec::new();
        for q in &r.requires {
            let ctx = Ctx {
                lead,
                partner,
                reads: Reads::Both,
                clause: "require",
            };
            match self.condition(&ctx, &q.node) {
                Some(e) => requires.push(e),
                None => ok = false,
            }
        }
        let rank = match &r.rank {
            Some(k) => {
                let ctx = Ctx {
                    lead,
                    partner,
                    reads: Reads::Both,
                    clause: "rank",
                };
                let e = self.number(&ctx, &k.node);
                ok &= e.is_some();
                e
            }
            None => None,
        };
        if let Some(b) = &r.balance {
            if !has_int(partner, "capacity") || !has_int(partner, "active_leads") {
                self.requirement(
                    b.span,
                    "`balance workload`",
                    "int partner fields `capacity` and `active_leads`",
                    "add `capacity: int, active_leads: int` to the partner schema",
                );
                ok = false;
            }
        }
        let tie = match &r.tie {
            Some(Clause {
                node: TieDecl::RoundRobin(Some(w)),
                ..
            }) => {
                let ctx = Ctx {
                    lead,
                    partner,
                    reads: Reads::PartnerOnly,
                    clause: "weighted by",
                };
                match self.number(&ctx, w) {
                    Some(e) => plan::Tie::RoundRobin { weight: Some(e) },
                    None => {
                        ok = false;
                        plan::Tie::RoundRobin { weight: None }
                    }
                }
            }
            Some(Clause {
                node: TieDecl::Id, ..
            }) => plan::Tie::Id,
            _ => plan::Tie::RoundRobin { weight: None },
        };
        let otherwise = match &r.otherwise {
            Some(Clause {
                node: ElseDecl::Queue(q),
                ..
            }) => plan::Else::Queue(q.value.clone()),
            Some(Clause {
                node: ElseDecl::Parent,
                span,
            }) => {
                let has_parent = partner
                    .fields
                    .iter()
                    .any(|f| f.name == "parent" && f.ty == Type::Text);
                if !has_parent {
                    self.requirement(
                        *span,
                        "`else parent`",
                        "a text partner field `parent`",
                        "add `parent: text?` (the parent partner's id) to the partner schema",
                    );
                    ok = false;
                }
                plan::Else::Parent
            }
            _ => plan::Else::Next,
        };
        ok.then(|| CheckedRule {
            name: r.name.value.clone(),
            when,
            requires,
            rank,
            balance: r.balance.is_some(),
            tie,
            otherwise,
        })
    }

    fn condition(&mut self, ctx: &Ctx<'_>, e: &Expr) -> Option<plan::Expr> {
        let (ty, out) = self.expr(ctx, e, None)?;
        if ty != Type::Bool {
            let d = self
                .src
                .error(
                    codes::TYPE_MISMATCH,
                    format!(
                        "`{}` needs a condition (bool), found {}",
                        ctx.clause,
                        describe(&ty)
                    ),
                )
                .label(e.span, format!("this is {}", describe(&ty)))
                .help("compare the value, e.g. `partner.capacity > 0`");
            self.err(d);
            return None;
        }
        Some(out)
    }

    fn number(&mut self, ctx: &Ctx<'_>, e: &Expr) -> Option<plan::Expr> {
        let (ty, out) = self.expr(ctx, e, None)?;
        if !ty.is_numeric() {
            let d = self
                .src
                .error(
                    codes::TYPE_MISMATCH,
                    format!("`{}` needs a number, found {}", ctx.clause, describe(&ty)),
                )
                .label(e.span, format!("this is {}", describe(&ty)))
                .help("scores and weights are numbers, e.g. `partner.conversion_rate`");
            self.err(d);
            return None;
        }
        Some(out)
    }

    fn mismatch(&mut self, span: Span, message: String, label: String, help: Option<String>) {
        let help = help.or_else(|| {
            Some(
                "values of different types do not mix: numbers go with numbers, text with text, \
                 dates with dates (see \"Types\" in docs/language.md)"
                    .to_string(),
            )
        });
        let d = self
            .src
            .error(codes::TYPE_MISMATCH, message)
            .label(span, label)
            .maybe_help(help);
        self.err(d);
    }

    /// Types and elaborates an expression, at most [`MAX_DEPTH`] levels deep.
    fn expr(&mut self, ctx: &Ctx<'_>, e: &Expr, expected: Option<&Type>) -> Typed {
        if self.depth >= MAX_DEPTH {
            self.too_deep(e.span, "expression");
            return None;
        }
        self.depth += 1;
        let out = self.expr_inner(ctx, e, expected);
        self.depth -= 1;
        out
    }

    fn expr_inner(&mut self, ctx: &Ctx<'_>, e: &Expr, expected: Option<&Type>) -> Typed {
        match &e.kind {
            ExprKind::Number(n) => Some(number_literal(n)),
            ExprKind::Str(s) => {
                if expected == Some(&Type::Region) {
                    match Territory::parse(s) {
                        Ok(t) => Some((Type::Region, plan::Expr::Lit(Value::Region(Arc::new(t))))),
                        Err(err) => {
                            let help = err.help().unwrap_or_else(|| {
                                "regions are written `US`, `US-TX`, `US-TX:750` or `DE:80` \
                                 (ISO 3166-1 / 3166-2, then an optional postal prefix)"
                                    .to_string()
                            });
                            let d = self
                                .src
                                .error(
                                    codes::TYPE_INVALID_REGION,
                                    format!("`{s}` is not a valid region: {err}"),
                                )
                                .label(e.span, "expected a region")
                                .help(help);
                            self.err(d);
                            None
                        }
                    }
                } else {
                    Some((
                        Type::Text,
                        plan::Expr::Lit(Value::Text(Arc::from(s.as_str()))),
                    ))
                }
            }
            ExprKind::Bool(b) => Some((Type::Bool, plan::Expr::Lit(Value::Bool(*b)))),
            ExprKind::Date(d) => Some((Type::Date, plan::Expr::Lit(Value::Date(*d)))),
            ExprKind::Symbol(name) => self.symbol(ctx, e.span, name, expected),
            ExprKind::Path(base, field) => self.path(ctx, base, field),
            ExprKind::List(_) => {
                self.mismatch(
                    e.span,
                    "a list can only follow `in`".to_string(),
                    "list".to_string(),
                    Some("write `x in [a, b]`".to_string()),
                );
                None
            }
            ExprKind::Call(name, args) => self.call(ctx, e.span, name, args),
            ExprKind::Unary(op, x) => {
                let (ty, out) = self.expr(ctx, x, None)?;
                match op {
                    UnOp::Not => {
                        if ty != Type::Bool {
                            self.mismatch(
                                x.span,
                                format!("`not` needs a condition (bool), found {}", describe(&ty)),
                                format!("this is {}", describe(&ty)),
                                Some(
                                    "negate a comparison, e.g. `not (partner.rate > 0.5)`"
                                        .to_string(),
                                ),
                            );
                            return None;
                        }
                        Some((Type::Bool, plan::Expr::Not(Box::new(out))))
                    }
                    UnOp::Neg => {
                        if !ty.is_numeric() {
                            self.mismatch(
                                x.span,
                                format!("`-` needs a number, found {}", describe(&ty)),
                                format!("this is {}", describe(&ty)),
                                Some("only numbers can be negated".to_string()),
                            );
                            return None;
                        }
                        let ty = if ty == Type::Ratio { Type::Float } else { ty };
                        Some((ty, plan::Expr::Neg(Box::new(out))))
                    }
                }
            }
            ExprKind::Binary(op, a, b) => self.binary(ctx, e.span, *op, a, b),
        }
    }

    /// Whether `name` is a member of an enum (in constant time for a large enum).
    fn is_member(&mut self, members: &Arc<[String]>, name: &str) -> bool {
        if members.len() <= SMALL_ENUM {
            return members.iter().any(|m| m == name);
        }
        // the schemas hold every enum type's list for the whole check: its address is stable
        let key = Arc::as_ptr(members).cast::<String>() as usize;
        self.enum_sets
            .entry(key)
            .or_insert_with(|| members.iter().cloned().collect())
            .contains(name)
    }

    fn symbol(&mut self, ctx: &Ctx<'_>, span: Span, name: &str, expected: Option<&Type>) -> Typed {
        if let Some(Type::Enum(members)) = expected {
            if self.is_member(members, name) {
                return Some((
                    Type::Enum(members.clone()),
                    plan::Expr::Lit(Value::Enum(Arc::from(name))),
                ));
            }
            let help = suggest(name, members.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the members are {}", some_members(members)));
            let d = self
                .src
                .error(
                    codes::TYPE_UNKNOWN_SYMBOL,
                    format!(
                        "`{name}` is not a member of enum({})",
                        some_members(members)
                    ),
                )
                .label(Span::new(span.start, span.end), "unknown symbol")
                .help(help);
            self.err(d);
            return None;
        }
        if name == "lead" || name == "partner" {
            let d = self
                .src
                .error(
                    codes::TYPE_MISMATCH,
                    format!("`{name}` is a record, not a value"),
                )
                .label(span, "a whole record")
                .help(format!("read one of its fields, e.g. `{name}.id`"));
            self.err(d);
            return None;
        }
        let in_lead = ctx.lead.index_of(name).is_some();
        let in_partner = ctx.partner.index_of(name).is_some();
        let help = if in_partner && ctx.reads != Reads::LeadOnly {
            format!("did you mean `partner.{name}`?")
        } else if in_lead && ctx.reads != Reads::PartnerOnly {
            format!("did you mean `lead.{name}`?")
        } else if in_partner {
            format!("did you mean `partner.{name}`?")
        } else if in_lead {
            format!("did you mean `lead.{name}`?")
        } else {
            "fields are read as `lead.field` or `partner.field`; a bare name is an enum symbol, \
             compared with an enum field (`partner.tier == gold`)"
                .to_string()
        };
        let d = self
            .src
            .error(codes::TYPE_UNKNOWN_SYMBOL, format!("unknown name `{name}`"))
            .label(span, "not a field or an enum symbol here")
            .help(help);
        self.err(d);
        None
    }

    fn scope_allowed(&mut self, ctx: &Ctx<'_>, scope: Scope, span: Span, what: &str) -> bool {
        let allowed = !matches!(
            (ctx.reads, scope),
            (Reads::LeadOnly, Scope::Partner) | (Reads::PartnerOnly, Scope::Lead)
        );
        if !allowed {
            let (reads, help) = match ctx.reads {
                Reads::LeadOnly => (
                    "only lead fields",
                    "`when` chooses the leads a rule applies to; move partner conditions to a `require` clause",
                ),
                _ => ("only partner fields", "a weight is a property of the partner; remove the lead field"),
            };
            let d = self
                .src
                .error(
                    codes::TYPE_SCOPE,
                    format!("`{}` reads {reads}, found `{what}`", ctx.clause),
                )
                .label(span, "not allowed here")
                .help(help);
            self.err(d);
        }
        allowed
    }

    fn path(&mut self, ctx: &Ctx<'_>, base: &Ident, field: &Ident) -> Typed {
        let span = base.span.to(field.span);
        let (scope, schema, other, other_name) = match base.name.as_str() {
            "lead" => (Scope::Lead, ctx.lead, ctx.partner, "partner"),
            "partner" => (Scope::Partner, ctx.partner, ctx.lead, "lead"),
            b => {
                let d = self
                    .src
                    .error(codes::TYPE_UNKNOWN_RECORD, format!("unknown record `{b}`"))
                    .label(base.span, "not `lead` or `partner`")
                    .help(suggest(b, ["lead", "partner"]).unwrap_or_else(|| {
                        "fields are read as `lead.field` or `partner.field`".to_string()
                    }));
                self.err(d);
                return None;
            }
        };
        if self.missing.contains(&base.name.as_str()) {
            return None;
        }
        let text = format!("{}.{}", base.name, field.name);
        if !self.scope_allowed(ctx, scope, span, &text) {
            return None;
        }
        if field.name == "id" {
            return Some((Type::Text, plan::Expr::Id(scope)));
        }
        match schema.index_of(&field.name) {
            Some(i) => {
                let ty = schema.field(i).map(|f| f.ty.clone())?;
                Some((ty, plan::Expr::Field(scope, i)))
            }
            None => {
                let names = schema.fields.iter().map(|f| f.name.as_str()).chain(["id"]);
                let help = did_you_mean(&field.name, names)
                    .map(|c| format!("did you mean `{}.{c}`?", base.name))
                    .or_else(|| {
                        other.index_of(&field.name).map(|_| {
                            format!("`{other_name}.{}` exists; did you mean it?", field.name)
                        })
                    })
                    .unwrap_or_else(|| {
                        format!("the {} schema declares: {}", base.name, field_list(schema))
                    });
                let d = self
                    .src
                    .error(
                        codes::TYPE_UNKNOWN_FIELD,
                        format!("`{}` has no field `{}`", base.name, field.name),
                    )
                    .label(field.span, "unknown field")
                    .help(help);
                self.err(d);
                None
            }
        }
    }

    fn partner_arg(
        &mut self,
        ctx: &Ctx<'_>,
        fname: &str,
        arg: Option<&Expr>,
        call_span: Span,
    ) -> bool {
        match arg {
            Some(Expr {
                kind: ExprKind::Symbol(s),
                span,
            }) if s == "partner" => self.scope_allowed(
                ctx,
                Scope::Partner,
                *span,
                &format!("{fname}(partner, ...)"),
            ),
            other => {
                let span = other.map_or(call_span, |a| a.span);
                self.mismatch(
                    span,
                    format!("the first argument of `{fname}` must be `partner`"),
                    "expected `partner`".to_string(),
                    builtins::lookup(fname).map(|b| {
                        format!(
                            "write `{}`",
                            b.example
                                .trim_start_matches("require ")
                                .trim_start_matches("rank ")
                        )
                    }),
                );
                false
            }
        }
    }

    fn call(&mut self, ctx: &Ctx<'_>, span: Span, name: &Ident, args: &[Expr]) -> Typed {
        let Some(b) =
            builtins::lookup(&name.name).filter(|b| b.kind == builtins::BuiltinKind::Function)
        else {
            let help = suggest(&name.name, builtins::function_names()).unwrap_or_else(|| {
                format!(
                    "the functions are {}",
                    builtins::function_names().collect::<Vec<_>>().join(", ")
                )
            });
            let d = self
                .src
                .error(
                    codes::TYPE_UNKNOWN_FUNCTION,
                    format!("unknown function `{}`", name.name),
                )
                .label(name.span, "not a built-in")
                .help(help);
            self.err(d);
            return None;
        };
        if args.len() < b.min_args || args.len() > b.max_args {
            let want = if b.min_args == b.max_args {
                format!("{}", b.min_args)
            } else {
                format!("{} to {}", b.min_args, b.max_args)
            };
            let d = self
                .src
                .error(
                    codes::TYPE_ARITY,
                    format!(
                        "`{}` takes {want} argument{}, found {}",
                        b.name,
                        if b.max_args == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .label(span, "")
                .help(format!("the signature is `{}`", b.signature));
            self.err(d);
            return None;
        }
        let arg = |i: usize| args.get(i);
        match b.name {
            "distance" => {
                let a = self.arg_of(ctx, b.name, arg(0), &Type::GeoPoint);
                let c = self.arg_of(ctx, b.name, arg(1), &Type::GeoPoint);
                Some((
                    Type::Float,
                    plan::Expr::Distance(Box::new(a?), Box::new(c?)),
                ))
            }
            "certified" => {
                let ok = self.partner_arg(ctx, b.name, arg(0), span);
                let name_e = self.arg_of(ctx, b.name, arg(1), &Type::Text);
                let maps: Vec<u16> = ctx
                    .partner
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.ty == Type::Map(Box::new(Type::Text), Box::new(Type::Date)))
                    .filter_map(|(i, _)| u16::try_from(i).ok())
                    .collect();
                let field = match maps.as_slice() {
                    [one] => Some(*one),
                    [] => {
                        self.requirement(span, "`certified`", "a partner field of type `map<text, date>`", "add e.g. `certifications: map<text, date>` (name to validity date) to the partner schema");
                        None
                    }
                    _ => {
                        self.requirement(
                            span,
                            "`certified`",
                            "exactly one partner field of type `map<text, date>`",
                            "keep one certification map in the partner schema",
                        );
                        None
                    }
                };
                if !ok {
                    return None;
                }
                Some((
                    Type::Bool,
                    plan::Expr::Certified {
                        field: field?,
                        name: Box::new(name_e?),
                    },
                ))
            }
            "smoothed" => {
                let rate = self.numeric_arg(ctx, b.name, arg(0));
                let n = self.numeric_arg(ctx, b.name, arg(1));
                let prior = match arg(2) {
                    Some(p) => self.literal_number(p, "the prior"),
                    None => Some(0.5),
                };
                let weight = match arg(3) {
                    Some(w) => self.literal_number(w, "the weight"),
                    None => Some(10.0),
                };
                Some((
                    Type::Float,
                    plan::Expr::Smoothed {
                        rate: Box::new(rate?),
                        n: Box::new(n?),
                        prior: prior?,
                        weight: weight?,
                    },
                ))
            }
            "utilisation" => {
                if !self.partner_arg(ctx, b.name, arg(0), span) {
                    return None;
                }
                match (
                    ctx.partner.index_of("active_leads"),
                    ctx.partner.index_of("capacity"),
                ) {
                    (Some(a), Some(c))
                        if has_int(ctx.partner, "active_leads")
                            && has_int(ctx.partner, "capacity") =>
                    {
                        Some((
                            Type::Float,
                            plan::Expr::Utilisation {
                                active_leads: a,
                                capacity: c,
                            },
                        ))
                    }
                    _ => {
                        self.requirement(
                            span,
                            "`utilisation`",
                            "int partner fields `capacity` and `active_leads`",
                            "add `capacity: int, active_leads: int` to the partner schema",
                        );
                        None
                    }
                }
            }
            _ => None,
        }
    }

    fn arg_of(
        &mut self,
        ctx: &Ctx<'_>,
        fname: &str,
        a: Option<&Expr>,
        want: &Type,
    ) -> Option<plan::Expr> {
        let a = a?;
        let (ty, out) = self.expr(ctx, a, Some(want))?;
        if &ty != want {
            self.mismatch(
                a.span,
                format!(
                    "`{fname}` expects {} here, found {}",
                    describe(want),
                    describe(&ty)
                ),
                format!("this is {}", describe(&ty)),
                builtins::lookup(fname).map(|b| format!("the signature is `{}`", b.signature)),
            );
            return None;
        }
        Some(out)
    }

    fn numeric_arg(&mut self, ctx: &Ctx<'_>, fname: &str, a: Option<&Expr>) -> Option<plan::Expr> {
        let a = a?;
        let (ty, out) = self.expr(ctx, a, None)?;
        if !ty.is_numeric() {
            self.mismatch(
                a.span,
                format!("`{fname}` expects a number here, found {}", describe(&ty)),
                format!("this is {}", describe(&ty)),
                builtins::lookup(fname).map(|b| format!("the signature is `{}`", b.signature)),
            );
            return None;
        }
        Some(out)
    }

    fn literal_number(&mut self, e: &Expr, what: &str) -> Option<f64> {
        let v = match &e.kind {
            ExprKind::Number(n) if matches!(n.unit, Unit::None | Unit::Percent) => number_f64(n),
            ExprKind::Unary(UnOp::Neg, x) => match &x.kind {
                ExprKind::Number(n) if matches!(n.unit, Unit::None | Unit::Percent) => {
                    number_f64(n).map(|v| -v)
                }
                _ => None,
            },
            _ => None,
        };
        if v.is_none() {
            self.mismatch(
                e.span,
                format!("{what} of `smoothed` must be a number literal"),
                "not a literal".to_string(),
                Some("write e.g. `smoothed(partner.acceptance_rate, partner.leads_received, 0.5, 10)`".to_string()),
            );
        }
        v
    }

    fn binary(&mut self, ctx: &Ctx<'_>, span: Span, op: BinOp, a: &Expr, b: &Expr) -> Typed {
        match op {
            BinOp::And | BinOp::Or => {
                let l = self.expr(ctx, a, None);
                let r = self.expr(ctx, b, None);
                let (lt, le) = l?;
                let (rt, re) = r?;
                for (t, e) in [(&lt, a), (&rt, b)] {
                    if *t != Type::Bool {
                        self.mismatch(
                            e.span,
                            format!("`{op}` needs conditions (bool), found {}", describe(t)),
                            format!("this is {}", describe(t)),
                            Some(format!(
                                "both sides of `{op}` are conditions, e.g. `partner.rate > 0.5`"
                            )),
                        );
                    }
                }
                if lt != Type::Bool || rt != Type::Bool {
                    return None;
                }
                let mut items = Vec::new();
                for x in [le, re] {
                    match (op, x) {
                        (BinOp::And, plan::Expr::And(v)) | (BinOp::Or, plan::Expr::Or(v)) => {
                            items.extend(v)
                        }
                        (_, x) => items.push(x),
                    }
                }
                Some((
                    Type::Bool,
                    if op == BinOp::And {
                        plan::Expr::And(items)
                    } else {
                        plan::Expr::Or(items)
                    },
                ))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let l = self.expr(ctx, a, None);
                let r = self.expr(ctx, b, None);
                let (lt, le) = l?;
                let (rt, re) = r?;
                if !lt.is_numeric() || !rt.is_numeric() {
                    let help = if lt == Type::Duration || rt == Type::Duration {
                        Some("arithmetic is defined on numbers only; compare durations directly, e.g. `x < 24h`".to_string())
                    } else {
                        None
                    };
                    self.mismatch(
                        span,
                        format!(
                            "`{op}` needs numbers, found {} and {}",
                            describe(&lt),
                            describe(&rt)
                        ),
                        "not numbers".to_string(),
                        help,
                    );
                    return None;
                }
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                Some((
                    numeric_result(op, &lt, &rt),
                    plan::Expr::Arith(aop, Box::new(le), Box::new(re)),
                ))
            }
            BinOp::In | BinOp::NotIn => {
                let out = self.membership(ctx, op, a, b)?;
                let out = if op == BinOp::NotIn {
                    plan::Expr::Not(Box::new(out))
                } else {
                    out
                };
                Some((Type::Bool, out))
            }
            BinOp::Covers => {
                let l = self.expr(ctx, a, None);
                let r = self.expr(ctx, b, Some(&Type::Region));
                let (lt, le) = l?;
                let (rt, re) = r?;
                let lok = lt == Type::Region || lt == Type::Set(Box::new(Type::Region));
                if !lok {
                    self.mismatch(
                        a.span,
                        format!(
                            "`covers` needs a region or a set of regions on its left, found {}",
                            describe(&lt)
                        ),
                        format!("this is {}", describe(&lt)),
                        Some("e.g. `partner.territories covers lead.region`".to_string()),
                    );
                }
                if rt != Type::Region {
                    self.mismatch(
                        b.span,
                        format!(
                            "`covers` needs a region on its right, found {}",
                            describe(&rt)
                        ),
                        format!("this is {}", describe(&rt)),
                        Some(
                            "e.g. `partner.territories covers lead.region` or `covers \"US-TX\"`"
                                .to_string(),
                        ),
                    );
                }
                if !lok || rt != Type::Region {
                    return None;
                }
                Some((Type::Bool, plan::Expr::Covers(Box::new(le), Box::new(re))))
            }
            _ => self.comparison(ctx, span, op, a, b),
        }
    }

    /// Checks `first` without context, then `second` with `first`'s type as context; returns
    /// the results in source order.
    fn pair(&mut self, ctx: &Ctx<'_>, a: &Expr, b: &Expr) -> (Typed, Typed) {
        if is_contextual(a) && !is_contextual(b) {
            let r = self.expr(ctx, b, None);
            let want = r.as_ref().map(|(t, _)| t.clone());
            let l = self.expr(ctx, a, want.as_ref());
            (l, r)
        } else {
            let l = self.expr(ctx, a, None);
            let want = l.as_ref().map(|(t, _)| t.clone());
            let r = if l.is_none() && is_contextual(b) {
                None
            } else {
                self.expr(ctx, b, want.as_ref())
            };
            (l, r)
        }
    }

    fn comparison(&mut self, ctx: &Ctx<'_>, span: Span, op: BinOp, a: &Expr, b: &Expr) -> Typed {
        let (l, r) = self.pair(ctx, a, b);
        let (lt, le) = l?;
        let (rt, re) = r?;
        let ordered = matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge);
        if let Some((msg, help)) = compare_problem(&lt, &rt, ordered) {
            self.mismatch(
                span,
                format!(
                    "cannot compare {} with {} using `{op}`{msg}",
                    describe(&lt),
                    describe(&rt)
                ),
                "".to_string(),
                help,
            );
            return None;
        }
        let cop = match op {
            BinOp::Eq => CmpOp::Eq,
            BinOp::Ne => CmpOp::Ne,
            BinOp::Lt => CmpOp::Lt,
            BinOp::Le => CmpOp::Le,
            BinOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        Some((Type::Bool, plan::Expr::Cmp(cop, Box::new(le), Box::new(re))))
    }

    fn membership(&mut self, ctx: &Ctx<'_>, op: BinOp, a: &Expr, b: &Expr) -> Option<plan::Expr> {
        if let ExprKind::List(items) = &b.kind {
            let l = self.expr(ctx, a, None);
            let (lt, le) = l?;
            let mut outs = Vec::new();
            let mut ok = true;
            for it in items {
                match self.expr(ctx, it, Some(&lt)) {
                    Some((t, e)) => {
                        if let Some((msg, help)) = compare_problem(&lt, &t, false) {
                            self.mismatch(
                                it.span,
                                format!(
                                    "cannot look for {} in a list holding {}{msg}",
                                    describe(&lt),
                                    describe(&t)
                                ),
                                format!("this is {}", describe(&t)),
                                help,
                            );
                            ok = false;
                        }
                        outs.push(e);
                    }
                    None => ok = false,
                }
            }
            return ok.then_some(plan::Expr::InList(Box::new(le), outs));
        }
        // a set or a map on the right
        let r = self.expr(ctx, b, None);
        let (rt, re) = r?;
        let elem = match &rt {
            Type::Set(t) => (**t).clone(),
            Type::Map(k, _) => (**k).clone(),
            other => {
                let l = self.expr(ctx, a, None);
                let _ = l;
                self.mismatch(
                    b.span,
                    format!("`{op}` needs a list, a set or a map on its right, found {}", describe(other)),
                    format!("this is {}", describe(other)),
                    Some("write `x in [a, b]`, or `x in partner.some_set`; to compare one value, use `==`".to_string()),
                );
                return None;
            }
        };
        let (lt, le) = self.expr(ctx, a, Some(&elem))?;
        if let Some((msg, help)) = compare_problem(&lt, &elem, false) {
            self.mismatch(
                a.span,
                format!(
                    "cannot look for {} in {}{msg}",
                    describe(&lt),
                    describe(&rt)
                ),
                format!("this is {}", describe(&lt)),
                help,
            );
            return None;
        }
        Some(plan::Expr::InSet(Box::new(le), Box::new(re)))
    }

    /// Warns about each rule that an earlier rule always pre-empts: the earlier rule decides
    /// (`else queue`) and has no `when`, or its `when` conjuncts are all among the later rule's.
    ///
    /// Each deciding rule is indexed under its rarest conjunct (by structural hash), so a later
    /// rule compares itself only with the earlier rules indexed under one of its own conjuncts
    /// (a file of n distinct rules costs n, not n squared).
    fn unreachable(&mut self, file: &RuleFile) {
        let routes: Vec<&RouteDecl> = file.routes().collect();
        let whens: Vec<Option<Vec<&Expr>>> = routes
            .iter()
            .map(|r| r.when.as_ref().map(|w| conjuncts(&w.node)))
            .collect();
        let hashes: Vec<Vec<u64>> = whens
            .iter()
            .map(|w| {
                let mut hs: Vec<u64> = w.iter().flatten().map(|c| expr_hash(c)).collect();
                hs.sort_unstable();
                hs.dedup();
                hs
            })
            .collect();
        let mut freq: HashMap<u64, usize> = HashMap::new();
        for h in hashes.iter().flatten() {
            *freq.entry(*h).or_insert(0) += 1;
        }
        // the first deciding rule without `when`, and the deciding rules by rarest conjunct
        let mut always: Option<usize> = None;
        let mut by_conjunct: HashMap<u64, Vec<usize>> = HashMap::new();
        for (j, later) in routes.iter().enumerate() {
            let mut earliest = always;
            if let (Some(mine), Some(hs)) = (whens.get(j).and_then(Option::as_ref), hashes.get(j)) {
                for h in hs {
                    // each list is in rule order: its first covering rule is its earliest
                    let covering = by_conjunct.get(h).into_iter().flatten().find(|&&k| {
                        whens
                            .get(k)
                            .and_then(Option::as_ref)
                            .is_some_and(|theirs| theirs.iter().all(|c| mine.contains(c)))
                    });
                    if let Some(&k) = covering {
                        earliest = Some(earliest.map_or(k, |e| e.min(k)));
                    }
                }
            }
            if let Some(earlier) = earliest.and_then(|k| routes.get(k)) {
                let why = if earlier.when.is_none() {
                    "has no `when`"
                } else {
                    "matches every lead this rule's `when` matches"
                };
                let d = self
                    .src
                    .warning(codes::CHECK_UNREACHABLE_RULE, format!("the rule `{}` can never fire", later.name.value))
                    .label(later.name.span, "unreachable rule")
                    .label(earlier.name.span, format!("this earlier rule {why} and always decides (`else queue`)"))
                    .help("move this rule before the earlier one, or give the earlier rule `else next`");
                self.warnings.push(d);
            }
            let decides = matches!(
                later.otherwise,
                Some(Clause {
                    node: ElseDecl::Queue(_),
                    ..
                })
            );
            if !decides {
                continue;
            }
            match hashes.get(j) {
                _ if later.when.is_none() => {
                    always.get_or_insert(j);
                }
                Some(hs) => {
                    let rarest = hs
                        .iter()
                        .min_by_key(|h| (freq.get(h).copied().unwrap_or(0), **h));
                    if let Some(h) = rarest {
                        by_conjunct.entry(*h).or_default().push(j);
                    }
                }
                None => {}
            }
        }
    }
}

/// An enum's members for a message: all of them, or the first few and how many more.
fn some_members(members: &[String]) -> String {
    const SHOWN: usize = 12;
    if members.len() <= SHOWN {
        return members.join(", ");
    }
    let first: Vec<&str> = members.iter().take(SHOWN).map(String::as_str).collect();
    format!("{}, ... ({} more)", first.join(", "), members.len() - SHOWN)
}

/// A hash of an expression's structure, equal for expressions that are `==` (spans ignored),
/// computed without recursion.
fn expr_hash(e: &Expr) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        std::mem::discriminant(&x.kind).hash(&mut h);
        match &x.kind {
            ExprKind::Number(n) => {
                n.value.normalize().serialize().hash(&mut h);
                n.fraction.hash(&mut h);
                n.unit.hash(&mut h);
            }
            ExprKind::Str(s) | ExprKind::Symbol(s) => s.hash(&mut h),
            ExprKind::Bool(b) => b.hash(&mut h),
            ExprKind::Date(d) => d.hash(&mut h),
            ExprKind::Path(b, f) => {
                b.name.hash(&mut h);
                f.name.hash(&mut h);
            }
            ExprKind::List(v) => {
                v.len().hash(&mut h);
                stack.extend(v.iter());
            }
            ExprKind::Call(name, v) => {
                name.name.hash(&mut h);
                v.len().hash(&mut h);
                stack.extend(v.iter());
            }
            ExprKind::Unary(op, a) => {
                op.hash(&mut h);
                stack.push(a);
            }
            ExprKind::Binary(op, a, b) => {
                op.hash(&mut h);
                stack.push(b);
                stack.push(a);
            }
        }
    }
    h.finish()
}

fn conjuncts(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match &x.kind {
            ExprKind::Binary(BinOp::And, a, b) => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(x),
        }
    }
    out
}

fn has_int(s: &Schema, name: &str) -> bool {
    s.index_of(name)
        .and_then(|i| s.field(i))
        .is_some_and(|f| f.ty == Type::Int)
}

fn field_list(s: &Schema) -> String {
    let mut names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    names.push("id");
    names.join(", ")
}

/// `a number`, `text`, `a duration`, ... for messages.
pub(crate) fn describe(t: &Type) -> String {
    match t {
        Type::Int => "an int".to_string(),
        Type::Decimal => "a decimal".to_string(),
        Type::Ratio => "a ratio".to_string(),
        Type::Float => "a number".to_string(),
        Type::Text => "text".to_string(),
        Type::Bool => "a bool".to_string(),
        Type::Date => "a date".to_string(),
        Type::DateTime => "a datetime".to_string(),
        Type::Duration => "a duration".to_string(),
        Type::Region => "a region".to_string(),
        Type::GeoPoint => "a geopoint".to_string(),
        Type::Enum(_) | Type::Set(_) | Type::Map(..) => format!("`{t}`"),
    }
}

/// Why two types cannot be compared, if they cannot: (message suffix, help).
fn compare_problem(a: &Type, b: &Type, ordered: bool) -> Option<(String, Option<String>)> {
    if (a == &Type::Duration && b.is_numeric()) || (b == &Type::Duration && a.is_numeric()) {
        return Some((
            String::new(),
            Some("give the number a unit: `24h`, `30m`, `90s`, `7d`, `2w`".to_string()),
        ));
    }
    if !same_kind(a, b) {
        let help = match (a, b) {
            (Type::Region, Type::Text) | (Type::Text, Type::Region) => {
                Some("compare with a region literal such as `\"US-TX\"`".to_string())
            }
            (Type::Set(_), _) | (_, Type::Set(_)) => {
                Some("to test membership, write `x in set`".to_string())
            }
            _ => None,
        };
        return Some((String::new(), help));
    }
    if ordered {
        let can_order = a.is_numeric() || matches!(a, Type::Date | Type::DateTime | Type::Duration);
        if !can_order {
            return Some((
                format!(" ({} values have no order)", describe(a)),
                Some("use `==` or `!=`".to_string()),
            ));
        }
    } else if matches!(a, Type::GeoPoint | Type::Set(_) | Type::Map(..)) {
        return Some((
            " (these values cannot be compared)".to_string(),
            Some("compare a field of them instead, e.g. `distance(a, b) < 10 km`".to_string()),
        ));
    }
    None
}

fn number_f64(n: &NumLit) -> Option<f64> {
    let v = n.value.to_f64()?;
    Some(if n.unit == Unit::Percent {
        (n.value / Decimal::ONE_HUNDRED).to_f64()?
    } else {
        v
    })
}

fn number_literal(n: &NumLit) -> (Type, plan::Expr) {
    match n.unit {
        Unit::None if n.fraction => (Type::Decimal, plan::Expr::Lit(Value::Decimal(n.value))),
        Unit::None => match n.value.to_i64() {
            Some(i) => (Type::Int, plan::Expr::Lit(Value::Int(i))),
            None => (Type::Decimal, plan::Expr::Lit(Value::Decimal(n.value))),
        },
        Unit::Km => (
            Type::Float,
            plan::Expr::Lit(Value::Float(n.value.to_f64().unwrap_or(f64::NAN))),
        ),
        Unit::Percent => {
            let v = (n.value / Decimal::ONE_HUNDRED)
                .to_f64()
                .unwrap_or(f64::NAN);
            (Type::Ratio, plan::Expr::Lit(Value::Float(v)))
        }
        unit => {
            let ms = unit
                .millis()
                .and_then(|m| n.value.to_i64().and_then(|v| v.checked_mul(m)))
                .unwrap_or(i64::MAX);
            (Type::Duration, plan::Expr::Lit(Value::Duration(ms)))
        }
    }
}
