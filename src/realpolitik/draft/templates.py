"""The issue templates of the rules extractor: what fires each one, and how it finds its
subject (the issue's id, question and ends) in a sentence.

Each template is a cue (a regular expression over the sentence) and a function from the
sentence, the gazetteer's hits in it (offsets into the article) and the cue's match to a
:class:`Subject`, or ``None`` when the sentence names nothing the template can take as its
subject. Every issue runs 0-100 and its high end is the thing the question asks about
happening (sanctions imposed, the corridor open, the troops staying), so that a stance cue
of support always points to the high end. The claimants of a territory and the target of
sanctions or of force sit at their ends by the issue's structure (``low``, ``high``); the
parties an issue names (``parties``) take part with a position to confirm.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .article import Article, Sentence
from .gazetteer import Entry, Gazetteer, Hit, slug

__all__ = ["PARTIES", "TEMPLATES", "Context", "Subject", "Template"]


@dataclass(frozen=True)
class Subject:
    """What an issue of a template is about: a key (the issue's id) and the words of its
    question and ends; ``low``/``high`` name the actors at each end by structure
    (claimants of a territory, the target of sanctions)."""

    key: str
    question: str
    low_end: str
    high_end: str
    low: tuple[str, ...] = ()
    high: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()  # named by the issue; position unknown unless cued


@dataclass(frozen=True)
class Template:
    """An issue template: the cue that fires it and how it finds its subject."""

    name: str
    cue: re.Pattern[str]
    subject: Callable[[Sentence, list[Hit], re.Match[str], Context], Subject | None]


class Context:
    """What the templates need to know of the article: the gazetteer, the date, the ids."""

    def __init__(self, gaz: Gazetteer, article: Article) -> None:
        self.gaz = gaz
        self.article = article
        self.speaker_id: str | None = None
        self.focus: Entry | None = None
        self._treaty: tuple[str] | None = None

    def actor_id(self, entry: Entry) -> str:
        """The actor an entry stands for in stances: a leader's state (or group)."""
        if entry.kind == "leader":
            of, _ = self.gaz.affiliation(entry, self.article.date)
            return of.id
        return entry.id

    def main_treaty(self) -> str | None:
        """The agreement the article names most often (its name as the treaty template
        gives it), or ``None``: what "the deal" or "these commitments" refer to."""
        if self._treaty is None:
            counts: dict[str, int] = {}
            for s in self.article.sentences:
                for named in _TREATY.finditer(s.text):
                    name = _treaty_name(named)
                    if name:
                        counts[name] = counts.get(name, 0) + 1
            self._treaty = (max(counts, key=lambda k: counts[k]),) if counts else ("",)
        return self._treaty[0] or None

    def state_name(self, key: str) -> str:
        return self.gaz.entry(key).name


def _key(kind: str, name: str) -> str:
    """An issue's id: ``kind`` and a name's slug, cut to the 64 characters an id may have
    (a name read off the text can be as long as a word of it)."""
    return (kind + name)[:64].rstrip("-")


def _the(name: str) -> str:
    plural = name.endswith(("s", "Union", "Nations", "Republic", "Kingdom", "Emirates"))
    lead = name.split()[0]
    article = (" " in name and lead[:1].isupper() and lead not in ("Nagorno-Karabakh",)) and (
        plural or name.startswith(("United", "European", "Democratic", "Central", "Czech"))
    )
    return f"the {name}" if article and not name.startswith("the ") else name


def _after(hits: list[Hit], pos: int, kinds: Sequence[str]) -> list[Hit]:
    return [h for h in hits if h.start >= pos and h.entry.kind in kinds]


PARTIES = ("state", "de-facto-state", "armed-group", "leader")


def _territory(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    places = [h for h in hits if h.entry.kind in ("territory", "de-facto-state")]
    if not places:
        return None
    e = places[0].entry
    if e.kind == "de-facto-state":
        held = cx.state_name(e.parents[0]) if e.parents else "its parent state"
        return Subject(
            f"control-{e.id}",
            f"Who controls {_the(e.name)}: {_the(held)}, or the authorities of {_the(e.name)}?",
            f"{_the(held)} controls all of it",
            f"{_the(e.name)} independent of {_the(held)}",
            low=tuple(cx.gaz.entry(p).id for p in e.parents[:1]),
            high=(e.id,),
        )
    names = [_the(cx.state_name(p)) for p in e.parents]
    if len(names) >= 2:
        return Subject(
            f"control-{e.id}",
            f"Who controls {_the(e.name)}: {names[0]} or {names[1]}?",
            f"{names[0]} controls all of {_the(e.name)}",
            f"{names[1]} controls {_the(e.name)}",
            low=(cx.gaz.entry(e.parents[0]).id,),
            high=(cx.gaz.entry(e.parents[1]).id,),
        )
    owner = names[0] if names else "the state"
    return Subject(
        f"control-{e.id}",
        f"Does {owner} keep full control of {_the(e.name)}?",
        f"{owner} in full control of {_the(e.name)}",
        f"{_the(e.name)} out of {owner}'s control",
        low=tuple(cx.gaz.entry(p).id for p in e.parents[:1]),
    )


def _recognition(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    things = [h for h in hits if h.entry.kind in ("de-facto-state", "territory")]
    things = things or _after(hits, s.start + m.end(), ("state",))
    if not things:
        return None
    e = things[0].entry
    return Subject(
        f"recognition-{e.id}",
        f"Is {_the(e.name)} recognised as independent?",
        f"no one recognises {_the(e.name)}",
        f"{_the(e.name)} widely recognised",
        low=tuple(cx.gaz.entry(p).id for p in e.parents[:1]),
        high=(e.id,) if e.kind != "territory" else (),
    )


_BLOCS = ("organisation",)


def _membership(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    orgs = [h for h in hits if h.entry.kind in _BLOCS and h.entry.id not in _NOT_BLOCS]
    states = [h for h in hits if h.entry.kind == "state"]
    joining = not re.match(r"alli|bloc|orbit|satell|an ally|its ally|new ally", m.group(0))
    if orgs and states and joining:
        o = orgs[0].entry
        st = min(states, key=lambda h: abs(h.start - s.start - m.start())).entry
        return Subject(
            f"membership-{st.id}-{o.id}",
            f"Does {_the(st.name)} join {_the(o.name)} (or align with it)?",
            f"{_the(st.name)} stays out of {_the(o.name)}",
            f"{_the(st.name)} a member of {_the(o.name)}",
            parties=(st.id,),
        )
    distinct = [e for e in _pair(hits, cx, ("state", "leader")) if e.kind == "state"]
    if len(distinct) >= 2:
        a, b = sorted(distinct[:2], key=lambda e: e.id)
        return Subject(
            f"alignment-{a.id}-{b.id}",
            f"Do {_the(a.name)} and {_the(b.name)} become allies?",
            f"{_the(a.name)} and {_the(b.name)} apart",
            f"{_the(a.name)} and {_the(b.name)} allied",
            parties=(a.id, b.id),
        )
    return None


_NOT_BLOCS = {
    "un-security-council",
    "un-general-assembly",
    "imf",
    "world-bank",
    "icc",
    "icj",
    "icrc",
    "iaea",
    "g7",
    "g20",
}


def _pair(hits: list[Hit], cx: Context, kinds: Sequence[str]) -> list[Entry]:
    found: list[Entry] = []
    for h in hits:
        if h.entry.kind not in kinds:
            continue
        e = cx.gaz.entry(cx.actor_id(h.entry)) if h.entry.kind == "leader" else h.entry
        if e not in found:
            found.append(e)
    return found


def _normalisation(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    between = re.search(r"\b(?:between|with)\b", s.text[m.start() :])
    if between is not None:
        at = s.start + m.start() + between.start()
        later = _pair([h for h in hits if h.start >= at], cx, PARTIES)
        earlier = _pair([h for h in hits if h.start < s.start + m.start()], cx, PARTIES)
        if between.group(0) == "between" and len(later) >= 2:
            hits = [h for h in hits if h.start >= at]
        elif between.group(0) == "with" and later and earlier:
            a, b = (
                sorted({earlier[-1], later[0]}, key=lambda e: e.id)
                if earlier[-1] != later[0]
                else (later[0], later[0])
            )
            if a != b:
                return _normalised(a, b)
    found = _pair(hits, cx, ("state", "de-facto-state", "armed-group", "leader"))
    if len(found) >= 2:
        a, b = sorted(found[:2], key=lambda e: e.id)
        return _normalised(a, b)
    if len(found) == 1:
        a = found[0]
        return Subject(
            f"normalisation-{a.id}",
            f"Are relations with {_the(a.name)} normalised?",
            f"{_the(a.name)} kept at arm's length",
            f"full, normal relations with {_the(a.name)}",
        )
    return None


def _normalised(a: Entry, b: Entry) -> Subject:
    return Subject(
        f"normalisation-{a.id}-{b.id}",
        f"Do {_the(a.name)} and {_the(b.name)} normalise their relations?",
        "no relations; hostility",
        "full, normal relations",
        parties=(a.id, b.id),
    )


#: (a name starts at the start of a word: from inside one, a long word is read again at
#: each of its letters, in quadratic time)
_CORRIDOR_NAME = re.compile(
    r"(?<![\w’'-])((?:[A-Z][\w’'-]+ ){1,2})[Cc]orridor|(humanitarian) corridors?"
)


def _corridor(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    named = _CORRIDOR_NAME.search(s.text)
    places = [h for h in hits if h.entry.kind == "territory"]
    if named and (named.group(1) or named.group(2)):
        name = (named.group(1) or named.group(2)).strip()
    elif places:
        name = places[0].entry.name
    else:
        name = ""
    label = f"the {name} corridor" if name else "the corridor"
    parties = [cx.gaz.entry(p).id for h in places for p in h.entry.parents]
    return Subject(
        _key("corridor-", slug(name) if name else "route"),
        f"Is {label} opened, on whose terms?",
        f"no {name + ' ' if name else ''}corridor",
        f"{label} open",
        parties=tuple(dict.fromkeys(parties)),
    )


def _place(hits: list[Hit], s: Sentence, cx: Context) -> Entry | None:
    """The place a sentence's troops, ceasefire or aid are in: a territory, else a state
    named after a preposition of place."""
    for h in hits:
        if h.entry.kind == "territory":
            return h.entry
    for h in hits:
        if h.entry.kind == "state":
            before = s.text[max(0, h.start - s.start - 12) : h.start - s.start]
            if re.search(r"\b(?:in|into|from|on|along|around|near|across|inside|of)\s+$", before):
                return h.entry
    return None


def _troops(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    place = _place(hits, s, cx) or cx.focus
    if place is None:
        return None
    name = _the(place.name)
    host = (
        (cx.gaz.entry(place.parents[0]).id,) if place.kind == "territory" and place.parents else ()
    )
    if place.kind == "state":
        host = (place.id,)
    return Subject(
        f"troops-{place.id}",
        f"Do foreign troops stay in (or deploy to) {name}?",
        f"all foreign troops leave {name}",
        f"foreign troops stay in {name} in force",
        parties=host,
    )


def _sanctions(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    after = _after(hits, s.start + m.start(), PARTIES)
    on = [h for h in after if re.search(r"\b(?:on|against)\s+(?:the\s+)?$", _before(s, h))]
    target = [h for h in on if cx.actor_id(h.entry) != cx.speaker_id][:1]
    if not target:
        return Subject(
            "sanctions",
            "Are sanctions imposed on those the article names?",
            "no sanctions",
            "sweeping sanctions imposed",
        )
    e = cx.gaz.entry(cx.actor_id(target[0].entry))
    return Subject(
        f"sanctions-{e.id}",
        f"Are sanctions imposed on {_the(e.name)}?",
        f"no sanctions on {_the(e.name)}",
        f"sweeping sanctions on {_the(e.name)}",
        low=(e.id,),
    )


def _before(s: Sentence, h: Hit) -> str:
    return s.text[max(0, h.start - s.start - 16) : h.start - s.start]


_TREATY = re.compile(  # (a name starts at the start of a word, as _CORRIDOR_NAME's)
    r"(?<![\w’'-])((?:[A-Z][\w’'-]+ ){1,4})(?:[Aa]greements?|[Aa]ccords?|[Tt]reaty|[Dd]eclaration|"
    r"[Pp]rotocols?|[Mm]emorandum|[Dd]eal|[Ff]ramework|[Cc]harter)\b|\b(JCPOA|New "
    r"START|nuclear deal|peace (?:agreement|deal|treaty))\b"
)
_TREATY_SKIP = {"The", "This", "That", "These", "Our", "Its", "A", "An", "In", "On", "Under"}


def _treaty_name(named: re.Match[str]) -> str | None:
    if named.group(1):
        words = [w for w in named.group(1).split() if w not in _TREATY_SKIP]
        if not words:
            return None
        kind = named.string[named.end(1) : named.end()].lower().rstrip("s")
        return " ".join(words) + " " + kind
    return named.group(2)


#: an agreement referred to without its name ("the deal", "these commitments")
_UNNAMED = re.compile(
    r"\b(?:[Tt]he|this|that|these|those) (?:deal|agreements?|accords?|commitments|"
    r"arrangements?)\b"
)


def _treaty(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    # the first agreement the sentence names ("The deal" at its start names none)
    name = next(filter(None, map(_treaty_name, _TREATY.finditer(s.text))), None)
    if name is None:
        if not _UNNAMED.search(s.text):
            return None
        # an agreement the sentence does not name is the one the article names most
        name = cx.main_treaty()
        if name is None:
            if not re.search(r"\b[Tt]he (?:deal|agreement|accord)\b", s.text):
                return None
            return Subject(  # an agreement the article does not name
                "treaty-the-agreement",
                "Are the terms of the agreement the article describes implemented?",
                "the agreement abandoned, not implemented",
                "the agreement implemented in full",
                high=_signatories(s, hits, cx),
            )
    if name is None:
        return None
    label = name
    return Subject(
        _key("treaty-", slug(name)),
        f"Are the terms of the {label} implemented?",
        f"the {label} abandoned, not implemented",
        f"the {label} implemented in full",
        high=_signatories(s, hits, cx),
    )


_BETWEEN = re.compile(
    r"\b(?:[Aa]greements?|[Dd]eals?|[Aa]ccords?|[Tt]reaty|[Pp]act|[Mm]emorandum) "
    r"(?:between|among|with) ([^,;:.(]{3,80})"
)


def _signatories(s: Sentence, hits: list[Hit], cx: Context) -> tuple[str, ...]:
    """The parties an agreement is "between" in the sentence (they made it: its high end)."""
    m = _BETWEEN.search(s.text)
    if m is None:
        return ()
    a, b = s.start + m.start(1), s.start + m.end(1)
    return tuple(
        dict.fromkeys(
            cx.actor_id(h.entry)
            for h in hits
            if a <= h.start < b and h.entry.kind in (*PARTIES, "organisation", "other")
        )
    )


def _where(hits: list[Hit], s: Sentence, cx: Context) -> tuple[str, str]:
    place = _place(hits, s, cx)
    if place is not None:
        return place.id, f"in {_the(place.name)}"
    if cx.focus is not None:
        return cx.focus.id, f"in {_the(cx.focus.name)}"
    return "", ""


def _ceasefire(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    key, where = _where(hits, s, cx)
    return Subject(
        f"ceasefire-{key}" if key else "ceasefire",
        f"Does the fighting {where + ' ' if where else ''}stop?".replace("  ", " "),
        "the fighting goes on",
        "a lasting ceasefire",
    )


def _humanitarian(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    key, where = _where(hits, s, cx)
    return Subject(
        f"humanitarian-access-{key}" if key else "humanitarian-access",
        f"Is humanitarian aid let through {where}?".replace(" ?", "?"),
        "aid blocked",
        "unimpeded humanitarian access",
    )


def _elections(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    states = [h.entry for h in hits if h.entry.kind == "state"]
    where = f" in {_the(states[0].name)}" if states else ""
    early = "early " if re.search(r"\b(?:early|snap)\b", s.text) else ""
    return Subject(
        f"elections-{states[0].id}" if states else "elections",
        f"Are {early}elections held{where}?",
        f"no {early}elections; the government serves its term",
        f"{early}elections held",
    )


def _force(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    after = _after(hits, s.start + m.start(), ("state", "de-facto-state", "armed-group"))
    target = [h for h in after if re.search(r"\b(?:against|on|of|invade[sd]?)\s+$", _before(s, h))]
    if not target:
        return None
    e = target[0].entry
    return Subject(
        f"force-against-{e.id}",
        f"Is force used against {_the(e.name)}?",
        f"no attack on {_the(e.name)}",
        f"a full-scale attack on {_the(e.name)}",
        low=(e.id,),
    )


def _release(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    # the person held is the one named nearest the cue, after it first ("the jailing of
    # X"), else before it ("X was jailed")
    at = s.start + m.start()
    people = sorted(
        (h for h in hits if h.entry.kind == "leader"),
        key=lambda h: (h.start < at, abs(h.start - at)),
    )
    if people:
        p = people[0].entry
        return Subject(
            f"release-{p.id}",
            f"Is {p.name} freed?",
            f"{p.name} stays in prison",
            f"{p.name} freed",
        )
    held = re.search(r"\b(hostages|prisoners|detainees)\b", s.text)
    if held is None:
        return None
    what = held.group(1)
    return Subject(
        f"release-{what}",
        f"Are the {what} released?",
        f"the {what} stay held",
        f"all the {what} released",
    )


_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|I|[Oo]ur|us)\b")


def _talks(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    found = _pair(hits, cx, PARTIES)
    if cx.speaker_id is not None and _FIRST_PERSON.search(s.text):
        me = cx.gaz.entry(cx.speaker_id)
        if me not in found:
            found.insert(0, me)
    if len(found) >= 2:
        a, b = sorted(found[:2], key=lambda e: e.id)
        return Subject(
            f"talks-{a.id}-{b.id}",
            f"Do {_the(a.name)} and {_the(b.name)} negotiate a settlement of their differences?",
            "no talks; each side acts alone",
            "talks under way toward an agreement",
            parties=(a.id, b.id),
        )
    if len(found) == 1:
        a = found[0]
        return Subject(
            f"talks-{a.id}",
            f"Does {_the(a.name)} negotiate a settlement?",
            f"{_the(a.name)} refuses talks",
            f"{_the(a.name)} in talks toward an agreement",
            parties=(a.id,),
        )
    return None


def _accountability(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    key, where = _where(hits, s, cx)
    if not key:
        return None
    return Subject(
        f"accountability-{key}",
        f"Are those responsible for abuses {where} investigated and held to account?",
        "impunity; no investigation",
        "a full investigation; those responsible held to account",
    )


def _boycott(s: Sentence, hits: list[Hit], m: re.Match[str], cx: Context) -> Subject | None:
    key, where = _where(hits, s, cx)
    if not key:
        return None
    return Subject(
        f"boycott-{key}",
        f"Is there a boycott over what happens {where}?",
        "no boycott; business as usual",
        "a full boycott",
    )


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


#: The issue templates, in the order they are tried (a sentence may fire several).
TEMPLATES: tuple[Template, ...] = (
    Template(
        "territory",
        _c(
            r"\b(?:control(?:s|led)?|occup(?:y|ies|ied|ation)|annex(?:es|ed|ation)?|seiz(?:e|ed|"
            r"ure)|captur(?:e|ed)|retak(?:e|en)|sovereignty|liberat(?:e|ed|ion)|status of|"
            r"territorial integrity|reintegrat\w+|return of|lost|regain\w*)\b"
        ),
        _territory,
    ),
    Template("recognition", _c(r"\brecogni[sz](?:e|es|ed|ing|tion)\b"), _recognition),
    Template(
        "membership",
        _c(
            r"\b(?:join(?:s|ed|ing)?|membership|members? of|accession|accede|align(?:s|ed|ment)?|"
            r"integration into|alliance|allied (?:interaction|relations)|(?:an|its|new) ally|"
            r"bloc|orbit|satellites?)\b"
        ),
        _membership,
    ),
    Template(
        "normalisation",
        _c(
            r"\b(?:normali[sz]\w*|diplomatic relations|reconcil\w+|rapprochement|restor\w+ "
            r"(?:ties|relations)|establish\w* (?:diplomatic )?relations|d[ée]tente)\b"
        ),
        _normalisation,
    ),
    Template("corridor", _c(r"\bcorridors?\b"), _corridor),
    Template(
        "troops",
        _c(
            r"\b(?:troops|peacekeep\w*|soldiers|military presence|(?:military )?bases?|"
            r"deploy\w*|withdraw\w*|pull(?:ed|s)? out|forces (?:in|on|along|around|massed))\b"
        ),
        _troops,
    ),
    Template(
        "sanctions",
        _c(
            r"\b(?:sanction(?:s|ed|ing)?|embargo\w*|restrictive measures|asset freezes?|"
            r"export controls)\b"
        ),
        _sanctions,
    ),
    Template(
        "treaty",
        _c(
            r"\b(?:[Aa]greements?|[Aa]ccords?|[Tt]reaty|[Dd]eclaration|[Pp]rotocol|[Mm]emorandum|"
            r"JCPOA|New START|deal|commitments|arrangements?)\b"
        ),
        _treaty,
    ),
    Template(
        "ceasefire",
        _c(
            r"\b(?:cease-?fire|cessation of hostilities|truce|armistice|end (?:to )?(?:the )?"
            r"(?:fighting|hostilities|war|conflict)|stop the (?:fighting|war)|peace (?:talks|"
            r"process|negotiations)|(?:fighting|hostilities|war) (?:[\w’'-]+ ){0,6}(?:will|would|"
            r"must) (?:end|stop|cease))\b"
        ),
        _ceasefire,
    ),
    Template(
        "humanitarian",
        _c(r"\bhumanitarian (?:access|aid|assistance|workers|supplies|corridors?|operations)\b"),
        _humanitarian,
    ),
    Template(
        "elections",
        _c(r"\b(?:elections?|referendum|vote of no confidence|dissolve (?:the )?parliament)\b"),
        _elections,
    ),
    Template(
        "release",
        _c(
            r"\b(?:releas(?:e|ed|ing)|freed|free (?:her|him|them)|imprison\w*|jail(?:ed)?|"
            r"detention|detained|prisoners?|hostages?|sentenced|verdict)\b"
        ),
        _release,
    ),
    Template(
        "talks",
        _c(
            r"(?<!peace )\b(?:talks|negotiat(?:e|es|ed|ing|ions?)|dialogue|summit|meet(?:s|ing)? "
            r"with|to meet|diplomacy|diplomatic (?:solution|path|channel|resolution|track))\b"
        ),
        _talks,
    ),
    Template(
        "accountability",
        _c(
            r"\b(?:[Aa]ccountab(?:le|ility)|impunity|war crimes|crimes against humanity|genocide|"
            r"atrocit(?:y|ies)|human rights (?:abuses|violations)|investigat(?:e|es|ed|ion|ions|"
            r"ing)|tribunal|prosecut(?:e|ed|ion))\b"
        ),
        _accountability,
    ),
    Template("boycott", _c(r"\bboycott(?:s|ed|ing)?\b"), _boycott),
    Template(
        "force",
        _c(
            r"\b(?:invad(?:e|es|ed|ing)|invasion|attack(?:s|ed)?|offensive|aggression|"
            r"military action|strikes? (?:on|against)|war (?:on|against))\b"
        ),
        _force,
    ),
)
