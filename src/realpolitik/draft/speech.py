"""Reported speech: who says what a sentence says, in the forms news writing uses.

* **A tag at the end**: "The deal is unacceptable, the foreign minister said." (also
  "..., X told reporters.", "..., X added on Tuesday.", "..., said X.", "..., according
  to X."): what comes before the tag's comma is X's.
* **A lead-in**: "X said (that) ...", "According to X, ...": what follows is X's.
* **A joint statement**: a title that reads as one ("Joint Statement of A, B and C",
  "Communiqué of ...") or a sentence that introduces one ("In a joint statement, A, B and C
  said ...", "A and B said in a communiqué ..."): its issuers are every party it names,
  and "we", "our" and "the signatories" in it (in the rest of its paragraph, or in the
  whole text for a title) are theirs.

This module only finds the spans (offsets into a sentence's text); which actor each span
names is the gazetteer's business (:mod:`.rules`). Every pattern here is matched at one
place or over a bounded window (no search that retries a long pattern at each comma of a
long sentence), so the cost is linear in the text's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Voice",
    "collective",
    "issued_by",
    "joint_intro",
    "joint_title",
    "lists",
    "saying_that",
    "subjectless",
    "title_issuers_end",
    "voice",
]

#: verbs of saying (a general list), in the past and present
_SAY = (
    r"(?:said|says|told|tells|added|adds|stated|states|declared|declares|warned|warns|"
    r"insisted|insists|stressed|stresses|noted|notes|explained|explains|argued|argues|"
    r"maintained|maintains|emphasi[sz]ed|emphasi[sz]es|underlined|underlines|asserted|"
    r"asserts|affirmed|affirms|wrote|writes|tweeted|announced|announces|"
    r"reiterated|reiterates|observed|commented|remarked|replied|responded|cautioned)"
)
_SAY_WORD = re.compile(rf"\b{_SAY}\b")
#: what may follow a tag's verb up to the end: "reporters", "on Tuesday", "in a statement"
_AFTER_TAG = re.compile(r"[^,;:!?]{0,60}?[\s.!?\"”’']*$")
_ACCORDING = re.compile(r"\b[Aa]ccording to\b")
#: the longest tag looked for at the end of a sentence (characters)
_TAG_WINDOW = 160


@dataclass(frozen=True)
class Voice:
    """Who speaks in a sentence: ``who`` (the span naming the speaker) and ``said`` (the
    span of what is reported), both relative offsets into the sentence's text."""

    who: tuple[int, int]
    said: tuple[int, int]


def voice(text: str) -> Voice | None:
    """The speaker and the reported words of a sentence's ``text``, or ``None`` (see the
    module's docstring for the forms read)."""
    return _tag(text) or _lead(text)


def _tag(text: str) -> Voice | None:
    """A tag at the end: "..., X said.", "..., said X.", "..., according to X."."""
    lo = max(0, len(text) - _TAG_WINDOW)
    end = len(text.rstrip(" .!?\"”’'"))
    for acc in _ACCORDING.finditer(text, lo):
        comma = text.rfind(",", lo, acc.start())
        if comma < 0 or text[comma + 1 : acc.start()].strip():
            continue
        if any(c in text[acc.end() : end] for c in ",;:"):
            continue
        return Voice((acc.end(), end), (0, comma))
    for m in _SAY_WORD.finditer(text, lo):
        comma = text.rfind(",", lo, m.start())
        if comma < 0:
            continue
        if text[comma + 1 : m.start()].strip():
            # "..., X said (on Monday)."
            if _AFTER_TAG.match(text, m.end()) and _no_verb(text, comma, m.start()):
                return Voice((comma + 1, m.start()), (0, comma))
            continue
        if not text[m.end() : end].strip():
            # "..., the minister, Jane Doe, said."
            before = text.rfind(",", lo, comma)
            if before >= 0 and _no_verb(text, before, comma):
                return Voice((before + 1, comma), (0, before))
            continue
        # "..., said X (, a minister)."
        if end - m.end() <= 100 and not any(c in text[m.end() : end] for c in ";:"):
            return Voice((m.end(), end), (0, comma))
    return None


#: words that make a stretch a clause of its own, not a speaker's name and title
_CLAUSE_WORD = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|must|should|can|could|which|that|"
    r"not|if|when)\b"
)


def _no_verb(text: str, a: int, b: int) -> bool:
    """Whether ``text[a:b]`` reads as a name and its title (no verb of its own; short)."""
    return b - a <= 100 and _CLAUSE_WORD.search(text, a, b) is None


#: "X said (that) ...": the verb within the first words of the sentence
_LEAD_WINDOW = 120
_LEAD = re.compile(rf"\b{_SAY}\b(?! by\b)(?: (?:on \w+|in a \w+|to reporters))?(?:,? that\b|:|,)?")


def _lead(text: str) -> Voice | None:
    """A lead-in: "X said (that) ...", "According to X, ..."."""
    acc = _ACCORDING.match(text)
    if acc is not None:
        comma = text.find(",", acc.end(), _LEAD_WINDOW)
        if comma > 0:
            return Voice((acc.end(), comma), (comma + 1, len(text)))
    m = _LEAD.search(text, 0, _LEAD_WINDOW)
    if m is None or m.start() == 0 or not _no_verb(text, 0, m.start()):
        return None
    if text[: m.start()].rstrip().endswith(","):
        return None  # "We reject it, said X, ...": a tag, not a lead-in
    return Voice((0, m.start()), (m.end(), len(text)))


#: a title that reads as a statement of several parties
_JOINT_TITLE = re.compile(
    r"\b(?:[Jj]oint (?:[Ss]tatement|[Dd]eclaration|[Cc]ommuniqu[eé]|[Rr]eadout)|"
    r"[Cc]ommuniqu[eé]|[Dd]eclaration of|[Dd]eclaration by)\b"
)
#: a sentence that introduces one ("In a joint statement, ...", "issued a joint
#: declaration", "the joint communiqué of ...")
_JOINT_INTRO = re.compile(
    r"\b(?:[Ii]n (?:a|their) joint|(?:issued|released|signed|adopted|agreed on) (?:a|the) "
    r"joint|said in a joint) (?:statement|declaration|communiqu[eé])\b|\b[Jj]oint "
    r"(?:statement|declaration|communiqu[eé]) (?:by|of|from)\b"
)
#: in a joint statement, the words that name its issuers
_COLLECTIVE = re.compile(
    r"\b(?:[Ww]e|[Oo]ur|us|[Tt]he (?:signatories|participants|undersigned)|"
    r"[Tt]he (?:joint )?(?:statement|communiqu[eé]|declaration))\b"
)


#: where the issuers of a title end: "Joint Statement of A and B on the war in C"
_TITLE_TOPIC = re.compile(r"\s(?:on|for|about|regarding|concerning|following|after|at|in)\s")
#: what may stand between two parties of a list: "A, B and the C"
_LIST_SEP = re.compile(r"(?:,|,? and|,? &)\s+(?:the\s+)?")
#: what introduces the issuers in a text's opening: "agreed by ...", "Envoys from ..."
_ISSUED = re.compile(r"\b(?:of|from|by)\s+(?:the\s+)?$")
#: where a clause of a communiqué's point may start with its verb: the sentence's start,
#: or after ";" (and an "and")
_POINT = re.compile(r";\s*(?:and\s+)?")


def title_issuers_end(title: str) -> int:
    """Where the part of a joint statement's title that names its issuers ends (before
    its topic: "... on Ukraine")."""
    m = _JOINT_TITLE.search(title)
    start = m.end() if m else 0
    topic = _TITLE_TOPIC.search(title, start)
    return topic.start() if topic else len(title)


def lists(text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
    """The runs of ``spans`` (in order, not overlapping) that ``text`` lists ("A, B and
    the C"): lists of their indices, each of two or more."""
    runs: list[list[int]] = []
    run: list[int] = []
    for k, (a, _) in enumerate(spans):
        if run and _LIST_SEP.fullmatch(text, spans[run[-1]][1], a):
            run.append(k)
            continue
        if len(run) >= 2:
            runs.append(run)
        run = [k]
    if len(run) >= 2:
        runs.append(run)
    return runs


def issued_by(text: str, at: int) -> bool:
    """Whether the list that starts at ``at`` is introduced as the issuers ("of", "from" or
    "by" right before it)."""
    return _ISSUED.search(text, max(0, at - 12), at) is not None


@lru_cache(maxsize=64)
def subjectless(text: str) -> tuple[int, ...]:
    """Where the points of a communiqué may start with their verb and no subject
    ("Condemned the attack; called for talks"): the start, and after each ";"."""
    return (0, *(m.end() for m in _POINT.finditer(text)))


_SAYING_THAT = re.compile(rf"{_SAY}\s+that\b", re.IGNORECASE)


def saying_that(text: str, at: int) -> int | None:
    """Where the words said begin when ``text`` has a verb of saying and "that" at ``at``
    ("Emphasised that ..."), else ``None``."""
    m = _SAYING_THAT.match(text, at)
    return None if m is None else m.end()


def joint_title(title: str | None) -> bool:
    """Whether an article's title reads as a joint statement's."""
    return bool(title) and _JOINT_TITLE.search(title or "") is not None


def joint_intro(text: str) -> re.Match[str] | None:
    """Where a sentence's text introduces a joint statement (or ``None``)."""
    return _JOINT_INTRO.search(text)


def collective(text: str) -> list[tuple[int, int]]:
    """The spans of a sentence's text that name the issuers of a joint statement."""
    return [m.span() for m in _COLLECTIVE.finditer(text)]
