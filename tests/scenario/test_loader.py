"""Loading scenarios: every rule of the language, and where each problem is reported."""

import textwrap

import pytest

import detente as dt
from detente.scenario import ScenarioError, load, view_of
from detente.scenario.model import BattlesWar, DiscreteIssue, Patron

BASE = """\
detente: 1
name: t
parties:
  A: {role: belligerent}
  B: {role: belligerent}
issues:
  share:
    kind: continuous
    range: [0, 1]
    positions:
      A: {ideal: 1}
      B: {ideal: 0}
war:
  engine: lottery
  p_win: 0.5
  cost: {A: 0.1, B: 0.1}
"""


def problems(tmp_path, text, **kwargs):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(ScenarioError) as info:
        load(path, **kwargs)
    found = [str(p).removeprefix(f"{path}:") for p in info.value.problems]
    return found


def loads(tmp_path, text, **kwargs):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    return load(path, **kwargs)


def test_minimal_scenario_loads_with_defaults(tmp_path):
    sc = loads(tmp_path, BASE)
    assert sc.sides() == ("A", "B")
    assert sc.table() == ["A", "B"]
    assert sc.time.horizon == 104
    assert sc.source.endswith("s.yaml") and sc.variant is None
    assert len(sc.digest()) == 64


def test_unknown_key_is_located_with_a_suggestion(tmp_path):
    text = BASE.replace("  p_win: 0.5", "  p_wn: 0.5")
    assert problems(tmp_path, text) == [
        "14:3: war.p_win: missing required field",
        "15:3: war.p_wn: unknown field 'p_wn' (did you mean 'p_win'?)",
    ]


def test_unknown_top_level_key(tmp_path):
    assert problems(tmp_path, BASE + "negotiaton: {}\n") == [
        "17:1: negotiaton: unknown field 'negotiaton' (did you mean 'negotiation'?)"
    ]


def test_all_schema_problems_are_reported_at_once(tmp_path):
    text = BASE.replace("p_win: 0.5", "p_win: 1.5").replace("B: 0.1}", "B: -2}")
    assert problems(tmp_path, text) == [
        "15:10: war.p_win: value must be <= 1",
        "16:21: war.cost.B: value must be >= 0",
    ]


def test_wrong_type(tmp_path):
    assert problems(tmp_path, BASE.replace("p_win: 0.5", "p_win: likely")) == [
        "15:10: war.p_win: expected a number, {value, basis, source}, {low, high}, or "
        "{dist: triangular|normal|lognormal|beta, ...}"
    ]


def test_uncertain_value_out_of_range(tmp_path):
    text = BASE.replace("p_win: 0.5", "p_win: {low: 0.5, high: 1.2}")
    assert problems(tmp_path, text) == ["15:10: war.p_win: range [0.5, 1.2] must be <= 1"]


def test_distribution_field_errors_point_into_the_distribution(tmp_path):
    text = BASE.replace("p_win: 0.5", "p_win: {dist: triangular, low: 0.2, high: 0.6}")
    assert problems(tmp_path, text) == ["15:10: war.p_win.mode: missing required field"]


def test_unknown_engine_and_role(tmp_path):
    text = BASE.replace("engine: lottery", "engine: lotery").replace(
        "A: {role: belligerent}", "A: {role: beligerent}"
    )
    found = problems(tmp_path, text)
    assert found[0].startswith("4:6: parties.A: unknown role 'beligerent' (did you mean")
    assert found[1].startswith("14:3: war: unknown engine 'lotery' (did you mean 'lottery'?)")


def test_engine_missing(tmp_path):
    text = BASE.replace("  engine: lottery\n", "")
    assert problems(tmp_path, text) == [
        "14:3: war: missing 'engine', which says what kind of block this is"
    ]


def test_yaml_syntax_error_is_located(tmp_path):
    assert problems(tmp_path, BASE + "oops: [1, 2\n") == [
        "18:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"
    ]


def test_duplicate_key_is_a_syntax_error(tmp_path):
    found = problems(tmp_path, BASE + "name: again\n")
    assert len(found) == 1 and found[0].startswith("17:1: YAML syntax error")
    assert "duplicate key" in found[0]


def test_scenario_must_be_a_mapping(tmp_path):
    assert problems(tmp_path, "- 1\n- 2\n") == ["1:1: a scenario must be a mapping of fields"]


def test_yes_stays_a_string_yaml_1_2(tmp_path):
    text = BASE + "claims:\n  - {id: c, text: yes, predicate: 'p_agreement() > 0.5'}\n"
    assert loads(tmp_path, text).claims[0].text == "yes"


def test_format_version_is_required_and_checked(tmp_path):
    assert problems(tmp_path, BASE.replace("detente: 1", "detente: 2")) == [
        "1:10: detente: Input should be 1"
    ]


# --- parties and issues ----------------------------------------------------------------------

PARTIES = BASE.replace(
    "  B: {role: belligerent}\n",
    "  B: {role: belligerent}\n"
    "  us: {role: patron, supports: B}\n"
    "  cn: {role: third_party, trades_with: [A]}\n",
)


def test_roles(tmp_path):
    sc = loads(tmp_path, PARTIES)
    assert isinstance(sc.parties["us"], Patron) and sc.parties["us"].supports == ["B"]
    assert sc.belligerents() == ["A", "B"]


def test_patron_must_support_a_belligerent(tmp_path):
    text = PARTIES.replace("supports: B", "supports: cn").replace("[A]", "[Z]")
    assert problems(tmp_path, text) == [
        "6:32: parties.us.supports.0: unknown belligerent 'cn'",
        "7:41: parties.cn.trades_with.0: unknown belligerent 'Z'",
    ]


def test_bad_party_name(tmp_path):
    found = problems(tmp_path, BASE.replace("  A: {role", "  1A: {role"))
    assert found[0].startswith("4:3: parties.1A: String should match pattern")


def test_discrete_issue_levels_and_positions(tmp_path):
    text = BASE.replace(
        "war:",
        "  align:\n"
        "    kind: ordinal\n"
        "    levels: [neutral, nato]\n"
        "    status_quo: nato\n"
        "    positions:\n"
        "      A: {ideal: neutral, weight: 2}\n"
        "      B: {values: {neutral: 0, nato: 1}}\n"
        "war:",
    )
    sc = loads(tmp_path, text)
    issue = sc.issues["align"]
    assert isinstance(issue, DiscreteIssue) and issue.positions["B"].values == {
        "neutral": 0,
        "nato": 1,
    }


def test_discrete_issue_problems(tmp_path):
    text = BASE.replace(
        "war:",
        "  align:\n"
        "    kind: categorical\n"
        "    levels: [neutral, nato]\n"
        "    status_quo: natoo\n"
        "    positions:\n"
        "      A: {ideal: neutrl}\n"
        "      B: {values: {neutral: 0}}\n"
        "      C: {ideal: nato}\n"
        "war:",
    )
    assert problems(tmp_path, text) == [
        "16:17: issues.align.status_quo: unknown level 'natoo' (did you mean 'nato'?)",
        "18:18: issues.align.positions.A.ideal: unknown level 'neutrl' (did you mean 'neutral'?)",
        "19:19: issues.align.positions.B.values: no value for level(s) ['nato']",
        "20:7: issues.align.positions.C: unknown party 'C'",
    ]


def test_discrete_position_needs_ideal_or_values(tmp_path):
    text = BASE.replace(
        "war:",
        "  align:\n    kind: ordinal\n    levels: [a, b]\n"
        "    positions:\n      A: {weight: 1}\nwar:",
    )
    assert problems(tmp_path, text) == [
        "17:10: issues.align.positions.A: give an 'ideal' level or 'values' per level"
    ]


def test_continuous_issue_problems(tmp_path):
    text = BASE.replace("range: [0, 1]", "range: [0, 1]\n    status_quo: 1.5").replace(
        "A: {ideal: 1}", "A: {ideal: 2, value: {kind: piecewise, points: [[0, 0], [0.5, 1]]}}"
    )
    assert problems(tmp_path, text) == [
        "10:17: issues.share.status_quo: outside the range [0, 1]",
        "12:18: issues.share.positions.A.ideal: outside the range [0, 1]",
        "12:54: issues.share.positions.A.value.points: breakpoints must cover the range [0, 1]",
    ]


def test_piecewise_must_increase(tmp_path):
    text = BASE.replace(
        "A: {ideal: 1}", "A: {ideal: 1, value: {kind: piecewise, points: [[0, 0], [0, 1]]}}"
    )
    assert problems(tmp_path, text) == [
        "11:28: issues.share.positions.A.value: breakpoints must have increasing x"
    ]


def test_range_must_be_ordered(tmp_path):
    assert problems(tmp_path, BASE.replace("range: [0, 1]", "range: [1, 0]")) == [
        "8:5: issues.share: range must be [low, high] with low < high"
    ]


def test_flow_engines_need_a_status_quo(tmp_path):
    text = BASE.replace(
        "  engine: lottery\n  p_win: 0.5\n",
        "  engine: battles\n  front: {start: 0.5, step: 0.1}\n  p_win: 0.5\n",
    )
    found = problems(tmp_path, text)
    assert found == [
        "8:5: issues.share: status_quo is required: the battles engine pays each party the "
        "value of the wartime status quo every step"
    ]
    sc = loads(tmp_path, text.replace("range: [0, 1]", "range: [0, 1]\n    status_quo: 0.5"))
    assert isinstance(sc.war, BattlesWar)


# --- war engines ---------------------------------------------------------------------------


def test_engine_fields_belong_to_their_engine(tmp_path):
    text = BASE.replace("  cost:", "  law: square\n  cost:")
    assert problems(tmp_path, text) == ["16:3: war.law: unknown field 'law'"]


def test_lanchester_needs_both_sides(tmp_path):
    text = BASE.replace("range: [0, 1]", "range: [0, 1]\n    status_quo: 0.5").replace(
        "  engine: lottery\n  p_win: 0.5\n",
        "  engine: lanchester\n  force: {A: 10}\n  effectiveness: {A: 1, B: 1, C: 2}\n",
    )
    assert problems(tmp_path, text) == [
        "16:10: war.force: missing side 'B'",
        "17:31: war.effectiveness.C: unknown side 'C'",
    ]


def test_sides_must_be_belligerents(tmp_path):
    assert problems(tmp_path, BASE.replace("engine: lottery", "engine: lottery\n  sides: [A, X]"))[
        0
    ] == ("15:14: war.sides.1: unknown belligerent 'X'")


def test_war_needs_two_belligerents(tmp_path):
    text = BASE.replace("B: {role: belligerent}", "B: {role: patron, supports: A}")
    assert problems(tmp_path, text) == [
        "1:1: negotiation: at least two parties must sit at the table",
        "14:3: war: the lottery engine needs two belligerents; found 1",
    ]


def test_no_war_block_is_allowed(tmp_path):
    text = BASE.split("war:")[0]
    assert loads(tmp_path, text).war is None


# --- negotiation ---------------------------------------------------------------------------


def test_negotiation_names_are_checked(tmp_path):
    text = PARTIES + textwrap.dedent(
        """\
        negotiation:
          table: [A, B]
          ratify: [A, us]
          proposer: us
          discount: {A: 0.9, Q: 0.9}
          strategies: {A: boulware, us: conceder}
          pressure: [{patron: cn, client: B}, {patron: us, client: A}]
        """
    )
    assert problems(tmp_path, text) == [
        "21:12: negotiation.ratify.0: 'A' is at the table; ratify lists veto players who are not",
        "22:13: negotiation.proposer: 'us' is not at the table",
        "23:22: negotiation.discount.Q: unknown party 'Q'",
        "24:29: negotiation.strategies.us: unknown party at the table 'us'",
        "25:23: negotiation.pressure.0.patron: 'cn' is not a patron",
        "25:60: negotiation.pressure.1.client: 'us' does not support 'A'",
    ]


def test_table_parties_need_a_stake(tmp_path):
    text = PARTIES + "negotiation: {table: [A, B, us]}\n"
    assert problems(tmp_path, text) == [
        "19:22: negotiation.table: 'us' sits at the table but has no position with positive "
        "weight on any issue"
    ]


def test_schedules(tmp_path):
    sc = loads(tmp_path, BASE + "negotiation: {schedule: {at: [0, 10]}}\n")
    assert sc.negotiation.schedule is not None
    found = problems(tmp_path, BASE + "negotiation: {schedule: {every: 0}}\n")
    assert found == [
        "17:33: negotiation.schedule.every: Input should be greater than or equal to 1"
    ]


# --- claims ------------------------------------------------------------------------------------


def test_claim_predicates_are_checked_at_their_column(tmp_path):
    text = BASE + textwrap.dedent(
        """\
        claims:
          - id: c1
            text: t
            predicate: "p_decisive(Aa, by=10) > 0.5 and p_windw_open() < 2"
          - id: c1
            text: t
            predicate: p_decisive(A) >
        """
    )
    assert problems(tmp_path, text) == [
        "20:28: claims.0.predicate: unknown party 'Aa' (did you mean 'A'?)",
        "20:49: claims.0.predicate: unknown metric 'p_windw_open' (did you mean 'p_window_open'?)",
        "21:9: claims.1.id: duplicate claim id 'c1'",
        "23:31: claims.1.predicate: expected a number, a metric or '(', found the end of the "
        "expression",
    ]


# --- beliefs, variants, overrides --------------------------------------------------------------


def test_beliefs_are_validated_as_overrides(tmp_path):
    text = BASE + textwrap.dedent(
        """\
        beliefs:
          A: {war: {p_win: 1.7}}
          B: {war: {p_wn: 0.2}}
          C: {}
          us: {parties: {}}
        """
    )
    assert problems(tmp_path, text) == [
        "18:20: beliefs.A.war.p_win: value must be <= 1",
        "19:13: beliefs.B.war.p_wn: unknown field 'p_wn' (did you mean 'p_win'?)",
        "20:3: beliefs.C: unknown party 'C'",
        "21:3: beliefs.us: unknown party 'us'",
        "21:8: beliefs.us.parties: beliefs cannot change 'parties'",
    ]


def test_view_of_merges_only_the_overridden_values(tmp_path):
    sc = loads(tmp_path, BASE + "beliefs:\n  A: {war: {p_win: 0.7}}\n")
    seen = view_of(sc, "A")
    assert seen.war.p_win == 0.7 and seen.war.cost == sc.war.cost
    assert view_of(sc, "B") is sc


VARIANTS = BASE + textwrap.dedent(
    """\
    variants:
      hawk:
        description: A is stronger
        set:
          war.p_win: {low: 0.6, high: 0.8, source: somebody}
          war: {cost: {A: 0.3}}
      bad:
        set:
          war.p_win: 1.5
          war.cosst.A: 1
          issues.share.range.5: 1
    """
)


def test_variant_merges_and_replaces(tmp_path):
    text = VARIANTS.split("  bad:")[0]
    sc = loads(tmp_path, text, variant="hawk")
    assert sc.variant == "hawk"
    assert sc.war.p_win.source == "somebody"
    assert sc.war.cost == {"A": 0.3, "B": 0.1}


def test_every_variant_is_validated_at_its_own_lines(tmp_path):
    assert problems(tmp_path, VARIANTS) == [
        "25:18: war.p_win: value must be <= 1",
        "26:7: war.cosst: unknown field 'cosst' (did you mean 'cost'?)",
        "27:7: issues.share.range.5: no item 5 in a list of 2",
    ]


def test_unknown_variant(tmp_path):
    text = VARIANTS.split("  bad:")[0]
    assert problems(tmp_path, text, variant="hwak") == [
        "--variant:1:1: no variant 'hwak' (did you mean 'hawk'?); variants: hawk"
    ]


def test_set_overrides_are_typed_and_located(tmp_path):
    sc = loads(tmp_path, BASE, overrides=["war.p_win=0.4", "war.cost.A={low: 0.1, high: 0.2}"])
    assert sc.war.p_win == 0.4 and sc.war.cost["B"] == 0.1
    found = problems(tmp_path, BASE, overrides=["war.p_win=1.4", "war.p_win.x", "war..a=1"])
    assert found == [
        "--set:1:1: expected PATH=VALUE (e.g. war.p_win=0.4), got 'war.p_win.x'",
        "--set:1:1: bad path 'war..a': write dotted names like war.p_win",
        "--set:1:11: war.p_win: value must be <= 1",
    ]


def test_set_into_beliefs_and_new_keys(tmp_path):
    sc = loads(tmp_path, BASE, overrides=["beliefs.A.war.p_win=0.8"])
    assert view_of(sc, "A").war.p_win == 0.8
    found = problems(tmp_path, BASE, overrides=["war.p_wn=0.4"])
    assert found == ["--set:1:1: war.p_wn: unknown field 'p_wn' (did you mean 'p_win'?)"]


def test_set_cannot_run_through_a_value(tmp_path):
    assert problems(tmp_path, BASE, overrides=["name.x=1"]) == [
        "--set:1:1: name: cannot set name.x: name is not a block"
    ]


def test_python_overrides_mapping():
    sc = dt.load("fearon", overrides={"war.p_win": 0.3, "war.cost.B": 0.2})
    assert (sc.war.p_win, sc.war.cost["B"]) == (0.3, 0.2)
    with pytest.raises(ScenarioError, match=r"overrides:1:1: war\.p_win: value must be <= 1"):
        dt.load("fearon", overrides={"war.p_win": 3})


def test_switching_engine_replaces_the_block():
    sc = dt.load(
        "fearon",
        overrides=[
            "war={engine: battles, front: {start: 0.5, step: 0.1}, p_win: 0.6}",
            "issues.share.status_quo=0.5",
        ],
    )
    assert isinstance(sc.war, BattlesWar) and sc.war.cost == {}


def test_unknown_builtin_and_unreadable_file(tmp_path):
    with pytest.raises(ScenarioError, match="fearn:1:1: no such file or built-in scenario "):
        load("fearn")
    with pytest.raises(ScenarioError, match="cannot read"):
        load(tmp_path / "missing.yaml")


def test_set_switches_the_form_of_a_schedule():
    """Talks at fixed steps replace talks every k steps (not a merge of both forms)."""
    sc = dt.load("ukraine-2025", overrides=["negotiation.schedule={at: [12, 40]}"])
    assert sc.negotiation.schedule is not None
    assert list(getattr(sc.negotiation.schedule, "at", [])) == [12, 40]
