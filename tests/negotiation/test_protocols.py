"""The protocols on small, hand-made domains where the answer is known.

No war is simulated here: outside options, beliefs and private information are given,
so the results have no Monte Carlo error and can be checked tightly.
"""

import itertools

import numpy as np
import pytest

from detente.bargaining.space import SettlementSpace
from detente.negotiation.equilibrium import equilibrium
from detente.negotiation.mediated import mediated
from detente.negotiation.menu import menu_of, table_menu
from detente.negotiation.terms import Stakes
from detente.negotiation.ultimatum import ultimatum


def simplex(parties, steps):
    """Every division of a pie of size 1 among ``parties``, in units of 1/steps."""
    rows = [c for c in itertools.product(range(steps + 1), repeat=parties) if sum(c) == steps]
    return np.array(rows, dtype=float) / steps


@pytest.mark.parametrize("delta", [0.5, 0.7])
def test_three_player_unanimity_stationary_shares(delta):
    # Rotating proposer, unanimity, common discount: the proposer offers the next
    # proposer delta * v1 and the one after delta**2 * v1, so v1 (1 + delta + delta**2)
    # = 1 (the stationary split; Baron & Ferejohn 1989 with unanimity). On a grid of
    # step h each responder's share is rounded up: the proposer loses at most 2h per
    # round, and those losses compound by at most 1 / (1 - delta).
    h = 1 / 300
    menu = table_menu(simplex(3, 300))
    stakes = Stakes.plain(np.zeros((1, 3)), discount=np.full((1, 3), delta))
    proposers = np.array([r % 3 for r in range(300)])
    agreed, _, utilities, when = equilibrium(menu, stakes, proposers)
    v1 = 1 / (1 + delta + delta**2)
    assert agreed[0] and when[0] == 0
    tol = 2 * h / (1 - delta)
    assert utilities[0] == pytest.approx([v1, delta * v1, delta**2 * v1], abs=tol)


def test_equilibrium_with_no_deal_worth_having():
    # B's outside option exceeds anything A can offer and still keep its own: no deal.
    menu = table_menu(simplex(2, 100))
    stakes = Stakes.plain(np.array([[0.5, 0.6]]), discount=np.full((1, 2), 0.9))
    agreed, terms, _, when = equilibrium(menu, stakes, np.array([0, 1, 0, 1]))
    assert not agreed[0] and when[0] == -1 and np.isnan(terms[0]).all()


def test_deal_gives_every_responder_its_outside_option():
    rng = np.random.default_rng(3)
    u = rng.random((400, 3))
    own = rng.random((50, 3)) * 0.6
    stakes = Stakes.plain(own, discount=np.full((50, 3), 0.95))
    agreed, _, utilities, _ = equilibrium(table_menu(u), stakes, np.array([0, 1, 2] * 4))
    assert agreed.any()
    assert (utilities[agreed] >= own[agreed] - 1e-12).all()


def test_ultimatum_risk_return_on_a_known_distribution():
    # Fearon (1995): A demands x of a pie, B's cost is uniform on [0, c_bar] and private.
    # Rows are B's types at evenly spaced quantiles; A's estimate of B's outside option is
    # its mean, and the private part is the spread around it.
    p, c_a, c_bar, n = 0.4, 0.05, 0.35, 20_000
    x = np.linspace(0, 1, 2001)
    menu = table_menu(np.stack([x, 1 - x], axis=1))
    cost = (np.arange(n) + 0.5) / n * c_bar
    own = np.stack([np.full(n, p - c_a), 1 - p - cost], axis=1)
    believed = np.repeat(own[:, None, :], 2, axis=1)
    believed[:, 0, 1] = 1 - p - c_bar / 2
    deviation = np.stack([np.zeros(n), c_bar / 2 - cost], axis=1)
    stakes = Stakes.plain(own, believed=believed, deviation=deviation)
    agreed, terms, utilities, _ = ultimatum(menu, stakes, 0)
    assert np.unique(terms[:, 0]).size == 1  # one demand (a package index), made to every type
    demand = utilities[0, 0]
    assert demand == pytest.approx(p + (c_bar - c_a) / 2, abs=2e-3)
    assert 1 - agreed.mean() == pytest.approx((c_bar - c_a) / (2 * c_bar), abs=6e-3)
    # every type accepts exactly when the demand leaves it its outside option
    assert ((1 - demand >= own[:, 1]) == agreed).all()


def test_ultimatum_without_private_information_leaves_the_responder_indifferent():
    x = np.linspace(0, 1, 101)
    menu = table_menu(np.stack([x, 1 - x], axis=1))
    agreed, _, utilities, _ = ultimatum(menu, Stakes.plain(np.array([[0.3, 0.25]])), 0)
    assert agreed[0] and utilities[0] == pytest.approx([0.75, 0.25])


def logrolling_space():
    """Two issues of 11 levels; A cares most about the first, B about the second.

    A values level l at l / 10 on both issues, B at 1 - l / 10; weights (0.8, 0.2) and
    (0.2, 0.8). The neutral text (5, 5) gives both 0.5; trading the issues -- A's way on
    the first, B's on the second -- gives both 0.8.
    """
    levels = np.arange(11) / 10
    first = np.stack([0.8 * levels, 0.2 * (1 - levels)], axis=1)
    second = np.stack([0.2 * levels, 0.8 * (1 - levels)], axis=1)
    names = tuple(str(k) for k in range(11))
    return SettlementSpace(("A", "B"), ("first", "second"), (names, names), (first, second))


def test_mediator_finds_the_trade_across_issues():
    menu = menu_of(logrolling_space())
    assert tuple(menu.choices[menu.neutral(2)]) == (5, 5)
    own = np.array([[0.6, 0.6], [0.7, 0.55], [0.85, 0.85]])
    agreed, terms, utilities, when = mediated(menu, Stakes.plain(own), rounds=20)
    assert agreed.tolist() == [True, True, False]  # both 0.85 is beyond the frontier
    assert (utilities[:2] >= own[:2] - 1e-12).all()
    assert (utilities[:2] >= 0.5 - 1e-12).all()  # every text improves on the neutral one
    assert (when[:2] > 0).all() and when[2] == -1
    assert (terms[:2, 0] > 5).all() and (terms[:2, 1] < 5).all()  # A's way, then B's


def test_mediator_stops_at_the_first_text_no_one_objects_to():
    menu = menu_of(logrolling_space())
    agreed, terms, _, when = mediated(menu, Stakes.plain(np.array([[0.4, 0.45]])), rounds=20)
    assert agreed[0] and when[0] == 0 and tuple(terms[0]) == (5, 5)
    # with a single text tabled, talks end with it
    agreed, _, _, _ = mediated(menu, Stakes.plain(np.array([[0.6, 0.6]])), rounds=1)
    assert not agreed[0]


def pressed_stakes(own, pressed, patron_reserve):
    """Client 1 pressed by a patron in column 2 (not a required party)."""
    plain = Stakes.plain(own, discount=np.full(own.shape, 0.9))
    return Stakes(
        own=np.hstack([own, np.full((len(own), 1), patron_reserve)]),
        believed=plain.believed, discount=plain.discount,
        entry=np.array([-1, 0], np.int64), patrons=np.array([[2]], np.int64),
        pressed=np.asarray(pressed, float).reshape(-1, 1), deviation=plain.deviation,
    )  # fmt: skip


def test_pressure_lowers_the_client_reservation_only_for_deals_the_patron_backs():
    # A pie between A and B (x to A); the patron likes x: u_P = x, and backs a deal iff
    # x >= its outside option 0.55. B's outside option 0.6 (x <= 0.4) clashes with A's
    # 0.5 (x >= 0.5), but without the patron's aid B's would be 0.3 (x <= 0.7).
    x = np.linspace(0, 1, 101)
    menu = table_menu(np.stack([x, 1 - x, x], axis=1))
    own = np.array([[0.5, 0.6]])
    rounds = np.array([0, 1, 0, 1])  # A proposes first
    free = equilibrium(menu, Stakes.plain(own, discount=np.full((1, 2), 0.9)), rounds)
    assert not free[0][0]
    stakes = pressed_stakes(own, [[0.3]], 0.55)
    agreed, _, utilities, _ = equilibrium(menu, stakes, rounds)
    assert agreed[0]
    # backed (x >= 0.55), and B gets what it would get talking on without the aid
    assert 0.55 - 1e-9 <= utilities[0, 0] <= 0.7 + 1e-9
    # a patron that backs nothing (outside option 0.9 > any x it would be offered) is no threat
    assert not equilibrium(menu, pressed_stakes(own, [[0.3]], 1.1), rounds)[0][0]
    # nor is a cut of aid that would leave the client better off
    assert not equilibrium(menu, pressed_stakes(own, [[0.7]], 0.55), rounds)[0][0]
