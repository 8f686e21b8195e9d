"""A game's results in JSON and back: :class:`Solution` and :class:`Sweep` come back from
their JSON losslessly (the game whole, checked against its content hash; exact numbers as
fractions, the others as floats; the same bytes when written again), and a document of
another format, or whose game was changed, is refused."""

from __future__ import annotations

import copy
import dataclasses
import json
from fractions import Fraction
from typing import Any

import pytest
from conftest import has_gambit, needs_gambit
from test_games_format import BAYES

from realpolitik.games import (
    Equilibrium,
    Flip,
    Solution,
    Sweep,
    SweepStep,
    builtins,
    load_game,
    parse_game,
    solve_game,
    sweep,
)
from realpolitik.games.jsonio import number, read_exact, read_number


def same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` are equal and of the same types all the way down (``Fraction(1, 2)
    == 0.5`` would hide a float read back where a fraction was written)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, tuple):
        assert len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{k}]")
    else:
        assert a == b, where


NUMBERS = ("behaviour", "payoffs", "beliefs", "regret", "subgame_regret", "ends")


def numbers_of(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [y for v in x.values() for y in numbers_of(v)]
    if isinstance(x, tuple):
        return [y for v in x for y in numbers_of(v)]
    return [x] if isinstance(x, (Fraction, float)) else []


def assert_same_solution(back: Solution, sol: Solution) -> None:
    assert back == sol
    assert back.game == sol.game and back.game.origin == sol.game.origin
    assert back.game.content_hash() == sol.game_hash == back.game_hash
    for name in ("parameters", "overrides"):
        same(dict(getattr(back, name)), dict(getattr(sol, name)), name)
    same(back.payoff_range, sol.payoff_range, "payoff_range")
    assert len(back.equilibria) == len(sol.equilibria)
    for e1, e0 in zip(back.equilibria, sol.equilibria, strict=True):
        for f in (*NUMBERS, "actions", "found_by", "path", "off_path", "notes", "tolerance"):
            v0, v1 = getattr(e0, f), getattr(e1, f)
            same(dict(v1) if isinstance(v1, dict) else v1, v0, f"{e0.index}.{f}")
        assert e1.subgames == e0.subgames


def methods_for(name: str) -> list[str]:
    """The default method, a mixed-equilibrium one, and the logit limit (floats)."""
    two = len(load_game(name).players) == 2
    return ["all", "enummixed" if two else "logit", "logit"]


CASES = [(name, m) for name in builtins.names() for m in methods_for(name)]


@needs_gambit
@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_solution_round_trip_of_every_builtin(name, method):
    sol = solve_game(name, method=method) if method != "all" else solve_game(name)
    text = sol.to_json()
    back = Solution.from_json(text)
    assert back.to_json() == text  # byte for byte
    assert_same_solution(back, sol)
    assert all(type(v) is Fraction for v in back.parameters.values())
    found = [x for e in back.equilibria for f in NUMBERS for x in numbers_of(getattr(e, f))]
    if method == "logit":  # the logit limit's numbers are floats, and come back so
        assert any(type(x) is float for x in found)
    elif method == "enummixed":  # the exact solvers' numbers are fractions, and come back so
        assert all(type(x) is Fraction for x in found)
    else:
        assert any(type(x) is Fraction for x in found)
    data = json.loads(text)
    assert data["game"]["spec"] == sol.game.to_dict()
    assert all(isinstance(v, str) for v in data["parameters"].values())


@needs_gambit
def test_a_mixed_equilibrium_keeps_its_exact_probabilities():
    # 1/3 is no terminating decimal: it is written as a fraction, and so are the beliefs
    sol = solve_game(parse_game(BAYES, "bayes.yaml"), method="enummixed", params={"q": "1/3"})
    data = sol.to_dict()
    assert data["parameters"]["q"] == "1/3"
    assert data["equilibria"][0]["beliefs"]["entrant"] == {"e-tough": "1/3", "e-weak": "2/3"}
    back = Solution.from_dict(json.loads(json.dumps(data)))
    assert back.parameters["q"] == Fraction(1, 3)
    assert_same_solution(back, sol)
    assert back.to_json() == sol.to_json()


def test_the_linked_game_comes_back_without_reading_its_scenario(monkeypatch):
    game = load_game("karabakh-leverage-2022")
    linked = {p.id: p for p in game.parameters if p.link}
    assert linked
    sw = sweep("entry-deterrence", "fight", -2, 2, steps=3)  # no pygambit needed
    doc = sw.to_dict()
    # put the linked game in its place, as a result of it would hold it
    from realpolitik.games import jsonio

    doc["game"] = {
        "id": game.id,
        "name": game.name,
        "hash": game.content_hash(),
        "origin": game.origin,
        **jsonio.game_fields(game),
    }
    assert doc["game"]["linked"] == {k: number(p.value) for k, p in linked.items()}

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the scenario was read")

    monkeypatch.setattr("realpolitik.games.validate._load_scenario", refuse)
    back = jsonio.read_game(doc["game"], "games sweep")
    assert back == game and back.content_hash() == game.content_hash()
    for p in back.parameters:
        if p.id in linked:
            assert (p.link, p.value) == (linked[p.id].link, linked[p.id].value)
            assert type(p.value) is Fraction
    assert back.scenario == game.scenario == "caucasus-2022"


def sweeps() -> list[tuple[str, Any]]:
    return [
        ("entry-backward", lambda: sweep("entry-deterrence", "fight", -2, 2, steps=5)),
        (
            "bayes-logit",
            lambda: sweep(parse_game(BAYES, "bayes.yaml"), "q", 0, 1, steps=4),
        ),
        ("karabakh-linked", lambda: sweep(None, "p_stretched", 0, 1, steps=3, refine=False)),
    ]


@pytest.mark.parametrize(("label", "make"), sweeps(), ids=[s[0] for s in sweeps()])
def test_sweep_round_trip(label, make):
    if label != "entry-backward" and not has_gambit():
        pytest.skip("needs pygambit, the games extra")
    sw = make()
    text = sw.to_json()
    back = Sweep.from_json(text)
    assert back.to_json() == text
    assert back == sw
    assert back.game == sw.game and back.game.content_hash() == sw.game_hash
    same(back.start, sw.start, "start")
    same(back.stop, sw.stop, "stop")
    same(dict(back.fixed), dict(sw.fixed), "fixed")
    assert len(back.steps) == len(sw.steps)
    for s1, s0 in zip(back.steps, sw.steps, strict=True):
        same(s1.value, s0.value, "value")
        same(dict(s1.payoffs), dict(s0.payoffs), "payoffs")
        same(s1.regret, s0.regret, "regret")
        same(s1.plays, s0.plays, "plays")
        same(s1.path, s0.path, "path")
    assert back.flips and back.flips == sw.flips
    for f1, f0 in zip(back.flips, sw.flips, strict=True):
        same((f1.low, f1.high), (f0.low, f0.high), "flip")
        assert f1.at == f0.at
    if label == "entry-backward":
        assert all(type(x) is Fraction for s in back.steps for x in s.payoffs.values())
        (flip,) = back.path_flips()
        assert flip.low < 1 <= flip.high and flip.high - flip.low < Fraction(1, 10**8)
    if label == "bayes-logit":
        assert any(type(x) is float for s in back.steps for x in s.payoffs.values())


# ------------------------------------------------------------------ refusals


def entry_solution() -> Solution:
    return solve_game("entry-deterrence", method="backward")  # no pygambit needed


def test_a_changed_game_is_refused():
    sol = entry_solution()
    d = sol.to_dict()
    assert Solution.from_dict(copy.deepcopy(d)) == sol
    # a payoff changed after the solve: the spec no longer has the recorded hash
    bad = copy.deepcopy(d)
    (war,) = [n for n in bad["game"]["spec"]["nodes"] if n["id"] == "war"]
    war["payoffs"]["incumbent"] = 5
    with pytest.raises(
        ValueError,
        match=r"content hash sha256:[0-9a-f]{64}, but the games solution records sha256:",
    ):
        Solution.from_dict(bad)
    # the hash changed
    bad = copy.deepcopy(d)
    bad["game"]["hash"] = "sha256:" + "0" * 64
    with pytest.raises(ValueError, match="the game was changed after it was solved"):
        Solution.from_dict(bad)
    # the game missing, or not a game
    bad = copy.deepcopy(d)
    del bad["game"]["spec"]
    with pytest.raises(ValueError, match="does not hold its game"):
        Solution.from_dict(bad)
    bad = copy.deepcopy(d)
    bad["game"]["spec"]["root"] = "nowhere"
    with pytest.raises(ValueError, match="not valid"):
        Solution.from_dict(bad)
    # the same for a sweep
    sw = sweep("entry-deterrence", "fight", -2, 2, steps=3)
    s = sw.to_dict()
    s["game"]["spec"]["name"] = "Another game"
    with pytest.raises(ValueError, match="the games sweep records sha256:"):
        Sweep.from_dict(s)


def test_another_format_is_refused():
    sol = entry_solution()
    sw = sweep("entry-deterrence", "fight", -2, 2, steps=3)
    with pytest.raises(
        ValueError,
        match=r"not a realpolitik games solution \(format 'realpolitik-games-sweep/2', "
        r"expected 'realpolitik-games-solution/2'\)",
    ):
        Solution.from_dict(sw.to_dict())
    with pytest.raises(ValueError, match=r"expected 'realpolitik-games-sweep/2'"):
        Sweep.from_json(sol.to_json())
    old = sol.to_dict() | {"format": "realpolitik-games-solution/1"}
    with pytest.raises(ValueError, match=r"format 'realpolitik-games-solution/1', expected"):
        Solution.from_dict(old)
    with pytest.raises(ValueError, match="expected a JSON object"):
        Solution.from_json("[]")
    with pytest.raises(ValueError, match="format 'realpolitik-forecast/2'"):
        Sweep.from_dict({"format": "realpolitik-forecast/2"})


def test_numbers_keep_exact_apart_from_float():
    assert [number(x) for x in (Fraction(1, 3), Fraction(-3), Fraction(7, 10), 2)] == [
        "1/3",
        "-3",
        "0.7",
        "2",
    ]
    assert number(0.5) == 0.5 and type(number(0.5)) is float
    assert number(Fraction(1, 10**5)) == "1e-05"
    for x in (
        Fraction(1, 3),
        Fraction(-19, 4),
        Fraction(0),
        Fraction(1, 10**5),
        Fraction(1, 2**70),
    ):
        assert type(read_number(number(x), "x")) is Fraction and read_number(number(x), "x") == x
    assert type(read_number(1, "x")) is float  # a JSON number is a float, even written as 1
    assert read_number(5e-324, "x") == 5e-324
    for bad in (0.5, "1/0", "nan", "1e999999", "one", " 1", True, None):
        with pytest.raises(ValueError, match="x: expected an exact number"):
            read_exact(bad, "x")
    with pytest.raises(ValueError, match="y: expected a number"):
        read_number(None, "y")


def test_behaviour_must_name_the_actions_of_its_set():
    sol = entry_solution()
    d = sol.to_dict()
    eq = d["equilibria"][0]
    assert Equilibrium.from_dict(eq) == sol.equilibria[0]
    eq["behaviour"]["response"] = {"accommodate": "1", "fight": "0"}  # swapped
    with pytest.raises(ValueError, match=r"equilibria\[1\]\.behaviour\.response"):
        Equilibrium.from_dict(eq)


def test_to_json_takes_an_indent_and_keeps_characters():
    sol = entry_solution()
    one_line = sol.to_json(indent=None)
    assert one_line.count("\n") == 1 and one_line.endswith("\n")
    assert json.loads(one_line) == json.loads(sol.to_json()) == sol.to_dict()
    assert Solution.from_json(one_line).to_json() == sol.to_json()
    sw = sweep("entry-deterrence", "fight", -2, 2, steps=3)
    assert json.loads(sw.to_json(indent=None)) == sw.to_dict()
    assert json.loads(sw.to_json(indent=4)) == sw.to_dict()
    assert SweepStep.from_dict(sw.to_dict()["steps"][0]) == sw.steps[0]
    assert [Flip.from_dict(f) for f in sw.to_dict()["flips"]] == list(sw.flips)
    # characters stay as written (the built-in cites "Putin — Aliyev", "Türkiye")
    text = dataclasses.replace(sol, notes=("Türkiye",)).to_json()
    assert '"Türkiye"' in text
    assert Solution.from_json(text).notes == ("Türkiye",)
