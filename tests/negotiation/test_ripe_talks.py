"""Talks drawn per path and checkpoint, likelier where the war is ripe (Zartman 2000).

The textbook case is the ``battles`` front as an even, slow war (small steps, no learning,
a short horizon: nobody can expect to win outright) whose per-engagement cost is drawn
per path between 0 and 0.0004. At step 0 fighting on hurts both sides enough on every
path, so every path is ripe; from then on, paths whose cost is low, or whose front has
drifted, stop hurting or stop being stalemated, and the share of ripe paths at war falls
(0.66, 0.18, 0.13 at steps 10, 20, 30, none from step 50 when written). Ripeness thus
varies across paths and over time, while the window stays open nearly everywhere.

The war does not depend on the schedule, so every run here shares one record, and the
comparisons between schedules are paired path by path.
"""

import itertools
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import detente as dt
from detente.cli import main
from detente.engines import run_war
from detente.negotiation import negotiate
from detente.negotiation.negotiate import Negotiation, talk_checkpoints, talk_invitations
from detente.scenario import json_schema
from detente.scenario.model import Ripeness, RipenessSchedule

EVEN_SLOW_WAR = [
    "war.prior={}",
    "war.p_win=0.5",
    "war.front={start: 0.5, step: 0.02}",
    "time.horizon=100",
    "war.cost={A: {low: 0, high: 0.0004}, B: {low: 0, high: 0.0004}}",
]
PATHS, SEED = 3000, 2


def ripeness(base: float, ripe: float, extra: str = "") -> str:
    return f"negotiation.schedule={{ripeness: {{base: {base}, ripe: {ripe}{extra}}}}}"


@pytest.fixture(scope="module")
def record():
    return run_war(dt.load("battles", overrides=EVEN_SLOW_WAR), paths=PATHS, seed=SEED)


def talks(record, *schedule: str, seed: int = SEED) -> Negotiation:
    """The talks on the even, slow war; ``record=None`` simulates the war afresh."""
    sc = dt.load("battles", overrides=[*EVEN_SLOW_WAR, *schedule])
    return negotiate(sc, paths=PATHS, seed=seed, record=record)


PER_PATH = ("agreed", "step", "checkpoint", "round", "terms", "utilities", "outside", "held")


def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True) for k in PER_PATH)


def test_the_case_varies_in_ripeness_across_paths(record):
    """Guard for the comparisons below: ripe on some paths, not on others."""
    w = talks(record).window
    assert w is not None and w.stalemate is not None
    live = w.record.alive == 1
    share = (w.stalemate & w.open & live).sum(axis=0) / np.maximum(live.sum(axis=0), 1)
    assert share[0] > 0.95  # everyone ripe at the start
    assert ((share > 0.1) & (share < 0.9)).sum() >= 2  # then a mix


def test_no_chance_means_no_talks(record):
    found = talks(record, ripeness(0, 0))
    assert found.p_agreement == 0.0
    assert found.held is not None and found.held.sum() == 0
    doc = found.summary()
    assert doc["talks_at"] == [] and doc["p_talks"] == [] and doc["p_agreement_by_step"] == []


def test_certain_talks_are_talks_at_every_checkpoint(record):
    every = talks(record)  # no schedule: every checkpoint
    certain = talks(record, ripeness(1, 1))
    assert every.p_agreement > 0.9
    assert same(every, certain)
    assert every.summary() == certain.summary()
    # ... and restricted to every 20 steps, they are the fixed schedule every 20 steps
    fixed = talks(record, "negotiation.schedule={every: 20, start: 10}")
    drawn = talks(record, ripeness(1, 1, ", every: 20, start: 10"))
    assert same(fixed, drawn) and fixed.summary() == drawn.summary()
    assert drawn.summary()["talks_at"] == [10, 30, 50, 70, 90]


def test_riper_talks_come_more_often_and_sooner(record):
    """Raising ``ripe`` with ``base`` fixed: more deals, and each one no later.

    The draws are the same uniforms in every run (same seed), so a path that talks at a
    checkpoint with a lower ``ripe`` talks there with a higher one too: the comparison is
    path by path. 0.45, 0.66 and 0.87 of paths agree, at mean steps 32, 17 and 7, when
    written (0.375 with ripeness off, ripe = base = 0.05).
    """
    runs = [talks(record, ripeness(0.05, r)) for r in (0.1, 0.3, 0.6)]
    shares = [r.p_agreement for r in runs]
    assert shares[0] + 0.1 < shares[1] and shares[1] + 0.1 < shares[2]
    for low, high in itertools.pairwise(runs):
        assert not (low.agreed & ~high.agreed).any()  # every deal is still struck
        ok = low.agreed
        assert (high.step[ok] <= low.step[ok]).all()  # no later
        assert high.step[ok].mean() < low.step[ok].mean() - 5  # and sooner on the whole
        by_step_low = low.summary()["p_agreement_by_step"]
        by_step_high = high.summary()["p_agreement_by_step"]
        assert np.all(np.array(by_step_high) >= np.array(by_step_low))
    # the base rate alone, with ripeness switched off (ripe = base), does less than any
    flat = talks(record, ripeness(0.05, 0.05))
    assert flat.p_agreement < shares[0]


def test_talks_follow_the_drawn_probabilities():
    """Base rate off the ripe cells, ripe rate on them, only at eligible checkpoints."""
    paths, n_ckpt = 20_000, 6
    ripe_now = np.zeros((paths, n_ckpt), bool)
    ripe_now[: paths // 2, 2:] = True
    eligible = np.array([True, True, True, True, False, True])
    out = talk_invitations(Ripeness(base=0.1, ripe=0.7), eligible, ripe_now, seed=3)
    assert not out[:, ~eligible].any()
    cells = eligible[None, :] & ripe_now
    rest = eligible[None, :] & ~ripe_now
    # binomial standard errors are 0.003 or less: 5 of them
    assert abs(out[cells].mean() - 0.7) < 0.015 and abs(out[rest].mean() - 0.1) < 0.015
    # An uncertain probability is drawn once per path: uniform on [0, 0.4], it averages
    # 0.2, and over 40 checkpoints the paths' shares of talks spread by about 0.13 (the
    # draw's own 0.115 plus binomial noise), against 0.063 for a rate shared by all.
    spread = Ripeness.model_validate({"base": {"low": 0.0, "high": 0.4}, "ripe": 1.0})
    never_ripe = np.zeros((paths, 40), bool)
    out = talk_invitations(spread, np.ones(40, bool), never_ripe, seed=3)
    assert abs(out.mean() - 0.2) < 0.005
    assert 0.11 < out.mean(axis=1).std() < 0.15


def test_same_seed_same_talks(record):
    first = talks(record, ripeness(0.05, 0.3))
    again = talks(None, ripeness(0.05, 0.3))  # the war simulated afresh, same seed
    assert same(first, again) and first.summary() == again.summary()
    other = talks(None, ripeness(0.05, 0.3), seed=SEED + 1)
    assert not np.array_equal(first.agreed, other.agreed)


def test_a_path_draws_alike_whatever_the_number_of_paths():
    """Blocks of paths draw from their own seeds: the first paths' talks do not change."""
    rng = np.random.default_rng(0)
    ripe_now = rng.random((9000, 5)) < 0.5
    chances = Ripeness(base=0.2, ripe=0.6)
    eligible = np.ones(5, bool)
    many = talk_invitations(chances, eligible, ripe_now, seed=7)
    few = talk_invitations(chances, eligible, ripe_now[:100], seed=7)
    assert np.array_equal(many[:100], few)
    later = talk_invitations(chances, eligible, ripe_now[4096:], seed=7, first_block=1)
    assert np.array_equal(many[4096:], later)


def test_eligible_checkpoints_of_a_ripeness_schedule():
    sc = dt.load("battles", overrides=[ripeness(0.1, 0.5, ", every: 25, start: 5")])
    assert isinstance(sc.negotiation.schedule, RipenessSchedule)
    checkpoints = np.arange(0, 400, 10)
    held = checkpoints[talk_checkpoints(sc, checkpoints)]
    assert held.tolist()[:4] == [10, 30, 60, 80]  # steps 5, 30, 55, 80: next checkpoint


def test_without_a_war_no_path_is_ripe():
    """Nothing hurts without a war: the base rate applies everywhere."""
    sc = dt.load("rubinstein", overrides=[ripeness(0, 1)])
    assert negotiate(sc, paths=50).p_agreement == 0.0
    sc = dt.load("rubinstein", overrides=[ripeness(1, 0)])
    assert negotiate(sc, paths=50).p_agreement == 1.0


# --- the schema --------------------------------------------------------------------------------

GOOD = """\
detente: 1
name: ripe
parties:
  A: {role: belligerent}
  B: {role: belligerent}
issues:
  share: {kind: continuous, range: [0, 1], positions: {A: {ideal: 1}, B: {ideal: 0}}}
negotiation:
  schedule:
    ripeness: {base: 0.05, ripe: RIPE}
"""


def test_a_bad_probability_is_located_with_exit_code_2(tmp_path: Path, capsys):
    path = tmp_path / "ripe.yaml"
    path.write_text(GOOD.replace("RIPE", "1.5"))
    assert main(["validate", str(path)]) == 2
    shown = capsys.readouterr()
    assert f"{path}:10:34: negotiation.schedule.ripeness.ripe: value must be <= 1" in shown.err
    path.write_text(GOOD.replace("RIPE", "0.6"))
    assert main(["validate", str(path)]) == 0


def test_a_bad_set_is_located_with_exit_code_2(capsys):
    bad = "negotiation.schedule={ripeness: {base: -0.1, ripe: 0.5}}"
    assert main(["negotiate", "battles", "--paths", "10", "--set", bad]) == 2
    shown = capsys.readouterr()
    at = bad.index("-0.1") + 1  # 1-based column where the bad value starts
    assert f"--set:1:{at}: negotiation.schedule.ripeness.base: value must be >= 0" in shown.err
    # a misspelt field is blamed on itself, not on the form of the schedule
    bad = "negotiation.schedule={ripeness: {base: 0.1, ripe: 0.5, evry: 3}}"
    assert main(["negotiate", "battles", "--paths", "10", "--set", bad]) == 2
    shown = capsys.readouterr()
    assert "ripeness.evry: unknown field 'evry' (did you mean 'every'?)" in shown.err


def test_set_switches_to_and_edits_a_ripeness_schedule():
    """``{ripeness: ...}`` replaces an ``every`` schedule whole; edits inside it merge."""
    sc = dt.load("ukraine-2025", overrides=[ripeness(0.1, 0.5)])  # it has {every: 4}
    schedule = sc.negotiation.schedule
    assert isinstance(schedule, RipenessSchedule) and schedule.ripeness.every == 1
    edit = "negotiation.schedule.ripeness={every: 8}"  # a block: merged, base and ripe kept
    schedule = dt.load("ukraine-2025", overrides=[ripeness(0.1, 0.5), edit]).negotiation.schedule
    assert isinstance(schedule, RipenessSchedule)
    chances = schedule.ripeness
    assert (chances.every, chances.base, chances.ripe) == (8, 0.1, 0.5)


def test_json_schema_takes_a_ripeness_schedule():
    schema = json_schema()
    data = dt.load("battles").model_dump(mode="json", exclude_none=True)
    data["negotiation"]["schedule"] = {"ripeness": {"base": 0.05, "ripe": 0.6, "every": 2}}
    jsonschema.validate(data, schema)
    for bad in ({"base": 0.05}, {"base": 0.05, "ripe": 0.6, "evry": 2}):
        data["negotiation"]["schedule"] = {"ripeness": bad}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schema)
