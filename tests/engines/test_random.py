"""The kernels' per-path random streams: right distributions, independent paths.

Kolmogorov-Smirnov at the 1e-4 level on 100,000 draws (a false alarm 1 time in 10,000);
Poisson means within 5 standard errors, variances within 5% (s.e. of a variance of
100,000 draws ~ 0.45%).
"""

import numpy as np
import pytest
from numba import njit
from scipy import stats

from detente.engines import _random

N = 100_000


@njit
def _draws(key, n, kind, lam):  # type: ignore[no-untyped-def]
    state = np.zeros(4, np.uint64)
    out = np.empty(n)
    for i in range(n):
        _random.seed_path(state, key, i)
        _random.uniform(state)  # not the first draw of each stream only
        if kind == 0:
            out[i] = _random.uniform(state)
        elif kind == 1:
            out[i] = _random.normal(state)
        elif kind == 2:
            out[i] = _random.exponential(state)
        else:
            out[i] = _random.poisson(state, lam)
    return out


@pytest.mark.parametrize(("kind", "law"), [(0, "uniform"), (1, "norm"), (2, "expon")])
def test_continuous_laws(kind, law):
    assert stats.kstest(_draws(11, N, kind, 0.0), law).pvalue > 1e-4


@pytest.mark.parametrize("lam", [0.3, 4.0, 9.99, 10.0, 37.5, 2500.0])
def test_poisson_moments(lam):
    x = _draws(12, N, 3, lam)
    assert abs(x.mean() - lam) < 5 * np.sqrt(lam / N)
    assert x.var() == pytest.approx(lam, rel=0.05)
    assert (x == np.round(x)).all() and x.min() >= 0


def test_paths_are_independent_and_keys_differ():
    a, b = _draws(13, N, 0, 0.0), _draws(14, N, 0, 0.0)
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 5 / np.sqrt(N)  # neighbouring paths
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(N)  # two blocks' keys
    np.testing.assert_array_equal(a, _draws(13, N, 0, 0.0))  # and reproducible
