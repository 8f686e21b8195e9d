"""The rules drafter on hostile input: no regular expression or loop that takes
exponential or quadratic time on long runs of words, a huge paragraph or a huge sentence,
and a bounded draft however many people an article introduces (each test would take
minutes, or fail, before its fix). Hangs are caught as the fuzz tests catch them, by an
alarm far above the time each takes now (a hang guard, not a timing: speed is measured in
benchmarks/), or by counting the work done."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hang import alarm

from realpolitik.draft import draft_text
from realpolitik.draft.article import split_sentences
from realpolitik.errors import InputError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the alarm needs SIGALRM")

WHEN = dt.date(2023, 6, 1)


def _finishes(fn: Callable[..., Any], *args: Any, hang: int = 60) -> tuple[Any, None]:
    """``fn(*args)``, failing with :class:`Hang` if it runs past ``hang`` seconds (each call
    here takes at most a few seconds now; before its fix, minutes or forever)."""
    with alarm(hang):
        return fn(*args), None


def test_a_long_paragraph_splits_in_linear_time():
    # every full stop looked back over the whole line for an abbreviation
    text = "Russia rejected the plan. " * 12_000  # 310 kB, one line
    sentences, _ = _finishes(split_sentences, text.strip())
    assert len(sentences) == 12_000


def test_a_run_of_capitalised_words_before_a_passive_agent():
    # "signed by A B C ... of Ukraine": the agent's pattern split the run of words in every
    # possible way (2^30 here) before failing on "of"
    from realpolitik.draft.rules import _BY

    window = "signed by " + "A " * 26 + "of "
    _finishes(_BY.search, window)
    f, _ = _finishes(
        lambda: (
            draft_text(
                "Russia rejected the Minsk agreement signed by " + "A " * 30 + "of Ukraine.",
                when=WHEN,
            ).findings
        )
    )
    assert {(s.actor, s.position) for s in f.stances} >= {("russia", "min")}
    # a list of agents still holds the passive cue
    assert _BY.search("signed by Serbia, Kosovo and the ") is not None


def test_a_long_capitalised_word_before_an_agreement_or_a_corridor():
    from realpolitik.draft.templates import _CORRIDOR_NAME, _TREATY

    word = "A" * 20_000 + "!"
    for rx in (_TREATY, _CORRIDOR_NAME):
        _finishes(list, rx.finditer(word))
    assert _TREATY.search("under the Minsk Agreement").group(1) == "Minsk "


def test_the_people_an_article_introduces_are_bounded():
    from realpolitik.draft.names import MAX_NAMES

    def name(k: int) -> str:
        letters = "bcdfghklmnprstvz"
        return "".join(letters[(k >> (4 * j)) % 16] + "aeiou"[j] for j in range(4)).capitalize()

    text = " ".join(
        f"The opposition politician {name(k)} {name(k + 7919)} rejected the Minsk agreement."
        for k in range(3000)
    )
    f, _ = _finishes(lambda: draft_text(text, when=WHEN).findings)
    others = [a for a in f.actors if a.kind == "other"]
    assert 0 < len(others) <= MAX_NAMES


def test_names_that_are_not_people():
    f = draft_text(
        "Last Week, a senior diplomat backed the Minsk agreement. The Forward party rejected "
        "the Minsk agreement. The opposition leader Jane Doe's allies backed the Minsk "
        "agreement. The activist Ann Smith and the lawmaker Bob Smith spoke. Smith rejected "
        "the Minsk agreement. The politician " + "Ab" * 40 + " Cole backed the Minsk agreement.",
        when=WHEN,
    ).findings
    ids = {a.id for a in f.actors}
    assert "last-week" not in ids  # an opening phrase, not a person
    assert "forward-party" in ids  # "The" is not part of the party's name
    assert "jane-doe" in ids and not any("doe-s" in i for i in ids)  # a possessive
    # "Smith" alone is Ann's or Bob's: neither holds the stance of "Smith rejected"
    held = {(s.actor, s.position) for s in f.stances}
    assert ("ann-smith", "min") not in held and ("bob-smith", "min") not in held
    assert all(len(a.id) <= 64 for a in f.actors)  # the draft validated, too


def test_one_huge_sentence_of_many_actors_and_cues():
    # each actor's cue was looked for by listing every cue to the end of the sentence:
    # 87 s for this 100 kB sentence
    shapes = (
        "Russia demands that Ukraine never join NATO, "
        "if Serbia agrees to normalise relations with Kosovo, Germany and France stand ready "
        "to host the talks, the deal signed by Armenia and Azerbaijan was welcomed by the "
        "European Union, the opposition politician Jane Doe, a Ruritanian lawmaker, called "
        "for elections in Georgia and Doe said the Forward party would boycott the vote "
        "while accountability for atrocities in Sudan is essential and Iran's proposal for "
        "talks with the United States was rejected although despite sanctions imposed by the "
        "European Union on Russia the troops in Ukraine stayed "
    )
    text = shapes * (100_000 // len(shapes)) + "."
    f, _ = _finishes(lambda: draft_text(text, when=WHEN).findings)
    assert len(f.article.sentences) == 1 and f.stances


def test_a_huge_word_makes_no_invalid_id():
    # "the Aaaa...a Agreement": the issue's id was the word's slug, thousands of letters
    f = draft_text(
        "Russia rejected the "
        + "A" * 5000
        + " Agreement. Ukraine backed the "
        + "A" * 5000
        + " Agreement. France backed the "
        + "B" * 3000
        + " corridor.",
        when=WHEN,
    ).findings
    assert f.issues and all(len(i.id) <= 64 for i in f.issues)


def test_a_long_chain_of_sentences_on_this():
    # each sentence carried over re-sorted its issue's whole evidence
    from realpolitik.draft.article import parse_article
    from realpolitik.draft.rules import _carry_over

    class Counted(list):  # type: ignore[type-arg]
        sorts = 0

        def sort(self, *args: Any, **kwargs: Any) -> None:
            Counted.sorts += 1
            super().sort(*args, **kwargs)

    art = parse_article("Russia rejected the deal. " + "France rejected this. " * 2_000)
    evidence: dict[str, list[int]] = {"treaty": Counted([1])}
    _carry_over(art, evidence, {})
    assert evidence["treaty"] == list(range(1, 2_002))
    assert Counted.sorts == 1  # once for the chain, not once a sentence


def test_an_article_text_beyond_the_file_bound_is_refused():
    """The API's text has the file reader's bound (2 MB): a clear error, not minutes of
    work."""
    from realpolitik.draft.article import MAX_BYTES

    with pytest.raises(InputError, match="too large for an article"):
        draft_text("Russia rejected the deal. " * (MAX_BYTES // 20), when=WHEN)
    with pytest.raises(InputError, match="too large for an article"):
        draft_text("\u00e9" * (MAX_BYTES // 2 + 1), when=WHEN)  # 2 bytes a character
    with pytest.raises(InputError, match="expected the article's text"):
        draft_text(b"Russia rejected the deal.", when=WHEN)  # type: ignore[arg-type]


def test_reported_speech_on_long_runs_of_words_and_commas():
    # every pattern of speech.py on 100 kB without a full stop: tags are looked for in
    # the last 160 characters, lead-ins in the first 120, lists in one pass
    from realpolitik.draft.speech import collective, joint_intro, lists, subjectless, voice

    for run in (
        "the minister, " * 7_200,
        "said, according to, " * 5_000,
        "France, and the " * 6_300,
        "in a joint statement; we " * 4_000,
    ):
        _finishes(voice, run)
        _finishes(voice, run + " Egypt said.")
        _finishes(joint_intro, run)
        _finishes(collective, run)
        _finishes(subjectless, run)
        spans = [(m, m + 6) for m in range(0, len(run) - 6, 16)]
        _finishes(lists, run, spans)


def test_a_huge_joint_statement_and_its_points():
    # a joint title, a sentence introducing a statement of thousands of parties, then
    # thousands of "we" and of points: the issuers are bounded (MAX_VOICES) and each
    # issue reads one point, so the work grows with the text, not with its square
    parties = "France, Germany, Italy, Norway, Spain, Poland, Austria and Greece, " * 400
    text = (
        "Joint Statement of France and Germany\n\n"
        f"In a joint statement, {parties}called for talks with Iran. "
        + "We reject sanctions on Iran; " * 3_000
        + "called for elections in Lebanon; " * 3_000
        + "a ceasefire in Gaza is essential, Egypt's envoy said."
    )
    f, _ = _finishes(lambda: draft_text(text, when=WHEN).findings)
    assert f.stances
    # a run of tags with no words said before them
    text = "Egypt met Qatar. " + "A ceasefire in Gaza is essential, Qatar said. " * 2_000
    f, _ = _finishes(lambda: draft_text(text, when=WHEN).findings)
    assert any(s.actor == "qatar" and s.position == "max" for s in f.stances)


def test_thousands_of_we_before_one_cue():
    # each "we" of a joint statement (times its issuers) or of a speaker looked for a
    # "that" clause or a hedge all the way to the one cue at the end: the square of the
    # sentence's length (minutes on 100 kB); now each looks its span up among the
    # sentence's matches, found once
    joint = (
        "Joint Statement of France, Germany, Italy, Spain and Poland\n\n"
        + "we our us the signatories " * 4_000
        + "support sanctions on Iran."
    )
    f, _ = _finishes(lambda: draft_text(joint, when=WHEN).findings, hang=20)
    assert any(s.actor == "france" and s.position == "max" for s in f.stances)
    remarks = "Remarks by Secretary Blinken\n\n" + "we " * 30_000 + "support sanctions on Iran."
    f, _ = _finishes(lambda: draft_text(remarks, when=WHEN).findings, hang=20)
    assert f.stances


def test_thousands_of_we_after_one_cue():
    # each "we" after the cue looked for the end of a clause all the way back to it
    text = "Remarks by Secretary Blinken\n\nIran supports sanctions " + "we " * 30_000 + "."
    f, _ = _finishes(lambda: draft_text(text, when=WHEN).findings, hang=20)
    assert f.stances
