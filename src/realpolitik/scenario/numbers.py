"""The one number grammar of every reader (scenario YAML, CSV tables, KTAB CSV, DEU files,
``--set`` and the dashboard's number fields), and how messages quote what they refuse.

A number is a plain decimal: an optional sign, ASCII digits with an optional point, an
optional exponent (``42``, ``-3.5``, ``.5``, ``1e3``). Nothing else is a number: no
``1_000``, no ``0x10``, no digits of other scripts (``١٢``, ``１２``), no ``nan`` or
``inf``, no control characters. Spaces and tabs around a cell are ignored. A number beyond
the range of a float (about 1.8e308, such as a 310-digit integer) is refused with a short
message, not turned into ``inf`` or an overflow.

Messages quote at most :data:`EXCERPT` characters of an offending text
(:func:`excerpt`) and write numbers exactly (:func:`exact`: ``100.0000001``, never
``100``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence

__all__ = [
    "EXCERPT",
    "FLOAT_MAX",
    "NUMBER",
    "WHOLE",
    "NumberError",
    "bad_character",
    "exact",
    "excerpt",
    "formula_guarded",
    "formula_unguarded",
    "number_or_none",
    "parse_number",
    "parse_whole",
    "plain_number",
    "some",
]

#: the grammar of a number (ASCII only)
NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
#: the grammar of a whole number
WHOLE = re.compile(r"[-+]?[0-9]+", re.ASCII)
#: the largest float, the bound of every number read
FLOAT_MAX = "1.7976931348623157e+308"
#: the most characters of an offending text a message quotes
EXCERPT = 40

# what YAML 1.2 refuses in a document (C0 and C1 controls but tab, newline, carriage return
# and NEL; DEL; surrogates; U+FFFE/U+FFFF): every reader refuses them alike
_BAD = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class NumberError(ValueError):
    """A text that is not a number of the grammar, or a value that is not a usable number;
    the message says what was expected (the reader adds where)."""


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` quoted for a message: its ``repr`` (control characters escaped), cut to
    ``limit`` characters with its length noted when longer."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def some(texts: Sequence[str], most: int = 8) -> str:
    """At most ``most`` of ``texts``, each quoted briefly, and how many more there are: for
    messages about many names (9,996 unknown columns are not listed whole)."""
    shown = ", ".join(excerpt(t, 30) for t in texts[:most])
    return shown + (f" and {len(texts) - most:,} more" if len(texts) > most else "")


def exact(value: float) -> str:
    """``value`` written exactly, briefly: ``100``, ``12.5``, ``1e+20``, ``100.0000001``
    (``:g`` where it is exact, else the shortest text that reads back as the same float)."""
    short = f"{value:g}"
    try:
        same = float(short) == value
    except ValueError:  # pragma: no cover - :g of a float always reads back
        same = False
    return short if same else repr(float(value))


def bad_character(text: str) -> tuple[int, str] | None:
    """The index and code point (``U+0000``) of the first character no reader accepts in
    ``text`` (a control character but tab, newline and carriage return; a surrogate), or
    ``None``."""
    m = _BAD.search(text)
    return None if m is None else (m.start(), f"U+{ord(m.group()):04X}")


def parse_number(text: str, *, what: str = "a finite number") -> float:
    """``text`` as a finite float if it is a number of the grammar (spaces and tabs around
    it ignored); else a :class:`NumberError` saying ``what`` was expected, quoting an
    excerpt."""
    raw = text.strip(" \t")
    if not NUMBER.fullmatch(raw):
        if not raw:
            raise NumberError(f"expected {what}, got nothing")
        if raw.lower().lstrip("+-.") in ("nan", "inf", "infinity"):
            raise NumberError(f"{excerpt(raw)} is not finite; expected {what}")
        if bad_character(raw):
            raise NumberError(f"expected {what}, got {excerpt(raw)} (with a control character)")
        raise NumberError(f"expected {what}, got {excerpt(raw)}")
    value = float(raw)
    if not math.isfinite(value):
        raise NumberError(
            f"{excerpt(raw, 20)} is beyond the range of a number (about 1.8e308); expected {what}"
        )
    if value == 0.0 and re.search(r"[1-9]", re.split(r"[eE]", raw)[0]):
        raise NumberError(
            f"{excerpt(raw, 20)} is too small to tell from 0 (below about 1e-308); write 0 "
            f"or a larger number; expected {what}"
        )
    return value


def number_or_none(text: str) -> float | None:
    """:func:`parse_number` of ``text``, or ``None`` if it is not a number."""
    try:
        return parse_number(text)
    except NumberError:
        return None


#: What a spreadsheet takes a cell's text for a formula by: its first character.
FORMULA_START = ("=", "+", "-", "@")


def formula_guarded(cell: str) -> str:
    """A CSV cell that a spreadsheet would run as a formula (a name such as
    ``=HYPERLINK(...)``) written with a leading apostrophe, which spreadsheets show as
    text; a number (``-5``) is left as it is. :func:`formula_unguarded` takes it off on
    reading."""
    if cell.startswith(FORMULA_START) and number_or_none(cell) is None:
        return "'" + cell
    return cell


def formula_unguarded(cell: str) -> str:
    """A cell as :func:`formula_guarded` wrote it, read back: the apostrophe before a
    leading ``=``, ``+``, ``-`` or ``@`` taken off (a text that itself starts with ``'=``
    loses its apostrophe: the one cost of the guard)."""
    if cell.startswith("'") and cell[1:2] in FORMULA_START:
        return cell[1:]
    return cell


def parse_whole(text: str, *, low: int = 0, high: int = 10**6, what: str = "") -> int:
    """``text`` as a whole number from ``low`` to ``high`` (ASCII digits, optional sign);
    else a :class:`NumberError` naming the range (``what``: how to call the number)."""
    raw = text.strip(" \t")
    expected = f"{what or 'a whole number'} from {low:,} to {high:,}"
    if not WHOLE.fullmatch(raw):
        raise NumberError(f"expected {expected}, got {excerpt(raw) if raw else 'nothing'}")
    digits = raw.lstrip("+-").lstrip("0")
    if len(digits) > len(str(max(abs(low), abs(high)))) or not low <= int(raw) <= high:
        raise NumberError(f"expected {expected}, got {excerpt(raw, 20)}")
    return int(raw)


def plain_number(value: object) -> float | None:
    """``value`` (a parsed YAML or JSON value) as a finite float if it is a number (an
    ``int`` or a ``float``, not a bool) within a float's range, else ``None``. Never
    raises: a 310-digit integer is ``None``, not an ``OverflowError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        f = float(value)
    except (OverflowError, ValueError, TypeError):
        return None
    return f if math.isfinite(f) else None
