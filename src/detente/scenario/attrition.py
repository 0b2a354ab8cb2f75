"""The ``attrition`` engine's parameter blocks: the full war of attrition.

One step is one week unless ``time.unit`` says otherwise. Two sides fight
(``war.sides``: A then B). Every mechanism of the source essay (shared/seed/MAP.md)
has its own block and can be switched off in ``mechanisms``; with all of them off the
engine is a stochastic Lanchester square law with a contest-function front
(Lanchester 1916; Tullock 1980), its textbook core.

Units: persons for troops, rounds/items for materiel stocks and flows, weeks for lags,
shares in [0, 1] for support, stability, coverage and the front. Sources for each
default value are in the built-in scenario that uses it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from detente.scenario.common import BetaPrior, Name, TwoSided
from detente.scenario.values import (
    Fraction,
    NonNegative,
    Positive,
    Probability,
    Quantity,
    Strict,
)

Materiel = Literal["artillery", "air_defence", "armour", "drones", "long_range"]

MATERIEL: tuple[Materiel, ...] = ("artillery", "air_defence", "armour", "drones", "long_range")
"""Materiel classes, in the order the kernel uses."""


class Mechanisms(Strict):
    """Switches: each mechanism of the essay can be turned off (``false``)."""

    recruitment: bool = Field(default=True, description="Contract recruitment and mobilisation.")
    materiel: bool = Field(default=True, description="Supply-limited combat effectiveness.")
    production: bool = Field(default=True, description="Defence production and its ramp-up.")
    patrons: bool = Field(default=True, description="Aid flows and patrons' political support.")
    red_lines: bool = Field(default=True, description="Weapon classes gated by red lines.")
    escalation: bool = Field(default=True, description="Escalation ladder and catastrophe hazard.")
    sanctions: bool = Field(default=True, description="Sanctions, leakage via third parties.")
    economy: bool = Field(default=True, description="Output, inflation and fiscal buffer.")
    stability: bool = Field(default=True, description="Domestic stability and collapse.")
    shocks: bool = Field(default=True, description="Exogenous shocks.")


class MaterielClass(Strict):
    """One class of materiel on one side: stock, use, production and its ramp-up."""

    stock: NonNegative = Field(default=0.0, description="Stock at step 0 (rounds or items).")
    use: NonNegative = Field(
        default=0.0, description="Desired use per step per 1,000 front-line troops."
    )
    production: NonNegative = Field(default=0.0, description="Output per step at step 0.")
    capacity: NonNegative = Field(
        default=0.0, description="Output per step that the industry ramps up towards."
    )
    ramp: Positive = Field(
        default=52.0, description="Time constant of the ramp-up, in steps (capacity lag)."
    )
    weight: NonNegative = Field(
        default=0.0,
        description="Importance of this class in combat effectiveness (weights are normalised).",
    )


class Recruitment(Strict):
    """How a side replaces losses: contract recruits and mobilised conscripts.

    Recruits pass through a training pipeline, a first-order delay (MODELS.md §9.2 U5)
    that is full at step 0. Contract recruits come from a pool of persons willing to
    sign at the going terms (MAP L10: recruitment has its limits); as the pool is
    drawn down, fewer sign each step, and the pipeline passes the decline on to the
    front ``training`` steps later on average.
    """

    contract: NonNegative = Field(
        default=0.0, description="Contract recruits per step at step 0 (with the whole pool)."
    )
    mobilisation: NonNegative = Field(default=0.0, description="Mobilised persons per step.")
    training: NonNegative = Field(
        default=8.0,
        description="Mean steps from recruitment to the front (the pipeline's delay).",
    )
    pool: Positive | None = Field(
        default=None,
        description=(
            "Persons who would sign a contract from step 0 on at the going terms; each "
            "step's contract intake is `contract` times the share of the pool left. "
            "None: no limit (the intake stays at `contract`)."
        ),
    )
    mobilisation_cost: NonNegative = Field(
        default=0.0,
        description="Stability lost per step per 100,000 mobilised persons (political cost).",
    )


class Economy(Strict):
    """A side's war economy: fiscal buffer and inflation (shares of GDP, % per year)."""

    deficit: Quantity = Field(
        default=0.0, description="Budget deficit at step 0, % of GDP per year, before aid."
    )
    revenue_at_risk: NonNegative = Field(
        default=0.0,
        description="Budget revenue exposed to export sanctions, % of GDP per year.",
    )
    fiscal_buffer: NonNegative = Field(
        default=0.0, description="Liquid reserves at step 0, % of GDP."
    )
    inflation: NonNegative = Field(default=4.0, description="Inflation at step 0, % per year.")
    inflation_base: NonNegative = Field(
        default=4.0, description="Inflation the economy settles at without new pressure."
    )
    inflation_target: NonNegative = Field(default=4.0, description="The central bank's target.")
    import_passthrough: NonNegative = Field(
        default=10.0, description="Points of inflation per unit rise of import prices."
    )
    money_passthrough: NonNegative = Field(
        default=1.0, description="Points of inflation per % of GDP of deficit monetised."
    )
    inertia: Positive = Field(
        default=26.0, description="Steps for inflation to close most of its gap (time constant)."
    )


class Stability(Strict):
    """A side's domestic stability in [0, 1], worn by war, collapsing below a threshold."""

    start: Probability = Field(default=0.8, description="Stability at step 0.")
    threshold: Probability = Field(default=0.2, description="Collapse below this level.")
    recovery: Fraction | None = Field(
        default=None, description="Share of the gap to 1 recovered per step (default 0.01)."
    )
    casualties: NonNegative = Field(
        default=0.0, description="Stability lost per step per 1 % of initial troops lost."
    )
    inflation: NonNegative = Field(
        default=0.0, description="Stability lost per step per point of inflation above target."
    )
    territory: NonNegative = Field(
        default=0.0, description="Stability lost per unit of front share lost in a step."
    )


class Side(Strict):
    """One belligerent's forces, industry, economy and society."""

    troops: Positive = Field(description="Front-line troops at step 0 (persons).")
    quality: Positive = Field(
        default=1.0, description="Combat power per soldier, relative (training, tactics, C2)."
    )
    lethality: NonNegative = Field(
        description="Enemy casualties per step per unit of own combat power (Lanchester "
        "coefficient, scaled so that combat power = troops x quality x effectiveness)."
    )
    recruitment: Recruitment = Field(default_factory=Recruitment)
    materiel: dict[Materiel, MaterielClass] = Field(default_factory=dict)
    stability: Stability = Field(default_factory=Stability)
    economy: Economy = Field(default_factory=Economy)
    supply_elasticity: Positive = Field(
        default=1.0, description="eta: effectiveness = (supply / demand) ** eta, per class."
    )


class SupportEvent(Strict):
    """A jump in a patron's political support: an election, a policy shift."""

    at: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Step of a scheduled event."
    )
    probability: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None, description="Per-step probability of an unscheduled event."
    )
    jump: float = Field(description="Change of support when it happens (e.g. -0.4).")
    description: str | None = None
    source: str | None = None


class RedLine(Strict):
    """A patron's restraint on supplying a weapon class."""

    threshold: Probability = Field(
        description="Support above which the patron supplies this class (its red line)."
    )
    deterrence: NonNegative = Field(
        default=0.0,
        description="How much each deterrent signal of the other side raises the threshold.",
    )


class Patron(Strict):
    """A patron's aid, stockpiles, money and politics."""

    cohesion: Probability = Field(
        default=0.0,
        description="Pull of this patron's support towards the coalition's mean, per step "
        "(coalition cohesion across patrons; 0: it decides alone).",
    )
    aid: dict[Materiel, NonNegative] = Field(
        default_factory=dict, description="Deliveries per step at full support, per class."
    )
    stockpile: dict[Materiel, NonNegative] = Field(
        default_factory=dict,
        description="The patron's own stock it can draw aid from, per class (none: unlimited).",
    )
    money: NonNegative = Field(
        default=0.0, description="Financial aid per step at full support, % of client GDP/yr."
    )
    support: Probability = Field(description="Political support for aid at step 0, in [0, 1].")
    drift: Quantity = Field(default=0.0, description="Change of support per step, absent news.")
    cost_fatigue: NonNegative = Field(
        default=0.0, description="Support lost per step per unit of log cumulative aid given."
    )
    futility: NonNegative = Field(
        default=0.0, description="Support lost per unit of front share the client loses."
    )
    noise: NonNegative = Field(default=0.0, description="Std. dev. of the weekly support shock.")
    midpoint: Probability = Field(
        default=0.5, description="Support at which aid flows at half its full rate."
    )
    steepness: Positive = Field(default=0.1, description="Width of the aid-vs-support sigmoid.")
    events: list[SupportEvent] = Field(default_factory=list)
    red_lines: dict[Materiel, RedLine] = Field(default_factory=dict)


class Escalation(Strict):
    """The escalation ladder and its catastrophe hazard (Schelling; Powell 2015)."""

    side: Name | None = Field(
        default=None,
        description="The side whose losses drive the hazard and who sends deterrent signals "
        "(default: the sanctions target, else side B).",
    )
    rungs: Annotated[int, Field(ge=1, le=20)] = Field(
        default=4, description="Rungs below catastrophe."
    )
    start: Annotated[int, Field(ge=0)] = Field(default=0, description="Rung at step 0.")
    base_hazard: Probability = Field(
        default=0.0, description="Per-step catastrophe hazard at rung 0 (lambda_0)."
    )
    rung_effect: NonNegative = Field(
        default=1.0, description="Log-hazard added per rung climbed (b_E)."
    )
    desperation_effect: NonNegative = Field(
        default=0.0, description="Log-hazard added per unit of B's front share lost (b_D)."
    )
    climb: Probability = Field(
        default=0.0,
        description="Per-step probability of climbing a rung after a red-line crossing.",
    )
    descend: Probability = Field(default=0.0, description="Per-step probability of stepping down.")
    signal: Probability = Field(
        default=0.0,
        description="Per-step probability that side B issues a deterrent signal (a doctrine "
        "change, a new weapon), raising patrons' red lines.",
    )
    cost: NonNegative = Field(
        default=10.0, description="Catastrophic cost to every party, in stake units."
    )


class Sanctions(Strict):
    """Sanctions on one side, leakage via third parties, secondary enforcement (§8.2)."""

    target: Name = Field(description="The sanctioned side.")
    coverage: Probability = Field(description="Share of B's imports under sanctions (sigma).")
    export_coverage: Probability = Field(
        default=0.0, description="Share of B's export revenue under sanctions (sigma_x)."
    )
    enforcement: Probability = Field(
        default=0.0, description="Secondary-sanctions enforcement intensity e, in [0, 1]."
    )
    leakage: Probability = Field(
        default=0.5, description="Maximum leakage L_max via third countries with no enforcement."
    )
    deterrence: NonNegative = Field(
        default=3.0, description="How fast enforcement closes leakage: L = L_max exp(-k e)."
    )
    markup: NonNegative = Field(
        default=0.3, description="Price markup on re-routed imports at full enforcement (pi_0)."
    )
    discount: Probability = Field(
        default=0.0, description="Price discount on B's sanctioned exports (price cap)."
    )
    import_dependence: Probability = Field(
        default=0.3, description="Share of B's defence production inputs that are imported."
    )


class ThirdParty(Strict):
    """A third country's part in B's trade (its weight in the leakage)."""

    trade_share: Probability = Field(description="Share of B's re-routed trade through it.")
    compliance: Probability = Field(
        default=0.0, description="Share of its trade that stops under full enforcement."
    )


class Shock(Strict):
    """An exogenous shock: a random event that scales a side's combat power for a while."""

    side: Name
    probability: Annotated[float, Field(ge=0, le=1)] = Field(description="Per-step probability.")
    effect: float = Field(description="Relative change of combat power (e.g. -0.2).")
    duration: Annotated[int, Field(ge=1)] = Field(default=4, description="Steps it lasts.")
    description: str | None = None


class FrontModel(Strict):
    """How engagements move the front (contest success function)."""

    start: Probability = Field(description="Side A's share of the contested ground at step 0.")
    step: NonNegative = Field(description="Front movement per step won or lost (kappa).")
    noise: NonNegative = Field(default=0.0, description="Std. dev. of extra front movement.")
    decisiveness: Positive = Field(
        default=1.0, description="Contest exponent nu: p = M_A^nu / (M_A^nu + M_B^nu)."
    )


class AttritionWar(TwoSided):
    """The full war of attrition (shared/DESIGN.md §5; equations in the engine's docstring).

    References
    ----------
    Lanchester (1916); Tullock (1980); Smith & Stam (2004); Mueller (1973); Schelling
    (1966); Powell (2015); Chupilkin, Javorcik & Plekhanov (2023). See
    ``detente.engines.attrition`` for the equations and where each comes from.
    """

    engine: Literal["attrition"]
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    front: FrontModel
    belligerents: dict[Name, Side] = Field(description="Both sides' forces, industry, society.")
    patrons: dict[Name, Patron] = Field(default_factory=dict)
    sanctions: Sanctions | None = Field(default=None, description="Sanctions on one side.")
    third_parties: dict[Name, ThirdParty] = Field(default_factory=dict)
    escalation: Escalation = Field(default_factory=Escalation)
    shocks: list[Shock] = Field(default_factory=list)
    prior: dict[Name, BetaPrior] = Field(
        default_factory=dict,
        description="Each party's Beta prior on side A's weekly engagement win probability.",
    )
    cost: dict[Name, NonNegative] = Field(
        default_factory=dict, description="Each party's cost of war per step, in stake units."
    )
    breakpoint: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.0,
        description="A side is defeated when its troops fall to this share of step 0's.",
    )

    def sanctioned_side(self, sides: tuple[str, str]) -> int:
        """Index in ``sides`` of the sanctioned side (1, side B, without sanctions)."""
        return sides.index(self.sanctions.target) if self.sanctions else 1

    def escalating_side(self, sides: tuple[str, str]) -> int:
        """Index in ``sides`` of the side whose desperation drives escalation."""
        if self.escalation.side is not None:
            return sides.index(self.escalation.side)
        return self.sanctioned_side(sides)
