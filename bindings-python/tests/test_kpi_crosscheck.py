"""Every KPI and the forecast's expected value, cross-checked against an independent pandas
computation on a generated set of over 100,000 events (docs/kpi.md's definitions, written
again here: each lead's events are walked in Python into holdings, stays, deals and SLA
instances, then pandas groups and aggregates them).

Durations and counts must be equal, rates to 1e-12 and expected values to 1e-9 relative.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

import pandas as pd
import pytest

import leadrail

H = 3_600_000
T0 = 1_772_409_600_000  # 2026-03-02T00:00Z
NOW = T0 + 60 * 24 * H
GOAL = 4 * H
UNTOUCHED = 5 * 24 * H
M = 10.0
RULES = """ruleset "x" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "r" { require partner.territories covers lead.region }
sla accept { start assigned  stop accepted, rejected, retracted  goal 4h  on breach remind }
"""
DIRECT = [f"P{i:02}" for i in range(30)]
DISTRIBUTORS = [f"D{i}" for i in range(4)]
RESELLERS = [f"R{i:02}" for i in range(16)]
STAGES = ["new", "qualified", "proposal", "negotiation"]
REASONS = ["too far", "no capacity", "not our line", ""]
KINDS = ["login", "lead_update", "content_download"]


def generate(seed: int = 14, leads: int = 17_000):
    """Timelines (valid: a holder for every partner event, nothing after a close but
    `ordered`/`delivered` after `won`), lead records, engagement events, partner records."""
    rnd = random.Random(seed)
    timelines = []
    for n in range(leads):
        t = T0 + rnd.randrange(0, 62 * 24) * H + rnd.randrange(H)  # some start after NOW
        holder = None
        won = False
        events = []

        def add(event, **kw):
            nonlocal t
            t += rnd.choice([0, rnd.randrange(1, 40 * H)])
            events.append({"at": t, "event": event, **kw})

        if rnd.random() < 0.08:
            add("stage_changed", stage=rnd.choice(STAGES))
        first = rnd.choice(DIRECT + DISTRIBUTORS)
        add("assigned", partner=first)
        holder = first
        for _ in range(rnd.randrange(1, 16)):
            r = rnd.random()
            if won:
                kind = rnd.choice(["ordered", "delivered", "ordered"])
                add(kind)
                if kind == "delivered":
                    break
                continue
            if holder is None:
                if r < 0.6:
                    holder = rnd.choice(DIRECT)
                    add("assigned", partner=holder)
                elif r < 0.75:
                    add("stage_changed", stage=rnd.choice(STAGES))
                elif r < 0.85:
                    add("viewed")
                elif r < 0.92:
                    add("lost")
                    break
                else:
                    add("status_changed", status="parked")
                continue
            if r < 0.12:
                add("viewed", **({"partner": holder} if rnd.random() < 0.5 else {}))
            elif r < 0.25:
                add("accepted", partner=holder)
            elif r < 0.31:
                add("rejected", partner=holder, reason=rnd.choice(REASONS))
                holder = None
            elif r < 0.40:
                add("contacted", **({"partner": holder} if rnd.random() < 0.5 else {}))
            elif r < 0.45:
                holder = rnd.choice(DIRECT + [holder])
                add("reassigned", partner=holder)
            elif r < 0.52 and (holder in DISTRIBUTORS or holder in RESELLERS):
                holder = rnd.choice(RESELLERS + [holder])
                add("handed_down", reseller=holder)
            elif r < 0.55:
                add("retracted", **({"partner": holder} if rnd.random() < 0.5 else {}))
                holder = None
            elif r < 0.75:
                add("stage_changed", stage=rnd.choice(STAGES))
            elif r < 0.80:
                add("ordered")
            elif r < 0.86:
                add("won")
                won = True
            elif r < 0.90:
                add("lost")
                break
            elif r < 0.93:
                add("delivered")
                break
            else:
                add("status_changed", status="waiting")
        timelines.append({"lead": f"L{n:05}", "events": events})
    records = []
    for n in range(leads):
        if rnd.random() < 0.9:
            rec = {"id": f"L{n:05}", "region": rnd.choice(["US-TX", "US-CA", "DE-BY"])}
            if rnd.random() < 0.85:
                rec["amount"] = rnd.randrange(100, 100_000)
            records.append(rec)
    engagement = [
        {
            "partner": rnd.choice(DIRECT + RESELLERS),
            "at": T0 + rnd.randrange(0, 62 * 24 * H),
            "kind": rnd.choice(KINDS),
        }
        for _ in range(6_000)
    ]
    partners = [
        {"id": p, "joined_at": "2026-01-15" if i % 2 else T0 - i * H}
        for i, p in enumerate(DIRECT + DISTRIBUTORS + RESELLERS)
        if i % 5
    ]
    return timelines, records, engagement, partners


ENDS = {"rejected", "retracted", "lost", "delivered"}
NO_RESPONSE = {"viewed", "retracted", "reassigned"}


def walk(tl):
    """One lead's facts per the definitions (only events at or before NOW)."""
    evs = [e for e in tl["events"] if e["at"] <= NOW]
    if not evs:
        return None
    lead = {"lead": tl["lead"], "start": evs[0]["at"], "won_at": None, "closed": False}
    holdings, stays, sla, pairs = [], [], [], set()
    holder, cur = None, None  # index of the current holding
    stage, stay = None, None
    deal = {}
    ordered = None
    seen_won = False
    for e in evs:
        k, at = e["event"], e["at"]
        before = holdings[cur]["partner"] if cur is not None else None
        implied_won = k == "won" or (k == "delivered" and not seen_won)
        if implied_won and not seen_won:
            seen_won = True
            lead["won_at"] = at
            deal["cycle"] = (before, at - lead["start"])
        if k in ("won", "lost", "delivered"):
            lead["closed"] = True
        if k == "ordered" and ordered is None:
            ordered = (before, at)
        if k == "delivered" and ordered is not None and "fulfil" not in deal:
            deal["fulfil"] = (ordered[0], at - ordered[1])
        # the holding's events (the ending one included)
        target = e.get("partner") if k in ("assigned", "reassigned") else e.get("reseller")
        moves = k in ("assigned", "reassigned", "handed_down") and target != before
        if cur is not None:
            h = holdings[cur]
            h["events"].append((k, at, e.get("reason")))
            if implied_won:
                h["won"] = True
            if k in ENDS or moves:
                h["end"] = k
                cur = None
        if moves:
            parent = None
            if k == "handed_down" and holdings and holdings[-1].get("end") == "handed_down":
                parent = len(holdings) - 1
            holdings.append({"partner": target, "at": at, "events": [], "end": None, "won": False, "parent": parent})
            cur = len(holdings) - 1
        if k == "assigned":
            sla.append({"partner": target, "start": at, "stop": None, "closed": None})
        if k in ("accepted", "rejected", "retracted"):
            for s in sla:
                if s["stop"] is None and s["closed"] is None:
                    s["stop"] = at
        # a partner's instance ends (cancelled) at a `reassigned` or `handed_down` (the SLA
        # evaluation's rule, docs/language.md: even one naming the holder); won/lost/delivered
        # end all
        if k in ("won", "lost", "delivered", "reassigned", "handed_down"):
            for s in sla:
                if s["stop"] is None and s["closed"] is None:
                    s["closed"] = at
        # stages: a change opens a stay (the holder at the event), won/lost/delivered close it
        if k == "stage_changed" and e["stage"] != stage:
            if stay is not None:
                stay["end"] = at
            stage = e["stage"]
            stay = {"stage": stage, "partner": before, "at": at, "end": None}
            stays.append(stay)
        elif k in ("won", "lost", "delivered") or implied_won:
            if stay is not None and stay["end"] is None:
                stay["end"] = at
            stay = None
        now_holder = holdings[cur]["partner"] if cur is not None else None
        if stay is not None and stay["end"] is None:
            pairs.add((stay["stage"], now_holder))
            pairs.add((stay["stage"], before))
    lead["holder_now"] = holdings[cur]["partner"] if cur is not None else None
    lead["last"] = evs[-1]["at"]
    lead["stage_now"] = stage
    lead["lost"] = any(e["event"] == "lost" for e in evs)
    return lead, holdings, stays, sla, deal, pairs


def stats(values):
    v = sorted(values)
    n = len(v)
    if n == 0:
        return {"count": 0, "sum": None, "mean": None, "median": None, "p90": None}
    s = sum(v)
    med = float(v[n // 2]) if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return {"count": n, "sum": s, "mean": s / n, "median": med, "p90": v[(9 * n + 9) // 10 - 1]}


def frame_stats(df, key, col):
    """pandas: per group the statistics of `col` (nulls left out)."""
    out = {}
    for k, g in df.dropna(subset=[col]).groupby(key, dropna=False):
        out[k if not isinstance(k, tuple) else k[0]] = stats(g[col].astype("int64").tolist())
    return out


def nn(x):
    """None for a missing value (pandas keeps None in object columns as NaN)."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def rate(a, b):
    return None if b == 0 else a / b


def close(a, b, tol=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=tol, abs_tol=0)


def same_stats(got, want):
    assert got.count == want["count"] and got.sum == want["sum"] and got.p90 == want["p90"]
    assert got.mean == want["mean"] and got.median == want["median"]


@pytest.fixture(scope="module")
def data():
    timelines, records, engagement, partners = generate()
    assert sum(len(t["events"]) for t in timelines) >= 100_000
    facts = [f for f in map(walk, timelines) if f is not None]
    engine = leadrail.Engine.compile(RULES)
    report = leadrail.kpi(
        timelines, NOW, engine=engine, by=["partner"], leads=records, engagement=engagement,
        partners=partners, untouched_after=UNTOUCHED,
    )
    forecast = leadrail.forecast(timelines, NOW, leads=records, by=["partner"], m=M)
    return timelines, records, engagement, partners, facts, report, forecast


def test_the_set_has_over_100000_events(data):
    timelines, _, engagement, *_ = data
    assert sum(len(t["events"]) for t in timelines) >= 100_000


def test_assignments_acceptance_conversion_response_contact(data):
    *_, facts, report, _ = data
    rows = []
    for _, holdings, *_ in facts:
        def converts(i):
            if holdings[i]["won"]:
                return True
            return any(h["parent"] == i and converts(j) for j, h in enumerate(holdings))

        for i, h in enumerate(holdings):
            kinds = [k for k, _, _ in h["events"]]
            if "accepted" in kinds or h["won"] or h["end"] == "handed_down":
                cat = "accepted"
            elif h["end"] == "rejected":
                cat = "rejected"
            elif h["end"] is not None:
                cat = "lapsed"
            else:
                cat = "pending"
            resp = next((at - h["at"] for k, at, _ in h["events"] if k not in NO_RESPONSE), None)
            fc = next((at - h["at"] for k, at, _ in h["events"] if k == "contacted"), None)
            rows.append({"partner": h["partner"], "cat": cat, "conv": converts(i), "resp": resp, "fc": fc})
    df = pd.DataFrame(rows)
    counts = df.groupby("partner")["cat"].value_counts().unstack(fill_value=0)
    conv = df.groupby("partner")["conv"].sum()
    resp = frame_stats(df, "partner", "resp")
    fc = frame_stats(df, "partner", "fc")
    got = {r.partner: r for r in report.assignments}
    assert set(got) == set(counts.index)
    for p, c in counts.iterrows():
        r = got[p]
        n = int(c.sum())
        acc, rej, lap, pen = (int(c.get(x, 0)) for x in ("accepted", "rejected", "lapsed", "pending"))
        assert (r.assignments, r.accepted, r.rejected, r.lapsed, r.pending) == (n, acc, rej, lap, pen), p
        assert close(r.acceptance_rate, rate(acc, acc + rej + lap))
        assert r.converted == int(conv[p]) and close(r.conversion_rate, rate(int(conv[p]), n))
        same_stats(r.response_time, resp.get(p, stats([])))
        same_stats(r.first_contact, fc.get(p, stats([])))
    # rejection reasons: the `rejected` ending each assignment
    rej = [
        {"partner": h["partner"], "reason": h["events"][-1][2] or ""}
        for _, holdings, *_ in facts for h in holdings if h["end"] == "rejected"
    ]
    want = pd.DataFrame(rej).groupby(["partner", "reason"]).size()
    assert {(x.partner, x.reason): x.count for x in report.rejections} == want.to_dict()


def test_lead_conversion_open_leads_and_deals(data):
    *_, facts, report, _ = data
    leads = pd.DataFrame([f[0] for f in facts])
    won = int(leads["won_at"].notna().sum())
    assert [(x.leads, x.won) for x in report.leads] == [(len(leads), won)]
    assert close(report.leads[0].conversion_rate, won / len(leads))
    open_ = leads[~leads["closed"]].assign(age=lambda d: NOW - d["start"], idle=lambda d: NOW - d["last"])
    got = {x.partner: x for x in report.open_leads}
    assert set(got) == {nn(p) for p in open_["holder_now"]}
    for p, g in open_.groupby("holder_now", dropna=False):
        p = None if isinstance(p, float) else p
        r = got[p]
        assert r.open == len(g) and r.untouched == int((g["idle"] >= UNTOUCHED).sum())
        same_stats(r.age, stats(g["age"].tolist()))
    deals = pd.DataFrame(
        [{"kind": k, "partner": v[0], "ms": v[1]} for f in facts for k, v in f[4].items()]
    )
    got = {x.partner: x for x in report.deals}
    assert set(got) == {nn(p) for p in deals["partner"]}
    for p, g in deals.groupby("partner", dropna=False):
        p = None if isinstance(p, float) else p
        same_stats(got[p].sales_cycle, stats(g[g.kind == "cycle"]["ms"].tolist()))
        same_stats(got[p].fulfilment, stats(g[g.kind == "fulfil"]["ms"].tolist()))


def test_time_in_stage(data):
    *_, facts, report, _ = data
    stays = pd.DataFrame([s for f in facts for s in f[2]])
    stays["partner"] = stays["partner"].astype(object)
    got = {(x.partner, x.stage): x for x in report.stages}
    keys = set()
    for (p, s), g in stays.groupby(["partner", "stage"], dropna=False):
        p = None if isinstance(p, float) else p
        keys.add((p, s))
        closed = g[g["end"].notna()]
        open_ = g[g["end"].isna()]
        r = got[(p, s)]
        same_stats(r.time_in_stage, stats((closed["end"] - closed["at"]).astype("int64").tolist()))
        assert r.open == len(open_)
        want = None if open_.empty else int((NOW - open_["at"]).sum()) / len(open_)
        assert close(r.open_mean_age, want)
    assert keys == set(got)


def test_sla_attainment(data):
    *_, facts, report, _ = data
    rows = []
    for f in facts:
        for s in f[3]:
            due = s["start"] + GOAL
            if s["stop"] is not None and s["stop"] <= due:
                rows.append({"partner": s["partner"], "met": 1, "breached": 0})
            elif due <= NOW and not (s["closed"] is not None and s["closed"] <= due):
                rows.append({"partner": s["partner"], "met": 0, "breached": 1})
    want = pd.DataFrame(rows).groupby("partner")[["met", "breached"]].sum()
    got = {x.partner: x for x in report.sla}
    assert set(got) == set(want.index)
    for p, w in want.iterrows():
        assert (got[p].met, got[p].breached) == (int(w.met), int(w.breached)), p
        assert close(got[p].attainment, rate(int(w.met), int(w.met + w.breached)))


def test_engagement_and_first_deals(data):
    _, _, engagement, partners, facts, report, _ = data
    e = pd.DataFrame(engagement)
    e = e[e["at"] <= NOW].assign(day=lambda d: d["at"] // (24 * H))
    per = e.groupby("partner").agg(events=("at", "size"), days=("day", "nunique"))
    assert {x.partner: (x.events, x.active_days) for x in report.engagement} == {
        p: (int(r.events), int(r.days)) for p, r in per.iterrows()
    }
    kinds = e.groupby(["partner", "kind"]).size().to_dict()
    assert {(x.partner, x.kind): x.events for x in report.engagement_kinds} == kinds
    joined = {}
    for p in partners:
        j = p["joined_at"]
        joined[p["id"]] = j if isinstance(j, int) else int(pd.Timestamp(j, tz="UTC").value // 1_000_000)
    first = defaultdict(lambda: None)
    for f in facts:
        cycle = f[4].get("cycle")
        if cycle and cycle[0] is not None:
            at = f[0]["won_at"]
            if first[cycle[0]] is None or at < first[cycle[0]]:
                first[cycle[0]] = at
    want = {p: at - joined[p] for p, at in first.items() if p in joined}
    assert {x.partner: x.time_to_first_deal.sum for x in report.first_deals} == want
    assert all(x.time_to_first_deal.count == 1 for x in report.first_deals)


def test_forecast_expected_value(data):
    _, records, _, _, facts, _, forecast = data
    amount = {r["id"]: r.get("amount") for r in records}
    leads = pd.DataFrame(
        [{**f[0], "pairs": f[5]} for f in facts]
    )
    closed = leads[leads["won_at"].notna() | leads["lost"]]
    closed = closed.assign(win=closed["won_at"].notna())
    overall = closed["win"].mean()
    assert (forecast.overall.closed, forecast.overall.won) == (len(closed), int(closed["win"].sum()))
    per_stage = defaultdict(lambda: [0, 0])  # stage -> [closed, won]
    per_pair = defaultdict(lambda: [0, 0])
    for _, c in closed.iterrows():
        for s in {s for s, _ in c["pairs"]}:
            per_stage[s][0] += 1
            per_stage[s][1] += c["win"]
        for s, p in c["pairs"]:
            if p is not None:
                per_pair[(s, p)][0] += 1
                per_pair[(s, p)][1] += c["win"]
    rows = []
    for _, lead in leads[~leads["closed"]].iterrows():
        a, s, p = amount.get(lead["lead"]), nn(lead["stage_now"]), nn(lead["holder_now"])
        if s is None or a is None:
            continue
        r_s = per_stage[s][1] / per_stage[s][0] if per_stage[s][0] else overall
        n, w = per_pair[(s, p)] if p is not None else (0, 0)
        prob = r_s if p is None else (w + M * r_s) / (n + M)
        rows.append({"partner": p, "expected": a * prob, "amount": a})
    df = pd.DataFrame(rows)
    total = math.fsum(df["expected"])
    assert forecast.total.leads == len(df)
    assert math.isclose(forecast.total.expected, total, rel_tol=1e-9)
    got = {g.partner: g for g in forecast.groups}
    for p, g in df.groupby("partner", dropna=False):
        p = None if isinstance(p, float) else p
        assert math.isclose(got[p].expected, math.fsum(g["expected"]), rel_tol=1e-9), p
        assert got[p].leads == len(g)
