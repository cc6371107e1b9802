//! A growable bitset over partner slots.

/// A set of partner slots, one bit each. Bits past the end are zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// An empty set sized for `n` slots.
    pub(crate) fn with_len(n: usize) -> Bits {
        Bits {
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// Empties the set and sizes it for `n` slots.
    pub(crate) fn reset(&mut self, n: usize) {
        self.words.clear();
        self.words.resize(n.div_ceil(64), 0);
    }

    /// Adds slot `i`.
    pub(crate) fn set(&mut self, i: usize) {
        let w = i / 64;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        if let Some(x) = self.words.get_mut(w) {
            *x |= 1u64 << (i % 64);
        }
    }

    /// Removes slot `i`.
    pub(crate) fn clear(&mut self, i: usize) {
        if let Some(x) = self.words.get_mut(i / 64) {
            *x &= !(1u64 << (i % 64));
        }
    }

    /// Whether slot `i` is in the set.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|x| x & (1u64 << (i % 64)) != 0)
    }

    /// `self |= other`.
    pub(crate) fn or_with(&mut self, other: &Bits) {
        if other.words.len() > self.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= *b;
        }
    }

    /// `self &= other`.
    pub(crate) fn and_with(&mut self, other: &Bits) {
        for (i, a) in self.words.iter_mut().enumerate() {
            *a &= other.words.get(i).copied().unwrap_or(0);
        }
    }

    /// `self &= !other`.
    pub(crate) fn and_not_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !*b;
        }
    }

    /// Copies `other` into `self`.
    pub(crate) fn copy_from(&mut self, other: &Bits) {
        self.words.clear();
        self.words.extend_from_slice(&other.words);
    }

    /// Appends the slots in the set, in every set of `all` and not in `not`, ascending, to `out`
    /// (slots past `u32::MAX` are left out), in one pass over the words.
    pub(crate) fn push_ones_and(&self, all: &[&Bits], not: &Bits, out: &mut Vec<u32>) {
        let word = |b: &Bits, wi: usize| b.words.get(wi).copied().unwrap_or(0);
        // (one or two sets, the usual probes of a rule, without the loop over `all`)
        match all {
            [a] => self.push_ones_with(out, |wi, w| w & !word(not, wi) & word(a, wi)),
            [a, b] => {
                self.push_ones_with(out, |wi, w| w & !word(not, wi) & word(a, wi) & word(b, wi))
            }
            _ => self.push_ones_with(out, |wi, mut w| {
                w &= !word(not, wi);
                for b in all {
                    w &= word(b, wi);
                }
                w
            }),
        }
    }

    /// Appends the set bits of `mask(word index, word)` for each word, ascending, to `out`
    /// (slots past `u32::MAX` are left out).
    #[inline(always)]
    fn push_ones_with(&self, out: &mut Vec<u32>, mask: impl Fn(usize, u64) -> u64) {
        for (wi, &w) in self.words.iter().enumerate() {
            let mut w = mask(wi, w);
            while w != 0 {
                let p = wi * 64 + w.trailing_zeros() as usize;
                w &= w - 1;
                if let Ok(p) = u32::try_from(p) {
                    out.push(p);
                }
            }
        }
    }

    /// The slots in the set, ascending.
    pub(crate) fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(wi, &w)| Ones { w, base: wi * 64 })
    }
}

/// The set bits of one word, ascending, offset by `base`.
pub(crate) struct Ones {
    pub(crate) w: u64,
    pub(crate) base: usize,
}

impl Iterator for Ones {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.w == 0 {
            return None;
        }
        let t = self.w.trailing_zeros() as usize;
        self.w &= self.w - 1;
        Some(self.base + t)
    }
}
