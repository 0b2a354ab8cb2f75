"""Mediation by a single negotiating text (Raiffa 1982).

A mediator drafts one text -- a package -- and revises it until no party objects. The
first draft is *neutral*: on each issue the outcome whose worst value to the parties is
best, clause by clause (``Menu.neutral``). A party objects while the text gives it less
than its outside option (pressure-aware: a client whose patrons back the text weighs it
against fighting on without their aid). While someone objects, the mediator revises the
text, changing one or two clauses at a time (a trade across two issues is how a single
text gains for everyone: logrolling), under Raiffa's rule that a revision must leave
every party at least as well off as the current text. Among such revisions it picks
the one that brings the parties' utilities closest (each on its own scale) to the Nash
point of their stated reservation values, the target a mediator steers to (Raiffa 1982,
ch. 14; Nash 1950). The talks succeed at the first text no party objects to, and fail
if no admissible revision gets closer to the target or ``rounds`` texts have been
tabled.

The parties state their reservation values truthfully here (their own outside
options); the mediator knows them, so the target is the Nash point with the true
disagreement point. Because texts only improve for everyone from a neutral start, the
deal is path-dependent: it may stop short of the Nash point (the first text no one
objects to) or never reach the window if the neutral text already gives some party
more than every package the others would accept. Local revisions of a mediated single
text are also how automated mediators search large contract spaces (Klein et al. 2003).

References
----------
Raiffa, H. (1982). *The Art and Science of Negotiation*, ch. 14 (the single negotiating
text at Camp David). Harvard University Press.
Nash, J. F. (1950). The bargaining problem. *Econometrica*, 18(2), 155-162.
Klein, M., Faratin, P., Sayama, H., & Bar-Yam, Y. (2003). Protocols for negotiating
complex contracts. *IEEE Intelligent Systems*, 18(6), 32-38.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from detente.bargaining.solutions import egalitarian, nash
from detente.negotiation.menu import Menu
from detente.negotiation.terms import Stakes, accepts, kernel_pressure


@njit(cache=True, nogil=True)
def _satisfied(utilities, k, own_r, n, entry, patrons, pressed_r):  # type: ignore[no-untyped-def]
    for i in range(n):
        e = entry[i]
        pv = pressed_r[e] if e >= 0 else np.inf
        if not accepts(utilities, k, i, own_r[i], entry, patrons, pv, own_r):
            return False
    return True


@njit(cache=True, nogil=True)
def _distance(utilities, k, goal, scale, n):  # type: ignore[no-untyped-def]
    total = 0.0
    for i in range(n):
        z = (utilities[k, i] - goal[i]) / scale[i]
        total += z * z
    return total


@njit(cache=True, nogil=True, parallel=True)
def _mediate(  # type: ignore[no-untyped-def]
    utilities, choices, strides, sizes, start, target, scale, rounds, n, own, entry,
    patrons, pressed,
):  # fmt: skip
    n_rows = own.shape[0]
    n_issues = sizes.shape[0]
    agreed = np.zeros(n_rows, np.bool_)
    text = np.full(n_rows, -1, np.int64)
    when = np.full(n_rows, -1, np.int64)
    for r in prange(n_rows):
        if target[r] < 0:
            continue
        goal = utilities[target[r], :n]
        x = start
        for k in range(rounds):
            if _satisfied(utilities, x, own[r], n, entry, patrons, pressed[r]):
                agreed[r] = True
                text[r] = x
                when[r] = k
                break
            if k == rounds - 1:
                break
            best = -1
            best_d = _distance(utilities, x, goal, scale, n) - 1e-12
            # revisions of one clause (b == a) or two clauses (a < b)
            for a in range(n_issues):
                for b in range(a, n_issues):
                    for la in range(sizes[a]):
                        lb_range = 1 if b == a else sizes[b]
                        for lb in range(lb_range):
                            y = x + (la - choices[x, a]) * strides[a]
                            if b != a:
                                y += (lb - choices[x, b]) * strides[b]
                            if y == x:
                                continue
                            ok = True
                            gain = False
                            for i in range(n):
                                if utilities[y, i] < utilities[x, i] - 1e-12:
                                    ok = False
                                    break
                                if utilities[y, i] > utilities[x, i] + 1e-12:
                                    gain = True
                            if not (ok and gain):
                                continue
                            dist = _distance(utilities, y, goal, scale, n)
                            if dist < best_d:
                                best_d = dist
                                best = y
            if best < 0:
                break  # no revision all accept brings the text closer: talks stall
            x = best
    return agreed, text, when


def mediated(
    menu: Menu, stakes: Stakes, rounds: int
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Single-text mediation towards the Nash point, for every row of ``stakes``.

    Returns
    -------
    agreed : ndarray of bool, shape (rows,)
    terms : ndarray, shape (rows, issues)
        The agreed text; NaN where there is none.
    utilities : ndarray, shape (rows, columns)
    round : ndarray of int, shape (rows,)
        0-based index of the agreed text (0: the neutral draft), -1 if none.
    """
    n = stakes.required
    u = np.ascontiguousarray(menu.utilities)
    # The mediator's target: the Nash point of the stated reservations among packages
    # everyone (weakly) prefers to its own; the egalitarian point if no package gives
    # everyone strictly more. Efficient, so the Pareto set suffices.
    # A pressed client states the lower of its two alternatives: it knows that rejecting
    # a text its patrons back costs it their aid.
    stated = stakes.own[:, :n].copy()
    patrons, pressed = kernel_pressure(stakes)
    for i in range(n):
        e = int(stakes.entry[i])
        if e >= 0:
            stated[:, i] = np.minimum(stated[:, i], pressed[:, e])
    frontier = menu.utilities[menu.pareto, :n]
    goal = nash(frontier, stated)
    fallback = goal < 0
    if fallback.any():
        goal[fallback] = egalitarian(frontier, stated[fallback])
    target = np.where(goal >= 0, menu.pareto[np.maximum(goal, 0)], -1).astype(np.int64)
    scale = np.ptp(menu.utilities[:, :n], axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    sizes = np.array([len(o) for o in menu.space.outcomes], np.int64)
    agreed, text, when = _mediate(
        u, np.ascontiguousarray(menu.choices), menu.strides(), sizes, menu.neutral(n), target,
        scale, max(int(rounds), 1), n, np.ascontiguousarray(stakes.own), stakes.entry,
        patrons, pressed,
    )  # fmt: skip
    terms, utilities = menu.of(text)
    return agreed, terms, utilities, when
