//! A column of a host's batch built value by value, in the cheapest form its values allow: what a
//! binding fills while it walks its host's records or sequences, so that it only tells the kind
//! of each host value.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde_json::Value as Json;

use crate::record::Column;

/// Builds one [`Column`] value by value: dictionary-encoded texts (each distinct text parsed
/// once by core), ints, floats or, once the values are of mixed kinds, JSON. Texts may be given
/// with a key (e.g. the host object's address) under which the next value with the same key is
/// found without reading its text ([`ColumnBuilder::push_cached`]).
///
/// ```
/// use leadrail_core::host::ColumnBuilder;
/// use leadrail_core::record::Column;
///
/// let mut b = ColumnBuilder::new(100, true);
/// b.push_text("US", Some(0x10));
/// assert!(b.push_cached(0x10)); // the same host object again
/// b.push_missing();
/// b.push_text("DE", None);
/// let (column, lost) = b.finish();
/// assert_eq!(column, Column::Dict { dict: vec!["US".into(), "DE".into()], codes: vec![0, 0, u32::MAX, 1] });
/// assert!(lost.is_empty());
///
/// // floats, then a text: the column becomes JSON, and a NaN (which JSON cannot hold) is lost
/// let mut b = ColumnBuilder::new(3, true);
/// assert!(b.push_float(0.5) && b.push_float(f64::NAN));
/// b.push_text("50%", None);
/// assert!(!b.push_float(f64::INFINITY)); // not held (a missing value instead)
/// let (column, lost) = b.finish();
/// assert_eq!(column, Column::Json(vec![0.5.into(), serde_json::Value::Null, "50%".into(), serde_json::Value::Null]));
/// assert_eq!(lost, [1]);
/// ```
#[derive(Debug, Clone)]
pub struct ColumnBuilder {
    kind: Kind,
    /// The room to reserve once the kind of the values is known.
    cap: usize,
    /// Whether texts go to a dictionary (else to [`Column::Text`], the cheap form of ids).
    dedupe: bool,
    /// The rows whose non-finite floats became null when the column became JSON.
    lost: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Only missing values so far (their count).
    Empty(usize),
    Texts {
        /// A direct-mapped cache of (key, code) of the texts given with a key (none for a
        /// short column).
        by_key: Vec<(usize, u32)>,
        by_text: FxHashMap<String, u32>,
        dict: Vec<Json>,
        codes: Vec<u32>,
    },
    Ints(Vec<Option<i64>>),
    Floats(Vec<Option<f64>>),
    Arcs(Vec<Option<Arc<str>>>),
    Json(Vec<Json>),
}

/// The number of entries of a text column's key cache (a power of two).
const KEY_CACHE: usize = 1024;

/// The fewest values a column is built for that get a key cache (filling one costs about as
/// much as reading 64 texts).
const KEY_CACHE_FROM: usize = 64;

/// The cache line of a key (an address: its low bits are alignment).
#[inline(always)]
fn line(key: usize) -> usize {
    let h = (key >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
    (h >> (usize::BITS - KEY_CACHE.trailing_zeros())) & (KEY_CACHE - 1)
}

/// Caches `code` under `key` (if given, and if the column has a key cache).
#[inline(always)]
fn cache(by_key: &mut [(usize, u32)], key: Option<usize>, code: u32) {
    if let Some(k) = key {
        if let Some(e) = by_key.get_mut(line(k)) {
            *e = (k, code);
        }
    }
}

fn filled<T: Clone>(x: T, n: usize, cap: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(cap.max(n));
    v.resize(n, x);
    v
}

impl ColumnBuilder {
    /// A builder for about `cap` values (reserved once their kind is known); `dedupe`: texts go
    /// to a dictionary (else each is kept as it is, the form of an id column).
    pub fn new(cap: usize, dedupe: bool) -> ColumnBuilder {
        ColumnBuilder {
            kind: Kind::Empty(0),
            cap,
            dedupe,
            lost: Vec::new(),
        }
    }

    /// Appends a missing value.
    #[inline]
    pub fn push_missing(&mut self) {
        match &mut self.kind {
            Kind::Empty(n) => *n += 1,
            Kind::Texts { codes, .. } => codes.push(u32::MAX),
            Kind::Ints(v) => v.push(None),
            Kind::Floats(v) => v.push(None),
            Kind::Arcs(v) => v.push(None),
            Kind::Json(v) => v.push(Json::Null),
        }
    }

    /// Appends the text last given with `key` to this text column, if the key is cached;
    /// `false` (nothing appended) otherwise. The host guarantees that a key names one text for
    /// the builder's life (an address of an object the batch keeps alive).
    #[inline(always)]
    pub fn push_cached(&mut self, key: usize) -> bool {
        if let Kind::Texts { by_key, codes, .. } = &mut self.kind {
            if let Some((k, c)) = by_key.get(line(key)) {
                if *k == key {
                    codes.push(*c);
                    return true;
                }
            }
        }
        false
    }

    /// Appends a text (cached under `key`, if given, for [`ColumnBuilder::push_cached`]).
    #[inline]
    pub fn push_text(&mut self, text: &str, key: Option<usize>) {
        match &mut self.kind {
            Kind::Texts {
                by_key,
                by_text,
                codes,
                ..
            } => {
                if let Some(c) = by_text.get(text) {
                    cache(by_key, key, *c);
                    codes.push(*c);
                    return;
                }
            }
            Kind::Arcs(v) => return v.push(Some(Arc::from(text))),
            _ => {}
        }
        self.push_new_text(text, key)
    }

    /// [`ColumnBuilder::push_text`] of a text the column has not seen, or of the first text.
    fn push_new_text(&mut self, text: &str, key: Option<usize>) {
        if let Kind::Empty(n) = self.kind {
            self.kind = match self.dedupe {
                true => Kind::Texts {
                    by_key: match self.cap >= KEY_CACHE_FROM {
                        true => vec![(0, u32::MAX); KEY_CACHE],
                        false => Vec::new(),
                    },
                    by_text: FxHashMap::default(),
                    dict: Vec::new(),
                    codes: filled(u32::MAX, n, self.cap),
                },
                false => Kind::Arcs(filled(None, n, self.cap)),
            };
        }
        match &mut self.kind {
            Kind::Texts {
                by_key,
                by_text,
                dict,
                codes,
            } => {
                // (a text the column has not seen)
                let c = u32::try_from(dict.len()).unwrap_or(u32::MAX);
                dict.push(Json::String(text.to_owned()));
                by_text.insert(text.to_owned(), c);
                cache(by_key, key, c);
                codes.push(c);
            }
            Kind::Arcs(v) => v.push(Some(Arc::from(text))),
            _ => self.push_json(Json::String(text.to_owned())),
        }
    }

    /// Appends an integer.
    #[inline]
    pub fn push_int(&mut self, x: i64) {
        match &mut self.kind {
            Kind::Ints(v) => v.push(Some(x)),
            Kind::Empty(n) => {
                let mut v = filled(None, *n, self.cap);
                v.push(Some(x));
                self.kind = Kind::Ints(v);
            }
            _ => self.push_json(Json::from(x)),
        }
    }

    /// Appends a float; `false` when the column holds JSON, which cannot hold a NaN or an
    /// infinity: a missing value is appended instead (the host reports the value).
    #[inline]
    pub fn push_float(&mut self, x: f64) -> bool {
        match &mut self.kind {
            Kind::Floats(v) => v.push(Some(x)),
            Kind::Empty(n) => {
                let mut v = filled(None, *n, self.cap);
                v.push(Some(x));
                self.kind = Kind::Floats(v);
            }
            _ => match serde_json::Number::from_f64(x) {
                Some(x) => self.push_json(Json::Number(x)),
                None => {
                    self.push_missing();
                    return false;
                }
            },
        }
        true
    }

    /// Appends a value of any other kind (the column holds JSON from then on).
    pub fn push_json(&mut self, x: Json) {
        if !matches!(self.kind, Kind::Json(_)) {
            self.switch_to_json();
        }
        if let Kind::Json(v) = &mut self.kind {
            v.push(x);
        }
    }

    /// The values so far as JSON (a non-finite float becomes null, its row lost).
    fn switch_to_json(&mut self) {
        let lost = &mut self.lost;
        let v: Vec<Json> = match std::mem::replace(&mut self.kind, Kind::Empty(0)) {
            Kind::Empty(n) => filled(Json::Null, n, self.cap),
            Kind::Texts { dict, codes, .. } => codes
                .iter()
                .map(|c| dict.get(*c as usize).cloned().unwrap_or(Json::Null))
                .collect(),
            Kind::Ints(v) => v
                .into_iter()
                .map(|x| x.map_or(Json::Null, Json::from))
                .collect(),
            Kind::Arcs(v) => v
                .into_iter()
                .map(|x| x.map_or(Json::Null, |t| Json::String(t.to_string())))
                .collect(),
            Kind::Floats(v) => v
                .into_iter()
                .enumerate()
                .map(|(i, x)| match x.map(serde_json::Number::from_f64) {
                    None => Json::Null,
                    Some(Some(x)) => Json::Number(x),
                    Some(None) => {
                        lost.push(i);
                        Json::Null
                    }
                })
                .collect(),
            Kind::Json(v) => v,
        };
        self.kind = Kind::Json(v);
    }

    /// The column, and the rows (ascending) whose NaN or infinite floats it could not hold
    /// (they read as missing: the host reports them).
    pub fn finish(self) -> (Column, Vec<usize>) {
        let column = match self.kind {
            Kind::Empty(n) => Column::Json(vec![Json::Null; n]),
            Kind::Texts { dict, codes, .. } => Column::Dict { dict, codes },
            Kind::Ints(v) => Column::Int(v),
            Kind::Floats(v) => Column::Float(v),
            Kind::Arcs(v) => Column::Text(v),
            Kind::Json(v) => Column::Json(v),
        };
        (column, self.lost)
    }
}
