"""Capability discounted by distance: how much of a state's strength reaches a place.

Two forms (Boulding's 1962 loss-of-strength gradient made operational):

``bdm1981`` (Bueno de Mesquita 1981, *The War Trap*)
    The capability C (a CINC share, 0-1) of a state whose capital lies d miles from the
    place is raised to a power that grows with the days of travel:

        C' = C ** log10(d / v + (10 - e))

    with v the miles a state can move its power in a day and e = 2.718... At d = 0 the
    exponent is log10(10 - e) = 0.862, so a state is a little stronger at home than in the
    raw index; it is 1 at d = e·v (about 1,359 miles, 2,188 km, at v = 500) and grows
    slowly beyond. Bueno de Mesquita's miles per day rise with the era's transport;
    :data:`MILES_PER_DAY` is the value for the years after 1945 that replications use (EUGene,
    Bennett & Stam 2000). The form works on CINC *shares*: applied to numbers on another
    scale it changes their ratios differently (it is not scale-free), so it is applied to
    the CINC before any rescaling.

``exponential``
    A scale-free exponential decay with a length L (km):

        C' = C · exp(-d / L)

    It multiplies every capability by a factor that depends on distance alone, so the
    ratios between states, the only thing the models read, do not depend on the units of C.
    L is the distance over which a state's strength falls to 1/e (37%); nothing in the
    literature fixes it, so it is a ranged number (a best estimate with a low and a high,
    the scenario's range format): the capability written into a scenario carries the range
    that L's range gives (C' grows with L, so L's low gives C's low).

Both are O(1) per state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...errors import InputError
from ..objects import Range
from .geo import KM_PER_MILE

__all__ = ["DISCOUNTS", "MILES_PER_DAY", "Bdm1981", "Discount", "Exponential", "discount"]

#: Miles a day a state moves its power, after 1945 (Bueno de Mesquita 1981, as EUGene uses).
MILES_PER_DAY = 500.0
#: The names of the discounts.
DISCOUNTS = ("bdm1981", "exponential")


def _positive(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a positive number, got {value!r}")
    if value <= 0:
        raise InputError(f"{name} must be a positive number, got {value:g}")
    return float(value)


def _share(cinc: float) -> float:
    if not 0 <= cinc <= 1:
        raise InputError(f"a CINC is a share from 0 to 1, got {cinc:g}")
    return cinc


@dataclass(frozen=True)
class Bdm1981:
    """Bueno de Mesquita's (1981) loss-of-strength gradient, ``miles_per_day`` of travel."""

    miles_per_day: float = MILES_PER_DAY

    name = "bdm1981"

    def __post_init__(self) -> None:
        _positive(self.miles_per_day, "miles per day")

    def exponent(self, km: float) -> float:
        """log10(miles / miles per day + 10 - e) for a distance of ``km``."""
        return math.log10(km / KM_PER_MILE / self.miles_per_day + 10.0 - math.e)

    def apply(self, cinc: float, km: float) -> float:
        """The discounted capability of a CINC share ``cinc`` at ``km`` from the capital."""
        return _share(cinc) ** self.exponent(km)

    def bounds(self, cinc: float, km: float) -> tuple[float, float] | None:
        return None

    def equation(self) -> str:
        return (
            f"CINC ** log10(miles / {self.miles_per_day:g} + 10 - e) "
            "(Bueno de Mesquita 1981, The War Trap)"
        )


@dataclass(frozen=True)
class Exponential:
    """``C · exp(-d / L)``: a length ``length_km`` (L) and, optionally, its range."""

    length_km: float
    length_range: Range | None = None

    name = "exponential"

    def __post_init__(self) -> None:
        _positive(self.length_km, "the length")
        r = self.length_range
        if r is not None:
            _positive(r.low, "the length's low")
            if not r.low <= self.length_km <= r.high or not r.low < r.high:
                raise InputError(
                    f"the length's range must hold it: low < high and low <= "
                    f"{self.length_km:g} <= high, got {r.low:g} to {r.high:g}"
                )

    def apply(self, cinc: float, km: float) -> float:
        return _share(cinc) * math.exp(-km / self.length_km)

    def bounds(self, cinc: float, km: float) -> tuple[float, float] | None:
        """The discounted capability at the low and at the high of the length's range
        (``None`` without a range or at distance 0, where the range is empty)."""
        r = self.length_range
        if r is None or km == 0:
            return None
        return _share(cinc) * math.exp(-km / r.low), cinc * math.exp(-km / r.high)

    def equation(self) -> str:
        shown = f"{self.length_km:g} km"
        if self.length_range is not None:
            shown += f" ({self.length_range.low:g}-{self.length_range.high:g})"
        return f"CINC * exp(-km / L), L = {shown}"


Discount = Bdm1981 | Exponential


def discount(
    name: str,
    *,
    miles_per_day: float = MILES_PER_DAY,
    length_km: float | None = None,
    length_range: tuple[float, float] | None = None,
) -> Discount:
    """The discount called ``name`` (:data:`DISCOUNTS`): ``bdm1981`` with ``miles_per_day``,
    or ``exponential`` with ``length_km`` (required) and its ``(low, high)`` range."""
    if name == "bdm1981":
        if length_km is not None or length_range is not None:
            raise InputError("length is a parameter of the exponential discount, not bdm1981")
        return Bdm1981(miles_per_day)
    if name == "exponential":
        if length_km is None:
            raise InputError("the exponential discount needs its length (km)")
        rng = None
        if length_range is not None:
            low, high = length_range
            rng = Range(float(low), float(high), float(length_km), "triangular")
        return Exponential(float(length_km), rng)
    raise InputError(f"unknown discount {name!r}; expected one of {', '.join(DISCOUNTS)}")
