"""Ripeness (hurting stalemate) and Powell's commitment check.

The commitment check is compared with Powell's (2006) condition where the projection is
exact (a rise common to all paths: the regression's intercept recovers it to rounding);
the packages are a pie split on a grid of 1/1000, so cases are kept 0.01 from the edge.
"""

import numpy as np
import pytest

import detente as dt
from detente.bargaining.ripeness import commitment_blocked, decisive_chances
from detente.bargaining.window import window
from detente.engines import run_war

GRID = np.linspace(0.0, 1.0, 1001)
PIE = np.column_stack([GRID, 1.0 - GRID])  # u_A = x, u_B = 1 - x


@pytest.fixture(scope="module")
def record():
    sc = dt.load("battles", overrides=["time.horizon=40"])
    return run_war(sc, paths=3000, seed=1)


@pytest.mark.parametrize("delta", [1.0, 0.99])
@pytest.mark.parametrize(("r_a", "r_b_now", "rise"), [
    (0.45, 0.40, 0.02), (0.45, 0.40, 0.12), (0.30, 0.50, 0.05), (0.30, 0.50, 0.25),
    (0.60, 0.30, 0.0),
])  # fmt: skip
def test_commitment_matches_powells_condition(record, delta, r_a, r_b_now, rise):
    n_ckpt = record.alive.shape[1]
    own = np.empty((record.paths, n_ckpt, 2))
    own[:, :, 0] = r_a  # the declining side D = A keeps its war value
    own[:, :, 1] = r_b_now + rise * np.arange(n_ckpt)  # R = B rises by `rise` a checkpoint
    blocked = _check(record, own, delta)
    tau = 10  # steps between the battles scenario's checkpoints
    keep = delta**tau
    for c in range(n_ckpt - 1):
        r_b_next = r_b_now + rise * (c + 1)
        # Powell (2006), multi-period form (MODELS.md §1.2): peace infeasible iff
        # (1 - d^tau) * 1 + d^tau * (1 - r_R(t + tau)) < r_D(t)
        expected = (1 - keep) + keep * (1 - r_b_next) < r_a and rise > 0
        if r_b_next > 1:
            expected = True  # no settlement gives R its war value: R will fight anyway
        live = record.alive[:, c] == 1
        assert blocked[live, c].all() == expected and blocked[live, c].any() == expected
    assert not blocked[:, -1].any()  # nothing to project to from the last checkpoint


def test_no_commitment_problem_without_a_shift(record):
    n_ckpt = record.alive.shape[1]
    own = np.full((record.paths, n_ckpt, 2), 0.4)
    assert not _check(record, own, 0.99).any()


def _check(record, own, delta):
    """The check with each side's value projected to be what ``own`` says it is next."""
    projected = np.full_like(own, np.nan)
    projected[:, :-1] = own[:, 1:]
    return commitment_blocked(record, own, projected, PIE, np.array([delta, delta]))


def test_no_commitment_problem_from_battlefield_drift():
    """A front drifting towards A does not shift power in a ceasefire (battles: nothing
    moves when the guns are silent), however fast it drifts."""
    sc = dt.load("battles", overrides=["war.p_win=0.8", "war.prior={}"])
    w = window(sc, paths=4000, seed=5)
    share = w.p_commitment_problem()
    assert share is not None and share.max() < 0.01


def test_decisive_chances_are_gamblers_ruin():
    """p = 1/2 from front k/N: A wins outright with probability k/N (Feller 1968)."""
    sc = dt.load("battles", overrides=["war.p_win=0.5", "war.prior={}", "time.horizon=3000"])
    rec = run_war(sc, paths=40_000, seed=3)
    chance = decisive_chances(rec, rec)
    live = rec.alive[:, 1] == 1
    front = rec.checkpoint_features[live, 1, 0]
    assert np.abs(chance[live, 1, 0] - front).max() < 0.03
    assert np.abs(chance[live, 1, 1] - (1 - front)).max() < 0.03


def _stalemate_share(*overrides: str) -> float:
    sc = dt.load("battles", overrides=["war.prior={}", "war.p_win=0.5", *overrides])
    w = window(sc, paths=8000, seed=4)
    share = w.p_hurting_stalemate()
    assert share is not None
    return float(share[1])


def test_hurting_stalemate_needs_both_deadlock_and_pain():
    # Small steps over a short horizon: nobody can win outright, and fighting costs.
    deadlock = ["war.front={start: 0.5, step: 0.02}", "time.horizon=100"]
    assert _stalemate_share(*deadlock, "war.cost={A: 0.005, B: 0.005}") > 0.9
    # Free fighting does not hurt; big steps make outright victory likely.
    assert _stalemate_share(*deadlock, "war.cost={A: 0, B: 0}") < 0.05
    assert _stalemate_share("war.front={start: 0.5, step: 0.25}", "time.horizon=100",
                            "war.cost={A: 0.005, B: 0.005}") < 0.05  # fmt: skip


def test_frontier_step_function_equals_brute_force():
    """g_D(x) = the best u_D among packages with u_R >= x, from the compressed steps."""
    from detente.bargaining.ripeness import _best_given

    rng = np.random.default_rng(7)
    u = rng.integers(0, 20, size=(3000, 2)) / 20.0  # ties on both axes
    sorted_r, best = _best_given(u[:, 0], u[:, 1])
    assert len(sorted_r) < 40
    for x in np.linspace(-0.1, 1.1, 121):
        idx = np.searchsorted(sorted_r, x, side="left")
        found = best[idx] if idx < len(best) else -np.inf
        reachable = u[:, 1] >= x
        expected = u[reachable, 0].max() if reachable.any() else -np.inf
        assert found == expected
