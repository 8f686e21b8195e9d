"""Sums in KTAB's order.

KTAB adds in loops, left to right from a starting value. numpy's ``sum`` adds long rows
pairwise, which differs in the last bits; with the binary voting rules, whose votes jump at
utility differences of 1e-8, last bits can decide a vote, so every sum that feeds a vote or a
choice is taken left to right here too (``np.add.accumulate`` adds in sequence).

Complexity: O(size) time and memory.
"""

from __future__ import annotations

import numpy as np

__all__ = ["seqsum"]


def seqsum(a: np.ndarray, axis: int = -1, start: np.ndarray | float | None = None) -> np.ndarray:
    """((start + a_0) + a_1) + ... along ``axis`` (from 0.0 + a_0 = a_0 when ``start`` is
    None), the order of a C loop ``s = s + a[k]``. O(size)."""
    a = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    if start is not None:
        first = np.broadcast_to(np.asarray(start, dtype=float), a.shape[:-1])[..., None]
        a = np.concatenate([first, np.broadcast_to(a, (*first.shape[:-1], a.shape[-1]))], axis=-1)
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-1])
    return np.add.accumulate(a, axis=-1)[..., -1]
