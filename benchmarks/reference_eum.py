"""A plain-Python reference of the EUM: loops over actors and pairs, floats and lists only.

It implements the same equations and the same interpretive choices as
``realpolitik.models.eum`` (see that module's docstring and docs/explanation/eum.md), but
straight from the definitions: every vote sum is the explicit sum over voters, the
normaliser of the probabilities is the explicit triple sum over voters and ordered pairs of
actors, and the median is found from the pairwise votes. It is deliberately slow
(O(n^3) per round in pure Python) and exists to check the vectorised model and to time it.

Usage::

    from reference_eum import reference_run
    out = reference_run(capability, positions, saliences, rounds=8)   # one issue
    out["median"], out["mean"], out["positions"]
"""

from __future__ import annotations

from typing import Any

EU_ATOL = 1e-12
MOVE_RTOL = 1e-9
TIE_RTOL = 1e-9
SPREAD_RTOL = 1e-12
NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3


def weighted_mean(c: list[float], x: list[float], s: list[float]) -> float:
    tw = sum(ci * si for ci, si in zip(c, s, strict=True))
    if tw <= 0:
        return sum(x) / len(x)
    return sum(ci * si * xi for ci, si, xi in zip(c, s, x, strict=True)) / tw


def pairwise_median(c: list[float], x: list[float], s: list[float]) -> float:
    """Condorcet winner from the pairwise votes v(j, k), with the documented tie rule."""
    n = len(x)
    cands = sorted(set(x))
    w = [c[i] * s[i] for i in range(n)]
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
    best = max(margin.values())
    scale = sum(w) * (cands[-1] - cands[0])
    tied = [xj for xj in cands if margin[xj] >= best - TIE_RTOL * scale]
    mean = weighted_mean(c, x, s)
    near = min(abs(xj - mean) for xj in tied)
    span = cands[-1] - cands[0]
    return min(xj for xj in tied if abs(xj - mean) <= near + TIE_RTOL * span)


def _pow(base: float, e: float) -> float:
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


def probabilities(
    x: list[float], w: list[float], span: float, r: list[float] | None, probability: str
) -> list[list[float]]:
    """P[i][j] straight from the definition (explicit sums over voters and pairs)."""
    n = len(x)

    def u(k: int, y: float) -> float:
        val = abs(x[k] - y) / span
        return val if r is None else val ** r[k]

    def vote(k: int, a: float, b: float) -> float:  # v_k(a, b): k's vote for a over b
        return w[k] * (u(k, b) - u(k, a))

    total = 0.0
    if probability == "all_pairs":
        for k in range(n):
            for a in range(n):
                for b in range(n):
                    total += abs(vote(k, x[a], x[b]))
    p = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            num = 0.0
            den = 0.0
            for k in range(n):
                v = vote(k, x[i], x[j])
                if v > 0:
                    num += v
                den += abs(v)
            if probability == "all_pairs":
                den = total
            p[i][j] = num / den if den > 0 else 0.0
    return p


def risk_exponents(security: list[float]) -> list[float]:
    hi, lo = max(security), min(security)
    spread = hi - lo
    out = []
    for sec in security:
        if spread > SPREAD_RTOL * (abs(hi) + abs(lo)) + 1e-300:
            big_r = min(1.0, max(-1.0, (2.0 * sec - hi - lo) / spread))
        else:
            big_r = 0.0
        out.append((1.0 - big_r / 3.0) / (1.0 + big_r / 3.0))
    return out


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
    mu = pairwise_median(c, x, s)

    def d(i: int, j: int) -> float:
        return abs(x[i] - x[j]) / span

    def dmu(i: int) -> float:
        return abs(x[i] - mu) / span

    p = probabilities(x, w, span, None, probability)
    security = []
    for j in range(n):
        tot = 0.0
        for i in range(n):
            if x[i] != x[j]:
                tot += expected_utility(p[i][j], d(i, j), s[j], dmu(i), 1.0, q, t)
        security.append(tot)
    r = risk_exponents(security)
    if vote_risk:
        p = probabilities(x, w, span, r, probability)

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
            if x[j] == x[i]:
                continue
            a = expected_utility(p[i][j], d(i, j), s[j], dmu(i), r[i], q, t)  # E^i(U_ij)
            b = expected_utility(p[j][i], d(i, j), s[i], dmu(j), r[i], q, t)  # E^i(U_ji)
            if a <= 0 and b <= 0:
                counts["stalemate"] += 1
            if b <= 0:
                continue
            lo, hi = min(x[i], x[j]), max(x[i], x[j])
            if a > 0 and b > a:
                kind, target = CONFLICT, x[j]
            elif a <= 0 and -a < b:
                frac = min(1.0, max(0.0, -a / b))
                kind, target = COMPROMISE, min(hi, max(lo, x[i] + (x[j] - x[i]) * frac))
            elif a < 0 and -a >= b:
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
            new[i] = pick[2]
            accepted[i] = kind
            proposer[i] = pick[3]
            break
    return {
        "x": new,
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
) -> dict[str, Any]:
    """Run ``rounds`` rounds on one issue; ``span`` defaults to the input positions' range."""
    c = [float(v) for v in capability]
    x = [float(v) for v in position]
    s = [float(v) for v in salience]
    if span is None:
        span = max(x) - min(x)
    if span <= 0:
        span = 1.0
    out: dict[str, Any] = {
        "positions": [list(x)],
        "median": [pairwise_median(c, x, s)],
        "mean": [weighted_mean(c, x, s)],
        "risk_exponent": [],
        "accepted": [],
        "proposer": [],
        "counts": [],
    }
    for _ in range(rounds):
        res = one_round(c, x, s, span, q=q, t=t, probability=probability, vote_risk=vote_risk)
        x = res["x"]
        out["positions"].append(list(x))
        out["median"].append(pairwise_median(c, x, s))
        out["mean"].append(weighted_mean(c, x, s))
        out["risk_exponent"].append(res["r"])
        out["accepted"].append(res["accepted"])
        out["proposer"].append(res["proposer"])
        out["counts"].append(res["counts"])
    return out
