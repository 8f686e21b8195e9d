"""The command line: ``realpolitik forecast | simulate | sensitivity | levers | report | serve |
runs | validate | draft | export | new | scenarios | schema | models``.

A thin front end: it parses arguments, calls the public API, and renders. Bad
input never ends in a traceback: the library's errors of bad input (a
:class:`~realpolitik.errors.RealpolitikError`) go to standard error and the exit code
is 2. Any other exception is a bug: :func:`main` says so, exit code 1
(``REALPOLITIK_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import __version__
from ..errors import InputError, RealpolitikError, ScenarioError
from .common import (
    ChunkSizeOption,
    JsonOption,
    ModelOption,
    NoStoreOption,
    ParamOption,
    RoundsOption,
    ScenarioArgument,
    SchedulerOption,
    SeedOption,
    SetOption,
    SpreadOption,
    StoreOption,
    WorkersOption,
    err,
    escape,
    on_backend,
    out,
    record,
    user_error,
    write_output,
)
from .common import fail as _fail
from .common import load_scenario as _scenario
from .common import parse_models as _models
from .common import parse_params as _params
from .common import problems as _problems
from .lazy import LazyGroup

app = typer.Typer(
    name="realpolitik",
    help="What is this game, and who will win it? "
    "Forecast political contests with bargaining models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    cls=LazyGroup,  # runs, game, games, sensitivity, ... imported when used (cli/lazy.py)
)


def _version(value: bool) -> None:
    if value:
        out.print(f"realpolitik {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """What is this game, and who will win it?"""


@app.command()
def forecast(
    scenario: ScenarioArgument = None,
    model: ModelOption = "all",
    rounds: RoundsOption = None,
    param: ParamOption = None,
    sets: SetOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Forecast every issue of a scenario and say who comes out ahead."""
    import realpolitik as rp

    names = _models(model)
    params = _params(param, names)
    sc = _scenario(scenario, sets)
    try:
        fc = rp.forecast(sc, model=names, rounds=rounds, params=params)
    except RealpolitikError as exc:
        raise user_error(exc) from None

    if as_json:
        sys.stdout.write(fc.to_json())
    else:
        from . import render

        render.forecast(out, sc, fc)
    record(store, no_store, fc, sc, interventions=list(sets or []))


@app.command()
def simulate(
    scenario: ScenarioArgument = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=1, max=10_000_000, help="Monte Carlo draws.")
    ] = 1000,
    seed: SeedOption = None,
    model: ModelOption = "all",
    rounds: RoundsOption = None,
    param: ParamOption = None,
    sets: SetOption = None,
    spread: SpreadOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkSizeOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Run Monte Carlo draws over the ranged numbers: where each issue lands, who wins,
    and how surely."""
    from ..analysis.ensemble import simulate as run_simulation

    names = _models(model)
    params = _params(param, names)
    sc = _scenario(scenario, sets, spread)
    try:
        ens = on_backend(
            f"{draws:,} draws",
            draws,
            workers,
            scheduler,
            lambda runner, progress: run_simulation(
                sc,
                names,
                draws=draws,
                seed=seed,
                rounds=rounds,
                params=params,
                chunk_size=chunk_size,
                backend=runner,
                progress=progress,
            ),
        )
    except KeyboardInterrupt:
        err.print("interrupted; no draws were kept")
        raise typer.Exit(130) from None
    if not ens.complete:
        err.print(
            f"[yellow]interrupted:[/] kept the first {ens.draws:,} of {ens.requested:,} draws "
            f"(the same as --draws {ens.draws} --seed {ens.seed})",
            soft_wrap=True,
        )

    if as_json:
        sys.stdout.write(ens.to_json())
    else:
        from ..analysis.bottomline import bottom_line
        from ..forecasting import forecast as point_forecast
        from . import render

        fc = point_forecast(sc, model=names, rounds=rounds, params=params)
        render.ensemble(out, sc, ens, bottom_line(fc, sc, ens, spread=spread))
    record(store, no_store, ens, sc, interventions=list(sets or []), spread=spread)
    if not ens.complete:
        raise typer.Exit(130)


@app.command()
def validate(
    scenario: ScenarioArgument = None,
) -> None:
    """Check a scenario file and list every problem found (exit code 2 if any); a valid
    file's summary lists its observed outcomes."""
    import realpolitik as rp

    from . import render

    try:
        sc = rp.load(scenario)
    except ScenarioError as exc:
        raise _problems(exc) from None
    render.validated(out, sc)


@app.command()
def export(
    scenario: ScenarioArgument = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="The file to write (a folder for csv); default: standard output.",
        ),
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="yaml (the scenario format, every field and source), xlsx (a workbook of "
            "its tables), csv (a folder of its tables, one CSV file each) or ktab (KTAB's "
            "spatial model CSV: actors, influence, positions and saliences on 0-100).",
        ),
    ] = "yaml",
    sets: SetOption = None,
) -> None:
    """Write a scenario (a file, a built-in, with --set edits) as YAML, as tables (an XLSX
    workbook or a folder of CSV files) or as KTAB's CSV."""
    from ..scenario import dump_yaml
    from ..scenario.ktab_io import write_ktab_csv
    from . import render

    writers = {"yaml": dump_yaml, "ktab": write_ktab_csv}
    if format not in (*writers, "xlsx", "csv"):
        raise _fail(f"--format must be one of yaml, xlsx, csv, ktab, got {format!r}")
    sc = _scenario(scenario, sets)
    what = (
        f"{format}, {render.plural(len(sc.actors), 'actor')}, "
        f"{render.plural(len(sc.issues), 'issue')}"
    )
    if format in ("xlsx", "csv"):
        _write_tables(sc, format, output, what)
        return
    try:
        text = writers[format](sc)
    except InputError as exc:
        raise _fail(f"{sc.id} cannot be written as {format}: {exc}") from None
    write_output(text, output, what)


def _write_tables(data: object, format: str, output: str | None, what: str) -> None:
    """Write ``data`` (a scenario, or a template's plain data) as an XLSX workbook or a
    folder of CSV tables at ``output``, which they need."""
    from pathlib import Path

    from ..scenario.tables import write_csv_folder
    from ..scenario.xlsx_io import write_xlsx

    if output is None:
        raise _fail(
            f"--format {format} writes "
            + ("a workbook" if format == "xlsx" else "a folder of CSV files")
            + "; name it with --output"
        )
    template = isinstance(data, dict)
    try:
        if format == "xlsx":
            write_xlsx(data, Path(output), template=template)  # type: ignore[arg-type]
        else:
            write_csv_folder(data, Path(output), template=template)  # type: ignore[arg-type]
    except ScenarioError as exc:  # openpyxl missing
        raise _problems(exc) from None
    except InputError as exc:  # a field the tables cannot hold
        raise _fail(f"cannot be written as {format}: {exc}") from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    out.print(f"wrote {escape(output)} ({what})")


@app.command()
def new(
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="The file to write (a folder for csv); default: standard output."
        ),
    ] = None,
    actors: Annotated[
        str | None,
        typer.Option("--actors", help="The actors' ids, comma-separated: iran,us,eu."),
    ] = None,
    issues: Annotated[
        str | None,
        typer.Option("--issues", help="The issues' ids, comma-separated."),
    ] = None,
    scenario_id: Annotated[str, typer.Option("--id", help="The scenario's id.")] = "my-scenario",
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="yaml (commented), xlsx (a workbook) or csv (a folder)."
        ),
    ] = "yaml",
) -> None:
    """Write a scenario to fill in: every blank marked "<fill in>", a stance of every actor
    on every issue; `validate` lists the blanks left."""
    from ..scenario.template import blanks, template_data, template_yaml
    from . import render

    def ids(text: str | None) -> list[str]:
        return [x for x in (text or "").split(",") if x.strip()]

    if format not in ("yaml", "xlsx", "csv"):
        raise _fail(f"--format must be one of yaml, xlsx, csv, got {format!r}")
    try:
        data = template_data(ids(actors), ids(issues), scenario_id=scenario_id)
        text = template_yaml(ids(actors), ids(issues), scenario_id=scenario_id)
    except ScenarioError as exc:
        raise _problems(exc) from None
    what = (
        f"{format}, {render.plural(len(data['actors']), 'actor')}, "
        f"{render.plural(len(data['issues']), 'issue')}, "
        f"{blanks(data)} blanks to fill in"
    )
    if format != "yaml":
        _write_tables(data, format, output, what)
        return
    write_output(text, output, what)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    import realpolitik as rp

    from ..scenario import builtins
    from . import render

    rows = []
    for name in builtins.names():
        sc = rp.load(name)
        rows.append((name, sc))
    render.scenario_list(out, rows, builtins.DEFAULT)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario file format."""
    from ..scenario import json_schema_text

    sys.stdout.write(json_schema_text())


@app.command("models")
def list_models() -> None:
    """List the registered models."""
    from ..models import REGISTRY
    from . import render

    render.model_list(out, REGISTRY)


def entry() -> None:
    """The ``realpolitik`` program (its console script and ``python -m realpolitik``):
    :func:`main`, then the process ends without tearing the interpreter down (a tenth of
    a second after a simulation: every module's objects freed one by one, for nothing).

    Before it ends, what a normal exit does that anyone could see is done: the exit
    handlers run (:mod:`atexit`: a run store, a coverage tool) and standard output and
    error are flushed (a reader that has gone away or a full disk: exit 120, as Python's
    own exit, the latter said on standard error). Where
    another thread is still running (a library's worker, say), or a profiler or debugger
    watches (``python -m cProfile``, which writes its report after the program), the
    normal exit is taken instead, so that nothing is cut short."""
    import atexit
    import contextlib
    import os
    import threading

    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    watched = sys.getprofile() is not None or sys.gettrace() is not None  # cProfile, pdb
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+: cProfile's way, not the above
    if monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6)):
        watched = True
    if watched or threading.active_count() > 1 or not hasattr(atexit, "_run_exitfuncs"):
        raise SystemExit(code)
    status = code if isinstance(code, int) else 0 if code is None else 1
    if not isinstance(code, int) and code is not None and sys.stderr is not None:
        print(code, file=sys.stderr)  # what SystemExit("text") prints
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or getattr(stream, "closed", False):
            continue  # none (its descriptor closed when Python started), or closed: as Python
        try:
            stream.flush()
        except (OSError, ValueError) as exc:  # a reader gone (a closed pipe), a full disk
            status = status or 120
            if stream is sys.stdout and sys.stderr is not None:
                if not isinstance(exc, BrokenPipeError):  # else the reader chose to stop
                    with contextlib.suppress(OSError, ValueError):
                        sys.stderr.write(f"error: the output could not be written: {exc}\n")
    os._exit(status)


def main() -> None:
    """The command line, in this process: no traceback reaches the user unless asked for
    (``REALPOLITIK_DEBUG=1``); ends by raising :class:`SystemExit` (the program itself is
    :func:`entry`)."""
    import errno
    import os
    import warnings

    if not os.environ.get("REALPOLITIK_DEBUG"):
        # numpy's and matplotlib's numeric warnings ("overflow encountered in multiply", with
        # a line of their source) tell a user nothing: a scale near the largest float makes
        # a chart's axis or an intermediate sum overflow; what a command prints is checked
        warnings.filterwarnings("ignore", category=RuntimeWarning)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None
    except MemoryError:
        err.print(
            "[bold red]error:[/] out of memory; try fewer actors per issue or fewer rounds",
            soft_wrap=True,
        )
        raise SystemExit(1) from None
    except Exception as exc:
        if os.environ.get("REALPOLITIK_DEBUG"):
            raise
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            # a full disk is the machine's state, not a bug: say so, and what to do
            where = f" {exc.filename}" if exc.filename else ""
            err.print(
                f"[bold red]error:[/] cannot write{escape(str(where))}: "
                f"{escape(exc.strerror or str(exc))}; free some space (or write elsewhere) "
                "and run it again",
                soft_wrap=True,
            )
            raise SystemExit(1) from None
        err.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
            "This is a bug in realpolitik; please report it with the command you ran "
            "(REALPOLITIK_DEBUG=1 shows the traceback).",
            soft_wrap=True,
        )
        raise SystemExit(1) from None
