"""Outside options: each party's value of fighting on, per path and checkpoint.

At checkpoint ``c`` (step ``t_c``) a path whose war is still going has a *value of
fighting on* for party ``j``: its expected payoff from then on, in stake units valued
at ``t_c``. The engine records each path's realised payoff in total and accrued before
every checkpoint, so the realised future payoff is ``(payoff - accrued_c) / d_j**t_c``.
Its conditional expectation given the state at ``t_c`` is estimated by regressing it on
a polynomial in the checkpoint's state features across the live paths, as in the
least-squares Monte Carlo of Longstaff & Schwartz (2001) -- here for the continuation
value itself, since fighting on is the only alternative being valued.

With no state features (a one-step lottery) the regression is the sample mean, so the
estimate is Fearon's ``p - c_A`` up to Monte Carlo error.

References
----------
Longstaff, F. A., & Schwartz, E. S. (2001). Valuing American options by simulation: a
simple least-squares approach. *Review of Financial Studies*, 14(1), 113-147.
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

from detente.engines import WarRecord
from detente.scenario import values


def _basis(features: NDArray[np.float64], degree: int) -> NDArray[np.float64]:
    """Polynomial terms up to ``degree`` of standardised features, with a constant."""
    n, k = features.shape
    scale = features.std(axis=0)
    z = (features - features.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    z[:, scale == 0] = 0.0  # a constant feature adds nothing beyond the intercept
    columns = [np.ones(n)]
    for d in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(k), d):
            columns.append(np.prod(z[:, list(combo)], axis=1))
    return np.column_stack(columns)


def outside_options(record: WarRecord, *, degree: int = 2) -> NDArray[np.float64]:
    """Each party's estimated value of fighting on, per path and checkpoint.

    Parameters
    ----------
    record
        An engine run (``detente.engines.run_war``), simulated under the view of the
        party whose outside option is wanted (see ``detente.scenario.view_of``).
    degree
        Degree of the polynomial in the state features used as regressors.

    Returns
    -------
    ndarray, shape (paths, checkpoints, parties)
        Value in stake units at each checkpoint; NaN where the war has already ended.
        Discounting uses each party's mean discount factor.
    """
    paths, n_ckpt, n_parties = record.accrued.shape
    out = np.full((paths, n_ckpt, n_parties), np.nan)
    discount = np.array(
        [values.mean(record.scenario.time.discount.get(p, 1.0)) for p in record.parties]
    )
    for c, step in enumerate(record.plan.checkpoints):
        live = record.alive[:, c] == 1
        if not live.any():
            continue
        future = (record.payoff[live] - record.accrued[live, c]) / discount**step
        basis = _basis(record.checkpoint_features[live, c].astype(float), degree)
        coef, *_ = np.linalg.lstsq(basis, future, rcond=None)
        out[live, c] = basis @ coef
    return out
