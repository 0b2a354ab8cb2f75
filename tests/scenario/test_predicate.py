"""The claims' expression language: grammar, safety, and checks against a scenario."""

import pytest

from detente.scenario.predicate import (
    METRICS,
    Binary,
    Call,
    Names,
    Number,
    PredicateError,
    Unary,
    check,
    parse,
)

NAMES = Names(frozenset({"russia", "ukraine", "global-south"}), frozenset({"territory"}))


def test_precedence_and_structure():
    tree = parse("not a() > 1 + 2 * 3 or b() <= -1 and c() == 0")
    assert isinstance(tree, Binary) and tree.op == "or"
    left, right = tree.left, tree.right
    assert isinstance(left, Unary) and left.op == "not"
    comparison = left.operand
    assert isinstance(comparison, Binary) and comparison.op == ">"
    total = comparison.right
    assert isinstance(total, Binary) and total.op == "+"
    assert isinstance(total.right, Binary) and total.right.op == "*"
    assert isinstance(right, Binary) and right.op == "and"


def test_calls_with_positional_and_keyword_arguments():
    tree = parse("p_decisive(global-south, by=104) < 0.05")
    assert isinstance(tree, Binary)
    call = tree.left
    assert isinstance(call, Call)
    assert call.metric == "p_decisive"
    assert call.args[0].value == "global-south"
    assert call.kwargs[0][0] == "by" and call.kwargs[0][1] == Number(104.0, 28)


@pytest.mark.parametrize(
    "text",
    [
        "p_window_open(step=0) > 0.5",
        "p_decisive(ukraine, by=104) < 0.05 and p_decisive(russia, by=104) < 0.05",
        "outside_option(russia, step=0) - outside_option(ukraine) <= 0.1",
        "terms(territory, solution=kalai_smorodinsky) >= 0.2",
        "slack(q=0.05, step=4) > 0",
        "final(force, russia) > final(force, ukraine) * 1.5",
        "not (durability() < 0.5)",
        "p_agreement(by=52) > 0.5 or p_escalation() < 1e-3",
        "agreed('territory') != 0.5",
    ],
)
def test_valid_predicates(text):
    tree, problems = check(text, NAMES)
    assert tree is not None and problems == []


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("p_window_open() >", "expected a number, a metric or '(', found the end", 17),
        ("p_window_open > 0.5", "'p_window_open' is not a metric call", 0),
        ("1 < 2 < 3", "chained comparisons are not allowed", 6),
        ("__import__('os') > 0", "unknown metric '__import__'", 0),
        ("p_decisive(ukrain) > 0", "unknown party 'ukrain' (did you mean 'ukraine'?)", 11),
        ("p_decisive() > 0", "p_decisive() takes PARTY; got 0 positional", 0),
        ("p_decisive(russia, bye=3) > 0", "has no argument 'bye'", 23),
        ("p_decisive(russia, by=-1) > 0", "expected an argument, found '-'", 22),
        ("p_decisive(russia, by=1.5) > 0", "a step must be a whole number", 22),
        ("slack(q=2) > 0", "a quantile must lie in [0, 1]", 8),
        ("terms(territory, solution=nashh) > 0", "unknown solution 'nashh'", 26),
        ("p_agreement() + 1", "a predicate must be a comparison", 0),
        ("p_agreement() > 0 + (1 > 0)", "'+' needs number operands", 18),
        ("p_agreement() > 1 and 2", "'and' needs bool operands", 18),
        ("p_agreement() ; 1", "unexpected character ';'", 14),
        ("p_agreement(x=1, 2) > 0", "positional argument after a keyword argument", 17),
        ("(" * 60 + "1" + ")" * 60 + " > 0", "nested too deeply", 50),
        ("-" * 60 + "1 > 0", "nested too deeply", 49),
    ],
)
def test_invalid_predicates_report_message_and_offset(text, message, offset):
    _, problems = check(text, NAMES)
    assert problems, text
    first = problems[0]
    assert message in first.message
    assert first.offset == offset


def test_overlong_predicate():
    with pytest.raises(PredicateError, match="longer than"):
        parse("1 > 0 and " * 300 + "1 > 0")


def test_every_metric_documents_itself():
    for name, metric in METRICS.items():
        assert metric.doc, name
        assert metric.optional_positional <= len(metric.positional)
