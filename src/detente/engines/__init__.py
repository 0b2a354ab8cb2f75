"""War engines behind one interface (shared/DESIGN.md §5).

Scenario in, per-path histories out. Kernels are compiled with numba; see
:mod:`detente.engines.base` for the interface and the payoff accounting, and
:mod:`detente.engines.runner` for blocks, seeds and threads.
"""

from __future__ import annotations

from detente.engines.base import (
    COLLAPSE,
    DECISIVE,
    ESCALATION,
    ONGOING,
    Engine,
    EngineError,
    Plan,
    Variable,
)
from detente.engines.runner import BLOCK_SIZE, WarRecord, run_war

AVAILABLE = ("lottery", "battles", "lanchester", "attrition")
"""Engines that can run."""


def get_engine(name: str) -> Engine:
    """The engine called ``name``.

    Raises
    ------
    EngineError
        If that engine is not available yet.
    """
    if name == "lottery":
        from detente.engines.lottery import Lottery

        return Lottery()
    if name == "battles":
        from detente.engines.battles import Battles

        return Battles()
    if name == "lanchester":
        from detente.engines.lanchester import Lanchester

        return Lanchester()
    if name == "attrition":
        from detente.engines.attrition import Attrition

        return Attrition()
    raise EngineError(
        f"the {name!r} engine is not available yet; engines that run: {', '.join(AVAILABLE)}"
    )


__all__ = [
    "AVAILABLE",
    "BLOCK_SIZE",
    "COLLAPSE",
    "DECISIVE",
    "ESCALATION",
    "ONGOING",
    "Engine",
    "EngineError",
    "Plan",
    "Variable",
    "WarRecord",
    "get_engine",
    "run_war",
]
