"""Models: pure functions from :class:`ModelInput` arrays to a :class:`Trajectory`.

Every model lives in a module of its own and registers a :class:`ModelSpec`;
:data:`REGISTRY` maps names to specs so that every front end lists the same set;
``"all"`` runs those whose spec has ``in_all`` (:func:`in_all`): the others (a candidate
that did not beat the compromise model where it was checked) run by name.
"""

from __future__ import annotations

from . import anchored, compromise, compromise_smp, eum, median, smp
from .base import ModelFunction, ModelInput, ModelSpec, Trajectory

REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        compromise.SPEC,
        median.SPEC,
        eum.SPEC,
        eum.PAIR_SPEC,
        anchored.SPEC,
        smp.SPEC,
        compromise_smp.SPEC,
    )
}


def in_all() -> list[str]:
    """The names ``"all"`` stands for: the registered models with ``in_all``, in order."""
    return [name for name, spec in REGISTRY.items() if spec.in_all]


def get(name: str) -> ModelSpec:
    """The registered model called ``name``; a ``KeyError`` names the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown model {name!r}; known models: {known}") from None


__all__ = ["REGISTRY", "ModelFunction", "ModelInput", "ModelSpec", "Trajectory", "get", "in_all"]
