"""The slack of the bargaining window: Fearon's closed form and an independent LP."""

import numpy as np
import pytest
from scipy.optimize import linprog

import detente as dt
from detente.bargaining.space import SettlementSpace, issue_bounds, settlement_space, slack


@pytest.mark.parametrize(("p", "c_a", "c_b"), [(0.5, 0.1, 0.1), (0.7, 0.02, 0.3), (0.2, 0.0, 0.05)])
def test_fearon_slack_is_half_the_bargaining_range(p, c_a, c_b):
    """Range [p - c_A, p + c_B] (Fearon 1995): the best split leaves each (c_A + c_B)/2."""
    space = settlement_space(dt.load("fearon"), ["A", "B"])
    d = np.array([[p - c_a, 1 - p - c_b]])
    assert slack(space, d)[0] == pytest.approx((c_a + c_b) / 2, abs=1e-12)
    # costless war with optimism closes it: d_A + d_B > 1
    assert slack(space, np.array([[0.7, 0.4]]))[0] == pytest.approx(-0.05, abs=1e-12)


def lp_slack(space: SettlementSpace, d: np.ndarray) -> float:
    """max s: some lottery over each issue's outcomes gives every party >= d_i + s."""
    sizes = [len(t) for t in space.points]
    n_mu, n = sum(sizes), len(space.parties)
    # variables: mu (lottery weights per issue), then s; maximise s
    c = np.zeros(n_mu + 1)
    c[-1] = -1.0
    a_ub = np.zeros((n, n_mu + 1))
    col = 0
    for table in space.points:
        a_ub[:, col : col + len(table)] = -table.T
        col += len(table)
    a_ub[:, -1] = 1.0
    a_eq = np.zeros((len(sizes), n_mu + 1))
    col = 0
    for k, size in enumerate(sizes):
        a_eq[k, col : col + size] = 1.0
        col += size
    bounds = [(0, None)] * n_mu + [(None, None)]
    res = linprog(c, A_ub=a_ub, b_ub=-d, A_eq=a_eq, b_eq=np.ones(len(sizes)), bounds=bounds)
    assert res.status == 0
    return -res.fun


@pytest.mark.parametrize("seed", range(12))
def test_slack_equals_an_independent_linear_programme(seed):
    rng = np.random.default_rng(seed)
    n_parties = int(rng.integers(2, 5))
    n_issues = int(rng.integers(1, 5))
    points = tuple(
        rng.random((int(rng.integers(2, 6)), n_parties)) / n_issues for _ in range(n_issues)
    )
    space = SettlementSpace(
        tuple(f"p{i}" for i in range(n_parties)),
        tuple(f"i{k}" for k in range(n_issues)),
        tuple(tuple(range(len(t))) for t in points),
        points,
    )
    d = rng.random((20, n_parties)) * 0.8
    fast = slack(space, d)
    exact = np.array([lp_slack(space, row) for row in d])
    np.testing.assert_allclose(fast, exact, atol=1e-9)


def test_default_scenario_slack_for_many_paths_at_once():
    sc = dt.load("ukraine-2025")
    space = settlement_space(sc, ["russia", "ukraine", "us", "europe"])
    d = np.random.default_rng(0).random((1000, 4)) * 0.6
    fast = slack(space, d)
    exact = np.array([lp_slack(space, row) for row in d[:25]])
    np.testing.assert_allclose(fast[:25], exact, atol=1e-9)
    assert fast.shape == (1000,)


@pytest.mark.parametrize(("p", "c_a", "c_b"), [(0.6, 0.1, 0.15), (0.3, 0.05, 0.0), (0.9, 0.2, 0.2)])
def test_fearon_range_through_the_general_machinery(p, c_a, c_b):
    space = settlement_space(dt.load("fearon"), ["A", "B"])
    low, high = issue_bounds(space, "share", np.array([[p - c_a, 1 - p - c_b]]))[0]
    assert (low, high) == pytest.approx((max(p - c_a, 0), min(p + c_b, 1)), abs=1e-12)


def lp_bounds(space: SettlementSpace, issue: int, d: np.ndarray) -> tuple[float, float]:
    """min and max of issue k's (expected) value over lotteries meeting every d_i."""
    sizes = [len(t) for t in space.points]
    n_mu = sum(sizes)
    a_ub = -np.vstack(space.points).T
    a_eq = np.zeros((len(sizes), n_mu))
    x = np.zeros(n_mu)
    col = 0
    for k, size in enumerate(sizes):
        a_eq[k, col : col + size] = 1.0
        if k == issue:
            x[col : col + size] = np.arange(size)
        col += size
    ends = []
    for sign in (1.0, -1.0):
        res = linprog(sign * x, A_ub=a_ub, b_ub=-d, A_eq=a_eq, b_eq=np.ones(len(sizes)))
        assert res.status == 0
        ends.append(sign * res.fun)
    return ends[0], ends[1]


@pytest.mark.parametrize("seed", range(10))
def test_issue_bounds_equal_an_independent_linear_programme(seed):
    rng = np.random.default_rng(100 + seed)
    n_parties = int(rng.integers(2, 4))
    n_issues = int(rng.integers(1, 4))
    points = tuple(
        rng.random((int(rng.integers(2, 5)), n_parties)) / n_issues for _ in range(n_issues)
    )
    space = SettlementSpace(
        tuple(f"p{i}" for i in range(n_parties)),
        tuple(f"i{k}" for k in range(n_issues)),
        tuple(tuple(f"level{m}" for m in range(len(t))) for t in points),
        points,
    )
    checked = 0
    for row in rng.random((30, n_parties)) * 0.5:
        if slack(space, row[None, :])[0] < 1e-9:
            continue  # closed (or touching): no extent to compare
        for k in range(n_issues):
            fast = issue_bounds(space, f"i{k}", row[None, :])[0]
            np.testing.assert_allclose(fast, lp_bounds(space, k, row), atol=1e-8)
        checked += 1
    assert checked > 0
