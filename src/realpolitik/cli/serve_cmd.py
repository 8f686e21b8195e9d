"""``realpolitik serve``: the dashboard (the ``dashboard`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import NoStoreOption, StoreOption, err, fail


def serve_cmd(
    host: Annotated[
        str, typer.Option("--host", help="The address to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port.")] = 8765,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Open the dashboard: edit a scenario in the browser and watch the forecasts move.
    Its simulations and reports are recorded in the run history (see `runs`)."""
    try:
        import uvicorn

        from ..app import create_app
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
    app = create_app(allowed_hosts=hosts, store=store, record=not no_store)
    uvicorn.run(app, host=host, port=port, log_level="warning")
