"""Reading and writing game files (YAML), and loading a game by path or built-in name.

The YAML is read by the scenario reader's safe loader
(:mod:`realpolitik.scenario.yaml_io`: YAML 1.2 scalars, a size limit, no alias bombs, keys
given twice reported, the line of every field), then validated by
:func:`realpolitik.games.validate.build_game`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, ScenarioError
from ..scenario import yaml_io
from . import builtins
from .errors import GameError
from .objects import Game
from .validate import build_game

__all__ = ["dump_yaml", "load_game", "parse_game", "read_game"]


def _as_game_error(exc: ScenarioError) -> GameError:
    """The reader's problems, worded for a game file."""
    return GameError(
        [
            Problem(
                p.file, p.field, p.message.replace("expected a scenario", "expected a game"), p.line
            )
            for p in exc.problems
        ]
    )


def parse_game(text: str, name: str, *, base: Path | None = None) -> Game:
    """Parse and validate game YAML ``text``; ``name`` labels the problems, ``base`` is the
    folder a linked scenario's relative path starts from."""
    try:
        data, lines, problems = yaml_io.parse_document(text, name)
    except GameError:
        raise
    except ScenarioError as exc:
        raise _as_game_error(exc) from None
    return build_game(data, file=name, lines=lines, problems=problems, base=base)


def read_game(path: Path, *, label: str | None = None) -> Game:
    name = label or str(path)
    try:
        text = yaml_io.read_text(path, label=name)
    except ScenarioError as exc:
        raise _as_game_error(exc) from None
    return parse_game(text, name, base=path.parent)


def load_game(source: str | Path | Game | None = None) -> Game:
    """A validated game from a file path, a built-in name, or the default (``None``:
    ``karabakh-leverage-2022``); a :class:`~realpolitik.games.GameError` lists every
    problem. A ``.efg`` file is imported from Gambit's format
    (:func:`realpolitik.games.efg.read_efg`)."""
    if isinstance(source, Game):
        return source
    if source is None:
        source = builtins.DEFAULT
    text = str(source)
    p = Path(text).expanduser()
    if p.exists():
        if p.suffix.lower() == ".efg":
            from .efg import read_efg

            return read_efg(p)
        return read_game(p)
    if text in builtins.names():
        return read_game(builtins.path(text), label=f"builtin:{text}")
    known = ", ".join(builtins.names())
    raise GameError(
        [Problem(text, "", f"no such file, nor a built-in game; the built-ins are: {known}")]
    )


def dump_yaml(game: Game) -> str:
    """The game in the YAML format, readable back by :func:`parse_game`."""
    return yaml_io.dump_document(game.to_dict(), flow_style=False, blocks=True)
