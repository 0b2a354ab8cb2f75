"""Why a window is open or closed: ripeness and the commitment problem.

Two diagnostics per path and checkpoint, both about the two sides at war:

* **Hurting stalemate** (Zartman 2000; indicators 1-2 of MODELS.md §3.4): each side,
  under its own beliefs, sees little chance of winning outright before the horizon
  (below :data:`STALEMATE_CHANCE`), and each values fighting on below a freeze of the
  status quo by at least :data:`HURT_MARGIN` of its stake -- the deadlock hurts both.
  Each side's chance of a decisive victory is a least-squares Monte Carlo estimate on
  wars simulated under its view, like its outside option.
* **Commitment problem** (Powell 2006; MODELS.md §1.2, §9.2 U11): a side ``R`` whose value
  of fighting is projected to rise by the next checkpoint, ``tau`` steps on, cannot
  promise not to use its new strength. The declining side ``D`` can at best get its
  ideal settlement until then and, from then on, the most ``R`` will leave it once ``R``
  demands its projected war value. Peace is infeasible when even that is worth less to
  ``D`` than fighting now::

      (1 - delta_D**tau) * u_D(best) + delta_D**tau * g_D(r_R(t + tau)) < r_D(t)

  with ``g_D(r)`` the best utility for ``D`` over packages giving ``R`` at least ``r``.
  ``r_R(t + tau)`` is ``R``'s own valuation of the state the war would be in after
  ``tau`` quiet steps: what a ceasefire does not stop (production, recruitment,
  patrons' politics) moves on, the front does not (:func:`quiet_values`). ``g_D`` is taken over
  the two sides only (other required parties' consent is not imposed), so it is an
  upper bound and the check errs towards finding no commitment problem.

References
----------
Zartman, I. W. (2000). Ripeness: the hurting stalemate and beyond. In P. C. Stern &
D. Druckman (Eds.), *International Conflict Resolution After the Cold War* (pp.
225-250). National Academies Press. Powell, R. (2006). War as a commitment problem.
*International Organization*, 60(1), 169-203. Longstaff, F. A., & Schwartz, E. S.
(2001). Valuing American options by simulation. *Review of Financial Studies*, 14(1),
113-147.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.bargaining.outside import (
    MAX_FIT_PATHS,
    ContinuationValue,
    Fit,
    Target,
    fit_expectation,
    least_squares,
    sample_regressors,
)
from detente.engines import DECISIVE, WarRecord

STALEMATE_CHANCE = 0.1
"""A side that sees less than this chance of winning outright before the horizon is
stalemated (judgement: Zartman's "cannot escalate to victory" as a probability)."""

HURT_MARGIN = 0.01
"""Stake units by which fighting on must fall short of a freeze for a side to hurt."""


def decisive_target(record: WarRecord) -> Target:
    """The regression target "side k wins outright before the horizon", k = 0, 1."""
    won = np.column_stack(
        [(record.event == DECISIVE) & (record.winner == k) for k in range(2)]
    ).astype(float)

    def target(c: int, live: NDArray[np.bool_]) -> NDArray[np.float64]:
        return won[live]

    return target


def decisive_chances(view: WarRecord, at: WarRecord, *, degree: int = 2) -> NDArray[np.float64]:
    """Each side's chance of a decisive victory before the horizon, in ``view``'s eyes.

    Returns
    -------
    ndarray, shape (paths of ``at``, checkpoints, 2)
        Estimated at the states of ``at``, clipped to [0, 1]; NaN once the war is over.
    """
    chance = fit_expectation(view, decisive_target(view), degree=degree).predict(at)
    return np.clip(chance, 0.0, 1.0)


def hurting_stalemate(
    own_chance: NDArray[np.float64],
    own_value: NDArray[np.float64],
    status_quo: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Both sides stalemated and hurting, per path and checkpoint.

    Parameters
    ----------
    own_chance
        (paths, checkpoints, 2): each side's own estimate of its decisive victory.
    own_value
        (paths, checkpoints, 2): each side's own value of fighting on.
    status_quo
        (2,): each side's utility of freezing the status quo.
    """
    stalemate = np.nan_to_num(own_chance, nan=1.0) < STALEMATE_CHANCE
    hurting = np.nan_to_num(own_value, nan=np.inf) < status_quo - HURT_MARGIN
    return np.asarray((stalemate & hurting).all(axis=-1))


def _best_given(
    u_d: NDArray[np.float64], u_r: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``g_D`` as a step function: packages sorted by ``u_R``, suffix maxima of ``u_D``.

    Only the last package of each run of equal maxima is kept: ``g_D(x)`` is the value at
    the first kept ``u_R >= x`` either way, and the frontier has a few dozen steps where
    the packages number tens of thousands (faster look-ups for every path).
    """
    order = np.argsort(u_r, kind="stable")
    best = np.maximum.accumulate(u_d[order][::-1])[::-1]
    last = np.flatnonzero(np.append(best[:-1] != best[1:], True))
    return u_r[order][last], best[last]


Value = Callable[[NDArray[np.floating[Any]], NDArray[np.uint8]], NDArray[np.float64]]
"""``value(states, alive)``: each side's own value of fighting on, (paths, checkpoints,
2), of states laid out as a record's (paths, checkpoints, features), each valued with its
checkpoint's fitted continuation value where ``alive`` is 1 (NaN elsewhere)."""


def quiet_values(
    record: WarRecord, value: Value, moving: NDArray[np.bool_], *, degree: int = 2
) -> NDArray[np.float64]:
    """Each side's value of fighting on after the steps to the next checkpoint in quiet.

    The features that keep changing in a ceasefire (``moving``: production, recruitment,
    politics) advance by their expected change to the next checkpoint given the state (a
    regression over the paths, as for outside options); the others (the front, beliefs)
    hold still -- a deal stops the battlefield from shifting power, not the factories
    or the voters. The state so projected is valued with the checkpoint's own valuation,
    so only the shift of power moves the value, not the clock. The projection is fitted
    on at most :data:`MAX_FIT_PATHS` paths, as the valuations are.

    Returns
    -------
    ndarray, shape (paths, checkpoints, 2)
        NaN at the last checkpoint and once the war is over.
    """
    n_ckpt = record.alive.shape[1]
    features = record.checkpoint_features
    alive = record.alive.copy()
    alive[:, -1] = 0  # nothing to project beyond the last checkpoint
    states = features.copy()
    if moving.any():
        steps: list[Fit | None] = []
        for c in range(n_ckpt - 1):
            both = np.flatnonzero((alive[:, c] == 1) & (record.alive[:, c + 1] == 1))
            both = both[:MAX_FIT_PATHS]
            if len(both) <= 1:
                steps.append(None)
                continue
            basis, center, scale, _, _ = sample_regressors(features, both, c, degree)
            later = features[both, c + 1][:, moving].astype(float)
            coef = least_squares(basis, later)
            unbounded = np.full(later.shape[1], np.inf)
            everywhere = np.full(features.shape[2], np.inf)
            steps.append((center, scale, coef, -unbounded, unbounded, -everywhere, everywhere))
        steps.append(None)
        step = ContinuationValue(degree, tuple(steps), int(moving.sum()))
        step.project(states, alive, np.flatnonzero(moving))  # unfitted steps: states stay
    return value(states, alive)


def commitment_blocked(
    record: WarRecord,
    own_value: NDArray[np.float64],
    projected: NDArray[np.float64],
    utilities: NDArray[np.float64],
    discount: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Powell's commitment check on every path and checkpoint but the last.

    Parameters
    ----------
    record
        The war as it happens (its states and checkpoints).
    own_value
        (paths, checkpoints, 2): each side's own value of fighting on now.
    projected
        (paths, checkpoints, 2): the same at the next checkpoint, as projected now
        (:func:`quiet_values`); NaN where there is nothing to project.
    utilities
        (packages, 2): the sides' utilities of every candidate settlement.
    discount
        (2,): each side's per-step discount factor.

    Returns
    -------
    ndarray of bool, shape (paths, checkpoints)
        True where a side's projected rise makes every settlement worse for the other
        side than fighting now.
    """
    paths, n_ckpt = record.alive.shape
    blocked = np.zeros((paths, n_ckpt), dtype=bool)
    steps = record.plan.checkpoints
    frontiers = {d: _best_given(utilities[:, d], utilities[:, 1 - d]) for d in (0, 1)}
    for c in range(n_ckpt - 1):
        live = (record.alive[:, c] == 1) & ~np.isnan(projected[:, c]).any(axis=1)
        later, current = projected[live, c], own_value[live, c]
        tau = steps[c + 1] - steps[c]
        for d in (0, 1):
            r = 1 - d
            sorted_r, best_d = frontiers[d]
            idx = np.searchsorted(sorted_r, later[:, r], side="left")
            reachable = idx < len(sorted_r)
            after = np.where(reachable, best_d[np.minimum(idx, len(best_d) - 1)], -np.inf)
            keep = discount[d] ** tau
            peace = (1 - keep) * best_d[0] + keep * after  # best_d[0] = D's ideal
            rising = later[:, r] > current[:, r]
            blocked[live, c] |= rising & (peace < current[:, d])
    return blocked
