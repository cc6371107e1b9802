//! The host layer's forms for bindings that convert only: coded columns read as the same records
//! and errors as JSON, columns given whole failing on their first error in order, result arrays
//! that expand to the wire form, one-piece and one-lead routing, and the checked options of
//! batch, SLA and compile calls.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
#![expect(
    clippy::result_large_err,
    reason = "the closures return core's ErrorReport, as bindings get it"
)]

mod host_support;

use std::collections::BTreeMap;

use host_support::*;
use leadrail_core::api::{sla_set, DoneJson, SlaRequest};
use leadrail_core::host::{
    batch_options, columns_in_utf16, state_from_json, CodedColumn, CompileOptions, Host,
    HostColumn, Instants, ResultArrays, Rows, SharedNetwork, MISSING, NONE, NUMBER, OTHER,
};
use leadrail_core::record::Column;
use leadrail_core::report::{ErrorReport, Label};
use leadrail_core::route::RouteOptions;
use serde_json::{json, Value as Json};

/// One column of `values` coded as Node's index.js codes it: strings in a dictionary, finite
/// numbers apart, null as missing, anything else passed on as JSON (or, for `Err`, described).
fn coded(values: &[Result<Json, String>]) -> CodedColumn {
    let mut c = CodedColumn {
        nums: vec![0.0; values.len()],
        ..CodedColumn::default()
    };
    let mut dict = BTreeMap::new();
    for (row, v) in values.iter().enumerate() {
        let code = match v {
            Ok(Json::String(s)) => *dict.entry(s.clone()).or_insert_with(|| {
                c.strings.push(s.clone());
                c.strings.len() as u32 - 1
            }),
            Ok(Json::Number(n)) => {
                c.nums[row] = n.as_f64().unwrap();
                NUMBER
            }
            Ok(Json::Null) => MISSING,
            other => {
                c.others.push((row, other.clone()));
                OTHER
            }
        };
        c.codes.push(code);
    }
    c
}

/// `leads` (JSON objects, or not) as coded rows.
fn coded_rows(leads: &[Json]) -> Rows {
    let schema = lead_schema();
    let cell = |l: &Json, k: &str| Ok(l.get(k).cloned().unwrap_or(Json::Null));
    let col = |k: &str| coded(&leads.iter().map(|l| cell(l, k)).collect::<Vec<_>>());
    let fields = schema.fields.iter().map(|f| col(&f.name)).collect();
    let not_records = (leads.iter().enumerate())
        .filter(|(_, l)| !l.is_object())
        .map(|(i, l)| (i, Ok(l.clone())))
        .collect();
    Rows::from_coded(Host::RUST, &schema, col("id"), fields, not_records)
}

#[test]
fn coded_records_read_as_their_json() {
    let mut leads = leads(12, &[3]);
    leads[1]["size"] = json!(2.5);
    leads[2]["size"] = json!(-0.0);
    leads[4]["region"] = json!(7);
    leads[5] = json!(["not", "a", "record"]);
    leads[6]["id"] = json!(6);
    leads[7]["line"] = json!({"a": 1});
    leads[8]["wait"] = json!("PT5M");
    leads[9].as_object_mut().unwrap().remove("region");
    let schema = lead_schema();
    let want = Rows::from_json(Host::RUST, &schema, &leads).records(&schema);
    let got = coded_rows(&leads).records(&schema);
    assert_eq!(got, want);
    assert_eq!(got.bad.len(), 7, "{:?}", got.bad);
}

#[test]
fn a_coded_value_without_a_json_form_is_its_records_error() {
    let schema = lead_schema();
    let ok = |s: &str| Ok(json!(s));
    let ids = coded(&[ok("L1"), ok("L2")]);
    let regions = coded(&[ok("US"), Err("a value of type `symbol`".into())]);
    let fields = vec![
        regions,
        coded(&[ok("l0"), ok("l0")]),
        coded(&[Ok(json!(1)), Ok(json!(2))]),
    ];
    let wait = coded(&[Ok(Json::Null), Ok(Json::Null)]);
    let fields = fields.into_iter().chain([wait]).collect();
    let parsed = Rows::from_coded(Host::RUST, &schema, ids, fields, Vec::new()).records(&schema);
    assert_eq!(parsed.good.len(), 1);
    let e = &parsed.bad[0].1;
    assert_eq!(
        e.message,
        "record `L2`, field `region`: cannot read a value of type `symbol`"
    );
    assert_eq!(
        (e.record.as_deref(), e.field.as_deref()),
        (Some("L2"), Some("region"))
    );
}

fn given(values: &[Json]) -> Option<Result<HostColumn, ErrorReport>> {
    let values: Vec<_> = values.iter().cloned().map(Ok).collect();
    Some(Ok(HostColumn::Coded(coded(&values))))
}

#[test]
fn columns_given_whole_fail_on_their_first_error_in_order() {
    let schema = lead_schema();
    let ids = || given(&[json!("L1"), json!("L2")]);
    let regions = || given(&[json!("US"), json!("DE")]);
    let lines = || given(&[json!("l0"), json!("l1")]);
    let own = || Some(Err(ErrorReport::request("the host's own", "fix it")));
    let from = |ids, fields| Rows::from_host_columns(Host::RUST, &schema, ids, fields);
    // a field's length, then a later field's own error: the length comes first
    let short = given(&[json!("l0")]);
    let e = from(ids(), vec![regions(), short, own()]).unwrap_err();
    assert_eq!(e.message, "column `line` has 1 values but `id` has 2");
    let e = from(None, vec![regions(), lines()]).unwrap_err();
    assert_eq!(e.message, "`columns` has no `id` column");
    let e = from(own(), vec![regions()]).unwrap_err();
    assert_eq!(e.message, "the host's own");
    // a value without a JSON form fails the call, named by its position
    let bad = Some(Ok(HostColumn::Coded(coded(&[
        Ok(json!("US")),
        Err("a value of type `symbol`".into()),
    ]))));
    let e = from(ids(), vec![bad]).unwrap_err();
    assert_eq!(
        e.message,
        "record #2, field `region`: cannot read a value of type `symbol`"
    );
    // whole floats of an int field read as integers; a fraction is the record's error
    let sizes = |x: f64| {
        Some(Ok(HostColumn::Typed(Column::Float(vec![
            Some(1.0),
            Some(x),
        ]))))
    };
    let rows = from(ids(), vec![regions(), lines(), sizes(2.0)]).unwrap();
    assert_eq!(rows.records(&schema).good.len(), 2);
    let rows = from(ids(), vec![regions(), lines(), sizes(2.5)]).unwrap();
    let parsed = rows.records(&schema);
    assert_eq!(parsed.bad[0].1.record.as_deref(), Some("L2"));
}

/// `arrays` expanded to the wire form as Node's index.js expands them.
fn expand(a: &ResultArrays) -> Vec<Json> {
    let text = |i: u32| json!(&*a.texts[i as usize]);
    let errors: BTreeMap<u32, &ErrorReport> = a.errors.iter().map(|(i, e)| (*i, e)).collect();
    let why: BTreeMap<u32, Json> = (a.explanations.iter())
        .map(|(i, e)| (*i, serde_json::to_value(e).unwrap()))
        .collect();
    (0..a.kinds.len())
        .map(|i| {
            let row = i as u32;
            let outcome = match a.kinds[i] {
                0 => json!({"kind": "partner", "id": text(a.target[i])}),
                1 => json!({"kind": "queue", "name": text(a.target[i])}),
                2 => json!({"kind": "unrouted"}),
                _ => return json!({"error": errors[&row]}),
            };
            let rule = (a.rule[i] != NONE).then(|| text(a.rule[i]));
            let n = &a.state_nums[3 * i..3 * i + 3];
            let state = (a.state_partner[i] != NONE).then(|| {
                let at = (!n[2].is_nan()).then_some(n[2] as i64);
                json!({"partner": text(a.state_partner[i]), "version": n[0] as u64,
                       "active_leads": n[1] as i64, "last_assigned_at": at})
            });
            let mut d = json!({"outcome": outcome, "rule": rule, "state_read": state});
            if let Some(e) = why.get(&row) {
                d["explanation"] = e.clone();
            }
            json!({ "ok": d })
        })
        .collect()
}

#[test]
fn result_arrays_expand_to_the_wire_form() {
    let engine = engine();
    let shared = SharedNetwork::new(network(), Host::RUST);
    for explain in [false, true] {
        let rows = Rows::from_json(Host::RUST, &lead_schema(), &leads(300, &[7, 200]));
        let opts = RouteOptions {
            explain,
            exclude: vec!["P001".into()],
        };
        let results = shared
            .route_rows(&engine, rows, &Instants::One(NOW), &opts)
            .unwrap();
        let wire = serde_json::to_value(results.to_wire()).unwrap();
        assert_eq!(Json::Array(expand(&results.to_arrays())), wire);
        let kinds: std::collections::BTreeSet<u8> = results.to_arrays().kinds.into_iter().collect();
        assert_eq!(kinds, [0, 1, 3].into(), "partners, queues and errors");
    }
}

#[test]
fn one_lead_routes_without_changing_state_and_one_piece_as_a_batch() {
    let engine = engine();
    let shared = SharedNetwork::new(network(), Host::RUST);
    let before = shared.read(state).unwrap();
    let schema = lead_schema();
    let lead = Rows::from_json(Host::RUST, &schema, &leads(1, &[]))
        .records(&schema)
        .into_one()
        .unwrap();
    let one = shared
        .route_lead(&engine, &lead, NOW, &RouteOptions::default(), false)
        .unwrap();
    assert_eq!(shared.read(state).unwrap(), before);
    let batch = Rows::from_json(Host::RUST, &schema, &leads(1, &[]));
    let opts = RouteOptions::default();
    let all = shared.route_rows(&engine, batch, &Instants::One(NOW), &opts);
    assert_eq!(vec![Ok(one)], all.unwrap().decisions());
    assert_ne!(shared.read(state).unwrap(), before);
    let bad = Rows::from_json(Host::RUST, &schema, &leads(1, &[0])).records(&schema);
    assert_eq!(
        bad.into_one().unwrap_err().record.as_deref(),
        Some("L000000")
    );
    let none = Rows::from_json(Host::RUST, &schema, &[]).records(&schema);
    assert_eq!(none.into_one().unwrap_err().message, "no lead");
    let two = Rows::from_json(Host::RUST, &schema, &leads(2, &[]));
    let e = shared.route_rows(&engine, two, &Instants::PerLead(vec![NOW]), &opts);
    assert_eq!(e.unwrap_err().message, "2 leads but 1 instants");
}

#[test]
fn call_options_are_checked_once() {
    let e = batch_options(true, true).unwrap_err();
    assert_eq!(
        e.message,
        "`explain` needs one object per lead, not `asColumns`"
    );
    assert!(batch_options(true, false).unwrap().explain);
    let e = state_from_json(json!({"seq": "x", "partners": []})).unwrap_err();
    assert!(
        e.message.starts_with("the state is not valid: "),
        "{}",
        e.message
    );
    let st = state_from_json(json!({"seq": 3, "partners": []})).unwrap();
    assert_eq!(st.seq, 3);
}

#[test]
fn sla_calls_take_their_options_as_one_object() {
    let tl = vec![json!({"lead": "L1", "events": []})];
    let call = |o: Json| SlaRequest::from_call(tl.clone(), NOW, o);
    let r = call(json!({"done": ["a:warn:50"], "partnerCalendars": {"P1": "us"}})).unwrap();
    assert_eq!(r.done, Some(DoneJson::Ids(vec!["a:warn:50".into()])));
    assert_eq!(r.partner_calendars.0.len(), 1);
    let r = call(json!(null)).unwrap();
    assert_eq!((r.done, r.partner_calendars.0.len()), (None, 0));
    let msg = |o: Json| call(o).unwrap_err().message;
    assert_eq!(msg(json!(5)), "`options` must be an object");
    assert!(msg(json!({"done": {"a": 1}})).starts_with("`done` must be an array of action ids"));
    assert!(msg(json!({"partnerCalendars": ["P1"]})).starts_with("`partnerCalendars` is not valid"));
    // one timeline's outcome, or its error
    let plan = engine().plan().clone();
    let set = sla_set(&plan).unwrap();
    let bad = SlaRequest::from_call(vec![json!(3)], NOW, Json::Null).unwrap();
    let answer = leadrail_core::api::evaluate_sla(&set, &bad).unwrap();
    assert!(answer
        .into_one()
        .unwrap_err()
        .message
        .contains("a timeline must be an object"));
}

#[test]
fn compile_calls_take_a_file_name_or_options() {
    let from = |f: Json, files: Json| CompileOptions::from_call(f, files);
    let o = from(json!("a.rail"), json!({"de.txt": "2026-12-25"})).unwrap();
    assert_eq!(
        (o.file.as_str(), o.files.len(), o.base_dir),
        ("a.rail", 1, None)
    );
    let o = from(json!({"files": {"x": "y"}, "baseDir": "d"}), json!(null)).unwrap();
    assert_eq!((o.file.as_str(), o.files.len()), ("rules.rail", 1));
    assert_eq!(o.base_dir, Some("d".into()));
    let msg = |f: Json, files: Json| from(f, files).unwrap_err().message;
    assert_eq!(
        msg(json!(42), json!(null)),
        "the second argument must be a file name or options, not number"
    );
    assert_eq!(
        msg(json!({"file": ["x"]}), json!(null)),
        "option `file` must be a string, not array"
    );
    assert_eq!(
        msg(json!(null), json!("x")),
        "`files` must be an object of path to text, not string"
    );
    assert_eq!(
        msg(json!(null), json!({"a": 1})),
        "`files` must map paths to strings; `a` is number"
    );
    assert_eq!(
        msg(json!({}), json!({})),
        "give `files` in the options object, not as a third argument"
    );
    let o = CompileOptions::for_file("rules/a.rail");
    assert_eq!(
        (o.file.as_str(), o.base_dir),
        ("rules/a.rail", Some("rules".into()))
    );
    assert_eq!(
        CompileOptions::for_file("a.rail").base_dir,
        Some(".".into())
    );
}

#[test]
fn columns_count_utf16_units_in_reports_and_labels() {
    let label = Label {
        message: String::new(),
        line: 2,
        column: 2,
        end_line: 2,
        end_column: 4,
    };
    let mut r = ErrorReport::request("x", "y").at(2, 3);
    r.labels.push(label);
    let mut reports = vec![r, ErrorReport::request("z", "y")];
    columns_in_utf16("first\n😀é😀\n", &mut reports);
    assert_eq!(reports[0].column, 4);
    assert_eq!(
        (reports[0].labels[0].column, reports[0].labels[0].end_column),
        (3, 6)
    );
    assert_eq!(reports[1].column, 0);
}
