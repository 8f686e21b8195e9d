"""realpolitik draft: the article, the gazetteer, the rules, the draft scenario, the command
line, bad input; and, where ../shared is present, the op-ed and the benchmark's corpus."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.draft import DraftError, draft_file, draft_text, write_atomically
from realpolitik.draft.article import cut_quote, parse_article, read_article
from realpolitik.draft.compose import POSITION_RANGES
from realpolitik.draft.findings import grounding
from realpolitik.draft.gazetteer import gazetteer
from realpolitik.errors import InputError

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "belgrade-pristina-2023.txt"
runner = CliRunner()


# ---------------------------------------------------------------------- the article


def test_sentences_keep_abbreviations_initials_and_offsets():
    art = parse_article(
        "A title\n\nSECRETARY BLINKEN: Mr. President, the U.S. and Antony J. Blinken agree. "
        "Russia said no! “Why?” asked Kyiv.\nA heading\nA line wrapped\nmid-sentence ends here.",
        name="t",
    )
    texts = [s.text for s in art.sentences]
    assert art.title == "A title"
    assert texts == [
        "A title",
        "SECRETARY BLINKEN: Mr. President, the U.S. and Antony J. Blinken agree.",
        "Russia said no!",
        "“Why?” asked Kyiv.",
        "A heading",
        "A line wrapped mid-sentence ends here.".replace(" mid", "\nmid"),
    ]
    for s in art.sentences:
        assert art.text[s.start : s.end] == s.text
    assert art.sentence("s3").text == "Russia said no!"


def test_normalisation():
    art = parse_article("Title\r\n\r\nA\u00a0\u00a0b\u200e c.  \r\n", name="t")
    assert art.text == "Title\n\nA b c."


@given(st.lists(st.sampled_from(["word", "Russia", "x.", "U.S.", "—", "“q”"]), max_size=80))
def test_a_quote_is_verbatim_and_short(words):
    art = parse_article("Start " + " ".join(words) + " end.", name="t")
    for s in art.sentences:
        q = cut_quote(s, (s.start, s.start + 1))
        assert q in s.text
        assert len(q.split()) <= 30


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "the file is empty"),
        (b"  \n\n ", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
        ("Hello\nRussia\n".encode("latin-1") + b"caf\xe9\n", "line 3: not UTF-8"),
    ],
)
def test_bad_files_are_named(write, content, expected):
    p = write("a.txt", content)
    with pytest.raises(InputError, match=expected) as e:
        read_article(p)
    assert str(p) in str(e.value)


def test_huge_files_and_folders(write, tmp_path):
    p = write("big.txt", "Russia. " * 100)
    with pytest.raises(InputError, match="too large for an article"):
        read_article(p, max_bytes=100)
    with pytest.raises(InputError, match="is a folder"):
        read_article(tmp_path)
    with pytest.raises(InputError, match="cannot read"):
        read_article(tmp_path / "missing.txt")


# ---------------------------------------------------------------------- the gazetteer


def _found(text, day):
    return [(h.entry.id, h.text, h.how) for h in gazetteer().find(text, day)]


def test_names_metonyms_demonyms_and_capitals():
    found = _found(
        "The Kremlin and Ankara warned. Talks in Moscow under the Minsk agreements. "
        "Russian troops and the Ethiopian government; Russian speakers.",
        dt.date(2022, 1, 1),
    )
    # not "in Moscow" (a place), not "the Minsk agreements" (a name), not "Russian speakers"
    assert found == [
        ("russia", "Kremlin", "metonym"),
        ("turkey", "Ankara", "capital"),
        ("russia", "Russian troops", "demonym"),
        ("ethiopia", "Ethiopian government", "demonym"),
    ]
    assert _found("the Kremlin said", None) == [("russia", "the Kremlin", "metonym")]
    assert _found("Putin's Russia-led bloc", None)[1][:2] == ("russia", "Russia")


def test_leaders_resolve_to_their_state_as_of_the_date():
    g = gazetteer()

    def of(name, day):
        hit = g.find(name, day)[0]
        entry, _ = g.affiliation(hit.entry, day)
        return hit.entry.name, entry.id

    assert of("Tusk", dt.date(2010, 1, 1)) == ("Donald Tusk", "poland")
    assert of("Tusk", dt.date(2016, 1, 1)) == ("Donald Tusk", "european-union")
    assert of("Aliyev", dt.date(2002, 1, 1)) == ("Heydar Aliyev", "azerbaijan")
    assert of("Aliyev", dt.date(2022, 1, 1)) == ("Ilham Aliyev", "azerbaijan")
    assert of("Medvedev", dt.date(2015, 1, 1)) == ("Dmitry Medvedev", "russia")
    # a former leader still belongs to the state he led
    assert of("Tymoshenko", dt.date(2012, 5, 17)) == ("Yulia Tymoshenko", "ukraine")


def test_the_gazetteer_is_general():
    g = gazetteer()
    states = [e for e in g.states.values() if e.cow]
    assert len(states) >= 193  # every UN member state has a COW code here
    leaders = {e.name for e in g if e.kind == "leader"}
    assert len(leaders) >= 250
    g20 = "USA CHN JPN GMY IND UKG FRN ITA CAN BRA RUS ROK AUL MEX INS SAU TUR ARG SAF".split()
    for code in g20 + "ARM AZE GRG ISR IRN SYR ETH ERI SOM UKR BLR".split():
        assert any(
            t["of"] == code and t["start"] <= "2020-01-01" <= (t["end"] or "9999")
            for e in g
            if e.kind == "leader"
            for t in e.terms
        ), code
    assert "Wikidata" in g.about


def test_kind_changes_on_a_date():
    g = gazetteer()
    taliban = g.entries["taliban"]
    assert g.kind_on(taliban, dt.date(2020, 1, 1)) == "armed-group"
    assert g.kind_on(taliban, dt.date(2022, 1, 1)) == "de-facto-state"


# ---------------------------------------------------------------------- the rules


def test_stance_cues_negation_and_objects():
    d = draft_text(
        "Russia demands that Ukraine never join NATO. Ukraine insists on its right to join "
        "NATO. Hungary may support the bid.",
        when=dt.date(2022, 2, 1),
    )
    got = {(s.actor, s.issue): s.position for s in d.findings.stances}
    assert got[("russia", "membership-ukraine-nato")] == "min"
    assert got[("ukraine", "membership-ukraine-nato")] == "max"


def test_the_example_article():
    d = draft_file(EXAMPLE, when=dt.date(2023, 2, 27))
    f = d.findings
    ids = {a.id for a in f.actors}
    assert {"serbia", "kosovo", "european-union", "united-states", "russia", "nato"} <= ids
    assert "belgium" not in ids  # the dateline "Brussels, 27 February" is a place
    leaders = {a.id: a.state for a in f.actors if a.kind == "leader"}
    assert leaders["aleksandar-vucic"] == "YUG" and leaders["albin-kurti"] == "KOS"
    issues = {i.id for i in f.issues}
    assert {"normalisation-kosovo-serbia", "recognition-kosovo", "troops-kosovo"} <= issues
    pos = {(s.actor, s.issue): s.position for s in f.stances}
    assert pos[("serbia", "recognition-kosovo")] == "min"  # "will never recognise"
    assert pos[("european-union", "normalisation-kosovo-serbia")] == "max"
    checked, failures = grounding(f)
    assert checked > 20 and failures == []


def test_no_actor_and_no_issue_are_clear():
    with pytest.raises(DraftError, match="no actor recognised"):
        draft_text("The weather was fine and the harvest good.", name="w.txt")
    with pytest.raises(DraftError, match=r"found actors \(France\) but no issue"):
        draft_text("France is a country with many cheeses.", name="f.txt")


# ---------------------------------------------------------------------- the draft


def test_the_draft_validates_and_says_it_is_a_draft():
    d = draft_file(EXAMPLE, when=dt.date(2023, 2, 27), licence="MIT")
    sc = rp.load(_write_tmp(d.text))
    assert sc.id == d.scenario.id
    assert d.text.startswith("# DRAFT scenario")
    assert sc.name.startswith("DRAFT")
    src = sc.sources[0]
    assert src.id == "article" and src.licence == "MIT" and src.date == dt.date(2023, 2, 27)
    art = d.findings.article
    for stance in sc.stances:
        assert stance.source.ref == "article"
        assert stance.source.note.startswith("DRAFT")
        assert stance.source.quote and stance.source.quote in art.text
        assert len(stance.source.quote.split()) <= 30
        assert stance.position_range is not None and stance.salience_range is not None
    for a in sc.actors:
        assert "DRAFT" in (a.source.judgement or a.source.note or "")
    for i in sc.issues:
        assert i.question.startswith("DRAFT")
    # unknown = the whole scale
    assert POSITION_RANGES["unknown"][1:] == (0, 100)


def _write_tmp(text: str) -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(suffix=".yaml")
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(name)


def test_write_atomically_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "d.yaml"
    target.write_text("old", encoding="utf-8")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["d.yaml"]


# ---------------------------------------------------------------------- the command line


def test_cli_draft_then_validate_and_forecast(tmp_path):
    out = tmp_path / "draft.yaml"
    r = runner.invoke(app, ["draft", str(EXAMPLE), "--date", "2023-02-27", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "a DRAFT of" in r.stderr and "confirm every number" in r.stderr
    r = runner.invoke(app, ["validate", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["forecast", str(out), "--model", "compromise", "--no-store"])
    assert r.exit_code == 0, r.output


def test_cli_draft_to_standard_output(tmp_path):
    r = runner.invoke(app, ["draft", str(EXAMPLE), "--date", "2023-02-27"], env={"COLUMNS": "40"})
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("# DRAFT scenario")
    p = tmp_path / "d.yaml"
    p.write_text(r.stdout, encoding="utf-8")
    assert rp.load(p).id == draft_file(EXAMPLE, when=dt.date(2023, 2, 27)).scenario.id


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--date", "2023-02-30"], "--date: expected a date YYYY-MM-DD"),
        (["--date", "2023-02-27", "--extractor", "magic"], "--extractor must be rules or llm"),
        (["--date", "2023-02-27", "--replay", "x.json"], "need --extractor llm"),
        (["--date", "2023-02-27", "-e", "llm"], "needs exactly one of --llm-url"),
        (
            ["--date", "2023-02-27", "-e", "llm", "--llm-url", "http://example.org/v1"],
            "example.org is not this machine",
        ),
    ],
)
def test_cli_bad_arguments(tmp_path, args, expected):
    out = tmp_path / "d.yaml"
    r = runner.invoke(app, ["draft", str(EXAMPLE), *args, "-o", str(out)])
    assert r.exit_code == 2, r.output
    assert expected in " ".join(r.stderr.split())
    assert not out.exists()


def test_cli_bad_files(write, tmp_path):
    out = tmp_path / "d.yaml"
    for name, content, expected in [
        ("empty.txt", b"", "the file is empty"),
        ("bin.txt", b"\x00\x01\x02" * 50, "a binary file"),
        ("latin.txt", b"caf\xe9", "not UTF-8"),
        ("none.txt", b"Nothing political here at all.", "no actor recognised"),
    ]:
        p = write(name, content)
        r = runner.invoke(app, ["draft", str(p), "--date", "2020-01-01", "-o", str(out)])
        assert r.exit_code == 2, r.output
        assert expected in " ".join(r.stderr.split()) and name in r.stderr
        assert not out.exists()


# ---------------------------------------------------------------------- with ../shared


def test_the_op_ed_gives_a_draft_an_analyst_would_recognise(shared):
    d = draft_file(shared / "seed" / "000_cfe7e7b659733f68.txt", when=dt.date(2022, 2, 23))
    f = d.findings
    actors = {a.id for a in f.actors}
    assert {"russia", "azerbaijan", "armenia", "turkey", "ukraine", "dpr", "lpr"} <= actors
    assert {a.id: a.state for a in f.actors if a.kind == "leader"} == {
        "vladimir-putin": "RUS",
        "ilham-aliyev": "AZE",
        "nikol-pashinyan": "ARM",
    }
    issues = {i.id for i in f.issues}
    assert {"alignment-azerbaijan-russia", "control-karabakh"} <= issues
    assert any(i.startswith("corridor-") for i in issues)
    assert any(i.startswith("troops-") for i in issues)
    assert grounding(f)[1] == []


def test_the_benchmark_runs_and_every_quote_is_grounded(shared, capsys):
    spec = importlib.util.spec_from_file_location(
        "bench_draft", ROOT / "benchmarks" / "bench_draft.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_draft"] = bench
    spec.loader.exec_module(bench)
    assert bench.main(["--dir", str(shared / "data" / "articles")]) == 0
    lines = capsys.readouterr().out.splitlines()
    overall = next(ln for ln in lines if ln.startswith("overall"))
    assert overall.split()[-1] == "100.0%"  # grounding
    assert len([ln for ln in lines if ln[:2].isdigit()]) == 7


def test_the_benchmark_scores_a_perfect_coding_as_perfect(tmp_path):
    """The scorer, on a coding made from the draft itself: every figure 100%."""
    spec = importlib.util.spec_from_file_location(
        "bench_draft", ROOT / "benchmarks" / "bench_draft.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_draft"] = bench
    spec.loader.exec_module(bench)
    d = draft_file(EXAMPLE, when=dt.date(2023, 2, 27))
    f = d.findings
    art = f.article
    gold = {
        "date": "2023-02-27",
        "actors": [
            {
                "id": a.id,
                "kind": a.kind,
                "state": a.state,
                "mentions": sorted({m.text for m in a.mentions}),
            }
            for a in f.actors
        ],
        "issues": [{"id": i.id, "evidence": art.sentence(i.evidence[0]).text} for i in f.issues],
        "stances": [
            {
                "actor": s.actor,
                "issue": s.issue,
                "position": s.position,
                "evidence": s.quote,
            }
            for s in f.stances
        ],
    }
    sc = bench.score(f, json.loads(json.dumps(gold)))
    assert sc.drafted_ok == sc.drafted and sc.gold_found == sc.gold_actors
    assert sc.issues_found == sc.gold_issues
    assert sc.compared == sc.gold_stances and sc.agree == sc.compared
    assert sc.leaders_ok == sc.leaders == 2  # Vučić and Kurti (Borrell: the EU, no state)
    assert sc.grounded == sc.quotes


def test_the_tutorial_drafts_the_shipped_example():
    page = (ROOT / "docs" / "tutorial" / "article-to-report.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8").replace("\\", "\\\\") in page


def test_the_shipped_gazetteer_is_what_the_script_builds(tmp_path):
    """scripts/build_gazetteer.py rebuilds gazetteer.json from scripts/gazetteer/*.tsv (the
    checks it could run aside: the COW file and pycountry may be absent here)."""
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    made = build.build(tmp_path / "no-such-nmc.csv")
    shipped = json.loads(
        (ROOT / "src" / "realpolitik" / "draft" / "gazetteer.json").read_text(encoding="utf-8")
    )
    made.pop("checks")
    assert "COW codes checked against NMC-60-abridged.csv" in shipped.pop("checks")
    assert json.loads(json.dumps(made)) == shipped


def test_a_states_capability_is_its_cinc_and_others_are_judged_around_the_states():
    """States carry their COW CINC of the article's year (sourced, with the dataset in the
    bibliography), ranged x0.5 to x2; other actors a wide range around a quarter of the
    draft's median state: the numbers are on one scale."""
    from realpolitik.draft.compose import CINC_REF, capability, state_cinc
    from realpolitik.draft.findings import ActorFinding
    from realpolitik.scenario.capability import cinc

    russia = ActorFinding("russia", "Russia", "state", (), state="RUS")  # as the gazetteer has it
    got = capability(russia, 2022)
    want = cinc(365, 2022)
    assert want.data_year == 2016 and got.source["year"] == 2016
    assert got.value == pytest.approx(want.value, rel=1e-2)
    assert got.low == pytest.approx(want.value / 2, rel=1e-2)
    assert got.high == pytest.approx(want.value * 2, rel=1e-2)
    assert got.source["ref"] == CINC_REF and "2022 asked for" in got.source["note"]
    group = ActorFinding("hamas", "Hamas", "armed-group", ())
    judged = capability(group, 2022, typical=0.004)
    assert judged.value == pytest.approx(0.001) and judged.low < judged.value < judged.high
    assert "judgement" in judged.source
    # against the weakest state when there is one (Hezbollah beside Israel and the United
    # States is not judged above Israel); an organisation around the median state
    beside = capability(group, 2022, typical=0.0043, weakest=0.0043)
    assert beside.value == pytest.approx(0.0043 / 4, rel=1e-2) and beside.value < 0.0043
    un = ActorFinding("un", "United Nations", "organisation", ())
    assert capability(un, 2022, typical=0.02, weakest=0.001).value == pytest.approx(0.02)
    # a state before the shipped table (1990) has no CINC: judged, not invented
    assert state_cinc(russia, 1985) is None
    assert "judgement" in capability(russia, 1985).source


def test_actors_named_without_a_stance_are_listed_for_the_analyst():
    """An actor the article names but the draft gives no stance is not dropped silently:
    the header lists it (name, kind, first sentence), so that the analyst can add it."""
    from realpolitik.draft import draft_text

    d = draft_text(
        "Serbia and Kosovo talks\n\nSerbia will never recognise Kosovo. Kosovo insists on "
        "mutual recognition by Serbia. Albania was mentioned once.",
        when=dt.date(2023, 3, 1),
    )
    header = d.text.split("\nid:")[0]
    assert "Also named, with no stance found" in header and "Albania (state, s4)" in header
    assert {a.id for a in d.scenario.actors} >= {"serbia", "kosovo"}
    assert "albania" not in {a.id for a in d.scenario.actors}
    assert "Serbia (state" not in header  # holders are not listed again
