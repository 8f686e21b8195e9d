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
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..arrays import issue_input, scenario_input
from ..errors import (
    InputError,
    Problem,
    ScenarioError,
    UnknownNameError,
    check_whole,
    seed_or_fresh,
)
from ..models.base import ModelInput
from ..models.plan import ModelPlan, plan_models
from ..results import (
    JsonResult,
    Provenance,
    ProvenanceFields,
    Subject,
    SubjectError,
    freeze,
    jsonable,
    readonly,
)
from ..scenario import Scenario
from ..scenario.uncertainty import point_values, uncertain_inputs
from .bootstrap import (
    DEFAULT_RESAMPLES,
    METRICS,
    cluster_bootstrap,
    metrics,
    paired_bootstrap,
)

__all__ = [
    "BASELINES",
    "DEFAULT_RESAMPLES",
    "FORMAT",
    "METRICS",
    "MIN_CLUSTERS",
    "Backtest",
    "Case",
    "Interval",
    "Score",
    "backtest",
    "cases_from_deu",
    "cases_from_scenarios",
    "cluster_bootstrap",
    "deu_separator",
    "grade_sealed",
    "load_cases",
    "metrics",
    "score",
]

FORMAT = "realpolitik-backtest/1"
MAX_RESAMPLES = 1_000_000
#: Fewer clusters than this behind a table's intervals are noted (``few_clusters`` in the
#: JSON): a bootstrap of a handful of proposals or scenarios says little.
MIN_CLUSTERS = 10
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


# ------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    """One issue to score: the scenario it belongs to, its cluster (issues resampled
    together: a DEU proposal, a scenario), and the groups it falls in for the breakdowns."""

    id: str
    scenario: Scenario
    issue: str
    cluster: str
    groups: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))
        o = self.scenario.outcome(self.issue)
        if o is None:
            raise InputError(f"{self.id}: the scenario records no outcome of {self.issue!r}")

    @property
    def outcome(self) -> float:
        o = self.scenario.outcome(self.issue)
        assert o is not None
        return o.value

    @property
    def span(self) -> float:
        return self.scenario.issue(self.issue).span


def cases_from_deu(deu: Any) -> tuple[tuple[Case, ...], dict[str, Any]]:
    """The scorable issues of a :class:`~realpolitik.scenario.deu.DeuSet` (those with an
    outcome), clustered by proposal and grouped by procedure and voting rule; and the
    description of the source."""
    cases = tuple(
        Case(
            id=d.row.issue,
            scenario=d.scenario,
            issue=d.row.issue,
            cluster=d.row.proposal,
            groups={"procedure": d.row.procedure, "voting": d.row.voting},
        )
        for d in deu.issues
        if d.scenario.outcomes
    )
    from ..scenario.deu import CITATION

    source = {
        "kind": "deu",
        **deu.table.to_dict(),
        **deu.settings(),
        "counts": deu.counts(),
        "citation": CITATION,
        "notes": {d.row.issue: [n.text for n in d.notes] for d in deu.issues if d.notes},
    }
    return cases, source


def cases_from_scenarios(scenarios: Sequence[Scenario]) -> tuple[tuple[Case, ...], dict[str, Any]]:
    """The issues with an outcome in each scenario, each scenario a cluster; case ids are
    ``SCENARIO:ISSUE``."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for sc in scenarios:
        if sc.id in seen:
            problems.append(
                Problem(sc.origin or sc.id, "id", f"scenario id {sc.id!r} also in {seen[sc.id]}")
            )
            continue
        seen[sc.id] = sc.origin or sc.id
        for o in sc.outcomes:
            cases.append(Case(f"{sc.id}:{o.issue}", sc, o.issue, sc.id))
    if problems:
        raise ScenarioError(problems)
    source = {
        "kind": "scenarios",
        "scenarios": [
            {
                "id": sc.id,
                "file": sc.origin,
                "hash": sc.content_hash(),
                "outcomes": len(sc.outcomes),
            }
            for sc in scenarios
        ],
        "without_outcomes": [sc.id for sc in scenarios if not sc.outcomes],
    }
    return tuple(cases), source


def deu_separator(path: str | Path) -> str | None:
    """How the columns of a DEU III table at ``path`` are separated: ``"\\t"`` for a
    ``.tsv`` or ``.tab`` file or a file whose tab-separated header names ``prnr`` or
    ``isnr``, ``","`` for a header of DEU's columns separated by commas (which the reader
    refuses: DEU tables are tab-separated), ``None`` for any other file."""
    p = Path(path).expanduser()
    if p.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        with p.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return None
    first = next((ln for ln in head.lstrip("\ufeff").splitlines() if ln.strip()), "")
    for sep in ("\t", ","):
        if {"prnr", "isnr"} & {c.strip().strip('"') for c in first.split(sep)}:
            return sep
    return None


def load_cases(
    path: str | Path,
    *,
    weights: Any = "council",
    treaty_rule: str = "intro",
    missing_salience: float | None = None,
    iso_dates: bool = False,
) -> tuple[tuple[Case, ...], dict[str, Any]]:
    """The cases of a DEU III table (``.tsv``, or any file whose header is DEU's), of a
    scenario file with outcomes, or of every scenario file (``.yaml``, ``.yml``) in a
    folder; the weighting options apply to DEU tables only. Raises
    :class:`~realpolitik.errors.ScenarioError` with every problem found."""
    from ..scenario import load
    from ..scenario.deu import load_deu

    p = Path(path).expanduser()
    if p.is_dir():
        files = sorted(
            f for f in p.iterdir() if f.is_file() and f.suffix.lower() in (".yaml", ".yml")
        )
        if not files:
            raise ScenarioError([Problem(str(p), "", "no .yaml scenario files in this folder")])
        scenarios: list[Scenario] = []
        problems: list[Problem] = []
        for f in files:
            try:
                scenarios.append(load(f))
            except ScenarioError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ScenarioError(problems)
        cases, source = cases_from_scenarios(scenarios)
        source["folder"] = str(p)
    elif (sep := deu_separator(p) if p.is_file() else None) == ",":
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    "",
                    "a header of DEU III columns (prnr, isnr, ...) separated by commas; "
                    "DEU III tables are tab-separated: save the table with tabs (as .tsv)",
                    1,
                )
            ]
        )
    elif sep == "\t":
        cases, source = cases_from_deu(
            load_deu(
                p,
                weights=weights,
                treaty_rule=treaty_rule,
                missing_salience=missing_salience,
                iso_dates=iso_dates,
            )
        )
    else:
        cases, source = cases_from_scenarios([load(str(p))])
    if not cases and source["kind"] == "deu":
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    "out",
                    "no issue with an observed outcome: every cell of the `out` column is "
                    "blank or 999; expected the outcome on the issue's 0-100 scale",
                )
            ]
        )
    if not cases:
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    "outcomes",
                    "no issue with an observed outcome; add `outcomes:` to the scenario "
                    "(see docs/reference/scenario-format.md)",
                )
            ]
        )
    return cases, source


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


def _batches(inputs: Sequence[ModelInput]) -> list[tuple[tuple[int, ...], ModelInput]]:
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
        for packed in _pack(_split(_batches([inputs[k] for k in ks]), size), size):
            batches = tuple((tuple(ks[i] for i in index), inp) for index, inp in packed)
            tasks.append(_Task(group, batches))
            sizes.append(sum(len(index) for index, _ in batches))
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


# ------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Interval:
    """A difference to the reference model (this minus the reference: negative is better)
    and its bootstrap interval (``None`` where there is none)."""

    point: float
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"point": self.point, "low": self.low, "high": self.high})  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Score:
    """One model's (or baseline's) metrics over the issues of one table: all issues
    (``dimension`` and ``group`` ``"all"``) or one group of a breakdown. ``n`` issues were
    forecast; ``diff`` maps each metric to its difference to the reference model over the
    ``n_paired`` issues both forecast (``None`` for the reference itself)."""

    dimension: str
    group: str
    name: str
    kind: str
    n: int
    mae: float
    median_ae: float
    rmse: float
    n_paired: int = 0
    diff: Mapping[str, Interval] | None = None

    def metric(self, name: str) -> float:
        return float(getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "group": self.group,
            "name": self.name,
            "kind": self.kind,
            "n": self.n,
            **{m: jsonable(self.metric(m)) for m in METRICS},
            "n_paired": self.n_paired,
            "diff": None if self.diff is None else {k: v.to_dict() for k, v in self.diff.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Score:
        def num(x: Any) -> float:
            return math.nan if x is None else float(x)

        diff = d.get("diff")
        return cls(
            dimension=d["dimension"],
            group=d["group"],
            name=d["name"],
            kind=d["kind"],
            n=int(d["n"]),
            mae=num(d["mae"]),
            median_ae=num(d["median_ae"]),
            rmse=num(d["rmse"]),
            n_paired=int(d.get("n_paired", 0)),
            diff=None
            if diff is None
            else {k: Interval(num(v["point"]), v["low"], v["high"]) for k, v in diff.items()},
        )


def _errors(forecast: np.ndarray, outcome: np.ndarray, span: np.ndarray) -> np.ndarray:
    return np.abs(forecast - outcome) / span * 100.0


def _tables(groups: Mapping[str, Sequence[str]], n: int) -> list[tuple[str, str, np.ndarray]]:
    tables = [("all", "all", np.ones(n, dtype=bool))]
    for dim, labels in groups.items():
        arr = np.array(labels, dtype=object)
        for g in sorted(set(labels)):
            tables.append((dim, g, arr == g))
    return tables


def _score(
    *,
    forecasts: Mapping[str, np.ndarray],
    kinds: Mapping[str, str],
    outcomes: np.ndarray,
    spans: np.ndarray,
    clusters: Sequence[str],
    groups: Mapping[str, Sequence[str]],
    reference: str | None,
    seed: int,
    resamples: int,
    confidence: float,
) -> tuple[Score, ...]:
    errs = {name: _errors(f, outcomes, spans) for name, f in forecasts.items()}
    rows: list[Score] = []
    for t, (dim, group, mask) in enumerate(_tables(groups, len(outcomes))):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(t,)))
        cl = [c for c, keep in zip(clusters, mask, strict=True) if keep]
        ref = errs[reference][mask] if reference in errs else None
        others = {name: e[mask] for name, e in errs.items() if name != reference}
        cis = {}
        if ref is not None:
            cis = paired_bootstrap(others, ref, cl, rng, resamples, confidence)
        for name, e_all in errs.items():
            e = e_all[mask]
            m = metrics(e)
            diff: dict[str, Interval] | None = None
            paired = 0
            if ref is not None and name != reference:
                both = ~np.isnan(e) & ~np.isnan(ref)
                paired = int(both.sum())
                mm, mr = metrics(e[both]), metrics(ref[both])
                diff = {k: Interval(mm[k] - mr[k], *cis[name][k]) for k in METRICS}
            rows.append(
                Score(
                    dimension=dim,
                    group=group,
                    name=name,
                    kind=kinds[name],
                    n=int((~np.isnan(e)).sum()),
                    mae=m["mae"],
                    median_ae=m["median_ae"],
                    rmse=m["rmse"],
                    n_paired=paired,
                    diff=diff,
                )
            )
    return tuple(rows)


# ------------------------------------------------------------------ the result


@dataclass(frozen=True, eq=False)
class Backtest(ProvenanceFields, JsonResult):
    """Models and baselines scored against observed outcomes, and how it was done.

    Per issue (``cases``, in order): its cluster, outcome, scale span, groups, and each
    entry's forecast (``forecasts[name]``, ``nan`` where it made none). ``scores`` holds
    every table (all issues, then each breakdown group); ``source`` says what was read
    (file and its hash, rows, weights, missing values, ...); ``parameters`` each model's
    parameters; ``seed``, ``resamples`` and ``confidence`` the bootstrap's; ``states`` the
    EUM's per issue (1 settled, 2 cycle, 0 unsettled).
    """

    format_id: ClassVar[str] = FORMAT
    kind: ClassVar[str] = "back-test"
    record_kind: ClassVar[str] = "backtest"

    provenance: Provenance
    source: Mapping[str, Any]
    cases: tuple[str, ...]
    clusters: tuple[str, ...]
    outcomes: np.ndarray
    spans: np.ndarray
    groups: Mapping[str, tuple[str, ...]]
    forecasts: Mapping[str, np.ndarray]
    kinds: Mapping[str, str]
    reference: str | None
    resamples: int
    confidence: float
    scores: tuple[Score, ...]
    states: Mapping[str, np.ndarray] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    coverage: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        freeze(
            self,
            outcomes=readonly(self.outcomes),
            spans=readonly(self.spans),
            forecasts=MappingProxyType({k: readonly(v) for k, v in self.forecasts.items()}),
            states=MappingProxyType({k: readonly(v) for k, v in self.states.items()}),
            groups=MappingProxyType({k: tuple(v) for k, v in self.groups.items()}),
            kinds=MappingProxyType(dict(self.kinds)),
            source=MappingProxyType(dict(self.source)),
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The models, then the baselines, in the order run."""
        return tuple(self.forecasts)

    def errors(self, name: str) -> np.ndarray:
        """The absolute errors of ``name`` per issue, in points of a 0-100 scale."""
        if name not in self.forecasts:
            raise UnknownNameError(
                f"{name!r} was not scored; this back-test has {', '.join(self.names)}"
            )
        return _errors(self.forecasts[name], self.outcomes, self.spans)

    def leaderboard(self, dimension: str = "all", group: str = "all") -> tuple[Score, ...]:
        """The scores of one table, best (lowest MAE) first; entries with no forecast last."""
        rows = [s for s in self.scores if s.dimension == dimension and s.group == group]
        if not rows:
            raise UnknownNameError(
                f"no table {dimension}={group}; tables: {', '.join(self.tables())}"
            )
        return tuple(sorted(rows, key=lambda s: (math.isnan(s.mae), s.mae, s.name)))

    @property
    def few_clusters(self) -> bool:
        """Whether the intervals of the whole set rest on fewer than :data:`MIN_CLUSTERS`
        clusters (at least two: with fewer there are none)."""
        return 2 <= len(set(self.clusters)) < MIN_CLUSTERS

    def tables(self) -> tuple[str, ...]:
        """The tables scored, as ``dimension=group`` (``all=all`` first)."""
        return tuple(dict.fromkeys(f"{s.dimension}={s.group}" for s in self.scores))

    def run_parameters(self) -> dict[str, Any]:
        """The models run (not the baselines) and their parameters, the bootstrap
        ``resamples``, the ``sealed`` run graded (``None`` for none) and, for a DEU III table,
        its ``weights``, ``treaty_rule``, ``missing_salience`` and ``source_sha256``."""
        params: dict[str, Any] = {
            "models": [n for n, k in self.kinds.items() if k == "model"],
            "model_parameters": {k: dict(v) for k, v in self.parameters.items()},
            "resamples": self.resamples,
            "sealed": (self.source.get("sealed") or {}).get("run"),
        }
        if self.source.get("kind") == "deu":
            params.update(
                weights=(self.source.get("weights") or {}).get("name"),
                treaty_rule=self.source.get("treaty_rule"),
                missing_salience=self.source.get("missing_salience"),
                source_sha256=self.source.get("sha256"),
            )
        return params

    def run_subject(self, scenario: Scenario | None) -> Scenario | Mapping[str, Any]:
        """What the run history files a back-test under: the scenario file it read, when it
        read one (``scenario`` must be it, outcomes included); else a description of the
        table or folder (its name, kind, hash and rows, and the scenarios' hashes)."""
        src = self.source
        scenarios = [s.get("hash") for s in src.get("scenarios", ())]
        if src.get("kind") == "scenarios" and len(scenarios) == 1 and "folder" not in src:
            if scenario is None or scenario.content_hash() != scenarios[0]:
                given = (
                    "none was given"
                    if scenario is None
                    else f"not {scenario.id!r} ({scenario.content_hash()[:19]})"
                )
                raise SubjectError(
                    f"the back-test read scenario {src['scenarios'][0].get('id')!r} "
                    f"({str(scenarios[0])[:19]}); expected that scenario, {given}"
                )
            return scenario
        where = str(src.get("folder") or src.get("file") or self.scenario_id)
        name = Path(where).name or where
        return {
            "id": f"backtest:{name}",
            "name": f"back-test of {name}",
            "source": {k: src.get(k) for k in ("kind", "file", "sha256", "rows", "folder")},
            "scenarios": scenarios,
        }

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: the overall leaderboard and the counts."""
        return {
            "cases": len(self.cases),
            "clusters": len(set(self.clusters)),
            "leaderboard": [s.to_dict() for s in self.leaderboard()],
            "breakdown": [s.to_dict() for s in self.scores if s.dimension != "all"],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.provenance.to_dict(),
            "source": jsonable(dict(self.source)),
            "reference": self.reference,
            "resamples": self.resamples,
            "confidence": self.confidence,
            "few_clusters": self.few_clusters,
            "kinds": dict(self.kinds),
            "notes": list(self.notes),
            "coverage": [c.to_dict() for c in self.coverage],
            "leaderboard": [s.to_dict() for s in self.leaderboard()],
            "scores": [s.to_dict() for s in self.scores],
            "cases": {
                "id": list(self.cases),
                "cluster": list(self.clusters),
                "outcome": jsonable(self.outcomes),
                "span": jsonable(self.spans),
                "groups": {k: list(v) for k, v in self.groups.items()},
                "forecasts": {k: jsonable(v) for k, v in self.forecasts.items()},
                "states": {k: jsonable(v) for k, v in self.states.items()},
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Backtest:
        cls.check_format(d)
        c = d["cases"]

        def arr(x: Any) -> np.ndarray:
            return np.array([math.nan if v is None else v for v in x], dtype=float)

        return cls(
            provenance=Provenance.from_dict(d, "data"),
            source=d["source"],
            cases=tuple(c["id"]),
            clusters=tuple(c["cluster"]),
            outcomes=arr(c["outcome"]),
            spans=arr(c["span"]),
            groups=c["groups"],
            forecasts={k: arr(v) for k, v in c["forecasts"].items()},
            kinds=d["kinds"],
            reference=d["reference"],
            resamples=d["resamples"],
            confidence=d["confidence"],
            scores=tuple(Score.from_dict(s) for s in d["scores"]),
            states={k: arr(v) for k, v in c.get("states", {}).items()},
            notes=tuple(d.get("notes", ())),
            coverage=tuple(_coverage_from(c) for c in d.get("coverage", ())),
        )


def _check(seed: int | None, resamples: int, confidence: float) -> int:
    seed = seed_or_fresh(seed)
    check_whole(resamples, "resamples", low=1, high=MAX_RESAMPLES)
    if isinstance(confidence, bool) or not (
        isinstance(confidence, (int, float, np.integer, np.floating)) and 0 < confidence < 1
    ):
        raise InputError(f"confidence must lie between 0 and 1, got {confidence!r}")
    return seed


def source_subject(source: Mapping[str, Any]) -> Subject:
    """What a back-test was computed from, named as results name their input: a DEU file
    (its name and SHA-256) or scenarios (their ids; the hash of their content hashes)."""
    if source.get("kind") == "deu":
        return Subject("data", str(source.get("file")), "DEU", str(source.get("sha256")))
    ids = [str(s.get("id")) for s in source.get("scenarios", ())]
    digest = hashlib.sha256(
        "\n".join(str(s.get("hash")) for s in source.get("scenarios", ())).encode()
    ).hexdigest()
    return Subject("data", ",".join(ids), "scenarios", f"sha256:{digest}")


def score(
    cases: Sequence[Case],
    forecasts: Mapping[str, np.ndarray],
    kinds: Mapping[str, str],
    *,
    source: Mapping[str, Any],
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    reference: str | None = "compromise",
    seed: int | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    states: Mapping[str, np.ndarray] | None = None,
    notes: Iterable[str] = (),
) -> Backtest:
    """Score given ``forecasts`` (name -> one per case, ``nan`` for none) of ``cases``."""
    seed = _check(seed, resamples, confidence)
    if not cases:
        raise InputError("no case to score: expected at least one issue with an outcome")
    ids = [c.id for c in cases]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise InputError(f"case ids given twice: {', '.join(twice)}")
    dims = sorted({d for c in cases for d in c.groups})
    groups = {d: tuple(c.groups.get(d, "(none)") for c in cases) for d in dims}
    outcomes = np.array([c.outcome for c in cases])
    spans = np.array([c.span for c in cases])
    clusters = tuple(c.cluster for c in cases)
    ref = reference if reference in forecasts else None
    fcs = {k: np.asarray(v, dtype=float) for k, v in forecasts.items()}
    scores = _score(
        forecasts=fcs,
        kinds=kinds,
        outcomes=outcomes,
        spans=spans,
        clusters=clusters,
        groups=groups,
        reference=ref,
        seed=seed,
        resamples=int(resamples),
        confidence=float(confidence),
    )
    notes = list(notes)
    if len(set(clusters)) < 2:
        notes.append(
            f"{len(set(clusters))} cluster: no bootstrap interval (it resamples whole "
            "proposals or scenarios)"
        )
    few = []
    for dim, group, mask in _tables(groups, len(cases)):
        k = len({c for c, keep in zip(clusters, mask, strict=True) if keep})
        if 2 <= k < MIN_CLUSTERS:
            few.append(f"{'all issues' if dim == 'all' else f'{dim} {group}'} ({k} clusters)")
    if few:
        notes.append(
            f"fewer than {MIN_CLUSTERS} clusters (whole proposals or scenarios) behind the "
            f"intervals of {', '.join(few)}: a bootstrap of so few is rough, and its "
            f"intervals are not to be read as {confidence:.0%} intervals"
        )
    return Backtest(
        provenance=Provenance(source_subject(source), parameters or {}, seed),
        source=source,
        cases=tuple(ids),
        clusters=clusters,
        outcomes=outcomes,
        spans=spans,
        groups=groups,
        forecasts=fcs,
        kinds=kinds,
        reference=ref,
        resamples=int(resamples),
        confidence=float(confidence),
        scores=scores,
        states=states or {},
        notes=tuple(notes),
    )


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
    seed = _check(seed, resamples, confidence)
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


def _coverage_from(d: Mapping[str, Any]) -> Any:
    from .calibration import Coverage

    spread = math.nan if d["spread"] is None else float(d["spread"])
    return Coverage(d["model"], spread, d["cases"], d["of"], d["covered"], d["width"])


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
