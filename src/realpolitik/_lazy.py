"""Public names of a package imported on first use, so that ``import realpolitik`` is light.

``import realpolitik`` used to import every analysis (the back-test among them), the
scenario readers (YAML, pydantic) and the models: 0.3-0.6 s before a first forecast, the
whole of a small run. A package that calls :func:`attach` keeps its public names (``from
realpolitik import simulate``, ``realpolitik.analysis.Backtest``) but imports the module
that defines one only when the name is first used (PEP 562); ``tests/test_imports.py``
holds ``import realpolitik`` to importing none of the heavy libraries.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping
from typing import Any

__all__ = ["LazyPackage", "attach"]


class LazyPackage(types.ModuleType):
    """A package whose public names come from its modules on first use.

    A module of the package named like one of its public names (``analysis.backtest``,
    which defines the function ``backtest``) does not replace the name when it is
    imported: the package's attribute is the name the module defines, as it was when the
    package imported its names eagerly."""

    _lazy_names: dict[str, str]

    def __getattr__(self, name: str) -> Any:
        where = self.__dict__.get("_lazy_names", {}).get(name)
        if where is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        module, _, attr = where.partition(":")
        value = getattr(importlib.import_module(module, self.__name__), attr or name)
        types.ModuleType.__setattr__(self, name, value)  # next time, a plain attribute
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        where = self.__dict__.get("_lazy_names", {}).get(name)
        if (
            where is not None
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            value = getattr(value, where.partition(":")[2] or name)  # the import system
        types.ModuleType.__setattr__(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self.__dict__.get("_lazy_names", {})))


def attach(package: str, names: Mapping[str, str]) -> None:
    """Make ``package`` (its ``__name__``, from its ``__init__``) import each of ``names``
    from its module when first used: ``names`` maps a public name to the module that
    defines it, relative to the package (``".backtest"``), or to ``"module:attribute"``
    where the name differs (``".models:REGISTRY"``)."""
    module = sys.modules[package]
    module.__dict__["_lazy_names"] = dict(names)
    module.__class__ = LazyPackage
