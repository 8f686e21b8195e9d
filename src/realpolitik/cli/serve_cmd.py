"""``realpolitik serve``: the dashboard (the ``dashboard`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import err, fail


def serve_cmd(
    host: Annotated[
        str, typer.Option("--host", help="The address to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port.")] = 8765,
) -> None:
    """Open the dashboard: edit a scenario in the browser and watch the forecasts move."""
    try:
        import uvicorn

        from ..app import create_app
    except ImportError as exc:
        raise fail(
            f"the dashboard needs the 'dashboard' extra ({exc.name} is missing): "
            "pip install 'realpolitik[dashboard]'"
        ) from None
    err.print(f"realpolitik dashboard on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
