"""DEU III rows as one-issue scenarios: the Commission, the Parliament and the member states
with a position, capabilities from :mod:`~realpolitik.scenario.eu_weights` by the treaty in
force, the observed outcome attached, and every treatment noted (:class:`Note`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, Problem, ScenarioError
from .. import eu_weights
from ..objects import Actor, Issue, Outcome, Scenario, Source, SourceEntry, Stance
from .table import (
    ACTORS,
    CITATION,
    DOI_URL,
    STATE_CODES,
    DeuRow,
    DeuTable,
    read_deu,
)

__all__ = [
    "NOTE_KINDS",
    "DeuIssue",
    "DeuSet",
    "Note",
    "deu_scenarios",
    "load_deu",
]

# ------------------------------------------------------------------ scenarios


#: The kinds of :class:`Note`: no final act date (``--treaty-rule final`` took the
#: introduction's), an actor left out for want of a salience, a salience given to one, a
#: Council weight taken from a later treaty period, a code variant read as its code.
NOTE_KINDS = (
    "no_final_act",
    "left_out_no_salience",
    "salience_imputed",
    "weight_from_later_period",
    "code_variant",
)


@dataclass(frozen=True)
class Note:
    """A note on one issue: its kind (one of :data:`NOTE_KINDS`, what :meth:`DeuSet.counts`
    counts) and what it says."""

    kind: str
    text: str

    def __post_init__(self) -> None:
        if self.kind not in NOTE_KINDS:
            raise ValueError(f"unknown note kind {self.kind!r}; expected one of {NOTE_KINDS}")

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class DeuIssue:
    """One row as a one-issue scenario (with its outcome when known), the treaty period
    its capabilities come from, and notes on what was left out, imputed or carried over."""

    row: DeuRow
    scenario: Scenario
    period: str
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class DeuSet:
    """:func:`deu_scenarios`' result: the table, how it was weighted, one :class:`DeuIssue`
    per usable row, and the rows that became no scenario (with why)."""

    table: DeuTable
    weighting: eu_weights.Weighting
    treaty_rule: str
    missing_salience: float | None
    issues: tuple[DeuIssue, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """Rows, scenarios, scenarios with an outcome, skipped rows, and the actors left out
        (position without salience), given a salience, or weighted from a later period."""
        kinds = Counter(n.kind for d in self.issues for n in d.notes)
        return {
            "rows": len(self.table.rows),
            "scenarios": len(self.issues),
            "with_outcome": sum(1 for d in self.issues if d.scenario.outcomes),
            "without_outcome": sum(1 for d in self.issues if not d.scenario.outcomes),
            "without_reference_point": sum(1 for d in self.issues if d.row.reference_point is None),
            "skipped_rows": len(self.skipped),
            "left_out_no_salience": kinds["left_out_no_salience"],
            "salience_imputed": kinds["salience_imputed"],
            "weight_from_later_period": kinds["weight_from_later_period"],
            "code_variant": kinds["code_variant"],
        }

    def settings(self) -> dict[str, Any]:
        return {
            "weights": self.weighting.to_dict(),
            "treaty_rule": self.treaty_rule,
            "missing_salience": self.missing_salience,
            "periods": {
                p.key: sum(1 for d in self.issues if d.period == p.key) for p in eu_weights.PERIODS
            },
        }


def _names() -> dict[str, str]:
    names = {"com": "European Commission", "ep": "European Parliament"}
    names.update({a: eu_weights.NAMES[code] for a, code in STATE_CODES.items()})
    return names


def _period_for(row: DeuRow, rule: str) -> tuple[eu_weights.Period, Note | None]:
    if rule not in ("intro", "final"):
        return eu_weights.period(rule), None
    day = row.introduced if rule == "intro" else row.final_act or row.introduced
    note = None
    if rule == "final" and row.final_act is None and row.introduced is not None:
        note = Note("no_final_act", "no final act date: the treaty period of the introduction")
    if day is None:
        raise ScenarioError(
            [
                Problem(
                    "",
                    "intro",
                    f"{row.issue}: no date to choose the treaty by; give `treaty_rule` a period",
                    row.line,
                )
            ]
        )
    return eu_weights.period_at(day), note


def deu_scenarios(
    table: DeuTable,
    *,
    weights: str | eu_weights.Weighting = "council",
    treaty_rule: str = "intro",
    missing_salience: float | None = None,
) -> DeuSet:
    """One scenario per row of ``table``: the Commission, the Parliament and the member
    states with a position, weighted by ``weights`` (:func:`~realpolitik.scenario.
    eu_weights.weighting`) in the treaty period chosen by ``treaty_rule`` (``intro``: the
    proposal's introduction, when the positions were taken; ``final``: the final act;
    or a period's key); the reference point as the status quo and the outcome attached.

    ``missing_salience``: ``None`` leaves out an actor that has a position but no salience;
    a number (0-100) gives it that salience. Problems (a weight the weighting lacks, a row
    without a date) are raised together, located by file and line.
    """
    if treaty_rule not in eu_weights.TREATY_RULES:
        raise InputError(
            f"unknown treaty rule {treaty_rule!r}; expected one of "
            f"{', '.join(eu_weights.TREATY_RULES)}"
        )
    if missing_salience is not None and not 0 <= missing_salience <= 100:
        raise InputError(f"missing salience must be 0 to 100, got {missing_salience!r}")
    w = eu_weights.weighting(weights)
    names = _names()
    problems: list[Problem] = []
    # (column, what is missing) -> the lines: a weighting that lacks an actor lacks it on
    # every row, so each gap is one problem with its count, not one per cell
    lacking: dict[tuple[str, str], list[int]] = {}
    out: list[DeuIssue] = []
    skipped: list[tuple[str, str]] = []
    file = table.name
    deu_entry = SourceEntry(
        id="deu3",
        title="The Decision-making in the European Union (DEU III) dataset (1999-2019)",
        author="Javier Arregui and Clément Perarnaud",
        publisher="CORA Repositori de Dades de Recerca",
        url=DOI_URL,
        citation=CITATION,
        licence="CC BY 4.0",
    )
    weights_entry = SourceEntry(id="weights", title=w.describe())
    for row in table.rows:
        where = f"{file} line {row.line}"
        try:
            per, period_note = _period_for(row, treaty_rule)
        except ScenarioError as exc:
            problems.extend(Problem(file, p.field, p.message, p.line) for p in exc.problems)
            continue
        notes = [period_note] if period_note else []
        notes += [Note("code_variant", text) for text in row.treated]
        actors: list[Actor] = []
        stances: list[Stance] = []
        for a in ACTORS:
            if a not in row.position:
                continue
            sal = row.salience.get(a)
            if sal is None:
                if missing_salience is None:
                    notes.append(
                        Note("left_out_no_salience", f"{a}: a position but no salience: left out")
                    )
                    continue
                sal = missing_salience
                notes.append(
                    Note(
                        "salience_imputed",
                        f"{a}: a position but no salience: salience taken as {sal:g}",
                    )
                )
            try:
                cap, how = w.weight(a, STATE_CODES.get(a), row.procedure, per)
            except KeyError as exc:
                lacking.setdefault((f"p{a}", str(exc.args[0])), []).append(row.line)
                continue
            state = STATE_CODES.get(a)
            if w.table is None and w.name != "equal" and state and state not in per.weights:
                notes.append(
                    Note("weight_from_later_period", f"{a}: weight from a later period: {how}")
                )
            actors.append(Actor(a, names[a], cap, Source(ref="weights", note=how)))
            stances.append(
                Stance(a, row.issue, row.position[a], sal, Source(ref="deu3", note=where))
            )
        if not stances:
            skipped.append((row.issue, "no actor has a position"))
            continue
        rp = row.reference_point
        k = row.issues_in_proposal
        scenario = Scenario(
            id=row.issue,
            name=f"{row.proposal_name} ({row.proposal}), issue {row.issue}",
            date=row.introduced,
            description=(
                f"DEU III: proposal {row.proposal} ({row.act_type}, {row.council} Council), "
                f"{row.procedure}, {row.voting} in the Council; introduced "
                f"{row.introduced.isoformat() if row.introduced else 'on an unknown date'}"
                f"{', one of ' + str(k) + ' issues' if k else ''}. Capabilities: "
                f"{w.describe()}; the {per.name} period."
            ),
            actors=tuple(actors),
            issues=(
                Issue(
                    id=row.issue,
                    question=f"Where does issue {row.issue} of {row.proposal_name} end?",
                    scale_min=0.0,
                    scale_max=100.0,
                    min_label="0 on the DEU III scale of the issue",
                    max_label="100 on the DEU III scale of the issue",
                    status_quo=rp,
                    status_quo_source=None if rp is None else Source(ref="deu3", note=where),
                ),
            ),
            stances=tuple(stances),
            sources=(deu_entry, weights_entry),
            origin=where,
            outcomes=()
            if row.outcome is None
            else (
                Outcome(
                    row.issue,
                    row.outcome,
                    Source(ref="deu3", note=where),
                    date=row.final_act,
                ),
            ),
        )
        out.append(DeuIssue(row, scenario, per.key, tuple(notes)))
    for (column, message), lines in lacking.items():
        shown = ", ".join(map(str, lines[:5])) + (", ..." if len(lines) > 5 else "")
        rows = f"1 row: line {shown}" if len(lines) == 1 else f"{len(lines)} rows: lines {shown}"
        problems.append(Problem(file, column, f"{message} ({rows})", lines[0]))
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line or 0, p.field)))
    return DeuSet(table, w, treaty_rule, missing_salience, tuple(out), tuple(skipped))


def load_deu(
    path: str | Path,
    *,
    weights: str | eu_weights.Weighting = "council",
    treaty_rule: str = "intro",
    missing_salience: float | None = None,
    iso_dates: bool = False,
) -> DeuSet:
    """:func:`read_deu` then :func:`deu_scenarios`."""
    return deu_scenarios(
        read_deu(path, iso_dates=iso_dates),
        weights=weights,
        treaty_rule=treaty_rule,
        missing_salience=missing_salience,
    )
