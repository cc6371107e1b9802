//! The one place where core error reports become Python exceptions.
//!
//! `LeadrailError` is the base of every exception the package raises; `RuleError` is raised for
//! rule-text diagnostics (`leadrail::parse::*`, `leadrail::type::*`), `DataError` for bad host
//! data (`leadrail::data::*`, `leadrail::timeline::*`). Every instance carries `.code`, `.message`, `.help` and
//! `.diagnostics` (the reports as plain dicts, never flattened to one string); `RuleError` adds
//! `.line` and `.column` of the first diagnostic, `DataError` adds `.record` and `.field`.
//! `str()` of one is core's `host::summary`: the first diagnostic at `file:line:column` and
//! "(and N more)". A file that cannot be read raises Python's own `OSError` subclass
//! (`FileNotFoundError` for a missing one) with `errno`, `strerror` and `filename` set.

use leadrail_core::report::ErrorReport;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert;

create_exception!(
    leadrail,
    LeadrailError,
    PyException,
    "Base class of every leadrail error; carries `.code`, `.message`, `.help` and `.diagnostics`."
);
create_exception!(
    leadrail,
    RuleError,
    LeadrailError,
    "A rule text was rejected; `.diagnostics` lists every problem, `.line`/`.column` the first."
);
create_exception!(
    leadrail,
    DataError,
    LeadrailError,
    "A lead, partner or other host record was rejected; `.record` and `.field` say where."
);

/// The exception class for a report, chosen by the family of its code.
fn class_of<'py>(py: Python<'py>, code: &str) -> Bound<'py, pyo3::types::PyType> {
    let family = code.split("::").nth(1).unwrap_or_default();
    match family {
        "parse" | "type" | "check" => py.get_type::<RuleError>(),
        "data" | "timeline" => py.get_type::<DataError>(),
        _ => py.get_type::<LeadrailError>(),
    }
}

/// The exception for a non-empty list of reports (the first one gives the class, message and
/// position). An empty list, which core never produces, still gives a `LeadrailError`.
pub(crate) fn from_reports(py: Python<'_>, reports: &[ErrorReport]) -> PyErr {
    let class = reports.first().map(|r| class_of(py, &r.code));
    build(py, reports, class).unwrap_or_else(|err| err)
}

/// The `RuleError` for the diagnostics of compiling rule text: every one of them is about the
/// rule file (including its calendars and holiday files), whatever its code's family.
pub(crate) fn rule_error(py: Python<'_>, reports: &[ErrorReport]) -> PyErr {
    build(py, reports, Some(py.get_type::<RuleError>())).unwrap_or_else(|err| err)
}

/// One report as an exception.
pub(crate) fn from_report(py: Python<'_>, report: ErrorReport) -> PyErr {
    from_reports(py, std::slice::from_ref(&report))
}

fn build<'py>(
    py: Python<'py>,
    reports: &[ErrorReport],
    class: Option<Bound<'py, pyo3::types::PyType>>,
) -> PyResult<PyErr> {
    let (Some(first), Some(class)) = (reports.first(), class) else {
        return Ok(LeadrailError::new_err("unknown error"));
    };
    // `str(exc)`: the first report at its position, and how many more (core's text)
    let exc = class.call1((leadrail_core::host::summary(reports),))?;
    exc.setattr("code", &first.code)?;
    exc.setattr("message", &first.message)?;
    exc.setattr("help", first.help.as_deref())?;
    exc.setattr("line", first.line)?;
    exc.setattr("column", first.column)?;
    exc.setattr("file", first.file.as_deref())?;
    exc.setattr("record", first.record.as_deref())?;
    exc.setattr("field", first.field.as_deref())?;
    let diagnostics = PyList::empty(py);
    for report in reports {
        diagnostics.append(convert::wire(py, report)?)?;
    }
    exc.setattr("diagnostics", diagnostics)?;
    Ok(PyErr::from_value(exc))
}

/// The `OSError` for a file that could not be read: built as `OSError(errno, strerror,
/// filename)`, which Python turns into its subclass for the errno (`FileNotFoundError` for
/// ENOENT, `PermissionError`, `IsADirectoryError`, ...).
pub(crate) fn os_error(py: Python<'_>, e: &std::io::Error, path: &std::path::Path) -> PyErr {
    let Some(errno) = e.raw_os_error() else {
        return PyErr::from(std::io::Error::new(e.kind(), e.to_string()));
    };
    // (the OS's text without Rust's " (os error N)")
    let text = e.to_string();
    let strerror = text.split(" (os error").next().unwrap_or(&text).to_owned();
    let made = py.get_type::<pyo3::exceptions::PyOSError>().call1((
        errno,
        strerror,
        path.to_string_lossy(),
    ));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}
