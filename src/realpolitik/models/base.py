"""The contract every model fulfils: arrays in, a :class:`Trajectory` out.

A model is a pure function::

    run(inputs: ModelInput, *, rounds: int, **params) -> Trajectory

with no I/O, no printing and no global state. Every array is laid out
``(actors, issues)`` and a model handles all issues at once: most models treat each
issue as its own one-dimensional space; a *joint* model (``ModelSpec.joint``, KTAB's
``smp``) takes the issues as the dimensions of one space, and runs them one at a time
with ``issues="separate"``.

Conventions
-----------
* ``capability`` is any non-negative scale (only ratios matter), one value per actor
  ``(n,)`` or one per actor and issue ``(n, m)``: a batch of Monte Carlo draws of one
  issue is an input whose m columns are the draws, each with its own capabilities.
* every column (issue) is independent of the others: a model's result for a column is the
  same, bit for bit, whatever columns run beside it (tests/test_model_contract.py); a model
  whose ``ModelSpec.joint`` is true (its issues are the dimensions of one space) does so when
  run with ``issues="separate"``.
* ``changes`` are dated shocks: from round ``k`` on, the state reflects the change
  (:class:`Change`). Static models forecast the settlement, so they see every change
  applied (:meth:`ModelInput.final`); dynamic models apply each at its round.
* ``details=False``, a keyword every model's ``run`` takes (no model parameter: it is not
  in ``ModelSpec.defaults``), leaves the per-round diagnostics out of
  ``Trajectory.details`` (the per-issue ones stay) and changes nothing else: for batches
  of Monte Carlo draws, which need the forecasts only.
* ``salience`` is on **0-1** here (files use 0-100; the scenario layer divides).
* ``position`` is in the issue's own units, between ``scale_min`` and ``scale_max``.
* ``status_quo`` may hold ``nan`` where a scenario gives none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["Change", "ModelInput", "ModelSpec", "Trajectory"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Change:
    """Inputs that change at round ``round`` (>= 1): the state of that round and of every
    later round reflects the change.

    ``capability`` (n,) or (n, m) and ``salience`` (n, m, on 0-1), when given, are the
    values in force from that round on (every actor's, changed or not); ``position`` (n, m)
    holds the positions actors are moved to at that round, ``nan`` where the model's own
    position stands. Dynamic models make the offers of round k + 1 from the state of round
    k, so a capability change at round k acts first on the moves into round k + 1.
    """

    round: int
    capability: np.ndarray | None = None
    salience: np.ndarray | None = None
    position: np.ndarray | None = None

    def __post_init__(self) -> None:
        if isinstance(self.round, bool) or int(self.round) != self.round or self.round < 1:
            raise ValueError(f"a change takes effect at a round of 1 or more, got {self.round!r}")
        object.__setattr__(self, "round", int(self.round))
        for name in ("capability", "salience", "position"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _frozen(getattr(self, name)))


@dataclass(frozen=True, eq=False)
class ModelInput:
    """Dense arrays of one scenario (or of a batch of draws of one issue), ready for a model.

    Attributes
    ----------
    capability : (n,) or (n, m) float
    position : (n, m) float
    salience : (n, m) float in [0, 1]
    scale_min, scale_max : (m,) float
    status_quo : (m,) float, ``nan`` where unknown
    changes : tuple of :class:`Change`, by round (shocks after round 0)
    """

    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    scale_min: np.ndarray
    scale_max: np.ndarray
    status_quo: np.ndarray
    changes: tuple[Change, ...] = ()

    def __post_init__(self) -> None:
        for name in ("capability", "position", "salience", "scale_min", "scale_max", "status_quo"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        n, m = self.position.shape
        if self.capability.shape not in ((n,), (n, m)):
            raise ValueError(
                f"capability has shape {self.capability.shape}, expected ({n},) or ({n}, {m})"
            )
        if self.salience.shape != (n, m):
            raise ValueError(f"salience has shape {self.salience.shape}, expected ({n}, {m})")
        for name in ("scale_min", "scale_max", "status_quo"):
            if getattr(self, name).shape != (m,):
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected ({m},)")
        changes = tuple(sorted(self.changes, key=lambda ch: ch.round))
        for ch in changes:
            for name, shapes in (
                ("capability", ((n,), (n, m))),
                ("salience", ((n, m),)),
                ("position", ((n, m),)),
            ):
                arr = getattr(ch, name)
                if arr is not None and arr.shape not in shapes:
                    raise ValueError(
                        f"change at round {ch.round}: {name} has shape {arr.shape}, "
                        f"expected {' or '.join(str(sh) for sh in shapes)}"
                    )
        object.__setattr__(self, "changes", changes)

    @property
    def weights(self) -> np.ndarray:
        """Capability x salience, (n, m)."""
        cap = self.capability if self.capability.ndim == 2 else self.capability[:, None]
        return cap * self.salience

    def capability_matrix(self) -> np.ndarray:
        """Capabilities as (n, m), one column per issue."""
        if self.capability.ndim == 2:
            return self.capability
        return np.broadcast_to(self.capability[:, None], self.position.shape)

    def final(self) -> ModelInput:
        """The input with every change applied and none left: what a static model sees."""
        if not self.changes:
            return self
        cap, pos, sal = self.capability, self.position, self.salience
        for ch in self.changes:
            if ch.capability is not None:
                cap = ch.capability
            if ch.salience is not None:
                sal = ch.salience
            if ch.position is not None:
                pos = np.where(np.isnan(ch.position), pos, ch.position)
        return ModelInput(cap, pos, sal, self.scale_min, self.scale_max, self.status_quo)

    def columns(self, index: Any) -> ModelInput:
        """The input of the issues (columns) ``index`` only, changes included."""
        idx = np.atleast_1d(np.arange(self.n_issues)[index])

        def cols(a: np.ndarray | None) -> np.ndarray | None:
            if a is None or a.ndim == 1:
                return a
            return a[:, idx]

        return ModelInput(
            capability=cols(self.capability),  # type: ignore[arg-type]
            position=self.position[:, idx],
            salience=self.salience[:, idx],
            scale_min=self.scale_min[idx],
            scale_max=self.scale_max[idx],
            status_quo=self.status_quo[idx],
            changes=tuple(
                Change(ch.round, cols(ch.capability), cols(ch.salience), cols(ch.position))
                for ch in self.changes
            ),
        )

    @property
    def n_actors(self) -> int:
        return int(self.position.shape[0])

    @property
    def n_issues(self) -> int:
        return int(self.position.shape[1])

    def reorder(self, order: Any) -> ModelInput:
        """The same input with the actors taken in ``order`` (an index array)."""
        idx = np.asarray(order)

        def rows(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return ModelInput(
            capability=self.capability[idx],
            position=self.position[idx],
            salience=self.salience[idx],
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            status_quo=self.status_quo,
            changes=tuple(
                Change(ch.round, rows(ch.capability), rows(ch.salience), rows(ch.position))
                for ch in self.changes
            ),
        )

    @classmethod
    def single_issue(
        cls,
        capability: Any,
        position: Any,
        salience: Any,
        scale_min: float | None = None,
        scale_max: float | None = None,
        status_quo: float = float("nan"),
    ) -> ModelInput:
        """Build the input of one issue from 1-d arrays (salience on 0-1)."""
        x = np.asarray(position, dtype=float).reshape(-1, 1)
        lo = float(np.min(x)) if scale_min is None else scale_min
        hi = float(np.max(x)) if scale_max is None else scale_max
        return cls(
            capability=np.asarray(capability, dtype=float),
            position=x,
            salience=np.asarray(salience, dtype=float).reshape(-1, 1),
            scale_min=np.array([lo]),
            scale_max=np.array([hi]),
            status_quo=np.array([status_quo]),
        )


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What a model returns.

    Attributes
    ----------
    positions : (T+1, n, m) float
        Every actor's position on every issue, round 0 (the input) to round T.
        Static models have T = 0.
    forecast : (m,) float
        The model's forecast of each issue's outcome.
    per_round : mapping of name -> (T+1, m) float
        Summaries the model reports after every round (for the EUM: ``median``
        and ``mean``), in the order the model defines.
    details : mapping of name -> array
        Optional model-specific diagnostics (e.g. the EUM's offers), JSON-able arrays.
    """

    positions: np.ndarray
    forecast: np.ndarray
    per_round: Mapping[str, np.ndarray] = field(default_factory=dict)
    details: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", _frozen(self.positions))
        object.__setattr__(self, "forecast", _frozen(self.forecast))
        object.__setattr__(
            self, "per_round", MappingProxyType({k: _frozen(v) for k, v in self.per_round.items()})
        )
        object.__setattr__(
            self, "details", MappingProxyType({k: _frozen(v) for k, v in self.details.items()})
        )
        if self.positions.ndim != 3:
            raise ValueError("positions must be (rounds+1, actors, issues)")
        if self.forecast.shape != (self.positions.shape[2],):
            raise ValueError("forecast must have one value per issue")

    @property
    def rounds(self) -> int:
        return int(self.positions.shape[0] - 1)


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its name, function, defaults and a one-line summary.

    ``in_all``: whether ``--model all`` (and every ``"all"``) runs it; a model that has not
    shown it forecasts better than the compromise model is run by name only. ``standing``:
    one line of its measured result, where it has one (``realpolitik models`` shows it).
    ``joint``: the issues interact (they are the dimensions of one space), so its columns
    are not independent; such a model takes ``issues="separate"`` to run each column alone.
    ``stochastic``: for a model that can draw random numbers, a function telling from its
    parameters (defaults included) whether a run does; it then takes a ``seed`` parameter
    (an int, a ``SeedSequence`` or a ``Generator``), which the verbs that run many draws
    give each draw of its own (``None``: the model draws nothing).
    ``actor_details``: the diagnostics (``Trajectory.details``) whose axis before the
    column's is the actors': ``"value"`` where they hold a number per actor, ``"index"``
    where they name an actor by its row (-1 for none); a result records them per actor.

    What a model offers beyond its run, declared so that analyses and front ends ask the
    spec instead of knowing models by name: ``gradient(capability, salience, position)``,
    a static model's closed-form partial derivatives of one issue's forecast (levers use it
    instead of finite differences); ``perceptions(x, c, s, *, span, q, t, probability)``,
    each actor's expected utilities of challenging each other (the view from an actor);
    ``dynamic``, a trajectory round by round (the trajectory charts).
    """

    name: str
    run: Callable[..., Trajectory]
    summary: str
    #: a static model (the default) forecasts the settlement in one step: no rounds
    dynamic: bool = False
    default_rounds: int = 0
    defaults: Mapping[str, Any] = field(default_factory=dict)
    complexity: str = ""
    reference: str = ""
    in_all: bool = True
    standing: str = ""
    joint: bool = False
    stochastic: Callable[[Mapping[str, Any]], bool] | None = None
    actor_details: Mapping[str, str] = field(default_factory=dict)
    gradient: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
    perceptions: Callable[..., Any] | None = None
