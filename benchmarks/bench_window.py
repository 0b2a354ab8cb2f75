"""Benchmark: the window analysis on the default scenario.

Simulates `ukraine-2025` (26 checkpoints over 104 weeks; 4 required parties: Russia,
Ukraine and the US at the table, Europe ratifying; 8 issues) on N paths, the actual war
and each required party's view of it, then times the bargaining analysis on those
records alone (`detente.bargaining.window.analyse_window`): the least-squares outside
options of every party under its own view, each party's estimate of the others', each
side's chance of winning outright, the slack on every path and checkpoint, the
hurting-stalemate and commitment checks. The simulations are the engine's benchmark
(bench_attrition.py); they are timed here too for the whole `detente window` picture.

Run:  python benchmarks/bench_window.py [--paths 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numba
import numpy as np

import detente as dt
from detente.bargaining.window import analyse_window, required_parties
from detente.engines import WarRecord, run_war
from detente.scenario import view_of


def main() -> None:
    """Time the simulations and the window analysis; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    sc = dt.load("ukraine-2025")
    analyse_window(sc, run_war(sc, paths=2000, seed=1), {})  # compile and warm up

    start = time.perf_counter()
    actual = run_war(sc, paths=args.paths, seed=0)
    views: dict[str, WarRecord] = {}
    for party in required_parties(sc):
        seen = view_of(sc, party)
        if seen is not sc:
            views[party] = run_war(seen, paths=args.paths, seed=0)
    simulated = time.perf_counter() - start

    best, cpu = np.inf, np.inf
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        w = analyse_window(sc, actual, views)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)  # every thread's CPU time
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"numba {numba.__version__}, threads {numba.get_num_threads()}, "
          f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
    print()
    print("| stage | paths | checkpoints | parties | wall s |")
    print("|---|---|---|---|---|")
    n_ckpt = len(actual.plan.checkpoints)
    n_parties = len(required_parties(sc))
    print(f"| simulate actual war + {len(views)} views | {args.paths:,} | {n_ckpt} | "
          f"{n_parties} | {simulated:.2f} |")  # fmt: skip
    print(f"| window analysis (best of {args.repeats}) | {args.paths:,} | {n_ckpt} | "
          f"{n_parties} | {best:.2f} (CPU {cpu:.2f}) |")  # fmt: skip
    print()
    print(f"peak resident memory: {peak:.2f} GB; P(open) at step 0: {w.p_open()[0]:.3f}")


if __name__ == "__main__":
    main()
