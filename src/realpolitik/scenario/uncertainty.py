"""The uncertain numbers of a scenario, and the values every number takes in a draw.

A scenario's numbers are points unless the file gives a range (``{value, low, high,
distribution}``). :func:`uncertain_inputs` lists the ranged numbers in a fixed order
(actors' capabilities, then stances' positions, saliences and own capabilities in the order
of the file, then issues' status quos, then shocks' values); a draw is one number in [0, 1]
per uncertain input, turned into a value by the input's inverse CDF (:meth:`Range.ppf`).
:func:`draw_values` does that for a batch of draws at once; :func:`point_values` gives the
best estimates, the values a forecast uses.

Complexity: O(B (n m + k + s)) time and memory for B draws, n actors, m issues, k uncertain
inputs and s shocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

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
    """The ranged numbers of ``scenario``, in the order draws use them: actors'
    capabilities; each stance's position, salience and own capability (``ACTOR.ISSUE.
    capability``, kind ``capability`` with its ``issue``); issues' status quos (``ISSUE.
    status_quo``, kind ``status_quo``, ``actor`` empty); shocks' values."""
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
            ("capability", s.capability, s.capability_range),
        ):
            if rng is not None and value is not None:
                out.append(
                    UncertainInput(
                        f"{s.actor}.{s.issue}.{kind}", kind, s.actor, s.issue, value, rng
                    )
                )
    for i in scenario.issues:
        if i.status_quo_range is not None and i.status_quo is not None:
            out.append(
                UncertainInput(
                    f"{i.id}.status_quo", "status_quo", "", i.id, i.status_quo, i.status_quo_range
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

    ``capability`` (B, n), the actors'; ``position`` and ``salience`` (B, n, m), ``nan``
    where an actor has no stance; ``shock_value`` (B, s), one column per shock of the
    scenario; ``issue_capability`` (B, n, m), the stances' own capabilities, ``nan`` where a
    stance gives none (the actor's holds there: :meth:`capability_on`); ``status_quo``
    (B, m), ``nan`` where an issue has none.
    """

    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    shock_value: np.ndarray
    issue_capability: np.ndarray
    status_quo: np.ndarray

    @property
    def draws(self) -> int:
        return int(self.capability.shape[0])

    def capability_on(self, j: int) -> np.ndarray:
        """Every actor's capability on issue ``j`` in each draw, (B, n): its stance's own
        where it gives one, else the actor's."""
        own = self.issue_capability[:, :, j]
        return np.where(np.isnan(own), self.capability, own)

    def rows(self, index: slice | np.ndarray) -> Values:
        """The draws ``index`` only."""
        return Values(*(np.asarray(getattr(self, f.name))[index] for f in fields(Values)))

    def repeat(self, b: int) -> Values:
        """Each draw repeated ``b`` times (``np.repeat`` along the draws)."""
        return Values(*(np.repeat(getattr(self, f.name), b, axis=0) for f in fields(Values)))

    def copy(self) -> Values:
        return Values(*(np.array(getattr(self, f.name), copy=True) for f in fields(Values)))

    @staticmethod
    def concat(parts: Sequence[Values]) -> Values:
        """The draws of ``parts``, one after another."""
        return Values(
            *(np.concatenate([getattr(v, f.name) for v in parts]) for f in fields(Values))
        )


def point_values(scenario: Scenario, draws: int = 1) -> Values:
    """The best estimates, repeated ``draws`` times."""
    cap, pos, sal, _ = scenario.arrays()
    shocks = np.array([h.value for h in scenario.shocks], dtype=float)
    sq = np.array([np.nan if i.status_quo is None else i.status_quo for i in scenario.issues])
    return Values(
        capability=np.repeat(cap[None], draws, axis=0),
        position=np.repeat(pos[None], draws, axis=0),
        salience=np.repeat(sal[None], draws, axis=0),
        shock_value=np.repeat(shocks[None], draws, axis=0),
        issue_capability=np.repeat(scenario.issue_capabilities()[None], draws, axis=0),
        status_quo=np.repeat(sq[None], draws, axis=0),
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
    vals = point_values(scenario, u.shape[0]).copy()
    a_index = {a: k for k, a in enumerate(scenario.actor_ids)}
    i_index = {i: k for k, i in enumerate(scenario.issue_ids)}
    for c, inp in enumerate(inputs):
        x = inp.range.ppf(u[:, c])
        if inp.kind == "capability" and inp.issue is None:
            vals.capability[:, a_index[inp.actor]] = x
        elif inp.kind == "capability":
            vals.issue_capability[:, a_index[inp.actor], i_index[inp.issue or ""]] = x
        elif inp.kind == "status_quo":
            vals.status_quo[:, i_index[inp.issue or ""]] = x
        elif inp.kind == "shock":
            vals.shock_value[:, inp.index] = x
        else:
            target = vals.position if inp.kind == "position" else vals.salience
            target[:, a_index[inp.actor], i_index[inp.issue or ""]] = x
    return vals


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
