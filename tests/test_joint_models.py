"""Models whose issues are the dimensions of one space (``ModelSpec.joint``, KTAB's SMP): the
result layer gives them the whole scenario at once, in every verb."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis.backtest import backtest
from realpolitik.arrays import scenario_input
from realpolitik.models.plan import plan_model
from realpolitik.scenario import dump_yaml
from realpolitik.scenario.uncertainty import point_values

DATA = Path(__file__).parent / "data"
JOINT = {"smp": {"issues": "joint"}}


def test_the_scenario_as_one_input():
    sc = rp.load(DATA / "minimal.yaml")  # c has no stance on i2
    inp = scenario_input(sc, point_values(sc))
    assert inp.position.shape == inp.salience.shape == (3, 2)
    np.testing.assert_array_equal(inp.position[:, 0], [20, 90, 60])
    np.testing.assert_array_equal(inp.position[:, 1], [8, 3, 2])  # c holds the status quo
    np.testing.assert_array_equal(inp.salience[:, 1], [0.2, 1.0, 0.0])  # with no stake
    np.testing.assert_array_equal(inp.capability, [1.0, 0.5, 0.5])  # over the largest
    np.testing.assert_array_equal(inp.scale_max, [100, 10])


def test_shocks_become_changes_of_the_whole_input():
    sc = rp.intervene(
        rp.load(DATA / "minimal.yaml"),
        ["a.capability*=3@2", "b.i1.position=0@1", "b.i2.salience=10@3"],
    )
    inp = scenario_input(sc, point_values(sc))
    by_round = {ch.round: ch for ch in inp.changes}
    assert sorted(by_round) == [1, 2, 3]
    moved = by_round[1].position
    assert moved is not None and moved[1, 0] == 0 and np.isnan(moved).sum() == 5
    cap = by_round[2].capability
    assert cap is not None and cap.tolist() == [3.0, 0.5, 0.5]  # over round 0's largest
    sal = by_round[3].salience
    assert sal is not None and sal[1].tolist() == [0.5, 0.1] and sal[2, 1] == 0.0


def test_a_joint_forecast_runs_the_issues_together():
    sc = rp.load("caucasus-2022")
    fc = rp.forecast(sc, model="smp", params=JOINT)
    plan = plan_model("smp", **JOINT["smp"])
    assert plan.joint and not plan.separate().joint
    direct = plan.run(scenario_input(sc, point_values(sc)))
    np.testing.assert_array_equal(fc.run("smp").forecast, direct.forecast)
    # positions where an actor has no stance are shown as nan
    _, pos, _, _ = sc.arrays()
    run = fc.run("smp")
    assert np.array_equal(np.isnan(run.positions[0]), np.isnan(pos))
    # one issue at a time is another model run: the issues interact
    alone = rp.forecast(sc, model="smp", params={"smp": {"issues": "separate"}})
    assert not np.allclose(alone.run("smp").forecast, run.forecast)


def test_simulate_runs_a_joint_model_draw_by_draw():
    sc = rp.load("caucasus-2022")
    ens = rp.simulate(sc, model="smp", draws=3, seed=5, workers=1, params=JOINT)
    from realpolitik.analysis.ensemble import chunk_uniforms
    from realpolitik.scenario.uncertainty import draw_values, uncertain_inputs

    values = draw_values(sc, chunk_uniforms(5, 0, 3, len(uncertain_inputs(sc))))
    plan = plan_model("smp", **JOINT["smp"])
    for k in range(3):
        want = plan.run(scenario_input(sc, values, k), details=False).forecast
        assert ens.forecasts["smp"][k].tobytes() == want.tobytes()
    assert (
        ens.point["smp"].tobytes()
        == rp.forecast(sc, "smp", params=JOINT).run("smp").forecast.tobytes()
    )


def test_a_back_test_runs_a_joint_model_on_each_whole_scenario(tmp_path):
    sc = rp.load(DATA / "minimal.yaml")
    data = sc.to_dict()
    data["outcomes"] = [
        {"issue": "i1", "value": 40, "source": {"judgement": "for the test"}},
        {"issue": "i2", "value": 5, "source": {"judgement": "for the test"}},
    ]
    (tmp_path / "a.yaml").write_text(dump_yaml(rp.Scenario.from_dict(data)), encoding="utf-8")
    bt = backtest(tmp_path, model=["compromise", "smp"], params=JOINT, seed=1, resamples=50)
    want = rp.forecast(tmp_path / "a.yaml", model="smp", params=JOINT).run("smp").forecast
    np.testing.assert_array_equal(bt.forecasts["smp"], want)


@pytest.mark.parametrize("actor", ["azerbaijan"])
def test_levers_of_a_joint_model_move_the_whole_scenario(actor):
    from realpolitik.analysis.levers import levers

    sc = rp.load(DATA / "minimal.yaml")
    lv = levers(sc, actor="a", model="smp", params=JOINT)
    assert lv.levers["smp"], "a joint model has levers too"
    assert lv.method["smp"] == "finite differences"


def test_stochastic_smp_spreads_its_draws_and_a_seed_fixes_them_whatever_the_chunks():
    """KTAB's stochastic state transitions: each draw gets a seed of its own from the
    simulation's seed, so a draw differs from the deterministic run of its inputs, and the
    same seed gives the same bytes in any chunking, in this process or a pool."""
    stochastic = {"smp": {"state_trans_mode": "stochastic"}}
    sc = rp.load("caucasus-2022")
    one = rp.simulate(sc, model="smp", draws=6, seed=9, workers=1, params=stochastic)
    # the same seed draws the same inputs: what differs is the model's own randomness
    plain = rp.simulate(sc, model="smp", draws=6, seed=9, workers=1, params=JOINT)
    assert not np.array_equal(one.forecasts["smp"], plain.forecasts["smp"])
    for chunk_size, workers in ((1, 1), (4, 2)):
        again = rp.simulate(
            sc,
            model="smp",
            draws=6,
            seed=9,
            workers=workers,
            chunk_size=chunk_size,
            params=stochastic,
        )
        assert again.forecasts["smp"].tobytes() == one.forecasts["smp"].tobytes()
    other = rp.simulate(sc, model="smp", draws=6, seed=10, workers=1, params=stochastic)
    assert other.forecasts["smp"].tobytes() != one.forecasts["smp"].tobytes()
