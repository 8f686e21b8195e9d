"""The contract every registered model must pass (one generic test over the registry):
positions stay on the scale, forecasts lie on it, permuting actors permutes positions and
changes no forecast, only capability ratios matter, the same input gives the same bytes, and
each column (issue, or Monte Carlo draw) gives the same bytes whatever columns run beside it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models import REGISTRY, ModelInput, get
from realpolitik.models.base import Change

MODELS = sorted(REGISTRY)


def random_input(seed: int, n: int, m: int, grid: int = 0, zeros: bool = False) -> ModelInput:
    """Random inputs; ``grid`` > 0 puts the positions on grid + 1 evenly spaced points of the
    scale (ties and shared positions), ``zeros`` makes some saliences exactly 0."""
    rng = np.random.default_rng(seed)
    lo = rng.uniform(-50, 50, size=m)
    hi = lo + rng.uniform(1, 100, size=m)
    u = rng.uniform(size=(n, m))
    if grid:
        u = rng.integers(0, grid + 1, size=(n, m)) / grid
    salience = rng.uniform(0.05, 1, size=(n, m))
    if zeros:
        salience = np.where(rng.uniform(size=(n, m)) < 0.3, 0.0, np.round(salience * 4) / 4)
    return ModelInput(
        capability=rng.uniform(0.01, 1, size=n),
        position=lo + (hi - lo) * u,
        salience=salience,
        scale_min=lo,
        scale_max=hi,
        status_quo=lo + (hi - lo) * rng.uniform(size=m),
    )


def _run(name: str, inp: ModelInput):
    spec = get(name)
    return spec.run(inp, rounds=4) if spec.dynamic else spec.run(inp)


inputs = st.builds(
    random_input,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 12),
    m=st.integers(1, 3),
    grid=st.sampled_from([0, 2, 4, 10]),  # 0: continuous; else small integer grids
    zeros=st.booleans(),  # exact zero saliences
)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=40, deadline=None)
@given(inp=inputs)
def test_positions_and_forecasts_stay_on_the_scale(name, inp):
    traj = _run(name, inp)
    n, m = inp.position.shape
    assert traj.positions.shape[1:] == (n, m)
    np.testing.assert_array_equal(traj.positions[0], inp.position)
    tol = 1e-9 * (inp.scale_max - inp.scale_min)
    assert np.all(traj.positions >= inp.scale_min - tol)
    assert np.all(traj.positions <= inp.scale_max + tol)
    # a forecast is on the scale, or nan where the model says it is undetermined
    none = np.isnan(traj.forecast)
    if "determinate" in traj.details:
        np.testing.assert_array_equal(none, traj.details["determinate"] == 0)
    else:
        assert not none.any()
    assert np.all(traj.forecast[~none] >= inp.scale_min[~none] - tol[~none])
    assert np.all(traj.forecast[~none] <= inp.scale_max[~none] + tol[~none])
    for arr in traj.per_round.values():
        assert arr.shape == (traj.rounds + 1, m)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=40, deadline=None)
@given(inp=inputs, perm_seed=st.integers(0, 2**32 - 1))
def test_permuting_actors_permutes_nothing_in_the_forecast(name, inp, perm_seed):
    perm = np.random.default_rng(perm_seed).permutation(inp.n_actors)
    shuffled = inp.reorder(perm)
    a, b = _run(name, inp), _run(name, shuffled)
    np.testing.assert_allclose(b.forecast, a.forecast, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.positions, a.positions[:, perm, :], rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=25, deadline=None)
@given(inp=inputs)
def test_only_capability_ratios_matter(name, inp):
    scaled = ModelInput(
        capability=inp.capability * 8.0,
        position=inp.position,
        salience=inp.salience,
        scale_min=inp.scale_min,
        scale_max=inp.scale_max,
        status_quo=inp.status_quo,
    )
    np.testing.assert_allclose(_run(name, scaled).forecast, _run(name, inp).forecast, atol=1e-9)


@pytest.mark.parametrize("name", MODELS)
def test_same_input_same_bytes(name):
    inp = random_input(7, 9, 2)
    a, b = _run(name, inp), _run(name, inp)
    assert a.positions.tobytes() == b.positions.tobytes()
    assert a.forecast.tobytes() == b.forecast.tobytes()


@pytest.mark.parametrize("name", MODELS)
def test_spec_documents_itself(name):
    spec = get(name)
    assert spec.name == name
    assert spec.summary and spec.complexity and spec.reference
    module = __import__(spec.run.__module__, fromlist=["_"])
    doc = (module.__doc__ or "") + (spec.run.__doc__ or "")
    assert "Complexity" in doc or "complexity" in doc, (
        f"{name}: docstring must state the complexity"
    )


ROUNDS = 6  # of the dynamic models in the column test; shocks fall on rounds 1 to 7


def batch_input(
    seed: int, n: int, m: int, grid: int, zeros: bool, per_column: bool, shocks: int
) -> ModelInput:
    """Like :func:`random_input`, with one capability per actor and column if ``per_column``
    (a batch of Monte Carlo draws) and ``shocks`` random changes at rounds 1 to ROUNDS + 1."""
    base = random_input(seed, n, m, grid, zeros)
    rng = np.random.default_rng([seed, 1])
    lo, hi = base.scale_min, base.scale_max

    def positions() -> np.ndarray:
        u = rng.integers(0, grid + 1, size=(n, m)) / grid if grid else rng.uniform(size=(n, m))
        return lo + (hi - lo) * u

    def saliences() -> np.ndarray:
        sal = rng.uniform(0, 1, size=(n, m))
        return np.where(rng.uniform(size=(n, m)) < 0.3, 0.0, sal) if zeros else sal

    cap = base.capability
    if per_column:
        cap = cap[:, None] * rng.lognormal(0.0, 0.5, size=(n, m))
    changes = []
    for _ in range(shocks):
        kind = rng.integers(0, 4)
        changes.append(
            Change(
                round=int(rng.integers(1, ROUNDS + 2)),
                capability=(
                    rng.uniform(0.01, 1, size=(n, m) if per_column else n)
                    if kind in (0, 3)
                    else None
                ),
                salience=saliences() if kind in (1, 3) else None,
                position=(
                    np.where(rng.uniform(size=(n, m)) < 0.3, positions(), np.nan)
                    if kind in (2, 3)
                    else None
                ),
            )
        )
    return ModelInput(
        cap, base.position, base.salience, lo, hi, base.status_quo, changes=tuple(changes)
    )


batches = st.builds(
    batch_input,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 12),
    m=st.integers(1, 6),
    grid=st.sampled_from([0, 2, 4, 10, 100]),
    zeros=st.booleans(),
    per_column=st.booleans(),
    shocks=st.sampled_from([0, 0, 1, 2, 3]),
)


def _columns_of(traj, idx):
    """Every array of a trajectory restricted to the columns ``idx`` (the last axis)."""
    out = {"positions": traj.positions[..., idx], "forecast": traj.forecast[idx]}
    out.update({f"per_round.{k}": v[..., idx] for k, v in traj.per_round.items()})
    out.update({f"details.{k}": v[..., idx] for k, v in traj.details.items()})
    return out


def _assert_same_bytes(part, whole, idx):
    want = _columns_of(whole, idx)
    got = _columns_of(part, slice(None))
    assert list(got) == list(want)
    for key, arr in got.items():
        assert arr.dtype == want[key].dtype and arr.shape == want[key].shape, key
        assert np.array_equal(arr, want[key], equal_nan=True), key
        assert np.ascontiguousarray(arr).tobytes() == np.ascontiguousarray(want[key]).tobytes(), key


def _run_batch(name: str, inp: ModelInput):
    """A model whose issues interact (``spec.joint``) runs each column alone
    (``issues="separate"``): only then are its columns independent."""
    spec = get(name)
    kw = {"issues": "separate"} if spec.joint else {}
    return spec.run(inp, rounds=ROUNDS, **kw) if spec.dynamic else spec.run(inp, **kw)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=60, deadline=None)
@given(inp=batches, cut_seed=st.integers(0, 2**32 - 1))
def test_each_column_gives_the_same_bytes_whatever_runs_beside_it(name, inp, cut_seed):
    """A column's result does not depend on the other columns, nor on how many there are:
    what makes a Monte Carlo ensemble independent of its chunk size."""
    m = inp.n_issues
    whole = _run_batch(name, inp)
    for j in range(m):
        _assert_same_bytes(_run_batch(name, inp.columns([j])), whole, [j])
    if m >= 2:
        cut = int(np.random.default_rng(cut_seed).integers(1, m))
        for idx in (np.arange(cut), np.arange(cut, m)):
            _assert_same_bytes(_run_batch(name, inp.columns(idx)), whole, idx)


@pytest.mark.parametrize("name", MODELS)
def test_details_false_changes_nothing_but_the_per_round_diagnostics(name):
    """Every model takes ``details`` (no model parameter: not in its defaults); False keeps
    the forecasts, positions, summaries and per-issue details, bit for bit."""
    spec = get(name)
    assert "details" not in spec.defaults
    inp = batch_input(3, 8, 3, 4, True, True, 2)
    kw: dict = {"rounds": ROUNDS} if spec.dynamic else {}
    if spec.joint:
        kw["issues"] = "separate"
    full, lean = spec.run(inp, **kw), spec.run(inp, details=False, **kw)
    assert full.positions.tobytes() == lean.positions.tobytes()
    assert full.forecast.tobytes() == lean.forecast.tobytes()
    for key, arr in full.per_round.items():
        assert arr.tobytes() == lean.per_round[key].tobytes()
    for key, arr in lean.details.items():
        assert arr.shape == (inp.n_issues,) and arr.tobytes() == full.details[key].tobytes()
    for key in set(full.details) - set(lean.details):
        # per round: one entry per round played, or per state (rounds + 1, round 0 included)
        assert full.details[key].shape[0] in (full.rounds, full.rounds + 1)


def test_unknown_model_names_the_known_ones():
    with pytest.raises(
        KeyError,
        match="known models: anchored-compromise, compromise, compromise-smp, eum, eum-pair, "
        "median, smp",
    ):
        get("oracle")


# ------------------------------------------------------------ capability by issue

_MINIMAL = __import__("pathlib").Path(__file__).parent / "data" / "minimal.yaml"


def _with_issue_caps(caps):
    from realpolitik.scenario import Scenario, load

    d = load(_MINIMAL).to_dict()
    for stance in d["stances"]:
        if (stance["actor"], stance["issue"]) in caps:
            stance["capability"] = caps[(stance["actor"], stance["issue"])]
    return Scenario.from_dict(d, origin="test")


def _issue_alone(sc, issue, caps):
    """``issue`` alone, each actor's capability the one given (its capability there)."""
    from realpolitik.scenario import Scenario

    d = sc.to_dict()
    d["issues"] = [i for i in d["issues"] if i["id"] == issue]
    d["stances"] = [s for s in d["stances"] if s["issue"] == issue]
    for s in d["stances"]:
        s.pop("capability", None)
    for a in d["actors"]:
        a["capability"] = caps.get(a["id"], a["capability"])
    return Scenario.from_dict(d, origin="test")


@pytest.mark.parametrize("name", MODELS)
def test_every_model_sees_the_capability_on_the_issue(name):
    """A scenario with issue capabilities (a stance's own ``capability``): each issue's
    forecast is the one of that issue alone with the actors' capabilities set to their
    capabilities on it, for every model (a joint one run issue by issue)."""
    import realpolitik as rp

    caps = {("a", "i1"): 0.5, ("c", "i1"): 6, ("b", "i2"): 4}
    sc = _with_issue_caps(caps)
    params = {name: {"issues": "separate"}} if get(name).joint else None
    fc = rp.forecast(sc, name, params=params)
    plain = rp.forecast(_with_issue_caps({}), name, params=params)
    for issue in ("i1", "i2"):
        own = {a: v for (a, i), v in caps.items() if i == issue}
        alone = rp.forecast(_issue_alone(sc, issue, own), name, params=params)
        assert fc.value(name, issue) == pytest.approx(alone.value(name, issue), nan_ok=True)
    if name == "compromise":  # and the override changes something
        assert fc.value(name, "i1") != pytest.approx(plain.value(name, "i1"))
