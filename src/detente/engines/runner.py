"""Running an engine over many paths: blocks, seeds, threads, and what is kept.

Paths are processed in fixed-size blocks of :data:`BLOCK_SIZE`. Block ``b`` draws all
its randomness -- per-path parameters first, then the engine's own draws -- from one
``numpy.random.Generator`` seeded by ``SeedSequence(seed, spawn_key=(b,))``. Blocks are
independent, so the same seed gives the same numbers for any number of threads, and
block ``b`` can be computed anywhere (another process, another machine) with the same
result. Parameters are always drawn for a whole block, so the first ``n`` paths of a
run are the same whatever the total number of paths.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from detente.engines import _kernel
from detente.engines.base import Engine, EngineError, Plan, Variable
from detente.scenario import utility, values
from detente.scenario.model import ContinuousIssue, Scenario
from detente.scenario.values import Distribution

BLOCK_SIZE = 4096
"""Paths per block: the unit of randomness and of parallel work."""

BAND_BINS = 512
"""Bins of the fixed-range histograms behind quantile bands (resolution: range / 512)."""


@dataclass
class WarRecord:
    """Everything an engine run keeps, per path and per checkpoint (no paths x steps)."""

    scenario: Scenario
    engine: str
    seed: int
    paths: int
    first_block: int
    plan: Plan
    parties: list[str]
    sides: tuple[str, str]
    features: list[str]
    variables: list[Variable]
    event: NDArray[np.int8]
    winner: NDArray[np.int8]  # index into ``sides``; -1 if none
    end_step: NDArray[np.int32]
    payoff: NDArray[np.float64]  # (paths, parties)
    final: NDArray[np.float64]  # (paths, variables)
    checkpoint_features: NDArray[np.float64]  # (paths, checkpoints, features)
    accrued: NDArray[np.float64]  # (paths, checkpoints, parties): payoff before each checkpoint
    alive: NDArray[np.uint8]  # (paths, checkpoints)
    band_hist: NDArray[np.int64]  # (variables, band steps, bins)
    band_sum: NDArray[np.float64]  # (variables, band steps): sums, for band means


def _block_inputs(
    scenario: Scenario, engine: Engine, rng: np.random.Generator, n: int
) -> tuple[NDArray[np.float64], dict[str, Any]]:
    """Draw one block's per-path parameters and payoff inputs, in a fixed order."""

    def draw(q: float | Distribution) -> NDArray[np.float64]:
        return values.sample(q, rng, BLOCK_SIZE)[:n]  # a whole block's draws, then this block

    params = np.array([draw(q) for _, q in engine.parameters(scenario)]).reshape(-1, n).T
    parties = list(scenario.parties)
    war_cost = getattr(scenario.war, "cost", {})
    cost = np.column_stack([draw(war_cost.get(p, 0.0)) for p in parties])
    delta = np.column_stack([draw(scenario.time.discount.get(p, 1.0)) for p in parties])
    uncertain_sq = {
        name: draw(issue.status_quo)
        for name, issue in scenario.issues.items()
        if isinstance(issue, ContinuousIssue)
        and issue.status_quo is not None
        and values.is_uncertain(issue.status_quo)
    }
    u_sq = np.column_stack(
        [
            np.broadcast_to(utility.status_quo_utility(scenario, p, uncertain_sq), (n,))
            for p in parties
        ]
    )
    sides = scenario.sides()
    assert sides is not None
    packages = [utility.ideal_package(scenario, s) for s in sides]
    u_win = np.array([[utility.utility(scenario, p, pkg) for pkg in packages] for p in parties])
    inputs = {
        "cost": np.ascontiguousarray(cost),
        "delta": np.ascontiguousarray(delta),
        "u_sq": np.ascontiguousarray(u_sq),
        "u_win": np.ascontiguousarray(u_win),
    }
    return np.ascontiguousarray(params, dtype=float), inputs


def run_war(
    scenario: Scenario,
    *,
    paths: int,
    seed: int,
    horizon: int | None = None,
    first_block: int = 0,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WarRecord:
    """Simulate the scenario's war on ``paths`` paths.

    Parameters
    ----------
    scenario
        A validated scenario with a ``war`` block.
    paths
        Number of Monte Carlo paths.
    seed
        Root seed; block ``b`` uses ``SeedSequence(seed, spawn_key=(b,))``.
    horizon
        Steps to simulate (default: the scenario's ``time.horizon``).
    first_block
        Index of the first block, so that a run can be split across calls or machines:
        blocks ``k..k+m`` computed here equal those of one larger run.
    threads
        Worker threads (default: numba's thread count, ``NUMBA_NUM_THREADS``). The
        results do not depend on it.
    progress
        Called as ``progress(blocks_done, blocks_total)`` as blocks finish.

    Raises
    ------
    EngineError
        If the scenario has no war, or its engine is not available.
    """
    from detente.engines import get_engine

    if scenario.war is None:
        raise EngineError(f"scenario {scenario.name!r} has no war block to simulate")
    if paths < 1:
        raise EngineError("paths must be at least 1")
    engine = get_engine(scenario.war.engine)
    steps = engine.fixed_horizon or horizon or scenario.time.horizon
    plan = Plan.for_scenario(scenario, steps)
    sides = scenario.sides()
    assert sides is not None  # the scenario checks guarantee two sides for an engine
    parties = list(scenario.parties)
    features = engine.features(scenario)
    variables = engine.variables(scenario)
    n_bands = len(plan.band_steps)
    n_blocks = -(-paths // BLOCK_SIZE)
    # Whole-run outputs, filled block by block through views (no copies, no stacking).
    out = _kernel.empty_outputs(
        paths, len(plan.checkpoints), len(features), len(parties), len(variables)
    )
    hist_shape = (len(variables), n_bands, BAND_BINS)
    sum_shape = (len(variables), n_bands)
    # Histogram counts are integers, so each thread may keep its own and add them up
    # in any order; band sums are floats, so they are kept per block, added in order.
    local = threading.local()
    thread_hists: list[dict[str, NDArray[np.int64]]] = []

    def one_block(b: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if not hasattr(local, "hists"):
            local.hists = {k: np.zeros(hist_shape, np.int64) for k in ("band_hist", "tail_hist")}
            thread_hists.append(local.hists)
        start = b * BLOCK_SIZE
        n = min(BLOCK_SIZE, paths - start)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(first_block + b,)))
        params, inputs = _block_inputs(scenario, engine, rng, n)
        view = {key: array[start : start + n] for key, array in out.items()}
        view.update(local.hists)
        view["band_sum"] = np.zeros(sum_shape)
        view["tail_sum"] = np.zeros(sum_shape)
        engine.run_block(scenario, params, inputs, rng, plan, view)
        return view["band_sum"], view["tail_sum"]

    workers = max(1, min(threads or numba.get_num_threads(), n_blocks))
    sums = []
    with threadpool_limits(1), ThreadPoolExecutor(max_workers=workers) as pool:
        for done, block_sums in enumerate(pool.map(one_block, range(n_blocks)), 1):
            sums.append(block_sums)  # in block order
            if progress is not None:
                progress(done, n_blocks)

    band_hist = np.zeros(hist_shape, np.int64)
    for hists in thread_hists:
        band_hist += hists["band_hist"] + np.cumsum(hists["tail_hist"], axis=1)
    band_sum = np.zeros(sum_shape)
    for block_sum, tail_sum in sums:
        band_sum += block_sum + np.cumsum(tail_sum, axis=1)
    return WarRecord(
        scenario=scenario,
        engine=engine.name,
        seed=seed,
        paths=paths,
        first_block=first_block,
        plan=plan,
        parties=parties,
        sides=sides,
        features=features,
        variables=variables,
        event=out["event"],
        winner=out["winner"],
        end_step=out["end_step"],
        payoff=out["payoff"],
        final=out["final"],
        checkpoint_features=out["features"],
        accrued=out["accrued"],
        alive=out["alive"],
        band_hist=band_hist,
        band_sum=band_sum,
    )
