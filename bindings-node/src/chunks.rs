//! Big batches in chunks: while a second thread parses, prepares and routes chunk k (core's
//! [`overlap`](leadrail_core::pipeline::overlap)), the JavaScript thread encodes chunk k + 1
//! (the wrapper's encoder) and builds the result objects of chunk k - 1, so that a batch takes
//! about the longer of the JavaScript work and the routing rather than their sum.
//!
//! The results, errors and state are those of routing the whole batch at once: the network's
//! write lock is held for the whole batch, chunks are routed in order, error positions are
//! counted in the whole batch, and a batch that throws leaves the network's state as it was.
//! While the batch runs, JavaScript it calls (a getter of a lead, a Proxy) cannot use the
//! network: its methods throw a `leadrail::request::busy` error (see [`Busy`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{RwLock, RwLockWriteGuard};

use leadrail_core::network::Network;
use leadrail_core::pipeline::{overlap, Block, WorkerPanicked};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Engine, RouteOptions};
use leadrail_core::schema::Schema;

use crate::encoded::{Compact, Leads};
use crate::routing::Now;

/// Batches with fewer leads are routed in one piece.
pub(crate) const MIN_LEADS: usize = 32_768;

/// The smallest chunk: core resolves every distinct probe key of a chunk once (about 4,000
/// (region, product line) combinations on W1, some 0.5 to 1 ms per chunk), which smaller chunks
/// would repeat too often; at the threshold ([`MIN_LEADS`]) a batch still has 4 chunks.
const MIN_CHUNK: usize = 8_192;

/// Chunks per batch when they are larger than [`MIN_CHUNK`]: more chunks shorten the start
/// (encoding the first chunk) and the end (building the last results), when nothing overlaps,
/// but each costs the probe keys again. On W1 (100,000 leads, `routeBatch` with and without
/// `asColumns`, medians of 15 interleaved runs in one process), 6 chunks were as fast as 3 to 8
/// and 5 to 15% faster than 12.
const CHUNKS: usize = 6;

/// The chunk length for a batch of `n` leads.
fn chunk_len(n: usize) -> usize {
    n.div_ceil(CHUNKS).max(MIN_CHUNK)
}

/// Why a chunked batch stopped.
pub(crate) enum Stop {
    /// A JavaScript exception (of the encoder or of `emit`) or a failure of N-API, thrown as
    /// is.
    Js(napi::Error),
    /// The routing thread panicked.
    Panicked(WorkerPanicked),
    /// The state before the batch could not be restored.
    Report(ErrorReport),
    /// The network's lock is poisoned, or a chunk is not as the wrapper's encoder makes them
    /// (the addon's methods called other than through index.js): the caller routes the batch in
    /// one piece (the state is back to where it was), which throws what it always threw.
    Serial,
}

impl From<napi::Error> for Stop {
    fn from(e: napi::Error) -> Stop {
        Stop::Js(e)
    }
}

impl From<WorkerPanicked> for Stop {
    fn from(e: WorkerPanicked) -> Stop {
        Stop::Panicked(e)
    }
}

/// A network's flag "routing a batch on the JavaScript thread": set while a chunked batch holds
/// the network's write lock and runs JavaScript (the encoder, `emit`), during which the
/// network's other methods, if that JavaScript calls them, must throw rather than wait for the
/// lock (which would never be released).
#[derive(Default)]
pub(crate) struct Busy(AtomicBool);

impl Busy {
    /// Whether a batch is being routed.
    pub(crate) fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// Sets the flag until the returned guard is dropped.
    fn hold(&self) -> BusyGuard<'_> {
        self.0.store(true, Ordering::Release);
        BusyGuard(&self.0)
    }
}

/// Clears a [`Busy`] flag when dropped (also when unwinding).
struct BusyGuard<'a>(&'a AtomicBool);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// The report of a call made while its network is busy routing a batch on this thread.
pub(crate) fn busy() -> ErrorReport {
    ErrorReport {
        code: leadrail_core::report::codes::REQUEST_BUSY.to_owned(),
        ..leadrail_core::api::request_error(
            "the network is routing a batch: code that batch runs (a getter or Proxy of a lead) \
             cannot use the network"
                .into(),
            "read the leads' values before the batch, or call the network after the batch returns",
        )
    }
}

/// One chunk to route: its leads (as read from the encoder, rows numbered from the batch's
/// start) and their instants.
struct Job {
    leads: Leads,
    now: Now,
}

/// The instants of rows `a..b` of a batch.
fn now_of(now: &Now, a: usize, b: usize) -> Now {
    match now {
        Now::One(t) => Now::One(*t),
        Now::Each(ts) => Now::Each(ts.get(a..b).map(<[_]>::to_vec).unwrap_or_default()),
    }
}

/// The network's write lock, or `None` if it is poisoned.
fn write_lock(lock: &RwLock<Network>) -> Option<RwLockWriteGuard<'_, Network>> {
    lock.write().ok()
}

/// Routes the `n` leads of a batch in chunks, in order, holding the network's write lock and
/// its `busy` flag throughout: `read(a, b)` reads rows `a..b` (their error positions counted
/// from the batch's start, see [`Leads::read`]) on the calling thread, a second thread parses,
/// prepares and routes each chunk, and `emit(results, a)` receives every chunk's results, in
/// order, with the position of its first row. `now`: the whole batch's instants, of the right
/// number (see `encoded::check_times`). On any error the network's state is put back as it was
/// before the batch.
#[allow(clippy::too_many_arguments)]
pub(crate) fn route(
    engine: &Engine,
    schema: &Schema,
    lock: &RwLock<Network>,
    busy: &Busy,
    n: usize,
    now: &Now,
    opts: &RouteOptions,
    mut read: impl FnMut(usize, usize) -> Result<Leads, Stop>,
    mut emit: impl FnMut(Compact, usize) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let mut guard = write_lock(lock).ok_or(Stop::Serial)?;
    let _busy = busy.hold();
    let before = guard.export_state();
    let step = chunk_len(n);
    let net: &mut Network = &mut guard;
    let mut at = 0usize;
    let mut written = 0usize;
    let run = overlap(
        2,
        || {
            if at >= n {
                return Ok(None);
            }
            let end = at.saturating_add(step).min(n);
            let leads = read(at, end)?;
            let job = Job {
                leads,
                now: now_of(now, at, end),
            };
            at = end;
            Ok(Some(job))
        },
        |job: Job| {
            job.leads
                .parse(schema)
                .prepare(engine)
                .route(engine, net, &job.now, opts)
        },
        |compact: Compact| {
            let a = written;
            written += compact.len();
            emit(compact, a)
        },
        |block: &mut Block<'_>| block(),
    );
    if run.is_err() {
        // the state as it was (a network's own export always imports)
        guard
            .import_state(&before)
            .map_err(|e| Stop::Report(ErrorReport::from(e)))?;
    }
    run
}
