"""Bargaining solutions over a finite set of packages, vectorised over paths.

A package fixes every issue; its utilities to the parties are path-independent, so the
Pareto set is computed once, and each path's solution is an argmax over that set
given the path's outside options ``d``:

* Nash (1950): maximise ``sum_i alpha_i log(u_i - d_i)`` over packages with ``u > d``
  (``alpha`` = 1 for the symmetric solution);
* Kalai & Smorodinsky (1975): maximise ``min_i (u_i - d_i) / (a_i - d_i)``, where
  ``a_i`` is party ``i``'s best utility among packages everyone prefers to war;
* egalitarian (Kalai 1977): maximise ``min_i (u_i - d_i)``.

Packages are those of a ``SettlementSpace`` (each issue's candidate outcomes), or any
table of utilities. Solutions over this finite set are what NegMAS computes over a
discrete outcome space; for continuous issues they are exact at breakpoints and
otherwise as fine as the outcomes given.

References
----------
Nash, J. F. (1950). The bargaining problem. *Econometrica*, 18(2), 155-162.
Kalai, E., & Smorodinsky, M. (1975). Other solutions to Nash's bargaining problem.
*Econometrica*, 43(3), 513-518. Kalai, E. (1977). Proportional solutions to bargaining
situations. *Econometrica*, 45(7), 1623-1630.
"""

from __future__ import annotations

import itertools

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.bargaining.space import SettlementSpace

MAX_PACKAGES = 2_000_000
"""Largest number of packages enumerated; beyond it the space needs coarser issues."""


def packages(space: SettlementSpace) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Every package of the space and its utilities.

    Returns
    -------
    choices : ndarray, shape (packages, issues)
        Index of each issue's outcome in ``space.outcomes``.
    utilities : ndarray, shape (packages, parties)
    """
    sizes = [len(t) for t in space.points]
    total = int(np.prod(sizes))
    if total > MAX_PACKAGES:
        raise ValueError(f"{total:,} packages: more than {MAX_PACKAGES:,} to enumerate")
    choices = np.array(list(itertools.product(*(range(s) for s in sizes))), dtype=np.int64)
    utilities = np.zeros((total, len(space.parties)))
    for k, table in enumerate(space.points):
        utilities += table[choices[:, k]]
    return choices, utilities


def pareto_mask(utilities: NDArray[np.float64], eps: float = 1e-12) -> NDArray[np.bool_]:
    """Which rows are Pareto-optimal: no other row at least as good for all, better for one.

    Exact duplicates are all kept. A row can be dominated only by a row with a larger
    sum, so rows are visited by decreasing sum and compared with the frontier so far.
    """
    u = np.ascontiguousarray(utilities, dtype=np.float64)
    order = np.argsort(-u.sum(axis=1), kind="stable").astype(np.int64)
    keep: NDArray[np.bool_] = _pareto(u, order, eps)
    return keep


@njit(cache=True, nogil=True)
def _pareto(utilities, order, eps):  # type: ignore[no-untyped-def]
    n, m = utilities.shape
    keep = np.zeros(n, np.bool_)
    front = np.empty(n, np.int64)
    size = 0
    for idx in order:
        dominated = False
        for f in range(size):
            other = front[f]
            all_ge = True
            any_gt = False
            for i in range(m):
                if utilities[other, i] < utilities[idx, i] - eps:
                    all_ge = False
                    break
                if utilities[other, i] > utilities[idx, i] + eps:
                    any_gt = True
            if all_ge and any_gt:
                dominated = True
                break
        if not dominated:
            front[size] = idx
            size += 1
            keep[idx] = True
    return keep


@njit(cache=True, nogil=True)
def _best(utilities, outside, rule, weights):  # type: ignore[no-untyped-def]
    """For each row of ``outside``, the package with the best score under ``rule``.

    Rules: 0 Nash (weighted log gains, packages with every gain > 0), 1 egalitarian
    (smallest gain, packages with every gain >= 0), 2 Kalai-Smorodinsky (smallest gain
    relative to each party's best gain among packages with every gain >= 0).
    """
    n_paths, n_parties = outside.shape
    n_packages = utilities.shape[0]
    out = np.full(n_paths, -1, np.int64)
    ideal = np.empty(n_parties)
    for r in range(n_paths):
        if rule == 2:  # each party's best gain over packages all weakly prefer to war
            ideal[:] = -np.inf
            for m in range(n_packages):
                ok = True
                for i in range(n_parties):
                    if utilities[m, i] < outside[r, i]:
                        ok = False
                        break
                if ok:
                    for i in range(n_parties):
                        ideal[i] = max(ideal[i], utilities[m, i] - outside[r, i])
        best_score = -np.inf
        for m in range(n_packages):
            score = 0.0 if rule == 0 else np.inf
            for i in range(n_parties):
                gain = utilities[m, i] - outside[r, i]
                if gain < 0.0 or (rule == 0 and gain <= 0.0):
                    score = -np.inf
                    break
                if rule == 0:
                    score += weights[i] * np.log(gain)
                elif rule == 1:
                    score = min(score, gain)
                else:
                    score = min(score, gain / ideal[i] if ideal[i] > 0.0 else 1.0)
            if score > best_score:
                best_score = score
                out[r] = m
    return out


def nash(
    utilities: NDArray[np.float64],
    outside: NDArray[np.float64],
    weights: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Index of the (weighted) Nash package for each row of ``outside``; -1 if none."""
    alpha = np.ones(utilities.shape[1]) if weights is None else np.asarray(weights, float)
    return _solve(utilities, outside, 0, alpha)


def egalitarian(utilities: NDArray[np.float64], outside: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of the package maximising the smallest gain over war; -1 if none gains."""
    return _solve(utilities, outside, 1, np.ones(utilities.shape[1]))


def kalai_smorodinsky(
    utilities: NDArray[np.float64], outside: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Index of the Kalai-Smorodinsky package for each row of ``outside``; -1 if none."""
    return _solve(utilities, outside, 2, np.ones(utilities.shape[1]))


def _solve(
    utilities: NDArray[np.float64],
    outside: NDArray[np.float64],
    rule: int,
    weights: NDArray[np.float64],
) -> NDArray[np.int64]:
    u = np.ascontiguousarray(utilities, dtype=np.float64)
    d = np.ascontiguousarray(np.atleast_2d(outside), dtype=np.float64)
    result: NDArray[np.int64] = _best(u, d, rule, np.ascontiguousarray(weights, dtype=np.float64))
    return result


@njit(cache=True, nogil=True)
def _extents(utilities, choices, outside):  # type: ignore[no-untyped-def]
    n_paths, n_parties = outside.shape
    n_issues = choices.shape[1]
    low = np.full((n_paths, n_issues), -1, np.int64)
    high = np.full((n_paths, n_issues), -1, np.int64)
    for r in range(n_paths):
        for m in range(utilities.shape[0]):
            ok = True
            for i in range(n_parties):
                if utilities[m, i] < outside[r, i]:
                    ok = False
                    break
            if ok:
                for k in range(n_issues):
                    c = choices[m, k]
                    if low[r, k] < 0 or c < low[r, k]:
                        low[r, k] = c
                    high[r, k] = max(high[r, k], c)
    return low, high


def extents(
    choices: NDArray[np.int64], utilities: NDArray[np.float64], outside: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Lowest and highest outcome index of each issue among packages in the window.

    Per row of ``outside``: over the packages every party weakly prefers to its outside
    option; -1 where there is none.
    """
    result: tuple[NDArray[np.int64], NDArray[np.int64]] = _extents(
        np.ascontiguousarray(utilities, dtype=np.float64),
        np.ascontiguousarray(choices, dtype=np.int64),
        np.ascontiguousarray(np.atleast_2d(outside), dtype=np.float64),
    )
    return result
