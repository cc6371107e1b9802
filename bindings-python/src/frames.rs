//! Data in the forms Python users have it: pandas DataFrames, pyarrow Tables and RecordBatches
//! (and polars DataFrames, through Arrow), numpy and pyarrow arrays as columns. The package's
//! `_frames.py` takes their columns apart (it knows pandas and pyarrow without importing them);
//! here they are read into core's columns, numeric numpy arrays from their buffer (one
//! `tobytes()` copy, no Python object per value). Conversion only: core parses the cells
//! (`Rows::text_cells`) and writes every error text.

use leadrail_core::host::{ColumnBuilder, Rows};
use leadrail_core::record::Column;
use leadrail_core::schema::Schema;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyList, PyMapping, PyModule, PyTuple};

use crate::routing::{problem, push};
use crate::PYTHON;

/// Whether `x` is a float NaN (a data frame's missing value).
pub(crate) fn is_nan(x: &Bound<'_, PyAny>) -> bool {
    x.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
}

static FRAMES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    crate::convert::package_module(py, &FRAMES, "leadrail._frames")
}

/// The values of a sequence (a list, a tuple, a `range`, a numpy array, a pandas Series, a
/// pyarrow array, any iterable) as a list, pandas' and pyarrow's missing values as `None`.
pub(crate) fn values<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(l.clone());
    }
    let c = module(obj.py())?.getattr("column")?.call1((obj,))?;
    if let Ok(t) = c.cast::<PyTuple>() {
        return Ok(t.to_list());
    }
    Ok(c.call_method0("tolist")
        .unwrap_or(c)
        .cast_into::<PyList>()?)
}

/// `leadrail._frames.<name>(obj, names)` with the names of `id` and the fields of `schema`:
/// `None`, or the number of rows and a dict of columns.
fn call<'py>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    schema: &Schema,
    text: bool,
) -> PyResult<Option<(usize, Bound<'py, PyDict>)>> {
    let py = obj.py();
    let names = std::iter::once("id").chain(schema.fields.iter().map(|f| f.name.as_str()));
    let names = PyList::new(py, names)?;
    let r = module(py)?.getattr(name)?.call1((obj, names, text))?;
    match r.is_none() {
        true => Ok(None),
        false => r.extract().map(Some),
    }
}

/// A numeric numpy array (1-D, ints or floats) read from its buffer; `None` for any other value.
fn numbers(obj: &Bound<'_, PyAny>) -> PyResult<Option<Column>> {
    if obj.get_type().name()?.to_str()? != "ndarray" {
        return Ok(None);
    }
    let dtype = obj.getattr("dtype")?;
    let kind: String = dtype.getattr("kind")?.extract()?;
    let wide_unsigned = kind == "u" && dtype.getattr("itemsize")?.extract::<usize>()? >= 8;
    let as_bytes = |to: &str| -> PyResult<Vec<[u8; 8]>> {
        let b = obj.call_method1("astype", (to,))?.call_method0("tobytes")?;
        let chunks = b.cast::<PyBytes>()?.as_bytes().chunks_exact(8);
        Ok(chunks
            .map(|c| <[u8; 8]>::try_from(c).unwrap_or_default())
            .collect())
    };
    Ok(match kind.as_str() {
        "i" | "u" if !wide_unsigned => {
            let ints = as_bytes("<i8")?.into_iter().map(i64::from_le_bytes);
            Some(Column::Int(ints.map(Some).collect()))
        }
        "f" => {
            let floats = as_bytes("<f8")?.into_iter().map(f64::from_le_bytes);
            Some(Column::Float(floats.map(Some).collect()))
        }
        _ => None,
    })
}

/// The rows of `columns` (`_frames`' dict: `id` and fields of `schema`), `n` of them, with
/// the problems met reading them; `text`: read as text cells (core's `Rows::text_cells`).
fn read(columns: Bound<'_, PyDict>, n: usize, schema: &Schema, text: bool) -> PyResult<Rows> {
    let mut ids = Column::Json(Vec::new());
    let mut fields = Vec::with_capacity(columns.len());
    let mut problems = Vec::new();
    for (name, obj) in columns.iter() {
        let name: String = name.extract()?;
        let field = schema.index_of(&name).map(usize::from);
        let col = match numbers(&obj)? {
            Some(c) => c,
            None => {
                let ty = field.and_then(|f| schema.fields.get(f)).map(|f| &f.ty);
                let list = values(&obj)?;
                let mut b = ColumnBuilder::new(list.len(), field.is_some());
                for (row, x) in list.iter().enumerate() {
                    match push(&mut b, &x, true, ty)? {
                        Err(_) if is_nan(&x) => {}
                        Err(e) => problems.push(problem(row, field, e)),
                        Ok(()) => {}
                    }
                }
                b.finish().0
            }
        };
        crate::network::raise(columns.py(), col.check_len(&name, n))?;
        match field {
            None => ids = col,
            Some(_) => fields.push((name, col)),
        }
    }
    let rows = Rows::new(PYTHON, n, ids, fields).with_problems(problems);
    Ok(match text {
        true => rows.text_cells(schema),
        false => rows,
    })
}

/// The records of a table (a pandas DataFrame, a pyarrow Table or RecordBatch, a polars
/// DataFrame), or `None` when `obj` is not one. `text`: read its cells as text cells (by
/// default yes: a table's text cells come from a text file).
pub(crate) fn table_rows(
    obj: &Bound<'_, PyAny>,
    schema: &Schema,
    text: Option<bool>,
) -> PyResult<Option<Rows>> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return Ok(None);
    }
    match call(obj, "table", schema, true)? {
        Some((n, cols)) => read(cols, n, schema, text.unwrap_or(true)).map(Some),
        None => Ok(None),
    }
}

/// The records of columns given as a mapping (name to list, tuple, numpy array, pandas
/// Series, pyarrow array) when one of them is an array (or `text`), else `None`
/// (`route_columns` reads lists and tuples in chunks).
pub(crate) fn mapping_rows(
    map: &Bound<'_, PyMapping>,
    schema: &Schema,
    text: bool,
) -> PyResult<Option<Rows>> {
    match call(map.as_any(), "arrays", schema, text)? {
        Some((n, cols)) => read(cols, n, schema, text).map(Some),
        None => Ok(None),
    }
}
