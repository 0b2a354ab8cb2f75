"""The report's figures, drawn with matplotlib from a run's saved tables.

Every figure is built from the tables a run writes (``Result.tables()``) and its JSON
summary, never from live objects, so ``detente report DIR`` redraws them exactly from
the saved results. Figures use matplotlib's object API (no pyplot, no global state,
no display needed) and are rendered to SVG (embedded in the HTML) and PNG (for papers).

Bands are the 5-95 % range across paths, with the median as a line.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

PALETTE = ["#1f5f99", "#c0392b", "#2e8b57", "#d68910", "#7d3c98", "#5d6d7e", "#17a589", "#a04000"]
"""Colours, in order of the parties / series (colour-blind-safe enough in pairs)."""

WIDTH = 9.0
"""Figure width in inches (fits a report column and a paper's text width at 100 dpi)."""

RC: dict[Any, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "svg.hashsalt": "detente",  # stable ids: the same results give the same SVG
    "svg.fonttype": "path",  # text as paths: the SVG needs no fonts to render
}


@dataclass
class RunData:
    """One run as the report reads it: the JSON summary, tables, ledger, scenario."""

    label: str
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    ledger: pd.DataFrame
    scenario: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """A saved table, or an empty one."""
        return self.tables.get(name, pd.DataFrame())

    @property
    def unit(self) -> str:
        """The time unit of a step."""
        return str(self.summary.get("time_unit") or "step")

    def party(self, name: str) -> str:
        """A party's display name."""
        return str((self.summary.get("labels") or {}).get(name) or name)


@dataclass
class Drawn:
    """A figure rendered: its id, title, caption, SVG text and PNG bytes."""

    name: str
    title: str
    caption: str
    svg: str
    png: bytes


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, height), dpi=100, layout="constrained")


def _few(x: Any) -> dict[str, Any]:
    """Markers on lines with only a few points (a one-checkpoint war shows no line)."""
    return {"marker": "o"} if len(x) <= 3 else {}


def _steps_axis(ax: Axes, x: Any) -> None:
    if len(x) <= 3:
        ax.set_xticks(list(x))
        ax.set_xlim(min(x) - 1, max(x) + 1)


def _band(ax: Axes, x: Any, lo: Any, mid: Any, hi: Any, colour: str, name: str) -> None:
    x, lo, mid, hi = (np.asarray(v, dtype=float) for v in (x, lo, mid, hi))
    if len(x) <= 3:  # too few points for a band: the 5-95 % range as error bars
        ax.errorbar(x, mid, yerr=[mid - lo, hi - mid], color=colour, fmt="o", capsize=4, label=name)
        _steps_axis(ax, x)
        return
    ax.fill_between(x, lo, hi, color=colour, alpha=0.18, linewidth=0)
    ax.plot(x, mid, color=colour, linewidth=1.6, label=name)


def window_figure(run: RunData) -> Figure | None:
    """Share of paths with an open window, and the slack, over time."""
    w = run.table("window")
    if w.empty:
        return None
    fig = _figure(3.2)
    left, right = fig.subplots(1, 2)
    steps = w["step"].to_numpy()
    alive = w["p_alive"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        open_live = np.where(alive > 0, w["p_open"].to_numpy() / alive, np.nan)
    left.plot(steps, open_live, color=PALETTE[2], linewidth=2, label="window open", **_few(steps))
    left.plot(
        steps,
        w["closed_optimism"],
        color=PALETTE[3],
        linewidth=1.2,
        label="closed by optimism only",
        **_few(steps),
    )
    for column, name, colour in (
        ("p_hurting_stalemate", "hurting stalemate", PALETTE[4]),
        ("p_commitment_problem", "commitment problem", PALETTE[1]),
    ):
        if column in w and w[column].notna().any():
            left.plot(
                steps,
                w[column],
                color=colour,
                linewidth=1.2,
                linestyle="--",
                label=name,
                **_few(steps),
            )
    left.axhline(0.5, color="black", linewidth=0.6, linestyle=":")
    left.set_ylim(-0.02, 1.02)
    _steps_axis(left, steps)
    left.set_title("Is there a settlement window?")
    left.set_xlabel(run.unit)
    left.set_ylabel("share of paths still at war")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    _band(right, steps, w["slack_p05"], w["slack_p50"], w["slack_p95"], PALETTE[0], "median")
    right.axhline(0, color="black", linewidth=0.8)
    right.set_title("How wide is it? Slack (5-95 % band)")
    right.set_xlabel(run.unit)
    right.set_ylabel("slack, stake units (>= 0: open)")
    return fig


def outside_figure(run: RunData) -> Figure | None:
    """Each required party's value of fighting on, under its own beliefs, over time."""
    o = run.table("outside_options")
    if o.empty:
        return None
    fig = _figure(3.2)
    ax = fig.subplots()
    for k, (party, rows) in enumerate(o.groupby("party", sort=False)):
        colour = PALETTE[k % len(PALETTE)]
        _band(
            ax, rows["step"], rows["p05"], rows["p50"], rows["p95"], colour, run.party(str(party))
        )
    ax.set_title("Outside options: each party's value of fighting on (own view; 5-95 % band)")
    ax.set_xlabel(run.unit)
    ax.set_ylabel("stake units (1 = its best settlement)")
    ax.legend(loc="best", ncols=2)
    return fig


def _position(issue: dict[str, Any], v: Any) -> float | None:
    """Where a value sits on an issue's axis, 0 (low end / first level) to 1."""
    if v is None:
        return None
    if issue.get("kind") == "continuous":
        lo, hi = issue["range"]
        return (float(v) - lo) / (hi - lo) if hi > lo else 0.5
    levels = issue.get("levels") or []
    if v not in levels:
        return None
    return levels.index(v) / max(len(levels) - 1, 1)


def _ends(issue: dict[str, Any]) -> tuple[str, str]:
    if issue.get("kind") == "continuous":
        lo, hi = issue["range"]
        return f"{lo:g}", f"{hi:g}"
    levels = issue.get("levels") or ["", ""]
    return str(levels[0]), str(levels[-1])


def terms_figure(run: RunData) -> Figure | None:
    """Per issue: the window's extent, the Nash and other solution points, the deals."""
    w = run.summary.get("window") or {}
    issues: dict[str, Any] = run.scenario.get("issues") or {}
    if w.get("now") is None or not issues or not w.get("zopa", {}).get("bounds"):
        return None
    bounds = w["zopa"]["bounds"]
    solutions = w.get("solutions") or {}
    agreed = ((run.summary.get("negotiation") or {}).get("agreement") or {}).get("terms") or {}
    names = [n for n in issues if n in bounds]
    fig = _figure(0.42 * len(names) + 1.2)
    ax = fig.subplots()
    markers = (
        ("nash", "D", "black", "Nash point"),
        ("kalai_smorodinsky", "^", PALETTE[4], "Kalai-Smorodinsky"),
        ("egalitarian", "s", PALETTE[3], "egalitarian"),
    )
    seen: set[str] = set()
    for row, name in enumerate(names):
        y = len(names) - 1 - row
        issue = issues[name]
        ax.plot([0, 1], [y, y], color="#bbbbbb", linewidth=1, zorder=1)
        lo, hi = (_position(issue, b) for b in bounds[name])
        if lo is not None and hi is not None:
            ax.plot(
                [lo, hi],
                [y, y],
                color=PALETTE[2],
                linewidth=7,
                alpha=0.55,
                solid_capstyle="butt",
                zorder=2,
                label=None if "zopa" in seen else "window (range)",
            )
            seen.add("zopa")
        sq = _position(issue, issue.get("status_quo_value"))
        if sq is not None:
            ax.plot(
                sq,
                y,
                "x",
                color="#555555",
                markersize=7,
                zorder=3,
                label=None if "sq" in seen else "status quo",
            )
            seen.add("sq")
        for key, marker, colour, label in markers:
            x = _position(issue, (solutions.get(key) or {}).get(name))
            if x is not None:
                ax.plot(
                    x,
                    y,
                    marker,
                    color=colour,
                    markersize=6 if key == "nash" else 5,
                    zorder=4,
                    label=None if key in seen else label,
                )
                seen.add(key)
        deal = _deal_position(issue, agreed.get(name))
        if deal is not None:
            ax.plot(
                deal,
                y,
                "o",
                color=PALETTE[1],
                markersize=6,
                zorder=5,
                fillstyle="none",
                markeredgewidth=1.6,
                label=None if "deal" in seen else "deals (typical)",
            )
            seen.add("deal")
        low, high = _ends(issue)
        ax.text(-0.02, y, low, ha="right", va="center", fontsize=7, color="#555555")
        ax.text(1.02, y, high, ha="left", va="center", fontsize=7, color="#555555")
    ax.set_yticks(range(len(names)), labels=list(reversed(names)))
    ax.set_xlim(-0.22, 1.3)
    ax.set_xticks([])
    ax.grid(False)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=2)
    ax.set_title(f"Terms at {run.unit} {w['now']}: the window per issue and the solution points")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncols=6)
    return fig


def _deal_position(issue: dict[str, Any], found: Any) -> float | None:
    if not isinstance(found, dict) or not found:
        return None
    if "mean" in found:
        return _position(issue, found["mean"])
    shares = {k: v for k, v in found.items() if isinstance(v, int | float)}
    return _position(issue, max(shares, key=lambda k: shares[k])) if shares else None


OUTCOME_COLOURS = {
    "decisive": [PALETTE[1], PALETTE[0]],
    "collapse": ["#f1948a", "#85c1e9"],
    "escalation": ["#34495e"],
    "ongoing": ["#d5d8dc"],
}


def outcomes_figure(run: RunData) -> Figure | None:
    """How the war has ended by each step (cumulative shares, stacked)."""
    o = run.table("outcomes_over_time")
    if o.empty:
        return None
    fig = _figure(3.2)
    ax = fig.subplots()
    series: list[Any] = []
    labels: list[str] = []
    colours: list[str] = []
    for (outcome, party), rows in o.groupby(["outcome", "party"], sort=False, dropna=False):
        if outcome == "ongoing":
            continue
        k = len([c for c in labels if c.startswith(str(outcome))])
        series.append(rows["share"].to_numpy())
        who = "" if not isinstance(party, str) else f": {run.party(party)}"
        labels.append(f"{outcome}{who}")
        palette = OUTCOME_COLOURS.get(str(outcome), PALETTE)
        colours.append(palette[k % len(palette)])
    steps = o.loc[o["outcome"] == "ongoing", "step"].to_numpy()
    ongoing = o.loc[o["outcome"] == "ongoing", "share"].to_numpy()
    ax.stackplot(
        steps,
        *series,
        ongoing,
        labels=[*labels, "still at war"],
        colors=[*colours, OUTCOME_COLOURS["ongoing"][0]],
        alpha=0.9,
    )
    ax.set_ylim(0, 1)
    ax.set_xlim(steps[0], steps[-1])
    ended = 1 - ongoing[-1]
    if ended < 0.3:  # zoom on the part that ended, or nothing shows
        ax.set_ylim(0, max(min(1.0, 1.5 * ended), 0.01))
        ax.set_title("How the war ends: cumulative share of paths (zoomed: most are still at war)")
    else:
        ax.set_title("How the war ends: cumulative share of paths")
    ax.set_xlabel(run.unit)
    ax.set_ylabel("share of paths")
    ax.legend(loc="upper left", ncols=3)
    return fig


STATE_SKIP = ("support.", "rung")
"""Band variables drawn in the patrons and escalation figure, not the state figure."""


def _bands_grid(run: RunData, variables: list[str], title: str, ncols: int = 4) -> Figure:
    b = run.table("bands")
    nrows = -(-len(variables) // ncols)
    fig = _figure(1.9 * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, name in zip(axes, variables, strict=False):
        rows = b[b["variable"] == name]
        k = 0 if "." not in name else _party_index(run, name.split(".", 1)[1])
        _band(ax, rows["step"], rows["p05"], rows["p50"], rows["p95"], PALETTE[k % 8], "median")
        ax.plot(rows["step"], rows["mean"], color=PALETTE[k % 8], linewidth=0.8, linestyle=":")
        base, _, party = name.partition(".")
        ax.set_title(f"{base} ({run.party(party)})" if party else base, fontsize=9)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 5))
        ax.tick_params(labelsize=7)
    for ax in axes[len(variables) :]:
        ax.set_visible(False)
    fig.suptitle(title, fontweight="bold", fontsize=10)
    fig.supxlabel(run.unit, fontsize=8)
    return fig


def _party_index(run: RunData, party: str) -> int:
    names = list((run.summary.get("labels") or {}).keys())
    return names.index(party) if party in names else 0


def state_figure(run: RunData) -> Figure | None:
    """Costs, forces and stocks: every recorded state variable's band over time."""
    b = run.table("bands")
    if b.empty:
        return None
    names = [v for v in dict.fromkeys(b["variable"]) if not v.startswith(STATE_SKIP)]
    if not names:
        return None
    return _bands_grid(run, names, "Forces, costs and stocks (5-95 % band, median; dots: mean)")


def patrons_figure(run: RunData) -> Figure | None:
    """Patron support, the escalation ladder and the cumulative risk of catastrophe."""
    b = run.table("bands")
    names = (
        [v for v in dict.fromkeys(b["variable"]) if v.startswith(STATE_SKIP)] if not b.empty else []
    )
    o = run.table("outcomes_over_time")
    escalation = o[o["outcome"] == "escalation"] if not o.empty else o
    if not names and (escalation.empty or escalation["share"].max() == 0):
        return None
    fig = _figure(3.0)
    panels = fig.subplots(1, 3 if names else 1, squeeze=False).ravel()
    support = [v for v in names if v.startswith("support.")]
    if support:
        ax = panels[0]
        for k, name in enumerate(support):
            rows = b[b["variable"] == name]
            party = name.split(".", 1)[1]
            _band(
                ax,
                rows["step"],
                rows["p05"],
                rows["p50"],
                rows["p95"],
                PALETTE[(k + 2) % 8],
                run.party(party),
            )
        ax.set_ylim(0, 1)
        ax.set_title("Patron political support")
        ax.set_xlabel(run.unit)
        ax.legend(loc="best")
    if "rung" in names:
        ax = panels[1]
        rows = b[b["variable"] == "rung"]
        _band(ax, rows["step"], rows["p05"], rows["p50"], rows["p95"], PALETTE[1], "median")
        ax.plot(rows["step"], rows["mean"], color=PALETTE[1], linestyle=":", label="mean")
        ax.set_title("Escalation ladder (rung)")
        ax.set_xlabel(run.unit)
        ax.legend(loc="best")
    ax = panels[-1]
    if not escalation.empty:
        ax.plot(escalation["step"], 100 * escalation["share"], color="black", linewidth=1.6)
    ax.set_title("Catastrophic escalation by then")
    ax.set_xlabel(run.unit)
    ax.set_ylabel("% of paths")
    return fig


def _decisive(side: str) -> Callable[[dict[str, Any]], float | None]:
    def get(d: dict[str, Any]) -> float | None:
        found: float | None = d["outcomes"]["decisive"][side]
        return found

    return get


def compare_figure(runs: list[RunData]) -> Figure | None:
    """Variants side by side: key shares, and the window over time."""
    if len(runs) < 2:
        return None
    fig = _figure(3.4)
    left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
    first = runs[0].summary
    rows: list[tuple[str, Callable[[dict[str, Any]], float | None]]] = [
        ("window open at start", lambda d: (d.get("window") or {}).get("p_open", [None])[0]),
        ("agreement", lambda d: (d.get("negotiation") or {}).get("p_agreement")),
    ]
    for side in first["outcomes"]["decisive"]:
        rows.append((f"decisive: {runs[0].party(side)}", _decisive(side)))
    rows.append(("escalation", lambda d: d["outcomes"]["escalation"]))
    y = np.arange(len(rows))
    height = 0.8 / len(runs)
    for k, run in enumerate(runs):
        values = [get(run.summary) for _, get in rows]
        x = [np.nan if v is None else 100 * v for v in values]
        left.barh(y + k * height, x, height=height, color=PALETTE[k % 8], label=run.label)
    left.set_yticks(y + 0.4 - height / 2, labels=[r[0] for r in rows])
    left.invert_yaxis()
    left.set_xlabel("% of paths")
    left.set_title("Key shares by variant")
    left.legend(loc="lower right")
    for k, run in enumerate(runs):
        w = run.table("window")
        if w.empty:
            continue
        alive = w["p_alive"].to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(alive > 0, w["p_open"].to_numpy() / alive, np.nan)
        right.plot(
            w["step"], share, color=PALETTE[k % 8], linewidth=1.8, label=run.label, **_few(share)
        )
        _steps_axis(right, w["step"].to_numpy())
    right.axhline(0.5, color="black", linewidth=0.6, linestyle=":")
    right.set_ylim(-0.02, 1.02)
    right.set_title("Window open (share of paths at war)")
    right.set_xlabel(runs[0].unit)
    right.legend(loc="best")
    return fig


FIGURES: list[tuple[str, str, Callable[[RunData], Figure | None], str]] = [
    (
        "window",
        "The settlement window over time",
        window_figure,
        "Left: share of paths still at war on which some settlement beats fighting on for every "
        "party whose consent is needed (open), and why it is closed elsewhere. Right: the slack, "
        "the largest stake share every such party could give up and still prefer a deal; below "
        "zero the window is closed.",
    ),
    (
        "outside_options",
        "Outside options",
        outside_figure,
        "Each party's expected value of fighting on from each checkpoint, estimated by "
        "least-squares Monte Carlo under its own beliefs and valued at the war's actual states.",
    ),
    (
        "terms",
        "Terms per issue",
        terms_figure,
        "Where the window first opens: the range of each issue over settlements inside the "
        "window (green), the Nash, Kalai-Smorodinsky and egalitarian points, the status quo "
        "during the war, and what negotiated deals typically agree on.",
    ),
    (
        "outcomes",
        "Outcomes over time",
        outcomes_figure,
        "Cumulative share of paths that ended each way by each step; the rest are still at war.",
    ),
    (
        "state",
        "Forces, costs and stocks",
        state_figure,
        "Quantile bands across paths of each state variable the engine records.",
    ),
    (
        "patrons",
        "Patron support and escalation risk",
        patrons_figure,
        "Patrons' political support for aid, the escalation ladder's rung, and the cumulative "
        "share of paths that reached catastrophic escalation.",
    ),
]
"""Per-run figures: id, title, how to draw it, caption."""


def render(fig: Figure) -> tuple[str, bytes]:
    """SVG text and PNG bytes of a figure (metadata stripped: same results, same files)."""
    import matplotlib as mpl

    with mpl.rc_context(RC):
        svg, png = io.StringIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
    return svg.getvalue(), png.getvalue()


def draw(runs: list[RunData]) -> list[Drawn]:
    """Every figure of a report: the comparison (if several runs), then each run's own."""
    import matplotlib as mpl

    found: list[Drawn] = []
    with mpl.rc_context(RC):
        fig = compare_figure(runs)
        if fig is not None:
            svg, png = render(fig)
            found.append(
                Drawn(
                    "compare",
                    "Variants compared",
                    "Key shares and the window over time, per variant.",
                    svg,
                    png,
                )
            )
        for run in runs:
            suffix = f"-{run.label}" if len(runs) > 1 else ""
            for name, title, make, caption in FIGURES:
                fig = make(run)
                if fig is None:
                    continue
                svg, png = render(fig)
                label = f" ({run.label})" if len(runs) > 1 else ""
                found.append(Drawn(f"{name}{suffix}", f"{title}{label}", caption, svg, png))
    return found
