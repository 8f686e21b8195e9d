"""Toy chunk functions for the runner's own tests.

They live in the package, not in ``tests/``, because the workers of a local pool (started
by ``forkserver`` or ``spawn``) and of a Dask cluster import a chunk function's module by
name, and only the installed package is importable there.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

import numpy as np

from .draws import draw_generator


@dataclass(frozen=True)
class DrawTask:
    """Draws ``items`` of a run seeded with ``seed``, ``size`` numbers each."""

    seed: int
    items: range
    size: int = 4
    sleep: float = 0.0


def draws(task: DrawTask) -> dict[str, np.ndarray]:
    """Each draw: ``size`` normals and an integer from its own stream, after ``sleep``."""
    if task.sleep:
        time.sleep(task.sleep)
    values = np.empty((len(task.items), task.size))
    picks = np.empty(len(task.items), dtype=np.int64)
    for row, i in enumerate(task.items):
        rng = draw_generator(task.seed, i)
        values[row] = rng.normal(size=task.size)
        picks[row] = rng.integers(0, 1_000_000)
    return {"index": np.asarray(task.items, dtype=np.int64), "values": values, "picks": picks}


def pid(sleep: float) -> int:
    """This worker's process id, after ``sleep`` seconds."""
    time.sleep(sleep)
    return os.getpid()


def fail_on(n: int) -> int:
    """``n``, or a ValueError when ``n`` is 3."""
    if n == 3:
        raise ValueError(f"chunk function refused {n}")
    return n


def die_on(n: int) -> int:
    """``n``, or this process killed by SIGKILL when ``n`` is 3 (a crashed worker)."""
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return n
