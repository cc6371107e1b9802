"""SLA evaluation from Python: shapes, `done`, partner calendars and bad input."""

import json
from datetime import datetime, timezone

import pytest

import leadrail


def wire(x):
    """An SLA result in the wire form: `to_dict()` of one evaluation, of each of a list."""
    return [r.to_dict() for r in x] if isinstance(x, list) else x.to_dict()

RULES = """ruleset "sla" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "territory" { require partner.territories covers lead.region }
calendar "us" { timezone "America/Chicago"  hours mon-fri 09:00-17:00 }
sla accept { start assigned  stop accepted  goal 8h business "us"  warn 50%  on breach remind }
"""

# Tue 2026-11-24 09:00 CST; 50% at 13:00 CST (19:00Z), due 17:00 CST (23:00Z).
T0 = "2026-11-24T15:00:00Z"
T0_MS = 1795532400000
WARN_MS = T0_MS + 4 * 3_600_000
DUE_MS = T0_MS + 8 * 3_600_000


@pytest.fixture(scope="module")
def engine():
    return leadrail.Engine.compile(RULES)


def timeline(*events, lead="L1"):
    return {"lead": lead, "events": list(events)}


ASSIGNED = {"at": T0, "event": "assigned", "partner": "P1"}


def test_one_timeline_gives_its_evaluation(engine):
    got = wire(engine.evaluate_sla(timeline(ASSIGNED), "2026-11-24T20:00:00Z"))
    assert got["lead"] == "L1"
    assert [(s["instance"], s["state"], s["elapsed_ms"], s["due_at"]) for s in got["slas"]] == [
        ("accept", "running", 5 * 3_600_000, DUE_MS)
    ]
    assert [d["id"] for d in got["due"]] == ["accept:warn:50"]
    assert got["next_deadline"] == DUE_MS
    assert got["cursor"] == T0_MS + 5 * 3_600_000
    assert "reroute" not in got
    assert engine.slas == ["accept"]


def test_instants_as_int_str_and_datetime_agree(engine):
    now = datetime(2026, 11, 24, 20, tzinfo=timezone.utc)
    a = wire(engine.evaluate_sla(timeline(ASSIGNED), now))
    b = wire(engine.evaluate_sla(timeline(dict(ASSIGNED, at=T0_MS)), int(now.timestamp() * 1000)))
    c = wire(engine.evaluate_sla(timeline(dict(ASSIGNED, at=datetime(2026, 11, 24, 15, tzinfo=timezone.utc))), now))
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) == json.dumps(c, sort_keys=True)


def test_done_as_ids_or_cursor_makes_each_action_due_once(engine):
    now = "2026-11-24T20:00:00Z"
    first = wire(engine.evaluate_sla(timeline(ASSIGNED), now))
    assert [d["id"] for d in first["due"]] == ["accept:warn:50"]
    assert wire(engine.evaluate_sla(timeline(ASSIGNED), now, done=["accept:warn:50"]))["due"] == []
    assert wire(engine.evaluate_sla(timeline(ASSIGNED), now, done=("accept:warn:50",)))["due"] == []
    assert wire(engine.evaluate_sla(timeline(ASSIGNED), now, done=first["cursor"]))["due"] == []
    later = wire(engine.evaluate_sla(timeline(ASSIGNED), DUE_MS, done=first["cursor"]))
    assert [d["id"] for d in later["due"]] == ["accept:breach:remind"]


def test_next_deadline(engine):
    assert engine.next_deadline(timeline(ASSIGNED), T0) == WARN_MS
    assert engine.next_deadline(timeline(ASSIGNED), WARN_MS) == DUE_MS
    assert engine.next_deadline(timeline(ASSIGNED), DUE_MS) is None
    assert engine.next_deadline(timeline(), T0) is None


def test_a_list_gives_one_result_per_timeline(engine):
    got = wire(engine.evaluate_sla(
        [timeline(ASSIGNED), timeline({"at": T0, "event": "nope"}, lead="L2"), timeline(ASSIGNED, lead="L3")],
        "2026-11-24T20:00:00Z",
    ))
    assert [next(iter(r)) for r in got] == ["ok", "error", "ok"]
    assert got[1]["error"]["record"] == "L2"
    assert got[1]["error"]["field"] == "events[0].event"
    assert got[2]["ok"]["lead"] == "L3"
    assert wire(engine.evaluate_sla([], T0)) == []


def test_out_of_order_events_raise_data_error_naming_lead_and_event(engine):
    bad = timeline(ASSIGNED, {"at": "2026-11-24T14:00:00Z", "event": "accepted", "partner": "P1"})
    with pytest.raises(leadrail.DataError) as e:
        wire(engine.evaluate_sla(bad, T0))
    assert e.value.code == "leadrail::timeline::out_of_order"
    assert (e.value.record, e.value.field) == ("L1", "events[1]")
    assert "earlier than the event before it" in e.value.message
    with pytest.raises(leadrail.DataError):
        engine.next_deadline(bad, T0)


def test_unknown_event_kind(engine):
    with pytest.raises(leadrail.DataError) as e:
        wire(engine.evaluate_sla(timeline(ASSIGNED, {"at": T0, "event": "approved"}), T0))
    assert e.value.code == "leadrail::data::invalid_field"
    assert (e.value.record, e.value.field) == ("L1", "events[1].event")
    assert "`approved`" in e.value.message


@pytest.mark.parametrize(
    "event, field, code",
    [
        ({"event": "created"}, "events[0].at", "leadrail::data::missing_field"),
        ({"at": "yesterday", "event": "created"}, "events[0].at", "leadrail::data::invalid_field"),
        ({"at": 1.5, "event": "created"}, "events[0].at", "leadrail::data::invalid_field"),
        ({"at": None, "event": "created"}, "events[0].at", "leadrail::data::invalid_field"),
        ({"at": T0}, "events[0].event", "leadrail::data::missing_field"),
        ({"at": T0, "event": 3}, "events[0].event", "leadrail::data::invalid_field"),
        # the missing or mistyped detail is named (issue 10)
        ({"at": T0, "event": "assigned"}, "events[0].partner", "leadrail::data::missing_field"),
        ({"at": T0, "event": "assigned", "partner": 7}, "events[0].partner", "leadrail::data::invalid_field"),
        ("assigned", "events[0]", "leadrail::data::invalid_field"),
    ],
)
def test_bad_events(engine, event, field, code):
    with pytest.raises(leadrail.DataError) as e:
        wire(engine.evaluate_sla(timeline(event), T0))
    assert (e.value.code, e.value.record, e.value.field) == (code, "L1", field)


@pytest.mark.parametrize(
    "tl",
    [{"events": []}, {"lead": 5, "events": []}, {"lead": "L1"}, {"lead": "L1", "events": {}}],
)
def test_bad_timeline_shapes(engine, tl):
    with pytest.raises(leadrail.DataError) as e:
        wire(engine.evaluate_sla(tl, T0))
    assert e.value.field in ("lead", "events")


@pytest.mark.parametrize("now", ["tomorrow", "2026-11-24T09:00:00", None, 1.5, True, [T0], float("nan"), 2**70])
def test_bad_now(engine, now):
    with pytest.raises(leadrail.LeadrailError) as e:
        wire(engine.evaluate_sla(timeline(ASSIGNED), now))
    assert e.value.code == "leadrail::request::invalid"


@pytest.mark.parametrize("timelines", ["L1", 5, None, [5], [None], ["L1"]])
def test_wrong_containers(engine, timelines):
    if isinstance(timelines, list):
        got = wire(engine.evaluate_sla(timelines, T0))
        assert len(got) == 1 and got[0]["error"]["code"] == "leadrail::request::invalid"
    else:
        with pytest.raises(leadrail.LeadrailError) as e:
            wire(engine.evaluate_sla(timelines, T0))
        assert e.value.code == "leadrail::request::invalid"


@pytest.mark.parametrize("done", [[1, 2], "not an instant", {"a": 1}, [None]])
def test_bad_done(engine, done):
    with pytest.raises(leadrail.LeadrailError) as e:
        wire(engine.evaluate_sla(timeline(ASSIGNED), T0, done=done))
    assert e.value.code == "leadrail::request::invalid"


def test_partner_calendars():
    rules = RULES.replace('goal 8h business "us"', "goal 8h business partner.calendar").replace(
        "schema partner { territories: set<region> }",
        "schema partner { territories: set<region>, calendar: text }",
    )
    engine = leadrail.Engine.compile(rules)
    ok = wire(engine.evaluate_sla(timeline(ASSIGNED), "2026-11-24T20:00:00Z", partner_calendars={"P1": "us"}))
    assert ok["slas"][0]["due_at"] == DUE_MS
    by_field = wire(engine.evaluate_sla(
        timeline(ASSIGNED), "2026-11-24T20:00:00Z", partner_calendars={"P1": {"calendar": "us"}}
    ))
    assert by_field == ok
    with pytest.raises(leadrail.LeadrailError) as e:
        wire(engine.evaluate_sla(timeline(ASSIGNED), T0))
    assert (e.value.code, e.value.record) == ("leadrail::sla::unknown_calendar", "L1")
    with pytest.raises(leadrail.LeadrailError) as e:
        wire(engine.evaluate_sla(timeline(ASSIGNED), T0, partner_calendars={"P1": 5}))
    assert e.value.code == "leadrail::request::invalid"
    with pytest.raises(leadrail.LeadrailError):
        wire(engine.evaluate_sla(timeline(ASSIGNED), T0, partner_calendars=["P1"]))


def test_threads_evaluating_on_one_engine_agree_with_sequential(engine):
    from concurrent.futures import ThreadPoolExecutor

    timelines = [
        timeline(dict(ASSIGNED, at=T0_MS + i * 600_000), lead=f"L{i}") for i in range(200)
    ]
    nows = [T0_MS + h * 3_600_000 for h in range(12)]
    sequential = [wire(engine.evaluate_sla(timelines, now)) for now in nows]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda now: wire(engine.evaluate_sla(timelines, now)), nows))
    assert threaded == sequential
    # Business time: 09:00-17:00 CST; leads assigned after `now` have no instance yet.
    states = {x["state"] for r in sequential for s in r for x in s["ok"]["slas"]}
    assert states == {"running", "breached"}
    assert sequential[0][199]["ok"]["slas"] == []


HOLIDAY_RULES = RULES.replace(
    'hours mon-fri 09:00-17:00 }', 'hours mon-fri 09:00-17:00  holidays "us.txt" }'
)


def test_holiday_files_from_a_mapping_move_the_deadline():
    # Tuesday 2026-11-24 is a holiday: the 8 business hours run on Wednesday instead.
    engine = leadrail.Engine.compile(HOLIDAY_RULES, "sla.rail", files={"us.txt": "2026-11-24 test day\n"})
    got = wire(engine.evaluate_sla(timeline(ASSIGNED), "2026-11-24T20:00:00Z"))
    assert [(s["state"], s["elapsed_ms"], s["due_at"]) for s in got["slas"]] == [
        ("running", 0, DUE_MS + 24 * 3_600_000)
    ]


def test_a_holiday_file_missing_from_the_mapping_is_a_rule_error_at_its_entry():
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.compile(HOLIDAY_RULES, "sla.rail", files={"de.txt": "2026-12-25"})
    [d] = info.value.diagnostics
    assert d["code"] == "leadrail::calendar::holiday_file"
    assert d["message"] == "cannot read holiday file `us.txt`: it is not among the files given (`de.txt`)"
    assert (d["line"], d["column"]) == (5, 81)  # the path string of `holidays "us.txt"`


def test_a_bad_line_in_a_given_holiday_file_names_the_file_and_line():
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.compile(HOLIDAY_RULES, "sla.rail", files={"us.txt": "2026-11-24\n2026-13-01 bad\n"})
    [d] = info.value.diagnostics
    assert "`us.txt`" in d["message"] and "line 2" in d["message"], d["message"]


@pytest.mark.parametrize("files", [["us.txt"], "us.txt", {"us.txt": 1}, {1: "2026-11-24"}])
def test_files_of_the_wrong_shape_raise_a_clear_error(files):
    with pytest.raises(leadrail.LeadrailError) as info:
        leadrail.Engine.compile(HOLIDAY_RULES, "sla.rail", files=files)
    assert "`files` must" in str(info.value)


def test_a_calendar_mistake_in_the_rule_text_is_a_rule_error_with_its_position():
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.compile(RULES.replace("America/Chicago", "America/Chicgo"), "sla.rail")
    [d] = info.value.diagnostics
    assert d["code"] == "leadrail::calendar::unknown_time_zone"
    assert (d["line"], d["column"]) == (5, 26)
    assert "America/Chicago" in d["help"]
