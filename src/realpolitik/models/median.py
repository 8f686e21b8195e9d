"""The median model: the Condorcet winner among the actors' positions.

Each actor i votes between two positions j and k with weight c_i s_i, in proportion to how
much nearer it is to one than to the other (Scholz, Calbert & Smith 2011, sec. 3, following
Bueno de Mesquita 1994):

.. math::

    v(j, k) = \\sum_i c_i s_i \\, (|x_i - x_k| - |x_i - x_j|) / R .

The forecast of an issue is the actor position that wins every pairwise vote, the "median
voter position" mu of Scholz et al. It is static (no rounds): it forecasts from the input
with every change applied (:meth:`~realpolitik.models.base.ModelInput.final`). ``R`` is
the issue's range and only scales the votes, so the winner does not depend on it.

Algorithm
---------
Write f(y) = sum_i c_i s_i |x_i - y|. Then v(j, k) = (f(x_k) - f(x_j)) / R, so the smallest
margin by which position x_j beats the others is min_k f(x_k) - f(x_j), and the position with
the largest smallest margin is the one that minimises f over the actor positions: the
weighted median of the positions with weights c_i s_i. Sorting the positions and taking
prefix sums of the weights and of weight x position gives f at every position at once.

Ties and degenerate cases (a deterministic rule)
------------------------------------------------
1. The winner is the actor position with the largest minimum margin (smallest f). In one
   dimension with non-negative weights such a position always beats or ties every other,
   so a (weak) Condorcet winner always exists among the positions.
2. Positions whose f is within a relative 1e-9 of the smallest are tied (this happens when
   the cumulative weight is exactly half at a position, and absorbs rounding): within
   1e-9 x (total weight) x (the range of the positions, or the ``span`` a caller passes).
   Among tied positions the one nearest the capability x salience weighted mean wins, and
   if two are equally near (within 1e-9 of the same range) the lower position wins.
3. If every weight on an issue is zero, all positions tie and rule 2 picks the position
   nearest the plain mean. ``details["margin"]`` then reports 0.

The rule depends only on values, never on the order of the actors, so permuting the actors
never changes the forecast.

Complexity: O(n log n) time and O(n) memory per issue for n actors (sort + prefix sums);
the brute-force pairwise definition, O(n^2) per issue, is checked against it in the tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import ModelInput, ModelSpec, Trajectory

__all__ = [
    "SPEC",
    "TIE_RTOL",
    "condorcet_median",
    "median_last",
    "run",
    "sorted_median",
    "weighted_l1",
]

#: Relative tolerance under which two sums of weighted distances count as tied.
TIE_RTOL = 1e-9


def _along(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``np.take_along_axis(values, order, axis=-1)``, the leading axes of ``values``
    broadcasting to those of ``order``, by one flat gather (cheaper for many small rows)."""
    n = values.shape[-1]
    shape = (*order.shape[:-1], n)
    flat = np.ascontiguousarray(np.broadcast_to(values, shape)).reshape(-1)
    start = np.arange(0, flat.size, max(n, 1)).reshape((*order.shape[:-1], 1))
    return flat[order + start]


def _l1_of_sorted(xs: np.ndarray, ws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f at every position, the weighted mean (the plain mean where every weight is 0) and
    the total weight, from positions ``xs`` sorted along the last axis and their weights
    ``ws``; the sums are prefix sums, added in the order of the positions."""
    shift = xs[..., :1]  # centring keeps the prefix sums well conditioned
    xc = xs - shift
    cw = np.add.accumulate(ws, axis=-1)
    cs = np.add.accumulate(ws * xc, axis=-1)
    tw = cw[..., -1:]
    ts = cs[..., -1:]
    # sum over i <= a of w_i (x_a - x_i)  +  sum over i > a of w_i (x_i - x_a)
    f = (xc * cw - cs) + ((ts - cs) - xc * (tw - cw))
    if np.all(tw > 0):
        mean = shift + ts / tw
    else:  # the plain mean where every weight is 0
        plain = np.add.accumulate(xc, axis=-1)[..., -1:]
        mean = shift + np.where(tw > 0, ts, plain) / np.where(tw > 0, tw, xs.shape[-1])
    return np.maximum(f, 0.0), mean, tw


def _sorted_l1(
    weight: np.ndarray, position: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorted positions, f at them, the weighted mean and the total weight, each along the
    last axis; see :func:`weighted_l1`."""
    order = np.argsort(position, axis=-1, kind="stable")
    xs = _along(position, order)
    f, mean, total = _l1_of_sorted(xs, _along(weight, order))
    return xs, f, mean, total


def weighted_l1(weight: np.ndarray, position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(y) = sum_i w_i |x_i - y| at every sorted actor position, by sort and prefix sums.

    ``weight`` and ``position`` have shape (..., n) (actors last). Returns
    ``(sorted_positions, f_at_sorted_positions)``, both (..., n). O(n log n).
    """
    xs, f, _, _ = _sorted_l1(weight, position)
    return xs, f


def _winner(
    xs: np.ndarray,
    f: np.ndarray,
    mean: np.ndarray,
    total: np.ndarray,
    span: np.ndarray | float | None,
) -> np.ndarray:
    """The index (along the last axis, keepdims) of the winner by the tie rule of the module
    docstring, from sorted positions ``xs``, f, the weighted mean and the total weight."""
    if span is None:
        span = xs[..., -1:] - xs[..., :1]
    else:
        span = np.broadcast_to(np.asarray(span, dtype=float), xs.shape[:-1])[..., None]
    fmin = f.min(axis=-1, keepdims=True)
    tied = f <= fmin + TIE_RTOL * total * span  # f is at most total * span
    dist = np.where(tied, np.abs(xs - mean), np.inf)
    near = dist <= dist.min(axis=-1, keepdims=True) + TIE_RTOL * span
    return np.argmax(near, axis=-1)[..., None]  # first = lowest of the nearest tied positions


def median_last(
    weight: np.ndarray,
    position: np.ndarray,
    span: np.ndarray | float | None = None,
    *,
    return_margin: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """:func:`condorcet_median` with the actors on the *last* axis: ``weight`` (c s) and
    ``position`` (..., n), ``span`` broadcasting to (...,). Returns (...,)."""
    if position.shape[-1] == 0:
        raise ValueError("the median needs at least one actor")
    xs, f, mean, total = _sorted_l1(weight, position)
    idx = _winner(xs, f, mean, total, span)
    winner = _along(xs, idx)[..., 0]
    if not return_margin:
        return winner
    fw = _along(f, idx)
    other = np.where(xs != winner[..., None], f, np.inf).min(axis=-1, keepdims=True)
    margin = np.where(np.isfinite(other), np.maximum(other - fw, 0.0), 0.0)[..., 0]
    return winner, margin


def sorted_median(xs: np.ndarray, ws: np.ndarray, span: np.ndarray | float) -> np.ndarray:
    """:func:`median_last` of positions already sorted along axis 0 (n, g), ``ws`` their
    weights in the same order, ``span`` (g,): for a caller that has sorted them anyway (a
    round of the EUM). Returns (g,)."""
    xt, wt = xs.T, ws.T
    f, mean, total = _l1_of_sorted(xt, wt)
    idx = _winner(xt, f, mean, total, span)
    return np.take_along_axis(xt, idx, axis=-1)[..., 0]


def condorcet_median(
    capability: np.ndarray,
    position: np.ndarray,
    salience: np.ndarray,
    *,
    return_margin: bool = False,
    span: np.ndarray | float | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The Condorcet winner among the actor positions, per issue.

    ``position`` and ``salience`` have shape (..., n, m) (actors on axis -2, as in
    :class:`ModelInput`), ``capability`` (..., n). Returns (..., m). With
    ``return_margin`` also returns the winner's smallest margin
    ``min_k sum_i c_i s_i (|x_i - x_k| - |x_i - x_mu|)`` over the positions x_k that differ
    from the winner (not divided by R; 0 when there is no other position).
    ``span`` (broadcasting to (..., m)) is the length the tie tolerances are relative to;
    by default the range of the positions themselves. A dynamic model whose positions
    converge passes its issue's fixed range, so that ties are not judged against a spread
    that has shrunk to the size of rounding errors.
    See the module docstring for the tie rule.
    """
    capability = np.asarray(capability, dtype=float)
    position = np.asarray(position, dtype=float)
    salience = np.asarray(salience, dtype=float)
    if position.shape[-2] == 0:
        raise ValueError("the median needs at least one actor")
    w = capability[..., :, None] * salience
    return median_last(
        np.swapaxes(w, -1, -2), np.swapaxes(position, -1, -2), span, return_margin=return_margin
    )


def run(
    inputs: ModelInput, /, *, rounds: int = 0, details: bool = True, **params: Any
) -> Trajectory:
    """Forecast each issue as the Condorcet winner among the actors' positions.

    Static: ``rounds`` and ``details`` are accepted for a uniform interface and ignored;
    every change of ``inputs`` is applied first (:meth:`ModelInput.final`). ``details["margin"]``
    is the winner's smallest pairwise vote margin divided by the issue's range
    (``scale_max - scale_min``, or 1 where that is 0); 0 means a tie.
    Complexity: O(n log n) per issue.
    """
    if params:
        raise TypeError(f"the median model takes no parameters, got {sorted(params)}")
    inputs = inputs.final()
    x = inputs.position
    forecast, margin = median_last(inputs.weights.T, x.T, return_margin=True)  # type: ignore[misc]
    span = inputs.scale_max - inputs.scale_min
    span = np.where(span > 0, span, 1.0)
    return Trajectory(
        positions=x[None, :, :],
        forecast=forecast,
        per_round={"median": forecast[None, :]},
        details={"margin": margin / span},
    )


SPEC = ModelSpec(
    name="median",
    run=run,
    summary="Condorcet winner of the capability x salience weighted pairwise votes",
    complexity="O(n log n) per issue",
    reference="Scholz, Calbert & Smith (2011), J. Theor. Politics 23(4); Bueno de Mesquita (1994)",
)
