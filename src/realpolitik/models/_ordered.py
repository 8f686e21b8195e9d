"""Sums whose order of addition our code fixes, so that a result does not depend on layout.

A model that computes a batch of issues (or of Monte Carlo draws) as the columns of one
array must give each column the bits it gets alone. Floating-point addition is not
associative, and numpy's ``sum`` adds in an order of its own choosing: pairwise along a
contiguous axis, in sequence along a strided one, so the same column summed alone (its
actors contiguous) and in a batch (its actors strided) can differ in the last bits.
:func:`ordered_sum` adds in sequence along the axis, always: ``np.add.accumulate`` is
defined as out[k] = out[k - 1] + a[k], whatever the layout, and its last element is the
sum. Maxima, minima and counts need no such care: they are exact.

Complexity: O(size of ``a``) time and one temporary of its size.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ordered_sum"]


def ordered_sum(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """The sum of ``a`` along ``axis``, added first to last, whatever the array's layout."""
    a = np.asarray(a)
    if a.shape[axis] == 0:
        return np.zeros(_drop(a, axis))
    total = np.add.accumulate(a, axis=axis)
    return total[-1] if axis == 0 else np.take(total, -1, axis=axis)


def _drop(a: np.ndarray, axis: int) -> tuple[int, ...]:
    shape = list(a.shape)
    del shape[axis]
    return tuple(shape)
