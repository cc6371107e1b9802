//! The one place where core error reports become JavaScript `Error` objects.
//!
//! Every error thrown (or rejected) by the addon is an `Error` whose `code` is a stable leadrail
//! code, with `message`, `help`, `line`, `column`, `record`, `field` of the first report and
//! `diagnostics`, every report as a plain object (never flattened to one string).

use leadrail_core::report::ErrorReport;
use napi::bindgen_prelude::*;

/// The `Error` for a non-empty list of reports (the first gives the message and position).
pub(crate) fn from_reports(env: &Env, reports: &[ErrorReport]) -> Error {
    match build(env, reports) {
        Ok(err) => err,
        Err(err) => err,
    }
}

/// The value, or the report as a thrown `Error`.
pub(crate) fn raise<T>(env: &Env, r: std::result::Result<T, ErrorReport>) -> Result<T> {
    r.map_err(|e| from_report(env, e))
}

/// A request error (`message`, the fix in `help`), thrown.
pub(crate) fn fail<T>(env: &Env, message: String, help: &str) -> Result<T> {
    Err(from_report(env, ErrorReport::request(message, help)))
}

/// One report as an `Error`.
pub(crate) fn from_report(env: &Env, report: ErrorReport) -> Error {
    from_reports(env, std::slice::from_ref(&report))
}

fn build(env: &Env, reports: &[ErrorReport]) -> Result<Error> {
    let Some(first) = reports.first() else {
        return Ok(Error::from_reason("unknown error"));
    };
    let mut obj = env.create_error(Error::from_reason(first.message.clone()))?;
    obj.set_named_property("code", first.code.as_str())?;
    obj.set_named_property("help", first.help.as_deref())?;
    obj.set_named_property("line", first.line)?;
    obj.set_named_property("column", first.column)?;
    obj.set_named_property("file", first.file.as_deref())?;
    obj.set_named_property("record", first.record.as_deref())?;
    obj.set_named_property("field", first.field.as_deref())?;
    obj.set_named_property("diagnostics", env.to_js_value(&reports)?)?;
    Ok(Error::from(obj.into_unknown(env)?))
}
