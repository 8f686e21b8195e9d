"""The dashboard (``realpolitik serve``, the ``dashboard`` extra): edit a scenario in the
browser and watch the forecasts, charts and gains follow; simulate, compare variants,
download the edited scenario or a report.

``create_app()`` returns the FastAPI app; it keeps its workspaces in a SQLite file beside
the run store (they outlive a restart), those in use also in memory, and serves
every asset itself (no CDN, no request to another host). See docs/how-to/dashboard.md.
"""

from __future__ import annotations

from .server import create_app

__all__ = ["create_app"]
