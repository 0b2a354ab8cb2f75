"""Numba helpers for a ceasefire on a path: the guns fall silent between two steps.

A truce on path ``i`` holds from step ``start[i]`` (``-1``: never) until step
``end[i]`` (past the horizon: it never breaks). While it holds the engine fights no
engagement, and each party receives the deal's value ``u_deal[i, j]`` as its flow
instead of the war's: ``delta**t * (1 - delta) * u_deal`` a step, with no cost of war;
a truce still holding at the horizon is worth ``delta**H * u_deal`` from then on, as a
permanent settlement is. Before and after it, the war's flows of
:mod:`detente.engines._kernel`. So a deal that holds to the end is worth exactly
``u_deal`` (discounted from its start), the accounting of the bargaining layer.

Who decides when a truce starts and ends is not the engine's business: the
negotiation layer (``detente.negotiation.coupling``) does, between runs.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.engines import _kernel

Truce = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
"""``(start, end, u_deal)`` of one block's paths."""

NEVER = -1
"""``start`` of a path without a truce."""


def no_truce(paths: int, parties: int) -> Truce:
    """Arrays saying no path has a truce."""
    return (
        np.full(paths, NEVER, dtype=np.int64),
        np.full(paths, np.iinfo(np.int64).max, dtype=np.int64),
        np.zeros((paths, parties)),
    )


@njit(cache=True, nogil=True, inline="always")
def paused(truce, i, t):  # type: ignore[no-untyped-def]
    """Whether the guns are silent on path ``i`` at step ``t``."""
    start, end, _ = truce
    return start[i] >= 0 and start[i] <= t < end[i]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _power(d, t):  # type: ignore[no-untyped-def]
    return 1.0 if d == 1.0 else math.exp(t * math.log(d))


@njit(cache=True, nogil=True, error_model="numpy")
def flows(i, j, t, cost, u_sq, delta, truce):  # type: ignore[no-untyped-def]
    """Party ``j``'s discounted flows on path ``i`` over steps ``[0, t)``.

    War before the truce, the deal during it, war again after it; each piece in closed
    form (geometric sums).
    """
    start, end, u_deal = truce
    a = start[i]
    if a < 0 or t <= a:
        return _kernel.flows(i, j, t, cost, u_sq, delta)
    b = min(end[i], t)
    d = delta[i, j]
    total = _kernel.flows(i, j, a, cost, u_sq, delta)
    total += u_deal[i, j] * (_power(d, a) - _power(d, b))  # sum of d^s (1 - d) u over [a, b)
    if t > b:
        total += _kernel.flows(i, j, t, cost, u_sq, delta)
        total -= _kernel.flows(i, j, b, cost, u_sq, delta)
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def mark_live_checkpoint(accrued, alive, i, c, t, cost, u_sq, delta, truce):  # type: ignore[no-untyped-def]
    """Record, at checkpoint ``c`` (step ``t``) of a path not yet ended, its flows so far."""
    for j in range(accrued.shape[2]):
        accrued[i, c, j] = flows(i, j, t, cost, u_sq, delta, truce)
    alive[i, c] = 1


@njit(cache=True, nogil=True, error_model="numpy")
def pay_flows(payoff, i, t_end, cost, u_sq, delta, truce):  # type: ignore[no-untyped-def]
    """Add every party's flows over the path's ``t_end`` steps."""
    for j in range(payoff.shape[1]):
        payoff[i, j] += flows(i, j, t_end, cost, u_sq, delta, truce)


@njit(cache=True, nogil=True, error_model="numpy")
def pay_end_of_truce(payoff, i, t_end, delta, truce):  # type: ignore[no-untyped-def]
    """A truce holding at the horizon ``t_end``: the deal, worth ``u_deal`` from then on."""
    _, _, u_deal = truce
    for j in range(payoff.shape[1]):
        payoff[i, j] += _power(delta[i, j], t_end) * u_deal[i, j]
