"""Per-path random streams for the kernels: xoshiro256** seeded by splitmix64.

Each path of a block draws from its own stream, keyed by the block's key and the
path's index, so what one path draws never shifts another's numbers. That is what
lets a path be re-run under another regime -- a ceasefire from some step on -- with the
same history up to that step, whatever happens on the other paths (common random
numbers across runs). Streams are 2**256 long; splitmix64 spreads neighbouring keys.

References
----------
Blackman, D., & Vigna, S. (2021). Scrambled linear pseudorandom number generators.
*ACM Transactions on Mathematical Software*, 47(4), 36. Steele, G. L., Lea, D., &
Flood, C. H. (2014). Fast splittable pseudorandom number generators. *OOPSLA 2014*.
Hörmann, W. (1993). The transformed rejection method for generating Poisson random
variables. *Insurance: Mathematics and Economics*, 12(1), 39-45. Marsaglia, G., &
Bray, T. A. (1964). A convenient method for generating normal variables. *SIAM Review*,
6(3), 260-264.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def block_key(rng: np.random.Generator) -> int:
    """One block's key, drawn from its generator (after its parameters)."""
    return int(rng.integers(0, 2**63))


@njit(cache=True, nogil=True, inline="always")
def _rotl(x, k):  # type: ignore[no-untyped-def]
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True, nogil=True, inline="always")
def _splitmix(x):  # type: ignore[no-untyped-def]
    # Steele, Lea & Flood (2014): the finaliser of a Weyl sequence.
    z = x + _GOLDEN
    z = (z ^ (z >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> uint64(27))) * uint64(0x94D049BB133111EB)
    return z ^ (z >> uint64(31))


@njit(cache=True, nogil=True)
def seed_path(state, key, path):  # type: ignore[no-untyped-def]
    """Set ``state`` (4 x uint64) to the start of path ``path``'s stream under ``key``."""
    x = uint64(key) ^ (uint64(path) * _GOLDEN)
    for k in range(4):
        x = _splitmix(x)
        state[k] = x
    if state[0] == 0 and state[1] == 0 and state[2] == 0 and state[3] == 0:
        state[0] = uint64(1)  # the one state xoshiro cannot leave


@njit(cache=True, nogil=True, inline="always")
def next_u64(s):  # type: ignore[no-untyped-def]
    """xoshiro256** (Blackman & Vigna 2021): the next 64 random bits."""
    result = _rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(cache=True, nogil=True, inline="always")
def uniform(s):  # type: ignore[no-untyped-def]
    """A uniform number in [0, 1) with 53 random bits."""
    return float(next_u64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, inline="always")
def exponential(s):  # type: ignore[no-untyped-def]
    """A standard exponential variate, by inversion."""
    return -math.log1p(-uniform(s))


@njit(cache=True, nogil=True, inline="always")
def _polar_pair(s):  # type: ignore[no-untyped-def]
    """Two independent standard normals (Marsaglia & Bray's polar method)."""
    while True:
        u = 2.0 * uniform(s) - 1.0
        v = 2.0 * uniform(s) - 1.0
        r = u * u + v * v
        if 0.0 < r < 1.0:
            scale = math.sqrt(-2.0 * math.log(r) / r)
            return u * scale, v * scale


@njit(cache=True, nogil=True)
def normal(s):  # type: ignore[no-untyped-def]
    """A standard normal variate (the polar method, one of the pair)."""
    return _polar_pair(s)[0]


@njit(cache=True, nogil=True, inline="always")
def normal_kept(s, spare):  # type: ignore[no-untyped-def]
    """A standard normal variate, using both of each pair of the polar method.

    ``spare`` (2 floats: a flag, a value) keeps the pair's second variate for the next
    call: Marsaglia & Bray's method yields two independent normals per accepted point,
    so every other call costs no draw, logarithm or square root. The kernel that owns
    ``spare`` clears it when it moves to another path's stream.
    """
    if spare[0] != 0.0:
        spare[0] = 0.0
        return spare[1]
    first, second = _polar_pair(s)
    spare[0] = 1.0
    spare[1] = second
    return first


@njit(cache=True, nogil=True)
def poisson(s, lam):  # type: ignore[no-untyped-def]
    """A Poisson(``lam``) count: inversion below 10, else Hörmann's (1993) PTRS."""
    if lam <= 0.0:
        return 0
    if lam < 10.0:
        # sequential search of the cumulative distribution
        p = math.exp(-lam)
        u = uniform(s)
        k = 0
        cumulative = p
        while u > cumulative and k < 1000:
            k += 1
            p *= lam / k
            cumulative += p
        return k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= v_r:
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        accept = math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)
        if accept <= -lam + k * loglam - math.lgamma(k + 1.0):
            return int(k)
