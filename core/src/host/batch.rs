//! The batch runner: a network shared by a host's threads ([`SharedNetwork`]) routes a host's
//! batch in one piece, or, when it is big, in chunks on two threads: while a second thread
//! prepares and routes chunk k, the calling thread reads chunk k + 1 from the host's objects
//! and converts the results of chunk k - 1, so that a batch takes about the longer of the
//! host's work and the routing rather than their sum.
//!
//! Either way the results, errors and state are those of routing the whole batch at once: the
//! network's write lock is held for the whole batch, chunks are routed in order, error positions
//! count in the whole batch, and a batch that fails leaves the network's state as it was. The
//! chunks of a batch share one [`Carry`]: each chunk interns, resolves and lists only the probe
//! values and candidate combinations earlier chunks did not have.

#![expect(
    clippy::result_large_err,
    reason = "the language-neutral ErrorReport is what bindings raise"
)]

use std::cell::{RefCell, RefMut};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{RwLock, RwLockWriteGuard, TryLockError};

use super::errors::{self, Host};
use super::instants::Instants;
use super::pipeline::{overlap, Block, Busy, WorkerPanicked};
use super::results::Results;
use super::rows::Rows;
use crate::network::Network;
use crate::report::ErrorReport;
use crate::route::{Carry, Engine, LeadBatch, RouteOptions};

/// Batches of fewer leads are routed in one piece.
pub const MIN_CHUNKED: usize = 32_768;

/// How a big batch is cut into chunks. Which is faster depends on the host's costs per lead
/// (reading leads and converting results against routing), so a host picks one
/// ([`HostBatch::chunking`]); both were measured on W1 (`benches/python_w1.py`,
/// `benches/node_w1.mjs`).
///
/// ```
/// use leadrail_core::host::Chunking;
///
/// assert_eq!(Chunking::ShortEdges.ends(0), Vec::<usize>::new());
/// assert_eq!(Chunking::ShortEdges.ends(10_000), [10_000]);
/// assert_eq!(Chunking::ShortEdges.ends(40_000), [8_192, 20_000, 31_808, 40_000]);
/// assert_eq!(Chunking::ShortEdges.ends(100_000).len(), 8);
/// assert_eq!(Chunking::Equal.ends(40_000), [16_384, 32_768, 40_000]);
/// assert_eq!(Chunking::Equal.ends(100_000).len(), 6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Chunking {
    /// A first and a last chunk of 8,192 leads (nothing overlaps reading the first chunk, nor
    /// routing the last one and converting its results, so they are short) and between them up
    /// to 6 chunks of equal length and at least 8,192 leads; a batch of at most 16,384 leads is
    /// one chunk. The fastest shape for Node (JavaScript reads leads slowly: 8 chunks beat 4 and
    /// 6 with short edges and 3 to 12 equal chunks by 5 to 15%).
    #[default]
    ShortEdges,
    /// Chunks of `max(n / 6, 16,384)` leads. The fastest shape for Python (5 to 8% faster than
    /// short edges there, measured interleaved in one process). Each chunk costs the engine
    /// about 0.1 to 0.2 ms of thread CPU on W1 beyond what its leads cost (its own
    /// dictionaries read, the partners' per-rule records built; the probe values and
    /// combinations earlier chunks had are carried: `benches/src/bin/w1_chunks.rs`), which
    /// fewer, longer chunks repeat less.
    Equal,
}

/// The edge chunks of [`Chunking::ShortEdges`] and the least of the chunks between them.
const EDGE: usize = 8_192;

/// The most chunks of [`Chunking::ShortEdges`], the edges included.
const EDGE_CHUNKS: usize = 8;

/// The least chunk of [`Chunking::Equal`].
const MIN_EQUAL: usize = 16_384;

/// The chunks of [`Chunking::Equal`] when they are longer than [`MIN_EQUAL`].
const EQUAL_CHUNKS: usize = 6;

impl Chunking {
    /// The end of each chunk of a batch of `n` leads, ascending (the last is `n`; none for no
    /// leads).
    pub fn ends(self, n: usize) -> Vec<usize> {
        if n == 0 {
            return Vec::new();
        }
        match self {
            Chunking::Equal => {
                let step = n.div_ceil(EQUAL_CHUNKS).max(MIN_EQUAL);
                (1..=n.div_ceil(step)).map(|k| (k * step).min(n)).collect()
            }
            Chunking::ShortEdges => {
                if n <= 2 * EDGE {
                    return vec![n];
                }
                let middle = n - 2 * EDGE;
                let parts = (middle / EDGE).clamp(1, EDGE_CHUNKS - 2);
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
        }
    }
}

/// Why [`HostBatch::read`] did not read its rows.
#[derive(Debug)]
pub enum ReadError<E> {
    /// The host's own error (e.g. a Python exception raised by a mapping): the batch stops with
    /// it, and the network's state is put back as it was.
    Host(E),
    /// The rows cannot be read as a part of the batch (the host's list changed length while
    /// the batch ran, or a problem that the host reports for the whole batch at once, whose
    /// order only a reading in one piece gives): the batch is routed again, in one piece.
    OnePiece,
}

/// Why a batch failed; the network's state is as it was before the batch.
#[derive(Debug)]
pub enum BatchError<E> {
    /// The host's own error, from [`HostBatch::read`] or [`HostBatch::emit`].
    Host(E),
    /// Core's report (the network is busy or poisoned, the instants do not fit the leads, the
    /// routing thread panicked).
    Report(ErrorReport),
}

/// A host's side of a batch: it reads its leads into [`Rows`] and converts the [`Results`].
///
/// The runner ([`SharedNetwork::route_batch`]) calls `read` and `emit` on the calling thread,
/// in row order: in one piece, `read(0..n)` then one `emit`; in chunks, reading chunk k + 1 and
/// emitting the results of chunk k - 1 while chunk k is routed on a second thread. A batch
/// whose chunked run meets [`ReadError::OnePiece`] is `restart`ed and routed in one piece.
pub trait HostBatch {
    /// The host's own error (a Python exception, a JavaScript error).
    type Error;

    /// Reads rows `rows` of the batch (error positions are the runner's concern: the rows
    /// returned are numbered from 0).
    fn read(&mut self, rows: Range<usize>) -> Result<Rows, ReadError<Self::Error>>;

    /// Takes the results of the next rows, in order ([`Results::start`] is the first one's
    /// row in the batch).
    fn emit(&mut self, results: Results) -> Result<(), Self::Error>;

    /// Runs `work` (routing, or waiting for the network's lock or for the routing thread) with
    /// the host's own lock released, e.g. Python's GIL; the default runs it as it is. It must
    /// call `work` once.
    fn detach(&mut self, work: &mut Block<'_>) {
        work()
    }

    /// Forgets the results emitted so far: the batch is routed again from row 0, in one piece.
    fn restart(&mut self) {}

    /// Whether the batch may be read in chunks (default `true`); `false` routes it in one piece
    /// whatever its size.
    fn chunked(&self) -> bool {
        true
    }

    /// How a big batch is cut into chunks (default [`Chunking::ShortEdges`]).
    fn chunking(&self) -> Chunking {
        Chunking::default()
    }
}

/// A partner network shared by a host's threads: its lock, and the busy marker that turns a
/// call from host code that the network's own batch runs (on the same thread) into
/// `leadrail::request::busy` rather than a wait that never ends.
#[derive(Debug)]
pub struct SharedNetwork {
    net: RwLock<Network>,
    busy: Busy,
    host: Host,
}

/// How a chunked batch stopped.
enum Stop<E> {
    Host(E),
    Report(ErrorReport),
    OnePiece,
}

/// What a batch is routed with.
#[derive(Clone, Copy)]
struct Job<'a> {
    engine: &'a Engine,
    instants: &'a Instants,
    opts: &'a RouteOptions,
}

/// The host, borrowed by one stage of a chunked batch at a time.
fn borrow<'h, 'a, H: HostBatch>(
    host: &'h RefCell<&'a mut H>,
) -> Result<RefMut<'h, &'a mut H>, Stop<H::Error>> {
    host.try_borrow_mut()
        .map_err(|_| Stop::Report(errors::internal("the host was busy")))
}

impl<E> From<WorkerPanicked> for Stop<E> {
    fn from(p: WorkerPanicked) -> Stop<E> {
        Stop::Report(errors::panicked(p.message()))
    }
}

impl<E> From<ReadError<E>> for Stop<E> {
    fn from(e: ReadError<E>) -> Stop<E> {
        match e {
            ReadError::Host(e) => Stop::Host(e),
            ReadError::OnePiece => Stop::OnePiece,
        }
    }
}

impl SharedNetwork {
    /// Shares `network`; `host` names the host language in the busy error.
    pub fn new(network: Network, host: Host) -> SharedNetwork {
        SharedNetwork {
            net: RwLock::new(network),
            busy: Busy::default(),
            host,
        }
    }

    /// Whether a panic while the network was locked left it unusable.
    pub fn is_poisoned(&self) -> bool {
        self.net.is_poisoned()
    }

    /// The busy error if this thread is routing a batch of this network.
    fn check_busy(&self) -> Result<(), ErrorReport> {
        self.busy.check(self.host.lead_code)
    }

    /// Runs `f` on the network, read-locked (waiting for a batch of another thread to end):
    /// `leadrail::request::busy` if host code that this network's batch runs on this thread
    /// calls it, a request error if the network is poisoned.
    pub fn read<T>(&self, f: impl FnOnce(&Network) -> T) -> Result<T, ErrorReport> {
        self.check_busy()?;
        let net = self.net.read().map_err(|_| errors::poisoned())?;
        Ok(f(&net))
    }

    /// Runs `f` on the network, write-locked; errors as [`SharedNetwork::read`].
    pub fn write<T>(&self, f: impl FnOnce(&mut Network) -> T) -> Result<T, ErrorReport> {
        self.check_busy()?;
        let mut net = self.net.write().map_err(|_| errors::poisoned())?;
        Ok(f(&mut net))
    }

    /// Routes the `n` leads `host` reads, in order, applying each assignment to the network's
    /// state, at `instants` (checked first). Batches of [`MIN_CHUNKED`] leads or more are
    /// routed in chunks ([`HostBatch::chunking`]) on two threads, the others in one piece; the results,
    /// errors and state are the same either way. On any error the state is as before the
    /// batch.
    pub fn route_batch<H: HostBatch>(
        &self,
        engine: &Engine,
        n: usize,
        instants: &Instants,
        opts: &RouteOptions,
        host: &mut H,
    ) -> Result<(), BatchError<H::Error>> {
        instants.check(n).map_err(BatchError::Report)?;
        let job = Job {
            engine,
            instants,
            opts,
        };
        if n >= MIN_CHUNKED && host.chunked() && !self.is_poisoned() {
            match self.route_chunked(job, n, host) {
                Ok(()) => return Ok(()),
                Err(Stop::Host(e)) => return Err(BatchError::Host(e)),
                Err(Stop::Report(e)) => return Err(BatchError::Report(e)),
                Err(Stop::OnePiece) => host.restart(),
            }
        }
        self.route_whole(job, n, host)
    }

    /// A batch in one piece: read on the calling thread, prepared and routed with the host's
    /// lock released, holding the network's lock only while routing.
    fn route_whole<H: HostBatch>(
        &self,
        job: Job<'_>,
        n: usize,
        host: &mut H,
    ) -> Result<(), BatchError<H::Error>> {
        let Job {
            engine,
            instants,
            opts,
        } = job;
        self.check_busy().map_err(BatchError::Report)?;
        let rows = match host.read(0..n) {
            Ok(rows) => rows.starting_at(0),
            Err(ReadError::Host(e)) => return Err(BatchError::Host(e)),
            Err(ReadError::OnePiece) => {
                return Err(BatchError::Report(errors::internal(
                    "the leads could not be read in one piece",
                )))
            }
        };
        instants.check(rows.len()).map_err(BatchError::Report)?;
        let mut rows = Some(rows);
        let mut out = None;
        let mut work = || {
            if let Some(rows) = rows.take() {
                let prepared = rows.prepare(engine);
                out = Some(
                    self.net
                        .write()
                        .map(|mut net| prepared.route(engine, &mut net, instants, opts))
                        .map_err(|_| ()),
                );
            }
        };
        host.detach(&mut work);
        // (a host that did not run `work`: run it here)
        work();
        match out {
            Some(Ok(results)) => host.emit(results).map_err(BatchError::Host),
            Some(Err(_)) => Err(BatchError::Report(errors::poisoned())),
            None => Err(BatchError::Report(errors::internal(
                "the batch was not routed",
            ))),
        }
    }

    /// The network's write lock, waiting for it with the host's lock released (the thread
    /// that holds it may need the host's lock to finish).
    fn write_lock<H: HostBatch>(
        &self,
        host: &mut H,
    ) -> Result<RwLockWriteGuard<'_, Network>, ErrorReport> {
        loop {
            match self.net.try_write() {
                Ok(guard) => return Ok(guard),
                Err(TryLockError::Poisoned(_)) => return Err(errors::poisoned()),
                Err(TryLockError::WouldBlock) => host.detach(&mut || {
                    // wait until it is free, then try again holding the host's lock
                    let _free = self.net.write();
                }),
            }
        }
    }

    /// A batch in chunks (see the module docs).
    fn route_chunked<H: HostBatch>(
        &self,
        job: Job<'_>,
        n: usize,
        host: &mut H,
    ) -> Result<(), Stop<H::Error>> {
        let Job {
            engine,
            instants,
            opts,
        } = job;
        self.check_busy().map_err(Stop::Report)?;
        let mut guard = self.write_lock(host).map_err(Stop::Report)?;
        let _busy = self.busy.hold();
        let before = guard.export_state();
        let net: &mut Network = &mut guard;
        let mut ends = host.chunking().ends(n).into_iter();
        let host = RefCell::new(host);
        let mut at = 0usize;
        // the chunks read so far: when the routing thread finishes chunk k and chunk k + 1 is
        // already read, routing is the slower stage, and the calling thread frees the chunk's
        // prepared leads (else the routing thread does)
        let read = AtomicUsize::new(0);
        let mut routed = 0usize;
        // what the chunks share (one engine, network, options; the state grows by the chunks'
        // assignments only): each chunk interns, resolves and lists only what is new
        let mut carry = Carry::new();
        let run = overlap(
            2,
            || -> Result<Option<Rows>, Stop<H::Error>> {
                let Some(end) = ends.next() else {
                    return Ok(None);
                };
                let rows = borrow(&host)?.read(at..end)?;
                if rows.len() != end - at {
                    return Err(Stop::OnePiece);
                }
                let rows = rows.starting_at(at);
                at = end;
                read.fetch_add(1, Ordering::Relaxed);
                Ok(Some(rows))
            },
            |rows: Rows| {
                // (prepared and routed on the routing thread, chunk after chunk, with the
                // batch's carry)
                let prepared = rows.prepare_with(engine, &mut carry);
                let (results, batch) =
                    prepared.route_keep(engine, net, (instants, opts), &mut carry);
                routed += 1;
                let behind = read.load(Ordering::Relaxed) > routed;
                (results, behind.then_some(batch))
            },
            |(results, batch): (Results, Option<LeadBatch>)| {
                borrow(&host)?.emit(results).map_err(Stop::Host)?;
                drop(batch);
                Ok(())
            },
            |block: &mut Block<'_>| match host.try_borrow_mut() {
                Ok(mut h) => h.detach(block),
                Err(_) => block(),
            },
        );
        if run.is_err() {
            // the state as it was (a network's own export always imports)
            guard
                .import_state(&before)
                .map_err(|e| Stop::Report(ErrorReport::from(e)))?;
        }
        run
    }
}
