"""From plain data (parsed YAML, JSON, a CSV's rows) to a validated :class:`Scenario`.

Every problem in the input is collected, located (file, line where known, field)
and raised together in one :class:`~realpolitik.errors.ScenarioError`. Each list
item is checked on its own so that one bad actor does not hide a bad stance.

The top level of a document (unknown fields, the scalars of its head, each list and each
entry of it) is checked by :func:`~.document.validate_document` into a
:class:`~.document.Collector` (:mod:`.document`, shared with the game reader), or, where its
shape is right, by :func:`~.shape.document` without pydantic; the checks that need the whole
file (duplicate ids, references, positions on their issue's scale, the date rule, shocks,
outcomes, the question, a template's blanks) are here.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .document import (
    Collector,
    Lines,
    check_source,
    field_name,
    finite,
    known,
    list_entries,
    validate_document,
)
from .numbers import exact, excerpt
from .objects import (
    Actor,
    Issue,
    Locus,
    Outcome,
    Question,
    Range,
    Scenario,
    Shock,
    Source,
    SourceEntry,
    Stance,
)
from .shape import OPTIONAL_LISTS, document

if TYPE_CHECKING:  # (the models are imported where a document needs them)
    from .schema import (
        ActorSpec,
        IssueSpec,
        OutcomeSpec,
        ScenarioHead,
        ShockSpec,
        SourceEntrySpec,
        SourceSpec,
        StanceSpec,
    )

__all__ = ["FILL", "build_scenario"]


def _source(s: SourceSpec) -> Source:
    return Source(**s.model_dump())


def _is_range(v: Any) -> bool:
    """A point-or-range value checked by the models or :mod:`.shape` is a range."""
    return not isinstance(v, (int, float))


def _point(v: Any) -> float:
    return float(v.value) if _is_range(v) else float(v)


def _range(v: Any) -> Range | None:
    if not _is_range(v):
        return None
    return Range(float(v.low), float(v.high), float(v.value), v.distribution, v.note)


def _raw_numbers(v: Any) -> list[tuple[tuple[str, ...], float]]:
    """The finite numbers of a raw point-or-range value, with their sub-path."""
    if isinstance(v, Mapping):
        return [((k,), float(v[k])) for k in ("value", "low", "high") if finite(v.get(k))]
    return [((), float(v))] if finite(v) else []


def build_scenario(
    data: Any, *, file: str, lines: Lines, problems: Sequence[Problem] = ()
) -> Scenario:
    """Validate ``data`` (the YAML form as plain Python) into a :class:`Scenario`;
    ``problems`` already found by the reader are reported with the rest."""
    c = Collector(file, lines, problems=problems)
    # a document of the right shape is read without the models (pydantic's import and
    # their build are a tenth of a second); the models check every other, and word its
    # problems (reader's problems too: they name fields the models would find at fault)
    spec: Any  # the head and the parts: the models', or the same values as Parsed
    items: Mapping[str, list[tuple[int, Any]]]
    fast = None if problems else document(data)
    if fast is not None:
        spec, items = fast
    else:
        from .schema import LISTS, ScenarioHead

        spec, items = validate_document(
            data, head=ScenarioHead, lists=LISTS, optional=OPTIONAL_LISTS, collector=c
        )

    sources: list[tuple[int, SourceEntrySpec]] = items["sources"]  # type: ignore[assignment]
    actors: list[tuple[int, ActorSpec]] = items["actors"]  # type: ignore[assignment]
    issues: list[tuple[int, IssueSpec]] = items["issues"]  # type: ignore[assignment]
    stances: list[tuple[int, StanceSpec]] = items["stances"]  # type: ignore[assignment]
    shocks: list[tuple[int, ShockSpec]] = items["shocks"]  # type: ignore[assignment]
    outcomes: list[tuple[int, OutcomeSpec]] = items["outcomes"]  # type: ignore[assignment]

    # duplicate ids, on the raw entries so that a broken entry still counts
    raw_ids: dict[str, list[tuple[int, Any]]] = {}
    for key in ("sources", "actors", "issues"):
        raw_ids[key] = []
        seen: dict[Any, int] = {}
        for k, entry in list_entries(data, key):
            eid = entry.get("id") if isinstance(entry, Mapping) else None
            if not isinstance(eid, str):
                continue
            raw_ids[key].append((k, eid))
            if eid in seen:
                c.add((key, k, "id"), f"duplicate id {eid!r}; first used at {key}[{seen[eid]}]")
            else:
                seen[eid] = k

    source_ids = {eid for _, eid in raw_ids["sources"]}

    for key, field in (
        ("actors", "source"),
        ("issues", "status_quo_source"),
        ("stances", "source"),
        ("shocks", "source"),
        ("outcomes", "source"),
    ):
        for k, entry in list_entries(data, key):
            if isinstance(entry, Mapping):
                check_source(c, (key, k, field), entry.get(field), source_ids)
    for k, entry in list_entries(data, "issues"):  # a locus's source
        locus = entry.get("locus") if isinstance(entry, Mapping) else None
        if isinstance(locus, Mapping):
            check_source(c, ("issues", k, "locus", "source"), locus.get("source"), source_ids)
    if (
        actors
        and all(_point(a.capability) == 0 for _, a in actors)
        and not any(s.capability is not None and _point(s.capability) > 0 for _, s in stances)
    ):
        c.add(("actors",), "every capability is zero; expected at least one positive capability")

    issue_by_id: dict[str, IssueSpec] = {}
    for k, i in issues:
        issue_by_id.setdefault(i.id, i)
        if not i.scale.min < i.scale.max:
            c.add(
                ("issues", k, "scale"),
                f"the minimum ({exact(i.scale.min)}) must be below the maximum "
                f"({exact(i.scale.max)})",
            )
        elif not math.isfinite(i.scale.max - i.scale.min):
            c.add(("issues", k, "scale"), "too wide: its span overflows; expected a narrower scale")
        elif i.status_quo is not None:
            sq: Any = i.status_quo
            raw = sq.model_dump() if _is_range(sq) else sq
            for sub, value in _raw_numbers(raw):
                if not i.scale.min <= value <= i.scale.max:
                    c.add(
                        ("issues", k, "status_quo", *sub),
                        f"{exact(value)} is off the scale; expected {exact(i.scale.min)} to "
                        f"{exact(i.scale.max)}",
                    )
        if i.status_quo is not None and i.status_quo_source is None:
            c.add(("issues", k, "status_quo_source"), "missing; a status quo needs its source")
        if i.status_quo is None and i.status_quo_source is not None:
            c.add(
                ("issues", k, "status_quo_source"),
                "a source for a status quo that is not given; add `status_quo` or remove this",
            )

    actor_ids = {eid for _, eid in raw_ids["actors"]}
    issue_ids = {eid for _, eid in raw_ids["issues"]}
    seen_pairs: dict[tuple[Any, Any], int] = {}
    with_stance: set[Any] = set()
    for k, st in list_entries(data, "stances"):
        if not isinstance(st, Mapping):
            continue
        actor, issue, pos = st.get("actor"), st.get("issue"), st.get("position")
        # an id that is no text (a list, a mapping, a number) has its own problem
        actor = actor if isinstance(actor, str) else None
        issue = issue if isinstance(issue, str) else None
        with_stance.add(issue)
        if actor is not None and actor not in actor_ids:
            c.add(
                ("stances", k, "actor"),
                f"unknown actor {excerpt(actor)}; expected an id of `actors`",
            )
        if issue is not None and issue not in issue_ids:
            c.add(
                ("stances", k, "issue"),
                f"unknown issue {excerpt(issue)}; expected an id of `issues`",
            )
        elif issue is not None and issue in issue_by_id:
            i = issue_by_id[issue]
            for sub, value in _raw_numbers(pos):
                if i.scale.min < i.scale.max and not i.scale.min <= value <= i.scale.max:
                    c.add(
                        ("stances", k, "position", *sub),
                        f"{exact(value)} is off the scale of {issue!r}; "
                        f"expected {exact(i.scale.min)} to {exact(i.scale.max)}",
                    )
        if actor is not None and issue is not None:
            pair = (actor, issue)
            if pair in seen_pairs:
                c.add(
                    ("stances", k),
                    f"a second stance of {actor!r} on {issue!r}; "
                    f"the first is stances[{seen_pairs[pair]}]",
                )
            else:
                seen_pairs[pair] = k

    if isinstance(data.get("stances"), list) and data["stances"]:
        for k, eid in raw_ids["issues"]:
            if eid not in with_stance:
                c.add(("issues", k), f"no actor has a stance on {eid!r}; expected at least one")

    _check_dates(c, data, spec, dict(sources))
    _check_shocks(c, shocks, actors, issue_by_id, stances, actor_ids, issue_ids)
    _check_outcomes(c, data, issue_by_id, issue_ids)
    _check_question(c, data, actor_ids, issue_by_id, stances, source_ids)
    _check_blanks(c, data)

    c.check()
    assert spec is not None
    return Scenario(
        id=spec.id,
        name=spec.name,
        date=spec.date,
        description=spec.description.strip(),
        sources=tuple(SourceEntry(**e.model_dump()) for _, e in sources),
        actors=tuple(
            Actor(
                a.id,
                a.name,
                _point(a.capability),
                _source(a.source),
                a.description,
                _range(a.capability),
            )
            for _, a in actors
        ),
        issues=tuple(
            Issue(
                id=i.id,
                question=i.question,
                scale_min=float(i.scale.min),
                scale_max=float(i.scale.max),
                min_label=i.scale.min_label,
                max_label=i.scale.max_label,
                status_quo=None if i.status_quo is None else _point(i.status_quo),
                status_quo_source=None
                if i.status_quo_source is None
                else _source(i.status_quo_source),
                status_quo_range=None if i.status_quo is None else _range(i.status_quo),
                locus=None
                if i.locus is None
                else Locus(i.locus.name, i.locus.lat, i.locus.lon, _source(i.locus.source)),
            )
            for _, i in issues
        ),
        stances=tuple(
            Stance(
                s.actor,
                s.issue,
                _point(s.position),
                _point(s.salience),
                _source(s.source),
                _range(s.position),
                _range(s.salience),
                None if s.capability is None else _point(s.capability),
                None if s.capability is None else _range(s.capability),
            )
            for _, s in stances
        ),
        origin=file,
        shocks=tuple(
            Shock(
                round=h.round,
                actor=h.actor,
                field=h.field,
                op=h.op,
                value=_point(h.value),
                source=_source(h.source),
                issue=h.issue,
                id=h.id,
                description=h.description,
                value_range=_range(h.value),
            )
            for _, h in shocks
        ),
        outcomes=tuple(
            Outcome(
                issue=o.issue,
                value=float(o.value),
                source=_source(o.source),
                date=o.date,
                note=o.note,
            )
            for _, o in outcomes
        ),
        question=None
        if spec.question is None
        else Question(
            text=spec.question.text,
            contestants=tuple(spec.question.contestants),
            source=None if spec.question.source is None else _source(spec.question.source),
        ),
        retrospective=None if spec.retrospective is None else spec.retrospective.reason,
    )


#: what a template (``realpolitik new``) holds where the analyst is to write
FILL = "<fill in>"


def _check_blanks(c: Collector, data: Any) -> None:
    """Each blank of a template left unfilled is one problem, "still to fill in", in place
    of what else its field would say (not a number, an unknown source...)."""
    blanks: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, Mapping):
            stack.extend((v, (*path, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, k)) for k, v in enumerate(node))
        elif isinstance(node, str) and node.strip() == FILL:
            blanks.append(path)
    if not blanks:
        return
    names = [field_name(p) for p in blanks]
    c.problems = [
        p
        for p in c.problems
        if not any(p.field == n or p.field.startswith((n + ".", n + "[")) for n in names)
    ]
    for path in sorted(blanks, key=lambda p: [str(x).zfill(8) for x in p]):
        c.add(path, "still to fill in (a blank of the template)")


#: the parts of a scenario whose sources must be known on its date (outcomes are not: they
#: are what became of it)
_DATED_PARTS = (
    ("actors", "source"),
    ("issues", "status_quo_source"),
    ("stances", "source"),
    ("shocks", "source"),
)


def _check_dates(
    c: Collector,
    data: Mapping[str, Any],
    spec: ScenarioHead | None,
    entries: Mapping[int, SourceEntrySpec],
) -> None:
    """The date rule: a scenario uses only what was known on its ``date``. An entry of
    ``sources`` dated after it is a problem unless only outcomes cite it (an outcome is
    recorded later by nature) or the scenario is marked ``retrospective`` (the opt-out, with
    its reason, recorded in the scenario). ``entries`` are the valid entries of ``sources``
    by their index."""
    if spec is None or spec.date is None or spec.retrospective is not None:
        return
    cited: set[str] = set()
    by_outcomes: set[str] = set()
    for key, field in (*_DATED_PARTS, ("outcomes", "source")):
        for _, entry in list_entries(data, key):
            src = entry.get(field) if isinstance(entry, Mapping) else None
            ref = src.get("ref") if isinstance(src, Mapping) else None
            if isinstance(ref, str):
                (by_outcomes if key == "outcomes" else cited).add(ref)
    q = data.get("question")
    qsrc = q.get("source") if isinstance(q, Mapping) else None
    if isinstance(qsrc, Mapping) and isinstance(qsrc.get("ref"), str):
        cited.add(qsrc["ref"])
    _check_source_years(c, data, spec.date)
    for k, entry in list_entries(data, "sources"):
        if k not in entries:  # (its problems are reported)
            continue
        when = entries[k].date
        if when is None or when <= spec.date:
            continue
        if entry["id"] in by_outcomes and entry["id"] not in cited:
            continue
        c.add(
            ("sources", k, "date"),
            f"{when.isoformat()} is after the scenario's date, {spec.date.isoformat()}; "
            "a scenario uses only what was known on its date (cite an earlier source, or "
            "mark a retrospective study with `retrospective: {reason: ...}`)",
        )


def _check_source_years(c: Collector, data: Mapping[str, Any], date: _dt.date) -> None:
    """The date rule for a source written in place: a dataset's ``year`` after the
    scenario's year is data not known on its date (outcomes' sources excepted)."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    for key, field in _DATED_PARTS:
        for k, entry in list_entries(data, key):
            if isinstance(entry, Mapping):
                found.append(((key, k, field), entry.get(field)))
                locus = entry.get("locus") if key == "issues" else None
                if isinstance(locus, Mapping):
                    found.append(((key, k, "locus", "source"), locus.get("source")))
    q = data.get("question")
    if isinstance(q, Mapping):
        found.append((("question", "source"), q.get("source")))
    for path, src in found:
        year = src.get("year") if isinstance(src, Mapping) else None
        if isinstance(year, int) and not isinstance(year, bool) and year > date.year:
            c.add(
                (*path, "year"),
                f"{year} is after the scenario's date, {date.isoformat()}: its data were not "
                "known then (give an earlier year, or mark a retrospective study with "
                "`retrospective: {reason: ...}`)",
            )


def _check_question(
    c: Collector,
    data: Mapping[str, Any],
    actor_ids: set[Any],
    issue_by_id: Mapping[str, IssueSpec],
    stances: Sequence[tuple[int, StanceSpec]],
    source_ids: Collection[str],
) -> None:
    """The question's contestants are actors of the scenario, each named once, and each
    holds a stance on an issue with a status quo (else its gain cannot be measured)."""
    q = data.get("question")
    if not isinstance(q, Mapping):
        return
    check_source(c, ("question", "source"), q.get("source"), source_ids)
    named = q.get("contestants")
    if not isinstance(named, list):
        return
    seen: dict[Any, int] = {}
    gainable = {
        s.actor
        for _, s in stances
        if s.issue in issue_by_id and issue_by_id[s.issue].status_quo is not None
    }
    for k, actor in enumerate(named):
        if not isinstance(actor, str):
            continue
        if actor in seen:
            c.add(("question", "contestants", k), f"{actor!r} named twice (also at {seen[actor]})")
            continue
        seen[actor] = k
        if actor not in actor_ids:
            c.add(
                ("question", "contestants", k),
                f"unknown actor {actor!r}; expected an id of `actors`",
            )
        elif actor not in gainable:
            c.add(
                ("question", "contestants", k),
                f"{actor!r} holds no stance on an issue with a status quo, so what it gains "
                "cannot be measured; expected a contestant with such a stance",
            )


def _check_outcomes(
    c: Collector, data: Mapping[str, Any], issue_by_id: Mapping[str, IssueSpec], raw_ids: set[Any]
) -> None:
    """Each outcome names an issue of the scenario, once, with a value on its scale."""
    seen: dict[Any, int] = {}
    for k, entry in list_entries(data, "outcomes"):
        if not isinstance(entry, Mapping):
            continue
        issue, value = entry.get("issue"), entry.get("value")
        if isinstance(issue, str) and issue not in raw_ids:
            c.add(
                ("outcomes", k, "issue"),
                f"unknown issue {excerpt(issue)}; expected one of {known(raw_ids)}",
            )
        elif isinstance(issue, str) and issue in seen:
            c.add(
                ("outcomes", k, "issue"),
                f"a second outcome of {issue!r}; the first is outcomes[{seen[issue]}]",
            )
        if isinstance(issue, str):
            seen.setdefault(issue, k)
        i = issue_by_id.get(issue) if isinstance(issue, str) else None
        if i is not None and finite(value) and i.scale.min < i.scale.max:
            if not i.scale.min <= value <= i.scale.max:
                c.add(
                    ("outcomes", k, "value"),
                    f"{exact(value)} is off the scale of {issue!r}; "
                    f"expected {exact(i.scale.min)} to {exact(i.scale.max)}",
                )


def _interval(v: Any) -> tuple[float, float]:
    if _is_range(v):
        return v.low, v.high
    return float(v), float(v)


def _check_shocks(
    c: Collector,
    shocks: list[tuple[int, ShockSpec]],
    actors: list[tuple[int, ActorSpec]],
    issue_by_id: Mapping[str, IssueSpec],
    stances: list[tuple[int, StanceSpec]],
    raw_actor_ids: set[Any],
    raw_issue_ids: set[Any],
) -> None:
    """References of each shock, and the interval its target may take after the shocks
    before it (in order of round, then of listing): it must stay on its scale (positions),
    within 0-100 (salience), non-negative (capability)."""
    actor_by_id = {a.id: a for _, a in actors}
    stance_by_pair = {(s.actor, s.issue): s for _, s in stances}
    state: dict[tuple[str, str | None, str], tuple[float, float]] = {}
    ordered = sorted(shocks, key=lambda kv: (kv[1].round, kv[0]))
    for k, h in ordered:
        ok = h.actor in actor_by_id  # else its entry has problems of its own, or it is unknown
        if h.actor not in raw_actor_ids:
            c.add(("shocks", k, "actor"), f"unknown actor {h.actor!r}; expected an id of `actors`")
        if h.field == "capability" and h.issue is None:
            pass
        elif h.issue is None:
            c.add(("shocks", k, "issue"), f"missing; a {h.field} shock names its issue")
            ok = False
        elif h.issue not in issue_by_id:
            if h.issue not in raw_issue_ids:
                c.add(
                    ("shocks", k, "issue"), f"unknown issue {h.issue!r}; expected an id of `issues`"
                )
            ok = False
        elif ok and (h.actor, h.issue) not in stance_by_pair:
            c.add(
                ("shocks", k),
                f"{h.actor!r} has no stance on {h.issue!r}; a shock changes a stance, "
                "it cannot create one",
            )
            ok = False
        if h.field == "position" and h.op == "multiply":
            c.add(
                ("shocks", k, "op"),
                "multiply does not apply to a position (a scale has no natural zero); "
                "use set or add",
            )
            ok = False
        if h.op == "multiply" and min(_interval(h.value)) < 0:
            c.add(("shocks", k, "value"), "a factor must be 0 or more")
            ok = False
        if not ok:
            continue
        keys = [(h.actor, h.issue, h.field)]
        if h.field == "capability" and h.issue is None:
            # the actor's capability on every issue: each stance's own changes too
            keys += [
                (h.actor, issue, "capability")
                for (actor, issue), st in stance_by_pair.items()
                if actor == h.actor
                and (st.capability is not None or (actor, issue, "capability") in state)
            ]
        for key in keys:
            if key not in state:
                if h.field == "capability":
                    own = stance_by_pair.get((h.actor, key[1] or ""))
                    state[key] = (
                        _interval(own.capability)
                        if own is not None and own.capability is not None
                        else state.get(
                            (h.actor, None, "capability"),
                            _interval(actor_by_id[h.actor].capability),
                        )
                    )
                else:
                    st = stance_by_pair[(h.actor, h.issue)]  # type: ignore[index]
                    state[key] = _interval(st.position if h.field == "position" else st.salience)
            if not _shock_step(c, k, h, key, state, issue_by_id):
                break


def _shock_step(
    c: Any,
    k: int,
    h: Any,
    key: tuple[str, str | None, str],
    state: dict[tuple[str, str | None, str], tuple[float, float]],
    issue_by_id: Mapping[str, Any],
) -> bool:
    """Apply shock ``h`` (number ``k``) to the interval of ``key``; whether it stays within
    its bounds (else the problem is added)."""
    lo, hi = state[key]
    vlo, vhi = _interval(h.value)
    if h.op == "set":
        lo, hi = vlo, vhi
    elif h.op == "add":
        lo, hi = lo + vlo, hi + vhi
    else:
        lo, hi = lo * vlo, hi * vhi
    state[key] = (lo, hi)
    issue = key[1]
    if h.field == "capability":
        bounds, what = (0.0, math.inf), "a capability of 0 or more"
    elif h.field == "salience":
        bounds, what = (0.0, 100.0), "a salience of 0 to 100"
    else:
        i = issue_by_id[h.issue]
        bounds = (i.scale.min, i.scale.max)
        what = (
            f"a position on the scale of {h.issue!r}, {exact(i.scale.min)} to {exact(i.scale.max)}"
        )
    if not (math.isfinite(lo) and math.isfinite(hi)):
        c.add(
            ("shocks", k, "value"),
            f"leaves {h.actor}{'.' + issue if issue else ''}.{h.field} beyond the "
            f"largest number (the arithmetic overflows); expected {what}",
        )
        state[key] = bounds
        return False
    if lo < bounds[0] or hi > bounds[1]:
        got = exact(lo) if lo == hi else f"{exact(lo)} to {exact(hi)}"
        c.add(
            ("shocks", k, "value"),
            f"leaves {h.actor}{'.' + issue if issue else ''}.{h.field} at {got}; expected {what}",
        )
        return False
    return True
