"""Time and memory of the vectorised EUM against the plain-loop reference.

Run from the repository root::

    python benchmarks/bench_eum.py

For n = 10, 50, 200 and 1000 actors on one issue (random inputs from
``numpy.random.default_rng``), it prints the vectorised model's time per round, its peak
memory (tracemalloc, which traces numpy's allocations) and the ratio to the reference
(``benchmarks/reference_eum.py``) timed in the same run. The reference is timed over whole
rounds for n = 10 and 50, over a single round for n = 200, and for n = 1000 extrapolated
from the n = 200 round with its O(n^3) scaling (a round would take about an hour). The last
rows time the O(n^3) direct path (``vote_risk=True``) for comparison.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from reference_eum import one_round  # noqa: E402

from realpolitik.models.base import ModelInput  # noqa: E402
from realpolitik.models.eum import run  # noqa: E402

SIZES = (10, 50, 200, 1000)
MODEL_ROUNDS = {10: 50, 50: 50, 200: 10, 1000: 3}
REFERENCE_ROUNDS = {10: 20, 50: 2, 200: 1}  # 1000: extrapolated


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
    run(inp, rounds=1, **options)  # warm up
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
    c = inp.capability.tolist()
    x = inp.position[:, 0].tolist()
    s = inp.salience[:, 0].tolist()
    span = max(x) - min(x)
    t0 = time.perf_counter()
    for _ in range(rounds):
        x = one_round(c, x, s, span)["x"]
    return (time.perf_counter() - t0) / rounds


def main() -> int:
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}")
    header = (
        f"{'n':>5} {'model s/round':>14} {'peak MiB':>9} {'reference s/round':>18} {'ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    ref_times: dict[int, float] = {}
    ratios: dict[int, float] = {}
    for n in SIZES:
        inp = make_input(n)
        model = time_model(inp, MODEL_ROUNDS[n])
        peak = peak_model(inp)
        if n in REFERENCE_ROUNDS:
            ref = time_reference(inp, REFERENCE_ROUNDS[n])
            how = f"{REFERENCE_ROUNDS[n]} round" + ("s" if REFERENCE_ROUNDS[n] > 1 else "")
        else:
            ref = ref_times[200] * (n / 200) ** 3
            how = "extrapolated n^3 from n=200"
        ref_times[n] = ref
        ratios[n] = ref / model
        print(f"{n:>5} {model:>14.5f} {peak:>9.1f} {ref:>12.3f} ({how}) {ratios[n]:>9.0f}x")
    print()
    print("O(n^3) direct path (vote_risk=True, blocks of at most 256 MiB):")
    for n in (200, 1000):
        inp = make_input(n)
        model = time_model(inp, 1 if n == 1000 else 3, vote_risk=True)
        peak = peak_model(inp, vote_risk=True)
        print(f"{n:>5} {model:>14.5f} {peak:>9.1f}")
    print()
    ok = ratios[50] >= 100
    print(
        f"n=50: vectorised is {ratios[50]:.0f} times faster than the loop "
        f"({'meets' if ok else 'FAILS'} the >= 100x target)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
