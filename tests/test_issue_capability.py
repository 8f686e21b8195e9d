"""Capability by issue (a stance's own capability), ranged status quos, and the date rule."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis.levers import levers
from realpolitik.arrays import issue_input, scenario_input
from realpolitik.errors import ScenarioError
from realpolitik.scenario import Scenario, load
from realpolitik.scenario.uncertainty import draw_values, point_values, uncertain_inputs

DATA = Path(__file__).parent / "data"


def _data() -> dict:
    return load(DATA / "minimal.yaml").to_dict()


def _with_issue_caps(caps: dict[tuple[str, str], object]) -> Scenario:
    d = _data()
    for st in d["stances"]:
        key = (st["actor"], st["issue"])
        if key in caps:
            st["capability"] = caps[key]
    return Scenario.from_dict(d, origin="test")


def _issue_alone(sc: Scenario, issue: str, caps: dict[str, float]) -> Scenario:
    """``issue`` alone, each actor's capability the one given (its capability there)."""
    d = copy.deepcopy(sc.to_dict())
    d["issues"] = [i for i in d["issues"] if i["id"] == issue]
    d["stances"] = [s for s in d["stances"] if s["issue"] == issue]
    for s in d["stances"]:
        s.pop("capability", None)
    for a in d["actors"]:
        a["capability"] = caps.get(a["id"], a["capability"])
    return Scenario.from_dict(d, origin="test")


def test_scenarios_without_the_new_fields_keep_their_hash():
    # the hashes recorded before capability by issue, ranged status quos and retrospective
    sc = load(DATA / "minimal.yaml")
    assert "capability" not in sc.to_dict()["stances"][0]
    assert "retrospective" not in sc.to_dict()
    assert sc.to_dict()["issues"][0]["status_quo"] == 50.0
    again = Scenario.from_dict(sc.to_dict())
    assert again.content_hash() == sc.content_hash()


def test_a_stance_capability_overrides_the_actors_on_that_issue_only():
    sc = _with_issue_caps({("c", "i1"): 10})
    assert sc.capability_on("c", "i1") == 10
    assert sc.capability_on("c", "i2") == 1  # no stance: the actor's
    assert sc.capability_on("a", "i1") == 2
    ids, inp = issue_input(sc, "i1")
    assert ids == ("a", "b", "c")
    np.testing.assert_allclose(inp.capability, [0.2, 0.1, 1.0])  # divided by the largest, 10
    # the compromise forecast is the weighted mean with c's capability on i1 at 10
    w = np.array([2 * 80, 1 * 50, 10 * 30])
    expected = float(w @ [20, 90, 60] / w.sum())
    assert rp.forecast(sc, "compromise").value("compromise", "i1") == pytest.approx(expected)
    base = rp.forecast(load(DATA / "minimal.yaml"), "compromise")
    assert rp.forecast(sc, "compromise").value("compromise", "i2") == base.value("compromise", "i2")


def test_a_joint_model_is_given_the_capability_matrix():
    sc = _with_issue_caps({("c", "i1"): 6})
    inp = scenario_input(sc, point_values(sc))
    assert inp.capability.shape == (3, 2)
    np.testing.assert_allclose(inp.capability * 6, [[2, 2], [1, 1], [6, 1]])
    plain = load(DATA / "minimal.yaml")
    assert scenario_input(plain, point_values(plain)).capability.shape == (3,)


def test_a_ranged_stance_capability_is_drawn_and_named():
    sc = _with_issue_caps({("c", "i1"): {"value": 3, "low": 1, "high": 5}})
    inputs = uncertain_inputs(sc)
    assert [i.label for i in inputs] == ["c.i1.capability"]
    v = draw_values(sc, np.array([[0.0], [1.0]]), inputs)
    np.testing.assert_allclose(v.issue_capability[:, 2, 0], [1, 5])
    assert np.isnan(v.issue_capability[:, 0, 0]).all()
    ens = rp.simulate(sc, "compromise", draws=50, seed=3, unranged_spread=None)
    f = ens.forecasts["compromise"][:, 0]
    assert f.std() > 0  # c's drawn capability moves the forecast of i1
    assert np.ptp(ens.forecasts["compromise"][:, 1]) == 0  # i2 has no ranged number


def test_sensitivity_tornado_swings_with_a_stance_capability():
    pytest.importorskip("SALib", reason="sensitivity needs the extra `sensitivity` (SALib)")
    from realpolitik.analysis.sensitivity import sensitivity

    sc = _with_issue_caps({("c", "i1"): {"value": 3, "low": 1, "high": 5}})
    res = sensitivity(sc, "compromise", n=8, seed=1, unranged_spread=None)
    bar = res.tornado["compromise"][0].bars[0]
    assert bar.input == "c.i1.capability"
    assert bar.at_high > bar.at_low  # c sits at 60, above the forecast: more weight pulls up


def test_capability_shocks_and_stance_capabilities_combine_as_documented():
    d = _with_issue_caps({("c", "i1"): 6}).to_dict()
    d["shocks"] = [
        {"round": 0, "actor": "c", "field": "capability", "op": "multiply", "value": 0.5,
         "source": {"judgement": "test"}},
        {"round": 0, "actor": "a", "issue": "i1", "field": "capability", "op": "set",
         "value": 7, "source": {"judgement": "test"}},
    ]  # fmt: skip
    sc = Scenario.from_dict(d)
    _, inp = issue_input(sc, "i1")
    np.testing.assert_allclose(inp.capability * 7, [7, 1, 3])  # c: 6 x 0.5; a: set on i1
    _, inp2 = issue_input(sc, "i2")
    np.testing.assert_allclose(inp2.capability * 2, [2, 1])  # a's set on i1 leaves i2


def test_capability_shock_on_an_issue_without_a_stance_is_refused():
    d = _data()
    d["shocks"] = [
        {"round": 1, "actor": "c", "issue": "i2", "field": "capability", "op": "set",
         "value": 7, "source": {"judgement": "test"}},
    ]  # fmt: skip
    with pytest.raises(ScenarioError, match="'c' has no stance on 'i2'"):
        Scenario.from_dict(d)


def test_an_actors_capability_shock_that_overflows_a_stance_capability_is_refused():
    """A shock without `issue` changes each stance's own capability too: x1.5 on a stance
    capability of 1.7e308 overflowed to inf, passed validation, forecast South ahead of an
    overwhelming North (nan weights) and crashed `report` (exit 1)."""
    d = _with_issue_caps({("c", "i1"): 1.7e308}).to_dict()
    d["shocks"] = [
        {"round": 2, "actor": "c", "field": "capability", "op": "multiply", "value": 1.5,
         "source": {"judgement": "test"}},
    ]  # fmt: skip
    with pytest.raises(ScenarioError, match=r"leaves c\.i1\.capability beyond the largest"):
        Scenario.from_dict(d)
    d["shocks"][0]["value"] = 0.5  # within range: still valid, and applied to the stance's
    sc = Scenario.from_dict(d)
    assert sc.shocks[0].value == 0.5


def test_an_issue_capability_shock_starts_from_the_actors_shocked_capability():
    """An issue's capability shock on a stance without its own capability starts from the
    actor's capability as the earlier shocks left it (the validator started from the file's)."""
    d = _data()
    d["shocks"] = [
        {"round": 1, "actor": "c", "field": "capability", "op": "set", "value": 1e308,
         "source": {"judgement": "test"}},
        {"round": 2, "actor": "c", "issue": "i1", "field": "capability", "op": "multiply",
         "value": 10, "source": {"judgement": "test"}},
    ]  # fmt: skip
    with pytest.raises(ScenarioError, match=r"leaves c\.i1\.capability beyond the largest"):
        Scenario.from_dict(d)


def test_levers_honour_a_stance_capability():
    plain = levers(load(DATA / "minimal.yaml"), "c", "compromise")
    sc = _with_issue_caps({("c", "i1"): 10})
    lv = levers(sc, "c", "compromise")
    cap = next(x for x in lv.levers["compromise"] if x.kind == "capability")
    cap0 = next(x for x in plain.levers["compromise"] if x.kind == "capability")
    # exact: df/dc x c/100 with c's weight on i1 now 10 x 30 against 2 x 80 + 1 x 50
    w = np.array([2 * 80, 1 * 50, 10 * 30])
    f = float(w @ [20, 90, 60] / w.sum())
    expected = 30 * (60 - f) / w.sum() * 10 / 100 / 100  # toward c, per % of capability
    assert cap.toward["i1"] == pytest.approx(expected)
    assert cap.toward["i1"] != pytest.approx(cap0.toward["i1"])
    sim = levers(sc, "c", "median")  # finite differences scale the stance's own too
    assert any(x.kind == "capability" for x in sim.levers["median"])


def test_a_stance_capability_is_validated():
    d = _data()
    d["stances"][0]["capability"] = -1
    with pytest.raises(ScenarioError, match=r"stances\[0\]\.capability"):
        Scenario.from_dict(d)


# ------------------------------------------------------------------ status quo ranges


def test_a_status_quo_may_carry_a_range():
    d = _data()
    d["issues"][0]["status_quo"] = {"value": 50, "low": 40, "high": 70}
    sc = Scenario.from_dict(d)
    assert sc.issues[0].status_quo == 50
    assert [i.label for i in uncertain_inputs(sc)] == ["i1.status_quo"]
    v = draw_values(sc, np.array([[0.0], [1.0]]))
    np.testing.assert_allclose(v.status_quo[:, 0], [40, 70])
    assert Scenario.from_dict(sc.to_dict()).content_hash() == sc.content_hash()
    d["issues"][0]["status_quo"] = {"value": 50, "low": 40, "high": 170}
    with pytest.raises(ScenarioError, match=r"issues\[0\]\.status_quo\.high: 170 is off the"):
        Scenario.from_dict(d)


def test_a_drawn_status_quo_reaches_the_models_and_the_gains():
    d = _data()
    d["issues"][0]["status_quo"] = {"value": 50, "low": 0, "high": 100, "distribution": "uniform"}
    sc = Scenario.from_dict(d)
    v = draw_values(sc, np.array([[0.25]]))
    _, inp = __import__("realpolitik.arrays", fromlist=["issue_batch"]).issue_batch(sc, v, 0)
    assert inp.status_quo[0] == pytest.approx(25)
    ens = rp.simulate(sc, "compromise", draws=40, seed=2, unranged_spread=None)
    g = ens.gains["compromise"][:, 0]  # a's gain moves with the drawn status quo
    assert np.ptp(g) > 0


# ------------------------------------------------------------------ the date rule


def test_a_source_dated_after_the_scenario_is_a_problem():
    d = _data()
    d["sources"].append({"id": "later", "title": "Hindsight", "date": "2023-01-01"})
    d["stances"][0]["source"] = {"ref": "later"}
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d, origin="f.yaml")
    (p,) = info.value.problems
    assert p.field == "sources[1].date"
    assert "2023-01-01 is after the scenario's date, 2022-02-23" in p.message
    assert "retrospective" in p.message


def test_a_dataset_year_after_the_scenario_is_a_problem_too():
    """A source written in place has no date, but its dataset's ``year`` may follow the
    scenario's: that passed the rule, which only read the bibliography's dates."""
    d = _data()
    d["actors"][0]["source"] = {"dataset": "COW NMC 6.0", "year": 2023}
    d["issues"][0]["locus"] = {
        "name": "x",
        "lat": 1,
        "lon": 2,
        "source": {"url": "u", "year": 2024},
    }
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d, origin="f.yaml")
    assert [p.field for p in info.value.problems] == [
        "actors[0].source.year",
        "issues[0].locus.source.year",
    ]
    assert "2023 is after the scenario's date, 2022-02-23" in info.value.problems[0].message
    d["actors"][0]["source"]["year"] = 2022  # the scenario's own year is allowed
    del d["issues"][0]["locus"]
    d["outcomes"] = [{"issue": "i1", "value": 40, "source": {"dataset": "d", "year": 2024}}]
    assert Scenario.from_dict(d).outcomes[0].value == 40  # an outcome's, by nature later
    d["actors"][0]["source"]["year"] = 2023
    d["retrospective"] = {"reason": "coded later"}
    assert Scenario.from_dict(d).actors[0].source.year == 2023


def test_a_later_source_cited_only_by_outcomes_is_fine():
    d = _data()
    d["sources"].append({"id": "later", "title": "The outcome", "date": "2023-01-01"})
    d["outcomes"] = [{"issue": "i1", "value": 40, "source": {"ref": "later"}}]
    assert Scenario.from_dict(d).outcomes[0].value == 40


def test_retrospective_is_the_recorded_opt_out():
    d = _data()
    d["sources"].append({"id": "later", "title": "Hindsight", "date": "2023-01-01"})
    d["stances"][0]["source"] = {"ref": "later"}
    d["retrospective"] = {"reason": "coded in 2023 from interviews, as DEU is"}
    sc = Scenario.from_dict(d)
    assert sc.retrospective == "coded in 2023 from interviews, as DEU is"
    assert sc.to_dict()["retrospective"] == {"reason": sc.retrospective}
    plain = load(DATA / "minimal.yaml")
    assert sc.content_hash() != plain.content_hash()
    d["retrospective"] = {}
    with pytest.raises(ScenarioError, match=r"retrospective\.reason: missing"):
        Scenario.from_dict(d)


@pytest.mark.parametrize("name", ["caucasus-2022", "ec-emissions-1994"])
def test_the_builtins_keep_the_date_rule(name):
    sc = load(name)
    assert sc.retrospective is None
    assert all(e.date is None or e.date <= sc.date for e in sc.sources)


def test_the_json_schema_knows_the_new_fields():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra")
    from realpolitik.scenario import json_schema

    d = _data()
    d["stances"][0]["capability"] = {"value": 3, "low": 1, "high": 5}
    d["stances"][1]["capability"] = 2
    d["issues"][0]["status_quo"] = {"value": 50, "low": 40, "high": 70}
    d["retrospective"] = {"reason": "coded later"}
    d["date"] = "2022-02-23"
    validator = jsonschema.Draft202012Validator(json_schema())
    assert not list(validator.iter_errors(d))
    d["retrospective"] = {"why": "no"}
    assert list(validator.iter_errors(d))


def test_ktab_export_refuses_what_it_cannot_hold():
    from realpolitik.errors import InputError
    from realpolitik.scenario.ktab_io import write_ktab_csv

    d = load(DATA / "uncertain.yaml").to_dict()
    d["shocks"] = []
    d["stances"][2]["capability"] = 5
    with pytest.raises(InputError, match=r"one influence per actor.*c on i1"):
        write_ktab_csv(Scenario.from_dict(d))


def test_a_what_if_may_set_the_capability_on_one_issue():
    from realpolitik.scenario.interventions import intervene, target

    sc = load(DATA / "minimal.yaml")
    assert target(sc, "c.i1.capability").value == 1  # the actor's, until the stance has one
    edited = intervene(sc, ["c.i1.capability=10"])
    assert edited.capability_on("c", "i1") == 10 and edited.capability_on("a", "i1") == 2
    assert target(edited, "c.i1.capability").value == 10
    scaled = intervene(edited, ["c.capability*=0.5"])  # the actor's and its stances' own
    assert scaled.actor("c").capability == 0.5 and scaled.capability_on("c", "i1") == 5
    shocked = intervene(sc, ["c.i1.capability*=3@2"])
    (h,) = shocked.shocks
    assert (h.actor, h.issue, h.field, h.op, h.value) == ("c", "i1", "capability", "multiply", 3)
    with pytest.raises(ScenarioError, match="'c' has no stance on 'i2'"):
        intervene(sc, ["c.i2.capability=4"])


def test_a_new_stance_capability_is_a_changed_number():
    from realpolitik.scenario.diff import changed_targets
    from realpolitik.scenario.interventions import intervene

    sc = load(DATA / "minimal.yaml")
    ((old, new),) = changed_targets(sc, intervene(sc, ["c.i1.capability=10"]))
    assert (old.label, old.value, new.value) == ("c.i1.capability", 1, 10)


def test_a_forecast_records_the_stance_capabilities_it_saw():
    """A forecast read back alone knows each stance's own capability (null where the
    actor's held); a forecast file written before they were recorded reads with none."""
    from realpolitik.forecasting import Forecast

    sc = _with_issue_caps({("c", "i1"): 10})
    fc = rp.forecast(sc, "compromise")
    own = fc.to_dict()["inputs"]["issue_capability"]
    assert own[2][0] == 10 and own[0][0] is None and own[2][1] is None
    back = Forecast.from_json(fc.to_json())
    assert back.to_json() == fc.to_json()
    assert back.issue_capability[2, 0] == 10 and np.isnan(back.issue_capability[0, 0])
    old = Forecast.from_json((Path(__file__).parent / "data" / "forecast-v2.json").read_text())
    assert old.issue_capability.shape == old.position.shape
    assert np.isnan(old.issue_capability).all()
