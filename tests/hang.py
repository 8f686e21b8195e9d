"""A hang guard for tests (the fuzz tests, the drafter's hostile inputs): an alarm that
fails a call still running after its seconds, far above what the call takes. Not a timing:
speed is measured in benchmarks/. Without SIGALRM (Windows) or off the main thread, no
alarm is set."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Hang(Exception):
    """A call ran past its alarm."""


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    if sys.platform == "win32" or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
