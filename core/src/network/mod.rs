//! The partner [`Network`]: partners as struct-of-arrays columns, indexes for candidate
//! generation (territory, competency, certifications, a spatial grid), and partner state.
//!
//! A network is built once from partner [`Record`]s against a partner [`Schema`] and then
//! updated incrementally (partner added, changed, removed; active lead counts set). Its state
//! (see [`crate::plan`], "Partner state") is exported and imported with serde so hosts can keep it
//! in their own database.

pub(crate) mod bits;
mod error;
mod flows;
pub(crate) mod index;
pub(crate) mod validate;

use std::sync::Arc;

use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use error::NetworkError;
pub use flows::Hold;

use crate::geo::GeoPoint;
use crate::plan::Plan;
use crate::record::Record;
use crate::schema::Schema;
use crate::value::{EpochMs, Type, Value};
use bits::Bits;
use index::{CertIndex, Grid, MemberIndex, TerritoryIndex};

/// The interned id of a text that the network has never seen.
pub(crate) const UNKNOWN: u32 = u32::MAX;

/// A scalar value as compiled expressions compute with it: a [`Value`] without sets, maps and
/// regions, whose texts and enum symbols are interned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Decimal(Decimal),
    /// An interned text or enum symbol ([`SymbolTable`]; [`UNKNOWN`] for one never seen).
    Symbol(u32),
    /// A date as its day number ([`day_of`]).
    Date(i32),
    /// Ms since epoch.
    DateTime(EpochMs),
    /// Ms.
    Duration(i64),
    Point(GeoPoint),
}

impl Scalar {
    /// The cell as a float (`NaN` for null and non-numbers).
    #[inline]
    pub(crate) fn f64(self) -> f64 {
        match self {
            Scalar::Int(i) => i as f64,
            Scalar::Float(x) => x,
            Scalar::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
            _ => f64::NAN,
        }
    }
}

/// Day number of a date (days from the common era), the unit of date columns.
pub(crate) fn day_of(d: chrono::NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// The UTC day of an instant, if representable.
pub(crate) fn day_of_instant(now: EpochMs) -> Option<i32> {
    chrono::DateTime::from_timestamp_millis(now).map(|t| day_of(t.date_naive()))
}

/// The network's texts and enum symbols, interned to small ints ([`Scalar::Symbol`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct SymbolTable {
    map: FxHashMap<Arc<str>, u32>,
    strs: Vec<Arc<str>>,
}

impl SymbolTable {
    pub(crate) fn intern(&mut self, s: &Arc<str>) -> u32 {
        if let Some(i) = self.map.get(s) {
            return *i;
        }
        let i = u32::try_from(self.strs.len()).unwrap_or(UNKNOWN);
        self.strs.push(s.clone());
        self.map.insert(s.clone(), i);
        i
    }
    /// The id of `s`, or [`UNKNOWN`].
    #[inline]
    pub(crate) fn lookup(&self, s: &str) -> u32 {
        self.map.get(s).copied().unwrap_or(UNKNOWN)
    }
}

/// One partner field as columns, one entry per partner slot.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartnerColumn {
    /// The field's scalars (null for sets, maps and regions).
    pub(crate) scalars: Vec<Scalar>,
    /// Its numeric view (`NaN` for null and non-numeric fields).
    pub(crate) numbers: Vec<f64>,
    /// Sorted interned items of set<text|enum> fields and keys of map<text, _> fields.
    pub(crate) members: Vec<Box<[u32]>>,
}

/// A partner's routing state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerState {
    /// The partner id.
    pub id: String,
    /// Open leads held by the partner.
    pub active_leads: i64,
    /// When it was last assigned a lead (ms since epoch), if ever.
    pub last_assigned_at: Option<EpochMs>,
    /// The network sequence number of its last assignment (0 = none since load).
    pub last_seq: u64,
    /// Assignments since the network was loaded.
    pub assigned: u64,
    /// Grows by one on every change, for compare-and-set in the host's database.
    pub version: u64,
}

/// The state of a whole network: the assignment sequence and every partner's state (by id).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NetworkState {
    /// The network's assignment sequence number.
    pub seq: u64,
    /// Partner states, ordered by id.
    pub partners: Vec<PartnerState>,
    /// The leads partners hold ([`Engine::assign`](crate::route::Engine::assign), until [`Network::release`]), ordered
    /// by lead id; omitted when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<Hold>,
}

/// Partner state as columns.
#[derive(Debug, Clone, Default)]
pub(crate) struct StateCols {
    pub(crate) active: Vec<i64>,
    pub(crate) last_at: Vec<Option<EpochMs>>,
    pub(crate) last_seq: Vec<u64>,
    pub(crate) assigned: Vec<u64>,
    pub(crate) version: Vec<u64>,
    pub(crate) seq: u64,
}

/// Per-field indexes.
#[derive(Debug, Clone)]
pub(crate) enum FieldIndex {
    None,
    Territory(TerritoryIndex),
    Member(MemberIndex),
    Grid(Grid),
}

/// Partners, indexed, with their state.
#[derive(Debug, Clone)]
pub struct Network {
    schema: Schema,
    pub(crate) ids: Vec<Arc<str>>,
    records: Vec<Record>,
    pub(crate) alive: Bits,
    by_id: FxHashMap<Arc<str>, u32>,
    /// Position of each slot's id in byte order among live partners.
    pub(crate) id_rank: Vec<u32>,
    pub(crate) columns: Vec<PartnerColumn>,
    pub(crate) index: Vec<FieldIndex>,
    pub(crate) certs: Vec<Option<CertIndex>>,
    pub(crate) symbols: SymbolTable,
    pub(crate) state: StateCols,
    /// The `status` enum field and the interned `active` symbol.
    pub(crate) f_status: Option<(u16, u32)>,
    /// The `capacity` int field, when `active_leads` is an int field too.
    pub(crate) f_capacity: Option<u16>,
    pub(crate) f_active: Option<u16>,
    pub(crate) f_last: Option<u16>,
    pub(crate) f_parent: Option<u16>,
    live: usize,
    /// The ledger of held leads: lead id -> the slot of the partner holding it (`flows.rs`).
    held: FxHashMap<Arc<str>, u32>,
}

fn field_of(schema: &Schema, name: &str, ok: impl Fn(&Type) -> bool) -> Option<u16> {
    let i = schema.index_of(name)?;
    schema.field(i).filter(|f| ok(&f.ty)).map(|_| i)
}

impl Network {
    /// Builds a network from partner records checked against `schema` (the plan's partner
    /// schema). Fails on a record that does not fit the schema or on a repeated id.
    pub fn new(schema: &Schema, partners: Vec<Record>) -> Result<Network, NetworkError> {
        let mut symbols = SymbolTable::default();
        let f_status = field_of(schema, "status", |t| matches!(t, Type::Enum(_)))
            .map(|i| (i, symbols.intern(&Arc::from("active"))));
        let f_active = field_of(schema, "active_leads", |t| *t == Type::Int);
        let f_capacity =
            field_of(schema, "capacity", |t| *t == Type::Int).filter(|_| f_active.is_some());
        let f_last = field_of(schema, "last_assigned_at", |t| *t == Type::DateTime);
        let f_parent = field_of(schema, "parent", |t| *t == Type::Text);
        let index = schema
            .fields
            .iter()
            .map(|f| match &f.ty {
                Type::Region => FieldIndex::Territory(TerritoryIndex::default()),
                Type::Set(t) if **t == Type::Region => {
                    FieldIndex::Territory(TerritoryIndex::default())
                }
                Type::Set(t) if matches!(**t, Type::Text | Type::Enum(_)) => {
                    FieldIndex::Member(MemberIndex::default())
                }
                Type::Map(k, _) if **k == Type::Text => FieldIndex::Member(MemberIndex::default()),
                Type::GeoPoint => FieldIndex::Grid(Grid::default()),
                _ => FieldIndex::None,
            })
            .collect();
        let certs = schema
            .fields
            .iter()
            .map(|f| match &f.ty {
                Type::Map(k, v) if **k == Type::Text && **v == Type::Date => {
                    Some(CertIndex::default())
                }
                _ => None,
            })
            .collect();
        let mut net = Network {
            schema: schema.clone(),
            ids: Vec::with_capacity(partners.len()),
            records: Vec::with_capacity(partners.len()),
            alive: Bits::with_len(partners.len()),
            by_id: FxHashMap::default(),
            id_rank: Vec::new(),
            columns: vec![PartnerColumn::default(); schema.fields.len()],
            index,
            certs,
            symbols,
            state: StateCols::default(),
            f_status,
            f_capacity,
            f_active,
            f_last,
            f_parent,
            live: 0,
            held: FxHashMap::default(),
        };
        for r in partners {
            net.insert(r)?;
        }
        net.rerank();
        Ok(net)
    }

    /// Builds a network against a plan's partner schema.
    pub fn for_plan(plan: &Plan, partners: Vec<Record>) -> Result<Network, NetworkError> {
        Network::new(&plan.partner_schema, partners)
    }

    /// The partner schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The number of partners.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the network has no partners.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Whether a partner with this id is in the network.
    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Partner ids in load order.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.alive
            .ones()
            .filter_map(|p| self.ids.get(p).map(|s| &**s))
    }

    /// A partner's record as loaded (its `active_leads` and `last_assigned_at` state is
    /// [`Network::state`]).
    pub fn partner(&self, id: &str) -> Option<&Record> {
        self.slot(id).and_then(|p| self.records.get(p))
    }

    /// A partner's state.
    pub fn state(&self, id: &str) -> Option<PartnerState> {
        self.slot(id).and_then(|p| self.state_of(p))
    }

    /// The largest assignment sequence number [`Network::import_state`] accepts: 2^63 - 1,
    /// which leaves 2^63 assignments (centuries at a billion a second) before the counter would
    /// saturate (it saturates rather than wraps).
    pub const MAX_SEQ: u64 = i64::MAX as u64;

    /// The network's assignment sequence number.
    pub fn seq(&self) -> u64 {
        self.state.seq
    }

    /// Exports every partner's state (ordered by id) and the sequence number.
    pub fn export_state(&self) -> NetworkState {
        let mut partners: Vec<PartnerState> =
            self.alive.ones().filter_map(|p| self.state_of(p)).collect();
        partners.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        NetworkState {
            seq: self.state.seq,
            partners,
            held: self.export_holds(),
        }
    }

    /// Imports state exported by [`Network::export_state`]. Partners not listed keep their
    /// state; the ledger of held leads becomes the state's `held` (none when absent). Fails,
    /// changing nothing, if an id (of a partner, or of a lead's holder) is not in the network,
    /// or if `seq` (or a
    /// partner's `last_seq`) is above [`Network::MAX_SEQ`]: the sequence counts assignments
    /// and must be able to grow (a `seq` of 2^64 - 1 would wrap to 0 on the next assignment,
    /// which reads as "never assigned" to round-robin).
    pub fn import_state(&mut self, st: &NetworkState) -> Result<(), NetworkError> {
        if st.seq > Network::MAX_SEQ {
            return Err(NetworkError::StateOutOfRange {
                field: "seq".into(),
                value: st.seq,
                max: Network::MAX_SEQ,
            });
        }
        let mut slots = Vec::with_capacity(st.partners.len());
        for ps in &st.partners {
            if ps.last_seq > Network::MAX_SEQ {
                return Err(NetworkError::StateOutOfRange {
                    field: format!("partners[{}].last_seq", ps.id),
                    value: ps.last_seq,
                    max: Network::MAX_SEQ,
                });
            }
            let p = self
                .slot(&ps.id)
                .ok_or_else(|| NetworkError::UnknownPartner { id: ps.id.clone() })?;
            slots.push(p);
        }
        let held = self.import_holds(&st.held)?;
        self.held = held;
        for (p, ps) in slots.into_iter().zip(&st.partners) {
            self.put_state(p, ps);
        }
        self.state.seq = st.seq;
        Ok(())
    }

    /// Adds a partner, with a state of its own: `active_leads` and `last_assigned_at` from its
    /// record's fields of those names (else 0 and never), never assigned since load. Fails,
    /// changing nothing, on a repeated id or a record that does not fit the schema (the error
    /// names the partner and the field).
    ///
    /// ```
    /// # use leadrail_core::network::Network;
    /// # use leadrail_core::record::Record;
    /// # use leadrail_core::schema::{Field, Schema};
    /// # use leadrail_core::value::{Type, Value};
    /// let schema = Schema { fields: vec![Field { name: "capacity".into(), ty: Type::Int, optional: false }] };
    /// let mut net = Network::new(&schema, Vec::new()).unwrap();
    /// net.add_partner(Record { id: "P1".into(), values: vec![Value::Int(2)] }).unwrap();
    /// let bad = net.add_partner(Record { id: "P2".into(), values: vec![Value::Text("two".into())] });
    /// assert_eq!(
    ///     bad.unwrap_err().to_string(),
    ///     "partner `P2`: field `capacity` expects int, found text `two`"
    /// );
    /// assert_eq!(net.ids().collect::<Vec<_>>(), ["P1"]);
    /// ```
    pub fn add_partner(&mut self, record: Record) -> Result<(), NetworkError> {
        self.insert(record)?;
        self.rerank();
        Ok(())
    }

    /// Replaces a partner's record (same id; every field replaced), re-indexing it. Its state is
    /// kept (`active_leads`, the leads it holds, `last_assigned_at` and its round-robin
    /// position: the record's `active_leads` and `last_assigned_at` fields are not read again)
    /// and its version grows by one. Fails, changing nothing, on an unknown id or a record that
    /// does not fit the schema.
    pub fn update_partner(&mut self, record: Record) -> Result<(), NetworkError> {
        let p = self
            .slot(&record.id)
            .ok_or_else(|| NetworkError::UnknownPartner {
                id: record.id.to_string(),
            })?;
        self.check(&record)?;
        self.unindex(p);
        self.fill(p, record);
        bump(&mut self.state.version, p);
        Ok(())
    }

    /// Removes a partner and returns its record: later decisions never pick it, its state is
    /// gone (added again, it starts afresh) and the leads it held are no longer held (their
    /// slots went with it; releasing one is [`NetworkError::UnknownLead`]). Fails, changing
    /// nothing, on an unknown id.
    pub fn remove_partner(&mut self, id: &str) -> Result<Record, NetworkError> {
        let p = self
            .slot(id)
            .ok_or_else(|| NetworkError::UnknownPartner { id: id.to_string() })?;
        self.unindex(p);
        self.drop_holds(p);
        self.alive.clear(p);
        self.by_id.remove(id);
        self.live -= 1;
        let rec = self.records.get_mut(p).map(|r| Record {
            id: r.id.clone(),
            values: std::mem::take(&mut r.values),
        });
        for c in &mut self.columns {
            if let Some(x) = c.scalars.get_mut(p) {
                *x = Scalar::Null;
            }
            if let Some(x) = c.members.get_mut(p) {
                *x = Box::new([]);
            }
        }
        self.rerank();
        rec.ok_or_else(|| NetworkError::UnknownPartner { id: id.to_string() })
    }

    /// Sets a partner's active lead count (e.g. after the host closed leads); its version
    /// grows by one.
    pub fn set_active_leads(&mut self, id: &str, n: i64) -> Result<(), NetworkError> {
        let p = self
            .slot(id)
            .ok_or_else(|| NetworkError::UnknownPartner { id: id.to_string() })?;
        if let Some(x) = self.state.active.get_mut(p) {
            *x = n;
        }
        bump(&mut self.state.version, p);
        Ok(())
    }

    // ---- crate internals -------------------------------------------------------------------

    /// Number of slots (live or removed).
    #[inline]
    pub(crate) fn slots(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn slot(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).map(|p| *p as usize)
    }

    pub(crate) fn id(&self, p: usize) -> Option<&Arc<str>> {
        self.ids.get(p)
    }

    pub(crate) fn state_of(&self, p: usize) -> Option<PartnerState> {
        let s = &self.state;
        Some(PartnerState {
            id: self.ids.get(p)?.to_string(),
            active_leads: *s.active.get(p)?,
            last_assigned_at: *s.last_at.get(p)?,
            last_seq: *s.last_seq.get(p)?,
            assigned: *s.assigned.get(p)?,
            version: *s.version.get(p)?,
        })
    }

    fn put_state(&mut self, p: usize, ps: &PartnerState) {
        let s = &mut self.state;
        set_at(&mut s.active, p, ps.active_leads);
        set_at(&mut s.last_at, p, ps.last_assigned_at);
        set_at(&mut s.last_seq, p, ps.last_seq);
        set_at(&mut s.assigned, p, ps.assigned);
        set_at(&mut s.version, p, ps.version);
    }

    /// Applies an assignment at `now` to slot `p` (plan/mod.rs, "On assignment").
    pub(crate) fn assign(&mut self, p: usize, now: EpochMs) {
        let s = &mut self.state;
        s.seq = s.seq.saturating_add(1);
        if let Some(x) = s.active.get_mut(p) {
            *x = x.saturating_add(1);
        }
        set_at(&mut s.last_at, p, Some(now));
        set_at(&mut s.last_seq, p, s.seq);
        bump(&mut s.assigned, p);
        bump(&mut s.version, p);
    }

    /// The scalar of a partner field, reading state for `active_leads` and
    /// `last_assigned_at`.
    #[inline]
    pub(crate) fn scalar(&self, f: u16, p: usize) -> Scalar {
        if Some(f) == self.f_active {
            return self
                .state
                .active
                .get(p)
                .map_or(Scalar::Null, |x| Scalar::Int(*x));
        }
        if Some(f) == self.f_last {
            return match self.state.last_at.get(p) {
                Some(Some(t)) => Scalar::DateTime(*t),
                _ => Scalar::Null,
            };
        }
        self.columns
            .get(usize::from(f))
            .and_then(|c| c.scalars.get(p))
            .copied()
            .unwrap_or(Scalar::Null)
    }

    /// A partner field's value, reading state for `active_leads` and `last_assigned_at`.
    pub(crate) fn value(&self, f: u16, p: usize) -> Value {
        if Some(f) == self.f_active {
            return self
                .state
                .active
                .get(p)
                .map_or(Value::Null, |x| Value::Int(*x));
        }
        if Some(f) == self.f_last {
            return match self.state.last_at.get(p) {
                Some(Some(t)) => Value::DateTime(*t),
                _ => Value::Null,
            };
        }
        self.records
            .get(p)
            .and_then(|r| r.values.get(usize::from(f)))
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Why slot `p` fails the implicit guards, if it does.
    #[inline]
    pub(crate) fn guard_fail(&self, p: usize) -> Option<Guard> {
        if let Some((f, active)) = self.f_status {
            if self.scalar(f, p) != Scalar::Symbol(active) {
                return Some(Guard::Status);
            }
        }
        if let Some(fc) = self.f_capacity {
            let cap = self
                .columns
                .get(usize::from(fc))
                .and_then(|c| c.scalars.get(p));
            let ok = match (cap, self.state.active.get(p)) {
                (Some(Scalar::Int(c)), Some(a)) => a < c,
                _ => false,
            };
            if !ok {
                return Some(Guard::Capacity);
            }
        }
        None
    }

    /// Utilisation of slot `p` (`active_leads / capacity`, 1.0 at capacity 0), `NaN` if unknown.
    #[inline]
    pub(crate) fn utilisation(&self, p: usize) -> f64 {
        let cap = self
            .f_capacity
            .and_then(|f| self.columns.get(usize::from(f)))
            .and_then(|c| c.scalars.get(p));
        match (cap, self.state.active.get(p)) {
            (Some(Scalar::Int(0)), Some(_)) => 1.0,
            (Some(Scalar::Int(c)), Some(a)) => *a as f64 / *c as f64,
            _ => f64::NAN,
        }
    }

    /// The slot of a partner's parent (partner field `parent`), if any.
    pub(crate) fn parent_of(&self, p: usize) -> Option<usize> {
        let f = self.f_parent?;
        match self.records.get(p)?.values.get(usize::from(f))? {
            Value::Text(t) => self.slot(t),
            _ => None,
        }
    }

    /// A lead or literal value as a scalar, its texts looked up without growing the symbol table.
    pub(crate) fn to_scalar(&self, v: &Value) -> Scalar {
        scalar_of(v, |s| self.symbols.lookup(s))
    }

    fn check(&self, record: &Record) -> Result<(), NetworkError> {
        validate::check(&self.schema, record).map_err(|e| match e {
            validate::Invalid::Count { expected, found } => NetworkError::FieldCount {
                partner: record.id.to_string(),
                expected,
                found,
            },
            validate::Invalid::Field {
                field,
                expected,
                found,
            } => NetworkError::InvalidField {
                partner: record.id.to_string(),
                field,
                expected,
                found,
            },
        })
    }

    fn insert(&mut self, record: Record) -> Result<(), NetworkError> {
        if self.by_id.contains_key(&record.id) {
            return Err(NetworkError::DuplicateId {
                id: record.id.to_string(),
            });
        }
        self.check(&record)?;
        let p = self.ids.len();
        let slot = u32::try_from(p).map_err(|_| NetworkError::DuplicateId {
            id: record.id.to_string(),
        })?;
        self.ids.push(record.id.clone());
        self.by_id.insert(record.id.clone(), slot);
        self.alive.set(p);
        self.live += 1;
        let active = self
            .f_active
            .and_then(|f| record.values.get(usize::from(f)))
            .and_then(|v| match v {
                Value::Int(i) => Some(*i),
                _ => None,
            })
            .unwrap_or(0);
        let last = self
            .f_last
            .and_then(|f| record.values.get(usize::from(f)))
            .and_then(|v| match v {
                Value::DateTime(t) => Some(*t),
                _ => None,
            });
        let s = &mut self.state;
        s.active.push(active);
        s.last_at.push(last);
        s.last_seq.push(0);
        s.assigned.push(0);
        s.version.push(0);
        self.records.push(Record {
            id: record.id.clone(),
            values: Vec::new(),
        });
        for c in &mut self.columns {
            c.scalars.push(Scalar::Null);
            c.numbers.push(f64::NAN);
            c.members.push(Box::new([]));
        }
        self.fill(p, record);
        Ok(())
    }

    /// Writes a checked record into slot `p` and indexes it.
    fn fill(&mut self, p: usize, record: Record) {
        let slot = p as u32;
        for (i, v) in record.values.iter().enumerate() {
            let Some(col) = self.columns.get_mut(i) else {
                continue;
            };
            let symbols = &mut self.symbols;
            let cell = scalar_of(v, |s| symbols.intern(&Arc::from(s)));
            set_at(&mut col.scalars, p, cell);
            set_at(&mut col.numbers, p, cell.f64());
            let mut items: Vec<u32> = match v {
                Value::Set(xs) => xs
                    .iter()
                    .filter_map(|x| match x {
                        Value::Text(t) | Value::Enum(t) => Some(symbols.intern(t)),
                        _ => None,
                    })
                    .collect(),
                Value::Map(kv) => kv
                    .iter()
                    .filter_map(|(k, _)| match k {
                        Value::Text(t) => Some(symbols.intern(t)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            items.sort_unstable();
            items.dedup();
            match self.index.get_mut(i) {
                Some(FieldIndex::Territory(ix)) => {
                    for t in index::territories(v) {
                        ix.add(p, &t);
                    }
                }
                Some(FieldIndex::Member(ix)) => {
                    for it in &items {
                        ix.add(p, *it);
                    }
                }
                Some(FieldIndex::Grid(g)) => {
                    if let Value::GeoPoint(at) = v {
                        g.add(slot, *at);
                    }
                }
                _ => {}
            }
            if let (Some(Some(ci)), Value::Map(kv)) = (self.certs.get_mut(i), v) {
                for (k, d) in kv.iter() {
                    if let (Value::Text(k), Value::Date(d)) = (k, d) {
                        ci.add(slot, self.symbols.intern(k), day_of(*d));
                    }
                }
            }
            set_at(&mut col.members, p, items.into_boxed_slice());
        }
        set_at(&mut self.records, p, record);
    }

    /// Removes slot `p` from every index.
    fn unindex(&mut self, p: usize) {
        let slot = p as u32;
        let Some(rec) = self.records.get(p) else {
            return;
        };
        for (i, v) in rec.values.iter().enumerate() {
            match self.index.get_mut(i) {
                Some(FieldIndex::Territory(ix)) => {
                    for t in index::territories(v) {
                        ix.remove(p, &t);
                    }
                }
                Some(FieldIndex::Member(ix)) => {
                    if let Some(items) = self.columns.get(i).and_then(|c| c.members.get(p)) {
                        for it in items.iter() {
                            ix.remove(p, *it);
                        }
                    }
                }
                Some(FieldIndex::Grid(g)) => {
                    if let Value::GeoPoint(at) = v {
                        g.remove(slot, *at);
                    }
                }
                _ => {}
            }
            if let Some(Some(ci)) = self.certs.get_mut(i) {
                ci.remove(slot);
            }
        }
    }

    fn rerank(&mut self) {
        let mut order: Vec<usize> = self.alive.ones().collect();
        order.sort_by(|a, b| {
            let x = self.ids.get(*a).map(|s| s.as_bytes());
            let y = self.ids.get(*b).map(|s| s.as_bytes());
            x.cmp(&y)
        });
        self.id_rank = vec![u32::MAX; self.ids.len()];
        for (r, p) in order.into_iter().enumerate() {
            set_at(&mut self.id_rank, p, r as u32);
        }
    }
}

fn set_at<T>(v: &mut [T], p: usize, x: T) {
    if let Some(slot) = v.get_mut(p) {
        *slot = x;
    }
}

fn bump(v: &mut [u64], p: usize) {
    if let Some(x) = v.get_mut(p) {
        *x = x.saturating_add(1);
    }
}

/// Converts a value to a scalar, interning texts with `sym`.
pub(crate) fn scalar_of(v: &Value, mut sym: impl FnMut(&str) -> u32) -> Scalar {
    match v {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Int(i) => Scalar::Int(*i),
        Value::Decimal(d) => Scalar::Decimal(*d),
        Value::Float(x) => Scalar::Float(*x),
        Value::Text(t) | Value::Enum(t) => Scalar::Symbol(sym(t)),
        Value::Date(d) => Scalar::Date(day_of(*d)),
        Value::DateTime(t) => Scalar::DateTime(*t),
        Value::Duration(d) => Scalar::Duration(*d),
        Value::GeoPoint(p) => Scalar::Point(*p),
        Value::Region(_) | Value::Set(_) | Value::Map(_) => Scalar::Null,
    }
}

/// An implicit guard (plan/mod.rs, routing step 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    /// `status` is not `active`.
    Status,
    /// `active_leads < capacity` does not hold.
    Capacity,
}

impl Guard {
    /// The guard's name, used as an exclusion reason.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Guard::Status => "partner.status == active",
            Guard::Capacity => "partner.active_leads < partner.capacity",
        }
    }
}
