//! Reading many text rows under one header: a repeated cell of a field whose value is built on
//! the heap (text, enum symbols, regions, sets, maps) is parsed once and its value shared
//! ([`CellCache`], [`TextHeader::record_cached`]).

use rustc_hash::FxHashMap;

use super::{DataError, Record, TextHeader, ValueError};
use crate::value::{Type, Value};

/// The most distinct cells cached per field: a field with more (an id-like text, a free-text
/// note) stops being cached, since its cells seldom repeat.
const MOST: usize = 1_024;

/// The values of the cells read so far, per field of a [`TextHeader`]'s schema: each distinct
/// cell of a text, enum, region, set or map field is parsed once, and later rows share its
/// value (a reference count, not a copy). A field whose cells are mostly distinct stops being
/// cached after 1,024 of them. The records are those [`TextHeader::record`] reads.
#[derive(Debug, Default)]
pub struct CellCache {
    /// Per field: its cached cells, or `None` when it is not cached.
    fields: Vec<Option<FxHashMap<Box<str>, Value>>>,
    ready: bool,
}

impl CellCache {
    /// An empty cache.
    pub fn new() -> CellCache {
        CellCache::default()
    }

    fn prepare(&mut self, header: &TextHeader<'_>) {
        if self.ready {
            return;
        }
        self.ready = true;
        self.fields = header
            .schema
            .fields
            .iter()
            .map(|f| {
                matches!(
                    f.ty,
                    Type::Text | Type::Enum(_) | Type::Region | Type::Set(_) | Type::Map(_, _)
                )
                .then(FxHashMap::default)
            })
            .collect();
    }

    /// The value of `cell` in field `i` (of type `ty`), from the cache or parsed.
    fn value(&mut self, i: usize, ty: &Type, cell: &str) -> Result<Value, ValueError> {
        let Some(slot) = self.fields.get_mut(i) else {
            return Value::from_text(ty, cell);
        };
        let Some(cache) = slot else {
            return Value::from_text(ty, cell);
        };
        if let Some(v) = cache.get(cell) {
            return Ok(v.clone());
        }
        let v = Value::from_text(ty, cell)?;
        if cache.len() >= MOST {
            *slot = None;
        } else {
            cache.insert(Box::from(cell), v.clone());
        }
        Ok(v)
    }
}

impl TextHeader<'_> {
    /// [`TextHeader::record`], with the values of repeated cells taken from `cache` (which
    /// must be used with this header only).
    ///
    /// ```
    /// use leadrail_core::record::{CellCache, TextHeader};
    /// use leadrail_core::schema::{Field, Schema};
    /// use leadrail_core::value::{Type, Value};
    ///
    /// let schema = Schema { fields: vec![Field { name: "region".into(), ty: Type::Region, optional: false }] };
    /// let header = TextHeader::new(&schema, &["id", "region"]);
    /// let mut cache = CellCache::new();
    /// let a = header.record_cached(&["L1", "US-TX"], 1, &mut cache).unwrap();
    /// let b = header.record_cached(&["L2", "US-TX"], 2, &mut cache).unwrap();
    /// assert_eq!(a.values, header.record(&["L1", "US-TX"], 1).unwrap().values);
    /// // the second row shares the first row's region
    /// let (Value::Region(x), Value::Region(y)) = (&a.values[0], &b.values[0]) else { panic!() };
    /// assert!(std::sync::Arc::ptr_eq(x, y));
    /// let e = header.record_cached(&["L3", "nowhere land"], 3, &mut cache).unwrap_err();
    /// assert_eq!(e.to_string(), header.record(&["L3", "nowhere land"], 3).unwrap_err().to_string());
    /// ```
    ///
    /// # Errors
    /// The first [`DataError`] in schema order, as [`TextHeader::record`].
    pub fn record_cached(
        &self,
        cells: &[&str],
        position: usize,
        cache: &mut CellCache,
    ) -> Result<Record, DataError> {
        cache.prepare(self);
        self.record_with(cells, position, |i, ty, cell| cache.value(i, ty, cell))
    }
}
