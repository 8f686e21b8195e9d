"""The domain objects of a game: frozen values that the solvers read.

Build them through the reader (:func:`realpolitik.games.load_game`), which checks the file
and reports every problem at once; the constructors here trust their arguments.

A :class:`Game` keeps its numbers as :class:`~realpolitik.games.expr.Expr` (a number or an
expression over the parameters); :meth:`Game.tree` evaluates them, exactly, at the
parameters' values (or at values given for a sweep) into a :class:`~realpolitik.games.tree.Tree`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import find_named
from ..scenario.objects import Source, SourceEntry, set_fields
from .expr import Expr, number_text
from .spec import CHANCE

if TYPE_CHECKING:
    from .tree import Tree

__all__ = ["CHANCE", "Action", "Game", "Node", "Parameter", "Payoff", "Player"]


def _plain_number(x: Expr) -> Any:
    """An expression as the file writes it: a number where it is one, else its text."""
    if x.is_constant:
        v = x.evaluate()
        if v.denominator == 1:
            return int(v)
        text = number_text(v)
        return float(text) if "/" not in text else text
    return x.text


@dataclass(frozen=True)
class Player:
    id: str
    name: str
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, **set_fields(description=self.description)}


@dataclass(frozen=True)
class Parameter:
    """A named number of the game. ``link`` (``ACTOR.ISSUE.salience`` and the like) says it
    was read from the linked scenario; ``value`` is then the scenario's number."""

    id: str
    value: Fraction
    description: str | None = None
    source: Source | None = None
    low: Fraction | None = None
    high: Fraction | None = None
    link: str | None = None

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Fraction | None) -> Any:
            return None if v is None else _plain_number(Expr.constant(v))

        value = {"from": self.link} if self.link is not None else {"value": plain(self.value)}
        return {
            "id": self.id,
            **value,
            **set_fields(
                low=plain(self.low),
                high=plain(self.high),
                description=self.description,
                source=self.source,
            ),
        }


@dataclass(frozen=True)
class Action:
    """A move out of a node. ``probability`` is set at chance nodes only."""

    id: str
    label: str
    to: str
    probability: Expr | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id}
        if self.label != self.id:
            d["label"] = self.label
        d["to"] = self.to
        if self.probability is not None:
            d["probability"] = _plain_number(self.probability)
        return d


@dataclass(frozen=True)
class Payoff:
    """One player's payoff at an end, with why it is this number."""

    player: str
    value: Expr
    reason: str | None = None
    source: Source | None = None

    def to_dict(self) -> Any:
        if self.reason is None and self.source is None:
            return _plain_number(self.value)
        return {
            "value": _plain_number(self.value),
            **set_fields(reason=self.reason, source=self.source),
        }


@dataclass(frozen=True)
class Node:
    """A decision node (``player`` a player's id), a chance node (``player == "chance"``) or
    an end (``player is None``, with ``payoffs``). ``infoset`` is the id of the information
    set the node belongs to (its own id when it is alone in it)."""

    id: str
    player: str | None
    infoset: str | None = None
    text: str | None = None
    actions: tuple[Action, ...] = ()
    payoffs: tuple[Payoff, ...] = ()
    reason: str | None = None
    source: Source | None = None
    #: whether the file gave ``infoset`` explicitly (kept to write the file back)
    explicit_infoset: bool = field(default=False, compare=False)

    @property
    def is_terminal(self) -> bool:
        return self.player is None

    @property
    def is_chance(self) -> bool:
        return self.player == CHANCE

    def payoff(self, player: str) -> Payoff:
        missing = f"no payoff for {player!r} at {self.id!r}"
        return find_named(self.payoffs, lambda p: p.player, player, missing)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            **set_fields(
                player=self.player,
                infoset=self.infoset if self.explicit_infoset else None,
                text=self.text,
            ),
        }
        if self.actions:
            d["actions"] = [a.to_dict() for a in self.actions]
        if self.payoffs:
            d["payoffs"] = {p.player: p.to_dict() for p in self.payoffs}
        return {**d, **set_fields(reason=self.reason, source=self.source)}


@dataclass(frozen=True)
class Game:
    """An extensive-form game: players, parameters, and a tree of nodes from ``root``.

    ``scenario`` names the linked scenario, if any (parameters with a ``link`` read their
    value from it). ``origin`` says where the game was read from (a path or
    ``builtin:NAME``); like a scenario's, it is not part of the content nor of
    :meth:`content_hash`.
    """

    id: str
    name: str
    players: tuple[Player, ...]
    nodes: tuple[Node, ...]
    root: str
    parameters: tuple[Parameter, ...] = ()
    sources: tuple[SourceEntry, ...] = ()
    date: _dt.date | None = None
    description: str = ""
    scenario: str | None = None
    payoff_scale: str | None = None
    notes: tuple[str, ...] = ()
    origin: str = field(default="", compare=False)

    # ----------------------------------------------------------------- access
    @property
    def player_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.players)

    def player(self, player_id: str) -> Player:
        missing = f"no player {player_id!r} in game {self.id!r}"
        return find_named(self.players, lambda p: p.id, player_id, missing)

    def player_name(self, player_id: str) -> str:
        return "Chance" if player_id == CHANCE else self.player(player_id).name

    def node(self, node_id: str) -> Node:
        missing = f"no node {node_id!r} in game {self.id!r}"
        return find_named(self.nodes, lambda n: n.id, node_id, missing)

    def parameter(self, name: str) -> Parameter:
        known = ", ".join(p.id for p in self.parameters) or "none"
        missing = f"no parameter {name!r} in game {self.id!r} (parameters: {known})"
        return find_named(self.parameters, lambda p: p.id, name, missing)

    @property
    def values(self) -> dict[str, Fraction]:
        """Each parameter's value, as the file gives it."""
        return {p.id: p.value for p in self.parameters}

    def unreasoned_payoffs(self) -> list[tuple[str, str]]:
        """The ``(node, player)`` payoffs given without a reason or source (neither their
        own nor their end's)."""
        out: list[tuple[str, str]] = []
        for n in self.nodes:
            if n.reason is not None or n.source is not None:
                continue
            out.extend((n.id, p.player) for p in n.payoffs if p.reason is None and not p.source)
        return out

    def tree(self, values: Mapping[str, Any] | None = None) -> Tree:
        """The tree with every number evaluated at the parameters' values, with
        ``values`` (parameter -> number) overriding some of them; a
        :class:`~realpolitik.games.errors.GameError` if a probability is then out of range
        or the probabilities of a chance node do not sum to 1."""
        from .tree import build_tree

        return build_tree(self, values)

    # ------------------------------------------------------------ conversions
    def to_dict(self) -> dict[str, Any]:
        """The game as plain data, in the shape of the YAML file format."""
        d: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.date is not None:
            d["date"] = self.date.isoformat()
        d["description"] = self.description
        if self.scenario is not None:
            d["scenario"] = self.scenario
        if self.payoff_scale is not None:
            d["payoff_scale"] = self.payoff_scale
        if self.notes:
            d["notes"] = list(self.notes)
        if self.sources:
            d["sources"] = [s.to_dict() for s in self.sources]
        d["players"] = [p.to_dict() for p in self.players]
        if self.parameters:
            d["parameters"] = [p.to_dict() for p in self.parameters]
        d["root"] = self.root
        d["nodes"] = [n.to_dict() for n in self.nodes]
        return d

    def content_hash(self) -> str:
        """``sha256:`` of the canonical JSON of :meth:`to_dict` (as for a scenario: the
        layout of the file does not change it, a number does)."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_yaml(self) -> str:
        """The game in the YAML format, readable back by :func:`~realpolitik.games.load_game`."""
        from .read import dump_yaml

        return dump_yaml(self)

    @classmethod
    def from_yaml(cls, path: str | Path) -> Game:
        from .read import read_game

        return read_game(Path(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "<dict>") -> Game:
        """Validate plain data of the YAML form (e.g. from JSON) into a game."""
        from .validate import build_game

        return build_game(data, file=origin, lines={})
