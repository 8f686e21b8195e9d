"""Backward induction: the subgame-perfect equilibrium of a game of perfect information.

In a game where every player sees every earlier move (each information set is one node;
chance moves are allowed), Zermelo's and Kuhn's backward induction finds a subgame-perfect
equilibrium in pure strategies: at each decision node, deepest first, the mover takes the
action whose continuation gives it the largest expected payoff, the continuations below
being already decided; at a chance node the values are averaged with its probabilities
(Kuhn, 1953; Selten, 1965). Arithmetic is exact (fractions).

**Ties.** Where two or more actions give the mover the same value, each choice starts a
different subgame-perfect equilibrium. We take the first action listed in the file and
record the node in :attr:`BackwardInduction.ties`, so that the result says it is one of
several; the solver does not enumerate the others (the pure Nash equilibria, which
``method="all"`` lists, include them, each labelled subgame perfect or not).

Complexity: one pass over the tree, O(nodes x players).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .errors import GameError
from .tree import Tree

__all__ = ["BackwardInduction", "backward_induction"]


@dataclass(frozen=True)
class BackwardInduction:
    """The profile (every set: one action with probability 1), each node's value for every
    player, and the nodes where the mover was indifferent between its best actions."""

    profile: dict[str, tuple[Fraction, ...]]
    values: dict[str, tuple[Fraction, ...]]
    ties: tuple[str, ...]


def backward_induction(tree: Tree) -> BackwardInduction:
    """Solve ``tree`` by backward induction; a :class:`GameError` if it has an information
    set of more than one node (imperfect information: use the logit solver)."""
    if not tree.perfect_information:
        joined = [i.id for i in tree.decisions if len(i.members) > 1]
        raise GameError(
            message=f"backward induction needs perfect information, but in game "
            f"{tree.game.id!r} the information set{'s' if len(joined) > 1 else ''} "
            f"{', '.join(joined)} join{'' if len(joined) > 1 else 's'} several nodes; "
            "use method 'logit' (the limit of the logit QRE, a sequential equilibrium)"
        )
    n = len(tree.players)
    values: dict[str, tuple[Fraction, ...]] = {}
    profile: dict[str, tuple[Fraction, ...]] = {}
    ties: list[str] = []
    for node in reversed(tree.order):
        kids = tree.children[node]
        if not kids:
            values[node] = tree.payoffs[node]
            continue
        if node in tree.chance:
            probs = tree.chance[node]
            values[node] = tuple(
                sum((p * values[k][i] for p, k in zip(probs, kids, strict=True)), Fraction(0))
                for i in range(n)
            )
            continue
        iset = tree.infoset(tree.infoset_of[node])
        mover = tree.players.index(iset.player)
        scores = [values[k][mover] for k in kids]
        best = max(scores)
        j = scores.index(best)
        if scores.count(best) > 1:
            ties.append(node)
        profile[iset.id] = tuple(Fraction(int(k == j)) for k in range(len(kids)))
        values[node] = values[kids[j]]
    ties.reverse()
    return BackwardInduction(profile, values, tuple(ties))
