"""The scenario file format, declared once with pydantic.

These classes check the *shape* of each part of a file (types, ranges, unknown or
missing fields), locate and word its problems, and give the JSON Schema that
``realpolitik schema`` prints. A file of the right shape is read without them
(:mod:`.shape`, the same values without pydantic's import); tests/test_shape.py holds the
two to the same results.
Checks that need the whole file (duplicate ids, references, positions on their
issue's scale) live in :mod:`realpolitik.scenario.validate`.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .numbers import exact
from .shape import (
    DISTRIBUTIONS,
    MAX_QUOTE_WORDS,
    SHOCK_FIELDS,
    SHOCK_OPS,
)

__all__ = [
    "DISTRIBUTIONS",
    "MAX_QUOTE_WORDS",
    "SHOCK_FIELDS",
    "SHOCK_OPS",
    "ActorSpec",
    "IssueSpec",
    "LocusSpec",
    "OutcomeSpec",
    "QuestionSpec",
    "RangeSpec",
    "RetrospectiveSpec",
    "ScaleSpec",
    "ScenarioHead",
    "ScenarioSpec",
    "ShockSpec",
    "SourceEntrySpec",
    "SourceSpec",
    "StanceSpec",
    "json_schema",
]

Id = Annotated[
    str,
    Field(
        strict=True,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        description="letters, digits, '-', '_' or '.', starting with a letter or digit",
    ),
]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Text = Annotated[str, Field(strict=True, min_length=1)]


def _no_items() -> list[Any]:
    """An absent list's value. (Not ``list`` itself: pydantic reads a default factory's
    signature, and that of a builtin is parsed by ``tokenize``, whose first use compiles a
    large regular expression, a fifth of the schema's import.)"""
    return []


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class RangeSpec(_Strict):
    """An uncertain number: its best estimate ``value`` (what a forecast uses) and the range
    it may take in a simulation, ``low`` to ``high``, with a distribution: ``triangular``
    (the default; peaks at ``value``) or ``uniform``."""

    value: Number = Field(description="the best estimate, used by `forecast`")
    low: Number
    high: Number
    distribution: Literal["triangular", "uniform"] = "triangular"
    note: Text | None = Field(None, description="why the range is this wide")

    @model_validator(mode="after")
    def _ordered(self) -> RangeSpec:
        if not self.low < self.high:
            raise ValueError(f"low ({exact(self.low)}) must be below high ({exact(self.high)})")
        if not self.low <= self.value <= self.high:
            raise ValueError(
                f"value {exact(self.value)} lies outside its range; expected {exact(self.low)} "
                f"to {exact(self.high)}"
            )
        return self


Salience = Annotated[Number, Field(ge=0, le=100)]
NonNegative = Annotated[Number, Field(ge=0)]


class SalienceRangeSpec(RangeSpec):
    """A range of a salience: every bound within 0-100."""

    value: Salience
    low: Salience
    high: Salience


class CapabilityRangeSpec(RangeSpec):
    """A range of a capability: every bound 0 or more."""

    value: NonNegative
    low: NonNegative
    high: NonNegative


def _point_or_range(v: Any) -> str:
    return "range" if isinstance(v, dict) else "point"


#: a number, or a mapping ``{value, low, high, distribution}`` for an uncertain one
Uncertain = Annotated[
    Annotated[Number, Tag("point")] | Annotated[RangeSpec, Tag("range")],
    Discriminator(_point_or_range),
]
UncertainSalience = Annotated[
    Annotated[Salience, Tag("point")] | Annotated[SalienceRangeSpec, Tag("range")],
    Discriminator(_point_or_range),
]
UncertainCapability = Annotated[
    Annotated[NonNegative, Tag("point")] | Annotated[CapabilityRangeSpec, Tag("range")],
    Discriminator(_point_or_range),
]


class SourceSpec(_Strict):
    """Where a number comes from. Give at least one of ``ref``, ``url``, ``dataset``,
    ``quote`` or ``judgement``; ``note`` explains how the source became the number."""

    ref: Id | None = Field(None, description="id of an entry in the scenario's `sources`")
    url: Text | None = None
    dataset: Text | None = Field(None, description="a dataset's name and version")
    year: Annotated[int, Field(strict=True, ge=1000, le=3000)] | None = None
    quote: Text | None = Field(None, description="a short quote (a phrase, not a passage)")
    judgement: Text | None = Field(
        None,
        description="the analyst's own judgement, with its reasoning, where no document "
        "states the number",
    )
    note: Text | None = None

    @model_validator(mode="after")
    def _has_origin(self) -> SourceSpec:
        if not (self.ref or self.url or self.dataset or self.quote or self.judgement):
            raise ValueError("a source needs at least one of ref, url, dataset, quote or judgement")
        return self


class SourceEntrySpec(_Strict):
    """An entry of the bibliography that stances refer to by ``ref``."""

    id: Id
    title: Text
    author: Text | None = None
    publisher: Text | None = None
    date: _dt.date | None = None
    url: Text | None = None
    citation: Text | None = None
    licence: Text | None = None
    note: Text | None = None


class ActorSpec(_Strict):
    id: Id
    name: Text = Field(description="a short name, as tables show it")
    description: Text | None = Field(None, description="who exactly the actor is")
    capability: UncertainCapability = Field(
        description="non-negative; only ratios matter; a number or a range"
    )
    source: SourceSpec = Field(description="where the capability comes from")


class ScaleSpec(_Strict):
    min: Number
    max: Number
    min_label: Text = Field(description="what the minimum of the scale means")
    max_label: Text = Field(description="what the maximum of the scale means")


class LocusSpec(_Strict):
    """The place an issue is about, for a capability discounted by distance
    (`realpolitik capability`): a name, its latitude and longitude (degrees, WGS84) and
    where they come from."""

    name: Text
    lat: Annotated[Number, Field(ge=-90, le=90, description="degrees north (south < 0)")]
    lon: Annotated[Number, Field(ge=-180, le=180, description="degrees east (west < 0)")]
    source: SourceSpec


class IssueSpec(_Strict):
    id: Id
    question: Text
    scale: ScaleSpec
    status_quo: Uncertain | None = Field(
        None, description="the state of things on the scenario's date; a number or a range"
    )
    status_quo_source: SourceSpec | None = None
    locus: LocusSpec | None = Field(None, description="the place the issue is about")


class StanceSpec(_Strict):
    actor: Id
    issue: Id
    position: Uncertain = Field(description="on the issue's scale; a number or a range")
    salience: UncertainSalience = Field(description="0-100; a number or a range")
    capability: UncertainCapability | None = Field(
        None,
        description="the actor's influence on this issue, in the units of the actors' "
        "capabilities; overrides the actor's capability here (optional; a number or a range)",
    )
    source: SourceSpec


class ShockSpec(_Strict):
    """A dated change: from round ``round`` on (0 = from the start), an actor's capability,
    or its position or salience on an issue, is set to, increased by or multiplied by
    ``value``."""

    id: Id | None = Field(None, description="a name to refer to the shock by")
    round: Annotated[int, Field(strict=True, ge=0, le=10_000)] = Field(
        description="the round from which the change holds (0: from the start)"
    )
    actor: Id
    issue: Id | None = Field(None, description="the issue, for a position or salience")
    field: Literal["capability", "position", "salience"]
    op: Literal["set", "add", "multiply"]
    value: Uncertain = Field(description="a number or a range")
    description: Text | None = None
    source: SourceSpec


class OutcomeSpec(_Strict):
    """What became of an issue: the value observed on its scale, when, and the source. A
    forecast of the scenario is graded against it (``realpolitik backtest``)."""

    issue: Id = Field(description="the issue settled")
    value: Number = Field(description="the outcome, on the issue's scale")
    date: _dt.date | None = Field(
        None, description="the day the outcome was settled (a forecast is graded on its lead)"
    )
    note: Text | None = Field(None, description="how the source became the number")
    source: SourceSpec = Field(description="where the outcome is recorded")


class QuestionSpec(_Strict):
    """The question a scenario asks (``text``, e.g. "Putin or Aliyev: who will win?") and
    the actors it is about (``contestants``: two or more ids of `actors`, as the question
    names them), with where the question comes from."""

    text: Text = Field(description="the question, as the source asks it")
    contestants: list[Id] = Field(
        min_length=2,
        max_length=16,
        description="the actors the question is about (ids of `actors`): the bottom line "
        "sets them head to head",
    )
    source: SourceSpec | None = None


class RetrospectiveSpec(_Strict):
    """An opt-out of the date rule, recorded: the scenario is a retrospective study and may
    cite sources dated after its ``date``; ``reason`` says why."""

    reason: Text = Field(description="why sources dated after the scenario's date are used")


class ScenarioHead(_Strict):
    """The scalar fields of a scenario."""

    id: Id
    name: Text
    date: _dt.date | None = Field(
        None,
        description="the date the scenario describes; use only what was known then "
        "(optional, but `validate` asks for it)",
    )
    description: str = ""
    question: QuestionSpec | None = Field(
        None, description="the question the scenario asks and the actors it is about (optional)"
    )
    retrospective: RetrospectiveSpec | None = Field(
        None,
        description="a retrospective study: sources dated after `date` are allowed, and the "
        "reason is recorded (optional; without it such a source is a problem)",
    )


class ScenarioSpec(ScenarioHead):
    """A realpolitik scenario. Salience is on 0-100; positions on each issue's scale."""

    sources: list[SourceEntrySpec] = Field(default_factory=_no_items)
    actors: list[ActorSpec] = Field(min_length=1)
    issues: list[IssueSpec] = Field(min_length=1)
    stances: list[StanceSpec] = Field(min_length=1)
    shocks: list[ShockSpec] = Field(default_factory=_no_items)
    outcomes: list[OutcomeSpec] = Field(
        default_factory=_no_items,
        description="observed outcomes of issues, for grading forecasts (`realpolitik backtest`)",
    )


#: the list-valued top-level fields, their item spec
LISTS: dict[str, type[BaseModel]] = {
    "sources": SourceEntrySpec,
    "actors": ActorSpec,
    "issues": IssueSpec,
    "stances": StanceSpec,
    "shocks": ShockSpec,
    "outcomes": OutcomeSpec,
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = ScenarioSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:realpolitik:scenario:1"
    schema["title"] = "realpolitik scenario"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
