"""Bueno de Mesquita's expected-utility model (EUM), as unravelled by Scholz et al. (2011).

Source: J. B. Scholz, G. J. Calbert & G. A. Smith (2011), "Unravelling Bueno de Mesquita's
group decision model", *Journal of Theoretical Politics* 23(4): 510-531 (also ICAART 2011),
who reconstruct the model of B. Bueno de Mesquita (1994), "Political forecasting: an expected
utility method", in Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*,
ch. 4. ``docs/explanation/eum.md`` gives the derivation, every interpretive choice with its
reason, and the reproduction of Scholz et al.'s Table 2.

Notation (one issue; every issue is run on its own, all issues at once)
-------------------------------------------------------------------------
Actor i has capability c_i, salience s_i in [0, 1] and position x_i; w_i = c_i s_i.
R = max_i x_i - min_i x_i over the *input* positions (Scholz's |x_max - x_min|); mu is the
Condorcet median of the current positions (:func:`~realpolitik.models.median.condorcet_median`);
d_ij = |x_i - x_j| / R; r_i is i's risk exponent.

Votes and probability of success::

    v_k(i, j) = w_k (u_k(x_j) - u_k(x_i)),        u_k(y) = |x_k - y| / R
    P_ij = sum_k max(0, v_k(i, j)) / D,
    D    = sum_k sum_a sum_b |v_k(a, b)|          (all ordered pairs of actors a, b)

``probability="pair"`` uses D_ij = sum_k |v_k(i, j)| instead (then P_ij + P_ji = 1);
``vote_risk=True`` uses u_k(y) = (|x_k - y| / R) ** r_k. With the all-pairs D, P_ij sums
to 1/2 over all ordered pairs, so P is of order 1/n^2 (see the docs' "few actors").

Utilities, from the point of view of an actor with exponent r::

    U_s  = 2 - 4 (0.5 - 0.5 d_ij) ** r                   success
    U_f  = 2 - 4 (0.5 + 0.5 d_ij) ** r                   failure
    U_b  = 2 - 4 (0.5 - 0.25 (|x_i - mu| / R + d_ij)) ** r   better, no challenge
    U_w  = 2 - 4 (0.5 + 0.25 (|x_i - mu| / R + d_ij)) ** r   worse, no challenge
    U_sq = 2 - 4 (0.5) ** r                              status quo

Expected utility of i challenging j::

    E(U_ij) = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s
              - Q U_sq - (1 - Q) (T U_b + (1 - T) U_w)

Risk exponents (security levels computed risk-neutral, all r = 1, first)::

    S_i = sum_{j : x_j != x_i} E(U_ji)          (how attractive a target i is)
    R_i = (2 S_i - max_k S_k - min_k S_k) / (max_k S_k - min_k S_k)      (0 if max = min)
    r_i = (1 - R_i / 3) / (1 + R_i / 3)          in [0.5, 2] (up to rounding)

Offers, seen by the receiver i with its own exponent r_i, from every j with x_j != x_i and
E^i(U_ji) > 0 (j expects to gain by challenging i)::

    conflict      E^i(U_ji) > E^i(U_ij) > 0           i moves to x_j
    compromise    E^i(U_ij) <= 0, |E^i(U_ij)| < E^i(U_ji)
                  i moves to x_i + (x_j - x_i) |E^i(U_ij) / E^i(U_ji)|
    capitulation  E^i(U_ij) < 0, |E^i(U_ij)| >= E^i(U_ji)   i moves to x_j
    stalemate     E^i(U_ij) <= 0 and E^i(U_ji) <= 0    no offer

Each actor accepts one offer: a conflict if it has any (the one that moves it least), else
a compromise (the one from the most determined proposer, the largest E^i(U_ji)), else a
capitulation (the smallest move). Ties: smaller move / larger E^i(U_ji) within MOVE_RTOL R /
EU_ATOL, then the lower target position, then the lower actor index. All actors move at
once; a round's positions are kept, round 0 being the input.

Tolerances (so that the result does not depend on the actors' order)
--------------------------------------------------------------------
Quantities equal in exact arithmetic come out of floating point differing in their last
bits, depending on the order of summation, hence on the order of the actors. Every
comparison that decides a discrete outcome is therefore made with a tolerance, and values
within it are treated as equal:

* positions within POS_RTOL R (1e-9 R) of each other are one position ("x_j != x_i" above
  means |x_j - x_i| > POS_RTOL R; such actors make no offers to each other), and a
  compromise that lands within POS_RTOL R of either end, the receiver's own position or the
  proposer's, stays at the first or lands on the second (actors approaching a position
  geometrically reach it instead of stopping a rounding error short of it);
* expected utilities within EU_ATOL (1e-10; they are of order 1, their rounding errors below
  1e-14) of 0 or of each other are equal: "> 0" reads "> EU_ATOL", "E^i(U_ji) > E^i(U_ij)"
  reads "E^i(U_ji) - E^i(U_ij) > EU_ATOL", "|E^i(U_ij)| < E^i(U_ji)" reads
  "E^i(U_ij) + E^i(U_ji) > EU_ATOL", and security levels spreading less than EU_ATOL give r = 1.

Forecast: settled, cycling or unsettled
---------------------------------------
The model often does not come to rest: actors cycle between positions and the median after
the last round depends on whether the number of rounds is even or odd. So the forecast of an
issue is decided from the rounds run, 0..T, with positions compared within SETTLE_RTOL R
(1e-3 R, a tenth of a point on a 0-100 scale):

* converged: the positions of round T equal those of round T-1 -> the median at T;
* cycle: the smallest period p >= 2 (2p <= T + 1, the rounds run) such that each of the
  last p rounds equals the round p before it -> the mean of the medians over the last p
  rounds (the cycle's time average);
* otherwise unsettled -> the median at T.

``details`` reports per issue ``settled`` (1 converged, else 0), ``cycle_period`` (p, or 0),
and ``forecast_low``/``forecast_high``: the lowest and highest median over the last round
(converged), the cycle (cycle), or the last T//2 + 1 rounds (unsettled). The median voter
position is the model's outcome in Bueno de Mesquita (1994) and Scholz et al. (2011);
``per_round["median"]`` and ``per_round["mean"]`` follow it round by round; rounds 1-8 on
the EC example reproduce Scholz et al.'s Table 2 (tests/test_ec_golden.py).

Shocks (``inputs.changes``)
---------------------------
A :class:`~realpolitik.models.base.Change` dated round k >= 1 acts after round k has been
computed and before the offers of round k + 1 are made from round k's state:

* capabilities and saliences, when given, replace those in force: the weights w = c s of
  the offers into round k + 1 and later, and of the median and mean of round k and later
  (each round's summaries use the weights in force in that round);
* positions, when given, replace the positions of round k of the actors they name (the
  others keep theirs): ``positions[k]`` shows the shocked positions, and the offers of
  round k + 1 start from them.

Rounds before k are those of a run without the change; a change dated after the last round
has no effect. R stays the range of the round-0 input; a position moved beyond it makes
d_ij exceed 1 for some pairs, and 0.5 - 0.5 d is then clipped at 0 in U_s.

Complexity
----------
Per round and issue, with n actors: O(n^2 log n) time and O(n^2) memory by default. The
round is computed with the actors sorted by position; the vote sums
sum_k max(0, v_k(i, j)) of all n^2 pairs then come from prefix sums over the sorted
positions and one binary search per pair (:func:`_sorted_votes`: the sum for (i, j) is a
piecewise-linear function of x_i + x_j with its knots at the voters' 2 x_k, interpolated),
and D = 2 sum_ij sum_k max(0, v_k(i, j)). With ``vote_risk=True`` (or ``method="direct"``)
the vote sums are the direct O(n^3) formula, computed in blocks of challengers so that no
temporary exceeds ``max_bytes``. A single issue is computed on (n, n) arrays; several
(issues, or the Monte Carlo draws of one issue) together, in groups small enough for the
same memory budget, on (n, n, g) arrays with the issues last (:func:`_round_batch`), which
give every issue the same bits as alone: the same operations element for element, sums in
the order numpy sums one issue's, and the interpolation's binary search replaced, up to
n = 32, by a count of the knots below each pair (n passes over n^2 / 2 pairs, at most
16 n^2 per issue). A run allocates the arrays of a round once and reuses them. An issue
whose positions are those of p <= 8 rounds before, bit for bit, with no change since,
repeats its rounds from there (a round is a function of the positions and weights): the
later rounds are copied, not computed (the repetitions are found by a hash of each round's
positions, O(n) per issue, the rounds whose hashes match then compared). The medians and
means are computed once per round computed (O(n log n) per issue, in the round's own sort
for a batch); the forecast rule costs O(T^2 n) per issue at worst.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from .base import Change, ModelInput, ModelSpec, Trajectory
from .median import TIE_RTOL, median_last

__all__ = [
    "CAPITULATION",
    "COMPROMISE",
    "CONFLICT",
    "DEFAULT_ROUNDS",
    "EU_ATOL",
    "MOVE_RTOL",
    "NO_OFFER",
    "POS_RTOL",
    "SETTLE_RTOL",
    "SPEC",
    "Perceptions",
    "expected_utility",
    "perceptions",
    "risk_exponents",
    "run",
    "settle",
    "vote_sums",
    "win_probabilities",
]

NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
#: Expected utilities within this of each other (or of 0) are equal, when offers are
#: classified and when one is chosen. They are of order 1; their rounding errors < 1e-14.
EU_ATOL = 1e-10
#: Two moves closer than this fraction of the issue's range R are tied.
MOVE_RTOL = 1e-9
#: Two positions closer than this fraction of R are one position; a compromise landing this
#: close to the receiver's or the proposer's position lands on it.
POS_RTOL = 1e-9
#: A spread of security levels below this (relative, plus EU_ATOL) is none: all r_i = 1.
SPREAD_RTOL = 1e-12
#: Positions within this fraction of R of each other count as repeated (the forecast rule).
SETTLE_RTOL = 1e-3
#: Rounds run by default: enough for the built-in scenarios to play out (see :func:`run`).
DEFAULT_ROUNDS = 40
#: The longest period of exact repetition that stops computing an issue (see :func:`run`).
_PERIOD_MAX = 8

_PROBABILITY = ("all_pairs", "pair")
_RANGE_BASIS = ("positions", "scale")
_METHOD = ("auto", "sorted", "direct")
_DEFAULT_MAX_BYTES = 256 * 2**20


# ------------------------------------------------------------------------ workspace


class _Pool:
    """Flat buffers shared by the workspaces of a run: a workspace of g issues views the
    first elements of each, so that groups of every size (the last group of a round, the
    issues still running) reuse the same memory instead of allocating their own."""

    def __init__(self) -> None:
        self.flat: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: Any = float) -> np.ndarray:
        size = math.prod(shape)
        buf = self.flat.get(name)
        if buf is None or buf.size < size or buf.dtype != np.dtype(dtype):
            buf = self.flat[name] = np.empty(size, dtype=dtype)
        return buf[:size].reshape(shape)


class _Work:
    """The arrays of a round of one issue with n actors, (n, n), allocated once per run.

    At small n a round is dominated by the cost of numpy calls and of fresh memory; writing
    into the same few buffers keeps them in cache and spares the allocator. Pairs of
    arrays computed the same way are stacked, so that one call computes both.
    """

    def __init__(self, n: int, shape: tuple[int, ...] | None = None, pool: _Pool | None = None):
        sq = shape if shape is not None else (n, n)
        pool = pool if pool is not None else _Pool()
        floats = pool.get("floats", (10, *sq))  # one buffer each for floats and bools
        self.diff, self.d, self.votes, self.t1, self.t2, self.score = floats[:6]
        self.two = floats[6:8]  # (0.5 - 0.5 d) ** r, (0.5 + 0.5 d) ** r
        self.ab = floats[8:]  # E^i(U_ij), E^i(U_ji)
        bools = pool.get("bools", (8, *sq), bool)
        self.pos = bools[:2]  # a > 0, b > 0
        self.masks = bools[2:7]  # differ, conflict, yields, compromise, offers
        self.same = bools[7]
        rest = sq[2:]  # () for one issue, (g,) for a batch
        self.zw = np.ones((2, n, *rest))  # [1; 2 z]
        self.prefix = np.zeros((2, n + 1, *rest))  # [W; 2 S]: prefix sums from 0
        self.halves = np.array([-0.5, 0.5]).reshape((2,) + (1,) * len(sq))


class _BatchWork(_Work):
    """The arrays of a round of g issues with n actors, laid out (n, n, g): the issues on
    the last axis, so that every operation over actors runs over long contiguous rows."""

    def __init__(self, n: int, g: int, pool: _Pool | None = None) -> None:
        sq = (n, n, g)
        pool = pool if pool is not None else _Pool()
        super().__init__(n, sq, pool)
        small = np.uint8 if n < 256 else np.intp
        # The pairs a <= b (the interpolated sums are symmetric), by a then b: rows of
        # (n n, g) arrays, and the first row of each a.
        self.upper, self.lower, self.tri_a, self.tri_b, self.tri_start = _pairs(n)
        lo = self.tri_a
        self.count = pool.get("count", (lo.size, g), small)  # knots below each pair
        self.mask = pool.get("mask", (lo.size, g), bool)
        self.index = pool.get("index", (lo.size, g), np.intp)
        self.starts = (np.arange(g) * n).astype(np.intp)  # issue k's row of an (g, n) table
        self.table = np.zeros((3, g, n))  # knots, slopes (0 at the last knot), values
        self.rev = (n - np.arange(n)).astype(small).reshape(1, n, 1)  # n - j
        self.first = pool.get("first", sq, small)
        self.bytes = pool.get("bytes", (2, *sq), np.uint8)
        # flat index of (receiver i, proposer 0, issue k) in an (n, n, g) array
        self.at0 = np.arange(n)[:, None] * (n * g) + np.arange(g)[None, :]
        self.cols = np.arange(g)


@lru_cache(maxsize=16)
def _pairs(n: int) -> tuple[np.ndarray, ...]:
    """The pairs a <= b of n slots, by a then b: their rows in (n n, g) arrays (a n + b
    and b n + a), a, b, and the first pair of each a (n + 1)."""
    lo, hi = np.triu_indices(n)
    return lo * n + hi, hi * n + lo, lo, hi, np.searchsorted(lo, np.arange(n + 1))


# --------------------------------------------------------------------------- votes


def _sorted_votes(
    xs: np.ndarray,
    ws: np.ndarray,
    work: _Work | None = None,
    exact: bool = True,
    diff: np.ndarray | None = None,
    absdiff: np.ndarray | None = None,
) -> np.ndarray:
    """sum_k w_k max(0, |x_k - x_b| - |x_k - x_a|) for all (a, b), (n, n) for one issue
    (``xs`` sorted, (n,)) or (n, n, g) for g issues (``xs`` (n, g), sorted along axis 0).

    Not divided by R. Voter k's term is clip(x_a + x_b - 2 x_k, 0, x_b - x_a) for
    x_a <= x_b, and clip(2 x_k - x_a - x_b, 0, x_a - x_b) for x_a > x_b. With the hinge
    H(v) = sum_k w_k max(0, v - 2 x_k), and clip(u, 0, c) = max(0, u) - max(0, u - c), the
    sum is H(x_a + x_b) - H(2 x_a) + W max(0, x_a - x_b), W the total weight (the case
    x_a > x_b follows from max(0, -u) = max(0, u) - u). H is piecewise linear with its knots
    at 2 x_j, where H(2 x_j) = 2 (x_j W[j] - S[j]), W[j] and S[j] the sums of w and w x over
    the voters sorted below j; since 2 x_min <= x_a + x_b <= 2 x_max, interpolating between
    the knots (one binary search per pair) gives all n^2 sums in O(n^2 log n). Sums that are
    0 in exact arithmetic come out as rounding errors (of order 1e-16 of the largest);
    ``exact`` clamps them to 0 (a round with the all-pairs normaliser does without: there
    they change nothing). ``diff`` = x_b - x_a and ``absdiff`` = |x_b - x_a|, if the caller
    has them, spare computing max(0, x_a - x_b) = (|x_b - x_a| - (x_b - x_a)) / 2.
    The batch computes every issue with the same operations as one issue alone.
    """
    n = xs.shape[0]
    batch = xs.ndim == 2
    if work is None:
        work = _BatchWork(n, xs.shape[1]) if batch else _Work(n)
    z = xs - xs[:1]  # >= 0, well conditioned
    zz = np.add(z, z, out=work.zw[1])
    np.add.accumulate(np.multiply(work.zw, ws), axis=1, out=work.prefix[:, 1:])
    w_sum, s2_sum = work.prefix  # W and 2 S, (n + 1, ...) each
    knots = zz * w_sum[:-1] - s2_sum[:-1]  # H(2 z_j)
    if batch:
        assert isinstance(work, _BatchWork)
        out = _interp_batch(z, zz, knots, work)
    else:
        out = np.interp(np.add(z[:, None], z[None, :], out=work.t1), zz, knots)
    out -= knots[:, None]
    # + W max(0, x_a - x_b)
    rise = work.t2
    if diff is None or absdiff is None:
        np.subtract(z[:, None], z[None, :], out=rise)
        np.maximum(rise, 0.0, out=rise)
        rise *= w_sum[-1]
    else:
        np.subtract(absdiff, diff, out=rise)
        rise *= 0.5 * w_sum[-1]
    out += rise
    if exact:  # the theoretical zeros exactly, not rounding errors of either sign
        np.maximum(out, 0.0, out=out)
        same = np.equal(z[:, None], z[None, :], out=work.same)
        np.positive(0.0, out=out, where=same)
    return out


#: Up to this many actors, the interpolations of a batch of issues are vectorised (a linear
#: count of the knots below each pair: n cheap passes, O(n^3) per issue, which at such n
#: costs less than one np.interp call per issue); above it, np.interp issue by issue.
_COUNT_MAX_N = 32


def _interp_batch(z: np.ndarray, xp: np.ndarray, fp: np.ndarray, work: _BatchWork) -> np.ndarray:
    """``np.interp(z[a] + z[b], xp[:, k], fp[:, k])`` for every pair (a, b) of every issue k,
    bit for bit, into ``work.votes`` (n, n, g): ``z`` (n, g) sorted, ``xp`` = 2 z.

    np.interp takes the last j with xp[j] <= v and returns fp[j] where v = xp[j] (or
    j = n - 1), else slope[j] (v - xp[j]) + fp[j], slope[j] = (fp[j+1] - fp[j]) /
    (xp[j+1] - xp[j]). Here j comes from counting the knots below v, and the same
    operations follow, so that an issue gives the same bits in a batch as alone. The sums
    are symmetric, so only the pairs a <= b are computed; and since xp[k] <= z[a] + z[b]
    for every k <= a, the count starts at a and compares the knots above a only.
    """
    out = work.votes
    n, g = xp.shape
    if n > _COUNT_MAX_N:
        v = np.add(z[:, None], z[None, :], out=work.t1)
        for k in range(g):
            out[..., k] = np.interp(v[..., k], xp[:, k], fp[:, k])
        return out
    v = np.add(z.take(work.tri_a, axis=0), z.take(work.tri_b, axis=0))  # (pairs, g), a <= b
    j, mask, start = work.count, work.mask, work.tri_start
    j[...] = work.tri_a[:, None]
    ones = mask.view(np.uint8)  # added as bytes: no cast
    for k in range(1, n):
        rows = slice(0, start[k])  # the pairs with a < k
        np.less_equal(xp[k], v[rows], out=mask[rows])
        j[rows] += ones[rows]
    # the tables issue by issue: knot j of issue k at k n + j of xp, slope, fp
    table = work.table
    xt, slope, ft = table
    step = xp[1:] - xp[:-1]  # (computed knot by knot, then laid out issue by issue)
    rising = step > 0  # else repeated knots, never used: slope 0
    slopes = np.divide(fp[1:] - fp[:-1], np.where(rising, step, 1.0))
    slopes *= rising
    xt[...], ft[...], slope[:, :-1] = xp.T, fp.T, slopes.T
    at = np.add(j, work.starts, out=work.index)
    x_at, slope_at, f_at = table.reshape(3, -1).take(at, axis=1)
    res = np.subtract(v, x_at)
    res *= slope_at  # 0 at j = n - 1, where v = xp[j]
    res += f_at
    # At v = xp[j] this gives fp[j] like np.interp, unless fp[j] is -0.0 (0 + -0.0 = 0.0) or
    # the slope is not finite (0 inf = nan): then the explicit rule, or np.interp itself.
    if np.logical_or.reduce(np.signbit(fp), axis=None):
        np.copyto(res, f_at, where=v == x_at)
    rows2 = out.reshape(n * n, g)
    rows2[work.upper] = res
    rows2[work.lower] = res
    finite = np.isfinite(slopes)  # (the last knot's slope is 0)
    if not np.logical_and.reduce(finite, axis=None):
        for col in np.flatnonzero(~np.logical_and.reduce(finite, axis=0)):
            vk = z[:, None, col] + z[None, :, col]
            out[..., col] = np.interp(vk, xp[:, col], fp[:, col])
    return out


def _pairwise_sum(a: np.ndarray, outer: bool = True) -> np.ndarray:
    """The sum over the first axis, vectorised over the others, in the order numpy's
    ``np.add.reduce`` sums one contiguous (or singly strided) row: pairwise summation, 8
    accumulators in blocks of at most 128 and halves beyond, added to the identity 0.0. A
    batch so gets the bits of a one-issue sum."""
    size = a.shape[0]
    if size < 8:
        res = np.full(a.shape[1:], 0.0 if outer else -0.0)
        for i in range(size):
            res += a[i]
        return res
    if size <= 128:
        stop = size - size % 8  # the blocks of 8 added in sequence, as one reduction:
        if stop == 8:
            r = a[:8].copy()
        else:
            r = np.add.reduce(a[:stop].reshape(stop // 8, 8, *a.shape[1:]), axis=0)
        res = (r[0] + r[1]) + (r[2] + r[3])
        res += (r[4] + r[5]) + (r[6] + r[7])
        for i in range(stop, size):
            res += a[i]
        if outer:
            res += 0.0
        return res
    half = size // 2
    half -= half % 8
    res = _pairwise_sum(a[:half], False) + _pairwise_sum(a[half:], False)
    if outer:
        res += 0.0
    return res


def _vote_utilities(x: np.ndarray, span: np.ndarray, r: np.ndarray | None) -> np.ndarray:
    """u[g, k, y] = (|x_k - x_y| / span) ** r_k (r_k = 1 when ``r`` is None)."""
    u = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]
    if r is not None:
        u = np.power(u, r[:, :, None])
    return u


def _vote_sums_direct(
    x: np.ndarray, w: np.ndarray, span: np.ndarray, r: np.ndarray | None, max_bytes: int
) -> np.ndarray:
    """The direct O(n^3) formula, in blocks of challengers a: (g, blk, n, n) temporaries."""
    g, n = x.shape
    ut = np.swapaxes(_vote_utilities(x, span, r), 1, 2)  # ut[g, y, k] = u_k(x_y)
    out = np.empty((g, n, n))
    blk = max(1, int(max_bytes // max(1, g * n * n * 8)))
    wcol = w[:, None, :, None]  # (g, 1, n, 1)
    for start in range(0, n, blk):
        stop = min(n, start + blk)
        diff = ut[:, None, :, :] - ut[:, start:stop, None, :]  # (g, blk, n_b, n_k)
        np.maximum(diff, 0.0, out=diff)
        out[:, start:stop, :] = np.matmul(diff, wcol)[..., 0]
    return out


def vote_sums(
    x: np.ndarray,
    w: np.ndarray,
    span: np.ndarray,
    r: np.ndarray | None = None,
    *,
    method: str = "auto",
    max_bytes: int = _DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """N[g, a, b] = sum_k max(0, v_k(a, b)), the votes for a's position over b's.

    ``x`` and ``w`` (weights c s) have shape (g, n) (issues first), ``span`` (g,); ``r``
    (g, n) voter exponents or None (risk-neutral votes). ``method`` is "sorted" (prefix
    sums, O(n^2 log n), only without ``r``), "direct" (O(n^3) in blocks) or "auto".
    """
    if method not in _METHOD:
        raise ValueError(f"method must be one of {_METHOD}, got {method!r}")
    if method == "sorted" and r is not None:
        raise ValueError("the sorted algorithm needs risk-neutral votes (r=None)")
    if method == "direct" or r is not None:
        return _vote_sums_direct(x, w, span, r, max_bytes)
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    order = np.argsort(x, axis=1, kind="stable")
    xs, ws = np.take_along_axis(x, order, axis=1), np.take_along_axis(w, order, axis=1)
    raw = _sorted_votes(xs.T.copy(), ws.T.copy()).transpose(2, 0, 1) / span[:, None, None]
    out = np.empty_like(raw)
    out[np.arange(x.shape[0])[:, None, None], order[:, :, None], order[:, None, :]] = raw
    return out


def win_probabilities(votes: np.ndarray, probability: str = "all_pairs") -> np.ndarray:
    """P[g, i, j], the probability that i beats j, from :func:`vote_sums` (0 where 0/0).

    Any positive factor common to an issue's votes (such as 1/R) cancels.
    """
    if probability == "all_pairs":
        den = 2.0 * votes.sum(axis=(-2, -1))  # = sum_k sum_a sum_b |v_k(a, b)|
        return votes * (1.0 / np.where(den > 0, den, np.inf))[..., None, None]
    if probability == "pair":
        den = votes + np.swapaxes(votes, -1, -2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, votes / den, 0.0)
    raise ValueError(f"probability must be one of {_PROBABILITY}, got {probability!r}")


# ----------------------------------------------------------------- expected utility


def _success_failure(
    d: np.ndarray, rho: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray | float]:
    if isinstance(rho, float) and rho == 1.0:  # risk-neutral: no powers needed (0 <= d <= 1)
        return 2.0 * d, -2.0 * d, 0.0
    us = 2.0 - 4.0 * np.power(np.maximum(0.5 - 0.5 * d, 0.0), rho)
    uf = 2.0 - 4.0 * np.power(0.5 + 0.5 * d, rho)
    usq = 2.0 - 4.0 * np.power(0.5, rho)
    return us, uf, usq


def expected_utility(
    p: np.ndarray,
    d: np.ndarray,
    s_target: np.ndarray,
    dmu: np.ndarray,
    rho: np.ndarray | float,
    q: float,
    t: float,
    *,
    us_uf_usq: tuple[np.ndarray, np.ndarray, np.ndarray | float] | None = None,
) -> np.ndarray:
    """E(U) of a challenge, elementwise with broadcasting.

    ``p`` the challenger's probability of success, ``d`` = |x_i - x_j| / R, ``s_target`` the
    salience of the challenged actor, ``dmu`` = |x_challenger - mu| / R, ``rho`` the exponent
    of the actor whose view this is. ``us_uf_usq`` may pass precomputed U_s, U_f, U_sq.
    """
    us, uf, usq = us_uf_usq if us_uf_usq is not None else _success_failure(d, rho)
    eu = s_target * (p * us + (1.0 - p) * uf) + (1.0 - s_target) * us - q * usq
    if q != 1.0:
        e = 0.25 * (dmu + d)
        ub = 2.0 - 4.0 * np.power(np.maximum(0.5 - e, 0.0), rho)
        uw = 2.0 - 4.0 * np.power(0.5 + e, rho)
        eu = eu - (1.0 - q) * (t * ub + (1.0 - t) * uw)
    return eu


def risk_exponents(security: np.ndarray) -> np.ndarray:
    """r_i = (1 - R_i/3) / (1 + R_i/3), R_i = (2 S_i - max S - min S) / (max S - min S).

    ``security`` (..., n); where the spread is zero (below SPREAD_RTOL relative to the
    levels, plus EU_ATOL) every r_i is 1. Computed as (3 - R_i) / (3 + R_i), with
    R_i = 2 S_i / spread - (max S + min S) / spread, in [-1, 1] up to rounding.
    """
    hi = security.max(axis=-1, keepdims=True)
    lo = security.min(axis=-1, keepdims=True)
    spread = hi - lo
    ok = spread > SPREAD_RTOL * (np.abs(hi) + np.abs(lo)) + EU_ATOL
    spread = np.where(ok, spread, np.inf)
    big_r = security * (2.0 / spread) - (hi + lo) / spread
    return (3.0 - big_r) / (3.0 + big_r)


def _exponents(security: np.ndarray, out: np.ndarray) -> None:
    """:func:`risk_exponents` into ``out``, with scalars for one issue (the same arithmetic)."""
    if security.shape[0] != 1:
        out[...] = risk_exponents(security)
        return
    hi = float(np.maximum.reduce(security, axis=None))
    lo = float(np.minimum.reduce(security, axis=None))
    spread = hi - lo
    if not spread > SPREAD_RTOL * (abs(hi) + abs(lo)) + EU_ATOL:
        out[...] = 1.0
        return
    big_r = security * (2.0 / spread)
    big_r -= (hi + lo) / spread
    np.subtract(3.0, big_r, out=out)
    big_r += 3.0
    out /= big_r


# ---------------------------------------------------------------- perceptions


class Perceptions(NamedTuple):
    """What each actor perceives of every other on one issue (:func:`perceptions`).

    Arrays are read-only; rows i are the perceiving actor (the receiver of the model's
    offers), columns j the other (the proposer).
    """

    #: (n, n): E^i(U_ij), i's expected utility of challenging j, with i's exponent r_i.
    eu_challenge: np.ndarray
    #: (n, n): E^i(U_ji), j's expected utility of challenging i as i perceives it (r_i).
    eu_challenged: np.ndarray
    #: (n,): r_i, from the risk-neutral security levels.
    risk_exponent: np.ndarray
    #: (n,): S_i, the security levels at r = 1 (how much the others expect from challenging i).
    security: np.ndarray
    #: (n, n) bool: i and j at one position (within POS_RTOL R), the diagonal included;
    #: there both expected utilities are 0 and no offer is made.
    same_position: np.ndarray


def perceptions(
    x: Any,
    c: Any,
    s: Any,
    *,
    span: float,
    q: float = 1.0,
    t: float = 1.0,
    probability: str = "all_pairs",
) -> Perceptions:
    """The expected utilities each actor perceives, as the first round of :func:`run` forms
    them from positions ``x``: Bueno de Mesquita's "view from" every actor.

    One issue with n actors at positions ``x`` (n,), capabilities ``c`` (n,) (any
    non-negative scale) and saliences ``s`` (n,) on 0-1; ``span`` is R, the issue's range
    (what :func:`run` takes for ``range_basis``); ``q``, ``t`` and ``probability`` as in
    :func:`run`. The steps are those of a round (module docstring): the risk-neutral vote
    sums (:func:`vote_sums`) and probabilities (:func:`win_probabilities`), the security
    levels with every r = 1, the exponents (:func:`risk_exponents`), then both expected
    utilities of each pair with the perceiving actor's exponent (:func:`expected_utility`
    with rho = r_i), with mu the Condorcet median of ``x`` when q < 1. Pairs at one position
    (within POS_RTOL R) get 0 for both and no share in each other's security.

    Row i of the result is what actor i sees: ``eu_challenge[i, j]`` = E^i(U_ij) and
    ``eu_challenged[i, j]`` = E^i(U_ji), the (a, b) from which the model classifies j's
    offer to i. They agree with a round of :func:`run` up to rounding (the round sums in
    another order, and with q = 1 works with a quarter of each expected utility), far
    below the tolerances (EU_ATOL) that decide its offers; the exponents agree to ~1e-15.

    Complexity: O(n^2 log n) time (the sorted vote sums) and O(n^2) memory.
    """
    x = np.asarray(x, dtype=float)
    c = np.asarray(c, dtype=float)
    s = np.asarray(s, dtype=float)
    if x.ndim != 1 or c.shape != x.shape or s.shape != x.shape:
        raise ValueError(
            f"x, c and s must be 1-d of one length, got shapes {x.shape}, {c.shape}, {s.shape}"
        )
    if x.size == 0:
        raise ValueError("perceptions need at least one actor")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(c)) and np.all(np.isfinite(s))):
        raise ValueError("x, c and s must be finite")
    span_ = float(span)
    if not (math.isfinite(span_) and span_ > 0):
        raise ValueError(f"span must be a positive number, got {span!r}")
    for name, val in (("q", q), ("t", t)):
        if not (isinstance(val, (int, float, np.floating)) and 0.0 <= float(val) <= 1.0):
            raise ValueError(f"{name} must be a number in [0, 1], got {val!r}")
    if probability not in _PROBABILITY:
        raise ValueError(f"probability must be one of {_PROBABILITY}, got {probability!r}")
    q, t = float(q), float(t)
    n = x.size
    w = c * s
    diff = np.abs(x[None, :] - x[:, None]) / span_
    same = ~(diff > POS_RTOL)
    d = np.where(same, 0.0, diff)  # d_ij, 0 for one position
    votes = vote_sums(x.reshape(1, n), w.reshape(1, n), np.array([span_]))
    p = win_probabilities(votes, probability)[0]  # P[i, j]: i beats j
    dmu = np.zeros(n)  # |x_i - mu| / R: mu enters only through U_b and U_w, when q < 1
    if q != 1.0:
        mu = float(median_last(w, x, span_))  # type: ignore[arg-type]
        dmu = np.abs(x - mu) / span_
    dmu_i, dmu_j = dmu[:, None], dmu[None, :]  # challenger i (rows), challenger j (columns)
    # Security at r = 1: S_j = sum over the challengers i at another position of E(U_ij).
    e1 = expected_utility(p, d, s[None, :], dmu_i, 1.0, q, t)
    security = np.where(same, 0.0, e1).sum(axis=0)
    r = risk_exponents(security)
    # Both expected utilities of each pair, with the perceiving actor's exponent (rows).
    rho = r[:, None]
    shared = _success_failure(d, rho)
    own = expected_utility(p, d, s[None, :], dmu_i, rho, q, t, us_uf_usq=shared)
    other = expected_utility(p.T, d, s[:, None], dmu_j, rho, q, t, us_uf_usq=shared)
    own = np.where(same, 0.0, own)
    other = np.where(same, 0.0, other)
    for arr in (own, other, r, security, same):
        arr.setflags(write=False)
    return Perceptions(own, other, r, security, same)


# ------------------------------------------------------------------------- a round


def _break_ties(
    cand: np.ndarray,
    comp_row: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    diff: np.ndarray,
    xi: np.ndarray,
    xj: np.ndarray,
    span: Any,
    original: np.ndarray,
    eu_tol: float,
    axis: int = -1,
) -> np.ndarray:
    """The offer a receiver accepts among ``cand``, offers tied on the first key.

    k receivers, n proposers on ``axis`` (-1: one receiver per row, (k, n); 0: one per
    column, (n, k)): ``comp_row`` (k,) True where the offers are compromises, ``xi`` and
    ``span`` (k,) (or scalars), the rest (k, n) or (n, k), or broadcasting to it. The keys
    after the first are, for conflicts and capitulations, the largest E^i(U_ji) (within
    ``eu_tol``, EU_ATOL in the units of ``b``); for compromises the smallest move (within
    MOVE_RTOL R); then the lowest target, then the lowest actor index.
    """
    crow, xi = np.expand_dims(comp_row, axis), np.expand_dims(xi, axis)
    if np.logical_or.reduce(comp_row, axis=None):
        frac = np.minimum(np.maximum(-a / np.where(cand, b, 1.0), 0.0), 1.0)  # b > 0 on offers
        target = np.minimum(np.maximum(xi + diff * frac, np.minimum(xi, xj)), np.maximum(xi, xj))
        target = np.where(crow, target, xj)
        first = np.where(crow, np.abs(target - xi), -b)
    else:  # no compromise: the targets are the proposers' positions
        target, first = xj, -b
    first_tol = np.expand_dims(np.where(comp_row, MOVE_RTOL * span, eu_tol), axis)
    for key, tol in ((first, first_tol), (target, 0.0), (original, 0.0)):
        k = np.where(cand, key, np.inf)
        cand = cand & (k <= k.min(axis=axis, keepdims=True) + tol)
        if np.add.reduce(cand, axis=axis, dtype=np.intp).max(initial=0) <= 1:
            break  # one offer left to each receiver: the later keys change nothing
    return np.asarray(np.argmax(cand, axis=axis))


@lru_cache(maxsize=16)
def _arange(n: int) -> np.ndarray:
    out = np.arange(n)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class _Options:
    q: float
    t: float
    probability: str
    vote_risk: bool
    method: str
    max_bytes: int
    bounded: bool  # d <= 1 for every pair (R at least the positions' range)
    details: bool  # record the accepted offers, proposers and offer counts


def _round(
    x: np.ndarray,
    cum: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    span: np.ndarray,
    mu: np.ndarray | None,
    work: _Work,
    record: np.ndarray,
    counts: np.ndarray,
    options: _Options,
) -> np.ndarray:
    """One round of one issue, computed with the actors sorted by position.

    ``x`` (1, n) holds the positions slot by slot, slot j holding actor ``cum[0, j]``;
    ``w`` (weights c s) and ``s`` (1, n) are in the actors' order; ``span`` (1,); ``mu``
    (1,) the median (used only if q < 1); ``work`` the buffers. Writes the round, slot by
    slot after sorting, to ``record`` (5, 1, n): new positions, risk exponents, security
    levels, accepted offer and proposer (actor index or -1); and to ``counts`` (4, 1) the
    numbers of conflict, compromise and capitulation offers and of stalemates (the last
    two records and the counts only with ``options.details``). Returns the slots' actors
    after sorting (1, n). Arrays are (n,) and (n, n), rows i the receivers, columns j the
    proposers; :func:`_round_batch` does the same for many issues, bit for bit.
    """
    q, t, probability = options.q, options.t, options.probability
    n = x.shape[1]
    x, cum, w, s, span_ = x[0], cum[0], w[0], s[0], span[0]
    m0 = None if mu is None else mu[0]
    record, counts = record[:, 0], counts[:, 0]
    order = np.lexsort((cum, x))  # by position, then actor index
    xs, cum = x[order], cum[order]
    ss, ws = s[cum], w[cum]
    masks = work.masks
    differ, conflict, yields, compromise, offers = masks
    # x_j - x_i and d_ij: receiver i on rows, proposer j on columns
    diff = np.subtract(xs[None, :], xs[:, None], out=work.diff)
    d = np.abs(diff, out=work.d)
    if options.method != "direct":
        votes = _sorted_votes(xs, ws, work, probability != "all_pairs", diff, d)
    else:
        votes = work.votes
        votes[...] = _vote_sums_direct(
            xs.reshape(1, n), ws.reshape(1, n), span, None, options.max_bytes
        )[0]
    d /= span_
    np.greater(d, POS_RTOL, out=differ)
    d *= differ  # one position: d = 0

    # 1. Probabilities and security levels, everyone risk-neutral.
    def one_minus_p(votes: np.ndarray) -> np.ndarray:
        """1 - P, written over ``votes`` (any positive factor of the votes cancels)."""
        if probability == "all_pairs":
            total = float(np.add.reduce(votes, axis=None))  # = D / 2
            votes *= -0.5 / total if total > 0 else -0.0
            votes += 1.0
            return votes
        return np.subtract(1.0, win_probabilities(votes, probability), out=votes)

    omp = one_minus_p(votes)
    s_j, s_i = ss[None, :], ss[:, None]
    dmu = None
    security = record[2]
    if q == 1.0:
        # E(U_ij) = 2 d_ij (1 - 2 s_j (1 - P_ij)) at r = 1 (U_s = 2d, U_f = -2d, U_sq = 0),
        # 0 for actors at one position (d = 0); S_j sums it over the challengers i (d is
        # symmetric).
        weighted = np.add.reduce(np.multiply(d, omp, out=work.t1), axis=-2)
        weighted *= ss
        np.subtract(np.add.reduce(d, axis=-1), weighted + weighted, out=security)
        security += security
    else:
        assert m0 is not None
        dmu = np.abs(xs - m0) / span_
        e1 = expected_utility(1.0 - omp, d, s_j, dmu[:, None], 1.0, q, t)
        np.sum(np.where(differ, e1, 0.0), axis=-2, out=security)
    r = record[1]
    _exponents(security.reshape(1, n), r.reshape(1, n))

    # 2. The expected utilities with each receiver's exponent (rows): a = E^i(U_ij),
    #    b = E^i(U_ji).
    if options.vote_risk:
        votes = work.votes
        votes[...] = _vote_sums_direct(
            xs.reshape(1, n), ws.reshape(1, n), span, r.reshape(1, n), options.max_bytes
        )[0]
        omp = one_minus_p(votes)
    rho = r[:, None]
    powers = np.multiply(d, work.halves, out=work.two)  # -0.5 d, 0.5 d
    powers += 0.5
    if not options.bounded:
        np.maximum(powers, 0.0, out=powers)
    np.power(powers, rho, out=powers)
    pl, ph = powers  # (0.5 - 0.5 d) ** r, (0.5 + 0.5 d) ** r
    ab, pos = work.ab, work.pos
    if dmu is None:
        # Q = 1: E = (U_s - U_sq) - s_target (1 - P) (U_s - U_f). Computed divided by 4,
        # which is exact in binary floating point, so compared with EU_ATOL / 4.
        spread = np.subtract(ph, pl, out=ph)  # (U_s - U_f) / 4
        base = np.subtract(np.power(0.5, rho), pl, out=pl)  # (U_s - U_sq) / 4
        sp = np.multiply(s_j, omp, out=work.t1)  # s_j (1 - P_ij); transposed s_i (1 - P_ji)
        np.multiply(sp, spread, out=ab[0])
        np.multiply(sp.T, spread, out=ab[1])
        np.subtract(base, ab, out=ab)
        tol = 0.25 * EU_ATOL
        np.greater(ab, tol, out=pos)  # false where d = 0 (a = b = 0 up to rounding)
    else:
        p = 1.0 - omp
        shared = (2.0 - 4.0 * pl, 2.0 - 4.0 * ph, 2.0 - 4.0 * np.power(0.5, rho))
        ab[0] = expected_utility(p, d, s_j, dmu[:, None], rho, q, t, us_uf_usq=shared)
        ab[1] = expected_utility(p.T, d, s_i, dmu[None, :], rho, q, t, us_uf_usq=shared)
        tol = EU_ATOL
        np.greater(ab, tol, out=pos)
        pos &= differ
    a, b = ab
    apos, bpos = pos

    # 3. Offers to receiver i (row) from proposer j (column), equal within EU_ATOL:
    #    conflict a > 0 and b > a; when b > 0 >= a ("yields"), compromise if |a| < b
    #    (a + b > 0), else capitulation; the rest stalemates or no offer.
    t1 = work.t1
    np.greater(np.subtract(b, a, out=t1), tol, out=conflict)
    conflict &= apos
    np.greater(bpos, apos, out=yields)
    np.greater(np.add(a, b, out=t1), tol, out=compromise)
    compromise &= yields
    if options.details:
        np.logical_or(apos, bpos, out=offers)
        n_diff, n_conf, n_yield, n_comp, n_offer = (np.count_nonzero(m) for m in masks)
        counts[:] = (n_conf, n_comp, n_yield - n_comp, n_diff - n_offer)
    # One score per offer, the kinds in separate bands (|E| <= 4, 0 <= d <= 1): conflict
    # 20 - d, compromise 10 + E^i(U_ji), capitulation -d, no offer -100 - d.
    score = np.subtract(-100.0, d, out=work.score)
    np.negative(d, out=score, where=yields)
    np.add(b, 10.0, out=score, where=compromise)
    np.subtract(20.0, d, out=score, where=conflict)

    # 4. Each receiver accepts one offer: the best kind (conflicts, then compromises, then
    #    capitulations), and within it the smallest move (the largest E^i(U_ji) for
    #    compromises), the remaining keys deciding only among offers tied on that one.
    idx = score.argmax(axis=-1)
    at = _arange(n) * n + idx  # the chosen offers in the flattened (n, n)
    best = score.ravel()[at]
    has = best > -50.0
    conf_row = best > 17.0
    comp_row = (best > 5.0) > conf_row
    xj = xs[idx]
    # Offers tied with the chosen one need the full rule, unless they come from the chosen
    # offer's position (conflicts, capitulations): then their moves, E^i(U_ji) and targets
    # are the same, and the first in the order of the slots (by position, then actor
    # index), the lowest index, is the one the rule picks. Compromises from one position
    # differ in the move.
    near = np.greater_equal(score, (best - np.where(comp_row, tol, MOVE_RTOL))[:, None], out=yields)
    near.ravel()[at] = False
    other = np.not_equal(xs[None, :], xj[:, None], out=conflict)
    other |= comp_row[:, None]
    other &= near
    tied = np.logical_or.reduce(other, axis=-1)
    tied &= has
    if np.logical_or.reduce(tied, axis=None):
        near.ravel()[at] = True
        ri = np.flatnonzero(tied)
        idx[ri] = _break_ties(
            near[ri],
            comp_row[ri],
            a[ri],
            b[ri],
            diff[ri],
            xs[ri],
            xs[None, :],  # broadcasting against the rows
            span_,
            cum[None, :],
            tol,
        )
        at = _arange(n) * n + idx
        xj = xs[idx]
    _move(xs, xj, idx, has, conf_row, comp_row, ab.reshape(2, n * n)[:, at], span_, record)
    if options.details:
        record[4] = np.where(has, cum[idx], -1)
    return cum.reshape(1, n)


def _move(
    xs: np.ndarray,
    xj: np.ndarray,
    idx: np.ndarray,
    has: np.ndarray,
    conf_row: np.ndarray,
    comp_row: np.ndarray,
    ab_at: np.ndarray,
    span: Any,
    record: np.ndarray,
) -> None:
    """The moves of the receivers (arrays (...,) of one or many issues): the new positions
    into ``record[0]`` and the kinds of the accepted offers into ``record[3]``.

    i moves the fraction f of the way to x_j: all of it in a conflict or a capitulation,
    |a / b| < 1 of it in a compromise, none without an offer; within POS_RTOL R of either
    end it stays at x_i or lands on x_j.
    """
    f = has.astype(float)
    if np.logical_or.reduce(comp_row, axis=None):
        ratio = ab_at[0] / np.where(comp_row, ab_at[1], 1.0)  # b > 0 on offers
        f = np.where(comp_row, np.maximum(-ratio, 0.0), f)
    new = xj - xs
    new *= f
    new += xs
    close = POS_RTOL * span
    at_xj, at_xs = np.abs(xj - new) <= close, np.abs(xs - new) <= close
    record[0] = np.where(at_xs, xs, np.where(at_xj, xj, new))  # x_i first
    if len(record) > 3:  # the kinds of the offers accepted (details)
        record[3] = np.where(conf_row, 1.0 * CONFLICT, CAPITULATION - 1.0 * comp_row) * has


def _round_batch(
    x: np.ndarray,
    cum: np.ndarray | None,
    w: np.ndarray,
    s: np.ndarray,
    span: np.ndarray,
    mu: np.ndarray | None,
    work: _BatchWork,
    record: np.ndarray,
    counts: np.ndarray,
    options: _Options,
    mid: np.ndarray | None = None,
    total: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`_round` for g issues at once, giving each the same bits as alone.

    The arguments are those of :func:`_round` with g issues for 1, and so are the records
    (``record`` (5, g, n), ``counts`` (4, g)), except that the risk exponents and security
    levels too are written only with ``options.details``. The arrays inside are laid out
    (n, n, g): receivers i on axis 0, proposers j on axis 1 and the issues last, so that numpy runs
    every operation over actors as long contiguous loops over the issues. The operations
    are those of one issue, element for element; where numpy's own order of summation
    differs between the layouts (a contiguous row is summed pairwise, an axis in sequence)
    :func:`_pairwise_sum` restores the one-issue order. ``cum`` None says that ``x`` is in
    the actors' order (which one stable sort puts in the order of the slots). Given ``mid``
    (g,) and ``total`` (g,), the issues' total weights (``np.add.reduce(w, axis=1)``), the
    round also writes to ``mid`` the median of its input positions, from the sort it makes
    anyway (:func:`~realpolitik.models.median.median_last` with the weights ``w``, bit for
    bit).
    """
    q, t, probability = options.q, options.t, options.probability
    g, n = x.shape
    row0 = work.starts[:, None]  # row k of a contiguous (g, n) array starts at k n
    if cum is None:  # x in the actors' order: its stable sort is by position, then actor
        cum = np.argsort(x, axis=1, kind="stable")
        at = (cum + row0).T
    else:
        at = (np.lexsort((cum, x), axis=1) + row0).T
        cum = np.ascontiguousarray(cum).reshape(-1).take(at.T)
    xs = np.ascontiguousarray(x).reshape(-1).take(at)  # (n, g): slots by issue
    by_actor = (cum + row0).T
    ss = np.ascontiguousarray(s).reshape(-1).take(by_actor)
    ws = np.ascontiguousarray(w).reshape(-1).take(by_actor)
    if mid is not None and total is not None:
        mid[...] = _median_sorted(xs, ws, total, span, work.cols)
    masks = work.masks
    differ, conflict, yields, compromise, offers = masks
    # x_j - x_i and d_ij: receiver i on axis 0, proposer j on axis 1
    diff = np.subtract(xs[None, :], xs[:, None], out=work.diff)
    d = np.abs(diff, out=work.d)
    if options.method != "direct":
        votes = _sorted_votes(xs, ws, work, probability != "all_pairs", diff, d)
    else:
        votes = work.votes
        direct = _vote_sums_direct(xs.T.copy(), ws.T.copy(), span, None, options.max_bytes)
        votes[...] = direct.transpose(1, 2, 0)
    d /= span
    np.greater(d, POS_RTOL, out=differ)
    d *= differ  # one position: d = 0

    def one_minus_p(votes: np.ndarray) -> np.ndarray:
        """1 - P, written over ``votes`` (any positive factor of the votes cancels)."""
        if probability == "all_pairs":
            half_d = _pairwise_sum(votes.reshape(n * n, g))  # = D / 2, as one issue sums it
            votes *= -0.5 / np.where(half_d > 0, half_d, -np.inf)
            votes += 1.0
            return votes
        den = votes + votes.transpose(1, 0, 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(den > 0, votes / den, 0.0)
        return np.subtract(1.0, p, out=votes)

    omp = one_minus_p(votes)
    s_j, s_i = ss[None, :], ss[:, None]
    dmu = None
    if q == 1.0:  # see _round
        weighted = np.add.reduce(np.multiply(d, omp, out=work.t1), axis=0)
        weighted *= ss
        security = _pairwise_sum(d)  # over j, as one issue's rows (d is symmetric)
        security -= weighted + weighted
        security += security
    else:
        assert mu is not None
        dmu = np.abs(xs - mu) / span
        e1 = expected_utility(1.0 - omp, d, s_j, dmu[:, None], 1.0, q, t)
        security = np.sum(np.where(differ, e1, 0.0), axis=0)
    r = risk_exponents(security.T).T  # (n, g)

    if options.vote_risk:
        votes = work.votes
        direct = _vote_sums_direct(xs.T.copy(), ws.T.copy(), span, r.T.copy(), options.max_bytes)
        votes[...] = direct.transpose(1, 2, 0)
        omp = one_minus_p(votes)
    rho = r[:, None]
    powers = np.multiply(d, work.halves, out=work.two)  # -0.5 d, 0.5 d
    powers += 0.5
    if not options.bounded:
        np.maximum(powers, 0.0, out=powers)
    np.power(powers, rho, out=powers)
    pl, ph = powers  # (0.5 - 0.5 d) ** r, (0.5 + 0.5 d) ** r
    ab, pos = work.ab, work.pos
    if dmu is None:  # see _round
        spread = np.subtract(ph, pl, out=ph)  # (U_s - U_f) / 4
        base = np.subtract(np.power(0.5, rho), pl, out=pl)  # (U_s - U_sq) / 4
        sp = np.multiply(s_j, omp, out=work.t1)  # s_j (1 - P_ij); transposed s_i (1 - P_ji)
        np.multiply(sp, spread, out=ab[0])
        np.multiply(sp.transpose(1, 0, 2), spread, out=ab[1])
        np.subtract(base, ab, out=ab)
        tol = 0.25 * EU_ATOL
        np.greater(ab, tol, out=pos)
    else:
        p = 1.0 - omp
        shared = (2.0 - 4.0 * pl, 2.0 - 4.0 * ph, 2.0 - 4.0 * np.power(0.5, rho))
        ab[0] = expected_utility(p, d, s_j, dmu[:, None], rho, q, t, us_uf_usq=shared)
        p_t = p.transpose(1, 0, 2)
        ab[1] = expected_utility(p_t, d, s_i, dmu[None, :], rho, q, t, us_uf_usq=shared)
        tol = EU_ATOL
        np.greater(ab, tol, out=pos)
        pos &= differ
    a, b = ab
    apos, bpos = pos

    t1 = work.t1  # offers as in _round
    np.greater(np.subtract(b, a, out=t1), tol, out=conflict)
    conflict &= apos
    np.greater(bpos, apos, out=yields)
    np.greater(np.add(a, b, out=t1), tol, out=compromise)
    compromise &= yields
    if options.details:
        np.logical_or(apos, bpos, out=offers)
        np.matmul(_COUNT_MAP, _count_pairs(masks.reshape(5, n * n, g)), out=counts)
    # The scores of _round by exact arithmetic (x 1 + 0 = x), not by selections, which cost
    # more with masks mixed: the band -100 (none), 0 (yields), 20 (conflict), minus d; and
    # 10 + E^i(U_ji) for the compromises.
    band = np.multiply(yields.view(np.uint8), 5, out=work.bytes[0])
    band += np.multiply(conflict.view(np.uint8), 6, out=work.bytes[1])  # 0, 5 or 6
    score = np.multiply(band, 20.0, out=work.score)
    score -= 100.0
    score -= d
    score *= np.logical_not(compromise, out=offers)
    score += np.multiply(np.add(b, 10.0, out=work.t2), compromise, out=work.t2)

    # The first best offer of each receiver (argmax over j, by a maximum and a mask).
    best = np.maximum.reduce(score, axis=1)  # (n, g)
    first = np.multiply(np.equal(score, best[:, None], out=work.same), work.rev, out=work.first)
    idx = np.subtract(n, np.maximum.reduce(first, axis=1), dtype=np.intp)
    if idx.max() >= n:  # nan scores: argmax's rule
        idx = score.argmax(axis=1)
        best = score.reshape(-1)[work.at0 + idx * g]
    at = work.at0 + idx * g  # the chosen offers in the flattened (n, n, g)
    has = best > -50.0
    conf_row = best > 17.0
    comp_row = (best > 5.0) > conf_row
    cols = work.cols
    xj = xs[idx, cols]
    near = np.greater_equal(score, (best - np.where(comp_row, tol, MOVE_RTOL))[:, None], out=yields)
    near.reshape(-1)[at] = False
    other = np.not_equal(xs[None, :], xj[:, None], out=conflict)
    other |= comp_row[:, None]
    other &= near
    tied = np.logical_or.reduce(other, axis=1)
    tied &= has
    if np.logical_or.reduce(tied, axis=None):
        near.reshape(-1)[at] = True
        ri, gi = np.nonzero(tied)
        # the offers to each tied receiver, proposers on axis 0: (n, receivers)
        rows = (ri * (n * g) + gi) + (_arange(n) * g)[:, None]
        idx[ri, gi] = _break_ties(
            near.reshape(-1).take(rows),
            comp_row[ri, gi],
            a.reshape(-1).take(rows),
            b.reshape(-1).take(rows),
            diff.reshape(-1).take(rows),
            xs[ri, gi],
            np.take(xs, gi, axis=1),
            span[gi],
            np.take(cum, gi, axis=0).T,
            tol,
            axis=0,
        )
        at = work.at0 + idx * g
        xj = xs[idx, cols]
    moved = np.empty((4 if options.details else 1, n, g))
    _move(xs, xj, idx, has, conf_row, comp_row, ab.reshape(2, -1)[:, at], span, moved)
    record[0] = moved[0].T
    if options.details:  # (the run reads the rest of the records only then)
        record[1] = r.T
        record[2] = security.T
        record[3] = moved[3].T
        record[4] = np.where(has, cum.T[idx, cols], -1).T
    return cum


def _median_sorted(
    xs: np.ndarray, ws: np.ndarray, total: np.ndarray, span: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """:func:`~realpolitik.models.median.median_last` of g issues whose positions ``xs`` and
    weights ``ws`` (n, g) are sorted already (by position, then actor index: the stable
    sort of the actors' order), ``total`` (g,) the sums of the weights in the actors'
    order as median_last adds them: the same operations, the actors on axis 0, so the same
    bits."""
    n = xs.shape[0]
    shift = xs[0]
    xc = xs - shift
    cw = np.add.accumulate(ws, axis=0)
    cs = np.add.accumulate(ws * xc, axis=0)
    tw, ts = cw[-1], cs[-1]
    f = (xc * cw - cs) + ((ts - cs) - xc * (tw - cw))
    if np.logical_and.reduce(tw > 0, axis=None):
        mean = shift + ts / tw  # (the where of median_last selects the same values)
    else:
        mean = shift + np.where(tw > 0, ts, _pairwise_sum(xc)) / np.where(tw > 0, tw, n)
    f = np.maximum(f, 0.0)
    tied = f <= f.min(axis=0) + TIE_RTOL * total * span
    dist = np.where(tied, np.abs(xs - mean), np.inf)
    near = dist <= dist.min(axis=0) + TIE_RTOL * span
    return xs[np.argmax(near, axis=0), cols]


def _count_pairs(masks: np.ndarray) -> np.ndarray:
    """The True entries of ``masks`` (..., pairs, g) over the pairs, (..., g): summed as
    bytes in chunks of 255 (no overflow), much cheaper than numpy's count over an axis."""
    size = masks.shape[-2]
    u8 = masks.view(np.uint8)
    out = np.zeros(masks.shape[:-2] + masks.shape[-1:], dtype=np.intp)
    for start in range(0, size, 255):
        out += np.add.reduce(u8[..., start : start + 255, :], axis=-2, dtype=np.uint8)
    return out


#: counts = _COUNT_MAP @ (pairs: differ, conflict, yields, compromise, offers)
_COUNT_MAP = np.array(
    [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 1, -1, 0], [1, 0, 0, 0, -1]], dtype=float
)


# ------------------------------------------------------------------ the forecast


def settle(
    positions: np.ndarray,
    medians: np.ndarray,
    span: np.ndarray,
    rtol: float = SETTLE_RTOL,
) -> dict[str, np.ndarray]:
    """The forecast rule: converged, cycle or unsettled, per issue (module docstring).

    ``positions`` (T+1, n, m), ``medians`` (T+1, m), ``span`` (m,) the issues' R. Returns
    ``forecast``, ``settled`` (1.0 converged), ``cycle_period`` (p >= 2, or 0),
    ``forecast_low`` and ``forecast_high`` (the range of the medians the forecast stands
    for), each (m,). O(T^2 n m) time at worst.
    """
    # by issue, (T + 1, m, n): a view for the model's own positions
    by_issue = np.ascontiguousarray(np.swapaxes(positions, 1, 2))
    big_t, m = positions.shape[0] - 1, positions.shape[2]
    tol = rtol * np.asarray(span, dtype=float)
    settled = np.zeros(m, dtype=bool)
    period = np.zeros(m, dtype=np.int64)
    if big_t >= 1:
        # |x_T - x_(T-p)| for p = 1..T: the last round against each earlier one, a necessary
        # condition that rules most periods out at once.
        back = np.abs(by_issue[-1] - by_issue[-2::-1]).max(axis=2) <= tol  # (T, m): p - 1
        settled = back[0].copy()
        open_ = ~settled
        candidates = back[1 : (big_t + 1) // 2] & open_  # p = 2 .. (T + 1) // 2
        for p in np.flatnonzero(np.logical_or.reduce(candidates, axis=1)) + 2:
            cols = np.flatnonzero(open_ & candidates[p - 2])
            if cols.size == 0:
                continue
            tail = by_issue[big_t - 2 * p + 1 :, cols]  # the last 2 p rounds
            hit = np.abs(tail[p:] - tail[:p]).max(axis=(0, 2)) <= tol[cols]
            period[cols[hit]] = p
            open_[cols[hit]] = False
            if not open_.any():
                break
    window = np.where(settled, 1, np.where(period > 0, period, big_t // 2 + 1))
    # the last window[k] medians of issue k: their range, and over a cycle their mean
    tail = np.arange(big_t + 1)[:, None] >= (big_t + 1 - window)[None, :]
    low = np.where(tail, medians, np.inf).min(axis=0)
    high = np.where(tail, medians, -np.inf).max(axis=0)
    forecast = medians[-1].copy()
    for p in np.unique(period[period > 0]):
        cols = np.flatnonzero(period == p)
        forecast[cols] = _pairwise_sum(medians[big_t + 1 - p :, cols]) / p  # as np.mean
    return {
        "forecast": forecast,
        "settled": settled.astype(float),
        "cycle_period": period.astype(float),
        "forecast_low": low,
        "forecast_high": high,
    }


# ---------------------------------------------------------------------------- run


#: Odd multipliers of the bits of a round's positions in :func:`_row_keys`.
_KEY_MULT = np.random.default_rng(0x5EED).integers(1, 2**62, size=4096, dtype=np.uint64) | 1


def _row_keys(rows: np.ndarray) -> np.ndarray:
    """A hash of the bits of each row of ``rows`` (issues, n): equal rows, equal keys."""
    n = rows.shape[1]
    mult = _KEY_MULT[:n] if n <= _KEY_MULT.size else np.resize(_KEY_MULT, n)
    return np.add.reduce(np.ascontiguousarray(rows).view(np.uint64) * mult, axis=1)


def _bounded(inputs: ModelInput, shocks: dict[int, list[Change]], span: np.ndarray) -> bool:
    """Whether d = |x_i - x_j| / R <= 1 for every pair in every round: the moves keep the
    positions within the hull of the input's and the shocks' positions."""
    lo, hi = inputs.position.min(axis=0), inputs.position.max(axis=0)
    for changes in shocks.values():
        for ch in changes:
            if ch.position is not None:
                moved = ~np.isnan(ch.position)
                lo = np.minimum(lo, np.where(moved, ch.position, np.inf).min(axis=0))
                hi = np.maximum(hi, np.where(moved, ch.position, -np.inf).max(axis=0))
    return bool(np.all(span >= hi - lo))


def _ranges(inputs: ModelInput, range_basis: str) -> np.ndarray:
    pos = inputs.position.max(axis=0) - inputs.position.min(axis=0)
    scale = inputs.scale_max - inputs.scale_min
    first, second = (pos, scale) if range_basis == "positions" else (scale, pos)
    span = np.where(first > 0, first, np.where(second > 0, second, 1.0))
    return span.astype(float)


_COUNTS = ("offers_conflict", "offers_compromise", "offers_capitulation", "stalemates")
_PER_ACTOR = ("risk_exponent", "security", "accepted", "proposer")


def run(
    inputs: ModelInput,
    /,
    *,
    rounds: int = DEFAULT_ROUNDS,
    q: float = 1.0,
    t: float = 1.0,
    probability: str = "all_pairs",
    vote_risk: bool = False,
    range_basis: str = "positions",
    method: str = "auto",
    max_bytes: int = _DEFAULT_MAX_BYTES,
    details: bool = True,
) -> Trajectory:
    """Run the EUM for ``rounds`` rounds; see the module docstring for the equations.

    Parameters
    ----------
    rounds : rounds of offers (0 returns the input and its median). The default, 40, lets
        the built-in scenarios play out. Every issue of caucasus-2022 has converged or been
        detected as a cycle by round 22 (by rounds 7 to 14 for four of them; donbas-control
        enters its cycle at round 22 and armenia-alignment, which approaches its cycle
        geometrically, is within SETTLE_RTOL of it from round 21), so 40 leaves a margin of
        more than 80% for edited inputs while staying cheap. The EC example never settles:
        its median wanders between 7 and 10 with a pseudo-period of 6 to 7 rounds, and 40
        rounds show several of its swings (``forecast_low`` and ``forecast_high``).
    q : Q, the probability that j's position stays put when i does not challenge (Scholz's
        Table 2 uses 1.0).
    t : T, the probability that, if it moves, it moves closer to i (matters only if q < 1).
    probability : "all_pairs" (default; the normaliser that reproduces Table 2) or "pair".
    vote_risk : weigh the votes in P with the voters' risk exponents (O(n^3) per round).
    range_basis : R from the input positions' range ("positions", Scholz) or the issue's
        declared scale ("scale"); either falls back to the other, then to 1, if zero.
    method : vote sums by "sorted" prefix sums, the "direct" formula, or "auto".
    max_bytes : memory budget of the large temporaries (issues are grouped, O(n^3) blocked).
    details : record the per-round diagnostics below; False leaves them out (the per-issue
        ``settled``, ``cycle_period``, ``forecast_low`` and ``forecast_high`` stay) and
        skips their bookkeeping, for Monte Carlo runs that need the forecasts only. It
        changes nothing else, and is no model parameter (not in ``SPEC.defaults``).

    ``inputs.changes`` are applied at their rounds (module docstring, "Shocks"). Each
    issue's results are the same, bit for bit, whatever issues run beside it, so a batch of
    Monte Carlo draws gives every draw what it gives run alone.

    Returns a :class:`Trajectory` whose ``forecast`` follows the rule of the module
    docstring (converged: the last median; cycle: the mean median over the cycle;
    unsettled: the last median) and whose ``details`` hold per issue (m,): ``settled``
    (1.0 or 0.0), ``cycle_period`` (p or 0), ``forecast_low``, ``forecast_high``; per round
    1..T (index T-1): ``risk_exponent`` and ``security`` (T, n, m); ``accepted`` (T, n, m)
    with 0 none, 1 conflict, 2 compromise, 3 capitulation; ``proposer`` (T, n, m) the
    proposer's actor index or -1; and (T, m) counts ``offers_conflict``,
    ``offers_compromise``, ``offers_capitulation``, ``stalemates`` (ordered
    receiver-proposer pairs) and ``moves_conflict``, ``moves_compromise``,
    ``moves_capitulation`` (actors that accepted such an offer).

    Complexity: O(T m n^2 log n) time (O(T m n^3) with ``vote_risk``), O(n^2) memory per
    issue, plus O(T^2 n m) for the forecast rule; rounds that repeat are copied.
    """
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 0:
        raise ValueError(f"rounds must be a non-negative integer, got {rounds!r}")
    for name, val in (("q", q), ("t", t)):
        if not (isinstance(val, (int, float, np.floating)) and 0.0 <= float(val) <= 1.0):
            raise ValueError(f"{name} must be a number in [0, 1], got {val!r}")
    if probability not in _PROBABILITY:
        raise ValueError(f"probability must be one of {_PROBABILITY}, got {probability!r}")
    if range_basis not in _RANGE_BASIS:
        raise ValueError(f"range_basis must be one of {_RANGE_BASIS}, got {range_basis!r}")
    if method not in _METHOD:
        raise ValueError(f"method must be one of {_METHOD}, got {method!r}")
    if method == "sorted" and vote_risk:
        raise ValueError("method='sorted' needs vote_risk=False")
    if int(max_bytes) < 1:
        raise ValueError("max_bytes must be positive")
    q, t, rounds = float(q), float(t), int(rounds)

    n, m = inputs.position.shape
    cap_all = np.ascontiguousarray(inputs.capability_matrix().T)  # (m, n): per actor and issue
    s_all = inputs.salience.T.copy()  # (m, n)
    w_all = cap_all * s_all  # weights, (m, n): c enters the model only through w
    span_all = _ranges(inputs, range_basis)
    per_issue = max(1, n * n * 8 * 24)  # bytes of the (n, n) arrays one issue needs
    group = max(1, int(max_bytes) // per_issue)
    shocks: dict[int, list[Change]] = {}
    for ch in inputs.changes:  # in the order of their rounds; later ones win
        if ch.round <= rounds:
            shocks.setdefault(ch.round, []).append(ch)
    weights = [(0, w_all)]  # (first round, the weights in force from it on)
    w_total = np.add.reduce(w_all, axis=1)  # as median_last sums them

    # The rounds run with each issue's actors sorted by position (slot j of issue k holds
    # actor cum[k, j]); the records are put back in the actors' order after the last round.
    bounded = _bounded(inputs, shocks, span_all)  # so d <= 1
    x_in = inputs.position.T.copy()  # (m, n)
    x = x_in.copy()  # by slot
    cum = np.tile(np.arange(n), (m, 1))
    record = np.empty((5, rounds, m, n))  # positions, r, security, accepted, proposer
    slots = np.empty((rounds, m, n), dtype=np.intp)
    counts = np.empty((4, rounds, m))
    medians = np.full((rounds + 1, m), np.nan)
    by_issue = np.empty((rounds + 1, m, n))  # positions in the actors' order
    by_issue[0] = x_in
    need_mu = q != 1.0  # the median enters the round only through U_b and U_w
    if need_mu:
        medians[0] = median_last(w_all, x_in, span_all)
    options = _Options(q, t, probability, vote_risk, method, int(max_bytes), bounded, details)
    pool, works = _Pool(), dict[int, _Work]()
    # An issue whose positions are those of p <= _PERIOD_MAX rounds before, bit for bit,
    # with no change since, repeats its rounds from there: they are copied, not computed.
    quiet = max(shocks, default=0)  # the last round with a change
    active = np.arange(m)  # the issues still computed
    stop = np.full(m, rounds)  # ... until round stop, then with period period
    period = np.zeros(m, dtype=np.intp)
    # ... found through a hash of each round's bits per issue, the hits then compared
    keys = np.zeros((rounds + 1, m), dtype=np.uint64)
    if m > 1:
        keys[0] = _row_keys(x_in)
    for step in range(rounds):
        size_a = active.size
        if size_a == 0:
            break
        mu = medians[step] if need_mu else None
        if size_a == m:  # every issue: no gathering
            xa, ca, wa, sa, span_a, mu_a = x, cum, w_all, s_all, span_all, mu
            ordered, total_a = by_issue[step], w_total  # in the actors' order
            rec_a, counts_a = record[:, step], counts[:, step]
        else:
            xa, ca, wa, sa, span_a = (a[active] for a in (x, cum, w_all, s_all, span_all))
            ordered, total_a = by_issue[step, active], w_total[active]
            mu_a = None if mu is None else mu[active]
            rec_a, counts_a = np.empty((5, size_a, n)), np.empty((4, size_a))
        batch = size_a > 1 and group > 1  # some group runs _round_batch
        mid_a = np.full(size_a, np.nan) if batch and not need_mu else None  # round step's
        for start in range(0, size_a, group):
            sl = slice(start, min(size_a, start + group))
            size = sl.stop - sl.start
            if size not in works:
                works[size] = _Work(n, pool=pool) if size == 1 else _BatchWork(n, size, pool)
            work, mu_sl = works[size], None if mu_a is None else mu_a[sl]
            if isinstance(work, _BatchWork):  # the actors' order, and round step's medians
                ca[sl] = _round_batch(
                    ordered[sl],
                    None,
                    wa[sl],
                    sa[sl],
                    span_a[sl],
                    mu_sl,
                    work,
                    rec_a[:, sl],
                    counts_a[:, sl],
                    options,
                    None if mid_a is None else mid_a[sl],
                    total_a[sl],
                )
            else:  # one issue: its median after the last round, as for an issue alone
                ca[sl] = _round(
                    xa[sl],
                    ca[sl],
                    wa[sl],
                    sa[sl],
                    span_a[sl],
                    mu_sl,
                    work,
                    rec_a[:, sl],
                    counts_a[:, sl],
                    options,
                )
        if mid_a is not None:
            medians[step, active] = mid_a
        if size_a < m:
            if details:
                record[:, step, active] = rec_a
                counts[:, step, active] = counts_a
            cum[active] = ca
        if details:
            slots[step, active if size_a < m else slice(None)] = ca
        for ch in shocks.get(step + 1, ()):  # the state of round step + 1 reflects them
            # (every issue is still computed: none stops before the last change)
            if ch.position is not None:  # by actor -> by slot, nan where no one moves
                moved = ch.position.T[_arange(m)[:, None], cum]
                np.copyto(record[0, step], moved, where=~np.isnan(moved))
            if ch.capability is not None or ch.salience is not None:
                if ch.capability is not None:
                    cap = np.broadcast_to(ch.capability.reshape(n, -1), (n, m))
                    cap_all = np.ascontiguousarray(cap.T)
                if ch.salience is not None:
                    s_all = ch.salience.T.copy()
                w_all = cap_all * s_all
                w_total = np.add.reduce(w_all, axis=1)
                if weights[-1][0] == step + 1:
                    weights.pop()
                weights.append((step + 1, w_all))
        x_a = rec_a[0]
        if size_a == m:
            x = x_a.copy()
            by_issue[step + 1][_arange(m)[:, None], ca] = x_a
        else:
            x[active] = x_a
            actors = np.empty((size_a, n))
            actors[_arange(size_a)[:, None], ca] = x_a
            by_issue[step + 1, active] = actors
        if need_mu:  # the median of a round is the same whatever the order of the slots
            ws_now = np.take_along_axis(w_all[active], ca, axis=1)
            medians[step + 1, active] = median_last(ws_now, x_a, span_all[active])
        top = min(_PERIOD_MAX, step + 1 - quiet)  # periods p with no change since round k - p
        if top >= 1 and m == 1:  # (the same test, cheaper for one issue)
            latest = by_issue[step + 1].tobytes()
            for p in range(1, top + 1):
                if by_issue[step + 1 - p].tobytes() == latest:
                    stop[0], period[0], active = step + 1, p, active[:0]
                    break
        elif m > 1:
            if size_a == m:
                keys[step + 1] = _row_keys(by_issue[step + 1])
            else:
                keys[step + 1, active] = _row_keys(actors)
            if top >= 1:
                key = keys[step + 1 - top : step + 2]
                if size_a < m:
                    key = key[:, active]
                maybe = np.logical_or.reduce(key[:-1] == key[-1], axis=0)
                if np.logical_or.reduce(maybe, axis=None):  # the same bits, or a collision
                    at_ = np.flatnonzero(maybe)
                    bits = by_issue.view(np.int64)[step + 1 - top : step + 2, active[at_]]
                    same = np.logical_and.reduce(bits[:-1] == bits[-1], axis=2)  # (p = top .. 1)
                    hit = np.logical_or.reduce(same, axis=0)
                    if np.logical_or.reduce(hit, axis=None):
                        done = active[at_[hit]]
                        stop[done] = step + 1
                        period[done] = 1 + np.argmax(same[::-1, hit], axis=0)  # the smallest p
                        keep = np.ones(size_a, dtype=bool)
                        keep[at_[hit]] = False
                        active = active[keep]

    # The medians and means of the rounds computed, each with the weights in force, ...
    means = np.empty((rounds + 1, m))
    for k, (first, w) in enumerate(weights):  # the rounds first .. last under weights w
        last = weights[k + 1][0] if k + 1 < len(weights) else rounds + 1
        computed = np.arange(first, last)[:, None] <= stop  # (rounds, m)
        total = w.sum(axis=1)  # (m,)
        if computed.all():
            now, w_now, tot = by_issue[first:last], w, total
        else:
            rs, cs = np.nonzero(computed)
            rs += first
            now, w_now, tot = by_issue[rs, cs], w[cs], total[cs]
        mean = np.where(
            tot > 0,
            np.add.reduce(now * w_now, axis=-1) / np.where(tot > 0, tot, 1.0),
            now.mean(axis=-1),
        )
        if now.ndim == 3:
            means[first:last] = mean
        else:
            means[rs, cs] = mean
        if not need_mu:  # those not computed in a batch's round
            rs, cs = np.nonzero(np.isnan(medians[first:last]) & computed)
            if rs.size:
                rs += first
                medians[rs, cs] = median_last(w[cs], by_issue[rs, cs], span_all[cs])
    # ... and of those after a repetition copied, with the records.
    for k in range(int(stop.min(initial=rounds)) + 1, rounds + 1):
        cols = np.flatnonzero(stop < k)
        if cols.size:
            src = k - period[cols]
            if details:
                record[1:, k - 1, cols] = record[1:, src - 1, cols]
                counts[:, k - 1, cols] = counts[:, src - 1, cols]
                slots[k - 1, cols] = slots[src - 1, cols]
            by_issue[k, cols] = by_issue[src, cols]
            medians[k, cols] = medians[src, cols]
            means[k, cols] = means[src, cols]
    if details:  # back in the actors' order: slot j of round t, issue k holds slots[t, k, j]
        at = slots.reshape(-1) + np.repeat(np.arange(0, rounds * m * n, n), n)
        rec = np.empty((5, rounds * m * n))
        rec[1:, at] = record[1:].reshape(4, -1)
        rec = rec.reshape(5, rounds, m, n)
    positions = by_issue.transpose(0, 2, 1)  # (T + 1, n, m)

    details_: dict[str, np.ndarray] = {}
    if details:
        details_.update(
            {name: rec[k].transpose(0, 2, 1) for k, name in enumerate(_PER_ACTOR, start=1)}
        )
        details_.update({name: counts[k] for k, name in enumerate(_COUNTS)})
        for kind, name in (
            (CONFLICT, "conflict"),
            (COMPROMISE, "compromise"),
            (CAPITULATION, "capitulation"),
        ):
            details_[f"moves_{name}"] = np.add.reduce(rec[3] == kind, axis=2, dtype=float)
    ending = settle(positions, medians, span_all)
    forecast = ending.pop("forecast")
    details_.update(ending)
    return Trajectory(
        positions=positions,
        forecast=forecast,
        per_round={"median": medians, "mean": means},
        details=details_,
    )


SPEC = ModelSpec(
    name="eum",
    run=run,
    summary="Bueno de Mesquita's expected-utility model: challenges, offers and moves, "
    "forecast = Condorcet median once the rounds settle (mean over a cycle)",
    dynamic=True,
    default_rounds=DEFAULT_ROUNDS,
    defaults={
        "q": 1.0,
        "t": 1.0,
        "probability": "all_pairs",
        "vote_risk": False,
        "range_basis": "positions",
    },
    complexity="O(n^2 log n) per round and issue (O(n^3) with vote_risk), O(n^2) memory",
    reference="Scholz, Calbert & Smith (2011), J. Theor. Politics 23(4):510-531; "
    "Bueno de Mesquita (1994), in European Community Decision Making, ch. 4",
)
