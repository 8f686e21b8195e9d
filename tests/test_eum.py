"""The expected-utility model: its pieces against their definitions, the vectorised model
against the plain-loop reference (tests/reference_eum.py), and its invariants."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import reference_eum as ref  # tests/reference_eum.py: the plain-loop reference
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models import eum
from realpolitik.models._ordered import ordered_sum
from realpolitik.models.base import Change, ModelInput
from realpolitik.models.eum import (
    DEFAULT_ROUNDS,
    SPEC,
    expected_utility,
    risk_exponents,
    run,
    utilities,
    vote_sums,
    win_probabilities,
)
from realpolitik.models.eum.votes import COUNT_MAX_N

EC_C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
EC_X = np.array([4.0, 7, 4, 4, 10, 10, 10, 7, 4, 7])
EC_S = np.array([80.0, 40, 20, 80, 60, 60, 90, 10, 100, 70]) / 100
OPTIONS = [
    {},
    {"vote_risk": True},
    {"probability": "pair"},
    {"q": 0.5, "t": 0.3},
    {"q": 0.0, "t": 1.0, "vote_risk": True},
]


def random_input(
    seed: int, n: int, m: int, grid: bool = False, integers: bool = False
) -> ModelInput:
    rng = np.random.default_rng(seed)
    if integers:  # a 0-100 scale in steps of 25, saliences in quarters with exact zeros
        return ModelInput(
            capability=rng.integers(0, 4, size=n) + (np.arange(n) == 0),
            position=25.0 * rng.integers(0, 5, size=(n, m)),
            salience=rng.integers(0, 5, size=(n, m)) / 4,
            scale_min=np.zeros(m),
            scale_max=np.full(m, 100.0),
            status_quo=np.full(m, np.nan),
        )
    lo = rng.uniform(-50, 50, size=m)
    hi = lo + rng.uniform(1, 100, size=m)
    u = rng.uniform(size=(n, m))
    if grid:  # few distinct positions: exact ties and shared positions
        u = np.round(u * 4) / 4
    return ModelInput(
        capability=rng.uniform(0.01, 1, size=n),
        position=lo + (hi - lo) * u,
        salience=rng.uniform(0.0, 1, size=(n, m)),
        scale_min=lo,
        scale_max=hi,
        status_quo=np.full(m, np.nan),
    )


# ------------------------------------------------------------------ the pieces


def explicit_votes(x, w, span, r=None):
    """N[a, b] = sum_k w_k max(0, u_k(x_b) - u_k(x_a)), by brute force, one issue."""
    u = np.abs(x[:, None] - x[None, :]) / span  # u[k, y]
    if r is not None:
        u = u ** r[:, None]
    v = w[:, None, None] * (u[:, None, :] - u[:, :, None])  # v[k, a, b]
    return np.maximum(v, 0).sum(axis=0), np.abs(v).sum()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 9), g=st.integers(1, 3), grid=st.booleans())
def test_sorted_vote_sums_equal_the_direct_formula(seed, n, g, grid):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-20, 80, (g, n))
    if grid:
        x = np.round(x / 20) * 20
    w = rng.uniform(0, 2, (g, n)) * (rng.uniform(size=(g, n)) > 0.2)
    span = np.ptp(x, axis=1) + 1.0
    fast = vote_sums(x, w, span, method="sorted")
    direct = vote_sums(x, w, span, method="direct", max_bytes=64)  # blocks of one row
    scale = w.sum() * 2 + 1e-300
    np.testing.assert_allclose(fast, direct, rtol=0, atol=1e-12 * scale)
    for k in range(g):
        want, _ = explicit_votes(x[k], w[k], span[k])
        np.testing.assert_allclose(direct[k], want, rtol=1e-12, atol=1e-14)


def test_probability_normalisers():
    rng = np.random.default_rng(2)
    x = np.round(rng.uniform(0, 10, (1, 7)))
    w = rng.uniform(0.1, 1, (1, 7))
    r = rng.uniform(0.5, 2, (1, 7))
    span = np.array([10.0])
    for risk in (None, r):
        votes = vote_sums(x, w, span, risk)
        want_n, total = explicit_votes(x[0], w[0], span[0], None if risk is None else r[0])
        p = win_probabilities(votes, "all_pairs")
        np.testing.assert_allclose(p[0], want_n / total, rtol=1e-12)
        pair = win_probabilities(votes, "pair")[0]
        differ = x[0][:, None] != x[0][None, :]
        np.testing.assert_allclose((pair + pair.T)[differ], 1.0, rtol=1e-12)
        assert np.all(pair[~differ] == 0)
    with pytest.raises(ValueError):
        win_probabilities(votes, "nope")
    with pytest.raises(ValueError):
        vote_sums(x, w, span, r, method="sorted")


def test_utilities_and_expected_utility_by_hand():
    # r = 1, Q = 1: E = s_j (P 2d - (1 - P) 2d) + (1 - s_j) 2d  (U_s = 2d, U_f = -2d, U_sq = 0)
    p, d, s = 0.3, 0.5, 0.4
    assert expected_utility(p, d, s, 0.0, 1.0, 1.0, 1.0) == pytest.approx(
        s * (p * 2 * d - (1 - p) * 2 * d) + (1 - s) * 2 * d
    )
    # r = 2 (Scholz's utilities): U_s = 2 - 4 (0.5 - 0.5 d)^2 etc.
    us, uf, usq = 2 - 4 * 0.25**2, 2 - 4 * 0.75**2, 2 - 4 * 0.25
    ub, uw = 2 - 4 * (0.5 - 0.25 * 0.7) ** 2, 2 - 4 * (0.5 + 0.25 * 0.7) ** 2
    q, t = 0.4, 0.7
    want = s * (p * us + (1 - p) * uf) + (1 - s) * us - q * usq - (1 - q) * (t * ub + (1 - t) * uw)
    assert expected_utility(p, d, s, 0.2, 2.0, q, t) == pytest.approx(want)


@pytest.mark.parametrize("r", [1.0, 0.5, 2.0, 1.3])
def test_beyond_the_range_success_is_worth_its_most(r):
    """d > 1 (a position shocked beyond the input's range, or R from a narrower scale):
    U_s = 2 - 4 max(0, 0.5 - 0.5 d) ** r stays at 2, U_f keeps falling; the same formula
    at every exponent, r = 1 included (the security levels use it)."""
    d = np.array([0.5, 1.0, 1.5, 3.0])
    us, uf, usq = utilities(d, r)
    np.testing.assert_allclose(us, 2 - 4 * np.maximum(0.5 - 0.5 * d, 0) ** r, rtol=0, atol=0)
    assert us[2] == us[3] == 2.0
    np.testing.assert_allclose(uf, 2 - 4 * (0.5 + 0.5 * d) ** r, rtol=1e-15)
    assert usq == pytest.approx(2 - 4 * 0.5**r)
    p, s = 0.3, 0.6
    want = s * (p * us + (1 - p) * uf) + (1 - s) * us
    np.testing.assert_allclose(expected_utility(p, d, s, 0.0, r, 1.0, 1.0), want - usq)


def test_risk_exponents():
    r = risk_exponents(np.array([[-1.0, 0.0, 3.0]]))
    assert r[0, 0] == pytest.approx(2.0) and r[0, 2] == pytest.approx(0.5)
    big_r = (2 * 0.0 - 3.0 - (-1.0)) / 4.0  # -0.5
    assert r[0, 1] == pytest.approx((1 - big_r / 3) / (1 + big_r / 3))
    np.testing.assert_array_equal(risk_exponents(np.array([[0.7, 0.7, 0.7]])), 1.0)


def test_risk_exponents_of_one_issue_are_its_bits_in_a_batch():
    rng = np.random.default_rng(3)
    batch = rng.normal(size=(7, 4)) * [1.0, 1e-3, 50.0, 0.0]  # the last: no spread
    batch[:, 3] = 0.25
    together = risk_exponents(batch, axis=0)
    for k in range(4):
        alone = risk_exponents(batch[:, k : k + 1].copy(), axis=0)
        np.testing.assert_array_equal(alone, together[:, k : k + 1])
    np.testing.assert_array_equal(together[:, 3], 1.0)


# ------------------------------------------------------- against the reference


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: str(o) or "default")
def test_equals_the_reference_on_the_ec_example(options):
    traj = run(ModelInput.single_issue(EC_C, EC_X, EC_S), rounds=8, **options)
    want = ref.reference_run(EC_C, EC_X, EC_S, rounds=8, **options)
    np.testing.assert_allclose(traj.positions[:, :, 0], want["positions"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(traj.per_round["median"][:, 0], want["median"], atol=1e-10)
    np.testing.assert_allclose(traj.per_round["mean"][:, 0], want["mean"], atol=1e-10)
    np.testing.assert_allclose(
        traj.details["risk_exponent"][:, :, 0], want["risk_exponent"], atol=1e-10
    )
    np.testing.assert_array_equal(traj.details["accepted"][:, :, 0], want["accepted"])
    np.testing.assert_array_equal(traj.details["proposer"][:, :, 0], want["proposer"])
    for k, counts in enumerate(want["counts"]):
        assert traj.details["offers_conflict"][k, 0] == counts["conflict"]
        assert traj.details["offers_compromise"][k, 0] == counts["compromise"]
        assert traj.details["offers_capitulation"][k, 0] == counts["capitulation"]
        assert traj.details["stalemates"][k, 0] == counts["stalemate"]


@pytest.mark.parametrize("seed", range(24))
def test_equals_the_reference_on_small_random_inputs(seed):
    options = OPTIONS[seed % len(OPTIONS)]
    inp = random_input(seed, n=2 + seed % 7, m=2, grid=seed % 3 == 0)
    traj = run(inp, rounds=5, **options)
    for k in range(inp.n_issues):
        want = ref.reference_run(
            inp.capability, inp.position[:, k], inp.salience[:, k], rounds=5, **options
        )
        np.testing.assert_allclose(traj.positions[:, :, k], want["positions"], atol=1e-9)
        np.testing.assert_allclose(traj.per_round["median"][:, k], want["median"], atol=1e-9)
        np.testing.assert_array_equal(traj.details["accepted"][:, :, k], want["accepted"])


# ------------------------------------------------------------------ invariants


inputs = st.builds(
    random_input,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 10),
    m=st.integers(1, 3),
    grid=st.booleans(),
    integers=st.booleans(),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(inp=inputs, options=st.sampled_from(OPTIONS))
def test_positions_stay_between_the_actors_and_on_the_scale(inp, options):
    traj = run(inp, rounds=6, **options)
    lo, hi = inp.position.min(axis=0), inp.position.max(axis=0)
    assert np.all(traj.positions >= lo) and np.all(traj.positions <= hi)
    assert np.all(traj.positions >= inp.scale_min) and np.all(traj.positions <= inp.scale_max)
    determinate = traj.details["determinate"] == 1
    assert np.array_equal(np.isfinite(traj.forecast), determinate)
    f = traj.forecast[determinate]
    assert np.all((f >= lo[determinate]) & (f <= hi[determinate]))
    assert np.all(np.isfinite(traj.positions))
    r = traj.details["risk_exponent"]
    assert np.all((r >= 0.5 - 1e-12) & (r <= 2 + 1e-12))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(inp=inputs, perm_seed=st.integers(0, 2**32 - 1), options=st.sampled_from(OPTIONS))
def test_permuting_actors_permutes_positions_and_keeps_forecasts(inp, perm_seed, options):
    perm = np.random.default_rng(perm_seed).permutation(inp.n_actors)
    shuffled = inp.reorder(perm)
    a, b = run(inp, rounds=5, **options), run(shuffled, rounds=5, **options)
    np.testing.assert_allclose(b.positions, a.positions[:, perm, :], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.forecast, a.forecast, rtol=0, atol=1e-9)
    for name in ("median", "mean"):
        np.testing.assert_allclose(b.per_round[name], a.per_round[name], atol=1e-9)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(inp=inputs, factor=st.sampled_from([0.125, 8.0, 3.0, 1000.0]))
def test_only_capability_ratios_matter(inp, factor):
    scaled = ModelInput(
        inp.capability * factor,
        inp.position,
        inp.salience,
        inp.scale_min,
        inp.scale_max,
        inp.status_quo,
    )
    a, b = run(inp, rounds=5), run(scaled, rounds=5)
    np.testing.assert_allclose(b.positions, a.positions, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.forecast, a.forecast, rtol=0, atol=1e-9)


def test_issues_are_independent_and_grouping_does_not_matter():
    inp = random_input(4, n=9, m=3, grid=True)
    together = run(inp, rounds=6)
    tiny = run(inp, rounds=6, max_bytes=1, method="direct")  # one issue, one row at a time
    np.testing.assert_allclose(tiny.positions, together.positions, atol=1e-10)
    for k in range(3):
        alone = run(
            ModelInput(
                inp.capability,
                inp.position[:, [k]],
                inp.salience[:, [k]],
                inp.scale_min[[k]],
                inp.scale_max[[k]],
                inp.status_quo[[k]],
            ),
            rounds=6,
        )
        np.testing.assert_array_equal(alone.positions[:, :, 0], together.positions[:, :, k])


# ---------------------------------------------------------------- edge cases


def test_zero_rounds_returns_the_input_and_its_median():
    inp = ModelInput.single_issue(EC_C, EC_X, EC_S)
    traj = run(inp, rounds=0)
    assert traj.positions.shape == (1, 10, 1)
    assert traj.forecast.tolist() == [7.0]
    assert traj.per_round["mean"][0, 0] == pytest.approx(7.38995, abs=1e-4)
    assert traj.details["risk_exponent"].shape == (0, 10, 1)


@pytest.mark.parametrize(
    "c, x, s",
    [
        ([1.0], [3.0], [0.5]),  # a single actor
        ([1.0, 2.0, 3.0], [5.0, 5.0, 5.0], [0.2, 0.5, 1.0]),  # all at one point: R = 0
        ([1.0, 2.0, 3.0], [1.0, 5.0, 9.0], [0.0, 0.0, 0.0]),  # no one cares
        ([0.0, 0.0, 0.0], [1.0, 5.0, 9.0], [0.5, 0.5, 0.5]),  # no capability
        ([1.0, 1.0, 1.0], [1.0, 5.0, 9.0], [0.0, 1.0, 0.5]),  # one zero salience
    ],
)
def test_degenerate_inputs_stay_finite(c, x, s):
    for options in OPTIONS:
        traj = run(ModelInput.single_issue(c, x, s), rounds=4, **options)
        assert np.all(np.isfinite(traj.positions))
        # a point, or undetermined (nan) with its band: never inf, never a stray nan
        assert np.isfinite(traj.forecast[0]) == (traj.details["determinate"][0] == 1)
        low, high = traj.details["forecast_low"][0], traj.details["forecast_high"][0]
        assert min(x) <= low <= high <= max(x)
        if np.isfinite(traj.forecast[0]):
            assert low <= traj.forecast[0] <= high
    if len(set(x)) == 1:
        assert np.all(traj.positions == x[0])


def test_details_shapes_and_consistency():
    inp = random_input(9, n=8, m=2, grid=True)
    traj = run(inp, rounds=4)
    d = traj.details
    for name in ("risk_exponent", "security", "accepted", "proposer"):
        assert d[name].shape == (4, 8, 2)
    for name in (
        "offers_conflict",
        "offers_compromise",
        "offers_capitulation",
        "stalemates",
        "moves_conflict",
        "moves_compromise",
        "moves_capitulation",
    ):
        assert d[name].shape == (4, 2) and d[name].dtype == float
    moved = (traj.positions[1:] != traj.positions[:-1]).sum(axis=1)
    accepted = (d["accepted"] > 0).sum(axis=1)
    assert np.all(moved <= accepted)
    np.testing.assert_array_equal(
        accepted, d["moves_conflict"] + d["moves_compromise"] + d["moves_capitulation"]
    )
    assert np.all((d["proposer"] >= 0) == (d["accepted"] > 0))


def test_range_basis_and_q_change_the_run():
    inp = ModelInput.single_issue(EC_C, EC_X, EC_S, scale_min=0, scale_max=20)
    default = run(inp, rounds=3)
    np.testing.assert_array_equal(
        default.positions, run(ModelInput.single_issue(EC_C, EC_X, EC_S), rounds=3).positions
    )
    assert not np.array_equal(run(inp, rounds=3, range_basis="scale").positions, default.positions)
    assert not np.array_equal(
        run(inp, rounds=3, q=0.5, t=1.0).positions, run(inp, rounds=3, q=0.5, t=0.0).positions
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rounds": -1},
        {"rounds": 1.5},
        {"q": 1.5},
        {"t": -0.1},
        {"probability": "pairs"},
        {"range_basis": "range"},
        {"method": "fast"},
        {"method": "sorted", "vote_risk": True},
        {"max_bytes": 0},
    ],
)
def test_bad_parameters_are_rejected(kwargs):
    with pytest.raises(ValueError):
        run(ModelInput.single_issue(EC_C, EC_X, EC_S), **kwargs)


def test_unknown_parameter_is_a_type_error():
    with pytest.raises(TypeError):
        run(ModelInput.single_issue(EC_C, EC_X, EC_S), rounds=1, nonsense=1)


def test_spec():
    assert SPEC.name == "eum" and SPEC.dynamic and SPEC.default_rounds == 40 == DEFAULT_ROUNDS
    assert SPEC.defaults["q"] == 1.0 and SPEC.run is run
    assert "Complexity" in (eum.__doc__ or "")
    run(ModelInput.single_issue(EC_C, EC_X, EC_S), rounds=1, **SPEC.defaults)


def test_a_thousand_actors_within_memory():
    rng = np.random.default_rng(0)
    n = 1000
    inp = ModelInput.single_issue(
        rng.uniform(0.01, 1, n), rng.uniform(0, 100, n), rng.uniform(0, 1, n), 0, 100
    )
    tracemalloc.start()
    try:
        traj = run(inp, rounds=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**30
    assert np.all(np.isfinite(traj.positions))


def test_direct_blocks_respect_the_memory_budget():
    rng = np.random.default_rng(1)
    n = 120
    x, w = rng.uniform(0, 1, (1, n)), rng.uniform(0, 1, (1, n))
    span = np.array([1.0])
    budget = 8 * n * n * 4  # four rows of (n, n) per block
    tracemalloc.start()
    try:
        direct = vote_sums(x, w, span, method="direct", max_bytes=budget)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < budget + 8 * 8 * n * n  # the block plus a few (n, n) arrays
    np.testing.assert_allclose(direct, vote_sums(x, w, span), atol=1e-12)


# ------------------------------------------------------- order of the actors


def test_zero_saliences_and_ties_do_not_make_the_order_of_the_actors_matter():
    """The review's reproduction: exact ties on an integer grid and a zero salience made
    the forecast 50 or 25 depending on the order of the actors (a compromise approaching
    50 geometrically, compared with exact float comparisons)."""
    c = np.array([2.0, 1, 1, 1, 1, 1])
    x = np.array([75.0, 25, 75, 25, 50, 75])
    s = np.array([0.25, 1, 1, 1, 0.75, 0])
    perm = np.array([0, 3, 4, 2, 5, 1])
    for rounds in (10, DEFAULT_ROUNDS):
        a = run(ModelInput.single_issue(c, x, s, 0, 100), rounds=rounds)
        b = run(ModelInput.single_issue(c[perm], x[perm], s[perm], 0, 100), rounds=rounds)
        np.testing.assert_allclose(b.positions, a.positions[:, perm, :], rtol=0, atol=1e-9)
        np.testing.assert_allclose(b.forecast, a.forecast, rtol=0, atol=1e-9)
        for key in ("settled", "cycle_period", "forecast_low", "forecast_high"):
            np.testing.assert_allclose(b.details[key], a.details[key], rtol=0, atol=1e-9)
    # The compromise now lands on 50 instead of stopping a rounding error short of it.
    assert 50.0 in a.positions[:, 0, 0]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 9),
    perm_seed=st.integers(0, 2**32 - 1),
    options=st.sampled_from(OPTIONS),
)
def test_permutations_on_integer_grids_with_zero_saliences(seed, n, perm_seed, options):
    inp = random_input(seed, n, 1, integers=True)
    perm = np.random.default_rng(perm_seed).permutation(n)
    shuffled = inp.reorder(perm)
    a, b = run(inp, rounds=12, **options), run(shuffled, rounds=12, **options)
    np.testing.assert_allclose(b.positions, a.positions[:, perm, :], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.forecast, a.forecast, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(b.details["cycle_period"], a.details["cycle_period"])


# ---------------------------------------------------------- the forecast rule


def _positions(*rounds):
    """(T+1, n, 1) positions from rows of actor positions."""
    return np.array(rounds, dtype=float)[:, :, None]


def test_settle_converged_cycle_and_unsettled():
    span = np.array([10.0])  # the scale defaults to R: a band of 5% is 0.5
    # converged: the last two rounds equal (within 1e-3 R)
    pos = _positions([0, 10], [4, 10], [5, 9], [5, 9.005])
    med = np.array([[0.0], [4], [5], [5.0]])
    out = eum.settle(pos, med, span)
    assert out["settled"].tolist() == [1.0] and out["cycle_period"].tolist() == [0.0]
    assert out["forecast"].tolist() == [5.0] and out["determinate"].tolist() == [1.0]
    assert out["forecast_low"].tolist() == out["forecast_high"].tolist() == [5.0]
    # a 2-cycle between distant medians: undetermined, whatever the parity of T
    pos = _positions([0, 10], [2, 8], [0, 10], [2, 8], [0, 10])
    med = np.array([[1.0], [2], [8], [2], [8]])
    out = eum.settle(pos, med, span)
    assert out["settled"].tolist() == [0.0] and out["cycle_period"].tolist() == [2.0]
    assert np.isnan(out["forecast"][0]) and out["determinate"].tolist() == [0.0]
    assert (out["forecast_low"][0], out["forecast_high"][0]) == (2.0, 8.0)
    out4 = eum.settle(pos[:-1], med[:-1], span)
    assert out4["cycle_period"].tolist() == [2.0] and np.isnan(out4["forecast"][0])
    # ... and a point once the issue's scale makes the band narrow: the cycle's mean
    wide = eum.settle(pos, med, span, scale=np.array([200.0]))
    assert wide["determinate"].tolist() == [1.0] and wide["forecast"].tolist() == [5.0]
    # a narrow 2-cycle is a point: the mean median over the cycle
    med_narrow = np.array([[1.0], [5.0], [5.25], [5.0], [5.25]])
    out = eum.settle(pos, med_narrow, span)
    assert out["determinate"].tolist() == [1.0] and out["forecast"].tolist() == [5.125]
    # a 3-cycle (the smallest period is reported, not 6)
    cycle = [[0, 10], [3, 9], [6, 1]]
    pos = _positions([5, 5], *(cycle * 3))
    med = np.array([[5.0]] + [[0.0], [3.0], [6.0]] * 3)
    out = eum.settle(pos, med, span)
    assert out["cycle_period"].tolist() == [3.0] and np.isnan(out["forecast"][0])
    assert (out["forecast_low"][0], out["forecast_high"][0]) == (0.0, 6.0)
    # moving: the band over the last T//2 + 1 rounds; a point only if it is narrow
    pos = _positions([0, 10], [1, 9], [2, 8], [3, 7], [4, 6])
    med = np.array([[0.0], [1], [2], [3], [4]])
    out = eum.settle(pos, med, span)
    assert out["settled"].tolist() == [0.0] and out["cycle_period"].tolist() == [0.0]
    assert np.isnan(out["forecast"][0])
    assert (out["forecast_low"][0], out["forecast_high"][0]) == (2.0, 4.0)
    med_slow = np.array([[0.0], [4.0], [4.1], [4.2], [4.3]])
    out = eum.settle(pos, med_slow, span)
    assert out["determinate"].tolist() == [1.0] and out["forecast"].tolist() == [4.3]
    # a period needs two full repetitions in the rounds run; round 0 alone settles nothing
    out = eum.settle(_positions([1, 2]), np.array([[1.0]]), span)
    assert out["settled"].tolist() == [0.0] and out["forecast"].tolist() == [1.0]


@pytest.mark.parametrize(
    "c, x, s, period, low, high",
    [
        ([3.0, 3, 1], [50.0, 100, 100], [0.75, 0.75, 0.25], 2, 50.0, 100.0),
        ([1.0, 1, 2], [0.0, 50, 50], [1.0, 0.75, 0.5], 3, 0.0, 50.0),
    ],
)
def test_a_run_cycling_between_distant_states_is_undetermined(c, x, s, period, low, high):
    inp = ModelInput.single_issue(c, x, s, 0, 100)
    for rounds in (20, 21, 22):  # the parity of the rounds decides nothing
        traj = run(inp, rounds=rounds)
        med = traj.per_round["median"][:, 0]
        assert traj.details["cycle_period"].tolist() == [period]
        assert traj.details["settled"].tolist() == [0.0]
        assert traj.details["determinate"].tolist() == [0.0]
        assert np.isnan(traj.forecast[0])
        assert sorted(set(med[-period:].tolist())) == sorted({low, high} | set(med[-period:]))
        assert traj.details["forecast_low"][0] == pytest.approx(low, abs=1e-9)
        assert traj.details["forecast_high"][0] == pytest.approx(high, abs=1e-9)
        assert traj.details["forecast_low"][0] == med[-period:].min()
        assert traj.details["forecast_high"][0] == med[-period:].max()


def test_a_converging_run_forecasts_its_last_median():
    traj = run(ModelInput.single_issue([3.0, 1, 2], [100.0, 25, 25], [0.5, 0.75, 0.5], 0, 100))
    assert traj.details["settled"].tolist() == [1.0]
    assert traj.details["cycle_period"].tolist() == [0.0]
    assert traj.forecast.tolist() == [25.0] == traj.per_round["median"][-1].tolist()
    assert traj.details["forecast_low"].tolist() == traj.details["forecast_high"].tolist()


def test_forecast_details_have_one_value_per_issue():
    inp = random_input(3, n=7, m=3, grid=True)
    traj = run(inp, rounds=6)
    for key in ("settled", "cycle_period", "forecast_low", "forecast_high", "determinate"):
        assert traj.details[key].shape == (3,)
    f = traj.forecast
    ok = np.isfinite(f)
    assert np.all(traj.details["forecast_low"][ok] <= f[ok] + 1e-12)
    assert np.all(f[ok] <= traj.details["forecast_high"][ok] + 1e-12)
    assert traj.positions.shape == (7, 7, 3)


def test_the_builtin_scenarios_settle_or_cycle_at_the_default_rounds():
    """The default number of rounds is chosen so that every issue of caucasus-2022 has
    converged or been detected as a cycle (docs/explanation/eum.md); the forecasting layer
    records one number per issue for each of these details. Where the cycle's states lie
    far apart the forecast is undetermined: no number, the band instead."""
    import realpolitik

    run_ = realpolitik.forecast("caucasus-2022", model="eum").run("eum")
    assert run_.positions.shape[0] == DEFAULT_ROUNDS + 1
    undetermined = []
    for j, issue in enumerate(realpolitik.load("caucasus-2022").issue_ids):
        settled = run_.details["settled"][j]
        period = run_.details["cycle_period"][j]
        assert isinstance(settled, float) and isinstance(period, float)
        assert settled == 1.0 or period >= 2, issue
        low = run_.details["forecast_low"][j]
        high = run_.details["forecast_high"][j]
        if np.isnan(run_.forecast[j]):
            undetermined.append(issue)
            assert high - low > 5.0  # more than 5% of the 0-100 scale
        else:
            assert low <= run_.forecast[j] <= high and high - low <= 5.0
    assert undetermined == ["karabakh-control", "donbas-control"]


# ------------------------------------------------- batches of issues (Monte Carlo draws)


def _columns_equal(part, whole, idx):
    assert part.positions.tobytes() == np.ascontiguousarray(whole.positions[..., idx]).tobytes()
    assert part.forecast.tobytes() == whole.forecast[idx].tobytes()
    for key, arr in part.per_round.items():
        assert arr.tobytes() == np.ascontiguousarray(whole.per_round[key][..., idx]).tobytes()
    for key, arr in part.details.items():
        assert arr.tobytes() == np.ascontiguousarray(whole.details[key][..., idx]).tobytes()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 9),
    m=st.integers(2, 5),
    integers=st.booleans(),
    options=st.sampled_from(OPTIONS + [{"method": "direct"}, {"range_basis": "scale"}]),
)
def test_every_option_gives_a_column_the_same_bits_in_a_batch(seed, n, m, integers, options):
    inp = random_input(seed, n, m, grid=not integers, integers=integers)
    whole = run(inp, rounds=6, **options)
    for j in range(m):
        _columns_equal(run(inp.columns([j]), rounds=6, **options), whole, [j])


def test_a_batch_of_many_actors_searches_issue_by_issue_with_the_same_bits():
    # above COUNT_MAX_N actors the knots below each pair come from a binary search per issue
    n = COUNT_MAX_N + 8
    inp = random_input(5, n=n, m=3, grid=True)
    whole = run(inp, rounds=3)
    for j in range(3):
        _columns_equal(run(inp.columns([j]), rounds=3), whole, [j])
    grouped = run(inp, rounds=3, max_bytes=2 * n * n * 8 * 24)  # groups of 2 and 1
    _columns_equal(grouped, whole, [0, 1, 2])


@pytest.mark.parametrize("details", [False, True])
@pytest.mark.parametrize("close", [False, True])
def test_a_large_batch_gives_each_column_the_bits_it_gets_alone(details, close, monkeypatch):
    """From 8 issues on a round finds the first offer by a minimum and a weighted maximum
    and keys the compromise receivers apart (or, when many, all at once); from 256 on it
    sums row by row and, with Q = 1 and no details, skips the mask of one position unless
    two positions are that close. A column gets the bits it gets alone, where the paths of
    one issue run."""
    from realpolitik.models.eum import round as eum_round
    from realpolitik.models.eum import votes as eum_votes

    m, n = 300, 9
    base = random_input(17, n=n, m=m, grid=True)
    position = base.position.copy()
    span = base.scale_max - base.scale_min  # (the grid spans it: R)
    if close:  # two positions 1e-12 R apart: one position for the model
        cols = np.arange(0, m, 7)
        position[1, cols] = position[0, cols] + 1e-12 * span[cols]
    inp = ModelInput(base.capability, position, base.salience, base.scale_min,
                     base.scale_max, base.status_quo)  # fmt: skip
    assert eum_round._close(np.sort(position, axis=0), span) == close
    whole = run(inp, rounds=8, details=details)
    assert eum_votes._ROW_LOOPS <= m
    for j in (0, 7, 150, 299):
        _columns_equal(run(inp.columns([j]), rounds=8, details=details), whole, [j])
    monkeypatch.setattr(eum_round, "_SPARSE", m * n)  # the compromise rows keyed at once
    _columns_equal(run(inp, rounds=8, details=details), whole, list(range(m)))
    if details:
        assert whole.details["moves_compromise"].sum() > 0  # the compromise keys ran


def test_the_first_slot_of_a_mask_is_that_of_argmax():
    from realpolitik.models.eum import round as eum_round

    rng = np.random.default_rng(3)
    for n in (1, 2, 9, 130):
        mask = rng.random((n, n, 11)) < 0.3
        mask[:, -1] = True  # every (receiver, issue) has one
        got = eum_round._first(mask, np.empty(mask.shape, np.int8))
        np.testing.assert_array_equal(got, mask.argmax(axis=1))


def test_a_capability_per_column_is_a_run_per_column():
    rng = np.random.default_rng(11)
    inp = random_input(11, n=7, m=4, grid=True)
    cap = rng.uniform(0.05, 1, size=(7, 4))
    batch = run(
        ModelInput(cap, inp.position, inp.salience, inp.scale_min, inp.scale_max, inp.status_quo),
        rounds=10,
    )
    for j in range(4):
        alone = run(
            ModelInput(
                cap[:, j],
                inp.position[:, [j]],
                inp.salience[:, [j]],
                inp.scale_min[[j]],
                inp.scale_max[[j]],
                inp.status_quo[[j]],
            ),
            rounds=10,
        )
        _columns_equal(alone, batch, [j])


@pytest.mark.parametrize("m", [1, 3])
def test_details_false_leaves_out_the_per_round_diagnostics_only(m):
    inp = random_input(2, n=8, m=m, grid=True)
    full, lean = run(inp, rounds=12), run(inp, rounds=12, details=False)
    assert full.positions.tobytes() == lean.positions.tobytes()
    assert full.forecast.tobytes() == lean.forecast.tobytes()
    for key in full.per_round:
        assert full.per_round[key].tobytes() == lean.per_round[key].tobytes()
    assert sorted(lean.details) == [
        "cycle_period",
        "determinate",
        "forecast_high",
        "forecast_low",
        "settled",
    ]
    for key in lean.details:
        assert full.details[key].tobytes() == lean.details[key].tobytes()
    assert "details" not in SPEC.defaults


@pytest.mark.parametrize("seed", range(12))
def test_rounds_copied_after_a_repetition_equal_the_reference(seed):
    """Once an issue's positions repeat those of a few rounds before, the run copies its
    rounds instead of computing them; the reference computes every round."""
    options = OPTIONS[seed % len(OPTIONS)]
    inp = random_input(seed, n=3 + seed % 5, m=2, integers=True)
    traj = run(inp, rounds=24, **options)
    for k in range(inp.n_issues):
        want = ref.reference_run(
            inp.capability, inp.position[:, k], inp.salience[:, k], rounds=24, **options
        )
        np.testing.assert_allclose(traj.positions[:, :, k], want["positions"], atol=1e-9)
        np.testing.assert_allclose(traj.per_round["median"][:, k], want["median"], atol=1e-9)
        np.testing.assert_array_equal(traj.details["accepted"][:, :, k], want["accepted"])
        np.testing.assert_array_equal(traj.details["proposer"][:, :, k], want["proposer"])


def test_a_cycle_is_copied_with_its_records():
    # a 2-cycle from round 2 on (test_a_cycling_run_forecasts_the_mean_over_the_cycle)
    traj = run(ModelInput.single_issue([3.0, 3, 1], [50.0, 100, 100], [0.75, 0.75, 0.25], 0, 100))
    pos, d = traj.positions, traj.details
    np.testing.assert_array_equal(pos[4:], pos[2:-2])
    for key in ("risk_exponent", "security", "accepted", "proposer"):
        np.testing.assert_array_equal(d[key][4:], d[key][2:-2])
    for key in ("offers_conflict", "stalemates", "moves_conflict"):
        np.testing.assert_array_equal(d[key][4:], d[key][2:-2])


# ------------------------------------------- the reference, shocks and d > 1 included


@st.composite
def shocked_issues(draw):
    """One issue with every option, ties, a scale narrower than the positions (d > 1 with
    range_basis="scale"), and shocks: positions moved beyond the input's range, new
    capabilities and saliences, at any round (some after the last)."""
    n = draw(st.integers(2, 7))
    grid = draw(st.booleans())
    if grid:  # exact ties and shared positions
        x = [25.0 * v for v in draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))]
        s = [v / 4 for v in draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))]
        c = [float(v) for v in draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))]
    else:  # positions to a millionth of the scale, as a scenario gives them
        unit = st.floats(0.0, 1.0, allow_nan=False)
        # and saliences and capabilities to a tenth of a point on 0-100: the risk exponents
        # divide by the spread of the security levels, which amplifies rounding errors by
        # (levels / spread), ill-conditioned for spreads near EU_ATOL
        x = [round(100.0 * v, 4) for v in draw(st.lists(unit, min_size=n, max_size=n))]
        s = [round(v, 3) for v in draw(st.lists(unit, min_size=n, max_size=n))]
        c = [round(0.05 + v, 3) for v in draw(st.lists(unit, min_size=n, max_size=n))]
    options = dict(draw(st.sampled_from(OPTIONS)))
    lo, hi = min(x), max(x)
    if draw(st.booleans()) and hi - lo > 10:  # R from a scale narrower than the positions
        options["range_basis"] = "scale"
        scale = (lo + 0.25 * (hi - lo), lo + 0.5 * (hi - lo))
    else:
        scale = (lo - 50.0, hi + 50.0)
    rounds = draw(st.integers(1, 7))
    changes = []
    for _ in range(draw(st.integers(0, 3))):
        k = draw(st.integers(1, rounds + 1))
        kind = draw(st.sampled_from(["position", "capability", "salience"]))
        if kind == "position":
            who = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            far = draw(st.sampled_from([lo - 60.0, hi + 40.0, lo, (lo + hi) / 2]))
            changes.append({"round": k, "position": [far if w else None for w in who]})
        elif kind == "capability":
            factor = draw(st.sampled_from([0.25, 3.0]))
            changes.append({"round": k, "capability": [v * factor**i for i, v in enumerate(c)]})
        else:
            changes.append({"round": k, "salience": [1.0 - v for v in s]})
    return c, x, s, scale, options, rounds, changes


def _as_model_input(c, x, s, scale, changes) -> ModelInput:
    n = len(x)
    model_changes = []
    for ch in changes:
        pos = ch.get("position")
        model_changes.append(
            Change(
                ch["round"],
                capability=None if ch.get("capability") is None else np.array(ch["capability"]),
                salience=None if ch.get("salience") is None else np.array(ch["salience"])[:, None],
                position=None
                if pos is None
                else np.array([np.nan if v is None else v for v in pos]).reshape(n, 1),
            )
        )
    return ModelInput(
        capability=np.array(c),
        position=np.array(x)[:, None],
        salience=np.array(s)[:, None],
        scale_min=np.array([scale[0]]),
        scale_max=np.array([scale[1]]),
        status_quo=np.array([np.nan]),
        changes=tuple(model_changes),
    )


@settings(max_examples=150, deadline=None, derandomize=True)
@given(case=shocked_issues())
def test_the_model_equals_the_plain_loop_reference(case):
    """Every option, shocks at any round, d > 1 (positions shocked beyond the input's range,
    or R from a narrower scale), exact ties: the vectorised model is the plain loop."""
    c, x, s, scale, options, rounds, changes = case
    inp = _as_model_input(c, x, s, scale, changes)
    traj = run(inp, rounds=rounds, **options)
    # R as documented: the positions' range or the scale's width (range_basis), either
    # falling back to the other, then to 1
    width, spread = scale[1] - scale[0], max(x) - min(x)
    first, second = (width, spread) if options.get("range_basis") == "scale" else (spread, width)
    span = first if first > 0 else second if second > 0 else 1.0
    ref_options = {k: v for k, v in options.items() if k != "range_basis"}
    # later changes of one round win, in the order of their rounds (as ModelInput sorts them)
    ordered = sorted(changes, key=lambda ch: ch["round"])
    want = ref.reference_run(c, x, s, rounds=rounds, span=span, changes=ordered, **ref_options)
    np.testing.assert_allclose(traj.positions[:, :, 0], want["positions"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(traj.per_round["median"][:, 0], want["median"], atol=1e-9)
    np.testing.assert_allclose(traj.per_round["mean"][:, 0], want["mean"], atol=1e-9)
    np.testing.assert_array_equal(traj.details["accepted"][:, :, 0], want["accepted"])
    np.testing.assert_array_equal(traj.details["proposer"][:, :, 0], want["proposer"])
    np.testing.assert_allclose(
        traj.details["risk_exponent"][:, :, 0], want["risk_exponent"], atol=1e-9
    )
    end = ref.settle(want["positions"], want["median"], span, width)
    assert traj.details["settled"][0] == end["settled"]
    assert traj.details["cycle_period"][0] == end["cycle_period"]
    if end["forecast"] is None:
        assert np.isnan(traj.forecast[0])
    else:
        assert traj.forecast[0] == pytest.approx(end["forecast"], abs=1e-9)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(case=shocked_issues(), m=st.integers(2, 4), seed=st.integers(0, 2**32 - 1))
def test_a_shocked_column_gets_the_same_bits_in_a_batch(case, m, seed):
    c, x, s, scale, options, rounds, changes = case
    one = _as_model_input(c, x, s, scale, changes)
    rng = np.random.default_rng(seed)
    n = len(x)
    pos = np.column_stack([one.position[:, 0]] + [rng.permutation(x) for _ in range(m - 1)])
    sal = np.column_stack([one.salience[:, 0]] + [rng.permutation(s) for _ in range(m - 1)])
    batch = ModelInput(
        capability=np.array(c),
        position=pos,
        salience=sal,
        scale_min=np.full(m, scale[0]),
        scale_max=np.full(m, scale[1]),
        status_quo=np.full(m, np.nan),
        changes=tuple(
            Change(
                ch.round,
                ch.capability,
                None if ch.salience is None else np.repeat(ch.salience, m, axis=1),
                None if ch.position is None else np.repeat(ch.position, m, axis=1),
            )
            for ch in one.changes
        ),
    )
    assert batch.n_actors == n
    whole = run(batch, rounds=rounds, **options)
    for j in range(m):
        _columns_equal(run(batch.columns([j]), rounds=rounds, **options), whole, [j])


def test_the_what_if_of_the_review_agrees_with_the_reference():
    """The review's case (issue 11): Armenia's opposition moved to 0 on Turkey-Armenia
    normalisation after round 1. The plain loop cycles between 0 and 90 from there; so
    must the model, and its forecast is undetermined, not 90."""
    import realpolitik as rp
    from realpolitik.arrays import issue_input
    from realpolitik.scenario.interventions import intervene

    what_if = "armenian-opposition.turkey-armenia-normalization.position=0@1"
    sc = intervene(rp.load("caucasus-2022"), [what_if])
    _, inp = issue_input(sc, "turkey-armenia-normalization")
    traj = run(inp, rounds=DEFAULT_ROUNDS)
    changes = [
        {
            "round": ch.round,
            "position": [None if np.isnan(v) else float(v) for v in ch.position[:, 0]],
        }
        for ch in inp.changes
    ]
    want = ref.reference_run(
        inp.capability,
        inp.position[:, 0],
        inp.salience[:, 0],
        rounds=DEFAULT_ROUNDS,
        changes=changes,
    )
    np.testing.assert_allclose(traj.positions[:, :, 0], want["positions"], atol=1e-9)
    span = float(np.ptp(inp.position))
    end = ref.settle(want["positions"], want["median"], span, 100.0)
    assert end["cycle_period"] == 2 and (end["low"], end["high"]) == (0.0, 90.0)
    assert end["forecast"] is None and np.isnan(traj.forecast[0])
    assert traj.details["cycle_period"][0] == 2
    assert (traj.details["forecast_low"][0], traj.details["forecast_high"][0]) == (0.0, 90.0)


@pytest.mark.parametrize("shape, axis", [((7, 3), 0), ((5, 4, 2), 1), ((9,), 0), ((3, 130), 1)])
def test_ordered_sums_add_first_to_last_whatever_the_layout(shape, axis):
    rng = np.random.default_rng(len(shape))
    a = rng.normal(size=shape) * 10.0 ** rng.integers(-8, 8, size=shape)
    got = ordered_sum(a, axis=axis)
    moved = np.moveaxis(a, axis, 0)
    for idx in np.ndindex(moved.shape[1:]):
        total = 0.0
        for k in range(moved.shape[0]):
            total = total + float(moved[(k, *idx)]) if k else float(moved[(k, *idx)])
        assert got[idx] == total
    if a.ndim == 2 and axis == 0:  # a column alone (contiguous) and in a batch (strided)
        for k in range(a.shape[1]):
            alone = ordered_sum(np.ascontiguousarray(a[:, k : k + 1]), axis=0)
            assert alone.tobytes() == got[k : k + 1].tobytes()


def test_compromise_moves_one_by_one_are_the_vectorised_bits(monkeypatch):
    """A round moves a few compromise receivers in Python floats and many in numpy: the
    same operations, so the same bits (a column must not depend on its batch)."""
    from realpolitik.models.eum import round as eum_round

    rng = np.random.default_rng(11)
    n, g = 6, 3
    for _ in range(200):
        xs = np.sort(rng.choice([0.0, 10.0, 25.0, 50.0, 90.0], size=(n, g)), axis=0)
        xs += rng.normal(scale=1e-10, size=(n, g)) * (rng.random((n, g)) < 0.2)
        xj = rng.permuted(xs, axis=0)
        comp_row = rng.random((n, g)) < 0.5
        a = -rng.random((n, n, g)) * rng.choice([1e-12, 1.0], size=(n, n, g))
        b = rng.random((n, n, g)) + 1e-3
        base_i, cols = eum_round._aranges(n, g)
        at = eum_round._pair_at(base_i, rng.integers(0, n, size=(n, g)), g, cols)
        close = np.full(g, 1e-9) * rng.choice([1.0, 1e9], size=g)
        new = rng.random((n, g))
        monkeypatch.setattr(eum_round, "_FEW", n * g)
        few = eum_round._compromise_moves(new.copy(), xs, xj, comp_row, at, a, b, close)
        monkeypatch.setattr(eum_round, "_FEW", -1)
        many = eum_round._compromise_moves(new.copy(), xs, xj, comp_row, at, a, b, close)
        np.testing.assert_array_equal(few, many)
        assert not np.array_equal(few, new) or not comp_row.any()


def test_one_actor_gets_the_same_bits_alone_and_in_a_batch():
    """A sum over one actor is that actor's value, sign of zero included (a reduction of
    one row would add 0.0 to it)."""
    rng = np.random.default_rng(2)
    m = 5
    batch = ModelInput(
        capability=rng.uniform(0.1, 1, (1, m)),
        position=rng.uniform(0, 100, (1, m)),
        salience=rng.uniform(0, 1, (1, m)),
        scale_min=np.zeros(m),
        scale_max=np.full(m, 100.0),
        status_quo=np.full(m, np.nan),
    )
    together = run(batch, rounds=3)
    for k in range(m):
        alone = run(batch.columns(np.array([k])), rounds=3)
        for name, arr in alone.details.items():
            got = together.details[name][..., k : k + 1]
            assert got.tobytes() == arr.tobytes(), name
