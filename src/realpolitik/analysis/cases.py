"""The cases a back-test scores: each issue with an observed outcome, as a one-issue
scenario, with the cluster its issues are resampled in (a DEU III proposal, a scenario) and
the groups it falls in for the breakdowns; read from DEU III's table, from scenario files
carrying ``outcomes``, or from a folder of them (:func:`load_cases`).
"""

from __future__ import annotations

import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import InputError, Problem, ScenarioError
from ..results import freeze
from ..scenario import Scenario

__all__ = ["Case", "cases_from_deu", "cases_from_scenarios", "deu_separator", "load_cases"]


@dataclass(frozen=True)
class Case:
    """One issue to score: the scenario it belongs to, its cluster (issues resampled
    together: a DEU proposal, a scenario), and the groups it falls in for the breakdowns."""

    id: str
    scenario: Scenario
    issue: str
    cluster: str
    groups: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        freeze(self, groups=MappingProxyType(dict(self.groups)))
        o = self.scenario.outcome(self.issue)
        if o is None:
            raise InputError(f"{self.id}: the scenario records no outcome of {self.issue!r}")

    @property
    def outcome(self) -> float:
        o = self.scenario.outcome(self.issue)
        assert o is not None
        return o.value

    @property
    def span(self) -> float:
        return self.scenario.issue(self.issue).span


def cases_from_deu(deu: Any) -> tuple[tuple[Case, ...], dict[str, Any]]:
    """The scorable issues of a :class:`~realpolitik.scenario.deu.DeuSet` (those with an
    outcome), clustered by proposal and grouped by procedure and voting rule; and the
    description of the source."""
    cases = tuple(
        Case(
            id=d.row.issue,
            scenario=d.scenario,
            issue=d.row.issue,
            cluster=d.row.proposal,
            groups={"procedure": d.row.procedure, "voting": d.row.voting},
        )
        for d in deu.issues
        if d.scenario.outcomes
    )
    from ..scenario.deu import CITATION

    source = {
        "kind": "deu",
        **deu.table.to_dict(),
        **deu.settings(),
        "counts": deu.counts(),
        "citation": CITATION,
        "notes": {d.row.issue: [n.text for n in d.notes] for d in deu.issues if d.notes},
    }
    return cases, source


def cases_from_scenarios(scenarios: Sequence[Scenario]) -> tuple[tuple[Case, ...], dict[str, Any]]:
    """The issues with an outcome in each scenario, each scenario a cluster; case ids are
    ``SCENARIO:ISSUE``."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for sc in scenarios:
        if sc.id in seen:
            problems.append(
                Problem(sc.origin or sc.id, "id", f"scenario id {sc.id!r} also in {seen[sc.id]}")
            )
            continue
        seen[sc.id] = sc.origin or sc.id
        for o in sc.outcomes:
            cases.append(Case(f"{sc.id}:{o.issue}", sc, o.issue, sc.id))
    if problems:
        raise ScenarioError(problems)
    source = {
        "kind": "scenarios",
        "scenarios": [
            {
                "id": sc.id,
                "file": sc.origin,
                "hash": sc.content_hash(),
                "outcomes": len(sc.outcomes),
            }
            for sc in scenarios
        ],
        "without_outcomes": [sc.id for sc in scenarios if not sc.outcomes],
    }
    return tuple(cases), source


def deu_separator(path: str | Path) -> str | None:
    """How the columns of a DEU III table at ``path`` are separated: ``"\\t"`` for a
    ``.tsv`` or ``.tab`` file or a file whose tab-separated header names ``prnr`` or
    ``isnr``, ``","`` for a header of DEU's columns separated by commas (which the reader
    refuses: DEU tables are tab-separated), ``None`` for any other file."""
    p = Path(path).expanduser()
    if p.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        if not stat.S_ISREG(p.stat().st_mode):  # a pipe would block: the reader refuses it
            return None
        with p.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    first = next((ln for ln in head.lstrip("\ufeff").splitlines() if ln.strip()), "")
    for sep in ("\t", ","):
        if {"prnr", "isnr"} & {c.strip().strip('"') for c in first.split(sep)}:
            return sep
    return None


def load_cases(
    path: str | Path,
    *,
    weights: Any = "council",
    treaty_rule: str = "intro",
    missing_salience: float | None = None,
    iso_dates: bool = False,
) -> tuple[tuple[Case, ...], dict[str, Any]]:
    """The cases of a DEU III table (``.tsv``, or any file whose header is DEU's), of a
    scenario with outcomes (a file, or a folder of its CSV tables), or of every scenario in
    a folder (``.yaml``, ``.yml`` and ``.xlsx`` files, and folders of CSV tables); the
    weighting options apply to DEU tables only. Raises
    :class:`~realpolitik.errors.ScenarioError` with every problem found."""
    from ..scenario import load
    from ..scenario.deu import load_deu

    p = Path(path).expanduser()

    def tables(f: Path) -> bool:  # a folder of a scenario's CSV tables
        return f.is_dir() and (f / "stances.csv").is_file()

    if p.is_dir() and not tables(p):
        files = sorted(
            f
            for f in p.iterdir()
            if (f.is_file() and f.suffix.lower() in (".yaml", ".yml", ".xlsx")) or tables(f)
        )
        if not files:
            raise ScenarioError(
                [
                    Problem(
                        str(p),
                        "",
                        "no scenario files in this folder; expected .yaml or .xlsx files, "
                        "folders of CSV tables, or the tables themselves (stances.csv...)",
                    )
                ]
            )
        scenarios: list[Scenario] = []
        problems: list[Problem] = []
        for f in files:
            try:
                scenarios.append(load(f))
            except ScenarioError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ScenarioError(problems)
        cases, source = cases_from_scenarios(scenarios)
        source["folder"] = str(p)
    elif (sep := deu_separator(p) if p.is_file() else None) == ",":
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    "",
                    "a header of DEU III columns (prnr, isnr, ...) separated by commas; "
                    "DEU III tables are tab-separated: save the table with tabs (as .tsv)",
                    1,
                )
            ]
        )
    elif sep == "\t":
        cases, source = cases_from_deu(
            load_deu(
                p,
                weights=weights,
                treaty_rule=treaty_rule,
                missing_salience=missing_salience,
                iso_dates=iso_dates,
            )
        )
    else:
        cases, source = cases_from_scenarios([load(str(p))])
    if not cases and source["kind"] == "deu":
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    "out",
                    "no issue with an observed outcome: every cell of the `out` column is "
                    "blank or 999; expected the outcome on the issue's 0-100 scale",
                )
            ]
        )
    if not cases:
        raise ScenarioError(
            [
                Problem(
                    str(p),
                    "outcomes",
                    "no issue with an observed outcome; add `outcomes:` to the scenario "
                    "(see docs/reference/scenario-format.md)",
                )
            ]
        )
    return cases, source
