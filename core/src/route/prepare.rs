//! Prepared lead batches: leads checked once, index probes resolved once per distinct value.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::compile::FL;
use super::eval::{eval, Env};
use super::{CRule, Engine, Probe, RouteError};
use crate::geo::RegionCode;
use crate::network::validate::Shape;
use crate::network::{Network, S};
use crate::plan::{CmpOp, Expr, Scope};
use crate::record::{Column, ColumnRows, DataError, Record};
use crate::report::ErrorReport;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A probe key: the lead-side value of a territory or membership require.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Region(RegionCode),
    Sym(Arc<str>),
    Null,
}

/// Leads checked against the lead schema, with the lead-side values of the plan's index probes
/// (territories, memberships) interned per batch, so routing resolves each distinct value
/// against the network once.
#[derive(Debug, Clone)]
pub struct LeadBatch {
    pub(super) leads: Vec<Record>,
    pub(super) checks: Vec<Option<Box<RouteError>>>,
    pub(super) nprobes: usize,
    pub(super) keys: Vec<u32>,
    pub(super) distinct: Vec<(usize, Key)>,
    /// Per lead and rule (lead-major): the lead's candidate combination for a fast rule (the
    /// keys of the rule's probes), `u32::MAX` for none.
    pub(super) combos: Vec<u32>,
    /// Per combination: the rule and its probes' keys (indexes into `distinct`).
    pub(super) combo_keys: Vec<(usize, Vec<u32>)>,
    /// Per lead (lead-major), the values of every rule's prepared slots in rule order
    /// (`CRule::slots_prepared`); empty if they could not be computed.
    pub(super) slot_vals: Vec<S>,
}

impl LeadBatch {
    /// The number of leads.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
    }

    /// The leads.
    pub fn leads(&self) -> &[Record] {
        &self.leads
    }
}

/// Interns the lead-side keys of one probe: by the address of the value's `Arc` first (a
/// value read straight from a lead of the batch, which owns it for the batch's life), then by
/// the value itself, so a key is cloned only when it is new.
struct Interner {
    /// A direct-mapped cache of `(address, id)`: a few hundred distinct values per batch hit
    /// it, and a batch of distinct `Arc`s costs no growth.
    by_ptr: Vec<(usize, u32)>,
    by_key: FxHashMap<Key, u32>,
}

/// The number of entries of [`Interner::by_ptr`] (a power of two).
const PTR_CACHE: usize = 1024;

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            by_ptr: vec![(0, u32::MAX); PTR_CACHE],
            by_key: FxHashMap::default(),
        }
    }
}

/// The cache line of an address.
fn ptr_slot(ptr: usize) -> usize {
    // Fibonacci hashing of the address without its alignment bits
    let h = (ptr >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
    (h >> (usize::BITS - PTR_CACHE.trailing_zeros())) & (PTR_CACHE - 1)
}

impl Interner {
    /// The id of `key` (a key of probe `g`), adding it to `distinct` when new.
    fn key(&mut self, g: usize, key: Key, distinct: &mut Vec<(usize, Key)>) -> u32 {
        if let Some(id) = self.by_key.get(&key) {
            return *id;
        }
        let id = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
        self.by_key.insert(key.clone(), id);
        distinct.push((g, key));
        id
    }

    /// The id of the key `v` gives a probe `g` of `kind` (`true` for a territory probe).
    /// `stable` says that `v` lives as long as the batch (it is read from a lead), so its
    /// `Arc`'s address identifies it.
    #[inline]
    fn value(
        &mut self,
        g: usize,
        territory: bool,
        v: &Value,
        stable: bool,
        distinct: &mut Vec<(usize, Key)>,
    ) -> u32 {
        let ptr = match v {
            Value::Region(t) if territory => Arc::as_ptr(t) as *const u8 as usize,
            Value::Text(t) | Value::Enum(t) if !territory => Arc::as_ptr(t) as *const u8 as usize,
            _ => 0,
        };
        let line = ptr_slot(ptr);
        if stable && ptr != 0 {
            if let Some((p, id)) = self.by_ptr.get(line) {
                if *p == ptr {
                    return *id;
                }
            }
        }
        let key = match v {
            Value::Region(t) if territory => Key::Region(t.region().clone()),
            Value::Text(t) | Value::Enum(t) if !territory => Key::Sym(t.clone()),
            _ => Key::Null,
        };
        let id = self.key(g, key, distinct);
        if stable && ptr != 0 {
            if let Some(e) = self.by_ptr.get_mut(line) {
                *e = (ptr, id);
            }
        }
        id
    }
}

/// The candidate combinations of one rule seen so far, by their probe keys: packed into one
/// `u64` for rules with at most two probes (the common case), else by slice.
enum Combos {
    Packed(PackedMap),
    Slices(FxHashMap<Vec<u32>, u32>),
}

/// A map from packed probe keys to combination ids: open addressing with linear probing and
/// Fibonacci hashing, at most half full, so a lookup is a multiply and a compare or two.
#[derive(Default)]
struct PackedMap {
    /// `(key, id)`, `id == u32::MAX` for an empty entry; a power of two long (or empty).
    slots: Vec<(u64, u32)>,
    len: usize,
    /// `slots.len() - 1`, and the shift that takes a hash to an entry.
    mask: usize,
    shift: u32,
}

impl PackedMap {
    /// The first entry to probe for `key`.
    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The id of `key`, inserting `next` when it is new.
    #[inline]
    fn get_or_insert(&mut self, key: u64, next: u32) -> u32 {
        if self.len * 2 >= self.slots.len() {
            self.grow();
        }
        let mut i = self.home(key);
        for _ in 0..self.slots.len() {
            match self.slots.get_mut(i) {
                Some(e) if e.1 == u32::MAX => {
                    *e = (key, next);
                    self.len += 1;
                    return next;
                }
                Some(e) if e.0 == key => return e.1,
                _ => i = (i + 1) & self.mask,
            }
        }
        // (never reached: the map is at most half full)
        next
    }

    /// Doubles the table (16 entries at first).
    #[cold]
    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(0, u32::MAX); cap]);
        self.mask = cap - 1;
        self.shift = 64 - cap.trailing_zeros();
        for (key, id) in old.into_iter().filter(|e| e.1 != u32::MAX) {
            let mut i = self.home(key);
            for _ in 0..cap {
                match self.slots.get_mut(i) {
                    Some(e) if e.1 == u32::MAX => {
                        *e = (key, id);
                        break;
                    }
                    _ => i = (i + 1) & self.mask,
                }
            }
        }
    }
}

/// The lead-side expression of an interned probe and whether it is a territory probe.
fn probe_expr(probe: &Probe) -> Option<(&Expr, bool)> {
    match probe {
        Probe::Territory { region, .. } => Some((region, true)),
        Probe::Member { item, .. } => Some((item, false)),
        Probe::Cert { .. } | Probe::Near { .. } => None,
    }
}

/// How a prepared slot's value is computed for a lead.
enum SlotEval<'a> {
    /// `lead.f <op> k` for an int or decimal field `f` and an integer literal `k` (what the
    /// slot's closure computes, without it).
    IntCmp {
        f: usize,
        op: CmpOp,
        k: i64,
        /// The comparison as a range of integers: true for `lo <= x <= hi`, or outside it
        /// with `out` (`!=`).
        lo: i128,
        hi: i128,
        out: bool,
    },
    /// A slot reading one lead field only, whose column is dictionary-encoded: computed once
    /// per dictionary code (by the closure, on the first lead with that code).
    Memo {
        codes: &'a [u32],
        memo: Vec<Option<S>>,
        fun: &'a FL,
    },
    /// The slot's closure.
    Closure(&'a FL),
}

/// `op` with its operands swapped.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Eq | CmpOp::Ne => op,
    }
}

/// The field, operator and literal of a slot `lead.f <op> k` (or `k <op> lead.f`) over an int
/// or decimal field and an integer literal.
fn int_cmp(e: &Expr, schema: &Schema) -> Option<(usize, CmpOp, i64)> {
    let Expr::Cmp(op, a, b) = e else {
        return None;
    };
    let (f, op, k) = match (&**a, &**b) {
        (Expr::Field(Scope::Lead, f), Expr::Lit(Value::Int(k))) => (*f, *op, *k),
        (Expr::Lit(Value::Int(k)), Expr::Field(Scope::Lead, f)) => (*f, flip(*op), *k),
        _ => return None,
    };
    matches!(schema.field(f)?.ty, Type::Int | Type::Decimal).then_some((usize::from(f), op, k))
}

/// The one lead field an expression reads (`None` if it reads the lead id, a partner, or
/// several or no lead fields).
fn single_lead_field(e: &Expr) -> Option<u16> {
    fn walk(e: &Expr, f: &mut Option<u16>) -> bool {
        match e {
            Expr::Lit(_) => true,
            Expr::Field(Scope::Lead, x) => match f {
                Some(y) => *y == *x,
                None => {
                    *f = Some(*x);
                    true
                }
            },
            Expr::Field(Scope::Partner, _)
            | Expr::Id(_)
            | Expr::Certified { .. }
            | Expr::Utilisation { .. } => false,
            Expr::Not(x) | Expr::Neg(x) => walk(x, f),
            Expr::And(xs) | Expr::Or(xs) => xs.iter().all(|x| walk(x, f)),
            Expr::Cmp(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::InSet(a, b)
            | Expr::Covers(a, b)
            | Expr::Distance(a, b) => walk(a, f) && walk(b, f),
            Expr::InList(x, xs) => walk(x, f) && xs.iter().all(|x| walk(x, f)),
            Expr::Smoothed { rate, n, .. } => walk(rate, f) && walk(n, f),
        }
    }
    let mut f = None;
    if walk(e, &mut f) {
        f
    } else {
        None
    }
}

/// A decimal against an integer, exactly.
#[inline]
fn dec_cmp(d: &rust_decimal::Decimal, k: i64) -> std::cmp::Ordering {
    if d.scale() == 0 {
        d.mantissa().cmp(&i128::from(k))
    } else {
        d.cmp(&rust_decimal::Decimal::from(k))
    }
}

/// The slot evaluation of `lead.f <op> k`.
fn int_range<'a>(f: usize, op: CmpOp, k: i64) -> SlotEval<'a> {
    let k128 = i128::from(k);
    let (lo, hi, out) = match op {
        CmpOp::Eq => (k128, k128, false),
        CmpOp::Ne => (k128, k128, true),
        CmpOp::Lt => (i128::MIN, k128 - 1, false),
        CmpOp::Le => (i128::MIN, k128, false),
        CmpOp::Gt => (k128 + 1, i128::MAX, false),
        CmpOp::Ge => (k128, i128::MAX, false),
    };
    SlotEval::IntCmp {
        f,
        op,
        k,
        lo,
        hi,
        out,
    }
}

/// A comparison's outcome as a slot value.
#[inline]
fn cmp_cell(op: CmpOp, o: std::cmp::Ordering) -> S {
    use std::cmp::Ordering::{Equal, Greater, Less};
    S::Bool(match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Ne => o != Equal,
        CmpOp::Lt => o == Less,
        CmpOp::Le => o != Greater,
        CmpOp::Gt => o == Greater,
        CmpOp::Ge => o != Less,
    })
}

/// A dictionary-encoded probe: the key id of each dictionary code, filled on first use.
struct DictKeys<'a> {
    codes: &'a [u32],
    ids: Vec<u32>,
}

/// One probe's interning state.
struct ProbeState<'a> {
    /// The probe's global id.
    g: usize,
    /// The lead-side expression and whether it is a territory probe (`None` for the probes
    /// routing resolves per lead).
    expr: Option<(&'a Expr, bool)>,
    /// The lead field that is the whole expression, if it is one.
    field: Option<usize>,
    interner: Interner,
    /// The key ids of the field's dictionary codes when its column is dictionary-encoded
    /// (columns only).
    dict: Option<DictKeys<'a>>,
}

impl ProbeState<'_> {
    /// The key id of the lead (row `row` of its columns).
    #[inline]
    fn key(&mut self, lead: &Record, row: usize, distinct: &mut Vec<(usize, Key)>) -> u32 {
        let Some((expr, territory)) = self.expr else {
            return u32::MAX;
        };
        let ProbeState {
            g,
            field,
            interner,
            dict,
            ..
        } = self;
        let Some(f) = *field else {
            let env = Env {
                lead,
                partner: None,
                now: 0,
            };
            let v = eval(expr, &env);
            return interner.value(*g, territory, &v, false, distinct);
        };
        let cached = match dict {
            Some(d) => match d.codes.get(row) {
                Some(c) => d.ids.get_mut(*c as usize),
                None => None,
            },
            None => None,
        };
        if let Some(id) = cached.as_deref() {
            if *id != u32::MAX {
                return *id;
            }
        }
        let id = match lead.values.get(f) {
            Some(v) => interner.value(*g, territory, v, true, distinct),
            None => interner.key(*g, Key::Null, distinct),
        };
        if let Some(c) = cached {
            *c = id;
        }
        id
    }
}

/// One rule's candidate combinations.
struct RuleState {
    /// The global ids of the probes of a fast rule (`None` for a rule the fused loop does not
    /// run).
    probes: Option<Vec<usize>>,
    seen: Combos,
}

/// The per-lead work of preparing a batch, shared by [`Engine::prepare_leads`] and
/// [`Engine::prepare_columns`] (which adds per-dictionary-code shortcuts giving the same
/// values).
struct Prep<'a> {
    engine: &'a Engine,
    probes: Vec<ProbeState<'a>>,
    rules: Vec<RuleState>,
    np: usize,
    nr: usize,
    keys: Vec<u32>,
    distinct: Vec<(usize, Key)>,
    checks: Vec<Option<Box<RouteError>>>,
    combos: Vec<u32>,
    combo_keys: Vec<(usize, Vec<u32>)>,
    ks: Vec<u32>,
    /// Per prepared slot of every rule, in rule order.
    slots: Vec<SlotEval<'a>>,
    slot_vals: Vec<S>,
    /// The network the closures of network-independent slots read.
    net: LazyNet<'a>,
}

impl<'a> Prep<'a> {
    /// Preparation for up to `n` leads.
    fn new(engine: &'a Engine, n: usize) -> Prep<'a> {
        let np = engine.all_probes.len();
        let nr = engine.rules.len();
        let probes = engine
            .all_probes
            .iter()
            .enumerate()
            .map(|(g, p)| {
                let expr = probe_expr(p);
                ProbeState {
                    g,
                    expr,
                    field: match expr {
                        Some((Expr::Field(Scope::Lead, f), _)) => Some(usize::from(*f)),
                        _ => None,
                    },
                    interner: Interner::default(),
                    dict: None,
                }
            })
            .collect();
        let rules = engine
            .rules
            .iter()
            .map(|r| RuleState {
                probes: r.fast.then(|| r.probes.iter().map(|(g, _)| *g).collect()),
                seen: if r.probes.len() <= 2 {
                    Combos::Packed(PackedMap::default())
                } else {
                    Combos::Slices(FxHashMap::default())
                },
            })
            .collect();
        let schema = &engine.plan().lead_schema;
        let slots: Vec<SlotEval<'a>> = engine
            .rules
            .iter()
            .flat_map(|r: &'a CRule| {
                r.slots_prepared.iter().filter_map(move |k| {
                    let fun = r.slot_fns.get(*k)?;
                    Some(
                        match r.slot_exprs.get(*k).and_then(|e| int_cmp(e, schema)) {
                            Some((f, op, k)) => int_range(f, op, k),
                            None => SlotEval::Closure(fun),
                        },
                    )
                })
            })
            .collect();
        let stride = slots.len();
        Prep {
            engine,
            probes,
            rules,
            np,
            nr,
            keys: vec![u32::MAX; n * np],
            distinct: Vec::new(),
            checks: Vec::with_capacity(n),
            combos: vec![u32::MAX; n * nr],
            combo_keys: Vec::new(),
            ks: Vec::new(),
            slot_vals: Vec::with_capacity(n * stride),
            slots,
            net: LazyNet {
                engine,
                net: None,
                failed: false,
            },
        }
    }

    /// Uses the dictionary codes of columns for the probes and slots that read one lead field
    /// held by a dictionary-encoded column.
    fn use_columns(&mut self, reader: &ColumnRows<'a>) {
        let dict_codes = |f: usize| match reader.column(f) {
            Some(Column::Dict { codes, dict }) => Some((codes.as_slice(), dict.len())),
            _ => None,
        };
        for p in &mut self.probes {
            p.dict = p.field.and_then(dict_codes).map(|(codes, len)| DictKeys {
                codes,
                ids: vec![u32::MAX; len],
            });
        }
        let exprs = self.engine.rules.iter().flat_map(|r| {
            r.slots_prepared
                .iter()
                .map(move |k| (r.slot_exprs.get(*k), r.slot_fns.get(*k)))
        });
        for (slot, (e, fun)) in self.slots.iter_mut().zip(exprs) {
            let (Some(e), Some(fun)) = (e, fun) else {
                continue;
            };
            let field = single_lead_field(e).map(usize::from);
            if let Some((codes, len)) = field.and_then(dict_codes) {
                *slot = SlotEval::Memo {
                    codes,
                    memo: vec![None; len],
                    fun,
                };
            }
        }
    }

    /// Prepares `leads` (checked: `checks` holds their checks), lead `i` being row `rows[i]`
    /// of its columns (or row `i`). Each step runs over the whole batch in lead order, so
    /// keys and combinations are numbered as lead by lead.
    fn run(&mut self, leads: &[Record], rows: Option<&[usize]>) {
        let n = leads.len();
        if self.keys.len() < n * self.np {
            self.keys.resize(n * self.np, u32::MAX);
        }
        if self.combos.len() < n * self.nr {
            self.combos.resize(n * self.nr, u32::MAX);
        }
        let row = |i: usize| rows.and_then(|r| r.get(i).copied()).unwrap_or(i);
        if !self.slots.is_empty() {
            let Prep {
                slots,
                slot_vals,
                net,
                checks,
                ..
            } = self;
            for (i, lead) in leads.iter().enumerate() {
                let ok = matches!(checks.get(i), Some(None));
                slot_values(slots, slot_vals, net, row(i), lead, ok);
            }
        }
        let np = self.np;
        if np > 0 {
            for (i, (lead, keys)) in leads.iter().zip(self.keys.chunks_exact_mut(np)).enumerate() {
                if !matches!(self.checks.get(i), Some(None)) {
                    continue;
                }
                let r = row(i);
                for (p, slot) in self.probes.iter_mut().zip(keys.iter_mut()) {
                    *slot = p.key(lead, r, &mut self.distinct);
                }
            }
        }
        self.combos(n);
    }

    /// The candidate combination of each of the first `n` leads (that pass their checks) for
    /// each fast rule: the first lead with a combination of probe keys numbers it.
    fn combos(&mut self, n: usize) {
        let (np, nr) = (self.np, self.nr);
        // where the lead's keys and combinations start
        let (mut kb, mut cb) = (0usize, 0usize);
        for i in 0..n {
            if matches!(self.checks.get(i), Some(None)) {
                'rules: for (r, rs) in self.rules.iter_mut().enumerate() {
                    let Some(gs) = &rs.probes else {
                        continue;
                    };
                    let next = u32::try_from(self.combo_keys.len()).unwrap_or(u32::MAX);
                    let found = match &mut rs.seen {
                        Combos::Packed(m) => {
                            let mut packed = 0u64;
                            for g in gs {
                                match self.keys.get(kb + *g) {
                                    Some(k) if *k != u32::MAX => {
                                        packed = (packed << 32) | u64::from(*k);
                                    }
                                    _ => continue 'rules,
                                }
                            }
                            m.get_or_insert(packed, next)
                        }
                        Combos::Slices(m) => {
                            let ks = &mut self.ks;
                            ks.clear();
                            for g in gs {
                                match self.keys.get(kb + *g) {
                                    Some(k) if *k != u32::MAX => ks.push(*k),
                                    _ => continue 'rules,
                                }
                            }
                            match m.get(ks.as_slice()) {
                                Some(id) => *id,
                                None => {
                                    m.insert(ks.clone(), next);
                                    next
                                }
                            }
                        }
                    };
                    if found == next {
                        let ks = gs
                            .iter()
                            .map(|g| self.keys.get(kb + *g).copied().unwrap_or(u32::MAX))
                            .collect();
                        self.combo_keys.push((r, ks));
                    }
                    if let Some(c) = self.combos.get_mut(cb + r) {
                        *c = found;
                    }
                }
            }
            kb += np;
            cb += nr;
        }
    }

    /// The batch of `leads` (the leads pushed, in order).
    fn finish(mut self, leads: Vec<Record>) -> LeadBatch {
        let n = leads.len();
        self.keys.truncate(n * self.np);
        self.combos.truncate(n * self.nr);
        if self.net.failed {
            self.slot_vals = Vec::new();
        }
        LeadBatch {
            leads,
            checks: self.checks,
            nprobes: self.np,
            keys: self.keys,
            distinct: self.distinct,
            combos: self.combos,
            combo_keys: self.combo_keys,
            slot_vals: self.slot_vals,
        }
    }
}

/// The lead's prepared slot values (null for a lead that fails its check).
#[inline]
fn slot_values(
    slots: &mut [SlotEval<'_>],
    vals: &mut Vec<S>,
    net: &mut LazyNet<'_>,
    row: usize,
    lead: &Record,
    ok: bool,
) {
    for slot in slots.iter_mut() {
        let v = if !ok {
            S::Null
        } else {
            match slot {
                SlotEval::IntCmp {
                    f,
                    op,
                    k,
                    lo,
                    hi,
                    out,
                } => match lead.values.get(*f) {
                    Some(Value::Int(x)) => {
                        let x = i128::from(*x);
                        S::Bool((*lo <= x && x <= *hi) != *out)
                    }
                    // (a whole decimal is its mantissa)
                    Some(Value::Decimal(d)) if d.scale() == 0 => {
                        let x = d.mantissa();
                        S::Bool((*lo <= x && x <= *hi) != *out)
                    }
                    Some(Value::Decimal(d)) => cmp_cell(*op, dec_cmp(d, *k)),
                    // null (nothing else is in a checked lead)
                    _ => S::Null,
                },
                SlotEval::Memo { codes, memo, fun } => {
                    let m = codes.get(row).and_then(|c| memo.get_mut(*c as usize));
                    match m {
                        Some(Some(v)) => *v,
                        m => {
                            let v = match net.get() {
                                Some(net) => fun(lead, net, 0),
                                None => S::Null,
                            };
                            if let Some(m) = m {
                                *m = Some(v);
                            }
                            v
                        }
                    }
                }
                SlotEval::Closure(fun) => match net.get() {
                    Some(net) => fun(lead, net, 0),
                    None => S::Null,
                },
            }
        };
        vals.push(v);
    }
}

/// The empty network the closures of network-independent slots read, built on first use.
struct LazyNet<'a> {
    engine: &'a Engine,
    net: Option<Network>,
    /// Whether building it failed (then no slot values are kept).
    failed: bool,
}

impl LazyNet<'_> {
    /// The network (`None` if it cannot be built).
    fn get(&mut self) -> Option<&Network> {
        if self.net.is_none() && !self.failed {
            match Network::new(&self.engine.plan().partner_schema, Vec::new()) {
                Ok(n) => self.net = Some(n),
                Err(_) => self.failed = true,
            }
        }
        self.net.as_ref()
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
        let mut prep = Prep::new(self, leads.len());
        // (most records pass on the variants of their values alone)
        let shape = Shape::new(&self.plan().lead_schema);
        for lead in &leads {
            prep.checks.push(if shape.passes(lead) {
                None
            } else {
                self.check_lead(lead).err().map(Box::new)
            });
        }
        prep.run(&leads, None);
        prep.finish(leads)
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
        let mut reader = ColumnRows::new(&self.plan().lead_schema, ids, columns);
        // (rows past the ids have no id: at most that many records)
        let most = rows.min(ids.len());
        let mut prep = Prep::new(self, most);
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
        prep.run(&leads, (!bad.is_empty()).then_some(at.as_slice()));
        (prep.finish(leads), bad)
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
        let named: Vec<(&str, &Column)> = columns.iter().map(|(n, c)| (n.as_str(), c)).collect();
        let (batch, bad) = self.prepare_columns(rows, ids, &named);
        let bad = bad
            .into_iter()
            .map(|(i, e)| (i, ErrorReport::from(e.with_position(at + i + 1))))
            .collect();
        (batch, bad)
    }
}
