"""Recompute the tables of docs/calibration.md (run: python docs/calibration_tables.py).

Prints Markdown; paste the output over the tables when the engine or the default
scenario changes. Seed 0, 20,000 paths, as the note says.
"""

from __future__ import annotations

import itertools

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


if __name__ == "__main__":
    key_figures()
    economy_and_timing()
    variants_table()
