//! A host's records read into columns, parsed and prepared by core with their good and bad
//! rows apart and every row's position kept.

#![expect(
    clippy::result_large_err,
    reason = "batch items carry the language-neutral ErrorReport"
)]

use std::sync::Arc;

use serde_json::Value as Json;

use super::coded::CodedRows;
use super::errors::{self, Host};
use super::instants::Instants;
use super::results::{Good, Results, Span};
use crate::network::Network;
use crate::record::{Column, DataError, DataErrorKind, Record, RecordRef, ValueError};
use crate::report::ErrorReport;
use crate::route::{Carry, Engine, LeadBatch, RouteOptions};
use crate::schema::Schema;

/// A problem a host met reading one of its records itself, before core sees the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Row `row` is not a record (not a mapping or an object): `value` is its JSON form (core
    /// reports what it reports for that JSON), or, when it has none, its description in the
    /// host's words (e.g. "a value of type `object`").
    NotARecord {
        /// The row (0-based in the [`Rows`]).
        row: usize,
        /// The value as JSON, or its description.
        value: Result<Json, String>,
    },
    /// A cell of row `row` has no JSON form: `found` describes it in the host's words (e.g.
    /// "the integer `1844...`, which is out of the 64-bit range").
    Unreadable {
        /// The row (0-based in the [`Rows`]).
        row: usize,
        /// The schema field's index, or `None` for the id.
        field: Option<usize>,
        /// The value's description.
        found: String,
    },
    /// A cell of row `row` has a form, but not one its field's type takes (a text cell that
    /// does not parse, a naive datetime): core names the record and the field.
    Invalid {
        /// The row (0-based in the [`Rows`]).
        row: usize,
        /// The schema field's index.
        field: usize,
        /// What is wrong, and the fix.
        error: ValueError,
    },
}

impl Problem {
    fn row(&self) -> usize {
        match self {
            Problem::NotARecord { row, .. }
            | Problem::Unreadable { row, .. }
            | Problem::Invalid { row, .. } => *row,
        }
    }
}

/// A batch of host records (leads or partners) read into columns: the ids, the schema's fields
/// by name, and the [`Problem`]s the host met itself. Core parses them (each distinct
/// dictionary entry once), keeps the good and the bad rows apart, and names a record known only
/// by its position by its position in the whole batch ([`Rows::starting_at`]).
///
/// ```
/// use std::sync::Arc;
///
/// use leadrail_core::host::{Host, Problem, Rows};
/// use leadrail_core::record::Column;
/// use leadrail_core::schema::{Field, Schema};
/// use leadrail_core::value::Type;
///
/// let schema = Schema {
///     fields: vec![Field { name: "size".into(), ty: Type::Int, optional: false }],
/// };
/// let ids = Column::Text(vec![Some(Arc::from("L1")), None, Some(Arc::from("L3"))]);
/// let sizes = Column::Int(vec![Some(5), Some(6), None]);
/// let rows = Rows::new(Host::RUST, 3, ids, vec![("size".into(), sizes)])
///     .with_problems(vec![Problem::Unreadable { row: 2, field: Some(0), found: "a value of type `object`".into() }])
///     .starting_at(100);
/// let parsed = rows.records(&schema);
/// assert_eq!(parsed.good.len(), 1);
/// assert_eq!(parsed.bad[0].0, 1);
/// assert_eq!(parsed.bad[0].1.message, "record #102: missing `id`");
/// assert_eq!(parsed.bad[1].1.message, "record `L3`, field `size`: cannot read a value of type `object`");
/// ```
#[derive(Debug, Clone)]
pub struct Rows {
    host: Host,
    rows: usize,
    at: usize,
    ids: Column,
    pub(super) fields: Vec<(String, Column)>,
    pub(super) problems: Vec<Problem>,
    /// Coded rows not read yet ([`Rows::from_coded`]): read into the columns above first.
    coded: Option<Box<CodedRows>>,
    /// Whether the results are wanted as arrays ([`Rows::with_arrays`]).
    arrays: bool,
}

/// Records parsed from [`Rows`]: the good ones in row order, and each bad row (0-based in the
/// rows, ascending) with its error.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The records of the good rows, in order.
    pub good: Vec<Record>,
    /// The bad rows and their errors, ascending.
    pub bad: Vec<(usize, ErrorReport)>,
}

impl Parsed {
    /// The records if every row is good, else the error of the first bad row (a set of records
    /// that is taken whole, such as a network's partners).
    pub fn into_records(self) -> Result<Vec<Record>, ErrorReport> {
        match self.bad.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(self.good),
        }
    }

    /// Each row's record or error, in row order.
    pub fn into_rows(self) -> Vec<Result<Record, ErrorReport>> {
        let mut good = self.good.into_iter();
        let mut bad = self.bad.into_iter().peekable();
        let rows = good.len() + bad.len();
        (0..rows)
            .map(|i| match bad.next_if(|(row, _)| *row == i) {
                Some((_, e)) => Err(e),
                None => good
                    .next()
                    .ok_or_else(|| errors::internal("a record went missing")),
            })
            .collect()
    }

    fn from_rows(rows: Vec<Result<Record, ErrorReport>>) -> Parsed {
        let mut good = Vec::with_capacity(rows.len());
        let mut bad = Vec::new();
        for (i, r) in rows.into_iter().enumerate() {
            match r {
                Ok(rec) => good.push(rec),
                Err(e) => bad.push((i, e)),
            }
        }
        Parsed { good, bad }
    }
}

impl Rows {
    /// `rows` records: `ids` holds the id of each row and `fields` the schema's fields by name,
    /// in the forms [`Record::from_columns`] reads (a field without a column is missing in
    /// every row; columns the schema does not declare are ignored).
    pub fn new(host: Host, rows: usize, ids: Column, fields: Vec<(String, Column)>) -> Rows {
        Rows {
            host,
            rows,
            at: 0,
            ids,
            fields,
            problems: Vec::new(),
            coded: None,
            arrays: false,
        }
    }

    /// [`Rows::new`] with one column per field of `schema`, in the schema's order.
    pub fn in_schema_order(
        host: Host,
        rows: usize,
        ids: Column,
        schema: &Schema,
        columns: Vec<Column>,
    ) -> Rows {
        let fields = schema
            .fields
            .iter()
            .map(|f| f.name.clone())
            .zip(columns)
            .collect();
        Rows::new(host, rows, ids, fields)
    }

    /// Records given as JSON values (each an object, or core reports it): the rows a Rust host
    /// or the JSON facade routes.
    pub fn from_json(host: Host, schema: &Schema, records: &[Json]) -> Rows {
        let n = records.len();
        let mut ids = Vec::with_capacity(n);
        let mut cols: Vec<Vec<Json>> = schema
            .fields
            .iter()
            .map(|_| Vec::with_capacity(n))
            .collect();
        let mut problems = Vec::new();
        for (row, r) in records.iter().enumerate() {
            let obj = r.as_object();
            if obj.is_none() {
                problems.push(Problem::NotARecord {
                    row,
                    value: Ok(r.clone()),
                });
            }
            let get = |k: &str| obj.and_then(|o| o.get(k)).cloned().unwrap_or(Json::Null);
            ids.push(get("id"));
            for (f, col) in schema.fields.iter().zip(cols.iter_mut()) {
                col.push(get(&f.name));
            }
        }
        let cols = cols.into_iter().map(Column::Json).collect();
        Rows::in_schema_order(host, n, Column::Json(ids), schema, cols).with_problems(problems)
    }

    /// The same rows with the problems the host met reading them.
    pub fn with_problems(mut self, problems: Vec<Problem>) -> Rows {
        self.problems = problems;
        self
    }

    /// The same number of rows, coded, to be read into columns when parsed or prepared.
    pub(super) fn with_coded(mut self, coded: CodedRows) -> Rows {
        self.coded = Some(Box::new(coded));
        self
    }

    /// The same rows, whose results the host takes as [`ResultArrays`](super::ResultArrays)
    /// ([`Results::into_arrays`]): they are made where the rows are routed (on a chunked
    /// batch's routing thread, not the host's).
    pub fn with_arrays(mut self) -> Rows {
        self.arrays = true;
        self
    }

    /// The rows with their coded columns read (in `schema`'s order), if they have any.
    pub(super) fn decoded(self, schema: &Schema) -> Rows {
        let Some(coded) = self.coded else {
            return self;
        };
        let (ids, columns, mut problems) = coded.columns();
        problems.extend(self.problems);
        let (host, rows, at) = (self.host, self.rows, self.at);
        let decoded = Rows::in_schema_order(host, rows, ids, schema, columns);
        Rows {
            at,
            problems,
            arrays: self.arrays,
            ..decoded
        }
    }

    /// The same rows as rows `at..` (0-based) of a larger batch: an error about a record known
    /// only by its position names its position in that batch. The batch runner sets it for each
    /// chunk it reads.
    pub fn starting_at(mut self, at: usize) -> Rows {
        self.at = at;
        self
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The batch row of the first row (see [`Rows::starting_at`]).
    pub fn start(&self) -> usize {
        self.at
    }

    /// The rows parsed against `schema`: every row gives the record or the error
    /// [`Record::from_json_at`] gives for the equivalent JSON object, or the report of the
    /// earliest of its problems in schema order (the id first) when that comes first.
    pub fn records(self, schema: &Schema) -> Parsed {
        let this = self.decoded(schema);
        let named: Vec<(&str, &Column)> =
            this.fields.iter().map(|(n, c)| (n.as_str(), c)).collect();
        let at = this.at;
        if this.problems.is_empty() {
            let (good, bad) = Record::from_columns_split(schema, this.rows, &this.ids, &named);
            let bad = bad
                .into_iter()
                .map(|(i, e)| (i, ErrorReport::from(e.with_position(at + i + 1))))
                .collect();
            return Parsed { good, bad };
        }
        let mut all: Vec<Result<Record, ErrorReport>> =
            Record::from_columns(schema, this.rows, &this.ids, &named)
                .into_iter()
                .enumerate()
                .map(|(i, r)| r.map_err(|e| ErrorReport::from(e.with_position(at + i + 1))))
                .collect();
        let host = this.problem_reports(schema);
        merge_host_errors(schema, &mut all, host);
        Parsed::from_rows(all)
    }

    /// The rows parsed and prepared for routing by `engine` (the good ones checked against the
    /// lead schema, their probe values interned), the bad ones apart with their errors.
    pub fn prepare(self, engine: &Engine) -> Prepared {
        self.prepare_with(engine, &mut Carry::one_piece())
    }

    /// [`Rows::prepare`] for a chunk of a batch routed in chunks: the probe values and
    /// candidate combinations of earlier chunks prepared with `carry` are known already (see
    /// [`Carry`]); route the chunk with [`Prepared::route_with`] and the same carry before
    /// preparing the next one.
    pub fn prepare_with(self, engine: &Engine, carry: &mut Carry) -> Prepared {
        let schema = &engine.plan().lead_schema;
        let this = self.decoded(schema);
        let (at, rows, arrays) = (this.at, this.rows, this.arrays);
        let (batch, bad) = carry.prepare(engine, |carried| {
            if this.problems.is_empty() {
                engine.prepare_owned(at, rows, this.ids, this.fields, carried)
            } else {
                let Parsed { good, bad } = this.records(schema);
                (engine.prepare_leads_with(good, carried), bad)
            }
        });
        Prepared {
            span: Span::new(at, rows, bad),
            batch,
            arrays,
        }
    }

    /// The problems as `(row, position, report)`, position 0 for the record or its id and
    /// `1 + i` for schema field `i` (the form `merge_host_errors` takes).
    fn problem_reports(&self, schema: &Schema) -> Vec<(usize, usize, ErrorReport)> {
        self.problems
            .iter()
            .map(|p| {
                let row = p.row();
                let position = self.at + row + 1;
                match p {
                    Problem::NotARecord { value: Ok(j), .. } => {
                        let e = match Record::from_json_at(schema, j, position) {
                            Err(e) => ErrorReport::from(e),
                            // (an object is a record: the host should not have said otherwise)
                            Ok(_) => errors::internal("a record was reported as not a record"),
                        };
                        (row, 0, e)
                    }
                    Problem::NotARecord {
                        value: Err(found), ..
                    } => (row, 0, errors::not_a_record(position, found)),
                    Problem::Invalid { field, error, .. } => {
                        let name = schema.fields.get(*field).map_or("", |f| f.name.as_str());
                        let kind = DataErrorKind::InvalidField(error.clone());
                        let e = DataError::new(&self.name(row), Some(name), kind);
                        (row, 1 + field, ErrorReport::from(e))
                    }
                    Problem::Unreadable { field, found, .. } => {
                        let (pos, name) = match field.and_then(|f| schema.fields.get(f)) {
                            Some(f) => (1 + field.unwrap_or(0), f.name.as_str()),
                            None => (0, "id"),
                        };
                        let record = self.name(row);
                        (
                            row,
                            pos,
                            errors::unreadable_at(self.host, &record, name, found),
                        )
                    }
                }
            })
            .collect()
    }

    /// How the host layer's messages name row `row`: by its id when that is text, else by its
    /// position in the batch.
    fn name(&self, row: usize) -> RecordRef {
        let text = match &self.ids {
            Column::Text(v) => v.get(row).cloned().flatten(),
            Column::Dict { dict, codes } => {
                match codes.get(row).and_then(|c| dict.get(*c as usize)) {
                    Some(Json::String(s)) => Some(Arc::from(s.as_str())),
                    _ => None,
                }
            }
            Column::Json(v) => match v.get(row) {
                Some(Json::String(s)) => Some(Arc::from(s.as_str())),
                _ => None,
            },
            Column::Packed { text, ends } => {
                crate::record::packed_text(text, ends, row).map(Arc::from)
            }
            Column::Int(_) | Column::Float(_) => None,
        };
        match text {
            Some(id) => RecordRef::Id(id),
            None => RecordRef::Position(self.at + row + 1),
        }
    }
}

/// Rows ready to route: the good ones prepared by the engine, in order, and the bad ones'
/// errors apart (their [`Span`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    span: Span,
    batch: LeadBatch,
    arrays: bool,
}

impl std::ops::Deref for Prepared {
    type Target = Span;

    fn deref(&self) -> &Span {
        &self.span
    }
}

impl Prepared {
    /// Routes the good rows in order, applying each assignment to `network`'s state; `instants`
    /// are the whole batch's (checked with [`Instants::check`]), those of the bad rows skipped.
    pub fn route(
        self,
        engine: &Engine,
        network: &mut Network,
        instants: &Instants,
        opts: &RouteOptions,
    ) -> Results {
        self.route_with(engine, network, instants, opts, &mut Carry::one_piece())
    }

    /// [`Prepared::route`] for a chunk prepared with [`Rows::prepare_with`]: the probe values
    /// resolved and the candidates listed for earlier chunks routed with `carry` are reused
    /// (see [`Carry`]).
    pub fn route_with(
        self,
        engine: &Engine,
        network: &mut Network,
        instants: &Instants,
        opts: &RouteOptions,
        carry: &mut Carry,
    ) -> Results {
        self.route_keep(engine, network, (instants, opts), carry).0
    }

    /// [`Prepared::route_with`], handing back the prepared batch (so the caller chooses the
    /// thread that frees it).
    pub(crate) fn route_keep(
        self,
        engine: &Engine,
        network: &mut Network,
        (instants, opts): (&Instants, &RouteOptions),
        carry: &mut Carry,
    ) -> (Results, LeadBatch) {
        let Prepared {
            span,
            mut batch,
            arrays,
        } = self;
        let times = span.good_times(instants);
        let routed = carry.route(engine, network, &mut batch, times.times(), opts);
        let results = Results::new(span, Good::Compact(Box::new(routed)));
        (if arrays { results.arrayed() } else { results }, batch)
    }

    /// Routes the good rows without changing `network` (each sees the same state; in parallel),
    /// for "what would happen" calls.
    pub fn route_unapplied(
        self,
        engine: &Engine,
        network: &Network,
        instants: &Instants,
        opts: &RouteOptions,
    ) -> Results {
        let Prepared { span, batch, .. } = self;
        let times = span.good_times(instants);
        let decisions = engine.route_many(network, &batch.leads(), times.times(), opts);
        Results::new(span, Good::Full(decisions))
    }
}

/// Combines rows read by [`Record::from_columns`] with the problems a host binding met while
/// reading cells itself (values without a JSON form, e.g. a Python object or a JS symbol), so
/// that each row reports the problem [`Record::from_json_at`] would report first: the one of
/// the earliest field in schema order, the id before every field.
///
/// `host` holds `(row, position, report)`: position 0 for the id, `1 + i` for schema field `i`.
/// A host problem replaces a row's record, or core's error unless core's is about an earlier
/// field; of several host problems of a row, the earliest position wins.
pub fn merge_host_errors(
    schema: &Schema,
    rows: &mut [Result<Record, ErrorReport>],
    mut host: Vec<(usize, usize, ErrorReport)>,
) {
    let position = |e: &ErrorReport| match e.field.as_deref() {
        None | Some("id") => 0,
        Some(f) => schema.index_of(f).map_or(0, |i| 1 + usize::from(i)),
    };
    host.sort_by_key(|(row, pos, _)| (*row, *pos));
    let mut last_row = None;
    for (row, pos, report) in host {
        if last_row == Some(row) {
            continue;
        }
        last_row = Some(row);
        if let Some(slot) = rows.get_mut(row) {
            let replace = match slot {
                Ok(_) => true,
                Err(core) => position(core) >= pos,
            };
            if replace {
                *slot = Err(report);
            }
        }
    }
}
