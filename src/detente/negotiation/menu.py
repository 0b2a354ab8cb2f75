"""What can be agreed: the packages on the table, as arrays the protocols share.

A *menu* is the finite set of packages of a scenario's settlement space (one outcome per
issue; continuous issues on a grid, as ``detente.bargaining.window.solution_space``
builds it) with each package's utility to every party that matters to the talks: the
required parties first (table, then veto players), then any patron whose backing of a
deal changes a client's outside option (``detente.negotiation.table``).

For the equilibrium protocol a menu also offers *segments*: pairs of packages that
differ only on one continuous issue, at neighbouring outcomes. Utilities are linear in
that issue between neighbouring breakpoints (``detente.bargaining.space``), so a point
``t`` in ``[0, 1]`` along a segment is a package whose utilities are the linear
interpolation of its ends. When a scenario has exactly one continuous issue, the
equilibrium works on the segments between its breakpoints and is exact on that issue;
otherwise a segment is a single package (both ends equal) of the Pareto set.

Terms are stored per package as numbers: the outcome itself on a continuous issue, the
index of the level on a discrete one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detente.bargaining.solutions import packages, pareto_mask
from detente.bargaining.space import SettlementSpace, settlement_space
from detente.bargaining.window import solution_space
from detente.scenario.model import Scenario


@dataclass(frozen=True)
class Menu:
    """Packages, their terms and utilities, and the segments along one continuous issue.

    Attributes
    ----------
    space
        The settlement space the packages come from.
    choices
        (packages, issues): index of each issue's outcome in ``space.outcomes``.
    terms
        (packages, issues): the outcome on continuous issues, the level index otherwise.
    utilities
        (packages, columns): utility of each package to each party column.
    pareto
        Indices of the packages no other package beats for every column.
    seg0, seg1
        Ends of each segment (indices of packages); equal for a single package.
    exact
        Index of the issue interpolated along segments, -1 if none.
    """

    space: SettlementSpace
    choices: NDArray[np.int64]
    terms: NDArray[np.float64]
    utilities: NDArray[np.float64]
    pareto: NDArray[np.int64]
    seg0: NDArray[np.int64]
    seg1: NDArray[np.int64]
    exact: int

    @property
    def issues(self) -> tuple[str, ...]:
        """Issue names, in the order of ``terms``' columns."""
        return self.space.issues

    def continuous(self) -> list[bool]:
        """Which issues are continuous (their terms are outcomes, not level indices)."""
        return [_is_numeric(o) for o in self.space.outcomes]

    def at(
        self, segment: NDArray[np.int64], t: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Terms and utilities at points ``t`` of ``segment`` (rows with segment -1: NaN)."""
        ok = segment >= 0
        terms = np.full((len(segment), self.terms.shape[1]), np.nan)
        utils = np.full((len(segment), self.utilities.shape[1]), np.nan)
        a, b, w = self.seg0[segment[ok]], self.seg1[segment[ok]], t[ok, None]
        terms[ok] = self.terms[a] + w * (self.terms[b] - self.terms[a])
        utils[ok] = self.utilities[a] + w * (self.utilities[b] - self.utilities[a])
        return terms, utils

    def of(self, package: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Terms and utilities of packages (rows with package -1: NaN)."""
        ok = package >= 0
        terms = np.full((len(package), self.terms.shape[1]), np.nan)
        utils = np.full((len(package), self.utilities.shape[1]), np.nan)
        terms[ok] = self.terms[package[ok]]
        utils[ok] = self.utilities[package[ok]]
        return terms, utils

    def strides(self) -> NDArray[np.int64]:
        """Index step of one outcome on each issue (packages are in row-major order)."""
        sizes = [len(o) for o in self.space.outcomes]
        out = np.ones(len(sizes), np.int64)
        for k in range(len(sizes) - 2, -1, -1):
            out[k] = out[k + 1] * sizes[k + 1]
        return out

    def neutral(self, columns: int) -> int:
        """The neutral text: on each issue the outcome whose worst value is best.

        Per issue, each of the first ``columns`` parties with a stake in it values every
        outcome on its own scale (its value function, 0 to 1); the neutral outcome
        maximises the smallest of these (ties: the larger sum, then the first). It
        favours no party issue by issue and ignores salience, so it is a compromise
        clause by clause, not an efficient package: the mediator improves on it.
        """
        index = 0
        for k, table in enumerate(self.space.points):
            t = table[:, :columns]
            top = t.max(axis=0)
            keep = top > 0
            if not keep.any():
                best = 0
            else:
                v = t[:, keep] / top[keep]
                score = v.min(axis=1) + 1e-9 * v.sum(axis=1)
                best = int(np.argmax(score))
            index += best * int(self.strides()[k])
        return index


def menu_of(space: SettlementSpace) -> Menu:
    """The finite menu of every package of a settlement space (no segments)."""
    return _build(space, -1)


def table_menu(utilities: NDArray[np.float64]) -> Menu:
    """A menu of arbitrary packages given only their utilities (packages, parties).

    The packages are the levels of one categorical issue, ``package``.
    """
    table = np.asarray(utilities, dtype=np.float64)
    space = SettlementSpace(
        tuple(f"p{i}" for i in range(table.shape[1])),
        ("package",),
        (tuple(str(k) for k in range(len(table))),),
        (table,),
    )
    return _build(space, -1)


def _is_numeric(outcomes: tuple[float | str, ...]) -> bool:
    return all(isinstance(o, int | float) for o in outcomes)


def _terms(space: SettlementSpace, choices: NDArray[np.int64]) -> NDArray[np.float64]:
    terms = choices.astype(np.float64)
    for k, outcomes in enumerate(space.outcomes):
        if _is_numeric(outcomes):
            terms[:, k] = np.asarray(outcomes, dtype=np.float64)[choices[:, k]]
    return terms


def _build(space: SettlementSpace, exact: int) -> Menu:
    choices, utilities = packages(space)
    terms = _terms(space, choices)
    pareto = np.flatnonzero(pareto_mask(utilities)).astype(np.int64)
    if exact < 0:
        seg0 = seg1 = pareto
    else:
        sizes = [len(o) for o in space.outcomes]
        stride = int(np.prod(sizes[exact + 1 :], dtype=np.int64))
        seg0 = np.flatnonzero(choices[:, exact] < sizes[exact] - 1).astype(np.int64)
        seg1 = seg0 + stride
    return Menu(space, choices, terms, utilities, pareto, seg0, seg1, exact)


def build_menus(scenario: Scenario, columns: tuple[str, ...]) -> tuple[Menu, Menu]:
    """The finite menu (grid) and the menu the equilibrium protocol works on.

    With exactly one continuous issue the equilibrium menu holds that issue's
    breakpoints only and is solved exactly along its segments; otherwise it is the
    finite menu (its Pareto packages as segments of one point).
    """
    finite = _build(solution_space(scenario, columns), -1)
    numeric = [k for k, o in enumerate(finite.space.outcomes) if _is_numeric(o)]
    if len(numeric) != 1:
        return finite, finite
    coarse = settlement_space(scenario, columns)
    return finite, _build(coarse, numeric[0])
