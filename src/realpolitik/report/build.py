"""Gather what a report shows: every result through the public API, and how it was made.

Complexity: the sum of what it runs: one forecast per model, ``draws`` Monte Carlo draws
per model (:func:`~realpolitik.analysis.ensemble.simulate`), ``sobol_n (k + 2) + 2k + 1``
evaluations per model for k ranged inputs (:func:`~realpolitik.analysis.sensitivity.
sensitivity`), the levers of one actor (one batch per issue and model) and the view from
it (O(n^2 log n) per issue); then one chart per issue and section, each O(actors x rounds)
or O(draws) to draw.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

from .._version import __version__
from ..analysis.calibration import default_spread
from ..errors import RealpolitikError, UnknownNameError, check_whole, seed_or_fresh
from ..forecasting import Forecast, forecast
from ..models import offering
from ..models.plan import plan_models
from ..results import Provenance, check_subject, freeze, model_parameters
from ..scenario import Scenario, load

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SOBOL_N",
    "DEFAULT_SPREAD",
    "LinkedGame",
    "Report",
    "ReportError",
    "build_report",
]

T = TypeVar("T")

#: Monte Carlo draws per model unless told otherwise: enough for the 5-95% bands to be
#: stable to about a point on a 0-100 scale.
DEFAULT_DRAWS = 1000
#: Base samples of Saltelli's design unless told otherwise (n (k + 2) evaluations).
DEFAULT_SOBOL_N = 64
#: The spread (+-P% of an issue's scale on positions, +-P points on saliences) the command
#: line and the dashboard give a report of a scenario that has no ranged number, so that
#: the report has its simulation and sensitivity (``build_report(unranged_spread=...)``):
#: the default the calibration protocol picked (docs/explanation/calibration.md).
DEFAULT_SPREAD = default_spread()

Progress = Callable[[str, int, int], object]


class ReportError(RealpolitikError):
    """A report that cannot be made: a missing extra, a bad setting."""


@dataclass(frozen=True, eq=False)
class Report:
    """Everything a report shows, and how it was produced.

    ``ensemble``, ``sensitivity``, ``levers`` and ``view`` are ``None`` when their section
    was not computed; ``games`` holds a :class:`LinkedGame` per strategic game linked to the
    scenario; ``notes`` says why, one line per section left out. ``settings`` holds
    the options the report was built with (models, draws, seed, Sobol samples, actor,
    rounds, parameters); with the scenario hash and the version they reproduce every figure.

    The run history records a report as a run of kind ``report``
    (:meth:`~realpolitik.runner.store.RunStore.record_result`): its settings and
    ``interventions`` as parameters, its forecast's summary, its seed.
    """

    record_kind: ClassVar[str] = "report"

    scenario: Scenario
    forecast: Forecast
    actor: str
    settings: Mapping[str, Any]
    ensemble: Any = None
    sensitivity: Any = None
    levers: Any = None
    view: Any = None
    notes: tuple[str, ...] = ()
    games: tuple[Any, ...] = ()
    created: str = ""
    version: str = __version__
    interventions: tuple[str, ...] = field(default=())
    bottom_line: Any = None

    def __post_init__(self) -> None:
        freeze(self, settings=MappingProxyType(dict(self.settings)), notes=tuple(self.notes))

    @functools.cached_property
    def _html(self) -> str:
        from .html import render

        return render(self)

    def html(self) -> str:
        """The report as one self-contained HTML document (rendered once, then kept)."""
        return self._html

    def write(self, path: str | Path) -> Path:
        """Write :meth:`html` to ``path`` (UTF-8); returns the path."""
        p = Path(path)
        p.write_text(self.html(), encoding="utf-8")
        return p

    def write_pdf(self, path: str | Path) -> Path:
        """Print the same HTML to a PDF at ``path`` with WeasyPrint (the ``pdf`` extra)."""
        from .pdf import write_pdf

        return write_pdf(self.html(), Path(path))

    # ------------------------------------------------------- the run history
    @property
    def provenance(self) -> Provenance:
        """The forecast's provenance, with the report's seed."""
        p = self.forecast.provenance
        return Provenance(p.subject, p.parameters, self.settings.get("seed"), p.version)

    def run_parameters(self) -> dict[str, Any]:
        """The models and their parameters, the settings, and the ``interventions``."""
        return {
            **model_parameters(self.forecast.provenance),
            **dict(self.settings),
            "interventions": list(self.interventions),
        }

    def summary(self) -> dict[str, Any]:
        """The forecast's summary (:meth:`Forecast.summary`)."""
        return self.forecast.summary()

    def run_status(self) -> tuple[str, str | None]:
        return "complete", None

    def run_subject(self, scenario: Scenario | None) -> Scenario:
        """The report's scenario (``scenario``, if given, must be it)."""
        return check_subject(self.provenance, self.scenario if scenario is None else scenario)


@dataclass(frozen=True, eq=False)
class LinkedGame:
    """A strategic game linked to the report's scenario, solved with the numbers it reads
    from that scenario (edits included): its solution and a sweep of its first free
    parameter with a range (``None`` if it has none)."""

    game: Any
    solution: Any
    sweep: Any = None
    overrides: Mapping[str, float] = field(default_factory=dict)


def _linked_games(sc: Scenario, names: Sequence[str] | None, notes: list[str]) -> list[LinkedGame]:
    """Solve each game (default: the built-in games linked to ``sc``), its linked numbers
    read from ``sc``; a game that cannot be solved is left out with a note."""
    from ..games import GameError, builtins, load_game, solve_game, sweep
    from ..games.validate import linked_value

    out = []
    for name in builtins.linked(sc.id) if names is None else names:
        try:
            game = load_game(name)
            overrides = {p.id: linked_value(sc, p.link) for p in game.parameters if p.link}
            solution = solve_game(game, params=overrides)
            free = [
                p
                for p in game.parameters
                if p.link is None and p.low is not None and p.high is not None
            ]
            swept = sweep(game, free[0].id, steps=21, params=overrides) if free else None
        except (GameError, UnknownNameError) as exc:
            text = exc.describe() if isinstance(exc, GameError) else str(exc)
            notes.append(f"Strategic game {name}: not solved: {text}")
            continue
        out.append(LinkedGame(game, solution, swept, {k: float(v) for k, v in overrides.items()}))
    return out


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (
        _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
        if epoch.isdigit()
        else _dt.datetime.now(_dt.UTC)
    )
    return moment.replace(microsecond=0).isoformat()


def _import_charts() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ReportError(
            "the report draws its charts with matplotlib, which is not installed; "
            "install the extra: pip install 'realpolitik[report]'"
        ) from None


def build_report(
    scenario: Scenario | str | None = None,
    *,
    actor: str | None = None,
    model: str | Sequence[str] = "all",
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    sobol_n: int = DEFAULT_SOBOL_N,
    sensitivity: bool = True,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    backend: Any = None,
    progress: Progress | None = None,
    interventions: Sequence[str] = (),
    spread: float | None = None,
    unranged_spread: float | None = None,
    created: str | None = None,
    games: Sequence[str] | None = None,
) -> Report:
    """Compute everything a report shows for ``scenario``.

    ``actor`` is the actor whose levers and view the report shows (default: the first
    actor of the scenario with a stance); ``draws`` the Monte Carlo draws per model (0: no
    simulation);
    ``seed`` fixes the simulation and the sensitivity design (a fresh one is drawn and
    recorded if ``None``); ``sobol_n`` the base samples of the Sobol design and
    ``sensitivity=False`` leaves that section out. A section that cannot be computed (no
    ranged number, an extra not installed) is left out with a note that says why.
    ``progress(stage, done, total)`` is called as each stage advances. ``interventions``
    and ``spread`` only record the ``--set`` edits and the ``--spread`` already applied to
    ``scenario``, for the report to list them and its command line to repeat them.
    ``unranged_spread`` is the policy for a scenario without any ranged number (and no
    ``spread``): given (the command line and the dashboard give :data:`DEFAULT_SPREAD`),
    such a scenario is reported with that spread (``with_spread``), and a note says so;
    ``None`` leaves it as it is, with no simulation and no sensitivity.
    ``games`` are the strategic games the report solves (names or paths; default: the
    built-in games linked to the scenario, ``()`` for none), with the numbers they read from
    the scenario taken from ``scenario`` itself. ``created`` is the time the report states
    it was made (default: now, or ``SOURCE_DATE_EPOCH`` when set, so that a rebuild can give
    the same bytes).

    Raises :class:`ReportError` if matplotlib (the ``report`` extra) is missing or
    ``sobol_n`` is not a power of two, :class:`~realpolitik.errors.InputError` for bad
    ``draws`` or ``seed``, and :class:`~realpolitik.errors.ScenarioError` for an actor the
    scenario does not have.
    """
    from ..analysis.ensemble import MAX_DRAWS, simulate
    from ..analysis.levers import levers as compute_levers
    from ..analysis.sensitivity import SensitivityError
    from ..analysis.sensitivity import sensitivity as compute_sensitivity
    from ..analysis.viewfrom import view_from
    from ..runner import InProcess, session
    from ..scenario.uncertainty import uncertain_inputs, with_spread

    _import_charts()
    sc = load(scenario)
    policy: list[str] = []
    if unranged_spread is not None and spread is None and not uncertain_inputs(sc):
        sc = with_spread(sc, unranged_spread)
        spread = unranged_spread
        policy.append(
            "The scenario gives no ranges: simulated and analysed with every position and "
            f"salience given a triangular range of \u00b1{unranged_spread:g}% of its "
            f"issue's scale (positions) or \u00b1{unranged_spread:g} points (saliences)"
            + (
                ", the calibrated default (docs/explanation/calibration.md)."
                if unranged_spread == DEFAULT_SPREAD
                else "."
            )
        )
    if actor is None:  # the first actor that takes part in some issue
        with_stance = {st.actor for st in sc.stances}
        actor = next(a.id for a in sc.actors if a.id in with_stance)
    draws = check_whole(draws, "draws", low=0, high=MAX_DRAWS)
    seed = seed_or_fresh(seed)
    if (
        isinstance(sobol_n, bool)
        or not isinstance(sobol_n, int)
        or sobol_n < 4
        or sobol_n & (sobol_n - 1)
    ):
        raise ReportError(f"sobol_n must be a power of two from 4 on, got {sobol_n!r}")
    plans = plan_models(model, rounds, params)
    names = [p.name for p in plans]
    notes: list[str] = list(policy)

    def stage(name: str, done: int, total: int) -> None:
        if progress is not None:
            progress(name, done, total)

    stage("forecast", 0, 1)
    fc = forecast(sc, model=names, rounds=rounds, params=params)
    stage("forecast", 1, 1)
    lv = compute_levers(sc, actor, names, rounds=rounds, params=params)
    viewer = offering(names, "perceptions")  # the first model run with a view from an actor
    seen = dict(fc.run(viewer).parameters) if viewer else {}
    view = view_from(
        sc,
        actor,
        model=viewer or "eum",
        **{k: seen[k] for k in ("q", "t", "probability", "range_basis") if k in seen},
    )
    if viewer is None:
        notes.append(
            "The view from an actor uses the EUM's default parameters (no model run has one)."
        )
    elif seen.get("vote_risk"):
        notes.append(
            f"The view from an actor weighs the votes risk-neutrally; {viewer} was run with "
            "vote_risk, so its offers may differ from the chart's regions."
        )

    ranged = bool(uncertain_inputs(sc))
    ens = sens = None
    needed = (draws > 0 and ranged) or (sensitivity and ranged)
    # one backend for the simulation and the sensitivity analysis (none if neither runs)
    with session(
        backend if backend is not None or needed else InProcess(), workers, scheduler
    ) as runner:

        def analysis(run: Callable[..., T], name: str, **size: int) -> T:
            """``run`` (a simulation, a sensitivity analysis) of the report's models with its
            seed and settings on the one backend, its progress reported as stage ``name``."""
            return run(
                sc,
                names,
                **size,
                seed=seed,
                rounds=rounds,
                params=params,
                backend=runner,
                progress=lambda d, t: stage(name, d, t),
            )

        if draws == 0:
            notes.append("Simulation: not run (draws = 0).")
        elif not ranged:
            notes.append(
                "Simulation: the scenario has no ranged number, so every draw would be the "
                "forecast; give ranges in the file or build with a `spread`."
            )
        else:
            ens = analysis(simulate, "simulate", draws=draws)
        if not sensitivity:
            notes.append("Sensitivity: not computed (left out on request).")
        elif not ranged:
            notes.append("Sensitivity: the scenario has no ranged number to vary.")
        else:
            try:
                sens = analysis(compute_sensitivity, "sensitivity", n=sobol_n)
            except SensitivityError as exc:
                notes.append(f"Sensitivity: not computed: {exc}")

    linked = _linked_games(sc, games, notes)

    settings = {
        "models": names,
        "rounds": rounds,
        "parameters": {r.model: dict(r.parameters) for r in fc.runs},
        "draws": draws if ens is not None else 0,
        "seed": seed,
        "sobol_n": sobol_n if sens is not None else None,
        "actor": actor,
        "spread": spread,
    }
    from ..analysis.bottomline import bottom_line

    return Report(
        bottom_line=bottom_line(fc, sc, ens, spread=spread),
        scenario=sc,
        forecast=fc,
        actor=actor,
        settings=settings,
        ensemble=ens,
        sensitivity=sens,
        levers=lv,
        view=view,
        notes=tuple(notes),
        games=tuple(linked),
        created=created if created is not None else _now(),
        interventions=tuple(interventions),
    )
