"""``realpolitik game ...`` and ``realpolitik games``: what they print, their JSON, and bad
input (exit code 2, the file, line and field, never a traceback), including a missing
pygambit."""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import pytest
from conftest import needs_gambit
from typer.testing import CliRunner

from realpolitik.cli import app

runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args), env={"COLUMNS": "160"})
    assert "Traceback" not in result.output
    return result


def test_games_lists_the_builtins():
    r = invoke("games")
    assert r.exit_code == 0
    assert "karabakh-leverage-2022" in r.output and "entry-deterrence" in r.output
    assert "caucasus-2022" in r.output


def test_show_prints_the_tree_with_reasons():
    r = invoke("game", "show")
    assert r.exit_code == 0
    assert "information set aliyev" in r.output
    assert 'recognises the "NKR"' in r.output
    assert "why: Hedging keeps both alliances" in r.output
    assert "azerbaijan.karabakh-control.salience" in r.output
    r = invoke("game", "show", "entry-deterrence", "--set", "fight=2")
    assert r.exit_code == 0 and "Incumbent 2" in r.output


@needs_gambit
def test_solve_default_is_the_builtin_game():
    r = invoke("game", "solve")
    assert r.exit_code == 0, r.output
    assert "The refined equilibrium" in r.output
    assert "hedges: gathers strength and waits" in r.output
    assert "Azerbaijan wins" in r.output
    assert "Off the path" in r.output


@needs_gambit
def test_solve_json():
    r = invoke("game", "solve", "--json", "--set", "p_stretched=0.9")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["format"] == "realpolitik-games-solution/2"
    # exact numbers are strings, and the game is held whole
    assert data["parameters"]["p_stretched"] == "0.9"
    assert data["overrides"] == {"p_stretched": "0.9"}
    assert data["game"]["spec"]["id"] == "karabakh-leverage-2022"
    head = data["equilibria"][data["refined"]]
    assert float(Fraction(head["behaviour"]["aliyev"]["pivot"])) == pytest.approx(1, abs=1e-6)
    assert head["subgame_perfect"] is True


def test_solve_backward_needs_no_gambit(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygambit", None)
    r = invoke("game", "solve", "entry-deterrence", "--method", "backward")
    assert r.exit_code == 0, r.output
    assert "Entrant enters" in r.output


def test_missing_pygambit_exits_2_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygambit", None)
    r = invoke("game", "solve")
    assert r.exit_code == 2
    assert "pip install 'realpolitik[games]'" in r.output
    assert "CFLAGS" in r.output


@needs_gambit
def test_sweep_reports_the_flip():
    r = invoke(
        "game", "sweep", "--param", "p_stretched", "--from", "0", "--to", "1", "--steps", "5"
    )
    assert r.exit_code == 0, r.output
    # to a ten-thousandth of the swept range, the bracket's ends rounded outward
    assert "The path of play flips at p_stretched = 0.8398 (between 0.8397 and 0.8399)" in (
        r.output
    )
    assert "winner flips at p_stretched = 0.2417:" in r.output  # not 0.241666675
    r = invoke("game", "sweep", "entry-deterrence", "-p", "fight", "--steps", "5", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["format"] == "realpolitik-games-sweep/2"
    assert [f["kind"] for f in data["flips"]].count("path") == 1
    assert data["flips"][0]["at"] == pytest.approx(1, abs=1e-8)


@needs_gambit
def test_export_and_import(tmp_path):
    efg = tmp_path / "k.efg"
    yml = tmp_path / "k.yaml"
    r = invoke("game", "export", "-o", str(efg))
    assert r.exit_code == 0, r.output
    assert efg.read_text().startswith("EFG 2 R")
    r = invoke("game", "import", str(efg), "-o", str(yml))
    assert r.exit_code == 0, r.output
    assert "no reasons yet" in r.output
    r = invoke("game", "solve", str(yml), "--method", "refined")
    assert r.exit_code == 0, r.output
    r = invoke("game", "export", "entry-deterrence")
    assert r.exit_code == 0 and r.stdout.startswith('EFG 2 R "entry-deterrence"')


def test_schema_is_json():
    r = invoke("game", "schema")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["title"] == "realpolitik game"


def test_bad_game_file_exits_2_with_file_line_and_field(tmp_path):
    from test_games_format import ENTRY

    bad = tmp_path / "bad.yaml"
    bad.write_text(ENTRY.replace("to: shared}", "to: nowhere}"), encoding="utf-8")
    for command in (["game", "solve", str(bad)], ["game", "show", str(bad)]):
        r = invoke(*command)
        assert r.exit_code == 2
        assert f"{bad}:18: nodes[1].actions[1].to: action 'accommodate' leads nowhere" in r.output


def test_other_bad_input_exits_2():
    r = invoke("game", "solve", "no-such-game")
    assert r.exit_code == 2 and "nor a built-in game" in r.output
    r = invoke("game", "solve", "--method", "magic")
    assert r.exit_code == 2 and "--method" in r.output
    r = invoke("game", "solve", "--set", "p_stretched")
    assert r.exit_code == 2 and "NAME=NUMBER" in r.output
    r = invoke("game", "show", "--set", "p_stretched=2")
    assert r.exit_code == 2 and "is not a probability" in r.output
    r = invoke("game", "sweep", "-p", "nope")
    assert r.exit_code == 2 and "no parameter 'nope'" in r.output
    r = invoke("game", "sweep", "-p", "xr_align")
    assert r.exit_code == 2 and "--from and --to" in r.output
    r = invoke("game", "import", "missing.efg")
    assert r.exit_code == 2 and "no such file" in r.output


@pytest.mark.parametrize(
    ("option", "value", "what"),
    [("--from", "nan", "--from"), ("--to", "inf", "--to")],
)
def test_a_sweep_from_or_to_no_finite_number_exits_2(option, value, what):
    r = invoke("game", "sweep", "--param", "resolve", option, value)
    assert r.exit_code == 2, r.output
    assert f"the sweep's {what}: expected a finite number, got {value}" in r.output


@pytest.mark.parametrize("command", ["solve", "show", "export"])
def test_a_parameter_too_large_for_the_payoffs_exits_2(command):
    r = invoke("game", command, "--set", "resolve=1e400")
    assert r.exit_code == 2, r.output
    assert (
        "error: parameter 'resolve': expected a number from -1e15 to 1e15, got 1.00e+400"
        in r.output
    )
    assert "0000000000" not in r.output  # no 400-digit payoff
