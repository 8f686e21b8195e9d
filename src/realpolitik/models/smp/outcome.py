"""What a state says about the outcome: KTAB's per-actor win probabilities, and the forecast.

KTAB's report (smp.cpp: ``SMPModel::showVPHistory``, ``SMPState::pDist(-1)``;
kstate.cpp: ``State::setUENdx``, ``State::posProb``): positions closer than 1e-3 (Euclidean,
unit scale) are one position. Going through the actors in order, an actor starts a new
*unique position* unless it is equivalent to one already started. A probabilistic Condorcet
election among the unique positions, every actor voting with its capability and its own
utilities U_ai = aUtil[a](a, i), gives each a probability; an actor's "probability of winning"
is that of the last unique position it is equivalent to (several actors often share one, so
these add up to more than 1).

The forecast (this project's reading of KTAB's output, see docs/explanation/smp.md): the
expected outcome of the same election, sum over unique positions of P(u) x_u, with the unique
positions formed in the order of the positions themselves (lexicographic) rather than of the
actors, so that the forecast does not depend on how the actors are listed; ``most_probable``
is the unique position of largest probability (the lowest among equals). In a run whose
positions are distinct or identical (no two within 1e-3 but not equal), both orders give the
same positions and probabilities.

Complexity: O(n^2 d) for the equivalences plus one election, O(u^2 n) for u unique positions.
"""

from __future__ import annotations

import numpy as np

from .._ordered import ordered_sum
from .options import POS_TOL, Options
from .pce import pce

__all__ = ["equivalent", "expected_outcome", "unique_positions", "win_probabilities"]


def equivalent(x: np.ndarray) -> np.ndarray:
    """E[i, j]: positions i and j within 1e-3 of each other (smp.cpp: ``equivNdx``). O(n^2 d)."""
    diff = x[:, None, :] - x[None, :, :]
    return np.sqrt(ordered_sum(diff * diff, axis=-1)) < POS_TOL


def unique_positions(eq: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The actors (indices) that start a unique position, scanning in ``order``: each one not
    equivalent to a unique position already started (kutils.h: ``ueIndices``). O(n u)."""
    uniq: list[int] = []
    for i in order:
        if not uniq or not eq[i, uniq].any():
            uniq.append(int(i))
    return np.asarray(uniq, dtype=np.intp)


def win_probabilities(x: np.ndarray, own: np.ndarray, cap: np.ndarray, opts: Options) -> np.ndarray:
    """Each actor's probability that its position wins, as KTAB prints it ("prob :").
    O(n^2 d + u^2 n)."""
    n = x.shape[0]
    eq = equivalent(x)
    uniq = unique_positions(eq, np.arange(n))
    p = pce(cap, own[:, uniq], opts.voting_rule, opts.vp_model, opts.pce_model)
    # the last unique position each actor is equivalent to (State::posProb)
    match = eq[:, uniq]
    last = match.shape[1] - 1 - np.argmax(match[:, ::-1], axis=1)
    return p[last]


def expected_outcome(
    x: np.ndarray, own: np.ndarray, cap: np.ndarray, opts: Options
) -> tuple[np.ndarray, np.ndarray]:
    """(expected position, most probable position), each (d,), of the election among the
    unique positions formed in lexicographic order of the positions. O(n^2 d + u^2 n)."""
    order = np.lexsort(x.T[::-1])
    eq = equivalent(x)
    uniq = unique_positions(eq, order)
    p = pce(cap, own[:, uniq], opts.voting_rule, opts.vp_model, opts.pce_model)
    xs = x[uniq]
    expected = np.add.reduce(p[:, None] * xs, axis=0)
    return np.clip(expected, 0.0, 1.0), xs[int(np.argmax(p))]
