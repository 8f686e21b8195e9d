"""Data files shipped inside a package: the built-in scenarios and games.

Each ``NAME.yaml`` in a package's folder is the built-in ``NAME``; these helpers give the
folder, list the names and find one, for :mod:`realpolitik.scenario.builtins` and
:mod:`realpolitik.games.builtins`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["packaged_folder", "packaged_names", "packaged_path"]


def packaged_folder(package: str) -> Path:
    """The folder of ``package``'s data files (the package's own folder)."""
    return Path(str(resources.files(package)))


def packaged_names(package: str, default: str) -> list[str]:
    """The names of the ``.yaml`` files of ``package``, ``default`` first, then by name."""
    found = sorted(p.stem for p in packaged_folder(package).glob("*.yaml"))
    return sorted(found, key=lambda n: (n != default, n))


def packaged_path(package: str, name: str) -> Path:
    """The file ``NAME.yaml`` of ``package``; ``KeyError`` if there is none."""
    p = packaged_folder(package) / f"{name}.yaml"
    if not p.is_file():
        raise KeyError(name)
    return p
