"""Textbook bargaining results through the general machinery: scenario file -> CLI JSON.

* Ståhl's finite-deadline shares and Rubinstein's limit on the ``rubinstein`` scenario.
  The equilibrium is exact along a single continuous issue (segments between
  breakpoints, no grid), so the shares are compared to 1e-9.
* The outside-option principle on ``fearon`` with ``p_win`` 0 or 1: war is then a sure
  thing, outside options have no Monte Carlo error (up to the float32 storage of the
  window's values, ~1e-7), and the limit of many rounds has a closed form.
* Fearon's risk-return trade-off with the responder's cost uniform on [0, c_bar]: the
  proposer's optimal demand and the probability of war. Their errors come from the
  least-squares estimates of the outside options (Bernoulli outcomes: s.e. of the
  intercept ~0.5 / sqrt(n), of the slope on the cost ~0.5 / (sqrt(n) sd(c)) ~3% at
  n = 40,000). Over 8 seeds at 100,000 paths the errors had s.d. 0.0033 (demand) and
  0.008 (war probability); the tolerances are ~4.5 and 5 s.d.
"""

import json

import pytest

from detente.cli import main


def run(capsys, *args):
    assert main(["negotiate", *args, "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1
    return doc


def stahl(d_a, d_b, rounds):
    """A's share when A proposes first and the pie is lost after ``rounds`` offers.

    Backward induction (Ståhl 1972): the last proposer takes all; each earlier proposer
    offers the responder its discounted share as the next proposer.
    """
    mine = 1.0  # the proposer's share with one offer left
    for k in range(rounds - 1, 0, -1):
        responder_discount = d_b if (k - 1) % 2 == 0 else d_a  # who responds at k - 1
        mine = 1.0 - responder_discount * mine
    return mine


@pytest.mark.parametrize(
    ("d_a", "d_b", "rounds"),
    [(0.9, 0.8, 1), (0.9, 0.8, 2), (0.9, 0.8, 3), (0.9, 0.8, 7), (0.5, 0.95, 10),
     (0.99, 0.99, 25), (0.6, 0.6, 50)],
)  # fmt: skip
def test_stahl_finite_deadline_shares(capsys, d_a, d_b, rounds):
    doc = run(capsys, "rubinstein", "--paths", "10", "--set", f"negotiation.rounds={rounds}",
              "--set", f"negotiation.discount={{A: {d_a}, B: {d_b}}}")  # fmt: skip
    assert doc["p_agreement"] == 1.0
    assert doc["agreement"]["round"]["p50"] == 0  # complete information: at once
    share = doc["agreement"]["terms"]["share"]
    assert share["mean"] == pytest.approx(stahl(d_a, d_b, rounds), abs=1e-9)
    assert share["p05"] == share["p95"]  # no war: every path the same


@pytest.mark.parametrize(("d_a", "d_b"), [(0.9, 0.8), (0.95, 0.95), (0.5, 0.9), (0.99, 0.9)])
def test_rubinstein_limit(capsys, d_a, d_b):
    # Ståhl's shares approach the limit geometrically, like (d_a d_b)**(rounds / 2).
    doc = run(capsys, "rubinstein", "--paths", "10", "--set", "negotiation.rounds=4000",
              "--set", f"negotiation.discount={{A: {d_a}, B: {d_b}}}")  # fmt: skip
    limit = (1 - d_b) / (1 - d_a * d_b)  # Rubinstein 1982
    assert doc["agreement"]["terms"]["share"]["mean"] == pytest.approx(limit, abs=1e-9)
    # ... and B proposing first gets B's Rubinstein share
    doc = run(capsys, "rubinstein", "--paths", "10", "--set", "negotiation.rounds=4000",
              "--set", f"negotiation.discount={{A: {d_a}, B: {d_b}}}",
              "--set", "negotiation.proposer=B")  # fmt: skip
    b_share = (1 - d_a) / (1 - d_a * d_b)
    assert 1 - doc["agreement"]["terms"]["share"]["mean"] == pytest.approx(b_share, abs=1e-9)


@pytest.mark.parametrize(
    ("p", "c_a", "c_b", "expected"),
    [
        # B's outside option 1 - 0 - 0.5 = 0.5 beats its Rubinstein share 0.286: it binds,
        # A gets 1 - d_B (Binmore, Shaked & Sutton 1989).
        (0.0, 0.1, 0.5, 0.5),
        # A's outside option 1 - 0.2 = 0.8 beats what it would wait for as responder,
        # 0.9 * 0.714 = 0.643: B must offer it 0.8, keeping 0.2, so A offers B 0.8 * 0.2.
        (1.0, 0.2, 0.3, 1 - 0.8 * (1 - 0.8)),
        # Neither binds: Rubinstein's split.
        (1.0, 0.5, 0.3, (1 - 0.8) / (1 - 0.9 * 0.8)),
    ],
)
def test_outside_option_principle(capsys, p, c_a, c_b, expected):
    doc = run(capsys, "fearon", "--paths", "1000", "--set", f"war.p_win={p}",
              "--set", f"war.cost={{A: {c_a}, B: {c_b}}}", "--set", "negotiation.rounds=2000",
              "--set", "negotiation.discount={A: 0.9, B: 0.8}")  # fmt: skip
    assert doc["p_agreement"] == 1.0
    assert doc["agreement"]["terms"]["share"]["mean"] == pytest.approx(expected, abs=1e-6)


def ultimatum(capsys, p, c_a, c_bar, paths=100_000, seed=0):
    return run(capsys, "fearon", "--protocol", "ultimatum", "--paths", str(paths),
               "--seed", str(seed), "--set", f"war.p_win={p}",
               "--set", f"war.cost={{A: {c_a}, B: {{low: 0, high: {c_bar}}}}}")  # fmt: skip


@pytest.mark.parametrize(("p", "c_a", "c_bar"), [(0.5, 0.1, 0.3), (0.3, 0.05, 0.4)])
def test_fearon_risk_return_trade_off(capsys, p, c_a, c_bar):
    doc = ultimatum(capsys, p, c_a, c_bar)
    demand = doc["agreement"]["terms"]["share"]
    assert demand["p05"] == pytest.approx(demand["p95"], abs=1e-9)  # one demand on all paths
    # Fearon 1995: x* = p + (c_bar - c_A)/2, war with probability (c_bar - c_A)/(2 c_bar)
    assert demand["mean"] == pytest.approx(p + (c_bar - c_a) / 2, abs=0.015)
    assert 1 - doc["p_agreement"] == pytest.approx((c_bar - c_a) / (2 * c_bar), abs=0.04)


def test_war_probability_does_not_depend_on_power(capsys):
    # The risk of war is (c_bar - c_A)/(2 c_bar) whatever p (Benson, Meirowitz & Ramsay):
    # same seed, so the two runs share their random numbers and their errors mostly.
    low = 1 - ultimatum(capsys, 0.3, 0.05, 0.3)["p_agreement"]
    high = 1 - ultimatum(capsys, 0.6, 0.05, 0.3)["p_agreement"]
    assert low == pytest.approx(high, abs=0.03)


def test_no_risk_worth_taking_when_costs_are_low(capsys):
    # c_bar <= c_A: the proposer demands p and every type accepts (a corner solution).
    doc = ultimatum(capsys, 0.5, 0.1, 0.05)
    assert doc["agreement"]["terms"]["share"]["mean"] == pytest.approx(0.5, abs=0.01)
    assert 1 - doc["p_agreement"] < 0.02
