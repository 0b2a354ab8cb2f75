"""A take-it-or-leave-it offer under private information: Fearon's risk-return trade-off.

The proposer makes one offer; every other required party accepts or rejects it, and a
rejection means war (each gets its outside option). The proposer does not know the
responders' outside options: it knows its own, its estimates of theirs given the state
of the war (from its own view of it), and the spread of what only each responder knows
about itself -- its own cost of war -- as a distribution. It picks the package that
maximises its expected utility

    P(accept | x) u_P(x) + (1 - P(accept | x)) d_P,

trading a better deal against a higher risk of war (Fearon 1995, the risk-return
trade-off). On each path the responders then accept if and only if the offer gives each
at least its own outside option, ``u_R(x) >= d_R``.

In Fearon's costly lottery with the responder's cost uniform on ``[0, c_bar]`` this gives
the demand ``x* = p + (c_bar - c_A) / 2`` and the probability of war
``(c_bar - c_A) / (2 c_bar)`` where both are interior (``c_bar > c_A``).

``P(accept | x)`` integrates over what only the responders know about themselves: the
part of each one's outside option that its own cost of war adds to what the state says
(``detente.negotiation.private``), whose distribution is estimated from the paths of the
checkpoint. Responders' costs are drawn independently, so the probability that all
accept is the product of each one's. Each distribution is smoothed with a Gaussian
kernel (Silverman's rule-of-thumb bandwidth): the Monte Carlo paths are a sample of a
continuous distribution, and the best demand against a raw empirical distribution is
an argmax over a step function, which converges only at the rate ``n ** (-1/3)`` (Kim &
Pollard 1990); smoothing makes it converge at the rate of the distribution's density.
Paths whose proposer sees the same numbers share one optimisation. Only Pareto-optimal
packages need to be tried: a package every party likes at least as much is accepted at
least as often and is worth at least as much to the proposer.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414. Kim, J., & Pollard, D. (1990). Cube root asymptotics. *Annals of
Statistics*, 18(1), 191-219. Silverman, B. W. (1986). *Density Estimation for Statistics
and Data Analysis*, §3.4. Chapman & Hall.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d

from detente.negotiation.menu import Menu
from detente.negotiation.terms import Stakes, approves, backed, kernel_pressure

GRID = 4096
"""Points of the tabulated acceptance probability of each responder."""


def acceptance_table(deviation: NDArray[np.float64]) -> tuple[float, float, NDArray[np.float64]]:
    """``P(deviation <= t)`` on a grid, kernel-smoothed: (first point, spacing, values).

    A spacing of 0 means a step at the first point (no spread: no private information).
    """
    lo, hi = float(deviation.min()), float(deviation.max())
    if hi - lo < 1e-12:
        return lo, 0.0, np.ones(1)
    sd = float(deviation.std())
    q75, q25 = np.quantile(deviation, [0.75, 0.25])
    spread = min(sd, float(q75 - q25) / 1.34) or sd
    # Silverman (1986), eq. 3.31: h = 0.9 min(sd, IQR / 1.34) n^(-1/5)
    h = 0.9 * spread * len(deviation) ** (-0.2)
    first, last = lo - 6 * h, hi + 6 * h
    step = (last - first) / (GRID - 1)
    counts, _ = np.histogram(deviation, bins=GRID, range=(first - step / 2, last + step / 2))
    density = gaussian_filter1d(counts.astype(float), h / step, mode="constant", truncate=6.0)
    table = (np.cumsum(density) - density / 2) / len(deviation)  # mass below bin centres
    return first, step, np.clip(table, 0.0, 1.0)


@njit(cache=True, nogil=True)
def _p_accept(t, first, step, table):  # type: ignore[no-untyped-def]
    if step == 0.0:
        return 1.0 if t >= first - 1e-12 else 0.0
    z = (t - first) / step
    if z <= 0.0:
        return table[0] if z == 0.0 else 0.0
    j = int(z)
    if j >= table.shape[0] - 1:
        return table[-1]
    w = z - j
    return table[j] * (1.0 - w) + table[j + 1] * w


@njit(cache=True, nogil=True, parallel=True)
def _demands(  # type: ignore[no-untyped-def]
    utilities, candidates, proposer, n, belief, firsts, steps, tables, entry, patrons, pressed,
):  # fmt: skip
    """For each group's beliefs, the candidate with the best expected utility."""
    n_groups = belief.shape[0]
    best = np.full(n_groups, -1, np.int64)
    for g in prange(n_groups):
        d_p = belief[g, proposer]
        top = -np.inf
        for k in candidates:
            u_p = utilities[k, proposer]
            if u_p < d_p - 1e-12 or u_p <= top:
                break  # sorted by u_p: no later demand beats war or the best so far
            share = 1.0
            for i in range(n):
                if i == proposer:
                    continue
                thr = belief[g, i]
                e = entry[i]
                if e >= 0 and pressed[g, e] < thr and backed(utilities, k, patrons, e, belief[g]):
                    thr = pressed[g, e]
                share *= _p_accept(utilities[k, i] - thr, firsts[i], steps[i], tables[i])
                if share == 0.0:
                    break
            value = share * u_p + (1.0 - share) * d_p
            if value > top + 1e-15:
                top = value
                best[g] = k
    return best


def ultimatum(
    menu: Menu, stakes: Stakes, proposer: int
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """The proposer's optimal demand and the responders' answers, per negotiation.

    Parameters
    ----------
    menu
        The finite packages.
    stakes
        Outside options, beliefs, private-information samples and pressure.
    proposer
        Index of the required party making the offer.

    Returns
    -------
    agreed : ndarray of bool, shape (rows,)
    terms : ndarray, shape (rows, issues)
        The demand on every row (also where it was rejected: then it is what war was
        fought over); see ``agreed``.
    utilities : ndarray, shape (rows, columns)
    round : ndarray of int, shape (rows,)
        0 where accepted, -1 otherwise.
    """
    n = stakes.required
    rows = stakes.rows
    patrons, pressed = kernel_pressure(stakes)
    # The proposer's view of every column's outside option: its own estimates of the
    # required parties (its own value on the diagonal), the others' own values.
    belief = stakes.own.copy()
    belief[:, :n] = stakes.believed[:, proposer, :]
    belief[:, proposer] = stakes.own[:, proposer]
    # ... and of a pressed client's value without the aid: its estimate, shifted by the
    # loss of aid the client itself expects.
    seen_pressed = pressed.copy()
    for i in range(n):
        e = int(stakes.entry[i])
        if e >= 0 and np.isfinite(pressed[:, e]).all():
            seen_pressed[:, e] = pressed[:, e] - stakes.own[:, i] + belief[:, i]
    key = np.hstack([belief, seen_pressed])
    groups, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    firsts = np.zeros(n)
    steps = np.zeros(n)
    tables = np.ones((n, GRID))
    for i in range(n):
        if i != proposer:
            first, step, table = acceptance_table(stakes.deviation[:, i])
            firsts[i], steps[i] = first, step
            tables[i, : len(table)] = table
    candidates = menu.pareto[np.argsort(-menu.utilities[menu.pareto, proposer], kind="stable")]
    width = belief.shape[1]
    demand_of_group = _demands(
        np.ascontiguousarray(menu.utilities), np.ascontiguousarray(candidates, dtype=np.int64),
        proposer, n, np.ascontiguousarray(groups[:, :width]), firsts, steps, tables,
        stakes.entry, patrons, np.ascontiguousarray(groups[:, width:]),
    )  # fmt: skip
    demand = demand_of_group[inverse]
    agreed = np.zeros(rows, bool)
    has = demand >= 0
    if has.any():
        responders = [i for i in range(n) if i != proposer]
        agreed[has] = approves(menu.utilities, demand[has], stakes.take(has), responders)
    terms, utilities = menu.of(demand)
    return agreed, terms, utilities, np.where(agreed, 0, -1).astype(np.int64)
