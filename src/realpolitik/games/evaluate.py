"""What a behaviour profile gives: reach probabilities, expected payoffs, beliefs, regret.

Our own exact evaluation, so that every number reported about an equilibrium is computed
the same way whichever solver found it, in exact arithmetic when the profile is exact
(fractions) and in floating point when it is not (the logit solver's).

**Regret** of player *i* at a profile σ, in the (sub)game rooted at *r*: the best payoff *i*
could get by changing its own behaviour, the others' fixed, minus what σ gives it. With
perfect recall (the reader enforces it) a best response is found by backward induction over
*i*'s own information sets (e.g. von Stengel, 1996, "Efficient computation of behavior
strategies", *Games and Economic Behavior* 14): weight each end by the probability that
chance and the others lead to it (ρ₋ᵢ), collect under each of *i*'s last moves (set, action)
the weighted payoffs of the ends it leads to before *i* moves again, and take at each set,
deepest first, the action of largest collected value plus the best values of the sets that
follow it. σ is a Nash equilibrium of that (sub)game exactly when every regret is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .tree import Behaviour, Tree

__all__ = ["beliefs", "expected_payoffs", "max_regret", "reach", "regrets"]


def _move_prob(tree: Tree, profile: Behaviour, node: str, j: int) -> Any:
    if node in tree.chance:
        return tree.chance[node][j]
    return profile[tree.infoset_of[node]][j]


def reach(tree: Tree, profile: Behaviour, root: str | None = None) -> dict[str, Any]:
    """The probability of reaching each node of the (sub)tree from ``root`` (default: the
    game's root) when everyone plays ``profile``."""
    start = root or tree.root
    out: dict[str, Any] = {start: Fraction(1)}
    for node in tree.subtree(start):
        r = out[node]
        for j, kid in enumerate(tree.children[node]):
            out[kid] = r * _move_prob(tree, profile, node, j)
    return out


def expected_payoffs(tree: Tree, profile: Behaviour, root: str | None = None) -> tuple[Any, ...]:
    """Each player's expected payoff (in ``tree.players`` order) in the (sub)game from
    ``root``."""
    r = reach(tree, profile, root)
    totals: list[Any] = [Fraction(0)] * len(tree.players)
    for node, pay in tree.payoffs.items():
        w = r.get(node)
        if w is None or w == 0:
            continue
        for i, u in enumerate(pay):
            totals[i] = totals[i] + w * u
    return tuple(totals)


def beliefs(tree: Tree, profile: Behaviour) -> dict[str, dict[str, Any] | None]:
    """At each player information set, the probability of each of its nodes given that the
    set is reached (Bayes' rule), or ``None`` where the profile reaches it with probability
    0 (Bayes' rule is then silent; the logit solver's profiles reach every set). A set of one
    node has belief 1 there, reached or not."""
    r = reach(tree, profile)
    out: dict[str, dict[str, Any] | None] = {}
    for iset in tree.decisions:
        if len(iset.members) == 1:  # a player alone at its node knows where it is
            out[iset.id] = {iset.members[0]: Fraction(1)}
            continue
        total = sum((r[m] for m in iset.members), Fraction(0))
        out[iset.id] = None if total == 0 else {m: r[m] / total for m in iset.members}
    return out


def _best_response_value(tree: Tree, profile: Behaviour, player: int, root: str) -> Any:
    who = tree.players[player]
    bucket: dict[tuple[str, int] | None, Any] = {}
    parent_of: dict[str, tuple[str, int] | None] = {}
    order: list[str] = []  # the player's sets in order of discovery (a parent before its child)
    stack: list[tuple[str, Any, tuple[str, int] | None]] = [(root, Fraction(1), None)]
    while stack:
        node, rho, seq = stack.pop()
        kids = tree.children[node]
        if not kids:
            bucket[seq] = bucket.get(seq, Fraction(0)) + rho * tree.payoffs[node][player]
            continue
        if node in tree.chance:
            for j, kid in enumerate(kids):
                stack.append((kid, rho * tree.chance[node][j], seq))
            continue
        iset = tree.infoset_of[node]
        if tree.infoset(iset).player == who:
            if iset not in parent_of:
                parent_of[iset] = seq
                order.append(iset)
            for j, kid in enumerate(kids):
                stack.append((kid, rho, (iset, j)))
        else:
            for j, kid in enumerate(kids):
                stack.append((kid, rho * profile[iset][j], seq))
    best: dict[str, Any] = {}
    follow: dict[tuple[str, int] | None, Any] = {}
    for iset in reversed(order):
        n = len(tree.infoset(iset).actions)
        best[iset] = max(
            bucket.get((iset, j), Fraction(0)) + follow.get((iset, j), Fraction(0))
            for j in range(n)
        )
        key = parent_of[iset]
        follow[key] = follow.get(key, Fraction(0)) + best[iset]
    return bucket.get(None, Fraction(0)) + follow.get(None, Fraction(0))


def regrets(tree: Tree, profile: Behaviour, root: str | None = None) -> tuple[Any, ...]:
    """Each player's regret (in ``tree.players`` order) in the (sub)game from ``root``: how
    much it could gain by the best change of its own behaviour there."""
    start = root or tree.root
    value = expected_payoffs(tree, profile, start)
    return tuple(
        max(Fraction(0), _best_response_value(tree, profile, i, start) - value[i])
        for i in range(len(tree.players))
    )


def max_regret(tree: Tree, profile: Behaviour, root: str | None = None) -> Any:
    """The largest regret of any player in the (sub)game from ``root``."""
    r = regrets(tree, profile, root)
    return max(r) if r else Fraction(0)


def complete(
    tree: Tree, profile: Mapping[str, tuple[Any, ...] | None]
) -> dict[str, tuple[Any, ...]]:
    """``profile`` with every set it leaves open (``None``: a reduced strategy says nothing
    there, the player's own earlier moves exclude it) filled with a best local reply,
    deepest set first: the action that does best for its player in the subtree below the
    set's nodes, the others' behaviour (and the sets filled before) held fixed. Used to
    judge subgame perfection of an equilibrium found in the reduced strategic form."""
    out: dict[str, tuple[Any, ...]] = {k: v for k, v in profile.items() if v is not None}
    open_sets = [i for i in tree.decisions if profile.get(i.id) is None]
    # deepest first: by the depth of the set's first node, largest first
    depth = {i.id: len(tree.history(i.members[0])) for i in open_sets}
    for iset in sorted(open_sets, key=lambda i: -depth[i.id]):
        player = tree.players.index(iset.player)
        n = len(iset.actions)
        weight = {m: _others_weight(tree, out, m, iset.player) for m in iset.members}
        if all(w == 0 for w in weight.values()):
            weight = dict.fromkeys(iset.members, Fraction(1))
        values = []
        for j in range(n):
            trial = dict(out)
            trial[iset.id] = tuple(Fraction(int(k == j)) for k in range(n))
            for other in open_sets:  # sets still open below: anything; they are filled first
                trial.setdefault(
                    other.id, tuple(Fraction(int(k == 0)) for k in range(len(other.actions)))
                )
            total = Fraction(0)
            for m in iset.members:
                total += weight[m] * expected_payoffs(tree, trial, m)[player]
            values.append(total)
        j_best = max(range(n), key=lambda j: (values[j], -j))
        out[iset.id] = tuple(Fraction(int(k == j_best)) for k in range(n))
    return out


def _others_weight(tree: Tree, profile: Behaviour, node: str, player: str) -> Any:
    """The probability that chance and the players other than ``player`` lead to ``node``
    (``player``'s own moves counted as made); sets not yet in ``profile`` count as 1."""
    w: Any = Fraction(1)
    for at, j in tree.history(node):
        if at in tree.chance:
            w = w * tree.chance[at][j]
            continue
        iset = tree.infoset_of[at]
        if tree.infoset(iset).player != player and iset in profile:
            w = w * profile[iset][j]
    return w
