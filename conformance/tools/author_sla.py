"""Author the SLA conformance vectors (conformance/sla/*.json).

Each case states by hand, per timeline, what the SLA evaluation must give (reasoned from the SLA
semantics in core/src/sla/mod.rs and docs/language.md): each instance's state, elapsed time and
due instant, the ids of the actions now due, the next deadline, the re-route exclusions, or the
error's code, record and field. This script runs the engine through the Python binding, checks
it agrees with those expectations, and only then writes the vector with the engine's full answer.
A disagreement writes nothing for that case. Run: .venv/bin/python conformance/tools/author_sla.py
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import leadrail

ROOT = Path(__file__).resolve().parents[1]
H = 3_600_000


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


BASE = """ruleset "sla" version 1

schema lead    { region: region }
schema partner { territories: set<region>, calendar: text }

route "territory" {
  require partner.territories covers lead.region
}

# Chicago office hours; Thanksgiving (Thu 2026-11-26) closed.
calendar "us" {
  timezone "America/Chicago"
  hours mon-fri 09:00-17:00
  closed 2026-11-26
}

calendar "de" {
  timezone "Europe/Berlin"
  hours mon-fri 09:00-17:00
}

calendar "always" {
  timezone "America/Chicago"
  hours mon-sun 00:00-24:00
}
"""

PARTNERS = [{"id": "P1", "territories": ["US"], "calendar": "us"}]


def ev(at, event, **kw):
    e = {"at": at, "event": event}
    e.update(kw)
    return e


def tl(lead, *events):
    return {"lead": lead, "events": list(events)}


CASES: list[dict] = []


def case(name, description, slas, calls):
    CASES.append(dict(name=name, description=description, rules=BASE + "\n" + slas, calls=calls))


def sla(timelines, now, want, done=None, partner_calendars=None):
    """`want`: per timeline either
    {"slas": [(instance, state, elapsed_h, due_at_iso or None)], "due": [ids],
     "next": iso or None, "reroute": (retract, [(partner, kind)]) or None}
    or ("!code-suffix", record, field)."""
    c = {"call": "sla", "timelines": timelines, "now": now, "want": want}
    if done is not None:
        c["done"] = done
    if partner_calendars is not None:
        c["partner_calendars"] = partner_calendars
    return c


def next_deadline(timeline, now, want):
    return {"call": "next_deadline", "timeline": timeline, "now": now, "want": want}


# --- cases (expected values reasoned by hand) ---------------------------------------------------

# Assigned Wed 2026-11-25 15:00 CST (21:00Z). Business hours: Wed 15-17 (2h), Thu closed
# (holiday), Fri 9-17 (8h) = 10h by Friday night; Sat/Sun closed; Mon 9-15 (6h) -> the 16h goal
# runs out Mon 2026-11-30 15:00 CST = 21:00Z. On Sat noon: running, 10h elapsed.
# L2 accepted Mon 10:00 CST (16:00Z): 11h elapsed, met (a met instance has no due instant).
WEEKEND = tl("L1", ev("2026-11-25T21:00:00Z", "assigned", partner="P1"))
case(
    "business_time_weekend_holiday",
    "a 16h business goal across a holiday and a weekend: due Monday afternoon; met when accepted Monday morning",
    'sla accept { start assigned  stop accepted  goal 16h business "us" }',
    [
        sla([WEEKEND], "2026-11-28T18:00:00Z",
            [{"slas": [("accept", "running", 10, "2026-11-30T21:00:00Z")], "due": [],
              "next": "2026-11-30T21:00:00Z"}]),
        sla([tl("L2", ev("2026-11-25T21:00:00Z", "assigned", partner="P1"),
                ev("2026-11-30T16:00:00Z", "accepted", partner="P1"))],
            "2026-11-30T18:00:00Z",
            [{"slas": [("accept", "met", 11, None)], "due": [], "next": None}]),
        sla([WEEKEND], "2026-11-30T22:00:00Z",
            [{"slas": [("accept", "breached", 17, "2026-11-30T21:00:00Z")], "due": [], "next": None}]),
    ],
)

# Assigned Tue 2026-11-24 09:00 CST (15:00Z), goal 8h business: 50% at 13:00 CST (19:00Z), 75%
# at 15:00 CST (21:00Z), breach at 17:00 CST (23:00Z). Each action is due once: the host passes
# the executed ids or the previous cursor.
WARN = tl("L1", ev("2026-11-24T15:00:00Z", "assigned", partner="P1"))
case(
    "warnings_due_once",
    "warnings at 50% and 75% and the breach actions, each due once with `done` as ids or as the previous cursor",
    'sla accept { start assigned  stop accepted, rejected  goal 8h business "us"  warn 50%, 75%  on breach remind, escalate "channel-manager" }',
    [
        sla([WARN], "2026-11-24T18:00:00Z",
            [{"slas": [("accept", "running", 3, "2026-11-24T23:00:00Z")], "due": [],
              "next": "2026-11-24T19:00:00Z"}]),
        sla([WARN], "2026-11-24T20:00:00Z",
            [{"slas": [("accept", "running", 5, "2026-11-24T23:00:00Z")], "due": ["accept:warn:50"],
              "next": "2026-11-24T21:00:00Z"}]),
        sla([WARN], "2026-11-24T22:00:00Z",
            [{"slas": [("accept", "running", 7, "2026-11-24T23:00:00Z")], "due": ["accept:warn:75"],
              "next": "2026-11-24T23:00:00Z"}],
            done=["accept:warn:50"]),
        sla([WARN], "2026-11-24T22:00:00Z",
            [{"slas": [("accept", "running", 7, "2026-11-24T23:00:00Z")], "due": ["accept:warn:75"],
              "next": "2026-11-24T23:00:00Z"}],
            done=ms("2026-11-24T20:00:00Z")),
        sla([WARN], "2026-11-25T00:00:00Z",
            [{"slas": [("accept", "breached", 8, "2026-11-24T23:00:00Z")],
              "due": ["accept:breach:remind", "accept:breach:escalate:channel-manager"], "next": None}],
            done="2026-11-24T22:00:00Z"),
        next_deadline(WARN, "2026-11-24T20:00:00Z", "2026-11-24T21:00:00Z"),
        next_deadline(WARN, "2026-11-25T00:00:00Z", None),
    ],
)

# Calendar time. Accepted at 09:00Z; waiting on the customer from 19:00Z (10h elapsed) to
# 15:00Z next day (20h paused); at 01:00Z two days later 10h more elapsed: 20h of 48h, due at
# 09:00Z + 48h + 20h paused = 2026-11-27T05:00Z. While paused: no due instant.
PAUSE = tl("L1", ev("2026-11-24T08:00:00Z", "assigned", partner="P1"),
           ev("2026-11-24T09:00:00Z", "accepted", partner="P1"),
           ev("2026-11-24T19:00:00Z", "status_changed", status="waiting_on_customer"),
           ev("2026-11-25T15:00:00Z", "status_changed", status="open"))
case(
    "pause_while_status",
    "the clock stops while the lead waits on the customer; no due instant while paused; the pause moves the due instant",
    "sla first_contact { start accepted  stop contacted  pause while waiting_on_customer  goal 48h }",
    [
        sla([PAUSE], "2026-11-25T09:00:00Z",
            [{"slas": [("first_contact", "paused", 10, None)], "due": [], "next": None}]),
        sla([PAUSE], "2026-11-26T01:00:00Z",
            [{"slas": [("first_contact", "running", 20, "2026-11-27T05:00:00Z")], "due": [],
              "next": "2026-11-27T05:00:00Z"}]),
    ],
)

# Calendar time 24h from assignment at 09:00Z: L1 accepted after 5h (met), L2 after 25h
# (breached; the alert became due at 24h and is still due), L3 rejected after 2h (a stop event:
# met), L4 still open at 26h (breached, running past the goal: the alert is due).
T0 = "2026-11-24T09:00:00Z"
case(
    "met_and_breached",
    "stop events in time are met, late ones breached; breach actions stay due until executed",
    'sla accept { start assigned  stop accepted, rejected  goal 24h  on breach alert "not accepted in time" }',
    [
        sla([
            tl("L1", ev(T0, "assigned", partner="P1"), ev("2026-11-24T14:00:00Z", "accepted", partner="P1")),
            tl("L2", ev(T0, "assigned", partner="P1"), ev("2026-11-25T10:00:00Z", "accepted", partner="P1")),
            tl("L3", ev(T0, "assigned", partner="P1"), ev("2026-11-24T11:00:00Z", "rejected", partner="P1", reason="no capacity")),
            tl("L4", ev(T0, "assigned", partner="P1")),
        ], "2026-11-25T11:00:00Z",
            [
                {"slas": [("accept", "met", 5, None)], "due": [], "next": None},
                {"slas": [("accept", "breached", 25, "2026-11-25T09:00:00Z")], "due": ["accept:breach:alert"], "next": None},
                {"slas": [("accept", "met", 2, None)], "due": [], "next": None},
                {"slas": [("accept", "breached", 26, "2026-11-25T09:00:00Z")], "due": ["accept:breach:alert"], "next": None},
            ]),
    ],
)

# Per stage, 7d each (calendar time): qualify from day 0 to day 3 (met), proposal from day 3,
# breached at day 10 (alert due at day 10), negotiation from day 11 (running, due day 18);
# `won` is excepted and ends everything.
D = lambda day, h=9: f"2026-11-{day:02d}T{h:02d}:00:00Z"  # noqa: E731
STAGES = tl("L1", ev(D(1), "assigned", partner="P1"),
            ev(D(1), "stage_changed", stage="qualify"),
            ev(D(4), "stage_changed", stage="proposal"),
            ev(D(12), "stage_changed", stage="negotiation"))
case(
    "stalled_per_stage",
    "a per-stage (stalled) SLA: one instance per stage entered, met when the lead moves on in time, breached otherwise",
    'sla stalled { each stage except won, lost  goal 7d  on breach alert "stalled lead" }',
    [
        sla([STAGES], D(13),
            [{"slas": [("stalled", "met", 72, None), ("stalled#1", "breached", 192, D(11)),
                       ("stalled#2", "running", 24, D(19))],
              "due": ["stalled#1:breach:alert"], "next": D(19)}]),
        sla([tl("L2", *STAGES["events"], ev(D(14), "won"))], D(20),
            [{"slas": [("stalled", "met", 72, None), ("stalled#1", "breached", 192, D(11)),
                       ("stalled#2", "cancelled", 48, None)],
              "due": [], "next": None}],
            done=["stalled#1:breach:alert"]),
    ],
)

# Calendar time 4h. L1: P1 holds it 1h, then it is reassigned to P2 (a start event): `accept`
# is cancelled, `accept#1` runs for P2 and is met 2h later. L2: P1 lets it run out (4h), it is
# retracted at 5h (the instance ends breached), assigned to P2 at 6h: `accept#1` runs.
case(
    "restart_after_reassignment",
    "a new assignment restarts the clock as `accept#1`; the old instance is cancelled, or breached if it had run out",
    "sla accept { start assigned, reassigned  stop accepted  goal 4h  on breach remind }",
    [
        sla([
            tl("L1", ev(T0, "assigned", partner="P1"), ev("2026-11-24T10:00:00Z", "reassigned", partner="P2"),
               ev("2026-11-24T12:00:00Z", "accepted", partner="P2")),
            tl("L2", ev(T0, "assigned", partner="P1"), ev("2026-11-24T14:00:00Z", "retracted", partner="P1"),
               ev("2026-11-24T15:00:00Z", "assigned", partner="P2")),
        ], "2026-11-24T16:00:00Z",
            [
                {"slas": [("accept", "cancelled", 1, None), ("accept#1", "met", 2, None)],
                 "due": [], "next": None},
                {"slas": [("accept", "breached", 5, "2026-11-24T13:00:00Z"),
                          ("accept#1", "running", 1, "2026-11-24T19:00:00Z")],
                 "due": ["accept:breach:remind"], "next": "2026-11-24T19:00:00Z"},
            ],
            done=[]),
    ],
)

# P1 rejects after 1h (a partner losing the lead cancels its instance), P2 gets it at 2h and
# lets 4h run out at 6h: the re-route retracts from P2 and excludes P1 (rejected) and P2 (timed
# out).
case(
    "reroute_exclusions",
    "a breached `retract and reroute` SLA: retract from the holder, exclude partners that rejected or timed out",
    "sla accept { start assigned  stop accepted  goal 4h  warn 50%  on breach retract and reroute }",
    [
        sla([tl("L1", ev(T0, "assigned", partner="P1"),
                ev("2026-11-24T10:00:00Z", "rejected", partner="P1", reason="no capacity"),
                ev("2026-11-24T11:00:00Z", "assigned", partner="P2"))],
            "2026-11-24T16:00:00Z",
            [{"slas": [("accept", "cancelled", 1, None), ("accept#1", "breached", 5, "2026-11-24T15:00:00Z")],
              "due": ["accept#1:warn:50", "accept#1:breach:reroute"], "next": None,
              "reroute": ("P2", [("P1", "rejected"), ("P2", "timed_out")])}]),
    ],
)

# US daylight saving time ends Sun 2026-11-01 02:00 CDT. Office hours: assigned Fri 10-30
# 09:00 CDT (14:00Z); 8h on Friday, 8h on Monday: due Mon 11-02 17:00 CST = 23:00Z (an hour
# later in UTC than the Friday close, 22:00Z). Round the clock: the repeated hour counts twice,
# so 48h of business time is 48h of real time: due Sun 11-01 14:00Z.
case(
    "dst_fall_back",
    "business time across the end of daylight saving time: local office hours shift in UTC; a repeated hour counts twice",
    'sla office { start assigned  stop accepted  goal 16h business "us" }\n'
    'sla round_clock { start assigned  stop accepted  goal 48h business "always" }',
    [
        sla([tl("L1", ev("2026-10-30T14:00:00Z", "assigned", partner="P1"))], "2026-11-02T20:00:00Z",
            [{"slas": [("office", "running", 13, "2026-11-02T23:00:00Z"),
                       ("round_clock", "breached", 78, "2026-11-01T14:00:00Z")],
              "due": [], "next": "2026-11-02T23:00:00Z"}]),
    ],
)

# A business goal on the partner's calendar: P1 works Berlin hours (09-17 CET = 08-16Z). Assigned
# Tue 2026-11-24 08:00Z: 8h runs out at 16:00Z. P2 has no calendar: an error for that lead.
case(
    "partner_calendar",
    "a business goal on the calendar named by the partner; a partner without one is an error for that timeline",
    "sla accept { start assigned  stop accepted  goal 8h business partner.calendar }",
    [
        sla([tl("L1", ev("2026-11-24T08:00:00Z", "assigned", partner="P1")),
             tl("L2", ev("2026-11-24T08:00:00Z", "assigned", partner="P2"))],
            "2026-11-24T12:00:00Z",
            [{"slas": [("accept", "running", 4, "2026-11-24T16:00:00Z")], "due": [],
              "next": "2026-11-24T16:00:00Z"},
             ("!sla::unknown_calendar", "L2", None)],
            partner_calendars={"P1": "de", "P2": {"region": "de"}}),
    ],
)

# Bad timelines, each reported on its own naming the lead and the event; the good one is
# evaluated.
case(
    "bad_timelines",
    "timelines out of order, with an unknown event kind, a bad instant, an event by a partner that does not hold the lead, a missing lead id: one error each",
    "sla accept { start assigned  stop accepted  goal 24h }",
    [
        sla([
            tl("L1", ev(T0, "assigned", partner="P1"), ev("2026-11-24T08:00:00Z", "accepted", partner="P1")),
            tl("L2", ev(T0, "assigned", partner="P1"), ev("2026-11-24T10:00:00Z", "approved", partner="P1")),
            tl("L3", ev("2026-11-24 9am", "assigned", partner="P1")),
            tl("L4", ev(T0, "assigned", partner="P1"), ev("2026-11-24T10:00:00Z", "accepted", partner="P2")),
            {"events": []},
            tl("L6", ev(T0, "assigned", partner="P1")),
        ], "2026-11-24T12:00:00Z",
            [
                ("!timeline::out_of_order", "L1", "events[1]"),
                ("!data::invalid_field", "L2", "events[1].event"),
                ("!data::invalid_field", "L3", "events[0].at"),
                ("!timeline::not_assigned", "L4", "events[1]"),
                ("!data::missing_field", "", "lead"),
                {"slas": [("accept", "running", 3, "2026-11-25T09:00:00Z")], "due": [],
                 "next": "2026-11-25T09:00:00Z"},
            ]),
        next_deadline(tl("L7", ev(T0, "assigned", partner="P1"), ev(T0, "won"), ev(T0, "viewed")),
                      T0, ("!timeline::after_close", "L7", "events[2]")),
    ],
)


# --- checking -----------------------------------------------------------------------------------

def check_one(want, got, where):
    if isinstance(want, tuple):
        if "error" not in got:
            return [f"{where}: expected error {want}, got {got}"]
        e = got["error"]
        g = ("!" + e["code"].split("leadrail::", 1)[1], e.get("record"), e.get("field"))
        return [] if g == want else [f"{where}: error {g} != {want}"]
    if "ok" not in got:
        return [f"{where}: unexpected error {got['error']}"]
    o = got["ok"]
    errs = []
    gs = [(s["instance"], s["state"], s["elapsed_ms"] / H, s.get("due_at")) for s in o["slas"]]
    ws = [(i, st, el, ms(d) if d else None) for i, st, el, d in want["slas"]]
    if gs != ws:
        errs.append(f"{where}: slas {gs} != {ws}")
    gd = [d["id"] for d in o["due"]]
    if gd != want["due"]:
        errs.append(f"{where}: due {gd} != {want['due']}")
    wn = ms(want["next"]) if want["next"] else None
    if o.get("next_deadline") != wn:
        errs.append(f"{where}: next {o.get('next_deadline')} != {wn}")
    wr = want.get("reroute")
    r = o.get("reroute")
    gr = (r.get("retract"), [(x["partner"], x["reason"]["kind"]) for x in r["exclude"]]) if r else None
    if gr != wr:
        errs.append(f"{where}: reroute {gr} != {wr}")
    return errs


def run(c):
    engine = leadrail.Engine.compile(c["rules"], "rules.rail")
    engine.network(PARTNERS)
    errs = []
    calls = []
    for i, call in enumerate(c["calls"]):
        out = {k: v for k, v in call.items() if k != "want"}
        if call["call"] == "sla":
            got = engine.evaluate_sla(call["timelines"], call["now"], done=call.get("done"),
                                      partner_calendars=call.get("partner_calendars"))
            if len(got) != len(call["want"]):
                errs.append(f"call {i}: {len(got)} results")
            for j, (w, g) in enumerate(zip(call["want"], got)):
                errs += check_one(w, g, f"call {i} timeline {j}")
        else:
            try:
                got = engine.next_deadline(call["timeline"], call["now"])
                w = call["want"]
                if isinstance(w, tuple) or got != (ms(w) if w else None):
                    errs.append(f"call {i}: next deadline {got} != {w}")
            except leadrail.LeadrailError as e:
                got = {"error": e.diagnostics[0]}
                errs += check_one(call["want"], got, f"call {i}")
        out["expect"] = got
        calls.append(out)
    vec = {"description": c["description"], "rules": c["rules"], "partners": PARTNERS,
           "calls": calls, "expect": {"warnings": [
               {k: d[k] for k in ("code", "severity", "message", "line", "column")}
               for d in engine.warnings]}}
    return vec, errs


def main(names):
    bad = 0
    for c in CASES:
        if names and c["name"] not in names:
            continue
        vec, errs = run(c)
        if errs:
            bad += 1
            print(f"DISAGREE sla/{c['name']}:")
            for e in errs:
                print("   ", e)
            continue
        path = ROOT / "sla" / f"{c['name']}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(vec, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
