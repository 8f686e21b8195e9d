"""The gazetteer: the names of states, leaders, organisations, groups and territories, and
where an article mentions them.

The data (``gazetteer.json``, built by ``scripts/build_gazetteer.py``; its ``about`` says
how each part was obtained) holds states with their Correlates of War codes, names,
demonyms, capitals and metonyms; heads of state and government with the dates of each term;
international organisations; de facto states and armed groups with their parent state; and
disputed territories with their holders and claimants.

Matching is case-sensitive and on word boundaries, longest name first. Three rules keep
names that are not actors out:

* a demonym names its state only before an institution ("the *Ethiopian government*",
  "*Russian* troops"): "Russian speakers" is not Russia;
* a capital names its state (a metonym: "*Moscow* warned") except where it is a place
  ("talks in Moscow": after "in", "to", "from", "at", "near", ...) or part of a name
  ("the Minsk agreements", "the Washington Post");
* a leader's name resolves to the state (or organisation or group) of the term in office
  on the article's date, else of the latest term before it, else of the first one: a
  former leader still belongs to the state he led.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "Entry",
    "Gazetteer",
    "Hit",
    "gazetteer",
    "slug",
]

_INSTITUTIONS = (
    r"(?:[Gg]overnment|[Ff]orces|[Aa]rmy|[Mm]ilitary|[Tt]roops|[Ss]oldiers|[Pp]resident|"
    r"[Pp]rime [Mm]inister|[Ff]oreign [Mm]inist(?:er|ry)|[Dd]efen[cs]e [Mm]inist(?:er|ry)|"
    r"[Mm]inist(?:er|ry)|[Oo]fficials?|[Aa]uthorities|[Ll]eaders(?:hip)?|[Ll]eader|"
    r"[Rr]egime|[Pp]arliament|[Ss]ide|[Dd]elegation|[Dd]iplomats?|[Aa]dministration|"
    r"[Nn]avy|[Aa]ir [Ff]orce|[Pp]eacekeepers|[Bb]order [Gg]uards?|[Ee]mbassy|"
    r"[Cc]abinet|[Ee]nvoys?|[Nn]egotiators|[Ss]ecurity [Ss]ervices?|[Ss]tate [Mm]edia|"
    r"[Cc]hancellor|[Kk]ing|[Ee]mir|[Cc]rown [Pp]rince|[Dd]efen[cs]e [Ff]orces)"
)
#: the words before a capital that make it a place, not its government
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|to|from|at|near|via|into|outside|around|across|of|visited|visit|visiting|"
    r"toward|towards|between)\s+)$"
)
#: the words after a capital that make it part of a name
_NAME_AFTER = re.compile(
    r"^\s*(?:[A-Z][\w'’-]*|agreements?|accords?|protocols?|format|process|group|declaration|"
    r"summit|conference|treaty|memorandum|airport|mayor|university|talks|ceasefire|"
    r"-(?:based|led))"
)


def slug(text: str) -> str:
    """An id from a name: lower case, letters and digits joined by ``-``."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


@dataclass(frozen=True)
class Entry:
    """One thing the gazetteer names: a state, a leader (one person, all terms), an
    organisation, a de facto state, an armed group or a territory."""

    id: str
    kind: str  # state | leader | organisation | de-facto-state | armed-group | territory
    name: str
    cow: str | None = None  # a state's COW code
    parents: tuple[str, ...] = ()  # a group's or territory's states (gazetteer state keys)
    terms: tuple[dict[str, Any], ...] = ()  # a leader's terms in office
    de_facto_from: dt.date | None = None


@dataclass(frozen=True)
class Hit:
    """A mention found in a text: ``entry`` named at ``text[start:end]``, by ``how``
    (name, alias, demonym, capital, metonym, surname)."""

    entry: Entry
    start: int
    end: int
    text: str
    how: str


class Gazetteer:
    """The names, indexed for matching; :func:`gazetteer` gives the shipped one."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.about: str = data.get("about", "")
        self.states: dict[str, Entry] = {}
        self.entries: dict[str, Entry] = {}
        names: dict[str, list[tuple[Entry, str]]] = {}
        demonyms: dict[str, Entry] = {}
        capitals: dict[str, Entry] = {}

        def add(text: str, entry: Entry, how: str) -> None:
            names.setdefault(text, []).append((entry, how))

        for s in data["states"]:
            e = Entry(slug(s["name"]), "state", s["name"], cow=s["cow"])
            self.states[s["id"]] = e
            self.entries[e.id] = e
            add(s["name"], e, "name")
            if not s["name"].startswith("the "):
                add("the " + s["name"], e, "name")
            for a in s["aliases"]:
                add(a, e, "alias")
            for m in s["metonyms"]:
                add(m, e, "metonym")
            for d in s["demonyms"]:
                demonyms.setdefault(d, e)
            if s["capital"]:
                capitals.setdefault(s["capital"], e)
        for o in data["others"]:
            since = o.get("de_facto_from")
            e = Entry(
                o["id"],
                o["kind"],
                o["name"],
                parents=tuple(o["parents"]),
                de_facto_from=dt.date.fromisoformat(since) if since else None,
            )
            self.entries[e.id] = e
            add(o["name"], e, "name")
            for a in o["aliases"]:
                add(a, e, "alias")
        people: dict[str, list[dict[str, Any]]] = {}
        for t in data["leaders"]:
            people.setdefault(t["name"], []).append(t)
        for person, terms in people.items():
            e = Entry(slug(person), "leader", person, terms=tuple(terms))
            self.entries.setdefault(e.id, e)
            add(person, e, "name")
            for a in sorted({a for t in terms for a in t["aliases"]}):
                add(a, e, "surname" if " " not in a else "alias")
        self._names = names
        self._demonyms = demonyms
        self._capitals = capitals
        alts = sorted(names, key=len, reverse=True)
        self._name_re = re.compile(
            r"(?<![\w’'-])("
            + "|".join(map(re.escape, alts))
            + r")(?!\w)(?!-(?!led\b|backed\b|brokered\b)[a-z])"
        )
        dems = sorted(demonyms, key=len, reverse=True)
        self._demonym_re = re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, dems)) + r")"
            r"((?: [A-Z][\w’'-]+){0,3} " + _INSTITUTIONS + r")\b"
        )
        caps = sorted(capitals, key=len, reverse=True)
        self._capital_re = re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, caps)) + r")(?![\w-])"
        )

    # ------------------------------------------------------------------ lookups

    def state_key(self, entry: Entry) -> str | None:
        """The gazetteer key (COW code, else ISO code) of a state entry."""
        return next((k for k, e in self.states.items() if e is entry), None)

    def affiliation(self, leader: Entry, on: dt.date | None) -> tuple[Entry, dict[str, Any]]:
        """The state, organisation or group a leader belongs to on ``on``, and the term that
        says so: the term in office that day, else the latest before it, else the first."""
        terms = sorted(leader.terms, key=lambda t: t["start"] or "")
        chosen = terms[0]
        if on is not None:
            day = on.isoformat()
            current = [t for t in terms if t["start"] <= day and (t["end"] or "9999") >= day]
            past = [t for t in terms if t["start"] <= day]
            chosen = current[0] if current else (past[-1] if past else terms[0])
        else:
            chosen = terms[-1]
        of = chosen["of"]
        return (self.states[of] if of in self.states else self.entries[of]), chosen

    def in_office(self, leader: Entry, on: dt.date | None) -> bool:
        if on is None:
            return False
        day = on.isoformat()
        return any(t["start"] <= day and (t["end"] or "9999") >= day for t in leader.terms)

    def kind_on(self, entry: Entry, on: dt.date | None) -> str:
        """The entry's kind on a date (an armed group that became a de facto state)."""
        if entry.de_facto_from is not None and on is not None and on >= entry.de_facto_from:
            return "de-facto-state"
        return entry.kind

    def is_demonym(self, word: str) -> bool:
        """Whether ``word`` is a state's demonym ("Ethiopian")."""
        return word in self._demonyms

    def entry(self, key: str) -> Entry:
        return self.states.get(key) or self.entries[key]

    # ------------------------------------------------------------------ matching

    def find(self, text: str, on: dt.date | None = None) -> list[Hit]:
        """Every mention in ``text``, left to right, none overlapping (longest first)."""
        hits: list[Hit] = []
        for m in self._name_re.finditer(text):
            candidates = self._names[m.group(1)]
            entry, how = self._choose(candidates, on)
            if entry is None:
                continue
            hits.append(Hit(entry, m.start(1), m.end(1), m.group(1), how))
        for m in self._demonym_re.finditer(text):
            e = self._demonyms[m.group(1)]
            hits.append(Hit(e, m.start(), m.end(), m.group(0), "demonym"))
        for m in self._capital_re.finditer(text):
            if _PLACE_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
                continue
            if _NAME_AFTER.match(text[m.end() : m.end() + 20]):
                continue
            if m.start() == 0 and text[m.end() : m.end() + 1] == ",":
                continue  # a dateline: "Brussels, 27 February"
            hits.append(Hit(self._capitals[m.group(1)], m.start(), m.end(), m.group(1), "capital"))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[Hit] = []
        for h in hits:
            if out and h.start < out[-1].end:
                continue
            out.append(h)
        return out

    def _choose(
        self, candidates: list[tuple[Entry, str]], on: dt.date | None
    ) -> tuple[Entry | None, str]:
        if len(candidates) == 1:
            return candidates[0]
        # the same name for several: a state or organisation first, then the leader in
        # office on the date, then the one in office most recently before it
        for e, how in candidates:
            if e.kind != "leader":
                return e, how
        current = [(e, h) for e, h in candidates if self.in_office(e, on)]
        if len(current) == 1:
            return current[0]
        day = on.isoformat() if on else "9999"

        def last_start(e: Entry) -> str:
            starts = [t["start"] for t in e.terms if t["start"] <= day]
            return max(starts) if starts else ""

        ranked = sorted(candidates, key=lambda c: last_start(c[0]), reverse=True)
        return ranked[0]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())


@cache
def gazetteer() -> Gazetteer:
    """The shipped gazetteer (``realpolitik/draft/gazetteer.json``), read once."""
    raw = resources.files("realpolitik.draft").joinpath("gazetteer.json").read_text("utf-8")
    return Gazetteer(json.loads(raw))
