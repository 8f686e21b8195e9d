"""The command line: ``realpolitik forecast | validate | scenarios | schema | models``.

A thin front end: it parses arguments, calls the public API, and renders. Bad
input never ends in a traceback: problems go to standard error and the exit code
is 2.
"""

from __future__ import annotations

import sys
from typing import Annotated

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
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="A scenario file (YAML or CSV) or a built-in name; default: caucasus-2022."
        ),
    ] = None,
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="A model name, a comma-separated list, or 'all'."),
    ] = "all",
    rounds: Annotated[
        int | None,
        typer.Option(
            "--rounds",
            "-r",
            min=0,
            max=MAX_ROUNDS,
            help="Rounds of the dynamic models (default: each model's own).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
) -> None:
    """Forecast every issue of a scenario and say who comes out ahead."""
    import realpolitik as rp

    names = [m.strip() for m in model.split(",") if m.strip()]
    if not names:
        raise _fail("--model: expected a model name or 'all'")
    try:
        sc = rp.load(scenario)
        fc = rp.forecast(sc, model=names if names != ["all"] else "all", rounds=rounds)
    except ScenarioError as exc:
        raise _problems(exc) from None
    except KeyError as exc:
        raise _fail(f"--model: {exc.args[0]}") from None
    except (RealpolitikError, ValueError, TypeError) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        sys.stdout.write(fc.to_json())
        return
    render.forecast(out, sc, fc)


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
