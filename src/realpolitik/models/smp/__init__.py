"""KTAB's spatial model of politics (SMP), reimplemented as pure functions over numpy arrays.

One concept per module:

* :mod:`.options` - KTAB's nine options with their defaults, and KTAB's constants;
* :mod:`.utility` - salience-weighted distances, utilities, risk attitudes;
* :mod:`.pce` - votes, coalitions, victory probabilities, the probabilistic Condorcet election;
* :mod:`.challenge` - challenges with third-party support, and each actor's best target;
* :mod:`.bargain` - bargains interpolated from challenges, and the choice among them;
* :mod:`.outcome` - KTAB's per-actor win probabilities and the forecast's reading;
* :mod:`.engine` - turns, simultaneous moves, the stopping rule;
* :mod:`.model` - ``run(ModelInput) -> Trajectory``, the mapping of inputs, and ``SPEC``.

Complexity: O(T (n^3 + n^2 m)) for T turns of n actors on m issues (see :mod:`.model`).
"""

from __future__ import annotations

from .model import DEFAULT_SEED, SPEC, run
from .options import DEFAULTS, OPTIONS, Options

__all__ = ["DEFAULTS", "DEFAULT_SEED", "OPTIONS", "SPEC", "Options", "run"]
