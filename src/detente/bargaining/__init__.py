"""Bargaining: outside options, the settlement window and its solutions (DESIGN.md §5).

So far: each party's value of fighting on (outside option) per path and checkpoint,
by least-squares Monte Carlo over an engine's records.
"""

from detente.bargaining.outside import outside_options

__all__ = ["outside_options"]
