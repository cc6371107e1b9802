//! The stage-weighted forecast: win probabilities of open leads from the close rates of their
//! stage (overall and under their holder), the expected value per group and in total, and the
//! range of the total.

use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::group::{GroupBy, Key, Keys, RawKey};
use super::period::Periods;
use super::walk::Facts;
use crate::value::EpochMs;

/// How the forecast is computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForecastOptions {
    /// The weight `m` of the stage's overall rate in a partner's smoothed rate (default 10).
    pub m: f64,
    /// Draws for the range when it is not computed exactly (10,000 to 1,000,000; default
    /// 10,000).
    pub draws: u32,
    /// The seed of the draws (default 0).
    pub seed: u64,
    /// Also return each forecast lead's probability (default `false`).
    pub detail: bool,
}

impl Default for ForecastOptions {
    fn default() -> ForecastOptions {
        ForecastOptions {
            m: 10.0,
            draws: MIN_DRAWS,
            seed: 0,
            detail: false,
        }
    }
}

/// The fewest draws the range is estimated from.
pub const MIN_DRAWS: u32 = 10_000;
/// The most draws (more are capped to this).
pub const MAX_DRAWS: u32 = 1_000_000;
/// Up to this many forecast leads, the range is computed exactly (every outcome enumerated).
pub const EXACT_MAX_LEADS: usize = 16;

/// Closed leads that were in a stage, and how many of them were won.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRate {
    /// The stage (absent for the overall rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Closed leads (`won` or `lost` by `now`) that were in the stage.
    pub closed: u64,
    /// Of them, won.
    pub won: u64,
    /// won / closed; for a stage no closed lead was in, the overall rate.
    pub rate: Option<f64>,
}

/// Forecast figures of a group (or of all forecast leads).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRow {
    /// The group (partner: the holder at `now`; period: of the lead's start).
    #[serde(flatten)]
    pub key: Key,
    /// Forecast leads.
    pub leads: u64,
    /// Their amounts' sum.
    pub amount: f64,
    /// Sum of amount x win probability.
    pub expected: f64,
}

/// Leads left out of the forecast: open leads without a stage or an amount (all open leads
/// when no lead has closed yet).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    /// How many.
    pub leads: u64,
    /// The sum of the amounts they have.
    pub amount: f64,
}

/// How the range was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeMethod {
    /// Every outcome enumerated.
    Exact,
    /// Seeded draws.
    Draws,
}

/// The range of the total won amount T under independent outcomes: the least x with
/// P(T <= x) >= 0.1, and with P(T <= x) >= 0.9.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Range {
    /// The 10% point.
    pub p10: f64,
    /// The 90% point.
    pub p90: f64,
    /// Exact or drawn.
    pub method: RangeMethod,
    /// The number of draws (for `draws`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draws: Option<u32>,
    /// The seed of the draws (for `draws`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The error of `p10` (for `draws`): a 95% confidence interval of the true 10% point, from
    /// the order statistics of the draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p10_interval: Option<[f64; 2]>,
    /// The same for `p90`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p90_interval: Option<[f64; 2]>,
}

/// One forecast lead (with `detail`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadForecast {
    /// The lead id.
    pub lead: String,
    /// Its current stage.
    pub stage: String,
    /// Its holder at `now`.
    pub partner: Option<String>,
    /// Its amount.
    pub amount: f64,
    /// Its win probability.
    pub probability: f64,
}

/// The stage-weighted forecast as of `now`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// The instant it is as of.
    pub now: EpochMs,
    /// The zone of the periods.
    pub tz: String,
    /// The breakdown of `groups`.
    pub by: GroupBy,
    /// The weight `m`.
    pub m: f64,
    /// The overall close rate of closed leads.
    pub overall: StageRate,
    /// The close rate per stage (stages of closed or forecast leads), by stage name.
    pub stages: Vec<StageRate>,
    /// All forecast leads.
    pub total: ForecastRow,
    /// The range of the total.
    pub range: Range,
    /// Per group.
    pub groups: Vec<ForecastRow>,
    /// Leads left out.
    pub left_out: LeftOut,
    /// Per lead (with `detail`), by lead id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leads: Option<Vec<LeadForecast>>,
}

/// An open lead with a stage and an amount.
#[derive(Debug, Clone)]
struct Open<'a> {
    lead: &'a str,
    stage: &'a str,
    holder: Option<&'a str>,
    amount: Decimal,
    key: RawKey<'a>,
}

/// What one thread accumulated for the forecast.
#[derive(Debug, Default)]
pub(crate) struct ForecastAcc<'a> {
    closed: (u64, u64),
    stages: FxHashMap<&'a str, (u64, u64)>,
    pairs: FxHashMap<(&'a str, &'a str), (u64, u64)>,
    open: Vec<Open<'a>>,
    /// Open leads without a stage or an amount: count and amount.
    left_out: (u64, Decimal),
}

fn add(a: &mut (u64, u64), won: bool) {
    a.0 += 1;
    a.1 += u64::from(won);
}

fn plus(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(if b.is_sign_negative() {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

impl<'a> ForecastAcc<'a> {
    pub(crate) fn merge(&mut self, o: ForecastAcc<'a>) {
        self.closed.0 += o.closed.0;
        self.closed.1 += o.closed.1;
        for (k, v) in o.stages {
            let e = self.stages.entry(k).or_default();
            e.0 += v.0;
            e.1 += v.1;
        }
        for (k, v) in o.pairs {
            let e = self.pairs.entry(k).or_default();
            e.0 += v.0;
            e.1 += v.1;
        }
        self.open.extend(o.open);
        self.left_out.0 += o.left_out.0;
        self.left_out.1 = plus(self.left_out.1, o.left_out.1);
    }

    /// Adds one lead.
    pub(crate) fn add(
        &mut self,
        lead: &'a str,
        f: &Facts<'a>,
        amount: Option<Decimal>,
        keys: &Keys<'a>,
        periods: &mut Periods<'_>,
    ) {
        let Some(start) = f.start else {
            return;
        };
        if f.closed() {
            // closed for the rates: `won` (or `delivered`) or `lost`
            let won = f.won.is_some();
            add(&mut self.closed, won);
            for (i, &(stage, holder)) in f.seen.iter().enumerate() {
                let first = !f.seen.iter().take(i).any(|&(s, _)| s == stage);
                if first {
                    add(self.stages.entry(stage).or_default(), won);
                }
                if let Some(p) = holder {
                    add(self.pairs.entry((stage, p)).or_default(), won);
                }
            }
            return;
        }
        match (f.stage, amount) {
            (Some(stage), Some(amount)) => self.open.push(Open {
                lead,
                stage,
                holder: f.holder,
                amount,
                key: keys.of(f.holder, periods.of(start)),
            }),
            (_, amount) => {
                self.left_out.0 += 1;
                self.left_out.1 = plus(self.left_out.1, amount.unwrap_or_default());
            }
        }
    }

    /// The forecast.
    pub(crate) fn finish(
        mut self,
        by: &GroupBy,
        opts: &ForecastOptions,
        now: EpochMs,
        tz: String,
        parallel: bool,
    ) -> Forecast {
        let m = if opts.m.is_finite() && opts.m >= 0.0 {
            opts.m
        } else {
            10.0
        };
        let overall_rate = super::stats::rate(self.closed.1, self.closed.0);
        let overall = StageRate {
            stage: None,
            closed: self.closed.0,
            won: self.closed.1,
            rate: overall_rate,
        };
        let dims = by.dims(true, true);
        let empty = |dims| ForecastRow {
            key: Key {
                by: dims,
                ..Key::default()
            },
            leads: 0,
            amount: 0.0,
            expected: 0.0,
        };
        let Some(overall_rate) = overall_rate else {
            // no lead has closed yet: every open lead is left out
            let mut left = self.left_out;
            for o in &self.open {
                left.0 += 1;
                left.1 = plus(left.1, o.amount);
            }
            return Forecast {
                now,
                tz,
                by: *by,
                m,
                overall,
                stages: Vec::new(),
                total: empty(Default::default()),
                range: Range {
                    p10: 0.0,
                    p90: 0.0,
                    method: RangeMethod::Exact,
                    draws: None,
                    seed: None,
                    p10_interval: None,
                    p90_interval: None,
                },
                groups: Vec::new(),
                left_out: LeftOut {
                    leads: left.0,
                    amount: left.1.to_f64().unwrap_or(0.0),
                },
                leads: opts.detail.then(Vec::new),
            };
        };
        let stage_rate = |s: &str| match self.stages.get(s) {
            Some(&(n, w)) if n > 0 => w as f64 / n as f64,
            _ => overall_rate,
        };
        // canonical order: by lead id (inputs in any order give the same sums)
        self.open.sort_unstable_by(|a, b| a.lead.cmp(b.lead));
        let probs: Vec<f64> = self
            .open
            .iter()
            .map(|o| {
                let rs = stage_rate(o.stage);
                match o.holder {
                    None => rs,
                    Some(p) => {
                        let (n, w) = self.pairs.get(&(o.stage, p)).copied().unwrap_or((0, 0));
                        let den = n as f64 + m;
                        if den == 0.0 {
                            rs
                        } else {
                            (w as f64 + m * rs) / den
                        }
                    }
                }
            })
            .collect();
        let mut total = (0u64, Decimal::ZERO, 0.0f64);
        let mut groups: FxHashMap<RawKey<'a>, (u64, Decimal, f64)> = FxHashMap::default();
        for (o, &p) in self.open.iter().zip(&probs) {
            let ev = o.amount.to_f64().unwrap_or(0.0) * p;
            for g in [
                &mut total,
                groups.entry(o.key).or_insert((0, Decimal::ZERO, 0.0)),
            ] {
                g.0 += 1;
                g.1 = plus(g.1, o.amount);
                g.2 += ev;
            }
        }
        let mut stage_names: Vec<&str> = self
            .stages
            .keys()
            .copied()
            .chain(self.open.iter().map(|o| o.stage))
            .collect();
        stage_names.sort_unstable();
        stage_names.dedup();
        let stages = stage_names
            .into_iter()
            .map(|s| {
                let (n, w) = self.stages.get(s).copied().unwrap_or((0, 0));
                StageRate {
                    stage: Some(s.to_string()),
                    closed: n,
                    won: w,
                    rate: Some(stage_rate(s)),
                }
            })
            .collect();
        let mut rows: Vec<(RawKey<'a>, (u64, Decimal, f64))> = groups.into_iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let row = |key: Key, g: (u64, Decimal, f64)| ForecastRow {
            key,
            leads: g.0,
            amount: g.1.to_f64().unwrap_or(0.0),
            expected: g.2,
        };
        let amounts: Vec<Decimal> = self.open.iter().map(|o| o.amount).collect();
        let range = range(&amounts, &probs, opts, parallel);
        Forecast {
            now,
            tz,
            by: *by,
            m,
            overall,
            stages,
            total: row(Key::default(), total),
            range,
            groups: rows
                .into_iter()
                .map(|(k, g)| row(by.key(&k, dims), g))
                .collect(),
            left_out: LeftOut {
                leads: self.left_out.0,
                amount: self.left_out.1.to_f64().unwrap_or(0.0),
            },
            leads: opts.detail.then(|| {
                self.open
                    .iter()
                    .zip(&probs)
                    .map(|(o, &p)| LeadForecast {
                        lead: o.lead.to_string(),
                        stage: o.stage.to_string(),
                        partner: o.holder.map(str::to_string),
                        amount: o.amount.to_f64().unwrap_or(0.0),
                        probability: p,
                    })
                    .collect()
            }),
        }
    }
}

/// Probabilities within this of a quantile level count as reaching it (float rounding in
/// the exact enumeration).
const LEVEL_SLACK: f64 = 1e-12;

/// The range of the total of independent outcomes: amount `a[i]` with probability `p[i]`.
fn range(a: &[Decimal], p: &[f64], opts: &ForecastOptions, parallel: bool) -> Range {
    if a.len() <= EXACT_MAX_LEADS {
        // every outcome: (total, probability), merged by total
        let mut dist: Vec<(Decimal, f64)> = vec![(Decimal::ZERO, 1.0)];
        for (&x, &q) in a.iter().zip(p) {
            let mut next = Vec::with_capacity(dist.len() * 2);
            for &(t, pr) in &dist {
                next.push((t, pr * (1.0 - q)));
                next.push((plus(t, x), pr * q));
            }
            next.sort_by_key(|u| u.0);
            dist.clear();
            for (t, pr) in next {
                match dist.last_mut() {
                    Some(last) if last.0 == t => last.1 += pr,
                    _ => dist.push((t, pr)),
                }
            }
        }
        let at = |level: f64| {
            let mut cum = 0.0;
            for &(t, pr) in &dist {
                cum += pr;
                if cum >= level - LEVEL_SLACK {
                    return t.to_f64().unwrap_or(0.0);
                }
            }
            dist.last().and_then(|d| d.0.to_f64()).unwrap_or(0.0)
        };
        return Range {
            p10: at(0.1),
            p90: at(0.9),
            method: RangeMethod::Exact,
            draws: None,
            seed: None,
            p10_interval: None,
            p90_interval: None,
        };
    }
    let draws = opts.draws.clamp(MIN_DRAWS, MAX_DRAWS);
    let amounts: Vec<f64> = a.iter().map(|x| x.to_f64().unwrap_or(0.0)).collect();
    // a lead is won when 32 random bits fall below p * 2^32 (p = 1: always, p = 0: never)
    let thresholds: Vec<u64> = p
        .iter()
        .map(|&q| (q.clamp(0.0, 1.0) * (1u64 << 32) as f64) as u64)
        .collect();
    let draw = |d: u32| {
        let mut rng = SplitMix64::new(opts.seed ^ SplitMix64::new(u64::from(d)).next());
        // one 64-bit draw decides two leads; two sums, without branches on the outcomes
        let (mut t0, mut t1) = (0.0, 0.0);
        let pairs = amounts.chunks_exact(2).zip(thresholds.chunks_exact(2));
        for (xs, ths) in pairs {
            if let ([x0, x1], [h0, h1]) = (xs, ths) {
                let r = rng.next();
                t0 += won(*x0, r & 0xFFFF_FFFF < *h0);
                t1 += won(*x1, r >> 32 < *h1);
            }
        }
        if let (Some(x), Some(h)) = (
            amounts.chunks_exact(2).remainder().first(),
            thresholds.chunks_exact(2).remainder().first(),
        ) {
            t0 += won(*x, rng.next() & 0xFFFF_FFFF < *h);
        }
        t0 + t1
    };
    let mut totals: Vec<f64> = if parallel && a.len() * draws as usize > 1 << 16 {
        (0..draws).into_par_iter().map(draw).collect()
    } else {
        (0..draws).map(draw).collect()
    };
    totals.sort_by(f64::total_cmp);
    let k = totals.len();
    // the value at 1-based position `r` (clamped to 1..=k)
    let nth = |r: f64| {
        let r = (r as usize).clamp(1, k);
        totals.get(r - 1).copied().unwrap_or(0.0)
    };
    let point = |q: f64| nth((q * k as f64).ceil());
    let interval = |q: f64| {
        let mid = q * k as f64;
        let half = 1.96 * (k as f64 * q * (1.0 - q)).sqrt();
        [nth((mid - half).floor()), nth((mid + half).ceil())]
    };
    Range {
        p10: point(0.1),
        p90: point(0.9),
        method: RangeMethod::Draws,
        draws: Some(draws),
        seed: Some(opts.seed),
        p10_interval: Some(interval(0.1)),
        p90_interval: Some(interval(0.9)),
    }
}

/// `x` if `hit`, else 0, without a branch (outcomes are unpredictable).
#[inline]
fn won(x: f64, hit: bool) -> f64 {
    f64::from_bits(x.to_bits() & u64::from(hit).wrapping_neg())
}

/// SplitMix64 (Steele, Lea and Flood, 2014): the draws' random source, written out so a seed
/// gives the same draws in every version and on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_range_of_two_leads() {
        // T in {0, 100, 300, 400} with probabilities .4*.5, .6*.5, .4*.5, .6*.5
        let a = [Decimal::from(100), Decimal::from(300)];
        let r = range(&a, &[0.6, 0.5], &ForecastOptions::default(), true);
        assert_eq!(r.method, RangeMethod::Exact);
        // P(T <= 0) = 0.2 >= 0.1; P(T <= 300) = 0.7, P(T <= 400) = 1 >= 0.9
        assert_eq!((r.p10, r.p90), (0.0, 400.0));
    }

    #[test]
    fn drawn_range_brackets_the_mean_and_is_reproducible() {
        let a: Vec<Decimal> = (0..100).map(|_| Decimal::from(10)).collect();
        let p = vec![0.5; 100];
        let opts = ForecastOptions::default();
        let r = range(&a, &p, &opts, true);
        assert_eq!(r.method, RangeMethod::Draws);
        assert_eq!(r.draws, Some(MIN_DRAWS));
        // Binomial(100, 0.5) x 10: 10% point 440, 90% point 560 (to within a draw's error)
        assert!((420.0..=460.0).contains(&r.p10), "{r:?}");
        assert!((540.0..=580.0).contains(&r.p90), "{r:?}");
        let [lo, hi] = r.p10_interval.unwrap_or_default();
        assert!(lo <= r.p10 && r.p10 <= hi, "{r:?}");
        assert_eq!(range(&a, &p, &opts, false), r, "threads change nothing");
    }
}
