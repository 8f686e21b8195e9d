"""The rules extractor (the default; no model): gazetteer, issue templates and stance cues.

1. **Actors**: every mention the gazetteer finds (:mod:`.gazetteer`), leaders resolved to
   their state as of the article's date; "we", "our" and "I" name the speaker when the
   title names one ("Remarks by President X": X's state).
2. **Issues**: each sentence is tried against the issue templates below (control of a
   territory, recognition, membership or alignment, normalisation, a corridor, troops,
   sanctions, a treaty's terms, a ceasefire, humanitarian access, elections, a release, the use of
   force); a template fires on its cue words and takes its subject from the actors and
   places the sentence names. Sentences on the same template and subject make one issue,
   with those sentences as its evidence. Of the issues someone holds a stance on, the
   best evidenced are kept (at most MAX_ISSUES).
3. **Stances**: in each evidence sentence, an actor named *before* a stance cue holds the
   position the cue gives (support: toward the high end, which is always the thing the
   issue asks about happening; opposition, or support negated: toward the low end; a hedge
   such as "may" or "reportedly": "leans"; mediation: the middle); an actor named after the
   cue is its object and takes no stance from it, except the target of sanctions or of the
   use of force (the low end) and the claimants of a territory (each at its own end).
   Salience: high where the sentence stresses the point ("must", "priority", "will not
   accept") or the actor returns to it in three sentences or more, medium for a plain
   statement, unknown for a position read off the structure alone.

Every quote is cut from its sentence (:func:`~.article.cut_quote`) and checked verbatim.
These rules are general (no name of any one text); they miss what needs reading between
the lines, which is why every number of a draft is marked for an analyst to confirm.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .article import Article, Sentence, cut_quote
from .findings import ActorFinding, Findings, IssueFinding, Mention, StanceFinding
from .gazetteer import Entry, Gazetteer, Hit, gazetteer, slug

__all__ = [
    "MAX_ISSUES",
    "MIN_MENTIONS",
    "TEMPLATES",
    "RulesExtractor",
    "Template",
    "actors_of",
    "extract",
]

#: The most issues a draft keeps (those with the most evidence sentences).
MAX_ISSUES = 8
#: An actor that holds no stance is kept when named at least this often (1: every actor
#: named; 2 trades recall for precision on the development texts: 84% -> 68% recall,
#: 71% -> 85% precision, and a draft should rather name too many than too few).
MIN_MENTIONS = 1

_PRONOUN = re.compile(r"(?:He|She|They|It)\b(?! (?:is|was) (?:clear|not clear|time|true|said))")
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|I|[Oo]ur|[Mm]y|us)\b")
_SPEAKER_TITLE = re.compile(
    r"^(?:Remarks|Statement|Address|Speech|Readout|Interview|Op-ed|Secretary|President|"
    r"Prime Minister|FACT SHEET)|\b(?:Remarks|Statement|Address|Speech) (?:by|of)\b|:\s*$"
)

_SUPPORT = re.compile(
    r"\b(?:supports?|supported|backs?|backed|welcomes?|welcomed|calls? (?:on|for)|called "
    r"(?:on|for)|urges?|urged|demands?|demanded|insists?|insisted|push(?:es|ed)? for|"
    r"press(?:es|ed)? for|seeks?|sought|wants?|wanted|favou?rs?|endorses?|endorsed|"
    r"commit(?:s|ted)? to|committed|agrees?|agreed|shares?|pledges?|pledged|proposes?|proposed|"
    r"proposing|ready to|stands? ready|(?:is|are|remains?) prepared to|plans to|planning to|"
    r"planned|prepar(?:e|es|ing) to|threatens?|threatened|intends?|aims? to|signed|signs|"
    r"recogni[sz]ed|recogni[sz]es|recogni[sz]e|announced?|pressing|urging|imposed?|imposing|"
    r"will (?:continue to )?(?:work|press|push|help|support)|determined to|has amassed|"
    r"amassed|deployed|launch(?:ed|es)?|accept(?:s|ed)|"
    r"push(?:es|ed)?|to achieve|to secure|to reach|work(?:s|ed|ing)? (?:toward|for)|"
    r"insist(?:s|ed)? that|aim(?:s|ed)? (?:at|to)|signing|directed|to forge|to broker|"
    r"to negotiate|to conclude|to implement)\b"
)
_OPPOSE = re.compile(
    r"\b(?:oppos(?:e|es|ed|ing)|opposition to|rejects?|rejected|refuses?|refused|"
    r"condemns?|condemned|denounces?|denounced|blocks?|blocked|vetoe?s?|vetoed|resists?|"
    r"resisted|obstruct(?:s|ed|ing)?|violat(?:e|es|ed|ing|ions?)|warns? against|warned "
    r"against|denies|denied|undermin(?:e|es|ed|ing)|prevent(?:s|ed)?|will not|won't|"
    r"cannot accept|refusal|deride[sd]?|boycott(?:s|ed)?)\b"
)
_NEGATION = re.compile(r"\b(?:not|n't|never|no longer|nor)\s+(?:\w+\s+){0,2}$")
_HEDGE = re.compile(
    r"\b(?:may|might|could|would|reportedly|appears? to|seems? to|is said to|considering|"
    r"open to|signal(?:s|led|ed)?|hint(?:s|ed)?|cautious(?:ly)?|reluctant(?:ly)?|"
    r"in principle|tentative(?:ly)?|says it|claims?)\b"
)
_MIDDLE = re.compile(r"\b(?:neutral(?:ity)?|mediat(?:e|es|ed|ing|or|ion)|equidistant|abstain\w*)\b")
_EMPHASIS = re.compile(
    r"\b(?:must|priority|priorities|critical|essential|determined|at any cost|red line|"
    r"will not accept|insists?|demands?|urgent(?:ly)?|utmost|vital|paramount|firmly|"
    r"strongly|never|top|key|imperative|unwavering|relentless(?:ly)?)\b"
)


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
    subject: Callable[[Sentence, list[Hit], re.Match[str], _Context], Subject | None]


class _Context:
    """What the templates need to know of the article: the gazetteer, the date, the ids."""

    def __init__(self, gaz: Gazetteer, article: Article) -> None:
        self.gaz = gaz
        self.article = article
        self.speaker_id: str | None = None
        self.focus: Entry | None = None

    def actor_id(self, entry: Entry) -> str:
        """The actor an entry stands for in stances: a leader's state (or group)."""
        if entry.kind == "leader":
            of, _ = self.gaz.affiliation(entry, self.article.date)
            return of.id
        return entry.id

    def state_name(self, key: str) -> str:
        return self.gaz.entry(key).name


def _the(name: str) -> str:
    plural = name.endswith(("s", "Union", "Nations", "Republic", "Kingdom", "Emirates"))
    lead = name.split()[0]
    article = (" " in name and lead[:1].isupper() and lead not in ("Nagorno-Karabakh",)) and (
        plural or name.startswith(("United", "European", "Democratic", "Central", "Czech"))
    )
    return f"the {name}" if article and not name.startswith("the ") else name


def _after(hits: list[Hit], pos: int, kinds: Sequence[str]) -> list[Hit]:
    return [h for h in hits if h.start >= pos and h.entry.kind in kinds]


_PARTIES = ("state", "de-facto-state", "armed-group", "leader")


def _territory(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
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


def _recognition(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
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


def _membership(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
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


def _pair(hits: list[Hit], cx: _Context, kinds: Sequence[str]) -> list[Entry]:
    found: list[Entry] = []
    for h in hits:
        if h.entry.kind not in kinds:
            continue
        e = cx.gaz.entry(cx.actor_id(h.entry)) if h.entry.kind == "leader" else h.entry
        if e not in found:
            found.append(e)
    return found


def _normalisation(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
    between = re.search(r"\b(?:between|with)\b", s.text[m.start() :])
    if between is not None:
        at = s.start + m.start() + between.start()
        later = _pair([h for h in hits if h.start >= at], cx, _PARTIES)
        earlier = _pair([h for h in hits if h.start < s.start + m.start()], cx, _PARTIES)
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


_CORRIDOR_NAME = re.compile(r"((?:[A-Z][\w’'-]+ ){1,2})[Cc]orridor|(humanitarian) corridors?")


def _corridor(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
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
        f"corridor-{slug(name) if name else 'route'}",
        f"Is {label} opened, on whose terms?",
        f"no {name + ' ' if name else ''}corridor",
        f"{label} open",
        parties=tuple(dict.fromkeys(parties)),
    )


def _place(hits: list[Hit], s: Sentence, cx: _Context) -> Entry | None:
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


def _troops(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
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


def _sanctions(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
    after = _after(hits, s.start + m.start(), _PARTIES)
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


_TREATY = re.compile(
    r"((?:[A-Z][\w’'-]+ ){1,4})(?:[Aa]greements?|[Aa]ccords?|[Tt]reaty|[Dd]eclaration|"
    r"[Pp]rotocols?|[Mm]emorandum|[Dd]eal|[Ff]ramework|[Cc]harter)\b|\b(JCPOA|New "
    r"START|nuclear deal|peace (?:agreement|deal|treaty))\b"
)
_TREATY_SKIP = {"The", "This", "That", "These", "Our", "Its", "A", "An", "In", "On", "Under"}


def _treaty(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
    named = _TREATY.search(s.text)
    if named is None:
        if not re.search(r"\bthe (?:deal|agreement|accord)\b", s.text):
            return None
        return Subject(  # an agreement the article does not name
            "treaty-the-agreement",
            "Are the terms of the agreement the article describes implemented?",
            "the agreement abandoned, not implemented",
            "the agreement implemented in full",
        )
    if named.group(1):
        words = [w for w in named.group(1).split() if w not in _TREATY_SKIP]
        if not words:
            return None
        kind = s.text[named.end(1) : named.end()].lower().rstrip("s")
        name = " ".join(words) + " " + kind
    else:
        name = named.group(2)
    label = name
    return Subject(
        f"treaty-{slug(name)}",
        f"Are the terms of the {label} implemented?",
        f"the {label} abandoned, not implemented",
        f"the {label} implemented in full",
    )


def _where(hits: list[Hit], s: Sentence, cx: _Context) -> tuple[str, str]:
    place = _place(hits, s, cx)
    if place is not None:
        return place.id, f"in {_the(place.name)}"
    if cx.focus is not None:
        return cx.focus.id, f"in {_the(cx.focus.name)}"
    return "", ""


def _ceasefire(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
    key, where = _where(hits, s, cx)
    return Subject(
        f"ceasefire-{key}" if key else "ceasefire",
        f"Does the fighting {where + ' ' if where else ''}stop?".replace("  ", " "),
        "the fighting goes on",
        "a lasting ceasefire",
    )


def _humanitarian(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
    key, where = _where(hits, s, cx)
    return Subject(
        f"humanitarian-access-{key}" if key else "humanitarian-access",
        f"Is humanitarian aid let through {where}?".replace(" ?", "?"),
        "aid blocked",
        "unimpeded humanitarian access",
    )


def _elections(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
    states = [h.entry for h in hits if h.entry.kind == "state"]
    where = f" in {_the(states[0].name)}" if states else ""
    early = "early " if re.search(r"\b(?:early|snap)\b", s.text) else ""
    return Subject(
        f"elections-{states[0].id}" if states else "elections",
        f"Are {early}elections held{where}?",
        f"no {early}elections; the government serves its term",
        f"{early}elections held",
    )


def _force(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
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


def _release(s: Sentence, hits: list[Hit], m: re.Match[str], cx: _Context) -> Subject | None:
    people = [h.entry for h in hits if h.entry.kind == "leader"]
    if people:
        p = people[0]
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
            r"JCPOA|New START|deal)\b"
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
        "force",
        _c(
            r"\b(?:invad(?:e|es|ed|ing)|invasion|attack(?:s|ed)?|offensive|aggression|"
            r"military action|strikes? (?:on|against)|war (?:on|against))\b"
        ),
        _force,
    ),
)


# ---------------------------------------------------------------------- extraction


def _speaker(article: Article, gaz: Gazetteer) -> Entry | None:
    """The actor who speaks in the first person: the leader (else state) the title names,
    when the title reads as a statement's ("Remarks by President X", "Secretary X on Y")."""
    if not article.title or not _SPEAKER_TITLE.search(article.title):
        return None
    return next(
        (h.entry for h in gaz.find(article.title, article.date) if h.entry.kind == "leader"), None
    )


def _cue_for(s: Sentence, pos: int) -> tuple[str, str] | None:
    """The stance cue that follows character ``pos`` of the sentence (relative offsets):
    (position, cue words), or ``None``."""
    text = s.text
    found: list[tuple[int, str, str]] = []
    for rx, pole in ((_SUPPORT, "max"), (_OPPOSE, "min"), (_MIDDLE, "middle")):
        for m in rx.finditer(text, pos):
            pole_here = pole
            if pole != "middle" and _NEGATION.search(text[max(0, m.start() - 25) : m.start()]):
                pole_here = "min" if pole == "max" else "max"
            found.append((m.start(), pole_here, m.group(0)))
    if not found:
        return None
    start, pole, words = min(found)
    if pole in ("max", "min") and _HEDGE.search(text[pos:start]):
        pole = "leans-" + pole
    return pole, words


@dataclass
class _Vote:
    positions: list[tuple[str, int, str, tuple[int, int]]]  # bucket, sentence, cue, span
    emphasis: bool = False


def actors_of(article: Article, gaz: Gazetteer | None = None) -> list[ActorFinding]:
    """Every actor the gazetteer finds in ``article``, with its mentions, leaders resolved
    as of the article's date (what the language-model extractor offers its model)."""
    gaz = gaz or gazetteer()
    cx = _Context(gaz, article)
    mentions: dict[str, list[Mention]] = defaultdict(list)
    entries: dict[str, Entry] = {}
    for s in article.sentences:
        for h in gaz.find(s.text, article.date):
            if h.entry.kind == "territory":
                continue
            entries[h.entry.id] = h.entry
            mentions[h.entry.id].append(
                Mention(s.index, h.start + s.start, h.end + s.start, h.text)
            )
    return [_actor(e, tuple(mentions[aid]), cx) for aid, e in entries.items()]


def extract(article: Article, gaz: Gazetteer | None = None) -> Findings:
    """The rules' findings in ``article`` (see the module's docstring)."""
    gaz = gaz or gazetteer()
    cx = _Context(gaz, article)
    on = article.date
    speaker = _speaker(article, gaz)
    if speaker is not None:
        cx.speaker_id = cx.actor_id(speaker)
    hits_by_sentence: dict[int, list[Hit]] = {}
    for s in article.sentences:
        hs = [
            Hit(h.entry, h.start + s.start, h.end + s.start, h.text, h.how)
            for h in gaz.find(s.text, on)
        ]
        hits_by_sentence[s.index] = hs

    counts = Counter(
        h.entry.id
        for hs in hits_by_sentence.values()
        for h in hs
        if h.entry.kind == "state" and h.entry.id != cx.speaker_id
    )
    if counts:
        cx.focus = _by_id(gaz, counts)

    # actors
    mentions: dict[str, list[Mention]] = defaultdict(list)
    entries: dict[str, Entry] = {}
    for idx, hs in hits_by_sentence.items():
        for h in hs:
            if h.entry.kind == "territory":
                continue
            entries[h.entry.id] = h.entry
            mentions[h.entry.id].append(Mention(idx, h.start, h.end, h.text))
    actors: list[ActorFinding] = []
    for aid, e in entries.items():
        actors.append(_actor(e, tuple(mentions[aid]), cx))
    ids = {a.id for a in actors}

    # issues
    evidence: dict[str, list[int]] = defaultdict(list)
    where: dict[tuple[str, int], int] = {}  # (issue, sentence) -> where its cue is
    subjects: dict[str, tuple[Subject, str]] = {}
    for s in article.sentences:
        hs = hits_by_sentence[s.index]
        for t in TEMPLATES:
            m = t.cue.search(s.text)
            if m is None:
                continue
            subj = t.subject(s, hs, m, cx)
            if subj is None:
                continue
            subjects.setdefault(subj.key, (subj, t.name))
            if s.index not in evidence[subj.key]:
                evidence[subj.key].append(s.index)
                where[(subj.key, s.index)] = m.start()
    ranked = sorted(evidence, key=lambda k: (-len(evidence[k]), evidence[k][0]))

    # stances
    votes: dict[tuple[str, str], _Vote] = {}
    for key in ranked:
        subj, _ = subjects[key]
        for idx in evidence[key]:
            s = article.sentence(idx)
            hs = hits_by_sentence[idx]
            holders: list[tuple[str, int, int]] = []  # actor, start, end (absolute)
            for h in hs:
                if h.entry.kind in ("territory",):
                    continue
                holders.append((h.entry.id, h.start, h.end))
            if speaker is not None:
                for m in _FIRST_PERSON.finditer(s.text):
                    holders.append((speaker.id, s.start + m.start(), s.start + m.end()))
            pronoun = _PRONOUN.match(s.text)
            if pronoun and idx > 1:
                # "He also insisted ...": the first actor named in the sentence before
                before = [h for h in hits_by_sentence[idx - 1] if h.entry.kind in _PARTIES]
                if before:
                    holders.append((before[0].entry.id, s.start, s.start + pronoun.end()))
            holders.sort(key=lambda x: x[1])
            emphasis = bool(_EMPHASIS.search(s.text))
            cues = _cue_starts(s)
            for aid, a, b in holders:
                target = cx.actor_id(entries[aid]) if aid in entries else aid
                bucket: str | None = None
                cue = ""
                if target in subj.low:
                    bucket, cue = "min", "structure"
                elif target in subj.high:
                    bucket, cue = "max", "structure"
                if _holds(s, cues, a - s.start):
                    found = _cue_for(s, b - s.start)
                    if found is not None:
                        cued, cue_words = _negated(s, found, where[(key, idx)])
                        # a place in the issue's structure fixes the end; a cue, the rest
                        bucket = bucket or cued
                        cue = cue_words
                if bucket is None and target in subj.parties:
                    bucket, cue = "unknown", "structure"
                if bucket is None:
                    continue
                v = votes.setdefault((aid, key), _Vote([]))
                v.positions.append((bucket, idx, cue, (a, b)))
                v.emphasis = v.emphasis or (emphasis and cue != "structure")
    stances: list[StanceFinding] = []
    for (aid, key), v in votes.items():
        buckets = Counter(p[0] for p in v.positions)
        best = max(buckets, key=lambda k: (buckets[k], k != "unknown"))
        chosen = next(p for p in v.positions if p[0] == best)
        plain = [p for p in v.positions if p[2] != "structure"]
        if not plain:
            salience = "unknown"
        elif v.emphasis or len({p[1] for p in plain}) >= 3:
            salience = "high"
        else:
            salience = "medium"
        s = article.sentence(chosen[1])
        quote = cut_quote(s, chosen[3])
        stances.append(StanceFinding(aid, key, best, salience, s.index, quote, chosen[2]))
    if (
        speaker is not None
        and speaker.id not in ids
        and any(st.actor == speaker.id for st in stances)
    ):
        actors.append(_actor(speaker, (), cx))

    # the best evidenced issues that someone holds a stance on
    held = {st.issue for st in stances}
    issues = []
    for key in [k for k in ranked if k in held][:MAX_ISSUES]:
        subj, tname = subjects[key]
        issues.append(
            IssueFinding(
                key, subj.question, subj.low_end, subj.high_end, tuple(evidence[key]), tname
            )
        )
    kept = {i.id for i in issues}
    holding = {st.actor for st in stances if st.issue in kept}
    speaking = {a.speaks_for for a in actors if a.id in holding}
    # an actor named once, in passing, holding no stance, is left out (MIN_MENTIONS)
    actors = [
        a for a in actors if a.id in holding or a.id in speaking or len(a.mentions) >= MIN_MENTIONS
    ]
    return Findings(
        article=article,
        actors=tuple(actors),
        issues=tuple(issues),
        stances=tuple(st for st in stances if st.issue in kept),
        extractor="rules",
        settings={"templates": len(TEMPLATES), "max_issues": MAX_ISSUES},
    )


def _negated(s: Sentence, found: tuple[str, str], issue_at: int) -> tuple[str, str]:
    """A support or opposition cue whose object is negated ("demands that Ukraine never
    join"): the other end."""
    bucket, cue = found
    at = s.text.find(cue)
    if 0 <= at < issue_at and re.search(
        r"\b(?:not|never|no longer|n't)\b", s.text[at + len(cue) : issue_at]
    ):
        flip = {"max": "min", "min": "max", "leans-max": "leans-min", "leans-min": "leans-max"}
        return flip.get(bucket, bucket), cue
    return found


def _by_id(gaz: Gazetteer, counts: Counter[str]) -> Entry:
    """The most mentioned state: the contest's main theatre, where an issue names none."""
    return gaz.entries[counts.most_common(1)[0][0]]


def _cue_starts(s: Sentence) -> list[int]:
    return sorted(m.start() for rx in (_SUPPORT, _OPPOSE, _MIDDLE) for m in rx.finditer(s.text))


_CLAUSE = re.compile(r"[;:]|, (?:and|but|while|whereas)\b|\b(?:but|while|whereas)\b|\.")


def _holds(s: Sentence, cues: list[int], start: int) -> bool:
    """Whether the actor named at ``start`` (relative) can hold the next cue's stance: no
    cue comes before it in its clause (else it is that cue's object)."""
    before = [c for c in cues if c < start]
    if not before:
        return True
    return bool(_CLAUSE.search(s.text, before[-1], start))


def _actor(e: Entry, mentions: tuple[Mention, ...], cx: _Context) -> ActorFinding:
    gaz, on = cx.gaz, cx.article.date
    if e.kind == "leader":
        of, term = gaz.affiliation(e, on)
        state = of.cow if of.kind == "state" else None
        if of.kind != "state" and of.parents:
            state = gaz.entry(of.parents[0]).cow
        when = f"{term['start']} to {term['end'] or 'now'}"
        return ActorFinding(
            e.id,
            e.name,
            "leader",
            mentions,
            state=state,
            speaks_for=of.id,
            office=f"{term['office']} of {of.name} ({when})",
        )
    if e.kind == "state":
        return ActorFinding(e.id, e.name, "state", mentions, state=e.cow)
    parent = gaz.entry(e.parents[0]).cow if e.parents else None
    return ActorFinding(e.id, e.name, gaz.kind_on(e, on), mentions, state=parent)


class RulesExtractor:
    """The rules extractor as an :class:`~.findings.Extractor`."""

    name = "rules"

    def __init__(self, gaz: Gazetteer | None = None) -> None:
        self.gaz = gaz

    def extract(self, article: Article) -> Findings:
        return extract(article, self.gaz)
