"""The compromise model: the capability x salience weighted mean.

.. math::

    \\hat{x}_m = \\frac{\\sum_i c_i s_{im} x_{im}}{\\sum_i c_i s_{im}}

Source: Achen (2006), "Institutional realism and bargaining models", in Thomson,
Stokman, Achen & König (eds.), *The European Union Decides*, Cambridge UP,
ch. 4; the "compromise model" of the DEU literature (van den Bos 1991).

It is static (no rounds): it forecasts from the input with every change applied
(:meth:`~realpolitik.models.base.ModelInput.final`), whose positions it returns. If every
actor has zero weight on an issue the forecast falls back to the unweighted mean of
positions and that issue is listed in ``details["zero_weight"]``.

Complexity: O(n m) time and memory for n actors and m issues.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import ModelInput, ModelSpec, Trajectory

__all__ = ["SPEC", "gradient", "run", "weighted_mean"]


def weighted_mean(capability: np.ndarray, position: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Capability x salience weighted mean of ``position`` over its actor axis (-2).

    ``position`` and ``salience`` have shape (..., n, m), ``capability`` (..., n).
    Issues where all weights are zero get the plain mean.
    """
    return _mean_of(capability[..., :, None] * salience, position)


def _mean_of(w: np.ndarray, position: np.ndarray) -> np.ndarray:
    """The ``w``-weighted mean of ``position`` over axis -2 (the plain mean where sum w = 0).

    The sums run over contiguous copies with the actors last, so that an issue's sums are
    the same bits whatever other issues stand beside it (numpy sums a contiguous axis
    pairwise, a strided one in sequence).
    """
    w, position = np.broadcast_arrays(w, position)
    wt = np.ascontiguousarray(np.swapaxes(w, -1, -2))
    xt = np.ascontiguousarray(np.swapaxes(position, -1, -2))
    total = wt.sum(axis=-1)
    plain = xt.mean(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (wt * xt).sum(axis=-1) / total
    return np.where(total > 0, mean, plain)


def run(
    inputs: ModelInput, /, *, rounds: int = 0, details: bool = True, **params: Any
) -> Trajectory:
    """Forecast each issue as the capability x salience weighted mean of positions.

    Static: ``rounds`` is accepted for a uniform interface and ignored, and so is
    ``details`` (the model has no per-round diagnostics to leave out). Every change of
    ``inputs`` is applied first (:meth:`ModelInput.final`).
    """
    if params:
        raise TypeError(f"the compromise model takes no parameters, got {sorted(params)}")
    inputs = inputs.final()
    x = inputs.position
    w = inputs.weights
    forecast = _mean_of(w, x)
    zero = np.ascontiguousarray(w.T).sum(axis=-1) <= 0
    return Trajectory(
        positions=x[None, :, :],
        forecast=forecast,
        per_round={"mean": forecast[None, :]},
        details={"zero_weight": zero.astype(float)},
    )


def gradient(
    capability: np.ndarray, salience: np.ndarray, position: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The forecast's partial derivatives on one issue, in closed form: for f = sum c s x /
    sum c s over the n participants (``capability``, ``salience``, ``position``, each (n,))
    and W = sum c s,

        df/dx_k = c_k s_k / W,   df/ds_k = c_k (x_k - f) / W,   df/dc_k = s_k (x_k - f) / W.

    Where every weight is zero f is the plain mean: df/dx_k = 1/n and the others 0.
    Returns (df/dx, df/ds, df/dc), each (n,). O(n).
    """
    c, s, x = (np.asarray(a, dtype=float) for a in (capability, salience, position))
    w = float(np.sum(c * s))
    if w <= 0:
        n = len(x)
        return np.full(n, 1.0 / n), np.zeros(n), np.zeros(n)
    f = float(np.sum(c * s * x) / w)
    return c * s / w, c * (x - f) / w, s * (x - f) / w


SPEC = ModelSpec(
    name="compromise",
    run=run,
    summary="capability x salience weighted mean of positions",
    complexity="O(n m)",
    reference="Achen (2006); van den Bos (1991)",
    gradient=gradient,
)
