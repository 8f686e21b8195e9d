"""Where the many runs execute: in process, on a local process pool (:mod:`.backends`), or
on a Dask cluster (:mod:`.dask`); the one run loop over them (:func:`session`, :func:`run`);
and the random draws' contract (:mod:`.draws`).

The names are imported from their modules on first use (``realpolitik._lazy``): a run on
this machine imports no Dask, a run in process no numpy's random module before it draws;
the run store is :mod:`realpolitik.runner.store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
    from .backends import (
        Adaptive,
        Backend,
        BackendError,
        InProcess,
        LocalPool,
        backend,
        chunks,
        default_workers,
    )
    from .dask import DaskCluster
    from .draws import draw_generator, draw_uniforms
    from .loop import Progress, run, session

__all__ = [
    "Adaptive",
    "Backend",
    "BackendError",
    "DaskCluster",
    "InProcess",
    "LocalPool",
    "Progress",
    "backend",
    "chunks",
    "default_workers",
    "draw_generator",
    "draw_uniforms",
    "run",
    "session",
]

_BACKENDS = ("Adaptive", "Backend", "BackendError", "InProcess", "LocalPool", "backend",
             "chunks", "default_workers")  # fmt: skip

attach(
    __name__,
    {
        **dict.fromkeys(_BACKENDS, ".backends"),
        "DaskCluster": ".dask",
        "draw_generator": ".draws",
        "draw_uniforms": ".draws",
        "Progress": ".loop",
        "run": ".loop",
        "session": ".loop",
    },
)
