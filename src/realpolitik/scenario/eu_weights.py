"""Capabilities in EU legislative bargaining: the Council's voting weights per treaty
period, with their legal sources, and the Commission's and the Parliament's weight under
each legislative procedure.

The Council
-----------
Six periods, each a table of the member states' weights:

* ``pre-nice``, to 30 April 2004: votes of the EU-15, total 87 (Art. 148(2) EC, Art. 205(2)
  TEC from the Treaty of Amsterdam (1 May 1999), as amended by the 1994 Act of Accession, in
  force 1 January 1995);
* ``accession-2004``, 1 May to 31 October 2004: the transitional votes of the EU-25, total
  124 (2003 Act of Accession, Art. 26);
* ``nice-eu25``, ``nice-eu27`` and ``nice-eu28``, 1 November 2004 to 31 October 2014: the
  votes of the Treaty of Nice (Protocol on the enlargement of the EU, Art. 3, with the votes
  of the new members set by the 2003 Act of Accession, the 2005 Act and the 2012 Act) of
  the states that were members on the day: total 321 for the EU-25 to 31 December 2006, 345
  for the EU-27 with Bulgaria and Romania (members from 1 January 2007) to 30 June 2013,
  and 352 for the EU-28 with Croatia (a member from 1 July 2013). The three tables are
  made from one table of Nice votes and the days the later members joined
  (:data:`NICE_ACCESSIONS`);
* ``lisbon``, from 1 November 2014: population shares (the double majority of Art. 16(4)
  TEU and Art. 238(3) TFEU: 55% of the states representing 65% of the population).

Under Lisbon every state counts once in the states' criterion and by its population in the
other; only the second tells states apart, so a state's weight is its share of the Union's
population. The shares are those of **Council Decision (EU, Euratom) 2015/2393** of 8
December 2015 amending the Council's Rules of Procedure (Annex III, the figures for 2016,
OJ L 332, 18.12.2015, p. 133), as percentages to two decimals. They were transcribed from a
report of the decision (Agence Europe, Bulletin 11449, 9 December 2015) and are
renormalised to sum to 1 (the printed percentages sum to 100.01): **check them against the
Official Journal before relying on them.** The vote tables were transcribed from the
treaties and acts named above and should be checked likewise. From 1 November 2014 to 31
March 2017 a member could ask for a vote under the Nice weights (Protocol 36, Art. 3(2));
this module ignores that option.

A state that takes a position on a proposal of a period whose table does not list it (a
candidate that took part in negotiations before its accession, say Bulgaria on a proposal of
July 2004 or of 2006) gets the **share of the Council it had in the first later period that
lists it, times the total of the period's table**: Bulgaria on a proposal of 2006 weighs
10/345 of the EU-25's 321 votes; :func:`council_weight` says so in its note.

The Commission and the Parliament
---------------------------------
How much weight the supranational institutions carry is the classic open question of the
DEU literature (Thomson & Hosli 2006, "Who has power in the EU?", JCMS 44(2): 391-417;
Thomson 2011, *Resolving Controversy in the European Union*, ch. 8). Thomson and Hosli
contrast a *Council-centric* view with a *supranational* one and find the Council-centric
variant of the compromise model the more accurate. The weightings here follow those two
views; the numbers are this module's own simple operationalisation of them, not a
transcription of the authors' tables:

* ``council`` (the default, Council-centric): the Commission weighs as much as the largest
  member state of the period, under every procedure; the Parliament as much under
  co-decision (``COD``: it is a co-legislator) and nothing under consultation (``CNS``: its
  opinion does not bind the Council).
* ``supranational``: the Commission weighs as much as the whole Council (the total of the
  period's table: 321 votes in 2005, 352 in 2014); the Parliament as much under co-decision
  and nothing under consultation.
* ``equal``: every actor weighs 1.
* a file of ``actor,weight`` rows (optionally a third column ``procedure``, COD or CNS, for
  a weight under that procedure only): :func:`read_weights`.

Under unanimity the Council's votes have no legal effect; the default keeps them anyway
(the voting rule is one of the back-test's breakdowns), and ``equal`` is the alternative.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..errors import Problem, ScenarioError, UnknownNameError
from .numbers import NumberError, exact, excerpt, parse_number, some

__all__ = [
    "COMMISSION",
    "NAMES",
    "NICE_ACCESSIONS",
    "PARLIAMENT",
    "PERIODS",
    "PROCEDURES",
    "SCHEMES",
    "TREATY_RULES",
    "Period",
    "Weighting",
    "council_weight",
    "period",
    "period_at",
    "read_weights",
    "weighting",
]

#: Actor codes of the two supranational institutions.
COMMISSION, PARLIAMENT = "com", "ep"
#: The legislative procedures a weighting distinguishes.
PROCEDURES = ("COD", "CNS")
#: The named weightings; anything else given to :func:`weighting` is read as a file.
SCHEMES = ("council", "supranational", "equal")

#: The member states' names, by the two-letter codes the EU uses (EL Greece, UK).
NAMES: Mapping[str, str] = MappingProxyType(
    {
        "AT": "Austria",
        "BE": "Belgium",
        "BG": "Bulgaria",
        "CY": "Cyprus",
        "CZ": "Czech Republic",
        "DE": "Germany",
        "DK": "Denmark",
        "EE": "Estonia",
        "EL": "Greece",
        "ES": "Spain",
        "FI": "Finland",
        "FR": "France",
        "HR": "Croatia",
        "HU": "Hungary",
        "IE": "Ireland",
        "IT": "Italy",
        "LT": "Lithuania",
        "LU": "Luxembourg",
        "LV": "Latvia",
        "MT": "Malta",
        "NL": "Netherlands",
        "PL": "Poland",
        "PT": "Portugal",
        "RO": "Romania",
        "SE": "Sweden",
        "SI": "Slovenia",
        "SK": "Slovakia",
        "UK": "United Kingdom",
    }
)


@dataclass(frozen=True)
class Period:
    """One treaty period of the Council: its dates, each member state's weight, and where
    the weights come from."""

    key: str
    name: str
    start: _dt.date | None
    end: _dt.date | None  # the last day in force, None: still in force
    weights: Mapping[str, float]
    unit: str
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))

    @property
    def total(self) -> float:
        return math.fsum(self.weights.values())

    @property
    def largest(self) -> float:
        return max(self.weights.values())

    def covers(self, day: _dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


_EU15_VOTES = {
    "DE": 10,
    "FR": 10,
    "IT": 10,
    "UK": 10,
    "ES": 8,
    "BE": 5,
    "EL": 5,
    "NL": 5,
    "PT": 5,
    "AT": 4,
    "SE": 4,
    "DK": 3,
    "IE": 3,
    "FI": 3,
    "LU": 2,
}
_ACCESSION_2004_VOTES = {
    **_EU15_VOTES,
    "PL": 8,
    "CZ": 5,
    "HU": 5,
    "EE": 3,
    "LV": 3,
    "LT": 3,
    "SI": 3,
    "SK": 3,
    "CY": 2,
    "MT": 2,
}
_NICE_VOTES = {
    "DE": 29,
    "FR": 29,
    "IT": 29,
    "UK": 29,
    "ES": 27,
    "PL": 27,
    "RO": 14,
    "NL": 13,
    "BE": 12,
    "CZ": 12,
    "EL": 12,
    "HU": 12,
    "PT": 12,
    "AT": 10,
    "BG": 10,
    "SE": 10,
    "DK": 7,
    "FI": 7,
    "IE": 7,
    "LT": 7,
    "SK": 7,
    "HR": 7,
    "CY": 4,
    "EE": 4,
    "LV": 4,
    "LU": 4,
    "SI": 4,
    "MT": 3,
}
#: Per cent of the Union's population, Council Decision (EU, Euratom) 2015/2393 (for 2016).
LISBON_2016_PERCENT = {
    "DE": 15.93,
    "FR": 13.04,
    "UK": 12.73,
    "IT": 12.07,
    "ES": 9.12,
    "PL": 7.47,
    "RO": 3.90,
    "NL": 3.37,
    "BE": 2.21,
    "EL": 2.13,
    "CZ": 2.05,
    "PT": 2.04,
    "HU": 1.94,
    "SE": 1.92,
    "AT": 1.69,
    "BG": 1.42,
    "DK": 1.11,
    "FI": 1.08,
    "SK": 1.06,
    "IE": 0.91,
    "HR": 0.83,
    "LT": 0.57,
    "SI": 0.41,
    "LV": 0.39,
    "EE": 0.26,
    "CY": 0.17,
    "LU": 0.11,
    "MT": 0.08,
}
_LISBON_SUM = math.fsum(LISBON_2016_PERCENT.values())

#: The Nice period: from the day the Treaty of Nice's votes applied to the last day before
#: Lisbon's double majority.
_NICE_START, _NICE_END = _dt.date(2004, 11, 1), _dt.date(2014, 10, 31)
#: The states that joined during the Nice period, and the day each became a member.
NICE_ACCESSIONS: Mapping[str, _dt.date] = MappingProxyType(
    {"BG": _dt.date(2007, 1, 1), "RO": _dt.date(2007, 1, 1), "HR": _dt.date(2013, 7, 1)}
)
#: The act that set the votes of the states that were members from each day.
_NICE_ACTS = {
    _NICE_START: "the 2003 Act of Accession (EU-25)",
    _dt.date(2007, 1, 1): "the 2005 Act of Accession (Bulgaria, Romania; members from 1 "
    "January 2007)",
    _dt.date(2013, 7, 1): "the 2012 Act of Accession (Croatia; a member from 1 July 2013)",
}


def _nice_periods() -> tuple[Period, ...]:
    """The Nice votes of the states that were members, one period per membership: a new
    period starts on each day of :data:`NICE_ACCESSIONS`."""
    starts = sorted({_NICE_START, *NICE_ACCESSIONS.values()})
    periods = []
    for k, start in enumerate(starts):
        end = starts[k + 1] - _dt.timedelta(days=1) if k + 1 < len(starts) else _NICE_END
        weights = {
            s: float(v)
            for s, v in _NICE_VOTES.items()
            if NICE_ACCESSIONS.get(s, _NICE_START) <= start
        }
        acts = [_NICE_ACTS[d] for d in starts[: k + 1]]
        acts_text = ", ".join(acts[:-1]) + " and " + acts[-1] if len(acts) > 1 else acts[0]
        periods.append(
            Period(
                key=f"nice-eu{len(weights)}",
                name=f"Treaty of Nice (EU-{len(weights)})",
                start=start,
                end=end,
                weights=weights,
                unit="votes",
                source="Treaty of Nice, Protocol on the enlargement of the EU, Art. 3, with the "
                f"votes of the new members in {acts_text}: {math.fsum(weights.values()):g} votes",
            )
        )
    return tuple(periods)


PERIODS: tuple[Period, ...] = (
    Period(
        key="pre-nice",
        name="before Nice (EU-15)",
        start=None,
        end=_dt.date(2004, 4, 30),
        weights={k: float(v) for k, v in _EU15_VOTES.items()},
        unit="votes",
        source="Art. 148(2) EC (Art. 205(2) TEC after Amsterdam) as amended by the 1994 Act "
        "of Accession (Austria, Finland, Sweden; in force 1 January 1995): 87 votes",
    ),
    Period(
        key="accession-2004",
        name="accession transition (EU-25)",
        start=_dt.date(2004, 5, 1),
        end=_dt.date(2004, 10, 31),
        weights={k: float(v) for k, v in _ACCESSION_2004_VOTES.items()},
        unit="votes",
        source="2003 Act of Accession, Art. 26 (1 May to 31 October 2004): 124 votes",
    ),
    *_nice_periods(),
    Period(
        key="lisbon",
        name="Treaty of Lisbon (double majority)",
        start=_NICE_END + _dt.timedelta(days=1),
        end=None,
        weights={k: v / _LISBON_SUM for k, v in LISBON_2016_PERCENT.items()},
        unit="population share",
        source="Art. 16(4) TEU, Art. 238(3) TFEU; population shares of Council Decision "
        "(EU, Euratom) 2015/2393 (figures for 2016, OJ L 332, 18.12.2015, p. 133)",
        note="percentages transcribed from a report of the decision (Agence Europe, Bulletin "
        "11449) and renormalised from 100.01 to 1: check against the Official Journal",
    ),
)
_BY_KEY = {p.key: p for p in PERIODS}
#: How the period of a proposal is chosen: by its introduction date (``intro``, the
#: default), by the date of the final act (``final``), or fixed to one period.
TREATY_RULES = ("intro", "final", *_BY_KEY)


def period(key: str) -> Period:
    """The period called ``key``; an :class:`~realpolitik.errors.UnknownNameError` (a
    ``KeyError``) names the known ones."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownNameError(
            f"unknown treaty period {key!r}; known: {', '.join(_BY_KEY)}"
        ) from None


def period_at(day: _dt.date) -> Period:
    """The period in force on ``day``."""
    for p in PERIODS:
        if p.covers(day):
            return p
    raise ValueError(f"no treaty period covers {day.isoformat()}")  # pragma: no cover


def council_weight(state: str, p: Period) -> tuple[float, str] | None:
    """A member state's weight in period ``p`` and a note on where it comes from; ``None``
    if no period from ``p`` on lists the state."""
    if state in p.weights:
        return p.weights[state], f"{p.weights[state]:g} {p.unit}, {p.source}"
    later = PERIODS[PERIODS.index(p) + 1 :]
    for q in later:
        if state in q.weights:
            w = q.weights[state] / q.total * p.total
            return w, (
                f"{w:.4g}: not in the table of the {p.name} period; its share of the Council "
                f"in the {q.name} period ({q.weights[state]:g} of {q.total:g} {q.unit}) "
                f"times that period's total ({p.total:g})"
            )
    return None


@dataclass(frozen=True)
class Weighting:
    """How actors of EU legislation weigh: a named scheme (``council``, ``supranational``,
    ``equal``) or a table read from a file (``table`` maps ``(actor, procedure)`` to a
    weight, procedure ``""`` for every procedure)."""

    name: str
    table: Mapping[tuple[str, str], float] | None = None
    sha256: str | None = None

    def describe(self) -> str:
        return {
            "council": "Council-centric: Council votes of the treaty in force (population "
            "shares under Lisbon); the Commission as the largest state; the Parliament as "
            "the largest state under co-decision, 0 under consultation",
            "supranational": "supranational: Council votes of the treaty in force; the "
            "Commission as the whole Council; the Parliament as the whole Council under "
            "co-decision, 0 under consultation",
            "equal": "equal: every actor weighs 1",
        }.get(self.name, f"from the file {self.name}")

    def weight(self, actor: str, state: str | None, procedure: str, p: Period) -> tuple[float, str]:
        """The weight of ``actor`` (``state``: its EU code if a member state, else ``None``)
        under ``procedure`` in period ``p``, and a note on its source. An
        :class:`~realpolitik.errors.UnknownNameError` (a ``KeyError``) if the weighting has
        none for it."""
        if self.table is not None:
            for key in ((actor, procedure), (actor, "")):
                if key in self.table:
                    return self.table[key], f"{self.table[key]:g}, from {self.name}"
            raise UnknownNameError(f"{self.name} gives no weight to {actor!r} under {procedure}")
        if self.name == "equal":
            return 1.0, "1: equal weights"
        if state is not None:
            found = council_weight(state, p)
            if found is None:
                raise UnknownNameError(
                    f"no Council weight for {state} in the {p.name} period or later"
                )
            return found
        if actor not in (COMMISSION, PARLIAMENT):
            raise UnknownNameError(
                f"{actor!r} is neither a member state, the Commission nor the EP"
            )
        if actor == PARLIAMENT and procedure != "COD":
            return 0.0, "0: consulted only (its opinion does not bind the Council)"
        if self.name == "council":
            return p.largest, f"{p.largest:g}: as the largest member state ({p.name}; {p.unit})"
        return p.total, f"{p.total:g}: as the whole Council ({p.name}; {p.unit})"

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {"name": self.name, "description": self.describe()}
        if self.sha256:
            d["sha256"] = self.sha256
        return d


def weighting(spec: str | Weighting) -> Weighting:
    """A named weighting (:data:`SCHEMES`), or one read from the file at ``spec``; a
    :class:`~realpolitik.errors.ScenarioError` if ``spec`` is neither (it lists both)."""
    if isinstance(spec, Weighting):
        return spec
    if spec in SCHEMES:
        return Weighting(spec)
    path = Path(spec).expanduser()
    if not path.exists():
        raise ScenarioError(
            [
                Problem(
                    str(spec),
                    "",
                    "no such weighting or file; `weights` expects council, supranational or "
                    "equal, or the path of a CSV file actor,weight[,procedure]",
                )
            ]
        )
    return read_weights(path)


def read_weights(path: Path) -> Weighting:
    """A weighting from a CSV file with the columns ``actor,weight`` and optionally
    ``procedure`` (COD or CNS; blank: every procedure). Actors are named by the codes of
    the back-test's file (``com``, ``ep``, ``de``, ...). Problems are located by line."""
    import hashlib

    from .yaml_io import read_text

    name = str(path)
    text = read_text(path, label=name)
    problems: list[Problem] = []
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0]][:2] != ["actor", "weight"]:
        raise ScenarioError(
            [Problem(name, "", "expected a header row: actor,weight[,procedure]", 1)]
        )
    header = [c.strip().lower() for c in rows[0]]
    if header not in (["actor", "weight"], ["actor", "weight", "procedure"]):
        raise ScenarioError(
            [
                Problem(
                    name,
                    "",
                    f"unexpected columns {some(header)}; expected actor,weight[,procedure]",
                    1,
                )
            ]
        )
    table: dict[tuple[str, str], float] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(name, "", f"{len(row)} cells; expected {len(header)}", line))
            continue
        actor = row[0].strip().lower()
        proc = row[2].strip().upper() if len(row) > 2 else ""
        try:
            w = parse_number(row[1], what="a number of 0 or more")
        except NumberError as exc:
            problems.append(Problem(name, "weight", str(exc), line))
            continue
        if w < 0:
            problems.append(Problem(name, "weight", f"expected 0 or more, got {exact(w)}", line))
        if not actor:
            problems.append(Problem(name, "actor", "missing; name the actor", line))
        if proc not in ("", *PROCEDURES):
            problems.append(
                Problem(
                    name, "procedure", f"expected COD, CNS or blank, got {excerpt(row[2])}", line
                )
            )
        if (actor, proc) in table:
            problems.append(Problem(name, "actor", f"{excerpt(actor)} given twice", line))
        table[(actor, proc)] = w
    if not table and not problems:
        problems.append(Problem(name, "", "no weights in the file; expected one row per actor"))
    if problems:
        raise ScenarioError(problems)
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Weighting(name, MappingProxyType(table), digest)
