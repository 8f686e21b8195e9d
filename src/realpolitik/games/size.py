"""How big a game is for each solver, measured on the tree before any solver runs.

The solvers work on different forms of the same game, whose sizes differ by orders of
magnitude: a game tree of a few hundred nodes can have a strategic form of 10^40 profiles.
:func:`measure` counts, in one pass over the tree (exact integers, however large):

* the **reduced strategic form** (what ``enumpure`` and ``enummixed`` enumerate): each
  player's reduced pure strategies, a choice at every information set that the player's
  own earlier choices do not exclude (with perfect recall, the count for the sets that
  follow one of the player's sequences is the product over those sets of the sum over
  their actions of the count below each action; Gambit builds the same reduced form), and
  the number of pure profiles, their product;
* the **sequence form** (what ``lcp`` works on; Koller, Megiddo & von Stengel, 1996): each
  player's sequences, one plus the number of its actions at all its sets;
* the **agent form** (what ``logit`` traces): the number of the players' actions;
* the tree: nodes, ends, the deepest end.

:func:`estimate` turns these into a work estimate for each method and says whether it is
within the budget of a default run (:data:`BUDGETS`); :func:`choose` picks the methods of
``all`` and ``refined`` by it. The budgets are set from measured runs of pygambit 16.7 on
Gambit's own example games and on generated chains (see
``docs/how-to/games.md``): within budget, a method finished in seconds; well beyond it, it
ran for minutes or exhausted memory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .tree import Tree

__all__ = ["BUDGETS", "HOPELESS", "GameSize", "MethodEstimate", "estimate", "measure"]

#: the work units a method may take in a default run (``all``, ``refined``): see
#: :meth:`GameSize.work` for the units of each method
BUDGETS: Mapping[str, int] = {
    "enumpure": 200_000,
    "enummixed": 100,
    "lcp": 400,
    "logit": 400,
}
#: beyond this multiple of its budget, a method asked for by name is refused at once: it
#: could not finish within any time limit worth waiting for
HOPELESS = 10**6


@dataclass(frozen=True)
class GameSize:
    """The sizes of a game's forms (see the module docstring); ``strategies`` and
    ``sequences`` are per player, in the order of the game's players."""

    nodes: int
    ends: int
    depth: int
    infosets: int
    actions: int
    strategies: tuple[int, ...]
    sequences: tuple[int, ...]

    @property
    def profiles(self) -> int:
        """The pure strategy profiles of the reduced strategic form."""
        return math.prod(self.strategies)

    def work(self, method: str) -> int:
        """The work estimate of ``method`` in its own units:

        * ``enumpure``: payoff evaluations, every profile against every unilateral
          deviation (profiles x the sum of the players' strategies);
        * ``enummixed``: the cells of the two-player strategic form (m x n);
        * ``lcp``: the sequences of both players (the side of the sequence-form LCP);
        * ``logit``: the players' actions (the dimension of the traced path);
        * ``backward``: the nodes (a pass over the tree).
        """
        if method == "enumpure":
            return self.profiles * max(1, sum(self.strategies))
        if method == "enummixed":
            return self.profiles
        if method == "lcp":
            return sum(self.sequences)
        if method == "logit":
            return self.actions
        return self.nodes

    def describe(self) -> str:
        """The sizes in a line."""
        strategies = " x ".join(_big(n) for n in self.strategies)
        return (
            f"{self.nodes:,} nodes, depth {self.depth:,}; reduced strategic form "
            f"{strategies} = {_big(self.profiles)} profiles; sequence form "
            f"{' + '.join(f'{n:,}' for n in self.sequences)} sequences; "
            f"{self.actions:,} actions"
        )


@dataclass(frozen=True)
class MethodEstimate:
    """One method's work estimate against its budget."""

    method: str
    work: int
    budget: int | None

    @property
    def within(self) -> bool:
        return self.budget is None or self.work <= self.budget

    @property
    def hopeless(self) -> bool:
        return self.budget is not None and self.work > self.budget * HOPELESS

    def describe(self) -> str:
        """The estimate and its budget in words ("6,144 strategic-form cells (budget 600)")."""
        units = {
            "enumpure": "payoff evaluations",
            "enummixed": "strategic-form cells",
            "lcp": "sequences",
            "logit": "actions",
            "backward": "nodes",
        }[self.method]
        if self.budget is None:
            return f"{_big(self.work)} {units}"
        return f"{_big(self.work)} {units} (budget {self.budget:,})"


def _big(n: int) -> str:
    """A count in words a reader can take in: 1,234 or 1.2e+40."""
    return f"{n:,}" if n < 10**9 else f"{float(n):.2g}" if n < 10**300 else "more than 1e300"


def measure(tree: Tree) -> GameSize:
    """The sizes of ``tree``'s forms, in one pass over it (no solver runs)."""
    players = tree.players
    player_of = {i.id: i.player for i in tree.decisions}
    # each player set's parent sequence: the player's own last (set, action) before it
    parent_seq: dict[str, tuple[str, int] | None] = {}
    depth_of = {tree.root: 0}
    last_own: dict[str, dict[str, tuple[str, int]]] = {tree.root: {}}
    deepest = 0
    for node in tree.order:
        d = depth_of.pop(node)
        deepest = max(deepest, d)
        own = last_own.pop(node)
        iid = tree.infoset_of.get(node)
        mover = player_of.get(iid) if iid is not None else None
        if mover is not None and iid is not None:
            parent_seq.setdefault(iid, own.get(mover))
        for j, kid in enumerate(tree.children[node]):
            depth_of[kid] = d + 1
            if mover is not None and iid is not None:
                last_own[kid] = {**own, mover: (iid, j)}
            else:
                last_own[kid] = own
    # bottom-up: N(sequence) = product over the sets after it of the sum over their actions
    decisions = tree.decisions
    below: dict[tuple[str, int] | None, list[str]] = {}
    for iset in decisions:
        below.setdefault(parent_seq.get(iset.id), []).append(iset.id)
    actions_of = {i.id: len(i.actions) for i in decisions}
    count: dict[tuple[str, int], int] = {}
    for iset in reversed(decisions):
        for j in range(actions_of[iset.id]):
            seq = (iset.id, j)
            count[seq] = math.prod(
                sum(count[(h, a)] for a in range(actions_of[h])) for h in below.get(seq, [])
            )
    strategies = []
    sequences = []
    for p in players:
        roots = [h for h in below.get(None, []) if player_of[h] == p]
        strategies.append(
            math.prod(sum(count[(h, a)] for a in range(actions_of[h])) for h in roots)
        )
        sequences.append(1 + sum(actions_of[i.id] for i in decisions if i.player == p))
    return GameSize(
        nodes=len(tree.order),
        ends=sum(1 for n in tree.order if not tree.children[n]),
        depth=deepest,
        infosets=len(decisions),
        actions=sum(actions_of.values()),
        strategies=tuple(strategies),
        sequences=tuple(sequences),
    )


def estimate(size: GameSize, method: str) -> MethodEstimate:
    """``method``'s work on a game of ``size``, against its default budget."""
    return MethodEstimate(method, size.work(method), BUDGETS.get(method))
