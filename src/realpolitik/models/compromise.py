"""The compromise model: the capability x salience weighted mean.

.. math::

    \\hat{x}_m = \\frac{\\sum_i c_i s_{im} x_{im}}{\\sum_i c_i s_{im}}

Source: Achen (2006), "Institutional realism and bargaining models", in Thomson,
Stokman, Achen & König (eds.), *The European Union Decides*, Cambridge UP,
ch. 4; the "compromise model" of the DEU literature (van den Bos 1991).

It is static (no rounds). If every actor has zero weight on an issue the
forecast falls back to the unweighted mean of positions and that issue is
listed in ``details["zero_weight"]``.

Complexity: O(n m) time and memory for n actors and m issues.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import ModelInput, ModelSpec, Trajectory

__all__ = ["SPEC", "run", "weighted_mean"]


def weighted_mean(capability: np.ndarray, position: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Capability x salience weighted mean of ``position`` over its actor axis (-2).

    ``position`` and ``salience`` have shape (..., n, m), ``capability`` (..., n).
    Issues where all weights are zero get the plain mean.
    """
    w = capability[..., :, None] * salience
    total = w.sum(axis=-2)
    plain = position.mean(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w * position).sum(axis=-2) / total
    return np.where(total > 0, mean, plain)


def run(inputs: ModelInput, /, *, rounds: int = 0, **params: Any) -> Trajectory:
    """Forecast each issue as the capability x salience weighted mean of positions."""
    if params:
        raise TypeError(f"the compromise model takes no parameters, got {sorted(params)}")
    x = inputs.position
    forecast = weighted_mean(inputs.capability, x, inputs.salience)
    zero = (inputs.capability[:, None] * inputs.salience).sum(axis=0) <= 0
    return Trajectory(
        positions=x[None, :, :],
        forecast=forecast,
        per_round={"mean": forecast[None, :]},
        details={"zero_weight": zero.astype(float)},
    )


SPEC = ModelSpec(
    name="compromise",
    run=run,
    summary="capability x salience weighted mean of positions",
    dynamic=False,
    default_rounds=0,
    complexity="O(n m)",
    reference="Achen (2006); van den Bos (1991)",
)
