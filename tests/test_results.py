"""The result contract: every result class holds a Provenance, serialises to JSON and back to
an equal result (the same bytes again), refuses a document of another format, and
summarises itself for the run history in plain JSON values."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis.backtest import Backtest, backtest
from realpolitik.analysis.ensemble import Ensemble
from realpolitik.analysis.levers import Levers, levers
from realpolitik.analysis.sensitivity import Sensitivity, sensitivity
from realpolitik.analysis.viewfrom import ViewFrom, view_from
from realpolitik.forecasting import Forecast
from realpolitik.games import load_game, solve_game, sweep
from realpolitik.games.solve import Solution
from realpolitik.games.sweep import Sweep
from realpolitik.results import FormatError, JsonResult, Provenance, Subject

DATA = Path(__file__).parent / "data"


def _every_result_class() -> set[type]:
    """Every concrete JsonResult subclass defined in the package (each module imported): a
    dataclass, not a base that results of one kind share (games' GameResult)."""
    for mod in pkgutil.walk_packages(rp.__path__, "realpolitik."):
        if ".app" in mod.name or mod.name.endswith("__main__"):
            continue
        importlib.import_module(mod.name)
    out: set[type] = set()
    todo = list(JsonResult.__subclasses__())
    while todo:
        c = todo.pop()
        if dataclasses.is_dataclass(c):
            out.add(c)
        todo.extend(c.__subclasses__())
    return out


@pytest.fixture(scope="module")
def results() -> dict[type, JsonResult]:
    minimal = rp.load(DATA / "minimal.yaml")
    uncertain = rp.load(DATA / "uncertain.yaml")
    return {
        Forecast: rp.forecast(minimal, model=["compromise", "median", "eum", "smp"], rounds=4),
        Ensemble: rp.simulate(uncertain, draws=16, seed=3, workers=1),
        Sensitivity: sensitivity(uncertain, "compromise", n=8, seed=5, workers=1, resamples=10),
        Levers: levers(minimal, "a", ["compromise", "eum"], rounds=4),
        ViewFrom: view_from(minimal, "a"),
        Backtest: backtest(DATA / "deu-synthetic.tsv", "compromise", resamples=50, seed=2),
        Solution: solve_game(load_game("entry-deterrence"), method="backward"),
        Sweep: sweep("entry-deterrence", "fight", -2, 2, steps=3),
    }


def test_every_result_class_is_covered(results):
    assert _every_result_class() == set(results)


CLASSES = [Forecast, Ensemble, Sensitivity, Levers, ViewFrom, Backtest, Solution, Sweep]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_round_trip(results, cls):
    res = results[cls]
    assert isinstance(res.provenance, Provenance)
    text = res.to_json()
    back = cls.from_json(text)
    assert type(back) is cls
    assert back.provenance == res.provenance
    assert back.to_json() == text
    d = json.loads(text)
    assert d["format"] == cls.format_id
    assert d["version"] == rp.__version__ == res.provenance.version
    # the summary is plain JSON (no numpy values, no nan)
    json.dumps(res.summary(), allow_nan=False)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_another_format_is_refused(results, cls):
    other = results[Forecast if cls is not Forecast else Ensemble]
    with pytest.raises(FormatError, match=f"not a realpolitik {cls.kind}"):
        cls.from_json(other.to_json())
    with pytest.raises(FormatError, match="not JSON"):
        cls.from_json("{")
    damaged = json.loads(results[cls].to_json())
    damaged.pop(next(k for k in damaged if k not in ("format", "version")))
    with pytest.raises(FormatError, match="damaged"):
        cls.from_json(json.dumps(damaged))


def test_provenance_names_the_scenario_and_the_parameters(results):
    fc = results[Forecast]
    sc = rp.load(DATA / "minimal.yaml")
    assert fc.provenance.subject == Subject.of(sc)
    assert fc.scenario_hash == sc.content_hash()
    assert dict(fc.parameters["eum"]) == dict(fc.run("eum").parameters)
    ens = results[Ensemble]
    assert ens.seed == 3 and set(ens.parameters) == set(ens.models)
    with pytest.raises(TypeError):
        fc.provenance.parameters["eum"] = {}  # type: ignore[index]


def test_forecast_details_are_by_actor(results):
    """Format /3: per-actor diagnostics run over the scenario's actors, ``None`` where an
    actor has no stance; a diagnostic that names an actor names it by id; per-issue numbers
    are numbers (no axis of one column)."""
    fc = results[Forecast]
    eum = fc.run("eum")
    j = fc.issues.index("i2")  # c holds no stance on i2
    c = fc.actors.index("c")
    risk = eum.details["risk_exponent"][j]
    assert len(risk) == 4 and all(len(r) == len(fc.actors) for r in risk)
    assert all(r[c] is None for r in risk)
    assert all(isinstance(r[k], float) for r in risk for k in range(len(fc.actors)) if k != c)
    proposers = {p for r in eum.details["proposer"][j] for p in r}
    assert proposers <= {None, *fc.actors} and "c" not in proposers
    assert isinstance(eum.details["settled"][j], float)
    smp = fc.run("smp")  # a joint model: every actor takes part
    assert all(len(r) == len(fc.actors) for r in smp.details["win_probability"][j])
    assert {t for r in smp.details["target"][j] for t in r} <= {None, *fc.actors}


def test_format_2_forecasts_are_still_read():
    """A forecast written by format /2 (details by participant with a trailing column;
    tests/data/forecast-v2.json, written by the code of part 1) reads as /3 holds it."""
    text = (DATA / "forecast-v2.json").read_text()
    old = Forecast.from_json(text)
    new = rp.forecast(DATA / "minimal.yaml", model=["compromise", "eum", "smp"], rounds=3)
    assert old.scenario_hash == new.scenario_hash
    for model in ("compromise", "eum", "smp"):
        a, b = old.run(model), new.run(model)
        np.testing.assert_array_equal(a.forecast, b.forecast)
        assert set(a.details) == set(b.details)
        for key in a.details:
            x = json.loads(json.dumps(a.details[key]))
            y = json.loads(json.dumps(b.details[key]))
            assert x == y, (model, key)
    assert json.loads(old.to_json())["format"] == "realpolitik-forecast/3"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_result_records_itself(results, cls, tmp_path):
    """The run store records any result through the result's own account of itself: its
    kind, parameters, summary, seed and status come back as stored."""
    from realpolitik.runner.store import RunStore

    res = results[cls]
    scenario = {
        Forecast: DATA / "minimal.yaml",
        Levers: DATA / "minimal.yaml",
        ViewFrom: DATA / "minimal.yaml",
        Ensemble: DATA / "uncertain.yaml",
        Sensitivity: DATA / "uncertain.yaml",
    }.get(cls)
    with RunStore(tmp_path / "runs.sqlite") as store:
        run = store.record_result(res, None if scenario is None else rp.load(scenario))
        rec = store.get(run)
    assert rec.info.kind == cls.record_kind
    assert rec.info.seed == getattr(res.provenance, "seed", None)
    assert rec.summary == json.loads(json.dumps(res.summary()))
    assert rec.parameters == json.loads(json.dumps(res.run_parameters()))


def test_a_damaged_array_is_a_format_error_not_a_crash():
    text = (DATA / "forecast-v2.json").read_text()
    d = json.loads(text)
    d["inputs"]["position"] = [[1, 2], [3]]  # ragged
    with pytest.raises(FormatError, match="damaged"):
        Forecast.from_json(json.dumps(d))
