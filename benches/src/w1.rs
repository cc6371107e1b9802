//! The W1 workload (BENCH.md): 1,000 partners x 100,000 leads, generated from a seed.
//!
//! The random source is [`crate::rng::SplitMix64`] (draws by multiply-shift), so the data never
//! drifts with a `rand` release. The plan is built programmatically (the W1 rule), with the partner and lead
//! schemas below.

use crate::rng::SplitMix64;
use std::sync::Arc;

use leadrail_core::geo::{RegionCode, Territory};
use leadrail_core::plan::{
    ArithOp, CmpOp, Else, Expr, Fallback, Plan, Require, RouteRule, Scope, Tie,
};
use leadrail_core::record::{Column, Record};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::{EpochMs, Type, Value};
use serde_json::Value as Json;

/// 200 ISO 3166-1 country codes used as W1's region codes.
pub const REGIONS: [&str; 200] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI",
];

/// Number of product lines.
pub const LINES: usize = 20;

/// The start instant of the lead stream (2026-01-05T09:00:00Z); leads are one second apart.
pub const START: EpochMs = 1_767_603_600_000;
/// The gap between consecutive leads.
pub const STEP: i64 = 1_000;

/// Tier codes.
pub const GOLD: u8 = 0;

/// A W1 partner in raw form.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPartner {
    /// Region indexes.
    pub territories: Vec<u16>,
    /// Product line indexes.
    pub certifications: Vec<u8>,
    /// 0 gold, 1 silver, 2 bronze.
    pub tier: u8,
    /// Capacity.
    pub capacity: i64,
    /// Active leads.
    pub active_leads: i64,
    /// Acceptance rate.
    pub acceptance_rate: f64,
    /// Conversion rate.
    pub conversion_rate: f64,
    /// Last assignment instant.
    pub last_assigned_at: EpochMs,
}

/// A W1 lead in raw form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawLead {
    /// Region index.
    pub region: u16,
    /// Product line index.
    pub line: u8,
    /// Deal size (whole currency units).
    pub deal_size: i64,
}

/// A W1 lead as a host holds it before anything is resolved: strings and a number, as read
/// from a CRM row or a CSV line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRow {
    /// The lead's id (`L000000`..).
    pub id: String,
    /// The region code (`DE`, `US`, ...).
    pub region: String,
    /// The product line name (`line-07`).
    pub product_line: String,
    /// Deal size (whole currency units).
    pub deal_size: i64,
}

/// The W1 workload.
#[derive(Debug, Clone)]
pub struct W1 {
    /// Partners, raw.
    pub partners: Vec<RawPartner>,
    /// Leads, raw.
    pub leads: Vec<RawLead>,
}

/// The product line name of an index.
pub fn line_name(i: usize) -> String {
    format!("line-{i:02}")
}

/// The partner id of an index.
pub fn partner_id(i: usize) -> String {
    format!("P{i:04}")
}

impl W1 {
    /// Generates W1 with `partners` partners and `leads` leads (BENCH.md: 1,000 and 100,000).
    pub fn generate(seed: u64, partners: usize, leads: usize) -> W1 {
        let mut rng = SplitMix64::new(seed);
        let mut minutes: Vec<i64> = (1..=partners as i64).collect();
        for i in (1..minutes.len()).rev() {
            let j = rng.below_uniform(i as u64 + 1) as usize;
            minutes.swap(i, j);
        }
        let ps = (0..partners)
            .map(|i| {
                let t = rng.unit();
                let tier = if t < 0.1 {
                    0
                } else if t < 0.4 {
                    1
                } else {
                    2
                };
                let nt = 1 + rng.below_uniform(5) as usize;
                let territories = rng
                    .distinct(nt, REGIONS.len())
                    .into_iter()
                    .map(|x| x as u16)
                    .collect();
                let nc = rng.below_uniform(7) as usize;
                let certifications = rng
                    .distinct(nc, LINES)
                    .into_iter()
                    .map(|x| x as u8)
                    .collect();
                let capacity = 20 + rng.below_uniform(181) as i64;
                let active_leads = rng.below_uniform((capacity / 2) as u64) as i64;
                let acceptance_rate = rng.below_uniform(1001) as f64 / 1000.0;
                let conversion_rate = rng.below_uniform(1001) as f64 / 1000.0;
                let last = START - minutes.get(i).copied().unwrap_or(1) * 60_000;
                RawPartner {
                    territories,
                    certifications,
                    tier,
                    capacity,
                    active_leads,
                    acceptance_rate,
                    conversion_rate,
                    last_assigned_at: last,
                }
            })
            .collect();
        let (lo, hi) = (1_000f64.ln(), 500_000f64.ln());
        let ls = (0..leads)
            .map(|_| RawLead {
                region: rng.below_uniform(REGIONS.len() as u64) as u16,
                line: rng.below_uniform(LINES as u64) as u8,
                deal_size: (lo + rng.unit() * (hi - lo)).exp().round() as i64,
            })
            .collect();
        W1 {
            partners: ps,
            leads: ls,
        }
    }

    /// The partner schema (field order matches [`W1::partner_records`]).
    pub fn partner_schema() -> Schema {
        let f = |name: &str, ty: Type| Field {
            name: name.into(),
            ty,
            optional: false,
        };
        Schema {
            fields: vec![
                f("territories", Type::Set(Box::new(Type::Region))),
                f("certifications", Type::Set(Box::new(Type::Text))),
                f(
                    "tier",
                    Type::Enum(Arc::from(vec![
                        "gold".to_string(),
                        "silver".to_string(),
                        "bronze".to_string(),
                    ])),
                ),
                f("capacity", Type::Int),
                f("active_leads", Type::Int),
                f("acceptance_rate", Type::Ratio),
                f("conversion_rate", Type::Ratio),
                f("last_assigned_at", Type::DateTime),
            ],
        }
    }

    /// The lead schema.
    pub fn lead_schema() -> Schema {
        let f = |name: &str, ty: Type| Field {
            name: name.into(),
            ty,
            optional: false,
        };
        Schema {
            fields: vec![
                f("region", Type::Region),
                f("product_line", Type::Text),
                f("deal_size", Type::Decimal),
            ],
        }
    }

    /// The W1 plan: one route rule (BENCH.md), fallback unrouted.
    pub fn plan() -> Plan {
        let p = |i: u16| Box::new(Expr::Field(Scope::Partner, i));
        let l = |i: u16| Box::new(Expr::Field(Scope::Lead, i));
        let lit = |v: Value| Box::new(Expr::Lit(v));
        let req = |expr: Expr, label: &str, workload: bool| Require {
            expr,
            label: label.into(),
            workload,
        };
        let mul = |a: Box<Expr>, b: Box<Expr>| Box::new(Expr::Arith(ArithOp::Mul, a, b));
        let rank = Expr::Arith(
            ArithOp::Add,
            Box::new(Expr::Arith(
                ArithOp::Add,
                mul(lit(Value::Float(0.5)), p(5)),
                mul(lit(Value::Float(0.3)), p(6)),
            )),
            mul(
                lit(Value::Float(0.2)),
                Box::new(Expr::Arith(
                    ArithOp::Sub,
                    lit(Value::Int(1)),
                    Box::new(Expr::Arith(ArithOp::Div, p(4), p(3))),
                )),
            ),
        );
        Plan {
            name: "w1".into(),
            version: 1,
            content_hash: "0000000000000w01".into(),
            lead_schema: W1::lead_schema(),
            partner_schema: W1::partner_schema(),
            rules: vec![RouteRule {
                name: "w1".into(),
                when: None,
                requires: vec![
                    req(
                        Expr::Covers(p(0), l(0)),
                        "partner.territories covers lead.region",
                        false,
                    ),
                    req(
                        Expr::InSet(l(1), p(1)),
                        "lead.product_line in partner.certifications",
                        false,
                    ),
                    req(
                        Expr::Cmp(CmpOp::Lt, p(4), p(3)),
                        "partner.active_leads < partner.capacity",
                        true,
                    ),
                    req(
                        Expr::Or(vec![
                            Expr::Cmp(CmpOp::Lt, l(2), lit(Value::Int(100_000))),
                            Expr::Cmp(CmpOp::Eq, p(2), lit(Value::Enum(Arc::from("gold")))),
                        ]),
                        "lead.deal_size < 100_000 or partner.tier == gold",
                        false,
                    ),
                ],
                rank: Some(rank),
                balance: false,
                tie: Tie::RoundRobin { weight: None },
                otherwise: Else::Next,
            }],
            fallback: Fallback::Unrouted,
            calendars: Vec::new(),
            slas: Vec::new(),
            registrations: Vec::new(),
        }
    }

    /// Partners as records of [`W1::partner_schema`].
    pub fn partner_records(&self) -> Vec<Record> {
        let tiers = ["gold", "silver", "bronze"];
        self.partners
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let terr: Vec<Value> = p
                    .territories
                    .iter()
                    .map(|r| region_value(REGIONS.get(usize::from(*r)).copied().unwrap_or("AD")))
                    .collect();
                let certs: Vec<Value> = p
                    .certifications
                    .iter()
                    .map(|c| Value::Text(Arc::from(line_name(usize::from(*c)))))
                    .collect();
                Record {
                    id: Arc::from(partner_id(i)),
                    values: vec![
                        Value::Set(terr.into()),
                        Value::Set(certs.into()),
                        Value::Enum(Arc::from(
                            tiers.get(usize::from(p.tier)).copied().unwrap_or("bronze"),
                        )),
                        Value::Int(p.capacity),
                        Value::Int(p.active_leads),
                        Value::Float(p.acceptance_rate),
                        Value::Float(p.conversion_rate),
                        Value::DateTime(p.last_assigned_at),
                    ],
                }
            })
            .collect()
    }

    /// Leads as records of [`W1::lead_schema`].
    pub fn lead_records(&self) -> Vec<Record> {
        let regions: Vec<Value> = REGIONS.iter().map(|r| region_value(r)).collect();
        let lines: Vec<Value> = (0..LINES)
            .map(|i| Value::Text(Arc::from(line_name(i))))
            .collect();
        self.leads
            .iter()
            .enumerate()
            .map(|(i, l)| Record {
                id: Arc::from(format!("L{i:06}")),
                values: vec![
                    regions
                        .get(usize::from(l.region))
                        .cloned()
                        .unwrap_or(Value::Null),
                    lines
                        .get(usize::from(l.line))
                        .cloned()
                        .unwrap_or(Value::Null),
                    Value::Decimal(l.deal_size.into()),
                ],
            })
            .collect()
    }

    /// Leads as a host holds them: one row of strings per lead (see [`LeadRow`]).
    pub fn lead_rows(&self) -> Vec<LeadRow> {
        self.leads
            .iter()
            .enumerate()
            .map(|(i, l)| LeadRow {
                id: format!("L{i:06}"),
                region: REGIONS
                    .get(usize::from(l.region))
                    .map_or_else(String::new, |r| (*r).to_owned()),
                product_line: line_name(usize::from(l.line)),
                deal_size: l.deal_size,
            })
            .collect()
    }

    /// Leads as the Python and Node bindings pass columns to core: the ids as texts, region and
    /// product line dictionary-encoded, deal sizes as integers (the columns in the order of
    /// [`W1::lead_schema`]'s fields).
    pub fn lead_columns(&self) -> (Column, [Column; 3]) {
        let ids = Column::Text(
            (0..self.leads.len())
                .map(|i| Some(Arc::from(format!("L{i:06}"))))
                .collect(),
        );
        let regions = Column::Dict {
            dict: REGIONS.iter().map(|r| Json::from(*r)).collect(),
            codes: self.leads.iter().map(|l| u32::from(l.region)).collect(),
        };
        let lines = Column::Dict {
            dict: (0..LINES).map(|i| Json::from(line_name(i))).collect(),
            codes: self.leads.iter().map(|l| u32::from(l.line)).collect(),
        };
        let sizes = Column::Int(self.leads.iter().map(|l| Some(l.deal_size)).collect());
        (ids, [regions, lines, sizes])
    }
}

/// A country-level region value (`Null` if `code` is not an ISO 3166-1 country).
pub fn region_value(code: &str) -> Value {
    RegionCode::parse(code).map_or(Value::Null, |r| Value::Region(Arc::new(Territory::from(r))))
}
