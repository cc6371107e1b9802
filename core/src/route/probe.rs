//! Index probes: the require shapes whose partners are found through the network's indexes
//! instead of a test per partner (`partner.T covers lead.R`, `lead.X in partner.S`,
//! `certified(partner, name)`, `distance(partner.L, lead.L) <= C`), how they are recognised,
//! and how a probe fills a partner bit set for one lead or for a prepared batch's key.

use std::sync::Arc;

use super::analysis::{lead_only, static_type};
use super::eval::{eval, ValueEnv};
use crate::geo::RegionCode;
use crate::network::bits::Bits;
use crate::network::{day_of_instant, FieldIndex, Network, UNKNOWN};
use crate::plan::{CmpOp, Expr, Plan, Scope};
use crate::record::Record;
use crate::value::{EpochMs, Type, Value};

/// How a require's partners are found through an index.
#[derive(Debug, Clone)]
pub(crate) enum Probe {
    /// `partner.T covers <lead region>`.
    Territory { field: u16, region: Expr },
    /// `<lead text> in partner.S` (set items or map keys).
    Member { field: u16, item: Expr },
    /// `certified(partner, <lead text>)`.
    Cert { field: u16, name: Expr },
    /// `distance(partner.L, <lead point>) <= <lead number>` (a superset; the require is still
    /// evaluated exactly).
    Near { field: u16, at: Expr, km: Expr },
}

/// The lead-side value of a territory or membership probe, as prepared batches intern it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ProbeKey {
    Region(RegionCode),
    Symbol(Arc<str>),
    Null,
}

fn partner_field(e: &Expr) -> Option<u16> {
    match e {
        Expr::Field(Scope::Partner, f) => Some(*f),
        _ => None,
    }
}

impl Probe {
    /// Recognises an index-driven require: the probe and whether it decides the require
    /// exactly.
    pub(crate) fn of(e: &Expr, plan: &Plan) -> Option<(Probe, bool)> {
        let field_type = |f: u16| plan.partner_schema.field(f).map(|x| &x.ty);
        let is_symbol = |x: &Expr| matches!(static_type(plan, x), Some(Type::Text | Type::Enum(_)));
        match e {
            Expr::Covers(t, r) => {
                let field = partner_field(t)?;
                let ok = match field_type(field)? {
                    Type::Region => true,
                    Type::Set(x) => **x == Type::Region,
                    _ => false,
                };
                let region = (**r).clone();
                (ok && lead_only(r) && static_type(plan, r) == Some(Type::Region))
                    .then_some((Probe::Territory { field, region }, true))
            }
            Expr::InSet(x, s) => {
                let field = partner_field(s)?;
                let ok = match field_type(field)? {
                    Type::Set(t) => matches!(**t, Type::Text | Type::Enum(_)),
                    Type::Map(k, _) => **k == Type::Text,
                    _ => false,
                };
                let item = (**x).clone();
                (ok && lead_only(x) && is_symbol(x))
                    .then_some((Probe::Member { field, item }, true))
            }
            Expr::Certified { field, name } => {
                let ok = matches!(
                    field_type(*field)?,
                    Type::Map(k, v) if **k == Type::Text && **v == Type::Date
                );
                let probe = Probe::Cert {
                    field: *field,
                    name: (**name).clone(),
                };
                (ok && lead_only(name) && is_symbol(name)).then_some((probe, true))
            }
            Expr::Cmp(op, a, b) => {
                let (d, km) = match op {
                    CmpOp::Le | CmpOp::Lt => (a, b),
                    CmpOp::Ge | CmpOp::Gt => (b, a),
                    _ => return None,
                };
                let Expr::Distance(x, y) = &**d else {
                    return None;
                };
                if !lead_only(km) {
                    return None;
                }
                let (field, at) = match (partner_field(x), partner_field(y)) {
                    (Some(f), None) if lead_only(y) => (f, y),
                    (None, Some(f)) if lead_only(x) => (f, x),
                    _ => return None,
                };
                let probe = Probe::Near {
                    field,
                    at: (**at).clone(),
                    km: (**km).clone(),
                };
                (field_type(field)? == &Type::GeoPoint).then_some((probe, false))
            }
            _ => None,
        }
    }

    /// The lead-side expression of a probe that prepared batches intern per distinct value,
    /// and whether it is a territory probe (else a membership probe).
    pub(crate) fn interned(&self) -> Option<(&Expr, bool)> {
        match self {
            Probe::Territory { region, .. } => Some((region, true)),
            Probe::Member { item, .. } => Some((item, false)),
            Probe::Cert { .. } | Probe::Near { .. } => None,
        }
    }

    /// The partners passing the probe for `lead` at `now`, into `out`.
    #[inline]
    pub(crate) fn fill(&self, net: &Network, lead: &Record, now: EpochMs, out: &mut Bits) {
        out.reset(net.slots());
        let env = ValueEnv {
            lead,
            partner: None,
            now,
        };
        let symbol = |v: Value| match v {
            Value::Text(t) | Value::Enum(t) => Some(t),
            _ => None,
        };
        match self {
            Probe::Territory { field, region } => {
                if let Value::Region(t) = eval(region, &env) {
                    territory(net, *field, t.region(), out);
                }
            }
            Probe::Member { field, item } => {
                if let Some(s) = symbol(eval(item, &env)) {
                    member(net, *field, &s, out);
                }
            }
            Probe::Cert { field, name } => {
                if let (Some(s), Some(Some(ix)), Some(today)) = (
                    symbol(eval(name, &env)),
                    net.certs.get(usize::from(*field)),
                    day_of_instant(now),
                ) {
                    ix.lookup(net.symbols.lookup(&s), today, out);
                }
            }
            Probe::Near { field, at, km } => {
                if let (Value::GeoPoint(at), Some(km), Some(FieldIndex::Grid(g))) = (
                    eval(at, &env),
                    eval(km, &env).as_f64(),
                    net.index.get(usize::from(*field)),
                ) {
                    g.query(at, km, out);
                }
            }
        }
    }

    /// The partners passing the probe for a prepared key (a key of this probe's kind; any
    /// other gives none).
    pub(crate) fn fill_for_key(&self, net: &Network, key: &ProbeKey) -> Bits {
        let mut out = Bits::with_len(net.slots());
        match (self, key) {
            (Probe::Territory { field, .. }, ProbeKey::Region(r)) => {
                territory(net, *field, r, &mut out)
            }
            (Probe::Member { field, .. }, ProbeKey::Symbol(s)) => member(net, *field, s, &mut out),
            _ => {}
        }
        out
    }
}

/// The partners whose territory field `field` covers `region`, added to `out`.
#[inline(always)]
fn territory(net: &Network, field: u16, region: &RegionCode, out: &mut Bits) {
    if let Some(FieldIndex::Territory(ix)) = net.index.get(usize::from(field)) {
        ix.lookup(region, out);
    }
}

/// The partners whose set or map field `field` holds `symbol`, added to `out`.
#[inline(always)]
fn member(net: &Network, field: u16, symbol: &str, out: &mut Bits) {
    let id = net.symbols.lookup(symbol);
    if let (true, Some(FieldIndex::Member(ix))) = (id != UNKNOWN, net.index.get(usize::from(field)))
    {
        if let Some(b) = ix.get(id) {
            out.or_with(b);
        }
    }
}
