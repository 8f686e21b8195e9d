"""How large a scenario the dashboard takes, checked before any real work.

Reading, validating, forecasting and drawing a scenario cost time that grows with its
actors (every chart labels each one; the expected-utility model weighs every pair) and
with its actors x issues (every stance). An uploaded file is measured first, at a cost
linear in its bytes and with nothing built: :func:`shape` counts the entries of its
``actors`` and ``issues`` lists from the YAML parser's event stream (libyaml's, where
PyYAML has it), stopping as soon as a count passes its bound; a CSV table (one issue)
counts its lines. :func:`too_large` says what is over its bound, or ``None``. A workbook
(XLSX) has no text to count: :func:`scenario_too_large` measures it once read, before
anything is computed from it.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..scenario import Scenario

__all__ = ["MAX_ACTORS", "MAX_CELLS", "scenario_too_large", "shape", "too_large"]

#: Actors an uploaded scenario may have (its three charts take about 1.5 s at 100, on
#: one core of the machine that made them; KTAB's and DEU III's cases have fewer than 50).
MAX_ACTORS = 100
#: Actors x issues an uploaded scenario may have.
MAX_CELLS = 2_000

_ITEM_START = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _events(text: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.parse(text, Loader=loader)


def shape(text: str, name: str, *, stop_at: int | None = None) -> tuple[int, int]:
    """``(actors, issues)``: the entries of the top-level ``actors`` and ``issues`` lists
    of a YAML scenario, or ``(rows, 1)`` of a CSV table (``name`` ending in ``.csv``).
    Counting stops once either passes ``stop_at``. A file that does not parse is counted
    as far as it parses: the reader reports its problems afterwards."""
    if name.lower().endswith(".csv"):
        rows = sum(1 for line in text.splitlines() if line.strip()) - 1
        return max(rows, 0), 1
    counts = {"actors": 0, "issues": 0}
    depth = 0  # containers open
    key: str | None = None  # the top-level key whose value comes next
    expect_key = True  # in the top-level mapping, the next scalar is a key
    counting: str | None = None  # the top-level list being counted
    try:
        for event in _events(text):
            if isinstance(event, _END):
                depth -= 1
                if depth == 1:
                    counting = None
                    expect_key = True
                continue
            if depth == 2 and counting is not None and isinstance(event, _ITEM_START):
                counts[counting] += 1
                if stop_at is not None and counts[counting] > stop_at:
                    break
            if depth == 1:  # inside the top-level mapping
                if expect_key:
                    key = event.value if isinstance(event, yaml.ScalarEvent) else None
                    expect_key = isinstance(event, _START)  # a complex key: skip it
                else:
                    if isinstance(event, yaml.SequenceStartEvent) and key in counts:
                        counting = key
                    expect_key = not isinstance(event, _START)
            if isinstance(event, _START):
                depth += 1
    except yaml.YAMLError:
        pass
    return counts["actors"], counts["issues"]


def too_large(
    text: str, name: str, *, max_actors: int = MAX_ACTORS, max_cells: int = MAX_CELLS
) -> str | None:
    """What makes the scenario ``text`` too large for the dashboard, or ``None``."""
    actors, issues = shape(text, name, stop_at=max(max_actors, max_cells))
    return _verdict(actors, issues, name, max_actors, max_cells)


def scenario_too_large(
    scenario: Scenario, name: str, *, max_actors: int = MAX_ACTORS, max_cells: int = MAX_CELLS
) -> str | None:
    """:func:`too_large` of a scenario already read (a workbook, which has no text to
    count): before it is forecast or drawn."""
    return _verdict(len(scenario.actors), len(scenario.issues), name, max_actors, max_cells)


def _verdict(actors: int, issues: int, name: str, max_actors: int, max_cells: int) -> str | None:
    if actors > max_actors:
        return (
            f"{name} has more than {max_actors:,} actors, the most the dashboard takes; "
            "use the command line for larger scenarios"
        )
    if actors * issues > max_cells:
        return (
            f"{name} has {actors:,} actors x {issues:,} issues = {actors * issues:,}, more "
            f"than the {max_cells:,} the dashboard takes; use the command line for larger "
            "scenarios"
        )
    return None
