"""A single issue as a plain CSV table: ``actor,capability,position,salience``.

Each row is an actor (its name in ``actor``); salience is on 0-100. The issue is
named after the file, its scale runs from the lowest to the highest position in
the table, and it has no status quo (use the YAML form for labelled scales, a
status quo and sources). Every row's numbers are sourced to the file and row.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
from pathlib import Path

from ..errors import Problem, ScenarioError
from .numbers import NumberError, exact, excerpt, number_or_none, parse_number, some
from .objects import Actor, Issue, Scenario, Source, SourceEntry, Stance
from .yaml_io import check_characters, read_text

__all__ = ["COLUMNS", "parse_csv", "read_csv", "slug"]

COLUMNS = ("actor", "capability", "position", "salience")


def slug(text: str, fallback: str = "x") -> str:
    """A lowercase, hyphenated id made from a name: ``"United Kingdom"`` -> ``united-kingdom``;
    ``fallback`` when the name has no Latin letter or digit (``"Россия"``)."""
    s = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    return s[:64].strip("-") or fallback


def finite_number(text: str) -> float | None:
    """``text`` as a finite float if it is a number of the one grammar
    (:mod:`~realpolitik.scenario.numbers`), or None."""
    return number_or_none(text)


def numbered_records(text: str, name: str, what: str = "table") -> list[tuple[int, list[str]]]:
    """The CSV records of ``text`` with a non-blank cell, as (the record's first line, its
    cells); a :class:`ScenarioError` naming ``name`` and the line for one that is not CSV.
    O(size)."""
    reader = csv.reader(io.StringIO(text))
    numbered: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                numbered.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ScenarioError(
            [Problem(name, "", f"not a readable CSV {what}: {exc}", reader.line_num or None)]
        ) from None
    return numbered


def parse_csv(
    text: str, name: str, *, stem: str = "issue", date: _dt.date | None = None
) -> Scenario:
    problems: list[Problem] = []

    def add(line: int | None, field: str, message: str) -> None:
        problems.append(Problem(name, field, message, line))

    check_characters(text, name)
    numbered = numbered_records(text, name)  # (first line of the record, cells)
    if not numbered:
        raise ScenarioError([Problem(name, "", "the file is empty; expected a header and rows")])
    header_line, header = numbered[0]
    cols = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in cols]
    unknown = [h for h in cols if h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append(f"{len(unknown):,} unknown column(s) " + some(unknown))
        add(header_line, "header", "; ".join(parts) + "; expected the columns " + ",".join(COLUMNS))
        raise ScenarioError(problems)
    where = {c: cols.index(c) for c in COLUMNS}
    if len(set(cols)) != len(cols):
        add(header_line, "header", "a column is named twice; expected " + ",".join(COLUMNS))
        raise ScenarioError(problems)

    actors: list[Actor] = []
    stances: list[Stance] = []
    seen: dict[str, int] = {}
    for line, row in numbered[1:]:
        if len(row) != len(cols):
            add(line, "row", f"{len(row):,} cells; expected {len(cols)} ({','.join(COLUMNS)})")
            continue
        actor_name = row[where["actor"]].strip()
        values: dict[str, float] = {}
        ok = True
        if not actor_name:
            add(line, "actor", "empty; expected the actor's name")
            ok = False
        for col in ("capability", "position", "salience"):
            try:
                values[col] = parse_number(row[where[col]])
            except NumberError as exc:
                add(line, col, str(exc))
                ok = False
        if "capability" in values and values["capability"] < 0:
            add(
                line, "capability", f"{exact(values['capability'])} is negative; expected 0 or more"
            )
            ok = False
        if "salience" in values and not 0 <= values["salience"] <= 100:
            add(line, "salience", f"{exact(values['salience'])} is out of range; expected 0 to 100")
            ok = False
        aid = slug(actor_name, fallback=f"actor-{line}") if actor_name else ""
        if aid and aid in seen:
            add(line, "actor", f"duplicate actor {excerpt(actor_name)}; first on line {seen[aid]}")
            ok = False
        if not ok:
            continue
        seen[aid] = line
        src = Source(ref="table", note=f"line {line}")
        actors.append(Actor(aid, actor_name, values["capability"], src))
        stances.append(Stance(aid, stem, values["position"], values["salience"], src))

    if not problems and not actors:
        add(None, "", "no rows; expected one row per actor under the header")
    if actors and all(a.capability == 0 for a in actors):
        add(None, "capability", "every capability is zero; expected at least one positive")
    positions = [s.position for s in stances]
    if positions and not math.isfinite(max(positions) - min(positions)):
        add(None, "position", "the positions span more than a float can hold; rescale them")
    if problems:
        raise ScenarioError(problems)
    lo, hi = min(positions), max(positions)
    lo_label = f"{lo:g} (lowest position in the table)"
    hi_label = f"{hi:g} (highest position in the table)"
    if lo == hi:  # one actor, or full agreement: a scale of one unit either side
        lo, hi = lo - 1.0, hi + 1.0
        lo_label = f"{lo:g} (one unit below the common position; the table has no spread)"
        hi_label = f"{hi:g} (one unit above the common position; the table has no spread)"
    return Scenario(
        id=slug(stem),
        name=stem,
        date=date,
        description=f"One issue read from the table {Path(name).name}.",
        actors=tuple(actors),
        issues=(
            Issue(
                id=stem,
                question=stem,
                scale_min=lo,
                scale_max=hi,
                min_label=lo_label,
                max_label=hi_label,
            ),
        ),
        stances=tuple(stances),
        sources=(SourceEntry(id="table", title=Path(name).name),),
        origin=name,
    )


def read_csv(path: Path, *, label: str | None = None) -> Scenario:
    name = label or str(path)
    return parse_csv(read_text(path, label=name), name, stem=slug(path.stem, fallback="issue"))
