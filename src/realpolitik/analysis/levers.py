"""What one actor could change to get more of what it wants: levers, ranked.

:func:`levers` takes one actor A and asks, under each model, which single change of the
scenario's numbers moves the forecast toward A's positions most per unit of change:

* A's own **position** on an issue (raised or lowered: stating a more extreme position
  may pull a compromise A's way);
* A's **salience** on an issue (raised or lowered), and A's **capability** (on every
  issue alike: the actor's and its stances' own capabilities scaled together);
* another actor's **position**, moved toward A's (whom to persuade), and another actor's
  **salience** (raised or lowered).

Only issues on which A holds a stance are considered. Units: a position moves by % of the
issue's scale, a salience by points of 0-100, a capability by % of its value.

The measure is A's salience-weighted gain (:func:`~realpolitik.forecasting.salience_gain`)
computed against A's **stated** positions and saliences: a lever changes what the models
see, never what A wants. The gain counts only issues with a status quo, so each lever also
reports, per issue, the forecast's move toward A's position (``toward``: the share of the
scale by which the forecast ends nearer A's position; negative: farther). Levers are
ranked by the change of A's gain per unit of change, then by the salience-weighted
``toward`` over all of A's issues.

Exact and simulated levers
--------------------------
Where a model has a closed form the levers are **exact** derivatives. The compromise
model's forecast is f = sum_i w_i x_i / W with w_i = c_i s_i and W = sum_i w_i (Achen
2006), so

    df/dx_k = w_k / W,   df/ds_k = c_k (x_k - f) / W,   df/dc_k = s_k (x_k - f) / W,

chained through the scenario's shocks (each shock is affine in the number it changes:
``set`` has slope 0, ``add`` 1, ``multiply`` its value) and through A's distance
|x_A - f|, whose derivative is sign(f - x_A) df, or |df| in either direction at the kink
f = x_A (any move away from A's position costs A). An exact lever is a rate per unit.

Other models (the median and the EUM are piecewise constant in their inputs: a derivative
would be 0 almost everywhere) are **simulated**: each lever is a finite step (by default
10% of the scale for a position, 10 points of salience, 20% of a capability; clipped to
the scale, to 0-100, and for a persuasion to A's own position), the result reports the
effect of the whole step, and its ``rate`` divides by the step. Every step in each
direction on one issue is a column of one batch: one model call per issue
(:func:`~realpolitik.arrays.issue_batch`). The scenario's shocks stay in force.

Complexity: exact, O(n m) for n actors and m issues; simulated, per model and issue with
n_j participants, one model call on 7 + 3 (n_j - 1) columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..arrays import issue_batch, scenario_input
from ..errors import InputError, Problem, ScenarioError, UnknownNameError
from ..forecasting import salience_gain
from ..models import get
from ..models.plan import ModelPlan, plan_models
from ..results import JsonResult, Provenance, ProvenanceFields, Subject, freeze, jsonable
from ..scenario import Scenario, load
from ..scenario.uncertainty import Values, point_values
from .ensemble import _issue_arrays, evaluate

__all__ = ["DEFAULT_STEP", "FORMAT", "UNITS", "Lever", "Levers", "levers"]

FORMAT = "realpolitik-levers/1"
KINDS = ("position", "salience", "capability")
#: The steps of the simulated levers, in their units.
DEFAULT_STEP: Mapping[str, float] = MappingProxyType(
    {"position": 10.0, "salience": 10.0, "capability": 20.0}
)
UNITS: Mapping[str, str] = MappingProxyType(
    {"position": "% of the scale", "salience": "points", "capability": "% of capability"}
)
#: A forecast within this share of the scale of A's position is at it (the kink of |x_A - f|).
KINK_RTOL = 1e-12


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class Lever:
    """One change of one number, in its better direction, and what it does for actor A.

    ``kind`` is ``position``, ``salience`` or ``capability``; ``actor`` whose number it is;
    ``issue`` where (``None`` for a capability); ``direction`` +1 raises the number, -1
    lowers it; ``persuade`` marks another actor's position moved toward A's.
    ``exact``: ``gain`` and ``toward`` are rates per unit (a derivative); otherwise they
    are the effects of the whole ``step`` (in units). ``gain`` is the change of A's
    salience-weighted gain (``None`` if A has no issue with a status quo); ``toward`` maps
    each of A's issues to the forecast's move toward A's position (share of the scale).
    ``determinacy`` maps each of A's issues whose forecast the step makes determinate or
    undetermined (a dynamic model that settles, or starts to cycle) to ``"determined"``
    or ``"undetermined"``, its state after the step, and ``settles_at`` those it makes
    determined to the forecast they then get; such an issue has no effect to measure and
    counts in neither ``gain`` nor ``toward``, so the flag is what says the step did
    something there.
    """

    kind: str
    actor: str
    issue: str | None
    direction: int
    exact: bool
    gain: float | None
    toward: Mapping[str, float]
    move: float
    step: float | None = None
    persuade: bool = False
    determinacy: Mapping[str, str] = field(default_factory=dict)
    settles_at: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        freeze(
            self,
            toward=MappingProxyType(dict(self.toward)),
            determinacy=MappingProxyType(dict(self.determinacy)),
            settles_at=MappingProxyType(dict(self.settles_at)),
        )

    @property
    def target(self) -> str:
        """The number, as ``--set`` names it."""
        mid = f".{self.issue}" if self.issue else ""
        return f"{self.actor}{mid}.{self.kind}"

    @property
    def unit(self) -> str:
        return UNITS[self.kind]

    @property
    def rate(self) -> float | None:
        """The change of A's gain per unit of change."""
        if self.gain is None:
            return None
        return self.gain if self.exact or not self.step else self.gain / self.step

    @property
    def move_rate(self) -> float:
        """``move`` (the salience-weighted move toward A over all its issues) per unit."""
        return self.move if self.exact or not self.step else self.move / self.step

    def describe(self, focal: str = "A", names: Mapping[str, str] | None = None) -> str:
        """A short phrase: ``persuade b toward a on i1``, ``raise a's capability``
        (``names`` maps actor ids to the names to print)."""
        who = (names or {}).get(self.actor, self.actor)
        verb = "raise" if self.direction > 0 else "lower"
        if self.persuade:
            return f"persuade {who} toward {focal} on {self.issue}"
        if self.kind == "capability":
            return f"{verb} {who}'s capability"
        return f"{verb} {who}'s {self.kind} on {self.issue}"

    def determinacy_note(self) -> str:
        """``"makes i1 determined (35.0); makes i2 undetermined"``, or ``""``."""
        return "; ".join(
            f"makes {i} {state}" + (f" ({self.settles_at[i]:.1f})" if i in self.settles_at else "")
            for i, state in self.determinacy.items()
        )

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "target": self.target,
                "kind": self.kind,
                "actor": self.actor,
                "issue": self.issue,
                "direction": self.direction,
                "persuade": self.persuade,
                "exact": self.exact,
                "unit": self.unit,
                "step": self.step,
                "gain": self.gain,
                "rate": self.rate,
                "move": self.move,
                "toward": dict(self.toward),
                "determinacy": dict(self.determinacy),
                "settles_at": dict(self.settles_at),
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Lever:
        return cls(
            kind=d["kind"],
            actor=d["actor"],
            issue=d["issue"],
            direction=int(d["direction"]),
            exact=bool(d["exact"]),
            gain=d["gain"],
            toward=d["toward"],
            move=d["move"],
            step=d["step"],
            persuade=bool(d["persuade"]),
            determinacy=d.get("determinacy", {}),
            settles_at=d.get("settles_at", {}),
        )


@dataclass(frozen=True, eq=False)
class Levers(ProvenanceFields, JsonResult):
    """The result of :func:`levers`: for actor ``actor``, per model, every lever ranked
    (best first), and how they were computed.

    ``method[model]`` is ``"exact"`` or ``"finite differences"``; ``steps`` the steps of
    the simulated levers; ``forecast[model]`` the forecast of each issue at the scenario's
    values and ``gain[model]`` A's gain there; ``positions`` A's stated positions on
    ``issues`` (its issues). Provenance: the scenario's hash, the models' parameters and
    the library version.
    """

    format_id: ClassVar[str] = FORMAT
    kind: ClassVar[str] = "levers result"
    record_kind: ClassVar[str] = "levers"

    provenance: Provenance
    actor: str
    actor_name: str
    issues: tuple[str, ...]
    positions: Mapping[str, float]
    shocks: tuple[str, ...]
    steps: Mapping[str, float]
    method: Mapping[str, str]
    forecast: Mapping[str, Mapping[str, float]]
    gain: Mapping[str, float | None]
    levers: Mapping[str, tuple[Lever, ...]]
    units: Mapping[str, str] = field(default_factory=lambda: dict(UNITS))

    def __post_init__(self) -> None:
        ro = MappingProxyType
        freeze(
            self,
            positions=ro(dict(self.positions)),
            steps=ro(dict(self.steps)),
            method=ro(dict(self.method)),
            forecast=ro({k: ro(dict(v)) for k, v in self.forecast.items()}),
            gain=ro(dict(self.gain)),
            levers=ro({k: tuple(v) for k, v in self.levers.items()}),
            units=ro(dict(self.units)),
        )

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.levers)

    def top(self, model: str, k: int = 5) -> tuple[Lever, ...]:
        """The ``k`` best levers under ``model``."""
        if model not in self.levers:
            raise UnknownNameError(
                f"model {model!r} was not analysed; these levers have {', '.join(self.models)}"
            )
        return self.levers[model][:k]

    def run_parameters(self) -> dict[str, Any]:
        """The ``actor``, the models and their parameters, and the ``steps`` of the
        simulated levers."""
        return {"actor": self.actor, **super().run_parameters(), "steps": dict(self.steps)}

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: ``forecasts`` (model -> issue -> forecast), ``gains``
        (model -> actor -> its gain) and ``levers`` (model -> method and the five best)."""
        return {
            "forecasts": {m: dict(self.forecast[m]) for m in self.models},
            "gains": {m: {self.actor: self.gain[m]} for m in self.models},
            "levers": {
                m: {"method": self.method[m], "top": [lv.to_dict() for lv in self.top(m, 5)]}
                for m in self.models
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.provenance.to_dict(),
            "actor": self.actor,
            "actor_name": self.actor_name,
            "issues": list(self.issues),
            "positions": jsonable(dict(self.positions)),
            "shocks": list(self.shocks),
            "steps": jsonable(dict(self.steps)),
            "units": dict(self.units),
            "method": dict(self.method),
            "forecast": jsonable({k: dict(v) for k, v in self.forecast.items()}),
            "gain": jsonable(dict(self.gain)),
            "levers": {m: [lv.to_dict() for lv in v] for m, v in self.levers.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Levers:
        cls.check_format(d)
        return cls(
            provenance=Provenance.from_dict(d),
            actor=d["actor"],
            actor_name=d["actor_name"],
            issues=tuple(d["issues"]),
            positions=d["positions"],
            shocks=tuple(d["shocks"]),
            steps=d["steps"],
            method=d["method"],
            forecast=d["forecast"],
            gain=d["gain"],
            levers={m: tuple(Lever.from_dict(x) for x in v) for m, v in d["levers"].items()},
            units=d.get("units", dict(UNITS)),
        )


# ------------------------------------------------------------------ the problem


@dataclass(frozen=True)
class _Candidate:
    """A number to change: ``kind`` of actor row ``k`` on issue column ``j`` (``None``
    for a capability), in ``directions``."""

    kind: str
    k: int
    j: int | None
    directions: tuple[int, ...]
    persuade: bool = False


@dataclass
class _Setup:
    sc: Scenario
    a: int
    own: list[int]  # A's issues (columns)
    cap: np.ndarray  # (n, m): each actor's capability on each issue
    pos: np.ndarray  # (n, m)
    sal: np.ndarray  # (n, m), 0-100
    sq: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    candidates: list[_Candidate]

    @property
    def span(self) -> np.ndarray:
        return self.hi - self.lo

    def gain_weights(self) -> tuple[np.ndarray, float]:
        """A's saliences on the issues that count toward its gain, and their sum."""
        s = np.where(~np.isnan(self.pos[self.a]) & ~np.isnan(self.sq), self.sal[self.a], 0.0)
        s = np.nan_to_num(s)
        return s, float(s.sum())

    def move_weights(self) -> tuple[np.ndarray, float]:
        """A's saliences on all its issues, and their sum."""
        s = np.nan_to_num(np.where(np.isnan(self.pos[self.a]), 0.0, self.sal[self.a]))
        return s, float(s.sum())


def _setup(sc: Scenario, actor: str) -> _Setup:
    where = sc.origin or sc.id
    if actor not in sc.actor_ids:
        raise ScenarioError(
            [
                Problem(
                    where,
                    "actor",
                    f"no actor {actor!r}; the actors are {', '.join(sc.actor_ids)}",
                )
            ]
        )
    a = sc.actor_ids.index(actor)
    _, pos, sal, has = sc.arrays()
    cap = sc.capability_matrix()
    own = [j for j in range(len(sc.issues)) if has[a, j]]
    if not own:
        raise ScenarioError(
            [
                Problem(
                    where,
                    "actor",
                    f"{actor!r} holds no stance on any issue, so no forecast can move toward "
                    "it; give it a position and salience on the issues it cares about",
                )
            ]
        )
    sq, lo, hi = _issue_arrays(sc)
    both = (1, -1)
    cands = [_Candidate("capability", a, None, both)]
    for j in own:
        cands.append(_Candidate("position", a, j, both))
        cands.append(_Candidate("salience", a, j, both))
        for k in range(len(sc.actors)):
            if k == a or not has[k, j]:
                continue
            gap = pos[a, j] - pos[k, j]
            if gap != 0:
                cands.append(_Candidate("position", k, j, (1 if gap > 0 else -1,), persuade=True))
            cands.append(_Candidate("salience", k, j, both))
    return _Setup(sc, a, own, cap, pos, sal, sq, lo, hi, cands)


def _check_steps(step: Mapping[str, float] | None) -> dict[str, float]:
    steps = dict(DEFAULT_STEP)
    for key, value in (step or {}).items():
        if key not in KINDS:
            raise InputError(f"step: unknown kind {key!r}; expected one of {', '.join(KINDS)}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = math.nan
        if not math.isfinite(v) or v <= 0:
            raise InputError(f"step: {key} must be a positive number, got {value!r}")
        steps[key] = v
    return steps


# ------------------------------------------------------------------ the verb


def levers(
    scenario: Scenario | str | None,
    actor: str,
    model: str | Sequence[str] = "all",
    *,
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    step: Mapping[str, float] | None = None,
) -> Levers:
    """The changes that would move each model's forecast toward ``actor`` most per unit.

    ``step`` overrides the steps of the simulated levers by kind, in their units
    (``{"position": 5}``: 5% of the scale; ``salience``: points; ``capability``: % of its
    value); exact levers (the compromise model) need none. ``rounds`` and ``params`` are
    as for :func:`realpolitik.forecast`.

    Raises :class:`~realpolitik.errors.ScenarioError` for an actor the scenario does not
    have (listing those it has) or one without any stance.
    """
    sc = load(scenario)
    setup = _setup(sc, actor)
    steps = _check_steps(step)
    plans = plan_models(model, rounds, params)
    base = evaluate(sc, point_values(sc), plans)
    a = setup.a
    per_model: dict[str, tuple[Lever, ...]] = {}
    method: dict[str, str] = {}
    base_gain: dict[str, float | None] = {}
    for plan in plans:
        f0 = base[plan.name].forecast[0]
        g0 = _gain(setup, f0[None])[0]
        base_gain[plan.name] = None if math.isnan(g0) else float(g0)
        gradient = get(plan.name).gradient
        if gradient is not None:
            options = _exact(setup, f0, gradient)
            method[plan.name] = "exact"
        else:
            options = _simulated(setup, plan, f0, steps)
            method[plan.name] = "finite differences"
        per_model[plan.name] = _rank(setup, options)
    own_ids = tuple(sc.issue_ids[j] for j in setup.own)
    return Levers(
        provenance=Provenance(Subject.of(sc), {p.name: p.parameters() for p in plans}),
        actor=actor,
        actor_name=sc.actors[a].name,
        issues=own_ids,
        positions={sc.issue_ids[j]: float(setup.pos[a, j]) for j in setup.own},
        shocks=tuple(h.describe() for h in sc.shocks),
        steps=steps,
        method=method,
        forecast={  # nan where undetermined
            p.name: dict(zip(sc.issue_ids, map(float, base[p.name].forecast[0]), strict=True))
            for p in plans
        },
        gain=base_gain,
        levers=per_model,
    )


def _gain(setup: _Setup, forecasts: np.ndarray) -> np.ndarray:
    """A's salience-weighted gain for each forecast row of ``forecasts`` (L, m)."""
    a = setup.a
    g = salience_gain(
        setup.pos[a : a + 1], setup.sal[a : a + 1], setup.sq, forecasts, setup.lo, setup.hi
    )
    return np.asarray(g[:, 0], dtype=float)


# An option: a candidate in one direction, with its effect (gain, toward per column, step,
# and the columns it makes determinate (their forecast) or undetermined (None)).
_Option = tuple[
    _Candidate, int, float | None, dict[int, float], float | None, dict[int, float | None]
]


def _rank(setup: _Setup, options: list[_Option]) -> tuple[Lever, ...]:
    """The better direction of each candidate, then every lever, best first."""
    sc = setup.sc
    w, total = setup.move_weights()
    best: dict[int, Lever] = {}
    order: dict[int, int] = {}
    for cand, d, gain, toward, step, flips in options:
        move = sum(w[j] * t for j, t in toward.items()) / total if total > 0 else 0.0
        lever = Lever(
            kind=cand.kind,
            actor=sc.actor_ids[cand.k],
            issue=None if cand.j is None else sc.issue_ids[cand.j],
            direction=d,
            exact=step is None,
            gain=gain,
            toward={sc.issue_ids[j]: float(toward.get(j, 0.0)) for j in setup.own},
            move=float(move),
            step=step,
            persuade=cand.persuade,
            determinacy={
                sc.issue_ids[j]: "undetermined" if at is None else "determined"
                for j, at in sorted(flips.items())
            },
            settles_at={sc.issue_ids[j]: at for j, at in sorted(flips.items()) if at is not None},
        )
        key = id(cand)
        order.setdefault(key, len(order))
        if key not in best or _key(lever) > _key(best[key]):
            best[key] = lever
    # best first; among equal effects, a step that settles or unsettles an issue first, the
    # ones that settle nearest A's positions first among those
    index = {i: j for j, i in enumerate(sc.issue_ids)}

    def landing(lv: Lever) -> float:
        far = [abs(setup.pos[setup.a, index[i]] - at) / setup.span[index[i]]
               for i, at in lv.settles_at.items()]  # fmt: skip
        return float(np.mean(far)) if far else math.inf

    ranked = sorted(
        best,
        key=lambda key: (
            _neg(_score(best[key])),
            -_flags(best[key]),
            landing(best[key]),
            order[key],
        ),
    )
    return tuple(best[key] for key in ranked)


def _flags(lv: Lever) -> int:
    return len(lv.determinacy)


def _key(lv: Lever) -> tuple[float, float, int]:
    return (*_score(lv), _flags(lv))


def _score(lv: Lever) -> tuple[float, float]:
    rate = lv.rate
    return (lv.move_rate if rate is None else rate, lv.move_rate)


def _neg(score: tuple[float, float]) -> tuple[float, float]:
    return (-score[0], -score[1])


# ------------------------------------------------------------------ exact: compromise


def _affine(sc: Scenario, actor: str, kind: str, issue: str) -> tuple[float, float]:
    """The stated number -> the number in force after every shock on ``issue``, as
    ``slope * stated + intercept`` (shocks in order of round, then of listing, as
    :func:`~realpolitik.arrays.issue_batch` applies them)."""
    slope, icpt = 1.0, 0.0
    for h in sorted(sc.shocks, key=lambda h: h.round):
        if h.actor != actor or h.field != kind or (h.issue is not None and h.issue != issue):
            continue
        if h.op == "set":
            slope, icpt = 0.0, h.value
        elif h.op == "add":
            icpt += h.value
        else:
            slope, icpt = slope * h.value, icpt * h.value
    return slope, icpt


def _exact(
    setup: _Setup, f0: np.ndarray, gradient: Callable[..., tuple[np.ndarray, ...]]
) -> list[_Option]:
    """Exact rates from a model's closed-form ``gradient`` (``ModelSpec.gradient``: df/dx,
    df/ds, df/dc of an issue's forecast at the values in force after the shocks), by the
    chain rule through each shock's affine map. Per unit: df/dx_k x span/100, df/ds_k,
    df/dc_k x c_k/100 (see the module)."""
    sc, a = setup.sc, setup.a
    # df per unit of each candidate, per issue column.
    rates: dict[int, dict[int, float]] = {id(c): {} for c in setup.candidates}
    by_kind = {(c.kind, c.k, c.j): c for c in setup.candidates}
    row_of = {x: r for r, x in enumerate(sc.actor_ids)}
    for j in setup.own:
        issue = sc.issue_ids[j]
        rows = [row_of[x] for x in sc.participants(issue)]
        aff = {(kind, r): _affine(sc, sc.actor_ids[r], kind, issue) for r in rows for kind in KINDS}

        def val(kind: str, r: int, stated: float, aff: Any = aff) -> float:
            s, b = aff[(kind, r)]
            return float(s * stated + b)

        C = np.array([val("capability", r, setup.cap[r, j]) for r in rows])
        S = np.array([val("salience", r, setup.sal[r, j]) for r in rows])
        X = np.array([val("position", r, setup.pos[r, j]) for r in rows])
        dfdx, dfds, dfdc = gradient(C, S, X)
        span = float(setup.span[j])
        for idx, r in enumerate(rows):
            dx = aff[("position", r)][0] * dfdx[idx] * span / 100.0
            ds = aff[("salience", r)][0] * dfds[idx]
            dc = aff[("capability", r)][0] * dfdc[idx] * setup.cap[r, j] / 100.0
            for kind, rate in (("position", dx), ("salience", ds)):
                c = by_kind.get((kind, r, j))
                if c is not None:
                    rates[id(c)][j] = float(rate)
            if r == a:
                rates[id(by_kind[("capability", a, None)])][j] = float(dc)
    w, total = setup.gain_weights()
    options: list[_Option] = []
    for cand in setup.candidates:
        for d in cand.directions:
            if not _feasible_exact(setup, cand, d):
                continue
            toward: dict[int, float] = {}
            for j, df in rates[id(cand)].items():
                gap = float(f0[j] - setup.pos[a, j])
                span = float(setup.span[j])
                if abs(gap) > KINK_RTOL * span:
                    d_dist = math.copysign(1.0, gap) * d * df
                else:
                    d_dist = abs(d * df)
                toward[j] = -d_dist / span
            gain = float(sum(w[j] * t for j, t in toward.items()) / total) if total > 0 else None
            options.append((cand, d, gain, toward, None, {}))
    return options


def _feasible_exact(setup: _Setup, cand: _Candidate, d: int) -> bool:
    """Whether the number can move in direction ``d`` at all (not at a bound)."""
    if cand.kind == "capability":
        return d > 0 or bool((setup.cap[cand.k] > 0).any())
    assert cand.j is not None
    if cand.kind == "salience":
        s = setup.sal[cand.k, cand.j]
        return (d > 0 and s < 100) or (d < 0 and s > 0)
    x = setup.pos[cand.k, cand.j]
    return (d > 0 and x < setup.hi[cand.j]) or (d < 0 and x > setup.lo[cand.j])


# ------------------------------------------------------------------ simulated


def _stepped(
    setup: _Setup, cand: _Candidate, d: int, steps: Mapping[str, float]
) -> tuple[float, float] | None:
    """The new value of the candidate's number one step in direction ``d`` and the step
    actually taken in units (clipped to the bounds), or ``None`` if it cannot move."""
    size = steps[cand.kind]
    if cand.kind == "capability":  # the factor its capabilities are multiplied by
        if not (setup.cap[cand.k] > 0).any():
            return None
        if d < 0 and size >= 100:
            return 0.0, 100.0
        return 1.0 + d * size / 100.0, size
    assert cand.j is not None
    j = cand.j
    if cand.kind == "salience":
        s = float(setup.sal[cand.k, j])
        new = min(100.0, max(0.0, s + d * size))
        if new == s:
            return None
        return new, size if new == s + d * size else abs(new - s)
    x, span = float(setup.pos[cand.k, j]), float(setup.span[j])
    delta = size * span / 100.0
    if cand.persuade and abs(float(setup.pos[setup.a, j]) - x) < delta:
        return float(setup.pos[setup.a, j]), abs(float(setup.pos[setup.a, j]) - x) / span * 100.0
    new = min(float(setup.hi[j]), max(float(setup.lo[j]), x + d * delta))
    if new == x:
        return None
    return new, size if new == x + d * delta else abs(new - x) / span * 100.0


def _move(values: Values, col: int, cand: _Candidate, j: int | None, value: float) -> None:
    """Draw ``col`` of ``values`` with the candidate's number at ``value`` (for a
    capability, a factor: the actor's capability and its stances' own alike)."""
    if cand.kind == "capability":
        values.capability[col, cand.k] *= value
        values.issue_capability[col, cand.k] *= value
    elif cand.kind == "position":
        values.position[col, cand.k, j] = value
    else:
        values.salience[col, cand.k, j] = value


def _simulated(
    setup: _Setup, plan: ModelPlan, f0: np.ndarray, steps: Mapping[str, float]
) -> list[_Option]:
    """Finite steps, every step touching one issue a column of one batch of that issue."""
    sc = setup.sc
    moves = []  # (candidate, direction, new value, step)
    for cand in setup.candidates:
        for d in cand.directions:
            st = _stepped(setup, cand, d, steps)
            if st is not None:
                moves.append((cand, d, *st))
    point = point_values(sc)
    new_f = np.repeat(f0[None], len(moves), axis=0)  # (moves, m)
    if plan.joint:  # the issues as one space: each move a run of the whole scenario
        for i, (cand, _, value, _) in enumerate(moves):
            values = point.copy()
            _move(values, 0, cand, cand.j, value)
            new_f[i] = plan.run(scenario_input(sc, values), details=False).forecast
    for j in () if plan.joint else setup.own:
        cols = [i for i, mv in enumerate(moves) if mv[0].j in (j, None)]
        b = len(cols) + 1
        values = point.repeat(b)
        for col, i in enumerate(cols, start=1):
            cand, _, value, _ = moves[i]
            _move(values, col, cand, j, value)
        _, inp = issue_batch(sc, values, j)
        forecast = plan.run(inp, details=False).forecast  # (b,): column 0 the scenario as it is
        for col, i in enumerate(cols, start=1):
            new_f[i, j] = forecast[col]
    # An issue undetermined before or after a step has no effect to measure: it is left
    # out of both gains of that step, and out of its moves toward the actor.
    gone = np.isnan(new_f) | np.isnan(f0)[None]
    before = _gain(setup, np.where(gone, np.nan, f0[None]))
    gains = _gain(setup, np.where(gone, np.nan, new_f)) - before if len(moves) else np.zeros(0)
    a = setup.a
    options: list[_Option] = []
    for i, (cand, d, _, size) in enumerate(moves):
        toward = {
            j: float(
                (abs(setup.pos[a, j] - f0[j]) - abs(setup.pos[a, j] - new_f[i, j])) / setup.span[j]
            )
            for j in setup.own
            if not gone[i, j]
        }
        gain = None if math.isnan(gains[i]) else float(gains[i])
        flips = {  # None: made undetermined; else made determined, at that forecast
            j: None if math.isnan(new_f[i, j]) else float(new_f[i, j])
            for j in setup.own
            if math.isnan(new_f[i, j]) != math.isnan(f0[j])
        }
        options.append((cand, d, gain, toward, float(size), flips))
    return options
