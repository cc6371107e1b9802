//! Lowering: each construct compiles to the expected core plan shape.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use std::sync::Arc;

use leadrail_core::geo::{RegionCode, Territory};
use leadrail_core::plan::{ArithOp, CmpOp, Else, Expr, Fallback, Scope, Tie};
use leadrail_core::value::Value;
use leadrail_dsl::compile;
use rust_decimal::Decimal;

const SRC: &str = "ruleset \"c\" version 7
schema lead { region: region, wait: duration, size: int }
schema partner { territories: set<region>, tier: enum(gold, silver), status: enum(active, paused), capacity: int, active_leads: int, certs: map<text, date> }
route \"r\" {
  when    lead.wait < 24h and lead.region not in [\"US-AK\", \"US-HI\"]
  require partner.tier == gold
  require partner.status == active
  require \"hydraulics\" in partner.certs
  rank    15% + 0.6 * 2 + 150 km
}
";

fn region(c: &str, sub: &str) -> Expr {
    let code = RegionCode::parse(sub).unwrap();
    assert_eq!(code.country(), c);
    Expr::Lit(Value::Region(Arc::new(Territory::from(code))))
}

#[test]
fn constructs_lower_to_the_plan() {
    let c = compile(SRC, "c.rail").unwrap();
    let p = &c.plan;
    assert_eq!((p.name.as_str(), p.version), ("c", 7));
    // sha256 of SRC, first 16 hex digits (computed independently)
    assert_eq!(p.content_hash, "b866e528b9ba3241");
    assert_eq!(p.fallback, Fallback::Unrouted);
    let r = &p.rules[0];
    assert_eq!(r.tie, Tie::RoundRobin { weight: None });
    assert_eq!(r.otherwise, Else::Next);
    assert!(!r.balance);
    assert_eq!(
        r.when,
        Some(Expr::And(vec![
            Expr::Cmp(
                CmpOp::Lt,
                Box::new(Expr::Field(Scope::Lead, 1)),
                Box::new(Expr::Lit(Value::Duration(86_400_000)))
            ),
            Expr::Not(Box::new(Expr::InList(
                Box::new(Expr::Field(Scope::Lead, 0)),
                vec![region("US", "US-AK"), region("US", "US-HI")]
            ))),
        ]))
    );
    assert_eq!(
        r.requires[0].expr,
        Expr::Cmp(
            CmpOp::Eq,
            Box::new(Expr::Field(Scope::Partner, 1)),
            Box::new(Expr::Lit(Value::Enum("gold".into())))
        )
    );
    assert_eq!(
        r.requires
            .iter()
            .map(|q| (q.label.as_str(), q.workload))
            .collect::<Vec<_>>(),
        [
            ("partner.tier == gold", false),
            ("partner.status == active", true),
            ("\"hydraulics\" in partner.certs", false)
        ]
    );
    assert_eq!(
        r.requires[2].expr,
        Expr::InSet(
            Box::new(Expr::Lit(Value::Text("hydraulics".into()))),
            Box::new(Expr::Field(Scope::Partner, 5))
        )
    );
    assert_eq!(
        r.rank,
        Some(Expr::Arith(
            ArithOp::Add,
            Box::new(Expr::Arith(
                ArithOp::Add,
                Box::new(Expr::Lit(Value::Float(0.15))),
                Box::new(Expr::Arith(
                    ArithOp::Mul,
                    Box::new(Expr::Lit(Value::Decimal(Decimal::new(6, 1)))),
                    Box::new(Expr::Lit(Value::Int(2)))
                )),
            )),
            Box::new(Expr::Lit(Value::Float(150.0))),
        ))
    );
    assert!(c.warnings.is_empty());
}

#[test]
fn tie_else_and_builtins_lower() {
    let src = "ruleset \"b\" version 1
schema lead { at: geopoint? }
schema partner { at: geopoint?, capacity: int, active_leads: int, w: int, parent: text?, rate: ratio, n: int }
route \"x\" {
  require utilisation(partner) < 0.8
  rank    smoothed(partner.rate, partner.n, 40%, 5) - distance(partner.at, lead.at)
  balance workload
  tie     round_robin weighted by partner.w
  else    parent
}
route \"y\" { tie id  else queue \"q\" }
fallback queue \"f\"
";
    let c = compile(src, "b.rail").unwrap();
    let x = &c.plan.rules[0];
    assert!(x.balance);
    assert_eq!(
        x.tie,
        Tie::RoundRobin {
            weight: Some(Expr::Field(Scope::Partner, 3))
        }
    );
    assert_eq!(x.otherwise, Else::Parent);
    assert!(x.requires[0].workload);
    assert_eq!(
        x.requires[0].expr,
        Expr::Cmp(
            CmpOp::Lt,
            Box::new(Expr::Utilisation {
                active_leads: 2,
                capacity: 1
            }),
            Box::new(Expr::Lit(Value::Decimal(Decimal::new(8, 1))))
        )
    );
    assert_eq!(
        x.rank,
        Some(Expr::Arith(
            ArithOp::Sub,
            Box::new(Expr::Smoothed {
                rate: Box::new(Expr::Field(Scope::Partner, 5)),
                n: Box::new(Expr::Field(Scope::Partner, 6)),
                prior: 0.4,
                weight: 5.0
            }),
            Box::new(Expr::Distance(
                Box::new(Expr::Field(Scope::Partner, 0)),
                Box::new(Expr::Field(Scope::Lead, 0))
            )),
        ))
    );
    let y = &c.plan.rules[1];
    assert_eq!(
        (y.tie.clone(), y.otherwise.clone()),
        (Tie::Id, Else::Queue("q".into()))
    );
    assert_eq!(c.plan.fallback, Fallback::Queue("f".into()));
}

#[test]
fn reports_convert_to_the_core_shape() {
    let err = compile("ruleset \"x\" version 1\nschema lead { a: int }\nschema partner { b: int }\nroute \"r\" { when lead.a = 1 }\n", "x.rail")
        .unwrap_err();
    let r = &err.reports()[0];
    assert_eq!(r.code, "leadrail::parse::unexpected_token");
    assert_eq!(r.file.as_deref(), Some("x.rail"));
    assert_eq!((r.line, r.column), (4, 25));
    assert_eq!((r.labels[0].end_line, r.labels[0].end_column), (4, 26));
    assert_eq!(r.help.as_deref(), Some("use `==` to compare two values"));
    assert_eq!(err.to_string(), "x.rail:4:25: error[leadrail::parse::unexpected_token]: expected a new clause or an operator, found `=`");
}
