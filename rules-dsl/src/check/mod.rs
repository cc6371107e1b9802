//! The checker: declarations, schemas, typing of every clause, and static warnings.
//!
//! Checking also elaborates each expression into the core plan's resolved [`plan::Expr`]
//! (field names to indexes, enum symbols and region strings to typed literals), so lowering
//! only assembles the plan. Every error of the file is reported, not only the first.
//!
//! This module checks the declarations of a file (one `ruleset`, the `lead` and `partner`
//! schemas, one `fallback`, route names) and runs the rest, one job a module:
//!
//! - `schema`: schema fields and written types;
//! - `route`: a route's clauses, each in its scope, and what they need from the schemas;
//! - `expr`: typing and elaborating expressions (literals, enum symbols, field paths), with
//!   `operators` for binary operators and `calls` for the built-in functions;
//! - `unreachable`: the warning for a rule an earlier rule always pre-empts;
//! - `sla`: calendars and SLA policies;
//! - `registration`: deal-registration policies;
//! - `messages`: the error texts several of them share.

use std::collections::{HashMap, HashSet};

use leadrail_core::plan;
use leadrail_core::report::codes;
use leadrail_core::schema::Schema;

use crate::ast::*;
use crate::diagnostics::{suggest, Diagnostic, SourceFile};

mod calls;
mod expr;
mod messages;
mod operators;
mod registration;
mod route;
mod schema;
mod sla;
mod unreachable;

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
    /// The registration policies.
    pub registrations: Vec<leadrail_core::dealreg::Policy>,
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

/// Checks a parsed file. Returns the checked file, or every error (and warning) found.
pub fn check(src: &SourceFile, file: &RuleFile) -> Result<Checked, Vec<Diagnostic>> {
    stacker::maybe_grow(
        crate::parse::STACK_RED_ZONE,
        crate::parse::STACK_SEGMENT,
        || check_here(src, file),
    )
}

/// [`check`] on the current stack.
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

/// The checker's state while it walks a file: the diagnostics so far and what the walk needs.
struct Checker<'s> {
    /// The file (for spans and diagnostics).
    src: &'s SourceFile,
    /// The errors found so far.
    errors: Vec<Diagnostic>,
    /// The warnings found so far.
    warnings: Vec<Diagnostic>,
    /// Schemas that are not declared (their fields are not reported as unknown).
    missing: Vec<&'static str>,
    /// How deep the walk is in the expression or type being checked (see [`MAX_DEPTH`]).
    depth: usize,
    /// The members of each large enum type as a set, by the address of its member list, so that
    /// a symbol is looked up in constant time (an enum may have 100,000 symbols).
    enum_sets: HashMap<usize, HashSet<String>>,
}

/// The deepest expression or type the checker walks. Trees from the parser are shallower (it
/// bounds brackets by [`crate::parse::MAX_NESTING`] and expressions by
/// [`crate::parse::MAX_EXPR_DEPTH`]); this bound keeps the recursive walk safe for a syntax tree
/// built by hand.
const MAX_DEPTH: usize = 2 * crate::parse::MAX_EXPR_DEPTH;

impl Checker<'_> {
    /// Records an error.
    fn err(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    /// Checks a whole file: its declarations here, the rest in the submodules.
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
                                self.declared_twice(
                                    codes::CHECK_DUPLICATE_ITEM,
                                    format!("the `{}` schema is declared twice", s.kind.name),
                                    s.kind.span,
                                    first,
                                    "merge the fields into one schema".to_string(),
                                );
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
                Item::Route(_) | Item::Calendar(_) | Item::Sla(_) | Item::Registration(_) => {}
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
        let registrations = self.registrations(file, &lead);

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
            registrations,
        })
    }

    /// The error for a second `ruleset` or `fallback` declaration.
    fn duplicate(&mut self, what: &str, span: Span, first: Span) {
        self.declared_twice(
            codes::CHECK_DUPLICATE_ITEM,
            format!("a file has at most one `{what}` declaration"),
            Span::new(span.start, span.start + what.len()),
            Span::new(first.start, first.start + what.len()),
            format!("remove one of the `{what}` declarations"),
        );
    }
}
