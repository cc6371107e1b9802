//! The one place where core error reports become JavaScript `Error` objects.
//!
//! Every error thrown (or rejected) by the addon is an `Error` whose `code` is a stable leadrail
//! code, with `message`, `help`, `line`, `column`, `record`, `field` of the first report and
//! `diagnostics`, every report as a plain object (never flattened to one string); its `message`
//! is core's `host::summary` (the first report at `file:line:column`, and "(and N more)").
//! index.js gives these errors the prototype of its `LeadrailError` class. A file that cannot be
//! read throws Node's own kind of error (`code: 'ENOENT'`, `errno`, `syscall`, `path`), as `fs`
//! does.

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

/// The error of a file that could not be read, as Node's `fs` throws it: `code` (`ENOENT`,
/// `EACCES`, `EISDIR`, `ENOTDIR`, else `EIO`), `errno` (negative, as Node's), `syscall` and
/// `path`, and the message `ENOENT: no such file or directory, open 'path'`.
pub(crate) fn os_error(env: &Env, e: &std::io::Error, path: &str) -> Error {
    use std::io::ErrorKind as K;
    let code = match e.kind() {
        K::NotFound => "ENOENT",
        K::PermissionDenied => "EACCES",
        K::IsADirectory => "EISDIR",
        K::NotADirectory => "ENOTDIR",
        _ => "EIO",
    };
    let text = e.to_string();
    let what = text
        .split(" (os error")
        .next()
        .unwrap_or(&text)
        .to_lowercase();
    let build = || -> Result<Error> {
        let msg = format!("{code}: {what}, open '{path}'");
        let mut obj = env.create_error(Error::from_reason(msg))?;
        obj.set_named_property("code", code)?;
        obj.set_named_property("errno", e.raw_os_error().map(|n| -n))?;
        obj.set_named_property("syscall", "open")?;
        obj.set_named_property("path", path)?;
        Ok(Error::from(obj.into_unknown(env)?))
    };
    build().unwrap_or_else(|err| err)
}
