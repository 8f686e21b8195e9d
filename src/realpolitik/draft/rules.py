"""The rules extractor (the default; no model): gazetteer, issue templates and stance cues.

1. **Actors**: every mention the gazetteer finds (:mod:`.gazetteer`), leaders resolved to
   their state as of the article's date, and the people and parties the article introduces
   by their role (:mod:`.names`); "we", "our" and "I" name the speaker when the title names
   one ("Remarks by President X": X's state).
2. **Issues**: each sentence is tried against the issue templates of :mod:`.templates`
   (control of a territory, recognition, membership or alignment, normalisation, a
   corridor, troops, sanctions, a treaty's terms, a ceasefire, humanitarian access,
   elections, a release, talks, accountability, a boycott, the use of force); a template
   fires on its cue words and takes its subject from the actors and places the sentence
   names. Sentences on the same template and subject make one issue, with those sentences
   as its evidence (and the actors each of them places at an end); a sentence that fires
   no template but states a stance on "this" joins the issues of the sentence before it
   in its paragraph. Of the issues someone holds a stance on, the best evidenced are kept
   (at most MAX_ISSUES).
3. **Stances**: in each evidence sentence, an actor named *before* a stance cue, in the
   same clause, holds the position the cue gives (support: toward the high end, which is
   always the thing the issue asks about happening; opposition, or support negated: toward
   the low end; conduct such as "violations": leaning to the low end; a hedge such as "may"
   or "reportedly": "leans"; mediation: the middle); an actor named after the cue is its
   object and takes no stance from it, except the target of sanctions or of the use of
   force (the low end), the claimants of a territory (each at its own end), the parties an
   agreement is "between" (the high end), the agent of a passive ("signed by X") and the
   author of a proposal ("X's resolution"). A cue after "that" and a subject of its own is
   that subject's; a state named as a place ("in X") holds nothing; a judgement with no one
   named before it ("accountability is essential") is the speaker's. A cued position
   outweighs "unknown" (a party with no cue), and a leader's cued stance replaces his
   state's "unknown" (and the other way round). Salience: high where the sentence stresses
   the point ("must", "priority", "will not accept") or the actor returns to it in three
   sentences or more, medium for a plain statement, unknown for a position read off the
   structure alone.
4. **Reported speech** (:mod:`.speech`): in "..., X said." (and "X said that ...",
   "according to X") the speaker X holds the reported words' "we" and a judgement in them
   that no one named holds; a joint statement's issuers (listed by its title or its
   opening, or by a sentence that introduces one) hold its "we", "the signatories" and,
   under a joint title, each point that opens on its verb ("Condemned ...; called for
   ...").

Every quote is cut from its sentence (:func:`~.article.cut_quote`) and checked verbatim.
These rules are general (no name of any one text); they miss what needs reading between
the lines, which is why every number of a draft is marked for an analyst to confirm.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache

from .article import Article, Sentence, cut_quote
from .findings import ActorFinding, Findings, IssueFinding, Mention, StanceFinding
from .gazetteer import Entry, Gazetteer, Hit, gazetteer
from .names import introduced
from .speech import (
    Voice,
    collective,
    issued_by,
    joint_intro,
    joint_title,
    lists,
    saying_that,
    subjectless,
    title_issuers_end,
    voice,
)
from .templates import PARTIES, TEMPLATES, Context, Subject, Template

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
    r"commit(?:s|ted)? to|(?:is|are|remains?) committed|agrees?|agreed|shares?|pledges?|"
    r"pledged|proposes?|proposed|"
    r"proposing|ready to|stands? ready|(?:is|are|remains?) prepared to|plans to|planning to|"
    r"planned|prepar(?:e|es|ing) to|threatens?|threatened|intends?|aims? to|signed|signs|"
    r"recogni[sz]ed|recogni[sz]es|recogni[sz]e|announced?|pressing|urging|imposed?|imposing|"
    r"will (?:continue to )?(?:work|press|push|help|support)|determined to|has amassed|"
    r"amassed|deployed|launch(?:ed|es)?|accept(?:s|ed)|approv(?:e|es|ed)|ratif(?:y|ies|ied)|"
    r"push(?:es|ed)?|to achieve|to secure|to reach|work(?:s|ed|ing)? (?:toward|for)|"
    r"insist(?:s|ed)? that|aim(?:s|ed)? (?:at|to)|signing|directed|to forge|to broker|"
    r"to negotiate|to conclude|to implement|ready for|vow(?:s|ed)?|reaffirm(?:s|ed)?|"
    r"advocat(?:e|es|ed|ing)|in favou?r of|in defen[cs]e of|champion(?:s|ed)?|"
    r"co-?sponsor(?:s|ed)?|sponsor(?:s|ed)?|stands? (?:with|by)|stood (?:with|by)|"
    r"propos(?:al|als) (?:to|for)|"
    r"(?:stress|underlin|emphasi[sz]|highlight|not|rais|underscor|reiterat)(?:e|es|ed|ing) "
    r"the (?:importance|need|necessity) (?:of|for|to))\b"
)
#: a judgement that something is needed (support for it) or not
_NORMATIVE = re.compile(
    r"\b(?:is|are|remains?|will be) (?:absolutely |also )?(?:necessary|essential|vital|"
    r"crucial|critical|needed|imperative|indispensable|the only (?:\w+ )?way)\b"
)
_NEEDLESS = re.compile(r"\b(?:(?:is|are) not (?:necessary|needed|the (?:\w+ )?way)|unnecessary)\b")
_OPPOSE = re.compile(
    r"\b(?:oppos(?:e|es|ed|ing)|opposition to|rejects?|rejected|refuses?|refused|"
    r"condemns?|condemned|denounces?|denounced|blocks?|blocked|vetoe?s?|vetoed|resists?|"
    r"resisted|warns? against|warned against|denies|denied|will not|won't|"
    r"cannot accept|refusal|deride[sd]?|boycott(?:s|ed)?|objects? to|objected to|"
    r"protest(?:s|ed|ing)? against|in protest (?:at|against)|criticis(?:e|es|ed|ing)|"
    r"criticiz(?:e|es|ed|ing)|dismiss(?:es|ed)|decr(?:y|ies|ied)|slamm?(?:s|ed)?)\b"
)
#: conduct read as opposition, not a stated position: leans toward the low end
_CONDUCT = re.compile(
    r"\b(?:obstruct(?:s|ed|ing)?|violat(?:e|es|ed|ing|ions?)|undermin(?:e|es|ed|ing)|"
    r"prevent(?:s|ed)?|breach(?:es|ed)?)\b"
)
_NEGATION = re.compile(r"\b(?:not|n't|never|no longer|nor)\s+(?:\w+\s+){0,2}$")
_HEDGE = re.compile(
    r"\b(?:may|might|could|would|reportedly|appears? to|seems? to|is said to|considering|"
    r"open to|signal(?:s|led|ed)?|hint(?:s|ed)?|cautious(?:ly)?|reluctant(?:ly)?|"
    r"in principle|tentative(?:ly)?|says it|claims?)\b"
)
_MIDDLE = re.compile(r"\b(?:neutral(?:ity)?|mediat(?:e|es|ed|ing|or|ion)|equidistant|abstain\w*)\b")
_CUES = (
    (_SUPPORT, "max"),
    (_NORMATIVE, "max"),
    (_OPPOSE, "min"),
    (_NEEDLESS, "min"),
    (_CONDUCT, "leans-min"),
    (_MIDDLE, "middle"),
)
_EMPHASIS = re.compile(
    r"\b(?:must|priority|priorities|critical|essential|determined|at any cost|red line|"
    r"will not accept|insists?|demands?|urgent(?:ly)?|utmost|vital|paramount|firmly|"
    r"strongly|never|top|key|imperative|unwavering|relentless(?:ly)?)\b"
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


def _cue_for(s: Sentence, pos: int, own: int = -1) -> tuple[str, str] | None:
    """The stance cue that follows character ``pos`` of the sentence (relative offsets):
    (position, cue words), or ``None``. A cue that is the issue's own word (at ``own``:
    "X will boycott the games" on the issue of a boycott) means doing what the issue asks
    about: the high end, whatever the word's pole elsewhere; as a noun it only names the
    issue ("her stance on the boycott"), unless denied ("there should be no boycott")."""
    text = s.text
    found: list[tuple[int, str, str]] = []
    matches = _cue_matches(text)
    # the first cues from ``pos`` on (all those at the same place), not every cue to the
    # end of the sentence: each actor's look-up must not cost the sentence's length
    for at, pole, words in matches[bisect_left(matches, (pos,)) :]:
        if found and at > found[0][0]:
            break
        before = text[max(0, at - 25) : at]
        pole_here = pole
        if at == own:
            if re.search(r"\bno\s+$", before):
                found.append((at, "min", words))
                continue
            if _DETERMINER.search(before) and not _NEGATION.search(before):
                continue
            pole_here = "max"
        if pole != "middle" and _NEGATION.search(before):
            pole_here = _FLIP[pole_here]
        found.append((at, pole_here, words))
    if not found:
        return None
    start, pole, words = min(found)
    if _within(_THAT_CLAUSE, text, pos, start):
        return None  # "X indicates that these forces are preparing to ...": theirs
    if pole in ("max", "min") and _within(_HEDGE, text, pos, start):
        pole = "leans-" + pole
    return pole, words


@lru_cache(maxsize=64)
def _spans(rx: re.Pattern[str], text: str) -> tuple[list[int], list[int]]:
    """The starts and the ends of ``rx``'s matches in ``text`` (in order)."""
    found = [m.span() for m in rx.finditer(text)]
    return [a for a, _ in found], [b for _, b in found]


def _within(rx: re.Pattern[str], text: str, lo: int, hi: int) -> bool:
    """Whether a match of ``rx`` in ``text`` lies in ``text[lo:hi]``: looked up among the
    sentence's matches, found once (a search from each of thousands of actors to the
    same cue would cost the square of the sentence's length)."""
    starts, ends = _spans(rx, text)
    k = bisect_left(starts, lo)
    return k < len(starts) and ends[k] <= hi


#: a possessive that makes an actor the author of a proposal ("the Union's resolution")
_AUTHOR = re.compile(
    r"[’']s (?:\w+ )?(?:resolution|proposal|plan|initiative|call|demand|bid|offer|"
    r"peace plan|draft)\b"
)
#: "X by [the] A B, C and the D ..." up to the actor: one capitalised word at a time, so
#: that no run of them can be split in more than one way (exponential backtracking)
_BY = re.compile(r"\b(\w+) by (?:the )?(?:[A-Z][\w’'-]*,? (?:and )?(?:the )?)*$")


def _agent_of(s: Sentence, start: int) -> tuple[str, str] | None:
    """The cue whose agent the actor named at ``start`` (relative) is, in a passive ("the
    deal signed by Ruritania"): (position, cue words), or ``None``."""
    by = _BY.search(s.text[max(0, start - 80) : start])
    if by is None:
        return None
    at = max(0, start - 80) + by.start(1)
    found = _cue_for(s, at)
    if found is None or not s.text.startswith(found[1], at):
        return None
    return found


#: a clause ("that ...") with a subject of its own between an actor and the next cue:
#: the cue is that subject's (unless it is the actor again: "X said that it ...")
_THAT_CLAUSE = re.compile(r"\bthat (?!(?:it|he|she|they|we|I|you|there)\b)\w")
_DETERMINER = re.compile(r"\b(?:the|a|an|this|that|its|their|his|her|any|our|my)\s+$")
_FLIP = {"max": "min", "min": "max", "leans-max": "leans-min", "leans-min": "leans-max"}


@dataclass
class _Vote:
    positions: list[tuple[str, int, str, tuple[int, int]]]  # bucket, sentence, cue, span
    emphasis: bool = False


def actors_of(article: Article, gaz: Gazetteer | None = None) -> list[ActorFinding]:
    """Every actor the gazetteer finds in ``article``, with its mentions, leaders resolved
    as of the article's date (what the language-model extractor offers its model)."""
    gaz = gaz or gazetteer()
    cx = Context(gaz, article)
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
    cx = Context(gaz, article)
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
    for idx, more in introduced(article, gaz).items():
        hs = hits_by_sentence[idx]  # in order, none overlapping
        starts = [g.start for g in hs]
        free = []
        for h in more:  # those that overlap none of the gazetteer's
            k = bisect_right(starts, h.start)
            if (k and hs[k - 1].end > h.start) or (k < len(hs) and hs[k].start < h.end):
                continue
            free.append(h)
        hs += free
        hs.sort(key=lambda h: h.start)

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
            if subj.key in subjects:  # the structure is what every sentence shows
                subj = _merged(subjects[subj.key][0], subj)
            subjects[subj.key] = (subj, subjects.get(subj.key, (subj, t.name))[1])
            if s.index not in evidence[subj.key]:
                evidence[subj.key].append(s.index)
                where[(subj.key, s.index)] = m.start()
    _carry_over(article, evidence, where)
    issuers, whole = _issuers(article, gaz, hits_by_sentence)
    for e in {e for joint in issuers.values() for e in joint}:
        entries.setdefault(e.id, e)
    ranked = sorted(evidence, key=lambda k: (-len(evidence[k]), evidence[k][0]))

    # stances
    votes: dict[tuple[str, str], _Vote] = {}
    for key in ranked:
        subj, _ = subjects[key]
        for idx in evidence[key]:
            s = article.sentence(idx)
            hs = hits_by_sentence[idx]
            cues = _cue_starts(s)
            holders: list[tuple[str, int, int]] = []  # actor, start, end (absolute)
            places: set[int] = set()  # where a state is named as a place ("in Sudan")
            for h in hs:
                if h.entry.kind in ("territory",):
                    continue
                holders.append((h.entry.id, h.start, h.end))
                if h.entry.kind == "state" and _is_place(s, h.start):
                    places.add(h.start)
            joint = issuers.get(idx, ())
            if joint:
                # a joint statement's "we", "our", "the signatories": each of its issuers
                for a0, b0 in collective(s.text):
                    for e in joint:
                        holders.append((e.id, s.start + a0, s.start + b0))
            elif speaker is not None:
                for m in _FIRST_PERSON.finditer(s.text):
                    holders.append((speaker.id, s.start + m.start(), s.start + m.end()))
            said = _reported(s, hs, hits_by_sentence.get(idx - 1, []), places)
            pronoun = _PRONOUN.match(s.text)
            if pronoun and idx > 1:
                # "He also insisted ...": the first actor named in the sentence before
                before = [h for h in hits_by_sentence[idx - 1] if h.entry.kind in PARTIES]
                if before:
                    holders.append((before[0].entry.id, s.start, s.start + pronoun.end()))
            own = where[(key, idx)]
            # the stretch a judgement is read in: the sentence, or under a joint title the
            # point that holds the issue's cue ("A is essential; B is not needed")
            lo_p, hi_p = 0, len(s.text)
            if whole and joint == whole:
                points = subjectless(s.text)
                j = bisect_right(points, own) - 1
                lo_p, hi_p = points[j], points[j + 1] if j + 1 < len(points) else len(s.text)
            norm = _NORMATIVE.search(s.text, lo_p, hi_p) or _NEEDLESS.search(s.text, lo_p, hi_p)
            voices = [e.id for e in joint] or ([speaker.id] if speaker is not None else [])
            if voices and norm is not None and said is None:
                # "Accountability is necessary": a statement's own view, with no one named
                # before the judgement, is the speaker's
                if not any(
                    s.start + lo_p <= a < s.start + norm.start() and a not in places
                    for _, a, _ in holders
                ):
                    at = s.start + norm.start()
                    holders.extend((v, at, at) for v in voices)
            # actor, start, end; the stretch whose first cue is the actor's
            voiced: list[tuple[str, int, int, int, int]] = []
            if said is not None:
                voice_, who = said
                lo, hi = voice_.said
                for m in _FIRST_PERSON.finditer(s.text, lo, hi):
                    # "We will not accept it, the minister said": the speaker's "we"
                    holders.extend(
                        (e.id, s.start + m.start(), s.start + m.end()) for e, _, _ in who
                    )
                k = bisect_left(cues, lo)
                if k < len(cues) and cues[k] < hi and _judgement(s.text, cues[k]):
                    first = s.start + cues[k]
                    if not any(
                        s.start + lo <= a < first and a not in places for _, a, _ in holders
                    ):
                        # "A truce is essential, X said": no one named before the
                        # judgement in the reported words: the speaker's
                        voiced.extend((e.id, a0, b0, lo, hi) for e, a0, b0 in who)
            if whole and joint == whole:
                # a communiqué's point that opens on its verb ("Condemned the attack;
                # called for talks"), no one named before its first cue: the issuers'
                # (only the point that holds the issue's cue is read: one per issue)
                p, q = lo_p, hi_p
                lead = _POINT_START.match(s.text, p)
                p = lead.end() if lead is not None else p
                k = bisect_left(cues, p)
                words_said = saying_that(s.text, p)
                if k < len(cues) and cues[k] == p:  # it opens on a cue ("Called for")
                    that = _THAT.match(s.text, p + len(_cue_matches(s.text)[k][2]))
                    if that is not None:
                        # "Reaffirmed that X will ...": the words said hold the stance
                        p = that.end()
                        k = bisect_left(cues, p)
                elif words_said is not None:  # "Emphasised that X is crucial"
                    p = words_said
                    k = bisect_left(cues, p)
                else:
                    k = len(cues)  # it opens on another verb ("Raised concerns ...")
                if k < len(cues) and cues[k] < q:
                    first = s.start + cues[k]
                    if not any(s.start + p <= a < first and a not in places for _, a, _ in holders):
                        voiced.extend((e.id, first, first, p, q) for e in whole)
            holders.sort(key=lambda x: x[1])
            emphasis = bool(_EMPHASIS.search(s.text))
            for aid, a, b, look, until in [(*h, -1, -1) for h in holders] + voiced:
                if look >= 0 and not look <= own < until:
                    continue  # the issue is another stretch's ("Called for X; rejected Y")
                target = cx.actor_id(entries[aid]) if aid in entries else aid
                bucket: str | None = None
                cue = ""
                if target in subj.low:
                    bucket, cue = "min", "structure"
                elif target in subj.high:
                    bucket, cue = "max", "structure"
                author = _AUTHOR.match(s.text, b - s.start)
                agent = _agent_of(s, a - s.start)
                if author is not None and target not in subj.low + subj.high:
                    # "the Union's resolution": its author backs it, wherever it stands
                    bucket, cue = "max", author.group(0)
                elif agent is not None and bucket is None:
                    # "sanctions imposed by the Union": the agent of a passive cue holds it
                    bucket, cue = _negated(s, agent, where[(key, idx)])
                elif look >= 0 or (a not in places and _holds(s, cues, a - s.start)):
                    found = _cue_for(s, look if look >= 0 else b - s.start, where[(key, idx)])
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
        # "unknown" (a party, no cue) is no signal: any cued position outweighs it
        best = max(buckets, key=lambda k: (k != "unknown", buckets[k]))
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
    # a position read off the structure alone gives way to a cued one of the same actor
    # through its leader, or of the leader through his state ("I proposed talks" in the
    # Secretary's remarks: his state's)
    if speaker is not None:
        entries.setdefault(speaker.id, speaker)

    def same(aid: str) -> str:
        return cx.actor_id(entries[aid]) if aid in entries else aid

    cued_for = {(same(st.actor), st.issue) for st in stances if st.position != "unknown"}
    stances = [
        st
        for st in stances
        if not (
            st.position == "unknown"
            and st.cue == "structure"
            and (same(st.actor), st.issue) in cued_for
        )
    ]
    for aid in dict.fromkeys(st.actor for st in stances):
        if aid not in ids:  # the speaker, or an issuer named in the title only
            actors.append(_actor(entries[aid], (), cx))
            ids.add(aid)

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


#: the most parties a joint statement or a speaker's tag is read to name (a bound on the
#: work each "we" costs on a hostile text; a real statement names far fewer)
MAX_VOICES = 20


def _issuers(
    article: Article, gaz: Gazetteer, hits_by_sentence: dict[int, list[Hit]]
) -> tuple[dict[int, tuple[Entry, ...]], tuple[Entry, ...]]:
    """The issuers of a joint statement each sentence belongs to: every party a title
    that reads as one names (for the whole text), else the parties a sentence introducing
    one names ("In a joint statement, A, B and C called for ..."; the first list of
    parties, else those before its first stance cue; two at least), for that sentence and
    the rest of its paragraph."""
    out: dict[int, tuple[Entry, ...]] = {}
    whole = _title_issuers(article, gaz, hits_by_sentence)
    current: tuple[Entry, ...] = ()
    prev_end = -1
    for s in article.sentences:
        if prev_end >= 0 and "\n" in article.text[prev_end : s.start]:
            current = ()
        prev_end = s.end
        intro = joint_intro(s.text)
        if intro is not None:
            hs = [
                h
                for h in hits_by_sentence[s.index]
                if h.entry.kind != "territory"
                and not (h.entry.kind == "state" and _is_place(s, h.start))
            ]
            runs = lists(s.text, [(h.start - s.start, h.end - s.start) for h in hs])
            cues = _cue_starts(s)
            stop = s.start + (cues[0] if cues else len(s.text))
            named = [hs[k] for k in runs[0]] if runs else [h for h in hs if h.start < stop]
            if len(_parties(named)) >= 2:  # a joint statement is of two parties or more
                current = _parties(named)
        if current or whole:
            out[s.index] = current or whole
    return out, whole


#: a verb that introduces what is said ("agreed that ...")
_THAT = re.compile(r"\s+that\b")
#: what may open a communiqué's point before its verb: an enumerator ("1.", "(a)")
_POINT_START = re.compile(r"(?:\(?\w{1,3}[.)])?\s*")
#: the opening sentences where a joint statement's issuers are looked for when its title
#: does not list them ("The text was agreed by the envoys of A, B and C.")
_OPENING = 6


def _title_issuers(
    article: Article, gaz: Gazetteer, hits_by_sentence: dict[int, list[Hit]]
) -> tuple[Entry, ...]:
    """The issuers of a text whose title reads as a joint statement's: the parties its
    title lists before its topic ("Joint Statement of A and B on C"), else the first list
    of parties introduced by "of", "from" or "by" in its opening sentences, else the
    parties its title names; none for any other title."""
    title = article.title
    if not title or not joint_title(title):
        return ()
    cut = title_issuers_end(title)
    named = [
        h for h in gaz.find(title, article.date) if h.end <= cut and h.entry.kind != "territory"
    ]
    runs = lists(title, [(h.start, h.end) for h in named])
    if runs:
        return _parties([named[k] for k in runs[0]])
    if len(_parties(named)) >= 2:
        return _parties(named)
    for s in article.sentences[:_OPENING]:
        hs = [h for h in hits_by_sentence[s.index] if h.entry.kind != "territory"]
        spans = [(h.start - s.start, h.end - s.start) for h in hs]
        for run in lists(s.text, spans):
            if issued_by(s.text, spans[run[0]][0]):
                return _parties([hs[k] for k in run])
    return _parties(named)


def _parties(hits: list[Hit]) -> tuple[Entry, ...]:
    named = dict.fromkeys(h.entry for h in hits if h.entry.kind != "territory")
    return tuple(named)[:MAX_VOICES]


def _reported(
    s: Sentence, hs: list[Hit], before: list[Hit], places: set[int]
) -> tuple[Voice, list[tuple[Entry, int, int]]] | None:
    """Who speaks in sentence ``s`` (:mod:`.speech`): the voice and the actors its
    speaker's span names, each with where (absolute offsets; "he" or "she": the first
    party of the sentence before, at the pronoun), or ``None`` when the sentence reports
    no one's words or names no actor as the speaker."""
    v = _voice(s.text)
    if v is None:
        return None
    a, b = v.who
    who = [
        (h.entry, h.start, h.end)
        for h in hs
        if a <= h.start - s.start
        and h.end - s.start <= b
        and h.entry.kind != "territory"
        and h.start not in places
    ]
    if not who and s.text[a:b].strip() in ("he", "she", "He", "She"):
        parties = [h for h in before if h.entry.kind in PARTIES]
        if parties:
            who = [(parties[0].entry, s.start + a, s.start + b)]
    first = list({w[0].id: w for w in reversed(who)}.values())[::-1][:MAX_VOICES]
    return (v, first) if first else None


@lru_cache(maxsize=256)
def _voice(text: str) -> Voice | None:
    return voice(text)


def _judgement(text: str, at: int) -> bool:
    """Whether the cue at ``at`` of ``text`` is a judgement (something is, or is not,
    necessary), which is the view of whoever says it."""
    return bool(_NORMATIVE.match(text, at) or _NEEDLESS.match(text, at))


#: a word that refers back to what the sentence before was about ("Ukraine is ready for
#: this", "Russia rejected it"), not a time ("this week") nor an opening ("it is clear")
_ANAPHOR = re.compile(
    r"\b(?:[Tt]his|[Tt]hese|[Ss]uch|[Tt]he same|it)\b(?! (?:is|was) \w+ (?:that|to)\b)"
    r"(?! (?:week|weekend|year|month|morning|afternoon|evening|time|day|spring|summer|"
    r"autumn|fall|winter)\b)"
)


def _carry_over(
    article: Article, evidence: dict[str, list[int]], where: dict[tuple[str, int], int]
) -> None:
    """A sentence that fires no template but states a stance on "this" (a word that refers
    back) is about what the sentence before it in the same paragraph was about: it joins
    those issues' evidence (in place)."""
    about: dict[int, list[str]] = defaultdict(list)
    for key, idxs in evidence.items():
        for i in idxs:
            about[i].append(key)
    touched: set[str] = set()
    for s in article.sentences[1:]:
        if s.index in about:
            continue
        prev = article.sentence(s.index - 1)
        if not about.get(prev.index) or "\n" in article.text[prev.end : s.start]:
            continue
        ref = _ANAPHOR.search(s.text)
        if ref is None or not _cue_starts(s):
            continue
        for key in about[prev.index]:
            evidence[key].append(s.index)
            where[(key, s.index)] = ref.start()
            about[s.index].append(key)
            touched.add(key)
    for key in touched:  # once, not after each sentence (quadratic on a long chain)
        evidence[key].sort()


#: the words before a state that make it a place, not an actor holding a view ...
_IN_PLACE = re.compile(
    r"\b(?:[Ii]n|[Ii]nto|[Ii]nside|[Aa]cross|[Tt]hroughout|[Ww]ithin)\s+(?:the\s+)?$"
)
#: ... unless they name people there ("our friends in France")
_PEOPLE_IN = re.compile(
    r"\b(?:friends|partners|allies|colleagues|counterparts|officials|leaders|authorities|"
    r"government|people|those)\s+in\s+(?:the\s+)?$"
)


def _is_place(s: Sentence, at: int) -> bool:
    """Whether the state named at absolute offset ``at`` of ``s`` is named as a place
    ("atrocities in Sudan"), which holds no view, rather than as an actor."""
    before = s.text[max(0, at - s.start - 40) : at - s.start]
    return bool(_IN_PLACE.search(before)) and not _PEOPLE_IN.search(before)


def _negated(s: Sentence, found: tuple[str, str], issue_at: int) -> tuple[str, str]:
    """A support or opposition cue whose object is negated ("demands that Ukraine never
    join"): the other end."""
    bucket, cue = found
    if _negated_before(s.text, cue, issue_at):
        return _FLIP.get(bucket, bucket), cue
    return found


@lru_cache(maxsize=256)
def _negated_before(text: str, cue: str, issue_at: int) -> bool:
    at = text.find(cue)
    return 0 <= at < issue_at and bool(
        re.search(r"\b(?:not|never|no longer|n't)\b", text[at + len(cue) : issue_at])
    )


def _merged(a: Subject, b: Subject) -> Subject:
    """Subject ``a`` (its words) with the actors ``b`` places as well."""
    return replace(
        a,
        low=tuple(dict.fromkeys(a.low + b.low)),
        high=tuple(dict.fromkeys(a.high + b.high)),
        parties=tuple(dict.fromkeys(a.parties + b.parties)),
    )


def _by_id(gaz: Gazetteer, counts: Counter[str]) -> Entry:
    """The most mentioned state: the contest's main theatre, where an issue names none."""
    return gaz.entries[counts.most_common(1)[0][0]]


@lru_cache(maxsize=64)
def _cue_matches(text: str) -> list[tuple[int, str, str]]:
    """Every stance cue of a sentence's text: (start, pole, words), in order (computed once
    per sentence, not once per actor in it; the first word read in lower case)."""
    low = _first_lower(text)
    return sorted((m.start(), pole, m.group(0)) for rx, pole in _CUES for m in rx.finditer(low))


#: a sentence's first word, after an enumerator ("1.", "(a)"): a cue there is capitalised
#: ("Called for talks", a communiqué's point)
_FIRST_WORD = re.compile(r"(?:\(?\w{1,3}[.)]\s+)?([A-Z])(?=[a-z])")


def _first_lower(text: str) -> str:
    """``text`` with its first word's capital in lower case (the same offsets)."""
    m = _FIRST_WORD.match(text)
    if m is None:
        return text
    i = m.start(1)
    return text[:i] + text[i].lower() + text[i + 1 :]


def _cue_starts(s: Sentence) -> list[int]:
    return [at for at, _, _ in _cue_matches(s.text)]


@lru_cache(maxsize=64)
def _opening_end(text: str) -> int:
    """Where an opening subordinate clause of a sentence's text ends (-1: none)."""
    opening = _SUBORDINATE.match(text)
    return -1 if opening is None else opening.end()


_CLAUSE = re.compile(
    r"[;:]|, (?:and|but|while|whereas)\b|\b(?:but|while|whereas|despite|although|though|"
    r"because|unless)\b|\."
)
#: a sentence that opens on a subordinate clause ("If Russia agrees, France is ready"):
#: its first comma ends that clause
_SUBORDINATE = re.compile(
    r"^(?:If|When|Whenever|While|Although|Though|As long as|Once|Unless|Since|Because|After|"
    r"Before|Despite|Even if|Provided that)\b[^,]*,"
)


def _holds(s: Sentence, cues: list[int], start: int) -> bool:
    """Whether the actor named at ``start`` (relative) can hold the next cue's stance: no
    cue comes before it in its clause (else it is that cue's object). A clause ends at
    ";", ":", a full stop, "but", "while", "despite", "although", "because" ..., and at the
    comma that closes an opening subordinate clause ("If X agrees, Y ...")."""
    k = bisect_left(cues, start)
    if not k:
        return True
    last = cues[k - 1]  # the last cue before the actor
    if last < _opening_end(s.text) <= start:
        return True
    return _within(_CLAUSE, s.text, last, start)


def _actor(e: Entry, mentions: tuple[Mention, ...], cx: Context) -> ActorFinding:
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
