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

from detente.engines import _kernel, _truce
from detente.engines.base import Engine, EngineError, Plan, Variable, scratch_buffer
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
    checkpoint_features: NDArray[np.float32]  # (paths, checkpoints, features)
    accrued: NDArray[np.float32]  # (paths, checkpoints, parties): payoff before each checkpoint
    alive: NDArray[np.uint8]  # (paths, checkpoints)
    band_hist: NDArray[np.int64]  # (banded variables, band steps, bins)
    band_sum: NDArray[np.float64]  # (banded variables, band steps): sums, for band means
    cost: NDArray[np.float64] | None = None  # (paths, parties): each path's drawn war cost

    @property
    def banded(self) -> list[Variable]:
        """The variables that have per-step bands, in the order of ``band_hist``."""
        return [v for v in self.variables if v.banded]


class _Inputs:
    """Per-path inputs of a run: what is fixed is built once, what is uncertain per block.

    Uncertain values are drawn in a fixed order -- the engine's parameters, then each
    party's cost, then its discount factor, then uncertain status quos -- each as a whole
    block's worth of draws, so that every block's stream is used the same way.
    """

    def __init__(self, scenario: Scenario, engine: Engine) -> None:
        self.scenario = scenario
        parties = list(scenario.parties)
        war_cost = getattr(scenario.war, "cost", {})
        self.params = [q for _, q in engine.parameters(scenario)]
        self.cost = [war_cost.get(p, 0.0) for p in parties]
        self.delta = [scenario.time.discount.get(p, 1.0) for p in parties]
        self.status_quo = {
            name: issue.status_quo
            for name, issue in scenario.issues.items()
            if isinstance(issue, ContinuousIssue)
            and issue.status_quo is not None
            and values.is_uncertain(issue.status_quo)
        }
        self.fixed_u_sq = np.array(
            [utility.status_quo_utility(scenario, p, {})[0] for p in parties]
        )
        sides = scenario.sides()
        assert sides is not None
        packages = [utility.ideal_package(scenario, s) for s in sides]
        self.u_win = np.ascontiguousarray(
            [[utility.utility(scenario, p, pkg) for pkg in packages] for p in parties],
            dtype=float,
        )

    @staticmethod
    def _table(
        quantities: list[float | Distribution],
        rng: np.random.Generator,
        n: int,
        out: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        table = np.empty((n, len(quantities))) if out is None else out
        table[...] = np.array([values.mean(q) for q in quantities], dtype=float)
        for k, q in enumerate(quantities):
            if values.is_uncertain(q):  # a whole block's draws, then this block's paths
                table[:, k] = values.sample(q, rng, BLOCK_SIZE)[:n]
        return table

    def block(
        self, rng: np.random.Generator, n: int, scratch: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        """Draw one block's parameters and payoff inputs.

        With a thread's ``scratch`` dict, the parameter table is written into a buffer
        kept there and reused from block to block (a fresh one is page-faulted in again
        each block); the engine must not keep it beyond the block.
        """
        buffer = None
        if scratch is not None:
            shape = (BLOCK_SIZE, len(self.params))
            buffer = scratch_buffer(scratch, "params_table", shape)[:n]
        params = self._table(self.params, rng, n, buffer)
        cost = self._table(self.cost, rng, n)
        delta = self._table(self.delta, rng, n)
        if self.status_quo:
            drawn = {k: values.sample(q, rng, BLOCK_SIZE)[:n] for k, q in self.status_quo.items()}
            u_sq = np.column_stack(
                [utility.status_quo_utility(self.scenario, p, drawn) for p in self.scenario.parties]
            )
        else:
            u_sq = np.tile(self.fixed_u_sq, (n, 1))
        return params, {"cost": cost, "delta": delta, "u_sq": u_sq, "u_win": self.u_win}


def run_war(
    scenario: Scenario,
    *,
    paths: int,
    seed: int,
    horizon: int | None = None,
    first_block: int = 0,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    truce: _truce.Truce | None = None,
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
    truce
        Per path, a ceasefire ``(start step or -1, end step, each party's value of the
        deal)`` (see :mod:`detente.engines._truce`); default: war throughout.

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
    if truce is not None and not engine.supports_truce:
        raise EngineError(f"the {engine.name} engine cannot pause its war for a ceasefire yet")
    steps = engine.fixed_horizon or horizon or scenario.time.horizon
    if steps != scenario.time.horizon:  # engines size their bands from the scenario's clock
        scenario = scenario.model_copy(
            update={"time": scenario.time.model_copy(update={"horizon": steps})}
        )
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
    n_banded = sum(v.banded for v in variables)
    hist_shape = (n_banded, n_bands, BAND_BINS)
    sum_shape = (n_banded, n_bands)
    # Histogram counts are integers, so each thread may keep its own and add them up
    # in any order; band sums are floats, so they are kept per block, added in order.
    local = threading.local()
    thread_hists: list[dict[str, NDArray[np.int32]]] = []

    inputs_of = _Inputs(scenario, engine)
    if truce is None:
        truce = _truce.no_truce(paths, len(parties))
    drawn_cost = np.empty((paths, len(parties)))

    def one_block(b: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if not hasattr(local, "hists"):
            # int32 per thread (a thread counts at most `paths` values per bin)
            local.hists = {k: np.zeros(hist_shape, np.int32) for k in ("band_hist", "tail_hist")}
            local.scratch = {}
            thread_hists.append(local.hists)
        start = b * BLOCK_SIZE
        n = min(BLOCK_SIZE, paths - start)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(first_block + b,)))
        params, inputs = inputs_of.block(rng, n, local.scratch)
        inputs["truce"] = tuple(np.ascontiguousarray(a[start : start + n]) for a in truce)
        drawn_cost[start : start + n] = inputs["cost"]
        view: dict[str, Any] = {key: array[start : start + n] for key, array in out.items()}
        view.update(local.hists)
        view["scratch"] = local.scratch  # per-thread buffers an engine may reuse
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
        cost=drawn_cost,
    )
