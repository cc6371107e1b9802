//! The one seeded random source of the generators: SplitMix64 (Steele, Lea and Flood, 2014).
//!
//! Written here rather than taken from `rand` so a seed gives the same workload forever: a
//! crate's random streams may change between versions, and the workloads of BENCH.md and the
//! committed example data must not drift.

/// SplitMix64: 64 bits of state, passes BigCrush, trivially reproducible.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` by modulo (`n = 0` counts as 1); slightly biased for huge `n`, which
    /// the generators never use.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `0..n` as `i64` (`n <= 0` gives 0).
    pub fn below_i64(&mut self, n: i64) -> i64 {
        i64::try_from(self.below(u64::try_from(n).unwrap_or(1))).unwrap_or(0)
    }

    /// A number in `0..n` by multiply-shift (Lemire), without modulo bias; `n = 0` gives 0.
    pub fn below_uniform(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `k` distinct values of `0..n`, ascending (a partial Fisher-Yates shuffle with
    /// [`SplitMix64::below_uniform`]).
    pub fn distinct(&mut self, k: usize, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below_uniform((n - i) as u64) as usize;
            v.swap(i, j);
        }
        v.truncate(k.min(n));
        v.sort_unstable();
        v
    }
}
