"""The routing API beyond the conformance vectors: bad input of every kind, state isolation of bad
leads, the columnar entry, threads sharing one network, state export/import, the quickstart."""

import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

import leadrail

RULES = """ruleset "t" version 3
schema lead    { region: region, size: int, share: ratio?, due: date?, wait: duration?, deal: money? }
schema partner { territories: set<region>, capacity: int, active_leads: int, last_assigned_at: datetime? }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
"""
NOW = "2026-11-24T09:00:00Z"
NOW_MS = 1795510800000


def partners():
    return [
        {"id": "A", "territories": ["US"], "capacity": 3, "active_leads": 0},
        {"id": "B", "territories": ["US-TX"], "capacity": 3, "active_leads": 0},
        {"id": "C", "territories": ["DE"], "capacity": 1, "active_leads": 0},
    ]


@pytest.fixture
def engine():
    return leadrail.Engine.compile(RULES)


@pytest.fixture
def net(engine):
    return engine.network(partners())


def outcome(r):
    return r["ok"]["outcome"] if "ok" in r else r["error"]["code"]


# ---- compile --------------------------------------------------------------------------------


def test_rule_error_carries_every_diagnostic():
    bad = RULES.replace("covers lead.region", "covers lead.regoin").replace("tie     round_robin", "tie     sideways")
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.compile(bad, "bad.rail")
    e = info.value
    assert isinstance(e, leadrail.LeadrailError)
    assert e.code == e.diagnostics[0]["code"]
    assert (e.line, e.column) == (e.diagnostics[0]["line"], e.diagnostics[0]["column"])
    assert all(d["file"] == "bad.rail" for d in e.diagnostics)
    # the syntax error in the route; a route that did not parse is not type-checked
    assert [(d["line"], d["column"], d["message"]) for d in e.diagnostics] == [
        (6, 11, "expected `round_robin` or `id`, found `sideways`")
    ]
    assert str(e) == "bad.rail:6:11: expected `round_robin` or `id`, found `sideways`"


def test_warnings_and_metadata(engine):
    assert engine.warnings == []
    assert (engine.name, engine.version, len(engine.content_hash)) == ("t", 3, 16)
    w = leadrail.Engine.compile(RULES.replace('fallback queue "triage"', 'route "x" { else queue "q" }\nroute "y" { }'))
    assert [d["code"] for d in w.warnings] == ["leadrail::check::unreachable_rule"]


def test_from_file_reads_and_names_the_file(tmp_path):
    p = tmp_path / "r.rail"
    p.write_text(RULES.replace("size: int", "size: integer"))
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.from_file(p)
    assert info.value.file == str(p)
    with pytest.raises(FileNotFoundError):
        leadrail.Engine.from_file(tmp_path / "missing.rail")


# ---- partners -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "patch, code, field",
    [
        ({"capacity": "3"}, "leadrail::data::invalid_field", "capacity"),
        ({"capacity": None}, "leadrail::data::missing_field", "capacity"),
        ({"capacity": float("nan")}, "leadrail::data::invalid_field", "capacity"),
        ({"capacity": 10**30}, "leadrail::data::invalid_field", "capacity"),
        ({"capacity": 2.5}, "leadrail::data::invalid_field", "capacity"),
        ({"territories": "US"}, "leadrail::data::invalid_field", "territories"),
        ({"territories": {"US": 1}}, "leadrail::data::invalid_field", "territories"),
        ({"territories": [object()]}, "leadrail::data::invalid_field", "territories"),
        ({"last_assigned_at": datetime(2026, 1, 1)}, "leadrail::data::invalid_field", "last_assigned_at"),
    ],
)
def test_bad_partner_names_record_and_field(engine, patch, code, field):
    ps = partners()
    ps[1].update(patch)
    with pytest.raises(leadrail.DataError) as info:
        engine.network(ps)
    assert (info.value.code, info.value.record, info.value.field) == (code, "B", field)
    assert info.value.message.startswith("record `B`")


def test_partner_values_python_types(engine):
    ps = partners()
    ps[0]["territories"] = ("US",)
    ps[1]["territories"] = {"US-TX"}
    ps[2]["last_assigned_at"] = datetime(2026, 1, 1, tzinfo=timezone.utc)
    net = engine.network(iter(ps))  # any iterable of mappings
    assert len(net) == 3
    assert net.state()["partners"][2]["last_assigned_at"] == 1767225600000


@pytest.mark.parametrize("bad", ["partners", {"id": "A"}, 42, None])
def test_partners_must_be_an_iterable_of_mappings(engine, bad):
    with pytest.raises(TypeError, match="`partners` must be an iterable of mappings, a pandas DataFrame or a pyarrow Table"):
        engine.network(bad)


def test_partner_that_is_not_a_mapping(engine):
    with pytest.raises(leadrail.DataError) as info:
        engine.network([partners()[0], ["B"]])
    assert (info.value.code, info.value.record) == ("leadrail::data::invalid_record", "#2")
    with pytest.raises(leadrail.DataError) as info:
        engine.network([object()])
    assert info.value.message == "record #1: expected an object, found a value of type `object`"


# ---- leads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lead, code, field",
    [
        ({"id": "L", "region": "US", "size": "12"}, "leadrail::data::invalid_field", "size"),
        ({"id": "L", "region": "US"}, "leadrail::data::missing_field", "size"),
        ({"id": "L", "region": None, "size": 1}, "leadrail::data::missing_field", "region"),
        ({"id": "L", "region": "US", "size": float("nan")}, "leadrail::data::invalid_field", "size"),
        ({"id": "L", "region": "US", "size": float("inf")}, "leadrail::data::invalid_field", "size"),
        ({"id": "L", "region": "US", "size": 2**64}, "leadrail::data::invalid_field", "size"),
        ({"id": "L", "region": "US", "size": True}, "leadrail::data::invalid_field", "size"),
        ({"id": "L", "region": ["US"], "size": 1}, "leadrail::data::invalid_field", "region"),
        ({"id": "L", "region": "US", "size": 1, "share": 1.5}, "leadrail::data::invalid_field", "share"),
        ({"id": "L", "region": "US", "size": 1, "share": float("nan")}, "leadrail::data::invalid_field", "share"),
        ({"id": "L", "region": "US", "size": 1, "due": "2026-02-30"}, "leadrail::data::invalid_field", "due"),
        ({"id": "L", "region": "US", "size": 1, "wait": object()}, "leadrail::data::invalid_field", "wait"),
        ({"id": None, "region": "US", "size": 1}, "leadrail::data::invalid_record", None),
        ({"id": 1.5, "region": "US", "size": 1}, "leadrail::data::invalid_record", "id"),
    ],
)
def test_bad_lead_is_a_clear_error(net, lead, code, field):
    with pytest.raises(leadrail.DataError) as info:
        net.route(lead, NOW).to_dict()
    assert (info.value.code, info.value.field) == (code, field)
    [r] = net.route_batch([lead], NOW).to_list()
    assert r["error"]["code"] == code and r["error"].get("field") == field
    assert r["error"] == info.value.diagnostics[0]


def test_python_values_convert(net):
    lead = {
        "id": 7,
        "region": "US-TX",
        "size": 1,
        "share": 0.25,
        "due": date(2026, 12, 24),
        "wait": timedelta(hours=1, minutes=30),
        "deal": Decimal("250000.50"),
    }
    d = net.route(lead, datetime(2026, 11, 24, 9, tzinfo=timezone.utc)).to_dict()
    assert d["outcome"] == {"kind": "partner", "id": "A"}


@pytest.mark.parametrize(
    "now",
    [1.5, "yesterday", datetime(2026, 11, 24, 9), None, True, [NOW]],
)
def test_bad_now(net, now):
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route({"id": "L", "region": "US", "size": 1}, now).to_dict()
    assert info.value.code == "leadrail::request::invalid"


def test_now_forms_agree(net):
    lead = {"id": "L", "region": "US", "size": 1}
    a = net.route(lead, NOW).to_dict()
    assert net.route(lead, NOW_MS).to_dict() == a
    assert net.route(lead, datetime(2026, 11, 24, 10, tzinfo=timezone(timedelta(hours=1)))).to_dict() == a


def test_per_lead_instants_must_match_the_leads(net):
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route_batch([{"id": "L", "region": "US", "size": 1}], [NOW, NOW]).to_list()
    assert info.value.message == "1 leads but 2 instants"


@pytest.mark.parametrize("bad", [{"id": "L"}, "leads", 3])
def test_leads_must_be_an_iterable_of_mappings(net, bad):
    with pytest.raises(TypeError, match="`leads` must be an iterable of mappings"):
        net.route_batch(bad, NOW).to_list()


def test_exclude_must_hold_ids(net):
    with pytest.raises(leadrail.LeadrailError):
        net.route({"id": "L", "region": "US", "size": 1}, NOW, exclude=[1]).to_dict()
    d = net.route({"id": "L", "region": "US", "size": 1}, NOW, exclude="A").to_dict()
    assert d["outcome"] == {"kind": "queue", "name": "triage"}


# ---- state ----------------------------------------------------------------------------------


def test_bad_leads_change_no_state(engine, net):
    before = net.state()
    bad = [
        {"id": "X1", "region": "US", "size": "1"},
        {"id": "X2", "region": "US"},
        {"id": "X3", "region": "US", "size": float("nan")},
        ["not", "a", "mapping"],
        {"id": "X5", "region": "ZZ", "size": 1},
    ]
    results = net.route_batch(bad, NOW).to_list()
    assert all("error" in r for r in results)
    assert net.state() == before
    # mixed: equal to routing the good leads alone
    good = [{"id": f"G{i}", "region": "US-TX", "size": 1} for i in range(4)]
    mixed = [bad[0], good[0], bad[1], good[1], good[2], bad[3], good[3]]
    got = [r for r in net.route_batch(mixed, NOW).to_list() if "ok" in r]
    alone = engine.network(partners())
    assert got == alone.route_batch(good, NOW).to_list()
    assert net.state() == alone.state()


def test_route_changes_no_state_and_batch_does(net):
    lead = {"id": "L", "region": "US-TX", "size": 1}
    before = net.state()
    assert net.route(lead, NOW).to_dict() == net.route(lead, NOW).to_dict()
    assert net.state() == before
    [r] = net.route_batch([lead], NOW).to_list()
    st = net.state()
    chosen = r["ok"]["outcome"]["id"]
    p = next(p for p in st["partners"] if p["id"] == chosen)
    assert (p["active_leads"], p["assigned"], p["version"], p["last_assigned_at"]) == (1, 1, 1, NOW_MS)
    assert st["seq"] == 1


def test_state_round_trips(engine, net):
    net.route_batch([{"id": f"L{i}", "region": "US-TX", "size": 1} for i in range(4)], NOW).to_list()
    other = engine.network(partners())
    other.load_state(net.state())
    assert other.state() == net.state()
    lead = {"id": "N", "region": "US-TX", "size": 1}
    assert other.route(lead, NOW).to_dict() == net.route(lead, NOW).to_dict()


@pytest.mark.parametrize(
    "state, code",
    [
        ({"seq": "x", "partners": []}, "leadrail::request::invalid"),
        ([], "leadrail::request::invalid"),
        ({"seq": 0, "partners": [{"id": "NOPE", "active_leads": 0, "last_assigned_at": None,
                                   "last_seq": 0, "assigned": 0, "version": 0}]}, None),
    ],
)
def test_bad_state_is_rejected(net, state, code):
    before = net.state()
    with pytest.raises(leadrail.LeadrailError) as info:
        net.load_state(state)
    if code:
        assert info.value.code == code
    assert net.state() == before


# ---- columns --------------------------------------------------------------------------------


def test_columns_equal_records(engine):
    regions = ["US-TX", "US", "DE", "FR", "US-TX", None, "DE"]
    sizes = [1, 2, 3, 4, 5, 6, "7"]
    ids = [f"L{i}" for i in range(len(regions))]
    a = engine.network(partners())
    got = a.route_columns({"id": ids, "region": regions, "size": sizes}, NOW).columns()
    b = engine.network(partners())
    want = b.route_batch(
        [{"id": i, "region": r, "size": s} for i, r, s in zip(ids, regions, sizes)], NOW
    ).to_list()
    assert got["kind"] == [r["ok"]["outcome"]["kind"] if "ok" in r else None for r in want]
    assert got["target"] == [
        (r["ok"]["outcome"].get("id") or r["ok"]["outcome"].get("name")) if "ok" in r else None for r in want
    ]
    assert got["rule"] == [r["ok"]["rule"] if "ok" in r else None for r in want]
    assert got["error"] == [r.get("error") for r in want]
    assert a.state() == b.state()
    assert got["kind"][:4] == ["partner", "partner", "partner", "queue"]


def test_columns_accept_tuples_and_iterables(engine):
    net = engine.network(partners())
    got = net.route_columns({"id": ("a", "b"), "region": iter(["US", "DE"]), "size": (1.0, 2)}, NOW).columns()
    assert got["target"] == ["A", "C"]


def test_column_ids_of_every_form(engine):
    # text ids (the cheap form), ints, a mix, blanks and None: each row as the dict form reads it
    ids = ["a", 7, "  ", None, "e", 8.5]
    regions = ["US-TX"] * len(ids)
    sizes = [1] * len(ids)
    a = engine.network(partners())
    got = a.route_columns({"id": ids, "region": regions, "size": sizes}, NOW).columns()
    b = engine.network(partners())
    want = b.route_batch([{"id": i, "region": r, "size": s} for i, r, s in zip(ids, regions, sizes)], NOW).to_list()
    assert got["error"] == [r.get("error") for r in want]
    assert [e is None for e in got["error"]] == [True, True, False, False, True, False]
    assert got["error"][2]["message"] == "record #3: missing `id`"
    assert got["error"][5]["field"] == "id"
    assert a.state() == b.state()


def test_per_lead_instants_skip_bad_rows(engine):
    # bad rows take their instant with them: each good lead is routed at its own instant
    leads = [
        {"id": "X", "region": "US-TX", "size": "no"},
        {"id": "G1", "region": "US-TX", "size": 1},
        {"id": "Y", "region": "US-TX", "size": float("inf")},
        {"id": "G2", "region": "US-TX", "size": 1},
    ]
    times = [NOW_MS, NOW_MS + 1000, NOW_MS + 2000, NOW_MS + 3000]
    net = engine.network(partners())
    got = net.route_batch(leads, times).to_list()
    assert ["error" in r for r in got] == [True, False, True, False]
    assert got[2]["error"]["field"] == "size"
    assert got[2]["error"]["record"] == "Y"
    alone = engine.network(partners())
    want = alone.route_batch([leads[1], leads[3]], [times[1], times[3]]).to_list()
    assert [got[1], got[3]] == want
    assert net.state() == alone.state()
    last = {p["id"]: p["last_assigned_at"] for p in net.state()["partners"]}
    assert NOW_MS + 3000 in last.values()


def test_non_finite_float_names_the_lead_after_a_switch_to_json(engine):
    # a float column that later holds another type keeps naming the lead of its NaN
    net = engine.network(partners())
    leads = [
        {"id": "F1", "region": "US", "size": 1, "share": float("nan")},
        {"id": "F2", "region": "US", "size": 1, "share": "50%"},
    ]
    got = net.route_batch(leads, NOW).to_list()
    assert got[0]["error"]["record"] == "F1"
    assert got[0]["error"]["field"] == "share"
    assert "ok" in got[1]


@pytest.mark.parametrize(
    "columns, message",
    [
        ({"region": ["US"], "size": [1]}, "`columns` has no `id` column"),
        ({"id": ["a", "b"], "region": ["US"], "size": [1, 2]}, "column `region` has 1 values but `id` has 2"),
        ({"id": "ab", "region": ["US", "US"]}, "column `id` must be a sequence of values, not a `str`"),
        ([["a"]], "`columns` must be a mapping of field names to sequences"),
    ],
)
def test_bad_columns(net, columns, message):
    with pytest.raises(leadrail.LeadrailError) as info:
        net.route_columns(columns, NOW).columns()
    assert info.value.message == message


# ---- threads --------------------------------------------------------------------------------


def test_threads_share_one_network(engine):
    net = engine.network(
        [{"id": f"P{i}", "territories": ["US", "DE"][i % 2:i % 2 + 1], "capacity": 5 + i, "active_leads": i % 4,
          "last_assigned_at": f"2026-11-24T08:{i:02d}:00Z"} for i in range(40)]
    )
    leads = [{"id": f"L{i}", "region": ["US-TX", "DE-BY", "FR"][i % 3], "size": i} for i in range(300)]
    sequential = [net.route(l, NOW_MS + i, explain=True).to_dict() for i, l in enumerate(leads)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda il: net.route(il[1], NOW_MS + il[0], explain=True).to_dict(), enumerate(leads)))
    assert parallel == sequential
    # batches on copies, from threads at once, agree with one sequential batch
    nets = [engine.network([{"id": "A", "territories": ["US"], "capacity": 1000, "active_leads": 0},
                            {"id": "B", "territories": ["US"], "capacity": 1000, "active_leads": 0}]) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outs = list(pool.map(lambda n: n.route_batch(leads, NOW).to_list(), nets))
    assert all(o == outs[0] for o in outs)
    assert outs[0] == engine.network(
        [{"id": "A", "territories": ["US"], "capacity": 1000, "active_leads": 0},
         {"id": "B", "territories": ["US"], "capacity": 1000, "active_leads": 0}]
    ).route_batch(leads, NOW).to_list()


# ---- quickstart -----------------------------------------------------------------------------


def test_quickstart_runs():
    ex = Path(__file__).resolve().parents[1] / "examples"
    lines = (ex / "quickstart.py").read_text().splitlines()
    assert len(lines) <= 14  # the README shows it whole
    out = subprocess.run([sys.executable, "quickstart.py"], cwd=ex, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "{'kind': 'partner', 'id': 'P1'} [{'partner': 'P1', 'position': 1, 'score': 8.0}, "
        "{'partner': 'P2', 'position': 2, 'score': 1.0}]",
        "{'kind': 'partner', 'id': 'P2'}",
        "record `L3`: missing required field `region`",
    ]


def test_stubs_match_the_module():
    import ast

    import leadrail._leadrail as native

    stub = ast.parse((Path(leadrail.__file__).parent / "_leadrail.pyi").read_text())
    for node in stub.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(native, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    assert hasattr(cls, item.name), f"{node.name}.{item.name}"
            public = {n for n in dir(cls) if not n.startswith("_")} - set(dir(Exception))
            stubbed = {i.name for i in node.body if isinstance(i, ast.FunctionDef)}
            stubbed |= {i.target.id for i in node.body if isinstance(i, ast.AnnAssign)}
            assert public <= stubbed, f"{node.name}: not in the stub: {public - stubbed}"
        elif isinstance(node, ast.FunctionDef):
            assert hasattr(native, node.name), node.name


def test_w1_bench_script_smoke():
    # a tiny W1: the script runs, dicts and columns agree, and the generator matches the Node
    # port (benches/node_w1.mjs reports the same count for the same seed and sizes)
    script = Path(__file__).resolve().parents[2] / "benches" / "python_w1.py"
    out = subprocess.run(
        [sys.executable, str(script), "--partners", "20", "--leads", "300", "--runs", "1"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "routed to a partner: 13 of 300 (dicts and columns agree lead by lead)" in out
