"""Same seed, same numbers: for any thread count, block split or number of paths."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import detente as dt
from detente.engines import BLOCK_SIZE, run_war

ATTRITION = Path(__file__).parent / "data" / "attrition.yaml"
ARRAYS = ("event", "winner", "end_step", "payoff", "final", "checkpoint_features", "accrued")


def same(a, b):
    for key in ARRAYS:
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)


@pytest.mark.parametrize(
    "args",
    [
        ["battles", "--set", "war.p_win={low: 0.45, high: 0.6}"],
        [
            "lanchester",
            "--set",
            "war.stochastic=true",
            "--set",
            "war.force.A={low: 900, high: 1100}",
        ],
    ],
)
def test_identical_json_for_one_and_two_numba_threads(args):
    outputs = []
    for threads in ("1", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads}
        done = subprocess.run(
            [sys.executable, "-m", "detente.cli", "run", *args, "--paths", "9000", "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_thread_count_does_not_change_results():
    sc = dt.load("battles", overrides=["war.p_win={low: 0.4, high: 0.7}"])
    same(run_war(sc, paths=3 * BLOCK_SIZE, seed=9, threads=1),
         run_war(sc, paths=3 * BLOCK_SIZE, seed=9, threads=2))  # fmt: skip


def test_blocks_computed_separately_equal_one_run():
    sc = dt.load(
        "lanchester", overrides=["war.stochastic=true", "war.force.B={low: 700, high: 900}"]
    )
    whole = run_war(sc, paths=3 * BLOCK_SIZE, seed=2)
    for block in range(3):
        part = run_war(sc, paths=BLOCK_SIZE, seed=2, first_block=block)
        rows = slice(block * BLOCK_SIZE, (block + 1) * BLOCK_SIZE)
        for key in ARRAYS:
            np.testing.assert_array_equal(
                getattr(whole, key)[rows], getattr(part, key), err_msg=key
            )


def test_fewer_paths_are_a_prefix_of_more():
    sc = dt.load("battles", overrides=["war.front.start={low: 0.3, high: 0.7}"])
    small = run_war(sc, paths=5000, seed=1)
    large = run_war(sc, paths=2 * BLOCK_SIZE + 17, seed=1)
    for key in ARRAYS:
        np.testing.assert_array_equal(getattr(small, key), getattr(large, key)[:5000], err_msg=key)


def test_different_seeds_differ():
    sc = dt.load("battles")
    assert not np.array_equal(run_war(sc, paths=500, seed=1).end_step,
                              run_war(sc, paths=500, seed=2).end_step)  # fmt: skip
