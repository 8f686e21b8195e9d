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
``vote_risk=True`` uses u_k(y) = (|x_k - y| / R) ** r_k.

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
    r_i = (1 - R_i / 3) / (1 + R_i / 3)          in [0.5, 2]

Offers, seen by the receiver i with its own exponent r_i, from every j with x_j != x_i and
E^i(U_ji) > 0 (j expects to gain by challenging i)::

    conflict      E^i(U_ji) > E^i(U_ij) > 0           i moves to x_j
    compromise    E^i(U_ij) <= 0, |E^i(U_ij)| < E^i(U_ji)
                  i moves to x_i + (x_j - x_i) |E^i(U_ij) / E^i(U_ji)|
    capitulation  E^i(U_ij) < 0, |E^i(U_ij)| >= E^i(U_ji)   i moves to x_j
    stalemate     E^i(U_ij) <= 0 and E^i(U_ji) <= 0    no offer

Each actor accepts one offer: a conflict if it has any (the one that moves it least), else
a compromise (the one from the most determined proposer, the largest E^i(U_ji)), else a
capitulation (the smallest move). Ties: smaller move / larger E^i(U_ji) within 1e-9 R /
1e-12, then the lower target position. All actors move at once; a round's positions are
kept, round 0 being the input.

Forecast: the Condorcet median of the positions after the last round. The median voter
position is the model's outcome in Bueno de Mesquita (1994) and Scholz et al. (2011): the
position that would beat every other in the capability x salience weighted vote once the
bargaining of the simulated rounds has moved the actors. ``per_round["median"]`` and
``per_round["mean"]`` follow it round by round; rounds 1-8 on the EC example reproduce
Scholz et al.'s Table 2 (tests/test_ec_golden.py).

Complexity
----------
Per round and issue, with n actors: O(n^2 log n) time and O(n^2) memory by default: the
vote sums sum_k max(0, v_k(i, j)) of all n^2 pairs come from prefix sums over the sorted
positions (one binary search per pair), and D = 2 sum_ij sum_k max(0, v_k(i, j)). With
``vote_risk=True`` (or ``method="direct"``) the vote sums are the direct O(n^3) formula,
computed in blocks of challengers so that no temporary exceeds ``max_bytes``. Issues are
processed together, in groups small enough for the same memory budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .base import ModelInput, ModelSpec, Trajectory
from .compromise import weighted_mean
from .median import condorcet_median

__all__ = [
    "CAPITULATION",
    "COMPROMISE",
    "CONFLICT",
    "NO_OFFER",
    "SPEC",
    "expected_utility",
    "risk_exponents",
    "run",
    "vote_sums",
    "win_probabilities",
]

NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
_NONE = 4  # sorts after every kind of offer
#: Two expected utilities closer than this are tied when choosing among offers.
EU_ATOL = 1e-12
#: Two moves closer than this fraction of the issue's range are tied.
MOVE_RTOL = 1e-9
#: Spread of security levels below this (relative) counts as none: all r_i = 1.
SPREAD_RTOL = 1e-12

_PROBABILITY = ("all_pairs", "pair")
_RANGE_BASIS = ("positions", "scale")
_METHOD = ("auto", "sorted", "direct")
_DEFAULT_MAX_BYTES = 256 * 2**20


# --------------------------------------------------------------------------- votes


def _vote_sums_sorted(x: np.ndarray, w: np.ndarray, span: np.ndarray) -> np.ndarray:
    """sum_k w_k max(0, |x_k - x_b| - |x_k - x_a|) / span for all (a, b); x, w (g, n).

    For a < b the voters k with x_k <= a count (b - a), those with a < x_k < (a + b)/2 count
    (a + b - 2 x_k), the rest nothing; a > b mirrors it. Prefix sums over the sorted positions
    and a binary search for every midpoint give all n^2 sums in O(n^2 log n).
    """
    g = x.shape[0]
    lo = x.min(axis=1, keepdims=True)
    z = x - lo  # >= 0, well conditioned
    order = np.argsort(z, axis=1, kind="stable")
    zs = np.take_along_axis(z, order, axis=1)
    ws = np.take_along_axis(w, order, axis=1)
    cw = np.concatenate([np.zeros((g, 1)), np.cumsum(ws, axis=1)], axis=1)  # (g, n+1)
    cs = np.concatenate([np.zeros((g, 1)), np.cumsum(ws * zs, axis=1)], axis=1)
    tw, ts = cw[:, -1:], cs[:, -1:]

    # One flat sorted key array for all issues: row k's keys live in [k*step, k*step + top],
    # so a single binary search serves every issue; the flat index of a value's insertion
    # point plus its row number indexes the row's prefix sums (each row has n + 1 of them).
    top = float(z.max()) if z.size else 0.0
    step = 2.0 * top + 1.0
    rows = np.arange(g)
    off = rows * step
    keys = (zs + off[:, None]).ravel()
    cw_flat, cs_flat = cw.ravel(), cs.ravel()

    def prefix(values: np.ndarray, side: Literal["left", "right"]) -> tuple[np.ndarray, np.ndarray]:
        """(sum of w, sum of w z) over the voters below ``values`` (g, ...), by ``side``."""
        shape = (g,) + (1,) * (values.ndim - 1)
        at = np.searchsorted(keys, values + off.reshape(shape), side=side) + rows.reshape(shape)
        return cw_flat[at], cs_flat[at]

    w_le_a, s_le_a = prefix(z, "right")  # voters with x_k <= x_a
    w_lt_a, s_lt_a = prefix(z, "left")
    w_ge_a, s_ge_a = tw - w_lt_a, ts - s_lt_a

    a = z[:, :, None]
    b = z[:, None, :]
    mid = 0.5 * (a + b)
    # A voter exactly at the midpoint counts (a + b - 2 x_k) = 0 either way, so one search
    # serves both sides: "below mid" and "above mid" may both leave it out.
    w_lt_mid, s_lt_mid = prefix(mid, "left")
    w_gt_mid, s_gt_mid = tw[:, :, None] - w_lt_mid, ts[:, :, None] - s_lt_mid

    lower = (
        (b - a) * w_le_a[:, :, None]
        + (a + b) * (w_lt_mid - w_le_a[:, :, None])
        - 2.0 * (s_lt_mid - s_le_a[:, :, None])
    )
    upper = (
        (a - b) * w_ge_a[:, :, None]
        + 2.0 * (s_gt_mid - s_ge_a[:, :, None])
        - (a + b) * (w_gt_mid - w_ge_a[:, :, None])
    )
    out = np.where(a < b, lower, np.where(a > b, upper, 0.0))
    return np.maximum(out, 0.0) / span[:, None, None]


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
    return _vote_sums_sorted(x, w, span)


def win_probabilities(votes: np.ndarray, probability: str = "all_pairs") -> np.ndarray:
    """P[g, i, j], the probability that i beats j, from :func:`vote_sums` (0 where 0/0)."""
    if probability == "all_pairs":
        den = 2.0 * votes.sum(axis=(-2, -1), keepdims=True)  # = sum_k sum_a sum_b |v_k(a, b)|
    elif probability == "pair":
        den = votes + np.swapaxes(votes, -1, -2)
    else:
        raise ValueError(f"probability must be one of {_PROBABILITY}, got {probability!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, votes / den, 0.0)


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

    ``security`` (..., n); where the spread is (relatively) zero every r_i is 1.
    """
    hi = security.max(axis=-1, keepdims=True)
    lo = security.min(axis=-1, keepdims=True)
    spread = hi - lo
    ok = spread > SPREAD_RTOL * (np.abs(hi) + np.abs(lo)) + 1e-300
    with np.errstate(invalid="ignore", divide="ignore"):
        big_r = np.where(ok, (2.0 * security - hi - lo) / np.where(ok, spread, 1.0), 0.0)
    big_r = np.clip(big_r, -1.0, 1.0)
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


# ------------------------------------------------------------------------- a round


@dataclass
class _RoundOut:
    x: np.ndarray  # (g, n) new positions
    r: np.ndarray  # (g, n)
    security: np.ndarray  # (g, n)
    accepted: np.ndarray  # (g, n) NO_OFFER/CONFLICT/COMPROMISE/CAPITULATION
    proposer: np.ndarray  # (g, n) index of the proposer, -1 if none
    counts: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (g,)


def _pick(mask: np.ndarray, keys: list[tuple[np.ndarray, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the column minimising ``keys`` lexicographically among ``mask`` (ties: tol)."""
    has = np.asarray(mask.any(axis=-1))
    if not has.any():
        return has, np.zeros(has.shape, dtype=np.int64)
    cand = mask
    for key, tol in keys:
        k = np.where(cand, key, np.inf)
        best = k.min(axis=-1, keepdims=True)
        cand = cand & (k <= best + tol)
    return has, np.asarray(np.argmax(cand, axis=-1))


def _round(
    x: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    span: np.ndarray,
    mu: np.ndarray,
    *,
    q: float,
    t: float,
    probability: str,
    vote_risk: bool,
    method: str,
    max_bytes: int,
) -> _RoundOut:
    """One round for g issues at once: x, s (g, n), c (n,), span and mu (g,)."""
    g, n = x.shape
    w = c[None, :] * s
    d = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]
    dmu = np.abs(x - mu[:, None]) / span[:, None]
    differ = x[:, :, None] != x[:, None, :]

    # 1. Security levels, everyone risk-neutral: E1[i, j] = E(U_ij) with r = 1.
    m1 = "sorted" if method == "auto" else method
    votes = vote_sums(x, w, span, None, method=m1, max_bytes=max_bytes)
    p = win_probabilities(votes, probability)
    e1 = expected_utility(p, d, s[:, None, :], dmu[:, :, None], 1.0, q, t)
    security = np.where(differ, e1, 0.0).sum(axis=1)  # S_j = sum_i E(U_ij)
    r = risk_exponents(security)

    # 2. The same with each actor's own exponent, seen by the receiver i (rows).
    if vote_risk:
        votes = vote_sums(x, w, span, r, method="direct", max_bytes=max_bytes)
        p = win_probabilities(votes, probability)
    rho = r[:, :, None]
    shared = _success_failure(d, rho)
    a_ij = expected_utility(p, d, s[:, None, :], dmu[:, :, None], rho, q, t, us_uf_usq=shared)
    b_ji = expected_utility(
        np.swapaxes(p, 1, 2), d, s[:, :, None], dmu[:, None, :], rho, q, t, us_uf_usq=shared
    )
    del shared, e1, votes

    # 3. Offers to receiver i (row) from proposer j (column).
    valid = differ & (b_ji > 0)
    conflict = valid & (a_ij > 0) & (b_ji > a_ij)
    compromise = valid & (a_ij <= 0) & (-a_ij < b_ji)
    capitulation = valid & (a_ij < 0) & (-a_ij >= b_ji)
    stalemate = differ & (a_ij <= 0) & (b_ji <= 0)

    xi = x[:, :, None]
    xj = np.broadcast_to(x[:, None, :], (g, n, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.clip(np.where(compromise, -a_ij / np.where(compromise, b_ji, 1.0), 0.0), 0, 1)
    target = np.where(compromise, xi + (xj - xi) * frac, xj)
    target = np.clip(target, np.minimum(xi, xj), np.maximum(xi, xj))
    move = np.abs(target - xi)
    mtol = MOVE_RTOL * span[:, None, None]
    neg_b = -b_ji

    # 4. Each receiver accepts one offer: conflicts first, then compromises, then
    #    capitulations; within the kind, by the keys of the module docstring.
    kind = np.where(conflict, CONFLICT, np.where(compromise, COMPROMISE, CAPITULATION))
    kind = np.where(conflict | compromise | capitulation, kind, _NONE)
    best = kind.min(axis=-1, keepdims=True)  # (g, n, 1)
    is_comp = best == COMPROMISE
    keys = [
        (np.where(is_comp, neg_b, move), np.where(is_comp, EU_ATOL, mtol)),
        (np.where(is_comp, move, neg_b), np.where(is_comp, mtol, EU_ATOL)),
        (target, 0.0),
    ]
    has, idx = _pick(kind == best, keys)
    has &= best[:, :, 0] < _NONE
    chosen = np.take_along_axis(target, idx[:, :, None], axis=2)[:, :, 0]
    new = np.where(has, chosen, x)
    accepted = np.where(has, best[:, :, 0], NO_OFFER).astype(np.int8)
    proposer = np.where(has, idx, -1)

    counts = {
        "offers_conflict": np.count_nonzero(conflict, axis=(1, 2)),
        "offers_compromise": np.count_nonzero(compromise, axis=(1, 2)),
        "offers_capitulation": np.count_nonzero(capitulation, axis=(1, 2)),
        "stalemates": np.count_nonzero(stalemate, axis=(1, 2)),
        "moves_conflict": np.count_nonzero(accepted == CONFLICT, axis=1),
        "moves_compromise": np.count_nonzero(accepted == COMPROMISE, axis=1),
        "moves_capitulation": np.count_nonzero(accepted == CAPITULATION, axis=1),
    }
    return _RoundOut(new, r, security, accepted, proposer, counts)


# ---------------------------------------------------------------------------- run


def _ranges(inputs: ModelInput, range_basis: str) -> np.ndarray:
    pos = inputs.position.max(axis=0) - inputs.position.min(axis=0)
    scale = inputs.scale_max - inputs.scale_min
    first, second = (pos, scale) if range_basis == "positions" else (scale, pos)
    span = np.where(first > 0, first, np.where(second > 0, second, 1.0))
    return span.astype(float)


def run(
    inputs: ModelInput,
    /,
    *,
    rounds: int = 10,
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
    rounds : rounds of offers (0 returns the input and its median).
    q : Q, the probability that j's position stays put when i does not challenge (Scholz's
        Table 2 uses 1.0).
    t : T, the probability that, if it moves, it moves closer to i (matters only if q < 1).
    probability : "all_pairs" (default; the normaliser that reproduces Table 2) or "pair".
    vote_risk : weigh the votes in P with the voters' risk exponents (O(n^3) per round).
    range_basis : R from the input positions' range ("positions", Scholz) or the issue's
        declared scale ("scale"); either falls back to the other, then to 1, if zero.
    method : vote sums by "sorted" prefix sums, the "direct" formula, or "auto".
    max_bytes : memory budget of the large temporaries (issues are grouped, O(n^3) blocked).

    Returns a :class:`Trajectory` whose ``details`` hold, per round 1..T (index T-1):
    ``risk_exponent`` and ``security`` (T, n, m); ``accepted`` (T, n, m) with 0 none,
    1 conflict, 2 compromise, 3 capitulation; ``proposer`` (T, n, m) the proposer's actor
    index or -1; and (T, m) counts ``offers_conflict``, ``offers_compromise``,
    ``offers_capitulation``, ``stalemates`` (ordered receiver-proposer pairs) and
    ``moves_conflict``, ``moves_compromise``, ``moves_capitulation`` (actors that moved).

    Complexity: O(T m n^2 log n) time (O(T m n^3) with ``vote_risk``), O(n^2) memory per issue.
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
    n, m = inputs.position.shape
    span_all = _ranges(inputs, range_basis)
    per_issue = max(1, n * n * 8 * 24)  # bytes of the (n, n) arrays one issue needs
    group = max(1, int(max_bytes) // per_issue)
    slices = [slice(k, min(m, k + group)) for k in range(0, m, group)]

    positions = np.empty((rounds + 1, n, m))
    positions[0] = inputs.position
    medians = np.empty((rounds + 1, m))
    means = np.empty((rounds + 1, m))
    medians[0] = condorcet_median(c, inputs.position, inputs.salience)
    means[0] = weighted_mean(c, inputs.position, inputs.salience)
    names = (
        "offers_conflict",
        "offers_compromise",
        "offers_capitulation",
        "stalemates",
        "moves_conflict",
        "moves_compromise",
        "moves_capitulation",
    )
    details = {k: np.zeros((rounds, m)) for k in names}
    for k in ("risk_exponent", "security", "accepted", "proposer"):
        details[k] = np.zeros((rounds, n, m))

    x_all = inputs.position.T.copy()  # (m, n)
    for step in range(rounds):
        new_all = np.empty_like(x_all)
        for sl in slices:
            out = _round(
                x_all[sl],
                c,
                s_all[sl],
                span_all[sl],
                medians[step, sl],
                q=q,
                t=t,
                probability=probability,
                vote_risk=vote_risk,
                method=method,
                max_bytes=int(max_bytes),
            )
            new_all[sl] = out.x
            details["risk_exponent"][step, :, sl] = out.r.T
            details["security"][step, :, sl] = out.security.T
            details["accepted"][step, :, sl] = out.accepted.T
            details["proposer"][step, :, sl] = out.proposer.T
            for k in names:
                details[k][step, sl] = out.counts[k]
        x_all = new_all
        positions[step + 1] = x_all.T
        medians[step + 1] = condorcet_median(c, positions[step + 1], inputs.salience)
        means[step + 1] = weighted_mean(c, positions[step + 1], inputs.salience)

    return Trajectory(
        positions=positions,
        forecast=medians[-1],
        per_round={"median": medians, "mean": means},
        details=details,
    )


SPEC = ModelSpec(
    name="eum",
    run=run,
    summary="Bueno de Mesquita's expected-utility model: challenges, offers and moves, "
    "forecast = Condorcet median after the last round",
    dynamic=True,
    default_rounds=10,
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
