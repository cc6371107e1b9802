//! Schemas and written types: the `lead` and `partner` fields, resolved to core's [`Type`]s.
//!
//! `id` is implicit and reserved; a field or an enum symbol listed twice, an unknown type (with
//! the usual aliases: `string` for `text`, `float` for `decimal` or `ratio`, ...) and a type
//! nested deeper than [`MAX_DEPTH`] are errors.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use leadrail_core::report::codes;
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::Type;

use super::{Checker, MAX_DEPTH};
use crate::ast::{SchemaDecl, Span, TypeExpr, TypeKind};
use crate::diagnostics::suggest;

/// The type names, for a did-you-mean.
const TYPE_NAMES: &[&str] = &[
    "text", "int", "decimal", "money", "ratio", "bool", "date", "datetime", "duration", "region",
    "geopoint", "enum", "set", "map",
];

/// The type a type name stands for (not the bracketed `enum`, `set` and `map`).
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

/// The hint for a type name from another language (`string`, `float`, ...).
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

impl Checker<'_> {
    /// A schema's fields, those in error left out.
    pub(super) fn schema(&mut self, s: &SchemaDecl) -> Schema {
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
                self.declared_twice(
                    codes::CHECK_DUPLICATE_FIELD,
                    format!("the field `{}` is declared twice", f.name.name),
                    f.name.span,
                    *first,
                    "remove or rename one of the fields".to_string(),
                );
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

    /// [`Self::type_expr`] without the depth bound.
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
}
