"""Positions' utilities and risk attitudes in KTAB's spatial model of politics.

Positions live in KTAB's unit cube [0, 1]^d (one axis per dimension). Actor i judges a
position y from its ideal point (its own position: KTAB's default accommodation matrix is the
identity) with its saliences s_i as weights, by the salience-weighted Euclidean distance
(smp.cpp: ``SMPModel::bvDiff``)

.. math::

    \\delta_i(y) = \\sqrt{\\frac{\\sum_k (s_{ik} (x_{ik} - y_k))^2}{\\sum_k s_{ik}^2}}

(0 when every salience of i is 0: such an actor is indifferent; KTAB throws), and turns
distance into utility with its risk attitude R in [-1, 1] (``SMPModel::bsUtil``)

.. math::

    u(\\delta, R) = (1 - \\delta)(1 + \\delta R)   \\text{ if } \\delta \\le 1, \\qquad
    (1 - \\delta)(1 + R) \\text{ otherwise.}

Risk attitudes come from the probabilities p_i that each actor's position wins the
risk-neutral probabilistic Condorcet election (kmodel.cpp: ``Model::bigRfromProb``), with
p_min and p_max the least and largest of them::

    min:  R_i = (p_i - p_min) / (p_max - p_min)                      in [0, 1]
    mid:  R_i = (3 p_i - (p_max + 2 p_min)) / (2 (p_max - p_min))    in [-1/2, 1]
    max:  R_i = (2 p_i - (p_max + p_min)) / (p_max - p_min)          in [-1, 1]

(KTAB divides 0 by 0 when every p_i is equal; here every R is then 0, risk neutral). Actor h
estimates i's attitude by anchoring on its own (``Model::estNRA``, option ``big_r_adjust``)::

    none: R_h    one_third: (2 R_h + R_i) / 3    half: (R_h + R_i) / 2
    two_thirds: (R_h + 2 R_i) / 3                full: R_i

and h's estimate of the utility to a of b's position is ``u(delta_a(x_b), est(R_h, R_a))``
(smp.cpp: ``SMPState::setAllAUtil``). Every expression is evaluated in KTAB's order, so that
the results agree with KTAB's to the last bits where the sums run alike.

Complexity: :func:`distance_matrix` O(n^2 d) time and memory for n actors and d dimensions;
:func:`perspective_utilities` O(b n^2) for b perspectives; the rest O(n).
"""

from __future__ import annotations

import numpy as np

from .._ordered import ordered_sum

__all__ = [
    "distance_matrix",
    "estimated_risk",
    "own_utilities",
    "perspective_utilities",
    "risk_attitudes",
    "salience_distance",
    "spatial_utility",
]


def salience_distance(ideal: np.ndarray, position: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """delta = sqrt(sum_k (s_k (ideal_k - y_k))^2 / sum_k s_k^2) over the last axis (smp.cpp:
    ``SMPModel::bvDiff``); 0 where every salience is 0. Arguments broadcast. O(size)."""
    ds = (ideal - position) * salience
    num = ordered_sum(ds * ds, axis=-1)
    den = ordered_sum(salience * salience, axis=-1)
    den = np.broadcast_to(den, num.shape)
    safe = np.where(den > 0, den, 1.0)
    return np.where(den > 0, np.sqrt(num / safe), 0.0)


def distance_matrix(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    """D[i, j] = delta_i(x_j): the distance from i's ideal (its position) to j's position with
    i's saliences (smp.cpp: ``SMPState::setVDiff``); ``x``, ``s`` (n, d). O(n^2 d)."""
    return salience_distance(x[:, None, :], x[None, :, :], s[:, None, :])


def spatial_utility(sd: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """u = (1 - sd)(1 + sd R) for sd <= 1, else (1 - sd)(1 + R) (smp.cpp:
    ``SMPModel::bsUtil``); arguments broadcast. O(size)."""
    sd = np.asarray(sd, dtype=float)
    one = 1 - sd
    if sd.size and sd.max() <= 1:  # distances on the unit cube: the first branch only
        u = np.multiply(sd, r)
        u += 1
        u *= one
        return u
    return np.where(sd <= 1, one * (1 + sd * r), one * (1 + r))


def risk_attitudes(p: np.ndarray, big_r_range: str) -> np.ndarray:
    """Risk attitudes from win probabilities ``p`` (last axis: actors), kmodel.cpp:
    ``Model::bigRfromProb``; all 0 where the p are all equal. Kept within their range by
    definition ([0, 1], [-1/2, 1] or [-1, 1] by ``big_r_range``), which rounding can leave
    by an ulp over a spread of p near 0 (KTAB does not clip; it matters below its printed
    precision). O(n)."""
    pmin = p.min(axis=-1, keepdims=True)
    pmax = p.max(axis=-1, keepdims=True)
    spread = pmax - pmin
    safe = np.where(spread > 0, spread, 1.0)
    if big_r_range == "min":
        r, low = (p - pmin) / safe, 0.0
    elif big_r_range == "mid":
        r, low = (3 * p - (pmax + 2 * pmin)) / (2 * safe), -0.5
    elif big_r_range == "max":
        r, low = (2 * p - (pmax + pmin)) / safe, -1.0
    else:  # pragma: no cover - Options checks the value
        raise ValueError(f"unknown big_r_range {big_r_range!r}")
    return np.where(spread > 0, np.clip(r, low, 1.0), 0.0)


def estimated_risk(r_h: np.ndarray, r_i: np.ndarray, big_r_adjust: str) -> np.ndarray:
    """h's estimate of i's risk attitude (kmodel.cpp: ``Model::estNRA``); broadcasts. O(size)."""
    if big_r_adjust == "full":
        return np.broadcast_arrays(r_h, r_i)[1].copy()
    if big_r_adjust == "two_thirds":
        return (r_h + (2.0 * r_i)) / 3.0
    if big_r_adjust == "half":
        return (r_h + r_i) / 2
    if big_r_adjust == "one_third":
        return ((2.0 * r_h) + r_i) / 3.0
    if big_r_adjust == "none":
        return np.broadcast_arrays(r_h, r_i)[0].copy()
    raise ValueError(f"unknown big_r_adjust {big_r_adjust!r}")  # pragma: no cover


def perspective_utilities(
    distance: np.ndarray, risk: np.ndarray, big_r_adjust: str, h: np.ndarray
) -> np.ndarray:
    """U[a, b, c]: perspective ``h[b]``'s estimate of the utility to actor a of c's position,
    ``u(D[a, c], est(R_h, R_a))`` (smp.cpp: ``SMPState::setAllAUtil``, ``aUtil[h](a, c)``).
    Returns (n, len(h), n), the judged actor first (the axis the challenges sum over).
    O(len(h) n^2)."""
    r = estimated_risk(risk[None, h], risk[:, None], big_r_adjust)  # (a, b)
    return spatial_utility(distance[:, None, :], r[:, :, None])


def own_utilities(distance: np.ndarray, risk: np.ndarray, big_r_adjust: str) -> np.ndarray:
    """U[a, c] = aUtil[a](a, c): each actor's own estimate of its utility of every position,
    the matrix of KTAB's win probabilities and of the bargains' values. O(n^2)."""
    r = estimated_risk(risk, risk, big_r_adjust)
    return spatial_utility(distance, r[:, None])
