"""Capabilities from data instead of typed in: the Correlates of War CINC of a state in a
year, optionally discounted by the distance from its capital to the place an issue is
about, written into a scenario with their sources (``realpolitik capability``).

* :func:`cinc` (the shipped CINC table, 1990-2016, with its citation :data:`CINC_CITATION`),
  :func:`capital` (Natural Earth's capitals, public domain);
* :func:`great_circle_km` (haversine);
* the discounts :class:`Bdm1981` (Bueno de Mesquita 1981) and :class:`Exponential`, made
  by name with :func:`discount`;
* :func:`derive`, :func:`derive_all` and :func:`place`; :func:`with_capabilities` writes
  the derived numbers into a scenario (each actor's), :func:`with_issue_capabilities`
  each stance's, discounted toward its issue's locus.

The equations and their sources: docs/explanation/capability.md.
"""

from __future__ import annotations

from .derive import (
    CINC_SOURCE_ID,
    PLACES_SOURCE_ID,
    SIGNIFICANT,
    Derived,
    Place,
    data_year,
    derive,
    derive_all,
    place,
    with_capabilities,
    with_issue_capabilities,
)
from .discount import DISCOUNTS, MILES_PER_DAY, Bdm1981, Discount, Exponential, discount
from .geo import EARTH_RADIUS_KM, KM_PER_MILE, great_circle_km
from .tables import (
    CAPITALS_SOURCE,
    CINC_CITATION,
    CINC_DATASET,
    Capital,
    Cinc,
    capital,
    cinc,
    cinc_years,
    state,
)

__all__ = [
    "CAPITALS_SOURCE",
    "CINC_CITATION",
    "CINC_DATASET",
    "CINC_SOURCE_ID",
    "DISCOUNTS",
    "EARTH_RADIUS_KM",
    "KM_PER_MILE",
    "MILES_PER_DAY",
    "PLACES_SOURCE_ID",
    "SIGNIFICANT",
    "Bdm1981",
    "Capital",
    "Cinc",
    "Derived",
    "Discount",
    "Exponential",
    "Place",
    "capital",
    "cinc",
    "cinc_years",
    "data_year",
    "derive",
    "derive_all",
    "discount",
    "great_circle_km",
    "place",
    "state",
    "with_capabilities",
    "with_issue_capabilities",
]
