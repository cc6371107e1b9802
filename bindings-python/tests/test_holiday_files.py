"""Holiday files from Python (issue 10): rule text reads nothing from disk unless the host gives
a base directory (or compiles a file by its path), and then only regular files inside it; an
error never quotes a file that is not a holiday file."""

import os
import sys

import pytest

import leadrail

SECRET = "API_TOKEN=hunter2-do-not-print"


def rules(path):
    return (
        'ruleset "h" version 1\nschema lead { region: text }\nschema partner { calendar: text }\n'
        f'calendar "c" {{ timezone "Europe/Berlin"  hours mon-fri 09:00-17:00  holidays "{path}" }}\n'
        'route "all" { }\n'
    )


@pytest.fixture
def tree(tmp_path):
    """`tmp/rules/` (the base directory) with a valid file; a secret beside `rules/`."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "de.txt").write_text("2026-12-25 Christmas\n")
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    return tmp_path


def refused(text, why, **kw):
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.compile(text, **kw)
    [d] = info.value.diagnostics
    assert d["code"] == "leadrail::calendar::holiday_file"
    assert why in d["message"], d["message"]
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(info.value.diagnostics)
    assert "root:" not in repr(info.value.diagnostics)
    return d


def test_rule_text_alone_reads_nothing_from_disk(tree, monkeypatch):
    monkeypatch.chdir(tree / "rules")  # de.txt is in the working directory: still not read
    refused(rules("de.txt"), "no files were given with the rule text, and no directory to read them from")


def test_a_valid_file_in_the_base_directory_is_read(tree):
    e = leadrail.Engine.compile(rules("de.txt"), base_dir=tree / "rules")
    assert e.name == "h"
    e = leadrail.Engine.compile(rules("de.txt"), "x.rail", None, str(tree / "rules"))
    assert e.name == "h"
    # files first, then the directory
    e = leadrail.Engine.compile(rules("mem.txt"), files={"mem.txt": "2026-12-24"}, base_dir=tree / "rules")
    assert e.name == "h"


def test_from_file_reads_next_to_the_rule_file(tree):
    (tree / "rules" / "ok.rail").write_text(rules("de.txt"))
    assert leadrail.Engine.from_file(tree / "rules" / "ok.rail").name == "h"
    (tree / "rules" / "bad.rail").write_text(rules("../secret.txt"))
    with pytest.raises(leadrail.RuleError) as info:
        leadrail.Engine.from_file(tree / "rules" / "bad.rail")
    assert "the path leaves the rule file's directory" in info.value.diagnostics[0]["message"]
    assert "hunter2" not in repr(info.value.diagnostics)


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/environ", "/dev/zero"])
def test_absolute_paths_are_refused(tree, path):
    refused(rules(path), "an absolute path is not read", base_dir=tree / "rules")


def test_dot_dot_may_not_leave_the_base_directory(tree):
    refused(rules("../secret.txt"), "the path leaves the rule file's directory", base_dir=tree / "rules")
    refused(rules("../../../../../../../etc/passwd"), "the path leaves", base_dir=tree / "rules")


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_symbolic_links_out_of_the_base_directory_are_refused(tree):
    os.symlink(tree / "secret.txt", tree / "rules" / "link.txt")
    os.symlink("/dev/zero", tree / "rules" / "zero.txt")
    for path in ["link.txt", "zero.txt"]:
        refused(rules(path), "the path leads outside the rule file's directory", base_dir=tree / "rules")


def test_directories_and_oversized_files_are_refused(tree):
    (tree / "rules" / "sub").mkdir()
    refused(rules("sub"), "it is not a regular file", base_dir=tree / "rules")
    (tree / "rules" / "big.txt").write_text("2026-12-25 Christmas\n" * 60_000)
    refused(rules("big.txt"), "it is larger than the 1024 KiB", base_dir=tree / "rules")


def test_a_file_that_is_not_a_holiday_file_is_not_quoted(tree):
    (tree / "rules" / "settings.env").write_text(SECRET + "\nPASSWORD=hunter2\n")
    d = refused(rules("settings.env"), "`settings.env` is not a holiday file", base_dir=tree / "rules")
    assert d["message"] == (
        "`settings.env` is not a holiday file: 2 of its 2 entry line(s) are not holiday entries "
        "(the first is line 1)"
    )


def test_base_dir_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError):
        leadrail.Engine.compile(rules("de.txt"), base_dir=42)
