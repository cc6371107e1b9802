"""Big batches routed in chunks (a second thread routes chunk k while the calling thread converts
the next one): exactly the results, errors and state of routing the same leads in order in small
batches (which take the one-piece path), with bad leads at the chunk boundaries, per-lead
instants, error positions counted in the whole batch, errors raised after some chunks were
routed (the state is as before), and threads sharing one network."""

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pytest

import leadrail

RULES = """ruleset "c" version 1
schema lead    { region: region, line: text, size: int, wait: duration? }
schema partner { territories: set<region>, lines: set<text>, capacity: int, active_leads: int,
                 score: ratio, last_assigned_at: datetime? }
route "best" {
  require partner.territories covers lead.region
  require lead.line in partner.lines
  require partner.active_leads < partner.capacity
  rank    partner.score - partner.active_leads / partner.capacity
  tie     round_robin
}
fallback queue "triage"
"""
NOW_MS = 1795510800000
REGIONS = ["US", "US-TX", "US-CA", "DE", "DE-BY", "FR", "GB", "JP"]
LEAD_REGIONS = REGIONS + ["BR"]  # no partner covers BR: those leads go to the queue
LINES = [f"l{i}" for i in range(6)]

# The sizes (core's host layer, leadrail_core::host::MIN_CHUNKED and Chunking::Equal, which the
# binding picks): batches of 32,768 leads or more are chunked, in chunks of max(16,384, n / 6)
# leads.
N = 40_000
BOUNDARIES = [16_383, 16_384, 32_767, 32_768]


def partners():
    return [
        {
            "id": f"P{i:03d}",
            "territories": [REGIONS[i % len(REGIONS)], REGIONS[(i * 3 + 1) % len(REGIONS)]],
            "lines": [LINES[i % len(LINES)], LINES[(i + 2) % len(LINES)]],
            "capacity": 50 + (i * 37) % 400,
            "active_leads": i % 7,
            "score": ((i * 7919) % 1000) / 1000,
        }
        for i in range(120)
    ]


def leads(n=N):
    out = [
        {"id": f"L{i:06d}", "region": LEAD_REGIONS[(i * 5) % len(LEAD_REGIONS)], "line": LINES[(i * 11) % len(LINES)],
         "size": i % 1000}
        for i in range(n)
    ]
    # bad leads on both sides of every chunk boundary, first and last
    for i in BOUNDARIES + [0, n - 1]:
        out[i] = dict(out[i], size="big")
    out[16_000]["wait"] = "soon"
    # leads known only by their position (no id) past the first chunk
    del out[20_000]["id"]
    out[32_769] = dict(out[32_769], id=None)
    return out


@pytest.fixture(scope="module")
def engine():
    return leadrail.Engine.compile(RULES)


def at_position(r, offset):
    """A small batch's result as the same lead's result in the whole batch (positions shift)."""
    e = r.get("error")
    if e is None or not (e.get("record") or "").startswith("#"):
        return r
    local = int(e["record"][1:])
    e = dict(e, record=f"#{local + offset}")
    e["message"] = e["message"].replace(f"record #{local}", f"record #{local + offset}", 1)
    return {"error": e}


def in_small_batches(net, xs, times, size=10_000, **kw):
    out = []
    for a in range(0, len(xs), size):
        t = times[a:a + size] if isinstance(times, list) else times
        out += [at_position(r, a) for r in net.route_batch(xs[a:a + size], t, **kw).to_list()]
    return out


def routed_as_in_small_batches(engine, xs, times, **kw):
    """`route_batch` of all of `xs` on a fresh network, checked equal (results and state after)
    to routing them in small batches on another; returns the results."""
    net = engine.network(partners())
    got = net.route_batch(xs, times, **kw).to_list()
    ref = engine.network(partners())
    assert got == in_small_batches(ref, xs, times, **kw)
    assert net.state() == ref.state()
    return got


@pytest.mark.parametrize("per_lead", [False, True])
def test_a_chunked_batch_equals_small_batches(engine, per_lead):
    xs = leads()
    times = [NOW_MS + 1000 * i for i in range(N)] if per_lead else NOW_MS
    got = routed_as_in_small_batches(engine, xs, times)
    # the batch exercised routed, queued and bad leads in every chunk
    kinds = [r["ok"]["outcome"]["kind"] if "ok" in r else "error" for r in got]
    for a, b in [(0, 16_384), (16_384, 32_768), (32_768, N)]:
        assert {"partner", "queue", "error"} <= set(kinds[a:b])
    assert [i for i, k in enumerate(kinds) if k == "error"] == sorted(
        BOUNDARIES + [0, N - 1, 16_000, 20_000, 32_769]
    )


def test_error_positions_count_in_the_whole_batch(engine):
    got = engine.network(partners()).route_batch(leads(), NOW_MS).to_list()
    assert got[20_000]["error"]["record"] == "#20001"
    assert got[20_000]["error"]["message"] == "record #20001: missing `id`"
    assert got[32_769]["error"]["record"] == "#32770"
    assert got[32_769]["error"]["message"].startswith("record #32770: ")
    assert got[16_384]["error"]["record"] == "L016384"
    assert got[16_000]["error"]["field"] == "wait"


def test_explanations_and_exclusions_in_chunks(engine):
    got = routed_as_in_small_batches(engine, leads(), NOW_MS, explain=True, exclude=["P001", "P002"])
    assert "explanation" in got[1]["ok"]


def test_other_iterables_are_chunked_like_lists(engine):
    xs = leads()
    a = engine.network(partners())
    b = engine.network(partners())
    assert a.route_batch(iter(xs), NOW_MS).to_list() == b.route_batch(xs, NOW_MS).to_list()
    assert a.state() == b.state()


def columns_of(xs):
    cols = {k: [x.get(k) for x in xs] for k in ("id", "region", "line", "size")}
    cols["wait"] = [x.get("wait") for x in xs]
    return cols


@pytest.mark.parametrize("per_lead", [False, True])
def test_chunked_columns_equal_small_batches(engine, per_lead):
    xs = leads()
    times = [NOW_MS + 1000 * i for i in range(N)] if per_lead else NOW_MS
    net = engine.network(partners())
    cols = columns_of(xs)
    cols["region"] = tuple(cols["region"])  # tuples are chunked too
    got = net.route_columns(cols, times).columns()
    ref = engine.network(partners())
    want = in_small_batches(ref, xs, times)
    assert got["error"] == [r.get("error") for r in want]
    assert got["kind"] == [r["ok"]["outcome"]["kind"] if "ok" in r else None for r in want]
    assert got["target"] == [
        (r["ok"]["outcome"].get("id") or r["ok"]["outcome"].get("name")) if "ok" in r else None for r in want
    ]
    assert got["rule"] == [r["ok"]["rule"] if "ok" in r else None for r in want]
    assert net.state() == ref.state()
    assert got["error"][20_000]["message"] == "record #20001: missing `id`"


class Raising(Mapping):
    """A mapping whose reads fail (a Python error, raised as is)."""

    def __init__(self, d):
        self.d = d

    def __getitem__(self, key):
        raise RuntimeError("no reading today")

    def __iter__(self):
        return iter(self.d)

    def __len__(self):
        return len(self.d)


def test_an_exception_in_a_later_chunk_leaves_the_state_as_it_was(engine):
    xs = leads()
    xs[35_000] = Raising(xs[35_000])
    net = engine.network(partners())
    before = net.state()
    with pytest.raises(RuntimeError, match="no reading today"):
        net.route_batch(xs, NOW_MS).to_list()
    assert net.state() == before
    # and the network still routes
    assert net.route_batch(leads(), NOW_MS).to_list() == engine.network(partners()).route_batch(leads(), NOW_MS).to_list()


def test_a_bad_column_value_in_a_later_chunk_raises_as_in_one_piece(engine):
    xs = leads()
    cols = columns_of(xs)
    cols["wait"][35_000] = object()
    net = engine.network(partners())
    before = net.state()
    with pytest.raises(leadrail.DataError) as info:
        net.route_columns(cols, NOW_MS).columns()
    assert info.value.message.startswith("record #35001, field `wait`: cannot read ")
    assert net.state() == before
    # the same error as a small batch of the same columns reports (at its own position)
    small = {k: v[34_999:35_002] for k, v in cols.items()}
    with pytest.raises(leadrail.DataError) as one:
        engine.network(partners()).route_columns(small, NOW_MS).columns()
    assert one.value.message == info.value.message.replace("#35001", "#2")
    # the first bad column in field order wins, wherever its bad row is
    cols["size"][39_000] = object()
    with pytest.raises(leadrail.DataError) as info:
        net.route_columns(cols, NOW_MS).columns()
    assert info.value.message.startswith("record #39001, field `size`: cannot read ")
    assert net.state() == before


def test_a_bad_instant_in_a_later_chunk_raises_as_in_one_piece(engine):
    net = engine.network(partners())
    before = net.state()
    times = [NOW_MS + 1000 * i for i in range(N)]
    times[35_000] = 1.5
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route_batch(leads(), times).to_list()
    with pytest.raises(leadrail.LeadrailError) as one:
        small = [{"id": f"S{i}", "region": "US", "line": "l0", "size": 1} for i in range(10)]
        engine.network(partners()).route_batch(small, times[34_995:35_005]).to_list()
    assert info.value.message == one.value.message
    assert "`float`" in info.value.message
    assert net.state() == before
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route_columns(columns_of(leads()), tuple(times)).columns()
    assert info.value.message == one.value.message
    assert net.state() == before


def test_big_batches_raise_argument_errors_as_before(engine):
    net = engine.network(partners())
    before = net.state()
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route_batch(leads(), [NOW_MS] * 3).to_list()
    assert info.value.message == f"{N} leads but 3 instants"
    with pytest.raises(leadrail.LeadrailError):
        net.route_batch(leads(), NOW_MS, exclude=[1]).to_list()
    cols = columns_of(leads())
    cols["size"] = cols["size"][:-1]
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route_columns(cols, NOW_MS).columns()
    assert info.value.message == f"column `size` has {N - 1} values but `id` has {N}"
    assert net.state() == before


def test_threads_share_one_network_with_big_batches(engine):
    xs = leads()
    # two identical batches one after the other, in either order, give the same two results
    seq = engine.network(partners())
    first, second = seq.route_batch(xs, NOW_MS).to_list(), seq.route_batch(xs, NOW_MS).to_list()
    assert first != second

    net = engine.network(partners())
    stop = threading.Event()
    reads = []

    def reader():
        # state and len wait for the lock without the GIL, so a batch holding the lock while it
        # converts with the GIL is not blocked by them
        while not stop.is_set():
            reads.append((len(net), net.state()["seq"]))
            time.sleep(0.002)

    t = threading.Thread(target=reader)
    t.start()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            outs = list(pool.map(lambda _: net.route_batch(xs, NOW_MS).to_list(), range(2)))
    finally:
        stop.set()
        t.join(timeout=60)
    assert not t.is_alive()
    assert sorted(outs, key=lambda o: o == second) == [first, second]
    assert net.state() == seq.state()
    # a reader sees a batch whole or not at all
    routed = sum(1 for r in first if "ok" in r and r["ok"]["outcome"]["kind"] == "partner")
    assert reads and {s for _, s in reads} <= {0, routed, routed + sum(
        1 for r in second if "ok" in r and r["ok"]["outcome"]["kind"] == "partner")}


def test_chunks_with_and_without_the_bindings_own_errors(engine):
    # A chunk whose rows all read as columns is parsed by core on the routing thread; a chunk
    # with a row the binding rejects itself (not a mapping; a value without a JSON form) is
    # parsed on the calling thread. Both kinds in one batch give what small batches give.
    xs = leads()
    xs[17_000] = 42
    xs[30_000] = dict(xs[30_000], size=object())
    xs[39_000] = dict(xs[39_000], region=float("nan"))
    got = routed_as_in_small_batches(engine, xs, [NOW_MS + 1000 * i for i in range(N)])
    assert got[17_000]["error"]["record"] == "#17001"
    assert got[17_000]["error"]["message"].startswith("record #17001: expected an object")
    assert got[30_000]["error"]["field"] == "size"
    assert got[39_000]["error"]["field"] == "region"
    assert "ok" in got[17_001] and "ok" in got[30_001]


class HookedLead(Mapping):
    """A lead mapping whose reading of `region` first runs `hook` (host code a batch runs)."""

    def __init__(self, lead, hook=None):
        self.lead = lead
        self.hook = hook

    def __getitem__(self, key):
        if key == "region" and self.hook is not None:
            self.hook()
        return self.lead[key]

    def __iter__(self):
        return iter(self.lead)

    def __len__(self):
        return len(self.lead)


def test_the_network_is_busy_for_code_its_chunked_batch_runs(engine):
    # A chunked batch holds the network's lock while it reads the leads; code that reading runs
    # cannot wait for the lock (it would wait for itself): each call raises the busy error, and
    # the batch carries on.
    net = engine.network(partners())
    small = [{"id": f"S{i}", "region": "US", "line": "l1", "size": 1} for i in range(3)]
    calls = {
        "state": lambda: net.state(),
        "len": lambda: len(net),
        "route": lambda: net.route(small[1], NOW_MS).to_dict(),
        "route_batch": lambda: net.route_batch(small, NOW_MS).to_list(),
        "route_batch_big": lambda: net.route_batch(leads(), NOW_MS).to_list(),
        "route_columns": lambda: net.route_columns({"id": ["a"], "region": ["US"], "line": ["l1"], "size": [1]}, NOW_MS).columns(),
        "load_state": lambda: net.load_state(net_state),
    }
    net_state = engine.network(partners()).state()
    seen = {}

    def hook():
        for name, call in calls.items():
            try:
                call()
                seen[name] = "returned"
            except leadrail.LeadrailError as e:
                seen[name] = e.code

    xs = leads()
    xs[20_000] = HookedLead(xs[20_000], hook)
    got = net.route_batch(xs, NOW_MS).to_list()
    assert seen == {name: "leadrail::request::busy" for name in calls}
    ref = engine.network(partners())
    assert got == ref.route_batch(leads(), NOW_MS).to_list()
    assert net.state() == ref.state()
    # after the batch the network serves calls again
    assert len(net) == len(partners())


def test_a_busy_error_not_caught_stops_the_batch_and_changes_nothing(engine):
    net = engine.network(partners())
    before = net.state()
    xs = leads()
    xs[30_000] = HookedLead(xs[30_000], lambda: net.state())
    with pytest.raises(leadrail.LeadrailError) as e:
        net.route_batch(xs, NOW_MS).to_list()
    assert e.value.code == "leadrail::request::busy"
    assert "routing a batch" in e.value.message
    assert net.state() == before
    assert "ok" in net.route_batch([{"id": "S1", "region": "US", "line": "l1", "size": 1}], NOW_MS).to_list()[0]
