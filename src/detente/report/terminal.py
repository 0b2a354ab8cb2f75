"""The terminal summary of a run: the answer first, in plain words, then compact tables."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from detente.report import text
from detente.results import Result


def _pct(x: float) -> str:
    if 0 < x < 0.0005:
        return "<0.1%"  # rare, but it happens: not the same as never
    return f"{100 * x:.1f}%"


def _num(x: float) -> str:
    """A state value for people: thousands separators for big numbers, 4 digits otherwise."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


STATUS_STYLE = {"holds": "green", "fails": "red", "uncertain": "yellow", "not evaluated": "dim"}
"""Colour of a claim's status in the terminal."""

MAX_WINDOW_ROWS = 8
"""Checkpoints shown in the terminal's window table (evenly spread; all are in --json)."""


def _compact(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                 padding=(0, 1), title_style="bold", show_edge=False)  # fmt: skip


def _header(doc: dict[str, Any]) -> str:
    variant = f", variant {doc['variant']}" if doc.get("variant") else ""
    analysed = doc.get("analysis_paths")
    note = f"; window and talks on the first {analysed:,}" if analysed else ""
    return (
        f"{doc['scenario']}{variant} -- {doc['engine']} engine, {doc['paths']:,} paths, "
        f"seed {doc['seed']}{note}"
    )


def outcomes_table(doc: dict[str, Any]) -> Table:
    """Outcome shares at the horizon."""
    shares = doc["outcomes"]
    table = _compact("Outcomes at the horizon")
    table.caption = f"s.e. <= {100 * shares['max_se']:.2f} pts"
    table.caption_justify = "left"
    for column in ("outcome", "party", "share"):
        table.add_column(column, justify="right" if column == "share" else "left")
    rows = [("decisive", p, v) for p, v in shares["decisive"].items()]
    rows += [("collapse", p, v) for p, v in shares["collapse"].items() if v > 0]
    if shares["escalation"] > 0:
        rows.append(("escalation", "", shares["escalation"]))
    rows.append(("ongoing", "", shares["ongoing"]))
    for outcome, party, share in rows:
        table.add_row(outcome, party, text.pct(share))
    return table


def window_table(doc: dict[str, Any]) -> Table | None:
    """The window at a few checkpoints: share open, slack, why closed."""
    w = doc.get("window")
    if not w:
        return None
    steps = w["checkpoints"]
    picks = sorted({round(i * (len(steps) - 1) / (MAX_WINDOW_ROWS - 1))
                    for i in range(MAX_WINDOW_ROWS)}) if len(steps) > MAX_WINDOW_ROWS \
        else list(range(len(steps)))  # fmt: skip
    table = _compact("Window over time (paths at war)")
    for column in ("step", "open", "slack p50", "optimism", "stalemate"):
        table.add_column(column, justify="right")
    stalemate = (w.get("ripeness") or {}).get("hurting_stalemate")
    for c in picks:
        alive = w["p_alive"][c]
        slack = w["slack"]["p50"][c]
        table.add_row(
            str(steps[c]),
            text.pct(w["p_open"][c] / alive if alive else 0.0),
            "" if slack is None else f"{slack:.3f}",
            text.pct(w["why_closed"]["optimism"][c]),
            "" if stalemate is None else text.pct(stalemate[c]),
        )
    table.caption = "optimism: closed only by diverging expectations"
    table.caption_justify = "left"
    return table


def terms_table(doc: dict[str, Any]) -> Table | None:
    """Per issue: the window's extent, the Nash point, what deals agree on."""
    w = doc.get("window")
    if not w or w.get("now") is None:
        return None
    agreed = ((doc.get("negotiation") or {}).get("agreement") or {}).get("terms") or {}
    table = _compact(f"Terms at step {w['now']}")
    for column in ("issue", "window (range)", "Nash point", "deals agree on"):
        table.add_column(column)
    for issue, bounds in w["zopa"]["bounds"].items():
        nash = w["solutions"].get("nash", {}).get(issue)
        table.add_row(issue, " to ".join(text.value(b) for b in bounds), text.value(nash),
                      _agreed(agreed.get(issue)))  # fmt: skip
    return table


def _agreed(found: Any) -> str:
    if not isinstance(found, dict) or not found:
        return ""
    if "mean" in found:
        return text.value(found["mean"]) + " (mean)"
    shares = {k: v for k, v in found.items() if isinstance(v, int | float)}
    if not shares:
        return ""
    level = max(shares, key=lambda k: shares[k])
    return f"{level} ({text.pct(shares[level])})"


def claims_table(claims: list[dict[str, Any]], title: str = "Claims") -> Table:
    """Each claim: its status, the estimate behind it and its source."""
    table = _compact(title)
    table.expand = True
    table.add_column("claim", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("estimate ± s.e.", ratio=3)
    table.add_column("source", ratio=1)
    for c in claims:
        detail = text.claim_value(c) if c["status"] != "not evaluated" else (c.get("why") or "")
        if c["status"] == "uncertain":
            detail += f" (leans {c['leans']})"
        table.add_row(c["id"], f"[{STATUS_STYLE[c['status']]}]{c['status']}[/]", detail,
                      c.get("source") or "")  # fmt: skip
    return table


def print_run_summary(console: Console, result: Result | dict[str, Any]) -> None:
    """Print the run's answer in plain words, then compact tables (fits 100 columns)."""
    doc = result.summary() if isinstance(result, Result) else result
    console.print(_header(doc), markup=False, highlight=False)
    for sentence in text.answer(doc):
        console.print(sentence, markup=False, highlight=False)
    side = [t for t in (outcomes_table(doc), window_table(doc)) if t is not None]
    grid = Table.grid(padding=(0, 4))
    for _ in side:
        grid.add_column()
    grid.add_row(*side)
    console.print(grid)
    terms = terms_table(doc)
    if terms is not None:
        console.print(terms)
    if doc.get("claims"):
        console.print(claims_table(doc["claims"]))


def print_compare_summary(console: Console, docs: list[dict[str, Any]]) -> None:
    """Variants side by side: key numbers, then each claim's status per variant."""
    first = docs[0]
    console.print(
        f"{first['scenario']} -- {len(docs)} variants compared, {first['paths']:,} paths each, "
        f"seed {first['seed']}",
        markup=False, highlight=False,
    )  # fmt: skip
    names = [variant_name(d) for d in docs]
    table = _compact("Key numbers by variant")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right", overflow="fold")
    for row_label, get in key_numbers(first):
        table.add_row(row_label, *(get(d) for d in docs))
    console.print(table)
    ids = [c["id"] for c in first.get("claims") or []]
    if ids:
        claims = _compact("Claims by variant")
        claims.add_column("claim")
        for name in names:
            claims.add_column(name, overflow="fold")
        for k, claim_id in enumerate(ids):
            cells = []
            for d in docs:
                c = (d.get("claims") or [])[k]
                style = STATUS_STYLE[c["status"]]
                cells.append(f"[{style}]{c['status']}[/]")
            claims.add_row(claim_id, *cells)
        console.print(claims)


def variant_name(doc: dict[str, Any]) -> str:
    """A run's variant, or ``baseline``."""
    return str(doc.get("variant") or "baseline")


def _share_of(kind: str, side: str) -> Any:
    def get(d: dict[str, Any]) -> str:
        return text.pct(d["outcomes"][kind][side])

    return get


def key_numbers(first: dict[str, Any]) -> list[tuple[str, Any]]:
    """Rows of the variant comparison: a label and how to read it off a summary."""

    def window_at_start(d: dict[str, Any]) -> str:
        w = d.get("window")
        return text.pct(w["p_open"][0]) if w else "n/a"

    def window_now(d: dict[str, Any]) -> str:
        w = d.get("window")
        return "n/a" if not w else ("never" if w.get("now") is None else str(w["now"]))

    def agreement(d: dict[str, Any]) -> str:
        n = d.get("negotiation")
        return text.pct(n.get("p_agreement")) if n else "n/a"

    def durability(d: dict[str, Any]) -> str:
        n = d.get("negotiation") or {}
        v = n.get("durability")
        return text.pct(v) if isinstance(v, int | float) else "n/a"

    def nash_of(issue: str) -> Any:
        def get(d: dict[str, Any]) -> str:
            w = d.get("window") or {}
            return text.value(((w.get("solutions") or {}).get("nash") or {}).get(issue))

        return get

    rows: list[tuple[str, Any]] = [
        ("window open at the start", window_at_start),
        ("window first open (step)", window_now),
        ("agreement", agreement),
        ("deals that hold", durability),
    ]
    for kind in ("decisive", "collapse"):
        for side in first["outcomes"][kind]:
            rows.append((f"{kind}: {text.label(first, side)}", _share_of(kind, side)))
    rows.append(("escalation", lambda d: text.pct(d["outcomes"]["escalation"])))
    rows.append(("still at war at the horizon", lambda d: text.pct(d["outcomes"]["ongoing"])))
    nash = ((first.get("window") or {}).get("solutions") or {}).get("nash") or {}
    for issue in list(nash)[:2]:
        rows.append((f"Nash point: {issue}", nash_of(issue)))
    return rows


def print_window_summary(console: Console, doc: dict[str, Any]) -> None:
    """Print the window: is it open, when, how wide, on what terms (fits 100 columns)."""
    now = doc["now"]
    opening = (
        f"open at step {now} on most paths still at war"
        if now is not None
        else "closed on most paths at every checkpoint"
    )
    console.print(f"[bold]{doc['scenario']}[/bold] -- settlement window: {opening}.")
    table = _compact("Window by checkpoint (shares of paths at war)")
    table.caption = (
        "closed by: optimism (a window on true valuations), no overlap, commitment (a side "
        "gaining power fights on); stalemate: mutually hurting"
    )
    table.caption_justify = "left"
    for column in ("step", "open", "at war", "slack p05", "p50", "p95", "optimism",
                   "no overlap", "commitment", "stalemate"):  # fmt: skip
        table.add_column(column, justify="right", no_wrap=True)
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
        terms = _compact(f"Terms at step {now}")
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


def print_negotiation_summary(console: Console, doc: dict[str, Any]) -> None:
    """Print the talks: how often and when they succeed, on what terms (fits 100 columns)."""
    p = doc["p_agreement"]
    steps = doc["agreement"]["step"]
    when = (
        f"; median step {steps['p50']:g} (90% between {steps['p05']:g} and {steps['p95']:g})"
        if steps["p50"] is not None
        else ""
    )
    console.print(
        f"[bold]{doc['scenario']}[/bold] -- {doc['protocol']} talks, {doc['paths']:,} paths: "
        f"a deal on {_pct(p)} of paths (s.e. {100 * doc['p_agreement_se']:.1f} pts){when}.",
    )
    table = _compact("Who must agree")
    for column in ("table", "veto players", "talks at steps"):
        table.add_column(column)
    talks = doc["talks_at"]
    shown = ", ".join(str(s) for s in talks[:8]) + (", ..." if len(talks) > 8 else "")
    table.add_row(", ".join(doc["table"]), ", ".join(doc["ratify"]) or "none", shown)
    console.print(table)
    if doc.get("pressure"):
        lever = _compact("Patron pressure")
        lever.caption = "aid cut if the client rejects a deal they back"
        lever.caption_justify = "left"
        for column in ("client", "patrons", "applied", "deal share with", "without"):
            lever.add_column(column)
        with_p = doc["with_pressure"]["p_agreement"]
        without = doc["without_pressure"]["p_agreement"]
        for entry in doc["pressure"]:
            applied = "yes" if entry["applied"] else f"no: {entry['reason']}"
            lever.add_row(entry["client"], ", ".join(entry["patrons"]), applied,
                          _pct(with_p), _pct(without))  # fmt: skip
        console.print(lever)
    terms = _compact("Terms of the deals (over paths with a deal)")
    for column in ("issue", "mean or most agreed", "p05", "p50", "p95"):
        terms.add_column(column, justify="left" if column == "issue" else "right")
    for issue, found in doc["agreement"]["terms"].items():
        if "mean" in found:
            terms.add_row(issue, *(_value(found[k]) for k in ("mean", "p05", "p50", "p95")))
        else:
            terms.add_row(issue, _agreed(found), "", "", "")
    console.print(terms)
    utility = doc["agreement"]["utility"]
    if any(v is not None for v in utility.values()):
        gains = _compact("Deal's mean utility")
        gains.caption = "stake units"
        gains.caption_justify = "left"
        for party in utility:
            gains.add_column(party, justify="right")
        gains.add_row(*(_value(v) for v in utility.values()))
        console.print(gains)
    breakdown = doc.get("breakdown")
    if breakdown is not None and doc["durability"] is not None:
        causes = [f"{party} {_pct(share)}" for party, share in breakdown["breakdown_cause"].items()
                  if share > 0]  # fmt: skip
        console.print(
            f"Fed back into the war, {_pct(doc['durability'])} of deals hold to the horizon"
            + (f"; broken by: {', '.join(causes)}" if causes else "")
            + f" (breakdown rate {breakdown['breakdown_rate']:g} a step per unit of shortfall)."
        )
    elif doc.get("feedback_note"):
        console.print(f"Deals not fed back into the war: {doc['feedback_note']}.")
