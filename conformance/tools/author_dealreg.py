"""Writes the deal-registration vectors (conformance/dealreg/) after checking the engine agrees
with the outcomes written here by hand from core/src/dealreg and docs/language.md.

Each case's calls run through `leadrail register --format json` (core's `host::register::register`,
the function behind `register_json`); the outcome and the matching record ids of every verdict
must equal the hand-written ones, else nothing is written for the case. Error calls are written
by hand in full (the Rust runner checks them).

    cargo build --release -p leadrail-cli
    python3 conformance/tools/author_dealreg.py [case ...]
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "leadrail")
DAY = 86_400_000
NOW = 1_795_510_800_000  # 2026-11-24T09:00:00Z

HEAD = """ruleset "deals" version 1
schema lead    { region: region, company: text }
schema partner { territories: set<region> }
fallback queue "inside-sales"
"""
DEFAULT = HEAD + """
registration "default" {
  match name >= 0.90
  match domain
  match postal and name >= 0.75
  match email
  require product_lines overlap
  check registrations, accounts, leads
  protect 90d extend 30d max 1
  on clear_conflict reject
  on possible_duplicate review
}
"""


def rec(id, partner, company, **kw):
    r = {"id": id, "partner": partner, "company": company, "submitted_at": kw.pop("submitted_at", NOW - 10 * DAY)}
    r.update(kw)
    return r


def approved(id, partner, company, days_left=60, **kw):
    return rec(id, partner, company, status="approved", approved_at=NOW - 30 * DAY,
               protected_until=NOW + days_left * DAY, **kw)


CASES = {
    "clear_conflict_rejects": {
        "description": "a name or domain match with another partner's protected registration rejects; "
                       "the partner's own registration, a closed one and one whose protection ended do not count",
        "rules": DEFAULT,
        "calls": [{
            "registry": [
                approved("r1", "p1", "Müller Hydraulik GmbH", domain="mueller-hydraulik.de"),
                approved("r2", "p2", "Acme Inc"),
                dict(approved("r3", "p1", "Globex Corporation"), status="won"),
                approved("r4", "p1", "Initech LLC", days_left=-1),
            ],
            "deals": [
                rec("d1", "p2", "MUELLER HYDRAULIK"),
                rec("d2", "p3", "Umbrella Ltd", domain="https://www.Mueller-Hydraulik.de/kontakt"),
                rec("d3", "p2", "ACME, Incorporated"),
                rec("d4", "p2", "Globex Corp."),
                rec("d5", "p2", "Initech, L.L.C."),
            ],
            "want": [("reject", ["r1"]), ("reject", ["r1"]), ("auto_approve", []),
                     ("auto_approve", []), ("auto_approve", [])],
        }],
    },
    "possible_duplicates_review": {
        "description": "a pending registration, a CRM account, an open lead, the same postal code with a "
                       "lower name threshold and the same contact e-mail each ask for review",
        "rules": DEFAULT,
        "calls": [{
            "registry": [
                rec("r1", "p1", "Kone Oyj"),
                rec("a1", "direct:jane", "Siemens Aktiengesellschaft", kind="account", status="approved"),
                rec("l1", "p3", "Initech LLC", kind="lead", contact_email="bill@initech.example"),
                approved("r2", "p1", "Bäckerei Schmidt GmbH", country="DE", postal_code="80331"),
            ],
            "deals": [
                rec("d1", "p2", "KONE Corporation"),
                rec("d2", "p2", "Siemens AG"),
                rec("d3", "p2", "Initrode", contact_email="Bill@Initech.example"),
                rec("d4", "p2", "Schmidt Bäckerei & Konditorei", country="de", postal_code="80 331"),
                rec("d5", "p2", "Schmidt Bakery Supplies", country="AT", postal_code="80331"),
            ],
            "want": [("review", ["r1"]), ("review", ["a1"]), ("review", ["l1"]),
                     ("review", ["r2"]), ("auto_approve", [])],
        }],
    },
    "product_lines_and_what_is_checked": {
        "description": "`require product_lines overlap` and `check` decide which records count",
        "rules": HEAD + """
registration "default" {
  match name >= 0.9
  require product_lines overlap
  check registrations
}
registration "everything" {
  match name >= 0.9
}
""",
        "calls": [
            {
                "registry": [
                    approved("r1", "p1", "Acme Inc", product_lines=["hydraulics"]),
                    rec("a1", "direct:jane", "Globex", kind="account", status="approved"),
                ],
                "deals": [
                    rec("d1", "p2", "Acme", product_lines=["lubricants"]),
                    rec("d2", "p2", "Acme", product_lines=["Hydraulics", "pumps"]),
                    rec("d3", "p2", "Acme"),
                    rec("d4", "p2", "Globex"),
                ],
                "want": [("auto_approve", []), ("reject", ["r1"]), ("reject", ["r1"]), ("auto_approve", [])],
            },
            {
                "policy": "everything",
                "registry": [
                    approved("r1", "p1", "Acme Inc", product_lines=["hydraulics"]),
                    rec("a1", "direct:jane", "Globex", kind="account", status="approved"),
                ],
                "deals": [
                    rec("d1", "p2", "Acme", product_lines=["lubricants"]),
                    rec("d4", "p2", "Globex"),
                ],
                "want": [("reject", ["r1"]), ("review", ["a1"])],
            },
        ],
    },
    "policy_outcomes": {
        "description": "`on clear_conflict review` and `on possible_duplicate approve` change the outcome, "
                       "the conflicts are still listed",
        "rules": HEAD + """
registration "lenient" {
  match name >= 0.9
  on clear_conflict review
  on possible_duplicate approve
}
""",
        "calls": [{
            "registry": [approved("r1", "p1", "Acme Inc"), rec("r2", "p1", "Globex")],
            "deals": [rec("d1", "p2", "Acme"), rec("d2", "p2", "Globex")],
            "want": [("review", ["r1"]), ("auto_approve", ["r2"])],
        }],
    },
    "submit_in_order": {
        "description": "submitted in order: an approved deal is protected at once, so the same company "
                       "from another partner is rejected; the same partner's second deal is not",
        "rules": DEFAULT,
        "calls": [{
            "submit": True,
            "registry": [],
            "deals": [
                rec("d1", "p1", "Hooli Inc", domain="hooli.example"),
                rec("d2", "p2", "HOOLI"),
                rec("d3", "p1", "Hooli Incorporated"),
            ],
            "want": [("auto_approve", []), ("reject", ["d1"]), ("auto_approve", [])],
        }],
    },
}

# error calls: written in full by hand
ERRORS = {
    "bad_records": {
        "description": "a record that cannot be read, a repeated id and an unknown policy fail the call "
                       "with a report naming the list, the record and the field",
        "rules": DEFAULT,
        "calls": [
            {
                "registry": [rec("r1", "p1", "Acme"), {"id": "r2", "partner": "p1", "submitted_at": 0}],
                "deals": [],
                "expect": {"error": {
                    "code": "leadrail::data::missing_field",
                    "message": "registry record `r2`: missing required field `company`",
                    "help": "a registration has `id`, `partner`, `company` and `submitted_at` (ms since the epoch); optional `kind`, `domain`, `contact_email`, `country`, `postal_code`, `address`, `product_lines`, `estimated_value`, `approved_at`, `protected_until`, `extended_at`, `extensions`, `status`",
                    "severity": "error", "line": 0, "column": 0, "record": "r2", "field": "company"}},
            },
            {
                "registry": [],
                "deals": [{"partner": "p1", "company": "Acme", "submitted_at": 0}],
                "expect": {"error": {
                    "code": "leadrail::data::missing_field",
                    "message": "deals record #1: missing required field `id`",
                    "help": "a registration has `id`, `partner`, `company` and `submitted_at` (ms since the epoch); optional `kind`, `domain`, `contact_email`, `country`, `postal_code`, `address`, `product_lines`, `estimated_value`, `approved_at`, `protected_until`, `extended_at`, `extensions`, `status`",
                    "severity": "error", "line": 0, "column": 0, "record": "#1", "field": "id"}},
            },
            {
                "registry": [],
                "deals": [rec("d1", "p1", "Acme", status="open")],
                "expect": {"error": {
                    "code": "leadrail::data::invalid_field",
                    "message": "deals record `d1`: field `status`: unknown variant `open`, expected one of `pending`, `approved`, `rejected`, `expired`, `won`, `lost`",
                    "help": "a registration has `id`, `partner`, `company` and `submitted_at` (ms since the epoch); optional `kind`, `domain`, `contact_email`, `country`, `postal_code`, `address`, `product_lines`, `estimated_value`, `approved_at`, `protected_until`, `extended_at`, `extensions`, `status`",
                    "severity": "error", "line": 0, "column": 0, "record": "d1", "field": "status"}},
            },
            {
                "registry": [rec("r1", "p1", "Acme"), rec("r1", "p2", "Beta")],
                "deals": [],
                "expect": {"error": {
                    "code": "leadrail::data::duplicate_id",
                    "message": "registry record `r1`: the id is used twice",
                    "help": "give every record its own id",
                    "severity": "error", "line": 0, "column": 0, "record": "r1", "field": "id"}},
            },
            {
                "policy": "strict",
                "registry": [],
                "deals": [],
                "expect": {"error": {
                    "code": "leadrail::request::invalid",
                    "message": "the ruleset has no registration policy `strict`",
                    "help": "the policies are `default`",
                    "severity": "error", "line": 0, "column": 0}},
            },
        ],
    },
}


def run_call(rules, call):
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for name, content in (("rules.rail", rules), ("registry.json", call["registry"]), ("deals.json", call["deals"])):
            p = os.path.join(d, name)
            with open(p, "w") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
            paths[name] = p
        args = [BIN, "register", "--rules", paths["rules.rail"], "--registry", paths["registry.json"],
                "--deals", paths["deals.json"], "--now", str(NOW), "--format", "json"]
        if call.get("policy"):
            args += ["--policy", call["policy"]]
        if call.get("submit"):
            args.append("--submit")
        out = subprocess.run(args, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        return json.loads(out.stdout)


def vector_call(call, expect):
    c = {"call": "register", "registry": call["registry"], "deals": call["deals"], "now": NOW}
    if call.get("policy"):
        c["policy"] = call["policy"]
    if call.get("submit"):
        c["submit"] = True
    c["expect"] = expect
    return c


def main(names):
    out_dir = os.path.join(ROOT, "conformance", "dealreg")
    ok = True
    for name, case in CASES.items():
        if names and name not in names:
            continue
        calls = []
        agree = True
        for call in case["calls"]:
            verdicts = run_call(case["rules"], call)
            got = [(v["outcome"], [c["id"] for c in v["conflicts"]]) for v in verdicts]
            if got != call["want"]:
                print(f"{name}: engine {got}\n{' ' * len(name)}  hand  {call['want']}")
                agree = False
            calls.append(vector_call(call, {"verdicts": verdicts}))
        if not agree:
            ok = False
            continue
        write(out_dir, name, case, calls)
    for name, case in ERRORS.items():
        if names and name not in names:
            continue
        write(out_dir, name, case, [vector_call(c, c["expect"]) for c in case["calls"]])
    return 0 if ok else 1


def write(out_dir, name, case, calls):
    vec = {"description": case["description"], "rules": case["rules"], "partners": [],
           "expect": {"warnings": []}, "calls": calls}
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(vec, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
