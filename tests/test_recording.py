"""Recording in the API: ``RunStore.record_result`` records any result as the command line
does (the same stored kind, parameters, summary, seed and scenario), the command line records
through it, stored data carry the library's names (``interventions``, never ``set``) and
runs stored under the old name read back under the new one."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.analysis.backtest import backtest
from realpolitik.analysis.ensemble import simulate
from realpolitik.analysis.levers import levers
from realpolitik.analysis.viewfrom import view_from
from realpolitik.cli import app
from realpolitik.results import SubjectError
from realpolitik.runner.store import RunStore
from realpolitik.scenario.interventions import intervene
from realpolitik.scenario.uncertainty import with_spread

DATA = Path(__file__).parent / "data"
UNCERTAIN = DATA / "uncertain.yaml"
MINIMAL = DATA / "minimal.yaml"
SYNTHETIC = DATA / "deu-synthetic.tsv"
SETS = ["a.capability*=0.5", "b.i1.position-=5"]


def cli(*args: Any) -> Any:
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r


def stored(store: Path, run_id: int) -> dict[str, Any]:
    """Run ``run_id`` as ``realpolitik runs show --json`` prints it, without its time and
    id (which differ between two recordings of the same run)."""
    d = json.loads(cli("runs", "show", run_id, "--store", store, "--json").stdout)
    for key in ("id", "created"):
        d["run"].pop(key)
    return d


def notebook(result: Any, scenario: Any, store: Path, **kw: Any) -> int:
    with RunStore(store) as rs:
        return rs.record_result(result, scenario, **kw)


# --------------------------------------------------- the same run, CLI and notebook


def test_a_notebook_simulation_is_stored_as_the_cli_stores_it(tmp_path):
    store = tmp_path / "runs.sqlite"
    cli("simulate", UNCERTAIN, "-n", 30, "--seed", 4, "-w", 1, "-m", "compromise,median",
        *[x for s in SETS for x in ("--set", s)], "--spread", 10, "--store", store)  # fmt: skip
    sc = with_spread(intervene(rp.load(UNCERTAIN), SETS), 10)
    ens = simulate(sc, ["compromise", "median"], draws=30, seed=4, workers=1)
    run = notebook(ens, sc, store, extra={"interventions": SETS, "spread": 10.0})
    by_cli, by_api = stored(store, 1), stored(store, run)
    assert by_api == by_cli
    params = by_api["parameters"]
    assert params["interventions"] == SETS and params["spread"] == 10
    assert params["draws"] == params["draws_kept"] == 30
    assert params["models"] == ["compromise", "median"]
    assert params["uncertain"] == list(ens.uncertain)
    assert by_api["run"]["kind"] == "simulate" and by_api["run"]["seed"] == 4
    # the summary is the result's own: outlooks per model and the mean forecasts
    assert by_api["summary"] == json.loads(json.dumps(ens.summary()))
    assert by_api["summary"]["forecasts"]["median"]["i1"] == pytest.approx(
        ens.issue_outlook("median")[0].mean
    )
    # ... and the ensemble's JSON keeps its summary without that key (format unchanged)
    assert "forecasts" not in json.loads(ens.to_json())["summary"]


def test_a_notebook_forecast_levers_and_sensitivity_are_stored_as_the_cli_stores_them(tmp_path):
    pytest.importorskip("SALib")
    from realpolitik.analysis.sensitivity import sensitivity

    store = tmp_path / "runs.sqlite"
    sets = ("--set", SETS[0])
    cli("forecast", UNCERTAIN, "-m", "compromise", "-r", 3, *sets, "--store", store)
    cli("levers", UNCERTAIN, "--actor", "b", "-m", "median", *sets, "--store", store)
    cli("sensitivity", UNCERTAIN, "-n", 8, "--seed", 5, "-w", 1, "-m", "compromise", *sets,
        "--store", store)  # fmt: skip
    sc = intervene(rp.load(UNCERTAIN), [SETS[0]])
    extra = {"interventions": [SETS[0]]}
    runs = [
        notebook(rp.forecast(sc, model="compromise", rounds=3), sc, store, extra=extra),
        notebook(levers(sc, "b", "median"), sc, store, extra=extra),
        notebook(
            sensitivity(sc, "compromise", n=8, seed=5, workers=1),
            sc,
            store,
            extra={**extra, "spread": None},
        ),
    ]
    for by_cli, run in zip((1, 2, 3), runs, strict=True):
        assert stored(store, run) == stored(store, by_cli)
    kinds = [stored(store, r)["run"]["kind"] for r in runs]
    assert kinds == ["forecast", "levers", "sensitivity"]
    assert stored(store, 2)["parameters"]["actor"] == "b"
    assert stored(store, 3)["parameters"]["n"] == 8


def test_a_notebook_backtest_is_stored_as_the_cli_stores_it(tmp_path):
    store = tmp_path / "runs.sqlite"
    cli("backtest", SYNTHETIC, "-m", "compromise", "--resamples", 50, "--seed", 2, "-w", 1,
        "--store", store)  # fmt: skip
    bt = backtest(SYNTHETIC, "compromise", resamples=50, seed=2, workers=1)
    run = notebook(bt, None, store, extra={"file": str(SYNTHETIC), "iso_dates": False})
    assert stored(store, run) == stored(store, 1)
    d = stored(store, run)
    assert d["run"]["kind"] == "backtest" and d["scenario"]["id"] == "backtest:deu-synthetic.tsv"
    params = d["parameters"]
    assert params["weights"] == "council" and params["treaty_rule"] == "intro"
    assert params["source_sha256"] == bt.source["sha256"] and params["sealed"] is None


def test_a_backtest_of_one_scenario_needs_that_scenario(tmp_path):
    text = MINIMAL.read_text() + (
        "outcomes:\n  - {issue: i1, value: 40, date: 2099-06-30, source: {judgement: test}}\n"
    )
    (tmp_path / "a.yaml").write_text(text)
    sc = rp.load(tmp_path / "a.yaml")
    bt = backtest(sc, "compromise", resamples=10, seed=1)
    store = tmp_path / "runs.sqlite"
    with pytest.raises(SubjectError, match="expected that scenario, none was given"):
        notebook(bt, None, store)
    other = rp.load(MINIMAL)
    with pytest.raises(SubjectError, match="expected that scenario, not 'minimal'"):
        notebook(bt, other, store)
    run = notebook(bt, sc, store)
    assert stored(store, run)["run"]["scenario_hash"] == sc.content_hash()


# ------------------------------------------------------------------ the API's rules


def test_record_result_refuses_another_scenario_and_a_clash_of_names(tmp_path):
    sc = rp.load(UNCERTAIN)
    fc = rp.forecast(sc, model="compromise")
    store = tmp_path / "runs.sqlite"
    with pytest.raises(SubjectError, match="does not match scenario"):
        notebook(fc, intervene(sc, ["a.capability=2"]), store)
    with pytest.raises(SubjectError, match="none was given"):
        notebook(fc, None, store)
    with pytest.raises(ValueError, match="models is the result's own parameter"):
        notebook(fc, sc, store, extra={"models": ["x"]})
    with RunStore(store) as rs:
        assert rs.count() == 0  # nothing half-recorded
        run = rs.record_result(fc, sc, kind="what-if", note="by hand")
        info = rs.get(run).info
    assert (info.kind, info.status, info.note) == ("what-if", "complete", "by hand")


def test_an_interrupted_simulation_is_recorded_as_partial(tmp_path):
    sc = rp.load(UNCERTAIN)
    ens = simulate(sc, "compromise", draws=10, seed=1, workers=1)
    cut = dataclasses.replace(ens, requested=40)  # asked for 40, kept 10
    run = notebook(cut, sc, tmp_path / "runs.sqlite", note="Ctrl-C")
    d = stored(tmp_path / "runs.sqlite", run)
    assert d["run"]["status"] == "partial"
    assert d["run"]["note"] == "interrupted after 10 draws; Ctrl-C"
    assert (d["parameters"]["draws"], d["parameters"]["draws_kept"]) == (40, 10)


def test_a_view_from_an_actor_is_recorded(tmp_path):
    sc = rp.load(MINIMAL)
    view = view_from(sc, "a")
    d = stored(tmp_path / "r.sqlite", notebook(view, sc, tmp_path / "r.sqlite"))
    assert d["run"]["kind"] == "view-from"
    assert d["parameters"]["actor"] == "a" and "q" in d["parameters"]["parameters"]
    assert d["summary"] == json.loads(json.dumps(view.summary()))


def test_no_flag_names_in_stored_parameters(tmp_path):
    store = tmp_path / "runs.sqlite"
    cli("forecast", UNCERTAIN, "-m", "compromise", "--set", SETS[0], "--store", store)
    cli("simulate", UNCERTAIN, "-n", 5, "-w", 1, "-m", "median", "--spread", 5, "--store", store)
    for run in (1, 2):
        params = stored(store, run)["parameters"]
        assert "set" not in params and not any(k.startswith("-") for k in params)
        assert "interventions" in params
    assert stored(store, 1)["parameters"]["interventions"] == [SETS[0]]


def test_runs_stored_with_the_old_name_read_back_as_interventions(tmp_path):
    sc = rp.load(UNCERTAIN)
    store = tmp_path / "runs.sqlite"
    with RunStore(store) as rs:  # as the command line recorded runs before
        old = rs.record("simulate", sc, {"models": ["median"], "set": SETS, "spread": None}, {})
        new = rs.record_result(
            simulate(sc, "median", draws=5, seed=1, workers=1),
            sc,
            extra={"interventions": SETS, "spread": None},
        )
        assert rs.get(old).parameters["interventions"] == SETS
        assert "set" not in rs.get(old).parameters
        cmp = rs.compare(old, new)
    changed = {d.path for d in cmp.parameter_differences}
    assert "interventions" not in changed and "set" not in changed
    assert "draws" in changed  # the old run did not store it
    shown = json.loads(cli("runs", "show", old, "--store", store, "--json").stdout)
    assert shown["parameters"]["interventions"] == SETS
    text = cli("runs", "compare", old, new, "--store", store).stdout
    assert "interventions" not in text


def test_every_result_knows_its_kind_of_run():
    from realpolitik.analysis.backtest import Backtest
    from realpolitik.analysis.ensemble import Ensemble
    from realpolitik.analysis.levers import Levers
    from realpolitik.analysis.sensitivity import Sensitivity
    from realpolitik.analysis.viewfrom import ViewFrom
    from realpolitik.forecasting import Forecast
    from realpolitik.report import Report

    kinds = {
        Forecast: "forecast",
        Ensemble: "simulate",
        Sensitivity: "sensitivity",
        Levers: "levers",
        ViewFrom: "view-from",
        Backtest: "backtest",
        Report: "report",
    }
    assert {c: c.record_kind for c in kinds} == kinds


def test_the_report_command_applies_the_report_policy_and_records_the_report(tmp_path):
    pytest.importorskip("matplotlib")
    store, out = tmp_path / "runs.sqlite", tmp_path / "ec.html"
    r = cli("report", "ec-emissions-1994", "--draws", 20, "--sobol-n", 4, "--seed", 1, "-w", 1,
            "-o", out, "--store", store)  # fmt: skip
    # a scenario without ranges is reported with the report's spread, as the dashboard does
    assert "The scenario gives no ranges" in r.stderr
    page = out.read_text(encoding="utf-8")
    assert "--spread 50" in page and 'aria-label="Simulated outcome of' in page
    d = stored(store, 1)
    assert d["run"]["kind"] == "report" and d["run"]["seed"] == 1
    params = d["parameters"]
    assert params["spread"] == 50 and params["interventions"] == []
    assert params["output"] == [str(out)] and params["draws"] == 20
    assert params["models"] == ["compromise", "median", "eum"]
    assert d["summary"]["forecasts"]["median"]
