"""Bargains: the positions a challenge proposes, and each actor's choice among the bargains
it is part of (smp.cpp: ``SMPActor::interpolateBrgn``; smpbcn.cpp: ``SMPState::doBCN``,
``updateBestBrgnPositions``).

Interpolation (option ``inter_vec_brgn``), per dimension k, of initiator i (position t_i,
salience s_ik, probability of success p_i) and receiver j (p_j), w_min = 1e-6::

    s1p1, s2p2 (e = 1, 2):  w_i = s_ik^e p_i^e,  w_j = s_jk^e p_j^e
        b_i = round4(((w_i + w_min) t_i + w_j t_j) / (w_i + w_min + w_j))
        b_j = round4((w_i t_i + (w_min + w_j) t_j) / (w_i + w_min + w_j))
    s2pmax:  d_i = max(0, p_j - p_i),  d_j = max(0, p_i - p_j)
        b_i = t_i + (d_i s_jk^2 / (d_i s_jk^2 + w_min + (1 - d_i) s_ik^2)) (t_j - t_i)
        b_j = t_j + (d_j s_ik^2 / (d_j s_ik^2 + w_min + (1 - d_j) s_jk^2)) (t_i - t_j)

with round4(x) = trunc(0.5 + 10^4 x) / 10^4 (KTAB rounds the bargains of s1p1 and s2p2 to four
decimals of the unit scale, "to avoid spurious precision").

Bargain models (option ``bargn_model``), for challenger i with target j, P^i the probability
i gave itself and E^j the value of the challenge *to i* as j judges it (``probEduChlg(j, i, i,
j)``; KTAB passes this expected gain where its comment says "probability"; reproduced as
is)::

    init_only_interp   one bargain: interpolated with (P^i, 1 - P^i)            [default]
    init_rcvr_interp   two bargains: that one, and one with (E^j, 1 - E^j)
    pw_comp_interp     one bargain: the average of the two, weighted c_i s_i : c_i s_j
                       (KTAB takes the initiator's capability for both weights)

A bargain whose positions leave [0, 1] (possible only with the last two models, whose E^j may
be negative or above 1) is clipped to [0, 1]; KTAB does not clip.

Choice: actor k's queue holds its status quo, the bargain it proposed (if any), and those
proposed to it (by initiator; with ``init_rcvr_interp`` each pair's two bargains in turn).
Every actor a values the state a bargain b would bring, all other positions unchanged::

    V_a(b) = (u_a(b_init) + u_a(b_rcvr) + sum_{n not in b} U_an) / N,   V_a(SQ) = sum_n U_an / N

(u_a with a's own risk attitude R_a, U_an = aUtil[a](a, n)), and a probabilistic Condorcet
election among the queue (voters weighted by capability) gives each bargain a probability.
``state_trans_mode``: deterministic takes the most probable (the first among equals),
stochastic draws one with those probabilities. All actors move at once.

Complexity: O(p d) for p proposals; the choice O(N q (N + q) + sum_k q_k^2 N) time for N
actors and q bargains in all (q_k in actor k's queue), the elections of queues of equal length
batched.
"""

from __future__ import annotations

import numpy as np

from .._ordered import ordered_sum, reduce_rows
from .options import MIN_BARGAIN_WEIGHT, Options
from .pce import pce
from .utility import salience_distance, spatial_utility

__all__ = ["Bargains", "choose", "interpolate", "propose", "round4"]

#: Elements of the largest temporary array of the bargains' values.
BLOCK = 1 << 21

#: Probabilities (of order 1) closer than this are tied.
TIE_ATOL = 1e-12


def round4(x: np.ndarray) -> np.ndarray:
    """trunc(0.5 + 10^4 x) / 10^4: KTAB's rounding of bargains (smp.cpp: interpBrgnSnPm)."""
    return np.trunc(0.5 + x * 10000.0) / 10000.0


def interpolate(
    t_i: np.ndarray,
    s_i: np.ndarray,
    p_i: np.ndarray,
    t_j: np.ndarray,
    s_j: np.ndarray,
    p_j: np.ndarray,
    method: str,
) -> tuple[np.ndarray, np.ndarray]:
    """The bargain (b_i, b_j) of initiator i and receiver j, per dimension (smp.cpp:
    ``interpBrgnSnPm``, ``interpBrgnS2PMax``); arguments broadcast (positions and saliences
    (p, d), probabilities (p, 1)). O(p d)."""
    if method in ("s1p1", "s2p2"):
        if method == "s2p2":
            w_i = (s_i * s_i) * (p_i * p_i)
            w_j = (s_j * s_j) * (p_j * p_j)
        else:
            w_i = s_i * p_i
            w_j = s_j * p_j
        den = (w_i + MIN_BARGAIN_WEIGHT) + w_j
        b_i = round4(((w_i + MIN_BARGAIN_WEIGHT) * t_i + w_j * t_j) / den)
        b_j = round4((w_i * t_i + (MIN_BARGAIN_WEIGHT + w_j) * t_j) / den)
        return b_i, b_j
    if method == "s2pmax":
        d_i = np.where(p_j > p_i, p_j - p_i, 0.0)
        d_j = np.where(p_i > p_j, p_i - p_j, 0.0)
        si2 = s_i * s_i
        sj2 = s_j * s_j
        dik = (d_i * sj2) / ((d_i * sj2) + MIN_BARGAIN_WEIGHT + ((1 - d_i) * si2))
        djk = (d_j * si2) / ((d_j * si2) + MIN_BARGAIN_WEIGHT + ((1 - d_j) * sj2))
        return t_i + dik * (t_j - t_i), t_j + djk * (t_i - t_j)
    raise ValueError(f"unknown inter_vec_brgn {method!r}")  # pragma: no cover


class Bargains:
    """Proposed bargains as arrays: ``init`` and ``rcvr`` (q,) actor indices, ``pos_init`` and
    ``pos_rcvr`` (q, d) the positions they would take."""

    def __init__(
        self, init: np.ndarray, rcvr: np.ndarray, pos_init: np.ndarray, pos_rcvr: np.ndarray
    ) -> None:
        self.init = init
        self.rcvr = rcvr
        self.pos_init = pos_init
        self.pos_rcvr = pos_rcvr

    def __len__(self) -> int:
        return int(self.init.size)


def propose(
    x: np.ndarray,
    s: np.ndarray,
    cap: np.ndarray,
    sal_sum: np.ndarray,
    challenger: np.ndarray,
    target: np.ndarray,
    p_self: np.ndarray,
    e_rcvr: np.ndarray,
    opts: Options,
) -> Bargains:
    """The bargains of the challengers (``target`` of each, P^i ``p_self`` and E^j
    ``e_rcvr``), ordered by challenger (smpbcn.cpp: ``SMPState::doBCN(i)``). O(p d)."""
    i, j = challenger, target
    ti, tj, si, sj = x[i], x[j], s[i], s[j]
    p = p_self[:, None]
    a_i, a_j = interpolate(ti, si, p, tj, sj, 1 - p, opts.inter_vec_brgn)
    if opts.bargn_model == "init_only_interp":
        return Bargains(i, j, a_i, a_j)
    e = e_rcvr[:, None]
    b_i, b_j = interpolate(ti, si, e, tj, sj, 1 - e, opts.inter_vec_brgn)
    b_i, b_j = np.clip(b_i, 0.0, 1.0), np.clip(b_j, 0.0, 1.0)
    if opts.bargn_model == "init_rcvr_interp":
        both = np.stack([np.arange(i.size), np.arange(i.size)], axis=1).reshape(-1)
        first = np.tile([True, False], i.size)
        return Bargains(
            i[both],
            j[both],
            np.where(first[:, None], a_i[both], b_i[both]),
            np.where(first[:, None], a_j[both], b_j[both]),
        )
    if opts.bargn_model == "pw_comp_interp":
        wi = (cap[i] * sal_sum[i])[:, None]
        wj = (cap[i] * sal_sum[j])[:, None]
        tot = wi + wj
        return Bargains(
            i,
            j,
            np.clip((wi * a_i + wj * b_i) / tot, 0.0, 1.0),
            np.clip((wi * a_j + wj * b_j) / tot, 0.0, 1.0),
        )
    raise ValueError(f"unknown bargn_model {opts.bargn_model!r}")  # pragma: no cover


def queues(n: int, bargains: Bargains) -> list[np.ndarray]:
    """Each actor's queue as indices into [status quo of every actor (0..n-1)] + [the q
    bargains (n..n+q-1)]: its status quo, the bargains it initiated, those it received (by
    initiator, in the order proposed). O(n + q)."""
    q = len(bargains)
    out: list[list[int]] = [[k] for k in range(n)]
    for b in range(q):
        out[int(bargains.init[b])].append(n + b)
    order = np.argsort(bargains.init, kind="stable")
    for b in order:
        out[int(bargains.rcvr[b])].append(n + int(b))
    return [np.asarray(o, dtype=np.intp) for o in out]


def values(
    x: np.ndarray,
    s: np.ndarray,
    risk: np.ndarray,
    own: np.ndarray,
    bargains: Bargains,
) -> np.ndarray:
    """V[a, m]: actor a's value of option m, m < n the status quo (every actor keeps its
    position), m >= n the bargain m - n (smpbcn.cpp: ``updateBestBrgnPositions``, brgnUtil).
    O(n (n + q d))."""
    n = x.shape[0]
    q = len(bargains)
    vals = np.empty((n, n + q))
    vals[:, :n] = (ordered_sum(own, axis=-1) / n)[:, None]
    if not q:
        return vals
    ui = spatial_utility(
        salience_distance(x[:, None, :], bargains.pos_init[None], s[:, None, :]), risk[:, None]
    )
    ur = spatial_utility(
        salience_distance(x[:, None, :], bargains.pos_rcvr[None], s[:, None, :]), risk[:, None]
    )
    head = ui + ur  # KTAB: 0 + u(init's new position) + u(receiver's new position) + the rest
    idx = np.arange(n)
    own_t = own.T[:, :, None]  # (n, a, 1): the summed actor first
    step = max(1, BLOCK // max(1, n * n))
    for start in range(0, q, step):
        sl = slice(start, start + step)
        moved = (idx[:, None] == bargains.init[None, sl]) | (
            idx[:, None] == bargains.rcvr[None, sl]
        )
        rows = np.empty((n + 1, n, moved.shape[1]))  # row 0: head; then own[a, m], m in order
        rows[0] = head[:, sl]
        np.copyto(rows[1:], own_t)
        np.copyto(rows[1:], 0.0, where=moved[:, None, :])
        vals[:, n + start : n + start + moved.shape[1]] = reduce_rows(rows) / n
    return vals


def choose(
    x: np.ndarray,
    s: np.ndarray,
    cap: np.ndarray,
    risk: np.ndarray,
    own: np.ndarray,
    bargains: Bargains,
    opts: Options,
    rng: np.random.Generator | None,
    rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Every actor's new position and partner (the other party of the bargain it adopted, -1
    for its status quo). Queues of equal length vote as one batch. ``rng`` draws one uniform
    per actor, in actor order, in stochastic mode. Deterministic mode takes the most probable
    option; options within :data:`TIE_ATOL` of it are tied (KTAB takes the first in its
    queue, whose order its threads decide): the status quo first, then the option that leaves
    the actor at the lowest position (lexicographic), then the partner of lowest ``rank``.
    O(n q (n + q) + sum_k q_k^2 n)."""
    n = x.shape[0]
    vals = values(x, s, risk, own, bargains)
    qs = queues(n, bargains)
    pick = np.empty(n, dtype=np.intp)
    probs: list[np.ndarray] = [np.ones(1)] * n
    lengths = np.array([q.size for q in qs])
    for length in sorted(set(np.asarray(lengths).tolist())):  # (np.unique: numpy.ma)
        if length == 1:  # the status quo alone
            continue
        group = [int(a) for a in np.flatnonzero(lengths == length)]
        idx = np.stack([qs[a] for a in group])  # (g, length)
        u = np.moveaxis(vals[:, idx], 1, 0)  # (g, n, length)
        p = pce(cap, u, opts.voting_rule, opts.vp_model, opts.pce_model)
        for row, a in enumerate(group):
            probs[a] = p[row]
    stochastic = opts.state_trans_mode == "stochastic"
    if stochastic and rng is None:
        raise ValueError("the stochastic state transition needs a random generator")
    draws = np.zeros(n)
    if stochastic and rng is not None:
        draws = np.asarray(rng.random(n), dtype=float)

    def outcome(k: int, m: int) -> tuple[np.ndarray, int]:
        if m < n:
            return x[k], -1
        b = m - n
        if bargains.init[b] == k:
            return bargains.pos_init[b], int(bargains.rcvr[b])
        return bargains.pos_rcvr[b], int(bargains.init[b])

    for k in range(n):
        pk = probs[k]
        if stochastic:
            hit = np.flatnonzero(draws[k] <= np.cumsum(pk))
            pick[k] = hit[0] if hit.size else pk.size - 1
            continue
        cand = np.flatnonzero(pk >= pk.max() - TIE_ATOL)
        if cand.size == 1:
            pick[k] = cand[0]
            continue

        def key(c: int, k: int = k) -> tuple[float, ...]:
            pos, who = outcome(k, int(qs[k][c]))
            return (float(who >= 0), *pos.tolist(), float(rank[who]) if who >= 0 else -1.0)

        pick[k] = min(cand.tolist(), key=key)
    new = x.copy()
    partner = np.full(n, -1, dtype=np.intp)
    for k in range(n):
        new[k], partner[k] = outcome(k, int(qs[k][pick[k]]))
    return new, partner
