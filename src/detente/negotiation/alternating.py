"""Heuristic alternating offers: concession strategies under private outside options.

Many negotiations (one per path, say) over the same finite set of packages run at once.
The packages' utilities to the parties are common knowledge and the same in every
negotiation; what differs is each party's outside option (its value of walking away,
e.g. of fighting on), which it knows for itself and only estimates for the others.

Protocol
--------
Stacked alternating offers, the protocol of the ANAC competitions and of Genius (SAOP;
Aydoğan et al. 2017): in round ``t = 0, 1, ..., rounds - 1`` party ``(first + t) mod n``
proposes a package, every other party accepts or rejects it, and a package all accept is
the agreement. Otherwise the next party proposes. After the last round the talks have
failed. With two parties this is Rubinstein's (1982) alternating offers with a deadline.

Strategies (what a party asks for)
----------------------------------
Every strategy sets, at each of its turns, a *target*: the least utility it will offer
itself. The target never falls below the party's *floor* ``r_i``, its own outside
option (or its worst package if that is higher): a party never offers or accepts a
package worse for it than walking away.

``boulware``, ``conceder``, ``linear`` (time-dependent tactics, Faratin, Sierra & Jennings
1998)
    ``target(t) = u_max - (u_max - r_i) * tau ** (1 / e)`` with ``tau = t / (rounds - 1)``
    the share of the time gone (``tau = 0`` when there is a single round: an ultimatum
    demands the best). Boulware (``e < 1``, default 0.2) holds out and concedes near the
    deadline; Conceder (``e > 1``, default 5) gives most of the ground early; linear
    (``e = 1``) concedes at a constant pace. All three reach the floor in the last round.
``tit_for_tat`` (relative tit-for-tat, Faratin et al. 1998)
    Reciprocates the concessions of the party proposing just before it (with two parties,
    the opponent). That party's *demand on me* is ``u_max - u_i(its offer)``, in my own
    utility; each turn my demand above my floor, ``target - r_i``, is scaled by the ratio
    of its latest demand to its previous one (Faratin's ``delta = 1``), never above where
    it started. A concession reciprocated in proportion, a retraction answered by
    hardening. Pure imitation deadlocks against itself, so as Faratin et al. combine
    tactics, the target is also kept at or below a Boulware deadline tactic (``e`` =
    0.2 by default): a tit-for-tat party still meets the deadline.
``outside_option`` (outside-option-aware)
    A time-dependent tactic whose pace follows the party's bargaining power as it sees
    it: ``e = e0 * 5 ** (-a)`` (``e0`` = 1 by default), where the advantage
    ``a = rho_i - max_j rhohat_ij`` in ``[-1, 1]`` compares the party's own outside option,
    as a share ``rho_i`` of its utility range, with the best of its estimates of the
    others' (same normalisation). A party whose alternative is better than any rival's
    (``a > 0``) concedes more slowly, Boulware-like (``e = 0.2`` at ``a = 1``); a weaker
    one concedes faster, Conceder-like (``e = 5`` at ``a = -1``); equal alternatives give
    the linear tactic. Rationale: a credible alternative is bargaining power; the party
    with the better BATNA (Fisher & Ury 1981) can afford to wait and concede less. The
    outside-option principle (Binmore, Shaked & Sutton 1989) is sharper: in equilibrium
    an outside option changes the terms only when it binds (is worth more than the
    party's share without it), and then gives its holder exactly the option. The floor
    ``r_i`` is that part; the pace rule is the practitioner's part, for a party that
    does not know where its share lies. The deal needs every party's consent, so the
    rival with the best alternative is the one that binds.

Offers (private information)
----------------------------
Among the packages whose utility to the proposer is at least its target, the proposer
offers the one that is best for the others *as it estimates them*: the largest smallest
estimated surplus ``min_j (u_j - est_ij)`` over the other parties. Ties go to the package
better for the proposer, then to the lower package index. With two parties the
estimate shifts every score by the same amount, so the offer is the other party's best
package above the target, which (with the tie rule) is Pareto-optimal. Packages are
sorted once per party by own utility, so the packages above a target are a prefix of
that order and the best offer on a prefix is a lookup (two parties:
precomputed once for all negotiations) or an incremental scan that each negotiation
extends at most once per package (three or more parties: the scores depend on the
negotiation's estimates).

Acceptance
----------
How a party answers an offer is its *acceptance rule*, chosen per party among the
conditions Baarslag, Hindriks & Jonker (2014) compare; ``next`` is the default. Under
every rule a party rejects a package worth less to it than its floor, so no agreement
ever gives a party less than its outside option. The rules that look at the clock read
``tau_t = t / (rounds - 1)``, the share of the deadline gone at round ``t``; a single
round is itself the deadline (``tau = 1`` there for acceptance, whereas the
strategies' ``tau = 0`` only says that an ultimatum demands the best).

``next`` (AC_next)
    Accept an offer worth at least as much as the package the party would itself offer
    at its next turn: nothing better is to be had by rejecting it. A tit-for-tat party
    evaluates its next offer with the offer on the table as the latest move it
    reciprocates. In the last round there is no next turn: a rejection ends the talks,
    which is worth the floor, so the party accepts anything worth at least its floor.
``const`` (AC_const(alpha))
    Accept an offer worth at least ``floor + alpha * (u_max - floor)``: ``alpha`` is the
    share of the way from the floor to the party's best package, so 0 accepts anything
    worth its floor and 1 only a package as good as its best. The paper writes alpha as
    a utility; stating it relative to the floor keeps it meaningful when outside options
    differ from path to path. The clock plays no part, at the deadline neither: a party
    with ``alpha > 0`` lets the talks fail in the last round rather than take less.
``time`` (AC_time(T))
    Reject everything before ``tau_t >= T``; from then on accept any offer worth at
    least the floor. ``T = 0`` takes the first such offer; at the deadline ``tau = 1``,
    so in the last round it accepts as ``next`` does.
``combi`` (AC_combi(T, MAX^W))
    AC_next, or, once ``tau_t >= T``, accept an offer (worth at least the floor) that is
    at least as good as the best offer the party has received so far. The paper's MAX^W
    is that best over a window W of the offers received; here W is the whole history,
    from the first round on (Genius's AC_CombiMaxInWindow instead looks back over as
    much time as is left). A party "receives" every offer another party makes. In the
    last round it accepts anything worth its floor, through AC_next.

So in the last round ``next``, ``time`` and ``combi`` all accept any offer worth at least
the floor, and only ``const``, a fixed aspiration that ignores the clock, may refuse one.

What a party offers does not depend on how offers are answered: its target depends on
the round, its floor, its estimates and (tit-for-tat) the offers made so far. Until an
agreement the offers are therefore the same under any acceptance rules, and a rule that
accepts at least what another accepts in every round (``const`` with ``alpha = 0``,
``time`` with ``T = 0``, and ``combi`` for any ``T``, compared with ``next``) agrees
whenever the other does and never later.

Everything is deterministic: no random numbers, so the same inputs give the same
agreements for any number of threads.

References
----------
Aydoğan, R., Festen, D., Hindriks, K. V., & Jonker, C. M. (2017). Alternating offers
protocols for multilateral negotiation. In *Modern Approaches to Agent-based Complex
Automated Negotiation* (pp. 153-167). Springer.
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica*, 50(1),
97-109.
Faratin, P., Sierra, C., & Jennings, N. R. (1998). Negotiation decision functions for
autonomous agents. *Robotics and Autonomous Systems*, 24(3-4), 159-182.
Baarslag, T., Hindriks, K., & Jonker, C. (2014). Effective acceptance conditions in
bilateral negotiation. *Decision Support Systems*, 60, 68-77.
Lin, R., Kraus, S., Baarslag, T., Tykhonov, D., Hindriks, K., & Jonker, C. M. (2014).
Genius: an integrated environment for supporting the design of generic automated
negotiators. *Computational Intelligence*, 30(1), 48-70.
Binmore, K., Shaked, A., & Sutton, J. (1989). An outside option experiment. *Quarterly
Journal of Economics*, 104(4), 753-770.
Fisher, R., & Ury, W. (1981). *Getting to Yes*. Houghton Mifflin.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit
from numpy.typing import NDArray

STRATEGIES: dict[str, int] = {
    "boulware": 0,
    "conceder": 1,
    "linear": 2,
    "tit_for_tat": 3,
    "outside_option": 4,
}
"""Strategy codes accepted by :func:`alternating`."""

DEFAULT_EXPONENTS: dict[str, float] = {
    "boulware": 0.2,  # e < 1: concedes late (Faratin et al. 1998)
    "conceder": 5.0,  # e > 1: concedes early
    "linear": 1.0,
    "tit_for_tat": 0.2,  # its Boulware deadline tactic
    "outside_option": 1.0,  # e0: the pace when the alternatives are equally good
}
"""Concession exponent ``e`` of each strategy unless ``exponents`` says otherwise."""

ACCEPTANCE: dict[str, int] = {
    "next": 0,
    "const": 1,
    "time": 2,
    "combi": 3,
}
"""Acceptance-rule codes accepted by :func:`alternating` (Baarslag et al. 2014)."""

OUTSIDE_OPTION_SPAN = 5.0
"""``e = e0 * SPAN ** (-a)``: advantage 1 gives Boulware's 0.2, -1 Conceder's 5 (e0 = 1)."""

CHUNK = 1024
"""Negotiations per task when several threads share the work (results do not depend on it)."""

_TIT_FOR_TAT = 3
_OUTSIDE_OPTION = 4
_CONST = 1
_TIME = 2
_COMBI = 3


@njit(cache=True, nogil=True)
def _prefix_best_two(utilities, order):  # type: ignore[no-untyped-def]
    """Two parties: for each prefix of party i's order, the other's best package in it.

    ``best[i, m]`` is the package among ``order[i, :m + 1]`` with the highest utility to
    the other party, the first in the order among equals.
    """
    n_packages = utilities.shape[0]
    best = np.empty((2, n_packages), np.int64)
    for i in range(2):
        j = 1 - i
        top = -np.inf
        cur = order[i, 0]
        for m in range(n_packages):
            k = order[i, m]
            if m == 0 or utilities[k, j] > top:
                top = utilities[k, j]
                cur = k
            best[i, m] = cur
    return best


@njit(cache=True, nogil=True)
def _count_at_least(row, target):  # type: ignore[no-untyped-def]
    """How many entries of ``row`` (sorted descending) are >= ``target`` (bisection)."""
    lo = 0
    hi = row.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if row[mid] >= target:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, nogil=True)
def _share(x, lo, hi):  # type: ignore[no-untyped-def]
    """Where ``x`` lies in ``[lo, hi]``, as a share clipped to [0, 1]."""
    if hi > lo:
        s = (x - lo) / (hi - lo)
        return min(1.0, max(0.0, s))
    return 0.0 if x <= lo else 1.0


@njit(cache=True, nogil=True)
def _mirror(demand, cap, u_max, u_prev, u_last):  # type: ignore[no-untyped-def]
    """Relative tit-for-tat (Faratin et al. 1998, delta = 1) in own utility.

    The other's demand on me, ``u_max - u(its offer)``, went from ``u_max - u_prev`` to
    ``u_max - u_last``; my demand above my floor changes in the same proportion, capped
    at ``cap`` (where it started).
    """
    old = u_max - u_prev
    if old <= 0.0:
        return demand  # it already offered my best: nothing to reciprocate
    return min(cap, demand * (u_max - u_last) / old)


@njit(cache=True, nogil=True)
def _negotiate(  # type: ignore[no-untyped-def]
    utilities,
    order,
    sorted_u,
    static_best,
    reservation,
    estimates,
    strategy,
    exponents,
    acceptance,
    accept_param,
    rounds,
    first,
    agreed,
    package,
    when,
    trace,
):
    """Run each row's negotiation; write the outcome (and offers if ``trace`` has rows)."""
    n_packages, n = utilities.shape
    n_neg = reservation.shape[0]
    two = static_best.shape[0] > 0
    tracing = trace.shape[0] > 0
    last_round = rounds - 1
    span = float(last_round) if rounds > 1 else 1.0

    u_max = sorted_u[:, 0].copy()
    u_min = sorted_u[:, n_packages - 1].copy()
    floor = np.empty(n)
    inv_e = np.empty(n)
    demand = np.empty(n)  # tit-for-tat: target above the floor
    last_offer = np.empty(n, np.int64)
    prev_offer = np.empty(n, np.int64)
    # the time-dependent share conceded, tau^(1/e), once per round for fixed exponents
    conceded = np.empty((n, rounds))
    for i in range(n):
        for t in range(rounds):
            conceded[i, t] = (t / span if rounds > 1 else 0.0) ** (1.0 / exponents[i])
    cached_round = np.empty(n, np.int64)
    cached_pkg = np.empty(n, np.int64)
    # three or more parties: best offer on each prefix, extended lazily per negotiation
    lazy_best = np.empty((n, n_packages), np.int64)
    lazy_score = np.empty(n)
    scanned = np.empty(n, np.int64)
    # acceptance: const's bar in utility (per negotiation: it rests on the floor), and
    # combi's best offer received so far (kept only when some party needs it)
    bar = np.empty(n)
    best_seen = np.empty(n)
    any_combi = False
    for i in range(n):
        if acceptance[i] == _COMBI:
            any_combi = True

    for p in range(n_neg):
        agreed[p] = False
        package[p] = -1
        when[p] = -1
        if tracing:
            trace[p, :] = -1
        feasible = True
        for i in range(n):
            floor[i] = max(reservation[p, i], u_min[i])
            if floor[i] > u_max[i]:
                feasible = False  # no package is worth its outside option to i
        if not feasible:
            continue
        for i in range(n):
            e = exponents[i]
            if strategy[i] == _OUTSIDE_OPTION:
                # advantage: own outside option vs the best estimated rival's, as shares
                # of each party's utility range (outside-option principle, BATNA)
                rival = 0.0
                for j in range(n):
                    if j != i:
                        rival = max(rival, _share(estimates[p, i, j], u_min[j], u_max[j]))
                advantage = _share(reservation[p, i], u_min[i], u_max[i]) - rival
                e = e * OUTSIDE_OPTION_SPAN ** (-advantage)
            inv_e[i] = 1.0 / e
            demand[i] = u_max[i] - floor[i]
            last_offer[i] = -1
            prev_offer[i] = -1
            cached_round[i] = -1
            scanned[i] = 0
            best_seen[i] = -np.inf
            if acceptance[i] == _CONST:
                a = accept_param[i]
                # a = 1 must be exactly u_max ("only its best"), a = 0 exactly the floor
                bar[i] = u_max[i] if a >= 1.0 else floor[i] + a * (u_max[i] - floor[i])

        for t in range(rounds):
            prop = (first + t) % n
            clock = t / span if rounds > 1 else 1.0  # a single round is the deadline
            if strategy[prop] == _TIT_FOR_TAT:
                j = (prop + n - 1) % n  # the party that proposed just before
                if prev_offer[j] >= 0:
                    demand[prop] = _mirror(
                        demand[prop],
                        u_max[prop] - floor[prop],
                        u_max[prop],
                        utilities[prev_offer[j], prop],
                        utilities[last_offer[j], prop],
                    )
            # --- the proposer's offer (with a responder's next-offer test below, the
            # same computation: "what would party i offer at round tt with demand d")
            offer = -1
            for step in range(n):  # step 0: proposer; then each responder in turn
                i = (prop + step) % n
                if step == 0:
                    tt = t
                    d = demand[i]
                else:
                    if offer < 0:
                        break
                    ui = utilities[offer, i]
                    if ui < floor[i]:
                        offer = -2  # rejected
                        break
                    rule = acceptance[i]
                    if rule == _CONST:
                        if ui < bar[i]:
                            offer = -2
                            break
                        continue
                    if rule == _TIME:
                        if clock < accept_param[i]:
                            offer = -2
                            break
                        continue
                    if rule == _COMBI and clock >= accept_param[i] and ui >= best_seen[i]:
                        continue  # no worse than any offer before it: AC_next not needed
                    if t == last_round:
                        continue  # last round: anything at least the floor
                    tt = t + (i - prop + n) % n  # its next turn
                    if tt > last_round:
                        tt = last_round
                    d = demand[i]
                    if strategy[i] == _TIT_FOR_TAT:
                        j = (i + n - 1) % n
                        if j == prop and prev_offer[j] >= 0:
                            # the offer on the table (now j's last) is the move it
                            # would reciprocate at its next turn
                            d = _mirror(
                                d,
                                u_max[i] - floor[i],
                                u_max[i],
                                utilities[prev_offer[j], i],
                                ui,
                            )
                # target at round tt
                if strategy[i] != _TIT_FOR_TAT and cached_round[i] == tt:
                    k = cached_pkg[i]
                else:
                    if strategy[i] == _OUTSIDE_OPTION:  # its exponent is per negotiation
                        share = (tt / span if rounds > 1 else 0.0) ** inv_e[i]
                    else:
                        share = conceded[i, tt]
                    # Faratin et al. (1998): u_max - (u_max - r) * tau^(1/e)
                    target = u_max[i] - (u_max[i] - floor[i]) * share
                    if strategy[i] == _TIT_FOR_TAT:
                        target = min(target, floor[i] + d)
                    target = min(max(target, floor[i]), u_max[i])
                    length = max(_count_at_least(sorted_u[i], target), 1)
                    if two:
                        k = static_best[i, length - 1]
                    else:
                        for m in range(scanned[i], length):
                            kk = order[i, m]
                            score = np.inf
                            for j in range(n):
                                if j != i:
                                    score = min(score, utilities[kk, j] - estimates[p, i, j])
                            if m == 0 or score > lazy_score[i]:
                                lazy_score[i] = score
                                lazy_best[i, m] = kk
                            else:
                                lazy_best[i, m] = lazy_best[i, m - 1]
                        scanned[i] = max(scanned[i], length)
                        k = lazy_best[i, length - 1]
                    if strategy[i] != _TIT_FOR_TAT:
                        cached_round[i] = tt
                        cached_pkg[i] = k
                if step == 0:
                    offer = k
                    if tracing:
                        trace[p, t] = k
                    prev_offer[i] = last_offer[i]
                    last_offer[i] = k
                    if any_combi:
                        # every other party receives it; including it in the best so
                        # far is the same test as comparing with the offers before it
                        for j in range(n):
                            if j != i and utilities[k, j] > best_seen[j]:
                                best_seen[j] = utilities[k, j]
                elif utilities[offer, i] < utilities[k, i]:
                    offer = -2  # AC_next: my own next offer is worth more to me
                    break
            if offer >= 0:
                agreed[p] = True
                package[p] = offer
                when[p] = t
                break


def _validate(
    utilities: NDArray[np.float64],
    reservation: NDArray[np.float64],
    estimates: NDArray[np.float64],
    strategy: NDArray[np.int64],
    rounds: int,
    first: int,
    exponents: NDArray[np.float64] | None,
    acceptance: NDArray[np.int64] | None = None,
    acceptance_param: NDArray[np.float64] | None = None,
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.int64],
    NDArray[np.float64],
    NDArray[np.int64],
    NDArray[np.float64],
]:
    u = np.asarray(utilities, dtype=np.float64)
    if u.ndim != 2 or u.shape[0] < 1 or u.shape[1] < 2:
        raise ValueError(f"utilities: expected shape (packages >= 1, parties >= 2), got {u.shape}")
    if not np.isfinite(u).all():
        raise ValueError("utilities: every utility must be finite")
    n = u.shape[1]
    r = np.asarray(reservation, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] != n:
        raise ValueError(f"reservation: expected shape (negotiations, {n}), got {r.shape}")
    if np.isnan(r).any():
        raise ValueError("reservation: NaN outside option")
    est = np.asarray(estimates, dtype=np.float64)
    if est.shape != (r.shape[0], n, n):
        raise ValueError(f"estimates: expected shape {(r.shape[0], n, n)}, got {est.shape}")
    if np.isnan(est).any():
        raise ValueError("estimates: NaN estimate")
    s = np.asarray(strategy)
    if s.shape != (n,) or not np.issubdtype(s.dtype, np.integer):
        raise ValueError(f"strategy: expected {n} integer codes, got shape {s.shape}, {s.dtype}")
    codes = sorted(STRATEGIES.values())
    bad = [int(c) for c in s if int(c) not in codes]
    if bad:
        raise ValueError(f"strategy: unknown code(s) {bad}; known: {STRATEGIES}")
    if isinstance(rounds, bool) or not isinstance(rounds, int | np.integer) or rounds < 1:
        raise ValueError(f"rounds: expected an integer >= 1, got {rounds!r}")
    if isinstance(first, bool) or not isinstance(first, int | np.integer) or not 0 <= first < n:
        raise ValueError(f"first: expected a party index in 0..{n - 1}, got {first!r}")
    names = {code: name for name, code in STRATEGIES.items()}
    e = np.array([DEFAULT_EXPONENTS[names[int(c)]] for c in s])
    if exponents is not None:
        given = np.asarray(exponents, dtype=np.float64)
        if given.shape != (n,):
            raise ValueError(f"exponents: expected shape ({n},), got {given.shape}")
        chosen = ~np.isnan(given)
        if (given[chosen] <= 0).any() or np.isinf(given[chosen]).any():
            raise ValueError("exponents: each must be finite and > 0 (NaN keeps the default)")
        e[chosen] = given[chosen]
    rule, param = _validate_acceptance(n, acceptance, acceptance_param)
    return u, r, est, s.astype(np.int64), e, rule, param


def _validate_acceptance(
    n: int,
    acceptance: NDArray[np.int64] | None,
    acceptance_param: NDArray[np.float64] | None,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Rule codes (default ``next``) and parameters (NaN where the rule takes none)."""
    if acceptance is None:
        rule = np.zeros(n, np.int64)
    else:
        a = np.asarray(acceptance)
        if a.shape != (n,) or not np.issubdtype(a.dtype, np.integer):
            raise ValueError(
                f"acceptance: expected {n} integer codes, got shape {a.shape}, {a.dtype}"
            )
        bad = [int(c) for c in a if int(c) not in ACCEPTANCE.values()]
        if bad:
            raise ValueError(f"acceptance: unknown code(s) {bad}; known: {ACCEPTANCE}")
        rule = a.astype(np.int64)
    if acceptance_param is None:
        param = np.full(n, np.nan)
    else:
        param = np.asarray(acceptance_param, dtype=np.float64).copy()
        if param.shape != (n,):
            raise ValueError(f"acceptance_param: expected shape ({n},), got {param.shape}")
    names = {code: name for name, code in ACCEPTANCE.items()}
    for i in range(n):
        if rule[i] == ACCEPTANCE["next"]:
            param[i] = np.nan  # takes no parameter: whatever was given is not used
        elif not 0.0 <= param[i] <= 1.0:  # NaN fails too
            raise ValueError(
                f"acceptance_param: party {i} ({names[int(rule[i])]}) needs a value in "
                f"[0, 1], got {param[i]}"
            )
    return rule, param


def _run(
    utilities: NDArray[np.float64],
    reservation: NDArray[np.float64],
    estimates: NDArray[np.float64],
    strategy: NDArray[np.int64],
    rounds: int,
    first: int,
    exponents: NDArray[np.float64] | None,
    acceptance: NDArray[np.int64] | None,
    acceptance_param: NDArray[np.float64] | None,
    threads: int | None,
    tracing: bool,
) -> tuple[NDArray[np.bool_], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    u, r, est, s, e, rule, param = _validate(
        utilities, reservation, estimates, strategy, rounds, first, exponents, acceptance,
        acceptance_param,
    )  # fmt: skip
    n_packages, n = u.shape
    # each party's packages from best to worst for it (stable: lower index first)
    order = np.empty((n, n_packages), np.int64)
    sorted_u = np.empty((n, n_packages))
    for i in range(n):
        order[i] = np.argsort(-u[:, i], kind="stable")
        sorted_u[i] = u[order[i], i]
    static_best = _prefix_best_two(u, order) if n == 2 else np.empty((0, 0), np.int64)
    u = np.ascontiguousarray(u)
    r = np.ascontiguousarray(r)
    est = np.ascontiguousarray(est)
    n_neg = r.shape[0]
    agreed = np.zeros(n_neg, np.bool_)
    package = np.full(n_neg, -1, np.int64)
    when = np.full(n_neg, -1, np.int64)
    trace = np.full((n_neg if tracing else 0, int(rounds)), -1, np.int64)

    def chunk(start: int) -> None:
        stop = min(start + CHUNK, n_neg)
        _negotiate(
            u, order, sorted_u, static_best, r[start:stop], est[start:stop], s, e, rule,
            param, int(rounds), int(first), agreed[start:stop], package[start:stop],
            when[start:stop], trace[start:stop] if tracing else trace,
        )  # fmt: skip

    starts = range(0, n_neg, CHUNK)
    workers = max(1, min(threads or numba.get_num_threads(), len(starts)))
    if workers == 1:
        for start in starts:
            chunk(start)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(chunk, starts))
    return agreed, package, when, trace


def alternating(
    utilities: NDArray[np.float64],
    reservation: NDArray[np.float64],
    estimates: NDArray[np.float64],
    strategy: NDArray[np.int64],
    rounds: int,
    first: int = 0,
    *,
    exponents: NDArray[np.float64] | None = None,
    acceptance: NDArray[np.int64] | None = None,
    acceptance_param: NDArray[np.float64] | None = None,
    threads: int | None = None,
) -> tuple[NDArray[np.bool_], NDArray[np.int64], NDArray[np.int64]]:
    """Heuristic stacked alternating offers with a deadline, for many negotiations at once.

    See the module docstring for the protocol, the strategies, the offers and the
    acceptance rules.

    Parameters
    ----------
    utilities : ndarray, shape (packages, parties)
        Each package's utility to each party (the same in every negotiation).
    reservation : ndarray, shape (negotiations, parties)
        Each party's own outside option, known to itself; ``-inf`` for none.
    estimates : ndarray, shape (negotiations, parties, parties)
        ``estimates[p, i, j]``: party i's estimate of party j's outside option (the
        diagonal is not used).
    strategy : ndarray of int, shape (parties,)
        Each party's strategy, codes from :data:`STRATEGIES`.
    rounds : int
        Offers made before the talks fail (the deadline), at least 1.
    first : int
        Index of the first proposer; proposers then rotate ``first, first + 1, ...``.
    exponents : ndarray, shape (parties,), optional
        Concession exponent ``e`` per party, replacing its strategy's default
        (:data:`DEFAULT_EXPONENTS`); NaN keeps the default. For tit-for-tat it is the
        exponent of its deadline tactic, for the outside-option strategy ``e0``.
    acceptance : ndarray of int, shape (parties,), optional
        Each party's acceptance rule, codes from :data:`ACCEPTANCE` (default: ``next``
        for every party, the rule of earlier versions).
    acceptance_param : ndarray, shape (parties,), optional
        The rule's parameter, in [0, 1]: ``const``'s ``alpha`` (the share of the way
        from the party's floor to its best package that an offer must reach),
        ``time``'s and ``combi``'s ``T`` (the share of the deadline after which they
        relax). Required for those rules; ignored (may be NaN) for ``next``.
    threads : int, optional
        Threads sharing the negotiations (default: numba's thread count). Results do
        not depend on it.

    Returns
    -------
    agreed : ndarray of bool, shape (negotiations,)
    package : ndarray of int, shape (negotiations,)
        The agreed package, -1 if none.
    round : ndarray of int, shape (negotiations,)
        The 0-based round whose offer was accepted, -1 if none.

    Raises
    ------
    ValueError
        On inconsistent shapes, unknown strategy or acceptance codes, NaN inputs,
        ``rounds < 1``, ``first`` out of range, non-positive exponents, or a missing or
        out-of-range acceptance parameter.
    """
    agreed, package, when, _ = _run(
        utilities, reservation, estimates, strategy, rounds, first, exponents, acceptance,
        acceptance_param, threads, False,
    )  # fmt: skip
    return agreed, package, when


def alternating_trace(
    utilities: NDArray[np.float64],
    reservation: NDArray[np.float64],
    estimates: NDArray[np.float64],
    strategy: NDArray[np.int64],
    rounds: int,
    first: int = 0,
    *,
    exponents: NDArray[np.float64] | None = None,
    acceptance: NDArray[np.int64] | None = None,
    acceptance_param: NDArray[np.float64] | None = None,
    threads: int | None = None,
) -> tuple[NDArray[np.bool_], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """:func:`alternating` that also returns every offer made (for small cases).

    Returns
    -------
    agreed, package, round : ndarray
        As :func:`alternating`.
    offers : ndarray of int, shape (negotiations, rounds)
        The package offered in each round (by party ``(first + t) % parties``), -1 once
        the talks are over or when some party has no package worth its outside option
        (then no one offers). ``utilities[offers[p, t]]`` are the offered utilities.
    """
    return _run(
        utilities, reservation, estimates, strategy, rounds, first, exponents, acceptance,
        acceptance_param, threads, True,
    )  # fmt: skip
