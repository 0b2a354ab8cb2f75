"""The attrition engine: its textbook core, and each mechanism moving results the
documented way.

Direction tests use common random numbers (the same seed in both runs) and require
the difference to exceed 4.5 Monte Carlo standard errors of a share or a mean.
"""

import math
from pathlib import Path

import numpy as np
import pytest

import detente as dt
from detente.engines import COLLAPSE, DECISIVE, ESCALATION, run_war

SCENARIO = Path(__file__).parent / "data" / "attrition.yaml"
ALL_OFF = (
    "war.mechanisms={recruitment: false, materiel: false, production: false, patrons: false, "
    "red_lines: false, escalation: false, sanctions: false, economy: false, stability: false, "
    "shocks: false}"
)
Z = 4.5


def simulate(*overrides, paths=4000, seed=7, horizon=None):
    sc = dt.load(SCENARIO, overrides=list(overrides))
    return run_war(sc, paths=paths, seed=seed, horizon=horizon)


def final(rec, label):
    return rec.final[:, [v.label for v in rec.variables].index(label)]


def share(rec, event, side=None):
    mask = rec.event == event
    if side is not None:
        mask &= rec.winner == rec.sides.index(side)
    return mask.mean()


def binomial_se(p, n):
    return math.sqrt(max(p * (1 - p), 1e-12) / n)


# --- the textbook core -------------------------------------------------------------------


def test_all_off_is_a_stochastic_square_law():
    """Mechanisms off and a frozen front: Poisson attrition with dF = -lethality * F_other.

    Weekly Poisson losses are an Euler tau-leap of the square law (Kingman 2002); with
    about 1 % losses a week the discretisation bias of the survivors is below 1 %, and
    their Monte Carlo s.e. is under 0.2 %; 2 % bounds both.
    """
    rec = simulate(
        ALL_OFF, "war.front={start: 0.5, step: 0}", "war.belligerents.red.troops=1000",
        "war.belligerents.blue.troops=800", "war.belligerents.red.lethality=0.01",
        "war.belligerents.blue.lethality=0.012", paths=2000, horizon=600,
    )  # fmt: skip
    assert share(rec, DECISIVE, "red") > 0.99
    survivors = final(rec, "troops.red")[rec.winner == 0]
    exact = math.sqrt(1000**2 - 0.012 / 0.01 * 800**2)  # Lanchester: sqrt(A0^2 - beta/alpha B0^2)
    assert survivors.mean() == pytest.approx(exact, rel=0.02)
    assert (final(rec, "troops.blue")[rec.winner == 0] == 0).all()


@pytest.mark.parametrize(("red", "blue"), [(100_000, 100_000), (150_000, 100_000)])
def test_all_off_front_is_the_gamblers_ruin(red, blue):
    """No losses, so the contest probability p = M_A / (M_A + M_B) is constant (nu = 1)."""
    rec = simulate(
        ALL_OFF, "war.front={start: 0.5, step: 0.1, noise: 0, decisiveness: 1}",
        f"war.belligerents.red.troops={red}", f"war.belligerents.blue.troops={blue}",
        "war.belligerents.red.lethality=0", "war.belligerents.blue.lethality=0",
        paths=20_000, horizon=3000,
    )  # fmt: skip
    p = red / (red + blue)
    k, n = 5, 10
    if p == 0.5:
        win, duration = k / n, k * (n - k)
    else:
        r = (1 - p) / p
        win = (1 - r**k) / (1 - r**n)
        duration = k / (1 - 2 * p) - n / (1 - 2 * p) * win
    assert abs(share(rec, DECISIVE, "red") - win) < Z * binomial_se(win, rec.paths)
    steps = rec.end_step.astype(float)
    assert abs(steps.mean() - duration) < Z * steps.std() / math.sqrt(rec.paths)


# --- each mechanism in its documented direction -------------------------------------------


def test_more_patron_aid_lowers_the_other_sides_decisive_share():
    no_stability = "war.mechanisms.stability=false"
    with_aid = simulate(no_stability)
    without = simulate(no_stability, "war.patrons.ally.aid.artillery=0")
    gap = share(without, DECISIVE, "red") - share(with_aid, DECISIVE, "red")
    assert gap > Z * binomial_se(0.5, with_aid.paths)
    assert final(with_aid, "supply.blue").mean() > final(without, "supply.blue").mean()


def test_secondary_sanctions_enforcement_lowers_the_sanctioned_economy():
    lax = simulate("war.sanctions.enforcement=0")
    strict = simulate("war.sanctions.enforcement=1")
    assert final(strict, "output.red").mean() < final(lax, "output.red").mean()
    assert final(strict, "inflation.red").mean() > final(lax, "inflation.red").mean()
    # and with the economy's buffer as the shock absorber, fewer reserves are left
    buffers = [final(r, "fiscal_buffer.red").mean() for r in (strict, lax)]
    assert buffers[0] < buffers[1]


def test_compliant_third_parties_close_the_leak():
    leaky = simulate("war.third_parties.trader.compliance=0")
    tight = simulate("war.third_parties.trader.compliance=1")
    assert final(tight, "output.red").mean() < final(leaky, "output.red").mean()


def test_deterrent_signals_lower_willingness_to_cross_a_red_line():
    # climb = 1: the rung at the horizon counts paths where the long-range red line was crossed
    rising = ["war.patrons.ally.support=0.4", "war.patrons.ally.drift=0.01",
              "war.patrons.ally.futility=0", "war.patrons.ally.cost_fatigue=0",
              "war.mechanisms.stability=false", "war.escalation.base_hazard=0"]  # fmt: skip
    quiet = simulate(*rising, "war.escalation.signal=0")
    loud = simulate(*rising, "war.escalation.signal=0.5")
    crossed = [(final(r, "rung") > 0).mean() for r in (loud, quiet)]
    assert crossed[1] - crossed[0] > Z * binomial_se(0.5, quiet.paths)


def test_red_lines_off_means_no_crossing_and_no_climb():
    rec = simulate("war.mechanisms.red_lines=false", "war.escalation.base_hazard=0")
    assert (final(rec, "rung") == 0).all()


def test_escalation_hazard_raises_catastrophe():
    calm = simulate("war.escalation.base_hazard=0")
    tense = simulate("war.escalation.base_hazard=0.01")
    assert share(calm, ESCALATION) == 0
    assert share(tense, ESCALATION) > Z * binomial_se(0.3, tense.paths)
    # catastrophe costs every party: escalation paths pay the catastrophic cost
    esc = tense.event == ESCALATION
    assert (tense.payoff[esc, 2] < -5).all()


def test_recruitment_replenishes_troops():
    base = simulate("war.mechanisms.stability=false")
    more = simulate(
        "war.mechanisms.stability=false", "war.belligerents.red.recruitment.contract=3000"
    )
    assert final(more, "troops.red").mean() > final(base, "troops.red").mean()
    assert share(more, DECISIVE, "red") >= share(base, DECISIVE, "red")


def test_mobilisation_has_a_political_cost():
    cheap = simulate("war.belligerents.blue.recruitment.mobilisation_cost=0")
    costly = simulate("war.belligerents.blue.recruitment.mobilisation_cost=2")
    assert share(costly, COLLAPSE, "red") > share(cheap, COLLAPSE, "red")  # blue collapses


@pytest.mark.parametrize(("pool", "training"), [(None, 4.0), (20_000.0, 0.0), (20_000.0, 6.0)])
def test_recruitment_pool_and_pipeline_match_their_closed_forms(pool, training):
    """No losses and a frozen front: the troops gained are what the pipeline delivered.

    Contract signings from a pool ``P`` fall geometrically, ``c q**t`` with
    ``q = 1 - c / P``, so ``H`` steps sign ``P (1 - q**H)``. The pipeline's arrivals
    ``a_t = a_{t-1} + k (m_t - a_{t-1})``, ``k = 1 / (1 + training)``, start at the step-0
    intake; solving the recurrence, ``a_t = A (1 - k)**(t + 1) + B q**t`` with
    ``B = k c q / (q - 1 + k)`` and ``A = c - B / q``, and what reaches the front is what
    was signed less the pipeline's growth, ``training (a_{-1} - a_{H-1})``. Float
    arithmetic only: the tolerance is rounding.
    """
    c, horizon = 1000.0, 52
    rec = simulate(
        ALL_OFF, "war.mechanisms.recruitment=true", "war.front={start: 0.5, step: 0}",
        "war.belligerents.red.lethality=0", "war.belligerents.blue.lethality=0",
        f"war.belligerents.red.recruitment={{contract: {c}, training: {training}"
        + ("}" if pool is None else f", pool: {pool}}}"),
        paths=50, horizon=horizon,
    )  # fmt: skip
    assert (rec.end_step == horizon).all()
    gained = final(rec, "troops.red") - 100_000
    if pool is None:
        expected = c * horizon  # a constant intake: the front gets it every step
    else:
        q, k = 1.0 - c / pool, 1.0 / (1.0 + training)
        signed = pool * (1.0 - q**horizon)
        b = k * c * q / (q - 1.0 + k)
        last = (c - b / q) * (1.0 - k) ** horizon + b * q ** (horizon - 1)
        expected = signed + training * (c - last)
    assert gained == pytest.approx(np.full(50, expected), rel=1e-9)


def test_a_pool_smaller_than_a_steps_intake_is_signed_at_once():
    rec = simulate(
        ALL_OFF, "war.mechanisms.recruitment=true", "war.front={start: 0.5, step: 0}",
        "war.belligerents.red.lethality=0", "war.belligerents.blue.lethality=0",
        "war.belligerents.red.recruitment={contract: 1000, training: 0, pool: 400}",
        paths=20, horizon=10,
    )  # fmt: skip
    assert final(rec, "troops.red") == pytest.approx(np.full(20, 100_400.0))


def test_a_finite_pool_slows_recruitment_and_training_delays_the_fall():
    """A pool drawn down fields fewer troops; a longer pipeline keeps delivering longer."""
    pool = "war.belligerents.red.recruitment.pool=20000"
    unlimited = final(simulate("war.mechanisms.stability=false"), "troops.red")
    limited = final(simulate("war.mechanisms.stability=false", pool), "troops.red")
    slow = final(
        simulate(
            "war.mechanisms.stability=false", pool, "war.belligerents.red.recruitment.training=20"
        ),
        "troops.red",
    )
    for more, less in ((unlimited, limited), (slow, limited)):
        diff = more - less  # common random numbers: the paired difference's s.e.
        assert diff.mean() > Z * diff.std() / math.sqrt(diff.size)


def test_production_capacity_builds_stocks_with_a_lag():
    slow = simulate("war.belligerents.blue.materiel.artillery.capacity=400")
    fast = simulate("war.belligerents.blue.materiel.artillery.capacity=4000")
    assert final(fast, "artillery.blue").mean() > final(slow, "artillery.blue").mean()
    off = simulate("war.mechanisms.production=false")
    assert final(off, "artillery.blue").mean() < final(slow, "artillery.blue").mean()


def test_a_support_shock_cuts_aid():
    steady = simulate("war.mechanisms.stability=false")
    shift = simulate(
        "war.mechanisms.stability=false", "war.patrons.ally.events=[{at: 2, jump: -0.6}]"
    )
    assert final(shift, "support.ally").mean() < final(steady, "support.ally").mean()
    assert share(shift, DECISIVE, "red") > share(steady, DECISIVE, "red")


def test_coalition_cohesion_pulls_patrons_together():
    sc = dt.load(
        SCENARIO,
        overrides=[
            "parties.ally2={role: patron, supports: blue}",
            "war.patrons.ally2={support: 0.1, aid: {artillery: 100}}",
            "war.patrons.ally.cohesion=0.2",
            "war.patrons.ally2.cohesion=0.2",
        ],
    )
    rec = run_war(sc, paths=500, seed=1)
    gap = np.abs(final(rec, "support.ally") - final(rec, "support.ally2"))
    assert gap.mean() < 0.2


def test_stability_collapse_and_its_switch():
    fragile = simulate("war.belligerents.blue.stability.casualties=0.05")
    assert share(fragile, COLLAPSE, "red") > 0.5  # blue collapses; red is the winner
    off = simulate("war.mechanisms.stability=false")
    assert share(off, COLLAPSE) == 0


def test_negative_shocks_weaken_a_side():
    base = simulate(ALL_OFF, "war.mechanisms.shocks=true")
    hit = simulate(
        ALL_OFF, "war.mechanisms.shocks=true",
        "war.shocks=[{side: blue, probability: 0.2, effect: -0.5, duration: 4}]",
    )  # fmt: skip
    assert final(hit, "front").mean() > final(base, "front").mean()  # red gains ground


def test_beliefs_update_from_engagements():
    rec = simulate("war.prior={red: {alpha: 8, beta: 2}, blue: {alpha: 2, beta: 8}}", paths=500)
    names = rec.features
    red, blue = names.index("belief.red"), names.index("belief.blue")
    first, later = rec.checkpoint_features[:, 0], rec.checkpoint_features[:, 3]
    assert first[:, red] == pytest.approx(0.8) and first[:, blue] == pytest.approx(0.2)
    # 12 shared observations pull the two beliefs towards each other
    live = rec.alive[:, 3] == 1
    assert (np.abs(later[live, red] - later[live, blue]) < 0.6).all()


def test_thread_count_does_not_change_results():
    sc = dt.load(SCENARIO)
    one = run_war(sc, paths=9000, seed=3, threads=1)
    two = run_war(sc, paths=9000, seed=3, threads=2)
    for key in ("event", "winner", "end_step", "payoff", "final", "checkpoint_features"):
        np.testing.assert_array_equal(getattr(one, key), getattr(two, key), err_msg=key)
    np.testing.assert_array_equal(one.band_hist, two.band_hist)


@pytest.mark.parametrize(
    ("a", "b", "nu"), [(3.0, 1.0, 1.0), (2.0, 5.0, 1.7), (1e6, 8e5, 0.6), (0, 2, 2)]
)
def test_contest_success_function(a, b, nu):
    from detente.engines.attrition import _contest

    expected = 0.0 if a == 0 else a**nu / (a**nu + b**nu)  # Tullock (1980)
    assert _contest(a, b, nu) == pytest.approx(expected, rel=1e-12)
