"""Sweep one parameter: how the refined equilibrium and the payoffs change, and where the
answer flips.

:func:`sweep` solves the game at ``steps`` evenly spaced values of one parameter, from
``start`` to ``stop`` (both included), by the refined method (backward induction for a game
of perfect information, else the logit limit; or the ``method`` given), and records at each
step the path of play, the expected payoffs and who wins.

A **flip** is a change between two neighbouring steps of either

* the path of play: which actions are played, with a probability above
  :data:`SUPPORT`, at the information sets that play reaches (every chance move counted as
  possible, so that a chance probability reaching 0 at the end of the range is no flip; a
  change of the mixing probabilities alone is not a flip either); or
* the winner (the player with the largest expected payoff, if above 0).

Each flip is then located by bisection between its two steps, to :data:`PRECISION` of the
swept range (or :data:`MAX_BISECTIONS` solves), so that "where it flips" is a number, not a
grid cell. If the bisection meets a third answer between the two (a sliver of mixing at the
threshold, say), it stops and reports the bracket it has. Deterministic: no solver here
draws random numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

from .._version import __version__
from .errors import GameError
from .expr import ExprError, number_text
from .jsonio import GameResult, exact, game_fields, number, read_exact, read_number
from .objects import Game
from .solve import Equilibrium, solve_tree
from .tree import parameter_value

__all__ = ["FORMAT", "MAX_STEPS", "Flip", "Sweep", "SweepStep", "sweep"]

#: /2: exact numbers are strings (see :mod:`.jsonio`), and the game is held whole
FORMAT = "realpolitik-games-sweep/2"
#: an action is part of the path when played with more than this probability
SUPPORT = 1e-3
#: bisection stops when the bracket is this fraction of the swept range
PRECISION = 1e-9
MAX_BISECTIONS = 48
MAX_STEPS = 10_001


@dataclass(frozen=True)
class SweepStep:
    """The refined equilibrium at one value of the parameter."""

    value: Fraction
    path: tuple[str, ...]
    payoffs: Mapping[str, Any]
    winner: str | None
    verdict: str
    plays: tuple[tuple[str, tuple[str, ...]], ...]
    subgame_perfect: bool
    regret: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": exact(self.value),
            "path": list(self.path),
            "plays": {i: list(a) for i, a in self.plays},
            "payoffs": {p: number(v) for p, v in self.payoffs.items()},
            "winner": self.winner,
            "verdict": self.verdict,
            "subgame_perfect": self.subgame_perfect,
            "regret": number(self.regret),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SweepStep:
        """The inverse of :meth:`to_dict`."""
        value = read_exact(d["value"], "steps[].value")
        where = f"steps[value {number_text(value)}]"
        return cls(
            value=value,
            path=tuple(d["path"]),
            payoffs={p: read_number(v, f"{where}.payoffs.{p}") for p, v in d["payoffs"].items()},
            winner=d["winner"],
            verdict=d["verdict"],
            plays=tuple((i, tuple(a)) for i, a in d["plays"].items()),
            subgame_perfect=d["subgame_perfect"],
            regret=read_number(d["regret"], f"{where}.regret"),
        )


@dataclass(frozen=True)
class Flip:
    """Where the answer changes: between ``low`` and ``high`` (the bracket left by the
    bisection), best estimate ``at``; ``kind`` is ``"path"`` or ``"winner"``; ``before`` and
    ``after`` are the path (sentences joined) or the winner at the grid steps on either side,
    in the order of the sweep. ``complete`` is false when the bisection stopped early: it met
    a third answer (mixing, or a tie, at the threshold) or was not asked for."""

    kind: str
    low: Fraction
    high: Fraction
    before: str
    after: str
    bisections: int
    complete: bool = True

    @property
    def at(self) -> float:
        return float((self.low + self.high) / 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": self.at,
            "low": exact(self.low),
            "high": exact(self.high),
            "before": self.before,
            "after": self.after,
            "bisections": self.bisections,
            "complete": self.complete,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Flip:
        """The inverse of :meth:`to_dict` (``at`` is computed again from ``low`` and
        ``high``)."""
        return cls(
            kind=d["kind"],
            low=read_exact(d["low"], "flips[].low"),
            high=read_exact(d["high"], "flips[].high"),
            before=d["before"],
            after=d["after"],
            bisections=d["bisections"],
            complete=d["complete"],
        )


@dataclass(frozen=True)
class Sweep(GameResult):
    """A parameter sweep of a game's refined equilibrium."""

    format_id: ClassVar[str] = FORMAT
    record_kind: ClassVar[str] = "game-sweep"
    kind: ClassVar[str] = "games sweep"

    game: Game = field(repr=False)
    game_hash: str
    parameter: str
    start: Fraction
    stop: Fraction
    method: str
    fixed: Mapping[str, Fraction]
    steps: tuple[SweepStep, ...]
    flips: tuple[Flip, ...]
    version: str = __version__
    notes: tuple[str, ...] = ()

    def path_flips(self) -> tuple[Flip, ...]:
        return tuple(f for f in self.flips if f.kind == "path")

    def to_dict(self) -> dict[str, Any]:
        """The sweep as plain data (format :data:`FORMAT`): exact numbers as strings, the
        others as JSON numbers, and the game whole (``game.spec``; see :mod:`.jsonio`)."""
        return {
            "format": FORMAT,
            "version": self.version,
            "game": {
                "id": self.game.id,
                "name": self.game.name,
                "hash": self.game_hash,
                "origin": self.game.origin,
                **game_fields(self.game),
            },
            "parameter": self.parameter,
            "start": exact(self.start),
            "stop": exact(self.stop),
            "method": self.method,
            "fixed": {k: exact(v) for k, v in self.fixed.items()},
            "steps": [s.to_dict() for s in self.steps],
            "flips": [f.to_dict() for f in self.flips],
            "notes": list(self.notes),
        }

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: the parameter swept, its range, and where the
        refined equilibrium's outcome flips."""
        return {
            "parameter": self.parameter,
            "start": exact(self.start),
            "stop": exact(self.stop),
            "flips": [f.to_dict() for f in self.flips],
        }

    def run_parameters(self) -> dict[str, Any]:
        """What the run history keeps of how this was computed."""
        return {
            "game": self.game.id,
            "parameter": self.parameter,
            "start": exact(self.start),
            "stop": exact(self.stop),
            "method": self.method,
            "fixed": {k: exact(v) for k, v in self.fixed.items()},
        }

    def parameter_values(self) -> Mapping[str, Fraction]:
        return self.fixed

    @classmethod
    def from_fields(cls, d: Mapping[str, Any], **common: Any) -> Sweep:
        return cls(
            parameter=d["parameter"],
            start=read_exact(d["start"], "start"),
            stop=read_exact(d["stop"], "stop"),
            method=d["method"],
            fixed={k: read_exact(v, f"fixed.{k}") for k, v in d["fixed"].items()},
            steps=tuple(SweepStep.from_dict(s) for s in d["steps"]),
            flips=tuple(Flip.from_dict(f) for f in d["flips"]),
            **common,
        )


def _plays(eq: Equilibrium, reached: set[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for iset, probs in eq.behaviour.items():
        if iset not in reached or probs is None:
            continue
        acts = tuple(a for a, p in zip(eq.actions[iset], probs, strict=True) if float(p) > SUPPORT)
        out.append((iset, acts))
    return tuple(out)


def _reached(tree: Any, eq: Equilibrium) -> set[str]:
    """The information sets the players' play reaches, every chance move counted as
    possible (so that a chance probability of 0 at the end of a sweep is no flip)."""
    out: set[str] = set()
    stack = [tree.root]
    while stack:
        node = stack.pop()
        kids = tree.children[node]
        if not kids:
            continue
        if node in tree.chance:
            stack.extend(kids)
            continue
        iset = tree.infoset_of[node]
        out.add(iset)
        probs = eq.behaviour.get(iset)
        for j, kid in enumerate(kids):
            if probs is None or float(probs[j]) > SUPPORT:
                stack.append(kid)
    return out


def _step(
    game: Game,
    name: str,
    value: Fraction,
    method: str,
    fixed: Mapping[str, Any],
    limits: tuple[float | None, int | None] = (None, None),
) -> SweepStep:
    tree = game.tree({**fixed, name: value})
    sol = solve_tree(
        tree,
        method=method,
        overrides={name: value},
        time_limit=limits[0],
        memory_limit=limits[1],
    )
    eq = sol.headline
    if eq is None:  # pragma: no cover - the refined methods always return one
        raise GameError(message=f"{method} found no equilibrium at {name} = {number_text(value)}")
    reached = _reached(tree, eq)
    return SweepStep(
        value=value,
        path=eq.path,
        payoffs=eq.payoffs,
        winner=eq.winner,
        verdict=eq.verdict,
        plays=_plays(eq, reached),
        subgame_perfect=eq.subgame_perfect,
        regret=eq.regret,
    )


def _bisect(
    solve: Callable[[Fraction], SweepStep],
    a: SweepStep,
    b: SweepStep,
    key: Callable[[SweepStep], Any],
    width: Fraction,
) -> tuple[SweepStep, SweepStep, int, bool]:
    n = 0
    while n < MAX_BISECTIONS and b.value - a.value > width:
        mid = solve((a.value + b.value) / 2)
        n += 1
        if key(mid) == key(a):
            a = mid
        elif key(mid) == key(b):
            b = mid
        else:
            return a, b, n, False
    return a, b, n, True


def sweep(
    game: Game | str | Path | None,
    parameter: str,
    start: Any = None,
    stop: Any = None,
    steps: int = 11,
    *,
    method: str | None = None,
    params: Mapping[str, Any] | None = None,
    refine: bool = True,
    time_limit: float | None = None,
    memory_limit: int | None = None,
) -> Sweep:
    """Solve ``game`` at ``steps`` values of ``parameter`` from ``start`` to ``stop`` (default:
    the parameter's ``low`` and ``high``), the other parameters at their values or at
    ``params``; find where the path of play and the winner flip (located by bisection unless
    ``refine`` is false). ``method`` defaults to the refined one. ``time_limit`` (seconds)
    and ``memory_limit`` (MiB) bound each solve, one parameter value, as in
    :func:`~.solve.solve_game`."""
    from .read import load_game
    from .worker import check_limits

    check_limits(time_limit, memory_limit)

    g = load_game(game)
    try:
        p = g.parameter(parameter)
    except KeyError as exc:
        raise GameError(message=str(exc.args[0])) from None
    if start is None:
        start = p.low
    if stop is None:
        stop = p.high
    if start is None or stop is None:
        raise GameError(
            message=f"parameter {parameter!r} has no low-high range in the game; give the "
            "range to sweep (`start` and `stop`)"
        )
    ends = []
    for raw, what in ((start, "`start`"), (stop, "`stop`")):
        try:
            ends.append(parameter_value(raw))
        except ExprError as exc:
            raise GameError(message=f"the sweep's {what}: {exc}") from None
    a, b = ends
    if a == b:
        raise GameError(message=f"the sweep's start and stop are both {number_text(a)}")
    if not 2 <= steps <= MAX_STEPS:
        raise GameError(message=f"steps: expected 2 to {MAX_STEPS:,}, got {steps}")
    fixed = dict(params or {})
    fixed.pop(parameter, None)
    tree0 = g.tree({**fixed, parameter: a})
    m = method or ("backward" if tree0.perfect_information else "logit")
    cache: dict[Fraction, SweepStep] = {}

    def solve(v: Fraction) -> SweepStep:
        if v not in cache:
            cache[v] = _step(g, parameter, v, m, fixed, (time_limit, memory_limit))
        return cache[v]

    grid = [a + (b - a) * k / (steps - 1) for k in range(steps)]
    rows = [solve(v) for v in grid]
    width = abs(b - a) * Fraction(PRECISION)
    flips: list[Flip] = []
    kinds: tuple[tuple[str, Callable[[SweepStep], Any], Callable[[SweepStep], str]], ...] = (
        ("path", lambda s: s.plays, lambda s: "; ".join(s.path)),
        ("winner", lambda s: s.winner, lambda s: g.player_name(s.winner) if s.winner else "no one"),
    )
    lo_first = a < b
    for kind, key, say in kinds:
        for left, right in itertools.pairwise(rows):
            if key(left) == key(right):
                continue
            x, y = (left, right) if lo_first else (right, left)
            if refine:
                x, y, n, done = _bisect(solve, x, y, key, width)
            else:
                n, done = 0, False
            low, high = sorted((x.value, y.value))
            flips.append(Flip(kind, low, high, say(left), say(right), n, done))
    flips.sort(key=lambda f: (f.low if lo_first else -f.low, f.kind))
    notes = []
    if m == "logit":
        notes.append(
            "the logit limit is approximate; at a threshold, where a player is indifferent, "
            "it may mix, and the flip is located where the played actions change"
        )
    return Sweep(
        game=g,
        game_hash=g.content_hash(),
        parameter=parameter,
        start=a,
        stop=b,
        method=m,
        fixed={k: v for k, v in tree0.values.items() if k != parameter},
        steps=tuple(rows),
        flips=tuple(flips),
        notes=tuple(notes),
    )
