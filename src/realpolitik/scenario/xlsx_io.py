"""A scenario as an XLSX workbook: one sheet per table of :mod:`.tables`.

Reading needs openpyxl (the extra ``spreadsheets``), imported when a workbook is first read
or written. What a workbook may hold that a scenario cannot use is refused with its sheet,
row and column, never read silently:

* a **merged** range (its value sits in its first cell only, the others read as empty);
* a **formula** (the reader does not compute; a value cached by the spreadsheet may be
  stale): paste the values instead;
* a **hidden** sheet among the scenario's tables (what cannot be seen is not read
  unseen); an unknown sheet (a misspelt ``stance``; the analyst's notes go in ``notes``);
* a **percentage** cell in a number column (it holds 0.45 for 45%: the units would mix),
  a **date** in a number column, a number where text is expected (but a whole number,
  read as its digits, so that an id typed ``2015`` reads ``2015``), and every cell
  :func:`~.tables.cell_value` refuses.

Dates in date columns may be date cells or ``YYYY-MM-DD`` text. The workbook is read once,
at most :data:`~.yaml_io.MAX_BYTES` bytes, and refused if it would unzip to more than
:data:`MAX_UNZIPPED`.
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError
from .objects import Scenario
from .tables import (
    NOTES,
    REQUIRED,
    SHEETS,
    Bad,
    Percent,
    Table,
    scenario_from_tables,
    scenario_tables,
)
from .yaml_io import read_bytes

__all__ = [
    "MAX_SHEET_CELLS",
    "MAX_UNZIPPED",
    "openpyxl_module",
    "parse_xlsx",
    "read_xlsx",
    "write_xlsx",
    "xlsx_bytes",
]


def openpyxl_module() -> Any:
    """openpyxl, or a :class:`ScenarioError` saying how to install it."""
    try:
        import openpyxl
    except ImportError:
        raise ScenarioError(
            [
                Problem(
                    "xlsx",
                    "",
                    "reading or writing a workbook needs openpyxl: "
                    "pip install 'realpolitik[spreadsheets]' (or use a folder of CSV tables)",
                )
            ]
        ) from None
    return openpyxl


def _cell(cell: Any) -> Any:
    """A cell's value as :mod:`.tables` takes it: a formula becomes :class:`Bad`, a number
    shown as a percentage :class:`Percent`."""
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and cell.data_type == "f"):
        return Bad(
            f"a formula ({str(value)[:40]}); the reader does not compute formulas: copy the "
            "cells and paste them as values"
        )
    if type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        return Bad("a formula; copy the cells and paste them as values")
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and "%" in str(cell.number_format or "")
    ):
        return Percent(float(value))
    return value


def read_xlsx(path: Path, *, label: str | None = None) -> Scenario:
    """The scenario in the workbook at ``path`` (sheets named as :data:`~.tables.SHEETS`)."""
    name = label or str(path)
    raw = read_bytes(path, label=name, what="an XLSX workbook")
    return parse_xlsx(raw, name)


#: The most a workbook may expand to, unzipped (a "zip bomb" is refused before it is read).
MAX_UNZIPPED = 100_000_000
#: The most cells a sheet's used range may span (rows x columns), as many as the values a
#: YAML scenario may hold: reading walks every cell of the range, so a single cell typed at
#: XFD1048576 would otherwise make billions of them.
MAX_SHEET_CELLS = 200_000


def _unzipped_size(raw: bytes, name: str) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ScenarioError(
            [Problem(name, "", "not an XLSX workbook (not a zip archive); expected .xlsx")]
        ) from None


def parse_xlsx(raw: bytes, name: str) -> Scenario:
    """The scenario in the workbook ``raw`` (its bytes); ``name`` labels the problems."""
    openpyxl = openpyxl_module()
    from openpyxl.utils.exceptions import InvalidFileException

    if _unzipped_size(raw, name) > MAX_UNZIPPED:
        raise ScenarioError(
            [
                Problem(
                    name,
                    "",
                    f"the workbook expands to more than {MAX_UNZIPPED:,} bytes; expected a "
                    "scenario's tables",
                )
            ]
        )

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), data_only=False)
    except (InvalidFileException, OSError, KeyError, ValueError, TypeError) as exc:
        raise ScenarioError(
            [
                Problem(
                    name,
                    "",
                    f"not a readable XLSX workbook ({type(exc).__name__}); save it from "
                    "the spreadsheet as .xlsx",
                )
            ]
        ) from None
    except Exception as exc:  # zipfile.BadZipFile and the like: not a workbook
        raise ScenarioError(
            [Problem(name, "", f"not an XLSX workbook ({type(exc).__name__}); expected .xlsx")]
        ) from None
    problems: list[Problem] = []
    tables: dict[str, Table] = {}
    for ws in wb.worksheets:
        sheet = ws.title.strip().lower()
        label = f"{name}[{ws.title}]"
        if sheet == NOTES:
            continue
        if sheet not in SHEETS:
            problems.append(
                Problem(
                    label,
                    "",
                    f"an unknown sheet {ws.title!r}; expected {', '.join(SHEETS)} (or "
                    f"{NOTES}, which is not read)",
                )
            )
            continue
        if sheet in tables:
            problems.append(Problem(label, "", f"a second sheet {sheet!r}; expected one"))
            continue
        if ws.sheet_state != "visible":
            problems.append(
                Problem(
                    label,
                    "",
                    f"the sheet is {ws.sheet_state}; unhide it (a hidden table is not read "
                    "unseen) or delete it",
                )
            )
            continue
        last_row, last_col = _value_extent(ws)
        span = last_row * last_col
        if span > MAX_SHEET_CELLS:
            from openpyxl.utils import get_column_letter

            problems.append(
                Problem(
                    label,
                    f"cells A1:{get_column_letter(last_col)}{last_row}",
                    f"the sheet's used range spans {span:,} cells ({last_row:,} rows x "
                    f"{last_col:,} columns); expected at most {MAX_SHEET_CELLS:,}: "
                    "delete the rows and columns beyond the table",
                )
            )
            continue
        for rng in ws.merged_cells.ranges:
            problems.append(
                Problem(
                    label,
                    f"cells {rng.coord}",
                    "merged cells; unmerge them and write the value in each cell (a merged "
                    "range holds its value in its first cell only)",
                    rng.min_row,
                )
            )
        rows = [
            (k, tuple(_cell(c) for c in row))
            for k, row in enumerate(ws.iter_rows(max_row=last_row, max_col=last_col), start=1)
            if any(not _blank(c.value) for c in row)
        ]
        if not rows:
            problems.append(Problem(label, "", "the sheet is empty; expected a header row"))
            continue
        (hrow, header), rest = rows[0], rows[1:]
        tables[sheet] = Table(label, header, hrow, tuple(rest), letters=True)
    if problems:
        raise ScenarioError(problems)
    missing = [s for s in REQUIRED if s not in tables]
    return scenario_from_tables(tables, name, missing=missing)


def _value_extent(ws: Any) -> tuple[int, int]:
    """The last row and column of ``ws`` that hold a value, at least (1, 1): the range the
    reader walks. Cells that carry only formatting (borders, a fill, a number format,
    applied to whole rows down to row 100,000, say) are not the table: the sheet's own
    used range counts them, and a sheet formatted so was refused as too large. Linear in
    the cells the workbook holds (openpyxl's cell store; its used range where that is not
    there)."""
    cells = getattr(ws, "_cells", None)
    if not isinstance(cells, dict):  # pragma: no cover - an openpyxl without its store
        return ws.max_row, ws.max_column
    last_row = last_col = 1
    for (row, col), cell in cells.items():
        if not _blank(cell.value):
            last_row, last_col = max(last_row, row), max(last_col, col)
    return last_row, last_col


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def xlsx_bytes(scenario: Scenario | Mapping[str, Any], **kw: Any) -> bytes:
    """The workbook of ``scenario`` (or its plain data): one sheet per table, a bold header
    row, dates and every text written as text (a text starting ``=`` is no formula)."""
    openpyxl = openpyxl_module()
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, (header, rows) in scenario_tables(scenario, **kw).items():
        ws = wb.create_sheet(sheet)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r, row in enumerate(rows, start=2):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
                    cell.value = int(v)
                elif isinstance(v, float) and float(f"{v:.16g}") != v:
                    # openpyxl writes a float with 16 digits, and some need 17: the
                    # shortest text that reads back as the same float, as a number
                    cell.value = repr(v)
                    cell.data_type = "n"
                elif isinstance(v, (_dt.date, str)):
                    cell.value = v if isinstance(v, str) else v.isoformat()
                    cell.data_type = "s"
                else:
                    cell.value = v
        for k, name in enumerate(header, start=1):
            width = max([len(str(name))] + [len(str(r[k - 1] or "")) for r in rows])
            ws.column_dimensions[openpyxl.utils.get_column_letter(k)].width = min(
                60, max(8, width + 2)
            )
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(scenario: Scenario | Mapping[str, Any], path: Path, **kw: Any) -> None:
    """Write the workbook of ``scenario`` to ``path``."""
    path.write_bytes(xlsx_bytes(scenario, **kw))
