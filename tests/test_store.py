"""The run history: record, list, get, compare; clear errors on a bad store; a run is
written whole or not at all, even when the writing process is killed; two writing
processes lose nothing; and the ``runs`` commands read it without a traceback."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.errors import InputError, RealpolitikError
from realpolitik.runner.store import (
    SCHEMA_VERSION,
    Difference,
    RunStore,
    StoreError,
    default_path,
    record_forecast,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _never_the_user_store(tmp_path, monkeypatch):
    """Whatever a test forgets to pass, it never touches the real user store."""
    monkeypatch.setenv("REALPOLITIK_STORE", str(tmp_path / "default" / "runs.sqlite"))


@pytest.fixture(scope="module")
def caucasus() -> rp.Scenario:
    return rp.load("caucasus-2022")


@pytest.fixture(scope="module")
def fc(caucasus) -> rp.Forecast:
    return rp.forecast(caucasus)


def with_salience(sc: rp.Scenario, actor: str, issue: str, salience: float) -> rp.Scenario:
    """``sc`` with one salience set to a point (its range, if any, dropped)."""
    stances = tuple(
        dataclasses.replace(s, salience=salience, salience_range=None)
        if (s.actor, s.issue) == (actor, issue)
        else s
        for s in sc.stances
    )
    return dataclasses.replace(sc, stances=stances)


# ------------------------------------------------------------------ round trip
def test_record_get_list_round_trip(tmp_path, caucasus, fc):
    path = tmp_path / "deep" / "folder" / "runs.sqlite"  # parents are created
    with RunStore(path) as st:
        a = record_forecast(st, caucasus, fc, {"command": "forecast"})
        b = st.record(
            "simulate",
            caucasus,
            {"draws": 100, "interventions": [{"actor": "russia", "capability": 0.5}]},
            {"mean": {"karabakh-control": 42.0}, "nan": float("nan")},
            seed=7,
            status="partial",
            note="interrupted after 60 draws",
        )
        assert b > a
        assert [r.id for r in st.list()] == [b, a]  # newest first
        assert [r.id for r in st.list(kind="simulate")] == [b]
        assert [r.id for r in st.list(limit=1)] == [b]
        assert [r.id for r in st.list(scenario="caucasus-2022")] == [b, a]
        assert [r.id for r in st.list(scenario=caucasus.content_hash())] == [b, a]
        assert st.list(scenario="elsewhere") == []
        assert st.count() == 2 and st.count(kind="forecast") == 1

        rec = st.get(a)
        info = rec.info
        assert (info.kind, info.status, info.seed) == ("forecast", "complete", None)
        assert info.note is None
        assert info.version == rp.__version__
        assert (info.scenario_id, info.scenario_name) == (caucasus.id, caucasus.name)
        assert info.scenario_hash == caucasus.content_hash()
        assert len(info.created) == 20 and info.created.endswith("Z")  # 2024-01-02T03:04:05Z
        assert rec.scenario == json.loads(json.dumps(caucasus.to_dict()))
        assert rp.Scenario.from_dict(rec.scenario).content_hash() == caucasus.content_hash()
        assert rec.parameters["command"] == "forecast"
        assert rec.parameters["models"] == ["compromise", "median", "eum"]
        assert rec.parameters["model_parameters"]["eum"]["rounds"] == 40
        for model in fc.models:
            for issue in fc.issues:
                v = fc.value(model, issue)  # nan where undetermined: null in the store
                assert rec.summary["forecasts"][model][issue] == (None if math.isnan(v) else v)
            assert rec.summary["gains"][model] == fc.gains(model)
        assert list(rec.summary["forecasts"]) == list(fc.models)  # order kept
        eum = rec.summary["stability"]["eum"]
        assert eum["karabakh-control"] == {
            "settled": False,
            "cycle_period": 2,
            "undetermined": "undetermined: cycles between 5.0 and 100.0",
        }
        assert eum["turkey-armenia-normalization"] == {"settled": True, "cycle_period": 0}

        sim = st.get(b)
        assert (sim.info.status, sim.info.note, sim.info.seed) == (
            "partial",
            "interrupted after 60 draws",
            7,
        )
        assert sim.summary == {"mean": {"karabakh-control": 42.0}, "nan": None}
        assert sim.parameters["interventions"][0]["capability"] == 0.5
        assert json.loads(json.dumps(sim.to_dict()))["run"]["id"] == b
        with pytest.raises(dataclasses.FrozenInstanceError):
            sim.info.kind = "x"  # type: ignore[misc]
    # the scenario is stored once per content hash
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM scenarios").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_record_checks_its_arguments(tmp_path, caucasus, fc):
    with RunStore(tmp_path / "runs.sqlite") as st:
        with pytest.raises(ValueError, match="status"):
            st.record("forecast", caucasus, {}, {}, status="done")
        with pytest.raises(ValueError, match="kind"):
            st.record(" ", caucasus, {}, {})
        with pytest.raises(InputError, match=r"parameters\.f: cannot store a object"):
            st.record("forecast", caucasus, {"f": object()}, {})
        other = with_salience(caucasus, "russia", "karabakh-control", 90)
        with pytest.raises(ValueError, match="does not match"):
            record_forecast(st, other, fc)
        assert st.count() == 0


# --------------------------------------------------------------------- compare
def test_compare_reports_exactly_the_changed_salience(tmp_path, caucasus, fc):
    changed = with_salience(caucasus, "russia", "karabakh-control", 90)
    with RunStore(tmp_path / "runs.sqlite") as st:
        a = record_forecast(st, caucasus, fc)
        b = record_forecast(st, changed, rp.forecast(changed))
        same = record_forecast(st, caucasus, fc)
        cmp = st.compare(a, b)
        assert not cmp.same_scenario
        old = caucasus.stance("russia", "karabakh-control").to_dict()["salience"]  # a range
        assert cmp.scenario_differences == (
            Difference("stances[actor=russia, issue=karabakh-control].salience", old, 90),
        )
        assert cmp.parameter_differences == ()
        assert len(cmp.forecasts) == len(fc.models) * len(fc.issues)
        for c in cmp.forecasts:
            v = fc.value(c.model, c.item)
            if math.isnan(v):  # undetermined: nothing to subtract
                assert c.a is None and c.delta is None
                continue
            assert c.a == v
            assert c.delta == pytest.approx(c.b - c.a)
        moved = {(c.model, c.item) for c in cmp.forecasts if c.delta}
        assert ("compromise", "karabakh-control") in moved
        assert all(issue == "karabakh-control" for m, issue in moved if m == "compromise")
        assert {c.model for c in cmp.gains} == set(fc.models)
        json.dumps(cmp.to_dict())

        again = st.compare(a, same)
        assert again.same_scenario and again.scenario_differences == ()
        assert all(c.delta == 0 or c.a is c.b is None for c in again.forecasts)
        assert again.summary_differences == ()


def test_compare_matches_by_id_not_by_position(tmp_path, caucasus):
    base = caucasus.to_dict()
    moved = json.loads(json.dumps(base))
    moved["actors"] = moved["actors"][::-1]
    moved["stances"] = moved["stances"][::-1]
    moved["actors"][0]["capability"] = 1234.0
    gone = moved["stances"].pop()
    moved["issues"][0]["scale"]["max_label"] = "changed"
    with RunStore(tmp_path / "runs.sqlite") as st:
        a = st.record("other", base, {"rounds": 3}, {})
        b = st.record("other", moved, {"rounds": 4, "q": 0.5}, {})
        cmp = st.compare(a, b)
    paths = {d.path: d for d in cmp.scenario_differences}
    last = base["actors"][-1]["id"]
    assert paths[f"actors[id={last}].capability"].new == 1234.0
    key = f"stances[actor={gone['actor']}, issue={gone['issue']}]"
    assert paths[key].old == gone and paths[key].new is None
    assert paths[f"issues[id={base['issues'][0]['id']}].scale.max_label"].new == "changed"
    assert "actors[order]" in paths and "stances[order]" in paths
    assert len(paths) == 5  # nothing else: every other actor and stance matched by id
    assert set(cmp.parameter_differences) == {
        Difference("rounds", 3, 4),
        Difference("q", None, 0.5),
    }


# ---------------------------------------------------------------------- errors
def test_a_folder_is_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="is a folder; expected a run-store file") as info:
        RunStore(tmp_path)
    assert str(tmp_path) in str(info.value)
    assert isinstance(info.value, RealpolitikError)


def test_a_text_file_is_not_a_store(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a SQLite database") as info:
        RunStore(p)
    assert str(p) in str(info.value) and "expected a realpolitik run store" in str(info.value)
    assert p.read_text().startswith("these are my notes")  # untouched


def test_another_programs_database_is_not_a_store(tmp_path):
    p = tmp_path / "other.sqlite"
    with sqlite3.connect(p) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    with pytest.raises(StoreError, match=r"something else.*invoices"):
        RunStore(p)


def test_a_newer_schema_is_refused(tmp_path, caucasus):
    p = tmp_path / "runs.sqlite"
    RunStore(p).close()
    conn = sqlite3.connect(p)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=f"newer realpolitik .store schema {SCHEMA_VERSION + 1}"):
        RunStore(p)


def test_a_missing_store_is_an_error_only_when_asked(tmp_path):
    with pytest.raises(StoreError, match="no run store there"):
        RunStore(tmp_path / "absent.sqlite", create=False)
    assert not (tmp_path / "absent.sqlite").exists()


def test_unknown_run_id(tmp_path, caucasus):
    with RunStore(tmp_path / "runs.sqlite") as st:
        with pytest.raises(StoreError, match=r"no run 1; .*holds no runs"):
            st.get(1)
        st.record("forecast", caucasus, {}, {})
        with pytest.raises(StoreError, match=r"no run 5; expected the id of a recorded run"):
            st.compare(1, 5)


def test_a_locked_store_errors_after_the_timeout(tmp_path, caucasus):
    p = tmp_path / "runs.sqlite"
    RunStore(p).close()
    holder = sqlite3.connect(p, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        with RunStore(p, timeout=0.2) as st:
            assert st.list() == []  # readers do not wait (WAL)
            t0 = time.monotonic()
            with pytest.raises(StoreError, match="locked by another process") as info:
                st.record("forecast", caucasus, {}, {})
            assert time.monotonic() - t0 >= 0.15
            assert str(p) in str(info.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with RunStore(p) as st:
        assert st.count() == 0


def test_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("REALPOLITIK_STORE", str(tmp_path / "mine.sqlite"))
    assert default_path() == tmp_path / "mine.sqlite"
    monkeypatch.delenv("REALPOLITIK_STORE")
    if os.name == "nt":
        monkeypatch.setenv("APPDATA", str(tmp_path))
        assert default_path() == tmp_path / "realpolitik" / "runs.sqlite"
        return
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "realpolitik" / "runs.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / ".local/share/realpolitik/runs.sqlite"


# ------------------------------------------------------------ kill safety, races
WRITER = textwrap.dedent(
    """
    import sys
    import realpolitik as rp
    from realpolitik.runner.store import RunStore

    path, tag, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    sc = rp.load("caucasus-2022")
    st = RunStore(path, timeout=30)
    i = 0
    while count < 0 or i < count:
        values = [float(i * size + k) / 7 for k in range(size)]
        run = st.record(
            "simulate", sc, {"writer": tag, "i": i, "size": size},
            {"writer": tag, "i": i, "n": size, "values": values, "total": sum(values)},
            seed=i,
        )
        print(run, flush=True)
        i += 1
    """
)


def _writer(path: Path, tag: str, count: int, size: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), tag, str(count), str(size)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "REALPOLITIK_STORE": str(path)},
    )


def _check_whole(path: Path) -> dict[str, list[int]]:
    """Every listed run is complete and consistent; ``{writer: [i, ...]}``."""
    with RunStore(path) as st:
        assert st.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        infos = st.list(limit=None)
        assert len(infos) == st.count()
        seen: dict[str, list[int]] = {}
        for info in infos:
            rec = st.get(info.id)
            s, p = rec.summary, rec.parameters
            assert info.status == "complete" and info.seed == s["i"] == p["i"]
            assert s["writer"] == p["writer"] and s["n"] == p["size"] == len(s["values"])
            assert s["total"] == pytest.approx(sum(s["values"]))
            assert rec.scenario["id"] == "caucasus-2022"
            seen.setdefault(s["writer"], []).append(s["i"])
    return seen


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_writer_never_leaves_half_a_run(tmp_path):
    path = tmp_path / "runs.sqlite"
    rng = random.Random(20240229)
    printed: set[int] = set()
    for round_ in range(6):
        proc = _writer(path, f"w{round_}", -1, 40_000)  # ~0.8 MB of JSON per run
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the store exists and the writer is in its loop
        assert first.strip().isdigit(), first
        printed.add(int(first))
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        printed |= {int(x) for x in rest.split()}
        seen = _check_whole(path)
        assert f"w{round_}" in seen
        with RunStore(path) as st:
            ids = {r.id for r in st.list(limit=None)}
        assert printed <= ids  # a run reported as recorded survived the kill
        for i_s in seen.values():  # each writer's runs 0..k, none missing in between
            assert sorted(i_s) == list(range(len(i_s)))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_inside_its_transaction_leaves_nothing_and_no_lock(tmp_path, caucasus):
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as st:
        st.record("forecast", caucasus, {}, {"ok": True})
    child = textwrap.dedent(
        """
        import sys, time
        from realpolitik.runner.store import RunStore
        st = RunStore(sys.argv[1])
        st.conn.execute("BEGIN IMMEDIATE")
        st.conn.execute(
            "INSERT INTO runs (kind, created, version, scenario_id, scenario_name, "
            "scenario_hash, parameters, summary, status) SELECT 'half', created, version, "
            "scenario_id, scenario_name, scenario_hash, '{', '{', 'complete' FROM runs"
        )
        print("inside", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "inside"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    with RunStore(path, timeout=2) as st:
        assert [r.kind for r in st.list()] == ["forecast"]
        assert st.record("forecast", caucasus, {}, {}) == 2  # not locked, ids go on


OPENER = textwrap.dedent(
    """
    import sys, time
    from realpolitik.runner.store import RunStore
    from realpolitik.app.persist import WorkspaceStore

    start = float(sys.argv[3])
    while time.time() < start:  # both processes open the new file at the same moment
        pass
    if sys.argv[2] == "runs":
        RunStore(sys.argv[1], timeout=10).close()
    else:
        WorkspaceStore(sys.argv[1], limit=10, timeout=10)
    """
)


@pytest.mark.parametrize("kind", ["runs", "workspaces"])
def test_two_processes_creating_one_store_at_once_both_open_it(tmp_path, kind):
    """SQLite does not wait to change a journal mode while another connection holds a lock:
    of two processes creating one run store at the same moment, one failed at once
    ("locked", in 47 of 60 tries) before the change was retried. The dashboard's
    workspace file changes its journal mode through the same retry."""
    import time

    for k in range(8):
        path = tmp_path / f"new-{k}.sqlite"
        start = f"{time.time() + 0.5:.6f}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPENER, str(path), kind, start],
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err[-2000:]
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.slow
def test_two_writing_processes_lose_no_run(tmp_path):
    path = tmp_path / "runs.sqlite"  # created by the racing writers themselves
    procs = [_writer(path, tag, 25, 2_000) for tag in ("a", "b")]
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        assert len(out.split()) == 25
    seen = _check_whole(path)
    assert sorted(seen["a"]) == sorted(seen["b"]) == list(range(25))
    with RunStore(path) as st:
        assert st.count() == 50


# ------------------------------------------------------------------------- CLI
def _cli() -> typer.Typer:
    from realpolitik.cli.runs import runs_app

    cli = typer.Typer()

    @cli.callback()
    def _root() -> None:
        """realpolitik (test harness)"""

    cli.add_typer(runs_app, name="runs")
    return cli


runner = CliRunner()


def runs(*args: str, code: int = 0) -> str:
    result = runner.invoke(_cli(), ["runs", *args], env={"COLUMNS": "160"})
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture
def store_with_runs(tmp_path, caucasus, fc) -> Path:
    path = tmp_path / "runs.sqlite"
    changed = with_salience(caucasus, "russia", "karabakh-control", 90)
    with RunStore(path) as st:
        record_forecast(st, caucasus, fc)
        record_forecast(st, changed, rp.forecast(changed))
        st.record(
            "simulate",
            caucasus,
            {"draws": 10},
            {"mean": 1.5},
            seed=3,
            status="partial",
            note="[bold]interrupted[/]",
        )
    return path


def test_cli_list_show_compare(store_with_runs):
    p = str(store_with_runs)
    out = runs("list", "--store", p)
    assert "caucasus-2022" in out and "simulate" in out and "forecast" in out
    assert "[bold]interrupted[/]" in out  # user text is shown, not read as markup
    assert "3 of 3" in out
    assert "simulate" not in runs("list", "--store", p, "--kind", "forecast")
    listed = json.loads(runs("list", "--store", p, "--json", "--limit", "2"))
    assert [r["id"] for r in listed] == [3, 2]

    out = runs("show", "1", "--store", p)
    assert "Forecasts" in out and "karabakh-control" in out and "eum" in out
    assert "eum gives no forecast (undetermined) on karabakh-control" in out
    assert "eum cycles on" in out  # a narrow cycle, forecast its mean
    full = json.loads(runs("show", "1", "--store", p, "--json"))
    assert full["summary"]["forecasts"]["eum"]["karabakh-control"] is None
    assert full["summary"]["forecasts"]["eum"]["russia-transit-role"] == 37.5
    assert full["scenario"]["id"] == "caucasus-2022"
    assert "status: partial" in runs("show", "3", "--store", p)

    out = runs("compare", "1", "2", "--store", p)
    assert "stances[actor=russia, issue=karabakh-control].salience" in out
    assert "Same parameters." in out and "B - A" in out
    data = json.loads(runs("compare", "1", "2", "--store", p, "--json"))
    old = rp.load("caucasus-2022").stance("russia", "karabakh-control").to_dict()["salience"]
    assert data["scenario_differences"] == [
        {"path": "stances[actor=russia, issue=karabakh-control].salience", "old": old, "new": 90}
    ]
    assert "Same scenario" in runs("compare", "1", "3", "--store", p)


def test_cli_uses_the_default_store(store_with_runs, monkeypatch):
    monkeypatch.setenv("REALPOLITIK_STORE", str(store_with_runs))
    assert "3 of 3" in runs("list")


def test_cli_errors_are_clear(tmp_path, store_with_runs):
    out = runs("show", "99", "--store", str(store_with_runs), code=2)
    assert "error:" in out and "no run 99" in out and str(store_with_runs) in out
    assert "is a folder" in runs("list", "--store", str(tmp_path), code=2)
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 50)
    assert "not a SQLite database" in runs("show", "1", "--store", str(text), code=2)
    absent = tmp_path / "absent.sqlite"
    assert "No runs recorded yet" in runs("list", "--store", str(absent))
    assert json.loads(runs("list", "--store", str(absent), "--json")) == []
    assert "no run store there" in runs("compare", "1", "2", "--store", str(absent), code=2)
    assert not absent.exists()  # reading never creates a store
