"""What the JSON of a game's results (:class:`~.solve.Solution`, :class:`~.sweep.Sweep`)
shares: how numbers are written, how the game is written with them, and how both are read
back.

**Numbers.** A result holds exact numbers (:class:`fractions.Fraction`: the parameters,
every number of the exact solvers) beside floating-point ones (the logit solver's). JSON
keeps the difference: an **exact number is a string** (``"-3"``, ``"0.7"``, ``"19/4"``: an
integer, a terminating decimal, or a fraction ``a/b``, as
:func:`~.expr.number_text` writes it), read back as a ``Fraction`` of the same value; a
**JSON number is a float**, read back as a ``float`` (an integer-valued one too, should
another tool have written ``1.0`` as ``1``).

**The game.** A result's ``game`` object names the game (``id``, ``name``, ``hash``,
``origin``, ...) and holds it whole: ``spec`` is :meth:`Game.to_dict() <.objects.Game.to_dict>`
(the YAML form), and ``linked`` the values its linked parameters (``from``) had read from the
linked scenario, as exact numbers. On reading, the game is rebuilt from ``spec`` with those
values, without reading the scenario (which may have changed since, or be a file elsewhere),
and its content hash must equal ``hash``: a spec edited after the fact is refused.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import numbers
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..results import FormatError, JsonResult, Provenance, Subject
from .errors import GameError
from .expr import number_text
from .objects import Game

__all__ = [
    "GameResult",
    "exact",
    "game_fields",
    "game_subject",
    "number",
    "read_exact",
    "read_game",
    "read_number",
]

#: the texts of exact numbers (an exponent of at most three digits: no 10**(10**9) to build)
_FRACTION = re.compile(r"-?\d+/\d+")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d{1,3})?")


def number(x: Any) -> str | float:
    """``x`` as JSON: a string if it is exact (a ``Fraction`` or an ``int``), else a float."""
    if isinstance(x, numbers.Rational) and not isinstance(x, bool):
        return number_text(Fraction(x))
    return float(x)


def exact(x: Fraction) -> str:
    """An exact number as its string."""
    return number_text(Fraction(x))


def read_exact(v: Any, what: str) -> Fraction:
    """An exact number from its string; a :class:`~realpolitik.results.FormatError` (a
    ``ValueError``) naming ``what`` otherwise."""
    if isinstance(v, str) and (_FRACTION.fullmatch(v) or _DECIMAL.fullmatch(v)):
        try:
            return Fraction(v)
        except (ValueError, ZeroDivisionError):  # a zero denominator; too many digits
            pass
    raise FormatError(f'{what}: expected an exact number as text (e.g. "1/3"), got {v!r}')


def read_number(v: Any, what: str) -> Fraction | float:
    """A number as :func:`number` wrote it: a string is exact, a JSON number a float."""
    if isinstance(v, str):
        return read_exact(v, what)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    raise FormatError(f"{what}: expected a number, got {v!r}")


def game_subject(game: Game, game_hash: str) -> Subject:
    """A game as a result names what it was computed from."""
    return Subject("game", game.id, game.name, game_hash)


def game_fields(game: Game) -> dict[str, Any]:
    """The keys a result's ``game`` object adds to its summary: ``spec`` and ``linked``."""
    return {
        "spec": game.to_dict(),
        "linked": {p.id: exact(p.value) for p in game.parameters if p.link is not None},
    }


def read_game(ref: Mapping[str, Any], kind: str) -> Game:
    """The game of a result's ``game`` object (see the module's docstring); a ``FormatError``
    if it is not a valid game or its content hash is not the one recorded."""
    spec = ref.get("spec")
    if not isinstance(spec, Mapping):
        raise FormatError(f"this {kind} does not hold its game (no game.spec)")
    linked = ref.get("linked", {})
    if not isinstance(linked, Mapping):
        raise FormatError(f"this {kind}'s game.linked: expected an object, got {linked!r}")
    data = copy.deepcopy(dict(spec))
    links: dict[str, str] = {}
    for p in data.get("parameters") or []:
        if isinstance(p, dict) and "from" in p:
            pid = p.get("id")
            if not isinstance(pid, str) or pid not in linked:
                raise FormatError(
                    f"this {kind}'s game reads parameter {pid!r} from its scenario, but "
                    "game.linked records no value for it"
                )
            links[pid] = p.pop("from")
            # validated at this value (a float; the exact one is put back below)
            p["value"] = float(read_exact(linked[pid], f"game.linked.{pid}"))
    scenario = data.pop("scenario", None)  # not read: the linked values are recorded
    if scenario is not None and not (isinstance(scenario, str) and scenario.strip()):
        raise FormatError(f"this {kind}'s game.spec.scenario: expected a name, got {scenario!r}")
    origin = ref.get("origin", "")
    try:
        game = Game.from_dict(data, origin=origin)
    except GameError as exc:
        raise FormatError(f"the game held in this {kind} is not valid: {exc.describe()}") from None
    if links or scenario is not None:
        params = tuple(
            dataclasses.replace(p, link=links[p.id], value=read_exact(linked[p.id], p.id))
            if p.id in links
            else p
            for p in game.parameters
        )
        game = dataclasses.replace(game, parameters=params, scenario=scenario)
    recorded = ref.get("hash")
    if game.content_hash() != recorded:
        raise FormatError(
            f"the game held in this {kind} has content hash {game.content_hash()}, but the "
            f"{kind} records {recorded}: the game was changed after it was solved"
        )
    return game


class GameResult(JsonResult):
    """What a game's results (a solution, a sweep) share: the game, held whole with its
    content hash; JSON text with its characters as they are; the game as what the run
    history files the run under; and a provenance that names the game and the parameter
    values the result was computed at (:meth:`parameter_values`, as exact numbers)."""

    game: Game
    game_hash: str
    version: str

    def parameter_values(self) -> Mapping[str, Fraction]:
        """The values of the game's parameters that the result was computed at."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Any:
        """The inverse of :meth:`to_dict`; a ``ValueError`` for a document of another
        format, or whose game is not the one it records (its content hash)."""
        cls.check_format(d)
        game = read_game(d["game"], cls.kind)
        return cls.from_fields(
            d, game=game, game_hash=d["game"]["hash"], version=d["version"], notes=tuple(d["notes"])
        )

    @classmethod
    def from_fields(cls, d: Mapping[str, Any], **common: Any) -> Any:
        """The result of the document ``d`` (of its format), given the fields that every
        game result has (``game``, ``game_hash``, ``version``, ``notes``), read already."""
        raise NotImplementedError

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (UTF-8 characters as they are)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    def run_subject(self, scenario: Any = None) -> Mapping[str, Any]:
        """The game itself (its spec, by content): what the run history files it under."""
        return self.game.to_dict()

    @property
    def provenance(self) -> Provenance:
        """The game (its id, name and content hash), the parameter values (exact numbers
        as text) and the version: this result's provenance."""
        params = {k: exact(v) for k, v in self.parameter_values().items()}
        return Provenance(game_subject(self.game, self.game_hash), params, None, self.version)
