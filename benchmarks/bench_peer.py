"""Against the closest peer: realpolitik's Monte Carlo of the EUM against schelling's, each
through its own command line, on the EC car-emissions example with two ranged positions.

Run from the repository root::

    python benchmarks/bench_peer.py --peer-python /tmp/peer-venv/bin/python
    SCHELLING_PEER_PYTHON=/tmp/peer-venv/bin/python python benchmarks/bench_peer.py
    python benchmarks/bench_peer.py --quick ...   # 1,000 draws instead of 10,000

The peer is schelling (github.com/hamzagul07/schelling, AGPL-3.0): Bueno de Mesquita's
expected-utility model after Scholz et al. (2011), with triangular Monte Carlo. It is not
on PyPI and is not a dependency of realpolitik: it is run, never imported, from its own
virtual environment (Python 3.12), given by ``--peer-python`` or the environment variable
``SCHELLING_PEER_PYTHON``. Without it the benchmark says how to install it and exits 0,
"skipped: peer not installed".

The workload: the EC example (10 actors, positions 4-10 years; the built-in
``ec-emissions-1994``, so ../shared is not needed) with two ranged positions, Germany
triangular 4-7 peaking at 4 and France 8-10 peaking at 10, and every other number a point.
They are the two positions the peer's own Monte Carlo fixture widens (Germany 2-7, France
8-12), cut at the scale's bounds as ``bench_simulate.py``'s spread is, because a
realpolitik position must lie on its issue's scale; both tools get exactly these ranges.
Cut so, the positions of the input span 4 to 10 in every draw, so the range R of the
utilities (the peer: the span of the current positions; realpolitik: the span of the
input positions) is 6 in both at round 0.

Timed, wall-clock, best of three (``--repeat``), each with its process start and imports,
after one untimed run of each command that compiles its modules' bytecode (as installing a
package does; both tools alike, into a temporary cache, whatever PYTHONDONTWRITEBYTECODE
says):

* the peer: ``schelling solve GAME.json --draws N --seed S --solver challenge
  --max-rounds R`` (its command writes a ForecastRecord JSON, and also runs its
  one-at-a-time sensitivity "tornado" on the best estimates: that is part of its command);
* realpolitik: ``python -m realpolitik simulate SCENARIO.yaml -n N -m eum -r R --seed S
  --json --no-store``, with the default backend (every core, the pool started only when the
  work repays it: at 10,000 EC draws it stays in process) and with ``--workers 1``;

and, in this process (imports done), ``realpolitik.simulate(...)`` with the default backend
and on one core.

What matches: the data, the two ranges (triangular), the number of draws, the model family
(the EUM as Scholz et al. unravel it, Q = 1, the risk pass on), the cap on rounds (R = 10
by default, ``--rounds``). What does not: the peer stops a draw once its median moves less
than 0.5 for two rounds (about 3 rounds on this workload; it cannot be turned off from its
command line), while realpolitik runs all R rounds; the peer forecasts the weighted median
of the last round it ran, realpolitik the Condorcet median once the positions settle (the
mean over a narrow cycle, else no forecast: on the EC example most draws are still moving
at round 10, see docs/explanation/eum.md); the two draw different random numbers (the same
ranges); the peer's CLI is one process, realpolitik's may use every core by default. The
benchmark prints each tool's mean forecast so a reader can see they compute comparable
things; they need not agree.

Target: realpolitik's command at least 20 times faster than the peer's at 10,000 draws,
measured in the same run; exits non-zero if missed (or if a command fails). ``--quick``
(1,000 draws) is a smoke run: process start dominates it, so the target is not judged.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))

import realpolitik as rp  # noqa: E402
from realpolitik.analysis.ensemble import chunk_uniforms  # noqa: E402
from realpolitik.arrays import issue_batch  # noqa: E402
from realpolitik.models import eum  # noqa: E402
from realpolitik.runner import default_workers  # noqa: E402
from realpolitik.scenario.objects import Scenario  # noqa: E402
from realpolitik.scenario.uncertainty import draw_values, uncertain_inputs  # noqa: E402
from realpolitik.scenario.yaml_io import dump_yaml  # noqa: E402

TARGET = 20.0
SEED = 20260224
ENV = "SCHELLING_PEER_PYTHON"
PEER_URL = "https://github.com/hamzagul07/schelling"
# actor -> (low, mode, high) of its position: the two ranged numbers, in both tools.
RANGES = {"germany": (4.0, 4.0, 7.0), "france": (8.0, 10.0, 10.0)}

INSTALL = f"""\
The peer is not on PyPI. To install it (Python 3.12, a separate virtual environment; not a
dependency of realpolitik):

    git clone {PEER_URL} /tmp/peer-src      # or unpack any copy of its sources there
    python3.12 -m venv /tmp/peer-venv
    /tmp/peer-venv/bin/pip install /tmp/peer-src

then run this benchmark with --peer-python /tmp/peer-venv/bin/python (or set {ENV})."""


def scenario() -> Scenario:
    """The built-in EC example with the two ranged positions."""
    data = rp.load("ec-emissions-1994").to_dict()
    for st in data["stances"]:
        if st["actor"] in RANGES:
            low, mode, high = RANGES[st["actor"]]
            assert st["position"] == mode, (st["actor"], st["position"])
            st["position"] = {
                "value": mode,
                "low": low,
                "high": high,
                "distribution": "triangular",
                "note": "bench_peer.py: the range the peer's fixture gives, cut at the scale",
            }
    return Scenario.from_dict(data, origin="ec-emissions-1994")


def peer_game(sc: Scenario) -> dict[str, Any]:
    """The same game in the peer's GameSpec JSON: (low, mode, high) for every number."""
    issue = sc.issues[0]
    stance = {s.actor: s for s in sc.stances if s.issue == issue.id}

    def point(x: float) -> dict[str, float]:
        return {"low": x, "mode": x, "high": x}

    actors = []
    for a in sc.actors:
        s = stance[a.id]
        low, mode, high = RANGES.get(a.id, (s.position,) * 3)
        actors.append(
            {
                "id": a.id,
                "name": a.name,
                "position": {"low": low, "mode": mode, "high": high},
                "salience": point(s.salience),
                "capability": point(a.capability),
                "evidence": [],
            }
        )
    return {
        "question_id": "BENCH-EC-EMISSIONS",
        "frozen_at": str(sc.date),
        "continuum": {
            "label": issue.question,
            "anchor_0": issue.min_label or str(issue.scale_min),
            "anchor_100": issue.max_label or str(issue.scale_max),
        },
        "template": "multilateral_bargaining",
        "horizon": "one_shot",
        "notes": "realpolitik benchmarks/bench_peer.py: the EC example, two ranged positions",
        "actors": actors,
    }


def find_peer(arg: str | None) -> list[str] | None:
    """The peer's command (its console script beside the given Python), or None."""
    python = arg or os.environ.get(ENV)
    if not python:
        return None
    exe = shutil.which(python) or python
    if not Path(exe).exists():
        print(f"no Python at {python!r}")
        return None
    probe = "import importlib.util as u; print(u.find_spec('schelling.mc.monte_carlo') is not None)"
    res = subprocess.run([exe, "-c", probe], capture_output=True, text=True)
    if res.returncode or res.stdout.strip() != "True":
        print(f"{exe} has no schelling package (the peer)")
        return None
    script = Path(exe).parent / "schelling"
    if script.exists():
        return [str(script)]
    run_cli = "import sys; from schelling.cli import app; sys.argv[0] = 'schelling'; app()"
    return [exe, "-c", run_cli]


#: Where both tools' compiled bytecode goes (set in :func:`main`): each command runs once
#: untimed first, so that neither pays for compiling its modules, as an installed package
#: (pip compiles on install) would not, even where PYTHONDONTWRITEBYTECODE is set.
PYCACHE: Path | None = None


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if PYCACHE is not None:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if res.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}:\n{res.stderr[-3000:]}")
    return seconds, res.stdout


def run_peer(cmd: list[str], game: Path, tmp: Path, draws: int, rounds: int) -> tuple[float, dict]:
    out = tmp / "peer-runs"
    shutil.rmtree(out, ignore_errors=True)
    args = [str(game), "--draws", str(draws), "--seed", str(SEED), "--solver", "challenge"]
    args += ["--max-rounds", str(rounds), "--out-dir", str(out)]
    seconds, _ = timed([*cmd, "solve", *args], cwd=tmp)
    (record,) = out.glob("*.json")
    return seconds, json.loads(record.read_text())


def run_ours(
    yaml_path: Path, tmp: Path, draws: int, rounds: int, workers: int | None
) -> tuple[float, dict]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "realpolitik", "simulate", str(yaml_path), "-n", str(draws)]
    cmd += ["-m", "eum", "-r", str(rounds), "--seed", str(SEED), "--json", "--no-store"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    seconds, stdout = timed(cmd, cwd=tmp, env=env)
    return seconds, json.loads(stdout)


def api(sc: Scenario, draws: int, rounds: int, workers: int | None) -> tuple[float, np.ndarray]:
    t0 = time.perf_counter()
    ens = rp.simulate(sc, "eum", draws=draws, seed=SEED, rounds=rounds, workers=workers)
    return time.perf_counter() - t0, np.asarray(ens.forecasts["eum"][:, 0])


def our_medians(sc: Scenario, draws: int, rounds: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same draws as ``simulate(seed=SEED)``, as one batched EUM call: the forecast,
    and the Condorcet median and weighted mean of every round (rounds + 1, draws)."""
    u = chunk_uniforms(SEED, 0, draws, len(uncertain_inputs(sc)))
    _, batch = issue_batch(sc, draw_values(sc, u), 0)
    traj = eum.run(batch, rounds=rounds)
    return np.asarray(traj.forecast), traj.per_round["median"], traj.per_round["mean"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peer-python", help=f"the peer's Python (or set {ENV})")
    ap.add_argument("--quick", action="store_true", help="1,000 draws; the target is not judged")
    ap.add_argument("--rounds", type=int, default=10, help="rounds (the peer: its cap); 10")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs of each command; 3")
    args = ap.parse_args()
    draws = 1000 if args.quick else 10_000
    rounds = args.rounds

    peer = find_peer(args.peer_python)
    if peer is None:
        print(INSTALL)
        print("skipped: peer not installed")
        return 0

    cores = default_workers()
    print(
        f"realpolitik {rp.__version__} (numpy {np.__version__}, Python "
        f"{sys.version.split()[0]}), peer: {' '.join(peer)}; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"EC example, Germany's position {RANGES['germany']} and France's {RANGES['france']} "
        f"(low, mode, high), {draws:,} draws, seed {SEED}, {rounds} rounds (the peer: at most)"
    )
    sc = scenario()
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as name:
        tmp = Path(name)
        yaml_path, game_path = tmp / "ec-two-ranges.yaml", tmp / "ec-two-ranges.json"
        yaml_path.write_text(dump_yaml(sc))
        game_path.write_text(json.dumps(peer_game(sc), indent=1))

        global PYCACHE
        PYCACHE = tmp / "pycache"
        run_peer(peer, game_path, tmp, 100, rounds)  # untimed: compiles, warms the file cache
        run_ours(yaml_path, tmp, 100, rounds, 1)
        best: dict[str, float] = {}
        for _ in range(max(1, args.repeat)):  # the commands alternate
            t, record = run_peer(peer, game_path, tmp, draws, rounds)
            best["peer"] = min(t, best.get("peer", t))
            t, ours = run_ours(yaml_path, tmp, draws, rounds, None)
            best["cli"] = min(t, best.get("cli", t))
            t, _ = run_ours(yaml_path, tmp, draws, rounds, 1)
            best["cli1"] = min(t, best.get("cli1", t))
    t_api, f_api = api(sc, draws, rounds, None)
    t_api1, _ = api(sc, draws, rounds, 1)

    peer_s = best["peer"]
    rows = (
        ("schelling solve (peer CLI, one process)", peer_s),
        (f"realpolitik simulate (CLI, default: up to {cores} workers)", best["cli"]),
        ("realpolitik simulate --workers 1 (CLI)", best["cli1"]),
        (f"rp.simulate in-process (default: up to {cores} workers)", t_api),
        ("rp.simulate in-process (workers=1)", t_api1),
    )
    best_of = f", best of {args.repeat}" if args.repeat > 1 else ""
    print(f"\nseconds (wall clock{best_of}):")
    print(f"| {'run':<50} | {'seconds':>8} | {'peer / this':>11} |")
    print(f"|{'-' * 52}|{'-' * 9}:|{'-' * 12}:|")
    for label, s in rows:
        print(f"| {label:<50} | {s:8.2f} | {peer_s / s:10.1f}x |")

    # Sanity: what each computes, side by side (they need not match).
    stats = record["convergence_stats"]
    ens = record["ensemble"]
    summary = ours["summary"]["eum"]["issues"][0]
    forecast, median, mean = our_medians(sc, draws, rounds)
    same = np.array_equal(forecast, f_api, equal_nan=True)
    r_peer = min(round(stats["rounds_median"]), rounds)
    issue = sc.issues[0].id
    print(f"\nmean forecast per issue ({issue}, years of delay, scale 4-10):")
    print(
        f"  peer: {ens['mean']:.3f}, the mean over draws of its last round's weighted median "
        f"(median {ens['median']:.3f}, 10-90% {ens['p10']:.2f}-{ens['p90']:.2f}); it ran "
        f"{stats['rounds_mean']:.2f} rounds a draw on average (median {r_peer}, at most "
        f"{stats['rounds_max']:.0f}), {stats['converged_fraction']:.0%} stopped by its "
        f"convergence rule"
    )
    det = summary["mean"]
    print(
        f"  realpolitik: {'-' if det is None else f'{det:.3f}'}, the mean forecast over the "
        f"{summary['p_determinate']:.1%} of draws with one (settled {summary['p_settled']:.1%}; "
        f"the rest still moving at round {rounds})"
    )
    print(
        f"  realpolitik, every draw: the Condorcet median averages {median[r_peer].mean():.3f} "
        f"after round {r_peer} (where the peer usually stops) and {median[rounds].mean():.3f} "
        f"after round {rounds}; the weighted mean {mean[r_peer].mean():.3f} and "
        f"{mean[rounds].mean():.3f}"
    )
    print(f"  (the batched model call above gives the in-process forecasts bit for bit: {same})")

    ratio = peer_s / best["cli"]
    if args.quick:
        print(f"\n--quick: the {TARGET:.0f}x target is judged at 10,000 draws only ({ratio:.1f}x)")
        return 0
    ok = ratio >= TARGET and same
    print(
        f"\nrealpolitik's CLI {ratio:.1f}x faster than the peer's [target {TARGET:.0f}x]: "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:  # a command failed: say so, never print a made-up number
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
