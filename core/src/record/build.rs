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
    /// The texts, one after another, in `bytes[..len]`; the rest is zeroed room (at least
    /// [`ROOM`] bytes), so a short text is copied with fixed-size stores.
    bytes: Vec<u8>,
    len: usize,
    ends: Vec<usize>,
}

/// The room [`PackedColumn`] keeps past its texts: a text up to this long is copied with two
/// fixed-size stores (a call to `memcpy` per short text costs more than the copy).
const ROOM: usize = 16;

impl PackedColumn {
    /// An empty column with room for `rows` rows (of about 8 bytes each).
    pub fn with_capacity(rows: usize) -> PackedColumn {
        PackedColumn {
            bytes: vec![0; rows * 8 + ROOM],
            len: 0,
            ends: Vec::with_capacity(rows),
        }
    }

    /// Appends a row's text.
    #[inline]
    pub fn push(&mut self, text: &str) {
        let b = text.as_bytes();
        let (at, n) = (self.len, b.len());
        if self.bytes.len() < at + n + ROOM {
            self.grow(n);
        }
        if !(copy_short(&mut self.bytes, at, b)) {
            if let Some(d) = self.bytes.get_mut(at..at + n) {
                d.copy_from_slice(b);
            }
        }
        self.len = at + n;
        self.ends.push(self.len);
    }

    /// Makes room for a text of `n` bytes and [`ROOM`] more.
    #[cold]
    fn grow(&mut self, n: usize) {
        let want = (self.len + n + ROOM).max(self.bytes.len() * 2);
        self.bytes.resize(want, 0);
    }

    /// The column.
    pub fn finish(mut self) -> Column {
        self.bytes.truncate(self.len);
        // (texts one after another are UTF-8, and `ends` fall between them)
        let text = String::from_utf8(self.bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Column::Packed {
            text,
            ends: self.ends,
        }
    }
}

/// Copies `b` (at most [`ROOM`] bytes) to `to[at..]` with fixed-size stores (two that overlap
/// when it is shorter than twice their size); `false` for a longer text or too little room.
#[inline(always)]
fn copy_short(to: &mut [u8], at: usize, b: &[u8]) -> bool {
    fn store<const K: usize>(to: &mut [u8], at: usize, from: &[u8]) -> Option<()> {
        let v: [u8; K] = from.get(..K)?.try_into().ok()?;
        let d: &mut [u8; K] = to.get_mut(at..at + K)?.try_into().ok()?;
        *d = v;
        Some(())
    }
    let n = b.len();
    let done = match n {
        0 => Some(()),
        1..=3 => b.iter().enumerate().try_for_each(|(k, x)| {
            *to.get_mut(at + k)? = *x;
            Some(())
        }),
        4..=7 => store::<4>(to, at, b).and_then(|()| store::<4>(to, at + n - 4, b.get(n - 4..)?)),
        8..=ROOM => {
            store::<8>(to, at, b).and_then(|()| store::<8>(to, at + n - 8, b.get(n - 8..)?))
        }
        _ => None,
    };
    done.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_texts_of_every_length_come_back_whole() {
        // lengths across the copy's cases (0, 1..=3, 4..=7, 8..=16, longer) and growth
        let texts: Vec<String> = (0..40)
            .map(|n| (0..n).map(|k| char::from(b'a' + (k % 26) as u8)).collect())
            .chain(["é", "日本", "DE-BY", "L000001"].map(String::from))
            .collect();
        let mut c = PackedColumn::with_capacity(1);
        for t in &texts {
            c.push(t);
        }
        let Column::Packed { text, ends } = c.finish() else {
            panic!("a packed column");
        };
        assert_eq!(text, texts.concat());
        let mut start = 0;
        for (t, end) in texts.iter().zip(&ends) {
            assert_eq!(&text[start..*end], t.as_str());
            start = *end;
        }
        assert_eq!(ends.len(), texts.len());
    }
}
