//! Numbering the candidate combinations of a batch read from columns by the dictionary codes
//! of its probes' fields: for a fused rule whose one or two probes each read one
//! dictionary-encoded field, a table indexed by the fields' codes gives a lead's combination
//! with one read once a lead with the same codes has numbered it.

use super::keys::{CombinationTable, ProbeKeys, RuleCombinations};
use super::leads::LazyLead;
use super::{Combinations, DistinctKey, PerLead};
use crate::record::ColumnRows;

/// One probe's dictionary codes and their number.
type Codes<'a> = (&'a [u32], usize);

/// What [`number_by_codes`] reads and interns into: the probes (their keys per dictionary
/// code are filled in as codes are first seen), the batch's distinct keys and the columns.
pub(super) struct Interning<'p, 'a, 'r> {
    pub(super) probes: &'p mut [ProbeKeys<'a>],
    pub(super) distinct: &'p mut Vec<DistinctKey>,
    pub(super) reader: &'p mut ColumnRows<'r>,
}

/// Numbers the combinations of the fused rules whose probes are one or two dictionary-encoded
/// fields (at most `most` code pairs), lead by lead (`leads`: `(lead, row in the columns)` of
/// the leads that passed their check, in lead order), and takes their probes so that
/// [`super::keys::number_combinations`] skips them. A code pair seen first is numbered by its
/// codes' keys (interned then, if new), so two pairs with the same keys have the same
/// combination (and as in earlier chunks of the batch). Returns, per probe, whether its key was interned for every lead's code (it is
/// a probe of a rule numbered here).
pub(super) fn number_by_codes(
    rules: &mut [RuleCombinations],
    int: Interning<'_, '_, '_>,
    leads: impl Iterator<Item = (usize, usize)> + Clone,
    most: usize,
    combos: &mut PerLead<u32>,
    combinations: &mut Combinations,
) -> Vec<bool> {
    let Interning {
        probes,
        distinct,
        reader,
    } = int;
    let mut interned = vec![false; probes.len()];
    let (rule_count, combos) = (combos.width(), combos.values_mut());
    for (r, rc) in rules.iter_mut().enumerate() {
        let codes = |g: usize| -> Option<Codes<'_>> {
            let d = probes.get(g)?.dict.as_ref()?;
            Some((d.codes, d.ids.len()))
        };
        let Some(ps) = rc.probes.as_deref() else {
            continue;
        };
        let (a, b) = match ps {
            [g] => match codes(*g) {
                Some(a) => (a, (&[][..], 1)),
                None => continue,
            },
            [g, h] => match (codes(*g), codes(*h)) {
                (Some(a), Some(b)) => (a, b),
                _ => continue,
            },
            _ => continue,
        };
        let total = match a.1.checked_mul(b.1) {
            Some(t) if t <= most => t,
            _ => continue,
        };
        let single = ps.len() == 1;
        let mut by_codes = vec![u32::MAX; total];
        // (the rule's combinations numbered so far, in earlier chunks of the batch too)
        let CombinationTable::Packed(by_keys) = &mut rc.seen else {
            continue;
        };
        for (i, at) in leads.clone() {
            let slot = match (a.0.get(at), single, b.0.get(at)) {
                (Some(x), true, _) if (*x as usize) < a.1 => by_codes.get_mut(*x as usize),
                (Some(x), false, Some(y)) if (*x as usize) < a.1 && (*y as usize) < b.1 => {
                    by_codes.get_mut(*x as usize * b.1 + *y as usize)
                }
                _ => None,
            };
            let found = match slot {
                Some(c) if *c != u32::MAX => *c,
                slot => {
                    // the lead's keys (its codes' keys, interned on first sight)
                    let mut keys = [u32::MAX; 2];
                    for (g, k) in ps.iter().zip(&mut keys) {
                        if let Some(probe) = probes.get_mut(*g) {
                            *k = match probe.known(at) {
                                Some(id) => id,
                                None => probe.key(&mut LazyLead::new(i, at, reader), distinct),
                            };
                        }
                    }
                    let keys = keys.get(..ps.len()).unwrap_or(&[]);
                    if keys.contains(&u32::MAX) {
                        continue;
                    }
                    let packed = keys.iter().fold(0u64, |p, k| (p << 32) | u64::from(*k));
                    let next = u32::try_from(combinations.len()).unwrap_or(u32::MAX);
                    let found = by_keys.get_or_insert(packed, next);
                    if found == next {
                        combinations.push(keys.iter().copied());
                    }
                    if let Some(c) = slot {
                        *c = found;
                    }
                    found
                }
            };
            if let Some(c) = combos.get_mut(i * rule_count + r) {
                *c = found;
            }
        }
        for g in ps {
            if let Some(x) = interned.get_mut(*g) {
                *x = true;
            }
        }
        rc.probes = None;
    }
    interned
}
