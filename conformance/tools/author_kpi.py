"""Author the KPI and forecast conformance vectors (conformance/kpi/*.json).

Each case states by hand the figures the call must give (reasoned from the definitions in
core/src/kpi/mod.rs and docs/kpi.md): counts, rates, statistics, periods, probabilities, or the
error's code, record and field. This script runs each call through the engine (the
`kpi_answer` helper of the benches crate, until the bindings expose the calls), checks it
agrees with those expectations, and only then writes the vector with the engine's full answer.
A disagreement writes nothing for that case. Run from the repository root:

    cargo build --release -p leadrail-benches --bin kpi_answer
    python3 conformance/tools/author_kpi.py [case ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
H = 3_600_000
T0 = 1_772_409_600_000  # 2026-03-02T00:00:00Z, a Monday
NOW = T0 + 100 * H

TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT.parent / "target"))
ANSWER = TARGET / "release" / "kpi_answer"


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


RULES = """ruleset "kpi" version 1

schema lead    { region: region }
schema partner { territories: set<region> }

route "territory" {
  require partner.territories covers lead.region
}

sla accept { start assigned  stop accepted, rejected  goal 4h  on breach alert "not accepted in time" }
"""

PARTNERS = [{"id": p, "territories": ["US"]} for p in ["P1", "P2", "P3", "D1", "R1", "R2"]]


def ev(h, event, **kw):
    e = {"at": T0 + h * H, "event": event}
    e.update(kw)
    return e


SCENARIO = [
    {"lead": "L1", "events": [
        ev(0, "assigned", partner="P1"), ev(1, "viewed"),
        ev(2, "rejected", partner="P1", reason="too far"), ev(3, "assigned", partner="P1"),
        ev(5, "accepted", partner="P1"), ev(6, "contacted"), ev(10, "reassigned", partner="P2"),
        ev(12, "reassigned", partner="P3"), ev(13, "viewed"),
        ev(20, "stage_changed", stage="qualified"), ev(30, "lost")]},
    {"lead": "L2", "events": [
        ev(0, "assigned", partner="D1"), ev(1, "accepted", partner="D1"),
        ev(2, "handed_down", reseller="R1"), ev(4, "handed_down", reseller="R2"),
        ev(5, "accepted", partner="R2"), ev(6, "stage_changed", stage="proposal"),
        ev(8, "contacted"), ev(30, "won"), ev(40, "ordered"), ev(60, "delivered")]},
    {"lead": "L3", "events": [
        ev(0, "assigned", partner="P2"), ev(2, "stage_changed", stage="negotiation"),
        ev(3, "ordered"), ev(7, "delivered")]},
    {"lead": "L4", "events": [
        ev(0, "assigned", partner="P1"), ev(1, "stage_changed", stage="new"),
        ev(2, "stage_changed", stage="qualified"), ev(2, "stage_changed", stage="qualified"),
        ev(5, "stage_changed", stage="new")]},
    {"lead": "L5", "events": [ev(0, "assigned", partner="P3"), ev(200, "accepted", partner="P3")]},
    {"lead": "L6", "events": [ev(150, "assigned", partner="P1")]},
]


def stats(*hours):
    """The expected statistics of durations given in hours."""
    v = sorted(h * H for h in hours)
    n = len(v)
    if n == 0:
        return {"count": 0, "sum": None, "mean": None, "median": None, "p90": None}
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return {"count": n, "sum": sum(v), "mean": sum(v) / n, "median": med,
            "p90": v[(9 * n + 9) // 10 - 1]}


def assigned_at(instants):
    return [{"lead": f"L{i}", "events": [{"at": t, "event": "assigned", "partner": "P1"}]}
            for i, t in enumerate(instants)]


FORECAST_TIMELINES = [
    {"lead": "C1", "events": [ev(0, "assigned", partner="P1"), ev(1, "stage_changed", stage="proposal"), ev(5, "won")]},
    {"lead": "C2", "events": [ev(0, "assigned", partner="P1"), ev(1, "stage_changed", stage="proposal"), ev(5, "lost")]},
    {"lead": "C3", "events": [ev(0, "assigned", partner="P2"), ev(1, "stage_changed", stage="proposal"), ev(5, "won")]},
    {"lead": "C4", "events": [ev(0, "stage_changed", stage="qualified"), ev(1, "assigned", partner="P2"),
                              ev(2, "stage_changed", stage="proposal"), ev(5, "lost")]},
    {"lead": "C5", "events": [ev(0, "assigned", partner="P1"), ev(3, "won")]},
    {"lead": "O1", "events": [ev(0, "assigned", partner="P1"), ev(1, "stage_changed", stage="proposal")]},
    {"lead": "O2", "events": [ev(0, "assigned", partner="P2"), ev(1, "stage_changed", stage="qualified")]},
    {"lead": "O3", "events": [ev(1, "stage_changed", stage="proposal")]},
    {"lead": "O4", "events": [ev(0, "assigned", partner="P3"), ev(1, "stage_changed", stage="negotiation")]},
    {"lead": "O5", "events": [ev(0, "assigned", partner="P1")]},
    {"lead": "O6", "events": [ev(0, "assigned", partner="P1"), ev(1, "stage_changed", stage="proposal")]},
]
FORECAST_LEADS = [
    {"id": "O1", "amount": 1000, "region": "US-TX", "product_line": "pumps"},
    {"id": "O2", "amount": "2000.00", "region": "US-CA", "product_line": "pumps"},
    {"id": "O3", "amount": 400, "region": "DE", "product_line": "valves"},
    {"id": "O4", "amount": 500},
    {"id": "O5", "amount": 700},
    {"id": "O6"},
]

# case name -> (description, calls); each call: (call, request, checks) where checks are
# (path, value) pairs the answer must hold.
CASES = {
    "totals_of_every_metric": (
        "the totals (no grouping) of every KPI on six leads: a lead rejected then assigned again "
        "to the same partner and re-routed twice, a hand-down chain won by the reseller, a "
        "delivered without won, a reopened stage, an accept after now, a lead not started by now",
        [("kpi", {"timelines": SCENARIO, "now": NOW, "untouched_after": "96h"}, [
            (["assignments", 0, "assignments"], 10),
            (["assignments", 0, "accepted"], 5),
            (["assignments", 0, "rejected"], 1),
            (["assignments", 0, "lapsed"], 2),
            (["assignments", 0, "pending"], 2),
            (["assignments", 0, "acceptance_rate"], 0.625),
            (["assignments", 0, "converted"], 4),
            (["assignments", 0, "conversion_rate"], 0.4),
            (["assignments", 0, "response_time"], stats(2, 2, 8, 1, 2, 1, 2, 1)),
            (["assignments", 0, "first_contact"], stats(3, 4)),
            (["rejections"], [{"reason": "too far", "count": 1}]),
            (["leads"], [{"leads": 5, "won": 2, "conversion_rate": 0.4}]),
            (["open_leads"], [{"open": 2, "age": stats(100, 100), "untouched": 1}]),
            (["stages"], [
                {"stage": "negotiation", "time_in_stage": stats(5), "open": 0, "open_mean_age": None},
                {"stage": "new", "time_in_stage": stats(1), "open": 1, "open_mean_age": 95 * H},
                {"stage": "proposal", "time_in_stage": stats(24), "open": 0, "open_mean_age": None},
                {"stage": "qualified", "time_in_stage": stats(10, 3), "open": 0, "open_mean_age": None},
            ]),
            (["deals"], [{"sales_cycle": stats(30, 7), "fulfilment": stats(20, 4)}]),
            (["sla"], [{"sla": "accept", "met": 3, "breached": 3, "attainment": 0.5}]),
        ])],
    ),
    "by_partner": (
        "acceptance, conversion (with hand-down credit), response times, SLA attainment and "
        "deals per partner; lead conversion has no partner",
        [("kpi", {"timelines": SCENARIO, "now": NOW, "by": ["partner"]}, [
            (["assignments", 0, "partner"], "D1"),
            (["assignments", 0, "converted"], 1),
            (["assignments", 1, "partner"], "P1"),
            (["assignments", 1, "assignments"], 3),
            (["assignments", 1, "acceptance_rate"], 0.5),
            (["assignments", 1, "response_time"], stats(2, 2, 1)),
            (["assignments", 2, "partner"], "P2"),
            (["assignments", 2, "conversion_rate"], 0.5),
            (["assignments", 3, "partner"], "P3"),
            (["assignments", 3, "acceptance_rate"], 0.0),
            (["assignments", 4, "partner"], "R1"),
            (["assignments", 4, "converted"], 1),
            (["assignments", 5, "partner"], "R2"),
            (["leads"], [{"leads": 5, "won": 2, "conversion_rate": 0.4}]),
            (["sla", 1], {"partner": "P1", "sla": "accept", "met": 2, "breached": 1,
                          "attainment": 2 / 3}),
            (["deals"], [{"partner": "P2", "sales_cycle": stats(7), "fulfilment": stats(4)},
                         {"partner": "R2", "sales_cycle": stats(30), "fulfilment": stats(20)}]),
        ])],
    ),
    "days_across_dst": (
        "days of the local date in Europe/Berlin: 2026-03-29 lasts 23 hours (spring forward)",
        [("kpi", {"timelines": assigned_at([ms("2026-03-28T22:59:00Z"), ms("2026-03-28T23:30:00Z"),
                                             ms("2026-03-29T21:59:00Z"), ms("2026-03-29T22:00:00Z")]),
                  "now": "2026-04-01T00:00:00Z", "by": "day", "tz": "Europe/Berlin"}, [
            (["assignments", 0, "period"], "2026-03-28"),
            (["assignments", 0, "assignments"], 1),
            (["assignments", 1, "period"], "2026-03-29"),
            (["assignments", 1, "assignments"], 2),
            (["assignments", 2, "period"], "2026-03-30"),
            (["assignments", 2, "assignments"], 1),
        ])],
    ),
    "iso_week_53": (
        "ISO weeks labelled by ISO week-year in America/New_York: Sunday 2027-01-03 23:30 local "
        "is in 2026-W53, Monday 2025-12-29 in 2026-W01",
        [("kpi", {"timelines": assigned_at([ms("2025-12-29T12:00:00Z"), ms("2026-12-28T05:00:00Z"),
                                             ms("2027-01-04T04:30:00Z"), ms("2027-01-04T05:00:00Z")]),
                  "now": "2027-02-01T00:00:00Z", "by": ["week"], "tz": "America/New_York"}, [
            (["assignments", 0, "period"], "2026-W01"),
            (["assignments", 1, "period"], "2026-W53"),
            (["assignments", 1, "assignments"], 2),
            (["assignments", 2, "period"], "2027-W01"),
            (["assignments", 2, "assignments"], 1),
        ])],
    ),
    "engagement_and_first_deal": (
        "engagement events per kind and active local days per partner and month (an event after "
        "now ignored); time to first deal from a join date (the start of that local date)",
        [("kpi", {"timelines": SCENARIO, "now": NOW, "by": ["partner", "month"], "tz": "UTC",
                  "engagement": [
                      {"partner": "P1", "at": T0 + 1 * H, "kind": "login"},
                      {"partner": "P1", "at": "2026-03-02T02:00:00Z", "kind": "login"},
                      {"partner": "P1", "at": T0 + 30 * H, "kind": "content_download"},
                      {"partner": "P2", "at": T0 + 50 * H, "kind": "login"},
                      {"partner": "P1", "at": T0 + 150 * H, "kind": "login"}],
                  "partners": [{"id": "R2", "joined_at": "2026-03-01"},
                               {"id": "P2", "joined_at": T0 - 10 * H},
                               {"id": "D1", "territories": ["US"]}]}, [
            (["engagement"], [
                {"partner": "P1", "period": "2026-03", "events": 3, "active_days": 2},
                {"partner": "P2", "period": "2026-03", "events": 1, "active_days": 1}]),
            (["engagement_kinds", 0], {"partner": "P1", "period": "2026-03",
                                        "kind": "content_download", "events": 1}),
            (["first_deals"], [
                {"partner": "P2", "period": "2026-03", "time_to_first_deal": stats(17)},
                {"partner": "R2", "period": "2026-03", "time_to_first_deal": stats(54)}]),
        ])],
    ),
    "lead_records_by_country_and_product": (
        "lead records group by country (the code before the first `-`) and product line; a lead "
        "without a record is in the null group; field names mapped with `fields`",
        [("kpi", {"timelines": assigned_at([T0, T0 + H, T0 + 2 * H, T0 + 3 * H]), "now": NOW,
                  "by": "country,product",
                  "fields": {"amount": "deal_size"},
                  "leads": [{"id": "L0", "region": "US-TX:750", "product_line": "pumps", "deal_size": "10.50"},
                            {"id": "L1", "region": "US-CA", "product_line": "pumps"},
                            {"id": "L2", "region": "DE", "product_line": "valves", "other": [1, 2]}]}, [
            (["leads"], [
                {"country": None, "product_line": None, "leads": 1, "won": 0, "conversion_rate": 0.0},
                {"country": "DE", "product_line": "valves", "leads": 1, "won": 0, "conversion_rate": 0.0},
                {"country": "US", "product_line": "pumps", "leads": 2, "won": 0, "conversion_rate": 0.0}]),
        ])],
    ),
    "forecast_exact_range": (
        "win probabilities (w + m R_S) / (n + m) per partner and stage, an unheld lead at R_S, a "
        "stage no closed lead was in at the overall rate, leads without a stage or an amount "
        "left out, and the exact 10% and 90% points of the total",
        [("forecast", {"timelines": FORECAST_TIMELINES, "leads": FORECAST_LEADS, "now": NOW,
                       "by": ["partner"], "forecast": {"detail": True}}, [
            (["overall"], {"closed": 5, "won": 3, "rate": 0.6}),
            (["stages"], [{"stage": "negotiation", "closed": 0, "won": 0, "rate": 0.6},
                          {"stage": "proposal", "closed": 4, "won": 2, "rate": 0.5},
                          {"stage": "qualified", "closed": 1, "won": 0, "rate": 0.0}]),
            (["total"], {"leads": 4, "amount": 3900.0, "expected": 1000.0}),
            (["left_out"], {"leads": 2, "amount": 700.0}),
            (["range", "p10"], 0.0),
            (["range", "p90"], 1900.0),
            (["range", "method"], "exact"),
            (["groups"], [
                {"partner": None, "leads": 1, "amount": 400.0, "expected": 200.0},
                {"partner": "P1", "leads": 1, "amount": 1000.0, "expected": 500.0},
                {"partner": "P2", "leads": 1, "amount": 2000.0, "expected": 0.0},
                {"partner": "P3", "leads": 1, "amount": 500.0, "expected": 300.0}]),
            (["leads", 0, "probability"], 0.5),
            (["leads", 3, "probability"], 0.6),
        ])],
    ),
    "forecast_before_any_close": (
        "no lead has closed yet: every open lead is left out",
        [("forecast", {"timelines": [t for t in FORECAST_TIMELINES if t["lead"].startswith("O")],
                       "leads": FORECAST_LEADS, "now": NOW}, [
            (["overall"], {"closed": 0, "won": 0, "rate": None}),
            (["total"], {"leads": 0, "amount": 0.0, "expected": 0.0}),
            (["left_out"], {"leads": 6, "amount": 4600.0}),
        ])],
    ),
    "bad_inputs_fail_the_call": (
        "an invalid timeline, a second timeline for a lead, a lead record with a bad amount and "
        "an unknown zone each fail the call, naming the lead (or record) and the field",
        [("kpi", {"timelines": [{"lead": "L1", "events": [ev(2, "assigned", partner="P1"),
                                                          ev(1, "accepted", partner="P1")]}],
                  "now": NOW}, [
            (["error", "code"], "leadrail::timeline::out_of_order"),
            (["error", "record"], "L1"),
            (["error", "field"], "events[1]")]),
         ("kpi", {"timelines": SCENARIO[:2] + [SCENARIO[0]], "now": NOW}, [
            (["error", "code"], "leadrail::data::duplicate_id"),
            (["error", "record"], "L1"),
            (["error", "field"], "lead")]),
         ("forecast", {"timelines": SCENARIO, "now": NOW,
                       "leads": [{"id": "L1", "amount": "lots"}]}, [
            (["error", "code"], "leadrail::data::invalid_field"),
            (["error", "record"], "L1"),
            (["error", "field"], "amount")]),
         ("kpi", {"timelines": SCENARIO, "now": NOW, "tz": "Mars/Olympus"}, [
            (["error", "code"], "leadrail::calendar::unknown_time_zone"),
            (["error", "field"], "tz")]),
         ]
    ),
    "columns_format": (
        "the answer's tables as columns (`format: columns`): one list per column, statistics "
        "flattened with `_`",
        [("kpi", {"timelines": SCENARIO[:3], "now": NOW, "by": ["partner"], "format": "columns"}, [
            (["assignments", "partner"], ["D1", "P1", "P2", "P3", "R1", "R2"]),
            (["assignments", "assignments"], [1, 2, 2, 1, 1, 1]),
            (["assignments", "response_time_count"], [1, 2, 1, 1, 1, 1]),
            (["leads", "leads"], [3]),
            (["sla", "partner"], ["D1", "P1", "P2"]),
            (["sla", "met"], [1, 2, 0]),
        ])],
    ),
}


def at_path(x, path):
    for p in path:
        x = x[p]
    return x


def answer(call, request):
    text = json.dumps({"call": call, "rules": RULES, **request})
    out = subprocess.run([str(ANSWER)], input=text, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(names):
    bad = 0
    for name, (description, calls) in CASES.items():
        if names and name not in names:
            continue
        written = []
        ok = True
        for call, request, checks in calls:
            got = answer(call, request)
            for path, want in checks:
                try:
                    have = at_path(got, path)
                except (KeyError, IndexError, TypeError):
                    have = "<missing>"
                if isinstance(want, dict) and isinstance(have, dict) and not path[-1:] == ["error"]:
                    # a row: the hand-written fields must match (the key columns included)
                    have = {k: have.get(k, "<missing>") for k in want}
                if isinstance(want, list) and isinstance(have, list) and want and isinstance(want[0], dict):
                    have = [{k: h.get(k, "<missing>") for k in w} for w, h in zip(want, have)] \
                        if len(want) == len(have) else have
                if have != want:
                    print(f"{name}: {call} {path}: engine {have!r}, hand {want!r}")
                    ok = False
            written.append({"call": call, **request, "expect": got})
        if not ok:
            bad += 1
            continue
        vec = {"description": description, "rules": RULES, "partners": PARTNERS,
               "calls": written, "expect": {"warnings": []}}
        path = ROOT / "kpi" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(vec, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {path.relative_to(ROOT.parent)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
