"""What every command shares: the consoles, the options, and the handling of bad input,
of the run history and of long runs on a backend.

Text from a file never reaches the terminal raw: both consoles are
:class:`~realpolitik.cli.console.SafeConsole`, which writes every control character, escape
sequence and bidi control of what it prints visibly escaped
(:func:`~realpolitik.cli.text.shown_lines`); the renderers also apply
:func:`~realpolitik.cli.text.shown` to names before laying out tables. ``out`` and ``err``
stand for them until first used (:class:`_Deferred`), so that a command that prints nothing
to a console does not import rich.

Bad input never ends in a traceback: :func:`fail` and :func:`problems` print to standard
error and return the ``typer.Exit`` (code 2) to raise; :func:`user_error` does so for any
:class:`~realpolitik.errors.RealpolitikError`, the library's errors of bad input. Only those
are caught: any other exception is a bug, reported as one by :func:`realpolitik.cli.main`
(exit code 1).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer

from ..errors import MAX_SEED, InputError, RealpolitikError, ScenarioError
from ..models.plan import MAX_ROUNDS

if TYPE_CHECKING:
    from rich.progress import Progress

    from .console import SafeConsole

__all__ = [
    "EXIT_BAD_INPUT",
    "ChunkSizeOption",
    "JsonOption",
    "ModelOption",
    "NoStoreOption",
    "RoundsOption",
    "ScenarioArgument",
    "SchedulerOption",
    "SeedOption",
    "SetOption",
    "SpreadOption",
    "StoreOption",
    "TopOption",
    "WorkersOption",
    "err",
    "escape",
    "fail",
    "load_scenario",
    "made",
    "on_backend",
    "out",
    "parse_models",
    "problems",
    "progress_display",
    "record",
    "user_error",
]


class _Deferred:
    """Stands for the console ``make()`` returns, made when first used; every attribute is
    the console's."""

    __slots__ = ("_console", "_make")

    def __init__(self, make: Callable[[], Any]) -> None:
        object.__setattr__(self, "_make", make)
        object.__setattr__(self, "_console", None)

    def _made(self) -> Any:
        console = object.__getattribute__(self, "_console")
        if console is None:
            console = object.__getattribute__(self, "_make")()
            object.__setattr__(self, "_console", console)
        return console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._made(), name, value)

    # (special methods are looked up on the type, not through __getattr__)
    def __enter__(self) -> Any:
        return self._made().__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self._made().__exit__(*exc)


def _stdout() -> SafeConsole:
    from .console import stdout_console

    return stdout_console()


def _stderr() -> SafeConsole:
    from .console import stderr_console

    return stderr_console()


out: SafeConsole = cast("SafeConsole", _Deferred(_stdout))
err: SafeConsole = cast("SafeConsole", _Deferred(_stderr))


def made(console: SafeConsole) -> SafeConsole:
    """The console ``console`` stands for (:class:`_Deferred`), made now if not yet, or
    ``console`` itself: for a rich API handed a console, which uses it as one (rich's live
    display enters it, ``with console:``, which a stand-in cannot be)."""
    if isinstance(console, _Deferred):
        return cast("SafeConsole", console._made())
    return console


def _forget_consoles() -> None:
    """Make both consoles again when next used. A console reads ``COLUMNS`` when it is made,
    so that tests running many commands in one process at different widths (as separate
    runs of the program would) give each its own."""
    for stand_in in (out, err):
        object.__setattr__(stand_in, "_console", None)


def escape(markup: str) -> str:
    """``markup`` with rich's markup escaped (:func:`rich.markup.escape`, imported here on
    first use)."""
    from rich.markup import escape as escaped

    return escaped(markup)


EXIT_BAD_INPUT = 2
T = TypeVar("T")


#: The library's parameter names, as its messages write them (`name` or `name=value`), and
#: the flags that set them on the command line: the core names parameters, the command
#: line translates them into its own words.
FLAGS = {
    "workers": "--workers",
    "scheduler": "--scheduler",
    "store": "--store",
    "spread": "--spread",
    "iso_dates": "--iso-dates",
    "treaty_rule": "--treaty-rule",
    "weights": "--weights",
    "start": "--from",
    "stop": "--to",
    "intervention": "--set",
    "llm_url": "--llm-url",
    "llm_model": "--llm-model",
    "model_file": "--model-file",
    "replay": "--replay",
    "allow_remote": "--allow-remote",
    "timeout": "--timeout",
    "time_limit": "--time-limit",
    "memory_limit": "--memory-limit",
    "by": "--by",
}
_PARAMETER = re.compile(r"`([a-z_]+)(?:=([^`]*))?`")


def in_flags(text: str) -> str:
    """``text`` with the library's parameter names (`workers`, `workers=1`) written as the
    command line's flags (--workers, --workers 1); other names as they are."""

    def flag(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        if name not in FLAGS:
            return m.group(0)
        return FLAGS[name] if value is None else f"{FLAGS[name]} {value}"

    return _PARAMETER.sub(flag, text)


def write_output(text: str, output: str | None, what: str) -> None:
    """``text`` to standard output (``output`` None), or written whole to the file
    ``output`` (never half of it: :func:`~realpolitik.files.write_atomically`) and said so
    with ``what`` it holds; a file that cannot be written is the user's error."""
    if output is None:
        sys.stdout.write(text)
        return
    from ..files import write_atomically

    try:
        write_atomically(output, text)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    out.print(f"wrote {escape(output)} ({what})")


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error (the library's parameter names as flags); return the
    exit (code 2) to raise."""
    err.print(f"[bold red]error:[/] {escape(in_flags(message))}", soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def problems(exc: ScenarioError) -> typer.Exit:
    """Print every problem of ``exc`` (an intervention's named as the --set that gave it);
    return the exit (code 2) to raise."""
    err.print(f"[bold red]{exc.describe().splitlines()[0]}[/]")
    for p in exc.problems[:MAX_PROBLEMS_SHOWN]:
        text = str(p if p.file != "intervention" else replace(p, file="--set"))
        err.print(f"  {in_flags(text)}", markup=False, soft_wrap=True)
    if len(exc.problems) > MAX_PROBLEMS_SHOWN:
        more = len(exc.problems) - MAX_PROBLEMS_SHOWN
        err.print(f"  ... and {more:,} more (the first {MAX_PROBLEMS_SHOWN} are shown)")
    return typer.Exit(EXIT_BAD_INPUT)


#: The problems of one input printed one by one (a table of 20,000 bad rows is not echoed
#: whole to the terminal); the count says how many there are.
MAX_PROBLEMS_SHOWN = 100


def user_error(exc: RealpolitikError) -> typer.Exit:
    """Print a library error of bad input (every problem of a :class:`ScenarioError`, the
    message of any other); return the exit (code 2) to raise."""
    if isinstance(exc, ScenarioError) and exc.problems:
        return problems(exc)
    return fail(exc.describe() if isinstance(exc, ScenarioError) else str(exc))


# ------------------------------------------------------------------ options

ScenarioArgument = Annotated[
    str | None,
    typer.Argument(
        help="A scenario file (YAML or CSV) or a built-in name; default: caucasus-2022."
    ),
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
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        min=1,
        help="Local worker processes (default: every core; 1 runs in this process).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on the Dask cluster at this address (tcp://HOST:PORT); needs the dask extra.",
    ),
]
ChunkSizeOption = Annotated[
    int | None,
    typer.Option("--chunk-size", min=1, help="Draws per chunk (the result does not change)."),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed",
        min=0,
        max=MAX_SEED,
        help="Seed of every random number of the run (default: a fresh one, printed and "
        "recorded); the same seed gives the same result.",
    ),
]
SpreadOption = Annotated[
    float | None,
    typer.Option(
        "--spread",
        help="Give every position and salience without a range one of +-P% of its scale "
        "(positions) or +-P points (saliences), triangular; P above 0, at most 100.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")]
TopOption = Annotated[
    int, typer.Option("--top", min=1, help="Rows per table (the JSON has them all).")
]
StoreOption = Annotated[
    str | None,
    typer.Option("--store", help="The run-history file (default: the per-user store; see `runs`)."),
]
NoStoreOption = Annotated[
    bool, typer.Option("--no-store", help="Do not record this run in the run history.")
]


# ------------------------------------------------------------------ helpers


ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="A model parameter, MODEL.NAME=VALUE (repeatable): eum.q=0.5, "
        "smp.voting_rule=binary, smp.issues=separate. `realpolitik models` lists them.",
    ),
]


def _param_value(text: str) -> Any:
    """A parameter's value from the command line: true/false, none, a whole number, a finite
    number, or else the text itself (the model checks it)."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    for kind in (int, float):
        try:
            value = kind(text.strip())
        except ValueError:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            break
        return value
    return text.strip()


def parse_params(items: list[str] | None, model: list[str] | str) -> dict[str, dict[str, Any]]:
    """``--param MODEL.NAME=VALUE`` as the API's ``params``, each checked against the models
    run and their parameters; bad input exits 2."""
    from ..models.plan import model_names, plan_model

    names = model_names(model)
    params: dict[str, dict[str, Any]] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        name, dot, param = key.strip().partition(".")
        if not (sep and dot and name and param and value.strip()):
            raise fail(f"--param {item}: expected MODEL.NAME=VALUE, such as eum.q=0.5")
        if name not in names:
            raise fail(f"--param {item}: {name!r} is not among the models run ({', '.join(names)})")
        if param.strip() in ("rounds", "details"):
            raise fail(f"--param {item}: {param.strip()} is no model parameter; use --rounds")
        params.setdefault(name, {})[param.strip()] = _param_value(value)
    for name, given in params.items():
        try:
            plan_model(name, **given)
        except RealpolitikError as exc:
            raise fail(f"--param: {exc}") from None
    return params


def parse_models(model: str) -> list[str] | str:
    """``--model``: a list of names, or ``"all"``."""
    from ..models.plan import model_names

    names = [m.strip() for m in model.split(",") if m.strip()]
    if not names:
        raise fail("--model: expected a model name or 'all'")
    try:
        model_names(names)
    except RealpolitikError as exc:
        raise fail(f"--model: {exc}") from None
    return names if names != ["all"] else "all"


def load_scenario(scenario: str | None, sets: list[str] | None, spread: float | None = None) -> Any:
    """Load a scenario, apply ``--set`` interventions, then ``--spread`` (a range on every
    position and salience without one); bad input exits 2."""
    import realpolitik as rp

    from ..scenario.interventions import intervene
    from ..scenario.uncertainty import with_spread

    try:
        sc = intervene(rp.load(scenario), sets or [])
        return sc if spread is None else with_spread(sc, spread)
    except ScenarioError as exc:
        raise problems(exc) from None
    except InputError as exc:  # a --spread out of its range
        raise fail(f"--spread: {exc}") from None


def record(
    store: str | None,
    no_store: bool,
    result: Any,
    scenario: Any = None,
    **extra: Any,
) -> None:
    """Record the run that made ``result`` (of ``scenario``) in the store unless
    ``--no-store``, through :meth:`~realpolitik.runner.store.RunStore.record_result`; a
    store that cannot be written is a warning, not a failure of the run. ``extra`` is what
    the command did beyond the result, under the library's names, never a flag's
    (``interventions`` for ``--set``, ``spread`` for ``--spread``)."""
    if no_store:
        return
    from ..runner.store import RunStore, StoreError, default_path

    path = store or default_path()
    try:
        with RunStore(path) as rs:
            run_id = rs.record_result(result, scenario, extra=extra)
    except (StoreError, OSError) as exc:
        err.print(
            f"[yellow]warning:[/] run not recorded: {escape(in_flags(str(exc)))}", soft_wrap=True
        )
        return
    err.print(f"[dim]recorded as run {run_id} in {escape(str(path))}[/]", soft_wrap=True)


def progress_display() -> Progress:
    """A ``rich.progress.Progress`` on standard error, shown only in a terminal and gone when
    done: a bar per task, with its count and the time left. In a narrow terminal the
    description wraps and the bar shortens: the count and the time are never cut. It is
    redrawn as the work reports progress, not by a thread of its own: a pool forks its
    workers only where no other thread runs (:func:`realpolitik.runner.backends.start_method`),
    and a pool started beside a display thread would start a forkserver instead (a third
    of a second)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Column

    console = made(err)  # (rich enters it: no stand-in)
    narrow = console.width < 120
    return Progress(
        TextColumn("[progress.description]{task.description}", table_column=Column(ratio=1)),
        BarColumn(bar_width=20 if narrow else 40),
        MofNCompleteColumn(table_column=Column(no_wrap=True)),
        TimeRemainingColumn(table_column=Column(no_wrap=True)),
        console=console,
        transient=True,
        disable=not console.is_terminal,
        auto_refresh=False,
    )


def _no_terminal() -> bool:
    """Whether rich takes standard error for no terminal (a pipe, a file), as its console
    would (``Console.is_terminal``: ``TTY_COMPATIBLE`` of 1 or 0 decides, then a
    ``FORCE_COLOR`` set to anything but nothing makes it one): then no progress display is
    made at all (it would be disabled, and making it imports rich's progress, a tenth of a
    second)."""
    import os

    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "0"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color == ""
    try:
        return not sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stream, or a closed one
        return True


@contextmanager
def _progress_bar(description: str, total: int | None) -> Iterator[Callable[[int, int], None]]:
    if _no_terminal():
        yield lambda done, all_: None
        return
    progress = progress_display()
    with progress:
        bar = progress.add_task(description, total=total)
        yield lambda done, all_: progress.update(bar, completed=done, total=all_, refresh=True)


def on_backend(
    what: str,
    total: int | None,
    workers: int | None,
    scheduler: str | None,
    call: Callable[[Any, Callable[[int, int], None]], T],
) -> T:
    """Run ``call(backend, progress)`` on the backend of ``--workers``/``--scheduler``, with
    a progress bar on standard error (in a terminal) described as ``what``; bad input and
    backend errors (a :class:`~realpolitik.errors.RealpolitikError`) exit 2, anything else
    is a bug; the backend is closed whatever happens. (Model names are checked
    before, by :func:`parse_models`.) The many runs are this command's: the allocator
    keeps large arrays' memory for reuse (:func:`~realpolitik.runner.allocator.tune`; not
    in ``serve``, a long-lived server of many threads)."""
    from ..runner import session
    from ..runner.allocator import tune

    tune()

    try:
        with session(None, workers, scheduler) as runner:
            with _progress_bar(f"{what}, {runner.describe()}", total) as progress:
                return call(runner, progress)
    except RealpolitikError as exc:
        raise user_error(exc) from None
