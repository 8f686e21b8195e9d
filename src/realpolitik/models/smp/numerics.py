"""Sums in KTAB's order.

KTAB adds in loops, left to right from a starting value. numpy's ``sum`` adds the elements
of a contiguous row pairwise, which differs in the last bits; with the binary voting rules,
whose votes jump at utility differences of 1e-8, last bits can decide a vote, so every sum
that feeds a vote or a choice is taken left to right here too.

numpy reduces an *outer* axis of a C-contiguous array (one with other elements after it) by
adding whole rows in sequence: ``np.add.reduce(a, axis=0)`` is ((a_0 + a_1) + a_2) + ...,
element by element. :func:`seqsum` puts the summed axis first and uses that (fast), or
``np.add.accumulate`` (always in sequence, slower) where nothing follows the summed axis or
where a check at import finds numpy adding otherwise. Hot loops build their arrays with the
summed axis first, so that no copy is needed.

Complexity: O(size) time; a copy where the summed axis is not already first and contiguous.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OUTER_REDUCE_IN_SEQUENCE", "reduce_rows", "seqsum"]


def _outer_reduce_in_sequence() -> bool:
    """Whether ``np.add.reduce(a, axis=0)`` adds rows in sequence on this numpy: 1 + 1e-16 +
    ... + 1e-16 - 1 is 0 in sequence, about 7e-15 pairwise."""
    col = np.array([1.0] + [1e-16] * 70 + [-1.0])
    a = np.stack([col, 3.0 * col], axis=1)
    want = a[0].copy()
    for k in range(1, a.shape[0]):
        want = want + a[k]
    return bool(np.array_equal(np.add.reduce(a, axis=0), want))


#: Checked at import: if false, :func:`seqsum` always accumulates (slower, same bits).
OUTER_REDUCE_IN_SEQUENCE = _outer_reduce_in_sequence()


def seqsum(a: np.ndarray, axis: int = 0, start: np.ndarray | float | None = None) -> np.ndarray:
    """((start + a_0) + a_1) + ... along ``axis`` (from a_0 when ``start`` is None), the order of
    a C loop ``s = s + a[k]``; ``start`` broadcasts to the other axes. O(size)."""
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


def reduce_rows(a: np.ndarray) -> np.ndarray:
    """a_0 + a_1 + ... in sequence over axis 0 of a C-contiguous ``a`` (at least one row).
    O(size)."""
    if OUTER_REDUCE_IN_SEQUENCE and a[0].size >= 2:
        return np.add.reduce(a, axis=0)
    return np.add.accumulate(a, axis=0)[-1]
