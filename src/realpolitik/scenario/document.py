"""A document's problems: collected, located and worded; the top level of a document checked.

A :class:`Collector` gathers the problems of one document (scenario or game), each located
by its path in the data (``stances[3].salience``) and, where the reader knows it, its line;
:func:`validate_document` checks a document's top level with pydantic models (unknown
fields, the scalars of its head, each list and each entry of it on its own, so that one bad
actor does not hide a bad stance) and words pydantic's errors for a reader. The scenario's
own checks are in :mod:`.validate`, the game's in :mod:`realpolitik.games.validate`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeGuard, TypeVar

from ..errors import Problem, ScenarioError
from .numbers import exact, excerpt, plain_number
from .shape import MAX_QUOTE_WORDS, UNCERTAIN_TAGS

if TYPE_CHECKING:  # (pydantic is imported where a document needs its models)
    from pydantic import BaseModel, ValidationError

__all__ = [
    "Collector",
    "Lines",
    "check_source",
    "field_name",
    "finite",
    "known",
    "list_entries",
    "validate_document",
]


#: path in the data (keys and list indices) -> 1-based line number
Lines = Mapping[tuple[Any, ...], int]


def field_name(path: Sequence[Any]) -> str:
    """``("stances", 3, "salience")`` -> ``stances[3].salience``; a part of over 40
    characters (an unknown key's text) cut to its first 40."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = str(part)
            out += ("." if out else "") + (text if len(text) <= 40 else text[:40] + "...")
    return out


def _line(lines: Lines, path: tuple[Any, ...]) -> int | None:
    for k in range(len(path), -1, -1):
        if path[:k] in lines:
            return lines[path[:k]]
    return None


class Collector:
    """The problems found in one document (``file``), each located by its path in the data:
    the field's name and, where ``lines`` knows it, its line.

    ``problems`` found before (by the reader) come first. ``tags`` are the names pydantic puts
    in a location for the member of a union that failed (left out of the field's name);
    ``renames`` maps a model's attribute to the field's name in the file (``from_`` ->
    ``from``); ``error`` is the exception :meth:`fail` and :meth:`check` raise; ``schema``
    the command that prints the format's JSON Schema, named in "unknown field" messages.
    """

    def __init__(
        self,
        file: str,
        lines: Lines,
        *,
        problems: Sequence[Problem] = (),
        tags: Collection[str] = UNCERTAIN_TAGS,
        renames: Mapping[str, str] | None = None,
        error: type[ScenarioError] = ScenarioError,
        schema: str = "realpolitik schema",
    ) -> None:
        self.file, self.lines = file, lines
        self.problems: list[Problem] = list(problems)
        # a field the reader found at fault (a foreign tag, a number beyond range) is
        # reported once, by the reader, not again by the checks that follow
        self.reported = frozenset(p.field for p in problems if p.field)
        self.skipped = frozenset(("function-after", *tags))
        self.renames: dict[int | str, int | str] = {k: v for k, v in (renames or {}).items()}
        self.error = error
        self.schema = schema

    def add(self, path: tuple[Any, ...], message: str) -> None:
        if self.reported and field_name(path) in self.reported:
            return
        self.problems.append(Problem(self.file, field_name(path), message, _line(self.lines, path)))

    def add_validation(self, prefix: tuple[Any, ...], err: ValidationError) -> None:
        for e in err.errors(include_url=False):
            loc = tuple(self.renames.get(x, x) for x in e["loc"] if x not in self.skipped)
            self.add(prefix + loc, _message(e, self.schema))

    def fail(self) -> NoReturn:
        """Stop here: raise the problems found so far, in the order found."""
        raise self.error(self.problems)

    def check(self) -> None:
        """Raise every problem found, sorted by line (those without one last), if any."""
        if self.problems:
            raise self.error(sorted(self.problems, key=lambda p: (p.line is None, p.line or 0)))


Head = TypeVar("Head", bound="BaseModel")


def validate_document(
    data: Any,
    *,
    head: type[Head],
    lists: Mapping[str, type[BaseModel]],
    optional: Collection[str] = (),
    collector: Collector,
    kind: str = "scenario",
    most: Mapping[str, int] | None = None,
) -> tuple[Head | None, dict[str, list[tuple[int, BaseModel]]]]:
    """Check the top level of a ``kind`` document (plain data) into ``collector``.

    ``data`` must be a mapping (else :meth:`Collector.fail` at once) of the fields of
    ``head`` (the scalars, validated together) and of ``lists`` (each name's item spec);
    other fields are unknown. A list is required and must have an entry unless it is
    ``optional``; each entry is validated on its own; a list longer than ``most[name]``
    stops the check at once. Returns the validated head (``None`` if it has problems) and,
    per list, the ``(index, spec)`` of each valid entry.
    """
    from pydantic import ValidationError

    c = collector
    if not isinstance(data, Mapping):
        c.add((), f"expected a mapping of {kind} fields at the top, got {_kind(data)}")
        c.fail()
    allowed = set(head.model_fields) | set(lists)
    for key in data:
        if key not in allowed:
            c.add((key,), "unknown field; expected one of " + ", ".join(sorted(allowed)))
    scalars = {k: v for k, v in data.items() if k in allowed and k not in lists}
    spec: Head | None
    try:
        spec = head.model_validate(scalars)
    except ValidationError as err:
        c.add_validation((), err)
        spec = None

    limits = most or {}
    items: dict[str, list[tuple[int, BaseModel]]] = {}
    for key, item_spec in lists.items():
        items[key] = []
        raw = data.get(key)
        if raw is None:
            if key not in optional and key in data:
                c.add((key,), "expected a list, got nothing")
            elif key not in optional:
                c.add((key,), "missing; this field is required")
            continue
        if not isinstance(raw, list):
            c.add((key,), f"expected a list, got {type(raw).__name__}")
            continue
        if not raw and key not in optional:
            c.add((key,), "expected at least one entry, got an empty list")
        if key in limits and len(raw) > limits[key]:
            c.add((key,), f"{len(raw):,} {key}; at most {limits[key]:,}")
            c.fail()
        for k, entry in enumerate(raw):
            try:
                items[key].append((k, item_spec.model_validate(entry)))
            except ValidationError as err:
                c.add_validation((key, k), err)
    return spec, items


def check_source(c: Collector, path: tuple[Any, ...], s: Any, source_ids: Collection[str]) -> None:
    """A source (raw data, at ``path``) cites an entry of ``sources`` and quotes briefly."""
    if not isinstance(s, Mapping):
        return
    ref, quote = s.get("ref"), s.get("quote")
    if isinstance(ref, str) and ref not in source_ids:
        c.add(
            path + ("ref",),
            f"unknown source {excerpt(ref)}; expected an id of `sources` ({known(source_ids)})",
        )
    if isinstance(quote, str) and len(quote.split()) > MAX_QUOTE_WORDS:
        c.add(
            path + ("quote",),
            f"a quote of {len(quote.split())} words; quote at most {MAX_QUOTE_WORDS} words "
            "and cite the rest",
        )


def _message(e: Mapping[str, Any], schema: str = "realpolitik schema") -> str:
    kind, msg, value = e["type"], e["msg"], e.get("input")
    if kind == "missing":
        return "missing; this field is required"
    if kind == "extra_forbidden":
        return f"unknown field; check its spelling (see `{schema}`)"
    if kind == "finite_number":
        return f"expected a finite number, got {_value(value)}"
    if kind in ("float_type", "int_type") and isinstance(value, str):
        return f"expected a number, got the text {excerpt(value)}"
    if kind in ("float_type", "int_type") and isinstance(value, bool):
        return f"expected a number, got {str(value).lower()}"
    ctx = e.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"expected {ctx.get('ge'):g} or more, got {_value(value)}"
    if kind == "less_than_equal":
        return f"expected at most {ctx.get('le'):g}, got {_value(value)}"
    if kind == "string_pattern_mismatch":
        return (
            "expected an id of at most 64 letters, digits, '-', '_' or '.', starting with a "
            f"letter or digit, got {_value(value)}"
        )
    if kind == "string_type":
        return f"expected a text, got {_kind(value)}"
    if kind == "value_error":
        return str(msg).removeprefix("Value error, ")
    if kind.startswith("date_") and isinstance(value, (_dt.datetime, int, float)):
        # a date with a time of day, or a number: no Python repr in the message
        shown = value.isoformat() if isinstance(value, _dt.datetime) else _value(value)
        return f"expected a date YYYY-MM-DD (no time of day), got {shown}"
    shown = _value(value)
    return f"{msg[0].lower()}{msg[1:]} (got {shown})" if msg else f"invalid (got {shown})"


def _kind(value: Any) -> str:
    """What a value of the wrong type is, briefly: ``a list``, ``the number 12``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {_value(value)}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, _dt.date):
        return "a date"
    return type(value).__name__


def _value(value: Any) -> str:
    """A value quoted for a message: texts and others cut to a short excerpt, numbers
    exactly."""
    if isinstance(value, float):
        return exact(value)
    if isinstance(value, int) and not isinstance(value, bool):
        # no str() of a huge integer: Python refuses those of over 4,300 digits
        if abs(value) < 10**30:
            return str(value)
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    if isinstance(value, str):
        return excerpt(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def known(ids: Collection[Any], most: int = 10) -> str:
    """The ids a reference may name, for a message: at most ``most`` of them."""
    names = sorted(str(i) for i in ids)
    if not names:
        return "none are defined"
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" and {len(names) - most:,} more"


def list_entries(data: Mapping[str, Any], key: str) -> list[tuple[int, Any]]:
    """The ``(index, entry)`` of list ``key`` of ``data``, raw; none if it is not a list."""
    raw = data.get(key)
    return list(enumerate(raw)) if isinstance(raw, list) else []


def finite(v: Any) -> TypeGuard[float]:
    """``v`` is a number (not a bool) that a float holds, finite; never raises (a
    310-digit integer is not finite here, not an ``OverflowError``)."""
    return isinstance(v, (int, float)) and plain_number(v) is not None
