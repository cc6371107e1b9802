"""Errors as users meet them (issue 12, item 5): `str()` of a rule error shows the first diagnostic
at file:line:column and how many more; a missing rule file raises Python's `FileNotFoundError`
with the path."""

import errno

import pytest

import leadrail

RULES = """ruleset "t" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "r" {
  require partner.territories covers lead.regoin
  require partner.teritories covers lead.region
}
"""


def test_str_of_a_rule_error_has_the_position_and_the_count():
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.compile(RULES, "bad.rail")
    e = info.value
    first = e.diagnostics[0]
    more = len(e.diagnostics) - 1
    assert more >= 1
    assert str(e) == f"bad.rail:{first['line']}:{first['column']}: {first['message']} (and {more} more)"
    assert e.message == first["message"]
    assert (e.line, e.column) == (first["line"], first["column"])


def test_str_of_one_diagnostic_has_no_count():
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.compile(RULES.replace("partner.teritories", "partner.territories"), "one.rail")
    e = info.value
    assert len(e.diagnostics) == 1
    assert str(e) == f"one.rail:5:{e.column}: {e.message}"


def test_a_data_error_reads_as_its_message():
    engine = leadrail.Engine.compile(RULES.replace("lead.regoin", "lead.region").replace("partner.teritories", "partner.territories"))
    with pytest.raises(leadrail.DataError) as info:
        engine.network([{"id": "P1", "territories": 7}])
    assert str(info.value) == info.value.message
    assert info.value.record == "P1"


def test_a_missing_rule_file_is_file_not_found_with_the_path(tmp_path):
    path = tmp_path / "missing.rail"
    with pytest.raises(FileNotFoundError) as info:
        leadrail.Engine.from_file(str(path))
    assert info.value.filename == str(path)
    assert info.value.errno == errno.ENOENT
    assert str(path) in str(info.value)
    with pytest.raises(IsADirectoryError):
        leadrail.Engine.from_file(tmp_path)
