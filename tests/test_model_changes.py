"""Dated shocks (``ModelInput.changes``) in every model: the semantics of base.Change.

A change at round k: the state of round k and of every later round reflects it; capability
and salience given are the values in force from round k; positions given move the actors
named at round k; the offers of round k + 1 are made from round k's state. Static models
see every change applied (``ModelInput.final``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models import REGISTRY, compromise, eum, get, median
from realpolitik.models.base import Change, ModelInput
from realpolitik.models.median import median_last

MODELS = sorted(REGISTRY)
DYNAMIC = [name for name in MODELS if get(name).dynamic]
STATIC = [name for name in MODELS if not get(name).dynamic]
ROUNDS = 8


def random_input(seed: int, n: int, m: int, grid: bool, per_column: bool) -> ModelInput:
    """Positions on a 0-100 scale (on a grid of 25s, or continuous), saliences 0-1 with
    exact zeros, capabilities per actor or per actor and column."""
    rng = np.random.default_rng(seed)
    if grid:
        x = 25.0 * rng.integers(0, 5, size=(n, m))
    else:
        x = rng.uniform(0, 100, size=(n, m))
    s = np.where(rng.uniform(size=(n, m)) < 0.2, 0.0, rng.uniform(0, 1, size=(n, m)))
    c = rng.uniform(0.05, 1, size=(n, m) if per_column else n)
    return ModelInput(c, x, s, np.zeros(m), np.full(m, 100.0), np.full(m, np.nan))


def with_changes(inp: ModelInput, *changes: Change) -> ModelInput:
    return dataclasses.replace(inp, changes=changes)


def run(name: str, inp: ModelInput, rounds: int = ROUNDS):
    spec = get(name)
    return spec.run(inp, rounds=rounds) if spec.dynamic else spec.run(inp)


def assert_same_trajectory(a, b):
    assert a.positions.tobytes() == b.positions.tobytes()
    assert a.forecast.tobytes() == b.forecast.tobytes()
    assert list(a.per_round) == list(b.per_round) and list(a.details) == list(b.details)
    for key in a.per_round:
        assert a.per_round[key].tobytes() == b.per_round[key].tobytes(), key
    for key in a.details:
        assert a.details[key].tobytes() == b.details[key].tobytes(), key


inputs = st.builds(
    random_input,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 9),
    m=st.integers(1, 4),
    grid=st.booleans(),
    per_column=st.booleans(),
)


# ------------------------------------------------------------- the dynamic models


@pytest.mark.parametrize("name", DYNAMIC)
@settings(max_examples=40, deadline=None)
@given(inp=inputs, k=st.integers(1, ROUNDS), kind=st.sampled_from(["capability", "salience"]))
def test_a_weight_change_at_round_k_leaves_the_positions_up_to_k_alone(name, inp, k, kind):
    """Capability and salience act first on the moves into round k + 1: the positions of
    rounds 0..k are those of the run without the change, and the summaries of rounds < k."""
    rng = np.random.default_rng(k)
    n, m = inp.position.shape
    if kind == "capability":
        change = Change(k, capability=rng.uniform(0.05, 1, size=(n, m)))
    else:
        change = Change(k, salience=rng.uniform(0, 1, size=(n, m)))
    base, shocked = run(name, inp), run(name, with_changes(inp, change))
    np.testing.assert_array_equal(shocked.positions[: k + 1], base.positions[: k + 1])
    for key in base.per_round:
        np.testing.assert_array_equal(shocked.per_round[key][:k], base.per_round[key][:k])
    for key, arr in base.details.items():
        if arr.ndim >= 2 and arr.shape[0] == ROUNDS:  # per round 1..T, index t - 1
            np.testing.assert_array_equal(shocked.details[key][: k - 1], arr[: k - 1])


@pytest.mark.parametrize("name", DYNAMIC)
@settings(max_examples=40, deadline=None)
@given(inp=inputs, k=st.integers(1, ROUNDS), seed=st.integers(0, 2**32 - 1))
def test_a_position_change_shows_in_round_k_and_leaves_earlier_rounds_alone(name, inp, k, seed):
    rng = np.random.default_rng(seed)
    n, m = inp.position.shape
    moved = np.where(rng.uniform(size=(n, m)) < 0.4, 25.0 * rng.integers(0, 5, (n, m)), np.nan)
    base, shocked = run(name, inp), run(name, with_changes(inp, Change(k, position=moved)))
    np.testing.assert_array_equal(shocked.positions[:k], base.positions[:k])
    want = np.where(np.isnan(moved), base.positions[k], moved)
    np.testing.assert_array_equal(shocked.positions[k], want)
    for key in base.per_round:
        np.testing.assert_array_equal(shocked.per_round[key][:k], base.per_round[key][:k])


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=30, deadline=None)
@given(inp=inputs)
def test_a_change_at_round_1_to_the_values_in_force_changes_nothing(name, inp):
    same = Change(1, capability=inp.capability, salience=inp.salience)
    assert_same_trajectory(run(name, with_changes(inp, same)), run(name, inp))


def test_a_change_at_round_0_is_not_allowed():
    with pytest.raises(ValueError, match="round of 1 or more"):
        Change(0, capability=np.ones(3))


@pytest.mark.parametrize("name", DYNAMIC)
@settings(max_examples=30, deadline=None)
@given(inp=inputs, after=st.integers(1, 5))
def test_a_change_after_the_last_round_has_no_effect(name, inp, after):
    n, m = inp.position.shape
    late = Change(
        ROUNDS + after,
        capability=np.full(n, 7.0),
        salience=np.ones((n, m)),
        position=np.zeros((n, m)),
    )
    assert_same_trajectory(run(name, with_changes(inp, late)), run(name, inp))


@settings(max_examples=30, deadline=None)
@given(inp=inputs, k=st.integers(1, ROUNDS))
def test_eum_summaries_use_the_weights_in_force_in_each_round(inp, k):
    n, m = inp.position.shape
    cap = np.random.default_rng(k).uniform(0.05, 1, size=(n, m))
    traj = eum.run(with_changes(inp, Change(k, capability=cap)), rounds=ROUNDS)
    before, after = inp.weights.T, (cap * inp.salience).T
    span = np.ptp(inp.position, axis=0)
    span = np.where(span > 0, span, 100.0)
    for t in range(ROUNDS + 1):
        w = after if t >= k else before
        got = traj.per_round["median"][t]
        np.testing.assert_array_equal(got, median_last(w, traj.positions[t].T, span))


def test_eum_a_position_moved_beyond_the_range_stays_finite():
    inp = ModelInput.single_issue([1.0, 2, 1, 1], [40.0, 50, 60, 55], [0.5, 1, 0.8, 0.6], 0, 100)
    far = Change(2, position=np.array([[0.0], [np.nan], [100.0], [np.nan]]))  # R = 20
    traj = eum.run(with_changes(inp, far), rounds=10)
    assert traj.positions[2, 0, 0] == 0.0 and traj.positions[2, 2, 0] == 100.0
    assert np.all(np.isfinite(traj.positions)) and np.all(np.isfinite(traj.forecast))
    assert np.all(np.isfinite(traj.details["risk_exponent"]))


def test_eum_cutting_the_top_actors_capability_moves_the_forecast_away_from_it():
    """A heavyweight at 100 against five actors between 0 and 40 holds the outcome at 100;
    cut its capability to 1% at round 1 and the outcome goes to the others' median."""
    c = np.array([10.0, 1, 1, 1, 1, 1])
    x = np.array([100.0, 0, 10, 20, 30, 40])
    s = np.array([0.9, 0.8, 0.7, 0.9, 0.6, 0.8])
    inp = ModelInput.single_issue(c, x, s, 0, 100)
    base = eum.run(inp, rounds=20)
    cut = Change(1, capability=c * np.array([0.01, 1, 1, 1, 1, 1]))
    shocked = eum.run(with_changes(inp, cut), rounds=20)
    assert base.forecast[0] == 100.0
    assert shocked.forecast[0] <= 40.0  # among the others, far from the heavyweight
    assert shocked.forecast[0] < base.forecast[0] - 50.0
    # Round 1 is moved by the old capabilities; its median already weighs the new ones.
    np.testing.assert_array_equal(shocked.positions[:2], base.positions[:2])
    assert shocked.per_round["median"][1, 0] < base.per_round["median"][1, 0]


# --------------------------------------------------------------- the static models


@pytest.mark.parametrize("name", STATIC)
@settings(max_examples=40, deadline=None)
@given(inp=inputs, seed=st.integers(0, 2**32 - 1), k=st.integers(1, 30))
def test_static_models_see_every_change_applied(name, inp, seed, k):
    rng = np.random.default_rng(seed)
    n, m = inp.position.shape
    changes = (
        Change(k, capability=rng.uniform(0.05, 1, size=n)),
        Change(k + 3, salience=rng.uniform(0, 1, size=(n, m))),
        Change(k, position=np.where(rng.uniform(size=(n, m)) < 0.5, 50.0, np.nan)),
    )
    shocked = with_changes(inp, *changes)
    assert_same_trajectory(run(name, shocked), run(name, shocked.final()))
    np.testing.assert_array_equal(run(name, shocked).positions[0], shocked.final().position)


def test_static_models_forecast_the_final_values():
    inp = ModelInput.single_issue([1.0, 1, 1], [0.0, 50, 100], [1.0, 1, 1], 0, 100)
    heavy_right = with_changes(inp, Change(5, capability=np.array([1.0, 1, 10])))
    assert median.run(inp).forecast[0] == 50.0
    assert median.run(heavy_right).forecast[0] == 100.0
    assert compromise.run(heavy_right).forecast[0] == pytest.approx(1050 / 12)
