"""The uncertain numbers of a scenario, and the values every number takes in a draw.

A scenario's numbers are points unless the file gives a range (``{value, low, high,
distribution}``). :func:`uncertain_inputs` lists the ranged numbers in a fixed order
(actors' capabilities, then stances' positions and saliences in the order of the file,
then shocks' values); a draw is one number in [0, 1] per uncertain input, turned into a
value by the input's inverse CDF (:meth:`Range.ppf`). :func:`draw_values` does that for a
batch of draws at once; :func:`point_values` gives the best estimates, the values a
forecast uses.

Complexity: O(B (n m + k + s)) time and memory for B draws, n actors, m issues, k uncertain
inputs and s shocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .objects import Range, Scenario

__all__ = [
    "UncertainInput",
    "Values",
    "draw_values",
    "point_values",
    "uncertain_inputs",
    "with_spread",
]


@dataclass(frozen=True)
class UncertainInput:
    """One ranged number of a scenario.

    ``label`` names it as ``--set`` would (``russia.capability``,
    ``russia.karabakh-control.salience``, ``shock:ID.value`` or ``shock[K].value``);
    ``kind`` is ``capability``, ``position``, ``salience`` or ``shock``; ``actor`` and
    ``issue`` say whose number it is; ``index`` is the shock's index for a shock.
    """

    label: str
    kind: str
    actor: str
    issue: str | None
    value: float
    range: Range
    index: int = -1


def uncertain_inputs(scenario: Scenario) -> tuple[UncertainInput, ...]:
    """The ranged numbers of ``scenario``, in the order draws use them."""
    out: list[UncertainInput] = []
    for a in scenario.actors:
        if a.capability_range is not None:
            out.append(
                UncertainInput(
                    f"{a.id}.capability", "capability", a.id, None, a.capability, a.capability_range
                )
            )
    for s in scenario.stances:
        for kind, value, rng in (
            ("position", s.position, s.position_range),
            ("salience", s.salience, s.salience_range),
        ):
            if rng is not None:
                out.append(
                    UncertainInput(
                        f"{s.actor}.{s.issue}.{kind}", kind, s.actor, s.issue, value, rng
                    )
                )
    for k, h in enumerate(scenario.shocks):
        if h.value_range is not None:
            name = f"shock:{h.id}" if h.id else f"shock[{k}]"
            out.append(
                UncertainInput(
                    f"{name}.value", "shock", h.actor, h.issue, h.value, h.value_range, k
                )
            )
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Values:
    """Every number of a scenario in each of B draws (salience on 0-100).

    ``capability`` (B, n); ``position`` and ``salience`` (B, n, m), ``nan`` where an actor
    has no stance; ``shock_value`` (B, s), one column per shock of the scenario.
    """

    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    shock_value: np.ndarray

    @property
    def draws(self) -> int:
        return int(self.capability.shape[0])


def point_values(scenario: Scenario, draws: int = 1) -> Values:
    """The best estimates, repeated ``draws`` times."""
    cap, pos, sal, _ = scenario.arrays()
    shocks = np.array([h.value for h in scenario.shocks], dtype=float)
    return Values(
        capability=np.repeat(cap[None], draws, axis=0),
        position=np.repeat(pos[None], draws, axis=0),
        salience=np.repeat(sal[None], draws, axis=0),
        shock_value=np.repeat(shocks[None], draws, axis=0),
    )


def draw_values(
    scenario: Scenario,
    u: np.ndarray,
    inputs: tuple[UncertainInput, ...] | None = None,
) -> Values:
    """The values of every number in B draws, from ``u`` (B, k): column c is the
    quantile, in [0, 1], of the c-th uncertain input (:func:`uncertain_inputs`)."""
    inputs = uncertain_inputs(scenario) if inputs is None else inputs
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[1] != len(inputs):
        raise ValueError(f"expected draws of shape (B, {len(inputs)}), got {u.shape}")
    vals = point_values(scenario, u.shape[0])
    cap, pos, sal, shock = (
        vals.capability.copy(),
        vals.position.copy(),
        vals.salience.copy(),
        vals.shock_value.copy(),
    )
    a_index = {a: k for k, a in enumerate(scenario.actor_ids)}
    i_index = {i: k for k, i in enumerate(scenario.issue_ids)}
    for c, inp in enumerate(inputs):
        x = inp.range.ppf(u[:, c])
        if inp.kind == "capability":
            cap[:, a_index[inp.actor]] = x
        elif inp.kind == "shock":
            shock[:, inp.index] = x
        else:
            target = pos if inp.kind == "position" else sal
            target[:, a_index[inp.actor], i_index[inp.issue or ""]] = x
    return Values(cap, pos, sal, shock)


def with_spread(scenario: Scenario, spread: float) -> Scenario:
    """``scenario`` with a range on every position and salience that has none: the best
    estimate plus or minus ``spread`` percent of the issue's scale (positions) or ``spread``
    points (saliences, on 0-100), cut at the bounds, triangular (peaking at the estimate).

    A quick, explicit default uncertainty for a scenario whose coder gave no ranges
    (``simulate --spread 10``); every range it adds says so in its note. Numbers that have a
    range keep it; capabilities and shocks are left as they are.
    """
    if not (isinstance(spread, (int, float)) and not isinstance(spread, bool)) or not (
        0 < spread <= 100
    ):
        raise InputError(f"spread must be a number above 0 and at most 100, got {spread!r}")
    data = scenario.to_dict()
    scale = {i.id: (i.scale_min, i.scale_max) for i in scenario.issues}
    for st in data["stances"]:
        lo, hi = scale[st["issue"]]
        for key, bounds, width, unit in (
            ("position", (lo, hi), spread / 100 * (hi - lo), "% of the scale"),
            ("salience", (0.0, 100.0), float(spread), " points"),
        ):
            value = st[key]
            if isinstance(value, dict):
                continue
            low, high = max(bounds[0], value - width), min(bounds[1], value + width)
            if low < high:
                st[key] = {
                    "value": value,
                    "low": low,
                    "high": high,
                    "distribution": "triangular",
                    "note": f"default spread ±{spread:g}{unit}, no range in the file",
                }
    return Scenario.from_dict(data, origin=scenario.origin or scenario.id)
