"""A game's tree with its numbers evaluated: what the solvers and the evaluation read.

:func:`build_tree` evaluates every probability and payoff of a :class:`~.objects.Game`
exactly (as fractions) at given parameter values and indexes the tree: children, parents,
information sets in order of first appearance, the players' payoffs at each end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import Problem, UnknownNameError
from .errors import GameError
from .expr import MAX_MAGNITUDE, ExprError, as_fraction, number_text
from .spec import CHANCE

if TYPE_CHECKING:
    from .objects import Game

__all__ = ["Behaviour", "Infoset", "Tree", "build_tree", "parameter_value"]

#: a behaviour profile: for each player information set, its actions' probabilities (in the
#: order of the actions), as fractions (exact) or floats (approximate)
Behaviour = Mapping[str, tuple[Any, ...]]


@dataclass(frozen=True)
class Infoset:
    """An information set: the nodes (in tree order) its player cannot tell apart, which all
    have the same actions."""

    id: str
    player: str
    members: tuple[str, ...]
    actions: tuple[str, ...]
    labels: tuple[str, ...]

    @property
    def is_chance(self) -> bool:
        return self.player == CHANCE


@dataclass(frozen=True)
class Tree:
    """A game evaluated at parameter ``values``. Node ids index everything; ``order`` is the
    nodes in preorder (a parent before its children, children in the order of their
    actions). ``payoffs[end]`` follows the order of ``players``."""

    game: Game
    values: Mapping[str, Fraction]
    players: tuple[str, ...]
    order: tuple[str, ...]
    children: Mapping[str, tuple[str, ...]]
    parent: Mapping[str, tuple[str, int] | None]
    infoset_of: Mapping[str, str]
    infosets: tuple[Infoset, ...]
    chance: Mapping[str, tuple[Fraction, ...]]
    payoffs: Mapping[str, tuple[Fraction, ...]]

    @property
    def root(self) -> str:
        return self.order[0]

    def infoset(self, infoset_id: str) -> Infoset:
        for i in self.infosets:
            if i.id == infoset_id:
                return i
        raise UnknownNameError(f"no information set {infoset_id!r}")

    @property
    def decisions(self) -> tuple[Infoset, ...]:
        """The players' information sets (not chance's), in order of first appearance."""
        return tuple(i for i in self.infosets if not i.is_chance)

    @property
    def perfect_information(self) -> bool:
        """Whether every player sees every move before its own: each information set is one
        node (chance moves are allowed)."""
        return all(len(i.members) == 1 for i in self.decisions)

    def is_terminal(self, node: str) -> bool:
        return not self.children[node]

    def history(self, node: str) -> list[tuple[str, int]]:
        """The ``(node, action index)`` moves from the root to ``node``."""
        out: list[tuple[str, int]] = []
        step = self.parent[node]
        while step is not None:
            out.append(step)
            step = self.parent[step[0]]
        out.reverse()
        return out

    def subtree(self, node: str) -> list[str]:
        """``node`` and every node below it, in preorder."""
        out, stack = [], [node]
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(self.children[n]))
        return out

    @property
    def payoff_range(self) -> Fraction:
        """The largest payoff minus the smallest, over every end and player (at least 1,
        so that it can scale a tolerance)."""
        all_ = [v for pay in self.payoffs.values() for v in pay]
        span = max(all_) - min(all_) if all_ else Fraction(0)
        return span if span > 0 else Fraction(1)


_BOUND = f"{MAX_MAGNITUDE:.0e}".replace("+", "")  # 1e15
#: The largest payoff an end may evaluate to (numbers written are at most 1e15, but an
#: expression multiplies them): the solvers work in floats, in which the payoffs' range,
#: sums and squares must not overflow (a payoff of 1e600 was an OverflowError, exit 1).
MAX_PAYOFF = 10**150


def parameter_value(raw: Any) -> Fraction:
    """A value given to a parameter, exactly: a finite number of magnitude at most
    :data:`~.expr.MAX_MAGNITUDE` (10^15, as a number written in a game), so that every
    payoff stays a float; an :class:`ExprError` says what was expected."""
    x = as_fraction(raw)
    if abs(x) > MAX_MAGNITUDE:
        shown = format(Decimal(x.numerator) / Decimal(x.denominator), ".3g")
        raise ExprError(f"expected a number from -{_BOUND} to {_BOUND}, got {shown}")
    return x


def resolve_values(game: Game, values: Mapping[str, Any] | None) -> dict[str, Fraction]:
    """The game's parameter values with ``values`` overriding some; a :class:`GameError`
    names an unknown parameter or a value that is not a finite number within
    :func:`parameter_value`'s bounds."""
    out = dict(game.values)
    for name, raw in (values or {}).items():
        if name not in out:
            known = ", ".join(out) or "none"
            raise GameError(
                message=f"no parameter {name!r} in game {game.id!r} (parameters: {known})"
            )
        try:
            out[name] = parameter_value(raw)
        except ExprError as exc:
            raise GameError(message=f"parameter {name!r}: {exc}") from None
    return out


def _shown(values: Mapping[str, Fraction], overridden: Mapping[str, Any] | None) -> str:
    if not overridden:
        return ""
    return " at " + ", ".join(f"{k} = {number_text(values[k])}" for k in overridden)


def build_tree(game: Game, values: Mapping[str, Any] | None = None) -> Tree:
    """Evaluate ``game`` at its parameter values overridden by ``values``. The game is
    assumed valid as a structure (it came through the reader); the numbers are checked
    here, since they depend on the values: probabilities within 0-1 summing to 1."""
    vals = resolve_values(game, values)
    where = _shown(vals, values)
    problems: list[Problem] = []
    index = {n.id: k for k, n in enumerate(game.nodes)}
    by_id = {n.id: n for n in game.nodes}

    def problem(field: str, message: str) -> None:
        problems.append(Problem(game.origin or game.id, field, message + where))

    order: list[str] = []
    children: dict[str, tuple[str, ...]] = {}
    parent: dict[str, tuple[str, int] | None] = {game.root: None}
    stack = [game.root]
    while stack:
        nid = stack.pop()
        order.append(nid)
        node = by_id[nid]
        kids = tuple(a.to for a in node.actions)
        children[nid] = kids
        for j, kid in enumerate(kids):
            parent[kid] = (nid, j)
        stack.extend(reversed(kids))

    chance: dict[str, tuple[Fraction, ...]] = {}
    payoffs: dict[str, tuple[Fraction, ...]] = {}
    infoset_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for nid in order:
        node = by_id[nid]
        k = index[nid]
        if node.is_terminal:
            row = []
            for p in game.player_ids:
                try:
                    pay = node.payoff(p).value.evaluate(vals)
                except ExprError as exc:
                    problem(f"nodes[{k}].payoffs.{p}", str(exc))
                    pay = Fraction(0)
                if abs(pay) > MAX_PAYOFF:
                    shown = format(Decimal(pay.numerator) / Decimal(pay.denominator), ".3g")
                    problem(
                        f"nodes[{k}].payoffs.{p}",
                        f"the payoff is {shown}; expected a number from -1e150 to 1e150",
                    )
                    pay = Fraction(0)
                row.append(pay)
            payoffs[nid] = tuple(row)
            continue
        iid = node.infoset or nid
        infoset_of[nid] = iid
        members.setdefault(iid, []).append(nid)
        if node.is_chance:
            probs = []
            for j, a in enumerate(node.actions):
                field = f"nodes[{k}].actions[{j}].probability"
                try:
                    x = a.probability.evaluate(vals) if a.probability is not None else None
                except ExprError as exc:
                    problem(field, str(exc))
                    x = None
                if x is None:
                    probs.append(Fraction(0))
                    continue
                if not 0 <= x <= 1:
                    problem(field, f"{number_text(x)} is not a probability; expected 0 to 1")
                probs.append(x)
            if sum(probs) != 1 and len(problems) == 0:
                total = number_text(sum(probs, Fraction(0)))
                problem(
                    f"nodes[{k}].actions",
                    f"the probabilities at chance node {nid!r} sum to {total}; expected 1",
                )
            chance[nid] = tuple(probs)
    if problems:
        raise GameError(problems)

    infosets = []
    for iid, mem in members.items():
        first = by_id[mem[0]]
        infosets.append(
            Infoset(
                id=iid,
                player=str(first.player),
                members=tuple(mem),
                actions=tuple(a.id for a in first.actions),
                labels=tuple(a.label for a in first.actions),
            )
        )
    return Tree(
        game=game,
        values=vals,
        players=game.player_ids,
        order=tuple(order),
        children=children,
        parent=parent,
        infoset_of=infoset_of,
        infosets=tuple(infosets),
        chance=chance,
        payoffs=payoffs,
    )
