"""Runs every conformance vector (conformance/README.md) through the Python binding and compares
canonical JSON exactly."""

import json
from pathlib import Path

import pytest

import leadrail


def wire(x):
    """An SLA result in the wire form: `to_dict()` of one evaluation, of each of a list."""
    return [r.to_dict() for r in x] if isinstance(x, list) else x.to_dict()

VECTORS = Path(__file__).resolve().parents[2] / "conformance"
# The capabilities this binding offers: every suite.
SUITES = ("routing", "sla", "errors", "kpi", "flows", "dealreg", "lead_conflicts")
FILES = sorted(p for p in VECTORS.glob("*/*.json") if p.parent.name in SUITES)


def canon(x):
    """Canonical JSON: sorted keys, numbers by value (JavaScript cannot tell 1 from 1.0)."""

    def norm(v):
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, (int, float)):
            return float(v)
        if isinstance(v, list):
            return [norm(i) for i in v]
        if isinstance(v, dict):
            return {k: norm(i) for k, i in v.items()}
        raise TypeError(f"not JSON: {v!r}")

    return json.dumps(norm(x), sort_keys=True, ensure_ascii=False)


def kpi_call(engine, call):
    """A `kpi` or `forecast` call: the call object's other keys are the options (`forecast`'s
    `m`, `draws`, `seed`, `detail` given as keywords); `format: columns` compares `columns()`."""
    opts = {k: v for k, v in call.items() if k not in ("call", "timelines", "now", "expect")}
    columns = opts.pop("format", "rows") == "columns"
    try:
        if call["call"] == "kpi":
            r = leadrail.kpi(call["timelines"], call["now"], engine=engine, **opts)
        else:
            r = leadrail.forecast(call["timelines"], call["now"], **opts.pop("forecast", {}), **opts)
    except leadrail.LeadrailError as e:
        return {"error": e.diagnostics[0]}
    return r.columns() if columns else r.to_dict()


def expire_call(net, call):
    """An `expire` call: the registry expired at each instant of `now` in turn, then, with
    `leads`, the leads routed against it at `route_at` (what if)."""
    try:
        registry = leadrail.Registry(call["registry"])
        got = {"expired": [registry.expire(t) for t in call["now"]]}
        if "leads" in call:
            got["routes"] = [r.to_dict() for r in registry.route_batch(net, call["leads"], call["route_at"])]
    except leadrail.LeadrailError as e:
        return {"error": e.diagnostics[0]}
    return {"ok": got}


def registry_records_call(net, call):
    """A `registry_records` call: the registry, with `leads` assigned at `assign_at` (recorded),
    expired at `expire_at`, read back with `records` and `get`."""
    try:
        registry = leadrail.Registry(call["registry"])
        if "leads" in call:
            registry.route_batch(net, call["leads"], call["assign_at"], assign=True)
        expired = registry.expire(call["expire_at"])
        got = {"expired": expired, "records": registry.records(), "get": [registry.get(i) for i in call["get"]]}
    except leadrail.LeadrailError as e:
        return {"error": e.diagnostics[0]}
    return {"ok": got}


def project(d):
    return {k: d[k] for k in ("code", "severity", "message", "line", "column")}


# The single-lead flow's calls (flows/): each answers a value or raises.
FLOWS = {
    "assign": lambda net, c: net.assign(
        c["lead"], c["now"], explain=c.get("explain", False), exclude=c.get("exclude", ())
    ).to_dict(),
    "add_partner": lambda net, c: net.add_partner(c["partner"]),
    "update_partner": lambda net, c: net.update_partner(c["partner"]),
    "remove_partner": lambda net, c: net.remove_partner(c["id"]),
    "release": lambda net, c: net.release(c["lead"], c.get("partner")),
}


def test_there_are_at_least_40_vectors():
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_vector(path):
    vec = json.loads(path.read_text())
    expect = vec["expect"]
    try:
        engine = leadrail.Engine.compile(vec["rules"], "rules.rail", files=vec.get("files"))
    except leadrail.RuleError as e:
        assert "compile_errors" in expect, e.diagnostics
        assert canon([project(d) for d in e.diagnostics]) == canon(expect["compile_errors"])
        return
    assert "compile_errors" not in expect
    assert canon([project(d) for d in engine.warnings]) == canon(expect["warnings"])
    try:
        net = engine.network(vec["partners"])
    except leadrail.DataError as e:
        assert "network_error" in expect, e.diagnostics
        assert canon(e.diagnostics[0]) == canon(expect["network_error"])
        return
    assert "network_error" not in expect
    for call in vec["calls"]:
        kind = call["call"]
        if kind == "route_batch":
            got = net.route_batch(
                call["leads"], call["now"], explain=call["explain"], exclude=call.get("exclude", ())
            ).to_list()
        elif kind == "route":
            try:
                got = {
                    "ok": net.route(
                        call["lead"],
                        call["now"],
                        explain=call["explain"],
                        exclude=call.get("exclude", ()),
                    ).to_dict()
                }
            except leadrail.LeadrailError as e:
                got = {"error": e.diagnostics[0]}
        elif kind == "state":
            got = net.state()
        elif kind in FLOWS:
            try:
                got = {"ok": FLOWS[kind](net, call)}
            except leadrail.LeadrailError as e:
                got = {"error": e.diagnostics[0]}
        elif kind == "sla":
            got = wire(engine.evaluate_sla(
                call["timelines"],
                call["now"],
                done=call.get("done"),
                partner_calendars=call.get("partner_calendars"),
            ))
        elif kind == "next_deadline":
            try:
                got = engine.next_deadline(
                    call["timeline"], call["now"], partner_calendars=call.get("partner_calendars")
                )
            except leadrail.LeadrailError as e:
                got = {"error": e.diagnostics[0]}
        elif kind in ("kpi", "forecast"):
            got = kpi_call(engine, call)
        elif kind == "register":
            try:
                verdicts = leadrail.register(
                    engine, call["registry"], call["deals"], call["now"],
                    policy=call.get("policy"), submit=call.get("submit", False),
                )
                got = {"verdicts": [v.to_dict() for v in verdicts]}
            except leadrail.LeadrailError as e:
                got = {"error": e.diagnostics[0]}
        elif kind == "route_conflicts":
            try:
                routes = leadrail.Registry(call["registry"]).route_batch(
                    net, call["leads"], call["now"], exclude=call.get("exclude"),
                    assign=call.get("assign", False),
                )
                got = {"ok": [r.to_dict() for r in routes]}
            except leadrail.LeadrailError as e:
                got = {"error": e.diagnostics[0]}
        elif kind == "expire":
            got = expire_call(net, call)
        elif kind == "registry_records":
            got = registry_records_call(net, call)
        else:
            raise AssertionError(f"unknown call {kind}")
        assert canon(got) == canon(call["expect"]), kind
