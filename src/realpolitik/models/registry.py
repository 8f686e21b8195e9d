"""The registry: model names to their :class:`~realpolitik.models.base.ModelSpec`."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import UnknownNameError
from . import anchored, compromise, compromise_smp, eum, median, smp
from .base import ModelSpec

__all__ = ["REGISTRY", "get", "in_all", "offering"]

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
    """The registered model called ``name``; an :class:`~realpolitik.errors.UnknownNameError`
    (a ``KeyError``) names the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise UnknownNameError(f"unknown model {name!r}; known models: {known}") from None


def offering(names: Iterable[str], what: str) -> str | None:
    """The first of ``names`` whose model offers ``what``: ``"gradient"`` or
    ``"perceptions"`` (declared on its spec), or ``"trajectory"`` (a dynamic model's rounds);
    ``None`` if none does. Front ends ask this instead of knowing models by name."""
    for name in names:
        spec = get(name)
        if (what == "trajectory" and spec.dynamic) or (
            what != "trajectory" and getattr(spec, what) is not None
        ):
            return name
    return None
