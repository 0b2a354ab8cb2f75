"""Fearon's costly lottery: the war is decided in one step.

Side A wins with probability ``p_win``; every party pays its cost of war. With the
payoff accounting of :mod:`detente.engines.base` and no discounting, A's expected
payoff is ``p - c_A`` and B's is ``1 - p - c_B`` in stake units (when A's victory is
A's ideal package and B's victory B's).

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.engines import _kernel, _truce
from detente.engines.base import Engine, Parameter, Plan, Variable
from detente.scenario.model import LotteryWar, Scenario


@njit(cache=True, nogil=True)
def _lottery_kernel(  # type: ignore[no-untyped-def]
    p_win, rng, cost, delta, u_sq, u_win, n_checkpoints,
    event, winner, end_step, payoff, accrued, alive, truce,
):  # fmt: skip
    for i in range(p_win.shape[0]):
        if n_checkpoints > 0:
            _kernel.mark_live_checkpoint(accrued, alive, i, 0, 0, cost, u_sq, delta)
        # Fearon 1995: war is a lottery won by A with probability p.
        won = rng.random() < p_win[i]  # drawn on every path, so streams stay aligned
        if _truce.paused(truce, i, 0):  # settled before the lottery is fought
            _truce.pay_flows(payoff, i, 1, cost, u_sq, delta, truce)
            _truce.pay_end_of_truce(payoff, i, 1, delta, truce)
            end_step[i] = 1
            continue
        _kernel.pay_flows(payoff, i, 1, cost, u_sq, delta)
        side = 0 if won else 1
        event[i] = _kernel.DECISIVE
        winner[i] = side
        end_step[i] = 1
        _kernel.pay_victory(payoff, i, 1, side, u_win, delta)


class Lottery(Engine):
    """One-step costly lottery (Fearon 1995)."""

    name: ClassVar[str] = "lottery"
    fixed_horizon: ClassVar[int | None] = 1
    supports_truce: ClassVar[bool] = True

    def parameters(self, scenario: Scenario) -> list[Parameter]:
        """``p_win``: probability that side A wins."""
        assert isinstance(scenario.war, LotteryWar)
        return [("p_win", scenario.war.p_win)]

    def features(self, scenario: Scenario) -> list[str]:
        """No state: the war is decided at once."""
        return []

    def variables(self, scenario: Scenario) -> list[Variable]:
        """No state variables."""
        return []

    def run_block(
        self,
        scenario: Scenario,
        params: NDArray[np.float64],
        inputs: dict[str, Any],
        rng: np.random.Generator,
        plan: Plan,
        out: dict[str, NDArray[Any]],
    ) -> None:
        """Draw each path's winner and settle its payoffs."""
        _lottery_kernel(
            np.ascontiguousarray(params[:, 0]), rng, inputs["cost"], inputs["delta"],
            inputs["u_sq"], inputs["u_win"], len(plan.checkpoints),
            out["event"], out["winner"], out["end_step"], out["payoff"],
            out["accrued"], out["alive"], inputs["truce"],
        )  # fmt: skip
