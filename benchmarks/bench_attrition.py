"""Benchmark: the `attrition` engine against a plain NumPy version of the same weekly step.

Both simulate the built-in `ukraine-2025` scenario (or, if it does not load, the test
scenario tests/engines/data/attrition.yaml) on the same number of paths until every
path ends or the horizon. They draw the same per-path parameters (the NumPy version
draws them block by block with the engine's own seeds) but fight with different random
streams, so their statistics should agree, not their paths. The figure of merit is
path-steps per second, where a path-step is one week of war actually fought. The numba
engine also records checkpoint features, payoffs and quantile bands, which the NumPy
loop skips.

Each case runs in a fresh subprocess, so that its peak resident memory (ru_maxrss) is
its own; the baseline in brackets is the peak after imports and a small warm-up run.

With ``--breakdown BLOCKS`` it prints instead where the engine's time goes: the
CPU time per path-step on one thread with every mechanism on, then with each mechanism
switched off in turn (the difference is roughly that mechanism's cost; switching one
off also changes how long wars last and what the others do), then with all off.

Run:  python benchmarks/bench_attrition.py [--paths 1000000] [--repeats 3]
      python benchmarks/bench_attrition.py --breakdown 24
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
from numba import njit
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

import detente as dt
from detente.engines import COLLAPSE, DECISIVE, ESCALATION, ONGOING, Plan, _kernel, _random, run_war
from detente.engines.attrition import (
    BUFFER,
    C_CAP,
    C_PROD,
    C_RAMP,
    C_STOCK,
    C_USE,
    C_WEIGHT,
    CLASS_FIELDS,
    CONTRACT,
    DEFICIT,
    EDGE,
    ETA,
    G_CLIMB,
    G_COMPLIANCE,
    G_DESCEND,
    G_DESP,
    G_DISCOUNT,
    G_ENFORCE,
    G_FRONT,
    G_HAZARD,
    G_IMPDEP,
    G_KAPPA,
    G_KE,
    G_LMAX,
    G_MARKUP,
    G_NOISE,
    G_NU,
    G_PAA,
    G_PBB,
    G_RUNG,
    G_SIGMA,
    G_SIGMA_X,
    G_SIGNAL,
    GLOBAL_FIELDS,
    IMP_PASS,
    INERTIA,
    INFL,
    INFL_BASE,
    INFL_TARGET,
    LETHALITY,
    MAX_EVENTS,
    MOB_COST,
    MOBILISATION,
    MON_PASS,
    N_CLASSES,
    P_COHESION,
    P_DRIFT,
    P_FATIGUE,
    P_FUTILITY,
    P_MID,
    P_MONEY,
    P_NOISE,
    P_STEEP,
    P_SUPPORT,
    PATRON_CLASS_FIELDS,
    PATRON_FIELDS,
    PC_AID,
    PC_DETERRENCE,
    PC_STOCK,
    PC_THRESHOLD,
    POISSON_EXACT_BELOW,
    POOL,
    QUALITY,
    REV_RISK,
    SIDE_FIELDS,
    ST_CASUALTIES,
    ST_INFLATION,
    ST_RECOVERY,
    ST_START,
    ST_TERRITORY,
    ST_THRESHOLD,
    TRACE_PAD,
    TRACE_PATHS,
    TRAINING,
    TROOPS,
    Attrition,
)
from detente.engines.runner import BAND_BINS, BLOCK_SIZE, _Inputs
from detente.scenario import values
from detente.scenario.attrition import AttritionWar
from detente.scenario.loader import builtin_text
from detente.scenario.model import Scenario

FALLBACK = Path(__file__).resolve().parents[1] / "tests" / "engines" / "data" / "attrition.yaml"
WARM_UP_PATHS = 5000


def draw_parameters(scenario: Scenario, paths: int, seed: int) -> list[NDArray[np.float64]]:
    """Per-path parameters as `run_war` draws them (same block seeds, so the same draws).

    Split as `Attrition.run_block` splits them, but field-major, so that one field of
    every path is one contiguous array: ``sp[TROOPS]`` is (paths, 2), ``cp[C_USE]``
    (paths, 2, classes), ``pp[P_DRIFT]`` (paths, patrons), ``pcp[PC_AID]`` (paths,
    patrons, classes), ``gp[G_FRONT]`` (paths,).
    """
    engine = Attrition()
    n_pat = len(scenario.war.patrons) if isinstance(scenario.war, AttritionWar) else 0
    shapes = [
        (2, len(SIDE_FIELDS)), (2, N_CLASSES, len(CLASS_FIELDS)), (n_pat, len(PATRON_FIELDS)),
        (n_pat, N_CLASSES, len(PATRON_CLASS_FIELDS)), (len(GLOBAL_FIELDS),),
    ]  # fmt: skip
    arrays = [np.empty((shape[-1], paths, *shape[:-1])) for shape in shapes]
    cuts = np.cumsum([math.prod(shape) for shape in shapes])[:-1]
    inputs = _Inputs(scenario, engine)
    for b, start in enumerate(range(0, paths, BLOCK_SIZE)):
        n = min(BLOCK_SIZE, paths - start)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,)))
        params, _ = inputs.block(rng, n)
        parts = np.split(params, cuts, axis=1)
        for array, part, shape in zip(arrays, parts, shapes, strict=True):
            array[:, start : start + n] = np.moveaxis(part.reshape(n, *shape), -1, 0)
    return arrays


def numpy_attrition(
    scenario: Scenario, paths: int, seed: int, work: dict[str, float] | None = None
) -> dict[str, float]:
    """The engine's weekly step (module docstring, eqs. 1-14), step-major over all paths.

    Every array holds one row per path still in the arrays: (n,) per path, (n, 2) per
    side, (n, 2, classes) per side and class, (n, patrons) and (n, patrons, classes) per
    patron. A path that ends has its outcome recorded at once and is ignored from then on;
    its row is dropped once a quarter of the rows are finished (copying every array each
    week a path ends would cost more than stepping a few finished rows). No payoffs, no
    checkpoints, no bands.

    With ``work``, it also counts what the engine's kernel must compute on the live
    paths, for :func:`floor`: ``normal`` variates, ``uniform`` variates (one engagement a
    week; the rare waiting-time draws are left out), ``power`` (an ``exp(a log r)``: each
    weighted class short of supply when ``eta != 1``, and the contest when ``nu != 1``),
    ``exp`` (the aid sigmoids, the hazard once ground is lost) and ``log`` (cost
    fatigue), with ``steps``, the path-steps fought.
    """
    war, sides = scenario.war, scenario.sides()
    assert isinstance(war, AttritionWar) and sides is not None
    mech, horizon = war.mechanisms, scenario.time.horizon
    rungs, breakpoint = war.escalation.rungs, war.breakpoint
    target, esc_side = war.sanctioned_side(sides), war.escalating_side(sides)
    patrons = list(war.patrons)
    n_pat = len(patrons)
    clients = [sides.index(Attrition._client(scenario, p, sides)) for p in patrons]
    client_sign = np.array([-1.0 if c == 0 else 1.0 for c in clients])  # ground lost = sign*dX
    side_sign = np.array([-1.0, 1.0])  # side s loses side_sign[s] * dX of ground
    events = [
        [(-1 if ev.at is None else ev.at,
          0.0 if ev.probability is None else values.mean(ev.probability), ev.jump)
         for ev in war.patrons[p].events[:MAX_EVENTS]]
        for p in patrons
    ]  # fmt: skip
    shocks = [
        (sides.index(sh.side), values.mean(sh.probability), sh.effect, sh.duration)
        for sh in war.shocks
    ]

    sp, cp, pp, pcp, gp = draw_parameters(scenario, paths, seed)
    rng = np.random.default_rng(seed)
    end_step = np.full(paths, horizon)
    event = np.full(paths, ONGOING, np.int8)
    final_front = np.empty(paths)

    # --- initial state ---
    rows = np.arange(paths)  # each row's path number
    alive = np.ones(paths, bool)
    x = gp[G_FRONT].copy()
    held0 = x.copy() if esc_side == 0 else 1.0 - x  # the escalating side's ground at step 0
    troops0 = sp[TROOPS].copy()
    troops = troops0.copy()
    stab, infl, buf = sp[ST_START].copy(), sp[INFL].copy(), sp[BUFFER].copy()
    stock, kap = cp[C_STOCK].copy(), cp[C_PROD].copy()
    support, cum = pp[P_SUPPORT].copy(), np.zeros((paths, n_pat))
    pstock, crossed = pcp[PC_STOCK].copy(), np.zeros((paths, n_pat, N_CLASSES), bool)
    ab = gp[G_PAA : G_PBB + 1].T.copy()  # Beta counts (alpha, beta) of A, then B; NaN: none
    rung, signals = np.full(paths, float(war.escalation.start)), np.zeros(paths)
    shock_left = np.zeros((paths, len(shocks)), np.int64)
    arrivals = sp[CONTRACT] + sp[MOBILISATION]  # the pipeline is full at step 0
    pool_left = sp[POOL].copy()  # inf: no pool

    # 10. sanctions: their drivers are constant, so is their effect
    feed, revenue, imports = np.ones((paths, 2)), np.ones((paths, 2)), np.zeros((paths, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        if mech.sanctions:
            sigma, l_max = gp[G_SIGMA], gp[G_LMAX]
            leak = l_max * np.exp(-gp[G_KE] * gp[G_ENFORCE] * gp[G_COMPLIANCE])
            markup = np.where(l_max > 0, gp[G_MARKUP] * sigma * (1.0 - leak / l_max), 0.0)
            m_index = (1.0 - sigma * (1.0 - leak)) / (1.0 + markup)
            revenue[:, target] = (1.0 - gp[G_SIGMA_X] * (1.0 - leak)) * (1.0 - gp[G_DISCOUNT])
            feed[:, target] = 1.0 - gp[G_IMPDEP] * (1.0 - m_index)  # input_B
            imports[:, target] = np.where(m_index > 0, 1.0 / m_index - 1.0, 0.0)

    for t in range(horizon):
        n = x.size
        if n == 0:
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            # 1. supply-limited effectiveness: U = min(S, D), e = sum w (U/D)**eta / sum w
            if mech.materiel:
                demand = cp[C_USE] * troops[:, :, None] / 1000.0
                use = np.minimum(stock, demand)
                ratio = np.where(demand > 0.0, use / demand, 1.0)
                weight = np.maximum(cp[C_WEIGHT], 0.0)
                if work is not None:  # the kernel takes a power only for a shortfall
                    short = (stock < demand) & (weight > 0.0) & (sp[ETA] != 1.0)[:, :, None]
                    work["power"] += int((short & alive[:, None, None]).sum())
                total = weight.sum(axis=2)
                eff = (weight * ratio ** sp[ETA][:, :, None]).sum(axis=2)
                e = np.where(total > 0.0, eff / total, 1.0)
            else:
                use, e = np.zeros_like(stock), np.ones_like(troops)
            # 2. combat power M = q F e
            power = sp[QUALITY] * troops * e
            # 13. shocks scale a side's power by 1 + effect for `duration` steps
            if mech.shocks:
                for k, (side, prob, effect, duration) in enumerate(shocks):
                    on = shock_left[:, k] > 0
                    power[on, side] *= 1.0 + effect
                    shock_left[:, k] -= on
                    shock_left[~on & (rng.random(n) < prob), k] = duration
            # 3. Tullock contest p = M_A**nu / (M_A**nu + M_B**nu); the front moves
            nu = gp[G_NU]
            pa, pb = power[:, 0] ** nu, power[:, 1] ** nu
            p = np.where(pa + pb > 0.0, pa / (pa + pb), 0.5)
            won = rng.random(n) < p
            # 14. Beta-Bernoulli beliefs (NaN counts, for a party without prior, stay NaN)
            ab[:, 0::2] += won[:, None]
            ab[:, 1::2] += ~won[:, None]
            shift = gp[G_KAPPA] * np.where(won, 1.0, -1.0)
            shift += gp[G_NOISE] * rng.standard_normal(n)
            x_new = np.clip(x + shift, 0.0, 1.0)
            dx, x = x_new - x, x_new
            # 4. attrition L_s ~ Poisson(lethality_-s M_-s); normal approximation above 1,000
            mean = np.maximum(sp[LETHALITY][:, ::-1] * power[:, ::-1], 0.0)
            exact = mean < POISSON_EXACT_BELOW
            losses = np.empty_like(mean)
            losses[exact] = rng.poisson(mean[exact])
            big = mean[~exact]
            losses[~exact] = np.maximum(np.round(big + np.sqrt(big) * rng.normal(size=big.size)), 0)
            losses = np.minimum(losses, troops)
            if work is not None:
                work["steps"] += int(alive.sum())
                work["uniform"] += int(alive.sum())
                work["power"] += int((alive & (nu != 1.0)).sum())
                work["normal"] += int((alive & (gp[G_NOISE] > 0.0)).sum())
                work["normal"] += int((alive[:, None] & ~exact).sum())
            # 5. recruitment: contract recruits from what is left of the pool, through the
            # pipeline's first-order delay of mean `training` steps
            arriving = 0.0
            if mech.recruitment:
                limited = np.isfinite(pool_left)
                share = np.minimum(sp[CONTRACT] * pool_left / sp[POOL], pool_left)
                signed = np.where(limited, share, sp[CONTRACT])
                pool_left = np.where(limited, pool_left - signed, pool_left)
                arrivals = arrivals + (signed + sp[MOBILISATION] - arrivals) / (1.0 + sp[TRAINING])
                arriving = arrivals
            troops = np.maximum(troops - losses + arriving, 0.0)
            # 7. patrons: drift, futility, cohesion, noise, events, aid rate, cost fatigue
            aid_money = np.zeros((n, 2))
            crossing = np.zeros(n, bool)
            if mech.patrons and n_pat:
                lost = np.maximum(dx[:, None] * client_sign, 0.0)
                sup = support + pp[P_DRIFT] - pp[P_FUTILITY] * lost
                sup += pp[P_COHESION] * (support.mean(axis=1, keepdims=True) - sup)
                sup += pp[P_NOISE] * rng.standard_normal((n, n_pat))
                for j, patron_events in enumerate(events):
                    for at, prob, jump in patron_events:
                        fire = np.full(n, at >= 0 and t == int(at))
                        if prob > 0:
                            fire |= rng.random(n) < prob
                        sup[:, j] += jump * fire
                if work is not None:
                    work["normal"] += int((alive[:, None] & (pp[P_NOISE] > 0.0)).sum())
                    work["exp"] += int(alive.sum()) * n_pat
                    work["log"] += int((alive[:, None] & (pp[P_FATIGUE] > 0.0)).sum())
                rate = 1.0 / (1.0 + np.exp(-(sup - pp[P_MID]) / pp[P_STEEP]))
                before = np.log1p(cum)
                cum = cum + rate
                sup -= pp[P_FATIGUE] * (np.log1p(cum) - before)
                support = np.clip(sup, 0.0, 1.0)
                # 8. red lines: a gated class flows only while P >= threshold + deterrence
                # * signals; its first delivery is a crossing
                full = pcp[PC_AID]
                flows = full > 0.0
                if mech.red_lines:
                    line = pcp[PC_THRESHOLD]
                    gated = flows & (line >= 0.0)
                    bar = line + pcp[PC_DETERRENCE] * signals[:, None, None]
                    flows &= ~gated | (support[:, :, None] >= bar)
                    first = gated & flows & ~crossed
                    crossed |= first
                    crossing = first.any(axis=(1, 2))
                sent = np.where(flows, np.minimum(full * rate[:, :, None], pstock), 0.0)
                pstock -= sent
                for j, client in enumerate(clients):
                    stock[:, client] += sent[:, j]
                    aid_money[:, client] += pp[P_MONEY][:, j] * rate[:, j]
            # 6. production: S <- S - U + K input + aid, K <- K + (cap - K) / ramp
            stock -= use
            if mech.production:
                kap += (cp[C_CAP] - kap) / cp[C_RAMP]
                stock += kap * feed[:, :, None]
            # 11. economy: the deficit drains the buffer, then is monetised; inflation
            if mech.economy:
                deficit = sp[DEFICIT] + sp[REV_RISK] * (1.0 - revenue) - aid_money
                buf = buf - deficit / 52.0
                monetised = np.maximum(-buf, 0.0) * 52.0
                buf = np.maximum(buf, 0.0)
                settle = sp[INFL_BASE] + sp[IMP_PASS] * imports
                settle += sp[MON_PASS] * monetised
                infl += (settle - infl) / sp[INERTIA]
            # 12. domestic stability: recovery less casualties, inflation, ground, mobilisation
            if mech.stability:
                st = stab + sp[ST_RECOVERY] * (1.0 - stab)
                st -= sp[ST_CASUALTIES] * 100.0 * losses / troops0
                st -= sp[ST_INFLATION] * np.maximum(infl - sp[INFL_TARGET], 0.0) / 52
                st -= sp[ST_TERRITORY] * 100.0 * np.maximum(dx[:, None] * side_sign, 0.0)
                if mech.recruitment:
                    st -= sp[MOB_COST] * sp[MOBILISATION] / 1e5
                stab = np.clip(st, 0.0, 1.0)
            # 9. deterrent signals, the ladder, and the catastrophe hazard
            catastrophe = np.zeros(n, bool)
            if mech.escalation:
                signals += rng.random(n) < gp[G_SIGNAL]
                up = crossing & (rng.random(n) < gp[G_CLIMB])
                down = ~up & (rung > 0) & (rng.random(n) < gp[G_DESCEND])
                rung = rung + up - down
                held = x if esc_side == 0 else 1.0 - x
                desperation = np.maximum(held0 - held, 0.0)
                if work is not None:
                    lost = alive & (desperation > 0.0) & (gp[G_HAZARD] > 0.0)
                    work["exp"] += int(lost.sum())
                hazard = gp[G_HAZARD] * np.exp(gp[G_RUNG] * rung + gp[G_DESP] * desperation)
                catastrophe = (rung >= rungs) | (rng.random(n) < -np.expm1(-hazard))

        # terminal events, in the kernel's order of precedence
        broken = troops <= breakpoint * troops0
        collapsed = stab < sp[ST_THRESHOLD] if mech.stability else np.zeros((n, 2), bool)
        outcome = np.select(
            [catastrophe, x >= 1.0 - EDGE, x <= EDGE, broken[:, 0], collapsed[:, 0],
             broken[:, 1], collapsed[:, 1]],
            [ESCALATION, DECISIVE, DECISIVE, DECISIVE, COLLAPSE, DECISIVE, COLLAPSE],
            ONGOING,
        )  # fmt: skip
        ended = alive & (outcome != ONGOING)
        if ended.any():
            event[rows[ended]] = outcome[ended]
            end_step[rows[ended]] = t + 1
            final_front[rows[ended]] = x[ended]
            alive &= ~ended
        if alive.sum() < 0.75 * n:  # drop the finished rows from every per-path array
            sp, cp, pp, pcp, gp = (a[:, alive] for a in (sp, cp, pp, pcp, gp))
            (rows, x, held0, troops0, troops, stab, infl, buf, stock, kap, support, cum, pstock,
             crossed, ab, rung, signals, shock_left, arrivals, pool_left, feed, revenue, imports,
             alive) = (
                a[alive] for a in (rows, x, held0, troops0, troops, stab, infl, buf, stock, kap,
                                   support, cum, pstock, crossed, ab, rung, signals, shock_left,
                                   arrivals, pool_left, feed, revenue, imports, alive)
            )  # fmt: skip
    final_front[rows[alive]] = x[alive]
    return {
        "steps": int(end_step.sum()),
        "front": float(final_front.mean()),
        "at_war": float((event == ONGOING).mean()),
        "escalated": float((event == ESCALATION).mean()),
    }


def engine_stats(scenario: Scenario, paths: int, threads: int) -> dict[str, float]:
    """The same statistics from the numba engine."""
    rec = run_war(scenario, paths=paths, seed=1, threads=threads)
    front = [v.name for v in rec.variables].index("front")
    return {
        "steps": int(rec.end_step.sum()),
        "front": float(rec.final[:, front].mean()),
        "at_war": float((rec.event == ONGOING).mean()),
        "escalated": float((rec.event == ESCALATION).mean()),
    }


def run_case(case: str, ref: str, paths: int, repeats: int) -> None:
    """Time one case (``numba:THREADS`` or ``numpy``) and print its result as JSON."""
    scenario = dt.load(ref)
    if case == "numpy":
        with threadpool_limits(1):
            numpy_attrition(scenario, WARM_UP_PATHS, 0)
    else:
        run_war(scenario, paths=WARM_UP_PATHS, seed=0, threads=int(case.split(":")[1]))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best, stats = math.inf, {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        if case == "numpy":
            with threadpool_limits(1):
                stats = numpy_attrition(scenario, paths, 1)
        else:
            stats = engine_stats(scenario, paths, int(case.split(":")[1]))
        best = min(best, time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"wall": best, "rss": peak / 2**20, "baseline": baseline / 2**20, **stats}))


def table(sc: Scenario, ref: str, paths: int, repeats: int) -> None:
    """Run every case in its own process and print the Markdown table."""
    horizon = sc.time.horizon
    print(f"# attrition engine, scenario {sc.name}, {paths:,} paths, horizon {horizon}")
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}, numba {numba.__version__}, "
        f"numpy {np.__version__}, best of {repeats}, one process per row"
    )
    print(
        "| implementation | threads | wall s (best) | path-steps | M path-steps/s "
        "| peak RSS GB (baseline) | mean final front | at war at horizon | escalated |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    recording = f"{len(Plan.for_scenario(sc, horizon).checkpoints)} checkpoints + bands"
    cases = [
        (f"numba engine, {recording}", "numba:1", 1),
        (f"numba engine, {recording}", "numba:2", 2),
        ("plain NumPy (no recording)", "numpy", 1),
    ]
    for label, case, threads in cases:
        command = [sys.executable, __file__, "--case", case, "--scenario", ref,
                   "--paths", str(paths), "--repeats", str(repeats)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            sys.exit(f"case {case} failed:\n{done.stderr}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {label} | {threads} | {r['wall']:.2f} | {r['steps']:,} | "
            f"{r['steps'] / r['wall'] / 1e6:.2f} | {r['rss']:.2f} ({r['baseline']:.2f}) | "
            f"{r['front']:.4f} | {r['at_war']:.4f} | {r['escalated']:.4f} |"
        )


def breakdown(sc: Scenario, ref: str, blocks: int, repeats: int) -> None:
    """Print the engine's CPU time per path-step with each mechanism switched off."""
    assert isinstance(sc.war, AttritionWar)
    names = list(type(sc.war.mechanisms).model_fields)
    variants = [("every mechanism on", [])]
    variants += [(f"{m} off", [f"war.mechanisms.{m}=false"]) for m in names]
    variants.append(("all off (the textbook core)", [f"war.mechanisms.{m}=false" for m in names]))
    variants.append(("every mechanism on, again", []))
    paths = blocks * BLOCK_SIZE
    print(f"# attrition engine, scenario {sc.name}, {paths:,} paths, one thread, "
          f"load average {os.getloadavg()[0]:.2f}, best of {repeats}")  # fmt: skip
    print("| variant | path-steps | CPU ns per path-step | difference from all on |")
    print("|---|---|---|---|")
    base = math.nan
    for label, overrides in variants:
        scenario = dt.load(ref, overrides=overrides)
        run_war(scenario, paths=WARM_UP_PATHS, seed=0, threads=1)  # compiled once, then cached
        best, steps = math.inf, 0
        for _ in range(repeats):
            t0 = time.process_time()  # CPU time of every thread of this process
            rec = run_war(scenario, paths=paths, seed=1, threads=1)
            best = min(best, time.process_time() - t0)
            steps = int(rec.end_step.sum())
        ns = best / steps * 1e9
        base = ns if math.isnan(base) else base
        diff = f"{ns - base:+.0f}" if overrides else ""
        print(f"| {label} | {steps:,} | {ns:.0f} | {diff} |")


@njit(cache=True)
def _normals(count: int, key: int) -> float:
    """``count`` normals from one path stream, as the kernel draws them (polar, pairs)."""
    stream = np.zeros(4, np.uint64)
    _random.seed_path(stream, key, 0)
    spare = np.zeros(2)
    total = 0.0
    for _ in range(count):
        total += _random.normal_kept(stream, spare)
    return total


@njit(cache=True)
def _uniforms(count: int, key: int) -> float:
    stream = np.zeros(4, np.uint64)
    _random.seed_path(stream, key, 0)
    total = 0.0
    for _ in range(count):
        total += _random.uniform(stream)
    return total


@njit(cache=True, error_model="numpy")
def _powers(r: NDArray[np.float64], a: float, out: NDArray[np.float64]) -> None:
    for k in range(r.shape[0]):  # independent calls: libm's throughput, not its latency
        out[k] = math.exp(a * math.log(r[k]))


@njit(cache=True, error_model="numpy")
def _exps(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for k in range(x.shape[0]):
        out[k] = math.exp(x[k])


@njit(cache=True, error_model="numpy")
def _logs(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for k in range(x.shape[0]):
        out[k] = math.log(x[k])


def _best_ns(run: Callable[[], object], count: int, repeats: int = 7) -> float:
    """Best time of ``run`` over ``repeats``, in ns per item of its ``count``."""
    run()
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best / count * 1e9


def floor(sc: Scenario, ref: str, paths: int) -> None:
    """Print the least time a path-step can take: the variates and functions it needs.

    The counts come from the NumPy step on the default (``work`` of
    :func:`numpy_attrition`) and the banded values from the plan. Each item costs the
    best of this machine's fastest implementations at full throughput (independent
    items in a tight loop): the kernel's own generators and glibc's ``exp``/``log``, or
    NumPy's ziggurat normals and SIMD ``exp``/``log`` in bulk; the kernel's own
    histogram counting for the bands. Everything else a week does -- the 14 rules'
    arithmetic, writing the record, fresh memory -- comes on top, so the sum is a lower
    bound on any kernel of this model on this machine.
    """
    scenario = dt.load(ref)
    work = dict.fromkeys(("steps", "normal", "uniform", "power", "exp", "log"), 0.0)
    numpy_attrition(scenario, paths, 1, work)
    n = 4_000_000
    rng = np.random.default_rng(0)
    r, x, out = rng.uniform(1e-3, 1.0, n), rng.uniform(-5.0, 5.0, n), np.empty(n)
    cost = {
        "normal": min(_best_ns(lambda: _normals(n, 1), n),
                      _best_ns(lambda: rng.standard_normal(out=out), n)),
        "uniform": min(_best_ns(lambda: _uniforms(n, 1), n),
                       _best_ns(lambda: rng.random(out=out), n)),
        "power": min(_best_ns(lambda: _powers(r, 0.7, out), n),
                     _best_ns(lambda: np.exp(np.log(r, out=out) * 0.7, out=out), n)),
        "exp": min(_best_ns(lambda: _exps(x, out), n), _best_ns(lambda: np.exp(x, out=out), n)),
        "log": min(_best_ns(lambda: _logs(r, out), n), _best_ns(lambda: np.log(r, out=out), n)),
    }  # fmt: skip
    # The record's bands: each banded variable is counted into its histogram every band
    # step, by the kernel's own counting, a buffer of TRACE_PATHS paths at a time.
    plan = Plan.for_scenario(scenario, scenario.time.horizon)
    bands = len(plan.band_steps)
    n_banded = sum(v.banded for v in Attrition().variables(scenario))
    trace = rng.uniform(0.0, 1.0, (bands, n_banded, TRACE_PATHS + TRACE_PAD)).astype(np.float32)
    hist = np.zeros((n_banded, bands, BAND_BINS), np.int32)
    partial = np.zeros((n_banded, bands, 4))
    lo, hi = np.zeros(n_banded), np.ones(n_banded)
    cost["band value"] = _best_ns(
        lambda: _kernel.histogram_chunk(trace, TRACE_PATHS, hist, partial, lo, hi),
        bands * n_banded * TRACE_PATHS,
    )
    steps = work.pop("steps")
    work["band value"] = n_banded * bands / plan.horizon * steps
    load = os.getloadavg()[0]
    print(f"# attrition engine, scenario {sc.name}: the least a path-step costs on one core")
    print(f"# ({paths:,} paths, {steps:,.0f} path-steps; load average {load:.2f})")
    print("| item | per path-step | best ns each | ns per path-step |")
    print("|---|---|---|---|")
    total = 0.0
    for item, count in work.items():
        per_step = count / steps
        total += per_step * cost[item]
        print(f"| {item} | {per_step:.2f} | {cost[item]:.2f} | {per_step * cost[item]:.1f} |")
    print(f"| **sum: the floor of one core** | | | **{total:.1f}** |")
    million = steps / paths * 1e6  # path-steps of 1,000,000 paths
    print(f"| budget: 20 M path-steps/s on 2 cores | | | {2 / 20e6 * 1e9:.1f} |")
    print(f"| budget: 1,000,000 paths in 10 s on 2 cores | | | {2 * 10.0 / million * 1e9:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--breakdown", type=int, metavar="BLOCKS", help="time per mechanism")
    parser.add_argument("--floor", action="store_true", help="the least a path-step can cost")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: one case, in a child
    parser.add_argument("--scenario", help=argparse.SUPPRESS)  # internal: its YAML file
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.scenario, args.paths, args.repeats)
        return

    # Every row simulates one snapshot of the scenario, even if its file is edited meanwhile.
    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "scenario.yaml"
        try:
            ref.write_text(builtin_text("ukraine-2025"), "utf-8")
            sc = dt.load(ref)
            assert isinstance(sc.war, AttritionWar)
        except Exception as exc:  # e.g. the built-in scenario is being edited
            print(f"# ukraine-2025 does not load ({type(exc).__name__}); using {FALLBACK.name}")
            ref.write_text(FALLBACK.read_text("utf-8"), "utf-8")
            sc = dt.load(ref)
        if args.floor:
            floor(sc, str(ref), min(args.paths, 50_000))
        elif args.breakdown:
            breakdown(sc, str(ref), args.breakdown, args.repeats)
        else:
            table(sc, str(ref), args.paths, args.repeats)


if __name__ == "__main__":
    main()
