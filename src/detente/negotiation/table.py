"""The table: who must agree, and what a patron's pressure does to its client's options.

**Who must agree.** A deal needs the consent of every party at the table
(``negotiation.table``, default: the belligerents) and of every veto player
(``negotiation.ratify``): a party that does not sit at the table but can block the deal,
as a parliament or an ally holding sanctions can (Putnam 1988, ratification in two-level
games; Tsebelis 2002, veto players). Each must get at least its outside option, else
there is no deal. Only parties at the table make offers.

**Patron pressure.** ``negotiation.pressure`` lists patrons whose aid is conditional on
their client's acceptance of a deal they back (a deal that gives the patron at least its
own outside option). Rejecting such a deal then means fighting on *without that
patron's aid*, so for those deals the client's outside option is its value of fighting
on without it: the war is simulated again with the patron's deliveries and money set to
zero, under the client's own view (``detente.scenario.view_of``), its continuation
fitted on that war and valued at the actual states
(``detente.bargaining.outside.fit_continuation``, features standardised as on the actual
war, as the window does). The threat lowers the client's
reservation only where it hurts (if fighting on without the aid were worth more, the
cut is no threat). Several patrons pressing one client act together: the deal must be
backed by all of them, and rejecting it loses all their aid. A patron that is not a
required party still needs its own outside option (to know which deals it backs); it is
valued under its own view.

Pressure needs an engine in which patrons supply aid (``attrition``). In engines without
patrons (``lottery``, ``battles``, ``lanchester``) and for a patron with no aid in the war
block, pressure is a no-op, reported in the negotiation's summary with the reason; it is
not an error, so one scenario file can be run with any engine.

References
----------
Putnam, R. D. (1988). Diplomacy and domestic politics: the logic of two-level games.
*International Organization*, 42(3), 427-460.
Tsebelis, G. (2002). *Veto Players: How Political Institutions Work*. Princeton UP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.bargaining.outside import fit_continuation, scaling_of
from detente.engines import WarRecord, run_war
from detente.scenario import Scenario, view_of
from detente.scenario.attrition import AttritionWar
from detente.scenario.overrides import apply
from detente.scenario.yamlio import Document, Positions


def required_parties(scenario: Scenario) -> tuple[str, ...]:
    """Parties whose consent a deal needs: those at the table, then the veto players."""
    return tuple(dict.fromkeys([*scenario.table(), *scenario.negotiation.ratify]))


@dataclass(frozen=True)
class Lever:
    """One client and the patrons whose aid is conditional on its acceptance."""

    client: str
    patrons: tuple[str, ...]
    applied: bool
    reason: str | None = None

    def describe(self) -> dict[str, object]:
        """JSON-ready description."""
        return {
            "client": self.client,
            "patrons": list(self.patrons),
            "applied": self.applied,
            "reason": self.reason,
        }


def levers(scenario: Scenario) -> list[Lever]:
    """Pressure entries grouped by client, each marked applied or not (and why not)."""
    required = required_parties(scenario)
    by_client: dict[str, list[str]] = {}
    for entry in scenario.negotiation.pressure:
        if entry.aid_conditional:
            by_client.setdefault(entry.client, []).append(entry.patron)
    found = []
    war = scenario.war
    for client, patrons in by_client.items():
        names = tuple(dict.fromkeys(patrons))
        reason = None
        if client not in required:
            reason = f"{client} is neither at the table nor a veto player"
        elif not isinstance(war, AttritionWar):
            engine = war.engine if war is not None else "no"
            reason = f"the {engine} engine has no patron aid to cut"
        else:
            missing = [p for p in names if p not in war.patrons or not _gives_aid(war, p)]
            if missing:
                reason = f"no aid from {', '.join(missing)} in the war block"
        found.append(Lever(client, names, reason is None, reason))
    return found


def _gives_aid(war: AttritionWar, patron: str) -> bool:
    block = war.patrons[patron]
    return bool(block.aid) or block.money != 0


def without_aid(scenario: Scenario, patrons: tuple[str, ...]) -> Scenario:
    """The scenario with these patrons' deliveries and money set to zero."""
    war = scenario.war
    assert isinstance(war, AttritionWar)
    changes: dict[str, object] = {}
    for patron in patrons:
        block = war.patrons.get(patron)
        if block is None:
            continue
        for materiel in block.aid:
            changes[f"war.patrons.{patron}.aid.{materiel}"] = 0.0
        changes[f"war.patrons.{patron}.money"] = 0.0
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("variants", None)
    data.pop("beliefs", None)
    merged, problems = apply(Document(data, Positions(), scenario.source), changes, Positions())
    assert not problems, problems
    return Scenario.model_validate(merged.data)


def value_without_aid(
    scenario: Scenario, actual: WarRecord, lever: Lever, *, degree: int = 2
) -> NDArray[np.float64]:
    """The client's value of fighting on without the patrons' aid: (paths, checkpoints).

    Simulated under the client's own view with the same paths and seed as ``actual``,
    valued at the actual states.
    """
    seen = without_aid(view_of(scenario, lever.client), lever.patrons)
    run = run_war(
        seen, paths=actual.paths, seed=actual.seed, horizon=actual.plan.horizon,
        first_block=actual.first_block,
    )  # fmt: skip
    col = actual.parties.index(lever.client)
    fit = fit_continuation(run, degree=degree, scaling=scaling_of(actual))
    values: NDArray[np.float64] = fit.predict(actual)[:, :, col]
    return values


def own_value(
    scenario: Scenario, actual: WarRecord, party: str, *, degree: int = 2
) -> NDArray[np.float64]:
    """A party's value of fighting on under its own view, at the actual states."""
    seen = view_of(scenario, party)
    run = actual
    if seen is not scenario:
        run = run_war(
            seen, paths=actual.paths, seed=actual.seed, horizon=actual.plan.horizon,
            first_block=actual.first_block,
        )  # fmt: skip
    col = actual.parties.index(party)
    fit = fit_continuation(run, degree=degree, scaling=scaling_of(actual))
    values: NDArray[np.float64] = fit.predict(actual)[:, :, col]
    return values
