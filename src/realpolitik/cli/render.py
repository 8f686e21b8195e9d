"""Rich renderings of API results for the terminal. Nothing here computes a forecast."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..forecasting import Forecast
from ..models.base import ModelSpec
from ..scenario import Scenario

__all__ = ["fmt", "forecast", "model_list", "scenario_list", "validated"]


def fmt(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


def _signed_pct(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{100 * x:+.1f}%"


def forecast(console: Console, sc: Scenario, fc: Forecast) -> None:
    date = f", {sc.date.isoformat()}" if sc.date else ""
    console.print(Text(f"{sc.name}{date}", style="bold"))
    console.print(
        Text(
            f"scenario {sc.id} ({fc.scenario_hash[:19]}), {len(sc.actors)} actors, "
            f"{len(sc.issues)} issues; models: "
            + ", ".join(
                f"{r.model}" + (f" ({r.rounds} rounds)" if r.rounds else "") for r in fc.runs
            ),
            style="dim",
        )
    )
    names = dict(zip(fc.actors, fc.actor_names, strict=True))
    for j, issue in enumerate(sc.issues):
        table = Table(
            title=f"{issue.id}: {issue.question}",
            title_justify="left",
            title_style="bold",
            caption=f"scale {issue.scale_min:g} = {issue.min_label}; "
            f"{issue.scale_max:g} = {issue.max_label}",
            caption_justify="left",
            expand=False,
        )
        table.add_column("", no_wrap=True)
        table.add_column("position", justify="right", no_wrap=True)
        table.add_column("vs status quo", justify="right", no_wrap=True)
        table.add_column("closest actors")
        sq = fc.status_quo[j]
        table.add_row("status quo", fmt(sq), "", "", style="dim")
        for r in fc.runs:
            f = r.forecast[j]
            delta = "" if math.isnan(sq) else f"{f - sq:+.1f}"
            near = ", ".join(f"{names[a]} ({fmt(d)})" for a, d in fc.closest(r.model, issue.id))
            table.add_row(r.model, fmt(f), delta, near)
        console.print()
        console.print(table)
        for r in fc.runs:
            note = _unsettled(r, j, issue.span)
            if note:
                console.print(Text(note, style="yellow"))
    _winners(console, fc, names)


def _unsettled(run, j: int, span: float, last: int = 3) -> str:
    """A warning when a dynamic model's forecast still moves over its last rounds."""
    series = run.per_round.get("median")
    if series is None or run.rounds < last:
        return ""
    tail = series[-last:, j]
    lo, hi = float(tail.min()), float(tail.max())
    if hi - lo <= 0.01 * span:
        return ""
    return (
        f"note: {run.model} has not settled: its forecast moved between {lo:.1f} and {hi:.1f} "
        f"over the last {last} of {run.rounds} rounds."
    )


def _winners(console: Console, fc: Forecast, names: Mapping[str, str]) -> None:
    if all(math.isnan(q) for q in fc.status_quo):
        console.print()
        console.print(
            "Who comes out ahead: no issue has a status quo, so gains cannot be measured."
        )
        return
    gains = {r.model: fc.gains(r.model) for r in fc.runs}
    lead = fc.runs[-1].model

    def rank(actor: str) -> float:
        g = gains[lead][actor]
        return -math.inf if g is None else g

    order = sorted(fc.actors, key=rank, reverse=True)
    table = Table(
        title="Who comes out ahead: salience-weighted gain against the status quo",
        title_justify="left",
        title_style="bold",
        caption="share of each issue's scale by which the outcome moves toward the actor's "
        "position, weighted by its saliences",
        caption_justify="left",
    )
    table.add_column("actor", no_wrap=True)
    for r in fc.runs:
        table.add_column(r.model, justify="right", no_wrap=True)
    for a in order:
        table.add_row(names[a], *(_signed_pct(gains[r.model][a]) for r in fc.runs))
    console.print()
    console.print(table)
    for r in fc.runs:
        g = {a: v for a, v in gains[r.model].items() if v is not None}
        if not g:
            continue
        best = max(g, key=lambda a: g[a])
        worst = min(g, key=lambda a: g[a])
        console.print(
            f"[bold]{r.model}[/]: ahead: {names[best]} ({_signed_pct(g[best])}); "
            f"worst off: {names[worst]} ({_signed_pct(g[worst])})."
        )


def validated(console: Console, sc: Scenario) -> None:
    n_st = len(sc.stances)
    console.print(
        f"[green]ok[/] {sc.origin}: scenario {sc.id!r}, {len(sc.actors)} actors, "
        f"{len(sc.issues)} issues, {n_st} stances, {len(sc.sources)} sources"
    )
    missing_sq = [i.id for i in sc.issues if i.status_quo is None]
    if missing_sq:
        console.print(
            "[yellow]note[/]: no status quo for "
            + ", ".join(missing_sq)
            + "; gains against the status quo will not be computed there"
        )
    weightless = [
        i.id
        for i in sc.issues
        if all(
            sc.actor(s.actor).capability * s.salience == 0 for s in sc.stances if s.issue == i.id
        )
    ]
    if weightless:
        console.print(
            "[yellow]note[/]: no actor puts any capability x salience weight on "
            + ", ".join(weightless)
            + "; its forecasts rest on no weight (compromise and median fall back to "
            "unweighted positions)"
        )
    silent = [a.id for a in sc.actors if not any(s.actor == a.id for s in sc.stances)]
    if silent:
        console.print("[yellow]note[/]: actors without any stance: " + ", ".join(silent))


def scenario_list(console: Console, rows: Sequence[tuple[str, Scenario]], default: str) -> None:
    table = Table(title="Built-in scenarios", title_justify="left", title_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("actors", justify="right")
    table.add_column("issues", justify="right")
    table.add_column("description")
    for name, sc in rows:
        label = f"{name} (default)" if name == default else name
        table.add_row(
            label,
            sc.date.isoformat() if sc.date else "-",
            str(len(sc.actors)),
            str(len(sc.issues)),
            sc.name,
        )
    console.print(table)


def model_list(console: Console, registry: Mapping[str, ModelSpec]) -> None:
    table = Table(title="Models", title_justify="left", title_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("what it computes")
    table.add_column("rounds", justify="right")
    table.add_column("parameters")
    table.add_column("cost per round")
    for name, spec in registry.items():
        params = ", ".join(f"{k}={v}" for k, v in spec.defaults.items()) or "-"
        table.add_row(
            name,
            spec.summary,
            str(spec.default_rounds) if spec.dynamic else "static",
            params,
            spec.complexity,
        )
    console.print(table)
