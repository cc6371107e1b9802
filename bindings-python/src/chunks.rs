//! Big batches in chunks: while a second thread routes chunk k (core's
//! [`overlap`](leadrail_core::pipeline::overlap), without the GIL), the calling thread reads
//! chunk k + 1 from the Python objects and converts the results of chunk k - 1, so that a batch
//! takes about the longer of conversion and routing rather than their sum.
//!
//! The results, errors and state are those of routing the whole batch at once: the network's
//! write lock is held for the whole batch, chunks are routed in order, error positions are
//! counted in the whole batch, and a batch that raises leaves the network's state as it was.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{RwLock, RwLockWriteGuard, TryLockError};
use std::time::Duration;

use leadrail_core::network::Network;
use leadrail_core::pipeline::{overlap, Block, Busy, WorkerPanicked};
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{times_without, Engine, LeadBatch, RouteOptions, RoutedBatch, Times};
use leadrail_core::value::Instant;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::engine::Routed;
use crate::exceptions::from_report;
use crate::routing::{self, Now, Parsed};

/// Batches with fewer leads are routed in one piece on the calling thread.
pub(crate) const MIN_LEADS: usize = 32_768;

/// The smallest chunk: core resolves every distinct probe key of a chunk once (about 4,000
/// (region, product line) combinations on W1), which smaller chunks would repeat too often.
const MIN_CHUNK: usize = 16_384;

/// Chunks per batch when they are larger than [`MIN_CHUNK`]: more chunks shorten the start
/// (reading the first chunk) and the end (converting the last results), when nothing overlaps.
const CHUNKS: usize = 6;

/// A wait of the calling thread this long means the routing thread is behind.
const BEHIND: Duration = Duration::from_micros(300);

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

/// The leads of one chunk as read on the calling thread.
pub(crate) enum Chunk {
    /// Records parsed (positions in errors counted from the chunk's first row).
    Parsed(Parsed),
    /// Columns of `rows` values, prepared on the routing thread (`Engine::prepare_columns`).
    Columns {
        rows: usize,
        ids: Column,
        cols: Vec<(String, Column)>,
    },
}

impl Chunk {
    /// The number of rows read.
    pub(crate) fn rows(&self) -> usize {
        match self {
            Chunk::Parsed(p) => p.rows,
            Chunk::Columns { rows, .. } => *rows,
        }
    }
}

/// `now` of a chunked batch: one instant, or one per lead read chunk by chunk.
pub(crate) enum ChunkNow<'py> {
    One(Instant),
    Each(Bound<'py, PyList>),
}

impl<'py> ChunkNow<'py> {
    /// `now` for a batch of `rows` leads, or `None` when it is not one instant or `rows` of
    /// them in a list, tuple or object with `tolist()` (the one-piece path then reads it, and
    /// raises what it always raised).
    pub(crate) fn new(now: &Bound<'py, PyAny>, rows: usize) -> Option<ChunkNow<'py>> {
        let list = if let Ok(l) = now.cast::<PyList>() {
            l.clone()
        } else if let Ok(t) = now.cast::<PyTuple>() {
            t.to_list()
        } else if now.hasattr("tolist").ok()? {
            now.call_method0("tolist")
                .ok()?
                .cast_into::<PyList>()
                .ok()?
        } else {
            return match routing::now_arg(now).ok()?.ok()? {
                Now::One(t) => Some(ChunkNow::One(t)),
                Now::Each(_) => None,
            };
        };
        (list.len() == rows).then_some(ChunkNow::Each(list))
    }

    /// The instants of rows `a..b` (`None` for one bad: the one-piece path raises its error).
    fn read(&self, a: usize, b: usize) -> Result<Now, Stop> {
        match self {
            ChunkNow::One(t) => Ok(Now::One(*t)),
            ChunkNow::Each(l) => match routing::now_arg(&l.get_slice(a, b))? {
                Ok(Now::Each(ts)) if ts.len() == b - a => Ok(Now::Each(ts)),
                _ => Err(Stop::Serial),
            },
        }
    }
}

/// One chunk to route: rows `at..` of the batch and their instants.
struct Job {
    at: usize,
    chunk: Chunk,
    now: Now,
}

impl Job {
    /// Prepares the chunk's leads (parsing them when they are columns), and routes the good
    /// ones.
    fn route(self, engine: &Engine, net: &mut Network, opts: &RouteOptions) -> (Routed, LeadBatch) {
        let Job { at, chunk, now } = self;
        let (rows, batch, bad) = match chunk {
            Chunk::Parsed(Parsed {
                rows,
                good,
                mut bad,
            }) => {
                for (i, e) in &mut bad {
                    at_position(e, *i + 1, at + *i + 1);
                }
                (rows, engine.prepare_leads(good), bad)
            }
            Chunk::Columns { rows, ids, cols } => {
                let (batch, bad) = engine.prepare_columns_at(at, rows, &ids, &cols);
                (rows, batch, bad)
            }
        };
        let decisions = route_good(engine, net, &batch, &bad, &now, opts);
        let routed = Routed {
            rows,
            decisions,
            bad,
        };
        (routed, batch)
    }
}

/// Routes the good leads of a batch (or chunk) in order: `batch` holds them, `bad` the rows
/// (ascending) of the others, whose instants in `now` are skipped.
pub(crate) fn route_good(
    engine: &Engine,
    net: &mut Network,
    batch: &LeadBatch,
    bad: &[(usize, ErrorReport)],
    now: &Now,
    opts: &RouteOptions,
) -> RoutedBatch {
    match now {
        Now::One(t) => engine.route_prepared_compact(net, batch, Times::At(*t), opts),
        Now::Each(ts) if bad.is_empty() => {
            engine.route_prepared_compact(net, batch, Times::Each(ts), opts)
        }
        Now::Each(ts) => {
            let times = times_without(ts, bad.iter().map(|(i, _)| *i));
            engine.route_prepared_compact(net, batch, Times::Each(&times), opts)
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

/// What host code of a chunked batch's leads is, for the busy error
/// ([`Busy`](leadrail_core::pipeline::Busy)).
pub(crate) const HOST_CODE: &str =
    "a mapping's `__getitem__`, a column's `tolist()` or other Python code of the leads";

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

/// Routes `n` leads in chunks, in order, holding the network's write lock throughout:
/// `read(a, b)` reads rows `a..b` (the positions in its errors counted from 1, as for a batch
/// of its own), a second thread routes each chunk's good leads, and `emit` receives every
/// chunk's results in order. On any error the network's state is put back as it was before the
/// batch.
#[allow(clippy::too_many_arguments)]
pub(crate) fn route<'py>(
    py: Python<'py>,
    engine: &Engine,
    lock: &RwLock<Network>,
    busy: &Busy,
    n: usize,
    now: &ChunkNow<'py>,
    opts: &RouteOptions,
    mut read: impl FnMut(usize, usize) -> Result<Chunk, Stop>,
    mut emit: impl FnMut(&Routed) -> PyResult<()>,
) -> Result<(), Stop> {
    busy.check(HOST_CODE)
        .map_err(|e| Stop::Py(from_report(py, e)))?;
    let mut guard = write_lock(py, lock).ok_or(Stop::Poisoned)?;
    let _busy = busy.hold();
    let before = guard.export_state();
    let step = chunk_len(n);
    let net: &mut Network = &mut guard;
    let mut at = 0usize;
    // whether the calling thread last waited long for the routing thread: while it is the
    // slower one, routed leads are freed on the calling thread
    let behind = AtomicBool::new(false);
    let run = overlap(
        2,
        || {
            if at >= n {
                return Ok(None);
            }
            let end = (at + step).min(n);
            let job = Job {
                at,
                chunk: read(at, end)?,
                now: now.read(at, end)?,
            };
            at = end;
            Ok(Some(job))
        },
        |job: Job| {
            let (routed, batch) = job.route(engine, net, opts);
            let batch = behind.load(Ordering::Relaxed).then_some(batch);
            (routed, batch)
        },
        |(routed, batch): (Routed, Option<LeadBatch>)| {
            emit(&routed)?;
            drop(batch);
            Ok(())
        },
        |block: &mut Block<'_>| {
            let t = std::time::Instant::now();
            py.detach(block);
            behind.store(t.elapsed() > BEHIND, Ordering::Relaxed);
        },
    );
    if run.is_err() {
        guard
            .import_state(&before)
            .map_err(|e| Stop::Py(from_report(py, ErrorReport::from(e))))?;
    }
    run
}
