"""Where chunked work executes: in this process, a local process pool, or a Dask cluster.

The caller splits its work into chunks (:func:`chunks`) and turns each chunk into a small
picklable task object; a backend runs ``fn(task)`` for every task and yields
``(index, result)`` pairs as chunks finish, ``index`` being the task's position in the
input. The caller assembles the results by index, so the outcome does not depend on the
backend, on the number of workers, or on the order in which chunks finish.

The random draws' contract is :mod:`~realpolitik.runner.draws`'s.

Three backends, chosen by :func:`backend`:

* :class:`InProcess` (``workers=1``): a plain loop in this process, for debugging.
* :class:`LocalPool`: a :class:`~concurrent.futures.ProcessPoolExecutor` on this machine.
* :class:`~.dask.DaskCluster` (:mod:`.dask`): a running Dask scheduler, reached by
  ``dask.distributed.Client``; Dask is the optional extra ``realpolitik[dask]``.

On every backend a failing chunk's exception propagates unchanged (where it ran in another
process, with a note naming the chunk): bad input stays a
:class:`~realpolitik.errors.RealpolitikError` and a bug stays a bug. :class:`BackendError`
is for the backend itself: a worker that died, a cluster that cannot be used, a bad setting.

``fn`` must be a top-level function of an importable module and the tasks must pickle:
the pool's worker processes and the cluster's workers import ``fn``'s module by name.
"""

from __future__ import annotations

import collections
import ctypes
import itertools
import multiprocessing
import numbers
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ..errors import RealpolitikError

__all__ = [
    "Backend",
    "BackendError",
    "InProcess",
    "LocalPool",
    "backend",
    "chunks",
    "default_workers",
    "process_pool",
]

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 2
"""Tasks submitted but not yet collected, per worker: enough to keep every worker busy
while the caller consumes a result, few enough that a huge task list is never held in
memory (or pickled into the pool) all at once."""

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
"""How a pool started while other threads run (or where ``fork`` is not used) starts its
worker processes; :func:`start_method` decides for each pool.

``fork`` only where nothing else runs: a child forked from a threaded parent (the
executor's own manager thread, a Dask client's event loop, a progress display, a web
server's threads) can inherit a lock another thread held and deadlock. ``forkserver``
forks each worker from a small single-threaded server process instead, safe whatever the
parent runs, at the cost of the server's start (a third of a second: it imports numpy and
the models once); ``spawn`` is the fallback where ``forkserver`` does not exist (Windows).
Either way ``fn`` and the tasks travel by pickle, and a script that starts a pool must
guard its entry point with ``if __name__ == "__main__":``.
"""

FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
"""Whether pools may fork this process (Linux: on macOS a forked child of a process that
used the system's frameworks can crash, so Python stopped forking there)."""

FORK_START = 0.04
"""Seconds a forked pool costs before it helps: forking 2 workers from a process holding
numpy, the models and 160 MB of arrays takes 6-8 ms (measured), and a forked worker's first
chunk of EUM draws runs 20-30 ms slower than this process's next one (its memory is new to
it, or shared with this process until written); with the tasks' and results' pickling."""


def start_method() -> str:
    """How a pool started now, from this thread, starts its workers: ``fork`` on Linux when
    the main thread is the process's only thread (a pool started from the command line or
    a plain script: workers start in milliseconds, with everything imported), else
    :data:`START_METHOD`. (Threads started outside :mod:`threading` are not seen; numpy's
    BLAS threads are safe across a fork: OpenBLAS stops them before one.)"""
    alone = threading.active_count() == 1 and threading.current_thread() is threading.main_thread()
    return "fork" if FORK and alone else START_METHOD


WORKER_DIED = (
    "a worker process died (killed, or out of memory?, or a script that starts the pool "
    'without `if __name__ == "__main__":`, which every worker runs again), so the local '
    "pool stopped; run with `workers=1` to debug in process"
)


class BackendError(RealpolitikError):
    """Work could not be run: a worker died, a cluster is unusable, or a setting (workers,
    chunk size, scheduler address) is bad. (A chunk that fails raises its own exception.)"""


class Backend(Protocol):
    """What every backend offers; :func:`backend` returns one."""

    @property
    def workers(self) -> int:
        """How many chunks can run at the same time."""
        ...

    def describe(self) -> str:
        """One line for a human: where the work runs."""
        ...

    def map(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        on_result: Callable[[int, R], object] | None = None,
    ) -> Iterator[tuple[int, R]]:
        """Run ``fn(task)`` for every task; yield ``(index, result)`` as chunks finish.

        ``on_result(index, result)``, when given, is called in this process just before
        each pair is yielded (for progress displays). Closing the iterator early, or a
        ``KeyboardInterrupt``, cancels the work not yet done.
        """
        ...

    def close(self) -> None:
        """Release what the backend holds between maps (a cluster's client); safe to call
        twice, and a no-op where there is nothing to release. Whoever made the backend
        closes it when done."""
        ...


def backend(workers: int | None = None, scheduler: str | None = None) -> Backend:
    """The backend for the command-line options ``--workers K`` and ``--scheduler ADDRESS``.

    ``scheduler`` given: a :class:`DaskCluster` at that address (``workers`` must then be
    ``None``: the cluster decides). ``workers == 1``: :class:`InProcess`; ``workers == K``:
    a :class:`LocalPool` of K processes. ``None`` (the default): :class:`Adaptive` over one
    process per CPU this process may use, which starts the pool only when the work is worth
    it (:class:`InProcess` on a single CPU).
    """
    if scheduler is not None:
        from .dask import DaskCluster

        if workers is not None:
            raise BackendError(
                "give either `workers` (a local pool) or `scheduler` (a Dask cluster), not both"
            )
        return DaskCluster(scheduler)
    if workers is None:
        k = default_workers()
        return InProcess() if k == 1 else Adaptive(k)
    workers = _positive_int(workers, "`workers`")
    return InProcess() if workers == 1 else LocalPool(workers)


def default_workers() -> int:
    """The number of CPUs this process may run on (its affinity mask where known)."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if count is not None:
        return int(count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def chunks(n_items: int, chunk_size: int, first: int | Sequence[int] | None = None) -> list[range]:
    """Split ``range(n_items)`` into consecutive ranges of ``chunk_size`` (the last shorter),
    the first of ``first`` items if given, or the first few of the sizes ``first`` gives
    (each at most ``chunk_size``): small leading chunks are quick probes of the work for
    :class:`Adaptive`, which times them to decide whether the rest is worth a pool.

    >>> chunks(5, 2)
    [range(0, 2), range(2, 4), range(4, 5)]
    >>> chunks(9, 4, first=1)
    [range(0, 1), range(1, 5), range(5, 9)]
    >>> chunks(9, 4, first=(1, 1))
    [range(0, 1), range(1, 2), range(2, 6), range(6, 9)]
    """
    n_items = _int(n_items, "n_items", minimum=0)
    chunk_size = _positive_int(chunk_size, "chunk_size")
    leading = [] if first is None else [first] if isinstance(first, int) else list(first)
    starts: list[int] = []
    at = 0
    for size in leading:
        if at >= n_items:
            break
        starts.append(at)
        at += min(_positive_int(size, "first"), chunk_size)
    starts += range(at, n_items, chunk_size)
    ends = [*starts[1:], n_items] if starts else []
    return [range(a, min(b, n_items)) for a, b in zip(starts, ends, strict=True)]


# --------------------------------------------------------------------------- in process


@dataclass(frozen=True)
class InProcess:
    """Run every chunk in this process, one after another: for debugging and profiling.

    A failing chunk's exception propagates unchanged, with its full traceback and a note
    naming the chunk.
    """

    @property
    def workers(self) -> int:
        return 1

    def describe(self) -> str:
        return "in process (1 worker)"

    def close(self) -> None:
        """Nothing to release."""

    def map(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        on_result: Callable[[int, R], object] | None = None,
    ) -> Iterator[tuple[int, R]]:
        yield from _here(fn, enumerate(tasks), on_result)


# --------------------------------------------------------------------------- adaptive

#: Seconds a local pool takes to start and take its first task (the forkserver, the
#: workers' imports), measured on a 2-core machine (bench_simulate.py: 0.45 s cold).
POOL_START = 0.5


def _ready() -> int:
    """A worker's first task: it has started (its process id)."""
    return os.getpid()


@dataclass(frozen=True)
class Adaptive:
    """The default backend: ``workers`` processes, this one and a pool started only when the
    work is worth it, and never waited for. The first task runs in this process and is
    timed; if running the others here would take longer than a pool saves them (``t (1 -
    1/k)`` for their in-process time t on k workers, against the pool's start), a pool
    starts:

    * forked (:func:`start_method`: a command or a script, nothing else running): ``k - 1``
      workers, in milliseconds; they take tasks from the end of the list and this process
      from the front (:func:`_shared`), so that the process that already holds its memory
      and imports keeps working;
    * else (a forkserver's: a server's threads run) ``k`` workers, started by another
      thread while this process keeps running tasks; once a worker has started, the tasks
      left go to the pool (a pool that breaks before a worker has started gets none: they
      all run here).

    Which way a task goes changes no result: every chunk gives the same bytes wherever it
    runs."""

    workers: int = field(default_factory=default_workers)

    def __post_init__(self) -> None:
        object.__setattr__(self, "workers", _positive_int(self.workers, "workers"))

    def describe(self) -> str:
        return f"up to {self.workers} processes (in this one when the work is small)"

    def close(self) -> None:
        """Nothing to release: a pool, when started, stops when its :meth:`map` ends."""

    def worth_a_pool(self, seconds: float, method: str | None = None) -> bool:
        """Whether work that takes ``seconds`` here finishes sooner on a pool started with
        ``method`` (:func:`start_method`'s by default): ``t (1 - 1/k)`` against the pool's
        start, :data:`FORK_START` forked, else :data:`POOL_START`. (Measured on 2 cores, a
        forkserver's start slows this process's own tasks meanwhile, so the rule counts the
        whole start against what the pool saves: at 10,000 EC draws, half a second here,
        such a pool made a run slower, from 0.43 s to 0.6 s; forked, 0.26 s.)"""
        k = self.workers
        start = FORK_START if (method or start_method()) == "fork" else POOL_START
        return k > 1 and seconds * (1 - 1 / k) > start

    def map(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        on_result: Callable[[int, R], object] | None = None,
        weights: Sequence[float] | None = None,
    ) -> Iterator[tuple[int, R]]:
        """As :meth:`Backend.map`; ``weights[i]``, when given, is task ``i``'s share of the
        work (draws, say), by which the time of the tasks run here first estimates the rest
        (else every task is taken as long as the first).

        The leading tasks of at most half the heaviest's weight (probes: :func:`chunks`'
        ``first``) all run here, timed, and the last of them estimates the rest: a
        process's first task also pays what is done once (imports, its first memory),
        which would make a small probe's work look many times larger than it is. (Tasks
        of nearly equal sizes, as a back-test's packed chunks, have no probe but the
        first.)"""
        todo = list(tasks)
        if not todo:
            return
        if weights is not None and (len(weights) != len(todo) or not min(weights) > 0):
            raise BackendError(
                f"{len(weights)} weights for {len(todo)} tasks: expected one each, above 0"
            )
        heaviest = max(weights) if weights is not None else 0.0
        done = 0
        took = 0.0
        while done == 0 or (
            weights is not None and done < len(todo) and 2 * weights[done] <= heaviest
        ):
            start = time.perf_counter()
            result = _run_one(fn, done, todo[done])
            took = time.perf_counter() - start
            if on_result is not None:
                on_result(done, result)
            yield done, result
            done += 1
        if done == len(todo):
            return
        rest = iter(enumerate(todo[done:], start=done))
        method = start_method()
        unit = weights[done - 1] if weights is not None else 1.0
        left = len(todo) - done if weights is None else sum(weights[done:]) / unit
        if len(todo) - done > 1 and self.worth_a_pool(took * left, method):
            if method == "fork":  # started in milliseconds; this process works on too
                yield from _shared(self.workers, fn, rest, on_result)
            else:
                yield from self._overlapped(fn, rest, len(todo) - done, on_result)
            return
        yield from _here(fn, rest, on_result)

    def _overlapped(
        self,
        fn: Callable[[T], R],
        rest: Iterator[tuple[int, T]],
        left: int,
        on_result: Callable[[int, R], object] | None,
    ) -> Iterator[tuple[int, R]]:
        """The tasks ``rest`` (``left`` of them): here until a worker of a new pool (not
        forked: a forkserver's or spawned) has started, then on the pool (stopped at once
        if nothing is left for it).

        The workers are started by another thread (:func:`_start_workers`): starting the
        first one waits for the forkserver's imports, a third of a second, which this
        thread spends on tasks. A pool whose workers fail to start (a probe that raised:
        the pool is broken) gets no task; they all run here."""
        n_procs = max(1, min(self.workers, left))
        try:
            pool = process_pool(n_procs, getattr(fn, "__module__", None), START_METHOD)
        except OSError:  # no server (no process, no socket): the work stays here
            yield from _here(fn, rest, on_result)
            return
        probes: list[Future[int]] = []
        starter = threading.Thread(
            target=_start_workers, args=(pool, n_procs, probes), name="realpolitik-pool-start"
        )
        finished = False
        try:
            starter.start()
            item = next(rest, None)
            while item is not None and not any(_started(f) for f in probes):
                yield from _here(fn, iter((item,)), on_result)
                item = next(rest, None)
            if item is None:  # all done here: the pool is stopped (once its start returns)
                return
            starter.join()  # the other workers: forked from a ready server, at once
            yield from _on_pool(pool, n_procs, fn, itertools.chain((item,), rest), on_result)
            finished = True
        finally:
            try:
                if starter.ident is not None:
                    starter.join()  # its workers known to the pool before it is stopped
            finally:
                _close(pool, finished)


def _shared(
    workers: int,
    fn: Callable[[T], R],
    rest: Iterator[tuple[int, T]],
    on_result: Callable[[int, R], object] | None,
) -> Iterator[tuple[int, R]]:
    """The indexed tasks ``rest`` on this process and ``workers - 1`` forked workers, both
    from the front of the list: the pool is kept :data:`IN_FLIGHT_PER_WORKER` tasks a
    worker (no more a worker than are left here), this process runs the next one, and so
    on, collecting the pool's results and refilling it between two of its own, and
    waiting for the pool only once nothing is left to start. (From the front, so that
    what is finished when a run is interrupted is the run of tasks from the first on, but
    for those in flight: ``simulate`` keeps that run of draws.) Results are yielded as
    they finish; the pool is stopped when all are done, or at once if the caller stops
    early or a task fails; a worker's death is a :class:`BackendError`. Where no worker
    can be forked (:class:`OSError`), every task runs here."""
    todo = collections.deque(rest)
    n_procs = max(1, min(workers - 1, len(todo)))
    try:
        pool = process_pool(n_procs, getattr(fn, "__module__", None), "fork")
    except OSError:  # no fork now (no memory, no process left): the work stays here
        yield from _here(fn, iter(todo), on_result)
        return
    limit = IN_FLIGHT_PER_WORKER * n_procs
    pending: dict[Future[R], int] = {}
    finished = False
    try:
        while todo or pending:
            done = [f for f in pending if f.done()]
            if not done and not todo:
                done = list(_wait_quietly(pending))
            ready = [(pending.pop(f), f) for f in sorted(done, key=pending.__getitem__)]
            # the pool refilled before this process runs its next task, never beyond its
            # share: no more tasks a worker than are left here (else this process waits on
            # the pool, idle, while the work it could do queues there)
            while len(pending) < min(limit, n_procs * len(todo)):
                index, task = todo.popleft()
                pending[pool.submit(fn, task)] = index
            for index, future in ready:
                result = _result(future, index)
                if on_result is not None:
                    on_result(index, result)
                yield index, result
            if todo:
                yield from _here(fn, iter((todo.popleft(),)), on_result)
        finished = True
    except BrokenProcessPool as exc:
        raise BackendError(WORKER_DIED) from exc
    finally:
        _close(pool, finished)


def _start_workers(pool: ProcessPoolExecutor, n: int, probes: list[Future[int]]) -> None:
    """Start ``n`` workers of ``pool``, each with a probe task (:func:`_ready`) appended to
    ``probes``, which is done once a worker has started. (A pool's ``submit`` starts a
    worker and returns once it is forked: the first waits for the forkserver's start.) A
    pool that cannot start leaves ``probes`` short: its work stays in this process."""
    try:
        for _ in range(n):
            probes.append(pool.submit(_ready))
    except Exception:  # no pool (no process, a broken pool): the work stays here
        pass


def _started(probe: Future[int]) -> bool:
    """Whether a worker has run ``probe`` (not: the pool broke before it did)."""
    return probe.done() and not probe.cancelled() and probe.exception() is None


def _here(
    fn: Callable[[T], R],
    todo: Iterator[tuple[int, T]],
    on_result: Callable[[int, R], object] | None,
) -> Iterator[tuple[int, R]]:
    """Run the indexed tasks ``todo`` in this process; a failing task's exception is raised
    again noting its chunk, as from a pool (:func:`_failed`)."""
    for index, task in todo:
        result = _run_one(fn, index, task)
        if on_result is not None:
            on_result(index, result)
        yield index, result


def _run_one(fn: Callable[[T], R], index: int, task: T) -> R:
    """``fn(task)`` in this process, a failure noting chunk ``index`` (:func:`_failed`)."""
    try:
        return fn(task)
    except Exception as exc:
        _failed(index, exc)
        raise


# --------------------------------------------------------------------------- local pool


def _worker_init(parent: int) -> None:
    """Worker initializer: ignore Ctrl-C (it reaches the whole process group, but only the
    parent should act on it: it cancels the work and stops the workers, so that one
    interrupt prints one message instead of a traceback from every worker), take every
    other signal as a plain process does (a forked worker inherits its parent's handlers:
    a SIGTERM that stops it must end it, not run the parent's handler), die with the
    parent process ``parent`` (:func:`_die_with`), write to the real standard streams (a
    forked worker has its parent's, which a progress display may have replaced with one
    that redraws it), and keep large arrays' memory for reuse (:func:`~.allocator.tune`)."""
    from .allocator import tune

    for name in ("stdout", "stderr"):
        real = getattr(sys, f"__{name}__", None)
        if real is not None:
            setattr(sys, name, real)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in signal.valid_signals():  # a forked worker has its parent's handlers: a
        # server's SIGTERM handler would run its code here, and keep a stopped worker alive
        if signum != signal.SIGINT and callable(signal.getsignal(signum)):
            signal.signal(signum, signal.SIG_DFL)
    _die_with(parent)
    tune()  # a worker is ours: large arrays' memory kept for reuse


#: prctl's option that asks the kernel for a signal when the parent dies (Linux)
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """End this process when the process ``parent`` ends, however it ends (a SIGKILL
    included): no worker outlives the run that started it.

    Two guards, since a worker's parent in the operating system's sense is the forkserver
    (which lives as long as any worker holds its pipe), not the process that runs the work:

    * on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker when its
      parent (the forkserver, or the run's process under ``spawn``) dies;
    * on every platform, a watchdog thread that waits for ``parent`` to end (on Linux
      through a pidfd, at once and immune to a reused pid; on Windows through the parent's
      sentinel; elsewhere by checking it every 0.2 s) and then ends this process. Once the
      workers are gone, the forkserver and the resource tracker see their pipes close and
      exit by themselves.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    threading.Thread(
        target=_watch, args=(parent,), name="realpolitik-parent-watch", daemon=True
    ).start()


def _watch(parent: int) -> None:
    """Wait for the process ``parent`` to end, then end this one at once."""
    if sys.platform == "win32":  # spawn: the parent's sentinel is ready once it has ended
        process = multiprocessing.parent_process()
        if process is not None:
            process.join()
        os._exit(1)
    try:
        fd = os.pidfd_open(parent)  # Linux 5.3+
    except ProcessLookupError:
        fd = -1  # already gone
    except (AttributeError, OSError):
        fd = None
    if fd is not None and fd >= 0:
        select.select([fd], [], [])  # readable once the parent has ended
    elif fd is None:
        while _alive(parent):
            time.sleep(0.2)
    os._exit(1)  # from this thread: the whole process, now, whatever the main thread does


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (as a zombie too); POSIX only (on Windows,
    ``os.kill`` ends the process)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process of that pid
        return True
    return True


@dataclass(frozen=True)
class LocalPool:
    """Run chunks in ``workers`` processes on this machine (default: one per usable CPU).

    A pool is started for each :meth:`map` and stopped when it ends; workers are started
    as :func:`start_method` says (forked where only this thread runs). At most
    ``2 * workers`` tasks are in flight at a time. A failing chunk's exception is raised
    again here, noting the chunk (:func:`_failed`).
    """

    workers: int = field(default_factory=default_workers)

    def __post_init__(self) -> None:
        object.__setattr__(self, "workers", _positive_int(self.workers, "workers"))

    def describe(self) -> str:
        s = "" if self.workers == 1 else "es"
        return f"local pool ({self.workers} process{s})"

    def close(self) -> None:
        """Nothing to release: each :meth:`map` starts and stops its own pool."""

    def map(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        on_result: Callable[[int, R], object] | None = None,
    ) -> Iterator[tuple[int, R]]:
        n_procs = (
            max(1, min(self.workers, len(tasks))) if isinstance(tasks, Sized) else self.workers
        )
        pool = process_pool(n_procs, getattr(fn, "__module__", None))
        finished = False
        try:
            yield from _on_pool(pool, n_procs, fn, enumerate(tasks), on_result)
            finished = True
        finally:
            _close(pool, finished)


def _on_pool(
    pool: ProcessPoolExecutor,
    n_procs: int,
    fn: Callable[[T], R],
    todo: Iterator[tuple[int, T]],
    on_result: Callable[[int, R], object] | None,
) -> Iterator[tuple[int, R]]:
    """Run ``fn`` on the indexed tasks ``todo`` on ``pool`` (``n_procs`` workers), at most
    :data:`IN_FLIGHT_PER_WORKER` per worker in flight, yielding ``(index, result)`` in the
    order they finish (ties by index); a worker's death is a :class:`BackendError`."""
    limit = IN_FLIGHT_PER_WORKER * n_procs
    pending: dict[Future[R], int] = {}
    try:
        for index, task in _take(todo, limit):
            pending[pool.submit(fn, task)] = index
        while pending:
            done = _wait_quietly(pending)
            for future in sorted(done, key=pending.__getitem__):
                index = pending.pop(future)
                result = _result(future, index)
                for i, task in _take(todo, limit - len(pending)):
                    pending[pool.submit(fn, task)] = i
                if on_result is not None:
                    on_result(index, result)
                yield index, result
    except BrokenProcessPool as exc:
        raise BackendError(WORKER_DIED) from exc


def _wait_quietly(pending: Mapping[Future[R], int]) -> set[Future[R]]:
    """The futures of ``pending`` done, waiting for the first, with Ctrl-C held off while
    :func:`concurrent.futures.wait` holds the futures' locks: an interrupt inside its taking
    of those locks leaves one held, and the pool's shutdown then hangs the process at exit.
    While it waits, a SIGINT is only noted; it is raised (as the handler in force would)
    between waits of at most 0.2 s, at a safe point."""
    if threading.current_thread() is not threading.main_thread():
        return set(wait(pending, return_when=FIRST_COMPLETED)[0])
    noted: list[int] = []

    def note(signum: int, frame: Any) -> None:
        noted.append(signum)

    while True:
        previous = signal.signal(signal.SIGINT, note)
        try:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        finally:
            signal.signal(signal.SIGINT, previous)
        if noted:
            noted.clear()
            if callable(previous):
                previous(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)
        if done:
            return set(done)


#: Modules the forkserver imports besides the chunk function's: what a first chunk imports
#: lazily (the random generators and the draws' streams, the runner's worker set-up).
PRELOAD = ("numpy.random", "realpolitik.runner.backends", "realpolitik.runner.draws")


def process_pool(
    workers: int, module: str | None = None, method: str | None = None
) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes as the runner starts them: the same start method
    (``method``, :func:`start_method`'s by default; ``module`` preloaded by a forkserver),
    Ctrl-C left to the parent, and every worker ending with the process that made the
    pool, however that ends (:func:`_die_with`). Every local pool here is one, and so is a
    front end's own (the dashboard's chart workers). A forked pool's workers are forked
    here, before it returns (:func:`_fork_workers`)."""
    method = method or start_method()
    context = _context(method, module)
    if method == "forkserver":
        _start_server()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    if method == "fork":
        try:
            _fork_workers(pool)
        except BaseException:  # a fork refused (no memory, no process left), Ctrl-C: the
            _stop(pool)  # workers forked so far stopped (else multiprocessing's exit waits
            raise  # for them forever: the pool never started its manager to end them)
    return pool


def _fork_workers(pool: ProcessPoolExecutor) -> None:
    """Fork ``pool``'s workers now, with Ctrl-C blocked meanwhile: a forked pool forks all
    its workers at its first ``submit`` (a probe, :func:`_ready`), before its manager
    thread starts (CPython's rule for ``fork``). A Ctrl-C from the terminal reaches the
    whole process group: a worker caught between its fork and its initializer
    (:func:`_worker_init`, which ignores Ctrl-C) would die with a traceback of its own;
    blocked, the signal is taken here once the workers are started.

    Python 3.12 and later warn (a ``DeprecationWarning``) at a fork in a process that runs
    other threads, counting those the system sees: numpy's BLAS threads, which are safe
    across a fork (OpenBLAS stops them before one). :func:`start_method` forks only where
    no thread of Python's runs, so that warning is not shown here."""
    import warnings

    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", ".*multi-threaded.*fork", DeprecationWarning)
            pool.submit(_ready)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _start_server() -> None:
    """Start the forkserver (with the preload :func:`_context` set), unless it runs, with
    Ctrl-C blocked in it from its start. Ctrl-C reaches the whole process group, and the
    server ignores it only once its imports are done: interrupted before, it died with a
    traceback beside this process's own message, and the next pool started another. As
    CPython does for its resource tracker, the signal is blocked in this thread while the
    server is spawned (it inherits the mask, and so do the workers it forks, which ignore
    Ctrl-C anyway: :func:`_worker_init`); an interrupt meanwhile is taken here after."""
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()  # first: it unblocks Ctrl-C once it has started its own
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _context(method: str, module: str | None) -> Any:
    """The start context of ``method``; with ``forkserver``, the server imports ``module``
    (the chunk function's, e.g. numpy and the models) once, before it forks the first
    worker, so that workers start without importing it again. The preload takes effect
    only when the server starts (once per process); it is a speed-up, never a
    requirement."""
    ctx = multiprocessing.get_context(method)
    if method == "forkserver" and module and module != "__main__":
        # with the modules a chunk imports on first use (lazily, to keep `import realpolitik`
        # light): imported once in the server, not once per worker
        ctx.set_forkserver_preload([module, *PRELOAD])  # type: ignore[attr-defined]
    return ctx


def _take(todo: Iterator[tuple[int, T]], n: int) -> Iterator[tuple[int, T]]:
    for _ in range(n):
        item = next(todo, None)
        if item is None:
            return
        yield item


def _result(future: Future[R], index: int) -> R:
    """The chunk's result; its failure raised again, noting the chunk (:func:`_failed`)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise BackendError(WORKER_DIED) from exc
    except Exception as exc:
        _failed(index, exc)
        raise


def _failed(index: int, exc: BaseException) -> None:
    """Note on ``exc`` that chunk ``index`` raised it; the exception itself is raised again
    unchanged (not wrapped in a :class:`BackendError`), so that bad input found in a worker
    is reported as bad input and a bug as a bug, as in process."""
    note = f"raised by chunk {index}"
    if isinstance(exc, pickle.PicklingError | AttributeError) and "pickle" in str(exc):
        note += " (the function must be a top-level function and the task picklable)"
    exc.add_note(note)


def _close(pool: ProcessPoolExecutor, finished: bool) -> None:
    """The end of a pool's run: its workers waited for where its work ``finished``, else
    stopped at once (:func:`_stop`: the caller stopped early, or a task failed)."""
    if finished:
        pool.shutdown(wait=True)
    else:
        _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: cancel what has not started, end the workers, reap them, and
    wait for the pool's manager thread to end (a shutdown that does not wait forgets it:
    left running, it kept the next pool from forking, and raced this thread to reap the
    workers, which then still counted as running)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
    else:
        for process in processes:
            if process.is_alive():
                process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    pool.shutdown(wait=True)
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=5)


# --------------------------------------------------------------------------- helpers


def _int(value: object, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise BackendError(f"{name} must be an integer, not {value!r}")
    if int(value) < minimum:
        raise BackendError(f"{name} must be at least {minimum}, not {value}")
    return int(value)


def _positive_int(value: object, name: str) -> int:
    return _int(value, name, minimum=1)
