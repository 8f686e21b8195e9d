"""A back-test as one self-contained HTML page: the leaderboard with its intervals, the
breakdowns, an error histogram per model and baseline, the notes and the data's citation.

:func:`backtest_html` renders a :class:`~realpolitik.analysis.backtest.Backtest` with the
template ``templates/backtest.html.j2`` in the report's environment (Jinja2, autoescaped:
:func:`realpolitik.report.html.environment`) and the report's style sheet;
:func:`error_histograms` draws the errors with matplotlib's object interface through the
report's chart helpers (:mod:`realpolitik.report.charts`), as inline SVG. No script, no
font file, no reference to any other file or address; the same back-test gives the same
bytes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from markupsafe import Markup

from ..analysis.backtest import METRICS, Backtest, Score
from .charts import MODEL_COLOURS, _figure, _styled, _svg, model_colour
from .html import environment, number

__all__ = ["backtest_html", "error_histograms", "write_backtest_html"]

#: Width of a histogram bin, in points of a 0-100 scale.
BIN = 5.0


@_styled
def error_histograms(bt: Backtest) -> str:
    """One panel per model and baseline (in leaderboard order): how many issues fell in each
    5-point bin of absolute error, the MAE marked; the same axes for all."""
    from matplotlib.ticker import MaxNLocator

    names = [s.name for s in bt.leaderboard()]
    cols = 3
    rows = math.ceil(len(names) / cols)
    fig = _figure(7.6, 0.4 + 1.7 * rows)
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    edges = np.arange(0.0, 100.0 + BIN, BIN)
    counts = {}
    for name in names:
        e = bt.errors(name)
        counts[name] = np.histogram(np.clip(e[~np.isnan(e)], 0, 100), bins=edges)[0]
    top = max((int(c.max()) for c in counts.values() if c.size), default=1)
    others = [n for n in names if n not in MODEL_COLOURS]  # each its own colour
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.set_visible(False)
            continue
        name = names[k]
        colour = model_colour(name, others.index(name) if name in others else 0)
        e = bt.errors(name)
        ax.stairs(counts[name], edges, color=colour, fill=True, alpha=0.35)
        ax.stairs(counts[name], edges, color=colour, lw=1.2)
        mae = float(np.nanmean(e)) if np.any(~np.isnan(e)) else math.nan
        if not math.isnan(mae):
            ax.axvline(mae, color="black", lw=0.9, ls="--")
        ax.set_title(f"{name} ({bt.kinds[name]}): MAE {mae:.1f}", loc="left", fontsize=8.5)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, top * 1.08)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if k % cols == 0:
            ax.set_ylabel("issues")
        if k >= len(names) - cols:
            ax.set_xlabel("absolute error (points of 0-100)")
            ax.xaxis.set_tick_params(labelbottom=True)
    return _svg(fig, "Absolute errors per model and baseline")


def _diff(s: Score, metric: str) -> dict[str, str] | None:
    if s.diff is None:
        return None
    d = s.diff[metric]
    ci = "" if d.low is None or d.high is None else f"{d.low:.1f} to {d.high:.1f}"
    return {"point": f"{d.point:+.1f}", "ci": ci}


def _row(s: Score) -> dict[str, Any]:
    return {
        "name": s.name,
        "kind": s.kind,
        "n": s.n,
        "n_paired": s.n_paired,
        **{m: number(s.metric(m)) for m in METRICS},
        "diff": {m: _diff(s, m) for m in METRICS},
    }


def backtest_html(bt: Backtest) -> str:
    """The back-test's page."""
    board = bt.leaderboard()
    order = [s.name for s in board]
    breakdowns = []
    for dim, labels in bt.groups.items():
        groups = sorted(set(labels))
        by = {(s.group, s.name): s for s in bt.scores if s.dimension == dim}
        breakdowns.append(
            {
                "dimension": dim,
                "groups": groups,
                "rows": [{"name": n, "cells": [_row(by[(g, n)]) for g in groups]} for n in order],
            }
        )
    src = dict(bt.source)
    sealed = src.get("sealed")
    title = {
        "deu": f"Back-test on the DEU III table {Path(str(src.get('file', ''))).name}",
        "scenarios": "Back-test on scenarios with observed outcomes",
    }.get(str(src.get("kind")), "Back-test")
    if sealed:
        title = f"Grade of the forecast sealed in run {sealed['run']}"
    return str(
        environment()
        .get_template("backtest.html.j2")
        .render(
            bt=bt,
            title=title,
            src=src,
            sealed=sealed,
            board=[_row(s) for s in board],
            breakdowns=breakdowns,
            clusters=len(set(bt.clusters)),
            histograms=Markup(error_histograms(bt)),
            missing=sum(int(v) for v in src.get("missing", {}).values()),
        )
    )


def write_backtest_html(bt: Backtest, path: str | Path) -> Path:
    """Write :func:`backtest_html` to ``path`` (UTF-8) and return the path."""
    p = Path(path)
    p.write_text(backtest_html(bt), encoding="utf-8")
    return p
