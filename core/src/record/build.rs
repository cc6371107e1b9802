//! Columns built value by value ([`TextColumn`], [`PackedColumn`]): the forms of
//! [`Column::texts`] and [`Column::packed`] for a host that fills several columns in one pass
//! over its records (each record read once, not once per column).

use serde_json::Value as Json;

use super::texts::{packed, TextMap};
use super::Column;

/// A dictionary-encoded text column ([`Column::Dict`]) built text by text: each distinct text
/// stored once, a missing text coded past the dictionary. [`Column::texts`] is this builder
/// over an iterator.
///
/// ```
/// use leadrail_core::record::{Column, PackedColumn, TextColumn};
///
/// // one pass over a host's rows fills both columns
/// let rows = [("L1", "DE"), ("L2", "FR"), ("L3", "DE")];
/// let (mut ids, mut regions) = (PackedColumn::with_capacity(3), TextColumn::with_capacity(3));
/// for (id, region) in &rows {
///     ids.push(id);
///     regions.push(Some(region));
/// }
/// assert_eq!(ids.finish(), Column::packed(rows.iter().map(|r| r.0)));
/// assert_eq!(regions.finish(), Column::texts(rows.iter().map(|r| Some(r.1))));
/// ```
#[derive(Debug)]
pub struct TextColumn<'s> {
    /// A direct-mapped cache of `(packed text, code)` of short texts seen (`u32::MAX`: an
    /// empty entry), looked at before `seen`: a multiply and a compare for a text seen before.
    recent: Vec<(u128, u32)>,
    seen: TextMap<'s, u32>,
    dict: Vec<Json>,
    codes: Vec<u32>,
}

impl<'s> TextColumn<'s> {
    /// An empty column with room for `rows` rows.
    pub fn with_capacity(rows: usize) -> TextColumn<'s> {
        TextColumn {
            recent: vec![(0, u32::MAX); RECENT],
            seen: TextMap::default(),
            dict: Vec::new(),
            codes: Vec::with_capacity(rows),
        }
    }

    /// Appends a row's text (`None`: missing).
    #[inline]
    pub fn push(&mut self, text: Option<&'s str>) {
        let code = match text {
            Some(t) => {
                let line = packed(t).map(|k| (k, recent_line(k)));
                if let Some((k, at)) = line {
                    if let Some(&(seen, code)) = self.recent.get(at) {
                        if seen == k && code != u32::MAX {
                            self.codes.push(code);
                            return;
                        }
                    }
                }
                let dict = &mut self.dict;
                let code = *self.seen.get_or_insert_with(t, || {
                    dict.push(Json::String(t.to_owned()));
                    u32::try_from(dict.len() - 1).unwrap_or(u32::MAX)
                });
                if let Some(e) = line.and_then(|(k, at)| Some((k, self.recent.get_mut(at)?))) {
                    *e.1 = (e.0, code);
                }
                code
            }
            // (a code past the dictionary is missing)
            None => u32::MAX,
        };
        self.codes.push(code);
    }

    /// The column.
    pub fn finish(self) -> Column {
        Column::Dict {
            dict: self.dict,
            codes: self.codes,
        }
    }
}

/// The number of entries of [`TextColumn`]'s cache of recent texts (a power of two).
const RECENT: usize = 512;

/// The cache entry of a packed text.
#[inline]
fn recent_line(k: u128) -> usize {
    let x = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT.trailing_zeros())) as usize
}

/// A column of texts packed into one string ([`Column::Packed`]) built text by text: the cheap
/// form of a host's ids. [`Column::packed`] is this builder over an iterator.
#[derive(Debug, Default)]
pub struct PackedColumn {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl PackedColumn {
    /// An empty column with room for `rows` rows (of about 8 bytes each).
    pub fn with_capacity(rows: usize) -> PackedColumn {
        PackedColumn {
            bytes: Vec::with_capacity(rows * 8),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Appends a row's text.
    #[inline]
    pub fn push(&mut self, text: &str) {
        // (byte by byte: a call to `memcpy` per short text costs more than the copy)
        for b in text.as_bytes() {
            self.bytes.push(*b);
        }
        self.ends.push(self.bytes.len());
    }

    /// The column.
    pub fn finish(self) -> Column {
        // (texts one after another are UTF-8, and `ends` fall between them)
        let text = String::from_utf8(self.bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Column::Packed {
            text,
            ends: self.ends,
        }
    }
}
