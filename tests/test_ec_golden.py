"""Golden test: the EC car-emissions example against Scholz et al.'s published figures.

Source: J. B. Scholz, G. J. Calbert & G. A. Smith (2011), "Unravelling Bueno de Mesquita's
group decision model", Journal of Theoretical Politics 23(4): 510-531, Table 2 (median and
mean voter positions for rounds 1 to 8, with Q = 1.0), on the input table of Bueno de
Mesquita (1994, p. 78) reprinted as their Table 1. Their round k is the positions after k
rounds of offers, our ``per_round[...][k]`` (round 0 is the input: median 7, mean 7.39).
The CSV is the copy shipped in the package (``realpolitik/scenario/builtins``).
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from realpolitik.models.base import ModelInput
from realpolitik.models.eum import SPEC, run

PUBLISHED_MEDIAN = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6]
PUBLISHED_MEAN = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6]
MEDIAN_TOL = 0.35  # years
MEAN_TOL = 0.1  # years


def ec_input() -> ModelInput:
    text = resources.files("realpolitik.scenario.builtins") / "ec-car-emissions-1994.csv"
    rows = list(csv.DictReader(text.read_text(encoding="utf-8").splitlines()))
    assert [r["actor"] for r in rows][:3] == ["Netherlands", "Belgium", "Luxembourg"]
    c = [float(r["capability"]) for r in rows]
    x = [float(r["position"]) for r in rows]
    s = [float(r["salience"]) / 100 for r in rows]
    return ModelInput.single_issue(c, x, s)  # scale = range of the positions, 4 to 10


@pytest.fixture(scope="module")
def trajectory():
    return run(ec_input(), rounds=8, **SPEC.defaults)


def test_round_zero_is_the_input(trajectory):
    assert trajectory.per_round["median"][0, 0] == 7.0
    assert trajectory.per_round["mean"][0, 0] == pytest.approx(7.39, abs=0.005)


def test_median_per_round_matches_scholz_table_2(trajectory):
    """Scholz, Calbert & Smith (2011), Table 2, median row, rounds 1-8, within 0.35 years."""
    got = trajectory.per_round["median"][1:9, 0]
    np.testing.assert_allclose(got, PUBLISHED_MEDIAN, rtol=0, atol=MEDIAN_TOL)


def test_mean_per_round_matches_scholz_table_2(trajectory):
    """Scholz, Calbert & Smith (2011), Table 2, mean row, rounds 1-8, within 0.1 years."""
    got = trajectory.per_round["mean"][1:9, 0]
    np.testing.assert_allclose(got, PUBLISHED_MEAN, rtol=0, atol=MEAN_TOL)


def test_the_other_vote_reading_also_reproduces_table_2():
    """Votes weighted with the voters' risk exponents (vote_risk=True) fit as well."""
    traj = run(ec_input(), rounds=8, vote_risk=True)
    np.testing.assert_allclose(traj.per_round["median"][1:9, 0], PUBLISHED_MEDIAN, atol=MEDIAN_TOL)
    np.testing.assert_allclose(traj.per_round["mean"][1:9, 0], PUBLISHED_MEAN, atol=MEAN_TOL)


def test_the_first_round_is_bueno_de_mesquitas_forecast(trajectory):
    """Bueno de Mesquita (1994) forecast 8.35 years; the first round's median is 8.43."""
    assert trajectory.per_round["median"][1, 0] == pytest.approx(8.35, abs=0.1)


def test_the_ec_example_never_settles_and_says_so():
    """Belgium keeps climbing from about 5 to 10 years and falling back, with a
    pseudo-period of 6 to 7 rounds that never repeats exactly: at the default rounds the
    EUM reports the issue still moving, and the range its median wandered over lately:
    wider than 5% of the scale, so no point forecast (undetermined)."""
    traj = run(ec_input(), rounds=SPEC.default_rounds, **SPEC.defaults)
    assert traj.details["settled"].tolist() == [0.0]
    assert traj.details["cycle_period"].tolist() == [0.0]
    assert traj.details["determinate"].tolist() == [0.0] and np.isnan(traj.forecast[0])
    tail = traj.per_round["median"][-(SPEC.default_rounds // 2 + 1) :, 0]
    assert traj.details["forecast_low"][0] == tail.min() == 7.0
    assert traj.details["forecast_high"][0] == tail.max() > 9.5
