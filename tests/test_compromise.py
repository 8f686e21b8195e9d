"""The compromise model is the capability x salience weighted mean (Achen 2006)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from realpolitik.models import ModelInput, compromise


@settings(max_examples=100, deadline=None)
@given(
    data=st.integers(1, 20).flatmap(
        lambda n: st.tuples(
            hnp.arrays(float, n, elements=st.floats(0.001, 1e3)),
            hnp.arrays(float, n, elements=st.floats(0, 100)),
            hnp.arrays(float, n, elements=st.floats(0.001, 1)),
        )
    )
)
def test_equals_the_weighted_mean(data):
    c, x, s = data
    traj = compromise.run(ModelInput.single_issue(c, x, s, 0, 100))
    expected = sum(ci * si * xi for ci, si, xi in zip(c, s, x, strict=True)) / sum(
        ci * si for ci, si in zip(c, s, strict=True)
    )
    assert abs(traj.forecast[0] - expected) <= 1e-9 * max(1.0, abs(expected))
    assert traj.rounds == 0


def test_zero_weights_fall_back_to_the_plain_mean_and_say_so():
    traj = compromise.run(ModelInput.single_issue([1, 2], [10, 30], [0, 0], 0, 100))
    assert traj.forecast[0] == 20
    assert traj.details["zero_weight"][0] == 1.0


def test_ec_example_mean_is_the_published_starting_mean():
    # Scholz, Calbert & Smith (2011), Table 1 inputs; the weighted mean of the initial
    # positions, 5.003 / 0.677 = 7.39 years, computed here by hand.
    c = [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08]
    x = [4, 7, 4, 4, 10, 10, 10, 7, 4, 7]
    s = [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7]
    traj = compromise.run(ModelInput.single_issue(c, x, s))
    assert abs(traj.forecast[0] - 5.003 / 0.677) < 1e-3


def test_a_capability_per_column_weighs_each_column_with_its_own():
    import numpy as np

    rng = np.random.default_rng(4)
    c, x, s = rng.uniform(0.1, 1, (6, 3)), rng.uniform(0, 100, (6, 3)), rng.uniform(0, 1, (6, 3))
    zero = np.zeros(3)
    batch = compromise.run(ModelInput(c, x, s, zero, zero + 100, zero + np.nan))
    for j in range(3):
        alone = compromise.run(ModelInput.single_issue(c[:, j], x[:, j], s[:, j], 0, 100))
        assert batch.forecast[j] == alone.forecast[0]
