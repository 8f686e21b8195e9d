"""The registry: model names to their :class:`~realpolitik.models.base.ModelSpec`."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping

from ..errors import UnknownNameError
from .base import ModelSpec

__all__ = ["REGISTRY", "get", "in_all", "offering"]

#: Each registered model's name, in the order of the lists and of ``"all"``, and where its
#: spec is: the module (below ``realpolitik.models``) and the name in it. A module is
#: imported when one of its specs is first asked for, so that running one model imports
#: that model alone (the SMP's eight modules are a twentieth of a second of a start).
WHERE: dict[str, tuple[str, str]] = {
    "compromise": ("compromise", "SPEC"),
    "median": ("median", "SPEC"),
    "eum": ("eum", "SPEC"),
    "eum-pair": ("eum", "PAIR_SPEC"),
    "anchored-compromise": ("anchored", "SPEC"),
    "smp": ("smp", "SPEC"),
    "compromise-smp": ("compromise_smp", "SPEC"),
}


class _Registry(Mapping[str, ModelSpec]):
    """Model names to specs, each spec's module imported on first use (:data:`WHERE`)."""

    def __init__(self, where: Mapping[str, tuple[str, str]]) -> None:
        self._where = dict(where)
        self._specs: dict[str, ModelSpec] = {}

    def __getitem__(self, name: str) -> ModelSpec:
        spec = self._specs.get(name)
        if spec is None:
            module, attr = self._where[name]  # a KeyError for an unknown name
            spec = getattr(importlib.import_module(f"{__package__}.{module}"), attr)
            if not isinstance(spec, ModelSpec) or spec.name != name:
                raise TypeError(f"{module}.{attr} is not the spec of model {name!r}")
            self._specs[name] = spec
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __repr__(self) -> str:
        return f"REGISTRY({', '.join(self._where)})"


REGISTRY: Mapping[str, ModelSpec] = _Registry(WHERE)


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
