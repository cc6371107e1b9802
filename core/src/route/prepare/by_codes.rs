//! Numbering the candidate combinations of a batch read from columns by the dictionary codes
//! of its probes' fields: for a fused rule whose one or two probes each read one
//! dictionary-encoded field, a table indexed by the fields' codes gives a lead's combination
//! with one read once a lead with the same codes has numbered it.

use super::keys::{PackedMap, ProbeKeys, RuleCombinations};
use super::{Combinations, PerLead};

/// One probe's dictionary codes and their number.
type Codes<'a> = (&'a [u32], usize);

/// Numbers the combinations of the fused rules whose probes are one or two dictionary-encoded
/// fields (at most `most` code pairs), lead by lead (`passed`: it passed its check; `row`: its
/// row in the columns), and takes their probes so that [`super::keys::number_combinations`]
/// skips them. A code pair seen first is numbered by its leads' keys, so two pairs with the
/// same keys have the same combination.
#[expect(
    clippy::too_many_arguments,
    reason = "the batch's tables, borrowed apart"
)]
pub(super) fn number_by_codes(
    rules: &mut [RuleCombinations],
    probes: &[ProbeKeys<'_>],
    keys: &PerLead<u32>,
    passed: &[bool],
    row: impl Fn(usize) -> usize,
    most: usize,
    combos: &mut PerLead<u32>,
    combinations: &mut Combinations,
) {
    let (width, keys) = (keys.width(), keys.values());
    let (rule_count, combos) = (combos.width(), combos.values_mut());
    let codes = |g: usize| -> Option<Codes<'_>> {
        let d = probes.get(g)?.dict.as_ref()?;
        Some((d.codes, d.ids.len()))
    };
    for (r, rc) in rules.iter_mut().enumerate() {
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
        let mut by_keys = PackedMap::default();
        for (i, ok) in passed.iter().enumerate() {
            if !ok {
                continue;
            }
            let at = row(i);
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
                    let mut packed = 0u64;
                    let mut complete = true;
                    for g in ps {
                        match keys.get(i * width + *g) {
                            Some(k) if *k != u32::MAX => packed = (packed << 32) | u64::from(*k),
                            _ => complete = false,
                        }
                    }
                    if !complete {
                        continue;
                    }
                    let next = u32::try_from(combinations.len()).unwrap_or(u32::MAX);
                    let found = by_keys.get_or_insert(packed, next);
                    if found == next {
                        combinations.push(
                            ps.iter()
                                .map(|g| keys.get(i * width + *g).copied().unwrap_or(u32::MAX)),
                        );
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
        rc.probes = None;
    }
}
