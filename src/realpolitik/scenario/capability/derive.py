"""Capabilities derived from data: a state's CINC in a year, discounted (optionally) by the
distance from its capital to the place an issue is about, and written into a scenario with
its sources.

:func:`derive` gives one :class:`Derived` per state; :func:`with_capabilities` writes
derived numbers into a scenario's actors, each with a source that names the dataset, the
year of the data, the capital, the place, the distance and the discount's equation; the
scenario's bibliography gains the dataset's citation (and Natural Earth's, for a
discount). The year of the data never follows the scenario's date: a scenario of 2022 gets
the CINC of 2016, the last year of the data, and its sources say so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from ...errors import InputError, UnknownNameError
from ..objects import Range, Scenario, Source, SourceEntry
from .discount import Discount
from .geo import check_coordinates, great_circle_km
from .tables import (
    CAPITALS_SOURCE,
    CINC_CITATION,
    CINC_DATASET,
    Capital,
    Cinc,
    capital,
    cinc,
)

__all__ = [
    "CINC_SOURCE_ID",
    "PLACES_SOURCE_ID",
    "SIGNIFICANT",
    "Derived",
    "Place",
    "data_year",
    "derive",
    "place",
    "with_capabilities",
]

#: The bibliography ids :func:`with_capabilities` cites.
CINC_SOURCE_ID = "cow-nmc-6.0"
PLACES_SOURCE_ID = "natural-earth-110m"
#: Significant figures of a capability written into a scenario.
SIGNIFICANT = 4


@dataclass(frozen=True)
class Place:
    """A place: a name, its coordinates (degrees north and east) and where they come from."""

    name: str
    lat: float
    lon: float
    source: str

    def __post_init__(self) -> None:
        check_coordinates(self.lat, self.lon, repr(self.name))

    def describe(self) -> str:
        ns = f"{abs(self.lat):.2f}{'N' if self.lat >= 0 else 'S'}"
        ew = f"{abs(self.lon):.2f}{'E' if self.lon >= 0 else 'W'}"
        return f"{self.name} ({ns} {ew})"


@dataclass(frozen=True)
class Derived:
    """A state's derived capability: its CINC, and, toward a place, its capital, the
    great-circle distance, the discount and the discounted value with the range the
    discount's parameter range gives (``low``/``high``, or ``None``)."""

    cinc: Cinc
    value: float
    capital: Capital | None = None
    locus: Place | None = None
    km: float | None = None
    discount: Discount | None = None
    low: float | None = None
    high: float | None = None

    def note(self) -> str:
        """Where the number comes from, in one paragraph (a source's note)."""
        text = self.cinc.describe()
        if self.discount is not None and self.capital is not None and self.locus is not None:
            text += (
                f"; discounted toward {self.locus.describe()}, {self.km:,.0f} km from "
                f"{self.capital.name} (great circle): {self.discount.equation()} = "
                f"{self.value:.6g}; capital from {CAPITALS_SOURCE}"
            )
        return text


def place(spec: str, scenario: Scenario | None = None) -> Place:
    """A place from text: ``LAT,LON`` (degrees; ``LAT,LON,NAME`` to name it), a state
    (its capital: ``ARM``, ``371``), or the id of an issue of ``scenario`` (its locus)."""
    text = spec.strip()
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 2 and _is_number(parts[0]) and _is_number(parts[1]):
        name = ",".join(parts[2:]).strip() or f"{parts[0]},{parts[1]}"
        return Place(name, float(parts[0]), float(parts[1]), "given as coordinates")
    if scenario is not None and text in scenario.issue_ids:
        locus = scenario.issue(text).locus
        if locus is None:
            raise InputError(f"issue {text!r} of {scenario.id!r} names no locus")
        return Place(locus.name, locus.lat, locus.lon, locus.source.describe())
    try:
        cap = capital(text)
    except UnknownNameError:
        where = f", an issue of {scenario.id!r}" if scenario is not None else ""
        raise InputError(
            f"unknown place {spec!r}; expected LAT,LON (degrees), a state (its capital){where}"
        ) from None
    return Place(f"{cap.name} ({cap.state})", cap.lat, cap.lon, cap.source)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def derive(
    state: str | int,
    year: int,
    *,
    locus: Place | None = None,
    discount: Discount | None = None,
) -> Derived:
    """The CINC of ``state`` in ``year`` and, given a ``locus`` and a ``discount``, that
    CINC discounted by the great-circle distance from the state's capital to the locus."""
    c = cinc(state, year)
    if discount is None:
        return Derived(c, c.value, locus=locus)
    if locus is None:
        raise InputError("a discount needs a place to discount toward (a locus)")
    try:
        cap = capital(c.state)
    except UnknownNameError:  # the table's message asks for a place: no help here
        raise UnknownNameError(
            f"no capital for {c.state} ({c.ccode}) in the shipped table, so its capability "
            "cannot be discounted by distance; derive it without a discount"
        ) from None
    km = great_circle_km(cap.lat, cap.lon, locus.lat, locus.lon)
    bounds = discount.bounds(c.value, km)
    low, high = bounds if bounds is not None else (None, None)
    return Derived(c, discount.apply(c.value, km), cap, locus, km, discount, low, high)


def data_year(date: dt.date) -> int:
    """The year of the data a scenario dated ``date`` uses by default: the last complete
    year before it (a year's CINC counts all of that year, months the scenario could not
    know; a later year is refused, the scenario's own year may be asked for)."""
    return date.year - 1


def _as_written(d: Derived) -> tuple[float, Range | None]:
    """A derived capability as a scenario holds it: rounded to :data:`SIGNIFICANT`
    figures, with its range (triangular, from the discount's length) where it has one."""
    value = _rounded(d.value)
    if d.low is None or d.high is None:
        return value, None
    low, high = _rounded(d.low), _rounded(d.high)
    if low < high and low <= value <= high:
        return value, Range(low, high, value, "triangular", "from the length's range")
    return value, None


def _rounded(v: float) -> float:
    return float(f"{v:.{SIGNIFICANT}g}")


def with_capabilities(
    scenario: Scenario,
    states: Mapping[str, str | int],
    *,
    year: int | None = None,
    issue: str | None = None,
    discount: Discount | None = None,
) -> Scenario:
    """``scenario`` with the capability of each actor of ``states`` (actor id -> state)
    derived from the CINC of ``year`` (default: the scenario's year; never after it),
    discounted toward ``issue``'s locus when a ``discount`` is given, rounded to
    :data:`SIGNIFICANT` significant figures, and sourced. A capability of an actor is
    one number for every issue: discounted toward one issue, it stands for that issue's
    place."""
    if year is None:
        if scenario.date is None:
            raise InputError(f"{scenario.id!r} has no date; give the year of the data")
        year = data_year(scenario.date)
    if scenario.date is not None and year > scenario.date.year:
        raise InputError(
            f"year {year} is after the scenario's date ({scenario.date.isoformat()}): "
            "its data were not known then"
        )
    locus: Place | None = None
    if discount is not None:
        if issue is None:
            raise InputError("a discount needs the issue whose locus to discount toward")
        locus = place(issue, scenario) if issue in scenario.issue_ids else None
        if locus is None:
            raise UnknownNameError(f"no issue {issue!r} in scenario {scenario.id!r}")
    elif issue is not None:
        raise InputError("an issue is only used with a discount; give the discount too")
    unknown = [a for a in states if a not in scenario.actor_ids]
    if unknown:
        raise UnknownNameError(
            f"no actor {', '.join(map(repr, unknown))} in scenario {scenario.id!r}; "
            f"expected one of {', '.join(scenario.actor_ids)}"
        )
    derived = {a: derive(s, year, locus=locus, discount=discount) for a, s in states.items()}
    actors = []
    for a in scenario.actors:
        d = derived.get(a.id)
        if d is None:
            actors.append(a)
            continue
        value, rng = _as_written(d)
        src = Source(
            ref=CINC_SOURCE_ID,
            dataset=CINC_DATASET,
            year=d.cinc.data_year,
            note=d.note() + f"; rounded to {SIGNIFICANT} significant figures",
        )
        actors.append(replace(a, capability=value, capability_range=rng, source=src))
    return replace(scenario, actors=tuple(actors), sources=_bibliography(scenario, discount))


def with_issue_capabilities(
    scenario: Scenario,
    states: Mapping[str, str | int],
    discount: Discount,
    *,
    year: int | None = None,
) -> Scenario:
    """``scenario`` with capability by place on every issue that names its locus: each
    actor of ``states`` gets, on each such issue it holds a stance on, the stance's own
    capability (its influence on that issue): its CINC of ``year`` discounted by
    ``discount`` over the distance from its capital to the issue's locus, ranged when the
    discount's length is, and cited in the stance's source note. The actor's own
    capability becomes its undiscounted CINC (what holds on an issue without a locus).
    The year rule is :func:`with_capabilities`'."""
    base = with_capabilities(scenario, states, year=year)
    year = year if year is not None else data_year(scenario.date)  # type: ignore[arg-type]
    derived: dict[tuple[str, str], Derived] = {}
    for i in base.issues:
        if i.locus is None:
            continue
        locus = place(i.id, base)
        for a, st in states.items():
            derived[(a, i.id)] = derive(st, year, locus=locus, discount=discount)
    if not derived:
        raise InputError(
            f"no issue of {scenario.id!r} names its locus; give issues a locus, or discount "
            "toward one place"
        )
    stances = []
    for s in base.stances:
        d = derived.get((s.actor, s.issue))
        if d is None:
            stances.append(s)
            continue
        value, rng = _as_written(d)
        said = f"capability: {d.note()}; rounded to {SIGNIFICANT} significant figures"
        note = f"{s.source.note}; {said}" if s.source.note else said
        stances.append(
            replace(s, capability=value, capability_range=rng, source=replace(s.source, note=note))
        )
    return replace(base, stances=tuple(stances), sources=_bibliography(base, discount))


def _bibliography(scenario: Scenario, discount: Discount | None) -> tuple[SourceEntry, ...]:
    have = {s.id for s in scenario.sources}
    extra: list[SourceEntry] = []
    if CINC_SOURCE_ID not in have:
        extra.append(
            SourceEntry(
                id=CINC_SOURCE_ID,
                title="Correlates of War National Material Capabilities, v6.0",
                citation=CINC_CITATION,
                licence="free for public and academic use with citation",
                note="shipped with realpolitik (CINC by state and year, 1990-2016)",
            )
        )
    if discount is not None and PLACES_SOURCE_ID not in have:
        extra.append(
            SourceEntry(
                id=PLACES_SOURCE_ID,
                title="Natural Earth 1:110m populated places, v2.0.0",
                url="https://www.naturalearthdata.com/",
                licence="public domain",
                note="capitals' coordinates, shipped with realpolitik",
            )
        )
    return scenario.sources + tuple(extra)


def derive_all(
    states: Iterable[str | int],
    year: int,
    *,
    locus: Place | None = None,
    discount: Discount | None = None,
) -> tuple[Derived, ...]:
    """:func:`derive` for each of ``states``, in order."""
    return tuple(derive(s, year, locus=locus, discount=discount) for s in states)
