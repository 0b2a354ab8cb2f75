"""Numba helpers shared by every engine's kernel: payoff accounting and recording.

Payoffs are in stake units (see :mod:`detente.engines.base`): each step a party
receives ``delta**t * ((1 - delta) * u_sq - cost)`` (summed in closed form, as the flow
is constant along a path); when the war ends at step ``T``
it receives ``delta**T * u(outcome)`` -- the winner's ideal package after a decisive
victory, the status quo if the war is still going at the horizon. With ``delta = 1``
this is Fearon's lump-sum accounting (outcome minus costs); with ``delta < 1`` it is
the flow form of Powell (2004) and Slantchev (2003), normalised so that a permanent
settlement ``x`` is worth ``u(x)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from detente.engines.base import COLLAPSE, DECISIVE, ESCALATION, ONGOING

# Two ways to fill the per-step band histograms, for two shapes of war:
# - `record_band` + `record_frozen`: count each value as it happens, and a finished
#   war's frozen state once (spread over the remaining bands by a cumulative sum).
#   Best when most paths end early and few variables are banded (battles, lanchester).
# - `histogram_chunk`: write each path's banded values into a buffer, then count a
#   thousand or so paths at a time band by band. Best when paths run to the horizon with many
#   variables (attrition): the buffer and the counting then stay in cache.

__all__ = ["COLLAPSE", "DECISIVE", "ESCALATION", "ONGOING"]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def flows(i, j, steps, cost, u_sq, delta):  # type: ignore[no-untyped-def]
    """Party ``j``'s discounted payoff flows of path ``i`` over its first ``steps`` steps.

    The flow ``(1 - d) u_sq - c`` is constant along a path, so the sum of
    ``d**t`` times it over ``t < steps`` is a geometric series:
    ``u_sq (1 - d**steps) - c (1 - d**steps) / (1 - d)``, or ``-c steps`` when ``d = 1``.
    """
    d = delta[i, j]
    if d == 1.0 or steps == 0:
        return -cost[i, j] * steps
    kept = 1.0 - math.exp(steps * math.log(d))  # 1 - d**steps; exp(log) is cheaper than pow
    return u_sq[i, j] * kept - cost[i, j] * kept / (1.0 - d)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_flows(payoff, i, steps, cost, u_sq, delta):  # type: ignore[no-untyped-def]
    """Add every party's payoff flows over the war's ``steps`` steps."""
    for j in range(payoff.shape[1]):
        payoff[i, j] += flows(i, j, steps, cost, u_sq, delta)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def mark_live_checkpoint(accrued, alive, i, c, t, cost, u_sq, delta):  # type: ignore[no-untyped-def]
    """Record, at checkpoint ``c`` (step ``t``) of a war still going, the flows so far."""
    for j in range(accrued.shape[2]):
        accrued[i, c, j] = flows(i, j, t, cost, u_sq, delta)
    alive[i, c] = 1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_victory(payoff, i, t_end, side, u_win, delta):  # type: ignore[no-untyped-def]
    """Add every party's discounted value of ``side``'s decisive victory at ``t_end``."""
    for j in range(payoff.shape[1]):
        payoff[i, j] += delta[i, j] ** t_end * u_win[j, side]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_status_quo(payoff, i, t_end, u_sq, delta):  # type: ignore[no-untyped-def]
    """Add every party's discounted value of the status quo from ``t_end`` on."""
    for j in range(payoff.shape[1]):
        payoff[i, j] += delta[i, j] ** t_end * u_sq[i, j]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_catastrophe(payoff, i, t_end, u_sq, delta, loss):  # type: ignore[no-untyped-def]
    """Catastrophic escalation at ``t_end``: the status quo, less a catastrophic ``loss``."""
    for j in range(payoff.shape[1]):
        payoff[i, j] += delta[i, j] ** t_end * (u_sq[i, j] - loss)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def mark_checkpoint(accrued, alive, payoff, i, c, is_alive):  # type: ignore[no-untyped-def]
    """Record path ``i``'s payoff so far and whether its war goes on, at checkpoint ``c``."""
    for j in range(payoff.shape[1]):
        accrued[i, c, j] = payoff[i, j]
    alive[i, c] = is_alive


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def record_band(hist, v, b, x, lo, hi):  # type: ignore[no-untyped-def]
    """Count value ``x`` of variable ``v`` at band ``b`` in a fixed-range histogram."""
    bins = hist.shape[2]
    k = int((x - lo[v]) / (hi[v] - lo[v]) * bins)
    k = min(max(k, 0), bins - 1)
    hist[v, b, k] += 1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def record_frozen(tail_hist, tail_sum, v, b, x, lo, hi):  # type: ignore[no-untyped-def]
    """Count value ``x`` of variable ``v`` at every band from ``b`` on, in O(1).

    A finished war's state no longer changes; instead of adding it to each remaining
    band, it is added once here and spread by a cumulative sum over bands afterwards.
    """
    if b < tail_hist.shape[1]:
        record_band(tail_hist, v, b, x, lo, hi)
        tail_sum[v, b] += x


@njit(cache=True, nogil=True, error_model="numpy")
def histogram_chunk(trace, n_paths, hist, partial, lo, hi):  # type: ignore[no-untyped-def]
    """Add the banded values ``trace[band, variable, path]`` of ``n_paths`` paths.

    Kernels write each path's values into a column of ``trace`` as they go and call this
    every ``trace.shape[2]`` paths (a thousand or so, so that the buffer stays in cache).
    Each (band, variable) row of values is contiguous: its bins are computed in one loop
    the compiler vectorises, then counted into the histogram row, which stays in cache.
    The band sums are kept as four partial sums ``partial[variable, band, path % 4]``,
    which break the dependency chain of one sum, and are carried from chunk to chunk:
    with chunks of a multiple of 4 paths, every value goes to the same partial sum in
    the same order however the block is chunked (values past the block's last multiple
    of 4, all in its last chunk, go to the first). :func:`add_partial_sums` adds them
    up at the end of the block.
    """
    bins = hist.shape[2]
    k = np.empty(trace.shape[2], np.int64)
    whole = n_paths - n_paths % 4
    for b in range(trace.shape[0]):
        for v in range(trace.shape[1]):
            row = trace[b, v]
            low = lo[v]
            scale = bins / (hi[v] - lo[v])
            for i in range(n_paths):
                k[i] = min(max(int((row[i] - low) * scale), 0), bins - 1)
            counts = hist[v, b]
            for i in range(n_paths):
                counts[k[i]] += 1
            s0, s1, s2, s3 = partial[v, b, 0], partial[v, b, 1], partial[v, b, 2], partial[v, b, 3]
            for i in range(0, whole, 4):
                s0 += row[i]
                s1 += row[i + 1]
                s2 += row[i + 2]
                s3 += row[i + 3]
            for i in range(whole, n_paths):
                s0 += row[i]
            partial[v, b, 0], partial[v, b, 1], partial[v, b, 2], partial[v, b, 3] = s0, s1, s2, s3


@njit(cache=True, nogil=True, error_model="numpy")
def add_partial_sums(partial, sums):  # type: ignore[no-untyped-def]
    """Add a block's partial band sums (:func:`histogram_chunk`) to ``sums[variable, band]``."""
    for v in range(partial.shape[0]):
        for b in range(partial.shape[1]):
            sums[v, b] += (partial[v, b, 0] + partial[v, b, 1]) + (
                partial[v, b, 2] + partial[v, b, 3]
            )


def empty_outputs(
    n: int, plan_c: int, n_features: int, n_parties: int, n_vars: int
) -> dict[str, np.ndarray]:
    """Per-path output arrays of one block (filled by a kernel)."""
    return {
        "event": np.zeros(n, np.int8),
        "winner": np.full(n, -1, np.int8),
        "end_step": np.zeros(n, np.int32),
        "payoff": np.zeros((n, n_parties)),
        "final": np.zeros((n, n_vars)),
        # float32: ample for regression features, and half the memory of a large run
        "features": np.zeros((n, plan_c, n_features), np.float32),
        "accrued": np.zeros((n, plan_c, n_parties), np.float32),
        "alive": np.zeros((n, plan_c), np.uint8),
    }
