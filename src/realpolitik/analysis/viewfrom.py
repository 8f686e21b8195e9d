"""Bueno de Mesquita's "view from" an actor: how it perceives every other actor, issue by issue.

In the expected-utility model (:mod:`realpolitik.models.eum`) actor i, looking at actor j,
forms two expected utilities with its own risk exponent r_i: E^i(U_ij), what i expects
from challenging j, and E^i(U_ji), what j expects from challenging i as i sees it. The
chart of Bueno de Mesquita's work places every other actor j at

    x = E^i(U_ij),    y = E^i(U_ji)

and reads the relation from the quadrant (with the model's tolerance: "> 0" reads
"> EU_ATOL", and |x| < y reads x + y > EU_ATOL):

* **conflict**, both > 0 (Q1): each expects to gain by challenging the other;
* **stalemate**, both <= 0 (Q3): neither challenges;
* x <= 0 < y (Q2): j would prevail and the focal actor yields (``yielder="focal"``): a
  **compromise** if |x| < y (i moves part of the way, |x / y| of it), else a
  **capitulation** (i moves to j);
* y <= 0 < x (Q4): the focal actor prevails and j yields (``yielder="other"``): a
  **compromise** if |y| < x, else a **capitulation**;
* actors within POS_RTOL R of the focal position make no offers: **same position**.

Q1 to Q3 are the model's own classification of j's offer to i (module docstring of the
EUM), Q4 that offer's mirror as i sees it; the model makes a conflict offer to i only where
also y > x (i expects to lose), so the chart's conflicts include those i expects to win.

The view is of round 0: the input the model's first round starts from (the stated numbers,
with the scenario's shocks of round 0, which are edits of the input, applied; shocks of
round 1 or later act after round 1 and do not matter here), with the EUM's range R
(``range_basis``), its capability scaling and its participants (the actors with a stance
on the issue). The expected utilities and the focal actor's exponent are those of the
model's round 1 (:func:`realpolitik.models.eum.perceptions`).

Complexity: O(n^2 log n) time and O(n^2) memory per issue with n participants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..arrays import issue_input
from ..errors import InputError, Problem, ScenarioError, find_named
from ..models import REGISTRY, eum, get
from ..results import (
    JsonResult,
    Provenance,
    ProvenanceFields,
    Subject,
    field_values,
    freeze,
    from_field_values,
)
from ..scenario import Scenario, load

__all__ = [
    "FORMAT",
    "REGIONS",
    "IssueView",
    "ViewFrom",
    "ViewPoint",
    "classify",
    "view_from",
]

FORMAT = "realpolitik-viewfrom/1"
#: The regions of the chart, in the order of :func:`classify`'s codes.
REGIONS = ("conflict", "compromise", "capitulation", "stalemate", "same position")
#: Who yields: in Q2 the focal actor, in Q4 the other; None elsewhere.
YIELDERS = ("focal", "other")


# ------------------------------------------------------------------ the regions


def classify(
    eu_challenge: Any, eu_challenged: Any, same_position: Any = False
) -> tuple[np.ndarray, np.ndarray]:
    """The region of each point (x, y) = (E^i(U_ij), E^i(U_ji)) and who yields in it.

    Elementwise over arrays of any (broadcast) shape; ``same_position`` marks the pairs
    at one position. Returns two object arrays: the region (one of :data:`REGIONS`) and
    the yielder (``"focal"`` in Q2, ``"other"`` in Q4, else ``None``). Comparisons are
    those of the EUM: x > 0 reads x > EU_ATOL, |x| < y (Q2) and |y| < x (Q4) read
    x + y > EU_ATOL (module docstring). O(size) time and memory.
    """
    x = np.asarray(eu_challenge, dtype=float)
    y = np.asarray(eu_challenged, dtype=float)
    same = np.asarray(same_position, dtype=bool)
    x, y, same = np.broadcast_arrays(x, y, same)
    tol = eum.EU_ATOL
    xpos, ypos = x > tol, y > tol
    partial = x + y > tol  # |x| < y in Q2, |y| < x in Q4
    one_way = xpos != ypos  # Q2 or Q4
    # 0 conflict, 1 compromise, 2 capitulation, 3 stalemate (then 4 same position)
    code = np.where(one_way, np.where(partial, 1, 2), np.where(xpos, 0, 3))
    code = np.where(same, 4, code)
    region = np.empty(code.shape, dtype=object)
    region[...] = np.asarray(REGIONS, dtype=object)[code]  # (an array even for one point)
    yielder = np.full(code.shape, None, dtype=object)
    yielder[one_way & ~same & ypos] = "focal"
    yielder[one_way & ~same & xpos] = "other"
    return region, yielder


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class ViewPoint:
    """One other actor j as the focal actor i sees it on one issue.

    ``eu_challenge`` = E^i(U_ij) (the chart's x), ``eu_challenged`` = E^i(U_ji) as i sees
    it (y), both with i's exponent; ``region`` one of :data:`REGIONS` and ``yielder``
    ``"focal"``, ``"other"`` or ``None`` (:func:`classify`); ``weight`` j's capability
    (scaled to a largest of 1 among the issue's participants) x salience (0-1), for the
    marker's size; ``position`` j's position; ``same_position`` True where j stands within
    POS_RTOL R of i (both expected utilities are then 0).
    """

    other: str
    other_name: str
    eu_challenge: float
    eu_challenged: float
    region: str
    yielder: str | None
    weight: float
    position: float
    same_position: bool = False

    def to_dict(self) -> dict[str, Any]:
        return field_values(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ViewPoint:
        numbers = ("eu_challenge", "eu_challenged", "weight", "position")
        return from_field_values(cls, d, **dict.fromkeys(numbers, float), same_position=bool)


@dataclass(frozen=True)
class IssueView:
    """The focal actor's view on one issue: its position and risk exponent r_i there, and
    one :class:`ViewPoint` per other participant, in the scenario's actor order."""

    issue: str
    question: str
    risk_exponent: float
    position: float
    points: tuple[ViewPoint, ...]

    def __post_init__(self) -> None:
        freeze(self, points=tuple(self.points))

    def point(self, other: str) -> ViewPoint:
        """The point of actor ``other``."""
        known = ", ".join(p.other for p in self.points) or "none"
        missing = f"no actor {other!r} on {self.issue!r} in this view; it has {known}"
        return find_named(self.points, lambda p: p.other, other, missing)

    def to_dict(self) -> dict[str, Any]:
        return field_values(self, points=lambda ps: [p.to_dict() for p in ps])

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> IssueView:
        return from_field_values(
            cls,
            d,
            risk_exponent=float,
            position=float,
            points=lambda ps: tuple(ViewPoint.from_dict(p) for p in ps),
        )


@dataclass(frozen=True)
class ViewFrom(ProvenanceFields, JsonResult):
    """The result of :func:`view_from`: how ``actor`` sees every other participant on
    each issue where it holds a stance (scenario order), with the EUM parameters used
    (``q``, ``t``, ``probability``, ``range_basis``) and the provenance of the scenario."""

    format_id: ClassVar[str] = FORMAT
    kind: ClassVar[str] = "view-from result"
    record_kind: ClassVar[str] = "view-from"

    provenance: Provenance
    actor: str
    actor_name: str
    issues: tuple[IssueView, ...]

    def __post_init__(self) -> None:
        freeze(self, issues=tuple(self.issues))

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(v.issue for v in self.issues)

    def issue(self, issue_id: str) -> IssueView:
        """The view on ``issue_id``."""
        missing = (
            f"no issue {issue_id!r} in the view from {self.actor!r}; "
            f"it has {', '.join(self.issue_ids) or 'none'}"
        )
        return find_named(self.issues, lambda v: v.issue, issue_id, missing)

    def run_parameters(self) -> dict[str, Any]:
        """The ``actor`` and the EUM ``parameters`` the view was computed with."""
        return {"actor": self.actor, "parameters": dict(self.provenance.parameters)}

    def summary(self) -> dict[str, Any]:
        """What the run history keeps: per issue, the actor's position and risk exponent
        and how many others fall in each region of its chart."""
        out: dict[str, Any] = {}
        for v in self.issues:
            regions: dict[str, int] = {}
            for p in v.points:
                regions[p.region] = regions.get(p.region, 0) + 1
            out[v.issue] = {
                "position": v.position,
                "risk_exponent": v.risk_exponent,
                "regions": regions,
            }
        return {"actor": self.actor, "issues": out}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.provenance.to_dict(),
            "actor": self.actor,
            "actor_name": self.actor_name,
            "issues": [v.to_dict() for v in self.issues],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ViewFrom:
        cls.check_format(d)
        return cls(
            provenance=Provenance.from_dict(d),
            actor=d["actor"],
            actor_name=d["actor_name"],
            issues=tuple(IssueView.from_dict(v) for v in d["issues"]),
        )


# ------------------------------------------------------------------ the verb


def _issues_of(sc: Scenario, actor: str, issue: str | None) -> list[str]:
    """The issues to view: ``issue``, or every issue where ``actor`` holds a stance."""
    where = sc.origin or sc.id
    if actor not in sc.actor_ids:
        raise ScenarioError(
            [
                Problem(
                    where, "actor", f"no actor {actor!r}; the actors are {', '.join(sc.actor_ids)}"
                )
            ]
        )
    own = [i for i in sc.issue_ids if sc.stance(actor, i) is not None]
    if not own:
        raise ScenarioError(
            [
                Problem(
                    where,
                    "actor",
                    f"{actor!r} holds no stance on any issue, so it has no view of the others; "
                    "give it a position and salience on the issues it cares about",
                )
            ]
        )
    if issue is None:
        return own
    if issue not in sc.issue_ids:
        raise ScenarioError(
            [
                Problem(
                    where, "issue", f"no issue {issue!r}; the issues are {', '.join(sc.issue_ids)}"
                )
            ]
        )
    if issue not in own:
        raise ScenarioError(
            [
                Problem(
                    where,
                    "issue",
                    f"{actor!r} holds no stance on {issue!r}; its issues are {', '.join(own)}",
                )
            ]
        )
    return [issue]


def view_from(
    scenario: Scenario | str | None,
    actor: str,
    *,
    issue: str | None = None,
    model: str = "eum",
    q: float = 1.0,
    t: float = 1.0,
    probability: str | None = None,
    range_basis: str = "positions",
) -> ViewFrom:
    """How ``actor`` sees every other actor, on ``issue`` or on each issue where it holds a
    stance: the points (E^i(U_ij), E^i(U_ji)) of Bueno de Mesquita's chart, at round 0.

    ``model`` is a model whose spec declares its ``perceptions`` (``eum``, ``eum-pair``);
    ``q``, ``t``, ``probability`` (``None``: the model's own) and ``range_basis`` are its
    parameters (see :func:`realpolitik.models.eum.run`); the expected utilities are those
    its round 1 forms from the input (module docstring; shocks of round 1 or later do not
    matter).

    Raises :class:`~realpolitik.errors.ScenarioError` for an actor or issue the scenario
    does not have (listing those it has), an actor without any stance, or an issue on which
    it holds none; :class:`~realpolitik.errors.InputError` for a parameter out of its domain.

    Complexity: O(sum over its issues of n^2 log n), n the issue's participants.
    """
    for name, val in (("q", q), ("t", t)):
        if isinstance(val, bool) or not (
            isinstance(val, (int, float, np.floating)) and 0.0 <= float(val) <= 1.0
        ):
            raise InputError(f"{name} must be a number in [0, 1], got {val!r}")
    seer = get(model).perceptions
    if seer is None:
        having = ", ".join(n for n, spec in REGISTRY.items() if spec.perceptions is not None)
        raise InputError(f"model {model!r} has no view from an actor; models with one: {having}")
    if probability is None:
        probability = str(get(model).defaults.get("probability", "pair"))
    if probability not in eum.PROBABILITIES:
        raise InputError(f"probability must be one of {eum.PROBABILITIES}, got {probability!r}")
    if range_basis not in eum.RANGE_BASES:
        raise InputError(f"range_basis must be one of {eum.RANGE_BASES}, got {range_basis!r}")
    sc = load(scenario)
    wanted = _issues_of(sc, actor, issue)
    names = {a.id: a.name for a in sc.actors}
    views = []
    for issue_id in wanted:
        ids, inp = issue_input(sc, issue_id)  # round 0: its changes (shocks >= 1) left out
        k = ids.index(actor)
        x = inp.position[:, 0]
        c = inp.capability_matrix()[:, 0]
        s = inp.salience[:, 0]
        span = float(eum.ranges(inp, range_basis)[0])
        seen = seer(x, c, s, span=span, q=q, t=t, probability=probability)
        a, b, same = seen.eu_challenge[k], seen.eu_challenged[k], seen.same_position[k]
        region, yielder = classify(a, b, same)
        weight = c * s
        points = tuple(
            ViewPoint(
                other=ids[j],
                other_name=names[ids[j]],
                eu_challenge=float(a[j]),
                eu_challenged=float(b[j]),
                region=str(region[j]),
                yielder=yielder[j],
                weight=float(weight[j]),
                position=float(x[j]),
                same_position=bool(same[j]),
            )
            for j in range(len(ids))
            if j != k
        )
        views.append(
            IssueView(
                issue=issue_id,
                question=sc.issue(issue_id).question,
                risk_exponent=float(seen.risk_exponent[k]),
                position=float(x[k]),
                points=points,
            )
        )
    parameters = {"model": model, "q": float(q), "t": float(t), "probability": probability}
    return ViewFrom(
        provenance=Provenance(Subject.of(sc), {**parameters, "range_basis": range_basis}),
        actor=actor,
        actor_name=names[actor],
        issues=tuple(views),
    )
