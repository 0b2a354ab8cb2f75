"""Fearon's bargaining range and Nash point through the general machinery: file -> CLI.

The outside options are Monte Carlo means over 40,000 lotteries: s.e.
sqrt(p (1 - p) / n) <= 0.0025, so 4.5 s.e. = 0.011; the Nash point is on a grid of
~5,000 splits (resolution 2e-4).
"""

import json

import pytest

from detente.cli import main

TOL = 4.5 * 0.0025


@pytest.mark.parametrize(("p", "c_a", "c_b"), [(0.6, 0.1, 0.15), (0.35, 0.05, 0.2)])
def test_fearon_range_and_nash_point(capsys, p, c_a, c_b):
    args = ["window", "fearon", "--json", "--quiet", "--paths", "40000", "--seed", "2",
            "--set", f"war.p_win={p}", "--set", f"war.cost={{A: {c_a}, B: {c_b}}}"]  # fmt: skip
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1 and doc["now"] == 0 and doc["zopa"]["open"]
    low, high = doc["zopa"]["bounds"]["share"]
    assert low == pytest.approx(p - c_a, abs=TOL)  # Fearon 1995: [p - c_A, p + c_B]
    assert high == pytest.approx(p + c_b, abs=TOL)
    for name in ("nash", "kalai_smorodinsky", "egalitarian"):  # all p + (c_B - c_A)/2 here
        assert doc["solutions"][name]["share"] == pytest.approx(p + (c_b - c_a) / 2, abs=TOL)
    assert doc["p_open"] == [1.0]
    assert doc["outside_option"]["A"]["mean"][0] == pytest.approx(p - c_a, abs=TOL)


def test_optimism_closes_fearons_window(capsys):
    assert main(["window", "fearon", "--variant", "optimism", "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["now"] is None and not doc["zopa"]["open"]
    assert doc["p_open"] == [0.0]
    assert doc["why_closed"]["optimism"] == [1.0]  # open if both valued the true war


def test_flow_form_range_and_nash_point(capsys):
    """battles whose front decides the issue: from the front X = 1/2 with n = 200 steps
    left, r_A = X + mu H - c_A K and 1 - r_B = X + mu H + c_B K, with drift
    mu = step (2p - 1), K = (1 - d^n)/(1 - d), H = d K (MODELS.md §9.2 U10; the front
    stays clear of the edges here, so the clip never binds); the Nash split of a pie is
    the range's midpoint. Tolerance: sampling error of the regression, < 0.002."""
    args = ["window", "battles", "--json", "--quiet", "--paths", "20000", "--seed", "3",
            "--set", "war.holds=share", "--set", "war.prior={}", "--set", "war.p_win=0.6",
            "--set", "war.front={start: 0.5, step: 0.005}", "--set", "time.horizon=200",
            "--set", "time.checkpoint_every=20", "--set", "time.discount={A: 0.95, B: 0.95}",
            "--set", "war.cost={A: 0.001, B: 0.002}"]  # fmt: skip
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    d, n, mu = 0.95, 200, 0.005 * (2 * 0.6 - 1)
    k = (1 - d**n) / (1 - d)
    low, high = 0.5 + mu * d * k - 0.001 * k, 0.5 + mu * d * k + 0.002 * k
    assert doc["zopa"]["bounds"]["share"] == pytest.approx([low, high], abs=0.002)
    assert doc["solutions"]["nash"]["share"] == pytest.approx((low + high) / 2, abs=0.002)
