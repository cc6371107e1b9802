//! The yardstick: a straightforward hand-written Rust loop for the W1 rule over interned codes,
//! a (region, product line) -> partners index and a compact state array.

use rustc_hash::FxHashMap;

use crate::w1::{line_name, LeadRow, RawLead, GOLD, LINES, REGIONS, W1};

/// W1 routing by hand.
#[derive(Debug, Clone)]
pub struct Handwritten {
    /// Partners (by index, which is id order) per `region * LINES + line`.
    index: Vec<Vec<u32>>,
    gold: Vec<bool>,
    capacity: Vec<i64>,
    acc: Vec<f64>,
    conv: Vec<f64>,
    /// Mutable state.
    active: Vec<i64>,
    last: Vec<i64>,
    seq: Vec<u64>,
    next_seq: u64,
    /// Region code -> region index, for leads given as strings.
    regions: FxHashMap<&'static str, u16>,
    /// Product line name -> line index, for leads given as strings.
    lines: FxHashMap<String, u8>,
}

impl Handwritten {
    /// Builds the index and state from W1's partners.
    pub fn new(w: &W1) -> Handwritten {
        let mut index = vec![Vec::new(); crate::w1::REGIONS.len() * LINES];
        for (i, p) in w.partners.iter().enumerate() {
            for r in &p.territories {
                for c in &p.certifications {
                    if let Some(v) = index.get_mut(usize::from(*r) * LINES + usize::from(*c)) {
                        v.push(i as u32);
                    }
                }
            }
        }
        Handwritten {
            index,
            gold: w.partners.iter().map(|p| p.tier == GOLD).collect(),
            capacity: w.partners.iter().map(|p| p.capacity).collect(),
            acc: w.partners.iter().map(|p| p.acceptance_rate).collect(),
            conv: w.partners.iter().map(|p| p.conversion_rate).collect(),
            active: w.partners.iter().map(|p| p.active_leads).collect(),
            last: w.partners.iter().map(|p| p.last_assigned_at).collect(),
            seq: vec![0; w.partners.len()],
            next_seq: 0,
            regions: REGIONS
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((*r, u16::try_from(i).ok()?)))
                .collect(),
            lines: (0..LINES)
                .filter_map(|i| Some((line_name(i), u8::try_from(i).ok()?)))
                .collect(),
        }
    }

    /// Routes one lead at `now`, applying the assignment; returns the partner index.
    #[inline]
    pub fn route(&mut self, l: &RawLead, now: i64) -> Option<u32> {
        let cands = self
            .index
            .get(usize::from(l.region) * LINES + usize::from(l.line))?;
        let small = l.deal_size < 100_000;
        let mut best: Option<(u32, f64, i64, u64)> = None;
        for &p in cands {
            let i = p as usize;
            let (Some(&a), Some(&c), Some(&g)) =
                (self.active.get(i), self.capacity.get(i), self.gold.get(i))
            else {
                continue;
            };
            if a >= c || !(small || g) {
                continue;
            }
            let (Some(&acc), Some(&conv), Some(&last), Some(&seq)) = (
                self.acc.get(i),
                self.conv.get(i),
                self.last.get(i),
                self.seq.get(i),
            ) else {
                continue;
            };
            let score = 0.5 * acc + 0.3 * conv + 0.2 * (1.0 - a as f64 / c as f64);
            let better = match best {
                None => true,
                Some((bp, bs, bl, bq)) => {
                    score > bs || (score == bs && (last, seq, p) < (bl, bq, bp))
                }
            };
            if better {
                best = Some((p, score, last, seq));
            }
        }
        let (p, ..) = best?;
        let i = p as usize;
        self.next_seq += 1;
        if let Some(x) = self.active.get_mut(i) {
            *x += 1;
        }
        if let Some(x) = self.last.get_mut(i) {
            *x = now;
        }
        if let Some(x) = self.seq.get_mut(i) {
            *x = self.next_seq;
        }
        Some(p)
    }

    /// Routes all leads given as strings in order, one `step` apart from `start`, resolving
    /// each lead's region and product line inside the loop (hash lookups), as a host that holds
    /// string rows pays for them: the second yardstick, beside [`Handwritten::route_all`] over
    /// pre-resolved codes. A lead whose strings are unknown finds no partner.
    pub fn route_rows(&mut self, rows: &[LeadRow], start: i64, step: i64) -> Vec<Option<u32>> {
        rows.iter()
            .enumerate()
            .map(|(i, row)| {
                let region = *self.regions.get(row.region.as_str())?;
                let line = *self.lines.get(row.product_line.as_str())?;
                let lead = RawLead {
                    region,
                    line,
                    deal_size: row.deal_size,
                };
                self.route(&lead, start + i as i64 * step)
            })
            .collect()
    }

    /// Routes all leads in order, one `step` apart from `start`.
    pub fn route_all(&mut self, leads: &[RawLead], start: i64, step: i64) -> Vec<Option<u32>> {
        leads
            .iter()
            .enumerate()
            .map(|(i, l)| self.route(l, start + i as i64 * step))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use leadrail_core::network::Network;
    use leadrail_core::route::{Engine, Outcome, RouteOptions, Times};

    use super::*;
    use crate::w1::{partner_id, START, STEP};

    #[test]
    fn engine_and_handwritten_loop_agree_on_w1() {
        let w = W1::generate(1, 1_000, 100_000);
        let engine = Engine::new(Arc::new(W1::plan())).unwrap();
        let mut net = Network::new(&W1::partner_schema(), w.partner_records()).unwrap();
        let batch = engine.prepare_leads(w.lead_records());
        let times = Times::Step {
            start: START,
            step: STEP,
        };
        let mut net2 = net.clone();
        let got = engine.route_prepared(&mut net, &batch, times, &RouteOptions::default());
        let compact =
            engine.route_prepared_compact(&mut net2, &batch, times, &RouteOptions::default());
        let want = Handwritten::new(&w).route_all(&w.leads, START, STEP);
        let by_rows = Handwritten::new(&w).route_rows(&w.lead_rows(), START, STEP);
        assert_eq!(
            by_rows, want,
            "the string yardstick routes as the coded one"
        );
        let mut routed = 0;
        for (i, (g, h)) in got.iter().zip(&want).enumerate() {
            let g = match &g.as_ref().unwrap().outcome {
                Outcome::Partner { id } => Some(id.to_string()),
                _ => None,
            };
            assert_eq!(g, h.map(|p| partner_id(p as usize)), "lead {i}");
            assert_eq!(compact.partner(i).map(str::to_string), g, "lead {i}");
            routed += usize::from(h.is_some());
        }
        // BENCH.md: about half the leads find a partner
        assert!((30_000..70_000).contains(&routed), "{routed}");
    }
}
