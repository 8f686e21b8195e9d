"""The view from an actor: eum.perceptions against the model's round 1, the chart's
regions, the result's JSON and its errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis import ViewFrom, view_from
from realpolitik.analysis.viewfrom import REGIONS, IssueView, ViewPoint, classify
from realpolitik.errors import ScenarioError
from realpolitik.models import eum
from realpolitik.models.base import ModelInput
from realpolitik.scenario.interventions import intervene

DATA = Path(__file__).parent / "data"
TOL = eum.EU_ATOL
COUNTS = ("offers_conflict", "offers_compromise", "offers_capitulation", "stalemates")


def offer_counts(a: np.ndarray, b: np.ndarray, same: np.ndarray) -> tuple[int, ...]:
    """The round's counts over ordered receiver-proposer pairs (i, j) at different
    positions, from a = E^i(U_ij), b = E^i(U_ji), as the model's docstring defines them."""
    differ = ~same
    apos, bpos = (a > TOL) & differ, (b > TOL) & differ
    conflict = apos & (b - a > TOL)
    yields = bpos & ~apos
    compromise = yields & (a + b > TOL)
    capitulation = yields & ~compromise
    stalemate = differ & ~apos & ~bpos
    return tuple(int(m.sum()) for m in (conflict, compromise, capitulation, stalemate))


def chart_counts(a: np.ndarray, b: np.ndarray, same: np.ndarray) -> tuple[int, ...]:
    """The same counts read off the chart's regions: the offers to the focal actor are
    its Q2 (it yields) and the conflicts in which it expects to lose."""
    region, yielder = classify(a, b, same)
    focal = yielder == "focal"
    return (
        int(((region == "conflict") & (b - a > TOL)).sum()),
        int(((region == "compromise") & focal).sum()),
        int(((region == "capitulation") & focal).sum()),
        int((region == "stalemate").sum()),
    )


def random_cases(count: int = 60, seed: int = 20240611):
    """Random one-issue inputs, n 2 to 12: positions on a grid (actors at one position) or
    continuous, saliences on a grid (0 and 1 included) or continuous, all parameters."""
    rng = np.random.default_rng(seed)
    for k in range(count):
        n = int(rng.integers(2, 13))
        if k % 2:
            x = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0], n)
        else:
            x = rng.uniform(0, 100, n)
        c = rng.uniform(0.05, 1, n) if k % 3 else rng.integers(1, 5, n).astype(float)
        s = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], n) if k % 4 < 2 else rng.uniform(0, 1, n)
        q = (1.0, 0.5, 0.0, float(rng.uniform()))[k % 4]
        t = float(rng.uniform())
        probability = "pair" if k % 5 == 4 else "all_pairs"
        yield x, c, s, q, t, probability


@pytest.mark.parametrize("case", list(random_cases()), ids=lambda _: "")
def test_perceptions_agree_with_round_one(case):
    x, c, s, q, t, probability = case
    inp = ModelInput.single_issue(c, x, s, 0, 100)
    traj = eum.run(inp, rounds=1, q=q, t=t, probability=probability)
    span = float(eum.ranges(inp, "positions")[0])
    seen = eum.perceptions(x, c, s, span=span, q=q, t=t, probability=probability)
    n = x.size
    assert seen.eu_challenge.shape == seen.eu_challenged.shape == (n, n)
    assert traj.details["risk_exponent"].shape == (1, n, 1)
    np.testing.assert_allclose(
        seen.risk_exponent, traj.details["risk_exponent"][0, :, 0], atol=1e-12, rtol=0
    )
    np.testing.assert_allclose(seen.security, traj.details["security"][0, :, 0], atol=1e-12, rtol=0)
    a, b, same = seen.eu_challenge, seen.eu_challenged, seen.same_position
    want = tuple(int(traj.details[name][0, 0]) for name in COUNTS)
    assert offer_counts(a, b, same) == want
    assert chart_counts(a, b, same) == want


def test_perceptions_follow_the_actors():
    """Permuting the actors permutes the perceptions."""
    rng = np.random.default_rng(3)
    x, c, s = rng.choice([0.0, 50.0, 100.0], 9), rng.uniform(size=9), rng.uniform(size=9)
    perm = rng.permutation(9)
    one = eum.perceptions(x, c, s, span=100.0, q=0.7, t=0.4)
    two = eum.perceptions(x[perm], c[perm], s[perm], span=100.0, q=0.7, t=0.4)
    np.testing.assert_allclose(two.eu_challenge, one.eu_challenge[np.ix_(perm, perm)], atol=1e-13)
    np.testing.assert_allclose(two.eu_challenged, one.eu_challenged[np.ix_(perm, perm)], atol=1e-13)
    np.testing.assert_allclose(two.risk_exponent, one.risk_exponent[perm], atol=1e-13)
    assert (two.same_position == one.same_position[np.ix_(perm, perm)]).all()


def test_perceptions_of_one_position_and_bad_input():
    seen = eum.perceptions([3.0, 3.0], [1.0, 2.0], [0.5, 0.5], span=1.0)
    assert seen.same_position.all() and not seen.eu_challenge.any()
    assert seen.risk_exponent.tolist() == [1.0, 1.0]
    assert not seen.eu_challenge.flags.writeable
    with pytest.raises(ValueError, match="one length"):
        eum.perceptions([1.0, 2.0], [1.0], [0.5, 0.5], span=1.0)
    with pytest.raises(ValueError, match="span"):
        eum.perceptions([1.0, 2.0], [1.0, 1.0], [0.5, 0.5], span=0.0)
    with pytest.raises(ValueError, match="probability"):
        eum.perceptions([1.0, 2.0], [1.0, 1.0], [0.5, 0.5], span=1.0, probability="x")


@pytest.mark.parametrize("name", ["ec-emissions-1994", "caucasus-2022"])
@pytest.mark.parametrize(
    "params",
    [{}, {"q": 0.5, "t": 0.25}, {"probability": "pair"}, {"range_basis": "scale"}],
    ids=["default", "q", "pair", "scale"],
)
def test_builtins_agree_with_round_one(name, params):
    sc = rp.load(name)
    fc = rp.forecast(sc, model="eum", rounds=1, params={"eum": params})
    details = fc.run("eum").details
    for j, issue in enumerate(sc.issue_ids):
        ids = sc.participants(issue)
        # details are per actor of the scenario (None where an actor has no stance)
        rows = [sc.actor_ids.index(a) for a in ids]
        full = np.array(details["risk_exponent"][j], dtype=float)
        assert full.shape == (1, len(sc.actor_ids))
        absent = [k for k in range(len(sc.actor_ids)) if k not in rows]
        assert all(details["risk_exponent"][j][0][k] is None for k in absent)
        r_model = full[:, rows]
        want = tuple(int(np.array(details[k][j]).reshape(-1)[0]) for k in COUNTS)
        a = np.zeros((len(ids), len(ids)))
        b, same = np.zeros_like(a), np.zeros_like(a, dtype=bool)
        r = np.empty(len(ids))
        for k, actor in enumerate(ids):  # every participant's row, through view_from
            view = view_from(sc, actor, issue=issue, **params).issue(issue)
            r[k] = view.risk_exponent
            others = [i for i in range(len(ids)) if i != k]
            for i, p in zip(others, view.points, strict=True):
                assert p.other == ids[i]
                a[k, i], b[k, i], same[k, i] = p.eu_challenge, p.eu_challenged, p.same_position
            same[k, k] = True
        np.testing.assert_allclose(r, r_model[0], atol=1e-12, rtol=0)
        assert offer_counts(a, b, same) == want, issue
        assert chart_counts(a, b, same) == want, issue


# ------------------------------------------------------------------ the regions


@pytest.mark.parametrize(
    "x, y, region, yielder",
    [
        (0.5, 0.3, "conflict", None),
        (0.3, 0.5, "conflict", None),
        (-0.5, -0.3, "stalemate", None),
        (0.0, 0.0, "stalemate", None),
        (-0.2, 0.5, "compromise", "focal"),  # Q2, |x| < y
        (-0.5, 0.2, "capitulation", "focal"),  # Q2, |x| >= y
        (-0.5, 0.5, "capitulation", "focal"),  # |x| = y
        (0.0, 0.5, "compromise", "focal"),  # x = 0: a compromise of no move
        (0.5, -0.2, "compromise", "other"),  # Q4, |y| < x
        (0.2, -0.5, "capitulation", "other"),  # Q4, |y| >= x
        (0.5, -0.5, "capitulation", "other"),
        (0.5, 0.0, "compromise", "other"),
        # boundaries at EU_ATOL: "> 0" reads "> EU_ATOL"
        (TOL, 1.0, "compromise", "focal"),
        (2 * TOL, 1.0, "conflict", None),
        (1.0, TOL, "compromise", "other"),
        (1.0, 2 * TOL, "conflict", None),
        (TOL, TOL, "stalemate", None),
        (TOL, 2 * TOL, "compromise", "focal"),
        (2 * TOL, -TOL / 2, "compromise", "other"),  # x + y = 1.5 EU_ATOL
        (2 * TOL, -1.5 * TOL, "capitulation", "other"),  # x + y = 0.5 EU_ATOL
        # |x| < y reads x + y > EU_ATOL
        (-0.5, 0.5 + TOL / 2, "capitulation", "focal"),
        (-0.5, 0.5 + 2 * TOL, "compromise", "focal"),
        (0.5 + TOL / 2, -0.5, "capitulation", "other"),
        (0.5 + 2 * TOL, -0.5, "compromise", "other"),
    ],
)
def test_classify_points(x, y, region, yielder):
    got_region, got_yielder = classify(x, y)
    assert (got_region.item(), got_yielder.item()) == (region, yielder)
    assert classify(x, y, True)[0].item() == "same position"
    assert classify(x, y, True)[1].item() is None


def test_classify_matrices():
    """Each quadrant on hand-made matrices, shapes kept."""
    x = np.array([[0.4, -0.3, -0.3, -0.6, 0.6, 0.2], [0.1, -0.1, 0.3, 0.3, 0.9, 0.0]])
    y = np.array([[0.2, -0.2, 0.6, 0.1, -0.1, -0.7], [0.9, 0.3, -0.1, -0.5, 0.9, 0.0]])
    same = np.zeros_like(x, dtype=bool)
    same[1, 4] = True
    region, yielder = classify(x, y, same)
    assert region.shape == yielder.shape == x.shape
    assert region.tolist() == [
        ["conflict", "stalemate", "compromise", "capitulation", "compromise", "capitulation"],
        ["conflict", "compromise", "compromise", "capitulation", "same position", "stalemate"],
    ]
    assert yielder.tolist() == [
        [None, None, "focal", "focal", "other", "other"],
        [None, "focal", "other", "other", None, None],
    ]


def test_quadrants_follow_the_model_offer_kinds():
    """Q2 is the model's classification of j's offer to the focal actor, and Q4 its
    mirror: swapping the axes swaps the yielder and keeps the kind."""
    rng = np.random.default_rng(5)
    a, b = rng.uniform(-2, 2, (40, 40)), rng.uniform(-2, 2, (40, 40))
    region, yielder = classify(a, b)
    region_t, yielder_t = classify(b, a)
    assert (region == region_t).all()
    swap = {"focal": "other", "other": "focal", None: None}
    assert [swap[v] for v in yielder.ravel()] == list(yielder_t.ravel())


# ------------------------------------------------------------------ the result


def test_every_point_has_a_region():
    for name in ("ec-emissions-1994", "caucasus-2022"):
        sc = rp.load(name)
        for actor in sc.actor_ids:
            view = view_from(sc, actor)
            assert view.issue_ids == tuple(
                i for i in sc.issue_ids if sc.stance(actor, i) is not None
            )
            for iv in view.issues:
                assert (
                    math.isfinite(iv.risk_exponent) and 0.5 - 1e-9 <= iv.risk_exponent <= 2 + 1e-9
                )
                assert [p.other for p in iv.points] == [
                    a for a in sc.participants(iv.issue) if a != actor
                ]
                for p in iv.points:
                    assert p.region in REGIONS
                    assert math.isfinite(p.eu_challenge) and math.isfinite(p.eu_challenged)
                    assert math.isfinite(p.weight) and 0 <= p.weight <= 1
                    assert (p.region == "same position") == p.same_position
                    assert (p.yielder is not None) == (p.region in ("compromise", "capitulation"))


def test_view_of_the_ec_example():
    sc = rp.load("ec-emissions-1994")
    view = view_from(sc, "belgium")
    assert view.actor_name == sc.actor("belgium").name
    assert view.scenario_hash == sc.content_hash()
    assert dict(view.parameters) == {
        "model": "eum",
        "q": 1.0,
        "t": 1.0,
        "probability": "all_pairs",
        "range_basis": "positions",
    }
    iv = view.issue("emissions-delay")
    assert iv.position == 7.0
    # Belgium compromises with France in round 1 (docs: 7 -> 8.43)
    france = iv.point("france")
    assert (france.region, france.yielder) == ("compromise", "focal")
    cap = np.array([a.capability for a in sc.actors])
    k = sc.actor_ids.index("france")
    assert france.weight == pytest.approx(
        cap[k] / cap.max() * sc.stance("france", "emissions-delay").salience / 100
    )
    with pytest.raises(KeyError, match="emissions-delay"):
        view.issue("nope")
    with pytest.raises(KeyError, match="france"):
        iv.point("belgium")


@pytest.mark.parametrize("params", [{}, {"q": 0.5, "t": 0.3, "probability": "pair"}])
def test_json_round_trip(params):
    view = view_from("caucasus-2022", "azerbaijan", **params)
    text = view.to_json()
    back = ViewFrom.from_json(text)
    assert back == view
    assert back.to_json() == text
    data = json.loads(text)
    assert data["format"] == "realpolitik-viewfrom/1"
    assert data["scenario"]["id"] == "caucasus-2022"
    assert ViewFrom.from_dict(data).issues[0] == view.issues[0]
    assert IssueView.from_dict(view.issues[0].to_dict()) == view.issues[0]
    assert ViewPoint.from_dict(view.issues[0].points[0].to_dict()) == view.issues[0].points[0]
    with pytest.raises(ValueError, match="viewfrom"):
        ViewFrom.from_dict({**data, "format": "realpolitik-levers/1"})


def test_one_issue_and_shocks():
    sc = rp.load("caucasus-2022")
    full = view_from(sc, "azerbaijan")
    one = view_from(sc, "azerbaijan", issue="karabakh-control")
    assert one.issues == (full.issue("karabakh-control"),)
    later = intervene(sc, ["russia.capability*=0.2@1"])  # a shock after round 1's offers
    assert view_from(later, "azerbaijan").issues == full.issues
    edited = intervene(sc, ["russia.capability*=0.2"])  # an edit of the input
    assert view_from(edited, "azerbaijan").issues != full.issues


def test_errors():
    sc = rp.load("caucasus-2022")
    with pytest.raises(ScenarioError) as info:
        view_from(sc, "atlantis")
    (problem,) = info.value.problems
    assert problem.field == "actor" and "'atlantis'" in problem.message
    assert "russia" in problem.message and "armenian-opposition" in problem.message
    with pytest.raises(ScenarioError) as info:
        view_from(sc, "azerbaijan", issue="moon-control")
    (problem,) = info.value.problems
    assert problem.field == "issue" and "karabakh-control" in problem.message
    no_stance = [i for i in sc.issue_ids if sc.stance("ukraine", i) is None]
    with pytest.raises(ScenarioError, match="holds no stance on") as info:
        view_from(sc, "ukraine", issue=no_stance[0])
    assert info.value.problems[0].field == "issue"
    with pytest.raises(ValueError, match="q must be"):
        view_from(sc, "azerbaijan", q=1.5)
    with pytest.raises(ValueError, match="range_basis"):
        view_from(sc, "azerbaijan", range_basis="current")


def test_actor_without_stances_is_an_error():
    data = rp.load(DATA / "minimal.yaml").to_dict()
    data["actors"].append({"id": "d", "name": "Delta", "capability": 1, "source": {"ref": "s"}})
    sc = rp.Scenario.from_dict(data, origin="extra")
    with pytest.raises(ScenarioError, match="holds no stance") as info:
        view_from(sc, "d")
    assert info.value.problems[0].field == "actor"


def test_the_view_comes_from_a_model_that_declares_perceptions():
    """view_from asks the model's spec for its perceptions: eum-pair's view is eum's with
    the per-pair normaliser; a model without perceptions is refused, naming those with."""
    pair = view_from("caucasus-2022", "azerbaijan", model="eum-pair")
    same = view_from("caucasus-2022", "azerbaijan", probability="pair")
    assert pair.issues == same.issues
    assert dict(pair.parameters) == {**dict(same.parameters), "model": "eum-pair"}
    assert view_from("caucasus-2022", "azerbaijan").issues != pair.issues
    with pytest.raises(
        ValueError, match="has no view from an actor; models with one: eum, eum-pair"
    ):
        view_from("caucasus-2022", "azerbaijan", model="compromise")


def test_front_ends_find_models_by_what_they_offer():
    from realpolitik.models import offering

    assert offering(["compromise", "median", "eum"], "trajectory") == "eum"
    assert offering(["median", "compromise"], "gradient") == "compromise"
    assert offering(["compromise", "eum-pair", "eum"], "perceptions") == "eum-pair"
    assert offering(["compromise", "median"], "perceptions") is None
