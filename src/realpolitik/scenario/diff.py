"""How two scenarios differ: field by field, and in the numbers the models read.

:func:`diff` compares two JSON values leaf by leaf, matching a scenario's lists by id
(actors, issues, sources) and stances by actor and issue, so that a path names what
changed (``stances[actor=russia, issue=karabakh-control].salience``). The run history
compares stored scenarios, parameters and summaries with it.

:func:`changed_targets` lists the numbers an intervention can name (capabilities,
positions, saliences: :func:`~realpolitik.scenario.interventions.targets`) whose value
or range differs between two variants of a scenario, as the dashboard's comparison
shows them.

Complexity: :func:`diff` is linear in the size of the two values (keyed lists through a
dictionary); :func:`changed_targets` is O(n + s) for n actors and s stances.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from ..errors import ScenarioError
from .interventions import Target, target, targets
from .objects import Scenario

__all__ = ["SCENARIO_KEYS", "Difference", "changed_targets", "diff"]

#: Lists of a scenario's dict whose elements are matched by these fields, not by index.
SCENARIO_KEYS: dict[str, tuple[str, ...]] = {
    "sources": ("id",),
    "actors": ("id",),
    "issues": ("id",),
    "stances": ("actor", "issue"),
}


class Difference(NamedTuple):
    """One field that differs: its path (e.g. ``stances[actor=a, issue=i].salience``),
    the value in the first document and in the second (``None`` where absent)."""

    path: str
    old: Any
    new: Any


def _key_label(fields: tuple[str, ...], element: Mapping[str, Any]) -> str:
    return ", ".join(f"{f}={element.get(f)}" for f in fields)


def _keyable(items: Any, fields: tuple[str, ...]) -> bool:
    if not isinstance(items, list) or not all(isinstance(x, Mapping) for x in items):
        return False
    keys = [tuple(x.get(f) for f in fields) for x in items]
    return len(set(keys)) == len(keys)


def diff(
    old: Any,
    new: Any,
    path: str = "",
    *,
    keyed: Mapping[str, tuple[str, ...]] | None = None,
) -> Iterator[Difference]:
    """The :class:`Difference` s between two JSON values, leaf by leaf.

    Mappings are compared key by key (a missing key reads ``None``). Lists named in
    ``keyed`` (by default :data:`SCENARIO_KEYS`: a scenario's ``actors``, ``issues``,
    ``sources`` by ``id`` and ``stances`` by ``(actor, issue)``) are matched by those
    fields, not by position, so a path reads
    ``stances[actor=russia, issue=karabakh-control].salience``; an element only one side
    has is one difference with ``None`` on the other; a change of order alone is reported
    at ``NAME[order]``. Other lists of equal length are compared item by item, else as a
    whole. ``keyed={}`` compares every list by position (parameters, summaries).
    """
    keys = SCENARIO_KEYS if keyed is None else keyed
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for k in [*old, *(k for k in new if k not in old)]:
            sub = f"{path}.{k}" if path else str(k)
            a, b = old.get(k), new.get(k)
            fields = keys.get(str(k))
            if fields and _keyable(a, fields) and _keyable(b, fields):
                yield from _diff_keyed(sub, a, b, fields, keys)
            else:
                yield from diff(a, b, sub, keyed=keys)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from diff(a, b, f"{path}[{i}]", keyed=keys)
    elif isinstance(old, bool) != isinstance(new, bool) or old != new:
        yield Difference(path, old, new)


def _diff_keyed(
    path: str,
    old: Any,
    new: Any,
    fields: tuple[str, ...],
    keys: Mapping[str, tuple[str, ...]],
) -> Iterator[Difference]:
    def key(x: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(x.get(f) for f in fields)

    a_by = {key(x): x for x in old}
    b_by = {key(x): x for x in new}
    common_a = [key(x) for x in old if key(x) in b_by]
    common_b = [key(x) for x in new if key(x) in a_by]
    for x in old:
        label = f"{path}[{_key_label(fields, x)}]"
        other = b_by.get(key(x))
        if other is None:
            yield Difference(label, dict(x), None)
        else:
            yield from diff(x, other, label, keyed=keys)
    for x in new:
        if key(x) not in a_by:
            yield Difference(f"{path}[{_key_label(fields, x)}]", None, dict(x))
    if common_a != common_b:
        labels = (
            [", ".join(str(v) for v in k) for k in common_a],
            [", ".join(str(v) for v in k) for k in common_b],
        )
        yield Difference(f"{path}[order]", labels[0], labels[1])


def changed_targets(a: Scenario, b: Scenario) -> tuple[tuple[Target, Target], ...]:
    """The numbers both ``a`` and ``b`` hold whose value or range differs, as ``(in a,
    in b)`` pairs in ``b``'s order (capabilities, then stances). A number only one of them
    holds (an actor or a stance added or removed) is not listed: :func:`diff` of their
    ``to_dict()`` says that; a capability on one issue that only ``b`` gives is compared
    with the actor's in ``a``."""
    before = targets(a)
    out = []
    for label, new in targets(b).items():
        old = before.get(label)
        if old is None and new.field == "capability" and new.issue is not None:
            try:  # a capability on one issue where ``a`` had the actor's
                old = target(a, label)
            except ScenarioError:
                old = None
        if old is not None and (old.value != new.value or old.range != new.range):
            out.append((old, new))
    return tuple(out)
