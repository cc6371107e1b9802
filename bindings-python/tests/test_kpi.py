"""KPIs, the forecast and the feedback into routing through the Python binding: typed results,
their dict and columnar forms, the input forms, errors naming the record and field."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

import leadrail

H = 3_600_000
T0 = 1772409600000  # 2026-03-02T00:00Z, a Monday
NOW = T0 + 100 * H

RULES = """ruleset "kpi" version 1

schema lead    { region: region }
schema partner { territories: set<region>, acceptance_rate: ratio, leads_received: int }

route "measured" {
  require partner.territories covers lead.region
  rank    smoothed(partner.acceptance_rate, partner.leads_received)
}

sla accept { start assigned  stop accepted, rejected  goal 4h  on breach alert "late" }
"""


def ev(h, event, **kw):
    return {"at": T0 + int(h * H), "event": event, **kw}


TIMELINES = [
    {"lead": "L1", "events": [
        ev(0, "assigned", partner="P1"), ev(1, "viewed"),
        ev(2, "rejected", partner="P1", reason="too far"),
        ev(3, "assigned", partner="P1"), ev(5, "accepted", partner="P1"), ev(6, "contacted"),
        ev(10, "reassigned", partner="P2"), ev(12, "reassigned", partner="P3"),
        ev(20, "stage_changed", stage="qualified"), ev(30, "lost"),
    ]},
    {"lead": "L2", "events": [
        ev(0, "assigned", partner="D1"), ev(1, "accepted", partner="D1"),
        ev(2, "handed_down", reseller="R1"), ev(4, "handed_down", reseller="R2"),
        ev(5, "accepted", partner="R2"), ev(6, "stage_changed", stage="proposal"),
        ev(8, "contacted"), ev(30, "won"), ev(40, "ordered"), ev(60, "delivered"),
    ]},
    {"lead": "L3", "events": [
        ev(0, "assigned", partner="P2"), ev(2, "stage_changed", stage="negotiation"),
        ev(3, "ordered"), ev(7, "delivered"),
    ]},
    {"lead": "L4", "events": [
        ev(0, "assigned", partner="P1"), ev(1, "stage_changed", stage="new"),
        ev(2, "stage_changed", stage="qualified"), ev(5, "stage_changed", stage="new"),
    ]},
]


def test_kpi_is_typed_and_to_dict_is_cores_form():
    r = leadrail.kpi(TIMELINES, NOW, by=["partner"])
    assert isinstance(r, leadrail.KpiReport)
    assert r.now == NOW and r.tz == "UTC" and r.by == ["partner"]
    p1 = next(a for a in r.assignments if a.partner == "P1")
    assert isinstance(p1, leadrail.AssignmentRow)
    # L1: rejected at 2h, accepted again (3h), L4 pending
    assert (p1.assignments, p1.accepted, p1.rejected, p1.lapsed, p1.pending) == (3, 1, 1, 0, 1)
    assert p1.acceptance_rate == 0.5 and p1.conversion_rate == 0.0
    assert p1.response_time == leadrail.Stats(count=3, sum=5 * H, mean=5 * H / 3, median=2 * H, p90=2 * H)
    # the hand-down chain D1 -> R1 -> R2 is won by R2: all three convert
    conv = {a.partner: a.converted for a in r.assignments}
    assert (conv["D1"], conv["R1"], conv["R2"]) == (1, 1, 1)
    assert [(x.partner, x.reason, x.count) for x in r.rejections] == [("P1", "too far", 1)]
    d = r.to_dict()
    assert d["assignments"][[a["partner"] for a in d["assignments"]].index("P1")]["acceptance_rate"] == 0.5
    assert json.loads(json.dumps(d)) == d  # plain JSON values
    assert set(d) == {"now", "tz", "by", "assignments", "rejections", "leads", "open_leads",
                      "stages", "deals", "sla", "engagement", "engagement_kinds", "first_deals"}
    # lead conversion has no partner; the `delivered` of L3 implies `won`
    assert [(x.leads, x.won, x.conversion_rate) for x in r.leads] == [(4, 2, 0.5)]


def test_columns_go_into_pandas_and_pyarrow_as_they_are():
    r = leadrail.kpi(TIMELINES, NOW, by="partner,month", untouched_after="96h")
    cols = r.columns()
    assert set(cols) == set(r.to_dict()) - {"now", "tz", "by"}
    df = pd.DataFrame(r.columns("assignments"))
    assert list(df["partner"]) == [a.partner for a in r.assignments]
    assert list(df["response_time_median"].fillna(-1)) == [
        a.response_time.median if a.response_time.median is not None else -1 for a in r.assignments
    ]
    t = pa.table(cols["stages"])
    assert t.num_rows == len(r.stages)
    assert t.column("time_in_stage_count").to_pylist() == [s.time_in_stage.count for s in r.stages]
    with pytest.raises(KeyError, match="no table `nope`"):
        r.columns("nope")


def test_instants_as_ms_rfc3339_or_aware_datetimes_agree():
    utc = timezone.utc
    as_dt = [
        {"lead": t["lead"], "events": [
            {**e, "at": datetime.fromtimestamp(e["at"] / 1000, utc)} for e in t["events"]
        ]}
        for t in TIMELINES
    ]
    now_text = datetime.fromtimestamp(NOW / 1000, utc).isoformat()
    a = leadrail.kpi(TIMELINES, NOW, by=["partner"]).to_dict()
    b = leadrail.kpi(as_dt, now_text, by=["partner"]).to_dict()
    c = leadrail.kpi(as_dt, datetime.fromtimestamp(NOW / 1000, utc), by=["partner"]).to_dict()
    assert a == b == c


def test_engagement_partners_and_slas():
    engine = leadrail.Engine.compile(RULES)
    engagement = [
        {"partner": "P1", "at": T0 + H, "kind": "login"},
        {"partner": "P1", "at": datetime.fromtimestamp((T0 + 2 * H) / 1000, timezone.utc), "kind": "login"},
        {"partner": "P1", "at": "2026-03-03T06:00:00Z", "kind": "content_download"},
    ]
    partners = [{"id": "R2", "joined_at": "2026-03-01"}]
    r = leadrail.kpi(TIMELINES, NOW, engine=engine, by=["partner"], engagement=engagement, partners=partners)
    assert [(e.partner, e.events, e.active_days) for e in r.engagement] == [("P1", 3, 2)]
    assert [(k.kind, k.events) for k in r.engagement_kinds] == [("content_download", 1), ("login", 2)]
    assert [(f.partner, f.time_to_first_deal.sum) for f in r.first_deals] == [("R2", 54 * H)]
    sla = {s.partner: (s.met, s.breached) for s in r.sla}
    assert sla["P1"] == (2, 1) and sla["P2"] == (0, 1)


def test_forecast_is_typed():
    leads = [{"id": "L4", "amount": Decimal("1000.50")}, {"id": "L9", "amount": 5}]
    timelines = TIMELINES + [{"lead": "L9", "events": [ev(0, "assigned", partner="P3")]}]
    f = leadrail.forecast(timelines, NOW, leads=leads, by=["partner"], detail=True)
    assert isinstance(f, leadrail.Forecast)
    # closed: L1 (lost), L2 and L3 (won): overall 2/3; L4 is in `new`, which no closed lead was in
    assert (f.overall.closed, f.overall.won) == (3, 2)
    assert [(x.lead, x.stage, x.partner) for x in f.leads] == [("L4", "new", "P1")]
    p = f.leads[0].probability
    assert p == pytest.approx(2 / 3, rel=1e-12)
    assert f.total.expected == pytest.approx(1000.5 * p, rel=1e-12)
    assert f.range.method == "exact" and f.range.p10 == 0 and f.range.p90 == 1000.5
    assert (f.left_out.leads, f.left_out.amount) == (1, 5)  # L9 has no stage
    assert f.to_dict()["total"]["leads"] == 1
    assert pd.DataFrame(f.columns("groups"))["partner"].tolist() == ["P1"]


def test_bad_inputs_name_the_record_and_the_field():
    bad = [{"lead": "L1", "events": [ev(2, "assigned", partner="P1"), ev(1, "accepted", partner="P1")]}]
    with pytest.raises(leadrail.DataError) as e:
        leadrail.kpi(bad, NOW)
    assert (e.value.record, e.value.field) == ("L1", "events[1]")
    naive = [{"lead": "L7", "events": [{"at": datetime(2026, 3, 2), "event": "assigned", "partner": "P1"}]}]
    with pytest.raises(leadrail.DataError) as e:
        leadrail.kpi(naive, NOW)
    assert e.value.record == "L7"
    with pytest.raises(leadrail.DataError) as e:
        leadrail.forecast(TIMELINES, NOW, leads=[{"id": "L1", "amount": "lots"}])
    assert (e.value.record, e.value.field) == ("L1", "amount")
    with pytest.raises(leadrail.DataError) as e:
        leadrail.kpi(TIMELINES, NOW, engagement=[{"partner": "P1", "at": "soon", "kind": "login"}])
    assert (e.value.record, e.value.field) == ("#1", "at")
    with pytest.raises(leadrail.LeadrailError, match="unknown time zone `Mars/Olympus`"):
        leadrail.kpi(TIMELINES, NOW, tz="Mars/Olympus")
    with pytest.raises(leadrail.LeadrailError, match="`timelines` must be a sequence"):
        leadrail.kpi("L1", NOW)


def test_feed_back_writes_measures_that_rank_reads():
    engine = leadrail.Engine.compile(RULES)
    # P9 starts with the better rate; what was measured says P1 accepts and P2 does not
    partners = [
        {"id": "P1", "territories": ["US"], "acceptance_rate": 0.1, "leads_received": 0},
        {"id": "P2", "territories": ["US"], "acceptance_rate": 0.9, "leads_received": 50},
    ]
    net = engine.network(partners)
    lead = {"id": "N1", "region": "US-TX"}
    assert net.route(lead, NOW).to_dict()["outcome"]["id"] == "P2"
    timelines = [
        {"lead": f"A{i}", "events": [ev(i, "assigned", partner="P1"), ev(i + 1, "accepted", partner="P1")]}
        for i in range(20)
    ] + [
        {"lead": f"B{i}", "events": [ev(i, "assigned", partner="P2"), ev(i + 1, "rejected", partner="P2")]}
        for i in range(20)
    ]
    ms = leadrail.feed_back(net, timelines, NOW)
    assert [(m.partner, m.leads_received, m.acceptance_rate) for m in ms] == [("P1", 20, 1.0), ("P2", 20, 0.0)]
    # the network's ruleset has the `accept` SLA: both answered within an hour
    assert isinstance(ms[0], leadrail.Measure) and [m.sla_attainment for m in ms] == [1.0, 1.0]
    assert net.route(lead, NOW).to_dict()["outcome"]["id"] == "P1"
    with pytest.raises(leadrail.LeadrailError, match="no field `nope`"):
        leadrail.feed_back(net, timelines, NOW, measure_fields={"conversion_rate": "nope"})


def test_measures_of_a_report_by_partner():
    r = leadrail.kpi(TIMELINES, NOW, by=["partner"])
    m = {x.partner: x for x in r.measures()}
    assert (m["P1"].leads_received, m["P1"].acceptance_rate, m["P1"].median_response_time) == (3, 0.5, 2 * H)
    with pytest.raises(leadrail.LeadrailError, match="grouped by partner only"):
        leadrail.kpi(TIMELINES, NOW, by=["partner", "month"]).measures()
    _ = timedelta  # instants may also be datetimes; durations are ms or text
