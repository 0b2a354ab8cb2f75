"""Deals fed back into the war: ceasefires hold where nothing shifts, break at the hazard.

The breakdown share at the first check after a deal is compared with the mean of its
per-path probabilities, within 4.5 binomial standard errors.
"""

import math

import numpy as np
import pytest

import detente as dt
from detente.engines import DECISIVE, ONGOING
from detente.negotiation.coupling import NOT_YET, deal_utilities, fight_and_talk
from detente.negotiation.negotiate import negotiate


@pytest.fixture(scope="module")
def talks():
    return negotiate(dt.load("battles"), paths=8000, seed=1)


def test_deals_hold_when_peace_shifts_no_power(talks):
    """battles: nothing moves in a ceasefire, so no party ever does better fighting."""
    assert talks.p_agreement > 0.9
    settled = fight_and_talk(talks, rate=50.0)
    assert settled.durability() == 1.0
    holding = settled.holding
    assert (settled.record.event[holding] == ONGOING).all()
    # Lump-sum accounting: the war's costs until the deal, then the deal's value.
    u = deal_utilities(talks.scenario, settled.record.parties, talks.issues, talks.terms)
    cost = 0.01 * settled.start[holding]
    np.testing.assert_allclose(settled.record.payoff[holding, 0], u[holding, 0] - cost, atol=1e-9)


def test_deals_hold_under_private_costs_when_peace_shifts_no_power():
    """Each path draws its own war costs, known to each side (the private part of its
    outside option): the revaluation starts from the outside option each party agreed
    with, so a ceasefire in which nothing moves breaks no deal."""
    uncertain = "war.cost={A: {low: 0.005, high: 0.015}, B: {low: 0.005, high: 0.015}}"
    found = negotiate(dt.load("battles", overrides=[uncertain]), paths=4000, seed=3)
    assert found.p_agreement > 0.9
    assert fight_and_talk(found, rate=50.0).durability() == 1.0


def test_deals_that_shortchange_a_party_break_at_the_hazard(talks):
    worse = 0.05  # A's deal is now worth this much less than agreed
    rate = 2.0
    shortchanged = talks.utilities.copy()
    talks.utilities[:, 0] -= worse
    try:
        settled = fight_and_talk(talks, rate=rate)
    finally:
        talks.utilities[:] = shortchanged
    agreed = talks.agreed
    c0 = talks.checkpoint[agreed]
    steps = talks.checkpoints
    tau = steps[1] - steps[0]
    excess = talks.outside[agreed, 0] - (talks.utilities[agreed, 0] - worse)
    p_first = 1 - np.exp(-rate * tau * np.maximum(excess, 0))
    first = settled.end[agreed] == steps[np.minimum(c0 + 1, len(steps) - 1)]
    se = math.sqrt(p_first.mean() * (1 - p_first.mean()) / agreed.sum())
    assert abs(first.mean() - p_first.mean()) < 4.5 * se
    broken = agreed & (settled.end != NOT_YET)
    assert (settled.cause[broken] == 0).all()  # A, the party shortchanged
    # After a breakdown the war is fought again: some of those wars end decisively.
    assert (settled.record.event[broken] == DECISIVE).mean() > 0.5
    assert settled.durability() < 1.0


def test_rearmament_in_a_ceasefire_breaks_deals_on_the_default():
    """ukraine-2025, one round of talks at week 0: Russia's recruits keep arriving in the
    ceasefire and, with a deal worth no more than its outside option when it agreed,
    its value of fighting on overtakes the deal (the commitment problem). Without
    Russian recruitment the balance barely moves and nearly every deal holds."""
    once = ["negotiation.schedule={at: [0]}"]
    no_recruits = [
        "war.belligerents.russia.recruitment.contract=0",
        "war.belligerents.russia.recruitment.mobilisation=0",
    ]
    kwargs = {"paths": 2000, "seed": 0, "horizon": 52}
    rearming = negotiate(dt.load("ukraine-2025", overrides=once), **kwargs)
    still = negotiate(dt.load("ukraine-2025", overrides=[*once, *no_recruits]), **kwargs)
    assert rearming.p_agreement > 0.9 and still.p_agreement > 0.9
    causes = rearming.settlement.summary()["breakdown_cause"]
    assert rearming.durability < 0.85  # 0.80 when written (0.41 before TRUSTED_SHARE)
    assert causes["russia"] > 0.4 * (1 - rearming.durability)  # 0.11 of 0.20 (the US 0.09)
    assert still.durability > 0.95  # 0.97 when written
    assert still.durability > rearming.durability + 0.1
    assert still.settlement.summary()["breakdown_cause"]["russia"] < 0.01
