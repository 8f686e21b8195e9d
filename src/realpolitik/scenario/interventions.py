"""What-if interventions: change a scenario's numbers without editing its file.

An intervention is written as ``--set`` takes it::

    russia.capability*=0.6             multiply (``=*0.6`` means the same)
    turkey.karabakh-control.salience=90    set
    armenia.turkey-armenia.position+=10    add (``-=`` subtracts)
    russia.capability*=0.6@3           from round 3 on: a shock, not an edit

Without ``@ROUND`` an intervention edits the scenario: the number itself changes, as if
the file said so (a ranged number is shifted or scaled with its range; ``set`` makes it a
point). With ``@ROUND`` it becomes a shock of that round, added to the scenario's own
(:class:`~realpolitik.scenario.objects.Shock`): the stated positions, and so the actors'
gains, stay as they were. Either way the result is validated like a file, and each
problem names the intervention at fault.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, ScenarioError
from .objects import Scenario

__all__ = ["Intervention", "intervene", "parse_intervention"]

_FIELDS = ("capability", "position", "salience")
_SYNTAX = re.compile(
    r"^\s*(?P<target>[^=*+\s-][^=*+\s]*?)\s*(?P<op>\*=|\+=|-=|=\*|=)\s*"
    r"(?P<value>[^@\s]+)\s*(?:@\s*(?P<round>\S+))?\s*$"
)
_OPS = {"=": "set", "+=": "add", "-=": "add", "*=": "multiply", "=*": "multiply"}
HELP = (
    "expected ACTOR.capability, ACTOR.ISSUE.position or ACTOR.ISSUE.salience, then =, +=, -= "
    "or *=, a number, and optionally @ROUND (e.g. russia.capability*=0.6@3)"
)


@dataclass(frozen=True)
class Intervention:
    """One parsed ``--set``: ``path`` is the text before the field (``actor`` or
    ``actor.issue``, resolved against a scenario when applied)."""

    text: str
    path: str
    field: str
    op: str
    value: float
    round: int | None = None

    def resolve(self, scenario: Scenario) -> tuple[str, str | None]:
        """The actor and issue ids this intervention names in ``scenario``."""
        actors, issues = set(scenario.actor_ids), set(scenario.issue_ids)
        if self.field == "capability":
            if self.path in actors:
                return self.path, None
            raise self._error(f"no actor {self.path!r}; the actors are {_list(actors)}")
        for k in range(len(self.path)):
            if self.path[k] == ".":
                a, i = self.path[:k], self.path[k + 1 :]
                if a in actors and i in issues:
                    if scenario.stance(a, i) is None:
                        raise self._error(
                            f"{a!r} has no stance on {i!r}; an intervention changes a stance, "
                            "it cannot create one"
                        )
                    return a, i
        raise self._error(
            f"no actor and issue named {self.path!r}; expected ACTOR.ISSUE with an actor of "
            f"{_list(actors)} and an issue of {_list(issues)}"
        )

    def _error(self, message: str) -> ScenarioError:
        return ScenarioError([Problem("--set", self.text, message)])


def _list(ids: set[str]) -> str:
    return ", ".join(sorted(ids))


def parse_intervention(text: str) -> Intervention:
    """Parse one ``--set`` text; a :class:`ScenarioError` says what was expected."""

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem("--set", text, message)])

    m = _SYNTAX.match(text)
    if not m:
        if re.search(r"=\+", text):
            raise fail("'=+' is ambiguous; write += to add, or = to set a value")
        raise fail(HELP)
    target, op, raw, rnd = m["target"], m["op"], m["value"], m["round"]
    path, _, fld = target.rpartition(".")
    if fld not in _FIELDS or not path:
        raise fail(f"{target!r} names no field; {HELP}")
    if fld != "capability" and "." not in path:
        raise fail(f"a {fld} belongs to an actor on an issue; expected ACTOR.ISSUE.{fld}")
    if fld == "position" and op in ("*=", "=*"):
        raise fail(
            "multiply does not apply to a position (a scale has no natural zero); use = or +="
        )
    if raw.startswith("+") and op == "=":
        raise fail("'=+' is ambiguous; write += to add, or = to set a value")
    try:
        value = float(raw)
    except ValueError:
        raise fail(f"expected a number after {op!r}, got {raw!r}") from None
    if not math.isfinite(value):
        raise fail(f"expected a finite number, got {raw!r}")
    if op == "-=":
        value = -value
    when: int | None = None
    if rnd is not None:
        if not re.fullmatch(r"\d{1,5}", rnd):
            raise fail(f"expected a round number (0 or more) after '@', got {rnd!r}")
        when = int(rnd)
    return Intervention(text, path, fld, _OPS[op], value, when)


def intervene(scenario: Scenario, interventions: Sequence[Intervention | str]) -> Scenario:
    """``scenario`` with ``interventions`` applied in order, validated again.

    Raises :class:`ScenarioError` naming the intervention at fault.
    """
    items = [parse_intervention(x) if isinstance(x, str) else x for x in interventions]
    origin = scenario.origin or scenario.id
    for iv in items:  # one at a time, so that each problem names its intervention
        scenario = _apply(scenario, iv, origin)
    return scenario


def _apply(scenario: Scenario, iv: Intervention, origin: str) -> Scenario:
    actor, issue = iv.resolve(scenario)
    data = scenario.to_dict()
    if iv.round is not None:
        data.setdefault("shocks", []).append(
            {
                "round": iv.round,
                "actor": actor,
                **({"issue": issue} if issue else {}),
                "field": iv.field,
                "op": iv.op,
                "value": iv.value,
                "source": {"judgement": f"what-if intervention --set {iv.text}"},
            }
        )
    else:
        if iv.field == "capability":
            entry = next(a for a in data["actors"] if a["id"] == actor)
        else:
            entry = next(s for s in data["stances"] if s["actor"] == actor and s["issue"] == issue)
        entry[iv.field] = _edit(entry[iv.field], iv)
        note = f"changed by --set {iv.text}"
        src = entry.setdefault("source", {})
        src["note"] = f"{src['note']}; {note}" if src.get("note") else note
    try:
        return Scenario.from_dict(data, origin=origin)
    except ScenarioError as exc:
        raise ScenarioError([Problem("--set", iv.text, p.message) for p in exc.problems]) from None


def _edit(old: Any, iv: Intervention) -> Any:
    if iv.op == "set":
        return iv.value
    if isinstance(old, dict):
        new = copy.deepcopy(old)
        for key in ("value", "low", "high"):
            new[key] = old[key] + iv.value if iv.op == "add" else old[key] * iv.value
        if iv.op == "multiply" and iv.value == 0:
            return 0.0
        return new
    return old + iv.value if iv.op == "add" else old * iv.value
