"""Run registered models on a scenario and keep what they produced, and how.

:func:`forecast` is the verb; :class:`Forecast` the frozen result. A forecast
records the scenario's content hash, each model's parameters, every round's
positions, the library version, and serialises to JSON and back losslessly.

Each issue is run on its own, with the actors that hold a stance on it (an actor
without a stance takes no part); positions of non-participants are ``nan`` in the
arrays and ``null`` in JSON. A joint model (the issues as the dimensions of one space,
``ModelSpec.joint``) is given the whole scenario at once (:func:`scenario_input`), where an
actor without a stance on an issue holds the issue's status quo with salience 0.

A dynamic model may not settle: where it goes on cycling between distant states (or is
still moving), its forecast of that issue is **undetermined**: ``nan`` in the arrays,
``null`` in JSON, and :meth:`Forecast.issue_forecast` says how the run ended (the states
of the cycle, the band). Gains leave such issues out.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, cast

import numpy as np

from . import models
from .arrays import issue_input, scenario_input
from .errors import InputError, UnknownNameError, find_named
from .models.base import ModelInput
from .models.plan import ModelPlan, plan_models
from .results import (
    JsonResult,
    Provenance,
    ProvenanceFields,
    Subject,
    array_from_json,
    array_jsonable,
    deep_tuple,
    freeze,
    jsonable,
    readonly,
)
from .scenario import Scenario

__all__ = [
    "FORMAT",
    "Details",
    "Forecast",
    "IssueForecast",
    "ModelRun",
    "forecast",
    "salience_gain",
]

FORMAT = "realpolitik-forecast/3"
#: Earlier formats :meth:`Forecast.from_dict` still reads (/1: a cycle's mean stood as its
#: forecast; there are no ``outcomes``; /1 and /2: ``details`` indexed by participant, with
#: a trailing axis of one column).
READS = ("realpolitik-forecast/1", "realpolitik-forecast/2")


@dataclass(frozen=True)
class IssueForecast:
    """What one model forecasts for one issue, and how its run ended.

    ``kind`` is "static" (a model without rounds), "settled" (the positions came to rest),
    "cycle" (they go round with period ``period``) or "moving" (neither, in the rounds
    run). ``value`` is the forecast, or ``None`` where it is undetermined: a cycle between
    distant states, or a run still moving widely (the model's rule: its ``determinate``
    detail). ``states`` are the medians the cycle goes through (a settled or static run:
    its one state; moving: none); ``low`` and ``high`` the band of medians over the end of
    the run.
    """

    model: str
    issue: str
    value: float | None
    kind: str
    period: int = 0
    states: tuple[float, ...] = ()
    low: float | None = None
    high: float | None = None
    rounds: int = 0

    @property
    def determinate(self) -> bool:
        return self.value is not None

    def describe(self, digits: int = 1) -> str:
        """The forecast in words: ``"52.5"``, ``"undetermined: cycles between 5.0 and
        100.0"``, ``"37.5 (cycles within 35.0-40.0)"``..."""

        def f(x: float | None) -> str:
            return "-" if x is None else f"{x:.{digits}f}"

        band = f"{f(self.low)} and {f(self.high)}"
        if (
            self.kind in ("cycle", "moving")
            and self.value is not None
            and f(self.low) == f(self.high)
        ):
            moves = f"cycle with period {self.period}" if self.kind == "cycle" else "still move"
            return f"{f(self.value)} (positions {moves}; the median stays)"
        if self.kind == "cycle":
            if len(set(self.states)) > 2:
                band = ", ".join(f(x) for x in self.states)
                where = f"cycles through {band} (period {self.period})"
            else:
                where = f"cycles between {band}"
        elif self.kind == "moving":
            where = f"still moving between {band} after {_rounds(self.rounds)}"
        else:
            return f(self.value)
        if self.value is None:
            return f"undetermined: {where}"
        return f"{f(self.value)} ({where})"

    def note(self) -> str:
        """A sentence on a run that did not come to rest, or "" for one that did."""

        def f(x: float | None) -> str:
            return "-" if x is None else f"{x:.1f}"

        if self.kind not in ("cycle", "moving"):
            return ""
        if self.value is None:
            if self.kind == "cycle":
                where = self.describe().removeprefix("undetermined: ")
                how = f"it {where}" + ("" if "period" in where else f" (period {self.period})")
            else:
                how = (
                    f"after {_rounds(self.rounds)} it is still moving between {f(self.low)} and "
                    f"{f(self.high)}"
                )
            return (
                f"{self.model} does not settle: {how}; no point forecast, and gains leave "
                "this issue out."
            )
        if f(self.low) == f(self.high):
            moves = f"cycle (period {self.period})" if self.kind == "cycle" else "still move"
            return f"{self.model}'s positions {moves}, but its median stays at {f(self.value)}."
        if self.kind == "cycle":
            return (
                f"{self.model} cycles within {f(self.low)}-{f(self.high)} (period "
                f"{self.period}); its forecast is the mean over the cycle."
            )
        return (
            f"{self.model} is still moving after {_rounds(self.rounds)}, within "
            f"{f(self.low)}-{f(self.high)}; its forecast is that of its last round."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "kind": self.kind,
            "period": self.period,
            "states": list(self.states),
            "low": self.low,
            "high": self.high,
            "text": self.describe(),
        }


def _rounds(t: int) -> str:
    return "1 round" if t == 1 else f"{t} rounds"


class Details(Mapping[str, tuple[Any, ...]]):
    """A run's diagnostics (:attr:`ModelRun.details`): a diagnostic's name -> one entry per
    issue, ``None`` where the model gave none.

    Read, an entry is a number, or nested tuples of numbers and ``None`` (``nan`` shows as
    ``None``; a diagnostic that names an actor holds its id). Inside, an entry computed by
    a model is kept as a read-only array (float, ``nan`` for none; an object array of ids
    and ``None``) and turned into tuples only when read, once per diagnostic; the JSON
    (:meth:`json_values`) is written from the arrays in a few vectorised passes. An entry given
    as tuples or lists (a file read back) is kept as tuples."""

    def __init__(self, entries: Mapping[str, Sequence[Any]] | None = None) -> None:
        self._entries: dict[str, tuple[Any, ...]] = {
            k: tuple(_kept(v) for v in per_issue) for k, per_issue in (entries or {}).items()
        }
        self._shown: dict[str, tuple[Any, ...]] = {}

    def __getitem__(self, key: str) -> tuple[Any, ...]:
        shown = self._shown.get(key)
        if shown is None:
            shown = tuple(_shown(v) for v in self._entries[key])
            self._shown[key] = shown
        return shown

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Details({', '.join(self._entries)})"

    def entry(self, key: str, j: int) -> Any:
        """Diagnostic ``key`` on issue ``j`` as read (``None`` where there is none),
        converted on its own."""
        per_issue = self._entries.get(key)
        return None if per_issue is None else _shown(per_issue[j])

    def array(self, key: str, j: int) -> Any:
        """Diagnostic ``key`` on issue ``j`` as held: a read-only array, tuples (from a
        file) or ``None``."""
        per_issue = self._entries.get(key)
        return None if per_issue is None else per_issue[j]

    def json_values(self) -> dict[str, list[Any]]:
        """The JSON values: nested lists, ``null`` for ``None`` and ``nan``."""
        return {k: [_json_entry(v) for v in per_issue] for k, per_issue in self._entries.items()}


def _kept(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.ndarray):
        if v.flags.writeable:
            v = v.copy()
            v.setflags(write=False)
        return v
    return deep_tuple(v)


def _shown(v: Any) -> Any:
    return deep_tuple(array_jsonable(v)) if isinstance(v, np.ndarray) else v


def _json_entry(v: Any) -> Any:
    return array_jsonable(v) if isinstance(v, np.ndarray) else jsonable(v)


@dataclass(frozen=True, eq=False)
class ModelRun:
    """One model's run on every issue of a scenario.

    ``positions`` is (rounds+1, actors, issues); ``forecast`` (issues,); ``per_round`` maps a
    summary name to (rounds+1, issues); ``details`` (:class:`Details`) maps a diagnostic name
    to one entry per issue (``None`` where the model gave none): a number, or nested tuples
    whose leading axis is the round where the diagnostic is per round, and whose last axis
    is the scenario's actors where it is per actor (``ModelSpec.actor_details``: ``None``
    for an actor without a stance on the issue; a diagnostic that names an actor holds its
    id). ``details`` may be given as a :class:`Details` or as a mapping of entries per
    issue (arrays, as :func:`issue_details` makes them, or nested tuples or lists).
    """

    model: str
    parameters: Mapping[str, Any]
    forecast: np.ndarray
    positions: np.ndarray
    per_round: Mapping[str, np.ndarray] = field(default_factory=dict)
    details: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        freeze(
            self,
            parameters=MappingProxyType(dict(self.parameters)),
            forecast=readonly(self.forecast),
            positions=readonly(self.positions),
            per_round=MappingProxyType({k: readonly(v) for k, v in self.per_round.items()}),
            details=self.details if isinstance(self.details, Details) else Details(self.details),
        )

    @property
    def rounds(self) -> int:
        return int(self.positions.shape[0] - 1)

    def detail(self, key: str, j: int) -> Any:
        """Diagnostic ``key`` on issue ``j`` (``None`` where there is none), as
        ``details[key][j]`` reads it."""
        return cast(Details, self.details).entry(key, j)

    def issue_forecast(self, j: int, issue: str = "") -> IssueForecast:
        """How this run ended on issue ``j`` (:class:`IssueForecast`): a model without rounds
        (or run for none) is "static"; a dynamic one reports whether it came to rest in its
        details (``settled`` and ``cycle_period``, as the EUM; or ``converged``, as smp)."""
        value = _float_or_none(self.forecast[j])
        settled = _scalar(self.detail("settled", j))
        if settled is None:
            settled = _scalar(self.detail("converged", j))
        if settled is None or not self.rounds:
            point = () if value is None else (value,)
            return IssueForecast(self.model, issue, value, "static", 0, point, value, value,
                                 self.rounds)  # fmt: skip
        period = int(_scalar(self.detail("cycle_period", j)) or 0)
        low = _scalar(self.detail("forecast_low", j))
        high = _scalar(self.detail("forecast_high", j))
        if low is None or high is None:  # the band of the model's own per-round reading
            series = next(iter(self.per_round.values()), None)
            if series is not None:
                tail = series[-max(2, self.rounds // 2 + 1) :, j]
                low, high = float(np.nanmin(tail)), float(np.nanmax(tail))
        determinate = _scalar(self.detail("determinate", j))
        if determinate is not None and not determinate:
            value = None
        states: tuple[float, ...] = ()
        if settled:
            kind, states = "settled", (() if value is None else (value,))
            low = high = value if value is not None else low
        elif period:
            medians = self.per_round.get("median")
            kind = "cycle"
            states = () if medians is None else tuple(float(v) for v in medians[-period:, j])
        else:
            kind = "moving"
        return IssueForecast(self.model, issue, value, kind, period, states, low, high,
                             self.rounds)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "parameters": jsonable(dict(self.parameters)),
            "forecast": jsonable(self.forecast),
            "per_round": jsonable(dict(self.per_round)),
            "positions": jsonable(self.positions),
            "details": cast(Details, self.details).json_values(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ModelRun:
        return cls(
            model=d["model"],
            parameters=d["parameters"],
            forecast=array_from_json(d["forecast"]),
            positions=array_from_json(d["positions"]),
            per_round={k: array_from_json(v) for k, v in d["per_round"].items()},
            details=d.get("details", {}),
        )


@dataclass(frozen=True, eq=False)
class Forecast(ProvenanceFields, JsonResult):
    """The forecasts of one or more models for one scenario, with their provenance.

    The inputs the models saw are kept (``capability``, ``position`` and
    ``salience`` on 0-100, ``nan`` where an actor has no stance) so that gains and
    closeness can be computed from the result alone. ``provenance.parameters`` maps each
    model to its parameters (as its run records them).
    """

    format_id: ClassVar[str] = FORMAT
    kind: ClassVar[str] = "forecast"
    reads: ClassVar[tuple[str, ...]] = READS
    record_kind: ClassVar[str] = "forecast"

    provenance: Provenance
    actors: tuple[str, ...]
    actor_names: tuple[str, ...]
    issues: tuple[str, ...]
    scale_min: np.ndarray
    scale_max: np.ndarray
    status_quo: np.ndarray
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    runs: tuple[ModelRun, ...]
    #: (n, m): a stance's own capability on its issue (its influence there), ``nan`` where
    #: the stance gives none (the actor's ``capability`` holds) or there is no stance.
    issue_capability: np.ndarray | None = None

    def __post_init__(self) -> None:
        own = self.issue_capability
        if own is None:
            own = np.full(np.shape(self.position), np.nan)
        freeze(
            self,
            issue_capability=readonly(own),
            **{
                name: readonly(getattr(self, name))
                for name in ("scale_min", "scale_max", "status_quo")
                + ("capability", "position", "salience")
            },
            actors=tuple(self.actors),
            actor_names=tuple(self.actor_names),
            issues=tuple(self.issues),
            runs=tuple(self.runs),
        )

    # ------------------------------------------------------------------ access
    @property
    def models(self) -> tuple[str, ...]:
        return tuple(r.model for r in self.runs)

    def run(self, model: str) -> ModelRun:
        missing = f"model {model!r} was not run; this forecast has {', '.join(self.models)}"
        return find_named(self.runs, lambda r: r.model, model, missing)

    def _issue_index(self, issue: str) -> int:
        if issue not in self.issues:
            raise UnknownNameError(
                f"no issue {issue!r}; this forecast has {', '.join(self.issues)}"
            )
        return self.issues.index(issue)

    def value(self, model: str, issue: str) -> float:
        """The forecast of ``model`` for ``issue``; ``nan`` where it is undetermined
        (:meth:`issue_forecast` says how the run ended)."""
        return float(self.run(model).forecast[self._issue_index(issue)])

    def issue_forecast(self, model: str, issue: str) -> IssueForecast:
        """How ``model``'s run ended on ``issue``: its forecast or why there is none."""
        return self.run(model).issue_forecast(self._issue_index(issue), issue)

    def undetermined(self, model: str) -> tuple[str, ...]:
        """The issues on which ``model``'s forecast is undetermined."""
        f = self.run(model).forecast
        return tuple(i for j, i in enumerate(self.issues) if math.isnan(f[j]))

    def gains(self, model: str) -> dict[str, float | None]:
        """Each actor's salience-weighted gain against the status quo under ``model``.

        For actor i over the issues m where it holds a stance and a status quo q_m is known::

            gain_i = sum_m s_im (|x_im - q_m| - |x_im - f_m|) / (max_m - min_m)  /  sum_m s_im

        where x_im is the actor's stated position, f_m the forecast and s_im its salience:
        the share of each issue's scale by which the outcome ends closer to what the
        actor wants than the status quo is, averaged with the actor's saliences as
        weights. It lies in [-1, 1]; ``None`` for an actor with no such issue. Issues whose
        forecast is undetermined (:meth:`undetermined`) are left out: no outcome, no gain.
        """
        g = salience_gain(
            self.position,
            self.salience,
            self.status_quo,
            self.run(model).forecast,
            self.scale_min,
            self.scale_max,
        )
        return {a: None if math.isnan(g[k]) else float(g[k]) for k, a in enumerate(self.actors)}

    def closest(self, model: str, issue: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` actors whose positions lie nearest to the forecast, with distances
        (none where the forecast is undetermined)."""
        j = self._issue_index(issue)
        f = self.run(model).forecast[j]
        if math.isnan(f):
            return []
        x = self.position[:, j]
        order = sorted((abs(x[i] - f), i) for i in range(len(self.actors)) if not math.isnan(x[i]))
        return [(self.actors[i], float(d)) for d, i in order[:k]]

    # ------------------------------------------------------------- serialising
    def summary(self) -> dict[str, Any]:
        """What the run history keeps: ``forecasts`` (model -> issue -> value, ``None``
        where undetermined), ``gains`` (model -> actor -> gain), and ``stability`` (model ->
        issue -> ``settled``, ``cycle_period`` and, where the forecast is undetermined,
        ``undetermined``: its words) for the models that report it, such as the EUM."""
        summary: dict[str, Any] = {
            "forecasts": {
                r.model: dict(zip(self.issues, jsonable(r.forecast), strict=True))
                for r in self.runs
            },
            "gains": {r.model: self.gains(r.model) for r in self.runs},
        }
        stability: dict[str, Any] = {}
        for r in self.runs:
            if "settled" not in r.details and "cycle_period" not in r.details:
                continue
            per_issue: dict[str, Any] = {}
            for j, issue in enumerate(self.issues):
                entry: dict[str, Any] = {}
                settled = _scalar(r.detail("settled", j))
                period = _scalar(r.detail("cycle_period", j))
                if settled is not None:
                    entry["settled"] = bool(settled)
                if period is not None:
                    entry["cycle_period"] = int(period)
                end = r.issue_forecast(j, issue)
                if end.value is None:
                    entry["undetermined"] = end.describe()
                per_issue[issue] = entry
            stability[r.model] = per_issue
        if stability:
            summary["stability"] = stability
        return summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.provenance.to_dict(),
            "actors": list(self.actors),
            "actor_names": list(self.actor_names),
            "issues": list(self.issues),
            "inputs": {
                "scale_min": jsonable(self.scale_min),
                "scale_max": jsonable(self.scale_max),
                "status_quo": jsonable(self.status_quo),
                "capability": jsonable(self.capability),
                "position": jsonable(self.position),
                "salience": jsonable(self.salience),
                "issue_capability": jsonable(self.issue_capability),
            },
            "forecasts": {
                r.model: dict(zip(self.issues, jsonable(r.forecast), strict=True))
                for r in self.runs
            },
            "outcomes": {
                r.model: {
                    issue: r.issue_forecast(j, issue).to_dict()
                    for j, issue in enumerate(self.issues)
                }
                for r in self.runs
            },
            "gains": {r.model: self.gains(r.model) for r in self.runs},
            "runs": [r.to_dict() for r in self.runs],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Forecast:
        cls.check_format(d)
        inp = d["inputs"]
        actors = tuple(d["actors"])
        position = array_from_json(inp["position"])
        runs = tuple(ModelRun.from_dict(r) for r in d["runs"])
        if d["format"] != FORMAT:  # /1, /2: details by participant, one column
            runs = tuple(_details_by_actor(r, actors, position) for r in runs)
        return cls(
            provenance=Provenance(
                Subject.from_dict(d["scenario"]),
                parameters={r.model: r.parameters for r in runs},
                seed=d.get("seed"),
                version=d["version"],
            ),
            actors=actors,
            actor_names=tuple(d["actor_names"]),
            issues=tuple(d["issues"]),
            scale_min=array_from_json(inp["scale_min"]),
            scale_max=array_from_json(inp["scale_max"]),
            status_quo=array_from_json(inp["status_quo"]),
            capability=array_from_json(inp["capability"]),
            position=position,
            salience=array_from_json(inp["salience"]),
            runs=runs,
            issue_capability=(  # a file written before it was recorded: none known
                array_from_json(inp["issue_capability"]) if "issue_capability" in inp else None
            ),
        )


def _float_or_none(x: Any) -> float | None:
    return None if x is None or math.isnan(float(x)) else float(x)


def _scalar(v: Any) -> float | None:
    """A detail that is one number (or, in files of format /1 and /2, a list of one)."""
    while isinstance(v, (list, tuple)):
        v = v[0] if v else None
    return None if v is None else float(v)


def issue_details(
    spec: models.ModelSpec,
    details: Mapping[str, np.ndarray],
    column: int,
    rows: Sequence[int],
    actors: Sequence[str],
) -> dict[str, np.ndarray]:
    """A trajectory's diagnostics for the issue in ``column`` as a result records them
    (:class:`Details`), as read-only arrays: the column's axis dropped; where a diagnostic
    is per actor (``spec.actor_details``), its last axis over the scenario's ``actors``
    (``rows[k]`` is participant k's), ``nan`` for the others; one that names an actor
    (``"index"``) an object array of ids (``None`` for -1 and for the others). O(size of
    the diagnostics), vectorised."""
    out: dict[str, np.ndarray] = {}
    n = len(actors)
    rows = list(rows)
    every = len(rows) == n and rows == list(range(n))
    for key, arr in details.items():
        a = np.asarray(arr)[..., column]
        how = spec.actor_details.get(key)
        if how is None:
            full = a
        elif how == "index":
            ids = np.array([None, *(actors[r] for r in rows)], dtype=object)
            picked = ids[a.astype(np.intp) + 1]
            if every:
                full = picked
            else:
                full = np.full((*a.shape[:-1], n), None, dtype=object)
                full[..., rows] = picked
        elif every:
            full = np.array(a, dtype=float)
        else:
            full = np.full((*a.shape[:-1], n), np.nan)
            full[..., rows] = a
        if full.flags.writeable:
            full.setflags(write=False)
        out[key] = full
    return out


def _details_by_actor(run: ModelRun, actors: Sequence[str], position: np.ndarray) -> ModelRun:
    """A run read from format /1 or /2, its details as format /3 holds them: the trailing
    column of one dropped, per-actor diagnostics over every actor (their participants are
    the actors with a stance, or every actor in a joint run)."""
    spec = models.REGISTRY.get(run.model)
    joint = spec is not None and spec.joint and run.parameters.get("issues") != "separate"
    details: dict[str, list[Any]] = {}
    for key, per_issue in run.details.items():
        for j, v in enumerate(per_issue):
            entry = None
            if v is not None:
                rows = (
                    list(range(len(actors)))
                    if joint
                    else [k for k in range(len(actors)) if not math.isnan(position[k, j])]
                )
                a = np.array(jsonable(v), dtype=float)
                if spec is None:
                    entry = a[..., 0]
                else:
                    entry = issue_details(spec, {key: a}, 0, rows, actors)[key]
            details.setdefault(key, [None] * len(per_issue))[j] = entry
    return ModelRun(
        run.model, run.parameters, run.forecast, run.positions, run.per_round, Details(details)
    )


def salience_gain(
    position: np.ndarray,
    salience: np.ndarray,
    status_quo: np.ndarray,
    forecast: np.ndarray,
    scale_min: np.ndarray,
    scale_max: np.ndarray,
) -> np.ndarray:
    """Each actor's salience-weighted gain against the status quo (see
    :meth:`Forecast.gains`), for one or many draws.

    ``position`` and ``salience`` (..., n, m), ``nan`` where an actor has no stance;
    ``forecast`` (..., m), ``nan`` where undetermined; ``status_quo``, ``scale_min``,
    ``scale_max`` (m,). Issues without a status quo or without a forecast are left out of
    an actor's average. Returns (..., n), ``nan`` for an actor with no issue left (or zero
    salience on all of them). O(n m) per draw.
    """
    position = np.asarray(position, dtype=float)
    span = np.asarray(scale_max, dtype=float) - np.asarray(scale_min, dtype=float)
    sq = np.asarray(status_quo, dtype=float)
    f = np.asarray(forecast, dtype=float)[..., None, :]
    ok = ~np.isnan(position) & ~np.isnan(sq) & ~np.isnan(f)
    x = np.where(ok, position, 0.0)
    s = np.where(ok, salience, 0.0)
    f = np.where(ok, f, 0.0)
    gain = (np.abs(x - np.where(ok, sq, 0.0)) - np.abs(x - f)) / span
    gain = np.where(ok, gain, 0.0)
    num = (s * gain).sum(axis=-1)
    den = s.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _run_joint(scenario: Scenario, plan: ModelPlan) -> ModelRun:
    """A joint model on the whole scenario at once; positions where an actor has no stance
    are shown as ``nan``, and the details are cut into one entry per issue."""
    from .scenario.uncertainty import point_values

    spec = models.get(plan.name)
    _, pos, _, _ = scenario.arrays()
    traj = plan.run(scenario_input(scenario, point_values(scenario)))
    t = plan.rounds
    positions = np.full((t + 1, *pos.shape), np.nan)
    positions[: traj.rounds + 1] = traj.positions
    if traj.rounds < t:
        positions[traj.rounds + 1 :] = traj.positions[-1]
    positions[:, np.isnan(pos)] = np.nan
    per_round = {}
    for key, arr in traj.per_round.items():
        col = np.empty((t + 1, arr.shape[1]))
        col[: traj.rounds + 1] = arr
        col[traj.rounds + 1 :] = arr[-1]
        per_round[key] = col
    actors = scenario.actor_ids
    every = range(len(actors))
    by_issue = [issue_details(spec, traj.details, j, every, actors) for j in range(pos.shape[1])]
    return ModelRun(
        model=plan.name,
        parameters=plan.parameters(),
        forecast=traj.forecast,
        positions=positions,
        per_round=per_round,
        details=Details({key: [d[key] for d in by_issue] for key in traj.details}),
    )


def _run_plan(
    scenario: Scenario,
    plan: ModelPlan,
    inputs: dict[str, tuple[tuple[str, ...], ModelInput]] | None = None,
) -> ModelRun:
    """``plan`` on every issue of ``scenario``; ``inputs`` keeps each issue's participants
    and input (:func:`issue_input`) for the next plan."""
    if plan.joint:
        return _run_joint(scenario, plan)
    inputs = {} if inputs is None else inputs
    spec = models.get(plan.name)
    t = plan.rounds
    actors = scenario.actor_ids
    row = {a: k for k, a in enumerate(actors)}
    n, m = len(actors), len(scenario.issues)
    positions = np.full((t + 1, n, m), np.nan)
    forecast = np.full(m, np.nan)
    per_round: dict[str, np.ndarray] = {}
    details: dict[str, list[Any]] = {}
    for j, issue in enumerate(scenario.issue_ids):
        if issue not in inputs:
            inputs[issue] = issue_input(scenario, issue)
        ids, inp = inputs[issue]
        traj = plan.run(inp)
        rows = [row[a] for a in ids]
        positions[: traj.rounds + 1, rows, j] = traj.positions[:, :, 0]
        if traj.rounds < t:  # a model that stopped early holds its last positions
            positions[traj.rounds + 1 :, rows, j] = traj.positions[-1, :, 0]
        forecast[j] = traj.forecast[0]
        if np.isinf(forecast[j]) or np.isinf(traj.positions).any():
            raise InputError(
                f"the {plan.name} model's arithmetic overflowed on the issue {issue!r} of "
                f"{scenario.id!r} (scale {scenario.issues[j].scale_min:g} to "
                f"{scenario.issues[j].scale_max:g}): its numbers are too large for a float; "
                "rescale the issue or the capabilities"
            )
        for key, arr in traj.per_round.items():
            col = per_round.setdefault(key, np.full((t + 1, m), np.nan))
            col[: traj.rounds + 1, j] = arr[:, 0]
            col[traj.rounds + 1 :, j] = arr[-1, 0]
        for key, value in issue_details(spec, traj.details, 0, rows, actors).items():
            details.setdefault(key, [None] * m)[j] = value
    return ModelRun(
        model=plan.name,
        parameters=plan.parameters(),
        forecast=forecast,
        positions=positions,
        per_round=per_round,
        details=Details(details),
    )


def forecast(
    scenario: Scenario | str | None = None,
    model: str | Sequence[str] = "all",
    *,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> Forecast:
    """Forecast every issue of ``scenario`` under one model, several, or ``"all"``.

    ``scenario`` may be a :class:`Scenario`, a path, a built-in name, or ``None``
    for the built-in default. ``rounds`` applies to the dynamic models (their
    default otherwise); ``params`` maps a model name to its parameters, e.g.
    ``{"eum": {"q": 0.5}}``.
    """
    from .scenario import load

    sc = load(scenario)
    inputs: dict[str, tuple[tuple[str, ...], ModelInput]] = {}
    runs = tuple(_run_plan(sc, plan, inputs) for plan in plan_models(model, rounds, params))
    cap, pos, sal, _ = sc.arrays()
    return Forecast(
        provenance=Provenance(Subject.of(sc), {r.model: r.parameters for r in runs}),
        actors=sc.actor_ids,
        actor_names=tuple(a.name for a in sc.actors),
        issues=sc.issue_ids,
        scale_min=np.array([i.scale_min for i in sc.issues]),
        scale_max=np.array([i.scale_max for i in sc.issues]),
        status_quo=np.array([np.nan if i.status_quo is None else i.status_quo for i in sc.issues]),
        capability=cap,
        position=pos,
        salience=sal,
        runs=runs,
        issue_capability=sc.issue_capabilities(),
    )
