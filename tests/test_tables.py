"""Scenarios as tables (an XLSX workbook or a folder of CSV files): the round trip keeps the
content hash, bad cells and sheets get located errors, and `new` writes a scenario that
validates once its blanks are filled."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

import realpolitik as rp
from realpolitik.errors import ScenarioError
from realpolitik.scenario import Scenario, load
from realpolitik.scenario.tables import cell_number, read_csv_folder, write_csv_folder
from realpolitik.scenario.template import FILL, blanks, template_data, template_yaml

openpyxl = pytest.importorskip("openpyxl", reason="workbooks need the extra `spreadsheets`")

from realpolitik.scenario.xlsx_io import write_xlsx  # noqa: E402

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parents[1] / "examples" / "iran-2015"


def _rich() -> Scenario:
    """A scenario with every part the tables carry: a question, a retrospective reason,
    ranges (a uniform one with a note), a stance's own capability, a ranged status quo,
    a shock, an outcome, sources of every kind."""
    d = load(DATA / "uncertain.yaml").to_dict()
    d["question"] = {"text": "Alpha or Beta?", "contestants": ["a", "b"],
                     "source": {"ref": "s", "quote": "who wins"}}  # fmt: skip
    d["retrospective"] = {"reason": "a test of the opt-out"}
    d["sources"].append({"id": "later", "title": "After", "date": "2023-05-01",
                         "url": "https://example.org", "licence": "CC BY 4.0"})  # fmt: skip
    d["stances"][2]["capability"] = {"value": 3, "low": 1, "high": 5, "note": "a guess"}
    d["stances"][3]["capability"] = 0.25
    d["stances"][3]["source"] = {"ref": "later", "judgement": "mine", "year": 2023}
    d["issues"][1]["status_quo"] = {"value": 2, "low": 1, "high": 4, "distribution": "uniform"}
    d["outcomes"] = [{"issue": "i1", "value": 40, "date": "2023-01-02", "note": "settled",
                      "source": {"url": "https://example.org/o"}}]  # fmt: skip
    d["actors"][1]["description"] = "=not a formula, a text"
    return Scenario.from_dict(d)


SCENARIOS = ["caucasus-2022", "ec-emissions-1994", "rich"]


def _scenario(name: str) -> Scenario:
    return _rich() if name == "rich" else load(name)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_csv_round_trip_keeps_the_content_hash(name, tmp_path):
    sc = _scenario(name)
    write_csv_folder(sc, tmp_path / "t")
    again = load(tmp_path / "t")
    assert again.content_hash() == sc.content_hash()
    assert again.to_dict() == sc.to_dict()


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_xlsx_round_trip_keeps_the_content_hash(name, tmp_path):
    sc = _scenario(name)
    write_xlsx(sc, tmp_path / "t.xlsx")
    again = load(tmp_path / "t.xlsx")
    assert again.content_hash() == sc.content_hash()
    assert again.to_dict() == sc.to_dict()
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames[:5] == ["meta", "sources", "actors", "issues", "stances"]


def test_a_number_that_needs_17_digits_keeps_them_in_a_workbook(tmp_path):
    """openpyxl writes a float with 16 significant digits: 0.1 + 0.2, or a capability a
    what-if computed (1/3 * 0.7), came back another float and the hash changed."""
    d = load(DATA / "minimal.yaml").to_dict()
    d["actors"][1]["capability"] = 0.1 + 0.2
    d["stances"][2]["position"] = 100 / 3 + 1e-13
    sc = Scenario.from_dict(d)
    write_xlsx(sc, tmp_path / "t.xlsx")
    again = load(tmp_path / "t.xlsx")
    assert again.actor("b").capability == 0.1 + 0.2
    assert again.content_hash() == sc.content_hash()
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["actors"]
    assert any(c.value == 0.1 + 0.2 and c.data_type == "n" for row in ws.iter_rows() for c in row)


def test_the_long_table_has_one_row_per_stance(tmp_path):
    sc = _rich()
    write_csv_folder(sc, tmp_path / "t")
    lines = (tmp_path / "t" / "stances.csv").read_text().splitlines()
    assert lines[0].startswith("actor,issue,position,position_low,position_high,salience,")
    assert "capability" in lines[0].split(",")
    assert len(lines) == 1 + len(sc.stances)
    assert lines[3].split(",")[:3] == ["c", "i1", "60"]


def test_a_text_starting_with_equals_is_written_as_text(tmp_path):
    write_xlsx(_rich(), tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["actors"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=not a formula, a text")
    assert cell.data_type == "s"


# ------------------------------------------------------------------ bad input


def _workbook(tmp_path: Path, edit) -> Path:
    path = tmp_path / "w.xlsx"
    write_xlsx(load(DATA / "minimal.yaml"), path)
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(path)
    return [str(p) for p in info.value.problems]


def _col(ws, name: str) -> int:
    return next(c.column for c in ws[1] if c.value == name)


def test_a_merged_range_is_refused_where_it_is(tmp_path):
    def edit(wb):
        wb["stances"].merge_cells("D2:D3")

    (p,) = _problems(_workbook(tmp_path, edit))
    assert p.startswith(f"{tmp_path / 'w.xlsx'}[stances]:2: cells D2:D3: merged cells;")


def test_a_formula_is_refused_where_it_is(tmp_path):
    def edit(wb):
        ws = wb["stances"]
        ws.cell(row=3, column=_col(ws, "position")).value = "=C2*2"

    (p,) = _problems(_workbook(tmp_path, edit))
    assert "[stances]:3: position (column C): a formula (=C2*2)" in p
    assert "paste them as values" in p


def test_a_date_in_a_number_cell_is_refused(tmp_path):
    def edit(wb):
        ws = wb["stances"]
        ws.cell(row=2, column=_col(ws, "salience")).value = dt.datetime(2022, 3, 1)

    (p,) = _problems(_workbook(tmp_path, edit))
    assert "[stances]:2: salience (column F): a date or time, not a number" in p


def test_a_percentage_cell_is_refused_not_rescaled(tmp_path):
    def edit(wb):
        ws = wb["stances"]
        cell = ws.cell(row=4, column=_col(ws, "salience"))
        cell.value = 0.3
        cell.number_format = "0%"

    (p,) = _problems(_workbook(tmp_path, edit))
    assert "[stances]:4: salience (column F): a percentage (30%" in p
    assert "type 30" in p


def test_a_hidden_sheet_is_refused(tmp_path):
    def edit(wb):
        wb["sources"].sheet_state = "hidden"

    (p,) = _problems(_workbook(tmp_path, edit))
    assert p.endswith("[sources]: the sheet is hidden; unhide it (a hidden table is not read "
                      "unseen) or delete it")  # fmt: skip


def test_an_unknown_sheet_is_refused_and_notes_are_left_alone(tmp_path):
    def edit(wb):
        wb.create_sheet("stance")
        wb.create_sheet("Notes")["A1"] = "anything"

    (p,) = _problems(_workbook(tmp_path, edit))
    assert "[stance]: an unknown sheet 'stance'" in p


def test_a_duplicate_row_is_refused(tmp_path):
    def edit(wb):
        ws = wb["stances"]
        ws.append([c.value for c in ws[2]])

    (p,) = _problems(_workbook(tmp_path, edit))
    assert p.endswith("[stances]:7: the same as row 2; expected each row once (remove one)")


def test_a_second_stance_of_an_actor_on_an_issue_names_both_rows(tmp_path):
    def edit(wb):
        ws = wb["stances"]
        row = [c.value for c in ws[2]]
        row[_col(ws, "position") - 1] = 33
        ws.append(row)

    (p,) = _problems(_workbook(tmp_path, edit))
    assert "[stances]:7: a second stance of 'a' on 'i1'; the first is row 2 of" in p


def test_model_problems_are_located_by_sheet_row_and_column(tmp_path):
    def edit(wb):
        ws = wb["stances"]
        ws.cell(row=3, column=_col(ws, "actor")).value = "zed"
        ws.cell(row=4, column=_col(ws, "position")).value = 130
        ws.cell(row=5, column=_col(ws, "salience")).value = "lots"
        ws.cell(row=6, column=_col(ws, "position")).value = None

    probs = _problems(_workbook(tmp_path, edit))
    text = "\n".join(probs)
    assert "[stances]:5: salience (column F): expected a number, got 'lots'" in text
    assert "[stances]:3: actor (column A): unknown actor 'zed'" in text
    assert "[stances]:4: position (column C): 130 is off the scale of 'i1'" in text
    assert "[stances]:6: position: missing; this field is required" in text


def test_a_missing_sheet_and_an_unknown_column_are_named(tmp_path):
    def edit(wb):
        del wb["issues"]
        wb["stances"]["M1"] = "colour"

    text = "\n".join(_problems(_workbook(tmp_path, edit)))
    assert "no issues table" in text
    assert "[stances]:1: colour (column M): unknown column 'colour'" in text


def test_csv_cells_get_located_errors(tmp_path):
    folder = tmp_path / "t"
    write_csv_folder(load(DATA / "minimal.yaml"), folder)
    path = folder / "stances.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",20,", ",45%,", 1)
    lines[2] = lines[2].replace(",90,", ",1,5,", 1)  # a decimal comma makes one cell more
    path.write_text("\n".join(lines) + "\n")
    text = "\n".join(_problems(folder))
    assert f"{path}:2: position: a percentage (45%)" in text
    n = len(lines[0].split(","))
    assert f"{path}:3: {n + 1} cells, the header {n}; expected as many (a decimal comma" in text


def test_cell_number_is_the_one_number_rule():
    assert cell_number("12.5") == 12.5
    assert cell_number(" -3e2 ") == -300.0
    assert cell_number(7) == 7.0
    for bad, why in [
        ("1,5", "has a comma; expected a decimal point (1.5)"),
        ("45%", "a percentage (45%)"),
        ("nan", "expected a number, got 'nan'"),
        (True, "a true/false cell"),
        (dt.date(2020, 1, 1), "a date or time, not a number"),
        (float("inf"), "expected a finite number"),
    ]:
        with pytest.raises(Exception, match=__import__("re").escape(why)):
            cell_number(bad)


def test_other_spreadsheet_formats_are_refused_with_a_way_out(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    (msg,) = _problems(p)
    assert "an old Excel workbook; save it as .xlsx" in msg
    q = tmp_path / "broken.xlsx"
    q.write_bytes(b"not a zip")
    (msg,) = _problems(q)
    assert "not an XLSX workbook" in msg or "not a readable XLSX workbook" in msg


def test_a_folder_without_tables_says_what_it_expected(tmp_path):
    (tmp_path / "empty").mkdir()
    text = "\n".join(_problems(tmp_path / "empty"))
    assert "no actors table" in text and "no stances table" in text


def test_a_stance_capability_in_a_table_reaches_the_forecast(tmp_path):
    folder = tmp_path / "t"
    write_csv_folder(load(DATA / "minimal.yaml"), folder)
    path = folder / "stances.csv"
    lines = path.read_text().splitlines()
    head = lines[0].split(",")
    k = head.index("capability")
    row = lines[3].split(",")
    assert row[:2] == ["c", "i1"]
    row[k] = "10"
    lines[3] = ",".join(row)
    path.write_text("\n".join(lines) + "\n")
    sc = load(folder)
    assert sc.capability_on("c", "i1") == 10
    w = [2 * 80, 1 * 50, 10 * 30]
    expected = (w[0] * 20 + w[1] * 90 + w[2] * 60) / sum(w)
    assert rp.forecast(sc, "compromise").value("compromise", "i1") == pytest.approx(expected)


# ------------------------------------------------------------------ new


def _fill(node, key=""):
    """Every blank of a template, filled as an analyst would."""
    if isinstance(node, dict):
        return {k: _fill(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, key) for v in node]
    if node != FILL:
        return node
    return {
        "date": "2015-03-31",
        "capability": 10,
        "position": 40,
        "salience": 60,
        "status_quo": 50,
        "ref": "source-1",
    }.get(key, f"text for {key}")


def test_a_filled_yaml_template_validates():
    text = template_yaml(["iran", "us"], ["enrichment", "sanctions"], scenario_id="talks")
    assert all(len(line) <= 80 for line in text.splitlines())
    with pytest.raises(ScenarioError) as info:
        rp.scenario.parse_yaml(text, "new.yaml")
    assert len(info.value.problems) == blanks(template_data(["iran", "us"], ["a", "b"])) == 32
    assert all("still to fill in" in p.message for p in info.value.problems)
    filled = _fill(yaml.safe_load(text))
    sc = Scenario.from_dict(filled)
    assert sc.id == "talks" and len(sc.stances) == 4
    assert rp.forecast(sc, "compromise").value("compromise", "enrichment") == 40


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_unfilled_table_template_lists_each_blank_once(fmt, tmp_path):
    """A blank source cell was told twice: "still to fill in", then "source: missing"."""
    data = template_data(["iran", "us"], ["enrichment"])
    path = tmp_path / ("t.xlsx" if fmt == "xlsx" else "t")
    (write_xlsx if fmt == "xlsx" else write_csv_folder)(data, path, template=True)
    problems = _problems(path)
    assert len(problems) == blanks(data) == 21
    assert all("still to fill in" in p for p in problems)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_filled_table_template_validates(fmt, tmp_path):
    data = template_data(["iran", "us", "eu"], ["enrichment"])
    path = tmp_path / ("t.xlsx" if fmt == "xlsx" else "t")
    if fmt == "xlsx":
        write_xlsx(data, path, template=True)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            head = [c.value for c in ws[1]]
            for row in ws.iter_rows(min_row=2):
                for c in row:
                    if c.value == FILL:
                        key = row[0].value if ws.title == "meta" else head[c.column - 1]
                        key = {"status_quo_source": "ref", "source": "ref"}.get(key, key)
                        c.value = _fill(FILL, key)
        wb.save(path)
    else:
        write_csv_folder(data, path, template=True)
        for f in path.iterdir():
            rows = [line.split(",") for line in f.read_text().splitlines()]
            for row in rows[1:]:
                for k, v in enumerate(row):
                    if v == FILL:
                        key = row[0] if f.stem == "meta" else rows[0][k]
                        key = {"status_quo_source": "ref", "source": "ref"}.get(key, key)
                        row[k] = str(_fill(FILL, key))
            f.write_text("\n".join(",".join(r) for r in rows) + "\n")
    sc = load(path)
    assert sc.actor_ids == ("iran", "us", "eu")
    assert sc.date == dt.date(2015, 3, 31)


def test_new_refuses_bad_ids():
    with pytest.raises(ScenarioError, match="'a b' is not an id"):
        template_data(["a b"], ["x"])
    with pytest.raises(ScenarioError, match="'x' named twice"):
        template_data(["a"], ["x", "x"])


# ------------------------------------------------------------------ the example


def test_the_iran_example_loads_from_both_forms(tmp_path):
    if not EXAMPLE.is_dir():
        pytest.skip("the example tables are not in this tree")
    csv_form = read_csv_folder(EXAMPLE)
    assert len(csv_form.actors) == 10 and len(csv_form.issues) == 3
    assert len(csv_form.stances) == 30
    write_xlsx(csv_form, tmp_path / "iran.xlsx")
    assert load(tmp_path / "iran.xlsx").content_hash() == csv_form.content_hash()
    shutil.copytree(EXAMPLE, tmp_path / "copy")
    assert load(tmp_path / "copy").content_hash() == csv_form.content_hash()


def test_the_tutorial_shows_the_example_tables_as_they_are():
    page = Path(__file__).parents[1] / "docs" / "tutorial" / "spreadsheet-scenario.md"
    if not EXAMPLE.is_dir() or not page.exists():
        pytest.skip("the example tables or the tutorial are not in this tree")
    text = page.read_text(encoding="utf-8")
    for f in sorted(EXAMPLE.glob("*.csv")):
        block = f"```csv\n# file: iran-2015/{f.name}\n{f.read_text(encoding='utf-8')}```"
        assert block in text, f"the tutorial's {f.name} differs from examples/iran-2015"


def test_validate_notes_saliences_that_look_like_fractions(tmp_path):
    from typer.testing import CliRunner

    from realpolitik.cli import app

    d = load(DATA / "minimal.yaml").to_dict()
    d["stances"][2]["salience"] = 0.8
    write_csv_folder(Scenario.from_dict(d), tmp_path / "t")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "t")], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "saliences of 1 or less beside larger ones (c on i1)" in result.output
    assert "is 0.8 meant as 80?" in result.output


def test_date_cells_and_whole_number_ids_are_read_as_typed(tmp_path):
    def edit(wb):
        ws = wb["meta"]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "date")
        row[1].value = dt.datetime(2022, 2, 23)  # a date cell, as a spreadsheet stores one
        ws = wb["sources"]
        ws.cell(row=2, column=_col(ws, "id")).value = 2015  # an id typed as digits
        for sheet in ("actors", "issues", "stances"):
            s = wb[sheet]
            for k in (_col(s, c) for c in ("source", "status_quo_source") if c in _heads(s)):
                for r in range(2, s.max_row + 1):
                    if s.cell(row=r, column=k).value == "s":
                        s.cell(row=r, column=k).value = "2015"

    sc = load(_workbook(tmp_path, edit))
    assert sc.date == dt.date(2022, 2, 23)
    assert sc.sources[0].id == "2015" and sc.actors[0].source.ref == "2015"


def _heads(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_without_openpyxl_a_workbook_says_how_to_install_it(tmp_path, monkeypatch):
    path = tmp_path / "w.xlsx"
    write_xlsx(load(DATA / "minimal.yaml"), path)
    monkeypatch.setitem(__import__("sys").modules, "openpyxl", None)  # import fails
    (msg,) = _problems(path)
    assert "needs openpyxl: pip install 'realpolitik[spreadsheets]'" in msg
    assert "or use a folder of CSV tables" in msg


def test_a_field_without_a_column_is_never_dropped_silently():
    from realpolitik.errors import InputError
    from realpolitik.scenario.tables import scenario_tables

    d = load(DATA / "minimal.yaml").to_dict()
    d["issues"][0]["locus"] = {"place": "somewhere"}
    with pytest.raises(InputError, match=r"no column for issues\[0\]\.locus\.place"):
        scenario_tables(d)
    assert scenario_tables(load(DATA / "minimal.yaml"))["stances"][0][:2] == ["actor", "issue"]


def test_a_workbook_that_unzips_too_far_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 101_000_000)
    (msg,) = _problems(path)
    assert "expands to more than 100,000,000 bytes" in msg


def test_an_issues_locus_travels_in_the_issues_table(tmp_path):
    """caucasus-2022 names each issue's locus (part 5's capability by place): its tables,
    CSV and XLSX, carry it (locus, locus_lat, locus_lon, locus_source...) and read back to
    the same content hash."""
    from realpolitik.scenario.tables import write_csv_folder

    sc = rp.load("caucasus-2022")
    assert all(i.locus is not None for i in sc.issues)
    write_csv_folder(sc, tmp_path / "t")
    head = (tmp_path / "t" / "issues.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "locus_lat" in head.split(",")
    back = rp.load(str(tmp_path / "t"))
    assert back.content_hash() == sc.content_hash()
    assert back.issue("karabakh-control").locus == sc.issue("karabakh-control").locus


@pytest.mark.parametrize(("far", "used"), [("XFD1048576", "XFD1048576"), ("A1048576", "G1048576")])
def test_a_sheet_whose_used_range_is_huge_is_refused_at_once(tmp_path, far, used):
    """One cell typed far away (a workbook of 7 KB) made the reader walk every cell of the
    used range: 17 billion of them, a hang; it is refused, located, before any walk."""
    import time

    path = tmp_path / "w.xlsx"
    write_xlsx(load(DATA / "minimal.yaml"), path)
    wb = openpyxl.load_workbook(path)
    wb["actors"][far] = "x"
    wb.save(path)
    start = time.monotonic()
    (msg,) = _problems(path)
    assert time.monotonic() - start < 20
    assert msg.startswith(f"{path}[actors]: cells A1:{used}: the sheet's used range spans")
    assert "expected at most 200,000" in msg


def test_many_unknown_columns_of_a_sheet_are_one_message(tmp_path):
    path = tmp_path / "w.xlsx"
    write_xlsx(load(DATA / "minimal.yaml"), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["actors"]
    for k in range(3000):
        ws.cell(row=1, column=20 + k, value=f"c{k}")
    wb.save(path)
    msgs = _problems(path)
    assert len(msgs) == 6 and "unknown column 'c0'" in msgs[0]
    assert "2,995 more unknown or repeated columns ('c5', 'c6'" in msgs[-1]


def test_many_bad_rows_are_reported_in_linear_time(tmp_path):
    """5,000 actors with a bad capability: each problem was checked against every cell that
    failed (quadratic: 20,000 rows took 7 minutes); the command line prints the first 100
    and counts the rest."""
    import csv
    import time

    from typer.testing import CliRunner

    from realpolitik.cli import app

    write_csv_folder(load(DATA / "minimal.yaml"), tmp_path / "t")
    path = tmp_path / "t" / "actors.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    blank = [""] * (len(rows[0]) - 4)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerows(rows)
        w.writerows([f"x{k}", "X", "bad", rows[1][3], *blank] for k in range(5000))
    start = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        read_csv_folder(tmp_path / "t")
    assert time.monotonic() - start < 20  # quadratic, it took about a minute here
    assert len(info.value.problems) == 5000
    out = CliRunner().invoke(app, ["validate", str(tmp_path / "t")])
    assert out.exit_code == 2
    text = out.stderr if hasattr(out, "stderr") else out.output
    assert "5000 problems found" in text or "5,000 problems found" in text
    assert "... and 4,900 more (the first 100 are shown)" in text
    assert len(text.splitlines()) < 110


def test_a_csv_export_never_hands_a_spreadsheet_a_formula(tmp_path):
    """A name such as =HYPERLINK(...) written as-is to a CSV table runs as a formula when
    the file is opened in a spreadsheet: it is written behind an apostrophe (shown as
    text), numbers such as -5 are not, and reading the folder back takes the apostrophe
    off (the content hash is kept)."""
    from realpolitik.scenario.tables import write_csv_folder

    data = rp.load("ec-emissions-1994").to_dict()
    data["actors"][0]["name"] = '=HYPERLINK("http://x.example","click")'
    data["actors"][1]["name"] = "@SUM(A1:A9)"
    sc = rp.Scenario.from_dict(data)
    write_csv_folder(sc, tmp_path / "t")
    text = (tmp_path / "t" / "actors.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    for line in text.splitlines()[1:]:
        for cell in next(iter(__import__("csv").reader([line]))):
            assert not cell.startswith(("=", "+", "@")), cell
    back = rp.load(str(tmp_path / "t"))
    assert back.actors[0].name == data["actors"][0]["name"]
    assert back.content_hash() == sc.content_hash()


def test_rows_formatted_far_beyond_the_table_are_not_the_table(tmp_path):
    """Borders applied to whole rows down to row 60,000 (300,000 empty but formatted cells)
    made the sheet's used range too large and the workbook was refused; the reader walks
    the cells that hold values, so it reads the table. A value typed that far is still
    refused, located."""
    from openpyxl.styles import Border, Side

    path = tmp_path / "w.xlsx"
    sc = load(DATA / "minimal.yaml")
    write_xlsx(sc, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["stances"]
    thin = Border(bottom=Side(style="thin"))
    for row in range(1, 60_001):
        for col in range(1, 6):
            ws.cell(row=row, column=col).border = thin
    wb.save(path)
    assert load(str(path)).content_hash() == sc.content_hash()
    wb = openpyxl.load_workbook(path)
    wb["stances"]["E60000"] = "x"
    wb.save(path)
    (msg,) = _problems(path)
    assert msg.startswith(f"{path}[stances]: cells A1:")
    assert "the sheet's used range spans" in msg
