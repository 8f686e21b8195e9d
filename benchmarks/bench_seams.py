"""The seams: what realpolitik costs around its models, each against a reference timed in
the same run.

Run from the repository root::

    python benchmarks/bench_seams.py            # about a minute
    python benchmarks/bench_seams.py --quick    # fewer repetitions
    python benchmarks/bench_seams.py --src OTHER/src   # another tree (a checkout before)

Four measurements:

1. **The forecast wrapper.** For n = 10, 50 and 200 actors on one issue (a synthetic
   scenario, fixed seed), ``rp.forecast(sc, "eum")`` against the model alone,
   ``plan_models("eum")[0].run(issue_input(sc, issue)[1])``: the wrapper is their
   difference (the scenario's arrays, the model's plan and its parameters, the result's
   details by actor, the provenance). Target: the wrapper costs less than the model at
   every n. The JSON of the forecast (``to_json``) is shown beside it.
2. **Importing.** ``python -c "import realpolitik"`` in a fresh process, best of several,
   against ``python -c "pass"`` (the interpreter alone) and ``import numpy`` (which
   realpolitik needs); also ``import realpolitik.cli`` and a first load and forecast.
   Target: ``import realpolitik`` within 0.15 s.
3. **Simulate's seams.** 10,000 draws of the EC example with two ranged positions (as
   ``bench_peer.py``) in this process on one core, against the model alone on the same
   draws (one batched EUM call per chunk of 1,000: what ``simulate`` cannot avoid); and
   the pieces: the draws' random numbers (``chunk_uniforms``: ``draw_uniforms``, all at
   once) against one generator per draw (``draw_generator``, the reference), and the
   ensemble's JSON (``to_json``) against ``json.dumps(to_dict(), indent=2)``.
4. **The command line.** ``realpolitik simulate ... --json --no-store`` of those 10,000
   draws, wall clock with the process start, against the same in this process: what
   starting Python and importing cost a command.

Times are the best of ``--repeat`` runs, the measured and its reference alternating. The
machine may be shared: compare ratios, not seconds. Exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TARGET_IMPORT = 0.15
SEED = 20260224
RANGES = {"germany": (4.0, 4.0, 7.0), "france": (8.0, 10.0, 10.0)}  # as bench_peer.py


def best(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """The best time of each function over ``repeat`` rounds, the functions alternating."""
    times = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[k] = min(times[k], time.perf_counter() - t0)
    return times


def synthetic(n: int, seed: int = 0) -> object:
    """One issue on 0-100 with a status quo, ``n`` actors with random capabilities,
    positions and saliences (every number sourced, as the format asks)."""
    from realpolitik.scenario import Scenario

    rng = np.random.default_rng(seed)
    src = {"ref": "s", "note": "synthetic"}
    return Scenario.from_dict(
        {
            "id": f"seams-{n}",
            "name": f"{n} actors",
            "sources": [{"id": "s", "title": "bench_seams.py"}],
            "actors": [
                {"id": f"a{k}", "name": f"A{k}", "capability": float(rng.uniform(1, 100)),
                 "source": src}
                for k in range(n)
            ],
            "issues": [
                {"id": "i", "question": "Where?", "status_quo": 50.0, "status_quo_source": src,
                 "scale": {"min": 0.0, "max": 100.0, "min_label": "0", "max_label": "100"}}
            ],
            "stances": [
                {"actor": f"a{k}", "issue": "i", "position": float(rng.uniform(0, 100)),
                 "salience": float(rng.uniform(10, 100)), "source": src}
                for k in range(n)
            ],
        }
    )  # fmt: skip


def forecast_seam(repeat: int) -> bool:
    import realpolitik as rp
    from realpolitik.arrays import issue_input
    from realpolitik.models import plan_models

    print("1. forecast(sc, 'eum') against the model alone (one issue, 40 rounds), ms")
    print(f"| {'n':>4} | {'model':>8} | {'forecast':>8} | {'wrapper':>8} | "
          f"{'wrapper/model':>13} | {'to_json':>8} |")  # fmt: skip
    print(f"|{'-' * 5}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 14}:|{'-' * 9}:|")
    ok = True
    plan = plan_models("eum")[0]
    for n in (10, 50, 200):
        sc = synthetic(n)
        inp = issue_input(sc, "i")[1]
        fc = rp.forecast(sc, "eum")
        reps = repeat if n < 200 else max(3, repeat // 2)
        model, whole, text = best(
            [partial(plan.run, inp), partial(rp.forecast, sc, "eum"), fc.to_json], reps
        )
        wrapper = max(0.0, whole - model)
        ok &= wrapper < model
        print(f"| {n:>4} | {model * 1e3:8.2f} | {whole * 1e3:8.2f} | {wrapper * 1e3:8.2f} | "
              f"{wrapper / model:13.2f} | {text * 1e3:8.2f} |")  # fmt: skip
    print(f"   target: the wrapper costs less than the model at every n: "
          f"{'met' if ok else 'MISSED'}\n")  # fmt: skip
    return ok


def wall(code: list[str], env: dict[str, str], repeat: int) -> float:
    t = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(code, env=env, check=True, capture_output=True)
        t = min(t, time.perf_counter() - t0)
    return t


def import_seam(src: Path, repeat: int) -> bool:
    env = dict(os.environ, PYTHONPATH=str(src))
    runs = {
        "python -c pass": "pass",
        "import numpy": "import numpy",
        "import realpolitik": "import realpolitik",
        "import realpolitik.cli": "import realpolitik.cli",
        "import, load and forecast the EC example": (
            "import realpolitik as rp; rp.forecast(rp.load('ec-emissions-1994'))"
        ),
    }
    times = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):  # alternating
        for label, code in runs.items():
            times[label] = min(times[label], wall([sys.executable, "-c", code], env, 1))
    nopyc = (
        " (PYTHONDONTWRITEBYTECODE: no .pyc written)"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else ""
    )
    print(f"2. importing, a fresh process each, seconds, best of {repeat}{nopyc}")
    base = times["python -c pass"]
    for label, t in times.items():
        print(f"   {label:<42} {t:6.3f}   (+{t - base:.3f} over the interpreter)")
    ok = times["import realpolitik"] <= TARGET_IMPORT
    print(f"   target: import realpolitik within {TARGET_IMPORT} s: "
          f"{'met' if ok else 'MISSED'}\n")  # fmt: skip
    return ok


def ec_two_ranges() -> object:
    import realpolitik as rp
    from realpolitik.scenario import Scenario

    data = rp.load("ec-emissions-1994").to_dict()
    for st in data["stances"]:
        if st["actor"] in RANGES:
            low, mode, high = RANGES[st["actor"]]
            st["position"] = {"value": mode, "low": low, "high": high,
                              "distribution": "triangular", "note": "bench_seams.py"}  # fmt: skip
    return Scenario.from_dict(data, origin="ec-emissions-1994")


def simulate_seam(repeat: int, draws: int) -> None:
    import realpolitik as rp
    from realpolitik.analysis.ensemble import chunk_uniforms
    from realpolitik.arrays import issue_batch
    from realpolitik.models import plan_models
    from realpolitik.runner import draw_generator
    from realpolitik.scenario.uncertainty import draw_values, uncertain_inputs

    sc = ec_two_ranges()
    plan = plan_models("eum", 10)[0]
    k = len(uncertain_inputs(sc))
    batches = [
        issue_batch(sc, draw_values(sc, chunk_uniforms(SEED, a, a + 1000, k)), 0)[1]
        for a in range(0, draws, 1000)
    ]

    def model() -> None:
        for inp in batches:
            plan.run(inp, details=False)

    def per_draw() -> np.ndarray:  # the reference: one generator per draw
        return np.array([draw_generator(SEED, i).random(k) for i in range(draws)])

    def run() -> object:
        return rp.simulate(sc, "eum", draws=draws, seed=SEED, rounds=10, workers=1)

    ens = run()
    whole, alone = best([run, model], repeat)
    bulk, each = best([lambda: chunk_uniforms(SEED, 0, draws, k), per_draw], repeat)
    text, plain = best(
        [ens.to_json, lambda: json.dumps(ens.to_dict(), indent=2, allow_nan=False)], repeat
    )
    print(f"3. simulate, {draws:,} EC draws (two ranged positions, 10 rounds), one core, s")
    print(
        f"   simulate {whole:.3f}, the model alone {alone:.3f}: the seams "
        f"{whole - alone:.3f} ({(whole - alone) / alone:.0%} of the model)"
    )
    print(
        f"   random numbers: a chunk's (chunk_uniforms) {bulk * 1e3:.1f} ms, one generator "
        f"per draw "
        f"{each * 1e3:.1f} ms ({each / bulk:.0f}x)"
    )
    print(
        f"   to_json {text * 1e3:.1f} ms, json.dumps(to_dict(), indent=2) "
        f"{plain * 1e3:.1f} ms ({plain / text:.1f}x)\n"
    )


def cli_seam(src: Path, repeat: int, draws: int) -> None:
    import realpolitik as rp
    from realpolitik.scenario.yaml_io import dump_yaml

    sc = ec_two_ranges()
    env = dict(os.environ, PYTHONPATH=str(src))
    with tempfile.TemporaryDirectory(prefix="bench-seams-") as tmp:
        path = Path(tmp) / "ec-two-ranges.yaml"
        path.write_text(dump_yaml(sc))
        args = [sys.executable, "-m", "realpolitik", "simulate", str(path), "-n", str(draws)]
        args += ["-m", "eum", "-r", "10", "--seed", str(SEED), "--json", "--no-store"]
        cli = cli1 = here = float("inf")
        for _ in range(repeat):
            cli = min(cli, wall(args, env, 1))
            cli1 = min(cli1, wall([*args, "--workers", "1"], env, 1))
            t0 = time.perf_counter()
            rp.simulate(sc, "eum", draws=draws, seed=SEED, rounds=10).to_json()
            here = min(here, time.perf_counter() - t0)
    print(f"4. realpolitik simulate of {draws:,} EC draws --json, wall clock, s")
    print(
        f"   the command (default backend) {cli:.3f}, --workers 1 {cli1:.3f}; "
        f"in this process {here:.3f}: starting and importing cost {cli - here:.3f}\n"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--repeat", type=int, default=None, help="best of N (default 7; quick 3)")
    ap.add_argument("--src", type=Path, default=HERE.parent / "src", help="the tree to time")
    args = ap.parse_args()
    repeat = args.repeat or (3 if args.quick else 7)
    src = args.src.resolve()
    sys.path.insert(0, str(src))
    import realpolitik as rp

    print(f"realpolitik {rp.__version__} from {src} (numpy {np.__version__}, Python "
          f"{sys.version.split()[0]}); {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}\n")  # fmt: skip
    ok = forecast_seam(repeat)
    ok &= import_seam(src, repeat)
    simulate_seam(repeat, 10_000)
    cli_seam(src, max(2, repeat // 2), 10_000)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
