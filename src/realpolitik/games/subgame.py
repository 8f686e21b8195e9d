"""Subgame perfection of a profile: a Nash equilibrium in every subgame.

A *subgame* starts at a node that its mover knows it is at (its information set is that
node alone, or it is a chance move) and contains every node below it, cutting no
information set: each set is wholly inside or wholly outside (Selten, 1965, 1975). A profile
is subgame perfect when, restricted to each subgame, no player can gain by changing its
own behaviour there: its regret (computed exactly by :mod:`realpolitik.games.evaluate`,
with the subgame's root as the root) is 0, or below the tolerance for an approximate
profile. A game without proper subgames has only itself: every Nash equilibrium is then
subgame perfect (the refinement that bites there is sequential equilibrium, which the
logit limit gives).

We evaluate each subgame ourselves rather than building it as a separate pygambit game:
the evaluation is exact for exact profiles and reads the same tree the solvers were given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .evaluate import max_regret
from .tree import Behaviour, Tree

__all__ = ["SubgameCheck", "check_subgame_perfect", "subgame_roots"]


def subgame_roots(tree: Tree) -> tuple[str, ...]:
    """The roots of the subgames, the game's own root first, then in tree order."""
    pos = {n: k for k, n in enumerate(tree.order)}
    size: dict[str, int] = {}
    for n in reversed(tree.order):
        size[n] = 1 + sum(size[c] for c in tree.children[n])
    lo: dict[str, int] = {}
    hi: dict[str, int] = {}
    for iset in tree.infosets:
        where = [pos[m] for m in iset.members]
        lo[iset.id], hi[iset.id] = min(where), max(where)
    out = []
    for n in tree.order:
        if tree.is_terminal(n):
            continue
        iset = tree.infoset(tree.infoset_of[n])
        if len(iset.members) != 1:
            continue
        a, b = pos[n], pos[n] + size[n]
        inside = True
        for m in tree.order[a:b]:
            if tree.is_terminal(m):
                continue
            i = tree.infoset_of[m]
            if lo[i] < a or hi[i] >= b:
                inside = False
                break
        if inside:
            out.append(n)
    if tree.root not in out:  # the whole game is always a subgame
        out.insert(0, tree.root)
    return tuple(out)


@dataclass(frozen=True)
class SubgameCheck:
    """The verdict on one profile: ``perfect`` when the largest regret in any subgame,
    ``worst``, is within ``tolerance``; ``at`` is the root of the subgame where it is
    largest."""

    perfect: bool
    worst: Any
    at: str
    subgames: int
    tolerance: Any


def check_subgame_perfect(tree: Tree, profile: Behaviour, tolerance: Any = 0) -> SubgameCheck:
    """Whether ``profile`` (every information set given) is a Nash equilibrium of every
    subgame of ``tree``, within ``tolerance`` (an absolute regret)."""
    roots = subgame_roots(tree)
    worst: Any = None
    at = tree.root
    for r in roots:
        reg = max_regret(tree, profile, r)
        if worst is None or reg > worst:
            worst, at = reg, r
    assert worst is not None
    return SubgameCheck(worst <= tolerance, worst, at, len(roots), tolerance)
