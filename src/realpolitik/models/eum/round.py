"""One round of the EUM for a batch of issues: perceptions, offers, choices, moves.

The same function computes one issue or many (the issues of a scenario, the Monte Carlo
draws of one issue): the actors on axis 0, the issues (columns) last. Every operation is
elementwise along the issues, every sum over actors is added in a fixed order
(:func:`~.._ordered.ordered_sum`), and every choice is made by maxima, minima and counts,
which are exact; so a column gets the same bits whatever columns run beside it, by
construction.

Steps (Scholz, Calbert & Smith 2011, sec. 3; the package docstring has the equations):

1. **Perceptions.** With the actors sorted by position (slots), the vote sums, the
   probabilities P, the security levels S_j = sum_{i: x_i != x_j} E(U_ij) at r = 1, the
   risk exponents r, and then for every receiver i (axis 0) and proposer j (axis 1) both
   expected utilities with i's exponent: a = E^i(U_ij), b = E^i(U_ji). With ``vote_risk``
   the votes are computed again with the voters' exponents before a and b.
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

Complexity per issue with n actors: O(n^2 log n) time for the sorted vote sums (O(n^3) for
the direct ones, and the count of knots below O(n^3 / 6) cheap comparisons when n <= 32),
O(n^2) for the rest, O(n^2) memory (O(n^3 / block) for the direct sums).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._ordered import ordered_sum
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
from .votes import DEFAULT_MAX_BYTES, direct_vote_sums, probabilities, sorted_vote_sums

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


class View(NamedTuple):
    """Step 1 for a batch, in slot order (the actors sorted by position, then index)."""

    #: (n, g): the actor in each slot.
    order: np.ndarray
    #: (n, g): the positions by slot.
    xs: np.ndarray
    #: (n, n, g): x_j - x_i, receiver i on axis 0, proposer j on axis 1.
    diff: np.ndarray
    #: (n, n, g): d_ij = |x_i - x_j| / R, 0 for one position.
    d: np.ndarray
    #: (n, n, g) bool: i and j at different positions (more than POS_RTOL R apart).
    differ: np.ndarray
    #: (n, g): S, the security levels at r = 1.
    security: np.ndarray
    #: (n, g): r, the risk exponents.
    r: np.ndarray
    #: (n, n, g): E^i(U_ij), 0 for one position.
    a: np.ndarray
    #: (n, n, g): E^i(U_ji), 0 for one position.
    b: np.ndarray


def perceive(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    span: np.ndarray,
    mu: np.ndarray | None,
    options: Options,
) -> View:
    """Step 1 for g issues: ``x``, ``w`` (c s) and ``s`` (n, g) in the actors' order,
    ``span`` (g,) the issues' R, ``mu`` (g,) the median of ``x`` (needed only if q < 1)."""
    q, t = options.q, options.t
    order = np.argsort(x, axis=0, kind="stable")  # by position, then actor index
    xs = np.take_along_axis(x, order, axis=0)
    ws = np.take_along_axis(w, order, axis=0)
    ss = np.take_along_axis(s, order, axis=0)
    diff = xs[None, :, :] - xs[:, None, :]
    d = np.abs(diff) / span
    differ = d > POS_RTOL
    d = np.where(differ, d, 0.0)
    if options.method == "direct":
        votes = direct_vote_sums(xs, ws, span, None, options.max_bytes)
    else:
        votes = sorted_vote_sums(xs, ws, span)
    p = probabilities(votes, options.probability)
    dmu_i: np.ndarray | float = 0.0  # |x - mu| / R, used only when q < 1
    dmu_j: np.ndarray | float = 0.0
    if q != 1.0:
        dmu = np.abs(xs - mu) / span
        dmu_i, dmu_j = dmu[:, None, :], dmu[None, :, :]  # the challenger of E(U_ij): i (rows)
    s_j, s_i = ss[None, :, :], ss[:, None, :]
    # Security at r = 1: S_j = sum over the challengers i at another position of E(U_ij).
    e1 = expected_utility(p, d, s_j, dmu_i, 1.0, q, t)
    security = ordered_sum(np.where(differ, e1, 0.0), axis=0)
    r = risk_exponents(security, axis=0)
    if options.vote_risk:
        p = probabilities(direct_vote_sums(xs, ws, span, r, options.max_bytes), options.probability)
    rho = r[:, None, :]  # the receiver's view (rows)
    shared = utilities(d, rho)
    a = expected_utility(p, d, s_j, dmu_i, rho, q, t, us_uf_usq=shared)
    b = expected_utility(p.transpose(1, 0, 2), d, s_i, dmu_j, rho, q, t, us_uf_usq=shared)
    a = np.where(differ, a, 0.0)
    b = np.where(differ, b, 0.0)
    return View(order, xs, diff, d, differ, security, r, a, b)


class RoundResult(NamedTuple):
    """A round's outcome for g issues, in the actors' order."""

    #: (n, g): the positions after the round.
    x: np.ndarray
    #: (n, g): the risk exponents of the round.
    r: np.ndarray
    #: (n, g): the security levels of the round.
    security: np.ndarray
    #: (n, g): the offer accepted: NO_OFFER, CONFLICT, COMPROMISE or CAPITULATION.
    accepted: np.ndarray
    #: (n, g): the actor whose offer was accepted, -1 for none.
    proposer: np.ndarray
    #: (4, g): conflict, compromise and capitulation offers and stalemates (ordered
    #: receiver-proposer pairs), or None without ``options.details``.
    counts: np.ndarray | None


#: A kind's rank (conflict first) and its code in ``accepted``, by rank 0..3.
_RANK_CODE = np.array([NO_OFFER, CAPITULATION, COMPROMISE, CONFLICT], dtype=np.int8)


def _keep_first(cand: np.ndarray, key: np.ndarray, tol: np.ndarray | float) -> np.ndarray:
    """The candidates whose ``key`` is within ``tol`` of the smallest among a receiver's
    candidates (axis 1)."""
    low = np.where(cand, key, np.inf).min(axis=1)
    return cand & (key <= (low + tol)[:, None, :])


def play_round(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    span: np.ndarray,
    mu: np.ndarray | None,
    options: Options,
) -> RoundResult:
    """One round of g issues; arguments as in :func:`perceive`."""
    view = perceive(x, w, s, span, mu, options)
    order, xs, diff, a, b = view.order, view.xs, view.diff, view.a, view.b
    n, g = xs.shape
    cols = np.arange(g)

    # 2. Offers to receiver i (axis 0) from proposer j (axis 1).
    apos, bpos = a > EU_ATOL, b > EU_ATOL  # False for one position (a = b = 0)
    conflict = apos & (b - a > EU_ATOL)
    yields = bpos & ~apos
    compromise = yields & (a + b > EU_ATOL)
    counts = None
    if options.details:
        counts = np.stack(
            [
                np.count_nonzero(conflict, axis=(0, 1)),
                np.count_nonzero(compromise, axis=(0, 1)),
                np.count_nonzero(yields & ~compromise, axis=(0, 1)),
                np.count_nonzero(view.differ & ~apos & ~bpos, axis=(0, 1)),
            ]
        ).astype(float)

    # 3. The best kind each receiver has (rank 3 conflict, 2 compromise, 1 capitulation).
    rank = 3 * conflict.view(np.int8) + yields.view(np.int8) + compromise.view(np.int8)
    best = rank.max(axis=1)  # (n, g)
    has = best > 0
    cand = rank == best[:, None, :]
    cand &= has[:, None, :]
    comp_row = best == 2
    move_tol = MOVE_RTOL * span
    dist = np.abs(diff)
    first: tuple[np.ndarray, np.ndarray | float]
    second: tuple[np.ndarray, np.ndarray | float]
    if comp_row.any():
        frac = np.clip(-a / np.where(compromise, b, 1.0), 0.0, 1.0)
        lo = np.minimum(xs[:, None, :], xs[None, :, :])
        hi = np.maximum(xs[:, None, :], xs[None, :, :])
        target = np.clip(xs[:, None, :] + diff * frac, lo, hi)
        comp = comp_row[:, None, :]
        target = np.where(comp, target, xs[None, :, :])
        move = np.where(comp, np.abs(target - xs[:, None, :]), dist)
        first = (np.where(comp, -b, move), np.where(comp_row, EU_ATOL, move_tol))
        second = (np.where(comp, move, -b), np.where(comp_row, move_tol, EU_ATOL))
    else:  # the targets are the proposers' positions
        target = np.broadcast_to(xs[None, :, :], diff.shape)
        first, second = (dist, move_tol), (-b, EU_ATOL)
    for key, tol in (first, second, (target, 0.0)):
        if not (np.count_nonzero(cand, axis=1) > 1).any():
            break  # one offer left to each receiver: the later keys change nothing
        cand = _keep_first(cand, key, tol)
    idx = np.where(cand, order[None, :, :], n).argmin(axis=1)  # the lowest actor index

    # 4. The moves, all at once.
    xj = xs[idx, cols]
    new = np.where(has, xj, xs)
    if comp_row.any():
        close = POS_RTOL * span
        aim = np.take_along_axis(target, idx[:, None, :], axis=1)[:, 0, :]
        aim = np.where(np.abs(aim - xs) <= close, xs, np.where(np.abs(xj - aim) <= close, xj, aim))
        new = np.where(comp_row, aim, new)
    accepted = _RANK_CODE[best]
    proposer = np.where(has, order[idx, cols], -1)

    # Back to the actors' order.
    back = []
    for arr in (new, view.r, view.security, accepted, proposer):
        by_actor = np.empty_like(arr)
        by_actor[order, cols] = arr
        back.append(by_actor)
    x_new, r, security, accepted, proposer = back
    return RoundResult(x_new, r, security, accepted, proposer, counts)
