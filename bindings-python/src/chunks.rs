//! Big batches in chunks: while a second thread routes chunk k (core's
//! [`overlap`](leadrail_core::pipeline::overlap), without the GIL), the calling thread reads
//! chunk k + 1 from the Python objects and converts the results of chunk k - 1, so that a batch
//! takes about the longer of conversion and routing rather than their sum.
//!
//! The results, errors and state are those of routing the whole batch at once: the network's
//! write lock is held for the whole batch, chunks are routed in order, error positions are
//! counted in the whole batch, and a batch that raises leaves the network's state as it was.

use std::sync::{RwLock, RwLockWriteGuard, TryLockError};

use leadrail_core::network::Network;
use leadrail_core::pipeline::{overlap, Block, WorkerPanicked};
use leadrail_core::record::Record;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{DecisionView, Engine, RouteOptions, Times};
use leadrail_core::value::Instant;
use pyo3::prelude::*;

use crate::engine::Routed;
use crate::exceptions::from_report;
use crate::routing::{Now, Parsed};

/// Batches with fewer leads are routed in one piece on the calling thread.
pub(crate) const MIN_LEADS: usize = 32_768;

/// The smallest chunk: core resolves every distinct probe key of a chunk once (about 4,000
/// (region, product line) combinations on W1), which smaller chunks would repeat too often.
const MIN_CHUNK: usize = 16_384;

/// Chunks per batch when they are larger than [`MIN_CHUNK`]: more chunks shorten the start
/// (reading the first chunk) and the end (converting the last results), when nothing overlaps.
const CHUNKS: usize = 6;

/// The chunk length for a batch of `n` leads.
fn chunk_len(n: usize) -> usize {
    n.div_ceil(CHUNKS).max(MIN_CHUNK)
}

/// Why a chunked batch stopped.
pub(crate) enum Stop {
    /// A Python exception, raised as is.
    Py(PyErr),
    /// The network's lock is poisoned.
    Poisoned,
    /// The routing thread panicked.
    Panicked(WorkerPanicked),
    /// An error the one-piece path reports exactly as before: the caller routes the batch in
    /// one piece (the state is back to where it was), which raises it.
    Serial,
}

impl From<PyErr> for Stop {
    fn from(e: PyErr) -> Stop {
        Stop::Py(e)
    }
}

impl From<WorkerPanicked> for Stop {
    fn from(e: WorkerPanicked) -> Stop {
        Stop::Panicked(e)
    }
}

/// One chunk of parsed leads, with the instants of its good leads.
struct Job {
    rows: usize,
    good: Vec<Record>,
    bad: Vec<(usize, ErrorReport)>,
    /// Empty for one `now` for the whole batch.
    times: Vec<Instant>,
}

impl Job {
    /// The chunk of rows `at..at + parsed.rows`: the positions in its errors counted in the whole
    /// batch, and its good leads' instants.
    fn new(parsed: Parsed, at: usize, now: &Now) -> Job {
        let Parsed {
            rows,
            good,
            mut bad,
        } = parsed;
        for (i, e) in &mut bad {
            at_position(e, *i + 1, at + *i + 1);
        }
        let times = match now {
            Now::One(_) => Vec::new(),
            Now::Each(ts) => {
                let ts = ts.get(at..at + rows).unwrap_or(&[]);
                let mut skip = bad.iter().map(|(i, _)| *i).peekable();
                ts.iter()
                    .enumerate()
                    .filter(|(i, _)| skip.next_if_eq(i).is_none())
                    .map(|(_, t)| *t)
                    .collect()
            }
        };
        Job {
            rows,
            good,
            bad,
            times,
        }
    }
}

/// An error about the record at 1-based `local` position of a chunk, about position `global`
/// of the batch instead. Only errors naming a record by its position (`#n`: its id is missing or
/// unreadable) change, as `DataError::with_position` does.
fn at_position(e: &mut ErrorReport, local: usize, global: usize) {
    if local == global || e.record.as_deref() != Some(format!("#{local}").as_str()) {
        return;
    }
    let prefix = format!("record #{local}");
    if let Some(rest) = e.message.strip_prefix(&prefix) {
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            e.message = format!("record #{global}{rest}");
        }
    }
    e.record = Some(format!("#{global}"));
}

/// The network's write lock, waiting for it without the GIL (the thread that holds it may need
/// the GIL to finish); `None` if it is poisoned.
fn write_lock<'a>(
    py: Python<'_>,
    lock: &'a RwLock<Network>,
) -> Option<RwLockWriteGuard<'a, Network>> {
    loop {
        match lock.try_write() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(_)) => return None,
            Err(TryLockError::WouldBlock) => py.detach(|| {
                // wait until it is free, then try again holding the GIL
                let _free = lock.write();
            }),
        }
    }
}

/// Routes `n` leads in chunks, in order: `read(a, b)` parses rows `a..b` (positions in its
/// errors counted from `a + 1`, as for a batch of its own), a second thread routes each
/// chunk's good leads, and `emit` receives every lead's result in order. On any error the
/// network's state is put back as it was before the batch.
#[allow(clippy::too_many_arguments)]
pub(crate) fn route<'py>(
    py: Python<'py>,
    engine: &Engine,
    lock: &RwLock<Network>,
    n: usize,
    now: &Now,
    opts: &RouteOptions,
    mut read: impl FnMut(usize, usize) -> Result<Parsed, Stop>,
    mut emit: impl FnMut(Result<DecisionView<'_>, &ErrorReport>) -> PyResult<()>,
) -> Result<(), Stop> {
    let mut guard = write_lock(py, lock).ok_or(Stop::Poisoned)?;
    let before = guard.export_state();
    let step = chunk_len(n);
    let one = match now {
        Now::One(t) => Some(*t),
        Now::Each(_) => None,
    };
    let net: &mut Network = &mut guard;
    let mut at = 0usize;
    let run = overlap(
        2,
        || {
            if at >= n {
                return Ok(None);
            }
            let end = (at + step).min(n);
            let job = Job::new(read(at, end)?, at, now);
            at = end;
            Ok(Some(job))
        },
        |job: Job| {
            let batch = engine.prepare_leads(job.good);
            let times = match one {
                Some(t) => Times::At(t),
                None => Times::Each(&job.times),
            };
            let decisions = engine.route_prepared_compact(net, &batch, times, opts);
            Routed {
                rows: job.rows,
                decisions,
                bad: job.bad,
            }
        },
        |routed: Routed| {
            for r in routed.iter() {
                emit(r)?;
            }
            Ok(())
        },
        |block: &mut Block<'_>| py.detach(block),
    );
    if run.is_err() {
        guard
            .import_state(&before)
            .map_err(|e| Stop::Py(from_report(py, ErrorReport::from(e))))?;
    }
    run
}
