"""Models: pure functions from :class:`ModelInput` arrays to a :class:`Trajectory`.

Every model lives in a module of its own and registers a :class:`ModelSpec`;
:data:`REGISTRY` maps names to specs so that every front end lists the same set;
``"all"`` runs those whose spec has ``in_all`` (:func:`in_all`): the others (a candidate
that did not beat the compromise model where it was checked) run by name.
"""

from __future__ import annotations

from .base import ModelInput, ModelSpec, Trajectory
from .plan import MAX_ROUNDS, ModelPlan, plan_model, plan_models
from .registry import REGISTRY, get, in_all, offering

__all__ = [
    "MAX_ROUNDS",
    "REGISTRY",
    "ModelInput",
    "ModelPlan",
    "ModelSpec",
    "Trajectory",
    "get",
    "in_all",
    "offering",
    "plan_model",
    "plan_models",
]
