"""Gambit's ``.efg`` text, read by a bounded parser of our own (no pygambit).

A ``.efg`` file from elsewhere is untrusted input: pygambit's reader descends the tree by
recursion, so a deep enough chain (14,000 levels) overflows its stack and kills the
process. This reader is a loop over tokens, never a recursion, and it stops, with the line
and column, at the first of: a file over :data:`~realpolitik.scenario.yaml_io.MAX_BYTES`,
more than :data:`MAX_NODES` nodes, a tree deeper than :data:`MAX_DEPTH`, a label over
:data:`MAX_LABEL` characters, a number over :data:`MAX_NUMBER` characters or with an
exponent beyond :data:`MAX_EXPONENT`, or anything the format does not allow.

The format (Gambit's documentation, "The extensive game (.efg) file format")::

    EFG 2 R "title" { "Player 1" "Player 2" }
    "comment"
    c "label" INFOSET ["set label" { "action" PROBABILITY ... }] OUTCOME [OUTCOME-DATA]
    p "label" PLAYER INFOSET ["set label" { "action" ... }] OUTCOME [OUTCOME-DATA]
    t "label" OUTCOME [OUTCOME-DATA]

with ``OUTCOME-DATA`` = ``"outcome label" { PAYOFF ... }`` (one payoff per player, commas
optional), the nodes in preorder, a set's actions given where the set first appears
(and, if repeated, the same), an outcome's payoffs given where it first appears (0 is no
outcome). The tokens are those of Gambit's lexer: quoted strings with ``\\"`` for a quote,
numbers as integers, decimals (with an exponent) or fractions ``a/b``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from ..errors import Problem
from .errors import GameError
from .expr import MAX_MAGNITUDE
from .validate import MAX_NODES

__all__ = ["MAX_DEPTH", "MAX_LABEL", "EfgFile", "EfgNode", "parse_efg_text"]

#: the deepest tree read (levels below the root)
MAX_DEPTH = 2_000
#: the longest label (title, comment, player, set, action, node or outcome), in characters
MAX_LABEL = 10_000
#: the longest number, in characters, and the largest exponent; a number's magnitude is at
#: most :data:`~.expr.MAX_MAGNITUDE` (1e15), as in a game file
MAX_NUMBER = 100
MAX_EXPONENT = 100

_BAD = "not a readable Gambit .efg file"
K = TypeVar("K")
V = TypeVar("V")
_SPACE = " \t\n\v\f\r"
_NUMBER = re.compile(r"[0-9+-][0-9]*(?:\.[0-9]*(?:[eE][+0-9-][0-9]*)?|/[0-9]*|[eE][+0-9-][0-9]*)?")
_DOT_NUMBER = re.compile(r"\.[0-9]*")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")
_RATIO = re.compile(r"[+-]?[0-9]+/[0-9]+")


@dataclass(frozen=True)
class EfgNode:
    """One node line: ``kind`` is ``c`` (chance), ``p`` (a player) or ``t`` (an end);
    ``player`` is 1-based (0 for chance and ends); ``actions`` and ``probabilities`` are
    those of its set (resolved where the line does not repeat them); ``outcome`` is 0 or
    the outcome's index; ``children`` the number of actions; ``line`` where it starts."""

    kind: str
    label: str
    player: int
    infoset: int
    infoset_label: str
    actions: tuple[str, ...]
    probabilities: tuple[Fraction, ...]
    outcome: int
    line: int


@dataclass(frozen=True)
class EfgFile:
    """A parsed ``.efg`` file: its nodes in preorder, with each node's children found by
    ``children`` (indices into ``nodes``), and its outcomes' labels and payoffs."""

    title: str
    comment: str
    players: tuple[str, ...]
    nodes: tuple[EfgNode, ...]
    children: tuple[tuple[int, ...], ...]
    outcomes: dict[int, tuple[str, tuple[Fraction, ...]]]


class _Lexer:
    """Gambit's tokens, one at a time, with the line and column of each."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.kind = ""
        self.value = ""
        self.at = (1, 1)

    def fail(self, message: str) -> GameError:
        line, col = self.at
        return GameError([Problem(self.name, f"column {col}", f"{_BAD}: {message}", line)])

    def _advance_to(self, end: int) -> None:
        chunk = self.text[self.pos : end]
        n = chunk.count("\n")
        if n:
            self.line += n
            self.line_start = self.pos + chunk.rindex("\n") + 1
        self.pos = end

    def next(self) -> str:
        text, n = self.text, len(self.text)
        i = self.pos
        while i < n and text[i] in _SPACE:
            i += 1
        self._advance_to(i)
        self.at = (self.line, i - self.line_start + 1)
        if i >= n:
            self.kind, self.value = "end of file", ""
            return self.kind
        c = text[i]
        if c in "{},":
            self.kind, self.value = c, c
            self._advance_to(i + 1)
            return c
        if c in "0123456789+-" or c == ".":
            m = (_NUMBER if c != "." else _DOT_NUMBER).match(text, i)
            assert m is not None  # the first character matches
            if m.end() - i > MAX_NUMBER:
                raise self.fail(f"a number of more than {MAX_NUMBER} characters")
            self.kind, self.value = "number", m.group()
            self._advance_to(m.end())
            return self.kind
        if c == '"':
            out: list[str] = []
            j = i + 1
            slash = False
            while True:
                if j >= n:
                    raise self.fail("a label is not closed: the file ends inside it")
                a = text[j]
                if a == '"' and not slash:
                    break
                if slash and a == '"':
                    out.append('"')
                elif slash:
                    out.append("\\" + a)
                elif a != "\\":
                    out.append(a)
                slash = a == "\\"
                j += 1
                if j - i > MAX_LABEL + 2:
                    raise self.fail(f"a label of more than {MAX_LABEL:,} characters")
            self.kind, self.value = "label", "".join(out)
            self._advance_to(j + 1)
            return self.kind
        j = i
        while j < n and text[j] not in _SPACE and j - i <= 40:
            j += 1
        self.kind, self.value = "word", text[i:j]
        self._advance_to(j)
        return self.kind

    def shown(self) -> str:
        if self.kind in ("label", "word", "number"):
            v = self.value if len(self.value) <= 30 else self.value[:27] + "..."
            return f"{self.kind} {v!r}" if self.kind != "label" else f'label "{v}"'
        return self.kind if self.kind == "end of file" else f"'{self.kind}'"

    def expect(self, kind: str, what: str) -> str:
        if self.kind != kind:
            raise self.fail(f"expected {what}, got {self.shown()}")
        return self.value


def _number(lex: _Lexer, what: str) -> Fraction:
    text = lex.expect("number", what)
    m = _DECIMAL.fullmatch(text)
    if m is not None:
        if m.group(1) is not None and abs(int(m.group(1))) > MAX_EXPONENT:
            raise lex.fail(f"{what}: the exponent of {text} is beyond +-{MAX_EXPONENT}")
        value = Fraction(text)
    elif _RATIO.fullmatch(text):
        num, den = text.split("/")
        if int(den) == 0:
            raise lex.fail(f"{what}: {text} divides by zero")
        value = Fraction(int(num), int(den))
    else:
        raise lex.fail(f"expected {what}, got {text!r}, which is not a number")
    if abs(value) > MAX_MAGNITUDE:
        shown = text if len(text) <= 20 else text[:17] + "..."
        raise lex.fail(f"{what}: {shown} is beyond -1e15 to 1e15, the magnitudes a game may hold")
    return value


def _index(lex: _Lexer, what: str, low: int = 0) -> int:
    text = lex.expect("number", what)
    if not text.isdigit() or len(text) > 9 or int(text) < low:
        raise lex.fail(f"expected {what} (a whole number of {low} or more), got {text!r}")
    return int(text)


def _first_or_same(
    table: dict[K, V], key: K, given: V, where: tuple[str, int, int], differs: str
) -> None:
    """Record what the file gives for ``key`` (an information set's actions, an outcome's
    payoffs) where it first appears; where it appears again it must give the same. An error
    names the file, the node and the line (``where``) and says what ``differs``."""
    if key in table and table[key] != given:
        name, node, line = where
        raise GameError(
            [Problem(name, f"node {node}", f"{_BAD}: {differs} than where it first appears", line)]
        )
    table[key] = given


def parse_efg_text(text: str, name: str) -> EfgFile:
    """Parse the text of a ``.efg`` file (``name`` labels the problems); a
    :class:`GameError` with the line and column of the first problem."""
    lex = _Lexer(text, name)
    lex.next()
    if lex.kind != "word" or lex.value != "EFG":
        raise lex.fail(f"expected a Gambit .efg file, which starts with EFG; got {lex.shown()}")
    lex.next()
    if lex.value != "2":
        raise lex.fail(f"expected EFG version 2, got {lex.shown()}")
    lex.next()
    if lex.kind != "word" or lex.value not in ("R", "D"):
        raise lex.fail(f"expected the number type R or D, got {lex.shown()}")
    lex.next()
    title = lex.expect("label", 'the title (a label in quotes, "" for none)')
    lex.next()
    lex.expect("{", "'{' and the players' names")
    players: list[str] = []
    while lex.next() == "label":
        players.append(lex.value)
    lex.expect("}", "a player's name in quotes or '}'")
    if not players:
        raise lex.fail("a game without players; expected at least one")
    comment = ""
    if lex.next() == "label":
        comment = lex.value
        lex.next()

    nodes: list[EfgNode] = []
    children: list[list[int]] = []
    outcomes: dict[int, tuple[str, tuple[Fraction, ...]]] = {}
    sets: dict[tuple[int, int], tuple[str, tuple[str, ...], tuple[Fraction, ...]]] = {}
    # the open nodes: [index, children still to come, depth], the root's parent a sentinel
    open_: list[list[int]] = [[-1, 1, -1]]
    while open_:
        if len(nodes) >= MAX_NODES:
            raise lex.fail(f"more than {MAX_NODES:,} nodes; expected at most that")
        depth = open_[-1][2] + 1
        if depth > MAX_DEPTH:
            raise lex.fail(f"the tree is deeper than {MAX_DEPTH:,} levels; expected at most that")
        line = lex.at[0]
        kind = lex.value if lex.kind == "word" else ""
        if kind not in ("c", "p", "t"):
            raise lex.fail(f"expected a node (c, p or t), got {lex.shown()}")
        lex.next()
        label = lex.expect("label", 'the node\'s label in quotes ("" for none)')
        lex.next()
        player = 0
        set_id = 0
        actions: tuple[str, ...] = ()
        probs: tuple[Fraction, ...] = ()
        set_label = ""
        if kind in ("c", "p"):
            if kind == "p":
                player = _index(lex, "the player's number", 1)
                if player > len(players):
                    raise lex.fail(
                        f"player {player}: the file names {len(players)} player"
                        f"{'s' if len(players) != 1 else ''}"
                    )
                lex.next()
            set_id = _index(lex, "the information set's number")
            lex.next()
            key = (player, set_id)
            if lex.kind == "label":
                set_label = lex.value
                lex.next()
                lex.expect("{", "'{' and the actions")
                acts: list[str] = []
                ps: list[Fraction] = []
                lex.next()
                while lex.kind != "}":
                    acts.append(lex.expect("label", "an action's label in quotes or '}'"))
                    lex.next()
                    if kind == "c":
                        ps.append(_number(lex, "the action's probability"))
                        lex.next()
                if not acts:
                    raise lex.fail("a move without actions; expected at least one")
                lex.next()
                who = "chance" if kind == "c" else f"player {player}"
                _first_or_same(
                    sets,
                    key,
                    (set_label, tuple(acts), tuple(ps)),
                    (name, len(nodes) + 1, line),
                    f"information set {set_id} of {who} is given other actions, label or "
                    "probabilities",
                )
            elif key not in sets:
                raise lex.fail(
                    f"information set {set_id} is used before its actions are given; "
                    'expected its label and actions ("label" { "action" ... })'
                )
            set_label, actions, probs = sets[key]
        outcome = _index(lex, "the outcome's number (0 for none)")
        lex.next()
        if lex.kind == "label":
            if outcome == 0:
                raise lex.fail("outcome 0 is no outcome: it cannot have a label or payoffs")
            out_label = lex.value
            lex.next()
            lex.expect("{", "'{' and the outcome's payoffs")
            lex.next()
            pays: list[Fraction] = []
            for _ in players:
                pays.append(_number(lex, f"a payoff (one for each of {len(players)} players)"))
                if lex.next() == ",":
                    lex.next()
            lex.expect("}", f"'}}' after {len(players)} payoffs")
            lex.next()
            _first_or_same(
                outcomes,
                outcome,
                (out_label, tuple(pays)),
                (name, len(nodes) + 1, line),
                f"outcome {outcome} is given other payoffs or another label",
            )
        elif outcome != 0 and outcome not in outcomes:
            raise lex.fail(
                f"outcome {outcome} is used before its payoffs are given; expected its "
                'label and payoffs ("label" { 1 2 })'
            )
        index = len(nodes)
        nodes.append(EfgNode(kind, label, player, set_id, set_label, actions, probs, outcome, line))
        children.append([])
        parent = open_[-1]
        if parent[0] >= 0:
            children[parent[0]].append(index)
        parent[1] -= 1
        if parent[1] == 0:
            open_.pop()
        if actions:
            open_.append([index, len(actions), depth])
    if lex.kind != "end of file":
        raise lex.fail(f"expected the end of the file after the last node, got {lex.shown()}")
    return EfgFile(
        title=title,
        comment=comment,
        players=tuple(players),
        nodes=tuple(nodes),
        children=tuple(tuple(c) for c in children),
        outcomes=outcomes,
    )
