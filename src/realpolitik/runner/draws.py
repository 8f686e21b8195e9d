"""Random draws' one contract: draw ``i`` of a run seeded with ``seed`` takes its random
numbers from a stream that depends on ``(seed, i)`` only, never on the chunk the draw falls
in, nor on the worker that runs it (:func:`draw_generator`: a counter-based generator whose
counter starts at ``i``); :func:`draw_uniforms` computes many draws' first numbers at once,
bit for bit those of their streams.
"""

from __future__ import annotations

import numpy as np

from ..errors import check_seed
from .backends import _int

__all__ = ["draw_generator", "draw_uniforms"]


def draw_generator(seed: int, index: int) -> np.random.Generator:
    """The random generator of draw ``index`` in a run seeded with ``seed``.

    It is ``Generator(Philox(seed).jumped(index))``: numpy's counter-based Philox-4x64-10
    keyed by ``SeedSequence(seed)``, its 256-bit counter started at ``index * 2**128``. The
    stream of draw ``i`` depends on ``(seed, i)`` only, so a draw gets the same numbers
    whichever chunk it falls in, whichever worker runs it, and however many workers there
    are; the streams of different indices do not overlap (each has 2**128 blocks of four
    numbers). :func:`draw_uniforms` computes the first numbers of many draws at once.
    """
    seed = check_seed(seed)
    index = _int(index, "draw index", minimum=0)
    return np.random.Generator(np.random.Philox(seed, counter=index << 128))


#: Philox-4x64's multipliers and key increments (Salmon et al. 2011, Random123; numpy's).
_PHILOX_M = (0xD2E7470EE14C6C93, 0xCA5A826395121157)
_PHILOX_W = (0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B)
_PHILOX_ROUNDS = 10
_LOW32 = np.uint64(0xFFFFFFFF)
_BITS64 = (1 << 64) - 1


def _mulhilo(a: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The high and low 64 bits of the 128-bit products ``a * m`` (``a`` uint64), from
    32-bit halves."""
    m_lo, m_hi = np.uint64(m & 0xFFFFFFFF), np.uint64(m >> 32)
    a_lo, a_hi = a & _LOW32, a >> np.uint64(32)
    ll, lh, hl = a_lo * m_lo, a_lo * m_hi, a_hi * m_lo
    carry = (ll >> np.uint64(32)) + (lh & _LOW32) + (hl & _LOW32)
    hi = a_hi * m_hi + (lh >> np.uint64(32)) + (hl >> np.uint64(32)) + (carry >> np.uint64(32))
    return hi, a * np.uint64(m)


def draw_uniforms(seed: int, start: int, stop: int, k: int) -> np.ndarray:
    """The first ``k`` uniform numbers in [0, 1) of draws ``start`` to ``stop`` of a run
    seeded with ``seed``, (stop - start, k): row r is ``draw_generator(seed, start +
    r).random(k)``, bit for bit, computed for every draw at once (Philox-4x64-10 rounds as
    array operations over the draws' counters) instead of one generator per draw.
    O((stop - start) k)."""
    seed = _int(seed, "seed", minimum=0)
    start = _int(start, "draw index", minimum=0)
    stop = _int(stop, "draw index", minimum=start)
    k = _int(k, "numbers per draw", minimum=0)
    b, blocks = stop - start, -(-k // 4)
    if not b or not k:
        return np.empty((b, k))
    key = [int(x) for x in np.random.SeedSequence(seed).generate_state(2, np.uint64)]
    # draw i's j-th block of four numbers: counter (j + 1, 0, i, 0), numpy's order
    c0 = np.tile(np.arange(1, blocks + 1, dtype=np.uint64), b)
    c2 = np.repeat(np.arange(start, stop, dtype=np.uint64), blocks)
    c1 = np.zeros_like(c0)
    c3 = np.zeros_like(c0)
    for r in range(_PHILOX_ROUNDS):
        if r:
            key = [(key[0] + _PHILOX_W[0]) & _BITS64, (key[1] + _PHILOX_W[1]) & _BITS64]
        hi0, lo0 = _mulhilo(c0, _PHILOX_M[0])
        hi1, lo1 = _mulhilo(c2, _PHILOX_M[1])
        c0, c1, c2, c3 = hi1 ^ c1 ^ np.uint64(key[0]), lo1, hi0 ^ c3 ^ np.uint64(key[1]), lo0
    words = np.stack([c0, c1, c2, c3], axis=1).reshape(b, 4 * blocks)[:, :k]
    return (words >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
