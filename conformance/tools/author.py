"""Author the conformance vectors: each case below states its expected outcomes by hand
(reasoned from core/src/plan/mod.rs and docs/language.md); this script runs the engine through
the Python binding, checks the engine agrees with those hand-written expectations, and only then
writes conformance/<area>/<case>.json with the engine's full output as the expected result.

A disagreement is reported and no file is written for that case: decide which side is wrong
before changing either. Run: .venv/bin/python conformance/tools/author.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import leadrail

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-24T09:00:00Z"
NOW_MS = 1795510800000

# A partner schema with every special field (implicit guards apply), and a plain one.
FULL = """ruleset "conformance" version 1

schema lead {
  region: region,
  line: text,
  size: int,
  deal: money?,
  location: geopoint?,
  wanted: enum(gold, silver, bronze)?,
}

schema partner {
  territories: set<region>,
  lines: set<text>,
  tier: enum(gold, silver, bronze),
  status: enum(active, paused),
  capacity: int,
  active_leads: int,
  rate: ratio,
  received: int,
  location: geopoint?,
  certs: map<text, date>,
  parent: text?,
  weight: int,
  score: int?,
  last_assigned_at: datetime?,
}
"""

PLAIN = """ruleset "conformance" version 1

schema lead    { region: region, line: text, size: int, flag: bool? }
schema partner { territories: set<region>, lines: set<text>, tier: enum(gold, silver, bronze), score: int? }
"""


def partner(pid, **kw):
    p = {
        "id": pid,
        "territories": ["US"],
        "lines": ["pumps"],
        "tier": "silver",
        "status": "active",
        "capacity": 10,
        "active_leads": 0,
        "rate": 0.5,
        "received": 10,
        "location": None,
        "certs": {},
        "parent": None,
        "weight": 1,
        "score": None,
        "last_assigned_at": None,
    }
    p.update(kw)
    return p


def plain(pid, **kw):
    p = {"id": pid, "territories": ["US"], "lines": ["pumps"], "tier": "silver", "score": None}
    p.update(kw)
    return p


def lead(lid, **kw):
    l = {"id": lid, "region": "US-TX", "line": "pumps", "size": 10}
    l.update(kw)
    return l


CASES: list[dict] = []


def case(area, name, description, rules, partners=None, calls=None, compile_errors=None,
         network_error=None, warnings=None):
    CASES.append(dict(area=area, name=name, description=description, rules=rules,
                      partners=partners, calls=calls or [], compile_errors=compile_errors,
                      network_error=network_error, warnings=warnings))


def batch(leads, want, now=NOW, explain=False, exclude=None, expl=None, state=None):
    """`want`: per lead "P1" / "P1@rule" / "q:name" / "-" (unrouted) / "!code-suffix"."""
    c = {"call": "route_batch", "leads": leads, "now": now, "explain": explain, "want": want}
    if exclude:
        c["exclude"] = exclude
    if expl:
        c["want_expl"] = expl
    calls = [c]
    if state:
        calls.append({"call": "state", "want": state})
    return calls


def route(l, want, now=NOW, explain=False, exclude=None, expl=None):
    c = {"call": "route", "lead": l, "now": now, "explain": explain, "want": want}
    if exclude:
        c["exclude"] = exclude
    if expl:
        c["want_expl"] = expl
    return c


from cases import define  # noqa: E402  (the case list lives next to this file)

define(sys.modules[__name__])


# ---------------------------------------------------------------------------------------------

def outcome_str(r):
    if "error" in r:
        return "!" + r["error"]["code"].split("leadrail::", 1)[1]
    d = r["ok"]
    o = d["outcome"]
    s = {"partner": lambda: o["id"], "queue": lambda: "q:" + o["name"], "unrouted": lambda: "-"}[o["kind"]]()
    return s, d["rule"]


def matches(want, got):
    if isinstance(got, str):
        return want == got
    s, rule = got
    if "@" in want:
        w, wr = want.split("@", 1)
        return w == s and wr == rule
    return want == s


def check_expl(want, expl, where):
    errs = []
    if "candidates" in want:
        got = [c["partner"] for c in expl["candidates"]]
        if got != want["candidates"]:
            errs.append(f"{where}: candidates {got} != {want['candidates']}")
    if "excluded" in want:
        got = {e["reason"]: e["partners"] for e in expl["excluded"]}
        if got != want["excluded"]:
            errs.append(f"{where}: excluded {got} != {want['excluded']}")
    if "tie_break" in want:
        if expl["tie_break"] != want["tie_break"]:
            errs.append(f"{where}: tie_break {expl['tie_break']!r} != {want['tie_break']!r}")
    if "rules" in want:
        got = [(r["rule"], r["outcome"]) for r in expl["rules"]]
        if got != [tuple(x) for x in want["rules"]]:
            errs.append(f"{where}: rules {got} != {want['rules']}")
    return errs


def project_diag(d):
    return {k: d[k] for k in ("code", "severity", "message", "line", "column")}


def run(c):
    errs = []
    vec = {"description": c["description"], "rules": c["rules"]}
    try:
        engine = leadrail.Engine.compile(c["rules"], "rules.rail")
    except leadrail.RuleError as e:
        got = [project_diag(d) for d in e.diagnostics]
        want = c["compile_errors"]
        if want is None:
            return None, [f"unexpected compile error: {got}"]
        gotc = [(d["code"].split("leadrail::", 1)[1], d["line"], d["column"]) for d in got]
        if gotc != [tuple(w) for w in want]:
            errs.append(f"compile errors {gotc} != {want}")
        vec["expect"] = {"compile_errors": got}
        return vec, errs
    if c["compile_errors"] is not None:
        return None, ["expected a compile error, the rules compiled"]
    warnings = [project_diag(d) for d in engine.warnings]
    if c["warnings"] is not None:
        gotw = [(d["code"].split("leadrail::", 1)[1], d["line"], d["column"]) for d in warnings]
        if gotw != [tuple(w) for w in c["warnings"]]:
            errs.append(f"warnings {gotw} != {c['warnings']}")
    vec["partners"] = c["partners"]
    try:
        net = engine.network(c["partners"])
    except leadrail.DataError as e:
        rep = e.diagnostics[0]
        want = c["network_error"]
        if want is None:
            return None, [f"unexpected network error: {rep}"]
        got = (rep["code"].split("leadrail::", 1)[1], rep.get("record"), rep.get("field"))
        if got != tuple(want):
            errs.append(f"network error {got} != {want}")
        vec["expect"] = {"network_error": rep, "warnings": warnings}
        return vec, errs
    if c["network_error"] is not None:
        return None, ["expected a network error, the network loaded"]
    out_calls = []
    for i, call in enumerate(c["calls"]):
        oc = {k: v for k, v in call.items() if k not in ("want", "want_expl")}
        if call["call"] == "route_batch":
            res = net.route_batch(call["leads"], call["now"], explain=call["explain"],
                                  exclude=call.get("exclude", ()))
            got = [outcome_str(r) for r in res]
            if len(got) != len(call["want"]) or not all(matches(w, g) for w, g in zip(call["want"], got)):
                errs.append(f"call {i}: outcomes {got} != {call['want']}")
            if call.get("want_expl"):
                for j, we in call["want_expl"].items():
                    errs += check_expl(we, res[int(j)]["ok"]["explanation"], f"call {i} lead {j}")
            oc["expect"] = res
        elif call["call"] == "route":
            try:
                res = {"ok": net.route(call["lead"], call["now"], explain=call["explain"],
                                       exclude=call.get("exclude", ()))}
            except leadrail.LeadrailError as e:
                res = {"error": e.diagnostics[0]}
            got = outcome_str(res)
            if not matches(call["want"], got):
                errs.append(f"call {i}: outcome {got} != {call['want']}")
            if call.get("want_expl"):
                errs += check_expl(call["want_expl"], res["ok"]["explanation"], f"call {i}")
            oc["expect"] = res
        elif call["call"] == "state":
            st = net.state()
            compact = {p["id"]: [p["active_leads"], p["last_assigned_at"], p["assigned"]] for p in st["partners"]}
            want = {k: v for k, v in call["want"].items()}
            if compact != want:
                errs.append(f"call {i}: state {compact} != {want}")
            oc["expect"] = st
        out_calls.append(oc)
    vec["calls"] = out_calls
    vec["expect"] = {"warnings": warnings}
    return vec, errs


def main():
    only = set(sys.argv[1:])
    bad = 0
    names = set()
    for c in CASES:
        key = f"{c['area']}/{c['name']}"
        assert key not in names, key
        names.add(key)
        if only and key not in only and c["name"] not in only:
            continue
        vec, errs = run(c)
        if errs or vec is None:
            bad += 1
            print(f"MISMATCH {key}:")
            for e in errs:
                print("   ", e)
            continue
        path = ROOT / c["area"] / f"{c['name']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(vec, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(CASES)} cases, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
