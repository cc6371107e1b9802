//! The leadrail rule language: parse, check, format and compile `.rail` files to core plans.
//!
//! ```
//! let source = r#"
//! ruleset "demo" version 1
//! schema lead    { region: region }
//! schema partner { territories: set<region>, tier: enum(gold, silver) }
//! route "gold partners in the territory" {
//!   require partner.territories covers lead.region
//!   rank    partner.tier == gold
//! }
//! fallback queue "inside-sales"
//! "#;
//! // `rank` must be a number: the error says where and why
//! let errors = leadrail_dsl::compile(source, "demo.rail").unwrap_err();
//! let report = &errors.reports()[0];
//! assert_eq!(report.code, "leadrail::type::mismatch");
//! assert_eq!((report.line, report.column), (7, 11));
//!
//! let fixed = source.replace("rank    partner.tier == gold", "require partner.tier == gold");
//! let compiled = leadrail_dsl::compile(&fixed, "demo.rail").unwrap();
//! assert_eq!(compiled.plan.rules[0].requires[1].label, "partner.tier == gold");
//! assert!(compiled.warnings.is_empty());
//! ```
//!
//! The pipeline is `parse` (pest grammar to [`ast`]), `check` (names and types, all errors at
//! once, elaborating expressions), `lower` (to [`leadrail_core::plan::Plan`]); [`fmt`] is the
//! canonical formatter and [`reference`] a naive evaluator used to test the engine.

pub mod ast;
pub mod builtins;
pub mod check;
pub mod diagnostics;
pub mod fmt;
pub mod lower;
pub mod parse;
pub mod reference;

pub use diagnostics::{Diagnostic, Diagnostics, SourceFile};

use leadrail_core::plan::Plan;

/// A compiled ruleset: the plan and the warnings about its source.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The plan.
    pub plan: Plan,
    /// Warnings (e.g. unreachable rules).
    pub warnings: Vec<Diagnostic>,
}

fn diagnostics(mut list: Vec<Diagnostic>, src: &SourceFile) -> Diagnostics {
    if list.is_empty() {
        // an error path always carries a diagnostic; keep the list non-empty regardless
        list.push(
            src.error(
                leadrail_core::report::codes::PARSE_UNEXPECTED_TOKEN,
                "the file could not be read",
            )
            .label(ast::Span::new(0, 0), ""),
        );
    }
    Diagnostics::from_nonempty(list)
}

/// Parses a rule file into its syntax tree, or returns every syntax error.
///
/// ```
/// let file = leadrail_dsl::parse("fallback unrouted", "f.rail").unwrap();
/// assert_eq!(file.items.len(), 1);
/// let err = leadrail_dsl::parse("fallback queue 'x'", "f.rail").unwrap_err();
/// assert_eq!(err.reports()[0].help.as_deref(), Some("strings are written in double quotes: `\"...\"`"));
/// ```
pub fn parse(source: &str, file: &str) -> Result<ast::RuleFile, Diagnostics> {
    let src = SourceFile::new(source, file);
    parse::parse_file(&src).map_err(|e| diagnostics(e, &src))
}

/// Parses and checks a rule file; returns the checked file with its syntax tree.
///
/// When some routes have syntax errors but every declaration parsed, the routes that did parse
/// are checked too, so one run reports the syntax and the type errors of the file.
pub fn check(source: &str, file: &str) -> Result<(ast::RuleFile, check::Checked), Diagnostics> {
    let src = SourceFile::new(source, file);
    let partial = parse::parse_partial(&src);
    if !partial.errors.is_empty() {
        let mut errors = partial.errors;
        if partial.declarations_ok {
            if let Err(more) = check::check(&src, &partial.file) {
                errors.extend(more.into_iter().filter(|d| {
                    d.is_error() && d.code() != leadrail_core::report::codes::CHECK_MISSING_ITEM
                }));
            }
        }
        return Err(diagnostics(errors, &src));
    }
    let checked = check::check(&src, &partial.file).map_err(|e| diagnostics(e, &src))?;
    Ok((partial.file, checked))
}

/// Compiles a rule file to a plan, or returns every error (with the warnings).
///
/// The plan's `content_hash` is the first 16 hex digits of the SHA-256 of `source`.
pub fn compile(source: &str, file: &str) -> Result<Compiled, Diagnostics> {
    let (tree, mut checked) = check(source, file)?;
    let warnings = std::mem::take(&mut checked.warnings);
    Ok(Compiled {
        plan: lower::lower(source, &tree, checked),
        warnings,
    })
}

/// Formats a rule file in the canonical layout (see [`fmt`]); only syntax errors prevent it.
///
/// ```
/// let out = leadrail_dsl::format("fallback   queue \"x\"   # the end", "f.rail").unwrap();
/// assert_eq!(out, "fallback queue \"x\"  # the end\n");
/// ```
pub fn format(source: &str, file: &str) -> Result<String, Diagnostics> {
    let tree = parse(source, file)?;
    Ok(fmt::format_file(source, &tree))
}
