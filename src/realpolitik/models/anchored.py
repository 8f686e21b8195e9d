"""The anchored compromise: the weighted mean pulled toward the reference point.

.. math::

    \\hat{x}_m = \\frac{\\sum_i c_i s_{im} x_{im} + \\kappa W_m q_m}{W_m + \\kappa W_m}
              = \\frac{C_m + \\kappa q_m}{1 + \\kappa},
    \\qquad W_m = \\sum_i c_i s_{im}

where C_m is the compromise model's forecast (the capability x salience weighted mean,
:mod:`~realpolitik.models.compromise`) and q_m the reference point (the status quo): q enters
the weighted mean as a pseudo-actor holding a share kappa of the actors' total weight.
Where no reference point is known (``status_quo`` is ``nan``) the forecast is C. kappa = 0 is
the compromise model itself.

Rationale: the reversion point is what every actor that prefers it can fall back on by
blocking; the more a rule lets a minority block, the more the outcome should stay near it.
One parameter, kappa >= 0.

Source: the candidate-model protocol (docs/explanation/candidate-model-protocol.md), which
declared this candidate, its grid, its split of the DEU III development file and its one
check before anything was fitted; the result is in docs/explanation/candidate-model.md and
:mod:`realpolitik.analysis.candidate` reproduces it. Data: Arregui & Perarnaud (2022), DEU
III, doi:10.34810/data53 (CC BY 4.0).

Measured standing
-----------------
Fitted and checked as the protocol declared (:mod:`realpolitik.analysis.candidate`; DEU III
development file, Arregui & Perarnaud 2022, doi:10.34810/data53, CC BY 4.0):

* fitting part: 43 proposals (106 issues with an outcome, 72 of them with a reference
  point); on the grid 0, 0.05, ..., 2 the fitted kappa is **0.00**: the MAE rises
  monotonically with kappa, from 24.89 at 0 to 36.62 at 2. The data's answer is that the
  reference point, entered this way, does not help; at its fitted kappa this model *is*
  the compromise model.
* checking part, once: 42 proposals (95 issues): MAE 21.01 against the compromise model's
  21.01, difference +0.00 [0.00, 0.00] (paired bootstrap over proposals, 10,000 resamples,
  seed 20261125, 95%): identical forecasts.

The fit and the check were re-run mechanically, with the protocol and its code unchanged,
after the Council's weights under the Treaty of Nice were corrected (321, 345 or 352 votes
by the members of the day, not 352 throughout); kappa stayed 0.00 and the check's MAEs
moved by a hundredth (from 21.02).
* verdict: it does **not** beat the compromise model (the interval does not lie below 0),
  so it is not part of ``--model all``; run it by name, with another kappa through the
  Python API (``params={"anchored-compromise": {"kappa": 0.5}}``) to see what anchoring
  does.

It is static (no rounds): it forecasts from the input with every change applied
(:meth:`~realpolitik.models.base.ModelInput.final`), whose positions it returns. Each column
is computed from its own column only, so a column's result is the same bit for bit whatever
columns run beside it.

Complexity: O(n m) time and memory for n actors and m issues (the compromise model's, plus
O(m)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InputError
from . import compromise
from .base import ModelInput, ModelSpec, Trajectory

__all__ = ["KAPPA", "SPEC", "STANDING", "run"]

#: kappa fitted on the fitting part of DEU III's development file (see the module's docs).
KAPPA = 0.0
#: The measured result in one line (``realpolitik models`` shows it).
STANDING = (
    "kappa 0.00 fitted on 43 proposals (106 issues) of DEU III dev; on the other 42 (95 "
    "issues) MAE 21.01 vs the compromise model's 21.01, diff +0.00 [0.00, 0.00]: does not "
    "beat it"
)


def _check_kappa(kappa: Any) -> float:
    if isinstance(kappa, bool) or not isinstance(kappa, (int, float, np.integer, np.floating)):
        raise InputError(f"kappa must be a number >= 0, got {kappa!r}")
    k = float(kappa)
    if not (math.isfinite(k) and k >= 0):
        raise InputError(f"kappa must be a finite number >= 0, got {kappa!r}")
    return k


def run(
    inputs: ModelInput, /, *, rounds: int = 0, kappa: float = KAPPA, details: bool = True
) -> Trajectory:
    """Forecast each issue as (C + kappa q) / (1 + kappa): the compromise forecast C pulled
    toward the status quo q, or C where the status quo is unknown.

    Static: ``rounds`` is accepted for a uniform interface and ignored, and so is
    ``details`` (the model has no per-round diagnostics to leave out). Every change of
    ``inputs`` is applied first (:meth:`ModelInput.final`). ``kappa`` must be a finite
    number >= 0 (``ValueError`` otherwise).
    """
    k = _check_kappa(kappa)
    inputs = inputs.final()
    base = compromise.run(inputs)
    c = np.asarray(base.forecast)
    q = inputs.status_quo
    known = ~np.isnan(q)
    with np.errstate(invalid="ignore"):
        anchored = (c + k * q) / (1.0 + k)
    forecast = np.where(known, anchored, c)
    return Trajectory(
        positions=inputs.position[None, :, :],
        forecast=forecast,
        per_round={"compromise": c[None, :], "anchored": forecast[None, :]},
        details={
            "zero_weight": np.asarray(base.details["zero_weight"]),
            "anchored": known.astype(float),
        },
    )


SPEC = ModelSpec(
    name="anchored-compromise",
    run=run,
    summary="compromise forecast pulled toward the status quo: (C + kappa q) / (1 + kappa)",
    defaults={"kappa": KAPPA},
    complexity="O(n m)",
    reference="candidate-model protocol (docs/explanation/candidate-model-protocol.md); "
    "fitted and checked on DEU III dev (Arregui & Perarnaud 2022, doi:10.34810/data53)",
    in_all=False,
    standing=STANDING,
)
