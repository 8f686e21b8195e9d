"""Back-tests: how far each model's forecasts land from the outcomes that were observed.

:func:`backtest` runs every model on every issue with a known outcome (the DEU III data set,
scenario files carrying ``outcomes``, or a folder of them), adds the baselines, and scores
them all into a frozen :class:`Backtest`; :func:`grade_sealed` scores a forecast sealed in
the run store before the outcomes were known.

Errors and metrics
------------------
An issue's error is ``|forecast - outcome|`` in points of a 0-100 scale: divided by the
span of the issue's scale and multiplied by 100 (on DEU III's 0-100 scales, the plain
difference), so that issues on different scales weigh alike. Per model: the mean absolute
error (MAE), the median absolute error and the root mean squared error (RMSE) over the
issues it forecast.

Baselines
---------
Beside the registered models (the ``median`` model is the Condorcet median):

* ``reference-point``: nothing changes; the status quo (none where a scenario gives none);
* ``constant-50``: the middle of the scale (50 on DEU's 0-100);
* ``unweighted-mean``: the plain mean of the participants' positions.

They are not registered models: they ignore the bargaining (two of them ignore the actors
altogether), the reference point has no forecast where a scenario has no status quo (the
registry's contract asks every model for a finite forecast of every issue), and registering
them would add them to ``--model all`` in every front end (forecast, simulate, report,
dashboard). So they live here, as functions of the same inputs the models see.

The paired cluster bootstrap
----------------------------
The difference of each metric to the reference model (``compromise``) gets a percentile
interval (95% by default) from a paired bootstrap that **resamples clusters, not issues**
(:mod:`realpolitik.analysis.bootstrap`): the issues of one DEU proposal (or of one
scenario) are negotiated together, by the same actors, often traded against each other,
and their errors are correlated; resampling issues as if independent would understate the
uncertainty. Every model is scored on the same replicates (paired), over the issues both it
and the reference forecast. Replicates come from
``numpy.random.default_rng(SeedSequence(seed, spawn_key=(k,)))``, one stream per table
(k = 0 for the whole set, then one per breakdown group, in order), so the same seed gives
the same bytes. With fewer than two clusters there is no interval; a table whose intervals
rest on fewer than :data:`MIN_CLUSTERS` (10) is noted, and the JSON's ``few_clusters`` says
so for the whole set: a bootstrap of a handful of clusters is rough.

Breakdowns: by the groups each issue carries (for DEU III: ``procedure``, COD or CNS, and
``voting``, QMV or Unan in the Council); every table has the same columns.

Speed: the issues are run in batches: a model's result for a column of its input does not
depend on the columns beside it (tests/test_model_contract.py), so the issues with the same
number of participants (and no shocks) form the columns of one input, one model call per
batch. Batches are packed into chunks of ``chunk_size`` issues for the runner's backends; a
back-test that fits in one chunk (the DEU development set does) runs in this process.

The cases are read in :mod:`realpolitik.analysis.cases`; the scores and the frozen result
live in :mod:`realpolitik.analysis.scoring` (both re-exported here).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from ..arrays import issue_input, scenario_input
from ..errors import (
    InputError,
    check_whole,
)
from ..models.base import ModelInput
from ..models.plan import ModelPlan, plan_models
from ..scenario import Scenario
from ..scenario.uncertainty import point_values, uncertain_inputs
from .bootstrap import (
    DEFAULT_RESAMPLES,
    METRICS,
    cluster_bootstrap,
    metrics,
)
from .cases import Case, cases_from_deu, cases_from_scenarios, deu_separator, load_cases
from .scoring import (
    FORMAT,
    MAX_RESAMPLES,
    MIN_CLUSTERS,
    Backtest,
    Interval,
    Score,
    check_settings,
    errors,
    score,
)

__all__ = [
    "BASELINES",
    "DEFAULT_RESAMPLES",
    "FORMAT",
    "MAX_RESAMPLES",
    "METRICS",
    "MIN_CLUSTERS",
    "Backtest",
    "Case",
    "Interval",
    "Score",
    "backtest",
    "batches",
    "cases_from_deu",
    "cases_from_scenarios",
    "cluster_bootstrap",
    "deu_separator",
    "errors",
    "grade_sealed",
    "load_cases",
    "metrics",
    "score",
]

#: Issues per chunk handed to a backend.
DEFAULT_CHUNK = 2000


# ------------------------------------------------------------------ baselines


def _reference_point(inp: ModelInput) -> np.ndarray:
    return np.array(inp.status_quo, dtype=float)


def _constant_50(inp: ModelInput) -> np.ndarray:
    return (inp.scale_min + inp.scale_max) / 2.0


def _unweighted_mean(inp: ModelInput) -> np.ndarray:
    return np.asarray(np.ascontiguousarray(inp.final().position.T).mean(axis=1), dtype=float)


#: The baselines: name -> (what it forecasts, the function of a model input).
BASELINES: Mapping[str, tuple[str, Callable[[ModelInput], np.ndarray]]] = MappingProxyType(
    {
        "reference-point": ("nothing changes: the status quo", _reference_point),
        "constant-50": ("the middle of the scale (50 on 0-100)", _constant_50),
        "unweighted-mean": ("the plain mean of the participants' positions", _unweighted_mean),
    }
)


# ------------------------------------------------------------------ running


@dataclass(frozen=True)
class _Task:
    """A chunk: some batches of issues (each one model input, its columns the issues)."""

    plans: tuple[ModelPlan, ...]
    batches: tuple[tuple[tuple[int, ...], ModelInput], ...]


def run_task(task: _Task) -> dict[str, list[tuple[tuple[int, ...], np.ndarray, np.ndarray | None]]]:
    """Run one chunk (a top-level function, so that workers can import it): per model, per
    batch, the issues' indices, forecasts and (for the EUM) whether each settled."""
    out: dict[str, list[tuple[tuple[int, ...], np.ndarray, np.ndarray | None]]] = {}
    for plan in task.plans:
        rows = out.setdefault(plan.name, [])
        for index, inp in task.batches:
            traj = plan.run(inp, details=False)
            settled = traj.details.get("settled")
            period = traj.details.get("cycle_period")
            state = None
            if settled is not None and period is not None:
                state = np.where(settled == 1, 1.0, np.where(period > 0, 2.0, 0.0))
            rows.append((index, np.asarray(traj.forecast), state))
    return out


def _joint_forecasts(cases: Sequence[Case], plan: ModelPlan, out: np.ndarray) -> None:
    """A joint model's forecasts of the cases whose scenario has several issues, from one
    joint run of each such scenario, into ``out`` (a case per entry)."""
    runs: dict[int, tuple[Scenario, list[int]]] = {}
    for k, c in enumerate(cases):
        if len(c.scenario.issues) > 1:
            runs.setdefault(id(c.scenario), (c.scenario, []))[1].append(k)
    for sc, ks in runs.values():
        traj = plan.run(scenario_input(sc, point_values(sc)), details=False)
        for k in ks:
            out[k] = traj.forecast[sc.issue_ids.index(cases[k].issue)]


def batches(inputs: Sequence[ModelInput]) -> list[tuple[tuple[int, ...], ModelInput]]:
    """The inputs of one column each, stacked into one input per number of participants
    (capabilities per column); an input with shocks stays alone."""
    groups: dict[int, list[int]] = {}
    alone: list[tuple[tuple[int, ...], ModelInput]] = []
    for k, inp in enumerate(inputs):
        if inp.changes:
            alone.append(((k,), inp))
        else:
            groups.setdefault(inp.n_actors, []).append(k)
    out = []
    for _, ks in sorted(groups.items()):
        parts = [inputs[k] for k in ks]
        out.append(
            (
                tuple(ks),
                ModelInput(
                    capability=np.stack([p.capability_matrix()[:, 0] for p in parts], axis=1),
                    position=np.concatenate([p.position for p in parts], axis=1),
                    salience=np.concatenate([p.salience for p in parts], axis=1),
                    scale_min=np.concatenate([p.scale_min for p in parts]),
                    scale_max=np.concatenate([p.scale_max for p in parts]),
                    status_quo=np.concatenate([p.status_quo for p in parts]),
                ),
            )
        )
    return out + alone


def _split(
    batches: list[tuple[tuple[int, ...], ModelInput]], size: int
) -> list[tuple[tuple[int, ...], ModelInput]]:
    out = []
    for index, inp in batches:
        for start in range(0, len(index), size):
            sel = slice(start, start + size)
            if start == 0 and len(index) <= size:
                out.append((index, inp))
            else:
                out.append((index[sel], inp.columns(np.arange(len(index))[sel])))
    return out


def _pack(batches: list[tuple[tuple[int, ...], ModelInput]], size: int) -> list[list[Any]]:
    tasks: list[list[Any]] = [[]]
    count = 0
    for b in batches:
        if count and count + len(b[0]) > size:
            tasks.append([])
            count = 0
        tasks[-1].append(b)
        count += len(b[0])
    return tasks


def _run(
    cases: Sequence[Case],
    plans: Sequence[ModelPlan],
    *,
    backend: Any,
    workers: int | None,
    scheduler: str | None,
    chunk_size: int | None,
    progress: Callable[[int, int], object] | None,
) -> tuple[dict[str, np.ndarray], dict[str, str], dict[str, np.ndarray]]:
    """Forecasts of every model and baseline per case, their kinds, and the EUM's state per
    case (1 settled, 2 cycle, 0 unsettled)."""
    inputs = [issue_input(c.scenario, c.issue)[1] for c in cases]
    n = len(cases)
    forecasts: dict[str, np.ndarray] = {}
    for name, (_, fn) in BASELINES.items():
        forecasts[name] = np.array([float(fn(inp)[0]) for inp in inputs])
    size = int(chunk_size or DEFAULT_CHUNK)
    # A batch's columns are separate one-issue cases. A joint model runs in the batches
    # only the cases of one-issue scenarios (its joint run of such a scenario); the cases
    # of scenarios with several issues it runs jointly, scenario by scenario, below.
    separate = tuple(p for p in plans if not p.joint)
    joint = tuple(p.separate() for p in plans if p.joint)
    single = [k for k, c in enumerate(cases) if len(c.scenario.issues) == 1]
    tasks: list[_Task] = []
    sizes: list[int] = []
    for group, ks in ((separate, list(range(n))), (joint, single)):
        if not group or not ks:
            continue
        for packed in _pack(_split(batches([inputs[k] for k in ks]), size), size):
            chunk = tuple((tuple(ks[i] for i in index), inp) for index, inp in packed)
            tasks.append(_Task(group, chunk))
            sizes.append(sum(len(index) for index, _ in chunk))
    for p in plans:
        forecasts[p.name] = np.full(n, np.nan)
    states: dict[str, np.ndarray] = {}
    from ..runner import InProcess, run, session

    # no pool to start for one chunk
    given = InProcess() if len(tasks) <= 1 and backend is None else backend
    with session(given, workers, scheduler) as runner:
        done = run(run_task, tasks, backend=runner, weights=sizes, progress=progress)
    results = [done[i] for i in range(len(tasks))]
    for res in results:
        for name, rows in res.items():
            for index, fc, state in rows:
                forecasts[name][list(index)] = fc
                if state is not None:
                    states.setdefault(name, np.full(n, np.nan))[list(index)] = state
    for p in plans:
        if p.joint:
            _joint_forecasts(cases, p, forecasts[p.name])
    kinds = {name: "baseline" for name in BASELINES}
    kinds.update({p.name: "model" for p in plans})
    ordered = {p.name: forecasts[p.name] for p in plans}
    ordered.update({name: forecasts[name] for name in BASELINES})
    return ordered, {k: kinds[k] for k in ordered}, states


# ------------------------------------------------------------------ the verbs


def backtest(
    source: Any,
    model: str | Sequence[str] = "all",
    *,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    weights: Any = "council",
    treaty_rule: str = "intro",
    missing_salience: float | None = None,
    reference: str = "compromise",
    seed: int | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    workers: int | None = None,
    scheduler: str | None = None,
    backend: Any = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], object] | None = None,
    spread: float | None = None,
    draws: int = 200,
) -> Backtest:
    """Back-test ``model`` (a name, a list, or ``"all"``) and the baselines on ``source``:
    a path (a DEU III ``.tsv``, a scenario file with outcomes, or a folder of them), a
    :class:`~realpolitik.scenario.deu.DeuSet`, a :class:`Scenario` or a list of them, or
    the ``(cases, source)`` pair that :func:`load_cases` returns.

    ``weights``, ``treaty_rule`` and ``missing_salience`` apply to a DEU path (see
    :func:`~realpolitik.scenario.deu.deu_scenarios`). The reference model of the paired
    differences (``compromise``) is run even when ``model`` leaves it out. ``seed`` fixes
    the bootstrap (a fresh one is drawn and recorded if ``None``); the forecasts and the
    metrics do not depend on it, nor on ``workers``, ``scheduler`` or ``chunk_size``.

    How sure: with ``spread`` (every position and salience given ±``spread``, as
    ``--spread``), or where the cases' scenarios have ranges of their own, each case is
    drawn ``draws`` times and the result's ``coverage`` says per model how often the
    outcome fell inside the 50% and 90% intervals of its forecasts, and how wide they were
    (:mod:`realpolitik.analysis.calibration`).
    """
    from ..scenario.deu import DeuSet

    if isinstance(source, (str, Path)):
        cases, src = load_cases(
            source, weights=weights, treaty_rule=treaty_rule, missing_salience=missing_salience
        )
    elif isinstance(source, DeuSet):
        cases, src = cases_from_deu(source)
    elif isinstance(source, Scenario):
        cases, src = cases_from_scenarios([source])
    elif (
        isinstance(source, tuple)
        and len(source) == 2
        and isinstance(source[1], Mapping)
        and all(isinstance(c, Case) for c in source[0])
    ):
        cases, src = tuple(source[0]), dict(source[1])
    else:
        cases, src = cases_from_scenarios(list(source))
    if not cases:
        raise InputError("no issue with an observed outcome to score")
    seed = check_settings(seed, resamples, confidence)
    if spread is not None and (
        isinstance(spread, bool) or not isinstance(spread, (int, float)) or not 0 < spread <= 100
    ):
        raise InputError(f"`spread` must be a number above 0 and at most 100, got {spread!r}")
    check_whole(draws, "draws", low=2, high=100_000)
    plans = list(plan_models(model, rounds, params))
    notes = []
    if reference not in [p.name for p in plans]:
        plans.append(plan_models(reference)[0])
        notes.append(f"{reference} was added as the reference of the paired differences")
    forecasts, kinds, states = _run(
        cases,
        plans,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        progress=progress,
    )
    for name, st in states.items():
        notes.append(_state_note(name, st, forecasts[name], plans))
    scored = score(
        cases,
        forecasts,
        kinds,
        source=src,
        parameters={p.name: p.parameters() for p in plans},
        reference=reference,
        seed=seed,
        resamples=resamples,
        confidence=confidence,
        states=states,
        notes=notes,
    )
    ranged = any(uncertain_inputs(c.scenario) for c in cases)
    if spread is None and not ranged:
        return scored
    from .calibration import coverage, intervals

    check_whole(draws, "draws", low=2, high=100_000)
    bounds = intervals(cases, plans, spread, draws=draws, seed=seed)
    found = tuple(coverage(p.name, spread, bounds[p.name], cases) for p in plans)
    return dataclasses.replace(scored, coverage=found)


def _state_note(name: str, st: np.ndarray, forecast: np.ndarray, plans: Sequence[ModelPlan]) -> str:
    rounds = next(p.rounds for p in plans if p.name == name)
    undetermined = int(np.isnan(forecast).sum())
    return (
        f"{name}: {int((st == 1).sum())} issues settled, {int((st == 2).sum())} ended in a "
        f"cycle, {int((st == 0).sum())} were still moving after {rounds} rounds; "
        f"{undetermined} undetermined (a cycle or a move wider than 5% of the scale: no "
        "forecast, left out of its scores and of the paired comparisons)"
    )


def grade_sealed(
    sealed: Any,
    scenario: Scenario,
    *,
    reference: str = "compromise",
    seed: int | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
) -> Backtest:
    """Score a forecast sealed in the run store (:func:`~realpolitik.runner.store.
    read_sealed`) against the outcomes ``scenario`` now records, beside the baselines.

    Refused (:class:`~realpolitik.errors.InputError`) unless ``scenario`` without its
    outcomes is the scenario that was sealed (the same content hash): a sealed forecast is
    graded only on the contest it forecast. The source records, per issue, the outcome's
    date and the forecast's lead: the days from the seal to the outcome (negative: sealed
    after the outcome).
    """
    from ..scenario.diff import diff

    bare = scenario.without_outcomes()
    have = bare.content_hash()
    if have != sealed.scenario_hash:
        changes = list(diff(dict(sealed.scenario), bare.to_dict()))
        shown = "; ".join(f"{d.path}: {d.old!r} -> {d.new!r}" for d in changes[:5])
        more = f" (and {len(changes) - 5} more)" if len(changes) > 5 else ""
        raise InputError(
            f"run {sealed.run_id} sealed scenario {sealed.scenario_id!r} "
            f"({sealed.scenario_hash[:19]}); this file without its outcomes is "
            f"{scenario.id!r} ({have[:19]}): a sealed forecast is graded only on the scenario "
            f"it was made on (edit nothing but `outcomes:`). Changed since the seal: "
            f"{shown or 'the layout of the content'}{more}"
        )
    cases, src = cases_from_scenarios([scenario])
    if not cases:
        raise InputError(f"{scenario.id}: no outcome to grade against; add `outcomes:`")
    inputs = [issue_input(c.scenario, c.issue)[1] for c in cases]
    forecasts: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {}
    for name in sealed.models:
        values = sealed.forecasts.get(name, {})
        forecasts[name] = np.array(
            [math.nan if values.get(c.issue) is None else float(values[c.issue]) for c in cases]
        )
        kinds[name] = "model"
    for name, (_, fn) in BASELINES.items():
        forecasts[name] = np.array([float(fn(inp)[0]) for inp in inputs])
        kinds[name] = "baseline"
    sealed_day = sealed.created.date()
    lead: dict[str, dict[str, Any]] = {}
    late = []
    for c in cases:
        o = scenario.outcome(c.issue)
        assert o is not None
        days = (o.date - sealed_day).days if o.date else None
        lead[c.issue] = {"outcome_date": o.date.isoformat() if o.date else None, "lead_days": days}
        if days is not None and days < 0:
            late.append(c.issue)
    src["sealed"] = {
        "run": sealed.run_id,
        "created": sealed.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scenario_hash": sealed.scenario_hash,
        "forecast_sha256": sealed.forecast_sha256,
        "issues": lead,
    }
    notes = []
    if reference not in forecasts:
        notes.append(f"the sealed forecast has no {reference}: no paired differences")
    if late:
        notes.append(f"sealed after the outcome of {', '.join(late)}: not a forecast there")
    return score(
        cases,
        forecasts,
        kinds,
        source=src,
        parameters=sealed.parameters,
        reference=reference,
        seed=seed,
        resamples=resamples,
        confidence=confidence,
        notes=notes,
    )
