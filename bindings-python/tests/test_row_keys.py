"""Whatever the key objects of dict records (interned, built at run time, one object per record,
str subclasses, keys of other types, many extra keys, dict subclasses, any order), a batch (read
column by column, parsed by core on the routing thread when chunked) gives exactly what routing
the same records one by one gives (`Network.route`), and the same state."""

import json
import pickle
from collections import OrderedDict, defaultdict

import pytest

import leadrail

RULES = """ruleset "k" version 1
schema lead    { region: region, line: text, size: int? }
schema partner { territories: set<region>, lines: set<text>, capacity: int, active_leads: int }
route "best" {
  require partner.territories covers lead.region
  require lead.line in partner.lines
  require partner.active_leads < partner.capacity
  rank    0 - partner.active_leads
  tie     round_robin
}
fallback queue "triage"
"""
NOW = 1795510800000
PARTNERS = [
    {"id": "P1", "territories": ["US"], "lines": ["a", "b"], "capacity": 5, "active_leads": 0},
    {"id": "P2", "territories": ["DE", "US-TX"], "lines": ["b"], "capacity": 3, "active_leads": 1},
    {"id": "P3", "territories": ["US", "DE"], "lines": ["a"], "capacity": 4, "active_leads": 2},
]


def plain(n=60):
    out = []
    for i in range(n):
        lead = {"id": f"L{i:03d}", "region": ["US-TX", "DE", "FR", "US"][i % 4], "line": "ab"[i % 2]}
        if i % 3:
            lead["size"] = i * 10
        out.append(lead)
    # bad leads: a wrong type, a missing required field
    out[7]["size"] = "seven"
    del out[11]["line"]
    return out


def network():
    return leadrail.Engine.compile(RULES, "k.rail").network(PARTNERS)


def error(code, message, record, field):
    return {"error": (code, message, record, field)}


def route(leads):
    """A batch's results (errors as (code, message, record, field)) and the state after it."""
    net = network()
    out = []
    for r in net.route_batch(leads, NOW).to_list():
        if "error" in r:
            e = r["error"]
            r = error(e["code"], e["message"], e["record"], e["field"])
        out.append(r)
    return out, net.state()


def one_by_one(leads):
    """What routing the leads one at a time gives, in the form of `route`: each decision is
    `Network.route`'s (which changes no state), then the lead is applied as a batch of one."""
    net = network()
    out = []
    for lead in leads:
        try:
            out.append({"ok": net.route(lead, NOW).to_dict()})
        except leadrail.DataError as e:
            out.append(error(e.code, e.message, e.record, e.field))
        net.route_batch([lead], NOW).to_list()
    return out, net.state()


@pytest.fixture(scope="module")
def expected():
    return one_by_one(plain())


def fresh_keys(lead):
    """The same record with key objects of its own (not interned, not shared)."""
    return {"".join(list(k)): v for k, v in lead.items()}


class Key(str):
    """A str subclass: dict look-ups compare it with `__eq__`."""


def test_expected_has_partners_queue_and_errors(expected):
    results, _ = expected
    kinds = {r["ok"]["outcome"]["kind"] for r in results if "ok" in r}
    assert kinds == {"partner", "queue"}
    assert [i for i, r in enumerate(results) if "error" in r] == [7, 11]
    assert results[7]["error"][2:] == ("L007", "size")
    assert results[11]["error"][2:] == ("L011", "line")


def test_plain_dicts(expected):
    assert route(plain()) == expected


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda leads: [fresh_keys(x) for x in leads], id="own-key-objects"),
        pytest.param(lambda leads: json.loads(json.dumps(leads)), id="json"),
        pytest.param(lambda leads: pickle.loads(pickle.dumps(leads)), id="pickle"),
        pytest.param(lambda leads: [json.loads(json.dumps(x)) for x in leads], id="json-per-record"),
        pytest.param(lambda leads: [OrderedDict(x) for x in leads], id="ordered-dict"),
        pytest.param(lambda leads: [defaultdict(lambda: "a", x) for x in leads], id="defaultdict"),
        pytest.param(lambda leads: [{Key(k): v for k, v in x.items()} for x in leads], id="str-subclass"),
        pytest.param(lambda leads: [{**x, 1: "one", None: 2, (3,): 4} for x in leads], id="other-key-types"),
        pytest.param(
            lambda leads: [{**{f"extra{j}": j for j in range(40)}, **x} for x in leads], id="many-extra-keys"
        ),
        pytest.param(
            lambda leads: [{**x, **{f"x{i}_{j}": j for j in range(3)}} for i, x in enumerate(leads)],
            id="extra-keys-beyond-the-cache",
        ),
        pytest.param(lambda leads: [dict(reversed(list(x.items()))) for x in leads], id="key-order"),
    ],
)
def test_key_objects_do_not_change_the_results(variant, expected):
    assert route(variant(plain())) == expected


def test_mixed_key_objects_in_one_batch(expected):
    leads = plain()
    mixed = [
        [lambda x: x, fresh_keys, lambda x: {Key(k): v for k, v in x.items()}, OrderedDict][i % 4](lead)
        for i, lead in enumerate(leads)
    ]
    assert route(mixed) == expected


def test_a_key_equal_to_a_field_only_by_text_of_another_case_is_not_the_field():
    leads = [x for x in plain() if "line" in x][:8]
    for lead in leads:
        lead["Region"] = lead.pop("region")
    results, _ = route(leads)
    assert [r["error"][3] for r in results] == ["region"] * 8
