"""detente: simulate a war of attrition and the negotiations that could end it.

>>> import detente as dt
>>> sc = dt.load("fearon")
>>> sc.war.engine
'lottery'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from detente.scenario import Scenario, ScenarioError, load

try:
    __version__ = version("detente")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load",
    "negotiate",
    "simulate",
    "window",
]


def __getattr__(name: str) -> object:
    # Heavy modules (numba, pandas) load on first use, not at `import detente`.
    if name == "simulate":
        from detente.simulation import simulate

        return simulate
    if name == "window":
        from detente.bargaining.window import window

        return window
    if name == "negotiate":
        from detente.negotiation import negotiate

        return negotiate
    if name == "Result":
        from detente.results import Result

        return Result
    raise AttributeError(f"module 'detente' has no attribute {name!r}")
