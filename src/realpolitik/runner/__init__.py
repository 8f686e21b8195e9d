"""Where the many runs execute: in process, on a local process pool, or on a Dask cluster.

Only the executor API is re-exported here, so that ``import realpolitik.runner`` stays light
(no Dask, no database); the run store is :mod:`realpolitik.runner.store`.
"""

from __future__ import annotations

from .backends import (
    Backend,
    BackendError,
    DaskCluster,
    InProcess,
    LocalPool,
    backend,
    chunks,
    default_workers,
    draw_generator,
)

__all__ = [
    "Backend",
    "BackendError",
    "DaskCluster",
    "InProcess",
    "LocalPool",
    "backend",
    "chunks",
    "default_workers",
    "draw_generator",
]
