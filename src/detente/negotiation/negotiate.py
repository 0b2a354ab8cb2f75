"""Talks over the course of the war: who agrees, when, and on what terms.

:func:`negotiate` simulates the war as it happens and as each required party sees it,
values every party's outside option at every checkpoint
(``detente.bargaining.window``), adds what each party privately knows of its own cost
(``detente.negotiation.private``) and what patron pressure does to clients' options
(``detente.negotiation.table``), then holds talks at the scheduled checkpoints on
every path still at war and not yet agreed, with the scenario's protocol. A ``ripeness``
schedule instead draws, per path and checkpoint, whether talks are held, with a higher
probability where the war is ripe for them (:func:`talk_invitations`). The first
agreement on a path fixes its step and terms. Each deal is then fed back into its
path's war -- a ceasefire from its step, a breakdown when some party would do better
fighting, war again after it (``detente.negotiation.coupling``) -- which gives the
deals' durability.

Protocols (``negotiation.protocol`` or ``protocol=``):

``equilibrium``
    Subgame-perfect alternating offers with a deadline (``equilibrium.py``).
``alternating``
    Heuristic alternating offers with concession strategies and acceptance rules
    under private information (``alternating.py``); veto players vote on the table's
    agreement.
``mediated``
    A single negotiating text improved by a mediator (``mediated.py``).
``ultimatum``
    A take-it-or-leave-it offer with private costs (``ultimatum.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from detente.bargaining.space import SettlementSpace, settlement_space, slack_vertices
from detente.engines import BLOCK_SIZE, Plan, WarRecord, run_war
from detente.negotiation.coupling import Settlement, can_pause, fight_and_talk
from detente.negotiation.equilibrium import equilibrium
from detente.negotiation.mediated import mediated
from detente.negotiation.menu import Menu, build_menus
from detente.negotiation.private import private_values
from detente.negotiation.table import Lever, levers, own_value, required_parties, value_without_aid
from detente.negotiation.terms import Stakes, approves, feasible, kernel_pressure
from detente.negotiation.ultimatum import ultimatum
from detente.scenario import Scenario, values, view_of
from detente.scenario.model import (
    Acceptance,
    EverySchedule,
    FixedSchedule,
    Ripeness,
    RipenessSchedule,
)

if TYPE_CHECKING:
    from detente.bargaining.window import Window

PROTOCOLS = ("equilibrium", "alternating", "mediated", "ultimatum")
"""Protocols :func:`negotiate` runs."""

_DISCOUNT_STREAM = 0x6E65_6730
"""First spawn-key element of the random stream of per-path discount factors per round."""

_TALKS_STREAM = 0x7461_6C6B
"""First spawn-key element of the random stream that draws talks under a ripeness schedule."""

Outcome = tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]


@dataclass
class Negotiation:
    """The talks on every path: whether and when a deal came, and its terms.

    Per-path arrays (``paths`` rows; rows without a deal hold -1 or NaN):

    ``agreed`` (bool)
        A deal was reached before the horizon (and before the war ended otherwise).
    ``step`` (int)
        Step of the checkpoint at which it was reached.
    ``checkpoint`` (int)
        Index of that checkpoint in ``checkpoints``.
    ``round`` (int)
        0-based round of the talks in which it was agreed.
    ``terms`` (float, paths x issues)
        The package: the outcome of each continuous issue, the index of the agreed
        level of each discrete one (in the issue's ``levels``).
    ``utilities`` (float, paths x parties)
        Its utility to each required party (``parties``), in stake units.
    ``outside`` (float, paths x parties)
        Each required party's own outside option at the checkpoint of the deal (its
        value of fighting on then; a deal breaks down later when this, updated, exceeds
        the deal's value: the commitment problem).

    Per checkpoint: ``talks`` (bool) says where talks were held -- the scheduled
    checkpoints for fixed schedules, the checkpoints where at least one path held talks for
    a ``ripeness`` schedule -- and ``held`` (int) counts the paths that held them.

    ``settlement`` is the war with each deal fed back into it and ``durability`` the share
    of deals still holding at the horizon (``None`` where the engine cannot pause, with
    the reason in ``feedback``).
    """

    scenario: Scenario
    protocol: str
    parties: tuple[str, ...]
    issues: tuple[str, ...]
    levels: dict[str, list[str]]
    paths: int
    seed: int
    checkpoints: NDArray[np.int64]
    talks: NDArray[np.bool_]
    agreed: NDArray[np.bool_]
    step: NDArray[np.int64]
    checkpoint: NDArray[np.int64]
    round: NDArray[np.int64]
    terms: NDArray[np.float64]
    utilities: NDArray[np.float64]
    outside: NDArray[np.float64]
    held: NDArray[np.int64] | None = None  # (checkpoints,): paths that held talks
    levers: list[Lever] = field(default_factory=list)
    p_with_pressure: float | None = None
    p_without_pressure: float | None = None
    window: Window | None = None
    durability: float | None = None
    settlement: Settlement | None = None  # the war with the deals fed back (coupling.py)
    feedback: str | None = None  # why deals were not fed back, if they were not

    @property
    def p_agreement(self) -> float:
        """Share of all paths with a deal."""
        return float(self.agreed.mean())

    def summary(self) -> dict[str, Any]:
        """The negotiation as a JSON-ready document (without ``schema_version``)."""
        ok = self.agreed
        p = self.p_agreement
        talk_steps = self.checkpoints[self.talks]
        cumulative = [float((ok & (self.step <= s)).mean()) for s in talk_steps]
        held = self.held if self.held is not None else np.zeros(len(self.checkpoints), np.int64)
        doc: dict[str, Any] = {
            "protocol": self.protocol,
            "parties": list(self.parties),
            "table": list(self.scenario.table()),
            "ratify": list(self.scenario.negotiation.ratify),
            "talks_at": talk_steps.tolist(),
            "p_talks": (held[self.talks] / max(self.paths, 1)).tolist(),
            "p_agreement": p,
            "p_agreement_se": float(np.sqrt(p * (1 - p) / self.paths)),
            "p_agreement_by_step": cumulative,
            "agreement": {
                "step": _quantiles(self.step[ok].astype(float)),
                "round": _quantiles(self.round[ok].astype(float)),
                "terms": self._terms(),
                "utility": {
                    party: (float(self.utilities[ok, j].mean()) if ok.any() else None)
                    for j, party in enumerate(self.parties)
                },
            },
            "durability": self.durability,
            "feedback": self.settlement is not None,
        }
        if self.settlement is not None:
            breakdown = self.settlement.summary()
            del breakdown["durability"]
            doc["breakdown"] = breakdown
        elif self.feedback is not None:
            doc["feedback_note"] = self.feedback
        if self.scenario.negotiation.pressure:
            doc["pressure"] = [lever.describe() for lever in self.levers]
            doc["with_pressure"] = {"p_agreement": self.p_with_pressure}
            doc["without_pressure"] = {"p_agreement": self.p_without_pressure}
        return doc

    def _terms(self) -> dict[str, Any]:
        ok = self.agreed
        found: dict[str, Any] = {}
        for k, issue in enumerate(self.issues):
            x = self.terms[ok, k]
            if issue in self.levels:
                names = self.levels[issue]
                counts = np.bincount(x.astype(np.int64), minlength=len(names))
                total = max(int(counts.sum()), 1)
                found[issue] = {
                    name: (float(counts[i] / total) if ok.any() else None)
                    for i, name in enumerate(names)
                }
            else:
                q = _quantiles(x)
                found[issue] = {"mean": q["mean"], "p05": q["p05"], "p50": q["p50"],
                                "p95": q["p95"]}  # fmt: skip
        return found


def _quantiles(x: NDArray[np.float64]) -> dict[str, float | None]:
    if x.size == 0:
        return {"mean": None, "p05": None, "p50": None, "p95": None}
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {"mean": float(x.mean()), "p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2])}


@dataclass
class _Setting:
    """Everything the talks read, per path and checkpoint (columns: required, then patrons)."""

    checkpoints: NDArray[np.int64]
    alive: NDArray[np.bool_]  # (paths, checkpoints)
    own: NDArray[np.float64]  # (paths, checkpoints, columns)
    believed: NDArray[np.float64]  # (paths, checkpoints, required, required)
    deviation: NDArray[np.float64]  # (paths, checkpoints, required): private part of own
    pressed: NDArray[np.float64]  # (paths, checkpoints, levers applied)
    window: Window | None


class _Talked(NamedTuple):
    agreed: NDArray[np.bool_]
    checkpoint: NDArray[np.int64]
    round: NDArray[np.int64]
    terms: NDArray[np.float64]
    utilities: NDArray[np.float64]
    outside: NDArray[np.float64]
    held: NDArray[np.int64]  # (checkpoints,): paths that held talks there


def talk_checkpoints(scenario: Scenario, checkpoints: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which checkpoints host talks: each scheduled step's first checkpoint at or after it.

    Without a schedule, talks are held at every checkpoint. Scheduled steps after the
    last checkpoint are dropped. For a ``ripeness`` schedule these are the checkpoints
    that *may* host talks (its ``every`` and ``start``); whether a path talks there is
    drawn by :func:`talk_invitations`.
    """
    schedule = scenario.negotiation.schedule
    if schedule is None or len(checkpoints) == 0:
        return np.ones(len(checkpoints), bool)
    last = int(checkpoints[-1])
    if isinstance(schedule, FixedSchedule):
        steps = np.array([s for s in schedule.at if s <= last], dtype=np.int64)
    else:
        every = schedule if isinstance(schedule, EverySchedule) else schedule.ripeness
        steps = np.arange(every.start, last + 1, every.every)
    talks = np.zeros(len(checkpoints), bool)
    talks[np.searchsorted(checkpoints, steps, side="left")] = True
    return talks


def ripe_for_talks(window: Window | None, shape: tuple[int, int]) -> NDArray[np.bool_]:
    """Where the war is ripe for talks, (paths, checkpoints).

    Ripe in Zartman's (2000) sense: a mutually hurting stalemate and a way out, that is,
    the window's ``stalemate`` and ``open`` together. Where the stalemate is not defined
    (``None``: the window measures it only when both sides must agree to a deal), the way
    out alone decides. Without a war (no window) nothing
    hurts, so no path is ripe.

    References
    ----------
    Zartman, I. W. (2000). Ripeness: the hurting stalemate and beyond. In P. C. Stern &
    D. Druckman (Eds.), *International Conflict Resolution After the Cold War* (pp.
    225-250). National Academies Press. The indicators are those of MODELS.md §3.4
    (stalemate, hurting, way out); talks with a probability that rises with them are
    MODELS.md §9.2, U12.
    """
    if window is None:
        return np.zeros(shape, bool)
    found = window.open
    if window.stalemate is not None:
        found = found & window.stalemate
    # The window is analysed on the very record whose `alive` the talks read, so its
    # arrays are (paths, checkpoints) like it; a mismatch is a bug, not a user error.
    assert found.shape == shape, f"window {found.shape} vs talks {shape}"
    return np.asarray(found, dtype=bool)


def talk_invitations(
    chances: Ripeness,
    eligible: NDArray[np.bool_],
    ripe_now: NDArray[np.bool_],
    seed: int,
    first_block: int = 0,
) -> NDArray[np.bool_]:
    """Which paths hold talks at which checkpoints under a ripeness schedule.

    A path holds talks at an eligible checkpoint when a uniform drawn for that path and
    checkpoint falls below ``chances.ripe`` where it is ripe and ``chances.base`` where
    it is not; whether it is still at war without a deal is checked by the talks. The
    uniforms are drawn for every path and checkpoint up front, block by block from a
    stream of their own (``SeedSequence(seed, spawn_key=(stream, first_block + b))``), so
    a path's draws depend neither on how the other paths' talks went nor on the number
    of paths or threads. Uncertain probabilities are drawn per path from the same block
    stream, after the uniforms.

    Parameters
    ----------
    chances
        The schedule's probabilities.
    eligible
        (checkpoints,): checkpoints that may host talks (:func:`talk_checkpoints`).
    ripe_now
        (paths, checkpoints): where each path is ripe (:func:`ripe_for_talks`).
    seed, first_block
        Root seed of the run and index of its first block of paths.

    Returns
    -------
    numpy.ndarray
        (paths, checkpoints) bool.
    """
    paths, n_ckpt = ripe_now.shape
    out = np.zeros((paths, n_ckpt), bool)
    for b in range(-(-paths // BLOCK_SIZE)):
        key = (_TALKS_STREAM, first_block + b)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
        rows = slice(b * BLOCK_SIZE, min((b + 1) * BLOCK_SIZE, paths))
        n = rows.stop - rows.start
        # Whole blocks are drawn so that a path's uniforms do not depend on how many
        # paths its block holds.
        u = rng.random((BLOCK_SIZE, n_ckpt))[:n]
        base = values.sample(chances.base, rng, BLOCK_SIZE)[:n, None]
        when_ripe = values.sample(chances.ripe, rng, BLOCK_SIZE)[:n, None]
        p = np.where(ripe_now[rows], when_ripe, base)
        out[rows] = (u < p) & eligible
    return out


def round_discounts(
    scenario: Scenario, parties: tuple[str, ...], paths: int, seed: int
) -> NDArray[np.float64]:
    """Each party's discount factor per round of offers, per path: (paths, parties).

    Uncertain factors are drawn per path, block by block from a stream of their own
    (``SeedSequence(seed, spawn_key=(stream, block))``), so the first paths' draws do not
    depend on the number of paths or threads.
    """
    given = [scenario.negotiation.discount.get(p, 1.0) for p in parties]
    out = np.tile(np.array([values.mean(q) for q in given], dtype=float), (paths, 1))
    if not any(values.is_uncertain(q) for q in given):
        return out
    for b in range(-(-paths // BLOCK_SIZE)):
        start = b * BLOCK_SIZE
        n = min(BLOCK_SIZE, paths - start)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DISCOUNT_STREAM, b)))
        for j, q in enumerate(given):
            if values.is_uncertain(q):
                out[start : start + n, j] = values.sample(q, rng, BLOCK_SIZE)[:n]
    return out


def _no_war(scenario: Scenario, paths: int, horizon: int | None, n: int, m: int) -> _Setting:
    """Talks without a war: every outside option is 0 (disagreement is worth nothing)."""
    checkpoints = Plan.for_scenario(scenario, horizon or scenario.time.horizon).checkpoints
    c = len(checkpoints)
    return _Setting(
        checkpoints, np.ones((paths, c), bool), np.zeros((paths, c, m)),
        np.zeros((paths, c, n, n)), np.zeros((paths, c, n)), np.zeros((paths, c, 0)), None,
    )  # fmt: skip


def _with_war(
    scenario: Scenario,
    record: WarRecord,
    columns: tuple[str, ...],
    active: list[Lever],
    degree: int,
) -> _Setting:
    from detente.bargaining.window import analyse_window

    required = required_parties(scenario)
    n = len(required)
    views: dict[str, WarRecord] = {}
    for party in required:
        seen = view_of(scenario, party)
        if seen is not scenario:
            views[party] = run_war(
                seen, paths=record.paths, seed=record.seed, horizon=record.plan.horizon,
                first_block=record.first_block,
            )  # fmt: skip
    win = analyse_window(scenario, record, views, degree=degree)
    paths, n_ckpt = record.alive.shape
    own = np.empty((paths, n_ckpt, len(columns)))
    own[:, :, :n] = win.outside
    believed = win.believed.astype(np.float64)
    deviation = np.zeros((paths, n_ckpt, n))
    for party, value in private_values(record, views, required, degree=degree).items():
        j = required.index(party)
        deviation[:, :, j] = value
        own[:, :, j] += value
        believed[:, :, j, j] += value
    for j, patron in enumerate(columns[n:], start=n):
        own[:, :, j] = own_value(scenario, record, patron, degree=degree)
    pressed = np.empty((paths, n_ckpt, len(active)))
    for e, lever in enumerate(active):
        j = required.index(lever.client)
        # the client's own cost weighs on the war without aid as on the war with it
        pressed[:, :, e] = value_without_aid(scenario, record, lever, degree=degree)
        pressed[:, :, e] += deviation[:, :, j]
    alive = record.alive == 1
    return _Setting(record.plan.checkpoints, alive, own, believed, deviation, pressed, win)


def negotiate(
    scenario: Scenario,
    *,
    protocol: str | None = None,
    paths: int = 20_000,
    seed: int = 0,
    horizon: int | None = None,
    pressure: bool = True,
    degree: int = 2,
    record: WarRecord | None = None,
    feedback: bool = True,
) -> Negotiation:
    """Hold the scenario's talks on every path of its war.

    Parameters
    ----------
    scenario
        The scenario; its ``negotiation`` block says who sits at the table, who must
        ratify, the protocol, proposer, deadline, discount factors, strategies,
        acceptance rules, schedule and patron pressure.
    protocol
        One of :data:`PROTOCOLS` (default: the scenario's).
    paths, seed, horizon
        Monte Carlo paths, root seed and steps of the wars simulated.
    pressure
        Apply the scenario's patron pressure (the summary reports the agreement share
        with and without it either way).
    degree
        Degree of the regression polynomial for outside options.
    record
        The war as it happens, if already simulated with these ``paths``, ``seed`` and
        ``horizon``.
    feedback
        Feed each deal back into its path's war -- ceasefire, breakdown when a party
        would do better fighting, war again (``detente.negotiation.coupling``) -- and
        report the deals' durability.

    Raises
    ------
    ValueError
        For an unknown protocol.
    detente.engines.EngineError
        If the scenario's engine cannot run.
    """
    name = protocol or scenario.negotiation.protocol
    if name not in PROTOCOLS:
        raise ValueError(f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOLS)}")
    required = required_parties(scenario)
    n = len(required)
    found = levers(scenario)
    active = [lever for lever in found if lever.applied]
    extra = [p for lever in active for p in lever.patrons if p not in required]
    columns = (*required, *dict.fromkeys(extra))
    first_block = 0
    with threadpool_limits(1):  # small least-squares fits: BLAS threads only contend
        if scenario.war is None:
            setting = _no_war(scenario, paths, horizon, n, len(columns))
        else:
            actual = record or run_war(scenario, paths=paths, seed=seed, horizon=horizon)
            first_block = actual.first_block
            setting = _with_war(scenario, actual, columns, active, degree)
    finite, exact = build_menus(scenario, columns)
    entry = np.full(n, -1, np.int64)
    width = max([len(lever.patrons) for lever in active], default=1)
    patrons = np.full((len(active), width), -1, np.int64)
    for e, lever in enumerate(active):
        entry[required.index(lever.client)] = e
        patrons[e, : len(lever.patrons)] = [columns.index(p) for p in lever.patrons]
    discount = round_discounts(scenario, required, len(setting.alive), seed)
    talks = talk_checkpoints(scenario, setting.checkpoints)
    schedule = scenario.negotiation.schedule
    if isinstance(schedule, RipenessSchedule):
        ripe_now = ripe_for_talks(setting.window, setting.alive.shape)
        invited = talk_invitations(schedule.ripeness, talks, ripe_now, seed, first_block)
    else:  # every path talks at the scheduled checkpoints (a view: no copy per path)
        invited = np.broadcast_to(talks, setting.alive.shape)
    space = settlement_space(scenario, required)
    vertices = slack_vertices(space)

    def run(with_pressure: bool) -> _Talked:
        return _talks(
            scenario, name, setting, finite, exact, discount, invited, space, vertices,
            entry if with_pressure else np.full(n, -1, np.int64),
            patrons if with_pressure else np.zeros((0, 1), np.int64),
            with_pressure,
        )  # fmt: skip

    main = run(pressure)
    other = run(not pressure) if active else main
    with_p, without_p = (main, other) if pressure else (other, main)
    agreed, checkpoint, rounds, terms, utilities, outside, held = main
    if isinstance(schedule, RipenessSchedule):
        talks = held > 0  # drawn talks: report where some path actually held them
    step = np.where(agreed, setting.checkpoints[np.maximum(checkpoint, 0)], -1)
    levels = {
        issue: [str(level) for level in finite.space.outcomes[k]]
        for k, issue in enumerate(finite.issues)
        if not finite.continuous()[k]
    }
    found_talks = Negotiation(
        scenario=scenario, protocol=name, parties=required, issues=finite.issues,
        levels=levels, paths=len(agreed), seed=seed, checkpoints=setting.checkpoints,
        talks=talks, held=held, agreed=agreed, step=step.astype(np.int64),
        checkpoint=checkpoint.astype(np.int64), round=rounds.astype(np.int64),
        terms=terms, utilities=utilities[:, :n], outside=outside,
        levers=found, p_with_pressure=float(with_p.agreed.mean()),
        p_without_pressure=float(without_p.agreed.mean()), window=setting.window,
    )  # fmt: skip
    if not feedback:
        found_talks.feedback = "not asked for"
    elif scenario.war is None:
        found_talks.feedback = "no war to feed deals back into"
    elif not can_pause(scenario):
        engine = scenario.war.engine
        found_talks.feedback = f"the {engine} engine cannot pause its war for a ceasefire yet"
    else:
        found_talks.settlement = fight_and_talk(found_talks)
        found_talks.durability = found_talks.settlement.durability()
    return found_talks


def _talks(
    scenario: Scenario,
    protocol: str,
    setting: _Setting,
    finite: Menu,
    exact: Menu,
    discount: NDArray[np.float64],
    invited: NDArray[np.bool_],
    space: SettlementSpace,
    vertices: NDArray[np.float64],
    entry: NDArray[np.int64],
    patrons: NDArray[np.int64],
    with_pressure: bool,
) -> _Talked:
    """Talks wherever ``invited`` (paths, checkpoints) says, on paths at war without a deal."""
    paths = setting.alive.shape[0]
    n = setting.believed.shape[2]
    agreed = np.zeros(paths, bool)
    checkpoint = np.full(paths, -1, np.int64)
    rounds = np.full(paths, -1, np.int64)
    terms = np.full((paths, len(finite.issues)), np.nan)
    utilities = np.full((paths, finite.utilities.shape[1]), np.nan)
    outside = np.full((paths, n), np.nan)
    held = np.zeros(setting.alive.shape[1], np.int64)
    for c in np.flatnonzero(invited.any(axis=0)):
        live = setting.alive[:, c]
        rows = np.flatnonzero(live & ~agreed & invited[:, c])
        held[c] = rows.size
        if rows.size == 0:
            continue
        pressed = setting.pressed[rows, c] if with_pressure else np.zeros((rows.size, 0))
        stakes = Stakes(
            own=setting.own[rows, c], believed=setting.believed[rows, c],
            discount=discount[rows], entry=entry, patrons=patrons, pressed=pressed,
            deviation=setting.deviation[live, c],
        )  # fmt: skip
        if protocol != "equilibrium" or exact is finite:
            possible = feasible(finite.utilities, finite.pareto, stakes, space, vertices)
            rows, stakes = rows[possible], stakes.take(possible)
            if rows.size == 0:
                continue
        ok, found_terms, found_utils, found_round = _protocol(
            scenario, protocol, stakes, finite, exact
        )
        hit = rows[ok]
        agreed[hit] = True
        checkpoint[hit] = c
        rounds[hit] = found_round[ok]
        terms[hit] = found_terms[ok]
        utilities[hit] = found_utils[ok]
        outside[hit] = stakes.own[ok, :n]
    return _Talked(agreed, checkpoint, rounds, terms, utilities, outside, held)


def _proposer(scenario: Scenario) -> tuple[list[str], int]:
    table = scenario.table()
    first = scenario.negotiation.proposer or table[0]
    return table, table.index(first) if first in table else 0


def _protocol(
    scenario: Scenario, protocol: str, stakes: Stakes, finite: Menu, exact: Menu
) -> Outcome:
    required = required_parties(scenario)
    table, start = _proposer(scenario)
    rounds = scenario.negotiation.rounds
    if protocol == "equilibrium":
        order = np.array(
            [required.index(table[(start + r) % len(table)]) for r in range(rounds)], np.int64
        )
        return equilibrium(exact, stakes, order)
    if protocol == "ultimatum":
        return ultimatum(finite, stakes, required.index(table[start]))
    if protocol == "mediated":
        return mediated(finite, stakes, rounds)
    return _alternating(scenario, stakes, finite, table, start)


def _acceptance(scenario: Scenario, table: list[str]) -> tuple[list[str], list[float]]:
    """Each seat's acceptance rule and its parameter (NaN for ``next``, which takes none)."""
    default = Acceptance()
    rules: list[str] = []
    params: list[float] = []
    for party in table:
        chosen = scenario.negotiation.acceptance.get(party, default)
        value = chosen.utility if chosen.rule == "const" else chosen.time
        rules.append(chosen.rule)
        params.append(np.nan if value is None else float(value))
    return rules, params


def _alternating(
    scenario: Scenario, stakes: Stakes, finite: Menu, table: list[str], start: int
) -> Outcome:
    """The table bargains by heuristic alternating offers; veto players then vote.

    The parties at the table know their own outside options and estimate the others'
    (``believed``). Pressure enters a client's reservation when every patron pressing it
    is a required party: then every deal that can pass is backed by them, so the client
    weighs all of them against fighting on without the aid. A veto player accepts the
    table's agreement if it gives it its outside option (pressure-aware).
    """
    from detente.negotiation.alternating import ACCEPTANCE, STRATEGIES, alternating

    required = required_parties(scenario)
    n = len(required)
    seats = np.array([required.index(p) for p in table], np.int64)
    own = stakes.own[:, :n].copy()
    believed = stakes.believed.copy()
    patrons, pressed = kernel_pressure(stakes)
    for i in range(n):
        e = int(stakes.entry[i])
        if e < 0 or not all(0 <= p < n for p in patrons[e] if p >= 0):
            continue
        shift = np.minimum(pressed[:, e] - own[:, i], 0.0)
        own[:, i] += shift
        believed[:, :, i] += shift[:, None]
    strategy = np.array(
        [STRATEGIES[scenario.negotiation.strategies.get(p, "linear")] for p in table], np.int64
    )
    rule, param = _acceptance(scenario, table)
    candidates = finite.pareto
    agreed, package, when = alternating(
        np.ascontiguousarray(finite.utilities[candidates][:, seats]),
        np.ascontiguousarray(own[:, seats]),
        np.ascontiguousarray(believed[:, seats][:, :, seats]),
        strategy, scenario.negotiation.rounds, start,
        acceptance=np.array([ACCEPTANCE[r] for r in rule], np.int64),
        acceptance_param=np.array(param, np.float64),
    )  # fmt: skip
    chosen = np.where(agreed, candidates[np.maximum(package, 0)], -1)
    veto = [i for i in range(n) if i not in set(seats.tolist())]
    if veto and agreed.any():
        agreed &= approves(finite.utilities, chosen, stakes, veto)
        chosen = np.where(agreed, chosen, -1)
    terms, utilities = finite.of(chosen)
    return agreed, terms, utilities, np.where(agreed, when, -1)
