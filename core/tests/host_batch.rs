//! The host layer's batch runner (`SharedNetwork::route_batch`): a big batch routed in chunks on
//! two threads gives exactly the results, errors and state of the same batch in one piece and
//! of small batches routed one after the other; a batch that fails in a later chunk leaves the
//! state as it was; a chunk that asks for one piece restarts the batch in one piece; host code a
//! batch runs gets the busy error; instants are checked before any lead is read.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod host_support;

use host_support::*;
use leadrail_core::host::{BatchError, Chunking, Host, Instants, Rows, SharedNetwork, MIN_CHUNKED};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, RouteOptions};
use serde_json::Value as Json;

const N: usize = 40_000;

/// Bad leads on both sides of every chunk boundary, the first and the last.
fn bad_rows() -> Vec<usize> {
    let mut bad = vec![0, N - 1];
    for end in Chunking::ShortEdges.ends(N) {
        if end < N {
            bad.extend([end - 1, end]);
        }
    }
    bad
}

/// Routes `leads` through a shared network with `host` set up by `setup`; the results (or the
/// error), the host, and the state after.
fn run<'a>(
    leads: Vec<Json>,
    instants: &Instants,
    opts: &RouteOptions,
    setup: impl FnOnce(&mut TestHost<'a>),
) -> (Result<(), BatchError<String>>, TestHost<'a>, Json) {
    let engine = engine();
    let shared = SharedNetwork::new(network(), Host::RUST);
    let mut host = TestHost::new(leads);
    setup(&mut host);
    let n = host.leads.len();
    let r = shared.route_batch(&engine, n, instants, opts, &mut host);
    let st = shared.read(state).unwrap();
    (r, host, st)
}

/// The same leads routed in small batches of `size` on one network (each batch's rows named by
/// their position in the whole batch), and the state after.
fn in_small_batches(
    leads: &[Json],
    instants: &Instants,
    opts: &RouteOptions,
    size: usize,
) -> (Vec<Result<Decision, ErrorReport>>, Json) {
    let engine = engine();
    let mut net = network();
    let schema = lead_schema();
    let mut out = Vec::new();
    for a in (0..leads.len()).step_by(size) {
        let b = (a + size).min(leads.len());
        let results = Rows::from_json(Host::RUST, &schema, &leads[a..b])
            .starting_at(a)
            .prepare(&engine)
            .route(&engine, &mut net, instants, opts);
        assert_eq!(results.start(), a);
        out.extend(results.decisions());
    }
    (out, state(&net))
}

fn per_lead() -> Instants {
    Instants::PerLead((0..N as i64).map(|i| NOW + 1000 * i).collect())
}

#[test]
fn a_chunked_batch_equals_one_piece_and_small_batches() {
    for (instants, opts) in [
        (Instants::One(NOW), RouteOptions::default()),
        (per_lead(), RouteOptions::default()),
        (
            Instants::Step {
                start: NOW,
                step_ms: 1000,
            },
            RouteOptions::default(),
        ),
        (
            per_lead(),
            RouteOptions {
                explain: true,
                exclude: vec!["P001".into(), "P002".into()],
            },
        ),
    ] {
        let xs = leads(N, &bad_rows());
        let (r, chunked, st) = run(xs.clone(), &instants, &opts, |_| {});
        r.unwrap();
        // in chunks: one read and one emit per chunk, in order, waiting with the host's lock
        // released
        let ends = Chunking::ShortEdges.ends(N);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(ends.iter().copied())
            .take(ends.len())
            .collect();
        assert_eq!(chunked.starts, starts);
        assert_eq!(
            chunked.reads,
            starts
                .iter()
                .zip(&ends)
                .map(|(a, b)| *a..*b)
                .collect::<Vec<_>>()
        );
        assert!(chunked.detached > 0);
        let (r, whole, st_whole) = run(xs.clone(), &instants, &opts, |h| h.chunked = false);
        r.unwrap();
        assert_eq!(whole.reads, vec![0..N]);
        assert_eq!(whole.starts, vec![0]);
        let (small, st_small) = in_small_batches(&xs, &instants, &opts, 5_000);
        // the other shape of chunks
        let (r, equal, st_equal) = run(xs.clone(), &instants, &opts, |h| {
            h.chunking = Chunking::Equal
        });
        r.unwrap();
        assert_eq!(equal.reads, vec![0..16_384, 16_384..32_768, 32_768..N]);
        assert_eq!(equal.out, whole.out);
        assert_eq!(st_equal, st_whole);
        assert_eq!(chunked.out, whole.out);
        assert_eq!(chunked.out, small);
        assert_eq!(st, st_whole);
        assert_eq!(st, st_small);
        // the batch routed, queued and rejected leads, and filled some partners up
        let k = kinds(&chunked.out);
        assert_eq!(k["error"], bad_rows().len());
        assert!(k["partner"] > 1_000 && k["queue"] > 1_000, "{k:?}");
    }
}

#[test]
fn small_batches_are_routed_in_one_piece() {
    let xs = leads(MIN_CHUNKED - 1, &[5]);
    let (r, host, _) = run(xs, &Instants::One(NOW), &RouteOptions::default(), |_| {});
    r.unwrap();
    assert_eq!(host.reads, vec![0..MIN_CHUNKED - 1]);
    assert_eq!(host.out.len(), MIN_CHUNKED - 1);
    assert!(host.out[5].is_err());
}

#[test]
fn a_host_error_in_a_later_chunk_leaves_the_state_as_it_was() {
    let before = state(&network());
    let (r, host, st) = run(
        leads(N, &[]),
        &Instants::One(NOW),
        &RouteOptions::default(),
        |h| h.fail_read = Some(35_000),
    );
    assert!(matches!(r, Err(BatchError::Host(ref e)) if e == "no reading today"));
    // some chunks were routed before the failing read
    assert!(!host.out.is_empty());
    assert_eq!(st, before);

    let (r, host, st) = run(
        leads(N, &[]),
        &Instants::One(NOW),
        &RouteOptions::default(),
        |h| h.fail_emit = Some(1),
    );
    assert!(matches!(r, Err(BatchError::Host(ref e)) if e == "no writing today"));
    assert_eq!(host.starts, vec![0]);
    assert_eq!(st, before);
}

#[test]
fn a_chunk_that_asks_for_one_piece_restarts_the_batch_in_one_piece() {
    let xs = leads(N, &[3, 30_000]);
    let (r, host, st) = run(xs.clone(), &per_lead(), &RouteOptions::default(), |h| {
        h.one_piece = Some(30_000)
    });
    r.unwrap();
    assert_eq!(host.restarts, 1);
    assert_eq!(host.reads.last(), Some(&(0..N)));
    assert_eq!(host.starts, vec![0]);
    let (small, st_small) = in_small_batches(&xs, &per_lead(), &RouteOptions::default(), 7_000);
    assert_eq!(host.out, small);
    assert_eq!(st, st_small);
}

#[test]
fn instants_are_checked_before_any_lead_is_read() {
    let before = state(&network());
    for n in [10, N] {
        let (r, host, st) = run(
            leads(n, &[]),
            &Instants::PerLead(vec![NOW; 3]),
            &RouteOptions::default(),
            |_| {},
        );
        match r {
            Err(BatchError::Report(e)) => {
                assert_eq!(e.message, format!("{n} leads but 3 instants"));
                assert_eq!(e.code, "leadrail::request::invalid");
            }
            other => panic!("{other:?}"),
        }
        assert!(host.reads.is_empty());
        assert_eq!(st, before);
        let (r, host, _) = run(
            leads(n, &[]),
            &Instants::Step {
                start: i64::MAX - 5,
                step_ms: 1,
            },
            &RouteOptions::default(),
            |_| {},
        );
        assert!(
            matches!(r, Err(BatchError::Report(ref e)) if e.message.contains("in steps of 1 ms"))
        );
        assert!(host.reads.is_empty());
    }
}

#[test]
fn host_code_a_chunked_batch_runs_gets_the_busy_error() {
    let engine = engine();
    let shared = SharedNetwork::new(network(), Host::RUST);
    let seen = std::cell::RefCell::new(Vec::new());
    let mut host = TestHost::new(leads(N, &[]));
    host.on_read = Some(Box::new(|| {
        // the network's own methods and a nested batch
        let read = shared.read(|n| n.len()).map(|_| ());
        let write = shared.write(|_| ()).map(|_| ());
        let mut nested = TestHost::new(leads(3, &[]));
        let batch = match shared.route_batch(
            &engine,
            3,
            &Instants::One(NOW),
            &RouteOptions::default(),
            &mut nested,
        ) {
            Err(BatchError::Report(e)) => Err(e),
            other => Ok(other.map_err(|_| ())),
        };
        // another thread is not refused: it waits for the batch
        let other = std::thread::scope(|s| s.spawn(|| shared.is_poisoned()).join().unwrap());
        seen.borrow_mut().push((read, write, batch, other));
    }));
    shared
        .route_batch(
            &engine,
            N,
            &Instants::One(NOW),
            &RouteOptions::default(),
            &mut host,
        )
        .unwrap();
    drop(host);
    let seen = seen.into_inner();
    assert_eq!(seen.len(), Chunking::ShortEdges.ends(N).len());
    for (read, write, batch, other) in seen {
        assert_eq!(read.unwrap_err().code, "leadrail::request::busy");
        let w = write.unwrap_err();
        assert_eq!(w.code, "leadrail::request::busy");
        assert!(
            w.message.contains("(code that reads the leads)"),
            "{}",
            w.message
        );
        assert_eq!(batch.unwrap_err().code, "leadrail::request::busy");
        assert!(!other);
    }
    // after the batch the network serves calls again
    assert_eq!(shared.read(|n| n.len()).unwrap(), 60);
}

#[test]
fn a_poisoned_network_reports_it() {
    let shared = SharedNetwork::new(network(), Host::RUST);
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        shared.write(|_| panic!("boom")).unwrap();
    }));
    assert!(shared.is_poisoned());
    let e = shared.read(|n| n.len()).unwrap_err();
    assert_eq!(
        e.message,
        "the network is unusable after a failure in another thread"
    );
    let mut host = TestHost::new(leads(N, &[]));
    let r = shared.route_batch(
        &engine(),
        N,
        &Instants::One(NOW),
        &RouteOptions::default(),
        &mut host,
    );
    assert!(matches!(r, Err(BatchError::Report(ref e)) if e.message.contains("unusable")));
}
