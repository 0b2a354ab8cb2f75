"""Numbers in a scenario: plain, uncertain, and with provenance.

Anywhere a scenario takes a number it accepts one of:

* a plain number, ``0.6``;
* a number with provenance, ``{value: 0.6, basis: "...", source: "seed L10"}``;
* an uncertain number, drawn per path in a run and used as an axis in a sweep:
  ``{low: 0.4, high: 0.7}`` (uniform), or ``{dist: triangular, low, mode, high}``,
  ``{dist: normal, mean, sd}`` (optionally truncated to ``[low, high]``),
  ``{dist: lognormal, median, sigma}``, ``{dist: beta, a, b}`` (optionally rescaled
  to ``[low, high]``). Uncertain numbers may carry ``basis`` and ``source`` too.

Every distribution exposes its support, its mean, an inverse CDF (so a sweep can map
a quasi-random design in the unit cube onto it) and a vectorised sampler.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal", "beta")


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Provenance(Strict):
    basis: str | None = Field(
        default=None, description="Why this value: the reasoning or the estimate it rests on."
    )
    source: str | None = Field(
        default=None,
        description='Where it comes from: a citation, a URL, or a line of the seed ("seed L10").',
    )


def _require_below(low: float | None, high: float | None) -> None:
    if low is not None and high is not None and not low < high:
        raise PydanticCustomError("range_order", "low must be below high")


class Point(_Provenance):
    """A single number with its provenance, ``{value, basis, source}``."""

    value: float = Field(description="The number itself.")

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the quantity can take."""
        return (self.value, self.value)

    def mean(self) -> float:
        """Expected value."""
        return self.value

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Inverse CDF at probabilities ``u``."""
        return np.full_like(np.asarray(u, dtype=float), self.value)


class Uniform(_Provenance):
    """Uniform on ``[low, high]``; the default when ``dist`` is omitted."""

    dist: Literal["uniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        _require_below(self.low, self.high)
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the quantity can take."""
        return (self.low, self.high)

    def mean(self) -> float:
        """Expected value."""
        return 0.5 * (self.low + self.high)

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Inverse CDF at probabilities ``u``."""
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)


class Triangular(_Provenance):
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise PydanticCustomError("range_order", "need low <= mode <= high and low < high")
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the quantity can take."""
        return (self.low, self.high)

    def mean(self) -> float:
        """Expected value."""
        return (self.low + self.mode + self.high) / 3.0

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Inverse CDF at probabilities ``u`` (closed form of the triangular CDF)."""
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)


class Normal(_Provenance):
    """Normal with ``mean`` and ``sd``, optionally truncated to ``[low, high]``."""

    dist: Literal["normal"]
    mean_: float = Field(alias="mean", description="Mean before truncation.")
    sd: Annotated[float, Field(gt=0)]
    low: float | None = Field(default=None, description="Lower truncation point.")
    high: float | None = Field(default=None, description="Upper truncation point.")

    @model_validator(mode="after")
    def _ordered(self) -> Normal:
        _require_below(self.low, self.high)
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the quantity can take."""
        return (
            -math.inf if self.low is None else self.low,
            math.inf if self.high is None else self.high,
        )

    def _cdf_bounds(self) -> tuple[float, float]:
        from scipy.special import ndtr

        lo, hi = self.support()
        return (
            float(ndtr((lo - self.mean_) / self.sd)),
            float(ndtr((hi - self.mean_) / self.sd)),
        )

    def mean(self) -> float:
        """Expected value (of the truncated normal when bounds are given)."""
        if self.low is None and self.high is None:
            return self.mean_
        from scipy.stats import truncnorm

        lo, hi = self.support()
        a, b = (lo - self.mean_) / self.sd, (hi - self.mean_) / self.sd
        return float(truncnorm.mean(a, b, loc=self.mean_, scale=self.sd))

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Inverse CDF at probabilities ``u``, truncation applied by rescaling ``u``."""
        from scipy.special import ndtri

        c_lo, c_hi = self._cdf_bounds()
        q = c_lo + (c_hi - c_lo) * np.asarray(u, dtype=float)
        out = self.mean_ + self.sd * ndtri(q)
        lo, hi = self.support()
        return np.asarray(np.clip(out, lo, hi), dtype=float)


class LogNormal(_Provenance):
    """Log-normal given by its ``median`` and ``sigma`` (the standard deviation of the log)."""

    dist: Literal["lognormal"]
    median: Annotated[float, Field(gt=0)]
    sigma: Annotated[float, Field(gt=0)]

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the quantity can take."""
        return (0.0, math.inf)

    def mean(self) -> float:
        """Expected value, ``median * exp(sigma**2 / 2)``."""
        return self.median * math.exp(0.5 * self.sigma**2)

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Inverse CDF at probabilities ``u``."""
        from scipy.special import ndtri

        return np.asarray(self.median * np.exp(self.sigma * ndtri(np.asarray(u, dtype=float))))


class Beta(_Provenance):
    """Beta with shapes ``a`` and ``b``, rescaled from ``[0, 1]`` to ``[low, high]``."""

    dist: Literal["beta"]
    a: Annotated[float, Field(gt=0)]
    b: Annotated[float, Field(gt=0)]
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Beta:
        _require_below(self.low, self.high)
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the quantity can take."""
        return (self.low, self.high)

    def mean(self) -> float:
        """Expected value."""
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Inverse CDF at probabilities ``u``."""
        from scipy.special import betaincinv

        x = betaincinv(self.a, self.b, np.asarray(u, dtype=float))
        return np.asarray(self.low + (self.high - self.low) * x, dtype=float)


Distribution = Point | Uniform | Triangular | Normal | LogNormal | Beta


def _quantity_tag(raw: Any) -> str | None:
    """Tell which kind of number a raw input is, so errors name the right fields."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return "number"
    if isinstance(raw, BaseModel):
        return "point" if isinstance(raw, Point) else getattr(raw, "dist", None)
    if isinstance(raw, dict):
        if "dist" in raw:
            dist = raw["dist"]
            return dist if isinstance(dist, str) and dist in DISTRIBUTIONS else None
        if "value" in raw:
            return "point"
        return "uniform"
    return None


Quantity = Annotated[
    Annotated[float, Field(allow_inf_nan=False), Tag("number")]
    | Annotated[Point, Tag("point")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[LogNormal, Tag("lognormal")]
    | Annotated[Beta, Tag("beta")],
    Discriminator(
        _quantity_tag,
        custom_error_type="quantity",
        custom_error_message=(
            "expected a number, {value, basis, source}, {low, high}, or "
            "{dist: triangular|normal|lognormal|beta, ...}"
        ),
    ),
]
"""A number anywhere in a scenario: plain, with provenance, or uncertain."""


def support(q: float | Distribution) -> tuple[float, float]:
    """Smallest and largest value a quantity can take."""
    return (float(q), float(q)) if isinstance(q, int | float) else q.support()


def mean(q: float | Distribution) -> float:
    """Expected value of a quantity."""
    return float(q) if isinstance(q, int | float) else q.mean()


def is_uncertain(q: float | Distribution) -> bool:
    """Whether a quantity varies across paths."""
    lo, hi = support(q)
    return lo != hi


def ppf(q: float | Distribution, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse CDF of a quantity at probabilities ``u`` (a constant for fixed values)."""
    if isinstance(q, int | float):
        return np.full_like(np.asarray(u, dtype=float), float(q))
    return q.ppf(u)


def sample(q: float | Distribution, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
    """Draw ``size`` independent values of a quantity by inverse-CDF sampling."""
    if not is_uncertain(q):
        return np.full(size, mean(q))
    return ppf(q, rng.random(size))


def _bounded(
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> AfterValidator:
    """A check that the whole support of a quantity lies within the given bounds."""

    def check(q: float | Distribution) -> float | Distribution:
        lo, hi = support(q)
        problems = []
        if ge is not None and lo < ge:
            problems.append(f">= {ge:g}")
        if gt is not None and lo <= gt:
            problems.append(f"> {gt:g}")
        if le is not None and hi > le:
            problems.append(f"<= {le:g}")
        if lt is not None and hi >= lt:
            problems.append(f"< {lt:g}")
        if problems:
            what = "value" if lo == hi else f"range [{lo:g}, {hi:g}]"
            hint = "" if math.isfinite(lo) and math.isfinite(hi) else " (truncate with low/high)"
            raise PydanticCustomError(
                "out_of_range",
                "{what} must be {bounds}{hint}",
                {"what": what, "bounds": " and ".join(problems), "hint": hint},
            )
        return q

    return AfterValidator(check)


Probability = Annotated[Quantity, _bounded(ge=0.0, le=1.0)]
"""A quantity whose every possible value is a probability."""

NonNegative = Annotated[Quantity, _bounded(ge=0.0)]
"""A quantity that is never negative (costs, stocks, rates)."""

Positive = Annotated[Quantity, _bounded(gt=0.0)]
"""A quantity that is always strictly positive."""

Fraction = Annotated[Quantity, _bounded(gt=0.0, le=1.0)]
"""A quantity in ``(0, 1]`` (discount factors, step sizes on a unit scale)."""
