"""What an engine run keeps: payoff accounting, checkpoints, bands, and the Result."""

import numpy as np
import pandas as pd
import pytest

import detente as dt
from detente.engines import EngineError, get_engine, run_war
from detente.results import histogram_quantiles


def test_discounted_accounting_of_the_lottery():
    # One step: a flow (1 - d) u(sq) - c, then the prize discounted once (engines/base.py).
    d, sq, p, c = 0.9, 0.3, 0.6, 0.05
    sc = dt.load(
        "fearon",
        overrides=[f"time.discount={{A: {d}, B: {d}}}", f"issues.share.status_quo={sq}",
                   f"war.p_win={p}", f"war.cost.A={c}"],
    )  # fmt: skip
    rec = run_war(sc, paths=4, seed=0)
    won = rec.winner == 0
    expected_a = (1 - d) * sq - c + d * np.where(won, 1.0, 0.0)
    np.testing.assert_allclose(rec.payoff[:, 0], expected_a)
    expected_b = (1 - d) * (1 - sq) - 0.1 + d * np.where(won, 0.0, 1.0)
    np.testing.assert_allclose(rec.payoff[:, 1], expected_b)


def test_accrued_payoff_at_checkpoints():
    sc = dt.load("battles", overrides=["time.checkpoint_every=2"])
    rec = run_war(sc, paths=300, seed=3)
    assert (rec.accrued[:, 0] == 0).all()  # nothing is paid before the first step
    steps = rec.plan.checkpoints
    for c, t in enumerate(steps):
        live = rec.alive[:, c] == 1
        # Costs of 0.01 per engagement: t engagements fought before checkpoint t.
        np.testing.assert_allclose(rec.accrued[live, c], -0.01 * t)
        np.testing.assert_array_equal(rec.alive[:, c], (rec.end_step > t).astype(np.uint8))
        np.testing.assert_allclose(rec.accrued[~live, c], rec.payoff[~live])


def test_bands_match_the_paths():
    res = dt.simulate("battles", paths=5000, seed=2)
    bands = res.bands()
    first, last = bands.iloc[0], bands.iloc[-1]
    width = 1 / 512
    assert first["step"] == 0 and abs(first["p50"] - 0.5) <= width
    assert last["mean"] == pytest.approx(res.war.final[:, 0].mean())
    assert len(bands) == res.war.plan.horizon + 1


def test_histogram_quantiles_are_within_a_bin():
    rng = np.random.default_rng(0)
    x = rng.beta(2, 5, 100_000)
    hist = np.histogram(x, bins=512, range=(0, 1))[0][None, :]
    probs = [0.05, 0.5, 0.95]
    np.testing.assert_allclose(
        histogram_quantiles(hist, 0.0, 1.0, probs)[0], np.quantile(x, probs), atol=1 / 512
    )


def test_result_tables_and_parquet(tmp_path):
    res = dt.simulate("lanchester", paths=100, seed=0)
    assert set(res.outcomes["outcome"]) == {"decisive", "collapse", "escalation", "ongoing"}
    folder = res.to_parquet(tmp_path / "out")
    paths = pd.read_parquet(folder / "paths.parquet")
    assert len(paths) == 100 and "final.force.A" in paths
    assert set(pd.read_parquet(folder / "bands.parquet")["variable"]) == {"force.A", "force.B"}
    assert not list(folder.glob(".*tmp*"))
    assert (folder / "meta.json").read_text().count('"scenario": "lanchester"') == 1


def test_engine_errors():
    with pytest.raises(EngineError, match="has no war block"):
        run_war(dt.load("rubinstein"), paths=10, seed=0)
    with pytest.raises(EngineError, match="not available yet"):
        get_engine("no-such-engine")


def test_stochastic_lanchester_refuses_huge_forces():
    sc = dt.load("lanchester", overrides=["war.stochastic=true", "war.force.A=5e7"])
    with pytest.raises(EngineError, match="every single loss"):
        run_war(sc, paths=10, seed=0)
