"""A history of runs in SQLite: what was run, on which scenario, how, and what came out.

:class:`RunStore` opens (or creates) one database file. :meth:`RunStore.record_result`
records any result (a forecast, an ensemble, a sensitivity analysis, levers, a view from
an actor, a back-test, a report) as the command line, the report and the dashboard do:
the kind, parameters, summary, seed and status come from the result itself
(:class:`~realpolitik.results.Recordable`). :meth:`RunStore.record` records a run of any
other kind from the parts given. Each call writes one run in **one transaction**: a
process killed at any moment leaves the store readable and holding either the whole run or
none of it. The database is in WAL mode, so readers never wait for a writer, and writers
from several processes queue for up to ``timeout`` seconds.

Per run the store keeps its kind (``forecast``, ``simulate``, ``sensitivity``,
``levers`` or any other word), the time (UTC), the realpolitik version, the scenario
(its id, name, content hash, and the scenario itself as canonical JSON, stored once
per hash), the parameters, the seed, a summary of the results, and a status
(``complete``, or ``partial`` with a note such as ``interrupted``).

Stored names are the library's, never a command line's: what-if edits are stored as
``interventions`` (runs recorded before this name, which stored them as ``set``, read back
with ``interventions`` too: :data:`RENAMED`).

:func:`default_path` says where the store lives unless told otherwise:
``$REALPOLITIK_STORE``, else ``$XDG_DATA_HOME/realpolitik/runs.sqlite`` (default
``~/.local/share/realpolitik/runs.sqlite``; on Windows
``%APPDATA%\\realpolitik\\runs.sqlite``).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import hashlib
import json
import math
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .._version import __version__
from ..errors import InputError, RealpolitikError, check_seed
from ..forecasting import Forecast
from ..results import Recordable
from ..scenario import Scenario
from ..scenario.diff import Difference, diff

__all__ = [
    "RENAMED",
    "SCHEMA_VERSION",
    "Comparison",
    "Difference",
    "ForecastChange",
    "RunInfo",
    "RunRecord",
    "RunStore",
    "SealedForecast",
    "StoreError",
    "default_path",
    "diff",
    "forecast_summary",
    "install_schema",
    "read_sealed",
    "record_forecast",
    "seal_forecast",
    "use_wal",
]

#: The version of the database layout this module reads and writes (``PRAGMA user_version``).
SCHEMA_VERSION = 1
#: ``status`` of a run: all of it was done, or only part (say why in ``note``).
STATUSES = ("complete", "partial")
#: Seconds a writer waits for another process's write to finish before giving up.
DEFAULT_TIMEOUT = 10.0
#: Parameters stored under an older name, read back under the current one.
RENAMED = {"set": "interventions"}

_SCHEMA = """
CREATE TABLE scenarios (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    created TEXT NOT NULL,
    version TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    scenario_name TEXT NOT NULL,
    scenario_hash TEXT NOT NULL REFERENCES scenarios(hash),
    parameters TEXT NOT NULL,
    seed INTEGER,
    summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('complete', 'partial')),
    note TEXT
);
CREATE INDEX runs_by_scenario ON runs(scenario_id);
CREATE INDEX runs_by_kind ON runs(kind);
"""
_OUR_TABLES = {"scenarios", "runs", "sqlite_sequence"}
_INFO_COLUMNS = (
    "id, kind, created, version, scenario_id, scenario_name, scenario_hash, seed, status, note"
)


class StoreError(RealpolitikError):
    """The run store cannot be used: not a store, too new, locked, or no such run."""


# ------------------------------------------------------------------------ values
@dataclass(frozen=True)
class RunInfo:
    """What a listing shows of one run."""

    id: int
    kind: str
    created: str
    version: str
    scenario_id: str
    scenario_name: str
    scenario_hash: str
    seed: int | None
    status: str
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RunRecord:
    """One run in full: its :class:`RunInfo`, the scenario (as ``Scenario.to_dict()``),
    the parameters and the summary, each as parsed JSON."""

    info: RunInfo
    scenario: dict[str, Any]
    parameters: dict[str, Any]
    summary: dict[str, Any]

    @property
    def id(self) -> int:
        return self.info.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.info.to_dict(),
            "scenario": self.scenario,
            "parameters": self.parameters,
            "summary": self.summary,
        }


class ForecastChange(NamedTuple):
    """One number of the summaries, in run ``a`` and run ``b``, and ``b - a`` (``None``
    unless both are numbers). ``item`` is an issue (forecasts) or an actor (gains)."""

    model: str
    item: str
    a: float | None
    b: float | None
    delta: float | None


@dataclass(frozen=True)
class Comparison:
    """Two runs side by side: whether they ran on the same scenario (same content hash)
    and, if not, how the scenarios differ; how their parameters differ; and each
    model's forecast per issue and gain per actor in both."""

    a: RunInfo
    b: RunInfo
    same_scenario: bool
    scenario_differences: tuple[Difference, ...]
    parameter_differences: tuple[Difference, ...]
    forecasts: tuple[ForecastChange, ...]
    gains: tuple[ForecastChange, ...]
    summary_differences: tuple[Difference, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "same_scenario": self.same_scenario,
            "scenario_differences": [d._asdict() for d in self.scenario_differences],
            "parameter_differences": [d._asdict() for d in self.parameter_differences],
            "forecasts": [c._asdict() for c in self.forecasts],
            "gains": [c._asdict() for c in self.gains],
            "summary_differences": [d._asdict() for d in self.summary_differences],
        }


# ------------------------------------------------------------------------ paths
def default_path() -> Path:
    """Where the run store lives unless a path is given: ``$REALPOLITIK_STORE`` if set;
    on Windows ``%APPDATA%\\realpolitik\\runs.sqlite``; elsewhere
    ``$XDG_DATA_HOME/realpolitik/runs.sqlite``, ``~/.local/share/...`` by default."""
    env = os.environ.get("REALPOLITIK_STORE")
    if env:
        return Path(env).expanduser()
    if os.name == "nt":
        appdata = os.environ.get("APPDATA")
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
        return base / "realpolitik" / "runs.sqlite"
    xdg = os.environ.get("XDG_DATA_HOME")
    # The XDG specification says a relative path there is invalid and to be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "realpolitik" / "runs.sqlite"


# ------------------------------------------------------------------------- JSON
def _plain(x: Any, where: str) -> Any:
    """``x`` as JSON values: mappings with string keys, lists, finite numbers (``nan``
    and infinities become ``None``), strings, booleans, ``None``."""
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, np.ndarray):
        return _plain(x.tolist(), where)
    if isinstance(x, Mapping):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(x)]
    if isinstance(x, (_dt.date, _dt.datetime)):
        return x.isoformat()
    if isinstance(x, Path):
        return str(x)
    raise InputError(
        f"{where}: cannot store a {type(x).__name__} in the run history; "
        "expected numbers, strings, booleans, None, lists and mappings"
    )


def _dumps(x: Any) -> str:
    # Keys keep the caller's order (models in the order run, issues in scenario order).
    return json.dumps(x, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def _canonical(scenario: Scenario | Mapping[str, Any]) -> tuple[dict[str, Any], str, str]:
    """``(dict, canonical JSON, hash)``; the JSON is the text :meth:`Scenario.content_hash`
    hashes, so the stored body and the recorded hash always agree."""
    d = scenario.to_dict() if isinstance(scenario, Scenario) else dict(scenario)
    for key in ("id", "name"):
        if not isinstance(d.get(key), str):
            raise InputError(f"scenario: expected a Scenario or a dict with a string {key!r}")
    body = json.dumps(d, sort_keys=True, separators=(",", ":"), default=str)
    digest = "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()
    return d, body, digest


# ------------------------------------------------------------------------ store
def use_wal(c: sqlite3.Connection, timeout: float) -> None:
    """Put the database of ``c`` in WAL mode (once: the mode stays with the file). SQLite
    does not wait (``busy_timeout``) to change a journal mode while another connection
    holds a lock: two processes creating one file at once had one of them fail at once,
    "locked". So the change is tried again, with short pauses, for up to ``timeout``
    seconds, and is done as soon as the other process has made it. Used by the run store
    and the dashboard's workspaces."""
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        try:
            if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                c.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(2 * pause, 0.05)


def install_schema(
    c: sqlite3.Connection, schema: str, ours: set[str] | frozenset[str], version: int
) -> list[str]:
    """In a SQLite file of schema version 0 (new, or made by something else), inside the
    caller's transaction: if it holds a table not in ``ours``, its tables, sorted (the
    caller refuses the file, in its own words) and nothing changed; else ``schema``'s
    statements run and the file set to ``version``, and ``[]``. For the run store and the
    dashboard's workspaces."""
    tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if tables - ours:
        return sorted(tables)
    for statement in schema.split(";"):
        if statement.strip():
            c.execute(statement)
    c.execute(f"PRAGMA user_version = {version}")
    return []


class RunStore:
    """A run history in one SQLite file, created with its parent folders if absent.

    ``timeout`` is how long (seconds) to wait for another process's write. With
    ``create=False`` a missing file is an error instead of a new store. Use it as a
    context manager, or call :meth:`close`.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT, create: bool = True
    ) -> None:
        self.path = Path(path).expanduser()
        self.timeout = float(timeout)
        self._conn: sqlite3.Connection | None = None
        p = self.path
        if p.is_dir():
            raise StoreError(f"{p}: is a folder; expected a run-store file (e.g. runs.sqlite)")
        if not p.exists():
            if not create:
                raise StoreError(
                    f"{p}: no run store there; expected a file made by recording a run "
                    "(or give another `store` path)"
                )
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{p}: cannot create the folder {p.parent} ({exc.strerror or exc}); "
                    "expected a writable location"
                ) from None
        try:
            self._conn = sqlite3.connect(
                p, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{p}: cannot open ({exc}); expected a readable SQLite file") from None
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------- plumbing
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: the store is closed; expected an open store")
        return self._conn

    def _fail(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
            return StoreError(
                f"{self.path}: the run store is locked by another process (waited "
                f"{self.timeout:g} s); expected it to be free: try again, or use another store"
            )
        if isinstance(exc, sqlite3.DatabaseError) and (
            "not a database" in text or "malformed" in text or "encrypted" in text
        ):
            return StoreError(
                f"{self.path}: not a SQLite database ({text}); expected a realpolitik run store"
            )
        return StoreError(f"{self.path}: {text}; expected a working realpolitik run store")

    def _setup(self) -> None:
        c = self.conn
        try:
            c.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            version = c.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            use_wal(c, self.timeout)
            c.execute("PRAGMA foreign_keys = ON")
            if version == 0:
                c.execute("BEGIN IMMEDIATE")
                try:
                    version = c.execute("PRAGMA user_version").fetchone()[0]
                    if version == 0:  # no other process got there first
                        foreign = install_schema(c, _SCHEMA, _OUR_TABLES, SCHEMA_VERSION)
                        if foreign:
                            raise StoreError(
                                f"{self.path}: a SQLite database of something else (tables "
                                f"{', '.join(foreign)}); expected a realpolitik run store"
                            )
                    c.execute("COMMIT")
                except BaseException:
                    if c.in_transaction:
                        c.execute("ROLLBACK")
                    raise
                self._check_version(version)
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer realpolitik (store schema {version}); "
                f"expected schema {SCHEMA_VERSION} or older: upgrade realpolitik "
                f"(this is {__version__}) to read it"
            )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    # ---------------------------------------------------------------- write
    def record(
        self,
        kind: str,
        scenario: Scenario | Mapping[str, Any],
        parameters: Mapping[str, Any],
        summary: Mapping[str, Any],
        seed: int | None = None,
        status: str = "complete",
        note: str | None = None,
    ) -> int:
        """Record one run in one transaction and return its id.

        ``parameters`` and ``summary`` must be JSON-like (mappings, lists, numbers,
        strings, booleans, ``None``; numpy values are converted, ``nan`` becomes
        ``None``). ``status`` is ``"complete"`` or ``"partial"`` (say why in ``note``).
        """
        if not isinstance(kind, str) or not kind.strip():
            raise InputError("kind: expected a word such as 'forecast' or 'simulate'")
        if status not in STATUSES:
            raise InputError(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")
        if seed is not None:
            seed = check_seed(seed)
        d, body, digest = _canonical(scenario)
        params_json = _dumps(_plain(dict(parameters), "parameters"))
        summary_json = _dumps(_plain(dict(summary), "summary"))
        created = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        c = self.conn
        try:
            c.execute("BEGIN IMMEDIATE")
            try:
                c.execute(
                    "INSERT OR IGNORE INTO scenarios (hash, body) VALUES (?, ?)", (digest, body)
                )
                cur = c.execute(
                    "INSERT INTO runs (kind, created, version, scenario_id, scenario_name, "
                    "scenario_hash, parameters, seed, summary, status, note) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        kind.strip(),
                        created,
                        __version__,
                        d["id"],
                        d["name"],
                        digest,
                        params_json,
                        None if seed is None else int(seed),
                        summary_json,
                        status,
                        note,
                    ),
                )
                run_id = cur.lastrowid
                c.execute("COMMIT")
            except BaseException:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        assert run_id is not None
        return int(run_id)

    def record_result(
        self,
        result: Recordable,
        scenario: Scenario | None = None,
        *,
        kind: str | None = None,
        note: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> int:
        """Record the run that made ``result`` and return its id: what every front end
        records, so that a notebook records a run as the command line does.

        ``scenario`` is the scenario the result was computed from (its content hash must be
        the result's: :class:`~realpolitik.results.SubjectError` otherwise); a report holds
        its own, and a back-test of a table or a folder needs none. The kind is the
        result's ``record_kind`` (``forecast``, ``simulate``, ``sensitivity``, ``levers``,
        ``view-from``, ``backtest``, ``report``) unless ``kind`` is given; the parameters
        are ``result.run_parameters()`` (the models and their parameters, and the
        result's own settings such as ``draws``) updated with ``extra``, what the caller
        did beyond the result, such as ``interventions`` (the what-if edits applied to the
        scenario) or ``spread``; ``extra`` may not replace a parameter of the result. The
        summary is ``result.summary()``, the seed the result's, and the status
        ``result.run_status()`` (``partial`` for an interrupted simulation, its note saying
        so before ``note``).
        """
        subject = result.run_subject(scenario)
        params = result.run_parameters()
        clash = sorted(set(params) & set(extra or {}))
        if clash:
            raise ValueError(
                f"extra: {', '.join(clash)} {'is' if len(clash) == 1 else 'are'} the "
                "result's own parameter; expected other names for what the caller adds"
            )
        params.update(extra or {})
        status, why = result.run_status()
        return self.record(
            kind if kind is not None else result.record_kind,
            subject,
            params,
            result.summary(),
            seed=result.provenance.seed,
            status=status,
            note="; ".join(x for x in (why, note) if x) or None,
        )

    # ----------------------------------------------------------------- read
    def _where(self, kind: str | None, scenario: str | None) -> tuple[str, builtins.list[Any]]:
        clauses, args = [], []
        if kind is not None:
            clauses.append("kind = ?")
            args.append(kind)
        if scenario is not None:
            clauses.append("(scenario_id = ? OR scenario_hash = ?)")
            args += [scenario, scenario]
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), args

    def list(
        self, limit: int | None = 20, kind: str | None = None, scenario: str | None = None
    ) -> builtins.list[RunInfo]:
        """The latest runs first, at most ``limit`` (``None``: all); only those of ``kind``
        and of ``scenario`` (a scenario id or content hash) when given."""
        if limit is not None and limit < 1:
            raise InputError(f"limit: expected 1 or more (or None for all), got {limit}")
        where, args = self._where(kind, scenario)
        sql = f"SELECT {_INFO_COLUMNS} FROM runs{where} ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        try:
            return [RunInfo(*row) for row in self.conn.execute(sql, args)]
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def count(self, kind: str | None = None, scenario: str | None = None) -> int:
        """How many runs there are (of ``kind``, of ``scenario``)."""
        where, args = self._where(kind, scenario)
        try:
            return int(self.conn.execute(f"SELECT count(*) FROM runs{where}", args).fetchone()[0])
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def __iter__(self) -> Iterator[RunInfo]:
        return iter(self.list(limit=None))

    def get(self, run_id: int) -> RunRecord:
        """The run ``run_id`` in full; :class:`StoreError` if there is none."""
        if isinstance(run_id, bool) or not 1 <= int(run_id) < 2**63:
            raise StoreError(f"{self.path}: no run {run_id}; run ids are whole numbers from 1")
        try:
            row = self.conn.execute(
                f"SELECT {_INFO_COLUMNS}, parameters, summary, body FROM runs "
                "LEFT JOIN scenarios ON scenarios.hash = runs.scenario_hash WHERE id = ?",
                (int(run_id),),
            ).fetchone()
            if row is None:
                lo, hi, n = self.conn.execute(
                    "SELECT min(id), max(id), count(*) FROM runs"
                ).fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        if row is None:
            have = (
                "it holds no runs"
                if not n
                else f"it holds run {lo}"
                if n == 1
                else f"it holds {n} runs, ids {lo} to {hi}"
            )
            raise StoreError(
                f"{self.path}: no run {run_id}; expected the id of a recorded run ({have})"
            )
        info = RunInfo(*row[:10])
        try:
            parameters, summary, scenario = (json.loads(x) for x in row[10:])
        except (ValueError, TypeError) as exc:
            raise StoreError(
                f"{self.path}: run {run_id} is damaged ({exc}); expected its parameters, "
                "summary and scenario as JSON"
            ) from None
        if isinstance(parameters, dict) and any(k in parameters for k in RENAMED):
            parameters = {
                RENAMED[k] if k in RENAMED and RENAMED[k] not in parameters else k: v
                for k, v in parameters.items()
            }
        return RunRecord(info=info, scenario=scenario, parameters=parameters, summary=summary)

    def compare(self, a: int, b: int) -> Comparison:
        """Runs ``a`` and ``b`` side by side; see :class:`Comparison`."""
        ra, rb = self.get(a), self.get(b)
        same = ra.info.scenario_hash == rb.info.scenario_hash
        return Comparison(
            a=ra.info,
            b=rb.info,
            same_scenario=same,
            scenario_differences=() if same else tuple(diff(ra.scenario, rb.scenario)),
            parameter_differences=tuple(diff(ra.parameters, rb.parameters, keyed={})),
            forecasts=_changes(ra.summary.get("forecasts"), rb.summary.get("forecasts")),
            gains=_changes(ra.summary.get("gains"), rb.summary.get("gains")),
            summary_differences=tuple(
                diff(
                    {k: v for k, v in ra.summary.items() if k not in ("forecasts", "gains")},
                    {k: v for k, v in rb.summary.items() if k not in ("forecasts", "gains")},
                    keyed={},
                )
            ),
        )


# ---------------------------------------------------------------- differences
def _as_float(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def _changes(a: Any, b: Any) -> tuple[ForecastChange, ...]:
    """Per model and item, the values of two ``{model: {item: number}}`` mappings."""
    a = a if isinstance(a, Mapping) else {}
    b = b if isinstance(b, Mapping) else {}
    out = []
    for model in [*a, *(m for m in b if m not in a)]:
        am = a.get(model) if isinstance(a.get(model), Mapping) else {}
        bm = b.get(model) if isinstance(b.get(model), Mapping) else {}
        for item in [*am, *(i for i in bm if i not in am)]:
            x, y = _as_float(am.get(item)), _as_float(bm.get(item))
            delta = y - x if x is not None and y is not None else None
            out.append(ForecastChange(str(model), str(item), x, y, delta))
    return tuple(out)


# --------------------------------------------------------------- conveniences
def forecast_summary(fc: Forecast) -> dict[str, Any]:
    """The summary :func:`record_forecast` stores (:meth:`Forecast.summary`)."""
    return fc.summary()


def record_forecast(
    store: RunStore,
    scenario: Scenario,
    forecast: Forecast,
    parameters: Mapping[str, Any] | None = None,
    *,
    seed: int | None = None,
    kind: str = "forecast",
    status: str = "complete",
    note: str | None = None,
) -> int:
    """Record a :class:`Forecast` of ``scenario`` and return the run's id: as
    :meth:`RunStore.record_result` records it, with ``parameters`` updating (and here
    allowed to replace) its parameters, and ``seed`` and ``status`` given. New code:
    ``store.record_result(forecast, scenario, extra=...)``.
    """
    subject = forecast.run_subject(scenario)
    params = forecast.run_parameters()
    params.update(parameters or {})
    return store.record(
        kind,
        subject,
        params,
        forecast_summary(forecast),
        seed=forecast.seed if seed is None else seed,
        status=status,
        note=note,
    )


# ------------------------------------------------------------------- sealing
#: The kind of a sealed forecast's run.
SEALED = "sealed"


def _forecasts_digest(forecasts: Mapping[str, Any]) -> str:
    body = json.dumps(_plain(dict(forecasts), "forecasts"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SealedForecast:
    """A forecast recorded before its outcomes were known: the run's id and time (UTC), the
    scenario's id and content hash (without outcomes), each model's parameters and its
    forecast per issue, the SHA-256 of those forecasts (checked when read), and the
    scenario as stored (``Scenario.to_dict()``)."""

    run_id: int
    created: _dt.datetime
    scenario_id: str
    scenario_hash: str
    models: tuple[str, ...]
    parameters: Mapping[str, Mapping[str, Any]]
    forecasts: Mapping[str, Mapping[str, float | None]]
    forecast_sha256: str
    scenario: Mapping[str, Any]


def seal_forecast(
    store: RunStore,
    scenario: Scenario,
    forecast: Forecast,
    parameters: Mapping[str, Any] | None = None,
) -> int:
    """Record ``forecast`` of ``scenario`` as a sealed forecast (kind ``sealed``) and return
    the run's id: its time and the scenario's hash say when it was made and on what, the
    digest of its forecasts that they were not changed since. ``scenario`` must carry no
    outcomes (:meth:`Scenario.without_outcomes`): a seal is made before they are known."""
    if scenario.outcomes:
        raise InputError(
            f"scenario {scenario.id!r} records outcomes; seal the scenario without them "
            "(Scenario.without_outcomes()): a sealed forecast is made before they are known"
        )
    digest = _forecasts_digest(forecast_summary(forecast)["forecasts"])
    extra = {"forecast_sha256": digest, **dict(parameters or {})}
    return store.record_result(forecast, scenario, kind=SEALED, extra=extra)


def read_sealed(store: RunStore, run_id: int) -> SealedForecast:
    """The sealed forecast of run ``run_id``; :class:`StoreError` if the run is not a sealed
    forecast or its forecasts no longer match their digest."""
    rec = store.get(run_id)
    if rec.info.kind != SEALED:
        raise StoreError(
            f"{store.path}: run {run_id} is a {rec.info.kind} run, not a sealed forecast; "
            "seal one with `realpolitik seal SCENARIO`"
        )
    forecasts = rec.summary.get("forecasts")
    digest = rec.parameters.get("forecast_sha256")
    if not isinstance(forecasts, dict) or digest != _forecasts_digest(forecasts):
        raise StoreError(
            f"{store.path}: run {run_id}'s forecasts do not match the digest they were sealed "
            "with; the record was changed after sealing"
        )
    created = _dt.datetime.strptime(rec.info.created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.UTC)
    return SealedForecast(
        run_id=rec.info.id,
        created=created,
        scenario_id=rec.info.scenario_id,
        scenario_hash=rec.info.scenario_hash,
        models=tuple(rec.parameters.get("models", list(forecasts))),
        parameters=dict(rec.parameters.get("model_parameters", {})),
        forecasts=forecasts,
        forecast_sha256=str(digest),
        scenario=rec.scenario,
    )
