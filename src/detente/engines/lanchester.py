"""Lanchester's laws of attrition, deterministic (exact) or as a Poisson process.

Square law (aimed fire): ``dA/dt = -beta * B``, ``dB/dt = -alpha * A``, with invariant
``alpha * A**2 - beta * B**2``; A wins iff ``alpha * A0**2 > beta * B0**2`` and keeps
``sqrt(A0**2 - (beta / alpha) * B0**2)`` units. Linear law (area fire):
``dA/dt = -beta * A * B``, ``dB/dt = -alpha * A * B``, with invariant
``alpha * A - beta * B``; the winner tends to ``A0 - (beta / alpha) * B0`` but, without
a breakpoint, never destroys the loser in finite time. ``alpha`` is side A's
effectiveness and ``beta`` side B's.

The deterministic engine advances each step with the exact solution of the equations,
so it has no discretisation error. Square law, with ``k = sqrt(alpha * beta)``:
``A(t) = A cosh(kt) - sqrt(beta / alpha) B sinh(kt)`` and
``B(t) = B cosh(kt) - sqrt(alpha / beta) A sinh(kt)``. Linear law, with
``K = alpha A - beta B``: ``B(t) = K B / ((K + beta B) exp(K t) - beta B)`` (``B / (1 +
beta B t)`` when ``K = 0``) and ``A(t) = (K + beta B(t)) / alpha``. When a side reaches
its breakpoint within a step, the crossing time is found by bisection and the
survivor's strength is set from the invariant.

The stochastic engine is the continuous-time Markov chain of the same laws (Brackney
1959; Kingman 2002): A loses one unit at rate ``beta * B`` (linear: ``beta * A * B``),
B at rate ``alpha * A`` (``alpha * A * B``), simulated event by event (Gillespie 1977),
so it too is exact in time.

References
----------
Lanchester, F. W. (1916). *Aircraft in Warfare*. Constable. Taylor, J. G. (1983).
*Lanchester Models of Warfare*. ORSA. Brackney, H. (1959). The dynamics of military
combat. *Operations Research*, 7(1), 30-44. Kingman, J. F. C. (2002). Stochastic aspects
of Lanchester's theory of warfare. *Journal of Applied Probability*, 39(3), 455-465.
Gillespie, D. T. (1977). Exact stochastic simulation of coupled chemical reactions.
*Journal of Physical Chemistry*, 81(25), 2340-2361.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.engines import _kernel, _random, _truce
from detente.engines.base import Engine, EngineError, Parameter, Plan, Variable, band_range
from detente.scenario.model import LanchesterWar, Scenario

SQUARE, LINEAR = 0, 1
MAX_STOCHASTIC_FORCE = 1e6
"""Largest initial force the event-by-event Markov chain accepts."""


@njit(cache=True, nogil=True)
def _advance(a, b, alpha, beta, law, tau):  # type: ignore[no-untyped-def]
    """Exact strengths after time ``tau`` under the square or linear law."""
    if law == SQUARE:
        if alpha == 0.0 or beta == 0.0:
            return a - beta * b * tau, b - alpha * a * tau
        k = math.sqrt(alpha * beta)
        ch, sh = math.cosh(k * tau), math.sinh(k * tau)
        return a * ch - math.sqrt(beta / alpha) * b * sh, b * ch - math.sqrt(alpha / beta) * a * sh
    if alpha == 0.0:
        return a * math.exp(-beta * b * tau), b
    big_k = alpha * a - beta * b
    if abs(big_k) <= 1e-12 * (alpha * a + beta * b):
        b_t = b / (1.0 + beta * b * tau)
    else:
        b_t = big_k * b / ((big_k + beta * b) * math.exp(big_k * tau) - beta * b)
    return (big_k + beta * b_t) / alpha, b_t


@njit(cache=True, nogil=True)
def _deterministic_step(a, b, alpha, beta, law, th_a, th_b):  # type: ignore[no-untyped-def]
    """One step of the exact solution; returns (A, B, loser) with loser -1, 0 or 1."""
    a1, b1 = _advance(a, b, alpha, beta, law, 1.0)
    if a1 > th_a and b1 > th_b:
        return a1, b1, -1
    lo, hi = 0.0, 1.0
    for _ in range(64):  # bisection for the time a side reaches its breakpoint
        mid = 0.5 * (lo + hi)
        am, bm = _advance(a, b, alpha, beta, law, mid)
        if am > th_a and bm > th_b:
            lo = mid
        else:
            hi = mid
    am, bm = _advance(a, b, alpha, beta, law, hi)
    if (bm - th_b) * max(a, 1e-300) <= (am - th_a) * max(b, 1e-300):
        # B breaks; A's strength follows from the invariant.
        if law == SQUARE:
            return math.sqrt(max(a * a - beta / alpha * (b * b - th_b * th_b), 0.0)), th_b, 1
        return (alpha * a - beta * b + beta * th_b) / alpha, th_b, 1
    if law == SQUARE:
        return th_a, math.sqrt(max(b * b - alpha / beta * (a * a - th_a * th_a), 0.0)), 0
    return th_a, (beta * b - alpha * a + alpha * th_a) / beta, 0


@njit(cache=True, nogil=True)
def _stochastic_step(a, b, alpha, beta, law, th_a, th_b, stream):  # type: ignore[no-untyped-def]
    """One step of the continuous-time Markov chain, event by event (Gillespie)."""
    left = 1.0
    while True:
        rate_a = beta * b if law == SQUARE else beta * a * b  # A loses a unit
        rate_b = alpha * a if law == SQUARE else alpha * a * b  # B loses a unit
        total = rate_a + rate_b
        if total <= 0.0:
            return a, b, -1
        wait = _random.exponential(stream) / total
        if wait >= left:
            return a, b, -1
        left -= wait
        if _random.uniform(stream) * total < rate_a:
            a -= 1.0
            if a <= th_a:
                return a, b, 0
        else:
            b -= 1.0
            if b <= th_b:
                return a, b, 1


@njit(cache=True, nogil=True)
def _record(features, i, c, a, b):  # type: ignore[no-untyped-def]
    features[i, c, 0] = a
    features[i, c, 1] = b


@njit(cache=True, nogil=True)
def _band(band_hist, band_sum, k, a, b, lo, hi):  # type: ignore[no-untyped-def]
    _kernel.record_band(band_hist, 0, k, a, lo, hi)
    _kernel.record_band(band_hist, 1, k, b, lo, hi)
    band_sum[0, k] += a
    band_sum[1, k] += b


@njit(cache=True, nogil=True)
def _lanchester_kernel(  # type: ignore[no-untyped-def]
    params, law, stochastic, breakpoint, key, cost, delta, u_sq, u_win,
    horizon, checkpoints, stride,
    event, winner, end_step, payoff, final, features, accrued, alive,
    band_hist, band_sum, tail_hist, tail_sum, band_lo, band_hi, truce,
):  # fmt: skip
    n_ckpt = checkpoints.shape[0]
    stream = np.zeros(4, np.uint64)
    for i in range(params.shape[0]):
        _random.seed_path(stream, key, i)
        a, b, alpha, beta = params[i, 0], params[i, 1], params[i, 2], params[i, 3]
        if stochastic:
            a, b = float(round(a)), float(round(b))
        th_a, th_b = breakpoint * a, breakpoint * b
        loser = -1
        if a <= th_a:
            loser = 0
        elif b <= th_b:
            loser = 1
        c = 0
        t = 0
        _band(band_hist, band_sum, 0, a, b, band_lo, band_hi)
        while loser < 0 and t < horizon:
            if c < n_ckpt and checkpoints[c] == t:
                _record(features, i, c, a, b)
                _truce.mark_live_checkpoint(accrued, alive, i, c, t, cost, u_sq, delta, truce)
                c += 1
            if _truce.paused(truce, i, t):  # a ceasefire: no losses this step
                pass
            elif stochastic:
                a, b, loser = _stochastic_step(a, b, alpha, beta, law, th_a, th_b, stream)
            else:
                a, b, loser = _deterministic_step(a, b, alpha, beta, law, th_a, th_b)
            t += 1
            if t % stride == 0:
                _band(band_hist, band_sum, t // stride, a, b, band_lo, band_hi)
        end_step[i] = t
        _truce.pay_flows(payoff, i, t, cost, u_sq, delta, truce)
        if loser < 0 and _truce.paused(truce, i, t):
            _truce.pay_end_of_truce(payoff, i, t, delta, truce)
        elif loser >= 0:
            event[i] = _kernel.DECISIVE
            winner[i] = 1 - loser
            _kernel.pay_victory(payoff, i, t, 1 - loser, u_win, delta)
        else:
            _kernel.pay_status_quo(payoff, i, t, u_sq, delta)
        while c < n_ckpt:
            _record(features, i, c, a, b)
            _kernel.mark_checkpoint(accrued, alive, payoff, i, c, 0)
            c += 1
        _kernel.record_frozen(tail_hist, tail_sum, 0, t // stride + 1, a, band_lo, band_hi)
        _kernel.record_frozen(tail_hist, tail_sum, 1, t // stride + 1, b, band_lo, band_hi)
        final[i, 0] = a
        final[i, 1] = b


class Lanchester(Engine):
    """Square- and linear-law attrition until a side breaks or the horizon."""

    name: ClassVar[str] = "lanchester"
    supports_truce: ClassVar[bool] = True

    def _war(self, scenario: Scenario) -> tuple[LanchesterWar, tuple[str, str]]:
        war, sides = scenario.war, scenario.sides()
        assert isinstance(war, LanchesterWar) and sides is not None
        return war, sides

    def parameters(self, scenario: Scenario) -> list[Parameter]:
        """Initial forces of A and B, then the effectiveness of A (alpha) and B (beta)."""
        war, (a, b) = self._war(scenario)
        return [
            (f"force.{a}", war.force[a]),
            (f"force.{b}", war.force[b]),
            (f"effectiveness.{a}", war.effectiveness[a]),
            (f"effectiveness.{b}", war.effectiveness[b]),
        ]

    def features(self, scenario: Scenario) -> list[str]:
        """Each side's strength."""
        _, sides = self._war(scenario)
        return [f"force.{s}" for s in sides]

    def variables(self, scenario: Scenario) -> list[Variable]:
        """Each side's strength, banded over [0, the largest initial strength]."""
        war, sides = self._war(scenario)
        top = max(band_range(war.force[s])[1] for s in sides)
        return [Variable("force", s, 0.0, top) for s in sides]

    def run_block(
        self,
        scenario: Scenario,
        params: NDArray[np.float64],
        inputs: dict[str, Any],
        rng: np.random.Generator,
        plan: Plan,
        out: dict[str, NDArray[Any]],
    ) -> None:
        """Fight every path of the block until a side breaks or the horizon."""
        war, _ = self._war(scenario)
        if war.stochastic and params.size and params[:, :2].max() > MAX_STOCHASTIC_FORCE:
            raise EngineError(
                f"stochastic Lanchester simulates every single loss; forces above "
                f"{MAX_STOCHASTIC_FORCE:,.0f} units would take too long. Use the "
                "deterministic law (stochastic: false), or count forces in larger units."
            )
        top = self.variables(scenario)[0].high
        lo, hi = np.zeros(2), np.full(2, top if top > 0 else 1.0)
        _lanchester_kernel(
            params, SQUARE if war.law == "square" else LINEAR, war.stochastic, war.breakpoint,
            _random.block_key(rng), inputs["cost"], inputs["delta"], inputs["u_sq"],
            inputs["u_win"],
            plan.horizon, plan.checkpoints, plan.band_stride,
            out["event"], out["winner"], out["end_step"], out["payoff"], out["final"],
            out["features"], out["accrued"], out["alive"],
            out["band_hist"], out["band_sum"], out["tail_hist"], out["tail_sum"], lo, hi,
            inputs["truce"],
        )  # fmt: skip
