"""The calibration check (docs/explanation/calibration-protocol.md): intervals from input
spreads, their coverage and sharpness, the declared rule, and the shipped result held to a
re-run on DEU III's development file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED

from realpolitik.analysis import calibration as cal
from realpolitik.analysis.backtest import load_cases
from realpolitik.models.plan import plan_models

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cases():
    return load_cases(DATA / "deu-synthetic.tsv")[0]


def test_intervals_are_ordered_reproducible_and_widen_with_the_spread(cases):
    plans = plan_models(["compromise", "median"])
    b = cal.intervals(cases, plans, 20, draws=64, seed=5)
    for name in ("compromise", "median"):
        lo50, hi50, lo90, hi90 = b[name].T
        assert np.all(lo90 <= lo50) and np.all(lo50 <= hi50) and np.all(hi50 <= hi90)
    again = cal.intervals(cases, plans, 20, draws=64, seed=5)
    for name in b:
        assert again[name].tobytes() == b[name].tobytes()
    wider = cal.intervals(cases, plans[:1], 40, draws=64, seed=5)["compromise"]
    assert np.mean(wider[:, 3] - wider[:, 2]) > np.mean(
        b["compromise"][:, 3] - b["compromise"][:, 2]
    )


def test_coverage_counts_outcomes_inside_and_widths_on_a_0_100_scale(cases):
    outcome = np.array([c.outcome for c in cases])
    span = np.array([c.span for c in cases])
    bounds = np.column_stack([outcome - 1, outcome + 1, outcome - 0.1 * span, outcome + 0.1 * span])
    bounds[0, :2] = outcome[0] + 2, outcome[0] + 3  # the first misses its 50% band
    bounds[1] = np.nan  # the second has no interval
    c = cal.coverage("x", 10, bounds, cases)
    assert c.cases == len(cases) - 1 and c.of == len(cases)
    assert c.covered["90"] == 1.0 and c.covered["50"] == pytest.approx(
        (len(cases) - 2) / (len(cases) - 1)
    )
    assert c.width["90"] == pytest.approx(20.0)


def test_the_rule_takes_the_smallest_spread_that_reaches_90_else_the_largest():
    def cov(p, c90):
        return cal.Coverage("compromise", p, 10, 10, {"50": 0.5, "90": c90}, {"50": 1, "90": 2})

    assert cal.choose([cov(30, 0.95), cov(10, 0.80), cov(20, 0.90)]) == (20, True)
    assert cal.choose([cov(5, 0.1), cov(50, 0.2)]) == (50, False)


def test_the_shipped_result_is_the_declared_checks(tmp_path):
    """calibration.json is what the protocol's one run gives (a re-run, number for number),
    and the default spread every verb applies is the one it picked."""
    path = SHARED / "data" / "deu3" / "deu3-dev.tsv"
    if not path.is_file():
        pytest.skip(f"needs {path} (the shared data folder: present in CI, absent in a clone)")
    res = cal.calibrate(path)
    assert json.loads(json.dumps(res.to_dict())) == cal.shipped()
    assert cal.default_spread() == res.spread
    assert cal.checked_coverage("compromise").covered["90"] == res.checking[0].covered["90"]


def test_an_unranged_scenario_gets_the_default_spread_and_a_ranged_one_not():
    import realpolitik as rp

    plain = rp.load(DATA / "minimal.yaml")
    spread, applied = cal.with_default_spread(plain)
    assert applied == cal.default_spread() and spread.content_hash() != plain.content_hash()
    ranged = rp.load(DATA / "uncertain.yaml")
    assert cal.with_default_spread(ranged) == (ranged, None)
