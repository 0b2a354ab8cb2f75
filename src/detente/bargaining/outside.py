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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.engines import WarRecord
from detente.scenario import values

MAX_FIT_PATHS = 50_000
"""Live paths a regression is fitted on: with a few dozen terms, the coefficients' error
is then ~sqrt(terms / paths) ~ 3% of the target's spread, below the paths' own noise."""

MAX_INTERACTING = 3
"""Most state features whose products enter the regressions (see :func:`polynomial_basis`)."""

TRUSTED_SHARE = 0.9
"""Central share of a fit's states, per feature, within which its values are trusted.

A fit on one party's view, applied ``within`` its range to the war as it happens, values
states beyond this range at its edge. The extreme states of a sample are too few to pin
a polynomial down: a view in which a patron's support nearly always falls to 0 by
week 4, but not on a few paths, would otherwise extrapolate its steep curvature near 0
to supports of 0.2 and more. The central 90 % rather than 98 %: Russia's own value of
fighting on at week 4 of the default was 0.20, 0.55 and 0.43 at three seeds with 98 %,
0.42, 0.48 and 0.43 with 90 % (and -0.15, 0.58, 0.54 with the whole range; see
docs/bargaining.md)."""

EDGE_SAMPLE = 5_000
"""States of a fit's sample its trusted range is estimated on (the quantiles' error is
then about 0.2 % of the share, far below what moves a value)."""


def polynomial_basis(
    features: NDArray[np.floating[Any]],
    degree: int,
    center: NDArray[np.float64],
    scale: NDArray[np.float64],
    *,
    within: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> NDArray[np.float64]:
    """Polynomial terms up to ``degree`` of standardised features, with a constant.

    With up to :data:`MAX_INTERACTING` features, every product of features up to
    ``degree``; with more, each feature's own powers only. Products grow as the square
    of the number of features, overfit a few thousand paths, and extrapolate wildly
    when a regression fitted on one party's view is applied to the actual states;
    Longstaff & Schwartz (2001) also regress on a few functions of each variable.

    ``within``: each feature's lowest and highest value, to clip the features to first.
    """
    n, k = features.shape
    if k > MAX_INTERACTING:
        low, high = within if within is not None else (np.full(k, -np.inf), np.full(k, np.inf))
        out = np.empty((n, 1 + degree * k))
        rows = np.ascontiguousarray(features)[:, None, :]
        _powers(rows, degree, center[None], _inverse_scale(scale)[None], low[None], high[None], out)
        return out
    if within is not None:
        features = np.clip(features, *within)
    z = (features - center) / np.where(scale > 0, scale, 1.0)
    z[:, scale == 0] = 0.0  # a constant feature adds nothing beyond the intercept
    columns = [np.ones(n)]
    for d in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(k), d):
            columns.append(np.prod(z[:, list(combo)], axis=1))
    return np.column_stack(columns)


def _inverse_scale(scale: NDArray[np.float64]) -> NDArray[np.float64]:
    """``1 / scale``, and 0 for a constant feature (it adds nothing beyond the intercept)."""
    return np.where(scale > 0, 1.0 / np.where(scale > 0, scale, 1.0), 0.0)


@njit(cache=True, nogil=True, inline="always")
def _regressors(  # type: ignore[no-untyped-def]
    features, i, c, degree, center, inv_scale, low, high, out, r
):  # pragma: no cover - compiled
    """Write the regressors ``[1, z, z**2, ..., z**degree]`` of state ``features[i, c]``.

    ``z = (x - center[c]) * inv_scale[c]``, each feature ``x`` first clipped to
    ``[low[c], high[c]]``; the terms go to ``out[r]``, the powers of the first degree
    for every feature, then the second, and so on. The one definition of a state's
    regressors, for fitting (:func:`_powers`) and for evaluating a fit
    (:func:`_evaluate_powers`) alike. Indices rather than row views: a view in the loop
    of a compiled caller would be reference-counted at every state.
    """
    k = features.shape[2]
    out[r, 0] = 1.0
    for j in range(k):
        x = min(max(float(features[i, c, j]), low[c, j]), high[c, j])
        out[r, 1 + j] = (x - center[c, j]) * inv_scale[c, j]
    for d in range(1, degree):
        for j in range(k):
            out[r, 1 + d * k + j] = out[r, 1 + (d - 1) * k + j] * out[r, 1 + j]


@njit(cache=True, nogil=True)
def _powers(
    features: NDArray[Any],
    degree: int,
    center: NDArray[np.float64],
    inv_scale: NDArray[np.float64],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    out: NDArray[Any],
) -> None:  # pragma: no cover - compiled
    """Write the regressors (:func:`_regressors`) of every row of ``features`` into ``out``.

    ``features`` is (rows, 1, k); ``center``, ``inv_scale``, ``low`` and ``high`` are
    (1, k).
    """
    for r in range(features.shape[0]):
        _regressors(features, r, 0, degree, center, inv_scale, low, high, out, r)


@njit(cache=True, nogil=True)
def _moments(states: NDArray[Any]) -> tuple[NDArray[np.float64], ...]:  # pragma: no cover
    """Each column's mean, standard deviation, lowest and highest value.

    Two passes over the rows (the mean, then the squared deviations from it); the
    population standard deviation.
    """
    n, k = states.shape
    total = np.zeros(k)
    low = np.full(k, np.inf)
    high = np.full(k, -np.inf)
    for r in range(n):
        for j in range(k):
            v = float(states[r, j])
            total[j] += v
            low[j] = min(low[j], v)
            high[j] = max(high[j], v)
    mean = total / max(n, 1)
    square = np.zeros(k)
    for r in range(n):
        for j in range(k):
            gap = float(states[r, j]) - mean[j]
            square[j] += gap * gap
    return mean, np.sqrt(square / max(n, 1)), low, high


def sample_regressors(
    features: NDArray[Any],
    rows: NDArray[np.int64],
    c: int,
    degree: int,
    standard: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.float64], ...]:
    """The regressors of the states ``features[rows, c]`` of a record's features.

    Returns the regressors (:func:`polynomial_basis`), the centre and scale that
    standardise them (``standard``, or the states' mean and standard deviation), and
    the range of each feature that holds the central :data:`TRUSTED_SHARE` of the
    states (the first :data:`EDGE_SAMPLE` of them; paths are independent draws).
    """
    states = features[rows, c]  # one gather; the passes below then read contiguous rows
    center, scale, _, _ = _moments(states)
    edge = (1 - TRUSTED_SHARE) / 2
    low, high = np.quantile(states[:EDGE_SAMPLE], [edge, 1 - edge], axis=0).astype(float)
    if standard is not None:
        center, scale = standard
    return polynomial_basis(states, degree, center, scale), center, scale, low, high


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _evaluate_powers(
    features: NDArray[Any],
    alive: NDArray[Any],
    degree: int,
    fitted: NDArray[np.bool_],
    center: NDArray[np.float64],
    inv_scale: NDArray[np.float64],
    seen_low: NDArray[np.float64],
    seen_high: NDArray[np.float64],
    coef: NDArray[np.float64],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    out: NDArray[Any],
    slots: NDArray[np.int64],
    missing: bool,
) -> None:  # pragma: no cover - compiled
    """Fitted values of a powers basis at every live state, in one pass.

    ``features`` (paths, checkpoints, k) and ``alive`` (paths, checkpoints). Per
    checkpoint ``c``: whether it has a fit (``fitted[c]``); the standardisation
    ``(x - center[c]) * inv_scale[c]`` (``inv_scale`` 0 for a constant feature, which
    adds nothing beyond the intercept); the range each feature is first clipped to,
    ``[seen_low[c], seen_high[c]]`` (infinite: no clipping); the coefficients
    ``coef[c]`` (targets, terms); and the range ``[low[c], high[c]]`` each fitted value
    is clipped to. Target ``t`` goes to ``out[i, c, slots[t]]``; where a path is not
    alive or its checkpoint has no fit, NaN if ``missing``, else ``out`` is left as it
    is. ``out`` may be ``features`` itself (a state's features are read before its
    values are written).

    Each state's regressors (:func:`_regressors`) are built and used at once: a record's
    states are read once, in order, and no regressor matrix is stored -- several times
    faster than gathering each checkpoint's live
    states, building their regressors and multiplying them out. The loops over features
    and terms are branch-free so that the compiler vectorises them (``reassoc`` lets it
    split the sum; the order of a sum of 29 terms moves only its last bits).
    """
    paths, n_ckpt, k = features.shape
    n_targets = coef.shape[1]
    n_terms = 1 + degree * k
    terms = np.empty((1, n_terms))
    for i in range(paths):
        for c in range(n_ckpt):
            if alive[i, c] != 1 or not fitted[c]:
                if missing:
                    for t in range(n_targets):
                        out[i, c, slots[t]] = np.nan
                continue
            _regressors(features, i, c, degree, center, inv_scale, seen_low, seen_high, terms, 0)
            for t in range(n_targets):
                total = 0.0
                for q in range(n_terms):
                    total += terms[0, q] * coef[c, t, q]
                out[i, c, slots[t]] = min(max(total, low[c, t]), high[c, t])


def least_squares(basis: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least-squares coefficients by the normal equations.

    ``basis`` has many rows and a few dozen columns, so ``B'B`` is tiny and cheap to
    form, where an SVD of ``B`` itself is not; a minimum-norm solve of the small system
    copes with collinear features (e.g. the two sides' beliefs, which update on the same
    battles). Its cut-off drops directions of ``B`` whose singular values are below
    1e-5 of the largest (1e-10 on ``B'B``): single-precision features leave exactly
    collinear ones slightly apart, and their coefficients would be fitted to that noise.
    """
    coef, *_ = np.linalg.lstsq(basis.T @ basis, basis.T @ y, rcond=1e-10)
    return np.asarray(coef, dtype=np.float64)


Fit = tuple[NDArray[np.float64], ...]
"""One checkpoint's regression: feature centre, feature scale, coefficients (terms,
targets), the lowest and highest value of each target in the data fitted, and the
range of each feature the fit trusts (:data:`TRUSTED_SHARE`)."""

Scaling = tuple[tuple[NDArray[np.float64], NDArray[np.float64]] | None, ...]
"""Per checkpoint, the centre and scale that standardise the features (None: no paths)."""


def scaling_of(record: WarRecord) -> Scaling:
    """Mean and standard deviation of each feature over the live paths, per checkpoint."""
    mean, std, count = _live_moments(record.checkpoint_features, record.alive)
    return tuple((mean[c], std[c]) if count[c] > 0 else None for c in range(len(count)))


@njit(cache=True, nogil=True)
def _live_moments(
    features: NDArray[Any], alive: NDArray[Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:  # pragma: no cover
    """Each feature's mean and (population) standard deviation over the live paths.

    Per checkpoint, in two passes over the record (the mean, then squared deviations
    from it) instead of a copy of every checkpoint's live rows.
    """
    paths, n_ckpt, k = features.shape
    total = np.zeros((n_ckpt, k))
    count = np.zeros(n_ckpt, np.int64)
    for i in range(paths):
        for c in range(n_ckpt):
            if alive[i, c] == 1:
                count[c] += 1
                for j in range(k):
                    total[c, j] += features[i, c, j]
    mean = total / np.maximum(count, 1).reshape(-1, 1)
    square = np.zeros((n_ckpt, k))
    for i in range(paths):
        for c in range(n_ckpt):
            if alive[i, c] == 1:
                for j in range(k):
                    gap = features[i, c, j] - mean[c, j]
                    square[c, j] += gap * gap
    return mean, np.sqrt(square / np.maximum(count, 1).reshape(-1, 1)), count


@dataclass(frozen=True)
class ContinuationValue:
    """Fitted conditional expectations per checkpoint: a regression on the state features.

    Fitted on one run (a party's view of the war) and applied to the states of another
    (the war as it happens), it gives that party's expectation at each actual state --
    of its value of fighting on (:func:`fit_continuation`) or of any other future
    quantity (:func:`fit_expectation`).
    """

    degree: int
    fits: tuple[Fit | None, ...]
    targets: int

    def predict(
        self, record: WarRecord, columns: list[int] | None = None, *, within: bool = False
    ) -> NDArray[np.float64]:
        """Values (paths, checkpoints, targets) at the record's states; NaN once it ended.

        ``columns``: only these targets, in this order; ``within``: value each state
        with its features brought into the range the fit trusts (see :meth:`at`) -- for a
        fit on one party's view applied to the war as it happens, whose states that view
        may never reach (a patron's support it believes fixed, say).
        """
        return self.values(record.checkpoint_features, record.alive, columns, within=within)

    def values(
        self,
        features: NDArray[Any],
        alive: NDArray[Any],
        columns: list[int] | None = None,
        *,
        within: bool = False,
    ) -> NDArray[np.float64]:
        """Values (paths, checkpoints, targets) at any states, laid out as a record's.

        ``features`` (paths, checkpoints, features) and ``alive`` (paths, checkpoints):
        states such as a record's ``checkpoint_features`` or projections of them, each
        valued with its checkpoint's fit where ``alive`` is 1 (NaN elsewhere).
        ``columns`` and ``within`` as for :meth:`predict`.
        """
        pick = list(range(self.targets)) if columns is None else columns
        out = np.empty((*alive.shape, len(pick)))
        self._evaluate(features, alive, self._per_checkpoint(alive), pick, within, out)
        return out

    def project(self, states: NDArray[Any], alive: NDArray[Any], slots: NDArray[np.int64]) -> None:
        """Replace features ``slots`` of the live states by the fitted targets, in place.

        ``states`` (paths, checkpoints, features), laid out as a record's; target ``t``
        of checkpoint ``c``'s fit becomes feature ``slots[t]`` where ``alive`` is 1. States
        of a checkpoint without a fit stay as they are.
        """
        pick = list(range(self.targets))
        fits = self._per_checkpoint(alive)
        self._evaluate(states, alive, fits, pick, False, states, slots, missing=False)

    def _per_checkpoint(self, alive: NDArray[Any]) -> list[Fit | None]:
        """The fit of each of ``alive``'s checkpoints (None beyond the fitted ones)."""
        return [self.fits[c] if c < len(self.fits) else None for c in range(alive.shape[1])]

    def at(
        self, c: int, features: NDArray[np.float64], *, within: bool = False
    ) -> NDArray[np.float64]:
        """Values (states, targets) of any states at checkpoint ``c`` (NaN without a fit).

        ``within``: first bring each feature into the range the fit trusts (the central
        :data:`TRUSTED_SHARE` of the states it was fitted on), so that states
        beyond it (a ceasefire's, say) are valued at its edge, not by extrapolation.
        """
        return self._at(c, features, list(range(self.targets)), within=within)

    def _at(
        self, c: int, features: NDArray[Any], pick: list[int], *, within: bool
    ) -> NDArray[np.float64]:
        """Targets ``pick`` at states (states, k) of checkpoint ``c``: (states, targets)."""
        fit = self.fits[c] if c < len(self.fits) else None
        out = np.empty((len(features), 1, len(pick)))
        alive = np.ones((len(features), 1), dtype=np.uint8)
        self._evaluate(features[:, None, :], alive, [fit], pick, within, out)
        return out[:, 0]

    def _evaluate(
        self,
        features: NDArray[Any],
        alive: NDArray[Any],
        fits: list[Fit | None],
        pick: list[int],
        within: bool,
        out: NDArray[Any],
        slots: NDArray[np.int64] | None = None,
        *,
        missing: bool = True,
    ) -> None:
        """Targets ``pick`` at states (paths, checkpoints, k) where ``alive``, into ``out``.

        ``fits[c]`` values the states of checkpoint ``c``; target ``t`` goes to
        ``out[..., slots[t]]`` (default: ``out[..., t]``). Where a path is not alive or
        its checkpoint has no fit, ``out`` gets NaN if ``missing``, else stays as it is;
        ``out`` may be ``features`` itself. With ``within``, states beyond the range the
        fit trusts are valued at its edge (clipping a state in range changes nothing).
        Fitted values are kept within the range of the realised targets: values outside
        it are the polynomial extrapolating (one party's fit applied to states its own
        view of the war rarely reaches), not information, as an expectation lies within
        what it averages.
        """
        k = features.shape[2]
        slots = np.arange(len(pick)) if slots is None else slots
        if k > MAX_INTERACTING:
            # each feature's own powers: every state in one compiled pass
            fitted, center, inv_scale, seen_low, seen_high, coef, low, high = _stack(
                fits, k, 1 + self.degree * k, pick, within
            )
            _evaluate_powers(features, alive, self.degree, fitted, center, inv_scale, seen_low,
                             seen_high, coef, low, high, out, slots, missing)  # fmt: skip
            return
        for c, fit in enumerate(fits):
            if missing:
                out[:, c, slots] = np.nan  # kept where the war is over or there is no fit
            rows = np.flatnonzero(alive[:, c] == 1)
            if fit is None or len(rows) == 0:
                continue
            center, scale, coef, low, high, seen_low, seen_high = fit
            bounds = (seen_low, seen_high) if within else None
            basis = polynomial_basis(features[rows, c], self.degree, center, scale, within=bounds)
            found = np.clip(basis @ coef[:, pick], low[pick], high[pick])
            out[rows[:, None], c, slots[None, :]] = found


def _stack(
    fits: list[Fit | None], k: int, terms: int, pick: list[int], within: bool
) -> tuple[NDArray[Any], ...]:
    """Checkpoints' fits side by side, as :func:`_evaluate_powers` takes them."""
    n_ckpt = len(fits)
    fitted = np.array([fit is not None for fit in fits], dtype=np.bool_)
    center = np.zeros((n_ckpt, k))
    inv_scale = np.zeros((n_ckpt, k))
    seen_low = np.full((n_ckpt, k), -np.inf)
    seen_high = np.full((n_ckpt, k), np.inf)
    coef = np.zeros((n_ckpt, len(pick), terms))
    low = np.full((n_ckpt, len(pick)), -np.inf)
    high = np.full((n_ckpt, len(pick)), np.inf)
    for c, fit in enumerate(fits):
        if fit is None:
            continue
        scale = fit[1]
        center[c], coef[c] = fit[0], fit[2][:, pick].T
        inv_scale[c] = _inverse_scale(scale)
        low[c], high[c] = fit[3][pick], fit[4][pick]
        if within:
            seen_low[c], seen_high[c] = fit[5], fit[6]
    return fitted, center, inv_scale, seen_low, seen_high, coef, low, high


def values_at(
    fits: list[ContinuationValue],
    columns: list[int],
    c: int,
    features: NDArray[np.float64],
    *,
    within: bool = False,
) -> NDArray[np.float64]:
    """Target ``columns[k]`` of ``fits[k]`` at any states of checkpoint ``c``: (states, k).

    ``within``: each fit values the states brought into the range it trusts (as
    ``ContinuationValue.at``).
    """
    pairs = zip(fits, columns, strict=True)
    return np.column_stack([f._at(c, features, [col], within=within)[:, 0] for f, col in pairs])


Target = Callable[[int, NDArray[np.bool_]], NDArray[np.float64]]
"""``target(c, live)``: the realised future quantity on the live paths of checkpoint ``c``."""


def fit_expectation(
    record: WarRecord, target: Target, *, degree: int = 2, scaling: Scaling | None = None
) -> ContinuationValue:
    """Regress a realised future quantity on the state, checkpoint by checkpoint.

    The least-squares fit on a polynomial in the state features estimates the quantity's
    expectation given the state (Longstaff & Schwartz 2001), for every live path;
    predictions are kept within the range of the realised values fitted.
    Features are standardised by ``scaling`` (default: the record's own); the fitted
    values do not depend on it, as a polynomial of an affine map of the features is
    still a polynomial of the same degree.
    """
    fits: list[Fit | None] = []
    targets = 0
    for c in range(len(record.plan.checkpoints)):
        live = record.alive[:, c] == 1
        if not live.any():
            fits.append(None)
            continue
        # Paths are independent draws, so the first MAX_FIT_PATHS live ones are a random
        # sample; more would refine the coefficients by less than their error.
        rows = np.flatnonzero(live)[:MAX_FIT_PATHS]
        live = np.zeros_like(live)
        live[rows] = True
        standard = scaling[c] if scaling is not None else None
        basis, center, scale, seen_low, seen_high = sample_regressors(
            record.checkpoint_features, rows, c, degree, standard
        )
        y = target(c, live)
        targets = y.shape[1]
        coef = least_squares(basis, y)
        fits.append((center, scale, coef, *_moments(y)[2:], seen_low, seen_high))
    return ContinuationValue(degree, tuple(fits), targets)


def fit_continuation(
    record: WarRecord,
    *,
    degree: int = 2,
    scaling: Scaling | None = None,
    also: Target | None = None,
) -> ContinuationValue:
    """Regress each party's realised future payoff on the state, checkpoint by checkpoint.

    Discounting uses each party's mean discount factor; values are at the checkpoint.
    ``also`` appends more targets after the parties' payoffs, fitted on the same
    regressors at no extra cost.
    """
    discount = np.array(
        [values.mean(record.scenario.time.discount.get(p, 1.0)) for p in record.parties]
    )
    steps = record.plan.checkpoints

    def future_payoff(c: int, live: NDArray[np.bool_]) -> NDArray[np.float64]:
        payoff = (record.payoff[live] - record.accrued[live, c]) / discount ** steps[c]
        if also is None:
            return np.asarray(payoff, dtype=float)
        return np.column_stack([payoff, also(c, live)])

    return fit_expectation(record, future_payoff, degree=degree, scaling=scaling)


def outside_options(
    record: WarRecord, *, degree: int = 2, at: WarRecord | None = None
) -> NDArray[np.float64]:
    """Each party's estimated value of fighting on, per path and checkpoint.

    Parameters
    ----------
    record
        An engine run (``detente.engines.run_war``), simulated under the view of the
        party whose outside option is wanted (see ``detente.scenario.view_of``).
    degree
        Degree of the polynomial in the state features used as regressors.
    at
        The run whose states are valued (default: ``record`` itself) -- e.g. the war as
        it happens, valued by a party with its own beliefs.

    Returns
    -------
    ndarray, shape (paths, checkpoints, parties)
        Value in stake units at each checkpoint; NaN where the war has already ended.
    """
    return fit_continuation(record, degree=degree).predict(record if at is None else at)
