"""The scenario language: what users write to describe a conflict (shared/DESIGN.md §4)."""

from detente.scenario.errors import Problem, ScenarioError
from detente.scenario.loader import (
    DEFAULT_SCENARIO,
    build,
    builtin_names,
    builtin_text,
    load,
    read,
    view_of,
)
from detente.scenario.model import Scenario
from detente.scenario.schema import json_schema

__all__ = [
    "DEFAULT_SCENARIO",
    "Problem",
    "Scenario",
    "ScenarioError",
    "build",
    "builtin_names",
    "builtin_text",
    "json_schema",
    "load",
    "read",
    "view_of",
]
