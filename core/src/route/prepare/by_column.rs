//! Preparing a batch a host hands over as columns, column by column: each prepared slot's
//! values for every lead, then each probe's keys (a dictionary code's key looked up once it is
//! known), then the candidate combinations (by the probes' dictionary codes where they are
//! dictionary-encoded fields). A lead's record is read from the columns only for a value no
//! column serves directly (a dictionary code's first lead).

use super::leads::LazyLead;
use super::slots::SlotEval;
use super::Preparation;
use crate::network::Scalar;
use crate::record::ColumnRows;

impl Preparation<'_> {
    /// [`Preparation::run`] for leads read from `reader`, column by column: the same keys,
    /// slot values and combinations per lead (key and combination ids may be numbered in
    /// another order, which routing does not depend on).
    pub(super) fn run_columns(
        &mut self,
        n: usize,
        rows: Option<&[usize]>,
        reader: &mut ColumnRows<'_>,
    ) {
        self.keys.grow(n, u32::MAX);
        self.combos.grow(n, u32::MAX);
        let row = |i: usize| rows.and_then(|r| r.get(i).copied()).unwrap_or(i);
        let passed: Vec<bool> = (0..n).map(|i| self.checks.passed(i)).collect();
        let width = self.slots.len();
        if width > 0 {
            self.prepared.truncate(0);
            self.prepared.grow(n, Scalar::Null);
            let values = self.prepared.values_mut();
            for (k, slot) in self.slots.iter_mut().enumerate() {
                if let SlotEval::IntRange(t) = &slot.how {
                    if let Some(ints) = reader.ints(t.field()) {
                        // (an integer column: the test on each cell)
                        if rows.is_none() && self.checks.all_passed() {
                            for (vals, x) in values.chunks_exact_mut(width).zip(ints) {
                                if let Some(v) = vals.get_mut(k) {
                                    *v = t.test_int(*x);
                                }
                            }
                            continue;
                        }
                        for (i, ok) in passed.iter().enumerate() {
                            let x = ints.get(row(i)).copied().flatten();
                            if let (true, Some(v)) = (*ok, values.get_mut(i * width + k)) {
                                *v = t.test_int(x);
                            }
                        }
                        continue;
                    }
                }
                for (i, ok) in passed.iter().enumerate() {
                    if !ok {
                        continue;
                    }
                    let v = slot.value(&mut self.net, &mut LazyLead::new(i, row(i), reader));
                    if let Some(x) = values.get_mut(i * width + k) {
                        *x = v;
                    }
                }
            }
        }
        let key_width = self.keys.width();
        let keys = self.keys.values_mut();
        for (p, probe) in self.probes.iter_mut().enumerate() {
            for (i, ok) in passed.iter().enumerate() {
                if !ok {
                    continue;
                }
                let r = row(i);
                let id = match probe.known(r) {
                    Some(id) => id,
                    None => probe.key(&mut LazyLead::new(i, r, reader), &mut self.distinct),
                };
                if let Some(x) = keys.get_mut(i * key_width + p) {
                    *x = id;
                }
            }
        }
        super::by_codes::number_by_codes(
            &mut self.rules,
            &self.probes,
            &self.keys,
            &passed,
            row,
            n.max(4_096),
            &mut self.combos,
            &mut self.combinations,
        );
        self.number(n);
    }
}
