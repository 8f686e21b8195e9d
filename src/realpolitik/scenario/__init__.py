"""Scenarios: the domain objects and their readers and writers.

``load(path_or_name)`` reads a YAML scenario, its tables (an XLSX workbook or a folder of
CSV files), a single-issue CSV table, a KTAB spatial-model CSV, or a built-in by name,
validates it and returns a frozen
:class:`Scenario`, or raises a :class:`~realpolitik.errors.ScenarioError` listing every
problem found.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._lazy import attach
from ..errors import Problem, ScenarioError
from . import builtins
from .objects import (
    Actor,
    Issue,
    Locus,
    Outcome,
    Question,
    Range,
    Scenario,
    Shock,
    Source,
    SourceEntry,
    Stance,
)

if TYPE_CHECKING:  # pragma: no cover
    from .csv_io import parse_csv, read_csv
    from .csv_io import slug as slug
    from .ktab_io import looks_like_ktab as looks_like_ktab
    from .ktab_io import parse_ktab_csv, read_ktab_csv, write_ktab_csv
    from .schema import json_schema, json_schema_text
    from .yaml_io import dump_yaml, parse_yaml, read_yaml
    from .yaml_io import read_text as read_text

# the readers and writers (YAML, pydantic's schema) are imported when first used
attach(
    __name__,
    {
        **dict.fromkeys(("parse_csv", "read_csv", "slug"), ".csv_io"),
        **dict.fromkeys(
            ("looks_like_ktab", "parse_ktab_csv", "read_ktab_csv", "write_ktab_csv"), ".ktab_io"
        ),
        **dict.fromkeys(("json_schema", "json_schema_text"), ".schema"),
        **dict.fromkeys(("dump_yaml", "parse_yaml", "read_text", "read_yaml"), ".yaml_io"),
    },
)

__all__ = [
    "Actor",
    "Issue",
    "Locus",
    "Outcome",
    "Question",
    "Range",
    "Scenario",
    "Shock",
    "Source",
    "SourceEntry",
    "Stance",
    "builtins",
    "dump_yaml",
    "json_schema",
    "json_schema_text",
    "load",
    "parse_csv",
    "parse_ktab_csv",
    "parse_yaml",
    "read_csv",
    "read_ktab_csv",
    "read_yaml",
    "write_ktab_csv",
]


def load(source: str | Path | Scenario | None = None) -> Scenario:
    """A validated scenario from a file path, a built-in name, or the default (``None``).

    A workbook (``.xlsx``) or a folder of CSV tables is read as the scenario's tables
    (:mod:`.tables`: actors, issues, stances...). ``.csv`` files are read as KTAB
    spatial-model CSVs when their first lines say so
    (:func:`~.ktab_io.looks_like_ktab`: a first line ending in the numbers of actors and
    dimensions, or a second line starting ``Actor,Description``), else as one-issue tables
    (``actor,capability,position,salience``); anything else as YAML.
    """
    if isinstance(source, Scenario):
        return source
    from .yaml_io import read_text, read_yaml

    if source is None:
        source = builtins.DEFAULT
    text = str(source)
    p = Path(text).expanduser()
    if p.exists():
        tables = _tables(p)
        if tables is not None:
            return tables
        if p.suffix.lower() != ".csv":
            return read_yaml(p)
        from .csv_io import parse_csv, slug
        from .ktab_io import looks_like_ktab, parse_ktab_csv

        csv_text = read_text(p)
        if looks_like_ktab(csv_text):
            return parse_ktab_csv(csv_text, str(p), stem=p.stem)
        return parse_csv(csv_text, str(p), stem=slug(p.stem, fallback="issue"))
    if text in builtins.names():
        return read_yaml(builtins.path(text), label=f"builtin:{text}")
    known = ", ".join(builtins.names())
    raise ScenarioError(
        [Problem(text, "", f"no such file, nor a built-in scenario; the built-ins are: {known}")]
    )


_OTHER_SHEETS = {
    ".xls": "an old Excel workbook",
    ".xlsm": "a workbook with macros",
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "a Numbers spreadsheet",
}


def _tables(p: Path) -> Scenario | None:
    """The scenario of a workbook (``.xlsx``) or a folder of CSV tables, or ``None`` if
    ``p`` is neither (a spreadsheet of another format is refused, saying how to save it)."""
    suffix = p.suffix.lower()
    if p.is_dir():
        from .tables import read_csv_folder

        return read_csv_folder(p)
    if suffix == ".xlsx":
        from .xlsx_io import read_xlsx

        return read_xlsx(p)
    if suffix in _OTHER_SHEETS:
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    "",
                    f"{_OTHER_SHEETS[suffix]}; save it as .xlsx (Excel workbook) or as a folder "
                    "of CSV tables",
                )
            ]
        )
    return None
