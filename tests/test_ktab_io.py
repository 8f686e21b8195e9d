"""KTAB's spatial-model CSV (realpolitik.scenario.ktab_io): reading its four example files,
writing them back, telling it apart from the one-issue table, and a located error for every
kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

import realpolitik as rp
from realpolitik.errors import ScenarioError
from realpolitik.scenario import (
    Actor,
    Issue,
    Scenario,
    Source,
    Stance,
    parse_ktab_csv,
    write_ktab_csv,
)
from realpolitik.scenario.ktab_io import looks_like_ktab

DATA = Path(__file__).parent / "data" / "ktab"
FILES = ("SOE-Policy", "SOE-Competitive", "SOE-Pol-Comp", "dummyData_3Dim")


@pytest.mark.parametrize("stem", FILES)
def test_the_example_files_load_through_load(stem):
    sc = rp.load(DATA / f"{stem}.csv")
    text = (DATA / f"{stem}.csv").read_text(encoding="utf-8")
    rows = [r for r in text.splitlines() if r.strip()]
    n, m = (int(c) for c in rows[0].split(",")[2:4])
    assert len(sc.actors) == n and len(sc.issues) == m
    assert len(sc.stances) == n * m
    assert all(i.scale_min == 0 and i.scale_max == 100 for i in sc.issues)
    assert sc.sources[0].id == "ktab-csv" and sc.sources[0].title == f"{stem}.csv"
    assert sc.origin == str(DATA / f"{stem}.csv")


def test_soe_policy_reads_names_numbers_and_their_lines():
    sc = rp.load(DATA / "SOE-Policy.csv")
    assert sc.id == "china-policy-scen-0" and sc.name == "China Policy; scen 0"
    assert sc.description.startswith("Scenario-000; Appetite for reforming government policy")
    assert sc.issue_ids == ("policy-position",)
    assert sc.issues[0].question == "Policy Position"
    xj = sc.actor("xj")
    assert xj.name == "Xi Jinping" and xj.capability == 100
    assert xj.source == Source(ref="ktab-csv", note="line 3")
    st = sc.stance("zgb", "policy-position")
    assert (st.position, st.salience) == (20, 50)
    assert st.source.note == "line 28"
    assert sc.actor("mk").name == "Ma Kai"


def test_dummy_data_with_a_quoted_description_and_padded_cells():
    sc = rp.load(DATA / "dummyData_3Dim.csv")
    assert sc.name == "DummyData_3Dim"
    assert sc.description == "Dummy scenario to test reading format"
    assert sc.issue_ids == ("pstn1", "pstn2", "pstn3")
    # every actor has the description "Random Spatial Actor": names keep them apart
    assert sc.actor_ids[0] == "sactor-00"
    assert sc.actors[0].name == "SActor-00 (Random Spatial Actor)"
    assert len({a.name for a in sc.actors}) == len(sc.actors)
    assert sc.actors[2].capability == 129.643
    assert sc.stance("sactor-02", "pstn3").position == 0.07


@pytest.mark.parametrize("stem", FILES)
def test_a_scenario_read_from_ktab_writes_back_to_the_same_scenario(stem):
    sc = rp.load(DATA / f"{stem}.csv")
    text = write_ktab_csv(sc)
    again = parse_ktab_csv(text, sc.origin)
    assert again == sc
    assert again.content_hash() == sc.content_hash()
    assert write_ktab_csv(again) == text


def test_the_writer_maps_scales_rescales_saliences_and_cleans_text():
    sc = Scenario(
        id="t",
        name="A, B",
        date=None,
        description='two "issues"\non two lines',
        actors=(
            Actor("a", "Alpha, Inc.", 2.5, Source()),
            Actor("b", "Beta", 1.0, Source()),
        ),
        issues=(
            Issue("x", "Tax rate", -10.0, 10.0, "low", "high"),
            Issue("share", "Share", 0.0, 100.0, "none", "all"),
        ),
        stances=(
            Stance("a", "x", 5.0, 80, Source()),
            Stance("a", "share", 30.0, 70, Source()),
            Stance("b", "x", -10.0, 20, Source()),
            Stance("b", "share", 100.0, 30, Source()),
        ),
    )
    lines = write_ktab_csv(sc).splitlines()
    # a question that is not what the id was made from is written as the id
    assert lines[0] == "A; B,two 'issues' on two lines,2,2"
    assert lines[1] == "Actor,Description,Influence,x,x Salience,Share,Share Salience"
    a = lines[2].split(",")
    assert a[:3] == ["a", "Alpha; Inc.", "2.5"]
    assert float(a[3]) == 75.0 and float(a[5]) == 30.0  # -10..10 mapped onto 0..100
    assert float(a[4]) + float(a[6]) == pytest.approx(100.0)  # 80 + 70 scaled to 100
    assert float(a[4]) / float(a[6]) == pytest.approx(80 / 70)
    assert lines[3] == "b,Beta,1,0,20,100,30"
    back = parse_ktab_csv("\n".join(lines), "w.csv")
    assert [i.id for i in back.issues] == ["x", "share"]


def test_the_writer_needs_every_stance():
    sc = rp.load("caucasus-2022")
    with pytest.raises(ValueError, match="every actor on every issue; missing: "):
        write_ktab_csv(sc)


def test_load_still_reads_the_one_issue_table(write):
    p = write("t.csv", "actor,capability,position,salience\nA,1,10,50\nB,2,90,50\n")
    sc = rp.load(p)
    assert sc.issue_ids == ("t",) and sc.actor_ids == ("a", "b")
    assert not looks_like_ktab(p.read_text())


@pytest.mark.parametrize(
    ("text", "ktab"),
    [
        ("n,d,3,1\nActor,Description,Power,P,S\n", True),
        ("n,d,3,1,,, \n", True),
        ("\ufeffn,d,3,1\n", True),
        ("x,y,z\nActor,Description,Power,P,S\n", True),  # a broken count, still KTAB's
        ("actor,capability,position,salience\nA,1,2,3\n", False),
        ("Actor,Capability,Position,Salience\n", False),
        ("", False),
        ("name,desc,three,one\nfoo,bar\n", False),
    ],
)
def test_sniffing(text, ktab):
    assert looks_like_ktab(text) is ktab


GOOD = (
    "Scen,A test,3,2,\n"
    "Actor,Description,Power,Pos1,Sal1,Pos2,Sal2,\n"
    "A,Alpha,100,10,40,20,50,\n"
    "B,Beta,50,50,30,60,30,\n"
    "C,,25,90,20,40,70,\n"
)


def problems(write, text: str | bytes, name: str = "k.csv"):
    with pytest.raises(ScenarioError) as exc:
        rp.load(write(name, text))
    return exc.value.problems


def test_a_good_file_with_an_empty_description_names_the_actor_by_its_short_name(write):
    sc = rp.load(write("k.csv", GOOD))
    assert sc.actor("c").name == "C"
    assert sc.actor("a").name == "Alpha"
    assert sc.issue_ids == ("pos1", "pos2")


@pytest.mark.parametrize("description", ["A test", "A test, with a comma"])
def test_a_file_separated_by_semicolons_says_so(write, description):
    text = GOOD.replace(",", ";").replace("A test", description)
    assert looks_like_ktab(text)
    (found,) = problems(write, text)
    assert found.line == 1 and found.field == "scenario line"
    assert "separated by ';'" in found.message and "','" in found.message


def test_a_description_that_is_another_actors_short_name_keeps_them_apart(write):
    sc = rp.load(write("k.csv", GOOD.replace("A,Alpha,", "A,C,")))
    names = [a.name for a in sc.actors]
    assert len(set(names)) == 3 and "C" in names and "A (C)" in names


def test_a_bom_trailing_commas_spaces_and_blank_lines_are_fine(write):
    messy = "\ufeff" + GOOD.replace(",", " , ").replace("\n", " ,, \n\n")
    sc = rp.load(write("k.csv", messy.encode("utf-8")))
    clean = rp.load(write("k2.csv", GOOD))
    assert sc.actor_ids == clean.actor_ids == ("a", "b", "c")
    assert [a.capability for a in sc.actors] == [a.capability for a in clean.actors]
    assert [(s.position, s.salience) for s in sc.stances] == [
        (s.position, s.salience) for s in clean.stances
    ]
    assert sc.stance("b", "pos2").source.note == "line 7"  # blank lines count


def test_an_empty_file(write):
    (p,) = problems(write, "\n  \n")
    assert "empty" in p.message


@pytest.mark.parametrize(
    ("bad", "line", "field", "words"),
    [
        ("Scen,A test,3,2\n", 1, None, None),  # control: parses
        ("Scen,A test,3\n", 1, "scenario line", "expected 4"),
        ("Scen,A test,three,2\n", 1, "number of actors", "whole number"),
        ("Scen,A test,3,0\n", 1, "number of dimensions", "whole number"),
        ("Scen,A, test,3,2\n", 1, "scenario line", "comma"),
    ],
)
def test_the_scenario_line(write, bad, line, field, words):
    text = bad + GOOD.split("\n", 1)[1]
    if field is None:
        assert rp.load(write("k.csv", text)).name == "Scen"
        return
    found = [p for p in problems(write, text) if p.field == field]
    assert found and found[0].line == line and words in found[0].message
    assert found[0].file.endswith("k.csv")


def test_wrong_number_of_actors(write):
    fewer = GOOD.replace("Scen,A test,3,2", "Scen,A test,4,2")
    (p,) = problems(write, fewer)
    assert p.field == "number of actors" and "announces 4 actor(s)" in p.message
    assert "3 actor line(s)" in p.message
    more = GOOD.replace("Scen,A test,3,2", "Scen,A test,2,2")
    (p,) = problems(write, more)
    assert p.line == 5 and "announces 2 actor(s)" in p.message


def test_missing_columns_or_a_wrong_number_of_dimensions(write):
    short = GOOD.replace("Pos2,Sal2,\n", "\n")
    (p,) = problems(write, short)
    assert p.line == 2 and p.field == "header"
    assert "5 column(s)" in p.message and "2 dimension(s)" in p.message
    (p,) = problems(write, GOOD.replace("Scen,A test,3,2", "Scen,A test,3,3"))
    assert p.line == 2 and "expected 9" in p.message
    (p,) = problems(write, "Scen,A test,3,2\n")
    assert p.field == "header" and "no header line" in p.message


def test_rows_with_too_few_or_too_many_cells(write):
    found = problems(write, GOOD.replace("B,Beta,50,50,30,60,30,", "B,Beta,50,50,30,60"))
    assert [(p.line, p.field) for p in found] == [(4, "row")]
    assert "6 cell(s); expected 7" in found[0].message
    found = problems(write, GOOD.replace("C,,25,90,20,40,70,", "C,,25,90,20,40,70,1"))
    assert [(p.line, p.field) for p in found] == [(5, "row")]


def test_every_non_number_is_reported_with_its_line_and_column(write):
    text = GOOD.replace("A,Alpha,100,", "A,Alpha,lots,").replace("50,30,60,30", "50,30,sixty,30")
    found = problems(write, text)
    assert [(p.line, p.field) for p in found] == [(3, "Power"), (4, "Pos2")]
    assert all("expected a finite number" in p.message for p in found)
    assert "'lots'" in found[0].message and "'sixty'" in found[1].message
    (p,) = problems(write, GOOD.replace("10,40,20,50", "nan,40,20,50"))
    assert (p.line, p.field) == (3, "Pos1")


def test_ranges_as_ktab_checks_them(write):
    found = problems(
        write,
        GOOD.replace("A,Alpha,100,10,40", "A,Alpha,-1,101,40").replace(
            "C,,25,90,20", "C,,25,90,120"
        ),
    )
    got = {(p.line, p.field) for p in found}
    assert {(3, "Power"), (3, "Pos1"), (5, "Sal1")} <= got
    (p,) = problems(write, GOOD.replace("A,Alpha,100,", "A,Alpha,2e8,"))
    assert (p.line, p.field) == (3, "Power") and "0 to 1e+08" in p.message


def test_saliences_summing_above_100_are_rejected_as_ktab_does(write):
    (p,) = problems(write, GOOD.replace("C,,25,90,20,40,70,", "C,,25,90,40,40,70,"))
    assert (p.line, p.field) == (5, "salience") and "sum to 110" in p.message
    assert "at most 100" in p.message
    # a sum of exactly 100, even through rounding, is fine
    ok = GOOD.replace("C,,25,90,20,40,70,", "C,,25,90,44.7,40,55.3,")
    assert rp.load(write("k.csv", ok)).stance("c", "pos1").salience == 44.7


def test_an_actor_with_every_salience_zero_is_an_error(write):
    (p,) = problems(write, GOOD.replace("B,Beta,50,50,30,60,30,", "B,Beta,50,50,0,60,0,"))
    assert (p.line, p.field) == (4, "salience") and "every salience is 0" in p.message


def test_duplicate_and_empty_actors(write):
    found = problems(write, GOOD.replace("B,Beta,", "a,Beta,").replace("C,,25", ",,25"))
    assert [(p.line, p.field) for p in found] == [(4, "Actor"), (5, "Actor")]
    assert "duplicate actor 'a'; first on line 3" in found[0].message


def test_duplicate_dimension_names_and_all_capabilities_zero(write):
    found = problems(write, GOOD.replace("Pos2,Sal2", "Pos1,Sal2"))
    assert found[0].line == 2 and "second dimension" in found[0].message
    zero = GOOD.replace("A,Alpha,100", "A,Alpha,0").replace("B,Beta,50", "B,Beta,0")
    (p,) = problems(write, zero.replace("C,,25", "C,,0"))
    assert p.field == "Power" and "every capability is zero" in p.message


def test_validate_reports_a_bad_ktab_file_without_a_traceback(write):
    from typer.testing import CliRunner

    from realpolitik.cli import app

    p = write("k.csv", GOOD.replace("A,Alpha,100,", "A,Alpha,lots,"))
    res = CliRunner().invoke(app, ["validate", str(p)])
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert "k.csv:3" in res.output and "Power" in res.output


def test_the_shipped_copies_equal_the_shared_data(shared):
    for stem in FILES:
        assert (DATA / f"{stem}.csv").read_bytes() == (
            shared / "data" / "ktab" / f"{stem}.csv"
        ).read_bytes()


def test_what_ktab_cannot_read_is_not_written():
    import realpolitik as rp
    from realpolitik.scenario.ktab_io import parse_ktab_csv, write_ktab_csv

    sc = rp.load("ec-emissions-1994")
    data = sc.to_dict()
    data["actors"][0]["capability"] = 3e9  # beyond KTAB's limit: scaled, ratios kept
    big = rp.Scenario.from_dict(data)
    back = parse_ktab_csv(write_ktab_csv(big), "big.csv")
    caps = [a.capability for a in back.actors]
    assert max(caps) == 100.0
    assert caps[1] / caps[0] == pytest.approx(big.actors[1].capability / 3e9)
    for st in data["stances"]:  # an actor with no salience anywhere: refused, named
        if st["actor"] == data["actors"][1]["id"]:
            st["salience"] = 0
    with pytest.raises(ValueError, match="saliences are all 0"):
        write_ktab_csv(rp.Scenario.from_dict(data))


def test_a_ktab_export_never_hands_a_spreadsheet_a_formula():
    """KTAB's CSV opened in a spreadsheet would run a name such as =HYPERLINK(...) as a
    formula: every text cell that a spreadsheet would take for one is written behind an
    apostrophe (numbers such as -5 are not), and the file reads back with the names as
    they were."""
    import csv

    from realpolitik.scenario.ktab_io import parse_ktab_csv
    from realpolitik.scenario.numbers import FORMULA_START, number_or_none

    data = rp.load("ec-emissions-1994").to_dict()
    data["actors"][0]["name"] = "=HYPERLINK(http://x.example)"
    data["actors"][1]["name"] = "@SUM(A1:A9)"
    data["actors"][2]["name"] = "-minus"
    data["name"] = "+plus"
    sc = rp.Scenario.from_dict(data)
    text = write_ktab_csv(sc)
    for row in csv.reader(text.splitlines()):
        for cell in row:  # a spreadsheet's formula starts so; a number may
            assert not cell.startswith(FORMULA_START) or number_or_none(cell) is not None, cell
    back = parse_ktab_csv(text, "x.csv")
    names = {a.name for a in back.actors}
    assert {"=HYPERLINK(http://x.example)", "@SUM(A1:A9)", "-minus"} <= names, names
    assert back.name == "+plus"
