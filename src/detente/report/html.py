"""The HTML report of a run: one self-contained page, its figures, and the results as Parquet.

``write_report(results, DIR)`` writes::

    DIR/report.html            the report: figures embedded (SVG), no network needed
    DIR/figures/NAME.svg|.png  each figure, for papers and slides
    DIR/runs/LABEL/            per run (the scenario, or each variant with --compare):
        paths.parquet, bands.parquet, outcomes_over_time.parquet, window.parquet,
        outside_options.parquet, negotiation.parquet   (``Result.tables()``)
        ledger.parquet         the assumption ledger
        meta.json              the run's JSON summary (as ``detente run --json``)
        scenario.json          what the report needs of the scenario (issues, parties)
    DIR/manifest.json          the runs, in order, and the package version

Everything is written into a temporary sibling folder and renamed into place at the
end, so an interrupted run (Ctrl-C) leaves no half-written report: either the old
folder or the new one. ``rebuild_report(DIR)`` redraws the page and figures from the
saved files alone, without simulating.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from detente import __version__
from detente.report import text
from detente.report.figures import Drawn, RunData, draw
from detente.report.ledger import ledger
from detente.results import Result
from detente.scenario import Scenario, values
from detente.scenario.model import ContinuousIssue

MANIFEST = "manifest.json"
REPORT = "report.html"
REPORT_SCHEMA_VERSION = 1
"""Version of the report folder's layout (``manifest.json``'s ``schema_version``)."""


class ReportError(ValueError):
    """A report folder that cannot be written or read back (exit code 2 in the CLI)."""


def check_target(folder: Path) -> str | None:
    """Why a folder cannot take a report, or ``None``.

    A report never overwrites a user's files: the folder must not exist, be empty, or
    hold an earlier report (which is then replaced whole).
    """
    if folder.exists() and not folder.is_dir():
        return "exists and is not a folder"
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        return "is not empty and holds no earlier report; choose a new folder"
    return None


def scenario_info(scenario: Scenario) -> dict[str, Any]:
    """What the report shows of a scenario: title, description, parties, issues."""
    issues: dict[str, Any] = {}
    for name, issue in scenario.issues.items():
        if isinstance(issue, ContinuousIssue):
            sq = None if issue.status_quo is None else values.mean(issue.status_quo)
            issues[name] = {
                "kind": "continuous",
                "range": list(issue.range),
                "unit": issue.unit,
                "status_quo_value": sq,
            }
        else:
            issues[name] = {
                "kind": issue.kind,
                "levels": list(issue.levels),
                "status_quo_value": issue.status_quo,
            }
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "references": list(scenario.references),
        "parties": {
            n: {"role": p.role, "label": p.label or n} for n, p in scenario.parties.items()
        },
        "issues": issues,
        "variant": scenario.variant,
        "variant_description": (
            scenario.variants[scenario.variant].description
            if scenario.variant in scenario.variants
            else None
        ),
        "variant_source": (
            scenario.variants[scenario.variant].source
            if scenario.variant in scenario.variants
            else None
        ),
    }


def run_label(result: Result) -> str:
    """The folder name of a run: its variant, or ``baseline``."""
    return str(result.meta.get("variant") or "baseline")


def from_result(result: Result) -> RunData:
    """A run as the report reads it, from a live result."""
    scenario = result.war.scenario
    return RunData(
        run_label(result),
        result.summary(),
        result.tables(),
        ledger(scenario),
        scenario_info(scenario),
    )


def _save_run(run: RunData, result: Result, folder: Path) -> None:
    result.to_parquet(folder)
    run.ledger.to_parquet(folder / "ledger.parquet", index=False)
    (folder / "scenario.json").write_text(json.dumps(run.scenario, indent=2), encoding="utf-8")


def load_run(folder: Path) -> RunData:
    """A run saved by :func:`write_report`, read back."""
    try:
        summary = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        scenario = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
        tables = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    except (OSError, ValueError) as error:
        raise ReportError(f"cannot read the saved run in {folder}: {error}") from None
    ledger_table = tables.pop("ledger", pd.DataFrame())
    return RunData(folder.name, summary, tables, ledger_table, scenario)


def write_report(results: Sequence[Result], folder: str | Path) -> Path:
    """Write the report, figures and results of one run or several (variants) to a folder.

    Returns
    -------
    Path
        The report's HTML file.

    Raises
    ------
    ReportError
        If the folder exists with files that are not an earlier report.
    """
    target = Path(folder)
    problem = check_target(target)
    if problem:
        raise ReportError(f"{target} {problem}")
    runs = [from_result(r) for r in results]
    labels = [r.label for r in runs]
    if len(set(labels)) != len(labels):
        raise ReportError(f"runs need distinct variants, got {labels}")

    def fill(tmp: Path) -> None:
        for run, result in zip(runs, results, strict=True):
            sub = tmp / "runs" / run.label
            sub.mkdir(parents=True)
            _save_run(run, result, sub)
        _write_manifest(tmp, runs)
        _render(tmp, runs)

    _atomically(target, fill)
    return target / REPORT


def rebuild_report(folder: str | Path) -> Path:
    """Redraw the report and figures from a report folder's saved results (no simulation).

    Raises
    ------
    ReportError
        If the folder holds no report written by ``detente run --out``.
    """
    source = Path(folder)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        labels = list(manifest["runs"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ReportError(
            f"no report results here (no readable {MANIFEST}); write them with "
            "`detente run --out DIR`"
        ) from None
    runs = [load_run(source / "runs" / label) for label in labels]

    def fill(tmp: Path) -> None:
        shutil.copytree(source / "runs", tmp / "runs")
        _write_manifest(tmp, runs, created=manifest.get("created"))
        _render(tmp, runs)

    _atomically(source, fill)
    return source / REPORT


def _atomically(target: Path, fill: Any) -> None:
    """Fill a temporary sibling folder, then swap it in; on any failure remove it."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        fill(tmp)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
    except BaseException:  # Ctrl-C included: leave no half-written report behind
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not target.exists():
            os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_manifest(folder: Path, runs: list[RunData], created: str | None = None) -> None:
    first = runs[0].summary
    manifest = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "detente_version": __version__,
        "created": created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": first.get("scenario"),
        "seed": first.get("seed"),
        "paths": first.get("paths"),
        "runs": [r.label for r in runs],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _render(folder: Path, runs: list[RunData]) -> None:
    figures = draw(runs)
    out = folder / "figures"
    out.mkdir(exist_ok=True)
    for fig in figures:
        (out / f"{fig.name}.svg").write_text(fig.svg, encoding="utf-8")
        (out / f"{fig.name}.png").write_bytes(fig.png)
    html = render_html(runs, figures)
    (folder / REPORT).write_text(html, encoding="utf-8")


def _template() -> Any:
    import jinja2

    source = files("detente.report").joinpath("templates/report.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = text.pct
    env.filters["value"] = text.value
    return env.from_string(source)


def render_html(runs: list[RunData], figures: list[Drawn]) -> str:
    """The report page: the answer in words, figures, tables, claims, ledger, metadata."""
    from detente.report.terminal import key_numbers, variant_name

    first = runs[0]
    comparison = None
    if len(runs) > 1:
        comparison = {
            "names": [variant_name(r.summary) for r in runs],
            "rows": [
                (label, [get(r.summary) for r in runs]) for label, get in key_numbers(first.summary)
            ],
        }
    by_run = []
    for run in runs:
        suffix = f"-{run.label}" if len(runs) > 1 else ""
        own = (
            [f for f in figures if f.name.endswith(suffix) and f.name != "compare"]
            if suffix
            else [f for f in figures if f.name != "compare"]
        )
        by_run.append(
            {
                "label": run.label,
                "summary": run.summary,
                "scenario": run.scenario,
                "answer": text.answer(run.summary),
                "figures": [_embed(f) for f in own],
                "outcomes": _outcome_rows(run),
                "terms": _terms_rows(run),
                "claims": [_claim_row(c) for c in run.summary.get("claims") or []],
                "ledger": run.ledger.fillna("").to_dict("records"),
                "meta": _meta_rows(run),
            }
        )
    compare_figure = next((_embed(f) for f in figures if f.name == "compare"), None)
    rendered: str = _template().render(
        title=first.scenario.get("title") or first.summary.get("scenario"),
        scenario=first.scenario,
        first=first.summary,
        runs=by_run,
        comparison=comparison,
        compare_figure=compare_figure,
        version=__version__,
    )
    return rendered


def _embed(fig: Drawn) -> dict[str, str]:
    data = base64.b64encode(fig.svg.encode("utf-8")).decode("ascii")
    return {
        "name": fig.name,
        "title": fig.title,
        "caption": fig.caption,
        "src": f"data:image/svg+xml;base64,{data}",
    }


def _outcome_rows(run: RunData) -> list[tuple[str, str, str]]:
    shares = run.summary["outcomes"]
    rows = [("decisive victory", run.party(p), text.pct(v)) for p, v in shares["decisive"].items()]
    rows += [("collapse", run.party(p), text.pct(v)) for p, v in shares["collapse"].items()]
    rows += [
        ("catastrophic escalation", "", text.pct(shares["escalation"])),
        ("still at war", "", text.pct(shares["ongoing"])),
    ]
    return rows


def _terms_rows(run: RunData) -> list[dict[str, str]]:
    w = run.summary.get("window") or {}
    if w.get("now") is None:
        return []
    agreed = ((run.summary.get("negotiation") or {}).get("agreement") or {}).get("terms") or {}
    issues = run.scenario.get("issues") or {}
    rows = []
    for issue, bounds in (w.get("zopa") or {}).get("bounds", {}).items():
        solutions = w.get("solutions") or {}
        rows.append(
            {
                "issue": issue,
                "unit": (issues.get(issue) or {}).get("unit") or "",
                "status_quo": text.value((issues.get(issue) or {}).get("status_quo_value")),
                "window": " to ".join(text.value(b) for b in bounds),
                **{
                    k: text.value((solutions.get(k) or {}).get(issue))
                    for k in ("nash", "kalai_smorodinsky", "egalitarian")
                },
                "agreed": _agreed_text(agreed.get(issue)),
            }
        )
    return rows


def _agreed_text(found: Any) -> str:
    if not isinstance(found, dict) or not found:
        return "n/a"
    if "mean" in found:
        if found.get("mean") is None:
            return "no deal"
        return (
            f"{text.value(found['mean'])} (90%: {text.value(found.get('p05'))} to "
            f"{text.value(found.get('p95'))})"
        )
    shares = {k: v for k, v in found.items() if isinstance(v, int | float) and v > 0}
    ordered = sorted(shares.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {text.pct(v)}" for k, v in ordered[:3]) or "no deal"


def _claim_row(c: dict[str, Any]) -> dict[str, Any]:
    estimate = text.claim_value(c) if c["status"] != "not evaluated" else ""
    methods = sorted(
        {
            side.get("method")
            for comp in c.get("comparisons", [])
            for side in (comp["left"], comp["right"])
            if side.get("method")
        }
        - {"exact"}
    )
    return {
        **c,
        "estimate": estimate,
        "methods": ", ".join(methods),
        "css": c["status"].replace(" ", "-"),
    }


def _meta_rows(run: RunData) -> list[tuple[str, str]]:
    s = run.summary
    rows = [
        ("scenario", f"{s.get('scenario')} ({s.get('source')})"),
        ("variant", s.get("variant") or "none (baseline)"),
        ("scenario digest (SHA-256)", s.get("digest") or ""),
        ("engine", s.get("engine") or ""),
        ("seed", str(s.get("seed"))),
        ("paths", f"{s.get('paths'):,}"),
        ("paths of the window and talks", f"{s.get('analysis_paths') or 0:,}"),
        ("horizon", text.count(s.get("horizon") or 0, s.get("time_unit") or "step")),
        ("start", s.get("start") or "not given"),
        ("detente version", s.get("detente_version") or ""),
    ]
    return rows
