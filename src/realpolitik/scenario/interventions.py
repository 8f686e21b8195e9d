"""What-if interventions: change a scenario's numbers without editing its file.

An intervention is written as ``--set`` takes it::

    russia.capability*=0.6             multiply (``=*0.6`` means the same)
    turkey.karabakh-control.salience=90    set
    armenia.turkey-armenia.position+=10    add (``-=`` subtracts)
    russia.capability*=0.6@3           from round 3 on: a shock, not an edit
    russia.karabakh-control.capability=40  its capability on one issue (the stance's own)

The number is a plain decimal (ASCII digits, an optional sign, point and exponent),
finite. Without ``@ROUND`` an intervention edits the scenario: the number itself changes,
as if the file said so (a ranged number is shifted or scaled with its range; ``set`` makes
it a point; an actor's capability is changed with its stances' own capabilities, as a
capability shock changes them). With ``@ROUND`` it becomes a shock of that round, added
to the scenario's own
(:class:`~realpolitik.scenario.objects.Shock`): the stated positions, and so the actors'
gains, stay as they were. Either way the result is validated like a file, and each
problem names the intervention at fault.

The numbers an intervention can name are a scenario's *targets* (:func:`targets`: each
actor's capability, each stance's position and salience, by the label written above);
:func:`target` looks one up by its label and :func:`setting` builds the intervention that
sets one to a value, as a front end that edits one number at a time needs.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, ScenarioError
from .numbers import NumberError, bad_character, excerpt, number_or_none, some
from .numbers import parse_number as _parse
from .objects import Range, Scenario

__all__ = [
    "Intervention",
    "Target",
    "intervene",
    "parse_intervention",
    "parse_number",
    "setting",
    "target",
    "targets",
]

_FIELDS = ("capability", "position", "salience")
_SYNTAX = re.compile(
    r"^\s*(?P<target>[^=*+\s-][^=*+\s]*?)\s*(?P<op>\*=|\+=|-=|=\*|=)\s*"
    r"(?P<value>[^@\s]+)\s*(?:@\s*(?P<round>\S+))?\s*$"
)
_TARGET = re.compile(r"[^=*+\s-][^=*+\s]*")
_OPS = {"=": "set", "+=": "add", "-=": "add", "*=": "multiply", "=*": "multiply"}
TARGETS = (
    "expected ACTOR.capability, ACTOR.ISSUE.position, ACTOR.ISSUE.salience or "
    "ACTOR.ISSUE.capability"
)
HELP = (
    f"{TARGETS}, then =, +=, -= or *=, a number, and optionally @ROUND "
    "(e.g. russia.capability*=0.6@3)"
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
        if self.field == "capability" and (self.path in actors or "." not in self.path):
            if self.path in actors:
                return self.path, None
            raise self._error(f"no actor {excerpt(self.path)}; the actors are {_list(actors)}")
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
            f"no actor and issue named {excerpt(self.path)}; expected ACTOR.ISSUE with an actor of "
            f"{_list(actors)} and an issue of {_list(issues)}"
        )

    def _error(self, message: str) -> ScenarioError:
        return ScenarioError([Problem("intervention", _cut(self.text), message)])


def _cut(text: str, most: int = 60) -> str:
    """An intervention's text as its problems name it: at most ``most`` characters."""
    return text if len(text) <= most else text[: most - 3] + "..."


def _list(ids: set[str]) -> str:
    return some(sorted(ids), most=12)


def parse_number(text: str) -> float | None:
    """``text`` as a number if it is a plain decimal (ASCII digits; sign, point and exponent
    optional; spaces around) and finite, else ``None``: no ``1_0``, no other scripts'
    digits, no ``nan`` or ``inf``. The one grammar of every reader
    (:mod:`~realpolitik.scenario.numbers`), for any front end's number field."""
    return number_or_none(text)


def _parse_target(
    target: str, fail: Callable[[str], ScenarioError], expected: str
) -> tuple[str, str]:
    """``(path, field)`` of a target such as ``russia.capability`` or ``a.i1.position``."""
    path, _, fld = target.rpartition(".")
    if not _TARGET.fullmatch(target) or fld not in _FIELDS or not path:
        raise fail(f"{excerpt(target)} names no field; {expected}")
    if fld != "capability" and "." not in path:
        raise fail(f"a {fld} belongs to an actor on an issue; expected ACTOR.ISSUE.{fld}")
    return path, fld


def parse_intervention(text: str) -> Intervention:
    """Parse one ``--set`` text; a :class:`ScenarioError` says what was expected."""

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem("intervention", _cut(text), message)])

    bad = bad_character(text)
    if bad is not None:
        raise fail(f"the control character {bad[1]} is not allowed; remove it")
    m = _SYNTAX.match(text)
    if not m:
        if re.search(r"=\+", text):
            raise fail("'=+' is ambiguous; write += to add, or = to set a value")
        raise fail(HELP)
    target, op, raw, rnd = m["target"], m["op"], m["value"], m["round"]
    path, fld = _parse_target(target, fail, HELP)
    if fld == "position" and op in ("*=", "=*"):
        raise fail(
            "multiply does not apply to a position (a scale has no natural zero); use = or +="
        )
    if raw.startswith("+") and op == "=":
        raise fail("'=+' is ambiguous; write += to add, or = to set a value")
    try:
        value = _parse(raw, what=f"a number after {op!r}")
    except NumberError as exc:
        raise fail(str(exc)) from None
    if op == "-=":
        value = -value
    when: int | None = None
    if rnd is not None:
        if not re.fullmatch(r"[0-9]{1,5}", rnd):
            raise fail(f"expected a round number (0 or more) after '@', got {excerpt(rnd)}")
        when = int(rnd)
    return Intervention(text, path, fld, _OPS[op], value, when)


def _shown(value: float) -> str:
    """A number as a setting writes it: ``10``, ``12.5``, ``0.036``."""
    return repr(float(value)).removesuffix(".0")


def setting(target: str, value: str | float) -> Intervention:
    """The intervention that sets ``target`` (``ACTOR.capability``, ``ACTOR.ISSUE.position``
    or ``ACTOR.ISSUE.salience``) to ``value`` from now on, its text ``TARGET=VALUE``: what a
    front end that edits one number at a time applies. ``value`` is a number or its text, a
    plain decimal (no ``@ROUND``: a setting is an edit, never a shock). A
    :class:`ScenarioError` says what was expected; whether the scenario has that number is
    checked when it is applied (:func:`intervene`) or looked up (:func:`target`)."""
    label = target.strip()
    text = f"{label}={value}"

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem("intervention", _cut(text), message)])

    bad = bad_character(text)
    if bad is not None:
        raise fail(f"the control character {bad[1]} is not allowed; remove it")

    path, fld = _parse_target(label, fail, TARGETS)
    number: float | None = None
    if isinstance(value, str):
        number = parse_number(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        number = float(value)
    if number is None:
        raw = str(value).strip()
        got = excerpt(raw) if raw else "nothing"
        raise fail(f"expected a number such as 42 or 12.5, got {got}")
    return Intervention(f"{label}={_shown(number)}", path, fld, "set", number)


@dataclass(frozen=True)
class Target:
    """One number of a scenario an intervention can name: its ``label`` as the grammar
    writes it (``russia.capability``, ``russia.karabakh-control.salience``), its ``field``
    (``capability``, ``position`` or ``salience``), whose it is (``actor``; ``issue`` for a
    stance's, else ``None``), its best estimate ``value`` and the ``range`` a simulation
    draws it from (``None`` for a point)."""

    label: str
    field: str
    actor: str
    issue: str | None
    value: float
    range: Range | None = None


def targets(scenario: Scenario) -> dict[str, Target]:
    """Every number of ``scenario`` an intervention can name, by label: each actor's
    capability, then each stance's position and salience, in the scenario's order. (Ids
    may hold dots: where two stances' labels coincide, the first one is listed.)"""
    out: dict[str, Target] = {}
    for a in scenario.actors:
        label = f"{a.id}.capability"
        out[label] = Target(label, "capability", a.id, None, a.capability, a.capability_range)
    for s in scenario.stances:
        for fld, value, rng in (
            ("position", s.position, s.position_range),
            ("salience", s.salience, s.salience_range),
            ("capability", s.capability, s.capability_range),
        ):
            if value is None:  # no capability of its own on this issue
                continue
            label = f"{s.actor}.{s.issue}.{fld}"
            out.setdefault(label, Target(label, fld, s.actor, s.issue, value, rng))
    return out


def target(scenario: Scenario, label: str) -> Target:
    """The number ``label`` names in ``scenario`` (see :func:`targets`); a
    :class:`ScenarioError` says what was expected: the grammar, or the actors and issues
    the scenario has."""
    label = label.strip()

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem("intervention", _cut(label), message)])

    path, fld = _parse_target(label, fail, TARGETS)
    actor, issue = Intervention(label, path, fld, "set", 0.0).resolve(scenario)
    key = f"{actor}.{issue}.{fld}" if issue else f"{actor}.{fld}"
    found = targets(scenario).get(key)
    if found is None:  # a capability on an issue where the actor's holds: the actor's
        a = scenario.actor(actor)
        return Target(key, fld, actor, issue, a.capability)
    return found


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
                "source": {"judgement": f"what-if intervention {iv.text}"},
            }
        )
    else:
        if iv.field == "capability" and issue is not None:  # its capability on one issue
            entry = next(s for s in data["stances"] if s["actor"] == actor and s["issue"] == issue)
            if "capability" not in entry:
                entry["capability"] = _point(next(a for a in data["actors"] if a["id"] == actor))
        elif iv.field == "capability":
            entry = next(a for a in data["actors"] if a["id"] == actor)
            for st in data["stances"]:  # its capability on every issue, as a shock would
                if st["actor"] == actor and "capability" in st:
                    st["capability"] = _edit(st["capability"], iv)
        else:
            entry = next(s for s in data["stances"] if s["actor"] == actor and s["issue"] == issue)
        entry[iv.field] = _edit(entry[iv.field], iv)
        note = f"changed by the what-if intervention {iv.text}"
        src = entry.setdefault("source", {})
        src["note"] = f"{src['note']}; {note}" if src.get("note") else note
    try:
        return Scenario.from_dict(data, origin=origin)
    except ScenarioError as exc:
        raise ScenarioError(
            [Problem("intervention", _cut(iv.text), p.message) for p in exc.problems]
        ) from None


def _point(actor: dict[str, Any]) -> Any:
    """An actor's capability (a number or a range) as a stance's own starts from it."""
    return copy.deepcopy(actor["capability"])


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
