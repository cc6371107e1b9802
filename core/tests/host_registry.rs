//! The host layer's registry (`host::SharedRegistry`, Python's and Node's `Registry`): `expire`
//! marks expired the approved registrations whose protection ended at or before `now` (the end
//! is exclusive), returns their ids earliest end first and each id once, leaves accounts,
//! open leads and pending registrations alone, and follows records added, replaced and removed.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use leadrail_core::host::SharedRegistry;
use serde_json::{json, Value as Json};

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_795_510_800_000;

/// An approved registration of `company` protected until `until`.
fn approved(id: &str, company: &str, until: i64) -> Json {
    json!({"id": id, "partner": "p1", "company": company, "submitted_at": NOW - 90 * DAY,
           "status": "approved", "approved_at": NOW - 90 * DAY, "protected_until": until})
}

fn registry() -> SharedRegistry {
    SharedRegistry::from_json(&json!([
        approved("R-late", "Initech", NOW + 2 * DAY),
        approved("R-at", "Globex", NOW),
        approved("R-early", "Acme", NOW - DAY),
        approved("R-after", "Hooli", NOW + 1),
        {"id": "R-pending", "partner": "p2", "company": "Umbrella", "submitted_at": NOW - DAY},
        {"id": "A-1", "kind": "account", "partner": "direct:jane", "company": "Wayne",
         "submitted_at": 0, "status": "approved"},
        {"id": "L-1", "kind": "lead", "partner": "p3", "company": "Vandelay",
         "submitted_at": NOW - 9 * DAY, "status": "approved", "protected_until": NOW - 5 * DAY},
    ]))
    .unwrap()
}

#[test]
fn expire_gives_the_ids_ended_at_or_before_now_earliest_end_first_once() {
    let r = registry();
    assert_eq!(r.expire(NOW - DAY - 1).unwrap(), Vec::<String>::new());
    // R-early ended a day ago, R-at at `now` itself; R-after ends 1 ms later; the open lead,
    // the account and the pending registration never expire
    assert_eq!(r.expire(NOW).unwrap(), ["R-early", "R-at"]);
    assert_eq!(r.expire(NOW).unwrap(), Vec::<String>::new());
    assert_eq!(r.expire(NOW + 1).unwrap(), ["R-after"]);
    assert_eq!(r.expire(NOW + 365 * DAY).unwrap(), ["R-late"]);
    assert_eq!(r.expire(NOW + 365 * DAY).unwrap(), Vec::<String>::new());
    // expired records stay in the registry
    assert_eq!(r.len().unwrap(), 7);
}

#[test]
fn expire_follows_records_added_replaced_and_removed() {
    let r = registry();
    assert!(r.remove("R-early").unwrap());
    // R-at extended (replaced with a later end), R-new added with an earlier one
    assert!(r.add(&approved("R-at", "Globex", NOW + 3 * DAY)).unwrap());
    assert!(!r.add(&approved("R-new", "Soylent", NOW - 2 * DAY)).unwrap());
    assert_eq!(r.expire(NOW).unwrap(), ["R-new"]);
    assert_eq!(
        r.expire(NOW + 3 * DAY).unwrap(),
        ["R-after", "R-late", "R-at"]
    );
    // an expired registration added again as approved expires again; added as expired, not
    let mut again = approved("R-at", "Globex", NOW);
    assert!(r.add(&again).unwrap());
    again["id"] = json!("R-gone");
    again["status"] = json!("expired");
    assert!(!r.add(&again).unwrap());
    assert_eq!(r.expire(NOW + 3 * DAY).unwrap(), ["R-at"]);
}

#[test]
fn threads_expiring_at_once_get_each_id_exactly_once() {
    let r = registry();
    let got: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| r.expire(NOW + 365 * DAY).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<String> = got.into_iter().flatten().collect();
    all.sort();
    assert_eq!(all, ["R-after", "R-at", "R-early", "R-late"]);
}

/// The ids of `records`, in order.
fn ids(records: &[Json]) -> Vec<&str> {
    records.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

#[test]
fn records_and_get_read_back_every_field_and_the_status_after_expire() {
    let full = json!({"id": "R-full", "kind": "registration", "partner": "p2",
        "company": "Müller Hydraulik GmbH", "domain": "mueller-hydraulik.de",
        "contact_email": "a@mueller-hydraulik.de", "country": "DE", "postal_code": "80331",
        "address": "Marienplatz 1, München", "product_lines": ["hydraulics", "pumps"],
        "estimated_value": "125000.50", "submitted_at": NOW - 9 * DAY,
        "approved_at": NOW - 8 * DAY, "protected_until": NOW - DAY,
        "extended_at": NOW - 2 * DAY, "extensions": 1, "status": "approved"});
    let r = registry();
    assert!(!r.add(&full).unwrap());
    // every field as given, in the reader's names; defaults written, absent optionals left out
    assert_eq!(r.get("R-full").unwrap().unwrap(), full);
    assert_eq!(
        r.get("R-pending").unwrap().unwrap(),
        json!({"id": "R-pending", "kind": "registration", "partner": "p2",
               "company": "Umbrella", "submitted_at": NOW - DAY, "extensions": 0,
               "status": "pending"})
    );
    assert_eq!(r.get("R-missing").unwrap(), None);
    assert_eq!(r.expire(NOW).unwrap(), ["R-early", "R-full", "R-at"]);
    let records = r.records().unwrap();
    // the order added (R-full last); the expired ones read back expired, the rest unchanged
    let order = [
        "R-late",
        "R-at",
        "R-early",
        "R-after",
        "R-pending",
        "A-1",
        "L-1",
        "R-full",
    ];
    assert_eq!(ids(&records), order);
    let status: Vec<&str> = records
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    let expect = [
        "approved", "expired", "expired", "approved", "pending", "approved",
    ];
    assert_eq!(status[..6], expect);
    assert_eq!(status[6..], ["approved", "expired"]);
    let mut expired = full.clone();
    expired["status"] = json!("expired");
    assert_eq!(records[7], expired);
    assert_eq!(r.get("R-at").unwrap().unwrap(), records[1]);
    // removed: gone from both; replaced: moves to the end
    assert!(r.remove("R-early").unwrap());
    assert!(r
        .add(&approved("R-late", "Initech", NOW + 9 * DAY))
        .unwrap());
    assert_eq!(r.get("R-early").unwrap(), None);
    let order = [
        "R-at",
        "R-after",
        "R-pending",
        "A-1",
        "L-1",
        "R-full",
        "R-late",
    ];
    assert_eq!(ids(&r.records().unwrap()), order);
}

#[test]
fn a_registry_read_back_from_its_records_is_the_same_registry() {
    let r = registry();
    r.expire(NOW).unwrap();
    let again = SharedRegistry::from_json(&json!(r.records().unwrap())).unwrap();
    assert_eq!(again.records().unwrap(), r.records().unwrap());
    // its expired registrations stay expired, its due ones are due alike
    assert_eq!(again.expire(NOW).unwrap(), Vec::<String>::new());
    assert_eq!(again.expire(NOW + 1).unwrap(), r.expire(NOW + 1).unwrap());
    assert_eq!(again.records().unwrap(), r.records().unwrap());
    assert_eq!(
        SharedRegistry::default().records().unwrap(),
        Vec::<Json>::new()
    );
}
