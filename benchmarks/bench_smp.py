"""Time of the vectorised smp model (KTAB's spatial model of politics) against a reference
timed in the same run.

Run from the repository root::

    python benchmarks/bench_smp.py                         # about 2 minutes
    python benchmarks/bench_smp.py --quick                 # about 20 s
    python benchmarks/bench_smp.py --ktab-smpc PATH        # or KTAB_SMPC=PATH in the environment

1. Seconds per turn for n = 10, 50 and 200 actors on 1, 2 and 3 dimensions (random inputs
   from ``numpy.random.default_rng``), the model against the plain-loop reference
   (``tests/reference_smp.py``: the same equations with loops over actors, pairs and
   voters). The model is timed over whole runs (at most 10 turns at n <= 50, 5 at n = 200;
   seconds per turn played), the reference over its first turns from the same input; both
   include the assessment of each new state. ``--quick`` skips the n = 200 reference turns
   (about 10 s each) and extrapolates them as n^3 from n = 50, which the output marks.
2. The whole SOE-Policy run (26 actors, one dimension, 19 turns to KTAB's stopping rule) against
   KTAB's own ``smpc`` if its path is given (``--ktab-smpc PATH`` or ``KTAB_SMPC``; built by the
   user from KTAB's sources, not by this script), run as
   ``smpc --logmin --csv SOE-Policy.csv --connstr "Driver=QSQLITE;Database=..."`` in a
   temporary folder with a logger configuration that writes its log to a file (as KTAB's own
   does), wall clock, best of 3; its printed probabilities and fractional changes are compared
   with the model's. Without a binary, against the reference (whose positions and
   probabilities must equal the model's). Target: 10 times faster than ``smpc``.
3. A whole run of 200 actors on 3 dimensions. Target: within seconds.

Times are the best of a few repetitions, model and reference alternating. The load average of
the machine is printed before and after: timings taken under load are slower and say so.
Exits non-zero if a target is missed or an output differs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))  # the plain-loop reference
sys.path.insert(0, str(ROOT / "src"))

import reference_smp as ref  # noqa: E402

import realpolitik as rp  # noqa: E402
from realpolitik.models.base import ModelInput  # noqa: E402
from realpolitik.models.smp import run  # noqa: E402

SOE = ROOT / "tests" / "data" / "ktab" / "SOE-Policy.csv"
SIZES = (10, 50, 200)
DIMS = (1, 2, 3)
#: n: (model rounds per run, reference turns, alternating repetitions)
PLAN = {10: (10, 5, 5), 50: (10, 1, 3), 200: (5, 1, 1)}
TARGET_KTAB = 10.0
LOGGER_CONF = """* GLOBAL:
    FORMAT = %msg
    FILENAME = smpc_log.txt
    ENABLED = true
    TO_FILE = true
    TO_STANDARD_OUTPUT = false
"""


def make_input(n: int, d: int, seed: int = 0) -> ModelInput:
    rng = np.random.default_rng(seed)
    return ModelInput(
        capability=rng.uniform(1.0, 100.0, n),
        position=rng.uniform(0.0, 100.0, (n, d)),
        salience=rng.uniform(0.05, 1.0, (n, d)) / d,
        scale_min=np.zeros(d),
        scale_max=np.full(d, 100.0),
        status_quo=np.full(d, np.nan),
    )


def time_model(inp: ModelInput, rounds: int) -> float:
    """Seconds per turn played of one run of at most ``rounds`` turns."""
    t0 = time.perf_counter()
    traj = run(inp, rounds=rounds, capability_scale=None)
    elapsed = time.perf_counter() - t0
    return elapsed / max(1, int(traj.details["turns"][0]))


def time_reference(inp: ModelInput, turns: int) -> float:
    """Seconds per turn of the reference's first ``turns`` turns (each assessing its state)."""
    c = inp.capability.tolist()
    x = (inp.position / 100.0).tolist()
    s = inp.salience.tolist()
    t0 = time.perf_counter()
    state = ref.assess(x, s, c)
    for _ in range(turns):
        x = ref.step(x, s, c, *state)
        state = ref.assess(x, s, c)
    return (time.perf_counter() - t0) / turns


def soe_input() -> ModelInput:
    sc = rp.load(SOE)
    cap, pos, sal, _ = sc.arrays()
    return ModelInput(cap, pos, sal / 100.0, np.zeros(1), np.full(1, 100.0), np.full(1, np.nan))


def run_smpc(binary: str) -> tuple[float, str]:
    """Best wall-clock seconds of 3 runs of KTAB's smpc on SOE-Policy, and its last log."""
    best, log = float("inf"), ""
    for k in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "SOE-Policy.csv"
            shutil.copy(SOE, csv)
            # smpc reads ./smpc-logger.conf (easylogging++): its log to a file, messages only
            (Path(tmp) / "smpc-logger.conf").write_text(LOGGER_CONF)
            cmd = [
                binary,
                "--logmin",
                "--csv",
                str(csv),
                "--connstr",
                f"Driver=QSQLITE;Database={tmp}/bench{k}",
            ]
            t0 = time.perf_counter()
            done = subprocess.run(cmd, cwd=tmp, check=True, capture_output=True)
            best = min(best, time.perf_counter() - t0)
            log_file = Path(tmp) / "smpc_log.txt"
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            log += done.stdout.decode(errors="replace")
    return best, log


def same_as_smpc(log: str, traj) -> bool:
    """Whether the model prints what smpc printed: "prob :" lines and fractional changes."""
    frac = [float(v) for v in re.findall(r"first step: ([\d.]+)", log)]
    probs = [
        [float(v) for v in line.split("prob :")[1].split()]
        for line in log.splitlines()
        if "prob :" in line
    ]
    turns = int(traj.details["turns"][0])
    ours_frac = [float(f"{v:.4f}") for v in traj.details["fractional_change"][:turns, 0]]
    win = traj.details["win_probability"][: turns + 1, :, 0]
    ours_probs = [[float(f"{v:.4f}") for v in win[:, a]] for a in range(win.shape[1])]
    return bool(frac) and frac == ours_frac and probs == ours_probs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="extrapolate the n=200 reference")
    parser.add_argument(
        "--ktab-smpc",
        default=os.environ.get("KTAB_SMPC"),
        help="path of a KTAB smpc binary (default: $KTAB_SMPC)",
    )
    args = parser.parse_args(argv)
    ok = True
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print()
    print("1. Seconds per turn")
    header = (
        f"{'n':>4} {'d':>2} {'model s/turn':>13} {'reference s/turn':>17} {'ratio':>8}  "
        "reference timed over"
    )
    print(header)
    print("-" * len(header))
    ref50: dict[int, float] = {}
    for n in SIZES:
        for d in DIMS:
            inp = make_input(n, d)
            rounds, ref_turns, repeats = PLAN[n]
            run(inp, rounds=1)  # warm up
            measure = not (args.quick and n == 200)
            model = reference = float("inf")
            for _ in range(repeats):
                model = min(model, time_model(inp, rounds))
                if measure:
                    reference = min(reference, time_reference(inp, ref_turns))
            if measure:
                how = f"{ref_turns} turn{'s' if ref_turns > 1 else ''}"
                how += f", best of {repeats}" if repeats > 1 else ", measured"
                mark = " "
            else:
                reference = ref50[d] * (n / 50) ** 3
                how = "EXTRAPOLATED as n^3 from n=50 (--quick), not measured"
                mark = "~"
            if n == 50:
                ref50[d] = reference
            print(
                f"{n:>4} {d:>2} {model:>13.5f} {mark}{reference:>16.4f} "
                f"{mark}{reference / model:>6.0f}x  {how}"
            )
    print()
    print("2. The whole SOE-Policy run (26 actors, 1 dimension)")
    inp = soe_input()
    ours = float("inf")
    traj = run(inp)
    for _ in range(5):
        t0 = time.perf_counter()
        traj = run(inp)
        ours = min(ours, time.perf_counter() - t0)
    turns = int(traj.details["turns"][0])
    print(f"   model: {ours:.4f} s ({turns} turns)")
    if args.ktab_smpc:
        ktab, log = run_smpc(args.ktab_smpc)
        same = same_as_smpc(log, traj)
        ratio = ktab / ours
        print(
            f"   KTAB smpc ({args.ktab_smpc}): {ktab:.3f} s; the model is {ratio:.0f} times faster"
        )
        print(f"   same printed output as smpc: {'yes' if same else 'NO'}")
        met = ratio >= TARGET_KTAB
        print(f"   target >= {TARGET_KTAB:.0f}x smpc: {'met' if met else 'MISSED'}")
        ok = ok and met and same
    else:
        t0 = time.perf_counter()
        history, probs, ref_turns = ref.run(inp.capability, inp.position / 100.0, inp.salience)
        reference = time.perf_counter() - t0
        same = (
            ref_turns == turns
            and np.array_equal(np.array(history) * 100.0, traj.positions[: turns + 1])
            and np.allclose(
                np.array(probs), traj.details["win_probability"][: turns + 1, :, 0], atol=1e-12
            )
        )
        print(
            f"   reference (plain loops): {reference:.3f} s; the model is "
            f"{reference / ours:.0f} times faster; same positions and probabilities: "
            f"{'yes' if same else 'NO'}"
        )
        print("   (no KTAB smpc given: --ktab-smpc PATH or KTAB_SMPC to time it)")
        ok = ok and same
    print()
    print("3. A whole run of 200 actors on 3 dimensions")
    big = make_input(200, 3, seed=1)
    t0 = time.perf_counter()
    traj = run(big)
    elapsed = time.perf_counter() - t0
    print(f"   {elapsed:.1f} s, {int(traj.details['turns'][0])} turns")
    print()
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
