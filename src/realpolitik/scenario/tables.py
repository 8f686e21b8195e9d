"""A scenario as tables: one sheet (or CSV file) per part, one row per entry.

The tables, each with a header row (docs/reference/table-format.md):

* ``stances`` (the long table): one row per actor and issue: ``actor``, ``issue``,
  ``position``, ``salience``, an optional ``capability`` (the actor's on this issue), the
  range of each (``position_low``, ``position_high``, ``position_distribution``,
  ``position_range_note``...) and its source (``source``, the id of a ``sources`` row, and
  ``source_url``, ``source_dataset``, ``source_year``, ``source_quote``,
  ``source_judgement``, ``source_note``);
* ``actors``: ``id``, ``name``, ``description``, ``capability`` (ranged) and its source;
* ``issues``: ``id``, ``question``, ``min``, ``max``, ``min_label``, ``max_label``,
  ``status_quo`` (ranged) and its source (``status_quo_source``, ``status_quo_source_url``...);
* optional: ``meta`` (rows of ``field``, ``value``: ``id``, ``name``, ``date``,
  ``description``, ``question``, ``contestants``, ``question_source``..., ``retrospective``),
  ``sources`` (the bibliography), ``shocks`` and ``outcomes``; a sheet named ``notes`` is
  the analyst's and is not read.

A workbook (XLSX, :mod:`.xlsx_io`) holds them as sheets; CSV, as a folder of files named
after them (``actors.csv``...). Both become the plain data of the YAML form and are
validated by the same :func:`~.validate.build_scenario`; every problem is then located by
its table, row and column. :func:`scenario_tables` writes a scenario (or its plain data)
as the same tables: reading them back gives the same content hash.

What a cell may hold is checked here, cell by cell (:func:`cell_value`); numbers are read by
one small function, :func:`cell_number`, and nothing is coerced silently: a percentage, a
date or a formula in a number cell, a decimal comma, a number where an id is expected
(except a whole number, read as its digits) are located errors.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, ScenarioError
from .document import field_name
from .interventions import parse_number
from .numbers import formula_guarded, formula_unguarded, some
from .objects import Scenario
from .validate import FILL, build_scenario

__all__ = [
    "FILL",
    "OPTIONAL",
    "REQUIRED",
    "SHEETS",
    "Bad",
    "Percent",
    "cell_number",
    "read_csv_folder",
    "scenario_from_tables",
    "scenario_tables",
    "write_csv_folder",
]

#: The tables a scenario must have, and those it may have.
REQUIRED = ("actors", "issues", "stances")
OPTIONAL = ("meta", "sources", "shocks", "outcomes")
SHEETS = ("meta", "sources", "actors", "issues", "stances", "shocks", "outcomes")
#: A table the reader leaves alone: the analyst's notes.
NOTES = "notes"


class Bad:
    """A cell that cannot be read as a value (a formula...): why, said when it is used."""

    def __init__(self, why: str) -> None:
        self.why = why


class Percent:
    """A number shown as a percentage (a cell formatted ``0%``): it holds 0.45 for 45%."""

    def __init__(self, value: float) -> None:
        self.value = value


# ------------------------------------------------------------------ the columns


@dataclass(frozen=True)
class Column:
    """A column: its ``name``, the ``path`` of its value in the table's entry, its ``kind``
    (``text``, ``number``, ``int``, ``date``, ``list``; ``range`` for a ranged number's
    parts) and whether a template shows it (``shown``)."""

    name: str
    path: tuple[str, ...]
    kind: str
    shown: bool = True


def _source(prefix: str, key: tuple[str, ...], shown: Sequence[str] = ()) -> list[Column]:
    parts = ("url", "dataset", "year", "quote", "judgement", "note")
    return [Column(prefix, (*key, "ref"), "text")] + [
        Column(f"{prefix}_{p}", (*key, p), "int" if p == "year" else "text", p in shown)
        for p in parts
    ]


def _ranged(name: str, key: tuple[str, ...], shown: bool = True) -> list[Column]:
    """A number that may carry a range: ``name`` (its best estimate), ``name_low``,
    ``name_high``, ``name_distribution``, ``name_range_note``."""
    return [
        Column(name, key, "number", shown),
        Column(f"{name}_low", (*key, "low"), "range", shown),
        Column(f"{name}_high", (*key, "high"), "range", shown),
        Column(f"{name}_distribution", (*key, "distribution"), "range", False),
        Column(f"{name}_range_note", (*key, "note"), "range", False),
    ]


COLUMNS: Mapping[str, tuple[Column, ...]] = {
    "meta": (
        Column("id", ("id",), "text"),
        Column("name", ("name",), "text"),
        Column("date", ("date",), "date"),
        Column("description", ("description",), "text"),
        Column("question", ("question", "text"), "text"),
        Column("contestants", ("question", "contestants"), "list"),
        *_source("question_source", ("question", "source"), ("quote",)),
        Column("retrospective", ("retrospective", "reason"), "text", False),
    ),
    "sources": (
        Column("id", ("id",), "text"),
        Column("title", ("title",), "text"),
        Column("author", ("author",), "text"),
        Column("publisher", ("publisher",), "text", False),
        Column("date", ("date",), "date"),
        Column("url", ("url",), "text"),
        Column("citation", ("citation",), "text", False),
        Column("licence", ("licence",), "text", False),
        Column("note", ("note",), "text", False),
    ),
    "actors": (
        Column("id", ("id",), "text"),
        Column("name", ("name",), "text"),
        Column("description", ("description",), "text", False),
        *_ranged("capability", ("capability",), shown=False),
        *_source("source", ("source",), ("quote", "judgement", "note")),
    ),
    "issues": (
        Column("id", ("id",), "text"),
        Column("question", ("question",), "text"),
        Column("min", ("scale", "min"), "number"),
        Column("max", ("scale", "max"), "number"),
        Column("min_label", ("scale", "min_label"), "text"),
        Column("max_label", ("scale", "max_label"), "text"),
        *_ranged("status_quo", ("status_quo",), shown=False),
        *_source("status_quo_source", ("status_quo_source",), ("quote", "judgement", "note")),
        Column("locus", ("locus", "name"), "text", False),
        Column("locus_lat", ("locus", "lat"), "number", False),
        Column("locus_lon", ("locus", "lon"), "number", False),
        *_source("locus_source", ("locus", "source")),
    ),
    "stances": (
        Column("actor", ("actor",), "text"),
        Column("issue", ("issue",), "text"),
        *_ranged("position", ("position",)),
        *_ranged("salience", ("salience",)),
        *_ranged("capability", ("capability",), shown=False),
        *_source("source", ("source",), ("quote", "judgement", "note")),
    ),
    "shocks": (
        Column("id", ("id",), "text"),
        Column("round", ("round",), "int"),
        Column("actor", ("actor",), "text"),
        Column("issue", ("issue",), "text"),
        Column("field", ("field",), "text"),
        Column("op", ("op",), "text"),
        *_ranged("value", ("value",)),
        Column("description", ("description",), "text"),
        *_source("source", ("source",), ("quote", "judgement", "note")),
    ),
    "outcomes": (
        Column("issue", ("issue",), "text"),
        Column("value", ("value",), "number"),
        Column("date", ("date",), "date"),
        Column("note", ("note",), "text"),
        *_source("source", ("source",), ("quote", "judgement", "note")),
    ),
}
#: The columns shown even when empty: what the analyst fills in.
_ALWAYS_SHOWN = {"capability": ("actors", "stances"), "status_quo": ("issues",)}


def _shown(sheet: str, col: Column) -> bool:
    return col.shown or sheet in _ALWAYS_SHOWN.get(col.name, ())


# ------------------------------------------------------------------ cells


class CellError(Exception):
    """Why a cell cannot be read as what its column holds."""


def cell_number(raw: Any) -> float:
    """A cell as a finite number, or a :class:`CellError` saying what was expected. The one
    place where cells become numbers: a text is a plain decimal (digits, an optional sign,
    point and exponent; :func:`~.interventions.parse_number`)."""
    if isinstance(raw, Bad):
        raise CellError(raw.why)
    if isinstance(raw, Percent):
        raise CellError(
            f"a percentage ({raw.value * 100:g}%, which the cell holds as {raw.value:g}); "
            f"expected the number on the column's own scale: type {raw.value * 100:g}"
        )
    if isinstance(raw, bool):
        raise CellError(f"{str(raw).upper()}, a true/false cell; expected a number")
    if isinstance(raw, (_dt.date, _dt.datetime, _dt.time, _dt.timedelta)):
        raise CellError(
            "a date or time, not a number (is the cell formatted as a date?); "
            "expected a number: format the cell as a number and type it again"
        )
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise CellError(f"expected a finite number, got {raw!r}")
        return float(raw)
    text = str(raw).strip()
    value = parse_number(text)
    if value is not None:
        return value
    if text.endswith("%") and parse_number(text[:-1]) is not None:
        raise CellError(
            f"a percentage ({text}); expected the number on the column's own scale, "
            f"without %: type {text[:-1].strip()}"
        )
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        raise CellError(
            f"{text!r} has a comma; expected a decimal point ({text.replace(',', '.')}) and "
            "no thousands separator"
        )
    raise CellError(f"expected a number, got {text[:40]!r}")


def _text(raw: Any) -> str:
    if isinstance(raw, Bad):
        raise CellError(raw.why)
    if isinstance(raw, bool):
        raise CellError(f"{str(raw).upper()}, a true/false cell; expected text")
    if isinstance(raw, (_dt.date, _dt.datetime, _dt.time, _dt.timedelta)):
        raise CellError(
            "a date or time where text is expected (did the spreadsheet turn what was typed "
            "into a date?); format the cell as text and type it again"
        )
    if isinstance(raw, Percent):
        raise CellError("a percentage where text is expected; format the cell as text")
    if isinstance(raw, int):
        return str(raw)  # an id typed as digits, which a spreadsheet stores as a number
    if isinstance(raw, float):
        raise CellError(f"the number {raw:g} where text is expected; format the cell as text")
    return str(raw).strip()


def _date(raw: Any) -> str:
    if isinstance(raw, Bad):
        raise CellError(raw.why)
    if isinstance(raw, _dt.datetime):
        if raw.time() != _dt.time(0):
            raise CellError(f"a date with a time of day ({raw.isoformat()}); expected a date")
        return raw.date().isoformat()
    if isinstance(raw, _dt.date):
        return raw.isoformat()
    if isinstance(raw, str):
        text = raw.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return _dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise CellError(f"{text!r} is not a day of the calendar") from None
        raise CellError(f"expected a date as YYYY-MM-DD, got {text[:40]!r}")
    raise CellError(f"expected a date as YYYY-MM-DD, got the number {raw!r}")


def cell_value(kind: str, raw: Any) -> Any:
    """A non-empty cell as what a column of ``kind`` holds, or a :class:`CellError`."""
    if isinstance(raw, str) and raw.strip() == FILL:
        raise CellError("still to fill in (a blank of the template)")
    if kind in ("number", "range") and not (kind == "range" and _is_text(raw)):
        return cell_number(raw)
    if kind == "int":
        v = cell_number(raw)
        if not v.is_integer():
            raise CellError(f"expected a whole number, got {v:g}")
        return int(v)
    if kind == "date":
        return _date(raw)
    if kind == "list":
        return [x for x in re.split(r"[,;\s]+", _text(raw)) if x]
    return _text(raw)


def _is_text(raw: Any) -> bool:
    """A range part that is text: a distribution or a note (not a bound)."""
    return isinstance(raw, str) and parse_number(raw) is None and not raw.strip().endswith("%")


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


# ------------------------------------------------------------------ rows -> plain data


@dataclass(frozen=True)
class Table:
    """One table as read: ``label`` names it in problems (a file, or a workbook's sheet),
    ``header`` its columns (the row of ``header_row``), ``rows`` its non-blank rows as
    ``(row number, cells)``; ``letters`` says whether columns are shown by letter
    (spreadsheets) or by name only (CSV)."""

    label: str
    header: tuple[Any, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[Any, ...]], ...]
    letters: bool = False


@dataclass(frozen=True)
class Where:
    file: str
    row: int | None
    column: str


def _letter(k: int) -> str:
    s = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        s = chr(65 + r) + s
    return s


#: How many of a header's unknown or repeated columns are reported one by one (a sheet of
#: 9,999 made-up columns is one message, not 9,999).
_HEADER_LISTED = 5


def _column_label(table: Table, k: int, name: str) -> str:
    return f"{name} (column {_letter(k)})" if table.letters else name


def _put(entry: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        entry = entry.setdefault(key, {})
    last = path[-1]
    if isinstance(entry.get(last), dict):  # a ranged number whose range came first
        entry[last]["value"] = value
    else:
        entry[last] = value


def _set_ranged(entry: dict[str, Any], col: Column, value: Any) -> None:
    """Put a part of a ranged number (``low``, ``high``...) beside its best estimate."""
    *head, part = col.path
    for key in head[:-1]:
        entry = entry.setdefault(key, {})
    cur = entry.get(head[-1])
    if not isinstance(cur, dict):
        cur = entry[head[-1]] = {} if cur is None else {"value": cur}
    cur[part] = value


class _Reader:
    """Tables -> the plain data of the YAML form, with where each value came from."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: whether a table could not be read at all (its header): nothing more is checked
        self.fatal = False
        #: the paths of the cells that could not be read (each a problem already)
        self.failed: set[tuple[Any, ...]] = set()
        self.where: dict[tuple[Any, ...], Where] = {}
        self.rows_of: dict[tuple[str, int], int | None] = {}

    def add(self, file: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(file, column, message, row))

    def _header(self, sheet: str, table: Table) -> dict[int, Column] | None:
        known = {c.name: c for c in COLUMNS[sheet]}
        out: dict[int, Column] = {}
        seen: dict[str, int] = {}
        ok = True
        listed = 0  # the header's problems listed one by one; the rest are counted
        more: list[str] = []
        for k, raw in enumerate(table.header):
            if _empty(raw):
                continue
            name = str(raw).strip().lower()
            label = _column_label(table, k, str(raw).strip())
            if (name not in known or name in seen) and listed >= _HEADER_LISTED:
                more.append(str(raw).strip())
                ok = False
                continue
            listed += name not in known or name in seen
            if name not in known:
                shown = ", ".join(c.name for c in COLUMNS[sheet] if _shown(sheet, c))
                self.add(
                    table.label,
                    table.header_row,
                    label,
                    f"unknown column {str(raw).strip()!r}; expected columns such as {shown} "
                    "(docs/reference/table-format.md lists them all)",
                )
                ok = False
            elif name in seen:
                self.add(
                    table.label,
                    table.header_row,
                    label,
                    f"a second column {name!r} (the first is column {_letter(seen[name])}); "
                    "expected each column once",
                )
                ok = False
            else:
                seen[name] = k
                out[k] = known[name]
        if more:
            self.add(
                table.label,
                table.header_row,
                "",
                f"{len(more):,} more unknown or repeated columns ({some(more)}); expected "
                "each column of docs/reference/table-format.md once",
            )
        self.fatal = self.fatal or not ok
        return out if ok else None

    def table(self, sheet: str, table: Table) -> list[dict[str, Any]]:
        """The entries of one table (``meta`` excepted), in the order of its rows."""
        cols = self._header(sheet, table)
        if cols is None:
            return []
        entries: list[dict[str, Any]] = []
        first: dict[tuple[Any, ...], int] = {}
        for row, cells in table.rows:
            key = tuple(None if _empty(c) else c for c in cells)
            if key in first:
                self.add(
                    table.label,
                    row,
                    "",
                    f"the same as row {first[key]}; expected each row once (remove one)",
                )
                continue
            first[key] = row
            k_entry = len(entries)
            entry: dict[str, Any] = {}
            for k, raw in enumerate(cells):
                if _empty(raw):
                    continue
                col = cols.get(k)
                if col is None:
                    if k >= len(table.header) or _empty(table.header[k]):
                        self.add(
                            table.label,
                            row,
                            f"column {_letter(k)}" if table.letters else f"cell {k + 1}",
                            "a value under no header; expected a column name above it",
                        )
                    continue
                label = _column_label(table, k, col.name)
                try:
                    value = cell_value(col.kind, raw)
                except CellError as exc:
                    self.add(table.label, row, label, str(exc))
                    self.failed.add((sheet, k_entry, *col.path))
                    continue
                where = Where(table.label, row, label)
                if col.kind == "range":
                    _set_ranged(entry, col, value)
                else:
                    _put(entry, col.path, value)
                self.where[(sheet, k_entry, *col.path)] = where
                if col.kind == "number":
                    self.where[(sheet, k_entry, *col.path, "value")] = where
            self.where[(sheet, k_entry)] = Where(table.label, row, "")
            self.rows_of[(sheet, k_entry)] = row
            entries.append(entry)
        return entries

    def meta(self, table: Table) -> dict[str, Any]:
        """The ``meta`` table: rows of ``field``, ``value``."""
        head = [None if _empty(h) else str(h).strip().lower() for h in table.header]
        if head[:2] != ["field", "value"] or any(h is not None for h in head[2:]):
            self.add(
                table.label,
                table.header_row,
                "",
                "expected the header field,value (one row per field of the scenario)",
            )
            return {}
        known = {c.name: c for c in COLUMNS["meta"]}
        data: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for row, cells in table.rows:
            cells = tuple(cells) + (None,) * 2
            if any(not _empty(c) for c in cells[2:]):
                self.add(table.label, row, "", "a value beyond the columns field,value")
            if _empty(cells[0]):
                self.add(table.label, row, _column_label(table, 0, "field"), "empty")
                continue
            name = str(cells[0]).strip().lower()
            if name not in known:
                self.add(
                    table.label,
                    row,
                    _column_label(table, 0, "field"),
                    f"unknown field {name!r}; expected one of {', '.join(known)}",
                )
                continue
            if name in seen:
                self.add(
                    table.label,
                    row,
                    _column_label(table, 0, "field"),
                    f"{name!r} given twice (first on row {seen[name]}); expected each once",
                )
                continue
            seen[name] = row
            col = known[name]
            label = _column_label(table, 1, "value")
            if _empty(cells[1]):
                continue
            try:
                value = cell_value(col.kind, cells[1])
            except CellError as exc:
                self.add(table.label, row, f"{name}: {label}", str(exc))
                self.failed.add(col.path)
                continue
            _put(data, col.path, value)
            self.where[col.path] = Where(table.label, row, name)
        return data


def scenario_from_tables(
    tables: Mapping[str, Table],
    name: str,
    *,
    missing: Iterable[str] = (),
    problems: Iterable[Problem] = (),
) -> Scenario:
    """The scenario in ``tables`` (by sheet name), validated; ``name`` labels it (its
    origin) and problems of the whole. ``missing`` names required tables not found and
    ``problems`` are those the reader of the file found (rows left out), reported with the
    rest. Every problem is located by table, row and column."""
    r = _Reader()
    r.problems.extend(problems)
    for sheet in missing:
        r.add(name, None, "", f"no {sheet} table; expected {', '.join(REQUIRED)} at least")
    data: dict[str, Any] = {}
    if "meta" in tables:
        data.update(r.meta(tables["meta"]))
    for sheet in SHEETS[1:]:
        if sheet in tables:
            data[sheet] = r.table(sheet, tables[sheet])
    if "id" not in data and "meta" not in tables:
        data["id"] = _slug(Path(name).stem)
        data.setdefault("name", Path(name).stem)
    if r.fatal or (r.problems and not data.get("stances")):
        raise ScenarioError(r.problems)
    try:
        sc = build_scenario(data, file=name, lines={})
    except ScenarioError as exc:
        # a problem under a cell already reported is not reported again (a prefix of its
        # path is a failed cell; looked up by prefix: linear in the problems, not quadratic),
        # nor a field "missing" that a failed cell would have filled (a prefix of one)
        filled = {f[:n] for f in r.failed for n in range(len(f) + 1)}
        later = [
            _locate(p, r, name, tables)
            for p in exc.problems
            if not _under(_path(p.field), r.failed)
            and not (p.message.startswith("missing") and _path(p.field) in filled)
        ]
        raise ScenarioError([*r.problems, *later]) from None
    if r.problems:
        raise ScenarioError(r.problems)
    return sc


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    return s[:64].strip("-") or "scenario"


_FIELD = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_REF = re.compile(r"\b(sources|actors|issues|stances|shocks|outcomes)\[(\d+)\]")


def _path(field: str) -> tuple[Any, ...]:
    return tuple(int(m[2]) if m[2] else m[1] for m in _FIELD.finditer(field))


def _under(path: tuple[Any, ...], failed: set[tuple[Any, ...]]) -> bool:
    """Whether ``path`` is one of ``failed`` or lies under one."""
    return any(path[:n] in failed for n in range(len(path) + 1))


def _locate(p: Problem, r: _Reader, name: str, tables: Mapping[str, Table]) -> Problem:
    """A problem of the plain data, located in the tables: its table, row and column."""
    path = _path(p.field)

    def ref(m: re.Match[str]) -> str:
        row = r.rows_of.get((m[1], int(m[2])))
        label = tables[m[1]].label if m[1] in tables else m[1]
        return f"row {row} of {label}" if row is not None else m[0]

    message = _REF.sub(ref, p.message)
    for k in range(len(path), 0, -1):
        w = r.where.get(path[:k])
        if w is not None:
            rest = ".".join(str(x) for x in path[k:])
            column = w.column + (f" ({rest})" if rest and w.column else rest)
            return Problem(w.file, column, message, w.row)
    if path and path[0] in SHEETS[1:]:
        label = tables[path[0]].label if path[0] in tables else name
        if len(path) >= 2 and isinstance(path[1], int):
            row = r.rows_of.get((path[0], path[1]))
            column = ".".join(str(x) for x in path[2:])
            return Problem(label, _column_name(path[0], path[2:]) or column, message, row)
        return Problem(label, "", message)
    meta = tables["meta"].label if "meta" in tables else name
    return Problem(meta, p.field, message)


def _column_name(sheet: str, sub: tuple[Any, ...]) -> str:
    """The column of a path inside an entry of ``sheet`` (a missing value's column)."""
    for col in COLUMNS.get(sheet, ()):
        if col.path == tuple(sub) or (col.kind == "number" and (*col.path, "value") == sub):
            return col.name
    return ""


# ------------------------------------------------------------------ plain data -> rows


def _get(entry: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    cur: Any = entry
    for key in path:
        if not isinstance(cur, Mapping) or key not in cur:
            return None
        cur = cur[key]
    return cur


def _cell_of(col: Column, entry: Mapping[str, Any]) -> Any:
    if col.kind == "number":
        v = _get(entry, col.path)
        return v.get("value") if isinstance(v, Mapping) else v
    v = _get(entry, col.path)
    if col.kind == "list" and isinstance(v, list):
        return ", ".join(v)
    if col.kind == "range" and col.path[-1] == "distribution" and v == "triangular":
        return None  # the default
    return v


def scenario_tables(
    scenario: Scenario | Mapping[str, Any], *, template: bool = False
) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The tables of ``scenario`` (a :class:`Scenario` or its plain data): per sheet, the
    header and the rows. A table's columns are those a template shows (the ones to fill in)
    and those any of its rows uses. ``template``: every table, even an empty one."""
    data = scenario.to_dict() if isinstance(scenario, Scenario) else scenario
    lost = _uncovered(data)
    if lost:
        raise InputError(
            "the tables have no column for "
            + ", ".join(lost[:5])
            + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            + "; write the scenario as yaml"
        )
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    meta_rows = []
    for col in COLUMNS["meta"]:
        v = _cell_of(col, data)
        if v is not None or (template and _shown("meta", col)):
            meta_rows.append([col.name, v])
    out["meta"] = (["field", "value"], meta_rows)
    for sheet in SHEETS[1:]:
        entries = data.get(sheet) or []
        if not entries and not (template or sheet in REQUIRED):
            continue
        cols = [
            c
            for c in COLUMNS[sheet]
            if _shown(sheet, c) or any(_cell_of(c, e) is not None for e in entries)
        ]
        rows = [[_cell_of(c, e) for c in cols] for e in entries]
        out[sheet] = ([c.name for c in cols], rows)
    return out


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, Mapping):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    return [path]


def _covers(cols: Sequence[Column], path: tuple[Any, ...]) -> bool:
    for c in cols:
        if c.path == path or (c.kind == "number" and (*c.path, "value") == path):
            return True
    return False


def _uncovered(data: Mapping[str, Any]) -> list[str]:
    """The fields of ``data`` that no column holds (a field added to the format and not to
    the tables), so that writing tables never drops one silently."""
    lost = []
    for key, value in data.items():
        if key in SHEETS[1:] and isinstance(value, list):
            for k, entry in enumerate(value):
                lost += [
                    field_name((key, k, *p)) for p in _leaves(entry) if not _covers(COLUMNS[key], p)
                ]
        else:
            lost += [
                field_name(p) for p in _leaves(value, (key,)) if not _covers(COLUMNS["meta"], p)
            ]
    return lost


def number_text(v: Any) -> str:
    """A cell's text in a CSV file: numbers written exactly (``repr``), ``50`` for 50.0."""
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    return str(v)


# ------------------------------------------------------------------ CSV folders


def read_csv_folder(folder: Path, *, label: str | None = None) -> Scenario:
    """The scenario in a folder of CSV tables (``actors.csv``, ``issues.csv``,
    ``stances.csv``, optionally ``meta.csv``, ``sources.csv``, ``shocks.csv``,
    ``outcomes.csv``, and ``notes.csv``, not read)."""
    from .csv_io import numbered_records
    from .yaml_io import read_text

    name = label or str(folder)
    found = {p.stem.lower(): p for p in sorted(folder.iterdir()) if p.suffix.lower() == ".csv"}
    problems = [
        Problem(
            str(p),
            "",
            f"an unknown table; expected {', '.join(SHEETS)} (or {NOTES}, which is not read)",
        )
        for stem, p in found.items()
        if stem not in SHEETS and stem != NOTES
    ]
    if problems:
        raise ScenarioError(problems)
    tables: dict[str, Table] = {}
    for sheet in SHEETS:
        if sheet not in found:
            continue
        path = found[sheet]
        records = numbered_records(read_text(path), str(path), "table")
        if not records:
            raise ScenarioError([Problem(str(path), "", "empty; expected a header row")])
        (hline, header), rest = records[0], records[1:]
        rows = []
        for line, cells in rest:
            cells = [formula_unguarded(c) for c in cells]
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        str(path),
                        "",
                        f"{len(cells)} cells, the header {len(header)}; expected as many "
                        "(a decimal comma, or a comma in a text without quotes?)",
                        line,
                    )
                )
                continue
            rows.append((line, tuple(cells)))
        tables[sheet] = Table(str(path), tuple(header), hline, tuple(rows))
    missing = [s for s in REQUIRED if s not in tables]
    return scenario_from_tables(tables, name, missing=missing, problems=problems)


def write_csv_folder(scenario: Scenario | Mapping[str, Any], folder: Path, **kw: Any) -> list[Path]:
    """Write the tables of ``scenario`` as CSV files in ``folder`` (made if need be);
    returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet, (header, rows) in scenario_tables(scenario, **kw).items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([formula_guarded(number_text(v)) for v in row])
        path = folder / f"{sheet}.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        written.append(path)
    return written
