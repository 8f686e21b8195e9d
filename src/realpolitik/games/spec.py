"""The game file format, declared once with pydantic.

These classes check the *shape* of each part of a game file (types, unknown or missing
fields) and give the JSON Schema that ``realpolitik game schema`` prints. Checks that need
the whole file (references between nodes, probabilities summing to 1, a payoff for every
player, information sets, perfect recall) live in :mod:`realpolitik.games.validate`.

The sources and the bibliography are the scenario format's own
(:class:`~realpolitik.scenario.schema.SourceSpec`,
:class:`~realpolitik.scenario.schema.SourceEntrySpec`), so that a game coded from a
scenario's documents cites them by the same ids.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from ..scenario.schema import SourceEntrySpec, SourceSpec

__all__ = [
    "CHANCE",
    "ActionSpec",
    "GameHead",
    "GameSpec",
    "NodeSpec",
    "ParameterSpec",
    "PayoffSpec",
    "PlayerSpec",
    "json_schema",
    "json_schema_text",
]

#: the player id of chance moves (reserved: no player may have it)
CHANCE = "chance"

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        description="letters, digits, '-', '_' or '.', starting with a letter or digit",
    ),
]
Name = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$",
        description="a name usable in expressions: letters, digits and '_', not starting "
        "with a digit",
    ),
]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]
ExprText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        description="an expression: numbers, parameter names, + - * /, parentheses, abs, min, max",
    ),
]


def _number_or_expr(v: Any) -> str:
    return "expression" if isinstance(v, str) else "number"


#: a number, or an expression over the parameters
Value = Annotated[
    Annotated[Number, Tag("number")] | Annotated[ExprText, Tag("expression")],
    Discriminator(_number_or_expr),
]
#: the tags pydantic puts in an error's location inside a ``Value``
VALUE_TAGS = ("number", "expression", "payoff")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PlayerSpec(_Strict):
    id: Id
    name: Text = Field(description="a short name, as sentences and tables show it")
    description: Text | None = None


class ParameterSpec(_Strict):
    """A named number that probabilities and payoffs may use. Give ``value``, or ``from``
    to read it from the linked scenario (``ACTOR.ISSUE.position``,
    ``ACTOR.ISSUE.salience`` or ``ACTOR.capability``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Name
    value: Number | None = Field(None, description="the parameter's value")
    from_: Text | None = Field(
        None,
        alias="from",
        description="read the value from the linked scenario: ACTOR.ISSUE.position, "
        "ACTOR.ISSUE.salience or ACTOR.capability",
    )
    low: Number | None = Field(None, description="the lowest value worth sweeping to")
    high: Number | None = Field(None, description="the highest value worth sweeping to")
    description: Text | None = None
    source: SourceSpec | None = None

    @model_validator(mode="after")
    def _one_value(self) -> ParameterSpec:
        if (self.value is None) == (self.from_ is None):
            raise ValueError("give either `value` or `from` (a number of the linked scenario)")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.value is not None:
            if self.low is not None and self.value < self.low:
                raise ValueError(f"value {self.value:g} is below low ({self.low:g})")
            if self.high is not None and self.value > self.high:
                raise ValueError(f"value {self.value:g} is above high ({self.high:g})")
        return self


class ActionSpec(_Strict):
    """A move out of a node: its id, what it is in words, the node it leads to, and at a
    chance node its probability."""

    id: Id
    label: Text | None = Field(
        None,
        description="the action in words: a verb phrase for a player ('recognises the "
        "NKR'), a clause for chance ('Russia is overstretched'); default: the id",
    )
    to: Id = Field(description="the id of the node this action leads to")
    probability: Value | None = Field(
        None, description="at a chance node: a number or an expression; the node's sum to 1"
    )


class PayoffSpec(_Strict):
    """A payoff with the reason for its number."""

    value: Value
    reason: Text | None = Field(None, description="why this number, in a sentence")
    source: SourceSpec | None = None


def _payoff_kind(v: Any) -> str:
    if isinstance(v, dict):
        return "payoff"
    return _number_or_expr(v)


PayoffValue = Annotated[
    Annotated[Number, Tag("number")]
    | Annotated[ExprText, Tag("expression")]
    | Annotated[PayoffSpec, Tag("payoff")],
    Discriminator(_payoff_kind),
]


class NodeSpec(_Strict):
    """A node of the tree: a decision (``player`` and ``actions``), a chance move
    (``player: chance``, actions with probabilities) or an end (``payoffs``)."""

    id: Id
    player: Id | None = Field(
        None, description="who moves here: a player's id, or 'chance'; absent at an end"
    )
    infoset: Id | None = Field(
        None,
        description="nodes with the same infoset are the ones the player cannot tell "
        "apart; default: a set of its own",
    )
    text: Text | None = Field(None, description="what this node is, in words")
    actions: list[ActionSpec] | None = Field(None, min_length=1)
    payoffs: dict[str, PayoffValue] | None = Field(
        None,
        description="at an end: each player's payoff (a number, an expression, or "
        "{value, reason, source})",
    )
    reason: Text | None = Field(None, description="at an end: why these payoffs")
    source: SourceSpec | None = Field(None, description="at an end: the source of the payoffs")


class GameHead(_Strict):
    """The scalar fields of a game."""

    id: Id
    name: Text
    date: _dt.date | None = Field(
        None, description="the date the game describes; use only what was known then"
    )
    description: str = ""
    scenario: Text | None = Field(
        None,
        description="a linked scenario (a built-in name, or a file path relative to this "
        "file) that parameters may read numbers from",
    )
    payoff_scale: Text | None = Field(
        None,
        description="what the payoff numbers mean (their unit, and what 0 is); 'who wins' "
        "compares players' expected payoffs with 0",
    )
    root: Id | None = Field(None, description="the first node; default: the first listed")
    notes: list[Text] = Field(default_factory=list, description="remarks on the whole game")


class GameSpec(GameHead):
    """A realpolitik game: an extensive-form game with chance moves, information sets and
    payoffs, each payoff with its reason."""

    sources: list[SourceEntrySpec] = Field(default_factory=list)
    players: list[PlayerSpec] = Field(min_length=1)
    parameters: list[ParameterSpec] = Field(default_factory=list)
    nodes: list[NodeSpec] = Field(min_length=2)


#: the list-valued top-level fields, their item spec
LISTS: dict[str, type[BaseModel]] = {
    "sources": SourceEntrySpec,
    "players": PlayerSpec,
    "parameters": ParameterSpec,
    "nodes": NodeSpec,
}
#: lists that may be absent or empty
OPTIONAL_LISTS = ("sources", "parameters")


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a game file."""
    schema = GameSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:realpolitik:game:1"
    schema["title"] = "realpolitik game"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2) + "\n"
