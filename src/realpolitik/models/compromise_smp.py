"""The mean of the compromise model and KTAB's spatial model of politics (``compromise-smp``).

The simplest ensemble of the model to beat and the new one, declared as a candidate before
either was scored on real outcomes (docs/explanation/accuracy-protocol.md):

    f_m = (f_m^compromise + f_m^smp) / 2

per issue m, the compromise forecast the capability x salience weighted mean
(:mod:`.compromise`) and the smp forecast its expected outcome (:mod:`.smp`). Its
trajectory is smp's (positions turn by turn); ``details`` hold both forecasts
(``compromise``, ``smp``) besides smp's per-issue details. It takes smp's parameters and,
like smp, runs the issues of a scenario as one space by default.

Complexity: that of smp, O(T (n^3 + n^2 m)), plus O(n m) for the mean.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import compromise, smp
from .base import ModelInput, ModelSpec, Trajectory
from .smp.options import MAX_ITER
from .standing import line as standing_line

__all__ = ["SPEC", "run"]


def run(
    inputs: ModelInput, /, *, rounds: int = MAX_ITER, details: bool = True, **params: Any
) -> Trajectory:
    """The mean of :func:`.compromise.run` and :func:`.smp.run` (``rounds`` turns, with
    ``params``), per issue. The compromise model sees the changes of the turns played (a
    change after the last turn has no effect on either)."""
    spatial = smp.run(inputs, rounds=rounds, details=details, **params)
    played = replace(inputs, changes=tuple(ch for ch in inputs.changes if ch.round <= rounds))
    mean = compromise.run(played, details=False).forecast
    per_issue = {k: v for k, v in spatial.details.items() if v.shape == mean.shape}
    extra = {k: v for k, v in spatial.details.items() if k not in per_issue}
    return Trajectory(
        positions=spatial.positions,
        forecast=0.5 * (mean + spatial.forecast),
        per_round=spatial.per_round,
        details={**per_issue, "compromise": mean, "smp": spatial.forecast, **extra},
    )


SPEC = ModelSpec(
    name="compromise-smp",
    run=run,
    summary="the mean of the compromise model's forecast and smp's, issue by issue",
    dynamic=True,
    default_rounds=smp.SPEC.default_rounds,
    defaults=dict(smp.SPEC.defaults),
    complexity=smp.SPEC.complexity,
    reference="this project (a candidate of docs/explanation/accuracy-protocol.md); "
    + smp.SPEC.reference,
    in_all=False,
    standing=standing_line("compromise-smp"),
    joint=True,
    stochastic=smp.SPEC.stochastic,
    actor_details=smp.SPEC.actor_details,
)
