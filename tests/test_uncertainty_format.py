"""Ranges and shocks in the scenario format: read, validated with located errors, written
back losslessly, and turned into draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import realpolitik as rp
from realpolitik.errors import ScenarioError
from realpolitik.scenario import Scenario
from realpolitik.scenario.objects import Range
from realpolitik.scenario.uncertainty import draw_values, point_values, uncertain_inputs

DATA = Path(__file__).parent / "data"


def _data() -> dict:
    return yaml.safe_load((DATA / "uncertain.yaml").read_text())


def _problems(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data, origin="t.yaml")
    return [str(p) for p in info.value.problems]


def test_ranges_and_shocks_are_read_and_written_back():
    sc = rp.load(DATA / "uncertain.yaml")
    a = sc.actor("a")
    assert a.capability == 2 and a.capability_range == Range(1, 3, 2, "triangular")
    st = sc.stance("a", "i1")
    assert st is not None and st.salience == 80
    assert st.salience_range is not None and st.salience_range.distribution == "uniform"
    assert len(sc.shocks) == 1 and sc.shocks[0].round == 3 and sc.shocks[0].value == 0.6
    again = Scenario.from_dict(sc.to_dict())
    assert again == sc and again.content_hash() == sc.content_hash()
    labels = [u.label for u in uncertain_inputs(sc)]
    assert labels == [
        "a.capability",
        "a.i1.salience",
        "b.i1.position",
        "shock:alpha-weakens.value",
    ]


def test_a_scenario_without_ranges_keeps_its_hash_and_file_form():
    sc = rp.load("ec-emissions-1994")
    assert "shocks" not in sc.to_dict()
    assert all(isinstance(a["capability"], float) for a in sc.to_dict()["actors"])


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda d: d["actors"][0].update(capability={"value": 2, "low": 3, "high": 1}), "below"),
        (lambda d: d["actors"][0].update(capability={"value": 5, "low": 1, "high": 3}), "outside"),
        (lambda d: d["actors"][0].update(capability={"value": 1, "low": -1, "high": 3}), "0 or"),
        (
            lambda d: d["stances"][0].update(salience={"value": 80, "low": 60, "high": 120}),
            "stances[0].salience.high: expected at most 100",
        ),
        (
            lambda d: d["stances"][1].update(position={"value": 90, "low": 70, "high": 130}),
            "stances[1].position.high: 130 is off the scale",
        ),
        (
            lambda d: d["stances"][1].update(
                position={"value": 90, "low": 70, "high": 95, "distribution": "normal"}
            ),
            "stances[1].position.distribution",
        ),
        (
            lambda d: d["stances"][1].update(position={"value": 90, "low": 70}),
            "stances[1].position.high: missing",
        ),
        (lambda d: d["shocks"][0].update(actor="zed"), "unknown actor 'zed'"),
        (lambda d: d["shocks"][0].update(issue="nope"), "unknown issue 'nope'"),
        (lambda d: d["shocks"][0].update(round=-1), "shocks[0].round"),
        (lambda d: d["shocks"][0].update(op="divide"), "shocks[0].op"),
        (
            lambda d: d["shocks"][0].update(field="salience", op="add", value=30, issue="i1"),
            "leaves a.i1.salience at 90 to 130; expected a salience of 0 to 100",
        ),
        (
            lambda d: d["shocks"][0].update(field="position", op="multiply", issue="i1"),
            "multiply does not apply to a position",
        ),
        (
            lambda d: d["shocks"][0].update(field="salience", op="set", value=5, issue="zz"),
            "unknown issue 'zz'",
        ),
        (lambda d: d["shocks"][0].pop("source"), "shocks[0].source: missing"),
    ],
)
def test_bad_ranges_and_shocks_are_located(edit, fragment):
    data = _data()
    edit(data)
    problems = _problems(data)
    assert any(fragment in p for p in problems), problems
    assert all(p.startswith("t.yaml") for p in problems)


def test_a_shock_cannot_create_a_stance():
    data = _data()
    data["stances"] = [s for s in data["stances"] if (s["actor"], s["issue"]) != ("c", "i2")]
    data["shocks"][0].update(actor="c", issue="i2", field="salience", op="set", value=10)
    assert any("has no stance on 'i2'" in p for p in _problems(data))


def test_shocks_chain_in_round_order_for_the_bounds_check():
    data = _data()
    data["shocks"] = [
        {"round": 5, "actor": "a", "issue": "i1", "field": "salience", "op": "add",
         "value": 15, "source": {"judgement": "t"}},
        {"round": 2, "actor": "a", "issue": "i1", "field": "salience", "op": "set",
         "value": 90, "source": {"judgement": "t"}},
    ]  # fmt: skip
    # in round order: set to 90 at round 2, then +15 at round 5 -> 105: out of bounds
    assert any("at 105" in p for p in _problems(data))
    data["shocks"][0]["value"] = 5
    Scenario.from_dict(data)


@pytest.mark.parametrize("dist", ["triangular", "uniform"])
def test_the_inverse_cdf_matches_the_distribution(dist):
    r = Range(10.0, 40.0, 20.0, dist)
    u = np.linspace(0, 1, 100_001)
    x = r.ppf(u)
    assert x[0] == pytest.approx(10) and x[-1] == pytest.approx(40)
    assert np.all(np.diff(x) >= 0)
    # the mean of a triangular (a, b, c) is (a + b + c) / 3; of a uniform (a + b) / 2
    mean = (10 + 40 + 20) / 3 if dist == "triangular" else 25
    assert x.mean() == pytest.approx(mean, abs=0.01)
    if dist == "triangular":  # the CDF at the mode is (c - a) / (b - a) = 1/3
        assert np.mean(x <= 20) == pytest.approx(1 / 3, abs=1e-3)


def test_draw_values_put_each_quantile_in_its_place():
    sc = rp.load(DATA / "uncertain.yaml")
    u = np.array([[0.0, 0.0, 1.0, 1.0], [1.0, 0.5, 0.0, 0.0]])
    v = draw_values(sc, u)
    assert v.capability[:, 0].tolist() == [1.0, 3.0]  # a.capability low, high
    assert v.salience[:, 0, 0].tolist() == [60.0, 80.0]  # uniform 60-100
    assert v.position[:, 1, 0].tolist() == [100.0, 70.0]  # b.i1.position high, low
    assert v.shock_value[:, 0].tolist() == [0.8, 0.4]
    p = point_values(sc)
    assert p.capability[0].tolist() == [2.0, 1.0, 1.0] and p.shock_value[0].tolist() == [0.6]
    with pytest.raises(ValueError, match="shape"):
        draw_values(sc, np.zeros((2, 3)))


def test_json_schema_accepts_ranges_and_shocks():
    jsonschema = pytest.importorskip("jsonschema")
    from realpolitik.scenario import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    data = rp.load(DATA / "uncertain.yaml").to_dict()  # JSON-able: the date as text
    assert not list(validator.iter_errors(data))
    assert "shocks" in data and isinstance(data["stances"][0]["salience"], dict)
    data["stances"][0]["salience"]["high"] = 120
    assert list(validator.iter_errors(data))


def test_with_spread_ranges_only_the_numbers_without_one():
    from realpolitik.scenario.uncertainty import with_spread

    sc = rp.load(DATA / "uncertain.yaml")
    wide = with_spread(sc, 10)
    a_i1 = wide.stance("a", "i1")
    assert a_i1 is not None and a_i1.salience_range == sc.stance("a", "i1").salience_range
    assert a_i1.position_range is not None
    assert (a_i1.position_range.low, a_i1.position_range.high) == (10.0, 30.0)
    b_i2 = wide.stance("b", "i2")  # salience 100: cut at the bound
    assert b_i2 is not None and b_i2.salience_range is not None
    assert (b_i2.salience_range.low, b_i2.salience_range.high) == (90.0, 100.0)
    assert "default spread ±10" in (b_i2.salience_range.note or "")
    assert [s.position for s in wide.stances] == [s.position for s in sc.stances]
    assert wide.actor("b").capability_range is None  # capabilities are left alone
    assert len(uncertain_inputs(wide)) == 4 + 5 + 5  # 5 positions and 5 saliences were points
    for bad in (0, -1, 101, float("nan"), True):
        with pytest.raises(ValueError, match="spread"):
            with_spread(sc, bad)
