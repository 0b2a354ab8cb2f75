"""Recompute the tables of docs/calibration.md (run: python docs/calibration_tables.py).

Prints Markdown; paste the output over the tables when the engine or the default
scenario changes. Seed 0, 20,000 paths, as the note says.
"""

from __future__ import annotations

import itertools
import math

import detente as dt
from detente.scenario.attrition import AttritionWar
from detente.scenario.values import mean

KM2 = 603_628  # pre-2014 Ukraine incl. Crimea (FIGURES F): the contested ground
PATHS = 20_000
BACKCAST_2024 = [
    "time.start=2024-01-01", "time.horizon=52", "war.front.start={low: 0.176, high: 0.180}",
    "war.belligerents.russia.troops={low: 450000, high: 500000}",
    "war.belligerents.ukraine.materiel.artillery.stock={low: 100000, high: 300000}",
    "war.patrons.us.support={low: 0.25, high: 0.35}",
    "war.patrons.us.events=[{at: 16, jump: 0.35}]",
    "war.patrons.europe.support={low: 0.6, high: 0.7}",
    "war.patrons.europe.aid.artillery={low: 10000, high: 20000}", "war.escalation.start=0",
]  # fmt: skip


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def variants_table() -> None:
    """The outcome table of section 6, one column per variant."""
    names = ["baseline", "essay", "western-estimates", "us-exit"]
    rows: dict[str, list[str]] = {}
    for name in names:
        sc = dt.load("ukraine-2025", variant=None if name == "baseline" else name)
        res = dt.simulate(sc, paths=PATHS, seed=0)
        out, fin = res.outcome_shares(), res.final_stats()
        bands = res.bands().set_index(["variable", "step"])
        gain = (bands.loc[("front", 52), "mean"] - bands.loc[("front", 0), "mean"]) * KM2
        cells = {
            "Russia decisive": _pct(out["decisive"]["russia"]),
            "Ukraine decisive": _pct(out["decisive"]["ukraine"]),
            "collapse RU / UA": f"{_pct(out['collapse']['russia'])} / "
            f"{_pct(out['collapse']['ukraine'])}",
            "catastrophic escalation": _pct(out["escalation"]),
            "still at war": _pct(out["ongoing"]),
            "front X (mean)": f"{fin['front']['mean']:.3f}",
            "gain, year 1": f"~{round(gain, -2):,.0f} km²",
            "troops RU / UA": f"{fin['troops']['russia']['mean'] / 1e3:,.0f}k / "
            f"{fin['troops']['ukraine']['mean'] / 1e3:,.0f}k",
            "K+W over 2 yrs RU / UA": f"{fin['casualties']['russia']['mean'] / 1e3:,.0f}k / "
            f"{fin['casualties']['ukraine']['mean'] / 1e3:,.0f}k",
            "RU inflation / NWF left": f"{fin['inflation']['russia']['mean']:.1f} % / "
            f"{fin['fiscal_buffer']['russia']['mean']:.2f} % GDP",
            "support US / Europe": f"{fin['support']['us']['mean']:.2f} / "
            f"{fin['support']['europe']['mean']:.2f}",
        }
        for key, value in cells.items():
            rows.setdefault(key, []).append(value)
    print("| | " + " | ".join(f"`{n}`" if n != "baseline" else n for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for key, values in rows.items():
        print(f"| {key} | " + " | ".join(values) + " |")


def key_figures() -> None:
    """The model's side of the baseline and 2024 back-cast comparisons."""
    for label, overrides, week in (("baseline", [], 46), ("2024 back-cast", BACKCAST_2024, 52)):
        res = dt.simulate(dt.load("ukraine-2025", overrides=overrides), paths=PATHS, seed=0)
        b = res.bands().set_index(["variable", "step"])
        front0 = b.loc[("front", 0), "mean"]
        gain = [(b.loc[("front", 52), k] - front0) * KM2 for k in ("mean", "p50", "p05", "p95")]
        share = [100 * b.loc[("front", week), k] for k in ("mean", "p05", "p95")]
        losses = [b.loc[(f"casualties.{side}", week), "mean"] for side in ("russia", "ukraine")]
        troops = [b.loc[("troops.russia", step), "mean"] for step in (0, week)]
        print(
            f"{label}: share at week {week} {share[0]:.2f} % [{share[1]:.2f}, {share[2]:.2f}]; "
            f"gain to week 52 mean {gain[0]:,.0f}, median {gain[1]:,.0f} km² "
            f"[{gain[2]:,.0f}, {gain[3]:,.0f}]; K+W RU {losses[0]:,.0f}, UA {losses[1]:,.0f}; "
            f"RU troops {troops[0]:,.0f} -> {troops[1]:,.0f}"
        )


def economy_and_timing() -> None:
    """Russia's liquid fund and inflation by week (section 3), the back-cast's timing (4).

    Inflation and fiscal buffers are recorded at the horizon only, so each week is a run
    to that horizon (the same seed gives the same paths up to it). The timing uses the
    mean front by week: the two halves of the year, and calendar months taken as the
    weeks ``round(m * 52 / 12)`` to ``round((m + 1) * 52 / 12)``.
    """
    sc = dt.load("ukraine-2025")
    assert isinstance(sc.war, AttritionWar)
    start = mean(sc.war.belligerents["russia"].economy.inflation)
    print(f"week 0: RU inflation {start:.1f} % (the scenario's mean)")
    for week in (11, 52):
        res = dt.simulate(sc, paths=PATHS, seed=0, horizon=week, analyse=False)
        fin = res.final_stats()
        print(
            f"week {week}: RU liquid NWF {fin['fiscal_buffer']['russia']['mean']:.2f} % GDP, "
            f"inflation {fin['inflation']['russia']['mean']:.1f} %"
        )
    back = dt.load("ukraine-2025", overrides=BACKCAST_2024)
    res = dt.simulate(back, paths=PATHS, seed=0, analyse=False)
    front = res.bands().set_index(["variable", "step"]).loc["front", "mean"]
    h1, h2 = (front[26] - front[0]) * KM2, (front[52] - front[26]) * KM2
    edges = [round(m * 52 / 12) for m in range(13)]
    months = [(front[b] - front[a]) * KM2 for a, b in itertools.pairwise(edges)]
    print(
        f"2024 back-cast timing: H1 {h1:,.0f}, H2 {h2:,.0f} km²; "
        f"months {min(months):,.0f}-{max(months):,.0f} km²"
    )


def fire(overrides: list[str], weeks: int) -> list[tuple[float, float]]:
    """Rounds fired a day by Russia and Ukraine, week by week: a mean-field reconstruction.

    The engine records artillery stocks, not rounds fired, so this reruns its artillery
    accounting on parameter means and the run's weekly means of troops, support and
    Russia's output index: demand ``use * troops / 1000``, fire ``min(stock, demand)``;
    each patron sends its full rate times the sigmoid of its support, within its own
    stockpile; the stock loses the fire and gains the aid and the ramped-up production.
    """
    sc = dt.load("ukraine-2025", overrides=overrides)
    war = sc.war
    assert isinstance(war, AttritionWar)
    res = dt.simulate(sc, paths=PATHS, seed=0, horizon=weeks, analyse=False)
    band = res.bands().set_index(["variable", "step"])["mean"]
    sides = ("russia", "ukraine")
    art = {s: war.belligerents[s].materiel["artillery"] for s in sides}
    stock = {s: mean(art[s].stock) for s in sides}
    made = {s: mean(art[s].production) for s in sides}
    left = {p: mean(war.patrons[p].stockpile.get("artillery", math.inf)) for p in war.patrons}
    fired = []
    for t in range(weeks):
        used = {s: min(stock[s], mean(art[s].use) * band[(f"troops.{s}", t)] / 1000) for s in sides}
        for p, patron in war.patrons.items():
            z = (band[(f"support.{p}", t)] - mean(patron.midpoint)) / mean(patron.steepness)
            sent = min(mean(patron.aid.get("artillery", 0.0)) / (1.0 + math.exp(-z)), left[p])
            left[p] -= sent
            stock["ukraine"] += sent
        for s in sides:
            made[s] += (mean(art[s].capacity) - made[s]) / mean(art[s].ramp)
            output = band[("output.russia", t)] if s == "russia" else 1.0
            stock[s] += made[s] * output - used[s]
        fired.append((used["russia"] / 7, used["ukraine"] / 7))
    return fired


def fire_rows() -> None:
    """The fire rows of sections 3 (the default) and 4 (the 2024 back-cast)."""
    day = fire([], 105)
    ratio = [ru / ua for ru, ua in day]
    print(
        f"baseline fire RU {day[0][0]:,.0f} -> {day[52][0]:,.0f} -> {day[104][0]:,.0f}/day "
        f"(weeks 0, 52, 104); UA {day[0][1]:,.0f} at start, {min(d[1] for d in day):,.0f} "
        f"lowest; ratio {ratio[0]:.1f} (start) -> {ratio[26]:.1f} (week 26) -> "
        f"{ratio[51]:.1f} (week 51); UA below its demand from week "
        f"{next((t for t, d in enumerate(day) if d[1] < 0.99 * day[0][1]), -1)}"
    )
    day = fire(BACKCAST_2024, 52)
    ratio = [ru / ua for ru, ua in day]
    spans = {"Feb-Apr": (5, 18), "Jun-Oct": (22, 44), "Dec": (48, 52)}
    text = ", ".join(
        f"{name} {min(ratio[a:b]):.1f}-{max(ratio[a:b]):.1f}" for name, (a, b) in spans.items()
    )
    print(
        f"2024 back-cast fire RU {min(d[0] for d in day):,.0f}-{max(d[0] for d in day):,.0f}"
        f"/day; ratio {text}"
    )


if __name__ == "__main__":
    key_figures()
    economy_and_timing()
    fire_rows()
    variants_table()
