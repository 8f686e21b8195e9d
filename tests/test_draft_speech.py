"""Reported speech and joint statements in the rules extractor, each on a short made-up
text: a tag at the end ("..., the minister said."), its inverted and "according to"
forms, a lead-in ("X said that ..."), a joint statement's issuers (from its title, from
its opening, from a sentence that introduces one) and a communiqué's points that open on
their verb."""

from __future__ import annotations

import pytest
from draft_helpers import findings as _findings
from draft_helpers import positions as _positions

from realpolitik.draft import DraftError
from realpolitik.draft.speech import lists, voice


def _held(text: str) -> dict[tuple[str, str], str]:
    """The positions drafted from ``text``; none when it holds no issue anyone holds."""
    try:
        return _positions(_findings(text))
    except DraftError:
        return {}


@pytest.mark.parametrize(
    ("text", "who", "said"),
    [
        ("A truce is essential, the Egyptian foreign minister said.", "Egyptian", "A truce"),
        ("We reject it, Russia's envoy told reporters on Monday.", "Russia's envoy", "We"),
        ("We reject it, said Jane Doe, a minister.", "Jane Doe", "We"),
        ("We reject it, the minister, Jane Doe, said.", "Jane Doe", "We"),
        ("A truce is essential, according to Qatar.", "Qatar", "A truce"),
        ("Egypt said that a truce is essential.", "Egypt", "a truce"),
        ("According to Qatar, a truce is essential.", "Qatar", "a truce"),
    ],
)
def test_the_forms_of_reported_speech(text: str, who: str, said: str) -> None:
    v = voice(text)
    assert v is not None
    assert who in text[v.who[0] : v.who[1]]
    assert text[v.said[0] : v.said[1]].strip().startswith(said)


@pytest.mark.parametrize(
    "text",
    [
        "Egypt rejected the truce, which Qatar said was unfair, and left the talks early.",
        "The photograph posted by Egypt was widely shared.",
        "A truce is essential, and Egypt is ready, whatever the cost.",
    ],
)
def test_what_is_not_a_speakers_tag(text: str) -> None:
    v = voice(text)
    assert v is None or "Egypt" not in text[v.said[0] : v.said[1]]


def test_a_judgement_then_a_tag_is_the_speakers():
    f = _findings("A ceasefire in Gaza is not necessary, Russia's foreign minister told reporters.")
    assert _positions(f)[("russia", "ceasefire-gaza")] == "min"
    # without the tag no one holds the judgement (Russia is not its speaker)
    assert ("russia", "ceasefire-gaza") not in _held(
        "Russia's envoy arrived. A ceasefire in Gaza is not necessary."
    )


def test_we_in_reported_words_is_the_speaker():
    f = _findings("We reject a ceasefire in Gaza, the Russian foreign minister said.")
    assert _positions(f)[("russia", "ceasefire-gaza")] == "min"
    f = _findings("We reject a ceasefire in Gaza, said the Russian foreign minister.")
    assert _positions(f)[("russia", "ceasefire-gaza")] == "min"


def test_a_party_named_in_the_reported_words_keeps_its_own_stance():
    f = _findings("Hamas rejects a ceasefire in Gaza, Egypt said.")
    pos = _positions(f)
    assert pos[("hamas", "ceasefire-gaza")] == "min"
    assert ("egypt", "ceasefire-gaza") not in pos  # the speaker only reports it


def test_according_to_and_a_pronoun_speaker():
    f = _findings("A ceasefire in Gaza is essential, according to Qatar.")
    assert _positions(f)[("qatar", "ceasefire-gaza")] == "max"
    f = _findings("Egypt hosted the envoys. A ceasefire in Gaza is not necessary, she said.")
    assert _positions(f)[("egypt", "ceasefire-gaza")] == "min"


def test_a_lead_in_with_a_that_clause():
    f = _findings("Egypt said that a ceasefire in Gaza is essential.")
    assert _positions(f)[("egypt", "ceasefire-gaza")] == "max"
    # a subject of its own in the clause still takes the cue: Hamas's, not Egypt's
    f = _findings("Egypt said that Hamas rejects a ceasefire in Gaza.")
    pos = _positions(f)
    assert pos[("hamas", "ceasefire-gaza")] == "min"
    assert pos.get(("egypt", "ceasefire-gaza")) != "min"


def test_a_sentence_introducing_a_joint_statement():
    f = _findings(
        "Envoys meet in Paris\n\n"
        "In a joint statement, France, Germany and Italy welcomed the talks. "
        "We reject a ceasefire in Gaza, the statement added. "
        "The signatories support elections in Lebanon.\n\n"
        "We support sanctions on Iran."
    )
    pos = _positions(f)
    for state in ("france", "germany", "italy"):
        assert pos[(state, "ceasefire-gaza")] == "min"
        assert pos[(state, "elections-lebanon")] == "max"
    # a new paragraph: the joint statement's "we" is no longer theirs
    assert not any(k[1].startswith("sanctions") and k[0] == "france" for k in pos)


def test_one_party_is_no_joint_statement():
    pos = _held(
        "Envoys meet in Paris\n\n"
        "In a joint statement, France welcomed the talks. We reject a ceasefire in Gaza."
    )
    assert ("france", "ceasefire-gaza") not in pos


def test_a_joint_statements_title_names_its_issuers():
    f = _findings(
        "Joint Statement of France and Germany on Lebanon\n\n"
        "We support elections in Lebanon. A ceasefire in Gaza is essential."
    )
    pos = _positions(f)
    for state in ("france", "germany"):
        assert pos[(state, "elections-lebanon")] == "max"
        assert pos[(state, "ceasefire-gaza")] == "max"
    assert ("lebanon", "elections-lebanon") not in pos or pos[
        ("lebanon", "elections-lebanon")
    ] == "unknown"  # the topic, not an issuer


def test_a_communiques_issuers_from_its_opening_and_its_subjectless_points():
    f = _findings(
        "Communiqué of the Envoys for Lebanon\n\n"
        "The text was agreed by the envoys of France, Germany and Norway in Oslo.\n\n"
        "1. Called for elections in Lebanon; and rejected a ceasefire in Gaza.\n\n"
        "2. Noted that Iran rejects talks with Israel."
    )
    pos = _positions(f)
    for state in ("france", "germany", "norway"):
        assert pos[(state, "elections-lebanon")] == "max"
        assert pos[(state, "ceasefire-gaza")] == "min"
        assert not any(k[0] == state and k[1].startswith("talks") for k in pos)
    assert pos[("iran", next(k[1] for k in pos if k[1].startswith("talks")))] == "min"


def test_a_communiques_point_must_open_on_its_verb():
    f = _findings(
        "Joint Statement of France and Germany\n\n"
        "Emphasised that a ceasefire in Gaza is essential; "
        "raised concerns about the elections in Lebanon, which Egypt supports."
    )
    pos = _positions(f)
    for state in ("france", "germany"):
        # "emphasised that": the words said hold the stance, and they are the issuers'
        assert pos[(state, "ceasefire-gaza")] == "max"
        # a cue deep in a point that opens on another verb is not the issuers'
        assert (state, "elections-lebanon") not in pos
    assert pos[("egypt", "elections-lebanon")] == "max"


def test_stressing_the_importance_of_something_backs_it():
    f = _findings(
        "Communiqué of France and Germany\n\n"
        "Stressed the importance of talks between Serbia and Kosovo; "
        "a ceasefire in Gaza is not necessary."
    )
    pos = _positions(f)
    talks = next(k[1] for k in pos if k[1].startswith("talks"))
    for state in ("france", "germany"):
        assert pos[(state, talks)] == "max"
        # the judgement of the other point is on its own issue, not on the talks
        assert pos[(state, "ceasefire-gaza")] == "min"
    f = _findings("Egypt underlined the need for a ceasefire in Gaza.")
    assert _positions(f)[("egypt", "ceasefire-gaza")] == "max"


def test_lists_of_parties():
    text = "the envoys for Chad from the EU, France, Norway and the UK met"
    names = ["Chad", "EU", "France", "Norway", "UK"]
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    assert lists(text, spans) == [[1, 2, 3, 4]]
