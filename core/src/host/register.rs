//! The host-facing entry point of deal registration (`crate::dealreg`): registry and deals as JSON (or records),
//! a policy of a compiled plan, verdicts in their serde form. The CLI, the Python and the Node
//! bindings and the conformance vectors all call [`register_json`], so they agree by
//! construction.
//!
//! A record that cannot be read is an error naming the list (`registry` or `deals`), the
//! record (its id, else `#` and its 1-based position) and the field.

#![expect(
    clippy::result_large_err,
    reason = "the language-neutral ErrorReport is what hosts report and bindings raise"
)]

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::dealreg::{Policy, Registration, Registry, Verdict};
use crate::plan::Plan;
use crate::report::{codes, ErrorReport};
use crate::value::EpochMs;

/// A registration call in its JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The registry: registrations, CRM accounts and open leads.
    pub registry: Vec<Json>,
    /// The deals to check.
    pub deals: Vec<Json>,
    /// The instant of the check (ms since the epoch).
    pub now: EpochMs,
    /// The policy's name (none: the plan's first policy, or the default policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Whether to submit the deals in order (each recorded as its verdict says, so a later deal
    /// conflicts with an earlier approved one) rather than check each against the registry only.
    #[serde(default)]
    pub submit: bool,
}

/// The record reference of an error: its id when it has a text one, else `#n`; and how a
/// message names it (`` `r7` `` or `#3`).
fn record_ref(json: &Json, position: usize) -> (String, String) {
    match json.get("id").and_then(Json::as_str) {
        Some(id) if !id.is_empty() => (id.to_owned(), format!("`{id}`")),
        _ => (format!("#{position}"), format!("#{position}")),
    }
}

/// The fields of a registration and a value each that reads (to find the field at fault).
const TEMPLATE: [(&str, &str); 4] = [
    ("id", "\"x\""),
    ("partner", "\"x\""),
    ("company", "\"x\""),
    ("submitted_at", "0"),
];

/// Reads one registration from its JSON form; `list` names the list it is in and `position`
/// is its 1-based position there.
pub fn registration_from_json(
    json: &Json,
    list: &str,
    position: usize,
) -> Result<Registration, ErrorReport> {
    let (record, shown) = record_ref(json, position);
    let err = match Registration::deserialize(json) {
        Ok(r) => return Ok(r),
        Err(e) => e.to_string(),
    };
    let Some(obj) = json.as_object() else {
        return Err(ErrorReport::error(
            codes::DATA_INVALID_RECORD,
            format!("{list} record {shown}: not an object"),
        )
        .with_help("give each record as an object of fields")
        .with_record(record));
    };
    // the field at fault: the one serde names (missing or unknown), else the first field
    // that does not read alone in an otherwise valid record
    let named = err
        .split('`')
        .nth(1)
        .filter(|_| err.starts_with("missing field") || err.starts_with("unknown field"));
    let field = named.map(str::to_owned).or_else(|| {
        obj.iter().find_map(|(k, v)| {
            let mut base: serde_json::Map<String, Json> = TEMPLATE
                .iter()
                .filter_map(|(f, t)| Some(((*f).to_owned(), serde_json::from_str(t).ok()?)))
                .collect();
            base.insert(k.clone(), v.clone());
            Registration::deserialize(&Json::Object(base))
                .is_err()
                .then(|| k.clone())
        })
    });
    let named_field = named.is_some();
    let what = err
        .split(" at line")
        .next()
        .unwrap_or(&err)
        .replace("missing field", "missing required field");
    let report = ErrorReport::error(
        if err.starts_with("missing field") {
            codes::DATA_MISSING_FIELD
        } else {
            codes::DATA_INVALID_FIELD
        },
        match &field {
            Some(_) if named_field => format!("{list} record {shown}: {what}"),
            Some(f) => format!("{list} record {shown}: field `{f}`: {what}"),
            None => format!("{list} record {shown}: {what}"),
        },
    )
    .with_help(
        "a registration has `id`, `partner`, `company` and `submitted_at` (ms since the epoch); \
         optional `kind`, `domain`, `contact_email`, `country`, `postal_code`, `address`, \
         `product_lines`, `estimated_value`, `approved_at`, `protected_until`, `extended_at`, \
         `extensions`, `status`",
    )
    .with_record(record);
    Err(report.with_field_opt(field))
}

/// A registration's JSON form: the form [`registration_from_json`] reads, so that reading it
/// back gives the same registration. The field names are the reader's; instants are ms since
/// the epoch; `estimated_value` is its exact decimal as text; absent optional fields (and an
/// empty `product_lines`) are left out, while `kind`, `extensions` and `status` are always
/// written.
///
/// ```
/// use leadrail_core::dealreg::Registration;
/// use leadrail_core::host::register::{registration_from_json, registration_to_json};
/// use serde_json::json;
///
/// let mut r = Registration::new("r1", "p1", "Acme Inc", 1_000);
/// r.domain = Some("acme.example".into());
/// let json = registration_to_json(&r);
/// assert_eq!(
///     json,
///     json!({"id": "r1", "kind": "registration", "partner": "p1", "company": "Acme Inc",
///            "domain": "acme.example", "submitted_at": 1_000, "extensions": 0,
///            "status": "pending"})
/// );
/// assert_eq!(registration_from_json(&json, "registry", 1).unwrap(), r);
/// ```
pub fn registration_to_json(rec: &Registration) -> Json {
    // a registration has text keys and plain values only: serialising it cannot fail
    serde_json::to_value(rec).unwrap_or_default()
}

/// Every record of `registry` in its JSON form ([`registration_to_json`]), in the order the
/// records were added (a record replaced by `add` moves to the end; a removed one is left
/// out): what [`crate::host::SharedRegistry::from_json`] reads back into the same registry.
pub fn registry_to_json(registry: &Registry) -> Vec<Json> {
    registry.iter().map(registration_to_json).collect()
}

/// Reads a list of registrations, rejecting a repeated id.
pub fn registrations_from_json(
    items: &[Json],
    list: &str,
) -> Result<Vec<Registration>, ErrorReport> {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = Vec::with_capacity(items.len());
    for (i, j) in items.iter().enumerate() {
        let r = registration_from_json(j, list, i + 1)?;
        if !seen.insert(r.id.clone()) {
            return Err(ErrorReport::error(
                codes::DATA_DUPLICATE_ID,
                format!("{list} record `{}`: the id is used twice", r.id),
            )
            .with_help("give every record its own id")
            .with_record(r.id.clone())
            .with_field("id"));
        }
        out.push(r);
    }
    Ok(out)
}

/// The policy `name` of `plan` (the first, or the default policy, for `None`).
pub fn policy_of(plan: &Plan, name: Option<&str>) -> Result<Policy, ErrorReport> {
    plan.registration(name).ok_or_else(|| {
        let names: Vec<String> = plan
            .registrations
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect();
        ErrorReport::request(
            format!(
                "the ruleset has no registration policy `{}`",
                name.unwrap_or_default()
            ),
            if names.is_empty() {
                "declare one: `registration \"name\" { ... }`".to_owned()
            } else {
                format!("the policies are {}", names.join(", "))
            },
        )
    })
}

/// Checks (or, with `submit`, submits in order) every deal against the registry under `policy`.
pub fn register(
    policy: &Policy,
    registry: Vec<Registration>,
    deals: Vec<Registration>,
    now: EpochMs,
    submit: bool,
) -> Vec<Verdict> {
    let mut reg = Registry::from_records(registry);
    if submit {
        deals
            .into_iter()
            .map(|d| reg.submit(d, now, policy))
            .collect()
    } else {
        reg.check_batch(&deals, now, policy)
    }
}

/// [`register`] on a [`RegisterRequest`] in its JSON form: `{"verdicts": [...]}`.
pub fn register_json(plan: &Plan, request: &Json) -> Result<Json, ErrorReport> {
    Ok(json!({ "verdicts": register_request(plan, request)? }))
}

/// [`register`] on a [`RegisterRequest`] in its JSON form: the verdicts, one per deal in
/// order (what the bindings turn into typed objects).
pub fn register_request(plan: &Plan, request: &Json) -> Result<Vec<Verdict>, ErrorReport> {
    let req = RegisterRequest::deserialize(request).map_err(|e| {
        ErrorReport::request(
            format!("invalid registration request: {e}"),
            "give `registry` and `deals` (lists of records) and `now` (ms since the epoch); \
             optional `policy` (a name) and `submit` (true or false)",
        )
    })?;
    let policy = policy_of(plan, req.policy.as_deref())?;
    let registry = registrations_from_json(&req.registry, "registry")?;
    let deals = registrations_from_json(&req.deals, "deals")?;
    Ok(register(&policy, registry, deals, req.now, req.submit))
}
