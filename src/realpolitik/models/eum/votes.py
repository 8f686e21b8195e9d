"""Votes and the probability of success (Scholz, Calbert & Smith 2011, eqs. 1-2).

Voter k's vote for position a over position b, and i's probability of beating j::

    v_k(a, b) = w_k (u_k(x_b) - u_k(x_a)),        u_k(y) = |x_k - y| / R   (** r_k with vote_risk)
    N_ab      = sum_k max(0, v_k(a, b))           the votes for a over b
    P_ij      = N_ij / D,  D = sum_k sum_a sum_b |v_k(a, b)| = 2 sum_a sum_b N_ab   (all_pairs)
    P_ij      = N_ij / (N_ij + N_ji)                                                   (pair)

(0 where the normaliser is 0). With the all-pairs normaliser P sums to 1/2 over all ordered
pairs, so P is of order 1/n^2; with the per-pair one P_ij + P_ji = 1.

Two ways to the vote sums N of all n^2 pairs of one issue:

* **sorted**, O(n^2 log n), risk-neutral votes only. With the actors sorted by position and
  z = x - min x, voter k's share of N_ab is, for z_a <= z_b, clip(z_a + z_b - 2 z_k, 0,
  z_b - z_a) = max(0, z_a + z_b - 2 z_k) - max(0, 2 z_a - 2 z_k), and for z_a > z_b the
  same plus (z_a - z_b). With the hinge H(v) = sum_k w_k max(0, v - 2 z_k)::

      N_ab = H(z_a + z_b) - H(2 z_a) + W max(0, z_a - z_b),        W = sum_k w_k,

  and H(v) = v W_c - 2 S_c, where c counts the knots 2 z_k <= v and W_c, S_c are the sums
  of w_k and w_k z_k over those c voters (prefix sums over the sorted positions). The
  counts come from a binary search per pair, or (for few actors, where it is cheaper) a
  count over the knots; either gives the same integers, hence the same bits. The term
  W max(0, z_a - z_b) is nonzero below the diagonal only (b < a), where it is added. Positions
  are taken in R units, z = (x - min x) / R, so that nothing under- or overflows.
* **direct**, O(n^3), the definition: every v_k(a, b), in blocks of challengers so that no
  temporary exceeds a memory budget; the only way with ``vote_risk``.

Sums over voters and pairs are added in a fixed order (:func:`~.._ordered.ordered_sum`),
so that an issue computed among others gets the bits it gets alone.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from .._ordered import ordered_sum, reduce_rows

__all__ = ["METHODS", "PROBABILITIES", "vote_sums", "win_probabilities"]

PROBABILITIES = ("all_pairs", "pair")
METHODS = ("auto", "sorted", "direct")
DEFAULT_MAX_BYTES = 256 * 2**20
#: Up to this many actors the knots below each pair are counted (n cheap passes over the
#: pairs of a whole batch); above it, the hinge is interpolated issue by issue.
COUNT_MAX_N = 32
#: From this many issues on, sums over the actors go row by row (one call per actor, the
#: same additions in the same order): faster than a gather or an accumulation along the
#: strided actor axis.
_ROW_LOOPS = 256


@lru_cache(maxsize=64)
def _triangle(n: int) -> tuple[np.ndarray, ...]:
    """The pairs a <= b of n slots, by a then b: a, b, their rows in an (n n, g) array
    (a n + b and b n + a), for each k the number of pairs with a < k (n + 1), and a + 1
    as a column (uint8 where n < 255)."""
    lo, hi = np.triu_indices(n)
    first = (lo + 1).astype(np.uint8 if n < 255 else np.intp)[:, None]
    out = (lo, hi, lo * n + hi, hi * n + lo, np.searchsorted(lo, np.arange(n + 1)), first)
    for arr in out:
        arr.setflags(write=False)
    return out


@lru_cache(maxsize=64)
def _columns(g: int) -> np.ndarray:
    """arange(g), read-only."""
    out = np.arange(g)
    out.setflags(write=False)
    return out


def _part(arr: np.ndarray | None, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A contiguous ``shape`` view of the start of buffer ``arr``, or a fresh array."""
    if arr is None:
        return np.empty(shape, dtype=dtype)
    return arr.reshape(-1)[: math.prod(shape)].reshape(shape)


def _hinge(zs: np.ndarray, ws: np.ndarray, buf: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """H(z_a + z_b) = sum_k w_k max(0, z_a + z_b - 2 z_k) for every pair of slots (n, n,
    g), for ``zs`` (n, g) sorted along axis 0 (z_0 = 0) and weights ``ws``.

    H is piecewise linear with its knots at 2 z_k. Few actors (n <= COUNT_MAX_N): c, the
    number of knots at or below v = z_a + z_b, is counted, and H(v) = v W_c - 2 S_c with
    W_c, S_c the sums of w and w z over those c voters (prefix sums), all issues at once.
    H is symmetric, so only the pairs a <= b are counted, and every knot k <= a lies
    below v (2 z_k <= 2 z_a <= z_a + z_b, in floating point too): the count starts at
    a + 1 and compares the knots above a, about n^3 / 6 comparisons (in bytes), or, for
    fewer than n / 2 issues, comes from a binary search per issue (``np.searchsorted``:
    the same integers in fewer calls). Many actors: H at its knots, interpolated issue by
    issue (one ``np.interp``, a binary search per value). The formula depends on n only
    (sums in sequence, row by row or accumulated, are the same sums), so a column gets
    the same bits alone and in a batch.
    Returns H and the total weight W (g,). ``buf`` (a round's :class:`~.round.Buffers`)
    holds the large arrays; fresh ones if None.
    """
    n, g = zs.shape
    knots = zs + zs
    # prefix sums from 0: W_c and 2 S_c over the first c slots, c = 0 .. n, in sequence
    # (as np.add.accumulate adds; row by row is faster along a strided axis)
    prefix = np.zeros((2, n + 1, g))
    if g < _ROW_LOOPS:
        np.add.accumulate(ws, axis=0, out=prefix[0, 1:])
        np.add.accumulate(ws * knots, axis=0, out=prefix[1, 1:])
    else:
        wk = np.empty((n, 2, g))
        wk[:, 0] = ws
        np.multiply(ws, knots, out=wk[:, 1])
        table = prefix.transpose(1, 0, 2)  # (n + 1, 2, g), a view
        table[1] = wk[0]
        for k in range(1, n):
            np.add(table[k], wk[k], out=table[k + 1])
    out = _part(None if buf is None else buf.votes, (n, n, g), float)
    if n > COUNT_MAX_N:
        v = np.add(
            zs[:, None, :],
            zs[None, :, :],
            out=_part(None if buf is None else buf.v, (n, n, g), float),
        )
        at_knots = knots * prefix[0, :-1] - prefix[1, :-1]  # H(2 z_j): the voters below j
        if g == 1:
            return np.interp(v, knots[:, 0], at_knots[:, 0]), prefix[0, -1]
        for k in range(g):
            out[..., k] = np.interp(v[..., k], knots[:, k], at_knots[:, k])
        return out, prefix[0, -1]
    lo, hi, upper, lower, start, first = _triangle(n)
    pairs = (lo.size, g)
    # z_a + z_b, gathered into buffers (``mode="clip"``: an unbuffered take; the indices
    # are valid)
    vt = np.take(zs, lo, axis=0, out=_part(None if buf is None else buf.v, pairs, float),
                 mode="clip")  # fmt: skip
    vt += np.take(zs, hi, axis=0, out=_part(None if buf is None else buf.gather, pairs, float),
                  mode="clip")  # fmt: skip
    # the counts in bytes (at most n + 1 <= 33), then the flat index of (count, issue) in
    # an (n + 1, g) table
    count = _part(None if buf is None else buf.count, pairs, np.intp)
    if 2 * g <= n:  # (a binary search per issue: fewer calls than n passes)
        for k in range(g):
            count[:, k] = np.searchsorted(knots[:, k], vt[:, k], side="right")
        if g > 1:
            count *= g
            count += _columns(g)
    else:
        small = _part(None if buf is None else buf.count8, pairs, np.uint8)
        le = _part(None if buf is None else buf.le, pairs, bool)
        np.copyto(small, first)
        for k in range(1, n):
            rows = start[k]  # the pairs with a < k
            np.add(small[:rows], np.less_equal(knots[k], vt[:rows], out=le[:rows]).view(np.uint8),
                   out=small[:rows])  # fmt: skip
        np.multiply(small, g, out=count, dtype=np.intp)
        count += _columns(g)
    ht = np.take(
        prefix[0].reshape(-1),
        count,
        out=_part(None if buf is None else buf.gather, pairs, float),
        mode="clip",
    )
    ht *= vt
    ht -= np.take(
        prefix[1].reshape(-1),
        count,
        out=_part(None if buf is None else buf.tmp, pairs, float),
        mode="clip",
    )
    flat = out.reshape(n * n, g)
    flat[upper] = ht
    flat[lower] = ht
    return out, prefix[0, -1]


def sorted_vote_sums(
    xs: np.ndarray,
    ws: np.ndarray,
    span: np.ndarray,
    diff: np.ndarray | None = None,
    buf: Any = None,
) -> np.ndarray:
    """N[a, b, k] for g issues, (n, n, g), in R units, from positions ``xs`` (n, g) sorted
    along axis 0, weights ``ws`` (n, g) in the same order and the issues' R ``span`` (g,).
    The positions are taken relative to the lowest and in R units, z = (x - x_0) / R, so
    that no product under- or overflows whatever the positions' scale.

    Sums that are 0 in exact arithmetic come out of the identity as rounding errors of
    either sign: they are clamped to 0. Between two actors at exactly one position the
    identity gives exactly 0 (the same sum, the same count, the same H). ``diff`` = x_b -
    x_a, if the caller has it; ``buf``, a round's :class:`~.round.Buffers`, if it has them.
    """
    n, g = xs.shape
    zs = (xs - xs[:1]) / span
    out, total = _hinge(zs, ws, buf)  # H(z_a + z_b)
    out -= out.reshape(n * n, g)[:: n + 1].copy()[:, None, :]  # - H(2 z_a): the diagonal
    if diff is None:
        diff = xs[None, :, :] - xs[:, None, :]
    # + W max(0, z_a - z_b) = -W min(0, x_b - x_a) / R
    if g < _ROW_LOOPS:
        rise = np.minimum(diff, 0.0, out=None if buf is None else buf.rise)
        rise *= total / -span  # -W / R
        out += rise
    else:  # (nonzero below the diagonal only, b < a: there x_b - x_a <= 0; row by row)
        rise = _part(None if buf is None else buf.rise, (n, n, g), float)
        factor = total / -span
        for a in range(1, n):
            out[a, :a] += np.multiply(diff[a, :a], factor, out=rise[a, :a])
    np.maximum(out, 0.0, out=out)
    return out


def direct_vote_sums(
    xs: np.ndarray, ws: np.ndarray, span: np.ndarray, r: np.ndarray | None, max_bytes: int
) -> np.ndarray:
    """N[a, b, k] = sum_l w_l max(0, u_l(x_b) - u_l(x_a)), (n, n, g), by the definition, in
    blocks of challengers a so that the (block, n, n, g) temporaries stay within
    ``max_bytes``; ``xs``, ``ws`` and ``r`` (voter exponents, or None) are (n, g)."""
    n, g = xs.shape
    u = np.abs(xs[None, :, :] - xs[:, None, :]) / span  # u[y, l] = |x_l - x_y| / R
    if r is not None:
        u = np.power(u, r[None, :, :])
    out = np.empty((n, n, g))
    block = max(1, int(max_bytes) // max(1, 2 * n * n * g * 8))
    for first in range(0, n, block):
        rows = slice(first, min(n, first + block))
        diff = u[None, :, :, :] - u[rows, None, :, :]  # (block, b, l, g): u_l(b) - u_l(a)
        np.maximum(diff, 0.0, out=diff)
        diff *= ws
        out[rows] = ordered_sum(diff, axis=2)
    return out


def stakes(
    votes: np.ndarray, s_j: np.ndarray, probability: str, out: np.ndarray | None = None
) -> np.ndarray:
    """s_j (1 - P_ij) (n, n, g), the target's salience times the challenger's probability
    of failing, from vote sums (n, n, g) and ``s_j`` (1, n, g). With the all-pairs
    normaliser computed as s_j - (s_j / D) N_ij: one pass over the pairs fewer."""
    if probability == "all_pairs":
        total = reduce_rows(reduce_rows(np.ascontiguousarray(votes)))  # D / 2: a, then b
        if total.size == 1:  # one issue: the same arithmetic on a scalar
            half = float(total[0])
            factor: np.ndarray | float = -0.5 / half if half > 0 else -0.0
        else:
            factor = -0.5 / np.where(total > 0, total, np.inf)
        out = np.multiply(votes, s_j * factor, out=out)
        out += s_j
        return out
    out = np.subtract(1.0, probabilities(votes, probability), out=out)
    out *= s_j
    return out


def probabilities(votes: np.ndarray, probability: str) -> np.ndarray:
    """P[i, j, k] from vote sums (n, n, g) (any factor common to an issue's votes cancels)."""
    if probability == "all_pairs":
        total = reduce_rows(reduce_rows(np.ascontiguousarray(votes)))  # D / 2: a, then b
        return votes * (0.5 / np.where(total > 0, total, np.inf))
    den = votes + votes.transpose(1, 0, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, votes / den, 0.0)


def vote_sums(
    x: np.ndarray,
    w: np.ndarray,
    span: np.ndarray,
    r: np.ndarray | None = None,
    *,
    method: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """N[g, a, b] = sum_k max(0, v_k(a, b)), the votes for a's position over b's, in R units.

    ``x`` and ``w`` (weights c s) have shape (g, n) (issues first), ``span`` (g,); ``r``
    (g, n) voter exponents or None (risk-neutral votes). ``method`` is "sorted"
    (O(n^2 log n), only without ``r``), "direct" (O(n^3) in blocks) or "auto".
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if method == "sorted" and r is not None:
        raise ValueError("the sorted algorithm needs risk-neutral votes (r=None)")
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    span = np.asarray(span, dtype=float)
    order = np.argsort(x, axis=1, kind="stable").T  # (n, g)
    xs, ws = np.take_along_axis(x.T, order, axis=0), np.take_along_axis(w.T, order, axis=0)
    if method == "direct" or r is not None:
        rs = None if r is None else np.take_along_axis(np.asarray(r, dtype=float).T, order, 0)
        raw = direct_vote_sums(xs, ws, span, rs, max_bytes)
    else:
        raw = sorted_vote_sums(xs, ws, span)
    g = x.shape[0]
    out = np.empty((g, x.shape[1], x.shape[1]))
    cols = np.arange(g)
    out[cols[None, None, :], order[:, None, :], order[None, :, :]] = raw
    return out


def win_probabilities(votes: np.ndarray, probability: str = "all_pairs") -> np.ndarray:
    """P[g, i, j], the probability that i beats j, from :func:`vote_sums` (0 where 0/0)."""
    if probability not in PROBABILITIES:
        raise ValueError(f"probability must be one of {PROBABILITIES}, got {probability!r}")
    return probabilities(np.moveaxis(votes, 0, -1), probability).transpose(2, 0, 1)
