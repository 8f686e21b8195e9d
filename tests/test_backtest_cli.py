"""``realpolitik backtest`` and ``realpolitik seal`` on the command line: the leaderboard,
``--json`` and ``--html``, bad input with exit code 2 and its file, line and column, and a
forecast sealed, then graded, then refused on a changed scenario."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from realpolitik.cli import app
from realpolitik.runner.store import RunStore, read_sealed
from realpolitik.scenario.deu import COLUMNS

DATA = Path(__file__).parent / "data"
SYNTHETIC = DATA / "deu-synthetic.tsv"
MINIMAL = (DATA / "minimal.yaml").read_text()
OUTCOMES = (
    "outcomes:\n"
    "  - {issue: i1, value: 45, date: 2099-06-30, source: {judgement: test}}\n"
    "  - {issue: i2, value: 4, date: 2099-06-30, source: {judgement: test}}\n"
)
FAST = ["--seed", "3", "--resamples", "300"]

runner = CliRunner()


def _invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "120"})
    assert "Traceback" not in result.output
    return result


def test_the_leaderboard_of_a_deu_table():
    r = _invoke("backtest", SYNTHETIC, *FAST, "--no-store")
    assert r.exit_code == 0, r.output
    out = r.output
    for text in (
        "DEU III table",
        "3 issues with an outcome scored",
        "Leaderboard",
        "compromise",
        "reference-point",
        "By procedure",
        "By voting",
        "Difference to compromise",
        "without an outcome",
        "positions without a salience left out",
        "doi:10.34810/data53",
    ):
        assert text in out, text


def test_a_table_as_published_reports_the_codes_it_read(write):
    lines = SYNTHETIC.read_text().splitlines()
    at = {c: k for k, c in enumerate(COLUMNS)}
    cells = lines[1].split("\t")
    cells[at["counvte"]] = "QMV(10)"
    lines[1] = "\t".join(cells)
    cells = lines[2].split("\t")
    cells[at["proc"]] = "OLP"
    lines[2] = "\t".join(cells)
    r = _invoke("backtest", write("published.tsv", "\n".join(lines) + "\n"), *FAST, "--no-store")
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    assert (
        "codes read as published: counvte 'QMV(10)' read as QMV (1); proc 'OLP' read as COD (1)"
        in flat
    )
    assert "QMV(10)" not in flat.split("By voting")[1]  # grouped with the QMV issues
    r = _invoke(
        "backtest", write("published.tsv", "\n".join(lines) + "\n"), *FAST, "--no-store", "--json"
    )
    assert json.loads(r.stdout)["source"]["treated"]["proc 'OLP' read as COD"] == 1


def test_json_parses_and_is_the_backtest():
    r = _invoke("backtest", SYNTHETIC, *FAST, "--json", "--no-store")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["format"] == "realpolitik-backtest/1"
    assert data["seed"] == 3 and data["resamples"] == 300
    assert {row["name"] for row in data["leaderboard"]} == {
        "compromise",
        "median",
        "eum",
        "reference-point",
        "constant-50",
        "unweighted-mean",
    }


def test_options_reach_the_backtest(write):
    r = _invoke(
        "backtest",
        SYNTHETIC,
        *FAST,
        "--json",
        "--no-store",
        "--models",
        "median",
        "--weights",
        "equal",
        "--treaty-rule",
        "nice-eu28",
        "--missing-salience",
        "50",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["source"]["weights"]["name"] == "equal"
    assert data["source"]["treaty_rule"] == "nice-eu28"
    assert data["source"]["counts"]["salience_imputed"] == 1
    assert data["kinds"] == {
        "median": "model",
        "compromise": "model",
        "reference-point": "baseline",
        "constant-50": "baseline",
        "unweighted-mean": "baseline",
    }


def test_html_page(tmp_path):
    page = tmp_path / "bt.html"
    r = _invoke("backtest", SYNTHETIC, *FAST, "--html", page, "--no-store")
    assert r.exit_code == 0, r.output
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "doi:10.34810/data53" in html and "Arregui" in html
    assert "<svg" in html and "<script" not in html
    assert 'src="http' not in html and 'href="http' not in html
    again = tmp_path / "again.html"
    _invoke("backtest", SYNTHETIC, *FAST, "--html", again, "--no-store")
    assert again.read_text() == html
    # one environment and one number format for every page of the report package
    from realpolitik.report import backtest as page
    from realpolitik.report import html as report_html

    assert page.environment is report_html.environment and page.number is report_html.number


def test_a_malformed_table_exits_2_with_file_line_and_column(write):
    lines = SYNTHETIC.read_text().splitlines()
    cells = lines[2].split("\t")
    cells[COLUMNS.index("sde")] = "lots"
    lines[2] = "\t".join(cells)
    f = write("bad.tsv", "\n".join(lines) + "\n")
    r = _invoke("backtest", f, "--no-store")
    assert r.exit_code == 2
    col = COLUMNS.index("sde") + 1
    assert f"bad.tsv:3: sde (column {col}): expected a number, got 'lots'" in r.output


def test_bad_options_exit_2(write):
    r = _invoke("backtest", SYNTHETIC, "--treaty-rule", "amsterdam", "--no-store")
    assert r.exit_code == 2 and "--treaty-rule" in r.output
    r = _invoke("backtest", SYNTHETIC, "--weights", "nope.csv", "--no-store")
    assert r.exit_code == 2 and "nope.csv: no such weighting or file" in r.output
    r = _invoke("backtest", SYNTHETIC, "--models", "nope", "--no-store")
    assert r.exit_code == 2 and "unknown model" in r.output
    r = _invoke("backtest", DATA / "minimal.yaml", "--no-store")
    assert r.exit_code == 2 and "no issue with an observed outcome" in r.output
    entry = "  - {issue: i9, value: 1, source: {judgement: x}}\n"
    bad = write("bad.yaml", MINIMAL + "outcomes:\n" + entry)
    r = _invoke("backtest", bad, "--no-store")
    assert r.exit_code == 2 and "outcomes[0].issue: unknown issue 'i9'" in r.output


def test_an_unknown_weighting_lists_the_named_ones_and_a_file():
    r = _invoke("backtest", SYNTHETIC, "--weights", "Council", "--no-store")
    assert r.exit_code == 2
    assert (
        "Council: no such weighting or file; --weights expects council, supranational or "
        "equal, or the path of a CSV file actor,weight[,procedure]"
    ) in r.output


def test_an_empty_table_is_called_an_empty_deu_table(write):
    r = _invoke("backtest", write("empty.tsv", ""), "--no-store")
    assert r.exit_code == 2
    assert "empty.tsv: the file is empty; expected a DEU III table" in r.output
    assert "scenario" not in r.output


def test_a_table_without_outcomes_names_the_out_column(write):
    lines = SYNTHETIC.read_text().splitlines()
    out = COLUMNS.index("out")
    for k in range(1, len(lines)):
        cells = lines[k].split("\t")
        cells[out] = "999" if k % 2 else ""
        lines[k] = "\t".join(cells)
    f = write("no-outcomes.tsv", "\n".join(lines) + "\n")
    r = _invoke("backtest", f, "--no-store")
    assert r.exit_code == 2
    assert "no-outcomes.tsv: out: no issue with an observed outcome" in r.output
    assert "`out` column is blank or 999" in r.output and "outcomes:" not in r.output


def test_a_comma_separated_deu_table_is_told_to_use_tabs(write):
    text = SYNTHETIC.read_text().replace("\t", ",")
    r = _invoke("backtest", write("deu.csv", text), "--no-store")
    assert r.exit_code == 2
    assert "deu.csv:1: a header of DEU III columns (prnr, isnr, ...) separated by commas" in (
        r.output
    )
    assert "DEU III tables are tab-separated" in r.output


def test_sealed_with_a_deu_table_asks_for_the_sealed_scenario_file(tmp_path):
    r = _invoke("backtest", SYNTHETIC, "--sealed", "1", "--store", tmp_path / "s.sqlite")
    assert r.exit_code == 2
    assert "--sealed: " in r.output and "is a DEU III table" in r.output
    assert "scenario file, with its outcomes added" in r.output
    assert "YAML" not in r.output


def test_ignored_options_are_warned_about(tmp_path):
    (tmp_path / "a.yaml").write_text(MINIMAL + OUTCOMES)
    args = ("--weights", "equal", "--treaty-rule", "final", "--iso-dates", "--no-store")
    r = _invoke("backtest", tmp_path, *FAST, *args)
    assert r.exit_code == 0, r.output
    assert (
        "warning: --weights, --treaty-rule, --iso-dates are ignored for scenario files: "
        "they apply to DEU III tables only"
    ) in r.stderr
    r = _invoke("backtest", tmp_path / "a.yaml", *FAST, "--no-store")
    assert "ignored" not in r.stderr
    r = _invoke("backtest", SYNTHETIC, *FAST, "--weights", "equal", "--no-store")
    assert "ignored" not in r.stderr
    store = tmp_path / "runs.sqlite"
    (tmp_path / "b.yaml").write_text(MINIMAL)
    assert _invoke("seal", tmp_path / "b.yaml", "--store", store).exit_code == 0
    (tmp_path / "b.yaml").write_text(MINIMAL + OUTCOMES)
    r = _invoke(
        "backtest", tmp_path / "b.yaml", "--sealed", "1", "--model", "eum", "--store", store
    )
    assert r.exit_code == 0, r.output
    assert "warning: --model is ignored with --sealed" in r.stderr


def test_intervals_from_few_clusters_are_flagged(tmp_path):
    r = _invoke("backtest", SYNTHETIC, *FAST, "--no-store")
    assert r.exit_code == 0
    assert "fewer than 10 clusters" in r.stdout and "all issues (2 clusters)" in r.stdout
    data = json.loads(_invoke("backtest", SYNTHETIC, *FAST, "--json", "--no-store").stdout)
    assert data["few_clusters"] is True
    assert any("fewer than 10 clusters" in n for n in data["notes"])
    for k in range(12):
        (tmp_path / f"s{k}.yaml").write_text(MINIMAL.replace("id: minimal", f"id: s{k}") + OUTCOMES)
    data = json.loads(_invoke("backtest", tmp_path, *FAST, "--json", "--no-store").stdout)
    assert data["few_clusters"] is False
    assert not any("fewer than 10" in n for n in data["notes"])


def test_a_scenario_file_and_a_folder(tmp_path):
    (tmp_path / "a.yaml").write_text(MINIMAL + OUTCOMES)
    (tmp_path / "b.yaml").write_text(MINIMAL.replace("id: minimal", "id: other"))
    r = _invoke("backtest", tmp_path / "a.yaml", *FAST, "--no-store")
    assert r.exit_code == 0, r.output
    assert "1 scenario, 2 issues with an outcome scored" in r.output
    assert "no bootstrap interval" in r.output
    r = _invoke("backtest", tmp_path, *FAST, "--no-store")
    assert r.exit_code == 0, r.output
    assert "without outcomes (not scored): other" in r.output


def test_a_backtest_is_recorded(tmp_path):
    store = tmp_path / "runs.sqlite"
    r = _invoke("backtest", SYNTHETIC, *FAST, "--store", store)
    assert r.exit_code == 0, r.output
    r = _invoke("runs", "list", "--store", store)
    assert "backtest" in r.output
    r = _invoke("runs", "show", "1", "--store", store, "--json")
    data = json.loads(r.stdout)
    assert data["parameters"]["weights"] == "council"
    assert data["summary"]["leaderboard"][0]["name"]


def test_seal_then_grade_then_refuse(tmp_path):
    store = tmp_path / "runs.sqlite"
    (tmp_path / "game.yaml").write_text(MINIMAL)
    r = _invoke("seal", tmp_path / "game.yaml", "--store", store)
    assert r.exit_code == 0, r.output
    assert "sealed as run 1" in r.output
    with RunStore(store, create=False) as rs:
        digest = read_sealed(rs, 1).forecast_sha256
    assert digest.startswith("sha256:") and f"forecasts' SHA-256: {digest}" in r.stdout
    assert "accidental changes are detected" in r.stdout
    assert f"forecasts {digest}" in r.stderr
    (tmp_path / "game.yaml").write_text(MINIMAL + OUTCOMES)
    r = _invoke("backtest", tmp_path / "game.yaml", "--sealed", "1", "--store", store, *FAST)
    assert r.exit_code == 0, r.output
    assert "Sealed forecast: run 1" in r.output
    assert "days after the seal" in r.output
    (tmp_path / "game.yaml").write_text(MINIMAL.replace("position: 20", "position: 25") + OUTCOMES)
    r = _invoke("backtest", tmp_path / "game.yaml", "--sealed", "1", "--store", store)
    assert r.exit_code == 2
    assert "graded only on the scenario it was made on" in r.output
    assert "position: 20.0 -> 25" in r.output
    r = _invoke("backtest", tmp_path / "game.yaml", "--sealed", "2", "--store", store)
    assert r.exit_code == 2 and "not a sealed forecast" in r.output  # run 2: the backtest
    r = _invoke("backtest", tmp_path / "game.yaml", "--sealed", "9", "--store", store)
    assert r.exit_code == 2 and "no run 9" in r.output


def test_the_model_options_help_says_what_each_command_runs():
    seal = _invoke("seal", "--help")
    assert seal.exit_code == 0 and "--model" in seal.output
    assert "baselines" not in seal.output  # seal runs no baseline
    backtest = _invoke("backtest", "--help")
    assert "--models" in backtest.output and "baselines always run" in backtest.output


def test_sealing_a_scenario_with_outcomes_warns(tmp_path):
    (tmp_path / "game.yaml").write_text(MINIMAL + OUTCOMES)
    r = _invoke("seal", tmp_path / "game.yaml", "--store", tmp_path / "s.sqlite", "--json")
    assert r.exit_code == 0, r.output
    assert "already records outcomes" in r.output
