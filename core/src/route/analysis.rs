//! What the engine learns about an expression before compiling it: what it reads (the lead
//! only, the partner only, partner state, one lead field), its static type, and whether its
//! field references fit the plan's schemas. Compile time only: nothing here runs per lead.

use crate::plan::{ArithOp, Expr, Plan, Scope};
use crate::schema::Schema;
use crate::value::{Type, Value};

use super::error::PlanError;

/// The direct subexpressions of `e`, in evaluation order.
pub(crate) fn children(e: &Expr) -> impl Iterator<Item = &Expr> {
    let (pair, list): ([Option<&Expr>; 2], &[Expr]) = match e {
        Expr::Lit(_) | Expr::Field(..) | Expr::Id(_) | Expr::Utilisation { .. } => {
            ([None, None], &[])
        }
        Expr::Not(x) | Expr::Neg(x) | Expr::Certified { name: x, .. } => {
            ([Some(x.as_ref()), None], &[])
        }
        Expr::And(xs) | Expr::Or(xs) => ([None, None], xs),
        Expr::Cmp(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::InSet(a, b)
        | Expr::Covers(a, b)
        | Expr::Distance(a, b)
        | Expr::Smoothed { rate: a, n: b, .. } => ([Some(a.as_ref()), Some(b.as_ref())], &[]),
        Expr::InList(x, xs) => ([Some(x.as_ref()), None], xs),
    };
    pair.into_iter().flatten().chain(list)
}

/// Whether an expression reads only the lead (and literals).
pub(crate) fn lead_only(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Field(Scope::Lead, _) | Expr::Id(Scope::Lead) => true,
        Expr::Field(Scope::Partner, _)
        | Expr::Id(Scope::Partner)
        | Expr::Certified { .. }
        | Expr::Utilisation { .. } => false,
        _ => children(e).all(lead_only),
    }
}

/// Whether an expression depends only on partner fields, partner state and literals (not on
/// the lead or the routing instant), so its value per partner changes only when the partner
/// does.
pub(crate) fn partner_only(e: &Expr) -> bool {
    match e {
        Expr::Lit(_)
        | Expr::Field(Scope::Partner, _)
        | Expr::Id(Scope::Partner)
        | Expr::Utilisation { .. } => true,
        Expr::Field(Scope::Lead, _) | Expr::Id(Scope::Lead) | Expr::Certified { .. } => false,
        _ => children(e).all(partner_only),
    }
}

/// Whether an expression reads a lead field or the lead id.
pub(crate) fn reads_lead(e: &Expr) -> bool {
    match e {
        Expr::Field(Scope::Lead, _) | Expr::Id(Scope::Lead) => true,
        Expr::Lit(_)
        | Expr::Field(Scope::Partner, _)
        | Expr::Id(Scope::Partner)
        | Expr::Utilisation { .. } => false,
        _ => children(e).any(reads_lead),
    }
}

/// The one lead field an expression reads (`None` if it reads the lead id, a partner, or
/// several or no lead fields).
pub(crate) fn single_lead_field(e: &Expr) -> Option<u16> {
    /// Whether `e` reads no partner and no lead field but `f` (set on the first one seen).
    fn walk(e: &Expr, f: &mut Option<u16>) -> bool {
        match e {
            Expr::Lit(_) => true,
            Expr::Field(Scope::Lead, x) => *f.get_or_insert(*x) == *x,
            Expr::Field(Scope::Partner, _)
            | Expr::Id(_)
            | Expr::Certified { .. }
            | Expr::Utilisation { .. } => false,
            _ => children(e).all(|x| walk(x, f)),
        }
    }
    let mut f = None;
    if walk(e, &mut f) {
        f
    } else {
        None
    }
}

/// The partner fields whose reads come from partner state, not from the loaded records.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StateFields {
    /// `active_leads` (an int field).
    pub(crate) active_leads: Option<u16>,
    /// `last_assigned_at` (a datetime field).
    pub(crate) last_assigned_at: Option<u16>,
}

impl StateFields {
    /// The state fields of a partner schema.
    pub(crate) fn of(schema: &Schema) -> StateFields {
        let field = |name: &str, ty: Type| {
            schema
                .index_of(name)
                .filter(|i| schema.field(*i).is_some_and(|f| f.ty == ty))
        };
        StateFields {
            active_leads: field("active_leads", Type::Int),
            last_assigned_at: field("last_assigned_at", Type::DateTime),
        }
    }

    /// Whether an expression reads partner state (`active_leads`, `last_assigned_at`, and the
    /// built-ins reading them or the routing instant).
    pub(crate) fn read_by(&self, e: &Expr) -> bool {
        match e {
            Expr::Field(Scope::Partner, f) => {
                Some(*f) == self.active_leads || Some(*f) == self.last_assigned_at
            }
            Expr::Utilisation { .. } | Expr::Certified { .. } => true,
            Expr::Lit(_) | Expr::Field(Scope::Lead, _) | Expr::Id(_) => false,
            _ => children(e).any(|x| self.read_by(x)),
        }
    }

    /// Whether a partner expression's value per partner is fixed while a batch is routed: it
    /// reads partner fields and literals only (no lead, no partner state, no routing instant).
    pub(crate) fn fixed(&self, e: &Expr) -> bool {
        partner_only(e) && !self.read_by(e)
    }
}

/// Whether a static type is a float type (`float`, `ratio`).
pub(crate) fn is_float(t: &Option<Type>) -> bool {
    matches!(t, Some(Type::Float | Type::Ratio))
}

/// Whether a static type is a number type.
pub(crate) fn is_number(t: &Option<Type>) -> bool {
    t.as_ref().is_some_and(Type::is_numeric)
}

/// Whether a static type is a text or an enum (interned as symbols).
pub(crate) fn is_symbol(t: &Option<Type>) -> bool {
    matches!(t, Some(Type::Text | Type::Enum(_)))
}

/// The static type of an expression, if known.
pub(crate) fn static_type(plan: &Plan, e: &Expr) -> Option<Type> {
    match e {
        Expr::Lit(v) => match v {
            Value::Int(_) => Some(Type::Int),
            Value::Decimal(_) => Some(Type::Decimal),
            Value::Float(_) => Some(Type::Float),
            Value::Bool(_) => Some(Type::Bool),
            Value::Text(_) => Some(Type::Text),
            Value::Enum(_) => Some(Type::Enum(std::sync::Arc::from(Vec::new()))),
            Value::Date(_) => Some(Type::Date),
            Value::DateTime(_) => Some(Type::DateTime),
            Value::Duration(_) => Some(Type::Duration),
            Value::GeoPoint(_) => Some(Type::GeoPoint),
            Value::Region(_) => Some(Type::Region),
            _ => None,
        },
        Expr::Field(Scope::Lead, i) => plan.lead_schema.field(*i).map(|f| f.ty.clone()),
        Expr::Field(Scope::Partner, i) => plan.partner_schema.field(*i).map(|f| f.ty.clone()),
        Expr::Id(_) => Some(Type::Text),
        Expr::Not(_)
        | Expr::And(_)
        | Expr::Or(_)
        | Expr::Cmp(..)
        | Expr::InList(..)
        | Expr::InSet(..)
        | Expr::Covers(..)
        | Expr::Certified { .. } => Some(Type::Bool),
        Expr::Neg(x) => static_type(plan, x),
        Expr::Arith(op, a, b) => {
            let (ta, tb) = (static_type(plan, a), static_type(plan, b));
            if !is_number(&ta) || !is_number(&tb) {
                None
            } else if is_float(&ta) || is_float(&tb) {
                Some(Type::Float)
            } else if ta == Some(Type::Int) && tb == Some(Type::Int) {
                Some(if *op == ArithOp::Div {
                    Type::Float
                } else {
                    Type::Int
                })
            } else {
                Some(Type::Decimal)
            }
        }
        Expr::Distance(..) | Expr::Smoothed { .. } | Expr::Utilisation { .. } => Some(Type::Float),
    }
}

/// Checks that every field an expression refers to exists in the plan's schemas.
pub(crate) fn check_fields(e: &Expr, plan: &Plan, rule: &str) -> Result<(), PlanError> {
    let has = |scope: Scope, index: u16| {
        let schema = match scope {
            Scope::Lead => &plan.lead_schema,
            Scope::Partner => &plan.partner_schema,
        };
        if schema.field(index).is_some() {
            Ok(())
        } else {
            Err(PlanError::UnknownField {
                rule: rule.to_string(),
                scope: match scope {
                    Scope::Lead => "lead".into(),
                    Scope::Partner => "partner".into(),
                },
                index,
            })
        }
    };
    match e {
        Expr::Field(s, i) => has(*s, *i)?,
        Expr::Certified { field, .. } => has(Scope::Partner, *field)?,
        Expr::Utilisation {
            active_leads,
            capacity,
        } => {
            has(Scope::Partner, *active_leads)?;
            has(Scope::Partner, *capacity)?;
        }
        _ => {}
    }
    children(e).try_for_each(|x| check_fields(x, plan, rule))
}
