"""How the command line writes numbers and names (realpolitik.cli.text), and where it does."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realpolitik.cli import app
from realpolitik.cli.text import number, possessive, possessives

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    ("x", "kwargs", "text"),
    [
        (10200.0, {}, "10200"),  # a whole number is written whole
        (10200, {"grouped": True}, "10,200"),  # a count
        (0.241666698, {}, "0.242"),  # never a repr
        (0.241666698, {"sig": 2}, "0.24"),
        (0.241666698, {"percent": True}, "24.2%"),
        (0.241666698, {"percent": True, "decimals": 0}, "24%"),
        (46.70454545454545, {}, "46.7"),
        (7.389955686853766, {}, "7.39"),
        (7.0000001, {}, "7"),  # trailing zeros dropped
        (1234567.8, {}, "1234568"),
        (3e-07, {}, "3e-07"),
        (-0.5, {"signed": True}, "-0.5"),
        (0.5, {"signed": True}, "+0.5"),
        (0.0, {"signed": True, "decimals": 1}, "+0.0"),
        (-0.0, {}, "0"),
        (50.0, {"decimals": 1}, "50.0"),  # a position on a 0-100 scale: its column lines up
        (0.113, {"decimals": 1, "signed": True, "percent": True}, "+11.3%"),
        (None, {}, "-"),
        (math.nan, {"missing": "undetermined"}, "undetermined"),
        (math.inf, {}, "inf"),
        (True, {}, "true"),
    ],
)
def test_number(x, kwargs, text):
    assert number(x, **kwargs) == text


def test_possessive():
    assert possessive("Russia") == "Russia's"
    assert possessive("United States") == "United States'"
    assert possessive("DPR/LPR authorities") == "DPR/LPR authorities'"
    names = ["United States", "Russia"]
    assert (
        possessives("raise United States's capability; lower Russia's salience", names)
        == "raise United States' capability; lower Russia's salience"
    )


def test_levers_write_english_possessives():
    out = invoke("levers", "--actor", "united-states", "--model", "compromise", "--no-store")
    assert "United States's" not in out
    assert "United States' gain" in out
    assert "raise United States' capability" in " ".join(out.split())


def test_models_write_parameters_as_param_takes_them():
    out = " ".join(invoke("models").split())
    assert "q=1, t=1," in out and "q=1.0" not in out
    assert "vote_risk=false" in out and "seed=none" in out and "capability_scale=100" in out


def _floats(text: str) -> list[str]:
    """Numbers written with more than 4 digits after the point: a float's repr."""
    return re.findall(r"\d+\.\d{5,}", text)


def test_forecast_and_simulate_print_no_repr_of_a_float():
    for args in (
        ("forecast", "ec-emissions-1994", "--no-store"),
        ("simulate", "ec-emissions-1994", "-n", "100", "--seed", "1", "--no-store"),
        ("simulate", str(DATA / "uncertain.yaml"), "-n", "50", "--seed", "1", "--no-store"),
    ):
        out = invoke(*args)
        assert not _floats(out), (args, _floats(out))


def test_runs_show_and_compare_round_what_they_found(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    invoke("forecast", str(DATA / "uncertain.yaml"), "--store", store)
    invoke("simulate", str(DATA / "uncertain.yaml"), "-n", "50", "--seed", "1", "--store", store)
    invoke("simulate", "ec-emissions-1994", "-n", "50", "--seed", "2", "--store", store)
    for args in (("show", "2"), ("show", "3"), ("compare", "1", "2"), ("compare", "2", "3")):
        out = invoke("runs", *args, "--store", store)
        assert not _floats(out), (args, _floats(out))
    shown = invoke("runs", "show", "3", "--store", store)
    # a long list says how long it is (--json has it whole)
    assert "(20 items)" in " ".join(shown.split())


def test_a_sweep_places_a_flip_to_its_scale():
    pytest.importorskip("pygambit")
    out = invoke("game", "sweep", "-p", "p_stretched", "--steps", "3")
    assert "flips at p_stretched = 0.2417:" in out
    assert "0.24166" not in out
