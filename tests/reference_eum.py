"""A plain-Python reference of the EUM: loops over actors and pairs, floats and lists only.

It implements the same equations, interpretive choices and tolerances as
``realpolitik.models.eum`` (see that package's docstrings and docs/explanation/eum.md), the
way one would write them with loops, independently of the model's code (nothing is
imported from it): each round makes **one pass** over the ordered pairs
of actors (a, b) and the voters k, computes every vote v_k(a, b) once, and accumulates from
it everything the round needs: the sum of the positive votes of each pair (the numerator
of P_ab), the sum of their absolute values (the per-pair normaliser, and summed over all
pairs the all-pairs normaliser D) and the net vote of each pair (the median's pairwise
vote, from which the round's median mu is found). Then loops over pairs give the security
levels, the expected utilities and the offers. No numpy, no prefix sums, no algebra beyond
the equations: O(n^3) per round in pure Python. Shocks are applied as the model documents
them: a change dated round k, after round k is computed (new capabilities and saliences
from round k's median on; new positions replace round k's). :func:`settle` reads the end
of a run the model's way, by the same rule written as loops. It exists to check the
vectorised model (tests/test_eum.py) and to time it (benchmarks/bench_eum.py).

Usage::

    from reference_eum import reference_run
    out = reference_run(capability, positions, saliences, rounds=8)   # one issue
    out["median"], out["mean"], out["positions"]
    settle(out["positions"], out["median"], span, scale)
"""

from __future__ import annotations

from typing import Any

EU_ATOL = 1e-10
MOVE_RTOL = 1e-9
POS_RTOL = 1e-9
TIE_RTOL = 1e-9
SPREAD_RTOL = 1e-12
NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3


def weighted_mean(c: list[float], x: list[float], s: list[float]) -> float:
    tw = sum(ci * si for ci, si in zip(c, s, strict=True))
    if tw <= 0:
        return sum(x) / len(x)
    return sum(ci * si * xi for ci, si, xi in zip(c, s, x, strict=True)) / tw


def _median_from_margins(
    margin: dict[float, float], mean: float, scale: float, span: float
) -> float:
    """The documented tie rule: the positions that lose no vote by more than TIE_RTOL scale
    (f within TIE_RTOL scale of its minimum, in the terms of median.py: a position's
    smallest margin is f_min - f(x_j), or positive for the winner), then the one nearest
    the weighted mean (within TIE_RTOL span), then the lower one."""
    tied = [xj for xj in sorted(margin) if margin[xj] >= -TIE_RTOL * scale]
    near = min(abs(xj - mean) for xj in tied)
    return min(xj for xj in tied if abs(xj - mean) <= near + TIE_RTOL * span)


def pairwise_median(
    c: list[float], x: list[float], s: list[float], span: float | None = None
) -> float:
    """Condorcet winner from the pairwise votes v(j, k), with the documented tie rule.

    ``span`` is the length the tolerances are relative to (default: the positions' range).
    """
    n = len(x)
    cands = sorted(set(x))
    w = [c[i] * s[i] for i in range(n)]
    if span is None:
        span = cands[-1] - cands[0]
    # largest minimum margin over the other positions (a lone position has margin 0)
    margin = {}
    for xj in cands:
        worst = 0.0
        first = True
        for xk in cands:
            if xk == xj:
                continue
            v = sum(w[i] * (abs(x[i] - xk) - abs(x[i] - xj)) for i in range(n))
            if first or v < worst:
                worst, first = v, False
        margin[xj] = worst
    return _median_from_margins(margin, weighted_mean(c, x, s), sum(w) * span, span)


def _pow(base: float, e: float) -> float:
    """base ** e for a utility's base, which is 0 at the least (d > 1 clips U_s at 2)."""
    return max(base, 0.0) ** e


def expected_utility(
    p: float, d: float, s_target: float, dmu: float, rho: float, q: float, t: float
) -> float:
    us = 2.0 - 4.0 * _pow(0.5 - 0.5 * d, rho)
    uf = 2.0 - 4.0 * _pow(0.5 + 0.5 * d, rho)
    usq = 2.0 - 4.0 * _pow(0.5, rho)
    eu = s_target * (p * us + (1.0 - p) * uf) + (1.0 - s_target) * us - q * usq
    if q != 1.0:
        e = 0.25 * (dmu + d)
        ub = 2.0 - 4.0 * _pow(0.5 - e, rho)
        uw = 2.0 - 4.0 * _pow(0.5 + e, rho)
        eu -= (1.0 - q) * (t * ub + (1.0 - t) * uw)
    return eu


def vote_pass(
    x: list[float], w: list[float], span: float, r: list[float] | None
) -> tuple[list[list[float]], list[list[float]], list[list[float]], float]:
    """One pass over the ordered pairs (a, b) and the voters k, each vote computed once.

    v_k(a, b) = w_k (u_k(x_b) - u_k(x_a)), u_k(y) = |x_k - y| / R (to the power r_k if
    ``r`` is given). Returns, per pair, the sum of the positive votes, the sum of the
    absolute votes and the net vote, and the sum of the absolute votes over all pairs
    (the all-pairs normaliser D).
    """
    n = len(x)
    u = []  # u[k][y] = u_k(x_y)
    for k in range(n):
        row = []
        for y in range(n):
            val = abs(x[k] - x[y]) / span
            row.append(val if r is None else val ** r[k])
        u.append(row)
    voters = list(zip(w, u, strict=True))
    positive = [[0.0] * n for _ in range(n)]
    absolute = [[0.0] * n for _ in range(n)]
    net = [[0.0] * n for _ in range(n)]
    total = 0.0
    for a in range(n):
        for b in range(n):
            num = 0.0  # sum of max(0, v): the numerator of P_ab
            den = 0.0  # sum of |v|: the per-pair normaliser, summed over pairs into D
            vote = 0.0  # sum of v: the median's vote for x_a over x_b
            for wk, uk in voters:
                v = wk * (uk[b] - uk[a])
                if v > 0:
                    num += v
                den += abs(v)
                vote += v
            positive[a][b] = num
            absolute[a][b] = den
            net[a][b] = vote
            total += den
    return positive, absolute, net, total


def probabilities(
    positive: list[list[float]], absolute: list[list[float]], total: float, probability: str
) -> list[list[float]]:
    """P[i][j] = sum of i's positive votes over j / the normaliser (0 where it is 0)."""
    n = len(positive)
    p = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            den = total if probability == "all_pairs" else absolute[i][j]
            p[i][j] = positive[i][j] / den if den > 0 else 0.0
    return p


def median_from_votes(
    c: list[float], x: list[float], s: list[float], net: list[list[float]], span: float
) -> float:
    """The Condorcet median from the pass's net votes (which are divided by R)."""
    n = len(x)
    margin: dict[float, float] = {}
    for a in range(n):
        if x[a] in margin:
            continue
        worst = 0.0
        first = True
        for b in range(n):
            if x[b] != x[a] and (first or net[a][b] < worst):
                worst, first = net[a][b], False
        margin[x[a]] = worst
    total_w = sum(c[i] * s[i] for i in range(n))
    return _median_from_margins(margin, weighted_mean(c, x, s), total_w, span)


def risk_exponents(security: list[float]) -> list[float]:
    hi, lo = max(security), min(security)
    spread = hi - lo
    out = []
    for sec in security:
        if spread > SPREAD_RTOL * (abs(hi) + abs(lo)) + EU_ATOL:
            big_r = min(1.0, max(-1.0, (2.0 * sec - hi - lo) / spread))
        else:
            big_r = 0.0
        out.append((1.0 - big_r / 3.0) / (1.0 + big_r / 3.0))
    return out


def snap(y: float, xi: float, xj: float, tol: float) -> float:
    """A compromise landing within ``tol`` of either end: at x_i (no move) or on x_j."""
    if abs(y - xi) <= tol:
        return xi
    if abs(xj - y) <= tol:
        return xj
    return y


def one_round(
    c: list[float],
    x: list[float],
    s: list[float],
    span: float,
    *,
    q: float = 1.0,
    t: float = 1.0,
    probability: str = "all_pairs",
    vote_risk: bool = False,
) -> dict[str, Any]:
    """One round of offers and moves on one issue."""
    n = len(x)
    w = [c[i] * s[i] for i in range(n)]
    positive, absolute, net, total = vote_pass(x, w, span, None)
    p = probabilities(positive, absolute, total, probability)
    mu = median_from_votes(c, x, s, net, span)

    def d(i: int, j: int) -> float:
        return abs(x[i] - x[j]) / span

    def dmu(i: int) -> float:
        return abs(x[i] - mu) / span

    def differ(i: int, j: int) -> bool:  # positions within POS_RTOL R are one position
        return d(i, j) > POS_RTOL

    security = []
    for j in range(n):
        tot = 0.0
        for i in range(n):
            if differ(i, j):
                tot += expected_utility(p[i][j], d(i, j), s[j], dmu(i), 1.0, q, t)
        security.append(tot)
    r = risk_exponents(security)
    if vote_risk:
        positive, absolute, _, total = vote_pass(x, w, span, r)
        p = probabilities(positive, absolute, total, probability)

    e = EU_ATOL  # expected utilities within e of each other (or of 0) are equal
    new = list(x)
    accepted = [NO_OFFER] * n
    proposer = [-1] * n
    counts = dict.fromkeys(("conflict", "compromise", "capitulation", "stalemate"), 0)
    for i in range(n):
        offers: dict[int, list[tuple[float, float, float, int]]] = {
            CONFLICT: [],
            COMPROMISE: [],
            CAPITULATION: [],
        }
        for j in range(n):
            if not differ(i, j):
                continue
            a = expected_utility(p[i][j], d(i, j), s[j], dmu(i), r[i], q, t)  # E^i(U_ij)
            b = expected_utility(p[j][i], d(i, j), s[i], dmu(j), r[i], q, t)  # E^i(U_ji)
            if a <= e and b <= e:
                counts["stalemate"] += 1
            if b <= e:
                continue
            lo, hi = min(x[i], x[j]), max(x[i], x[j])
            if a > e and b - a > e:
                kind, target = CONFLICT, x[j]
            elif a <= e and a + b > e:
                frac = min(1.0, max(0.0, -a / b))
                kind, target = COMPROMISE, min(hi, max(lo, x[i] + (x[j] - x[i]) * frac))
            elif a <= e:
                kind, target = CAPITULATION, x[j]
            else:
                continue
            counts[{1: "conflict", 2: "compromise", 3: "capitulation"}[kind]] += 1
            offers[kind].append((abs(target - x[i]), b, target, j))
        mtol = MOVE_RTOL * span
        for kind in (CONFLICT, COMPROMISE, CAPITULATION):
            cand = offers[kind]
            if not cand:
                continue
            if kind == COMPROMISE:
                best_b = max(o[1] for o in cand)
                cand = [o for o in cand if -o[1] <= -best_b + EU_ATOL]
                best_m = min(o[0] for o in cand)
                cand = [o for o in cand if o[0] <= best_m + mtol]
            else:
                best_m = min(o[0] for o in cand)
                cand = [o for o in cand if o[0] <= best_m + mtol]
                best_b = max(o[1] for o in cand)
                cand = [o for o in cand if -o[1] <= -best_b + EU_ATOL]
            best_t = min(o[2] for o in cand)
            pick = min((o for o in cand if o[2] <= best_t), key=lambda o: o[3])
            target = pick[2]
            if kind == COMPROMISE:
                target = snap(target, x[i], x[pick[3]], POS_RTOL * span)
            new[i] = target
            accepted[i] = kind
            proposer[i] = pick[3]
            break
    return {
        "x": new,
        "mu": mu,
        "r": r,
        "security": security,
        "accepted": accepted,
        "proposer": proposer,
        "counts": counts,
    }


def reference_run(
    capability: list[float],
    position: list[float],
    salience: list[float],
    *,
    rounds: int = 10,
    q: float = 1.0,
    t: float = 1.0,
    probability: str = "all_pairs",
    vote_risk: bool = False,
    span: float | None = None,
    changes: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Run ``rounds`` rounds on one issue; ``span`` defaults to the input positions' range
    (then to 1 where it is 0). ``changes`` are dicts with ``round`` (>= 1) and any of
    ``capability`` and ``salience`` (every actor's values from then on) and ``position``
    (a list with a position or None per actor), applied in the order given."""
    c = [float(v) for v in capability]
    x = [float(v) for v in position]
    s = [float(v) for v in salience]
    if span is None:
        span = max(x) - min(x)
    if span <= 0:
        span = 1.0
    out: dict[str, Any] = {
        "positions": [list(x)],
        "median": [pairwise_median(c, x, s, span)],
        "mean": [weighted_mean(c, x, s)],
        "risk_exponent": [],
        "accepted": [],
        "proposer": [],
        "counts": [],
    }
    for k in range(1, rounds + 1):
        res = one_round(c, x, s, span, q=q, t=t, probability=probability, vote_risk=vote_risk)
        x = res["x"]
        for ch in changes:
            if ch["round"] != k:
                continue
            if ch.get("capability") is not None:
                c = [float(v) for v in ch["capability"]]
            if ch.get("salience") is not None:
                s = [float(v) for v in ch["salience"]]
            if ch.get("position") is not None:
                x = [x[i] if v is None else float(v) for i, v in enumerate(ch["position"])]
        out["positions"].append(list(x))
        out["median"].append(pairwise_median(c, x, s, span))
        out["mean"].append(weighted_mean(c, x, s))
        out["risk_exponent"].append(res["r"])
        out["accepted"].append(res["accepted"])
        out["proposer"].append(res["proposer"])
        out["counts"].append(res["counts"])
    return out


def settle(
    positions: list[list[float]],
    median: list[float],
    span: float,
    scale: float,
    rtol: float = 1e-3,
    band_rtol: float = 0.05,
) -> dict[str, Any]:
    """The end of one issue's run, read as the model reads it: settled (the last two
    rounds within rtol R), a cycle of the smallest period p >= 2 whose last p rounds each
    equal the round p before (2 p <= T + 1), or moving; the band of medians over the final
    window (1 round, the cycle, or the last T // 2 + 1 rounds, at least 2); the forecast: the last
    median, or the cycle's mean median, where the band is at most band_rtol of the scale
    (or the run settled), else None (undetermined)."""
    big_t = len(positions) - 1
    tol = rtol * span

    def same(u: list[float], v: list[float]) -> bool:
        return max((abs(a - b) for a, b in zip(u, v, strict=True)), default=0.0) <= tol

    settled = big_t >= 1 and same(positions[-1], positions[-2])
    period = 0
    if big_t >= 1 and not settled:
        for p in range(2, (big_t + 1) // 2 + 1):
            if all(same(positions[big_t - k], positions[big_t - k - p]) for k in range(p)):
                period = p
                break
    window = 1 if settled else period if period else min(big_t + 1, max(2, big_t // 2 + 1))
    states = median[big_t + 1 - window :]
    low, high = min(states), max(states)
    if period:
        value = sum(states) / period
    else:
        value = median[-1]
    width = scale if scale > 0 else span
    determinate = settled or high - low <= band_rtol * width
    return {
        "settled": settled,
        "cycle_period": period,
        "low": low,
        "high": high,
        "states": states if period else [median[-1]] if settled else [],
        "forecast": value if determinate else None,
    }
