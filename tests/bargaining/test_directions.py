"""The window moves the way the theory says: optimism shrinks it, costlier war widens it.

Outside options come from each party's own view (LSM over its simulated wars); the
slack is the general multi-issue machinery. Differences are far above the Monte Carlo
error of the outside options (s.e. below 0.003 with 40,000 paths).
"""

import numpy as np

import detente as dt
from detente.bargaining import outside_options, settlement_space, slack
from detente.engines import run_war
from detente.scenario import view_of


def slack_now(scenario, paths=40_000):
    parties = scenario.table()
    d = np.array(
        [
            np.nanmean(outside_options(run_war(view_of(scenario, p), paths=paths, seed=3))[:, 0, j])
            for j, p in enumerate(parties)
        ]
    )
    return slack(settlement_space(scenario, parties), d[None, :])[0]


def test_mutual_optimism_shrinks_the_window():
    base = slack_now(dt.load("fearon"))
    optimistic = slack_now(dt.load("fearon", variant="optimism"))
    assert base > 0.09 and optimistic < base - 0.1  # (0.1 + 0.1)/2 open; optimism: < 0


def test_costlier_war_widens_the_window():
    cheap = slack_now(dt.load("fearon", overrides=["war.cost={A: 0.05, B: 0.05}"]))
    costly = slack_now(dt.load("fearon", overrides=["war.cost={A: 0.2, B: 0.2}"]))
    assert costly > cheap + 0.1


def test_costlier_battles_widen_the_window_too():
    cheap = slack_now(dt.load("battles", overrides=["war.cost={A: 0.002, B: 0.002}"]), 20_000)
    costly = slack_now(dt.load("battles", overrides=["war.cost={A: 0.02, B: 0.02}"]), 20_000)
    assert costly > cheap + 0.05
