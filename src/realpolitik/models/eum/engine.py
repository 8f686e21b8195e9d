"""The EUM's run: rounds over a batch of issues, shocks at their rounds, repeats copied.

:func:`run` checks the parameters, then plays round after round with
:func:`~.round.play_round` on every issue still moving, in groups small enough for the
memory budget; applies each shock (:class:`~realpolitik.models.base.Change`) after the
round it is dated; records each round's positions, median and mean; stops computing an
issue whose positions repeat those of p <= 8 rounds before, bit for bit, with no change
since (a round is a function of the positions and the weights, so the run repeats from
there: its later rounds are copied); and reads the end of each run with
:func:`~.settle.settle`.

Shocks: a change dated round k >= 1 acts after round k has been computed and before the
offers of round k + 1 are made from round k's state. New capabilities and saliences give
the weights of the offers into round k + 1 and later, and of the median and mean of round
k and later; new positions replace those of round k of the actors they name, so
``positions[k]`` shows them and the next offers start from them. Rounds before k are those
of a run without the change; a change dated after the last round has no effect. R stays
the range of the round-0 input: a position moved beyond it makes d > 1 for some pairs,
which every equation handles (:mod:`.equations`).

Complexity: O(T m n^2 log n) time (O(T m n^3) with ``vote_risk``), O(n^2) memory per issue
in a group, plus the records, O(T n m), and the check for repeats, O(8 T n m) time;
rounds that repeat are copied, not computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import InputError
from .._ordered import ordered_sum, reduce_rows
from ..base import Change, ModelInput, Trajectory
from ..median import median_last
from .equations import CAPITULATION, COMPROMISE, CONFLICT
from .round import Buffers, Options, RoundResult, play_round
from .settle import settle
from .votes import DEFAULT_MAX_BYTES, METHODS, PROBABILITIES

__all__ = ["DEFAULT_ROUNDS", "RANGE_BASES", "ranges", "run"]

#: Rounds run by default: enough for the built-in scenarios to play out (see :func:`run`).
DEFAULT_ROUNDS = 40
RANGE_BASES = ("positions", "scale")
#: The longest period of exact repetition that stops computing an issue.
_PERIOD_MAX = 8
#: (n, n) float arrays a round holds at once, for the memory budget of a group of issues.
_ARRAYS_PER_ROUND = 32
#: Receiver-proposer pairs (over all the issues of a call) that keep a round's arrays in
#: cache: about 512 KiB per float array (measured: 1.5x the draws per second of one call
#: for a chunk of 2,000 draws of 10 to 14 actors).
_CACHE_PAIRS = 2**16
_PER_ACTOR = ("risk_exponent", "security", "accepted", "proposer")
_ALL = slice(None)  # every issue of the run
_NO_X = np.empty((0, 0))  # a kept round result's positions (stored elsewhere)
_COUNTS = ("offers_conflict", "offers_compromise", "offers_capitulation", "stalemates")


def ranges(inputs: ModelInput, range_basis: str = "positions") -> np.ndarray:
    """R per issue (m,): the input positions' range or the declared scale's width, either
    falling back to the other, then to 1, where it is zero."""
    pos = inputs.position.max(axis=0) - inputs.position.min(axis=0)
    scale = inputs.scale_max - inputs.scale_min
    first, second = (pos, scale) if range_basis == "positions" else (scale, pos)
    return np.where(first > 0, first, np.where(second > 0, second, 1.0)).astype(float)


def _bounded(inputs: ModelInput, shocks: dict[int, list[Change]], span: np.ndarray) -> bool:
    """Whether every d = |x_i - x_j| / R <= 1 in every round: a move never leaves the hull
    of the positions held, so the positions stay within the hull of the input's and the
    shocks' positions, and R must span it."""
    lo, hi = inputs.position.min(axis=0), inputs.position.max(axis=0)
    for changes in shocks.values():
        for ch in changes:
            if ch.position is not None:
                moved = ~np.isnan(ch.position)
                lo = np.minimum(lo, np.where(moved, ch.position, np.inf).min(axis=0))
                hi = np.maximum(hi, np.where(moved, ch.position, -np.inf).max(axis=0))
    return bool(np.all(span >= hi - lo))


def _weighted_mean(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The mean of each round's positions ``x`` (T, n, m) over the actors, weighted by
    ``w`` (n, m), the plain mean where sum w = 0: (T, m)."""
    total = ordered_sum(w, axis=0)
    weighted = ordered_sum(w * x, axis=1)
    if np.all(total > 0):
        return weighted / total
    plain = ordered_sum(x, axis=1) / max(1, x.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, weighted / total, plain)


def _buffers(cache: dict[Any, Any], n: int, g: int) -> Buffers:
    """The run's :class:`~.round.Buffers` for g issues, views of the run's pool of memory
    (``cache["pool"]``), made on first use."""
    bufs = cache.get(g)
    if bufs is None:
        bufs = cache[g] = Buffers(n, g, cache.setdefault("pool", {}))
    return bufs


def _store(
    played: list[tuple[int, list[tuple[slice | np.ndarray, RoundResult]]]],
    medians: np.ndarray,
    records: np.ndarray | None,
    orders: np.ndarray | None,
    counts: np.ndarray | None,
) -> None:
    """The results of the rounds played, (round, [(issues, result)]), into the run's arrays:
    the rounds that computed every issue in one call all at once, the others part by part."""
    whole = [(k, parts[0][1]) for k, parts in played if len(parts) == 1 and parts[0][0] is _ALL]
    if whole:
        listed = [k for k, _ in whole]
        steps: slice | list[int] = listed
        if listed[-1] - listed[0] + 1 == len(listed):  # (always, unless groups came first)
            steps = slice(listed[0], listed[-1] + 1)
        results = [res for _, res in whole]
        if results[0].median is not None:
            medians[steps] = np.array([res.median for res in results])
        if records is not None and orders is not None and counts is not None:
            for k, name in enumerate(("r", "security", "accepted", "proposer")):
                records[k, steps] = np.array([getattr(res, name) for res in results])
            orders[steps] = np.array([res.order for res in results])
            counts[:, steps] = np.array([res.counts for res in results]).transpose(1, 0, 2)
    for step, parts in played:
        if len(parts) == 1 and parts[0][0] is _ALL:
            continue
        for cols, res in parts:
            if res.median is not None:
                medians[step, cols] = res.median
            if records is not None and orders is not None and counts is not None:
                per_actor = (res.r, res.security, res.accepted, res.proposer, res.order)
                for dst, arr in zip((*records, orders), per_actor, strict=True):
                    dst[step][:, cols] = arr
                counts[:, step, cols] = res.counts


def _check(
    rounds: Any,
    q: Any,
    t: Any,
    probability: Any,
    range_basis: Any,
    method: Any,
    vote_risk: Any,
    max_bytes: Any,
) -> None:
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 0:
        raise InputError(f"rounds must be a non-negative integer, got {rounds!r}")
    for name, val in (("q", q), ("t", t)):
        if isinstance(val, (bool, np.bool_)) or not (
            isinstance(val, (int, float, np.integer, np.floating)) and 0.0 <= float(val) <= 1.0
        ):
            raise InputError(f"{name} must be a number in [0, 1], got {val!r}")
    if not isinstance(vote_risk, (bool, np.bool_)):
        raise InputError(f"vote_risk must be true or false, got {vote_risk!r}")
    if probability not in PROBABILITIES:
        raise InputError(f"probability must be one of {PROBABILITIES}, got {probability!r}")
    if range_basis not in RANGE_BASES:
        raise InputError(f"range_basis must be one of {RANGE_BASES}, got {range_basis!r}")
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")
    if method == "sorted" and vote_risk:
        raise InputError("method='sorted' needs vote_risk=False")
    if int(max_bytes) < 1:
        raise InputError("max_bytes must be positive")


def run(
    inputs: ModelInput,
    /,
    *,
    rounds: int = DEFAULT_ROUNDS,
    q: float = 1.0,
    t: float = 1.0,
    probability: str = "all_pairs",
    vote_risk: bool = False,
    range_basis: str = "positions",
    method: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    details: bool = True,
) -> Trajectory:
    """Run the EUM for ``rounds`` rounds; the package docstring gives the equations.

    Parameters
    ----------
    rounds : rounds of offers (0 returns the input and its median). The default, 40, lets
        the built-in scenarios play out (docs/explanation/eum.md, "How many rounds").
    q : Q, the probability that j's position stays put when i does not challenge (Scholz's
        Table 2 uses 1.0).
    t : T, the probability that, if it moves, it moves closer to i (matters only if q < 1).
    probability : "all_pairs" (default; the normaliser that reproduces Table 2) or "pair".
    vote_risk : weigh the votes in P with the voters' risk exponents (O(n^3) per round).
    range_basis : R from the input positions' range ("positions", Scholz) or the issue's
        declared scale ("scale"); either falls back to the other, then to 1, if zero.
    method : vote sums by "sorted" prefix sums, the "direct" formula, or "auto".
    max_bytes : memory budget of the large temporaries (issues are grouped, O(n^3) blocked).
    details : record the per-round diagnostics below; False leaves them out (the per-issue
        ones stay) and changes nothing else, for Monte Carlo runs that need the forecasts
        only. It is no model parameter (not in ``SPEC.defaults``).

    Each issue's results are the same, bit for bit, whatever issues run beside it, so a
    batch of Monte Carlo draws gives every draw what it gives run alone.

    Returns a :class:`Trajectory` whose ``forecast`` is each issue's end as
    :func:`~.settle.settle` reads it (``nan`` where undetermined) and whose ``details``
    hold per issue (m,): ``settled``, ``cycle_period``, ``forecast_low``,
    ``forecast_high``, ``determinate``; per round 1..T (index T-1): ``risk_exponent`` and
    ``security`` (T, n, m); ``accepted`` (T, n, m) with 0 none, 1 conflict, 2 compromise,
    3 capitulation; ``proposer`` (T, n, m) the proposer's actor index or -1; and (T, m)
    counts ``offers_conflict``, ``offers_compromise``, ``offers_capitulation``,
    ``stalemates`` (ordered receiver-proposer pairs) and ``moves_conflict``,
    ``moves_compromise``, ``moves_capitulation`` (actors that accepted such an offer).
    """
    _check(rounds, q, t, probability, range_basis, method, vote_risk, max_bytes)
    rounds = int(rounds)
    n, m = inputs.position.shape
    cap = np.array(inputs.capability_matrix(), dtype=float)  # (n, m)
    sal = np.array(inputs.salience, dtype=float)
    w = cap * sal  # c enters the model only through w = c s
    span = ranges(inputs, range_basis)
    # issues per call: within the memory budget, and few enough that a round's (n, n, g)
    # arrays stay in cache (a batch is memory-bound beyond; the bits do not depend on it)
    group = max(
        1, min(int(max_bytes) // max(1, n * n * 8 * _ARRAYS_PER_ROUND), _CACHE_PAIRS // (n * n))
    )
    shocks: dict[int, list[Change]] = {}
    for ch in inputs.changes:  # in the order of their rounds; later ones win
        if ch.round <= rounds:
            shocks.setdefault(ch.round, []).append(ch)
    options = Options(
        float(q),
        float(t),
        probability,
        bool(vote_risk),
        method,
        int(max_bytes),
        bool(details),
        _bounded(inputs, shocks, span),
    )
    quiet = max(shocks, default=0)  # the last round with a change
    epochs = [(0, w)]  # (first round, the weights in force from it on)

    positions = np.empty((rounds + 1, n, m))
    positions[0] = inputs.position
    medians = np.full((rounds + 1, m), np.nan)  # each round's, from the next round's sort
    records = np.zeros((4, rounds, n, m)) if details else None  # by slot ...
    orders = np.zeros((rounds, n, m), dtype=np.intp) if details else None  # ... of these
    counts = np.zeros((4, rounds, m)) if details else None
    active = np.arange(m)  # the issues still computed ...
    stop = np.full(m, rounds)  # ... until round stop, then repeating with period period
    period = np.zeros(m, dtype=np.intp)
    played: list[tuple[int, list[tuple[slice | np.ndarray, RoundResult]]]] = []
    buffers: dict[Any, Any] = {}  # a round's large arrays, by the number of issues
    bits = positions.view(np.uint64)  # repeats are judged on the bits ...
    sums = np.empty((rounds + 1, m))  # ... where the positions' sums match
    sums[0] = reduce_rows(positions[0])
    # (one issue: every round summed the same way, by one cheaper call)
    screen = [float(np.add.reduce(positions[0], axis=None))] if m == 1 else []

    for step in range(rounds):
        if active.size == 0:
            break
        every = active.size == m
        if every and m <= group:  # one call for every issue (no copies)
            res = play_round(positions[step], w, sal, span, options, _buffers(buffers, n, m))
            parts: list[tuple[slice | np.ndarray, RoundResult]] = [(_ALL, res)]
        else:
            x_now = positions[step] if every else positions[step][:, active]
            parts = []
            for first in range(0, active.size, group):
                sl = slice(first, first + group)
                cols = sl if every else active[sl]
                xs_ = x_now[:, sl]
                bufs = _buffers(buffers, n, xs_.shape[1])
                res = play_round(xs_, w[:, cols], sal[:, cols], span[cols], options, bufs)
                parts.append((cols, res))
        new = parts[0][1].x if len(parts) == 1 else np.concatenate([r.x for _, r in parts], axis=1)
        if details:  # the records, put in place at the end (positions are stored below)
            played.append((step, [(cols, res._replace(x=_NO_X)) for cols, res in parts]))
        else:
            for cols, res in parts:
                if res.median is not None:
                    medians[step, cols] = res.median
        for ch in shocks.get(step + 1, ()):  # the state of round step + 1 reflects them
            if ch.position is not None:
                moved = ch.position[:, active]
                new = np.where(np.isnan(moved), new, moved)
            if ch.capability is not None:
                cap = np.array(np.broadcast_to(ch.capability.reshape(n, -1), (n, m)))
            if ch.salience is not None:
                sal = np.array(ch.salience, dtype=float)
            if ch.capability is not None or ch.salience is not None:
                w = cap * sal
                if epochs[-1][0] == step + 1:
                    epochs.pop()
                epochs.append((step + 1, w))
        if every:
            positions[step + 1] = new
        else:
            positions[step + 1][:, active] = new
        # Repeats: positions equal, bit for bit, to those of p rounds before, with no change
        # since (so the weights are the same): the run repeats from there. The round is
        # compared with each of the last (at most _PERIOD_MAX) rounds whose sum of
        # positions it matches; the smallest p wins.
        top = min(_PERIOD_MAX, step + 1 - quiet)
        if m == 1:  # (the same screen with Python floats: fewer numpy calls for one issue)
            screen.append(float(np.add.reduce(positions[step + 1], axis=None)))
            candidate = top >= 1 and screen[-1] in screen[-1 - top : -1]
        else:
            # (in sequence, as reduce_rows adds, whatever the number of columns: the sums
            # of equal positions are equal)
            if every:
                sums[step + 1] = reduce_rows(positions[step + 1])
                recent, now_sum = sums[step + 1 - top : step + 1], sums[step + 1]
            else:  # (the columns stopped are not filled in yet: their rounds are copied below)
                now_sum = reduce_rows(positions[step + 1][:, active])
                sums[step + 1, active] = now_sum
                recent = sums[step + 1 - top : step + 1, active]
            candidate = top >= 1 and bool((recent == now_sum).any())
        if candidate:
            past, now = bits[step + 1 - top : step + 1], bits[step + 1]
            if not every:
                past, now = past[:, :, active], now[:, active]
            back = np.logical_and.reduce(past[::-1] == now, axis=1)  # row p - 1: period p
            found = np.logical_or.reduce(back, axis=0)
            if found.any():
                cols_ = active[found]
                stop[cols_], period[cols_] = step + 1, back.argmax(axis=0)[found] + 1
                active = active[~found]

    _store(played, medians, records, orders, counts)
    # The rounds after a repetition, copied: round k repeats round k - p.
    for k in range(int(stop.min(initial=rounds)) + 1, rounds + 1):
        cols = np.flatnonzero(stop < k)
        src = k - period[cols]
        positions[k][:, cols] = positions[src, :, cols].T
        if records is not None and orders is not None and counts is not None:
            records[:, k - 1][:, :, cols] = records[:, src - 1, :, cols].transpose(1, 2, 0)
            orders[k - 1][:, cols] = orders[src - 1, :, cols].T
            counts[:, k - 1, cols] = counts[:, src - 1, cols]
    # The medians and means of every round, each with the weights in force in it (the
    # medians of the rounds computed, with Q < 1, came from the rounds' own sorts; those
    # of the rounds copied after a repeat are copied too, below).
    means = np.empty((rounds + 1, m))
    copied = np.arange(rounds + 1)[:, None] > stop[None, :]
    for k, (first_round, w_k) in enumerate(epochs):
        end = epochs[k + 1][0] if k + 1 < len(epochs) else rounds + 1
        now = positions[first_round:end]
        means[first_round:end] = _weighted_mean(w_k, now)
        todo = np.isnan(medians[first_round:end]) & ~copied[first_round:end]
        if todo.all():
            w_rows = np.broadcast_to(w_k.T, (end - first_round, m, n))
            medians[first_round:end] = median_last(w_rows, now.transpose(0, 2, 1), span)
        elif todo.any():
            rs, cs = np.nonzero(todo)
            medians[first_round + rs, cs] = median_last(
                w_k.T[cs], positions[first_round + rs, :, cs], span[cs]
            )
    for k in range(int(stop.min(initial=rounds)) + 1, rounds + 1):
        cols = np.flatnonzero(stop < k)
        medians[k, cols] = medians[k - period[cols], cols]

    out: dict[str, np.ndarray] = {}
    if records is not None and orders is not None and counts is not None:
        # the records back in the actors' order, all rounds at once: the record of slot j
        # in round t of issue k goes to actor orders[t, j, k]
        at = (np.arange(rounds)[:, None, None] * n + orders) * m + np.arange(m)
        by_actor = np.empty_like(records)
        by_actor.reshape(4, -1)[:, at.reshape(-1)] = records.reshape(4, -1)
        out.update(zip(_PER_ACTOR, by_actor, strict=True))
        out.update(zip(_COUNTS, counts, strict=True))
        for code, name in (
            (CONFLICT, "conflict"),
            (COMPROMISE, "compromise"),
            (CAPITULATION, "capitulation"),
        ):
            out[f"moves_{name}"] = np.count_nonzero(records[2] == code, axis=1).astype(float)
    ending = settle(positions, medians, span, inputs.scale_max - inputs.scale_min)
    forecast = ending.pop("forecast")
    out.update(ending)
    return Trajectory(
        positions=positions,
        forecast=forecast,
        per_round={"median": medians, "mean": means},
        details=out,
    )
