"""The small, safe expression language of claims.

A claim's predicate is a boolean expression over named metrics of a run, e.g.::

    p_window_open(step=0) > 0.5
    p_decisive(ukraine, by=104) < 0.05 and p_decisive(russia, by=104) < 0.05
    outside_option(russia, step=0) - outside_option(ukraine, step=0) <= 0.1

Grammar (precedence from loosest to tightest)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := NUMBER | "(" expr ")" | NAME "(" [arg ("," arg)*] ")"
    arg        := NAME | STRING | NUMBER | NAME "=" (NUMBER | NAME | STRING)

Only the metrics listed in :data:`METRICS` can be called; nothing is ever passed to
``eval``. Parsing and checking happen when a scenario is loaded; evaluating the
expression against results is the job of ``detente.claims``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from detente.scenario.errors import did_you_mean

ArgKind = Literal["party", "issue", "variable", "solution", "step", "quantile"]


@dataclass(frozen=True)
class Metric:
    """Signature of a metric that a claim may call.

    Parameters
    ----------
    doc
        What the metric measures, for users.
    positional
        Kinds of the positional arguments, in order.
    keywords
        Optional keyword arguments and their kinds.
    optional_positional
        How many of the trailing positional arguments may be left out.
    """

    doc: str
    positional: tuple[ArgKind, ...] = ()
    keywords: dict[str, ArgKind] = field(default_factory=dict)
    optional_positional: int = 0


SOLUTIONS = ("nash", "kalai_smorodinsky", "egalitarian")

METRICS: dict[str, Metric] = {
    "p_window_open": Metric(
        "share of paths whose settlement window (ZOPA) is open at checkpoint `step` (default 0)",
        keywords={"step": "step"},
    ),
    "slack": Metric(
        "quantile `q` (default 0.5) across paths of the window's slack at checkpoint `step`",
        keywords={"step": "step", "q": "quantile"},
    ),
    "p_decisive": Metric(
        "share of paths in which PARTY wins decisively by step `by` (default: the horizon)",
        positional=("party",),
        keywords={"by": "step"},
    ),
    "p_collapse": Metric(
        "share of paths in which PARTY collapses by step `by` (default: the horizon)",
        positional=("party",),
        keywords={"by": "step"},
    ),
    "p_escalation": Metric(
        "share of paths reaching catastrophic escalation by step `by` (default: the horizon)",
        keywords={"by": "step"},
    ),
    "p_ongoing": Metric(
        "share of paths still at war at step `by` (default: the horizon)",
        keywords={"by": "step"},
    ),
    "p_agreement": Metric(
        "share of paths reaching a negotiated agreement by step `by` (default: the horizon)",
        keywords={"by": "step"},
    ),
    "agreed": Metric(
        "mean across agreements of the agreed value of ISSUE (a level's index if discrete)",
        positional=("issue",),
    ),
    "durability": Metric("share of agreements still holding at the horizon"),
    "outside_option": Metric(
        "mean across paths of PARTY's value of fighting on at checkpoint `step` (default 0)",
        positional=("party",),
        keywords={"step": "step"},
    ),
    "terms": Metric(
        "mean across open paths of the `solution` point (default nash) on ISSUE at `step`",
        positional=("issue",),
        keywords={"solution": "solution", "step": "step"},
    ),
    "p_hurting_stalemate": Metric(
        "share of paths in a mutually hurting stalemate at checkpoint `step` (default 0)",
        keywords={"step": "step"},
    ),
    "p_commitment_problem": Metric(
        "share of paths whose window is open but blocked by a commitment problem at `step`",
        keywords={"step": "step"},
    ),
    "duration": Metric(
        "quantile `q` (default 0.5) of the war's duration in steps",
        keywords={"q": "quantile"},
    ),
    "final": Metric(
        "mean across paths of state VARIABLE (of PARTY, where it has one) at the horizon",
        positional=("variable", "party"),
        optional_positional=1,
    ),
}


# --- syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A numeric literal."""

    value: float
    offset: int


@dataclass(frozen=True)
class Name:
    """A bare name or string given as a metric argument (a party, an issue, ...)."""

    value: str
    offset: int


@dataclass(frozen=True)
class Call:
    """A call of a named metric."""

    metric: str
    args: tuple[Number | Name, ...]
    kwargs: tuple[tuple[str, Number | Name], ...]
    offset: int


@dataclass(frozen=True)
class Unary:
    """``-x`` or ``not x``."""

    op: Literal["-", "not"]
    operand: Node
    offset: int


@dataclass(frozen=True)
class Binary:
    """Arithmetic, comparison or boolean combination of two sub-expressions."""

    op: str
    left: Node
    right: Node
    offset: int


Node = Number | Call | Unary | Binary


class PredicateError(ValueError):
    """A problem in a predicate, with its character offset in the expression."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# --- tokens and parser ---------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><=|>=|==|!=|[<>+\-*/(),=])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not"}
_COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}
MAX_PREDICATE_LENGTH = 2000
_MAX_DEPTH = 50


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise PredicateError(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup or ""
        if kind != "ws":
            word = m.group()
            if kind == "name" and word in _KEYWORDS:
                kind = "op"
            tokens.append(_Token(kind, word, pos))
        pos = m.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> _Token:
        tok = self.take()
        if tok.text != text or tok.kind == "string":
            found = "the end" if tok.kind == "end" else repr(tok.text)
            raise PredicateError(f"expected {text!r}, found {found}", tok.offset)
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text in texts

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise PredicateError("expression nested too deeply", self.peek().offset)
        node = self.and_expr()
        while self.at("or"):
            tok = self.take()
            node = Binary("or", node, self.and_expr(), tok.offset)
        self.depth -= 1
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at("and"):
            tok = self.take()
            node = Binary("and", node, self.not_expr(), tok.offset)
        return node

    def not_expr(self) -> Node:
        if self.at("not"):
            tok = self.take()
            return Unary("not", self.not_expr(), tok.offset)
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        if self.at(*_COMPARISONS):
            tok = self.take()
            node = Binary(tok.text, node, self.sum(), tok.offset)
            if self.at(*_COMPARISONS):
                raise PredicateError(
                    "chained comparisons are not allowed; join them with 'and'",
                    self.peek().offset,
                )
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("+", "-"):
            tok = self.take()
            node = Binary(tok.text, node, self.product(), tok.offset)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            tok = self.take()
            node = Binary(tok.text, node, self.unary(), tok.offset)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            tok = self.take()
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise PredicateError("expression nested too deeply", tok.offset)
            node = Unary("-", self.unary(), tok.offset)
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "number":
            return Number(float(tok.text), tok.offset)
        if tok.kind == "op" and tok.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if tok.kind == "name":
            return self.call(tok)
        found = "the end of the expression" if tok.kind == "end" else repr(tok.text)
        raise PredicateError(f"expected a number, a metric or '(', found {found}", tok.offset)

    def call(self, name: _Token) -> Call:
        if not self.at("("):
            raise PredicateError(
                f"{name.text!r} is not a metric call: write {name.text}(...)", name.offset
            )
        self.take()
        args: list[Number | Name] = []
        kwargs: list[tuple[str, Number | Name]] = []
        while not self.at(")"):
            tok = self.take()
            if tok.kind == "name" and self.at("="):
                self.take()
                kwargs.append((tok.text, self.argument(self.take())))
            elif kwargs:
                raise PredicateError("positional argument after a keyword argument", tok.offset)
            else:
                args.append(self.argument(tok))
            if not self.at(")"):
                self.expect(",")
        self.take()
        return Call(name.text, tuple(args), tuple(kwargs), name.offset)

    def argument(self, tok: _Token) -> Number | Name:
        if tok.kind == "number":
            return Number(float(tok.text), tok.offset)
        if tok.kind == "name":
            return Name(tok.text, tok.offset)
        if tok.kind == "string":
            return Name(tok.text[1:-1], tok.offset)
        found = "the end of the expression" if tok.kind == "end" else repr(tok.text)
        raise PredicateError(f"expected an argument, found {found}", tok.offset)


def parse(text: str) -> Node:
    """Parse a predicate into its syntax tree.

    Raises
    ------
    PredicateError
        On the first syntax error, with its offset in ``text``.
    """
    if len(text) > MAX_PREDICATE_LENGTH:
        raise PredicateError(f"predicate longer than {MAX_PREDICATE_LENGTH} characters", 0)
    parser = _Parser(text)
    node = parser.expr()
    tok = parser.peek()
    if tok.kind != "end":
        raise PredicateError(f"unexpected {tok.text!r} after a complete expression", tok.offset)
    return node


# --- checking against a scenario --------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """The names a predicate may refer to, taken from the scenario."""

    parties: frozenset[str]
    issues: frozenset[str]


def _check_arg(kind: ArgKind, arg: Number | Name, names: Names) -> list[PredicateError]:
    if kind in ("step", "quantile"):
        if not isinstance(arg, Number):
            return [PredicateError(f"expected a number, found {arg.value!r}", arg.offset)]
        if kind == "step" and (arg.value < 0 or arg.value != int(arg.value)):
            return [PredicateError("a step must be a whole number >= 0", arg.offset)]
        if kind == "quantile" and not 0.0 <= arg.value <= 1.0:
            return [PredicateError("a quantile must lie in [0, 1]", arg.offset)]
        return []
    if not isinstance(arg, Name):
        return [PredicateError(f"expected a {kind} name, found a number", arg.offset)]
    pool: Collection[str] | None = {
        "party": names.parties,
        "issue": names.issues,
        "solution": SOLUTIONS,
    }.get(kind)
    if pool is not None and arg.value not in pool:
        return [
            PredicateError(
                f"unknown {kind} {arg.value!r}{did_you_mean(arg.value, pool)}", arg.offset
            )
        ]
    return []


def _check_call(call: Call, names: Names) -> list[PredicateError]:
    metric = METRICS.get(call.metric)
    if metric is None:
        return [
            PredicateError(
                f"unknown metric {call.metric!r}{did_you_mean(call.metric, list(METRICS))}",
                call.offset,
            )
        ]
    problems: list[PredicateError] = []
    required = len(metric.positional) - metric.optional_positional
    if not required <= len(call.args) <= len(metric.positional):
        want = ", ".join(k.upper() for k in metric.positional) or "no positional arguments"
        problems.append(
            PredicateError(
                f"{call.metric}() takes {want}; got {len(call.args)} positional", call.offset
            )
        )
    for kind, arg in zip(metric.positional, call.args, strict=False):
        problems += _check_arg(kind, arg, names)
    seen: set[str] = set()
    for key, arg in call.kwargs:
        if key in seen:
            problems.append(PredicateError(f"argument {key!r} given twice", arg.offset))
        seen.add(key)
        if key not in metric.keywords:
            allowed = ", ".join(metric.keywords) or "none"
            problems.append(
                PredicateError(
                    f"{call.metric}() has no argument {key!r} (allowed: {allowed})", arg.offset
                )
            )
        else:
            problems += _check_arg(metric.keywords[key], arg, names)
    return problems


def _type_of(node: Node, names: Names, problems: list[PredicateError]) -> str:
    """Infer ``"number"`` or ``"bool"`` for a node, collecting problems on the way."""
    if isinstance(node, Number):
        return "number"
    if isinstance(node, Call):
        problems += _check_call(node, names)
        return "number"
    if isinstance(node, Unary):
        inner = _type_of(node.operand, names, problems)
        want = "bool" if node.op == "not" else "number"
        if inner != want:
            problems.append(PredicateError(f"'{node.op}' needs a {want} operand", node.offset))
        return want
    left = _type_of(node.left, names, problems)
    right = _type_of(node.right, names, problems)
    if node.op in ("and", "or"):
        want, result = "bool", "bool"
    else:
        want, result = "number", ("bool" if node.op in _COMPARISONS else "number")
    if left != want or right != want:
        problems.append(PredicateError(f"'{node.op}' needs {want} operands", node.offset))
    return result


def check(text: str, names: Names) -> tuple[Node | None, list[PredicateError]]:
    """Parse a predicate and check it against the scenario's names.

    Returns
    -------
    tree, problems
        The syntax tree (``None`` if it does not parse) and every problem found.
        A valid predicate is a boolean expression whose metric calls all exist and
        whose arguments name real parties, issues and solutions.
    """
    try:
        tree = parse(text)
    except PredicateError as err:
        return None, [err]
    problems: list[PredicateError] = []
    if _type_of(tree, names, problems) != "bool":
        problems.append(
            PredicateError("a predicate must be a comparison, e.g. p_agreement() > 0.5", 0)
        )
    return tree, problems
