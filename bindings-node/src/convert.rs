//! Conversions between JavaScript values and core values. No decisions are taken here.

use leadrail_core::geo::{self, GeoPoint};
use leadrail_core::report::{codes, ErrorReport, Severity};
use napi::bindgen_prelude::*;
use napi::ValueType;

use crate::errors;

/// A data error report about `field` of the argument or record `record`.
pub(crate) fn data_report(code: &str, record: &str, field: &str, message: String) -> ErrorReport {
    ErrorReport {
        code: code.to_owned(),
        message,
        help: None,
        severity: Severity::Error,
        file: None,
        line: 0,
        column: 0,
        labels: Vec::new(),
        record: Some(record.to_owned()),
        field: Some(field.to_owned()),
    }
}

/// The JavaScript name of a value's type, for messages.
pub(crate) fn type_name(value: &Unknown<'_>) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "boolean",
        Ok(ValueType::Number) => "number",
        Ok(ValueType::String) => "string",
        Ok(ValueType::Symbol) => "symbol",
        Ok(ValueType::Object) => match value.is_array() {
            Ok(true) => "array",
            _ => "object",
        },
        Ok(ValueType::Function) => "function",
        Ok(ValueType::External) => "external",
        Ok(ValueType::BigInt) => "bigint",
        _ => "unknown",
    }
}

/// A finite number from a JavaScript `number`.
fn number(env: &Env, value: Unknown<'_>, record: &str, field: &str) -> Result<f64> {
    let invalid = |msg: String| {
        errors::from_report(
            env,
            data_report(codes::DATA_INVALID_FIELD, record, field, msg),
        )
    };
    match value.get_type()? {
        ValueType::Number => {
            let x = value.coerce_to_number()?.get_double()?;
            if x.is_finite() {
                Ok(x)
            } else {
                Err(invalid(format!(
                    "`{field}` must be a finite number, not `{x}`"
                )))
            }
        }
        ValueType::Undefined | ValueType::Null => Err(errors::from_report(
            env,
            data_report(
                codes::DATA_MISSING_FIELD,
                record,
                field,
                format!("missing field `{field}` of a point"),
            ),
        )),
        _ => Err(invalid(format!(
            "`{field}` must be a number, not {}",
            type_name(&value)
        ))),
    }
}

/// A point from `{ lat, lon }` or `[lat, lon]`; `record` names the argument or record in errors.
pub(crate) fn geo_point(env: &Env, value: Unknown<'_>, record: &str) -> Result<GeoPoint> {
    if value.get_type()? == ValueType::Object {
        let obj = value.coerce_to_object()?;
        if value.is_array()? {
            if obj.get_array_length()? == 2 {
                return Ok(GeoPoint {
                    lat: number(env, obj.get_element::<Unknown>(0)?, record, "lat")?,
                    lon: number(env, obj.get_element::<Unknown>(1)?, record, "lon")?,
                });
            }
        } else {
            return Ok(GeoPoint {
                lat: number(
                    env,
                    obj.get_named_property::<Unknown>("lat")?,
                    record,
                    "lat",
                )?,
                lon: number(
                    env,
                    obj.get_named_property::<Unknown>("lon")?,
                    record,
                    "lon",
                )?,
            });
        }
    }
    let msg = format!(
        "a point must be an object with `lat` and `lon` or a pair [lat, lon], not {}",
        type_name(&value)
    );
    Err(errors::from_report(
        env,
        data_report(codes::DATA_INVALID_RECORD, record, "", msg),
    ))
}

/// Points from an array of points; an item's errors name it `name[index]` (0-based).
pub(crate) fn geo_points(env: &Env, value: Unknown<'_>, name: &str) -> Result<Vec<geo::GeoPoint>> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        let msg = format!(
            "`{name}` must be an array of points, not {}",
            type_name(&value)
        );
        return Err(errors::from_report(
            env,
            data_report(codes::DATA_INVALID_RECORD, name, "", msg),
        ));
    }
    let arr = value.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut points = Vec::with_capacity(crate::routing::reserve(len));
    for i in 0..len {
        let Some(item) = crate::routing::element(&arr, i)? else {
            let record = format!("{name}[{i}]");
            return Err(errors::from_report(
                env,
                crate::routing::hole_report(name, i, record, None),
            ));
        };
        points.push(geo_point(env, item, &format!("{name}[{i}]"))?);
    }
    Ok(points)
}
