"""Great-circle distance between two places on the Earth.

The haversine formula on a sphere of radius R = 6,371.0088 km (the IUGG mean Earth radius,
(2a + b)/3 of the WGS84 ellipsoid):

    h = sin²((φ₂ - φ₁)/2) + cos φ₁ cos φ₂ sin²((λ₂ - λ₁)/2)
    d = 2 R arcsin(√h)

with φ the latitudes and λ the longitudes in radians. The sphere departs from the ellipsoid
by at most about 0.5%, far below what a capability discount can resolve. O(1).
"""

from __future__ import annotations

import math

from ...errors import InputError

__all__ = ["EARTH_RADIUS_KM", "KM_PER_MILE", "check_coordinates", "great_circle_km"]

#: The IUGG mean radius of the Earth, km.
EARTH_RADIUS_KM = 6371.0088
#: One international statute mile, km.
KM_PER_MILE = 1.609344


def check_coordinates(lat: float, lon: float, what: str = "a place") -> None:
    """An :class:`~realpolitik.errors.InputError` unless -90 <= lat <= 90 and
    -180 <= lon <= 180 (finite degrees)."""
    for name, v, bound in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"the {name} of {what} must be a number of degrees, got {v!r}")
        if not -bound <= v <= bound:
            raise InputError(f"the {name} of {what} is {v:g}; expected -{bound:g} to {bound:g}")


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance (km) between two points given in degrees (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
