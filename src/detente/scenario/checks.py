"""Checks that span blocks of a scenario: every name refers to something that exists.

Each check returns ``(path, message)`` pairs; the loader turns the path into the line
and column where the user wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from detente.scenario import predicate, values
from detente.scenario.attrition import AttritionWar
from detente.scenario.errors import did_you_mean
from detente.scenario.model import (
    ACCEPTANCE_PARAMETER,
    Acceptance,
    BattlesWar,
    ContinuousIssue,
    DiscreteIssue,
    LanchesterWar,
    LotteryWar,
    Patron,
    Scenario,
    ThirdParty,
)
from detente.scenario.yamlio import Path

Found = list[tuple[Path, str]]

BELIEF_FORBIDDEN = ("detente", "name", "parties", "beliefs", "claims", "variants")
"""Top-level blocks a party's beliefs may not override: they define who is who, not views."""


def _names(
    found: Found, path: Path, names: Iterable[str], allowed: Iterable[str], what: str
) -> None:
    """Report each of ``names`` (keys or list items at ``path``) that is not ``allowed``."""
    pool = list(allowed)
    for i, name in enumerate(names):
        if name not in pool:
            # "@key": report an unknown mapping key where the key itself was written.
            where = (*path, name, "@key") if isinstance(names, Mapping) else (*path, i)
            found.append((where, f"unknown {what} {name!r}{did_you_mean(name, pool)}"))


def _parties(sc: Scenario, found: Found) -> None:
    fighters = sc.belligerents()
    for name, party in sc.parties.items():
        if isinstance(party, Patron):
            _names(found, ("parties", name, "supports"), party.supports, fighters, "belligerent")
        elif isinstance(party, ThirdParty):
            _names(
                found, ("parties", name, "trades_with"), party.trades_with, fighters, "belligerent"
            )


def _issues(sc: Scenario, found: Found) -> None:
    needs_status_quo = isinstance(sc.war, BattlesWar | LanchesterWar | AttritionWar)
    for name, issue in sc.issues.items():
        here: Path = ("issues", name)
        _names(found, (*here, "positions"), issue.positions, sc.parties, "party")
        if needs_status_quo and issue.status_quo is None:
            engine = sc.war.engine if sc.war else ""
            found.append(
                (
                    here,
                    f"status_quo is required: the {engine} engine pays each party the value "
                    "of the wartime status quo every step",
                )
            )
        if isinstance(issue, ContinuousIssue):
            low, high = issue.range
            if issue.status_quo is not None:
                lo, hi = values.support(issue.status_quo)
                if lo < low or hi > high:
                    found.append(((*here, "status_quo"), f"outside the range [{low:g}, {high:g}]"))
            for party, pos in issue.positions.items():
                at = (*here, "positions", party)
                if not low <= pos.ideal <= high:
                    found.append(((*at, "ideal"), f"outside the range [{low:g}, {high:g}]"))
                if not isinstance(pos.value, str):
                    xs = [x for x, _ in pos.value.points]
                    if xs[0] > low or xs[-1] < high:
                        found.append(
                            (
                                (*at, "value", "points"),
                                f"breakpoints must cover the range [{low:g}, {high:g}]",
                            )
                        )
        elif isinstance(issue, DiscreteIssue):
            levels = issue.levels
            _level(found, (*here, "status_quo"), issue.status_quo, levels)
            for party, dpos in issue.positions.items():
                at = (*here, "positions", party)
                _level(found, (*at, "ideal"), dpos.ideal, levels)
                if dpos.values is not None:
                    _names(found, (*at, "values"), dpos.values, levels, "level")
                    missing = [lv for lv in levels if lv not in dpos.values]
                    if missing and dpos.ideal is None:
                        found.append(((*at, "values"), f"no value for level(s) {missing}"))


def _level(found: Found, path: Path, level: str | None, levels: list[str]) -> None:
    if level is not None and level not in levels:
        found.append((path, f"unknown level {level!r}{did_you_mean(level, levels)}"))


def _war(sc: Scenario, found: Found) -> None:
    war = sc.war
    if war is None:
        return
    fighters = sc.belligerents()
    if war.sides is not None:
        _names(found, ("war", "sides"), war.sides, fighters, "belligerent")
        if war.sides[0] == war.sides[1]:
            found.append((("war", "sides"), "the two sides must differ"))
    elif len(fighters) < 2:
        found.append(
            (("war",), f"the {war.engine} engine needs two belligerents; found {len(fighters)}")
        )
        return
    sides = sc.sides()
    if isinstance(war, LotteryWar | BattlesWar | LanchesterWar):
        _names(found, ("war", "cost"), war.cost, sc.parties, "party")
    if isinstance(war, BattlesWar):
        _names(found, ("war", "prior"), war.prior, sc.parties, "party")
        if war.holds is not None:
            held = sc.issues.get(war.holds)
            if held is None:
                hint = did_you_mean(war.holds, list(sc.issues))
                found.append((("war", "holds"), f"unknown issue {war.holds!r}{hint}"))
            elif not isinstance(held, ContinuousIssue):
                found.append((("war", "holds"), f"{war.holds!r} is not a continuous issue"))
    if isinstance(war, AttritionWar) and sides is not None:
        _attrition(sc, war, sides, found)
    if isinstance(war, LanchesterWar) and sides is not None:
        for block in ("force", "effectiveness"):
            given = getattr(war, block)
            _names(found, ("war", block), given, sides, "side")
            for side in sides:
                if side not in given:
                    found.append((("war", block), f"missing side {side!r}"))


def _attrition(sc: Scenario, war: AttritionWar, sides: tuple[str, str], found: Found) -> None:
    _names(found, ("war", "belligerents"), war.belligerents, sides, "side")
    for side in sides:
        if side not in war.belligerents:
            found.append((("war", "belligerents"), f"missing side {side!r}"))
    patrons = [n for n, p in sc.parties.items() if isinstance(p, Patron)]
    _names(found, ("war", "patrons"), war.patrons, patrons, "patron")
    for name in war.patrons:
        party = sc.parties.get(name)
        if isinstance(party, Patron) and not set(party.supports) & set(sides):
            message = f"{name!r} supports neither side {list(sides)}"
            found.append((("war", "patrons", name, "@key"), message))
    third = [n for n, p in sc.parties.items() if isinstance(p, ThirdParty)]
    _names(found, ("war", "third_parties"), war.third_parties, third, "third party")
    for i, shock in enumerate(war.shocks):
        if shock.side not in sides:
            hint = did_you_mean(shock.side, sides)
            found.append((("war", "shocks", i, "side"), f"unknown side {shock.side!r}{hint}"))
    _names(found, ("war", "prior"), war.prior, sides, "side")
    _names(found, ("war", "cost"), war.cost, sc.parties, "party")
    if war.sanctions is not None and war.sanctions.target not in sides:
        found.append((("war", "sanctions", "target"), f"unknown side {war.sanctions.target!r}"))
    if war.escalation.side is not None and war.escalation.side not in sides:
        found.append((("war", "escalation", "side"), f"unknown side {war.escalation.side!r}"))
    if war.escalation.start > war.escalation.rungs:
        found.append((("war", "escalation", "start"), "above the top rung"))
    for name, patron in war.patrons.items():
        if len(patron.events) > 8:
            found.append((("war", "patrons", name, "events"), "at most 8 events per patron"))


def _negotiation(sc: Scenario, found: Found) -> None:
    neg = sc.negotiation
    parties = list(sc.parties)
    table = sc.table()
    here: Path = ("negotiation",)
    if neg.table is not None:
        _names(found, (*here, "table"), neg.table, parties, "party")
        if len(set(neg.table)) != len(neg.table):
            found.append(((*here, "table"), "a party is listed twice"))
    if len(set(table)) < 2:
        found.append(
            (
                (*here, "table") if neg.table is not None else here,
                "at least two parties must sit at the table",
            )
        )
    _names(found, (*here, "ratify"), neg.ratify, parties, "party")
    for i, name in enumerate(neg.ratify):
        if name in table:
            found.append(
                (
                    (*here, "ratify", i),
                    f"{name!r} is at the table; ratify lists veto players who are not",
                )
            )
    if neg.proposer is not None and neg.proposer not in table:
        found.append(
            (
                (*here, "proposer"),
                f"{neg.proposer!r} is not at the table{did_you_mean(neg.proposer, table)}",
            )
        )
    _names(found, (*here, "discount"), neg.discount, parties, "party")
    _names(found, (*here, "strategies"), neg.strategies, table, "party at the table")
    _names(found, (*here, "acceptance"), neg.acceptance, table, "party at the table")
    for name, rule in neg.acceptance.items():
        _acceptance(found, (*here, "acceptance", name), rule)
    for i, lever in enumerate(neg.pressure):
        at = (*here, "pressure", i)
        patron = sc.parties.get(lever.patron)
        if not isinstance(patron, Patron):
            patrons = [n for n, p in sc.parties.items() if isinstance(p, Patron)]
            hint = did_you_mean(lever.patron, patrons)
            found.append(((*at, "patron"), f"{lever.patron!r} is not a patron{hint}"))
        elif lever.client not in patron.supports:
            found.append(((*at, "client"), f"{lever.patron!r} does not support {lever.client!r}"))
    for name in table:
        cares = any(
            name in issue.positions and values.support(issue.positions[name].weight)[1] > 0
            for issue in sc.issues.values()
        )
        if name in sc.parties and not cares:
            found.append(
                (
                    (*here, "table"),
                    f"{name!r} sits at the table but has no position "
                    "with positive weight on any issue",
                )
            )


def _acceptance(found: Found, here: Path, acceptance: Acceptance) -> None:
    """Each rule takes exactly its own parameter: const ``utility``, time and combi ``time``."""
    needed = ACCEPTANCE_PARAMETER[acceptance.rule]
    for field in ("utility", "time"):
        given = getattr(acceptance, field) is not None
        if given and field != needed:
            takes = f"it takes {needed!r}" if needed else "it takes no parameter"
            message = f"{field!r} does not apply to rule {acceptance.rule!r}; {takes}"
            found.append(((*here, field, "@key"), message))
    if needed is not None and getattr(acceptance, needed) is None:
        meaning = {
            "utility": "the share of the way from its outside option to its best package "
            "that an offer must be worth",
            "time": "the share of the deadline after which it relaxes",
        }[needed]
        found.append(((*here, "rule"), f"rule {acceptance.rule!r} needs {needed!r}: {meaning}"))


def _claims(sc: Scenario, found: Found) -> None:
    names = predicate.Names(frozenset(sc.parties), frozenset(sc.issues))
    seen: set[str] = set()
    for i, claim in enumerate(sc.claims):
        if claim.id in seen:
            found.append((("claims", i, "id"), f"duplicate claim id {claim.id!r}"))
        seen.add(claim.id)
        _, problems = predicate.check(claim.predicate, names)
        for err in problems:
            found.append((("claims", i, "predicate", f"@{err.offset}"), err.message))


def _beliefs(sc: Scenario, found: Found) -> None:
    _names(found, ("beliefs",), sc.beliefs, sc.parties, "party")
    for party, view in sc.beliefs.items():
        for key in view:
            top = key.split(".")[0]
            if top in BELIEF_FORBIDDEN:
                found.append((("beliefs", party, key, "@key"), f"beliefs cannot change {top!r}"))


def _time(sc: Scenario, found: Found) -> None:
    _names(found, ("time", "discount"), sc.time.discount, sc.parties, "party")


def check(sc: Scenario) -> Found:
    """Every cross-block problem of a scenario that passed the schema, as (path, message)."""
    found: Found = []
    for part in (_parties, _issues, _war, _negotiation, _claims, _beliefs, _time):
        part(sc, found)
    return found
