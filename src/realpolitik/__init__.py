"""realpolitik: what is this game, and who will win it?

The few verbs a notebook needs::

    import realpolitik as rp
    sc = rp.load("caucasus-2022")          # a path, a built-in name, or None for the default
    fc = rp.forecast(sc, model="all")      # a frozen Forecast, JSON-serialisable
    fc.value("eum", "karabakh-control")
    fc.gains("compromise")
"""

from __future__ import annotations

from ._version import __version__
from .errors import Problem, RealpolitikError, ScenarioError
from .forecasting import Forecast, ModelRun, forecast
from .models import REGISTRY as MODELS
from .scenario import Actor, Issue, Scenario, Source, Stance, load

__all__ = [
    "MODELS",
    "Actor",
    "Forecast",
    "Issue",
    "ModelRun",
    "Problem",
    "RealpolitikError",
    "Scenario",
    "ScenarioError",
    "Source",
    "Stance",
    "__version__",
    "forecast",
    "load",
]
