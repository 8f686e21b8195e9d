"""Time and memory of the vectorised EUM against the plain-loop reference.

Run from the repository root::

    python benchmarks/bench_eum.py           # about 4 minutes: a full reference round at n=1000
    python benchmarks/bench_eum.py --quick   # about 30 s: the n=1000 reference extrapolated

For n = 10, 50, 200 and 1000 actors on one issue (random inputs from
``numpy.random.default_rng``), it prints the vectorised model's time per round, its peak
memory (tracemalloc, which traces numpy's allocations) and the ratio to the plain-loop
reference (``tests/reference_eum.py``: per round one pass over the ordered pairs and
the voters, each vote computed once) timed in the same run. Times are the best of a few
repetitions, model and reference alternating: the model over whole runs of its default
40 rounds (so its work per run, the medians of every round and the forecast rule, is
included), the reference over its first rounds from the same input (n = 10 and 50: several
rounds; n = 200 and 1000: one round). ``--quick`` skips the n = 1000 reference round (about
three minutes) and extrapolates it from the n = 200 round as n^3, which the output marks.
The last rows time the O(n^3) direct path (``vote_risk=True``) for comparison. Exits
non-zero if the model is less than 100 times faster than the reference at n = 50.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the plain-loop reference
sys.path.insert(0, str(HERE.parent / "src"))

from reference_eum import one_round  # noqa: E402

from realpolitik.models.base import ModelInput  # noqa: E402
from realpolitik.models.eum import DEFAULT_ROUNDS, run  # noqa: E402

SIZES = (10, 50, 200, 1000)
#: n: (model rounds per run, reference rounds, alternating repetitions)
PLAN = {10: (DEFAULT_ROUNDS, 20, 9), 50: (DEFAULT_ROUNDS, 3, 25), 200: (10, 1, 1), 1000: (3, 1, 1)}
TARGET = 100.0


def make_input(n: int, seed: int = 0) -> ModelInput:
    rng = np.random.default_rng(seed)
    return ModelInput.single_issue(
        capability=rng.uniform(0.01, 1.0, n),
        position=rng.uniform(0.0, 100.0, n),
        salience=rng.uniform(0.0, 1.0, n),
        scale_min=0.0,
        scale_max=100.0,
    )


def time_model(inp: ModelInput, rounds: int, **options: object) -> float:
    """Seconds per round of one run of ``rounds`` rounds."""
    t0 = time.perf_counter()
    run(inp, rounds=rounds, **options)
    return (time.perf_counter() - t0) / rounds


def peak_model(inp: ModelInput, **options: object) -> float:
    tracemalloc.start()
    try:
        run(inp, rounds=1, **options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def time_reference(inp: ModelInput, rounds: int) -> float:
    """Seconds per round of the reference's first ``rounds`` rounds."""
    c = inp.capability.tolist()
    s = inp.salience[:, 0].tolist()
    x = inp.position[:, 0].tolist()
    span = max(x) - min(x)
    t0 = time.perf_counter()
    for _ in range(rounds):
        x = one_round(c, x, s, span)["x"]
    return (time.perf_counter() - t0) / rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="extrapolate the n=1000 reference round from n=200 instead of timing it",
    )
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}")
    header = (
        f"{'n':>5} {'model s/round':>14} {'peak MiB':>9} {'reference s/round':>18} "
        f"{'ratio':>9}  reference timed over"
    )
    print(header)
    print("-" * len(header))
    ref_times: dict[int, float] = {}
    ratios: dict[int, float] = {}
    for n in SIZES:
        inp = make_input(n)
        model_rounds, ref_rounds, repeats = PLAN[n]
        run(inp, rounds=1)  # warm up
        measure_ref = n != 1000 or not args.quick
        model = ref = float("inf")
        for _ in range(repeats):  # alternate, so that a slow spell hits both alike
            model = min(model, time_model(inp, model_rounds))
            if measure_ref:
                ref = min(ref, time_reference(inp, ref_rounds))
        peak = peak_model(inp)
        if measure_ref:
            how = f"{ref_rounds} round{'s' if ref_rounds > 1 else ''}"
            how += f", best of {repeats}" if repeats > 1 else ", measured"
            mark = " "
        else:
            ref = ref_times[200] * (n / 200) ** 3
            how = "EXTRAPOLATED as n^3 from the n=200 round (--quick), not measured"
            mark = "~"
        ref_times[n] = ref
        ratios[n] = ref / model
        print(
            f"{n:>5} {model:>14.5f} {peak:>9.1f} {mark}{ref:>17.4f} {mark}{ratios[n]:>7.0f}x  {how}"
        )
    print()
    print("O(n^3) direct path (vote_risk=True, blocks of at most 256 MiB):")
    for n in (200, 1000):
        inp = make_input(n)
        model = time_model(inp, 1 if n == 1000 else 3, vote_risk=True)
        peak = peak_model(inp, vote_risk=True)
        print(f"{n:>5} {model:>14.5f} {peak:>9.1f}")
    print()
    ok = ratios[50] >= TARGET
    print(
        f"n=50: vectorised is {ratios[50]:.0f} times faster than the loop "
        f"({'meets' if ok else 'FAILS'} the >= {TARGET:.0f}x target)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
