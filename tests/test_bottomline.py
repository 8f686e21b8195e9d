"""The bottom line: who comes out ahead, the contestants head to head, how sure, and each
model's record, most credible first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import realpolitik as rp
from realpolitik.analysis.bottomline import bottom_line
from realpolitik.models.standing import standing

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def caucasus():
    sc = rp.load("caucasus-2022")
    return sc, rp.forecast(sc)


def test_the_op_eds_question_is_answered_head_to_head(caucasus):
    sc, fc = caucasus
    bl = bottom_line(fc, sc)
    assert bl.contestants == ("russia", "azerbaijan") and bl.stated
    assert bl.leader == "azerbaijan"
    # most credible first: better than guessing 50, then unclear, then worse
    assert [m.model for m in bl.models] == ["compromise", "eum", "median"]
    assert [m.model for m in bl.credible] == ["compromise", "eum"]
    for m in bl.models:
        assert m.contestants["azerbaijan"] > m.contestants["russia"]
        assert m.contestants == {a: fc.gains(m.model)[a] for a in bl.contestants}
    first = bl.sentences()[0]
    assert first.startswith("Putin — Aliyev: who will win? Azerbaijan comes out ahead of Russia")
    text = " ".join(bl.sentences())
    assert "median MAE 28.5, errs more than guessing 50" in text
    assert "eum leaves karabakh-control and donbas-control undetermined" in text


def test_how_sure_comes_from_the_draws(caucasus):
    sc, fc = caucasus
    ens = rp.simulate(sc, draws=60, seed=4, workers=1)
    bl = bottom_line(fc, sc, ens)
    rows = [fc.actors.index(a) for a in bl.contestants]
    for m in bl.models:
        assert m.p_leader is not None
        assert sum(m.p_leader.values()) == pytest.approx(1.0)
        g = ens.gains[m.model][:, rows]
        ok = ~np.isnan(g).any(axis=1)
        d = g[ok, 1] - g[ok, 0]
        want = float(np.mean(d > 1e-9) + 0.5 * np.mean(np.abs(d) <= 1e-9))  # ties shared
        assert m.p_leader["azerbaijan"] == pytest.approx(want)
        assert m.draws == int(ok.sum())
    assert any(s.startswith("How sure: over 60 simulated draws, Azerbaijan gains more than "
                            "Russia in") for s in bl.sentences())  # fmt: skip
    other = rp.simulate("ec-emissions-1994", draws=5, seed=1, workers=1, model="compromise")
    with pytest.raises(ValueError, match="another scenario"):
        bottom_line(fc, sc, other)


def _minimal(**changes):
    d = yaml.safe_load((DATA / "minimal.yaml").read_text())
    d.update(changes)
    return rp.Scenario.from_dict(d)


def test_without_a_question_the_leading_two_meet_and_it_says_so():
    sc = _minimal()
    fc = rp.forecast(sc, model=["compromise", "median"])
    bl = bottom_line(fc, sc)
    g = fc.gains("compromise")
    top2 = tuple(sorted((a for a in g if g[a] is not None), key=lambda a: -g[a])[:2])
    assert bl.contestants == top2 and not bl.stated
    assert any("states no question" in s for s in bl.sentences())


def test_models_that_disagree_are_said_to():
    """One issue, status quo 50: the weighted mean (45) moves toward Alpha at 0, the
    weighted median (Gamma's 60) toward Beta at 100."""
    src = {"judgement": "made up for the test"}
    sc = rp.Scenario.from_dict(
        {
            "id": "split",
            "name": "Split",
            "question": {"text": "Alpha or Beta?", "contestants": ["a", "b"]},
            "actors": [
                {"id": k, "name": n, "capability": 1, "source": src}
                for k, n in (("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"))
            ],
            "issues": [
                {
                    "id": "i",
                    "question": "How far?",
                    "scale": {"min": 0, "max": 100, "min_label": "no", "max_label": "all"},
                    "status_quo": 50,
                    "status_quo_source": src,
                }
            ],
            "stances": [
                {"actor": k, "issue": "i", "position": x, "salience": w, "source": src}
                for k, x, w in (("a", 0, 45), ("b", 100, 30), ("c", 60, 25))
            ],
        }
    )
    fc = rp.forecast(sc, model=["compromise", "median"])
    assert fc.value("compromise", "i") == pytest.approx(45) and fc.value("median", "i") == 60
    bl = bottom_line(fc, sc)
    assert {m.model: m.leader for m in bl.models} == {"compromise": "a", "median": "b"}
    assert bl.leader == "a"  # the median is worse than guessing 50: not credible
    assert bl.sentences()[0] == (
        "Alpha or Beta? The models disagree on Alpha and Beta: Alpha under compromise; "
        "Beta under median."
    )


def test_no_gain_no_verdict():
    d = yaml.safe_load((DATA / "minimal.yaml").read_text())
    for i in d["issues"]:
        del i["status_quo"], i["status_quo_source"]
    sc = rp.Scenario.from_dict(d)
    bl = bottom_line(rp.forecast(sc, model="compromise"), sc)
    assert bl.sentences() == [
        "No model measures a gain: no issue has both a status quo and a forecast."
    ]


def test_the_record_shown_is_the_shipped_one(caucasus):
    sc, fc = caucasus
    bl = bottom_line(fc, sc)
    for m in bl.models:
        assert m.standing == standing(m.model)
        assert m.to_dict()["record"]["mae"] == standing(m.model).mae
    assert bl.to_dict()["leader"] == "azerbaijan"


def test_a_contestant_without_a_gain_is_not_beaten_by_default(caucasus):
    """Under a model that leaves every issue of a contestant undetermined (or where it has
    no gain), the head-to-head is no comparison, not a win for the other; and the scenario
    must be the forecast's."""
    from realpolitik.analysis.bottomline import BottomLine, ModelVerdict

    v = ModelVerdict("eum", None, {"a": 0.1, "b": None}, ("a",), ("a",),
                     {"a": 0.1, "b": None}, None, ())  # fmt: skip
    bl = BottomLine("Who wins?", ("a", "b"), {"a": "Alpha", "b": "Beta"}, (v,))
    assert bl.leader is None
    assert bl.sentences()[0] == (
        "Who wins? The models disagree on Alpha and Beta: no comparison (no gain for Beta) "
        "under eum."
    )
    _, fc = caucasus
    with pytest.raises(rp.InputError, match="another scenario"):
        bottom_line(fc, rp.load("ec-emissions-1994"))


def test_the_caveat_says_whose_ranges_the_shares_come_from():
    """The calibration check measured the default spread, not a scenario's own ranges: the
    caveat says which ranges made the shares and never credits the scenario's ranges with
    the default spread's check."""
    from realpolitik.analysis.bottomline import _calibration_caveat
    from realpolitik.analysis.calibration import checked_coverage

    c = checked_coverage("compromise")
    assert c is not None
    own = _calibration_caveat(None)
    assert "scenario's own ranges" in own and "no check on real outcomes" in own
    assert f"even the calibrated spread (±{c.spread:g})" in own
    default = _calibration_caveat(50.0)
    assert "default spread of ±50" in default and "own ranges" not in default
    assert f"{c.covered['90']:.0%}" in default and f"{c.covered['90']:.0%}" in own


def test_the_caveat_names_a_spread_given_before_the_simulation():
    """A report gives a scenario without ranges the calibrated spread (``with_spread``)
    before simulating it, and ``simulate --spread P`` does the same with P: the ensemble
    then sees ranges and no default spread, and the caveat called them "the scenario's own
    ranges" (in a report whose note said they were the calibrated default). The spread
    given is passed on; one other than the calibrated is not credited with its check."""
    from realpolitik.analysis.bottomline import _calibration_caveat
    from realpolitik.analysis.calibration import checked_coverage, default_spread
    from realpolitik.scenario.uncertainty import with_spread

    c = checked_coverage("compromise")
    assert c is not None and c.spread == default_spread()
    other = _calibration_caveat(20.0)
    assert "default spread of ±20" in other and "no check on real outcomes" in other
    assert "calibrated default" not in other and f"(±{c.spread:g})" in other

    sc = with_spread(rp.load(DATA / "minimal.yaml"), default_spread())
    fc = rp.forecast(sc, model="compromise")
    ens = rp.simulate(sc, "compromise", draws=20, seed=1)
    assert ens.default_spread is None  # the ranges are in the scenario now
    said = bottom_line(fc, sc, ens, spread=default_spread()).sentences()
    caveat = next(x for x in said if x.startswith("These shares"))
    assert f"calibrated default spread of ±{default_spread():g}" in caveat
    assert "own ranges" not in caveat
    said = bottom_line(fc, sc, ens).sentences()  # no spread given: the scenario's own
    assert any("scenario's own ranges" in x for x in said)
