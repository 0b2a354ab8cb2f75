"""Textbook closed forms reproduced by the general machinery: scenario -> CLI -> JSON.

Tolerances. Monte Carlo estimates are compared with their closed forms within
``Z = 4.5`` standard errors, the error reported by the run itself (a false alarm has
probability below 1e-5 per comparison). Deterministic Lanchester runs use the exact
solution of the equations, so they match to floating-point precision.
"""

import json
import math

import numpy as np
import pytest

import detente as dt
from detente.cli import main
from detente.engines import run_war

Z = 4.5


def run_json(capsys, *args):
    assert main(["run", *args, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


def close(estimate, se, exact):
    return abs(estimate - exact) <= Z * se + 1e-12


# --- Fearon's lottery ------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "c_a", "c_b"), [(0.5, 0.1, 0.1), (0.8, 0.05, 0.3), (0.2, 0.4, 0.0)])
def test_lottery_expected_payoffs(capsys, p, c_a, c_b):
    doc = run_json(
        capsys, "fearon", "--paths", "100000", "--seed", "3",
        "--set", f"war.p_win={p}", "--set", f"war.cost.A={c_a}", "--set", f"war.cost.B={c_b}",
    )  # fmt: skip
    a, b = doc["payoff"]["A"], doc["payoff"]["B"]
    assert close(a["mean"], a["se"], p - c_a)  # Fearon 1995: EU_A(war) = p - c_A
    assert close(b["mean"], b["se"], 1 - p - c_b)  # EU_B(war) = 1 - p - c_B
    share_se = math.sqrt(p * (1 - p) / 100_000)
    assert close(doc["outcomes"]["decisive"]["A"], share_se, p)
    assert doc["outcomes"]["ongoing"] == 0


def test_lottery_with_uncertain_p_integrates_over_it(capsys):
    doc = run_json(
        capsys, "fearon", "--paths", "100000", "--set", "war.p_win={low: 0.2, high: 0.6}"
    )
    a = doc["payoff"]["A"]
    assert close(a["mean"], a["se"], 0.4 - 0.1)  # E[p] - c_A


# --- battles: the gambler's ruin -------------------------------------------------------------


def ruin(p, k, n):
    """Feller (1968, ch. XIV): P(reach N before 0 from k) and the expected duration."""
    if p == 0.5:
        return k / n, k * (n - k)
    q = 1 - p
    r = q / p
    win = (1 - r**k) / (1 - r**n)
    return win, k / (q - p) - n / (q - p) * win


@pytest.mark.parametrize(
    ("p", "start", "step"),
    [(0.55, 0.5, 0.1), (0.5, 0.3, 0.1), (0.4, 0.6, 0.05), (0.62, 0.25, 0.25), (0.5, 0.5, 0.5)],
)
def test_battles_gamblers_ruin(capsys, p, start, step):
    doc = run_json(
        capsys, "battles", "--paths", "60000", "--seed", "11", "--horizon", "5000",
        "--set", f"war.p_win={p}", "--set", f"war.front.start={start}",
        "--set", f"war.front.step={step}", "--set", "war.cost={A: 0.002, B: 0.001}",
    )  # fmt: skip
    n = round(1 / step)
    k = round(start / step)
    win, duration = ruin(p, k, n)
    assert doc["outcomes"]["ongoing"] < 1e-4  # censoring at the horizon is negligible
    share_se = math.sqrt(win * (1 - win) / 60_000)
    assert close(doc["outcomes"]["decisive"]["A"], share_se, win)
    d = doc["duration"]
    assert close(d["mean"], d["se"], duration)
    # A's expected payoff: P(win) * 1 - c_A * E[T] (no discounting, lump-sum prize).
    a = doc["payoff"]["A"]
    assert close(a["mean"], a["se"], win - 0.002 * duration)
    assert doc["final"]["front"]["mean"] == pytest.approx(doc["outcomes"]["decisive"]["A"])


def test_battles_front_is_exact_after_many_steps():
    # 0.1 is not exact in binary: 10 steps of 0.1 from 0 must still end exactly at 1.
    sc = dt.load("battles", overrides=["war.front.start=0.0", "war.p_win=1"])
    rec = run_war(sc, paths=10, seed=0)
    assert (rec.end_step == 0).all()  # already at B's edge: decided before any battle
    sc = dt.load("battles", overrides=["war.front.start=0.1", "war.p_win=1"])
    rec = run_war(sc, paths=10, seed=0)
    assert (rec.end_step == 9).all() and (rec.final[:, 0] == 1.0).all()


def test_battles_beliefs_follow_beta_bernoulli_updating():
    sc = dt.load("battles", overrides=["time.checkpoint_every=5"])
    rec = run_war(sc, paths=2000, seed=4)
    start, step = 0.5, 0.1
    (a_a, b_a), (a_b, b_b) = (6, 4), (4, 6)  # the scenario's priors
    alive = rec.alive[:, 1] == 1
    front = rec.checkpoint_features[alive, 1, 0]
    net = np.round((front - start) / step)  # wins - losses over the first 5 engagements
    wins = (5 + net) / 2
    # Smith & Stam (2004): alpha += w, beta += 1 - w; the posterior mean is alpha / (alpha + beta)
    np.testing.assert_allclose(rec.checkpoint_features[alive, 1, 1], (a_a + wins) / (a_a + b_a + 5))
    np.testing.assert_allclose(rec.checkpoint_features[alive, 1, 2], (a_b + wins) / (a_b + b_b + 5))
    assert alive.any()


# --- Lanchester ------------------------------------------------------------------------------

SQUARE_CASES = [(1000, 800, 0.01, 0.012), (500, 700, 0.02, 0.008), (300, 300, 0.05, 0.03)]


@pytest.mark.parametrize(("a0", "b0", "alpha", "beta"), SQUARE_CASES)
def test_square_law_survivors(capsys, a0, b0, alpha, beta):
    doc = run_json(
        capsys, "lanchester", "--paths", "5", "--horizon", "2000",
        "--set", f"war.force={{A: {a0}, B: {b0}}}",
        "--set", f"war.effectiveness={{A: {alpha}, B: {beta}}}",
    )  # fmt: skip
    force = doc["final"]["force"]
    if alpha * a0**2 > beta * b0**2:  # Lanchester 1916: A wins iff alpha A0^2 > beta B0^2
        assert doc["outcomes"]["decisive"]["A"] == 1.0
        assert force["A"]["mean"] == pytest.approx(
            math.sqrt(a0**2 - beta / alpha * b0**2), rel=1e-9
        )
        assert force["B"]["mean"] == 0
    else:
        assert doc["outcomes"]["decisive"]["B"] == 1.0
        assert force["B"]["mean"] == pytest.approx(
            math.sqrt(b0**2 - alpha / beta * a0**2), rel=1e-9
        )
        assert force["A"]["mean"] == 0


def test_square_law_invariant_holds_at_every_checkpoint():
    sc = dt.load("lanchester", overrides=["time.checkpoint_every=3"])
    rec = run_war(sc, paths=3, seed=0)
    a = rec.checkpoint_features[0, :, 0].astype(float)
    b = rec.checkpoint_features[0, :, 1].astype(float)
    invariant = 0.01 * a**2 - 0.012 * b**2
    # Checkpoint features are stored as float32 (relative rounding 6e-8 on A^2 ~ 1e6,
    # i.e. about 0.1 on an invariant of 2320); the engine itself is exact in float64.
    np.testing.assert_allclose(invariant, 0.01 * 1000**2 - 0.012 * 800**2, atol=0.5)


def test_linear_law_invariant_and_survivors(capsys):
    a0, b0, alpha, beta = 100.0, 80.0, 0.01, 0.012
    doc = run_json(
        capsys, "lanchester", "--paths", "3", "--horizon", "2000", "--set", "war.law=linear",
        "--set", f"war.force={{A: {a0}, B: {b0}}}",
        "--set", f"war.effectiveness={{A: {alpha}, B: {beta}}}",
    )  # fmt: skip
    a, b = doc["final"]["force"]["A"]["mean"], doc["final"]["force"]["B"]["mean"]
    assert alpha * a - beta * b == pytest.approx(alpha * a0 - beta * b0, rel=1e-9)
    # The linear law never destroys B in finite time; A tends to A0 - (beta/alpha) B0.
    assert a == pytest.approx(a0 - beta / alpha * b0, abs=beta / alpha * b + 1e-9)
    assert b < 1e-6


def test_breakpoint_ends_the_linear_law(capsys):
    doc = run_json(
        capsys, "lanchester", "--paths", "3", "--set", "war.law=linear",
        "--set", "war.breakpoint=0.3", "--set", "war.effectiveness={A: 0.0005, B: 0.0004}",
    )  # fmt: skip
    assert doc["outcomes"]["decisive"]["A"] == 1.0
    assert doc["final"]["force"]["B"]["mean"] == pytest.approx(0.3 * 800)
    a = doc["final"]["force"]["A"]["mean"]
    assert 0.0005 * a - 0.0004 * 0.3 * 800 == pytest.approx(0.0005 * 1000 - 0.0004 * 800)


def test_stochastic_square_law_tracks_the_deterministic_one(capsys):
    """With ~1000 units, the Markov chain concentrates around the ODE (Kingman 2002).

    The fluctuation of the survivors is of order sqrt(N) units out of ~480, so the mean
    agrees with the deterministic value within a few per cent; 2 % is a loose bound.
    """
    doc = run_json(capsys, "lanchester", "--paths", "4000", "--set", "war.stochastic=true")
    exact = math.sqrt(1000**2 - 0.012 / 0.01 * 800**2)
    assert doc["outcomes"]["decisive"]["A"] > 0.999
    assert doc["final"]["force"]["A"]["mean"] == pytest.approx(exact, rel=0.02)
    assert doc["final"]["force"]["A"]["p95"] > doc["final"]["force"]["A"]["p05"]  # it is random
