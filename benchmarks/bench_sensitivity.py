"""``realpolitik sensitivity`` on caucasus-2022 with its defaults: the indices by actor
(the default beyond 24 ranged numbers) against the indices by input (what the command did
before), both measured in the same run.

Run from the repository root::

    python benchmarks/bench_sensitivity.py           # n = 512 (the default): 2-3 minutes
    python benchmarks/bench_sensitivity.py --quick   # n = 64

Prints, for each, the seconds, the model evaluations and the widest 95% confidence
half-width of ST over the models' determinate issues (the indices' accuracy), and the
speed-up. Target: the default within 30 s on this 2-core machine when it is quiet; exits
non-zero if it is missed or if grouping is not at least 4 times faster.
"""

from __future__ import annotations

import argparse
import math
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 64 base samples")
    ap.add_argument("--workers", type=int, default=None, help="default: every core")
    args = ap.parse_args()
    n = 64 if args.quick else 512

    import realpolitik as rp
    from realpolitik.analysis.sensitivity import sensitivity
    from realpolitik.runner import session

    sc = rp.load("caucasus-2022")
    rows = []
    with session(None, args.workers, None) as runner:
        sensitivity(sc, "compromise", n=4, seed=0, backend=runner, resamples=10)  # warm
        for by in ("actor", "input"):
            t = time.perf_counter()
            res = sensitivity(sc, n=n, seed=1, backend=runner, by=by)
            seconds = time.perf_counter() - t
            widest = max(
                (
                    c
                    for m in res.models
                    for s in res.sobol[m]
                    if not s.constant and s.undetermined == 0
                    for c in s.st_conf
                    if not math.isnan(c)
                ),
                default=math.nan,
            )
            rows.append((by, seconds, res.evaluations["sobol"], len(res.factors), widest))
    print(f"caucasus-2022, n = {n}, every model, {len(rp.load(sc).issues)} issues")
    print(f"{'by':<6} {'factors':>7} {'evaluations':>11} {'seconds':>8} {'widest ST ±':>11}")
    for by, seconds, evals, g, widest in rows:
        print(f"{by:<6} {g:>7} {evals:>11,} {seconds:>8.1f} {widest:>11.2f}")
    (_, grouped, *_), (_, single, *_) = rows
    ratio = single / grouped
    print(f"by actor is {ratio:.1f}x faster than by input")
    ok = ratio >= 4 and (args.quick or grouped <= 30)
    if not ok:
        print("TARGET MISSED: the default within 30 s and 4x faster than by input")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
