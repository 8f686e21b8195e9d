"""What the panels show, computed from a workspace through the public API.

:class:`View` gathers, lazily, the numbers and charts one response needs; the templates
(``templates/panels.html``) lay them out. Numbers are formatted here, once: a forecast with
one decimal (:func:`num`), a difference with its sign (:func:`signed`), a gain as a signed
percentage of the scale (:func:`pct`), as the charts and the bottom line show it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from markupsafe import Markup

from ..analysis.ensemble import Ensemble
from ..forecasting import Forecast
from ..report import charts
from ..scenario import Scenario
from ..scenario.diff import changed_targets
from ..scenario.interventions import Target, targets
from ..scenario.objects import Range
from ..scenario.uncertainty import uncertain_inputs
from .workspace import Charts, Forecasts, Job, Workspace

log = logging.getLogger("realpolitik.app")

__all__ = ["Comparison", "View", "input_text", "num", "signed"]

#: The charts of a forecast, as :class:`View` keys them.
_FORECAST_CHARTS = ("positions", "trajectory", "gains")


def _chart(fn: Any, *args: Any, **kw: Any) -> Markup:
    """A chart's SVG, trusted as markup: the chart code escapes the text it draws (and
    may be called from several threads, as the server's thread pool does). A chart that
    cannot be drawn is a bug of the chart, logged with its traceback: the panel says so
    in its place, and the rest of the page (its numbers) is shown as usual."""
    try:
        return Markup(fn(*args, **kw))
    except Exception:
        log.exception("chart %s failed", getattr(fn, "__name__", fn))
        return Markup(
            '<p class="warning">This chart cannot be drawn (a bug: the server\'s '
            "log has the details); the numbers beside it are right.</p>"
        )


def draw(name: str, *args: Any) -> str:
    """The chart ``name`` (``positions``, ``trajectory``, ``gains``, ``distribution``,
    ``outlook``: the report's ``NAME_chart``) of ``args``, as SVG text (see
    :func:`_chart`). A top-level function, so that a process pool can run it."""
    return str(_chart(getattr(charts, f"{name}_chart"), *args))


def draw_shipped(name: str, scenario: Scenario, forecast: dict[str, Any], *args: Any) -> str:
    """:func:`draw` of a forecast's chart, the forecast sent as its
    :meth:`~realpolitik.forecasting.Forecast.to_dict` (what a process pool can send)."""
    return draw(name, scenario, Forecast.from_dict(forecast), *args)


def _missing(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def num(v: float | None, digits: int = 1) -> str:
    """A forecast as the dashboard shows it: ``52.3``; a dash when there is none."""
    return "\u2014" if _missing(v) else f"{v:.{digits}f}"


def pct(g: float | None) -> str:
    """A gain (a share of the scale, -1 to 1) as a signed percentage: ``+4.1%``."""
    return "–" if g is None or _missing(g) else f"{100 * g:+.1f}%"


def shown(v: float | None, digits: int = 1) -> str:
    """A forecast in a table: its number, or "undetermined" where a model gives none."""
    return "undetermined" if _missing(v) else f"{v:.{digits}f}"


def signed(v: float | None, digits: int = 1) -> str:
    """A difference with its sign: ``+4.0``, ``-0.5``; ``0.0`` for none at that precision."""
    if _missing(v):
        return "\u2014"
    text = f"{v:+.{digits}f}"
    return text if text.strip("+-0.") else f"{0.0:.{digits}f}"


def input_text(v: float) -> str:
    """A number as an input cell holds it: up to six significant digits."""
    return f"{v:.6g}"


def with_range(v: float, rng: Range | None) -> str:
    """A number and the range it may take in a simulation: ``45 (30-55)``."""
    if rng is None:
        return input_text(v)
    return f"{input_text(v)} ({input_text(rng.low)}\u2013{input_text(rng.high)})"


@dataclass(frozen=True)
class Comparison:
    """The pinned variant A against the current scenario B."""

    inputs: list[tuple[str, str, str]]  # (what, A, B) for every input that differs
    forecasts: list[tuple[str, str, str, str, str]]  # (issue, model, A, B, B-A)
    models: tuple[str, ...]
    gains: list[tuple[str, list[tuple[str, str]]]]  # (actor name, [(A, B) per model])


def _what(sc: Scenario, t: Target) -> str:
    """An input as the comparison names it: ``Russia: capability``,
    ``Russia on karabakh-control: position``."""
    name = sc.actor(t.actor).name
    return f"{name}: {t.field}" if t.issue is None else f"{name} on {t.issue}: {t.field}"


def compare(a: Scenario, b: Scenario, fa: Forecast, fb: Forecast) -> Comparison:
    inputs = [
        (_what(b, new), with_range(old.value, old.range), with_range(new.value, new.range))
        for old, new in changed_targets(a, b)
    ]
    rows = []
    for issue in b.issue_ids:
        for model in fb.models:
            va, vb = fa.value(model, issue), fb.value(model, issue)
            rows.append((issue, model, shown(va), shown(vb), signed(vb - va)))
    ga = {m: fa.gains(m) for m in fb.models}
    gb = {m: fb.gains(m) for m in fb.models}
    gains = [
        (
            actor.name,
            [(pct(ga[m][actor.id]), pct(gb[m][actor.id])) for m in fb.models],
        )
        for actor in b.actors
    ]
    return Comparison(inputs, rows, fb.models, gains)


class View:
    """Everything a panel of ``ws`` may show; each part is computed when first used.

    ``errors`` maps an input's name (``russia.karabakh-control.position``) to the message of
    a refused edit, shown beside that input. ``forecasts`` and ``charts`` are the app's
    caches (a view of its own keeps its own). With ``defer_charts``, charts not drawn yet
    are left out (:attr:`deferred`): the page asks for them once it shows the numbers.
    ``painter`` draws a chart not in the cache (:func:`draw`, or the same in a pool of
    processes)."""

    def __init__(
        self,
        ws: Workspace,
        *,
        errors: dict[str, str] | None = None,
        forecasts: Forecasts | None = None,
        charts: Charts | None = None,
        defer_charts: bool = False,
        painter: Callable[..., str] = draw,
    ) -> None:
        self.ws = ws
        self.sc: Scenario = ws.scenario
        self.issue = self.sc.issue(ws.issue)
        self.errors = errors or {}
        self.forecasts = forecasts if forecasts is not None else Forecasts()
        self.charts = charts if charts is not None else Charts()
        self.defer_charts = defer_charts
        self.painter = painter

    @property
    def url(self) -> str:
        return f"/w/{self.ws.id}"

    # ------------------------------------------------------------------ editing
    @cached_property
    def targets(self) -> dict[str, Target]:
        """The numbers an edit can change, by the name an edit gives them."""
        return targets(self.sc)

    @staticmethod
    def _cell(t: Target) -> dict[str, Any]:
        return {"field": t.label, "value": input_text(t.value), "range": t.range}

    @property
    def actors(self) -> list[dict[str, Any]]:
        return [
            {"name": self.sc.actor(t.actor).name, **self._cell(t)}
            for t in self.targets.values()
            if t.field == "capability"
        ]

    @property
    def stances(self) -> list[dict[str, Any]]:
        cells: dict[str, list[dict[str, Any]]] = {}
        for t in self.targets.values():
            if t.issue == self.issue.id:
                cells.setdefault(t.actor, []).append(self._cell(t))
        return [
            {"name": self.sc.actor(aid).name, "cells": cells[aid]}
            for aid in self.sc.actor_ids
            if aid in cells
        ]

    @property
    def other_errors(self) -> dict[str, str]:
        """Errors of edits that name no cell on show (an unknown actor, another issue)."""
        shown = {a["field"] for a in self.actors}
        shown |= {c["field"] for row in self.stances for c in row["cells"]}
        return {k: v for k, v in self.errors.items() if k not in shown}

    @cached_property
    def ranged(self) -> bool:
        return bool(uncertain_inputs(self.sc))

    @property
    def default_spread(self) -> float:
        """The calibrated default spread (docs/explanation/calibration.md)."""
        from ..analysis.calibration import default_spread

        return default_spread()

    # ---------------------------------------------------------------- forecasts
    @cached_property
    def fc(self) -> Forecast:
        return self.forecasts.get_for(self.sc)

    @property
    def models(self) -> tuple[str, ...]:
        return self.fc.models

    @cached_property
    def bottom_line(self) -> dict[str, Any]:
        """The bottom line of the current forecast, as the report shows it."""
        from ..analysis.bottomline import bottom_line
        from ..report.html import bottom_line_rows

        return bottom_line_rows(bottom_line(self.fc, self.sc))

    @property
    def status_quo(self) -> dict[str, float | None]:
        """Each issue's status quo (``None`` where it has none)."""
        return {i.id: i.status_quo for i in self.sc.issues}

    @property
    def forecast_rows(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """Per issue, per model: the forecast's text and, where undetermined, why."""
        rows = []
        for issue in self.sc.issue_ids:
            cells = []
            for m in self.fc.models:
                end = self.fc.issue_forecast(m, issue)
                if end.value is None:
                    cells.append((m, "undetermined", end.describe()))
                else:
                    cells.append((m, num(end.value), ""))
            rows.append((issue, cells))
        return rows

    def _key(self, name: str) -> tuple[str, ...]:
        return (name, self.sc.content_hash(), "" if name == "gains" else self.issue.id)

    def _drawn(self, name: str, *args: Any) -> Markup:
        return Markup(self.charts.get(self._key(name), lambda: self.painter(name, *args)))

    @property
    def deferred(self) -> bool:
        """Whether the charts are left for the page to ask for (see the class)."""
        if not self.defer_charts:
            return False
        return any(self.charts.peek(self._key(n)) is None for n in _FORECAST_CHARTS)

    @property
    def positions_svg(self) -> Markup:
        return self._drawn("positions", self.sc, self.fc, self.issue.id)

    @property
    def trajectory_svg(self) -> Markup:
        return self._drawn("trajectory", self.sc, self.fc, self.issue.id)

    @property
    def gains_svg(self) -> Markup:
        return self._drawn("gains", self.sc, self.fc)

    # ------------------------------------------------------------------ compare
    @cached_property
    def comparison(self) -> Comparison | None:
        a = self.ws.pinned
        if a is None:
            return None
        return compare(a, self.sc, self.forecasts.get_for(a), self.fc)

    # --------------------------------------------------------------- simulation
    @property
    def job(self) -> Job | None:
        return self.ws.last_job

    def is_stale(self, job: Job) -> bool:
        """Whether ``job`` simulated other inputs than the scenario's current ones."""
        return job.source_hash != self.sc.content_hash()

    def job_view(self, job: Job) -> dict[str, Any]:
        """The progress of ``job``, or its outlook when done, read once: the job runs in
        another thread, so the template branches on this snapshot (``state``), never on
        the live job."""
        ens, error, done = job.ensemble, job.error, job.done
        state = "done" if ens is not None else ("failed" if error is not None else "running")
        d: dict[str, Any] = {
            "job": job,
            "state": state,
            "error": error,
            "done": done,
            "ensemble": ens,
            "poll": f"{self.url}/jobs/{job.id}",
        }
        if ens is not None:
            d["outlook"] = outlook_rows(ens)
            d["models"] = ens.models
            d["distribution_svg"] = Markup(
                self.charts.get(
                    ("distribution", job.id, self.issue.id),
                    lambda: self.painter("distribution", job.scenario, ens, self.issue.id),
                )
            )
            d["outlook_svg"] = Markup(
                self.charts.get(
                    ("outlook", job.id, ""),
                    lambda: self.painter("outlook", job.scenario, ens),
                )
            )
        return d


def outlook_rows(ens: Ensemble) -> list[tuple[str, list[str]]]:
    """Per issue, per model: ``mean (5%-95%)`` of the simulated forecast, and the share of
    draws in which the model gave none (undetermined)."""
    per_model = {m: ens.issue_outlook(m) for m in ens.models}
    rows = []
    for j, issue in enumerate(ens.issues):
        cells = []
        for m in ens.models:
            o = per_model[m][j]
            if o.p_determinate == 0:
                cells.append("undetermined in every draw")
                continue
            text = f"{num(o.mean)} ({num(o.quantiles[0.05])}\u2013{num(o.quantiles[0.95])})"
            if o.p_determinate < 1:
                text += f"; undetermined in {100 * (1 - o.p_determinate):.0f}%"
            cells.append(text)
        rows.append((issue, cells))
    return rows
