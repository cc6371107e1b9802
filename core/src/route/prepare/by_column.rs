//! Preparing a batch a host hands over as columns, column by column: each prepared slot's
//! values for every lead, then each probe's keys (a dictionary code's key looked up once it is
//! known), then the candidate combinations (by the probes' dictionary codes where they are
//! dictionary-encoded fields). A lead's record is read from the columns only for a value no
//! column serves directly (a dictionary code's first lead).

use super::leads::LazyLead;
use super::slots::SlotEval;
use super::Preparation;
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
        if rows.is_none() && self.checks.all_passed() {
            // (the common case: lead `i` is row `i`, and every lead passed its check)
            self.fill_columns(n, reader, (0..n).map(|i| (i, i)));
        } else {
            let row = |i: usize| rows.and_then(|r| r.get(i).copied()).unwrap_or(i);
            let checks = &self.checks;
            let leads: Vec<(usize, usize)> = (0..n)
                .filter(|i| checks.passed(*i))
                .map(|i| (i, row(i)))
                .collect();
            self.fill_columns(n, reader, leads.iter().copied());
        }
        self.number(n);
    }

    /// The slot values, (by dictionary codes) combinations and keys of `leads`, the leads
    /// that passed their check as `(lead, row)` in lead order, out of `n`: the keys per lead
    /// only of the probes whose keys are not read from the codes (see [`LeadBatch::key_row`]).
    #[inline(always)]
    fn fill_columns(
        &mut self,
        n: usize,
        reader: &mut ColumnRows<'_>,
        leads: impl Iterator<Item = (usize, usize)> + Clone,
    ) {
        self.combos.grow(n, u32::MAX);
        let width = self.slots.len();
        if width > 0 {
            self.prepared.reset(n);
            let values = &mut self.prepared;
            for (k, slot) in self.slots.iter_mut().enumerate() {
                if let SlotEval::IntRange(t) = &slot.how {
                    if let Some(ints) = reader.ints(t.field()) {
                        // (an integer column: the test on each cell)
                        for (i, r) in leads.clone() {
                            let x = ints.get(r).copied().flatten();
                            values.set(i, k, t.test_int(x));
                        }
                        continue;
                    }
                }
                for (i, r) in leads.clone() {
                    let v = slot.value(&mut self.net, &mut LazyLead::new(i, r, reader));
                    values.set(i, k, v);
                }
            }
        }
        let interned = super::by_codes::number_by_codes(
            &mut self.rules,
            super::by_codes::Interning {
                probes: &mut self.probes,
                distinct: &mut self.distinct,
                reader,
            },
            leads.clone(),
            n.max(4_096),
            &mut self.combos,
            &mut self.combinations,
        );
        // the probes whose keys routing reads from the dictionary codes (interned for every
        // lead's code, and no rule numbers combinations by keys per lead from them)
        let rules = &self.rules;
        self.coded = (0..self.probes.len())
            .filter(|p| {
                interned.get(*p) == Some(&true)
                    && !rules
                        .iter()
                        .any(|rc| rc.probes.as_deref().is_some_and(|ps| ps.contains(p)))
            })
            .collect();
        if self.coded.len() == self.probes.len() {
            return;
        }
        self.keys.grow(n, u32::MAX);
        let key_width = self.keys.width();
        let keys = self.keys.values_mut();
        for (p, probe) in self.probes.iter_mut().enumerate() {
            if self.coded.contains(&p) {
                continue;
            }
            for (i, r) in leads.clone() {
                let id = match probe.known(r) {
                    Some(id) => id,
                    None => probe.key(&mut LazyLead::new(i, r, reader), &mut self.distinct),
                };
                if let Some(x) = keys.get_mut(i * key_width + p) {
                    *x = id;
                }
            }
        }
    }
}
