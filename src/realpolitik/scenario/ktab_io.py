"""KTAB's spatial-model CSV: read one as a :class:`Scenario`, write one from a scenario.

The format is the one KTAB's ``smpc --csv`` reads (KTAB, ``examples/smp/libsrc/smpread.cpp``:
``SMPModel::csvRead``; examples in ``examples/smp/doc/*.csv``)::

    China Policy; scen 0,Scenario-000; Appetite for reform ...,26,1,
    Actor,Description,Influence,Policy Position,Policy Salience,
    XJ,Xi Jinping,100,30,30,
    ...

Line 1: the scenario's name, its description, the number of actors and the number of
dimensions. Line 2: the column names, ``Actor``, ``Description``, the capability column
(``Power`` or ``Influence``) and, for each dimension, a position column (whose name names the
dimension) and a salience column. Then one line per actor: its short name, a description, its
capability, and a position (0-100) and a salience (0-100) per dimension. Cells may be padded
with spaces and lines may end in a comma (KTAB's own files do both); a byte-order mark and
blank lines are ignored.

Reading: actors get ids made from their short names (:func:`.csv_io.slug`: ``XJ`` -> ``xj``)
and names from their descriptions (the short name where the description is empty, and
"short name (description)" where several actors share a description); each
dimension is an issue on a 0-100 scale named after its position column; every number's source
is the file and its line. As KTAB, the reader rejects positions or saliences outside 0-100, an
actor whose saliences sum above 100 (beyond a rounding tolerance of 1e-9), negative
capabilities or capabilities above 1e8; and, where KTAB would fail only when the model runs,
an actor whose saliences are all 0 (KTAB's vote throws on a zero weight). Every problem is
reported at once, with the file, the line and the column.

Writing (:func:`write_ktab_csv`): actors as rows (short name = the actor's id, description =
its name), issues as dimensions (the position column named after the issue's question when
that question is what its id was made from, else after the id). Positions on a scale other than
0-100 are mapped linearly onto 0-100; an actor whose saliences sum above 100 has them divided by
their sum and multiplied by 100 (KTAB rejects more; it is also how the smp model's joint runs
read such saliences); commas and line breaks in text become ``;`` and spaces (KTAB's reader
splits at every comma); capabilities beyond KTAB's limit (1e8) are scaled so that the largest
is 100 (only ratios matter). Every actor needs a stance on every issue, and a salience above 0
on one of them (KTAB throws on an actor whose saliences are all 0). Shocks, ranges, outcomes,
status quos and sources have no place in the format and are left out. A scenario read from a
KTAB file writes back to a file that reads to the same scenario.

Complexity: O(n m) for n actors and m dimensions.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from ..errors import InputError, Problem, ScenarioError
from .csv_io import finite_number, numbered_records, slug
from .numbers import NumberError, excerpt, formula_guarded, formula_unguarded, parse_number, some
from .objects import Actor, Issue, Scenario, Source, SourceEntry, Stance
from .yaml_io import check_characters, read_text

__all__ = ["KTAB_SOURCE", "looks_like_ktab", "parse_ktab_csv", "read_ktab_csv", "write_ktab_csv"]

#: The id of the bibliography entry every number read from a KTAB file refers to.
KTAB_SOURCE = "ktab-csv"

#: KTAB's sanity limit on a capability (smpread.cpp).
MAX_CAPABILITY = 1e8

#: Tolerance on an actor's total salience of 100 (the sum of decimals rounds).
SALIENCE_TOL = 1e-9


def _rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """The non-blank records as (line, cells), cells stripped and trailing empty cells dropped."""
    out = []
    for line, row in numbered_records(text.removeprefix("\ufeff"), name, "file"):
        cells = [formula_unguarded(c.strip()) for c in row]  # (formula_guarded on writing)
        while cells and not cells[-1]:
            cells.pop()
        out.append((line, cells))
    return out


def _why(text: str) -> str:
    """Why a cell is not a number (the one grammar's message)."""
    try:
        parse_number(text)
    except NumberError as exc:
        return str(exc)
    return "expected a finite number"  # pragma: no cover - called for non-numbers only


def _int(text: str) -> int | None:
    v = finite_number(text)
    return int(v) if v is not None and v == int(v) and abs(v) < 1e15 else None


def _semicolon_cells(cells: list[str]) -> list[str] | None:
    """The cells of a first record separated by ';' (commas inside a name or description
    split it into few comma cells), or None if it does not look so."""
    if len(cells) >= 4 or ";" not in cells[0]:
        return None
    semi = [c.strip() for c in ",".join(cells).split(";")]
    return semi if len(semi) >= 4 else None


def looks_like_ktab(text: str) -> bool:
    """Whether ``text`` is a KTAB spatial-model CSV rather than a one-issue table
    (``actor,capability,position,salience``): its first line ends in two whole numbers
    (actors, dimensions) or its second line starts ``Actor,Description``. O(size of the first
    two lines)."""
    head = "\n".join(text.lstrip("\ufeff").splitlines()[:8])
    try:
        rows = [cells for _, cells in _rows(head, "")][:2]
    except ScenarioError:
        return False
    if not rows:
        return False
    first = [c.lower() for c in rows[0]]
    semi = _semicolon_cells(rows[0])
    if semi is not None:  # KTAB's layout with ';' (refused, with a message that says so)
        return _int(semi[2]) is not None and _int(semi[3]) is not None
    if "actor" in first and {"capability", "position", "salience"} & set(first):
        return False
    if len(rows[0]) >= 4 and _int(rows[0][2]) is not None and _int(rows[0][3]) is not None:
        return True
    return len(rows) > 1 and [c.lower() for c in rows[1][:2]] == ["actor", "description"]


def parse_ktab_csv(text: str, name: str, *, stem: str | None = None) -> Scenario:
    """The scenario of a KTAB spatial-model CSV ``text`` read from ``name``; a
    :class:`ScenarioError` lists every problem. O(n m)."""
    problems: list[Problem] = []

    def add(line: int | None, field: str, message: str) -> None:
        problems.append(Problem(name, field, message, line))

    check_characters(text, name)
    rows = _rows(text, name)
    if not rows:
        raise ScenarioError(
            [Problem(name, "", "the file is empty; expected KTAB's scenario line and a header")]
        )
    line1, first = rows[0]
    if len(first) < 4 and _semicolon_cells(first) is not None:
        add(
            line1,
            "scenario line",
            "the cells are separated by ';'; expected ',' (KTAB's CSVs are comma-separated: "
            "save the file as CSV with commas)",
        )
        raise ScenarioError(problems)
    if len(first) < 4:
        add(
            line1,
            "scenario line",
            f"{len(first)} cell(s); expected 4: name, description, number of actors, "
            "number of dimensions",
        )
        raise ScenarioError(problems)
    if len(first) > 4:
        add(
            line1,
            "scenario line",
            f"{len(first)} cells; expected 4 (name, description, number of actors, number of "
            "dimensions): a comma inside the name or the description splits it",
        )
    n_act, n_dim = _int(first[2]), _int(first[3])
    if n_act is None or n_act < 1:
        add(
            line1,
            "number of actors",
            f"expected a whole number of 1 or more, got {excerpt(first[2])}",
        )
    if n_dim is None or n_dim < 1:
        add(
            line1,
            "number of dimensions",
            f"expected a whole number of 1 or more, got {excerpt(first[3])}",
        )
    if problems:
        raise ScenarioError(problems)
    assert n_act is not None and n_dim is not None
    width = 3 + 2 * n_dim
    if len(rows) < 2:
        add(
            None,
            "header",
            f"no header line; expected Actor, Description, Power and {n_dim} "
            "position and salience column pair(s)",
        )
        raise ScenarioError(problems)
    line2, header = rows[1]
    if len(header) != width:
        add(
            line2,
            "header",
            f"{len(header)} column(s); line {line1} announces {n_dim} dimension(s), so expected "
            f"{width}: Actor, Description, Power, then a position and a salience column per "
            "dimension",
        )
        raise ScenarioError(problems)
    dims = [header[3 + 2 * k] or f"dimension {k + 1}" for k in range(n_dim)]
    issue_ids = [slug(d, fallback=f"dimension-{k + 1}") for k, d in enumerate(dims)]
    for k, iid in enumerate(issue_ids):
        if iid in issue_ids[:k]:
            add(
                line2,
                dims[k],
                f"a second dimension named {excerpt(dims[k])}; expected distinct names",
            )
    cap_col = header[2] or "Power"

    body = rows[2:]
    if len(body) != n_act:
        where = body[n_act][0] if len(body) > n_act else None
        add(
            where,
            "number of actors",
            f"line {line1} announces {n_act} actor(s); the file has {len(body)} actor line(s)",
        )
    actors: list[Actor] = []
    stances: list[Stance] = []
    seen: dict[str, int] = {}
    # names from the descriptions (the short name without one), unless a name would stand
    # for several actors (KTAB's examples give every actor one description): then
    # "short name (description)"
    repeated = Counter((cells[1] or cells[0]) for _, cells in body if len(cells) > 1)

    def in_range(line: int, column: str, cell: str, high: float, expected: str) -> float | None:
        """The number in ``cell`` if it is one from 0 to ``high``; else None, and the
        problem added (``expected``: what the column takes)."""
        x = finite_number(cell)
        if x is None:
            add(line, column, _why(cell))
        elif not 0 <= x <= high:
            add(line, column, f"{x:g} is out of range; expected {expected}")
        else:
            return x
        return None

    for line, cells in body:
        if len(cells) != width:
            add(line, "row", f"{len(cells):,} cell(s); expected {width} ({some(header)})")
            continue
        short, desc = cells[0], cells[1]
        ok = True
        if not short:
            add(line, header[0] or "Actor", "empty; expected the actor's short name")
            ok = False
        cap = in_range(line, cap_col, cells[2], MAX_CAPABILITY, f"0 to {MAX_CAPABILITY:g}")
        ok = ok and cap is not None
        values: list[tuple[float, float]] = []
        total = 0.0
        for k in range(n_dim):
            pcol, scol = header[3 + 2 * k], header[4 + 2 * k]
            pos = in_range(line, pcol, cells[3 + 2 * k], 100, "a position from 0 to 100")
            sal = in_range(line, scol, cells[4 + 2 * k], 100, "a salience from 0 to 100")
            ok = ok and pos is not None and sal is not None
            total += sal or 0.0
            values.append((pos or 0.0, sal or 0.0))
        if ok and total > 100 + SALIENCE_TOL:
            add(
                line,
                "salience",
                f"the saliences sum to {total:g}; expected at most 100 over all dimensions "
                "(KTAB's rule: an actor's attention is shared among the dimensions)",
            )
            ok = False
        if ok and total == 0:
            add(
                line,
                "salience",
                "every salience is 0; expected at least one positive (KTAB fails on an actor "
                "that cares about nothing)",
            )
            ok = False
        aid = slug(short, fallback=f"actor-{line}") if short else ""
        if aid and aid in seen:
            add(
                line,
                header[0] or "Actor",
                f"duplicate actor {excerpt(short)}; first on line {seen[aid]}",
            )
            ok = False
        if not ok:
            continue
        assert cap is not None
        seen[aid] = line
        src = Source(ref=KTAB_SOURCE, note=f"line {line}")
        label = desc or short
        if repeated[label] > 1 and desc:
            label = f"{short} ({desc})"
        actors.append(Actor(aid, label, cap, src))
        for k, (pos, sal) in enumerate(values):
            stances.append(Stance(aid, issue_ids[k], pos, sal, src))
    if not problems and actors and all(a.capability == 0 for a in actors):
        add(None, cap_col, "every capability is zero; expected at least one positive")
    if problems:
        raise ScenarioError(problems)
    file_stem = stem if stem is not None else Path(name).stem
    title = first[0] or file_stem or "ktab"
    return Scenario(
        id=slug(title, fallback=slug(file_stem, fallback="ktab")),
        name=title,
        date=None,
        description=first[1] or f"Read from the KTAB file {Path(name).name}.",
        actors=tuple(actors),
        issues=tuple(
            Issue(
                id=issue_ids[k],
                question=dims[k],
                scale_min=0.0,
                scale_max=100.0,
                min_label="0",
                max_label="100",
            )
            for k in range(n_dim)
        ),
        stances=tuple(stances),
        sources=(
            SourceEntry(
                id=KTAB_SOURCE,
                title=Path(name).name,
                note="a KTAB spatial-model CSV (smpc --csv); numbers cited by line",
            ),
        ),
        origin=name,
    )


def read_ktab_csv(path: Path, *, label: str | None = None) -> Scenario:
    """:func:`parse_ktab_csv` of the file at ``path``."""
    name = label or str(path)
    return parse_ktab_csv(read_text(path, label=name), name, stem=path.stem)


def _text(value: str) -> str:
    """Text KTAB's reader takes whole: no comma (it splits at each), quote or line break;
    and none that a spreadsheet opening the file would run as a formula (behind an
    apostrophe, taken off on reading: :func:`~.numbers.formula_guarded`)."""
    return formula_guarded(" ".join(value.replace(",", ";").replace('"', "'").split()))


def _ktab_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def write_ktab_csv(scenario: Scenario) -> str:
    """The scenario as a KTAB spatial-model CSV (see the module docstring for the mapping);
    an :class:`~realpolitik.errors.InputError` names the actors and issues without a stance.
    O(n m)."""
    issues = scenario.issues
    missing = [
        f"{a.id} on {i.id}"
        for a in scenario.actors
        for i in issues
        if not scenario.stance(a.id, i.id)
    ]
    if missing:
        raise InputError(
            "KTAB's format needs a stance of every actor on every issue; missing: "
            + ", ".join(missing[:10])
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        )
    if not issues or not scenario.actors:
        raise InputError("KTAB's format needs at least one actor and one issue")
    own = [f"{s.actor} on {s.issue}" for s in scenario.stances if s.capability is not None]
    if own:
        raise InputError(
            "KTAB's format has one influence per actor; these stances have a capability of "
            f"their own, which it cannot hold: {', '.join(own[:10])}"
            + (f" and {len(own) - 10} more" if len(own) > 10 else "")
            + " (write yaml, xlsx or csv instead)"
        )
    idle = [
        a.id
        for a in scenario.actors
        if all(st.salience == 0 for i in issues if (st := scenario.stance(a.id, i.id)))
    ]
    if idle:
        raise InputError(
            "KTAB's format needs every actor to care about some issue (KTAB throws on an actor "
            f"whose saliences are all 0); all 0: {', '.join(idle)}"
        )
    top = max(a.capability for a in scenario.actors)
    if not top > 0:
        raise InputError("KTAB's format needs a positive capability (influence)")
    # only ratios matter: capabilities beyond KTAB's limit are written with the largest 100
    scale = 100.0 / top if top > MAX_CAPABILITY else 1.0
    power = {a.id: a.capability * scale for a in scenario.actors}
    lines = [
        [
            _text(scenario.name),
            _text(scenario.description),
            str(len(scenario.actors)),
            str(len(issues)),
        ]
    ]
    cols = []
    for i in issues:
        col = _text(i.question) if slug(i.question, fallback="") == i.id else i.id
        cols += [col, f"{col} Salience"]
    lines.append(["Actor", "Description", "Influence", *cols])
    for a in scenario.actors:
        pos, sal = [], []
        for i in issues:
            st = scenario.stance(a.id, i.id)
            assert st is not None
            if (i.scale_min, i.scale_max) == (0.0, 100.0) or i.span == 0:
                p = st.position if i.span else 50.0
            else:
                p = (st.position - i.scale_min) / i.span * 100.0
            pos.append(min(max(p, 0.0), 100.0))
            sal.append(st.salience)
        total = math.fsum(sal)
        if total > 100 + SALIENCE_TOL:
            sal = [s / total * 100.0 for s in sal]
        cells = [a.id, _text(a.name), _ktab_number(power[a.id])]
        for p, s in zip(pos, sal, strict=True):
            cells += [_ktab_number(p), _ktab_number(s)]
        lines.append(cells)
    return "".join(",".join(cells) + "\n" for cells in lines)
