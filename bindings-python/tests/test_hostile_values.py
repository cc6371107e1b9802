"""Hostile host values (issue 10): values that contain themselves, values nested 100,000 deep,
lengths that lie, and a set given as a point. Each is a clean error naming the record and the
field, never a crash of the interpreter, and a batch that meets one changes no state."""

import sys
from collections.abc import Sequence

import pytest

import leadrail


def wire(x):
    """An SLA result in the wire form: `to_dict()` of one evaluation, of each of a list."""
    return [r.to_dict() for r in x] if isinstance(x, list) else x.to_dict()

RULES = """ruleset "t" version 1
schema lead    { region: region, size: int, location: geopoint?, tags: set<text>? }
schema partner { territories: set<region>, capacity: int, location: geopoint?, certifications: map<text, date>? }
calendar "us" { timezone "America/Chicago"  hours mon-fri 09:00-17:00 }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
sla accept { start assigned  stop accepted  goal 8h business "us"  warn 50%  on breach remind }
"""
NOW = "2026-11-24T15:00:00Z"
DEEP = 100_000
CLAIMED = 2_000_000_000


def self_list():
    x = []
    x.append(x)
    return x


def self_dict():
    x = {}
    x["x"] = x
    return x


def deep_list():
    x = []
    for _ in range(DEEP):
        x = [x]
    return x


def deep_dict():
    x = {}
    for _ in range(DEEP):
        x = {"x": x}
    return x


class LyingList(list):
    """A list whose `__len__` claims two billion items."""

    def __len__(self):
        return CLAIMED


class HugeList(list):
    """A list whose `__len__` claims `sys.maxsize` items (a reservation of that many overflows)."""

    def __len__(self):
        return sys.maxsize


class RaisingList(list):
    """A list whose `__len__` raises."""

    def __len__(self):
        raise RuntimeError("no length")


class Claims(Sequence):
    """A sequence of `items` that claims `CLAIMED` of them (or raises, `raising`)."""

    def __init__(self, items, raising=False):
        self.items = list(items)
        self.raising = raising

    def __len__(self):
        if self.raising:
            raise RuntimeError("no length")
        return CLAIMED

    def __getitem__(self, i):
        return self.items[i]


class OldClaims:
    """The old sequence protocol (`__getitem__` until IndexError) with a lying `__len__`, whose
    iterator's length hint is that claim."""

    def __init__(self, items):
        self.items = list(items)

    def __len__(self):
        return CLAIMED

    def __getitem__(self, i):
        return self.items[i]


class Column:
    """A column object whose `tolist()` returns a lying list."""

    def __init__(self, items):
        self.items = items

    def tolist(self):
        return HugeList(self.items)


# values that cannot be read as a field's value
NESTED = {
    "self_list": self_list,
    "self_dict": self_dict,
    "deep_list": deep_list,
    "deep_dict": deep_dict,
}
# values that can, although their length lies
LYING = {
    "lying_len": lambda: LyingList(["US"]),
    "huge_len": lambda: HugeList(["US"]),
    "raising_len": lambda: RaisingList(["US"]),
}


@pytest.fixture(scope="module")
def engine():
    return leadrail.Engine.compile(RULES)


def partners():
    return [
        {"id": "A", "territories": ["US"], "capacity": 3},
        {"id": "B", "territories": ["DE"], "capacity": 3},
    ]


def lead(i=0, **fields):
    return {"id": f"L{i}", "region": "US", "size": 1, **fields}


def data_error(info, record, field):
    e = info.value
    assert isinstance(e, leadrail.DataError), type(e)
    assert e.code.startswith("leadrail::data::"), e.code
    assert (e.record, e.field) == (record, field), (e.record, e.field, str(e))


# ---- partners (Engine.network) ----------------------------------------------------------------


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_network_partner_field(engine, make):
    bad = {"id": "X", "territories": make(), "capacity": 1}
    with pytest.raises(leadrail.DataError) as info:
        engine.network([*partners(), bad])
    data_error(info, "X", "territories")
    assert "nested more than 64 levels" in str(info.value)


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_network_partner_map_field(engine, make):
    bad = {"id": "X", "territories": ["US"], "capacity": 1, "certifications": {"crm": make()}}
    with pytest.raises(leadrail.DataError) as info:
        engine.network([bad])
    data_error(info, "X", "certifications")


@pytest.mark.parametrize("make", LYING.values(), ids=LYING.keys())
def test_network_partner_field_with_lying_length(engine, make):
    net = engine.network([{"id": "X", "territories": make(), "capacity": 1}])
    assert len(net) == 1


@pytest.mark.parametrize("raising", [False, True])
def test_network_partner_list_with_lying_length(engine, raising):
    assert len(engine.network(Claims(partners(), raising))) == 2
    assert len(engine.network(OldClaims(partners()))) == 2
    assert len(engine.network(LyingList(partners()))) == 2


def test_network_partner_list_that_contains_itself(engine):
    ps = partners()
    ps.append(ps)
    with pytest.raises(leadrail.DataError) as info:
        engine.network(ps)
    assert info.value.record == "#3"


def test_network_partner_set_as_point(engine):
    bad = {"id": "X", "territories": ["US"], "capacity": 1, "location": {41.9, -87.6}}
    with pytest.raises(leadrail.DataError) as info:
        engine.network([bad])
    data_error(info, "X", "location")
    assert "set" in str(info.value)
    with pytest.raises(leadrail.DataError) as info:
        engine.network([{**bad, "location": frozenset([1.0, 2.0])}])
    data_error(info, "X", "location")
    # a mapping and an ordered pair are points
    assert len(engine.network([{**bad, "location": (41.9, -87.6)}, {**bad, "id": "Y", "location": {"lat": 1, "lon": 2}}])) == 2


# ---- one lead (Network.route) -----------------------------------------------------------------


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_route_lead_field(engine, make):
    net = engine.network(partners())
    with pytest.raises(leadrail.DataError) as info:
        net.route(lead(region=make()), NOW).to_dict()
    data_error(info, "L0", "region")
    with pytest.raises(leadrail.DataError) as info:
        net.route(lead(tags=make()), NOW).to_dict()
    data_error(info, "L0", "tags")


def test_route_lead_set_as_point(engine):
    net = engine.network(partners())
    with pytest.raises(leadrail.DataError) as info:
        net.route(lead(location={41.9, -87.6}), NOW).to_dict()
    data_error(info, "L0", "location")
    assert net.route(lead(location=[41.9, -87.6]), NOW).to_dict()["outcome"]["kind"] == "partner"


@pytest.mark.parametrize("make", LYING.values(), ids=LYING.keys())
def test_route_lead_field_with_lying_length(engine, make):
    net = engine.network(partners())
    assert net.route(lead(tags=make()), NOW).to_dict()["outcome"] == {"kind": "partner", "id": "A"}


@pytest.mark.parametrize("make", [self_list, deep_list], ids=["self_list", "deep_list"])
def test_route_exclude_of_lists(engine, make):
    net = engine.network(partners())
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route(lead(), NOW, exclude=make()).to_dict()
    assert info.value.code == "leadrail::request::invalid"


@pytest.mark.parametrize("raising", [False, True])
def test_route_exclude_with_lying_lengths(engine, raising):
    net = engine.network(partners())
    for exclude in [Claims(["A"], raising), OldClaims(["A"]), LyingList(["A"]), HugeList(["A"]), RaisingList(["A"])]:
        assert net.route(lead(), NOW, exclude=exclude).to_dict()["outcome"]["kind"] == "queue"


# ---- batches (route_batch, route_columns) -----------------------------------------------------


@pytest.mark.parametrize("as_columns", [False, True])
@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_route_batch_lead_field(engine, make, as_columns):
    net = engine.network(partners())
    before = net.state()
    got = net.route_batch([lead(1, region=make()), lead(2, location={1.0, 2.0})], NOW, as_columns=as_columns)
    errors = got["error"] if as_columns else [r["error"] for r in got.to_list()]
    assert [(e["code"], e["record"], e["field"]) for e in errors] == [
        ("leadrail::data::invalid_field", "L1", "region"),
        ("leadrail::data::invalid_field", "L2", "location"),
    ]
    assert net.state() == before


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_route_batch_lead_that_is_not_a_mapping(engine, make):
    net = engine.network(partners())
    before = net.state()
    got = net.route_batch([make(), lead(1)], NOW).to_list()
    assert got[0]["error"]["record"] == "#1"
    assert got[1]["ok"]["outcome"]["id"] == "A"
    net.load_state(before)
    assert net.state() == before


@pytest.mark.parametrize("raising", [False, True])
def test_route_batch_with_lying_lengths(engine, raising):
    want = engine.network(partners()).route_batch([lead(0), lead(1)], NOW).to_list()
    for leads in [
        Claims([lead(0), lead(1)], raising),
        OldClaims([lead(0), lead(1)]),
        LyingList([lead(0), lead(1)]),
        HugeList([lead(0), lead(1)]),
    ]:
        assert engine.network(partners()).route_batch(leads, NOW).to_list() == want
    net = engine.network(partners())
    assert net.route_batch([lead(0), lead(1)], LyingList([NOW, NOW])).to_list() == want
    assert engine.network(partners()).route_batch([lead(0), lead(1)], HugeList([NOW, NOW])).to_list() == want
    assert net.route_batch([lead(2)], NOW, exclude=Claims(["A"], raising)).to_list()[0]["ok"]["outcome"]["kind"] == "queue"


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_route_columns_value(engine, make):
    net = engine.network(partners())
    before = net.state()
    with pytest.raises(leadrail.DataError) as info:
        net.route_columns({"id": ["L1", "L2"], "region": ["US", make()], "size": [1, 1]}, NOW).columns()
    data_error(info, "#2", "region")
    assert net.state() == before


def test_route_columns_set_as_point(engine):
    net = engine.network(partners())
    before = net.state()
    cols = {"id": ["L1", "L2"], "region": ["US", "US"], "size": [1, 1], "location": [(1.0, 2.0), {1.0, 2.0}]}
    with pytest.raises(leadrail.DataError) as info:
        net.route_columns(cols, NOW).columns()
    data_error(info, "#2", "location")
    assert net.state() == before


def test_route_columns_with_lying_lengths(engine):
    want = engine.network(partners()).route_columns({"id": ["L1", "L2"], "region": ["US", "US"], "size": [1, 1]}, NOW).columns()
    for col in [LyingList, HugeList, Column, lambda x: Claims(x), lambda x: Claims(x, raising=True)]:
        got = engine.network(partners()).route_columns(
            {"id": col(["L1", "L2"]), "region": col(["US", "US"]), "size": col([1, 1])}, NOW
        ).columns()
        assert got == want
    got = engine.network(partners()).route_columns(
        {"id": ["L1", "L2"], "region": ["US", "US"], "size": [1, 1]}, Column([NOW, NOW])
    ).columns()
    assert got == want


# ---- state ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_load_state(engine, make):
    net = engine.network(partners())
    before = net.state()
    with pytest.raises(leadrail.DataError) as info:
        net.load_state({"seq": 0, "partners": make()})
    data_error(info, "state", "partners")
    with pytest.raises(leadrail.DataError) as info:
        net.load_state({**before, "extra": make()})
    data_error(info, "state", "extra")
    assert net.state() == before


# ---- SLA evaluation ---------------------------------------------------------------------------


ASSIGNED = {"at": NOW, "event": "assigned", "partner": "A"}


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_sla_events(engine, make):
    with pytest.raises(leadrail.DataError) as info:
        wire(engine.evaluate_sla({"lead": "L1", "events": make()}, NOW))
    data_error(info, "L1", "events")
    with pytest.raises(leadrail.DataError) as info:
        wire(engine.evaluate_sla({"lead": "L1", "events": [{**ASSIGNED, "data": make()}]}, NOW))
    data_error(info, "L1", "events")
    with pytest.raises(leadrail.DataError) as info:
        wire(engine.evaluate_sla([{"lead": "L1", "events": [ASSIGNED]}, {"lead": "L2", "events": make()}], NOW))
    data_error(info, "L2", "events")
    with pytest.raises(leadrail.DataError) as info:
        engine.next_deadline({"lead": "L1", "events": make()}, NOW)
    data_error(info, "L1", "events")


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_sla_timeline_list(engine, make):
    timelines = [{"lead": "L1", "events": [ASSIGNED]}]
    timelines.append(make())
    with pytest.raises(leadrail.DataError) as info:
        wire(engine.evaluate_sla(timelines, NOW))
    assert info.value.record == "timelines[1]"


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_sla_partner_calendars(engine, make):
    tl = {"lead": "L1", "events": [ASSIGNED]}
    with pytest.raises(leadrail.DataError) as info:
        wire(engine.evaluate_sla(tl, NOW, partner_calendars={"A": make()}))
    data_error(info, "partner_calendars", "A")
    with pytest.raises(leadrail.DataError) as info:
        engine.next_deadline(tl, NOW, partner_calendars={"A": make()})
    data_error(info, "partner_calendars", "A")


@pytest.mark.parametrize("raising", [False, True])
def test_sla_with_lying_lengths(engine, raising):
    tl = {"lead": "L1", "events": [ASSIGNED]}
    want = wire(engine.evaluate_sla(tl, NOW))
    assert wire(engine.evaluate_sla({"lead": "L1", "events": LyingList([ASSIGNED])}, NOW)) == want
    assert wire(engine.evaluate_sla({"lead": "L1", "events": RaisingList([ASSIGNED])}, NOW)) == want
    assert wire(engine.evaluate_sla({"lead": "L1", "events": HugeList([ASSIGNED])}, NOW)) == want
    assert wire(engine.evaluate_sla(Claims([tl], raising), NOW)) == [{"ok": want}]
    assert wire(engine.evaluate_sla(tl, NOW, done=LyingList([]))) == want


# ---- points -----------------------------------------------------------------------------------


def test_points_with_lying_lengths():
    a = (41.9, -87.6)
    want = leadrail.distances_km(a, [a, a])
    assert leadrail.distances_km(a, Claims([a, a])) == want
    assert leadrail.distances_km(a, Claims([a, a], raising=True)) == want
    assert leadrail.distances_km(a, OldClaims([a, a])) == want
    assert leadrail.distances_km(a, LyingList([a, a])) == want
    assert leadrail.distances_km(a, HugeList([a, a])) == want


def test_set_is_not_a_point():
    for point in [{41.9, -87.6}, frozenset([41.9, -87.6])]:
        with pytest.raises(leadrail.DataError) as info:
            leadrail.haversine_km(point, (0, 0))
        assert info.value.record == "a"
        with pytest.raises(leadrail.DataError) as info:
            leadrail.distances_km((0, 0), [(0, 0), point])
        assert info.value.record == "points[1]"
