"""The EUM's equations: utilities, expected utility, risk exponents, the kinds of offers.

Source: Scholz, Calbert & Smith (2011), sec. 3 (their equations 1-9), reconstructing Bueno
de Mesquita (1994). Notation as in the package docstring: d = |x_i - x_j| / R, mu the
Condorcet median, dmu = |x_challenger - mu| / R, r the exponent of the actor whose view
this is.

Utilities (an actor with exponent r)::

    U_s  = 2 - 4 max(0, 0.5 - 0.5 d) ** r           success
    U_f  = 2 - 4 (0.5 + 0.5 d) ** r                 failure
    U_b  = 2 - 4 max(0, 0.5 - 0.25 (dmu + d)) ** r   better, no challenge
    U_w  = 2 - 4 (0.5 + 0.25 (dmu + d)) ** r         worse, no challenge
    U_sq = 2 - 4 (0.5) ** r                          status quo

The ``max(0, .)`` matters only where d > 1 (a position moved beyond the input's range by a
shock, or R taken from a declared scale narrower than the positions): there U_s = 2, the
most a success can bring. Every function here evaluates the same expressions for every
d, r, Q and T; there is no shortcut that holds only for some of them.

Expected utility of i challenging j (salience s_j of the target, P_ij i's probability)::

    E(U_ij) = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s
              - Q U_sq - (1 - Q) (T U_b + (1 - T) U_w)

Risk exponents from the security levels S (computed with every r = 1)::

    R_i = (2 S_i - max S - min S) / (max S - min S),   r_i = (1 - R_i / 3) / (1 + R_i / 3)

Complexity: every function is elementwise, O(size of its arguments).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "CAPITULATION",
    "COMPROMISE",
    "CONFLICT",
    "EU_ATOL",
    "MOVE_RTOL",
    "NO_OFFER",
    "POS_RTOL",
    "SPREAD_RTOL",
    "expected_utility",
    "risk_exponents",
    "utilities",
]

#: The kinds of offer an actor may accept, as ``details["accepted"]`` records them.
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


def _power(base: Any, r: Any) -> Any:
    """``base ** r``; r = 1 exactly (risk neutrality) skips the call: x ** 1 is x."""
    if isinstance(r, float) and r == 1.0:
        return base
    return np.power(base, r)


def utilities(d: Any, r: Any) -> tuple[Any, Any, Any]:
    """(U_s, U_f, U_sq) at relative distance ``d`` for exponent ``r`` (broadcasting)."""
    us = 2.0 - 4.0 * _power(np.maximum(0.5 - 0.5 * d, 0.0), r)
    uf = 2.0 - 4.0 * _power(0.5 + 0.5 * d, r)
    usq = 2.0 - 4.0 * _power(0.5, r)
    return us, uf, usq


def expected_utility(
    p: Any,
    d: Any,
    s_target: Any,
    dmu: Any,
    rho: Any,
    q: float,
    t: float,
    *,
    us_uf_usq: tuple[Any, Any, Any] | None = None,
) -> Any:
    """E(U) of a challenge, elementwise with broadcasting.

    ``p`` the challenger's probability of success, ``d`` = |x_i - x_j| / R, ``s_target`` the
    salience of the challenged actor, ``dmu`` = |x_challenger - mu| / R (used only when
    q < 1), ``rho`` the exponent of the actor whose view this is. ``us_uf_usq`` may pass
    :func:`utilities` of (d, rho) computed once for several calls.
    """
    us, uf, usq = us_uf_usq if us_uf_usq is not None else utilities(d, rho)
    eu = s_target * (p * us + (1.0 - p) * uf) + (1.0 - s_target) * us - q * usq
    if q != 1.0:
        e = 0.25 * (dmu + d)
        ub = 2.0 - 4.0 * _power(np.maximum(0.5 - e, 0.0), rho)
        uw = 2.0 - 4.0 * _power(0.5 + e, rho)
        eu = eu - (1.0 - q) * (t * ub + (1.0 - t) * uw)
    return eu


def risk_exponents(security: np.ndarray, axis: int = -1) -> np.ndarray:
    """r_i = (1 - R_i/3) / (1 + R_i/3), R_i = (2 S_i - max S - min S) / (max S - min S).

    ``security`` holds the actors on ``axis``; where the spread is zero (below SPREAD_RTOL
    relative to the levels, plus EU_ATOL) every r_i is 1. Computed as (3 - R_i) / (3 + R_i),
    R_i = 2 S_i / spread - (max S + min S) / spread, in [-1, 1] up to rounding, so r in
    [0.5, 2]. Max and min are exact: the result does not depend on the actors' order.
    """
    if security.size == security.shape[axis]:  # one issue: the same arithmetic on scalars
        top = float(np.maximum.reduce(security, axis=None))
        bottom = float(np.minimum.reduce(security, axis=None))
        width = top - bottom
        if not width > SPREAD_RTOL * (abs(top) + abs(bottom)) + EU_ATOL:
            return np.ones_like(security)
        ratio = security * (2.0 / width)
        ratio -= (top + bottom) / width
        res = np.subtract(3.0, ratio)
        ratio += 3.0
        res /= ratio
        return res
    hi = security.max(axis=axis, keepdims=True)
    lo = security.min(axis=axis, keepdims=True)
    spread = hi - lo
    ok = spread > SPREAD_RTOL * (np.abs(hi) + np.abs(lo)) + EU_ATOL
    spread[~ok] = np.inf
    big_r = security * (2.0 / spread)
    big_r -= (hi + lo) / spread
    out = 3.0 - big_r
    big_r += 3.0
    out /= big_r
    return out
