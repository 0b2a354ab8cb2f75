"""Wall time of `detente run` on the default scenario, stage by stage.

Run: ``python benchmarks/bench_run.py [--repeat 3] [--paths 20000]``. Prints a Markdown
table: the machine's load when each repetition started, and the seconds spent
simulating the war, analysing the window and negotiating, evaluating the claims,
summarising (the window's summary: extents and solution points) and printing, for the
default 20,000 paths with numba's cache warm (a first warm-up run is not counted).
The whole command (``detente run``, a fresh process, imports included) is timed too.
"""

import argparse
import itertools
import os
import subprocess
import sys
import time

from rich.console import Console

from detente.report.terminal import print_run_summary
from detente.simulation import simulate


def stages(paths: int) -> dict[str, float]:
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    result = simulate(
        "ukraine-2025", paths=paths, stage=lambda s: marks.append((s, time.perf_counter()))
    )
    marks.append(("summary", time.perf_counter()))
    doc = result.summary()
    marks.append(("print", time.perf_counter()))
    with open(os.devnull, "w") as sink:
        print_run_summary(Console(width=100, file=sink), doc)
    marks.append(("end", time.perf_counter()))
    found = {}
    for (name, t), (_, t_next) in itertools.pairwise(marks):
        found[name] = t_next - t
    found["total (in process)"] = marks[-1][1] - start
    return found


def command(paths: int) -> float:
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "detente.cli", "run", "--quiet", "--paths", str(paths)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paths", type=int, default=20_000)
    args = parser.parse_args()
    stages(2_000)  # warm numba's cache and the imports
    rows = []
    for _ in range(args.repeat):
        load = os.getloadavg()[0]
        found = stages(args.paths)
        found["detente run (fresh process)"] = command(args.paths)
        rows.append((load, found))
    names = list(rows[0][1])
    print("| load (1 min) | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for load, found in rows:
        print(f"| {load:.2f} | " + " | ".join(f"{found[n]:.1f}" for n in names) + " |")


if __name__ == "__main__":
    main()
