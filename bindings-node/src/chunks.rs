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

use std::sync::RwLock;

use leadrail_core::network::Network;
use leadrail_core::pipeline::{overlap, Block, Busy, WorkerPanicked};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Engine, RouteOptions};
use leadrail_core::schema::Schema;

use crate::encoded::{Compact, Leads};
use crate::routing::Now;

/// Batches with fewer leads are routed in one piece.
pub(crate) const MIN_LEADS: usize = 32_768;

/// The first and the last chunk of a batch: nothing overlaps encoding the first chunk (the
/// routing thread waits for it) nor routing the last one and building its results (the
/// JavaScript thread waits), so they are short.
const EDGE: usize = 8_192;

/// The smallest chunk between the first and the last: core resolves every distinct probe key of
/// a chunk once (about 4,000 (region, product line) combinations on W1, some 0.5 to 1 ms per
/// chunk), which smaller chunks would repeat too often.
const MIN_CHUNK: usize = 8_192;

/// The most chunks of a batch, the first and the last included. Measured on W1 (100,000 leads,
/// `routeBatch` with and without `asColumns`, medians of 15 interleaved runs in one process,
/// 2 cores shared with other work): 8 chunks (8,192, 6 x 13,936, 8,192) were the fastest of
/// 4, 6 and 8 with short edges and of 3, 4, 6, 8 and 12 equal chunks, by 5 to 15%.
const CHUNKS: usize = 8;

/// The end of each chunk of a batch of `n` leads, ascending (the last is `n`; none for no
/// leads): a first and a last chunk of [`EDGE`] leads and the others between them, up to
/// `CHUNKS - 2` of equal length and at least [`MIN_CHUNK`] leads (a batch of at most
/// `2 * EDGE` leads is one chunk).
fn chunk_ends(n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    if n <= 2 * EDGE {
        return vec![n];
    }
    let middle = n - 2 * EDGE;
    let parts = (middle / MIN_CHUNK).clamp(1, CHUNKS - 2);
    let len = middle.div_ceil(parts);
    let mut ends = Vec::with_capacity(parts + 2);
    let mut at = EDGE;
    ends.push(at);
    while at < n - EDGE {
        at = at.saturating_add(len).min(n - EDGE);
        ends.push(at);
    }
    ends.push(n);
    ends
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

/// What host code of a chunked batch's leads is, for the busy error
/// ([`Busy`](leadrail_core::pipeline::Busy)).
pub(crate) const HOST_CODE: &str = "a getter or Proxy of a lead";

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
    // (poisoned: the one-piece path throws its error)
    let mut guard = lock.write().map_err(|_| Stop::Serial)?;
    let _busy = busy.hold();
    let before = guard.export_state();
    let mut ends = chunk_ends(n).into_iter();
    let net: &mut Network = &mut guard;
    let mut at = 0usize;
    let mut written = 0usize;
    let run = overlap(
        2,
        || {
            let Some(end) = ends.next() else {
                return Ok(None);
            };
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
