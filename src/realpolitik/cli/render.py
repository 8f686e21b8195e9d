"""Rich renderings of API results for the terminal. Nothing here computes a forecast."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .. import models
from ..analysis.bottomline import BottomLine, constant_mae
from ..analysis.bottomline import bottom_line as compute_bottom_line
from ..analysis.ensemble import BINS, Ensemble
from ..forecasting import Forecast
from ..models.base import ModelSpec
from ..scenario import Scenario
from ..scenario.uncertainty import uncertain_inputs
from .text import breakable, number, shown

__all__ = ["bottom_line", "fmt", "forecast", "model_list", "scenario_list", "validated"]


def fmt(x: float | None, digits: int = 1) -> str:
    """A position (or a distance) on an issue's scale: ``digits`` after the point."""
    return number(x, decimals=digits)


def titled_table(title: str | Text, **options: Any) -> Table:
    """A table in the house style: ``title`` above it, on the left, in bold; ``options``
    as rich's :class:`~rich.table.Table` takes them."""
    return Table(title=title, title_justify="left", title_style="bold", **options)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _signed_pct(x: float | None) -> str:
    return number(x, decimals=1, signed=True, percent=True)


def bottom_line(console: Console, bl: BottomLine) -> None:
    """The bottom line first: a few sentences, then one small table (per model, most
    credible first: its record on DEU III, the contestants' gains, who is ahead and, over
    a simulation, how often)."""
    console.print()
    console.print(Text("Bottom line", style="bold"))
    for sentence in bl.sentences():
        console.print(Text(sentence), soft_wrap=False)
    if not bl.models or not bl.contestants:
        return
    names = {a: shown(n) for a, n in bl.names.items()}
    partial = any(m.standing is not None and m.standing.issues != m.standing.of for m in bl.models)
    table = Table(
        caption=Text(
            "record: mean error on DEU III (points of 0-100) and whether it beats guessing 50 "
            f"({constant_mae()}{'; * on the issues it settles' if partial else ''}); gains: "
            "share of the scale won against the status quo"
            + (
                "; how sure: share of draws in which the leader is ahead"
                if any(m.p_leader for m in bl.models)
                else ""
            ),
            style="dim",
        ),
        caption_justify="left",
    )
    table.add_column("model", no_wrap=True)
    table.add_column("record", no_wrap=True)
    for a in bl.contestants:
        table.add_column(names.get(a, a), justify="right")
    table.add_column("ahead", no_wrap=True)
    sims = any(m.p_leader for m in bl.models)
    if sims:
        table.add_column("how sure", justify="right", no_wrap=True)
    for m in bl.models:
        s = m.standing
        if s is None:
            record = Text("no record", style="dim")
        else:
            mark = {"better": "better", "worse": "worse", "errs": "errs more"}.get(
                s.verdict().split()[0], "unclear"
            )
            record = Text(
                f"{s.mae:.1f}{'*' if s.issues != s.of else ''} {mark}",
                style="red" if s.worse_than_constant else "",
            )
        lead = (
            Text("undetermined", style="yellow")
            if not m.determinate
            else Text("tie" if m.leader is None else names.get(m.leader, m.leader))
        )
        row: list[Any] = [
            m.model,
            record,
            *(_signed_pct(m.contestants[a]) for a in bl.contestants),
            lead,
        ]
        if sims:
            p = m.p_leader or {}
            row.append("-" if m.leader is None or m.leader not in p else _pct(p[m.leader]))
        table.add_row(*row)
    console.print(table)
    console.print()


def default_spread_note(spread: float) -> str:
    """What a result drawn with the calibrated default spread says of it."""
    from ..analysis.calibration import checked_coverage

    c = checked_coverage("compromise")
    short = (
        ""
        if c is None
        else f"; on real EU negotiations even intervals so drawn held only "
        f"{c.covered['90']:.0%} of outcomes in their 90% band"
    )
    return (
        "No number of this scenario has a range: every position and salience was drawn with "
        f"the calibrated default spread of ±{number(spread, sig=6)} (% of the scale; points of "
        "salience)"
        f"{short} (docs/explanation/calibration.md)."
    )


def forecast(console: Console, sc: Scenario, fc: Forecast) -> None:
    date = f", {sc.date.isoformat()}" if sc.date else ""
    console.print(Text(f"{shown(sc.name)}{date}", style="bold"))
    console.print(
        Text(
            f"scenario {sc.id} ({fc.scenario_hash[:19]}), {plural(len(sc.actors), 'actor')}, "
            f"{plural(len(sc.issues), 'issue')}; models: "
            + ", ".join(
                f"{r.model}" + (f" ({r.rounds} rounds)" if r.rounds else "") for r in fc.runs
            ),
            style="dim",
        )
    )
    bl = compute_bottom_line(fc, sc)
    bottom_line(console, bl)
    names = dict(zip(fc.actors, map(shown, fc.actor_names), strict=True))
    for j, issue in enumerate(sc.issues):
        table = titled_table(
            Text(f"{issue.id}: {shown(issue.question)}"),
            caption=Text(
                f"scale {number(issue.scale_min, sig=6)} = {shown(issue.min_label)}; "
                f"{number(issue.scale_max, sig=6)} = {shown(issue.max_label)}"
            ),
            caption_justify="left",
            expand=False,
        )
        table.add_column("", no_wrap=True)
        table.add_column("position", justify="right", no_wrap=True)
        table.add_column("vs status quo", justify="right", no_wrap=True)
        table.add_column("closest actors")
        sq = fc.status_quo[j]
        table.add_row("status quo", fmt(sq), "", "", style="dim")
        notes = []
        for r in fc.runs:
            end = r.issue_forecast(j, issue.id)
            if end.value is None:
                table.add_row(r.model, "undetermined", "", Text(end.describe(), style="yellow"))
            else:
                delta = "" if math.isnan(sq) else number(end.value - sq, decimals=1, signed=True)
                near = ", ".join(f"{names[a]} ({fmt(d)})" for a, d in fc.closest(r.model, issue.id))
                table.add_row(r.model, fmt(end.value), delta, Text(near))
            if end.kind in ("cycle", "moving"):
                notes.append(end.note())
        console.print()
        console.print(table)
        for note in notes:
            console.print(Text("note: " + note, style="yellow"))
    absent = int(np.isnan(fc.position).sum())
    for r in fc.runs:
        spec = models.get(r.model)
        if absent and spec.joint and r.parameters.get("issues") != "separate":
            console.print(
                Text(
                    f"note: {r.model} runs the issues as one space; the {plural(absent, 'stance')} "
                    "this scenario leaves out (an actor on an issue) hold the issue's status quo "
                    f"there with no salience (--param {r.model}.issues=separate leaves them out).",
                    style="yellow",
                )
            )
    _winners(console, fc, names, bl)


def _winners(console: Console, fc: Forecast, names: Mapping[str, str], bl: BottomLine) -> None:
    if all(math.isnan(q) for q in fc.status_quo):
        console.print()
        console.print(
            "Who comes out ahead: no issue has a status quo, so gains cannot be measured."
        )
        return
    gains = {r.model: fc.gains(r.model) for r in fc.runs}
    # rank by the most credible model (its record on real outcomes) that forecasts every
    # issue; never by a model worse than guessing 50 when another is at hand
    credible = [m.model for m in bl.credible] or [m.model for m in bl.models]
    lead = next((m for m in credible if not fc.undetermined(m)), credible[0])

    def rank(actor: str) -> float:
        g = gains[lead][actor]
        return -math.inf if g is None else g

    order = sorted(fc.actors, key=rank, reverse=True)
    cells = {r.model: [_signed_pct(gains[r.model][a]) for a in order] for r in fc.runs}
    first = min(max(len(names[a]) for a in order), 30)  # a longer name wraps
    groups = column_groups(
        console.width, first, [max([len(m), *map(len, c)]) for m, c in cells.items()]
    )
    for k, group in enumerate(groups):
        runs = [fc.runs[i].model for i in group]
        table = titled_table(
            "Who comes out ahead: salience-weighted gain against the status quo"
            + (f" ({k + 1} of {len(groups)})" if len(groups) > 1 else ""),
            caption=None
            if k < len(groups) - 1
            else "share of each issue's scale by which the outcome moves toward the actor's "
            f"position, weighted by its saliences; sorted by {lead}",
            caption_justify="left",
        )
        table.add_column("actor", overflow="fold")
        for m in runs:
            table.add_column(m, justify="right", no_wrap=True)
        for j, a in enumerate(order):
            table.add_row(Text(names[a]), *(cells[m][j] for m in runs))
        console.print()
        console.print(table)
    for r in fc.runs:
        g = {a: v for a, v in gains[r.model].items() if v is not None}
        if not g:
            continue
        best = max(g, key=lambda a: g[a])
        worst = min(g, key=lambda a: g[a])
        console.print(
            f"[bold]{escape(r.model)}[/]: ahead: {escape(names[best])} ({_signed_pct(g[best])}); "
            f"worst off: {escape(names[worst])} ({_signed_pct(g[worst])})."
        )
        left_out = fc.undetermined(r.model)
        if left_out:
            console.print(
                Text(
                    f"  {r.model} leaves out {', '.join(left_out)}: its forecast there is "
                    "undetermined (the model does not settle).",
                    style="yellow",
                )
            )


def validated(console: Console, sc: Scenario) -> None:
    console.print(
        f"[green]ok[/] {escape(sc.origin)}: scenario {escape(repr(sc.id))}, "
        f"{plural(len(sc.actors), 'actor')}, {plural(len(sc.issues), 'issue')}, "
        f"{plural(len(sc.stances), 'stance')}, {plural(len(sc.sources), 'source')}"
    )
    ranged = uncertain_inputs(sc)
    if ranged or sc.shocks:
        console.print(
            f"{plural(len(ranged), 'ranged number')} (drawn by `simulate`)"
            + (
                "; shocks: " + escape("; ".join(h.describe() for h in sc.shocks))
                if sc.shocks
                else ""
            ),
        )
    if sc.outcomes:
        console.print(f"{plural(len(sc.outcomes), 'outcome')} (graded by `backtest`):")
        for o in sc.outcomes:
            when = o.date.isoformat() if o.date else "date not given"
            console.print(
                f"  {escape(o.issue)}: {number(o.value, sig=6)}, {when}; "
                f"source: {escape(o.source.describe())}",
                soft_wrap=True,
            )
    missing_sq = [i.id for i in sc.issues if i.status_quo is None]
    if missing_sq:
        console.print(
            "[yellow]note[/]: no status quo for "
            + escape(", ".join(missing_sq))
            + "; gains against the status quo will not be computed there"
        )
    weightless = [
        i.id
        for i in sc.issues
        if all(
            sc.capability_on(s.actor, s.issue) * s.salience == 0
            for s in sc.stances
            if s.issue == i.id
        )
    ]
    if weightless:
        console.print(
            "[yellow]note[/]: no actor puts any capability x salience weight on "
            + escape(", ".join(weightless))
            + "; its forecasts rest on no weight (compromise and median fall back to "
            "unweighted positions)"
        )
    silent = [a.id for a in sc.actors if not any(s.actor == a.id for s in sc.stances)]
    if silent:
        console.print("[yellow]note[/]: actors without any stance: " + escape(", ".join(silent)))
    if sc.retrospective is not None:
        console.print(
            "[yellow]note[/]: a retrospective study: sources dated after "
            f"{sc.date.isoformat() if sc.date else 'its date'} are allowed; reason: "
            + escape(sc.retrospective),
            soft_wrap=True,
        )
    small = [f"{s.actor} on {s.issue}" for s in sc.stances if 0 < s.salience <= 1]
    if small and any(s.salience > 1 for s in sc.stances):
        console.print(
            "[yellow]note[/]: saliences of 1 or less beside larger ones ("
            + escape(", ".join(small[:5]) + (" ..." if len(small) > 5 else ""))
            + "); salience is on 0-100: is 0.8 meant as 80?",
            soft_wrap=True,
        )
    by_issue = sum(s.capability is not None for s in sc.stances)
    if by_issue:
        console.print(
            f"{plural(by_issue, 'stance')} with a capability of its own (overriding the "
            "actor's on that issue)"
        )
    if sc.date is None:
        console.print(
            "[yellow]note[/]: no date; say when the scenario describes, so that only what was "
            "known then is used"
        )


def scenario_list(console: Console, rows: Sequence[tuple[str, Scenario]], default: str) -> None:
    table = titled_table("Built-in scenarios")
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
            Text(shown(sc.name)),
        )
    console.print(table)


def model_list(console: Console, registry: Mapping[str, ModelSpec]) -> None:
    """One row per model: its name, its rounds, and under what it computes its parameters
    (every one, as ``--param`` takes them), its cost and its record; nothing is cut at 80
    columns."""
    table = titled_table(
        "Models",
        caption=Text(
            "parameters: their defaults; set one with --param MODEL.NAME=VALUE", style="dim"
        ),
        caption_justify="left",
    )
    table.add_column("name", no_wrap=True)
    table.add_column("rounds", justify="right", no_wrap=True)
    table.add_column("what it computes", overflow="fold")
    for name, spec in registry.items():
        what = Text(spec.summary)
        params = ", ".join(f"{k}={_parameter(v)}" for k, v in spec.defaults.items())
        what.append(f"\nparameters: {params or 'none'}")
        what.append(f"\ncost per round: {spec.complexity}", style="dim")
        if spec.standing:
            what.append(f"\nmeasured: {spec.standing}", style="dim")
        if not spec.in_all:
            what.append("\nnot in --model all: run it by name", style="dim")
        table.add_row(
            name,
            str(spec.default_rounds) if spec.dynamic else "static",
            what,
        )
    console.print(table)


def _parameter(value: Any) -> str:
    """A parameter's value as ``--param`` takes it: true, false, none, a number, a word."""
    if value is None:
        return "none"
    if isinstance(value, (bool, int, float)):
        return number(value, sig=6)
    return str(value)


def column_groups(width: int, first: int, columns: Sequence[int]) -> list[range]:
    """The columns of a boxed table (their widths, ``columns``) in consecutive groups that
    each fit in ``width`` beside a first column ``first`` wide (repeated in each group's
    table): one group when all fit; never an empty one."""
    groups: list[range] = []
    start, used = 0, first + 4
    for i, w in enumerate(columns):
        if i > start and used + w + 3 > width:
            groups.append(range(start, i))
            start, used = i, first + 4
        used += w + 3
    groups.append(range(start, len(columns)))
    return groups


_BARS = " ▁▂▃▄▅▆▇█"


def spark(counts: Sequence[int]) -> str:
    """A histogram as a line of block characters, scaled to its largest bin."""
    top = max(counts) if counts else 0
    if top == 0:
        return " " * len(counts)
    return "".join(_BARS[0 if c == 0 else max(1, round(8 * c / top))] for c in counts)


def _pct(p: float | None) -> str:
    return number(p, decimals=0, percent=True)


def _outlook_table(width: int, model: str, ens: Ensemble) -> tuple[Table, bool]:
    """Where each issue lands under ``model``; says whether an issue is undetermined in some
    draws. In ``width`` columns nothing is cut: when the table does not fit, each issue's
    histogram goes under its id (and its share of undetermined draws between them), the id
    broken after a hyphen when longer than the histogram."""
    rows = []
    undetermined = False
    for o in ens.issue_outlook(model):
        q = o.quantiles
        share = None
        if o.p_determinate < 1:
            undetermined = True
            share = f"({_pct(1 - o.p_determinate)} undetermined)"
        rows.append(
            (
                o.issue,
                share,
                [
                    fmt(o.status_quo),
                    "undetermined" if math.isnan(o.point) else fmt(o.point),
                    fmt(o.mean),
                    f"{fmt(q[0.05])}-{fmt(q[0.95])}",
                    "-"
                    if o.p_below is None
                    else f"{_pct(o.p_below)} / {_pct(o.p_at)} / {_pct(o.p_above)}",
                ],
                spark(o.histogram_counts),
            )
        )
    heads = ("status quo", "point", "mean", "5-95%", "below / at / above")
    numbers = [max([len(h), *(len(r[2][k]) for r in rows)]) for k, h in enumerate(heads)]
    issue_width = max((len(f"{i} {u}" if u else i) for i, u, _, _ in rows), default=5)
    wide = issue_width + sum(numbers) + BINS + 3 * 7 + 1 <= width
    caption = (
        "point: the forecast at the best estimates; 5-95%: the middle 90% of the draws; "
        "below/at/above: the share of draws ending below, at (within 0.5% of the "
        "scale) or above the status quo; the histogram "
        + ("spans" if wide else "(under each issue) spans")
        + " the scale"
    )
    table = titled_table(
        Text(f"{model}: where each issue lands"),
        caption=Text(caption, style="dim"),
        caption_justify="left",
    )
    column = issue_width
    if wide:
        table.add_column("issue", no_wrap=True)
    else:
        room = width - sum(numbers) - (3 * 6 + 1)
        shares = max((len(u) for _, u, _, _ in rows if u), default=0)
        column = max(BINS, shares, min(max(len(r[0]) for r in rows), room))
        table.add_column("issue", width=column, overflow="fold")
    table.add_column("status quo", justify="right")
    table.add_column("point", justify="right", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("5-95%", justify="right", no_wrap=True)
    table.add_column("below / at / above", justify="right")
    if wide:
        table.add_column("distribution", no_wrap=True)
    for issue, share, cells, bars in rows:
        if wide:
            table.add_row(Text(issue + (f" {share}" if share else "")), *cells, bars)
            continue
        text = Text(breakable(issue, column))
        if share:
            text.append("\n" + share)
        text.append("\n" + bars)
        table.add_row(text, *cells)
    return table, undetermined


def ensemble(console: Console, sc: Scenario, ens: Ensemble, bl: BottomLine | None = None) -> None:
    """The bottom line (``bl``, when given); per model: where each issue lands across the
    draws, and who wins, how surely."""
    date = f", {sc.date.isoformat()}" if sc.date else ""
    console.print(Text(f"{shown(sc.name)}{date}", style="bold"))
    console.print(
        Text(
            f"scenario {sc.id} ({ens.scenario_hash[:19]}); {ens.draws:,} draws"
            + ("" if ens.complete else f" of {ens.requested:,} requested")
            + f", seed {ens.seed}; {plural(len(ens.uncertain), 'uncertain input')}"
            + (f"; shocks: {'; '.join(ens.shocks)}" if ens.shocks else ""),
            style="dim",
        )
    )
    if bl is not None:
        bottom_line(console, bl)
    random = [
        m
        for m in ens.models
        if (spec := models.get(m)).stochastic is not None
        and spec.stochastic({**spec.defaults, **dict(ens.parameters.get(m, {}))})
    ]
    if ens.default_spread is not None:
        console.print(Text(default_spread_note(ens.default_spread), style="yellow"))
    if not ens.uncertain:
        console.print(
            Text(
                "No number of this scenario has a range, so every draw is the same"
                + (f" but for the random moves of {', '.join(random)}" if random else "")
                + "; give ranges ({value, low, high}) to the uncertain numbers.",
                style="yellow",
            )
        )
    for model in ens.models:
        table, undetermined_note = _outlook_table(console.width, model, ens)
        console.print(table)
        if undetermined_note:
            console.print(
                Text(
                    "undetermined: the share of draws in which the model does not settle on a "
                    "point (it cycles between distant states or is still moving); mean and "
                    "5-95% are over the other draws, below/at/above over all draws, and the "
                    "gains leave the issue out in those draws.",
                    style="dim",
                )
            )
        who = titled_table(
            Text(f"{model}: who wins, and how surely"),
            caption=Text(
                "gain: the salience-weighted share of each issue's scale by which the outcome "
                "ends closer to the actor's position than the status quo; P(gain): the share "
                "of draws with a gain; P(most): the share in which it gains most",
                style="dim",
            ),
            caption_justify="left",
        )
        for col, just in (
            ("#", "right"),
            ("actor", "left"),
            ("mean gain", "right"),
            ("5-95%", "right"),
            ("P(gain)", "right"),
            ("P(most)", "right"),
        ):
            who.add_column(col, justify=just)  # type: ignore[arg-type]
        outlook = [a for a in ens.actor_outlook(model) if a.mean is not None]
        if not outlook:  # no empty table
            console.print(
                Text(
                    f"{model}: who wins: no gain can be measured (no issue has both a status "
                    "quo and a forecast).",
                    style="bold",
                )
            )
            continue
        for a in outlook:
            who.add_row(
                str(a.rank),
                Text(shown(a.name)),
                _signed_pct(a.mean),
                f"{_signed_pct(a.quantiles[0.05])} to {_signed_pct(a.quantiles[0.95])}",
                _pct(a.p_gain),
                _pct(a.p_best),
            )
        console.print(who)
