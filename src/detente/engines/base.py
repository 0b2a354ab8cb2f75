"""The engine interface: scenario parameters and random streams in, war histories out.

Every engine turns a scenario into a *kernel* -- scalar per-path code compiled with
numba -- that advances a block of paths through the horizon and reports, per path:

* the terminal event (ongoing, decisive victory of a side, collapse of a side,
  catastrophic escalation) and the step it happened;
* each party's total discounted payoff (see below);
* at every checkpoint, the engine's *state features* (what the bargaining layer
  regresses future payoffs on), the payoff accrued so far, and whether the war goes on;
* the final value of each state variable, and a histogram of each variable at every
  band step (from which quantile bands are built without keeping paths x steps).

Payoff accounting, in units of each party's whole stake (utilities in [0, 1], see
:mod:`detente.scenario.utility`): per step a party receives ``delta**t * ((1 - delta) *
u(status quo) - cost)``; at the end ``T`` it receives ``delta**T * u(outcome)``, the
winner's ideal package after a decisive victory or the status quo at the horizon.
With no discounting (``delta = 1``, the default) this is the lump-sum accounting of
Fearon (1995): outcome minus the costs paid; with ``delta < 1`` it is the per-period
form of Powell (2004) and Slantchev (2003a), normalised so that a permanent settlement
``x`` is worth ``u(x)``.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*,
49(3), 379-414. Powell, R. (2004). Bargaining and learning while fighting. *American
Journal of Political Science*, 48(2), 344-361. Slantchev, B. L. (2003a). The power to
hurt. *American Political Science Review*, 97(1), 123-133.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from detente.scenario import values
from detente.scenario.model import Scenario
from detente.scenario.values import Distribution

ONGOING, DECISIVE, COLLAPSE, ESCALATION = 0, 1, 2, 3
"""Terminal event codes of a path: still at war, a side won, a side collapsed, escalation."""


class EngineError(RuntimeError):
    """An engine was asked for something it does not do (exit code 1 in the CLI)."""


@dataclass(frozen=True)
class Variable:
    """A state variable recorded at the horizon and in quantile bands.

    ``low`` and ``high`` bound the fixed-range histogram of its bands.
    """

    name: str
    party: str | None
    low: float
    high: float
    banded: bool = True  # recorded in per-step bands (else only at the horizon)

    @property
    def label(self) -> str:
        """``force.A`` or ``front``."""
        return self.name if self.party is None else f"{self.name}.{self.party}"


@dataclass(frozen=True)
class Plan:
    """When things happen: horizon, checkpoints, band steps."""

    horizon: int
    checkpoints: NDArray[np.int64]
    band_stride: int

    @property
    def band_steps(self) -> NDArray[np.int64]:
        """Steps at which bands are recorded: 0, stride, 2 stride, ... up to the horizon."""
        return np.arange(0, self.horizon + 1, self.band_stride, dtype=np.int64)

    @classmethod
    def for_scenario(cls, scenario: Scenario, horizon: int, max_bands: int = 1000) -> Plan:
        """Checkpoints every ``checkpoint_every`` steps; at most ``max_bands`` band steps."""
        every = scenario.time.checkpoint_every
        checkpoints = np.arange(0, horizon, every, dtype=np.int64)
        return cls(horizon, checkpoints, max(1, -(-horizon // max_bands)))


Parameter = tuple[str, "float | Distribution"]


class Engine(abc.ABC):
    """A war process: declares its parameters and variables and runs a block of paths."""

    name: ClassVar[str]
    fixed_horizon: ClassVar[int | None] = None
    supports_truce: ClassVar[bool] = False  # can pause for a ceasefire (engines._truce)

    @abc.abstractmethod
    def parameters(self, scenario: Scenario) -> list[Parameter]:
        """The engine's per-path parameters, in the fixed order they are drawn."""

    @abc.abstractmethod
    def features(self, scenario: Scenario) -> list[str]:
        """Names of the state features recorded at checkpoints."""

    @abc.abstractmethod
    def variables(self, scenario: Scenario) -> list[Variable]:
        """State variables recorded at the horizon and in bands."""

    def moving_in_truce(self, scenario: Scenario) -> list[str]:
        """The features that keep changing while the guns are silent.

        Production, recruitment and politics go on in a ceasefire; the front and what
        fighting reveals do not. The commitment-problem check projects shifts of power
        along these only. None, unless an engine says otherwise.
        """
        return []

    @abc.abstractmethod
    def run_block(
        self,
        scenario: Scenario,
        params: NDArray[np.float64],
        inputs: dict[str, Any],
        rng: np.random.Generator,
        plan: Plan,
        out: dict[str, NDArray[Any]],
    ) -> None:
        """Advance one block of paths through the horizon, filling ``out`` in place."""


def scratch_buffer(
    scratch: dict[str, Any], key: str, shape: tuple[int, ...], dtype: type = np.float64
) -> NDArray[Any]:
    """The buffer ``key`` of ``shape`` kept in a thread's ``scratch`` dict, made if missing.

    A worker thread keeps its scratch dict from block to block (``run_war``), so large
    per-block arrays are reused: fresh ones would be page-faulted in again every block.
    Whoever takes a buffer must not keep it beyond the block.
    """
    buffer: NDArray[Any] | None = scratch.get(key)
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        buffer = scratch[key] = np.empty(shape, dtype)
    return buffer


def band_range(q: float | Distribution) -> tuple[float, float]:
    """A finite range covering a quantity's values (its 1e-6 and 1 - 1e-6 quantiles)."""
    lo, hi = values.support(q)
    if not np.isfinite(lo):
        lo = float(values.ppf(q, np.array([1e-6]))[0])
    if not np.isfinite(hi):
        hi = float(values.ppf(q, np.array([1 - 1e-6]))[0])
    return lo, hi
