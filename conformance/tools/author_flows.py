"""Author the single-lead flow vectors (conformance/flows/): each case states, per call, its
expected outcome by hand (the partner an `assign` picks or the queue, the partner a `release`
frees, or the error code), reasoned from core/src/plan/mod.rs (round robin: never assigned first,
then least recently assigned, then id), core/src/network/flows.rs and Network::add_partner /
update_partner / remove_partner. The script runs the calls through the Python binding, checks the
engine agrees, and only then writes conformance/flows/<case>.json with the binding's full
answers. Run: .venv/bin/python conformance/tools/author_flows.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import leadrail

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-24T09:00:00Z"

RULES = """ruleset "flows" version 1

schema lead    { region: region }
schema partner { territories: set<region>, capacity: int, active_leads: int }

route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}

fallback queue "triage"
"""


def partner(pid, capacity=10, territories=("US",)):
    return {"id": pid, "territories": list(territories), "capacity": capacity, "active_leads": 0}


def lead(lid, region="US-TX"):
    return {"id": lid, "region": region}


def assign(lid, want, region="US-TX", now=NOW):
    return {"call": "assign", "lead": lead(lid, region), "now": now, "want": want}


def release(lid, want, partner_id=None):
    c = {"call": "release", "lead": lid, "want": want}
    if partner_id is not None:
        c["partner"] = partner_id
    return c


CASES = {
    "assign_records_like_a_batch": (
        "three `assign` calls give the decisions of one batch of the three leads (round robin "
        "moves on), where the what-if `route` gives P1 each time; the state holds the leads",
        [partner("P1"), partner("P2")],
        [
            {"call": "route", "lead": lead("L0"), "now": NOW, "want": "P1"},
            {"call": "route", "lead": lead("L0"), "now": NOW, "want": "P1"},
            assign("L1", "P1"),
            assign("L2", "P2"),
            assign("L3", "P1"),
            {"call": "state"},
        ],
    ),
    "release_frees_a_slot_once": (
        "a partner at capacity gets its slot back when its lead is released; a second release "
        "of the same lead, or of a lead never assigned, is an error that changes nothing",
        [partner("P1", capacity=1)],
        [
            assign("L1", "P1"),
            assign("L2", "queue triage"),
            release("L1", "P1"),
            release("L1", "leadrail::data::unknown_lead"),
            release("L2", "leadrail::data::unknown_lead"),
            {"call": "state"},
            assign("L3", "P1"),
            {"call": "state"},
        ],
    ),
    "partners_added_updated_removed": (
        "a partner added joins round robin; an update re-indexes it and keeps its state; a "
        "removed partner is never picked and its leads are no longer held; bad calls change "
        "nothing",
        [partner("P1")],
        [
            {"call": "add_partner", "partner": partner("P2"), "want": None},
            assign("L1", "P1"),
            assign("L2", "P2"),
            {"call": "update_partner", "partner": partner("P1", territories=["DE"]), "want": None},
            assign("L3", "P2"),
            assign("D1", "P1", region="DE-BY"),
            {"call": "update_partner", "partner": partner("P9"), "want": "leadrail::data::unknown_partner"},
            {"call": "add_partner", "partner": partner("P2"), "want": "leadrail::data::duplicate_id"},
            {"call": "add_partner", "partner": dict(partner("P3"), capacity="ten"), "want": "leadrail::data::invalid_field"},
            {"call": "update_partner", "partner": dict(partner("P1"), capacity=None), "want": "leadrail::data::missing_field"},
            {"call": "state"},
            {"call": "remove_partner", "id": "P2", "want": None},
            {"call": "remove_partner", "id": "P2", "want": "leadrail::data::unknown_partner"},
            assign("L4", "queue triage"),
            release("L2", "leadrail::data::unknown_lead"),
            {"call": "state"},
        ],
    ),
    "held_leads_and_batch_leads": (
        "a held lead cannot be assigned again until released; `release` naming another partner "
        "is refused; a lead routed in a batch (no ledger) is released by naming its partner",
        [partner("P1"), partner("P2")],
        [
            assign("L1", "P1"),
            assign("L1", "leadrail::data::lead_held"),
            release("L1", "leadrail::data::unknown_lead", "P2"),
            release("L1", "P1", "P1"),
            {"call": "route_batch", "leads": [lead("B1")], "now": NOW, "want": ["P2"]},
            release("B1", "leadrail::data::unknown_lead"),
            release("B1", "P2", "P2"),
            release("B1", "leadrail::data::unknown_partner", "P7"),
            {"call": "state"},
        ],
    ),
}


def target(d):
    o = d["outcome"]
    return o["id"] if o["kind"] == "partner" else f'{o["kind"]} {o.get("name", "")}'.strip()


def run(call, engine, net):
    """The call's answer in the vector's form, and what to compare with `want`."""
    kind = call["call"]
    try:
        if kind == "route":
            d = net.route(call["lead"], call["now"]).to_dict()
            return {"ok": d}, target(d)
        if kind == "assign":
            d = net.assign(call["lead"], call["now"]).to_dict()
            return {"ok": d}, target(d)
        if kind == "route_batch":
            got = net.route_batch(call["leads"], call["now"]).to_list()
            return got, [target(r["ok"]) for r in got]
        if kind == "state":
            return net.state(), None
        if kind in ("add_partner", "update_partner"):
            getattr(net, kind)(call["partner"])
            return {"ok": None}, None
        if kind == "remove_partner":
            net.remove_partner(call["id"])
            return {"ok": None}, None
        if kind == "release":
            p = net.release(call["lead"], call.get("partner"))
            return {"ok": p}, p
    except leadrail.LeadrailError as e:
        return {"error": e.diagnostics[0]}, e.code
    raise AssertionError(kind)


def main(names):
    engine = leadrail.Engine.compile(RULES, "rules.rail")
    failed = False
    for name, (description, partners, calls) in CASES.items():
        if names and name not in names:
            continue
        net = engine.network(partners)
        out = []
        bad = []
        for call in calls:
            got, short = run(call, engine, net)
            want = call.pop("want", None)
            if call["call"] != "state" and short != want:
                bad.append(f"{call}: engine {short!r}, hand {want!r}")
            if call["call"] in ("route", "route_batch"):
                call.setdefault("explain", False)
            out.append(dict(call, expect=got))
        if bad:
            failed = True
            print(f"{name}: DISAGREES\n  " + "\n  ".join(bad))
            continue
        vec = {
            "description": description,
            "rules": RULES,
            "partners": partners,
            "calls": out,
            "expect": {"warnings": []},
        }
        path = ROOT / "flows" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(vec, indent=2, ensure_ascii=False) + "\n")
        print(f"{name}: written")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
