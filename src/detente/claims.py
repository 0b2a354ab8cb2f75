"""Claims: an argument's statements tested against a run, with their Monte Carlo error.

A scenario's claim is a predicate over named metrics (``detente.scenario.predicate``),
e.g. ``p_decisive(ukraine, by=104) < 0.05 and p_decisive(russia, by=104) < 0.05``.
Each claim is evaluated on a :class:`~detente.results.Result` to one of:

``holds`` / ``fails``
    The predicate is true / false, and every comparison that decides it is clear of its
    Monte Carlo error (its margin is more than 2 standard errors from zero).
``uncertain``
    A deciding comparison is within 2 s.e. of flipping: more paths are needed (or the
    model cannot tell). ``leans`` gives the verdict of the point estimates.
``not evaluated``
    A metric it needs is not computed by this run (e.g. deal durability before the
    war-and-talks coupling), or does not apply (a step past the horizon, a party that is
    not at the table); ``why`` says which.

``and``/``or``/``not`` follow Kleene's three-valued logic (Kleene 1952): a clear failure
of one side of an ``and`` decides it even when the other side is uncertain or not
evaluated.

Standard errors. Every metric is a statistic of one value per path (an indicator for
shares, a valuation, a settlement term, a duration): its share, mean or quantile over the
paths where it is defined. A share ``p`` over ``n`` paths reports the binomial s.e.
``sqrt(p (1 - p) / n)``. Everything else -- means, quantiles, and any arithmetic of
metrics such as ``terms(territory, step=52) - terms(territory, step=0)`` -- reports the
standard deviation over :data:`BOOTSTRAP` resamples of the paths (Efron & Tibshirani
1993), resampled *jointly* for all metrics of a claim, so that differences of metrics
computed on the same paths get their (smaller) error right. A metric read from a summary
without per-path values is resampled as a normal with its reported s.e. (parametric
bootstrap).

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
Hall. Kleene, S. C. (1952). *Introduction to Metamathematics*. North-Holland (strong
three-valued logic, §64).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from detente.engines import COLLAPSE, DECISIVE, ESCALATION, ONGOING
from detente.results import Result
from detente.scenario.model import Claim, DiscreteIssue
from detente.scenario.predicate import Binary, Call, Name, Node, Number, Unary, parse

BOOTSTRAP = 200
"""Resamples of the paths behind each non-share standard error (the s.e. of an s.e.
estimated from B resamples is about 1/sqrt(2B) = 5 % of it)."""

MARGIN_SES = 2.0
"""A comparison whose margin is within this many standard errors of zero is uncertain."""

_BOOT_KEY = 0xC1A1
"""Spawn key of the bootstrap's random stream (fixed, so a claim's s.e. is reproducible)."""

Status = Literal["holds", "fails", "uncertain", "not evaluated"]


class NotEvaluatedError(Exception):
    """A metric that this run does not compute, or that does not apply."""


@dataclass
class Estimate:
    """A number computed from the run, with its bootstrap replicates and s.e."""

    value: float
    replicates: NDArray[np.float64]
    se: float
    method: str  # "binomial", "bootstrap", "normal", "exact"
    paths: int | None = None  # paths the statistic is over

    @property
    def constant(self) -> bool:
        """A literal number (no Monte Carlo error)."""
        return self.method == "exact"


@dataclass
class _PerPath:
    """One value per path (NaN where the metric is not defined) and a statistic of them."""

    values: NDArray[np.float64]
    stat: Literal["share", "mean", "quantile"]
    q: float = 0.5
    empty: str = "no paths to compute it on"


@dataclass
class _Context:
    """What the metrics read: the result and its lazily built helpers."""

    result: Result
    rng: np.random.Generator
    notes: list[str] = field(default_factory=list)
    _index: NDArray[np.int64] | None = None

    @property
    def n(self) -> int:
        return self.result.war.paths

    def index(self) -> NDArray[np.int64]:
        """Resampled path indices (BOOTSTRAP, n), shared by every metric of the run."""
        if self._index is None:
            self._index = self.rng.integers(0, self.n, size=(BOOTSTRAP, self.n))
        return self._index


# --- the metrics ---------------------------------------------------------------------------


def _arg(call: Call, i: int, key: str | None = None) -> Any:
    """Positional argument ``i`` (or keyword ``key``) of a call, as a str or float; else None."""
    if key is not None:
        for k, v in call.kwargs:
            if k == key:
                return v.value
    if 0 <= i < len(call.args):
        return call.args[i].value
    return None


def _window(ctx: _Context) -> Any:
    w = ctx.result.window
    if w is None:
        raise NotEvaluatedError("the settlement window was not analysed in this run")
    return w


def _checkpoint(ctx: _Context, step: float | None) -> int:
    """Index of the checkpoint at ``step`` (or the last one before it, within a period)."""
    w = _window(ctx)
    steps = w.checkpoints
    t = 0 if step is None else int(step)
    before = np.flatnonzero(steps <= t)
    every = int(steps[1] - steps[0]) if steps.size > 1 else 1
    if before.size == 0 or t - int(steps[before[-1]]) >= every:
        raise NotEvaluatedError(
            f"step {t} is past the last checkpoint ({int(steps[-1])}) of the "
            f"{int(w.record.plan.horizon)}-step horizon"
        )
    c = int(before[-1])
    if int(steps[c]) != t:
        ctx.notes.append(f"step {t} read at the checkpoint before it, step {int(steps[c])}")
    return c


def _by(ctx: _Context, by: float | None) -> int:
    horizon = int(ctx.result.war.plan.horizon)
    if by is None:
        return horizon
    if by > horizon:
        raise NotEvaluatedError(f"by={int(by)} is past the horizon of {horizon} steps")
    return int(by)


def _pad(ctx: _Context, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Values of the analysed paths (the first ones), NaN for the rest of the run."""
    out = np.full(ctx.n, np.nan)
    out[: x.shape[0]] = x
    return out


def _side(ctx: _Context, party: str) -> int:
    sides = ctx.result.war.sides
    if party not in sides:
        raise NotEvaluatedError(f"{party!r} is not a side of the war (sides: {', '.join(sides)})")
    return sides.index(party)


def _ended(ctx: _Context, event: int, by: int, winner: int | None = None) -> _PerPath:
    war = ctx.result.war
    mask = (war.event == event) & (war.end_step <= by)
    if winner is not None:
        mask &= war.winner == winner
    return _PerPath(mask.astype(float), "share")


def _p_decisive(ctx: _Context, call: Call) -> _PerPath:
    k = _side(ctx, str(_arg(call, 0)))
    return _ended(ctx, DECISIVE, _by(ctx, _arg(call, -1, "by")), winner=k)


def _p_collapse(ctx: _Context, call: Call) -> _PerPath:
    k = _side(ctx, str(_arg(call, 0)))  # a side's collapse records the other as winner
    return _ended(ctx, COLLAPSE, _by(ctx, _arg(call, -1, "by")), winner=1 - k)


def _p_escalation(ctx: _Context, call: Call) -> _PerPath:
    return _ended(ctx, ESCALATION, _by(ctx, _arg(call, -1, "by")))


def _p_ongoing(ctx: _Context, call: Call) -> _PerPath:
    war = ctx.result.war
    by = _by(ctx, _arg(call, -1, "by"))
    ended = (war.event != ONGOING) & (war.end_step <= by)
    return _PerPath((~ended).astype(float), "share")


def _duration(ctx: _Context, call: Call) -> _PerPath:
    q = _arg(call, -1, "q")
    return _PerPath(ctx.result.war.end_step.astype(float), "quantile", 0.5 if q is None else q)


def _final(ctx: _Context, call: Call) -> _PerPath:
    war = ctx.result.war
    name, party = _arg(call, 0), _arg(call, 1)
    label = name if party is None else f"{name}.{party}"
    labels = [v.label for v in war.variables]
    if label not in labels:
        raise NotEvaluatedError(
            f"the {war.engine} engine records no state variable {label!r} "
            f"(it has: {', '.join(labels)})"
        )
    return _PerPath(war.final[:, labels.index(label)].astype(float), "mean")


def _p_window_open(ctx: _Context, call: Call) -> _PerPath:
    w = _window(ctx)
    c = _checkpoint(ctx, _arg(call, -1, "step"))
    return _PerPath(_pad(ctx, w.open[:, c].astype(float)), "share")


def _live(ctx: _Context, c: int) -> NDArray[np.bool_]:
    return np.asarray(_window(ctx).record.alive[:, c] == 1)


def _slack(ctx: _Context, call: Call) -> _PerPath:
    w = _window(ctx)
    c = _checkpoint(ctx, _arg(call, -1, "step"))
    q = _arg(call, -1, "q")
    x = np.where(_live(ctx, c), w.slack[:, c], np.nan)
    return _PerPath(_pad(ctx, x), "quantile", 0.5 if q is None else q, "no path is at war then")


def _outside_option(ctx: _Context, call: Call) -> _PerPath:
    w = _window(ctx)
    party = str(_arg(call, 0))
    if party not in w.parties:
        raise NotEvaluatedError(
            f"{party!r} is neither at the table nor a veto player, so its outside option "
            f"is not valued (valued: {', '.join(w.parties)})"
        )
    c = _checkpoint(ctx, _arg(call, -1, "step"))
    x = np.where(_live(ctx, c), w.outside[:, c, w.parties.index(party)], np.nan)
    return _PerPath(_pad(ctx, x), "mean", empty="no path is at war then")


def _share_of_live(ctx: _Context, attr: str, what: str, call: Call) -> _PerPath:
    w = _window(ctx)
    mask = getattr(w, attr, None)
    if mask is None:
        raise NotEvaluatedError(f"{what} is not computed for this scenario (it needs both sides "
                           "among the parties who must agree)")  # fmt: skip
    c = _checkpoint(ctx, _arg(call, -1, "step"))
    x = mask[:, c].astype(float)
    if attr == "blocked":  # blocked where a settlement would otherwise exist
        x = x * (np.nan_to_num(w.slack[:, c], nan=-1.0) >= 0)
    return _PerPath(_pad(ctx, np.where(_live(ctx, c), x, np.nan)), "share",
                    empty="no path is at war then")  # fmt: skip


def _p_hurting_stalemate(ctx: _Context, call: Call) -> _PerPath:
    return _share_of_live(ctx, "stalemate", "the hurting stalemate", call)


def _p_commitment_problem(ctx: _Context, call: Call) -> _PerPath:
    return _share_of_live(ctx, "blocked", "the commitment-problem check", call)


_PARETO_CACHE: dict[tuple[Any, ...], tuple[Any, NDArray[np.int64], NDArray[np.float64]]] = {}
"""Pareto-filtered packages by settlement space (variants mostly share their issues)."""


def _solution_table(ctx: _Context) -> tuple[Any, NDArray[np.int64], NDArray[np.float64]]:
    """The window's packages on the solution grid, Pareto-filtered, as the window's summary.

    Filtering first also makes the per-path solutions cheap (a few hundred packages to
    compare instead of thousands); the filter is computed once per settlement space.
    """
    from detente.bargaining.solutions import packages, pareto_mask
    from detente.bargaining.window import solution_space

    w = _window(ctx)
    space = solution_space(w.scenario, w.parties)
    key = (space.parties, space.issues, space.outcomes, *(p.tobytes() for p in space.points))
    if key not in _PARETO_CACHE:
        choices, utilities = packages(space)
        keep = pareto_mask(utilities)
        if len(_PARETO_CACHE) >= 8:
            _PARETO_CACHE.clear()
        _PARETO_CACHE[key] = (space, choices[keep], utilities[keep])
    return _PARETO_CACHE[key]


def _terms(ctx: _Context, call: Call) -> _PerPath:
    from detente.bargaining.solutions import egalitarian, kalai_smorodinsky, nash

    w = _window(ctx)
    issue = str(_arg(call, 0))
    solution = str(_arg(call, -1, "solution") or "nash")
    c = _checkpoint(ctx, _arg(call, -1, "step"))
    # As the window's own summary: the solution on each path whose window is open there.
    rows = _live(ctx, c) & (np.nan_to_num(w.slack[:, c], nan=-1.0) >= 0)
    x = np.full(rows.shape[0], np.nan)
    if rows.any():
        space, choices, utilities = _solution_table(ctx)
        solve: Callable[..., NDArray[np.int64]] = {
            "nash": nash, "kalai_smorodinsky": kalai_smorodinsky, "egalitarian": egalitarian,
        }[solution]  # fmt: skip
        picked = solve(utilities, w.outside[rows, c])
        k = space.issues.index(issue)
        levels = space.outcomes[k]
        numeric = all(isinstance(v, int | float) for v in levels)
        chosen = choices[np.maximum(picked, 0), k]
        value = np.array([levels[i] for i in chosen], float) if numeric else chosen.astype(float)
        x[rows] = np.where(picked >= 0, value, np.nan)
        if not numeric:
            ctx.notes.append(f"{issue}: a level's index ({', '.join(map(str, levels))})")
    return _PerPath(_pad(ctx, x), "mean", empty="the window is open on no path then")


# --- negotiation metrics: looked up on whatever the negotiation layer provides --------------


def _negotiation(ctx: _Context) -> tuple[Any, dict[str, Any]]:
    neg = ctx.result.negotiation
    doc = ctx.result.negotiation_summary()
    if neg is None or doc is None:
        raise NotEvaluatedError("the negotiation was not computed in this run")
    return neg, doc


def _per_path(neg: Any, name: str, n: int) -> NDArray[Any] | None:
    x = getattr(neg, name, None)
    return x if isinstance(x, np.ndarray) and x.ndim >= 1 and x.shape[0] == n else None


def _p_agreement(ctx: _Context, call: Call) -> _PerPath | Estimate:
    neg, doc = _negotiation(ctx)
    n = int(ctx.result.meta.get("analysis_paths") or 0)
    agreed = _per_path(neg, "agreed", n)
    by = _arg(call, -1, "by")
    if agreed is not None:
        x = agreed.astype(bool)
        step = _per_path(neg, "step", n)
        if by is not None:
            if step is None:
                raise NotEvaluatedError("the negotiation keeps no per-path agreement step")
            x = x & (step <= _by(ctx, by))
        return _PerPath(_pad(ctx, x.astype(float)), "share")
    if by is not None:
        raise NotEvaluatedError("the negotiation keeps no per-path agreement step")
    return _share_estimate(ctx, doc.get("p_agreement"), n, "the agreement share")


def _durability(ctx: _Context, call: Call) -> _PerPath | Estimate:
    neg, doc = _negotiation(ctx)
    value = doc.get("durability")
    if not isinstance(value, dict | int | float):
        note = doc.get("feedback_note")
        raise NotEvaluatedError(
            f"deal durability is not computed: {note}"
            if note
            else "deal durability is not computed"
        )
    if isinstance(value, dict):
        value = value.get("share", value.get("mean"))
    n = int(ctx.result.meta.get("analysis_paths") or 0)
    agreed = _per_path(neg, "agreed", n)
    count = int(agreed.sum()) if agreed is not None else None
    return _share_estimate(ctx, value, count, "deal durability")


def _agreed(ctx: _Context, call: Call) -> _PerPath:
    neg, _ = _negotiation(ctx)
    issue = str(_arg(call, 0))
    spec = ctx.result.war.scenario.issues[issue]
    if isinstance(spec, DiscreteIssue):
        ctx.notes.append(f"{issue}: a level's index ({', '.join(spec.levels)})")
    n = int(ctx.result.meta.get("analysis_paths") or 0)
    agreed, terms = _per_path(neg, "agreed", n), _per_path(neg, "terms", n)
    issues = list(getattr(neg, "issues", ()))
    if agreed is None or terms is None or terms.ndim != 2 or issue not in issues:
        raise NotEvaluatedError(f"the negotiation keeps no per-path terms on {issue!r}")
    # per path: the agreed outcome (a discrete issue's level index), NaN without a deal
    x = np.where(agreed.astype(bool), terms[:, issues.index(issue)], np.nan)
    return _PerPath(_pad(ctx, x.astype(float)), "mean", empty="no path reached a deal")


def _share_estimate(ctx: _Context, value: Any, n: int | None, what: str) -> Estimate:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise NotEvaluatedError(f"{what} is not computed")
    p = float(value)
    se = math.sqrt(p * (1 - p) / n) if n else 0.0
    if not n:
        ctx.notes.append(f"{what}: no path count reported, s.e. taken as 0")
    return Estimate(p, p + se * ctx.rng.standard_normal(BOOTSTRAP), se, "binomial", n)


_METRICS: dict[str, Callable[[_Context, Call], _PerPath | Estimate]] = {
    "p_window_open": _p_window_open,
    "slack": _slack,
    "p_decisive": _p_decisive,
    "p_collapse": _p_collapse,
    "p_escalation": _p_escalation,
    "p_ongoing": _p_ongoing,
    "p_agreement": _p_agreement,
    "agreed": _agreed,
    "durability": _durability,
    "outside_option": _outside_option,
    "terms": _terms,
    "p_hurting_stalemate": _p_hurting_stalemate,
    "p_commitment_problem": _p_commitment_problem,
    "duration": _duration,
    "final": _final,
}


def _statistic(x: NDArray[np.float64], per: _PerPath, axis: int = -1) -> Any:
    # All-NaN resamples give NaN (and a warning numpy cannot be told to skip): handled below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if per.stat == "quantile":
            return np.nanquantile(x, per.q, axis=axis)
        return np.nanmean(x, axis=axis)


def _estimate(ctx: _Context, per: _PerPath) -> Estimate:
    defined = np.isfinite(per.values)
    m = int(defined.sum())
    if m == 0:
        raise NotEvaluatedError(per.empty)
    value = float(_statistic(per.values[defined], per))
    reps = np.empty(BOOTSTRAP)
    index = ctx.index()
    for lo in range(0, BOOTSTRAP, 25):  # in slices: (25, paths) at a time
        reps[lo : lo + 25] = _statistic(per.values[index[lo : lo + 25]], per, axis=1)
    reps = np.where(np.isfinite(reps), reps, value)
    if per.stat == "share":  # binomial s.e. of a share over the m paths it is defined on
        return Estimate(value, reps, math.sqrt(value * (1 - value) / m), "binomial", m)
    return Estimate(value, reps, float(np.std(reps, ddof=1)), "bootstrap", m)


# --- evaluating expressions -----------------------------------------------------------------


_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "==": 4,
               "!=": 4, "+": 5, "-": 5, "*": 6, "/": 6}  # fmt: skip


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return 3 if node.op == "not" else 7
    return 8


def render(node: Node) -> str:
    """The expression of a syntax tree, as text (normalised spacing, needed brackets only)."""
    if isinstance(node, Number):
        return f"{node.value:g}"
    if isinstance(node, Call):

        def arg(a: Number | Name) -> str:
            return f"{a.value:g}" if isinstance(a, Number) else a.value

        parts = [arg(a) for a in node.args] + [f"{k}={arg(v)}" for k, v in node.kwargs]
        return f"{node.metric}({', '.join(parts)})"
    if isinstance(node, Unary):
        inner = render(node.operand)
        if _precedence(node.operand) < _precedence(node):
            inner = f"({inner})"
        return f"not {inner}" if node.op == "not" else f"-{inner}"
    here = _precedence(node)
    left, right = render(node.left), render(node.right)
    if _precedence(node.left) < here:
        left = f"({left})"
    # left-associative: a - (b - c) keeps its brackets; so does a < (b < c)
    if _precedence(node.right) < here or (
        _precedence(node.right) == here and node.op in ("-", "/", "<", "<=", ">", ">=", "==", "!=")
    ):
        right = f"({right})"
    return f"{left} {node.op} {right}"


def _number(ctx: _Context, node: Node) -> Estimate:
    """Evaluate an arithmetic node (raises NotEvaluatedError)."""
    if isinstance(node, Number):
        return Estimate(node.value, np.full(BOOTSTRAP, node.value), 0.0, "exact")
    if isinstance(node, Call):
        found = _METRICS[node.metric](ctx, node)
        return found if isinstance(found, Estimate) else _estimate(ctx, found)
    if isinstance(node, Unary):
        inner = _number(ctx, node.operand)
        return Estimate(-inner.value, -inner.replicates, inner.se, inner.method, inner.paths)
    a, b = _number(ctx, node.left), _number(ctx, node.right)
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
    }  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(ops[node.op](a.value, b.value))
        reps = np.asarray(ops[node.op](a.replicates, b.replicates), dtype=float)
    if not math.isfinite(value):
        raise NotEvaluatedError(f"{render(node)} is not a finite number")
    if a.constant and b.constant:
        return Estimate(value, reps, 0.0, "exact")
    reps = np.where(np.isfinite(reps), reps, value)
    return Estimate(value, reps, float(np.std(reps, ddof=1)), "bootstrap")


_HOLDS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}  # fmt: skip


def _side_doc(node: Node, e: Estimate | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"expression": render(node)}
    if e is not None:
        doc.update(value=e.value, se=e.se, method=e.method)
        if e.paths is not None:
            doc["paths"] = e.paths
    return doc


@dataclass
class _Truth:
    """A truth value in three-valued logic, with the point estimate's verdict."""

    status: Status
    leans: bool | None  # the verdict of the point estimates (None: not evaluated)
    why: list[str] = field(default_factory=list)


def _compare(ctx: _Context, node: Binary, found: list[dict[str, Any]]) -> _Truth:
    try:
        left = _number(ctx, node.left)
    except NotEvaluatedError as error:
        left, why = None, str(error)
    right = None
    if left is not None:
        try:
            right = _number(ctx, node.right)
        except NotEvaluatedError as error:
            why = str(error)
    doc: dict[str, Any] = {
        "expression": render(node),
        "left": _side_doc(node.left, left),
        "right": _side_doc(node.right, right),
    }
    found.append(doc)
    if left is None or right is None:
        doc.update(status="not evaluated", why=why)
        return _Truth("not evaluated", None, [why])
    holds = _HOLDS[node.op](left.value, right.value)
    # Margin: how far the comparison is from flipping, in the left side's units.
    margin = abs(left.value - right.value)
    if left.constant or right.constant:
        se = right.se if left.constant else left.se
    else:
        se = float(np.std(left.replicates - right.replicates, ddof=1))
    uncertain = se > 0 and margin <= MARGIN_SES * se
    status: Status = "uncertain" if uncertain else ("holds" if holds else "fails")
    doc.update(status=status, holds=holds, margin=margin, margin_se=se)
    return _Truth(status, holds)


def _truth(ctx: _Context, node: Node, found: list[dict[str, Any]]) -> _Truth:
    if isinstance(node, Unary):  # "not"
        inner = _truth(ctx, node.operand, found)
        flip: dict[Status, Status] = {"holds": "fails", "fails": "holds"}
        return _Truth(flip.get(inner.status, inner.status),
                      None if inner.leans is None else not inner.leans, inner.why)  # fmt: skip
    assert isinstance(node, Binary)
    if node.op not in ("and", "or"):
        return _compare(ctx, node, found)
    a, b = _truth(ctx, node.left, found), _truth(ctx, node.right, found)
    decisive: Status = "fails" if node.op == "and" else "holds"
    neutral: Status = "holds" if node.op == "and" else "fails"
    if decisive in (a.status, b.status):
        status: Status = decisive
    elif "not evaluated" in (a.status, b.status):
        status = "not evaluated"
    elif "uncertain" in (a.status, b.status):
        status = "uncertain"
    else:
        status = neutral
    if a.leans is None or b.leans is None:
        leans = (node.op == "or") if status == decisive else None
    else:
        leans = (a.leans and b.leans) if node.op == "and" else (a.leans or b.leans)
    return _Truth(status, leans, a.why + b.why)


def evaluate_claim(result: Result, claim: Claim, *, _ctx: _Context | None = None) -> dict[str, Any]:
    """Evaluate one claim on a result.

    Returns
    -------
    dict
        ``id``, ``text``, ``source``, ``predicate``; ``status`` (holds, fails,
        uncertain, not evaluated); ``leans`` (the point estimates' verdict, or None);
        ``why`` (what was not evaluated); ``comparisons`` (each comparison's sides with
        value, s.e. and method, its margin and the margin's s.e.); ``notes``; ``variant``.
    """
    ctx = _ctx or _context(result)
    ctx.notes = []
    comparisons: list[dict[str, Any]] = []
    truth = _truth(ctx, parse(claim.predicate), comparisons)
    return {
        "id": claim.id,
        "text": claim.text,
        "source": claim.source,
        "predicate": claim.predicate,
        "variant": result.meta.get("variant"),
        "status": truth.status,
        "leans": None if truth.leans is None else ("holds" if truth.leans else "fails"),
        "why": "; ".join(dict.fromkeys(truth.why)) or None,
        "comparisons": comparisons,
        "notes": list(dict.fromkeys(ctx.notes)),
    }


def _context(result: Result) -> _Context:
    seed = int(result.meta.get("seed", 0))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_BOOT_KEY,)))
    return _Context(result, rng)


def evaluate(result: Result) -> list[dict[str, Any]]:
    """Evaluate every claim of the result's scenario (see :func:`evaluate_claim`)."""
    ctx = _context(result)
    return [evaluate_claim(result, c, _ctx=ctx) for c in result.war.scenario.claims]
