//! Issue 14: the stage-weighted forecast on crafted leads with hand-computed probabilities, and
//! measured values written back into partner fields for routing.
#![expect(clippy::unwrap_used, reason = "test code")]

mod kpi_support;

use std::sync::Arc;

use kpi_support::*;
use leadrail_core::kpi::{
    self, ForecastOptions, GroupBy, KpiInput, KpiOptions, LeadInfo, MeasureFields, RangeMethod,
};
use leadrail_core::network::Network;
use leadrail_core::record::Record;
use leadrail_core::schema::{Field, Schema};
use leadrail_core::timeline::Timeline;
use leadrail_core::value::{Type, Value};
use rust_decimal::Decimal;

const NOW: i64 = T0 + 100 * H;

/// Closed leads: C1 (P1, proposal, won), C2 (P1, proposal, lost), C3 (P2, proposal, won),
/// C4 (qualified unheld, then P2; proposal; lost), C5 (P1, no stage, won).
/// Open leads: O1 (P1, proposal, 1000), O2 (P2, qualified, 2000), O3 (unheld, proposal, 400),
/// O4 (P3, negotiation, 500), O5 (P1, no stage, 700), O6 (P1, proposal, no amount).
fn leads() -> (Vec<Timeline>, Vec<LeadInfo>) {
    let timelines = vec![
        tl("C1", vec![assigned(0, "P1"), stage(1, "proposal"), won(5)]),
        tl("C2", vec![assigned(0, "P1"), stage(1, "proposal"), lost(5)]),
        tl("C3", vec![assigned(0, "P2"), stage(1, "proposal"), won(5)]),
        tl(
            "C4",
            vec![
                stage(0, "qualified"),
                assigned(1, "P2"),
                stage(2, "proposal"),
                lost(5),
            ],
        ),
        tl("C5", vec![assigned(0, "P1"), won(3)]),
        tl("O1", vec![assigned(0, "P1"), stage(1, "proposal")]),
        tl("O2", vec![assigned(0, "P2"), stage(1, "qualified")]),
        tl("O3", vec![stage(1, "proposal")]),
        tl("O4", vec![assigned(0, "P3"), stage(1, "negotiation")]),
        tl("O5", vec![assigned(0, "P1")]),
        tl("O6", vec![assigned(0, "P1"), stage(1, "proposal")]),
    ];
    let amount = |id: &str, a: Option<i64>| LeadInfo {
        id: id.into(),
        amount: a.map(Decimal::from),
        region: None,
        product_line: None,
    };
    let records = vec![
        amount("O1", Some(1000)),
        amount("O2", Some(2000)),
        amount("O3", Some(400)),
        amount("O4", Some(500)),
        amount("O5", Some(700)),
        amount("O6", None),
        amount("C1", Some(99)),
    ];
    (timelines, records)
}

fn opts(by: &[&str], m: f64) -> KpiOptions {
    KpiOptions {
        by: GroupBy::parse(by.iter().copied()).unwrap(),
        forecast: ForecastOptions {
            m,
            detail: true,
            ..ForecastOptions::default()
        },
        ..KpiOptions::default()
    }
}

#[test]
fn probabilities_expected_values_and_exact_range() {
    let (ts, records) = leads();
    let input = KpiInput::new(&ts).with_leads(&records);
    let f = kpi::forecast(&input, NOW, &opts(&["partner"], 10.0)).unwrap();
    // closed: 5, won 3
    assert_eq!(
        (f.overall.closed, f.overall.won, f.overall.rate),
        (5, 3, Some(0.6))
    );
    // proposal: C1..C4 were in it (C4 under P2), 2 won; qualified: C4 (unheld, then P2);
    // negotiation: no closed lead, so the overall rate
    let stages: Vec<(&str, u64, u64, Option<f64>)> = f
        .stages
        .iter()
        .map(|s| (s.stage.as_deref().unwrap(), s.closed, s.won, s.rate))
        .collect();
    assert_eq!(
        stages,
        vec![
            ("negotiation", 0, 0, Some(0.6)),
            ("proposal", 4, 2, Some(0.5)),
            ("qualified", 1, 0, Some(0.0)),
        ]
    );
    // O1: P1 held C1, C2 in proposal: (1 + 10 x 0.5) / (2 + 10) = 0.5
    // O2: P2 held C4 in qualified: (0 + 10 x 0) / (1 + 10) = 0
    // O3: unheld: R_proposal = 0.5
    // O4: P3 never held a closed lead in negotiation: (0 + 10 x 0.6) / 10 = 0.6
    let probs: Vec<(&str, f64)> = f
        .leads
        .as_ref()
        .unwrap()
        .iter()
        .map(|l| (l.lead.as_str(), l.probability))
        .collect();
    assert_eq!(
        probs,
        vec![("O1", 0.5), ("O2", 0.0), ("O3", 0.5), ("O4", 0.6)]
    );
    assert_eq!((f.total.leads, f.total.amount), (4, 3900.0));
    assert_eq!(f.total.expected, 500.0 + 0.0 + 200.0 + 300.0);
    // O5 has no stage, O6 no amount
    assert_eq!((f.left_out.leads, f.left_out.amount), (2, 700.0));
    let groups: Vec<(Option<&str>, u64, f64, f64)> = f
        .groups
        .iter()
        .map(|g| (g.key.partner.as_deref(), g.leads, g.amount, g.expected))
        .collect();
    assert_eq!(
        groups,
        vec![
            (None, 1, 400.0, 200.0),
            (Some("P1"), 1, 1000.0, 500.0),
            (Some("P2"), 1, 2000.0, 0.0),
            (Some("P3"), 1, 500.0, 300.0),
        ]
    );
    // T = 1000 B1 + 400 B3 + 500 B4: P(T <= 0) = 0.5 x 0.5 x 0.4 = 0.1; P(T <= 1500) = 0.85,
    // P(T <= 1900) = 1
    assert_eq!(f.range.method, RangeMethod::Exact);
    assert_eq!((f.range.p10, f.range.p90), (0.0, 1900.0));
}

#[test]
fn m_zero_uses_the_partner_rate_alone_and_r_s_when_n_plus_m_is_zero() {
    let (ts, records) = leads();
    let input = KpiInput::new(&ts).with_leads(&records);
    let f = kpi::forecast(&input, NOW, &opts(&[], 0.0)).unwrap();
    let probs: Vec<f64> = f.leads.unwrap().iter().map(|l| l.probability).collect();
    // O1: 1/2; O2: 0/1; O3: unheld 0.5; O4: n + m = 0, so R_negotiation = 0.6
    assert_eq!(probs, vec![0.5, 0.0, 0.5, 0.6]);
}

#[test]
fn without_a_closed_lead_every_open_lead_is_left_out() {
    let (ts, records) = leads();
    let open: Vec<Timeline> = ts.into_iter().filter(|t| t.lead.starts_with('O')).collect();
    let f = kpi::forecast(
        &KpiInput::new(&open).with_leads(&records),
        NOW,
        &opts(&[], 10.0),
    )
    .unwrap();
    assert_eq!(f.overall.rate, None);
    assert_eq!((f.total.leads, f.total.expected), (0, 0.0));
    assert_eq!((f.left_out.leads, f.left_out.amount), (6, 4600.0));
    assert!(f.groups.is_empty());
}

#[test]
fn a_large_forecast_draws_its_range_reproducibly() {
    // 40 open leads of 100 each, every one at probability 0.5 (unheld, in `proposal`)
    let (mut ts, mut records) = leads();
    for i in 0..40 {
        let id = format!("X{i:02}");
        ts.push(tl(&id, vec![stage(1, "proposal")]));
        records.push(LeadInfo {
            id,
            amount: Some(Decimal::from(100)),
            region: None,
            product_line: None,
        });
    }
    let input = KpiInput::new(&ts).with_leads(&records);
    let f = kpi::forecast(&input, NOW, &opts(&[], 10.0)).unwrap();
    assert_eq!(f.range.method, RangeMethod::Draws);
    assert_eq!((f.range.draws, f.range.seed), (Some(10_000), Some(0)));
    assert_eq!(f.total.leads, 44);
    assert_eq!(f.total.expected, 1000.0 + 2000.0);
    let [lo, hi] = f.range.p90_interval.unwrap();
    assert!(lo <= f.range.p90 && f.range.p90 <= hi);
    assert!(f.range.p10 < f.total.expected && f.total.expected < f.range.p90);
    // the same seed gives the same range; inputs in another order too
    ts.reverse();
    records.reverse();
    let again = kpi::forecast(
        &KpiInput::new(&ts).with_leads(&records),
        NOW,
        &opts(&[], 10.0),
    );
    assert_eq!(again.unwrap(), f);
}

fn partner_schema() -> Schema {
    let field = |name: &str, ty: Type, optional: bool| Field {
        name: name.into(),
        ty,
        optional,
    };
    Schema {
        fields: vec![
            field("acceptance_rate", Type::Ratio, false),
            field("conversion_rate", Type::Ratio, true),
            field("leads_received", Type::Int, false),
            field("response", Type::Duration, true),
        ],
    }
}

#[test]
fn measures_are_written_into_partner_fields() {
    let ts = vec![
        tl("A", vec![assigned(0, "P1"), accepted(2, "P1"), won(10)]),
        tl("B", vec![assigned(0, "P1"), rejected(4, "P1", "busy")]),
        tl("C", vec![assigned(0, "P2")]),
    ];
    let report = kpi::kpis(&KpiInput::new(&ts), NOW, &opts(&["partner"], 10.0)).unwrap();
    let measures = kpi::measures(&report).unwrap();
    assert_eq!(measures.len(), 2);
    assert_eq!(measures[0].partner, "P1");
    assert_eq!(measures[0].get("leads_received"), Some(2.0));
    assert_eq!(measures[0].get("acceptance_rate"), Some(0.5));
    assert_eq!(
        measures[0].get("median_response_time"),
        Some(3.0 * H as f64)
    );

    let schema = partner_schema();
    let rec = |id: &str| Record {
        id: Arc::from(id),
        values: vec![
            Value::Float(0.9),
            Value::Float(0.9),
            Value::Int(0),
            Value::Null,
        ],
    };
    let mut net = Network::new(&schema, vec![rec("P1"), rec("P2"), rec("P3")]).unwrap();
    let mut fields = MeasureFields::usual(&schema);
    assert_eq!(fields.0.len(), 3, "{fields:?}");
    fields
        .0
        .insert("median_response_time".into(), "response".into());
    let changed = kpi::apply_measures(&mut net, &measures, &fields).unwrap();
    assert_eq!(changed, 3);
    let values = |id: &str| net.partner(id).unwrap().values.clone();
    assert_eq!(
        values("P1"),
        vec![
            Value::Float(0.5),
            Value::Float(0.5),
            Value::Int(2),
            Value::Duration(3 * H),
        ]
    );
    // P2: one pending assignment: no acceptance rate (the required field keeps its value)
    assert_eq!(
        values("P2"),
        vec![
            Value::Float(0.9),
            Value::Float(0.0),
            Value::Int(1),
            Value::Null
        ]
    );
    // P3: no assignment: 0 received, the optional rate cleared
    assert_eq!(
        values("P3"),
        vec![Value::Float(0.9), Value::Null, Value::Int(0), Value::Null]
    );
    assert_eq!(net.state("P1").unwrap().version, 1);

    // a measure into a field of the wrong type, or a field the schema lacks
    let bad = MeasureFields([("acceptance_rate".to_string(), "leads_received".to_string())].into());
    let err = kpi::apply_measures(&mut net, &measures, &bad).unwrap_err();
    assert_eq!(err.code, "leadrail::type::mismatch");
    assert_eq!(err.field.as_deref(), Some("leads_received"));
    let bad = MeasureFields([("acceptance_rate".to_string(), "nope".to_string())].into());
    let err = kpi::apply_measures(&mut net, &measures, &bad).unwrap_err();
    assert_eq!(err.code, "leadrail::type::unknown_field");
    let bad = MeasureFields([("speed".to_string(), "response".to_string())].into());
    assert!(kpi::apply_measures(&mut net, &measures, &bad).is_err());
    // measures need a report by partner only
    let by_month = kpi::kpis(&KpiInput::new(&ts), NOW, &opts(&["partner", "month"], 10.0));
    assert!(kpi::measures(&by_month.unwrap()).is_err());
}
