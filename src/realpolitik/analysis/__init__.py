"""What runs the models many times: Monte Carlo ensembles, sensitivity, levers, back-tests.

Each module holds one analysis; they stand on :func:`realpolitik.arrays.issue_batch`
(a scenario's issue over many draws as one model input) and on :mod:`realpolitik.runner`
(where the draws execute).
"""

from __future__ import annotations

from .backtest import Backtest, backtest, grade_sealed
from .bottomline import BottomLine, ModelVerdict, bottom_line
from .ensemble import ActorOutlook, Ensemble, IssueOutlook, simulate
from .levers import Lever, Levers, levers
from .sensitivity import Sensitivity, sensitivity
from .viewfrom import ViewFrom, view_from

__all__ = [
    "ActorOutlook",
    "Backtest",
    "BottomLine",
    "Ensemble",
    "IssueOutlook",
    "Lever",
    "Levers",
    "ModelVerdict",
    "Sensitivity",
    "ViewFrom",
    "backtest",
    "bottom_line",
    "grade_sealed",
    "levers",
    "sensitivity",
    "simulate",
    "view_from",
]
