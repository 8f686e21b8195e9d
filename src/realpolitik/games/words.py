"""An equilibrium in words: the path of play, what happens off it, and who gains.

The sentences are built from the file's own words: players' names, and the ``label`` of
each action, which the format asks to be a verb phrase for a player's move ("recognises
the NKR") and a clause for a chance move ("Russia is overstretched"). So a path reads::

    Chance: Russia is overstretched (50%) or Russia has forces to spare (50%).
    Azerbaijan, not knowing whether Russia is overstretched or Russia has forces to spare,
    hedges.

A move is named in the condition of a later sentence ("If Russia is overstretched, ...")
when it is where the path branches (a chance move, or a mixed choice) or when it leaves
the path (off the path, every move since the path was left is named). Probabilities below
:data:`NEGLIGIBLE` (the logit solver's limit leaves such traces) count as 0 in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .tree import Tree

__all__ = ["NEGLIGIBLE", "Words", "describe", "percent"]

#: probabilities below this are not worth a word
NEGLIGIBLE = 1e-6


def percent(p: Any) -> str:
    """A probability as a short percentage: 50%, 84.3%, 0.12%."""
    x = 100 * float(p)
    if abs(x - round(x)) < 1e-9:
        return f"{round(x)}%"
    text = f"{x:.3g}" if x >= 1 else f"{x:.2g}"
    return f"{text}%"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Words:
    """The sentences for one profile of one tree."""

    def __init__(self, tree: Tree, profile: Mapping[str, Sequence[Any]], reach: Mapping[str, Any]):
        self.tree, self.profile, self.reach = tree, profile, reach
        self.game = tree.game

    # ------------------------------------------------------------ pieces
    def prob(self, node: str, j: int) -> Any:
        if node in self.tree.chance:
            return self.tree.chance[node][j]
        return self.profile[self.tree.infoset_of[node]][j]

    def on_path(self, node: str) -> bool:
        return float(self.reach.get(node, 0)) > NEGLIGIBLE

    def branching(self, node: str) -> bool:
        """Whether the path branches here: two or more of its moves are played."""
        n = len(self.tree.children[node])
        return sum(float(self.prob(node, j)) > NEGLIGIBLE for j in range(n)) > 1

    def phrase(self, node: str, j: int) -> str:
        iset = self.tree.infoset(self.tree.infoset_of[node])
        label = iset.labels[j]
        if iset.is_chance:
            return label
        return f"{self.game.player_name(iset.player)} {label}"

    def told(self, node: str) -> list[tuple[str, int]]:
        """The moves before ``node`` worth naming in its condition."""
        out = []
        for at, j in self.tree.history(node):
            kid = self.tree.children[at][j]
            if (self.on_path(at) and self.branching(at)) or not self.on_path(kid):
                out.append((at, j))
        return out

    def choice(self, iset_id: str) -> str:
        iset = self.tree.infoset(iset_id)
        probs = self.profile[iset_id]
        played = [(iset.labels[j], p) for j, p in enumerate(probs) if float(p) > NEGLIGIBLE]
        if len(played) == 1:
            return played[0][0]
        return " or ".join(f"{label} ({percent(p)})" for label, p in played)

    def condition(self, members: Sequence[str]) -> tuple[str, str]:
        """``(if-clause, not-knowing clause)`` for a set reached at ``members``."""
        histories = [self.told(m) for m in members]
        common: list[tuple[str, int]] = []
        for step in zip(*histories, strict=False):
            if all(s == step[0] for s in step):
                common.append(step[0])
            else:
                break
        cond = " and ".join(self.phrase(a, j) for a, j in common)
        unknown = ""
        if len(members) > 1:
            alternatives = []
            for h in histories:
                rest = h[len(common) :]
                text = " and ".join(self.phrase(a, j) for a, j in rest) or "not"
                if text not in alternatives:
                    alternatives.append(text)
            if len(alternatives) > 1:
                unknown = "not knowing whether " + " or ".join(alternatives)
        return cond, unknown

    def sentence(self, iset_id: str, members: Sequence[str], *, would: bool = False) -> str:
        iset = self.tree.infoset(iset_id)
        if iset.is_chance:
            node = members[0]
            moves = [
                f"{iset.labels[j]} ({percent(p)})"
                for j, p in enumerate(self.tree.chance[node])
                if float(p) > 0
            ]
            cond, _ = self.condition(members)
            head = f"if {cond}, chance decides: " if cond else "Chance: "
            return _cap(head + " or ".join(moves))
        cond, unknown = self.condition(members)
        who = self.game.player_name(iset.player)
        subject = f"{who}, {unknown}," if unknown else who
        text = f"{subject} {self.choice(iset_id)}"
        return _cap(f"if {cond}, {text}" if cond else text)

    # ------------------------------------------------------------ sentences
    def path(self) -> tuple[str, ...]:
        """The path of play, one sentence per information set reached, in tree order."""
        out = []
        for iset in self.tree.infosets:
            members = [m for m in iset.members if self.on_path(m)]
            if members:
                out.append(self.sentence(iset.id, members))
        return tuple(out)

    def off_path(self) -> tuple[str, ...]:
        """What each player would do at the sets the path does not reach."""
        out = []
        for iset in self.tree.infosets:
            if iset.is_chance or any(self.on_path(m) for m in iset.members):
                continue
            out.append(self.sentence(iset.id, list(iset.members)))
        return tuple(out)

    def ends(self) -> tuple[tuple[str, Any], ...]:
        """The ends reached, with their probability, most likely first."""
        ends = [(n, self.reach.get(n, 0)) for n in self.tree.order if self.tree.is_terminal(n)]
        return tuple(
            sorted(((n, p) for n, p in ends if float(p) > NEGLIGIBLE), key=lambda e: -float(e[1]))
        )


def describe(
    tree: Tree, profile: Mapping[str, Sequence[Any]], reach: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(path, off_path)``: the sentences of the path of play and of what would happen
    off it."""
    w = Words(tree, profile, reach)
    return w.path(), w.off_path()
