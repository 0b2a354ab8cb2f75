"""The answer of a run in plain words, from its JSON summary.

The terminal summary and the HTML report say the same sentences, built here from
``Result.summary()`` -- so a report rebuilt from saved results says exactly what the
run said. Every function takes the summary document (and nothing live).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

STATUS_ORDER = ("holds", "fails", "uncertain", "not evaluated")

CLOSED_BY = {
    "optimism": "the parties' diverging expectations of the war (mutual optimism)",
    "no_overlap": "no overlap even at the true value of war",
    "commitment": "a commitment problem",
}


def pct(x: float | None) -> str:
    """A share as a percentage for people: rare is not never (<0.1%)."""
    if x is None:
        return "n/a"
    if 0 < x < 0.0005:
        return "<0.1%"
    if 0.9995 < x < 1:
        return ">99.9%"
    return f"{100 * x:.1f}%"


def count(n: float, unit: str) -> str:
    """``3 weeks``, ``1 week``."""
    return f"{n:g} {unit}" + ("" if n == 1 else "s")


def label(doc: dict[str, Any], party: str) -> str:
    """A party's display name."""
    found: str = (doc.get("labels") or {}).get(party) or party
    return found


def join(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def when(doc: dict[str, Any], step: int) -> str:
    """``step 12 (week 12, May 2025)``: a step and, with a start date, its month."""
    unit = doc.get("time_unit") or "step"
    text = f"{unit} {step}" if unit not in ("engagement", "round") else f"step {step}"
    start = doc.get("start")
    days = {"day": 1, "week": 7, "month": 30.44, "quarter": 91.31, "year": 365.25}.get(unit)
    if start and days is not None:
        date = dt.date.fromisoformat(start) + dt.timedelta(days=round(step * days))
        text += f" ({date:%b %Y})"
    return text


def value(v: Any, digits: int = 2) -> str:
    """A term's value: numbers rounded for reading, levels as they are."""
    if v is None:
        return "n/a"
    if isinstance(v, float | int) and not isinstance(v, bool):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.{digits}f}"
    return str(v)


def window_sentences(doc: dict[str, Any]) -> list[str]:
    """Is there a window now, when does it open or close."""
    w = doc.get("window")
    if not w:
        return ["The settlement window was not computed in this run."]
    parties = join([label(doc, p) for p in w["parties"]])
    steps, p_open, p_alive = w["checkpoints"], w["p_open"], w["p_alive"]
    live_open = [o / a if a else 0.0 for o, a in zip(p_open, p_alive, strict=True)]
    now = w.get("now")
    if now is None:
        why = w.get("why_closed") or {}
        reasons = []
        for key, words in CLOSED_BY.items():
            share = (why.get(key) or [None])[0]
            if share:
                reasons.append(f"{words} on {pct(share)}")
        text = (
            "No settlement window: at no checkpoint do most paths still at war have a "
            f"settlement that {parties} all prefer to fighting on."
        )
        if reasons:
            text += f" At the start it is closed by {join(reasons)} of paths."
        return [text]
    c = steps.index(now)
    lead = "now" if now == 0 else "from " + when(doc, now)
    text = (
        f"A settlement window is open {lead}: on {pct(live_open[c])} of paths still at war "
        f"there are settlements that {parties} each prefer to fighting on."
    )
    slack = w.get("slack", {}).get("p50", [None])[c]
    if slack is not None:
        text += (
            f" Median slack: {slack:.3f} of a stake (what every one of them could give up "
            "and still prefer a deal)."
        )
    closes = next((k for k in range(c + 1, len(steps)) if live_open[k] < 0.5), None)
    if closes is None:
        text += f" It stays open on most paths through {when(doc, steps[-1])}."
    else:
        reopens = next((k for k in range(closes + 1, len(steps)) if live_open[k] >= 0.5), None)
        text += f" It closes on most paths by {when(doc, steps[closes])}"
        text += f", and reopens by {when(doc, steps[reopens])}." if reopens else "."
    return [text]


def terms_sentence(doc: dict[str, Any]) -> str | None:
    """The likely terms: the Nash point where the window first opens."""
    w = doc.get("window")
    if not w or w.get("now") is None:
        return None
    nash = (w.get("solutions") or {}).get("nash") or {}
    if not nash:
        return None
    parts = [f"{issue} {value(v)}" for issue, v in nash.items()]
    return f"Likely terms (the Nash bargaining point at {when(doc, w['now'])}): {', '.join(parts)}."


def negotiation_sentence(doc: dict[str, Any]) -> str:
    """The chance of agreement and of a deal holding."""
    n = doc.get("negotiation")
    if not n:
        return "Talks were not simulated in this run (chance of agreement: not computed)."
    p = n.get("p_agreement")
    step = ((n.get("agreement") or {}).get("step") or {}).get("p50")
    text = f"Talks ({n.get('protocol')} protocol) reach a deal on {pct(p)} of paths"
    if step is not None and p:
        text += f", half of them by {when(doc, int(step))}"
    with_p = (n.get("with_pressure") or {}).get("p_agreement")
    without = (n.get("without_pressure") or {}).get("p_agreement")
    if with_p is not None and without is not None:
        text += f" ({pct(without)} without patron pressure)"
    durability = n.get("durability")
    if isinstance(durability, int | float):
        text += f"; {pct(durability)} of deals hold to the horizon."
    else:
        note = n.get("feedback_note")
        text += "; whether a deal holds is not computed" + (f" ({note})." if note else ".")
    return text


def outcome_sentence(doc: dict[str, Any]) -> str:
    """How the war ends by the horizon."""
    shares = doc["outcomes"]
    unit = doc.get("time_unit") or "step"
    horizon = count(doc["horizon"], unit)
    wins = [f"{label(doc, side)} on {pct(v)}" for side, v in shares["decisive"].items()]
    text = (
        f"After {horizon} the war is still going on {pct(shares['ongoing'])} of paths. "
        f"Decisive victory: {', '.join(wins)}."
    )
    collapses = [f"{label(doc, s)} {pct(v)}" for s, v in shares["collapse"].items() if v > 0]
    if collapses:
        text += f" Collapse: {', '.join(collapses)}."
    if shares["escalation"] > 0:
        text += f" Catastrophic escalation: {pct(shares['escalation'])}."
    talks = doc.get("outcomes_with_talks")
    if talks:
        ends = [f"{label(doc, side)} wins {pct(v)}" for side, v in talks["decisive"].items()]
        text += (
            f" With the deals fed back into the war: settled {pct(talks['settled'])}, "
            f"{', '.join(ends)}, still at war {pct(talks['ongoing'])}."
        )
    duration = doc.get("duration") or {}
    if shares["ongoing"] < 1 and duration:
        text += (
            f" Median duration {count(duration['p50'], unit)} "
            f"(90% of paths: {duration['p05']:g} to {duration['p95']:g})."
        )
    return text


def claims_sentence(doc: dict[str, Any]) -> str | None:
    """Which claims hold."""
    claims = doc.get("claims")
    if not claims:
        return None
    groups: dict[str, list[str]] = {}
    for c in claims:
        groups.setdefault(c["status"], []).append(c["id"])
    parts = [f"{len(groups[s])} {s} ({', '.join(groups[s])})" for s in STATUS_ORDER if s in groups]
    return f"Claims: {'; '.join(parts)}."


def answer(doc: dict[str, Any]) -> list[str]:
    """The answer of a run, sentence group by group, in plain words."""
    found = window_sentences(doc)
    found += [s for s in (terms_sentence(doc), negotiation_sentence(doc)) if s]
    found.append(outcome_sentence(doc))
    claims = claims_sentence(doc)
    if claims:
        found.append(claims)
    return found


def claim_value(claim: dict[str, Any]) -> str:
    """The estimate behind a claim, e.g. ``0.045 ± 0.001 < 0.05``."""
    parts = []
    for comp in claim.get("comparisons", []):
        left, right = comp["left"], comp["right"]
        if "value" not in left or "value" not in right:
            parts.append(f"{comp['expression']}: not evaluated")
            continue
        op = comp["expression"].split()
        symbol = next((t for t in op if t in ("<", "<=", ">", ">=", "==", "!=")), "vs")
        share = "binomial" in (left.get("method"), right.get("method"))
        parts.append(f"{_est(left, share)} {symbol} {_est(right, share)}")
    return "; ".join(parts)


def _est(side: dict[str, Any], share: bool) -> str:
    """A side of a comparison: shares in percent, other numbers to 3 significant digits."""
    v, se = side["value"], side.get("se") or 0.0
    if share:
        text = f"{100 * v:.2g}%" if 0 < abs(v) < 0.01 else f"{100 * v:.1f}%"
        return text if se == 0 else f"{text} ± {100 * se:.1g}%"
    return f"{v:.3g}" if se == 0 else f"{v:.3g} ± {se:.2g}"
