"""``realpolitik serve``: the dashboard (the ``dashboard`` extra)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from .common import NoStoreOption, StoreOption, err, fail

#: Processes that draw the dashboard's charts (see ``create_app``): two where there are
#: two cores, else none (the server's threads draw them). Measured by
#: benchmarks/bench_dashboard_load.py on 2 quiet cores, 8 users' edits with their charts:
#: p95 2.3 s in 2 processes against 4.2 s in threads (matplotlib holds Python's lock while
#: it draws), and an edit's own answer 0.33 s against 0.40 s. On cores shared with other
#: work the threads measured faster (3.7 s against 7.5 s): ``--chart-workers 0``.
CHART_WORKERS = 2 if (os.cpu_count() or 1) >= 2 else 0


def serve_cmd(
    host: Annotated[
        str, typer.Option("--host", help="The address to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port.")] = 8765,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
    workspaces: Annotated[
        str | None,
        typer.Option(
            "--workspaces",
            help="The file that keeps the open scenarios and their edits "
            "(default: beside the run history, runs.dashboard.sqlite).",
        ),
    ] = None,
    chart_workers: Annotated[
        int,
        typer.Option(
            "--chart-workers",
            min=0,
            max=64,
            help="Processes that draw the charts (0: the server's own threads; default 2 "
            "where there are 2 cores).",
        ),
    ] = CHART_WORKERS,
) -> None:
    """Open the dashboard: edit a scenario in the browser and watch the forecasts move.
    Its simulations and reports are recorded in the run history (see `runs`); its open
    scenarios and their edits are kept on disk and outlive a restart."""
    try:
        import uvicorn

        from ..app import create_app
        from ..app.serving import uvicorn_config
    except ImportError as exc:
        raise fail(
            f"the dashboard needs the 'dashboard' extra ({exc.name} is missing): "
            "pip install 'realpolitik[dashboard]'"
        ) from None
    local = {"127.0.0.1", "localhost", "::1", "[::1]"}
    # Bound to this machine: only its own names may be addressed (no DNS rebinding).
    hosts = sorted(local | {host}) if host in local else None
    err.print(f"realpolitik dashboard on http://{host}:{port}/ (Ctrl-C stops it)")
    if hosts is None:
        err.print(
            f"[yellow]warning:[/] bound to {host}: anyone who can reach this address can use "
            "the dashboard; it has no login"
        )
    from ..app.persist import StateError

    try:
        app = create_app(
            allowed_hosts=hosts,
            store=store,
            record=not no_store,
            workspace_file=workspaces,
            chart_workers=chart_workers,
        )
    except StateError as exc:
        raise fail(str(exc)) from None
    server = uvicorn.Server(uvicorn_config(app, host=host, port=port))
    server.run()
