"""The settlement space and the slack of the bargaining window.

With linear-additive utilities (``detente.scenario.utility``) a package gives party
``i`` the sum over issues of ``a_ik(x_k) = w_ik v_ik(x_k)``. On a continuous issue the
vector of all parties' contributions is linear in ``x_k`` between breakpoints (range
ends, ideals, piecewise-linear knots), so the issue's achievable contributions, once
lotteries between packages are allowed (Fearon 1995: "side payments or lotteries"),
form the convex hull of its breakpoints' images; a discrete issue offers its levels.
The convexified utility set of all packages is the Minkowski sum ``Q`` of these hulls.

The window's *slack* for outside options ``d`` is the largest ``s`` such that some
``u`` in ``Q`` gives every required party at least ``d_i + s``: the smallest surplus
over its outside option that the best package guarantees to everyone, in stake units.
By linear-programming duality,

    S(d) = min over weights l in the simplex of [ h(l) - l . d ],
    h(l) = sum over issues of max over the issue's points p of l . p,

a convex piecewise-linear function of ``l`` whose minimum lies at a vertex of the
cells where the maximising points stay the same. Those vertices depend on the
scenario only, not on the path, so ``S`` for every path is one small matrix product
(shared/DESIGN.md §5). ``S >= 0`` means the window is open.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414. Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard UP.
Rockafellar, R. T. (1970). *Convex Analysis*, §13 (support functions) and §16
(Minkowski sums). Princeton UP.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from detente.scenario import utility
from detente.scenario.model import ContinuousIssue, ContinuousPosition, Scenario

_TOL = 1e-12


@dataclass(frozen=True)
class SettlementSpace:
    """Each issue's candidate outcomes and their utility contributions per party.

    Attributes
    ----------
    parties
        The parties whose utilities are tracked, in column order.
    issues
        Issue names, in order.
    outcomes
        Per issue, its candidate outcomes (breakpoints of a continuous issue, or levels).
    points
        Per issue, an array (outcomes, parties) of ``w_ik v_ik(outcome)``.
    """

    parties: tuple[str, ...]
    issues: tuple[str, ...]
    outcomes: tuple[tuple[float | str, ...], ...]
    points: tuple[NDArray[np.float64], ...]


def settlement_space(
    scenario: Scenario, parties: list[str] | tuple[str, ...], *, grid: int = 0
) -> SettlementSpace:
    """Build the settlement space of a scenario for the given parties.

    ``grid`` adds that many evenly spaced values to each continuous issue's breakpoints
    (the slack and the issue extents are exact without them; package solutions such as
    the Nash point are only as fine as the outcomes enumerated).
    """
    weights = {p: utility.weights(scenario, p) for p in parties}
    outcomes: list[tuple[float | str, ...]] = []
    points: list[NDArray[np.float64]] = []
    for name, issue in scenario.issues.items():
        if isinstance(issue, ContinuousIssue):
            low, high = issue.range
            knots = {low, high, *np.linspace(low, high, grid).tolist()}
            for pos in issue.positions.values():
                knots.add(min(max(pos.ideal, low), high))
                if not isinstance(pos.value, str):
                    knots.update(x for x, _ in pos.value.points if low <= x <= high)
            xs = tuple(sorted(knots))
            table = np.zeros((len(xs), len(parties)))
            for j, party in enumerate(parties):
                position = issue.positions.get(party)
                if isinstance(position, ContinuousPosition) and weights[party][name] > 0:
                    values = utility.continuous_value(issue, position, np.array(xs))
                    table[:, j] = weights[party][name] * values
            outcomes.append(xs)
        else:
            table = np.zeros((len(issue.levels), len(parties)))
            for j, party in enumerate(parties):
                dpos = issue.positions.get(party)
                if dpos is not None and weights[party][name] > 0:
                    table[:, j] = weights[party][name] * utility.level_values(issue, dpos)
            outcomes.append(tuple(issue.levels))
        points.append(table)
    return SettlementSpace(tuple(parties), tuple(scenario.issues), tuple(outcomes), tuple(points))


def support(space: SettlementSpace, weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """``h(l)``: the largest weighted utility sum any package reaches, for each ``l``."""
    best = [np.max(weights @ table.T, axis=1) for table in space.points]
    return np.asarray(np.sum(best, axis=0), dtype=np.float64)


def _tie_planes(space: SettlementSpace) -> list[NDArray[np.float64]]:
    """Normals ``p - q`` of the planes where two outcomes of one issue tie."""
    planes = []
    for table in space.points:
        unique = np.unique(table, axis=0)
        for a, b in itertools.combinations(range(len(unique)), 2):
            diff = unique[a] - unique[b]
            if np.abs(diff).max() > _TOL:
                planes.append(diff / np.abs(diff).max())
    return planes


def slack_vertices(space: SettlementSpace) -> NDArray[np.float64]:
    """Candidate weights at which ``h(l) - l . d`` can be smallest, for any ``d``.

    Every vertex of the cells of ``h`` inside the simplex solves ``n - 1`` independent
    equations drawn from the tie planes and the simplex's faces (``l_i = 0``), with
    ``sum l = 1``; candidates where a tie is not between maximising outcomes are not
    vertices and are dropped. Returns an array (candidates, parties).
    """
    n = len(space.parties)
    if n == 1:
        return np.ones((1, 1))
    planes = np.array(_tie_planes(space) + [np.eye(n)[i] for i in range(n)])
    rows = np.vstack([planes, np.ones((1, n))])
    rhs = np.zeros(n)
    rhs[-1] = 1.0
    found = [np.eye(n), _solve_all(rows, len(planes), n - 1, rhs)]
    solutions = np.vstack(found)
    solutions = solutions[solutions.min(axis=1) >= -1e-12]
    solutions = np.clip(solutions, 0.0, None)
    solutions /= solutions.sum(axis=1, keepdims=True)
    candidates = _unique_rows(solutions)
    return candidates[_is_cell_vertex(space, candidates)]


def _solve_all(
    rows: NDArray[np.float64], n_planes: int, choose: int, rhs: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Solve at once every system of ``choose`` of the first ``n_planes`` rows + the rest.

    Each system stacks ``choose`` of the first ``n_planes`` rows of ``rows`` and all its
    remaining rows, with right-hand side ``rhs``. Singular systems are dropped.
    Returns the solutions (systems, unknowns).
    """
    extra = np.arange(n_planes, len(rows))
    picks = np.array(list(itertools.combinations(range(n_planes), choose)), dtype=np.int64)
    if picks.size == 0:
        return np.zeros((0, rows.shape[1]))
    out = []
    for chunk in np.array_split(picks, max(1, len(picks) // 200_000)):
        index = np.hstack([chunk, np.broadcast_to(extra, (len(chunk), len(extra)))])
        systems = rows[index]
        ok = np.abs(np.linalg.det(systems)) > 1e-12
        right = np.broadcast_to(rhs, (int(ok.sum()), len(rhs)))[..., None]
        out.append(np.linalg.solve(systems[ok], right)[..., 0])
    return np.vstack(out)


def _is_cell_vertex(space: SettlementSpace, candidates: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Keep candidates where enough independent maximiser ties or faces meet."""
    n = len(space.parties)
    keep = np.zeros(len(candidates), bool)
    for c, weights in enumerate(candidates):
        normals = [np.eye(n)[i] for i in range(n) if weights[i] <= 1e-12]
        for table in space.points:
            scores = table @ weights
            best = np.flatnonzero(scores >= scores.max() - 1e-10)
            normals += [table[b] - table[best[0]] for b in best[1:]]
        rank = np.linalg.matrix_rank(np.vstack([*normals, np.ones(n)]), tol=1e-9) if normals else 1
        keep[c] = rank >= n
    return keep


def slack(
    space: SettlementSpace,
    outside: NDArray[np.float64],
    vertices: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """The window's slack for each row of outside options ``outside`` (…, parties).

    ``S(d) = min over candidate weights l of h(l) - l . d``; positive means open.
    """
    lam = slack_vertices(space) if vertices is None else vertices
    values = support(space, lam)  # (candidates,)
    d = np.asarray(outside, dtype=np.float64)
    flat = np.ascontiguousarray(d.reshape(-1, d.shape[-1]))
    out = _smallest_gap(values, np.ascontiguousarray(lam.T), flat)
    return out.reshape(d.shape[:-1])


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def _smallest_gap(
    values: NDArray[np.float64], lam_t: NDArray[np.float64], d: NDArray[np.float64]
) -> NDArray[np.float64]:  # pragma: no cover - compiled
    """``min over candidates v of values[v] - lam[v] . d[r]`` for every row ``r``.

    Never forms the (rows, candidates) matrix, which at 100,000 paths x 26 checkpoints
    x 300 candidates would take 6 GB. Rows are independent, so the result does not
    depend on the thread count.
    """
    rows, n = d.shape
    out = np.empty(rows)
    chunk = 1024
    for k in prange((rows + chunk - 1) // chunk):
        gap = np.empty_like(values)  # one buffer per chunk of rows, not per row
        for r in range(k * chunk, min((k + 1) * chunk, rows)):
            gap[:] = values
            for i in range(n):
                di = d[r, i]
                for v in range(len(values)):
                    gap[v] -= lam_t[i, v] * di
            out[r] = gap.min()
    return out


def _bound_vertices(space: SettlementSpace, issue: int, sign: float) -> NDArray[np.float64]:
    """Candidate multipliers ``m >= 0`` for the extent of one issue over the window.

    The largest ``sign * x_k`` over lotteries giving every party at least ``d_i`` is,
    by duality, ``min over m >= 0 of sum_j max_p (m . p + sign * x_p [j = k]) - m . d``,
    convex and piecewise linear in ``m``; its minimum is at a point where ``n``
    independent tie planes or faces ``m_i = 0`` meet. Ties on issue ``k`` carry the
    outcome's own value; ties elsewhere pass through the origin.
    """
    n = len(space.parties)
    planes: list[tuple[NDArray[np.float64], float]] = []
    for j, table in enumerate(space.points):
        xs = _coordinates(space, j)
        for a, b in itertools.combinations(range(len(table)), 2):
            diff = table[a] - table[b]
            rhs = -sign * (xs[a] - xs[b]) if j == issue else 0.0
            if np.abs(diff).max() > _TOL or abs(rhs) > _TOL:
                planes.append((diff, rhs))
    planes += [(np.eye(n)[i], 0.0) for i in range(n)]
    normals = np.array([normal for normal, _ in planes])
    offsets = np.array([rhs for _, rhs in planes])
    picks = np.array(list(itertools.combinations(range(len(planes)), n)), dtype=np.int64)
    found = []
    for chunk in np.array_split(picks, max(1, len(picks) // 200_000)):
        systems = normals[chunk]
        ok = np.abs(np.linalg.det(systems)) > 1e-12
        m = np.linalg.solve(systems[ok], offsets[chunk[ok]][..., None])[..., 0]
        found.append(m[m.min(axis=1) >= -1e-12])
    solutions = np.clip(np.vstack(found), 0.0, None) if found else np.zeros((0, n))
    if len(solutions) == 0:
        return np.zeros((1, n))
    return _unique_rows(solutions)


def _unique_rows(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distinct rows, rounded to 12 decimals (sorted as bytes: much faster than axis=0)."""
    rounded = np.ascontiguousarray(np.round(rows, 12) + 0.0)  # + 0.0: no negative zeros
    as_bytes = rounded.view(np.dtype((np.void, rounded.dtype.itemsize * rounded.shape[1])))
    _, first = np.unique(as_bytes.ravel(), return_index=True)
    return rounded[np.sort(first)]


def _coordinates(space: SettlementSpace, issue: int) -> NDArray[np.float64]:
    """Numeric values of an issue's outcomes: the number itself, or a level's index."""
    outcomes = space.outcomes[issue]
    if all(isinstance(o, int | float) for o in outcomes):
        return np.array(outcomes, dtype=np.float64)
    return np.arange(len(outcomes), dtype=np.float64)


def issue_bounds(
    space: SettlementSpace,
    issue: str,
    outside: NDArray[np.float64],
    vertices: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """The extent ``[low, high]`` of one issue over the window, per row of ``outside``.

    Values over lotteries of packages every party weakly prefers to its outside
    option; a discrete issue is measured by level index. NaN where the window is closed.
    ``vertices``: the space's slack vertices, if already found (``slack_vertices``).

    Returns
    -------
    ndarray, shape (..., 2)
    """
    k = space.issues.index(issue)
    d = np.asarray(outside, dtype=np.float64)
    flat = np.ascontiguousarray(d.reshape(-1, d.shape[-1]))
    ends = []
    for sign in (-1.0, 1.0):
        m = _bound_vertices(space, k, sign)  # (candidates, parties)
        total = np.zeros(len(m))
        for j, table in enumerate(space.points):
            scores = m @ table.T  # (candidates, outcomes)
            if j == k:
                scores = scores + sign * _coordinates(space, j)[None, :]
            total += scores.max(axis=1)
        best = _smallest_gap(total, np.ascontiguousarray(m.T), flat)  # max of sign * x_k
        ends.append(sign * best.reshape(d.shape[:-1]))
    bounds = np.stack(ends, axis=-1)
    closed = slack(space, d, vertices) < -1e-12
    bounds[closed] = np.nan
    return bounds
