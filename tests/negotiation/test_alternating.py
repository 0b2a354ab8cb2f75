"""Heuristic alternating offers: the strategies behave as the negotiation literature says.

Domains are small and deterministic (the protocol uses no random numbers); random
domains come from fixed seeds. A plain-Python re-statement of the rules checks the
compiled kernel exactly; NegMAS (test-only) is the outside reference.
"""

import itertools

import numpy as np
import pytest

from detente.negotiation.alternating import (
    CHUNK,
    DEFAULT_EXPONENTS,
    STRATEGIES,
    alternating,
    alternating_trace,
)

NAMES = list(STRATEGIES)
TIME_DEPENDENT = ["boulware", "conceder", "linear", "outside_option"]


def pie(levels=101):
    """One divisible issue: A gets x, B gets 1 - x (a symmetric, purely distributive domain)."""
    x = np.linspace(0.0, 1.0, levels)
    return np.stack([x, 1.0 - x], axis=1)


def codes(*names):
    return np.array([STRATEGIES[s] for s in names], dtype=np.int64)


def one(reservation):
    """One negotiation whose estimates are the true outside options."""
    r = np.atleast_2d(np.asarray(reservation, float))
    return r, np.repeat(r[:, None, :], r.shape[1], axis=1)


def random_domain(rng, parties, issues=3, levels=4):
    """Random linear-additive utilities over issues x levels (Dirichlet weights)."""
    grid = np.array(list(itertools.product(range(levels), repeat=issues)))
    w = rng.dirichlet(np.ones(issues), size=parties)
    v = rng.random((parties, issues, levels))
    u = np.zeros((len(grid), parties))
    for i in range(parties):
        for k in range(issues):
            u[:, i] += w[i, k] * v[i, k, grid[:, k]]
    return u


# --- a plain re-statement of the rules, for exact comparison -------------------------


def reference(u, res, est, strategy, rounds, first, exponents):
    """One negotiation by the module docstring's rules, one loop at a time."""
    n_pk, n = u.shape
    hi, lo = u.max(axis=0), u.min(axis=0)
    floor = np.maximum(res, lo)
    if (floor > hi).any():
        return False, -1, -1, [-1] * rounds
    e = np.array(exponents, float)

    def share(x, a, b):
        return min(1.0, max(0.0, (x - a) / (b - a))) if b > a else (0.0 if x <= a else 1.0)

    for i in range(n):
        if strategy[i] == STRATEGIES["outside_option"]:
            rival = max(share(est[i, j], lo[j], hi[j]) for j in range(n) if j != i)
            e[i] *= 5.0 ** -(share(res[i], lo[i], hi[i]) - rival)
    demand = hi - floor
    offers_by = [[] for _ in range(n)]

    def mirror(i, d, prev, last):
        old = hi[i] - u[prev, i]
        return d if old <= 0 else min(hi[i] - floor[i], d * (hi[i] - u[last, i]) / old)

    def choose(i, t, d):
        tau = t / (rounds - 1) if rounds > 1 else 0.0
        target = hi[i] - (hi[i] - floor[i]) * tau ** (1.0 / e[i])
        if strategy[i] == STRATEGIES["tit_for_tat"]:
            target = min(target, floor[i] + d)
        target = min(max(target, floor[i]), hi[i])
        ok = [k for k in range(n_pk) if u[k, i] >= target]
        if not ok:  # rounding at the top: the proposer's best package
            ok = [int(np.argmax(u[:, i]))]

        def key(k):
            s = min(u[k, j] - est[i, j] for j in range(n) if j != i)
            if n == 2:  # a constant shift: the kernel ranks by utility itself
                s = u[k, 1 - i]
            return (s, u[k, i], -k)

        return max(ok, key=key)

    trace = [-1] * rounds
    for t in range(rounds):
        p = (first + t) % n
        if strategy[p] == STRATEGIES["tit_for_tat"]:
            j = (p - 1) % n
            if len(offers_by[j]) >= 2:
                demand[p] = mirror(p, demand[p], offers_by[j][-2], offers_by[j][-1])
        o = choose(p, t, demand[p])
        trace[t] = o
        offers_by[p].append(o)
        accepted = True
        for step in range(1, n):
            i = (p + step) % n
            if u[o, i] < floor[i]:
                accepted = False
                break
            if t == rounds - 1:
                continue
            d = demand[i]
            j = (i - 1) % n
            if strategy[i] == STRATEGIES["tit_for_tat"] and j == p and len(offers_by[j]) >= 2:
                d = mirror(i, d, offers_by[j][-2], offers_by[j][-1])
            nxt = choose(i, min(t + (i - p) % n, rounds - 1), d)
            if u[o, i] < u[nxt, i]:
                accepted = False
                break
        if accepted:
            return True, o, t, trace
    return False, -1, -1, trace


@pytest.mark.parametrize("parties", [2, 3])
def test_kernel_follows_the_stated_rules_exactly(parties):
    rng = np.random.default_rng(parties)
    for case in range(40):
        u = random_domain(rng, parties, levels=3 + case % 3)
        n_neg = 6
        res = rng.uniform(0.0, 0.6, (n_neg, parties))
        est = np.clip(res[:, None, :] + rng.normal(0, 0.15, (n_neg, parties, parties)), 0, 1)
        strategy = rng.integers(0, len(STRATEGIES), parties)
        rounds = int(rng.integers(1, 40))
        first = int(rng.integers(0, parties))
        e = np.where(rng.random(parties) < 0.5, np.nan, rng.uniform(0.1, 6, parties))
        ag, pk, rd, off = alternating_trace(u, res, est, strategy, rounds, first, exponents=e)
        names = {c: s for s, c in STRATEGIES.items()}
        full = [
            DEFAULT_EXPONENTS[names[int(c)]] if np.isnan(x) else x
            for c, x in zip(strategy, e, strict=True)
        ]
        for p in range(n_neg):
            want = reference(u, res[p], est[p], strategy, rounds, first, full)
            assert (ag[p], pk[p], rd[p]) == want[:3], (case, p)
            assert off[p].tolist() == want[3], (case, p)


# --- behaviour documented in the literature ------------------------------------------


def own_offers(name, rounds=101):
    """Party A's offered own utility in every round it proposes, against a hard opponent.

    B only accepts its best package (its outside option equals it), so A goes all the way
    down to its floor (0): A proposes in every even round, and takes B's only offer once
    its own next offer would be that (round ``rounds - 2``).
    """
    u = pie(1001)
    res, est = one([0.0, 1.0])
    _, _, rd, off = alternating_trace(u, res, est, codes(name, "linear"), rounds)
    assert rd[0] == rounds - 2
    rounds_a = np.arange(0, rounds - 1, 2)
    return rounds_a / (rounds - 1), u[off[0, rounds_a], 0]


def test_offers_follow_faratins_time_dependent_curve():
    for name in ("boulware", "conceder", "linear"):
        tau, offered = own_offers(name)
        target = 1.0 - tau ** (1.0 / DEFAULT_EXPONENTS[name])
        # the offer is the opponent's best package worth at least the target: the
        # target rounded up to the 0.001 grid
        assert np.all(offered >= target - 1e-12)
        assert np.all(offered - target < 0.001 + 1e-12)


def test_boulware_concedes_late_and_conceder_early():
    tau, boulware = own_offers("boulware")
    _, conceder = own_offers("conceder")
    _, linear = own_offers("linear")
    half = np.searchsorted(tau, 0.5)
    # share of the way from best (1) to floor (0) conceded by half time
    assert 1 - boulware[half] < 0.05  # tau^5 = 0.03
    assert 1 - conceder[half] > 0.85  # tau^0.2 = 0.87
    assert abs((1 - linear[half]) - 0.5) < 0.02
    # Boulware makes most of its concession in the last quarter; Conceder in the first
    q1, q3 = np.searchsorted(tau, 0.25), np.searchsorted(tau, 0.75)
    assert (boulware[q3] - boulware[-1]) > 0.7 * (boulware[0] - boulware[-1])
    assert (conceder[0] - conceder[q1]) > 0.7 * (conceder[0] - conceder[-1])
    # concessions never go back
    for offered in (boulware, conceder, linear):
        assert np.all(np.diff(offered) <= 1e-12)


def test_agreement_timing_boulware_late_conceder_early():
    u = pie()
    res, est = one([0.0, 0.0])
    _, _, late, _ = alternating_trace(u, res, est, codes("boulware", "boulware"), 100)
    _, _, early, _ = alternating_trace(u, res, est, codes("conceder", "conceder"), 100)
    assert late[0] > 75
    assert early[0] < 10


def test_boulware_gets_more_than_conceder():
    u = pie()
    res, est = one([0.0, 0.0])
    for first in (0, 1):
        _, pk, _ = alternating(u, res, est, codes("boulware", "conceder"), 100, first)
        assert u[pk[0], 0] > 0.85
        _, pk, _ = alternating(u, res, est, codes("conceder", "boulware"), 100, first)
        assert u[pk[0], 1] > 0.85


@pytest.mark.parametrize("rounds", [2, 11, 50, 100, 101])
@pytest.mark.parametrize("first", [0, 1])
def test_two_linear_parties_meet_near_the_middle(rounds, first):
    u = pie()
    res, est = one([0.0, 0.0])
    ag, pk, rd = alternating(u, res, est, codes("linear", "linear"), rounds, first)
    assert ag[0]
    # in relative time both targets are 1 - tau: they cross at tau = 1/2; a package on
    # the 0.01 grid and a round step of 1/(rounds - 1) in time separate them
    slack = 0.01 + 1.0 / (rounds - 1)
    assert abs(u[pk[0], 0] - 0.5) <= slack / 2 + 1e-9 or rounds == 2
    assert abs(rd[0] / (rounds - 1) - 0.5) <= slack


def test_symmetric_multi_issue_domain_splits_evenly():
    # two issues, each valued by one side only in mirror image, and one shared-cost issue
    grid = np.array(list(itertools.product(range(11), repeat=2))) / 10
    u = np.stack(
        [0.6 * grid[:, 0] + 0.4 * grid[:, 1], 0.6 * (1 - grid[:, 1]) + 0.4 * (1 - grid[:, 0])], 1
    )
    res, est = one([0.1, 0.1])
    for first in (0, 1):
        ag, pk, _ = alternating(u, res, est, codes("linear", "linear"), 100, first)
        assert ag[0]
        assert abs(u[pk[0], 0] - u[pk[0], 1]) <= 0.07


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("b", NAMES)
def test_a_stronger_outside_option_gets_better_terms(a, b):
    u = pie()
    grid = np.linspace(0.0, 0.6, 61)
    res = np.stack([grid, np.zeros_like(grid)], 1)
    est = np.repeat(res[:, None, :], 2, axis=1)
    for first in (0, 1):
        ag, pk, _ = alternating(u, res, est, codes(a, b), 100, first)
        assert ag.all()
        gets = u[pk, 0]
        # a binding outside option raises A's terms: at 0.6 A gets at least 0.6
        assert gets[-1] >= 0.6
        assert gets[-1] > gets[0] or gets[0] >= 0.6
        if "tit_for_tat" in (a, b):
            # reciprocating ratios of discrete offers can cost a grid step or two
            assert np.all(np.diff(gets) >= -0.021)
        else:  # time-dependent targets rise with the floor: never worse terms
            assert np.all(np.diff(gets) >= -1e-12)


def test_outside_option_strategy_holds_out_with_the_better_alternative():
    u = pie()
    res, est = one([0.3, 0.0])
    for first in (0, 1):
        _, plain, _ = alternating(u, res, est, codes("linear", "linear"), 100, first)
        _, aware, _ = alternating(
            u, res, est, codes("outside_option", "outside_option"), 100, first
        )
        # both floors are the same; the aware A also concedes more slowly, B faster
        assert u[aware[0], 0] > u[plain[0], 0] + 0.05
    # A's belief matters: thinking B's alternative is strong makes A concede faster
    r = np.array([[0.3, 0.0], [0.3, 0.0]])
    e = np.array([[[0.3, 0.0], [0.3, 0.0]], [[0.3, 0.6], [0.3, 0.0]]])
    _, pk, _ = alternating(u, r, e, codes("outside_option", "linear"), 100)
    assert u[pk[1], 0] < u[pk[0], 0]


def test_tit_for_tat_reciprocates():
    u = pie(1001)
    res, est = one([0.0, 0.0])
    # against a Conceder it concedes far earlier than its Boulware deadline tactic alone
    _, pk_tft, rd_tft, _ = alternating_trace(u, res, est, codes("tit_for_tat", "conceder"), 100)
    _, pk_b, rd_b, _ = alternating_trace(u, res, est, codes("boulware", "conceder"), 100)
    assert rd_tft[0] < rd_b[0] / 2
    assert u[pk_tft[0], 0] < u[pk_b[0], 0]
    # and it still gets more than the Conceder: it only mirrors what it is given
    assert u[pk_tft[0], 0] > 0.5
    # against a Boulware, with nothing to mirror, it behaves as its Boulware tactic
    _, pk1, rd1, _ = alternating_trace(u, res, est, codes("tit_for_tat", "boulware"), 100)
    _, pk2, rd2, _ = alternating_trace(u, res, est, codes("boulware", "boulware"), 100)
    assert abs(u[pk1[0], 0] - u[pk2[0], 0]) <= 0.01
    assert abs(int(rd1[0]) - int(rd2[0])) <= 2


@pytest.mark.parametrize("parties", [2, 3])
def test_no_agreement_without_a_zone_of_possible_agreement(parties):
    rng = np.random.default_rng(10 + parties)
    closed = agreed = 0
    for _ in range(20):
        u = random_domain(rng, parties)
        # high outside options: often no package gives every party its own
        n_neg = 50
        res = rng.uniform(0.7, 1.0, (n_neg, parties)) * u.max(axis=0)
        zopa = (u[None, :, :] >= res[:, None, :]).all(axis=2).any(axis=1)
        est = np.repeat(res[:, None, :], parties, axis=1)
        for strategy in itertools.product(range(len(NAMES)), repeat=parties):
            ag, _, _ = alternating(u, res, est, np.array(strategy), 60)
            assert not (ag & ~zopa).any()
            agreed += ag.sum()
        closed += (~zopa).sum()
    assert closed > 150 and agreed > 0  # neither side of the check is vacuous


@pytest.mark.parametrize("parties", [2, 3])
def test_agreements_give_everyone_at_least_its_outside_option(parties):
    rng = np.random.default_rng(20 + parties)
    seen = 0
    for _ in range(20):
        u = random_domain(rng, parties)
        n_neg = 40
        res = rng.uniform(-0.2, 0.7, (n_neg, parties))
        est = res[:, None, :] + rng.normal(0.0, 0.2, (n_neg, parties, parties))
        for strategy in itertools.product(range(len(NAMES)), repeat=parties):
            rounds = int(rng.integers(1, 80))
            ag, pk, rd = alternating(u, res, est, np.array(strategy), rounds, rounds % parties)
            assert np.all(u[pk[ag]] >= res[ag])
            assert np.all((pk >= 0) == ag) and np.all((rd >= 0) == ag)
            assert np.all(rd < rounds)
            seen += ag.sum()
    assert seen > 1000  # the check was not vacuous


def test_offers_are_best_for_the_others_as_the_proposer_estimates_them():
    # three parties: the first offer is at the proposer's best level; among packages
    # there, it picks the one with the largest smallest estimated surplus of the others
    rng = np.random.default_rng(5)
    u = random_domain(rng, 3, levels=5)
    res = np.zeros((30, 3))
    est = rng.uniform(0.0, 0.8, (30, 3, 3))
    _, _, _, off = alternating_trace(u, res, est, codes("linear", "linear", "linear"), 50)
    # round 1 (proposer 1, target 1 - 1/49 of its range)
    target = u[:, 1].max() - (u[:, 1].max() - u[:, 1].min()) / 49
    ok = np.flatnonzero(u[:, 1] >= target)
    for p in range(30):
        score = np.minimum(u[ok, 0] - est[p, 1, 0], u[ok, 2] - est[p, 1, 2])
        if off[p, 1] >= 0:
            assert off[p, 1] == ok[np.argmax(score)]
    assert len({int(o) for o in off[:, 1]} - {-1}) > 1  # private estimates matter


def test_single_round_is_an_ultimatum():
    u = pie()
    res, est = one([[0.0, 0.2]])
    ag, pk, rd = alternating(u, res, est, codes("linear", "linear"), 1)
    # the proposer demands its best; the responder accepts anything worth its floor
    assert not ag[0]  # B's floor 0.2 is not met by A's best (x = 1)
    ag, pk, rd = alternating(u, one([[0.0, 0.0]])[0], est, codes("linear", "linear"), 1)
    assert ag[0] and u[pk[0], 0] == 1.0 and rd[0] == 0


def test_party_with_nothing_worth_its_outside_option_ends_talks():
    u = pie()
    res, est = one([[1.5, 0.0]])
    ag, pk, rd, off = alternating_trace(u, res, est, codes("conceder", "conceder"), 10)
    assert not ag[0] and pk[0] == -1 and rd[0] == -1 and (off == -1).all()


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("parties", [2, 3])
def test_results_do_not_depend_on_threads_or_batching(parties):
    rng = np.random.default_rng(7)
    u = random_domain(rng, parties, levels=6)
    n_neg = 2 * CHUNK + 123
    res = rng.uniform(0.0, 0.6, (n_neg, parties))
    est = res[:, None, :] + rng.normal(0.0, 0.1, (n_neg, parties, parties))
    strategy = np.arange(parties) % len(NAMES) + 1
    runs = [alternating(u, res, est, strategy, 70, 1, threads=k) for k in (1, 2, 3)]
    for other in runs[1:]:
        for x, y in zip(runs[0], other, strict=True):
            np.testing.assert_array_equal(x, y)
    # each negotiation alone gives the same as in the batch (no state leaks between them)
    for p in rng.choice(n_neg, 40, replace=False):
        alone = alternating(u, res[p : p + 1], est[p : p + 1], strategy, 70, 1)
        assert [int(a[0]) for a in alone] == [int(a[p]) for a in runs[0]]


# --- validation -------------------------------------------------------------------------


def good():
    res, est = one([0.0, 0.0])
    return {"utilities": pie(), "reservation": res, "estimates": est,
            "strategy": codes("linear", "linear"), "rounds": 10}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"utilities": np.ones(5)}, "utilities: expected shape"),
        ({"utilities": np.ones((5, 1))}, "utilities: expected shape"),
        ({"utilities": np.full((5, 2), np.nan)}, "utilities: every utility must be finite"),
        ({"reservation": np.zeros((1, 3))}, "reservation: expected shape"),
        ({"reservation": np.full((1, 2), np.nan)}, "reservation: NaN"),
        ({"estimates": np.zeros((2, 2, 2))}, "estimates: expected shape"),
        ({"estimates": np.full((1, 2, 2), np.nan)}, "estimates: NaN"),
        ({"strategy": np.array([0])}, "strategy: expected 2 integer codes"),
        ({"strategy": np.array([0.0, 1.0])}, "strategy: expected 2 integer codes"),
        ({"strategy": np.array([0, 9])}, r"strategy: unknown code\(s\) \[9\]"),
        ({"rounds": 0}, "rounds: expected an integer >= 1"),
        ({"rounds": 2.5}, "rounds: expected an integer >= 1"),
        ({"first": 2}, "first: expected a party index in 0..1"),
        ({"exponents": np.array([1.0])}, r"exponents: expected shape \(2,\)"),
        ({"exponents": np.array([1.0, -1.0])}, "exponents: each must be finite and > 0"),
    ],
)
def test_bad_input_is_a_clear_value_error(change, message):
    with pytest.raises(ValueError, match=message):
        alternating(**{**good(), **change})


# --- NegMAS (test-only reference) ---------------------------------------------------


def test_same_region_as_negmas_time_based_negotiators():
    """Boulware and Conceder pairs agree where NegMAS's time-based negotiators agree.

    Domain: NegMAS's own benchmark in SOFTWARE.md (3 issues x 10 values, A prefers high
    values with weights .5/.3/.2, B low values with .2/.3/.5), outside options 0, a
    100-step SAO. NegMAS's curves are ``1 - t^x`` (x = 4 Boulware, 0.25 Conceder, 1
    linear), ours ``1 - tau^(1/e)``, so we pass e = 1/x. A NegMAS step has both parties
    offer: 100 steps are our 200 rounds. What differs: NegMAS proposes the worst
    package within its aspiration band and accepts by its curve at the current time; we
    propose the opponent's best package above the target and accept by AC_next. We
    compare each side's utility at agreement (within 0.07) and the time of agreement as
    a share of the deadline (within 0.1).
    """
    negmas = pytest.importorskip("negmas")
    import warnings

    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import AffineFun
    from negmas.sao import BoulwareTBNegotiator, ConcederTBNegotiator, LinearTBNegotiator

    issues = [negmas.make_issue(10, name=f"i{k}") for k in range(3)]
    space = negmas.outcomes.make_os(issues)
    wa, wb = [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]
    grid = np.array(list(itertools.product(range(10), repeat=3)))
    u = np.stack([grid @ np.array(wa) / 9, (9 - grid) @ np.array(wb) / 9], 1)
    classes = {"boulware": BoulwareTBNegotiator, "conceder": ConcederTBNegotiator,
               "linear": LinearTBNegotiator}  # fmt: skip
    inverse = {"boulware": 1 / 4, "conceder": 4.0, "linear": 1.0}
    res, est = one([0.0, 0.0])
    pairs = [("boulware", "conceder"), ("conceder", "boulware"), ("boulware", "linear"),
             ("linear", "conceder")]  # fmt: skip
    for a, b in pairs:
        ua = LinearAdditiveUtilityFunction(
            values=[AffineFun(1 / 9, 0) for _ in issues], weights=wa, outcome_space=space
        )
        ub = LinearAdditiveUtilityFunction(
            values=[AffineFun(-1 / 9, 1) for _ in issues], weights=wb, outcome_space=space
        )
        mech = negmas.SAOMechanism(outcome_space=space, n_steps=100)
        mech.add(classes[a](name="A"), ufun=ua)
        mech.add(classes[b](name="B"), ufun=ub)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state = mech.run()
        assert state.agreement is not None
        theirs = np.array([ua(state.agreement), ub(state.agreement)])
        their_time = state.step / 100
        ag, pk, rd = alternating(
            u, res, est, codes(a, b), 200, exponents=np.array([inverse[a], inverse[b]])
        )
        assert ag[0], (a, b)
        np.testing.assert_allclose(u[pk[0]], theirs, atol=0.07, err_msg=f"{a} vs {b}")
        assert abs(rd[0] / 199 - their_time) < 0.1, (a, b, rd[0], state.step)
