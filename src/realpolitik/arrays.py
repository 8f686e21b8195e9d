"""A scenario as the arrays that models take (:class:`~realpolitik.models.base.ModelInput`).

One issue with its participants (:func:`issue_input`), one issue in B draws as B columns
(:func:`issue_batch`), the whole scenario for a joint model (:func:`scenario_input`), and
the scenario's shocks applied to drawn values round by round (:func:`shock_rounds`). The
one place where scenarios, drawn values and shocks meet the models' arrays: every verb
(forecast, simulate, sensitivity, levers, back-tests) builds its inputs here.

Saliences go from 0-100 to 0-1; capabilities are divided by the largest among the
participants (only ratios matter, and this keeps products like c x s finite for any finite
input).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models.base import Change, ModelInput
from .scenario import Scenario
from .scenario.objects import Shock
from .scenario.uncertainty import Values, point_values

__all__ = [
    "ShockRound",
    "issue_batch",
    "issue_input",
    "scenario_input",
    "shock_rounds",
]


def issue_input(scenario: Scenario, issue_id: str) -> tuple[tuple[str, ...], ModelInput]:
    """The participants of one issue and their :class:`ModelInput`, shocks included.

    Salience goes from 0-100 to 0-1; capabilities are divided by the largest among the
    participants (only ratios matter, and this keeps products like c x s finite for any
    finite input).
    """

    ids, inp = issue_batch(scenario, point_values(scenario), scenario.issue_ids.index(issue_id))

    def squeeze(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a[:, 0]

    return ids, ModelInput(
        capability=inp.capability[:, 0],
        position=inp.position,
        salience=inp.salience,
        scale_min=inp.scale_min,
        scale_max=inp.scale_max,
        status_quo=inp.status_quo,
        changes=tuple(
            Change(ch.round, squeeze(ch.capability), ch.salience, ch.position) for ch in inp.changes
        ),
    )


@dataclass(frozen=True)
class ShockRound:
    """The values in force after the shocks of one round, in B draws (salience on 0-100):
    ``capability`` (B, n), the actors', and ``issue_capability`` (B, n, m), the stances'
    own (``nan`` where the actor's holds); ``position`` and ``salience`` (B, n, m);
    ``moved`` (B, n, m) the positions the round's shocks moved (``nan`` elsewhere); and
    which cells they touched: ``capability_cells``, ``salience_cells`` and
    ``position_cells`` (n, m)."""

    round: int
    capability: np.ndarray
    issue_capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    moved: np.ndarray
    capability_cells: np.ndarray
    salience_cells: np.ndarray
    position_cells: np.ndarray

    def capability_on(self, j: int) -> np.ndarray:
        """Every actor's capability on issue ``j`` after this round, (B, n)."""
        own = self.issue_capability[:, :, j]
        return np.where(np.isnan(own), self.capability, own)


def shock_rounds(scenario: Scenario, values: Values) -> list[ShockRound]:
    """The scenario's shocks applied to ``values``, round by round, in order of round and
    then of listing: a capability shock without an issue changes the actor's capability on
    every issue (its own and every stance's own capability alike: ``set`` sets them all);
    with an issue, its capability on that issue only (the stance's own, or the actor's as
    the stance's own from then on). A position or salience shock changes its stance on the
    shock's issue, or on every issue where it holds one. A position shock moves the actor
    to its stated position (as earlier shocks left it) changed by the shock. Round 0's
    shocks are edits of the input; later ones become the
    :class:`~realpolitik.models.base.Change` s of :func:`issue_batch` and
    :func:`scenario_input`. The one place where shocks meet values. O(B (n m + s))."""
    rows = {a: k for k, a in enumerate(scenario.actor_ids)}
    cols = {i: j for j, i in enumerate(scenario.issue_ids)}
    has = ~np.isnan(values.position[0]) if values.draws else np.zeros((0, 0), dtype=bool)
    by_round: dict[int, list[tuple[int, Shock]]] = {}
    for k, h in enumerate(scenario.shocks):
        by_round.setdefault(h.round, []).append((k, h))
    cap, icap = values.capability, values.issue_capability
    pos, sal = values.position, values.salience
    out = []
    for rnd in sorted(by_round):
        moved = np.full_like(pos, np.nan)
        cap_cells = np.zeros(has.shape, dtype=bool)
        sal_cells = np.zeros(has.shape, dtype=bool)
        pos_cells = np.zeros(has.shape, dtype=bool)
        for k, h in by_round[rnd]:
            r, v = rows[h.actor], values.shock_value[:, k]
            if h.field == "capability":
                icap = icap.copy()
                if h.issue is None:
                    cap = cap.copy()
                    cap[:, r] = h.apply(cap[:, r], v)
                    own = icap[:, r, :]
                    icap[:, r, :] = np.where(np.isnan(own), np.nan, h.apply(own, v[:, None]))
                    cap_cells[r, :] = True
                else:
                    j = cols[h.issue]
                    own = icap[:, r, j]
                    icap[:, r, j] = h.apply(np.where(np.isnan(own), cap[:, r], own), v)
                    cap_cells[r, j] = True
                continue
            where = np.flatnonzero(has[r]) if h.issue is None else np.array([cols[h.issue]])
            if h.field == "salience":
                sal = sal.copy()
                sal[:, r, where] = h.apply(sal[:, r, where], v[:, None])
                sal_cells[r, where] = True
            else:
                pos = pos.copy()
                pos[:, r, where] = h.apply(pos[:, r, where], v[:, None])
                moved[:, r, where] = pos[:, r, where]
                pos_cells[r, where] = True
        out.append(ShockRound(rnd, cap, icap, pos, sal, moved, cap_cells, sal_cells, pos_cells))
    return out


def _largest(cap: np.ndarray) -> np.ndarray:
    """Each draw's largest capability, (B, n) -> (B,); 1 where none is positive."""
    top = cap.max(axis=1) if cap.shape[1] else np.ones(cap.shape[0])
    return np.where(top > 0, top, 1.0)


def issue_batch(scenario: Scenario, values: Values, j: int) -> tuple[tuple[str, ...], ModelInput]:
    """Issue ``j`` of ``scenario`` in each of B draws (``values``) as one input of B
    columns, with the scenario's shocks (:func:`shock_rounds`): those of round 0 change the
    values themselves, later ones that touch the issue's participants become
    :class:`~realpolitik.models.base.Change` s at their round. Each participant's
    capability is its capability on the issue (its stance's own where it gives one, else
    the actor's), divided by each draw's largest among the participants after the shocks
    of round 0.

    Complexity: O(B (n + s)) for B draws, n participants and s shocks.
    """
    issue = scenario.issues[j]
    ids = scenario.participants(issue.id)
    index = {a: k for k, a in enumerate(scenario.actor_ids)}  # once: O(n), not O(n) per actor
    rows = np.array([index[a] for a in ids], dtype=np.intp)
    cap, pos, sal = values.capability_on(j), values.position, values.salience
    rounds = shock_rounds(scenario, values)
    if rounds and rounds[0].round == 0:
        cap, pos, sal = rounds[0].capability_on(j), rounds[0].position, rounds[0].salience
    top = _largest(cap[:, rows])
    changes = []
    for sr in rounds:
        kinds = (
            bool(sr.capability_cells[rows, j].any()),
            bool(sr.salience_cells[rows, j].any()),
            bool(sr.position_cells[rows, j].any()),
        )
        if sr.round > 0 and any(kinds):
            changes.append(
                Change(
                    sr.round,
                    capability=sr.capability_on(j)[:, rows].T / top if kinds[0] else None,
                    salience=sr.salience[:, rows, j].T / 100.0 if kinds[1] else None,
                    position=sr.moved[:, rows, j].T if kinds[2] else None,
                )
            )
    b = values.draws
    return ids, ModelInput(
        capability=cap[:, rows].T / top,
        position=pos[:, rows, j].T.astype(float),
        salience=sal[:, rows, j].T / 100.0,
        scale_min=np.full(b, issue.scale_min),
        scale_max=np.full(b, issue.scale_max),
        status_quo=values.status_quo[:, j].astype(float),
        changes=tuple(changes),
    )


def _by_issue(scenario: Scenario) -> bool:
    """Whether a capability differs by issue somewhere in ``scenario`` (a stance's own, or a
    capability shock on one issue)."""
    return any(s.capability is not None for s in scenario.stances) or any(
        h.field == "capability" and h.issue is not None for h in scenario.shocks
    )


def scenario_input(scenario: Scenario, values: Values, b: int = 0) -> ModelInput:
    """Draw ``b`` of ``values`` as one input of every actor and issue (n, m), shocks
    included (:func:`shock_rounds`), for a model that runs the issues together
    (:attr:`ModelPlan.joint`): round 0's shocks change the values, later ones become
    :class:`~realpolitik.models.base.Change` s at their round (capabilities (n,), or (n, m)
    where a capability differs by issue; saliences and positions (n, m)). Capabilities are
    divided by the draw's largest after round 0's shocks. An actor without a stance on an
    issue holds there the issue's status quo (its midpoint where it has none) with salience
    0: it has no stake in the issue, but in a joint space its position there still counts
    (a candidate in smp's elections and bargains), so the status quo can move a joint
    model's forecasts where stances are missing (docs/explanation/smp.md); the result layer
    shows such positions as ``nan``.

    Complexity: O(n m + s) for n actors, m issues and s shocks.
    """
    by_issue = _by_issue(scenario)
    m = len(scenario.issues)

    def caps(state: Values | ShockRound) -> np.ndarray:
        if not by_issue:
            return np.asarray(state.capability[b])
        return np.stack([state.capability_on(j)[b] for j in range(m)], axis=1)

    cap, pos, sal = caps(values), values.position, values.salience
    rounds = shock_rounds(scenario, values)
    if rounds and rounds[0].round == 0:
        cap, pos, sal = caps(rounds[0]), rounds[0].position, rounds[0].salience
    pos, sal = pos[b], sal[b]
    absent = np.isnan(pos)
    sq = values.status_quo[b]
    mid = np.array([(i.scale_min + i.scale_max) / 2 for i in scenario.issues])
    filler = np.where(np.isnan(sq), mid, sq)
    top = float(cap.max()) if cap.size else 1.0
    top = top if top > 0 else 1.0
    changes = []
    for sr in rounds:
        kinds = sr.capability_cells.any(), sr.salience_cells.any(), sr.position_cells.any()
        if sr.round > 0:
            changes.append(
                Change(
                    sr.round,
                    capability=caps(sr) / top if kinds[0] else None,
                    salience=np.where(absent, 0.0, sr.salience[b] / 100.0) if kinds[1] else None,
                    position=sr.moved[b] if kinds[2] else None,
                )
            )
    return ModelInput(
        capability=cap / top,
        position=np.where(absent, filler, pos),
        salience=np.where(absent, 0.0, sal / 100.0),
        scale_min=np.array([i.scale_min for i in scenario.issues], dtype=float),
        scale_max=np.array([i.scale_max for i in scenario.issues], dtype=float),
        status_quo=sq.astype(float),
        changes=tuple(changes),
    )
