"""The Result of a simulation: tidy summaries of per-path records, with provenance.

Every summary carries its Monte Carlo uncertainty, and the metadata (scenario digest,
variant, seed, paths, version) makes each number traceable.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from detente.engines import COLLAPSE, DECISIVE, ESCALATION, ONGOING, WarRecord

QUANTILES = {"p05": 0.05, "p50": 0.5, "p95": 0.95}


def _stats(x: NDArray[np.float64]) -> dict[str, float]:
    """Mean, its Monte Carlo standard error, and the 5/50/95 % quantiles."""
    n = x.size
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    qs = np.quantile(x, list(QUANTILES.values()))
    return {
        "mean": float(x.mean()),
        "se": se,
        **{k: float(v) for k, v in zip(QUANTILES, qs, strict=True)},
    }


def histogram_quantiles(
    hist: NDArray[np.int64], low: float, high: float, probs: list[float]
) -> NDArray[np.float64]:
    """Quantiles of values counted in equal-width bins over ``[low, high]``.

    ``hist`` has bins on its last axis; the value is interpolated linearly inside the
    bin where the cumulative share crosses each probability, so the error is at most
    one bin width, ``(high - low) / bins``.
    """
    counts = hist.astype(float)
    total = counts.sum(axis=-1, keepdims=True)
    cdf = np.cumsum(counts, axis=-1) / np.where(total > 0, total, 1.0)
    bins = hist.shape[-1]
    width = (high - low) / bins
    out = np.empty((*hist.shape[:-1], len(probs)))
    for j, prob in enumerate(probs):
        k = np.minimum((cdf < prob).sum(axis=-1), bins - 1)
        before = np.where(
            k > 0, np.take_along_axis(cdf, np.maximum(k - 1, 0)[..., None], -1)[..., 0], 0.0
        )
        inside = np.take_along_axis(cdf, k[..., None], -1)[..., 0] - before
        frac = np.where(inside > 0, (prob - before) / np.where(inside > 0, inside, 1.0), 0.5)
        out[..., j] = low + (k + np.clip(frac, 0.0, 1.0)) * width
    return out


@dataclass
class Result:
    """What a run of ``dt.simulate`` found, with the provenance of every number.

    Attributes
    ----------
    war
        The engine's per-path record (terminal events, payoffs, checkpoint features).
    meta
        Scenario name, source, digest and variant; seed, paths, horizon; package version.
    """

    war: WarRecord
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> int:
        """Number of Monte Carlo paths."""
        return self.war.paths

    def outcome_shares(self) -> dict[str, Any]:
        """Share of paths ending in each way by the horizon, and the Monte Carlo errors."""
        war = self.war
        n = war.paths

        def share(mask: NDArray[np.bool_]) -> float:
            return float(mask.mean())

        shares: dict[str, Any] = {"decisive": {}, "collapse": {}}
        for k, side in enumerate(war.sides):
            shares["decisive"][side] = share((war.event == DECISIVE) & (war.winner == k))
            shares["collapse"][side] = share((war.event == COLLAPSE) & (war.winner == 1 - k))
        shares["escalation"] = share(war.event == ESCALATION)
        shares["ongoing"] = share(war.event == ONGOING)
        # Binomial standard error of a share p over n paths: sqrt(p (1 - p) / n).
        worst = max(
            [*shares["decisive"].values(), *shares["collapse"].values(), shares["ongoing"]],
            key=lambda p: p * (1 - p),
        )
        shares["max_se"] = math.sqrt(worst * (1 - worst) / n)
        return shares

    @property
    def outcomes(self) -> pd.DataFrame:
        """Outcome shares as a table: one row per (outcome, party)."""
        shares = self.outcome_shares()
        rows = [("decisive", p, v) for p, v in shares["decisive"].items()]
        rows += [("collapse", p, v) for p, v in shares["collapse"].items()]
        rows += [("escalation", None, shares["escalation"]), ("ongoing", None, shares["ongoing"])]
        return pd.DataFrame(rows, columns=["outcome", "party", "share"])

    def final_stats(self) -> dict[str, Any]:
        """Per state variable (and party), statistics of its value at the horizon."""
        found: dict[str, Any] = {}
        for j, var in enumerate(self.war.variables):
            stats = _stats(self.war.final[:, j])
            if var.party is None:
                found[var.name] = stats
            else:
                found.setdefault(var.name, {})[var.party] = stats
        return found

    def payoff_stats(self) -> dict[str, Any]:
        """Each party's realised discounted payoff of fighting on, in stake units."""
        return {p: _stats(self.war.payoff[:, j]) for j, p in enumerate(self.war.parties)}

    def duration_stats(self) -> dict[str, float]:
        """The war's duration in steps (censored at the horizon for ongoing wars)."""
        stats = _stats(self.war.end_step.astype(float))
        stats["censored"] = float((self.war.event == ONGOING).mean())
        return stats

    def bands(self) -> pd.DataFrame:
        """Per band step and variable: mean and 5/50/95 % quantiles across paths."""
        war = self.war
        steps = war.plan.band_steps
        frames = []
        for j, var in enumerate(war.banded):
            qs = histogram_quantiles(war.band_hist[j], var.low, var.high, list(QUANTILES.values()))
            frame = pd.DataFrame(qs, columns=list(QUANTILES))
            frame.insert(0, "mean", war.band_sum[j] / war.paths)
            frame.insert(0, "variable", var.label)
            frame.insert(0, "step", steps)
            frames.append(frame)
        columns = ["step", "variable", "mean", *QUANTILES]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    def summary(self) -> dict[str, Any]:
        """The run as one JSON-ready document (without ``schema_version``)."""
        return {
            **self.meta,
            "engine": self.war.engine,
            "outcomes": self.outcome_shares(),
            "final": self.final_stats(),
            "payoff": self.payoff_stats(),
            "duration": self.duration_stats(),
        }

    def paths_table(self) -> pd.DataFrame:
        """One row per path: terminal event, winner, end step, payoffs, final state."""
        war = self.war
        names = {0: "ongoing", 1: "decisive", 2: "collapse", 3: "escalation"}
        table = pd.DataFrame(
            {
                "path": np.arange(war.paths),
                "event": pd.Categorical.from_codes(
                    war.event.astype(int), categories=pd.Index([names[k] for k in range(4)])
                ),
                "winner": [war.sides[k] if k >= 0 else None for k in war.winner],
                "end_step": war.end_step,
            }
        )
        for j, party in enumerate(war.parties):
            table[f"payoff.{party}"] = war.payoff[:, j]
        for j, var in enumerate(war.variables):
            table[f"final.{var.label}"] = war.final[:, j]
        return table

    def to_parquet(self, directory: str | Path) -> Path:
        """Write ``paths.parquet``, ``bands.parquet`` and ``meta.json`` into a folder.

        Files are written under temporary names and renamed, so an interrupted write
        never leaves a half-written file behind.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in (("paths", self.paths_table()), ("bands", self.bands())):
            tmp = folder / f".{name}.parquet.tmp-{os.getpid()}"
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, folder / f"{name}.parquet")
        tmp = folder / f".meta.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(self.summary(), indent=2))
        os.replace(tmp, folder / "meta.json")
        return folder
