"""Sobol indices and the tornado: known answers, determinism, the optional extra."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis.sensitivity import (
    INSTALL_HINT,
    Sensitivity,
    SensitivityError,
    sensitivity,
)
from realpolitik.errors import RealpolitikError

DATA = Path(__file__).parent / "data"
UNCERTAIN = DATA / "uncertain.yaml"


def scenario(
    *,
    x1: Any = 40,
    x2: Any = 60,
    c1: Any = 1,
    c2: Any = 1,
    x3: Any = 50,
) -> rp.Scenario:
    """Three actors on one issue (0-100); any number may be given a range."""
    src = {"ref": "s"}
    return rp.Scenario.from_dict(
        {
            "id": "sobol-test",
            "name": "Sobol test",
            "description": "A small scenario with known sensitivity indices.",
            "sources": [{"id": "s", "title": "made up for the tests"}],
            "actors": [
                {"id": "p", "name": "P", "capability": c1, "source": src},
                {"id": "q", "name": "Q", "capability": c2, "source": src},
                {"id": "r", "name": "R", "capability": 1, "source": src},
            ],
            "issues": [
                {
                    "id": "i",
                    "question": "How much?",
                    "scale": {"min": 0, "max": 100, "min_label": "none", "max_label": "all"},
                    "status_quo": 50,
                    "status_quo_source": src,
                }
            ],
            "stances": [
                {"actor": "p", "issue": "i", "position": x1, "salience": 50, "source": src},
                {"actor": "q", "issue": "i", "position": x2, "salience": 50, "source": src},
                {"actor": "r", "issue": "i", "position": x3, "salience": 50, "source": src},
            ],
        }
    )


def uniform(value: float, low: float, high: float) -> dict[str, Any]:
    return {"value": value, "low": low, "high": high, "distribution": "uniform"}


def test_a_forecast_that_depends_on_one_input_only():
    # Two ranged inputs: q's position, and the position of r, whose salience is 0, so that
    # it has no weight in the compromise f = (x_p + x_q) / 2: all the variance is q's.
    data = scenario(x2=uniform(60, 40, 80)).to_dict()
    data["stances"][2] = {**data["stances"][2], "salience": 0, "position": uniform(50, 0, 100)}
    inert = rp.Scenario.from_dict(data)
    res = sensitivity(inert, "compromise", n=1024, seed=3, workers=1)
    assert res.inputs == ("q.i.position", "r.i.position")
    s = res.issue_sobol("compromise", "i")
    assert not s.constant
    # q's position alone moves the forecast (f = (x_p + x_q) / 2): S1 = ST = 1 ...
    assert abs(s.s1[0] - 1) <= s.s1_conf[0] < 0.2
    assert abs(s.st[0] - 1) <= s.st_conf[0] < 0.2
    # ... and r's position, whose weight is zero, not at all.
    assert abs(s.s1[1]) <= s.s1_conf[1] + 1e-12
    assert abs(s.st[1]) <= s.st_conf[1] + 1e-12


def test_indices_by_actor_share_the_variance_among_actors():
    # f = (x_p + x_q + x_r) / 3 with x_p, x_q ~ U(30, 70) and r's salience 0: r's two
    # ranged numbers (position, capability) weigh nothing. By actor: p and q take half of
    # the variance each (as by input: one number each), r's group none.
    data = scenario(x1=uniform(50, 30, 70), x2=uniform(50, 30, 70)).to_dict()
    data["stances"][2] = {**data["stances"][2], "salience": 0, "position": uniform(50, 0, 100)}
    data["actors"][2] = {**data["actors"][2], "capability": uniform(1, 0.5, 2)}
    sc = rp.Scenario.from_dict(data)
    res = sensitivity(sc, "compromise", n=1024, seed=5, workers=1, by="actor")
    assert res.by == "actor" and len(res.inputs) == 4
    assert set(res.factors) == {"p", "q", "r"}
    assert res.evaluations["sobol"] == 1024 * (3 + 2)  # g = 3 factors, not k = 4 inputs
    s = res.issue_sobol("compromise", "i")
    idx = {f: res.factors.index(f) for f in res.factors}
    for a in ("p", "q"):
        assert abs(s.st[idx[a]] - 0.5) <= s.st_conf[idx[a]] + 0.02 < 0.15, (s.st, s.st_conf)
    assert abs(s.st[idx["r"]]) < 1e-9
    assert [name for name, _, _ in res.ranked("compromise", "i")][-1] == "r"
    # the tornado stays per input
    assert {b.input for b in res.issue_tornado("compromise", "i").bars} == set(res.inputs)
    back = Sensitivity.from_json(res.to_json())
    assert back.by == "actor" and back.factors == res.factors
    assert back.to_json() == res.to_json()


def test_by_actor_a_ranged_status_quo_is_a_factor_of_its_own():
    # anchored-compromise with kappa = 1: f = (C + q) / 2, C = (x_p + 60 + 50) / 3, x_p and
    # the status quo q both U(30, 70): Var f = Var q / 4 + Var x_p / 36, so q's share is
    # 0.9 and p's 0.1. The status quo is no actor's: it was grouped under "" (a nameless
    # row in the table); it is its own factor, named as the input is.
    data = scenario(x1=uniform(50, 30, 70)).to_dict()
    data["issues"][0]["status_quo"] = uniform(50, 30, 70)
    sc = rp.Scenario.from_dict(data)
    res = sensitivity(
        sc, "anchored-compromise", n=1024, seed=2, workers=1, by="actor",
        params={"anchored-compromise": {"kappa": 1.0}},
    )  # fmt: skip
    assert res.factors == ("p", "i.status_quo")
    s = res.issue_sobol("anchored-compromise", "i")
    assert abs(s.st[1] - 0.9) <= s.st_conf[1] + 0.02 < 0.15, (s.st, s.st_conf)
    assert abs(s.st[0] - 0.1) <= s.st_conf[0] + 0.02 < 0.15, (s.st, s.st_conf)

    from rich.console import Console

    from realpolitik.cli.analysis_cmds import render_sensitivity

    console = Console(record=True, width=80)
    render_sensitivity(console, sc, res)
    text = console.export_text()
    assert "grouped by 1 actor and 1 status quo" in " ".join(text.split())
    row = next(line for line in text.splitlines() if "i.status_quo" in line)
    assert "status_quo" in row.split("i.status_quo", 1)[1]  # its top number
    assert "+20.0" in row  # (70 - 30) / 2: the tornado's swing


def test_by_actor_one_actor_alone_and_a_shock_as_its_top_number():
    """A shock's value is grouped with its actor's numbers; the table's "its top number"
    skipped it (its label names the shock, not the actor) and named a lesser number."""
    data = scenario(c1=uniform(1, 0.99, 1.01)).to_dict()
    data["shocks"] = [
        {"id": "p-rises", "round": 0, "actor": "p", "field": "capability", "op": "multiply",
         "value": uniform(1, 0.2, 5), "source": {"judgement": "a test"}},
    ]  # fmt: skip
    sc = rp.Scenario.from_dict(data)
    # all the ranged numbers are p's: one group, which SALib ignores (it sampled per input
    # and the analysis crashed reshaping n (k + 2) rows into blocks of g + 2)
    res = sensitivity(sc, "compromise", n=64, seed=1, workers=1, by="actor")
    assert res.factors == ("p",) and res.evaluations["sobol"] == 64 * 3
    s = res.issue_sobol("compromise", "i")
    assert abs(s.st[0] - 1) < 0.1 and abs(s.s1[0] - 1) < 0.1, (s.s1, s.st)

    from rich.console import Console

    from realpolitik.cli.analysis_cmds import render_sensitivity

    console = Console(record=True, width=80)
    render_sensitivity(console, sc, res)
    row = next(line for line in console.export_text().splitlines() if line.startswith("│ p "))
    assert "shock:p-rises.value" in row


def test_by_actor_with_one_number_per_actor_is_by_input():
    sc = scenario(x1=uniform(50, 30, 70), x2=uniform(50, 30, 70), x3=uniform(50, 0, 100))
    a = sensitivity(sc, "compromise", n=64, seed=9, workers=1, by="input")
    b = sensitivity(sc, "compromise", n=64, seed=9, workers=1, by="actor")
    assert b.factors == ("p", "q", "r") and a.factors == a.inputs
    assert a.issue_sobol("compromise", "i") == b.issue_sobol("compromise", "i")


def test_by_auto_groups_by_actor_beyond_the_limit_and_reads_format_1():
    from realpolitik.analysis.sensitivity import AUTO_INPUTS

    small = sensitivity(UNCERTAIN, "compromise", n=8, seed=1, workers=1)
    assert small.by == "input" and len(small.inputs) <= AUTO_INPUTS
    big = sensitivity("caucasus-2022", "compromise", n=4, seed=1, workers=1, resamples=10)
    assert len(big.inputs) > AUTO_INPUTS and big.by == "actor"
    assert set(big.factors) <= set(rp.load("caucasus-2022").actor_ids)
    with pytest.raises(SensitivityError, match="`by` must be one of auto, input, actor"):
        sensitivity(UNCERTAIN, "compromise", n=8, seed=1, workers=1, by="issue")
    # a result of format /1 (indices over the inputs, no "by") still reads
    old = json.loads(small.to_json())
    old["format"] = "realpolitik-sensitivity/1"
    del old["by"], old["factors"]
    back = Sensitivity.from_dict(old)
    assert back.by == "input" and back.factors == small.inputs
    assert back.sobol == small.sobol


def test_an_additive_model_splits_the_variance_by_the_known_shares():
    # f = (x_p + x_q + x_r) / 3 with x_p, x_q ~ U(30, 70) independent and x_r fixed: an
    # additive function, so S1_i = ST_i = Var(x_i / 3) / Var(f) (Sobol 2001, eq. 3 with no
    # interaction terms) = 1/2 for each of the two equal-weight, equal-range inputs.
    sc = scenario(x1=uniform(50, 30, 70), x2=uniform(50, 30, 70))
    res = sensitivity(sc, "compromise", n=2048, seed=11, workers=1)
    s = res.issue_sobol("compromise", "i")
    for i in range(2):
        assert abs(s.s1[i] - 0.5) <= s.s1_conf[i] < 0.1, (s.s1, s.s1_conf)
        assert abs(s.st[i] - 0.5) <= s.st_conf[i] < 0.1, (s.st, s.st_conf)
    # f's variance: 2 x (40^2 / 12) / 9, so its sd is sqrt(2 x 1600 / 108).
    assert s.sd == pytest.approx(np.sqrt(2 * 1600 / 108), rel=0.03)


def test_unequal_ranges_split_the_variance_by_their_squares():
    # Ranges of width 40 and 20: variances in the ratio 4:1, so S1 = 0.8 and 0.2.
    sc = scenario(x1=uniform(50, 30, 70), x2=uniform(50, 40, 60))
    s = sensitivity(sc, "compromise", n=2048, seed=5, workers=1).issue_sobol("compromise", "i")
    assert abs(s.s1[0] - 0.8) <= s.s1_conf[0] < 0.1
    assert abs(s.s1[1] - 0.2) <= s.s1_conf[1] < 0.1


def test_same_seed_same_bytes_whatever_the_workers_and_chunks():
    one = sensitivity(UNCERTAIN, n=64, seed=7, workers=1, chunk_size=1000).to_json()
    two = sensitivity(UNCERTAIN, n=64, seed=7, workers=2, chunk_size=37).to_json()
    small = sensitivity(UNCERTAIN, n=64, seed=7, workers=1, chunk_size=5).to_json()
    assert one == two == small
    other = sensitivity(UNCERTAIN, n=64, seed=8, workers=1).to_json()
    assert other != one


def test_seed_zero_is_deterministic_too():
    # SALib's bootstrap treats seed 0 as "no seed"; the analysis must not.
    a = sensitivity(UNCERTAIN, "compromise", n=16, seed=0, workers=1).to_json()
    b = sensitivity(UNCERTAIN, "compromise", n=16, seed=0, workers=1).to_json()
    assert a == b


def test_result_records_provenance_and_round_trips():
    res = sensitivity(UNCERTAIN, ["compromise", "median"], n=32, seed=1, workers=1)
    data = json.loads(res.to_json())
    assert data["format"] == "realpolitik-sensitivity/2"
    assert data["by"] == "input" and data["factors"] == data["inputs"]  # 4 inputs: by input
    assert data["scenario"]["hash"] == rp.load(UNCERTAIN).content_hash()
    assert data["seed"] == 1 and data["n"] == 32 and data["version"] == rp.__version__
    k = len(data["inputs"])
    assert k == 4
    assert data["evaluations"] == {"sobol": 32 * (k + 2), "tornado": 2 * k + 1}
    assert set(data["sobol"]) == {"compromise", "median"}
    assert Sensitivity.from_json(res.to_json()).to_json() == res.to_json()


def test_a_constant_forecast_is_flagged_not_nan():
    res = sensitivity(UNCERTAIN, "median", n=32, seed=2, workers=1)
    s = res.issue_sobol("median", "i2")  # b, with the most weight, holds the median
    assert s.constant
    assert s.s1 == s.st == s.s1_conf == s.st_conf == (0.0,) * len(res.inputs)
    assert not res.issue_sobol("median", "i1").constant
    json.loads(res.to_json())  # no NaN in the JSON


def test_progress_reports_every_point():
    seen: list[tuple[int, int]] = []
    sensitivity(
        UNCERTAIN,
        "compromise",
        n=16,
        seed=1,
        workers=1,
        chunk_size=30,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (16 * 6, 16 * 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_tornado_bars_are_sorted_by_swing_and_show_the_ends():
    sc = scenario(x1=uniform(40, 30, 50), x2=uniform(60, 20, 100), x3=uniform(50, 45, 55))
    res = sensitivity(sc, "compromise", n=8, seed=1, workers=1)
    t = res.issue_tornado("compromise", "i")
    assert [b.input for b in t.bars] == ["q.i.position", "p.i.position", "r.i.position"]
    swings = [abs(b.swing) for b in t.bars]
    assert swings == sorted(swings, reverse=True)
    q = t.bars[0]
    assert (q.low, q.high) == (20, 100)
    # f = (x_p + x_q + x_r) / 3 with the others at their best estimates 40 and 50
    assert q.at_low == pytest.approx((40 + 20 + 50) / 3)
    assert q.at_high == pytest.approx((40 + 100 + 50) / 3)
    assert q.swing == pytest.approx(80 / 3)
    assert t.point == pytest.approx(50)


def test_tornado_uses_the_shock_range():
    res = sensitivity(UNCERTAIN, "compromise", n=8, seed=1, workers=1)
    bar = next(
        b for b in res.issue_tornado("compromise", "i1").bars if b.input.startswith("shock:")
    )
    assert (bar.low, bar.high) == (0.4, 0.8)
    # a weaker Alpha (the shock multiplies its capability) lets the forecast rise toward Beta
    assert bar.at_low > bar.at_high


def test_no_ranges_is_a_clear_error_unless_the_default_spread_applies():
    with pytest.raises(SensitivityError, match="no number of this scenario has a range"):
        sensitivity("ec-emissions-1994", n=8, seed=1, workers=1, unranged_spread=None)
    from realpolitik.analysis.calibration import default_spread

    res = sensitivity("ec-emissions-1994", "compromise", n=8, seed=1, workers=1, resamples=10)
    assert res.default_spread == default_spread() and res.inputs
    assert type(res).from_json(res.to_json()).default_spread == default_spread()


@pytest.mark.parametrize("n", [0, 3, 100, 2**21])
def test_n_must_be_a_power_of_two(n):
    with pytest.raises(SensitivityError, match="power of two"):
        sensitivity(UNCERTAIN, n=n, seed=1, workers=1)


def test_unknown_model_names_the_known_ones():
    with pytest.raises(KeyError, match="known models"):
        sensitivity(UNCERTAIN, "nope", n=8, seed=1, workers=1)


def test_missing_salib_gives_the_install_hint(monkeypatch):
    for name in list(sys.modules):
        if name == "SALib" or name.startswith("SALib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "SALib", None)
    with pytest.raises(SensitivityError) as info:
        sensitivity(UNCERTAIN, n=8, seed=1, workers=1)
    assert str(info.value) == INSTALL_HINT
    assert "pip install 'realpolitik[sensitivity]'" in str(info.value)
    assert isinstance(info.value, RealpolitikError)


# ------------------------------------------------------------------ the command line


def run_cli(*args: str):
    from typer.testing import CliRunner

    from realpolitik.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "160"})


def test_cli_tables_and_json():
    args = ("sensitivity", str(UNCERTAIN), "-n", "32", "--seed", "4", "-w", "1")
    res = run_cli(*args, "--model", "compromise,median")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "compromise: i1" in out and "median: i1" in out
    assert "a.capability" in out and "S1" in out and "ST" in out and "swing" in out
    assert "Not moved by any range" in out and "median on i2" in out
    js = run_cli(*args, "--model", "compromise", "--json", "--no-store")
    assert js.exit_code == 0, js.output
    data = json.loads(js.stdout)
    api = sensitivity(UNCERTAIN, "compromise", n=32, seed=4, workers=1)
    assert js.stdout == api.to_json()
    assert data["seed"] == 4


def test_cli_is_recorded_in_the_run_history():
    from realpolitik.runner.store import RunStore, default_path

    res = run_cli("sensitivity", str(UNCERTAIN), "-n", "8", "--seed", "4", "-w", "1")
    assert res.exit_code == 0, res.output
    with RunStore(default_path()) as rs:
        (info,) = rs.list(kind="sensitivity")
        rec = rs.get(info.id)
    assert rec.info.seed == 4
    assert rec.summary["sobol"]["compromise"]["i1"]["constant"] is False
    assert rec.summary["sobol"]["median"]["i2"]["constant"] is True
    point = rp.forecast(UNCERTAIN, "compromise").value("compromise", "i1")
    assert rec.summary["forecasts"]["compromise"]["i1"] == pytest.approx(point)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((str(UNCERTAIN), "-n", "6"), "power of two"),
        ((str(UNCERTAIN), "--model", "nope"), "unknown model"),
        ((str(UNCERTAIN), "--set", "zz.capability=2"), "no actor 'zz'"),
    ],
)
def test_cli_bad_input_exits_2_without_traceback(args, message):
    res = (
        run_cli("sensitivity", *args, "-w", "1", "-n", "8")
        if "-n" not in args
        else run_cli("sensitivity", *args, "-w", "1")
    )
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_cli_without_salib(monkeypatch):
    for name in list(sys.modules):
        if name == "SALib" or name.startswith("SALib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "SALib", None)
    res = run_cli("sensitivity", str(UNCERTAIN), "-n", "8", "-w", "1")
    assert res.exit_code == 2
    assert "pip install 'realpolitik[sensitivity]'" in res.output
