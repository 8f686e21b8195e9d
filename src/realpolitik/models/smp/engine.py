"""Turns of KTAB's spatial model of politics in one space, simultaneous moves, and the
stopping rule (smp.cpp: ``SMPState::stepBCN``, ``smpStopFn``, ``SMPModel::configExec``;
kmodel.cpp: ``Model::run``).

A state is the actors' positions x (n, d) on KTAB's unit scale, with their saliences s (n, d)
and capabilities c (n,) in force. Assessing it (``SMPState::setAllAUtil``):

1. distances D[i, j] = delta_i(x_j) and risk-neutral utilities u(D, 0)
   (:mod:`.utility`);
2. a probabilistic Condorcet election among the n positions (duplicates included), voters
   weighted by capability (:func:`.pce.pce`), gives p; the risk attitudes are R = f(p)
   (option ``big_r_range``);
3. every actor's estimates of everyone's utilities with those attitudes.

A turn (``SMPState::doBCN``): every actor picks its best target (:mod:`.challenge`); each
challenge yields a bargain; every actor chooses among the bargains it is part of and its status
quo (:mod:`.bargain`); all move at once; the new state is assessed.

Stopping rule (``smpStopFn``, ``configExec``): with dist(a, b) = sum_i ||x_i(a) - x_i(b)||, after
turn t the run stops if t >= ``rounds`` (KTAB's maxIter, 100), or if t >= 2 and

    dist(t, t-1) / (dist(1, 0) + 1e-4) < 0.02

("Fractional change compared to first step"). Dated changes (shocks; KTAB has none): a stopped
run is at rest, its state held turn after turn; a change that alters the values in force (or
moves an actor) at turn t restarts the bargaining from turn t's state, and the rule cannot stop
the run at a turn with such a change.

Complexity: O(n^3 + n^2 d) time per turn for n actors and d dimensions (the challenges and the
risk-neutral election dominate), O(n^2) memory plus O(b n^2) for a block of b challengers;
a run of T turns O(T (n^3 + n^2 d)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._ordered import ordered_sum
from .bargain import choose, propose
from .challenge import actor_rank, all_challenges, best_targets, judged_by
from .options import MIN_DELTA_RATIO, MIN_ITER, MIN_SIG_DELTA, Options
from .outcome import expected_outcome, win_probabilities
from .pce import pce
from .utility import distance_matrix, own_utilities, risk_attitudes, spatial_utility

__all__ = ["Assessment", "Shift", "SpaceRun", "assess", "run_space", "state_distance", "turn"]


@dataclass(frozen=True)
class Assessment:
    """What a state implies: distances, risk attitudes, own utilities (aUtil[a](a, .))."""

    distance: np.ndarray
    risk: np.ndarray
    own: np.ndarray


@dataclass(frozen=True)
class Shift:
    """A change at ``round``: capabilities (n,) and saliences (n, d) in force from then on, and
    positions (n, d) moved to (``nan``: unchanged); ``None``: no change of that kind."""

    round: int
    capability: np.ndarray | None = None
    salience: np.ndarray | None = None
    position: np.ndarray | None = None


@dataclass
class SpaceRun:
    """A run's record: ``positions`` (T+1, n, d) up to the last turn computed (after which the
    state is held), the ``expected`` outcome and ``most_probable`` position (T+1, d),
    ``risk`` and ``win`` (T+1, n), ``target`` and ``partner`` (T, n) (-1 at rest),
    ``ratio`` (T,) the fractional change of each turn played (``nan`` at rest); ``turns``: the
    last turn played; ``converged``: whether the run ended at rest (the stopping rule fired
    after the last change) rather than by reaching ``rounds``."""

    positions: list[np.ndarray] = field(default_factory=list)
    expected: list[np.ndarray] = field(default_factory=list)
    most_probable: list[np.ndarray] = field(default_factory=list)
    risk: list[np.ndarray] = field(default_factory=list)
    win: list[np.ndarray] = field(default_factory=list)
    target: list[np.ndarray] = field(default_factory=list)
    partner: list[np.ndarray] = field(default_factory=list)
    ratio: list[float] = field(default_factory=list)
    turns: int = 0
    converged: bool = False


def state_distance(a: np.ndarray, b: np.ndarray) -> float:
    """sum_i ||a_i - b_i|| (smp.cpp: ``SMPModel::stateDist``). O(n d)."""
    d = a - b
    return float(ordered_sum(np.sqrt(ordered_sum(d * d, axis=-1))))


def assess(x: np.ndarray, s: np.ndarray, cap: np.ndarray, opts: Options) -> Assessment:
    """Distances, risk attitudes and own utilities of a state (smp.cpp:
    ``SMPState::setAllAUtil``). O(n^2 (n + d))."""
    dist = distance_matrix(x, s)
    neutral = spatial_utility(dist, 0.0)
    # actors on one position are one option (identical columns): coalitions computed once
    _, first, inverse = np.unique(x, axis=0, return_index=True, return_inverse=True)
    same = first[inverse.reshape(-1)]
    p = pce(cap, neutral, opts.voting_rule, opts.vp_model, opts.pce_model, same=same)
    risk = risk_attitudes(p, opts.big_r_range)
    return Assessment(dist, risk, own_utilities(dist, risk, opts.big_r_adjust))


def turn(
    x: np.ndarray,
    s: np.ndarray,
    cap: np.ndarray,
    state: Assessment,
    opts: Options,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One turn: (new positions (n, d), target (n,), partner (n,)), -1 for none.
    O(n^3 + n^2 d)."""
    sal_sum = ordered_sum(s, axis=-1)
    weight = sal_sum * cap
    prob, gain = all_challenges(state.distance, state.risk, weight, sal_sum, opts)
    # among equally good targets: the weightier, then the more capable, then by position
    rank = actor_rank(-weight, -cap, x)
    target, p_self, _ = best_targets(prob, gain, rank)
    who = np.flatnonzero(target >= 0)
    tgt = target[who]
    if opts.bargn_model == "init_only_interp" or who.size == 0:
        e_rcvr = np.zeros(who.size)
    else:  # j's estimate of the value to i of i -> j (probEduChlg(j, i, i, j))
        _, e_rcvr = judged_by(tgt, who, who, tgt, state.distance, state.risk, weight, sal_sum, opts)
    bargains = propose(x, s, cap, sal_sum, who, tgt, p_self[who], e_rcvr, opts)
    new, partner = choose(x, s, cap, state.risk, state.own, bargains, opts, rng, rank)
    return new, target, partner


def run_space(
    x0: np.ndarray,
    s0: np.ndarray,
    cap0: np.ndarray,
    rounds: int,
    opts: Options,
    rng: np.random.Generator | None,
    shifts: tuple[Shift, ...] = (),
    details: bool = True,
) -> SpaceRun:
    """Turns from ``x0`` until the stopping rule (or ``rounds``); ``details=False`` skips the
    per-actor win probabilities (KTAB's printout). O(T (n^3 + n^2 d))."""
    x, s, cap = x0, s0, cap0
    out = SpaceRun()
    n = x.shape[0]
    none = np.full(n, -1, dtype=np.intp)

    def record(state: Assessment) -> None:
        e, mp = expected_outcome(x, state.own, cap, opts)
        out.positions.append(x)
        out.expected.append(e)
        out.most_probable.append(mp)
        out.risk.append(state.risk)
        if details:
            out.win.append(win_probabilities(x, state.own, cap, opts))

    state = assess(x, s, cap, opts)
    record(state)
    first = 0.0
    playing = True
    for t in range(1, rounds + 1):
        if playing:
            new, target, partner = turn(x, s, cap, state, opts, rng)
        else:  # at rest: the state is held
            new, target, partner = x, none, none
        changed = False
        for sh in shifts:
            if sh.round != t:
                continue
            if sh.capability is not None and not np.array_equal(sh.capability, cap):
                cap, changed = sh.capability, True
            if sh.salience is not None and not np.array_equal(sh.salience, s):
                s, changed = sh.salience, True
            if sh.position is not None:
                moved = np.where(np.isnan(sh.position), new, sh.position)
                changed = changed or not np.array_equal(moved, new)
                new = moved
        ratio = np.nan
        if playing:
            step = state_distance(new, x)
            if t == 1:
                first = step + MIN_SIG_DELTA
            ratio = step / first
            out.turns = t
        x = new
        if playing or changed:
            state = assess(x, s, cap, opts)
            record(state)
        else:  # held: the record repeats
            for seq in (out.positions, out.expected, out.most_probable, out.risk, out.win):
                if seq:
                    seq.append(seq[-1])
        out.target.append(target)
        out.partner.append(partner)
        out.ratio.append(ratio)
        if changed:  # a shock (re)starts the bargaining from this turn's state
            playing = True
        elif playing and t >= MIN_ITER and ratio < MIN_DELTA_RATIO:
            playing = False
        out.converged = not playing
        if not playing and not any(sh.round > t for sh in shifts if sh.round <= rounds):
            break
    return out
