//! Parsing a value from JSON or from a text cell against its type, comparing values, building sets and maps.

use std::cmp::Ordering;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::geo::suggest::did_you_mean;
use crate::geo::{GeoPoint, Territory};
use crate::schema::Schema;
use crate::value::{Type, Value};

use super::error::*;
use super::Record;

/// 2^53: the largest magnitude up to which every integer is exact in an `f64`.
const MAX_EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

fn parse_int_text(s: &str) -> Option<Result<i64, ValueError>> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let ok_underscores = !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && !digits.contains("_.")
        && !digits.contains("._");
    if digits.is_empty() || !ok_underscores {
        return None;
    }
    let clean: std::borrow::Cow<'_, str> = if t.contains('_') {
        t.chars().filter(|c| *c != '_').collect::<String>().into()
    } else {
        t.into()
    };
    if clean
        .trim_start_matches(['-', '+'])
        .bytes()
        .all(|b| b.is_ascii_digit())
    {
        return Some(clean.parse::<i64>().map_err(|_| {
            ValueError::new(
                format!("integer {} is out of range", describe_text(t)),
                Some(
                    "an int holds values between -9223372036854775808 and \
                      9223372036854775807; use a decimal field for larger numbers"
                        .into(),
                ),
            )
        }));
    }
    // An integral decimal (`42.0`).
    let d = Decimal::from_str(&clean).ok()?;
    if d.fract().is_zero() {
        Some(d.to_i64().ok_or_else(|| {
            ValueError::new(
                format!("integer {} is out of range", describe_text(t)),
                None,
            )
        }))
    } else {
        Some(Err(ValueError::new(
            format!("expected an integer, found {}", describe_text(t)),
            Some("an int field takes whole numbers only".into()),
        )))
    }
}

fn parse_decimal_text(s: &str) -> Option<Decimal> {
    let t = s.trim();
    // (digits without separators, the common case, are read as they are)
    let clean: std::borrow::Cow<'_, str> = if t.contains('_') {
        t.chars().filter(|c| *c != '_').collect::<String>().into()
    } else {
        t.into()
    };
    if clean.is_empty() || clean.starts_with('_') || t.contains("__") {
        return None;
    }
    Decimal::from_str(&clean)
        .ok()
        .or_else(|| Decimal::from_scientific(&clean).ok())
}

/// `x` if it is a ratio; `shown` (how the value was written) is formatted only for the error.
fn ratio_checked(x: f64, shown: impl FnOnce() -> String) -> Result<f64, ValueError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(ValueError::new(
            format!("ratio {} is outside [0, 1]", shown()),
            Some("a ratio is between 0 and 1 (`0.85`) or a percentage up to 100% (`85%`)".into()),
        ))
    }
}

/// `85%`, `85.5 %`.
fn parse_percent(s: &str) -> Option<Result<f64, ValueError>> {
    let num = s.trim().strip_suffix('%')?.trim_end();
    let x: f64 = num.parse().ok()?;
    Some(ratio_checked(x / 100.0, || describe_text(s.trim())))
}

fn parse_date(s: &str) -> Result<NaiveDate, ValueError> {
    let t = s.trim();
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) if shaped => Ok(d),
        _ if shaped => Err(ValueError::new(
            format!("date {} does not exist", describe_text(t)),
            Some("check the day and month: the date is written year-month-day".into()),
        )),
        _ => Err(ValueError::expected(&Type::Date, describe_text(t))),
    }
}

fn parse_datetime(s: &str) -> Result<i64, ValueError> {
    let t = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .any(|f| NaiveDateTime::parse_from_str(t, f).is_ok());
    if naive {
        return Err(ValueError::new(
            format!("datetime {} has no offset", describe_text(t)),
            Some(format!(
                "add `Z` for UTC or the offset of its time zone: `{}Z` or `{}-06:00`",
                clip(t),
                clip(t)
            )),
        ));
    }
    Err(ValueError::expected(&Type::DateTime, describe_text(t)))
}

/// Parses `24h`, `90m`, `1h30m`, `500ms` into milliseconds.
pub fn parse_duration(s: &str) -> Result<i64, ValueError> {
    let t = s.trim();
    let bad = || ValueError::expected(&Type::Duration, describe_text(t));
    let overflow = || {
        ValueError::new(
            format!("duration {} is too long", describe_text(t)),
            Some("a duration is at most about 292 million years".into()),
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    let mut rest = t;
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(digits_end);
        if num.is_empty() {
            return Err(bad());
        }
        let unit_end = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let ms: i64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return Err(bad()),
        };
        let n: i64 = num.parse().map_err(|_| overflow())?;
        total = n
            .checked_mul(ms)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(overflow)?;
        rest = next;
    }
    Ok(total)
}

/// Writes milliseconds as `1h30m`, `7d`, `500ms` (`0s` for zero), the form
/// [`parse_duration`] reads.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if ms < 0 {
        // Parsing never yields a negative duration; write it readably anyway.
        out.push('-');
    }
    let mut rest = ms.unsigned_abs();
    for (unit, size) in [
        ("w", 604_800_000u64),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        let n = rest / size;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest %= size;
        }
    }
    out
}

fn parse_enum(symbols: &[String], s: &str) -> Result<Value, ValueError> {
    let t = s.trim();
    if let Some(sym) = symbols.iter().find(|x| x.as_str() == t) {
        return Ok(Value::Enum(Arc::from(sym.as_str())));
    }
    let help = match did_you_mean(t, symbols.iter().map(String::as_str)) {
        Some(m) => format!("did you mean `{m}`?"),
        None => format!("use one of {}", symbol_list(symbols)),
    };
    Err(ValueError::new(
        format!(
            "unknown symbol {}, expected one of {}",
            describe_text(t),
            symbol_list(symbols)
        ),
        Some(help),
    ))
}

fn parse_region(s: &str) -> Result<Value, ValueError> {
    Territory::parse(s)
        .map(|t| Value::Region(Arc::new(t)))
        .map_err(|e| ValueError::new(e.to_string(), e.help()))
}

pub(super) fn point(
    lat: f64,
    lon: f64,
    shown: impl FnOnce() -> String,
) -> Result<Value, ValueError> {
    let p = GeoPoint { lat, lon };
    if p.is_valid() {
        Ok(Value::GeoPoint(p))
    } else {
        Err(ValueError::new(
            format!("point {} is out of range", shown()),
            Some(example(&Type::GeoPoint)),
        ))
    }
}

/// Parses one string-valued form shared by JSON strings and text cells (date, datetime,
/// duration, enum, region, decimal string, percentage). `shown` (how the value was written)
/// is formatted only for an error: every cell of a batch passes here.
fn from_string(ty: &Type, s: &str, shown: impl FnOnce() -> String) -> Result<Value, ValueError> {
    match ty {
        Type::Text => Ok(Value::Text(Arc::from(s))),
        Type::Date => parse_date(s).map(Value::Date),
        Type::DateTime => parse_datetime(s).map(Value::DateTime),
        Type::Duration => parse_duration(s).map(Value::Duration),
        Type::Enum(symbols) => parse_enum(symbols, s),
        Type::Region => parse_region(s),
        Type::Decimal => parse_decimal_text(s)
            .map(Value::Decimal)
            .ok_or_else(|| ValueError::expected(ty, shown())),
        Type::Ratio => match parse_percent(s) {
            Some(r) => r.map(Value::Float),
            None => Err(ValueError::expected(ty, shown())),
        },
        _ => Err(ValueError::expected(ty, shown())),
    }
}

impl Value {
    /// Parses a JSON value as a value of type `ty` (see the module docs for the accepted
    /// forms). JSON `null` gives [`Value::Null`]; whether that is allowed is the caller's
    /// (the record's) decision.
    ///
    /// # Errors
    /// A [`ValueError`] saying what was expected and what was found.
    pub fn from_json(ty: &Type, json: &Json) -> Result<Value, ValueError> {
        if json.is_null() {
            return Ok(Value::Null);
        }
        value_from_json(ty, json)
    }

    /// Parses a text cell (CSV) as a value of type `ty`. An empty cell gives [`Value::Null`]
    /// (for `text` too: a cell cannot tell an empty text from a missing one), except for sets
    /// and maps, where it is the empty collection (a partner without certifications).
    ///
    /// # Errors
    /// A [`ValueError`] saying what was expected and what was found.
    pub fn from_text(ty: &Type, cell: &str) -> Result<Value, ValueError> {
        if cell.trim().is_empty() {
            return Ok(match ty {
                Type::Set(_) => Value::Set(Arc::from(Vec::new())),
                Type::Map(_, _) => Value::Map(Arc::from(Vec::new())),
                _ => Value::Null,
            });
        }
        value_from_text(ty, cell)
    }

    /// The value as JSON, in the form [`Value::from_json`] reads back (decimals as strings,
    /// to stay exact; datetimes as RFC 3339 in UTC; durations as `1h30m`).
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Decimal(d) => Json::String(d.to_string()),
            Value::Float(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
            Value::Text(s) | Value::Enum(s) => Json::String(s.to_string()),
            Value::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
            Value::DateTime(ms) => match DateTime::<Utc>::from_timestamp_millis(*ms) {
                Some(dt) => Json::String(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
                None => Json::from(*ms),
            },
            Value::Duration(ms) => Json::String(format_duration(*ms)),
            Value::Region(t) => Json::String(t.to_string()),
            Value::GeoPoint(p) => serde_json::json!({ "lat": p.lat, "lon": p.lon }),
            Value::Set(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(pairs) => Json::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (key_text(k), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A map key as text (the form [`Value::from_text`] reads back).
fn key_text(k: &Value) -> String {
    match k.to_json() {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

fn value_from_json(ty: &Type, json: &Json) -> Result<Value, ValueError> {
    let found = || describe_json(json);
    match (ty, json) {
        (_, Json::Null) => Err(ValueError::expected(ty, found())),
        (Type::Int, Json::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Value::Int(i))
            } else if n.is_u64() {
                Err(ValueError::new(
                    format!("integer {} is out of range", found()),
                    Some(
                        "an int holds values up to 9223372036854775807; use a decimal field \
                          for larger numbers"
                            .into(),
                    ),
                ))
            } else {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if x.fract() != 0.0 || !x.is_finite() {
                    Err(ValueError::new(
                        format!("expected an integer, found {}", found()),
                        Some("an int field takes whole numbers only".into()),
                    ))
                } else if x.abs() > MAX_EXACT_FLOAT_INT {
                    Err(ValueError::new(
                        format!("integer {} is beyond 2^53 and written as a float", found()),
                        Some(
                            "the number may have lost digits; send it as a JSON integer \
                              (without a decimal point or exponent)"
                                .into(),
                        ),
                    ))
                } else {
                    // Integral and within +-2^53: exact.
                    Ok(Value::Int(x as i64))
                }
            }
        }
        (Type::Decimal, Json::Number(n)) => {
            let d = if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else if let Some(u) = n.as_u64() {
                Some(Decimal::from(u))
            } else {
                n.as_f64()
                    .and_then(|x| Decimal::from_str(&x.to_string()).ok())
            };
            d.map(Value::Decimal).ok_or_else(|| {
                ValueError::new(
                    format!("decimal {} is out of range", found()),
                    Some("a decimal holds up to 28 significant digits".into()),
                )
            })
        }
        (Type::Ratio, Json::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            ratio_checked(x, found).map(Value::Float)
        }
        (Type::Float, Json::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Value::Float)
            .ok_or_else(|| ValueError::expected(ty, found())),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        // milliseconds since the epoch (the form `now` takes), integral and within +-2^53 when
        // written as a float (a JavaScript number)
        (Type::DateTime, Json::Number(n)) => match n.as_i64() {
            Some(ms) => Ok(Value::DateTime(ms)),
            None => n
                .as_f64()
                .filter(|x| x.fract() == 0.0 && x.abs() <= MAX_EXACT_FLOAT_INT)
                .map(|x| Value::DateTime(x as i64))
                .ok_or_else(|| ValueError::expected(ty, found())),
        },
        (Type::Int, Json::String(s)) if parse_int_text(s).is_some_and(|r| r.is_ok()) => {
            Err(ValueError::new(
                format!("expected an integer, found text {}", found()),
                Some(format!("write the number without quotes: `{}`", s.trim())),
            ))
        }
        (Type::Bool | Type::Float, Json::String(s)) => Err(ValueError::new(
            format!("expected {}, found text {}", expected(ty), found()),
            Some(format!(
                "write the value without quotes: `{}`",
                clip(s.trim())
            ))
            .filter(|_| value_from_text(ty, s).is_ok())
            .or_else(|| Some(example(ty))),
        )),
        (Type::Set(item), Json::Array(items)) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, v) in items.iter().enumerate() {
                values.push(
                    value_from_json(item, v)
                        .map_err(|e| e.context(format_args!("item {}", i + 1)))?,
                );
            }
            Ok(make_set(values))
        }
        (Type::Map(k, v), Json::Object(obj)) => {
            let mut pairs = Vec::with_capacity(obj.len());
            for (key, val) in obj {
                let kv = value_from_text(k, key)
                    .map_err(|e| e.context(format_args!("key {}", describe_text(key))))?;
                let vv = value_from_json(v, val)
                    .map_err(|e| e.context(format_args!("value of {}", describe_text(key))))?;
                pairs.push((kv, vv));
            }
            make_map(pairs)
        }
        (Type::GeoPoint, Json::Object(obj)) => {
            let lat = obj.get("lat").and_then(Json::as_f64);
            let lon = obj.get("lon").and_then(Json::as_f64);
            match (lat, lon) {
                (Some(lat), Some(lon)) if obj.len() == 2 => {
                    point(lat, lon, || clip(&json.to_string()))
                }
                _ => Err(ValueError::expected(
                    ty,
                    format!("`{}`", clip(&json.to_string())),
                )),
            }
        }
        (Type::GeoPoint, Json::Array(a)) => match a.as_slice() {
            [lat, lon] => match (lat.as_f64(), lon.as_f64()) {
                (Some(lat), Some(lon)) => {
                    point(lat, lon, || format!("`{}`", clip(&json.to_string())))
                }
                _ => Err(ValueError::expected(
                    ty,
                    format!("`{}`", clip(&json.to_string())),
                )),
            },
            _ => Err(ValueError::expected(
                ty,
                format!("an array of length {}", a.len()),
            )),
        },
        (_, Json::String(s)) => from_string(ty, s, found),
        _ => Err(ValueError::expected(ty, found())),
    }
}

fn value_from_text(ty: &Type, cell: &str) -> Result<Value, ValueError> {
    let t = cell.trim();
    // how the cell was written, for an error only (formatting it for every cell of a batch
    // cost more than parsing it)
    let shown = || describe_text(t);
    match ty {
        Type::Text => Ok(Value::Text(Arc::from(cell))),
        Type::Int => match parse_int_text(t) {
            Some(r) => r.map(Value::Int),
            None => Err(ValueError::expected(ty, shown())),
        },
        Type::Float => t
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Value::Float)
            .ok_or_else(|| ValueError::expected(ty, shown())),
        Type::Ratio => match parse_percent(t) {
            Some(r) => r.map(Value::Float),
            None => match t.parse::<f64>() {
                Ok(x) => ratio_checked(x, shown).map(Value::Float),
                Err(_) => Err(ValueError::expected(ty, shown())),
            },
        },
        Type::Bool => {
            if t.eq_ignore_ascii_case("true") {
                Ok(Value::Bool(true))
            } else if t.eq_ignore_ascii_case("false") {
                Ok(Value::Bool(false))
            } else {
                Err(ValueError::expected(ty, shown()))
            }
        }
        Type::Set(item) => {
            let mut values = Vec::new();
            for (i, part) in t.split('|').enumerate() {
                if part.trim().is_empty() {
                    return Err(ValueError::new(
                        format!("empty item {} in {}", i + 1, shown()),
                        Some("separate items with a single `|`: `a|b|c`".into()),
                    ));
                }
                let v = value_from_text(item, part.trim())
                    .map_err(|e| e.context(format_args!("item {}", i + 1)))?;
                values.push(v);
            }
            Ok(make_set(values))
        }
        Type::Map(k, v) => {
            let mut pairs = Vec::new();
            for part in t.split('|') {
                let Some((key, val)) = part.split_once('=') else {
                    return Err(ValueError::new(
                        format!("expected `key=value`, found {}", describe_text(part)),
                        Some(example(ty)),
                    ));
                };
                let (key, val) = (key.trim(), val.trim());
                let kv = value_from_text(k, key)
                    .map_err(|e| e.context(format_args!("key {}", describe_text(key))))?;
                let vv = if val.is_empty() {
                    Err(ValueError::expected(v, "nothing".into()))
                } else {
                    value_from_text(v, val)
                }
                .map_err(|e| e.context(format_args!("value of {}", describe_text(key))))?;
                pairs.push((kv, vv));
            }
            let n = pairs.len();
            let map = make_map(pairs)?;
            if let Value::Map(m) = &map {
                if m.len() != n {
                    return Err(ValueError::new(
                        format!("duplicate key in {}", shown()),
                        Some("give each key once".into()),
                    ));
                }
            }
            Ok(map)
        }
        Type::GeoPoint => {
            // (the two parts, and no third, without collecting them)
            let mut parts = t
                .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty());
            match (parts.next(), parts.next(), parts.next()) {
                (Some(lat), Some(lon), None) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
                    (Ok(lat), Ok(lon)) => point(lat, lon, shown),
                    _ => Err(ValueError::expected(ty, shown())),
                },
                _ => Err(ValueError::expected(ty, shown())),
            }
        }
        _ => from_string(ty, t, shown),
    }
}

/// The total order of values of one type used for sets and maps: numbers by value (floats by
/// `total_cmp`), text and enum symbols by code point, dates and instants by time, regions by
/// code, points by (lat, lon), sets and maps lexicographically. Values of different kinds
/// order by kind.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    use Value as V;
    fn rank(v: &Value) -> u8 {
        match v {
            V::Null => 0,
            V::Bool(_) => 1,
            V::Int(_) => 2,
            V::Decimal(_) => 3,
            V::Float(_) => 4,
            V::Text(_) => 5,
            V::Enum(_) => 6,
            V::Date(_) => 7,
            V::DateTime(_) => 8,
            V::Duration(_) => 9,
            V::Region(_) => 10,
            V::GeoPoint(_) => 11,
            V::Set(_) => 12,
            V::Map(_) => 13,
        }
    }
    match (a, b) {
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Int(x), V::Int(y)) => x.cmp(y),
        (V::Decimal(x), V::Decimal(y)) => x.cmp(y),
        (V::Float(x), V::Float(y)) => x.total_cmp(y),
        (V::Text(x), V::Text(y)) | (V::Enum(x), V::Enum(y)) => x.cmp(y),
        (V::Date(x), V::Date(y)) => x.cmp(y),
        (V::DateTime(x), V::DateTime(y)) | (V::Duration(x), V::Duration(y)) => x.cmp(y),
        (V::Region(x), V::Region(y)) => x.cmp(y),
        (V::GeoPoint(x), V::GeoPoint(y)) => x.lat.total_cmp(&y.lat).then(x.lon.total_cmp(&y.lon)),
        (V::Set(x), V::Set(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = compare_values(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (V::Map(x), V::Map(y)) => {
            for ((pk, pv), (qk, qv)) in x.iter().zip(y.iter()) {
                let o = compare_values(pk, qk).then_with(|| compare_values(pv, qv));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A set value: items sorted by [`compare_values`], duplicates dropped.
pub fn make_set(mut items: Vec<Value>) -> Value {
    items.sort_by(compare_values);
    items.dedup_by(|a, b| compare_values(a, b) == Ordering::Equal);
    Value::Set(items.into())
}

/// A map value: pairs sorted by key. Duplicate keys keep the last value.
fn make_map(mut pairs: Vec<(Value, Value)>) -> Result<Value, ValueError> {
    pairs.reverse();
    pairs.sort_by(|a, b| compare_values(&a.0, &b.0));
    pairs.dedup_by(|a, b| compare_values(&a.0, &b.0) == Ordering::Equal);
    Ok(Value::Map(pairs.into()))
}

/// The first `region` field of `record` whose value has exclusions (`US except US-TX`), with
/// that value: meaningful for a partner's territory, an error for a lead.
pub fn region_with_exceptions<'a>(
    schema: &'a Schema,
    record: &'a Record,
) -> Option<(&'a str, &'a Territory)> {
    schema
        .fields
        .iter()
        .zip(&record.values)
        .find_map(|(f, v)| match (&f.ty, v) {
            (Type::Region, Value::Region(t)) if !t.except().is_empty() => {
                Some((f.name.as_str(), &**t))
            }
            _ => None,
        })
}

pub(super) fn is_blank_string(json: &Json) -> bool {
    json.as_str().is_some_and(|s| s.trim().is_empty())
}
