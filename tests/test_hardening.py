"""Hostile input and faults (issue 12, part 4): each break the campaign found, reproduced.

Every case ends as the library promises: exit code 2 with a message that names the file,
the line and the field (and quotes at most a short excerpt), or a correct result; never a
traceback (exit code 1), a hang, a raw escape sequence on the terminal or a live process
left behind. See docs/explanation/security.md.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.cli.text import shown
from realpolitik.errors import ScenarioError
from realpolitik.scenario.csv_io import parse_csv
from realpolitik.scenario.deu import COLUMNS, parse_deu
from realpolitik.scenario.interventions import intervene, parse_intervention
from realpolitik.scenario.numbers import exact, excerpt, number_or_none
from realpolitik.scenario.yaml_io import parse_yaml

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text()
SRC = Path(__file__).resolve().parents[1] / "src"

runner = CliRunner()


def _invoke(*args: str):
    result = runner.invoke(app, list(args))
    return result, result.output


def _bad(write, name: str, text: str, *args: str, command: str = "validate") -> str:
    """The output of ``command`` on the file: exit code 2 and no traceback, checked."""
    path = write(name, text)
    result, out = _invoke(command, str(path), *args)
    assert result.exit_code == 2, out
    assert "Traceback" not in out and "internal error" not in out, out
    return out


# ------------------------------------------------------------------ tags


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("{actor: c, issue: i1,", "{actor: c, issue: !!binary aTk=,", "stances[2].issue"),
        ("{actor: c, issue: i1,", "{actor: !!binary eng=, issue: i1,", "stances[2].actor"),
        ("source: {ref: s}}\n  - {id: b", "source: {ref: !!binary eHg=}}\n  - {id: b", "ref"),
        ("position: 60", "position: !!set {60}", "stances[2].position"),
        ("position: 60", "position: !!omap [{a: 1}]", "stances[2].position"),
        ("position: 60", "position: !!timestamp 2020-01-01", "stances[2].position"),
        ("position: 60", "position: !local 60", "stances[2].position"),
    ],
)
def test_only_core_tags_pass(write, old, new, field):
    """A ``!!binary`` scalar used to become bytes, then text, and slip past the cross
    references (validate: exit 0; simulate: KeyError, exit 1)."""
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    for command in ("validate", "forecast"):
        out = _bad(write, "tag.yaml", text, command=command)
        assert re.search(r"tag\.yaml:\d+: \S*" + re.escape(field), out), out
        assert "not allowed" in out and "core schema" in out


def test_a_binary_outcome_issue_is_refused(write):
    text = MINIMAL + ("outcomes:\n  - {issue: !!binary aTk=, value: 40, source: {ref: s}}\n")
    out = _bad(write, "outcome.yaml", text)
    assert "outcome.yaml:30: outcomes[0].issue: the tag '!!binary' is not allowed" in out


# ------------------------------------------------------------------ ids of the wrong type


@pytest.mark.parametrize(
    ("value", "got"), [("[i1]", "a list"), ("{x: 1}", "a mapping"), ("12", "the number 12")]
)
def test_an_id_that_is_not_text_is_a_located_problem(write, value, got):
    """A stance whose issue was a list or a mapping crashed with a TypeError (exit 1)."""
    text = MINIMAL.replace("{actor: c, issue: i1,", f"{{actor: c, issue: {value},")
    out = _bad(write, "ids.yaml", text)
    assert f"ids.yaml:26: stances[2].issue: expected a text, got {got}" in out


# ------------------------------------------------------------------ numbers beyond range


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("position: 60", "position: " + "9" * 310, "stances[2].position"),
        ("position: 60", "position: {value: 60, low: 0, high: 1" + "0" * 309 + "}", "high"),
        ("status_quo: 50", "status_quo: -" + "9" * 5001, "issues[0].status_quo"),
        ("position: 60", "position: 1e400", "stances[2].position"),
    ],
)
def test_numbers_beyond_float_range_are_refused_briefly(write, old, new, field):
    """A 310-digit integer raised an OverflowError (exit 1); a 5,001-digit one was echoed
    whole."""
    out = _bad(write, "big.yaml", MINIMAL.replace(old, new))
    assert field in out and "beyond the largest number (1.7976931348623157e+308)" in out
    assert "9" * 30 not in out and "0" * 30 not in out  # an excerpt, not the number
    assert len(out) < 400


def test_a_huge_outcome_is_refused(write):
    text = MINIMAL + "outcomes:\n  - {issue: i1, value: " + "7" * 400 + ", source: {ref: s}}\n"
    out = _bad(write, "outcome.yaml", text)
    assert "outcome.yaml:30: outcomes[0].value:" in out and "beyond the largest number" in out


def test_from_dict_refuses_a_huge_integer_without_overflow():
    data = rp.load(DATA / "minimal.yaml").to_dict()
    data["stances"][0]["position"] = 10**400
    data["outcomes"] = [{"issue": "i1", "value": 10**400, "source": {"ref": "s"}}]
    with pytest.raises(ScenarioError) as info:
        rp.Scenario.from_dict(data)
    text = str(info.value)
    assert "stances[0].position" in text and "outcomes[0].value" in text
    assert "an integer of about 401 digits" in text


# ------------------------------------------------------------------ arithmetic


SHOCKS = """shocks:
  - {round: 1, actor: a, field: capability, op: multiply, value: 1e300, source: {ref: s}}
  - {round: 2, actor: a, field: capability, op: multiply, value: 1e300, source: {ref: s}}
"""


@pytest.mark.parametrize("json", [False, True])
def test_capability_shocks_that_overflow_are_refused(write, json):
    """They used to print inf/nan forecasts with exit 0 (with --json: exit 1)."""
    args = ("--json",) if json else ()
    out = _bad(write, "shock.yaml", MINIMAL.replace("capability: 2,", "capability: 1e300,")
               + SHOCKS, *args, command="forecast")  # fmt: skip
    assert "shock.yaml:31: shocks[1].value: leaves a.capability beyond the largest number" in out
    assert "inf" not in out.replace("info", "") and "nan" not in out


def test_set_shocks_that_overflow_are_refused():
    sc = rp.load(DATA / "minimal.yaml")
    with pytest.raises(ScenarioError, match="beyond the largest number"):
        intervene(sc, ["a.capability*=1e300@1", "a.capability*=1e300@2"])


def test_huge_but_finite_numbers_still_forecast_finitely(write):
    text = MINIMAL.replace("capability: 2,", "capability: 1e300,")
    fc = rp.forecast(rp.load(write("big.yaml", text)), model="all")
    for run in fc.runs:
        assert not any(abs(x) == float("inf") for x in run.forecast)


# ------------------------------------------------------------------ one number grammar


FOREIGN = ["1_000", "\u0661\u0662", "\uff11\uff12", "1\x00", "0x10", "nan", "inf", "1e999"]


@pytest.mark.parametrize("cell", FOREIGN)
def test_the_csv_reader_takes_the_one_grammar(write, cell):
    """The CSV reader used to take ``1_000``, Arabic-Indic and full-width digits and NUL
    bytes, which the YAML reader refuses."""
    text = f"actor,capability,position,salience\nA,1,10,50\nB,2,{cell},50\n"
    out = _bad(write, "t.csv", text)
    assert "t.csv:3" in out


@pytest.mark.parametrize("cell", FOREIGN)
def test_set_takes_the_one_grammar(cell):
    with pytest.raises(ScenarioError):
        parse_intervention(f"a.capability={cell}")
    with pytest.raises(ScenarioError):
        parse_intervention(f"a.capability*=2@{cell}")


@pytest.mark.parametrize("cell", ["\u0661", "\uff11", "1_0"])
def test_set_rounds_are_ascii_digits(cell):
    with pytest.raises(ScenarioError, match="round number"):
        parse_intervention(f"a.capability*=2@{cell}")


@pytest.mark.parametrize("cell", ["1_000", "\u0661\u0662", "\uff11\uff12"])
def test_yaml_takes_the_one_grammar_even_when_tagged(write, cell):
    out = _bad(write, "f.yaml", MINIMAL.replace("position: 60", f"position: !!float {cell}"))
    assert "f.yaml:26: stances[2].position" in out


def test_the_deu_reader_takes_the_one_grammar():
    header = "\t".join(COLUMNS)
    row = ["x"] * len(COLUMNS)
    for k, col in enumerate(COLUMNS):
        if col.startswith(("p", "s")) and col not in ("proc", "prnr", "prname"):
            row[k] = "50"
    row[COLUMNS.index("pde")] = "\u0665\u0660"
    row[COLUMNS.index("issues")] = "\uff12"
    row[COLUMNS.index("intro")] = "\u0661\u0662-03-2004"
    with pytest.raises(ScenarioError) as info:
        parse_deu(header + "\n" + "\t".join(row) + "\n", "d.tsv")
    fields = {p.field.split(" ")[0] for p in info.value.problems}
    assert {"pde", "issues", "intro"} <= fields


def test_the_grammar_is_one():
    for good in ("42", "-3.5", ".5", "1e3", " 7 "):
        assert number_or_none(good) is not None
    for bad in [*FOREIGN, "", "1 000", "١", "+-1"]:
        assert number_or_none(bad) is None, bad


def test_control_characters_are_refused_in_every_text_file(write):
    out = _bad(write, "nul.csv", "actor,capability,position,salience\nA\x00,1,10,50\n")
    assert "nul.csv:2:" in out and "U+0000" in out
    with pytest.raises(ScenarioError, match=r"U\+001B"):
        parse_csv("actor,capability,position,salience\nA\x1b[2J,1,10,50\n", "t.csv")
    with pytest.raises(ScenarioError, match=r"U\+0000"):
        parse_intervention("a\x00.capability=1")


# ------------------------------------------------------------------ the terminal


HOSTILE = "Al\\e[2J\\e]0;pwned\\aph\\u202ea\\u2066"


def test_names_reach_the_terminal_escaped(write):
    """Names from a file used to reach the terminal raw: an escape sequence cleared the
    screen, recoloured it, retitled the window; bidi overrides reordered the text."""
    text = MINIMAL.replace("name: Alpha", f'name: "{HOSTILE}"').replace(
        "question: How far?", 'question: "How \\e[31mfar?"'
    )
    path = write("esc.yaml", text)
    for args in (["forecast", str(path)], ["levers", str(path), "--actor", "a"]):
        result, out = _invoke(*args)
        assert result.exit_code == 0, out
        for raw in ("\x1b", "\x07", "\u202e", "\u2066"):
            assert raw not in out, (args, raw)
        assert "\\x1b[2J" in out and "\\u202e" in out


def test_messages_reach_the_terminal_escaped():
    result, out = _invoke("forecast", "--set", "a\x1b[2J.capability=\x1b]0;x")
    assert result.exit_code == 2 and "\x1b" not in out and "\\x1b" in out


def test_shown_escapes_what_a_terminal_acts_on():
    assert shown("a\x1b[31mb\u202ec\nd\x9be") == "a\\x1b[31mb\\u202ec\\x0ad\\x9be"
    assert shown("Россия, Türkiye") == "Россия, Türkiye"


# ------------------------------------------------------------------ files and processes


def test_a_fifo_is_refused_at_once(tmp_path):
    """A FIFO path made `validate` block forever."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            rp.load(fifo)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)  # a hang must fail, not hang
    reader.start()
    reader.join(timeout=30)
    assert not reader.is_alive(), "reading a FIFO blocked"
    (exc,) = outcome
    assert isinstance(exc, ScenarioError)
    assert "is a pipe (FIFO), not a regular file" in str(exc)
    for command in ("validate", "backtest"):
        proc = subprocess.run(
            [sys.executable, "-m", "realpolitik", command, str(fifo)],
            env={**os.environ, "PYTHONPATH": str(SRC)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2, (command, proc.stderr)
        assert "not a regular file" in proc.stderr + proc.stdout
    assert time.monotonic() - started < 120


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            out.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(d))
    return out


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_no_process_outlives_a_killed_simulate():
    """Each SIGKILL of `simulate` used to leave four live processes: the forkserver, the
    resource tracker and two workers. (Its pool now forks: two workers, its children.)"""
    from realpolitik.runner import backends

    expected = 2 if backends.FORK else 4  # the workers (and the server, the tracker)
    proc = subprocess.Popen(
        [sys.executable, "-m", "realpolitik", "simulate", "--draws", "400000", "--seed", "1",
         "--workers", "2", "--no-store"],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    found: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(found) < expected and proc.poll() is None:
            time.sleep(0.2)
            found = _descendants(proc.pid)
        assert len(found) >= expected, f"the run started no pool: {found}"
        _kill_and_check(proc, found)
    finally:
        _clean_up(proc, found)


def _kill_and_check(proc: subprocess.Popen[Any], found: list[int]) -> None:
    """SIGKILL ``proc`` (not reaped yet: a zombie parent counts as dead) and check that
    every process of ``found`` ends within 20 s."""
    proc.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_running(p) for p in found):
        time.sleep(0.2)
    left = [p for p in found if _running(p)]
    assert not left, f"still running after the parent's SIGKILL: {left}"


def _clean_up(proc: subprocess.Popen[Any], found: list[int]) -> None:
    proc.kill()
    proc.wait()
    for p in found:
        if _running(p):
            os.kill(p, signal.SIGKILL)


@pytest.mark.parametrize("method", ["forkserver", "fork"])
def test_no_worker_of_a_front_ends_pool_outlives_its_killed_process(tmp_path, method):
    """The dashboard's chart workers (``runner.backends.process_pool``, from its server's
    threads: a forkserver's) end with the server that started them: a benchmark's SIGKILLed
    server left its forkserver and two chart workers running (and holding the benchmark's
    output pipe open). A forked pool's workers (a script's) end with it too."""
    from realpolitik.runner import backends

    if method not in multiprocessing.get_all_start_methods() or (
        method == "fork" and not backends.FORK
    ):
        pytest.skip(f"no {method} here")
    script = (
        "import os, time\n"
        "from realpolitik.runner.backends import process_pool\n"
        "def pid(_):\n"
        "    time.sleep(0.2)\n"
        "    return os.getpid()\n"
        "if __name__ == '__main__':\n"
        f"    pool = process_pool(2, None, {method!r})\n"
        "    print(sorted(set(pool.map(pid, range(6)))), flush=True)\n"
        "    time.sleep(120)\n"
    )
    (tmp_path / "pool_script.py").write_text(script, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "pool_script.py")],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    found: list[int] = []
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        workers = [int(x) for x in line.strip("[]\n").split(",") if x.strip()]
        found = _descendants(proc.pid)
        assert set(workers) <= set(found) and workers, (workers, found)
        _kill_and_check(proc, found)
    finally:
        _clean_up(proc, found)


# ------------------------------------------------------------------ messages


def test_an_off_scale_number_is_written_exactly(write):
    out = _bad(write, "sq.yaml", MINIMAL.replace("status_quo: 50", "status_quo: 100.0000001"))
    assert "100.0000001 is off the scale; expected 0 to 100" in out
    assert exact(100.0000001) == "100.0000001" and exact(12.5) == "12.5"


def test_many_columns_are_not_listed_whole(write):
    cols = ",".join(f"c{k}" for k in range(9996))
    out = _bad(write, "wide.csv", f"{cols}\n" + ",".join("1" * 9996) + "\n")
    assert "9,996 unknown column(s) 'c0'" in out and "and 9,988 more" in out
    assert len(out) < 600
    with pytest.raises(ScenarioError) as info:
        parse_deu("\t".join(f"c{k}" for k in range(9996)) + "\n", "wide.tsv")
    assert len(str(info.value)) < 1500 and "9,996 unknown columns" in str(info.value)


def test_long_texts_are_quoted_as_excerpts():
    assert excerpt("x" * 5001) == "'" + "x" * 40 + "'... (5,001 characters)"
    with pytest.raises(ScenarioError) as info:
        parse_intervention("a.capability=" + "x" * 5000)
    assert len(str(info.value)) < 300 and "x" * 50 not in str(info.value)


def test_a_large_plain_file_is_not_called_an_alias_bomb():
    actors = "\n".join(
        f"  - {{id: a{k}, name: A{k}, capability: 1, source: {{ref: s}}}}" for k in range(10000)
    )
    stances = "\n".join(
        f"  - {{actor: a{k}, issue: i1, position: 5, salience: 50, source: {{ref: s}}}}"
        for k in range(10000)
    )
    text = (
        "id: big\nname: Big\nsources:\n  - {id: s, title: T}\nactors:\n"
        + actors
        + "\nissues:\n  - {id: i1, question: Q, scale: {min: 0, max: 10, min_label: a, "
        "max_label: b}}\nstances:\n" + stances + "\n"
    )
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "big.yaml")
    message = str(info.value)
    assert "alias" not in message and "values (lists, mappings and scalars)" in message


def test_a_huge_whole_number_argument_is_refused_briefly():
    from realpolitik.errors import InputError, check_seed

    with pytest.raises(InputError, match="got an integer of about 5,001 digits"):
        check_seed(10**5000)


def test_a_model_that_overflows_is_an_error_naming_the_cause(monkeypatch):
    """What validation cannot bound is checked after each model: a forecast that overflowed
    to infinity is an error naming the model and the issue, never a printed ``inf``."""
    import dataclasses

    import numpy as np

    from realpolitik.errors import InputError
    from realpolitik.models.plan import ModelPlan

    run = ModelPlan.run

    def overflowing(self, inputs, **kw):
        traj = run(self, inputs, **kw)
        return dataclasses.replace(traj, forecast=np.full_like(traj.forecast, np.inf))

    monkeypatch.setattr(ModelPlan, "run", overflowing)
    with pytest.raises(InputError, match=r"compromise model's arithmetic overflowed on the issue"):
        rp.forecast(rp.load(DATA / "minimal.yaml"), model="compromise")


@pytest.mark.parametrize(
    ("date", "shown"),
    [("2024-01-01T10:00:00Z", "2024-01-01T10:00:00+00:00"), ("20240101", "20240101")],
)
def test_a_date_with_a_time_or_as_a_number_is_named_plainly(write, date, shown):
    """pydantic's message quoted Python's repr: 'datetime.datetime(2024, 1, 1, 10, 0, tzi...'."""
    import re as _re

    text = _re.sub(r"(?m)^date: .*$", f"date: {date}", MINIMAL, count=1)
    assert text != MINIMAL
    out = _bad(write, "d.yaml", text)
    assert f"date: expected a date YYYY-MM-DD (no time of day), got {shown}" in out
    assert "datetime.datetime" not in out


def test_a_number_too_small_to_tell_from_zero_is_refused_not_made_zero(write):
    """1e-400 underflowed to 0 silently (a capability of 1e-400 became none at all); 0
    written as 0.0e-400 is still 0, and a subnormal such as 1e-320 is still itself."""
    from realpolitik.scenario.numbers import NumberError, parse_number

    with pytest.raises(NumberError, match="too small to tell from 0"):
        parse_number("1e-400")
    assert parse_number("0.0e-400") == 0.0 and parse_number("1e-320") > 0
    out = _bad(write, "tiny.yaml", MINIMAL.replace("capability: 2,", "capability: 1e-400,", 1))
    assert "too small to tell from 0" in out and "capability" in out
    res = runner.invoke(app, ["forecast", str(DATA / "minimal.yaml"), "-s", "a.capability=1e-400"])
    assert res.exit_code == 2 and "too small to tell from 0" in res.output


def test_pages_show_control_characters_and_leave_markup_alone():
    """The report's and the dashboard's templates write every value through
    escapes.shown_in_page: text with its control characters shown, line breaks kept,
    Markup (charts) and numbers as they are."""
    from markupsafe import Markup

    from realpolitik.escapes import shown_in_page

    assert shown_in_page("a\x1b[2Jb\u202ec\nd") == "a\\x1b[2Jb\\u202ec\nd"
    svg = Markup("<svg>\x1b</svg>")
    assert shown_in_page(svg) is svg
    assert shown_in_page(12.5) == 12.5


HUGE = """\
id: huge
name: A scale near the largest float
date: 2022-02-23
sources:
  - {id: s, title: A made-up source}
actors:
  - {id: a, name: Alpha, capability: 2, source: {ref: s}}
  - {id: b, name: Beta, capability: 1, source: {ref: s}}
  - {id: c, name: Gamma, capability: 1, source: {ref: s}}
issues:
  - id: i1
    question: How far?
    scale: {min: 0, max: 1.0e308, min_label: none, max_label: all}
    status_quo: 1.0e307
    status_quo_source: {ref: s}
stances:
  - {actor: a, issue: i1, position: 2.0e307, salience: 80, source: {ref: s}}
  - {actor: b, issue: i1, position: 9.0e307, salience: 50, source: {ref: s}}
  - {actor: c, issue: i1, position: 5.0e307, salience: 30, source: {ref: s}}
"""


def test_a_scale_near_the_largest_float_gives_finite_summaries_and_no_warning(tmp_path):
    """Intermediate sums of positions near 1e308 overflow: the simulation's mean and spread
    stay finite (scaled), and the command prints no numpy warning (with its source line)."""
    path = tmp_path / "huge.yaml"
    path.write_text(HUGE)
    ens = rp.simulate(str(path), "eum", draws=40, seed=1, workers=1, unranged_spread=5.0)
    (outlook,) = ens.issue_outlook("eum")
    assert np.isfinite(outlook.mean) and np.isfinite(outlook.sd), outlook
    assert 0.0 <= outlook.mean <= 1.0e308
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1] / "src"))
    env.pop("REALPOLITIK_DEBUG", None)
    for command in (["forecast"], ["simulate", "-n", "40", "--seed", "1", "-w", "1"]):
        done = subprocess.run(
            [sys.executable, "-m", "realpolitik", *command, str(path), "--no-store"],
            capture_output=True, text=True, env=env, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Warning" not in done.stderr and "overflow" not in done.stderr, done.stderr
