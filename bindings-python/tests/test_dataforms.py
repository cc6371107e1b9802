"""Data in the forms users have it (issue 12, item 3): the bundled example's CSV files through
`csv.DictReader`, `pandas.read_csv` and `pyarrow.csv` give the CLI's decisions exactly; DataFrames
and Arrow tables with missing values; numpy and pyarrow columns; datetimes as epoch milliseconds
and aware datetimes, a naive one refused with what to pass; `now` as any sequence or as a start
and a step."""

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import leadrail

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "industrial"
# the CLI's decisions for the example (`leadrail route ... --now NOW --format jsonl`; the CLI's
# tests check that the file is its output)
CLI = [json.loads(line) for line in (EXAMPLE / "decisions.jsonl").read_text().splitlines()]
NOW = "2026-11-24T09:00:00Z"
NOW_MS = 1795510800000


@pytest.fixture(scope="module")
def engine():
    return leadrail.Engine.from_file(str(EXAMPLE / "rules.rail"))


def dict_rows(name):
    with open(EXAMPLE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cli_decisions(leads, results):
    assert len(results) == len(CLI)
    return [{"lead": lead, "decision": r.to_dict().get("ok", r.to_dict())} for lead, r in zip(leads, results)]


def test_dict_reader_rows_give_the_cli_decisions(engine):
    net = engine.network(dict_rows("partners.csv"), text_cells=True)
    leads = dict_rows("leads.csv")
    got = net.route_batch(leads, NOW, text_cells=True)
    assert cli_decisions([l["id"] for l in leads], got) == CLI


def test_dict_reader_rows_need_text_cells(engine):
    # without the mode, a JSON reading of the same text: a set given as text is refused
    with pytest.raises(leadrail.DataError) as info:
        engine.network(dict_rows("partners.csv"))
    assert info.value.record == "D-US-1"
    assert info.value.field == "territories"


def test_pandas_read_csv_gives_the_cli_decisions(engine):
    partners = pd.read_csv(EXAMPLE / "partners.csv")
    assert partners["parent"].isna().any()  # NaN for the missing optional field
    leads = pd.read_csv(EXAMPLE / "leads.csv")
    net = engine.network(partners)
    got = net.route_batch(leads, NOW)
    assert cli_decisions(list(leads["id"]), got) == CLI
    # as columns too, and with the ids as the index
    net = engine.network(partners.set_index("id"))
    cols = net.route_batch(leads, NOW, as_columns=True)
    assert cols["target"] == [d["decision"]["outcome"].get("id", d["decision"]["outcome"].get("name")) for d in CLI]


def test_pandas_records_with_nan_load_in_text_cells_mode(engine):
    rows = pd.read_csv(EXAMPLE / "partners.csv").to_dict("records")
    assert any(isinstance(r["parent"], float) for r in rows)  # NaN
    net = engine.network(rows, text_cells=True)
    assert len(net) == len(rows)


def test_pyarrow_csv_gives_the_cli_decisions(engine):
    partners = pacsv.read_csv(EXAMPLE / "partners.csv")
    # pyarrow reads the last assignment as a timestamp with a time zone, and nulls
    assert str(partners.schema.field("last_assigned_at").type).startswith("timestamp")
    leads = pacsv.read_csv(EXAMPLE / "leads.csv")
    net = engine.network(partners)
    got = net.route_batch(leads, NOW)
    assert cli_decisions(leads.column("id").to_pylist(), got) == CLI
    # a RecordBatch too
    net = engine.network(partners.to_batches()[0])
    assert len(net) == partners.num_rows


def test_a_dataframe_is_never_read_as_its_column_names(engine):
    partners = pd.read_csv(EXAMPLE / "partners.csv")
    net = engine.network(partners)
    leads = pd.read_csv(EXAMPLE / "leads.csv")
    assert len(net.route_batch(leads, NOW)) == len(leads)
    with pytest.raises(TypeError, match="`leads` must be an iterable of mappings, a pandas DataFrame or a pyarrow Table, not a `dict`"):
        net.route_batch({"id": ["L1"]}, NOW)
    with pytest.raises(TypeError):
        net.route_batch(42, NOW)


RULES = """ruleset "forms" version 1
schema lead    { region: region, size: int, score: ratio?, created_at: datetime? }
schema partner { territories: set<region>, since: datetime?, spots: map<text, date>, at: geopoint? }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
"""


@pytest.fixture(scope="module")
def small():
    return leadrail.Engine.compile(RULES)


def partner_rows():
    return [
        {"id": "A", "territories": "US except US-TX|CA", "since": "", "spots": "x=2027-01-01|y=2027-06-30", "at": "41.9 -87.6"},
        {"id": "B", "territories": "US-TX", "since": "2026-11-01T00:00:00Z", "spots": "", "at": ""},
    ]


def test_text_cells_read_every_cli_form(small):
    net = small.network(partner_rows(), text_cells=True)
    leads = [{"id": "L1", "region": "US-TX", "size": "1_000"}, {"id": "L2", "region": "US-NY", "size": " 2 "}, {"id": "L3", "region": "CA-QC", "size": "3", "score": "0.5"}]
    got = [r.to_dict()["ok"]["outcome"] for r in net.route_batch(leads, NOW, text_cells=True)]
    assert got == [{"kind": "partner", "id": "B"}, {"kind": "partner", "id": "A"}, {"kind": "partner", "id": "A"}]


def test_a_bad_text_cell_names_the_record_and_the_field(small):
    rows = partner_rows()
    rows[1]["at"] = "north"
    with pytest.raises(leadrail.DataError) as info:
        small.network(rows, text_cells=True)
    assert (info.value.record, info.value.field) == ("B", "at")
    assert info.value.message == "record `B`, field `at`: expected a point, found `north`"


def test_nan_and_none_are_missing_in_a_dataframe(small):
    net = small.network(partner_rows(), text_cells=True)
    df = pd.DataFrame({"id": ["L1", "L2"], "region": ["US-TX", "US-NY"], "size": [1, 2], "score": [np.nan, 0.5], "created_at": [None, pd.NA]})
    got = net.route_batch(df, NOW)
    assert [r.ok is not None for r in got] == [True, True]
    # a NaN in a required field is a missing field
    df = pd.DataFrame({"id": ["L1"], "region": ["US-TX"], "size": [np.nan]})
    assert net.route_batch(df, NOW)[0].to_dict()["error"]["message"] == "record `L1`: missing required field `size`"


def test_arrow_nulls_are_missing(small):
    net = small.network(partner_rows(), text_cells=True)
    table = pa.table({"id": ["L1", "L2"], "region": ["US-TX", None], "size": pa.array([1, None], pa.int64())})
    got = [r.to_dict() for r in net.route_batch(table, NOW)]
    assert got[0]["ok"]["outcome"] == {"kind": "partner", "id": "B"}
    assert got[1]["error"]["message"] == "record `L2`: missing required field `region`"


def test_datetime_fields_take_epoch_ms_and_aware_datetimes(small):
    rows = partner_rows()
    aware = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=1)))
    for since in (1793574000000, aware, "2026-11-01T00:00:00+01:00"):
        rows[1]["since"] = since
        net = small.network(rows, text_cells=True)
        assert len(net) == 2
    # epoch ms in a datetime column of leads (a numpy int64 column, read from its buffer)
    net = small.network(partner_rows(), text_cells=True)
    cols = {"id": ["L1", "L2"], "region": ["US-TX", "US-TX"], "size": np.array([1, 2]), "created_at": np.array([NOW_MS, NOW_MS + 1])}
    assert net.route_columns(cols, NOW).columns()["kind"] == ["partner", "partner"]


def test_a_naive_datetime_says_what_to_pass(small):
    net = small.network(partner_rows(), text_cells=True)
    lead = {"id": "L1", "region": "US-TX", "size": 1, "created_at": datetime(2026, 1, 5, 9, 0)}
    with pytest.raises(leadrail.DataError) as info:
        net.route(lead, NOW)
    e = info.value
    assert e.message == "record `L1`, field `created_at`: naive datetime `2026-01-05 09:00:00` has no time zone"
    assert e.help == "pass an aware datetime (with its time zone set, e.g. `tzinfo=timezone.utc`) or milliseconds since the epoch"
    assert (e.record, e.field) == ("L1", "created_at")
    # in a DataFrame too, and as `now`
    df = pd.DataFrame({"id": ["L1"], "region": ["US-TX"], "size": [1], "created_at": [pd.Timestamp("2026-01-05 09:00")]})
    assert "naive datetime `2026-01-05 09:00:00`" in net.route_batch(df, NOW)[0].to_dict()["error"]["message"]
    with pytest.raises(leadrail.LeadrailError, match="naive datetime `2026-01-05 09:00:00` has no time zone"):
        net.route(dict(lead, created_at=None), datetime(2026, 1, 5, 9, 0))


def batch_now(small, now, n=3):
    net = small.network(partner_rows(), text_cells=True)
    leads = [{"id": f"L{i}", "region": "US-TX", "size": 1} for i in range(n)]
    net.route_batch(leads, now).to_list()
    return net.state()


def test_now_as_any_sequence_or_start_and_step(small):
    want = batch_now(small, [NOW_MS, NOW_MS + 60_000, NOW_MS + 120_000])
    assert want["partners"][1]["last_assigned_at"] == NOW_MS + 120_000
    for now in (
        (NOW_MS, NOW_MS + 60_000, NOW_MS + 120_000),
        range(NOW_MS, NOW_MS + 180_000, 60_000),
        np.array([NOW_MS, NOW_MS + 60_000, NOW_MS + 120_000]),
        pd.Series([NOW_MS, NOW_MS + 60_000, NOW_MS + 120_000]),
        pd.Series(pd.to_datetime([NOW_MS, NOW_MS + 60_000, NOW_MS + 120_000], unit="ms", utc=True)),
        pa.array([NOW_MS, NOW_MS + 60_000, NOW_MS + 120_000]),
        {"start": NOW_MS, "step": 60_000},
        {"start": NOW, "step": timedelta(minutes=1)},
        {"start": datetime(2026, 11, 24, 9, tzinfo=timezone.utc), "step": "1m"},
    ):
        assert batch_now(small, now) == want, now


def test_start_and_step_errors(small):
    with pytest.raises(leadrail.LeadrailError) as info:
        batch_now(small, {"start": NOW_MS})
    assert info.value.message == "`now` as start and step needs `step` (milliseconds between leads)"
    with pytest.raises(leadrail.LeadrailError) as info:
        batch_now(small, {"start": NOW_MS, "step": 1, "end": 2})
    assert info.value.message == "`now` as start and step has an unknown key `end`"
    with pytest.raises(leadrail.LeadrailError, match="2 instants"):
        batch_now(small, range(2))


def test_numpy_and_pyarrow_columns(small):
    net = small.network(partner_rows(), text_cells=True)
    want = net.route_columns({"id": ["L1", "L2"], "region": ["US-TX", "US-NY"], "size": [1, 2], "score": [0.5, 0.25]}, NOW).columns()
    for cols in (
        {"id": np.array(["L1", "L2"]), "region": np.array(["US-TX", "US-NY"]), "size": np.array([1, 2], np.int32), "score": np.array([0.5, 0.25])},
        {"id": pa.array(["L1", "L2"]), "region": pa.chunked_array([["US-TX"], ["US-NY"]]), "size": pa.array([1, 2]), "score": pa.array([0.5, 0.25])},
        {"id": pd.Series(["L1", "L2"]), "region": ["US-TX", "US-NY"], "size": pd.Series([1, 2]), "score": pd.Series([0.5, 0.25])},
    ):
        assert small.network(partner_rows(), text_cells=True).route_columns(cols, NOW).columns() == want
    # a NaN in a float array of route_columns (not a text table) is an error naming the lead
    got = net.route_columns({"id": ["L1"], "region": ["US-TX"], "size": [1], "score": np.array([np.nan])}, NOW).columns()
    assert got["error"][0]["field"] == "score"
