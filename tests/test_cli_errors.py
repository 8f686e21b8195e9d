"""Bad input on the command line: exit code 2, every problem listed with its file,
line, field and what was expected, and never a traceback. One error scheme: the library
raises a RealpolitikError (InputError, UnknownNameError, ScenarioError, ...) for bad input,
the same class for the same fault wherever it is found, and the command line takes only
those for bad input; any other exception is a bug (exit code 1, the bug message)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text()

runner = CliRunner()


def _invoke(*args: str):
    result = runner.invoke(app, list(args))
    return result, result.output  # standard output and standard error, as a user sees them


def _alias_bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, cur in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CASES = {
    # name: (file name, content, fragments the message must contain)
    "empty file": ("empty.yaml", "", ["empty.yaml", "empty"]),
    "blank file": ("blank.yaml", "\n  \n", ["blank.yaml", "empty"]),
    "not utf-8": ("latin1.yaml", "name: Gen\xe8ve\n".encode("latin-1"), ["latin1.yaml:1", "UTF-8"]),
    "yaml syntax": (
        "syntax.yaml",
        "id: x\nname: [unclosed\n",
        ["syntax.yaml:3", "YAML syntax error"],
    ),
    "top level list": ("list.yaml", "- a\n- b\n", ["list.yaml", "expected a mapping"]),
    "unknown field": (
        "unknown.yaml",
        MINIMAL.replace("description:", "colour: red\ndescription:"),
        ["unknown.yaml:5", "colour", "unknown field"],
    ),
    "missing field": (
        "missing.yaml",
        MINIMAL.replace("    question: How long?\n", ""),
        ["missing.yaml:", "issues[1].question", "missing"],
    ),
    "negative capability": (
        "neg.yaml",
        MINIMAL.replace("capability: 2", "capability: -2"),
        ["neg.yaml:9", "actors[0].capability", "expected 0 or more"],
    ),
    "nan": (
        "nan.yaml",
        MINIMAL.replace("position: 20", "position: .nan"),
        ["nan.yaml:24", "stances[0].position", "finite number"],
    ),
    "infinity": (
        "inf.yaml",
        MINIMAL.replace("capability: 2", "capability: .inf"),
        ["inf.yaml:9", "actors[0].capability", "finite number"],
    ),
    "number as text": (
        "text.yaml",
        MINIMAL.replace("salience: 80", 'salience: "80"'),
        ["text.yaml:24", "stances[0].salience", "expected a number"],
    ),
    "position off scale": (
        "off.yaml",
        MINIMAL.replace("position: 8,", "position: 12,"),
        ["off.yaml:27", "stances[3].position", "off the scale", "expected 0 to 10"],
    ),
    "salience out of range": (
        "sal.yaml",
        MINIMAL.replace("salience: 30", "salience: 130"),
        ["sal.yaml:26", "stances[2].salience", "at most 100"],
    ),
    "negative salience": (
        "negsal.yaml",
        MINIMAL.replace("salience: 30", "salience: -1"),
        ["negsal.yaml:26", "stances[2].salience", "0 or more"],
    ),
    "duplicate actor id": (
        "dup.yaml",
        MINIMAL.replace("{id: c, name: Gamma", "{id: b, name: Gamma"),
        ["dup.yaml:11", "actors[2].id", "duplicate id 'b'"],
    ),
    "duplicate stance": (
        "dupstance.yaml",
        MINIMAL.replace("{actor: c, issue: i1", "{actor: b, issue: i1"),
        ["dupstance.yaml:26", "stances[2]", "second stance"],
    ),
    "duplicate key": ("dupkey.yaml", "id: x\nid: y\n", ["dupkey.yaml:2", "id", "given twice"]),
    "unknown actor": (
        "unknown-actor.yaml",
        MINIMAL.replace("{actor: c, issue: i1", "{actor: zeta, issue: i1"),
        ["unknown-actor.yaml:26", "stances[2].actor", "unknown actor 'zeta'"],
    ),
    "unknown issue": (
        "unknown-issue.yaml",
        MINIMAL.replace("{actor: c, issue: i1", "{actor: c, issue: i9"),
        ["unknown-issue.yaml:26", "stances[2].issue", "unknown issue 'i9'"],
    ),
    "unknown source ref": (
        "ref.yaml",
        MINIMAL.replace("capability: 2, source: {ref: s}", "capability: 2, source: {ref: nope}"),
        ["ref.yaml:9", "actors[0].source.ref", "unknown source 'nope'"],
    ),
    "scale inverted": (
        "scale.yaml",
        MINIMAL.replace("{min: 0, max: 10,", "{min: 10, max: 10,"),
        ["scale.yaml:20", "issues[1].scale", "must be below the maximum"],
    ),
    "all capabilities zero": (
        "zero.yaml",
        MINIMAL.replace("capability: 2", "capability: 0").replace("capability: 1", "capability: 0"),
        ["zero.yaml", "every capability is zero"],
    ),
    "status quo off scale": (
        "sq.yaml",
        MINIMAL.replace("status_quo: 2", "status_quo: 20"),
        ["sq.yaml:21", "issues[1].status_quo", "off the scale"],
    ),
    "alias bomb": ("bomb.yaml", _alias_bomb(), ["bomb.yaml", "alias"]),
    "too large": ("big.yaml", "# padding\n" * 600_000, ["big.yaml", "bytes; expected at most"]),
    "csv bad header": (
        "hdr.csv",
        "actor,power,position,salience\nA,1,1,1\n",
        ["hdr.csv:1", "header", "missing column(s) capability"],
    ),
    "csv bad cells": (
        "cells.csv",
        "actor,capability,position,salience\nA,-1,1,150\nB,nan,2,50\nC,1,x,50\nD,1,2\n",
        [
            "cells.csv:2: capability",
            "cells.csv:2: salience",
            "cells.csv:3: capability",
            "cells.csv:4: position",
            "cells.csv:5: row",
        ],
    ),
    "csv all zero": (
        "zero.csv",
        "actor,capability,position,salience\nA,0,1,50\nB,0,2,50\n",
        ["zero.csv", "every capability is zero"],
    ),
    "csv duplicate actor": (
        "dup.csv",
        "actor,capability,position,salience\nA,1,1,50\nA,1,2,50\n",
        ["dup.csv:3", "duplicate actor"],
    ),
    "csv empty": ("nothing.csv", "", ["nothing.csv", "empty"]),
    "control character": (
        "ctrl.yaml",
        MINIMAL.replace("Alpha", "Al\x07pha"),
        ["ctrl.yaml:9", "control character U+0007"],
    ),
    "impossible date": (
        "date.yaml",
        MINIMAL.replace("2022-02-23", "2022-02-30"),
        ["date.yaml:4", "date", "day value is outside expected range"],
    ),
    "tagged non-number": (
        "tag.yaml",
        MINIMAL.replace("capability: 2", "capability: !!float x"),
        ["tag.yaml:9", "actors[0].capability", "expected a number, got the text 'x'"],
    ),
    "python object tag": (
        "py.yaml",
        MINIMAL.replace("capability: 2", "capability: !!python/object/apply:os.system 2"),
        ["py.yaml:9", "actors[0].capability", "'!!python/object/apply:os.syste'", "not allowed"],
    ),
    "deep nesting": ("deep.yaml", "[" * 20000 + "]" * 20000, ["deep.yaml", "nested too deeply"]),
    "octal-looking number is decimal but salience 150 is not": (
        "octal.yaml",
        MINIMAL.replace("salience: 80", "salience: 0150"),
        ["octal.yaml:24", "stances[0].salience", "at most 100, got 150"],
    ),
    "sexagesimal is text": (
        "sexa.yaml",
        MINIMAL.replace("position: 20", "position: 1:30"),
        ["sexa.yaml:24", "stances[0].position", "the text '1:30'"],
    ),
    "duplicate key and more": (
        "dupmore.yaml",
        MINIMAL.replace("name: Minimal scenario", "name: A\nname: B").replace(
            "capability: 2", "capability: -2"
        ),
        ["dupmore.yaml:4", "given twice", "dupmore.yaml:10", "expected 0 or more"],
    ),
    "status quo source without status quo": (
        "sqsrc.yaml",
        MINIMAL.replace("    status_quo: 2\n", ""),
        ["sqsrc.yaml:21", "issues[1].status_quo_source", "not given"],
    ),
    "scale too wide": (
        "wide.yaml",
        MINIMAL.replace("{min: 0, max: 10,", "{min: -1.0e+308, max: 1.0e+308,"),
        ["wide.yaml:20", "issues[1].scale", "too wide"],
    ),
    "csv cell too long": (
        "long.csv",
        "actor,capability,position,salience\n" + "A" * 200_000 + ",1,1,1\n",
        ["long.csv", "not a readable CSV table"],
    ),
    "csv line numbers after a multi-line cell": (
        "multi.csv",
        'actor,capability,position,salience\n"Two\nLines",1,1,50\nB,1,x,50\n',
        ["multi.csv:4: position"],
    ),
}


@pytest.mark.parametrize("command", ["validate", "forecast"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_with_a_located_message(case, command, write):
    name, content, fragments = CASES[case]
    path = write(name, content)
    result, text = _invoke(command, str(path))
    assert result.exit_code == 2, text
    assert "Traceback" not in text
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"


def test_a_device_is_refused_at_once():
    result, text = _invoke("validate", "/dev/zero")
    assert result.exit_code == 2
    assert "/dev/zero: is a device, not a regular file" in text


@pytest.mark.parametrize(
    "models, message",
    [("all,eum", "'all' stands alone"), ("eum,eum", "named twice"), ("[/]", "unknown model")],
)
def test_bad_model_lists(models, message):
    result, text = _invoke("forecast", "ec-emissions-1994", "--model", models)
    assert result.exit_code == 2, text
    assert message in text


def test_too_many_rounds_is_refused():
    result, text = _invoke("forecast", "ec-emissions-1994", "--rounds", "100000000")
    assert result.exit_code == 2
    assert "rounds" in text.lower()


def test_missing_file_and_unknown_builtin():
    result, text = _invoke("validate", "no-such-scenario")
    assert result.exit_code == 2
    assert "no such file, nor a built-in scenario" in text and "caucasus-2022" in text


def test_unknown_model_is_a_clear_error():
    result, text = _invoke("forecast", "ec-emissions-1994", "--model", "oracle")
    assert result.exit_code == 2
    assert "unknown model 'oracle'" in text and "eum" in text


def test_negative_rounds_are_refused():
    result, text = _invoke("forecast", "ec-emissions-1994", "--rounds", "-1")
    assert result.exit_code == 2
    assert "rounds" in text


def test_real_process_prints_no_traceback(write):
    path = write("bad.yaml", MINIMAL.replace("position: 20", "position: 120"))
    proc = subprocess.run(
        [sys.executable, "-m", "realpolitik", "validate", str(path)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "bad.yaml:24: stances[0].position: 120 is off the scale" in proc.stderr


# ------------------------------------------------------------------ one error scheme

UNCERTAIN = DATA / "uncertain.yaml"
SYNTHETIC = DATA / "deu-synthetic.tsv"
SEED_BOUND = "seed must be a whole number from 0 to 2**63 - 1"


def _simulate(seed):
    import realpolitik as rp

    rp.simulate(UNCERTAIN, "compromise", draws=2, seed=seed, workers=1)


def _sensitivity(seed):
    from realpolitik.analysis.sensitivity import sensitivity

    sensitivity(UNCERTAIN, "compromise", n=8, seed=seed, workers=1)


def _backtest(seed):
    from realpolitik.analysis.backtest import backtest

    backtest(SYNTHETIC, "compromise", seed=seed, resamples=10)


def _record(seed, tmp_path):
    import realpolitik as rp
    from realpolitik.runner.store import RunStore

    with RunStore(tmp_path / "runs.sqlite") as store:
        store.record("forecast", rp.load("ec-emissions-1994"), {}, {}, seed=seed)
        assert store.count() == 0  # not reached: the seed is refused first


def _draw_generator(seed):
    from realpolitik.runner import draw_generator

    draw_generator(seed, 0)


def _report(seed):
    from realpolitik.report import build_report

    build_report("ec-emissions-1994", seed=seed, draws=0, sensitivity=False, games=())


@pytest.mark.parametrize(
    "call", [_simulate, _sensitivity, _backtest, _record, _draw_generator, _report]
)
@pytest.mark.parametrize(
    ("seed", "shown"),
    [(-1, "-1"), (2**63, str(2**63)), (1.5, "1.5"), (True, "True"), ("7", "'7'")],
)
def test_a_bad_seed_is_the_same_error_everywhere(call, seed, shown, tmp_path):
    from realpolitik.errors import InputError

    with pytest.raises(InputError) as caught:
        call(seed, tmp_path) if call is _record else call(seed)
    assert type(caught.value) is InputError  # not a subclass of its own (BackendError, ...)
    assert str(caught.value) == f"{SEED_BOUND}, got {shown}"
    assert isinstance(caught.value, ValueError)  # what callers caught before


def test_the_seed_check_takes_numpy_integers_and_the_bounds():
    import numpy as np

    from realpolitik.errors import MAX_SEED, check_seed, seed_or_fresh

    assert check_seed(np.int64(5)) == 5 and type(check_seed(np.uint64(5))) is int
    assert check_seed(0) == 0 and check_seed(MAX_SEED) == MAX_SEED == 2**63 - 1
    assert 0 <= seed_or_fresh(None) <= MAX_SEED and seed_or_fresh(3) == 3
    with pytest.raises(ValueError, match="got None"):
        check_seed(None)


@pytest.mark.parametrize(
    "call",
    [
        lambda: __import__("realpolitik.models", fromlist=["get"]).get("oracle"),
        lambda: __import__("realpolitik").forecast("ec-emissions-1994", model=["median", "oracle"]),
        lambda: __import__("realpolitik").simulate(UNCERTAIN, "oracle", draws=2, seed=1),
    ],
    ids=["models.get", "forecast", "simulate"],
)
def test_an_unknown_model_is_an_unknown_name_listing_the_known_ones(call):
    from realpolitik.errors import RealpolitikError, UnknownNameError
    from realpolitik.models import REGISTRY

    with pytest.raises(UnknownNameError) as caught:
        call()
    exc = caught.value
    assert isinstance(exc, KeyError) and isinstance(exc, RealpolitikError)
    known = ", ".join(sorted(REGISTRY))
    assert str(exc) == f"unknown model 'oracle'; known models: {known}"  # no quotes around it
    assert exc.args == (str(exc),)


def test_unknown_names_of_results_and_scenarios_are_unknown_name_errors():
    import realpolitik as rp
    from realpolitik.errors import UnknownNameError

    sc = rp.load("ec-emissions-1994")
    fc = rp.forecast(sc, model="compromise")
    for call, text in [
        (lambda: fc.run("eum"), "model 'eum' was not run; this forecast has compromise"),
        (lambda: fc.value("compromise", "x"), "no issue 'x'; this forecast has emissions-delay"),
        (lambda: sc.actor("x"), "no actor 'x' in scenario 'ec-emissions-1994'"),
        (
            lambda: rp.forecast(sc, model="eum", params={"eum": {"zz": 1}}),
            "model 'eum' has no parameter zz; its parameters are: q, t,",
        ),
    ]:
        with pytest.raises(UnknownNameError) as caught:
            call()
        assert str(caught.value).startswith(text), str(caught.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "--param", "eum.q=5", "-m", "eum", "-n", "4", "-w", "2"], "q must be"),
        (["simulate", "--param", "eum.q=5", "-m", "eum", "-n", "4", "-w", "1"], "q must be"),
        (["forecast", "--param", "smp.voting_rule=x", "-m", "smp"], "voting_rule must be one"),
        (["forecast", "--param", "eum.zz=1", "-m", "eum"], "has no parameter zz"),
        (["simulate", "ec-emissions-1994", "--spread", "500"], "--spread: spread must be"),
        (["levers", "-a", "denmark", "ec-emissions-1994", "--step", "position=-1"], "step:"),
        (["levers", "-a", "denmark", "ec-emissions-1994", "--step", "tilt=2"], "unknown kind"),
        (["simulate", "--seed", "-1"], "--seed"),
        (["simulate", "--seed", str(2**63)], "--seed"),
        (["backtest", str(DATA / "minimal.yaml"), "-w", "1"], "no issue with an observed outcome"),
    ],
)
def test_bad_input_the_library_finds_exits_2_with_its_message(args, message):
    result, text = _invoke(*args, "--no-store")
    assert result.exit_code == 2, text
    assert message in text, text
    assert "internal error" not in text and "Traceback" not in text


BUG = "This is a bug in realpolitik; please report it"


@pytest.mark.parametrize("kind", [ValueError, TypeError, KeyError, ZeroDivisionError])
@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("realpolitik.forecast", ["forecast", "ec-emissions-1994"]),
        ("realpolitik.analysis.ensemble.simulate", ["simulate", "-n", "4", "-w", "1"]),
        ("realpolitik.analysis.levers.levers", ["levers", "-a", "denmark", "ec-emissions-1994"]),
        (
            "realpolitik.analysis.sensitivity.sensitivity",
            ["sensitivity", str(UNCERTAIN), "-w", "1"],
        ),
        ("realpolitik.report.build_report", ["report", "-o", "{tmp}/r.html"]),
        ("realpolitik.models.plan.plan_model", ["forecast", "--param", "eum.q=0.5"]),
    ],
)
def test_an_unexpected_exception_is_a_bug_not_bad_input(kind, target, args, monkeypatch, tmp_path):
    """Whatever its class (ValueError, TypeError and KeyError were once taken for bad
    input), an exception that is no RealpolitikError is not shown as the user's mistake."""

    def boom(*a, **k):
        raise kind("a bug in here")

    module, _, name = target.rpartition(".")
    monkeypatch.setattr(__import__(module, fromlist=[name]), name, boom)
    result, text = _invoke(*[a.replace("{tmp}", str(tmp_path)) for a in args], "--no-store")
    assert result.exit_code == 1, text
    assert type(result.exception) is kind  # left to main(), which reports it as a bug
    assert "error:" not in text


def _main(monkeypatch, capsys, *args):
    from realpolitik.cli import main

    monkeypatch.setattr(sys, "argv", ["realpolitik", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    return caught.value.code, capsys.readouterr().err


def test_a_full_disk_is_said_as_such_not_as_a_bug(monkeypatch, capsys, tmp_path):
    """Writing a report, a workbook or a run to a full disk (ENOSPC) is the machine's state:
    it said "internal error ... a bug in realpolitik"; it says the disk is full, and what to
    do, exit 1. Any other OSError stays a bug."""
    import errno

    import realpolitik as rp

    target = str(tmp_path / "out.json")

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", target)

    monkeypatch.delenv("REALPOLITIK_DEBUG", raising=False)
    monkeypatch.setattr(rp, "forecast", full)
    code, text = _main(monkeypatch, capsys, "forecast", "ec-emissions-1994", "--no-store")
    assert code == 1 and BUG not in text
    assert f"error: cannot write {target}: No space left on device; free some space" in text

    def other(*a, **k):
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(rp, "forecast", other)
    code, text = _main(monkeypatch, capsys, "forecast", "ec-emissions-1994", "--no-store")
    assert code == 1 and "internal error: OSError" in text and BUG in text


def test_main_reports_a_bug_with_exit_1_and_says_how_to_see_the_traceback(monkeypatch, capsys):
    import realpolitik as rp

    def boom(*a, **k):
        raise ValueError("a bug in here")

    monkeypatch.delenv("REALPOLITIK_DEBUG", raising=False)
    monkeypatch.setattr(rp, "forecast", boom)
    code, text = _main(monkeypatch, capsys, "forecast", "ec-emissions-1994", "--no-store")
    assert code == 1
    assert "internal error: ValueError: a bug in here" in text
    assert BUG in text and "REALPOLITIK_DEBUG=1 shows the traceback" in text
    assert "Traceback" not in text
    code, text = _main(monkeypatch, capsys, "forecast", "--model", "oracle", "--no-store")
    assert code == 2 and "unknown model 'oracle'" in text and BUG not in text
    monkeypatch.setenv("REALPOLITIK_DEBUG", "1")
    with pytest.raises(ValueError, match="a bug in here"):  # the traceback, as Python shows it
        _main(monkeypatch, capsys, "forecast", "ec-emissions-1994", "--no-store")


_BOOM = """
import sys
import realpolitik as rp
from realpolitik.cli import main

def boom(*a, **k):
    return 1 / 0

rp.forecast = boom
sys.argv = ["realpolitik", "forecast", "ec-emissions-1994", "--no-store"]
main()
"""


@pytest.mark.parametrize("debug", [False, True])
def test_a_real_process_reports_a_bug_and_shows_its_traceback_when_asked(debug):
    import os

    env = {k: v for k, v in os.environ.items() if k != "REALPOLITIK_DEBUG"}
    if debug:
        env["REALPOLITIK_DEBUG"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", _BOOM],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    if debug:
        assert "Traceback (most recent call last)" in proc.stderr
        assert "ZeroDivisionError: division by zero" in proc.stderr
        assert "in boom" in proc.stderr
    else:
        assert "Traceback" not in proc.stderr
        assert "internal error: ZeroDivisionError: division by zero" in proc.stderr
        assert BUG in proc.stderr and "REALPOLITIK_DEBUG=1" in proc.stderr


@pytest.mark.parametrize(("closed", "args", "code"), [
    (1, ("validate", "ec-emissions-1994"), 0),
    (2, ("validate", "no-such-scenario.yaml"), 2),
])  # fmt: skip
def test_the_program_ends_with_its_code_when_an_output_stream_is_closed(closed, args, code):
    """`realpolitik ... >&-` (or `2>&-`): Python starts with no such stream (``None``),
    which the program's end (``cli.entry``, that skips the interpreter's teardown) skips
    as Python's own does; it used to end in a traceback, exit code 1."""
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "realpolitik", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(closed),
        check=False,
    )
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


_WATCHED = """
import sys, types
import realpolitik.cli as cli

def main():
    raise SystemExit(3)

cli.main = main
if sys.argv[1] == "watched":  # a tool of sys.monitoring (Python 3.12+: cProfile, coverage)
    sys.monitoring = types.SimpleNamespace(get_tool=lambda i: "cProfile" if i == 2 else None)
try:
    cli.entry()
except SystemExit as exc:
    print("the normal exit", exc.code)
"""


def test_the_program_ends_normally_where_a_profiler_watches_it():
    """`python -m cProfile -m realpolitik ...` writes its report after the program: the
    program then takes Python's normal exit, not its quick one (``os._exit``); since Python
    3.12 cProfile is a tool of ``sys.monitoring``, not ``sys.setprofile``'s."""
    for how, out in (("watched", "the normal exit 3\n"), ("alone", "")):
        proc = subprocess.run(
            [sys.executable, "-c", _WATCHED, how],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert (proc.returncode, proc.stdout) == (0 if out else 3, out), proc.stderr


_SMALL_OUTPUT = """
import sys
import realpolitik.cli as cli

def main():
    sys.stdout.write('{"runs": []}\\n')  # held in the stream's buffer until the end
    raise SystemExit(0)

cli.main = main
cli.entry()
"""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_output_lost_at_the_end_is_said_not_silent():
    """A small output (`runs list --json`) is written when the program ends: on a full
    disk that fails, and the program says so (exit 120, as Python) instead of ending with
    an empty file and nothing said."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-c", _SMALL_OUTPUT],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
            env=env,
            check=False,
        )
    assert proc.returncode == 120
    assert "error: the output could not be written" in proc.stderr
    assert "No space left on device" in proc.stderr and "Traceback" not in proc.stderr


def test_errors_survive_a_trip_to_a_worker_process():
    import pickle

    from realpolitik.errors import InputError, Problem, ScenarioError, UnknownNameError
    from realpolitik.games import GameError

    for exc in (
        InputError("q must be a number in [0, 1], got 5"),
        UnknownNameError("unknown model 'x'; known models: eum"),
        ScenarioError([Problem("f.yaml", "actors[0].capability", "expected 0 or more", 9)]),
        GameError(message="needs perfect information"),
    ):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc)
        if isinstance(exc, ScenarioError):
            assert back.problems == exc.problems and back.describe() == exc.describe()


def test_the_core_names_parameters_and_the_command_line_its_flags():
    """No flag in the core's messages or stored data: the library says `workers=1`, the
    command line --workers 1; an intervention's problem is the --set that gave it."""
    from realpolitik.cli.common import in_flags
    from realpolitik.scenario.interventions import intervene

    assert in_flags("run with `workers=1` to debug") == "run with --workers 1 to debug"
    assert (
        in_flags("give either `workers` or `scheduler`") == "give either --workers or --scheduler"
    )
    assert in_flags("`q` must be in [0, 1]") == "`q` must be in [0, 1]"  # not a flag: as is
    sc = intervene(rp.load("caucasus-2022"), ["russia.capability*=0.5"])
    stored = json.dumps(sc.to_dict())
    assert "--" not in stored.replace("---", "")  # no flag in the content (and so its hash)
    r = runner.invoke(app, ["forecast", "--set", "russia.power=3", "--no-store"])
    assert r.exit_code == 2 and "--set: russia.power=3:" in r.output


def test_files_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """export, new and capability -o write through realpolitik.files.write_atomically: a
    folder that does not exist is exit 2 with no file; a write that fails half-way leaves
    the old file as it was and no temporary file; a written file gets plain permissions."""
    import os
    import stat

    from realpolitik import files

    missing = tmp_path / "no-such-dir" / "x.yaml"
    res = runner.invoke(app, ["export", "ec-emissions-1994", "-o", str(missing)])
    assert res.exit_code == 2 and "cannot write" in res.output and not missing.exists()

    target = tmp_path / "x.yaml"
    res = runner.invoke(app, ["new", "--actors", "a,b", "--issues", "i", "-o", str(target)])
    assert res.exit_code == 0, res.output
    before = target.read_text(encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken)
    res = runner.invoke(app, ["export", "ec-emissions-1994", "-o", str(target)])
    assert res.exit_code == 2 and "No space left on device" in res.output
    assert target.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]


@pytest.mark.parametrize(
    "args",
    [
        ["forecast", "-m", "compromise", "-m", "median", "--no-store"],
        ["simulate", "-n", "10", "--draws", "20", "--no-store"],
        ["forecast", "--model=compromise", "--model", "median", "--no-store"],
        ["runs", "list", "--limit", "2", "-n", "3"],
    ],
)
def test_an_option_of_one_value_given_twice_is_refused(args):
    """click kept the last of a repeated option silently (`-m compromise -m median` ran
    the median alone): exit 2, naming the option."""
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "given more than once" in res.output


def test_repeatable_options_and_flags_may_repeat():
    res = runner.invoke(
        app,
        ["forecast", "ec-emissions-1994", "-m", "compromise", "-s", "germany.capability*=2",
         "-s", "france.capability*=2", "--json", "--json", "--no-store"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output


def test_a_bad_by_of_sensitivity_is_named_as_its_flag():
    res = runner.invoke(app, ["sensitivity", "-n", "4", "--by", "nope", "--no-store"])
    assert res.exit_code == 2 and "--by must be one of auto, input, actor" in res.output
