"""Private information about costs: each party's outside option given its own cost of war.

The window values fighting on by regressing realised future payoffs on the state of
the war, so two paths in the same state get the same outside option even when their
costs of war were drawn differently. In talks a party knows its own cost (Fearon 1995:
private information about the costs of fighting), so its reservation value is its
expected future payoff given the state *and* its own cost. Here that expectation is
estimated the same way (least-squares Monte Carlo, ``detente.bargaining.outside``) with
the party's own per-path cost added to the regressors, on the war as the party sees
it, and applied to the actual states and costs. Others know only the distribution of
that cost: the difference between a party's value with and without its cost is the
private part of its outside option, which a proposer integrates over
(``detente.negotiation.ultimatum``).

Only parties whose cost of war is uncertain (a distribution) have a private part.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414. Longstaff, F. A., & Schwartz, E. S. (2001). Valuing American options by
simulation: a simple least-squares approach. *Review of Financial Studies*, 14(1),
113-147.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from detente.bargaining.outside import fit_continuation, scaling_of
from detente.engines import BLOCK_SIZE, WarRecord, get_engine
from detente.scenario import values


def drawn_costs(record: WarRecord) -> NDArray[np.float64]:
    """Each path's cost of war per party, as the run drew it: (paths, parties).

    The run keeps them (``WarRecord.cost``); a record without them has its per-path
    inputs re-drawn from its seed (the first draws of every block's stream, see
    ``detente.engines.runner``), so nothing is re-simulated.
    """
    if record.cost is not None:
        return record.cost
    from detente.engines.runner import _Inputs  # the run's own draw order

    inputs = _Inputs(record.scenario, get_engine(record.engine))
    out = np.empty((record.paths, len(record.parties)))
    for b in range(-(-record.paths // BLOCK_SIZE)):
        start = b * BLOCK_SIZE
        n = min(BLOCK_SIZE, record.paths - start)
        rng = np.random.default_rng(
            np.random.SeedSequence(record.seed, spawn_key=(record.first_block + b,))
        )
        _, drawn = inputs.block(rng, n)
        out[start : start + n] = drawn["cost"]
    return out


def has_private_cost(record: WarRecord, party: str) -> bool:
    """Whether the party's cost of war differs across the run's paths."""
    cost = getattr(record.scenario.war, "cost", {}).get(party, 0.0)
    return values.is_uncertain(cost)


def _with_cost(record: WarRecord, cost: NDArray[np.float64]) -> WarRecord:
    n_ckpt = record.checkpoint_features.shape[1]
    extra = np.broadcast_to(cost[:, None, None], (record.paths, n_ckpt, 1))
    features = np.concatenate([record.checkpoint_features, extra.astype(np.float32)], axis=2)
    return dataclasses.replace(
        record, checkpoint_features=features, features=[*record.features, "own_cost"]
    )


def private_values(
    actual: WarRecord,
    views: dict[str, WarRecord],
    parties: tuple[str, ...],
    *,
    degree: int = 2,
) -> dict[str, NDArray[np.float64]]:
    """The private part of outside options, for parties whose cost is uncertain.

    For each such party, its expected future payoff is regressed on the state with and
    without its own cost among the regressors (on the war as it sees it, features
    standardised as on the actual war, like the window's regressions), and both fits
    are applied to the actual states; their difference is what knowing its own cost
    adds to the value the state alone implies.

    Parameters
    ----------
    actual
        The war as it happens.
    views
        The war as each party sees it (same paths and seed); missing: as it is.
    parties
        The parties to value.
    degree
        Degree of the regression polynomial.

    Returns
    -------
    dict
        Party -> (paths, checkpoints): value with its own cost minus value without;
        parties without a private cost are left out.
    """
    found: dict[str, NDArray[np.float64]] = {}
    actual_costs: NDArray[np.float64] | None = None
    for party in parties:
        view = views.get(party, actual)
        if not (has_private_cost(actual, party) or has_private_cost(view, party)):
            continue
        col = actual.parties.index(party)
        if actual_costs is None:
            actual_costs = drawn_costs(actual)
        view_costs = actual_costs if view is actual else drawn_costs(view)
        at = _with_cost(actual, actual_costs[:, col])
        knowing = fit_continuation(
            _with_cost(view, view_costs[:, col]), degree=degree, scaling=scaling_of(at)
        ).predict(at)[:, :, col]
        state_only = fit_continuation(view, degree=degree, scaling=scaling_of(actual)).predict(
            actual
        )[:, :, col]
        found[party] = knowing - state_only
    return found
