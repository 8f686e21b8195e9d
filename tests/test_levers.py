"""Levers: exact compromise derivatives against finite differences, simulated levers."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.analysis.levers import DEFAULT_STEP, Lever, Levers, levers
from realpolitik.errors import ScenarioError
from realpolitik.forecasting import salience_gain
from realpolitik.scenario.interventions import intervene

DATA = Path(__file__).parent / "data"
UNCERTAIN = DATA / "uncertain.yaml"


def points(data: Any) -> Any:
    """Plain data of a scenario with every range replaced by its best estimate."""
    if isinstance(data, dict):
        if {"value", "low", "high"} <= set(data):
            return data["value"]
        return {k: points(v) for k, v in data.items()}
    if isinstance(data, list):
        return [points(v) for v in data]
    return data


def plain() -> rp.Scenario:
    """tests/data/uncertain.yaml at its best estimates (so that --set can nudge any number
    without pushing a range off the scale)."""
    return rp.Scenario.from_dict(points(rp.load(UNCERTAIN).to_dict()), origin="plain")


def shocked() -> rp.Scenario:
    """tests/data/uncertain.yaml with shocks of every kind and op beside its own."""
    data = plain().to_dict()
    src = {"judgement": "a test shock"}
    keys = ("round", "actor", "issue", "field", "op", "value")
    rows = [
        (0, "b", "i1", "position", "add", -5),
        (2, "c", "i2", "salience", "multiply", 1.5),
        (4, "c", "i1", "salience", "add", 10),
        (1, "a", "i2", "position", "set", 6),
        (5, "b", None, "capability", "add", 0.5),
    ]
    for row in rows:
        shock = {k: v for k, v in zip(keys, row, strict=True) if v is not None}
        data["shocks"].append({**shock, "source": src})
    return rp.Scenario.from_dict(data, origin="shocked")


def gain_of(sc0: rp.Scenario, actor: str, sc: rp.Scenario) -> float:
    """Actor's gain, by its stated positions and saliences in ``sc0``, when the compromise
    model forecasts ``sc``."""
    f = rp.forecast(sc, "compromise").run("compromise").forecast
    _, pos, sal, _ = sc0.arrays()
    a = sc0.actor_ids.index(actor)
    sq = np.array([np.nan if i.status_quo is None else i.status_quo for i in sc0.issues])
    lo = np.array([i.scale_min for i in sc0.issues])
    hi = np.array([i.scale_max for i in sc0.issues])
    return float(salience_gain(pos[a : a + 1], sal[a : a + 1], sq, f, lo, hi)[0])


def difference(sc0: rp.Scenario, actor: str, lever: Lever) -> float:
    """d gain / d(number) per unit of the lever, by finite differences through --set and
    the public forecast (positions per 1% of the scale, saliences per point, capabilities
    per 1% of their value): central, or second-order one-sided at a bound of the number."""

    def at(t: float) -> float:  # the gain with the number moved by t units
        if lever.kind == "capability":
            change = f"{lever.actor}.capability*={1 + t / 100!r}"
        else:
            unit = sc0.issue(lever.issue or "").span / 100 if lever.kind == "position" else 1
            change = f"{lever.target}+={t * unit!r}" if t >= 0 else f"{lever.target}-={-t * unit!r}"
        return gain_of(sc0, actor, intervene(sc0, [change]))

    h = 1e-4
    try:
        return (at(h) - at(-h)) / (2 * h)
    except ScenarioError:  # at a bound: from the side the lever moves to
        d = lever.direction
        return d * (-3 * at(0.0) + 4 * at(d * h) - at(2 * d * h)) / (2 * h)


@pytest.mark.parametrize("actor", ["a", "b", "c"])
@pytest.mark.parametrize("make", [plain, shocked], ids=["file", "shocked"])
def test_compromise_levers_are_the_derivatives(actor, make):
    sc = make()
    res = levers(sc, actor, "compromise")
    assert res.method["compromise"] == "exact"
    ranked = res.levers["compromise"]
    assert len(ranked) >= 8
    checked = 0
    for lv in ranked:
        assert lv.exact and lv.step is None
        fd = difference(sc, actor, lv)
        # the lever's gain is the one-sided rate in its direction (no kink here)
        assert lv.gain == pytest.approx(lv.direction * fd, rel=1e-6, abs=1e-12), lv
        checked += abs(fd) > 1e-9
    assert checked >= 5  # most levers do something


def test_shocks_stay_in_force():
    # a's position on i2 is set by a shock: stating another position changes nothing.
    res = levers(shocked(), "a", "compromise")
    lv = next(x for x in res.levers["compromise"] if x.target == "a.i2.position")
    assert lv.gain == 0 and lv.toward["i2"] == 0
    # on the file without that shock it does
    plain = levers(rp.load(UNCERTAIN), "a", "compromise")
    assert next(x for x in plain.levers["compromise"] if x.target == "a.i2.position").gain > 0


def test_compromise_kink_costs_in_both_directions():
    # Only p has weight: the forecast sits on p's position, and any move of it is a loss.
    src = {"ref": "s"}
    sc = rp.Scenario.from_dict(
        {
            "id": "kink",
            "name": "Kink",
            "description": "The forecast on the actor's own position.",
            "sources": [{"id": "s", "title": "made up"}],
            "actors": [
                {"id": "p", "name": "P", "capability": 1, "source": src},
                {"id": "q", "name": "Q", "capability": 1, "source": src},
            ],
            "issues": [
                {
                    "id": "i",
                    "question": "?",
                    "scale": {"min": 0, "max": 100, "min_label": "0", "max_label": "100"},
                    "status_quo": 20,
                    "status_quo_source": src,
                }
            ],
            "stances": [
                {"actor": "p", "issue": "i", "position": 40, "salience": 50, "source": src},
                {"actor": "q", "issue": "i", "position": 80, "salience": 0, "source": src},
            ],
        }
    )
    res = levers(sc, "p", "compromise")
    own = next(x for x in res.levers["compromise"] if x.target == "p.i.position")
    assert own.gain == pytest.approx(-1 / 100)  # f follows x_p one for one
    persuade = next(x for x in res.levers["compromise"] if x.target == "q.i.salience")
    assert persuade.gain is not None and persuade.gain < 0
    # raising q's salience from 0 is the only way; lowering it is impossible
    assert persuade.direction == 1


@pytest.mark.parametrize("model", ["median", "eum"])
def test_simulated_top_lever_moves_the_forecast_toward_b(model):
    res = levers(UNCERTAIN, "b", model)
    assert res.method[model] == "finite differences"
    assert dict(res.steps) == dict(DEFAULT_STEP)
    top = res.levers[model][0]
    assert not top.exact and top.step is not None and top.step > 0
    assert top.gain is not None and top.gain > 0
    assert top.rate == pytest.approx(top.gain / top.step)
    # the forecast moves toward b's position on the lever's issue
    j = top.issue or "i1"
    before = res.forecast[model][j]
    assert top.toward[j] > 0
    # and that is what a forecast with the change says
    sc = rp.load(UNCERTAIN)
    sign = "+=" if top.direction > 0 else "-="
    size = top.step if top.kind != "position" else top.step * sc.issue(j).span / 100
    if top.kind == "capability":
        change = f"{top.actor}.capability*={1 + top.direction * top.step / 100!r}"
    else:
        change = f"{top.target}{sign}{size!r}"
    after = rp.forecast(intervene(sc, [change]), model).value(model, j)
    assert abs(res.positions[j] - after) < abs(res.positions[j] - before)
    assert (abs(res.positions[j] - before) - abs(res.positions[j] - after)) / sc.issue(
        j
    ).span == pytest.approx(top.toward[j])


def test_levers_are_ranked_best_first():
    res = levers(UNCERTAIN, "b")
    for model, ranked in res.levers.items():
        rates = [lv.rate if lv.rate is not None else lv.move_rate for lv in ranked]
        assert rates == sorted(rates, reverse=True), model


def test_persuasion_moves_toward_the_actor_and_stops_there():
    res = levers(UNCERTAIN, "b", "median", step={"position": 60})
    sc = rp.load(UNCERTAIN)
    for lv in res.levers["median"]:
        if lv.persuade:
            gap = sc.stance("b", lv.issue).position - sc.stance(lv.actor, lv.issue).position
            assert lv.direction == (1 if gap > 0 else -1)
            span = sc.issue(lv.issue).span
            assert lv.step == pytest.approx(min(60.0, abs(gap) / span * 100))


def test_every_lever_is_on_the_actors_issues_and_labelled():
    res = levers(UNCERTAIN, "a")
    assert res.issues == ("i1", "i2")
    assert set(res.method) == {"compromise", "median", "eum"}
    kinds = {(lv.kind, lv.actor == "a", lv.persuade) for lv in res.levers["median"]}
    assert ("capability", True, False) in kinds
    assert ("position", True, False) in kinds
    assert ("position", False, True) in kinds
    assert ("salience", False, False) in kinds
    for lv in res.levers["eum"]:
        assert lv.describe("a")
        assert set(lv.toward) == {"i1", "i2"}


def test_json_is_deterministic_and_round_trips():
    a = levers(UNCERTAIN, "b")
    b = levers(UNCERTAIN, "b")
    assert a.to_json() == b.to_json()
    data = json.loads(a.to_json())
    assert data["format"] == "realpolitik-levers/1"
    assert data["scenario"]["hash"] == rp.load(UNCERTAIN).content_hash()
    assert data["method"] == {
        "compromise": "exact",
        "median": "finite differences",
        "eum": "finite differences",
    }
    assert Levers.from_json(a.to_json()).to_json() == a.to_json()


def test_unknown_actor_lists_the_actors():
    with pytest.raises(ScenarioError) as info:
        levers(UNCERTAIN, "zeta")
    text = str(info.value)
    assert "no actor 'zeta'" in text and "a, b, c" in text


def test_actor_without_stances_is_an_error():
    data = rp.load(UNCERTAIN).to_dict()
    data["actors"].append({"id": "d", "name": "Delta", "capability": 1, "source": {"ref": "s"}})
    sc = rp.Scenario.from_dict(data)
    with pytest.raises(ScenarioError, match="holds no stance"):
        levers(sc, "d")


@pytest.mark.parametrize("step", [{"position": 0}, {"position": math.nan}, {"speed": 1}])
def test_bad_steps(step):
    with pytest.raises(ValueError, match="step"):
        levers(UNCERTAIN, "b", "median", step=step)


# ------------------------------------------------------------------ the command line


def run_cli(*args: str):
    from typer.testing import CliRunner

    from realpolitik.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "160"})


def test_cli_ranks_levers_per_model():
    res = run_cli("levers", str(UNCERTAIN), "--actor", "b", "--top", "3")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "compromise: exact" in out and "median: finite steps" in out
    assert "persuade Alpha toward Beta on i1" in out
    assert "10% of the scale" in out and "per 1% of the scale" in out
    assert "more levers (--top to see more)" in out
    js = run_cli("levers", str(UNCERTAIN), "--actor", "b", "--json", "--step", "position=5")
    assert js.exit_code == 0, js.output
    data = json.loads(js.stdout)
    assert data["steps"]["position"] == 5
    assert js.stdout == levers(UNCERTAIN, "b", step={"position": 5}).to_json()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--actor", "zeta"), "no actor 'zeta'; the actors are a, b, c"),
        (("--actor", "b", "--step", "position"), "--step: expected KIND=SIZE"),
        (("--actor", "b", "--step", "speed=3"), "unknown kind 'speed'"),
        (("--actor", "b", "--model", "nope"), "unknown model"),
    ],
)
def test_cli_bad_input_exits_2_without_traceback(args, message):
    res = run_cli("levers", str(UNCERTAIN), *args)
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_cli_is_recorded_in_the_run_history():
    from realpolitik.runner.store import RunStore, default_path

    res = run_cli("levers", str(UNCERTAIN), "--actor", "b", "--model", "median")
    assert res.exit_code == 0, res.output
    with RunStore(default_path()) as rs:
        (info,) = rs.list(kind="levers")
        rec = rs.get(info.id)
    assert rec.parameters["actor"] == "b"
    assert rec.summary["levers"]["median"]["method"] == "finite differences"
    assert rec.summary["forecasts"]["median"]["i1"] == 20
    assert rec.summary["levers"]["median"]["top"][0]["target"] == "a.i1.position"


def test_cli_actor_is_required():
    res = run_cli("levers", str(UNCERTAIN))
    assert res.exit_code == 2
    assert "--actor" in res.output


def test_a_step_that_ends_or_starts_a_cycle_is_flagged_and_a_forecast_agrees():
    """The EUM cycles on some caucasus issues: a step that makes such an issue settle (or
    one that starts a cycle) has no gain to measure there, and says what it did."""
    res = levers("caucasus-2022", "dpr-lpr-authorities", "eum")
    flagged = [lv for lv in res.levers["eum"] if lv.determinacy]
    assert flagged
    sc = rp.load("caucasus-2022")
    checked = 0
    for lv in flagged:
        for issue, state in lv.determinacy.items():
            before = res.forecast["eum"][issue]
            assert math.isnan(before) == (state == "determined")
            assert lv.toward[issue] == 0.0  # no effect measured on it
            assert (issue in lv.settles_at) == (state == "determined")
            if lv.kind == "salience" and checked < 3:
                sign = "+=" if lv.direction > 0 else "-="
                after = rp.forecast(intervene(sc, [f"{lv.target}{sign}{lv.step!r}"]), "eum")
                value = after.value("eum", issue)
                assert math.isnan(value) == (state == "undetermined")
                if state == "determined":
                    assert value == pytest.approx(lv.settles_at[issue])
                checked += 1
    assert checked
    again = Levers.from_json(res.to_json())
    assert [(dict(lv.determinacy), dict(lv.settles_at)) for lv in again.levers["eum"]] == [
        (dict(lv.determinacy), dict(lv.settles_at)) for lv in res.levers["eum"]
    ]
    # among levers of equal effect, those that settle or unsettle an issue come first, the
    # ones that settle nearest the actor's position (0 on donbas-control) first among them
    assert res.levers["eum"][0].determinacy
    settling = [lv.settles_at["donbas-control"] for lv in flagged if lv.settles_at]
    assert res.levers["eum"][0].settles_at["donbas-control"] == min(settling)
    assert "makes" in flagged[0].determinacy_note()


def test_cli_says_which_steps_end_or_start_a_cycle():
    res = run_cli(
        "levers", "caucasus-2022", "--actor", "dpr-lpr-authorities", "-m", "eum", "--top", "40"
    )
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    assert "makes donbas-control determined (" in out
    assert '"makes i undetermined"' in out
