"""`mypy --strict` over realistic user code (issue 12, item 5): the README's example
(examples/quickstart.py) and a TypedDict-typed single-lead flow (examples/flows_typed.py) pass it,
and a misspelt field makes each fail; both run and print what they should."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def mypy_strict(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(path)],
        capture_output=True,
        text=True,
        cwd=EXAMPLES,
    )


def test_mypy_strict_accepts_the_readme_example_and_refuses_a_misspelt_field(tmp_path):
    text = (EXAMPLES / "quickstart.py").read_text()
    ok = mypy_strict(tmp_path, "quickstart.py", text)
    assert ok.returncode == 0, ok.stdout
    assert "decision.explanation.candidates" in text
    bad = mypy_strict(tmp_path, "bad.py", text.replace("decision.explanation.candidates", "decision.explanation.candidate"))
    assert bad.returncode == 1
    assert '"Explanation" has no attribute "candidate"' in bad.stdout, bad.stdout


def test_mypy_strict_accepts_the_typed_flow_and_refuses_a_misspelt_row_key(tmp_path):
    text = (EXAMPLES / "flows_typed.py").read_text()
    ok = mypy_strict(tmp_path, "flows_typed.py", text)
    assert ok.returncode == 0, ok.stdout
    row = '{"id": "L1", "region": "US-TX:752"}'
    assert row in text
    bad = mypy_strict(tmp_path, "bad.py", text.replace(row, '{"id": "L1", "regoin": "US-TX:752"}'))
    assert bad.returncode == 1
    assert '"regoin"' in bad.stdout, bad.stdout
    # an explanation asked for is typed as present; one not asked for is Optional
    unexplained = text.replace('explain=True)', 'explain=False)')
    bad = mypy_strict(tmp_path, "bad2.py", unexplained)
    assert bad.returncode == 1
    assert 'Item "None" of "Explanation | None" has no attribute "candidates"' in bad.stdout, bad.stdout


def test_the_typed_flow_runs():
    out = subprocess.run([sys.executable, "flows_typed.py"], cwd=EXAMPLES, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "leadrail::data::unknown_lead L1",
        "missing.rail",
        "P1 ['P1', 'P2'] P1 P1",
    ]
