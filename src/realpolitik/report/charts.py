"""The charts of the report and the dashboard: pure functions from result objects to SVG.

Each function takes the scenario (for names and scale labels) and a result object
(:class:`~realpolitik.forecasting.Forecast`, :class:`~realpolitik.analysis.ensemble.
Ensemble`, :class:`~realpolitik.analysis.sensitivity.Sensitivity`,
:class:`~realpolitik.analysis.levers.Levers`, :class:`~realpolitik.analysis.viewfrom.
ViewFrom`) and returns the text of one ``<svg>`` element, ready to inline in HTML: text
stays text (searchable, small; the page's sans-serif font draws it), the output carries no
date and no random id, so the same inputs give the same bytes, and nothing in it refers
to a file or an address.

Figures are made with matplotlib's object interface (``matplotlib.figure.Figure``, no
pyplot and no global figure state), so charts may be drawn from several threads, as the
dashboard does; the few process-wide settings of the SVG writer are applied under a lock.

Complexity: each chart is O(what it draws): actors x rounds for a trajectory, draws for a
distribution (one histogram pass), inputs for a Sobol chart.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec

import numpy as np

P = ParamSpec("P")

__all__ = [
    "MODEL_COLOURS",
    "distribution_chart",
    "gains_chart",
    "levers_chart",
    "outlook_chart",
    "positions_chart",
    "sobol_chart",
    "sweep_chart",
    "trajectory_chart",
    "view_from_chart",
]

#: One colour per model, the same in every chart.
MODEL_COLOURS = {
    "compromise": "#1f6fb4",
    "median": "#2a9d3a",
    "eum": "#d1495b",
}
_OTHER_MODELS = ("#8e6cc0", "#c07d12", "#3c8d8d", "#6b6b6b")
STATUS_QUO = "#555555"
#: Regions of the view-from chart (Bueno de Mesquita's names) and their tints.
REGION_COLOURS = {
    "conflict": "#d1495b",
    "compromise": "#e9a23b",
    "capitulation": "#1f6fb4",
    "stalemate": "#8a8a8a",
    "same position": "#000000",
}

_LOCK = threading.RLock()
_RC: Any = {  # (matplotlib types the keys as literals)
    "svg.fonttype": "none",  # text as <text>, drawn with the page's font
    "svg.hashsalt": "realpolitik",  # ids from content: the same chart, the same bytes
    "text.parse_math": False,  # a "$" in a name is a dollar sign, not TeX
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def model_colour(model: str, k: int = 0) -> str:
    """The colour of ``model`` (registered models have fixed ones)."""
    return MODEL_COLOURS.get(model, _OTHER_MODELS[k % len(_OTHER_MODELS)])


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _styled(draw: Callable[P, str]) -> Callable[P, str]:
    """Draw under our style and the SVG writer's settings (matplotlib reads them from its
    process-wide parameters, at drawing and at saving), one chart at a time."""

    @functools.wraps(draw)
    def chart(*args: P.args, **kwargs: P.kwargs) -> str:
        import matplotlib

        with _LOCK, matplotlib.rc_context(_RC), warnings.catch_warnings():
            # the SVG keeps text as text, drawn by the page's fonts: a glyph missing from
            # matplotlib's font (a Chinese name, an emoji) is not missing from the chart,
            # and the warning would echo the name to the terminal
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            # a scale near the largest float collapses an axis: the chart is drawn as it
            # can be, and matplotlib's layout and numeric warnings are no news to a user
            warnings.filterwarnings("ignore", message="constrained_layout not applied")
            warnings.filterwarnings("ignore", category=RuntimeWarning)
            return draw(*args, **kwargs)

    return chart


def _svg(fig: Any, title: str) -> str:
    """The figure as an inline ``<svg>``: no XML prologue, no date, scalable to its box,
    with ``title`` as its accessible name."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.index("<svg")
    text = text[start:]
    text = re.sub(
        r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"',
        lambda m: (
            f'<svg{m.group(1)} width="{m.group(2)}pt" height="{m.group(3)}pt" role="img" '
            f'aria-label="{_attr(title)}" class="chart"'
        ),
        text,
        count=1,
    )
    return _scoped_ids(text.strip()) + "\n"


def _scoped_ids(svg: str) -> str:
    """Prefix every id of ``svg`` (and the references to it) with one derived from its
    content, so that charts inlined in one page never share an id."""
    import hashlib

    scope = "c" + hashlib.sha256(svg.encode()).hexdigest()[:8] + "-"
    ids = set(re.findall(r'\sid="([^"]+)"', svg))
    if not ids:
        return svg

    def fix(m: re.Match[str]) -> str:
        head, name, tail = m.group(1), m.group(2), m.group(3)
        return f"{head}{scope}{name}{tail}" if name in ids else m.group(0)

    svg = re.sub(r'(\sid=")([^"]+)(")', fix, svg)
    svg = re.sub(r"(url\(#)([^)]+)(\))", fix, svg)
    return re.sub(r'(href="#)([^"]+)(")', fix, svg)


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _plain(text: str) -> str:
    """``text`` from a file with its control characters written visibly (``\x1b``)."""
    from ..escapes import shown

    return shown(text)


def _wrap(text: str, width: int = 48, lines: int = 3) -> str:
    return "\n".join(
        textwrap.wrap(_plain(" ".join(text.split())), width, max_lines=lines, placeholder=" …")
    )


def _names(scenario: Any) -> dict[str, str]:
    return {a.id: _plain(a.name) for a in scenario.actors}


#: Distinct colours for the few actors a trajectory chart draws in colour.
_HIGHLIGHT = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


def _leading_actors(scenario: Any, fc: Any, j: int, k: int = 5) -> list[str]:
    """The actors a trajectory chart draws in colour on issue ``j``: the scenario's
    contestants that take part, then those with the largest capability x salience, up to
    ``k``; the others are drawn grey, so that a dozen similar colours do not hide the
    contest."""
    taking = [a for i, a in enumerate(fc.actors) if not np.isnan(fc.position[i, j])]
    q = getattr(scenario, "question", None)
    first = [a for a in (q.contestants if q is not None else ()) if a in taking]
    cap = _capability(scenario, fc, j)
    weight = {a: float(cap[fc.actors.index(a)] * fc.salience[fc.actors.index(a), j])
              for a in taking}  # fmt: skip
    rest = sorted((a for a in taking if a not in first), key=lambda a: -weight[a])
    return (first + rest)[:k]


def _capability(scenario: Any, fc: Any, j: int) -> np.ndarray:
    """Each actor's capability on issue ``j``: its stance's own where it gives one (the
    scenario's), else the actor's (the forecast's)."""
    matrix = getattr(scenario, "capability_matrix", None)
    if matrix is not None and tuple(scenario.actor_ids) == tuple(fc.actors):
        return np.asarray(matrix()[:, j], dtype=float)
    return np.asarray(fc.capability, dtype=float)


def _scale_axis(ax: Any, issue: Any, axis: str = "x") -> None:
    """Limits at the scale's ends and the ends' labels beside them."""
    lo, hi = issue.scale_min, issue.scale_max
    pad = 0.02 * (hi - lo)
    if axis == "x":
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_xlabel(
            f"{lo:g}: {_wrap(issue.min_label, 60, 2)}\n{hi:g}: {_wrap(issue.max_label, 60, 2)}",
            loc="left",
            fontsize=7.5,
            color="#333333",
        )
    else:
        ax.set_ylim(lo - pad, hi + pad)


# ------------------------------------------------------------------- per issue


@_styled
def positions_chart(scenario: Any, fc: Any, issue: str) -> str:
    """Each actor's position on ``issue`` (marker area: capability x salience), every
    model's forecast and the status quo, on the issue's labelled scale."""
    iss = scenario.issue(issue)
    j = fc.issues.index(issue)
    names = _names(scenario)
    x = fc.position[:, j]
    have = [i for i in range(len(fc.actors)) if not np.isnan(x[i])]
    have.sort(key=lambda i: (x[i], fc.actors[i]))
    cap = _capability(scenario, fc, j)
    w = cap / (np.nanmax(cap) or 1.0) * np.nan_to_num(fc.salience[:, j]) / 100.0
    wmax = max((w[i] for i in have), default=1.0) or 1.0
    fig = _figure(7.6, 1.9 + 0.26 * len(have))
    ax = fig.add_subplot()
    ys = np.arange(len(have))
    sizes = [20 + 380 * w[i] / wmax for i in have]
    ax.hlines(ys, iss.scale_min, [x[i] for i in have], color="#dddddd", lw=0.8, zorder=1)
    ax.scatter(
        [x[i] for i in have], ys, s=sizes, color="#4d4d4d", alpha=0.75, zorder=3,
        label="actor's position (area: capability × salience)", clip_on=False,
    )  # fmt: skip
    ax.set_yticks(ys, [names.get(fc.actors[i], fc.actors[i]) for i in have])
    if iss.status_quo is not None:
        ax.axvline(iss.status_quo, color=STATUS_QUO, ls="--", lw=1.2, label="status quo", zorder=2)
    for k, run in enumerate(fc.runs):
        end = run.issue_forecast(j, issue)
        colour = model_colour(run.model, k)
        if end.value is not None:
            ax.axvline(
                end.value, color=colour, lw=2.0, alpha=0.9, zorder=2,
                label=f"{run.model} forecast: {end.value:.1f}",
            )  # fmt: skip
            continue
        for x_state in end.states or (end.low, end.high):  # undetermined: where it goes round
            ax.axvline(x_state, color=colour, lw=1.4, ls=":", alpha=0.9, zorder=2)
        ax.plot([], [], color=colour, lw=1.4, ls=":", label=f"{run.model}: {end.describe()}")
    _scale_axis(ax, iss)
    ax.set_ylim(-0.8, len(have) - 0.2)
    ax.set_title(_wrap(iss.question, 70, 3), loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig, f"Positions and forecasts on {issue}")


@_styled
def trajectory_chart(scenario: Any, fc: Any, issue: str, model: str | None = None) -> str:
    """Every actor's position round by round under ``model`` (default: the first model of
    the forecast with a trajectory), with the median position of each round and the
    forecast."""
    from ..models import offering

    iss = scenario.issue(issue)
    j = fc.issues.index(issue)
    name = model or offering(fc.models, "trajectory")
    if name is None:
        raise ValueError(f"no model of this forecast ({', '.join(fc.models)}) has rounds")
    run = fc.run(name)
    names = _names(scenario)
    pos = run.positions[:, :, j]
    rounds = np.arange(pos.shape[0])
    fig = _figure(7.6, 3.4)
    ax = fig.add_subplot()
    shown = _leading_actors(scenario, fc, j)
    strong = {a: _HIGHLIGHT[k % len(_HIGHLIGHT)] for k, a in enumerate(shown)}
    others = 0
    for i, a in enumerate(fc.actors):  # the rest first, thin and grey, behind
        if not np.isnan(pos[0, i]) and a not in strong:
            others += 1
            ax.plot(rounds, pos[:, i], color="#c8c8cc", lw=0.8, zorder=1)
    if others:
        ax.plot([], [], color="#c8c8cc", lw=0.8, label=f"the {others} other actors")
    for a in shown:
        i = fc.actors.index(a)
        ax.plot(rounds, pos[:, i], color=strong[a], lw=1.8, zorder=3, label=names.get(a, a))
    median = run.per_round.get("median")
    if median is not None:
        ax.plot(rounds, median[:, j], color="black", lw=2.2, ls="--", label="median position")
    end = run.issue_forecast(j, issue)
    if end.value is not None:
        ax.axhline(end.value, color=model_colour(name), lw=1.0, ls=":",
                   label=f"forecast: {end.value:.1f}")  # fmt: skip
    else:
        ax.plot([], [], color="none", label=end.describe())
    if iss.status_quo is not None:
        ax.axhline(iss.status_quo, color=STATUS_QUO, lw=0.8, ls="--", label="status quo")
    _scale_axis(ax, iss, "y")
    ax.set_xlim(0, max(int(rounds[-1]), 1))
    ax.set_xlabel("round")
    ax.set_ylabel(f"position ({iss.scale_min:g} to {iss.scale_max:g})")
    ax.set_title(f"{name.upper() if name == 'eum' else name}: positions round by round", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, ncols=1)
    return _svg(fig, f"Positions round by round under {name} on {issue}")


@_styled
def distribution_chart(scenario: Any, ens: Any, issue: str) -> str:
    """The simulated distribution of ``issue``'s outcome under each model: the share of
    draws in each bin of the scale (the ensemble's own histogram), the mean and the 5-95%
    interval in the legend, the status quo."""
    iss = scenario.issue(issue)
    j = ens.issues.index(issue)
    fig = _figure(7.6, 2.8)
    ax = fig.add_subplot()
    for k, m in enumerate(ens.models):
        o = ens.issue_outlook(m)[j]  # the summary the tables show, its histogram included
        edges = np.asarray(o.histogram_edges)
        share = np.asarray(o.histogram_counts) / max(ens.draws, 1)
        lo, hi = o.quantiles.get(0.05, np.nan), o.quantiles.get(0.95, np.nan)
        colour = model_colour(m, k)
        label = f"{m}: mean {o.mean:.1f}, 5-95% {lo:.1f} to {hi:.1f}"
        if o.p_determinate < 1:
            label += f" (undetermined in {100 * (1 - o.p_determinate):.0f}% of draws)"
        if o.p_determinate == 0:
            label = f"{m}: undetermined in every draw"
        ax.stairs(share, edges, color=colour, fill=True, alpha=0.18)
        ax.stairs(share, edges, color=colour, lw=1.6, label=label)
    if iss.status_quo is not None:
        ax.axvline(iss.status_quo, color=STATUS_QUO, ls="--", lw=1.2, label="status quo")
    _scale_axis(ax, iss)
    ax.set_ylabel("share of draws")
    ax.set_title(f"Outcome over {ens.draws:,} draws", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig, f"Simulated outcome of {issue}")


# ---------------------------------------------------------------- who wins


@_styled
def gains_chart(scenario: Any, fc: Any) -> str:
    """Each actor's salience-weighted gain against the status quo under each model, at the
    best estimates (percent of the scale), actors ranked by their mean over the models."""
    names = _names(scenario)
    gains = {r.model: fc.gains(r.model) for r in fc.runs}
    actors = [a for a in fc.actors if any(gains[m][a] is not None for m in gains)]
    if not actors:
        return _empty("No actor has a gain: no issue has a status quo.")

    def mean_gain(a: str) -> float:
        vals = [gains[m][a] for m in gains if gains[m][a] is not None]
        return float(np.mean(vals)) if vals else 0.0

    actors.sort(key=lambda a: (mean_gain(a), a))
    fig = _figure(7.6, 1.3 + (0.14 + 0.08 * len(gains)) * len(actors))
    ax = fig.add_subplot()
    ys = np.arange(len(actors))
    h = 0.8 / max(1, len(gains))
    for k, m in enumerate(gains):
        vals = [100 * (gains[m][a] or 0.0) for a in actors]
        left_out = fc.undetermined(m)
        label = m + (f" (leaves out {', '.join(left_out)}: undetermined)" if left_out else "")
        ax.barh(
            ys + (k - (len(gains) - 1) / 2) * h, vals, height=h, color=model_colour(m, k),
            label=_wrap(label, 40, 3),
        )  # fmt: skip
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ys, [names.get(a, a) for a in actors])
    ax.set_xlabel("gain against the status quo (% of the scale, salience-weighted)")
    ax.set_title("Who gains at the best estimates", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig, "Gains against the status quo")


@_styled
def outlook_chart(scenario: Any, ens: Any) -> str:
    """Each actor's mean gain with its 5-95% interval over the draws, per model, ranked."""
    names = _names(scenario)
    models = list(ens.models)
    outlooks = {m: {o.actor: o for o in ens.actor_outlook(m) if o.mean is not None} for m in models}
    actors = [a for a in ens.actors if any(a in outlooks[m] for m in models)]
    if not actors:
        return _empty("No actor has a gain: no issue has a status quo.")

    def avg(a: str) -> float:
        vals = [outlooks[m][a].mean for m in models if a in outlooks[m]]
        return float(np.mean(vals)) if vals else 0.0

    actors.sort(key=lambda a: (avg(a), a))
    fig = _figure(7.6, 1.3 + 0.32 * len(actors))
    ax = fig.add_subplot()
    ys = np.arange(len(actors))
    h = 0.75 / max(1, len(models))
    for k, m in enumerate(models):
        colour = model_colour(m, k)
        xs, yk = [], []
        for y, a in zip(ys, actors, strict=True):
            o = outlooks[m].get(a)
            if o is None:
                continue
            yy = y + (k - (len(models) - 1) / 2) * h
            q05, q95 = o.quantiles.get(0.05), o.quantiles.get(0.95)
            if q05 is not None and q95 is not None:  # the mean may lie outside a skewed band
                ax.hlines(yy, 100 * q05, 100 * q95, color=colour, lw=1.3)
            xs.append(100 * o.mean)
            yk.append(yy)
        ax.plot(xs, yk, "o", ms=4.5, color=colour, label=f"{m}: mean and 5-95% of the draws")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ys, [names.get(a, a) for a in actors])
    ax.set_xlabel("gain against the status quo (% of the scale, salience-weighted)")
    ax.set_title(f"Who wins, and how surely ({ens.draws:,} draws)", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig, "Gains with their uncertainty")


# -------------------------------------------------------------- sensitivity


@_styled
def sobol_chart(scenario: Any, sens: Any, issue: str, top: int = 10) -> str:
    """The total-order (light) and first-order (dark) Sobol indices, with their 95%
    intervals, of the ``top`` factors of ``issue`` (inputs, or actors when the indices are
    by actor; ranked by their largest total index over the models)."""
    models = list(sens.models)
    j = sens.issues.index(issue)
    sob = {m: sens.sobol[m][j] for m in models}
    if all(s.constant for s in sob.values()):
        return _empty(f"The forecast of {issue} does not move over the ranges.")
    best = np.nanmax(np.array([s.st for s in sob.values()], dtype=float), axis=0)
    order = sorted(range(len(sens.factors)), key=lambda i: (-np.nan_to_num(best[i]), i))[:top]
    order = order[::-1]
    fig = _figure(7.6, 1.3 + (0.14 + 0.08 * len(models)) * len(order))
    ax = fig.add_subplot()
    ys = np.arange(len(order))
    h = 0.8 / max(1, len(models))
    for k, m in enumerate(models):
        s = sob[m]
        y = ys + (k - (len(models) - 1) / 2) * h
        colour = model_colour(m, k)
        st = [s.st[i] for i in order]
        ax.barh(
            y, st, height=h, color=colour, alpha=0.35,
            xerr=[abs(np.nan_to_num(s.st_conf[i])) for i in order],
            error_kw={"lw": 0.8, "capsize": 1.5},
            label=f"{m}: total (ST)",
        )  # fmt: skip
        ax.barh(y, [max(s.s1[i], 0.0) for i in order], height=h * 0.45, color=colour,
                label=f"{m}: first order (S1)")  # fmt: skip
    ax.set_yticks(ys, [sens.factors[i] for i in order], fontsize=7.5)
    ax.set_xlim(0, max(1.0, float(np.nanmax(best)) * 1.05))
    ax.set_xlabel("share of the forecast's variance")
    ax.set_title(f"What moves the forecast of {issue}", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)
    return _svg(fig, f"Sobol indices of {issue}")


@_styled
def levers_chart(scenario: Any, levers: Any, top: int = 8) -> str:
    """The chosen actor's strongest levers per model: the change of its gain per unit of
    each lever (a point of salience, a percent of the scale or of capability)."""
    names = _names(scenario)
    models = [m for m in levers.models if levers.top(m, top)]
    if not models:
        return _empty("No lever moves the outcome.")
    fig = _figure(7.6, 1.0 + sum(0.25 * len(levers.top(m, top)) + 0.5 for m in models))
    axes = fig.subplots(len(models), 1, squeeze=False)[:, 0]
    focal = names.get(levers.actor, levers.actor)
    for k, (ax, m) in enumerate(zip(axes, models, strict=True)):
        tops = list(levers.top(m, top))[::-1]
        vals = [100 * lever_rate(lv) for lv in tops]
        labels = [_wrap(f"{lv.describe(focal, names)} (per {per_unit(lv)})", 60, 2) for lv in tops]
        ax.barh(np.arange(len(tops)), vals, color=model_colour(m, k))
        ax.set_yticks(np.arange(len(tops)), labels, fontsize=7.5)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(f"{m} ({levers.method[m]})", loc="left", fontsize=9)
    what = (
        "gain"
        if all(lv.rate is not None for m in models for lv in levers.top(m, top))
        else ("move toward it")
    )
    axes[-1].set_xlabel(f"change of {focal}'s {what} (percentage points) per unit of the lever")
    return _svg(fig, f"Levers of {focal}")


def lever_rate(lv: Any) -> float:
    """What a lever does per unit for the focal actor: the change of its gain, or, where it
    has no gain (no status quo on its issues), the forecasts' move toward it."""
    return float(lv.rate if lv.rate is not None else lv.move_rate)


def per_unit(lv: Any) -> str:
    """A lever's unit after "per": "point of salience", "% of the scale", ..."""
    return "point of salience" if lv.unit == "points" else str(lv.unit)


# ------------------------------------------------------------------- games


@_styled
def sweep_chart(sweep: Any) -> str:
    """A game's refined equilibrium over one parameter: each player's expected payoff,
    and a vertical line where the path of play or the winner flips."""
    game = sweep.game
    xs = [float(st.value) for st in sweep.steps]
    fig = _figure(7.6, 3.0)
    ax = fig.add_subplot()
    colours = ["#1f6fb4", "#d1495b", "#2a9d3a", "#8e6cc0", "#c07d12"]
    for k, player in enumerate(game.players):
        ys = [float(st.payoffs[player.id]) for st in sweep.steps]
        ax.plot(xs, ys, marker="o", ms=3, lw=1.6, color=colours[k % 5], label=_plain(player.name))
    for f in sweep.flips:
        style = "--" if f.kind == "path" else ":"
        ax.axvline(f.at, color="#555555", ls=style, lw=1.0)
        ax.annotate(
            f"{f.kind} flips at {f.at:.3g}",
            (f.at, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -10),
            textcoords="offset points",
            fontsize=7,
            color="#555555",
        )
    ax.set_xlabel(sweep.parameter)
    ax.set_ylabel(
        _wrap(f"expected payoff ({game.payoff_scale})", 40, 2)
        if game.payoff_scale
        else "expected payoff"
    )
    ax.set_title(
        f"{_plain(game.name)}: the refined equilibrium as {sweep.parameter} varies", loc="left"
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig, f"Sweep of {sweep.parameter} in {game.id}")


# ------------------------------------------------------------------- view from


@_styled
def view_from_chart(scenario: Any, view: Any) -> str:
    """Bueno de Mesquita's view from an actor, one panel per issue: every other actor j at
    (E^i(U_ij), E^i(U_ji)) as the focal actor i sees them, in the regions of conflict,
    compromise, capitulation and stalemate (who yields: the focal actor above the x axis,
    the other below it).

    The points are labelled once the layout is fixed, each label placed where its drawn
    extent overlaps no other label, no region's caption and no other point (four places
    beside its point are tried, the weightiest actors first); the names left without a
    place are listed above their panel."""
    names = _names(scenario)
    panels = [iv for iv in view.issues if iv.points]
    if not panels:
        return _empty("No other actor shares an issue with this actor.")
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = _figure(7.6, 2.7 * rows + 0.5)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    shown: set[str] = set()
    focal = names.get(view.actor, view.actor)
    drawn = []
    for ax, iv in zip(axes, panels, strict=False):
        pts = [p for p in iv.points if p.region != "same position"]
        lim = max([abs(p.eu_challenge) for p in pts] + [abs(p.eu_challenged) for p in pts] + [0.1])
        lim *= 1.2
        captions = _regions(ax, lim, _short(focal, 12))
        for p in pts:
            region = p.region
            ax.scatter(
                p.eu_challenge, p.eu_challenged, s=18 + 60 * min(p.weight, 1.0),
                color=REGION_COLOURS.get(region, "black"), edgecolor="white", lw=0.5, zorder=3,
                label=region if region not in shown else None,
            )  # fmt: skip
            shown.add(region)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        # room above the panel for two lines of names left without a place
        ax.set_title(_wrap(iv.issue, 34, 1), fontsize=8.5, loc="left", pad=18)
        ax.tick_params(labelsize=7)
        drawn.append((ax, pts, captions))
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    fig.supxlabel(f"E(U) for {focal} of challenging the other", fontsize=8.5)
    fig.supylabel(f"E(U) for the other of challenging {focal}, as {focal} sees it", fontsize=8.5)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[1 : len(panels)]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="outside upper center", ncols=5, frameon=False, fontsize=7.5)
    renderer = _fixed_layout(fig)
    for ax, pts, captions in drawn:
        unlabelled = _label_points(ax, pts, names, renderer, captions)
        also = _wrap("also: " + ", ".join(unlabelled), 56, 2) if unlabelled else ""
        if also:  # under the panel's title, clear of the points and the regions
            ax.text(0.0, 1.015, also, transform=ax.transAxes, fontsize=5.5, color="#555555",
                    va="bottom", ha="left")  # fmt: skip
    return _svg(fig, f"The view from {focal}")


def _fixed_layout(fig: Any) -> Any:
    """Lay ``fig`` out now (its constrained layout) and keep that layout, so that texts
    placed from here on can be measured where they will be drawn; returns the renderer
    that measures them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return canvas.get_renderer()


#: Where a point's label may go, in points from the point: (dx, dy, horizontal and
#: vertical alignment).
_PLACES = (
    (3.0, 2.0, "left", "bottom"),
    (3.0, -2.0, "left", "top"),
    (-3.0, 2.0, "right", "bottom"),
    (-3.0, -2.0, "right", "top"),
)


def _label_points(
    ax: Any,
    pts: Sequence[Any],
    names: Mapping[str, str],
    renderer: Any,
    obstacles: Sequence[Any] = (),
) -> list[str]:
    """Label the points of a view-from panel, the weightiest first, each beside its point
    where its drawn extent stays inside the panel and overlaps neither a label already
    placed, nor an ``obstacle`` (the regions' captions), nor another point; the names
    that found no place are returned, for a line above the panel."""
    from matplotlib.transforms import offset_copy

    frame = ax.get_window_extent(renderer)
    placed = [t.get_window_extent(renderer) for t in obstacles]
    dots = [
        ax.transData.transform((p.eu_challenge, p.eu_challenged)) for p in pts
    ]  # display coordinates of every point
    radius = 4.0 * renderer.points_to_pixels(1.0)
    left_out: list[str] = []
    for p in sorted(pts, key=lambda p: -p.weight):
        text = _short(names.get(p.other, p.other))
        for dx, dy, ha, va in _PLACES:
            where = offset_copy(ax.transData, fig=ax.figure, x=dx, y=dy, units="points")
            label = ax.text(p.eu_challenge, p.eu_challenged, text, transform=where,
                            fontsize=6.5, ha=ha, va=va, zorder=4)  # fmt: skip
            box = label.get_window_extent(renderer)
            inside = (
                box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )  # fmt: skip
            clear = not any(box.overlaps(other) for other in placed) and not any(
                box.x0 - radius < x < box.x1 + radius and box.y0 - radius < y < box.y1 + radius
                for (x, y), q in zip(dots, pts, strict=True)
                if q is not p
            )
            if inside and clear:
                placed.append(box)
                break
            label.remove()
        else:
            left_out.append(text)
    return left_out


def _regions(ax: Any, lim: float, focal: str) -> list[Any]:
    """Shade the regions: Q1 conflict, Q3 stalemate; in Q2 (the other gains, the focal
    actor loses) and Q4 the line y = -x divides compromise (the loser's loss smaller than
    the winner's gain) from capitulation. Returns the regions' captions (text artists)."""
    L = lim * 1.5
    tint = 0.13
    ax.fill([0, L, L, 0], [0, 0, L, L], color=REGION_COLOURS["conflict"], alpha=tint, lw=0)
    ax.fill([0, -L, -L, 0], [0, 0, -L, -L], color=REGION_COLOURS["stalemate"], alpha=tint, lw=0)
    ax.fill([0, -L, 0], [0, L, L], color=REGION_COLOURS["compromise"], alpha=tint, lw=0)
    ax.fill([0, -L, -L], [0, L, 0], color=REGION_COLOURS["capitulation"], alpha=tint, lw=0)
    ax.fill([0, L, L], [0, 0, -L], color=REGION_COLOURS["compromise"], alpha=tint, lw=0)
    ax.fill([0, L, 0], [0, -L, -L], color=REGION_COLOURS["capitulation"], alpha=tint, lw=0)
    ax.axhline(0, color="#999999", lw=0.6)
    ax.axvline(0, color="#999999", lw=0.6)
    ax.plot([-L, L], [L, -L], color="#bbbbbb", lw=0.5, ls=":")
    kw = {"fontsize": 6.5, "color": "#555555", "ha": "center", "va": "center", "zorder": 2}
    captions = (
        (0.5, 0.85, "conflict"),
        (-0.5, -0.85, "stalemate"),
        (-0.3, 0.85, f"{focal} yields:\ncompromise"),
        (-0.8, 0.3, "capitulation"),
        (0.8, -0.3, "other yields:\ncompromise"),
        (0.3, -0.85, "capitulation"),
    )
    return [ax.text(x * lim, y * lim, text, **kw) for x, y, text in captions]


def _short(name: str, width: int = 14) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


@_styled
def _empty(message: str) -> str:
    fig = _figure(7.6, 0.6)
    fig.text(0.01, 0.5, message, va="center", fontsize=9, color="#555555")
    return _svg(fig, message)
