"""The DEU III reader and the EU weights: rows to one-issue scenarios with outcomes, missing
values counted, located errors for a malformed file, the date forms and the century rule,
and the Council's vote tables checked against their legal totals.

The DEU III data (Arregui & Perarnaud 2022, The Decision-making in the European Union
(DEU III) dataset (1999-2019), doi:10.34810/data53, CC BY 4.0) is read from ../shared when
present; everything else runs on the made-up rows of tests/data/deu-synthetic.tsv.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import pytest

from realpolitik.errors import ScenarioError
from realpolitik.scenario import eu_weights
from realpolitik.scenario.deu import (
    COLUMNS,
    Note,
    deu_scenarios,
    load_deu,
    parse_date,
    parse_deu,
    read_code,
    read_deu,
)

DATA = Path(__file__).parent / "data"
SYNTHETIC = DATA / "deu-synthetic.tsv"
COLUMNS_LINE = "\t".join(COLUMNS)


def _cell(text: str, line: int, column: str, value: str) -> str:
    """``text`` with the cell of ``column`` on (1-based) ``line`` replaced by ``value``."""
    lines = text.splitlines()
    cells = lines[line - 1].split("\t")
    cells[COLUMNS.index(column)] = value
    lines[line - 1] = "\t".join(cells)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ reading


def test_synthetic_table_reads_with_missing_values_counted():
    table = read_deu(SYNTHETIC)
    assert len(table.rows) == 5
    assert table.proposals == ("x99001", "x04002", "x17003", "x17004")
    assert table.sha256.startswith("sha256:")
    # 999 in smt, out (x17003i1) and finact (x17003i1, x17004i1)
    assert table.missing_999 == 4
    assert table.missing["smt"] == 5  # four blank, one 999
    assert table.missing["out"] == 1
    assert table.missing["rp"] == 1  # blank on x99001i2
    assert table.missing["finact"] == 2
    assert table.missing["pep"] == 3  # x99001i2, x17003i1, x17004i1
    assert table.missing_blank + table.missing_999 == sum(table.missing.values())
    assert table.edition.startswith("5 issues: neither the full DEU III table (364)")
    assert table.date_forms == {"dd-mm-yy": 2, "dd-mm-yyyy": 4, "ccdd-mm-yy": 2}
    row = table.rows[2]
    assert row.introduced == dt.date(2004, 7, 14)  # written 2014-07-04
    assert row.final_act == dt.date(2006, 7, 31)  # written 1931-07-06
    assert row.position["mt"] == 30 and "mt" not in row.salience
    assert row.procedure == "CNS" and row.voting == "Unan"


def test_rows_become_one_issue_scenarios_with_their_outcomes():
    deu = load_deu(SYNTHETIC)
    assert [d.row.issue for d in deu.issues] == ["x99001i1", "x99001i2", "x04002i1", "x17003i1"]
    assert deu.skipped == (("x17004i1", "no actor has a position"),)
    counts = deu.counts()
    assert counts["with_outcome"] == 3 and counts["without_outcome"] == 1
    assert counts["left_out_no_salience"] == 1  # Malta: a position, salience 999
    first = deu.issues[0].scenario
    assert first.actor_ids == ("com", "ep", "de", "lu")
    assert first.issues[0].status_quo == 0
    assert first.outcome("x99001i1").value == 40
    assert first.outcome("x99001i1").date == dt.date(2001, 6, 20)
    assert first.stance("de", "x99001i1").source.ref == "deu3"
    assert any(s.citation and "10.34810/data53" in s.citation for s in first.sources)
    assert deu.issues[1].scenario.issues[0].status_quo is None
    assert deu.issues[3].scenario.outcomes == ()
    assert [d.period for d in deu.issues] == ["pre-nice", "pre-nice", "accession-2004", "lisbon"]


def test_capabilities_follow_the_treaty_and_the_procedure():
    deu = load_deu(SYNTHETIC)
    caps = {a.id: a.capability for a in deu.issues[0].scenario.actors}
    # pre-Nice votes; co-decision: Commission and Parliament as the largest state (10)
    assert caps == {"com": 10, "ep": 10, "de": 10, "lu": 2}
    cns = {a.id: a.capability for a in deu.issues[2].scenario.actors}
    assert cns == {"com": 10, "ep": 0, "pl": 8}  # 2004 transition; EP consulted only
    lisbon = {a.id: a.capability for a in deu.issues[3].scenario.actors}
    assert lisbon["de"] == pytest.approx(15.93 / 100.01)
    assert lisbon["com"] == lisbon["de"]
    sup = load_deu(SYNTHETIC, weights="supranational").issues[0].scenario
    assert {a.id: a.capability for a in sup.actors}["ep"] == 87
    equal = load_deu(SYNTHETIC, weights="equal").issues[2].scenario
    assert {a.capability for a in equal.actors} == {1.0}
    fixed = load_deu(SYNTHETIC, treaty_rule="nice-eu28").issues[0].scenario
    assert {a.id: a.capability for a in fixed.actors}["de"] == 29
    final = load_deu(SYNTHETIC, treaty_rule="final")
    assert [d.period for d in final.issues][:3] == ["pre-nice", "pre-nice", "nice-eu25"]
    assert [n.kind for n in final.issues[3].notes] == ["no_final_act"]
    assert "no final act date" in final.issues[3].notes[0].text


def test_a_missing_salience_is_left_out_or_given_and_said():
    left = load_deu(SYNTHETIC).issues[2]
    assert "mt" not in left.scenario.actor_ids
    assert left.notes == (Note("left_out_no_salience", "mt: a position but no salience: left out"),)
    given = load_deu(SYNTHETIC, missing_salience=50)
    assert given.issues[2].scenario.stance("mt", "x04002i1").salience == 50
    assert [(n.kind, str(n)) for n in given.issues[2].notes] == [
        ("salience_imputed", "mt: a position but no salience: salience taken as 50")
    ]
    assert given.counts()["salience_imputed"] == 1
    assert given.counts()["left_out_no_salience"] == 0


def test_notes_are_counted_by_their_kind_not_their_words():
    deu = load_deu(SYNTHETIC)
    reworded = dataclasses.replace(
        deu,
        issues=tuple(
            dataclasses.replace(d, notes=tuple(Note(n.kind, "reworded") for n in d.notes))
            for d in deu.issues
        ),
    )
    assert reworded.counts() == deu.counts()
    assert deu.counts()["left_out_no_salience"] == 1
    with pytest.raises(ValueError, match="unknown note kind"):
        Note("left out", "mt: left out")


def test_weights_from_a_file(write):
    rows = "actor,weight,procedure\ncom,3,\nep,5,COD\nep,1,CNS\nde,2,\nlu,1,\n"
    f = write("w.csv", rows + "fr,2,\npl,2,\n")
    sc = load_deu(SYNTHETIC, weights=str(f)).issues[0].scenario
    assert {a.id: a.capability for a in sc.actors} == {"com": 3, "ep": 5, "de": 2, "lu": 1}
    assert sc.actor("com").source.note == f"3, from {f}"
    short = write("short.csv", rows)
    with pytest.raises(ScenarioError) as exc:
        load_deu(SYNTHETIC, weights=str(short))  # fr and pl have none
    got = [str(p) for p in exc.value.problems]
    assert got == [
        f"{SYNTHETIC}:3: pfr: {short} gives no weight to 'fr' under COD (2 rows: lines 3, 5)",
        f"{SYNTHETIC}:4: ppl: {short} gives no weight to 'pl' under CNS (1 row: line 4)",
    ]
    bad = write("bad.csv", "actor,weight\ncom,x\nep,-1\n")
    with pytest.raises(ScenarioError) as exc:
        eu_weights.read_weights(bad)
    text = str(exc.value)
    assert "bad.csv:2: weight: expected a number" in text
    assert "bad.csv:3: weight: expected 0 or more" in text


@pytest.mark.parametrize(
    ("text", "date", "form"),
    [
        ("23-03-00", dt.date(2000, 3, 23), "dd-mm-yy"),
        ("13-03-96", dt.date(1996, 3, 13), "dd-mm-yy"),
        ("14-09-2016", dt.date(2016, 9, 14), "dd-mm-yyyy"),
        ("2029-09-04", dt.date(2004, 9, 29), "ccdd-mm-yy"),
        ("1930-06-05", dt.date(2005, 6, 30), "ccdd-mm-yy"),
        ("2017-04-19", dt.date(2019, 4, 17), "ccdd-mm-yy"),
    ],
)
def test_dates_and_the_century_rule(text, date, form):
    assert parse_date(text) == (date, form)


def test_iso_dates_on_request():
    assert parse_date("2017-04-19", iso_dates=True) == (dt.date(2017, 4, 19), "yyyy-mm-dd")
    with pytest.raises(ValueError, match="expected a date"):
        parse_date("March 2001")


@pytest.mark.parametrize(
    ("text", "iso", "expected"),
    [
        ("31-02-04", False, "dd-mm-yy or dd-mm-yyyy"),
        ("30-13-2004", False, "dd-mm-yy or dd-mm-yyyy"),
        ("2031-02-04", False, "dd-mm-yy or dd-mm-yyyy"),  # 31 February 2004, spreadsheet-read
        ("2004-02-30", True, "yyyy-mm-dd (`iso_dates`)"),
    ],
)
def test_an_impossible_date_is_quoted_with_the_form_expected(text, iso, expected):
    with pytest.raises(ValueError) as exc:
        parse_date(text, iso_dates=iso)
    message = str(exc.value)
    assert message.startswith(f"expected a date {expected}, got {text!r}, which is no day")


# ------------------------------------------------------------------ errors


def test_a_malformed_table_names_file_line_and_column(write):
    text = SYNTHETIC.read_text()
    text = _cell(text, 2, "pde", "abc")
    text = _cell(text, 3, "sfr", "150")
    text = _cell(text, 4, "intro", "31-02-04")
    text = _cell(text, 5, "proc", "SYN")
    text = _cell(text, 6, "isnr", "x99001i1")
    lines = text.splitlines()
    lines.insert(6, "1\t2\t3")
    f = write("bad.tsv", "\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as exc:
        read_deu(f)
    got = [str(p) for p in exc.value.problems]
    name = str(f)
    col = {c: COLUMNS.index(c) + 1 for c in COLUMNS}
    assert f"{name}:2: pde (column {col['pde']}): expected a number, got 'abc'" in got
    assert f"{name}:3: sfr (column {col['sfr']}): 150 is off the scale; expected 0 to 100" in got
    assert (
        f"{name}:4: intro (column {col['intro']}): expected a date dd-mm-yy or dd-mm-yyyy, "
        "got '31-02-04', which is no day of the calendar (day is out of range for month)"
    ) in got
    assert f"{name}:5: proc (column {col['proc']}): expected COD or CNS, got 'SYN'" in got
    assert any(p.startswith(f"{name}:6: isnr") and "given twice; first on line 2" in p for p in got)
    assert any(p.startswith(f"{name}:7:") and "3 cells; expected 75" in p for p in got)


# ------------------------------------------------------- codes as published


@pytest.mark.parametrize(
    ("column", "text", "code", "note"),
    [
        ("counvte", "QMV", "QMV", None),
        ("counvte", "QMV(10)", "QMV", "counvte 'QMV(10)' read as QMV; its qualifier '(10)' kept"),
        ("counvte", "Unan (art. 308)", "Unan", "its qualifier '(art. 308)' kept here, not used"),
        ("counvte", "unanimity", "Unan", "counvte 'unanimity' read as Unan"),
        ("counvte", "Qualified majority", "QMV", "read as QMV"),
        ("proc", "OLP", "COD", "the ordinary legislative procedure: co-decision"),
        ("proc", "Codecision", "COD", "proc 'Codecision' read as COD"),
        ("proc", "consultation", "CNS", "read as CNS"),
        ("proc", "CNS(2)", "CNS", "qualifier '(2)'"),
    ],
)
def test_a_variant_of_a_code_reads_as_the_code_with_a_note(column, text, code, note):
    got, how = read_code(column, text)
    assert got == code
    assert (how is None) if note is None else (note in how)


@pytest.mark.parametrize(
    ("column", "text"),
    [
        ("counvte", "QMV/Unan"),  # two rules: which one is not said
        ("counvte", "(10)"),  # a qualifier of nothing
        ("counvte", "majority"),
        ("proc", "SLP"),  # consultation or consent
        ("proc", "COD/CNS"),
        ("proc", "QMV"),  # a voting rule is no procedure
    ],
)
def test_a_code_of_no_known_meaning_is_not_read(column, text):
    assert read_code(column, text) is None


def _variants_table(write):
    text = SYNTHETIC.read_text()
    text = _cell(text, 2, "counvte", "QMV(10)")
    text = _cell(text, 3, "counvte", "unanimity")
    text = _cell(text, 3, "proc", "OLP")
    text = _cell(text, 4, "pep", ".")
    text = _cell(text, 4, "sep", ".")
    text = _cell(text, 5, "rp", "NA")
    return write("variants.tsv", text)


def test_a_table_as_published_loads_with_each_variant_noted(write):
    plain = read_deu(SYNTHETIC)
    table = read_deu(_variants_table(write))
    rows = table.rows
    assert rows[0].voting == "QMV" and rows[0].treated == (
        "counvte 'QMV(10)' read as QMV; its qualifier '(10)' kept here, not used",
    )
    assert (rows[1].voting, rows[1].procedure) == ("Unan", "COD")
    assert len(rows[1].treated) == 2
    assert "ep" in plain.rows[2].position and "ep" in plain.rows[2].salience
    assert "ep" not in rows[2].position and "ep" not in rows[2].salience
    assert rows[2].treated == ("'.' read as missing in pep, sep",)
    assert rows[3].reference_point is None and plain.rows[3].reference_point == 50
    assert table.treated == {
        "counvte 'QMV(10)' read as QMV": 1,
        "counvte 'unanimity' read as Unan": 1,
        "proc 'OLP' read as COD": 1,
        "'.' read as missing": 2,
        "'NA' read as missing": 1,
    }
    assert table.to_dict()["treated"] == dict(table.treated)
    assert table.missing["rp"] == plain.missing["rp"] + 1
    assert table.missing["pep"] == plain.missing["pep"] + 1
    assert plain.treated == {} and all(r.treated == () for r in plain.rows)
    deu = deu_scenarios(table)
    # one note per code read otherwise, one per row for its missing markers
    assert deu.counts()["code_variant"] == 5
    assert Note("code_variant", rows[0].treated[0]) in deu.issues[0].notes
    # a variant changes nothing else: the same scenarios as the canonical codes give
    fixed = SYNTHETIC.read_text()
    fixed = _cell(fixed, 3, "proc", "COD")
    canonical = deu_scenarios(parse_deu(fixed, "fixed.tsv"))
    assert deu.issues[1].scenario.actors == canonical.issues[1].scenario.actors


def test_a_code_of_no_known_meaning_is_refused_where_it_stands(write):
    text = _cell(SYNTHETIC.read_text(), 2, "counvte", "QMV/Unan")
    text = _cell(text, 3, "proc", "SLP")
    with pytest.raises(ScenarioError) as exc:
        read_deu(write("bad.tsv", text))
    got = [str(p) for p in exc.value.problems]
    col = {c: COLUMNS.index(c) + 1 for c in COLUMNS}
    assert any(
        p.startswith(f"{write('bad.tsv', text)}:2: counvte (column {col['counvte']}): "
                     "expected QMV or Unan, got 'QMV/Unan'")
        for p in got
    ), got  # fmt: skip
    assert any(":3: proc" in p and "SLP" in p and "consent" in p for p in got), got


def test_unknown_and_missing_columns_are_named(write):
    text = SYNTHETIC.read_text().replace("\tout\n", "\toutcome\n", 1)
    with pytest.raises(ScenarioError) as exc:
        read_deu(write("cols.tsv", text))
    got = [str(p) for p in exc.value.problems]
    assert any("outcome (column 75): unknown column" in p for p in got)
    assert any("missing columns: out" in p for p in got)


def test_empty_and_non_tab_files_are_refused(write):
    for text in ("\n\n", "", "\ufeff \n"):
        with pytest.raises(ScenarioError) as exc:
            read_deu(write("e.tsv", text))
        message = str(exc.value.problems[0])
        assert "the file is empty; expected a DEU III table" in message
        assert "scenario" not in message
    with pytest.raises(ScenarioError, match="tab-separated"):
        read_deu(write("c.tsv", "prnr,isnr\nx,y\n"))
    with pytest.raises(ScenarioError, match="no such file"):
        read_deu(DATA / "nope.tsv")


def test_bad_options_are_refused():
    table = read_deu(SYNTHETIC)
    with pytest.raises(ValueError, match="treaty rule"):
        deu_scenarios(table, treaty_rule="amsterdam")
    with pytest.raises(ValueError, match="missing salience"):
        deu_scenarios(table, missing_salience=120)


def test_a_weights_file_lacking_actors_gives_one_problem_per_actor_and_procedure(write):
    rows = [COLUMNS_LINE]
    base = SYNTHETIC.read_text().splitlines()[1]
    for k in range(12):  # 12 rows, each with de, lu, fr: 8 under COD, 4 under CNS
        line = _cell(base + "\n", 1, "isnr", f"y{k}")
        line = _cell(line, 1, "pfr", "30")
        line = _cell(line, 1, "sfr", "50")
        rows.append(_cell(line, 1, "proc", "COD" if k < 8 else "CNS").rstrip("\n"))
    table = write("many.tsv", "\n".join(rows) + "\n")
    weights = write("w.csv", "actor,weight\ncom,1\nep,1\n")
    with pytest.raises(ScenarioError) as exc:
        load_deu(table, weights=str(weights))
    got = [str(p) for p in exc.value.problems]
    cod, cns = "8 rows: lines 2, 3, 4, 5, 6, ...", "4 rows: lines 10, 11, 12, 13"
    assert got == [
        f"{table}:2: pde: {weights} gives no weight to 'de' under COD ({cod})",
        f"{table}:2: pfr: {weights} gives no weight to 'fr' under COD ({cod})",
        f"{table}:2: plu: {weights} gives no weight to 'lu' under COD ({cod})",
        f"{table}:10: pde: {weights} gives no weight to 'de' under CNS ({cns})",
        f"{table}:10: pfr: {weights} gives no weight to 'fr' under CNS ({cns})",
        f"{table}:10: plu: {weights} gives no weight to 'lu' under CNS ({cns})",
    ]


@pytest.mark.parametrize("name", ["Council", "councl", "no/such.csv"])
def test_an_unknown_weighting_lists_the_named_ones(name):
    with pytest.raises(ScenarioError) as exc:
        eu_weights.weighting(name)
    text = str(exc.value.problems[0])
    assert text.startswith(f"{name}: no such weighting or file")
    assert "council, supranational or equal" in text and "CSV file" in text


def test_parse_deu_hashes_the_text_when_no_hash_is_given():
    a = parse_deu(SYNTHETIC.read_text(), "x")
    assert a.sha256.startswith("sha256:") and len(a.rows) == 5


# ------------------------------------------------------------------ weights


def test_pre_nice_votes_sum_to_87():
    # Art. 148(2) EC (205(2) TEC after Amsterdam), 1994 Act of Accession: 87 votes, EU-15
    p = eu_weights.period("pre-nice")
    assert p.total == 87 and len(p.weights) == 15


def test_accession_2004_votes_sum_to_124():
    # 2003 Act of Accession, Art. 26: 124 votes from 1 May to 31 October 2004, EU-25
    p = eu_weights.period("accession-2004")
    assert p.total == 124 and len(p.weights) == 25


PRE_NICE = {
    **dict.fromkeys(("DE", "FR", "IT", "UK"), 10),
    "ES": 8,
    **dict.fromkeys(("BE", "EL", "NL", "PT"), 5),
    **dict.fromkeys(("AT", "SE"), 4),
    **dict.fromkeys(("DK", "IE", "FI"), 3),
    "LU": 2,
}
NICE = {
    **dict.fromkeys(("DE", "FR", "IT", "UK"), 29),
    **dict.fromkeys(("ES", "PL"), 27),
    "RO": 14,
    "NL": 13,
    **dict.fromkeys(("BE", "CZ", "EL", "HU", "PT"), 12),
    **dict.fromkeys(("AT", "BG", "SE"), 10),
    **dict.fromkeys(("DK", "IE", "LT", "SK", "FI", "HR"), 7),
    **dict.fromkeys(("CY", "EE", "LV", "LU", "SI"), 4),
    "MT": 3,
}


def test_the_pre_nice_table_in_full():
    # Art. 148(2) EC (205(2) TEC after Amsterdam), 1994 Act of Accession: 87 votes, EU-15
    assert dict(eu_weights.period("pre-nice").weights) == PRE_NICE
    assert sum(PRE_NICE.values()) == 87


@pytest.mark.parametrize(
    ("day", "key", "members", "total"),
    [
        # Treaty of Nice, Protocol on enlargement, Art. 3, with the 2003 Act of Accession:
        # 321 votes for the EU-25; Bulgaria and Romania (2005 Act, members from 1 January
        # 2007): 345; Croatia (2012 Act, a member from 1 July 2013): 352
        (dt.date(2004, 11, 1), "nice-eu25", set(NICE) - {"BG", "RO", "HR"}, 321),
        (dt.date(2006, 12, 31), "nice-eu25", set(NICE) - {"BG", "RO", "HR"}, 321),
        (dt.date(2007, 1, 1), "nice-eu27", set(NICE) - {"HR"}, 345),
        (dt.date(2013, 6, 30), "nice-eu27", set(NICE) - {"HR"}, 345),
        (dt.date(2013, 7, 1), "nice-eu28", set(NICE), 352),
        (dt.date(2014, 10, 31), "nice-eu28", set(NICE), 352),
    ],
)
def test_the_nice_table_in_full_with_the_members_of_the_day(day, key, members, total):
    p = eu_weights.period_at(day)
    assert p.key == key
    assert dict(p.weights) == {k: v for k, v in NICE.items() if k in members}
    assert p.total == total
    assert f"{total} votes" in p.source


def test_lisbon_shares_sum_to_one():
    # Council Decision (EU, Euratom) 2015/2393, Annex III (figures for 2016): the printed
    # percentages sum to 100.01; the shares are renormalised to 1
    w = eu_weights.period("lisbon").weights
    assert math.isclose(sum(w.values()), 1.0)
    assert math.isclose(sum(eu_weights.LISBON_2016_PERCENT.values()), 100.01)
    assert len(w) == 28


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (dt.date(1990, 1, 1), "pre-nice"),
        (dt.date(2004, 4, 30), "pre-nice"),
        (dt.date(2004, 5, 1), "accession-2004"),
        (dt.date(2004, 10, 31), "accession-2004"),
        (dt.date(2004, 11, 1), "nice-eu25"),
        (dt.date(2014, 10, 31), "nice-eu28"),
        (dt.date(2014, 11, 1), "lisbon"),
        (dt.date(2025, 1, 1), "lisbon"),
    ],
)
def test_periods_cover_every_day_once(day, key):
    assert [p.key for p in eu_weights.PERIODS if p.covers(day)] == [key]
    assert eu_weights.period_at(day).key == key


def test_a_state_missing_from_a_period_takes_its_share_of_the_later_periods_total():
    # Romania in 2004: 14 of the EU-27's 345 votes, times the transition's 124
    w, note = eu_weights.council_weight("RO", eu_weights.period("accession-2004"))
    assert w == pytest.approx(14 / 345 * 124)
    assert "Treaty of Nice (EU-27)" in note and "14 of 345 votes" in note
    # Bulgaria in 2006: 10 of 345, times the EU-25's 321; Croatia in 2010: 7 of 352 x 345
    w, _ = eu_weights.council_weight("BG", eu_weights.period("nice-eu25"))
    assert w == pytest.approx(10 / 345 * 321)
    w, _ = eu_weights.council_weight("HR", eu_weights.period("nice-eu27"))
    assert w == pytest.approx(7 / 352 * 345)
    assert eu_weights.council_weight("XX", eu_weights.period("nice-eu28")) is None


def _dated(intro: str, *, bu: bool = False) -> str:
    """The synthetic table's first row, introduced on ``intro`` (dd-mm-yyyy), with Bulgaria
    taking a position when ``bu``."""
    row = _cell(SYNTHETIC.read_text().splitlines()[1] + "\n", 1, "intro", intro)
    row = _cell(row, 1, "finact", "")
    if bu:
        row = _cell(_cell(row, 1, "pbu", "70"), 1, "sbu", "40")
    return COLUMNS_LINE + "\n" + row


@pytest.mark.parametrize(
    ("intro", "total"),
    [("15-03-2005", 321), ("15-03-2008", 345), ("15-03-2014", 352), ("15-03-2003", 87)],
)
def test_supranational_weighs_the_commission_as_the_council_of_the_day(intro, total):
    sc = deu_scenarios(parse_deu(_dated(intro), "t"), weights="supranational").issues[0]
    caps = {a.id: a.capability for a in sc.scenario.actors}
    assert caps["com"] == total and caps["ep"] == total  # co-decision


def test_bulgaria_before_it_joined_is_weighted_from_a_later_period_and_counted():
    before = deu_scenarios(parse_deu(_dated("15-03-2006", bu=True), "t"))
    assert before.issues[0].period == "nice-eu25"
    assert before.issues[0].scenario.actor("bu").capability == pytest.approx(10 / 345 * 321)
    assert [n.kind for n in before.issues[0].notes] == ["weight_from_later_period"]
    assert "10 of 345 votes" in before.issues[0].notes[0].text
    assert before.counts()["weight_from_later_period"] == 1
    member = deu_scenarios(parse_deu(_dated("15-03-2007", bu=True), "t"))
    assert member.issues[0].scenario.actor("bu").capability == 10
    assert member.counts()["weight_from_later_period"] == 0


# ------------------------------------------------------------------ the real file


def test_the_development_file(shared):
    deu = load_deu(shared / "data" / "deu3" / "deu3-dev.tsv")
    table = deu.table
    assert len(table.rows) == 210 and len(table.proposals) == 85
    assert table.edition == "the DEU III development file (210 issues)"
    assert table.treated == {} and deu.counts()["code_variant"] == 0  # the codes as canonical
    counts = deu.counts()
    assert counts["scenarios"] == 210
    assert counts["with_outcome"] == 201
    assert counts["without_reference_point"] == 67
    assert counts["left_out_no_salience"] == 17
    # Bulgaria and Romania before 2007: on Galileo (d04156, 2004; 6) and on d05245, d06132,
    # d06196, d06206 and d06304 (the EU-25's Nice period; 25)
    assert counts["weight_from_later_period"] == 31
    later = {
        d.row.proposal for d in deu.issues for n in d.notes if n.kind == "weight_from_later_period"
    }
    assert later == {"d04156", "d05245", "d06132", "d06196", "d06206", "d06304"}
    assert table.missing["out"] == 9 and table.missing["rp"] == 67
    assert table.missing_999 == 21  # the final acts not yet adopted
    assert sum(table.missing.values()) == 2335
    assert sum(deu.settings()["periods"].values()) == 210
    for row in table.rows:  # the dates as read: introduced in the year the id names
        assert row.introduced is not None
        assert row.final_act is None or row.final_act >= row.introduced
        digits = row.proposal[1:3]
        assert str(row.introduced.year)[2:] == digits
