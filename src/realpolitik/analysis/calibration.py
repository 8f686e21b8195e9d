"""How sure? Coverage and sharpness of forecast intervals on real outcomes, and the default
spread that the calibration protocol (docs/explanation/calibration-protocol.md) picks.

Each back-test case (a one-issue scenario with an observed outcome) is given a spread P
(:func:`~realpolitik.scenario.uncertainty.with_spread`: positions ±P% of the scale,
saliences ±P points, triangular) and drawn ``draws`` times; each model forecasts every draw
(a case's draws are the columns of one model input). A model's 50% interval is the 25th to
75th percentile of its determinate forecasts, its 90% interval the 5th to 95th; a case with
fewer than half its draws determinate has none. **Coverage** is the share of cases whose
outcome lies in the interval (ends included), **sharpness** the mean width in points of a
0-100 scale.

:func:`calibrate` runs the protocol once: on the fitting part of the candidate protocol's
split, the smallest spread of :data:`GRID` whose compromise 90% intervals cover at least 90%
of the cases (else the largest); on the checking part, coverage and sharpness of every model
at that spread. ``python -m realpolitik.analysis.calibration DEU.tsv`` prints it.

Draw ``i`` of case ``k`` takes its quantiles from
``default_rng(SeedSequence(entropy=seed, spawn_key=(k,)))`` (one stream per case, its draws
in order): a case's intervals depend on its place in the list and the seed, not on the other
cases' draws.

Complexity: the models' own per case, times ``draws`` (vectorised as columns), per spread.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..arrays import issue_batch
from ..models.plan import ModelPlan, plan_models
from ..scenario.uncertainty import draw_values, uncertain_inputs, with_spread

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario import Scenario
    from .backtest import Case

__all__ = [
    "DRAWS",
    "GRID",
    "LEVELS",
    "MODELS",
    "SEED",
    "Calibration",
    "Coverage",
    "calibrate",
    "checked_coverage",
    "coverage",
    "default_spread",
    "intervals",
    "main",
    "shipped",
    "with_default_spread",
]

#: The spreads the protocol tries, in order.
GRID: tuple[float, ...] = (5, 10, 15, 20, 25, 30, 40, 50)
#: Draws per case, and the seed of the draws.
DRAWS = 200
SEED = 20261206
#: The models checked (those of ``--model all``); the first picks the spread.
MODELS = ("compromise", "median", "eum")
#: The intervals: central 50% and 90%, as (low, high) quantiles.
LEVELS: Mapping[str, tuple[float, float]] = {"50": (0.25, 0.75), "90": (0.05, 0.95)}
#: The coverage the protocol asks of the 90% interval on the fitting part.
TARGET = 0.90


@dataclass(frozen=True)
class Coverage:
    """One model's intervals at one spread over a set of cases: the cases with an
    interval (``cases`` of ``of``), and per level (``"50"``, ``"90"``) the share of them
    whose outcome lies inside and the mean width (points of 0-100)."""

    model: str
    spread: float  # nan: the scenarios' own ranges
    cases: int
    of: int
    covered: Mapping[str, float]
    width: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "spread": None if math.isnan(self.spread) else self.spread,
            "cases": self.cases,
            "of": self.of,
            "covered": dict(self.covered),
            "width": dict(self.width),
        }


def intervals(
    cases: Sequence[Case],
    plans: Sequence[ModelPlan],
    spread: float | None,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
) -> dict[str, np.ndarray]:
    """Per model, (cases, 4): the 50% and 90% intervals (low50, high50, low90, high90) of
    each case's forecasts over ``draws`` draws at ``spread`` (``None``: the case scenarios'
    own ranges); ``nan`` where the model has fewer than half its draws determinate."""
    out = {p.name: np.full((len(cases), 4), np.nan) for p in plans}
    qs = [LEVELS["50"][0], LEVELS["50"][1], LEVELS["90"][0], LEVELS["90"][1]]
    for k, case in enumerate(cases):
        sc = case.scenario if spread is None else with_spread(case.scenario, spread)
        inputs = uncertain_inputs(sc)
        rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(k,)))
        u = rng.random((draws, len(inputs)))
        values = draw_values(sc, u, inputs)
        _, inp = issue_batch(sc, values, sc.issue_ids.index(case.issue))
        for p in plans:
            f = np.asarray(p.separate().run(inp, details=False).forecast, dtype=float)
            ok = f[~np.isnan(f)]
            if ok.size * 2 >= draws:
                out[p.name][k] = np.quantile(ok, qs)
    return out


def coverage(
    model: str, spread: float | None, bounds: np.ndarray, cases: Sequence[Case]
) -> Coverage:
    """The coverage and sharpness of ``bounds`` (:func:`intervals`' rows) on ``cases``."""
    outcome = np.array([c.outcome for c in cases], dtype=float)
    span = np.array([c.span for c in cases], dtype=float)
    has = ~np.isnan(bounds).any(axis=1)
    covered, width = {}, {}
    for name, (lo, hi) in (("50", (0, 1)), ("90", (2, 3))):
        a, b = bounds[has, lo], bounds[has, hi]
        x = outcome[has]
        covered[name] = float(np.mean((a <= x) & (x <= b))) if has.any() else math.nan
        width[name] = float(np.mean((b - a) / span[has] * 100)) if has.any() else math.nan
    return Coverage(
        model,
        math.nan if spread is None else float(spread),
        int(has.sum()),
        len(cases),
        covered,
        width,
    )


@dataclass(frozen=True)
class Calibration:
    """The protocol's result: the fitting part's compromise coverage at every spread of the
    grid (``fitting``), the spread chosen (``spread``; ``reached``: whether its 90% interval
    covered the target there), and every model's coverage at it on the checking part."""

    fitting: tuple[Coverage, ...]
    spread: float
    reached: bool
    checking: tuple[Coverage, ...]
    fit_cases: int
    check_cases: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": "docs/explanation/calibration-protocol.md",
            "grid": list(GRID),
            "draws": DRAWS,
            "seed": SEED,
            "spread": self.spread,
            "reached": self.reached,
            "fit_cases": self.fit_cases,
            "check_cases": self.check_cases,
            "fitting": [c.to_dict() for c in self.fitting],
            "checking": [c.to_dict() for c in self.checking],
        }


def choose(fitting: Sequence[Coverage]) -> tuple[float, bool]:
    """The protocol's rule: the smallest spread whose 90% coverage reaches the target, else
    the largest of the grid (and ``False``)."""
    for c in sorted(fitting, key=lambda c: c.spread):
        if c.covered["90"] >= TARGET:
            return c.spread, True
    return max(c.spread for c in fitting), False


def calibrate(path: str | Path, *, draws: int = DRAWS, seed: int = SEED) -> Calibration:
    """The calibration protocol on DEU III's development table at ``path``, as declared."""
    from ..scenario.deu import load_deu
    from .backtest import cases_from_deu
    from .candidate import split

    deu = load_deu(path)
    cases, _ = cases_from_deu(deu)
    fit_ids, check_ids = split(deu.table.proposals)
    fit = [c for c in cases if c.cluster in set(fit_ids)]
    check = [c for c in cases if c.cluster in set(check_ids)]
    plans = plan_models(list(MODELS))
    first = plans[:1]
    fitting = []
    for p in GRID:
        b = intervals(fit, first, p, draws=draws, seed=seed)[first[0].name]
        fitting.append(coverage(first[0].name, p, b, fit))
    spread, reached = choose(fitting)
    bounds = intervals(check, plans, spread, draws=draws, seed=seed)
    checking = tuple(coverage(p.name, spread, bounds[p.name], check) for p in plans)
    return Calibration(tuple(fitting), spread, reached, checking, len(fit), len(check))


def format_result(res: Calibration) -> str:
    """The result as the calibration page quotes it."""
    lines = [
        f"fitting part: {res.fit_cases} issues; checking part: {res.check_cases} issues; "
        f"{DRAWS} draws a case, seed {SEED}",
        "",
        "fitting part, compromise: spread  covered 50%  covered 90%  width 50  width 90",
    ]
    for c in res.fitting:
        lines.append(
            f"  {c.spread:>4g}  {c.covered['50']:>11.1%}  {c.covered['90']:>11.1%}  "
            f"{c.width['50']:>8.1f}  {c.width['90']:>8.1f}"
        )
    verdict = "reaches" if res.reached else "does not reach"
    lines += [
        "",
        f"spread chosen: {res.spread:g} (its 90% interval {verdict} {TARGET:.0%} on the "
        "fitting part)",
        "",
        "checking part, at that spread: model  cases  covered 50%  covered 90%  width 50  width 90",
    ]
    for c in res.checking:
        lines.append(
            f"  {c.model:<11} {c.cases:>3}/{c.of:<3}  {c.covered['50']:>11.1%}  "
            f"{c.covered['90']:>11.1%}  {c.width['50']:>8.1f}  {c.width['90']:>8.1f}"
        )
    return "\n".join(lines)


@cache
def shipped() -> Mapping[str, Any]:
    """The protocol's result as run once and shipped with the package (``calibration.json``,
    written by ``python -m realpolitik.analysis.calibration DEU.tsv --json``; held to a
    re-run by tests/test_calibration.py)."""
    text = resources.files(__package__).joinpath("calibration.json").read_text(encoding="utf-8")
    data: Mapping[str, Any] = json.loads(text)
    return data


def default_spread() -> float:
    """The default spread the protocol picked: applied wherever a scenario has no ranged
    number (``simulate``, ``sensitivity``, the report), and said so."""
    return float(shipped()["spread"])


def checked_coverage(model: str) -> Coverage | None:
    """``model``'s coverage at the default spread on the protocol's checking part (``None``
    for a model the check did not cover)."""
    for c in shipped()["checking"]:
        if c["model"] == model:
            return Coverage(c["model"], c["spread"], c["cases"], c["of"], c["covered"], c["width"])
    return None


def with_default_spread(scenario: Scenario) -> tuple[Scenario, float | None]:
    """``scenario`` with the default spread on every position and salience if it has no
    ranged number at all (and the spread applied), else as it is (and ``None``): the
    policy of ``simulate`` and ``sensitivity``
    (:func:`~realpolitik.analysis.ensemble.unranged`)."""
    from .ensemble import unranged

    return unranged(scenario, "calibrated")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("file", help="DEU III's development table (deu3-dev.tsv)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    res = calibrate(args.file)
    if args.json:
        print(json.dumps(res.to_dict(), indent=2))
    else:
        print(format_result(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
