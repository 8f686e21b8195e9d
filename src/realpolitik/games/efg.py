"""Gambit's ``.efg`` format: export a game to it, import a game from it.

Export goes through pygambit's writer (``Game.to_efg``), so what we write is what Gambit
reads; import goes through our own bounded parser (:mod:`.efgfile`), never pygambit's
reader: a ``.efg`` file from elsewhere is untrusted, and pygambit's recursive reader
crashes on a deep enough tree.

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

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError
from ..scenario import yaml_io
from .efgfile import EfgFile, parse_efg_text
from .errors import GameError
from .expr import as_fraction
from .gambit import compile_tree
from .objects import Game
from .spec import CHANCE
from .tree import Tree
from .validate import build_game

__all__ = ["IMPORT_NOTE", "parse_efg", "read_efg", "to_efg", "write_efg"]

IMPORT_NOTE = (
    "imported from Gambit's .efg format: the payoffs carry no reasons or sources; add them"
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def to_efg(game: Game, params: dict[str, Any] | None = None) -> str:
    """``game`` in Gambit's ``.efg`` format, at its parameter values (or ``params``),
    written by pygambit in its own process (:mod:`.worker`)."""
    from .gambit import available
    from .worker import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, call

    tree = game.tree(params)
    available()
    text: str = call(
        "realpolitik.games.efg:_efg_text",
        (tree,),
        time_limit=DEFAULT_TIME_LIMIT,
        memory_limit=DEFAULT_MEMORY_LIMIT,
        what=f"the export of {game.id!r} to .efg",
    )
    return text


def _efg_text(tree: Tree) -> str:
    """pygambit's writer on ``tree``: what the worker process runs (:mod:`.worker`)."""
    return str(compile_tree(tree).game.to_efg())


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
    """A game from the text of a ``.efg`` file; ``name`` labels the problems. Read by our
    own bounded parser (:mod:`.efgfile`: no recursion, limits on size, nodes and depth),
    so an untrusted file never reaches pygambit's reader; pygambit is not needed."""
    return _from_file(parse_efg_text(text, name), name)


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


def _from_file(f: EfgFile, name: str) -> Game:
    players: list[dict[str, Any]] = []
    taken: set[str] = {CHANCE}
    for k, label in enumerate(f.players, start=1):
        ident = _unique(_slug(label).lower(), taken, f"player-{k}")
        players.append({"id": ident, "name": label.strip() or f"Player {k}"})

    node_ids: set[str] = set()
    ids = [_unique(n.label.strip(), node_ids, f"n{k}") for k, n in enumerate(f.nodes, start=1)]
    parent: dict[int, int] = {kid: k for k, kids in enumerate(f.children) for kid in kids}

    # information sets: label where usable, else PLAYER-NUMBER (the number counting the
    # player's sets in order of first appearance)
    members: dict[tuple[int, int], list[int]] = {}
    for k, n in enumerate(f.nodes):
        if n.kind == "p":
            members.setdefault((n.player, n.infoset), []).append(k)
    iset_ids: dict[tuple[int, int], str] = {}
    iset_taken = set(node_ids)
    counted: dict[int, int] = {}
    for key, mem in members.items():
        counted[key[0]] = counted.get(key[0], 0) + 1
        label = f.nodes[mem[0]].infoset_label.strip()
        if len(mem) == 1 and label in ("", ids[mem[0]]):
            iset_ids[key] = ids[mem[0]]  # a set of its own: no `infoset` field needed
            continue
        player = players[key[0] - 1]["id"]
        iset_ids[key] = _unique(label, iset_taken, f"{player}-{counted[key[0]]}")

    notes = [IMPORT_NOTE]
    inner_payoffs = False
    nodes: list[dict[str, Any]] = []
    for k, n in enumerate(f.nodes):
        entry: dict[str, Any] = {"id": ids[k]}
        if not n.actions:
            totals = [Fraction(0)] * len(players)
            step: int | None = k
            while step is not None:
                out = f.nodes[step].outcome
                if out:
                    if step != k:
                        inner_payoffs = True
                    for j, v in enumerate(f.outcomes[out][1]):
                        totals[j] += v
                step = parent.get(step)
            entry["payoffs"] = {players[j]["id"]: _efg_number(v) for j, v in enumerate(totals)}
            nodes.append(entry)
            continue
        taken_actions: set[str] = set()
        actions = []
        for j, label in enumerate(n.actions, start=1):
            aid = _unique(_slug(label), taken_actions, f"a{j}")
            act: dict[str, Any] = {"id": aid}
            if label.strip() and label.strip() != aid:
                act["label"] = label.strip()
            act["to"] = ids[f.children[k][j - 1]]
            if n.kind == "c":
                act["probability"] = _efg_number(n.probabilities[j - 1])
            actions.append(act)
        if n.kind == "c":
            entry["player"] = CHANCE
        else:
            entry["player"] = players[n.player - 1]["id"]
            iid = iset_ids[(n.player, n.infoset)]
            if iid != ids[k]:
                entry["infoset"] = iid
        entry["actions"] = actions
        nodes.append(entry)
    if inner_payoffs:
        notes.append(
            "the file had payoffs at inner nodes; each end's payoffs are the sum of the "
            "outcomes on its way"
        )
    title = f.title.strip()
    comment = f.comment.strip()
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
