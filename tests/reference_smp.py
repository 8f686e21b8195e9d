"""A plain-loop reference of the smp model (KTAB's spatial model of politics), default options.

Written from the equations of docs/explanation/smp.md with Python loops over actors, pairs
and voters, one number at a time, in the order KTAB adds: the speed reference of
``bench_smp.py`` and a second implementation the tests compare the vectorised model with
(tests/test_smp.py). Default options only (prop votes, linear victory probabilities,
conditional PCE, deterministic transitions, risk range mid, one-third adjustment, semi-commit,
S2P2 interpolation, initiator-only bargains); positions on [0, 1]; no shocks.

Complexity: O(n^3) per turn (n^2 challenges, each with n third parties), as the model.
"""

from __future__ import annotations

import math

MIN_C = 1e-8  # a coalition's starting strength
MIN_CHLG = 1e-10  # a challenge coalition's starting strength
MIN_EDU = 1e-5  # the smallest gain worth a challenge
MIN_W = 1e-6  # added to the initiator's weight in a bargain
TIE = 1e-12  # gains or probabilities closer than this are tied
POS_TOL = 1e-3


def dist(ideal, y, sal):
    num = 0.0
    den = 0.0
    for k in range(len(ideal)):
        ds = (ideal[k] - y[k]) * sal[k]
        num = num + ds * ds
        den = den + sal[k] * sal[k]
    return math.sqrt(num / den) if den > 0 else 0.0


def util(sd, r):
    return (1 - sd) * (1 + sd * r) if sd <= 1 else (1 - sd) * (1 + r)


def election(w, u):
    """Conditional PCE: w[k] voters' weights, u[k][o] their utilities; returns p[o]."""
    no = len(u[0])
    win = [[0.5] * no for _ in range(no)]
    for i in range(no):
        for j in range(i):
            cij = MIN_C
            cji = MIN_C
            for k in range(len(w)):
                v = w[k] * (u[k][i] - u[k][j])
                if v > 0:
                    cij = cij + v
                if v < 0:
                    cji = cji - v
            win[i][j] = cij / (cij + cji)
            win[j][i] = cji / (cij + cji)
    prod = []
    for i in range(no):
        q = 1.0
        for j in range(no):
            q = q * win[i][j]
        prod.append(q)
    total = 0.0
    for q in prod:
        total = total + q
    return [q / total for q in prod]


def assess(x, s, c):
    """(distance matrix, risk attitudes, own utilities) of a state."""
    n = len(x)
    d = [[dist(x[i], x[j], s[i]) for j in range(n)] for i in range(n)]
    neutral = [[util(d[i][j], 0.0) for j in range(n)] for i in range(n)]
    p = election(c, neutral)
    lo, hi = min(p), max(p)
    risk = [(3 * q - (hi + 2 * lo)) / (2 * (hi - lo)) if hi > lo else 0.0 for q in p]
    own = [[util(d[a][b], ((2.0 * risk[a]) + risk[a]) / 3.0) for b in range(n)] for a in range(n)]
    return d, risk, own


def win_probabilities(x, own, c):
    """KTAB's printed probability that each actor's position wins."""
    n = len(x)

    def near(i, j):
        return math.sqrt(sum((x[i][k] - x[j][k]) ** 2 for k in range(len(x[i])))) < POS_TOL

    uniq = []
    for i in range(n):
        if not any(near(i, u) for u in uniq):
            uniq.append(i)
    p = election(c, [[own[a][u] for u in uniq] for a in range(n)])
    out = []
    for i in range(n):
        last = 0
        for k, u in enumerate(uniq):
            if near(i, u):
                last = k
        out.append(p[last])
    return out


def challenge(i, j, d, risk, w, ssum):
    """(P, E) of i challenging j as i sees it."""
    n = len(d)

    def u(a, b):
        return util(d[a][b], ((2.0 * risk[i]) + risk[a]) / 3.0)

    vi = w[i] * (u(i, i) - u(i, j))
    vj = w[j] * (u(j, i) - u(j, j))
    a = MIN_CHLG
    b = MIN_CHLG
    if vi > 0:
        a = a + vi
    if vi < 0:
        b = b - vi
    if vj > 0:
        a = a + vj
    if vj < 0:
        b = b - vj
    ca, cb = a, b
    for t in range(n):
        if t in (i, j):
            continue
        uti, utj, utt = u(t, i), u(t, j), u(t, t)
        vt = w[t] * (uti - utj)
        cti = ca + vt if vt > 0 else ca
        ctj = cb - vt if vt < 0 else cb
        pin = cti / (cti + ctj)
        pjn = 1.0 - pin
        join_i = pin * (uti + uti + utt) + pjn * (utj + utj + utj)
        join_j = pin * (uti + uti + uti) + pjn * (utj + utj + utt)
        v = w[t] * (join_i - join_j)
        if v > 0:
            a = a + v
        if v < 0:
            b = b - v
    p = a / (a + b)
    q = b / (a + b)
    sj = ssum[j]
    vict = u(i, i) + u(i, i)
    contest = p * vict + q * (u(i, j) + u(i, j))
    return p, ((1 - sj) * vict + sj * contest) - (u(i, i) + u(i, j))


def round4(v):
    return math.trunc(0.5 + v * 10000.0) / 10000.0


def step(x, s, c, d, risk, own):
    """One turn: the new positions."""
    n = len(x)
    dims = len(x[0])
    ssum = []
    for i in range(n):
        t = 0.0
        for k in range(dims):
            t = t + s[i][k]
        ssum.append(t)
    w = [ssum[i] * c[i] for i in range(n)]
    order = sorted(range(n), key=lambda a: (-w[a], -c[a], *x[a], a))
    rank = {a: r for r, a in enumerate(order)}
    bargains = []  # (init, rcvr, pos_init, pos_rcvr)
    for i in range(n):
        best, best_p = -1, 0.0
        gains = {}
        for j in range(n):
            if j != i:
                gains[j] = challenge(i, j, d, risk, w, ssum)
        good = [j for j in gains if gains[j][1] > MIN_EDU]
        if good:
            top = max(gains[j][1] for j in good)
            tied = [j for j in good if gains[j][1] >= top - TIE]
            best = min(tied, key=lambda j: rank[j])
            best_p = gains[best][0]
        if best < 0:
            continue
        j, pi, pj = best, best_p, 1 - best_p
        bi, bj = [], []
        for k in range(dims):
            wi = (s[i][k] * s[i][k]) * (pi * pi)
            wj = (s[j][k] * s[j][k]) * (pj * pj)
            den = (wi + MIN_W) + wj
            bi.append(round4(((wi + MIN_W) * x[i][k] + wj * x[j][k]) / den))
            bj.append(round4((wi * x[i][k] + (MIN_W + wj) * x[j][k]) / den))
        bargains.append((i, j, bi, bj))
    new = [list(p) for p in x]
    for k in range(n):
        queue = [None] + [b for b in bargains if b[0] == k] + [b for b in bargains if b[1] == k]
        vals = []
        for a in range(n):
            row = []
            for b in queue:
                if b is None:
                    t = 0.0
                    for m in range(n):
                        t = t + own[a][m]
                else:
                    t = 0.0
                    t = t + util(dist(x[a], b[2], s[a]), risk[a])
                    t = t + util(dist(x[a], b[3], s[a]), risk[a])
                    for m in range(n):
                        if m not in (b[0], b[1]):
                            t = t + own[a][m]
                row.append(t / n)
            vals.append(row)
        p = election(c, vals) if len(queue) > 1 else [1.0]
        top = max(p)

        def key(q, k=k, queue=queue):
            b = queue[q]
            if b is None:
                return (0.0, *x[k], -1.0)
            pos, who = (b[2], b[1]) if b[0] == k else (b[3], b[0])
            return (1.0, *pos, float(rank[who]))

        pick = min((q for q in range(len(p)) if p[q] >= top - TIE), key=key)
        b = queue[pick]
        if b is not None:
            new[k] = list(b[2] if b[0] == k else b[3])
    return new


def run(c, x, s, rounds=100, probabilities=True):
    """The run from positions ``x`` (n lists of d numbers on [0, 1]), saliences ``s`` (0-1)
    and capabilities ``c`` as given: (positions by turn, win probabilities by turn, turns)."""
    x = [list(map(float, p)) for p in x]
    s = [list(map(float, p)) for p in s]
    c = [float(v) for v in c]
    d, risk, own = assess(x, s, c)
    history = [x]
    probs = [win_probabilities(x, own, c)] if probabilities else []
    first = 0.0
    turns = 0
    for t in range(1, rounds + 1):
        new = step(x, s, c, d, risk, own)
        moved = 0.0
        for i in range(len(x)):
            moved = moved + math.sqrt(sum((new[i][k] - x[i][k]) ** 2 for k in range(len(x[i]))))
        if t == 1:
            first = moved + 1e-4
        x = new
        d, risk, own = assess(x, s, c)
        history.append(x)
        if probabilities:
            probs.append(win_probabilities(x, own, c))
        turns = t
        if t >= 2 and moved / first < 0.02:
            break
    return history, probs, turns
