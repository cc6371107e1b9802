"""Reading a registry back from Python: `Registry.records()` gives every record as a dict in the
form `Registry(...)` reads (the order added), `Registry.get(id)` one record or None; after
`assign` (a lead recorded) and `expire` (a status changed) they show the new lead and the
`expired` status, and `Registry(registry.records())` routes and conflicts exactly like the
original, also after a trip through JSON text (what a host persists)."""

import json
from pathlib import Path

import leadrail

# the rules, partners and registry of the conformance vector: R-due protected until `NOW`,
# R-kept (every field given) until 60 days later, an account, p1's open lead L-0 (Globex)
VECTOR = json.loads((Path(__file__).parents[2] / "conformance/dealreg/registry_records_read_back.json").read_text())
REGISTRY = VECTOR["calls"][0]["registry"]
DAY = 86_400_000
NOW = 1_795_510_800_000  # 2026-11-24T09:00:00Z
PROBES = [{"id": f"N-{c}", "region": "US-TX", "company": c} for c in ("Initech", "Müller Hydraulik", "Globex", "Hooli", "Wayne Enterprises")]


def world():
    net = leadrail.Engine.compile(VECTOR["rules"]).network(VECTOR["partners"])
    return net, leadrail.Registry(REGISTRY)


def routes(net, reg, at):
    return [r.to_dict() for r in reg.route_batch(net, PROBES, at)]


def test_records_show_the_assigned_lead_and_the_expired_status():
    net, reg = world()
    # given as read: the defaults `kind`, `extensions` and `status` written, nothing else added
    assert reg.records()[1] == REGISTRY[1]
    assert reg.get("R-due") == {**REGISTRY[0], "kind": "registration", "extensions": 0}
    r = reg.assign(net, {"id": "N-1", "region": "US-TX", "company": "Hooli Inc"}, NOW - DAY)
    assert (r.decision.outcome.id, r.conflict) == ("p1", None)
    assert reg.expire(NOW) == ["R-due"]
    records = reg.records()
    assert [x["id"] for x in records] == ["R-due", "R-kept", "A-1", "L-0", "N-1"]
    assert [x["status"] for x in records] == ["expired", "approved", "approved", "pending", "pending"]
    assert records[4] == {"id": "N-1", "kind": "lead", "partner": "p1", "company": "Hooli Inc", "country": "US",
                          "submitted_at": NOW - DAY, "extensions": 0, "status": "pending"}
    assert reg.get("N-1") == records[4] and reg.get("R-due")["status"] == "expired"
    assert reg.get("R-missing") is None
    # plain data, not views: changing them changes nothing
    records[0]["status"] = "approved"
    assert reg.get("R-due")["status"] == "expired"
    # removed: gone; replaced: moved to the end
    assert reg.remove("A-1") and reg.add(REGISTRY[1])
    assert [x["id"] for x in reg.records()] == ["R-due", "L-0", "N-1", "R-kept"] and reg.get("A-1") is None


def test_a_registry_read_back_from_its_records_routes_and_conflicts_alike():
    net, reg = world()
    reg.assign(net, {"id": "N-1", "region": "US-TX", "company": "Hooli Inc"}, NOW - DAY)
    reg.expire(NOW)
    again = leadrail.Registry(json.loads(json.dumps(reg.records())))
    assert again.records() == reg.records() and len(again) == len(reg) == 5
    for at in (NOW - 2 * DAY, NOW, NOW + 61 * DAY):
        assert routes(net, again, at) == routes(net, reg, at)
    # what that is: R-due expired (no conflict even before its end), R-kept protected, L-0
    # and the recorded N-1 open leads of p1 (`on lead_conflict flag`: conflicts reported)
    held = [(r.conflict.conflicts[0].id if r.conflict else None) for r in again.route_batch(net, PROBES, NOW - 2 * DAY)]
    assert held == [None, "R-kept", "L-0", "N-1", "A-1"]
    # both expire alike from here on
    assert again.expire(NOW + 60 * DAY) == reg.expire(NOW + 60 * DAY) == ["R-kept"]


def test_an_empty_registry_reads_back_empty():
    reg = leadrail.Registry()
    assert reg.records() == [] and reg.get("") is None
