"""Where the many runs execute: in process, on a local process pool, or on a Dask cluster;
and the one run loop over them (:func:`session`, :func:`run`).

Only the executor API is re-exported here, so that ``import realpolitik.runner`` stays light
(no Dask, no database); the run store is :mod:`realpolitik.runner.store`.
"""

from __future__ import annotations

from .backends import (
    Adaptive,
    Backend,
    BackendError,
    DaskCluster,
    InProcess,
    LocalPool,
    backend,
    chunks,
    default_workers,
    draw_generator,
    draw_uniforms,
    prestart,
)
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
    "prestart",
    "run",
    "session",
]
