"""How ``realpolitik serve`` runs the dashboard under uvicorn: its timeouts and limits.

:func:`uvicorn_config` is the one place they are set, for the command, the tests and the
load benchmark alike:

* a request's head (its first line and headers) must arrive within :data:`HEAD_SECONDS`
  of the connection's first byte (or of the connection, if it sends nothing): uvicorn
  has no such limit of its own, so :class:`HeadTimeout` adds it to uvicorn's h11
  protocol and closes a connection that dawdles; the head is at most 16 KB;
* a body has the app's ``body_seconds`` (``create_app``) to arrive whole (408 after);
* a connection idle between requests is closed after :data:`KEEP_ALIVE_SECONDS`;
* past :data:`MAX_CONNECTIONS` connections at once, new requests get 503 at once
  instead of queueing without end.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEAD_SECONDS", "KEEP_ALIVE_SECONDS", "MAX_CONNECTIONS", "HeadTimeout", "uvicorn_config"]

#: Seconds a request's head has to arrive.
HEAD_SECONDS = 10.0
#: Seconds an idle connection is kept open between requests.
KEEP_ALIVE_SECONDS = 5
#: Connections served at once.
MAX_CONNECTIONS = 100
#: The largest request head, in bytes.
MAX_HEAD_BYTES = 16 * 1024


class HeadTimeout(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head has not arrived
    :attr:`head_seconds` after the connection was made or, between requests, after the
    next request's first byte."""

    head_seconds = HEAD_SECONDS

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        self._head_timer: asyncio.TimerHandle | None = None
        self._start_head_timer()

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _start_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_seconds, self._head_expired)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head():
            self._start_head_timer()
        super().data_received(data)
        if not self._waiting_for_head():  # a request has begun: its head is in
            self._stop_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)


def uvicorn_config(app: Any, *, host: str, port: int, **extra: Any) -> uvicorn.Config:
    """The uvicorn configuration the dashboard is served with (see the module)."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "http": HeadTimeout,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "limit_concurrency": MAX_CONNECTIONS,
    }
    options.update(extra)
    return uvicorn.Config(app, **options)
