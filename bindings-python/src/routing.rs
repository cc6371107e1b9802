//! Host records and columns read into core's columns ([`ColumnBuilder`]), with the problems met
//! reading them. No decisions are taken here, and no error text about records is written: core's
//! host layer writes them.

use leadrail_core::host::{self, ColumnBuilder, Problem, Rows};
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::schema::Schema;
use leadrail_core::value::Type;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};

use crate::convert::{float_json, found, py_to_json, type_name, Unsupported};
use crate::PYTHON;

/// How a non-finite float that a column had to hold as JSON is described.
const NOT_FINITE: &str = "a value that is not a finite number";

/// Appends `x` (read as `ty`) to `column` by its Python kind; `held`: the batch holds `x` (in a
/// dict or a list), so its address names its text.
#[inline(always)]
pub(crate) fn push(
    column: &mut ColumnBuilder,
    x: &Bound<'_, PyAny>,
    held: bool,
    ty: Option<&Type>,
) -> PyResult<Result<(), Unsupported>> {
    let key = x.as_ptr() as usize;
    if held && column.push_cached(key) {
        return Ok(Ok(()));
    }
    // the exact types first (a pointer comparison each), then subclasses and the rest
    if let Ok(s) = x.cast_exact::<PyString>() {
        column.push_text(s.to_str()?, held.then_some(key));
        return Ok(Ok(()));
    }
    if x.is_exact_instance_of::<PyInt>() {
        if let Ok(i) = x.extract::<i64>() {
            column.push_int(i);
            return Ok(Ok(()));
        }
    }
    if let Ok(f) = x.cast_exact::<PyFloat>() {
        // (not held: a NaN or an infinity in a JSON column)
        return Ok(match column.push_float(f.value()) {
            true => Ok(()),
            false => float_json(f.value()).map(drop),
        });
    }
    if x.is_none() {
        column.push_missing();
        return Ok(Ok(()));
    }
    if let Ok(s) = x.cast::<PyString>() {
        column.push_text(s.to_str()?, held.then_some(key));
        return Ok(Ok(()));
    }
    if let Some(shown) = crate::convert::naive(x)? {
        column.push_missing();
        return Ok(Err(Unsupported::naive(shown)));
    }
    match py_to_json(x, ty)? {
        Ok(j) => column.push_json(j),
        Err(e) => {
            column.push_missing();
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

/// The problem of a value of row `row` without a column form (`field`: its field's index, None
/// for the id): a naive datetime is an invalid field (core says what to pass), else unreadable.
pub(crate) fn problem(row: usize, field: Option<usize>, e: Unsupported) -> Problem {
    match (e.naive, field) {
        (true, Some(field)) => {
            let error = host::naive_datetime(&e.found);
            Problem::Invalid { row, field, error }
        }
        (_, field) => Problem::Unreadable {
            row,
            field,
            found: e.found,
        },
    }
}

/// `obj[key]` of a dict (`dict`) or another mapping, `None` when it has no such key.
pub(crate) fn get<'py>(
    obj: &Bound<'py, PyAny>,
    dict: Option<&Bound<'py, PyDict>>,
    key: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match dict {
        Some(d) => d.get_item(key),
        None => match obj.get_item(key) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(obj.py()) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// A batch of records as a list: a list as it is, any other iterable (but a `str` or a
/// mapping) read into one; `what` names the argument in the error.
pub(crate) fn record_list<'py>(
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Bound<'py, PyList>> {
    let not_rows = || {
        let expected = "an iterable of mappings, a pandas DataFrame or a pyarrow Table";
        let e = host::wrong_argument(&format!("`{what}`"), expected, Some(&found(obj)), "");
        pyo3::exceptions::PyTypeError::new_err(e.message)
    };
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Err(not_rows());
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return Ok(list.clone());
    }
    let iter = obj.try_iter().map_err(|_| not_rows())?;
    PyList::new(obj.py(), iter.collect::<PyResult<Vec<_>>>()?)
}

/// Reads host records (mappings) column by column into core's [`Rows`], with the problems met
/// reading them: a row that is not a mapping, a value without a JSON form. `n`: about how many;
/// `text`: the rows of a text table (core's [`Rows::text_cells`]: string cells in the CSV forms,
/// NaN missing).
pub(crate) fn read_rows<'py>(
    py: Python<'py>,
    rows: impl Iterator<Item = Bound<'py, PyAny>>,
    n: usize,
    schema: &Schema,
    text: bool,
) -> PyResult<Rows> {
    let id = pyo3::intern!(py, "id");
    let mut fields: Vec<_> = schema
        .fields
        .iter()
        .map(|f| {
            (
                PyString::intern(py, &f.name),
                &f.ty,
                ColumnBuilder::new(n, true),
            )
        })
        .collect();
    let mut ids = ColumnBuilder::new(n, false);
    let mut problems = Vec::new();
    let mut count = 0;
    for (row, obj) in rows.enumerate() {
        count = row + 1;
        // (an exact dict by a pointer comparison, a subclass by its flags)
        let dict = obj
            .cast_exact::<PyDict>()
            .or_else(|_| obj.cast::<PyDict>())
            .ok();
        if dict.is_none() && obj.cast::<PyMapping>().is_err() {
            let value = py_to_json(&obj, None)?
                .map_err(|_| format!("a value of type `{}`", type_name(&obj)));
            problems.push(Problem::NotARecord { row, value });
            ids.push_missing();
            fields.iter_mut().for_each(|f| f.2.push_missing());
            continue;
        }
        // values of a dict are held by it for the batch; a mapping's may be made per call
        let held = dict.is_some();
        let mut read = |col: &mut ColumnBuilder,
                        key: &Bound<'py, PyString>,
                        field: Option<usize>,
                        ty: Option<&Type>|
         -> PyResult<()> {
            match get(&obj, dict, key)? {
                None => col.push_missing(),
                Some(v) => {
                    if let Err(e) = push(col, &v, held, ty)? {
                        // (a NaN of a text table is a missing cell)
                        if !(text && crate::frames::is_nan(&v)) {
                            problems.push(problem(row, field, e));
                        }
                    }
                }
            }
            Ok(())
        };
        read(&mut ids, id, None, None)?;
        for (f, (key, ty, col)) in fields.iter_mut().enumerate() {
            read(col, key, Some(f), Some(*ty))?;
        }
    }
    // (an id that is a NaN reads as missing: core says so)
    let (ids, _) = ids.finish();
    let mut columns = Vec::with_capacity(fields.len());
    for (f, (_, _, col)) in fields.into_iter().enumerate() {
        let (col, lost) = col.finish();
        // a non-finite float that had to become JSON: the row's error says so (a NaN of a text
        // table: a missing cell)
        let lost = lost.into_iter().filter(|_| !text);
        problems.extend(lost.map(|row| Problem::Unreadable {
            row,
            field: Some(f),
            found: NOT_FINITE.into(),
        }));
        columns.push(col);
    }
    let rows = Rows::in_schema_order(PYTHON, count, ids, schema, columns).with_problems(problems);
    Ok(match text {
        true => rows.text_cells(schema),
        false => rows,
    })
}

/// A column given by the host as a list: a list as it is, a tuple, the `tolist()` of an object
/// that has one (numpy arrays, pandas Series), any other iterable read into one.
pub(crate) fn column_list<'py>(
    obj: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<Result<Bound<'py, PyList>, ErrorReport>> {
    let bad = || {
        let help = "pass a dict of lists (or numpy arrays / pandas Series), one per field";
        let what = format!("column `{name}`");
        host::wrong_argument(&what, "a sequence of values", Some(&found(obj)), help)
    };
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Ok(Err(bad()));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(Ok(l.clone()));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(Ok(t.to_list()));
    }
    let seq = match obj.hasattr("tolist")? {
        true => obj.call_method0("tolist")?,
        false => obj.clone(),
    };
    if let Ok(l) = seq.cast::<PyList>() {
        return Ok(Ok(l.clone()));
    }
    match seq.try_iter() {
        Ok(it) => Ok(Ok(PyList::new(
            obj.py(),
            it.collect::<PyResult<Vec<_>>>()?,
        )?)),
        Err(_) => Ok(Err(bad())),
    }
}

/// A column given by the host (as a list) as a core column; `ty`: the field's type (`None`
/// for the ids).
pub(crate) fn column(
    list: &Bound<'_, PyList>,
    name: &str,
    ty: Option<&Type>,
) -> PyResult<Result<Column, ErrorReport>> {
    let mut b = ColumnBuilder::new(list.len(), name != "id");
    let at =
        |i: usize, found: &str| host::unreadable(PYTHON, host::Owner::Position(i + 1), name, found);
    for (i, x) in list.iter().enumerate() {
        if let Err(e) = push(&mut b, &x, true, ty)? {
            return Ok(Err(at(i, &e.found)));
        }
    }
    let (col, lost) = b.finish();
    Ok(match lost.first() {
        Some(i) => Err(at(*i, NOT_FINITE)),
        None => Ok(col),
    })
}
