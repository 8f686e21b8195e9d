"""The whole DEU III back-test of every model, the EUM included: wall time on one core and
on all cores, against a plain loop that forecasts the issues one by one, timed in the same
run.

Run from the repository root (needs ../shared/data/deu3/deu3-dev.tsv, or the folder named by
REALPOLITIK_SHARED)::

    python benchmarks/bench_backtest.py           # about half a minute on 2 cores
    python benchmarks/bench_backtest.py --quick   # fewer repetitions

Measured, each the best of a few repetitions:

1. **Reference**: a plain per-row loop that reads the file and calls
   ``realpolitik.forecast(scenario, "all")`` for every issue with an outcome, then takes the
   absolute errors (no baselines, no bootstrap): what a user would write.
2. **Models only**: the same forecasts as ``backtest`` computes them (issues with the same
   number of participants batched as the columns of one model input), in this process; the
   loop's forecasts must equal them bit for bit.
3. **The whole back-test**, as ``realpolitik backtest FILE`` runs it: reading, scenarios,
   every model and baseline, and the cluster bootstrap of 10,000 resamples for every table:
   on one core (in process), and on all cores with the issues cut into chunks for a local
   process pool (``chunk_size`` = issues / (2 x cores); cold: the first pool of the process,
   forked from it as a command's pool is).

Target: the whole back-test in well under 60 s on 2 cores (exits non-zero if it takes 60 s
or more).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import realpolitik as rp  # noqa: E402
from realpolitik.analysis.backtest import backtest, load_cases  # noqa: E402
from realpolitik.runner import default_workers  # noqa: E402
from realpolitik.scenario.deu import load_deu  # noqa: E402

SHARED = Path(os.environ.get("REALPOLITIK_SHARED", HERE.parent.parent / "shared"))
DEV = SHARED / "data" / "deu3" / "deu3-dev.tsv"
TARGET_SECONDS = 60.0
SEED = 20260224


T = TypeVar("T")


def best(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The shortest of ``repeat`` wall times of ``fn()``, and its last result."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def reference_loop() -> tuple[np.ndarray, np.ndarray]:
    """Per row: a scenario, ``rp.forecast`` of every model, the absolute errors. Returns
    the forecasts and the errors, (issues, models)."""
    deu = load_deu(DEV)
    forecasts, errors = [], []
    for d in deu.issues:
        o = d.scenario.outcome(d.row.issue)
        if o is None:
            continue
        fc = rp.forecast(d.scenario, "all")
        forecasts.append([fc.value(m, d.row.issue) for m in fc.models])
        errors.append([abs(f - o.value) for f in forecasts[-1]])
    return np.array(forecasts), np.array(errors)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one repetition of each")
    args = ap.parse_args()
    if not DEV.exists():
        print(f"needs {DEV} (set REALPOLITIK_SHARED to the shared folder)")
        return 2
    repeat = 1 if args.quick else 3
    cores = default_workers()
    cases, source = load_cases(DEV)
    n = len(cases)
    print(
        f"DEU III development file: {source['rows']} rows, {n} issues with an outcome, "
        f"{len(set(c.cluster for c in cases))} proposals; {cores} cores here"
    )

    t_loop, (loop_fc, _) = best(reference_loop, repeat)
    print(f"1. reference loop (rp.forecast per issue, all models): {t_loop:6.2f} s")

    t_models, bt_models = best(lambda: backtest(DEV, seed=SEED, resamples=1, workers=1), repeat)
    models = [k for k, v in bt_models.kinds.items() if v == "model"]
    ran = [m for m in rp.MODELS if m in bt_models.forecasts]  # "all": the models in_all
    batched = np.stack([bt_models.forecasts[m] for m in ran], axis=1)
    same = loop_fc.tobytes() == batched.tobytes()
    print(
        f"2. backtest with 1 resample (reading, models, baselines; in process): {t_models:6.2f} s, "
        f"{t_loop / t_models:.1f}x faster than the loop; models {', '.join(models)}; the "
        f"same forecasts bit for bit: {same}"
    )

    t_one, bt = best(lambda: backtest(DEV, seed=SEED, workers=1), repeat)
    print(
        f"3. whole back-test, 1 core (10,000 resamples): {t_one:6.2f} s "
        f"({t_one / t_loop:.2f}x the loop's time)"
    )
    chunk = max(1, math.ceil(n / (2 * cores)))
    t_cold, _ = best(lambda: backtest(DEV, seed=SEED, workers=cores, chunk_size=chunk), 1)
    t_all, bt_all = best(lambda: backtest(DEV, seed=SEED, workers=cores, chunk_size=chunk), repeat)
    same_all = bt_all.to_json() == bt.to_json()
    print(
        f"   whole back-test, {cores} cores in chunks of {chunk} issues: cold {t_cold:6.2f} s, "
        f"warm {t_all:6.2f} s; same result as one core: {same_all}"
    )
    worst = max(t_one, t_cold)
    ok = worst < TARGET_SECONDS and same and same_all
    print(
        f"target: under {TARGET_SECONDS:.0f} s on 2 cores: {'met' if ok else 'MISSED'} "
        f"(slowest {worst:.2f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
