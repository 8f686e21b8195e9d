"""Sums whose order of addition our code fixes, so that a result does not depend on layout.

A model that computes a batch of issues (or of Monte Carlo draws) as the columns of one
array must give each column the bits it gets alone, and a model that reimplements a
published one (KTAB's loops) must add in its order. Floating-point addition is not
associative, and numpy's ``sum`` adds in an order of its own choosing: pairwise along a
contiguous axis, in sequence along a strided one, so the same column summed alone (its
actors contiguous) and in a batch (its actors strided) can differ in the last bits.

:func:`ordered_sum` adds first to last along its axis, always, as a C loop
``s = s + a[k]`` does:

* ``np.add.accumulate`` is defined as out[k] = out[k - 1] + a[k], whatever the layout; its
  last element is the sum in sequence;
* ``np.add.reduce`` over the first axis of a C-contiguous array with more than one element
  per row adds whole rows in sequence, element by element, which is the same and faster;
  a check at import (:data:`OUTER_REDUCE_IN_SEQUENCE`) confirms it on the numpy in use, and
  where it fails, or where a row holds one element, the accumulation is used.

Maxima, minima and counts need no such care: they are exact.

Complexity: O(size of ``a``) time; a copy where the summed axis is not already first.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OUTER_REDUCE_IN_SEQUENCE", "ordered_sum", "reduce_rows"]


def _outer_reduce_in_sequence() -> bool:
    """Whether ``np.add.reduce(a, axis=0)`` adds rows in sequence on this numpy: 1 + 1e-16 +
    ... + 1e-16 - 1 is 0 in sequence, about 7e-15 pairwise."""
    col = np.array([1.0] + [1e-16] * 70 + [-1.0])
    a = np.stack([col, 3.0 * col], axis=1)
    want = a[0].copy()
    for k in range(1, a.shape[0]):
        want = want + a[k]
    return bool(np.array_equal(np.add.reduce(a, axis=0), want))


#: Checked at import: if false, :func:`ordered_sum` always accumulates (slower, same bits).
OUTER_REDUCE_IN_SEQUENCE = _outer_reduce_in_sequence()


def reduce_rows(a: np.ndarray) -> np.ndarray:
    """a_0 + a_1 + ... in sequence over axis 0 of a C-contiguous ``a`` (at least one row).
    O(size)."""
    if a.shape[0] == 1:  # (a reduction of one row would add 0.0 to it: -0.0 -> 0.0)
        return a[0].copy()
    if OUTER_REDUCE_IN_SEQUENCE and a[0].size >= 2:
        return np.add.reduce(a, axis=0)
    return np.add.accumulate(a, axis=0)[-1]


def ordered_sum(
    a: np.ndarray, axis: int = 0, start: np.ndarray | float | None = None
) -> np.ndarray:
    """((start + a_0) + a_1) + ... along ``axis`` (from a_0 when ``start`` is None; 0 for
    an empty axis), the order of a C loop ``s = s + a[k]``; ``start`` broadcasts to the
    other axes. O(size)."""
    a = np.asarray(a, dtype=float)
    if axis not in (0, -a.ndim):
        a = np.moveaxis(a, axis, 0)
    if start is not None:
        first = np.asarray(start, dtype=float)
        rest = np.broadcast_shapes(first.shape, a.shape[1:])
        buf = np.empty((a.shape[0] + 1, *rest))
        buf[0] = first
        buf[1:] = a
        a = buf
    if a.shape[0] == 0:
        return np.zeros(a.shape[1:])
    return reduce_rows(np.ascontiguousarray(a))
