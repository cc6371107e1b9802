//! Results as flat arrays and a string table ([`ResultArrays`]): the form a host that builds its
//! own result objects takes them in (Node's index.js, from typed arrays), made off the host's
//! thread. Its expansion to objects is core's serde form of [`Decision`](crate::route::Decision).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::results::Results;
use crate::report::ErrorReport;
use crate::route::{DecisionView, Explanation, OutcomeRef};

/// "None" in [`ResultArrays`] (no target, no rule, no state read).
pub const NONE: u32 = u32::MAX;

/// The kind of a row of [`ResultArrays`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RowKind {
    /// Assigned to a partner (`target` is its id).
    Partner = 0,
    /// Sent to a queue (`target` is its name).
    Queue = 1,
    /// Not routed.
    Unrouted = 2,
    /// An error (in `errors`).
    Error = 3,
}

/// The codes of the wire forms by name, for a host's own encoder and result builder (Node's
/// index.js): the cell codes of [`CodedColumn`](super::CodedColumn)s, [`NONE`] and the
/// [`RowKind`]s.
pub const WIRE_CODES: [(&str, u32); 8] = [
    ("MISSING", super::MISSING),
    ("NUMBER", super::NUMBER),
    ("OTHER", super::OTHER),
    ("NONE", NONE),
    ("PARTNER", RowKind::Partner as u32),
    ("QUEUE", RowKind::Queue as u32),
    ("UNROUTED", RowKind::Unrouted as u32),
    ("ERROR", RowKind::Error as u32),
];

/// Results as flat arrays: row `i` is `kinds[i]` ([`RowKind`]), its target, rule and the
/// partner of its state read as indexes into `texts` (or [`NONE`]), the state read's version,
/// active leads and last assignment instant (NaN for none) at `state_nums[3 * i..3 * i + 3]`;
/// the errors and explanations by row, ascending.
///
/// ```
/// use leadrail_core::host::{ResultArrays, RowKind, NONE};
/// use leadrail_core::report::ErrorReport;
///
/// let e = ErrorReport::request("bad", "fix it");
/// let a = ResultArrays::new(1, std::iter::once(Err(&e)));
/// assert_eq!((a.kinds, a.target, a.rule), (vec![RowKind::Error as u8], vec![NONE], vec![NONE]));
/// assert_eq!(a.errors, vec![(0, e)]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ResultArrays {
    /// Each row's [`RowKind`] as a byte.
    pub kinds: Vec<u8>,
    /// The partner id or queue name of each row (an index into `texts`), or [`NONE`].
    pub target: Vec<u32>,
    /// The rule that decided each row (an index into `texts`), or [`NONE`].
    pub rule: Vec<u32>,
    /// The partner of each row's state read (an index into `texts`), or [`NONE`].
    pub state_partner: Vec<u32>,
    /// Version, active leads and last assignment instant (NaN for none) of each row's state
    /// read.
    pub state_nums: Vec<f64>,
    /// The distinct texts.
    pub texts: Vec<Arc<str>>,
    /// The rows that are errors, with their reports.
    pub errors: Vec<(u32, ErrorReport)>,
    /// The rows that have explanations, with them.
    pub explanations: Vec<(u32, Explanation)>,
}

impl Results {
    /// Every row's result as [`ResultArrays`].
    pub fn to_arrays(&self) -> ResultArrays {
        match &self.arrays {
            Some(a) => (**a).clone(),
            None => ResultArrays::new(self.len(), self.views()),
        }
    }

    /// [`Results::to_arrays`], taking the arrays made where the rows were routed when they
    /// were read [`Rows::with_arrays`](super::Rows::with_arrays).
    pub fn into_arrays(self) -> ResultArrays {
        match self.arrays {
            Some(a) => *a,
            None => ResultArrays::new(self.len(), self.views()),
        }
    }

    /// The same results with their arrays made.
    pub(crate) fn arrayed(mut self) -> Results {
        self.arrays = Some(Box::new(self.to_arrays()));
        self
    }
}

impl ResultArrays {
    /// The arrays of `rows` results.
    pub fn new<'a>(
        rows: usize,
        results: impl Iterator<Item = Result<DecisionView<'a>, &'a ErrorReport>>,
    ) -> ResultArrays {
        let mut c = ResultArrays {
            kinds: Vec::with_capacity(rows),
            target: Vec::with_capacity(rows),
            rule: Vec::with_capacity(rows),
            state_partner: Vec::with_capacity(rows),
            state_nums: Vec::with_capacity(rows * 3),
            texts: Vec::new(),
            errors: Vec::new(),
            explanations: Vec::new(),
        };
        // texts by the address of their `Arc` (partner ids, queue and rule names are shared)
        let mut index: FxHashMap<*const u8, u32> = FxHashMap::default();
        let mut text = |texts: &mut Vec<Arc<str>>, s: &Arc<str>| -> u32 {
            *index.entry(s.as_ptr()).or_insert_with(|| {
                texts.push(s.clone());
                u32::try_from(texts.len() - 1).unwrap_or(NONE)
            })
        };
        // consecutive decisions mostly share their rule
        let mut last_rule: (*const u8, u32) = (std::ptr::null(), NONE);
        for (i, r) in results.enumerate() {
            let i = u32::try_from(i).unwrap_or(NONE);
            let d = match r {
                Ok(d) => d,
                Err(e) => {
                    c.kinds.push(RowKind::Error as u8);
                    c.target.push(NONE);
                    c.rule.push(NONE);
                    c.state_partner.push(NONE);
                    c.state_nums.extend([0.0, 0.0, f64::NAN]);
                    c.errors.push((i, e.clone()));
                    continue;
                }
            };
            let (k, t) = match d.outcome {
                OutcomeRef::Partner(id) => (RowKind::Partner, text(&mut c.texts, id)),
                OutcomeRef::Queue(name) => (RowKind::Queue, text(&mut c.texts, name)),
                OutcomeRef::Unrouted => (RowKind::Unrouted, NONE),
            };
            c.kinds.push(k as u8);
            c.target.push(t);
            let rule = match d.rule {
                Some(r) if r.as_ptr() == last_rule.0 => last_rule.1,
                Some(r) => {
                    let k = text(&mut c.texts, r);
                    last_rule = (r.as_ptr(), k);
                    k
                }
                None => NONE,
            };
            c.rule.push(rule);
            match d.state_read {
                Some(s) => {
                    let p = match d.outcome {
                        OutcomeRef::Partner(id) if Arc::ptr_eq(id, s.partner) => t,
                        _ => text(&mut c.texts, s.partner),
                    };
                    c.state_partner.push(p);
                    c.state_nums.extend([
                        s.version as f64,
                        s.active_leads as f64,
                        s.last_assigned_at.map_or(f64::NAN, |t| t as f64),
                    ]);
                }
                None => {
                    c.state_partner.push(NONE);
                    c.state_nums.extend([0.0, 0.0, f64::NAN]);
                }
            }
            if let Some(e) = d.explanation {
                c.explanations.push((i, e.clone()));
            }
        }
        c
    }
}
