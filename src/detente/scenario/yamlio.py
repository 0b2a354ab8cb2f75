"""Reading scenario YAML safely, keeping the line and column of every value.

YAML is read with ruamel.yaml (YAML 1.2: ``no`` stays a string) and converted to
plain Python data plus a :class:`Positions` index from each path in the document to
where it was written. Tags (``!!python/object`` and the like), anchors and aliases are
refused before anything is constructed, so no code runs and no alias can blow up into
an exponentially large document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import (
    AliasToken,
    AnchorToken,
    BlockEndToken,
    BlockMappingStartToken,
    BlockSequenceStartToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    TagToken,
)

from detente.scenario.errors import Problem, ScenarioError

MAX_BYTES = 2 * 1024 * 1024
"""Largest scenario file accepted; real scenarios are a few kilobytes."""

MAX_INT_BITS = 256
"""Largest integer accepted (about 77 digits); no scenario value comes near it."""

MAX_DEPTH = 64
"""Deepest nesting of blocks accepted; the schema itself is under ten levels deep."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    """Where something was written: 1-based line and column in ``source``.

    ``origin`` tells which layer put it there (``file``, ``variant:NAME``,
    ``beliefs:PARTY``, ``--set``), so a problem can be blamed on the right layer;
    ``quoted`` is 1 for a quoted string (its text starts one column later).
    """

    source: str
    line: int
    col: int
    origin: str = "file"
    quoted: int = 0


@dataclass
class Positions:
    """Where each value (and each mapping key) of a document was written."""

    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Mark:
        """The mark of ``path``, or of its nearest ancestor that has one."""
        if key and path in self.keys:
            return self.keys[path]
        for n in range(len(path), -1, -1):
            mark = self.values.get(path[:n])
            if mark is not None:
                return mark
        return Mark("<scenario>", 1, 1)

    def subtree(self, prefix: Path) -> Positions:
        """The marks under ``prefix``, re-rooted so that ``prefix`` becomes ``()``."""
        n = len(prefix)
        return Positions(
            {p[n:]: m for p, m in self.values.items() if p[:n] == prefix},
            {p[n:]: m for p, m in self.keys.items() if p[:n] == prefix and len(p) > n},
        )

    def drop(self, prefix: Path) -> None:
        """Forget every mark at or under ``prefix``."""
        n = len(prefix)
        for table in (self.values, self.keys):
            for p in [p for p in table if p[:n] == prefix]:
                del table[p]

    def graft(self, prefix: Path, other: Positions) -> None:
        """Add ``other``'s marks, re-rooted under ``prefix``."""
        self.values.update({prefix + p: m for p, m in other.values.items()})
        self.keys.update({prefix + p: m for p, m in other.keys.items()})

    def relabel(self, origin: str) -> Positions:
        """A copy whose marks all carry ``origin``."""

        def re(t: dict[Path, Mark]) -> dict[Path, Mark]:
            return {p: Mark(m.source, m.line, m.col, origin, m.quoted) for p, m in t.items()}

        return Positions(re(self.values), re(self.keys))

    def copy(self) -> Positions:
        """An independent copy."""
        return Positions(dict(self.values), dict(self.keys))


@dataclass
class Document:
    """Plain YAML data (dicts, lists, scalars) with the position of every part."""

    data: Any
    positions: Positions
    source: str


def _problem(source: str, line0: int, col0: int, message: str) -> ScenarioError:
    return ScenarioError([Problem(source, line0 + 1, col0 + 1, "", message)])


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n")
        col = len(before) - (before.rfind(b"\n") + 1)
        raise _problem(source, line, col, f"not UTF-8 text (byte 0x{raw[err.start]:02x})") from None


def _refuse_unsafe(yaml: YAML, text: str, source: str, col_offset: int) -> None:
    """Refuse tags, anchors, aliases and runaway nesting before constructing anything."""
    problems: list[Problem] = []
    depth = 0
    for tok in yaml.scan(text):
        mark = tok.start_mark
        where = (source, mark.line + 1, mark.column + 1 + (col_offset if mark.line == 0 else 0))
        if isinstance(tok, TagToken):
            problems.append(Problem(*where, "", "YAML tags (!...) are not allowed in scenarios"))
        elif isinstance(tok, AnchorToken | AliasToken):
            problems.append(
                Problem(
                    *where,
                    "",
                    "YAML anchors and aliases (&, *) are not supported; write the value out",
                )
            )
        elif isinstance(
            tok,
            BlockMappingStartToken
            | BlockSequenceStartToken
            | FlowMappingStartToken
            | FlowSequenceStartToken,
        ):
            depth += 1
            if depth > MAX_DEPTH:
                problems.append(Problem(*where, "", f"nested more than {MAX_DEPTH} levels deep"))
                break
        elif isinstance(tok, BlockEndToken | FlowMappingEndToken | FlowSequenceEndToken):
            depth -= 1
    if problems:
        raise ScenarioError(problems)


def _convert(
    node: Any, path: Path, pos: Positions, source: str, col_offset: int, problems: list[Problem]
) -> Any:
    """Turn ruamel's round-trip objects into plain Python, recording every position."""

    def mark(line: int, col: int, value: Any = None) -> Mark:
        quoted = int(isinstance(value, DoubleQuotedScalarString | SingleQuotedScalarString))
        return Mark(source, line + 1, col + 1 + (col_offset if line == 0 else 0), quoted=quoted)

    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        if getattr(node, "merge", None):
            where = _at(pos.locate(path))
            problems.append(Problem(*where, "", "YAML merge keys (<<) are not supported"))
            return out
        for key, value in node.items():
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            if not isinstance(key, str):
                problems.append(
                    Problem(*_at(mark(kline, kcol)), _dotted(path), f"key {key!r} must be text")
                )
                continue
            child = (*path, key)
            pos.keys[child] = mark(kline, kcol)
            pos.values[child] = mark(vline, vcol, value)
            out[key] = _convert(value, child, pos, source, col_offset, problems)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            line, col = node.lc.item(i)
            pos.values[(*path, i)] = mark(line, col, value)
            items.append(_convert(value, (*path, i), pos, source, col_offset, problems))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int) and type(node).__name__ == "ScalarBoolean":
        return bool(node)
    if isinstance(node, int):
        if node.bit_length() > MAX_INT_BITS:  # would choke error messages that quote it
            where = _at(pos.locate(path))
            problems.append(Problem(*where, _dotted(path), "number too large"))
            return None
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dt.datetime):
        return node.date() if node.time() == dt.time(0) else node
    if isinstance(node, dt.date):
        return node
    problems.append(
        Problem(
            *_at(pos.locate(path)),
            _dotted(path),
            f"unsupported value {getattr(node, 'value', node)!r}: quote it if it is text",
        )
    )
    return None


def _at(m: Mark) -> tuple[str, int, int]:
    return (m.source, m.line, m.col)


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def read_yaml(text: str | bytes, source: str, *, col_offset: int = 0) -> Document:
    """Parse YAML text into a :class:`Document`, refusing anything unsafe.

    Parameters
    ----------
    text
        The YAML, as bytes (checked to be UTF-8) or text.
    source
        Name shown in problems: the file path, the built-in's name, or ``--set``.
    col_offset
        Added to the columns of the first line (for a value cut out of a longer
        command-line argument).

    Raises
    ------
    ScenarioError
        With a located problem for syntax errors, bad encodings, tags, anchors,
        aliases, non-text keys, excessive size or nesting.
    """
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_BYTES:
        raise _problem(source, 0, 0, f"file too large ({size:,} bytes; the limit is {MAX_BYTES:,})")
    if isinstance(text, bytes):
        text = _decode(text, source)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    try:
        _refuse_unsafe(yaml, text, source, col_offset)
        loaded = yaml.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or err.context or "invalid YAML"
        line, col = (mark.line, mark.column) if mark is not None else (0, 0)
        raise _problem(
            source, line, col + (col_offset if line == 0 else 0), f"YAML syntax error: {what}"
        ) from None
    except YAMLError as err:
        # Reader errors (control characters) carry a character index, not a mark.
        index = getattr(err, "position", 0) or 0
        before = text[:index]
        line = before.count("\n")
        col = index - (before.rfind("\n") + 1)
        raise _problem(source, line, col, f"YAML error: {_first_line(err)}") from None
    except RecursionError:
        raise _problem(source, 0, 0, "YAML nested too deeply") from None
    except ScenarioError:
        raise
    except Exception as err:
        line, col = _failing_scalar(text)
        raise _problem(
            source, line, col + (col_offset if line == 0 else 0), f"bad value: {_first_line(err)}"
        ) from None
    positions = Positions()
    positions.values[()] = Mark(source, 1, 1 + col_offset)
    problems: list[Problem] = []
    data = _convert(loaded, (), positions, source, col_offset, problems)
    if problems:
        raise ScenarioError(problems)
    return Document(data, positions, source)


def _failing_scalar(text: str) -> tuple[int, int]:
    """Where the first scalar that ruamel cannot construct starts (0-based)."""
    yaml = YAML(typ="rt")
    try:
        pending = [yaml.compose(text)]
    except Exception:  # the text composed once already; be safe all the same
        return 0, 0
    while pending:
        node = pending.pop(0)
        if isinstance(node, ScalarNode):
            try:
                yaml.constructor.construct_object(node, deep=True)
            except Exception:
                return node.start_mark.line, node.start_mark.column
        elif isinstance(node, MappingNode):
            pending += [part for pair in node.value for part in pair]
        elif isinstance(node, SequenceNode):
            pending += node.value
    return 0, 0


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
