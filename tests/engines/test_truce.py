"""A ceasefire pauses the war: no fighting, the deal's value as the flow, war after it.

Exact checks (no Monte Carlo error): accounting identities on every path.
"""

import numpy as np
import pytest

import detente as dt
from detente.engines import DECISIVE, ONGOING, EngineError, run_war


def _truce(paths, parties, start, end, value):
    return (
        np.full(paths, start, dtype=np.int64),
        np.full(paths, end, dtype=np.int64),
        np.full((paths, parties), value),
    )


@pytest.mark.parametrize("delta", [1.0, 0.97])
def test_a_deal_that_holds_is_worth_its_value(delta):
    sc = dt.load("battles", overrides=[f"time.discount={{A: {delta}, B: {delta}}}"])
    rec = run_war(sc, paths=2000, seed=1, truce=_truce(2000, 2, 0, 10**9, 0.6))
    assert (rec.event == ONGOING).all() and (rec.end_step == sc.time.horizon).all()
    np.testing.assert_allclose(rec.payoff, 0.6, atol=1e-12)  # (1 - d) sum d^t u + d^H u = u
    np.testing.assert_allclose(rec.checkpoint_features[:, :, 0], 0.5)  # the front never moved


def test_the_front_holds_still_during_the_truce_and_war_resumes_after():
    sc = dt.load("battles", overrides=["time.horizon=100"])
    free = run_war(sc, paths=4000, seed=2)
    paused = run_war(sc, paths=4000, seed=2, truce=_truce(4000, 2, 20, 60, 0.5))
    c20, c60 = 2, 6  # checkpoints every 10 steps
    live = paused.alive[:, c20] == 1
    # Same random streams: identical until the truce, frozen during it.
    np.testing.assert_array_equal(
        paused.checkpoint_features[:, : c20 + 1], free.checkpoint_features[:, : c20 + 1]
    )
    np.testing.assert_array_equal(
        paused.checkpoint_features[live, c60, 0], paused.checkpoint_features[live, c20, 0]
    )
    # After it, the war goes on: the 40 quiet steps are fought later or not at all.
    assert (paused.event[live] == DECISIVE).mean() < (free.event[live] == DECISIVE).mean()
    cost = 0.01  # per engagement, both sides: war before and after, no cost in the truce
    ongoing = live & (paused.event == ONGOING)
    expected = -cost * (100 - 40) + 0.5  # lump sum: costs of 60 engagements, then the status quo
    np.testing.assert_allclose(paused.payoff[ongoing, 0], expected, atol=1e-9)


def test_engines_without_a_ceasefire_say_so(monkeypatch):
    from detente.engines.attrition import Attrition

    monkeypatch.setattr(Attrition, "supports_truce", False)
    sc = dt.load("ukraine-2025")
    with pytest.raises(EngineError, match="ceasefire"):
        run_war(sc, paths=10, seed=0, truce=_truce(10, len(sc.parties), 0, 5, 0.5))


def _columns(rec, *names):
    return [rec.features.index(n) for n in names]


def test_attrition_deal_from_the_start_is_worth_its_value_and_nobody_fights():
    sc = dt.load("ukraine-2025")
    n, parties = 2000, len(sc.parties)
    rec = run_war(sc, paths=n, seed=3, truce=_truce(n, parties, 0, 10**9, 0.4))
    # Accounting identity: a deal held from step 0 to the horizon is worth u_deal exactly
    # (engines._truce), whatever the discount factors drawn.
    np.testing.assert_allclose(rec.payoff, 0.4, atol=1e-9)
    assert (rec.event == ONGOING).all()
    labels = [v.label for v in rec.variables]
    casualties = [labels.index("casualties.russia"), labels.index("casualties.ukraine")]
    np.testing.assert_array_equal(rec.final[:, casualties], 0.0)
    front = rec.checkpoint_features[:, :, _columns(rec, "front")[0]]
    assert (front == front[:, :1]).all()  # the front never moved
    # Rearmament: recruits keep arriving and nobody is lost, so forces only grow.
    troops = _columns(rec, "troops.russia", "troops.ukraine")
    assert (np.diff(rec.checkpoint_features[:, :, troops], axis=1) >= 0).all()
    assert (rec.checkpoint_features[:, -1, troops] > rec.checkpoint_features[:, 0, troops]).all()


def test_attrition_truce_keeps_history_freezes_the_front_and_war_resumes():
    sc = dt.load("ukraine-2025")
    n, parties = 3000, len(sc.parties)
    free = run_war(sc, paths=n, seed=4)
    paused = run_war(sc, paths=n, seed=4, truce=_truce(n, parties, 24, 60, 0.4))
    c24, c60 = 6, 15  # checkpoints every 4 weeks
    live = paused.alive[:, c24] == 1
    # Per-path streams: the same history up to the deal.
    np.testing.assert_array_equal(
        paused.checkpoint_features[:, : c24 + 1], free.checkpoint_features[:, : c24 + 1]
    )
    front = _columns(paused, "front")[0]
    held = paused.checkpoint_features[live, c24 : c60 + 1, front]
    assert (held == held[:, :1]).all()  # the front holds still through the truce
    labels = [v.label for v in paused.variables]
    casualties = labels.index("casualties.ukraine")
    # 36 quiet weeks: fewer casualties at the horizon than fighting throughout, but the
    # war resumed after the truce, so more than none were added after week 24.
    assert paused.final[live, casualties].mean() < free.final[live, casualties].mean()
    after = (
        paused.checkpoint_features[live, -1, front] != paused.checkpoint_features[live, c60, front]
    )
    assert after.mean() > 0.9
