"""A front moved by engagements: the gambler's ruin of wartime bargaining models.

Each step is one engagement that side A wins with probability ``p_win``; a win moves
the front (A's share of the contested ground) up by ``step``, a loss down by ``step``.
The front is absorbing at 1 (A decisive) and 0 (B decisive). The position is kept as
a whole number of steps from the start, so that absorption is exact whatever the
rounding of ``start + k * step``: with ``n_up = ceil((1 - start) / step)`` wins in
excess A holds everything, with ``n_down = ceil(start / step)`` losses B does.

Closed forms (Feller 1968, ch. XIV): with ``q = 1 - p``, ``r = q / p``, starting
``k`` steps above 0 out of ``N``, A wins with probability ``(1 - r**k) / (1 - r**N)``
(``k / N`` when ``p = 1/2``) after ``k / (q - p) - N / (q - p) * (1 - r**k) / (1 - r**N)``
engagements on average (``k (N - k)`` when ``p = 1/2``).

Each party may hold a Beta(alpha, beta) belief about ``p_win`` and update it by
Bayes' rule from the outcomes both sides see: ``alpha += w``, ``beta += 1 - w``
(Smith & Stam 2004, non-common priors). A party without a prior knows ``p_win``.

References
----------
Feller, W. (1968). *An Introduction to Probability Theory and Its Applications*, vol. 1,
3rd ed. Wiley. Smith, A., & Stam, A. C. (2004). Bargaining and the nature of war.
*Journal of Conflict Resolution*, 48(6), 783-813. Slantchev, B. L. (2003). The power to
hurt. *American Political Science Review*, 97(1), 123-133.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.engines import _kernel, _random, _truce
from detente.engines.base import Engine, Parameter, Plan, Variable
from detente.scenario import utility, values
from detente.scenario.model import BattlesWar, ContinuousIssue, ContinuousPosition, Scenario

_EPS = 1e-9  # tolerance when counting how many steps reach an edge


@njit(cache=True, nogil=True)
def _belief(alpha, beta, p):  # type: ignore[no-untyped-def]
    # Posterior mean of a Beta(alpha, beta) belief; NaN alpha means "knows p".
    return p if math.isnan(alpha) else alpha / (alpha + beta)


@njit(cache=True, nogil=True)
def _battles_kernel(  # type: ignore[no-untyped-def]
    params, key, cost, delta, u_sq, u_win, horizon, checkpoints, stride,
    event, winner, end_step, payoff, final, features, accrued, alive,
    band_hist, band_sum, tail_hist, tail_sum, band_lo, band_hi,
    holds, base, xs, vs, truce,
):  # fmt: skip
    n_ckpt = checkpoints.shape[0]
    n_parties = payoff.shape[1]
    acc = np.zeros(n_parties)  # flows so far, when they follow the front
    disc = np.ones(n_parties)
    stream = np.zeros(4, np.uint64)
    for i in range(params.shape[0]):
        _random.seed_path(stream, key, i)
        p, start, step = params[i, 0], params[i, 1], params[i, 2]
        a_a, b_a, a_b, b_b = params[i, 3], params[i, 4], params[i, 5], params[i, 6]
        n_up = math.ceil((1.0 - start) / step - _EPS)
        n_down = math.ceil(start / step - _EPS)
        k = 0
        front = start
        side = -1
        if n_up <= 0:
            side, front = 0, 1.0
        elif n_down <= 0:
            side, front = 1, 0.0
        t_end = 0
        c = 0
        t = 0
        acc[:] = 0.0
        disc[:] = 1.0
        _kernel.record_band(band_hist, 0, 0, front, band_lo, band_hi)
        band_sum[0, 0] += front
        while side < 0 and t < horizon:
            if c < n_ckpt and checkpoints[c] == t:
                features[i, c, 0] = front
                features[i, c, 1] = _belief(a_a, b_a, p)
                features[i, c, 2] = _belief(a_b, b_b, p)
                if holds:
                    accrued[i, c, :] = acc
                    alive[i, c] = 1
                else:
                    _truce.mark_live_checkpoint(accrued, alive, i, c, t, cost, u_sq, delta, truce)
                c += 1
            quiet = _truce.paused(truce, i, t)
            if holds:  # this step is worth the ground as it is held (Wagner 2000), or the deal
                for j in range(n_parties):
                    if quiet:
                        acc[j] += disc[j] * (1.0 - delta[i, j]) * truce[2][i, j]
                    else:
                        held = base[j] + np.interp(front, xs[j], vs[j])
                        acc[j] += disc[j] * ((1.0 - delta[i, j]) * held - cost[i, j])
                    disc[j] *= delta[i, j]
            if quiet:  # a ceasefire: no engagement this step
                t += 1
                if t % stride == 0:
                    _kernel.record_band(band_hist, 0, t // stride, front, band_lo, band_hi)
                    band_sum[0, t // stride] += front
                continue
            # One engagement: a Bernoulli(p) win for A moves the front by one step.
            w = 1.0 if _random.uniform(stream) < p else 0.0
            k += 1 if w > 0.0 else -1
            if not math.isnan(a_a):
                a_a += w
                b_a += 1.0 - w
            if not math.isnan(a_b):
                a_b += w
                b_b += 1.0 - w
            t += 1
            if k >= n_up:
                side, front = 0, 1.0
            elif k <= -n_down:
                side, front = 1, 0.0
            else:
                front = min(max(start + k * step, 0.0), 1.0)
            if t % stride == 0:
                _kernel.record_band(band_hist, 0, t // stride, front, band_lo, band_hi)
                band_sum[0, t // stride] += front
        t_end = t
        end_step[i] = t_end
        if holds:
            payoff[i, :] += acc
        else:
            _truce.pay_flows(payoff, i, t_end, cost, u_sq, delta, truce)
        if side < 0 and _truce.paused(truce, i, t_end):
            _truce.pay_end_of_truce(payoff, i, t_end, delta, truce)
        elif side >= 0:
            event[i] = _kernel.DECISIVE
            winner[i] = side
            _kernel.pay_victory(payoff, i, t_end, side, u_win, delta)
        elif holds:  # at the horizon, the ground as held from then on
            for j in range(n_parties):
                held = base[j] + np.interp(front, xs[j], vs[j])
                payoff[i, j] += disc[j] * held
        else:
            _kernel.pay_status_quo(payoff, i, t_end, u_sq, delta)
        while c < n_ckpt:  # the war is over: its state stays as it ended
            features[i, c, 0] = front
            features[i, c, 1] = _belief(a_a, b_a, p)
            features[i, c, 2] = _belief(a_b, b_b, p)
            _kernel.mark_checkpoint(accrued, alive, payoff, i, c, 0)
            c += 1
        _kernel.record_frozen(tail_hist, tail_sum, 0, t_end // stride + 1, front, band_lo, band_hi)
        final[i, 0] = front


class Battles(Engine):
    """Front moved by engagements, absorbing at 0 and 1, with Beta-Bernoulli learning."""

    name: ClassVar[str] = "battles"
    supports_truce: ClassVar[bool] = True

    def parameters(self, scenario: Scenario) -> list[Parameter]:
        """``p_win``, ``front.start``, ``front.step``, then each side's prior (NaN: none)."""
        war = scenario.war
        assert isinstance(war, BattlesWar)
        sides = scenario.sides()
        assert sides is not None
        found: list[Parameter] = [
            ("p_win", war.p_win),
            ("front.start", war.front.start),
            ("front.step", war.front.step),
        ]
        for side in sides:
            prior = war.prior.get(side)
            found += [
                (f"prior.{side}.alpha", prior.alpha if prior else math.nan),
                (f"prior.{side}.beta", prior.beta if prior else math.nan),
            ]
        return found

    def features(self, scenario: Scenario) -> list[str]:
        """The front and each side's expected ``p_win``."""
        sides = scenario.sides()
        assert sides is not None
        return ["front", *(f"belief.{s}" for s in sides)]

    def variables(self, scenario: Scenario) -> list[Variable]:
        """The front, on [0, 1]."""
        return [Variable("front", None, 0.0, 1.0)]

    def run_block(
        self,
        scenario: Scenario,
        params: NDArray[np.float64],
        inputs: dict[str, Any],
        rng: np.random.Generator,
        plan: Plan,
        out: dict[str, NDArray[Any]],
    ) -> None:
        """Fight every path of the block to absorption or the horizon."""
        lo, hi = np.array([0.0]), np.array([1.0])
        base, xs, vs = held_ground(scenario)
        _battles_kernel(
            params, _random.block_key(rng), inputs["cost"], inputs["delta"], inputs["u_sq"],
            inputs["u_win"],
            plan.horizon, plan.checkpoints, plan.band_stride,
            out["event"], out["winner"], out["end_step"], out["payoff"], out["final"],
            out["features"], out["accrued"], out["alive"],
            out["band_hist"], out["band_sum"], out["tail_hist"], out["tail_sum"], lo, hi,
            base is not None,
            np.zeros(1) if base is None else base,
            np.zeros((1, 2)) if xs is None else xs,
            np.zeros((1, 2)) if vs is None else vs,
            inputs["truce"],
        )  # fmt: skip


def held_ground(
    scenario: Scenario,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] | tuple[None, None, None]:
    """How each party values the ground held, if the front decides an issue (``holds``).

    Returns each party's utility of the status quo without that issue (``base``), and
    the issue's weighted value as a piecewise-linear function of the front (breakpoints
    ``xs`` on [0, 1] -> values ``vs``, one row per party, padded by repeating the last).
    The front's [0, 1] maps onto the issue's range. Other issues stay at their (mean)
    status quo.
    """
    war = scenario.war
    assert isinstance(war, BattlesWar)
    if war.holds is None:
        return None, None, None
    issue = scenario.issues[war.holds]
    assert isinstance(issue, ContinuousIssue)
    low, high = issue.range
    rows = []
    base = []
    for party in scenario.parties:
        w = utility.weights(scenario, party)[war.holds]
        pos = issue.positions.get(party)
        if w == 0.0 or not isinstance(pos, ContinuousPosition):
            points = np.array([low, high])
            v = np.zeros(2)
        else:
            inner = [p for p, _ in pos.value.points] if not isinstance(pos.value, str) else []
            points = np.unique(np.clip([low, high, pos.ideal, *inner], low, high))
            v = w * utility.continuous_value(issue, pos, points)
        rows.append(((points - low) / (high - low), v))
        now = utility.status_quo_utility(scenario, party, {})[0]
        if issue.status_quo is not None and isinstance(pos, ContinuousPosition):
            now -= w * float(utility.continuous_value(issue, pos, values.mean(issue.status_quo)))
        base.append(now)
    width = max(len(x) for x, _ in rows)
    xs = np.array([np.pad(x, (0, width - len(x)), mode="edge") for x, _ in rows])
    vs = np.array([np.pad(v, (0, width - len(v)), mode="edge") for _, v in rows])
    return np.array(base), xs, vs
