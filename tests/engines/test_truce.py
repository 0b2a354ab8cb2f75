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


def test_engines_without_a_ceasefire_say_so():
    sc = dt.load("ukraine-2025")
    with pytest.raises(EngineError, match="ceasefire"):
        run_war(sc, paths=10, seed=0, truce=_truce(10, len(sc.parties), 0, 5, 0.5))
