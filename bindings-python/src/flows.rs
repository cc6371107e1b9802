//! A portal's single-lead flow (`assign`, `add_partner`, `update_partner`, `remove_partner`,
//! `release`, `holder`): one record read as `route` reads a lead, core's `SharedNetwork`
//! called (which takes the write lock as batches do, and changes nothing on failure), its
//! report raised as it is.

use leadrail_core::record::Record;
use leadrail_core::schema::Schema;
use pyo3::prelude::*;

use crate::network::raise;
use crate::routing;

/// One host record (a mapping) read against `schema` (its string values as CSV cells with
/// `text_cells`); its error (naming the record and the
/// field) raised.
pub(crate) fn one_record(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    schema: &Schema,
    text_cells: bool,
) -> PyResult<Record> {
    let rows = routing::read_rows(py, std::iter::once(obj.clone()), 1, schema, text_cells)?;
    raise(py, rows.records(schema).into_one())
}
