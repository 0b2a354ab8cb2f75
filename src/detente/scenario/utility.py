"""Parties' utilities over packages of issue outcomes (linear-additive).

A party's utility of a package ``x`` (one outcome per issue) is
``u_i(x) = sum_k w_ik * v_ik(x_k) / sum_k w_ik``: a salience-weighted mean of per-issue
value functions in [0, 1], so utilities lie in [0, 1] and are measured in units of the
party's whole stake -- the unit in which war costs are written (Fearon 1995). This is
the additive form used in multi-issue negotiation analysis (Raiffa 1982; Keeney &
Raiffa 1976), by KTAB and by NegMAS.

Value functions:

* continuous ``linear``: 1 at the ideal, falling linearly to 0 at the far end of the
  range, ``v(x) = 1 - |x - ideal| / max(ideal - low, high - ideal)``;
* continuous ``piecewise``: linear interpolation through the given breakpoints;
* ordinal without ``values``: 1 at the ideal level, falling linearly with the distance
  in levels to 0 at the farthest level;
* categorical without ``values``: 1 at the ideal level, 0 elsewhere;
* explicit ``values``: the given value of each level (levels not given are worth 0).

Weights may be uncertain; here they enter at their means (path-independent), as
issue salience is a property of the party, not of a path of the war.

References
----------
Keeney, R. L., & Raiffa, H. (1976). *Decisions with Multiple Objectives*. Wiley.
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from detente.scenario import values
from detente.scenario.model import (
    ContinuousIssue,
    ContinuousPosition,
    DiscreteIssue,
    DiscretePosition,
    Scenario,
)

Outcome = float | str
"""One issue's outcome: a number for a continuous issue, a level for a discrete one."""


def continuous_value(
    issue: ContinuousIssue, pos: ContinuousPosition, x: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """A party's value in [0, 1] of continuous outcomes ``x`` (vectorised)."""
    x = np.asarray(x, dtype=float)
    low, high = issue.range
    if isinstance(pos.value, str):  # linear
        reach = max(pos.ideal - low, high - pos.ideal)
        return np.asarray(np.clip(1.0 - np.abs(x - pos.ideal) / reach, 0.0, 1.0))
    xs, vs = zip(*pos.value.points, strict=True)
    return np.asarray(np.interp(x, xs, vs), dtype=float)


def level_values(issue: DiscreteIssue, pos: DiscretePosition) -> NDArray[np.float64]:
    """A party's value in [0, 1] of each level of a discrete issue, in level order."""
    levels = issue.levels
    if pos.values is not None:
        given = np.array([pos.values.get(level, np.nan) for level in levels])
        if pos.ideal is None or not np.isnan(given).any():
            return np.asarray(np.nan_to_num(given, nan=0.0), dtype=float)
        fallback = _ideal_values(issue, pos.ideal)
        return np.asarray(np.where(np.isnan(given), fallback, given), dtype=float)
    assert pos.ideal is not None  # the schema requires ideal or values
    return _ideal_values(issue, pos.ideal)


def _ideal_values(issue: DiscreteIssue, ideal: str) -> NDArray[np.float64]:
    index = np.arange(len(issue.levels))
    at = issue.levels.index(ideal)
    if issue.kind == "categorical":
        return np.asarray(index == at, dtype=float)
    reach = max(at, len(issue.levels) - 1 - at)
    return np.asarray(1.0 - np.abs(index - at) / reach)


def weights(scenario: Scenario, party: str) -> dict[str, float]:
    """A party's normalised salience weight per issue (zero where it has no position)."""
    raw = {
        name: values.mean(issue.positions[party].weight) if party in issue.positions else 0.0
        for name, issue in scenario.issues.items()
    }
    total = sum(raw.values())
    return {name: (w / total if total > 0 else 0.0) for name, w in raw.items()}


def ideal_package(scenario: Scenario, party: str) -> dict[str, Outcome]:
    """The package a party would impose if it won outright: its best outcome per issue.

    On an issue where the party has no position, the outcome stays at the wartime
    status quo (or, without one, at the middle of the range / the first level).
    """
    package: dict[str, Outcome] = {}
    for name, issue in scenario.issues.items():
        pos = issue.positions.get(party)
        if isinstance(issue, ContinuousIssue):
            if isinstance(pos, ContinuousPosition):
                package[name] = pos.ideal
            elif issue.status_quo is not None:
                package[name] = values.mean(issue.status_quo)
            else:
                package[name] = 0.5 * (issue.range[0] + issue.range[1])
        else:
            if isinstance(pos, DiscretePosition):
                best = int(np.argmax(level_values(issue, pos)))
                package[name] = issue.levels[best]
            else:
                package[name] = issue.status_quo or issue.levels[0]
    return package


def utility(scenario: Scenario, party: str, package: Mapping[str, Outcome]) -> float:
    """A party's utility in [0, 1] of a package (outcomes of every issue)."""
    w = weights(scenario, party)
    total = 0.0
    for name, issue in scenario.issues.items():
        if w[name] == 0.0:
            continue
        outcome = package[name]
        if isinstance(issue, ContinuousIssue):
            pos_c = issue.positions[party]
            total += w[name] * float(continuous_value(issue, pos_c, float(outcome)))
        else:
            pos_d = issue.positions[party]
            total += w[name] * float(level_values(issue, pos_d)[issue.levels.index(str(outcome))])
    return total


def status_quo_utility(
    scenario: Scenario, party: str, status_quo: Mapping[str, NDArray[np.float64]]
) -> NDArray[np.float64]:
    """A party's utility of the wartime status quo, per path.

    ``status_quo`` gives, for each continuous issue with an uncertain status quo, its
    value on every path; fixed status quos are read from the scenario. Issues without
    a status quo contribute nothing while the war goes on.
    """
    w = weights(scenario, party)
    n = max((len(v) for v in status_quo.values()), default=1)
    total = np.zeros(n)
    for name, issue in scenario.issues.items():
        if w[name] == 0.0 or issue.status_quo is None:
            continue
        if isinstance(issue, ContinuousIssue):
            x = status_quo.get(name, np.full(n, values.mean(issue.status_quo)))
            total += w[name] * continuous_value(issue, issue.positions[party], x)
        else:
            level = issue.levels.index(issue.status_quo)
            total += w[name] * level_values(issue, issue.positions[party])[level]
    return total
