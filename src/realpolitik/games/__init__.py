"""Explicit strategic games: a declarative file format, solved through pygambit.

A game file (YAML) declares players, chance moves with probabilities, decision nodes with
labelled actions, information sets (the nodes a player cannot tell apart), and payoffs at
the ends, each with the reason for its number; probabilities and payoffs may be
expressions over named parameters, some of them read from a linked scenario. The reader
reports every problem at once, located by file, line and field.

::

    from realpolitik.games import load_game, solve_game, sweep

    game = load_game("karabakh-leverage-2022")      # a path, a built-in name, or None
    sol = solve_game(game, method="all")            # a frozen Solution (within limits)
    eq = sol.headline                               # the refined equilibrium
    eq.path, eq.payoffs, eq.winner, eq.subgame_perfect
    sw = sweep(game, "p_stretched", 0, 1, steps=21) # where the answer flips
    sw.flips

Solving needs pygambit (the ``games`` extra), which runs in a worker process with a time
limit and a memory cap (:mod:`.worker`), on methods chosen by the game's size
(:mod:`.size`); reading (YAML, and ``.efg`` by our own bounded parser, :mod:`.efgfile`),
validating, backward induction and the exact evaluation of profiles do not.
"""

from __future__ import annotations

from . import builtins
from .efg import parse_efg, read_efg, to_efg, write_efg
from .errors import INSTALL_HINT, GameError, SolveLimitError, SolverCrashError
from .objects import Action, Game, Node, Parameter, Payoff, Player
from .read import dump_yaml, load_game, parse_game, read_game
from .solve import (
    EXACT_TOLERANCE,
    LOGIT_TOLERANCE,
    METHODS,
    Equilibrium,
    Solution,
    solve_game,
)
from .spec import json_schema, json_schema_text
from .sweep import Flip, Sweep, SweepStep, sweep

__all__ = [
    "EXACT_TOLERANCE",
    "INSTALL_HINT",
    "LOGIT_TOLERANCE",
    "METHODS",
    "Action",
    "Equilibrium",
    "Flip",
    "Game",
    "GameError",
    "Node",
    "Parameter",
    "Payoff",
    "Player",
    "Solution",
    "SolveLimitError",
    "SolverCrashError",
    "Sweep",
    "SweepStep",
    "builtins",
    "dump_yaml",
    "json_schema",
    "json_schema_text",
    "load_game",
    "parse_efg",
    "parse_game",
    "read_efg",
    "read_game",
    "solve_game",
    "sweep",
    "to_efg",
    "write_efg",
]
