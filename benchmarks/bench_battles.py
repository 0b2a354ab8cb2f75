"""Benchmark: the `battles` engine against a plain NumPy version of the same step.

Both simulate the built-in `battles` scenario (front step 0.1, p_win 0.55, Beta
beliefs for both sides, a cost per engagement) on the same number of paths until every
path is absorbed or the horizon; the figure of merit is path-steps per second, where
a path-step is one engagement actually fought. The numba engine also records
checkpoint features, accrued payoffs and quantile bands, which the NumPy loop skips.

Run:  python benchmarks/bench_battles.py [--paths 1000000]
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numba
import numpy as np

import detente as dt
from detente.engines import run_war


def numpy_battles(paths: int, seed: int, horizon: int) -> tuple[int, float]:
    """The same engagement step, vectorised across paths with NumPy (step-major)."""
    rng = np.random.default_rng(seed)
    p = np.full(paths, 0.55)
    start, step = 0.5, 0.1
    n_up, n_down = math.ceil((1 - start) / step - 1e-9), math.ceil(start / step - 1e-9)
    k = np.zeros(paths, np.int64)
    alpha = np.tile([6.0, 4.0], (paths, 1))
    beta = np.tile([4.0, 6.0], (paths, 1))
    payoff = np.zeros((paths, 2))
    cost = np.array([0.01, 0.01])
    alive = np.ones(paths, bool)
    winner = np.full(paths, -1)
    steps = 0
    for _ in range(horizon):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        steps += idx.size
        payoff[idx] -= cost
        w = rng.random(idx.size) < p[idx]
        k[idx] += np.where(w, 1, -1)
        alpha[idx] += w[:, None]
        beta[idx] += (~w)[:, None]
        up, down = k[idx] >= n_up, k[idx] <= -n_down
        winner[idx[up]] = 0
        winner[idx[down]] = 1
        payoff[idx[up], 0] += 1.0
        payoff[idx[down], 1] += 1.0
        alive[idx[up | down]] = False
    return steps, float((winner == 0).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sc = dt.load("battles")
    horizon = sc.time.horizon
    run_war(sc, paths=5000, seed=0)  # compile (or load numba's cache) before timing

    print(f"# battles engine, {args.paths:,} paths, horizon {horizon}")
    print(
        f"# {platform.processor() or platform.machine()}, numba {numba.__version__}, "
        f"numpy {np.__version__}, NUMBA_NUM_THREADS={numba.get_num_threads()}"
    )
    print("| implementation | threads | wall s (best) | path-steps | M path-steps/s | P(A wins) |")
    print("|---|---|---|---|---|---|")
    one_checkpoint = dt.load("battles", overrides=[f"time.checkpoint_every={horizon}"])
    cases = [
        ("numba engine, 40 checkpoints + bands", sc, 1),
        ("numba engine, 40 checkpoints + bands", sc, 2),
        ("numba engine, 1 checkpoint + bands", one_checkpoint, 1),
        ("numba engine, 1 checkpoint + bands", one_checkpoint, 2),
    ]
    for label, scenario, threads in cases:
        best, rec = math.inf, None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            rec = run_war(scenario, paths=args.paths, seed=1, threads=threads)
            best = min(best, time.perf_counter() - t0)
        assert rec is not None
        steps = int(rec.end_step.sum())
        print(
            f"| {label} | {threads} | {best:.2f} | {steps:,} | "
            f"{steps / best / 1e6:.1f} | {(rec.winner == 0).mean():.4f} |"
        )
    best, steps, share = math.inf, 0, 0.0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        steps, share = numpy_battles(args.paths, 1, horizon)
        best = min(best, time.perf_counter() - t0)
    print(
        f"| plain NumPy (no recording) | 1 | {best:.2f} | {steps:,} | "
        f"{steps / best / 1e6:.1f} | {share:.4f} |"
    )


if __name__ == "__main__":
    main()
