"""The ``realpolitik`` command's entry point, before any heavy import.

A Monte Carlo ``simulate`` on more than one core hands its chunks to a pool of processes
forked from a server (the forkserver) that imports numpy and the models once, a third of a
second on a 2-core machine; the command line's own imports (typer, rich, numpy, pydantic)
take about as long. Started here, before them, the server imports on another core while
this process imports and reads the scenario, so that the pool is ready when the first
chunk has been timed (:class:`~realpolitik.runner.Adaptive` still decides, by the work,
whether to use it; no result depends on it). Only a plain ``simulate`` with the default
or several workers starts it: not with ``--workers 1``, a Dask ``--scheduler``, or
``--help``; anything this look at the arguments gets wrong costs a server that goes
unused, never a result (the command line's own parser decides everything else).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main", "wants_a_pool"]

#: The module of the chunk function of ``simulate`` (``analysis.ensemble.run_chunk``),
#: which the server imports.
SIMULATE_CHUNKS = "realpolitik.analysis.ensemble"


def wants_a_pool(args: Sequence[str]) -> bool:
    """Whether the command-line arguments ``args`` (without the program's name) are a
    ``simulate`` that may run on a local pool."""
    if not args or args[0] != "simulate":
        return False
    rest = list(args[1:])
    for i, arg in enumerate(rest):
        if arg in ("--help", "-h") or arg == "--scheduler" or arg.startswith("--scheduler="):
            return False
        if arg in ("--workers", "-w"):
            value = rest[i + 1] if i + 1 < len(rest) else ""
        elif arg.startswith("--workers="):
            value = arg.partition("=")[2]
        elif arg.startswith("-w") and len(arg) > 2:
            value = arg[2:]
        else:
            continue
        if value.strip() == "1":
            return False
    return True


def main() -> None:
    """Start ``simulate``'s pool server if the arguments call for it, then run the
    command line (:func:`realpolitik.cli.main`)."""
    if wants_a_pool(sys.argv[1:]):
        from .runner.backends import prestart

        prestart(SIMULATE_CHUNKS)
    from .cli import main as cli_main

    cli_main()
