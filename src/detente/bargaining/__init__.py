"""Bargaining: outside options, the settlement window and its solutions (DESIGN.md §5).

So far: each party's value of fighting on (outside option) per path and checkpoint,
by least-squares Monte Carlo over an engine's records; the settlement space of
linear-additive utilities and the window's slack for any outside options.
"""

from detente.bargaining.outside import outside_options
from detente.bargaining.space import SettlementSpace, settlement_space, slack, slack_vertices

__all__ = ["SettlementSpace", "outside_options", "settlement_space", "slack", "slack_vertices"]
