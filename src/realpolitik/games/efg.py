"""Gambit's ``.efg`` format: export a game to it, import a game from it.

Both directions go through pygambit (its writer ``Game.to_efg`` and its reader
``pygambit.read_efg``), so what we write is what Gambit reads.

**Export** writes the game at its parameters' values (or at ``params``): expressions become
numbers, exact where they are (``1/3`` stays a fraction). Gambit labels must be ASCII, so
players, information sets, actions, nodes and outcomes are labelled by their ids; names,
action labels, texts, reasons and sources stay in the YAML (the game's name goes in the
file's comment, non-ASCII characters replaced).

**Import** makes one of our games of a Gambit file: ids from Gambit's labels where they are
usable ids (else generated: ``n3`` for the third node, ``p1-2`` for player 1's second set),
each end's payoffs summed from the outcomes on its way (Gambit allows payoffs at inner
nodes; an end without an outcome pays 0), and no reasons: the imported game carries a note
saying so, since a Gambit file has none to give. The result is validated like a YAML file
(perfect recall included). Export then import gives back the same tree, ids and numbers.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError
from ..scenario import yaml_io
from .errors import GameError
from .expr import as_fraction
from .gambit import compile_tree, require
from .objects import Game
from .spec import CHANCE
from .validate import build_game

__all__ = ["IMPORT_NOTE", "parse_efg", "read_efg", "to_efg", "write_efg"]

IMPORT_NOTE = (
    "imported from Gambit's .efg format: the payoffs carry no reasons or sources; add them"
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def to_efg(game: Game, params: dict[str, Any] | None = None) -> str:
    """``game`` in Gambit's ``.efg`` format, at its parameter values (or ``params``)."""
    compiled = compile_tree(game.tree(params))
    return str(compiled.game.to_efg())


def write_efg(game: Game, path: str | Path, params: dict[str, Any] | None = None) -> Path:
    """Write :func:`to_efg` to ``path``; return the path."""
    p = Path(path)
    p.write_text(to_efg(game, params), encoding="ascii")
    return p


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", text.strip()).strip("-_.")
    return s[:64]


def _unique(wanted: str, taken: set[str], fallback: str) -> str:
    cand = wanted if wanted and _ID.match(wanted) else fallback
    base, k = cand, 2
    while cand in taken:
        cand = f"{base}-{k}"
        k += 1
    taken.add(cand)
    return cand


def parse_efg(text: str, name: str) -> Game:
    """A game from the text of a ``.efg`` file; ``name`` labels the problems."""
    gbt = require()
    try:
        g = gbt.read_efg(io.StringIO(text))
    except Exception as exc:  # pygambit raises ValueError, IOError or RuntimeError here
        raise GameError([Problem(name, "", f"not a readable Gambit .efg file: {exc}")]) from None
    return _from_gambit(g, name)


def read_efg(path: str | Path) -> Game:
    """A game from a ``.efg`` file (read with the same size limit as a YAML file)."""
    p = Path(path)
    try:
        text = yaml_io.read_text(p)
    except ScenarioError as exc:
        raise GameError(
            [
                Problem(q.file, q.field, q.message.replace("a scenario", "a game"), q.line)
                for q in exc.problems
            ]
        ) from None
    return parse_efg(text, str(p))


def _efg_number(x: Any) -> Any:
    v = as_fraction(x if not hasattr(x, "numerator") else f"{x.numerator}/{x.denominator}")
    if v.denominator == 1:
        return int(v)
    text = f"{float(v)!r}"
    return float(text) if as_fraction(text) == v else f"{v.numerator}/{v.denominator}"


def _from_gambit(g: Any, name: str) -> Game:
    players: list[dict[str, Any]] = []
    taken: set[str] = {CHANCE}
    for k, p in enumerate(g.players, start=1):
        ident = _unique(_slug(p.label).lower(), taken, f"player-{k}")
        players.append({"id": ident, "name": p.label.strip() or f"Player {k}"})
    by_label = {p.label: players[k]["id"] for k, p in enumerate(g.players)}

    # the nodes in preorder, each with its path of action indices from the root
    node_ids: set[str] = set()
    preorder: list[Any] = []
    paths: list[tuple[int, ...]] = []
    stack: list[tuple[Any, tuple[int, ...]]] = [(g.root, ())]
    while stack:
        n, path = stack.pop()
        preorder.append(n)
        paths.append(path)
        kids = list(n.children)
        stack.extend((kid, (*path, j)) for j, kid in reversed(list(enumerate(kids))))
    ids: list[str] = []
    for k, n in enumerate(preorder, start=1):
        ids.append(_unique(n.label.strip(), node_ids, f"n{k}"))
    index = {path: k for k, path in enumerate(paths)}

    # information sets: label where usable, else PLAYER-NUMBER
    iset_ids: dict[Any, str] = {}
    iset_taken = set(node_ids)
    notes = [IMPORT_NOTE]
    for k, n in enumerate(preorder):
        if n.is_terminal or n.player.is_chance:
            continue
        key = _iset_key(n)
        if key in iset_ids:
            continue
        members = list(n.infoset.members)
        label = n.infoset.label.strip()
        if len(members) == 1 and label in ("", ids[k]):
            iset_ids[key] = ids[k]  # a set of its own: no `infoset` field needed
            continue
        player = by_label.get(n.player.label, "p")
        iset_ids[key] = _unique(label, iset_taken, f"{player}-{n.infoset.number + 1}")

    inner_payoffs = False
    nodes: list[dict[str, Any]] = []
    for k, n in enumerate(preorder):
        entry: dict[str, Any] = {"id": ids[k]}
        if n.is_terminal:
            totals = [as_fraction(0)] * len(players)
            step: Any = n
            while step is not None:
                if step.outcome:  # a proxy: false when no outcome is attached
                    if step is not n:
                        inner_payoffs = True
                    for j, p in enumerate(g.players):
                        totals[j] += as_fraction(str(step.outcome[p]))
                step = step.parent
            entry["payoffs"] = {players[j]["id"]: _efg_number(v) for j, v in enumerate(totals)}
            nodes.append(entry)
            continue
        taken_actions: set[str] = set()
        actions = []
        for j, a in enumerate(n.infoset.actions, start=1):
            aid = _unique(_slug(a.label), taken_actions, f"a{j}")
            act: dict[str, Any] = {"id": aid}
            if a.label.strip() and a.label.strip() != aid:
                act["label"] = a.label.strip()
            act["to"] = ids[index[(*paths[k], j - 1)]]
            if n.player.is_chance:
                act["probability"] = _efg_number(a.prob)
            actions.append(act)
        if n.player.is_chance:
            entry["player"] = CHANCE
        else:
            entry["player"] = by_label[n.player.label]
            iid = iset_ids[_iset_key(n)]
            if iid != ids[k]:
                entry["infoset"] = iid
        entry["actions"] = actions
        nodes.append(entry)
    if inner_payoffs:
        notes.append(
            "the file had payoffs at inner nodes; each end's payoffs are the sum of the "
            "outcomes on its way"
        )
    title = g.title.strip()
    comment = (g.description or "").strip()
    ours = bool(_ID.match(title)) and "\n" not in comment and 0 < len(comment) <= 200
    data = {
        "id": _unique(_slug(title).lower(), set(), _slug(Path(name).stem).lower() or "imported"),
        # our export writes the id as the title and the name as the comment
        "name": comment if ours else title or Path(name).stem,
        "description": "" if ours else comment,
        "notes": notes,
        "players": players,
        "root": ids[0],
        "nodes": nodes,
    }
    return build_game(data, file=name, lines={})


def _iset_key(node: Any) -> Any:
    return (node.infoset.player.label, node.infoset.number)
