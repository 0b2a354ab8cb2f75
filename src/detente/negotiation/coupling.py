"""Deals fed back into the war: ceasefire, breakdown, war again.

The talks (:func:`detente.negotiation.negotiate`) say on which paths a deal was struck,
when, and on what terms, from a war fought to the end. Here each deal changes its
path's war (DESIGN.md §5, "a deal changes the engine's regime"):

1. From the deal's step the path is at peace: the engine fights no more (its
   ceasefire regime, :mod:`detente.engines._truce`) and every party receives the deal's
   value each step instead of the war's flows; what goes on without fighting --
   production, recruitment, politics, in engines that model them -- goes on.
2. At every later checkpoint each required party revalues fighting on: its outside
   option when it agreed (private costs included), plus what the peace has moved --
   the difference between the state now and the state of the deal, both valued with
   the valuation it fitted at this checkpoint on wars under its own beliefs (the
   window's least-squares Monte Carlo). Valuing both states at the same checkpoint
   keeps the clock out: a shorter time left to fight moves both alike. Each feature is
   first brought within the range of states the war reached by then, since a
   ceasefire's rearmament can take forces beyond any of them, where the polynomial
   would extrapolate. In an engine where nothing moves without fighting the state of
   the deal is the state now, no value moves, and deals hold, as Powell's argument
   says they should. A client that patron pressure pushed below its own outside
   option stays short of it: such a deal breaks at the hazard of that gap.
   Where some party would now do better fighting, the deal breaks down with hazard
   ``rate * excess`` per step, ``excess`` being the largest shortfall of a deal's value
   below a party's value of fighting on, in stake units: the commitment problem of
   Fearon (1995) and Powell (2006) -- a settlement that nobody can promise to keep once
   the balance has moved. The party with the largest shortfall is recorded as the cause.
3. The war is fought again from the step of the breakdown to the horizon. A path
   strikes at most one deal: talks after a breakdown are not modelled.

Paths draw from per-path random streams, so each path's history is the same in every
run up to its own change of regime, whatever happens on other paths.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414. Powell, R. (2006). War as a commitment problem. *International
Organization*, 60(1), 169-203. Fortna, V. P. (2004). *Peace Time: Cease-Fire
Agreements and the Durability of Peace*. Princeton University Press.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from detente.bargaining.outside import values_at
from detente.engines import BLOCK_SIZE, WarRecord, get_engine, run_war
from detente.scenario import Scenario, utility, values
from detente.scenario.model import ContinuousIssue

if TYPE_CHECKING:
    from detente.negotiation.negotiate import Negotiation

_BREAKDOWN_STREAM = 0x6272_6B64
"""First spawn-key element of the random stream of breakdown draws."""

NOT_YET = np.iinfo(np.int64).max
"""``end`` of a truce that has not broken."""


@dataclass
class Settlement:
    """The war with its deals: who kept the peace, who went back to war, and why.

    Per-path arrays: ``start`` (step the ceasefire began, -1 without a deal), ``end``
    (step the war resumed; :data:`NOT_YET` if the deal held to the horizon),
    ``cause`` (index in ``parties`` of the party whose shortfall broke the deal, -1).
    """

    record: WarRecord  # the war with its ceasefires and resumptions
    parties: tuple[str, ...]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    cause: NDArray[np.int64]
    rate: float

    @property
    def agreed(self) -> NDArray[np.bool_]:
        """Paths with a deal."""
        return np.asarray(self.start >= 0)

    @property
    def holding(self) -> NDArray[np.bool_]:
        """Paths whose deal still holds at the horizon."""
        return np.asarray(self.agreed & (self.end == NOT_YET))

    def durability(self) -> float | None:
        """Share of deals still holding at the horizon (None without deals)."""
        n = int(self.agreed.sum())
        return float(self.holding.sum() / n) if n else None

    def summary(self) -> dict[str, Any]:
        """Durability and breakdowns, JSON-ready."""
        broken = self.agreed & ~self.holding
        n = max(int(self.agreed.sum()), 1)
        after = (self.end[broken] - self.start[broken]).astype(float)
        return {
            "durability": self.durability(),
            "breakdown_rate": self.rate,
            "p_breakdown": float(broken.sum() / n) if self.agreed.any() else None,
            "breakdown_cause": {
                p: float((self.cause[broken] == j).sum() / n) for j, p in enumerate(self.parties)
            },
            "breakdown_after": {
                k: (float(np.quantile(after, q)) if after.size else None)
                for k, q in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))
            },
        }


def deal_utilities(
    scenario: Scenario, parties: list[str], issues: tuple[str, ...], terms: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Every party's utility of each path's deal, (paths, parties); 0 without a deal.

    ``terms`` holds, per path and issue, a continuous issue's outcome or the index of a
    discrete issue's level (NaN where there is no deal).
    """
    out = np.zeros((len(terms), len(parties)))
    done = ~np.isnan(terms).any(axis=1)
    for j, party in enumerate(parties):
        w = utility.weights(scenario, party)
        for k, name in enumerate(issues):
            issue = scenario.issues[name]
            pos = issue.positions.get(party)
            if w[name] == 0.0 or pos is None:
                continue
            x = terms[done, k]
            if isinstance(issue, ContinuousIssue):
                value = utility.continuous_value(issue, pos, x)  # type: ignore[arg-type]
            else:
                table = utility.level_values(issue, pos)  # type: ignore[arg-type]
                value = table[x.astype(np.int64)]
            out[done, j] += w[name] * value
    return out


def can_pause(scenario: Scenario) -> bool:
    """Whether the scenario's war engine has a ceasefire regime."""
    return scenario.war is not None and get_engine(scenario.war.engine).supports_truce


def fight_and_talk(negotiation: Negotiation, *, rate: float | None = None) -> Settlement:
    """Feed each path's deal back into its war, with breakdowns (see the module notes).

    Parameters
    ----------
    negotiation
        Talks held on a war (``negotiate``), with its window.
    rate
        Breakdown hazard per step per unit of shortfall (default: the scenario's
        ``negotiation.breakdown_rate``).

    Raises
    ------
    detente.engines.EngineError
        If the engine has no ceasefire regime (see :func:`can_pause`).
    """
    window = negotiation.window
    assert window is not None, "talks on a war keep their window"
    actual = window.record
    scenario = actual.scenario
    hazard = values.mean(scenario.negotiation.breakdown_rate) if rate is None else rate
    parties = negotiation.parties
    agreed = negotiation.agreed
    start = np.where(agreed, negotiation.step, -1).astype(np.int64)
    end = np.full(actual.paths, NOT_YET, dtype=np.int64)
    u_deal = deal_utilities(scenario, actual.parties, negotiation.issues, negotiation.terms)
    run = {"paths": actual.paths, "seed": actual.seed, "horizon": actual.plan.horizon,
           "first_block": actual.first_block}  # fmt: skip
    quiet = run_war(scenario, truce=(start, end, u_deal), **run)  # type: ignore[arg-type]

    cause = np.full(actual.paths, -1, dtype=np.int64)
    steps = actual.plan.checkpoints
    draws = _breakdown_draws(actual, len(steps))
    columns = [actual.parties.index(p) for p in parties]
    for c in range(1, len(steps)):
        rows = agreed & (negotiation.checkpoint < c) & (end == NOT_YET) & (quiet.alive[:, c] == 1)
        if not rows.any():
            continue
        index = np.flatnonzero(rows)
        struck = negotiation.checkpoint[rows]
        states = quiet.checkpoint_features[index, c].astype(float)
        then = quiet.checkpoint_features[index, struck].astype(float)
        # Both states valued with the fit of this checkpoint, within the range of states
        # the war reached by then: the difference is what the peace moved, at the same
        # time left to fight (see notes).
        fits = [window.value_of[p] for p in parties]
        moved = values_at(fits, columns, c, states, within=True) - values_at(
            fits, columns, c, then, within=True
        )
        # Each party's outside option when it agreed (its private part included), moved
        # by what the peace changed since: the value of fighting on it now weighs.
        fighting = negotiation.outside[rows] + moved
        shortfall = np.nan_to_num(fighting - negotiation.utilities[rows], nan=0.0)
        excess = np.maximum(shortfall.max(axis=1), 0.0)
        tau = steps[c] - steps[c - 1]
        breaks = draws[rows, c] < -np.expm1(-hazard * tau * excess)  # 1 - exp(-hazard tau)
        where = index[breaks]
        end[where] = steps[c]
        cause[where] = shortfall[breaks].argmax(axis=1)
    record = quiet
    if (end != NOT_YET).any():
        record = run_war(scenario, truce=(start, end, u_deal), **run)  # type: ignore[arg-type]
    return Settlement(record, parties, start, end, cause, hazard)


def _breakdown_draws(record: WarRecord, n_ckpt: int) -> NDArray[np.float64]:
    """Uniforms (paths, checkpoints), block by block from their own seeds."""
    out = np.empty((record.paths, n_ckpt))
    for b in range(-(-record.paths // BLOCK_SIZE)):
        key = (_BREAKDOWN_STREAM, record.first_block + b)
        rng = np.random.default_rng(np.random.SeedSequence(record.seed, spawn_key=key))
        block = rng.random((BLOCK_SIZE, n_ckpt))
        rows = slice(b * BLOCK_SIZE, min((b + 1) * BLOCK_SIZE, record.paths))
        out[rows] = block[: rows.stop - rows.start]
    return out
