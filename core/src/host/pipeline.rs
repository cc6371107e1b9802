//! Overlapping a host's work with a second thread: [`overlap`] runs one stage of a batch (for
//! example routing a chunk of leads) on a scoped worker thread while the calling thread
//! produces the next chunk (for example converting host objects) and consumes the results of
//! the previous one, in order.
//!
//! The module holds no routing logic; the bindings use it to overlap converting leads from and
//! results to host objects (which needs the calling thread, e.g. because it holds Python's
//! GIL) with [`Engine::route_prepared_compact`](crate::route::Engine::route_prepared_compact),
//! so that a batch takes about the longer of the two instead of their sum.
//!
//! (The module's tests show a small example: `sums_chunks_in_order`.)

use std::any::Any;
use std::sync::mpsc::{sync_channel, Receiver, RecvError, SyncSender, TrySendError};
use std::sync::Mutex;
use std::thread::{self, Scope, ScopedJoinHandle, ThreadId};

use super::errors::busy_error;
use crate::report::ErrorReport;

/// The work stage of [`overlap`] panicked; the panic is reported as this error (converted into
/// the caller's error type) rather than swallowed or resumed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error: the worker thread panicked: {message}")]
pub struct WorkerPanicked {
    message: String,
}

impl WorkerPanicked {
    fn from_payload(payload: &(dyn Any + Send)) -> WorkerPanicked {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_owned());
        WorkerPanicked { message }
    }

    /// The panic's message (`(no message)` when its payload was not text).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A blocking wait of the calling thread, handed to the `wait` argument of `overlap`.
pub type Block<'a> = dyn FnMut() + Send + 'a;

/// Runs `work` on a second (scoped) thread over the items `read` produces on the calling
/// thread, and hands each output to `write` on the calling thread, in the order of the items.
///
/// - `depth` (at least 1): how many items may be read ahead of the write of the oldest output;
///   2 keeps both threads busy (the calling thread reads item k + 1 and writes output k - 1
///   while the worker works on item k).
/// - `read`: the next item, `Ok(None)` at the end, or an error that stops the run.
/// - `work`: runs on the worker thread, one item at a time, in order. Errors of the work are
///   part of its output (`U` may be a `Result`) and stop the run when `write` returns them.
/// - `write`: consumes the outputs in item order; an error stops the run.
/// - `wait`: runs each blocking wait of the calling thread (a call to the closure it is given,
///   which it must call once), e.g. with a host's interpreter lock released. It does not run
///   the work.
///
/// The worker thread starts with the first item (none for an empty input). The first error of
/// `read` or `write` is returned after the worker has stopped (it finishes the item in hand,
/// and nothing more is read or written); a panic of `work` is returned as
/// [`WorkerPanicked`] (converted to `E`), also when it happened while the calling thread met
/// an error of its own. A panic in `read` or `write` unwinds after the worker has stopped.
pub fn overlap<T, U, E, R, F, W, B>(
    depth: usize,
    mut read: R,
    work: F,
    mut write: W,
    mut wait: B,
) -> Result<(), E>
where
    T: Send,
    U: Send,
    E: From<WorkerPanicked>,
    R: FnMut() -> Result<Option<T>, E>,
    F: FnMut(T) -> U + Send,
    W: FnMut(U) -> Result<(), E>,
    B: FnMut(&mut Block<'_>),
{
    let depth = depth.max(1);
    std::thread::scope(|scope| {
        let mut work = Some(work);
        let mut worker: Option<Worker<'_, '_, T, U>> = None;
        let run = (|| -> Result<(), E> {
            let mut in_flight = 0usize;
            while let Some(item) = read()? {
                if worker.is_none() {
                    if let Some(w) = work.take() {
                        worker = Some(Worker::spawn(scope, depth, w));
                    }
                }
                let Some(wk) = worker.as_mut() else {
                    break;
                };
                wk.send(item, &mut wait)?;
                in_flight += 1;
                // write what is ready without waiting, then wait while too far ahead
                while in_flight > 0 {
                    let out = if in_flight >= depth {
                        wk.recv(&mut wait)?
                    } else {
                        match wk.rx.try_recv() {
                            Ok(out) => out,
                            Err(_) => break,
                        }
                    };
                    in_flight -= 1;
                    write(out)?;
                }
            }
            if let Some(wk) = worker.as_mut() {
                wk.tx = None;
                while in_flight > 0 {
                    let out = wk.recv(&mut wait)?;
                    in_flight -= 1;
                    write(out)?;
                }
            }
            Ok(())
        })();
        // stop the worker (closing both channels) and collect its panic, if any
        let panicked = match worker {
            Some(wk) => wk.join(&mut wait),
            None => None,
        };
        match panicked {
            Some(p) => Err(E::from(p)),
            None => run,
        }
    })
}

/// The worker thread of [`overlap`] and its two channels.
struct Worker<'scope, 'env, T, U> {
    tx: Option<SyncSender<T>>,
    rx: Receiver<U>,
    handle: ScopedJoinHandle<'scope, ()>,
    _env: std::marker::PhantomData<&'env ()>,
}

impl<'scope, 'env, T: Send, U: Send> Worker<'scope, 'env, T, U> {
    fn spawn<F>(scope: &'scope Scope<'scope, 'env>, depth: usize, mut work: F) -> Self
    where
        F: FnMut(T) -> U + Send + 'scope,
        T: 'scope,
        U: 'scope,
    {
        let (tx, items) = sync_channel::<T>(depth);
        let (outs, rx) = sync_channel::<U>(depth);
        let handle = scope.spawn(move || {
            // ends when the calling thread closes either channel
            for item in items {
                if outs.send(work(item)).is_err() {
                    break;
                }
            }
        });
        Worker {
            tx: Some(tx),
            rx,
            handle,
            _env: std::marker::PhantomData,
        }
    }

    /// Hands an item to the worker (waiting through `wait` if its queue is full).
    fn send<E: From<WorkerPanicked>>(
        &mut self,
        item: T,
        wait: &mut impl FnMut(&mut Block<'_>),
    ) -> Result<(), E> {
        let Some(tx) = &self.tx else {
            return Err(E::from(WorkerPanicked {
                message: "the work queue was closed".to_owned(),
            }));
        };
        match tx.try_send(item) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(item)) => {
                let mut sent = None;
                let mut item = Some(item);
                {
                    let sent = &mut sent;
                    let item = &mut item;
                    wait(&mut move || {
                        if let Some(x) = item.take() {
                            *sent = Some(tx.send(x).is_ok());
                        }
                    });
                }
                let ok = match (sent, item) {
                    (Some(ok), _) => ok,
                    // `wait` did not run the closure: send here
                    (None, Some(x)) => tx.send(x).is_ok(),
                    (None, None) => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(self.gone())
                }
            }
            // the worker is gone: it panicked (the caller reads the panic from `join`)
            Err(TrySendError::Disconnected(_)) => Err(self.gone()),
        }
    }

    /// The next output (waiting through `wait`).
    fn recv<E: From<WorkerPanicked>>(
        &mut self,
        wait: &mut impl FnMut(&mut Block<'_>),
    ) -> Result<U, E> {
        let mut got: Option<Result<U, RecvError>> = None;
        {
            let got = &mut got;
            let rx = &mut self.rx;
            wait(&mut move || *got = Some(rx.recv()));
        }
        let got = match got {
            Some(g) => g,
            None => self.rx.recv(),
        };
        got.map_err(|_| self.gone())
    }

    /// The error for a worker that stopped early (replaced by its panic in `overlap`).
    fn gone<E: From<WorkerPanicked>>(&self) -> E {
        E::from(WorkerPanicked {
            message: "the worker thread stopped".to_owned(),
        })
    }

    /// Closes both channels and waits for the worker; its panic, if it panicked.
    fn join(self, wait: &mut impl FnMut(&mut Block<'_>)) -> Option<WorkerPanicked> {
        let Worker { tx, rx, handle, .. } = self;
        drop(tx);
        drop(rx);
        let mut handle = Some(handle);
        let mut joined = None;
        {
            let joined = &mut joined;
            let handle = &mut handle;
            wait(&mut move || {
                if let Some(h) = handle.take() {
                    *joined = Some(h.join());
                }
            });
        }
        let joined = match (joined, handle) {
            (Some(j), _) => j,
            (None, Some(h)) => h.join(),
            (None, None) => Ok(()),
        };
        joined
            .err()
            .map(|payload| WorkerPanicked::from_payload(&*payload))
    }
}

/// Which thread, if any, is running a batch that holds a shared object (a network's write lock)
/// while it runs host code (a Python mapping's `__getitem__`, a JavaScript getter). If that
/// code calls the same object, waiting for the lock would never end: [`Busy::check`] turns the
/// call into `leadrail::request::busy` instead (the report names `what` host code called).
/// Calls from other threads pass the check and wait for the batch as usual.
///
/// (Tested in this module: `busy_refuses_only_the_holding_thread`.)
#[derive(Debug, Default)]
pub struct Busy(Mutex<Option<ThreadId>>);

impl Busy {
    /// The busy error (naming `what` host code ran into it) if this thread holds the mark.
    #[expect(
        clippy::result_large_err,
        reason = "the language-neutral ErrorReport is what bindings raise"
    )]
    pub fn check(&self, what: &str) -> Result<(), ErrorReport> {
        match *self.lock() == Some(thread::current().id()) {
            true => Err(busy_error(what)),
            false => Ok(()),
        }
    }

    /// Marks this thread as running a batch until the guard is dropped (also when unwinding).
    pub fn hold(&self) -> BusyGuard<'_> {
        *self.lock() = Some(thread::current().id());
        BusyGuard(self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<ThreadId>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Clears a [`Busy`] mark when dropped.
#[derive(Debug)]
pub struct BusyGuard<'a>(&'a Busy);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        *self.0.lock() = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_chunks_in_order() {
        #[derive(Debug)]
        struct DocError;
        impl From<WorkerPanicked> for DocError {
            fn from(_: WorkerPanicked) -> DocError {
                DocError
            }
        }

        let mut chunks = vec![vec![1, 2], vec![3], vec![4, 5, 6]].into_iter();
        let mut sums = Vec::new();
        overlap::<_, _, DocError, _, _, _, _>(
            2,
            || Ok(chunks.next()),
            |chunk: Vec<i64>| chunk.iter().sum::<i64>(),
            |sum| {
                sums.push(sum);
                Ok(())
            },
            |block| block(),
        )
        .unwrap();
        assert_eq!(sums, [3, 3, 15]);
    }

    #[test]
    fn busy_refuses_only_the_holding_thread() {
        let busy = Busy::default();
        assert!(busy.check("a getter").is_ok());
        {
            let _batch = busy.hold();
            let e = busy.check("a getter").unwrap_err();
            assert_eq!(e.code, "leadrail::request::busy");
            // another thread is not refused (it waits for the lock instead)
            std::thread::scope(|s| {
                assert!(s.spawn(|| busy.check("a getter").is_ok()).join().unwrap());
            });
        }
        assert!(busy.check("a getter").is_ok());
    }
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, PartialEq)]
    enum Error {
        Read(usize),
        Write(usize),
        Panicked(String),
    }

    impl From<WorkerPanicked> for Error {
        fn from(e: WorkerPanicked) -> Error {
            Error::Panicked(e.message().to_owned())
        }
    }

    /// Runs `overlap` over `0..n` with the work `x -> x * 10`, counting waits and the items the
    /// worker saw; `read_err` / `write_err`: the item whose read / write fails.
    fn run(
        n: usize,
        depth: usize,
        read_err: Option<usize>,
        write_err: Option<usize>,
    ) -> (Result<(), Error>, Vec<usize>, usize, usize) {
        let mut next = 0usize;
        let mut out = Vec::new();
        let worked = AtomicUsize::new(0);
        let mut waits = 0usize;
        let r = overlap(
            depth,
            || {
                if Some(next) == read_err {
                    return Err(Error::Read(next));
                }
                if next == n {
                    return Ok(None);
                }
                next += 1;
                Ok(Some(next - 1))
            },
            |x: usize| {
                worked.fetch_add(1, Ordering::SeqCst);
                x * 10
            },
            |y: usize| {
                if Some(y / 10) == write_err {
                    return Err(Error::Write(y / 10));
                }
                out.push(y);
                Ok(())
            },
            |block| {
                waits += 1;
                block();
            },
        );
        (r, out, worked.load(Ordering::SeqCst), waits)
    }

    #[test]
    fn outputs_come_back_in_order() {
        for depth in [1, 2, 3, 8] {
            let (r, out, worked, _) = run(50, depth, None, None);
            assert_eq!(r, Ok(()));
            assert_eq!(
                out,
                (0..50).map(|x| x * 10).collect::<Vec<_>>(),
                "depth {depth}"
            );
            assert_eq!(worked, 50);
        }
    }

    #[test]
    fn many_items_with_slow_and_fast_stages() {
        // the worker is slower than the reader for some items and faster for others
        let mut next = 0u64;
        let mut out = Vec::new();
        let r: Result<(), Error> = overlap(
            2,
            || {
                next += 1;
                if next.is_multiple_of(7) {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                Ok((next <= 2000).then_some(next))
            },
            |x: u64| {
                if x.is_multiple_of(5) {
                    std::thread::sleep(std::time::Duration::from_micros(300));
                }
                (x, x * x)
            },
            |y| {
                out.push(y);
                Ok(())
            },
            |block| block(),
        );
        assert_eq!(r, Ok(()));
        assert_eq!(out, (1..=2000).map(|x| (x, x * x)).collect::<Vec<_>>());
    }

    #[test]
    fn zero_items_start_no_worker_and_never_wait() {
        let (r, out, worked, waits) = run(0, 2, None, None);
        assert_eq!(r, Ok(()));
        assert!(out.is_empty());
        assert_eq!((worked, waits), (0, 0));
    }

    #[test]
    fn an_error_of_the_first_read_stops_before_any_work() {
        let (r, out, worked, waits) = run(10, 2, Some(0), None);
        assert_eq!(r, Err(Error::Read(0)));
        assert!(out.is_empty());
        assert_eq!((worked, waits), (0, 0));
    }

    #[test]
    fn an_error_of_a_later_read_is_returned_and_stops_the_worker() {
        for depth in [1, 2, 4] {
            let (r, out, worked, _) = run(100, depth, Some(5), None);
            assert_eq!(r, Err(Error::Read(5)));
            // every output written was in order, and none after the failing read
            assert_eq!(out, (0..out.len()).map(|x| x * 10).collect::<Vec<_>>());
            assert!(out.len() <= 5, "{out:?}");
            // no item past the failing read was worked on (the worker may stop before the
            // items still queued for it)
            assert!(worked <= 5, "depth {depth}: {worked}");
        }
    }

    #[test]
    fn an_error_of_a_write_is_returned_and_stops_reading() {
        for depth in [1, 2, 4] {
            let (r, out, worked, _) = run(100, depth, None, Some(3));
            assert_eq!(r, Err(Error::Write(3)));
            assert_eq!(out, vec![0, 10, 20]);
            // at most `depth` items beyond the failing one were read ahead
            assert!(worked <= 4 + depth, "depth {depth}: {worked}");
        }
    }

    #[test]
    fn a_panicking_worker_is_reported_not_swallowed() {
        let mut next = 0usize;
        let mut out = Vec::new();
        let r: Result<(), Error> = overlap(
            2,
            || {
                next += 1;
                Ok((next <= 100).then_some(next))
            },
            |x: usize| {
                assert!(x != 4, "item four is bad");
                x
            },
            |y| {
                out.push(y);
                Ok(())
            },
            |block| block(),
        );
        assert_eq!(r, Err(Error::Panicked("item four is bad".into())));
        assert_eq!(out, vec![1, 2, 3]);
    }

    #[test]
    fn a_worker_panic_wins_over_a_later_error_of_the_calling_thread() {
        let r: Result<(), Error> = overlap(
            4,
            || Ok(Some(1usize)),
            |_: usize| -> usize { std::panic::panic_any(String::from("boom")) },
            |_| Err(Error::Write(0)),
            |block| block(),
        );
        assert_eq!(r, Err(Error::Panicked("boom".into())));
    }

    #[test]
    fn a_panic_of_the_calling_thread_unwinds_after_the_worker_stopped() {
        let worked = AtomicUsize::new(0);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut next = 0usize;
            let _: Result<(), Error> = overlap(
                2,
                || {
                    next += 1;
                    assert!(next < 5, "read failed");
                    Ok(Some(next))
                },
                |x: usize| {
                    worked.fetch_add(1, Ordering::SeqCst);
                    x
                },
                |_| Ok(()),
                |block| block(),
            );
        }));
        assert!(caught.is_err());
        assert!(worked.load(Ordering::SeqCst) <= 4);
    }

    #[test]
    fn a_wait_that_does_not_run_its_closure_still_completes() {
        let mut next = 0usize;
        let mut out = Vec::new();
        let r: Result<(), Error> = overlap(
            1,
            || {
                next += 1;
                Ok((next <= 20).then_some(next))
            },
            |x: usize| x + 1,
            |y| {
                out.push(y);
                Ok(())
            },
            |_block| {},
        );
        assert_eq!(r, Ok(()));
        assert_eq!(out, (2..=21).collect::<Vec<_>>());
    }

    #[test]
    fn the_work_runs_on_another_thread() {
        let caller = std::thread::current().id();
        let mut first = true;
        let mut seen = Vec::new();
        let r: Result<(), Error> = overlap(
            2,
            || Ok(std::mem::replace(&mut first, false).then_some(())),
            |()| std::thread::current().id(),
            |id| {
                seen.push(id);
                Ok(())
            },
            |block| block(),
        );
        assert_eq!(r, Ok(()));
        assert_eq!(seen.len(), 1);
        assert_ne!(seen.first(), Some(&caller));
    }
}
