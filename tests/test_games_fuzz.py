"""Fuzzing the game readers: the YAML game reader and the ``.efg`` reader, on mutations of
real files and on arbitrary text. Whatever the input, the reader returns a game or raises
one of our errors (a :class:`~realpolitik.errors.RealpolitikError`, which the command line
shows as bad input, exit code 2); any other exception, or a read that takes longer than
:data:`PATIENCE` seconds, fails the test. Bounded in time: a fixed number of examples, none
of which may hang. No pygambit is needed: reading never runs it."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.errors import RealpolitikError
from realpolitik.games import builtins, parse_efg, parse_game
from realpolitik.games.size import measure

DATA = Path(__file__).parent / "data" / "games"
#: the most seconds one read may take
PATIENCE = 10

EFG_SEEDS = [
    (DATA / name).read_text(encoding="utf-8")
    for name in ("artist1.efg", "montyhal.efg", "cs.efg", "bayes2a.efg")
] + [
    'EFG 2 R "small" { "A" "B" }\n"a comment"\n'
    'c "root" 1 "nature" { "h" 1/2 "t" 0.5 } 0\n'
    'p "x" 1 1 "s" { "l" "r" } 1 "inner" { 1, -1 }\n'
    't "" 2 "o2" { 3 2 }\nt "" 0\n'
    'p "y" 2 1 "" { "l" "r" } 0\nt "" 3 "o3" { 1e2 -2.5 }\nt "" 2\n'
]
YAML_SEEDS = [builtins.path(name).read_text(encoding="utf-8") for name in builtins.names()]

EFG_TOKENS = [
    "EFG", "2", "R", "D", "c", "p", "t", '""', '"x"', '"a\\"b"', '"', "\\", "{", "}", ",",
    "0", "1", "2", "3", "99999999999", "-1", "+1", "-", "1/2", "1/0", "0.5", ".5", "1e5",
    "1e999999", "1.5e-3", "1/", "e", "\n", " ", "\t", "\x00", "é", "\U0001f600",
]  # fmt: skip
YAML_TOKENS = [
    "\n", " ", "- ", ": ", "{", "}", "[", "]", "&a ", "*a", "!!binary ", "!!python/object ",
    "id", "nodes", "players", "actions", "to", "infoset", "payoffs", "probability",
    "chance", "1e308", "-1", "0.5", "1/0", "q * 2", "10**999", "~", "null", "true", "'",
    '"', "#", "\t", "\x00", "é", "x" * 300,
]  # fmt: skip


class Hang(Exception):
    """A read took longer than PATIENCE seconds."""


@contextlib.contextmanager
def patience(seconds: float = PATIENCE) -> Iterator[None]:
    """Raise :class:`Hang` in the body after ``seconds`` (a hang fails the test)."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"a read took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str], tokens: list[str]) -> str:
    """A seed file with a few edits: a slice deleted, repeated or moved, tokens inserted."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 200)))
        edit = draw(st.sampled_from(["delete", "repeat", "insert", "replace", "cut"]))
        if edit == "delete":
            text = text[:i] + text[j:]
        elif edit == "repeat":
            text = text[:j] + text[i:j] * draw(st.integers(1, 3)) + text[j:]
        elif edit == "insert":
            text = (
                text[:i] + "".join(draw(st.lists(st.sampled_from(tokens), max_size=5))) + text[i:]
            )
        elif edit == "replace":
            text = text[:i] + draw(st.sampled_from(tokens)) + text[j:]
        else:
            text = text[:i]
    return text


def check_efg(text: str) -> None:
    with patience():
        try:
            game = parse_efg(text, "fuzz.efg")
        except RealpolitikError:
            return
        # what was read is a game the rest can use: evaluated, measured
        try:
            tree = game.tree()
        except RealpolitikError:
            return
        assert measure(tree).nodes == len(game.nodes)


def check_yaml(text: str) -> None:
    with patience():
        try:
            game = parse_game(text, "fuzz.yaml")
        except RealpolitikError:
            return
        try:
            tree = game.tree()
        except RealpolitikError:
            return
        assert measure(tree).nodes == len(game.nodes)


FUZZ = settings(
    max_examples=150,
    deadline=None,  # the patience above is the bound; the machine may be busy
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "setitimer"), reason="the hang guard needs signal.setitimer (POSIX)"
)


@FUZZ
@given(mutated(EFG_SEEDS, EFG_TOKENS))
def test_efg_reader_on_mutated_files(text):
    check_efg(text)


@FUZZ
@given(st.lists(st.sampled_from(EFG_TOKENS), max_size=80))
def test_efg_reader_on_token_soup(tokens):
    check_efg('EFG 2 R "soup" { "A" "B" }\n' + " ".join(tokens))


@FUZZ
@given(st.text(max_size=400))
def test_efg_reader_on_any_text(text):
    check_efg(text)


@FUZZ
@given(mutated(YAML_SEEDS, YAML_TOKENS))
def test_game_reader_on_mutated_files(text):
    check_yaml(text)


@FUZZ
@given(st.text(max_size=400))
def test_game_reader_on_any_text(text):
    check_yaml(text)


def test_the_hang_guard_fires():
    """The guard itself: a body that does not return in time fails."""
    with pytest.raises(Hang), patience(0.2):
        while True:
            sys.getrecursionlimit()
