"""The scenario schema: the typed shape of a scenario file (shared/DESIGN.md §4).

The models here check each block on its own (types, ranges, required fields). Checks
that span blocks -- a party named in an issue must exist, a patron must support a
belligerent, a claim's predicate must name real metrics -- live in
:mod:`detente.scenario.checks`, so that each problem can be reported at its own line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PrivateAttr, Tag, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from detente.scenario.attrition import AttritionWar
from detente.scenario.common import NAME_PATTERN, BetaPrior, Name, Text, TwoSided
from detente.scenario.values import (
    Fraction,
    NonNegative,
    Probability,
    Quantity,
    Strict,
)

FORMAT_VERSION = 1


# --- parties ---------------------------------------------------------------------------------


class _PartyBase(Strict):
    label: Text | None = Field(default=None, description="Display name, e.g. 'Ukraine'.")
    description: Text | None = None
    source: Text | None = None


class Belligerent(_PartyBase):
    """A party that fights."""

    role: Literal["belligerent"]


class Patron(_PartyBase):
    """A party that supplies a belligerent with aid (money, arms, intelligence)."""

    role: Literal["patron"]
    supports: Annotated[
        list[Name],
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": NAME_PATTERN},
                    {
                        "type": "array",
                        "items": {"type": "string", "pattern": NAME_PATTERN},
                        "minItems": 1,
                    },
                ]
            }
        ),
    ] = Field(min_length=1, description="The belligerent(s) this patron supplies.")

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, data: Any) -> Any:
        # `supports: ukraine` is the common case; accept it as a one-element list.
        if isinstance(data, dict) and isinstance(data.get("supports"), str):
            return {**data, "supports": [data["supports"]]}
        return data


class ThirdParty(_PartyBase):
    """A party outside the war that trades with, or sanctions, the belligerents."""

    role: Literal["third_party"]
    trades_with: list[Name] = Field(
        default_factory=list, description="Belligerents whose trade it carries."
    )


Party = Annotated[Belligerent | Patron | ThirdParty, Discriminator("role")]


# --- issues ----------------------------------------------------------------------------------


class Piecewise(Strict):
    """A piecewise-linear value function through ``points`` ``[[x, value], ...]``."""

    kind: Literal["piecewise"]
    points: list[tuple[float, Annotated[float, Field(ge=0, le=1)]]] = Field(
        min_length=2, description="Breakpoints [x, value] with x increasing, value in [0, 1]."
    )

    @model_validator(mode="after")
    def _increasing(self) -> Piecewise:
        xs = [x for x, _ in self.points]
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise PydanticCustomError("order", "breakpoints must have increasing x")
        return self


ValueFunction = Annotated[
    Annotated[Literal["linear"], Tag("linear")] | Annotated[Piecewise, Tag("piecewise")],
    Discriminator(
        lambda raw: "linear" if isinstance(raw, str) else "piecewise",
        custom_error_type="value_function",
        custom_error_message="expected 'linear' or {kind: piecewise, points: [[x, value], ...]}",
    ),
]


class ContinuousPosition(Strict):
    """A party's stance on a continuous issue."""

    ideal: float = Field(description="The value this party wants most.")
    weight: NonNegative = Field(
        default=1.0,
        description="Salience: the issue's weight in this party's utility (weights are "
        "relative and normalised to sum to 1 over the party's issues).",
    )
    value: ValueFunction = Field(
        default="linear",
        description="Value function: 'linear' falls from 1 at the ideal to 0 at the far end "
        "of the range; or a piecewise-linear curve.",
    )


class DiscretePosition(Strict):
    """A party's stance on an ordinal or categorical issue."""

    ideal: str | None = Field(default=None, description="The level this party wants most.")
    weight: NonNegative = Field(default=1.0, description="Salience (see continuous issues).")
    values: dict[str, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None,
        description="Value of each level in [0, 1]. Without it: ordinal issues fall linearly "
        "with the distance in levels from the ideal; categorical ones give 1 to the ideal only.",
    )

    @model_validator(mode="after")
    def _ideal_or_values(self) -> DiscretePosition:
        if self.ideal is None and self.values is None:
            raise PydanticCustomError("position", "give an 'ideal' level or 'values' per level")
        return self


class ContinuousIssue(Strict):
    """An issue settled by a number in a range (a share of territory, a force cap...)."""

    kind: Literal["continuous"]
    range: tuple[float, float] = Field(description="[low, high] of the issue's values.")
    unit: Text | None = Field(default=None, description="What the numbers measure.")
    status_quo: Quantity | None = Field(
        default=None, description="The issue's state while the war goes on."
    )
    positions: dict[Name, ContinuousPosition] = Field(
        default_factory=dict, description="Each party's stance; parties not listed are indifferent."
    )
    description: Text | None = None
    source: Text | None = None

    @model_validator(mode="after")
    def _range(self) -> ContinuousIssue:
        if not self.range[0] < self.range[1]:
            raise PydanticCustomError("range_order", "range must be [low, high] with low < high")
        return self


class DiscreteIssue(Strict):
    """An issue settled by choosing one of several levels."""

    kind: Literal["ordinal", "categorical"] = Field(
        description="'ordinal' levels are ordered from first to last; 'categorical' ones are not."
    )
    levels: list[Name] = Field(min_length=2, description="The possible outcomes.")
    status_quo: Name | None = Field(
        default=None, description="The level that holds while the war goes on."
    )
    positions: dict[Name, DiscretePosition] = Field(default_factory=dict)
    description: Text | None = None
    source: Text | None = None

    @model_validator(mode="after")
    def _unique(self) -> DiscreteIssue:
        if len(set(self.levels)) != len(self.levels):
            raise PydanticCustomError("unique", "levels must be distinct")
        return self


Issue = Annotated[ContinuousIssue | DiscreteIssue, Discriminator("kind")]


# --- time ------------------------------------------------------------------------------------


class Time(Strict):
    """The clock of the simulation."""

    unit: Literal["day", "week", "month", "quarter", "year", "engagement", "round"] = Field(
        default="week", description="What one step is."
    )
    start: dt.date | None = Field(default=None, description="Calendar date of step 0.")
    horizon: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=104, description="Number of steps simulated."
    )
    checkpoint_every: Annotated[int, Field(ge=1)] = Field(
        default=4, description="Steps between checkpoints at which the window is analysed."
    )
    discount: dict[Name, Fraction] = Field(
        default_factory=dict,
        description="Per-step discount factor of each party's future payoffs (default 1).",
    )


# --- war engines -----------------------------------------------------------------------------


class LotteryWar(TwoSided):
    """Fearon's costly lottery: one step; side A wins everything with probability ``p_win``.

    References
    ----------
    Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
    49(3), 379-414.
    """

    engine: Literal["lottery"]
    p_win: Probability = Field(description="Probability that side A wins the war.")
    cost: dict[Name, NonNegative] = Field(
        default_factory=dict, description="Each party's cost of war, in units of the stake."
    )


class Front(Strict):
    """Where the front stands and how far one engagement moves it."""

    start: Probability = Field(description="Side A's initial share of the contested ground.")
    step: Fraction = Field(description="How far one engagement moves the front.")


class BattlesWar(TwoSided):
    """A front moved by a sequence of engagements, absorbing at 0 and 1.

    References
    ----------
    Smith, A., & Stam, A. C. (2004). Bargaining and the nature of war. *Journal of Conflict
    Resolution*, 48(6), 783-813. Slantchev, B. L. (2003). The principle of convergence in
    wartime negotiations. *American Political Science Review*, 97(4), 621-632.
    """

    engine: Literal["battles"]
    front: Front
    p_win: Probability = Field(description="Side A's probability of winning one engagement.")
    cost: dict[Name, NonNegative] = Field(
        default_factory=dict, description="Each party's cost per engagement, in stake units."
    )
    prior: dict[Name, BetaPrior] = Field(
        default_factory=dict,
        description="Each party's Beta prior on p_win, updated from outcomes (default: "
        "parties know p_win).",
    )
    holds: Name | None = Field(
        default=None,
        description="A continuous issue the front decides while the war lasts: each step, "
        "and the horizon, are worth the status quo with this issue where the front stands "
        "(the front's [0, 1] mapped onto the issue's range). Default: the status quo is "
        "fixed.",
    )


class LanchesterWar(TwoSided):
    """Lanchester's square (aimed fire) or linear (area fire) law of attrition.

    References
    ----------
    Lanchester, F. W. (1916). *Aircraft in Warfare: The Dawn of the Fourth Arm*. Constable.
    """

    engine: Literal["lanchester"]
    law: Literal["square", "linear"] = Field(default="square")
    force: dict[Name, NonNegative] = Field(description="Initial strength of each side.")
    effectiveness: dict[Name, NonNegative] = Field(
        description="Per unit of time, the rate at which one unit of this side destroys the "
        "other side's units (square law), or the area-fire coefficient (linear law)."
    )
    stochastic: bool = Field(
        default=False,
        description="Losses as a Poisson process (one unit at a time, exact continuous-time "
        "Markov chain) instead of the deterministic equations.",
    )
    breakpoint: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.0,
        description="A side is defeated when its strength falls to this fraction of its "
        "initial strength (0: when it is destroyed).",
    )
    cost: dict[Name, NonNegative] = Field(
        default_factory=dict, description="Each party's cost per step, in stake units."
    )


War = Annotated[LotteryWar | BattlesWar | LanchesterWar | AttritionWar, Discriminator("engine")]


# --- negotiation -----------------------------------------------------------------------------


class EverySchedule(Strict):
    """Talks every ``every`` steps from ``start``."""

    every: Annotated[int, Field(ge=1)]
    start: Annotated[int, Field(ge=0)] = 0


class FixedSchedule(Strict):
    """Talks at the listed steps."""

    at: list[Annotated[int, Field(ge=0)]] = Field(min_length=1)


class Ripeness(Strict):
    """Chances of talks at a checkpoint, by whether the path is ripe for them.

    A path is ripe at a checkpoint when its two sides are in a mutually hurting stalemate
    and its window is open (a way out): Zartman's (2000) two conditions, measured by the
    window analysis (MODELS.md §3.4, indicators 1, 2 and 4).
    """

    base: Probability = Field(
        description="Probability that talks are held at an eligible checkpoint on a path "
        "at war that is not ripe (per checkpoint, not per step)."
    )
    ripe: Probability = Field(
        description="Probability that talks are held at an eligible checkpoint on a path "
        "at war that is ripe: both sides in a mutually hurting stalemate, with an open "
        "window as the way out (per checkpoint, not per step)."
    )
    every: Annotated[int, Field(ge=1)] = Field(
        default=1,
        description="Steps between the steps that may host talks, each at the first "
        "checkpoint at or after it (1: every checkpoint).",
    )
    start: Annotated[int, Field(ge=0)] = Field(
        default=0, description="First step that may host talks."
    )


class RipenessSchedule(Strict):
    """Talks drawn per path and checkpoint, likelier where the war is ripe for them.

    References
    ----------
    Zartman, I. W. (2000). Ripeness: the hurting stalemate and beyond. In P. C. Stern &
    D. Druckman (Eds.), *International Conflict Resolution After the Cold War* (pp.
    225-250). National Academies Press.
    """

    ripeness: Ripeness = Field(
        description="Per-checkpoint chances of talks on paths that are not ripe (base) "
        "and ripe (ripe)."
    )


# Pydantic puts a union's tag in an error's location, and the loader skips location parts
# that are not keys of the document. Tags spelt like a schedule's own keys (`every`, `at`,
# `ripeness`) would be taken for those keys, blaming the wrong field; these cannot be.
_EVERY, _AT, _RIPENESS = "every k steps", "at fixed steps", "drawn by ripeness"


def _schedule_tag(raw: Any) -> str:
    # The key that names the form picks the model, so a misspelt field inside it is
    # reported against that form rather than as a failed match of every form.
    if isinstance(raw, FixedSchedule) or (isinstance(raw, dict) and "at" in raw):
        return _AT
    if isinstance(raw, RipenessSchedule) or (isinstance(raw, dict) and "ripeness" in raw):
        return _RIPENESS
    return _EVERY


Schedule = Annotated[
    Annotated[EverySchedule, Tag(_EVERY)]
    | Annotated[FixedSchedule, Tag(_AT)]
    | Annotated[RipenessSchedule, Tag(_RIPENESS)],
    Discriminator(_schedule_tag),
]


class Pressure(Strict):
    """A patron's lever on its client: aid made conditional on accepting a deal."""

    patron: Name
    client: Name
    aid_conditional: bool = Field(
        default=True, description="Aid stops if the client rejects an agreement the patron backs."
    )


Strategy = Literal["boulware", "conceder", "linear", "tit_for_tat", "outside_option"]

AcceptanceRule = Literal["next", "const", "time", "combi"]

ACCEPTANCE_PARAMETER: dict[str, str | None] = {
    "next": None,
    "const": "utility",
    "time": "time",
    "combi": "time",
}
"""The field that carries each acceptance rule's parameter (checked in ``checks.py``)."""


class Acceptance(Strict):
    """How a party answers offers in the heuristic ``alternating`` protocol.

    One of the acceptance conditions of Baarslag, Hindriks & Jonker (2014), each with
    its one parameter: ``{rule: next}``, ``{rule: const, utility: a}``, ``{rule: time,
    time: T}`` or ``{rule: combi, time: T}``. Whatever the rule, a party never accepts a
    package worth less to it than its outside option. Which parameter a rule needs is
    checked with the other cross-field checks (``detente.scenario.checks``), so that a
    missing or misplaced one is reported where it was written.

    References
    ----------
    Baarslag, T., Hindriks, K., & Jonker, C. (2014). Effective acceptance conditions in
    bilateral negotiation. *Decision Support Systems*, 60, 68-77.
    """

    rule: AcceptanceRule = Field(
        default="next",
        description="next: accept an offer at least as good as the party's own next offer "
        "(AC_next); const: accept any offer worth at least `utility` (AC_const); time: "
        "accept any offer worth the outside option once `time` of the deadline has passed "
        "(AC_time); combi: next, or after `time` any offer at least as good as the best "
        "received so far (AC_combi(T, MAX^W) with W the whole history).",
    )
    utility: Annotated[float, Field(ge=0.0, le=1.0)] | None = Field(
        default=None,
        description="const only: the least an offer must be worth, as a share of the way "
        "from the party's floor (its outside option, or its worst package if that is "
        "higher) to its best package: 0 accepts anything at or above the floor, 1 only "
        "its best.",
    )
    time: Annotated[float, Field(ge=0.0, le=1.0)] | None = Field(
        default=None,
        description="time and combi only: the share of the deadline (round t of R counts "
        "as t / (R - 1)) after which the rule relaxes.",
    )


class Negotiation(Strict):
    """Who negotiates, how, and when."""

    table: list[Name] | None = Field(
        default=None, description="Parties at the table (default: all belligerents)."
    )
    ratify: list[Name] = Field(
        default_factory=list,
        description="Veto players who must accept a deal without sitting at the table.",
    )
    protocol: Literal["equilibrium", "alternating", "mediated", "ultimatum"] = "equilibrium"
    proposer: Name | None = Field(
        default=None, description="Who makes the first offer (default: first at the table)."
    )
    rounds: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=10, description="Deadline: the number of offers before talks fail."
    )
    discount: dict[Name, Fraction] = Field(
        default_factory=dict, description="Per-round discount factor of each party (default 1)."
    )
    strategies: dict[Name, Strategy] = Field(
        default_factory=dict, description="Concession strategy per party (heuristic protocols)."
    )
    acceptance: dict[Name, Acceptance] = Field(
        default_factory=dict,
        description="Acceptance rule per party at the table in the alternating protocol, e.g. "
        "{ukraine: {rule: combi, time: 0.9}} (default: {rule: next}).",
    )
    schedule: Schedule | None = Field(
        default=None,
        description="When talks happen: {every, start}, {at: [steps]}, or {ripeness: "
        "{base, ripe}} drawn per path (default: at every checkpoint).",
    )
    pressure: list[Pressure] = Field(default_factory=list)
    breakdown_rate: NonNegative = Field(
        default=1.0,
        description="Hazard of a deal breaking down, per step and per unit of stake by which "
        "a party's updated value of fighting on exceeds the deal's value to it (the "
        "commitment problem; 0: deals never break).",
    )


# --- claims and variants ---------------------------------------------------------------------


class Claim(Strict):
    """A statement about the results that the run evaluates: holds or fails."""

    id: Name
    text: Text = Field(description="The claim in words.")
    source: Text | None = Field(default=None, description='Who makes it ("seed L1", a paper).')
    predicate: Text = Field(
        description="A boolean expression over metrics, e.g. 'p_window_open(step=0) > 0.5'."
    )


class Variant(Strict):
    """A named set of overrides of the scenario's parameters."""

    description: Text | None = None
    source: Text | None = None
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides: dotted paths (war.p_win) or nested blocks, like --set.",
    )


# --- the scenario ----------------------------------------------------------------------------


class Scenario(Strict):
    """A conflict, the issues at stake, the war process, and how talks may end it."""

    detente: Literal[1] = Field(description="Version of the scenario format.")
    name: Name
    title: Text | None = None
    description: Text | None = None
    references: list[Text] = Field(default_factory=list)
    time: Time = Field(default_factory=Time)
    parties: dict[Name, Party] = Field(min_length=2)
    issues: dict[Name, Issue] = Field(min_length=1)
    war: War | None = Field(
        default=None, description="The war process; omitted, disagreement is worth 0 to all."
    )
    beliefs: dict[Name, dict[str, Any]] = Field(
        default_factory=dict,
        description="How each party sees the scenario: overrides of any parameter, written "
        "with the scenario's own paths, e.g. {A: {war: {p_win: 0.7}}}.",
    )
    negotiation: Negotiation = Field(default_factory=Negotiation)
    claims: list[Claim] = Field(default_factory=list)
    variants: dict[Name, Variant] = Field(default_factory=dict)

    _source: str = PrivateAttr(default="<python>")
    _variant: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str:
        """Where the scenario was loaded from: a file path or a built-in's name."""
        return self._source

    @property
    def variant(self) -> str | None:
        """The variant applied when loading, if any."""
        return self._variant

    def digest(self) -> str:
        """A SHA-256 of the scenario's content, for provenance of results."""
        canonical = json.dumps(
            self.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    def belligerents(self) -> list[str]:
        """Names of the fighting parties, in declaration order."""
        return [n for n, p in self.parties.items() if isinstance(p, Belligerent)]

    def sides(self) -> tuple[str, str] | None:
        """The two sides [A, B] of a two-sided war engine, or ``None`` without one."""
        if self.war is None:
            return None
        if self.war.sides is not None:
            return self.war.sides
        fighters = self.belligerents()
        return (fighters[0], fighters[1]) if len(fighters) >= 2 else None

    def table(self) -> list[str]:
        """Parties at the negotiating table."""
        return self.negotiation.table if self.negotiation.table is not None else self.belligerents()
