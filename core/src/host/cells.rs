//! Text cells: a host's records read as the rows of a text table (a CSV file read by
//! `csv.DictReader`, a pandas or Arrow table read from one, an array of string rows), whose
//! cells take the CSV forms of [`Value::from_text`] (the `leadrail` CLI's): `a|b` sets, `US except
//! US-AK, US-HI` territories, `k=v|k2=v2` maps, `41.9 -87.6` points, `42`, `0.85`, `85%`, `true`.
//!
//! [`Rows::text_cells`] rewrites the string cells of every field into the form that field's
//! JSON reader takes, each distinct dictionary entry once; a cell that does not parse becomes
//! a [`Problem::Invalid`] naming the record and the field, as the CLI names it. Empty cells
//! and NaN (a data frame's missing value) are missing.

use std::sync::Arc;

use serde_json::Value as Json;

use super::rows::{Problem, Rows};
use crate::record::{packed_text, Column, ValueError};
use crate::schema::Schema;
use crate::value::{Type, Value};

impl Rows {
    /// The same rows with their cells read as text cells (see the module docs): each string
    /// cell of a field parsed with [`Value::from_text`] against the field's type (text trimmed,
    /// an empty cell missing, or the empty set or map), each float NaN missing, and a missing set
    /// or map the empty one. Numbers, booleans and other non-text values are left as they are.
    /// Ids are not changed.
    ///
    /// ```
    /// use leadrail_core::host::{Host, Rows};
    /// use leadrail_core::schema::{Field, Schema};
    /// use leadrail_core::value::{Type, Value};
    /// use serde_json::json;
    ///
    /// let field = |name: &str, ty: Type| Field { name: name.into(), ty, optional: true };
    /// let schema = Schema {
    ///     fields: vec![
    ///         field("territories", Type::Set(Box::new(Type::Region))),
    ///         field("capacity", Type::Int),
    ///     ],
    /// };
    /// let rows = [
    ///     json!({"id": "P1", "territories": "US except US-AK, US-HI|CA", "capacity": "287"}),
    ///     json!({"id": "P2", "territories": "", "capacity": "many"}),
    ///     json!({"id": "P3", "capacity": 1}),
    /// ];
    /// let parsed = Rows::from_json(Host::RUST, &schema, &rows).text_cells(&schema).records(&schema);
    /// assert_eq!(parsed.good[0].values[1], Value::Int(287));
    /// // a missing set (or map) is the empty one, as an empty cell is
    /// assert_eq!(parsed.good[1].values[0], Value::Set(Vec::new().into()));
    /// assert_eq!(parsed.bad[0].1.message, "record `P2`, field `capacity`: expected an integer, found `many`");
    /// ```
    pub fn text_cells(self, schema: &Schema) -> Rows {
        // (coded rows are read into their columns first)
        let mut this = self.decoded(schema);
        for (name, column) in &mut this.fields {
            let Some(i) = schema.index_of(name) else {
                continue;
            };
            let i = usize::from(i);
            let Some(field) = schema.fields.get(i) else {
                continue;
            };
            for (row, error) in read_cells(&field.ty, column) {
                this.problems.push(Problem::Invalid {
                    row,
                    field: i,
                    error,
                });
            }
        }
        this
    }
}

/// A string cell as the JSON value its field's reader takes.
fn cell_json(ty: &Type, cell: &str) -> Result<Json, ValueError> {
    let t = cell.trim();
    match ty {
        Type::Text if t.is_empty() => Ok(Json::Null),
        Type::Text => Ok(Json::String(t.to_owned())),
        _ => Value::from_text(ty, t).map(|v| v.to_json()),
    }
}

/// Rewrites the string cells (and NaN floats) of `column`, of type `ty`, into their JSON form;
/// returns the rows whose cell does not parse (their cell is made missing). A missing cell of a
/// set or a map is the empty one, as an empty cell is.
fn read_cells(ty: &Type, column: &mut Column) -> Vec<(usize, ValueError)> {
    if let Column::Packed { text, ends } = column {
        // (a packed column is read as its texts)
        let texts = (0..ends.len())
            .map(|row| packed_text(text, ends, row).map(Arc::from))
            .collect();
        *column = Column::Text(texts);
    }
    let bad = read_strings(ty, column);
    if let Ok(empty) = Value::from_text(ty, "").map(|v| v.to_json()) {
        if !empty.is_null() {
            fill_missing(column, &empty, &bad);
        }
    }
    bad
}

/// Gives every missing cell of `column` the value `empty` (an empty set or map), the rows of
/// `bad` aside.
fn fill_missing(column: &mut Column, empty: &Json, bad: &[(usize, ValueError)]) {
    let mut kept = vec![false; column.len()];
    for (row, _) in bad {
        if let Some(k) = kept.get_mut(*row) {
            *k = true;
        }
    }
    let fill = |row: usize, missing: bool| missing && !kept.get(row).copied().unwrap_or(true);
    if let Column::Dict { dict, codes } = column {
        let empty_code = u32::try_from(dict.len()).unwrap_or(u32::MAX);
        let mut used = false;
        for (row, c) in codes.iter_mut().enumerate() {
            if fill(row, dict.get(*c as usize).is_none_or(Json::is_null)) {
                *c = empty_code;
                used = true;
            }
        }
        if used {
            dict.push(empty.clone());
        }
        return;
    }
    let cells: Vec<Json> = match column {
        Column::Json(cells) => std::mem::take(cells),
        Column::Float(xs) => xs
            .iter()
            .map(|x| x.map_or(Json::Null, Json::from))
            .collect(),
        Column::Int(xs) => xs
            .iter()
            .map(|x| x.map_or(Json::Null, Json::from))
            .collect(),
        Column::Text(xs) => xs
            .iter()
            .map(|x| {
                x.as_deref()
                    .map_or(Json::Null, |s| Json::String(s.to_owned()))
            })
            .collect(),
        // (a dictionary is filled above; a packed column was read as texts by `read_cells`)
        Column::Dict { .. } | Column::Packed { .. } => Vec::new(),
    };
    let filled = cells
        .into_iter()
        .enumerate()
        .map(|(row, j)| match fill(row, j.is_null()) {
            true => empty.clone(),
            false => j,
        });
    *column = Column::Json(filled.collect());
}

/// [`read_cells`] of the string cells and NaN floats.
fn read_strings(ty: &Type, column: &mut Column) -> Vec<(usize, ValueError)> {
    let mut bad = Vec::new();
    match column {
        Column::Dict { dict, codes } => {
            // each distinct entry once; the rows of an entry that does not parse, then
            let mut wrong = Vec::new();
            for (k, entry) in dict.iter_mut().enumerate() {
                if let Json::String(s) = entry {
                    match cell_json(ty, s) {
                        Ok(j) => *entry = j,
                        Err(e) => {
                            wrong.push((k, e));
                            *entry = Json::Null;
                        }
                    }
                }
            }
            if !wrong.is_empty() {
                let mut by_code = vec![None; dict.len()];
                for (k, e) in wrong {
                    if let Some(slot) = by_code.get_mut(k) {
                        *slot = Some(e);
                    }
                }
                for (row, code) in codes.iter().enumerate() {
                    if let Some(Some(e)) = by_code.get(*code as usize) {
                        bad.push((row, e.clone()));
                    }
                }
            }
        }
        Column::Json(cells) => {
            for (row, cell) in cells.iter_mut().enumerate() {
                if let Json::String(s) = cell {
                    match cell_json(ty, s) {
                        Ok(j) => *cell = j,
                        Err(e) => {
                            bad.push((row, e));
                            *cell = Json::Null;
                        }
                    }
                }
            }
        }
        Column::Text(cells) => {
            let mut json = Vec::with_capacity(cells.len());
            for (row, cell) in cells.iter().enumerate() {
                json.push(match cell.as_deref().map(|s| cell_json(ty, s)) {
                    None => Json::Null,
                    Some(Ok(j)) => j,
                    Some(Err(e)) => {
                        bad.push((row, e));
                        Json::Null
                    }
                });
            }
            *column = match ty {
                // (a text column stays one)
                Type::Text => Column::Text(
                    json.into_iter()
                        .map(|j| j.as_str().map(Arc::from))
                        .collect(),
                ),
                _ => Column::Json(json),
            };
        }
        Column::Float(xs) => xs
            .iter_mut()
            .filter(|x| x.is_some_and(f64::is_nan))
            .for_each(|x| *x = None),
        // (a packed column was read as texts by `read_cells`)
        Column::Int(_) | Column::Packed { .. } => {}
    }
    bad
}

/// The error of a datetime without a time zone (a host's naive datetime, shown as `shown`):
/// what to pass instead.
///
/// ```
/// let e = leadrail_core::host::naive_datetime("2026-01-05 09:00:00");
/// assert_eq!(e.message(), "naive datetime `2026-01-05 09:00:00` has no time zone");
/// ```
pub fn naive_datetime(shown: &str) -> ValueError {
    ValueError::new(
        format!("naive datetime `{shown}` has no time zone"),
        Some(
            "pass an aware datetime (with its time zone set, e.g. `tzinfo=timezone.utc`) or \
             milliseconds since the epoch"
                .into(),
        ),
    )
}
