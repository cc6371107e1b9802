//! The bytes of `route`'s output rows, written into a reused buffer without a string per row.
//!
//! A decision row is the lead's id and a tail that depends only on where the lead went and by
//! which rule (`,partner,K-045,territory dealer` in CSV; the outcome, the rule and the start of
//! the state read in JSON). There are few distinct tails (partners times rules), so each is
//! rendered once and copied afterwards; only the id and the state read's numbers are written per
//! lead. The bytes are those of the csv crate's writer (default settings) and of serde_json.

use std::sync::Arc;

use leadrail_core::route::{DecisionView, OutcomeRef};
use rustc_hash::FxHashMap;

/// Writes `field` as the csv crate's writer does with its default settings: as it is, or in
/// double quotes (quotes doubled) when it holds a comma, a quote, a CR or an LF.
pub fn csv_field(buf: &mut Vec<u8>, field: &str) {
    let bytes = field.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        buf.extend_from_slice(bytes);
        return;
    }
    buf.push(b'"');
    for &b in bytes {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

/// Writes a CSV record (its fields and the line end).
pub fn csv_record(buf: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        csv_field(buf, f);
    }
    buf.push(b'\n');
}

/// Writes `s` as a JSON string, as serde_json writes it.
pub fn json_str(buf: &mut Vec<u8>, s: &str) {
    // (writing into a vector cannot fail, and a string always serializes)
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// Writes an integer in decimal.
pub fn int(buf: &mut Vec<u8>, n: impl itoa::Integer) {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Which tail: the outcome's kind, its target and the rule, by the addresses of their texts.
/// The cache holds the texts themselves (`Kept`), so an address is never reused by another text
/// while its tail is cached.
type Key = (u8, usize, usize);

/// The texts a cached tail was rendered from (kept alive; see [`Key`]).
type Kept = (Option<Arc<str>>, Option<Arc<str>>);

/// The tails rendered so far, each once.
#[derive(Default)]
pub struct Tails {
    index: FxHashMap<Key, (usize, usize)>,
    kept: Vec<Kept>,
    bytes: Vec<u8>,
}

/// At most this many tails are cached (then the cache starts again).
const MOST: usize = 4_096;

impl Tails {
    /// The tail of `d` in the form `render` writes, rendered on first use.
    fn get(&mut self, d: &DecisionView<'_>, render: impl FnOnce(&mut Vec<u8>)) -> &[u8] {
        let (kind, target) = match d.outcome {
            OutcomeRef::Partner(id) => (0u8, Some(id)),
            OutcomeRef::Queue(name) => (1, Some(name)),
            OutcomeRef::Unrouted => (2, None),
        };
        let addr = |t: Option<&Arc<str>>| t.map_or(0, |t| Arc::as_ptr(t).cast::<u8>() as usize);
        let key = (kind, addr(target), addr(d.rule));
        if !self.index.contains_key(&key) {
            if self.kept.len() >= MOST {
                self.index.clear();
                self.kept.clear();
                self.bytes.clear();
            }
            let start = self.bytes.len();
            render(&mut self.bytes);
            self.index.insert(key, (start, self.bytes.len()));
            self.kept.push((target.cloned(), d.rule.cloned()));
        }
        match self.index.get(&key) {
            Some(&(a, b)) => self.bytes.get(a..b).unwrap_or(&[]),
            None => &[],
        }
    }

    /// A CSV decision row without explanation: the lead, then the cached tail.
    pub fn csv(&mut self, buf: &mut Vec<u8>, lead: &str, d: &DecisionView<'_>) {
        csv_field(buf, lead);
        let tail = self.get(d, |out| {
            let (kind, target): (&str, &str) = match d.outcome {
                OutcomeRef::Partner(id) => ("partner", id),
                OutcomeRef::Queue(name) => ("queue", name),
                OutcomeRef::Unrouted => ("unrouted", ""),
            };
            for f in [kind, target, d.rule.map_or("", |r| &**r)] {
                out.push(b',');
                csv_field(out, f);
            }
            out.push(b'\n');
        });
        buf.extend_from_slice(tail);
    }

    /// A JSON item of a decision without explanation, as serde_json writes the `Item`
    /// `{"lead", "decision"}` (compact). `false` when the decision has a form this does not
    /// write (an explanation, or a state read of another partner than the outcome's): the
    /// caller serializes it.
    pub fn json(&mut self, buf: &mut Vec<u8>, lead: &str, d: &DecisionView<'_>) -> bool {
        if d.explanation.is_some() {
            return false;
        }
        let read = match (d.outcome, d.state_read) {
            (OutcomeRef::Partner(id), Some(s)) if s.partner == id => Some(s),
            (OutcomeRef::Queue(_) | OutcomeRef::Unrouted, None) => None,
            _ => return false,
        };
        buf.extend_from_slice(b"{\"lead\":");
        json_str(buf, lead);
        let tail = self.get(d, |out| {
            out.extend_from_slice(b",\"decision\":{\"outcome\":{\"kind\":");
            match d.outcome {
                OutcomeRef::Partner(id) => {
                    out.extend_from_slice(b"\"partner\",\"id\":");
                    json_str(out, id);
                }
                OutcomeRef::Queue(name) => {
                    out.extend_from_slice(b"\"queue\",\"name\":");
                    json_str(out, name);
                }
                OutcomeRef::Unrouted => out.extend_from_slice(b"\"unrouted\""),
            }
            out.extend_from_slice(b"},\"rule\":");
            match d.rule {
                Some(r) => json_str(out, r),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"state_read\":");
            if let OutcomeRef::Partner(id) = d.outcome {
                out.extend_from_slice(b"{\"partner\":");
                json_str(out, id);
                out.extend_from_slice(b",\"version\":");
            }
        });
        buf.extend_from_slice(tail);
        match read {
            Some(s) => {
                int(buf, s.version);
                buf.extend_from_slice(b",\"active_leads\":");
                int(buf, s.active_leads);
                buf.extend_from_slice(b",\"last_assigned_at\":");
                match s.last_assigned_at {
                    Some(t) => int(buf, t),
                    None => buf.extend_from_slice(b"null"),
                }
                buf.extend_from_slice(b"}}}\n");
            }
            None => buf.extend_from_slice(b"null}}\n"),
        }
        true
    }
}
