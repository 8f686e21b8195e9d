"""The one run loop: make (or take) a backend, map a function over tasks on it, report
progress through a callback, keep what finished if interrupted, close what was made here.

Every verb that runs many model evaluations (``simulate``, ``sensitivity``,
``backtest``, the report) and every front end goes through :func:`session` and
:func:`run`, so a backend's lifetime and the progress protocol are written once::

    with session(backend, workers, scheduler) as b:          # made here: closed here
        results = run(fn, tasks, backend=b, weights=sizes, progress=cb)

``progress(done, total)`` is called in this process as tasks finish, ``done`` and
``total`` in units of ``weights`` (draws, design points, cases), so a front end can show
a bar without knowing what the tasks are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from .backends import Adaptive, Backend
from .backends import backend as make_backend

__all__ = ["Progress", "run", "session"]

T = TypeVar("T")
R = TypeVar("R")

#: ``progress(done, total)``: how much of the work has finished, in the run's units.
Progress = Callable[[int, int], object]


@contextmanager
def session(
    backend: Backend | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Backend]:
    """The backend to run on: ``backend`` as given (left open: its maker closes it), or one
    made from ``workers`` and ``scheduler`` (:func:`~realpolitik.runner.backend`), closed
    when the block ends, whatever happens."""
    if backend is not None:
        yield backend
        return
    made = make_backend(workers, scheduler)
    try:
        yield made
    finally:
        made.close()


def run(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    *,
    backend: Backend,
    weights: Sequence[int] | None = None,
    progress: Progress | None = None,
    partial: bool = False,
) -> dict[int, R]:
    """``fn(task)`` for every task on ``backend``: ``{index: result}``.

    ``weights[i]`` is task ``i``'s share of the work (1 each by default); ``progress(done,
    total)`` is called after each task. ``partial``: a ``KeyboardInterrupt`` returns the
    results finished so far (the caller decides what to keep), unless there are none; without
    it, the interrupt propagates. Either way the backend cancels the work not yet done.
    """
    sizes = [1] * len(tasks) if weights is None else list(weights)
    if len(sizes) != len(tasks):
        raise ValueError(f"{len(sizes)} weights for {len(tasks)} tasks")
    total = sum(sizes)
    results: dict[int, R] = {}
    done = 0
    try:
        if isinstance(backend, Adaptive):  # it plans by the tasks' sizes
            mapped = backend.map(fn, tasks, weights=sizes)
        else:
            mapped = backend.map(fn, tasks)
        for index, result in mapped:
            results[index] = result
            done += sizes[index]
            if progress is not None:
                progress(done, total)
    except KeyboardInterrupt:
        if not partial or not results:
            raise
    return results
