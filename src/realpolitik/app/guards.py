"""The dashboard's guards, as ASGI middleware: what every request and response passes.

* :class:`Secured`, the outermost layer (:class:`Dashboard` puts it outside even
  Starlette's error middleware): the security headers (:data:`SECURITY_HEADERS`) on every
  response, the error pages included.
* :class:`Guard`: a state-changing request from a page of another site is refused (403);
  a body is capped while it is read (413) and must arrive whole within ``body_seconds``
  (408).
"""

from __future__ import annotations

import asyncio
import re
import time
from types import MappingProxyType

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "BODY_SECONDS",
    "DIGITS",
    "ENVELOPE_BYTES",
    "FORM_BYTES",
    "SECURITY_HEADERS",
    "Dashboard",
    "Guard",
    "Secured",
    "cross_site",
]

#: The largest request body a form other than the upload may send.
FORM_BYTES = 64 * 1024
#: Room for the multipart envelope around an uploaded file.
ENVELOPE_BYTES = 64 * 1024
#: Seconds a request's body has to arrive whole (a 1 MB upload at 50 KB/s takes 20).
BODY_SECONDS = 30.0
#: A whole number as a form or a header may give it: ASCII digits only (``str.isdigit()``
#: takes "²", which ``int()`` refuses).
DIGITS = re.compile(r"[0-9]{1,30}")

SECURITY_HEADERS = MappingProxyType(
    {
        # Every asset comes from this server: no other host, no inline script.
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
)


def cross_site(scope: Scope) -> bool:
    """Whether a request that changes state comes from a page of another site: the
    browser says so in ``Sec-Fetch-Site``, or its ``Origin`` names another host than the
    one addressed. (Requests without either, such as scripts' and tests', pass.)"""
    headers = Headers(scope=scope)
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False
    return origin.split("://", 1)[-1].rstrip("/") != headers.get("host", "")


class Secured:
    """ASGI middleware, the outermost layer: the security headers on every response, the
    error pages included (a 404, a 405, the 500 of a bug, the 400 of an unknown host)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
            await send(message)

        await self.app(scope, receive, send_secured)


class Dashboard(FastAPI):
    """FastAPI with :class:`Secured` around all of it, outside even Starlette's error
    middleware, which answers a bug's 500 from outside every middleware added."""

    def build_middleware_stack(self) -> ASGIApp:
        return Secured(super().build_middleware_stack())


class Guard:
    """ASGI middleware: refuses state-changing requests from other sites (403), caps every
    request body while it is read (413 beyond) and gives it ``body_seconds`` to arrive
    whole (408 after: a client that sends half a body and waits holds nothing for long)."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, body_seconds: float) -> None:
        self.app = app
        self.upload_bytes = upload_bytes
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and cross_site(scope):
            reply = PlainTextResponse(
                "refused: this request came from a page of another site", status_code=403
            )
            await reply(scope, receive, send)
            return
        upload = scope["path"] == "/upload"
        cap = self.upload_bytes + ENVELOPE_BYTES if upload else FORM_BYTES
        if upload:
            message = (
                f"the file is larger than {self.upload_bytes:,} bytes, the most the dashboard "
                "takes; use the command line for larger scenarios"
            )
        else:
            message = f"the request is larger than {FORM_BYTES:,} bytes; no form here sends that"
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not DIGITS.fullmatch(declared) or int(declared) > cap):
            bad = not DIGITS.fullmatch(declared)
            reply = PlainTextResponse(
                "the Content-Length header is not a number" if bad else message,
                status_code=400 if bad else 413,
            )
            await reply(scope, receive, send)
            return
        received = 0
        whole = False  # the body has arrived: later reads (a disconnect) wait as long as needed
        deadline: float | None = None
        seconds = self.body_seconds

        async def limited() -> Message:
            nonlocal received, whole, deadline
            if whole:
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + seconds
            try:
                msg = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.0))
            except TimeoutError:
                raise HTTPException(
                    408,
                    f"the request's body did not arrive within {seconds:g} s; send it again",
                    headers={"Connection": "close"},
                ) from None
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > cap:
                    raise HTTPException(413, message)
                whole = not msg.get("more_body", False)
            else:
                whole = True
            return msg

        await self.app(scope, limited, send)
