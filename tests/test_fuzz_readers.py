"""Fuzzing the readers: scenario YAML, one-issue CSV, KTAB CSV, DEU files, ``--set``, a
folder of scenario tables and the article a draft is made from.

Hypothesis mutates valid inputs with the pieces hostile inputs are made of (foreign tags,
aliases, huge and foreign numbers, control characters, brackets, ids of the wrong type).
Whatever it makes, a reader either returns a result (and a scenario it returns forecasts)
or raises one of the library's errors (:class:`~realpolitik.errors.RealpolitikError`): any
other exception fails the test, and so does a hang (an alarm stops any example that runs
past :data:`HANG` seconds). Bounded in time: a fixed number of examples per reader
(:data:`EXAMPLES`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hang import Hang, alarm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import realpolitik as rp
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.csv_io import parse_csv
from realpolitik.scenario.deu import deu_scenarios, parse_deu
from realpolitik.scenario.interventions import intervene, parse_intervention
from realpolitik.scenario.ktab_io import parse_ktab_csv
from realpolitik.scenario.yaml_io import parse_yaml

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text()
KTAB = (
    "Fuzz,a fuzzed scenario,3,2\n"
    "Actor,Description,Power,Pos1,Sal1,Pos2,Sal2\n"
    "A,Alpha,100,10,50,30,30\n"
    "B,Beta,50,50,30,60,30\n"
    "C,,25,90,20,40,70\n"
)
CSV = "actor,capability,position,salience\nA,1,10,50\nB,2,90,50\nC,1,40,20\n"
HANG = 20  # seconds: far beyond what any reader takes on these inputs
#: examples per reader; REALPOLITIK_FUZZ_EXAMPLES=5000 for a longer campaign
EXAMPLES = int(os.environ.get("REALPOLITIK_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: what hostile inputs are made of
PIECES = [
    "!!binary aTk=", "!!set {a}", "!!omap [{a: 1}]", "!!python/object/apply:os.system [ls]",
    "!!float 1_000", "!!int 0x10", "!local x", "!!str", "!!timestamp 2020-01-01",
    "&a [1, 2]", "*a", "<<: *a", "[", "]", "{", "}", ",", ":", "- ", "? ", "'", '"', "#",
    "9" * 310, "-" + "9" * 400, "1e400", "-1e400", ".nan", ".inf", "1_000", "0x10", "0o7",
    "\u0661\u0662", "\uff11\uff12", "1\u00a0000", "1e-400", "100.0000001", "-0", "+5",
    "\x00", "\x1b[2J", "\u202e", "\x85", "\ufeff", "\t", "\n", "\r\n", "  ", "~", "null",
    "true", "yes", "[i1]", "{x: 1}", "i1", "a", "s", "x" * 300, "2022-02-30", "",
]  # fmt: skip
piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=8))


@contextmanager
def _alarm() -> Iterator[None]:
    with alarm(HANG):  # (HANG read when called: a test lowers it)
        yield


def _ours(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, or ``None`` if it raised one of the library's errors; any other
    exception (or a hang) propagates and fails the test."""
    with _alarm():
        try:
            return fn(*args)
        except RealpolitikError:
            return None


@st.composite
def mutated(draw: st.DrawFn, text: str, separators: str = "") -> str:
    """``text`` with up to 4 spans replaced by hostile pieces (or cells, after a
    separator)."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if separators and draw(st.booleans()):  # a cell's content replaced
            starts = [k + 1 for k, c in enumerate(text) if c in separators]
            at = draw(st.sampled_from(starts)) if starts else at
        cut = draw(st.integers(0, 12))
        text = text[:at] + draw(piece) + text[at + cut :]
    return text


def _forecast_if_read(sc: Any) -> None:
    """A scenario that was read must forecast (the cheapest model): a correct result."""
    if sc is not None:
        fc = _ours(rp.forecast, sc, "compromise")
        assert fc is not None, "a scenario that validates must forecast"


@FUZZ
@given(mutated(MINIMAL, separators=":,{[\n"))
def test_the_yaml_reader(text):
    _forecast_if_read(_ours(parse_yaml, text, "fuzz.yaml"))


@FUZZ
@given(mutated(CSV, separators=",\n"))
def test_the_csv_reader(text):
    _forecast_if_read(_ours(parse_csv, text, "fuzz.csv"))


@FUZZ
@given(mutated(KTAB, separators=",\n"))
def test_the_ktab_reader(text):
    _forecast_if_read(_ours(parse_ktab_csv, text, "fuzz.csv"))


def _deu_text() -> str:
    """The header and the first three rows of the synthetic DEU file."""
    lines = (DATA / "deu-synthetic.tsv").read_text().splitlines(keepends=True)
    return "".join(lines[:4])


DEU = _deu_text()


@FUZZ
@given(mutated(DEU, separators="\t\n"))
def test_the_deu_reader(text):
    table = _ours(parse_deu, text, "fuzz.tsv")
    if table is not None:  # its scenarios forecast
        built = _ours(deu_scenarios, table)
        for issue in built.issues if built is not None else ():
            _forecast_if_read(issue.scenario)


SETS = ["a.capability*=0.5", "b.i1.position=40@2", "c.i2.salience+=10", "a.i1.position-=5"]
SCENARIO = rp.load(DATA / "minimal.yaml")


@FUZZ
@given(st.sampled_from(SETS).flatmap(lambda s: mutated(s, separators=".=@*+-")))
def test_set(text):
    if _ours(parse_intervention, text) is not None:
        sc = _ours(intervene, SCENARIO, [text])
        _forecast_if_read(sc)


EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
TABLES = {p.name: p.read_text(encoding="utf-8") for p in (EXAMPLES_DIR / "iran-2015").glob("*.csv")}


@FUZZ
@given(
    st.sampled_from(sorted(TABLES)).flatmap(
        lambda name: st.tuples(st.just(name), mutated(TABLES[name], separators=",\n"))
    )
)
def test_a_folder_of_tables(case):
    """One table of the Iran-talks example mutated: the folder reads as a scenario that
    forecasts, or is refused with our error."""
    import tempfile

    name, text = case
    with tempfile.TemporaryDirectory() as d:
        for other, content in TABLES.items():
            Path(d, other).write_text(text if other == name else content, encoding="utf-8")
        _forecast_if_read(_ours(rp.load, d))


ARTICLE = (EXAMPLES_DIR / "belgrade-pristina-2023.txt").read_text(encoding="utf-8")


@FUZZ
@given(mutated(ARTICLE[:1500], separators=" .\n"))
def test_the_article_of_a_draft(text):
    """An article mutated: a draft that validates (and forecasts), or our error."""
    import datetime as dt

    from realpolitik.draft import draft_text

    made = _ours(lambda t: draft_text(t, when=dt.date(2023, 3, 1)), text)
    if made is not None:
        _forecast_if_read(made.scenario)


def test_the_fuzzers_reach_both_outcomes():
    """The inputs are neither all refused nor all read: the mutations test the readers."""
    assert _ours(parse_yaml, MINIMAL, "ok.yaml") is not None
    assert _ours(parse_yaml, MINIMAL.replace("i1,", "!!binary aTk=,", 1), "bad.yaml") is None
    table = _ours(parse_deu, DEU, "ok.tsv")
    assert table is not None and _ours(deu_scenarios, table).issues
    assert _ours(parse_csv, CSV, "ok.csv") is not None
    assert _ours(parse_ktab_csv, KTAB, "ok.csv") is not None
    assert _ours(rp.load, EXAMPLES_DIR / "iran-2015") is not None


@pytest.mark.skipif(sys.platform == "win32", reason="the alarm needs SIGALRM")
def test_a_hang_fails():
    import time

    global HANG
    saved, HANG = HANG, 1
    try:
        with pytest.raises(Hang):
            _ours(time.sleep, 5)
    finally:
        HANG = saved
