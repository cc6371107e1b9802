//! Runs every conformance vector (`conformance/README.md`) through the DSL and core's JSON facade
//! (`leadrail_core::api::Session`) and compares canonical JSON exactly, as the Python and Node
//! runners do.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::result_large_err,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadrail_core::api::{
    self, InstantJson, NowJson, RouteRequest, Session, SlaRequest, SlaResult,
};
use leadrail_core::host::{Host, Rows};
use leadrail_core::kpi;
use leadrail_core::report::ErrorReport;
use serde_json::{json, Value as Json};

fn vectors() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance");
    let mut out = Vec::new();
    for area in std::fs::read_dir(&root).unwrap() {
        let area = area.unwrap().path();
        if !area.is_dir() || area.file_name().unwrap() == "tools" {
            continue;
        }
        for f in std::fs::read_dir(&area).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "json") {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

/// Canonical JSON: sorted keys, numbers by value (as f64, JavaScript's only number type).
fn canon(v: &Json) -> String {
    match v {
        Json::Null | Json::Bool(_) | Json::String(_) => v.to_string(),
        Json::Number(n) => format!("{:?}", n.as_f64().unwrap()),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(canon).collect();
            format!("[{}]", items.join(","))
        }
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Json::String(k.clone()), canon(&map[k])))
                .collect();
            format!("{{{}}}", items.join(","))
        }
    }
}

fn project(r: &ErrorReport) -> Json {
    json!({
        "code": r.code,
        "severity": r.severity,
        "message": r.message,
        "line": r.line,
        "column": r.column,
    })
}

fn same(got: &Json, want: &Json, what: &str, path: &Path) {
    assert_eq!(
        canon(got),
        canon(want),
        "{}: {what} differs",
        path.display()
    );
}

fn run(path: &Path) {
    let vec: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let expect = &vec["expect"];
    let rules = vec["rules"].as_str().unwrap();
    let compiled = match vec.get("files") {
        // holiday files given in memory: path -> text
        Some(files) => {
            let files: std::collections::BTreeMap<String, String> =
                serde_json::from_value(files.clone()).unwrap();
            leadrail_dsl::compile_with_files(rules, "rules.rail", &files)
        }
        None => leadrail_dsl::compile(rules, "rules.rail"),
    };
    let compiled = match compiled {
        Ok(c) => c,
        Err(d) => {
            let got: Vec<Json> = d.reports().iter().map(project).collect();
            same(
                &Json::Array(got),
                &expect["compile_errors"],
                "compile errors",
                path,
            );
            return;
        }
    };
    assert!(expect.get("compile_errors").is_none(), "{}", path.display());
    let warnings: Vec<Json> = compiled
        .warnings
        .iter()
        .map(|w| project(&w.to_report()))
        .collect();
    same(
        &Json::Array(warnings),
        &expect["warnings"],
        "warnings",
        path,
    );
    let partners = json!({ "partners": vec["partners"] }).to_string();
    let mut session = match Session::new(Arc::new(compiled.plan), &partners) {
        Ok(s) => s,
        Err(e) => {
            same(
                &serde_json::to_value(&e).unwrap(),
                &expect["network_error"],
                "network error",
                path,
            );
            return;
        }
    };
    assert!(expect.get("network_error").is_none(), "{}", path.display());
    for call in vec["calls"].as_array().unwrap() {
        let exclude: Vec<String> = call
            .get("exclude")
            .map(|x| serde_json::from_value(x.clone()).unwrap())
            .unwrap_or_default();
        let explain = call["explain"].as_bool().unwrap_or(false);
        let now: NowJson = call
            .get("now")
            .map(|n| serde_json::from_value(n.clone()).unwrap())
            .unwrap_or(NowJson::Each(Vec::new()));
        let got = match call["call"].as_str().unwrap() {
            "route_batch" => {
                let req = RouteRequest {
                    leads: call["leads"].as_array().unwrap().clone(),
                    now,
                    explain,
                    exclude,
                    apply: true,
                };
                let answer = session.route(&req).unwrap();
                serde_json::to_value(&answer.results).unwrap()
            }
            "route" => {
                let req = RouteRequest {
                    leads: vec![call["lead"].clone()],
                    now,
                    explain,
                    exclude,
                    apply: false,
                };
                let answer = session.route(&req).unwrap();
                serde_json::to_value(&answer.results[0]).unwrap()
            }
            "state" => serde_json::from_str(&session.state_json()).unwrap(),
            "assign" | "add_partner" | "update_partner" | "remove_partner" | "release" => {
                flow(&mut session, call, explain, exclude)
            }
            "sla" => {
                let set = api::sla_set(session.engine().plan()).unwrap();
                let req: SlaRequest = serde_json::from_value(call.clone()).unwrap();
                let answer = api::evaluate_sla(&set, &req).unwrap();
                serde_json::to_value(&answer.results).unwrap()
            }
            "next_deadline" => {
                let set = api::sla_set(session.engine().plan()).unwrap();
                let req = SlaRequest {
                    timelines: vec![call["timeline"].clone()],
                    now: serde_json::from_value(call["now"].clone()).unwrap(),
                    done: None,
                    partner_calendars: serde_json::from_value(
                        call.get("partner_calendars").cloned().unwrap_or(json!({})),
                    )
                    .unwrap(),
                };
                let answer = api::evaluate_sla(&set, &req).unwrap();
                match answer.results.into_iter().next().unwrap() {
                    SlaResult::Ok(o) => json!(o.evaluation.next_deadline),
                    SlaResult::Error(e) => json!({ "error": e }),
                }
            }
            // the call object is the request (`call` and `expect` are ignored)
            "kpi" => {
                let set = api::sla_set(session.engine().plan()).unwrap();
                let answer = kpi::request::kpi_json(Some(&set), &call.to_string());
                serde_json::from_str(&answer).unwrap()
            }
            // the call object is the request, without `call` and `expect`
            "register" => {
                let mut req = call.clone();
                let obj = req.as_object_mut().unwrap();
                obj.remove("call");
                obj.remove("expect");
                match leadrail_core::host::register::register_json(session.engine().plan(), &req) {
                    Ok(v) => v,
                    Err(e) => json!({ "error": e }),
                }
            }
            "route_conflicts" => conflicts(&mut session, call, exclude),
            "expire" => expire(&mut session, call),
            "registry_records" => registry_records(&mut session, call),
            "forecast" => {
                serde_json::from_str(&kpi::request::forecast_json(&call.to_string())).unwrap()
            }
            other => panic!("{}: unknown call {other}", path.display()),
        };
        same(&got, &call["expect"], call["call"].as_str().unwrap(), path);
    }
}

/// A `route_conflicts` call: the leads checked against the call's registry and routed (with
/// `assign`, recorded) by `host::lead_conflict`, as `{"ok": [decisions]}` or `{"error": report}`.
fn conflicts(session: &mut Session, call: &Json, exclude: Vec<String>) -> Json {
    use leadrail_core::dealreg::Registry;
    use leadrail_core::host::{lead_conflict, register::registrations_from_json};
    let engine = session.engine().clone();
    let schema = &engine.plan().lead_schema;
    let opts = leadrail_core::route::RouteOptions {
        explain: false,
        exclude,
    };
    let now: InstantJson = serde_json::from_value(call["now"].clone()).unwrap();
    let answer = registrations_from_json(call["registry"].as_array().unwrap(), "registry")
        .and_then(|records| {
            let mut registry = Registry::from_records(records);
            let leads = Rows::from_json(Host::RUST, schema, call["leads"].as_array().unwrap())
                .records(schema)
                .into_records()?;
            let (now, net) = (now.millis()?, session.network_mut());
            match call["assign"].as_bool().unwrap_or(false) {
                true => lead_conflict::assign_all(&engine, net, &mut registry, &leads, now, &opts),
                false => lead_conflict::route_all(&engine, net, &registry, &leads, now, &opts),
            }
        });
    match answer {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e }),
    }
}

/// An `expire` call: the call's registry expired at each instant of `now` in turn (core's
/// `dealreg::Registry::expire_due`, as `host::SharedRegistry::expire`), then, with `leads`, the
/// leads routed against it at `route_at` (what if), as `{"ok": {"expired", "routes"?}}` or
/// `{"error": report}`.
fn expire(session: &mut Session, call: &Json) -> Json {
    use leadrail_core::dealreg::Registry;
    use leadrail_core::host::{lead_conflict, register::registrations_from_json};
    let engine = session.engine().clone();
    let schema = &engine.plan().lead_schema;
    let answer = registrations_from_json(call["registry"].as_array().unwrap(), "registry")
        .and_then(|records| {
            let mut registry = Registry::from_records(records);
            let mut expired = Vec::new();
            for t in call["now"].as_array().unwrap() {
                let now: InstantJson = serde_json::from_value(t.clone()).unwrap();
                expired.push(registry.expire_due(now.millis()?));
            }
            let Some(leads) = call.get("leads") else {
                return Ok(json!({ "expired": expired }));
            };
            let leads = Rows::from_json(Host::RUST, schema, leads.as_array().unwrap())
                .records(schema)
                .into_records()?;
            let at: InstantJson = serde_json::from_value(call["route_at"].clone()).unwrap();
            let opts = leadrail_core::route::RouteOptions::default();
            let net = session.network_mut();
            let routes =
                lead_conflict::route_all(&engine, net, &registry, &leads, at.millis()?, &opts)?;
            Ok(json!({ "expired": expired, "routes": routes }))
        });
    match answer {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e }),
    }
}

/// A `registry_records` call: the call's registry, with `leads` assigned at `assign_at`
/// (recorded: `host::lead_conflict::assign_all`), then expired at `expire_at`, read back as
/// `{"ok": {"expired", "records", "get"}}` (core's `host::register::registry_to_json` and
/// `registration_to_json`, as `host::SharedRegistry::records` and `get`) or `{"error": report}`.
fn registry_records(session: &mut Session, call: &Json) -> Json {
    use leadrail_core::dealreg::Registry;
    use leadrail_core::host::lead_conflict;
    use leadrail_core::host::register::{
        registration_to_json, registrations_from_json, registry_to_json,
    };
    let engine = session.engine().clone();
    let schema = &engine.plan().lead_schema;
    let instant = |k: &str| serde_json::from_value::<InstantJson>(call[k].clone()).unwrap();
    let answer = registrations_from_json(call["registry"].as_array().unwrap(), "registry")
        .and_then(|records| {
            let mut registry = Registry::from_records(records);
            if let Some(leads) = call.get("leads") {
                let leads = Rows::from_json(Host::RUST, schema, leads.as_array().unwrap())
                    .records(schema)
                    .into_records()?;
                let (net, at) = (session.network_mut(), instant("assign_at").millis()?);
                let opts = leadrail_core::route::RouteOptions::default();
                lead_conflict::assign_all(&engine, net, &mut registry, &leads, at, &opts)?;
            }
            let expired = registry.expire_due(instant("expire_at").millis()?);
            let ids = call["get"].as_array().unwrap();
            let get: Vec<Json> = ids
                .iter()
                .map(|id| json!(registry.get(id.as_str().unwrap()).map(registration_to_json)))
                .collect();
            let records = registry_to_json(&registry);
            Ok(json!({ "expired": expired, "records": records, "get": get }))
        });
    match answer {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e }),
    }
}

/// One call of a single-lead flow (`flows/`): a decision or `null` as `{"ok": ...}`'s value
/// (`release`: the partner id), or `{"error": report}`.
fn flow(session: &mut Session, call: &Json, explain: bool, exclude: Vec<String>) -> Json {
    let engine = session.engine().clone();
    let one = |schema, j: &Json| {
        Rows::from_json(Host::RUST, schema, std::slice::from_ref(j))
            .records(schema)
            .into_one()
    };
    let net = session.network_mut();
    let answer: Result<Json, ErrorReport> = match call["call"].as_str().unwrap() {
        "assign" => one(&engine.plan().lead_schema, &call["lead"]).and_then(|lead| {
            let now: InstantJson = serde_json::from_value(call["now"].clone()).unwrap();
            let opts = leadrail_core::route::RouteOptions { explain, exclude };
            let d = engine.assign(net, &lead, now.millis()?, &opts)?;
            Ok(serde_json::to_value(d).unwrap())
        }),
        "add_partner" => one(&engine.plan().partner_schema, &call["partner"])
            .and_then(|r| Ok(net.add_partner(r)?))
            .map(|()| Json::Null),
        "update_partner" => one(&engine.plan().partner_schema, &call["partner"])
            .and_then(|r| Ok(net.update_partner(r)?))
            .map(|()| Json::Null),
        "remove_partner" => net
            .remove_partner(call["id"].as_str().unwrap())
            .map(|_| Json::Null)
            .map_err(ErrorReport::from),
        _ => net
            .release(call["lead"].as_str().unwrap(), call["partner"].as_str())
            .map(Json::from)
            .map_err(ErrorReport::from),
    };
    match answer {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e }),
    }
}

#[test]
fn every_vector_agrees() {
    let files = vectors();
    assert!(files.len() >= 40, "{} vectors", files.len());
    for f in &files {
        run(f);
    }
}

#[test]
fn canon_compares_numbers_by_value_and_keys_sorted() {
    assert_eq!(
        canon(&json!({"b": 1, "a": 1.0})),
        canon(&json!({"a": 1, "b": 1.0}))
    );
    assert_ne!(canon(&json!({"a": 1})), canon(&json!({"a": 1.5})));
    assert_ne!(canon(&json!({"a": true})), canon(&json!({"a": 1})));
}
