"""Solving games: textbook games with known answers, every equilibrium's regret below the
stated tolerance, subgame perfection, sweeps that flip where the algebra says, Gambit's
.efg both ways, and the built-in game.

These tests need pygambit (the games extra); without it they are skipped, saying how to
install it. `.ci/run` installs it, so in CI they run.
"""

from __future__ import annotations

import sys
from fractions import Fraction

import numpy as np
import pytest

from realpolitik.games import (
    EXACT_TOLERANCE,
    LOGIT_TOLERANCE,
    GameError,
    evaluate,
    load_game,
    parse_efg,
    parse_game,
    read_efg,
    solve_game,
    sweep,
    to_efg,
)
from realpolitik.games.backward import backward_induction
from realpolitik.games.subgame import subgame_roots

gbt = pytest.importorskip(
    "pygambit",
    reason="needs pygambit, the games extra: "
    "CFLAGS='-O2 -g0' CXXFLAGS='-O2 -g0' pip install 'realpolitik[games]'",
)

from test_games_format import BAYES  # noqa: E402  (the Bayesian entry game)

HORSE = """\
id: horse
name: Selten's horse
players:
  - {id: one, name: Player 1}
  - {id: two, name: Player 2}
  - {id: three, name: Player 3}
nodes:
  - id: start
    player: one
    actions: [{id: C, label: continues, to: second}, {id: D, label: goes down, to: left}]
  - id: second
    player: two
    actions: [{id: c, label: continues, to: top}, {id: d, label: goes down, to: right}]
  - id: left
    player: three
    infoset: three
    actions: [{id: L, label: plays L, to: DL}, {id: R, label: plays R, to: DR}]
  - id: right
    player: three
    infoset: three
    actions: [{id: L, label: plays L, to: CdL}, {id: R, label: plays R, to: CdR}]
  - {id: top, payoffs: {one: 1, two: 1, three: 1}}
  - {id: DL, payoffs: {one: 3, two: 3, three: 2}}
  - {id: DR, payoffs: {one: 0, two: 0, three: 0}}
  - {id: CdL, payoffs: {one: 4, two: 4, three: 0}}
  - {id: CdR, payoffs: {one: 0, two: 0, three: 1}}
"""


def normal_form(
    name: str, rows: list[str], cols: list[str], pay: list[list[tuple[int, int]]]
) -> str:
    """A two-player normal-form game as a tree: the column player cannot see the row."""
    lines = [
        f"id: {name}",
        f"name: {name}",
        "players: [{id: row, name: Row}, {id: col, name: Column}]",
        "nodes:",
        "  - id: r",
        "    player: row",
        "    actions: [" + ", ".join(f"{{id: {a}, to: c-{a}}}" for a in rows) + "]",
    ]
    for a in rows:
        lines += [
            f"  - id: c-{a}",
            "    player: col",
            "    infoset: col",
            "    actions: [" + ", ".join(f"{{id: {b}, to: {a}-{b}}}" for b in cols) + "]",
        ]
    for i, a in enumerate(rows):
        for j, b in enumerate(cols):
            u, v = pay[i][j]
            lines.append(f"  - {{id: {a}-{b}, payoffs: {{row: {u}, col: {v}}}}}")
    return "\n".join(lines) + "\n"


SEXES = normal_form("sexes", ["O", "F"], ["O", "F"], [[(2, 1), (0, 0)], [(0, 0), (1, 2)]])
PENNIES = normal_form("pennies", ["H", "T"], ["H", "T"], [[(1, -1), (-1, 1)], [(-1, 1), (1, -1)]])

CENTIPEDE = """\
id: centipede
name: A three-move centipede
players: [{id: a, name: Ann}, {id: b, name: Bob}]
nodes:
  - {id: a1, player: a, actions: [{id: stop, to: e1}, {id: go, to: b1}]}
  - {id: b1, player: b, actions: [{id: stop, to: e2}, {id: go, to: a2}]}
  - {id: a2, player: a, infoset: a-late, actions: [{id: stop, to: e3}, {id: go, to: e4}]}
  - {id: e1, payoffs: {a: 1, b: 0}}
  - {id: e2, payoffs: {a: 0, b: 2}}
  - {id: e3, payoffs: {a: 3, b: 1}}
  - {id: e4, payoffs: {a: 2, b: 4}}
"""


def plays(eq, iset):
    return eq.plays(iset)


def assert_regret_within_tolerance(sol):
    """Every equilibrium: regret below its tolerance, which is the stated fraction of the
    payoff range (exact methods 1e-6, logit 1e-5)."""
    rng = float(sol.payoff_range)
    for e in sol.equilibria:
        want = (EXACT_TOLERANCE if e.exact else LOGIT_TOLERANCE) * rng
        assert e.tolerance == pytest.approx(want)
        assert float(e.regret) <= e.tolerance, (e.index, e.found_by, e.regret)
        if e.exact:
            assert e.regret == 0  # exact arithmetic: an exact equilibrium has no regret at all


# ------------------------------------------------------------------ entry deterrence


def test_entry_deterrence_non_credible_threat():
    sol = solve_game("entry-deterrence")
    pure = sol.by_method("enumpure")
    assert {(plays(e, "market"), plays(e, "response")) for e in pure} == {
        ("out", "fight"),  # the threat: a Nash equilibrium...
        ("in", "accommodate"),
    }
    threat = next(e for e in pure if plays(e, "market") == "out")
    credible = next(e for e in pure if plays(e, "market") == "in")
    assert not threat.subgame_perfect  # ...that is not subgame perfect:
    assert threat.subgame_regret == 2  # in the subgame after entry, fighting loses 2
    assert credible.subgame_perfect
    assert threat.off_path == ("If Entrant enters, Incumbent fights a price war",)
    # backward induction finds only the credible one
    bi = sol.by_method("backward")
    assert len(bi) == 1 and bi[0] is credible and sol.headline is credible
    assert credible.payoffs == {"entrant": 1, "incumbent": 1}
    assert credible.path == ("Entrant enters", "Incumbent accommodates")
    assert_regret_within_tolerance(sol)


def test_backward_induction_alone_and_its_ties():
    g = load_game("entry-deterrence")
    bi = backward_induction(g.tree())
    assert bi.profile == {"response": (0, 1), "market": (0, 1)} and bi.ties == ()
    tie = backward_induction(g.tree({"fight": 1}))  # fighting pays as much as sharing
    assert tie.ties == ("response",)
    sol = solve_game(g, method="backward", params={"fight": 1})
    assert any("indifferent at response" in n for n in sol.notes)


def test_centipede_open_sets_are_completed_for_subgame_perfection():
    # Backward induction: Ann stops at the end (3 > 2), so Bob stops (2 > 1), so Ann stops at
    # once (1 > 0). In the reduced strategic form Ann's "stop" says nothing about her late
    # move, which her own first move excludes.
    game = parse_game(CENTIPEDE, "centipede.yaml")
    (eq,) = solve_game(game, method="pure").equilibria
    assert eq.behaviour["a-late"] is None
    assert eq.subgame_perfect  # judged with the best local reply there: stop (3 > 2)
    assert any("say nothing at a-late" in n for n in eq.notes)
    sol = solve_game(game, method="all")
    pure = sol.by_method("enumpure")
    assert len(pure) == 1 and "backward" in pure[0].found_by
    assert pure[0].behaviour["a-late"] == (1, 0)  # filled in by backward induction
    assert subgame_roots(game.tree()) == ("a1", "b1", "a2")
    assert_regret_within_tolerance(sol)


# ------------------------------------------------------------------ chance and information


def test_bayesian_entry_sequential_equilibrium():
    # Chance makes the incumbent tough (q = 0.3) or weak; the entrant does not see which.
    # If it enters, a tough incumbent fights (1 > 0), a weak one accommodates (1 > -1); so
    # entering gives q(-1) + (1 - q)(1) = 1 - 2q = 0.4 > 0 (staying out gives 0): the
    # entrant enters, believing the prior (0.3, 0.7). Payoffs: entrant 0.4; incumbent
    # 0.3 x 1 + 0.7 x 1 = 1.
    sol = solve_game(parse_game(BAYES, "bayes.yaml"))
    eq = sol.headline
    assert "logit" in eq.found_by
    assert (plays(eq, "entrant"), plays(eq, "i-tough"), plays(eq, "i-weak")) == (
        "in",
        "fight",
        "accommodate",
    )
    assert {k: float(v) for k, v in eq.beliefs["entrant"].items()} == pytest.approx(
        {"e-tough": 0.3, "e-weak": 0.7}
    )
    assert float(eq.payoffs["entrant"]) == pytest.approx(0.4)
    assert float(eq.payoffs["incumbent"]) == pytest.approx(1.0)
    assert eq.subgame_perfect
    # the threat of a weak incumbent to fight keeps the entrant out in Nash equilibria (with
    # the tough one fighting or not: -1 or 0.3 - 0.7 < 0) that are not subgame perfect
    scared = [e for e in sol.by_method("enumpure") if plays(e, "entrant") == "out"]
    assert len(scared) == 2
    assert all(plays(e, "i-weak") == "fight" and not e.subgame_perfect for e in scared)
    assert eq.path[0] == "Chance: the incumbent is tough (30%) or the incumbent is weak (70%)"
    assert eq.path[1].startswith(
        "Entrant, not knowing whether the incumbent is tough or the incumbent is weak, in"
    )
    assert_regret_within_tolerance(sol)


def test_seltens_horse_sequential_equilibrium():
    # Selten (1975): two pure Nash equilibria, (C, c, R) and (D, c, L). In (D, c, L) player 2
    # would not continue if asked (d gives 4 against L), so it is not sequential; the game
    # has no proper subgame, so both are subgame perfect. The sequential equilibria have
    # C and c, and player 3 playing L with probability at most 1/4, believing itself at the
    # left node with probability at most 1/3.
    sol = solve_game(parse_game(HORSE, "horse.yaml"))
    pure = {
        (plays(e, "start"), plays(e, "second"), plays(e, "three"))
        for e in sol.by_method("enumpure")
    }
    assert pure == {("C", "c", "R"), ("D", "c", "L")}
    assert all(e.subgame_perfect for e in sol.equilibria)
    assert subgame_roots(parse_game(HORSE, "h.yaml").tree()) == ("start",)
    eq = sol.headline
    assert "logit" in eq.found_by
    assert plays(eq, "start") == "C" and plays(eq, "second") == "c"
    assert eq.probability("three", "L") <= 0.25
    assert float(eq.beliefs["three"]["left"]) <= 1 / 3
    assert any("3 players" in n for n in sol.notes)
    assert_regret_within_tolerance(sol)


# ------------------------------------------------------------------ normal form, mixed


def test_battle_of_the_sexes_mixed_equilibrium():
    # Two pure equilibria, and a mixed one: the row player goes to the opera with 2/3 (it
    # makes the column player indifferent: 1p = 2(1 - p)), the column player with 1/3
    # (2q = 1 - q); each then expects 2/3.
    sol = solve_game(parse_game(SEXES, "sexes.yaml"), method="enummixed")
    assert len(sol.equilibria) == 3
    mixed = [e for e in sol.equilibria if not e.pure]
    assert len(mixed) == 1
    (m,) = mixed
    assert m.behaviour["r"] == (Fraction(2, 3), Fraction(1, 3))  # exact
    assert m.behaviour["col"] == (Fraction(1, 3), Fraction(2, 3))
    assert m.payoffs == {"row": Fraction(2, 3), "col": Fraction(2, 3)}
    assert "(66.7%)" in m.path[0]
    assert_regret_within_tolerance(sol)
    assert_regret_within_tolerance(solve_game(parse_game(SEXES, "sexes.yaml")))


def test_matching_pennies_unique_mixed_equilibrium():
    for method in ("enummixed", "lcp", "logit", "all"):
        sol = solve_game(parse_game(PENNIES, "pennies.yaml"), method=method)
        assert len(sol.equilibria) == 1, method
        (e,) = sol.equilibria
        assert [float(x) for x in e.behaviour["r"]] == pytest.approx([0.5, 0.5], abs=1e-6)
        assert [float(x) for x in e.behaviour["col"]] == pytest.approx([0.5, 0.5], abs=1e-6)
        assert float(e.payoffs["row"]) == pytest.approx(0, abs=1e-6)
        assert e.winner is None and e.verdict.startswith("no one gains")
        assert_regret_within_tolerance(sol)
    assert solve_game(parse_game(PENNIES, "p.yaml"), method="pure").equilibria == ()


# ------------------------------------------------------------------ our evaluation


@pytest.mark.parametrize("text", [BAYES, HORSE, SEXES, CENTIPEDE, None])
def test_our_regret_and_payoffs_agree_with_pygambit(text):
    """On random behaviour profiles, our exact regret and payoffs equal pygambit's."""
    from realpolitik.games.gambit import compile_tree, to_behaviour

    g = load_game(None) if text is None else parse_game(text, "g.yaml")
    tree = g.tree()
    compiled = compile_tree(tree)
    rng = np.random.default_rng(20220223)
    for _ in range(25):
        prof = compiled.game.random_behavior_profile(gen=rng)
        ours = to_behaviour(compiled, tree, prof)
        assert float(evaluate.max_regret(tree, ours)) == pytest.approx(
            float(prof.max_regret()), abs=1e-9
        )
        pays = evaluate.expected_payoffs(tree, ours)
        theirs = [float(prof.payoff(p)) for p in compiled.game.players]
        assert [float(x) for x in pays] == pytest.approx(theirs, abs=1e-9)


def test_methods_that_do_not_apply():
    horse = parse_game(HORSE, "horse.yaml")
    with pytest.raises(GameError, match="needs a two-player game"):
        solve_game(horse, method="lcp")
    with pytest.raises(GameError, match="needs perfect information"):
        solve_game(horse, method="backward")
    with pytest.raises(GameError, match="unknown method"):
        solve_game(horse, method="magic")
    with pytest.raises(GameError, match="no parameter"):
        solve_game("entry-deterrence", params={"nope": 1})


def test_missing_pygambit_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygambit", None)  # import pygambit now fails
    with pytest.raises(GameError) as info:
        solve_game("entry-deterrence", method="enumpure")
    assert "pip install 'realpolitik[games]'" in str(info.value)
    assert 'CFLAGS="-O2 -g0"' in str(info.value)
    # backward induction is our own: it needs no pygambit
    assert solve_game("entry-deterrence", method="backward").headline.payoffs["entrant"] == 1


# ------------------------------------------------------------------ sweeps


def test_sweep_flips_where_the_incumbent_threat_becomes_credible():
    # The incumbent fights iff its price-war payoff `fight` exceeds 1, what it gets from
    # accommodating; the entrant then stays out (0 > -1). So the path flips at fight = 1
    # (at exactly 1 the tie goes to the first action listed, fight).
    res = sweep("entry-deterrence", "fight", -2, 2, steps=9)
    assert res.method == "backward"
    path = res.path_flips()
    assert len(path) == 1
    (flip,) = path
    assert flip.at == pytest.approx(1, abs=1e-8)
    assert flip.before == "Entrant enters; Incumbent accommodates"
    assert flip.after == "Entrant stays out"
    assert [s.winner for s in res.steps][-1] == "incumbent"


def test_sweep_flips_at_the_bayesian_threshold():
    # Entering pays 1 - 2q: the entrant enters below q = 1/2 and stays out above it. (Ten
    # steps, so that no step falls on 1/2 itself, where the entrant is indifferent and mixes:
    # the sweep would then report two flips, into the mixing and out of it.)
    res = sweep(parse_game(BAYES, "bayes.yaml"), "q", 0, 1, steps=10)
    assert res.method == "logit"
    (flip,) = res.path_flips()
    assert flip.at == pytest.approx(0.5, abs=1e-4)
    assert "in" in dict(res.steps[0].plays)["entrant"]
    assert dict(res.steps[-1].plays)["entrant"] == ("out",)
    assert res.to_dict()["format"] == "realpolitik-games-sweep/2"


def test_sweep_bad_input():
    with pytest.raises(GameError, match="no parameter"):
        sweep("entry-deterrence", "nope", 0, 1)
    with pytest.raises(GameError, match="both 1"):
        sweep("entry-deterrence", "fight", 1, 1)
    with pytest.raises(GameError, match="at q = 2"):
        sweep(parse_game(BAYES, "bayes.yaml"), "q", 0, 2, steps=3)


# ------------------------------------------------------------------ Gambit's .efg


def test_efg_round_trip():
    g = load_game("karabakh-leverage-2022")
    text = to_efg(g)
    assert text.startswith('EFG 2 R "karabakh-leverage-2022"')
    back = parse_efg(text, "k.efg")
    assert to_efg(back) == text
    assert back.name == g.name
    t0, t1 = g.tree(), back.tree()
    assert t1.order == t0.order
    assert t1.payoffs == t0.payoffs and t1.chance == t0.chance
    assert [(i.id, i.members, i.actions) for i in t1.infosets] == [
        (i.id, i.members, i.actions) for i in t0.infosets
    ]
    # the numbers survive; the reasons do not, and the game says so
    assert back.parameters == () and back.unreasoned_payoffs()
    assert any("no reasons" in n for n in back.notes)
    s0, s1 = solve_game(g), solve_game(back)
    assert [e.payoffs for e in s1.equilibria] == [e.payoffs for e in s0.equilibria]
    assert [e.subgame_perfect for e in s1.equilibria] == [e.subgame_perfect for e in s0.equilibria]


def test_efg_import_of_a_foreign_file(write):
    path = write(
        "small.efg",
        'EFG 2 R "A small game" { "Player 1" "Player 2" }\n"a comment"\n\n'
        'p "" 1 1 "" { "L" "R" } 1 "early" { 1, 0 }\n'
        't "" 2 "a" { 2, 2 }\n'
        'p "" 2 1 "" { "l" "r" } 0\n'
        't "" 3 "b" { 0, 1 }\n'
        't "" 4 "c" { 3, 0 }\n',
    )
    g = read_efg(path)
    assert g.player_ids == ("player-1", "player-2")
    assert g.players[0].name == "Player 1" and g.name == "A small game"
    # the outcome at the root is added to every end below it
    assert g.tree().payoffs == {"n2": (3, 2), "n4": (1, 1), "n5": (4, 0)}
    assert any("inner nodes" in n for n in g.notes)
    assert load_game(path) == g  # load_game reads .efg files too
    with pytest.raises(GameError, match=r"not a readable Gambit \.efg"):
        read_efg(write("bad.efg", "EFG 2 R nonsense"))


# ------------------------------------------------------------------ the built-in game


def test_builtin_game_solution():
    sol = solve_game()
    assert sol.game.id == "karabakh-leverage-2022"
    assert sol.methods == ("enumpure", "enummixed", "lcp", "logit")
    eq = sol.headline
    assert eq is sol.equilibria[sol.refined] and "logit" in eq.found_by
    # Aliyev hedges; an overstretched Russia would stay quiet after a pivot, one with forces
    # to spare would recognise the "NKR"
    assert plays(eq, "aliyev") == "hedge"
    assert plays(eq, "kremlin-stretched") == "quiet"
    assert plays(eq, "kremlin-spare") == "recognise"
    assert eq.subgame_perfect
    assert eq.path[1] == (
        "Azerbaijan, not knowing whether Russia is overstretched by Ukraine or Russia has "
        "forces to spare, hedges: gathers strength and waits"
    )
    assert eq.off_path == (
        "If Russia is overstretched by Ukraine and Azerbaijan pivots sharply to Turkey, "
        "Russia stays quiet",
        "If Russia has forces to spare and Azerbaijan pivots sharply to Turkey, Russia "
        'recognises the "NKR"',
    )
    # exact payoffs: Azerbaijan 0.5 x 13 + 0.5 x (-3.5) = 4.75; Russia 0.5 x (-9.75) + 0.5 x 3.75
    assert eq.payoffs == {"russia": Fraction(-3), "azerbaijan": Fraction(19, 4)}
    assert eq.winner == "azerbaijan"
    # the other equilibria rest on threats an overstretched Russia would not carry out, or
    # on a Russia with forces to spare not carrying out its own: not subgame perfect
    assert sum(e.subgame_perfect for e in sol.equilibria) == 1
    assert_regret_within_tolerance(sol)
    data = sol.to_dict()
    assert data["format"] == "realpolitik-games-solution/2"
    assert data["game"]["hash"] == sol.game.content_hash()
    assert data["parameters"]["p_stretched"] == "0.5"


def test_builtin_game_pivots_when_russia_is_surely_stretched():
    eq = solve_game(params={"p_stretched": 0.9}).headline
    assert plays(eq, "aliyev") == "pivot"
    assert "pivots sharply to Turkey" in eq.path_text


def test_builtin_game_sweep_flips_where_the_algebra_says():
    # Azerbaijan's hedge pays (1 - p)(-3.5) + 13p = -3.5 + 16.5p; a pivot, which a Russia with
    # forces to spare punishes and an overstretched one does not, pays 20.25p - 41.5(1 - p)
    # = -41.5 + 61.75p. They are equal at 45.25p = 38: p = 152/181 (about 0.83978). The
    # winner: Russia's hedge payoff 3.75 - 13.5p equals Azerbaijan's at 30p = 7.25: p = 29/120.
    res = sweep(None, "p_stretched", 0, 1, steps=11)
    (path,) = res.path_flips()
    assert path.at == pytest.approx(152 / 181, abs=1e-4)
    assert "hedges" in path.before and "pivots" in path.after
    (winner,) = [f for f in res.flips if f.kind == "winner"]
    assert winner.at == pytest.approx(29 / 120, abs=1e-6)
    assert (winner.before, winner.after) == ("Russia", "Azerbaijan")
    assert all(s.subgame_perfect for s in res.steps)
