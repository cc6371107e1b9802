"""`route_batch(..., as_columns=True)`: the same decisions and errors as the dict results, in the
columns of `route_columns`, for small batches (one piece) and big ones (chunked), with the same
state afterwards; `explain` is refused in that form."""

import pytest

import leadrail

from test_chunks import NOW_MS, RULES, leads, partners


def as_columns(results):
    """Dict results in the columns form, lead by lead."""
    out = {"kind": [], "target": [], "rule": [], "error": []}
    for r in results:
        if "error" in r:
            out["kind"].append(None)
            out["target"].append(None)
            out["rule"].append(None)
            out["error"].append(r["error"])
            continue
        d = r["ok"]
        o = d["outcome"]
        out["kind"].append(o["kind"])
        out["target"].append(o.get("id", o.get("name")))
        out["rule"].append(d["rule"])
        out["error"].append(None)
    return out


@pytest.fixture(scope="module")
def engine():
    return leadrail.Engine.compile(RULES)


@pytest.mark.parametrize("n", [50, 40_000])
def test_same_decisions_and_state_as_dicts(engine, n):
    batch = leads(n) if n > 100 else leads()[:n]
    times = [NOW_MS + i * 1000 for i in range(n)]
    a = engine.network(partners())
    b = engine.network(partners())
    dicts = a.route_batch(batch, times).to_list()
    cols = b.route_batch(batch, times, as_columns=True)
    assert set(cols) == {"kind", "target", "rule", "error"}
    assert all(len(v) == n for v in cols.values())
    assert cols == as_columns(dicts)
    # the bad leads are there, with their errors
    assert sum(e is not None for e in cols["error"]) >= (1 if n < 100 else 6)
    assert "queue" in cols["kind"] and "partner" in cols["kind"]
    assert a.state() == b.state()


def test_same_as_route_columns(engine):
    batch = [l for l in leads()[:300] if "id" in l and l["id"] is not None and l["size"] != "big"]
    n = len(batch)
    columns = {k: [l.get(k) for l in batch] for k in ("id", "region", "line", "size")}
    a = engine.network(partners()).route_batch(batch, NOW_MS, as_columns=True)
    b = engine.network(partners()).route_columns(columns, NOW_MS).columns()
    assert len(a["kind"]) == n
    assert a == b


def test_exclude_applies(engine):
    batch = leads()[:200]
    a = engine.network(partners()).route_batch(batch, NOW_MS, exclude=["P001", "P002"], as_columns=True)
    b = engine.network(partners()).route_batch(batch, NOW_MS, exclude=["P001", "P002"]).to_list()
    assert a == as_columns(b)
    assert "P001" not in a["target"] and "P002" not in a["target"]


def test_explain_is_refused_and_changes_no_state(engine):
    net = engine.network(partners())
    before = net.state()
    with pytest.raises(leadrail.LeadrailError) as e:
        net.route_batch(leads()[:10], NOW_MS, explain=True, as_columns=True)
    assert "as_columns" in str(e.value)
    assert net.state() == before


def test_as_columns_is_keyword_only(engine):
    net = engine.network(partners())
    with pytest.raises(TypeError):
        net.route_batch(leads()[:10], NOW_MS, False, None, True)
