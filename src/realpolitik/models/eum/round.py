"""One round of the EUM for a batch of issues: perceptions, offers, choices, moves.

The same function computes one issue or many (the issues of a scenario, the Monte Carlo
draws of one issue): the actors on axis 0, the issues (columns) last. Every operation is
elementwise along the issues, every sum over actors is added in a fixed order
(:func:`~.._ordered.ordered_sum`, prefix sums), and every choice is made by maxima,
minima and counts, which are exact; so a column gets the same bits whatever columns run
beside it, by construction.

Steps (Scholz, Calbert & Smith 2011, sec. 3; the package docstring has the equations):

1. **Perceptions.** With the actors sorted by position (slots): the median of the round's
   positions (from the same sort), the vote sums, the probabilities P, the security levels
   S_j = sum_{i: x_i != x_j} E(U_ij) at r = 1, the risk exponents r, and then for every
   receiver i (axis 0) and proposer j (axis 1) both expected utilities with i's exponent:
   a = E^i(U_ij), b = E^i(U_ji). With ``vote_risk`` the votes are computed again with the
   voters' exponents before a and b.
2. **Offers.** j has an offer for i where b > 0: a conflict where a > 0 and b > a, a
   compromise where a <= 0 and a + b > 0, a capitulation where a <= 0 and a + b <= 0 (each
   comparison "> 0" within EU_ATOL). A stalemate is a pair where a <= 0 and b <= 0.
3. **Choice.** Each receiver accepts one offer: of the best kind it has (conflict, then
   compromise, then capitulation), the one first by these keys, each applied to the offers
   left by the one before (ties within the tolerance stay):

   =============================  ===================================================
   conflict, capitulation         smallest move (MOVE_RTOL R), largest b (EU_ATOL),
                                  lowest target, lowest actor index
   compromise                     largest b (EU_ATOL), smallest move (MOVE_RTOL R),
                                  lowest target, lowest actor index
   =============================  ===================================================

   The kinds are compared as kinds, not folded into one number: the order holds for
   expected utilities and distances of any size.
4. **Moves.** All at once: to x_j in a conflict or capitulation; in a compromise to
   x_i + (x_j - x_i) min(1, max(0, -a / b)) (kept between x_i and x_j), landing on x_i or
   x_j when within POS_RTOL R of it.

With Q = 1 the expected utilities are computed in the algebraically equal form
E(U_ij) = 4 (0.5^r - p_l) - 4 s_j (1 - P_ij) (p_h - p_l), p_l = max(0, 0.5 - 0.5 d)^r and
p_h = (0.5 + 0.5 d)^r, and kept divided by 4 (exact in binary floating point), with every
comparison made against EU_ATOL / 4: the same decisions in fewer operations; it is exactly
0 for actors at one position. d enters it only as d / 2, computed as |x_j - x_i| / (2 R)
(the bits of d halved), and the security levels at r = 1 as sums of E / 8 =
(0.5 - s_j (1 - P_ij)) d / 2, multiplied by 8 (the bits of the sums of E: every term is 0
or far above the subnormals, where scaling by a power of 2 is exact).

Speed without changing a bit: the large (n, n, g) arrays live in buffers a run reuses;
the operations along the actor axis that numpy does slowly where it is strided (argmin,
accumulations, gathers of pairs) are done as a minimum and a weighted maximum, or row by
row for large batches; the compromise receivers, usually few, are keyed and moved apart;
the mask of one position is skipped where no two positions are that close (Q = 1, no
details, large batches).

Complexity per issue with n actors: O(n^2 log n) time for the sorted vote sums (O(n^3) for
the direct ones, and the count of knots below O(n^3 / 6) cheap comparisons when n <= 32),
O(n^2) for the rest, O(n^2) memory (O(n^3 / block) for the direct sums).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from .._ordered import ordered_sum
from ..median import sorted_median
from .equations import (
    CAPITULATION,
    COMPROMISE,
    CONFLICT,
    EU_ATOL,
    MOVE_RTOL,
    NO_OFFER,
    POS_RTOL,
    expected_utility,
    risk_exponents,
    utilities,
)
from .votes import (
    _ROW_LOOPS,
    DEFAULT_MAX_BYTES,
    direct_vote_sums,
    probabilities,
    sorted_vote_sums,
    stakes,
)

__all__ = ["Options", "RoundResult", "View", "perceive", "play_round"]


@dataclass(frozen=True)
class Options:
    """The model's parameters as a round uses them (see :func:`~.engine.run`)."""

    q: float = 1.0
    t: float = 1.0
    probability: str = "all_pairs"
    vote_risk: bool = False
    method: str = "auto"
    max_bytes: int = DEFAULT_MAX_BYTES
    details: bool = True
    #: every d_ij <= 1 in every round (R spans the positions the run can reach): U_s = 2 d at
    #: r = 1 and 0.5 - 0.5 d >= 0, identities a round then uses
    bounded: bool = False


class View(NamedTuple):
    """Step 1 for a batch, in slot order (the actors sorted by position, then index)."""

    #: (n, g): the actor in each slot.
    order: np.ndarray
    #: (n, g): the positions by slot.
    xs: np.ndarray
    #: (n, g): the flat index in an (n, g) array of each slot's actor and issue.
    flat: np.ndarray
    #: (g,): the Condorcet median of the positions where Q < 1, else None.
    median: np.ndarray | None
    #: (n, n, g): x_j - x_i, receiver i on axis 0, proposer j on axis 1.
    diff: np.ndarray
    #: (n, n, g): |x_j - x_i|.
    dist: np.ndarray
    #: (n, n, g) bool: i and j at different positions (more than POS_RTOL R apart), or
    #: None where the round does not need it (Q = 1 without ``details``).
    differ: np.ndarray | None
    #: (n, g): S, the security levels at r = 1.
    security: np.ndarray
    #: (n, g): r, the risk exponents.
    r: np.ndarray
    #: (2, n, n, g): a = E^i(U_ij) and b = E^i(U_ji), 0 for one position, in units of
    #: ``scale``.
    ab: np.ndarray
    #: a and b are E / scale (1, or 4 in the Q = 1 form; compare them with EU_ATOL / scale).
    scale: float


class Buffers:
    """A round's large arrays for g issues of n actors, (n, n, g) each, views of flat
    arrays in ``pool`` (name -> array) that a run keeps: its rounds write into the same
    memory round after round, whatever the number of issues still computed. Fresh memory
    of that size costs page faults, about a third of the time of a round of a batch of
    draws; the values written do not depend on the memory they are written to."""

    diff: np.ndarray
    dist: np.ndarray
    d: np.ndarray
    v: np.ndarray
    votes: np.ndarray
    gather: np.ndarray
    rise: np.ndarray
    sp: np.ndarray
    e1: np.ndarray
    base: np.ndarray
    key: np.ndarray
    tmp: np.ndarray
    differ: np.ndarray
    le: np.ndarray
    conflict: np.ndarray
    yields: np.ndarray
    compromise: np.ndarray
    cand: np.ndarray
    near: np.ndarray
    other: np.ndarray

    _FLOATS = ("diff", "dist", "d", "v", "votes", "gather", "rise", "sp", "e1", "base", "key",
               "tmp")  # fmt: skip
    _BOOLS = ("differ", "le", "conflict", "yields", "compromise", "cand", "near", "other")

    def __init__(self, n: int, g: int, pool: dict[str, np.ndarray] | None = None) -> None:
        pool = {} if pool is None else pool
        sq = (n, n, g)
        size = n * n * g

        def take(name: str, dtype: type, k: int = 1) -> np.ndarray:
            # one flat array per name: below malloc's threshold for memory of its own when
            # small (reused from run to run), and a view of the first g issues' worth
            flat = pool.get(name)
            if flat is None or flat.size < k * size:
                flat = pool[name] = np.empty(k * size, dtype=dtype)
            return flat[: k * size].reshape((k, *sq) if k > 1 else sq)

        for name in self._FLOATS:
            setattr(self, name, take(name, float))
        for name in self._BOOLS:
            setattr(self, name, take(name, bool))
        self.pl_ph = take("pl_ph", float, 2)
        self.ab = take("ab", float, 2)
        self.pos = take("pos", bool, 2)
        self.count = take("count", np.intp)
        self.count8 = take("count8", np.uint8)
        self.rank, self.rank3 = take("rank", np.int8), take("rank3", np.int8)


def _close(xs: np.ndarray, span: np.ndarray) -> bool:
    """Whether two positions of ``xs`` (n, g, sorted along axis 0) differ by POS_RTOL R or
    less (d = |x_j - x_i| / R in (0, POS_RTOL]). Only neighbours need checking: rounding is
    monotonic, so every other pair's d is at least that of a nonzero gap between them."""
    gaps = np.subtract(xs[1:], xs[:-1])
    gaps /= span
    return bool(np.count_nonzero((gaps > 0.0) & (gaps <= POS_RTOL)))


def perceive(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    span: np.ndarray,
    options: Options,
    buffers: Buffers | None = None,
) -> View:
    """Step 1 for g issues: ``x``, ``w`` (c s) and ``s`` (n, g) in the actors' order,
    ``span`` (g,) the issues' R. Where Q < 1 the median of ``x`` (weights ``w``) is mu,
    computed from the round's sort and returned in ``median``; with Q = 1 the round does
    not need it (``median`` is None, the caller computes the medians of all rounds at once).
    ``buffers`` (:class:`Buffers` of the shape) hold the round's large arrays; fresh ones
    by default.
    """
    q, t = options.q, options.t
    n, g = x.shape
    buf = buffers if buffers is not None else Buffers(n, g)
    order = np.argsort(x, axis=0, kind="stable")  # by position, then actor index
    at = order if g == 1 else order * g + _aranges(n, g)[1]
    xs, ws, ss = x.reshape(-1)[at], w.reshape(-1)[at], s.reshape(-1)[at]
    mu = None if q == 1.0 else sorted_median(xs, ws, span)
    diff = np.subtract(xs[None, :, :], xs[:, None, :], out=buf.diff)
    dist = np.abs(diff, out=buf.dist)
    # With Q = 1, d enters only as h = d / 2 = |x_j - x_i| / (2 R): the same bits as d
    # halved (a power of 2), one pass fewer (d itself where 2 R would overflow)
    with np.errstate(over="ignore"):  # inf where 2 R overflows: then d itself, below
        twice = span + span
    halved = q == 1.0 and bool(np.maximum.reduce(twice, axis=None) < np.inf)
    d = np.divide(dist, twice if halved else span, out=buf.d)  # h where halved
    differ: np.ndarray | None = None
    if options.details or q != 1.0 or g < _ROW_LOOPS or _close(xs, span):
        differ = np.greater(d, POS_RTOL * 0.5 if halved else POS_RTOL, out=buf.differ)
        d *= differ  # one position: d = 0
    if q == 1.0 and not halved:
        d *= 0.5
    if options.method == "direct":
        votes = direct_vote_sums(xs, ws, span, None, options.max_bytes)
    else:
        votes = sorted_vote_sums(xs, ws, span, diff, buf)
    s_j, s_i = ss[None, :, :], ss[:, None, :]
    if q == 1.0:
        # Security at r = 1: U_s = min(2 d, 2), U_f = -2 d, U_sq = 0, so
        # E(U_ij) = U_s - s_j (1 - P_ij) (U_s - U_f), 0 for d = 0; where every d <= 1,
        # U_s = 2 d and E(U_ij) = d (2 - 4 s_j (1 - P_ij)).
        sp = stakes(votes, s_j, options.probability, buf.sp)  # s_j (1 - P_ij); its
        # transpose s_i (1 - P_ji)
        # E / 8 = (0.5 - s_j (1 - P_ij)) h: the bits of (2 - 4 s_j (1 - P_ij)) d over 8
        # (a power of 2; every value 0 or far above the subnormals), so are the sums'
        h = d
        e1 = np.subtract(0.5, sp, out=buf.e1)
        e1 *= h
        if not options.bounded:  # beyond d = 1: U_s = 2, E = 2 - s_j (1 - P_ij) (2 + 2 d);
            # the same bits as the bounded form where d <= 1, whatever the batch holds
            far = h > 0.5
            if np.count_nonzero(far):
                e1[far] = (2.0 - sp[far] * (2.0 + 4.0 * h[far])) * 0.125
        security = ordered_sum(e1, axis=0)  # S_j / 8: over the challengers i
        security *= 8.0
    else:
        p = probabilities(votes, options.probability)
        dmu = np.abs(xs - mu) / span
        e1 = expected_utility(p, d, s_j, dmu[:, None, :], 1.0, q, t)
        e1 *= differ
        security = ordered_sum(e1, axis=0)  # S_j: over the challengers i
    r = risk_exponents(security, axis=0)
    if options.vote_risk:
        votes = direct_vote_sums(xs, ws, span, r, options.max_bytes)
        if q == 1.0:
            sp = stakes(votes, s_j, options.probability, buf.sp)
        else:
            p = probabilities(votes, options.probability)
    rho = r[:, None, :]  # the receiver's view (rows)
    ab = buf.ab  # a and b, stacked so that one call compares both
    if q == 1.0:
        pl_ph = buf.pl_ph
        pl, ph = pl_ph[0], pl_ph[1]
        np.subtract(0.5, h, out=pl)  # 0.5 - 0.5 d
        np.add(h, 0.5, out=ph)  # 0.5 + 0.5 d
        if not options.bounded:
            np.maximum(pl, 0.0, out=pl)  # 0 beyond d = 1
        np.power(pl_ph, rho, out=pl_ph)
        # (0.5 as an array: numpy's power of two arrays is the same function, the same
        # bits, about twice as fast as that of a scalar and an array)
        half_r = np.power(np.full(rho.shape, 0.5) if g >= 8 else 0.5, rho)
        base = np.subtract(half_r, pl, out=buf.base)  # (U_s - U_sq) / 4
        spread = np.subtract(ph, pl, out=ph)  # (U_s - U_f) / 4
        np.multiply(sp, spread, out=ab[0])
        np.multiply(sp.transpose(1, 0, 2), spread, out=ab[1])
        np.subtract(base, ab, out=ab)
        scale = 4.0
    else:
        shared = utilities(d, rho)
        ab[0] = expected_utility(p, d, s_j, dmu[:, None, :], rho, q, t, us_uf_usq=shared)
        ab[1] = expected_utility(p.transpose(1, 0, 2), d, s_i, dmu[None, :, :], rho, q, t,
                                 us_uf_usq=shared)  # fmt: skip
        ab *= differ
        scale = 1.0
    return View(order, xs, at, mu, diff, dist, differ, security, r, ab, scale)


class RoundResult(NamedTuple):
    """A round's outcome for g issues: the new positions in the actors' order, the
    per-actor records in slot order (``order`` gives each slot's actor: a record ``rec``
    is ``put_along_axis(out, order, rec, axis=0)`` in the actors' order), so that a run
    puts them back once, for all its rounds."""

    #: (n, g): the positions after the round, in the actors' order.
    x: np.ndarray
    #: (g,): the median of the positions before the round (its input) where Q < 1.
    median: np.ndarray | None
    #: (n, g): the actor in each slot.
    order: np.ndarray
    #: (n, g): by slot: the risk exponents of the round.
    r: np.ndarray
    #: (n, g): by slot: the security levels of the round.
    security: np.ndarray
    #: (n, g): by slot: the offer accepted, NO_OFFER, CONFLICT, COMPROMISE or
    #: CAPITULATION, or None without ``options.details``.
    accepted: np.ndarray | None
    #: (n, g): by slot: the actor whose offer was accepted, -1 for none (or None).
    proposer: np.ndarray | None
    #: (4, g): conflict, compromise and capitulation offers and stalemates (ordered
    #: receiver-proposer pairs), or None without ``options.details``.
    counts: np.ndarray | None


#: A kind's code in ``accepted``, by its rank 0..3 (conflict first: 3).
#: Up to this many compromise receivers in a round, their moves are computed one by one.
_FEW = 4
#: Up to one receiver in this many choosing a compromise, their rows are keyed apart.
_SPARSE = 4
_RANK_CODE = np.array([NO_OFFER, CAPITULATION, COMPROMISE, CONFLICT], dtype=float)


@lru_cache(maxsize=64)
def _aranges(n: int, g: int) -> tuple[np.ndarray, np.ndarray]:
    """The flat index of (receiver i, proposer 0, issue 0) in an (n, n, g) array as a
    column, i n g, and arange(g); read-only (a round's index helpers)."""
    base_i, cols = (np.arange(n) * (n * g))[:, None], np.arange(g)
    base_i.setflags(write=False)
    cols.setflags(write=False)
    return base_i, cols


def _pair_at(base_i: np.ndarray, j: np.ndarray, g: int, cols: np.ndarray) -> np.ndarray:
    """The flat indices of (i, j[i, k], k) in an (n, n, g) array, for proposers ``j``
    (n, g)."""
    return base_i + j if g == 1 else base_i + j * g + cols


@lru_cache(maxsize=64)
def _descending(n: int) -> np.ndarray:
    """n, n - 1, ..., 1 as (1, n, 1), in int8 for n < 128 (read-only)."""
    out = np.arange(n, 0, -1, dtype=np.int8 if n < 128 else np.intp).reshape(1, n, 1)
    out.setflags(write=False)
    return out


def _first(mask: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """The first j with ``mask[i, j, k]`` (n, n, g), for every (i, k) (each has one), as
    (n, g) intp: n minus the largest of mask n, mask (n - 1), ..., a product and a maximum
    over the proposers, fast where ``argmax`` along a strided axis is not. ``scratch`` is
    an int8 (n, n, g) buffer."""
    n = mask.shape[1]
    weights = _descending(n)
    if weights.dtype == np.int8:
        scored = np.multiply(mask.view(np.int8), weights, out=scratch)
    else:
        scored = np.multiply(mask, weights)
    top = np.maximum.reduce(scored, axis=1)
    return np.subtract(n, top, dtype=np.intp)


def _counts(
    conflict: np.ndarray,
    compromise: np.ndarray,
    yields: np.ndarray,
    differ: np.ndarray,
    either: np.ndarray,
) -> np.ndarray:
    """Per issue, from masks (n, n, g): the conflict, compromise and capitulation offers
    (offers to yield that are no compromise) and the stalemates (pairs at different
    positions with neither a > 0 nor b > 0: ``differ`` and not ``either``, which implies
    ``differ``), as (4, g) floats."""
    g = conflict.shape[-1]
    if g == 1:
        k = [np.count_nonzero(m) for m in (conflict, compromise, yields, differ, either)]
        return np.array([[k[0]], [k[1]], [k[2] - k[1]], [k[3] - k[4]]], dtype=float)
    flat = np.stack((conflict, compromise, yields, differ, either)).reshape(5, -1, g)
    k = np.add.reduce(flat.view(np.uint8), axis=1, dtype=np.intp)
    return np.stack((k[0], k[1], k[2] - k[1], k[3] - k[4])).astype(float)


def _land(xi: Any, xj: Any, share: Any, close: Any, pick: Any) -> Any:
    """A compromise's target, x_i + (x_j - x_i) share, landing on x_i or x_j when within
    ``close`` of it (x_i first); elementwise, ``pick(condition, if_true, if_false)``."""
    aim = xi + (xj - xi) * share
    return pick(abs(aim - xi) <= close, xi, pick(abs(xj - aim) <= close, xj, aim))


def _pick(condition: bool, if_true: float, if_false: float) -> float:
    return if_true if condition else if_false


def _compromise_moves(
    new: np.ndarray,
    xs: np.ndarray,
    xj: np.ndarray,
    comp_row: np.ndarray,
    at: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    close: np.ndarray,
) -> np.ndarray:
    """``new`` (n, g) with the receivers of compromises (``comp_row``) moved by
    :func:`_land`, share = max(0, -a / b) of the chosen offers (flat indices ``at``), in
    place where ``new`` is C-contiguous. A few receivers (the usual case) are computed one
    by one in Python floats, many at once in numpy (their entries gathered): the same
    IEEE operations, the same bits."""
    rows = comp_row.reshape(-1).nonzero()[0]
    a_flat, b_flat = a.reshape(-1), b.reshape(-1)
    if rows.size <= _FEW:
        g = new.shape[1]
        new = np.ascontiguousarray(new)
        out = new.reshape(-1)  # a view of new
        for r in rows.tolist():
            k = at.item(r)
            share = max(0.0, -(a_flat.item(k) / b_flat.item(k)))
            out[r] = _land(xs.item(r), xj.item(r), share, close.item(r % g), _pick)
        return new
    # (the receivers' entries only, gathered: b > 0 on offers)
    k = at.reshape(-1)[rows]
    share = np.divide(a_flat[k], b_flat[k])
    np.negative(share, out=share)
    np.maximum(share, 0.0, out=share)
    g = new.shape[1]
    moved = _land(xs.reshape(-1)[rows], xj.reshape(-1)[rows], share, close[rows % g], np.where)
    new = np.ascontiguousarray(new)
    new.reshape(-1)[rows] = moved
    return new


def _break_ties(
    cand: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    diff: np.ndarray,
    xi: np.ndarray,
    xj: np.ndarray,
    order: np.ndarray,
    comp: np.ndarray,
    move_tol: np.ndarray,
    tol: float,
) -> np.ndarray:
    """Step 3's later keys for k receivers whose best offers tie on the first: ``cand``,
    ``a``, ``b``, ``diff`` (x_j - x_i), ``xj`` (the proposers' positions) and ``order``
    (their actors) are (k, n), proposers on axis 1; ``xi``, ``comp`` (compromise rows) and
    ``move_tol`` are (k,). Returns the slot of each receiver's offer (k,)."""
    keys: list[tuple[np.ndarray, np.ndarray | float]] = []
    if comp.any():  # a compromise moves i the fraction -a / b of the way to x_j
        frac = np.clip(-a / np.where(cand & comp[:, None], b, 1.0), 0.0, 1.0)
        lo, hi = np.minimum(xi[:, None], xj), np.maximum(xi[:, None], xj)
        aims = np.clip(xi[:, None] + diff * frac, lo, hi)
        c = comp[:, None]
        keys.append((np.where(c, np.abs(aims - xi[:, None]), -b), np.where(comp, move_tol, tol)))
        keys.append((np.where(c, aims, xj), 0.0))
    else:
        keys += [(-b, tol), (xj, 0.0)]
    for key, key_tol in keys:
        low = np.where(cand, key, np.inf).min(axis=1)
        cand = cand & (key <= (low + key_tol)[:, None])
    return np.asarray(np.where(cand, order, np.iinfo(np.intp).max).argmin(axis=1))


def play_round(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    span: np.ndarray,
    options: Options,
    buffers: Buffers | None = None,
) -> RoundResult:
    """One round of g issues; arguments as in :func:`perceive`."""
    buf = buffers if buffers is not None else Buffers(*x.shape)
    view = perceive(x, w, s, span, options, buf)
    order, xs, diff, ab = view.order, view.xs, view.diff, view.ab
    a, b = ab[0], ab[1]
    n, g = xs.shape
    tol = EU_ATOL / view.scale

    # 2. Offers to receiver i (axis 0) from proposer j (axis 1).
    pos = np.greater(ab, tol, out=buf.pos)  # False for one position (a = b = 0)
    apos, bpos = pos[0], pos[1]
    conflict = np.greater(np.subtract(b, a, out=buf.tmp), tol, out=buf.conflict)
    conflict &= apos
    yields = np.greater(bpos, apos, out=buf.yields)
    compromise = np.greater(np.add(a, b, out=buf.tmp), tol, out=buf.compromise)
    compromise &= yields
    counts = None
    if options.details:  # conflict, compromise, capitulation offers, stalemates
        either = np.logical_or(apos, bpos, out=buf.other)
        assert view.differ is not None  # (perceive computes it for details)
        counts = _counts(conflict, compromise, yields, view.differ, either)

    # 3. The best kind each receiver has (rank 3 conflict, 2 compromise, 1 capitulation),
    #    then the first offer of it by the keys, the later keys only where ties remain.
    #    (Gathers go through flat indices: receiver i, proposer j, issue k is at
    #    (i n + j) g + k, and j g + k for the slots.)
    rank = np.add(yields.view(np.int8), compromise.view(np.int8), out=buf.rank)
    rank += np.multiply(conflict.view(np.int8), 3, out=buf.rank3)
    base_i, cols = _aranges(n, g)
    best = rank.max(axis=1)  # (n, g)
    has = best > 0
    cand = np.equal(rank, best[:, None, :], out=buf.cand)  # (all where a receiver has none)
    comp_row = best == 2
    n_comp = np.count_nonzero(comp_row)
    any_comp = n_comp > 0
    comp = comp_row[:, None, :]
    move_tol = MOVE_RTOL * span
    dist = view.dist
    # compromises: the largest b first; the others: the smallest move
    if g >= 8 and n_comp * _SPARSE <= n * g:  # (the compromise receivers' rows apart, when few)
        with np.errstate(divide="ignore", invalid="ignore"):  # dist / False: inf, or NaN at
            # one position (dist 0), which fmin, <= and the minimum below leave aside
            masked = np.divide(dist, cand, out=buf.key)
        if any_comp:
            ri, gi = np.nonzero(comp_row)
            masked[ri, :, gi] = np.where(cand[ri, :, gi], -b[ri, :, gi], np.inf)
    else:
        masked = np.where(cand, np.where(comp, np.negative(b, out=buf.key), dist), np.inf)
    key_tol = np.where(comp_row, tol, move_tol) if any_comp else move_tol  # (n, g)
    if g < 8:  # the first offer by the first key
        idx = masked.argmin(axis=1)
        low = masked.reshape(-1)[_pair_at(base_i, idx, g, cols)]
    else:
        low = np.fmin.reduce(masked, axis=1)
    near = np.less_equal(masked, (low + key_tol)[:, None, :], out=buf.near)
    if g >= 8:  # (argmin along a strided axis is slow) the first offer near the minimum:
        # the first at the minimum unless the offers near it are tied (below): offers from
        # one position have one key (one distance, one E^i(U_ji))
        idx = _first(near, buf.rank3)
    # Offers still tied with the chosen one need the later keys, unless they come from the
    # chosen proposer's position and are no compromises: their E^i(U_ji) (which depends
    # on the proposer only through its position), moves and targets are then the chosen
    # offer's, so the first slot among them, the lowest actor index at that position, is
    # the one the rule picks, and argmin found it. Compromises from one position share b
    # but not a (it depends on the proposer's salience), so their moves differ: a
    # compromise tied on b with any other offer takes the later keys too (rare: a
    # receiver seldom has a compromise as its best kind, and seldom two equal ones).
    slot_at = idx if g == 1 else idx * g + cols
    xj = xs.reshape(-1)[slot_at]
    other = np.not_equal(xs[None, :, :], xj[:, None, :], out=buf.other)
    other &= near
    tied = np.logical_or.reduce(other, axis=1)
    tied &= has
    if any_comp:
        on_b = np.logical_and(near, comp, out=buf.le)
        if np.count_nonzero(on_b) > np.count_nonzero(comp_row):
            tied |= np.add.reduce(on_b, axis=1, dtype=np.intp) > 1
    if np.count_nonzero(tied):  # the later keys, for those receivers only
        ri, gi = np.nonzero(tied)
        idx[ri, gi] = _break_ties(
            near[ri, :, gi],
            a[ri, :, gi],
            b[ri, :, gi],
            diff[ri, :, gi],
            xs[ri, gi],
            xs[:, gi].T,
            order[:, gi].T,
            comp_row[ri, gi],
            move_tol[gi],
            tol,
        )
        slot_at = idx if g == 1 else idx * g + cols
        xj = xs.reshape(-1)[slot_at]

    # 4. The moves, all at once.
    new = np.where(has, xj, xs)
    if any_comp:  # the share max(0, -a / b) of the way (below 1: a + b > 0), landing on
        # x_i or x_j within POS_RTOL R of it
        at = base_i + slot_at  # (the chosen pairs' flat indices, as _pair_at gives them)
        new = _compromise_moves(new, xs, xj, comp_row, at, a, b, POS_RTOL * span)

    # The positions back in the actors' order; the records stay by slot.
    x_new = np.empty_like(new)
    np.put(x_new, view.flat, new)
    accepted = proposer = None
    if options.details:
        accepted = _RANK_CODE[best]
        proposer = np.where(has, order.reshape(-1)[slot_at], -1)
    return RoundResult(x_new, view.median, order, view.r, view.security, accepted, proposer, counts)
