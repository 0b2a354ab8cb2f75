"""Blocks shared by several war engines."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from detente.scenario.values import Positive, Strict

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]
"""Identifier of a party, an issue, a variant or a claim: letters, digits, ``_`` and ``-``."""

Text = Annotated[str, Field(max_length=20_000)]


class TwoSided(Strict):
    """A war between two sides, A and B."""

    sides: tuple[Name, Name] | None = Field(
        default=None,
        description="The two belligerents [A, B] in the order the engine's parameters use; "
        "default: the first two belligerents declared.",
    )


class BetaPrior(Strict):
    """A Beta(alpha, beta) belief about the per-engagement win probability of side A."""

    alpha: Positive
    beta: Positive
