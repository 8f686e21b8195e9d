"""Bad input on the command line: exit code 2, every problem listed with its file,
line, field and what was expected, and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

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
        ["py.yaml:9", "YAML error", "constructor"],
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


def test_a_device_is_read_no_further_than_the_limit():
    result, text = _invoke("validate", "/dev/zero")
    assert result.exit_code == 2
    assert "more than 5,000,000 bytes" in text


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
