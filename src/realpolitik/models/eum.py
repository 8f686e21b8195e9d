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

Complexity
----------
Per round and issue, with n actors: O(n^2 log n) time and O(n^2) memory by default. The
round is computed with the actors sorted by position; the vote sums
sum_k max(0, v_k(i, j)) of all n^2 pairs then come from prefix sums over the sorted
positions and one binary search per pair (:func:`_sorted_votes`: the sum for (i, j) is a
piecewise-linear function of x_i + x_j with its knots at the voters' 2 x_k, interpolated),
and D = 2 sum_ij sum_k max(0, v_k(i, j)). With ``vote_risk=True`` (or ``method="direct"``)
the vote sums are the direct O(n^3) formula, computed in blocks of challengers so that no
temporary exceeds ``max_bytes``. Issues are processed together, in groups small enough for
the same memory budget; a run allocates the (n, n) arrays of a round once and reuses them.
The medians and means of all rounds are computed once, after the last round (O(T n log n)
per issue); the forecast rule costs O(T^2 n) per issue at worst.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .base import ModelInput, ModelSpec, Trajectory
from .median import median_last

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
    "expected_utility",
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

_PROBABILITY = ("all_pairs", "pair")
_RANGE_BASIS = ("positions", "scale")
_METHOD = ("auto", "sorted", "direct")
_DEFAULT_MAX_BYTES = 256 * 2**20


# ------------------------------------------------------------------------ workspace


class _Work:
    """The arrays of a round of g issues with n actors, allocated once per run and reused.

    At small n a round is dominated by the cost of numpy calls and of fresh memory; writing
    into the same few buffers keeps them in cache and spares the allocator. Pairs of
    arrays computed the same way are stacked, so that one call computes both.
    """

    def __init__(self, g: int, n: int) -> None:
        sq = (g, n, n)
        self.diff, self.d, self.votes, self.t1, self.t2, self.score = (
            np.empty(sq) for _ in range(6)
        )
        self.two = np.empty((2, *sq))  # (0.5 - 0.5 d) ** r, (0.5 + 0.5 d) ** r
        self.ab = np.empty((2, *sq))  # E^i(U_ij), E^i(U_ji)
        self.pos = np.empty((2, *sq), dtype=bool)  # a > 0, b > 0
        # differ, conflict, yields, compromise, offers:
        self.masks = np.empty((5, *sq), dtype=bool)
        self.same = np.empty(sq, dtype=bool)
        self.zw = np.ones((2, g, n))  # [1; 2 z]
        self.prefix = np.zeros((2, g, n + 1))  # [W; 2 S]: prefix sums from 0
        self.halves = np.array([-0.5, 0.5]).reshape(2, 1, 1, 1)


# --------------------------------------------------------------------------- votes


def _sorted_votes(
    xs: np.ndarray,
    ws: np.ndarray,
    work: _Work | None = None,
    exact: bool = True,
    diff: np.ndarray | None = None,
    absdiff: np.ndarray | None = None,
) -> np.ndarray:
    """sum_k w_k max(0, |x_k - x_b| - |x_k - x_a|) for all (a, b); xs sorted, (g, n) or (n,).

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
    """
    work = work if work is not None else _Work(*xs.shape)
    one = xs.ndim == 1  # a single issue, as (n,) and (n, n) arrays
    z = xs - xs[..., :1]  # >= 0, well conditioned
    zw, prefix = (work.zw[:, 0], work.prefix[:, 0]) if one else (work.zw, work.prefix)
    zz = np.add(z, z, out=zw[1])
    np.add.accumulate(np.multiply(zw, ws), axis=-1, out=prefix[..., 1:])
    w_sum, s2_sum = prefix  # W and 2 S, (..., n + 1) each
    knots = zz * w_sum[..., :-1] - s2_sum[..., :-1]  # H(2 z_j)
    pair = np.add(z[..., :, None], z[..., None, :], out=work.t1[0] if one else work.t1)
    if one:
        out = np.interp(pair, zz, knots)
    else:
        out = work.votes
        for k in range(xs.shape[0]):
            out[k] = np.interp(pair[k], zz[k], knots[k])
    out -= knots[..., :, None]
    # + W max(0, x_a - x_b)
    rise = work.t2[0] if one else work.t2
    if diff is None or absdiff is None:
        np.subtract(z[..., :, None], z[..., None, :], out=rise)
        np.maximum(rise, 0.0, out=rise)
        rise *= w_sum[..., -1:, None]
    else:
        np.subtract(absdiff, diff, out=rise)
        rise *= 0.5 * w_sum[..., -1:, None]
    out += rise
    if exact:  # the theoretical zeros exactly, not rounding errors of either sign
        np.maximum(out, 0.0, out=out)
        same = np.equal(z[..., :, None], z[..., None, :], out=work.same[0] if one else work.same)
        np.positive(0.0, out=out, where=same)
    return out


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
    raw = _sorted_votes(xs, ws) / span[:, None, None]
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


# ------------------------------------------------------------------------- a round


def _break_ties(
    cand: np.ndarray,
    comp_row: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    diff: np.ndarray,
    xi: np.ndarray,
    xj: np.ndarray,
    span: np.ndarray,
    original: np.ndarray,
    eu_tol: float,
) -> np.ndarray:
    """The offer a receiver accepts among ``cand``, offers tied on the first key.

    One receiver per row (k rows, n proposers): ``comp_row`` (k,) True where the offers are
    compromises, ``xi`` and ``span`` (k,), the rest (k, n). The keys after the first are,
    for conflicts and capitulations, the largest E^i(U_ji) (within ``eu_tol``, EU_ATOL in
    the units of ``b``); for compromises the smallest move (within MOVE_RTOL R); then the
    lowest target, then the lowest actor index.
    """
    crow = comp_row[:, None]
    xi = xi[:, None]
    frac = np.minimum(np.maximum(-a / np.where(cand, b, 1.0), 0.0), 1.0)  # b > 0 on offers
    target = np.minimum(np.maximum(xi + diff * frac, np.minimum(xi, xj)), np.maximum(xi, xj))
    target = np.where(crow, target, xj)
    move = np.abs(target - xi)
    keys = [
        (np.where(crow, move, -b), np.where(comp_row, MOVE_RTOL * span, eu_tol)[:, None]),
        (target, 0.0),
        (original, 0.0),
    ]
    for key, tol in keys:
        k = np.where(cand, key, np.inf)
        cand = cand & (k <= k.min(axis=-1, keepdims=True) + tol)
    return np.asarray(np.argmax(cand, axis=-1))


@lru_cache(maxsize=16)
def _rows(g: int, n: int) -> np.ndarray:
    """The flat index of the first element of every row of a (g, n, n) array."""
    out = np.arange(g * n) * n
    out.setflags(write=False)
    return out


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
    """One round for g issues at once, computed with each issue's actors sorted by position.

    ``x`` (g, n) holds the positions slot by slot, slot j of issue k holding actor
    ``cum[k, j]``; ``w`` (weights c s) and ``s`` (g, n) are in the actors' order; ``span``
    (g,); ``mu`` (g,) the medians (used only if q < 1); ``work`` the buffers. Writes the
    round, slot by slot after sorting, to ``record`` (5, g, n): new positions, risk
    exponents, security levels, accepted offer and proposer (actor index or -1); and to
    ``counts`` (4, g) the numbers of conflict, compromise and capitulation offers and of
    stalemates. Returns the slots' actors after sorting (g, n).

    A single issue is computed on (n,) and (n, n) arrays (numpy broadcasts those faster),
    several on (g, n) and (g, n, n): the code indexes from the end (rows i, the receivers,
    on axis -2; columns j, the proposers, on axis -1).
    """
    q, t, probability = options.q, options.t, options.probability
    g, n = x.shape
    one = g == 1
    if one:  # drop the issue axis
        x, cum, w, s, span = x[0], cum[0], w[0], s[0], span[0]
        mu = None if mu is None else mu[0]
        record, counts = record[:, 0], counts[:, 0]

        def buf(a: np.ndarray) -> np.ndarray:
            return a[..., 0, :, :]

        order = np.lexsort((cum, x))  # by position, then actor index
        xs, cum = x[order], cum[order]
        ss, ws = s[cum], w[cum]
        span_m: Any = span  # broadcasts against matrices and vectors alike
        span_v: Any = span
    else:

        def buf(a: np.ndarray) -> np.ndarray:
            return a

        order = np.lexsort((cum, x), axis=1)
        rows = _arange(g)[:, None]
        xs, cum = x[rows, order], cum[rows, order]
        ss, ws = s[rows, cum], w[rows, cum]
        span_m, span_v = span[:, None, None], span[:, None]
    masks = buf(work.masks)
    differ, conflict, yields, compromise, offers = masks
    # x_j - x_i and d_ij: receiver i on rows, proposer j on columns
    diff = np.subtract(xs[..., None, :], xs[..., :, None], out=buf(work.diff))
    d = np.abs(diff, out=buf(work.d))
    if options.method != "direct":
        votes = _sorted_votes(xs, ws, work, probability != "all_pairs", diff, d)
    else:
        votes = buf(work.votes)
        votes[...] = _vote_sums_direct(
            xs.reshape(g, n), ws.reshape(g, n), span.reshape(g), None, options.max_bytes
        ).reshape(votes.shape)
    d /= span_m
    np.greater(d, POS_RTOL, out=differ)
    d *= differ  # one position: d = 0

    # 1. Probabilities and security levels, everyone risk-neutral.
    def one_minus_p(votes: np.ndarray) -> np.ndarray:
        """1 - P, written over ``votes`` (any positive factor of the votes cancels)."""
        if probability == "all_pairs":
            if one:
                total = float(np.add.reduce(votes, axis=None))  # = D / 2
                votes *= -0.5 / total if total > 0 else -0.0
            else:
                total_g = votes.sum(axis=(1, 2))
                votes *= (-0.5 / np.where(total_g > 0, total_g, -np.inf))[:, None, None]
            votes += 1.0
            return votes
        return np.subtract(1.0, win_probabilities(votes, probability), out=votes)

    omp = one_minus_p(votes)
    s_j, s_i = ss[..., None, :], ss[..., :, None]
    dmu = None
    security = record[2]
    if q == 1.0:
        # E(U_ij) = 2 d_ij (1 - 2 s_j (1 - P_ij)) at r = 1 (U_s = 2d, U_f = -2d, U_sq = 0),
        # 0 for actors at one position (d = 0); S_j sums it over the challengers i (d is
        # symmetric).
        weighted = np.add.reduce(np.multiply(d, omp, out=buf(work.t1)), axis=-2)
        weighted *= ss
        np.subtract(np.add.reduce(d, axis=-1), weighted + weighted, out=security)
        security += security
    else:
        assert mu is not None
        dmu = np.abs(xs - mu[..., None]) / span_v
        e1 = expected_utility(1.0 - omp, d, s_j, dmu[..., :, None], 1.0, q, t)
        np.sum(np.where(differ, e1, 0.0), axis=-2, out=security)
    r = record[1]
    _exponents(security.reshape(g, n), r.reshape(g, n))

    # 2. The expected utilities with each receiver's exponent (rows): a = E^i(U_ij),
    #    b = E^i(U_ji).
    if options.vote_risk:
        votes = buf(work.votes)
        votes[...] = _vote_sums_direct(
            xs.reshape(g, n), ws.reshape(g, n), span.reshape(g), r.reshape(g, n), options.max_bytes
        ).reshape(votes.shape)
        omp = one_minus_p(votes)
    rho = r[..., :, None]
    two = work.two[:, 0] if one else work.two
    powers = np.multiply(d, work.halves.reshape((2,) + (1,) * d.ndim), out=two)  # -0.5 d, 0.5 d
    powers += 0.5
    if not options.bounded:
        np.maximum(powers, 0.0, out=powers)
    np.power(powers, rho, out=powers)
    pl, ph = powers  # (0.5 - 0.5 d) ** r, (0.5 + 0.5 d) ** r
    ab = work.ab[:, 0] if one else work.ab
    pos = work.pos[:, 0] if one else work.pos
    if dmu is None:
        # Q = 1: E = (U_s - U_sq) - s_target (1 - P) (U_s - U_f). Computed divided by 4,
        # which is exact in binary floating point, so compared with EU_ATOL / 4.
        spread = np.subtract(ph, pl, out=ph)  # (U_s - U_f) / 4
        base = np.subtract(np.power(0.5, rho), pl, out=pl)  # (U_s - U_sq) / 4
        sp = np.multiply(s_j, omp, out=buf(work.t1))  # s_j (1 - P_ij); transposed s_i (1 - P_ji)
        np.multiply(sp, spread, out=ab[0])
        np.multiply(np.swapaxes(sp, -1, -2), spread, out=ab[1])
        np.subtract(base, ab, out=ab)
        tol = 0.25 * EU_ATOL
        np.greater(ab, tol, out=pos)  # false where d = 0 (a = b = 0 up to rounding)
    else:
        p = 1.0 - omp
        shared = (2.0 - 4.0 * pl, 2.0 - 4.0 * ph, 2.0 - 4.0 * np.power(0.5, rho))
        ab[0] = expected_utility(p, d, s_j, dmu[..., :, None], rho, q, t, us_uf_usq=shared)
        ab[1] = expected_utility(
            np.swapaxes(p, -1, -2), d, s_i, dmu[..., None, :], rho, q, t, us_uf_usq=shared
        )
        tol = EU_ATOL
        np.greater(ab, tol, out=pos)
        pos &= differ
    a, b = ab
    apos, bpos = pos

    # 3. Offers to receiver i (row) from proposer j (column), equal within EU_ATOL:
    #    conflict a > 0 and b > a; when b > 0 >= a ("yields"), compromise if |a| < b
    #    (a + b > 0), else capitulation; the rest stalemates or no offer.
    t1 = buf(work.t1)
    np.greater(np.subtract(b, a, out=t1), tol, out=conflict)
    conflict &= apos
    np.greater(bpos, apos, out=yields)
    np.greater(np.add(a, b, out=t1), tol, out=compromise)
    compromise &= yields
    np.logical_or(apos, bpos, out=offers)
    if one:
        n_diff, n_conf, n_yield, n_comp, n_offer = (np.count_nonzero(m) for m in masks)
        counts[:] = (n_conf, n_comp, n_yield - n_comp, n_diff - n_offer)
    else:
        pairs = np.count_nonzero(masks.reshape(5 * g, n * n), axis=1).reshape(5, g)
        np.matmul(_COUNT_MAP, pairs, out=counts)
    # One score per offer, the kinds in separate bands (|E| <= 4, 0 <= d <= 1): conflict
    # 20 - d, compromise 10 + E^i(U_ji), capitulation -d, no offer -100 - d.
    score = np.subtract(-100.0, d, out=buf(work.score))
    np.negative(d, out=score, where=yields)
    np.add(b, 10.0, out=score, where=compromise)
    np.subtract(20.0, d, out=score, where=conflict)

    # 4. Each receiver accepts one offer: the best kind (conflicts, then compromises, then
    #    capitulations), and within it the smallest move (the largest E^i(U_ji) for
    #    compromises), the remaining keys deciding only among offers tied on that one.
    idx = score.argmax(axis=-1)
    at = _rows(g, n) + idx.ravel()  # the chosen offers in the flattened (g, n, n)
    best = score.ravel()[at].reshape(idx.shape)
    has = best > -50.0
    conf_row = best > 17.0
    comp_row = (best > 5.0) > conf_row
    xj = xs[idx] if one else xs[rows, idx]
    # Offers tied with the chosen one need the full rule, unless they come from the chosen
    # offer's position (conflicts, capitulations): then their moves, E^i(U_ji) and targets
    # are the same, and the first in the order of the slots (by position, then actor
    # index), the lowest index, is the one the rule picks. Compromises from one position
    # differ in the move.
    near = np.greater_equal(
        score, (best - np.where(comp_row, tol, MOVE_RTOL))[..., None], out=yields
    )
    near.ravel()[at] = False
    other = np.not_equal(xs[..., None, :], xj[..., :, None], out=conflict)
    other |= comp_row[..., None]
    other &= near
    tied = np.logical_or.reduce(other, axis=-1)
    tied &= has
    if np.logical_or.reduce(tied, axis=None):
        near.ravel()[at] = True
        gi, ri = np.nonzero(tied.reshape(g, n))
        near3, a3, b3, diff3 = (m.reshape(g, n, n) for m in (near, a, b, diff))
        xs2, cum2 = xs.reshape(g, n), cum.reshape(g, n)
        idx.reshape(g, n)[gi, ri] = _break_ties(
            near3[gi, ri],
            comp_row.reshape(g, n)[gi, ri],
            a3[gi, ri],
            b3[gi, ri],
            diff3[gi, ri],
            xs2[gi, ri],
            xs2[gi],
            span.reshape(g)[gi],
            cum2[gi],
            tol,
        )
        at = _rows(g, n) + idx.ravel()
        xj = xs[idx] if one else xs[rows, idx]
    # i moves the fraction f of the way to x_j: all of it in a conflict or a capitulation,
    # |a / b| < 1 of it in a compromise, none without an offer; within POS_RTOL R of either
    # end it stays at x_i or lands on x_j.
    f = has.astype(float)
    if np.logical_or.reduce(comp_row, axis=None):
        ab_at = ab.reshape(2, g * n * n)[:, at].reshape((2, *idx.shape))
        ratio = np.zeros(idx.shape)
        np.divide(ab_at[0], ab_at[1], out=ratio, where=comp_row)  # b > 0 on offers
        np.maximum(-ratio, 0.0, out=f, where=comp_row)
    new = np.multiply(xj - xs, f, out=record[0])
    new += xs
    ends = np.concatenate([xj, xs]).reshape((2, *xs.shape))
    close = POS_RTOL * span_v
    near_end = np.abs(np.subtract(ends, new, out=ends), out=ends) <= close
    np.positive(xj, out=new, where=near_end[0])
    np.positive(xs, out=new, where=near_end[1])  # x_i first
    accepted = np.subtract(1.0 * CAPITULATION, comp_row, out=record[3])
    np.positive(1.0 * CONFLICT, out=accepted, where=conf_row)
    accepted *= has
    record[4] = np.where(has, cum[idx] if one else cum[rows, idx], -1)
    return cum.reshape(g, n)


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
    big_t, m = positions.shape[0] - 1, positions.shape[2]
    tol = rtol * np.asarray(span, dtype=float)
    settled = np.zeros(m, dtype=bool)
    period = np.zeros(m, dtype=np.int64)
    if big_t >= 1:
        # |x_T - x_(T-p)| for p = 1..T: the last round against each earlier one, a necessary
        # condition that rules most periods out at once.
        back = np.abs(positions[-1] - positions[-2::-1]).max(axis=1) <= tol  # (T, m): p - 1
        settled = back[0].copy()
        open_ = ~settled
        candidates = back[1 : (big_t + 1) // 2] & open_  # p = 2 .. (T + 1) // 2
        for p in np.flatnonzero(np.logical_or.reduce(candidates, axis=1)) + 2:
            last, before = positions[big_t - p + 1 :], positions[big_t - 2 * p + 1 : big_t - p + 1]
            hit = open_ & candidates[p - 2] & (np.abs(last - before).max(axis=(0, 1)) <= tol)
            period[hit] = p
            open_ &= ~hit
            if not open_.any():
                break
    window = np.where(settled, 1, np.where(period > 0, period, big_t // 2 + 1))
    forecast, low, high = np.empty(m), np.empty(m), np.empty(m)
    for k in range(m):
        tail = medians[big_t + 1 - window[k] :, k]
        forecast[k] = tail.mean() if period[k] else medians[-1, k]
        low[k], high[k] = tail.min(), tail.max()
    return {
        "forecast": forecast,
        "settled": settled.astype(float),
        "cycle_period": period.astype(float),
        "forecast_low": low,
        "forecast_high": high,
    }


# ---------------------------------------------------------------------------- run


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
    issue, plus O(T^2 n m) for the forecast rule.
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

    c = inputs.capability
    s_all = inputs.salience.T.copy()  # (m, n)
    w_all = c[None, :] * s_all  # weights, (m, n)
    n, m = inputs.position.shape
    span_all = _ranges(inputs, range_basis)
    per_issue = max(1, n * n * 8 * 24)  # bytes of the (n, n) arrays one issue needs
    group = max(1, int(max_bytes) // per_issue)
    slices = [slice(k, min(m, k + group)) for k in range(0, m, group)]

    # The rounds run with each issue's actors sorted by position (slot j of issue k holds
    # actor cum[k, j]); the records are put back in the actors' order after the last round.
    bounded = bool(np.all(span_all >= np.ptp(inputs.position, axis=0)))  # so d <= 1
    x_in = inputs.position.T.copy()  # (m, n)
    x = x_in  # by slot
    cum = np.tile(np.arange(n), (m, 1))
    record = np.empty((5, rounds, m, n))  # positions, r, security, accepted, proposer
    slots = np.empty((rounds, m, n), dtype=np.intp)
    counts = np.empty((4, rounds, m))
    medians = np.empty((rounds + 1, m))
    need_mu = q != 1.0  # the median enters the round only through U_b and U_w
    if need_mu:
        medians[0] = median_last(w_all, x_in, span_all)
    options = _Options(q, t, probability, vote_risk, method, int(max_bytes), bounded)
    works = {k: _Work(k, n) for k in {sl.stop - sl.start for sl in slices}}
    whole = len(slices) == 1
    for step in range(rounds):
        mu = medians[step] if need_mu else None
        if whole:  # all issues at once: no slicing
            cum = _round(
                x,
                cum,
                w_all,
                s_all,
                span_all,
                mu,
                works[m],
                record[:, step],
                counts[:, step],
                options,
            )
        else:
            for sl in slices:
                cum[sl] = _round(
                    x[sl],
                    cum[sl],
                    w_all[sl],
                    s_all[sl],
                    span_all[sl],
                    None if mu is None else mu[sl],
                    works[sl.stop - sl.start],
                    record[:, step, sl],
                    counts[:, step, sl],
                    options,
                )
        x = record[0, step]
        slots[step] = cum
        if need_mu:  # the median of a round is the same whatever the order of the slots
            ws_now = w_all[_arange(m)[:, None], cum]
            medians[step + 1] = median_last(ws_now, x, span_all)

    rec = np.empty_like(record)
    rec[:, _arange(rounds)[:, None, None], _arange(m)[None, :, None], slots] = record
    by_issue = np.concatenate([x_in[None], rec[0]])  # (T + 1, m, n)
    positions = by_issue.transpose(0, 2, 1)  # (T + 1, n, m)
    if not need_mu:
        medians = np.asarray(median_last(w_all, by_issue, span_all))
    total = w_all.sum(axis=1)  # (m,)
    means = np.where(
        total > 0,
        np.add.reduce(by_issue * w_all, axis=2) / np.where(total > 0, total, 1.0),
        by_issue.mean(axis=2),
    )

    details: dict[str, np.ndarray] = {
        name: rec[k].transpose(0, 2, 1) for k, name in enumerate(_PER_ACTOR, start=1)
    }
    details.update({name: counts[k] for k, name in enumerate(_COUNTS)})
    for kind, name in (
        (CONFLICT, "conflict"),
        (COMPROMISE, "compromise"),
        (CAPITULATION, "capitulation"),
    ):
        details[f"moves_{name}"] = np.add.reduce(rec[3] == kind, axis=2, dtype=float)
    ending = settle(positions, medians, span_all)
    forecast = ending.pop("forecast")
    details.update(ending)
    return Trajectory(
        positions=positions,
        forecast=forecast,
        per_round={"median": medians, "mean": means},
        details=details,
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
