"""The terminal summary of a run: the answer first, in plain words, then compact tables."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from detente.results import Result


def _pct(x: float) -> str:
    if 0 < x < 0.0005:
        return "<0.1%"  # rare, but it happens: not the same as never
    return f"{100 * x:.1f}%"


def _num(x: float) -> str:
    """A state value for people: thousands separators for big numbers, 4 digits otherwise."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _count(n: float, unit: str) -> str:
    return f"{n:g} {unit}" + ("" if n == 1 else "s")


def _label(result: Result, party: str) -> str:
    found = result.war.scenario.parties.get(party)
    return (found.label if found is not None else None) or party


def headline(result: Result) -> str:
    """A few plain sentences on how the war ends by the horizon."""
    shares = result.outcome_shares()
    unit = result.meta.get("time_unit", "step")
    horizon = _count(result.meta["horizon"], unit)
    wins = [f"{_label(result, side)} on {_pct(v)}" for side, v in shares["decisive"].items()]
    text = (
        f"After {horizon} the war is still going on {_pct(shares['ongoing'])} of paths. "
        f"Decisive victory: {', '.join(wins)}."
    )
    collapses = [
        f"{_label(result, side)} {_pct(v)}" for side, v in shares["collapse"].items() if v > 0
    ]
    if collapses:
        text += f" Collapse: {', '.join(collapses)}."
    if shares["escalation"] > 0:
        text += f" Catastrophic escalation: {_pct(shares['escalation'])}."
    if shares["ongoing"] < 1:
        duration = result.duration_stats()
        median = _count(duration["p50"], unit)
        text += (
            f" Median duration {median} (90% of paths: {duration['p05']:g} to {duration['p95']:g})."
        )
    return text


def print_run_summary(console: Console, result: Result) -> None:
    """Print the run's answer and its tables (fits 100 columns)."""
    meta = result.meta
    variant = f", variant {meta['variant']}" if meta.get("variant") else ""
    console.print(
        f"[bold]{meta['scenario']}[/bold]{variant} -- {result.war.engine} engine, "
        f"{result.paths:,} paths, seed {meta['seed']}",
    )
    console.print(headline(result), markup=False)
    se = result.outcome_shares()["max_se"]  # binomial s.e. of the least certain share
    table = Table(
        title="Outcomes at the horizon",
        caption=f"Monte Carlo s.e. <= {100 * se:.2f} points",
        title_justify="left",
        caption_justify="left",
    )
    for column in ("outcome", "party", "share"):
        table.add_column(column, justify="right" if column == "share" else "left")
    shares = result.outcome_shares()
    rows = [("decisive", party, v) for party, v in shares["decisive"].items()]
    rows += [("collapse", party, v) for party, v in shares["collapse"].items() if v > 0]
    if shares["escalation"] > 0:
        rows.append(("escalation", "", shares["escalation"]))
    rows.append(("ongoing", "", shares["ongoing"]))
    for outcome, party, share in rows:
        table.add_row(outcome, party, _pct(share))
    console.print(table)
    payoffs = Table(title="Value of fighting on (stake units; mean ± s.e.)", title_justify="left")
    for column in ("party", "mean", "p05", "p50", "p95"):
        payoffs.add_column(column, justify="left" if column == "party" else "right")
    for party, s in result.payoff_stats().items():
        payoffs.add_row(
            party,
            f"{s['mean']:.3f} ± {s['se']:.3f}",
            f"{s['p05']:.3f}",
            f"{s['p50']:.3f}",
            f"{s['p95']:.3f}",
        )
    console.print(payoffs)
    finals = result.final_stats()
    if finals:
        state = Table(title="State at the horizon", title_justify="left")
        for column in ("variable", "mean", "p05", "p50", "p95"):
            state.add_column(column, justify="left" if column == "variable" else "right")
        for name, stats in finals.items():
            entries = (
                [(name, stats)]
                if "mean" in stats
                else [(f"{name}.{party}", s) for party, s in stats.items()]
            )
            for label, s in entries:
                state.add_row(label, *(_num(s[k]) for k in ("mean", "p05", "p50", "p95")))
        console.print(state)


def print_window_summary(console: Console, doc: dict[str, Any]) -> None:
    """Print the window: is it open, when, how wide, on what terms (fits 100 columns)."""
    now = doc["now"]
    opening = (
        f"open at step {now} on most paths still at war"
        if now is not None
        else "closed on most paths at every checkpoint"
    )
    console.print(f"[bold]{doc['scenario']}[/bold] -- settlement window: {opening}.")
    table = Table(title="Window by checkpoint (shares of paths at war)", title_justify="left")
    for column in ("step", "open", "at war", "slack p05", "p50", "p95", "closed: optimism",
                   "no overlap", "commitment", "hurting stalemate"):  # fmt: skip
        table.add_column(column, justify="right")
    slack, why = doc["slack"], doc["why_closed"]
    stalemate = doc["ripeness"]["hurting_stalemate"]
    for c, step in enumerate(doc["checkpoints"]):
        cells = [slack[k][c] for k in ("p05", "p50", "p95")]
        table.add_row(
            str(step), _pct(doc["p_open"][c]), _pct(doc["p_alive"][c]),
            *("" if v is None else f"{v:.3f}" for v in cells),
            *(_pct(why[k][c]) if why[k] is not None else "" for k in
              ("optimism", "no_overlap", "commitment")),
            _pct(stalemate[c]) if stalemate is not None else "",
        )  # fmt: skip
    console.print(table)
    if now is not None:
        terms = Table(title=f"Terms at step {now}", title_justify="left")
        for column in ("issue", "window", "nash", "kalai-smorodinsky", "egalitarian"):
            terms.add_column(column)
        for issue, bounds in doc["zopa"]["bounds"].items():
            solutions = [doc["solutions"][k].get(issue) for k in
                         ("nash", "kalai_smorodinsky", "egalitarian")]  # fmt: skip
            terms.add_row(issue, _range(bounds), *(_value(v) for v in solutions))
        console.print(terms)


def _range(bounds: list[Any]) -> str:
    return " to ".join(_value(b) for b in bounds)


def _value(v: Any) -> str:
    if v is None:
        return ""
    return f"{v:.3f}" if isinstance(v, float) else str(v)
