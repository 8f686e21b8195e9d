"""The view from every actor: what each perceives of every other, as a round forms it.

Bueno de Mesquita's "view from" an actor i (1994; Scholz et al. 2011, fig. 1): for every
other actor j, i's expected utility of challenging j, E^i(U_ij), against j's of challenging
i as i perceives it, E^i(U_ji), both with i's own risk exponent. Their signs place j in
one of the octants of conflict, compromise, capitulation or stalemate. These are step 1 of
a round (:func:`~.round.perceive`), computed here for one issue and put in the actors'
order, so that they are the very numbers the first round of :func:`~.engine.run` decides
its offers from.

Complexity: O(n^2 log n) time and O(n^2) memory.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ...errors import InputError
from .round import Options, perceive
from .votes import PROBABILITIES

__all__ = ["Perceptions", "perceptions"]


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
    """The expected utilities each actor perceives on one issue, as the first round of
    :func:`~.engine.run` forms them from positions ``x`` (n,), capabilities ``c`` (n,) (any
    non-negative scale) and saliences ``s`` (n,) on 0-1; ``span`` is R (what ``run``
    takes for ``range_basis``); ``q``, ``t`` and ``probability`` as in ``run``; mu, when
    q < 1, the Condorcet median of ``x``.

    Row i is what actor i sees: ``eu_challenge[i, j]`` = E^i(U_ij) and
    ``eu_challenged[i, j]`` = E^i(U_ji), from which the model classifies j's offer to i.
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
        raise InputError(f"span must be a positive number, got {span!r}")
    for name, val in (("q", q), ("t", t)):
        if not (isinstance(val, (int, float, np.floating)) and 0.0 <= float(val) <= 1.0):
            raise InputError(f"{name} must be a number in [0, 1], got {val!r}")
    if probability not in PROBABILITIES:
        raise InputError(f"probability must be one of {PROBABILITIES}, got {probability!r}")
    w = c * s
    spans = np.array([span_])
    view = perceive(
        x[:, None], w[:, None], s[:, None], spans, Options(float(q), float(t), probability)
    )
    assert view.differ is not None  # (perceive computes it for details)
    order = view.order[:, 0]
    rows, cols = order[:, None], order[None, :]
    out = []
    a, b = view.ab[..., 0] * view.scale
    for arr in (a, b, ~view.differ[..., 0]):
        by_actor = np.empty_like(arr)
        by_actor[rows, cols] = arr
        out.append(by_actor)
    r, security = np.empty(x.size), np.empty(x.size)
    r[order], security[order] = view.r[:, 0], view.security[:, 0]
    for arr in (*out, r, security):
        arr.setflags(write=False)
    return Perceptions(out[0], out[1], r, security, out[2])
