"""The full war of attrition: every mechanism of shared/seed/MAP.md.

Forces, materiel, industry, patrons, sanctions, economy, society, escalation, shocks.

Per step (one week by default), for sides ``s`` in {A, B} (``-s`` is the other side);
each line names the mechanism switch in ``war.mechanisms`` and the source (numbers are
those of shared/research/MODELS.md §9.2):

1. Supply-limited effectiveness (``materiel``; U1, Lanchester with logistics): demand
   ``D_sc = use_sc * F_s / 1000``; use ``U_sc = min(S_sc, D_sc)``;
   ``e_s = sum_c w_sc (U_sc / D_sc) ** eta / sum_c w_sc`` (1 when off).
2. Combat power (U2): ``M_s = q_s * F_s * e_s * shock_s``.
3. Engagement (U3-U4; Tullock 1980 contest success function; Smith & Stam 2004 front):
   ``p = M_A**nu / (M_A**nu + M_B**nu)``, ``w ~ Bernoulli(p)``,
   ``X <- clip(X + kappa (2w - 1) + sigma_X N(0, 1), 0, 1)``; ``X`` is A's share of the
   contested ground, absorbing at 0 and 1.
4. Attrition (U5; stochastic Lanchester, Kingman 2002): ``L_s ~ Poisson(lethality_-s *
   M_-s)``; ``F_s <- F_s - L_s + arrivals_s``. With every mechanism off this is a
   stochastic square law with ``beta = lethality_B * q_B`` -- the textbook core.
5. Recruitment (``recruitment``; U5 pipeline, MAP L10): the intake ``m_s`` is the
   contract recruits ``c_s`` plus the mobilised. Contract recruits come from a pool ``P_s``
   of persons willing to sign: ``c_s(t) = min(contract * left_s / P_s, left_s)``,
   ``left_s <- left_s - c_s(t)``, so ``c_s(t) = contract (1 - contract / P_s)**t`` while
   ``contract <= P_s`` (no limit without a pool).
   Recruits reach the front through a first-order delay (Sterman 2000, ch. 11), full at
   step 0: ``arrivals_s <- arrivals_s + (m_s - arrivals_s) / (1 + training_s)``, a
   geometric time in training of mean ``training_s`` steps; the pipeline holds
   ``training_s * arrivals_s`` persons. Mobilisation costs stability (MAP L10).
6. Production (``production``; U6, CSIS surge lags): ``K_sc <- K_sc + (cap_sc - K_sc) /
   ramp_sc``; ``S_sc <- S_sc - U_sc + K_sc * input_s + aid_sc``; B's ``input`` falls with
   sanctioned imports: ``input_B = 1 - import_dependence (1 - m)``.
7. Patrons (``patrons``; U7, Mueller 1973 cost/futility decay, a hypothesis):
   ``P_j <- clip(P_j + drift - fatigue * d log(1 + C_j) - futility * max(0, -dX_client)
   + cohesion (mean P - P_j) + noise N(0, 1) + jumps, 0, 1)``; aid flows at
   ``a_j = sigmoid((P_j - midpoint) / steepness)`` of the full rate, limited by the
   patron's own stockpile; ``C_j`` counts weeks of full aid given (its money cost).
8. Red lines (``red_lines``; §7.2, Schelling 1966, Tarar 2016): a class gated by a red
   line flows only while ``P_j >= threshold + deterrence * signals``; B's deterrent
   signals (a doctrine change, a new missile; MAP L9) arrive with probability ``signal``
   per step. The first delivery of a gated class is a crossing.
9. Escalation (``escalation``; §7.2 and U14, Powell 2015, Schram 2025): a crossing
   climbs a rung with probability ``climb``; rungs come down with probability
   ``descend``; catastrophe strikes with probability ``1 - exp(-lambda)``,
   ``lambda = base_hazard * exp(rung_effect * E + desperation_effect * D_B)``, ``D_B``
   being B's share of the ground lost since step 0, or at once on the top rung.
10. Sanctions (``sanctions``; §8.2, Chupilkin et al. 2023, Han 2012): leakage
    ``L = L_max exp(-k e c)``, ``c`` the trade-weighted compliance of third parties;
    sanctioned-import index ``m = (1 - sigma (1 - L)) / (1 + pi)``,
    ``pi = markup * sigma * (1 - L / L_max)``; export revenue index
    ``R = (1 - sigma_x (1 - L)) (1 - discount)``; B's output ``Y = input_B``.
11. Economy (``economy``; derived): deficit ``d_s = deficit + revenue_at_risk (1 - R)
    - money aid`` (% GDP/yr) drains the fiscal buffer by ``d_s / 52`` per week; once it
    is empty the deficit is monetised; inflation moves towards
    ``base + import_passthrough (1 / m - 1) + money_passthrough * monetised`` with
    time constant ``inertia``.
12. Domestic stability (``stability``; MAP L12, derived): ``St_s <- St_s + recovery
    (1 - St_s) - casualties * 100 L_s / F_s0 - inflation * max(0, pi_s - target) / 52
    - territory * 100 max(0, -dX_s) - mobilisation cost``; below ``threshold`` the side
    collapses.
13. Shocks (``shocks``): with probability ``p`` per step a shock scales a side's
    combat power by ``1 + effect`` for ``duration`` steps.
14. Beliefs (U9, Smith & Stam 2004): each party's Beta belief over A's weekly win
    probability is updated with ``w``; a party without a prior knows ``p``.

Ceasefire (:mod:`detente.engines._truce`; DESIGN.md §5). While a deal holds on a path,
steps 3, 4 and 13 and the escalation ladder stop: no engagement, no losses, no ground
changes hands, no materiel is used, no signal, rung or hazard. Everything else goes on
-- recruits arrive, factories produce, patrons' support drifts and their aid flows
(rearmament), sanctions and the economy run, stability recovers or erodes with inflation
-- and step 1 still computes each side's supply-limited power, the strength it would
bring back to the war. So the longer a ceasefire, the more the balance can move, which
is what the negotiation layer's breakdown hazard (the commitment problem) reads. The
deal's terms do not yet change the engine's own parameters (sanctions relief or a cap
on aid stay at their war-time rules); each party is paid the deal's value instead.

Random variates. Each path draws from its own stream (:mod:`detente.engines._random`,
keyed by block and path), in a fixed order, so the same seed gives the same numbers for
any thread count, and a path re-run with a ceasefire keeps its history up to the deal.
Events that are a Bernoulli trial of constant probability each week -- shocks, random
patron events, deterrent signals, coming down a rung -- are drawn as geometric waiting
times (the number of failed trials before the next success, by inversion; Devroye 1986,
ch. X.2) and counted down, instead of a uniform per trial: the same law with one draw
per event. The catastrophe is the first event of a Poisson process of weekly rate
``lambda``: it strikes when the cumulative hazard passes a unit exponential drawn once
per path, which gives exactly ``P(strike in week t | none before) = 1 -
exp(-lambda_t)``. Both are changes of method, not of model: every event keeps the
probability the equations give it. (Losses with a mean of 1,000 or more are, as before,
the rounded normal with the Poisson's mean and variance; see ``POISSON_EXACT_BELOW``.)

Numerics. The kernel computes the equations in algebraically equivalent forms that
cost less: ``r**eta`` and the contest's power as ``exp(eta log r)``; ``log(1 + C)`` for
``log1p(C)`` (``C >= 0``); ``delta**t`` at evenly spaced checkpoints by one product
each; every constant (sanctions' effects, deficits before aid, the reciprocal of the
class weights) once per path. A week's combat -- steps 1-4 and 13 -- is one section of
the weekly loop, marked as such. Where the time goes, and what was measured and not
adopted, is in ``benchmarks/README.md``.

References
----------
Devroye, L. (1986). *Non-Uniform Random Variate Generation*. Springer.
Lanchester, F. W. (1916). *Aircraft in Warfare*. Tullock, G. (1980). Efficient
rent seeking. Kingman, J. F. C. (2002). Stochastic aspects of Lanchester's theory of
warfare. *J. Appl. Prob.* 39(3). Smith, A. & Stam, A. C. (2004). Bargaining and the
nature of war. *JCR* 48(6). Mueller, J. (1973). *War, Presidents and Public Opinion*.
Schelling, T. (1966). *Arms and Influence*. Sterman, J. D. (2000). *Business Dynamics*
(McGraw-Hill), ch. 11 (material delays). Powell, R. (2015). Nuclear brinkmanship,
limited war, and military power. *IO* 69(3). Chupilkin, M., Javorcik, B. &
Plekhanov, A. (2023). The Eurasian roundabout. EBRD WP 281. Han, B. (2012). A theory
of economic sanctions. KIEP WP 12-03. Cancian, M. et al. (2021). *Industrial
Mobilization* (CSIS).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit
from numpy.typing import NDArray

from detente.engines import _kernel, _random, _truce
from detente.engines.base import Engine, Parameter, Plan, Variable, band_range, scratch_buffer
from detente.scenario import values
from detente.scenario.attrition import MATERIEL, AttritionWar, Mechanisms
from detente.scenario.model import Patron as PatronParty
from detente.scenario.model import Scenario

# --- parameter layout (per path, drawn from the scenario's possibly uncertain values) -------

SIDE_FIELDS = (
    "troops", "quality", "lethality", "contract", "mobilisation", "mobilisation_cost",
    "stability.start", "stability.threshold", "stability.recovery", "stability.casualties",
    "stability.inflation", "stability.territory", "deficit", "revenue_at_risk",
    "fiscal_buffer", "inflation", "inflation_base", "inflation_target", "import_passthrough",
    "money_passthrough", "inertia", "supply_elasticity", "training", "pool",
)  # fmt: skip
(TROOPS, QUALITY, LETHALITY, CONTRACT, MOBILISATION, MOB_COST, ST_START, ST_THRESHOLD,
 ST_RECOVERY, ST_CASUALTIES, ST_INFLATION, ST_TERRITORY, DEFICIT, REV_RISK, BUFFER, INFL,
 INFL_BASE, INFL_TARGET, IMP_PASS, MON_PASS, INERTIA, ETA, TRAINING,
 POOL) = range(len(SIDE_FIELDS))  # fmt: skip
CLASS_FIELDS = ("stock", "use", "production", "capacity", "ramp", "weight")
C_STOCK, C_USE, C_PROD, C_CAP, C_RAMP, C_WEIGHT = range(len(CLASS_FIELDS))
PATRON_FIELDS = (
    "support", "drift", "cost_fatigue", "futility", "noise", "midpoint", "steepness", "money",
    "cohesion",
)  # fmt: skip
P_SUPPORT, P_DRIFT, P_FATIGUE, P_FUTILITY, P_NOISE, P_MID, P_STEEP, P_MONEY, P_COHESION = range(
    len(PATRON_FIELDS)
)
PATRON_CLASS_FIELDS = ("aid", "stockpile", "threshold", "deterrence")
PC_AID, PC_STOCK, PC_THRESHOLD, PC_DETERRENCE = range(len(PATRON_CLASS_FIELDS))
GLOBAL_FIELDS = (
    "front.start", "front.step", "front.noise", "front.decisiveness",
    "sanctions.coverage", "sanctions.export_coverage", "sanctions.enforcement",
    "sanctions.leakage", "sanctions.deterrence", "sanctions.markup", "sanctions.discount",
    "sanctions.import_dependence", "third_parties.compliance",
    "escalation.base_hazard", "escalation.rung_effect", "escalation.desperation_effect",
    "escalation.climb", "escalation.descend", "escalation.signal", "escalation.cost",
    "prior.A.alpha", "prior.A.beta", "prior.B.alpha", "prior.B.beta",
)  # fmt: skip
(G_FRONT, G_KAPPA, G_NOISE, G_NU, G_SIGMA, G_SIGMA_X, G_ENFORCE, G_LMAX, G_KE, G_MARKUP,
 G_DISCOUNT, G_IMPDEP, G_COMPLIANCE, G_HAZARD, G_RUNG, G_DESP, G_CLIMB, G_DESCEND, G_SIGNAL,
 G_CATASTROPHE, G_PAA, G_PBA, G_PAB, G_PBB) = range(len(GLOBAL_FIELDS))  # fmt: skip
N_CLASSES = len(MATERIEL)
ARTILLERY = MATERIEL.index("artillery")

# --- state layout (one vector per path; features and variables are selections of it) -------

(X, BELIEF_A, BELIEF_B, TROOPS_A, TROOPS_B, SUPPLY_A, SUPPLY_B, STAB_A, STAB_B, RUNG_,
 INFL_A, INFL_B, BUF_A, BUF_B, OUTPUT_A, OUTPUT_B, ART_A, ART_B, CAS_A,
 CAS_B) = range(20)  # fmt: skip
SUPPORT0 = 20

MECHANISM_NAMES = tuple(Mechanisms.model_fields)
(M_RECRUIT, M_MATERIEL, M_PRODUCTION, M_PATRONS, M_RED_LINES, M_ESCALATION, M_SANCTIONS,
 M_ECONOMY, M_STABILITY, M_SHOCKS) = range(len(MECHANISM_NAMES))  # fmt: skip

MAX_EVENTS = 8
PER_WEEK = 1.0 / 52.0  # yearly rates (deficits, inflation) to one weekly step
EDGE = 1e-9
"""The front counts as at an edge within this distance (sums of steps are not exact)."""


POISSON_EXACT_BELOW = 1000.0
"""Mean from which weekly losses are drawn from the normal approximation of the Poisson.

Above 1,000 expected losses a week the Poisson's skewness is below 0.032, and the
rounded normal with the same mean and variance (Gillespie 2000) is indistinguishable at
the scale of an army, at a tenth of the cost.
"""

TRACE_PATHS = 1024
"""Paths whose banded values are buffered before they are counted into the histograms.

A multiple of 4 (see :func:`detente.engines._kernel.histogram_chunk`). 1,024 paths
make a buffer of 5.6 MB for the default's 105 bands of 13 variables: two threads'
buffers stay in the 32 MB L3 cache, where two of 4,096 paths (45 MB) did not (about
4 % of the run on two threads; see ``benchmarks/README.md``).
"""
TRACE_PAD = 16
"""Padding of the buffer's rows, so that a path's values do not all fall in one cache set."""


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _contest(power_a, power_b, nu):  # type: ignore[no-untyped-def]
    """Tullock's contest success function, ``M_A**nu / (M_A**nu + M_B**nu)``.

    Written as ``1 / (1 + (M_B / M_A)**nu)``, one power instead of two, and the power as
    ``exp(nu log(M_B / M_A))``, which glibc computes faster than ``pow``.
    """
    if power_a <= 0.0:
        return 0.5 if power_b <= 0.0 else 0.0
    ratio = power_b / power_a
    return 1.0 / (1.0 + (ratio if nu == 1.0 else math.exp(nu * math.log(ratio))))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _log_q(p):  # type: ignore[no-untyped-def]
    """``log(1 - p)`` for :func:`_waiting`: 0 if the event never happens, -inf if always."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return -math.inf
    return math.log1p(-p)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _waiting(u, log_q):  # type: ignore[no-untyped-def]
    """Trials until a Bernoulli event of probability ``1 - exp(log_q)``, from a uniform ``u``.

    Returns ``w`` such that trial ``k`` (from 0) is the first success iff ``k <= w < k + 1``:
    ``w = log(1 - u) / log(1 - p)``, so ``P(w >= k) = (1 - p)**k`` -- the geometric law of
    the failures before the first success, by inversion (Devroye 1986, X.2). A kernel
    counts ``w`` down by one per trial instead of drawing a uniform per trial.
    """
    if log_q == 0.0:
        return math.inf
    if log_q == -math.inf:
        return 0.0
    return math.log1p(-u) / log_q


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _sigmoid(z):  # type: ignore[no-untyped-def]
    return 1.0 / (1.0 + math.exp(-z))


@njit(cache=True, nogil=True, error_model="numpy")
def _attrition_kernel(  # type: ignore[no-untyped-def]
    sp, cp, pp, pcp, gp, clients, events, n_events, shocks, rungs, rung0, mech, breakpoint,
    target, esc_side, key, cost, delta, u_sq, u_win, horizon, checkpoints, stride,
    feat_idx, var_idx, band_idx,
    event, winner, end_step, payoff, final, features, accrued, alive,
    band_hist, band_sum, trace, band_lo, band_hi, truce,
):  # fmt: skip
    # Arrays are only indexed here, never handed to helper functions inside the weekly
    # loop: numba reference-counts an array passed to a function (two atomic operations),
    # which in this loop cost as much as a tenth of the run.
    n = sp.shape[0]
    n_bands = trace.shape[0]
    chunk = trace.shape[2] - TRACE_PAD
    n_pat = pp.shape[1]
    n_parties = payoff.shape[1]
    n_ckpt = checkpoints.shape[0]
    n_shocks = shocks.shape[0]
    n_feat = feat_idx.shape[0]
    n_banded = band_idx.shape[0]
    on_recruit, on_materiel, on_production = mech[M_RECRUIT], mech[M_MATERIEL], mech[M_PRODUCTION]
    on_patrons, on_red_lines, on_escalation = mech[M_PATRONS], mech[M_RED_LINES], mech[M_ESCALATION]
    on_economy, on_stability, on_shocks = mech[M_ECONOMY], mech[M_STABILITY], mech[M_SHOCKS]
    state = np.zeros(SUPPORT0 + n_pat)  # what bands, features and finals read; kept current
    band_part = np.zeros((n_banded, n_bands, 4))  # partial band sums (_kernel.histogram_chunk)
    stream = np.zeros(4, np.uint64)  # the path's own random stream (engines._random)
    spare = np.zeros(2)  # the second normal of a polar pair (_random.normal_kept)
    stock = np.zeros((2, N_CLASSES))
    kap = np.zeros((2, N_CLASSES))
    use = np.zeros((2, N_CLASSES))
    pstock = np.zeros((max(n_pat, 1), N_CLASSES))
    crossed = np.zeros((max(n_pat, 1), N_CLASSES), np.bool_)
    cum = np.zeros(max(n_pat, 1))
    log_cum_prev = np.zeros(max(n_pat, 1))
    shock_left = np.zeros(max(n_shocks, 1), np.int64)
    shock_wait = np.zeros(max(n_shocks, 1))
    event_wait = np.zeros((max(n_pat, 1), MAX_EVENTS))
    log_delta = np.zeros(n_parties)
    d_every = np.zeros(n_parties)  # delta**ckpt_every, and delta**power_t
    d_power = np.zeros(n_parties)
    ckpt_every = checkpoints[1] - checkpoints[0] if n_ckpt > 1 else 0
    troops0 = np.zeros(2)
    inv_troops0 = np.zeros(2)
    arrivals = np.zeros(2)  # each side's recruits reaching the front a step
    pool_left = np.zeros(2)  # each side's willing persons not yet signed (inf: no pool)
    power = np.zeros(2)
    losses = np.zeros(2)
    deficit0 = np.zeros(2)
    settle0 = np.zeros(2)
    ab = np.zeros(4)
    aid_money = np.zeros(2)
    inv_weights = np.zeros(2)
    n_active = np.zeros(2, np.int64)  # each side's classes that are used, weighted or made
    active = np.zeros((2, N_CLASSES), np.int64)
    event_at = np.full((max(n_pat, 1), MAX_EVENTS), -1, np.int64)  # scheduled events' steps
    for j in range(n_pat):
        for k in range(n_events[j]):
            if events[j, k, 0] >= 0:
                event_at[j, k] = int(events[j, k, 0])
    inv_n_pat = 1.0 / n_pat if n_pat > 0 else 0.0
    # Bernoulli trials of constant probability are drawn as waiting times (see _waiting)
    shock_log_q = np.zeros(max(n_shocks, 1))
    for k in range(n_shocks):
        shock_log_q[k] = _log_q(shocks[k, 1])
    event_log_q = np.zeros((max(n_pat, 1), MAX_EVENTS))
    for j in range(n_pat):
        for k in range(n_events[j]):
            event_log_q[j, k] = _log_q(events[j, k, 1])
    for i in range(n):
        ii = i % chunk  # this path's column of the band buffer
        _random.seed_path(stream, key, i)
        spare[0] = 0.0
        has_truce = truce[0][i] >= 0  # a deal silences the guns for a while (engines._truce)
        # --- initial state ---
        x = gp[i, G_FRONT]
        held0 = x if esc_side == 0 else 1.0 - x  # the escalating side's ground at step 0
        rung = float(rung0)
        signals = 0.0
        state[X] = x
        state[RUNG_] = rung
        for s in range(2):
            troops0[s] = sp[i, s, TROOPS]
            inv_troops0[s] = 1.0 / troops0[s]
            # recruiting was under way before step 0 at the step-0 intake: a full pipeline
            arrivals[s] = sp[i, s, CONTRACT] + sp[i, s, MOBILISATION]
            pool_left[s] = sp[i, s, POOL]
            state[TROOPS_A + s] = sp[i, s, TROOPS]
            state[CAS_A + s] = 0.0
            state[STAB_A + s] = sp[i, s, ST_START]
            state[INFL_A + s] = sp[i, s, INFL]
            state[BUF_A + s] = sp[i, s, BUFFER]
            state[SUPPLY_A + s] = 1.0
            weights = 0.0
            n_active[s] = 0
            for c in range(N_CLASSES):
                stock[s, c] = cp[i, s, c, C_STOCK]
                kap[s, c] = cp[i, s, c, C_PROD]
                if cp[i, s, c, C_WEIGHT] > 0.0:
                    weights += cp[i, s, c, C_WEIGHT]
                aided = False  # a patron may send it
                for j in range(n_pat):
                    aided |= clients[j] == s and pcp[i, j, c, PC_AID] > 0.0
                if (cp[i, s, c, C_WEIGHT] > 0.0 or cp[i, s, c, C_USE] != 0.0 or aided
                        or cp[i, s, c, C_PROD] != 0.0 or cp[i, s, c, C_CAP] != 0.0):  # fmt: skip
                    active[s, n_active[s]] = c
                    n_active[s] += 1
            inv_weights[s] = 1.0 / weights if weights > 0.0 else 0.0
            state[ART_A + s] = stock[s, ARTILLERY]
        for j in range(n_pat):
            state[SUPPORT0 + j] = pp[i, j, P_SUPPORT]
            cum[j] = 0.0
            log_cum_prev[j] = 0.0
            for c in range(N_CLASSES):
                pstock[j, c] = pcp[i, j, c, PC_STOCK]
                crossed[j, c] = False
        for k in range(n_shocks):
            shock_left[k] = 0
            shock_wait[k] = _waiting(_random.uniform(stream), shock_log_q[k])
        for j in range(n_pat):
            for k in range(n_events[j]):
                event_wait[j, k] = _waiting(_random.uniform(stream), event_log_q[j, k])
        signal_log_q = _log_q(gp[i, G_SIGNAL])
        descend_log_q = _log_q(gp[i, G_DESCEND])
        signal_wait = _waiting(_random.uniform(stream), signal_log_q)
        descend_wait = _waiting(_random.uniform(stream), descend_log_q)
        # catastrophe: the first event of a Poisson process of rate `hazard`, i.e. when the
        # cumulative hazard passes a unit exponential threshold
        threshold = _random.exponential(stream)
        cum_hazard = 0.0
        hazard_rung = gp[i, G_HAZARD] * math.exp(gp[i, G_RUNG] * rung0)  # the hazard at no loss
        for q in range(4):
            ab[q] = gp[i, G_PAA + q]
        for j in range(n_parties):  # for the payoff flows at checkpoints
            d = delta[i, j]
            log_delta[j] = math.log(d) if d != 1.0 else 0.0
            d_every[j] = math.exp(ckpt_every * log_delta[j])
            d_power[j] = 1.0
        power_t = 0  # the step of d_power
        # beliefs before any engagement: the prior means, or the contest odds at full supply
        p = _contest(sp[i, 0, QUALITY] * troops0[0], sp[i, 1, QUALITY] * troops0[1], gp[i, G_NU])
        # 10. sanctions (section 8.2); their drivers are constant, so is their effect
        m_index, r_index, markup = 1.0, 1.0, 0.0
        side_input = 1.0
        if mech[M_SANCTIONS]:
            sigma = gp[i, G_SIGMA]
            l_max = gp[i, G_LMAX]
            leak = l_max * math.exp(-gp[i, G_KE] * gp[i, G_ENFORCE] * gp[i, G_COMPLIANCE])
            markup = gp[i, G_MARKUP] * sigma * (1.0 - leak / l_max) if l_max > 0 else 0.0
            m_index = (1.0 - sigma * (1.0 - leak)) / (1.0 + markup)
            r_index = (1.0 - gp[i, G_SIGMA_X] * (1.0 - leak)) * (1.0 - gp[i, G_DISCOUNT])
            side_input = 1.0 - gp[i, G_IMPDEP] * (1.0 - m_index)
        # 11. the economy's constant drivers: the deficit before aid, inflation before money
        for s in range(2):
            state[OUTPUT_A + s] = side_input if s == target else 1.0
            revenue = r_index if s == target else 1.0
            deficit0[s] = sp[i, s, DEFICIT] + sp[i, s, REV_RISK] * (1.0 - revenue)
            imports = 1.0 / m_index - 1.0 if (s == target and m_index > 0.0) else 0.0
            settle0[s] = sp[i, s, INFL_BASE] + sp[i, s, IMP_PASS] * imports
        outcome, side_won = _kernel.ONGOING, -1
        t = 0
        c_next = 0
        band, band_t = 0, 0  # the next band and its step
        while True:
            if t == band_t:  # a band step (integer division is slow: counters instead)
                for v in range(n_banded):
                    trace[band, v, ii] = state[band_idx[v]]
                band += 1
                band_t += stride
            if outcome != _kernel.ONGOING or t == horizon:
                break
            if c_next < n_ckpt and checkpoints[c_next] == t:
                state[BELIEF_A] = p if math.isnan(ab[0]) else ab[0] / (ab[0] + ab[1])
                state[BELIEF_B] = p if math.isnan(ab[2]) else ab[2] / (ab[2] + ab[3])
                for f in range(n_feat):
                    features[i, c_next, f] = state[feat_idx[f]]
                for j in range(n_parties):  # payoff flows so far (_kernel.flows)
                    d = delta[i, j]
                    if has_truce:  # war, deal, war again: each piece in closed form
                        accrued[i, c_next, j] = _truce.flows(i, j, t, cost, u_sq, delta, truce)
                    elif d == 1.0 or t == 0:
                        accrued[i, c_next, j] = -cost[i, j] * t
                    else:  # d**t, by one product a checkpoint when they are evenly spaced
                        if t - power_t == ckpt_every:
                            d_power[j] *= d_every[j]
                        else:
                            d_power[j] = math.exp(t * log_delta[j])
                        kept = 1.0 - d_power[j]
                        accrued[i, c_next, j] = u_sq[i, j] * kept - cost[i, j] * kept / (1.0 - d)
                power_t = t
                alive[i, c_next] = 1
                c_next += 1
            # ---- combat: steps 1-4 and 13, everything a week of fighting does ----
            # 1-2. supply-limited combat power (U1-U2); in a ceasefire too, as the power
            # each side could field if the war resumed (a feature the deal is judged by)
            for s in range(2):
                f_s = state[TROOPS_A + s]
                e_s = 1.0
                if on_materiel:
                    eff = 0.0
                    eta = sp[i, s, ETA]
                    for a in range(n_active[s]):
                        c = active[s, a]
                        demand = cp[i, s, c, C_USE] * f_s * 0.001
                        have = stock[s, c]
                        short = have < demand
                        use[s, c] = have if short else demand
                        w_c = cp[i, s, c, C_WEIGHT]
                        if w_c > 0.0:
                            ratio = 1.0
                            if short:  # a shortfall: (supply / demand) ** eta
                                ratio = have / demand
                                if eta != 1.0:  # exp(log) is quicker than pow
                                    ratio = math.exp(eta * math.log(ratio))
                            eff += w_c * ratio
                    if inv_weights[s] > 0.0:
                        e_s = eff * inv_weights[s]
                state[SUPPLY_A + s] = e_s
                power[s] = sp[i, s, QUALITY] * f_s * e_s
            quiet = has_truce and _truce.paused(truce, i, t)
            if not quiet:
                if on_shocks:  # 13. exogenous shocks
                    for k in range(n_shocks):
                        if shock_left[k] > 0:
                            power[int(shocks[k, 0])] *= 1.0 + shocks[k, 2]
                            shock_left[k] -= 1
                        elif shock_wait[k] < 1.0:  # the shock strikes
                            shock_left[k] = int(shocks[k, 3])
                            shock_wait[k] = _waiting(_random.uniform(stream), shock_log_q[k])
                        else:
                            shock_wait[k] -= 1.0
                # 3. engagement and front (U3-U4; Tullock contest)
                p = _contest(power[0], power[1], gp[i, G_NU])
                won = 1.0 if _random.uniform(stream) < p else 0.0
                for q in range(2):  # 14. Beta-Bernoulli beliefs (U9)
                    if not math.isnan(ab[2 * q]):
                        ab[2 * q] += won
                        ab[2 * q + 1] += 1.0 - won
                x_prev = x
                shift = gp[i, G_KAPPA] * (2.0 * won - 1.0)
                if gp[i, G_NOISE] > 0.0:
                    shift += gp[i, G_NOISE] * _random.normal_kept(stream, spare)
                x = min(max(x_prev + shift, 0.0), 1.0)
                state[X] = x
                dx = x - x_prev
                # 4. attrition (U5; stochastic Lanchester): Poisson losses, or for a mean above
                # POISSON_EXACT_BELOW the rounded normal with its mean and variance
                for s in range(2):
                    mean = sp[i, 1 - s, LETHALITY] * power[1 - s]
                    loss = 0.0
                    if mean >= POISSON_EXACT_BELOW:
                        z = _random.normal_kept(stream, spare)
                        loss = max(math.floor(mean + math.sqrt(mean) * z + 0.5), 0.0)
                    elif mean > 0.0:
                        loss = float(_random.poisson(stream, mean))
                    losses[s] = min(loss, state[TROOPS_A + s])
            else:  # a ceasefire: nobody fights, uses up materiel, loses men or ground
                dx = 0.0
                for s in range(2):
                    losses[s] = 0.0
                    for a in range(n_active[s]):
                        use[s, active[s, a]] = 0.0
            # ---- end of combat ----
            # 5. recruitment (U5): contract recruits from what is left of the pool, and the
            # pipeline's first-order delay. A constant intake leaves `arrivals` exactly as
            # it is (m - arrivals is 0), so without a pool the front gets the intake.
            for s in range(2):
                arriving = 0.0
                if on_recruit:
                    signed = sp[i, s, CONTRACT]
                    if pool_left[s] < math.inf:  # a finite pool: the share of it left
                        # (at most all of it, when a step's intake exceeds the pool)
                        signed = min(signed * pool_left[s] / sp[i, s, POOL], pool_left[s])
                        pool_left[s] -= signed
                    intake = signed + sp[i, s, MOBILISATION]
                    arrivals[s] += (intake - arrivals[s]) * sp[i, s, TRAINING]  # 1/(1+training)
                    arriving = arrivals[s]
                state[TROOPS_A + s] = max(state[TROOPS_A + s] - losses[s] + arriving, 0.0)
                state[CAS_A + s] += losses[s]
            # 7-8. patrons: support, red lines, aid
            aid_money[0] = 0.0
            aid_money[1] = 0.0
            crossing = False
            if on_patrons:
                mean_support = 0.0
                for j in range(n_pat):
                    mean_support += state[SUPPORT0 + j] * inv_n_pat
                for j in range(n_pat):
                    client = clients[j]
                    sup = state[SUPPORT0 + j]
                    lost = -dx if client == 0 else dx  # ground the client lost this step
                    sup += pp[i, j, P_DRIFT] - pp[i, j, P_FUTILITY] * max(lost, 0.0)
                    sup += pp[i, j, P_COHESION] * (mean_support - sup)
                    if pp[i, j, P_NOISE] > 0.0:
                        sup += pp[i, j, P_NOISE] * _random.normal_kept(stream, spare)
                    for k in range(n_events[j]):
                        fired = t == event_at[j, k]
                        if not fired and events[j, k, 1] > 0:  # a random event's trial
                            if event_wait[j, k] < 1.0:
                                fired = True
                                u = _random.uniform(stream)
                                event_wait[j, k] = _waiting(u, event_log_q[j, k])
                            else:
                                event_wait[j, k] -= 1.0
                        if fired:
                            sup += events[j, k, 2]
                    rate = _sigmoid((sup - pp[i, j, P_MID]) * pp[i, j, P_STEEP])  # 1 / steepness
                    cum[j] += rate
                    if pp[i, j, P_FATIGUE] > 0.0:  # d log(1 + C_j), C_j = weeks of full aid
                        log_cum = math.log(1.0 + cum[j])  # C_j >= 0: log1p's precision unneeded
                        sup -= pp[i, j, P_FATIGUE] * (log_cum - log_cum_prev[j])
                        log_cum_prev[j] = log_cum
                    sup = min(max(sup, 0.0), 1.0)
                    state[SUPPORT0 + j] = sup
                    for c in range(N_CLASSES):
                        full = pcp[i, j, c, PC_AID]
                        if full <= 0.0:
                            continue
                        line = pcp[i, j, c, PC_THRESHOLD]
                        if on_red_lines and line >= 0.0:
                            if sup < line + pcp[i, j, c, PC_DETERRENCE] * signals:
                                continue
                            if not crossed[j, c]:
                                crossed[j, c] = True
                                crossing = True
                        sent = min(full * rate, pstock[j, c])
                        pstock[j, c] -= sent
                        stock[client, c] += sent
                    aid_money[client] += pp[i, j, P_MONEY] * rate
            for s in range(2):
                # 6. materiel use and production (U6)
                for a in range(n_active[s]):  # (the others stay at zero)
                    c = active[s, a]
                    if on_materiel:
                        stock[s, c] -= use[s, c]
                    if on_production:
                        kap[s, c] += (cp[i, s, c, C_CAP] - kap[s, c]) * cp[i, s, c, C_RAMP]
                        stock[s, c] += kap[s, c] * state[OUTPUT_A + s]
                state[ART_A + s] = stock[s, ARTILLERY]
                # 11. economy: the deficit drains the buffer, then is monetised
                if on_economy:
                    state[BUF_A + s] -= (deficit0[s] - aid_money[s]) * PER_WEEK
                    monetised = 0.0
                    if state[BUF_A + s] < 0.0:
                        monetised = -state[BUF_A + s] * 52.0
                        state[BUF_A + s] = 0.0
                    settle = settle0[s] + sp[i, s, MON_PASS] * monetised
                    state[INFL_A + s] += (settle - state[INFL_A + s]) * sp[i, s, INERTIA]
                # 12. domestic stability
                if on_stability:
                    st = state[STAB_A + s]
                    st += sp[i, s, ST_RECOVERY] * (1.0 - st)
                    st -= sp[i, s, ST_CASUALTIES] * 100.0 * losses[s] * inv_troops0[s]
                    gap = state[INFL_A + s] - sp[i, s, INFL_TARGET]
                    st -= sp[i, s, ST_INFLATION] * max(gap, 0.0) * PER_WEEK
                    lost = -dx if s == 0 else dx
                    st -= sp[i, s, ST_TERRITORY] * 100.0 * max(lost, 0.0)
                    if on_recruit:
                        st -= sp[i, s, MOB_COST] * sp[i, s, MOBILISATION] / 1e5
                    state[STAB_A + s] = min(max(st, 0.0), 1.0)
            # 8-9. deterrent signals and the escalation ladder (section 7.2)
            catastrophe = False
            if on_escalation and not quiet:  # no signals, rungs or hazard in a ceasefire
                if signal_wait < 1.0:  # a deterrent signal
                    signals += 1.0
                    signal_wait = _waiting(_random.uniform(stream), signal_log_q)
                else:
                    signal_wait -= 1.0
                moved = False
                if crossing and _random.uniform(stream) < gp[i, G_CLIMB]:
                    rung += 1.0
                    moved = True
                elif rung > 0:  # a trial to come down a rung
                    if descend_wait < 1.0:
                        rung -= 1.0
                        moved = True
                        descend_wait = _waiting(_random.uniform(stream), descend_log_q)
                    else:
                        descend_wait -= 1.0
                if moved:
                    state[RUNG_] = rung
                    hazard_rung = gp[i, G_HAZARD] * math.exp(gp[i, G_RUNG] * rung)
                if rung >= rungs:
                    catastrophe = True
                elif gp[i, G_HAZARD] > 0.0:
                    held = x if esc_side == 0 else 1.0 - x
                    desperation = max(held0 - held, 0.0)  # ground the escalating side lost
                    hazard = hazard_rung
                    if desperation > 0.0:
                        hazard = gp[i, G_HAZARD] * math.exp(
                            gp[i, G_RUNG] * rung + gp[i, G_DESP] * desperation
                        )
                    cum_hazard += hazard
                    catastrophe = cum_hazard >= threshold
            t += 1
            # terminal events
            if catastrophe:
                outcome = _kernel.ESCALATION
            elif x >= 1.0 - EDGE:
                outcome, side_won = _kernel.DECISIVE, 0
            elif x <= EDGE:
                outcome, side_won = _kernel.DECISIVE, 1
            else:
                for s in range(2):
                    if state[TROOPS_A + s] <= breakpoint * troops0[s]:
                        outcome, side_won = _kernel.DECISIVE, 1 - s
                        break
                    if on_stability and state[STAB_A + s] < sp[i, s, ST_THRESHOLD]:
                        outcome, side_won = _kernel.COLLAPSE, 1 - s
                        break
        state[BELIEF_A] = p if math.isnan(ab[0]) else ab[0] / (ab[0] + ab[1])
        state[BELIEF_B] = p if math.isnan(ab[2]) else ab[2] / (ab[2] + ab[3])
        end_step[i] = t
        _truce.pay_flows(payoff, i, t, cost, u_sq, delta, truce)
        event[i] = outcome
        winner[i] = side_won
        if outcome == _kernel.ESCALATION:
            _kernel.pay_catastrophe(payoff, i, t, u_sq, delta, gp[i, G_CATASTROPHE])
        elif side_won >= 0:
            _kernel.pay_victory(payoff, i, t, side_won, u_win, delta)
        elif has_truce and _truce.paused(truce, i, t):  # the deal holds from the horizon on
            _truce.pay_end_of_truce(payoff, i, t, delta, truce)
        else:
            _kernel.pay_status_quo(payoff, i, t, u_sq, delta)
        while c_next < n_ckpt:
            for f in range(n_feat):
                features[i, c_next, f] = state[feat_idx[f]]
            _kernel.mark_checkpoint(accrued, alive, payoff, i, c_next, 0)
            c_next += 1
        for b in range(band, n_bands):  # the war is over: its state stays
            for v in range(n_banded):
                trace[b, v, ii] = state[band_idx[v]]
        for v in range(var_idx.shape[0]):
            final[i, v] = state[var_idx[v]]
        if ii == chunk - 1 or i == n - 1:  # count a full buffer of paths into the bands
            _kernel.histogram_chunk(trace, ii + 1, band_hist, band_part, band_lo, band_hi)
    _kernel.add_partial_sums(band_part, band_sum)


class Attrition(Engine):
    """The full war of attrition; see the module docstring for its equations."""

    name: ClassVar[str] = "attrition"
    supports_truce: ClassVar[bool] = True

    def _war(self, scenario: Scenario) -> tuple[AttritionWar, tuple[str, str], list[str]]:
        war, sides = scenario.war, scenario.sides()
        assert isinstance(war, AttritionWar) and sides is not None
        return war, sides, list(war.patrons)

    def parameters(self, scenario: Scenario) -> list[Parameter]:
        """Side, side-by-class, patron, patron-by-class and global values, in that order."""
        war, sides, patrons = self._war(scenario)
        found: list[Parameter] = []
        for side in sides:
            block = war.belligerents[side]
            st, eco, rec = block.stability, block.economy, block.recruitment
            found += [
                (f"{side}.troops", block.troops), (f"{side}.quality", block.quality),
                (f"{side}.lethality", block.lethality),
                (f"{side}.recruitment.contract", rec.contract),
                (f"{side}.recruitment.mobilisation", rec.mobilisation),
                (f"{side}.recruitment.mobilisation_cost", rec.mobilisation_cost),
                (f"{side}.stability.start", st.start),
                (f"{side}.stability.threshold", st.threshold),
                (f"{side}.stability.recovery", 0.01 if st.recovery is None else st.recovery),
                (f"{side}.stability.casualties", st.casualties),
                (f"{side}.stability.inflation", st.inflation),
                (f"{side}.stability.territory", st.territory),
                (f"{side}.economy.deficit", eco.deficit),
                (f"{side}.economy.revenue_at_risk", eco.revenue_at_risk),
                (f"{side}.economy.fiscal_buffer", eco.fiscal_buffer),
                (f"{side}.economy.inflation", eco.inflation),
                (f"{side}.economy.inflation_base", eco.inflation_base),
                (f"{side}.economy.inflation_target", eco.inflation_target),
                (f"{side}.economy.import_passthrough", eco.import_passthrough),
                (f"{side}.economy.money_passthrough", eco.money_passthrough),
                (f"{side}.economy.inertia", eco.inertia),
                (f"{side}.supply_elasticity", block.supply_elasticity),
                (f"{side}.recruitment.training", rec.training),
                (f"{side}.recruitment.pool", math.inf if rec.pool is None else rec.pool),
            ]  # fmt: skip
        for side in sides:
            materiel = war.belligerents[side].materiel
            for cls in MATERIEL:
                m = materiel.get(cls)
                for field in CLASS_FIELDS:
                    default = 52.0 if field == "ramp" else 0.0
                    found.append((f"{side}.materiel.{cls}.{field}",
                                  getattr(m, field) if m else default))  # fmt: skip
        for name in patrons:
            patron = war.patrons[name]
            found += [(f"patrons.{name}.{f}", getattr(patron, f)) for f in PATRON_FIELDS]
        for name in patrons:
            patron = war.patrons[name]
            for cls in MATERIEL:
                line = patron.red_lines.get(cls)
                found += [
                    (f"patrons.{name}.aid.{cls}", patron.aid.get(cls, 0.0)),
                    (f"patrons.{name}.stockpile.{cls}", patron.stockpile.get(cls, math.inf)),
                    (f"patrons.{name}.red_lines.{cls}.threshold",
                     line.threshold if line else -1.0),
                    (f"patrons.{name}.red_lines.{cls}.deterrence",
                     line.deterrence if line else 0.0),
                ]  # fmt: skip
        sanctions, esc = war.sanctions, war.escalation
        trade = sum(values.mean(tp.trade_share) for tp in war.third_parties.values())
        compliance = (
            sum(values.mean(tp.trade_share) * values.mean(tp.compliance)
                for tp in war.third_parties.values()) / trade
            if trade > 0 else 1.0
        )  # fmt: skip
        priors = [war.prior.get(side) for side in sides]
        found += [
            ("front.start", war.front.start), ("front.step", war.front.step),
            ("front.noise", war.front.noise), ("front.decisiveness", war.front.decisiveness),
        ]  # fmt: skip
        sanction_fields = ("coverage", "export_coverage", "enforcement", "leakage", "deterrence",
                           "markup", "discount", "import_dependence")  # fmt: skip
        found += [
            (f"sanctions.{f}", getattr(sanctions, f) if sanctions else 0.0) for f in sanction_fields
        ]
        found.append(("third_parties.compliance", compliance))
        found += [
            (f"escalation.{f}", getattr(esc, f))
            for f in ("base_hazard", "rung_effect", "desperation_effect", "climb", "descend",
                      "signal", "cost")
        ]  # fmt: skip
        for side, prior in zip(sides, priors, strict=True):
            found += [
                (f"prior.{side}.alpha", prior.alpha if prior else math.nan),
                (f"prior.{side}.beta", prior.beta if prior else math.nan),
            ]
        return found

    @staticmethod
    def _client(scenario: Scenario, patron: str, sides: tuple[str, str]) -> str:
        """The side a patron supplies (the scenario checks guarantee there is one)."""
        party = scenario.parties[patron]
        assert isinstance(party, PatronParty)
        return next(s for s in party.supports if s in sides)

    def moving_in_truce(self, scenario: Scenario) -> list[str]:
        """Forces, supply, stability, the economy and patrons' support keep moving."""
        return [
            f
            for f in self.features(scenario)
            if f.split(".")[0] in ("troops", "supply", "stability", "inflation",
                                   "fiscal_buffer", "support")
        ]  # fmt: skip

    def features(self, scenario: Scenario) -> list[str]:
        """What the bargaining layer can regress on, per checkpoint."""
        war, (a, b), patrons = self._war(scenario)
        target = (a, b)[war.sanctioned_side((a, b))]
        return [
            "front", f"belief.{a}", f"belief.{b}", f"troops.{a}", f"troops.{b}",
            f"supply.{a}", f"supply.{b}", f"stability.{a}", f"stability.{b}", "rung",
            f"inflation.{target}", f"fiscal_buffer.{target}", *(f"support.{p}" for p in patrons),
        ]  # fmt: skip

    def _feature_index(self, scenario: Scenario) -> NDArray[np.int64]:
        war, sides, patrons = self._war(scenario)
        target = war.sanctioned_side(sides)
        fixed = [X, BELIEF_A, BELIEF_B, TROOPS_A, TROOPS_B, SUPPLY_A, SUPPLY_B, STAB_A, STAB_B,
                 RUNG_, INFL_A + target, BUF_A + target]  # fmt: skip
        return np.array(fixed + [SUPPORT0 + j for j in range(len(patrons))], np.int64)

    def _variables(self, scenario: Scenario) -> list[tuple[Variable, int]]:
        war, (a, b), patrons = self._war(scenario)
        target = war.sanctioned_side((a, b))
        horizon = scenario.time.horizon
        troops_top = 0.0
        art_top = 1.0
        buf_top = 1.0
        for side in (a, b):
            block = war.belligerents[side]
            rec = block.recruitment
            recruits = values.support(rec.contract)[1] + values.support(rec.mobilisation)[1]
            troops_top = max(troops_top, band_range(block.troops)[1] + recruits * horizon)
            art = block.materiel.get("artillery")
            if art is not None:
                supply = band_range(art.stock)[1] + band_range(art.capacity)[1] * horizon
                art_top = max(art_top, supply)
            buf_top = max(buf_top, band_range(block.economy.fiscal_buffer)[1])
        for patron in war.patrons.values():
            art_top += band_range(patron.aid.get("artillery", 0.0))[1] * horizon
        found = [
            (Variable("front", None, *self._front_range(scenario)), X),
            (Variable("troops", a, 0.0, troops_top), TROOPS_A),
            (Variable("troops", b, 0.0, troops_top), TROOPS_B),
            (Variable("casualties", a, 0.0, troops_top), CAS_A),
            (Variable("casualties", b, 0.0, troops_top), CAS_B),
            (Variable("artillery", a, 0.0, art_top), ART_A),
            (Variable("artillery", b, 0.0, art_top), ART_B),
            (Variable("supply", a, 0.0, 1.0, banded=False), SUPPLY_A),
            (Variable("supply", b, 0.0, 1.0, banded=False), SUPPLY_B),
            (Variable("stability", a, 0.0, 1.0), STAB_A),
            (Variable("stability", b, 0.0, 1.0), STAB_B),
            (Variable("inflation", a, 0.0, 60.0, banded=False), INFL_A),
            (Variable("inflation", b, 0.0, 60.0, banded=False), INFL_B),
            (Variable("fiscal_buffer", a, 0.0, buf_top, banded=False), BUF_A),
            (Variable("fiscal_buffer", b, 0.0, buf_top, banded=False), BUF_B),
            (Variable("output", (a, b)[target], 0.0, 1.0), OUTPUT_A + target),
            (Variable("rung", None, 0.0, float(war.escalation.rungs)), RUNG_),
        ]
        found += [(Variable("support", p, 0.0, 1.0), SUPPORT0 + j) for j, p in enumerate(patrons)]
        return found

    @staticmethod
    def _front_range(scenario: Scenario) -> tuple[float, float]:
        """The band range of the front: as far as it can move by the horizon.

        At most ``kappa`` a step plus the noise (five standard deviations of its sum),
        within [0, 1]; a narrow range gives fine bands (512 bins over it).
        """
        war = scenario.war
        assert isinstance(war, AttritionWar)
        horizon = scenario.time.horizon
        reach = band_range(war.front.step)[1] * horizon
        reach += 5.0 * band_range(war.front.noise)[1] * math.sqrt(horizon)
        start_low, start_high = band_range(war.front.start)
        return max(0.0, start_low - reach), min(1.0, start_high + reach)

    def variables(self, scenario: Scenario) -> list[Variable]:
        """Front, troops, casualties, artillery, supply, stability, economy, rung, support."""
        return [v for v, _ in self._variables(scenario)]

    def run_block(
        self,
        scenario: Scenario,
        params: NDArray[np.float64],
        inputs: dict[str, Any],
        rng: np.random.Generator,
        plan: Plan,
        out: dict[str, NDArray[Any]],
    ) -> None:
        """Fight every path of the block until an end or the horizon."""
        war, sides, patrons = self._war(scenario)
        n = params.shape[0]
        n_pat = len(patrons)
        cuts = np.cumsum([
            2 * len(SIDE_FIELDS), 2 * N_CLASSES * len(CLASS_FIELDS),
            n_pat * len(PATRON_FIELDS), n_pat * N_CLASSES * len(PATRON_CLASS_FIELDS),
        ])  # fmt: skip
        shapes = [
            (2, len(SIDE_FIELDS)), (2, N_CLASSES, len(CLASS_FIELDS)),
            (n_pat, len(PATRON_FIELDS)), (n_pat, N_CLASSES, len(PATRON_CLASS_FIELDS)),
            (len(GLOBAL_FIELDS),),
        ]  # fmt: skip
        # Copied into the thread's buffers, reused from block to block: fresh arrays of
        # this size would be page-faulted in again each block (a sixth of the run's time).
        from detente.engines.runner import BLOCK_SIZE  # (runner imports the engines)

        scratch: dict[str, Any] = out.get("scratch", {})  # type: ignore[assignment]
        sp, cp, pp, pcp, gp = (
            scratch_buffer(scratch, f"params{k}", (BLOCK_SIZE, *shape))[:n]
            for k, shape in enumerate(shapes)
        )  # fmt: skip
        for part, buffer in zip(np.split(params, cuts, axis=1), (sp, cp, pp, pcp, gp), strict=True):
            buffer.reshape(n, -1)[...] = part
        # The kernel multiplies by these time constants' reciprocals (no division per step).
        np.reciprocal(cp[..., C_RAMP], out=cp[..., C_RAMP])
        np.reciprocal(pp[..., P_STEEP], out=pp[..., P_STEEP])
        np.reciprocal(sp[..., INERTIA], out=sp[..., INERTIA])
        np.reciprocal(1.0 + sp[..., TRAINING], out=sp[..., TRAINING])  # the pipeline's gain
        clients = np.array([sides.index(self._client(scenario, p, sides)) for p in patrons],
                           np.int64)  # fmt: skip
        events = np.full((max(n_pat, 1), MAX_EVENTS, 3), -1.0)
        events[:, :, 1:] = 0.0
        for j, name in enumerate(patrons):
            for k, ev in enumerate(war.patrons[name].events[:MAX_EVENTS]):
                events[j, k] = (
                    -1.0 if ev.at is None else ev.at,
                    0.0 if ev.probability is None else ev.probability,
                    ev.jump,
                )
        n_events = np.array(
            [min(len(war.patrons[p].events), MAX_EVENTS) for p in patrons] or [0], np.int64
        )
        shocks = np.array(
            [[sides.index(sh.side), sh.probability, sh.effect, sh.duration]
             for sh in war.shocks] or np.zeros((0, 4)),
            dtype=float,
        ).reshape(-1, 4)  # fmt: skip
        mech = np.array([getattr(war.mechanisms, m) for m in MECHANISM_NAMES], np.bool_)
        pairs = self._variables(scenario)
        var_idx = np.array([k for _, k in pairs], np.int64)
        banded = [(v, k) for v, k in pairs if v.banded]
        band_idx = np.array([k for _, k in banded], np.int64)
        lo = np.array([v.low for v, _ in banded])
        hi = np.array([max(v.high, v.low + 1e-9) for v, _ in banded])
        _attrition_kernel(
            sp, cp, pp, pcp, gp, clients, events, n_events, shocks,
            war.escalation.rungs, war.escalation.start, mech, war.breakpoint,
            war.sanctioned_side(sides), war.escalating_side(sides), _random.block_key(rng),
            inputs["cost"], inputs["delta"], inputs["u_sq"], inputs["u_win"],
            plan.horizon, plan.checkpoints, plan.band_stride,
            self._feature_index(scenario), var_idx, band_idx,
            out["event"], out["winner"], out["end_step"], out["payoff"], out["final"],
            out["features"], out["accrued"], out["alive"],
            out["band_hist"], out["band_sum"],
            scratch_buffer(
                scratch, "trace",
                (len(plan.band_steps), len(banded), TRACE_PATHS + TRACE_PAD), np.float32,
            ),
            lo, hi,
            inputs["truce"],
        )  # fmt: skip
