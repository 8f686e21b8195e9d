"""The command line on good input: forecast, validate, scenarios, schema, models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()

CAUCASUS_ISSUES = (
    "azerbaijan-alignment",
    "karabakh-control",
    "armenia-alignment",
    "russia-transit-role",
    "turkey-armenia-normalization",
    "donbas-control",
)


def invoke(*args: str):
    result = runner.invoke(app, list(args), env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.stdout  # standard output only: notes such as "recorded as run" go to stderr


def test_forecast_without_argument_runs_the_default_with_all_models():
    out = invoke("forecast")
    for issue in CAUCASUS_ISSUES:
        assert issue in out
    for model in ("compromise", "median", "eum"):
        assert model in out
    assert "status quo" in out
    assert "Who comes out ahead" in out
    assert "Russia" in out and "Azerbaijan" in out
    fc = rp.forecast("caucasus-2022")
    value = fc.value("compromise", "karabakh-control")
    assert f"{value:.1f}" in out


def test_forecast_json_is_the_full_result():
    data = json.loads(invoke("forecast", "--json", "--model", "eum", "--rounds", "3"))
    assert data["scenario"]["id"] == "caucasus-2022"
    assert data["scenario"]["hash"].startswith("sha256:")
    assert data["version"] == rp.__version__
    assert set(data["forecasts"]["eum"]) == set(CAUCASUS_ISSUES)
    assert len(data["runs"][0]["positions"]) == 4  # rounds 0..3
    assert data["runs"][0]["parameters"]["rounds"] == 3
    back = rp.Forecast.from_dict(data)
    assert back.value("eum", "donbas-control") == data["forecasts"]["eum"]["donbas-control"]


def test_forecast_of_a_csv_table(tmp_path):
    p = tmp_path / "emissions.csv"
    p.write_text("actor,capability,position,salience\nA,1,4,80\nB,2,10,50\nC,1,7,20\n")
    out = invoke("forecast", str(p), "--model", "compromise,median")
    assert "emissions" in out and "compromise" in out and "median" in out
    assert "no issue has a status quo" in out


def test_validate_reports_ok_and_notes():
    out = invoke("validate", str(DATA / "minimal.yaml"))
    assert "ok" in out and "3 actors" in out and "2 issues" in out


def test_validate_without_an_argument_validates_the_default():
    assert "ok builtin:caucasus-2022" in invoke("validate")
    assert "default: caucasus-2022" in " ".join(invoke("validate", "--help").split())


def test_scenarios_lists_the_builtins_default_first():
    out = invoke("scenarios")
    assert out.index("caucasus-2022") < out.index("ec-emissions-1994")
    assert "default" in out


def test_schema_is_json_schema():
    schema = json.loads(invoke("schema"))
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) == {"id", "name", "actors", "issues", "stances"}
    assert "date" in schema["properties"]


def test_models_lists_the_registry():
    out = invoke("models")
    for name in rp.MODELS:
        assert name in out


def test_version():
    assert rp.__version__ in invoke("--version")


def test_forecast_says_when_the_eum_is_still_moving():
    # On the EC example the EUM's median wanders (Scholz et al. 2011, Table 2: 9.9 ... 7.4
    # ...): after 40 rounds it is still moving between 7.0 and 9.9, no point forecast.
    out = invoke("forecast", "ec-emissions-1994", "--model", "eum")
    assert "undetermined" in out
    assert "eum does not settle: after 40 rounds it is still moving between 7.0 and 9.9" in out
    out = invoke("forecast", "ec-emissions-1994", "--model", "eum", "--rounds", "5")
    assert "undetermined" not in out  # rounds 3-5 all sit at 9.96
    assert "eum's positions still move, but its median stays at 10.0" in out


def test_validate_notes_an_issue_nobody_weighs(tmp_path):
    text = (DATA / "minimal.yaml").read_text()
    text = text.replace("position: 8, salience: 20", "position: 8, salience: 0")
    text = text.replace("position: 3, salience: 100", "position: 3, salience: 0")
    p = tmp_path / "weightless.yaml"
    p.write_text(text)
    out = invoke("validate", str(p))
    assert "no actor puts any capability x salience weight on i2" in out
    fc = rp.forecast(p, model="compromise")
    assert fc.value("compromise", "i2") == 5.5  # the unweighted mean of 8 and 3


def test_forecast_says_when_the_eum_cycles():
    # On caucasus-2022 the EUM's Karabakh median alternates between 5 and 100 (a 2-cycle):
    # the table says it is undetermined, with its states, and the gains leave it out; a
    # narrow cycle (35 and 40 on the transit route) is forecast by its mean.
    out = invoke("forecast", "--model", "eum")
    assert "│ eum        │ undetermined │" in out
    assert "eum does not settle: it cycles between 5.0 and 100.0 (period 2)" in out
    assert "eum leaves out karabakh-control, donbas-control" in out
    assert "eum cycles within 35.0-40.0 (period 2); its forecast is the mean" in out
    run = rp.forecast("caucasus-2022", model="eum").run("eum")
    j = run.details["cycle_period"]
    assert any(p == 2 for p in j)


def test_export_writes_yaml_and_ktab_and_reads_back(tmp_path):
    ktab = tmp_path / "ec.csv"
    invoke("export", "ec-emissions-1994", "-f", "ktab", "-o", str(ktab))
    first = ktab.read_text(encoding="utf-8").splitlines()[0]
    assert first.endswith(",10,1")  # ten actors, one dimension
    back = rp.load(ktab)
    ec = rp.load("ec-emissions-1994")
    assert [a.name for a in back.actors] == [a.name for a in ec.actors]
    yaml_text = invoke("export", "ec-emissions-1994")  # YAML to standard output
    assert rp.Scenario.from_dict(__import__("yaml").safe_load(yaml_text)).content_hash() == (
        ec.content_hash()
    )


def test_export_refuses_what_it_cannot_write():
    result = runner.invoke(app, ["export", "caucasus-2022", "-f", "ktab"])
    assert result.exit_code == 2
    assert "needs a stance of every actor on every issue" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["export", "caucasus-2022", "-f", "xlsx"])
    assert result.exit_code == 2 and "--format xlsx writes a workbook; name it with --output" in (
        result.output
    )
    result = runner.invoke(app, ["export", "caucasus-2022", "-f", "xml"])
    assert result.exit_code == 2 and "--format must be one of yaml, xlsx, csv, ktab" in (
        result.output
    )


def test_export_writes_tables_that_every_command_reads(tmp_path):
    pytest.importorskip("openpyxl", reason="workbooks need the extra `spreadsheets`")
    ec = rp.load("ec-emissions-1994")
    invoke("export", "ec-emissions-1994", "-f", "csv", "-o", str(tmp_path / "ec"))
    invoke("export", "ec-emissions-1994", "-f", "xlsx", "-o", str(tmp_path / "ec.xlsx"))
    for path in (tmp_path / "ec", tmp_path / "ec.xlsx"):
        fc = rp.Forecast.from_json(invoke("forecast", str(path), "-m", "compromise", "--json"))
        assert fc.provenance.subject.hash == ec.content_hash()
    assert "ok" in invoke("validate", str(tmp_path / "ec.xlsx"))


def test_new_writes_a_template_that_validate_lists_as_blanks(tmp_path):
    text = invoke("new", "--actors", "iran,us", "--issues", "enrichment")
    assert '"<fill in>"' in text and all(len(line) <= 80 for line in text.splitlines())
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "21 problems found" in result.output
    assert "stances[1].salience: still to fill in" in result.output
    out = invoke("new", "-f", "csv", "-o", str(tmp_path / "t"))
    assert "21 blanks to fill in" in out  # two actors and one issue, to rename
    assert (tmp_path / "t" / "stances.csv").read_text().count("<fill in>") == 6
    bad = runner.invoke(app, ["new", "--actors", "a b,c"])
    assert bad.exit_code == 2 and "'a b' is not an id" in bad.output
    bad = runner.invoke(app, ["new", "-f", "xlsx"])
    assert bad.exit_code == 2 and "name it with --output" in bad.output


def test_model_parameters_from_the_command_line():
    out = invoke("forecast", "--model", "eum", "--param", "eum.probability=pair", "--json")
    fc = rp.Forecast.from_json(out)
    want = rp.forecast("caucasus-2022", model="eum", params={"eum": {"probability": "pair"}})
    assert fc.run("eum").parameters["probability"] == "pair"
    np.testing.assert_array_equal(fc.run("eum").forecast, want.run("eum").forecast)
    for args, message in (
        (["-p", "eum.nope=1"], "model 'eum' has no parameter nope"),
        (["-p", "smp.issues=joint"], "'smp' is not among the models run"),
        (["-p", "eumq=1"], "expected MODEL.NAME=VALUE"),
        (["-p", "eum.q=2"], "q must be a number in [0, 1], got 2"),
        (["-p", "eum.vote_risk=no"], "vote_risk must be true or false, got 'no'"),
        (["-p", "eum.q=true"], "q must be a number in [0, 1], got True"),
        (["-p", "eum.rounds=3"], "rounds is no model parameter; use --rounds"),
    ):
        result = runner.invoke(app, ["forecast", "-m", "eum", *args, "--no-store"])
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
    # "none" is Python's None: smp's capability_scale=None is its documented default reading
    out = invoke("forecast", "-m", "smp", "-p", "smp.capability_scale=none", "--json")
    assert rp.Forecast.from_json(out).run("smp").parameters["capability_scale"] is None


def test_export_and_new_count_in_good_english(tmp_path):
    """'1 issues' read wrong; one actor and one issue are singular."""
    r = CliRunner().invoke(
        app, ["new", "--actors", "a", "--issues", "x", "-f", "csv", "-o", str(tmp_path / "n")]
    )
    assert r.exit_code == 0, r.output
    assert "(csv, 1 actor, 1 issue, " in " ".join(r.output.split())
    r = CliRunner().invoke(
        app, ["export", "ec-emissions-1994", "-f", "yaml", "-o", str(tmp_path / "e.yaml")]
    )
    assert r.exit_code == 0, r.output
    assert "(yaml, 10 actors, 1 issue)" in " ".join(r.output.split())
