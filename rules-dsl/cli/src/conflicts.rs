//! `leadrail route --registry R`: each lead is checked against the registry (registrations, CRM
//! accounts and open leads, read as `leadrail register --registry` reads them) and routed as the
//! rule file's `on lead_conflict` says (core's `host::lead_conflict::assign_checked`): a lead in
//! conflict is flagged, and given to the partner that holds the account, to a review queue, or
//! to the rules. Each assignment is recorded as any `route` records it (workload, round robin;
//! no ledger of held leads), and a lead given to a partner joins the registry, for the rest of
//! the run, as an open lead of that partner, so a lead sent again later in the input conflicts
//! with it.
//!
//! The output gains the conflict: CSV columns [`COLUMNS`] (empty without a conflict), and in
//! JSON and JSON Lines a `conflict` object (core's `dealreg::Verdict`).

use std::io;
use std::path::Path;

use leadrail_core::dealreg::{Registry, Verdict};
use leadrail_core::host::lead_conflict::{assign_checked, ConflictDecision};
use leadrail_core::network::Network;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Engine, Outcome, RouteOptions};

use crate::input::Format;
use crate::register::snake;
use crate::route::{Ready, When, Writer};
use crate::tails::csv_record;

/// The CSV columns of a lead's conflict: the kind of the strongest matching record
/// (`registration`, `account` or `lead`), the rule that matched it (`domain`, `name`,
/// `postal_name`, `email`), the partner that holds the account, and the ids of every matching
/// record, strongest first, separated by `;`.
pub const COLUMNS: [&str; 4] = ["conflict", "conflict_rule", "holder", "conflict_records"];

/// Reads the registry file (as `leadrail register --registry`); `Err` is the exit code (the
/// reason printed).
pub fn load(path: &Path, format: Option<Format>) -> Result<Registry, u8> {
    let records = crate::register::read(path, "registry", format)?;
    Ok(Registry::from_records(records))
}

/// Each good lead's decision and conflict, or why the engine refused it, in order.
pub type Checked = Vec<Result<ConflictDecision, ErrorReport>>;

/// Routes a chunk's good leads in turn (on the routing thread), each checked against the
/// registry, routed and recorded.
#[expect(
    clippy::result_large_err,
    reason = "each lead's result carries the ErrorReport the output writes"
)]
pub fn route(
    engine: &Engine,
    network: &mut Network,
    registry: &mut Registry,
    ready: &Ready,
    now: &When,
    opts: &RouteOptions,
) -> Checked {
    let mut times = ready.times.iter();
    let mut at = || match now {
        When::At(t) => Some(*t),
        When::Column(_) => times.next().copied(),
    };
    ready
        .batch
        .leads()
        .iter()
        .map(|lead| match at() {
            Some(t) => assign_checked(engine, network, registry, lead, t, opts, false)
                .map_err(ErrorReport::from),
            None => Err(ErrorReport::request(
                "internal error: a lead's instant went missing",
                "report this as a bug in leadrail",
            )),
        })
        .collect()
}

/// Writes a CSV row: `head` (the columns of a decision or an error) and the conflict's
/// [`COLUMNS`].
pub fn csv_row(buf: &mut Vec<u8>, head: &[&str], conflict: Option<&Verdict>) {
    let tail = match conflict.and_then(|v| Some((v, v.conflicts.first()?))) {
        Some((v, c)) => [
            snake(&c.kind),
            snake(&c.rule),
            v.holder.clone().unwrap_or_default(),
            v.conflicts
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ],
        None => Default::default(),
    };
    let row: Vec<&str> = head
        .iter()
        .copied()
        .chain(tail.iter().map(String::as_str))
        .collect();
    csv_record(buf, &row);
}

impl Writer<'_> {
    /// Writes a chunk routed with `--registry` (on the writing thread).
    pub(crate) fn checked(&mut self, ready: Ready, checked: Checked) -> io::Result<()> {
        let records = ready.batch.leads();
        let mut leads = records.iter().zip(checked);
        for (origin, bad) in ready.rows {
            if let Some(e) = bad {
                self.counts.bad += 1;
                self.report(origin, &e.1);
                self.out.error(e.0.as_deref(), &e.1)?;
                continue;
            }
            let Some((lead, result)) = leads.next() else {
                return Err(io::Error::other("internal error: a decision went missing"));
            };
            match result {
                Ok(d) => {
                    self.counts.ok += 1;
                    if matches!(d.decision.outcome, Outcome::Partner { .. }) {
                        self.counts.routed += 1;
                    }
                    self.out
                        .checked(&lead.id, &d.decision.view(), d.conflict.as_ref())?;
                }
                Err(report) => {
                    self.counts.failed += 1;
                    self.report(origin, &report);
                    self.out.error(Some(&lead.id), &report)?;
                }
            }
        }
        let c = &self.counts;
        self.progress.done(c.ok + c.failed + c.bad);
        Ok(())
    }
}
