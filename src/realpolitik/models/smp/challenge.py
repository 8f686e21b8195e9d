"""Challenges: how an actor judges its chances against a target, with third-party support,
and which target it picks (smpbcn.cpp: ``SMPState::probEduChlg``, ``bestChallenge``).

Notation: U = U^h, perspective h's utility matrix (:func:`.utility.perspective_utilities`);
actor i challenges j, the effect is judged for actor k; s_a = sum of a's saliences over the
dimensions, c_a its capability, w_a = s_a c_a its weight in a challenge; c_min = 1e-10.

The principals' own contributions (votes, :func:`.pce.vote`)::

    v_i = vote(w_i, U_ii - U_ij),   v_j = vote(w_j, U_ji - U_jj)
    A = c_min + max(v_i, 0) + max(v_j, 0),   B = c_min + max(-v_i, 0) + max(-v_j, 0)

Each third party n (not i, not j) considers the "little contest" of the principals and itself
(kmodel.cpp: ``Actor::vProbLittle``)::

    v_n = vote(w_n, U_ni - U_nj)
    pi_n = (A + max(v_n, 0)) / ((A + max(v_n, 0)) + (B + max(-v_n, 0)))

and votes the difference of its expected utilities of joining i or joining j
(``Actor::thirdPartyVoteSU``, option ``third_party_commit``)::

    t_n = vote(w_n, [pi_n U(ik > j) + (1 - pi_n) U(j > ik)]
                    - [pi_n U(i > jk) + (1 - pi_n) U(jk > i)])

with the utilities of the four outcomes summed over the three positions (n's own after it)::

                  U(ik > j)          U(j > ik)          U(i > jk)          U(jk > i)
    full_commit   3 U_ni             3 U_nj             3 U_ni             3 U_nj
    semi_commit   2 U_ni + U_nn      3 U_nj             3 U_ni             2 U_nj + U_nn
    no_commit     2 U_ni + U_nn      2 U_nj + U_nn      2 U_ni + U_nn      2 U_nj + U_nn

The coalitions are then A + sum_n max(t_n, 0) for i and B + sum_n max(-t_n, 0) for j, and the
probability that i wins is P = A' / (A' + B'). The expected change in k's utility, with the
target's salience s_j as the probability that it resists::

    E = (1 - s_j) 2 U_ki + s_j (P 2 U_ki + (1 - P) 2 U_kj) - (U_ki + U_kj)

Each actor i picks the target j != i of largest E^i(i -> j) (h = k = i), if it exceeds
1e-5; ties go to the lowest j (``SMPState::bestChallenge``).

Complexity: O(n^3) time per turn for all n^2 challenges (each sums over n third parties),
computed for blocks of b challengers with O(b n^2) memory (b chosen so that a block's arrays
stay near :data:`BLOCK` elements); :func:`judged_by` O(p n) for p pairs.
"""

from __future__ import annotations

import numpy as np

from .._ordered import reduce_rows
from .options import MIN_CHALLENGE, MIN_SIG_EDU, Options
from .pce import vote
from .utility import estimated_risk, perspective_utilities, spatial_utility

__all__ = [
    "actor_rank",
    "all_challenges",
    "best_targets",
    "challenge_values",
    "judged_by",
    "third_party_terms",
]

#: Elements of a challenger block's (b, n, n) arrays.
BLOCK = 1 << 18

#: Expected gains (of order 1; rounding errors near 1e-16) closer than this are tied.
TIE_ATOL = 1e-12


def third_party_terms(
    u_ni: np.ndarray, u_nj: np.ndarray, u_nn: np.ndarray, commit: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The summed utilities to n of (ik > j, j > ik, i > jk, jk > i), KTAB's order of
    additions (kmodel.cpp: ``Actor::thirdPartyVoteSU``). O(size)."""
    ii = u_ni + u_ni
    jj = u_nj + u_nj
    if commit == "full_commit":
        return ii + u_ni, jj + u_nj, ii + u_ni, jj + u_nj
    if commit == "semi_commit":
        return ii + u_nn, jj + u_nj, ii + u_ni, jj + u_nn
    if commit == "no_commit":
        return ii + u_nn, jj + u_nn, ii + u_nn, jj + u_nn
    raise ValueError(f"unknown third_party_commit {commit!r}")  # pragma: no cover


def _vote_into(rule: str, w: np.ndarray, du: np.ndarray) -> np.ndarray:
    """:func:`.pce.vote`, reusing ``du``'s memory for the proportional rule."""
    if rule == "prop":
        np.multiply(du, w, out=du)
        return du
    return vote(rule, w, du)


def challenge_values(
    u_ii: np.ndarray,
    u_ij: np.ndarray,
    u_ji: np.ndarray,
    u_jj: np.ndarray,
    u_ki: np.ndarray,
    u_kj: np.ndarray,
    u_ni: np.ndarray,
    u_nj: np.ndarray,
    u_nn: np.ndarray,
    w_i: np.ndarray,
    w_j: np.ndarray,
    w_n: np.ndarray,
    s_j: np.ndarray,
    third: np.ndarray,
    opts: Options,
) -> tuple[np.ndarray, np.ndarray]:
    """(P, E) of challenges (smpbcn.cpp: ``SMPState::probEduChlg``): the principals' arrays
    broadcast to a shape S, the third parties' (``u_ni``, ``u_nj``, ``u_nn``, ``w_n``, and
    ``third``, the mask of who counts as a third party) to (n,) + S, the third party first so
    that their contributions add in KTAB's order. Every operation is KTAB's, in its order; the
    arrays of shape (n,) + S are reused in place. O(size of the third parties)."""
    rule, commit = opts.voting_rule, opts.third_party_commit
    v_i = vote(rule, w_i, u_ii - u_ij)
    v_j = vote(rule, w_j, u_ji - u_jj)
    a0 = (MIN_CHALLENGE + np.maximum(v_i, 0.0)) + np.maximum(v_j, 0.0)
    b0 = (MIN_CHALLENGE + np.maximum(-v_i, 0.0)) + np.maximum(-v_j, 0.0)
    shape = np.broadcast_shapes(u_ni.shape, u_nj.shape, third.shape, np.shape(a0)[-1:])
    # the little contest of each third party n (kmodel.cpp: Actor::vProbLittle)
    work = np.empty(shape)
    np.subtract(u_ni, u_nj, out=work)
    v_n = _vote_into(rule, w_n, work)
    pin = np.maximum(v_n, 0.0)
    pin += a0  # cni = A + max(v_n, 0)
    np.minimum(v_n, 0.0, out=v_n)
    np.subtract(b0, v_n, out=v_n)  # cnj = B - min(v_n, 0) = B + max(-v_n, 0)
    pjn = pin + v_n
    np.divide(pin, pjn, out=pin)  # pi_n = cni / (cni + cnj)
    np.subtract(1.0, pin, out=pjn)
    # its expected utilities of joining i or j (Actor::thirdPartyVoteSU)
    ii = u_ni + u_ni
    jj = np.add(u_nj, u_nj, out=v_n if v_n.shape == shape else None)
    if commit == "full_commit":
        ik_j = i_jk = ii + u_ni
        j_ik = jk_i = jj + u_nj
    elif commit == "semi_commit":
        ik_j, i_jk = ii + u_nn, ii + u_ni
        j_ik = jj + u_nj
        jk_i = np.add(jj, u_nn, out=jj)
    elif commit == "no_commit":
        ik_j = i_jk = ii + u_nn
        j_ik = jk_i = np.add(jj, u_nn, out=jj)
    else:  # pragma: no cover - Options checks the value
        raise ValueError(f"unknown third_party_commit {commit!r}")
    join_i = pin * ik_j
    join_i += np.multiply(pjn, j_ik, out=j_ik if j_ik is not jk_i else None)
    # join_i: pi U(ik > j) + (1 - pi) U(j > ik)
    np.multiply(pin, i_jk, out=pin)
    np.multiply(pjn, jk_i, out=pjn)
    pin += pjn  # pi U(i > jk) + (1 - pi) U(jk > i)
    join_i -= pin
    t_n = _vote_into(rule, w_n, join_i)
    np.multiply(t_n, third, out=t_n)  # only third parties vote
    # the coalitions, third parties added in order after the principals
    rows = np.empty((shape[0] + 1, *shape[1:]))
    rows[0] = a0
    np.maximum(t_n, 0.0, out=rows[1:])
    chij = reduce_rows(rows)
    rows[0] = -b0  # -(B + sum max(-t_n, 0)), the same additions with every sign flipped
    np.minimum(t_n, 0.0, out=rows[1:])
    chji = -reduce_rows(rows)
    tot = chij + chji
    phij = chij / tot
    phji = chji / tot
    eu_vict = u_ki + u_ki
    eu_contest = phij * eu_vict + phji * (u_kj + u_kj)
    eu_chlg = (1 - s_j) * eu_vict + s_j * eu_contest
    return phij, eu_chlg - (u_ki + u_kj)


def all_challenges(
    distance: np.ndarray,
    risk: np.ndarray,
    weight: np.ndarray,
    sal_sum: np.ndarray,
    opts: Options,
) -> tuple[np.ndarray, np.ndarray]:
    """(P, E), each (n, n): P[i, j] and E[i, j] as challenger i sees its challenge of j
    (h = k = i); the diagonal is meaningless. O(n^3) time, O(b n^2) memory."""
    n = distance.shape[0]
    prob = np.zeros((n, n))
    gain = np.zeros((n, n))
    step = max(1, BLOCK // max(1, n * n))
    idx = np.arange(n)
    for start in range(0, n, step):
        blk = idx[start : start + step]
        b = np.arange(blk.size)
        uh = perspective_utilities(distance, risk, opts.big_r_adjust, blk)  # (a, b, c)
        diag = uh[idx, :, idx]  # (n, b): U^h[a, a]
        u_ni = uh[:, b, blk]  # (n, b): U^h[n, i]
        u_ii = u_ni[blk, b][:, None]  # (b, 1)
        u_ij = uh[blk, b, :]  # (b, j)
        u_ji = u_ni.T  # (b, j): U^h[j, i]
        u_jj = diag.T  # (b, j)
        third = (idx[:, None, None] != blk[None, :, None]) & (idx[:, None, None] != idx)
        p, e = challenge_values(
            u_ii,
            u_ij,
            u_ji,
            u_jj,
            u_ii,
            u_ij,
            u_ni[:, :, None],
            uh,
            diag[:, :, None],
            weight[blk][:, None],
            weight[None, :],
            weight[:, None, None],
            sal_sum[None, :],
            third,
            opts,
        )
        prob[blk] = p
        gain[blk] = e
    return prob, gain


def best_targets(
    prob: np.ndarray, gain: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target, P, E) of each challenger: the j != i of largest expected gain above 1e-5;
    target -1 (and P = E = 0) where none (smpbcn.cpp: ``SMPState::bestChallenge``).

    Gains within :data:`TIE_ATOL` of the best are tied. KTAB takes the lowest index among
    equal gains; here the tie goes to the lowest ``rank`` (:func:`actor_rank`: an order made
    from the actors' values, not from where they stand in the list), so that listing the
    actors in another order permutes the result and changes nothing else. Ties arise with
    targets alike in all that matters to the gain (e.g. several actors of salience 0 on one
    position); otherwise the target is KTAB's. O(n^2)."""
    n = gain.shape[0]
    ok = (gain > MIN_SIG_EDU) & ~np.eye(n, dtype=bool)
    masked = np.where(ok, gain, -np.inf)
    best = masked.max(axis=1, keepdims=True)
    tied = ok & (masked >= best - TIE_ATOL)
    j = np.argmin(np.where(tied, rank[None, :], n), axis=1)
    has = ok.any(axis=1)
    rows = np.arange(n)
    target = np.where(has, j, -1)
    return target, np.where(has, prob[rows, j], 0.0), np.where(has, gain[rows, j], 0.0)


def actor_rank(*keys: np.ndarray) -> np.ndarray:
    """Each actor's place (0 = first) in the order of ``keys`` (the first key decides first;
    each ascending), the actor's index deciding only between actors equal in every key.
    O(n log n)."""
    n = keys[0].shape[0]
    cols: list[np.ndarray] = []
    for k in keys:
        k = np.asarray(k, dtype=float).reshape(n, -1)
        cols.extend(k[:, c] for c in range(k.shape[1]))
    order = np.lexsort([np.arange(n), *cols[::-1]])
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    return rank


def judged_by(
    h: np.ndarray,
    k: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    distance: np.ndarray,
    risk: np.ndarray,
    weight: np.ndarray,
    sal_sum: np.ndarray,
    opts: Options,
) -> tuple[np.ndarray, np.ndarray]:
    """(P, E) of the challenges i -> j as h judges them for k, for index arrays of pairs
    (``probEduChlg(h, k, i, j)``). O(p n) for p pairs."""
    n = distance.shape[0]
    r = estimated_risk(risk[h][:, None], risk[None, :], opts.big_r_adjust)  # (p, a)
    idx = np.arange(n)
    pairs = np.arange(h.size)

    def u(a: np.ndarray, c: np.ndarray) -> np.ndarray:  # U^h[a, c] for each pair
        return spatial_utility(distance[a, c], r[pairs, a])

    u_ni = spatial_utility(distance[:, i], r.T)  # (n, p): U^h[n, i]
    u_nj = spatial_utility(distance[:, j], r.T)
    u_nn = spatial_utility(np.diagonal(distance)[:, None], r.T)
    third = (idx[:, None] != i[None, :]) & (idx[:, None] != j[None, :])
    return challenge_values(
        u(i, i),
        u(i, j),
        u(j, i),
        u(j, j),
        u(k, i),
        u(k, j),
        u_ni,
        u_nj,
        u_nn,
        weight[i],
        weight[j],
        weight[:, None],
        sal_sum[j],
        third,
        opts,
    )
