"""Monte Carlo ensembles: reproducible to the byte whatever the chunking or the workers,
honest summaries, and a clean stop on Ctrl-C."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis.ensemble import Ensemble, simulate
from realpolitik.errors import RealpolitikError
from realpolitik.runner import InProcess, LocalPool

DATA = Path(__file__).parent / "data"
UNCERTAIN = DATA / "uncertain.yaml"


@pytest.fixture(scope="module")
def reference() -> Ensemble:
    return simulate(UNCERTAIN, draws=240, seed=7, workers=1, chunk_size=240)


def test_the_same_seed_gives_the_same_bytes_whatever_the_chunking(reference):
    text = reference.to_json()
    for size in (1, 7, 50, 1000):
        assert simulate(UNCERTAIN, draws=240, seed=7, workers=1, chunk_size=size).to_json() == text


def test_the_same_seed_gives_the_same_bytes_on_a_process_pool(reference):
    pooled = simulate(UNCERTAIN, draws=240, seed=7, backend=LocalPool(2), chunk_size=13)
    assert pooled.to_json() == reference.to_json()


def test_another_seed_gives_other_draws(reference):
    other = simulate(UNCERTAIN, draws=240, seed=8, workers=1)
    assert not np.array_equal(other.forecasts["compromise"], reference.forecasts["compromise"])


def test_a_longer_run_extends_a_shorter_one(reference):
    longer = simulate(UNCERTAIN, draws=300, seed=7, workers=1)
    for m in reference.models:
        assert np.array_equal(longer.forecasts[m][:240], reference.forecasts[m])


def test_json_round_trip(reference):
    again = Ensemble.from_json(reference.to_json())
    assert again.to_json() == reference.to_json()
    d = json.loads(reference.to_json())
    assert d["format"] == "realpolitik-ensemble/2" and d["seed"] == 7 and d["draws"] == 240
    assert len(d["per_draw"]["forecasts"]["eum"]) == 240


def test_draws_follow_the_ranges(reference):
    # compromise on i1: the forecast moves with the drawn inputs and stays in the hull of
    # the positions (b's position ranges 70-100, the others are fixed at 20 and 60)
    f = reference.forecasts["compromise"][:, 0]
    assert f.std() > 1.0 and f.min() >= 20 and f.max() <= 100
    point = rp.forecast(UNCERTAIN, model="compromise").value("compromise", "i1")
    assert reference.point["compromise"][0] == point
    assert abs(np.median(f) - point) < 5


def test_issue_outlook_is_computed_from_the_draws(reference):
    f = reference.forecasts["compromise"][:, 0]
    o = reference.issue_outlook("compromise")[0]
    assert o.mean == pytest.approx(f.mean()) and o.quantiles[0.5] == pytest.approx(np.median(f))
    assert sum(o.histogram_counts) == 240
    assert o.p_below == pytest.approx(np.mean(f < 50 - 0.5))
    assert o.p_above == pytest.approx(np.mean(f > 50 + 0.5))
    assert o.p_below + o.p_at + o.p_above == pytest.approx(1)
    assert reference.issue_outlook("compromise")[0].p_settled is None
    assert reference.issue_outlook("eum")[0].p_settled is not None


def test_actor_outlook_ranks_by_mean_gain_and_shares_the_top(reference):
    rows = reference.actor_outlook("median")
    means = [r.mean for r in rows]
    assert means == sorted(means, reverse=True) and [r.rank for r in rows] == [1, 2, 3]
    assert sum(r.p_best for r in rows) == pytest.approx(1.0)
    g = reference.gains["median"]
    k = reference.actors.index(rows[0].actor)
    assert rows[0].p_gain == pytest.approx(np.mean(g[:, k] > 1e-9))


def test_gains_per_draw_equal_the_forecast_gains_at_the_best_estimates():
    from realpolitik.analysis.ensemble import Chunk, run_chunk
    from realpolitik.models.plan import plan_models

    sc = rp.load("caucasus-2022")
    # a chunk with neither seed nor samples evaluates the best estimates
    res = run_chunk(Chunk(sc, plan_models("all"), 0, 2))
    fc = rp.forecast(sc)
    for model in fc.models:
        assert res["forecast"][model][1].tobytes() == fc.run(model).forecast.tobytes()
        for k, a in enumerate(fc.actors):
            expected, got = fc.gains(model)[a], res["gains"][model][1, k]
            assert (expected is None and np.isnan(got)) or got == expected


class _Interrupting:
    """A backend that yields some chunks, in a chosen order, then raises Ctrl-C."""

    workers = 1

    def __init__(self, order: list[int]) -> None:
        self.order = order

    def describe(self) -> str:
        return "test"

    def map(self, fn: Any, tasks: Any, *, on_result: Any = None) -> Iterator[tuple[int, Any]]:
        tasks = list(tasks)
        for i in self.order:
            yield i, fn(tasks[i])
        raise KeyboardInterrupt


def test_ctrl_c_keeps_the_completed_draws_from_draw_zero(reference):
    ens = simulate(UNCERTAIN, draws=240, seed=7, chunk_size=40, backend=_Interrupting([0, 2, 1, 4]))
    # chunks 0, 1, 2 form a prefix (draws 0-64: the first two chunks are probes of an eighth
    # and a half of the others, 5 and 20 draws); chunk 4 is dropped: the result equals a run
    # of 65 draws with the same seed
    assert ens.draws == 65 and ens.requested == 240 and not ens.complete
    short = simulate(UNCERTAIN, draws=65, seed=7, workers=1)
    for m in ens.models:
        assert ens.forecasts[m].tobytes() == short.forecasts[m].tobytes()
    with pytest.raises(KeyboardInterrupt):
        simulate(UNCERTAIN, draws=240, seed=7, chunk_size=40, backend=_Interrupting([1, 2]))


class _Refusing:
    """A backend that must not be used."""

    workers = 2

    def describe(self) -> str:
        return "refusing"

    def map(self, fn: Any, tasks: Any, *, on_result: Any = None) -> Iterator[tuple[int, Any]]:
        raise AssertionError("a scenario without ranges was computed draw by draw")


@pytest.mark.parametrize("model", ["all", ["eum", "smp"]])
def test_a_scenario_without_ranges_is_computed_once_with_the_same_bytes(model):
    """Nothing ranged, no random model: every draw is the best estimates, computed once and
    repeated (on no backend), the same arrays as computing every draw."""
    from realpolitik.analysis.ensemble import Chunk, run_chunk
    from realpolitik.models.plan import plan_models

    sc = rp.load(DATA / "minimal.yaml")  # three issues, an actor without a stance on one
    seen: list[tuple[int, int]] = []
    ens = simulate(sc, model, draws=37, seed=3, rounds=5, backend=_Refusing(),
                   progress=lambda d, t: seen.append((d, t)), unranged_spread=None)  # fmt: skip
    assert seen == [(37, 37)] and ens.draws == ens.requested == 37 and ens.uncertain == ()
    full = run_chunk(Chunk(sc, tuple(plan_models(model, 5)), 0, 37, seed=3))
    for m in ens.models:
        assert ens.forecasts[m].tobytes() == full["forecast"][m].tobytes()
        assert ens.gains[m].tobytes() == full["gains"][m].tobytes()
        assert ens.point[m].tobytes() == full["forecast"][m][0].tobytes()
    assert set(ens.settled) == set(full["settled"])
    for m in ens.settled:
        assert ens.settled[m].tobytes() == full["settled"][m].tobytes()
        assert ens.cycle_period[m].tobytes() == full["cycle_period"][m].tobytes()
    chunked = simulate(sc, model, draws=37, seed=3, rounds=5, workers=1, chunk_size=5,
                       unranged_spread=None)  # fmt: skip
    assert chunked.to_json() == ens.to_json()


def test_a_random_model_runs_draw_by_draw_even_without_ranges():
    sc = rp.load(DATA / "minimal.yaml")
    stochastic = {"smp": {"state_trans_mode": "stochastic"}}
    ens = simulate(sc, "smp", draws=8, seed=9, workers=1, params=stochastic, unranged_spread=None)
    assert len({row.tobytes() for row in ens.gains["smp"]}) > 1


def test_progress_is_reported_to_the_total():
    seen: list[tuple[int, int]] = []
    simulate(UNCERTAIN, draws=100, seed=1, chunk_size=30, backend=InProcess(),
             progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    # the first two chunks are probes of an eighth and a half of the others (3, 15 draws)
    assert seen == [(3, 100), (18, 100), (48, 100), (78, 100), (100, 100)]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"draws": 0}, "draws must be a whole number from 1 to 10,000,000, got 0"),
        ({"draws": 2.5}, "whole number"),
        ({"seed": -1}, "seed must be"),
        ({"model": "nope"}, "unknown model"),
        ({"params": {"eum": {"zz": 1}}, "model": "eum"}, "no parameter zz"),
    ],
)
def test_bad_arguments_are_explained(kwargs, fragment):
    args = {"draws": 10, "seed": 1, "workers": 1, **kwargs}
    with pytest.raises(RealpolitikError, match=fragment):
        simulate(UNCERTAIN, **args)


def test_a_fresh_seed_is_recorded_when_none_is_given():
    a = simulate(UNCERTAIN, draws=5, workers=1, model="compromise")
    b = simulate(UNCERTAIN, draws=5, seed=a.seed, workers=1, model="compromise")
    assert a.to_json() == b.to_json()


def test_a_ranged_status_quo_gains_per_draw_shares_against_its_best_estimate():
    """With every number fixed but the status quo (uniform over 0-100), the compromise
    forecast is the same in every draw: the shares below / at / above compare it with the
    status quo's best estimate (documented), the gains with each draw's own status quo."""
    d = rp.load(DATA / "minimal.yaml").to_dict()
    d["issues"][0]["status_quo"] = {"value": 10, "low": 0, "high": 100, "distribution": "uniform"}
    sc = rp.Scenario.from_dict(d)
    ens = simulate(sc, draws=200, seed=3, model="compromise", unranged_spread=None)
    f = ens.forecasts["compromise"][:, 0]
    assert np.ptp(f) == 0 and f[0] > 10
    o = ens.issue_outlook("compromise")[0]
    assert o.status_quo == 10 and (o.p_below, o.p_at, o.p_above) == (0.0, 0.0, 1.0)
    gains = ens.gains["compromise"]
    assert np.ptp(gains[:, 0]) > 0  # a's gain moves with the drawn status quo


def test_quantiles_are_numpys_to_the_last_bit():
    """The summaries' quantiles (computed without importing numpy's masked arrays) equal
    ``np.quantile``'s linear method bit for bit, but for the sign of a zero (always +0)."""
    from realpolitik.analysis.ensemble import QUANTILES, quantiles

    rng = np.random.default_rng(7)
    for n in [*range(1, 30), 101, 1000, 10_001]:
        for scale in (1.0, 1e-9, 1e9):
            x = rng.normal(size=n) * scale
            x = np.round(x, 1) if n % 3 == 0 else x  # ties
            for qs in (QUANTILES, (0.0, 1.0, 0.5, 0.025, 0.975, 1 / 3)):
                ours, theirs = quantiles(x, qs), np.quantile(x, qs) + 0.0
                assert ours.tobytes() == theirs.tobytes(), (n, qs, ours, theirs)
                assert not np.signbit(ours[ours == 0]).any()


def test_quantiles_outside_their_preconditions_fail_or_give_nan_as_numpys():
    """A NaN among the values makes every quantile NaN (as numpy's; not the quantiles of
    the other values), a q outside [0, 1] or no values is an error, not an index that
    wraps around; integers, one value and zeros of either sign are numpy's too."""
    from realpolitik.analysis.ensemble import QUANTILES, quantiles

    with_nan = np.array([1.0, np.nan, 3.0, 2.0])
    assert np.isnan(quantiles(with_nan, QUANTILES)).all()
    assert np.isnan(np.quantile(with_nan, QUANTILES)).all()
    for bad in ((-0.1,), (1.1,), (0.5, np.nan)):
        with pytest.raises(ValueError, match=r"in \[0, 1\]"):
            quantiles(np.array([1.0, 2.0, 3.0]), bad)
        with pytest.raises(ValueError):
            np.quantile(np.array([1.0, 2.0, 3.0]), bad)
    with pytest.raises(ValueError, match="no values"):
        quantiles(np.array([]), QUANTILES)
    for x in (
        np.array([3, 1, 2, 10]),
        np.array([7.5]),
        np.array([-0.0, -0.0]),
        np.array([-0.0, 0.0]),
    ):
        ours, theirs = quantiles(x, QUANTILES), np.quantile(x, QUANTILES)
        assert ours.tobytes() == (theirs + 0.0).tobytes(), (x, ours, theirs)
    assert not np.signbit(quantiles(np.array([-0.0, -0.0]), QUANTILES)).any()
