"""The built-in scenarios, shipped as data files beside this module.

Each ``NAME.yaml`` here is the scenario whose ``id`` is ``NAME``. The default,
run by ``realpolitik forecast`` with no argument, is :data:`DEFAULT`.
"""

from __future__ import annotations

from pathlib import Path

from ..._packaged import packaged_folder, packaged_names, packaged_path

__all__ = ["DEFAULT", "names", "path"]

DEFAULT = "caucasus-2022"


def _folder() -> Path:
    """This package's folder, where the files are (also holds ``ec-car-emissions-1994.csv``)."""
    return packaged_folder(__name__)


def names() -> list[str]:
    """The built-in scenario names, default first."""
    return packaged_names(__name__, DEFAULT)


def path(name: str) -> Path:
    """The file of built-in ``name``; ``KeyError`` if there is none."""
    return packaged_path(__name__, name)
