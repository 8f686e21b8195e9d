"""What runs the models many times: Monte Carlo ensembles, sensitivity, levers.

Each module holds one analysis; they stand on :func:`realpolitik.forecasting.issue_batch`
(a scenario's issue over many draws as one model input) and on :mod:`realpolitik.runner`
(where the draws execute).
"""

from __future__ import annotations

from .ensemble import ActorOutlook, Ensemble, IssueOutlook, simulate
from .levers import Lever, Levers, levers
from .sensitivity import Sensitivity, sensitivity
from .viewfrom import ViewFrom, view_from

__all__ = [
    "ActorOutlook",
    "Ensemble",
    "IssueOutlook",
    "Lever",
    "Levers",
    "Sensitivity",
    "ViewFrom",
    "levers",
    "sensitivity",
    "simulate",
    "view_from",
]
