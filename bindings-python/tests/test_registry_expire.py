"""Deal-registration expiry from Python: `Registry.expire(now)` marks expired the approved
registrations whose protection ended at or before `now` (`protected_until` is exclusive), returns
their ids earliest end first and each once; an expired registration no longer conflicts with a
lead, even one routed at an instant when it was still protected; `now` in every form the other
calls take; a bad `now` raises core's report."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import leadrail

# the rules, partners and registry of the conformance vector: R-late protected until `NOW + 1`,
# R-at until `NOW`, R-early until a day before, a pending registration, an account
VECTOR = json.loads((Path(__file__).parents[2] / "conformance/dealreg/expire_protection_ended.json").read_text())
DAY = 86_400_000
NOW = 1_795_510_800_000  # 2026-11-24T09:00:00Z


def approved(id, company, until):
    return {"id": id, "partner": "p2", "company": company, "submitted_at": NOW - 100 * DAY,
            "status": "approved", "approved_at": NOW - 99 * DAY, "protected_until": until}


def world():
    net = leadrail.Engine.compile(VECTOR["rules"]).network(VECTOR["partners"])
    return net, leadrail.Registry(VECTOR["calls"][0]["registry"])


def holders(net, reg, at):
    """The record each lead's conflict names first (None: no conflict), routed at `at` (what if)."""
    leads = [{"id": f"N-{c}", "region": "US-TX", "company": c} for c in ("Globex", "Hooli", "Initech", "Umbrella")]
    return [(r.conflict.conflicts[0].id if r.conflict else None) for r in reg.route_batch(net, leads, at)]


def test_expire_returns_the_ids_ended_at_or_before_now_earliest_end_first_once():
    net, reg = world()
    assert reg.expire(NOW - DAY - 1) == []
    # R-early ended a day ago, R-at at `now` itself (the end is exclusive); R-late 1 ms later
    assert reg.expire(NOW) == ["R-early", "R-at"]
    assert reg.expire(NOW) == []
    assert reg.expire(NOW + 1) == ["R-late"]
    # the pending registration and the account never expire; expired records stay
    assert reg.expire(NOW + 10_000 * DAY) == [] and len(reg) == 5


def test_expired_registrations_no_longer_conflict():
    net, reg = world()
    before = NOW - 2 * DAY  # every registration was protected then
    assert holders(net, reg, before) == ["R-at", "R-early", "R-late", "R-pending"]
    assert reg.expire(NOW) == ["R-early", "R-at"]
    # read back: R-early and R-at are expired (no conflict at any instant), R-late is not
    assert holders(net, reg, before) == [None, None, "R-late", "R-pending"]
    r = reg.route(net, {"id": "N-9", "region": "US-TX", "company": "Initech"}, before)
    assert (r.decision.outcome.id, r.conflict.holder, r.conflict.outcome) == ("p1", "p2", "reject")
    # added again as approved, R-at expires again; added as expired, it is not returned
    assert reg.add(approved("R-at", "Globex Corporation", NOW)) is True  # as in the vector
    assert reg.add({**approved("R-x", "Soylent", NOW), "status": "expired"}) is False
    assert holders(net, reg, before)[0] == "R-at"
    assert reg.expire(NOW) == ["R-at"]


@pytest.mark.parametrize("now", [
    NOW,
    "2026-11-24T09:00:00Z",
    "2026-11-24T10:00:00+01:00",
    datetime(2026, 11, 24, 9, tzinfo=timezone.utc),
    datetime(2026, 11, 24, 4, tzinfo=timezone(timedelta(hours=-5))),
])
def test_now_in_every_form_the_registry_takes(now):
    net, reg = world()
    assert reg.expire(now) == ["R-early", "R-at"]


def test_a_bad_now_raises_cores_report_and_changes_nothing():
    net, reg = world()
    with pytest.raises(leadrail.LeadrailError) as e:
        reg.expire("yesterday")
    assert (e.value.code, e.value.message) == ("leadrail::request::invalid", "`yesterday` is not an RFC 3339 instant")
    assert e.value.help == "write instants like `2026-11-24T09:00:00Z` or as milliseconds since the epoch"
    with pytest.raises(leadrail.LeadrailError) as e:
        reg.expire(datetime(2026, 11, 24, 9))  # naive: which zone?
    assert e.value.code == "leadrail::request::invalid"
    with pytest.raises(leadrail.LeadrailError) as e:
        reg.expire(True)
    assert e.value.code == "leadrail::request::invalid"
    assert reg.expire(NOW) == ["R-early", "R-at"]
