"""Monte Carlo ensembles: who wins, and how sure.

:func:`simulate` draws every ranged number of a scenario (``{value, low, high,
distribution}`` in the file) many times, runs each model on every draw, and returns an
:class:`Ensemble`: the forecast of each issue in each draw, each actor's gain in each
draw, and the summaries computed from them (quantiles, histograms, the probability that an
issue ends on each side of its status quo, each actor's probability of gaining and of
gaining most).

Reproducibility
---------------
Draw ``i`` of a run with seed ``s`` takes its numbers from its own stream,
``Generator(Philox(s).jumped(i))`` (:func:`~realpolitik.runner.draw_generator`; a chunk's
draws are computed at once, :func:`~realpolitik.runner.draw_uniforms`): one uniform number
per uncertain input, in the order of
:func:`~realpolitik.scenario.uncertainty.uncertain_inputs`, turned into a value by the
input's inverse CDF. Draws are evaluated in chunks, each chunk a batch whose draws are
the columns of one model input; every model computes each column independently of the
others, bit for bit (tests/test_model_contract.py). So the same seed gives the same bytes
whatever the chunk size, the number of workers or the backend.

Complexity: the models' own per issue, times B draws, plus O(B n m) for the values and
the gains; the draws are vectorised across draws as well as actors (a chunk of B draws is
one model call per issue).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..arrays import issue_batch, scenario_input
from ..errors import MAX_SEED as MAX_SEED  # re-exported: it lived here
from ..errors import InputError, UnknownNameError, check_whole, seed_or_fresh
from ..errors import new_seed as new_seed  # re-exported: it lived here
from ..forecasting import salience_gain
from ..models.base import ModelInput
from ..models.plan import ModelPlan, plan_models
from ..results import JsonResult, Provenance, ProvenanceFields, Subject, freeze, jsonable, readonly
from ..scenario import Scenario, load
from ..scenario.uncertainty import (
    Values,
    draw_values,
    point_values,
    uncertain_inputs,
    with_spread,
)

__all__ = [
    "FORMAT",
    "ActorOutlook",
    "Ensemble",
    "IssueOutlook",
    "evaluate",
    "run_chunk",
    "simulate",
]

FORMAT = "realpolitik-ensemble/2"
#: Earlier formats :meth:`Ensemble.from_dict` still reads (/1: a cycle's mean stood as its
#: forecast in every draw).
READS = ("realpolitik-ensemble/1",)
#: An outcome within this fraction of the issue's scale of the status quo is "at" it.
AT_STATUS_QUO = 0.005
#: A gain above this (a share of the scale, salience-weighted) counts as gaining.
GAIN_ATOL = 1e-9
#: Quantiles reported per issue and per actor.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Bins of the histograms, over each issue's scale.
BINS = 20
#: The most draws one run may ask for.
MAX_DRAWS = 10_000_000


# ------------------------------------------------------------------ evaluation


@dataclass(frozen=True, eq=False)
class Evaluation:
    """One model's results over B draws: ``forecast`` (B, m), ``nan`` where undetermined;
    for a dynamic model that reports them, ``settled`` and ``cycle_period`` (B, m), else
    ``None``."""

    forecast: np.ndarray
    settled: np.ndarray | None = None
    cycle_period: np.ndarray | None = None


def evaluate(
    scenario: Scenario,
    values: Values,
    plans: Sequence[ModelPlan],
    seeds: Sequence[np.random.SeedSequence] | None = None,
) -> dict[str, Evaluation]:
    """Run each planned model on every issue of ``scenario`` for each draw of ``values``
    (one model call per issue, the draws as columns). A joint model runs draw by draw on
    the whole scenario; a model whose runs draw random numbers (:attr:`ModelPlan.stochastic`)
    runs draw by draw with ``seeds[k]`` for draw k (the draws' own, from its index in the
    run, so that a draw's result does not depend on the chunk it is computed in; issue j of
    a model run issue by issue takes child j)."""
    m, b = len(scenario.issues), values.draws
    out: dict[str, Evaluation] = {}
    batches: list[ModelInput] | None = None
    for plan in plans:
        forecast = np.empty((b, m))
        settled = np.full((b, m), np.nan)
        period = np.full((b, m), np.nan)
        per_draw = seeds is not None and plan.stochastic
        if plan.joint:  # the issues as one space: draw by draw, the whole scenario each
            for k in range(b):
                run = plan.with_seed(seeds[k]) if per_draw and seeds is not None else plan
                forecast[k] = run.run(scenario_input(scenario, values, k), details=False).forecast
            out[plan.name] = Evaluation(forecast)
            continue
        if per_draw and seeds is not None:  # issue by issue, draw by draw, seeded
            for k in range(b):
                one = _one_draw(values, k)
                children = seeds[k].spawn(m)
                for j in range(m):
                    inp = issue_batch(scenario, one, j)[1]
                    traj = plan.with_seed(children[j]).run(inp, details=False)
                    forecast[k, j] = traj.forecast[0]
            out[plan.name] = Evaluation(forecast)
            continue
        if batches is None:
            batches = [issue_batch(scenario, values, j)[1] for j in range(m)]
        for j, inp in enumerate(batches):
            traj = plan.run(inp, details=False)
            forecast[:, j] = traj.forecast
            if "settled" in traj.details:
                settled[:, j] = traj.details["settled"]
                period[:, j] = traj.details["cycle_period"]
        has = not np.isnan(settled).all()
        out[plan.name] = Evaluation(forecast, settled if has else None, period if has else None)
    return out


def _one_draw(values: Values, k: int) -> Values:
    """Draw ``k`` of ``values`` as values of one draw."""
    return values.rows(slice(k, k + 1))


def draw_seeds(seed: int, start: int, stop: int) -> list[np.random.SeedSequence]:
    """The seeds of the models' own random numbers in draws ``start`` to ``stop`` of a run
    with ``seed``: draw i's is ``SeedSequence(seed, spawn_key=(i, 1))``, a stream apart from
    the one its uncertain numbers come from (:func:`~realpolitik.runner.draw_generator`)."""
    return [np.random.SeedSequence(seed, spawn_key=(i, 1)) for i in range(start, stop)]


@dataclass(frozen=True)
class Chunk:
    """The work of one chunk: draws ``start`` to ``stop`` of a run. The draws' uniform
    numbers are given as ``samples`` (a design such as Sobol's), or come from ``seed`` (a
    Monte Carlo); with neither, every draw takes the best estimates."""

    scenario: Scenario
    plans: tuple[ModelPlan, ...]
    start: int
    stop: int
    seed: int | None = None
    samples: np.ndarray | None = None
    #: the seed of the models' own random numbers (stochastic models), draw by draw
    model_seed: int | None = None


def chunk_uniforms(seed: int, start: int, stop: int, k: int) -> np.ndarray:
    """The uniform numbers of draws ``start`` to ``stop``: (stop - start, k), row r those
    of ``draw_generator(seed, start + r)``, computed for the chunk at once
    (:func:`~realpolitik.runner.draw_uniforms`)."""
    from ..runner import draw_uniforms

    return draw_uniforms(seed, start, stop, k)


def run_chunk(task: Chunk) -> dict[str, Any]:
    """Evaluate one chunk (a top-level function, so that workers can import it).

    Returns ``{"forecast": {model: (b, m)}, "gains": {model: (b, n)}, "settled":
    {model: (b, m)}, "cycle_period": {model: (b, m)}}``.
    """
    sc = task.scenario
    inputs = uncertain_inputs(sc)
    b = task.stop - task.start
    if task.samples is not None:
        values = draw_values(sc, np.asarray(task.samples, dtype=float), inputs)
    elif task.seed is not None and inputs:
        values = draw_values(
            sc, chunk_uniforms(task.seed, task.start, task.stop, len(inputs)), inputs
        )
    else:  # the best estimates
        values = point_values(sc, b)
    model_seed = task.seed if task.model_seed is None else task.model_seed
    seeds = None
    if model_seed is not None and any(p.stochastic for p in task.plans):
        seeds = draw_seeds(model_seed, task.start, task.stop)
    outcomes = evaluate(sc, values, task.plans, seeds)
    _, lo, hi = _issue_arrays(sc)
    result: dict[str, Any] = {"forecast": {}, "gains": {}, "settled": {}, "cycle_period": {}}
    for name, oc in outcomes.items():
        result["forecast"][name] = oc.forecast
        result["gains"][name] = salience_gain(  # each draw against its own status quo
            values.position, values.salience, values.status_quo[:, None, :], oc.forecast, lo, hi
        )
        if oc.settled is not None:
            result["settled"][name] = oc.settled
            result["cycle_period"][name] = oc.cycle_period
    return result


def _repeated(result: dict[str, Any], draws: int) -> dict[str, Any]:
    """A chunk's result of one draw as that of ``draws`` equal draws: what computing each
    gives, bit for bit, since a model computes every column of a batch alike (the model
    contract) and nothing differs between the draws."""
    return {
        key: {name: np.repeat(arr, draws, axis=0) for name, arr in per_model.items()}
        for key, per_model in result.items()
    }


def _issue_arrays(sc: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sq = np.array([np.nan if i.status_quo is None else i.status_quo for i in sc.issues])
    return (
        sq,
        np.array([i.scale_min for i in sc.issues]),
        np.array([i.scale_max for i in sc.issues]),
    )


# ------------------------------------------------------------------ summaries


@dataclass(frozen=True)
class IssueOutlook:
    """Where one issue lands under one model, across the draws.

    ``p_determinate`` is the share of draws with a point forecast (1 for a static model);
    the mean, sd, quantiles and histogram are over those draws; ``p_below``, ``p_at`` and
    ``p_above`` are shares of all draws, so that with ``1 - p_determinate`` (the draws in
    which the model does not settle on a point) they sum to 1. They compare each draw's
    forecast with ``status_quo``, the best estimate, also where the status quo is ranged
    (the draws' gains are measured against each draw's own status quo).
    """

    issue: str
    point: float
    mean: float
    sd: float
    quantiles: Mapping[float, float]
    histogram_edges: tuple[float, ...]
    histogram_counts: tuple[int, ...]
    status_quo: float | None
    p_below: float | None
    p_at: float | None
    p_above: float | None
    p_settled: float | None
    p_determinate: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["quantiles"] = {f"{q:g}": v for q, v in self.quantiles.items()}
        d["histogram"] = {
            "edges": list(self.histogram_edges),
            "counts": list(self.histogram_counts),
        }
        del d["histogram_edges"], d["histogram_counts"]
        return jsonable(d)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ActorOutlook:
    """How one actor fares under one model, across the draws: its salience-weighted gain
    against the status quo (:func:`~realpolitik.forecasting.salience_gain`)."""

    actor: str
    name: str
    rank: int
    mean: float | None
    sd: float | None
    quantiles: Mapping[float, float]
    p_gain: float | None
    p_best: float | None

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["quantiles"] = {f"{q:g}": v for q, v in self.quantiles.items()}
        return jsonable(d)  # type: ignore[no-any-return]


@dataclass(frozen=True, eq=False)
class Ensemble(ProvenanceFields, JsonResult):
    """The result of :func:`simulate`: every draw's forecasts and gains, how they were
    produced (scenario hash, models and parameters, seed, draws, version), and the
    summaries computed from them.

    ``forecasts[model]`` is (draws, issues), ``nan`` where the model's forecast is
    undetermined in a draw; ``gains[model]`` (draws, actors) with ``nan`` for an actor
    without a gain (no stance on an issue with a status quo and a forecast);
    ``settled[model]`` and ``cycle_period[model]`` (draws, issues) for the EUM.
    ``requested`` draws were asked for; ``draws`` were completed (fewer if interrupted:
    the longest run of completed draws from draw 0, so that the result equals a run of
    ``draws`` draws with the same seed).
    """

    format_id: ClassVar[str] = FORMAT
    kind: ClassVar[str] = "ensemble"
    reads: ClassVar[tuple[str, ...]] = READS
    record_kind: ClassVar[str] = "simulate"

    provenance: Provenance
    actors: tuple[str, ...]
    actor_names: tuple[str, ...]
    issues: tuple[str, ...]
    scale_min: np.ndarray
    scale_max: np.ndarray
    status_quo: np.ndarray
    uncertain: tuple[str, ...]
    shocks: tuple[str, ...]
    requested: int
    draws: int
    point: Mapping[str, np.ndarray]
    forecasts: Mapping[str, np.ndarray]
    gains: Mapping[str, np.ndarray]
    settled: Mapping[str, np.ndarray] = field(default_factory=dict)
    cycle_period: Mapping[str, np.ndarray] = field(default_factory=dict)
    default_spread: float | None = None

    def __post_init__(self) -> None:
        freeze(
            self,
            **{name: readonly(getattr(self, name)) for name in ("scale_min", "scale_max")},
            status_quo=readonly(self.status_quo),
            **{
                name: MappingProxyType({k: readonly(v) for k, v in getattr(self, name).items()})
                for name in ("point", "forecasts", "gains", "settled", "cycle_period")
            },
        )

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.forecasts)

    @property
    def complete(self) -> bool:
        return self.draws == self.requested

    def issue_outlook(self, model: str) -> list[IssueOutlook]:
        """Per issue: the distribution of the forecast and where it ends against the
        status quo (``p_at``: within AT_STATUS_QUO of the scale)."""
        f = self._get(self.forecasts, model)
        out = []
        for j, issue in enumerate(self.issues):
            every = f[:, j]
            x = every[~np.isnan(every)]  # the draws with a point forecast
            lo, hi = float(self.scale_min[j]), float(self.scale_max[j])
            counts, edges = np.histogram(x, bins=BINS, range=(lo, hi))
            sq = float(self.status_quo[j])
            p_below = p_at = p_above = None
            if not math.isnan(sq) and every.size:
                tol = AT_STATUS_QUO * (hi - lo)
                p_below = float(np.mean(every < sq - tol))
                p_above = float(np.mean(every > sq + tol))
                p_at = float(np.mean(np.abs(every - sq) <= tol))
            st = self.settled.get(model)
            mean_sd = _mean_sd(x) if x.size else (math.nan, math.nan)
            out.append(
                IssueOutlook(
                    issue=issue,
                    point=float(self.point[model][j]),
                    mean=mean_sd[0],
                    sd=mean_sd[1],
                    quantiles=_quantiles(x),
                    histogram_edges=tuple(float(e) for e in edges),
                    histogram_counts=tuple(int(c) for c in counts),
                    status_quo=None if math.isnan(sq) else sq,
                    p_below=p_below,
                    p_at=p_at,
                    p_above=p_above,
                    p_settled=None
                    if st is None or not every.size
                    else float(np.mean(st[:, j] == 1)),
                    p_determinate=float(x.size / every.size) if every.size else math.nan,
                )
            )
        return out

    def actor_outlook(self, model: str) -> list[ActorOutlook]:
        """Per actor, ranked by mean gain (best first): the distribution of its gain, the
        probability that it gains, and the probability that it gains most (ties shared)."""
        g = self._get(self.gains, model)
        valid = ~np.isnan(g)
        best = np.zeros(g.shape[1])
        if g.size:
            filled = np.where(valid, g, -np.inf)
            top = filled.max(axis=1, keepdims=True)
            winners = (filled >= top - GAIN_ATOL) & valid & np.isfinite(top)
            share = winners / np.maximum(winners.sum(axis=1, keepdims=True), 1)
            best = share.mean(axis=0)
        rows = []
        for k, actor in enumerate(self.actors):
            x = g[valid[:, k], k]
            has = x.size > 0
            rows.append(
                (
                    actor,
                    self.actor_names[k],
                    float(x.mean()) if has else None,
                    float(x.std()) if has else None,
                    _quantiles(x) if has else {},
                    float(np.mean(x > GAIN_ATOL)) if has else None,
                    float(best[k]) if has else None,
                )
            )
        order = sorted(
            range(len(rows)), key=lambda i: (rows[i][2] is None, -(rows[i][2] or 0.0), i)
        )
        return [
            ActorOutlook(rows[i][0], rows[i][1], r + 1, *rows[i][2:]) for r, i in enumerate(order)
        ]

    def _get(self, table: Mapping[str, np.ndarray], model: str) -> np.ndarray:
        if model not in table:
            raise UnknownNameError(
                f"model {model!r} was not simulated; this ensemble has {', '.join(self.models)}"
            )
        return table[model]

    # ------------------------------------------------------------ serialising
    def outlooks(self) -> dict[str, Any]:
        """Per model: the issue and actor outlooks, as plain data (the JSON's ``summary``)."""
        return {
            m: {
                "issues": [o.to_dict() for o in self.issue_outlook(m)],
                "actors": [o.to_dict() for o in self.actor_outlook(m)],
            }
            for m in self.models
        }

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: :meth:`outlooks` (per model) and ``forecasts``
        (model -> issue -> the mean simulated forecast, ``None`` where undetermined in
        every draw), the key ``realpolitik runs compare`` reads."""
        summary = self.outlooks()
        summary["forecasts"] = {
            m: {o.issue: jsonable(o.mean) for o in self.issue_outlook(m)} for m in self.models
        }
        return summary

    def run_parameters(self) -> dict[str, Any]:
        """The models and their parameters, the draws asked for (``draws``) and kept
        (``draws_kept``), and the ``uncertain`` inputs drawn."""
        return {
            **super().run_parameters(),
            "draws": self.requested,
            "draws_kept": self.draws,
            "uncertain": list(self.uncertain),
            **({} if self.default_spread is None else {"default_spread": self.default_spread}),
        }

    def run_status(self) -> tuple[str, str | None]:
        if self.complete:
            return "complete", None
        return "partial", f"interrupted after {self.draws} draws"

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.provenance.to_dict(),
            "requested": self.requested,
            "draws": self.draws,
            "complete": self.complete,
            "default_spread": self.default_spread,
            "actors": list(self.actors),
            "actor_names": list(self.actor_names),
            "issues": list(self.issues),
            "scale_min": jsonable(self.scale_min),
            "scale_max": jsonable(self.scale_max),
            "status_quo": jsonable(self.status_quo),
            "uncertain": list(self.uncertain),
            "shocks": list(self.shocks),
            "point": {k: jsonable(v) for k, v in self.point.items()},
            "summary": self.outlooks(),
            "per_draw": {
                "forecasts": {k: jsonable(v) for k, v in self.forecasts.items()},
                "gains": {k: jsonable(v) for k, v in self.gains.items()},
                "settled": {k: jsonable(v) for k, v in self.settled.items()},
                "cycle_period": {k: jsonable(v) for k, v in self.cycle_period.items()},
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Ensemble:
        cls.check_format(d)

        def arr(x: Any) -> np.ndarray:
            return readonly(np.array(x if x else [], dtype=float))

        def nan(x: Any) -> np.ndarray:
            return arr(_none_to_nan(x))

        pd = d["per_draw"]
        m = len(d["issues"])
        n = len(d["actors"])
        return cls(
            provenance=Provenance.from_dict(d),
            actors=tuple(d["actors"]),
            actor_names=tuple(d["actor_names"]),
            issues=tuple(d["issues"]),
            scale_min=arr(d["scale_min"]),
            scale_max=arr(d["scale_max"]),
            status_quo=nan(d["status_quo"]),
            uncertain=tuple(d["uncertain"]),
            shocks=tuple(d["shocks"]),
            requested=d["requested"],
            draws=d["draws"],
            point={k: nan(v) for k, v in d["point"].items()},
            forecasts={k: nan(v).reshape(-1, m) for k, v in pd["forecasts"].items()},
            gains={k: nan(v).reshape(-1, n) for k, v in pd["gains"].items()},
            settled={k: nan(v).reshape(-1, m) for k, v in pd["settled"].items()},
            cycle_period={k: nan(v).reshape(-1, m) for k, v in pd["cycle_period"].items()},
            default_spread=d.get("default_spread"),
        )


def _none_to_nan(x: Any) -> Any:
    if isinstance(x, list):
        return [_none_to_nan(y) for y in x]
    return math.nan if x is None else x


def _mean_sd(x: np.ndarray) -> tuple[float, float]:
    """The mean and standard deviation of ``x`` (finite, not empty) as numpy computes them,
    or, where numpy's sums overflow (positions near the largest float), of ``x`` divided by
    its largest magnitude, scaled back: finite, and no overflow warning for a user."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean, sd = float(x.mean()), float(x.std())
    if math.isfinite(mean) and math.isfinite(sd):
        return mean, sd
    s = float(np.max(np.abs(x)))
    y = x / s
    return float(y.mean()) * s, float(y.std()) * s


def _quantiles(x: np.ndarray) -> dict[float, float]:
    if not x.size:
        return {q: math.nan for q in QUANTILES}
    return {q: float(v) for q, v in zip(QUANTILES, quantiles(x, QUANTILES), strict=True)}


def quantiles(x: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """``np.quantile(x, qs)`` (its default, linear method: Hyndman & Fan's type 7) of the
    values of ``x`` (flattened, as floats), computed as numpy does to the last bit (a zero
    as +0.0), without importing numpy's masked arrays, which ``np.quantile`` does on its
    first call (a twentieth of a second of every command's start). As numpy's, every
    quantile of values with a NaN is NaN, and a ``q`` outside [0, 1] is a ValueError; so
    are no values (numpy: an IndexError)."""
    v = np.sort(np.asarray(x, dtype=float).reshape(-1))
    q = np.asarray(qs, dtype=float)
    if not ((q >= 0.0) & (q <= 1.0)).all():
        raise ValueError(f"quantiles must be in [0, 1], not {qs!r}")
    if not v.size:
        raise ValueError("no values to take quantiles of")
    if np.isnan(v[-1]):  # sorted last
        return np.full(q.shape, np.nan)
    at = (v.size - 1) * q
    below = np.floor(at)
    t = at - below
    lo = below.astype(np.intp)
    a, b = v[lo], v[np.minimum(lo + 1, v.size - 1)]
    step = b - a  # numpy's _lerp: from a below t = 0.5, from b above
    return np.where(t >= 0.5, b - step * (1.0 - t), a + step * t) + 0.0  # no -0.0


# ------------------------------------------------------------------ the verb


def default_chunk_size(draws: int, workers: int) -> int:
    """About four chunks per worker, 50 to 1,000 draws each (large enough to vectorise,
    small enough for steady progress and bounded memory)."""
    return int(min(1000, max(50, math.ceil(draws / (4 * max(1, workers))))))


def simulate(
    scenario: Scenario | str | None = None,
    model: str | Sequence[str] = "all",
    *,
    draws: int = 1000,
    seed: int | None = None,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], object] | None = None,
    backend: Any = None,
    unranged_spread: float | str | None = "calibrated",
) -> Ensemble:
    """Run ``draws`` Monte Carlo draws of ``scenario`` under each model.

    A scenario with no ranged number at all is drawn with ``unranged_spread`` on every
    position and salience (``with_spread``): by default the spread the calibration protocol
    picked (:func:`~realpolitik.analysis.calibration.default_spread`), recorded as the
    result's ``default_spread``; ``None`` draws it as it is.

    ``seed`` fixes every draw (a fresh one is drawn and recorded if ``None``); the result is
    byte-identical for the same seed whatever ``workers`` (a local process pool; 1 runs in
    this process), ``scheduler`` (a Dask cluster address) or ``chunk_size``. Where nothing
    in the scenario is ranged and no model draws random numbers, every draw is the same:
    one is computed, in this process, and repeated (the same bytes as computing each).
    ``progress(done, total)`` is called as chunks complete. A ``KeyboardInterrupt`` stops
    the run: the draws completed from draw 0 on are kept and returned (``complete`` is then
    false), unless none were.
    """
    from ..runner import chunks, run, session

    given = load(scenario)
    sc, applied = unranged(given, unranged_spread)
    draws = check_whole(draws, "draws", low=1, high=MAX_DRAWS)
    seed = seed_or_fresh(seed)
    plans = plan_models(model, rounds, params)
    inputs = uncertain_inputs(sc)
    constant = not inputs and not any(p.stochastic for p in plans)
    with session(backend, workers, scheduler) as runner:
        if constant:  # every draw is the best estimates: computed once, repeated
            one = run_chunk(Chunk(sc, plans, 0, 1, seed=seed))
            parts = [range(draws)]
            results = {0: _repeated(one, draws)}
            if progress is not None:
                progress(draws, draws)
        else:
            size = chunk_size or default_chunk_size(draws, runner.workers)
            # two small chunks first: the first pays what is done once (imports, memory),
            # the second, warm and large enough that a model call's fixed cost does not
            # dominate it, estimates the rest (runner.Adaptive)
            parts = chunks(draws, size, first=(max(1, size // 8), max(1, size // 2)))
            tasks = [Chunk(sc, plans, r.start, r.stop, seed=seed) for r in parts]
            results = run(
                run_chunk,
                tasks,
                backend=runner,
                weights=[len(r) for r in parts],
                progress=progress,
                partial=True,
            )
    if 0 not in results:  # interrupted before the first chunk finished: nothing to keep
        raise KeyboardInterrupt
    kept = 0
    while kept in results:
        kept += 1
    ordered = [results[k] for k in range(kept)]
    n_done = parts[kept - 1].stop if kept else 0
    if constant:  # the draws' forecasts are the point forecasts
        point = {p.name: Evaluation(one["forecast"][p.name]) for p in plans}
    else:
        point = evaluate(sc, point_values(sc), plans)

    def stack(key: str, name: str) -> np.ndarray:
        return np.concatenate([r[key][name] for r in ordered], axis=0)

    eum_like = [p.name for p in plans if ordered and p.name in ordered[0]["settled"]]
    sq, lo, hi = _issue_arrays(sc)
    return Ensemble(
        provenance=Provenance(Subject.of(given), {p.name: p.parameters() for p in plans}, seed),
        actors=sc.actor_ids,
        actor_names=tuple(a.name for a in sc.actors),
        issues=sc.issue_ids,
        scale_min=lo,
        scale_max=hi,
        status_quo=sq,
        uncertain=tuple(u.label for u in inputs),
        shocks=tuple(h.describe() for h in sc.shocks),
        requested=draws,
        draws=n_done,
        point={p.name: point[p.name].forecast[0] for p in plans},
        forecasts={p.name: stack("forecast", p.name) for p in plans},
        gains={p.name: stack("gains", p.name) for p in plans},
        settled={k: stack("settled", k) for k in eum_like},
        cycle_period={k: stack("cycle_period", k) for k in eum_like},
        default_spread=applied,
    )


def unranged(scenario: Scenario, spread: float | str | None) -> tuple[Scenario, float | None]:
    """``scenario`` with ``spread`` (``"calibrated"``: the calibrated default) on every
    position and salience if it has no ranged number, and the spread applied; else as it
    is, and ``None``."""
    if spread is None or uncertain_inputs(scenario):
        return scenario, None
    if spread == "calibrated":
        from .calibration import default_spread

        spread = default_spread()
    if isinstance(spread, str):
        raise InputError(
            f"unranged_spread: expected a number, 'calibrated' or None, got {spread!r}"
        )
    return with_spread(scenario, spread), float(spread)
