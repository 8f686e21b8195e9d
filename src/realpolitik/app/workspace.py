"""The dashboard's state: workspaces (a scenario being edited), simulation jobs, and the
forecasts and charts shown.

A :class:`Workspace` holds the scenario as opened, the scenario as edited, the edits applied
(interventions, every one through :func:`~realpolitik.intervene`), the issue on show, an
optional pinned variant "A" and its simulation jobs. :class:`Workspaces` writes each of
them and every change to a file (:mod:`.persist`) and keeps the ones in use in memory; the
file keeps the most recently used ones, up to a bound; an older one is dropped and must be
opened again.

A :class:`Job` runs :func:`~realpolitik.simulate` in a background thread and records its
progress, which the page polls, and then hands the result to be recorded in the run history.
:class:`Forecasts` and :class:`Charts` keep the forecasts and the charts of the scenarios
shown, by content hash. Each app holds its own of each (``app.state``): apps share nothing
in memory, only the workspace file they are given.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..analysis.ensemble import Ensemble, simulate
from ..errors import RealpolitikError
from ..forecasting import Forecast, forecast
from ..scenario import Scenario
from ..scenario.interventions import Intervention, intervene
from .persist import JobRow, WorkspaceStore, process_alive

__all__ = ["Cache", "Charts", "Forecasts", "Job", "Workspace", "Workspaces"]

log = logging.getLogger("realpolitik.app")

K = TypeVar("K")
V = TypeVar("V")

#: Jobs kept per workspace (the oldest finished ones are dropped first).
JOBS_KEPT = 4


@dataclass(eq=False)
class Job:
    """One simulation of a workspace's scenario, run in a thread.

    ``scenario`` is what is simulated (with the spread, if asked); ``source_hash`` the
    content hash of the workspace's scenario when the job started, to tell a result that no
    longer matches the edited scenario; ``edits`` the workspace's edits then. ``record``,
    if given, records the finished ensemble in the run history and returns the run's id
    (``run_id``), or ``None`` if it could not."""

    id: str
    scenario: Scenario
    source_hash: str
    draws: int
    seed: int
    spread: float | None = None
    edits: tuple[str, ...] = ()
    record: Callable[[Job, Ensemble], int | None] | None = None
    done: int = 0
    ensemble: Ensemble | None = None
    run_id: int | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    seconds: float | None = None
    resumed: bool = False

    @property
    def running(self) -> bool:
        return self.ensemble is None and self.error is None

    def _progress(self, done: int, total: int) -> None:
        self.done = done

    def run(self) -> None:
        try:
            ens = simulate(
                self.scenario,
                draws=self.draws,
                seed=self.seed,
                workers=1,
                # about 20 steps of progress; the result does not depend on the chunk size
                chunk_size=max(50, -(-self.draws // 20)),
                progress=self._progress,
            )
            if self.record is not None:  # before it shows as done, with its run's id
                self.run_id = self.record(self, ens)
            self.done = self.draws
            self.ensemble = ens
        except RealpolitikError as exc:
            self.error = str(exc)
        except Exception:  # a bug: logged with its traceback, reported without it
            log.exception("simulation job %s failed", self.id)
            self.error = "the simulation failed unexpectedly; the server log has the details"
        finally:
            self.seconds = time.monotonic() - self.started

    def start(self, then: Callable[[], object] = lambda: None) -> None:
        """Run in a daemon thread, then call ``then`` (e.g. to free a slot)."""

        def target() -> None:
            try:
                self.run()
            finally:
                then()

        threading.Thread(target=target, name=f"realpolitik-job-{self.id}", daemon=True).start()


@dataclass(eq=False)
class Workspace:
    """A scenario being edited. Change it only through :meth:`edit`, :meth:`reset`,
    :meth:`pin` and :meth:`add_job`, holding :attr:`lock`."""

    id: str
    base: Scenario
    scenario: Scenario
    issue: str
    edits: list[str] = field(default_factory=list)
    pinned: Scenario | None = None
    pinned_edits: tuple[str, ...] = ()
    jobs: OrderedDict[str, Job] = field(default_factory=OrderedDict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    version: int = 1

    @property
    def last_job(self) -> Job | None:
        return next(reversed(self.jobs.values()), None)

    def edit(self, change: Intervention) -> None:
        """Apply one edit; a :class:`~realpolitik.ScenarioError` leaves the scenario as it
        was."""
        self.scenario = intervene(self.scenario, [change])
        self.edits.append(change.text)

    def reset(self) -> None:
        self.scenario = self.base
        self.edits.clear()

    def pin(self) -> None:
        self.pinned = self.scenario
        self.pinned_edits = tuple(self.edits)

    def unpin(self) -> None:
        self.pinned = None
        self.pinned_edits = ()

    def add_job(self, job: Job) -> None:
        self.jobs[job.id] = job
        while len(self.jobs) > JOBS_KEPT:
            self.jobs.popitem(last=False)


class Workspaces:
    """The workspaces: every change kept in ``store`` (a :class:`~.persist.WorkspaceStore`,
    which holds the ``limit`` most recently used), the ones in use also in memory, up to
    ``limit``. A workspace is read back from the file when it is not in memory (after a
    restart) or when the file holds a newer version of it (another server changed it).
    ``resume`` is called with a workspace read back and each simulation of it that a dead
    process was running, to run it again (thread-safe)."""

    def __init__(
        self,
        store: WorkspaceStore,
        limit: int,
        resume: Callable[[Workspace, JobRow], None] | None = None,
    ) -> None:
        self.store = store
        self.limit = limit
        self.resume = resume
        self._items: OrderedDict[str, Workspace] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, ws: Workspace) -> None:
        with self._lock:
            self._items[ws.id] = ws
            self._items.move_to_end(ws.id)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)

    def forget(self, wid: str) -> None:
        """Drop the copy in memory (the next :meth:`get` reads the file)."""
        with self._lock:
            self._items.pop(wid, None)

    def open(self, scenario: Scenario) -> Workspace:
        ws = Workspace(
            id=secrets.token_urlsafe(16),
            base=scenario,
            scenario=scenario,
            issue=scenario.issue_ids[0],
        )
        self.store.create(ws.id, scenario, ws.issue)
        self._remember(ws)
        return ws

    def get(self, wid: str) -> Workspace | None:
        version = self.store.version(wid)
        with self._lock:
            old = self._items.get(wid)
            if version is None:
                self._items.pop(wid, None)
                return None
            if old is not None and old.version == version:
                self._items.move_to_end(wid)
                return old
        row = self.store.load(wid)
        if row is None:
            self.forget(wid)
            return None
        ws = Workspace(
            id=wid,
            base=row.base,
            scenario=row.scenario,
            issue=row.issue,
            edits=list(row.edits),
            pinned=row.pinned,
            pinned_edits=row.pinned_edits,
            version=row.version,
        )
        if old is not None:  # the same workspace, changed elsewhere: its lock and jobs stay
            ws.lock, ws.jobs = old.lock, old.jobs
        self._remember(ws)
        if self.resume is not None:
            for job in self.store.jobs(wid):
                if job.id not in ws.jobs and not process_alive(job.owner):
                    if self.store.claim_job(job.id, job.owner, os.getpid()):
                        self.resume(ws, job)
        return ws

    def save(self, ws: Workspace) -> bool:
        """Write ``ws`` as it is now, in one transaction (hold its lock); whether the file
        still had it (a workspace dropped meanwhile is not written). If it cannot be
        written, the copy in memory is dropped and the error raised: the workspace is then
        as the file last held it."""
        try:
            version = self.store.save(
                ws.id,
                scenario=ws.scenario,
                issue=ws.issue,
                edits=ws.edits,
                pinned=ws.pinned,
                pinned_edits=ws.pinned_edits,
            )
        except BaseException:
            self.forget(ws.id)
            raise
        if version is None:
            self.forget(ws.id)
            return False
        ws.version = version
        return True


class Cache(Generic[K, V]):
    """The ``limit`` most recently used values, by key (thread-safe). A value missing is
    made outside the lock, so that a slow one holds up no other request (two requests may
    then make the same value; both get an equal one)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: K) -> V | None:
        with self._lock:
            return self._items.get(key)

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class Forecasts(Cache[str, Forecast]):
    """``forecast(sc)`` (every model) of the scenarios shown, kept by content hash, the
    ``limit`` most recently used (thread-safe): an edit recomputes the edited variant only,
    not a pinned one or an unchanged one."""

    def __init__(self, limit: int = 256) -> None:
        super().__init__(limit)

    def get_for(self, sc: Scenario) -> Forecast:
        return self.get(sc.content_hash(), lambda: forecast(sc))

    def has(self, sc: Scenario) -> bool:
        return self.peek(sc.content_hash()) is not None


class Charts(Cache[tuple[str, ...], str]):
    """The charts drawn (their SVG), by what they show: ``(chart, scenario's content hash,
    issue)``, the ``limit`` most recently used (thread-safe)."""

    def __init__(self, limit: int = 192) -> None:
        super().__init__(limit)
