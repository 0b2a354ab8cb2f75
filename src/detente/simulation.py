"""One entry point for a run: load the scenario, simulate the war, collect a Result.

(DESIGN.md names this module ``simulate.py``; it is ``simulation.py`` so that the
module does not shadow the function ``detente.simulate``.)

The bargaining window and the negotiation join this pipeline in later issues
(shared/DESIGN.md §5: a war-only pass for outside options, then war and talks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from detente import __version__
from detente.engines import run_war
from detente.results import Result
from detente.scenario import Scenario, load

DEFAULT_PATHS = 20_000


def simulate(
    scenario: Scenario | str | Path,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    horizon: int | None = None,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Simulate a scenario's war over Monte Carlo paths.

    Parameters
    ----------
    scenario
        A loaded scenario, a built-in name or a file path.
    paths
        Number of paths; uncertain parameters are drawn independently on each.
    seed
        Random seed. The same seed gives the same numbers for any thread count.
    horizon
        Steps to simulate (default: the scenario's ``time.horizon``).
    threads
        Worker threads (default: ``NUMBA_NUM_THREADS``).
    progress
        Called as ``progress(blocks_done, blocks_total)`` while the run goes on.

    Returns
    -------
    Result
        Outcome shares, final states, payoffs and duration, with Monte Carlo errors.

    Examples
    --------
    >>> import detente as dt
    >>> res = dt.simulate("fearon", paths=10_000, seed=1)
    >>> round(res.payoff_stats()["A"]["mean"], 1)   # Fearon: p - c_A = 0.5 - 0.1
    0.4
    """
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    war = run_war(sc, paths=paths, seed=seed, horizon=horizon, threads=threads, progress=progress)
    meta = {
        "scenario": sc.name,
        "source": sc.source,
        "digest": sc.digest(),
        "variant": sc.variant,
        "seed": seed,
        "paths": paths,
        "horizon": war.plan.horizon,
        "time_unit": sc.time.unit,
        "detente_version": __version__,
    }
    return Result(war, meta)
