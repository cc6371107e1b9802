//! The prepared slot values of a batch ([`SlotTable`]): a byte per value while every value is a
//! truth value or null (what a range test such as `lead.deal_size >= 50000` gives, the common
//! prepared slot), [`Scalar`]s from the first other value on. A byte instead of a 24-byte
//! scalar per lead and slot keeps a batch's largest table out of the allocator's way (100,000
//! leads: 0.1 MB instead of 2.4 MB).

use super::PerLead;
use crate::network::Scalar;

const FALSE: u8 = 0;
const TRUE: u8 = 1;
const NULL: u8 = 2;

/// A truth value or null as a byte (`None` for any other value).
#[inline]
fn byte(v: Scalar) -> Option<u8> {
    match v {
        Scalar::Bool(false) => Some(FALSE),
        Scalar::Bool(true) => Some(TRUE),
        Scalar::Null => Some(NULL),
        _ => None,
    }
}

/// The value of a byte.
#[inline]
fn scalar(b: u8) -> Scalar {
    match b {
        FALSE => Scalar::Bool(false),
        TRUE => Scalar::Bool(true),
        _ => Scalar::Null,
    }
}

/// Per lead, the values of every rule's prepared slots in rule order
/// ([`crate::route::rule::LeadSlots::prepared`]).
#[derive(Debug, Clone)]
pub(crate) enum SlotTable {
    /// Every value so far a truth value or null.
    Truths(PerLead<u8>),
    /// Any values.
    Scalars(PerLead<Scalar>),
}

/// One lead's values of one rule's prepared slots.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SlotValues<'a> {
    Truths(&'a [u8]),
    Scalars(&'a [Scalar]),
}

impl SlotValues<'_> {
    /// Value `at` (`None` past the end).
    #[inline]
    pub(crate) fn get(&self, at: usize) -> Option<Scalar> {
        match self {
            SlotValues::Truths(t) => t.get(at).map(|b| scalar(*b)),
            SlotValues::Scalars(s) => s.get(at).copied(),
        }
    }

    /// Whether value `at` is `true`.
    #[inline]
    pub(crate) fn is_true(&self, at: usize) -> bool {
        match self {
            SlotValues::Truths(t) => t.get(at) == Some(&TRUE),
            SlotValues::Scalars(s) => matches!(s.get(at), Some(Scalar::Bool(true))),
        }
    }
}

impl SlotTable {
    /// No rows yet, room for `rows` of `width` values.
    pub(super) fn with_capacity(rows: usize, width: usize) -> SlotTable {
        SlotTable::Truths(PerLead::with_capacity(rows, width))
    }

    /// The values per lead.
    pub(crate) fn width(&self) -> usize {
        match self {
            SlotTable::Truths(t) => t.width(),
            SlotTable::Scalars(s) => s.width(),
        }
    }

    /// Values `range` of lead `i` (`None` past the row's end).
    #[inline]
    pub(crate) fn part(&self, i: usize, range: std::ops::Range<usize>) -> Option<SlotValues<'_>> {
        match self {
            SlotTable::Truths(t) => t.part(i, range).map(SlotValues::Truths),
            SlotTable::Scalars(s) => s.part(i, range).map(SlotValues::Scalars),
        }
    }

    /// The table as scalars (converted on the first value that is not a truth value).
    fn scalars(&mut self) -> Option<&mut PerLead<Scalar>> {
        if let SlotTable::Truths(t) = self {
            let mut values = Vec::with_capacity(t.values.capacity());
            values.extend(t.values.iter().map(|b| scalar(*b)));
            *self = SlotTable::Scalars(PerLead {
                width: t.width,
                values,
            });
        }
        match self {
            SlotTable::Scalars(s) => Some(s),
            SlotTable::Truths(_) => None,
        }
    }

    /// Appends a value (lead by lead, slot by slot).
    #[inline]
    pub(super) fn push(&mut self, v: Scalar) {
        if let SlotTable::Truths(t) = self {
            if let Some(b) = byte(v) {
                t.push(b);
                return;
            }
        }
        if let Some(s) = self.scalars() {
            s.push(v);
        }
    }

    /// Room for `rows` more rows.
    pub(super) fn reserve(&mut self, rows: usize) {
        match self {
            SlotTable::Truths(t) => t.reserve(rows),
            SlotTable::Scalars(s) => s.reserve(rows),
        }
    }

    /// Makes the table `rows` rows of nulls.
    pub(super) fn reset(&mut self, rows: usize) {
        match self {
            SlotTable::Truths(t) => {
                t.truncate(0);
                t.grow(rows, NULL);
            }
            SlotTable::Scalars(s) => {
                s.truncate(0);
                s.grow(rows, Scalar::Null);
            }
        }
    }

    /// Sets value `k` of lead `i` (nothing past the table's end).
    #[inline]
    pub(super) fn set(&mut self, i: usize, k: usize, v: Scalar) {
        let at = i * self.width() + k;
        if let SlotTable::Truths(t) = self {
            if let Some(b) = byte(v) {
                if let Some(x) = t.values.get_mut(at) {
                    *x = b;
                }
                return;
            }
        }
        if let Some(x) = self.scalars().and_then(|s| s.values.get_mut(at)) {
            *x = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_values_stay_bytes_and_others_turn_the_table_to_scalars() {
        let mut t = SlotTable::with_capacity(3, 2);
        for v in [
            Scalar::Bool(true),
            Scalar::Null,
            Scalar::Bool(false),
            Scalar::Bool(true),
        ] {
            t.push(v);
        }
        assert!(matches!(t, SlotTable::Truths(_)));
        let row = t.part(1, 0..2).expect("row 1");
        assert_eq!(row.get(0), Some(Scalar::Bool(false)));
        assert!(row.is_true(1) && !row.is_true(0));
        assert_eq!(t.part(0, 0..2).and_then(|r| r.get(1)), Some(Scalar::Null));
        t.push(Scalar::Int(7));
        t.push(Scalar::Bool(false));
        assert!(matches!(t, SlotTable::Scalars(_)));
        // the values before the conversion are kept
        let all: Vec<Option<Scalar>> = (0..3)
            .flat_map(|i| {
                let row = t.part(i, 0..2);
                (0..2).map(move |k| row.and_then(|r| r.get(k)))
            })
            .collect();
        use Scalar::*;
        assert_eq!(
            all,
            [
                Some(Bool(true)),
                Some(Null),
                Some(Bool(false)),
                Some(Bool(true)),
                Some(Int(7)),
                Some(Bool(false))
            ]
        );
        assert!(t.part(3, 0..2).is_none());
    }

    #[test]
    fn set_writes_in_place_and_converts_on_other_values() {
        let mut t = SlotTable::with_capacity(0, 2);
        t.reset(2);
        t.set(1, 0, Scalar::Bool(true));
        assert!(matches!(t, SlotTable::Truths(_)));
        assert_eq!(
            t.part(1, 0..1).and_then(|r| r.get(0)),
            Some(Scalar::Bool(true))
        );
        assert_eq!(t.part(0, 0..2).and_then(|r| r.get(1)), Some(Scalar::Null));
        t.set(0, 1, Scalar::Int(3));
        assert!(matches!(t, SlotTable::Scalars(_)));
        assert_eq!(t.part(0, 1..2).and_then(|r| r.get(0)), Some(Scalar::Int(3)));
        assert_eq!(
            t.part(1, 0..1).and_then(|r| r.get(0)),
            Some(Scalar::Bool(true))
        );
        t.reset(1);
        assert_eq!(t.part(0, 0..2).and_then(|r| r.get(1)), Some(Scalar::Null));
        assert!(t.part(1, 0..2).is_none());
    }
}
