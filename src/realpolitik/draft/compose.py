"""From findings to a draft scenario: YAML that ``realpolitik validate`` accepts, and that
says everywhere that it is a draft to confirm.

* **Actors**: the states, organisations, de facto states and armed groups that hold a
  stance; a leader's stances go to the actor the leader speaks for (the state he leads on
  the article's date), and the leader is named in that actor's description.
* **Numbers**: each bucket maps to a range (:data:`POSITION_RANGES`,
  :data:`SALIENCE_RANGES`); ``unknown`` is the whole scale, drawn uniformly, so that
  ``simulate`` and ``sensitivity`` show where the guesswork lies. Capabilities come from
  :func:`capability`: a state's Correlates of War CINC in the article's year
  (:mod:`realpolitik.scenario.capability`), ranged x0.5 to x2 because material capability
  is not influence on these issues; an organisation a wide judgement range around the
  draft's median state, any other non-state actor around a quarter of its weakest state.
* **Sources**: the article is the scenario's first source (title, date, licence, address);
  every stance cites it with a quote cut verbatim from its evidence sentence (at most 30
  words) and a note naming the sentence, the bucket and the cue; every note starts with
  ``DRAFT``.

:func:`compose` returns the YAML text and checks it with the scenario reader first: a draft
that would not validate is a bug, never a file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import yaml

from ..scenario.objects import Scenario
from .article import Article
from .findings import ActorFinding, Findings, StanceFinding

__all__ = [
    "ARTICLE_SOURCE",
    "POSITION_RANGES",
    "SALIENCE_RANGES",
    "Capability",
    "capability",
    "compose",
    "draft_dict",
]

#: The id of the article among the draft's sources.
ARTICLE_SOURCE = "article"

#: Position bucket -> (value, low, high) on the 0-100 scale; unknown is the whole scale.
POSITION_RANGES: dict[str, tuple[float, float, float]] = {
    "min": (5, 0, 15),
    "leans-min": (25, 10, 40),
    "middle": (50, 35, 65),
    "leans-max": (75, 60, 90),
    "max": (95, 85, 100),
    "unknown": (50, 0, 100),
}
#: Salience bucket -> (value, low, high) on 0-100; unknown is the whole scale.
SALIENCE_RANGES: dict[str, tuple[float, float, float]] = {
    "low": (20, 5, 35),
    "medium": (50, 30, 70),
    "high": (80, 60, 100),
    "unknown": (50, 0, 100),
}


@dataclass(frozen=True)
class Capability:
    """An actor's capability in a draft: a range and where it comes from."""

    value: float
    low: float
    high: float
    source: dict[str, Any]


#: Where a state's CINC comes from, among the draft's sources.
CINC_REF = "cow-nmc-6.0"
#: A typical state's CINC where the draft names no state with one (about the median of
#: the states of 2016).
TYPICAL_CINC = 0.001


def state_cinc(actor: ActorFinding, year: int | None) -> Any:
    """The :class:`~realpolitik.scenario.capability.Cinc` of a state actor in ``year`` (the
    latest year of the data when ``year`` is ``None`` or later), or ``None`` where there
    is none (not a state, no COW code, a year the table does not cover)."""
    from ..errors import RealpolitikError
    from ..scenario.capability import cinc, cinc_years

    if actor.kind != "state" or actor.state is None:
        return None
    try:
        code: str | int = actor.state
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        return cinc(code, year if year is not None else cinc_years()[1])
    except (RealpolitikError, ValueError):
        return None


def _sig(x: float) -> float:
    return float(f"{x:.3g}")


def capability(
    actor: ActorFinding,
    year: int | None,
    typical: float = TYPICAL_CINC,
    weakest: float | None = None,
) -> Capability:
    """The draft capability of ``actor`` in ``year``: a state's CINC (x0.5 to x2: material
    capability is not influence on the issues at hand); otherwise a wide judgement range,
    x0.1 to x10, around: ``typical`` (the lower median CINC of the draft's states) for an
    international organisation or a state without a CINC that year; a quarter of
    ``weakest`` (the smallest CINC among the draft's states; ``typical`` if none) for a de
    facto state, an armed group or another actor, which seldom outweigh the states they
    contend with."""
    found = state_cinc(actor, year)
    if found is not None:
        v = found.value
        carried = f" ({found.year} asked for; the data end in {found.data_year})"
        return Capability(
            _sig(v),
            _sig(v / 2),
            _sig(v * 2),
            {
                "ref": CINC_REF,
                "dataset": "COW NMC 6.0",
                "year": found.data_year,
                "note": f"DRAFT: CINC of {found.state} ({found.ccode}) in {found.data_year}"
                f"{carried if found.carried else ''}; the range x0.5 to x2 because material "
                "capability is not influence on these issues: to confirm",
            },
        )
    what = _a(actor.kind.replace("-", " "))
    if actor.kind == "state":
        what = f"a state without a CINC for {year}" if year else "a state without a CINC"
    if actor.kind in ("state", "organisation"):
        base, around = typical, "the median CINC of the draft's states"
    else:
        base = (weakest if weakest is not None else typical) / 4
        around = "a quarter of the weakest CINC among the draft's states"
    return Capability(
        _sig(base),
        _sig(base / 10),
        _sig(base * 10),
        {
            "judgement": f"DRAFT: the capability of {what} is the analyst's to judge; a "
            f"wide range (x0.1 to x10 of {around}) until then",
        },
    )


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _ranged(bucket: str, table: dict[str, tuple[float, float, float]], what: str) -> dict[str, Any]:
    value, low, high = table[bucket]
    out: dict[str, Any] = {"value": value, "low": low, "high": high}
    if bucket == "unknown":
        out["distribution"] = "uniform"
        out["note"] = f"DRAFT: {what} unknown: the whole scale, to confirm"
    else:
        out["note"] = f"DRAFT: {what} bucket '{bucket}', to confirm"
    return out


def _speaker_map(findings: Findings) -> dict[str, str]:
    """actor id -> the scenario actor it counts as (a leader -> the actor he speaks for)."""
    out = {}
    for a in findings.actors:
        out[a.id] = a.speaks_for if a.kind == "leader" and a.speaks_for else a.id
    return out


def _stance_order(s: StanceFinding) -> tuple[int, int]:
    return (0 if s.cue != "structure" else 1, s.evidence)


def draft_dict(findings: Findings, scenario_id: str | None = None) -> dict[str, Any]:
    """The draft scenario as plain data (what :func:`compose` writes as YAML)."""
    art = findings.article
    to = _speaker_map(findings)
    by_id = {a.id: a for a in findings.actors}
    # stances, leaders folded into the actor they speak for (the actor's own stance first)
    merged: dict[tuple[str, str], tuple[StanceFinding, str]] = {}
    for s in sorted(findings.stances, key=lambda s: (by_id[s.actor].kind == "leader",)):
        target = to.get(s.actor, s.actor)
        key = (target, s.issue)
        if key not in merged:
            merged[key] = (s, s.actor)
    holders = list(dict.fromkeys(k[0] for k in merged))
    actors: list[dict[str, Any]] = []
    # the last complete year before the article (a year's CINC counts months after it)
    year = art.date.year - 1 if art.date else None
    found = {}
    for aid in holders:
        a = by_id.get(aid)
        leaders = [x for x in findings.actors if x.kind == "leader" and x.speaks_for == aid]
        if a is None:  # an actor named only through its leader
            a = _from_gazetteer(aid, leaders[0], art)
        found[aid] = (a, leaders)
    cincs = sorted(
        c.value for c in (state_cinc(a, year) for a, _ in found.values()) if c is not None
    )
    typical = cincs[(len(cincs) - 1) // 2] if cincs else TYPICAL_CINC  # the lower median
    weakest = cincs[0] if cincs else None
    for aid, (a, leaders) in found.items():
        cap = capability(a, year, typical, weakest)
        said = sorted({m.text for m in a.mentions})[:6]
        desc = f"DRAFT: {a.kind}"
        if a.state and a.kind != "state":
            desc += f" (state: COW {a.state})"
        elif a.state:
            desc += f" (COW {a.state})"
        if said:
            desc += "; named as " + ", ".join(repr(x) for x in said)
        for lead in leaders:
            desc += f"; speaks through {lead.name}, {lead.office}"
        actors.append(
            {
                "id": aid,
                "name": a.name,
                "description": desc,
                "capability": {
                    "value": cap.value,
                    "low": cap.low,
                    "high": cap.high,
                    "note": "DRAFT: a range to confirm",
                },
                "source": cap.source,
            }
        )
    issues: list[dict[str, Any]] = []
    for i in findings.issues:
        if not any(k[1] == i.id for k in merged):
            continue
        sents = ", ".join(f"s{e}" for e in i.evidence[:8])
        issues.append(
            {
                "id": i.id,
                "question": f"DRAFT: {i.question}",
                "scale": {"min": 0, "max": 100, "min_label": i.low_end, "max_label": i.high_end},
                "_evidence": sents,
                "_template": i.template,
            }
        )
    stances = []
    for (target, issue), (s, said_by) in merged.items():
        if not any(i["id"] == issue for i in issues):
            continue
        via = "" if said_by == target else f" (through {by_id[said_by].name})"
        cue = "its place in the issue" if s.cue == "structure" else f"the cue {s.cue!r}"
        stances.append(
            {
                "actor": target,
                "issue": issue,
                "position": _ranged(s.position, POSITION_RANGES, "position"),
                "salience": _ranged(s.salience, SALIENCE_RANGES, "salience"),
                "source": {
                    "ref": ARTICLE_SOURCE,
                    "quote": s.quote,
                    "note": f"DRAFT: sentence s{s.evidence}{via}; position '{s.position}' "
                    f"from {cue}, salience '{s.salience}'; to confirm",
                },
            }
        )
    for entry in issues:
        entry.pop("_template")
        entry["question"] += f" (evidence: {entry.pop('_evidence')})"
    source = _article_source(art, findings)
    title = art.title or art.name
    sources = [source]
    if any(a["source"].get("ref") == CINC_REF for a in actors):
        from ..scenario.capability import CINC_CITATION

        sources.append(
            {
                "id": CINC_REF,
                "title": "Correlates of War National Material Capabilities, v6.0",
                "citation": CINC_CITATION,
                "licence": "free for public and academic use with citation",
                "note": "shipped with realpolitik (CINC by state and year, 1990-2016)",
            }
        )
    return {
        "id": scenario_id or _scenario_id(art),
        "name": f"DRAFT: {title}"[:200],
        **({"date": art.date} if art.date else {}),
        "description": (
            f"DRAFT to confirm, drafted by `realpolitik draft` ({findings.extractor} "
            f"extractor) from the article {title!r}. Every actor, issue and number below is "
            "a proposal read off the text: check each against the article and other "
            "sources, judge each capability (a state's CINC measures material capability, not "
            "influence on these issues), narrow the ranges you can vouch for, and delete "
            "what does not belong."
        ),
        "sources": sources,
        "actors": actors,
        "issues": issues,
        "stances": stances,
    }


def _from_gazetteer(aid: str, leader: ActorFinding, art: Article) -> ActorFinding:
    from .gazetteer import gazetteer

    gaz = gazetteer()
    entry = gaz.entries.get(aid)
    if entry is None:
        return ActorFinding(aid, aid, "other", (), state=leader.state)
    kind = gaz.kind_on(entry, art.date)
    return ActorFinding(aid, entry.name, kind, (), state=entry.cow or leader.state)


def _scenario_id(art: Article) -> str:
    from .gazetteer import slug

    base = slug(art.title or art.name)[:48].strip("-")
    return f"draft-{base}" if base else "draft"


def _article_source(art: Article, findings: Findings) -> dict[str, Any]:
    digest = hashlib.sha256(art.text.encode("utf-8")).hexdigest()[:16]
    out: dict[str, Any] = {"id": ARTICLE_SOURCE, "title": art.title or art.name}
    if art.date:
        out["date"] = art.date
    if art.url:
        out["url"] = art.url
    if art.licence:
        out["licence"] = art.licence
    settings = "; ".join(f"{k}={v}" for k, v in findings.settings.items())
    out["note"] = (
        f"DRAFT source: the article the draft was read from ({len(art.sentences)} sentences, "
        f"normalised text sha256 {digest}); sentence numbers s1, s2, ... are those of "
        f"`realpolitik draft`. Extractor: {findings.extractor}"
        + (f" ({settings})" if settings else "")
        + "."
    )
    return out


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if any(c in value for c in ":#'\"") or value != value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

_HEADER = """\
# DRAFT scenario, drafted by `realpolitik draft` from an article: every actor, issue,
# position, salience and capability below is a proposal to CONFIRM, not a finding.
# - Positions and saliences are buckets read off one sentence each (quoted in `source`),
#   mapped to ranges; `unknown` spans the whole scale. A state's capability is its COW
#   CINC (x0.5 to x2); any other actor's a wide judgement range.
# - Check each against the article, fix or delete it, then drop the DRAFT marks.
# - Next: realpolitik validate FILE; realpolitik simulate FILE; realpolitik sensitivity FILE
"""


def compose(findings: Findings, scenario_id: str | None = None) -> tuple[str, Scenario]:
    """The draft scenario's YAML text, and the scenario it reads back as (validated)."""
    from ..scenario import parse_yaml

    data = draft_dict(findings, scenario_id)
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=4096,
        default_flow_style=False,
    )
    text = _HEADER + _unplaced(findings, data) + body
    return text, parse_yaml(text, f"draft of {findings.article.name}")


def _unplaced(findings: Findings, data: dict[str, Any]) -> str:
    """Header lines naming the actors the article names but the draft gives no stance
    (and so leaves out of ``actors``), most mentioned first: an analyst may add them."""
    placed = {a["id"] for a in data["actors"]}
    leaders = {a.id for a in findings.actors if a.kind == "leader" and a.speaks_for in placed}
    left = sorted(
        (a for a in findings.actors if a.id not in placed and a.id not in leaders),
        key=lambda a: (-len(a.mentions), a.name),
    )
    if not left:
        return ""
    named = [
        f"{a.name} ({a.kind.replace('-', ' ')}, s{a.mentions[0].sentence})"
        if a.mentions
        else f"{a.name} ({a.kind.replace('-', ' ')})"
        for a in left
    ]
    lines, line = [], "# - Also named, with no stance found (add them if they take part):"
    for item in named:
        piece = f" {item},"
        if len(line) + len(piece) > 92:
            lines.append(line)
            line = "#  "
        line += piece
    lines.append(line.rstrip(",") + ".")
    return "\n".join(lines) + "\n"
