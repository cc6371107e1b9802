"""Deal registration from Python: typed verdicts, errors naming the record and the field."""

import pytest

import leadrail

RULES = """ruleset "deals" version 1
schema lead    { region: region, company: text }
schema partner { territories: set<region> }
fallback queue "inside-sales"
registration "default" {
  match name >= 0.9
  match domain
  on clear_conflict reject
}
registration "lenient" { match name >= 0.9  on clear_conflict review }
"""
DAY = 86_400_000
NOW = 1_795_510_800_000

REGISTRY = [
    {"id": "r1", "partner": "p1", "company": "Müller Hydraulik GmbH", "domain": "mueller.example",
     "submitted_at": NOW - 30 * DAY, "status": "approved", "protected_until": NOW + 60 * DAY},
]


def test_verdicts_are_typed_and_explain_themselves():
    engine = leadrail.Engine.compile(RULES)
    v1, v2 = leadrail.register(
        engine,
        REGISTRY,
        [{"id": "d1", "partner": "p2", "company": "MUELLER HYDRAULIK", "submitted_at": NOW},
         {"id": "d2", "partner": "p2", "company": "Umbrella", "submitted_at": NOW}],
        NOW,
    )
    assert isinstance(v1, leadrail.Verdict)
    assert (v1.id, v1.outcome, v1.holder, v1.normalized) == ("d1", "reject", "p1", "mueller hydraulik")
    (c,) = v1.conflicts
    assert isinstance(c, leadrail.Conflict)
    assert (c.id, c.kind, c.rule, c.score, c.protected_until) == ("r1", "registration", "name", 1.0, NOW + 60 * DAY)
    assert c.domain is None and c.name["words"][0]["b"] == "muller hydraulik"
    assert v1.to_dict()["conflicts"][0] == c.to_dict()
    assert (v2.outcome, v2.conflicts, v2.holder) == ("auto_approve", [], None)
    lenient = leadrail.register(engine, REGISTRY, [{"id": "d1", "partner": "p2", "company": "Mueller Hydraulik", "submitted_at": NOW}], NOW, policy="lenient")
    assert lenient[0].outcome == "review"


def test_bad_records_raise_data_error_naming_record_and_field():
    engine = leadrail.Engine.compile(RULES)
    with pytest.raises(leadrail.DataError) as e:
        leadrail.register(engine, REGISTRY, [{"id": "d1", "partner": "p2", "company": "X", "submitted_at": "soon"}], NOW)
    assert (e.value.code, e.value.diagnostics[0]["record"], e.value.diagnostics[0]["field"]) == (
        "leadrail::data::invalid_field", "d1", "submitted_at")
    with pytest.raises(leadrail.LeadrailError) as e:
        leadrail.register(engine, REGISTRY, [], NOW, policy="strict")
    assert e.value.code == "leadrail::request::invalid"
