//! `Network` (partners and their routing state): a thin wrapper over core's
//! `leadrail_core::host::SharedNetwork`. The batches are core's (`SharedNetwork::route_batch`):
//! this file reads the leads into columns, converts the results, and maps errors.

use std::ops::Range;
use std::sync::Arc;

use leadrail_core::api::network_state;
use leadrail_core::host::{
    self, BatchError, Block, Chunking, HostBatch, Instants, ReadError, Results, Rows, SharedNetwork,
};
use leadrail_core::network::Network;
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Engine, RouteOptions};
use leadrail_core::schema::Schema;
use leadrail_core::value::Type;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyMapping, PyString};

use crate::convert::{self, argument_json, found, wire};
use crate::exceptions::from_report;
use crate::flows;
use crate::typed::{Columns, PyDecision, PyRouteResults};
use crate::PYTHON;
use crate::{frames, routing};

/// Partners and their routing state, bound to the engine that built it.
#[pyclass(name = "Network", module = "leadrail", frozen)]
pub struct PyNetwork {
    pub(crate) engine: Arc<Engine>,
    pub(crate) net: SharedNetwork,
}

impl PyNetwork {
    pub(crate) fn new(engine: Arc<Engine>, net: Network) -> PyNetwork {
        PyNetwork {
            engine,
            net: SharedNetwork::new(net, PYTHON),
        }
    }

    /// Routes a batch (`host` reads its `n` leads and converts the results) with core's
    /// runner; raises the host's own error as it is and core's reports as exceptions.
    fn run<H: HostBatch<Error = PyErr>>(
        &self,
        py: Python<'_>,
        n: usize,
        instants: &Instants,
        opts: &RouteOptions,
        host: &mut H,
    ) -> PyResult<()> {
        self.net
            .route_batch(&self.engine, n, instants, opts, host)
            .map_err(|e| match e {
                BatchError::Host(e) => e,
                BatchError::Report(r) => from_report(py, r),
            })
    }

    /// Routes rows already read (a table's) in one piece, without the GIL: core's
    /// `SharedNetwork::route_rows`.
    fn route_rows(
        &self,
        py: Python<'_>,
        rows: Rows,
        instants: &Instants,
        opts: &RouteOptions,
    ) -> PyResult<Vec<Results>> {
        let results = py.detach(|| self.net.route_rows(&self.engine, rows, instants, opts));
        Ok(vec![raise(py, results)?])
    }
}

impl PyNetwork {
    /// `route` (`record: false`) or `assign` of one lead.
    fn one(
        &self,
        lead: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'_, PyAny>>,
        text_cells: bool,
        record: bool,
    ) -> PyResult<PyDecision> {
        let py = lead.py();
        let opts = route_options(explain, exclude)?;
        let lead = flows::one_record(py, lead, &self.engine.plan().lead_schema, text_cells)?;
        let now = raise(py, convert::instant(now)?)?;
        let d = py.detach(|| self.net.route_lead(&self.engine, &lead, now, &opts, record));
        Ok(PyDecision(raise(py, d)?))
    }
}

pub(crate) fn raise<T>(py: Python<'_>, r: Result<T, ErrorReport>) -> PyResult<T> {
    r.map_err(|e| from_report(py, e))
}

/// The routing options of a call: `explain`, and the partner ids of `exclude` (one id or an
/// iterable of ids).
fn route_options(explain: bool, exclude: Option<&Bound<'_, PyAny>>) -> PyResult<RouteOptions> {
    let mut ids = Vec::new();
    if let Some(x) = exclude {
        if let Ok(s) = x.cast::<PyString>() {
            ids.push(s.to_str()?.to_owned());
        } else {
            for item in x.try_iter()? {
                let item = item?;
                let Ok(s) = item.cast::<PyString>() else {
                    let (help, found) = ("pass e.g. `exclude=[\"P1\", \"P2\"]`", found(&item));
                    let e =
                        host::wrong_argument("`exclude`", "partner ids (text)", Some(&found), help);
                    return raise(x.py(), Err(e));
                };
                ids.push(s.to_str()?.to_owned());
            }
        }
    }
    Ok(RouteOptions {
        explain,
        exclude: ids,
    })
}

/// `route_batch`'s side of a batch: leads read from a list of mappings.
struct ListBatch<'s, 'py> {
    py: Python<'py>,
    list: Bound<'py, PyList>,
    schema: &'s Schema,
    out: Vec<Results>,
    /// With `as_columns`: the columns, converted as the chunks come.
    columns: Option<Columns<'py>>,
    /// Read as text cells (`text_cells=True`).
    text: bool,
}

impl HostBatch for ListBatch<'_, '_> {
    type Error = PyErr;

    fn read(&mut self, rows: Range<usize>) -> Result<Rows, ReadError<PyErr>> {
        // (a list that got shorter meanwhile gives fewer rows: the runner says what to do)
        let n = rows.len();
        let leads = rows.map_while(|i| self.list.get_item(i).ok());
        let rows = routing::read_rows(self.py, leads, n, self.schema, self.text)
            .map_err(ReadError::Host)?;
        // (columns: from the arrays, made on the routing thread)
        Ok(match self.columns {
            Some(_) => rows.with_arrays(),
            None => rows,
        })
    }

    fn emit(&mut self, results: Results) -> PyResult<()> {
        match &mut self.columns {
            Some(c) => c.push(results.into_arrays()),
            None => {
                self.out.push(results);
                Ok(())
            }
        }
    }

    fn detach(&mut self, work: &mut Block<'_>) {
        self.py.detach(work)
    }

    fn restart(&mut self) {
        self.out.clear();
        if let Some(c) = &mut self.columns {
            *c = Columns::new(self.py, self.list.len());
        }
    }

    fn chunking(&self) -> Chunking {
        Chunking::Equal
    }
}

/// `route_columns`' side of a batch: one host list per field (and `id`), read in chunks when
/// they are all of one length.
struct ColumnsBatch<'s, 'py> {
    py: Python<'py>,
    /// `id` and the fields given: their names, types (`None` for the ids) and lists.
    given: Vec<(&'s str, Option<&'s Type>, Bound<'py, PyList>)>,
    /// The number of leads (the ids').
    n: usize,
    out: Vec<Results>,
}

impl HostBatch for ColumnsBatch<'_, '_> {
    type Error = PyErr;

    fn read(&mut self, rows: Range<usize>) -> Result<Rows, ReadError<PyErr>> {
        let whole = rows.start == 0 && rows.end == self.n;
        let mut ids = Column::Json(Vec::new());
        let mut fields = Vec::with_capacity(self.given.len());
        for (name, ty, list) in &self.given {
            let part = match whole {
                true => list.clone(),
                false => list.get_slice(rows.start, rows.end),
            };
            let col = routing::column(&part, name, *ty).map_err(ReadError::Host)?;
            let col = match col.and_then(|c| c.check_len(name, rows.len()).map(|()| c)) {
                Ok(c) => c,
                // a chunk: a value no column can hold, or a list that changed, sends the
                // batch to one piece, which raises the whole batch's error
                Err(_) if !whole => return Err(ReadError::OnePiece),
                Err(e) => return Err(ReadError::Host(from_report(self.py, e))),
            };
            match *name {
                "id" => ids = col,
                _ => fields.push(((*name).to_owned(), col)),
            }
        }
        Ok(Rows::new(PYTHON, rows.len(), ids, fields))
    }

    fn emit(&mut self, results: Results) -> PyResult<()> {
        self.out.push(results);
        Ok(())
    }

    fn detach(&mut self, work: &mut Block<'_>) {
        self.py.detach(work)
    }

    fn restart(&mut self) {
        self.out.clear()
    }

    fn chunked(&self) -> bool {
        self.given.iter().all(|(_, _, l)| l.len() == self.n)
    }

    fn chunking(&self) -> Chunking {
        Chunking::Equal
    }
}

fn get_column<'py>(map: &Bound<'py, PyMapping>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    routing::get(map.as_any(), None, &PyString::new(map.py(), name))
}

#[pymethods]
impl PyNetwork {
    /// Routes one lead at `now` without changing any state (what if); returns its `Decision`.
    /// `text_cells=True`: the lead's string values are CSV cells (as `csv.DictReader` gives them).
    #[pyo3(signature = (lead, now, explain = false, exclude = None, *, text_cells = false))]
    fn route(
        &self,
        lead: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'_, PyAny>>,
        text_cells: bool,
    ) -> PyResult<PyDecision> {
        self.one(lead, now, explain, exclude, text_cells, false)
    }

    /// Routes one lead at `now` and records it: the same decision and state as a one-lead
    /// `route_batch`, and the partner holds the lead until `release(lead_id)`. Raises
    /// `DataError` (`leadrail::data::lead_held`) for a lead a partner already holds.
    #[pyo3(signature = (lead, now, explain = false, exclude = None, *, text_cells = false))]
    fn assign(
        &self,
        lead: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'_, PyAny>>,
        text_cells: bool,
    ) -> PyResult<PyDecision> {
        self.one(lead, now, explain, exclude, text_cells, true)
    }

    /// Adds a partner (a mapping); raises `DataError` naming the record and the field, or for
    /// an id the network has, and then changes nothing.
    fn add_partner(&self, py: Python<'_>, partner: &Bound<'_, PyAny>) -> PyResult<()> {
        let r = flows::one_record(py, partner, &self.engine.plan().partner_schema, false)?;
        raise(py, py.detach(|| self.net.add_partner(r)))
    }

    /// Replaces a partner's record (by its `id`; every field replaced), keeping its state
    /// (workload, held leads, round-robin position); raises like `add_partner`, or for an
    /// unknown id, and then changes nothing.
    fn update_partner(&self, py: Python<'_>, partner: &Bound<'_, PyAny>) -> PyResult<()> {
        let r = flows::one_record(py, partner, &self.engine.plan().partner_schema, false)?;
        raise(py, py.detach(|| self.net.update_partner(r)))
    }

    /// Removes a partner: later decisions never pick it, and the leads it held are no longer
    /// held. Raises `DataError` (`leadrail::data::unknown_partner`) for an unknown id.
    fn remove_partner(&self, py: Python<'_>, id: &str) -> PyResult<()> {
        raise(py, py.detach(|| self.net.remove_partner(id)))
    }

    /// Releases a lead (closed, lost or retracted): its partner's workload slot is freed once.
    /// Returns that partner's id. A lead that `assign` did not give or that is already
    /// released raises `DataError` (`leadrail::data::unknown_lead`) and changes nothing; for a
    /// lead routed by `route_batch` (which keeps no ledger), name its `partner`.
    #[pyo3(signature = (lead_id, partner = None))]
    fn release(&self, py: Python<'_>, lead_id: &str, partner: Option<&str>) -> PyResult<String> {
        raise(py, py.detach(|| self.net.release(lead_id, partner)))
    }

    /// The id of the partner holding a lead that `assign` gave it, or None.
    fn holder(&self, py: Python<'_>, lead_id: &str) -> PyResult<Option<String>> {
        let h = py.detach(|| self.net.read(|n| n.holder(lead_id).map(str::to_owned)));
        raise(py, h)
    }

    /// Routes leads in order (any iterable of mappings), applying each assignment to the
    /// partners' state; `now` is one instant or one per lead. Returns `RouteResults`, one
    /// `RouteResult` per lead: `ok` (a `Decision`) or `error` (a `Report`; a bad lead changes
    /// no state), kept in core's compact form and read when indexed. Routing runs
    /// without the GIL; big batches are routed in chunks on a second thread while this one
    /// converts (same results, errors and state as in one piece).
    ///
    /// With `as_columns=True` the results come as the columns of `route_columns` (`kind`,
    /// `target`, `rule`, `error`) rather than one dict per lead: the same decisions, for a
    /// fraction of the cost of building four dicts per lead (no explanations in that form).
    ///
    /// `leads` may also be a pandas DataFrame or a pyarrow Table (read as columns, missing values
    /// missing); `text_cells=True` (the default for a table) reads string values as CSV cells.
    #[pyo3(signature = (leads, now, explain = false, exclude = None, *, as_columns = false, text_cells = None))]
    #[expect(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn route_batch<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'py, PyAny>>,
        as_columns: bool,
        text_cells: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if explain && as_columns {
            let e = host::explain_as_columns("one dict per lead", "as_columns", "as_columns=True");
            return raise(py, Err(e));
        }
        let schema = &self.engine.plan().lead_schema;
        // a table's rows (read whole, routed in one piece), or the list of mappings
        let leads = match frames::table_rows(leads, schema, text_cells)? {
            Some(rows) => Ok(rows),
            None => Err(routing::record_list(leads, "leads")?),
        };
        let instants = raise(py, convert::now_arg(now)?)?;
        let opts = route_options(explain, exclude)?;
        let out = match leads {
            Ok(rows) => self.route_rows(py, rows, &instants, &opts)?,
            Err(list) => {
                let columns = as_columns.then(|| Columns::new(py, list.len()));
                let text = text_cells.unwrap_or(false);
                let (out, n) = (Vec::new(), list.len());
                let mut batch = ListBatch {
                    py,
                    list,
                    schema,
                    out,
                    columns,
                    text,
                };
                self.run(py, n, &instants, &opts, &mut batch)?;
                match batch.columns {
                    Some(c) => return Ok(c.finish()?.into_any()),
                    None => batch.out,
                }
            }
        };
        let results = PyRouteResults::new(out);
        match as_columns {
            true => Ok(results.columns_dict(py)?.into_any()),
            false => Ok(Bound::new(py, results)?.into_any()),
        }
    }

    /// Routes leads given as columns: a mapping of field name (and `id`) to a sequence of
    /// values (lists, tuples, numpy arrays, pandas Series), all of one length. Same semantics
    /// as `route_batch`, and the same results (`RouteResults`; their `columns()` are `kind`
    /// (`partner`/`queue`/`unrouted`, or None for an error), `target` (partner id or queue
    /// name), `rule`, `error` (a report dict or None)).
    /// numpy and pyarrow numeric columns are read from their buffers; `text_cells=True` reads
    /// string values as CSV cells.
    #[pyo3(signature = (columns, now, exclude = None, *, text_cells = false))]
    fn route_columns<'py>(
        &self,
        columns: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        exclude: Option<&Bound<'py, PyAny>>,
        text_cells: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = columns.py();
        let Ok(map) = columns.cast::<PyMapping>() else {
            let help = "pass e.g. `{\"id\": [...], \"region\": [...]}` or a dict of numpy arrays";
            let expected = "a mapping of field names to sequences";
            return raise(
                py,
                Err(host::wrong_argument("`columns`", expected, None, help)),
            );
        };
        let Some(ids) = get_column(map, "id")? else {
            return raise(py, Err(host::no_id_column()));
        };
        let schema = &self.engine.plan().lead_schema;
        if let Some(rows) = frames::mapping_rows(map, schema, text_cells)? {
            let instants = raise(py, convert::now_arg(now)?)?;
            let opts = route_options(false, exclude)?;
            let out = self.route_rows(py, rows, &instants, &opts)?;
            return Ok(Bound::new(py, PyRouteResults::new(out))?.into_any());
        }
        let mut given = vec![("id", None, ids)];
        for f in &schema.fields {
            if let Some(c) = get_column(map, &f.name)? {
                given.push((f.name.as_str(), Some(&f.ty), c));
            }
        }
        let mut lists = Vec::with_capacity(given.len());
        for (name, ty, obj) in given {
            lists.push((name, ty, raise(py, routing::column_list(&obj, name)?)?));
        }
        let instants = raise(py, convert::now_arg(now)?)?;
        let opts = route_options(false, exclude)?;
        let mut batch = ColumnsBatch {
            py,
            n: lists.first().map_or(0, |(_, _, l)| l.len()),
            given: lists,
            out: Vec::new(),
        };
        self.run(py, batch.n, &instants, &opts, &mut batch)?;
        Ok(Bound::new(py, PyRouteResults::new(batch.out))?.into_any())
    }

    /// The partners' routing state: `{"seq": int, "partners": [{"id", "active_leads",
    /// "last_assigned_at", "last_seq", "assigned", "version"}, ...]}` (ids ascending).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // (locks are waited for without the GIL: a chunked batch in another thread holds the
        // write lock while it converts with the GIL)
        let st = raise(py, py.detach(|| self.net.read(Network::export_state)))?;
        wire(py, &st)
    }

    /// Loads a state exported by `state()` (e.g. from the host's database).
    fn load_state(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        let st = raise(py, network_state(argument_json(state, "state", false)?))?;
        let done = py.detach(|| self.net.write(|net| net.import_state(&st)));
        raise(py, done.and_then(|r| r.map_err(ErrorReport::from)))
    }

    /// The number of partners.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        raise(py, py.detach(|| self.net.read(Network::len)))
    }
}
