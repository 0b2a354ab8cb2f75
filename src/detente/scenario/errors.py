"""Problems found in a scenario, each tied to the place a user can fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches


@dataclass(frozen=True)
class Problem:
    """One problem: where it is (``source:line:col``), which field, and what is wrong.

    ``line`` and ``col`` are 1-based. ``source`` is a file path, a built-in scenario's
    name, or the command-line option the value came from (``--set``, ``--variant``).
    """

    source: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{_printable(self.source)}:{self.line}:{self.col}"
        text = (
            f"{_printable(self.path)}: {_printable(self.message)}"
            if self.path
            else (_printable(self.message))
        )
        return f"{where}: {text}"


def _printable(text: str) -> str:
    """Escape line breaks and control characters, so one problem stays on one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(ValueError):
    """A scenario, a variant or an override that cannot be used, with every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        unique: dict[str, Problem] = {}
        for p in problems:
            unique.setdefault(str(p), p)
        self.problems: list[Problem] = sorted(
            unique.values(), key=lambda p: (p.source, p.line, p.col, p.path)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint naming the closest choice, or ``""``."""
    others = sorted(c for c in choices if c != word)  # the word itself helps nobody
    close = get_close_matches(word, others, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
