//! Prepared lead batches ([`LeadBatch`]): leads checked once against the lead schema, the
//! lead-side values of the index probes interned once per distinct value (`keys.rs`), each
//! fused rule's candidate combination numbered per lead, and the lead-only slot values that do
//! not depend on the network computed once (`slots.rs`).

mod by_codes;
mod by_column;
mod checks;
mod keys;
mod leads;
mod slot_table;
mod slots;

use std::borrow::Cow;

use crate::network::validate::Shape;
use crate::record::{Column, ColumnRows, DataError, Record};
use crate::report::ErrorReport;
use crate::route::analysis::single_lead_field;
use crate::route::fused_rule::fused_reads_lead;
use crate::route::probe::ProbeKey;
use crate::route::rule::LeadSlot;
use crate::route::Engine;
use crate::schema::Schema;
use checks::Checks;
use keys::{number_combinations, ProbeKeys, RuleCombinations};
use keys::{CombinationTable, KnownKeys};
use leads::{LazyLead, LeadColumns, LeadSource};
pub(crate) use leads::{LeadReader, Leads};
pub(crate) use slot_table::{SlotTable, SlotValues};
use slots::{push_values, EmptyNetwork, PreparedSlot, SlotEval};

/// A lead-major table: `width` values per lead.
#[derive(Debug, Clone)]
pub(super) struct PerLead<T> {
    width: usize,
    values: Vec<T>,
}

impl<T: Copy> PerLead<T> {
    /// `rows` rows of `v`.
    fn filled(rows: usize, width: usize, v: T) -> PerLead<T> {
        PerLead {
            width,
            values: vec![v; rows * width],
        }
    }

    /// No rows yet, room for `rows` (rows are pushed value by value).
    fn with_capacity(rows: usize, width: usize) -> PerLead<T> {
        PerLead {
            width,
            values: Vec::with_capacity(rows * width),
        }
    }

    /// The values per lead.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// Lead `i`'s values (empty past the last row).
    #[inline]
    pub(super) fn row(&self, i: usize) -> &[T] {
        let w = self.width;
        self.values.get(i * w..(i + 1) * w).unwrap_or(&[])
    }

    /// Lead `i`'s values `range` (`None` past the row's end).
    #[inline]
    pub(super) fn part(&self, i: usize, range: std::ops::Range<usize>) -> Option<&[T]> {
        let at = i * self.width;
        if range.end > self.width {
            return None;
        }
        self.values.get(at + range.start..at + range.end)
    }

    /// Lead `i`'s value `j`.
    #[inline]
    pub(super) fn get(&self, i: usize, j: usize) -> Option<T> {
        if j >= self.width {
            return None;
        }
        self.values.get(i * self.width + j).copied()
    }

    /// All values, lead by lead.
    fn values(&self) -> &[T] {
        &self.values
    }

    /// All values, lead by lead, mutable.
    fn values_mut(&mut self) -> &mut [T] {
        &mut self.values
    }

    fn push(&mut self, v: T) {
        self.values.push(v);
    }

    /// Room for `rows` more rows.
    fn reserve(&mut self, rows: usize) {
        self.values.reserve(rows * self.width);
    }

    /// Makes the table at least `rows` rows long, new values `v`.
    fn grow(&mut self, rows: usize, v: T) {
        if self.values.len() < rows * self.width {
            self.values.resize(rows * self.width, v);
        }
    }

    /// Keeps the first `rows` rows.
    fn truncate(&mut self, rows: usize) {
        self.values.truncate(rows * self.width);
    }

    /// Lead `i`'s values, mutable.
    fn row_mut(&mut self, i: usize) -> Option<&mut [T]> {
        let w = self.width;
        self.values.get_mut(i * w..(i + 1) * w)
    }
}

/// A distinct lead-side key of a probe in a batch.
#[derive(Debug, Clone)]
pub(super) struct DistinctKey {
    /// The probe's id.
    pub(super) probe: usize,
    pub(super) key: ProbeKey,
}

/// The combinations of probe keys the fused rules' candidates are listed for: each one's key
/// ids (indexes into [`LeadBatch::distinct`], one per probe of its rule), one combination
/// after another in one array.
#[derive(Debug, Clone, Default)]
pub(super) struct Combinations {
    keys: Vec<u32>,
    /// Where each combination's keys end in `keys`.
    ends: Vec<usize>,
}

impl Combinations {
    /// The number of combinations.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Adds a combination of `keys`.
    fn push(&mut self, keys: impl Iterator<Item = u32>) {
        self.keys.extend(keys);
        self.ends.push(self.keys.len());
    }

    /// The key ids of each combination, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let keys = self.keys.get(start..end).unwrap_or(&[]);
            start = end;
            keys
        })
    }
}

/// Leads checked against the lead schema, with the lead-side values of the plan's index probes
/// (territories, memberships) interned per batch, so routing resolves each distinct value
/// against the network once.
#[derive(Debug, Clone)]
pub struct LeadBatch {
    pub(super) leads: Leads,
    /// Per lead: whether it passed its check, and the errors of those that did not.
    pub(super) checks: Checks,
    /// Per lead and probe (by id): the key id, `u32::MAX` for a probe resolved per lead (or
    /// one in `coded_keys`); read through [`LeadBatch::key_row`].
    keys: PerLead<u32>,
    /// The probes whose keys are read from their field's dictionary codes (a batch held as
    /// columns), not from `keys`.
    coded_keys: Vec<CodedKeys>,
    pub(super) distinct: Vec<DistinctKey>,
    /// Per lead and rule: the lead's candidate combination for a fused rule, `u32::MAX` for
    /// none.
    pub(super) combos: PerLead<u32>,
    pub(super) combinations: Combinations,
    /// Per lead, the values of every rule's prepared slots in rule order
    /// ([`super::rule::LeadSlots::prepared`]); `None` if they could not be computed.
    pub(super) prepared: Option<SlotTable>,
    /// The token of the [`crate::route::Carry`] preparation that made the batch (a chunk of a
    /// larger batch: `distinct` and `combinations` are the whole batch's so far); 0 for none.
    pub(super) carry: u64,
}

/// What the chunks of a batch share on the prepare side (see [`crate::route::Carry`]): each
/// probe's key ids and each rule's combination table, which number keys and combinations
/// across chunks, and (between a chunk's routing and the next chunk's preparation) the keys
/// and combinations so far, which a prepared chunk holds.
#[derive(Default)]
pub(crate) struct Carried {
    known: Vec<KnownKeys>,
    seen: Vec<CombinationTable>,
    pub(super) distinct: Vec<DistinctKey>,
    pub(super) combinations: Combinations,
    /// Whether later chunks will follow (then the key ids of dictionary entries' texts are
    /// kept for them).
    pub(crate) chunks: bool,
}

impl LeadBatch {
    /// The number of leads.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The leads' records (read from the host's columns when the batch was prepared from
    /// them without one).
    pub fn leads(&self) -> Cow<'_, [Record]> {
        self.leads.records()
    }

    /// A reader of the leads' records, lead by lead.
    pub(crate) fn reader(&self) -> LeadReader<'_> {
        self.leads.reader()
    }

    /// Lead `i`'s probe key ids, by probe id (`u32::MAX`: resolved per lead), written to
    /// `scratch` when some are read from dictionary codes.
    #[inline]
    pub(super) fn key_row<'s>(&'s self, i: usize, scratch: &'s mut Vec<u32>) -> &'s [u32] {
        let row = self.keys.row(i);
        let Leads::Columns(c) = &self.leads else {
            return row;
        };
        if self.coded_keys.is_empty() {
            return row;
        }
        scratch.clear();
        scratch.extend_from_slice(row);
        scratch.resize(self.keys.width(), u32::MAX);
        let r = c.row(i);
        for k in &self.coded_keys {
            let code = match c.fields.get(k.column) {
                Some((_, Column::Dict { codes, .. })) => codes.get(r),
                _ => None,
            };
            let id = code.and_then(|c| k.ids.get(*c as usize));
            if let (Some(id), Some(x)) = (id, scratch.get_mut(k.probe)) {
                *x = *id;
            }
        }
        scratch
    }
}

/// A probe whose keys are read from the dictionary codes of the column of its field.
#[derive(Debug, Clone)]
struct CodedKeys {
    probe: usize,
    /// The column's position among the batch's columns.
    column: usize,
    /// The key id of each dictionary code (`u32::MAX`: resolved per lead).
    ids: Vec<u32>,
}

/// The per-lead work of preparing a batch, shared by [`Engine::prepare_leads`] and
/// [`Engine::prepare_columns`] (which adds per-dictionary-code shortcuts giving the same
/// values).
struct Preparation<'a> {
    probes: Vec<ProbeKeys<'a>>,
    rules: Vec<RuleCombinations>,
    keys: PerLead<u32>,
    distinct: Vec<DistinctKey>,
    checks: Checks,
    combos: PerLead<u32>,
    combinations: Combinations,
    /// The probes whose keys are read from dictionary codes, not kept per lead (see
    /// [`LeadBatch::key_row`]).
    coded: Vec<usize>,
    /// Every rule's prepared slots, in rule order.
    slots: Vec<PreparedSlot<'a>>,
    prepared: SlotTable,
    /// The network the closures of network-independent slots read.
    net: EmptyNetwork<'a>,
}

impl<'a> Preparation<'a> {
    /// Preparation for up to `n` leads, numbering keys and combinations after those of
    /// `carried` (taken: [`Preparation::finish`] puts it back).
    fn new(engine: &'a Engine, n: usize, carried: &mut Carried) -> Preparation<'a> {
        let mut carried = std::mem::take(carried);
        let texts = carried.chunks;
        if carried.known.len() != engine.probes.len() || carried.seen.len() != engine.rules.len() {
            // (a batch's first chunk)
            carried = Carried::default();
        }
        let mut known = carried.known.into_iter();
        let probes = engine
            .probes
            .iter()
            .enumerate()
            .map(|(id, p)| ProbeKeys::new(id, p, known.next().unwrap_or_default(), texts))
            .collect();
        let slots = PreparedSlot::of(engine);
        Preparation {
            probes,
            rules: RuleCombinations::of(engine, carried.seen),
            keys: PerLead::filled(n, engine.probes.len(), u32::MAX),
            distinct: carried.distinct,
            checks: Checks::default(),
            combos: PerLead::filled(n, engine.rules.len(), u32::MAX),
            combinations: carried.combinations,
            coded: Vec::new(),
            prepared: SlotTable::with_capacity(n, slots.len()),
            slots,
            net: EmptyNetwork::new(engine),
        }
    }

    /// Uses the dictionary codes of columns for the probes and slots that read one lead field
    /// held by a dictionary-encoded column.
    fn use_columns(&mut self, reader: &ColumnRows<'a>) {
        let dict_codes = |f: usize| match reader.column(f) {
            Some(Column::Dict { codes, dict }) => Some((codes.as_slice(), dict.as_slice())),
            _ => None,
        };
        for p in &mut self.probes {
            if let Some((codes, entries)) = p.field.and_then(dict_codes) {
                p.use_dict(codes, entries);
            }
        }
        for s in &mut self.slots {
            let field = single_lead_field(&s.slot.expr).map(usize::from);
            if let Some((codes, entries)) = field.and_then(dict_codes) {
                let slot: &'a LeadSlot = s.slot;
                s.how = SlotEval::Memo {
                    codes,
                    memo: vec![None; entries.len()],
                    eval: &slot.eval,
                };
            }
        }
    }

    /// Whether every probe key and prepared slot value of a lead read from `reader` is served
    /// by its columns (a dictionary code's cached key or value, an integer cell), so that a
    /// lead's record is read only for a dictionary code's first lead.
    fn served_by(&self, reader: &ColumnRows<'_>) -> bool {
        let probes = self.probes.iter().all(|p| !p.reads_lead());
        let slots = self.slots.iter().all(|s| match &s.how {
            SlotEval::IntRange(t) => reader.int_column(t.field()),
            SlotEval::Memo { .. } => true,
            SlotEval::Closure(_) => false,
        });
        probes && slots
    }

    /// Prepares `n` leads of `source` (checked: `checks` holds their checks), lead `i` being
    /// row `rows[i]` of its columns (or row `i`), in lead order, so keys and combinations are
    /// numbered lead by lead.
    fn run<'b, S: LeadSource<'b>>(&mut self, n: usize, rows: Option<&[usize]>, source: &mut S) {
        self.keys.grow(n, u32::MAX);
        self.combos.grow(n, u32::MAX);
        let row = |i: usize| rows.and_then(|r| r.get(i).copied()).unwrap_or(i);
        let (slots, keys) = (!self.slots.is_empty(), self.keys.width() > 0);
        if slots || keys {
            for i in 0..n {
                let ok = self.checks.passed(i);
                let mut lead = LazyLead::new(i, row(i), source);
                if slots {
                    push_values(
                        &mut self.slots,
                        &mut self.prepared,
                        &mut self.net,
                        &mut lead,
                        ok,
                    );
                }
                if let (true, Some(keys)) = (keys && ok, self.keys.row_mut(i)) {
                    for (p, slot) in self.probes.iter_mut().zip(keys.iter_mut()) {
                        *slot = p.key(&mut lead, &mut self.distinct);
                    }
                }
            }
        }
        self.number(n);
    }

    /// Numbers the candidate combinations of the `n` leads from their keys.
    fn number(&mut self, n: usize) {
        let checks = &self.checks;
        number_combinations(
            &mut self.rules,
            &self.keys,
            &self.distinct,
            |i| checks.passed(i),
            n,
            &mut self.combos,
            &mut self.combinations,
        );
    }

    /// The batch of the `n` leads pushed, in order, held as `leads`; the key ids and
    /// combination tables go back to `carried` (the keys and combinations to the batch).
    fn finish(mut self, n: usize, leads: Leads, carried: &mut Carried) -> LeadBatch {
        self.keys.truncate(n);
        self.combos.truncate(n);
        carried.known = self.probes.into_iter().map(ProbeKeys::into_known).collect();
        carried.seen = self.rules.into_iter().map(|r| r.seen).collect();
        LeadBatch {
            leads,
            checks: self.checks,
            keys: self.keys,
            distinct: self.distinct,
            combos: self.combos,
            combinations: self.combinations,
            coded_keys: Vec::new(),
            prepared: (!self.net.failed).then_some(self.prepared),
            carry: 0,
        }
    }

    /// The probes whose keys are read from dictionary codes, their columns found among
    /// `fields` by the names of their fields in `schema`.
    fn coded_keys(&mut self, schema: &Schema, fields: &[(String, Column)]) -> Vec<CodedKeys> {
        let probes = &mut self.probes;
        self.coded
            .iter()
            .filter_map(|p| {
                let probe = probes.get_mut(*p)?;
                let name = &schema.fields.get(probe.field?)?.name;
                let column = fields.iter().position(|(n, _)| n == name)?;
                let ids = std::mem::take(&mut probe.dict.as_mut()?.ids);
                Some(CodedKeys {
                    probe: *p,
                    column,
                    ids,
                })
            })
            .collect()
    }
}

impl Engine {
    /// Prepares leads for [`Engine::route_prepared`]: checks each against the lead schema and
    /// interns the values its index probes look up.
    ///
    /// The work per lead does not allocate: a record whose values have the variants of its
    /// fields' types is not checked further; probe keys are interned per probe by the address
    /// of the lead's value (then by the value); candidate combinations per rule by their keys
    /// (packed into one integer for up to two probes, in an open-addressing table); and the
    /// lead-only slot values are computed into one array (comparisons of an int or decimal
    /// field with an integer as a range test, without the slot's closure; the others through
    /// the closure, with an empty network built once per batch, only if needed).
    pub fn prepare_leads(&self, leads: Vec<Record>) -> LeadBatch {
        self.prepare_leads_with(leads, &mut Carried::default())
    }

    /// [`Engine::prepare_leads`], numbering keys and combinations after `carried`'s.
    pub(crate) fn prepare_leads_with(
        &self,
        leads: Vec<Record>,
        carried: &mut Carried,
    ) -> LeadBatch {
        let mut prep = Preparation::new(self, leads.len(), carried);
        // (most records pass on the variants of their values alone)
        let shape = Shape::new(&self.plan().lead_schema);
        for lead in &leads {
            prep.checks.push(if shape.passes(lead) {
                None
            } else {
                self.check_lead(lead).err().map(Box::new)
            });
        }
        let n = leads.len();
        prep.run(n, None, &mut leads.as_slice());
        prep.finish(n, Leads::Records(leads), carried)
    }

    /// Prepares a columnar batch: the same batch and the same row errors as
    /// `Record::from_columns_split` followed by `Engine::prepare_leads`, faster.
    ///
    /// `ids` holds the id of each of the `rows` rows and `columns` the lead schema's fields by
    /// name, in the forms [`Record::from_columns`] reads. Rows with bad data are left out of
    /// the batch and returned with their row index (ascending) and error; the batch holds the
    /// other rows' records in order.
    ///
    /// What makes it cheaper: a row of integer, float, dictionary and missing optional cells
    /// with a text id is built with one allocation and needs no schema check (each dictionary
    /// entry is parsed and checked once); a probe reading a dictionary-encoded field interns
    /// each dictionary entry once; a lead-only value that reads one dictionary-encoded field
    /// is computed once per entry.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use leadrail_core::network::Network;
    /// use leadrail_core::plan::{CmpOp, Else, Expr, Fallback, Plan, Require, RouteRule, Scope, Tie};
    /// use leadrail_core::record::{Column, Record};
    /// use leadrail_core::route::{Engine, Outcome, RouteOptions, Times};
    /// use leadrail_core::schema::{Field, Schema};
    /// use leadrail_core::value::{Type, Value};
    /// use serde_json::json;
    ///
    /// let field = |name: &str, ty: Type| Field { name: name.into(), ty, optional: false };
    /// let lead_schema = Schema { fields: vec![field("line", Type::Text), field("size", Type::Int)] };
    /// let partner_schema = Schema {
    ///     fields: vec![field("lines", Type::Set(Box::new(Type::Text)))],
    /// };
    /// // route "big": lead.line in partner.lines, lead.size >= 100
    /// let plan = Plan {
    ///     name: "doc".into(),
    ///     version: 1,
    ///     content_hash: "0".into(),
    ///     lead_schema: lead_schema.clone(),
    ///     partner_schema: partner_schema.clone(),
    ///     rules: vec![RouteRule {
    ///         name: "big".into(),
    ///         when: None,
    ///         requires: vec![
    ///             Require {
    ///                 expr: Expr::InSet(
    ///                     Box::new(Expr::Field(Scope::Lead, 0)),
    ///                     Box::new(Expr::Field(Scope::Partner, 0)),
    ///                 ),
    ///                 label: "lead.line in partner.lines".into(),
    ///                 workload: false,
    ///             },
    ///             Require {
    ///                 expr: Expr::Cmp(
    ///                     CmpOp::Ge,
    ///                     Box::new(Expr::Field(Scope::Lead, 1)),
    ///                     Box::new(Expr::Lit(Value::Int(100))),
    ///                 ),
    ///                 label: "lead.size >= 100".into(),
    ///                 workload: false,
    ///             },
    ///         ],
    ///         rank: None,
    ///         balance: false,
    ///         tie: Tie::Id,
    ///         otherwise: Else::Next,
    ///     }],
    ///     fallback: Fallback::Unrouted,
    ///     calendars: Vec::new(),
    ///     slas: Vec::new(),
    ///     registrations: Vec::new(),
    /// };
    /// let engine = Engine::new(Arc::new(plan)).unwrap();
    /// let partner = Record {
    ///     id: Arc::from("P1"),
    ///     values: vec![Value::Set(Arc::from(vec![Value::Text(Arc::from("pumps"))]))],
    /// };
    /// let mut network = Network::new(&partner_schema, vec![partner]).unwrap();
    ///
    /// // ids as texts, lines dictionary-encoded, sizes as integers (row 2 has no size)
    /// let ids = Column::Text(vec![Some(Arc::from("L1")), Some(Arc::from("L2")), Some(Arc::from("L3"))]);
    /// let lines = Column::Dict { dict: vec![json!("pumps"), json!("valves")], codes: vec![0, 1, 0] };
    /// let sizes = Column::Int(vec![Some(500), Some(900), None]);
    /// let columns = [("line", &lines), ("size", &sizes)];
    /// let (batch, bad) = engine.prepare_columns(3, &ids, &columns);
    /// assert_eq!(batch.len(), 2);
    /// assert_eq!(bad.len(), 1);
    /// assert_eq!(bad[0].0, 2);
    ///
    /// // the same as parsing the columns into records and preparing those
    /// let (good, bad2) = Record::from_columns_split(&lead_schema, 3, &ids, &columns);
    /// assert_eq!(batch.leads(), good.as_slice());
    /// assert_eq!(bad, bad2);
    ///
    /// let out = engine
    ///     .route_prepared_compact(&mut network, &batch, Times::At(0), &RouteOptions::default())
    ///     .decisions();
    /// let routed: Vec<bool> = out
    ///     .iter()
    ///     .map(|d| matches!(d.as_ref().unwrap().outcome, Outcome::Partner { .. }))
    ///     .collect();
    /// assert_eq!(routed, [true, false]); // no partner has L2's line
    /// ```
    pub fn prepare_columns(
        &self,
        rows: usize,
        ids: &Column,
        columns: &[(&str, &Column)],
    ) -> (LeadBatch, Vec<(usize, DataError)>) {
        self.prepare_columns_with(rows, ids, columns, &mut Carried::default())
    }

    /// [`Engine::prepare_columns`], numbering keys and combinations after `carried`'s.
    fn prepare_columns_with(
        &self,
        rows: usize,
        ids: &Column,
        columns: &[(&str, &Column)],
        carried: &mut Carried,
    ) -> (LeadBatch, Vec<(usize, DataError)>) {
        let mut reader = ColumnRows::new(&self.plan().lead_schema, ids, columns);
        // (rows past the ids have no id: at most that many records)
        let most = rows.min(ids.len());
        let mut prep = Preparation::new(self, most, carried);
        prep.use_columns(&reader);
        let mut leads = Vec::with_capacity(most);
        // the row of each lead, kept from the first bad row on (until then lead `i` is row `i`)
        let mut at: Vec<usize> = Vec::new();
        let mut bad = Vec::new();
        for row in 0..rows {
            match reader.row(row) {
                Ok((lead, valid)) => {
                    // a record known to fit the schema needs no check
                    prep.checks.push(if valid {
                        None
                    } else {
                        self.check_lead(&lead).err().map(Box::new)
                    });
                    leads.push(lead);
                    if !bad.is_empty() {
                        at.push(row);
                    }
                }
                Err(e) => {
                    if bad.is_empty() {
                        at.reserve(most);
                        at.extend(0..leads.len());
                    }
                    bad.push((row, e));
                }
            }
        }
        let n = leads.len();
        prep.run(
            n,
            (!bad.is_empty()).then_some(at.as_slice()),
            &mut leads.as_slice(),
        );
        (prep.finish(n, Leads::Records(leads), carried), bad)
    }

    /// [`Engine::prepare_columns`] for `rows` rows that start at row `at` (0-based) of a larger
    /// batch, with the columns named as hosts hold them: each bad row's error as a report, a
    /// record known only by its position (`record #n`) named by its position in the larger
    /// batch. Hosts that route a batch in chunks prepare each chunk so, and a batch in one piece
    /// with `at` 0.
    ///
    /// ```
    /// # use leadrail_core::record::Column;
    /// # fn demo(engine: &leadrail_core::route::Engine, ids: &Column, cols: &[(String, Column)]) {
    /// // the second chunk of 1,000 rows of a batch
    /// let (batch, bad) = engine.prepare_columns_at(1_000, 1_000, ids, cols);
    /// # let _ = (batch, bad);
    /// # }
    /// ```
    pub fn prepare_columns_at(
        &self,
        at: usize,
        rows: usize,
        ids: &Column,
        columns: &[(String, Column)],
    ) -> (LeadBatch, Vec<(usize, ErrorReport)>) {
        self.prepare_columns_at_with(at, rows, ids, columns, &mut Carried::default())
    }

    /// [`Engine::prepare_columns_at`], numbering keys and combinations after `carried`'s.
    fn prepare_columns_at_with(
        &self,
        at: usize,
        rows: usize,
        ids: &Column,
        columns: &[(String, Column)],
        carried: &mut Carried,
    ) -> (LeadBatch, Vec<(usize, ErrorReport)>) {
        let named: Vec<(&str, &Column)> = columns.iter().map(|(n, c)| (n.as_str(), c)).collect();
        let (batch, bad) = self.prepare_columns_with(rows, ids, &named, carried);
        let bad = bad
            .into_iter()
            .map(|(i, e)| (i, ErrorReport::from(e.with_position(at + i + 1))))
            .collect();
        (batch, bad)
    }

    /// [`Engine::prepare_columns_at`] for columns a host hands over: when every probe key and
    /// prepared slot value is served by the columns and routing reads no lead's record (every
    /// rule runs in the fused loop from prepared values), the batch keeps the columns instead
    /// of a record per lead, and routing reads a record only when it needs one. Keys and
    /// combinations are numbered after `carried`'s (a batch's earlier chunks).
    pub(crate) fn prepare_owned(
        &self,
        at: usize,
        rows: usize,
        ids: Column,
        fields: Vec<(String, Column)>,
        carried: &mut Carried,
    ) -> (LeadBatch, Vec<(usize, ErrorReport)>) {
        let named: Vec<(&str, &Column)> = fields.iter().map(|(n, c)| (n.as_str(), c)).collect();
        let mut reader = ColumnRows::new(&self.plan().lead_schema, &ids, &named);
        let most = rows.min(ids.len());
        // (its tables grow as leads are pushed: nothing allocated per lead before the choice)
        let mut prep = Preparation::new(self, 0, carried);
        prep.use_columns(&reader);
        if self.rules.iter().any(fused_reads_lead) || !prep.served_by(&reader) {
            // (the carried tables back, untouched)
            drop(reader);
            let empty = prep.finish(0, Leads::Records(Vec::new()), carried);
            carried.distinct = empty.distinct;
            carried.combinations = empty.combinations;
            return self.prepare_columns_at_with(at, rows, &ids, &fields, carried);
        }
        prep.prepared.reserve(most);
        // lead `n` is row `n` until the first bad row, then row `at_rows[n]`
        let known = reader.known_valid(rows);
        // (the rows up to the first one not known to be good need no check)
        let good = known.iter().position(|k| !*k).unwrap_or(rows);
        prep.checks.passed_many(good);
        let (mut n, mut at_rows, mut bad) = (good, Vec::new(), Vec::new());
        for row in good..rows {
            let check = match known.get(row) {
                Some(true) => Ok(None),
                _ => reader.row(row).map(|(lead, valid)| match valid {
                    true => None,
                    false => self.check_lead(&lead).err().map(Box::new),
                }),
            };
            match check {
                Ok(c) => {
                    prep.checks.push(c);
                    if !bad.is_empty() {
                        at_rows.push(row);
                    }
                    n += 1;
                }
                Err(e) => {
                    if bad.is_empty() {
                        at_rows.reserve(most);
                        at_rows.extend(0..n);
                    }
                    bad.push((row, e));
                }
            }
        }
        let at_rows = (!bad.is_empty()).then_some(at_rows);
        prep.run_columns(n, at_rows.as_deref(), &mut reader);
        drop(reader);
        let coded_keys = prep.coded_keys(&self.plan().lead_schema, &fields);
        let mut batch = prep.finish(n, Leads::Records(Vec::new()), carried);
        batch.coded_keys = coded_keys;
        batch.leads = Leads::Columns(LeadColumns {
            plan: self.plan.clone(),
            len: n,
            ids,
            fields,
            rows: at_rows,
        });
        let bad = bad
            .into_iter()
            .map(|(i, e)| (i, ErrorReport::from(e.with_position(at + i + 1))))
            .collect();
        (batch, bad)
    }
}
