"""The contract every model fulfils: arrays in, a :class:`Trajectory` out.

A model is a pure function::

    run(inputs: ModelInput, *, rounds: int, **params) -> Trajectory

with no I/O, no printing and no global state. All models in this package treat
each issue as its own one-dimensional space, so every array is laid out
``(actors, issues)`` and a model handles all issues at once.

Conventions
-----------
* ``capability`` is any non-negative scale (only ratios matter).
* ``salience`` is on **0-1** here (files use 0-100; the scenario layer divides).
* ``position`` is in the issue's own units, between ``scale_min`` and ``scale_max``.
* ``status_quo`` may hold ``nan`` where a scenario gives none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np

__all__ = ["ModelFunction", "ModelInput", "ModelSpec", "Trajectory"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class ModelInput:
    """Dense arrays of one scenario, ready for a model.

    Attributes
    ----------
    capability : (n,) float
    position : (n, m) float
    salience : (n, m) float in [0, 1]
    scale_min, scale_max : (m,) float
    status_quo : (m,) float, ``nan`` where unknown
    """

    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    scale_min: np.ndarray
    scale_max: np.ndarray
    status_quo: np.ndarray

    def __post_init__(self) -> None:
        for name in ("capability", "position", "salience", "scale_min", "scale_max", "status_quo"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        n, m = self.position.shape
        if self.capability.shape != (n,):
            raise ValueError(f"capability has shape {self.capability.shape}, expected ({n},)")
        if self.salience.shape != (n, m):
            raise ValueError(f"salience has shape {self.salience.shape}, expected ({n}, {m})")
        for name in ("scale_min", "scale_max", "status_quo"):
            if getattr(self, name).shape != (m,):
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected ({m},)")

    @property
    def n_actors(self) -> int:
        return int(self.position.shape[0])

    @property
    def n_issues(self) -> int:
        return int(self.position.shape[1])

    def reorder(self, order: Any) -> ModelInput:
        """The same input with the actors taken in ``order`` (an index array)."""
        idx = np.asarray(order)
        return ModelInput(
            capability=self.capability[idx],
            position=self.position[idx],
            salience=self.salience[idx],
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            status_quo=self.status_quo,
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


class ModelFunction(Protocol):
    def __call__(self, inputs: ModelInput, /, *, rounds: int, **params: Any) -> Trajectory: ...


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its name, function, defaults and a one-line summary."""

    name: str
    run: Callable[..., Trajectory]
    summary: str
    dynamic: bool
    default_rounds: int
    defaults: Mapping[str, Any] = field(default_factory=dict)
    complexity: str = ""
    reference: str = ""
