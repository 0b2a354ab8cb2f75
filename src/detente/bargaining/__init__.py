"""Bargaining: outside options, the settlement window and its solutions (DESIGN.md §5).

So far: each party's value of fighting on (outside option) per path and checkpoint,
by least-squares Monte Carlo over an engine's records; the settlement space of
linear-additive utilities, the window's slack and each issue's extent over it for any
outside options; the Pareto set and the Nash, Kalai-Smorodinsky and egalitarian
packages over a finite set of packages.
"""

from detente.bargaining.outside import outside_options
from detente.bargaining.solutions import (
    egalitarian,
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

__all__ = [
    "SettlementSpace",
    "egalitarian",
    "issue_bounds",
    "kalai_smorodinsky",
    "nash",
    "outside_options",
    "packages",
    "pareto_mask",
    "settlement_space",
    "slack",
    "slack_vertices",
]
