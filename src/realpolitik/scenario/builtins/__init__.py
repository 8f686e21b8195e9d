"""The built-in scenarios, shipped as data files beside this module.

Each ``NAME.yaml`` here is the scenario whose ``id`` is ``NAME``. The default,
run by ``realpolitik forecast`` with no argument, is :data:`DEFAULT`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DEFAULT", "names", "path"]

DEFAULT = "caucasus-2022"


def _folder() -> Path:
    return Path(str(resources.files(__name__)))


def names() -> list[str]:
    """The built-in scenario names, default first."""
    found = sorted(p.stem for p in _folder().glob("*.yaml"))
    return sorted(found, key=lambda n: (n != DEFAULT, n))


def path(name: str) -> Path:
    """The file of built-in ``name``; ``KeyError`` if there is none."""
    p = _folder() / f"{name}.yaml"
    if not p.is_file():
        raise KeyError(name)
    return p
