"""realpolitik: what is this game, and who will win it?

The few verbs a notebook needs::

    import realpolitik as rp
    sc = rp.load("caucasus-2022")          # a path, a built-in name, or None for the default
    fc = rp.forecast(sc, model="all")      # a frozen Forecast, JSON-serialisable
    fc.value("eum", "karabakh-control")
    fc.gains("compromise")
    what_if = rp.intervene(sc, ["russia.capability*=0.6@3"])   # a shock from round 3
    ens = rp.simulate(sc, draws=2000, seed=1)                  # who wins, and how surely
    ens.actor_outlook("eum")

Each name is imported from its module when first used (:mod:`realpolitik._lazy`), so that
``import realpolitik`` takes a few milliseconds and ``rp.load`` and ``rp.forecast`` import
only what they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import attach
from ._version import __version__
from .errors import InputError, Problem, RealpolitikError, ScenarioError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.ensemble import Ensemble, simulate
    from .forecasting import Forecast, ModelRun, forecast
    from .models import REGISTRY as MODELS
    from .scenario import Actor, Issue, Outcome, Scenario, Shock, Source, Stance, load
    from .scenario.interventions import intervene

attach(
    __name__,
    {
        "Ensemble": ".analysis.ensemble",
        "simulate": ".analysis.ensemble",
        "Forecast": ".forecasting",
        "ModelRun": ".forecasting",
        "forecast": ".forecasting",
        "MODELS": ".models:REGISTRY",
        **dict.fromkeys(
            ("Actor", "Issue", "Outcome", "Scenario", "Shock", "Source", "Stance", "load"),
            ".scenario",
        ),
        "intervene": ".scenario.interventions",
    },
)

__all__ = [
    "MODELS",
    "Actor",
    "Ensemble",
    "Forecast",
    "InputError",
    "Issue",
    "ModelRun",
    "Outcome",
    "Problem",
    "RealpolitikError",
    "Scenario",
    "ScenarioError",
    "Shock",
    "Source",
    "Stance",
    "UnknownNameError",
    "__version__",
    "forecast",
    "intervene",
    "load",
    "simulate",
]
