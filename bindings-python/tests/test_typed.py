"""Typed results: attributes declared in the stub and checked at run time, batches kept in core's
compact form (no Python object per lead until read) that read like sequences, `to_dict()` equal
to the wire form, and the stub checked against the module (`stubtest`, `mypy --strict`)."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest

import leadrail

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
NOW = 1_795_510_800_000

RULES = """ruleset "typed" version 1
schema lead    { region: region, size: int }
schema partner { territories: set<region>, capacity: int, active_leads: int }
route "territory" {
  when lead.size < 1000
  require partner.territories covers lead.region
  require partner.active_leads < partner.capacity
  rank partner.capacity - partner.active_leads
  else queue "overflow"
}
fallback unrouted
"""

SLA_RULES = """ruleset "sla" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "r" { require partner.territories covers lead.region }
fallback unrouted
sla accept { start assigned  stop accepted  goal 8h  warn 50%  on breach remind }
"""


@pytest.fixture
def engine():
    return leadrail.Engine.compile(RULES)


def partners():
    return [
        {"id": "A", "territories": ["US"], "capacity": 3, "active_leads": 0},
        {"id": "B", "territories": ["US", "DE"], "capacity": 2, "active_leads": 1},
    ]


def leads(n):
    out = []
    for i in range(n):
        lead = {"id": f"L{i}", "region": ["US", "DE", "FR"][i % 3], "size": 5 if i % 7 else 5000}
        if i % 11 == 5:
            del lead["region"]
        out.append(lead)
    return out


def check_item(r, d):
    """A batch item's attributes against its dict."""
    assert isinstance(r, leadrail.RouteResult)
    assert r.to_dict() == d
    assert r.is_ok() == ("ok" in d)
    if "error" in d:
        assert r.ok is None
        e = r.error
        assert isinstance(e, leadrail.Report) and e.to_dict() == d["error"]
        assert (e.code, e.message, e.help, e.record, e.field, e.line, e.column, e.severity) == (
            d["error"]["code"], d["error"]["message"], d["error"].get("help"), d["error"].get("record"),
            d["error"].get("field"), d["error"]["line"], d["error"]["column"], d["error"]["severity"],
        )
        return
    assert r.error is None
    dec, want = r.ok, d["ok"]
    assert isinstance(dec, leadrail.Decision) and dec.to_dict() == want
    assert dec.rule == want["rule"]
    o = dec.outcome
    assert (o.kind, o.id, o.name) == (want["outcome"]["kind"], want["outcome"].get("id"), want["outcome"].get("name"))
    assert o.to_dict() == want["outcome"]
    if want["state_read"] is None:
        assert dec.state_read is None
    else:
        s = dec.state_read
        assert (s.partner, s.version, s.active_leads, s.last_assigned_at) == tuple(
            want["state_read"][k] for k in ("partner", "version", "active_leads", "last_assigned_at"))
        assert s.to_dict() == want["state_read"]


@pytest.mark.parametrize("n", [40, 40_000])
def test_batch_items_read_by_attribute_agree_with_the_wire_form(engine, n):
    # small (one piece) and big (chunked on two threads) batches
    got = engine.network(partners()).route_batch(leads(n), NOW)
    assert isinstance(got, leadrail.RouteResults) and len(got) == n
    want = got.to_list()
    assert len(want) == n and all(type(d) is dict for d in want)
    kinds = {("error" if "error" in d else d["ok"]["outcome"]["kind"]) for d in want}
    assert kinds == {"partner", "queue", "error", "unrouted"} or n < 100
    step = 1 if n < 100 else 97
    for i in range(0, n, step):
        check_item(got[i], want[i])
    assert got.columns() == engine.network(partners()).route_batch(leads(n), NOW, as_columns=True)


def test_a_batch_is_a_sequence(engine):
    got = engine.network(partners()).route_batch(leads(30), NOW)
    want = got.to_list()
    assert [r.to_dict() for r in got] == want
    assert [r.to_dict() for r in list(got)] == want
    assert got[-1].to_dict() == want[-1] and got[-30].to_dict() == want[0]
    for s in (slice(None), slice(3, 9), slice(-5, None), slice(None, None, -4), slice(2, 20, 3), slice(40, 50)):
        assert [r.to_dict() for r in got[s]] == want[s]
    with pytest.raises(IndexError):
        got[30]
    with pytest.raises(IndexError):
        got[-31]
    with pytest.raises(TypeError):
        got["ok"]
    it = iter(got)
    assert next(it).to_dict() == want[0]
    assert len(engine.network(partners()).route_batch([], NOW)) == 0


def test_misspelt_attributes_raise(engine):
    net = engine.network(partners())
    d = net.route({"id": "L1", "region": "US", "size": 1}, NOW)
    with pytest.raises(AttributeError):
        d.outcom
    with pytest.raises(AttributeError):
        d.outcome.identifier
    r = net.route_batch(leads(3), NOW)[0]
    with pytest.raises(AttributeError):
        r.okay
    with pytest.raises(AttributeError):  # frozen: results are read-only
        d.rule = "x"


def test_route_gives_a_decision_equal_to_the_batch_item(engine):
    lead = {"id": "L1", "region": "DE", "size": 1}
    one = engine.network(partners()).route(lead, NOW, explain=True)
    [item] = engine.network(partners()).route_batch([lead], NOW, explain=True)
    assert one == item.ok and one.to_dict() == item.ok.to_dict()
    assert list(one.to_dict()) == ["outcome", "rule", "state_read", "explanation"]
    x = one.explanation
    assert isinstance(x, leadrail.Explanation) and x.to_dict() == one.to_dict()["explanation"]
    assert (x.ruleset.name, x.ruleset.version) == ("typed", 1)
    assert [(t.rule, t.matched, t.eligible, t.outcome) for t in x.rules] == [("territory", True, 1, "decided")]
    assert [c.partner for c in x.candidates] == ["B"] and x.candidates[0].position == 1
    assert [(e.reason, e.partners) for e in x.excluded] == [("partner.territories covers lead.region", ["A"])]
    assert x.tie_break is None
    assert engine.network(partners()).route(lead, NOW).explanation is None


def test_route_columns_gives_typed_results(engine):
    xs = leads(12)
    cols = {k: [x.get(k) for x in xs] for k in ("id", "region", "size")}
    got = engine.network(partners()).route_columns(cols, NOW)
    assert isinstance(got, leadrail.RouteResults)
    assert got.columns() == engine.network(partners()).route_batch(xs, NOW, as_columns=True)
    assert got.to_list() == engine.network(partners()).route_batch(xs, NOW).to_list()


def test_a_batch_makes_no_python_object_per_lead(engine):
    xs = leads(20_000)
    net = engine.network(partners())
    gc.collect()
    before = len(gc.get_objects())
    got = net.route_batch(xs, NOW)
    made = len(gc.get_objects()) - before
    assert made < 100, made  # (one dict per lead would be 20,000 and more)
    assert len(got) == 20_000


def test_sla_evaluation_attributes():
    engine = leadrail.Engine.compile(SLA_RULES)
    tl = {"lead": "L1", "events": [{"at": NOW, "event": "assigned", "partner": "P1"}]}
    ev = engine.evaluate_sla(tl, NOW + 5 * 3_600_000)
    assert isinstance(ev, leadrail.SlaEvaluation)
    d = ev.to_dict()
    assert (ev.lead, ev.cursor, ev.next_deadline) == (d["lead"], d["cursor"], d["next_deadline"])
    [s] = ev.slas
    assert s.to_dict() == d["slas"][0]
    assert (s.sla, s.instance, s.index, s.partner, s.state, s.started_at, s.goal_ms, s.elapsed_ms) == (
        "accept", "accept", 0, "P1", "running", NOW, 8 * 3_600_000, 5 * 3_600_000)
    assert (s.stage, s.ended_at, s.due_at, s.next_at) == (None, None, NOW + 8 * 3_600_000, NOW + 8 * 3_600_000)
    [due] = ev.due
    assert (due.id, due.kind, due.threshold, due.action, due.at) == ("accept:warn:50", "warning", 0.5, None, NOW + 4 * 3_600_000)
    assert ev.reroute is None
    late = engine.evaluate_sla(tl, NOW + 9 * 3_600_000, done=ev.cursor)
    [breach] = late.due
    assert (breach.kind, breach.threshold, breach.action) == ("breach", None, {"action": "remind"})
    many = engine.evaluate_sla([tl, {"lead": "L2", "events": [{"at": NOW, "event": "nope"}]}], NOW)
    assert [type(r) for r in many] == [leadrail.SlaResult] * 2
    assert many[0].is_ok() and many[0].ok.to_dict() == many[0].to_dict()["ok"] and many[0].error is None
    assert not many[1].is_ok() and many[1].ok is None and many[1].error.record == "L2"
    with pytest.raises(AttributeError):
        ev.slas_


def test_stubtest():
    out = subprocess.run([sys.executable, "-m", "mypy.stubtest", "leadrail"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def mypy_strict(path, tmp_path):
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(path)],
        capture_output=True, text=True, cwd=EXAMPLES,
    )


def test_mypy_strict_accepts_the_typed_example_and_refuses_a_misspelt_attribute(tmp_path):
    example = EXAMPLES / "typed.py"
    ok = mypy_strict(example, tmp_path)
    assert ok.returncode == 0, ok.stdout
    text = example.read_text()
    assert "decision.outcome.id" in text
    bad = tmp_path / "misspelt.py"
    bad.write_text(text.replace("decision.outcome.id", "decision.outcom.id"))
    out = mypy_strict(bad, tmp_path)
    assert out.returncode == 1
    assert 'error: "Decision[Explanation | None]" has no attribute "outcom"' in out.stdout, out.stdout
    run = subprocess.run([sys.executable, "typed.py"], cwd=EXAMPLES, capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == ["['P1', None] 2 True", "queue inside-sales []"]
