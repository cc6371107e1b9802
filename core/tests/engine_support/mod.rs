//! Shared builders for the engine tests: schemas, plans, records.
#![expect(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test support code"
)]

use std::sync::Arc;

use chrono::NaiveDate;
use leadrail_core::geo::{GeoPoint, RegionCode, Territory};
use leadrail_core::plan::{
    ArithOp, CmpOp, Else, Expr, Fallback, Plan, Require, RouteRule, Scope, Tie,
};
use leadrail_core::record::Record;
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::{Type, Value};

pub fn field(name: &str, ty: Type, optional: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        optional,
    }
}

pub fn en(syms: &[&str]) -> Type {
    Type::Enum(Arc::from(
        syms.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    ))
}

// partner fields
pub const P_TERR: u16 = 0;
pub const P_LINES: u16 = 1;
pub const P_CERTS: u16 = 2;
pub const P_TIER: u16 = 3;
pub const P_STATUS: u16 = 4;
pub const P_CAP: u16 = 5;
pub const P_ACTIVE: u16 = 6;
pub const P_RATE: u16 = 7;
pub const P_LOC: u16 = 8;
pub const P_PARENT: u16 = 9;
pub const P_LAST: u16 = 10;
pub const P_WEIGHT: u16 = 11;
// lead fields
pub const L_REGION: u16 = 0;
pub const L_LINE: u16 = 1;
pub const L_DEAL: u16 = 2;
pub const L_LOC: u16 = 3;

pub fn partner_schema() -> Schema {
    Schema {
        fields: vec![
            field("territories", Type::Set(Box::new(Type::Region)), false),
            field("product_lines", Type::Set(Box::new(Type::Text)), false),
            field(
                "certifications",
                Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
                false,
            ),
            field("tier", en(&["gold", "silver", "bronze"]), false),
            field("status", en(&["active", "paused", "suspended"]), false),
            field("capacity", Type::Int, false),
            field("active_leads", Type::Int, false),
            field("rate", Type::Ratio, false),
            field("location", Type::GeoPoint, true),
            field("parent", Type::Text, true),
            field("last_assigned_at", Type::DateTime, true),
            field("weight", Type::Int, false),
        ],
    }
}

pub fn lead_schema() -> Schema {
    Schema {
        fields: vec![
            field("region", Type::Region, false),
            field("product_line", Type::Text, false),
            field("deal_size", Type::Decimal, false),
            field("location", Type::GeoPoint, true),
        ],
    }
}

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// `"US except US-AK, US-HI"`.
pub fn terr(s: &str) -> Territory {
    Territory::parse(s).unwrap()
}

pub fn region(s: &str) -> Value {
    Value::Region(Arc::new(terr(s)))
}

pub fn text(s: &str) -> Value {
    Value::Text(Arc::from(s))
}

pub fn sym(s: &str) -> Value {
    Value::Enum(Arc::from(s))
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Milliseconds of a UTC date at midnight plus `h` hours.
pub fn at(d: &str, h: i64) -> i64 {
    date(d)
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
        + h * 3_600_000
}

/// A partner builder with sensible defaults.
#[derive(Clone)]
pub struct P {
    pub id: String,
    pub terr: Vec<&'static str>,
    pub lines: Vec<&'static str>,
    pub certs: Vec<(&'static str, &'static str)>,
    pub tier: &'static str,
    pub status: &'static str,
    pub cap: i64,
    pub active: i64,
    pub rate: f64,
    pub loc: Option<(f64, f64)>,
    pub parent: Option<&'static str>,
    pub last: Option<i64>,
    pub weight: i64,
}

pub fn p(id: &str) -> P {
    P {
        id: id.into(),
        terr: vec!["US"],
        lines: vec!["hydraulics"],
        certs: vec![],
        tier: "gold",
        status: "active",
        cap: 10,
        active: 0,
        rate: 0.5,
        loc: None,
        parent: None,
        last: None,
        weight: 1,
    }
}

impl P {
    pub fn rec(&self) -> Record {
        let mut terr: Vec<Value> = self.terr.iter().map(|t| region(t)).collect();
        terr.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        let mut lines: Vec<Value> = self.lines.iter().map(|t| text(t)).collect();
        lines.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        let certs: Vec<(Value, Value)> = self
            .certs
            .iter()
            .map(|(n, d)| (text(n), Value::Date(date(d))))
            .collect();
        Record {
            id: Arc::from(self.id.as_str()),
            values: vec![
                Value::Set(terr.into()),
                Value::Set(lines.into()),
                Value::Map(certs.into()),
                sym(self.tier),
                sym(self.status),
                Value::Int(self.cap),
                Value::Int(self.active),
                Value::Float(self.rate),
                self.loc.map_or(Value::Null, |(lat, lon)| {
                    Value::GeoPoint(GeoPoint { lat, lon })
                }),
                self.parent.map_or(Value::Null, text),
                self.last.map_or(Value::Null, Value::DateTime),
                Value::Int(self.weight),
            ],
        }
    }
}

pub fn lead(id: &str, reg: &str, line: &str, deal: i64) -> Record {
    Record {
        id: Arc::from(id),
        values: vec![
            region(reg),
            text(line),
            Value::Decimal(deal.into()),
            Value::Null,
        ],
    }
}

pub fn lead_at(id: &str, reg: &str, line: &str, lat: f64, lon: f64) -> Record {
    let mut r = lead(id, reg, line, 1000);
    r.values[3] = Value::GeoPoint(GeoPoint { lat, lon });
    r
}

pub fn pf(i: u16) -> Box<Expr> {
    Box::new(Expr::Field(Scope::Partner, i))
}
pub fn lf(i: u16) -> Box<Expr> {
    Box::new(Expr::Field(Scope::Lead, i))
}
pub fn lit(v: Value) -> Box<Expr> {
    Box::new(Expr::Lit(v))
}

pub fn covers() -> Require {
    req(
        Expr::Covers(pf(P_TERR), lf(L_REGION)),
        "partner.territories covers lead.region",
        false,
    )
}
pub fn sells() -> Require {
    req(
        Expr::InSet(lf(L_LINE), pf(P_LINES)),
        "lead.product_line in partner.product_lines",
        false,
    )
}
pub fn req(expr: Expr, label: &str, workload: bool) -> Require {
    Require {
        expr,
        label: label.into(),
        workload,
    }
}
pub fn rank_rate() -> Expr {
    Expr::Field(Scope::Partner, P_RATE)
}
pub fn arith(op: ArithOp, a: Expr, b: Expr) -> Expr {
    Expr::Arith(op, Box::new(a), Box::new(b))
}
pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    Expr::Cmp(op, Box::new(a), Box::new(b))
}

pub fn rule(name: &str, requires: Vec<Require>, rank: Option<Expr>, otherwise: Else) -> RouteRule {
    RouteRule {
        name: name.into(),
        when: None,
        requires,
        rank,
        balance: false,
        tie: Tie::RoundRobin { weight: None },
        otherwise,
    }
}

pub fn plan(rules: Vec<RouteRule>, fallback: Fallback) -> Plan {
    Plan {
        name: "test".into(),
        version: 3,
        content_hash: "0123456789abcdef".into(),
        lead_schema: lead_schema(),
        partner_schema: partner_schema(),
        rules,
        fallback,
        calendars: Vec::new(),
        slas: Vec::new(),
        registrations: Vec::new(),
    }
}

/// One rule `main` (territory covered, product line sold, ranked by `rate`), else the queue
/// `inside`.
pub fn main_plan() -> Plan {
    plan(
        vec![rule(
            "main",
            vec![covers(), sells()],
            Some(rank_rate()),
            Else::Next,
        )],
        Fallback::Queue("inside".into()),
    )
}
