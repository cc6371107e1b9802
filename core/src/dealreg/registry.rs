//! The registry: registrations, CRM accounts and open leads, indexed for the check.
//!
//! The index blocks on normalised name words (each word's key, the keys of adjacent words
//! joined, and for keys of 7 letters or more their first and last halves with the length,
//! one of which every one-edit variant shares), the whole name without spaces, the company
//! domain, the contact e-mail and the postal key. A check looks up the domain, e-mail, postal and
//! whole-name postings, then the postings of the deal's rarest words until the words left
//! unprobed could not reach `name_threshold` on their own (with `u` words left and probed weight
//! `W`, no name sharing none of the probed words scores above `2u / (W + 2u)`); every candidate
//! is then compared in full. The result equals a scan of every record
//! ([`Registry::check_exhaustive`], tested), with one exception: a one-edit key (a word half
//! and a length) shared by more than [`FUZZY_CAP`] records is not probed, so a typo in a word
//! whose intact half is that common ("Serfing" for "Surfing": `ing`, 7 letters) is found only
//! through another word, the domain, the e-mail or the postal code. Records are added, replaced, removed and expired
//! one at a time, without rebuilding: a removed record's slot is left dead in the postings.

use std::collections::BTreeSet;
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::check::{counts_against, match_record, verdict, Probe, Verdict};
use super::registration::{Policy, RecordKind, Registration, Status};
use crate::value::EpochMs;

/// Minimum key length for one-edit matching (as in [`super::names::word_similarity`]).
const FUZZY_MIN: usize = 7;

/// One-edit keys with more records than this are not probed (see the module docs).
pub const FUZZY_CAP: usize = 64;

#[derive(Debug, Clone, Copy)]
enum Tag {
    Word,
    Fuzzy,
    Compact,
    Domain,
    Email,
    Postal,
}

fn key(tag: Tag, s: &str, len: usize) -> u64 {
    FxBuildHasher.hash_one((tag as u8, s, len))
}

/// The exact keys of a name's units (word keys and adjacent pairs joined).
fn unit_keys(p: &Probe) -> Vec<String> {
    let mut out: Vec<String> = p.name.keys().to_vec();
    for w in p.name.words().windows(2) {
        if let [a, b] = w {
            out.push(super::names::stem(&format!("{a}{b}")).to_owned());
        }
    }
    out
}

/// The one-edit keys of `k` for words of each length in `lens`: a word of length `l` keeps
/// either its first `(l - 1) / 2` letters or its last `l - 1 - (l - 1) / 2` letters through one
/// edit (a substitution, insertion, deletion or transposition touches at most two adjacent
/// letters), so two words within one edit share the key of the one of length `l`.
fn fuzzy_keys(k: &str, lens: &[usize]) -> Vec<u64> {
    let mut out = Vec::new();
    if k.len() < FUZZY_MIN || !k.is_ascii() {
        return out;
    }
    for &l in lens {
        if l < FUZZY_MIN {
            continue;
        }
        let pre = (l - 1) / 2;
        let suf = l - 1 - pre;
        if let Some(p) = k.get(..pre) {
            out.push(key(Tag::Fuzzy, &format!("<{p}"), l));
        }
        if let Some(s) = k.len().checked_sub(suf).and_then(|i| k.get(i..)) {
            out.push(key(Tag::Fuzzy, &format!(">{s}"), l));
        }
    }
    out
}

/// Every index key of a record.
fn record_keys(p: &Probe) -> Vec<u64> {
    let mut out = Vec::new();
    for k in unit_keys(p) {
        out.push(key(Tag::Word, &k, 0));
        out.extend(fuzzy_keys(&k, &[k.len()]));
    }
    out.push(key(Tag::Compact, &p.name.compact(), 0));
    if let Some(d) = &p.domain {
        out.push(key(Tag::Domain, d, 0));
    }
    if let Some(e) = &p.email {
        out.push(key(Tag::Email, e, 0));
    }
    if let Some(z) = &p.postal {
        out.push(key(Tag::Postal, z, 0));
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[derive(Debug, Clone)]
struct Slot {
    rec: Registration,
    probe: Probe,
    live: bool,
}

/// Registrations, CRM accounts and open leads, indexed for [`Registry::check`].
#[derive(Debug, Clone, Default)]
pub struct Registry {
    slots: Vec<Slot>,
    by_id: FxHashMap<String, u32>,
    postings: FxHashMap<u64, Vec<u32>>,
    expiry: BTreeSet<(EpochMs, u32)>,
    live: usize,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry of `records` (a later record replaces an earlier one of the same id).
    pub fn from_records(records: impl IntoIterator<Item = Registration>) -> Self {
        let mut r = Self::new();
        for rec in records {
            r.insert(rec);
        }
        r
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The record of `id`.
    pub fn get(&self, id: &str) -> Option<&Registration> {
        let slot = self.slots.get(*self.by_id.get(id)? as usize)?;
        slot.live.then_some(&slot.rec)
    }

    /// Every record, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &Registration> {
        self.slots.iter().filter(|s| s.live).map(|s| &s.rec)
    }

    /// Adds a record, or replaces the record of the same id (returned).
    pub fn insert(&mut self, rec: Registration) -> Option<Registration> {
        let old = self.remove(&rec.id);
        let probe = Probe::new(&rec);
        let Ok(slot) = u32::try_from(self.slots.len()) else {
            return old;
        };
        for k in record_keys(&probe) {
            self.postings.entry(k).or_default().push(slot);
        }
        if let (Status::Approved, RecordKind::Registration, Some(t)) =
            (rec.status, rec.kind, rec.protected_until)
        {
            self.expiry.insert((t, slot));
        }
        self.by_id.insert(rec.id.clone(), slot);
        self.slots.push(Slot {
            rec,
            probe,
            live: true,
        });
        self.live += 1;
        old
    }

    /// Removes the record of `id` (its postings keep a dead slot).
    pub fn remove(&mut self, id: &str) -> Option<Registration> {
        let slot = self.by_id.remove(id)?;
        let s = self.slots.get_mut(slot as usize)?;
        s.live = false;
        self.live -= 1;
        if let Some(t) = s.rec.protected_until {
            self.expiry.remove(&(t, slot));
        }
        Some(s.rec.clone())
    }

    /// Marks expired every approved registration whose protection ended at `now`; returns their
    /// ids, earliest end first.
    pub fn expire_due(&mut self, now: EpochMs) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(&(t, slot)) = self.expiry.first() {
            if t > now {
                break;
            }
            self.expiry.pop_first();
            if let Some(s) = self.slots.get_mut(slot as usize) {
                if s.live && s.rec.expire(now) {
                    out.push(s.rec.id.clone());
                }
            }
        }
        out
    }

    fn posting(&self, k: u64) -> &[u32] {
        self.postings.get(&k).map_or(&[], Vec::as_slice)
    }

    /// The slots worth comparing with `probe` (see the module docs).
    fn candidates(&self, probe: &Probe, policy: &Policy) -> Vec<u32> {
        if policy.name_threshold <= 0.0 || policy.postal_name_threshold <= 0.0 {
            return (0..self.slots.len())
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
        }
        let mut out: Vec<u32> = Vec::new();
        out.extend_from_slice(self.posting(key(Tag::Compact, &probe.name.compact(), 0)));
        if let Some(d) = &probe.domain {
            out.extend_from_slice(self.posting(key(Tag::Domain, d, 0)));
        }
        if let Some(e) = &probe.email {
            out.extend_from_slice(self.posting(key(Tag::Email, e, 0)));
        }
        if let Some(z) = &probe.postal {
            out.extend_from_slice(self.posting(key(Tag::Postal, z, 0)));
        }
        // per word: its keys (the word's, the pairs it is in, their one-edit keys)
        let keys = probe.name.keys();
        let words = probe.name.words();
        let mut per_word: Vec<(usize, f64, Vec<u64>)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let mut units = vec![k.clone()];
                if let (Some(a), Some(b)) =
                    (i.checked_sub(1).and_then(|j| words.get(j)), words.get(i))
                {
                    units.push(super::names::stem(&format!("{a}{b}")).to_owned());
                }
                if let (Some(a), Some(b)) = (words.get(i), words.get(i + 1)) {
                    units.push(super::names::stem(&format!("{a}{b}")).to_owned());
                }
                let mut ks = Vec::new();
                for u in &units {
                    ks.push(key(Tag::Word, u, 0));
                    let l = u.len();
                    // one-edit keys, unless a key is so common that it would not narrow the
                    // search (a half such as "ing" of length 7)
                    ks.extend(
                        fuzzy_keys(u, &[l.saturating_sub(1), l, l + 1])
                            .into_iter()
                            .filter(|k| self.posting(*k).len() <= FUZZY_CAP),
                    );
                }
                let cost = ks.iter().map(|k| self.posting(*k).len()).sum::<usize>();
                (cost, super::names::word_weight(k), ks)
            })
            .collect();
        per_word.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut probed_weight = 0.0;
        let mut left = per_word.len();
        for (_, w, ks) in &per_word {
            let u = left as f64;
            if left == 0 || 2.0 * u / (probed_weight + 2.0 * u) < policy.name_threshold {
                break;
            }
            for k in ks {
                out.extend_from_slice(self.posting(*k));
            }
            probed_weight += w;
            left -= 1;
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn check_slots(
        &self,
        deal: &Registration,
        probe: &Probe,
        slots: impl Iterator<Item = u32>,
        now: EpochMs,
        policy: &Policy,
    ) -> Verdict {
        let conflicts = slots
            .filter_map(|i| self.slots.get(i as usize))
            .filter(|s| s.live && counts_against(&s.rec, &deal.id, &deal.partner, now, policy))
            .filter_map(|s| match_record(probe, &s.rec, &s.probe, now, policy))
            .collect();
        verdict(deal, probe, conflicts)
    }

    /// Checks a deal (or a lead) against the registry at `now`: the other partners' active
    /// records that match by a rule of `policy`, and the outcome they decide.
    pub fn check(&self, deal: &Registration, now: EpochMs, policy: &Policy) -> Verdict {
        let probe = Probe::new(deal);
        let slots = self.candidates(&probe, policy);
        self.check_slots(deal, &probe, slots.into_iter(), now, policy)
    }

    /// [`Registry::check`] by a scan of every record, without the index (the reference the
    /// index is tested against).
    pub fn check_exhaustive(&self, deal: &Registration, now: EpochMs, policy: &Policy) -> Verdict {
        let probe = Probe::new(deal);
        let n = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.check_slots(deal, &probe, 0..n, now, policy)
    }

    /// Checks every deal against the registry (not against each other), in parallel on
    /// rayon's pool; one verdict per deal, in order, whatever the thread count.
    pub fn check_batch(
        &self,
        deals: &[Registration],
        now: EpochMs,
        policy: &Policy,
    ) -> Vec<Verdict> {
        if deals.len() < 64 {
            return deals.iter().map(|d| self.check(d, now, policy)).collect();
        }
        deals
            .par_iter()
            .map(|d| self.check(d, now, policy))
            .collect()
    }

    /// Checks a deal and records it: approved and protected on `auto_approve`, pending on
    /// `review`, rejected on `reject`.
    pub fn submit(&mut self, mut deal: Registration, now: EpochMs, policy: &Policy) -> Verdict {
        let v = self.check(&deal, now, policy);
        match v.outcome {
            super::check::Outcome::AutoApprove => deal.approve(now, policy),
            super::check::Outcome::Review => deal.status = Status::Pending,
            super::check::Outcome::Reject => deal.status = Status::Rejected,
        }
        self.insert(deal);
        v
    }
}
