"""Render a :class:`~realpolitik.report.build.Report` as one self-contained HTML document.

The template (``templates/report.html.j2``, Jinja2 with autoescaping: every text from a
scenario is escaped) receives plain rows prepared here and the charts as inline SVG from
:mod:`realpolitik.report.charts`. The style sheet is inlined; there is no script, no font
file and no reference to any other file or address.
"""

from __future__ import annotations

import math
import shlex
from typing import Any

from markupsafe import Markup

from ..escapes import shown_in_page
from ..models import offering
from . import charts
from .build import Report

__all__ = ["environment", "number", "render"]


def environment() -> Any:
    """The Jinja2 environment of the report's templates (every page of ``realpolitik.report``
    renders with it): autoescaped, undefined names an error, with the filters ``num``
    (:func:`number`) and ``pct``."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("realpolitik.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown_in_page,
    )
    env.filters["num"] = number
    env.filters["pct"] = _pct
    env.filters["spct"] = _signed_pct
    return env


def number(x: Any, digits: int = 1) -> str:
    """``x`` to ``digits`` decimals; a dash for ``None`` or ``nan``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}"


def _pct(x: Any, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:.{digits}f}%"


def _signed_pct(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:+.{digits}f}%"


def _range(value: float, rng: Any) -> str:
    if rng is None:
        return f"{value:g}"
    return f"{value:g} ({rng.low:g}–{rng.high:g}, {rng.distribution})"


def _svg(text: str) -> Markup:
    return Markup(text)


def render(rep: Report) -> str:
    """The report's HTML."""
    sc, fc = rep.scenario, rep.forecast
    names = {a.id: a.name for a in sc.actors}
    ens, sens, lv, view = rep.ensemble, rep.sensitivity, rep.levers, rep.view
    outlooks = {m: ens.issue_outlook(m) for m in ens.models} if ens is not None else {}
    issues = []
    for j, iss in enumerate(sc.issues):
        stances = [
            {
                "actor": names[s.actor],
                "position": _range(s.position, s.position_range),
                "salience": _range(s.salience, s.salience_range),
                "source": s.source.describe(),
            }
            for s in sorted(
                (s for s in sc.stances if s.issue == iss.id), key=lambda s: (s.position, s.actor)
            )
        ]
        forecasts = []
        for r in fc.runs:
            end = r.issue_forecast(j, iss.id)
            forecasts.append(
                {"model": r.model, "value": end.value, "text": end.describe(), "note": end.note()}
            )
        outlook = []
        if ens is not None:
            for m in ens.models:
                o = outlooks[m][j]
                outlook.append(
                    {
                        "model": m,
                        "point": o.point,
                        "mean": o.mean,
                        "q05": o.quantiles.get(0.05),
                        "q95": o.quantiles.get(0.95),
                        "below": o.p_below,
                        "at": o.p_at,
                        "above": o.p_above,
                        "undetermined": 1.0 - o.p_determinate,
                    }
                )
        issues.append(
            {
                "issue": iss,
                "stances": stances,
                "forecasts": forecasts,
                "outlook": outlook,
                "positions_svg": _svg(charts.positions_chart(sc, fc, iss.id)),
                "trajectory_svg": (
                    _svg(charts.trajectory_chart(sc, fc, iss.id))
                    if offering(fc.models, "trajectory")
                    else None
                ),
                "distribution_svg": (
                    _svg(charts.distribution_chart(sc, ens, iss.id)) if ens is not None else None
                ),
                "sobol_svg": (
                    _svg(charts.sobol_chart(sc, sens, iss.id)) if sens is not None else None
                ),
            }
        )

    winners = []
    if ens is not None:
        for m in ens.models:
            rows = [
                {
                    "rank": o.rank,
                    "actor": o.name,
                    "mean": o.mean,
                    "q05": o.quantiles.get(0.05),
                    "q95": o.quantiles.get(0.95),
                    "p_gain": o.p_gain,
                    "p_best": o.p_best,
                }
                for o in ens.actor_outlook(m)
                if o.mean is not None
            ]
            if rows:
                winners.append({"model": m, "rows": rows})

    lever_rows = []
    if lv is not None:
        focal = names.get(lv.actor, lv.actor)
        for m in lv.models:
            for k, x in enumerate(lv.top(m, 5), 1):
                lever_rows.append(
                    {
                        "model": m,
                        "rank": k,
                        "what": x.describe(focal, names),
                        "set": x.target,
                        "rate": charts.lever_rate(x),
                        "unit": charts.per_unit(x),
                        "gain": x.rate is not None,
                        "method": lv.method[m],
                    }
                )

    view_rows = []
    if view is not None:
        shown = [iv for iv in view.issues if iv.points]
        points = [{p.other: p for p in iv.points} for iv in shown]
        others = [a.id for a in sc.actors if any(a.id in pts for pts in points)]
        for other in others:
            cells = []
            for pts in points:
                p = pts.get(other)
                cells.append(None if p is None else {"region": p.region, "yielder": p.yielder})
            view_rows.append({"actor": names[other], "cells": cells})
        view_issues = [iv.issue for iv in shown]
    else:
        view_issues = []

    games = []
    for lg in rep.games:
        g, sol = lg.game, lg.solution
        players = {p.id: p.name for p in g.players}
        head = sol.headline
        games.append(
            {
                "game": g,
                "players": players,
                "headline": head,
                "equilibria": [
                    {
                        "methods": ", ".join(e.found_by),
                        "spe": e.subgame_perfect,
                        "payoffs": ", ".join(
                            f"{players[k]} {float(v):.3g}" for k, v in e.payoffs.items()
                        ),
                        "verdict": e.verdict,
                        "path": " ".join(e.path),
                        "off_path": " ".join(e.off_path),
                    }
                    for e in sol.equilibria
                ],
                "sweep": lg.sweep,
                "sweep_svg": _svg(charts.sweep_chart(lg.sweep)) if lg.sweep is not None else None,
                "overrides": lg.overrides,
                "notes": sol.notes,
            }
        )

    settings = dict(rep.settings)
    return str(
        environment()
        .get_template("report.html.j2")
        .render(
            rep=rep,
            bl=None if rep.bottom_line is None else bottom_line_rows(rep.bottom_line),
            sc=sc,
            fc=fc,
            names=names,
            issues=issues,
            winners=winners,
            gains_svg=_svg(charts.gains_chart(sc, fc)),
            outlook_svg=_svg(charts.outlook_chart(sc, ens)) if ens is not None else None,
            sens=sens,
            levers=lv,
            lever_rows=lever_rows,
            levers_svg=_svg(charts.levers_chart(sc, lv)) if lv is not None else None,
            view=view,
            games=games,
            view_rows=view_rows,
            view_issues=view_issues,
            view_svg=_svg(charts.view_from_chart(sc, view)) if view is not None else None,
            settings=settings,
            command=_command(rep),
            actor_name=names.get(rep.actor, rep.actor),
        )
    )


def bottom_line_rows(bl: Any) -> dict[str, Any]:
    """A :class:`~realpolitik.analysis.bottomline.BottomLine` as the report and the
    dashboard show it: its sentences and one row per model (most credible first)."""
    names = bl.names
    rows = []
    for m in bl.models:
        s = m.standing
        rows.append(
            {
                "model": m.model,
                "record": None if s is None else f"{s.mae:.1f}",
                "partial": s is not None and s.issues != s.of,
                "verdict": "no record" if s is None else s.verdict(),
                "worse": m.worse_than_constant,
                "gains": [m.contestants[a] for a in bl.contestants],
                "ahead": "undetermined"
                if not m.determinate
                else ("tie" if m.leader is None else names.get(m.leader, m.leader)),
                "sure": None if not m.p_leader or m.leader is None else m.p_leader.get(m.leader),
            }
        )
    return {
        "sentences": bl.sentences(),
        "contestants": [names.get(a, a) for a in bl.contestants],
        "rows": rows,
        "sims": any(r["sure"] is not None for r in rows),
    }


def _command(rep: Report) -> str:
    """The command line that reproduces the report's numbers."""
    s = rep.settings
    origin = rep.scenario.origin
    scenario = origin.removeprefix("builtin:") if origin else rep.scenario.id
    parts = ["realpolitik", "report", scenario]
    parts += ["--model", ",".join(s["models"]), "--actor", rep.actor, "--seed", str(s["seed"])]
    parts += ["--draws", str(s["draws"])]
    if s.get("sobol_n"):
        parts += ["--sobol-n", str(s["sobol_n"])]
    else:
        parts += ["--no-sensitivity"]
    if s.get("rounds") is not None:
        parts += ["--rounds", str(s["rounds"])]
    for iv in rep.interventions:
        parts += ["--set", iv]
    if s.get("spread") is not None:
        parts += ["--spread", f"{s['spread']:g}"]
    return shlex.join(parts)
