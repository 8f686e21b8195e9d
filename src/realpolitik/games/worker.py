"""pygambit in a child process: a time limit, a memory cap, and a crash that stays there.

pygambit is C++: a solver that runs for hours, allocates gigabytes or overflows its stack
would take the command line or the dashboard with it if it ran in our process. Every call
into pygambit (solving, exporting) goes instead to a **worker**, a child process started
with ``python -c`` (never a fork of a process that may hold threads), that imports pygambit
once and then serves one call at a time over a pipe:

* the caller waits at most ``time_limit`` seconds (the worker's start, an import of about a
  second paid once per thread, is not counted), then kills the worker: a
  :class:`~.errors.SolveLimitError`;
* for each call the worker caps its own address space (``RLIMIT_AS``) at its size then plus
  ``memory_limit`` MiB: an allocation beyond it fails, which pygambit reports as
  ``MemoryError`` (or ``std::bad_alloc``): a :class:`~.errors.SolveLimitError` too, and the
  worker is replaced;
* a worker that dies (a segmentation fault, an abort) is a :class:`~.errors.SolverCrashError`,
  never the end of the caller;
* the caller kills the worker on any interruption while waiting (Ctrl-C included), and the
  worker dies with its parent whatever kills the parent: it asks Linux for ``SIGKILL`` when
  its parent thread ends (``PR_SET_PDEATHSIG``), and it exits at the end of its input. It
  ignores the terminal's Ctrl-C, which is the caller's to handle.

A worker is kept per thread (so that one dashboard request never waits for another's
solve, and the parent-death signal, tied to the thread that started it, ends it with that
thread) and reused until it is killed; :func:`shutdown` (run at exit) ends them all.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import weakref
from collections.abc import Sequence
from typing import IO, Any

from .errors import SolveLimitError, SolverCrashError

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "MAX_TIME_LIMIT",
    "call",
    "check_limits",
    "serve",
    "shutdown",
]

#: seconds a solve may take by default
DEFAULT_TIME_LIMIT = 60.0
#: the most that may be asked: a day
MAX_TIME_LIMIT = 86_400.0
#: MiB a call may allocate by default, beyond what the worker holds when the call starts
DEFAULT_MEMORY_LIMIT = 2048
MAX_MEMORY_LIMIT = 1 << 20
#: seconds the worker may take to start (import pygambit)
STARTUP_LIMIT = 120.0
#: modules the worker imports before it says it is ready
PRELOAD = ("pygambit", "realpolitik.games.solve", "realpolitik.games.gambit")

_HEADER = struct.Struct("!Q")
_local = threading.local()
_workers: weakref.WeakSet[_Worker] = weakref.WeakSet()


def check_limits(time_limit: float | None, memory_limit: int | None) -> tuple[float, int]:
    """The limits, checked: ``None`` for the defaults; else an :class:`InputError`."""
    from ..errors import InputError

    t = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    m = DEFAULT_MEMORY_LIMIT if memory_limit is None else memory_limit
    if isinstance(t, bool) or not isinstance(t, int | float) or not 0 < t <= MAX_TIME_LIMIT:
        raise InputError(
            f"`time_limit` must be a number of seconds above 0 and at most {MAX_TIME_LIMIT:,.0f}"
            f", got {t!r}"
        )
    if isinstance(m, bool) or not isinstance(m, int) or not 16 <= m <= MAX_MEMORY_LIMIT:
        raise InputError(
            f"`memory_limit` must be a whole number of MiB from 16 to {MAX_MEMORY_LIMIT:,}, "
            f"got {m!r}"
        )
    return float(t), m


# ------------------------------------------------------------------ the parent's side


class _Worker:
    def __init__(self) -> None:
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env["REALPOLITIK_WORKER_PARENT"] = str(os.getpid())
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from realpolitik.games.worker import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            close_fds=True,
        )
        _workers.add(self)
        try:
            ready = self._read(time.monotonic() + STARTUP_LIMIT)
        except (EOFError, OSError, TimeoutError, pickle.UnpicklingError):
            how = self.died() if self.proc.poll() is not None else "it did not answer"
            self.kill()
            raise SolverCrashError(
                message=f"the solver process (pygambit) did not start ({how})"
            ) from None
        except BaseException:
            self.kill()
            raise
        if ready != ("ready",):
            self.kill()
            raise SolverCrashError(message=f"the solver process did not start: {ready!r}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                if f is not None:
                    f.close()
        with contextlib.suppress(Exception):
            self.stderr.close()

    def died(self) -> str:
        """How the worker ended, and the last of what it wrote."""
        code = self.proc.wait(timeout=10)
        how = (
            f"killed by signal {signal.Signals(-code).name}"
            if code < 0 and -code in signal.Signals._value2member_map_
            else f"exit status {code}"
        )
        with contextlib.suppress(Exception):
            self.stderr.seek(0)
            tail = self.stderr.read()[-300:].decode("utf-8", "replace").strip()
            if tail:
                how += f"; it said: {tail.splitlines()[-1][:200]}"
        return how

    def _read(self, deadline: float) -> Any:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        head = self._read_exact(fd, _HEADER.size, deadline)
        (n,) = _HEADER.unpack(head)
        return pickle.loads(self._read_exact(fd, n, deadline))

    def _read_exact(self, fd: int, n: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        got = 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], min(left, 0.25))
            if not ready:
                continue
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def send(self, message: Any) -> None:
        assert self.proc.stdin is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.write(_HEADER.pack(len(data)) + data)
        self.proc.stdin.flush()


def _worker() -> _Worker:
    w: _Worker | None = getattr(_local, "worker", None)
    if w is None or not w.alive():
        w = _Worker()
        _local.worker = w
    return w


def _drop(w: _Worker) -> None:
    w.kill()
    if getattr(_local, "worker", None) is w:
        _local.worker = None


def call(
    function: str,
    args: Sequence[Any],
    *,
    time_limit: float,
    memory_limit: int,
    what: str,
) -> Any:
    """``function`` (``"module:name"``) applied to ``args`` in this thread's worker, within
    ``time_limit`` seconds and ``memory_limit`` MiB; its result, or the exception it
    raised if that is one of ours (a :class:`~realpolitik.errors.RealpolitikError`). A
    :class:`~.errors.SolveLimitError` at a limit, a :class:`~.errors.SolverCrashError`
    if the worker dies; ``what`` names the work in their messages."""
    w = _worker()
    deadline = time.monotonic() + time_limit
    try:
        try:
            w.send(("call", function, tuple(args), memory_limit))
            reply = w._read(deadline)
        except TimeoutError:
            _drop(w)
            raise SolveLimitError(
                message=f"{what}: stopped at the time limit of {time_limit:g} s",
                limit="time",
            ) from None
        except (EOFError, BrokenPipeError, OSError):
            how = w.died()
            _drop(w)
            raise SolverCrashError(
                message=f"{what}: the solver (pygambit) crashed ({how}); nothing was lost "
                "but this solve"
            ) from None
    except BaseException:  # Ctrl-C or anything else while waiting: no orphan, no stale reply
        if getattr(_local, "worker", None) is w:
            _drop(w)
        raise
    kind = reply[0]
    if kind == "ok":
        return reply[1]
    if kind == "memory":
        _drop(w)  # its heap may be fragmented: start afresh next time
        raise SolveLimitError(
            message=f"{what}: stopped at the memory limit of {memory_limit:,} MiB",
            limit="memory",
        )
    if kind == "raise":
        raise reply[1]
    raise RuntimeError(f"{what}: the solver process failed:\n{reply[1]}")


def shutdown() -> None:
    """End every worker of this process (run at exit)."""
    for w in list(_workers):
        w.kill()


atexit.register(shutdown)


# ------------------------------------------------------------------ the worker's side


def _die_with_parent() -> None:
    parent = int(os.environ.get("REALPOLITIK_WORKER_PARENT", "0"))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent and os.getppid() != parent:  # the parent died before the request above
        os._exit(0)


def _send(out: IO[bytes], message: Any) -> None:
    try:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        data = pickle.dumps(("bug", traceback.format_exc()))
    out.write(_HEADER.pack(len(data)) + data)
    out.flush()


def serve() -> None:
    """The worker's loop: read a call, run it, write the reply, until the input ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    inp = os.fdopen(os.dup(0), "rb")
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what the solvers print goes to the error stream, not into the pipe
    for name in PRELOAD:
        importlib.import_module(name)
    import resource

    from ..errors import RealpolitikError

    _send(out, ("ready",))
    while True:
        head = inp.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        (n,) = _HEADER.unpack(head)
        request = pickle.loads(inp.read(n))
        _, function, args, memory_limit = request
        module, _, attr = function.partition(":")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        # what this call may allocate beyond what the worker holds now
        cap = _address_space() + memory_limit * (1 << 20)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        reply: Any
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            try:
                result = getattr(importlib.import_module(module), attr)(*args)
            finally:
                resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            reply = ("ok", result)
        except MemoryError:
            reply = ("memory",)
        except RealpolitikError as exc:
            reply = ("raise", exc)
        except Exception:
            reply = ("bug", traceback.format_exc())
        _send(out, reply)


def _address_space() -> int:
    """This process's virtual size in bytes (what ``RLIMIT_AS`` bounds)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
