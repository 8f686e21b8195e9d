"""The domain objects: frozen, validated values that every other layer reads.

Build them through the readers (:func:`realpolitik.scenario.load`,
:meth:`Scenario.from_yaml`, :meth:`Scenario.from_csv`), which check the input and
report every problem at once; the constructors here trust their arguments.

Salience convention: **0-100** in files and in these objects (how much an issue
matters to an actor relative to its other concerns); models receive 0-1.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import find_named

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
]


@dataclass(frozen=True)
class Range:
    """The range an uncertain number may take in a simulation; its best estimate (the
    ``value`` of the file) is the number itself, kept beside this range.

    ``distribution`` is ``"triangular"`` (peaking at the best estimate ``mode``) or
    ``"uniform"``.
    """

    low: float
    high: float
    mode: float
    distribution: str = "triangular"
    note: str | None = None

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The quantiles of the distribution at ``u`` in [0, 1] (its inverse CDF), so that a
        uniform draw ``u`` becomes a draw of this number."""
        u = np.asarray(u, dtype=float)
        a, b, c = self.low, self.high, self.mode
        if self.distribution == "uniform":
            return a + u * (b - a)
        fc = (c - a) / (b - a)
        with np.errstate(over="ignore"):
            left = a + np.sqrt(u * (b - a) * (c - a))
            right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        if not (np.isfinite(left).all() and np.isfinite(right).all()):
            # a range near the largest float: the products overflow; the same quantiles
            # with the square root taken of each factor (the first form's bits elsewhere)
            left = np.where(
                np.isfinite(left), left, a + np.sqrt(u) * np.sqrt(b - a) * np.sqrt(c - a)
            )
            right = np.where(
                np.isfinite(right), right, b - np.sqrt(1.0 - u) * np.sqrt(b - a) * np.sqrt(b - c)
            )
        return np.where(u < fc, left, right)

    def to_dict(self, value: float) -> dict[str, Any]:
        return {
            "value": value,
            "low": self.low,
            "high": self.high,
            "distribution": self.distribution,
            **set_fields(note=self.note),
        }


def _number(value: float | None, rng: Range | None) -> Any:
    """A number as the file writes it: plain, or with its range (None stays None)."""
    return value if rng is None or value is None else rng.to_dict(value)


def set_fields(**fields: Any) -> dict[str, Any]:
    """The fields that are set (not None), in their order, as a file writes them: a date in
    ISO form, a part of the scenario (a source, a place) by its ``to_dict()``."""
    return {k: _plain(v) for k, v in fields.items() if v is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (Source, Locus)):
        return value.to_dict()
    return value


@dataclass(frozen=True)
class Source:
    """Where one number comes from: a reference to the bibliography, a URL, a dataset
    and year, or a short quote, with an optional note on the judgement made."""

    ref: str | None = None
    url: str | None = None
    dataset: str | None = None
    year: int | None = None
    quote: str | None = None
    judgement: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def describe(self) -> str:
        parts = []
        if self.ref:
            parts.append(self.ref)
        if self.dataset:
            parts.append(self.dataset + (f" ({self.year})" if self.year else ""))
        if self.url:
            parts.append(self.url)
        if self.quote:
            parts.append(f"\u201c{self.quote}\u201d")
        if self.judgement:
            parts.append(f"judgement: {self.judgement}")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(frozen=True)
class SourceEntry:
    """An entry of a scenario's bibliography, referred to by ``Source.ref``."""

    id: str
    title: str
    author: str | None = None
    publisher: str | None = None
    date: _dt.date | None = None
    url: str | None = None
    citation: str | None = None
    licence: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return set_fields(**self.__dict__)


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    capability: float
    source: Source
    description: str | None = None
    capability_range: Range | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            **set_fields(description=self.description),
            "capability": _number(self.capability, self.capability_range),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class Locus:
    """The place an issue is about: a name, its coordinates (degrees north and east,
    WGS84) and where they come from. :mod:`realpolitik.scenario.capability` discounts a
    state's capability by its distance from its capital to here."""

    name: str
    lat: float
    lon: float
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class Issue:
    """One issue: a question on a scale with labelled ends and a status quo, and the place
    it is about (its ``locus``), if it names one."""

    id: str
    question: str
    scale_min: float
    scale_max: float
    min_label: str
    max_label: str
    status_quo: float | None = None
    status_quo_source: Source | None = None
    status_quo_range: Range | None = None
    locus: Locus | None = None

    @property
    def span(self) -> float:
        return self.scale_max - self.scale_min

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "scale": {
                "min": self.scale_min,
                "max": self.scale_max,
                "min_label": self.min_label,
                "max_label": self.max_label,
            },
            **set_fields(
                status_quo=_number(self.status_quo, self.status_quo_range),
                status_quo_source=self.status_quo_source,
                locus=self.locus,
            ),
        }


@dataclass(frozen=True)
class Stance:
    """An actor's position on an issue and the salience (0-100) it attaches to it, each
    with the range it may take in a simulation (``None``: known to the point).

    ``capability``, when given, is the actor's influence on this issue (in the units of
    the actors' capabilities): it overrides the actor's capability on this issue, in every
    model and verb. ``None``: the actor's capability holds here."""

    actor: str
    issue: str
    position: float
    salience: float
    source: Source
    position_range: Range | None = None
    salience_range: Range | None = None
    capability: float | None = None
    capability_range: Range | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "issue": self.issue,
            "position": _number(self.position, self.position_range),
            "salience": _number(self.salience, self.salience_range),
            **set_fields(capability=_number(self.capability, self.capability_range)),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class Shock:
    """A dated change: from round ``round`` on, ``field`` (capability, or position or
    salience on ``issue``) of ``actor`` is set to (``op="set"``), increased by (``"add"``)
    or multiplied by (``"multiply"``) ``value``. Round 0 is the start: the models see the
    change from the first round; static models, which forecast the settlement, see every
    shock whatever its round."""

    round: int
    actor: str
    field: str
    op: str
    value: float
    source: Source
    issue: str | None = None
    id: str | None = None
    description: str | None = None
    value_range: Range | None = None

    @property
    def target(self) -> str:
        """``actor.field`` or ``actor.issue.field``, as ``--set`` writes it."""
        mid = f".{self.issue}" if self.issue else ""
        return f"{self.actor}{mid}.{self.field}"

    def describe(self) -> str:
        sym = {"set": "=", "add": "+=", "multiply": "*="}[self.op]
        return f"{self.target} {sym} {self.value:g} from round {self.round}"

    def apply(self, old: Any, value: Any = None) -> Any:
        """The new value of the target given its ``old`` value (arrays broadcast)."""
        v = self.value if value is None else value
        if self.op == "set":
            return np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(old))[0].copy()
        if self.op == "add":
            return old + v
        return old * v

    def to_dict(self) -> dict[str, Any]:
        return {
            **set_fields(id=self.id),
            "round": self.round,
            "actor": self.actor,
            **set_fields(issue=self.issue),
            "field": self.field,
            "op": self.op,
            "value": _number(self.value, self.value_range),
            **set_fields(description=self.description),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class Outcome:
    """What became of an issue: the ``value`` observed on its scale, the ``date`` it was
    settled (``None``: not known), and the ``source`` that says so. A scenario carries its
    outcomes so that forecasts of it can be graded (``realpolitik backtest``)."""

    issue: str
    value: float
    source: Source
    date: _dt.date | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "value": self.value,
            **set_fields(date=self.date, note=self.note),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class Question:
    """The question a scenario asks and the actors it is about (its ``contestants``, two or
    more, in the order the question names them)."""

    text: str
    contestants: tuple[str, ...]
    source: Source | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "contestants": list(self.contestants)}
        if self.source is not None:
            d["source"] = self.source.to_dict()
        return d


@dataclass(frozen=True)
class Scenario:
    """A contest: actors, issues, stances, sources, a date. Frozen and validated.

    ``origin`` says where it was read from (a path or ``builtin:NAME``); it is not
    part of the content and not part of :meth:`content_hash`. ``outcomes`` are the observed
    results of issues (none by default); a scenario without outcomes has the same content,
    and the same hash, as before outcomes existed.
    """

    id: str
    name: str
    date: _dt.date | None
    description: str
    actors: tuple[Actor, ...]
    issues: tuple[Issue, ...]
    stances: tuple[Stance, ...]
    sources: tuple[SourceEntry, ...] = ()
    origin: str = field(default="", compare=False)
    shocks: tuple[Shock, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    question: Question | None = None
    retrospective: str | None = None

    # ----------------------------------------------------------------- access
    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    def actor(self, actor_id: str) -> Actor:
        missing = f"no actor {actor_id!r} in scenario {self.id!r}"
        return find_named(self.actors, lambda a: a.id, actor_id, missing)

    def issue(self, issue_id: str) -> Issue:
        missing = f"no issue {issue_id!r} in scenario {self.id!r}"
        return find_named(self.issues, lambda i: i.id, issue_id, missing)

    def stance(self, actor_id: str, issue_id: str) -> Stance | None:
        for s in self.stances:
            if s.actor == actor_id and s.issue == issue_id:
                return s
        return None

    def outcome(self, issue_id: str) -> Outcome | None:
        """The observed outcome of ``issue_id``, or ``None`` if the scenario records none."""
        for o in self.outcomes:
            if o.issue == issue_id:
                return o
        return None

    def without_outcomes(self) -> Scenario:
        """The scenario as it stood before any outcome was known: the one a forecast is made
        on, and whose :meth:`content_hash` a sealed forecast records."""
        if not self.outcomes:
            return self
        return replace(self, outcomes=())

    def participants(self, issue_id: str) -> tuple[str, ...]:
        """Ids of the actors with a stance on ``issue_id``, in actor order."""
        have = {s.actor for s in self.stances if s.issue == issue_id}
        return tuple(a for a in self.actor_ids if a in have)

    # ----------------------------------------------------------------- arrays
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Dense ``(capability (n,), position (n, m), salience (n, m) on 0-100,
        has_stance (n, m) bool)``; cells without a stance hold ``nan``."""
        a_index = {a: k for k, a in enumerate(self.actor_ids)}
        i_index = {i: k for k, i in enumerate(self.issue_ids)}
        n, m = len(self.actors), len(self.issues)
        pos = np.full((n, m), np.nan)
        sal = np.full((n, m), np.nan)
        for s in self.stances:
            pos[a_index[s.actor], i_index[s.issue]] = s.position
            sal[a_index[s.actor], i_index[s.issue]] = s.salience
        cap = np.array([a.capability for a in self.actors], dtype=float)
        return cap, pos, sal, ~np.isnan(pos)

    def issue_capabilities(self) -> np.ndarray:
        """The capabilities stances give of their own (``Stance.capability``), (n, m),
        ``nan`` where a stance gives none or there is no stance."""
        a_index = {a: k for k, a in enumerate(self.actor_ids)}
        i_index = {i: k for k, i in enumerate(self.issue_ids)}
        out = np.full((len(self.actors), len(self.issues)), np.nan)
        for s in self.stances:
            if s.capability is not None:
                out[a_index[s.actor], i_index[s.issue]] = s.capability
        return out

    def capability_matrix(self) -> np.ndarray:
        """Each actor's capability on each issue, (n, m): the stance's own capability where
        it gives one, else the actor's."""
        cap = np.array([a.capability for a in self.actors], dtype=float)
        own = self.issue_capabilities()
        return np.where(np.isnan(own), cap[:, None], own)

    def capability_on(self, actor_id: str, issue_id: str) -> float:
        """``actor_id``'s capability on ``issue_id``: its stance's own, else the actor's."""
        s = self.stance(actor_id, issue_id)
        if s is not None and s.capability is not None:
            return s.capability
        return self.actor(actor_id).capability

    # ------------------------------------------------------------ conversions
    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data, in the shape of the YAML file format."""
        d: dict[str, Any] = {"id": self.id, "name": self.name}
        d["date"] = self.date.isoformat() if self.date else None
        d["description"] = self.description
        if self.question is not None:
            d["question"] = self.question.to_dict()
        if self.retrospective is not None:
            d["retrospective"] = {"reason": self.retrospective}
        d["sources"] = [s.to_dict() for s in self.sources]
        d["actors"] = [a.to_dict() for a in self.actors]
        d["issues"] = [i.to_dict() for i in self.issues]
        d["stances"] = [s.to_dict() for s in self.stances]
        if self.shocks:
            d["shocks"] = [s.to_dict() for s in self.shocks]
        if self.outcomes:
            d["outcomes"] = [o.to_dict() for o in self.outcomes]
        if d["date"] is None:
            del d["date"]
        return d

    def content_hash(self) -> str:
        """``sha256:`` of the canonical JSON of :meth:`to_dict`: equal content, equal hash,
        whatever the file's layout or format. Computed once per scenario (it is frozen):
        every result names its scenario by it."""
        cached: str | None = self.__dict__.get("_content_hash")
        if cached is None:
            blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
            cached = "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()
            self.__dict__["_content_hash"] = cached
        return cached

    @classmethod
    def from_yaml(cls, path: str | Path) -> Scenario:
        from .yaml_io import read_yaml

        return read_yaml(Path(path))

    @classmethod
    def from_csv(cls, path: str | Path) -> Scenario:
        from .csv_io import read_csv

        return read_csv(Path(path))

    @classmethod
    def from_tables(cls, path: str | Path) -> Scenario:
        """The scenario in an XLSX workbook or a folder of CSV tables
        (docs/reference/table-format.md)."""
        from . import load

        p = Path(path)
        if not (p.is_dir() or p.suffix.lower() == ".xlsx"):
            from ..errors import Problem, ScenarioError

            raise ScenarioError(
                [Problem(str(p), "", "expected an .xlsx workbook or a folder of CSV tables")]
            )
        return load(p)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "<dict>") -> Scenario:
        """Validate plain data of the YAML form (e.g. from JSON) into a scenario."""
        from .validate import build_scenario

        return build_scenario(data, file=origin, lines={})
