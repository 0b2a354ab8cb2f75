"""The assumption ledger: every number of a scenario, its value or range, basis and source.

A scenario states each number plainly (``0.6``), with provenance
(``{value: 0.6, basis: ..., source: "seed L10"}``) or as an uncertain range
(``{low, high}`` or a distribution, also with provenance). The ledger lists them all by
their path in the scenario -- the same path ``--set`` takes -- so a reader can trace each
assumption and see which ones a variant changed and which rest on judgement alone.
Each party's beliefs (overrides of how it sees the war) are listed under
``beliefs.PARTY.path``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
from pydantic import BaseModel

from detente.scenario import Scenario, ScenarioError, builtin_names, builtin_text, read
from detente.scenario.values import Beta, LogNormal, Normal, Point, Triangular, Uniform

COLUMNS = ["path", "value", "uncertain", "basis", "source", "set_by", "where", "note"]

_SKIP = {"claims", "variants", "references", "detente", "name", "title", "description"}
_DISTRIBUTION_KEYS = {"value", "low", "high", "dist", "mode", "mean", "sd", "median", "sigma"}


def describe(q: Any) -> tuple[str, bool]:
    """A quantity as text for people, and whether it is uncertain."""
    if isinstance(q, Point):
        return _num(q.value), False
    if isinstance(q, Uniform):
        return f"{_num(q.low)} to {_num(q.high)} (uniform)", True
    if isinstance(q, Triangular):
        return f"{_num(q.low)} to {_num(q.high)}, mode {_num(q.mode)} (triangular)", True
    if isinstance(q, Normal):
        cut = "" if q.low is None and q.high is None else (
            f", cut to [{_num(q.low) if q.low is not None else '-inf'}, "
            f"{_num(q.high) if q.high is not None else 'inf'}]"
        )  # fmt: skip
        return f"normal, mean {_num(q.mean_)}, sd {_num(q.sd)}{cut}", True
    if isinstance(q, LogNormal):
        return f"lognormal, median {_num(q.median)}, sigma {_num(q.sigma)}", True
    if isinstance(q, Beta):
        return f"beta({_num(q.a)}, {_num(q.b)}) on [{_num(q.low)}, {_num(q.high)}]", True
    if isinstance(q, dict):  # a raw override (beliefs): {value|low|high|dist, basis, source}
        if "value" in q:
            return _num(q["value"]), False
        if "dist" in q:
            params = ", ".join(f"{k} {_num(v)}" for k, v in q.items()
                               if k not in ("dist", "basis", "source"))  # fmt: skip
            return f"{q['dist']}, {params}", True
        return f"{_num(q.get('low'))} to {_num(q.get('high'))} (uniform)", True
    return _num(q), False


def _num(x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    return f"{x:,.0f}" if abs(x) >= 10_000 else f"{x:.6g}"


def _walk(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every number (plain, with provenance or uncertain) below a node, with its path."""
    if isinstance(node, Point | Uniform | Triangular | Normal | LogNormal | Beta):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if not path and name in _SKIP:
                continue
            yield from _walk(getattr(node, name), (*path, name))
    elif isinstance(node, dict):
        if (
            node
            and set(node) <= _DISTRIBUTION_KEYS | {"basis", "source"}
            and (set(node) & _DISTRIBUTION_KEYS)
        ):
            yield path, node
            return
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list | tuple):
        if node and all(_numbers(v) for v in node):  # a range, or a curve's breakpoints
            yield path, node
            return
        for k, value in enumerate(node):
            yield from _walk(value, (*path, str(k)))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, node


def _numbers(x: Any) -> bool:
    """A number, or a list of numbers (a breakpoint ``[x, value]``)."""
    if isinstance(x, list | tuple):
        return bool(x) and all(_numbers(v) for v in x)
    return isinstance(x, int | float) and not isinstance(x, bool)


def _list_text(x: Any) -> str:
    if isinstance(x, list | tuple):
        return "[" + ", ".join(_list_text(v) for v in x) + "]"
    return _num(x)


_COMMENT = re.compile(r"\s#\s*(.+?)\s*$")


def _locator(scenario: Scenario) -> Callable[[tuple[str, ...]], tuple[str, str]]:
    """Where a path is written in the scenario's file (``source:line``) and its comment."""
    try:
        doc = read(scenario.source)
        if scenario.source in builtin_names():
            lines = builtin_text(scenario.source).splitlines()
        else:
            with open(scenario.source, encoding="utf-8") as f:
                lines = f.read().splitlines()
    except (ScenarioError, OSError):
        return lambda _path: ("", "")
    marks = doc.positions.values

    def find(path: tuple[str, ...]) -> tuple[str, str]:
        key = tuple(int(p) if p.isdigit() else p for p in path)
        dotted = ".".join(path)
        variant = scenario.variant
        mark = marks.get(("variants", variant, "set", dotted)) if variant else None
        if path[:1] == ("beliefs",):  # beliefs are written as {PARTY: {dotted.path: value}}
            mark = mark or marks.get(("beliefs", path[1], ".".join(path[2:])))
        mark = mark or marks.get(key)
        if mark is None or not 0 < mark.line <= len(lines):
            return "", ""
        line = lines[mark.line - 1]
        found = _COMMENT.search(line)
        before = line[: found.start()] if found else ""
        quoted = before.count('"') % 2 or before.count("'") % 2
        note = found.group(1) if found and not quoted else ""
        return f"{mark.source}:{mark.line}", note

    return find


def ledger(scenario: Scenario) -> pd.DataFrame:
    """Every number of the scenario (as loaded, with its variant applied).

    Columns: ``path`` (as ``--set`` takes it), ``value`` (or range / distribution, as
    text), ``uncertain``, ``basis``, ``source``, ``set_by`` (the variant that set it, if
    any), ``where`` (``file:line`` where it is written) and ``note`` (the comment on that
    line). Beliefs are listed as ``beliefs.PARTY.<path>``.
    """
    variant = scenario.variant
    changed = set(scenario.variants[variant].set) if variant in scenario.variants else set()
    locate = _locator(scenario)
    rows = []
    for path, q in _walk(scenario, ()):
        dotted = ".".join(path)
        if isinstance(q, list | tuple):
            text, uncertain = _list_text(q), False
        else:
            text, uncertain = describe(q)
        basis = q.get("basis") if isinstance(q, dict) else getattr(q, "basis", None)
        source = q.get("source") if isinstance(q, dict) else getattr(q, "source", None)
        set_by = variant if any(dotted == c or dotted.startswith(f"{c}.") for c in changed) \
            else None  # fmt: skip
        where, note = locate(path)
        rows.append((dotted, text, uncertain, basis or "", source or "", set_by, where, note))
    return pd.DataFrame(rows, columns=COLUMNS)
