"""The median model: the Condorcet winner of the pairwise votes, against its definition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models.base import ModelInput
from realpolitik.models.median import SPEC, TIE_RTOL, condorcet_median, run, weighted_l1

EC_C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
EC_X = np.array([4.0, 7, 4, 4, 10, 10, 10, 7, 4, 7])
EC_S = np.array([80.0, 40, 20, 80, 60, 60, 90, 10, 100, 70]) / 100


def brute_force_median(c: np.ndarray, x: np.ndarray, s: np.ndarray) -> float:
    """One issue, from the definition: v(j, k) = sum_i c_i s_i (|x_i - x_k| - |x_i - x_j|).

    The winner has the largest minimum margin over the other positions; ties go to the
    position nearest the weighted mean, then to the lower one (the documented rule).
    """
    w = c * s
    cands = np.unique(x)
    if len(cands) == 1:
        return float(cands[0])
    v = (
        w[:, None, None]
        * (
            np.abs(x[:, None, None] - cands[None, None, :])
            - np.abs(x[:, None, None] - cands[None, :, None])
        )
    ).sum(axis=0)
    np.fill_diagonal(v, np.inf)
    worst = v.min(axis=1)  # worst[j] = min_k v(j, k)
    scale = w.sum() * (cands[-1] - cands[0])
    # tied: the positions no other beats by more than the tolerance (f within it of the
    # smallest f, as the module states the rule: f(x_k) - f(x_j) is the vote v(j, k))
    tied = cands[worst >= -TIE_RTOL * scale]
    mean = np.sum(w * x) / w.sum() if w.sum() > 0 else x.mean()
    dist = np.abs(tied - mean)
    return float(tied[dist <= dist.min() + TIE_RTOL * (cands[-1] - cands[0])].min())


def test_ec_example_median_is_seven():
    mu, margin = condorcet_median(EC_C, EC_X[:, None], EC_S[:, None], return_margin=True)
    assert mu.tolist() == [7.0]
    assert margin[0] > 0
    assert brute_force_median(EC_C, EC_X, EC_S) == 7.0


def test_weighted_l1_matches_direct_sums():
    rng = np.random.default_rng(3)
    w, x = rng.uniform(0, 1, 9), rng.normal(100, 5, 9)
    xs, f = weighted_l1(w, x)
    direct = np.abs(x[None, :] - xs[:, None]) @ w
    np.testing.assert_allclose(f, direct, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(xs, np.sort(x))


def test_ties_go_to_the_position_nearest_the_mean_then_the_lower():
    one = np.ones(4)
    # f(3) = f(4) = 10: a tie; the weighted mean 4.5 is nearer 4.
    assert condorcet_median(one, np.array([[1.0], [3], [4], [10]]), one[:, None])[0] == 4.0
    # Two equal actors: both tie and are equally near the mean 2: the lower wins.
    assert condorcet_median(np.ones(2), np.array([[1.0], [3]]), np.ones((2, 1)))[0] == 1.0


def test_zero_weights_fall_back_to_the_position_nearest_the_plain_mean():
    x = np.array([[1.0], [2], [6]])
    assert condorcet_median(np.zeros(3), x, np.ones((3, 1)))[0] == 2.0
    assert condorcet_median(np.ones(3), x, np.zeros((3, 1)))[0] == 2.0


def test_one_actor_and_identical_positions():
    assert condorcet_median(np.array([2.0]), np.array([[5.0]]), np.array([[0.3]]))[0] == 5.0
    mu, margin = condorcet_median(
        np.ones(3), np.full((3, 1), 2.5), np.ones((3, 1)), return_margin=True
    )
    assert mu[0] == 2.5 and margin[0] == 0.0


def test_no_actors_is_an_error():
    with pytest.raises(ValueError):
        condorcet_median(np.zeros(0), np.zeros((0, 1)), np.zeros((0, 1)))


def test_equals_the_weighted_median_when_no_tie():
    rng = np.random.default_rng(11)
    for _ in range(50):
        n = int(rng.integers(1, 15))
        c, x, s = rng.uniform(0.1, 1, n), rng.uniform(0, 10, n), rng.uniform(0.1, 1, n)
        w = c * s
        order = np.argsort(x)
        cum = np.cumsum(w[order])
        first = x[order][np.searchsorted(cum, 0.5 * cum[-1])]
        assert condorcet_median(c, x[:, None], s[:, None])[0] == first


def test_batched_over_leading_axes_and_issues():
    rng = np.random.default_rng(5)
    c = rng.uniform(0, 1, (4, 7))
    x = np.round(rng.uniform(0, 10, (4, 7, 3)), 1)
    s = rng.uniform(0, 1, (4, 7, 3))
    got = condorcet_median(c, x, s)
    assert got.shape == (4, 3)
    for b in range(4):
        for k in range(3):
            assert got[b, k] == brute_force_median(c[b], x[b, :, k], s[b, :, k])


positions = st.lists(
    st.one_of(st.integers(0, 6).map(float), st.floats(-50, 50, allow_nan=False)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=st.data(), xs=positions)
def test_median_equals_the_brute_force_condorcet_definition(data, xs):
    n = len(xs)
    weight = st.one_of(st.just(0.0), st.integers(1, 4).map(float), st.floats(0.01, 10))
    c = np.array(data.draw(st.lists(weight, min_size=n, max_size=n)))
    s = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    x = np.array(xs)
    assert condorcet_median(c, x[:, None], s[:, None])[0] == brute_force_median(c, x, s)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 12),
    m=st.integers(1, 3),
    factor=st.sampled_from([0.125, 3.0, 1000.0]),
)
def test_permutation_and_capability_scale_invariance(seed, n, m, factor):
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.01, 1, n)
    x = np.round(rng.uniform(0, 10, (n, m)), 1)
    s = rng.uniform(0, 1, (n, m))
    base = condorcet_median(c, x, s)
    perm = rng.permutation(n)
    np.testing.assert_array_equal(condorcet_median(c[perm], x[perm], s[perm]), base)
    np.testing.assert_array_equal(condorcet_median(c * factor, x, s), base)


def test_run_returns_a_static_trajectory():
    inp = ModelInput.single_issue(EC_C, EC_X, EC_S)
    traj = run(inp)
    assert traj.rounds == 0
    assert traj.forecast.tolist() == [7.0]
    assert traj.per_round["median"].shape == (1, 1)
    np.testing.assert_array_equal(traj.positions[0], inp.position)
    assert traj.details["margin"][0] > 0
    with pytest.raises(TypeError):
        run(inp, q=1.0)
    assert SPEC.name == "median" and not SPEC.dynamic and SPEC.run is run


def test_ties_can_be_judged_against_a_given_span():
    """A dynamic model whose actors converge passes its issue's range: two positions 3e-6
    apart, equally near the weighted mean, are a tie against a range of 100 (the lower
    wins), while against their own spread of 3e-6 rounding would decide."""
    x = np.array([[75.0], [75.0 - 3.3e-6], [75.0 - 3.3e-6], [75.0]])
    c = np.array([0.0, 2.0, 1.0, 3.0])
    s = np.array([[0.75], [0.25], [0.25], [0.25]])
    got = condorcet_median(c, x, s, span=np.array([100.0]))
    assert got[0] == 75.0 - 3.3e-6
    perm = np.array([3, 1, 0, 2])
    assert condorcet_median(c[perm], x[perm], s[perm], span=100.0)[0] == got[0]


@settings(max_examples=50, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), shape=st.sampled_from([(5,), (3, 4), (2, 3, 6)]))
def test_the_flat_gather_equals_take_along_axis(seed, shape):
    from realpolitik.models.median import _along

    rng = np.random.default_rng(seed)
    values = rng.normal(size=shape)
    order = np.argsort(rng.normal(size=shape), axis=-1)
    np.testing.assert_array_equal(_along(values, order), np.take_along_axis(values, order, -1))
    first = order[..., :1]
    np.testing.assert_array_equal(_along(values, first), np.take_along_axis(values, first, -1))


def test_a_capability_per_column_weighs_each_column_with_its_own():
    rng = np.random.default_rng(4)
    c = rng.uniform(0.1, 1, (7, 3))
    x = rng.integers(0, 5, (7, 3)) * 25.0
    s = rng.uniform(0, 1, (7, 3))
    zero = np.zeros(3)
    batch = run(ModelInput(c, x, s, zero, zero + 100, zero + np.nan))
    for j in range(3):
        alone = run(ModelInput.single_issue(c[:, j], x[:, j], s[:, j], 0, 100))
        assert batch.forecast[j] == alone.forecast[0]
        assert batch.details["margin"][j] == alone.details["margin"][0]
