"""Equilibrium alternating offers with a deadline, solved by backward induction.

The parties at the table take turns proposing, starting with the scenario's
``proposer``, for at most ``rounds`` offers; every required party (the table and the
veto players) must accept an offer for it to be agreed. A party's payoff from a deal
reached after ``r`` rounds is discounted by its factor per round, ``delta_i ** r``; if
the deadline passes, or anyone walks out, everyone gets its outside option (the value
of fighting on).

Backward induction from the deadline (Ståhl 1972): with ``V_i(r)`` party ``i``'s value
of the talks at the start of round ``r`` and ``V_i(R) = d_i`` at the deadline, the
proposer of round ``r`` offers each responder exactly what it can get otherwise,
``w_i = max(d_i, delta_i V_i(r+1))`` -- its continuation value, or its outside option if
that is better, because a responder can always leave (the outside-option principle:
Binmore, Shaked & Sutton 1989) -- and keeps the rest: it picks the package that is best
for itself among those giving every responder at least ``w_i``. That is the
subgame-perfect offer of the n-player game with unanimity and a rotating proposer
(stationary strategies; Baron & Ferejohn 1989 for the recognition order, Krishna &
Serrano 1996 for unanimity with more than two players). The proposer makes it if it is
worth at least its own alternative (waiting, or its outside option); otherwise the
round passes without a deal, or the talks break down if someone prefers its outside
option to waiting. The equilibrium outcome is the first round's decision along that
path (with complete information, agreement comes at once or never).

With two parties, a pie of size 1 and no outside options, the first proposer's share
is Ståhl's finite-horizon share, and it converges as the deadline grows to
Rubinstein's (1982) ``(1 - delta_B) / (1 - delta_A delta_B)``.

Patron pressure (``detente.negotiation.table``): a client that rejects a deal its
patrons back loses their aid, so for such deals its alternative is to leave without
the aid or to go on talking without it -- the same talks solved with its outside option
replaced by its value of fighting on without the aid. Rejecting a deal they do not back
costs it nothing.

Packages: with exactly one continuous issue the offer is exact along that issue (the
optimum over each segment between neighbouring breakpoints, where utilities are
linear, is at an end of the interval the responders' constraints leave); otherwise it
is the best package of the Pareto set of the finite menu (``detente.negotiation.menu``).

References
----------
Ståhl, I. (1972). *Bargaining Theory*. Stockholm: Economic Research Institute.
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica*,
50(1), 97-109.
Binmore, K., Shaked, A., & Sutton, J. (1989). An outside option experiment. *Quarterly
Journal of Economics*, 104(4), 753-770.
Baron, D. P., & Ferejohn, J. A. (1989). Bargaining in legislatures. *American Political
Science Review*, 83(4), 1181-1206.
Krishna, V., & Serrano, R. (1996). Multilateral bargaining. *Review of Economic
Studies*, 63(1), 61-80.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from detente.negotiation.menu import Menu
from detente.negotiation.terms import Stakes, kernel_pressure

_TOL = 1e-12
_DELAY, _AGREE, _BREAK = 0, 1, 2


@njit(cache=True, nogil=True)
def _best_offer(  # type: ignore[no-untyped-def]
    u0, u1, order, proposer, n, base, press_thr, clients, n_clients, patrons, entry, reserve,
):  # fmt: skip
    """The proposer's best point over segments meeting every responder's threshold.

    ``clients[:n_clients]`` are responders for whom pressure may lower the threshold to
    ``press_thr[i]`` when their patrons back the package; each combination of clients
    relying on it is tried (their patrons must then get their own outside options).
    Returns (value, segment, t); segment -1 if nothing is feasible.
    """
    best_val = -np.inf
    best_s = -1
    best_t = 0.0
    for case in range(1 << n_clients):
        for s in order:
            a_p = u0[s, proposer]
            d_p = u1[s, proposer] - a_p
            if max(a_p, a_p + d_p) <= best_val + 1e-15:
                break  # segments are sorted by the proposer's best: none can do better
            lo = 0.0
            hi = 1.0
            for i in range(n):
                if i == proposer:
                    continue
                thr = base[i]
                for c in range(n_clients):
                    if clients[c] == i and (case >> c) & 1:
                        thr = press_thr[i]
                a = u0[s, i]
                b = u1[s, i] - a
                # a + b t >= thr on [lo, hi] (utilities are linear along a segment)
                if abs(b) < 1e-15:
                    if a < thr - _TOL:
                        lo = 2.0
                        break
                elif b > 0:
                    lo = max(lo, (thr - a) / b)
                else:
                    hi = min(hi, (thr - a) / b)
            if lo > hi + _TOL:
                continue
            for c in range(n_clients):  # the patrons relied on must back the package
                if not (case >> c) & 1:
                    continue
                e = entry[clients[c]]
                for j in range(patrons.shape[1]):
                    p = patrons[e, j]
                    if p < 0:
                        continue
                    a = u0[s, p]
                    b = u1[s, p] - a
                    if abs(b) < 1e-15:
                        if a < reserve[p] - _TOL:
                            lo = 2.0
                    elif b > 0:
                        lo = max(lo, (reserve[p] - a) / b)
                    else:
                        hi = min(hi, (reserve[p] - a) / b)
            if lo > hi + _TOL:
                continue
            t = hi if d_p > 0 else lo
            t = min(max(t, 0.0), 1.0)
            value = a_p + t * d_p
            if value > best_val + 1e-15:
                best_val = value
                best_s = s
                best_t = t
    return best_val, best_s, best_t


@njit(cache=True, nogil=True)
def _backward(  # type: ignore[no-untyped-def]
    u0, u1, orders, proposers, own, delta, entry, patrons, pressed, cut, kind, seg, tt,
):  # fmt: skip
    """Backward induction for one negotiation; fills ``kind``, ``seg``, ``tt`` per round.

    ``own`` holds every column's outside option, ``delta`` the required parties'
    discount factors. A client that rejects a deal its patrons back loses their aid: its
    alternative is then the talks without the aid, whose values per round are
    ``cut[k]`` (None-like: ``cut.shape[0] == 0`` when no pressure is in force). Returns
    the value of the talks to each required party at round 0, and stores the values of
    every round in ``trace`` order (``trace[k]`` is ``V(k)``).
    """
    n = delta.shape[0]
    rounds = proposers.shape[0]
    trace = np.empty((rounds + 1, n))
    value = own[:n].copy()  # V(R): the outside options at the deadline
    trace[rounds] = value
    base = np.empty(n)
    press_thr = np.empty(n)
    clients = np.empty(n, np.int64)
    use_cut = cut.shape[0] > 0
    for k in range(rounds - 1, -1, -1):
        p = proposers[k]
        n_clients = 0
        walk_out = False
        for i in range(n):
            cont = delta[i] * value[i]
            base[i] = max(own[i], cont)
            press_thr[i] = base[i]
            if i != p and own[i] > cont + _TOL:
                walk_out = True  # a responder would rather leave than wait
            e = entry[i]
            if use_cut and i != p and e >= 0 and pressed[e] < own[i]:
                # rejecting a backed deal: leave without the aid, or go on talking without it
                press_thr[i] = max(pressed[e], delta[i] * cut[k + 1, i])
                if press_thr[i] < base[i]:
                    clients[n_clients] = i
                    n_clients += 1
        best, s, t = _best_offer(
            u0, u1, orders[p], p, n, base, press_thr, clients, n_clients, patrons, entry, own,
        )  # fmt: skip
        # The proposer's alternative: its outside option if a rejection ends the talks,
        # else the better of leaving and waiting.
        alt = own[p] if walk_out else max(own[p], delta[p] * value[p])
        if s >= 0 and best >= alt - _TOL:
            kind[k] = _AGREE
            seg[k] = s
            tt[k] = t
            for i in range(n):
                value[i] = u0[s, i] + t * (u1[s, i] - u0[s, i])
        elif walk_out or own[p] > delta[p] * value[p] + _TOL:
            kind[k] = _BREAK
            for i in range(n):
                value[i] = own[i]
        else:
            kind[k] = _DELAY
            for i in range(n):
                value[i] = delta[i] * value[i]
        trace[k] = value
    return trace


@njit(cache=True, nogil=True, parallel=True)
def _solve(  # type: ignore[no-untyped-def]
    u0, u1, orders, proposers, own, delta, entry, patrons, pressed,
):  # fmt: skip
    n_rows = own.shape[0]
    n = delta.shape[1]
    rounds = proposers.shape[0]
    agreed = np.zeros(n_rows, np.bool_)
    segment = np.full(n_rows, -1, np.int64)
    point = np.zeros(n_rows)
    when = np.full(n_rows, -1, np.int64)
    for r in prange(n_rows):
        kind = np.zeros(rounds, np.int8)
        seg = np.full(rounds, -1, np.int64)
        tt = np.zeros(rounds)
        cut = np.zeros((0, n))
        pressing = False
        for i in range(n):
            e = entry[i]
            if e >= 0 and pressed[r, e] < own[r, i]:
                pressing = True
        if pressing:
            # The talks once the aid is cut: pressed clients keep their lower alternative,
            # and there is nothing left to threaten.
            own_cut = own[r].copy()
            for i in range(n):
                e = entry[i]
                if e >= 0:
                    own_cut[i] = min(own[r, i], pressed[r, e])
            cut = _backward(
                u0, u1, orders, proposers, own_cut, delta[r], entry, patrons, pressed[r],
                cut, kind, seg, tt,
            )  # fmt: skip
        _backward(
            u0, u1, orders, proposers, own[r], delta[r], entry, patrons, pressed[r], cut,
            kind, seg, tt,
        )  # fmt: skip
        for k in range(rounds):  # the equilibrium path: the first decision that is not delay
            if kind[k] == _AGREE:
                agreed[r] = True
                segment[r] = seg[k]
                point[r] = tt[k]
                when[r] = k
                break
            if kind[k] == _BREAK:
                break
    return agreed, segment, point, when


def proposer_order(menu: Menu, n: int) -> NDArray[np.int64]:
    """For each required party, the segments by decreasing best utility to it.

    Ties go to the segment better for the others (larger sum at the proposer's best
    end), then to the lower index.
    """
    u0 = menu.utilities[menu.seg0, :n]
    u1 = menu.utilities[menu.seg1, :n]
    orders = np.empty((n, len(menu.seg0)), np.int64)
    for i in range(n):
        top = np.maximum(u0[:, i], u1[:, i])
        at = np.where((u1[:, i] > u0[:, i])[:, None], u1, u0)
        others = at.sum(axis=1) - top
        orders[i] = np.lexsort((np.arange(len(top)), -others, -top))
    return orders


def equilibrium(
    menu: Menu, stakes: Stakes, proposers: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Subgame-perfect alternating offers with a deadline, for every row of ``stakes``.

    Parameters
    ----------
    menu
        The packages (segments) that can be offered.
    stakes
        Outside options, discount factors and pressure per negotiation.
    proposers
        (rounds,): index of the required party proposing in each round.

    Returns
    -------
    agreed : ndarray of bool, shape (rows,)
    terms : ndarray, shape (rows, issues)
        NaN where there is no agreement.
    utilities : ndarray, shape (rows, columns)
    round : ndarray of int, shape (rows,)
        The 0-based round of the agreed offer, -1 if none.
    """
    n = stakes.required
    u0 = np.ascontiguousarray(menu.utilities[menu.seg0])
    u1 = np.ascontiguousarray(menu.utilities[menu.seg1])
    orders = proposer_order(menu, n)
    patrons, pressed = kernel_pressure(stakes)
    agreed, segment, point, when = _solve(
        u0, u1, orders, np.ascontiguousarray(proposers, dtype=np.int64),
        np.ascontiguousarray(stakes.own), np.ascontiguousarray(stakes.discount),
        stakes.entry, patrons, pressed,
    )  # fmt: skip
    terms, utilities = menu.at(segment, point)
    return agreed, terms, utilities, when
