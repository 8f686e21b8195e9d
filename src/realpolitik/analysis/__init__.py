"""What runs the models many times: Monte Carlo ensembles, sensitivity, levers, back-tests.

Each module holds one analysis; they stand on :func:`realpolitik.arrays.issue_batch`
(a scenario's issue over many draws as one model input) and on :mod:`realpolitik.runner`
(where the draws execute). Each name is imported from its module when first used
(:mod:`realpolitik._lazy`): ``simulate`` does not import the back-test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # pragma: no cover
    from .backtest import Backtest, backtest, grade_sealed
    from .bottomline import BottomLine, ModelVerdict, bottom_line
    from .ensemble import ActorOutlook, Ensemble, IssueOutlook, simulate
    from .levers import Lever, Levers, levers
    from .sensitivity import Sensitivity, sensitivity
    from .viewfrom import ViewFrom, view_from

attach(
    __name__,
    {
        **dict.fromkeys(("Backtest", "backtest", "grade_sealed"), ".backtest"),
        **dict.fromkeys(("BottomLine", "ModelVerdict", "bottom_line"), ".bottomline"),
        **dict.fromkeys(("ActorOutlook", "Ensemble", "IssueOutlook", "simulate"), ".ensemble"),
        **dict.fromkeys(("Lever", "Levers", "levers"), ".levers"),
        **dict.fromkeys(("Sensitivity", "sensitivity"), ".sensitivity"),
        **dict.fromkeys(("ViewFrom", "view_from"), ".viewfrom"),
    },
)

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
