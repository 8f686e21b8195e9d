"""Bueno de Mesquita's expected-utility model (EUM), as unravelled by Scholz et al. (2011).

Source: J. B. Scholz, G. J. Calbert & G. A. Smith (2011), "Unravelling Bueno de Mesquita's
group decision model", *Journal of Theoretical Politics* 23(4): 510-531 (also ICAART 2011),
who reconstruct the model of B. Bueno de Mesquita (1994), "Political forecasting: an expected
utility method", in Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*,
ch. 4. ``docs/explanation/eum.md`` gives the derivation, every interpretive choice with its
reason, and the reproduction of Scholz et al.'s Table 2.

One issue at a time (all issues at once, each on its own): actor i has capability c_i,
salience s_i in [0, 1] and position x_i; w_i = c_i s_i; R is the range of the input
positions (``range_basis="positions"``, Scholz) or the issue's scale; d_ij = |x_i - x_j| / R.
Every round, each actor weighs against every other the expected utility of challenging it;
the challenges become offers (conflict, compromise, capitulation); each actor accepts one and
all move at once. The modules, in the order a round uses them:

* :mod:`.votes`: the votes v_k(a, b), their sums and the probabilities of success P_ij;
* :mod:`.equations`: the utilities, the expected utility E(U_ij), the risk exponents, and
  the tolerances within which quantities count as equal (so that the order of the actors
  never matters);
* :mod:`.round`: one round for a batch of issues: perceptions, offers, the choice among
  them, the moves (:mod:`.perceptions` gives the first step in the actors' order: the view
  from every actor);
* :mod:`.settle`: how a run ends (settled, a cycle, still moving) and what it forecasts:
  the median once settled, the mean over a narrow cycle, and nothing (``nan``,
  undetermined) where the states it goes round between lie far apart;
* :mod:`.engine`: :func:`run`: rounds over a batch, shocks at their rounds, rounds that
  repeat copied.

Complexity: O(n^2 log n) per round and issue (O(n^3) with ``vote_risk``), O(n^2) memory.
"""

from __future__ import annotations

from typing import Any

from ..base import ModelInput, ModelSpec, Trajectory
from ..standing import line as standing_line
from .engine import DEFAULT_ROUNDS, RANGE_BASES, ranges, run
from .equations import (
    CAPITULATION,
    COMPROMISE,
    CONFLICT,
    EU_ATOL,
    MOVE_RTOL,
    NO_OFFER,
    POS_RTOL,
    expected_utility,
    risk_exponents,
    utilities,
)
from .perceptions import Perceptions, perceptions
from .settle import DETERMINATE_RTOL, SETTLE_RTOL, settle
from .votes import PROBABILITIES, vote_sums, win_probabilities

__all__ = [
    "CAPITULATION",
    "COMPROMISE",
    "CONFLICT",
    "DEFAULT_ROUNDS",
    "DETERMINATE_RTOL",
    "EU_ATOL",
    "MOVE_RTOL",
    "NO_OFFER",
    "PAIR_SPEC",
    "POS_RTOL",
    "PROBABILITIES",
    "RANGE_BASES",
    "SETTLE_RTOL",
    "SPEC",
    "Perceptions",
    "expected_utility",
    "perceptions",
    "ranges",
    "risk_exponents",
    "run",
    "run_pair",
    "settle",
    "utilities",
    "vote_sums",
    "win_probabilities",
]

#: The diagnostics per actor (see ``ModelSpec.actor_details``): each round's risk exponent,
#: security level and whether the actor accepted an offer (values); who proposed it (a row).
ACTOR_DETAILS = {
    "risk_exponent": "value",
    "security": "value",
    "accepted": "value",
    "proposer": "index",
}

SPEC = ModelSpec(
    name="eum",
    run=run,
    summary="Bueno de Mesquita's expected-utility model: challenges, offers and moves; "
    "forecast = the Condorcet median once the rounds settle (undetermined where they "
    "cycle between distant states)",
    dynamic=True,
    default_rounds=DEFAULT_ROUNDS,
    defaults={
        "q": 1.0,
        "t": 1.0,
        "probability": "all_pairs",
        "vote_risk": False,
        "range_basis": "positions",
    },
    complexity="O(n^2 log n) per round and issue (O(n^3) with vote_risk), O(n^2) memory",
    actor_details=ACTOR_DETAILS,
    perceptions=perceptions,
    reference="Scholz, Calbert & Smith (2011), J. Theor. Politics 23(4):510-531; "
    "Bueno de Mesquita (1994), in European Community Decision Making, ch. 4",
)


def run_pair(inputs: ModelInput, /, **params: Any) -> Trajectory:
    """:func:`run` with the per-pair normaliser, P_ij = N_ij / (N_ij + N_ji) (``eum-pair``).

    The all-pairs normaliser of Scholz et al. (2011) makes every P of order 1/n^2, so that
    the salience term of the expected utility hardly depends on the votes and the model
    tends to cycle (153 of 201 DEU III development issues, 4 of 6 caucasus-2022 issues at
    40 rounds); with the per-pair one, P_ij + P_ji = 1 and the same rounds settle on 198 of
    the 201 issues and on every caucasus-2022 issue (docs/explanation/eum.md).
    """
    if "probability" in params:
        raise TypeError("eum-pair fixes probability='pair'; run 'eum' to choose it")
    return run(inputs, probability="pair", **params)


def perceptions_pair(x: Any, c: Any, s: Any, *, span: float, q: float = 1.0, t: float = 1.0,
                     probability: str | None = None) -> Perceptions:  # fmt: skip
    """:func:`perceptions` with the per-pair normaliser (``eum-pair``'s round 1)."""
    if probability not in (None, "pair"):
        raise TypeError("eum-pair fixes probability='pair'; view through 'eum' to choose it")
    return perceptions(x, c, s, span=span, q=q, t=t, probability="pair")


PAIR_SPEC = ModelSpec(
    name="eum-pair",
    run=run_pair,
    summary="the expected-utility model with the per-pair probability of success "
    "(P_ij + P_ji = 1), which settles where the Scholz specification cycles",
    dynamic=True,
    default_rounds=DEFAULT_ROUNDS,
    defaults={"q": 1.0, "t": 1.0, "vote_risk": False, "range_basis": "positions"},
    complexity=SPEC.complexity,
    actor_details=ACTOR_DETAILS,
    perceptions=perceptions_pair,
    reference="Scholz, Calbert & Smith (2011), sec. 3, with the normaliser of their eq. 2 "
    "taken per pair (their discussion of the alternatives); this project",
    in_all=False,
    standing=standing_line("eum-pair"),
)
