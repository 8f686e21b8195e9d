"""KTAB's spatial model of politics (SMP) as a realpolitik model: ``run(inputs) -> Trajectory``.

Source: the SMP of the KAPSARC Toolkit for Behavioral Analysis (KTAB, MIT licence),
``examples/smp/libsrc/{smp.cpp, smpbcn.cpp}`` and ``KTAB/kmodel/libsrc/kmodel.cpp`` at commit
3b5b063; B. Wise, L. Lester & B. Efird, "An Introduction to the KAPSARC Toolkit for Behavioral
Analysis (KTAB) Using One-Dimensional Spatial Models", KAPSARC (2015); B. Efird, L. Lester &
B. Wise (2016), "The Impact of Coalitions on Policy Outcomes: Reform of China's State-Owned
Enterprises", Journal of East Asian Studies 16: 117-145. The equations are in the modules of
this package and in docs/explanation/smp.md.

How our inputs map to KTAB's
----------------------------
* positions: each issue's scale [scale_min, scale_max] maps linearly onto KTAB's [0, 1]
  (a KTAB CSV's 0-100 becomes x / 100, as KTAB reads it) and back;
* saliences (0-1 per stance) are KTAB's saliences as given. With ``issues="joint"`` (the
  default of ``run`` and of the registry's ``SPEC``, as KTAB: the issues are the
  dimensions of one space) an actor's saliences are its
  shares of attention over the dimensions, and KTAB requires their sum to be at most 1 (its
  readers reject a total above 100); an actor whose saliences sum above 1 (independent
  per-issue saliences, as in our scenarios) has them divided by their sum, its relative
  emphases kept (``details["salience_rescaled"]`` counts such actors). With
  ``issues="separate"`` each issue is its own 1-D run with the issue's salience;
* capability is KTAB's "power"; capabilities are rescaled so that the largest is
  ``capability_scale`` (100, the scale of KTAB's inputs), which leaves every ratio alone and
  makes only-ratios-matter exact despite KTAB's small additive guards (1e-8, 1e-10);
  ``capability_scale=None`` takes them as given (KTAB's arithmetic for any input). A
  capability per actor and issue
  (n, m) is, in a joint run, the salience-weighted mean over the issues of each actor (which
  keeps its effective power sum_k c_ik s_ik; the plain mean where all its saliences are 0);
* an actor whose saliences are all 0 (KTAB throws) is indifferent: every position is worth 1
  to it, it votes nothing, never challenges, and yields to any challenger;
* a capability of 0 (KTAB throws) gives an actor no vote.

Trajectory
----------
``positions`` (rounds + 1, n, m) turn by turn in issue units: the state of turn 0 is the
input; once the stopping rule fires at turn T (``details["turns"]``) the state is held, so the
array always has ``rounds`` + 1 turns (and with ``issues="separate"`` a column's result never
depends on another's).
``forecast`` (m,): the expected outcome of the probabilistic Condorcet election among the final
state's positions (:mod:`.outcome`); ``per_round["expected"]`` (rounds + 1, m) the same
reading at every turn. ``details`` (with ``details=True``; every per-actor array has the
actors on axis 1 and the issues last; in a joint run the m columns repeat the run's values):

* ``win_probability`` (rounds + 1, n, m): each actor's probability that its position wins,
  as KTAB prints it ("prob :", :func:`.outcome.win_probabilities`);
* ``risk_attitude`` (rounds + 1, n, m): the actors' R;
* ``target``, ``partner`` (rounds, n, m): whom each actor challenged in turn t + 1, and the
  other party of the bargain it adopted (-1: none; its status quo);
* ``fractional_change`` (rounds, m): the stopping rule's ratio after turn t + 1 (``nan`` once
  stopped);

and always, per issue (m,): ``turns``, the last turn played (KTAB's number of steps when the
run has no shocks), ``converged`` (1 if the run ended at rest, stopped by the
fractional-change test; 0 if it was still moving at turn ``rounds``), ``most_probable`` (the
final state's most probable position), ``salience_rescaled`` (actors whose input saliences
were divided by their sum).

Shocks (``inputs.changes``)
---------------------------
As in the EUM (:mod:`realpolitik.models.eum`): a change dated turn k >= 1 acts after turn k
has been played, before the state of turn k is assessed: capabilities and saliences in force
from turn k on (turn k's risk attitudes and probabilities, the moves into k + 1), positions of
turn k of the actors named (``positions[k]`` shows them); a change dated after ``rounds`` has
no effect. A run the stopping rule has stopped is at rest (its state held); a change that alters the
values in force or moves an actor restarts the bargaining from the state of its turn, and no
turn with such a change stops the run (:mod:`.engine`). Without changes this is KTAB's run.

Randomness: only ``state_trans_mode="stochastic"`` draws (one uniform per actor per turn, in
actor order) from ``seed``: an int (default: KTAB's default seed 0xD67CC16FE69C185C), a
``numpy.random.SeedSequence`` or a ``numpy.random.Generator``. With ``issues="separate"`` issue
k draws from child k of the seed (``SeedSequence.spawn``). KTAB's own generator differs, so a
stochastic run does not repeat KTAB's draws.

Complexity: O(T (n^3 + n^2 m)) time for a joint run of T turns with n actors and m issues,
O(n^2) memory plus blocks of O(b n^2) (a few MiB each); ``issues="separate"`` runs m such runs
of one dimension.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...errors import InputError, check_whole
from ..base import ModelInput, ModelSpec, Trajectory
from ..standing import line as standing_line
from .engine import Shift, SpaceRun, run_space
from .options import CAPABILITY_SCALE, DEFAULTS, MAX_ITER, Options

__all__ = ["DEFAULT_SEED", "SPEC", "run"]

#: KTAB's default PRNG seed (kutils.h ``dSeed``), the default of ``seed``.
DEFAULT_SEED = 0xD67CC16FE69C185C

ISSUES = ("joint", "separate")


def _check(inputs: ModelInput) -> None:
    if inputs.n_actors == 0:
        raise ValueError("smp needs at least one actor")
    lo, hi = inputs.scale_min, inputs.scale_max
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(hi >= lo)):
        raise ValueError("every issue needs a finite scale with scale_max >= scale_min")
    for name, arr in (
        ("position", inputs.position),
        ("salience", inputs.salience),
        ("capability", inputs.capability),
    ):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"smp needs finite values; {name} has nan or inf")
    if np.any(inputs.position < lo) or np.any(inputs.position > hi):
        raise ValueError("a position lies outside its issue's scale")
    if np.any(inputs.salience < 0) or np.any(inputs.salience > 1):
        raise ValueError("saliences must lie in [0, 1]")
    if np.any(inputs.capability < 0):
        raise ValueError("capabilities must be 0 or more")


def _rescaled_salience(s: np.ndarray) -> tuple[np.ndarray, int]:
    total = np.add.reduce(s, axis=1)
    over = total > 1.0
    if not over.any():
        return s, 0
    return np.where(over[:, None], s / np.where(over, total, 1.0)[:, None], s), int(over.sum())


def _capability(cap: np.ndarray, s: np.ndarray, scale: float | None) -> np.ndarray:
    """One capability per actor (a row of per-issue capabilities: its salience-weighted mean),
    rescaled so that the largest is ``scale`` (None: as given)."""
    if cap.ndim == 2:
        if cap.shape[1] == 1:
            cap = cap[:, 0]
        else:
            total = np.add.reduce(s, axis=1)
            weighted = np.add.reduce(cap * s, axis=1) / np.where(total > 0, total, 1.0)
            plain = np.add.reduce(cap, axis=1) / cap.shape[1]
            same = np.all(cap == cap[:, :1], axis=1)
            cap = np.where(same, cap[:, 0], np.where(total > 0, weighted, plain))
    top = float(cap.max())
    if not top > 0:
        raise ValueError("every capability is zero; smp needs at least one positive")
    return cap if scale is None else cap * (scale / top)


def _unit(x: np.ndarray, lo: np.ndarray, span: np.ndarray) -> np.ndarray:
    safe = np.where(span > 0, span, 1.0)
    return np.clip(np.where(span > 0, (x - lo) / safe, 0.0), 0.0, 1.0)


def _generator(seed: Any) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _children(seed: Any, count: int) -> list[np.random.Generator]:
    if isinstance(seed, np.random.Generator):
        return list(seed.spawn(count))
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(c) for c in ss.spawn(count)]


def _one_space(
    inputs: ModelInput,
    rounds: int,
    opts: Options,
    rng: np.random.Generator | None,
    details: bool,
    scale: float | None,
) -> tuple[SpaceRun, dict[int, np.ndarray], int]:
    """Run the issues of ``inputs`` as the dimensions of one space; also the shocked
    positions in issue units by turn, and the number of actors whose saliences were scaled."""
    lo, hi = inputs.scale_min, inputs.scale_max
    span = hi - lo
    s, rescaled = _rescaled_salience(inputs.salience)
    cap = _capability(inputs.capability, s, scale)
    x = _unit(inputs.position, lo, span)
    shifts = []
    moved: dict[int, np.ndarray] = {}
    s_now = s
    for ch in inputs.changes:
        sal = None
        if ch.salience is not None:
            if not (
                np.all(np.isfinite(ch.salience)) and np.all((ch.salience >= 0) & (ch.salience <= 1))
            ):
                raise ValueError(f"change at round {ch.round}: saliences must lie in [0, 1]")
            sal, _ = _rescaled_salience(ch.salience)
            s_now = sal
        c = None
        if ch.capability is not None:
            if not (np.all(np.isfinite(ch.capability)) and np.all(ch.capability >= 0)):
                raise ValueError(f"change at round {ch.round}: capabilities must be 0 or more")
            c = _capability(ch.capability, s_now, scale)
        pos = None
        if ch.position is not None:
            given = ~np.isnan(ch.position)
            if np.any(given & ((ch.position < lo) | (ch.position > hi))):
                raise ValueError(f"change at round {ch.round}: a position lies outside its scale")
            pos = np.where(given, _unit(np.where(given, ch.position, lo), lo, span), np.nan)
            if ch.round <= rounds:
                prev = moved.get(ch.round, np.full(ch.position.shape, np.nan))
                moved[ch.round] = np.where(given, ch.position, prev)
        shifts.append(Shift(ch.round, c, sal, pos))
    return run_space(x, s, cap, rounds, opts, rng, tuple(shifts), details), moved, rescaled


def _pad(seq: Sequence[Any], length: int, fill: float | None = None) -> np.ndarray:
    arr = np.asarray(seq, dtype=float)
    if arr.shape[0] >= length:
        return arr[:length]
    if fill is None:
        extra = np.repeat(arr[-1:], length - arr.shape[0], axis=0)
    else:
        extra = np.full((length - arr.shape[0], *arr.shape[1:]), fill)
    return np.concatenate([arr, extra]) if arr.shape[0] else extra


def _columns(
    inputs: ModelInput,
    res: SpaceRun,
    moved: dict[int, np.ndarray],
    rescaled: int,
    rounds: int,
    details: bool,
) -> dict[str, np.ndarray]:
    """A space's record as arrays in issue units, issues last, padded to ``rounds``."""
    lo, hi = inputs.scale_min, inputs.scale_max
    span = hi - lo
    m = inputs.n_issues
    units = _pad(res.positions, rounds + 1)  # (T+1, n, d)
    pos = np.empty_like(units)
    pos[0] = inputs.position
    for t in range(1, rounds + 1):
        fresh = np.clip(lo + units[t] * span, np.minimum(lo, hi), hi)
        pos[t] = np.where(units[t] == units[t - 1], pos[t - 1], fresh)
        if t in moved and t < len(res.positions):
            pos[t] = np.where(np.isnan(moved[t]), pos[t], moved[t])
    out = {
        "positions": pos,
        "expected": np.clip(lo + _pad(res.expected, rounds + 1) * span, lo, hi),
        "turns": np.full(m, float(res.turns)),
        "converged": np.full(m, 1.0 if res.converged else 0.0),
        "most_probable": np.clip(lo + res.most_probable[-1] * span, lo, hi),
        "salience_rescaled": np.full(m, float(rescaled)),
    }
    if details:

        def per_issue(a: np.ndarray) -> np.ndarray:
            return np.repeat(a[..., None], m, axis=-1)

        out["win_probability"] = per_issue(_pad(res.win, rounds + 1))
        out["risk_attitude"] = per_issue(_pad(res.risk, rounds + 1))
        n = inputs.n_actors
        out["target"] = per_issue(_pad(res.target, rounds, -1.0).reshape(rounds, n))
        out["partner"] = per_issue(_pad(res.partner, rounds, -1.0).reshape(rounds, n))
        out["fractional_change"] = per_issue(_pad(res.ratio, rounds, np.nan).reshape(rounds))
    return out


def run(
    inputs: ModelInput,
    /,
    *,
    rounds: int = MAX_ITER,
    details: bool = True,
    issues: str = "joint",
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    capability_scale: float | None = CAPABILITY_SCALE,
    vp_model: str = DEFAULTS["vp_model"],
    pce_model: str = DEFAULTS["pce_model"],
    state_trans_mode: str = DEFAULTS["state_trans_mode"],
    voting_rule: str = DEFAULTS["voting_rule"],
    big_r_adjust: str = DEFAULTS["big_r_adjust"],
    big_r_range: str = DEFAULTS["big_r_range"],
    third_party_commit: str = DEFAULTS["third_party_commit"],
    inter_vec_brgn: str = DEFAULTS["inter_vec_brgn"],
    bargn_model: str = DEFAULTS["bargn_model"],
) -> Trajectory:
    """Run KTAB's spatial model of politics on ``inputs`` until KTAB's stopping rule fires or
    ``rounds`` turns (KTAB's maximum, 100) have been played.

    ``issues``: ``"joint"`` (the issues are the dimensions of one space, as in KTAB) or
    ``"separate"`` (each issue its own one-dimensional run; every column then is the same,
    bit for bit, whatever columns run beside it). The nine KTAB options take KTAB's values in
    snake_case, KTAB's defaults by default (:mod:`.options`); an ``InputError`` names an option
    given a value it does not have, and its allowed values. See the module docstring for the
    mapping of inputs, the trajectory's arrays, shocks and seeds.

    Complexity: O(T (n^3 + n^2 m)) for T turns, n actors, m issues (joint).
    """
    opts = Options.make(
        vp_model=vp_model,
        pce_model=pce_model,
        state_trans_mode=state_trans_mode,
        voting_rule=voting_rule,
        big_r_adjust=big_r_adjust,
        big_r_range=big_r_range,
        third_party_commit=third_party_commit,
        inter_vec_brgn=inter_vec_brgn,
        bargn_model=bargn_model,
    )
    if isinstance(rounds, bool) or int(rounds) != rounds or rounds < 0:
        raise InputError(f"rounds must be a whole number of 0 or more, got {rounds!r}")
    rounds = int(rounds)
    if issues not in ISSUES:
        raise InputError(f"issues must be one of {', '.join(ISSUES)}; got {issues!r}")
    if seed is None:
        seed = DEFAULT_SEED
    elif not isinstance(seed, np.random.Generator | np.random.SeedSequence):
        seed = check_whole(seed, "seed", high=2**64 - 1, bound="2**64 - 1")  # KTAB's: 64 bits
    if capability_scale is not None and (
        isinstance(capability_scale, bool)
        or not (isinstance(capability_scale, int | float) and 0 < capability_scale < np.inf)
    ):
        raise InputError(
            f"capability_scale must be a positive number or None; got {capability_scale!r}"
        )
    _check(inputs)
    stochastic = opts.state_trans_mode == "stochastic"
    m = inputs.n_issues
    if issues == "joint":
        rng = _generator(seed) if stochastic else None
        one = _one_space(inputs, rounds, opts, rng, details, capability_scale)
        parts = [_columns(inputs, *one, rounds, details)]
    else:
        rngs: list[np.random.Generator | None] = (
            list(_children(seed, m)) if stochastic else [None] * m
        )
        parts = []
        for k in range(m):
            col = inputs.columns([k])
            one = _one_space(col, rounds, opts, rngs[k], details, capability_scale)
            parts.append(_columns(col, *one, rounds, details))
    merged = {key: np.concatenate([p[key] for p in parts], axis=-1) for key in parts[0]}
    per_issue = ("turns", "converged", "most_probable", "salience_rescaled")
    per_round = ("win_probability", "risk_attitude", "target", "partner", "fractional_change")
    return Trajectory(
        positions=merged["positions"],
        forecast=merged["expected"][-1],
        per_round={"expected": merged["expected"]},
        details={k: merged[k] for k in per_round + per_issue if k in merged},
    )


def draws(params: Mapping[str, Any]) -> bool:
    """Whether a run with ``params`` draws random numbers: KTAB's stochastic state
    transitions only (``ModelSpec.stochastic``)."""
    return params.get("state_trans_mode") == "stochastic"


SPEC = ModelSpec(
    name="smp",
    run=run,
    summary="KTAB's spatial model of politics: challenges, bargains and a probabilistic "
    "Condorcet election, turn by turn",
    dynamic=True,
    default_rounds=MAX_ITER,
    # KTAB's joint space by default, as ``run``: the result layer hands a joint model the
    # whole scenario (draw by draw in a simulation; a one-issue case of a back-test is its
    # own one-dimensional space); ``issues="separate"`` runs the issues one at a time.
    defaults={
        **DEFAULTS,
        "issues": "joint",
        "seed": None,
        "capability_scale": CAPABILITY_SCALE,
    },
    complexity="O(T (n^3 + n^2 m)) for T turns (joint issues)",
    reference="KTAB SMP (KAPSARC, MIT licence, commit 3b5b063); Wise, Lester & Efird (2015); "
    "Efird, Lester & Wise (2016), J. East Asian Studies 16: 117-145",
    in_all=False,
    stochastic=draws,
    standing=standing_line("smp"),
    joint=True,
    # each turn's probability of winning and risk attitude (values); whom an actor
    # challenged and the partner it bargained with (rows)
    actor_details={
        "win_probability": "value",
        "risk_attitude": "value",
        "target": "index",
        "partner": "index",
    },
)
