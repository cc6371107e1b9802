"""A portal's single-lead flow (issue 12, item 4): `assign` routes and records exactly as a one-lead
batch does, partners are added, changed and removed on a live network, `release` frees a workload
slot once, and a call that fails changes nothing."""

import pytest

import leadrail

RULES = """ruleset "flows" version 1
schema lead    { region: region }
schema partner { territories: set<region>, capacity: int, active_leads: int }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
"""
NOW = "2026-11-24T09:00:00Z"


def partner(pid, capacity=10, territories=("US",)):
    return {"id": pid, "territories": list(territories), "capacity": capacity, "active_leads": 0}


def lead(lid, region="US-TX"):
    return {"id": lid, "region": region}


@pytest.fixture
def engine():
    return leadrail.Engine.compile(RULES)


def target(d):
    o = d.outcome
    return o.id if o.kind == "partner" else f"{o.kind} {o.name}"


def test_three_assigns_give_the_batch_decisions(engine):
    net = engine.network([partner("P1"), partner("P2")])
    assert [target(net.route(lead(f"L{i}"), NOW)) for i in range(3)] == ["P1", "P1", "P1"]
    assert [target(net.assign(lead(f"L{i}"), NOW)) for i in range(3)] == ["P1", "P2", "P1"]
    batch_net = engine.network([partner("P1"), partner("P2")])
    batch = batch_net.route_batch([lead(f"L{i}") for i in range(3)], NOW)
    assert [r.ok.outcome.id for r in batch] == ["P1", "P2", "P1"]
    # the same partner state as the batch, plus the leads held
    state = net.state()
    assert state.pop("held") == [
        {"lead": "L0", "partner": "P1"},
        {"lead": "L1", "partner": "P2"},
        {"lead": "L2", "partner": "P1"},
    ]
    assert state == batch_net.state()
    assert net.holder("L1") == "P2" and net.holder("nope") is None


def test_release_frees_a_slot_once(engine):
    net = engine.network([partner("P1", capacity=1)])
    assert target(net.assign(lead("L1"), NOW)) == "P1"
    assert target(net.assign(lead("L2"), NOW)) == "queue triage"
    assert net.release("L1") == "P1"
    before = net.state()
    for lid in ("L1", "L2", "never"):
        with pytest.raises(leadrail.DataError) as info:
            net.release(lid)
        assert info.value.code == "leadrail::data::unknown_lead"
        assert info.value.record == lid
        assert str(info.value) == f"no held lead `{lid}` in the network"
    assert net.state() == before
    assert target(net.assign(lead("L2"), NOW)) == "P1"


def test_release_of_a_batch_lead_names_its_partner(engine):
    net = engine.network([partner("P1", capacity=1)])
    assert net.route_batch([lead("B1")], NOW)[0].ok.outcome.id == "P1"
    with pytest.raises(leadrail.DataError):
        net.release("B1")
    assert net.release("B1", partner="P1") == "P1"
    assert net.state()["partners"][0]["active_leads"] == 0


def test_a_held_lead_cannot_be_assigned_twice(engine):
    net = engine.network([partner("P1"), partner("P2")])
    net.assign(lead("L1"), NOW)
    before = net.state()
    with pytest.raises(leadrail.DataError) as info:
        net.assign(lead("L1"), NOW)
    assert info.value.code == "leadrail::data::lead_held"
    assert net.state() == before


def test_partners_added_changed_and_removed(engine):
    net = engine.network([partner("P1")])
    net.add_partner(partner("P2"))
    assert len(net) == 2
    assert [target(net.assign(lead(f"L{i}"), NOW)) for i in range(4)] == ["P1", "P2", "P1", "P2"]
    # P1 moves to Germany: its state stays
    net.update_partner(partner("P1", territories=["DE"]))
    p1 = net.state()["partners"][0]
    assert (p1["active_leads"], p1["assigned"], p1["version"]) == (2, 2, 3)
    assert target(net.assign(lead("L5"), NOW)) == "P2"
    assert target(net.assign(lead("D1", "DE-BY"), NOW)) == "P1"
    # removed: never picked again, its leads no longer held
    net.remove_partner("P2")
    assert net.holder("L1") is None
    assert target(net.assign(lead("L6"), NOW)) == "queue triage"
    with pytest.raises(leadrail.DataError) as info:
        net.remove_partner("P2")
    assert info.value.code == "leadrail::data::unknown_partner"


def test_a_failed_add_or_update_changes_nothing(engine):
    net = engine.network([partner("P1"), partner("P2")])
    net.assign(lead("L1"), NOW)
    before = net.state()
    bad = dict(partner("P1"), capacity="ten")
    for call in (net.update_partner, net.add_partner):
        with pytest.raises(leadrail.DataError) as info:
            call(dict(bad, id="P3") if call == net.add_partner else bad)
        assert info.value.field == "capacity"
        assert info.value.record in ("P1", "P3")
    with pytest.raises(leadrail.DataError) as info:
        net.add_partner(partner("P2"))
    assert info.value.code == "leadrail::data::duplicate_id"
    with pytest.raises(leadrail.DataError) as info:
        net.update_partner(partner("P9"))
    assert info.value.code == "leadrail::data::unknown_partner"
    assert net.state() == before and len(net) == 2
    assert target(net.assign(lead("L2"), NOW)) == "P2"


def test_held_leads_travel_with_the_state(engine):
    net = engine.network([partner("P1"), partner("P2")])
    net.assign(lead("L1"), NOW)
    copy = engine.network([partner("P1"), partner("P2")])
    copy.load_state(net.state())
    assert copy.holder("L1") == "P1"
    assert copy.release("L1") == "P1"
