"""Claims: predicates over a run, with holds / fails / uncertain / not evaluated and s.e.

Tolerances. A share's binomial s.e. is checked exactly against sqrt(p (1 - p) / n). A
bootstrap s.e. from B = 200 resamples has a relative error of about 1 / sqrt(2 B) = 5 %;
it is compared with the analytic s.e. of a mean within 25 % (5 of its own s.e.).
"""

import json
import math

import pytest

import detente as dt
from detente.claims import evaluate, evaluate_claim, render
from detente.cli import main
from detente.scenario.model import Claim
from detente.scenario.predicate import parse


@pytest.fixture(scope="module")
def battles():
    return dt.simulate("battles", paths=8000, seed=3)


@pytest.fixture(scope="module")
def fearon():
    return dt.simulate("fearon", paths=4000, seed=1)


def claim(predicate):
    return Claim(id="c", text="a claim", source="test", predicate=predicate)


def test_a_share_and_its_binomial_error(battles):
    p = battles.outcome_shares()["decisive"]["A"]
    found = evaluate_claim(battles, claim("p_decisive(A) > 0.1"))
    left = found["comparisons"][0]["left"]
    assert left["value"] == pytest.approx(p)
    assert left["method"] == "binomial" and left["paths"] == 8000
    assert left["se"] == pytest.approx(math.sqrt(p * (1 - p) / 8000))
    assert found["status"] == ("holds" if p - 0.1 > 2 * left["se"] else "uncertain")


def test_margin_within_two_errors_is_uncertain(battles):
    p = battles.outcome_shares()["decisive"]["A"]
    se = math.sqrt(p * (1 - p) / 8000)
    assert evaluate_claim(battles, claim(f"p_decisive(A) > {p - 5 * se}"))["status"] == "holds"
    assert evaluate_claim(battles, claim(f"p_decisive(A) > {p + 5 * se}"))["status"] == "fails"
    close = evaluate_claim(battles, claim(f"p_decisive(A) > {p - 0.5 * se}"))
    assert (close["status"], close["leans"]) == ("uncertain", "holds")
    close = evaluate_claim(battles, claim(f"p_decisive(A) < {p - 0.5 * se}"))
    assert (close["status"], close["leans"]) == ("uncertain", "fails")


def test_bootstrap_error_of_a_mean_matches_the_analytic_one(battles):
    front = battles.war.final[:, [v.label for v in battles.war.variables].index("front")]
    analytic = front.std(ddof=1) / math.sqrt(front.size)
    found = evaluate_claim(battles, claim("final(front) > 0"))["comparisons"][0]["left"]
    assert found["method"] == "bootstrap"
    assert found["value"] == pytest.approx(front.mean())
    assert found["se"] == pytest.approx(analytic, rel=0.25)


def test_metrics_on_the_same_paths_are_resampled_jointly(battles):
    # A metric minus itself has no Monte Carlo error only if both are resampled alike.
    found = evaluate_claim(battles, claim("duration() - duration() < 1"))
    left = found["comparisons"][0]["left"]
    assert (left["value"], left["se"], found["status"]) == (0.0, 0.0, "holds")


def test_not_evaluated_says_why(battles, fearon):
    past = evaluate_claim(battles, claim("p_decisive(A, by=100000) < 0.5"))
    assert past["status"] == "not evaluated" and "past the horizon" in past["why"]
    unknown = evaluate_claim(battles, claim("final(troops, A) > 0"))
    assert unknown["status"] == "not evaluated" and "no state variable" in unknown["why"]
    no_window = dt.simulate("battles", paths=500, analyse=False)
    found = evaluate_claim(no_window, claim("p_window_open() > 0.5"))
    assert found["status"] == "not evaluated" and "window was not analysed" in found["why"]
    found = evaluate_claim(no_window, claim("durability() < 0.8"))
    assert found["status"] == "not evaluated" and found["leans"] is None
    assert "negotiation was not computed" in found["why"]


def test_three_valued_logic(battles):
    # a clear failure decides an "and" even when the other side is not evaluated
    missing = "p_decisive(A, by=100000) < 0.5"  # past the horizon: not evaluated
    found = evaluate_claim(battles, claim(f"p_decisive(A) > 2 and {missing}"))
    assert found["status"] == "fails" and found["leans"] == "fails"
    found = evaluate_claim(battles, claim(f"p_decisive(A) < 2 or {missing}"))
    assert found["status"] == "holds"
    found = evaluate_claim(battles, claim(f"p_decisive(A) < 2 and {missing}"))
    assert found["status"] == "not evaluated"
    assert evaluate_claim(battles, claim("not p_decisive(A) > 2"))["status"] == "holds"


def test_negotiation_metrics_on_fearon(fearon):
    agreed = evaluate_claim(fearon, claim("p_agreement() > 0.5"))["comparisons"][0]["left"]
    neg = fearon.negotiation
    assert agreed["value"] == pytest.approx(neg.agreed.mean()) and agreed["method"] == "binomial"
    share = evaluate_claim(fearon, claim("agreed(share) > 0"))["comparisons"][0]["left"]
    k = list(neg.issues).index("share")
    assert share["value"] == pytest.approx(neg.terms[neg.agreed, k].mean())
    durability = fearon.negotiation_summary()["durability"]
    found = evaluate_claim(fearon, claim("durability() < 0.8"))
    if durability is None:  # deals not fed back into this engine's war
        assert found["status"] == "not evaluated"
    else:
        assert found["comparisons"][0]["left"]["value"] == pytest.approx(durability)


def test_window_metrics_on_fearon(fearon):
    # Fearon's lottery: both sides prefer any split in [p - c_A, p + c_B] to war.
    found = {c["id"]: c for c in evaluate(fearon)}
    assert found["range-exists"]["status"] == "holds"
    nash = evaluate_claim(fearon, claim("terms(share) > 0"))["comparisons"][0]["left"]
    assert nash["value"] == pytest.approx(0.5, abs=0.02)  # p + (c_B - c_A) / 2 = 0.5
    assert nash["method"] == "bootstrap" and nash["paths"] == 4000
    option = evaluate_claim(fearon, claim("outside_option(A) > 0"))["comparisons"][0]["left"]
    assert option["value"] == pytest.approx(0.4, abs=0.03)  # p - c_A
    assert evaluate_claim(fearon, claim("slack(q=0.5) > 0"))["status"] == "holds"


def test_same_seed_same_claims(fearon):
    again = dt.simulate("fearon", paths=4000, seed=1)
    assert json.dumps(again.claims) == json.dumps(fearon.claims)
    assert len(evaluate(fearon)[0]["comparisons"][0]["left"]) >= 3


def test_render_round_trips():
    for text in ("p_decisive(A, by=10) < 0.05 and p_collapse(B) < 0.05",
                 "terms(share, step=4) - terms(share) < 0.03", "not slack(q=0.5) > 0"):  # fmt: skip
        assert parse(render(parse(text))) == parse(render(parse(render(parse(text)))))
        assert render(parse(text)).replace(" ", "") == text.replace(" ", "")


def test_claims_command_evaluates_every_variant(capsys):
    assert main(["claims", "fearon", "--json", "--quiet", "--paths", "4000"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1 and doc["variants"] == ["baseline", "optimism"]
    status = {(c["variant"], c["id"]): c["status"] for c in doc["claims"]}
    # Mutual optimism closes Fearon's range (Fearon 1995; Blainey 1973).
    assert status == {(None, "range-exists"): "holds", ("optimism", "range-exists"): "fails"}


def test_claims_command_table(capsys):
    assert main(["claims", "fearon", "--variant", "optimism", "--paths", "2000", "-q"]) == 0
    out = capsys.readouterr().out
    assert "range-exists" in out and "fails" in out and "Fearon 1995" in out
