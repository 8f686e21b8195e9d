"""A registered model with its rounds and parameters, checked: what a run records and what
every verb (forecast, simulate, sensitivity, levers, back-tests) runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, UnknownNameError, check_whole
from .base import ModelInput, Trajectory
from .registry import get, in_all

__all__ = ["MAX_ROUNDS", "ModelPlan", "model_names", "plan_model", "plan_models"]

#: The most rounds a dynamic model may be asked for.
MAX_ROUNDS = 10_000


def model_names(model: str | Sequence[str]) -> list[str]:
    names = [model] if isinstance(model, str) else list(model)
    if names == ["all"]:
        return in_all()
    if "all" in names:
        raise InputError("'all' stands alone; name models one by one, or give 'all'")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"model {', '.join(twice)} named twice; name each model once")
    for n in names:
        get(n)  # raises UnknownNameError naming the known models
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
        return get(self.name).joint and dict(self.params).get("issues") != "separate"

    @property
    def stochastic(self) -> bool:
        """Whether this plan's runs draw random numbers and no ``seed`` fixes them: the verbs
        that run many draws then give each draw a seed of its own (``ModelSpec.stochastic``)."""
        spec = get(self.name)
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
        if not get(self.name).joint:
            return self
        return ModelPlan(self.name, self.rounds, (*self.params, ("issues", "separate")))

    def run(self, inputs: ModelInput, *, details: bool = True) -> Trajectory:
        """The model on ``inputs``; ``details=False`` skips the per-round diagnostics."""
        spec = get(self.name)
        kw = dict(self.params)
        if spec.dynamic:
            kw["rounds"] = self.rounds
        return spec.run(inputs, details=details, **kw)


def plan_model(name: str, rounds: int | None = None, **params: Any) -> ModelPlan:
    """Check one model's name, rounds and parameters' names; an
    :class:`~realpolitik.errors.UnknownNameError` (an unknown model or parameter) or an
    :class:`~realpolitik.errors.InputError` (rounds) says what is wrong. (The values of the
    parameters are checked by the model when it runs, also with an ``InputError``.)"""
    spec = get(name)
    unknown = set(params) - set(spec.defaults)
    if unknown:
        raise UnknownNameError(
            f"model {name!r} has no parameter {', '.join(sorted(unknown))}; "
            f"its parameters are: {', '.join(spec.defaults) or 'none'}"
        )
    t = spec.default_rounds if rounds is None else check_whole(rounds, "rounds", high=MAX_ROUNDS)
    return ModelPlan(name, t if spec.dynamic else 0, tuple({**spec.defaults, **params}.items()))


def plan_models(
    model: str | Sequence[str],
    rounds: int | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[ModelPlan, ...]:
    """:func:`plan_model` for ``model`` (a name, a list, or ``"all"``); ``params`` maps a
    model name to its parameters and may name only models that run."""
    names = model_names(model)
    params = params or {}
    for key in params:
        if key not in names:
            raise UnknownNameError(
                f"parameters given for {key!r}, which is not among the models run "
                f"({', '.join(names)})"
            )
    return tuple(plan_model(n, rounds, **dict(params.get(n, {}))) for n in names)
