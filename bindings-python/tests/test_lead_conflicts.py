"""Lead conflicts from Python: `leadrail.Registry` built once, leads routed as `on lead_conflict`
says with typed results (`LeadRoute`: the typed `Decision` and `Verdict`), recorded with
`assign`, errors naming the record and the field."""

import pytest

import leadrail

RULES = """ruleset "sticky" version 1
schema lead    { region: region, company: text, contact_email: text? }
schema partner { territories: set<region>, status: enum(active, paused) }
route "territory" { require partner.territories covers lead.region  tie id }
fallback queue "inside-sales"
registration "default" {
  match name >= 0.9
  match email
  on lead_conflict holder else queue "deal-desk"
}
"""
DAY = 86_400_000
NOW = 1_795_510_800_000
PARTNERS = [
    {"id": "p1", "territories": ["US"], "status": "active"},
    {"id": "p2", "territories": ["DE"], "status": "active"},
    {"id": "p3", "territories": ["FR"], "status": "paused"},
]
RECORDS = [
    {"id": "L-0001", "kind": "lead", "partner": "p2", "company": "Globex Corporation", "submitted_at": NOW - DAY},
    {"id": "R-7", "partner": "p3", "company": "Initech LLC", "submitted_at": NOW - 9 * DAY,
     "status": "approved", "protected_until": NOW + 80 * DAY},
]


def world():
    engine = leadrail.Engine.compile(RULES)
    return engine.network(PARTNERS), leadrail.Registry(RECORDS)


def test_a_conflict_goes_to_the_holder_typed_and_in_cores_form():
    net, reg = world()
    r = reg.route(net, {"id": "N-1", "region": "US-TX", "company": "GLOBEX Corp."}, NOW)
    assert isinstance(r, leadrail.LeadRoute) and isinstance(r.decision, leadrail.Decision)
    assert (r.decision.outcome.kind, r.decision.outcome.id, r.decision.rule) == ("partner", "p2", "lead conflict")
    assert isinstance(r.conflict, leadrail.Verdict)
    assert (r.conflict.holder, r.conflict.conflicts[0].id, r.conflict.conflicts[0].kind) == ("p2", "L-0001", "lead")
    d = r.to_dict()
    assert d["decision"]["outcome"] == {"kind": "partner", "id": "p2"}
    assert d["conflict"]["reason"] == "name match with open lead `L-0001` of `p2` (name score 1.000)"
    assert repr(r).endswith("rule='lead conflict', holder='p2')")
    # no conflict: the rules, no `conflict`
    r = reg.route(net, {"id": "N-2", "region": "US-TX", "company": "Hooli"}, NOW)
    assert (r.decision.outcome.id, r.decision.rule, r.conflict) == ("p1", "territory", None)
    assert "conflict" not in r.to_dict()
    # the holder excluded, or paused (Initech's p3): the deal desk
    r = reg.route(net, {"id": "N-1", "region": "US-TX", "company": "Globex"}, NOW, exclude="p2")
    assert (r.decision.outcome.kind, r.decision.outcome.name) == ("queue", "deal-desk")
    r = reg.route(net, {"id": "N-3", "region": "US-TX", "company": "Initech"}, NOW)
    assert (r.decision.outcome.name, r.conflict.holder) == ("deal-desk", "p3")
    # what if: nothing changed
    assert net.state()["partners"][1]["active_leads"] == 0 and len(reg) == 2


def test_assign_records_the_lead_and_a_lead_sent_again_conflicts():
    net, reg = world()
    a, b = reg.route_batch(
        net,
        [{"id": "N-1", "region": "US-TX", "company": "Hooli"},
         {"id": "N-2", "region": "US-CA", "company": "Hooli Inc."}],
        NOW,
        assign=True,
    )
    assert (a.decision.outcome.id, a.decision.rule, a.conflict) == ("p1", "territory", None)
    assert (b.decision.outcome.id, b.decision.rule, b.conflict.holder) == ("p1", "lead conflict", "p1")
    assert b.conflict.conflicts[0].id == "N-1"
    assert (net.holder("N-1"), net.holder("N-2"), len(reg)) == ("p1", "p1", 4)
    # the holder's assignment counts like any other
    r = reg.assign(net, {"id": "N-3", "region": "US-TX", "company": "Globex"}, NOW)
    assert (r.decision.outcome.id, r.decision.state_read.version) == ("p2", 0)
    assert net.state()["partners"][1]["active_leads"] == 1 and net.holder("N-3") == "p2"
    # a lead held: raises, nothing changes
    with pytest.raises(leadrail.DataError) as e:
        reg.assign(net, {"id": "N-3", "region": "US-TX", "company": "Globex"}, NOW)
    assert e.value.code == "leadrail::data::lead_held"
    assert len(reg) == 5


def test_records_change_one_at_a_time_and_bad_ones_name_the_field():
    net, reg = world()
    lead = {"id": "N-1", "region": "US-TX", "company": "Umbrella"}
    assert reg.route(net, lead, NOW).conflict is None
    assert reg.add({"id": "A-1", "kind": "account", "partner": "direct:jane", "company": "Umbrella Corp",
                    "submitted_at": 0, "status": "approved"}) is False
    assert reg.route(net, lead, NOW).decision.outcome.name == "deal-desk"
    assert reg.remove("A-1") is True and reg.remove("A-1") is False
    assert reg.route(net, lead, NOW).conflict is None
    with pytest.raises(leadrail.DataError) as e:
        leadrail.Registry([{"id": "r1", "partner": "p1", "company": "Acme", "submitted_at": "soon"}])
    assert (e.value.diagnostics[0]["record"], e.value.diagnostics[0]["field"]) == ("r1", "submitted_at")
    with pytest.raises(leadrail.DataError) as e:
        reg.route(net, {"id": "N-9", "company": "Acme"}, NOW)
    assert e.value.diagnostics[0]["field"] == "region"
