"""Outside options by least-squares Monte Carlo, against their closed forms.

Tolerances: a mean over n paths is within 4.5 standard errors of its closed form; a
regression with m terms on n live paths predicts each state's value with an error of
order sd(y) * sqrt(m / n), about 0.005 here, bounded by 0.03.
"""

import math

import numpy as np
import pytest

import detente as dt
from detente.bargaining import outside_options
from detente.engines import run_war
from detente.scenario import view_of

Z = 4.5


@pytest.mark.parametrize(("p", "c_a", "c_b"), [(0.5, 0.1, 0.1), (0.75, 0.05, 0.2)])
def test_lottery_outside_options_are_fearons(p, c_a, c_b):
    sc = dt.load("fearon", overrides=[f"war.p_win={p}", f"war.cost={{A: {c_a}, B: {c_b}}}"])
    rec = run_war(sc, paths=100_000, seed=4)
    value = outside_options(rec)[:, 0]
    se = rec.payoff.std(axis=0) / math.sqrt(rec.paths)
    assert abs(value[:, 0].mean() - (p - c_a)) < Z * se[0]  # EU_A(war) = p - c_A
    assert abs(value[:, 1].mean() - (1 - p - c_b)) < Z * se[1]  # EU_B(war) = 1 - p - c_B


def test_battles_outside_options_follow_the_front():
    """p = 1/2: P(A wins from k) = k/N and E[T] = k (N - k), so A's value of fighting on
    is k/N - c_A k (N - k), a quadratic in the front that the regression can represent."""
    sc = dt.load(
        "battles",
        overrides=["war.p_win=0.5", "war.prior={}", "war.cost={A: 0.01, B: 0.02}",
                   "time.horizon=3000"],
    )  # fmt: skip
    rec = run_war(sc, paths=50_000, seed=2)
    value = outside_options(rec)
    n_steps = 10
    for c in (1, 2):
        live = rec.alive[:, c] == 1
        k = np.round(rec.checkpoint_features[live, c, 0] / 0.1)
        exact_a = k / n_steps - 0.01 * k * (n_steps - k)
        exact_b = (n_steps - k) / n_steps - 0.02 * k * (n_steps - k)
        assert np.abs(value[live, c, 0] - exact_a).max() < 0.03
        assert np.abs(value[live, c, 1] - exact_b).max() < 0.03
        assert np.isnan(value[~live, c]).all()  # no outside option once the war is over


def test_mutual_optimism_leaves_no_bargaining_range():
    """Each side values war under its own beliefs (Fearon 1995): optimism closes the range."""
    for variant, closed in ((None, False), ("optimism", True)):
        sc = dt.load("fearon", variant=variant)
        own = {}
        for j, party in enumerate(sc.parties):
            rec = run_war(view_of(sc, party), paths=40_000, seed=1)
            own[party] = outside_options(rec)[:, 0, j].mean()
        # A bargaining range on a pie of 1 exists iff the two war values sum to less than 1.
        assert bool(own["A"] + own["B"] > 1) == closed
