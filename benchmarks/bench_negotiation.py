"""Heuristic alternating offers (detente.negotiation.alternating) vs NegMAS's SAOMechanism.

Domain: 3 issues x 10 levels (1,000 packages), random linear-additive utilities (Dirichlet
issue weights; each party's value of an issue's levels is a sorted uniform draw, rising
for A and falling for B, so the issues are opposed but weighted differently). Outside
options uniform on [0, 0.7] of each party's range, estimates of the other's = truth +
N(0, 0.1). Mixed strategies: the 25 ordered pairs of the 5 strategies, equal shares.
A "round" is one offer; NegMAS's step has both parties offer, so its 100 steps are our
200 rounds (both rows are shown).

Run: python benchmarks/bench_negotiation.py [--negotiations 1000000] [--negmas 20]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time
import warnings

import numba
import numpy as np

from detente.negotiation.alternating import STRATEGIES, alternating


def load() -> tuple[float, float, float]:
    """The 1, 5 and 15-minute load averages, as ``uptime`` prints them."""
    return os.getloadavg()


def domain(rng: np.random.Generator, parties: int = 2):
    levels = np.array(list(itertools.product(range(10), repeat=3)))
    weights = rng.dirichlet(np.ones(3), size=parties)
    values = np.sort(rng.random((parties, 3, 10)), axis=2)
    values[1::2] = values[1::2, :, ::-1]  # B (and every other party) prefers low levels
    u = np.zeros((len(levels), parties))
    for i in range(parties):
        for k in range(3):
            u[:, i] += weights[i, k] * values[i, k, levels[:, k]]
    return levels, weights, values, u


def draws(rng: np.random.Generator, u: np.ndarray, n_neg: int):
    lo, hi = u.min(axis=0), u.max(axis=0)
    n = u.shape[1]
    res = lo + rng.uniform(0.0, 0.7, (n_neg, n)) * (hi - lo)
    est = res[:, None, :] + rng.normal(0.0, 0.1, (n_neg, n, n)) * (hi - lo)
    return res, est


def run_mixed(u, res, est, rounds, threads):
    n = u.shape[1]
    pairs = list(itertools.product(STRATEGIES.values(), repeat=n))
    if len(pairs) > 25:
        pairs = pairs[:: len(pairs) // 25][:25]
    share = len(res) // len(pairs)
    agreed = 0
    when = 0
    for c, s in enumerate(pairs):
        rows = slice(c * share, (c + 1) * share)
        ag, _, rd = alternating(u, res[rows], est[rows], np.array(s), rounds, threads=threads)
        agreed += int(ag.sum())
        when += int(rd[ag].sum())
    return share * len(pairs), agreed, when


def bench_ours(u, res, est, rounds, threads, reps):
    run_mixed(u, res[:1000], est[:1000], rounds, threads)  # compile / load the cache
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        total, agreed, when = run_mixed(u, res, est, rounds, threads)
        times.append(time.perf_counter() - t0)
    best = min(times)
    return {
        "wall": best,
        "median": statistics.median(times),
        "rate": total / best,
        "agree": agreed / total,
        "round": when / max(agreed, 1),
        "n": total,
    }


def bench_negmas(weights, values, res, n_neg):
    from negmas import SAOMechanism, make_issue
    from negmas.outcomes import make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun
    from negmas.sao import BoulwareTBNegotiator, ConcederTBNegotiator

    warnings.filterwarnings("ignore")
    issues = [make_issue(10, name=f"i{k}") for k in range(3)]
    space = make_os(issues)

    def ufun(i, reserved):
        tables = [TableFun(dict(enumerate(values[i, k].tolist()))) for k in range(3)]
        return LinearAdditiveUtilityFunction(
            values=tables,
            weights=weights[i].tolist(),
            outcome_space=space,
            reserved_value=float(reserved),
        )

    def one(p):
        m = SAOMechanism(outcome_space=space, n_steps=100)
        m.add(BoulwareTBNegotiator(name="A"), ufun=ufun(0, res[p, 0]))
        m.add(ConcederTBNegotiator(name="B"), ufun=ufun(1, res[p, 1]))
        return m.run()

    one(0)  # warm-up
    t0 = time.perf_counter()
    states = [one(p) for p in range(n_neg)]
    wall = time.perf_counter() - t0
    agreed = [s for s in states if s.agreement is not None]
    return {
        "wall": wall,
        "rate": n_neg / wall,
        "agree": len(agreed) / n_neg,
        "steps": statistics.mean(s.step for s in agreed) if agreed else float("nan"),
        "n": n_neg,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--negotiations", type=int, default=1_000_000)
    parser.add_argument("--negmas", type=int, default=20, help="NegMAS runs (0: skip)")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    print(f"python {platform.python_version()}, numba {numba.__version__}, "
          f"numpy {np.__version__}, cpus {os.cpu_count()}")  # fmt: skip
    print("load average before (as uptime shows it): {:.2f} {:.2f} {:.2f}\n".format(*load()))
    rng = np.random.default_rng(2026)
    _, weights, values, u = domain(rng)
    res, est = draws(rng, u, args.negotiations)

    print("| implementation | parties | rounds (offers) | threads | negotiations | wall s (best) "
          "| negotiations/s | agreed | mean agreement round |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for rounds in (100, 200):
        for threads in (1, 2):
            r = bench_ours(u, res, est, rounds, threads, args.reps)
            print(f"| detente `alternating`, 25 strategy pairs | 2 | {rounds} | {threads} "
                  f"| {r['n']:,} | {r['wall']:.3f} | {r['rate']:,.0f} | {r['agree']:.3f} "
                  f"| {r['round']:.1f} |")  # fmt: skip
    # three parties: offers need each negotiation's estimates (incremental prefix scan)
    _, _, _, u3 = domain(np.random.default_rng(3), parties=3)
    n3 = max(args.negotiations // 10, 25)
    res3, est3 = draws(np.random.default_rng(4), u3, n3)
    for threads in (1, 2):
        r = bench_ours(u3, res3, est3, 100, threads, args.reps)
        print(f"| detente `alternating`, 25 strategy triples | 3 | 100 | {threads} "
              f"| {r['n']:,} | {r['wall']:.3f} | {r['rate']:,.0f} | {r['agree']:.3f} "
              f"| {r['round']:.1f} |")  # fmt: skip
    if args.negmas:
        r = bench_negmas(weights, values, res, args.negmas)
        print(f"| NegMAS SAOMechanism, Boulware vs Conceder | 2 | 100 steps (~200) | 1 "
              f"| {r['n']:,} | {r['wall']:.3f} | {r['rate']:,.1f} | {r['agree']:.3f} "
              f"| {r['steps']:.1f} steps |")  # fmt: skip
    print("\nload average after: {:.2f} {:.2f} {:.2f}".format(*load()))


if __name__ == "__main__":
    main()
