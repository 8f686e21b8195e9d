"""Where the many runs execute: in process, on a local process pool, or on a Dask cluster;
the one run loop over them (:func:`session`, :func:`run`); and the random draws' contract
(:mod:`.draws`).

The names are imported from their modules on first use (``realpolitik._lazy``), so that
``import realpolitik.runner.backends`` (which the command line does before anything else,
to start a pool's server) imports neither numpy nor the run loop; the run store is
:mod:`realpolitik.runner.store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
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
    )
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

_BACKENDS = ("Adaptive", "Backend", "BackendError", "DaskCluster", "InProcess", "LocalPool",
             "backend", "chunks", "default_workers")  # fmt: skip

attach(
    __name__,
    {
        **dict.fromkeys(_BACKENDS, ".backends"),
        "draw_generator": ".draws",
        "draw_uniforms": ".draws",
        "Progress": ".loop",
        "run": ".loop",
        "session": ".loop",
    },
)
