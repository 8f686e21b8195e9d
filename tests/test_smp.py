"""KTAB's spatial model of politics (realpolitik.models.smp).

1. KTAB's runs reproduced turn by turn, as KTAB prints them: every actor's position on every
   dimension (to 0.1 on 0-100), every actor's probability that its position wins (to 4
   decimals), the stopping rule's fractional change (to 4 decimals) and the number of turns.
   tests/data/ktab/ktab_runs.json holds the numbers, transcribed from
   - examples/smp/doc/20170530_ref-dummyData_3Dim.txt and 20170530_ref-SOE-Pol-Comp.txt, KTAB's
     published reference logs (KTAB commit 3b5b063);
   - runs of KTAB's smpc, built from commit 3b5b063 on this project's machine, for SOE-Policy
     and SOE-Competitive (``smpc --logmin --csv ./SOE-Policy.csv --connstr
     "Driver=QSQLITE;Database=test"``) and for every non-default value of every option on
     SOE-Policy and dummyData_3Dim (``smpc --logmin --xml``; tests/data/ktab/README.md).
2. Properties: positions stay on the scale, permuting actors permutes the results, separate
   issues are independent bit for bit, the same seed gives the same bytes.
3. Options, shocks, degenerate inputs, the forecast's reading, and the plain-loop reference
   (tests/reference_smp.py).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import realpolitik as rp
from realpolitik.models import REGISTRY, get, in_all
from realpolitik.models.base import Change, ModelInput
from realpolitik.models.smp import DEFAULTS, OPTIONS, SPEC, run
from realpolitik.scenario.csv_io import slug

HERE = Path(__file__).parent
DATA = HERE / "data" / "ktab"
RUNS = json.loads((DATA / "ktab_runs.json").read_text(encoding="utf-8"))

import reference_smp  # noqa: E402  (tests/, beside this file)


def ktab_input(stem: str) -> tuple[ModelInput, list[str]]:
    """A KTAB CSV as the model's input (capabilities as in the file), and the actor ids."""
    sc = rp.load(DATA / f"{stem}.csv")
    cap, pos, sal, _ = sc.arrays()
    m = len(sc.issues)
    inp = ModelInput(cap, pos, sal / 100.0, np.zeros(m), np.full(m, 100.0), np.full(m, np.nan))
    return inp, list(sc.actor_ids)


def printed(values: np.ndarray, decimals: int) -> np.ndarray:
    """As C's printf("%.Nf") prints them (round half to even on the binary value)."""
    return np.vectorize(lambda v: float(f"{v:.{decimals}f}"))(values)


def check_run(traj, ids: list[str], want: dict, final_only: bool = False) -> None:
    turns = int(traj.details["turns"][0])
    assert turns == want["turns"]
    frac = printed(traj.details["fractional_change"][:turns, 0], 4)
    np.testing.assert_array_equal(frac, want["fractional_change"])
    keys = {slug(k): k for k in want["final_prob" if final_only else "prob"]}
    assert sorted(keys) == sorted(ids)
    win = traj.details["win_probability"][: turns + 1, :, 0]
    pos = traj.positions[: turns + 1]
    for a, aid in enumerate(ids):
        k = keys[aid]
        if final_only:
            assert printed(win[-1, a], 4) == want["final_prob"][k], (aid, "prob")
            np.testing.assert_array_equal(
                printed(pos[-1, a], 1), want["final_positions"][k], err_msg=aid
            )
        else:
            np.testing.assert_array_equal(printed(win[:, a], 4), want["prob"][k], err_msg=aid)
            np.testing.assert_array_equal(
                printed(pos[:, a].T, 1), want["positions"][k], err_msg=aid
            )


# ------------------------------------------------------------------ 1. KTAB's own runs


@pytest.mark.parametrize("stem", ["dummyData_3Dim", "SOE-Pol-Comp"])
def test_ktabs_published_runs_are_reproduced_turn_by_turn(stem):
    """KTAB's reference logs (examples/smp/doc/20170530_ref-<stem>.txt, commit 3b5b063): every
    turn's positions and win probabilities as printed, the fractional changes, the turns."""
    inp, ids = ktab_input(stem)
    check_run(run(inp), ids, RUNS["runs"][stem])


@pytest.mark.parametrize("stem", ["SOE-Policy", "SOE-Competitive"])
def test_ktab_smpc_runs_of_the_soe_files_are_reproduced_turn_by_turn(stem):
    """Produced by KTAB's smpc (commit 3b5b063, built on this project's machine) with
    ``smpc --logmin --csv ./<stem>.csv --connstr "Driver=QSQLITE;Database=test"``."""
    inp, ids = ktab_input(stem)
    check_run(run(inp), ids, RUNS["runs"][stem])


OPTION_RUNS = [
    (stem, key) for stem, runs in RUNS["option_runs"]["runs"].items() for key in sorted(runs)
]


@pytest.mark.parametrize(("stem", "key"), OPTION_RUNS, ids=[f"{s}-{k}" for s, k in OPTION_RUNS])
def test_every_option_value_reproduces_ktab_and_changes_what_ktab_changes(stem, key):
    """smpc --logmin --xml with KTAB's defaults but the one option named. Capabilities as
    given (``capability_scale=None``): KTAB's arithmetic exactly, whose guards (1e-8, 1e-10)
    show with the tiny votes of the cubic rule on dummyData_3Dim (largest capability 129.6)."""
    option, value = key.split("=")
    inp, ids = ktab_input(stem)
    want = RUNS["option_runs"]["runs"][stem][key]
    traj = run(inp, capability_scale=None, **{option: value})
    check_run(traj, ids, want, final_only=True)
    default = RUNS["runs"][stem]
    ktab_changed = want["turns"] != default["turns"] or any(
        want["final_prob"][k] != default["prob"][k][-1] for k in want["final_prob"]
    )
    ours_default = run(inp, capability_scale=None)
    ours_changed = traj.positions.tobytes() != ours_default.positions.tobytes()
    assert ours_changed == ktab_changed


def test_the_default_capability_scale_is_ktabs_arithmetic_when_the_largest_is_100():
    inp, _ = ktab_input("SOE-Policy")
    a, b = run(inp), run(inp, capability_scale=None)
    assert a.positions.tobytes() == b.positions.tobytes()
    assert a.details["win_probability"].tobytes() == b.details["win_probability"].tobytes()


@pytest.mark.parametrize(
    ("option", "value"),
    [("state_trans_mode", "stochastic"), ("big_r_adjust", "full"), ("voting_rule", "asym_prosp")],
)
def test_the_options_ktab_cannot_be_compared_on_run_and_change_the_result(option, value):
    """KTAB stops with big_r_adjust Full (a sanity check rejects it), gives a different result
    on every run with asym_prosp (thread order), and draws from its own generator."""
    inp, _ = ktab_input("SOE-Policy")
    base = run(inp)
    traj = run(inp, **{option: value})
    assert traj.positions.tobytes() != base.positions.tobytes()
    assert np.all(np.isfinite(traj.positions)) and np.all(np.isfinite(traj.forecast))


# --------------------------------------------------------------------- 2. properties


def random_input(seed: int, n: int, m: int, grid: int, zeros: bool) -> ModelInput:
    rng = np.random.default_rng(seed)
    lo = rng.uniform(-50, 50, size=m)
    hi = lo + rng.uniform(1, 100, size=m)
    u = rng.integers(0, grid + 1, size=(n, m)) / grid if grid else rng.uniform(size=(n, m))
    s = rng.uniform(0.05, 1, size=(n, m))
    if zeros:
        s = np.where(rng.uniform(size=(n, m)) < 0.3, 0.0, np.round(s * 4) / 4)
    return ModelInput(
        rng.uniform(0.01, 1, size=n), lo + (hi - lo) * u, s, lo, hi, np.full(m, np.nan)
    )


inputs = st.builds(
    random_input,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 9),
    m=st.integers(1, 3),
    grid=st.sampled_from([0, 2, 10]),
    zeros=st.booleans(),
)
options = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in OPTIONS.items()})


@settings(max_examples=60, deadline=None, derandomize=True)
@given(inp=inputs, opts=options, issues=st.sampled_from(["joint", "separate"]))
def test_positions_and_forecasts_stay_on_the_scale_with_any_options(inp, opts, issues):
    traj = run(inp, rounds=8, issues=issues, **opts)
    tol = 1e-9 * (inp.scale_max - inp.scale_min)
    for arr in (traj.positions, traj.forecast, traj.per_round["expected"]):
        assert np.all(np.isfinite(arr))
        assert np.all(arr >= inp.scale_min - tol) and np.all(arr <= inp.scale_max + tol)
    win = traj.details["win_probability"]
    assert np.all((win >= 0) & (win <= 1 + 1e-12))
    risk = traj.details["risk_attitude"]  # in [-1, 1], clipped where rounding left it
    assert np.all(risk >= -1) and np.all(risk <= 1)


symmetric = st.fixed_dictionaries(
    {
        name: st.sampled_from([v for v in values if v not in ("asym_prosp", "stochastic")])
        for name, values in OPTIONS.items()
    }
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(inp=inputs, opts=symmetric, perm_seed=st.integers(0, 2**32 - 1))
def test_permuting_actors_permutes_the_results_with_any_deterministic_option(inp, opts, perm_seed):
    """Not with asym_prosp, whose coalitions depend on the order of each queue (in KTAB the
    threads' order), nor in stochastic mode, whose draws go to the actors in order."""
    perm = np.random.default_rng(perm_seed).permutation(inp.n_actors)
    a = run(inp, rounds=10, details=False, **opts)
    b = run(inp.reorder(perm), rounds=10, details=False, **opts)
    np.testing.assert_allclose(b.positions, a.positions[:, perm], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.forecast, a.forecast, rtol=0, atol=1e-9)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(inp=inputs, opts=options, seed=st.integers(0, 2**63))
def test_separate_issues_are_each_the_same_bits_as_run_alone(inp, opts, seed):
    opts = {**opts, "state_trans_mode": "deterministic"}
    whole = run(inp, rounds=8, issues="separate", seed=seed, **opts)
    for k in range(inp.n_issues):
        alone = run(inp.columns([k]), rounds=8, issues="separate", seed=seed, **opts)
        assert (
            alone.positions.tobytes() == np.ascontiguousarray(whole.positions[..., [k]]).tobytes()
        )
        assert alone.forecast.tobytes() == whole.forecast[[k]].tobytes()
        for key, arr in alone.details.items():
            assert arr.tobytes() == np.ascontiguousarray(whole.details[key][..., [k]]).tobytes()


@settings(max_examples=20, deadline=None, derandomize=True)
@given(inp=inputs, seed=st.integers(0, 2**63), issues=st.sampled_from(["joint", "separate"]))
def test_the_same_seed_gives_the_same_bytes_in_stochastic_mode(inp, seed, issues):
    kw = {"rounds": 8, "issues": issues, "state_trans_mode": "stochastic"}
    a, b = run(inp, seed=seed, **kw), run(inp, seed=seed, **kw)
    assert a.positions.tobytes() == b.positions.tobytes()
    assert a.forecast.tobytes() == b.forecast.tobytes()
    c = run(inp, seed=np.random.default_rng(seed), **kw)
    d = run(inp, seed=np.random.default_rng(seed), **kw)
    assert c.positions.tobytes() == d.positions.tobytes()


def test_seeds_matter_only_in_stochastic_mode():
    inp, _ = ktab_input("SOE-Policy")
    assert run(inp, seed=1).positions.tobytes() == run(inp, seed=2).positions.tobytes()
    runs = {run(inp, seed=s, state_trans_mode="stochastic").positions.tobytes() for s in range(4)}
    assert len(runs) > 1


def test_a_one_dimensional_input_is_the_same_joint_or_separate():
    inp, _ = ktab_input("SOE-Policy")
    a, b = run(inp), run(inp, issues="separate")
    assert a.positions.tobytes() == b.positions.tobytes()
    for key, arr in a.details.items():
        assert arr.tobytes() == b.details[key].tobytes(), key


def test_joint_issues_interact_and_separate_ones_do_not():
    inp, _ = ktab_input("SOE-Pol-Comp")
    joint, separate = run(inp), run(inp, issues="separate")
    assert joint.positions.tobytes() != separate.positions.tobytes()
    policy = run(inp.columns([0]))
    assert (
        policy.positions.tobytes() == np.ascontiguousarray(separate.positions[..., [0]]).tobytes()
    )


# ------------------------------------------------------- 3. options, shocks, edge cases


@pytest.mark.parametrize("option", list(OPTIONS))
def test_a_bad_option_value_names_the_option_and_its_values(option):
    inp, _ = ktab_input("dummyData_3Dim")
    with pytest.raises(ValueError, match=option) as exc:
        run(inp, **{option: "nonsense"})
    for value in OPTIONS[option]:
        assert value in str(exc.value)
    with pytest.raises(ValueError, match=option):
        run(inp, **{option: DEFAULTS[option].upper()})


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"issues": "both"}, "issues must be one of joint, separate"),
        ({"seed": -1}, "seed must be"),
        ({"seed": "7"}, "seed must be"),
        ({"rounds": -1}, "rounds must be"),
        ({"rounds": 2.5}, "rounds must be"),
        ({"capability_scale": 0}, "capability_scale must be"),
    ],
)
def test_bad_run_arguments(kw, words):
    inp, _ = ktab_input("dummyData_3Dim")
    with pytest.raises(ValueError, match=words):
        run(inp, **kw)


def test_an_unknown_keyword_is_a_type_error():
    inp, _ = ktab_input("dummyData_3Dim")
    with pytest.raises(TypeError):
        run(inp, victory_model="linear")


def test_the_spec_is_registered_by_name_with_ktabs_defaults():
    assert get("smp") is SPEC and REGISTRY["smp"] is SPEC
    assert "smp" not in in_all()
    assert SPEC.joint and SPEC.dynamic and SPEC.default_rounds == 100
    assert SPEC.standing.startswith("DEU III dev: MAE") or "not yet checked" in SPEC.standing
    assert {k: SPEC.defaults[k] for k in DEFAULTS} == DEFAULTS
    assert DEFAULTS == {
        "vp_model": "linear",
        "pce_model": "conditional",
        "state_trans_mode": "deterministic",
        "voting_rule": "prop",
        "big_r_adjust": "one_third",
        "big_r_range": "mid",
        "third_party_commit": "semi_commit",
        "inter_vec_brgn": "s2p2",
        "bargn_model": "init_only_interp",
    }
    # the registry runs KTAB's joint space, as run() does; one issue at a time by name
    assert SPEC.defaults["issues"] == "joint"
    inp, _ = ktab_input("dummyData_3Dim")
    b = SPEC.run(inp, rounds=SPEC.default_rounds, **SPEC.defaults)
    assert run(inp).positions.tobytes() == b.positions.tobytes()
    assert run(inp, issues="separate").positions.tobytes() != b.positions.tobytes()


def test_the_trajectory_is_padded_to_rounds_and_held_after_the_stop():
    inp, _ = ktab_input("SOE-Policy")
    traj = run(inp)
    n = inp.n_actors
    assert traj.positions.shape == (101, n, 1) and traj.rounds == 100
    turns = int(traj.details["turns"][0])
    assert turns == 19 and traj.details["converged"][0] == 1
    assert np.all(traj.positions[turns:] == traj.positions[turns])
    assert traj.details["win_probability"].shape == (101, n, 1)
    assert traj.details["target"].shape == (100, n, 1)
    assert np.all(traj.details["target"][turns:] == -1)
    assert np.all(np.isnan(traj.details["fractional_change"][turns:]))
    assert traj.per_round["expected"].shape == (101, 1)
    short = run(inp, rounds=5)
    assert short.details["turns"][0] == 5 and short.details["converged"][0] == 0
    assert short.positions.tobytes() == np.ascontiguousarray(traj.positions[:6]).tobytes()
    none = run(inp, rounds=0)
    assert none.positions.shape == (1, n, 1) and none.details["turns"][0] == 0
    np.testing.assert_array_equal(none.positions[0], inp.position)


def test_the_forecast_is_the_expected_outcome_of_the_election():
    """At turn 0 of SOE-Policy the positions are multiples of 5: KTAB's printed probabilities,
    one per distinct position, weight the positions into the expected outcome."""
    inp, _ = ktab_input("SOE-Policy")
    traj = run(inp, rounds=0)
    first = traj.positions[0, :, 0]
    win = traj.details["win_probability"][0, :, 0]
    values = np.unique(first)
    probs = np.array([win[first == v][0] for v in values])
    assert probs.sum() == pytest.approx(1.0)
    assert traj.forecast[0] == pytest.approx(float(probs @ values), abs=1e-9)
    assert traj.details["most_probable"][0] == values[np.argmax(probs)]


def test_the_final_forecast_is_ktabs_expected_outcome_up_to_the_position_tolerance():
    """KTAB merges positions within 0.1 (of 100) into the first actor's, in actor order; the
    forecast merges them in the order of the positions (so that the actors' order does not
    matter): the two expectations differ by less than the tolerance."""
    inp, _ = ktab_input("SOE-Policy")
    traj = run(inp)
    final = traj.positions[-1, :, 0]
    win = traj.details["win_probability"][-1, :, 0]
    reps: list[int] = []
    for i in range(final.size):
        if not any(abs(final[i] - final[r]) < 0.1 for r in reps):
            reps.append(i)
    expected = sum(win[r] * final[r] for r in reps)
    assert sum(win[r] for r in reps) == pytest.approx(1.0)
    assert abs(traj.forecast[0] - expected) < 0.1
    np.testing.assert_array_equal(traj.per_round["expected"][-1], traj.forecast)


def with_changes(inp: ModelInput, *changes: Change) -> ModelInput:
    return dataclasses.replace(inp, changes=changes)


def test_a_shock_after_the_run_came_to_rest_restarts_the_bargaining():
    inp, ids = ktab_input("SOE-Policy")
    base = run(inp, rounds=40)
    xj = ids.index("xj")
    moved = np.full((inp.n_actors, 1), np.nan)
    moved[xj] = 100.0
    shocked = run(with_changes(inp, Change(25, position=moved)), rounds=40)
    np.testing.assert_array_equal(shocked.positions[:25], base.positions[:25])
    assert shocked.positions[25, xj, 0] == 100.0
    assert shocked.details["turns"][0] > 25
    assert shocked.forecast[0] != base.forecast[0]
    same = Change(25, capability=inp.capability, salience=inp.salience)
    assert run(with_changes(inp, same), rounds=40).positions.tobytes() == base.positions.tobytes()


def test_a_capability_shock_acts_on_the_moves_after_its_turn():
    inp, ids = ktab_input("SOE-Policy")
    cap = inp.capability.copy()
    cap[ids.index("xj")] = 1.0
    base = run(inp)
    shocked = run(with_changes(inp, Change(3, capability=cap)))
    np.testing.assert_array_equal(shocked.positions[:4], base.positions[:4])
    assert shocked.positions[4:].tobytes() != base.positions[4:].tobytes()


def test_saliences_summing_above_one_are_shares_of_attention_in_a_joint_run():
    inp, _ = ktab_input("SOE-Pol-Comp")
    doubled = ModelInput(
        inp.capability,
        inp.position,
        np.minimum(inp.salience * 1.5, 1.0),
        inp.scale_min,
        inp.scale_max,
        inp.status_quo,
    )
    s = doubled.salience
    total = s.sum(axis=1)
    over = total > 1
    shares = np.where(over[:, None], s / np.where(over, total, 1.0)[:, None], s)
    a = run(doubled)
    b = run(
        ModelInput(
            inp.capability, inp.position, shares, inp.scale_min, inp.scale_max, inp.status_quo
        )
    )
    assert a.details["salience_rescaled"][0] == over.sum() > 0
    assert a.positions.tobytes() == b.positions.tobytes()


def test_degenerate_inputs_run():
    one = ModelInput.single_issue([1.0], [40.0], [0.5], 0, 100)
    traj = run(one)
    assert traj.forecast[0] == 40.0 and traj.details["turns"][0] == 2
    two = ModelInput.single_issue([1.0, 2.0], [0.0, 100.0], [0.5, 0.9], 0, 100)
    assert 0 <= run(two).forecast[0] <= 100
    same = ModelInput.single_issue([1.0, 2.0, 3.0], [50.0] * 3, [0.5, 0.9, 0.1], 0, 100)
    assert run(same).forecast[0] == 50.0
    flat = ModelInput.single_issue([1.0, 2.0, 3.0], [5.0] * 3, [0.5, 0.9, 0.1], 5, 5)
    assert run(flat).forecast[0] == 5.0
    # an actor that cares about nothing yields to whoever challenges it
    idle = ModelInput.single_issue([1.0, 1.0, 5.0], [0.0, 10.0, 100.0], [0.8, 0.6, 0.0], 0, 100)
    traj = run(idle)
    assert traj.positions[-1, 2, 0] < 100.0
    zero_cap = ModelInput.single_issue([0.0, 1.0, 1.0], [0.0, 50.0, 100.0], [0.8, 0.6, 0.5], 0, 100)
    assert np.isfinite(run(zero_cap).forecast[0])


@pytest.mark.parametrize(
    ("inp", "words"),
    [
        (ModelInput.single_issue([0.0, 0.0], [1.0, 2.0], [0.5, 0.5], 0, 10), "every capability"),
        (ModelInput.single_issue([1.0, 1.0], [1.0, 20.0], [0.5, 0.5], 0, 10), "outside"),
        (ModelInput.single_issue([1.0, np.nan], [1.0, 2.0], [0.5, 0.5], 0, 10), "finite"),
        (ModelInput.single_issue([1.0, 1.0], [1.0, 2.0], [0.5, 1.5], 0, 10), r"\[0, 1\]"),
    ],
)
def test_bad_inputs_are_value_errors(inp, words):
    with pytest.raises(ValueError, match=words):
        run(inp)


# ------------------------------------------------------ the plain-loop reference


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 7),
    d=st.integers(1, 3),
    grid=st.sampled_from([0, 4]),
)
def test_the_vectorised_model_equals_the_plain_loop_reference(seed, n, d, grid):
    rng = np.random.default_rng(seed)
    c = rng.uniform(1, 100, n)
    x = rng.integers(0, grid + 1, (n, d)) / grid if grid else np.round(rng.uniform(0, 1, (n, d)), 4)
    s = rng.uniform(0.05, 1, (n, d))
    s = s / np.maximum(1.0, s.sum(axis=1, keepdims=True))
    history, probs, turns = reference_smp.run(c, x, s, rounds=20)
    inp = ModelInput(c, x * 100, s, np.zeros(d), np.full(d, 100.0), np.full(d, np.nan))
    traj = run(inp, rounds=20, capability_scale=None)
    assert traj.details["turns"][0] == turns
    np.testing.assert_allclose(traj.positions[: turns + 1], np.array(history) * 100, atol=1e-9)
    np.testing.assert_allclose(
        traj.details["win_probability"][: turns + 1, :, 0], np.array(probs), atol=1e-12
    )
