"""The contract every registered model must pass (one generic test over the registry):
positions stay on the scale, forecasts lie on it, permuting actors permutes positions and
changes no forecast, only capability ratios matter, and the same input gives the same bytes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models import REGISTRY, ModelInput, get

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
    assert np.all(traj.forecast >= inp.scale_min - tol)
    assert np.all(traj.forecast <= inp.scale_max + tol)
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


def test_unknown_model_names_the_known_ones():
    with pytest.raises(KeyError, match="known models: compromise, eum, median"):
        get("oracle")
