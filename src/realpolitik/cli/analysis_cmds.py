"""``realpolitik sensitivity`` and ``realpolitik levers``: which uncertain numbers matter,
and what one actor could change.

The commands are plain functions; :mod:`realpolitik.cli` registers them on its app. They
parse arguments, call :func:`realpolitik.analysis.sensitivity.sensitivity` and
:func:`realpolitik.analysis.levers.levers`, and render the results; bad input goes to
standard error with exit code 2, never a traceback.

The shared options and the handling of bad input come from :mod:`realpolitik.cli.common`.
"""

from __future__ import annotations

import math
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..analysis.levers import Lever, Levers
from ..analysis.sensitivity import Sensitivity, Tornado
from ..errors import RealpolitikError
from ..scenario import Scenario
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
    TopOption,
    WorkersOption,
    fail,
    load_scenario,
    on_backend,
    out,
    parse_models,
    parse_params,
    record,
    user_error,
)
from .render import fmt, plural, titled_table
from .text import breakable, number, possessive, possessives, shown

__all__ = [
    "levers_cmd",
    "render_levers",
    "render_sensitivity",
    "sensitivity_cmd",
]


# ------------------------------------------------------------------ sensitivity


def sensitivity_cmd(
    scenario: ScenarioArgument = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            "-n",
            min=4,
            max=2**20,
            help="Base samples of Saltelli's design, a power of two; the models run "
            "n (g + 2) times for g factors (ranged numbers, or actors with --by actor).",
        ),
    ] = 512,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="What the Sobol indices are over: input (each ranged number), actor (each "
            "actor's ranged numbers together: far fewer runs), or auto (by input up to 24 "
            "ranged numbers, by actor beyond).",
        ),
    ] = "auto",
    seed: SeedOption = None,
    model: ModelOption = "all",
    rounds: RoundsOption = None,
    param: ParamOption = None,
    sets: SetOption = None,
    spread: SpreadOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    chunk_size: ChunkSizeOption = None,
    top: TopOption = 10,
    as_json: JsonOption = False,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Which ranged numbers move each forecast: Sobol indices (S1, ST) and a tornado.
    Needs the sensitivity extra (SALib)."""
    from ..analysis.sensitivity import sensitivity

    names = parse_models(model)
    params = parse_params(param, names)
    sc = load_scenario(scenario, sets, spread)
    res = on_backend(
        "Sobol design",
        None,
        workers,
        scheduler,
        lambda runner, progress: sensitivity(
            sc,
            names,
            n=samples,
            seed=seed,
            rounds=rounds,
            params=params,
            chunk_size=chunk_size,
            backend=runner,
            progress=progress,
            by=by,
        ),
    )

    if as_json:
        sys.stdout.write(res.to_json())
    else:
        render_sensitivity(out, sc, res, top=top)
    record(store, no_store, res, sc, interventions=list(sets or []), spread=spread)


def _share(x: float, conf: float | None = None, sep: str = " ") -> str:
    """A Sobol index, with its 95% confidence (``± c``) after ``sep`` when there is one."""
    text = number(x, decimals=2)
    if text == "-" or conf is None or math.isnan(conf):
        return text
    return f"{text}{sep}± {number(conf, decimals=2)}"


def _with_rest(table: Table, ranked: list[tuple[str, float, float]], top: int, what: str) -> Table:
    """``table`` of the ``top`` first of ``ranked``, captioned with how many more there are
    (``what``: "more actor") and their largest total-order index."""
    if len(ranked) > top:
        table.caption = Text(
            f"and {plural(len(ranked) - top, what)} with ST <= "
            f"{_share(ranked[top][1])} (--top to see more)",
            style="dim",
        )
        table.caption_justify = "left"
    return table


def render_sensitivity(console: Console, sc: Scenario, res: Sensitivity, *, top: int = 10) -> None:
    """Per model and issue: each input's Sobol indices and tornado bar, by ST."""
    date = f", {sc.date.isoformat()}" if sc.date else ""
    console.print(Text(f"{shown(sc.name)}{date}", style="bold"))
    if res.default_spread is not None:
        from .render import default_spread_note

        console.print(Text(default_spread_note(res.default_spread), style="yellow"))
    k = len(res.inputs)
    grouped = res.by == "actor"
    factors = ""
    if grouped:
        actors = sum(f in sc.actor_ids for f in res.factors)
        factors = f" grouped by {plural(actors, 'actor')}"
        if len(res.factors) > actors:  # the status quos, each a factor of its own
            factors += f" and {plural(len(res.factors) - actors, 'status quo')}"
    console.print(
        Text(
            f"scenario {sc.id} ({res.scenario_hash[:19]}); {plural(k, 'uncertain input')}"
            f"{factors}; "
            f"{res.n:,} base samples, {res.evaluations['sobol']:,} + "
            f"{res.evaluations['tornado']} evaluations, seed {res.seed}"
            + (f"; shocks: {'; '.join(res.shocks)}" if res.shocks else ""),
            style="dim",
        )
    )
    ranges = {b.input: (b.low, b.high) for t in next(iter(res.tornado.values())) for b in t.bars}
    from ..scenario.uncertainty import uncertain_inputs

    owners = {h.label: h.actor for h in uncertain_inputs(sc) if h.kind == "shock"}
    constant: list[str] = []
    undetermined: list[str] = []
    broken = False
    for model in res.models:
        for j, issue in enumerate(res.issues):
            s = res.sobol[model][j]
            t = res.tornado[model][j]
            if s.constant:
                constant.append(f"{model} on {issue} (stays at {fmt(t.point)})")
                continue
            if s.undetermined > 0:
                undetermined.append(
                    f"{model} on {issue} ({number(s.undetermined, decimals=0, percent=True)})"
                )
                continue
            bars = {b.input: b for b in t.bars}
            ranked = res.ranked(model, issue)
            if grouped:
                table = _actor_table(res, model, issue, ranked[:top], t, owners)
                console.print(_with_rest(table, ranked, top, "more actor"))
                continue
            rows = []
            for name, _, _ in ranked[:top]:
                i = res.inputs.index(name)
                b = bars[name]
                lo, hi = ranges[name]
                rows.append(
                    (
                        name,
                        f"{number(lo, sig=6)}-{number(hi, sig=6)}",
                        (s.s1[i], s.s1_conf[i]),
                        (s.st[i], s.st_conf[i]),
                        fmt(b.at_low),
                        fmt(b.at_high),
                        number(b.swing, decimals=1, signed=True),
                    )
                )
            table, broke = _sensitivity_table(
                console.width,
                Text(f"{model}: {issue} (at the best estimates {fmt(t.point)})"),
                rows,
            )
            broken |= broke
            console.print(_with_rest(table, ranked, top, "more input"))
    if constant:
        console.print(
            Text(
                "Not moved by any range (indices 0): " + "; ".join(constant) + ".",
                style="yellow",
            )
        )
    if undetermined:
        console.print(
            Text(
                "No indices where the model does not settle on a point in some of the design's "
                "evaluations (the variance of an outcome it does not give is not defined): "
                + "; ".join(undetermined)
                + ".",
                style="yellow",
            )
        )
    if grouped:
        console.print(
            Text(
                "S1: the share of the forecast's variance due to the actor's ranged numbers "
                "alone; ST: the share they take part in, with their interactions (± 95% "
                "confidence). Its top number: the one of its ranged numbers that "
                "moves the forecast most from the low to the high end of its range, every "
                "other number at its best estimate "
                "(--by input for the indices of each number).",
                style="dim",
            )
        )
        return
    console.print(
        Text(
            "S1: the share of the forecast's variance due to the input alone; ST: the share it "
            "takes part in, with its interactions (± 95% confidence). At low / at high: the "
            "forecast with the input at that end of its range and every other number at its "
            "best estimate; swing: high minus low."
            + (
                " A name too long for the terminal is broken after a dot or a hyphen: read "
                "its lines as one (actor.issue.number)."
                if broken
                else ""
            ),
            style="dim",
        )
    )


def _actor_table(
    res: Sensitivity,
    model: str,
    issue: str,
    ranked: list[tuple[str, float, float]],
    t: Tornado,
    owners: dict[str, str],
) -> Table:
    """One issue's actors by ST, each with the one of its numbers whose range swings the
    forecast most (named without the actor, and without the issue when it is this one; a
    shock's value, whose label names the shock, counts as its actor's: ``owners``)."""
    s = res.issue_sobol(model, issue)
    table = titled_table(Text(f"{model}: {issue} (at the best estimates {fmt(t.point)})"))
    table.add_column("actor", overflow="fold")
    for col in ("S1", "ST"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("its top number", overflow="fold")
    table.add_column("swing", justify="right", no_wrap=True)
    for name, _, _ in ranked:
        i = res.factors.index(name)
        own = [
            b for b in t.bars if name in (b.input, b.input.split(".", 1)[0], owners.get(b.input))
        ]
        top = max(own, key=lambda b: abs(b.swing)) if own else None
        label = ""
        if top is not None:
            label = (
                top.input
                if top.input in owners
                else top.input.split(".", 1)[1].removeprefix(f"{issue}.")
            )
        table.add_row(
            Text(name),
            _share(s.s1[i], s.s1_conf[i]),
            _share(s.st[i], s.st_conf[i]),
            Text(label),
            number(top.swing, decimals=1, signed=True) if top else "",
        )
    return table


_SensitivityRow = tuple[str, str, tuple[float, float], tuple[float, float], str, str, str]


def _sensitivity_table(width: int, title: Text, rows: list[_SensitivityRow]) -> tuple[Table, bool]:
    """One issue's inputs, by ST. An input's name is never cut: when the names do not fit
    beside the numbers in ``width`` columns, each index puts its confidence on a second
    line, and a name longer than the room left breaks after a dot or a hyphen (its pieces,
    read together, are the name); says whether one did."""
    headers = ("input", "range", "S1", "ST", "at low", "at high", "swing")

    def cells(sep: str) -> list[list[str]]:
        return [
            [rng, _share(*s1, sep=sep), _share(*st, sep=sep), low, high, swing]
            for _, rng, s1, st, low, high, swing in rows
        ]

    def room(body: list[list[str]]) -> int:
        numbers = sum(
            max(len(line) for cell in (head, *col) for line in cell.split("\n"))
            for head, col in zip(headers[1:], zip(*body, strict=True), strict=True)
        )
        return width - numbers - (3 * len(headers) + 1)

    body = cells(" ")
    longest = max((len(r[0]) for r in rows), default=0)
    if rows and longest > room(body):
        body = cells("\n")
    left = max(room(body), 12) if rows else 0
    table = titled_table(title)
    table.add_column("input", overflow="fold")
    for col in headers[1:]:
        table.add_column(col, justify="right", no_wrap=True)
    broken = False
    for (name, *_), numbers in zip(rows, body, strict=True):
        text = breakable(name, left)
        broken |= text != name
        table.add_row(Text(text), *numbers)
    return table, broken


# ------------------------------------------------------------------ levers


def levers_cmd(
    actor: Annotated[
        str, typer.Option("--actor", "-a", help="The actor whose levers to rank (its id).")
    ],
    scenario: ScenarioArgument = None,
    model: ModelOption = "all",
    rounds: RoundsOption = None,
    param: ParamOption = None,
    sets: SetOption = None,
    step: Annotated[
        list[str] | None,
        typer.Option(
            "--step",
            help="Step of the simulated levers, repeatable: position=10 (% of the scale), "
            "salience=10 (points), capability=20 (% of its value).",
        ),
    ] = None,
    top: TopOption = 10,
    as_json: JsonOption = False,
    store: StoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """What one actor could change to move the forecasts its way: levers, ranked."""
    from ..analysis.levers import levers

    names = parse_models(model)
    params = parse_params(param, names)
    steps = _parse_steps(step or [])
    sc = load_scenario(scenario, sets)
    try:
        res = levers(sc, actor, names, rounds=rounds, params=params, step=steps)
    except RealpolitikError as exc:
        raise user_error(exc) from None

    if as_json:
        sys.stdout.write(res.to_json())
    else:
        render_levers(out, sc, res, top=top)
    record(store, no_store, res, sc, interventions=list(sets or []))


def _parse_steps(items: list[str]) -> dict[str, float]:

    steps: dict[str, float] = {}
    for item in items:
        kind, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            steps[kind.strip()] = float(value)
        except ValueError:
            raise fail(
                f"--step: expected KIND=SIZE (position=10, salience=10 or capability=20), "
                f"got {item!r}"
            ) from None
    return steps


def _pct(x: float | None, digits: int = 2) -> str:
    return number(x, decimals=digits, signed=True, percent=True)


def _change(lv: Lever) -> str:
    if lv.exact:
        return {
            "position": "per 1% of the scale",
            "salience": "per point",
            "capability": "per 1% of it",
        }[lv.kind]
    if lv.kind == "salience":
        return f"{number(lv.step, sig=6)} points"
    if lv.kind == "capability":
        return f"{number(lv.step, sig=6)}% of it"
    return f"{number(lv.step)}% of the scale"


def render_levers(console: Console, sc: Scenario, res: Levers, *, top: int = 10) -> None:
    """Per model: the actor's levers, best first."""
    names = dict(zip(sc.actor_ids, (shown(a.name) for a in sc.actors), strict=True))
    date = f", {sc.date.isoformat()}" if sc.date else ""
    console.print(Text(f"{shown(sc.name)}{date}", style="bold"))
    wants = ", ".join(f"{i} at {fmt(res.positions[i])}" for i in res.issues)
    console.print(
        Text(
            f"scenario {sc.id} ({res.scenario_hash[:19]}); levers of {res.actor_name} "
            f"({res.actor}), who wants {wants}"
            + (f"; shocks (in force): {'; '.join(res.shocks)}" if res.shocks else ""),
            style="dim",
        )
    )
    for model in res.models:
        exact = res.method[model] == "exact"
        values = {i: res.forecast[model][i] for i in res.issues}
        where = ", ".join(
            f"{i} {'undetermined' if math.isnan(v) else fmt(v)}" for i, v in values.items()
        )
        how = "exact rates per unit" if exact else "finite steps"
        table = titled_table(
            Text(
                f"{model}: {how}; forecast {where}; {possessive(res.actor_name)} gain "
                f"{_pct(res.gain[model], 1)}"
            ),
        )
        # nothing is cut at 80 columns: issue ids fold, one a line
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("lever", overflow="fold")
        # narrow terminals: "per 1% of the scale" on two lines, the room to the lever
        table.add_column("change", justify="right", max_width=None if console.width > 100 else 12)
        table.add_column("gain", justify="right", no_wrap=True)
        table.add_column(f"toward {res.actor}", overflow="fold")
        ranked = res.levers[model]
        for rank, lv in enumerate(ranked[:top], start=1):
            toward = "\n".join(f"{i} {_pct(v)}" for i, v in lv.toward.items() if v != 0) or "-"
            # the description is the library's: its "<name>'s" made English here
            text = possessives(lv.describe(res.actor_name, names), names.values())
            if lv.determinacy:
                toward = (
                    f"{toward}; {lv.determinacy_note()}" if toward != "-" else lv.determinacy_note()
                )
            table.add_row(str(rank), Text(text), _change(lv), _pct(lv.gain), Text(toward))
        if len(ranked) > top:
            table.caption = Text(
                f"and {plural(len(ranked) - top, 'more lever')} (--top to see more)", style="dim"
            )
            table.caption_justify = "left"
        console.print(table)
    console.print(
        Text(
            f"gain: the change of {possessive(res.actor_name)} salience-weighted gain (by its "
            "stated "
            "positions and saliences; issues with a status quo), per unit for exact levers, "
            "for the whole step for simulated ones (the median and the EUM are piecewise "
            f"constant). toward {res.actor}: how much nearer its position each forecast ends, "
            'as a share of the scale; "makes i undetermined" (or "determined"): the step '
            "starts (or ends) a cycle or a drift of the model on issue i, which then counts "
            "in neither column.",
            style="dim",
        )
    )
