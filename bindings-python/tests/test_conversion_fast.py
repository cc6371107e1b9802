"""The fast conversion paths of batches (a column's values read by their kind once it is known,
decision dicts copied from templates) against the slow ones: every edge a fast path could get
wrong, checked lead by lead against the same leads routed one per call (where each column starts
empty, so no fast path is taken), and the decision dicts' exact form."""

import json

import pytest

import leadrail

RULES = """ruleset "t" version 3
schema lead    { region: region, size: int, share: ratio?, deal: money? }
schema partner { territories: set<region>, capacity: int, active_leads: int, last_assigned_at: datetime? }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
"""
NOW_MS = 1795510800000
FIELDS = ("id", "region", "size", "share", "deal")


class Size(int):
    """An int subclass (as IntEnum members and numpy-free wrappers are)."""


class Region(str):
    """A str subclass."""


def partners():
    return [
        {"id": "A", "territories": ["US"], "capacity": 1000, "active_leads": 0},
        {"id": "B", "territories": ["US-TX"], "capacity": 1000, "active_leads": 0},
        {"id": "C", "territories": ["DE"], "capacity": 1000, "active_leads": 0,
         "last_assigned_at": "2026-01-01T00:00:00Z"},
    ]


@pytest.fixture(scope="module")
def engine():
    return leadrail.Engine.compile(RULES)


def times(n):
    return [NOW_MS + 1000 * i for i in range(n)]


def one_by_one(engine, leads):
    """Each lead routed alone, in order, on one network: the reference (no column ever holds
    more than one value, so every value takes the general path). Each lead is first decided
    by `route()` (which changes no state): the batch of one must say the same."""
    net = engine.network(partners())
    out = []
    for lead, t in zip(leads, times(len(leads))):
        try:
            expect = {"ok": net.route(lead, t).to_dict()}
        except leadrail.DataError as e:
            expect = {"error": e.diagnostics[0]}
        [r] = net.route_batch([lead], t).to_list()
        assert r == expect
        out.append(r)
    return out, net.state()


def as_columns(leads):
    return {k: [lead.get(k) for lead in leads] for k in FIELDS}


def check_all_paths(engine, leads, columns_raise=None):
    """Dicts in one batch, columns in one batch and one lead per call agree lead by lead (and on
    the partners' state); returns the batch results. A value without a JSON form fails a whole
    columns call: `columns_raise` is then the message expected."""
    want, want_state = one_by_one(engine, leads)
    net = engine.network(partners())
    got = net.route_batch(leads, times(len(leads))).to_list()
    # the same decisions, and the same errors by code and field (a batch may word a message
    # differently: a column that became JSON reports a non-finite float itself)
    assert [r.get("ok") for r in got] == [r.get("ok") for r in want]
    assert [err(r) for r in got] == [err(r) for r in want]
    assert net.state() == want_state
    want = got
    cols = engine.network(partners())
    if columns_raise is not None:
        with pytest.raises(leadrail.DataError) as info:
            cols.route_columns(as_columns(leads), times(len(leads))).columns()
        assert info.value.message == columns_raise
        return got
    got_cols = cols.route_columns(as_columns(leads), times(len(leads))).columns()
    assert got_cols["kind"] == [r["ok"]["outcome"]["kind"] if "ok" in r else None for r in want]
    assert got_cols["target"] == [
        (r["ok"]["outcome"].get("id") or r["ok"]["outcome"].get("name")) if "ok" in r else None for r in want
    ]
    assert got_cols["rule"] == [r["ok"]["rule"] if "ok" in r else None for r in want]
    assert got_cols["error"] == [r.get("error") for r in want]
    assert cols.state() == want_state
    return got


def lead(i, **kw):
    base = {"id": f"L{i}", "region": "US", "size": 1}
    base.update(kw)
    return base


def err(r):
    return (r["error"]["code"], r["error"].get("field")) if "error" in r else None


def test_bool_is_not_an_int_after_ints(engine):
    leads = [lead(0, size=1), lead(1, size=True), lead(2, size=2), lead(3, size=False)]
    got = check_all_paths(engine, leads)
    assert [err(r) for r in got] == [
        None,
        ("leadrail::data::invalid_field", "size"),
        None,
        ("leadrail::data::invalid_field", "size"),
    ]


def test_int_subclass_reads_as_its_value(engine):
    leads = [lead(0, size=1), lead(1, size=Size(5)), lead(2, size=3)]
    got = check_all_paths(engine, leads)
    assert all("ok" in r for r in got)
    # the same leads with plain ints route the same way
    plain = [dict(l, size=int(l["size"])) for l in leads]
    assert engine.network(partners()).route_batch(plain, times(3)).to_list() == got


def test_str_subclass_reads_as_its_text(engine):
    leads = [lead(0, region="US-TX"), lead(1, region=Region("US-TX")), lead(2, region=Region("DE")),
             lead(3, region="DE"), lead(4, region=Region("US"))]
    got = check_all_paths(engine, leads)
    plain = [dict(l, region=str(l["region"])) for l in leads]
    assert engine.network(partners()).route_batch(plain, times(5)).to_list() == got
    assert [r["ok"]["outcome"].get("id") for r in got] == ["A", "B", "C", "C", "A"]
    ids = [Region(f"S{i}") for i in range(3)]
    got = check_all_paths(engine, [lead(0, id=ids[0]), lead(1, id=ids[1]), lead(2, id="plain")])
    assert all("ok" in r for r in got)


@pytest.mark.parametrize(
    "big, message",
    [
        # within u64: read, then refused by core as out of the int range
        (2**63, None),
        # beyond 64 bits: refused by the binding (a whole columns call fails)
        (2**64, "record #2, field `size`: cannot read the integer `18446744073709551616...`, which is out of the 64-bit range"),
        (-(2**63) - 1, "record #2, field `size`: cannot read the integer `-9223372036854775809...`, which is out of the 64-bit range"),
        (10**30, "record #2, field `size`: cannot read the integer `100000000000000000000000...`, which is out of the 64-bit range"),
    ],
)
def test_huge_ints_in_an_int_column(engine, big, message):
    leads = [lead(0, size=7), lead(1, size=big), lead(2, size=8), lead(3, size=-(2**63)), lead(4, size=2**63 - 1)]
    got = check_all_paths(engine, leads, columns_raise=message)
    assert [err(r) for r in got] == [None, ("leadrail::data::invalid_field", "size"), None, None, None]
    assert got[1]["error"]["record"] == "L1"
    if message is not None:
        assert got[1]["error"]["message"] == message.replace("record #2", "record `L1`")


def test_a_column_that_switches_type_midway(engine):
    leads = [
        lead(0, size=1, region="US"),
        lead(1, size=2, region="US-TX"),
        lead(2, size="3", region=5),  # a text in an int column, an int in a text column
        lead(3, size=4.0, region="DE"),
        lead(4, size=5, region="US"),
        lead(5, size=[6], region="US"),
        lead(6, size=7, region="US-TX"),
    ]
    got = check_all_paths(engine, leads)
    assert [err(r) for r in got] == [
        None,
        None,
        ("leadrail::data::invalid_field", "region"),
        None,
        None,
        ("leadrail::data::invalid_field", "size"),
        None,
    ]


def test_none_holes_and_missing_keys(engine):
    leads = [
        lead(0, size=None),
        lead(1),
        {"id": "L2", "region": "US"},
        lead(3, region=None),
        lead(4, share=None, deal=None),
        lead(5, share=0.5),
        {"id": None, "region": "US", "size": 1},
        lead(7),
    ]
    got = check_all_paths(engine, leads)
    assert [err(r) for r in got] == [
        ("leadrail::data::missing_field", "size"),
        None,
        ("leadrail::data::missing_field", "size"),
        ("leadrail::data::missing_field", "region"),
        None,
        None,
        ("leadrail::data::invalid_record", None),
        None,
    ]


def test_mixed_numeric_columns(engine):
    leads = [
        lead(0, share=0.25, deal=100),
        lead(1, share=1, deal=2.5),
        lead(2, share=0, deal="3.75"),
        lead(3, share=float("nan"), deal=1),
        lead(4, share=0.5, deal=10**20),
        lead(5, share=True, deal=1),
        lead(6, share=1.5, deal=1),
        lead(7, share=0.75, deal=float("inf")),
    ]
    got = check_all_paths(
        engine, leads, columns_raise="record #4, field `share`: cannot read `NaN`, which is not a finite number"
    )
    assert [err(r) for r in got] == [
        None,
        None,
        None,
        ("leadrail::data::invalid_field", "share"),
        ("leadrail::data::invalid_field", "deal"),  # beyond 64 bits
        ("leadrail::data::invalid_field", "share"),
        ("leadrail::data::invalid_field", "share"),
        ("leadrail::data::invalid_field", "deal"),
    ]


def test_floats_then_other_numbers(engine):
    leads = [lead(i, share=x) for i, x in enumerate([0.5, 0.25, 1, Size(0), 0.125])]
    got = check_all_paths(engine, leads)
    assert all("ok" in r for r in got)


def test_many_texts_fresh_and_shared_objects(engine):
    # more distinct objects than the address cache holds, shared objects repeated, and fresh
    # strings of equal text (built at run time): the dictionary of a text column must not mix
    # them up
    shared = ["US", "US-TX", "DE", "FR"]
    leads = []
    for i in range(3000):
        if i % 3 == 0:
            region = shared[i % 4]
        elif i % 3 == 1:
            region = "".join(["U", "S", "-TX" if i % 2 else ""])
        else:
            region = f"R{i % 700}"
        leads.append({"id": f"L{i}", "region": region, "size": i})
    got = check_all_paths(engine, leads)
    # "R..." is no region code
    assert [err(r) for r in got] == [
        ("leadrail::data::invalid_field", "region") if i % 3 == 2 else None for i in range(3000)
    ]
    assert {r["ok"]["outcome"]["id"] for r in got[1::3]} == {"A", "B"}


def test_dict_keys_not_interned_and_extra_keys(engine):
    leads = json.loads(json.dumps([lead(i, region=["US", "DE", "US-TX"][i % 3]) for i in range(6)]))
    for i, l in enumerate(leads):
        l[f"extra{i}"] = object()
        l[7] = "a key that is not text"
    got = check_all_paths(engine, leads)
    assert [r["ok"]["outcome"].get("id") for r in got] == ["A", "C", "B", "A", "C", "B"]


def test_decision_dicts_have_the_exact_form(engine):
    net = engine.network(partners())
    got = net.route_batch([lead(0), lead(1, region="DE"), lead(2, region="FR"), lead(3)], times(4)).to_list()
    assert got[0] == {
        "ok": {
            "outcome": {"kind": "partner", "id": "A"},
            "rule": "territory",
            "state_read": {"partner": "A", "version": 0, "active_leads": 0, "last_assigned_at": None},
        }
    }
    assert got[1]["ok"]["state_read"] == {
        "partner": "C", "version": 0, "active_leads": 0, "last_assigned_at": 1767225600000,
    }
    assert got[2] == {"ok": {"outcome": {"kind": "queue", "name": "triage"}, "rule": "fallback", "state_read": None}}
    assert got[3]["ok"]["state_read"] == {
        "partner": "A", "version": 1, "active_leads": 1, "last_assigned_at": NOW_MS,
    }
    # key order and plain types, as core's serde form
    for r in got:
        assert type(r) is dict and list(r) == ["ok"]
        d = r["ok"]
        assert type(d) is dict and list(d) == ["outcome", "rule", "state_read"]
        assert type(d["outcome"]) is dict
        assert list(d["outcome"]) in (["kind", "id"], ["kind", "name"])
        if d["state_read"] is not None:
            assert type(d["state_read"]) is dict
            assert list(d["state_read"]) == ["partner", "version", "active_leads", "last_assigned_at"]
            assert all(type(v) is int for k, v in d["state_read"].items() if k in ("version", "active_leads"))


def test_unrouted_decision_form():
    eng = leadrail.Engine.compile(RULES.replace('fallback queue "triage"', "fallback unrouted"))
    got = eng.network(partners()).route_batch([lead(0, region="FR"), lead(1, region="FR")], NOW_MS).to_list()
    assert got == [{"ok": {"outcome": {"kind": "unrouted"}, "rule": "fallback", "state_read": None}}] * 2
    assert list(got[0]["ok"]) == ["outcome", "rule", "state_read"]


def test_decision_dicts_are_independent_objects(engine):
    # dicts copied from templates must not share anything mutable with each other or with
    # the next batch (a partner's and a rule's templates exist from their second lead on)
    net = engine.network(partners())
    leads = [lead(i) for i in range(6)] + [lead(6 + i, region="FR") for i in range(3)]
    got = net.route_batch(leads, times(len(leads))).to_list()
    decisions = [r["ok"] for r in got]
    for part in ("outcome", "state_read"):
        objs = [d[part] for d in decisions if d[part] is not None]
        assert len({id(o) for o in objs}) == len(objs)
    assert len({id(d) for d in decisions}) == len(decisions)
    got[3]["ok"]["outcome"]["id"] = "Z"
    got[3]["ok"]["state_read"]["partner"] = "Z"
    got[3]["ok"]["rule"] = "Z"
    got[3]["ok"]["extra"] = 1
    got[7]["ok"]["outcome"]["name"] = "Z"
    got[7]["ok"]["rule"] = "Z"
    for r in got[4:6]:
        assert r["ok"]["outcome"] == {"kind": "partner", "id": "A"}
        assert r["ok"]["state_read"]["partner"] == "A"
        assert list(r["ok"]) == ["outcome", "rule", "state_read"] and r["ok"]["rule"] == "territory"
    assert got[8]["ok"] == {"outcome": {"kind": "queue", "name": "triage"}, "rule": "fallback", "state_read": None}
    again = net.route_batch([lead(10), lead(11), lead(12), lead(13, region="FR")], times(4)).to_list()
    assert [r["ok"]["outcome"] for r in again[:3]] == [{"kind": "partner", "id": "A"}] * 3
    assert list(again[2]["ok"]) == ["outcome", "rule", "state_read"]
    assert again[3]["ok"]["outcome"] == {"kind": "queue", "name": "triage"}


def test_explanations_follow_the_template_keys(engine):
    net = engine.network(partners())
    [r] = net.route_batch([lead(0)], NOW_MS, explain=True).to_list()
    assert list(r["ok"]) == ["outcome", "rule", "state_read", "explanation"]
    assert r["ok"]["outcome"] == {"kind": "partner", "id": "A"}


def test_per_lead_instants_of_every_form(engine):
    # exact ints (the fast path), an int subclass, text and a bool (rejected) in one list
    leads = [lead(i) for i in range(4)]
    net = engine.network(partners())
    got = net.route_batch(leads, [NOW_MS, Size(NOW_MS + 1000), "2026-11-24T09:00:02Z", NOW_MS + 3000]).to_list()
    assert [r["ok"]["state_read"]["last_assigned_at"] for r in got] == [None, NOW_MS, NOW_MS + 1000, NOW_MS + 2000]
    with pytest.raises(leadrail.LeadrailError) as info:
        engine.network(partners()).route_batch(leads, [NOW_MS, True, NOW_MS, NOW_MS]).to_list()
    assert info.value.code == "leadrail::request::invalid"
    with pytest.raises(leadrail.LeadrailError):
        engine.network(partners()).route_batch(leads, [NOW_MS, 2**64, NOW_MS, NOW_MS]).to_list()
