"""The Result of a simulation: tidy summaries of per-path records, with provenance.

Every summary carries its Monte Carlo uncertainty, and the metadata (scenario digest,
variant, seed, paths, version) makes each number traceable. A Result carries the war
record and, when the run analysed it, the settlement window, the negotiation and the
evaluated claims; it exports tidy tables (pandas, Parquet) and labelled arrays (xarray).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from detente.engines import COLLAPSE, DECISIVE, ESCALATION, ONGOING, WarRecord

if TYPE_CHECKING:
    import xarray as xr

    from detente.bargaining.window import Window

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


OUTCOME_CODES = {
    "ongoing": ONGOING,
    "decisive": DECISIVE,
    "collapse": COLLAPSE,
    "escalation": ESCALATION,
}


def _json_safe(x: Any) -> Any:
    """NaN and infinities become ``None`` (JSON has no such numbers)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    return x


def _nan_quantiles(x: NDArray[np.float64], axis: int = 0) -> NDArray[np.float64]:
    """5/50/95 % quantiles ignoring NaN (all-NaN slices give NaN, silently)."""
    finite = np.isfinite(x)
    filled = np.where(finite, x, np.inf)
    counts = finite.sum(axis=axis)
    ordered = np.sort(filled, axis=axis)
    out = []
    for q in QUANTILES.values():
        # linear interpolation between order statistics, as numpy's default
        pos = np.maximum(counts - 1, 0) * q
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, np.maximum(counts - 1, 0))
        a = np.take_along_axis(ordered, np.expand_dims(lo, axis), axis).squeeze(axis)
        b = np.take_along_axis(ordered, np.expand_dims(hi, axis), axis).squeeze(axis)
        with np.errstate(invalid="ignore"):  # inf - inf on all-NaN slices, masked below
            value = a + (b - a) * (pos - lo)
        out.append(np.where(counts > 0, value, np.nan))
    return np.stack(out, axis=-1)


@dataclass
class Result:
    """What a run of ``dt.simulate`` found, with the provenance of every number.

    Attributes
    ----------
    war
        The engine's per-path record (terminal events, payoffs, checkpoint features).
    meta
        Scenario name, source, digest and variant; seed, paths, horizon; package version.
    window
        The settlement window analysed on the war's first ``meta["analysis_paths"]``
        paths (``None`` when the run was not analysed).
    negotiation
        The negotiation on that window (``None`` when not computed).
    claims
        The scenario's claims evaluated on this result (``detente.claims``), as
        JSON-ready documents; ``None`` when not evaluated.
    """

    war: WarRecord
    meta: dict[str, Any] = field(default_factory=dict)
    window: Window | None = None
    negotiation: Any = None
    claims: list[dict[str, Any]] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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

    def outcome_shares_with_talks(self) -> dict[str, Any] | None:
        """Outcome shares by the horizon with each deal fed back into its war.

        ``settled``: the deal still holds; the others as in :meth:`outcome_shares`, of
        the wars fought on (no deal, or a deal that broke down). Over the paths the
        talks analysed; ``None`` when deals were not fed back.
        """
        settlement = getattr(self.negotiation, "settlement", None)
        if settlement is None:
            return None
        war, holding = settlement.record, settlement.holding
        shares: dict[str, Any] = {"settled": float(holding.mean()), "decisive": {},
                                  "collapse": {}}  # fmt: skip
        for k, side in enumerate(war.sides):
            shares["decisive"][side] = float(((war.event == DECISIVE) & (war.winner == k)).mean())
            lost = (war.event == COLLAPSE) & (war.winner == 1 - k)
            shares["collapse"][side] = float(lost.mean())
        shares["escalation"] = float((war.event == ESCALATION).mean())
        shares["ongoing"] = float(((war.event == ONGOING) & ~holding).mean())
        shares["paths"] = int(war.paths)
        return shares

    @property
    def outcomes(self) -> pd.DataFrame:
        """Outcome shares as a table: one row per (outcome, party)."""
        shares = self.outcome_shares()
        rows = [("decisive", p, v) for p, v in shares["decisive"].items()]
        rows += [("collapse", p, v) for p, v in shares["collapse"].items()]
        rows += [("escalation", None, shares["escalation"]), ("ongoing", None, shares["ongoing"])]
        return pd.DataFrame(rows, columns=["outcome", "party", "share"])

    def outcome_masks(self) -> dict[tuple[str, str | None], NDArray[np.bool_]]:
        """Per (outcome, party): which paths end that way (at any step)."""
        war = self.war
        masks: dict[tuple[str, str | None], NDArray[np.bool_]] = {}
        for k, side in enumerate(war.sides):
            masks["decisive", side] = (war.event == DECISIVE) & (war.winner == k)
        for k, side in enumerate(war.sides):
            # a side collapses: the other side is recorded as the winner
            masks["collapse", side] = (war.event == COLLAPSE) & (war.winner == 1 - k)
        masks["escalation", None] = war.event == ESCALATION
        return masks

    def outcomes_over_time(self) -> pd.DataFrame:
        """Share of paths that ended each way by each step (cumulative), and still at war.

        One row per (step, outcome, party), steps ``0..horizon``; the shares of a step
        add up to 1 (``ongoing`` is what has not ended by then).
        """
        war = self.war
        steps = np.arange(war.plan.horizon + 1)
        rows: list[pd.DataFrame] = []
        ended = np.zeros(steps.size)
        for (outcome, party), mask in self.outcome_masks().items():
            counts = np.bincount(war.end_step[mask], minlength=steps.size)[: steps.size]
            share = np.cumsum(counts) / war.paths
            ended += share
            rows.append(
                pd.DataFrame({"step": steps, "outcome": outcome, "party": party, "share": share})
            )
        rows.append(
            pd.DataFrame(
                {
                    "step": steps,
                    "outcome": "ongoing",
                    "party": None,
                    "share": np.clip(1.0 - ended, 0.0, 1.0),
                }
            )
        )
        return pd.concat(rows, ignore_index=True)

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

    # --- the analyses -------------------------------------------------------------------------

    def window_summary(self) -> dict[str, Any] | None:
        """The window's summary (``Window.summary()``), computed once; ``None`` if absent."""
        if self.window is None:
            return None
        if "window" not in self._cache:
            self._cache["window"] = _json_safe(self.window.summary())
        found: dict[str, Any] = self._cache["window"]
        return found

    def negotiation_summary(self) -> dict[str, Any] | None:
        """The negotiation's summary, computed once; ``None`` if not computed."""
        if self.negotiation is None:
            return None
        if "negotiation" not in self._cache:
            self._cache["negotiation"] = _json_safe(self.negotiation.summary())
        found: dict[str, Any] = self._cache["negotiation"]
        return found

    def window_table(self) -> pd.DataFrame:
        """Per checkpoint: share open, at war, slack quantiles, ripeness and why closed.

        Shares of ``open`` are of all analysed paths (ended wars count as closed), the
        others of the paths still at war; slack quantiles are over paths still at war.
        Empty when the window was not analysed.
        """
        w = self.window
        if w is None:
            return pd.DataFrame(columns=["step", "p_open", "p_alive"])
        live = w.record.alive == 1
        slack = np.where(live, w.slack, np.nan)
        qs = _nan_quantiles(slack, axis=0)
        table = pd.DataFrame({"step": w.checkpoints, "p_open": w.p_open(), "p_alive": w.p_alive()})
        for k, name in enumerate(QUANTILES):
            table[f"slack_{name}"] = qs[:, k]
        n_live = np.maximum(live.sum(axis=0), 1)
        closed = live & (np.nan_to_num(w.slack, nan=-1.0) < 0)
        optimism = closed & (np.nan_to_num(w.common_slack, nan=-1.0) >= 0)
        table["closed_optimism"] = optimism.sum(axis=0) / n_live
        table["closed_no_overlap"] = (closed & ~optimism).sum(axis=0) / n_live
        for name in ("p_hurting_stalemate", "p_commitment_problem"):
            found = getattr(w, name, None)
            values = found() if callable(found) else None
            table[name] = np.nan if values is None else values
        table["paths"] = w.record.paths
        return table

    def outside_table(self) -> pd.DataFrame:
        """Per checkpoint and required party: its outside option (own view) across paths at war.

        Mean and 5/50/95 % quantiles, in stake units. Empty without a window.
        """
        w = self.window
        columns = ["step", "party", "mean", *QUANTILES]
        if w is None:
            return pd.DataFrame(columns=columns)
        live = w.record.alive == 1
        frames = []
        for j, party in enumerate(w.parties):
            x = np.where(live, w.outside[:, :, j], np.nan)
            count = np.isfinite(x).sum(axis=0)
            with np.errstate(invalid="ignore"):
                mean = np.where(count > 0, np.nansum(x, axis=0) / np.maximum(count, 1), np.nan)
            frame = pd.DataFrame(_nan_quantiles(x, axis=0), columns=list(QUANTILES))
            frame.insert(0, "mean", mean)
            frame.insert(0, "party", party)
            frame.insert(0, "step", w.checkpoints)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def negotiation_table(self) -> pd.DataFrame:
        """One row per analysed path with the negotiation's per-path arrays, as it keeps them.

        The columns are whatever one- or two-dimensional per-path arrays the negotiation
        object holds (e.g. whether and when it agreed); empty when it was not computed.
        """
        neg = self.negotiation
        if neg is None:
            return pd.DataFrame()
        n = int(self.meta.get("analysis_paths") or 0)
        found = vars(neg) if hasattr(neg, "__dict__") else {}
        columns: dict[str, Any] = {}
        for name, value in found.items():
            if name.startswith("_") or not isinstance(value, np.ndarray) or not value.shape:
                continue
            if value.shape[0] != n or value.ndim > 2 or value.dtype == object:
                continue
            if value.ndim == 1:
                columns[name] = value
            else:
                for k in range(value.shape[1]):
                    columns[f"{name}.{k}"] = value[:, k]
        if not columns:
            return pd.DataFrame()
        return pd.DataFrame({"path": np.arange(n), **columns})

    def summary(self) -> dict[str, Any]:
        """The run as one JSON-ready document (without ``schema_version``).

        Keys: the metadata, ``engine``, ``outcomes`` (the war alone),
        ``outcomes_with_talks`` (deals fed back; ``None`` if not), ``final``, ``payoff``,
        ``duration``, and ``window``, ``negotiation``, ``claims`` (``None`` when not
        computed).
        """
        doc: dict[str, Any] = _json_safe(
            {
                **self.meta,
                "engine": self.war.engine,
                "outcomes": self.outcome_shares(),
                "outcomes_with_talks": self.outcome_shares_with_talks(),
                "final": self.final_stats(),
                "payoff": self.payoff_stats(),
                "duration": self.duration_stats(),
                "window": self.window_summary(),
                "negotiation": self.negotiation_summary(),
                "claims": self.claims,
            }
        )
        return doc

    # --- exports ------------------------------------------------------------------------------

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

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the result by file stem (empty analyses left out)."""
        found = {
            "paths": self.paths_table(),
            "bands": self.bands(),
            "outcomes_over_time": self.outcomes_over_time(),
        }
        if self.window is not None:
            found["window"] = self.window_table()
            found["outside_options"] = self.outside_table()
        negotiation = self.negotiation_table()
        if not negotiation.empty:
            found["negotiation"] = negotiation
        return found

    def to_parquet(self, directory: str | Path) -> Path:
        """Write every table as ``<name>.parquet`` and the summary as ``meta.json``.

        Tables: ``paths``, ``bands``, ``outcomes_over_time`` and, when analysed,
        ``window`` (per checkpoint), ``outside_options`` (per checkpoint and party) and
        ``negotiation`` (per analysed path). Files are written under temporary names
        and renamed, so an interrupted write never leaves a half-written file behind.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables().items():
            tmp = folder / f".{name}.parquet.tmp-{os.getpid()}"
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, folder / f"{name}.parquet")
        tmp = folder / f".meta.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(self.summary(), indent=2))
        os.replace(tmp, folder / "meta.json")
        return folder

    def to_xarray(self) -> xr.Dataset:
        """The result's arrays, labelled: bands, outcome shares over time, the window.

        Variables: ``band`` (variable, step, stat), ``outcome_share`` (step, outcome),
        and with a window ``p_open``, ``p_alive``, ``slack`` (checkpoint, quantile) and
        ``outside_option`` (checkpoint, party, stat). The metadata are the attributes.
        """
        import xarray as xr

        data: dict[str, xr.DataArray] = {}
        bands = self.bands()
        stats = ["mean", *QUANTILES]
        if not bands.empty:
            labels = list(dict.fromkeys(bands["variable"]))
            steps = self.war.plan.band_steps
            cube = np.stack(
                [bands.loc[bands["variable"] == v, stats].to_numpy(float) for v in labels]
            )
            data["band"] = xr.DataArray(
                cube,
                dims=("variable", "step", "stat"),
                coords={"variable": labels, "step": steps, "stat": stats},
            )
        over = self.outcomes_over_time()
        over["label"] = [
            o if p is None else f"{o}.{p}"
            for o, p in zip(over["outcome"], over["party"], strict=True)
        ]
        wide = over.pivot(index="step", columns="label", values="share")
        data["outcome_share"] = xr.DataArray(
            wide.to_numpy(float),
            dims=("step_all", "outcome"),
            coords={"step_all": wide.index.to_numpy(), "outcome": list(wide.columns)},
        )
        if self.window is not None:
            table = self.window_table()
            ckpt = {"checkpoint": table["step"].to_numpy()}
            data["p_open"] = xr.DataArray(
                table["p_open"].to_numpy(), dims="checkpoint", coords=ckpt
            )
            data["p_alive"] = xr.DataArray(
                table["p_alive"].to_numpy(), dims="checkpoint", coords=ckpt
            )
            slack = table[[f"slack_{q}" for q in QUANTILES]].to_numpy(float)
            data["slack"] = xr.DataArray(
                slack,
                dims=("checkpoint", "quantile"),
                coords={**ckpt, "quantile": list(QUANTILES)},
            )
            outside = self.outside_table()
            parties = list(dict.fromkeys(outside["party"]))
            cube = np.stack(
                [outside.loc[outside["party"] == p, stats].to_numpy(float) for p in parties],
                axis=1,
            )
            data["outside_option"] = xr.DataArray(
                cube,
                dims=("checkpoint", "party", "stat"),
                coords={**ckpt, "party": parties, "stat": stats},
            )
        attrs = {k: ("" if v is None else v) for k, v in self.meta.items()}
        return xr.Dataset(data, attrs=attrs)
