"""End to end, as a user runs it: the README's first command, bad input, claims per variant."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import detente as dt
from detente.cli import main

README = Path(__file__).parents[1] / "README.md"
LOCATED = re.compile(r"^\S+:\d+:\d+: \S+: .+$")
STATUSES = {"holds", "fails", "uncertain", "not evaluated"}


def detente(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "detente.cli", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.slow
def test_the_readmes_first_command_prints_the_summary():
    # The README's set-up block: `pip install -e . && detente run` (installed: this venv).
    first = re.search(r"```bash\n(.+?)\n```", README.read_text()).group(1)
    assert first == "pip install -e . && detente run"
    done = detente("run")  # the default scenario, default paths: the real thing
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("ukraine-2025 -- attrition engine, 20,000 paths, seed 0")
    words = " ".join(out.split())
    for part in ("settlement window", "Likely terms", "Talks (", "Decisive victory", "Claims:"):
        assert part in words
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100  # fits 100 columns
    assert len(lines) <= 60  # about one screen
    assert "Traceback" not in done.stderr


def broken_file(tmp_path: Path) -> Path:
    bad = tmp_path / "mine.yaml"
    bad.write_text(dt.scenario.builtin_text("battles").replace("p_win:", "p_wn:"))
    return bad


@pytest.mark.parametrize("command", ["run", "claims"])
def test_a_broken_file_is_a_located_error(tmp_path, capsys, command):
    bad = broken_file(tmp_path)
    code = main([command, str(bad), "--paths", "100"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    lines = captured.err.strip().splitlines()
    assert lines and all(LOCATED.match(line) and line.startswith(f"{bad}:") for line in lines)
    assert "did you mean 'p_win'" in captured.err


@pytest.mark.parametrize("command", ["run", "claims"])
def test_an_out_of_range_set_is_a_located_error(capsys, command):
    code = main([command, "--set", "war.belligerents.russia.quality=-1", "--paths", "100"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert LOCATED.match(captured.err.strip())
    assert captured.err.startswith("--set:1:")


def test_a_broken_file_through_the_console_script(tmp_path):
    done = detente("run", str(broken_file(tmp_path)), "--out", str(tmp_path / "r"))
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_claims_of_every_variant_are_evaluated(capsys):
    assert main(["claims", "--json", "--quiet", "--paths", "3000"]) == 0
    doc = json.loads(capsys.readouterr().out)
    variants = doc["variants"]
    assert variants == ["baseline", "essay", "western-estimates", "us-exit"]
    claims = {c.id for c in dt.load("ukraine-2025").claims}
    for variant in variants:
        found = [c for c in doc["claims"] if (c["variant"] or "baseline") == variant]
        assert {c["id"] for c in found} == claims
        assert {c["status"] for c in found} <= STATUSES
        by_id = {c["id"]: c for c in found}
        # everything about the war and the window is computed under every variant
        for claim_id in ("window-open", "no-side-negotiates-from-weakness",
                         "both-can-sustain", "escalation-contained"):  # fmt: skip
            assert by_id[claim_id]["status"] != "not evaluated", (variant, claim_id)
            assert by_id[claim_id]["source"].startswith("seed L")
