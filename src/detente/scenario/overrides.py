"""Overrides: changing a scenario's values by path (``--set``, variants, beliefs).

One rule serves all three layers. An override is a path into the scenario (``war.p_win``,
``issues.territory.positions.russia.weight``, ``claims.0.predicate``) and a value. Blocks
merge key by key, so ``{war: {p_win: 0.7}}`` changes only ``p_win``; a value -- a number,
a distribution, a list -- replaces the old one whole; a block with a different ``engine``,
``kind``, ``role`` or ``dist``, or in another form (a schedule ``at`` fixed steps, or
drawn by ``ripeness``, replacing one ``every`` k steps), replaces the old block whole
(switching engines does not leave the old engine's fields behind).
"""

from __future__ import annotations

import copy
from typing import Any

from detente.scenario.errors import Problem, ScenarioError
from detente.scenario.yamlio import Document, Mark, Path, Positions, read_yaml

_SWITCHES = ("engine", "kind", "role", "dist")
_FORMS = ("every", "at", "ripeness")  # keys naming the form of a block (a talks schedule)
_QUANTITY_KEYS = {"value", "low", "high", "dist"}


def parse_path(text: str) -> Path:
    """Split ``a.b.0.c`` into ``("a", "b", 0, "c")``; numbers index lists.

    Raises
    ------
    ValueError
        If the path is empty or has an empty part.
    """
    parts = text.split(".")
    if not text or any(not p for p in parts):
        raise ValueError(f"bad path {text!r}: write dotted names like war.p_win")
    return tuple(int(p) if p.isdigit() else p for p in parts)


def parse_set(arg: str, *, source: str = "--set") -> tuple[Path, Document]:
    """Parse one ``PATH=VALUE`` option; VALUE is YAML (``0.4``, ``{low: 0.3, high: 0.5}``).

    Raises
    ------
    ScenarioError
        If the option has no ``=``, a bad path, or a value that is not safe YAML.
    """
    name, eq, value = arg.partition("=")
    name = name.strip()
    if not eq:
        raise ScenarioError(
            [Problem(source, 1, 1, "", f"expected PATH=VALUE (e.g. war.p_win=0.4), got {arg!r}")]
        )
    try:
        path = parse_path(name)
    except ValueError as err:
        raise ScenarioError([Problem(source, 1, 1, "", str(err))]) from None
    doc = read_yaml(value, source, col_offset=len(arg) - len(value))
    return path, Document(doc.data, doc.positions.relabel(source), source)


def _replaces(old: Any, new: Any) -> bool:
    """Whether ``new`` replaces ``old`` whole rather than merging into it."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return True
    if _QUANTITY_KEYS & set(new):
        return True  # a new number or distribution, not an edit of the old one's fields
    if any(k in old for k in _FORMS) and any(k in new and k not in old for k in _FORMS):
        # Another form of a block that has one: talks at fixed steps, not every k. The
        # old block must name a form, so that `every` added inside a ripeness block
        # edits it instead of wiping its probabilities.
        return True
    return any(k in new and k in old and new[k] != old[k] for k in _SWITCHES)


def _merge(
    data: Any, positions: Positions, path: Path, value: Any, vpos: Positions, key: Mark
) -> list[tuple[Path, str]]:
    """Merge ``value`` into ``data`` at ``path`` in place; returns (path, problem) pairs.

    ``vpos`` holds the marks of ``value``'s parts; ``key`` is where the override's path
    was written, the place to blame for keys the override adds.
    """
    parent = data
    for depth, part in enumerate(path[:-1]):
        here = path[: depth + 1]
        if isinstance(parent, dict):
            if part not in parent or parent[part] is None:
                parent[part] = {}
                positions.values.setdefault(here, key)
                positions.keys.setdefault(here, key)
            parent = parent[part]
        elif isinstance(parent, list) and isinstance(part, int) and part < len(parent):
            parent = parent[part]
        elif isinstance(parent, list):
            return [(path[:depth], f"no item {part} in a list of {len(parent)}")]
        else:
            return [(path[:depth], f"cannot set {_dotted(path)}: {_dotted(here)} is not a block")]
    last = path[-1]
    if isinstance(parent, list):
        if not (isinstance(last, int) and last < len(parent)):
            return [(path, f"no item {last} in a list of {len(parent)}")]
        old = parent[last]
    elif isinstance(parent, dict):
        old = parent.get(last)
    else:
        return [(path[:-1], f"cannot set {_dotted(path)}: {_dotted(path[:-1])} is not a block")]
    if old is not None and not _replaces(old, value):
        problems = []
        for name, sub in value.items():
            problems += _merge(
                data,
                positions,
                (*path, name),
                sub,
                vpos.subtree((name,)),
                vpos.keys.get((name,), key),
            )
        return problems
    parent[last] = copy.deepcopy(value)
    positions.drop(path)
    positions.graft(path, vpos)
    positions.keys[path] = key
    return []


def apply(
    doc: Document, overrides: dict[str, Any], positions: Positions
) -> tuple[Document, list[Problem]]:
    """A copy of ``doc`` with a mapping of overrides merged in, and the ones that failed.

    ``overrides`` maps dotted paths (or plain keys, with nested blocks as values) to
    values; ``positions`` are the overrides' own marks, keyed by their paths inside
    ``overrides``, so that a bad overriding value is reported where it was written.

    An override whose path runs through a value that is not a block, or past the end
    of a list, is left out and reported; the others still apply, so that every
    problem can be reported at once.
    """
    data = copy.deepcopy(doc.data)
    merged = doc.positions.copy()
    problems: list[Problem] = []
    for key, value in overrides.items():
        try:
            path = parse_path(key)
        except ValueError as err:
            m = positions.locate((key,), key=True)
            problems.append(Problem(m.source, m.line, m.col, "", str(err)))
            continue
        m = positions.locate((key,), key=True)
        for where, message in _merge(data, merged, path, value, positions.subtree((key,)), m):
            problems.append(Problem(m.source, m.line, m.col, _dotted(where), message))
    return Document(data, merged, doc.source), problems


def apply_set(doc: Document, path: Path, value: Document) -> tuple[Document, list[Problem]]:
    """A copy of ``doc`` with one parsed ``--set`` override merged in."""
    wrapper = Positions()
    wrapper.graft((_dotted(path),), value.positions)
    root = value.positions.locate(())
    wrapper.keys[(_dotted(path),)] = Mark(root.source, root.line, 1, root.origin)
    return apply(doc, {_dotted(path): value.data}, wrapper)


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)
