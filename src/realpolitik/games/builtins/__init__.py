"""The built-in games, shipped as data files beside this module.

Each ``NAME.yaml`` here is the game whose ``id`` is ``NAME``. The default, solved by
``realpolitik game solve`` with no argument, is :data:`DEFAULT`.
"""

from __future__ import annotations

from pathlib import Path

from ..._packaged import packaged_names, packaged_path

__all__ = ["DEFAULT", "linked", "names", "path"]

DEFAULT = "karabakh-leverage-2022"


def names() -> list[str]:
    """The built-in game names, default first."""
    return packaged_names(__name__, DEFAULT)


def path(name: str) -> Path:
    """The file of built-in ``name``; ``KeyError`` if there is none."""
    return packaged_path(__name__, name)


def linked(scenario_id: str) -> list[str]:
    """The built-in games linked to the scenario ``scenario_id`` (their ``scenario``
    field), e.g. for a report's section on the game behind a scenario."""
    from ..read import load_game

    return [name for name in names() if load_game(name).scenario == scenario_id]
