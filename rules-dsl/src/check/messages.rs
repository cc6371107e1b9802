//! The checker's shared error texts: type mismatches, schema requirements, nesting too deep,
//! and how a type is named in a message.

use leadrail_core::report::codes;
use leadrail_core::value::Type;

use super::{Checker, MAX_DEPTH};
use crate::ast::Span;

impl Checker<'_> {
    /// The error for a type or an expression nested deeper than [`MAX_DEPTH`].
    pub(super) fn too_deep(&mut self, span: Span, what: &str) {
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

    /// The error for a construct that needs something of the schemas (`what needs needs`).
    pub(super) fn requirement(&mut self, span: Span, what: &str, needs: &str, help: &str) {
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

    /// The error for a name declared a second time at `again` (first at `first`).
    pub(super) fn declared_twice(
        &mut self,
        code: &'static str,
        message: String,
        again: Span,
        first: Span,
        help: String,
    ) {
        let d = self
            .src
            .error(code, message)
            .label(again, "declared again here")
            .label(first, "first declared here")
            .help(help);
        self.err(d);
    }

    /// A type mismatch; without a `help`, the general one.
    pub(super) fn mismatch(
        &mut self,
        span: Span,
        message: String,
        label: String,
        help: Option<String>,
    ) {
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
}

/// `this is a number`: the label under an expression of the wrong type.
pub(super) fn this_is(t: &Type) -> String {
    format!("this is {}", describe(t))
}

/// `a number`, `text`, `a duration`, ... for messages.
pub(super) fn describe(t: &Type) -> String {
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
