"""Numbers in scenarios: plain, with provenance, uncertain; bounds on their support."""

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from detente.scenario import values
from detente.scenario.values import Probability, Quantity

QUANTITY = TypeAdapter(Quantity)
PROBABILITY = TypeAdapter(Probability)


def test_plain_number_stays_a_float():
    assert QUANTITY.validate_python(0.25) == 0.25
    assert values.mean(0.25) == 0.25
    assert not values.is_uncertain(0.25)


def test_point_with_provenance():
    q = QUANTITY.validate_python({"value": 0.6, "basis": "b", "source": "seed L10"})
    assert isinstance(q, values.Point)
    assert (q.source, values.mean(q), values.support(q)) == ("seed L10", 0.6, (0.6, 0.6))


def test_low_high_is_uniform_and_may_carry_provenance():
    q = QUANTITY.validate_python({"low": 0.2, "high": 0.6, "source": "FIGURES.md"})
    assert isinstance(q, values.Uniform)
    assert values.mean(q) == pytest.approx(0.4)
    assert values.is_uncertain(q)


@pytest.mark.parametrize(
    ("raw", "frozen"),
    [
        ({"dist": "triangular", "low": 0, "mode": 1, "high": 4}, stats.triang(0.25, 0, 4)),
        ({"dist": "normal", "mean": 2, "sd": 0.5}, stats.norm(2, 0.5)),
        (
            {"dist": "normal", "mean": 0.5, "sd": 0.3, "low": 0, "high": 1},
            stats.truncnorm(-0.5 / 0.3, 0.5 / 0.3, loc=0.5, scale=0.3),
        ),
        ({"dist": "lognormal", "median": 3, "sigma": 0.4}, stats.lognorm(0.4, scale=3)),
        ({"dist": "beta", "a": 2, "b": 5, "low": 1, "high": 3}, stats.beta(2, 5, loc=1, scale=2)),
        ({"low": -1, "high": 2}, stats.uniform(-1, 3)),
    ],
)
def test_distributions_match_scipy(raw, frozen):
    q = QUANTITY.validate_python(raw)
    u = np.linspace(0.01, 0.99, 41)
    np.testing.assert_allclose(values.ppf(q, u), frozen.ppf(u), rtol=1e-9, atol=1e-12)
    assert values.mean(q) == pytest.approx(frozen.mean(), rel=1e-9)
    lo, hi = values.support(q)
    assert (lo, hi) == pytest.approx(frozen.support())


def test_sampling_is_reproducible_and_has_the_right_mean():
    q = QUANTITY.validate_python({"dist": "triangular", "low": 0, "mode": 0.2, "high": 1})
    a = values.sample(q, np.random.default_rng(7), 200_000)
    b = values.sample(q, np.random.default_rng(7), 200_000)
    np.testing.assert_array_equal(a, b)
    # Standard error of the mean: sd / sqrt(n) ~ 0.21 / 447 ~ 4.7e-4; allow 5 of them.
    assert a.mean() == pytest.approx(values.mean(q), abs=5 * a.std() / math.sqrt(a.size))


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"low": 0.6, "high": 0.2}, "low must be below high"),
        ({"dist": "triangular", "low": 0, "mode": 2, "high": 1}, "low <= mode <= high"),
        ({"dist": "normal", "mean": 0, "sd": -1}, "greater than 0"),
        ({"dist": "gamma", "k": 2}, "expected a number"),
        ("0.5", "expected a number"),
        (True, "expected a number"),
        (float("nan"), "finite"),
    ],
)
def test_bad_quantities_are_rejected(raw, fragment):
    with pytest.raises(ValidationError, match=fragment):
        QUANTITY.validate_python(raw)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (1.2, "value must be <= 1"),
        ({"low": 0.5, "high": 1.5}, r"range \[0.5, 1.5\] must be <= 1"),
        ({"dist": "normal", "mean": 0.5, "sd": 0.1}, "truncate with low/high"),
        ({"dist": "lognormal", "median": 0.5, "sigma": 0.1}, "<= 1"),
    ],
)
def test_probability_bounds_apply_to_the_whole_support(raw, fragment):
    with pytest.raises(ValidationError, match=fragment):
        PROBABILITY.validate_python(raw)


def test_truncated_normal_is_a_valid_probability():
    q = PROBABILITY.validate_python({"dist": "normal", "mean": 0.5, "sd": 0.2, "low": 0, "high": 1})
    draws = values.sample(q, np.random.default_rng(0), 10_000)
    assert draws.min() >= 0 and draws.max() <= 1
