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


FLOW = ["war.holds=share", "war.prior={}", "war.p_win=0.6",
        "war.front={start: 0.5, step: 0.005}", "time.horizon=200", "time.checkpoint_every=20",
        "time.discount={A: 0.95, B: 0.95}", "war.cost={A: 0.001, B: 0.002}"]  # fmt: skip


def flow_form(front, steps_left, p=0.6, step=0.005, d=0.95, cost=0.001):
    """A's value of fighting on when each step is worth the ground held (MODELS.md §9.2
    U10, Powell 2004): with drift mu = step (2p - 1) and no edge in reach,
    E[sum_s d^s ((1 - d) X_s - c) + d^n X_n] = X + mu d (1 - d^n)/(1 - d) - c (1 - d^n)/(1 - d)."""
    mu = step * (2 * p - 1)
    kept = (1 - d**steps_left) / (1 - d)
    return front + mu * d * kept - cost * kept


def test_battles_outside_options_match_the_flow_form():
    """The front moves 0.005 a step; over 200 steps its s.d. is 0.07 and its drift 0.2,
    so from 0.5 it stays clear of the edges and the closed form is exact; the value is
    linear in the front, which the regression represents exactly (error: sampling)."""
    rec = run_war(dt.load("battles", overrides=FLOW), paths=20_000, seed=1)
    value = outside_options(rec)
    for c in (0, 2, 5):
        live = rec.alive[:, c] == 1
        front = rec.checkpoint_features[live, c, 0]
        left = 200 - 20 * c
        assert np.abs(value[live, c, 0] - flow_form(front, left)).max() < 0.004
        kept = (1 - 0.95**left) / (1 - 0.95)
        b = 1 - flow_form(front, left, cost=0) - 0.002 * kept  # u_B = 1 - X, c_B = 0.002
        assert np.abs(value[live, c, 1] - b).max() < 0.004


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


def test_valuing_within_the_fitted_range():
    """A view's fit applied to states beyond what it saw values them at the range's edge:
    the prediction equals the fit evaluated at the clipped states, and states the fit
    saw are valued as without clipping."""
    from detente.bargaining.outside import TRUSTED_SHARE, fit_continuation, polynomial_basis

    sc = dt.load("ukraine-2025")
    actual = run_war(sc, paths=3000, seed=2)
    view = run_war(view_of(sc, "us"), paths=3000, seed=2)  # Europe's support fixed at 0.85
    fit = fit_continuation(view)
    within = fit.predict(actual, within=True)
    plain = fit.predict(actual)
    for c in (0, 5, 20):
        live = actual.alive[:, c] == 1
        states = actual.checkpoint_features[live, c].astype(float)
        _, _, _, _, _, low, high = fit.fits[c]
        clipped = np.clip(states, low, high)
        np.testing.assert_allclose(within[live, c], fit.at(c, clipped), rtol=1e-9, atol=1e-9)
        inside = ((states >= low) & (states <= high)).all(axis=1)
        np.testing.assert_allclose(within[live, c][inside], plain[live, c][inside], atol=1e-9)
        assert (~inside).any()  # the view's fit does meet states it never reached
        # the trusted range holds the central TRUSTED_SHARE of the view's own states (its
        # edges are quantiles of a sample of EDGE_SAMPLE of them: allow their error)
        seen = view.checkpoint_features[view.alive[:, c] == 1, c]
        beyond = ((seen < low) | (seen > high)).mean(axis=0)
        assert (beyond <= 1 - TRUSTED_SHARE + 0.01).all()
        assert beyond.max() >= (1 - TRUSTED_SHARE) / 2  # some feature's tails are cut off
    # The compiled evaluation against the regressors built and multiplied out in NumPy.
    for c in (0, 5, 20):
        live = actual.alive[:, c] == 1
        states = actual.checkpoint_features[live, c].astype(float)
        center, scale, coef, target_low, target_high, low, high = fit.fits[c]
        terms = polynomial_basis(np.clip(states, low, high), fit.degree, center, scale)
        expected = np.clip(terms @ coef, target_low, target_high)
        np.testing.assert_allclose(within[live, c], expected, rtol=1e-9, atol=1e-9)
        assert np.isnan(within[~live, c]).all()


@pytest.mark.parametrize("name", ["ukraine-2025", "battles"])
def test_project_writes_fitted_values_in_place(name):
    """``ContinuationValue.project`` puts each live state's fitted values in the given
    features (as ``values`` computes them) and leaves everything else as it was: the
    compiled pass of the powers basis (14 features) and the products basis (battles)."""
    from detente.bargaining.outside import fit_expectation

    rec = run_war(dt.load(name), paths=2000, seed=1)
    k = rec.checkpoint_features.shape[2]
    slots = np.array([0, k - 1])

    def target(c, live):  # any function of the state will do
        return 0.5 * rec.checkpoint_features[live, c][:, slots].astype(float) + 1.0

    fit = fit_expectation(rec, target)
    states = rec.checkpoint_features.copy()
    fit.project(states, rec.alive, slots)
    expected = fit.values(rec.checkpoint_features, rec.alive)
    live = rec.alive == 1
    found = states[live][:, slots]
    np.testing.assert_allclose(found, expected[live].astype(np.float32), rtol=1e-6, atol=1e-6)
    assert not np.allclose(found, rec.checkpoint_features[live][:, slots])  # it did write
    others = np.setdiff1d(np.arange(k), slots)
    np.testing.assert_array_equal(states[..., others], rec.checkpoint_features[..., others])
    np.testing.assert_array_equal(states[~live], rec.checkpoint_features[~live])
