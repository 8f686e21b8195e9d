"""The rules drafter on hostile input: no regular expression or loop that takes
exponential or quadratic time on long runs of words, a huge paragraph or a huge sentence,
and a bounded draft however many people an article introduces (each test would take
minutes, or fail, before its fix)."""

from __future__ import annotations

import datetime as dt
import time

from realpolitik.draft import draft_text
from realpolitik.draft.article import split_sentences

WHEN = dt.date(2023, 6, 1)


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def test_a_long_paragraph_splits_in_linear_time():
    # every full stop looked back over the whole line for an abbreviation
    text = "Russia rejected the plan. " * 12_000  # 310 kB, one line
    sentences, took = _timed(split_sentences, text.strip())
    assert len(sentences) == 12_000
    assert took < 2.0


def test_a_run_of_capitalised_words_before_a_passive_agent():
    # "signed by A B C ... of Ukraine": the agent's pattern split the run of words in every
    # possible way (2^30 here) before failing on "of"
    from realpolitik.draft.rules import _BY

    window = "signed by " + "A " * 26 + "of "
    _, took = _timed(_BY.search, window)
    assert took < 0.5
    f, took = _timed(
        lambda: (
            draft_text(
                "Russia rejected the Minsk agreement signed by " + "A " * 30 + "of Ukraine.",
                when=WHEN,
            ).findings
        )
    )
    assert took < 5.0
    assert {(s.actor, s.position) for s in f.stances} >= {("russia", "min")}
    # a list of agents still holds the passive cue
    assert _BY.search("signed by Serbia, Kosovo and the ") is not None


def test_a_long_capitalised_word_before_an_agreement_or_a_corridor():
    from realpolitik.draft.templates import _CORRIDOR_NAME, _TREATY

    word = "A" * 20_000 + "!"
    for rx in (_TREATY, _CORRIDOR_NAME):
        _, took = _timed(list, rx.finditer(word))
        assert took < 0.5, rx.pattern
    assert _TREATY.search("under the Minsk Agreement").group(1) == "Minsk "
