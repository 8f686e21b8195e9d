"""The options of KTAB's spatial model of politics, with KTAB's defaults, and its constants.

Each option is one of KTAB's ``enum class`` settings (``KTAB/kmodel/libsrc/kmodel.h`` and
``examples/smp/libsrc/smp.h``), named here in snake_case, with its values in snake_case:

==================  ======================  ===================================================
parameter           KTAB name (XML tag)     values (KTAB's default first)
==================  ======================  ===================================================
vp_model            VPModel                 linear, square, quartic, octic, binary
                    (VictoryProbModel)
pce_model           PCEModel                conditional, markov_incentive, markov_uniform
state_trans_mode    StateTransMode          deterministic, stochastic
                    (StateTransitions)
voting_rule         VotingRule              prop, binary, prop_bin, prop_cbc, cubic, asym_prosp
big_r_adjust        BigRAdjust              one_third, none, half, two_thirds, full
big_r_range         BigRRange               mid, min, max
third_party_commit  ThirdPartyCommit        semi_commit, no_commit, full_commit
inter_vec_brgn      InterVecBrgn            s2p2, s1p1, s2pmax
bargn_model         BargnModel              init_only_interp, init_rcvr_interp,
                                            pw_comp_interp
==================  ======================  ===================================================

The defaults are those of ``Model`` (kmodel.h: ``vpm``, ``pcem``, ``stm``) and ``SMPModel``
(smp.h: ``vrCltn``, ``tpCommit``, ``bigRAdj``, ``bigRRng``, ``ivBrgn``, ``brgnMod``) at KTAB
commit 3b5b063, the settings every published SMP log ran with.

Complexity: O(1); nothing here computes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ...errors import InputError

__all__ = [
    "CAPABILITY_SCALE",
    "DEFAULTS",
    "KTAB_NAMES",
    "MAX_ITER",
    "MIN_BARGAIN_WEIGHT",
    "MIN_CHALLENGE",
    "MIN_COALITION",
    "MIN_DELTA_RATIO",
    "MIN_ITER",
    "MIN_SIG_DELTA",
    "MIN_SIG_EDU",
    "OPTIONS",
    "POS_TOL",
    "Options",
]

#: The values of every option, KTAB's order (the enum's order) kept.
OPTIONS: dict[str, tuple[str, ...]] = {
    "vp_model": ("linear", "square", "quartic", "octic", "binary"),
    "pce_model": ("conditional", "markov_incentive", "markov_uniform"),
    "state_trans_mode": ("deterministic", "stochastic"),
    "voting_rule": ("binary", "prop_bin", "prop", "prop_cbc", "cubic", "asym_prosp"),
    "big_r_adjust": ("none", "one_third", "half", "two_thirds", "full"),
    "big_r_range": ("min", "mid", "max"),
    "third_party_commit": ("no_commit", "semi_commit", "full_commit"),
    "inter_vec_brgn": ("s1p1", "s2p2", "s2pmax"),
    "bargn_model": ("init_only_interp", "init_rcvr_interp", "pw_comp_interp"),
}

#: KTAB's defaults (kmodel.h ``Model``, smp.h ``SMPModel``).
DEFAULTS: dict[str, str] = {
    "vp_model": "linear",
    "pce_model": "conditional",
    "state_trans_mode": "deterministic",
    "voting_rule": "prop",
    "big_r_adjust": "one_third",
    "big_r_range": "mid",
    "third_party_commit": "semi_commit",
    "inter_vec_brgn": "s2p2",
    "bargn_model": "init_only_interp",
}

#: How KTAB spells each option and value (``KTAB::*Names`` vectors, smpSchema.xsd).
KTAB_NAMES: dict[str, tuple[str, dict[str, str]]] = {
    option: (tag, dict(zip(OPTIONS[option], spelled, strict=True)))
    for option, tag, spelled in (
        ("vp_model", "VictoryProbModel", ("Linear", "Square", "Quartic", "Octic", "Binary")),
        ("pce_model", "PCEModel", ("Conditional", "MarkovIncentive", "MarkovUniform")),
        ("state_trans_mode", "StateTransitions", ("Deterministic", "Stochastic")),
        (
            "voting_rule",
            "VotingRule",
            ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
        ),
        ("big_r_adjust", "BigRAdjust", ("None", "OneThird", "Half", "TwoThirds", "Full")),
        ("big_r_range", "BigRRange", ("Min", "Mid", "Max")),
        ("third_party_commit", "ThirdPartyCommit", ("NoCommit", "SemiCommit", "FullCommit")),
        ("inter_vec_brgn", "InterVecBrgn", ("S1P1", "S2P2", "S2PMax")),
        ("bargn_model", "BargnModel", ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp")),
    )
}

# Constants of KTAB's code (file: function), all on KTAB's [0, 1] position scale.
#: Maximum iterations (smp.cpp: SMPModel::configExec ``maxIter``): the default ``rounds``.
MAX_ITER = 100
#: Minimum iterations before the stopping rule may fire (configExec ``minIter``).
MIN_ITER = 2
#: Stop when the last step moved less than this fraction of the first (``minDeltaRatio``).
MIN_DELTA_RATIO = 0.02
#: Added to the first step's length, against 0/0 (``minSigDelta``).
MIN_SIG_DELTA = 1e-4
#: Positions closer than this (Euclidean) are one position (SMPModel ``posTol``).
POS_TOL = 1e-3
#: Starting strength of every coalition of a PCE (kmodel.cpp: Model::coalitions ``minC``).
MIN_COALITION = 1e-8
#: Starting strength of the coalitions of a challenge (smpbcn.cpp: probEduChlg ``minCltn``).
MIN_CHALLENGE = 1e-10
#: Smallest expected gain worth a challenge (smpbcn.cpp: bestChallenge ``minSigEDU``).
MIN_SIG_EDU = 1e-5
#: Added to the initiator's weight in a bargain (smp.cpp: interpBrgnSnPm ``minW``).
MIN_BARGAIN_WEIGHT = 1e-6
#: Capabilities are rescaled so that the largest is this (KTAB's inputs run 0-100).
CAPABILITY_SCALE = 100.0


@dataclass(frozen=True)
class Options:
    """One choice for each of KTAB's options; :meth:`make` checks them."""

    vp_model: str = DEFAULTS["vp_model"]
    pce_model: str = DEFAULTS["pce_model"]
    state_trans_mode: str = DEFAULTS["state_trans_mode"]
    voting_rule: str = DEFAULTS["voting_rule"]
    big_r_adjust: str = DEFAULTS["big_r_adjust"]
    big_r_range: str = DEFAULTS["big_r_range"]
    third_party_commit: str = DEFAULTS["third_party_commit"]
    inter_vec_brgn: str = DEFAULTS["inter_vec_brgn"]
    bargn_model: str = DEFAULTS["bargn_model"]

    @classmethod
    def make(cls, **values: Any) -> Options:
        """The options ``values`` (KTAB's defaults for the others); an ``InputError`` names the
        option and its allowed values when a value is not one of them."""
        unknown = set(values) - set(OPTIONS)
        if unknown:
            raise TypeError(
                f"unknown smp option(s) {', '.join(sorted(unknown))}; "
                f"the options are: {', '.join(OPTIONS)}"
            )
        for name, value in values.items():
            if not isinstance(value, str) or value not in OPTIONS[name]:
                raise InputError(
                    f"{name} must be one of {', '.join(OPTIONS[name])} "
                    f"(KTAB's {KTAB_NAMES[name][0]}); got {value!r}"
                )
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def ktab(self) -> dict[str, str]:
        """The options as KTAB names them (XML tag -> value), e.g. for a KTAB XML file."""
        return {KTAB_NAMES[k][0]: KTAB_NAMES[k][1][v] for k, v in self.as_dict().items()}
