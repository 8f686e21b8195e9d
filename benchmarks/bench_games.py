"""What the worker process costs a solve: pygambit in a child process (time limit, memory
cap, crashes contained) against pygambit in this process, timed in the same run.

Run from the repository root::

    python benchmarks/bench_games.py           # about half a minute
    python benchmarks/bench_games.py --quick   # fewer repetitions

Two measurements:

1. **A solve.** ``solve_tree(tree, method=M)`` for the built-in games and M = ``enumpure``,
   ``lcp`` and ``logit``, through the worker (started beforehand), against the same
   method run in this process (``solve._run``) followed by the same evaluation: the
   difference is the worker's round trip (pickling the tree and the profiles, the pipe).
   Target: at most 50 ms more per solve.
2. **Starting the worker** (once per thread: ``python -c`` importing pygambit and the
   solvers), against importing pygambit here.

Times are the best of ``--repeat`` runs, alternating. The machine may be shared: compare
differences, not seconds. Exits non-zero if the target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from realpolitik.games import load_game, solve
from realpolitik.games import worker as worker_mod

TARGET = 0.050


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=None)
    args = ap.parse_args()
    repeat = args.repeat or (3 if args.quick else 7)

    t = time.perf_counter()
    worker_mod._worker()
    start = time.perf_counter() - t
    t = time.perf_counter()
    import pygambit  # noqa: F401

    here = time.perf_counter() - t
    print(f"worker start {start:.2f} s (once per thread); import pygambit here {here:.2f} s")

    worst = 0.0
    print(f"{'game':26} {'method':9} {'worker':>9} {'in process':>11} {'extra':>8}")
    for name in ("karabakh-leverage-2022", "entry-deterrence"):
        tree = load_game(name).tree()
        for method in ("enumpure", "lcp", "logit"):
            via = best(lambda: solve.solve_tree(tree, method=method), repeat)  # noqa: B023

            def inproc(m: str = method) -> None:
                saved = worker_mod.call
                worker_mod.call = lambda f, a, **kw: solve._run_gambit(*a)  # type: ignore[assignment]
                try:
                    solve.solve_tree(tree, method=m)  # noqa: B023
                finally:
                    worker_mod.call = saved

            direct = best(inproc, repeat)
            extra = via - direct
            worst = max(worst, extra)
            print(
                f"{name:26} {method:9} {via * 1e3:7.1f}ms {direct * 1e3:9.1f}ms "
                f"{extra * 1e3:6.1f}ms"
            )
    ok = worst <= TARGET
    print(
        f"worst extra {worst * 1e3:.1f} ms per solve; target {TARGET * 1e3:.0f} ms: "
        + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
