//! A portal's single-lead flow (issue 12, item 4): `assign` routes and records exactly as a
//! one-lead batch does, `release` frees a workload slot once, partners are added, changed and
//! removed on a live network, and a call that fails changes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::result_large_err,
    reason = "test code"
)]

mod host_support;

use host_support::*;
use leadrail_core::host::{Host, Instants, Rows, SharedNetwork};
use leadrail_core::network::{Network, NetworkState};
use leadrail_core::record::Record;
use leadrail_core::report::{codes, ErrorReport};
use leadrail_core::route::{Decision, Outcome, RouteOptions};
use serde_json::{json, Value as Json};

fn partner(j: Json) -> Record {
    Record::from_json(&partner_schema(), &j).unwrap()
}

fn lead(j: &Json) -> Record {
    Record::from_json(&lead_schema(), j).unwrap()
}

/// A partner covering the US for line `l0`, with `capacity`, ranked 0.5.
fn us(id: &str, capacity: i64) -> Json {
    json!({"id": id, "territories": ["US"], "lines": ["l0"], "capacity": capacity,
           "active_leads": 0, "score": 0.5})
}

fn us_lead(id: &str) -> Json {
    json!({"id": id, "region": "US-TX", "line": "l0", "size": 1})
}

fn target(d: &Result<Decision, ErrorReport>) -> String {
    match &d.as_ref().unwrap().outcome {
        Outcome::Partner { id } => id.to_string(),
        Outcome::Queue { name } => format!("queue {name}"),
        Outcome::Unrouted => "unrouted".into(),
    }
}

fn shared(partners: &[Json]) -> SharedNetwork {
    let records = partners.iter().cloned().map(partner).collect();
    SharedNetwork::new(
        Network::new(&partner_schema(), records).unwrap(),
        Host::RUST,
    )
}

fn assign(net: &SharedNetwork, id: &str) -> Result<Decision, ErrorReport> {
    net.route_lead(
        &engine(),
        &lead(&us_lead(id)),
        NOW,
        &RouteOptions::default(),
        true,
    )
}

/// The state without the ledger (batches keep none).
fn partners_state(st: &NetworkState) -> Json {
    json!({"seq": st.seq, "partners": serde_json::to_value(&st.partners).unwrap()})
}

#[test]
fn three_assigns_give_the_batch_decisions_where_route_gives_one_partner_thrice() {
    let net = shared(&[us("P1", 10), us("P2", 10)]);
    let engine = engine();
    let what_if: Vec<String> = (0..3)
        .map(|i| {
            let d = net.route_lead(
                &engine,
                &lead(&us_lead(&format!("L{i}"))),
                NOW,
                &Default::default(),
                false,
            );
            target(&d)
        })
        .collect();
    assert_eq!(what_if, ["P1", "P1", "P1"]);
    let assigned: Vec<String> = ["L1", "L2", "L3"]
        .iter()
        .map(|id| target(&assign(&net, id)))
        .collect();
    assert_eq!(assigned, ["P1", "P2", "P1"]);
    let st = net.read(Network::export_state).unwrap();
    assert_eq!(st.partners[0].active_leads, 2);
    assert_eq!(st.partners[1].active_leads, 1);
    let held: Vec<(&str, &str)> = st
        .held
        .iter()
        .map(|h| (h.lead.as_str(), h.partner.as_str()))
        .collect();
    assert_eq!(held, [("L1", "P1"), ("L2", "P2"), ("L3", "P1")]);
}

#[test]
fn assign_lead_by_lead_equals_one_batch_decisions_and_state() {
    let engine = engine();
    let all = leads(400, &[]);
    let single = SharedNetwork::new(network(), Host::RUST);
    let one_by_one: Vec<_> = all
        .iter()
        .enumerate()
        .map(|(i, l)| {
            single.route_lead(
                &engine,
                &lead(l),
                NOW + i as i64,
                &RouteOptions::default(),
                true,
            )
        })
        .collect();
    let mut batch_net = network();
    let batch = Rows::from_json(Host::RUST, &lead_schema(), &all)
        .prepare(&engine)
        .route(
            &engine,
            &mut batch_net,
            &Instants::Step {
                start: NOW,
                step_ms: 1,
            },
            &RouteOptions::default(),
        )
        .decisions();
    assert_eq!(one_by_one, batch);
    let st = single.read(Network::export_state).unwrap();
    assert_eq!(
        partners_state(&st),
        partners_state(&batch_net.export_state())
    );
    // every lead given a partner is held by it
    let routed = batch.iter().filter(|d| target(d).starts_with('P')).count();
    assert_eq!(st.held.len(), routed);
    assert!(routed > 100, "{routed}");
}

#[test]
fn release_frees_the_slot_once() {
    let net = shared(&[us("P1", 1)]);
    assert_eq!(target(&assign(&net, "L1")), "P1");
    assert_eq!(target(&assign(&net, "L2")), "queue triage", "P1 is full");
    assert_eq!(net.release("L1", None).unwrap(), "P1");
    let st = net.read(Network::export_state).unwrap();
    assert_eq!(
        (st.partners[0].active_leads, st.partners[0].version),
        (0, 2)
    );
    assert!(st.held.is_empty());
    // released already (and never assigned): an error that changes nothing
    for id in ["L1", "L2", "nope"] {
        let e = net.release(id, None).unwrap_err();
        assert_eq!(e.code, codes::DATA_UNKNOWN_LEAD);
        assert_eq!(e.message, format!("no held lead `{id}` in the network"));
        assert_eq!(e.record.as_deref(), Some(id));
    }
    assert_eq!(net.read(Network::export_state).unwrap(), st);
    assert_eq!(target(&assign(&net, "L2")), "P1", "the slot is free again");
}

#[test]
fn release_names_the_partner_of_a_lead_routed_in_a_batch() {
    let net = shared(&[us("P1", 1), us("P2", 1)]);
    let engine = engine();
    let rows = Rows::from_json(Host::RUST, &lead_schema(), &[us_lead("B1")]);
    let out = net
        .route_rows(&engine, rows, &Instants::One(NOW), &RouteOptions::default())
        .unwrap()
        .decisions();
    assert_eq!(target(&out[0]), "P1");
    // a batch keeps no ledger: the lead id alone is unknown
    assert_eq!(
        net.release("B1", None).unwrap_err().code,
        codes::DATA_UNKNOWN_LEAD
    );
    assert_eq!(net.release("B1", Some("P1")).unwrap(), "P1");
    let st = net.read(Network::export_state).unwrap();
    assert_eq!(st.partners[0].active_leads, 0);
    let e = net.release("B1", Some("P9")).unwrap_err();
    assert_eq!(e.code, codes::DATA_UNKNOWN_PARTNER);
    // a held lead named with another partner is refused
    assert_eq!(target(&assign(&net, "L1")), "P2");
    let before = net.read(Network::export_state).unwrap();
    assert_eq!(
        net.release("L1", Some("P1")).unwrap_err().code,
        codes::DATA_UNKNOWN_LEAD
    );
    assert_eq!(net.read(Network::export_state).unwrap(), before);
    assert_eq!(net.release("L1", Some("P2")).unwrap(), "P2");
}

#[test]
fn assigning_a_held_lead_is_refused_and_changes_nothing() {
    let net = shared(&[us("P1", 5), us("P2", 5)]);
    assert_eq!(target(&assign(&net, "L1")), "P1");
    let before = net.read(Network::export_state).unwrap();
    let e = assign(&net, "L1").unwrap_err();
    assert_eq!(e.code, codes::DATA_LEAD_HELD);
    assert_eq!(e.message, "lead `L1` is already held by partner `P1`");
    assert_eq!(net.read(Network::export_state).unwrap(), before);
    // released, it may be assigned again (round robin moves on)
    net.release("L1", None).unwrap();
    assert_eq!(target(&assign(&net, "L1")), "P2");
}

#[test]
fn a_removed_partner_is_never_picked_and_its_leads_are_no_longer_held() {
    let net = shared(&[us("P1", 5), us("P2", 5)]);
    assert_eq!(target(&assign(&net, "L1")), "P1");
    net.remove_partner("P1").unwrap();
    assert_eq!(
        net.read(|n| n.holder("L1").map(str::to_owned)).unwrap(),
        None
    );
    for i in 2..6 {
        assert_eq!(target(&assign(&net, &format!("L{i}"))), "P2");
    }
    assert_eq!(
        net.release("L1", None).unwrap_err().code,
        codes::DATA_UNKNOWN_LEAD
    );
    let e = net.remove_partner("P1").unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            codes::DATA_UNKNOWN_PARTNER,
            "no partner `P1` in the network"
        )
    );
    // added again, it starts afresh (and, never assigned, comes first in round robin)
    net.add_partner(partner(us("P1", 5))).unwrap();
    let st = net.read(Network::export_state).unwrap();
    assert_eq!(
        (
            st.partners[0].id.as_str(),
            st.partners[0].active_leads,
            st.partners[0].assigned
        ),
        ("P1", 0, 0)
    );
    assert_eq!(target(&assign(&net, "L9")), "P1");
}

#[test]
fn a_failed_add_or_update_leaves_the_network_as_it_was() {
    let net = shared(&[us("P1", 5), us("P2", 5)]);
    assign(&net, "L1").unwrap();
    let before = net.read(Network::export_state).unwrap();
    let record = net.read(|n| n.partner("P1").cloned()).unwrap();
    // a record of the wrong form: the error names the partner and the field
    let mut bad = us("P1", 5);
    bad["capacity"] = json!(1.5);
    let bad = Record::from_json(&partner_schema(), &bad);
    assert!(bad.is_err(), "{bad:?}");
    let rows = Rows::from_json(
        Host::RUST,
        &partner_schema(),
        &[json!({"id": "P1", "territories": ["US"],
        "lines": ["l0"], "capacity": "five", "active_leads": 0, "score": 0.5})],
    );
    let e = rows.records(&partner_schema()).into_one().unwrap_err();
    assert_eq!(
        (e.record.as_deref(), e.field.as_deref()),
        (Some("P1"), Some("capacity"))
    );
    // update of an unknown partner, add of a known one
    let e = net.update_partner(partner(us("P7", 5))).unwrap_err();
    assert_eq!(e.code, codes::DATA_UNKNOWN_PARTNER);
    let e = net.add_partner(partner(us("P2", 9))).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.record.as_deref()),
        (codes::DATA_DUPLICATE_ID, Some("P2"))
    );
    // a record that does not fit the schema (built by hand)
    let mut wrong = partner(us("P1", 5));
    wrong.values[2] = leadrail_core::value::Value::Text("five".into());
    let e = net.update_partner(wrong.clone()).unwrap_err();
    assert_eq!(
        (e.record.as_deref(), e.field.as_deref()),
        (Some("P1"), Some("capacity"))
    );
    wrong.id = "P3".into();
    let e = net.add_partner(wrong).unwrap_err();
    assert_eq!(
        (e.record.as_deref(), e.field.as_deref()),
        (Some("P3"), Some("capacity"))
    );
    assert_eq!(net.read(Network::export_state).unwrap(), before);
    assert_eq!(net.read(|n| n.partner("P1").cloned()).unwrap(), record);
    assert_eq!(net.read(Network::len).unwrap(), 2);
    // and routing goes on as if nothing happened
    assert_eq!(target(&assign(&net, "L2")), "P2");
}

#[test]
fn an_update_reindexes_and_keeps_the_state() {
    let net = shared(&[us("P1", 5), us("P2", 5)]);
    assign(&net, "L1").unwrap();
    let mut moved = us("P1", 5);
    moved["territories"] = json!(["DE"]);
    moved["active_leads"] = json!(4); // state is kept: the field is not read again
    net.update_partner(partner(moved)).unwrap();
    let st = net.read(Network::export_state).unwrap();
    assert_eq!(
        (
            st.partners[0].active_leads,
            st.partners[0].assigned,
            st.partners[0].version
        ),
        (1, 1, 2)
    );
    assert_eq!(
        net.read(|n| n.holder("L1").map(str::to_owned))
            .unwrap()
            .as_deref(),
        Some("P1")
    );
    for i in 2..5 {
        assert_eq!(
            target(&assign(&net, &format!("L{i}"))),
            "P2",
            "P1 no longer covers the US"
        );
    }
    let de = json!({"id": "D1", "region": "DE-BY", "line": "l0", "size": 1});
    let d = net.route_lead(&engine(), &lead(&de), NOW, &RouteOptions::default(), true);
    assert_eq!(target(&d), "P1");
}

#[test]
fn held_leads_travel_with_the_state() {
    let net = shared(&[us("P1", 5), us("P2", 5)]);
    assign(&net, "L1").unwrap();
    assign(&net, "L2").unwrap();
    let st = net.read(Network::export_state).unwrap();
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(
        json["held"],
        json!([{"lead": "L1", "partner": "P1"}, {"lead": "L2", "partner": "P2"}])
    );
    let copy = shared(&[us("P1", 5), us("P2", 5)]);
    copy.write(|n| n.import_state(&st)).unwrap().unwrap();
    assert_eq!(copy.release("L2", None).unwrap(), "P2");
    // a holder the network does not have: refused, nothing changes
    let mut bad = st.clone();
    bad.held[0].partner = "P9".into();
    bad.seq = 99;
    let before = copy.read(Network::export_state).unwrap();
    let e = copy.write(|n| n.import_state(&bad)).unwrap().unwrap_err();
    assert_eq!(e.to_string(), "no partner `P9` in the network");
    assert_eq!(copy.read(Network::export_state).unwrap(), before);
    // a state without `held` (an older export) empties the ledger; an empty ledger is omitted
    let old: NetworkState = serde_json::from_value(json!({"seq": 0, "partners": []})).unwrap();
    copy.write(|n| n.import_state(&old)).unwrap().unwrap();
    assert!(
        serde_json::to_value(copy.read(Network::export_state).unwrap())
            .unwrap()
            .get("held")
            .is_none()
    );
}

#[test]
fn the_shared_network_is_send_and_sync_and_assigns_from_threads() {
    let net = shared(&[us("P1", 1000), us("P2", 1000)]);
    std::thread::scope(|s| {
        for t in 0..4 {
            let net = &net;
            s.spawn(move || {
                for i in 0..50 {
                    assign(net, &format!("T{t}-{i}")).unwrap();
                }
            });
        }
    });
    let st = net.read(Network::export_state).unwrap();
    assert_eq!(st.held.len(), 200);
    assert_eq!(
        st.partners[0].active_leads + st.partners[1].active_leads,
        200
    );
    assert_eq!(
        (st.partners[0].active_leads, st.seq),
        (100, 200),
        "round robin alternates"
    );
}
