"""The scenario file format, declared once with pydantic.

These classes check the *shape* of each part of a file (types, ranges, unknown or
missing fields) and give the JSON Schema that ``realpolitik schema`` prints.
Checks that need the whole file (duplicate ids, references, positions on their
issue's scale) live in :mod:`realpolitik.scenario.validate`.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "MAX_QUOTE_WORDS",
    "ActorSpec",
    "IssueSpec",
    "ScaleSpec",
    "ScenarioHead",
    "ScenarioSpec",
    "SourceEntrySpec",
    "SourceSpec",
    "StanceSpec",
    "json_schema",
]

MAX_QUOTE_WORDS = 30

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        description="letters, digits, '-', '_' or '.', starting with a letter or digit",
    ),
]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


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
    capability: Annotated[Number, Field(ge=0, description="non-negative; only ratios matter")]
    source: SourceSpec = Field(description="where the capability comes from")


class ScaleSpec(_Strict):
    min: Number
    max: Number
    min_label: Text = Field(description="what the minimum of the scale means")
    max_label: Text = Field(description="what the maximum of the scale means")


class IssueSpec(_Strict):
    id: Id
    question: Text
    scale: ScaleSpec
    status_quo: Number | None = Field(
        None, description="the state of things on the scenario's date"
    )
    status_quo_source: SourceSpec | None = None


class StanceSpec(_Strict):
    actor: Id
    issue: Id
    position: Number = Field(description="on the issue's scale")
    salience: Annotated[Number, Field(ge=0, le=100, description="0-100")]
    source: SourceSpec


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


class ScenarioSpec(ScenarioHead):
    """A realpolitik scenario. Salience is on 0-100; positions on each issue's scale."""

    sources: list[SourceEntrySpec] = Field(default_factory=list)
    actors: list[ActorSpec] = Field(min_length=1)
    issues: list[IssueSpec] = Field(min_length=1)
    stances: list[StanceSpec] = Field(min_length=1)


#: the list-valued top-level fields, their item spec
LISTS: dict[str, type[BaseModel]] = {
    "sources": SourceEntrySpec,
    "actors": ActorSpec,
    "issues": IssueSpec,
    "stances": StanceSpec,
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
