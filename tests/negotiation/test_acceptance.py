"""Acceptance rules in a scenario: the schema, the located errors, the wiring to the talks.

The rules themselves (what each accepts, and when) are tested on the kernel in
``test_alternating.py``; here the ``negotiation.acceptance`` block reaches it.
"""

import textwrap

import pytest

import detente as dt
from detente.cli import main
from detente.negotiation import negotiate
from detente.scenario import ScenarioError

# Rubinstein's pie under the heuristic protocol: no war, outside options 0, 50 rounds,
# A proposes first; both linear, so under AC_next they meet half way, in round 25.
PIE = ["negotiation.protocol=alternating"]


def talks(*overrides: str) -> dict:
    sc = dt.load("rubinstein", overrides=[*PIE, *overrides])
    return negotiate(sc, paths=5).summary()


def outcome(doc: dict) -> tuple[float, float, float]:
    agreement = doc["agreement"]
    return doc["p_agreement"], agreement["round"]["mean"], agreement["terms"]["share"]["mean"]


def test_default_is_next():
    default = talks()
    assert talks("negotiation.acceptance={A: {rule: next}, B: {rule: next}}") == default
    p, rnd, share = outcome(default)
    # B's offer of round 25 is no worse for A than A's own next offer (AC_next)
    assert (p, rnd) == (1.0, 25.0) and abs(share - 0.51) < 0.01


def test_the_rules_reach_the_talks():
    # A's opening demand (the whole pie) is worth B's floor 0, and the best B has been
    # offered so far: B takes it at once under const with alpha = 0 and combi with T = 0
    for rule in ("{rule: const, utility: 0}", "{rule: combi, time: 0}"):
        assert outcome(talks(f"negotiation.acceptance.B={rule}")) == (1.0, 0.0, 1.0)
    # T = 1 relaxes only in the last round, where AC_next already takes the floor
    assert talks("negotiation.acceptance.B={rule: combi, time: 1}") == talks()
    # A holding out for its best (alpha = 1) rejects B's offer of round 25 and ends up
    # with less: B takes A's own offer of round 26, A's linear target 1 - 26/49
    p, rnd, share = outcome(talks("negotiation.acceptance.A={rule: const, utility: 1}"))
    assert (p, rnd) == (1.0, 26.0) and abs(share - (1 - 26 / 49)) < 1e-3
    # a time rule for B changes nothing here: A agrees (round 25) before B's T comes
    assert talks("negotiation.acceptance.B={rule: time, time: 0.6}") == talks()


# --- located errors --------------------------------------------------------------------

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
negotiation:
  protocol: alternating
  acceptance:
"""
LINE = 16  # the line of the first party's rule


def problems(tmp_path, block: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(BASE + textwrap.indent(block, "    "))
    with pytest.raises(ScenarioError) as info:
        dt.load(path)
    return [str(p).removeprefix(f"{path}:") for p in info.value.problems]


def test_a_valid_block_loads(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "    A: {rule: const, utility: 0.3}\n    B: {rule: combi, time: 0.9}\n")
    sc = dt.load(path)
    assert sc.negotiation.acceptance["A"].rule == "const"
    assert sc.negotiation.acceptance["A"].utility == 0.3
    assert sc.negotiation.acceptance["B"].time == 0.9


@pytest.mark.parametrize(
    ("block", "found"),
    [
        ("B: {rule: time, time: 1.5}\n",
         ["16:27: negotiation.acceptance.B.time: Input should be less than or equal to 1"]),
        ("B: {rule: const, utility: -0.1}\n",
         ["16:31: negotiation.acceptance.B.utility: Input should be greater than or equal "
          "to 0"]),
        ("B: {rule: combo, time: 0.5}\n",
         ["16:15: negotiation.acceptance.B.rule: Input should be 'next', 'const', 'time' or "
          "'combi'"]),
        ("B: {rule: combi}\n",
         ["16:15: negotiation.acceptance.B.rule: rule 'combi' needs 'time': the share of the "
          "deadline after which it relaxes"]),
        ("B: {rule: const}\n",
         ["16:15: negotiation.acceptance.B.rule: rule 'const' needs 'utility': the share of "
          "the way from its outside option to its best package that an offer must be worth"]),
        ("B: {rule: next, time: 0.5}\n",
         ["16:21: negotiation.acceptance.B.time: 'time' does not apply to rule 'next'; it "
          "takes no parameter"]),
        ("B: {rule: time, tme: 0.5}\n",
         ["16:21: negotiation.acceptance.B.tme: unknown field 'tme' (did you mean 'time'?)"]),
        ("C: {rule: next}\n",
         ["16:5: negotiation.acceptance.C: unknown party at the table 'C'"]),
    ],
)  # fmt: skip
def test_bad_blocks_are_located(tmp_path, block, found):
    assert problems(tmp_path, block) == found


def test_validate_and_set_exit_2_with_a_located_line(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "    B: {rule: time, time: 1.5}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"{path}:{LINE}:27: negotiation.acceptance.B.time: Input should be less than or equal to 1"
    )
    assert main(["validate", "rubinstein", "--set",
                 "negotiation.acceptance={B: {rule: combi, time: 2}}"]) == 2  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert (
        err == "--set:1:48: negotiation.acceptance.B.time: Input should be less than or equal to 1"
    )
    assert main(["negotiate", "rubinstein", "--set", "negotiation.acceptance.B={rule: combo}"]) == 2
    assert "negotiation.acceptance.B.rule" in capsys.readouterr().err
