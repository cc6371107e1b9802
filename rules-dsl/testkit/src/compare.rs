//! The engine against the reference evaluator: [`assert_engine_agrees`] routes a [`Case`] with
//! every path of `leadrail_core::route::Engine` and with [`crate::reference`], and panics on the
//! first difference.
#![expect(
    clippy::panic,
    reason = "test support: a disagreement, or a case that cannot be built, fails the test or \
              the fuzz target with a panic"
)]

use std::path::Path;
use std::sync::Arc;

use leadrail_core::network::Network;
use leadrail_core::plan::Plan;
use leadrail_core::record::Record;
use leadrail_core::route::{Engine, Outcome, RouteOptions, Times};
use leadrail_core::schema::Schema;
use leadrail_core::value::EpochMs;
use leadrail_dsl::Diagnostics;
use serde_json::Value as Json;

use crate::reference::{route_batch, RefNetwork, RefOutcome, RefRuleset};

/// Rules, partners and leads to route, with each lead's routing instant.
#[derive(Debug, Clone)]
pub struct Case {
    /// The rule text.
    pub text: String,
    /// The compiled plan.
    pub plan: Arc<Plan>,
    /// The partners, in load order.
    pub partners: Vec<Record>,
    /// The leads, routed in this order as one batch.
    pub leads: Vec<Record>,
    /// One routing instant per lead.
    pub times: Vec<EpochMs>,
    /// The partners and leads as given, quoted when the engine and the reference disagree.
    pub data: String,
}

impl Case {
    /// Compiles `text` and reads the partners and leads (JSON records; each lead with its
    /// routing instant). `Err` with the diagnostics when the text does not compile; panics when
    /// a record does not fit its schema (the records are the test's own).
    pub fn from_json(
        text: &str,
        partners: &[Json],
        leads: &[(Json, EpochMs)],
    ) -> Result<Case, Diagnostics> {
        let plan = Arc::new(leadrail_dsl::compile(text, "diff.rail")?.plan);
        let read = |schema: &Schema, j: &Json| {
            Record::from_json(schema, j)
                .unwrap_or_else(|e| panic!("a generated record does not parse: {e}\n{j}"))
        };
        let data = format!(
            "partners: {}\nleads: {}",
            Json::from(partners.to_vec()),
            Json::from(leads.iter().map(|(j, _)| j.clone()).collect::<Vec<_>>()),
        );
        Ok(Case {
            text: text.to_string(),
            partners: partners
                .iter()
                .map(|j| read(&plan.partner_schema, j))
                .collect(),
            leads: leads
                .iter()
                .map(|(j, _)| read(&plan.lead_schema, j))
                .collect(),
            times: leads.iter().map(|(_, t)| *t).collect(),
            plan,
            data,
        })
    }

    /// The bundled example (`examples/industrial`: its rules, partners and leads, the leads a
    /// minute apart from 2026-11-24T09:00:00Z): a realistic rule file with every construct
    /// together, on data nobody tuned for the differential tests.
    pub fn bundled_example() -> Case {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/industrial");
        let text = std::fs::read_to_string(root.join("rules.rail"))
            .unwrap_or_else(|e| panic!("examples/industrial/rules.rail: {e}"));
        let plan = leadrail_dsl::compile(&text, "rules.rail")
            .unwrap_or_else(|e| panic!("examples/industrial/rules.rail: {e}"))
            .plan;
        let partners = read_csv(&root.join("partners.csv"), &plan.partner_schema);
        let leads = read_csv(&root.join("leads.csv"), &plan.lead_schema);
        let times = (0..leads.len())
            .map(|i| crate::scenario::NOW0 + i as EpochMs * 60_000)
            .collect();
        Case {
            text,
            plan: Arc::new(plan),
            partners,
            leads,
            times,
            data: "data: examples/industrial/{partners,leads}.csv".to_string(),
        }
    }
}

/// The records of a CSV file with a header row.
fn read_csv(path: &Path, schema: &Schema) -> Vec<Record> {
    let fail = |e: &dyn std::fmt::Display| -> ! { panic!("{}: {e}", path.display()) };
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| fail(&e));
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => fail(&e),
    };
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    reader
        .records()
        .map(|row| {
            let row = row.unwrap_or_else(|e| fail(&e));
            let cells: Vec<&str> = row.iter().collect();
            Record::from_text(schema, &headers, &cells).unwrap_or_else(|e| fail(&e))
        })
        .collect()
}

/// What the engine and the reference agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    /// Leads routed.
    pub leads: usize,
    /// Leads that went to a partner.
    pub to_partner: usize,
}

/// Routes the case's leads as one batch with every path of the engine and with the reference
/// evaluator, each from a freshly loaded network, and asserts:
///
/// - the prepared (fused) path decides exactly like the record path, and leaves the same state;
/// - the compact results, read as borrowed views, are the same decisions as their own expansion,
///   without and with explanations, and (without) the same as the prepared path's, leaving the
///   same state;
/// - the reference gives every lead the same outcome and deciding rule (so the state updates,
///   workload and round-robin recency, agree too: they decide the later leads).
///
/// Panics on the first difference, quoting the rules and the data.
pub fn assert_engine_agrees(case: &Case) -> Agreement {
    let Case {
        text,
        plan,
        partners,
        leads,
        times,
        data,
    } = case;
    let engine = Engine::new(Arc::clone(plan))
        .unwrap_or_else(|e| panic!("the engine does not build: {e}\nrules:\n{text}"));
    let load = || {
        Network::for_plan(plan, partners.clone())
            .unwrap_or_else(|e| panic!("the network does not load: {e}\nrules:\n{text}\n{data}"))
    };
    let mut network = load();
    let got = engine.route_batch(
        &mut network,
        leads,
        Times::Each(times),
        &RouteOptions::default(),
    );
    // the prepared (fused) path decides exactly like the record path, state included
    let mut n2 = load();
    let prepared = engine.route_prepared(
        &mut n2,
        &engine.prepare_leads(leads.to_vec()),
        Times::Each(times),
        &RouteOptions::default(),
    );
    assert_eq!(
        got, prepared,
        "prepared path differs\nrules:\n{text}\n{data}"
    );
    assert_eq!(
        network.export_state(),
        n2.export_state(),
        "prepared path state differs\nrules:\n{text}\n{data}"
    );
    // the borrowed views of compact results are the same decisions, without and with
    // explanations (full decisions from the general path)
    for explain in [false, true] {
        let opts = RouteOptions {
            explain,
            ..RouteOptions::default()
        };
        let mut n3 = load();
        let compact = engine.route_prepared_compact(
            &mut n3,
            &engine.prepare_leads(leads.to_vec()),
            Times::Each(times),
            &opts,
        );
        let mut viewed = Vec::with_capacity(leads.len());
        for v in compact.views() {
            viewed.push(match v {
                Ok(d) => Ok(d.to_decision()),
                Err(e) => Err(e.clone()),
            });
        }
        assert_eq!(
            viewed,
            compact.decisions(),
            "views differ (explain {explain})\nrules:\n{text}\n{data}"
        );
        if !explain {
            assert_eq!(
                viewed, prepared,
                "compact path differs\nrules:\n{text}\n{data}"
            );
        }
        assert_eq!(
            network.export_state(),
            n3.export_state(),
            "compact path state differs (explain {explain})\nrules:\n{text}\n{data}"
        );
    }

    let rs = RefRuleset::new(text, "diff.rail")
        .unwrap_or_else(|e| panic!("the reference does not read the rules: {e}\n{text}"));
    let mut refnet = RefNetwork::new(rs.partner_schema(), partners.clone());
    let batch: Vec<(Record, EpochMs)> = leads.iter().cloned().zip(times.iter().copied()).collect();
    let want = route_batch(&rs, &mut refnet, &batch);
    assert_eq!(got.len(), want.len(), "one decision per lead");

    let mut to_partner = 0;
    for ((lead, g), w) in leads.iter().zip(&got).zip(&want) {
        let g = g
            .as_ref()
            .unwrap_or_else(|e| panic!("lead {}: {e:?}\nrules:\n{text}\n{data}", lead.id));
        let g_outcome = match &g.outcome {
            Outcome::Partner { id } => {
                to_partner += 1;
                RefOutcome::Partner(id.clone())
            }
            Outcome::Queue { name } => RefOutcome::Queue(name.to_string()),
            Outcome::Unrouted => RefOutcome::Unrouted,
        };
        // the engine names the fallback `fallback`; the reference gives no rule
        let g_rule = g
            .rule
            .as_deref()
            .filter(|r| *r != "fallback")
            .map(str::to_string);
        assert_eq!(
            (&g_outcome, &g_rule),
            (&w.outcome, &w.rule),
            "lead {} differs (engine left, reference right)\nrules:\n{text}\n{data}",
            lead.id
        );
    }
    Agreement {
        leads: leads.len(),
        to_partner,
    }
}
