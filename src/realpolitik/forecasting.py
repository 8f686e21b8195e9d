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

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from . import models
from ._version import __version__
from .models.base import Change, ModelInput, Trajectory
from .scenario import Scenario
from .scenario.objects import Shock
from .scenario.uncertainty import Values

__all__ = [
    "FORMAT",
    "Forecast",
    "IssueForecast",
    "ModelRun",
    "forecast",
    "scenario_input",
]

FORMAT = "realpolitik-forecast/2"
#: Earlier formats :meth:`Forecast.from_dict` still reads (/1: a cycle's mean stood as its
#: forecast; there are no ``outcomes``).
READS = ("realpolitik-forecast/1",)
#: The most rounds a dynamic model may be asked for.
MAX_ROUNDS = 10_000


def _ro(a: Any) -> np.ndarray:
    arr = np.array(a, dtype=float)
    arr.setflags(write=False)
    return arr


def provenance(sc: Scenario) -> dict[str, Any]:
    """The fields by which a result names the scenario it was computed from:
    ``scenario_id``, ``scenario_name``, ``scenario_hash`` (its content hash) and
    ``scenario_date``."""
    return {
        "scenario_id": sc.id,
        "scenario_name": sc.name,
        "scenario_hash": sc.content_hash(),
        "scenario_date": sc.date.isoformat() if sc.date else None,
    }


def scenario_ref(result: Any) -> dict[str, Any]:
    """A result's scenario fields as its JSON writes them: ``{id, name, hash, date}``."""
    return {
        "id": result.scenario_id,
        "name": result.scenario_name,
        "hash": result.scenario_hash,
        "date": result.scenario_date,
    }


def scenario_fields(ref: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`scenario_ref`: the fields of :func:`provenance`."""
    return {
        "scenario_id": ref["id"],
        "scenario_name": ref["name"],
        "scenario_hash": ref["hash"],
        "scenario_date": ref["date"],
    }


class JsonResult:
    """What every result that serialises shares: :meth:`to_json` of its ``to_dict`` (the
    same bytes for the same inputs, settings and seed), and the check that a document read
    back is of its format (``format_id``; ``kind`` names it in the error)."""

    format_id: ClassVar[str]
    kind: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False) + "\n"

    @classmethod
    def check_format(cls, d: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` unless ``d`` declares this result's format."""
        if d.get("format") != cls.format_id:
            raise ValueError(
                f"not a realpolitik {cls.kind} (format {d.get('format')!r}, "
                f"expected {cls.format_id!r})"
            )


def _jsonable(a: Any) -> Any:
    """Arrays and floats to JSON values, ``nan`` to ``None``."""
    if isinstance(a, np.ndarray):
        return _jsonable(a.tolist())
    if isinstance(a, (list, tuple)):
        return [_jsonable(x) for x in a]
    if isinstance(a, (float, np.floating)):
        return None if math.isnan(a) else float(a)
    if isinstance(a, (np.integer,)):
        return int(a)
    if isinstance(a, Mapping):
        return {str(k): _jsonable(v) for k, v in a.items()}
    return a


def _deep_tuple(x: Any) -> Any:
    """Nested lists as nested tuples, so that a frozen result cannot be changed inside."""
    if isinstance(x, (list, tuple)):
        return tuple(_deep_tuple(y) for y in x)
    return x


def _from_json_array(a: Any) -> np.ndarray:
    def conv(x: Any) -> Any:
        if isinstance(x, list):
            return [conv(y) for y in x]
        return np.nan if x is None else x

    return _ro(conv(a))


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


def _float_or_none(x: Any) -> float | None:
    return None if x is None or math.isnan(float(x)) else float(x)


@dataclass(frozen=True, eq=False)
class ModelRun:
    """One model's run on every issue of a scenario.

    ``positions`` is (rounds+1, actors, issues); ``forecast`` (issues,);
    ``per_round`` maps a summary name to (rounds+1, issues); ``details`` maps a
    diagnostic name to one nested list per issue.
    """

    model: str
    parameters: Mapping[str, Any]
    forecast: np.ndarray
    positions: np.ndarray
    per_round: Mapping[str, np.ndarray] = field(default_factory=dict)
    details: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "forecast", _ro(self.forecast))
        object.__setattr__(self, "positions", _ro(self.positions))
        object.__setattr__(
            self, "per_round", MappingProxyType({k: _ro(v) for k, v in self.per_round.items()})
        )
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def rounds(self) -> int:
        return int(self.positions.shape[0] - 1)

    def issue_forecast(self, j: int, issue: str = "") -> IssueForecast:
        """How this run ended on issue ``j`` (:class:`IssueForecast`): a model without rounds
        (or run for none) is "static"; a dynamic one reports whether it came to rest in its
        details (``settled`` and ``cycle_period``, as the EUM; or ``converged``, as smp)."""
        value = _float_or_none(self.forecast[j])
        settled = _detail(self, "settled", j)
        if settled is None:
            settled = _detail(self, "converged", j)
        if settled is None or not self.rounds:
            point = () if value is None else (value,)
            return IssueForecast(self.model, issue, value, "static", 0, point, value, value,
                                 self.rounds)  # fmt: skip
        period = int(_detail(self, "cycle_period", j) or 0)
        low = _detail(self, "forecast_low", j)
        high = _detail(self, "forecast_high", j)
        if low is None or high is None:  # the band of the model's own per-round reading
            series = next(iter(self.per_round.values()), None)
            if series is not None:
                tail = series[-max(2, self.rounds // 2 + 1) :, j]
                low, high = float(np.nanmin(tail)), float(np.nanmax(tail))
        determinate = _detail(self, "determinate", j)
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
            "parameters": _jsonable(dict(self.parameters)),
            "forecast": _jsonable(self.forecast),
            "per_round": _jsonable(dict(self.per_round)),
            "positions": _jsonable(self.positions),
            "details": _jsonable(dict(self.details)),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ModelRun:
        return cls(
            model=d["model"],
            parameters=d["parameters"],
            forecast=_from_json_array(d["forecast"]),
            positions=_from_json_array(d["positions"]),
            per_round={k: _from_json_array(v) for k, v in d["per_round"].items()},
            details={k: _deep_tuple(v) for k, v in d.get("details", {}).items()},
        )


@dataclass(frozen=True, eq=False)
class Forecast(JsonResult):
    """The forecasts of one or more models for one scenario, with their provenance.

    The inputs the models saw are kept (``capability``, ``position`` and
    ``salience`` on 0-100, ``nan`` where an actor has no stance) so that gains and
    closeness can be computed from the result alone.
    """

    format_id: ClassVar[str] = FORMAT
    kind: ClassVar[str] = "forecast"

    scenario_id: str
    scenario_name: str
    scenario_hash: str
    scenario_date: str | None
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
    version: str = __version__
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("scale_min", "scale_max", "status_quo", "capability", "position", "salience"):
            object.__setattr__(self, name, _ro(getattr(self, name)))
        object.__setattr__(self, "actors", tuple(self.actors))
        object.__setattr__(self, "actor_names", tuple(self.actor_names))
        object.__setattr__(self, "issues", tuple(self.issues))
        object.__setattr__(self, "runs", tuple(self.runs))

    # ------------------------------------------------------------------ access
    @property
    def models(self) -> tuple[str, ...]:
        return tuple(r.model for r in self.runs)

    def run(self, model: str) -> ModelRun:
        for r in self.runs:
            if r.model == model:
                return r
        raise KeyError(f"model {model!r} was not run; this forecast has {', '.join(self.models)}")

    def value(self, model: str, issue: str) -> float:
        """The forecast of ``model`` for ``issue``; ``nan`` where it is undetermined
        (:meth:`issue_forecast` says how the run ended)."""
        return float(self.run(model).forecast[self.issues.index(issue)])

    def issue_forecast(self, model: str, issue: str) -> IssueForecast:
        """How ``model``'s run ended on ``issue``: its forecast or why there is none."""
        return self.run(model).issue_forecast(self.issues.index(issue), issue)

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
        j = self.issues.index(issue)
        f = self.run(model).forecast[j]
        if math.isnan(f):
            return []
        x = self.position[:, j]
        order = sorted((abs(x[i] - f), i) for i in range(len(self.actors)) if not math.isnan(x[i]))
        return [(self.actors[i], float(d)) for d, i in order[:k]]

    # ------------------------------------------------------------- serialising
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "scenario": scenario_ref(self),
            "seed": self.seed,
            "actors": list(self.actors),
            "actor_names": list(self.actor_names),
            "issues": list(self.issues),
            "inputs": {
                "scale_min": _jsonable(self.scale_min),
                "scale_max": _jsonable(self.scale_max),
                "status_quo": _jsonable(self.status_quo),
                "capability": _jsonable(self.capability),
                "position": _jsonable(self.position),
                "salience": _jsonable(self.salience),
            },
            "forecasts": {
                r.model: dict(zip(self.issues, _jsonable(r.forecast), strict=True))
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
        if d.get("format") not in READS:
            cls.check_format(d)
        inp = d["inputs"]
        return cls(
            **scenario_fields(d["scenario"]),
            actors=tuple(d["actors"]),
            actor_names=tuple(d["actor_names"]),
            issues=tuple(d["issues"]),
            scale_min=_from_json_array(inp["scale_min"]),
            scale_max=_from_json_array(inp["scale_max"]),
            status_quo=_from_json_array(inp["status_quo"]),
            capability=_from_json_array(inp["capability"]),
            position=_from_json_array(inp["position"]),
            salience=_from_json_array(inp["salience"]),
            runs=tuple(ModelRun.from_dict(r) for r in d["runs"]),
            version=d["version"],
            seed=d.get("seed"),
        )

    @classmethod
    def from_json(cls, text: str) -> Forecast:
        return cls.from_dict(json.loads(text))


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


def issue_input(scenario: Scenario, issue_id: str) -> tuple[tuple[str, ...], ModelInput]:
    """The participants of one issue and their :class:`ModelInput`, shocks included.

    Salience goes from 0-100 to 0-1; capabilities are divided by the largest among the
    participants (only ratios matter, and this keeps products like c x s finite for any
    finite input).
    """
    from .scenario.uncertainty import point_values

    ids, inp = issue_batch(scenario, point_values(scenario), scenario.issue_ids.index(issue_id))

    def squeeze(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a[:, 0]

    return ids, ModelInput(
        capability=inp.capability[:, 0],
        position=inp.position,
        salience=inp.salience,
        scale_min=inp.scale_min,
        scale_max=inp.scale_max,
        status_quo=inp.status_quo,
        changes=tuple(
            Change(ch.round, squeeze(ch.capability), ch.salience, ch.position) for ch in inp.changes
        ),
    )


@dataclass(frozen=True)
class _ShockRound:
    """The values in force after the shocks of one round, in B draws (salience on 0-100):
    ``capability`` (B, n), ``position`` and ``salience`` (B, n, m); ``moved`` (B, n, m) the
    positions the round's shocks moved (``nan`` elsewhere); and which cells they touched:
    ``capability_rows`` (n,), ``salience_cells`` and ``position_cells`` (n, m)."""

    round: int
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    moved: np.ndarray
    capability_rows: np.ndarray
    salience_cells: np.ndarray
    position_cells: np.ndarray


def shock_rounds(scenario: Scenario, values: Values) -> list[_ShockRound]:
    """The scenario's shocks applied to ``values``, round by round, in order of round and
    then of listing: a capability shock changes the actor's capability; a position or
    salience shock its stance on the shock's issue, or on every issue where it holds one.
    A position shock moves the actor to its stated position (as earlier shocks left it)
    changed by the shock. Round 0's shocks are edits of the input; later ones become the
    :class:`~realpolitik.models.base.Change` s of :func:`issue_batch` and
    :func:`scenario_input`. The one place where shocks meet values. O(B (n m + s))."""
    rows = {a: k for k, a in enumerate(scenario.actor_ids)}
    cols = {i: j for j, i in enumerate(scenario.issue_ids)}
    has = ~np.isnan(values.position[0]) if values.draws else np.zeros((0, 0), dtype=bool)
    by_round: dict[int, list[tuple[int, Shock]]] = {}
    for k, h in enumerate(scenario.shocks):
        by_round.setdefault(h.round, []).append((k, h))
    cap, pos, sal = values.capability, values.position, values.salience
    out = []
    for rnd in sorted(by_round):
        moved = np.full_like(pos, np.nan)
        cap_rows = np.zeros(len(rows), dtype=bool)
        sal_cells = np.zeros(has.shape, dtype=bool)
        pos_cells = np.zeros(has.shape, dtype=bool)
        for k, h in by_round[rnd]:
            r, v = rows[h.actor], values.shock_value[:, k]
            if h.field == "capability":
                cap = cap.copy()
                cap[:, r] = h.apply(cap[:, r], v)
                cap_rows[r] = True
                continue
            where = np.flatnonzero(has[r]) if h.issue is None else np.array([cols[h.issue]])
            if h.field == "salience":
                sal = sal.copy()
                sal[:, r, where] = h.apply(sal[:, r, where], v[:, None])
                sal_cells[r, where] = True
            else:
                pos = pos.copy()
                pos[:, r, where] = h.apply(pos[:, r, where], v[:, None])
                moved[:, r, where] = pos[:, r, where]
                pos_cells[r, where] = True
        out.append(_ShockRound(rnd, cap, pos, sal, moved, cap_rows, sal_cells, pos_cells))
    return out


def _largest(cap: np.ndarray) -> np.ndarray:
    """Each draw's largest capability, (B, n) -> (B,); 1 where none is positive."""
    top = cap.max(axis=1) if cap.shape[1] else np.ones(cap.shape[0])
    return np.where(top > 0, top, 1.0)


def issue_batch(scenario: Scenario, values: Values, j: int) -> tuple[tuple[str, ...], ModelInput]:
    """Issue ``j`` of ``scenario`` in each of B draws (``values``) as one input of B
    columns, with the scenario's shocks (:func:`shock_rounds`): those of round 0 change the
    values themselves, later ones that touch the issue's participants become
    :class:`~realpolitik.models.base.Change` s at their round. Capabilities are divided by
    each draw's largest among the participants after the shocks of round 0.

    Complexity: O(B (n + s)) for B draws, n participants and s shocks.
    """
    issue = scenario.issues[j]
    ids = scenario.participants(issue.id)
    rows = np.array([scenario.actor_ids.index(a) for a in ids], dtype=np.intp)
    cap, pos, sal = values.capability, values.position, values.salience
    rounds = shock_rounds(scenario, values)
    if rounds and rounds[0].round == 0:
        cap, pos, sal = rounds[0].capability, rounds[0].position, rounds[0].salience
    top = _largest(cap[:, rows])
    changes = []
    for sr in rounds:
        kinds = (
            bool(sr.capability_rows[rows].any()),
            bool(sr.salience_cells[rows, j].any()),
            bool(sr.position_cells[rows, j].any()),
        )
        if sr.round > 0 and any(kinds):
            changes.append(
                Change(
                    sr.round,
                    capability=sr.capability[:, rows].T / top if kinds[0] else None,
                    salience=sr.salience[:, rows, j].T / 100.0 if kinds[1] else None,
                    position=sr.moved[:, rows, j].T if kinds[2] else None,
                )
            )
    b = values.draws
    sq = float("nan") if issue.status_quo is None else issue.status_quo
    return ids, ModelInput(
        capability=cap[:, rows].T / top,
        position=pos[:, rows, j].T.astype(float),
        salience=sal[:, rows, j].T / 100.0,
        scale_min=np.full(b, issue.scale_min),
        scale_max=np.full(b, issue.scale_max),
        status_quo=np.full(b, sq),
        changes=tuple(changes),
    )


def scenario_input(scenario: Scenario, values: Values, b: int = 0) -> ModelInput:
    """Draw ``b`` of ``values`` as one input of every actor and issue (n, m), shocks
    included (:func:`shock_rounds`), for a model that runs the issues together
    (:attr:`ModelPlan.joint`): round 0's shocks change the values, later ones become
    :class:`~realpolitik.models.base.Change` s at their round (capabilities (n,), saliences
    and positions (n, m)). Capabilities are divided by the draw's largest after round 0's
    shocks. An actor without a stance on an issue holds there the issue's status quo (its
    midpoint where it has none) with salience 0: it has no stake in the issue, but in a
    joint space its position there still counts (a candidate in smp's elections and
    bargains), so the status quo can move a joint model's forecasts where stances are
    missing (docs/explanation/smp.md); the result layer shows such positions as ``nan``.

    Complexity: O(n m + s) for n actors, m issues and s shocks.
    """
    cap, pos, sal = values.capability, values.position, values.salience
    rounds = shock_rounds(scenario, values)
    if rounds and rounds[0].round == 0:
        cap, pos, sal = rounds[0].capability, rounds[0].position, rounds[0].salience
    cap, pos, sal = cap[b], pos[b], sal[b]
    absent = np.isnan(pos)
    filler = np.array(
        [
            (i.scale_min + i.scale_max) / 2 if i.status_quo is None else i.status_quo
            for i in scenario.issues
        ]
    )
    top = float(_largest(cap[None])[0])
    changes = []
    for sr in rounds:
        kinds = sr.capability_rows.any(), sr.salience_cells.any(), sr.position_cells.any()
        if sr.round > 0:
            changes.append(
                Change(
                    sr.round,
                    capability=sr.capability[b] / top if kinds[0] else None,
                    salience=np.where(absent, 0.0, sr.salience[b] / 100.0) if kinds[1] else None,
                    position=sr.moved[b] if kinds[2] else None,
                )
            )
    return ModelInput(
        capability=cap / top,
        position=np.where(absent, filler, pos),
        salience=np.where(absent, 0.0, sal / 100.0),
        scale_min=np.array([i.scale_min for i in scenario.issues], dtype=float),
        scale_max=np.array([i.scale_max for i in scenario.issues], dtype=float),
        status_quo=np.array(
            [np.nan if i.status_quo is None else i.status_quo for i in scenario.issues]
        ),
        changes=tuple(changes),
    )


def _model_names(model: str | Sequence[str]) -> list[str]:
    names = [model] if isinstance(model, str) else list(model)
    if names == ["all"]:
        return models.in_all()
    if "all" in names:
        raise ValueError("'all' stands alone; name models one by one, or give 'all'")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"model {', '.join(twice)} named twice; name each model once")
    for n in names:
        models.get(n)  # raises KeyError naming the known models
    return names


@dataclass(frozen=True)
class ModelPlan:
    """A registered model with its rounds and parameters, checked: what a run records and
    what every verb (forecast, simulate, sensitivity, levers) runs."""

    name: str
    rounds: int
    params: tuple[tuple[str, Any], ...] = ()

    def parameters(self) -> dict[str, Any]:
        return {"rounds": self.rounds, **dict(self.params)}

    @property
    def joint(self) -> bool:
        """Whether the model runs a scenario's issues as the dimensions of one space (a
        model with ``ModelSpec.joint``, unless told ``issues="separate"``): it is then given
        the whole scenario at once (:func:`scenario_input`), never one issue or a batch of
        draws as columns."""
        return models.get(self.name).joint and dict(self.params).get("issues") != "separate"

    @property
    def stochastic(self) -> bool:
        """Whether this plan's runs draw random numbers and no ``seed`` fixes them: the verbs
        that run many draws then give each draw a seed of its own (``ModelSpec.stochastic``)."""
        spec = models.get(self.name)
        params = {**spec.defaults, **dict(self.params)}
        return (
            spec.stochastic is not None and spec.stochastic(params) and params.get("seed") is None
        )

    def with_seed(self, seed: Any) -> ModelPlan:
        """This plan with ``seed`` as its model's ``seed`` parameter."""
        kept = tuple((k, v) for k, v in self.params if k != "seed")
        return ModelPlan(self.name, self.rounds, (*kept, ("seed", seed)))

    def separate(self) -> ModelPlan:
        """This plan with every column run on its own (``issues="separate"`` for a joint
        model): for inputs whose columns are separate one-issue problems (a back-test's
        batch of cases), where it gives what the joint run of each alone gives."""
        if not models.get(self.name).joint:
            return self
        return ModelPlan(self.name, self.rounds, (*self.params, ("issues", "separate")))

    def run(self, inputs: ModelInput, *, details: bool = True) -> Trajectory:
        """The model on ``inputs``; ``details=False`` skips the per-round diagnostics."""
        spec = models.get(self.name)
        kw = dict(self.params)
        if spec.dynamic:
            kw["rounds"] = self.rounds
        return spec.run(inputs, details=details, **kw)


def plan_model(name: str, rounds: int | None = None, **params: Any) -> ModelPlan:
    """Check one model's name, rounds and parameters; ``KeyError``, ``TypeError`` or
    ``ValueError`` say what is wrong."""
    spec = models.get(name)
    unknown = set(params) - set(spec.defaults)
    if unknown:
        raise TypeError(
            f"model {name!r} has no parameter {', '.join(sorted(unknown))}; "
            f"its parameters are: {', '.join(spec.defaults) or 'none'}"
        )
    t = spec.default_rounds if rounds is None else int(rounds)
    if spec.dynamic and not 0 <= t <= MAX_ROUNDS:
        raise ValueError(f"rounds must be 0 to {MAX_ROUNDS}, got {t}")
    return ModelPlan(name, t if spec.dynamic else 0, tuple({**spec.defaults, **params}.items()))


def plan_models(
    model: str | Sequence[str],
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[ModelPlan, ...]:
    """:func:`plan_model` for ``model`` (a name, a list, or ``"all"``); ``params`` maps a
    model name to its parameters and may name only models that run."""
    names = _model_names(model)
    params = params or {}
    for key in params:
        if key not in names:
            raise KeyError(f"parameters given for {key!r}, which is not among the models run")
    return tuple(plan_model(n, rounds, **dict(params.get(n, {}))) for n in names)


def run_model(
    scenario: Scenario, name: str, *, rounds: int | None = None, **params: Any
) -> ModelRun:
    """Run one registered model on every issue of ``scenario``."""
    return _run_plan(scenario, plan_model(name, rounds, **params))


def _run_joint(scenario: Scenario, plan: ModelPlan) -> ModelRun:
    """A joint model on the whole scenario at once; positions where an actor has no stance
    are shown as ``nan``, and the details are cut into one entry per issue."""
    from .scenario.uncertainty import point_values

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
    details = {
        key: tuple(
            _deep_tuple(_jsonable(np.asarray(arr)[..., j : j + 1])) for j in range(pos.shape[1])
        )
        for key, arr in traj.details.items()
    }
    return ModelRun(
        model=plan.name,
        parameters=plan.parameters(),
        forecast=traj.forecast,
        positions=positions,
        per_round=per_round,
        details=details,
    )


def _run_plan(scenario: Scenario, plan: ModelPlan) -> ModelRun:
    if plan.joint:
        return _run_joint(scenario, plan)
    t = plan.rounds
    actors = scenario.actor_ids
    n, m = len(actors), len(scenario.issues)
    positions = np.full((t + 1, n, m), np.nan)
    forecast = np.full(m, np.nan)
    per_round: dict[str, np.ndarray] = {}
    details: dict[str, list[Any]] = {}
    for j, issue in enumerate(scenario.issue_ids):
        ids, inp = issue_input(scenario, issue)
        traj = plan.run(inp)
        rows = [actors.index(a) for a in ids]
        positions[: traj.rounds + 1, rows, j] = traj.positions[:, :, 0]
        if traj.rounds < t:  # a model that stopped early holds its last positions
            positions[traj.rounds + 1 :, rows, j] = traj.positions[-1, :, 0]
        forecast[j] = traj.forecast[0]
        for key, arr in traj.per_round.items():
            col = per_round.setdefault(key, np.full((t + 1, m), np.nan))
            col[: traj.rounds + 1, j] = arr[:, 0]
            col[traj.rounds + 1 :, j] = arr[-1, 0]
        for key, arr in traj.details.items():
            details.setdefault(key, [None] * m)[j] = _deep_tuple(_jsonable(np.asarray(arr)))
    return ModelRun(
        model=plan.name,
        parameters=plan.parameters(),
        forecast=forecast,
        positions=positions,
        per_round=per_round,
        details={k: tuple(v) for k, v in details.items()},
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
    runs = tuple(_run_plan(sc, plan) for plan in plan_models(model, rounds, params))
    cap, pos, sal, _ = sc.arrays()
    return Forecast(
        **provenance(sc),
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
    )


def _detail(run: ModelRun, key: str, j: int) -> float | None:
    values = run.details.get(key)
    if values is None or values[j] is None:
        return None
    v = values[j]
    while isinstance(v, (list, tuple)):
        v = v[0] if v else None
    return None if v is None else float(v)
