"""Issue 10's data edges from Python: a sequence number that would wrap is refused by
`load_state`, and a lead region with `except` is a data error naming the lead and the field."""

import pytest

import leadrail

RULES = """ruleset "t" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "territory" { require partner.territories covers lead.region  tie round_robin }
fallback queue "triage"
"""
NOW = "2026-11-24T09:00:00Z"


@pytest.fixture
def net():
    return leadrail.Engine.compile(RULES).network([{"id": "A", "territories": ["US except US-AK"]}])


def test_a_sequence_number_that_would_wrap_is_refused(net):
    before = net.state()
    with pytest.raises(leadrail.DataError) as info:
        net.load_state({"seq": 2**64 - 1, "partners": []})
    assert info.value.code == "leadrail::data::invalid_field"
    assert info.value.field == "seq"
    assert "out of range" in str(info.value)
    assert net.state() == before
    net.load_state({"seq": 2**63 - 1, "partners": []})
    assert net.route_batch([{"id": "L1", "region": "US-TX"}], NOW)[0].to_dict()["ok"]["outcome"]["id"] == "A"
    assert net.state()["seq"] == 2**63


def test_a_lead_region_with_exceptions_is_a_data_error(net):
    [r] = net.route_batch([{"id": "L1", "region": "US except US-TX"}], NOW).to_list()
    assert r["error"]["code"] == "leadrail::data::invalid_field"
    assert (r["error"]["record"], r["error"]["field"]) == ("L1", "region")
    with pytest.raises(leadrail.DataError):
        net.route({"id": "L1", "region": "US except US-TX"}, NOW)
    assert net.state()["seq"] == 0
