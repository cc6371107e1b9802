//! Host values into core's columns: a column built value by value in the cheapest form its
//! values allow (dictionary-encoded texts, ints, floats, else JSON). No decisions are taken here.

use std::sync::Arc;

use leadrail_core::record::Column;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyString};
use rustc_hash::FxHashMap;
use serde_json::Value as Json;

use crate::routing::{py_to_json, Unsupported};

/// Builds one column of a batch value by value, in the cheapest core form the values allow:
/// dictionary-encoded texts (each distinct text parsed once by core), ints, floats, else JSON.
pub(crate) enum Builder {
    /// Only missing values so far (their count).
    Empty(usize, usize),
    Texts {
        /// A direct-mapped cache of (address, code) of the `str` objects seen.
        by_ptr: Vec<(usize, u32)>,
        by_text: FxHashMap<String, u32>,
        dict: Vec<Json>,
        codes: Vec<u32>,
    },
    Ints(Vec<Option<i64>>),
    Floats(Vec<Option<f64>>),
    /// Texts not deduplicated (ids).
    Arcs(Vec<Option<Arc<str>>>),
    Json(Vec<Json>),
}

/// The number of entries of a text column's address cache (a power of two).
const PTR_CACHE: usize = 1024;

/// The code the address cache holds for the object at `ptr` (cache line `line`), when texts are
/// cached by address.
#[inline(always)]
fn cached(by_ptr: &[(usize, u32)], by_pointer: bool, ptr: usize, line: usize) -> Option<u32> {
    if !by_pointer {
        return None;
    }
    by_ptr
        .get(line)
        .and_then(|(p, c)| (*p == ptr).then_some(*c))
}

/// The cache line of an object's address.
fn ptr_line(ptr: usize) -> usize {
    let h = (ptr >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
    (h >> (usize::BITS - PTR_CACHE.trailing_zeros())) & (PTR_CACHE - 1)
}

impl Builder {
    /// A builder for about `cap` values (reserved once the kind of the values is known).
    pub(crate) fn with_capacity(cap: usize) -> Builder {
        Builder::Empty(0, cap)
    }

    /// The values so far as JSON (a non-finite float, which JSON cannot hold, becomes null
    /// and is returned in `lost` so the caller can report its row).
    fn switch_to_json(&mut self, lost: &mut Vec<usize>) {
        let v: Vec<Json> = match std::mem::replace(self, Builder::Empty(0, 0)) {
            Builder::Empty(n, _) => vec![Json::Null; n],
            Builder::Texts { dict, codes, .. } => codes
                .iter()
                .map(|c| dict.get(*c as usize).cloned().unwrap_or(Json::Null))
                .collect(),
            Builder::Ints(v) => v
                .into_iter()
                .map(|x| x.map_or(Json::Null, Json::from))
                .collect(),
            Builder::Arcs(v) => v
                .into_iter()
                .map(|x| x.map_or(Json::Null, |t| Json::String(t.to_string())))
                .collect(),
            Builder::Floats(v) => v
                .into_iter()
                .enumerate()
                .map(|(i, x)| match x {
                    None => Json::Null,
                    Some(x) => serde_json::Number::from_f64(x).map_or_else(
                        || {
                            lost.push(i);
                            Json::Null
                        },
                        Json::Number,
                    ),
                })
                .collect(),
            Builder::Json(v) => v,
        };
        *self = Builder::Json(v);
    }

    /// Appends a missing value.
    pub(crate) fn push_missing(&mut self) {
        match self {
            Builder::Empty(n, _) => *n += 1,
            Builder::Texts { codes, .. } => codes.push(u32::MAX),
            Builder::Ints(v) => v.push(None),
            Builder::Floats(v) => v.push(None),
            Builder::Arcs(v) => v.push(None),
            Builder::Json(v) => v.push(Json::Null),
        }
    }

    /// Appends a value of the kind the column already holds, in a few instructions: an exact
    /// `str` to a text column (by address when `by_pointer`, else by text when seen before),
    /// an exact `int` in the 64-bit range to an int column, an exact `float` to a float column.
    /// `false` (nothing appended) for anything else, which [`Builder::push`] then handles.
    #[inline(always)]
    pub(crate) fn push_known(&mut self, x: &Bound<'_, PyAny>, by_pointer: bool) -> PyResult<bool> {
        match self {
            Builder::Texts {
                by_ptr,
                by_text,
                codes,
                ..
            } => {
                let ptr = x.as_ptr() as usize;
                let line = ptr_line(ptr);
                if let Some(c) = cached(by_ptr, by_pointer, ptr, line) {
                    codes.push(c);
                    return Ok(true);
                }
                if let Ok(s) = x.cast_exact::<PyString>() {
                    let text = s.to_str()?;
                    if let Some(c) = by_text.get(text) {
                        let c = *c;
                        if by_pointer {
                            if let Some(e) = by_ptr.get_mut(line) {
                                *e = (ptr, c);
                            }
                        }
                        codes.push(c);
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Builder::Ints(v) => {
                if x.is_exact_instance_of::<PyInt>() {
                    if let Ok(i) = x.extract::<i64>() {
                        v.push(Some(i));
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Builder::Arcs(v) => {
                if let Ok(s) = x.cast_exact::<PyString>() {
                    v.push(Some(Arc::from(s.to_str()?)));
                    return Ok(true);
                }
                Ok(false)
            }
            Builder::Floats(v) => {
                if let Ok(f) = x.cast_exact::<PyFloat>() {
                    v.push(Some(f.value()));
                    return Ok(true);
                }
                Ok(false)
            }
            Builder::Empty(..) | Builder::Json(_) => Ok(false),
        }
    }

    /// Appends a value; `Err` if it has no JSON form. `lost` collects rows whose earlier
    /// non-finite floats had to become JSON.
    pub(crate) fn push(
        &mut self,
        x: &Bound<'_, PyAny>,
        dedupe: bool,
        by_pointer: bool,
        lost: &mut Vec<usize>,
    ) -> PyResult<Result<(), Unsupported>> {
        // the common cases first: a value of the kind the column already holds
        match self {
            Builder::Texts { by_ptr, codes, .. } if by_pointer => {
                let ptr = x.as_ptr() as usize;
                if let Some((p, c)) = by_ptr.get(ptr_line(ptr)) {
                    if *p == ptr {
                        codes.push(*c);
                        return Ok(Ok(()));
                    }
                }
            }
            Builder::Ints(v) if x.is_exact_instance_of::<PyInt>() => {
                if let Ok(i) = x.extract::<i64>() {
                    v.push(Some(i));
                    return Ok(Ok(()));
                }
            }
            Builder::Arcs(v) => {
                if let Ok(s) = x.cast::<PyString>() {
                    v.push(Some(Arc::from(s.to_str()?)));
                    return Ok(Ok(()));
                }
            }
            _ => {}
        }
        if x.is_none() {
            self.push_missing();
            return Ok(Ok(()));
        }
        let kind = if let Ok(s) = x.cast::<PyString>() {
            Some(Ok(s))
        } else if x.is_exact_instance_of::<PyInt>() {
            Some(Err(0))
        } else if x.is_exact_instance_of::<PyFloat>() {
            Some(Err(1))
        } else {
            None
        };
        if let Builder::Empty(n, cap) = self {
            let (n, cap) = (*n, (*cap).max(*n));
            fn filled<T: Clone>(x: T, n: usize, cap: usize) -> Vec<T> {
                let mut v = Vec::with_capacity(cap);
                v.resize(n, x);
                v
            }
            *self = match kind {
                Some(Ok(_)) if !dedupe => Builder::Arcs(filled(None, n, cap)),
                Some(Ok(_)) => Builder::Texts {
                    by_ptr: vec![(0, u32::MAX); PTR_CACHE],
                    by_text: FxHashMap::default(),
                    dict: Vec::new(),
                    codes: filled(u32::MAX, n, cap),
                },
                Some(Err(0)) => Builder::Ints(filled(None, n, cap)),
                Some(Err(_)) => Builder::Floats(filled(None, n, cap)),
                _ => Builder::Json(filled(Json::Null, n, cap)),
            };
        }
        match (&mut *self, kind) {
            (
                Builder::Texts {
                    by_ptr,
                    by_text,
                    dict,
                    codes,
                },
                Some(Ok(s)),
            ) => {
                let ptr = x.as_ptr() as usize;
                let line = ptr_line(ptr);
                if let Some(c) = cached(by_ptr, by_pointer, ptr, line) {
                    codes.push(c);
                    return Ok(Ok(()));
                }
                let text = s.to_str()?;
                let c = match by_text.get(text) {
                    Some(c) => *c,
                    None => {
                        let c = u32::try_from(dict.len()).unwrap_or(u32::MAX);
                        dict.push(Json::String(text.to_owned()));
                        by_text.insert(text.to_owned(), c);
                        c
                    }
                };
                // the caller guarantees the value outlives the batch when `by_pointer` is set
                if by_pointer {
                    if let Some(e) = by_ptr.get_mut(line) {
                        *e = (ptr, c);
                    }
                }
                codes.push(c);
                return Ok(Ok(()));
            }
            (Builder::Arcs(v), Some(Ok(s))) => {
                v.push(Some(Arc::from(s.to_str()?)));
                return Ok(Ok(()));
            }
            (Builder::Ints(v), Some(Err(0))) => {
                if let Ok(i) = x.extract::<i64>() {
                    v.push(Some(i));
                    return Ok(Ok(()));
                }
            }
            (Builder::Floats(v), Some(Err(1))) => {
                if let Ok(f) = x.cast::<PyFloat>() {
                    v.push(Some(f.value()));
                    return Ok(Ok(()));
                }
            }
            _ => {}
        }
        let j = match py_to_json(x)? {
            Ok(j) => j,
            Err(e) => {
                self.push_missing();
                return Ok(Err(e));
            }
        };
        if !matches!(self, Builder::Json(_)) {
            self.switch_to_json(lost);
        }
        if let Builder::Json(v) = self {
            v.push(j);
        }
        Ok(Ok(()))
    }

    pub(crate) fn finish(self) -> Column {
        match self {
            Builder::Empty(n, _) => Column::Json(vec![Json::Null; n]),
            Builder::Texts { dict, codes, .. } => Column::Dict { dict, codes },
            Builder::Ints(v) => Column::Int(v),
            Builder::Floats(v) => Column::Float(v),
            Builder::Arcs(v) => Column::Text(v),
            Builder::Json(v) => Column::Json(v),
        }
    }
}
