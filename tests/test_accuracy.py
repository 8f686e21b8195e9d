"""The accuracy check of docs/explanation/accuracy-protocol.md: it runs as declared, and the
standing each candidate is registered with is what the check measures (not a number typed
in and left to drift)."""

from __future__ import annotations

import pytest
from conftest import SHARED

from realpolitik.analysis import accuracy
from realpolitik.models import REGISTRY, in_all


@pytest.fixture(scope="module")
def result():
    path = SHARED / "data" / "deu3" / "deu3-dev.tsv"
    if not path.is_file():
        pytest.skip(f"needs {path} (the shared data folder: present in CI, absent in a clone)")
    return accuracy.check(path, workers=1, models=tuple(REGISTRY))


def test_the_check_is_the_declared_one(result):
    bt = result.vs_compromise
    assert accuracy.SEED == 20261206 and accuracy.RESAMPLES == 10_000
    assert bt.seed == accuracy.SEED and bt.resamples == accuracy.RESAMPLES
    assert bt.reference == "compromise" and result.vs_constant.reference == "constant-50"
    assert set(accuracy.MODELS) <= set(bt.forecasts)
    assert len(bt.cases) == 201 and len(set(bt.clusters)) == 82
    # the models run with their defaults: smp in KTAB's, eum-pair with the EUM's
    assert bt.parameters["smp"]["voting_rule"] == "prop"
    assert bt.parameters["eum-pair"]["rounds"] == 40


def test_each_candidate_is_registered_with_its_measured_standing(result):
    for name in accuracy.CANDIDATES:
        assert REGISTRY[name].standing == accuracy.standing(result, name), name


def test_no_candidate_that_did_not_beat_the_compromise_model_runs_in_all(result):
    for name in accuracy.CANDIDATES:
        c, _ = result.row(name)
        assert c.diff is not None
        beats = c.diff["mae"].high is not None and c.diff["mae"].high < 0
        covers = c.n >= 0.95 * len(result.vs_compromise.cases)
        assert (name in in_all()) == (beats and covers), name


def test_the_mean_of_compromise_and_smp_is_their_mean(result):
    f = result.vs_compromise.forecasts
    assert (abs(f["compromise-smp"] - (f["compromise"] + f["smp"]) / 2) < 1e-9).all()


def test_the_shipped_standings_are_what_the_check_measures(result):
    """src/realpolitik/models/standing.json is what scripts/standing.py writes from the check
    (every registered model and the baselines), number for number."""
    import importlib.util
    from pathlib import Path

    from realpolitik.models import standing

    path = Path(__file__).parents[1] / "scripts" / "standing.py"
    spec = importlib.util.spec_from_file_location("standing_script", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    built = script.build(result)
    shipped = standing.record()
    assert built["models"] == shipped["models"]
    assert built["source"]["sha256"] == shipped["source"]["sha256"]
    assert set(shipped["models"]) >= set(REGISTRY)
    # the verdicts the front ends show follow from the numbers
    s = standing.standings()
    assert s["compromise"].better_than_constant and s["median"].worse_than_constant
