"""Each model's record on real outcomes, shipped with the package: the DEU III back-test.

``standing.json`` (beside this module) is written by ``scripts/standing.py`` from the
accuracy check of docs/explanation/accuracy-protocol.md
(:func:`realpolitik.analysis.accuracy.check` on DEU III's development file; seed and
resamples fixed by the protocol), and ``tests/test_accuracy.py`` re-runs that check and holds
the file to it. For each model: the issues it forecasts, its mean absolute error (points of
a 0-100 scale), and its MAE difference to the ``compromise`` model and to always guessing 50
(``constant-50``), each with its proposal-clustered 95% bootstrap interval. A model whose
MAE exceeds the constant baseline's on the issues it forecasts (``worse_than_constant``,
whatever its interval) is marked so by the front ends and sorts no ranking; its
:meth:`Standing.verdict` says whether the difference is significant.

The data set: Arregui & Perarnaud (2022), DEU III, doi:10.34810/data53 (CC BY 4.0); only its
development part was used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Interval", "Standing", "line", "record", "standing", "standings"]


@dataclass(frozen=True)
class Interval:
    """A difference of MAE (``point``) and its bootstrap interval (``low``, ``high``; ``None``
    where there is none)."""

    point: float
    low: float | None
    high: float | None

    def text(self) -> str:
        """``+1.1 [-0.9, +3.1]``."""
        ci = (
            "" if self.low is None or self.high is None else f" [{self.low:+.1f}, {self.high:+.1f}]"
        )
        return f"{self.point:+.1f}{ci}"

    @property
    def above_zero(self) -> bool:
        """Whether the whole interval lies above zero (worse, for a difference of errors)."""
        return self.low is not None and self.low > 0

    @property
    def below_zero(self) -> bool:
        return self.high is not None and self.high < 0


@dataclass(frozen=True)
class Standing:
    """One model's record on the DEU III development issues."""

    model: str
    issues: int
    of: int
    mae: float
    vs_compromise: Interval | None
    vs_constant: Interval | None

    @property
    def worse_than_constant(self) -> bool:
        """Whether the model has erred more than always guessing 50 on the issues it
        forecasts (its MAE difference above 0, whatever its interval): such a model is
        marked, and decides no ordering."""
        return self.vs_constant is not None and self.vs_constant.point > 0

    @property
    def better_than_constant(self) -> bool:
        """Whether it has erred less than guessing 50, its interval wholly below 0 (the
        accuracy protocol's test)."""
        return self.vs_constant is not None and self.vs_constant.below_zero

    def verdict(self) -> str:
        """A few words against guessing 50: ``"better than"`` (interval below 0), ``"not
        clearly better than"`` (at or below 0, interval across it), ``"errs more than"``
        (above 0, interval across it) or ``"worse than"`` (interval above 0: the accuracy
        protocol's test) ``"guessing 50"``."""
        if self.better_than_constant:
            return "better than guessing 50"
        if self.vs_constant is not None and self.vs_constant.above_zero:
            return "worse than guessing 50"
        if self.worse_than_constant:
            return "errs more than guessing 50"
        return "not clearly better than guessing 50"

    def line(self) -> str:
        """One line: ``DEU III dev: MAE 24.2; vs compromise +1.1 [-0.9, +3.1]; vs constant 50
        -3.7 [-6.5, -1.0]`` (and the coverage where it forecasts fewer issues)."""
        parts = [f"DEU III dev: MAE {self.mae:.1f}"]
        if self.vs_compromise is not None and self.model != "compromise":
            parts.append(f"vs compromise {self.vs_compromise.text()}")
        if self.vs_constant is not None:
            parts.append(f"vs constant 50 {self.vs_constant.text()}")
        if self.issues != self.of:
            parts.append(f"forecasts {self.issues} of {self.of} issues")
        return "; ".join(parts)


def _interval(d: Any) -> Interval | None:
    if d is None:
        return None
    return Interval(float(d["point"]), _opt(d.get("low")), _opt(d.get("high")))


def _opt(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


@cache
def record() -> Mapping[str, Any]:
    """The shipped record as read from ``standing.json`` (its ``source`` says how it was
    made)."""
    text = resources.files(__package__).joinpath("standing.json").read_text(encoding="utf-8")
    data: Mapping[str, Any] = json.loads(text)
    return data


def standings() -> dict[str, Standing]:
    """Every model's and baseline's standing, by name."""
    data = record()
    total = int(data["source"]["issues"])
    return {
        name: Standing(
            model=name,
            issues=int(d["issues"]),
            of=total,
            mae=float(d["mae"]),
            vs_compromise=_interval(d.get("vs_compromise")),
            vs_constant=_interval(d.get("vs_constant")),
        )
        for name, d in data["models"].items()
    }


def standing(name: str) -> Standing | None:
    """The standing of model ``name``, or ``None`` for a model with no record."""
    return standings().get(name)


def line(name: str) -> str:
    """``name``'s standing in one line with where it is explained, or ``""``."""
    s = standing(name)
    return "" if s is None else f"{s.line()} (docs/explanation/accuracy.md)"
