"""Solve a game: its equilibria, each with how it was found, checked and told in words.

:func:`solve_game` runs the methods asked for (``method``), collects their equilibria
without repeating one that two methods found, and evaluates each with our own exact code
(:mod:`.evaluate`): expected payoffs, regret, beliefs, subgame perfection (:mod:`.subgame`),
the path in words (:mod:`.words`), and who gains. It returns a frozen :class:`Solution`
that records the game (id and content hash), the method, the parameter values and the
library version, and that goes to JSON and back losslessly (:meth:`Solution.to_json`,
:meth:`Solution.from_json`: the game whole, exact numbers as strings; see :mod:`.jsonio`).

The methods (``realpolitik game solve --method``):

============  =============================================================================
``enumpure``  every pure-strategy Nash equilibrium (pygambit ``enumpure_solve``, on the
              reduced strategic form; exact)
``enummixed`` two players: every extreme point of the sets of mixed equilibria
              (``enummixed_solve``, exact rationals)
``lcp``       two players: one equilibrium by Lemke's algorithm on the sequence form
              (``lcp_solve``, exact rationals; Koller, Megiddo & von Stengel, 1996)
``logit``     the limit of the principal branch of the logit quantal response equilibrium
              of the agent form (``logit_solve``; McKelvey & Palfrey, 1995, 1998): a
              sequential equilibrium; approximate (floating point)
``backward``  perfect information: backward induction (our own, exact; :mod:`.backward`)
``refined``   the refined equilibrium: ``backward`` for a game of perfect information,
              else ``logit``; and ``lcp`` too when there are two players
``pure``      ``enumpure``
``all``       ``enumpure``, ``enummixed`` (two players), ``lcp`` (two players), and the
              refined one
============  =============================================================================

**Tolerances.** An equilibrium is checked by its regret (how much the best-off deviator
could gain), as a fraction of the game's payoff range (largest payoff minus smallest):
below :data:`EXACT_TOLERANCE` (1e-6) for the exact methods, whose regret is in fact 0 in
exact arithmetic, and below :data:`LOGIT_TOLERANCE` (1e-5) for the logit limit. The same
tolerance decides subgame perfection.

**The logit limit** is approximated by the agent logit QRE at a large precision,
λ = :data:`LOGIT_LAMBDA` (10⁶) / payoff range, reached by tracing the principal branch
(pygambit ``logit_solve_lambda``). We do not stop where pygambit's ``logit_solve`` stops
(when the ex-ante regret is below 1e-8 of the range): that rule weighs each player's
regret by the probability of reaching its move, so behaviour off the path can stop far
from its limit (near a threshold, a player's unreached threat can still be half-carried
out), which would mislabel subgame perfection and misplace a sweep's flips. At λ = 10⁶ /
range, actions whose conditional values differ by more than about 10⁻⁵ of the range are
told apart at every information set, reached or not; ``logit_solve`` is the fallback.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

from .._version import __version__
from ..results import FormatError
from .errors import GameError, SolveLimitError, SolverCrashError
from .evaluate import beliefs as compute_beliefs
from .evaluate import complete, expected_payoffs, max_regret, reach
from .jsonio import GameResult, exact, game_fields, number, read_exact, read_number
from .objects import Game
from .size import GameSize, estimate, measure
from .subgame import check_subgame_perfect
from .tree import Tree
from .words import NEGLIGIBLE, Words

__all__ = [
    "EXACT_TOLERANCE",
    "FORMAT",
    "LOGIT_TOLERANCE",
    "METHODS",
    "Equilibrium",
    "Solution",
    "solve_game",
    "solve_tree",
]

#: /2: exact numbers are strings (see :mod:`.jsonio`), and the game is held whole
FORMAT = "realpolitik-games-solution/2"
#: the methods, then the sets of methods that ``method`` may also name
METHODS = ("enumpure", "enummixed", "lcp", "logit", "backward")
SETS = ("all", "pure", "refined")
#: regret bounds, as a fraction of the payoff range
EXACT_TOLERANCE = 1e-6
LOGIT_TOLERANCE = 1e-5
#: how far the logit branch is traced: lambda = LOGIT_LAMBDA / payoff range, so that a payoff
#: difference of 1e-5 of the range makes the better action e^10 times likelier
LOGIT_LAMBDA = 1e6
#: the stopping rule of pygambit's ``logit_solve`` (relative to the range), if tracing to a
#: fixed lambda is not available
LOGIT_MAXREGRET = 1e-8
#: behaviour probabilities closer than this are the same equilibrium
SAME = 1e-6

DESCRIPTIONS = {
    "enumpure": "pure-strategy Nash equilibria (all of them)",
    "enummixed": "extreme mixed Nash equilibria (all of them; two players)",
    "lcp": "one Nash equilibrium by Lemke's algorithm on the sequence form (two players)",
    "logit": "the limit of the logit quantal response equilibrium: a sequential equilibrium",
    "backward": "backward induction: a subgame-perfect equilibrium (perfect information)",
}


def _nums(d: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The inverse of ``{k: number(v)}`` (:func:`.jsonio.number`)."""
    return {k: read_number(v, f"{what}.{k}") for k, v in d.items()}


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium and what it means.

    ``behaviour`` maps each player information set to its actions' probabilities (in the
    order of ``actions``); ``None`` where the profile says nothing (a reduced strategy at a
    set its player's own moves exclude: what the player would do there does not change
    anyone's payoff). ``beliefs`` maps each set to the probability of each of its nodes
    given that it is reached, or ``None`` where the profile reaches it with probability 0.
    ``payoffs`` are expected payoffs; ``regret`` is the largest gain any player could make
    by deviating (0 at an exact equilibrium); ``subgame_perfect`` says whether it is also an
    equilibrium of every subgame (judged, where the profile leaves sets open, with each open
    set given its best local reply). ``path`` and ``off_path`` tell it in words;
    ``winner`` is the player with the largest expected payoff if that is above 0 (payoffs
    being gains over the status quo where the game says so), else ``None``.
    """

    index: int
    method: str
    found_by: tuple[str, ...]
    exact: bool
    behaviour: Mapping[str, tuple[Any, ...] | None]
    actions: Mapping[str, tuple[str, ...]]
    payoffs: Mapping[str, Any]
    beliefs: Mapping[str, Mapping[str, Any] | None]
    regret: Any
    tolerance: float
    subgame_perfect: bool
    subgame_regret: Any
    subgames: int
    pure: bool
    path: tuple[str, ...]
    off_path: tuple[str, ...]
    ends: tuple[tuple[str, Any], ...]
    winner: str | None
    verdict: str
    notes: tuple[str, ...] = ()

    def probability(self, infoset: str, action: str) -> float | None:
        """The probability of ``action`` at ``infoset`` (``None`` if left open)."""
        probs = self.behaviour[infoset]
        if probs is None:
            return None
        return float(probs[self.actions[infoset].index(action)])

    def plays(self, infoset: str) -> str | None:
        """The action played at ``infoset`` if one is played (almost) surely, else ``None``."""
        probs = self.behaviour[infoset]
        if probs is None:
            return None
        for a, p in zip(self.actions[infoset], probs, strict=True):
            if float(p) > 1 - NEGLIGIBLE:
                return a
        return None

    @property
    def path_text(self) -> str:
        return "; ".join(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "method": self.method,
            "found_by": list(self.found_by),
            "exact": self.exact,
            "pure": self.pure,
            "subgame_perfect": self.subgame_perfect,
            "regret": number(self.regret),
            "subgame_regret": number(self.subgame_regret),
            "subgames": self.subgames,
            "tolerance": self.tolerance,
            "actions": {i: list(a) for i, a in self.actions.items()},
            "behaviour": {
                i: None
                if probs is None
                else dict(zip(self.actions[i], map(number, probs), strict=True))
                for i, probs in self.behaviour.items()
            },
            "beliefs": {
                i: None if b is None else {n: number(p) for n, p in b.items()}
                for i, b in self.beliefs.items()
            },
            "payoffs": {p: number(v) for p, v in self.payoffs.items()},
            "winner": self.winner,
            "verdict": self.verdict,
            "path": list(self.path),
            "off_path": list(self.off_path),
            "ends": [{"node": n, "probability": number(p)} for n, p in self.ends],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Equilibrium:
        """The inverse of :meth:`to_dict`: exact numbers come back as fractions, the others
        as floats."""
        where = f"equilibria[{d['index']}]"
        actions = {i: tuple(a) for i, a in d["actions"].items()}
        behaviour: dict[str, tuple[Any, ...] | None] = {}
        for i, probs in d["behaviour"].items():
            if probs is None:
                behaviour[i] = None
                continue
            if i not in actions or list(probs) != list(actions[i]):
                raise FormatError(
                    f"{where}.behaviour.{i}: the actions {list(probs)} are not those of "
                    f"{where}.actions ({list(actions.get(i, ()))})"
                )
            behaviour[i] = tuple(
                read_number(probs[a], f"{where}.behaviour.{i}.{a}") for a in actions[i]
            )
        return cls(
            index=d["index"],
            method=d["method"],
            found_by=tuple(d["found_by"]),
            exact=d["exact"],
            behaviour=behaviour,
            actions=actions,
            payoffs=_nums(d["payoffs"], f"{where}.payoffs"),
            beliefs={
                i: None if b is None else _nums(b, f"{where}.beliefs.{i}")
                for i, b in d["beliefs"].items()
            },
            regret=read_number(d["regret"], f"{where}.regret"),
            tolerance=float(d["tolerance"]),
            subgame_perfect=d["subgame_perfect"],
            subgame_regret=read_number(d["subgame_regret"], f"{where}.subgame_regret"),
            subgames=d["subgames"],
            pure=d["pure"],
            path=tuple(d["path"]),
            off_path=tuple(d["off_path"]),
            ends=tuple(
                (e["node"], read_number(e["probability"], f"{where}.ends")) for e in d["ends"]
            ),
            winner=d["winner"],
            verdict=d["verdict"],
            notes=tuple(d["notes"]),
        )


@dataclass(frozen=True)
class Solution(GameResult):
    """The equilibria of a game at given parameter values, and how they were found.

    ``equilibria`` are distinct (one found by several methods is listed once, with every
    method in ``found_by``), in the order: pure, extreme mixed, LCP, refined. ``refined``
    is the index (0-based) of the refined equilibrium (backward induction or the logit
    limit), or ``None`` if it was not computed.
    """

    format_id: ClassVar[str] = FORMAT
    record_kind: ClassVar[str] = "game-solve"
    kind: ClassVar[str] = "games solution"

    game: Game = field(repr=False)
    game_hash: str
    method: str
    methods: tuple[str, ...]
    parameters: Mapping[str, Fraction]
    overrides: Mapping[str, Fraction]
    equilibria: tuple[Equilibrium, ...]
    refined: int | None
    perfect_information: bool
    payoff_range: Fraction
    version: str = __version__
    notes: tuple[str, ...] = ()

    @property
    def headline(self) -> Equilibrium | None:
        """The refined equilibrium, else the first one found."""
        if self.refined is not None:
            return self.equilibria[self.refined]
        return self.equilibria[0] if self.equilibria else None

    def by_method(self, method: str) -> tuple[Equilibrium, ...]:
        return tuple(e for e in self.equilibria if method in e.found_by)

    def to_dict(self) -> dict[str, Any]:
        """The solution as plain data (format :data:`FORMAT`): exact numbers as strings,
        the others as JSON numbers, and the game whole (``game.spec``; see
        :mod:`.jsonio`)."""
        g = self.game
        return {
            "format": FORMAT,
            "version": self.version,
            "game": {
                "id": g.id,
                "name": g.name,
                "hash": self.game_hash,
                "origin": g.origin,
                "scenario": g.scenario,
                "payoff_scale": g.payoff_scale,
                "players": {p.id: p.name for p in g.players},
                **game_fields(g),
            },
            "method": self.method,
            "methods": list(self.methods),
            "parameters": {k: exact(v) for k, v in self.parameters.items()},
            "overrides": {k: exact(v) for k, v in self.overrides.items()},
            "perfect_information": self.perfect_information,
            "payoff_range": exact(self.payoff_range),
            "tolerance": {"exact": EXACT_TOLERANCE, "logit": LOGIT_TOLERANCE},
            "refined": self.refined,
            "equilibria": [e.to_dict() for e in self.equilibria],
            "notes": list(self.notes),
        }

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: the methods, how many equilibria, and the headline
        (refined) equilibrium's path, winner and verdict."""
        h = self.headline
        return {
            "method": self.method,
            "equilibria": len(self.equilibria),
            "headline": None
            if h is None
            else {"path": list(h.path), "winner": h.winner, "verdict": h.verdict},
        }

    def run_parameters(self) -> dict[str, Any]:
        """What the run history keeps of how this was computed."""
        return {
            "game": self.game.id,
            "method": self.method,
            "methods": list(self.methods),
            "parameters": {k: exact(v) for k, v in self.parameters.items()},
            "overrides": {k: exact(v) for k, v in self.overrides.items()},
        }

    def parameter_values(self) -> Mapping[str, Fraction]:
        return self.parameters

    @classmethod
    def from_fields(cls, d: Mapping[str, Any], **common: Any) -> Solution:
        return cls(
            method=d["method"],
            methods=tuple(d["methods"]),
            parameters={k: read_exact(v, f"parameters.{k}") for k, v in d["parameters"].items()},
            overrides={k: read_exact(v, f"overrides.{k}") for k, v in d["overrides"].items()},
            equilibria=tuple(Equilibrium.from_dict(e) for e in d["equilibria"]),
            refined=d["refined"],
            perfect_information=d["perfect_information"],
            payoff_range=read_exact(d["payoff_range"], "payoff_range"),
            **common,
        )


def resolve_methods(
    method: str, tree: Tree, size: GameSize | None = None
) -> tuple[tuple[str, ...], list[str]]:
    """The methods that ``method`` runs on ``tree``, and notes on what was left out and
    why. For ``all`` and ``refined`` the enumerations and LCP run only where their work
    estimate (:mod:`.size`) is within their budget; a method named alone always runs (under
    the time and memory limits) unless its estimate is hopeless: then a
    :class:`SolveLimitError` says what to try instead."""
    two = len(tree.players) == 2
    notes: list[str] = []
    size = size or measure(tree)
    refined = "backward" if tree.perfect_information else "logit"
    if method == "pure":
        method = "enumpure"
    if method in ("all", "refined"):
        run = ["enumpure", "enummixed"] if method == "all" else []
        if two:
            run.append("lcp")
        else:
            run = [m for m in run if m != "enummixed"]
            notes.append(
                f"{len(tree.players)} players: the mixed-equilibrium enumeration and the LCP "
                "method apply to two-player games only"
            )
        kept: list[str] = []
        left_out = False
        for m in run:
            est = estimate(size, m)
            if est.within:
                kept.append(m)
            else:
                left_out = True
                notes.append(
                    f"{m} was left out: {est.describe()}, too large to finish in seconds; "
                    "name it as the method to run it anyway"
                )
        run = kept
        run.append(refined)
        if left_out:
            notes.append(f"the methods were chosen by the game's size: {size.describe()}")
        return tuple(run), notes
    if method not in METHODS:
        raise GameError(
            message=f"unknown method {method!r}; expected one of {', '.join(SETS + METHODS)}"
        )
    if method in ("enummixed", "lcp") and not two:
        raise GameError(
            message=f"method {method!r} needs a two-player game; {tree.game.id!r} has "
            f"{len(tree.players)} players (try 'enumpure' or 'logit')"
        )
    est = estimate(size, method)
    if est.hopeless:
        raise SolveLimitError(
            message=f"{method} on {tree.game.id!r} would not finish: {est.describe()}; "
            f"try {_cheaper(method, tree, size, longer=False)}",
            limit="size",
        )
    return (method,), notes


def _cheaper(method: str, tree: Tree, size: GameSize, *, longer: bool = True) -> str:
    """The methods worth trying instead of ``method``, in words: backward induction where
    it applies (one pass over the tree), then LCP for two players if its estimate is within
    budget, then the logit limit; and a longer time limit if ``longer``."""
    options = []
    if tree.perfect_information:
        options.append("'backward' (backward induction: one pass over the tree)")
    if len(tree.players) == 2 and (estimate(size, "lcp").within or not options):
        options.append("'lcp' (one equilibrium, on the sequence form)")
    options.append("'logit' (the refined equilibrium)")
    options = [o for o in options if not o.startswith(f"'{method}'")][:2]
    if not options:
        return f"a longer `time_limit` ({method!r} is the cheapest method that applies)"
    return " or ".join(options) + (", or a longer `time_limit`" if longer else "")


def _run_gambit(method: str, tree: Tree) -> tuple[list[dict[str, Any]], bool, list[str]]:
    """One pygambit method on ``tree``: what the worker process runs (:mod:`.worker`)."""
    return _run(method, tree)


def _run(method: str, tree: Tree) -> tuple[list[dict[str, Any]], bool, list[str]]:
    """The equilibria one method finds, as our behaviour (sets possibly ``None``), whether
    they are exact, and notes."""
    if method == "backward":
        from .backward import backward_induction

        bi = backward_induction(tree)
        notes = []
        if bi.ties:
            notes.append(
                "backward induction: the mover is indifferent at "
                + ", ".join(bi.ties)
                + "; the first action listed was taken, and other subgame-perfect "
                "equilibria exist (see the pure equilibria)"
            )
        return [dict(bi.profile)], True, notes
    from .gambit import compile_tree, logit_at, require, to_behaviour

    gbt = require()
    compiled = compile_tree(tree)
    g = compiled.game
    try:
        if method == "enumpure":
            res = gbt.nash.enumpure_solve(g)
        elif method == "enummixed":
            res = gbt.nash.enummixed_solve(g, rational=True)
        elif method == "lcp":
            res = gbt.nash.lcp_solve(g, rational=True)
        else:
            lam = LOGIT_LAMBDA / float(tree.payoff_range)
            limit = logit_at(compiled, tree, lam)
            if limit is not None:
                profile, reached = limit
                notes = []
                if reached < lam * (1 - 1e-9):
                    notes.append(
                        f"logit: the branch was traced to lambda = {reached:.4g} of the "
                        f"{lam:.4g} asked; beyond it some probabilities underflow, so play at "
                        "sets reached that rarely is less precise"
                    )
                return [profile], False, notes
            res = gbt.nash.logit_solve(g, maxregret=LOGIT_MAXREGRET)
    except (RuntimeError, ValueError) as exc:  # pygambit's own refusals
        if "bad_alloc" in str(exc):  # C++ out of memory, as pygambit passes it on
            raise MemoryError(str(exc)) from None
        raise GameError(
            message=f"{method}: pygambit could not solve {tree.game.id!r}: {exc}"
        ) from None
    out = [to_behaviour(compiled, tree, eq) for eq in res.equilibria]
    notes = []
    if method == "enummixed":
        notes.append(
            "enummixed lists the extreme points of the sets of equilibria; where two of them "
            "are in one set, every mixture between them is an equilibrium too"
        )
    return out, method != "logit", notes


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    for k, pa in a.items():
        pb = b.get(k)
        if pa is None or pb is None:
            continue
        if any(abs(float(x) - float(y)) > SAME for x, y in zip(pa, pb, strict=True)):
            return False
    return True


def _snap(probs: Sequence[Any]) -> tuple[Any, ...]:
    """Approximate probabilities as exact ones where they are within :data:`SAME` of a pure
    choice."""
    for j, p in enumerate(probs):
        if float(p) > 1 - SAME:
            return tuple(Fraction(int(k == j)) for k in range(len(probs)))
    return tuple(probs)


def _verdict(tree: Tree, payoffs: Mapping[str, Any]) -> tuple[str | None, str]:
    game = tree.game
    ranked = sorted(payoffs.items(), key=lambda kv: -float(kv[1]))
    parts = []
    for pid, v in ranked:
        x = float(v)
        how = "gains" if x > NEGLIGIBLE else "loses" if x < -NEGLIGIBLE else "breaks even"
        parts.append(
            f"{game.player_name(pid)} {how} ({x:+.4g})"
            if how != "breaks even"
            else f"{game.player_name(pid)} breaks even (0)"
        )
    best_id, best = ranked[0]
    if float(best) > NEGLIGIBLE and (
        len(ranked) == 1 or float(ranked[1][1]) < float(best) - NEGLIGIBLE
    ):
        return best_id, f"{game.player_name(best_id)} wins: " + "; ".join(parts)
    if float(best) > NEGLIGIBLE:
        return None, "a tie at the top: " + "; ".join(parts)
    return None, "no one gains: " + "; ".join(parts)


def _equilibrium(
    tree: Tree,
    index: int,
    methods: Sequence[str],
    exact: bool,
    behaviour: Mapping[str, tuple[Any, ...] | None],
    belief_source: Mapping[str, tuple[Any, ...]] | None = None,
) -> Equilibrium:
    filled = complete(tree, behaviour)
    r = reach(tree, filled)
    pay = expected_payoffs(tree, filled)
    scale = float(tree.payoff_range)
    tol = (EXACT_TOLERANCE if exact else LOGIT_TOLERANCE) * scale
    regret = max_regret(tree, filled)
    spe = check_subgame_perfect(tree, filled, tol)
    bel = compute_beliefs(tree, filled)
    if belief_source is not None:  # off the path, the logit limit's beliefs
        for k, v in compute_beliefs(tree, belief_source).items():
            if bel.get(k) is None and v is not None:
                bel[k] = v
    words = Words(tree, filled, r)
    payoffs = dict(zip(tree.players, pay, strict=True))
    winner, verdict = _verdict(tree, payoffs)
    notes = []
    open_sets = [k for k, v in behaviour.items() if v is None]
    if open_sets:
        notes.append(
            "the reduced strategies say nothing at "
            + ", ".join(open_sets)
            + " (their players' own moves exclude them); subgame perfection was judged "
            "with the best local reply there"
        )
    if regret > tol:
        notes.append(
            f"regret {float(regret):.3g} exceeds the tolerance {tol:.3g}: not an equilibrium "
            "within the stated precision"
        )
    pure = all(
        probs is None or all(float(p) < NEGLIGIBLE or float(p) > 1 - NEGLIGIBLE for p in probs)
        for probs in behaviour.values()
    )
    return Equilibrium(
        index=index,
        method=methods[0],
        found_by=tuple(methods),
        exact=exact,
        behaviour=dict(behaviour),
        actions={i.id: i.actions for i in tree.decisions},
        payoffs=payoffs,
        beliefs=bel,
        regret=regret,
        tolerance=tol,
        subgame_perfect=spe.perfect,
        subgame_regret=spe.worst,
        subgames=spe.subgames,
        pure=pure,
        path=words.path(),
        off_path=words.off_path(),
        ends=words.ends(),
        winner=winner,
        verdict=verdict,
        notes=tuple(notes),
    )


def solve_tree(
    tree: Tree,
    *,
    method: str = "all",
    overrides: Mapping[str, Any] | None = None,
    time_limit: float | None = None,
    memory_limit: int | None = None,
) -> Solution:
    """:func:`solve_game` on a tree already evaluated."""
    from .gambit import available
    from .worker import call, check_limits

    limit, memory = check_limits(time_limit, memory_limit)
    size = measure(tree)
    run, notes = resolve_methods(method, tree, size)
    deadline = time.monotonic() + limit
    game_id = tree.game.id

    def run_one(m: str) -> tuple[list[dict[str, Any]], bool, list[str]]:
        if m == "backward":
            return _run(m, tree)
        available()
        left = deadline - time.monotonic()
        what = f"{m} on {game_id!r}"
        if left <= 0:
            raise SolveLimitError(
                message=f"{what}: the time limit of {limit:g} s was spent before it could "
                f"start; try {_cheaper(m, tree, size)}",
                limit="time",
            )
        try:
            result: tuple[list[dict[str, Any]], bool, list[str]] = call(
                "realpolitik.games.solve:_run_gambit",
                (m, tree),
                time_limit=left,
                memory_limit=memory,
                what=what,
            )
        except SolveLimitError as exc:
            at = (
                f"stopped at the time limit of {limit:g} s"
                if exc.limit == "time"
                else f"stopped at the memory limit of {memory:,} MiB"
            )
            raise SolveLimitError(
                message=f"{what}: {at} ({m}: {estimate(size, m).describe()}); "
                f"try {_cheaper(m, tree, size)}",
                limit=exc.limit,
            ) from None
        except SolverCrashError as exc:
            raise SolverCrashError(
                message=f"{exc.message}; try {_cheaper(m, tree, size)}"
            ) from None
        return result

    found: list[dict[str, Any]] = []  # {behaviour, methods, exact, beliefs}
    refined_at: int | None = None
    for m in run:
        profiles, exact, more = run_one(m)
        notes.extend(more)
        for prof in profiles:
            match = next((k for k, f in enumerate(found) if _same(f["behaviour"], prof)), None)
            is_refined = m in ("backward", "logit")
            if match is None:
                found.append({"behaviour": prof, "methods": [m], "exact": exact, "beliefs": None})
                match = len(found) - 1
            else:
                f = found[match]
                if m not in f["methods"]:
                    f["methods"].append(m)
                merged = dict(f["behaviour"])
                for k, v in prof.items():
                    if merged.get(k) is None and v is not None:
                        merged[k] = _snap(v) if f["exact"] else v
                f["behaviour"] = merged
                if not exact:
                    f["beliefs"] = {k: v for k, v in prof.items() if v is not None}
            if is_refined:
                refined_at = match
    evaluated = []
    for n, entry in enumerate(found, start=1):
        if time.monotonic() > deadline:
            raise SolveLimitError(
                message=f"{game_id!r}: stopped at the time limit of {limit:g} s while checking "
                f"equilibrium {n} of {len(found)}; try {_cheaper(method, tree, size)}",
                limit="time",
            )
        evaluated.append(
            _equilibrium(
                tree, n, entry["methods"], entry["exact"], entry["behaviour"], entry["beliefs"]
            )
        )
    equilibria = tuple(evaluated)
    if not equilibria:
        notes.append("no equilibrium found by " + ", ".join(run))
    return Solution(
        game=tree.game,
        game_hash=tree.game.content_hash(),
        method=method,
        methods=run,
        parameters=dict(tree.values),
        overrides={k: tree.values[k] for k in (overrides or {})},
        equilibria=equilibria,
        refined=refined_at,
        perfect_information=tree.perfect_information,
        payoff_range=tree.payoff_range,
        notes=tuple(notes),
    )


def solve_game(
    game: Game | str | Path | None = None,
    *,
    method: str = "all",
    params: Mapping[str, Any] | None = None,
    time_limit: float | None = None,
    memory_limit: int | None = None,
) -> Solution:
    """Solve ``game`` (a :class:`Game`, a file path, a built-in name, or ``None`` for the
    default built-in) by ``method`` (see the table above), with the parameter values
    ``params`` (name -> number) overriding the file's. A :class:`GameError` for a bad file,
    an unknown parameter, a method that does not apply, or pygambit missing (its message
    says how to install it).

    Each pygambit method runs in a child process (:mod:`.worker`): the whole solve may take
    at most ``time_limit`` seconds (default :data:`~.worker.DEFAULT_TIME_LIMIT`, 60) and
    each method may allocate at most ``memory_limit`` MiB (default
    :data:`~.worker.DEFAULT_MEMORY_LIMIT`, 2048); beyond either, or if pygambit crashes, a
    :class:`SolveLimitError` or :class:`SolverCrashError` (both :class:`GameError`) says
    which cheaper method to try. ``all`` and ``refined`` choose their methods by the
    game's size (:mod:`.size`), and the solution's notes say what was left out and why."""
    from .read import load_game

    g = load_game(game)
    tree = g.tree(params)
    return solve_tree(
        tree, method=method, overrides=params, time_limit=time_limit, memory_limit=memory_limit
    )
