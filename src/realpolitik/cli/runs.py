"""``realpolitik runs list | show | compare``: read the run history.

The commands only read; they never create a store. ``--store PATH`` names the file,
else :func:`realpolitik.runner.store.default_path` says where it is. A store that
cannot be read (a folder, not SQLite, too new, locked, no such run) is an error on
standard error with exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from ..runner.store import (
    Difference,
    ForecastChange,
    RunInfo,
    RunRecord,
    RunStore,
    StoreError,
    default_path,
)
from .common import fail as _fail
from .common import out
from .render import column_groups, fmt, plural, titled_table
from .text import breakable, number

__all__ = ["runs_app"]

runs_app = typer.Typer(
    name="runs",
    help="List, show and compare the runs recorded in the run history.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

#: Longest rendering of one value in a table before it is cut (``--json`` has it all).
WIDTH = 60
#: ... and of a list of names or numbers (about four lines at 80 columns), cut between items.
LIST_WIDTH = 160

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="The run-store file (default: $REALPOLITIK_STORE, else "
        "~/.local/share/realpolitik/runs.sqlite or its platform equivalent).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@contextmanager
def _open(store: Path | None) -> Iterator[RunStore]:
    """The run store ``store`` (default: the user's), open; its errors, opening it or
    reading it, as an error message and exit code 2."""
    try:
        st = RunStore(store if store is not None else default_path(), create=False)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    with st:
        try:
            yield st
        except StoreError as exc:
            raise _fail(str(exc)) from None


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _show(value: Any, sig: int = 3) -> str:
    """One value for a table cell: ``-`` when absent, JSON for lists and mappings, numbers
    with ``sig`` significant digits (:func:`~realpolitik.cli.text.number`); cut at
    :data:`WIDTH` characters, or a list of names or numbers at :data:`LIST_WIDTH` (saying how
    many items it has)."""
    if value is None:
        return "-"
    if isinstance(value, (bool, int, float)):
        return number(value, sig=sig)
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and not any(isinstance(v, (Mapping, list)) for v in value):
        return _cut_list(value, sig)
    else:
        text = _json_text(value, sig)
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "\u2026"


def _json_text(value: Any, sig: int) -> str:
    """``value`` as JSON, its numbers written by :func:`~realpolitik.cli.text.number`."""
    if isinstance(value, Mapping):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))}: {_json_text(v, sig)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json_text(v, sig) for v in value) + "]"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value, sig=sig, missing="NaN")
    return json.dumps(value, ensure_ascii=False)


def _cut_list(items: Sequence[Any], sig: int) -> str:
    """A list of names or numbers, whole, or if longer than :data:`LIST_WIDTH` its first items
    and how many there are (``--json``: all)."""
    whole = _json_text(list(items), sig)
    if len(whole) <= LIST_WIDTH:
        return whole
    tail = f", \u2026] ({plural(len(items), 'item')})"
    shown: list[str] = []
    for item in items:
        text = _json_text(item, sig)
        if len("[" + ", ".join([*shown, text])) + len(tail) > LIST_WIDTH:
            break
        shown.append(text)
    if not shown:
        return f"[\u2026] ({plural(len(items), 'item')})"
    return "[" + ", ".join(shown) + tail


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]


def _flat(data: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    """Nested mappings as ``(dotted.path, leaf)`` pairs; lists stay whole."""
    if isinstance(data, Mapping) and data:
        for k, v in data.items():
            yield from _flat(v, f"{path}.{k}" if path else str(k))
    else:
        yield path, data


def _signed_pct(x: float | None) -> str:
    return number(x, decimals=1, signed=True, percent=True)


# ------------------------------------------------------------------------- list
@runs_app.command("list")
def list_runs(
    store: StoreOption = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only runs of this kind, e.g. forecast.")
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="Only runs of this scenario (its id or content hash)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List the latest runs, newest first."""
    path = store if store is not None else default_path()
    if not path.exists():
        if as_json:
            _json([])
        else:
            out.print(Text(f"No runs recorded yet: there is no run store at {path}."))
        return
    with _open(path) as st:
        rows = st.list(limit=limit, kind=kind, scenario=scenario)
        total = st.count(kind=kind, scenario=scenario)
    if as_json:
        _json([r.to_dict() for r in rows])
        return
    if not rows:
        which = " matching" if kind or scenario else ""
        out.print(Text(f"No{which} runs in {st.path}."))
        return
    _run_table(rows, f"Runs in {st.path} ({len(rows)} of {total}, newest first)")


def _run_table(rows: Sequence[RunInfo], title: str) -> None:
    """The runs, a row each. At 80 columns nothing is cut: the id never wraps, the time may
    go under the date, the scenario's hash is under its id, and a long scenario id, seed or
    status folds onto more lines."""
    table = titled_table(Text(title))
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("created (UTC)")
    table.add_column("kind", no_wrap=True)
    table.add_column("scenario, hash", overflow="fold")
    table.add_column("seed", overflow="fold")
    table.add_column("status", overflow="fold")
    for r in rows:
        status = r.status + (f": {r.note}" if r.note else "")
        scenario = Text(r.scenario_id)
        scenario.append("\n" + _short(r.scenario_hash), style="dim")
        table.add_row(
            str(r.id),
            r.created.replace("T", " ").removesuffix("Z"),
            Text(r.kind),
            scenario,
            "-" if r.seed is None else str(r.seed),
            Text(status, style="yellow" if r.status != "complete" else ""),
        )
    out.print(table)


# ------------------------------------------------------------------------- show
@runs_app.command("show")
def show(
    run_id: Annotated[int, typer.Argument(metavar="ID", help="The run's id (see `runs list`).")],
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one run: its scenario, parameters and results."""
    with _open(store) as st:
        rec = st.get(run_id)
    if as_json:
        _json(rec.to_dict())
        return
    _header(rec.info)
    _key_values("Parameters", _flat(rec.parameters), sig=6)
    summary = dict(rec.summary)
    forecasts = summary.pop("forecasts", None)
    gains = summary.pop("gains", None)
    stability = summary.pop("stability", None)
    if isinstance(forecasts, Mapping) and forecasts:
        _forecast_table(rec, forecasts)
    if isinstance(gains, Mapping) and gains:
        if any(
            g is not None
            for per in gains.values()
            if isinstance(per, Mapping)
            for g in per.values()
        ):
            _gain_table(gains)
        else:
            out.print()
            out.print("Gains: none (no issue has a status quo to measure them against).")
    if isinstance(stability, Mapping):
        _stability_notes(stability)
    if summary:
        _key_values("Summary", _flat(summary))


def _header(info: RunInfo, label: str = "Run") -> None:
    out.print(
        Text(
            f"{label} {info.id}: {info.kind}, {info.created}, realpolitik {info.version}",
            style="bold",
        )
    )
    seed = "" if info.seed is None else f"; seed {info.seed}"
    out.print(
        Text(f"scenario {info.scenario_id} ({info.scenario_hash[:19]}): {info.scenario_name}{seed}")
    )
    if info.status != "complete":
        note = f": {info.note}" if info.note else ""
        out.print(Text(f"status: {info.status}{note}", style="yellow"))
    elif info.note:
        out.print(Text(f"note: {info.note}", style="dim"))


def _key_values(title: str, pairs: Iterable[tuple[str, Any]], sig: int = 3) -> None:
    """A table of keys and values: numbers with ``sig`` significant digits (6 for what a run
    was given, 3 for what it found)."""
    table = titled_table(title, show_header=False)
    table.add_column("", overflow="fold")  # a key too long for the terminal folds
    table.add_column("", overflow="fold")
    for key, value in pairs:
        table.add_row(Text(key or "(empty)"), Text(_show(value, sig)))
    out.print()
    out.print(table)


def _forecast_table(rec: RunRecord, forecasts: Mapping[str, Any]) -> None:
    models = [m for m, v in forecasts.items() if isinstance(v, Mapping)]
    issues: list[str] = []
    for m in models:
        issues += [i for i in forecasts[m] if i not in issues]
    sq = {
        i.get("id"): i.get("status_quo")
        for i in rec.scenario.get("issues", [])
        if isinstance(i, Mapping)
    }
    cells = {m: [_forecast_text(forecasts[m].get(i)) for i in issues] for m in models}
    _by_model(
        "Forecasts",
        ("issue", issues),
        ("status quo", [fmt(sq.get(i)) for i in issues]),
        cells,
    )


def _by_model(
    title: str,
    first: tuple[str, Sequence[str]],
    second: tuple[str, Sequence[str]] | None,
    cells: Mapping[str, Sequence[str]],
) -> None:
    """A table of rows (``first``: its header and the row names; ``second``: a column
    beside it) and a column per model, in as many tables as the models need to fit the
    terminal's width (the names fold beyond 30 characters)."""
    head, names = first
    widths = [max([len(m), *map(len, c)]) for m, c in cells.items()]
    room = min(max([len(head), *map(len, names)]), 30)
    if second is not None:
        room += 3 + max([len(second[0]), *map(len, second[1])])
    groups = column_groups(out.width, room, widths)
    models = list(cells)
    for k, group in enumerate(groups):
        part = f" ({k + 1} of {len(groups)})" if len(groups) > 1 else ""
        table = titled_table(title + part)
        table.add_column(head, overflow="fold")
        if second is not None:
            table.add_column(second[0], justify="right", no_wrap=True)
        for i in group:
            table.add_column(Text(models[i]), justify="right", no_wrap=True)
        for j, name in enumerate(names):
            row = [Text(name)] + ([second[1][j]] if second is not None else [])
            table.add_row(*row, *(cells[models[i]][j] for i in group))
        out.print()
        out.print(table)


def _forecast_text(v: Any) -> str:
    """A recorded forecast: its number, or "undetermined" where the model gave none."""
    return "undetermined" if v is None else fmt(v)


def _gain_table(gains: Mapping[str, Any]) -> None:
    models = [m for m, v in gains.items() if isinstance(v, Mapping)]
    actors: list[str] = []
    for m in models:
        actors += [a for a in gains[m] if a not in actors]
    cells = {m: [_signed_pct(gains[m].get(a)) for a in actors] for m in models}
    _by_model("Gains against the status quo (salience-weighted)", ("actor", actors), None, cells)


def _stability_notes(stability: Mapping[str, Any]) -> None:
    for model, per_issue in stability.items():
        if not isinstance(per_issue, Mapping):
            continue
        undetermined = [
            f"{i} ({v['undetermined']})"
            for i, v in per_issue.items()
            if isinstance(v, Mapping) and isinstance(v.get("undetermined"), str)
        ]
        cycles = [
            f"{i} (period {v.get('cycle_period')})"
            for i, v in per_issue.items()
            if isinstance(v, Mapping) and v.get("cycle_period") and "undetermined" not in v
        ]
        unsettled = [
            i
            for i, v in per_issue.items()
            if isinstance(v, Mapping)
            and v.get("settled") is False
            and not v.get("cycle_period")
            and "undetermined" not in v
        ]
        if undetermined:
            out.print(
                Text(
                    f"note: {model} gives no forecast (undetermined) on " + "; ".join(undetermined),
                    style="yellow",
                )
            )
        if cycles:
            out.print(Text(f"note: {model} cycles on {', '.join(cycles)}", style="yellow"))
        if unsettled:
            out.print(
                Text(f"note: {model} has not settled on {', '.join(unsettled)}", style="yellow")
            )


# ---------------------------------------------------------------------- compare
@runs_app.command("compare")
def compare(
    a: Annotated[int, typer.Argument(metavar="ID", help="The first run (the baseline).")],
    b: Annotated[int, typer.Argument(metavar="ID", help="The second run.")],
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare two runs: scenario, parameters, forecasts and gains."""
    with _open(store) as st:
        cmp = st.compare(a, b)
    if as_json:
        _json(cmp.to_dict())
        return
    _header(cmp.a, "A: run")
    _header(cmp.b, "B: run")
    if cmp.a.kind != cmp.b.kind:
        out.print(
            Text(
                f"note: a {cmp.a.kind} run beside a {cmp.b.kind} run: a simulation's "
                "forecasts are the means over its draws, a forecast's are point values",
                style="yellow",
            ),
            soft_wrap=True,
        )
    if cmp.same_scenario:
        out.print()
        out.print(Text(f"Same scenario ({cmp.a.scenario_hash[:19]})."))
    else:
        _differences(
            f"The scenarios differ in {plural(len(cmp.scenario_differences), 'field')}",
            cmp.scenario_differences,
        )
    if cmp.parameter_differences:
        _differences("Parameters that differ", cmp.parameter_differences)
    else:
        out.print()
        out.print(Text("Same parameters."))
    if cmp.forecasts:
        _changes("Forecasts", "issue", cmp.forecasts, digits=2, none="undetermined")
    if any(c.a is not None or c.b is not None for c in cmp.gains):
        _changes("Gains against the status quo", "actor", cmp.gains, pct=True)
    if cmp.summary_differences:
        _differences("Other results that differ", cmp.summary_differences, sig=3)


def _changed(c: ForecastChange) -> bool:
    if c.delta is None:
        return (c.a is None) != (c.b is None)
    return abs(c.delta) > 1e-12


def _differences(title: str, diffs: Sequence[Difference], sig: int = 6) -> None:
    table = titled_table(Text(title))
    table.add_column("field", overflow="fold")
    table.add_column("A", overflow="fold")
    table.add_column("B", overflow="fold")
    for d in diffs:
        table.add_row(Text(d.path), Text(_show(d.old, sig)), Text(_show(d.new, sig)))
    out.print()
    out.print(table)


def _changes(
    title: str,
    item: str,
    changes: Sequence[ForecastChange],
    *,
    digits: int = 1,
    pct: bool = False,
    none: str = "-",
) -> None:
    def num(x: float | None, signed: bool = False) -> str:
        if pct:
            return number(x, decimals=1, signed=True, percent=True)
        return number(x, decimals=digits, signed=signed, missing="-" if signed else none)

    shown = [c for c in changes if _changed(c)] if pct else changes
    hidden = len(changes) - len(shown)
    caption = f"{hidden} unchanged not shown" if hidden else None
    if not shown:
        out.print()
        out.print(Text(f"{title}: no change.", style="bold"))
        return
    rows = [(c, num(c.a), num(c.b), num(c.delta, signed=True)) for c in shown]
    # the model names whole; an item (an issue id) too long for what is left breaks after a
    # hyphen
    widths = [
        max([len(head), *(len(cell) for cell in col)])
        for head, col in zip(
            ("model", "A", "B", "B - A"),
            zip(*((r[0].model, *r[1:]) for r in rows), strict=True),
            strict=True,
        )
    ]
    left = max(out.width - sum(widths) - (3 * 5 + 1), 12)
    table = titled_table(title, caption=caption)
    table.caption_justify = "left"
    table.add_column("model", overflow="fold")
    table.add_column(item, overflow="fold")
    table.add_column("A", justify="right", no_wrap=True)
    table.add_column("B", justify="right", no_wrap=True)
    table.add_column("B - A", justify="right", no_wrap=True)
    for c, a, b, delta in rows:
        table.add_row(
            Text(c.model),
            Text(breakable(c.item, left)),
            a,
            b,
            Text(delta, style="bold" if _changed(c) else "dim"),
        )
    out.print()
    out.print(table)
