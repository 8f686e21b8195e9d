"""The probabilistic Condorcet election (PCE) of KTAB: votes, coalitions, victory
probabilities, and the three models of the limiting distribution.

Votes (kmodel.cpp: ``Model::vote``, option ``voting_rule``): actor k with weight w_k, facing
options i and j of utilities u_ki and u_kj, exerts with du = u_ki - u_kj and
b = clip(du / 1e-8, -1, 1)::

    binary: w b         prop_bin: w (0.8 du + 0.2 b)     prop: w du
    prop_cbc: w (0.5 du + 0.5 du^3)     cubic: w du^3
    asym_prosp: w du if du < 0, 2 w du / 3 if du > 0 (gains weigh 2/3 of losses)

Coalitions (``Model::coalitions``), for i > j, with c_min = 1e-8::

    C[i, j] = c_min + sum_k max(v_k(i, j), 0),    C[j, i] = c_min + sum_k max(-v_k(i, j), 0)

(the votes of the lower triangle decide both entries: with ``asym_prosp`` v_k(j, i) is not
-v_k(i, j)). Victory probabilities (``Model::vProb``, option ``vp_model``): with x = C^1
(linear), C^2 (square), C^4 (quartic) or C^8 (octic), P[i, j] = x_ij / (x_ij + x_ji); binary:
1 (against 1e-6) to the side at least 1.1 times stronger, else linear interpolation
p = (r (1.1 + 1) - 1) / (1.1 - 1) of r = C_ij / (C_ij + C_ji). P[i, i] = 1/2.

The distribution over options (option ``pce_model``):

* conditional (``Model::condPCE``): p_i = prod_j P[i, j] / sum_l prod_j P[l, j], the
  probability that i beats every option, conditional on one doing so;
* markov_incentive (``Model::markovIncentivePCE``): incentives I_ij = C_ij P_ij (+1e-10 on the
  diagonal), challenge probabilities Q_ij = I_ij / sum_k I_kj; iterate
  q_i = sum_j P_ij (p_i Q_ji + p_j Q_ij), p <- (p + q) / 2 from p = 1/n until
  max |q - p| <= 1e-8;
* markov_uniform (``Model::markovUniformPCE``): q_i = sum_j P_ij (p_i + p_j) / n,
  p <- (p + q) / 2 until max |q - p| <= 1e-6.

Every function takes leading batch axes, so that many small elections (each actor's choice
among its bargains) run as one array operation.

Complexity: one election of o options among v voters costs O(o^2 v) time for the coalitions
(computed in blocks of at most :data:`BLOCK` elements) and O(o^2) per iteration of a Markov
model (typically 10-40 iterations); the conditional model O(o^2).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._ordered import ordered_sum, reduce_rows
from .options import MIN_COALITION

__all__ = [
    "BLOCK",
    "coalitions",
    "conditional_pce",
    "markov_incentive_pce",
    "markov_uniform_pce",
    "pce",
    "victory_probability",
    "vote",
]

#: Elements of the largest temporary array of the coalition sums (8 MiB of float64).
BLOCK = 1 << 20

#: Iteration caps of the Markov models (KTAB iterates until converged and then throws if it
#: took 1000 iterations or more; here the iteration stops there).
MAX_MARKOV_ITER = 1000


def vote(rule: str, w: np.ndarray | float, du: np.ndarray) -> np.ndarray:
    """The influence v = w f(du) exerted for an option ahead by ``du`` in utility
    (kmodel.cpp: ``Model::vote``); ``w`` = 0 gives 0 (KTAB throws). O(size)."""
    if rule == "prop":
        return w * du
    if rule == "binary":
        return w * np.clip(du / 1e-8, -1.0, 1.0)
    if rule == "prop_bin":
        return w * ((1 - 0.2) * du + 0.2 * np.clip(du / 1e-8, -1.0, 1.0))
    if rule == "prop_cbc":
        return w * ((1 - 0.5) * du + 0.5 * (du * du * du))
    if rule == "cubic":
        return w * (du * du * du)
    if rule == "asym_prosp":
        return np.where(du < 0.0, w * du, np.where(du > 0.0, (2.0 * w * du) / 3.0, 0.0))
    raise ValueError(f"unknown voting_rule {rule!r}")  # pragma: no cover


def coalitions(w: np.ndarray, u: np.ndarray, rule: str) -> np.ndarray:
    """C[..., i, j]: the strength of the coalition for option i against j (kmodel.cpp:
    ``Model::coalitions``). ``w`` (v,) voters' weights, ``u`` (..., v, o) their utilities of the
    options. Returns (..., o, o). O(o^2 v) time, in blocks of pairs."""
    lead = u.shape[:-2]
    v, o = u.shape[-2:]
    uv = np.ascontiguousarray(np.moveaxis(u, -2, 0))  # (v, ..., o): voters first
    if rule != "asym_prosp":
        return _symmetric_coalitions(w, uv, rule)
    wv = np.asarray(w, dtype=float).reshape((v,) + (1,) * (len(lead) + 1))
    ii, jj = np.tril_indices(o, -1)
    npairs = ii.size
    batch = int(np.prod(lead)) if lead else 1
    pos = np.empty((*lead, npairs))
    neg = np.empty((*lead, npairs))
    step = max(1, BLOCK // max(1, v * batch))
    for start in range(0, npairs, step):
        sl = slice(start, start + step)
        k = ii[sl].size
        rows = np.empty((v + 1, *lead, k))  # row 0: the starting strength, then the voters
        du = rows[1:]
        np.take(uv, ii[sl], axis=-1, out=du)
        du -= np.take(uv, jj[sl], axis=-1)  # u_ki - u_kj
        vk = vote(rule, wv, du)
        rows[0] = MIN_COALITION
        np.maximum(vk, 0.0, out=rows[1:])
        pos[..., sl] = reduce_rows(rows)
        np.negative(vk, out=vk)
        np.maximum(vk, 0.0, out=rows[1:])
        neg[..., sl] = reduce_rows(rows)
    c = np.full((*lead, o, o), MIN_COALITION)
    c[..., ii, jj] = pos
    c[..., jj, ii] = neg
    return c


def _symmetric_coalitions(w: np.ndarray, uv: np.ndarray, rule: str) -> np.ndarray:
    """:func:`coalitions` for a voting rule with vote(-du) = -vote(du) exactly (every rule but
    ``asym_prosp``): then KTAB's C[j, i] = c_min + sum_k max(-v_k(i, j), 0) equals
    c_min + sum_k max(v_k(j, i), 0), so one formula fills both triangles, computed for blocks
    of rows i against every j without gathering pairs. ``uv`` (v, ..., o)."""
    v = uv.shape[0]
    lead, o = uv.shape[1:-1], uv.shape[-1]
    wv = np.asarray(w, dtype=float).reshape((v,) + (1,) * (len(lead) + 2))
    c = np.empty((*lead, o, o))
    per_row = max(1, v * o * (int(np.prod(lead)) if lead else 1))
    step = max(1, BLOCK // per_row)
    for start in range(0, o, step):
        stop = min(o, start + step)
        rows = np.empty((v + 1, *lead, stop - start, o))
        rows[0] = MIN_COALITION
        du = rows[1:]
        np.subtract(uv[..., start:stop, None], uv[..., None, :], out=du)  # u_ki - u_kj
        vk = vote(rule, wv, du)
        np.maximum(vk, 0.0, out=rows[1:])
        c[..., start:stop, :] = reduce_rows(rows)
    idx = np.arange(o)
    c[..., idx, idx] = MIN_COALITION
    return c


def _power(s: np.ndarray, vp_model: str) -> np.ndarray:
    if vp_model == "linear":
        return s
    if vp_model == "square":
        return s * s
    if vp_model == "quartic":
        return s * s * s * s
    if vp_model == "octic":
        q = s * s * s * s
        return q * q
    raise ValueError(f"unknown vp_model {vp_model!r}")  # pragma: no cover


def victory_probability(c: np.ndarray, vp_model: str) -> np.ndarray:
    """P[..., i, j]: the probability that the coalition for i beats the one for j
    (kmodel.cpp: ``Model::vProb``), computed on the lower triangle and mirrored as KTAB does;
    P[i, i] = 1/2. O(o^2)."""
    s1 = c
    s2 = np.swapaxes(c, -1, -2)
    if vp_model == "binary":
        thresh = 1.10
        win = s1 >= thresh * s2
        lose = ~win & (s2 >= thresh * s1)
        with np.errstate(invalid="ignore", divide="ignore"):
            r12 = s1 / (s1 + s2)
        p12 = (r12 * (thresh + 1.0) - 1.0) / (thresh - 1.0)
        x1 = np.where(win, 1.0, np.where(lose, 1e-6, p12))
        x2 = np.where(win, 1e-6, np.where(lose, 1.0, 1 - p12))
    else:
        x1 = _power(s1, vp_model)
        x2 = _power(s2, vp_model)
    tot = x1 + x2
    p1 = x1 / tot
    p2 = x2 / tot
    o = c.shape[-1]
    lower = np.tri(o, o, -1, dtype=bool)
    p = np.where(lower, p1, np.swapaxes(p2, -1, -2))
    idx = np.arange(o)
    p[..., idx, idx] = 0.5
    return p


def conditional_pce(p: np.ndarray) -> np.ndarray:
    """p_i = prod_j P[i, j], normalised (kmodel.cpp: ``Model::condPCE``). O(o^2). Where every
    product underflows to 0 (hundreds of options), the same in logarithms."""
    prod = np.multiply.reduce(p, axis=-1)  # in sequence, as KTAB's loop
    total = ordered_sum(prod, axis=-1)[..., None]
    if np.all(total > 0):
        return prod / total
    with np.errstate(divide="ignore"):
        logp = np.add.reduce(np.log(p), axis=-1)
    logp = logp - logp.max(axis=-1, keepdims=True)
    e = np.exp(logp)
    alt = e / np.add.reduce(e, axis=-1, keepdims=True)
    return np.where(total > 0, prod / np.where(total > 0, total, 1.0), alt)


def markov_incentive_pce(c: np.ndarray, vp_model: str) -> np.ndarray:
    """The Markov-incentive distribution (kmodel.cpp: ``Model::markovIncentivePCE``), each
    election of a batch iterated until its own change is at most 1e-8. O(o^2) per
    iteration."""
    vmat = victory_probability(c, vp_model)
    o = c.shape[-1]
    inc = c * vmat
    idx = np.arange(o)
    inc[..., idx, idx] += 1e-10
    chlg = inc / ordered_sum(inc, axis=-2)[..., None, :]  # column sums, in row order
    chlg_t = np.swapaxes(chlg, -1, -2)

    def step(p: np.ndarray) -> np.ndarray:
        ct = p[..., :, None] * chlg_t  # ct[i, j] = p_i Q[j, i]
        return ordered_sum(vmat * (ct + np.swapaxes(ct, -1, -2)), axis=-1)

    return _markov(step, c.shape[:-1], 1e-8)


def markov_uniform_pce(pv: np.ndarray) -> np.ndarray:
    """The Markov-uniform distribution (kmodel.cpp: ``Model::markovUniformPCE``), each election
    of a batch iterated until its own change is at most 1e-6. O(o^2) per iteration."""
    o = pv.shape[-1]
    return _markov(
        lambda p: ordered_sum(pv * (p[..., :, None] + p[..., None, :]), axis=-1) / o,
        pv.shape[:-1],
        1e-6,
    )


def _markov(
    step: Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...], tol: float
) -> np.ndarray:
    """The fixed point of ``p <- (p + step(p)) / 2`` from the uniform distribution over the
    last axis of ``shape``, each election of a batch (the leading axes) iterated until its
    own change is at most ``tol`` (at most MAX_MARKOV_ITER times)."""
    p = np.full(shape, 1.0 / shape[-1])
    active = np.ones(shape[:-1], dtype=bool)
    for _ in range(MAX_MARKOV_ITER):
        q = step(p)
        change = np.abs(q - p).max(axis=-1)
        p = np.where(active[..., None], (p + q) / 2.0, p)
        active = active & (change > tol)
        if not active.any():
            break
    return p


def pce(
    w: np.ndarray,
    u: np.ndarray,
    voting_rule: str,
    vp_model: str,
    pce_model: str,
    same: np.ndarray | None = None,
) -> np.ndarray:
    """The distribution over options of an election by voters of weights ``w`` (v,) with
    utilities ``u`` (..., v, o) (kmodel.cpp: ``Model::scalarPCE``). Returns (..., o).

    ``same`` (o,), optional: option m is the same as option ``same[m]`` (identical utilities to
    every voter; ``same[same[m]] == same[m]``). The coalitions are then computed once per
    distinct option and copied: the same numbers, since two identical options draw identical
    votes (with a symmetric voting rule; ``asym_prosp`` computes every pair). O(o^2 v), O(d^2 v)
    for d distinct options."""
    if same is not None and voting_rule != "asym_prosp":
        keep, where = np.unique(same, return_inverse=True)
        if keep.size < same.size:
            c = coalitions(w, u[..., keep], voting_rule)[..., where[:, None], where[None, :]]
            idx = np.arange(same.size)
            c[..., idx, idx] = MIN_COALITION
            return _distribution(c, vp_model, pce_model)
    return _distribution(coalitions(w, u, voting_rule), vp_model, pce_model)


def _distribution(c: np.ndarray, vp_model: str, pce_model: str) -> np.ndarray:
    if pce_model == "markov_incentive":
        return markov_incentive_pce(c, vp_model)
    pv = victory_probability(c, vp_model)
    if pce_model == "conditional":
        return conditional_pce(pv)
    if pce_model == "markov_uniform":
        return markov_uniform_pce(pv)
    raise ValueError(f"unknown pce_model {pce_model!r}")  # pragma: no cover
