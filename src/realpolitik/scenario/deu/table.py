"""The DEU III table as published: its columns, codes, dates and missing values, read into
a :class:`DeuTable` with every problem located (file, line, column); see the package
:mod:`realpolitik.scenario.deu` for the data set and its rules."""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ...errors import InputError, Problem, ScenarioError
from .. import eu_weights
from ..numbers import NumberError, exact, excerpt, parse_number, parse_whole, some
from ..yaml_io import check_characters, decode, read_bytes

__all__ = [
    "ACTORS",
    "CITATION",
    "COLUMNS",
    "PROCEDURE_VARIANTS",
    "VOTING_VARIANTS",
    "DeuRow",
    "DeuTable",
    "parse_date",
    "parse_deu",
    "read_code",
    "read_deu",
]

#: How to cite the data set wherever results on it are shown.
CITATION = (
    "Arregui, J. & Perarnaud, C. (2022), The Decision-making in the European Union (DEU III) "
    "dataset (1999-2019), CORA Repositori de Dades de Recerca, doi:10.34810/data53 (CC BY 4.0)"
)
DOI_URL = "https://doi.org/10.34810/data53"

#: The actors of DEU III by their codes, in the file's order.
ACTORS = (
    "com",
    "ep",
    "at",
    "be",
    "bu",
    "cr",
    "cy",
    "cz",
    "dk",
    "ee",
    "fi",
    "fr",
    "de",
    "el",
    "hu",
    "ie",
    "it",
    "lv",
    "lt",
    "lu",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "si",
    "sk",
    "es",
    "se",
    "uk",
)
#: DEU's codes of the member states -> the EU's (Bulgaria is ``bu``, Croatia ``cr``).
STATE_CODES: Mapping[str, str] = MappingProxyType(
    {a: {"bu": "BG", "cr": "HR"}.get(a, a.upper()) for a in ACTORS[2:]}
)
META = (
    "prnrnmc",
    "isnrnmc",
    "prnr",
    "prname",
    "isnr",
    "type",
    "council",
    "proc",
    "counvte",
    "proccde",
    "issues",
    "intro",
    "finact",
)
#: Every column of the file.
COLUMNS = (
    *META,
    *(f"p{a}" for a in ACTORS),
    *(f"s{a}" for a in ACTORS),
    "rp",
    "out",
)
#: Issues (rows) in the full DEU III table and in its development part (doi:10.34810/data53;
#: the development file holds 210 of the 364 issues, whole proposals).
FULL_ISSUES = 364
DEV_ISSUES = 210
#: The cells that mean "missing".
MISSING = ("", "999")
VOTING_RULES = ("QMV", "Unan")
#: Other spellings of the voting rule (any case) -> the code they are read as.
VOTING_VARIANTS: Mapping[str, str] = MappingProxyType(
    {
        "qmv": "QMV",
        "qualified majority": "QMV",
        "qualified majority voting": "QMV",
        "unan": "Unan",
        "unanimity": "Unan",
    }
)
#: Other spellings of the procedure (any case) -> the code they are read as.
PROCEDURE_VARIANTS: Mapping[str, str] = MappingProxyType(
    {
        "cod": "COD",
        "codecision": "COD",
        "co-decision": "COD",
        "olp": "COD",
        "ordinary legislative procedure": "COD",
        "cns": "CNS",
        "consultation": "CNS",
    }
)
#: Cells read as missing in a number or date column beside blank and 999, with a note.
MISSING_MARKERS = (".", "NA")
_QUALIFIED = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
#: The columns of numbers and dates, where a missing marker may stand.
_VALUED = ("issues", "intro", "finact", "rp", "out")
#: Two-digit years below this are 20xx, the others 19xx.
CENTURY_PIVOT = 50
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DATE = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{2,4})$", re.ASCII)


def _year(yy: int) -> int:
    return 2000 + yy if yy < CENTURY_PIVOT else 1900 + yy


def parse_date(text: str, *, iso_dates: bool = False) -> tuple[_dt.date, str]:
    """A DEU date and the form it was written in (see the module docstring); an
    :class:`~realpolitik.errors.InputError` (a ``ValueError``) says what is wrong.

    >>> parse_date("23-03-00")
    (datetime.date(2000, 3, 23), 'dd-mm-yy')
    >>> parse_date("2014-07-04")[0]
    datetime.date(2004, 7, 14)
    """
    expected = f"expected a date dd-mm-yy or dd-mm-yyyy, got {excerpt(text)}"
    m = _DATE.match(text.strip())
    if m is None:
        raise InputError(expected)
    a, b, c = m.groups()
    if len(a) == 4 and len(c) == 2:
        if iso_dates:
            year, month, day, form = int(a), int(b), int(c), "yyyy-mm-dd"
            expected = f"expected a date yyyy-mm-dd (`iso_dates`), got {excerpt(text)}"
        elif a[:2] not in ("19", "20"):
            raise InputError(expected)
        else:
            year, month, day, form = _year(int(c)), int(b), int(a[2:]), "ccdd-mm-yy"
    elif len(a) > 2 or len(c) == 3:
        raise InputError(expected)
    elif len(c) == 2:
        year, month, day, form = _year(int(c)), int(b), int(a), "dd-mm-yy"
    else:
        year, month, day, form = int(c), int(b), int(a), "dd-mm-yyyy"
    try:
        return _dt.date(year, month, day), form
    except ValueError as exc:  # 31-02-04: no such day
        raise InputError(f"{expected}, which is no day of the calendar ({exc})") from None


def read_code(column: str, text: str) -> tuple[str, str | None] | None:
    """The canonical code of a ``counvte`` or ``proc`` cell and the note on how it was
    read (``None`` when it is canonical), or ``None`` if the cell has no known meaning.

    >>> read_code("counvte", "QMV(10)")
    ('QMV', "counvte 'QMV(10)' read as QMV; its qualifier '(10)' kept here, not used")
    >>> read_code("proc", "OLP")
    ('COD', "proc 'OLP' read as COD (the ordinary legislative procedure: co-decision)")
    """
    canonical, variants = (
        (VOTING_RULES, VOTING_VARIANTS)
        if column == "counvte"
        else (eu_weights.PROCEDURES, PROCEDURE_VARIANTS)
    )
    if text in canonical:
        return text, None
    m = _QUALIFIED.match(text)
    base, qualifier = (m.group(1).strip(), m.group(2).strip()) if m else (text.strip(), None)
    code = base if base in canonical else variants.get(" ".join(base.lower().split()))
    if code is None or (m is not None and not base):
        return None
    why = " (the ordinary legislative procedure: co-decision)" if base.lower() == "olp" else ""
    note = f"{column} {text!r} read as {code}{why}"
    if qualifier is not None:
        note += f"; its qualifier '({qualifier})' kept here, not used"
    return code, note


@dataclass(frozen=True)
class DeuRow:
    """One row (issue) of a DEU file. ``position`` and ``salience`` map an actor's code to
    its number, for the cells that are not missing; ``line`` is the row's line in the file."""

    line: int
    proposal: str
    proposal_name: str
    issue: str
    act_type: str
    council: str
    procedure: str
    voting: str
    issues_in_proposal: int | None
    introduced: _dt.date | None
    final_act: _dt.date | None
    position: Mapping[str, float]
    salience: Mapping[str, float]
    reference_point: float | None
    outcome: float | None
    treated: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", MappingProxyType(dict(self.position)))
        object.__setattr__(self, "salience", MappingProxyType(dict(self.salience)))

    def meta(self) -> dict[str, Any]:
        """The row's description as plain data (no positions)."""
        return {
            "line": self.line,
            "proposal": self.proposal,
            "proposal_name": self.proposal_name,
            "issue": self.issue,
            "type": self.act_type,
            "council": self.council,
            "procedure": self.procedure,
            "voting": self.voting,
            "issues_in_proposal": self.issues_in_proposal,
            "introduced": self.introduced.isoformat() if self.introduced else None,
            "final_act": self.final_act.isoformat() if self.final_act else None,
        }


@dataclass(frozen=True)
class DeuTable:
    """A DEU file, read: its rows, the SHA-256 of its bytes, the missing cells per column
    (blank, 999, or a missing marker), how many dates were written in each form, and how
    many cells of each code variant were read as what (``treated``)."""

    name: str
    sha256: str
    rows: tuple[DeuRow, ...]
    missing: Mapping[str, int]
    missing_blank: int
    missing_999: int
    date_forms: Mapping[str, int]
    treated: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing", MappingProxyType(dict(self.missing)))
        object.__setattr__(self, "date_forms", MappingProxyType(dict(self.date_forms)))
        object.__setattr__(self, "treated", MappingProxyType(dict(self.treated)))

    @property
    def proposals(self) -> tuple[str, ...]:
        """The proposals' ids, each once, in order of appearance."""
        return tuple(dict.fromkeys(r.proposal for r in self.rows))

    @property
    def edition(self) -> str:
        """Which copy of DEU III this looks like, by its number of issues: a check of a
        downloaded copy (the full table has 364 issues, the development file 210)."""
        n = len(self.rows)
        if n == FULL_ISSUES:
            return f"the full DEU III table ({n} issues)"
        if n == DEV_ISSUES:
            return f"the DEU III development file ({n} issues)"
        return (
            f"{n} issues: neither the full DEU III table ({FULL_ISSUES}) nor its "
            f"development file ({DEV_ISSUES})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "edition": self.edition,
            "sha256": self.sha256,
            "rows": len(self.rows),
            "proposals": len(self.proposals),
            "missing": {k: v for k, v in self.missing.items() if v},
            "missing_blank": self.missing_blank,
            "missing_999": self.missing_999,
            "date_forms": dict(self.date_forms),
            "treated": dict(self.treated),
        }


def _empty(name: str) -> ScenarioError:
    return ScenarioError(
        [
            Problem(
                name,
                "",
                "the file is empty; expected a DEU III table (a tab-separated header of "
                "the DEU III columns, then one row per issue)",
            )
        ]
    )


def read_deu(path: str | Path, *, iso_dates: bool = False) -> DeuTable:
    """Read a DEU III tab-separated file; see :func:`parse_deu`."""
    name = str(path)
    raw = read_bytes(Path(path), what="a DEU .tsv file")
    if not raw.removeprefix(b"\xef\xbb\xbf").strip():
        raise _empty(name)
    return parse_deu(
        decode(raw, name),
        name,
        sha256="sha256:" + hashlib.sha256(raw).hexdigest(),
        iso_dates=iso_dates,
    )


def parse_deu(
    text: str, name: str, *, sha256: str | None = None, iso_dates: bool = False
) -> DeuTable:
    """A DEU III table from its text; every problem found is raised together, each with the
    file ``name``, the line and the column. ``sha256`` defaults to the hash of the text."""
    if sha256 is None:
        sha256 = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    check_characters(text, name)
    problems: list[Problem] = []
    lines = text.splitlines()
    first = next((k for k, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise _empty(name)
    header = [c.strip() for c in lines[first].split("\t")]
    head_line = first + 1
    if len(header) == 1 and "," in header[0]:
        raise ScenarioError(
            [Problem(name, "", "a single column: expected tab-separated columns", head_line)]
        )
    index: dict[str, int] = {}
    twice: list[str] = []
    unknown: list[str] = []
    for k, col in enumerate(header):
        if col in index:
            twice.append(f"{col} (column {k + 1})")
        elif col not in COLUMNS:
            unknown.append(f"{col} (column {k + 1})")
        index.setdefault(col, k)
    if len(unknown) + len(twice) <= 3:  # a few: one problem each, located by its column
        for at in twice:
            problems.append(Problem(name, at, "given twice", head_line))
        for at in unknown:
            problems.append(
                Problem(name, at, "unknown column; expected the DEU III columns", head_line)
            )
    else:  # many (a file of another kind): one problem each, a few of them quoted
        if twice:
            problems.append(
                Problem(name, "", f"{len(twice):,} columns given twice: {some(twice)}", head_line)
            )
        if unknown:
            problems.append(
                Problem(
                    name,
                    "",
                    f"{len(unknown):,} unknown columns: {some(unknown)}; expected the DEU III "
                    "columns",
                    head_line,
                )
            )
    absent = [c for c in COLUMNS if c not in index]
    if absent:
        problems.append(Problem(name, "", f"missing columns: {', '.join(absent)}", head_line))
    if problems:
        raise ScenarioError(problems)

    reader = _RowReader(name, index, iso_dates, problems)
    rows: list[DeuRow] = []
    seen: dict[str, int] = {}
    for k in range(first + 1, len(lines)):
        if not lines[k].strip():
            continue
        line = k + 1
        cells = [c.strip() for c in lines[k].split("\t")]
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name, "", f"{len(cells)} cells; expected {len(header)}, one per column", line
                )
            )
            continue
        row = reader.row(cells, line)
        if row.issue in seen:
            problems.append(
                Problem(
                    name,
                    reader.where("isnr"),
                    f"{row.issue!r} given twice; first on line {seen[row.issue]}",
                    line,
                )
            )
        seen.setdefault(row.issue, line)
        rows.append(row)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    if not rows:
        raise ScenarioError([Problem(name, "", "no rows; expected one row per issue", head_line)])
    return DeuTable(
        name,
        sha256,
        tuple(rows),
        reader.missing,
        reader.blank,
        reader.nines,
        reader.forms,
        reader.treated,
    )


class _RowReader:
    """Reads the cells of one row after another into :class:`DeuRow` s, collecting the
    problems and counting the missing cells and the forms of the dates."""

    def __init__(
        self, name: str, index: Mapping[str, int], iso_dates: bool, problems: list[Problem]
    ) -> None:
        self.name, self.index, self.iso_dates, self.problems = name, index, iso_dates, problems
        self.missing = dict.fromkeys(COLUMNS, 0)
        self.blank = self.nines = 0
        self.forms: dict[str, int] = {}
        self.treated: dict[str, int] = {}
        self.row_notes: list[str] = []
        self.cells: list[str] = []
        self.line = 0

    def where(self, col: str) -> str:
        return f"{col} (column {self.index[col] + 1})"

    def add(self, col: str, message: str) -> None:
        self.problems.append(Problem(self.name, self.where(col), message, self.line))

    def cell(self, col: str) -> str:
        return self.cells[self.index[col]]

    def number(self, col: str) -> float | None:
        text = self.cell(col)
        if text in MISSING:
            return None
        try:
            v = parse_number(text, what="a number")
        except NumberError as exc:
            self.add(col, str(exc))
            return None
        if not 0 <= v <= 100:
            self.add(col, f"{exact(v)} is off the scale; expected 0 to 100")
            return None
        return v

    def date(self, col: str) -> _dt.date | None:
        text = self.cell(col)
        if text in MISSING:
            return None
        try:
            d, form = parse_date(text, iso_dates=self.iso_dates)
        except ValueError as exc:
            self.add(col, str(exc))
            return None
        self.forms[form] = self.forms.get(form, 0) + 1
        return d

    def treat(self, cells: list[str]) -> list[str]:
        """The cells with the variants of codes read as the canonical ones (see the module
        docstring), each variant noted on the row and counted; a code of no known meaning
        is left for :meth:`row` to refuse."""
        cells = list(cells)
        self.row_notes = []
        markers: dict[str, list[str]] = {}
        for col in COLUMNS:
            k = self.index[col]
            text = cells[k]
            if col in ("counvte", "proc"):
                read = read_code(col, text)
                if read is not None and read[1] is not None:
                    cells[k] = read[0]
                    self.row_notes.append(read[1])
                    key = f"{col} {text!r} read as {read[0]}"
                    self.treated[key] = self.treated.get(key, 0) + 1
            elif text in MISSING_MARKERS and (col in _VALUED or col[1:] in ACTORS):
                cells[k] = ""
                markers.setdefault(text, []).append(col)
        for marker, cols in markers.items():
            self.row_notes.append(f"{marker!r} read as missing in {', '.join(cols)}")
            key = f"{marker!r} read as missing"
            self.treated[key] = self.treated.get(key, 0) + len(cols)
        return cells

    def row(self, cells: list[str], line: int) -> DeuRow:
        self.cells, self.line = self.treat(cells), line
        for col in COLUMNS:
            text = self.cell(col)
            if text in MISSING:
                self.missing[col] += 1
                self.blank += text == ""
                self.nines += text == "999"
        for col in ("isnr", "prnr"):
            value = self.cell(col)
            if value in MISSING:
                self.add(col, "missing; every row needs it")
            elif not _ID.match(value):
                self.add(col, f"{excerpt(value)} is no id (letters, digits, '-', '_', '.')")
        proc, vote = self.cell("proc"), self.cell("counvte")
        if proc not in eu_weights.PROCEDURES:
            why = (
                " (SLP, a special legislative procedure, may be consultation or consent: "
                "give CNS where it is consultation)"
                if proc.strip().upper() == "SLP"
                else ""
            )
            self.add("proc", f"expected COD or CNS, got {excerpt(proc)}{why}")
        if vote not in VOTING_RULES:
            self.add(
                "counvte",
                f"expected QMV or Unan, got {excerpt(vote)} (read also: unanimity, qmv, a code "
                "with a bracketed qualifier such as QMV(10))",
            )
        n_issues: int | None = None
        if self.cell("issues") not in MISSING:
            try:
                n_issues = parse_whole(self.cell("issues"), low=0, high=10_000)
            except NumberError as exc:
                self.add("issues", str(exc))
        position = {a: v for a in ACTORS if (v := self.number(f"p{a}")) is not None}
        salience = {a: v for a in ACTORS if (v := self.number(f"s{a}")) is not None}
        intro, final = self.date("intro"), self.date("finact")
        if intro is not None and final is not None and final < intro:
            self.add(
                "finact",
                f"the final act ({final.isoformat()}) precedes the introduction "
                f"({intro.isoformat()}); check the dates (iso_dates?)",
            )
        return DeuRow(
            line=line,
            proposal=self.cell("prnr"),
            proposal_name=self.cell("prname"),
            issue=self.cell("isnr"),
            act_type=self.cell("type"),
            council=self.cell("council"),
            procedure=proc,
            voting=vote,
            issues_in_proposal=n_issues,
            introduced=intro,
            final_act=final,
            position=position,
            salience=salience,
            reference_point=self.number("rp"),
            outcome=self.number("out"),
            treated=tuple(self.row_notes),
        )
