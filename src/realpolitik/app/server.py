"""The dashboard's web server: FastAPI routes that answer with HTML panels.

Every route calls the public API (``setting``, ``target`` and ``intervene`` for edits,
``forecast``, ``simulate``, ``build_report``, the scenario readers) and renders the panels
a change affects; the page's small script (``static/app.js``) swaps them in. Simulations
and reports are recorded in the run history (``RunStore.record_result``), as the command
line records them. Bad input of any kind gets a 4xx answer with a plain message; a 500
means a bug and shows no traceback. The app keeps its state (workspaces, the forecast
cache) on itself (``app.state``), none in this module.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..analysis.ensemble import Ensemble
from ..errors import InputError, RealpolitikError, ScenarioError, check_whole, seed_or_fresh
from ..escapes import shown_in_page
from ..forecasting import Forecast
from ..results import Recordable
from ..scenario import Scenario, builtins, dump_yaml, parse_csv, parse_yaml, read_yaml
from ..scenario.csv_io import slug
from ..scenario.interventions import parse_number, setting, target
from ..scenario.uncertainty import uncertain_inputs, with_spread
from .bounds import scenario_too_large, too_large
from .guards import BODY_SECONDS, DIGITS, Dashboard, Guard
from .persist import JobRow, StateError, WorkspaceStore
from .persist import default_path as default_state_path
from .views import View, draw, draw_shipped, input_text
from .workspace import Charts, Forecasts, Job, Workspace, Workspaces

__all__ = ["create_app"]

#: Monte Carlo draws a dashboard simulation may ask for, and its default.
MAX_DRAWS = 20_000
DEFAULT_DRAWS = 500
#: Simulations running at once on one server (each holds one thread).
MAX_JOBS = 4
#: The report's settings: enough for its bands and indices to mean something, quick to make.
REPORT_DRAWS = 300
REPORT_SOBOL_N = 16

log = logging.getLogger("realpolitik.app")


def _describe(error: Mapping[str, Any]) -> str:
    """One validation error as ``field: what is wrong`` (never echoing the input)."""
    loc = [str(x) for x in error.get("loc", ()) if x not in ("body", "query", "path", "form")]
    return f"{'.'.join(loc) or 'request'}: {error.get('msg', 'invalid')}"


def _attachment(name: str) -> dict[str, str]:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:100] or "download"
    return {"Content-Disposition": f'attachment; filename="{safe}"'}


def _upload_name(filename: str) -> str:
    """The file's own name (no folder), at most 100 characters, as problems name it."""
    return PurePosixPath(filename.replace("\\", "/")).name[:100] or "upload"


def _parse(text: str, name: str) -> Scenario:
    if name.lower().endswith(".csv"):
        return parse_csv(text, name, stem=slug(Path(name).stem, fallback="issue"))
    return parse_yaml(text, name)


def _whole(text: str) -> int | str:
    """``text`` as a number if it is ASCII digits, else as it is (for the check to refuse)."""
    return int(text) if DIGITS.fullmatch(text) else text


def create_app(
    *,
    max_upload_bytes: int = 1_000_000,
    max_workspaces: int = 64,
    allowed_hosts: Sequence[str] | None = None,
    store: str | os.PathLike[str] | None = None,
    record: bool = True,
    workspace_file: str | os.PathLike[str] | None = None,
    body_seconds: float = BODY_SECONDS,
    chart_workers: int = 0,
) -> FastAPI:
    """The dashboard as an ASGI app: serve it with ``uvicorn`` (``realpolitik serve``).

    ``max_upload_bytes`` bounds an uploaded scenario file (larger: 413; and one of more
    than :data:`~.bounds.MAX_ACTORS` actors or :data:`~.bounds.MAX_CELLS` actors x issues:
    413 too, before it is read); ``max_workspaces`` the scenarios kept open (the least
    recently used is dropped first). Every workspace and each of its edits is written to
    the SQLite file ``workspace_file`` before the server answers (default: beside the run
    store, :func:`.persist.default_path`), so that the workspaces survive a restart or a
    kill, and a simulation that a killed server was running runs again, from its seed,
    when its workspace is next opened. ``body_seconds`` is the time a request's body has
    to arrive whole (later: 408). Charts are drawn in the server's threads, or with
    ``chart_workers`` above 0 in a pool of that many processes (matplotlib holds
    Python's lock while it draws: in processes, drawing leaves the numbers of other
    requests their time, but each chart's forecast must be sent there: on 2 busy cores
    threads measured faster, and ``realpolitik serve`` uses them by default);
    ``allowed_hosts`` the host names a request may address (others get 400), which keeps a
    web page elsewhere from reaching a server on this machine through a rebound DNS name;
    ``None`` allows any (``realpolitik serve`` passes the address it binds and the local
    names). Every simulation and report is recorded in the run store ``store`` (default:
    :func:`~realpolitik.runner.store.default_path` when it is recorded), as the command
    line records its runs, unless ``record`` is false; a store that cannot be written is
    logged, not an error of the run."""
    limits = {"max_upload_bytes": max_upload_bytes, "max_workspaces": max_workspaces}
    for label, value in limits.items():
        check_whole(value, label, low=1)
    check_whole(chart_workers, "chart_workers", low=0, high=64)
    if not (isinstance(body_seconds, int | float) and 0 < body_seconds < math.inf):
        raise InputError(
            f"body_seconds: expected a number of seconds above 0, got {body_seconds!r}"
        )

    pools: list[ProcessPoolExecutor] = []  # the chart workers, started when first needed
    pool_lock = threading.Lock()

    def painter(name: str, *args: Any) -> str:
        if not chart_workers or not (len(args) > 1 and isinstance(args[1], Forecast)):
            return draw(name, *args)  # a simulation's charts (once per run) stay here
        with pool_lock:
            if not pools:  # its workers end with this server, however it ends
                from ..runner.backends import process_pool

                pools.append(process_pool(chart_workers))
            pool = pools[0]
        try:
            sc, fc, *rest = args
            return pool.submit(draw_shipped, name, sc, fc.to_dict(), *rest).result()
        except BrokenProcessPool:  # a worker died (killed?): a new pool for the next chart
            log.warning("a chart worker died; starting new ones")
            with pool_lock:
                if pools and pools[0] is pool:
                    pools.pop()
            return draw(name, *args)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        with pool_lock:
            for pool in pools:
                pool.shutdown(wait=False, cancel_futures=True)
            pools.clear()

    app = Dashboard(
        lifespan=lifespan,
        title="realpolitik dashboard",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    if allowed_hosts is not None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    state = WorkspaceStore(
        workspace_file if workspace_file is not None else default_state_path(store),
        limit=max_workspaces,
    )
    workspaces = Workspaces(state, max_workspaces)
    forecasts = Forecasts()
    drawn = Charts()
    app.state.workspaces = workspaces
    app.state.forecasts = forecasts
    app.state.charts = drawn
    slots = threading.BoundedSemaphore(MAX_JOBS)
    env = Environment(
        loader=PackageLoader("realpolitik.app", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown_in_page,  # a name's control characters shown, not written raw
    )
    env.filters["num6"] = input_text
    panels: Any = env.get_template("panels.html").module

    # ------------------------------------------------------------------ helpers
    def view(ws: Workspace, **kw: Any) -> View:
        """A view of ``ws`` with this app's forecast and chart caches."""
        return View(ws, forecasts=forecasts, charts=drawn, painter=painter, **kw)

    def commit(ws: Workspace) -> None:
        """Write the change just made to ``ws`` (holding its lock) before answering."""
        if not workspaces.save(ws):
            raise HTTPException(404, expired)

    def save(result: Recordable, scenario: Scenario | None = None, **extra: Any) -> int | None:
        """Record ``result`` in the run history; its run's id, or ``None`` (logged) if the
        store cannot be written or recording is off."""
        if not record:
            return None
        from ..runner.store import RunStore, StoreError, default_path

        path = store if store is not None else default_path()
        try:
            with RunStore(path) as rs:
                return rs.record_result(result, scenario, extra=extra)
        except (StoreError, OSError, ValueError) as exc:
            log.warning("run not recorded in %s: %s", path, exc)
            return None

    def save_simulation(job: Job, ens: Ensemble) -> int | None:
        run = save(ens, job.scenario, interventions=list(job.edits), spread=job.spread)
        forget_job(job)  # recorded: a restart from now on does not run it again
        return run

    def forget_job(job: Job) -> None:
        try:
            state.end_job(job.id)
        except StateError as exc:
            log.warning("simulation %s not cleared from %s: %s", job.id, state.path, exc)

    def run_job(ws: Workspace, job: Job) -> None:
        """Start ``job`` (a slot held), written down first so that a restart runs it again
        if this process dies before it is recorded."""
        state.add_job(
            JobRow(
                id=job.id,
                workspace=ws.id,
                scenario=job.scenario,
                source_hash=job.source_hash,
                draws=job.draws,
                seed=job.seed,
                spread=job.spread,
                edits=job.edits,
                owner=os.getpid(),
            )
        )
        ws.add_job(job)

        def then() -> None:
            slots.release()
            if job.error is not None:
                forget_job(job)

        job.start(then=then)

    def resume(ws: Workspace, row: JobRow) -> None:
        """Run again a simulation that a server killed meanwhile was running: from its seed
        it gives the same result as it would have."""
        job = Job(
            id=row.id,
            scenario=row.scenario,
            source_hash=row.source_hash,
            draws=row.draws,
            seed=row.seed,
            spread=row.spread,
            edits=row.edits,
            record=save_simulation,
            resumed=True,
        )
        if not slots.acquire(blocking=False):
            job.error = "the server restarted during this simulation and is busy now; run it again"
            ws.add_job(job)
            forget_job(job)
            return
        try:
            run_job(ws, job)
        except BaseException:
            slots.release()
            raise

    workspaces.resume = resume

    def page(v: View | None, notice: str = "", status: int = 200) -> HTMLResponse:
        html = env.get_template("page.html").render(
            v=v,
            notice=notice,
            version=__version__,
            builtins=builtins.names(),
            default=builtins.DEFAULT,
            max_upload=max_upload_bytes,
        )
        return HTMLResponse(html, status_code=status)

    def fragment(
        parts: Mapping[str, str], status: int = 200, location: str | None = None
    ) -> HTMLResponse:
        """Panels for the page's script to swap in: ``{panel id: its new content}``; the
        first carries ``location``, the address the page then shows."""
        out: list[str] = []
        for name, html in parts.items():
            loc = f' data-location="{escape(location)}"' if location and not out else ""
            out.append(f'<div data-panel="{name}"{loc}>{html}</div>')
        return HTMLResponse("".join(out), status_code=status)

    expired = (
        "This workspace is unknown or has expired (the server keeps the "
        f"{max_workspaces} most recently used); open the scenario again."
    )

    def workspace(wid: str) -> Workspace:
        ws = workspaces.get(wid)
        if ws is None:
            raise HTTPException(404, expired)
        return ws

    def opened(sc: Scenario) -> HTMLResponse:
        ws = workspaces.open(sc)
        with ws.lock:
            v = view(ws)
            return fragment(
                {"workspace": panels.workspace(v), "upload-errors": "", "notice": ""},
                location=v.url,
            )

    def sim_message(text: str, status: int) -> HTMLResponse:
        return fragment({"sim-message": panels.message(text)}, status)

    # ------------------------------------------------------------------- routes
    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return page(None)

    @app.post("/open", response_class=HTMLResponse)
    def open_builtin(name: Annotated[str, Form(max_length=200)]) -> HTMLResponse:
        known = builtins.names()
        if name not in known:
            raise HTTPException(
                404, f"no built-in scenario {name!r}; the built-ins are: {', '.join(known)}"
            )
        return opened(read_yaml(builtins.path(name), label=f"builtin:{name}"))

    @app.post("/upload", response_class=HTMLResponse)
    async def upload(request: Request) -> HTMLResponse:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise HTTPException(400, "expected a file sent as multipart/form-data, field 'file'")
        form = await request.form(max_files=1, max_fields=4)
        try:
            file = form.get("file")
            if not isinstance(file, StarletteUploadFile) or not file.filename:
                return fragment(
                    {"upload-errors": panels.message("Choose a file to upload first.")}, 422
                )
            raw = await file.read(max_upload_bytes + 1)
            name = _upload_name(file.filename)
        finally:
            await form.close()
        if len(raw) > max_upload_bytes:
            raise HTTPException(
                413,
                f"{name} is larger than {max_upload_bytes:,} bytes, the most the dashboard "
                "takes; use the command line for larger scenarios",
            )
        if name.lower().endswith(".xlsx"):  # a workbook of the scenario's tables
            return await run_in_threadpool(open_workbook, raw, name)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPException(
                400, f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
            ) from None
        return await run_in_threadpool(open_upload, text, name)

    def open_workbook(raw: bytes, name: str) -> HTMLResponse:
        from ..scenario.xlsx_io import parse_xlsx

        try:
            sc = parse_xlsx(raw, name)
        except ScenarioError as exc:
            return fragment({"upload-errors": panels.upload_errors(name, exc.problems)}, 422)
        big = scenario_too_large(sc, name)  # a workbook is measured once read
        if big is not None:
            raise HTTPException(413, big)
        return opened(sc)

    def open_upload(text: str, name: str) -> HTMLResponse:
        big = too_large(text, name)
        if big is not None:  # measured before anything is built from it
            raise HTTPException(413, big)
        try:
            sc = _parse(text, name)
        except ScenarioError as exc:
            return fragment({"upload-errors": panels.upload_errors(name, exc.problems)}, 422)
        return opened(sc)

    @app.get("/w/{wid}", response_class=HTMLResponse)
    def workspace_page(wid: str) -> HTMLResponse:
        ws = workspaces.get(wid)
        if ws is None:  # a bookmark or a reload after a restart: the page, and what to do
            return page(None, notice=expired, status=404)
        try:  # looked at: dropped after the ones not looked at since (if it can be said)
            state.touch(wid)
        except StateError as exc:
            log.warning("workspace %s not marked as used: %s", wid, exc)
        with ws.lock:
            return page(view(ws))

    @app.get("/w/{wid}/charts", response_class=HTMLResponse)
    def charts_panels(wid: str) -> Response:
        """The charts of the workspace as it is now, which an edit's answer leaves for the
        page to ask for: the numbers first, the drawings (the slow part) after."""
        ws = workspace(wid)
        with ws.lock:
            v = view(ws)
        for chart in ("positions_svg", "trajectory_svg", "gains_svg"):
            if ws.scenario is not v.sc:  # edited again meanwhile: its own answer asks anew
                return Response(status_code=204)
            getattr(v, chart)  # drawn now, one at a time, and kept in the cache
        return fragment({"charts": panels.charts(v), "gains": panels.gains(v)})

    @app.post("/w/{wid}/issue", response_class=HTMLResponse)
    def select_issue(wid: str, issue: Annotated[str, Form(max_length=200)]) -> HTMLResponse:
        ws = workspace(wid)
        with ws.lock:
            if issue not in ws.scenario.issue_ids:
                raise HTTPException(404, f"no issue {issue!r} in this scenario")
            ws.issue = issue
            commit(ws)
            v = view(ws, defer_charts=True)
            return fragment(
                {
                    "issue-picker": panels.issue_picker(v),
                    "editor": panels.editor(v),
                    "forecasts": panels.forecasts(v),
                    "charts": panels.charts(v),
                    "job": panels.job(v) if v.job else "",
                }
            )

    @app.post("/w/{wid}/edit", response_class=HTMLResponse)
    def edit(
        wid: str,
        field: Annotated[str, Form(max_length=300)],
        value: Annotated[str, Form(max_length=100)] = "",
    ) -> HTMLResponse:
        ws = workspace(wid)
        with ws.lock:
            error = None
            try:
                change = setting(field, value)
                if change.value != target(ws.scenario, field).value:
                    ws.edit(change)
                    commit(ws)
            except ScenarioError as exc:
                error = "; ".join(p.message for p in exc.problems)
            if error is not None:
                return fragment({"editor": panels.editor(view(ws, errors={field: error}))}, 422)
            v = view(ws, defer_charts=True)
            return fragment(
                {
                    "editor": panels.editor(v),
                    "summary": panels.summary(v),
                    "bottom-line": panels.bottom_line(v),
                    "forecasts": panels.forecasts(v),
                    "charts": panels.charts(v),
                    "gains": panels.gains(v),
                    "compare": panels.compare(v),
                    "job-stale": panels.stale(v, v.job) if v.job else "",
                    "notice": "",
                }
            )

    def changed(
        wid: str, change: Callable[[Workspace], None], answer: Callable[[View], dict[str, str]]
    ) -> HTMLResponse:
        """``change`` made to the workspace ``wid`` and written; ``answer``'s panels of it."""
        ws = workspace(wid)
        with ws.lock:
            change(ws)
            commit(ws)
            return fragment(answer(view(ws)))

    @app.post("/w/{wid}/reset", response_class=HTMLResponse)
    def reset(wid: str) -> HTMLResponse:
        return changed(
            wid, Workspace.reset, lambda v: {"workspace": panels.workspace(v), "notice": ""}
        )

    @app.post("/w/{wid}/pin", response_class=HTMLResponse)
    def pin(wid: str) -> HTMLResponse:
        return changed(wid, Workspace.pin, lambda v: {"compare": panels.compare(v)})

    @app.post("/w/{wid}/unpin", response_class=HTMLResponse)
    def unpin(wid: str) -> HTMLResponse:
        return changed(wid, Workspace.unpin, lambda v: {"compare": panels.compare(v)})

    @app.post("/w/{wid}/simulate", response_class=HTMLResponse)
    def simulate_start(
        wid: str,
        draws: Annotated[str, Form(max_length=20)] = str(DEFAULT_DRAWS),
        seed: Annotated[str, Form(max_length=30)] = "",
        spread: Annotated[str, Form(max_length=20)] = "",
    ) -> HTMLResponse:
        ws = workspace(wid)
        n, s = draws.strip(), seed.strip()
        try:
            count = check_whole(_whole(n), "draws", low=1, high=MAX_DRAWS)
        except InputError as exc:
            return sim_message(str(exc), 422)
        try:
            chosen = seed_or_fresh(_whole(s) if s else None)
        except InputError as exc:
            return sim_message(f"{exc} (or empty, for a fresh one)", 422)
        width = parse_number(spread) if spread.strip() else None
        if spread.strip() and width is None:
            return sim_message("the spread must be a number above 0 and at most 100", 422)
        with ws.lock:
            running = ws.last_job
            if running is not None and running.running:
                return sim_message(
                    "A simulation is already running for this scenario; wait for it to finish.",
                    409,
                )
            try:
                sc = ws.scenario if width is None else with_spread(ws.scenario, width)
            except RealpolitikError as exc:  # the spread's range is the core's to check
                return sim_message(str(exc), 422)
            if not uncertain_inputs(sc):
                return sim_message(
                    "This scenario gives no ranges, so every draw would equal the forecast. "
                    "Tick the spread option to give every position and salience a range.",
                    422,
                )
            if not slots.acquire(blocking=False):
                return sim_message(
                    f"{MAX_JOBS} simulations are running on this server already; "
                    "try again when one has finished.",
                    429,
                )
            job = Job(
                id=secrets.token_urlsafe(8),
                scenario=sc,
                source_hash=ws.scenario.content_hash(),
                draws=count,
                seed=chosen,
                spread=width,
                edits=tuple(ws.edits),
                record=save_simulation,
            )
            try:
                run_job(ws, job)
            except BaseException:
                slots.release()
                raise
            return fragment({"job": panels.job(view(ws), job), "sim-message": ""})

    @app.get("/w/{wid}/jobs/{jid}", response_class=HTMLResponse)
    def job_state(wid: str, jid: str) -> HTMLResponse:
        ws = workspace(wid)
        with ws.lock:
            job = ws.jobs.get(jid)
            if job is None:
                raise HTTPException(
                    404, "no such simulation in this workspace (the last few are kept); run again"
                )
            return fragment({"job": panels.job(view(ws), job)})

    @app.get("/w/{wid}/scenario.yaml")
    def download_yaml(wid: str) -> Response:
        ws = workspace(wid)
        with ws.lock:
            sc, edited = ws.scenario, bool(ws.edits)
        name = f"{sc.id}{'-edited' if edited else ''}.yaml"
        return Response(dump_yaml(sc), media_type="application/yaml", headers=_attachment(name))

    @app.get("/w/{wid}/report.html")
    def download_report(wid: str) -> Response:
        from ..report import DEFAULT_SPREAD, ReportError, build_report

        ws = workspace(wid)
        with ws.lock:
            sc, edits = ws.scenario, tuple(ws.edits)
        if not slots.acquire(blocking=False):  # reports share the simulations' slots
            raise HTTPException(429, "the server is busy with other runs; try again shortly")
        try:
            report = build_report(
                sc,
                draws=REPORT_DRAWS,
                sobol_n=REPORT_SOBOL_N,
                workers=1,
                interventions=edits,
                unranged_spread=DEFAULT_SPREAD,
            )
            html = report.html()
        except ReportError as exc:
            raise HTTPException(503, f"the report cannot be made: {exc}") from None
        except ScenarioError as exc:
            raise HTTPException(422, f"the report cannot be made: {exc.describe()}") from None
        finally:
            slots.release()
        save(report)
        name = f"{sc.id}{'-edited' if edits else ''}-report.html"
        return HTMLResponse(html, headers=_attachment(name))

    # ------------------------------------------------------------------- errors
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        what = "; ".join(_describe(e) for e in exc.errors()[:5])
        return PlainTextResponse(f"bad request: {what}", 422)

    @app.exception_handler(StateError)
    async def state_error(request: Request, exc: StateError) -> Response:
        log.error("workspace file: %s", exc)
        return PlainTextResponse(
            "the dashboard cannot write its workspaces now (the server's log says why); "
            "nothing was changed: try again",
            503,
        )

    @app.exception_handler(RealpolitikError)
    async def bad_input(request: Request, exc: RealpolitikError) -> Response:
        # bad input that no route answered with a page of its own: what was expected, a 422
        text = exc.describe() if isinstance(exc, ScenarioError) else str(exc)
        return PlainTextResponse(text, 422)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        # Starlette logs the traceback on the server; the page gets no detail of it.
        return PlainTextResponse(
            "internal error: the dashboard hit a bug; the server log has the details", 500
        )

    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    app.add_middleware(Guard, upload_bytes=max_upload_bytes, body_seconds=float(body_seconds))
    return app
