"""What every protocol needs to know about one round of talks, as arrays.

Talks at one checkpoint are many independent negotiations, one per path still at war.
For each, :class:`Stakes` holds what the protocols read: each party's own outside option
(known to itself), each party's estimate of the others' (private information), the
discount factors per round of offers, and the patron pressure in force.

Patron pressure (``detente.negotiation.table``) makes a client's reservation depend on
the package: if every patron pressing it *backs* the package (it gives each of them at
least that patron's own outside option) the client's alternative to accepting is to
fight on without their aid, worth ``pressed``; otherwise it is its usual outside option.
The kernels here apply that rule package by package.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.bargaining.space import SettlementSpace, slack


@dataclass(frozen=True)
class Stakes:
    """One checkpoint's negotiations (rows) over one menu (columns of utilities).

    Attributes
    ----------
    own
        (rows, columns): each party's own outside option. Columns are the required
        parties, then patrons that only matter through pressure.
    believed
        (rows, required, required): ``believed[p, i, j]`` is party ``i``'s estimate of
        party ``j``'s outside option (its own on the diagonal).
    discount
        (rows, required): discount factor per round of offers.
    entry
        (required,): for each party, the pressure entry it is the client of, -1 if none.
    patrons
        (entries, k): columns of the patrons of each entry, -1 padding.
    pressed
        (rows, entries): the client's outside option without those patrons' aid.
    deviation
        (samples, required): spread of each party's outside option that only it knows
        (its own cost of war), as others see it: samples to integrate over.
    """

    own: NDArray[np.float64]
    believed: NDArray[np.float64]
    discount: NDArray[np.float64]
    entry: NDArray[np.int64]
    patrons: NDArray[np.int64]
    pressed: NDArray[np.float64]
    deviation: NDArray[np.float64]

    @classmethod
    def plain(
        cls,
        own: NDArray[np.float64],
        discount: NDArray[np.float64] | None = None,
        believed: NDArray[np.float64] | None = None,
        deviation: NDArray[np.float64] | None = None,
    ) -> Stakes:
        """Negotiations without pressure; by default estimates are right and no discount.

        ``own`` is (rows, parties); ``discount`` (rows, parties); ``believed`` (rows,
        parties, parties); ``deviation`` (samples, parties).
        """
        own = np.atleast_2d(np.asarray(own, dtype=np.float64))
        rows, n = own.shape
        if believed is None:
            believed = np.repeat(own[:, None, :], n, axis=1)
        return cls(
            own=own,
            believed=np.asarray(believed, dtype=np.float64),
            discount=np.ones((rows, n)) if discount is None else np.asarray(discount, float),
            entry=np.full(n, -1, np.int64),
            patrons=np.zeros((0, 1), np.int64),
            pressed=np.zeros((rows, 0)),
            deviation=np.zeros((1, n)) if deviation is None else np.asarray(deviation, float),
        )

    @property
    def rows(self) -> int:
        """Number of negotiations."""
        return int(self.own.shape[0])

    @property
    def required(self) -> int:
        """Number of parties whose consent a deal needs."""
        return int(self.believed.shape[1])

    def take(self, rows: NDArray[np.bool_] | NDArray[np.int64]) -> Stakes:
        """The negotiations selected by ``rows``."""
        return replace(
            self,
            own=self.own[rows],
            believed=self.believed[rows],
            discount=self.discount[rows],
            pressed=self.pressed[rows],
        )

    def without_pressure(self) -> Stakes:
        """The same negotiations with no pressure in force."""
        return replace(
            self,
            entry=np.full_like(self.entry, -1),
            patrons=np.zeros((0, 1), np.int64),
            pressed=np.zeros((self.rows, 0)),
        )


@njit(cache=True, nogil=True)
def backed(utilities, k, patrons, e, reserve):  # type: ignore[no-untyped-def]
    """Whether every patron of pressure entry ``e`` gets its outside option from package ``k``.

    ``reserve`` holds the outside options of all columns (one negotiation).
    """
    for j in range(patrons.shape[1]):
        p = patrons[e, j]
        if p >= 0 and utilities[k, p] < reserve[p] - 1e-12:
            return False
    return True


@njit(cache=True, nogil=True)
def accepts(utilities, k, i, base, entry, patrons, pressed_i, reserve):  # type: ignore[no-untyped-def]
    """Whether package ``k`` gives party ``i`` its reservation (pressure-aware).

    ``base`` is its usual reservation; as a client of entry ``entry[i]`` whose patrons
    all back ``k``, the reservation is ``min(base, pressed_i)`` instead (a threat to cut
    aid that would leave the client better off is not a threat).
    """
    u = utilities[k, i]
    if u >= base - 1e-12:
        return True
    e = entry[i]
    if e < 0 or pressed_i >= base:
        return False
    return u >= pressed_i - 1e-12 and backed(utilities, k, patrons, e, reserve)


@njit(cache=True, nogil=True)
def _feasible(utilities, candidates, own, entry, patrons, pressed, n_required):  # type: ignore[no-untyped-def]
    n_rows = own.shape[0]
    out = np.zeros(n_rows, np.bool_)
    for r in range(n_rows):
        for k in candidates:
            ok = True
            for i in range(n_required):
                e = entry[i]
                pv = pressed[r, e] if e >= 0 else np.inf
                if not accepts(utilities, k, i, own[r, i], entry, patrons, pv, own[r]):
                    ok = False
                    break
            if ok:
                out[r] = True
                break
    return out


def feasible(
    utilities: NDArray[np.float64],
    candidates: NDArray[np.int64],
    stakes: Stakes,
    space: SettlementSpace,
    vertices: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Whether some candidate package gives every required party its reservation, per row.

    First the window's slack over lotteries of packages (``detente.bargaining.space``)
    with each client at its lower, pressed reservation: negative slack rules a row out
    at the cost of a matrix product. The rows left are checked package by package, the
    packages tried first being those that leave the typical row the most to spare.
    """
    n = stakes.required
    relaxed = stakes.own[:, :n].copy()
    patrons, pressed = kernel_pressure(stakes)
    for i in range(n):
        e = int(stakes.entry[i])
        if e >= 0:
            relaxed[:, i] = np.minimum(relaxed[:, i], pressed[:, e])
    maybe = slack(space, relaxed, vertices) >= -1e-9
    out = np.zeros(stakes.rows, bool)
    if not maybe.any():
        return out
    typical = np.median(relaxed[maybe], axis=0)
    spare = (utilities[candidates, :n] - typical).min(axis=1)
    ordered = candidates[np.argsort(-spare, kind="stable")]
    rows = np.flatnonzero(maybe)
    out[rows] = _feasible(
        np.ascontiguousarray(utilities), np.ascontiguousarray(ordered, dtype=np.int64),
        np.ascontiguousarray(stakes.own[rows]), stakes.entry, patrons,
        np.ascontiguousarray(pressed[rows]), n,
    )  # fmt: skip
    return out


def _patrons(stakes: Stakes) -> NDArray[np.int64]:
    p = stakes.patrons
    return np.ascontiguousarray(p if p.size else np.full((1, 1), -1, np.int64), dtype=np.int64)


def _pressed(stakes: Stakes) -> NDArray[np.float64]:
    p = stakes.pressed
    return np.ascontiguousarray(p if p.shape[1] else np.full((stakes.rows, 1), np.inf))


def kernel_pressure(stakes: Stakes) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """``patrons`` and ``pressed`` shaped for the kernels (never empty)."""
    return _patrons(stakes), _pressed(stakes)


@njit(cache=True, nogil=True)
def _approves(utilities, chosen, own, parties, entry, patrons, pressed):  # type: ignore[no-untyped-def]
    out = np.zeros(chosen.shape[0], np.bool_)
    for r in range(chosen.shape[0]):
        if chosen[r] < 0:
            continue
        ok = True
        for i in parties:
            e = entry[i]
            pv = pressed[r, e] if e >= 0 else np.inf
            if not accepts(utilities, chosen[r], i, own[r, i], entry, patrons, pv, own[r]):
                ok = False
                break
        out[r] = ok
    return out


def approves(
    utilities: NDArray[np.float64],
    chosen: NDArray[np.int64],
    stakes: Stakes,
    parties: list[int],
) -> NDArray[np.bool_]:
    """Whether each row's package (-1: none) gives all ``parties`` their reservation."""
    patrons, pressed = kernel_pressure(stakes)
    result: NDArray[np.bool_] = _approves(
        np.ascontiguousarray(utilities), np.ascontiguousarray(chosen, dtype=np.int64),
        np.ascontiguousarray(stakes.own), np.array(parties, np.int64), stakes.entry, patrons,
        pressed,
    )  # fmt: skip
    return result
