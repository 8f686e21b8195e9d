"""A scenario to fill in (``realpolitik new``): every blank marked :data:`~.tables.FILL`.

:func:`template_data` is the plain data (the YAML form) of a scenario of the given actors
and issues (two actors and one issue, named for the example, if none are given), a stance
of every actor on every issue, every number and every text to be written marked
``"<fill in>"``; :func:`template_yaml` is the same as commented YAML. Either fails
validation, each blank named as "still to fill in", until every blank is filled (and the
stances of actors who take no part in an issue are deleted); the tables of the same
(:func:`~.tables.scenario_tables` with ``template=True``) are the spreadsheet form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ..errors import Problem, ScenarioError
from .validate import FILL

__all__ = ["FILL", "blanks", "template_data", "template_yaml"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SOURCE = "source-1"


def _ids(values: Sequence[str], what: str) -> list[str]:
    problems = []
    seen: set[str] = set()
    out = []
    for k, v in enumerate(values):
        v = v.strip()
        if not _ID.fullmatch(v):
            problems.append(
                Problem(
                    what,
                    f"[{k}]",
                    f"{v!r} is not an id; expected letters, digits, '-', '_' or '.', "
                    "starting with a letter or digit",
                )
            )
        elif v in seen:
            problems.append(Problem(what, f"[{k}]", f"{v!r} named twice; name each once"))
        seen.add(v)
        out.append(v)
    if problems:
        raise ScenarioError(problems)
    return out


def template_data(
    actors: Sequence[str] = (), issues: Sequence[str] = (), *, scenario_id: str = "my-scenario"
) -> dict[str, Any]:
    """The plain data of a scenario to fill in (see the module)."""
    (sid,) = _ids([scenario_id], "id")
    a_ids = _ids(actors, "actors") or ["actor-1", "actor-2"]
    i_ids = _ids(issues, "issues") or ["issue-1"]
    return {
        "id": sid,
        "name": FILL,
        "date": FILL,
        "description": FILL,
        "sources": [{"id": SOURCE, "title": FILL}],
        "actors": [
            {"id": a, "name": FILL, "capability": FILL, "source": {"ref": FILL}} for a in a_ids
        ],
        "issues": [
            {
                "id": i,
                "question": FILL,
                "scale": {"min": 0, "max": 100, "min_label": FILL, "max_label": FILL},
                "status_quo": FILL,
                "status_quo_source": {"ref": FILL},
            }
            for i in i_ids
        ],
        "stances": [
            {
                "actor": a,
                "issue": i,
                "position": FILL,
                "salience": FILL,
                "source": {"ref": FILL},
            }
            for i in i_ids
            for a in a_ids
        ],
    }


def blanks(data: Any) -> int:
    """How many blanks (:data:`FILL`) ``data`` holds."""
    if isinstance(data, dict):
        return sum(blanks(v) for v in data.values())
    if isinstance(data, list):
        return sum(blanks(v) for v in data)
    return int(data == FILL)


def _q(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)  # a JSON scalar is a YAML scalar


_HEAD = """\
# A realpolitik scenario to fill in. Replace every "<fill in>";
# `realpolitik validate FILE` lists the blanks left. Delete the stances
# of actors who take no part in an issue. Salience is 0-100; a position
# lies on its issue's scale; every number names its source (`ref`: an
# id of `sources`, with `quote`, `judgement` or `note` as needed).
# Any number may be a range: {value: 40, low: 30, high: 55}.
# The format: docs/reference/scenario-format.md
"""


def template_yaml(
    actors: Sequence[str] = (), issues: Sequence[str] = (), *, scenario_id: str = "my-scenario"
) -> str:
    """:func:`template_data` as commented YAML, lines within 80 columns."""
    d = template_data(actors, issues, scenario_id=scenario_id)
    out = [_HEAD]
    out.append(f"id: {_q(d['id'])}")
    out.append(f"name: {_q(FILL)}  # a short title")
    out.append("# the day described (YYYY-MM-DD); sources dated later are refused")
    out.append(f"date: {_q(FILL)}")
    out.append(f"description: {_q(FILL)}")
    out.append("# optional: the question asked and the actors it sets head to head")
    out.append('# question: {text: "...", contestants: [a, b]}')
    out.append("sources:  # the documents the numbers come from, cited by id")
    out.append(f"  - id: {SOURCE}")
    out.append(f"    title: {_q(FILL)}")
    out.append("    # author: ..., date: YYYY-MM-DD, url: ...")
    out.append("actors:")
    for k, a in enumerate(d["actors"]):
        out.append(f"  - id: {_q(a['id'])}")
        out.append(f"    name: {_q(FILL)}")
        note = "  # 0 or more; only ratios matter" if k == 0 else ""
        out.append(f"    capability: {_q(FILL)}{note}")
        out.append(f"    source: {{ref: {_q(FILL)}}}")
    out.append("issues:")
    for k, i in enumerate(d["issues"]):
        out.append(f"  - id: {_q(i['id'])}")
        out.append(f"    question: {_q(FILL)}")
        if k == 0:
            out.append("    # what each end of the scale means (0-100 here; any will do)")
        out.append("    scale:")
        out.append("      min: 0")
        out.append(f"      min_label: {_q(FILL)}")
        out.append("      max: 100")
        out.append(f"      max_label: {_q(FILL)}")
        note = "  # where things stand on the date" if k == 0 else ""
        out.append(f"    status_quo: {_q(FILL)}{note}")
        out.append(f"    status_quo_source: {{ref: {_q(FILL)}}}")
    out.append("stances:  # one per actor and issue")
    for k, s in enumerate(d["stances"]):
        out.append(f"  - actor: {_q(s['actor'])}")
        out.append(f"    issue: {_q(s['issue'])}")
        out.append(f"    position: {_q(FILL)}" + ("  # on the issue's scale" if k == 0 else ""))
        out.append(f"    salience: {_q(FILL)}" + ("  # 0-100" if k == 0 else ""))
        if k == 0:
            out.append("    # capability: 12  # optional: its influence on this issue")
        out.append(f"    source: {{ref: {_q(FILL)}}}")
    return "\n".join(out) + "\n"
