"""The settlement window over time: outside options, slack, extent and terms.

For every path of the war as it happens and every checkpoint, each required party
(those at the table and those who must ratify) values fighting on *under its own
beliefs*: its continuation value is fitted on wars simulated under its view and applied
to the actual states (least-squares Monte Carlo, ``detente.bargaining.outside``). The
window is open where some settlement gives every required party at least that much
(slack >= 0, ``detente.bargaining.space``). Where it is closed, it is closed either
because the parties' valuations differ (open if all valued the war as it truly is:
mutual optimism, Fearon 1995; Blainey 1973) or because no settlement beats even the
true value of war for all (no overlap).

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414. Blainey, G. (1973). *The Causes of War*. Free Press.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from detente.bargaining.outside import (
    ContinuationValue,
    fit_continuation,
)
from detente.bargaining.ripeness import (
    commitment_blocked,
    decisive_target,
    hurting_stalemate,
    quiet_values,
)
from detente.bargaining.solutions import (
    egalitarian,
    extents,
    kalai_smorodinsky,
    nash,
    packages,
    pareto_mask,
)
from detente.bargaining.space import (
    SettlementSpace,
    issue_bounds,
    settlement_space,
    slack,
    slack_vertices,
)
from detente.engines import WarRecord, get_engine, run_war
from detente.scenario import Scenario, utility, values, view_of

MAX_SOLUTION_PACKAGES = 5_000
"""Packages enumerated for the solutions: continuous issues get as fine a grid as fits."""


@dataclass
class Window:
    """The window on every path and checkpoint, and what it means at the start."""

    scenario: Scenario
    parties: tuple[str, ...]
    record: WarRecord  # the war as it happens
    space: SettlementSpace
    outside: NDArray[np.float64]  # (paths, checkpoints, parties), own views
    slack: NDArray[np.float64]  # (paths, checkpoints); NaN once the war is over
    common_slack: NDArray[np.float64]  # with everyone valuing the true war; only where
    # the own-view slack is negative (that is all it is read for), NaN elsewhere
    believed: NDArray[np.float32]  # (paths, checkpoints, parties, parties): i's estimate of j's
    stalemate: NDArray[np.bool_] | None  # hurting stalemate; None unless both sides must agree
    blocked: NDArray[np.bool_] | None  # commitment problem (Powell); same
    # Each required party's fitted value of fighting on (its own view): columns are the
    # record's parties, then the two sides' chances of winning outright.
    value_of: dict[str, ContinuationValue] = field(default_factory=dict)

    @property
    def checkpoints(self) -> NDArray[np.int64]:
        """Steps of the checkpoints."""
        return self.record.plan.checkpoints

    @property
    def open(self) -> NDArray[np.bool_]:
        """Where the window is open, (paths, checkpoints).

        Open: a settlement every required party prefers to fighting on exists
        (slack >= 0) and no side's rising power blocks it (Powell 2006).
        """
        found = np.nan_to_num(self.slack, nan=-1.0) >= 0
        return found if self.blocked is None else found & ~self.blocked

    def p_open(self) -> NDArray[np.float64]:
        """Share of all paths whose window is open, per checkpoint (ended wars: closed)."""
        return np.asarray(self.open.mean(axis=0), dtype=float)

    def p_hurting_stalemate(self) -> NDArray[np.float64] | None:
        """Share of paths at war in a mutually hurting stalemate, per checkpoint."""
        return None if self.stalemate is None else self._share_of_live(self.stalemate)

    def p_commitment_problem(self) -> NDArray[np.float64] | None:
        """Share of paths at war where the commitment problem closes a window, per checkpoint."""
        if self.blocked is None:
            return None
        return self._share_of_live(self.blocked & (np.nan_to_num(self.slack, nan=-1.0) >= 0))

    def _share_of_live(self, mask: NDArray[np.bool_]) -> NDArray[np.float64]:
        live = self.record.alive == 1
        return np.asarray((mask & live).sum(axis=0) / np.maximum(live.sum(axis=0), 1), dtype=float)

    def p_alive(self) -> NDArray[np.float64]:
        """Share of paths still at war, per checkpoint."""
        return np.asarray((self.record.alive == 1).mean(axis=0), dtype=float)

    def now(self) -> int | None:
        """First checkpoint at which the window is open on most paths still at war."""
        live = self.record.alive == 1
        for c in range(live.shape[1]):
            if live[:, c].any() and self.open[live[:, c], c].mean() >= 0.5:
                return c
        return None

    def summary(self) -> dict[str, Any]:
        """The window as a JSON-ready document (without ``schema_version``)."""
        live = self.record.alive == 1
        closed = live & (np.nan_to_num(self.slack, nan=-1.0) < 0)  # no settlement at all
        optimism = closed & (np.nan_to_num(self.common_slack, nan=-1.0) >= 0)
        share = self._share_of_live
        commitment, stalemate = self.p_commitment_problem(), self.p_hurting_stalemate()
        quantiles = {}
        for name, q in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
            quantiles[name] = [_q(self.slack[live[:, c], c], q) for c in range(live.shape[1])]
        doc: dict[str, Any] = {
            "parties": list(self.parties),
            "checkpoints": self.checkpoints.tolist(),
            "p_open": self.p_open().tolist(),
            "p_alive": self.p_alive().tolist(),
            "slack": quantiles,
            "outside_option": {
                p: {"mean": [_mean(self.outside[live[:, c], c, j]) for c in range(live.shape[1])]}
                for j, p in enumerate(self.parties)
            },
            "why_closed": {
                "optimism": share(optimism).tolist(),
                "no_overlap": share(closed & ~optimism).tolist(),
                "commitment": None if commitment is None else commitment.tolist(),
            },
            "ripeness": {
                "hurting_stalemate": None if stalemate is None else stalemate.tolist(),
                "way_out": share(self.open).tolist(),
                "ripe": None if self.stalemate is None
                else share(self.stalemate & self.open).tolist(),
            },
        }  # fmt: skip
        c = self.now()
        doc["now"] = None if c is None else int(self.checkpoints[c])
        doc["zopa"] = {"open": c is not None, "bounds": {}}
        doc["solutions"] = {"nash": {}, "kalai_smorodinsky": {}, "egalitarian": {}}
        if c is not None:
            rows = live[:, c] & (self.slack[:, c] >= 0)
            d = self.outside[rows, c]
            space = solution_space(self.scenario, self.parties)
            choices, utilities = packages(space)
            doc["zopa"]["bounds"] = self._bounds(d, space, choices, utilities)
            doc["solutions"] = self._solutions(d, space, choices, utilities)
        return doc

    def _bounds(
        self,
        d: NDArray[np.float64],
        space: SettlementSpace,
        choices: NDArray[np.int64],
        utilities: NDArray[np.float64],
    ) -> dict[str, list[Any]]:
        """Each issue's extent over the window.

        Exact (dual) for continuous issues; for discrete ones, the typical lowest and
        highest level among packages in the window.
        """
        low, high = extents(choices, utilities, d)
        found: dict[str, list[Any]] = {}
        vertices = slack_vertices(self.space)
        for k, issue in enumerate(self.space.issues):
            outcomes = self.space.outcomes[k]
            if all(isinstance(o, int | float) for o in outcomes):
                ends = np.nanmean(issue_bounds(self.space, issue, d, vertices), axis=0)
                found[issue] = [float(ends[0]), float(ends[1])]
            else:
                ok = low[:, k] >= 0
                levels = space.outcomes[k]
                found[issue] = [
                    _typical([levels[i] for i in low[ok, k]]),
                    _typical([levels[i] for i in high[ok, k]]),
                ]
        return found

    def _solutions(
        self,
        d: NDArray[np.float64],
        space: SettlementSpace,
        choices: NDArray[np.int64],
        utilities: NDArray[np.float64],
    ) -> dict[str, dict[str, Any]]:
        keep = pareto_mask(utilities)
        choices, utilities = choices[keep], utilities[keep]
        found: dict[str, dict[str, Any]] = {}
        for name, solve in (("nash", nash), ("kalai_smorodinsky", kalai_smorodinsky),
                            ("egalitarian", egalitarian)):  # fmt: skip
            picked = solve(utilities, d)
            picked = picked[picked >= 0]
            found[name] = {}
            for k, issue in enumerate(space.issues):
                values = [space.outcomes[k][i] for i in choices[picked, k]]
                found[name][issue] = _typical(values)
        return found


def _q(x: NDArray[np.float64], q: float) -> float | None:
    return float(np.quantile(x, q)) if x.size else None


def _mean(x: NDArray[np.float64]) -> float | None:
    return float(np.mean(x)) if x.size else None


def _typical(values: list[Any]) -> Any:
    """The mean of numbers, or the most common level."""
    if not values:
        return None
    if all(isinstance(v, int | float) for v in values):
        return float(np.mean(values))
    levels, counts = np.unique(np.array(values, dtype=object).astype(str), return_counts=True)
    return str(levels[np.argmax(counts)])


def solution_space(scenario: Scenario, parties: tuple[str, ...]) -> SettlementSpace:
    """The settlement space with continuous issues on as fine a grid as fits the budget."""
    coarse = settlement_space(scenario, parties)
    continuous = [
        k for k, o in enumerate(coarse.outcomes) if all(isinstance(v, int | float) for v in o)
    ]
    discrete = int(np.prod([len(o) for k, o in enumerate(coarse.outcomes) if k not in continuous]))
    if not continuous:
        return coarse
    grid = int((MAX_SOLUTION_PACKAGES / discrete) ** (1 / len(continuous)))
    return settlement_space(scenario, parties, grid=max(grid - 4, 0))


def required_parties(scenario: Scenario) -> tuple[str, ...]:
    """Parties whose consent a settlement needs: those at the table and veto players."""
    return tuple(dict.fromkeys([*scenario.table(), *scenario.negotiation.ratify]))


def window(
    scenario: Scenario,
    *,
    paths: int = 20_000,
    seed: int = 0,
    horizon: int | None = None,
    degree: int = 2,
    record: WarRecord | None = None,
) -> Window:
    """Analyse the settlement window of a scenario over its checkpoints.

    Each required party's outside options come from wars simulated under its own view
    (same seed, so common random numbers), valued at the states of the war as it
    happens (the scenario itself).

    Parameters
    ----------
    scenario
        The scenario (the war as it happens).
    paths, seed, horizon
        Monte Carlo paths, root seed and steps of every war simulated.
    degree
        Degree of the polynomial in the state features for the regressions.
    record
        The war as it happens, if it was already simulated with these ``paths``,
        ``seed`` and ``horizon`` (e.g. by ``detente.simulate``); else it is simulated.
    """
    actual = (
        record if record is not None else run_war(scenario, paths=paths, seed=seed, horizon=horizon)
    )
    views: dict[str, WarRecord] = {}
    for party in required_parties(scenario):
        seen = view_of(scenario, party)
        if seen is not scenario:
            views[party] = run_war(
                seen, paths=actual.paths, seed=actual.seed, horizon=actual.plan.horizon,
                first_block=actual.first_block,
            )  # fmt: skip
    return analyse_window(scenario, actual, views, degree=degree)


def analyse_window(
    scenario: Scenario,
    actual: WarRecord,
    views: dict[str, WarRecord],
    *,
    degree: int = 2,
) -> Window:
    """The window from simulated wars: the actual one and each party's view of it.

    ``views`` maps a required party to the war simulated under its beliefs (same
    paths and seed as ``actual``); a party missing from it sees the war as it is.
    """
    # The regressions multiply tall, thin matrices: one BLAS thread does them fastest,
    # and several contend with numba's threads and other work.
    with threadpool_limits(1):
        return _analyse(scenario, actual, views, degree)


def _analyse(
    scenario: Scenario, actual: WarRecord, views: dict[str, WarRecord], degree: int
) -> Window:
    parties = required_parties(scenario)
    paths = actual.paths
    n_ckpt = len(actual.plan.checkpoints)
    columns = [actual.parties.index(p) for p in parties]
    n_all = len(actual.parties)
    # keep the required parties' values, then the two sides' chances of winning
    keep = [*columns, n_all, n_all + 1]

    def fit_and_predict(record: WarRecord) -> tuple[ContinuationValue, NDArray[np.float64]]:
        # value of fighting on, then each side's outright win, at the actual states, each
        # state valued within the range of states the record's war reached (no extrapolation)
        fit = fit_continuation(record, degree=degree, also=decisive_target(record))
        return fit, fit.predict(actual, keep, within=True)

    records = list({id(r): r for r in (actual, *views.values())}.values())
    space = settlement_space(scenario, parties)
    both_sides = all(side in parties for side in actual.sides)
    side_views = [views.get(side, actual) for side in actual.sides] if both_sides else []
    # The sides' own views first: the stalemate and commitment checks need only theirs.
    first = list({id(r): r for r in side_views}.values())
    rest = [r for r in records if all(r is not f for f in first)]
    # Each record's regressions are independent of the others' (the same numbers in any
    # order), and so are the slack's path-independent vertices and the checks: run them
    # side by side (NumPy and the compiled kernels release the GIL). A task only ever
    # waits for tasks submitted before it, so any number of workers finishes.
    with ThreadPoolExecutor(max_workers=max(1, numba.get_num_threads())) as pool:
        jobs = {id(r): pool.submit(fit_and_predict, r) for r in first}
        diagnostics = pool.submit(
            _diagnostics, scenario, parties, actual,
            [jobs[id(v)] for v in side_views], degree,
        ) if both_sides else None  # fmt: skip
        jobs.update({id(r): pool.submit(fit_and_predict, r) for r in rest})
        found_vertices = pool.submit(slack_vertices, space)
        fitted = {key: job.result()[0] for key, job in jobs.items()}
        predicted = {key: job.result()[1] for key, job in jobs.items()}
        n_req = len(parties)
        truth = predicted[id(actual)][:, :, :n_req]
        # believed[..., i, j]: party i's valuation of party j's fighting on, from i's own
        # view of the war (private information: each knows its own, estimates the others').
        believed = np.empty((paths, n_ckpt, len(parties), len(parties)), dtype=np.float32)
        own_fit = {}
        for i, party in enumerate(parties):
            view = views.get(party, actual)
            own_fit[party] = fitted[id(view)]
            believed[:, :, i, :] = predicted[id(view)][:, :, :n_req]
        idx = np.arange(len(parties))
        own = believed[:, :, idx, idx].astype(float)
        common = truth
        alive = actual.alive == 1
        s_own = np.full(alive.shape, np.nan)
        s_common = np.full(alive.shape, np.nan)
        vertices = found_vertices.result()
        s_own[alive] = slack(space, own[alive], vertices)
        closed = alive & (s_own < 0)  # only there does it matter how the true war is valued
        s_common[closed] = slack(space, common[closed], vertices)
        stalemate, blocked = diagnostics.result() if diagnostics is not None else (None, None)
    return Window(
        scenario, parties, actual, space, own, s_own, s_common, believed, stalemate, blocked,
        value_of=own_fit,
    )  # fmt: skip


def _diagnostics(
    scenario: Scenario,
    parties: tuple[str, ...],
    actual: WarRecord,
    side_jobs: list[Future[tuple[ContinuationValue, NDArray[np.float64]]]],
    degree: int,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Hurting stalemate and commitment problem between the two sides (both must agree).

    ``side_jobs``: each side's fit and predictions under its own view of the war (the
    columns of ``_analyse``: the required parties' values, then the sides' chances).
    """
    sides = list(actual.sides)
    n_req = len(parties)
    own_fit: dict[str, ContinuationValue] = {}
    # each side's own value of fighting on (in single precision, as the beliefs keep it)
    # and its own estimate of winning outright
    own_sides = np.empty((*actual.alive.shape, 2))
    own_chance = np.empty((*actual.alive.shape, 2))
    for k, (side, job) in enumerate(zip(sides, side_jobs, strict=True)):
        fit, predicted = job.result()
        own_fit[side] = fit
        own_sides[:, :, k] = predicted[:, :, parties.index(side)].astype(np.float32)
        own_chance[:, :, k] = np.clip(predicted[:, :, n_req + k], 0.0, 1.0)
    status_quo = np.array([utility.status_quo_utility(scenario, s, {})[0] for s in sides])
    stalemate = hurting_stalemate(own_chance, own_sides, status_quo)
    _, utilities = packages(solution_space(scenario, tuple(sides)))
    discount = np.array([values.mean(scenario.time.discount.get(s, 1.0)) for s in sides])
    columns = [actual.parties.index(s) for s in sides]

    def value(states: NDArray[np.floating[Any]], alive: NDArray[np.uint8]) -> NDArray[np.float64]:
        # within the range each side's view reached, as its outside options are valued
        found = [own_fit[s].values(states, alive, [col], within=True)
                 for s, col in zip(sides, columns, strict=True)]  # fmt: skip
        return np.concatenate(found, axis=2)

    moving = set(get_engine(actual.engine).moving_in_truce(actual.scenario))
    mask = np.array([f in moving for f in actual.features], dtype=bool)
    projected = quiet_values(actual, value, mask, degree=degree)
    blocked = commitment_blocked(actual, own_sides, projected, utilities, discount)
    return stalemate, blocked
