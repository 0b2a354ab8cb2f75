"""The built-in scenarios: each validates, round-trips through `show`, fits the schema."""

import json
from datetime import date

import jsonschema
import pytest

import detente as dt
from detente.cli import main
from detente.scenario import builtin_names, builtin_text, json_schema, read
from detente.scenario.model import LanchesterWar, LotteryWar
from detente.scenario.yamlio import read_yaml

NAMES = builtin_names()


def test_the_textbook_scenarios_are_built_in():
    assert {"fearon", "rubinstein", "lanchester", "battles"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_builtin_validates_with_every_variant(name):
    sc = dt.load(name)
    assert sc.name == name
    assert sc.references, "every built-in cites its sources"
    for variant in sc.variants:
        assert dt.load(name, variant=variant).variant == variant


@pytest.mark.parametrize("name", NAMES)
def test_show_output_saved_to_a_file_validates_unchanged(name, tmp_path, capsys):
    assert main(["show", name]) == 0
    shown = capsys.readouterr().out
    assert shown == builtin_text(name)
    path = tmp_path / f"{name}.yaml"
    path.write_text(shown)
    assert main(["validate", str(path)]) == 0
    assert dt.load(path).digest() == dt.load(name).digest()


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize("name", [*NAMES, "_starter"])
def test_json_schema_accepts_the_builtins(name, capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_jsonable(read_yaml(builtin_text(name), name).data), schema)


def test_json_schema_rejects_what_the_loader_rejects():
    schema = json_schema()
    data = _jsonable(read("fearon").data)
    data["war"]["p_wn"] = 0.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_textbook_parameters_are_where_the_docs_say():
    fearon = dt.load("fearon")
    assert isinstance(fearon.war, LotteryWar)
    assert fearon.sides() == ("A", "B")
    assert (dt.scenario.values.mean(fearon.war.p_win), fearon.war.cost) == (
        0.5,
        {"A": 0.1, "B": 0.1},
    )
    issue = fearon.issues["share"]
    assert issue.positions["A"].ideal == 1 and issue.positions["B"].ideal == 0
    rub = dt.load("rubinstein")
    assert rub.war is None and rub.negotiation.proposer == "A"
    assert set(rub.negotiation.discount) == {"A", "B"} and rub.negotiation.rounds >= 1
    lan = dt.load("lanchester", overrides=["war.law=linear"])
    assert isinstance(lan.war, LanchesterWar) and lan.war.law == "linear"
    assert not lan.war.stochastic
    battles = dt.load("battles", overrides=["war.front.start=0.3", "war.front.step=0.05"])
    assert (battles.war.front.start, battles.war.front.step) == (0.3, 0.05)


def test_fearon_optimism_variant_sets_each_sides_belief():
    sc = dt.load("fearon", variant="optimism")
    assert dt.scenario.view_of(sc, "A").war.p_win == 0.7
    assert dt.scenario.view_of(sc, "B").war.p_win == 0.3


def test_view_round_trips_the_whole_scenario():
    for name in NAMES:
        sc = dt.load(name)
        for party in sc.parties:
            view = dt.scenario.view_of(sc, party)
            assert view.issues == sc.issues and view.parties == sc.parties
