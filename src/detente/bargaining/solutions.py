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
from numpy.typing import NDArray

from detente.bargaining.space import SettlementSpace

MAX_PACKAGES = 2_000_000
"""Largest number of packages enumerated; beyond it the space needs coarser issues."""

_CHUNK = 4096


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

    Exact duplicates are all kept.
    """
    order = np.argsort(-utilities.sum(axis=1), kind="stable")
    frontier: list[int] = []
    keep = np.zeros(len(utilities), bool)
    for start in range(0, len(order), _CHUNK):
        block = order[start : start + _CHUNK]
        for idx in block:  # a row can be dominated only by rows with a larger sum
            u = utilities[idx]
            if frontier:
                f = utilities[frontier]
                dominated = np.all(f >= u - eps, axis=1) & np.any(f > u + eps, axis=1)
                if dominated.any():
                    continue
            frontier.append(int(idx))
            keep[idx] = True
    return keep


def nash(
    utilities: NDArray[np.float64],
    outside: NDArray[np.float64],
    weights: NDArray[np.float64] | None = None,
) -> NDArray[np.int64]:
    """Index of the (weighted) Nash package for each row of ``outside``; -1 if none."""
    alpha = np.ones(utilities.shape[1]) if weights is None else np.asarray(weights)
    out = np.full(len(outside), -1, np.int64)
    for start in range(0, len(outside), _CHUNK):
        d = outside[start : start + _CHUNK]
        gain = utilities[None, :, :] - d[:, None, :]
        ok = np.all(gain > 0, axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(
                ok, (alpha * np.log(np.where(gain > 0, gain, 1.0))).sum(axis=2), -np.inf
            )
        best = np.argmax(score, axis=1)
        out[start : start + _CHUNK] = np.where(ok.any(axis=1), best, -1)
    return out


def egalitarian(utilities: NDArray[np.float64], outside: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of the package maximising the smallest gain over war; -1 if none gains."""
    out = np.full(len(outside), -1, np.int64)
    for start in range(0, len(outside), _CHUNK):
        d = outside[start : start + _CHUNK]
        least = (utilities[None, :, :] - d[:, None, :]).min(axis=2)
        best = np.argmax(least, axis=1)
        out[start : start + _CHUNK] = np.where(least.max(axis=1) >= 0, best, -1)
    return out


def kalai_smorodinsky(
    utilities: NDArray[np.float64], outside: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Index of the Kalai-Smorodinsky package for each row of ``outside``; -1 if none."""
    out = np.full(len(outside), -1, np.int64)
    for start in range(0, len(outside), _CHUNK):
        d = outside[start : start + _CHUNK]
        gain = utilities[None, :, :] - d[:, None, :]
        ok = np.all(gain >= 0, axis=2)
        ideal = np.where(ok[:, :, None], gain, -np.inf).max(axis=1)  # a_i - d_i
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(ideal[:, None, :] > 0, gain / ideal[:, None, :], 1.0)
        score = np.where(ok, ratio.min(axis=2), -np.inf)
        best = np.argmax(score, axis=1)
        out[start : start + _CHUNK] = np.where(ok.any(axis=1), best, -1)
    return out
