"""The command line: exit codes, stdout/stderr discipline, authoring commands."""

import json
import subprocess
import sys

import pytest

import detente as dt
from detente.cli import main

LOCATED = r"^\S+:\d+:\d+: "


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_on_the_default_prints_a_summary(capsys):
    code, out, err = run(capsys, "run", "--paths", "2000")
    assert code == 0
    assert out.startswith("ukraine-2025 -- attrition engine, 2,000 paths, seed 0")
    words = " ".join(out.split())  # wrapped to the console
    assert "settlement window" in words and "Decisive victory: Russia on" in words
    assert "Claims:" in words and "--out DIR" in err


def test_run_json_has_the_documented_keys(capsys):
    code, out, _ = run(capsys, "run", "battles", "--json", "--paths", "3000", "--seed", "5")
    doc = json.loads(out)
    assert code == 0
    for key in ("schema_version", "scenario", "variant", "seed", "paths", "horizon"):
        assert key in doc
    assert (doc["scenario"], doc["seed"], doc["paths"]) == ("battles", 5, 3000)
    assert set(doc["outcomes"]) >= {"decisive", "collapse", "escalation", "ongoing"}
    assert set(doc["outcomes"]["decisive"]) == {"A", "B"}
    assert set(doc["final"]["front"]) >= {"mean", "p05", "p50", "p95"}
    assert set(doc["duration"]) >= {"mean", "p05", "p50", "p95"}
    assert {"checkpoints", "p_open", "slack", "outside_option", "now", "zopa"} <= set(doc["window"])
    assert {"p_agreement", "agreement", "durability"} <= set(doc["negotiation"])
    assert isinstance(doc["claims"], list)


def test_run_compare_excludes_variant(capsys):
    code, out, err = run(capsys, "run", "fearon", "--compare", "--variant", "optimism")
    assert (code, out) == (2, "")
    assert "not both" in err


def test_engine_refusal_is_exit_1(capsys):
    args = ["lanchester", "--set", "war.stochastic=true", "--set", "war.force.A=5e7"]
    code, out, err = run(capsys, "run", *args)
    assert (code, out) == (1, "")
    assert "simulates every single loss" in err


def test_negotiate_runs_on_a_textbook_engine(capsys):
    code, out, _ = run(capsys, "negotiate", "battles", "--paths", "500", "--json")
    assert code == 0
    assert 0 <= json.loads(out)["p_agreement"] <= 1


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "fearon", "--store", "x"],
        ["discover", "store", "--target", "p > 0"],
        ["sensitivity", "store", "--target", "p"],
        ["serve"],
    ],
)
def test_other_commands_exist_and_refuse_honestly(capsys, args):
    code, out, err = run(capsys, *args)
    assert (code, out) == (1, "")
    assert "not available yet" in err


def test_bad_set_is_bad_input_with_a_located_line(capsys):
    code, out, err = run(capsys, "run", "fearon", "--set", "war.p_win=1.4")
    assert code == 2 and out == ""
    assert err.strip() == "--set:1:11: war.p_win: value must be <= 1"


def test_bad_input_as_json(capsys):
    code, out, _ = run(capsys, "run", "fearon", "--json", "--set", "war.p_win=1.4")
    assert code == 2
    doc = json.loads(out)
    assert doc["schema_version"] == 1
    assert doc["problems"][0]["path"] == "war.p_win"


def test_usage_errors_are_one_line_and_exit_2(capsys):
    for args in (["frobnicate"], ["run", "--paths", "0"], ["run", "--bogus"], ["validate"]):
        code, out, err = run(capsys, *args)
        assert code == 2, args
        assert out == ""
        assert len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err


def test_bare_command_prints_help(capsys):
    code, out, _ = run(capsys)
    assert code == 0 and "validate" in out


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"detente {dt.__version__}"


def test_validate_ok_and_json(capsys):
    code, out, _ = run(capsys, "validate", "fearon")
    assert code == 0 and "valid" in out
    code, out, _ = run(capsys, "validate", "fearon", "--json", "--variant", "optimism")
    doc = json.loads(out)
    assert code == 0
    assert (doc["valid"], doc["scenario"], doc["variants"]) == (True, "fearon", ["optimism"])


def test_validate_reports_every_problem_located(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(dt.scenario.builtin_text("fearon").replace("p_win:", "p_wn:"))
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert "did you mean 'p_win'" in err


def test_scenarios_lists_builtins(capsys):
    code, out, _ = run(capsys, "scenarios", "--json")
    rows = json.loads(out)
    assert code == 0
    assert {r["name"] for r in rows} == set(dt.scenario.builtin_names())
    assert [r["name"] for r in rows if r["default"]] == ["ukraine-2025"]
    code, out, _ = run(capsys, "scenarios")
    assert code == 0 and "lanchester" in out


def test_show_unknown_name(capsys):
    code, out, err = run(capsys, "show", "fearn")
    assert code == 2 and out == ""
    assert "did you mean 'fearon'" in err


def test_init_writes_a_valid_starter_and_the_schema(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "init", "my war")[0] == 0
    created = tmp_path / "my war.yaml"
    assert created.read_text().startswith("# yaml-language-server: $schema=./detente.schema.json")
    assert json.loads((tmp_path / "detente.schema.json").read_text())["type"] == "object"
    sc = dt.load(created)
    assert sc.name == "my-war" and sc.variants and sc.claims and sc.beliefs
    # Nothing a user made is overwritten without --force.
    created.write_text("mine")
    code, _, err = run(capsys, "init", "my war")
    assert code == 2 and "already exists" in err
    assert created.read_text() == "mine"
    assert run(capsys, "init", "my war", "--from", "battles", "--force")[0] == 0
    assert dt.load(created).name == "battles"


def test_schema_to_file(tmp_path, capsys):
    target = tmp_path / "s.json"
    code, out, _ = run(capsys, "schema", "--out", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["title"].startswith("detente scenario")


def test_console_script_exit_codes():
    """The installed entry point returns the same codes through a real process."""
    ok = subprocess.run(
        [sys.executable, "-m", "detente.cli", "validate", "battles"], capture_output=True
    )
    bad = subprocess.run(
        [sys.executable, "-m", "detente.cli", "run", "battles", "--set", "war.front.step=0"],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0
    assert bad.returncode == 2
    assert bad.stderr.strip() == "--set:1:16: war.front.step: value must be > 0"
