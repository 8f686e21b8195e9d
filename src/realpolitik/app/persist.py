"""The dashboard's workspaces on disk: one SQLite file that survives a restart or a kill.

:class:`WorkspaceStore` keeps, per workspace, the scenario as opened and as edited, the
edits applied (their text, in order), the issue on show and the pinned variant, and the
simulations still running. Each change is written in **one transaction** before the
server answers, so a server killed at any moment (``kill -9`` included) loses at most the
request it was answering: the file holds every change answered before it, or the change
in flight whole, never half of one. Scenarios are stored once per content hash, as the
canonical JSON of :meth:`~realpolitik.Scenario.to_dict`, and read back with
:meth:`~realpolitik.Scenario.from_dict` (the same validation as a file); a scenario no
workspace or simulation refers to any more is deleted in the same transaction.

Each workspace carries a ``version``, raised by every change: a server that keeps a
workspace in memory asks the file for its version on every request and reloads it when
another process has changed it, so that two servers on one file never show a stale one.

The file is in WAL mode (readers never wait for the writer) with ``synchronous=NORMAL``:
a committed change survives the process being killed; a power cut may lose the last
changes, as it may any file not yet flushed. Writers from several processes queue for
up to ``timeout`` seconds. The location: :func:`default_path`, beside the run store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import RealpolitikError
from ..runner.store import install_schema, use_wal
from ..scenario import Scenario

__all__ = [
    "SCHEMA_VERSION",
    "JobRow",
    "StateError",
    "WorkspaceRow",
    "WorkspaceStore",
    "default_path",
]

#: The layout of the file (``PRAGMA user_version``).
SCHEMA_VERSION = 1
#: Seconds a writer waits for another process's write before giving up.
DEFAULT_TIMEOUT = 10.0

_SCHEMA = """
CREATE TABLE scenarios (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    used REAL NOT NULL,
    origin TEXT NOT NULL,
    base TEXT NOT NULL,
    current TEXT NOT NULL,
    issue TEXT NOT NULL,
    edits TEXT NOT NULL,
    pinned TEXT,
    pinned_edits TEXT NOT NULL
);
CREATE INDEX workspaces_by_use ON workspaces(used);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    scenario TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    draws INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    spread REAL,
    edits TEXT NOT NULL,
    owner INTEGER NOT NULL,
    started REAL NOT NULL
);
CREATE INDEX jobs_by_workspace ON jobs(workspace);
"""
_OUR_TABLES = {"scenarios", "workspaces", "jobs"}
_GC = """
DELETE FROM scenarios WHERE hash NOT IN (
    SELECT base FROM workspaces UNION SELECT current FROM workspaces
    UNION SELECT pinned FROM workspaces WHERE pinned IS NOT NULL
    UNION SELECT scenario FROM jobs)
"""


class StateError(RealpolitikError):
    """The dashboard's workspace file cannot be used: not ours, too new, or locked."""


def default_path(store: str | os.PathLike[str] | None = None) -> Path:
    """Where the workspaces live: beside the run store ``store`` (default: the run
    store's :func:`~realpolitik.runner.store.default_path`), named after it:
    ``runs.sqlite`` -> ``runs.dashboard.sqlite``."""
    if store is None:
        from ..runner.store import default_path as store_path

        store = store_path()
    p = Path(store).expanduser()
    return p.with_name(f"{p.stem}.dashboard.sqlite")


@dataclass(frozen=True)
class WorkspaceRow:
    """A workspace as the file holds it."""

    id: str
    version: int
    base: Scenario
    scenario: Scenario
    issue: str
    edits: tuple[str, ...]
    pinned: Scenario | None
    pinned_edits: tuple[str, ...]


@dataclass(frozen=True)
class JobRow:
    """A simulation that was running when it was written: its inputs, and ``owner``, the
    id of the process running it."""

    id: str
    workspace: str
    scenario: Scenario
    source_hash: str
    draws: int
    seed: int
    spread: float | None
    edits: tuple[str, ...]
    owner: int


def _body(sc: Scenario) -> tuple[str, str]:
    body = json.dumps(sc.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
    return sc.content_hash(), body


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this one does). Where that cannot be asked
    safely (Windows, whose ``os.kill`` would end it), it is taken to run."""
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by another user
        return True
    return True


class WorkspaceStore:
    """Workspaces in the SQLite file ``path`` (created with its folders if absent), the
    ``limit`` most recently used. Thread-safe: one connection, used under a lock."""

    def __init__(
        self, path: str | os.PathLike[str], *, limit: int, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.path = Path(path).expanduser()
        self.limit = limit
        self.timeout = float(timeout)
        self._lock = threading.Lock()
        self._scenarios: dict[str, Scenario] = {}  # parsed bodies, by hash (bounded below)
        if self.path.is_dir():
            raise StateError(f"{self.path}: is a folder; expected the dashboard's workspace file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"{self.path}: cannot create the folder {self.path.parent} "
                f"({exc.strerror or exc}); expected a writable location"
            ) from None
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: cannot open ({exc})") from None
        try:
            self._setup()
        except BaseException:
            self._conn.close()
            raise

    # ------------------------------------------------------------- plumbing
    def _fail(self, exc: sqlite3.Error) -> StateError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StateError(
                f"{self.path}: the workspace file is locked by another process (waited "
                f"{self.timeout:g} s); try again"
            )
        return StateError(f"{self.path}: {text}; expected the dashboard's workspace file")

    def _setup(self) -> None:
        c = self._conn
        try:
            c.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            use_wal(c, self.timeout)  # (retried: SQLite does not wait for it)
            c.execute("PRAGMA synchronous = NORMAL")
            with self._transaction():
                version = c.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StateError(
                        f"{self.path}: written by a newer realpolitik (schema {version}); "
                        f"expected schema {SCHEMA_VERSION} or older"
                    )
                if version == 0:
                    foreign = install_schema(c, _SCHEMA, _OUR_TABLES, SCHEMA_VERSION)
                    if foreign:
                        raise StateError(
                            f"{self.path}: a SQLite database of something else (tables "
                            f"{', '.join(foreign)}); expected the dashboard's workspaces"
                        )
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            yield c
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock; SQLite's errors as :class:`StateError`."""
        with self._lock:
            try:
                with self._transaction() as c:
                    yield c
            except sqlite3.Error as exc:
                raise self._fail(exc) from None

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock, to read from; SQLite's errors as
        :class:`StateError`."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise self._fail(exc) from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @staticmethod
    def _put(c: sqlite3.Connection, sc: Scenario) -> str:
        digest, body = _body(sc)
        c.execute("INSERT OR IGNORE INTO scenarios (hash, body) VALUES (?, ?)", (digest, body))
        return digest

    def _scenario(self, c: sqlite3.Connection, digest: str, origin: str) -> Scenario:
        sc = self._scenarios.get(digest)
        if sc is None:
            row = c.execute("SELECT body FROM scenarios WHERE hash = ?", (digest,)).fetchone()
            if row is None:
                raise StateError(f"{self.path}: scenario {digest} is missing; the file is damaged")
            sc = Scenario.from_dict(json.loads(row[0]), origin=origin or "<dashboard>")
            if len(self._scenarios) >= 4 * self.limit:
                self._scenarios.clear()
            self._scenarios[digest] = sc
        return replace(sc, origin=origin) if sc.origin != origin else sc

    # ---------------------------------------------------------------- writes
    def create(self, wid: str, scenario: Scenario, issue: str) -> None:
        """Add a workspace on ``scenario``, dropping the least recently used beyond the
        limit."""
        with self._write() as c:
            digest = self._put(c, scenario)
            c.execute(
                "INSERT INTO workspaces (id, version, used, origin, base, current, issue, "
                "edits, pinned, pinned_edits) VALUES (?, 1, ?, ?, ?, ?, ?, '[]', NULL, '[]')",
                (wid, time.time(), scenario.origin, digest, digest, issue),
            )
            c.execute(
                "DELETE FROM workspaces WHERE id IN (SELECT id FROM workspaces "
                "ORDER BY used DESC LIMIT -1 OFFSET ?)",
                (self.limit,),
            )
            c.execute("DELETE FROM jobs WHERE workspace NOT IN (SELECT id FROM workspaces)")
            c.execute(_GC)

    def save(
        self,
        wid: str,
        *,
        scenario: Scenario,
        issue: str,
        edits: Sequence[str],
        pinned: Scenario | None,
        pinned_edits: Sequence[str],
    ) -> int | None:
        """Write the workspace's state; its new version, or ``None`` if it is gone."""
        with self._write() as c:
            current = self._put(c, scenario)
            pin = self._put(c, pinned) if pinned is not None else None
            cur = c.execute(
                "UPDATE workspaces SET version = version + 1, used = ?, current = ?, issue = ?, "
                "edits = ?, pinned = ?, pinned_edits = ? WHERE id = ?",
                (time.time(), current, issue, json.dumps(list(edits)), pin,
                 json.dumps(list(pinned_edits)), wid),
            )  # fmt: skip
            c.execute(_GC)
            if cur.rowcount == 0:
                return None
            row = c.execute("SELECT version FROM workspaces WHERE id = ?", (wid,)).fetchone()
            return int(row[0])

    def touch(self, wid: str) -> None:
        """Mark the workspace as used now (it is dropped last)."""
        with self._write() as c:
            c.execute("UPDATE workspaces SET used = ? WHERE id = ?", (time.time(), wid))

    def add_job(self, row: JobRow) -> None:
        with self._write() as c:
            digest = self._put(c, row.scenario)
            c.execute(
                "INSERT OR REPLACE INTO jobs (id, workspace, scenario, source_hash, draws, "
                "seed, spread, edits, owner, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.id, row.workspace, digest, row.source_hash, row.draws, row.seed,
                 row.spread, json.dumps(list(row.edits)), row.owner, time.time()),
            )  # fmt: skip

    def end_job(self, jid: str) -> None:
        """The simulation is over (done, failed, recorded): forget it."""
        with self._write() as c:
            c.execute("DELETE FROM jobs WHERE id = ?", (jid,))
            c.execute(_GC)

    def claim_job(self, jid: str, owner: int, pid: int) -> bool:
        """Take over simulation ``jid`` from the dead process ``owner``; whether this
        process got it (another may have been first)."""
        with self._write() as c:
            cur = c.execute(
                "UPDATE jobs SET owner = ?, started = ? WHERE id = ? AND owner = ?",
                (pid, time.time(), jid, owner),
            )
            return cur.rowcount == 1

    # ----------------------------------------------------------------- reads
    def version(self, wid: str) -> int | None:
        """The workspace's version, or ``None`` if the file does not hold it."""
        with self._read() as c:
            row = c.execute("SELECT version FROM workspaces WHERE id = ?", (wid,)).fetchone()
        return None if row is None else int(row[0])

    def load(self, wid: str) -> WorkspaceRow | None:
        with self._read() as c:
            row = c.execute(
                "SELECT version, origin, base, current, issue, edits, pinned, pinned_edits "
                "FROM workspaces WHERE id = ?",
                (wid,),
            ).fetchone()
            if row is None:
                return None
            version, origin, base, current, issue, edits, pinned, pinned_edits = row
            return WorkspaceRow(
                id=wid,
                version=int(version),
                base=self._scenario(c, base, origin),
                scenario=self._scenario(c, current, origin),
                issue=issue,
                edits=tuple(json.loads(edits)),
                pinned=None if pinned is None else self._scenario(c, pinned, origin),
                pinned_edits=tuple(json.loads(pinned_edits)),
            )

    def jobs(self, wid: str) -> list[JobRow]:
        """The simulations of workspace ``wid`` that were running, oldest first."""
        with self._read() as c:
            rows = c.execute(
                "SELECT id, scenario, source_hash, draws, seed, spread, edits, owner "
                "FROM jobs WHERE workspace = ? ORDER BY started",
                (wid,),
            ).fetchall()
            return [
                JobRow(
                    id=jid,
                    workspace=wid,
                    scenario=self._scenario(c, digest, ""),
                    source_hash=source,
                    draws=int(draws),
                    seed=int(seed),
                    spread=spread,
                    edits=tuple(json.loads(edits)),
                    owner=int(owner),
                )
                for jid, digest, source, draws, seed, spread, edits, owner in rows
            ]

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM workspaces").fetchone()[0])
