"""``realpolitik simulate``, ``--set`` and the run history, as a user drives them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app

DATA = Path(__file__).parent / "data"
UNCERTAIN = str(DATA / "uncertain.yaml")
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_simulate_json_is_the_same_whatever_the_workers_and_chunks():
    a = _run("simulate", UNCERTAIN, "-n", "60", "--seed", "5", "--json", "-w", "1", "--no-store")
    b = _run(
        "simulate", UNCERTAIN, "-n", "60", "--seed", "5", "--json", "-w", "2",
        "--chunk-size", "7", "--no-store",
    )  # fmt: skip
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert a.stdout == b.stdout
    d = json.loads(a.stdout)
    assert d["draws"] == 60 and d["seed"] == 5 and d["complete"] is True


def test_simulate_renders_where_issues_land_and_who_wins():
    r = _run("simulate", UNCERTAIN, "-n", "40", "--seed", "1", "-w", "1", "-m", "compromise")
    assert r.exit_code == 0, r.output
    for fragment in ("where each issue lands", "who wins, and how surely", "seed 1", "P(most)"):
        assert fragment in r.stdout


def test_simulate_with_spread_names_it_in_the_bottom_lines_caveat():
    r = _run(
        "simulate", str(DATA / "minimal.yaml"), "--spread", "30", "-n", "20", "--seed", "1",
        "-w", "1", "-m", "compromise", "--no-store",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    said = " ".join(r.stdout.split())
    assert "These shares come from a default spread of ±30" in said
    assert "scenario's own ranges" not in said


def test_simulate_gives_an_unranged_scenario_the_calibrated_spread_and_says_so():
    from realpolitik.analysis.calibration import default_spread

    r = _run("simulate", str(DATA / "minimal.yaml"), "-n", "5", "--seed", "1", "-w", "1")
    assert r.exit_code == 0, r.output
    said = " ".join(r.stdout.split())
    assert f"the calibrated default spread of ±{default_spread():g}" in said
    assert "docs/explanation/calibration.md" in said and "10 uncertain inputs" in said
    ens = rp.simulate(rp.load(DATA / "minimal.yaml"), draws=5, seed=1, workers=1)
    assert ens.default_spread == default_spread() and len(ens.uncertain) == 10
    assert ens.scenario_hash == rp.load(DATA / "minimal.yaml").content_hash()
    assert rp.Ensemble.from_json(ens.to_json()).default_spread == default_spread()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "zed.capability=2"], "no actor 'zed'"),
        (["--set", "a.i1.salience=200"], "expected at most 100"),
        (["--scheduler", "tcp://127.0.0.1:1", "-w", "2"], "not both"),
        (["--scheduler", "not an address"], "address"),
        (["-m", "nope"], "unknown model"),
    ],
)
def test_simulate_bad_input_exits_2_without_traceback(args, fragment):
    r = _run("simulate", UNCERTAIN, "-n", "5", "--no-store", *args)
    assert r.exit_code == 2, r.output
    assert fragment in r.output and "Traceback" not in r.output


def test_forecast_set_changes_the_forecast():
    base = json.loads(_run("forecast", UNCERTAIN, "--json", "-m", "compromise").stdout)
    moved = _run("forecast", UNCERTAIN, "--json", "-m", "compromise", "--set", "b.i1.salience=0")
    assert moved.exit_code == 0, moved.output
    assert (
        json.loads(moved.stdout)["forecasts"]["compromise"]["i1"]
        != base["forecasts"]["compromise"]["i1"]
    )


def test_runs_are_recorded_unless_asked_not_to(tmp_path):
    store = str(tmp_path / "h.sqlite")
    assert _run("forecast", UNCERTAIN, "--store", store, "-m", "compromise").exit_code == 0
    r = _run("simulate", UNCERTAIN, "-n", "20", "--seed", "2", "-w", "1", "--store", store)
    assert r.exit_code == 0, r.output
    assert _run("forecast", UNCERTAIN, "--store", store, "--no-store").exit_code == 0
    listed = json.loads(_run("runs", "list", "--store", store, "--json").stdout)
    runs = listed["runs"] if isinstance(listed, dict) else listed
    assert sorted(x["kind"] for x in runs) == ["forecast", "simulate"]
    sim = next(x for x in runs if x["kind"] == "simulate")
    assert sim["seed"] == 2
    shown = _run("runs", "show", str(sim["id"]), "--store", store, "--json")
    assert shown.exit_code == 0 and '"draws": 20' in shown.stdout


def test_default_store_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "env.sqlite"
    monkeypatch.setenv("REALPOLITIK_STORE", str(path))
    assert _run("forecast", UNCERTAIN, "-m", "compromise").exit_code == 0
    assert path.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_cleanly_and_says_what_was_kept(tmp_path, workers):
    env = {**os.environ, "REALPOLITIK_STORE": str(tmp_path / "s.sqlite")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "realpolitik", "simulate", UNCERTAIN, "-n", "2000000",
         "--seed", "3", "-w", workers, "--chunk-size", "100", "-m", "compromise"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # Ctrl-C as in a terminal, even where this run inherited SIGINT ignored (a job
        # started in the background of a script)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: kept the first" in err and "Traceback" not in err
    assert "who wins" in out
    listed = subprocess.run(
        [sys.executable, "-m", "realpolitik", "runs", "list", "--json"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert '"partial"' in listed.stdout


def test_a_seed_beyond_64_bits_is_refused_and_a_store_problem_never_loses_the_result(tmp_path):
    r = _run("simulate", UNCERTAIN, "-n", "3", "--seed", str(2**63), "-w", "1")
    assert r.exit_code == 2 and "Traceback" not in r.output
    # a store that cannot be written: the result is printed, the run not recorded
    bad = tmp_path / "folder.sqlite"
    bad.mkdir()
    r = _run("simulate", UNCERTAIN, "-n", "3", "--seed", "1", "-w", "1", "--store", str(bad))
    assert r.exit_code == 0 and "who wins" in r.stdout and "run not recorded" in r.output
    r = _run("runs", "show", str(10**20), "--store", str(tmp_path / "s.sqlite"))
    assert r.exit_code in (0, 2) and "Traceback" not in r.output


def test_probabilities_against_the_status_quo_are_counted():
    from realpolitik.analysis.ensemble import simulate

    for draws in (5, 7, 50):
        for o in simulate(UNCERTAIN, "median", draws=draws, seed=0, workers=1).issue_outlook(
            "median"
        ):
            for p in (o.p_below, o.p_at, o.p_above):
                assert p is not None and 0.0 <= p <= 1.0
                assert abs(p * draws - round(p * draws)) < 1e-9  # a count of draws, as a share


def test_a_partial_run_records_the_draws_kept(tmp_path):
    from realpolitik.analysis.ensemble import simulate
    from realpolitik.runner.store import RunStore

    ens = simulate(UNCERTAIN, "compromise", draws=10, seed=1, workers=1)
    assert ens.complete  # a complete run records draws_kept == draws
    r = _run("simulate", UNCERTAIN, "-n", "10", "--seed", "1", "-w", "1", "-m", "compromise",
             "--store", str(tmp_path / "k.sqlite"))  # fmt: skip
    assert r.exit_code == 0
    with RunStore(tmp_path / "k.sqlite") as st:
        params = st.get(1).parameters
    assert params["draws"] == 10 and params["draws_kept"] == 10


def test_spread_gives_a_scenario_without_ranges_some_uncertainty():
    minimal = str(DATA / "minimal.yaml")
    r = _run("simulate", minimal, "-n", "50", "--seed", "1", "-w", "1", "--json", "--no-store",
             "--spread", "10", "-m", "compromise")  # fmt: skip
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert len(d["uncertain"]) == 10
    assert len(set(d["per_draw"]["forecasts"]["compromise"][k][0] for k in range(50))) > 1
    bad = _run("simulate", minimal, "-n", "5", "--spread", "0", "--no-store")
    assert bad.exit_code == 2 and "--spread" in bad.output


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"FORCE_COLOR": "1"},
        {"FORCE_COLOR": ""},
        {"TTY_COMPATIBLE": "1"},
        {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
        {"TTY_COMPATIBLE": "1", "FORCE_COLOR": ""},
        {"FORCE_TERMINAL": "1"},
    ],
)
def test_no_progress_display_is_made_only_where_rich_would_disable_it(monkeypatch, env):
    """The progress display is skipped, rich's progress not even imported, where rich
    takes standard error for no terminal, and only there: with ``FORCE_COLOR=1`` (a CI
    log that wants rich's output) a piped standard error is a terminal to rich, and the
    progress was shown before it was skipped; ``TTY_COMPATIBLE=0`` makes none."""
    from realpolitik.cli import common
    from realpolitik.cli.console import stderr_console

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "FORCE_TERMINAL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert common._no_terminal() == (not stderr_console().is_terminal)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals here")
def test_simulate_in_a_terminal_shows_its_progress_and_ends_well(tmp_path):
    """In a terminal (standard error a pseudo-terminal, as a user's), the progress display
    is made on the console itself: handed the console's stand-in, rich's live display
    entered it (``with console:``) and every many-run command ended in 'internal error:
    TypeError: '_Deferred' object does not support the context manager protocol', exit 1."""
    import select

    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(rp.__file__).parents[1]), env.get("PYTHONPATH")])
    )
    result = tmp_path / "result.json"
    with result.open("wb") as stdout:  # a file: a pipe of its own would need draining too
        proc = subprocess.Popen(
            [sys.executable, "-m", "realpolitik", "simulate", "ec-emissions-1994", "-n", "400"]
            + ["--no-store", "--json"],
            stdout=stdout,
            stderr=slave,
            env=env,
        )
    os.close(slave)
    shown = b""
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # drain the terminal, or the program blocks
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the program's side of the terminal is closed
                break
            shown += chunk
        proc.wait(timeout=120)
    finally:
        os.close(master)
    assert b"internal error" not in shown, shown.decode(errors="replace")[-2000:]
    assert proc.returncode == 0
    assert json.loads(result.read_text(encoding="utf-8"))["draws"] == 400
    assert b"400 draws" in shown  # the progress display's description
