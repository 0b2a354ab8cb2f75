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

__all__ = ["Scenario", "ScenarioError", "__version__", "load"]
