"""The Python API: load, forecast, and the frozen, JSON-serialisable Forecast."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.models import REGISTRY

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def minimal():
    return rp.load(DATA / "minimal.yaml")


def test_forecast_runs_every_registered_model_by_default(minimal):
    fc = rp.forecast(minimal)
    # every registered model but those registered as candidates outside "all"
    assert fc.models == tuple(name for name, spec in REGISTRY.items() if spec.in_all)
    assert fc.models == ("compromise", "median", "eum")
    assert fc.scenario_hash == minimal.content_hash()
    assert fc.version == rp.__version__
    assert fc.issues == ("i1", "i2")


def test_compromise_forecast_is_the_weighted_mean_over_participants(minimal):
    fc = rp.forecast(minimal, model="compromise")
    # i1: a (2 x .8 at 20), b (1 x .5 at 90), c (1 x .3 at 60); i2 only a and b.
    i1 = (2 * 0.8 * 20 + 1 * 0.5 * 90 + 1 * 0.3 * 60) / (2 * 0.8 + 0.5 + 0.3)
    i2 = (2 * 0.2 * 8 + 1 * 1.0 * 3) / (2 * 0.2 + 1.0)
    assert fc.value("compromise", "i1") == pytest.approx(i1)
    assert fc.value("compromise", "i2") == pytest.approx(i2)


def test_gains_against_the_status_quo(minimal):
    fc = rp.forecast(minimal, model="compromise")
    f1, f2 = fc.value("compromise", "i1"), fc.value("compromise", "i2")
    # actor a: position 20 (sal 80) on i1 scale 100 (sq 50), 8 (sal 20) on i2 scale 10 (sq 2)
    g1 = (abs(20 - 50) - abs(20 - f1)) / 100
    g2 = (abs(8 - 2) - abs(8 - f2)) / 10
    assert fc.gains("compromise")["a"] == pytest.approx((80 * g1 + 20 * g2) / 100)
    # actor c has a stance on i1 only
    assert fc.gains("compromise")["c"] == pytest.approx((abs(60 - 50) - abs(60 - f1)) / 100)


def test_non_participants_have_no_position(minimal):
    fc = rp.forecast(minimal, model="eum", rounds=2)
    run = fc.run("eum")
    assert run.positions.shape == (3, 3, 2)
    assert np.isnan(run.positions[:, 2, 1]).all()  # c has no stance on i2
    assert not np.isnan(run.positions[:, :2, :]).any()


def test_result_is_frozen(minimal):
    fc = rp.forecast(minimal, model="compromise")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fc.scenario_id = "other"  # type: ignore[misc]
    with pytest.raises(ValueError):
        fc.run("compromise").forecast[0] = 0.0
    with pytest.raises(TypeError):
        fc.run("compromise").parameters["x"] = 1  # type: ignore[index]
    details = rp.forecast(minimal, model="eum", rounds=2).run("eum").details
    some = next(iter(details.values()))
    assert isinstance(some, tuple) and isinstance(some[0], tuple)
    with pytest.raises(TypeError):
        some[0][0] = 99  # type: ignore[index]


def test_json_round_trip_is_lossless(minimal):
    fc = rp.forecast(minimal, rounds=3)
    text = fc.to_json()
    back = rp.Forecast.from_json(text)
    assert back.to_json() == text
    for a, b in zip(fc.runs, back.runs, strict=True):
        np.testing.assert_array_equal(a.positions, b.positions)
        assert a.forecast.tobytes() == b.forecast.tobytes()
    data = json.loads(text)
    assert data["scenario"]["hash"] == minimal.content_hash()
    assert data["runs"][-1]["parameters"]["rounds"] == 3
    assert len(data["runs"][-1]["positions"]) == 4


def test_rounds_and_parameters_are_recorded(minimal):
    fc = rp.forecast(minimal, model=["eum"], rounds=5)
    params = dict(fc.run("eum").parameters)
    assert params["rounds"] == 5
    assert set(REGISTRY["eum"].defaults) <= set(params)
    assert fc.run("eum").positions.shape[0] == 6


def test_bad_model_or_parameter_is_a_clear_error(minimal):
    with pytest.raises(rp.UnknownNameError, match="unknown model 'oracle'"):
        rp.forecast(minimal, model="oracle")
    with pytest.raises(rp.UnknownNameError, match="has no parameter nonsense"):
        rp.forecast(minimal, model="eum", params={"eum": {"nonsense": 1}})
    with pytest.raises(rp.UnknownNameError, match=r"no issue 'nope'; this forecast has i1, i2"):
        rp.forecast(minimal, model="compromise").value("compromise", "nope")


def test_same_scenario_same_json_bytes(minimal):
    assert rp.forecast(minimal).to_json() == rp.forecast(minimal).to_json()


def test_forecast_accepts_a_path_or_a_builtin_name():
    assert rp.forecast(DATA / "minimal.yaml", model="median").scenario_id == "minimal"
    assert rp.forecast("ec-emissions-1994", model="median").scenario_id == "ec-emissions-1994"


def test_builtin_ec_scenario_reproduces_table_2_through_the_api():
    """Scholz, Calbert & Smith (2011), Table 2: the same figures as tests/test_ec_golden.py,
    reached through the YAML built-in, load() and forecast()."""
    run = rp.forecast("ec-emissions-1994", model="eum", rounds=8).run("eum")
    published_median = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6]
    published_mean = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6]
    np.testing.assert_allclose(run.per_round["median"][1:, 0], published_median, atol=0.35)
    np.testing.assert_allclose(run.per_round["mean"][1:, 0], published_mean, atol=0.1)
    # rounds 4-8 of the median span about 7.4 to 9.9: still moving, no point forecast
    end = run.issue_forecast(0, "emission-standards")
    assert end.kind == "moving" and end.value is None and np.isnan(run.forecast[0])
    assert end.low == run.per_round["median"][4:, 0].min() < 7.8
    assert end.high == run.per_round["median"][4:, 0].max() > 9.5


def test_a_dynamic_model_run_for_no_round_is_static_and_one_round_says_so():
    none = rp.forecast("ec-emissions-1994", model="eum", rounds=0).issue_forecast(
        "eum", "emissions-delay"
    )
    assert none.kind == "static" and none.value is not None and none.note() == ""
    assert none.states == (none.value,) and none.low == none.high == none.value
    one = rp.forecast("ec-emissions-1994", model="eum", rounds=1).issue_forecast(
        "eum", "emissions-delay"
    )
    # one round: the window is rounds 0 and 1, whose medians differ (Table 2: 9.9 -> 8.4)
    assert one.kind == "moving" and one.low < one.high
    assert "after 1 round " in one.describe() or one.describe().endswith("after 1 round")


def test_smp_that_has_not_converged_is_moving_not_settled():
    fc = rp.forecast("caucasus-2022", model="smp", rounds=1)
    converged = np.asarray(fc.run("smp").details["converged"], dtype=float).ravel()
    assert not converged.all()
    for j, issue in enumerate(fc.issues):
        end = fc.issue_forecast("smp", issue)
        if converged[j]:
            continue
        assert end.kind == "moving" and end.low is not None and end.high is not None
        assert end.low <= end.high
    settled = rp.forecast("caucasus-2022", model="smp")
    assert all(settled.issue_forecast("smp", i).kind == "settled" for i in settled.issues)
