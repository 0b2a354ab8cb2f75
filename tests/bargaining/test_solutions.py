"""Bargaining solutions: closed forms, and an independent implementation (NegMAS)."""

import itertools

import numpy as np
import pytest

from detente.bargaining.solutions import (
    egalitarian,
    kalai_smorodinsky,
    nash,
    packages,
    pareto_mask,
)
from detente.bargaining.space import SettlementSpace

negmas = pytest.importorskip("negmas")  # test-only dependency (AGPL), never imported by detente


def fearon_grid(points=2001):
    """One divisible stake on a grid of splits: u_A = x, u_B = 1 - x."""
    xs = np.linspace(0.0, 1.0, points)
    return SettlementSpace(("A", "B"), ("share",), (tuple(xs),), (np.column_stack([xs, 1 - xs]),))


@pytest.mark.parametrize(("p", "c_a", "c_b"), [(0.5, 0.1, 0.1), (0.6, 0.05, 0.25), (0.3, 0.2, 0.0)])
def test_solutions_on_fearons_pie(p, c_a, c_b):
    """Linear 1-D pie: Nash = Kalai-Smorodinsky = egalitarian = p + (c_B - c_A)/2 (MODELS §6.1).

    Exact up to the grid's resolution, 1/2000.
    """
    space = fearon_grid()
    _, utilities = packages(space)
    d = np.array([[p - c_a, 1 - p - c_b]])
    expected = p + (c_b - c_a) / 2
    for solve in (nash, kalai_smorodinsky, egalitarian):
        share = utilities[solve(utilities, d)[0], 0]
        assert share == pytest.approx(expected, abs=1e-3), solve.__name__


def test_solutions_differ_on_a_curved_frontier():
    """Frontier u_B = 2 (1 - u_A**2), disagreement at 0: the three solutions part ways.

    Nash maximises u_A u_B = 2 x (1 - x**2): x = 1/sqrt(3) (Nash 1950). Kalai-Smorodinsky
    meets the line from 0 to the ideal point (1, 2): 2 (1 - x**2) = 2 x, x = (sqrt(5) -
    1)/2 (Kalai & Smorodinsky 1975). Egalitarian equal gains: 2 (1 - x**2) = x,
    x = (sqrt(17) - 1)/4 (Kalai 1977). Grid of 1/20000, so within 1e-4.
    """
    x = np.linspace(0.0, 1.0, 20_001)
    utilities = np.column_stack([x, 2.0 * (1.0 - x**2)])
    d = np.zeros((1, 2))
    expected = {
        nash: 1 / np.sqrt(3),
        kalai_smorodinsky: (np.sqrt(5) - 1) / 2,
        egalitarian: (np.sqrt(17) - 1) / 4,
    }
    for solve, share in expected.items():
        assert utilities[solve(utilities, d)[0], 0] == pytest.approx(share, abs=1e-4)


def test_weighted_nash_follows_rubinsteins_limit():
    """Asymmetric Nash with alpha_A = r_B/(r_A + r_B) is Rubinstein's patient limit."""
    space = fearon_grid()
    _, utilities = packages(space)
    share = utilities[nash(utilities, np.zeros((1, 2)), weights=np.array([0.7, 0.3]))[0], 0]
    assert share == pytest.approx(0.7, abs=1e-3)


def test_no_solution_without_a_window():
    _, utilities = packages(fearon_grid())
    d = np.array([[0.7, 0.4]])  # mutual optimism: d_A + d_B > 1
    for solve in (nash, kalai_smorodinsky, egalitarian):
        assert solve(utilities, d)[0] == -1


def random_domain(rng):
    """Random discrete linear-additive preferences, and their settlement space."""
    n_parties = int(rng.integers(2, 4))
    sizes = [int(rng.integers(2, 5)) for _ in range(int(rng.integers(2, 4)))]
    values = [[rng.random(size) for size in sizes] for _ in range(n_parties)]
    weights = [rng.dirichlet(np.ones(len(sizes))) for _ in range(n_parties)]
    space = SettlementSpace(
        tuple(f"p{i}" for i in range(n_parties)),
        tuple(f"i{k}" for k in range(len(sizes))),
        tuple(tuple(range(size)) for size in sizes),
        tuple(
            np.column_stack([weights[i][k] * values[i][k] for i in range(n_parties)])
            for k in range(len(sizes))
        ),
    )
    return sizes, values, weights, space


@pytest.mark.parametrize("seed", range(15))
def test_pareto_set_and_nash_point_match_negmas(seed):
    from negmas import make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.ops import nash_points, pareto_frontier

    rng = np.random.default_rng(seed)
    sizes, values, weights, space = random_domain(rng)
    _, utilities = packages(space)
    # Reserved values between each party's worst and middle utility: NegMAS uses them as
    # the disagreement point as they are (below the minimum it would use the minimum).
    low, high = utilities.min(axis=0), utilities.max(axis=0)
    reserve = low + rng.random(len(low)) * (high - low) / 2
    issues = [make_issue(size, name=f"i{k}") for k, size in enumerate(sizes)]
    ufuns = [
        LinearAdditiveUtilityFunction(
            values={f"i{k}": dict(enumerate(map(float, values[i][k]))) for k in range(len(sizes))},
            weights={f"i{k}": float(weights[i][k]) for k in range(len(sizes))},
            issues=issues,
            reserved_value=float(reserve[i]),
        )
        for i in range(len(values))
    ]
    # NegMAS's frontier is the Pareto set of the packages every party prefers to war.
    rational = utilities[np.all(utilities >= reserve, axis=1)]
    ours = {tuple(np.round(u, 9)) for u in rational[pareto_mask(rational)]}
    frontier, _ = pareto_frontier(ufuns, issues=issues)
    theirs = {tuple(np.round(np.array(u, dtype=float), 9)) for u in frontier}
    assert ours == theirs

    best = nash(utilities, reserve[None, :])[0]
    points = nash_points(ufuns, frontier, issues=issues)
    if best < 0:
        assert not points
    else:
        assert points, "NegMAS finds no Nash point where we do"
        np.testing.assert_allclose(utilities[best], np.array(points[0][0], dtype=float), atol=1e-9)


def test_packages_enumerate_the_product_of_outcomes():
    space = SettlementSpace(
        ("a", "b"), ("x", "y"), ((0, 1), ("p", "q", "r")),
        (np.array([[0.1, 0.0], [0.2, 0.1]]), np.array([[0.0, 0.3], [0.1, 0.2], [0.2, 0.1]])),
    )  # fmt: skip
    choices, utilities = packages(space)
    assert [tuple(c) for c in choices] == list(itertools.product(range(2), range(3)))
    np.testing.assert_allclose(utilities[4], [0.2 + 0.1, 0.1 + 0.2])


@pytest.mark.parametrize("seed", range(5))
def test_extents_contain_every_solution(seed):
    from detente.bargaining.solutions import extents

    rng = np.random.default_rng(seed)
    _, values, _, space = random_domain(rng)
    choices, utilities = packages(space)
    d = rng.random((50, len(values))) * utilities.max(axis=0) * 0.6
    low, high = extents(choices, utilities, d)
    for solve in (nash, kalai_smorodinsky, egalitarian):
        picked = solve(utilities, d)
        for r in np.flatnonzero(picked >= 0):
            assert (low[r] <= choices[picked[r]]).all() and (choices[picked[r]] <= high[r]).all()
    # and the extents are exactly those of the packages in the window, by brute force
    for r in range(len(d)):
        inside = choices[np.all(utilities >= d[r], axis=1)]
        if len(inside):
            np.testing.assert_array_equal(low[r], inside.min(axis=0))
            np.testing.assert_array_equal(high[r], inside.max(axis=0))
        else:
            assert (low[r] == -1).all()
