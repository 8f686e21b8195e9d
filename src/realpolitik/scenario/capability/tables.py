"""The data shipped for derived capabilities: the CINC of each state by year, and the
coordinates of each state's capital.

``cinc.csv``: the Composite Index of National Capability of the Correlates of War National
Material Capabilities data, version 6.0 (abridged file), for every state-year from 1990 to
2016, the last year of the data. Cite it as :data:`CINC_CITATION`; its terms: free for
public and academic use with citation. Version 6.0 (released 2021) is the latest release
available in February 2022.

``capitals.csv``: the coordinates of each state's capital (the states of 2016), from Natural
Earth's 1:110m populated places, version 2.0.0 (public domain), as the geopandas 0.14.4
wheel ships them; which city is the capital is this project's table. Nauru's capital
(Yaren) is not among Natural Earth's 1:110m places and is missing.

Both files are written by ``scripts/capability_data.py`` from the sources; a state is named
by its COW abbreviation (``RUS``, ``GRG`` for Georgia, ``KZK`` for Kazakhstan: not ISO) or
its COW country code (``365``).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from ...errors import InputError, UnknownNameError

__all__ = [
    "CAPITALS_SOURCE",
    "CINC_CITATION",
    "CINC_DATASET",
    "Capital",
    "Cinc",
    "capital",
    "cinc",
    "cinc_years",
    "state",
]

#: The dataset, as a source's ``dataset`` names it.
CINC_DATASET = "COW National Material Capabilities v6.0, CINC"
#: How to cite the CINC wherever a number derived from it is shown.
CINC_CITATION = (
    "Singer, J. David, Stuart Bremer & John Stuckey (1972), 'Capability Distribution, "
    "Uncertainty, and Major Power War, 1820-1965', in B. Russett (ed.), Peace, War, and "
    "Numbers, 19-48; Greig, J. Michael & Andrew J. Enterline (2017), Correlates of War "
    "Project National Material Capabilities Data Documentation, Version 6.0"
)
#: Where the capitals' coordinates come from.
CAPITALS_SOURCE = "Natural Earth 1:110m populated places v2.0.0 (public domain)"


@dataclass(frozen=True)
class Cinc:
    """A state's CINC: its COW abbreviation and code, the year asked for, the year of the
    data used (the latest available when the data end before the year asked for) and the
    value (the state's share of the system's capabilities that year, 0-1)."""

    state: str
    ccode: int
    year: int
    data_year: int
    value: float

    @property
    def carried(self) -> bool:
        """Whether the data end before the year asked for (the latest year was used)."""
        return self.data_year != self.year

    def describe(self) -> str:
        """The number and where it comes from, in a sentence."""
        when = f"{self.data_year}"
        if self.carried:
            when += f" (the data end in {self.data_year}; {self.year} asked for)"
        return f"CINC of {self.state} ({self.ccode}) in {when} = {self.value:.6g}, {CINC_DATASET}"


@dataclass(frozen=True)
class Capital:
    """A state's capital: its name, its coordinates (degrees north and east) and where
    they come from."""

    state: str
    ccode: int
    name: str
    lat: float
    lon: float
    source: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines))


@functools.cache
def _cinc_table() -> Mapping[tuple[int, int], float]:
    return MappingProxyType(
        {(int(r["ccode"]), int(r["year"])): float(r["cinc"]) for r in _rows("cinc.csv")}
    )


@functools.cache
def _codes() -> tuple[Mapping[str, int], Mapping[int, str]]:
    by_abb: dict[str, int] = {}
    by_code: dict[int, str] = {}
    for r in _rows("cinc.csv"):
        by_abb[r["stateabb"]] = int(r["ccode"])
        by_code[int(r["ccode"])] = r["stateabb"]
    return MappingProxyType(by_abb), MappingProxyType(by_code)


@functools.cache
def _capitals() -> Mapping[int, Capital]:
    return MappingProxyType(
        {
            int(r["ccode"]): Capital(
                r["stateabb"],
                int(r["ccode"]),
                r["capital"],
                float(r["lat"]),
                float(r["lon"]),
                r["source"],
            )
            for r in _rows("capitals.csv")
        }
    )


def cinc_years() -> tuple[int, int]:
    """The first and last year of the shipped CINC table."""
    years = [y for _, y in _cinc_table()]
    return min(years), max(years)


def state(name: str | int) -> tuple[str, int]:
    """``(abbreviation, code)`` of a state named by its COW abbreviation (any case) or its
    COW country code; an :class:`~realpolitik.errors.UnknownNameError` otherwise."""
    by_abb, by_code = _codes()
    text = str(name).strip()
    if text.isdigit():
        code = int(text)
        if code in by_code:
            return by_code[code], code
        raise UnknownNameError(
            f"no state with the COW code {code} in the shipped CINC table (1990-2016)"
        )
    abb = text.upper()
    if abb in by_abb:
        return abb, by_abb[abb]
    raise UnknownNameError(
        f"unknown state {text!r}; expected a COW abbreviation (RUS, GRG for Georgia, KZK for "
        "Kazakhstan: not ISO) or a COW country code (365)"
    )


def cinc(name: str | int, year: int) -> Cinc:
    """The CINC of state ``name`` in ``year``. After the data's last year (2016) the last
    year's value is used and :attr:`Cinc.carried` says so; before the shipped table's first
    year (1990), or a year in which the state did not exist, is an error."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(f"year must be a whole number, got {year!r}")
    abb, code = state(name)
    first, last = cinc_years()
    if year < first:
        raise InputError(
            f"year {year} is before the shipped CINC table ({first}-{last}); "
            "scripts/capability_data.py --since can ship earlier years"
        )
    data_year = min(year, last)
    table = _cinc_table()
    if (code, data_year) not in table:
        have = sorted(y for c, y in table if c == code)
        raise UnknownNameError(
            f"{abb} ({code}) has no CINC in {data_year}; the table has it for {have[0]}-{have[-1]}"
        )
    return Cinc(abb, code, year, data_year, table[(code, data_year)])


def capital(name: str | int) -> Capital:
    """The capital of state ``name`` (abbreviation or code), with its coordinates."""
    abb, code = state(name)
    caps = _capitals()
    if code not in caps:
        raise UnknownNameError(
            f"no capital for {abb} ({code}) in the shipped table ({CAPITALS_SOURCE} lacks it); "
            "give the place's coordinates instead"
        )
    return caps[code]
