"""The shape of a scenario document, checked without pydantic where nothing is wrong.

:mod:`.schema` declares the format with pydantic, and its models locate and word every
problem (:func:`.validate.validate_document`). Importing pydantic and building those models
takes about a tenth of a second, as long as the rest of a command's start; a valid file,
the usual case, does not need them. :func:`document` checks a document's shape in plain
Python and gives what the models would give (the same values, of the same types), or
``None`` at the first thing it does not accept, and then the models check the whole
document as before: so every problem is still found, located and worded by pydantic, and
this module only has to be right about what it accepts. It accepts less than the models
do (it declines where a value would need one of their conversions: a date written with a
time, whitespace only Unicode knows, a lone surrogate, a number beyond 2^53 written as an
integer...);
tests/test_shape.py holds the two to the same results over the built-in scenarios and
seeded mutations of them.

The parts are :class:`Parsed` values: the models' fields by name, read-only, with
``model_dump()`` as a model has it.

Complexity: O(size of the document).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

__all__ = [
    "DISTRIBUTIONS",
    "MAX_QUOTE_WORDS",
    "OPTIONAL_LISTS",
    "SHOCK_FIELDS",
    "SHOCK_OPS",
    "UNCERTAIN_TAGS",
    "Parsed",
    "document",
]

#: a quote in a source: at most this many words
MAX_QUOTE_WORDS = 30
#: the distributions a range may have
DISTRIBUTIONS = ("triangular", "uniform")
#: what a shock may change, and how
SHOCK_FIELDS = ("capability", "position", "salience")
SHOCK_OPS = ("set", "add", "multiply")
#: the tags pydantic puts in an error's location inside a point-or-range value
UNCERTAIN_TAGS = ("point", "range")
#: the lists of a scenario that may be absent or empty
OPTIONAL_LISTS = ("sources", "shocks", "outcomes")

#: an id: letters, digits, '-', '_' or '.', starting with a letter or digit, at most 64
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: what both Python and pydantic (Rust's ``trim``) strip from the ends of a text
_ASCII_SPACE = " \t\n\r\x0b\x0c"
#: a surrogate code point, which a Python text may hold but no UTF-8 text (pydantic's)
_SURROGATE = re.compile("[\ud800-\udfff]")
#: integers that a float holds exactly (pydantic turns an integer into a float)
_EXACT_INT = 2**53


class Decline(Exception):
    """Raised inside :func:`document` where it does not accept the document."""


class Parsed(SimpleNamespace):
    """A part of a document as its pydantic model holds it: its fields by name, in the
    model's order, read-only."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def model_dump(self) -> dict[str, Any]:
        """The fields as plain data, parts within as mappings (as pydantic's)."""
        return {k: v.model_dump() if isinstance(v, Parsed) else v for k, v in vars(self).items()}


# ---------------------------------------------------------------- values

Check = Callable[[Any], Any]


def _text(v: Any, *, empty: bool = False) -> str:
    """A text with its whitespace stripped, not empty unless ``empty``."""
    if type(v) is not str:
        raise Decline
    if not v.isascii() and _SURROGATE.search(v):
        # a lone surrogate (a YAML or JSON escape such as \ud800): a Python text holds it,
        # but pydantic (UTF-8) refuses it
        raise Decline
    s = v.strip(_ASCII_SPACE)
    # whitespace that only one side would strip (Unicode spaces; \x1c-\x1f for Python)
    if s and (s[0].isspace() or s[-1].isspace()):
        raise Decline
    if not s and not empty:
        raise Decline
    return s


def _id(v: Any) -> str:
    s = _text(v)
    if not _ID.fullmatch(s):
        raise Decline
    return s


def _number(v: Any, low: float = -math.inf, high: float = math.inf) -> float:
    if type(v) is float:
        if not math.isfinite(v):
            raise Decline
    elif type(v) is int:
        if not -_EXACT_INT <= v <= _EXACT_INT:
            raise Decline
        v = float(v)
    else:
        raise Decline
    if not low <= v <= high:
        raise Decline
    return v


def _whole(low: int, high: int) -> Check:
    def check(v: Any) -> int:
        if type(v) is not int or not low <= v <= high:
            raise Decline
        return v

    return check


def _date(v: Any) -> _dt.date:
    if type(v) is _dt.date:
        return v
    if type(v) is str and _DATE.fullmatch(v):
        try:
            return _dt.date.fromisoformat(v)
        except ValueError:
            raise Decline from None
    raise Decline


def _literal(*options: str) -> Check:
    def check(v: Any) -> str:
        if type(v) is not str or v not in options:
            raise Decline
        return v

    return check


def _bounded(low: float = -math.inf, high: float = math.inf) -> Check:
    return lambda v: _number(v, low, high)


def _optional(check: Check) -> Check:
    return lambda v: None if v is None else check(v)


_REQUIRED = object()


def _model(fields: dict[str, tuple[Check, Any]], after: Check | None = None) -> Check:
    """A model's check: a mapping of exactly these fields (name -> (check, default), the
    default ``_REQUIRED`` for a required field), each checked, then ``after`` on the part."""

    def check(v: Any) -> Parsed:
        if type(v) is not dict:
            raise Decline
        for key in v:
            if key not in fields:
                raise Decline
        values: dict[str, Any] = {}
        for name, (field_check, default) in fields.items():
            if name in v:
                values[name] = field_check(v[name])
            elif default is _REQUIRED:
                raise Decline
            else:
                values[name] = default
        part = Parsed(**values)
        if after is not None:
            after(part)
        return part

    return check


def _ordered(r: Parsed) -> None:
    if not (r.low < r.high and r.low <= r.value <= r.high):
        raise Decline


def _range(bound: Check) -> Check:
    return _model(
        {
            "value": (bound, _REQUIRED),
            "low": (bound, _REQUIRED),
            "high": (bound, _REQUIRED),
            "distribution": (_literal(*DISTRIBUTIONS), "triangular"),
            "note": (_optional(_text), None),
        },
        _ordered,
    )


def _uncertain(bound: Check) -> Check:
    """A number, or a range (a mapping) of numbers, each checked by ``bound``."""
    as_range = _range(bound)
    return lambda v: as_range(v) if isinstance(v, dict) else bound(v)


def _has_origin(s: Parsed) -> None:
    if not (s.ref or s.url or s.dataset or s.quote or s.judgement):
        raise Decline


_TEXT = _optional(_text)
_NUMBER = _bounded()
_UNCERTAIN = _uncertain(_NUMBER)
_SALIENCE = _uncertain(_bounded(0.0, 100.0))
_CAPABILITY = _uncertain(_bounded(0.0))

_SOURCE = _model(
    {
        "ref": (_optional(_id), None),
        "url": (_TEXT, None),
        "dataset": (_TEXT, None),
        "year": (_optional(_whole(1000, 3000)), None),
        "quote": (_TEXT, None),
        "judgement": (_TEXT, None),
        "note": (_TEXT, None),
    },
    _has_origin,
)

_SOURCE_ENTRY = _model(
    {
        "id": (_id, _REQUIRED),
        "title": (_text, _REQUIRED),
        "author": (_TEXT, None),
        "publisher": (_TEXT, None),
        "date": (_optional(_date), None),
        "url": (_TEXT, None),
        "citation": (_TEXT, None),
        "licence": (_TEXT, None),
        "note": (_TEXT, None),
    }
)

_ACTOR = _model(
    {
        "id": (_id, _REQUIRED),
        "name": (_text, _REQUIRED),
        "description": (_TEXT, None),
        "capability": (_CAPABILITY, _REQUIRED),
        "source": (_SOURCE, _REQUIRED),
    }
)

_SCALE = _model(
    {
        "min": (_NUMBER, _REQUIRED),
        "max": (_NUMBER, _REQUIRED),
        "min_label": (_text, _REQUIRED),
        "max_label": (_text, _REQUIRED),
    }
)

_LOCUS = _model(
    {
        "name": (_text, _REQUIRED),
        "lat": (_bounded(-90.0, 90.0), _REQUIRED),
        "lon": (_bounded(-180.0, 180.0), _REQUIRED),
        "source": (_SOURCE, _REQUIRED),
    }
)

_ISSUE = _model(
    {
        "id": (_id, _REQUIRED),
        "question": (_text, _REQUIRED),
        "scale": (_SCALE, _REQUIRED),
        "status_quo": (_optional(_UNCERTAIN), None),
        "status_quo_source": (_optional(_SOURCE), None),
        "locus": (_optional(_LOCUS), None),
    }
)

_STANCE = _model(
    {
        "actor": (_id, _REQUIRED),
        "issue": (_id, _REQUIRED),
        "position": (_UNCERTAIN, _REQUIRED),
        "salience": (_SALIENCE, _REQUIRED),
        "capability": (_optional(_CAPABILITY), None),
        "source": (_SOURCE, _REQUIRED),
    }
)

_SHOCK = _model(
    {
        "id": (_optional(_id), None),
        "round": (_whole(0, 10_000), _REQUIRED),
        "actor": (_id, _REQUIRED),
        "issue": (_optional(_id), None),
        "field": (_literal(*SHOCK_FIELDS), _REQUIRED),
        "op": (_literal(*SHOCK_OPS), _REQUIRED),
        "value": (_UNCERTAIN, _REQUIRED),
        "description": (_TEXT, None),
        "source": (_SOURCE, _REQUIRED),
    }
)

_OUTCOME = _model(
    {
        "issue": (_id, _REQUIRED),
        "value": (_NUMBER, _REQUIRED),
        "date": (_optional(_date), None),
        "note": (_TEXT, None),
        "source": (_SOURCE, _REQUIRED),
    }
)


def _contestants(v: Any) -> list[str]:
    if type(v) is not list or not 2 <= len(v) <= 16:
        raise Decline
    return [_id(x) for x in v]


_QUESTION = _model(
    {
        "text": (_text, _REQUIRED),
        "contestants": (_contestants, _REQUIRED),
        "source": (_optional(_SOURCE), None),
    }
)

_RETROSPECTIVE = _model({"reason": (_text, _REQUIRED)})

#: the scalar fields of a scenario (the head), checked together
_HEAD_FIELDS: dict[str, tuple[Check, Any]] = {
    "id": (_id, _REQUIRED),
    "name": (_text, _REQUIRED),
    "date": (_optional(_date), None),
    "description": (lambda v: _text(v, empty=True), ""),
    "question": (_optional(_QUESTION), None),
    "retrospective": (_optional(_RETROSPECTIVE), None),
}
_HEAD = _model(_HEAD_FIELDS)

_ITEMS: dict[str, Check] = {
    "sources": _SOURCE_ENTRY,
    "actors": _ACTOR,
    "issues": _ISSUE,
    "stances": _STANCE,
    "shocks": _SHOCK,
    "outcomes": _OUTCOME,
}


def document(data: Any) -> tuple[Parsed, dict[str, list[tuple[int, Parsed]]]] | None:
    """The head (the scalar fields) and, per list of the format, the ``(index, part)`` of
    each entry of a scenario document (plain data, as read from YAML), as
    :func:`.validate.validate_document` gives them with :mod:`.schema`'s models when it
    finds no problem; ``None`` where this check does not accept the document (the models
    then check it, and find its problems if it has any)."""
    if type(data) is not dict:
        return None
    try:
        scalars: dict[str, Any] = {}
        for key, value in data.items():
            if key in _ITEMS:
                continue
            if type(key) is not str or key not in _HEAD_FIELDS:
                raise Decline
            scalars[key] = value
        head = _HEAD(scalars)
        items: dict[str, list[tuple[int, Parsed]]] = {}
        for key, check in _ITEMS.items():
            raw = data.get(key)
            if raw is None:
                if key not in OPTIONAL_LISTS:
                    raise Decline
                items[key] = []
                continue
            if type(raw) is not list or (not raw and key not in OPTIONAL_LISTS):
                raise Decline
            items[key] = [(k, check(entry)) for k, entry in enumerate(raw)]
    except (Decline, RecursionError):
        return None
    return head, items
