//! Per-batch maps keyed by texts: a text of at most 15 bytes (region codes, product lines, enum
//! symbols) is packed into one integer with its length, so finding it costs a multiply and an
//! integer compare rather than hashing and comparing bytes; a longer text is its own key.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rustc_hash::FxHashMap;

/// A map keyed by texts borrowed for `'s`.
#[derive(Debug)]
pub(crate) struct TextMap<'s, V> {
    short: HashMap<u128, V, BuildHasherDefault<PackedHasher>>,
    long: FxHashMap<&'s str, V>,
}

impl<V> Default for TextMap<'_, V> {
    fn default() -> Self {
        TextMap {
            short: HashMap::default(),
            long: FxHashMap::default(),
        }
    }
}

/// The hash of a packed text: one folded multiply, which spreads every bit of the key over the
/// low bits (where the table's buckets are) and the high bits (its tags). `FxHash` leaves the
/// low bits of keys that differ only in their last bytes (`line-07`, `line-08`) alike, and
/// their lookups collide.
#[derive(Debug, Default)]
struct PackedHasher(u64);

impl Hasher for PackedHasher {
    #[inline]
    fn write_u128(&mut self, k: u128) {
        // (the length byte and the first bytes of the text, folded together)
        let x = (k as u64) ^ ((k >> 64) as u64).rotate_left(32) ^ self.0;
        let m = u128::from(x) * 0x9E37_79B9_7F4A_7C15_u128;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }

    fn write(&mut self, bytes: &[u8]) {
        // (not used by `u128` keys; kept correct for any)
        for b in bytes {
            self.write_u128(u128::from(*b));
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

impl<'s, V> TextMap<'s, V> {
    /// The value of `t`, inserting `new()` when `t` is new.
    #[inline]
    pub(crate) fn get_or_insert_with(&mut self, t: &'s str, new: impl FnOnce() -> V) -> &mut V {
        match packed(t) {
            Some(k) => self.short.entry(k).or_insert_with(new),
            None => self.long.entry(t).or_insert_with(new),
        }
    }
}

/// The bytes of a text of at most 15 bytes and its length as one integer (distinct texts give
/// distinct integers); `None` for a longer text.
#[inline]
pub(super) fn packed(t: &str) -> Option<u128> {
    let b = t.as_bytes();
    let n = b.len();
    // little-endian words of the text (loads that overlap when the text is shorter than two
    // words; the overlap is shifted out)
    let word = |at: usize| -> Option<u64> {
        Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
    };
    let half = |at: usize| -> Option<u64> {
        Some(u64::from(u32::from_le_bytes(
            b.get(at..at + 4)?.try_into().ok()?,
        )))
    };
    let bytes = match n {
        16.. => return None,
        8.. => {
            // bytes 8..n are the top n - 8 bytes of the word ending at n
            let tail = word(n - 8)?.checked_shr(8 * (16 - n) as u32).unwrap_or(0);
            u128::from(word(0)?) | u128::from(tail) << 64
        }
        4.. => {
            let tail = half(n - 4)?.checked_shr(8 * (8 - n) as u32).unwrap_or(0);
            u128::from(half(0)? | tail << 32)
        }
        _ => b.iter().rev().fold(0u128, |k, x| k << 8 | u128::from(*x)),
    };
    // (the length in the top byte, which the bytes do not reach)
    Some(bytes | (n as u128) << 120)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_pack_apart_and_long_ones_do_not_pack() {
        let texts = [
            "",
            "\0",
            "\0\0",
            "a",
            "a\0",
            "DE",
            "US-TX",
            "line-07",
            "123456789012345",
        ];
        let keys: Vec<u128> = texts.iter().filter_map(|t| packed(t)).collect();
        assert_eq!(keys.len(), texts.len());
        for (i, a) in keys.iter().enumerate() {
            for b in keys.get(i + 1..).unwrap_or(&[]) {
                assert_ne!(a, b);
            }
        }
        assert_eq!(packed("1234567890123456"), None);
        // the bytes, in order, and the length in the top byte
        let bytes = |k: u128| (0..15).map(|i| (k >> (8 * i)) as u8).collect::<Vec<u8>>();
        for t in texts {
            let k = packed(t).unwrap();
            assert_eq!((k >> 120) as usize, t.len());
            assert_eq!(&bytes(k)[..t.len()], t.as_bytes(), "{t:?}");
            assert!(bytes(k)[t.len()..].iter().all(|x| *x == 0), "{t:?}");
        }
    }

    #[test]
    fn a_map_finds_short_and_long_texts() {
        let long = "a product line with a long name";
        let mut m: TextMap<'_, u32> = TextMap::default();
        let mut next = 0;
        let mut code = |m: &mut TextMap<'_, u32>, t| {
            *m.get_or_insert_with(t, || {
                next += 1;
                next
            })
        };
        let got: Vec<u32> = ["DE", long, "DE", "FR", long]
            .into_iter()
            .map(|t| code(&mut m, t))
            .collect();
        assert_eq!(got, [1, 2, 1, 3, 2]);
    }
}
