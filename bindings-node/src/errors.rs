//! The one place where core error reports become JavaScript `Error` objects.
//!
//! Every error thrown (or rejected) by the addon is an `Error` whose `code` is a stable leadrail
//! code, with `message`, `help`, `line`, `column`, `record`, `field` of the first report and
//! `diagnostics`, every report as a plain object (never flattened to one string); its `message`
//! is core's `host::summary` (the first report at `file:line:column`, and "(and N more)").
//! index.js gives these errors the prototype of its `LeadrailError` class. A file that cannot be
//! read throws Node's own kind of error (`code: 'ENOENT'`, `errno`, `syscall`, `path`), as `fs`
//! does.

use leadrail_core::host::file_error;
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

/// One report as an `Error`.
pub(crate) fn from_report(env: &Env, report: ErrorReport) -> Error {
    from_reports(env, std::slice::from_ref(&report))
}

fn build(env: &Env, reports: &[ErrorReport]) -> Result<Error> {
    let Some(first) = reports.first() else {
        return Ok(Error::from_reason("unknown error"));
    };
    // `message`: the first report at its position, and how many more (core's text)
    let text = leadrail_core::host::summary(reports);
    let mut obj = env.create_error(Error::from_reason(text))?;
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

/// The error of a file that could not be read, as Node's `fs` throws it (core's
/// [`file_error`]: `code`, `errno`, the message) with `syscall` and `path`.
pub(crate) fn os_error(env: &Env, e: &std::io::Error, path: &str) -> Error {
    let f = file_error(e, path);
    let build = || -> Result<Error> {
        let mut obj = env.create_error(Error::from_reason(f.message.clone()))?;
        obj.set_named_property("code", f.code)?;
        obj.set_named_property("errno", f.errno)?;
        obj.set_named_property("syscall", "open")?;
        obj.set_named_property("path", path)?;
        Ok(Error::from(obj.into_unknown(env)?))
    };
    build().unwrap_or_else(|err| err)
}
