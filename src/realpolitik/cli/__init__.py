"""The command line: ``realpolitik forecast | simulate | sensitivity | levers | runs |
validate | scenarios | schema | models``.

A thin front end: it parses arguments, calls the public API, and renders. Bad
input never ends in a traceback: problems go to standard error and the exit code
is 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from .. import __version__
from ..errors import RealpolitikError, ScenarioError
from ..forecasting import MAX_ROUNDS
from . import render

app = typer.Typer(
    name="realpolitik",
    help="What is this game, and who will win it? "
    "Forecast political contests with bargaining models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

EXIT_BAD_INPUT = 2


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _problems(exc: ScenarioError) -> typer.Exit:
    err.print(f"[bold red]{exc.describe().splitlines()[0]}[/]")
    for p in exc.problems:
        err.print(f"  {p}", markup=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="A what-if, repeatable: ACTOR.capability*=0.6, ACTOR.ISSUE.salience=90, "
        "ACTOR.ISSUE.position+=10; add @ROUND for a shock from that round "
        "(russia.capability*=0.6@3).",
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option("--store", help="The run-history file (default: the per-user store; see `runs`)."),
]
NoStoreOption = Annotated[
    bool, typer.Option("--no-store", help="Do not record this run in the run history.")
]
ModelOption = Annotated[
    str,
    typer.Option("--model", "-m", help="A model name, a comma-separated list, or 'all'."),
]
RoundsOption = Annotated[
    int | None,
    typer.Option(
        "--rounds",
        "-r",
        min=0,
        max=MAX_ROUNDS,
        help="Rounds of the dynamic models (default: each model's own).",
    ),
]
ScenarioArgument = Annotated[
    str | None,
    typer.Argument(
        help="A scenario file (YAML or CSV) or a built-in name; default: caucasus-2022."
    ),
]


def _models(model: str) -> list[str] | str:
    names = [m.strip() for m in model.split(",") if m.strip()]
    if not names:
        raise _fail("--model: expected a model name or 'all'")
    return names if names != ["all"] else "all"


def _scenario(scenario: str | None, sets: list[str] | None) -> Any:
    """Load a scenario and apply ``--set`` interventions; bad input exits 2."""
    import realpolitik as rp

    from ..scenario.interventions import intervene

    try:
        return intervene(rp.load(scenario), sets or [])
    except ScenarioError as exc:
        raise _problems(exc) from None


def _record(store: str | None, no_store: bool, write: Callable[[Any], int]) -> None:
    """Record a run in the store unless ``--no-store``; a store that cannot be written is
    a warning, not a failure of the run."""
    if no_store:
        return
    from ..runner.store import RunStore, StoreError, default_path

    path = store or default_path()
    try:
        with RunStore(path) as rs:
            run_id = write(rs)
    except (StoreError, OSError) as exc:
        err.print(f"[yellow]warning:[/] run not recorded: {escape(str(exc))}", soft_wrap=True)
        return
    err.print(f"[dim]recorded as run {run_id} in {escape(str(path))}[/]", soft_wrap=True)


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
    sets: SetOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Forecast every issue of a scenario and say who comes out ahead."""
    import realpolitik as rp

    names = _models(model)
    sc = _scenario(scenario, sets)
    try:
        fc = rp.forecast(sc, model=names, rounds=rounds)
    except ScenarioError as exc:
        raise _problems(exc) from None
    except KeyError as exc:
        raise _fail(f"--model: {exc.args[0]}") from None
    except (RealpolitikError, ValueError, TypeError) as exc:
        raise _fail(str(exc)) from None

    def write(rs: Any) -> int:
        from ..runner.store import record_forecast

        return record_forecast(rs, sc, fc, {"set": list(sets or [])})

    _record(store, no_store, write)
    if as_json:
        sys.stdout.write(fc.to_json())
        return
    render.forecast(out, sc, fc)


@app.command()
def simulate(
    scenario: ScenarioArgument = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=1, max=10_000_000, help="Monte Carlo draws.")
    ] = 1000,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", min=0, help="Seed of every draw (default: a fresh one, printed and stored)."
        ),
    ] = None,
    model: ModelOption = "all",
    rounds: RoundsOption = None,
    sets: SetOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Local worker processes (default: every core; 1 runs in this process).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on the Dask cluster at this address (tcp://HOST:PORT); needs the dask extra.",
        ),
    ] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option("--chunk-size", min=1, help="Draws per chunk (the result does not change)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Run Monte Carlo draws over the ranged numbers: where each issue lands, who wins,
    and how surely."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from ..analysis.ensemble import simulate as run_simulation
    from ..runner import BackendError
    from ..runner import backend as make_backend

    names = _models(model)
    sc = _scenario(scenario, sets)
    try:
        runner = make_backend(workers, scheduler)
    except BackendError as exc:
        raise _fail(str(exc)) from None
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    interrupted = False
    with progress:
        bar = progress.add_task(f"{draws:,} draws, {runner.describe()}", total=draws)
        try:
            ens = run_simulation(
                sc,
                names,
                draws=draws,
                seed=seed,
                rounds=rounds,
                chunk_size=chunk_size,
                backend=runner,
                progress=lambda done, total: progress.update(bar, completed=done),
            )
        except KeyboardInterrupt:
            err.print("interrupted before the first chunk finished; nothing was kept")
            raise typer.Exit(130) from None
        except KeyError as exc:
            raise _fail(f"--model: {exc.args[0]}") from None
        except (RealpolitikError, ValueError, TypeError) as exc:
            raise _fail(str(exc)) from None
        finally:
            close = getattr(runner, "close", None)
            if close is not None:
                close()
    if not ens.complete:
        interrupted = True
        err.print(
            f"[yellow]interrupted:[/] kept the first {ens.draws:,} of {ens.requested:,} draws "
            f"(the same as --draws {ens.draws} --seed {ens.seed})",
            soft_wrap=True,
        )

    def write(rs: Any) -> int:
        summary = ens.summary()
        summary["forecasts"] = {
            m: {o.issue: o.mean for o in ens.issue_outlook(m)} for m in ens.models
        }
        return int(
            rs.record(
                "simulate",
                sc,
                {
                    "models": list(ens.models),
                    "model_parameters": {k: dict(v) for k, v in ens.parameters.items()},
                    "draws": ens.requested,
                    "set": list(sets or []),
                    "uncertain": list(ens.uncertain),
                },
                summary,
                seed=ens.seed,
                status="complete" if ens.complete else "partial",
                note=None if ens.complete else f"interrupted after {ens.draws} draws",
            )
        )

    _record(store, no_store, write)
    if as_json:
        sys.stdout.write(ens.to_json())
    else:
        render.ensemble(out, sc, ens)
    if interrupted:
        raise typer.Exit(130)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="A scenario file (YAML or CSV) or a built-in name.")],
) -> None:
    """Check a scenario file and list every problem found (exit code 2 if any)."""
    import realpolitik as rp

    try:
        sc = rp.load(file)
    except ScenarioError as exc:
        raise _problems(exc) from None
    render.validated(out, sc)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    import realpolitik as rp

    from ..scenario import builtins

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

    render.model_list(out, REGISTRY)


from .runs import runs_app  # noqa: E402

app.add_typer(runs_app, name="runs", help="The run history: list, show and compare past runs.")

from .analysis_cmds import levers_cmd, sensitivity_cmd  # noqa: E402

app.command("sensitivity")(sensitivity_cmd)
app.command("levers")(levers_cmd)


def main() -> None:
    """Console-script entry point: no traceback reaches the user unless asked for
    (``REALPOLITIK_DEBUG=1``)."""
    import os

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
        err.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
            "This is a bug in realpolitik; please report it with the command you ran "
            "(REALPOLITIK_DEBUG=1 shows the traceback).",
            soft_wrap=True,
        )
        raise SystemExit(1) from None
