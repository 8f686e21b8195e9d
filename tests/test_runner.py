"""The runner's backends give the same bytes in process, on a local pool and on a Dask
cluster, whatever the chunking; they fail clearly and stop their workers promptly.

The Dask tests start a real cluster (a scheduler and two workers, as subprocesses); they are
skipped only when the dask extra is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from realpolitik.errors import InputError, RealpolitikError
from realpolitik.runner import (
    Adaptive,
    BackendError,
    DaskCluster,
    InProcess,
    LocalPool,
    backend,
    chunks,
    default_workers,
    draw_generator,
    draw_uniforms,
    run,
    session,
)
from realpolitik.runner import _selftest as st
from realpolitik.runner.dask import INSTALL_HINT, normalise_address

HAS_DASK = importlib.util.find_spec("distributed") is not None
needs_dask = pytest.mark.skipif(
    not HAS_DASK, reason="needs the dask extra: pip install 'realpolitik[dask]'"
)

SEED = 20240917
N_DRAWS = 60


def draw_tasks(chunk_size: int, sleep: float = 0.0) -> list[st.DrawTask]:
    return [st.DrawTask(SEED, items, size=3, sleep=sleep) for items in chunks(N_DRAWS, chunk_size)]


def assemble(pairs: Iterable[tuple[int, dict[str, np.ndarray]]]) -> bytes:
    """The chunks' results in index order, as one byte string."""
    ordered = sorted(pairs, key=lambda pair: pair[0])
    assert [index for index, _ in ordered] == list(range(len(ordered)))
    return b"".join(
        np.concatenate([result[key] for _, result in ordered]).tobytes()
        for key in ("index", "values", "picks")
    )


@pytest.fixture(scope="module")
def reference() -> bytes:
    return assemble(InProcess().map(st.draws, draw_tasks(N_DRAWS)))


def gone(pid: int) -> bool:
    """True once process ``pid`` has exited and been reaped (or is a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_gone(pids: Iterable[int], seconds: float = 10.0) -> list[int]:
    """The processes still alive after waiting up to ``seconds``."""
    deadline = time.monotonic() + seconds
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if not gone(pid)]
        time.sleep(0.05)
    return alive


@pytest.fixture
def forkserver(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pools started as a threaded process (a web server) starts them: by the forkserver
    (or spawned), never forked; the backends' module."""
    from realpolitik.runner import backends

    monkeypatch.setattr(backends, "FORK", False)
    return backends


@pytest.fixture(params=["fork", "forkserver"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each way a pool starts here: forked (a command, a script) and not (a server)."""
    from realpolitik.runner import backends

    if request.param == "fork" and not backends.FORK:
        pytest.skip("pools fork only on Linux")
    monkeypatch.setattr(backends, "FORK", request.param == "fork")
    if request.param == "fork":  # whatever threads earlier tests left (a failed Dask
        # client's event loop lives on): else the pool silently starts from the forkserver
        monkeypatch.setattr(backends, "start_method", lambda: "fork")
    return str(request.param)


# --------------------------------------------------------------------------- chunks, seeds


def test_a_first_chunk_may_be_a_small_probe():
    assert chunks(9, 4, first=1) == [range(0, 1), range(1, 5), range(5, 9)]
    assert chunks(9, 4, first=(1, 2)) == [range(0, 1), range(1, 3), range(3, 7), range(7, 9)]
    assert chunks(2, 4, first=(1, 2)) == [range(0, 1), range(1, 2)]
    assert chunks(10, 4, first=9) == chunks(10, 4)  # at most a chunk
    assert chunks(3, 5, first=2) == [range(0, 2), range(2, 3)]
    assert chunks(1, 5, first=2) == [range(0, 1)] and chunks(0, 5, first=2) == []
    for n in range(12):
        parts = chunks(n, 4, first=3)
        assert [i for r in parts for i in r] == list(range(n))
    with pytest.raises(BackendError):
        chunks(5, 2, first=0)


def test_chunks_split_consecutively():
    assert chunks(10, 3) == [range(0, 3), range(3, 6), range(6, 9), range(9, 10)]
    assert chunks(6, 3) == [range(0, 3), range(3, 6)]
    assert chunks(2, 5) == [range(0, 2)]
    assert chunks(0, 4) == []
    for bad in [(5, 0), (-1, 2), (True, 2), (5, 1.5)]:
        with pytest.raises(BackendError):
            chunks(*bad)


def test_draw_stream_depends_on_seed_and_index_only():
    jumped = np.random.Generator(np.random.Philox(SEED).jumped(4))
    assert np.array_equal(draw_generator(SEED, 4).random(8), jumped.random(8))
    assert np.array_equal(draw_generator(SEED, 4).random(8), draw_generator(SEED, 4).random(8))
    assert not np.array_equal(draw_generator(SEED, 4).random(8), draw_generator(SEED, 5).random(8))
    assert not np.array_equal(
        draw_generator(SEED, 4).random(8), draw_generator(SEED + 1, 4).random(8)
    )
    assert np.array_equal(draw_generator(np.int64(3), 0).random(2), draw_generator(3, 0).random(2))
    for seed in (-1, True, 1.5, "3", None, 2**63):
        with pytest.raises(InputError, match=r"seed must be a whole number from 0 to 2\*\*63 - 1"):
            draw_generator(seed, 0)  # type: ignore[arg-type]
    with pytest.raises(BackendError, match="draw index"):
        draw_generator(1, -1)
    assert issubclass(BackendError, RealpolitikError)


@pytest.mark.parametrize("seed", [0, 1, SEED, 2**63 - 1])
def test_draw_uniforms_are_the_draw_streams_numbers_in_bulk(seed):
    """A chunk's uniform numbers, computed at once, are those of each draw's own generator,
    bit for bit, whatever the chunk's bounds and the numbers per draw."""
    big = 2**40
    for start, stop, k in [(0, 9, 1), (3, 20, 2), (1000, 1007, 4), (5, 9, 9), (big, big + 2, 5)]:
        u = draw_uniforms(seed, start, stop, k)
        each = [draw_generator(seed, i).random(k) for i in range(start, stop)]
        assert u.shape == (stop - start, k) and u.tobytes() == np.array(each).tobytes()
    parts = [draw_uniforms(seed, a, a + 10, 3) for a in range(0, 50, 10)]
    assert np.array_equal(np.concatenate(parts), draw_uniforms(seed, 0, 50, 3))
    assert draw_uniforms(seed, 4, 4, 3).shape == (0, 3)
    assert draw_uniforms(seed, 0, 2, 0).shape == (2, 0)
    with pytest.raises(BackendError, match="seed"):
        draw_uniforms(-1, 0, 2, 2)


@pytest.mark.parametrize("chunk_size", [1, 7, 13, N_DRAWS, 1000])
def test_draws_do_not_depend_on_chunking(chunk_size, reference):
    assert assemble(InProcess().map(st.draws, draw_tasks(chunk_size))) == reference


# --------------------------------------------------------------------------- run loop


class _Closing(InProcess):
    closed: ClassVar[list[bool]] = []

    def close(self) -> None:
        self.closed.append(True)


def test_session_closes_what_it_made_and_only_that(monkeypatch):
    from realpolitik.runner import loop

    made = _Closing()
    monkeypatch.setattr(loop, "make_backend", lambda w, s: made)
    _Closing.closed = []
    with session(None, 1, None) as b:
        assert b is made
    assert _Closing.closed == [True]
    given = _Closing()
    _Closing.closed = []
    with session(given) as b:
        assert b is given
    assert _Closing.closed == []
    with pytest.raises(ZeroDivisionError), session(None, 1, None):  # closed on error too
        raise ZeroDivisionError
    assert _Closing.closed == [True]


def test_run_reports_progress_in_the_callers_units():
    seen: list[tuple[int, int]] = []
    out = run(st.fail_on, [1, 2, 4], backend=InProcess(), weights=[10, 20, 5],
              progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    assert out == {0: 1, 1: 2, 2: 4}
    assert seen == [(10, 35), (30, 35), (35, 35)]
    with pytest.raises(ValueError, match="2 weights for 3 tasks"):
        run(st.fail_on, [1, 2, 4], backend=InProcess(), weights=[1, 2])


class _StopAfter(InProcess):
    def __init__(self, n: int) -> None:
        self.n = n

    def map(self, fn, tasks, *, on_result=None):
        for i, t in enumerate(tasks):
            if i == self.n:
                raise KeyboardInterrupt
            yield i, fn(t)


def test_run_keeps_what_finished_only_when_asked():
    assert run(st.fail_on, [1, 2, 4], backend=_StopAfter(2), partial=True) == {0: 1, 1: 2}
    with pytest.raises(KeyboardInterrupt):
        run(st.fail_on, [1, 2, 4], backend=_StopAfter(2))
    with pytest.raises(KeyboardInterrupt):  # nothing finished: nothing to keep
        run(st.fail_on, [1, 2, 4], backend=_StopAfter(0), partial=True)


def test_adaptive_stays_in_process_when_the_work_is_small():
    pids = dict(Adaptive(2).map(st.pid, [0.0] * 5))
    assert set(pids.values()) == {os.getpid()} and sorted(pids) == list(range(5))


def test_adaptive_starts_the_pool_when_the_work_is_worth_it_and_works_on_meanwhile(
    monkeypatch, forkserver
):
    backends = forkserver
    monkeypatch.setattr(backends, "POOL_START", 0.0)  # any work is worth a pool now
    tasks = [0.0] + [0.05] * 3 + [0.2] * 40  # 8 s here: the pool starts well before
    pids = dict(Adaptive(2).map(st.pid, tasks))
    assert sorted(pids) == list(range(len(tasks)))
    assert pids[0] == os.getpid()  # the first task runs here, timed
    # this process works on while the pool starts (a worker cannot have started by the
    # time the next task is taken), then the pool's workers take the rest
    assert pids[1] == os.getpid()
    assert pids[len(tasks) - 1] != os.getpid()
    assert len({p for p in pids.values() if p != os.getpid()}) == 2
    assert Adaptive(2).worth_a_pool(10.0) and not Adaptive(1).worth_a_pool(10.0)
    # forked, a pool starts in milliseconds: worth it for a tenth of a second of work
    assert Adaptive(2).worth_a_pool(0.1, "fork") and not Adaptive(2).worth_a_pool(0.02, "fork")


def test_adaptive_leaves_no_worker_behind_when_it_finished_here_first(monkeypatch, forkserver):
    monkeypatch.setattr(forkserver, "POOL_START", 0.0)
    before = _pool_workers()
    pids = dict(Adaptive(2).map(st.pid, [0.0] * 4))
    assert sorted(pids) == [0, 1, 2, 3]
    assert wait_gone(_pool_workers() - before) == []


def _watched_pools(monkeypatch, probe=None, gate=None):
    """Make the pools of :class:`Adaptive` record their probes (``_ready`` tasks, the
    returned list), submit ``probe`` (a function and its argument) instead of each, and
    start a worker only once ``gate`` (an Event) is set; a wait of over 10 s is recorded
    in the list as None. Pools are not forked (their start is what is watched)."""
    from realpolitik.runner import backends

    probes: list[Any] = []
    made = backends.process_pool

    def process_pool(workers: int, module: str | None = None, method: str | None = None) -> Any:
        pool = made(workers, module, method)
        submit = pool.submit

        def watched(fn: Any, *args: Any, **kwargs: Any) -> Any:
            if fn is not backends._ready:
                return submit(fn, *args, **kwargs)
            if gate is not None and not gate.wait(timeout=10):
                probes.append(None)
            future = submit(*probe) if probe is not None else submit(fn)
            probes.append(future)
            return future

        pool.submit = watched  # type: ignore[method-assign]
        return pool

    monkeypatch.setattr(backends, "POOL_START", 0.0)  # any work is worth a pool
    monkeypatch.setattr(backends, "process_pool", process_pool)
    monkeypatch.setattr(backends, "FORK", False)
    return probes


def test_adaptive_works_on_here_while_its_pool_starts(monkeypatch):
    """Starting a pool's first worker waits for the forkserver's imports (a third of a
    second): this process runs tasks meanwhile instead of waiting (the workers start from
    another thread), then hands the rest to the workers."""
    import threading

    gate = threading.Event()
    probes = _watched_pools(monkeypatch, gate=gate)

    def on_result(index: int, pid: int) -> None:
        if index == 2:
            assert pid == os.getpid()
            gate.set()  # a worker may start once two tasks have run here since

    tasks = [0.0] + [0.01] * 2 + [0.1] * 40  # 4 s here: the pool starts well before
    pids = dict(Adaptive(2).map(st.pid, tasks, on_result=on_result))
    assert None not in probes, "the workers' start held up the tasks meant to run meanwhile"
    assert sorted(pids) == list(range(len(tasks)))
    assert pids[1] == pids[2] == os.getpid()
    assert pids[len(tasks) - 1] != os.getpid()  # the workers took the rest


def test_adaptive_keeps_the_work_here_when_its_pool_breaks_as_it_starts(monkeypatch):
    """A pool whose workers die as they start (the probe kills its worker) gets no task:
    every task runs here, none is lost, no BackendError, no worker left."""
    before = _pool_workers()
    probes = _watched_pools(monkeypatch, probe=(st.die_on, 3))
    tasks = [0.0] + [0.1] * 12
    pids = dict(Adaptive(2).map(st.pid, tasks))
    assert sorted(pids) == list(range(len(tasks)))
    assert set(pids.values()) == {os.getpid()}
    assert probes and all(f.done() and f.exception() is not None for f in probes)
    assert wait_gone(_pool_workers() - before) == []


def test_adaptive_numbers_a_chunk_failing_on_its_pool_by_the_chunks_own_number(monkeypatch):
    """Tasks handed to the pool after some ran here keep their own numbers."""
    from concurrent.futures.process import _RemoteTraceback

    probes = _watched_pools(monkeypatch)

    def on_result(index: int, result: int) -> None:
        deadline = time.monotonic() + 30
        while index == 1 and not any(f.done() for f in probes) and time.monotonic() < deadline:
            time.sleep(0.01)  # from task 2 on, the pool takes them

    with pytest.raises(ValueError, match="chunk function refused 3") as caught:
        list(Adaptive(2).map(st.fail_on, [0, 1, 2, 3, 4], on_result=on_result))
    assert isinstance(caught.value.__cause__, _RemoteTraceback)  # it failed in a worker
    assert "raised by chunk 3" in getattr(caught.value, "__notes__", [])


@pytest.mark.parametrize("stop", ["close", "interrupt"])
def test_adaptive_stopped_while_its_pool_starts_leaves_no_worker(monkeypatch, stop):
    """Closed, or interrupted (Ctrl-C in a task run here), while its workers start: the
    workers started are stopped, the tasks not run are not run."""
    import threading

    gate = threading.Event()
    _watched_pools(monkeypatch, gate=gate)
    before = _pool_workers()

    def on_result(index: int, pid: int) -> None:
        if index == 1:
            gate.set()  # the workers start as this process stops
            if stop == "interrupt":
                raise KeyboardInterrupt

    results = Adaptive(2).map(st.pid, [0.0] + [0.05] * 20, on_result=on_result)
    seen = [next(results)[0]]
    start = time.monotonic()
    if stop == "close":
        seen.append(next(results)[0])
        results.close()
    else:
        with pytest.raises(KeyboardInterrupt):
            next(results)
    assert time.monotonic() - start < 10
    assert seen == ([0, 1] if stop == "close" else [0])
    assert wait_gone(_pool_workers() - before) == []
    assert not [t for t in threading.enumerate() if t.name == "realpolitik-pool-start"]


def test_a_forkserver_that_cannot_start_now_is_no_error(monkeypatch):
    """A pool is a speed-up: where its server cannot start (no process, no socket), the
    default backend runs the work here instead of failing a run."""
    from multiprocessing import forkserver

    from realpolitik.runner import backends

    def cannot(*args: Any) -> None:
        raise OSError(24, "Too many open files")

    if backends.START_METHOD != "forkserver":
        pytest.skip("no forkserver on this platform")
    monkeypatch.setattr(backends, "POOL_START", 0.0)
    monkeypatch.setattr(backends, "FORK", False)  # a threaded process: the server's pool
    monkeypatch.setattr(forkserver, "ensure_running", cannot)
    pids = dict(Adaptive(2).map(st.pid, [0.0] * 5))
    assert sorted(pids) == list(range(5)) and set(pids.values()) == {os.getpid()}


SERVER_INTERRUPTED = """
import os, signal, time
from multiprocessing import forkserver
from realpolitik.runner import LocalPool
from realpolitik.runner import _selftest as st
from realpolitik.runner import backends
from realpolitik.runner.backends import process_pool

backends.FORK = False  # as from a threaded process: pools start from the forkserver

if __name__ == "__main__":
    process_pool(2, "realpolitik.analysis.ensemble").shutdown()  # starts the server alone
    server = forkserver._forkserver._forkserver_pid
    for delay in (0.0, 0.05, 0.1, 0.2):  # Ctrl-C, sent to the group, as the server imports
        time.sleep(delay)
        os.kill(server, signal.SIGINT)
    assert sorted(dict(LocalPool(2).map(st.pid, [0.0, 0.0]))) == [0, 1]
    print("same server" if forkserver._forkserver._forkserver_pid == server else "restarted")
"""


def test_ctrl_c_while_the_server_imports_leaves_it_running_and_quiet(tmp_path):
    """A terminal's Ctrl-C reaches the whole process group, the forkserver too: the
    server, which ignores Ctrl-C only once its imports are done, died with a
    KeyboardInterrupt traceback beside the command's own message, and the pool then
    started another."""
    from realpolitik.runner import backends

    if backends.START_METHOD != "forkserver":
        pytest.skip("no forkserver on this platform")
    script = tmp_path / "interrupt_server.py"
    script.write_text(SERVER_INTERRUPTED)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "KeyboardInterrupt" not in done.stderr and "Traceback" not in done.stderr
    assert done.stdout.strip() == "same server"


def test_adaptive_gives_the_same_draws_either_way(monkeypatch, reference, start):
    from realpolitik.runner import backends

    here = assemble(Adaptive(2).map(st.draws, draw_tasks(7)))
    monkeypatch.setattr(backends, "POOL_START", 0.0)
    monkeypatch.setattr(backends, "FORK_START", 0.0)
    pooled = assemble(Adaptive(2).map(st.draws, draw_tasks(7, sleep=0.01)))
    assert here == pooled == reference


def test_pools_fork_only_where_this_thread_runs_alone():
    """A pool forks this process only from the main thread with no other thread running
    (a child forked beside another thread can inherit a lock it held); else it starts as
    before (the forkserver: a server's threads, a progress display)."""
    import threading

    from realpolitik.runner import backends

    if not backends.FORK:
        pytest.skip("pools fork only on Linux")
    assert threading.active_count() == 1, "another test left a thread running"
    assert backends.start_method() == "fork"
    seen: list[str] = []
    other = threading.Thread(target=lambda: seen.append(backends.start_method()))
    other.start()
    other.join()
    assert seen == [backends.START_METHOD]  # from another thread
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert backends.start_method() == backends.START_METHOD  # another thread runs
    finally:
        stop.set()
        waiting.join()
    assert backends.start_method() == "fork"


def _forked(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The backends' module, with any work worth a forked pool."""
    from realpolitik.runner import backends

    if not backends.FORK:
        pytest.skip("pools fork only on Linux")
    monkeypatch.setattr(backends, "FORK_START", 0.0)
    # whatever threads earlier tests left (a failed Dask client's event loop lives on)
    monkeypatch.setattr(backends, "start_method", lambda: "fork")
    return backends


def test_adaptive_forked_shares_the_work_with_this_process(monkeypatch):
    """Forked, the pool has one worker fewer than the backend: this process works on
    beside it, both taking tasks from the front of the list (the pool the first after the
    probe), and every task gives its result once."""
    _forked(monkeypatch)
    before = _pool_workers()
    workers: set[int] = set()

    def on_result(index: int, pid: int) -> None:
        workers.update(_pool_workers() - before)

    tasks = [0.02] + [0.05] * 12
    pids = dict(Adaptive(2).map(st.pid, tasks, on_result=on_result))
    assert sorted(pids) == list(range(len(tasks)))
    here = os.getpid()
    others = {p for p in pids.values() if p != here}
    assert len(others) == 1 and others == workers  # one worker, forked from this process
    assert pids[0] == here and pids[1] in others  # the probe, then the pool: the front
    assert sum(p == here for p in pids.values()) >= 3  # this process did its share
    assert wait_gone(workers) == []


def test_adaptive_forked_reports_a_failing_or_killed_worker_and_leaves_none(monkeypatch):
    _forked(monkeypatch)
    before = _pool_workers()
    # the pool takes the first task after the probe: 3 fails (or kills) there
    with pytest.raises(ValueError, match="chunk function refused 3") as caught:
        list(Adaptive(2).map(st.fail_on, [0, 3, 1, 2, 4, 5]))
    assert "raised by chunk 1" in getattr(caught.value, "__notes__", [])
    with pytest.raises(BackendError, match="worker process died"):
        list(Adaptive(2).map(st.die_on, [0, 3, 1, 2, 4, 5, 6]))
    assert wait_gone(_pool_workers() - before) == []


def _span(sleep: float) -> tuple[int, float, float]:
    """This process's id, and when a task of ``sleep`` seconds started and ended (a forked
    worker runs it: this module is imported there)."""
    start = time.monotonic()
    time.sleep(sleep)
    return os.getpid(), start, time.monotonic()


def test_adaptive_forked_leaves_this_process_its_share_and_refills_the_pool_at_once(
    monkeypatch,
):
    """Forked, the pool takes no more tasks a worker than are left here: after the probe,
    two tasks are one each (the pool took both, and this process waited for the worker
    to run them one after the other: slower than running them here). And the pool is
    refilled before this process starts its own next task, so that its worker never
    waits for one."""
    _forked(monkeypatch)
    here = os.getpid()
    two = dict(Adaptive(2).map(_span, [0.0, 0.05, 0.05]))
    assert two[1][0] != here and two[2][0] == here
    # the pool takes 1 and 2, this process runs 3; 1 is done by then: the pool is refilled
    # (4), and this process runs 5
    spans = dict(Adaptive(2).map(_span, [0.0, 0.2, 0.2, 0.3, 0.3, 0.3]))
    assert [spans[i][0] == here for i in range(6)] == [True, False, False, True, False, True]
    assert spans[4][1] - spans[2][2] < 0.08  # 4 queued before 2 ended: no wait between


def test_an_interrupted_forked_run_keeps_nearly_all_it_finished(monkeypatch):
    """This process and the pool both take tasks from the front, so what is finished when
    a run is interrupted is the run of tasks from the first on, but for the few in flight,
    which is what ``simulate`` keeps (the pool took tasks from the end: a Ctrl-C kept about
    half of the draws finished)."""
    _forked(monkeypatch)
    seen = 0

    def progress(done: int, total: int) -> None:
        nonlocal seen
        seen += 1
        if seen == 10:
            raise KeyboardInterrupt

    results = run(st.pid, [0.02] * 40, backend=Adaptive(2), progress=progress, partial=True)
    prefix = 0
    while prefix in results:
        prefix += 1
    assert len(results) == 10 and prefix >= len(results) - 3, sorted(results)


def test_a_forked_worker_takes_sigterm_as_a_plain_process_not_as_its_parent(monkeypatch):
    """A script or server that handles SIGTERM itself (to end cleanly): its forked workers
    inherit the handler. Stopping them (SIGTERM) then ran the parent's handler in each and
    left it running, until it was killed 5 s later; a worker ends at once."""
    _forked(monkeypatch)
    before = _pool_workers()
    workers: set[int] = set()

    def on_result(index: int, pid: int) -> None:
        workers.update(_pool_workers() - before)

    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)  # ends it cleanly
    try:
        # the pool takes 1 and 2, this process runs 3
        results = Adaptive(2).map(st.pid, [0.0, 30.0, 30.0, 0.01], on_result=on_result)
        assert [next(results)[0], next(results)[0]] == [0, 3]
        started = time.monotonic()
        results.close()  # the worker, on task 1, stopped
        took = time.monotonic() - started
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(workers) == 1 and wait_gone(workers) == []
    assert took < 3, f"the worker took {took:.1f} s to stop"


def test_a_pool_that_cannot_fork_leaves_the_work_here_and_no_worker(monkeypatch):
    """A fork refused (no memory, no process left) after a first worker was forked: the
    default backend runs the work here, as where a forkserver cannot start, and the worker
    forked is stopped (left, multiprocessing's exit waited for it forever); a local pool
    asked for raises the error, leaving none either."""
    _forked(monkeypatch)
    real = os.fork
    forks: list[int] = []

    def fork() -> int:
        forks.append(1)
        if len(forks) % 2 == 0:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real()

    before = _pool_workers()
    monkeypatch.setattr(os, "fork", fork)
    pids = dict(Adaptive(3).map(st.pid, [0.0] * 6))
    assert len(forks) == 2  # one worker forked, the second refused
    assert sorted(pids) == list(range(6)) and set(pids.values()) == {os.getpid()}
    assert wait_gone(_pool_workers() - before) == []
    with pytest.raises(BlockingIOError):
        list(LocalPool(3).map(st.pid, [0.0] * 6))
    assert len(forks) == 4
    assert wait_gone(_pool_workers() - before) == []


@pytest.mark.parametrize("stop", ["close", "interrupt"])
def test_adaptive_forked_stopped_early_leaves_no_worker(monkeypatch, stop):
    _forked(monkeypatch)
    before = _pool_workers()
    workers: set[int] = set()

    def on_result(index: int, pid: int) -> None:
        workers.update(_pool_workers() - before)
        if index == 3 and stop == "interrupt":
            raise KeyboardInterrupt

    # the pool takes 1 and 2 (30 s each), this process runs 3
    results = Adaptive(2).map(st.pid, [0.01, 30.0, 30.0, 0.01], on_result=on_result)
    assert next(results)[0] == 0
    started = time.monotonic()
    if stop == "close":
        assert next(results)[0] == 3  # here, while the worker sleeps on task 1
        results.close()
    else:
        with pytest.raises(KeyboardInterrupt):
            next(results)
    assert time.monotonic() - started < 10
    assert len(workers) == 1 and wait_gone(workers) == []
    assert wait_gone(_pool_workers() - before) == []


def test_adaptive_weighs_the_rest_by_the_tasks_sizes(monkeypatch):
    """With ``weights``, the first task's time estimates the rest by their sizes: a small
    probe (weight 1) of 10 ms before three tasks of weight 100 is 3 s of work, worth a pool;
    unweighted, the same tasks look like 30 ms, not worth one."""
    backends = _forked(monkeypatch)
    monkeypatch.setattr(backends, "FORK_START", 0.5)
    tasks = [0.01, 0.0, 0.0, 0.0]
    unweighted = dict(Adaptive(2).map(st.pid, tasks))
    weighted = dict(Adaptive(2).map(st.pid, tasks, weights=[1, 100, 100, 100]))
    assert set(unweighted.values()) == {os.getpid()}
    assert sorted(weighted) == [0, 1, 2, 3] and set(weighted.values()) != {os.getpid()}
    for bad in ([1, 1], [0, 1, 1, 1], [1, 1, -1, 1]):
        with pytest.raises(BackendError, match="weights"):
            list(Adaptive(2).map(st.pid, tasks, weights=bad))


def test_adaptive_times_the_last_of_its_probes(monkeypatch):
    """The leading tasks lighter than the rest (probes) all run here, and the last, warm,
    estimates the rest: a first task that paid for one-off work (here a 0.3 s sleep) does
    not make 3 ms of work look like a minute's."""
    backends = _forked(monkeypatch)
    monkeypatch.setattr(backends, "FORK_START", 0.5)
    ran: list[int] = []
    tasks = [0.3, 0.001, 0.0, 0.0, 0.0]
    pids = dict(
        Adaptive(2).map(st.pid, tasks, weights=[1, 1, 100, 100, 100],
                        on_result=lambda i, _: ran.append(i))
    )  # fmt: skip
    assert sorted(pids) == list(range(5)) and ran[:2] == [0, 1]
    assert set(pids.values()) == {os.getpid()}  # 0.001 s x 300: no pool
    slow = dict(
        Adaptive(2).map(st.pid, [0.001, 0.01, 0.0, 0.0, 0.0], weights=[1, 1, 100, 100, 100])
    )
    assert set(slow.values()) != {os.getpid()}  # 0.01 s x 300: worth a pool


def test_tasks_of_nearly_equal_sizes_have_no_probe_but_the_first(monkeypatch):
    """Probes are the leading tasks of at most half the heaviest's weight: a back-test's
    packed chunks (37, 45, 48, then 50 cases) ran their three lighter ones here, one after
    another, before the pool could start."""
    _forked(monkeypatch)
    ran: list[tuple[int, int]] = []
    tasks = [0.01, 0.2, 0.2, 0.2, 0.2]
    pids = dict(
        Adaptive(2).map(st.pid, tasks, weights=[37, 45, 48, 50, 50],
                        on_result=lambda i, pid: ran.append((i, pid)))
    )  # fmt: skip
    assert sorted(pids) == list(range(5)) and pids[0] == os.getpid()
    assert pids[1] != os.getpid()  # the pool took the first after the probe


def test_run_passes_the_weights_to_the_default_backend(monkeypatch):
    seen: list[Any] = []
    real = Adaptive.map

    def spy(self: Adaptive, fn: Any, tasks: Any, **kw: Any) -> Any:
        seen.append(kw.get("weights"))
        return real(self, fn, tasks, **kw)

    monkeypatch.setattr(Adaptive, "map", spy)
    assert run(st.fail_on, [0, 1, 2], backend=Adaptive(2), weights=[5, 1, 1]) == {0: 0, 1: 1, 2: 2}
    assert seen == [[5, 1, 1]]


# --------------------------------------------------------------------------- factory


def test_backend_factory_picks_the_backend():
    assert isinstance(backend(1), InProcess)
    default = backend()
    assert isinstance(default, Adaptive if default_workers() > 1 else InProcess)
    pool = backend(3)
    assert isinstance(pool, LocalPool) and pool.workers == 3
    assert "3 processes" in pool.describe()
    assert backend().workers == default_workers() >= 1
    assert LocalPool().workers == default_workers()
    for bad in (0, -2, True, 2.0):
        with pytest.raises(BackendError):
            backend(bad)  # type: ignore[arg-type]
    with pytest.raises(BackendError, match="not both"):
        backend(2, scheduler="127.0.0.1:8786")


# --------------------------------------------------------------------------- in process, pool


def test_in_process_lets_exceptions_through_unchanged():
    with pytest.raises(ValueError, match="refused 3") as caught:
        list(InProcess().map(st.fail_on, range(6)))
    assert not isinstance(caught.value, BackendError)


def test_local_pool_gives_the_same_bytes_as_in_process(reference, start):
    seen: list[int] = []
    pairs = []
    for index, result in LocalPool(2).map(
        st.draws, draw_tasks(7), on_result=lambda i, _: seen.append(i)
    ):
        assert seen[-1] == index  # called just before the pair is yielded
        pairs.append((index, result))
    assert sorted(seen) == list(range(len(draw_tasks(7))))
    assert assemble(pairs) == reference


def test_local_pool_keeps_few_tasks_in_flight():
    pulled = 0

    def lazy() -> Iterator[st.DrawTask]:
        nonlocal pulled
        for task in draw_tasks(2):
            pulled += 1
            yield task

    first = None
    count = 0
    for _ in LocalPool(2).map(st.draws, lazy()):
        if first is None:
            first = pulled
        count += 1
    assert count == len(draw_tasks(2)) == 30
    assert first is not None and first <= 2 * 2 + 1  # not the whole list at once


def test_local_pool_raises_the_failing_chunks_own_exception_naming_the_chunk(start):
    # not a BackendError: a bug in a worker stays a bug, bad input stays bad input
    with pytest.raises(ValueError, match="chunk function refused 3") as caught:
        list(LocalPool(2).map(st.fail_on, range(8)))
    assert not isinstance(caught.value, RealpolitikError)
    assert "raised by chunk 3" in getattr(caught.value, "__notes__", [])


def test_local_pool_reports_a_killed_worker(start):
    before = _pool_workers()
    workers: set[int] = set()
    started = time.monotonic()
    with pytest.raises(BackendError, match=r"worker process died.*`workers=1`"):
        for _ in LocalPool(2).map(st.die_on, range(10)):
            workers.update(_pool_workers() - before)
    assert time.monotonic() - started < 30
    # (gone as the system sees them: multiprocessing's own list of a forked pool's children
    # can keep one the pool's manager thread reaped as it stopped)
    assert workers and wait_gone(workers) == []


def _pool_workers() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def test_closing_the_iterator_early_stops_the_workers(start):
    before = _pool_workers()
    results = LocalPool(2).map(st.pid, [0.0] + [30.0] * 6)
    index, _ = next(results)
    workers = _pool_workers() - before
    assert index == 0 and len(workers) == 2
    start = time.monotonic()
    results.close()
    assert time.monotonic() - start < 3  # stopped the running 30 s chunks at once
    assert wait_gone(workers, seconds=2) == []


def test_a_pool_stopped_early_leaves_no_thread_behind(start):
    """Stopped early, a pool's manager thread has ended too when the map returns: left
    running for a moment, it kept the next pool of the process from forking (a thread
    runs) and made the workers it was reaping still count as running."""
    import threading

    before = set(threading.enumerate())
    for _ in range(3):
        results = LocalPool(2).map(st.pid, [0.0] + [30.0] * 6)
        assert next(results)[0] == 0
        results.close()
        assert set(threading.enumerate()) - before == set()


def test_keyboard_interrupt_stops_the_workers(start):
    before = _pool_workers()
    workers: set[int] = set()

    def interrupt(index: int, result: object) -> None:
        workers.update(_pool_workers() - before)
        raise KeyboardInterrupt

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        list(LocalPool(2).map(st.pid, [0.0] + [30.0] * 6, on_result=interrupt))
    assert time.monotonic() - start < 3
    assert len(workers) == 2
    assert wait_gone(workers) == []


# --------------------------------------------------------------------------- Dask: no cluster


def test_missing_dask_gives_the_install_hint(monkeypatch):
    for name in ("dask", "distributed", "dask.distributed"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(BackendError) as caught:
        DaskCluster("127.0.0.1:8786")
    assert str(caught.value) == INSTALL_HINT
    assert INSTALL_HINT == (
        "a Dask cluster (`scheduler`) needs the dask extra: pip install 'realpolitik[dask]'"
    )
    with pytest.raises(BackendError, match="dask extra"):
        backend(scheduler="tcp://127.0.0.1:8786")


def test_scheduler_addresses_are_validated_and_normalised():
    assert normalise_address("127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert normalise_address(" tcp://sched.example.org:9000 ") == "tcp://sched.example.org:9000"
    assert normalise_address("TLS://10.0.0.5:8786") == "tls://10.0.0.5:8786"
    assert normalise_address("node-1") == "tcp://node-1:8786"
    assert normalise_address("[::1]:8786") == "tcp://[::1]:8786"
    for bad in ("", "http://10.0.0.5:8786", "host:port", "h:0", "h:70000", "tcp://", "a b:1"):
        with pytest.raises(BackendError, match="scheduler address"):
            normalise_address(bad)
    with pytest.raises(BackendError, match="tcp://HOST:PORT"):
        DaskCluster("10.0.0.5:eighty")


@needs_dask
def test_unreachable_scheduler_fails_within_the_timeout():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(BackendError) as caught:
        DaskCluster(f"127.0.0.1:{port}", timeout=2).workers  # noqa: B018 - connects
    assert time.monotonic() - start < 2 + 5
    message = str(caught.value)
    assert f"tcp://127.0.0.1:{port}" in message
    assert "dask scheduler" in message and "dask worker tcp://HOST:8786" in message


# --------------------------------------------------------------------------- Dask: a cluster


class Cluster:
    """A scheduler and two single-threaded workers on 127.0.0.1, each in its own process
    group so that stopping them stops the nannies' worker processes too."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.client: Any = None
        self.address = ""

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "wb")  # the child keeps its own copy
        proc = subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.folder.glob("*.log"))
        )

    def start(self) -> None:
        import distributed

        scheduler = self._start(
            "scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
            "--scheduler-file", str(self.file), "--idle-timeout", "600",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not self.address:
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Dask scheduler did not start\n{self.logs()}")
            try:
                self.address = json.loads(self.file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        for n in (1, 2):
            self._start(
                f"worker{n}", "worker", "--scheduler-file", str(self.file), "--nworkers", "1",
                "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                "--death-timeout", "60",
            )  # fmt: skip
        self.client = distributed.Client(self.address, timeout=30, set_as_default=False)
        try:
            self.client.wait_for_workers(2, timeout=60)
        except Exception as exc:
            raise RuntimeError(f"the Dask workers did not start\n{self.logs()}") from exc

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)

    def n_tasks(self) -> int:
        return self.client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        for proc in reversed(self.processes):  # workers first, then the scheduler
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.processes:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(proc, signal.SIGKILL)  # the group may outlive its leader
            proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


@needs_dask
def test_dask_gives_the_same_bytes_as_in_process(cluster, reference):
    dask = DaskCluster(cluster.address, timeout=10)
    assert dask.workers == 2
    assert dask.describe() == f"Dask cluster at {cluster.address} (2 worker threads)"
    seen: list[int] = []
    pairs = list(dask.map(st.draws, draw_tasks(7), on_result=lambda i, _: seen.append(i)))
    assert sorted(seen) == [index for index, _ in sorted(pairs, key=lambda p: p[0])]
    assert assemble(pairs) == reference
    assert dask.describe() == f"Dask cluster at {cluster.address}"  # client closed


@needs_dask
def test_dask_raises_the_failing_chunks_own_exception_naming_the_chunk(cluster):
    with pytest.raises(ValueError, match="chunk function refused 3") as caught:
        list(DaskCluster(cluster.address).map(st.fail_on, range(8)))
    assert not isinstance(caught.value, RealpolitikError)
    assert "raised by chunk 3" in getattr(caught.value, "__notes__", [])


@needs_dask
def test_dask_closing_early_cancels_the_rest(cluster):
    dask = DaskCluster(cluster.address)
    results = dask.map(st.pid, [0.0] + [0.3] * 30)
    assert next(results)[0] == 0
    results.close()
    assert dask.describe() == f"Dask cluster at {cluster.address}"  # client closed
    deadline = time.monotonic() + 10
    while cluster.n_tasks() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cluster.n_tasks() == 0  # nothing left queued on the scheduler


@needs_dask
def test_dask_workers_must_run_this_version(cluster, monkeypatch):
    import realpolitik._version

    monkeypatch.setattr(realpolitik._version, "__version__", "0.0.0+other")
    with pytest.raises(BackendError, match=r"must run realpolitik 0\.0\.0\+other.* has "):
        list(DaskCluster(cluster.address).map(st.fail_on, range(2)))


SIMULATED = Path(__file__).parent / "data" / "uncertain.yaml"


@needs_dask
def test_dask_simulate_gives_the_bytes_of_a_local_run(cluster):
    from realpolitik.analysis.ensemble import simulate

    local = simulate(SIMULATED, draws=120, seed=11, workers=1)
    remote = simulate(SIMULATED, draws=120, seed=11, scheduler=cluster.address, chunk_size=9)
    assert remote.to_json() == local.to_json()


@needs_dask
def test_dask_simulate_survives_a_killed_worker(cluster):
    """A worker killed after the first chunk of a simulation: its chunks are recomputed by
    the scheduler and the result is the local one, byte for byte. (Kills a worker; its
    nanny starts another.)"""
    from realpolitik.analysis.ensemble import simulate

    pids = cluster.worker_pids()
    victim = sorted(pids.values())[-1]
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        if not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    local = simulate("caucasus-2022", "eum", draws=240, seed=5, rounds=20, workers=1)
    remote = simulate(
        "caucasus-2022", "eum", draws=240, seed=5, rounds=20, scheduler=cluster.address,
        chunk_size=8, progress=kill_once,
    )  # fmt: skip
    assert killed and killed[0] < 240  # the kill came mid-run
    assert wait_gone([victim]) == []
    assert remote.to_json() == local.to_json()
    deadline = time.monotonic() + 60
    while len(cluster.worker_pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)  # the nanny restarts the worker for the tests after this one


@needs_dask
def test_dask_recomputes_the_chunks_of_a_killed_worker(cluster, reference):
    """Last of the Dask tests: it kills a worker (its nanny starts another)."""
    pids = cluster.worker_pids()
    assert len(pids) == 2
    victim = sorted(pids.values())[0]
    pairs = []
    for index, result in DaskCluster(cluster.address).map(st.draws, draw_tasks(5, sleep=0.25)):
        if not pairs:
            os.kill(victim, signal.SIGKILL)
        pairs.append((index, result))
    assert wait_gone([victim]) == []
    assert victim not in cluster.worker_pids().values()
    assert assemble(pairs) == reference


def test_ctrl_c_is_taken_between_waits_never_inside_concurrent_futures():
    """An interrupt inside concurrent.futures.wait, while it takes the futures' locks, can
    leave one held, and the pool's shutdown then hangs the process at exit (seen once in a
    suite run: a killed `simulate -w 2` stuck in _python_exit). The pool's wait holds Ctrl-C
    off and takes it between waits: the interrupt's innermost frame is ours."""
    import threading
    import traceback
    from concurrent.futures import ThreadPoolExecutor

    from realpolitik.runner import backends

    # Ctrl-C as in a terminal, even where this run inherited SIGINT ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with ThreadPoolExecutor(1) as ex:
            f = ex.submit(time.sleep, 0.6)
            threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()
            with pytest.raises(KeyboardInterrupt) as caught:
                backends._wait_quietly({f: 0})
    finally:
        signal.signal(signal.SIGINT, previous)
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert frames[-1].name == "_wait_quietly", frames[-1]
    assert f._condition.acquire(blocking=False)  # no lock left held
    f._condition.release()


def test_adaptive_names_the_failing_chunk_by_its_own_number(monkeypatch, start):
    from realpolitik.runner import backends

    monkeypatch.setattr(backends, "POOL_START", 0.0)
    monkeypatch.setattr(backends, "FORK_START", 0.0)
    with pytest.raises(ValueError, match="chunk function refused 3") as caught:
        list(Adaptive(2).map(st.fail_on, [0, 1, 2, 3, 4]))
    assert "raised by chunk 3" in getattr(caught.value, "__notes__", [])


def test_a_handler_that_does_not_raise_is_called_once_per_interrupt():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from realpolitik.runner import backends

    calls: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda s, f: calls.append(s))
    try:
        with ThreadPoolExecutor(1) as ex:
            f = ex.submit(time.sleep, 0.9)
            threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()
            assert backends._wait_quietly({f: 0}) == {f}
    finally:
        signal.signal(signal.SIGINT, previous)
    assert calls == [signal.SIGINT]
