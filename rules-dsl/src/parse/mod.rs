//! Text to syntax tree: the pest parser, error recovery and friendly syntax errors.
//!
//! The parse of a file runs in four jobs, one module each:
//!
//! - `scan`: a small scanner (words, punctuation, strings, comments) that reads the text
//!   without recursing; it collects the [`comments`] for the formatter, finds the item and
//!   clause boundaries for recovery, and bounds bracket nesting (by [`MAX_NESTING`]) before pest,
//!   which recurses once per bracket, sees the text;
//! - `recover`: the file is cut into top-level items (a new item starts at `ruleset`,
//!   `schema`, `calendar`, `sla`, `registration`, `route` or `fallback` outside brackets, or at the start of a
//!   line), and each item is parsed alone; a route that fails to parse is cut into clauses, each
//!   parsed alone, so one file reports one syntax error per broken item or clause;
//! - `syntax_error`: pest's errors turned into messages a rule author reads ("expected `{`,
//!   found `x`", with a hint for the usual slips: `=`, `'...'`, `&&`, a misspelt keyword);
//! - `build`: pest's pairs to the [`ast`](crate::ast), checking literals (numbers, dates,
//!   times of day), the order of a route's clauses and the depth of expressions.

use crate::ast::RuleFile;
use crate::diagnostics::{Diagnostic, SourceFile};

mod build;
mod recover;
mod scan;
mod syntax_error;

pub use generated::{RailParser, Rule};
pub use scan::{comments, Comment};

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

const ITEM_KEYWORDS: &[&str] = &[
    "ruleset",
    "schema",
    "calendar",
    "sla",
    "registration",
    "route",
    "fallback",
];
const CLAUSE_KEYWORDS: &[&str] = &["when", "require", "rank", "balance", "tie", "else"];

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
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || recover::parse_items(src))
}
