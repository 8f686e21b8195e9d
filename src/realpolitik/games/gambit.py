"""The bridge to pygambit: our tree as a ``pygambit.Game``, its profiles as ours.

pygambit is an optional dependency (the ``games`` extra; it compiles from source). It is
imported here only, lazily, by :func:`require`, which turns its absence into a
:class:`~realpolitik.games.errors.GameError` that says how to install it.

pygambit's labels (of players, actions, information sets, nodes, outcomes, and the
title) must be ASCII; the game file's ids are, so the compiled game is labelled with
ids, and names stay on our side.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .errors import INSTALL_HINT, GameError
from .tree import Tree

__all__ = ["Compiled", "available", "compile_tree", "logit_at", "require", "to_behaviour"]


def available() -> None:
    """A :class:`GameError` saying how to install pygambit if it cannot be imported; it is
    not imported here (the solvers import it in their own process: :mod:`.worker`)."""
    import importlib.util
    import sys

    if "pygambit" in sys.modules:
        if sys.modules["pygambit"] is None:
            raise GameError(message=INSTALL_HINT)
        return
    try:
        found = importlib.util.find_spec("pygambit") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise GameError(message=INSTALL_HINT)


def require() -> Any:
    """The ``pygambit`` module, or a :class:`GameError` saying how to install it."""
    try:
        import pygambit
    except ImportError:
        raise GameError(message=INSTALL_HINT) from None
    return pygambit


@dataclass(frozen=True)
class Compiled:
    """A ``pygambit.Game`` built from a tree, with our information set ids mapped to its
    information sets."""

    game: Any
    infosets: dict[str, Any]


def compile_tree(tree: Tree) -> Compiled:
    """``tree`` as a pygambit extensive game (exact numbers: probabilities and payoffs are
    passed as fractions)."""
    gbt = require()
    g = gbt.Game.new_tree(players=list(tree.players), title=tree.game.id)
    desc = tree.game.name.encode("ascii", "replace").decode("ascii")
    g.description = desc
    isets: dict[str, Any] = {}
    where: dict[str, Any] = {tree.root: g.root}
    for node in tree.order:
        gnode = where[node]
        gnode.label = node
        kids = tree.children[node]
        if not kids:
            pay = [_to_gambit(x) for x in tree.payoffs[node]]
            g.set_outcome(gnode, g.add_outcome(node, pay))
            continue
        iid = tree.infoset_of[node]
        iset = tree.infoset(iid)
        if node in tree.chance:
            g.append_move(gnode, g.players.chance, list(iset.actions))
            g.set_chance_probs(gnode.infoset, [_to_gambit(p) for p in tree.chance[node]])
            gnode.infoset.label = iid
        elif iid in isets:
            g.append_infoset(gnode, isets[iid])
        else:
            g.append_move(gnode, iset.player, list(iset.actions))
            gnode.infoset.label = iid
            isets[iid] = gnode.infoset
        for kid, gkid in zip(kids, gnode.children, strict=True):
            where[kid] = gkid
    resolved = {iid: _resolve(g, s) for iid, s in isets.items()}
    return Compiled(g, resolved)


def _resolve(g: Any, node_infoset: Any) -> Any:
    """The game's own ``Infoset`` behind a node's infoset reference (pygambit 16.7 hands
    out a proxy that follows the node)."""
    label = node_infoset.label
    for i in g.infosets:
        if i.label == label:
            return i
    return node_infoset  # pragma: no cover - labels are unique ids


def _to_gambit(x: Fraction) -> Any:
    return Fraction(x)


def _exact(x: Any) -> Any:
    if isinstance(x, float):
        return x
    return Fraction(x)  # pygambit's Rational and Decimal


def to_behaviour(compiled: Compiled, tree: Tree, profile: Any) -> dict[str, tuple[Any, ...] | None]:
    """A pygambit profile (behaviour, or mixed strategy: converted to behaviour) as our
    behaviour: for each player set, its actions' probabilities in our order, exact where
    pygambit's are; ``None`` at a set the profile leaves undefined (in the reduced strategic
    form, a set that the player's own earlier moves exclude)."""
    gbt = require()
    if not isinstance(profile, gbt.MixedBehaviorProfile):
        profile = profile.as_behavior()
    out: dict[str, tuple[Any, ...] | None] = {}
    for iset in tree.decisions:
        gi = compiled.infosets[iset.id]
        if not profile.is_defined_at(gi):
            out[iset.id] = None
            continue
        probs = {a.label: _exact(p) for a, p in profile[gi]}
        out[iset.id] = tuple(probs[a] for a in iset.actions)
    return out


def logit_at(
    compiled: Compiled, tree: Tree, lam: float
) -> tuple[dict[str, tuple[Any, ...]], float] | None:
    """The agent logit QRE at precision ``lam`` on the principal branch (pygambit's
    ``logit_solve_lambda``, which traces the branch from the centroid up to ``lam``), as our
    behaviour, with the precision actually reached (the tracing stops early where
    probabilities underflow); ``None`` if pygambit cannot give it.

    pygambit 16.7's result object fails to build its ``profile`` (it constructs a profile
    outside a game), so the probabilities are read by position, which follows the players,
    their information sets and their actions in order; the sums are checked."""
    gbt = require()
    try:
        (point,) = gbt.qre.logit_solve_lambda(compiled.game, lam=[lam])
        flat = [float(point[k]) for k in range(len(point))]
        reached = float(point.lam)
    except Exception:  # an older or newer pygambit without this path: use logit_solve
        return None
    by_label: dict[str, tuple[float, ...]] = {}
    k = 0
    for player in compiled.game.players:
        for iset in player.infosets:
            n = len(iset.actions)
            probs = tuple(flat[k : k + n])
            k += n
            if abs(sum(probs) - 1) > 1e-6:
                return None
            by_label[iset.label] = probs
    if k != len(flat):
        return None
    out: dict[str, tuple[Any, ...]] = {}
    for iset in tree.decisions:
        found = by_label.get(iset.id)
        if found is None:
            return None
        out[iset.id] = found
    return out, reached
