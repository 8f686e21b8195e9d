"""What an extractor finds in an article: actors, issues and stances, each tied to the
sentences that show it. Frozen value objects; :func:`grounding` checks every quote.

An extractor (:mod:`.rules`, :mod:`.llm`) turns an :class:`~.article.Article` into
:class:`Findings`; :mod:`.compose` turns findings into a draft scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .article import Article

__all__ = [
    "KINDS",
    "POSITIONS",
    "SALIENCES",
    "ActorFinding",
    "Extractor",
    "Findings",
    "IssueFinding",
    "Mention",
    "StanceFinding",
    "grounding",
]

#: The kinds of actor.
KINDS = ("state", "leader", "organisation", "armed-group", "de-facto-state", "other")
#: Position buckets, relative to an issue's low end (min) and high end (max).
POSITIONS = ("min", "leans-min", "middle", "leans-max", "max", "unknown")
#: Salience buckets: high = a priority for the actor, medium = stated plainly, low = in
#: passing, unknown = no signal.
SALIENCES = ("low", "medium", "high", "unknown")


@dataclass(frozen=True)
class Mention:
    """Where an actor is named: ``text`` is ``article.text[start:end]``, in sentence
    ``sentence`` (its number)."""

    sentence: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ActorFinding:
    """An actor: a canonical id, its kind, and where the article names it.

    ``state`` is the COW code of the state it belongs to (a leader's state as of the
    article's date; a group's parent state), ``None`` where none applies; ``speaks_for`` is
    the id of the actor a leader speaks for (a state, an organisation or a group)."""

    id: str
    name: str
    kind: str
    mentions: tuple[Mention, ...]
    state: str | None = None
    speaks_for: str | None = None
    office: str | None = None
    note: str = ""


@dataclass(frozen=True)
class IssueFinding:
    """An issue: its question, what each end of its 0-100 scale means, the template that
    found it and the sentences that show it."""

    id: str
    question: str
    low_end: str
    high_end: str
    evidence: tuple[int, ...]
    template: str = ""


@dataclass(frozen=True)
class StanceFinding:
    """An actor's stance on an issue: a position bucket, a salience bucket, the sentence
    that shows it and a verbatim quote cut from that sentence."""

    actor: str
    issue: str
    position: str
    salience: str
    evidence: int
    quote: str
    cue: str = ""


@dataclass(frozen=True)
class Findings:
    """Everything an extractor found in one article, and how it was found."""

    article: Article
    actors: tuple[ActorFinding, ...]
    issues: tuple[IssueFinding, ...]
    stances: tuple[StanceFinding, ...]
    extractor: str
    settings: Mapping[str, object] = field(default_factory=dict)

    def actor(self, actor_id: str) -> ActorFinding:
        return next(a for a in self.actors if a.id == actor_id)


class Extractor(Protocol):
    """Anything that turns an article into findings (``rules``, ``llm``)."""

    @property
    def name(self) -> str: ...

    def extract(self, article: Article) -> Findings: ...


def grounding(findings: Findings) -> tuple[int, list[str]]:
    """(quotes checked, failures): every stance quote must be a verbatim substring of the
    sentence it cites, every mention must be the article's text at its offsets, and every
    cited sentence must exist."""
    art = findings.article
    checked = 0
    failures: list[str] = []
    n = len(art.sentences)
    for a in findings.actors:
        for m in a.mentions:
            checked += 1
            if art.text[m.start : m.end] != m.text or not 1 <= m.sentence <= n:
                failures.append(f"actor {a.id}: mention {m.text!r} is not at {m.start}")
    for i in findings.issues:
        for e in i.evidence:
            checked += 1
            if not 1 <= e <= n:
                failures.append(f"issue {i.id}: no sentence {e}")
    for s in findings.stances:
        checked += 1
        if not 1 <= s.evidence <= n or s.quote not in art.sentences[s.evidence - 1].text:
            failures.append(f"stance {s.actor}/{s.issue}: quote not in sentence {s.evidence}")
    return checked, failures
