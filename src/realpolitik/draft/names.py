"""Names the gazetteer does not hold: people and political parties an article introduces
by their role ("the opposition politician Jane Doe", "Jane Doe, a Ruritanian lawmaker",
"the leader of the Green party, Jane Doe,", "the centrist Forward party").

The gazetteer lists states, heads of state and government, organisations and armed
groups; a news story's actors are often people and parties beside them. A name is taken
only where the text says what it is: a role word (a general list: politician, minister,
mayor, spokesman, activist ...) right before a person's name or in an apposition with it,
or the word "party" right after a capitalised name. The person is then also found by
surname alone ("Doe said ..."), the party by its name alone. Nothing is guessed from
capital letters elsewhere, so a name the text does not introduce stays unknown.
"""

from __future__ import annotations

import re
from collections import Counter

from .article import Article
from .gazetteer import Entry, Gazetteer, Hit, slug

__all__ = ["MAX_NAMES", "ROLES", "introduced"]

#: The most people and parties taken from one article (those named most often): a news
#: story has a handful; a list of thousands is not a cast of actors, and would make a
#: draft too large to read or to validate.
MAX_NAMES = 24
#: the names read before choosing (the first introduced): their mentions are looked for
#: with one pattern of all of them, whose cost grows with their number
_CANDIDATES = 10 * MAX_NAMES

#: the roles that introduce a person (lower case: "Foreign Minister X" is a title, and
#: the heads the gazetteer holds are found by their names)
ROLES = (
    "politician",
    "lawmaker",
    "legislator",
    "MP",
    "member of parliament",
    "senator",
    "congressman",
    "congresswoman",
    "minister",
    "deputy",
    "mayor",
    "governor",
    "leader",
    "chairman",
    "chairwoman",
    "chair",
    "head",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ambassador",
    "envoy",
    "diplomat",
    "commander",
    "general",
    "activist",
    "dissident",
    "candidate",
    "negotiator",
    "adviser",
    "advisor",
)
_ROLE = "(?:" + "|".join(sorted(map(re.escape, ROLES), key=len, reverse=True)) + ")"
#: a capitalised word of a name ("O'Brien", "Jean-Pierre"; not the possessive "Doe's")
_WORD = r"[A-Z][a-z]+(?:[’'-](?!s\b)[A-Za-z]+)?"
_PERSON = rf"((?:{_WORD} ){{1,2}}{_WORD})"
_PATTERNS = (
    # "boxer and politician Jane Doe"
    re.compile(rf"\b{_ROLE} {_PERSON}\b(?![’'-](?!s\b))"),
    # "Jane Doe, a Ruritanian politician", "Jane Doe, the party's leader"
    re.compile(rf"\b{_PERSON}, (?:a|an|the) (?:[\w’'-]+ ){{0,4}}?{_ROLE}s?\b"),
    # "the leader of the Green party, Jane Doe,"
    re.compile(rf"\b{_ROLE} of (?:the )?[^,;:]{{1,60}}, {_PERSON},"),
)
#: "the centrist Forward party": one to three capitalised words before "party"
_PARTY = re.compile(r"(?<![\w’'-])((?:[A-Z][\w-]+ ){0,2}[A-Z][\w-]+) [Pp]arty\b")
_NOT_NAMES = frozenset(
    """The A An This That These Those Its Their His Her Our My Mr Mrs Ms Dr Sir Madam
    President Prime Minister Secretary General Senator Governor Mayor Chairman Ambassador
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Yesterday Tomorrow
    Last Next Earlier Later Week Weeks Month Months Year Years Day Days Morning Evening
    Night In On At For With After Before Since During Despite Speaking Asked Meanwhile
    However Separately Special Representative Deputy Vice Chief Foreign""".split()
)
#: words that make "X party" a party to something, not a political party ("a State party
#: to the treaty", "third parties")
_NOT_PARTIES = frozenset("State States Third Contracting Interested Injured Working".split())


def _known(gaz: Gazetteer, name: str) -> bool:
    """Whether the gazetteer names (part of) ``name``, or a word of it is not a name."""
    return bool(gaz.find(name)) or any(w in _NOT_NAMES or gaz.is_demonym(w) for w in name.split())


def introduced(article: Article, gaz: Gazetteer) -> dict[int, list[Hit]]:
    """The people and parties ``article`` introduces that the gazetteer does not hold,
    and every later mention of them: sentence number -> hits (offsets into the article's
    text), each an :class:`~.gazetteer.Entry` of kind ``other``."""
    found: dict[str, tuple[Entry, tuple[str, ...]]] = {}  # id -> entry, names to match
    for s in article.sentences:
        for rx in _PATTERNS:
            for m in rx.finditer(s.text):
                name = m.group(1)
                if _known(gaz, name):
                    continue
                surname = name.split()[-1]
                e = Entry(_id(name), "other", name)
                names: tuple[str, ...] = (name, surname) if len(surname) >= 4 else (name,)
                if e.id in found or len(found) < _CANDIDATES:
                    found.setdefault(e.id, (e, names))
        for m in _PARTY.finditer(s.text):
            words = m.group(1).split()
            while words and words[0] in _NOT_NAMES:  # "The Forward party": Forward
                words.pop(0)
            name = " ".join(words)
            if not name or _known(gaz, name) or set(words) & _NOT_PARTIES:
                continue
            e = Entry(_id(name + " party"), "other", name + " party")
            if e.id in found or len(found) < _CANDIDATES:
                found.setdefault(e.id, (e, (name,)))
    if not found:
        return {}
    # a name two of them share ("Doe" for Jane and John Doe) is neither's
    owners: dict[str, set[str]] = {}
    for e, names in found.values():
        for n in names:
            owners.setdefault(n, set()).add(e.id)
    by_name = {
        n: e
        for e, names in found.values()
        for n in names
        if len(owners[n]) == 1 or n in (e.name, e.name.removesuffix(" party"))
    }
    rx = re.compile(
        r"(?<![\w’'-])(" + "|".join(map(re.escape, sorted(by_name, key=len, reverse=True))) + r")"
        r"(?![\w-])"
    )
    out: dict[int, list[Hit]] = {}
    for s in article.sentences:
        for m in rx.finditer(s.text):
            e = by_name[m.group(1)]
            how = "name" if m.group(1) == e.name or m.group(1) + " party" == e.name else "surname"
            hit = Hit(e, s.start + m.start(1), s.start + m.end(1), m.group(1), how)
            out.setdefault(s.index, []).append(hit)
    # the MAX_NAMES named most often (the first introduced first among equals)
    times = Counter(h.entry.id for hs in out.values() for h in hs)
    order = {eid: k for k, eid in enumerate(found)}
    kept = set(sorted(times, key=lambda eid: (-times[eid], order[eid]))[:MAX_NAMES])
    kept_out = {idx: [h for h in hs if h.entry.id in kept] for idx, hs in out.items()}
    return {idx: hs for idx, hs in kept_out.items() if hs}


def _id(name: str) -> str:
    """The actor id of ``name``: its slug, cut to the 64 characters an id may have."""
    return slug(name)[:64].rstrip("-")
