"""One entry point for a run: load the scenario, simulate the war, analyse it, collect a Result.

(DESIGN.md names this module ``simulate.py``; it is ``simulation.py`` so that the
module does not shadow the function ``detente.simulate``.)

A run simulates the war as it happens once. The analyses reuse that record: the
negotiation and the settlement window it rests on (each required party's outside
options, the slack, ripeness and the commitment check) are computed on its first
``analysis_paths`` paths, and the scenario's claims are evaluated on the lot. Blocks of
paths are seeded by their index, so the first ``n`` paths of a run are the same paths
whatever the total: the analyses see exactly the wars the outcome shares are counted
on, only fewer of them.

Deals are then fed back into that war (``detente.negotiation.coupling``; DESIGN.md §5):
the paths with a deal are fought again with a ceasefire from the deal's step, which
breaks down when a party's updated value of fighting on exceeds the deal's value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from detente import __version__
from detente.engines import WarRecord, run_war
from detente.negotiation import Negotiation, negotiate
from detente.results import Result
from detente.scenario import Scenario, load

DEFAULT_PATHS = 20_000

ANALYSIS_PATHS = 4_096
"""Default paths of the window and negotiation analyses (one block of the engine).

The window fits one least-squares regression per party view and checkpoint and
enumerates packages; at 20,000 paths it takes most of a minute on the default scenario,
at 4,096 a few seconds (benchmarks/README.md). Its shares then carry a binomial s.e.
of at most 0.8 points, which the claims report."""

Progress = Callable[[int, int], None]


def head(record: WarRecord, n: int) -> WarRecord:
    """The first ``n`` paths of a war record (the same paths a run of ``n`` would make).

    Every per-path array (first axis of length ``paths``) is sliced -- views, no copies.
    The band histograms are whole-run aggregates and are kept as they are: the analyses
    do not read them.
    """
    if n >= record.paths:
        return record
    sliced: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name in ("band_hist", "band_sum") or not isinstance(value, np.ndarray):
            continue
        if value.ndim >= 1 and value.shape[0] == record.paths:
            sliced[f.name] = value[:n]
    return dataclasses.replace(record, paths=n, **sliced)


def negotiate_on(scenario: Scenario, record: WarRecord, *, seed: int) -> Negotiation:
    """Run the scenario's negotiation on a simulated war, feeding its deals back into it.

    It is handed the war record, so that the war as it happens is not simulated twice.
    """
    return negotiate(
        scenario, paths=record.paths, seed=seed, horizon=record.plan.horizon, record=record
    )


def simulate(
    scenario: Scenario | str | Path,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    horizon: int | None = None,
    threads: int | None = None,
    progress: Progress | None = None,
    analyse: bool = True,
    analysis_paths: int | None = None,
    stage: Callable[[str], None] | None = None,
) -> Result:
    """Simulate a scenario's war over Monte Carlo paths, and analyse it.

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
        Called as ``progress(blocks_done, blocks_total)`` while the war is simulated.
    analyse
        Also analyse the settlement window, run the negotiation (its deals fed back
        into the war) and evaluate the scenario's claims.
    analysis_paths
        Paths of the window and negotiation analyses: the first ones of the war
        (default: ``min(paths, ANALYSIS_PATHS)``).
    stage
        Called with a short label as each stage starts (for progress displays).

    Returns
    -------
    Result
        Outcome shares, final states, payoffs and duration, with Monte Carlo errors;
        with ``analyse``, also the window, the negotiation and the claims.

    Examples
    --------
    >>> import detente as dt
    >>> res = dt.simulate("fearon", paths=10_000, seed=1, analyse=False)
    >>> round(res.payoff_stats()["A"]["mean"], 1)   # Fearon: p - c_A = 0.5 - 0.1
    0.4
    """
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    say = stage or (lambda _label: None)
    say("simulating the war")
    war = run_war(sc, paths=paths, seed=seed, horizon=horizon, threads=threads, progress=progress)
    meta: dict[str, Any] = {
        "scenario": sc.name,
        "title": sc.title,
        "source": sc.source,
        "digest": sc.digest(),
        "variant": sc.variant,
        "seed": seed,
        "paths": paths,
        "horizon": war.plan.horizon,
        "time_unit": sc.time.unit,
        "start": sc.time.start.isoformat() if sc.time.start is not None else None,
        "detente_version": __version__,
        "labels": {name: party.label or name for name, party in sc.parties.items()},
    }
    result = Result(war, meta)
    if not analyse:
        return result
    n = min(paths, analysis_paths or ANALYSIS_PATHS)
    meta["analysis_paths"] = n
    analysed = head(war, n)
    say("analysing the window and negotiating")
    result.negotiation = negotiate_on(sc, analysed, seed=seed)
    # The negotiation analyses the window on the way; reuse it rather than redo it.
    result.window = result.negotiation.window
    if result.window is None:
        from detente.bargaining.window import window as analyse_window

        say("analysing the settlement window")
        result.window = analyse_window(sc, record=analysed)
    say("evaluating the claims")
    from detente.claims import evaluate

    result.claims = evaluate(result)
    return result
