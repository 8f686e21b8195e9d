"""The game file format: well-formed games load; malformed ones give every problem at once,
each located by file, line and field. No solver is needed here."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from realpolitik.games import (
    Game,
    GameError,
    builtins,
    dump_yaml,
    json_schema,
    load_game,
    parse_game,
    sweep,
)
from realpolitik.games.expr import Expr, ExprError

ENTRY = """\
id: entry
name: Entry deterrence
players:
  - {id: entrant, name: Entrant}
  - {id: incumbent, name: Incumbent}
parameters:
  - {id: fight, value: -1, low: -2, high: 2}
nodes:
  - id: market
    player: entrant
    actions:
      - {id: out, label: stays out, to: monopoly}
      - {id: in, label: enters, to: response}
  - id: response
    player: incumbent
    actions:
      - {id: fight, label: fights, to: war}
      - {id: accommodate, label: accommodates, to: shared}
  - id: monopoly
    reason: the incumbent keeps its monopoly
    payoffs: {entrant: 0, incumbent: 2}
  - id: war
    payoffs: {entrant: -1, incumbent: fight}
  - id: shared
    payoffs: {entrant: 1, incumbent: {value: 1, reason: they share the market}}
"""

BAYES = """\
id: bayes
name: Bayesian entry
players:
  - {id: entrant, name: Entrant}
  - {id: incumbent, name: Incumbent}
parameters:
  - {id: q, value: 0.3}
nodes:
  - id: type
    player: chance
    actions:
      - {id: tough, label: the incumbent is tough, probability: q, to: e-tough}
      - {id: weak, label: the incumbent is weak, probability: 1 - q, to: e-weak}
  - id: e-tough
    player: entrant
    infoset: entrant
    actions:
      - {id: out, to: tough-out}
      - {id: in, to: i-tough}
  - id: e-weak
    player: entrant
    infoset: entrant
    actions:
      - {id: out, to: weak-out}
      - {id: in, to: i-weak}
  - id: i-tough
    player: incumbent
    actions:
      - {id: fight, to: tough-fight}
      - {id: accommodate, to: tough-acc}
  - id: i-weak
    player: incumbent
    actions:
      - {id: fight, to: weak-fight}
      - {id: accommodate, to: weak-acc}
  - {id: tough-out, payoffs: {entrant: 0, incumbent: 2}}
  - {id: weak-out, payoffs: {entrant: 0, incumbent: 2}}
  - {id: tough-fight, payoffs: {entrant: -1, incumbent: 1}}
  - {id: tough-acc, payoffs: {entrant: 1, incumbent: 0}}
  - {id: weak-fight, payoffs: {entrant: -1, incumbent: -1}}
  - {id: weak-acc, payoffs: {entrant: 1, incumbent: 1}}
"""


def problems_of(text: str, name: str = "g.yaml") -> list[str]:
    with pytest.raises(GameError) as info:
        parse_game(text, name)
    return [str(p) for p in info.value.problems]


def one(text: str, *fragments: str) -> str:
    """The single problem of ``text``, which must contain every fragment."""
    found = problems_of(text)
    assert len(found) == 1, found
    for f in fragments:
        assert f in found[0], found[0]
    return found[0]


# ------------------------------------------------------------------ well formed


def test_entry_game_loads_with_its_structure():
    g = parse_game(ENTRY, "entry.yaml")
    assert g.player_ids == ("entrant", "incumbent")
    assert g.root == "market"
    assert g.node("response").actions[0].label == "fights"
    assert g.node("shared").payoff("incumbent").reason == "they share the market"
    tree = g.tree()
    assert tree.payoffs["war"] == (Fraction(-1), Fraction(-1))
    assert tree.perfect_information
    assert g.unreasoned_payoffs() == [
        ("war", "entrant"),
        ("war", "incumbent"),
        ("shared", "entrant"),
    ]


def test_parameters_are_exact_and_can_be_overridden():
    g = parse_game(BAYES, "bayes.yaml")
    tree = g.tree()
    assert tree.chance["type"] == (Fraction(3, 10), Fraction(7, 10))  # exact: 1 - 0.3 is 7/10
    assert g.tree({"q": Fraction(1, 3)}).chance["type"] == (Fraction(1, 3), Fraction(2, 3))
    assert not tree.perfect_information
    assert tree.infoset("entrant").members == ("e-tough", "e-weak")


def test_override_out_of_range_is_located():
    g = parse_game(BAYES, "bayes.yaml")
    with pytest.raises(GameError) as info:
        g.tree({"q": 1.5})
    text = str(info.value)
    assert "nodes[0].actions[0].probability" in text and "at q = 1.5" in text
    with pytest.raises(GameError, match="no parameter 'r'"):
        g.tree({"r": 1})


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1e400", "got 1.00e+400"),
        (10**16, "got 1.00e+16"),
        (-1e300, "got -1.00e+300"),
        (float("nan"), "expected a finite number, got nan"),
        (float("inf"), "expected a finite number, got inf"),
    ],
)
def test_an_override_must_be_a_finite_number_of_bounded_size(value, shown):
    g = parse_game(BAYES, "bayes.yaml")
    with pytest.raises(GameError) as info:
        g.tree({"q": value})
    text = info.value.describe()
    assert text.startswith("parameter 'q': expected ") and shown in text
    if "finite" not in shown:
        assert "expected a number from -1e15 to 1e15" in text
    assert len(text) < 120  # never the 400 digits


def test_the_sweeps_ends_must_be_finite_numbers_of_bounded_size():
    g = parse_game(BAYES, "bayes.yaml")
    for start, stop, what in (
        (float("nan"), 1, "`start`"),
        (0, float("inf"), "`stop`"),
        (0, "1e400", "`stop`"),
    ):
        with pytest.raises(GameError) as info:
            sweep(g, "q", start, stop, 3)
        assert info.value.describe().startswith(f"the sweep's {what}: expected a ")


def test_yaml_round_trip_keeps_the_game():
    g = parse_game(BAYES, "bayes.yaml")
    again = parse_game(dump_yaml(g), "again.yaml")
    assert again == g
    assert again.content_hash() == g.content_hash()


def test_yaml_round_trip_keeps_a_text_that_reads_as_a_number():
    g = dataclasses.replace(parse_game(BAYES, "bayes.yaml"), description="1e5")
    again = parse_game(dump_yaml(g), "again.yaml")
    assert again.description == "1e5"


def test_builtins_load_and_validate_against_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    assert builtins.names()[0] == builtins.DEFAULT == "karabakh-leverage-2022"
    for name in builtins.names():
        g = load_game(name)
        assert g.id == name and g.origin == f"builtin:{name}"
        data = yaml.safe_load(builtins.path(name).read_text(encoding="utf-8"))
        data["date"] = str(data["date"]) if "date" in data else None
        data = {k: v for k, v in data.items() if v is not None}
        for s in data.get("sources", []):
            if "date" in s:
                s["date"] = str(s["date"])
        jsonschema.validate(data, json_schema())


def test_builtin_game_reads_its_numbers_from_the_linked_scenario():
    import realpolitik as rp

    g = load_game("karabakh-leverage-2022")
    sc = rp.load(g.scenario)
    assert g.scenario == "caucasus-2022"
    for p in g.parameters:
        if p.link is None:
            continue
        actor, issue, what = p.link.split(".")
        stance = sc.stance(actor, issue)
        assert stance is not None
        assert float(p.value) == getattr(stance, what), p.id
    assert {p.id for p in g.parameters if p.link} >= {"sa_karabakh", "sr_align"}
    assert builtins.linked("caucasus-2022") == ["karabakh-leverage-2022"]


def test_every_payoff_of_the_builtin_game_has_its_reason_and_source():
    g = load_game("karabakh-leverage-2022")
    assert g.unreasoned_payoffs() == []
    ends = [n for n in g.nodes if n.is_terminal]
    assert all(n.reason and n.source for n in ends)


def test_load_game_unknown_name():
    with pytest.raises(GameError, match="nor a built-in game"):
        load_game("no-such-game")


def test_from_dict():
    import yaml

    g = Game.from_dict(yaml.safe_load(ENTRY))
    assert g.id == "entry"


# ------------------------------------------------------------------ malformed: the issue's list


def test_action_leading_nowhere():
    bad = ENTRY.replace("to: shared}", "to: nowhere}")
    found = problems_of(bad)
    assert any(
        "g.yaml:18: nodes[1].actions[1].to: action 'accommodate' leads nowhere: no node "
        "'nowhere'" in p
        for p in found
    ), found
    assert any("node 'shared' is not reached from the root" in p for p in found), found


def test_probabilities_not_summing_to_one():
    one(
        BAYES.replace("probability: 1 - q", "probability: 0.6"),
        "g.yaml:11: nodes[0].actions:",
        "sum to 0.9; expected 1",
    )


def test_probability_outside_0_1():
    found = problems_of(BAYES.replace("{id: q, value: 0.3}", "{id: q, value: 1.3}"))
    assert any("nodes[0].actions[0].probability: 1.3 is not a probability" in p for p in found)
    assert any("nodes[0].actions[1].probability: -0.3 is not a probability" in p for p in found)


def test_payoff_missing_for_a_player():
    one(
        ENTRY.replace("payoffs: {entrant: 0, incumbent: 2}", "payoffs: {entrant: 0}"),
        "g.yaml:21: nodes[2].payoffs:",
        "no payoff for 'incumbent' at end 'monopoly'",
    )


def test_payoff_for_someone_who_is_not_a_player():
    one(
        ENTRY.replace("{entrant: 0, incumbent: 2}", "{entrant: 0, incumbent: 2, judge: 1}"),
        "nodes[2].payoffs.judge",
        "who is not a player",
    )


def test_information_set_joining_nodes_with_different_actions():
    bad = BAYES.replace(
        "      - {id: out, to: weak-out}\n      - {id: in, to: i-weak}",
        "      - {id: stay, to: weak-out}\n      - {id: in, to: i-weak}",
    )
    one(
        bad,
        "g.yaml:23: nodes[2].actions:",
        "information set 'entrant' joins nodes with different actions: stay, in here, out, in "
        "at 'e-tough'",
    )


def test_information_set_joining_two_players():
    bad = BAYES.replace(
        "  - id: e-weak\n    player: entrant", "  - id: e-weak\n    player: incumbent"
    )
    one(bad, "nodes[2].player", "joins nodes of 'entrant' and 'incumbent'")


def test_imperfect_recall_is_refused():
    # the entrant moves twice and its second set joins nodes after different first moves
    text = """\
id: forgetful
name: Forgetful
players: [{id: a, name: A}]
nodes:
  - id: first
    player: a
    actions: [{id: l, to: x}, {id: r, to: y}]
  - id: x
    player: a
    infoset: second
    actions: [{id: u, to: xu}, {id: d, to: xd}]
  - id: y
    player: a
    infoset: second
    actions: [{id: u, to: yu}, {id: d, to: yd}]
  - {id: xu, payoffs: {a: 1}}
  - {id: xd, payoffs: {a: 0}}
  - {id: yu, payoffs: {a: 0}}
  - {id: yd, payoffs: {a: 1}}
"""
    one(text, "nodes[2].infoset", "forget its own moves", "chose l before 'x' but r before 'y'")


# ------------------------------------------------------------------ malformed: the rest


def test_all_problems_at_once_sorted_by_line():
    bad = (
        ENTRY.replace("to: shared}", "to: nowhere}")
        .replace("{entrant: 0, incumbent: 2}", "{entrant: 0}")
        .replace("incumbent: fight}", "incumbent: flight}")
    )
    found = problems_of(bad)
    assert len(found) >= 3
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines)
    assert any("unknown parameter 'flight'" in p for p in found)


def test_unknown_and_missing_fields_and_bad_ids():
    found = problems_of(ENTRY.replace("name: Entry deterrence\n", "colour: red\n"))
    assert any("g.yaml:2: colour: unknown field" in p for p in found), found
    assert any("name: missing" in p for p in found), found
    found = problems_of(ENTRY.replace("  - id: war\n", "  - id: war here\n"))
    assert any("nodes[3].id: expected an id" in p for p in found), found


def test_a_node_reached_twice_and_a_way_back_to_the_root():
    bad = ENTRY.replace("to: war}", "to: shared}")
    found = problems_of(bad)
    assert any("'shared' is already reached by nodes[1].actions[0]" in p for p in found), found
    bad = ENTRY.replace("to: war}", "to: market}")
    found = problems_of(bad)
    assert any("leads back to the root 'market'" in p for p in found), found


def test_node_kinds():
    bad = ENTRY.replace("    reason: the incumbent keeps its monopoly\n", "    player: entrant\n")
    one(bad, "nodes[2].player", "is an end")
    bad = ENTRY.replace("    player: incumbent\n", "")
    one(bad, "nodes[1].player: missing")
    found = problems_of(ENTRY.replace("    payoffs: {entrant: -1, incumbent: fight}\n", ""))
    assert any("has neither actions nor payoffs" in p for p in found), found


def test_chance_rules():
    bad = BAYES.replace("probability: q, ", "")
    one(bad, "nodes[0].actions[0].probability: missing")
    bad = ENTRY.replace(
        "{id: out, label: stays out, to: monopoly}", "{id: out, to: monopoly, probability: 0.5}"
    )
    one(bad, "nodes[0].actions[0].probability", "only chance moves have them")
    bad = ENTRY.replace("  - {id: entrant, name: Entrant}", "  - {id: chance, name: Fate}")
    found = problems_of(bad)
    assert any("'chance' is reserved" in p for p in found), found


def test_expressions_are_checked_and_never_evaluated_as_python():
    for expr, fragment in (
        ("__import__('os').system('true')", "only functions are abs, min, max"),
        ("fight ** 2", "only + - * / are allowed"),
        ("fight.real", "not allowed here"),
        ("1 / (fight + 1)", "division by zero"),
        ("(fight", "cannot read"),
    ):
        bad = ENTRY.replace("incumbent: fight}", f'incumbent: "{expr}"}}')
        one(bad, "nodes[3].payoffs.incumbent", fragment)


def test_linked_scenario_problems():
    text = ENTRY.replace(
        "  - {id: fight, value: -1, low: -2, high: 2}",
        "  - {id: fight, from: russia.karabakh-control.salience}",
    )
    one(text, "parameters[0].from", "the game links none")
    linked = "scenario: caucasus-2022\n" + text
    g = parse_game(linked, "g.yaml")
    assert g.parameter("fight").value == 60  # Russia's salience on Karabakh in caucasus-2022
    bad = linked.replace("russia.karabakh-control.salience", "russia.nowhere.salience")
    one(bad, "parameters[0].from", "no issue 'nowhere'")
    bad = "scenario: no-such-scenario\n" + text
    one(bad, "scenario", "cannot read the linked scenario")
    bad = ENTRY.replace(
        "{id: fight, value: -1, low: -2, high: 2}", "{id: fight, value: 3, low: -2, high: 2}"
    )
    one(bad, "parameters[0]", "above high")


def test_reader_problems_speak_of_a_game(write):
    from realpolitik.games import read_game

    with pytest.raises(GameError, match="the file is empty; expected a game"):
        read_game(write("empty.yaml", ""))
    with pytest.raises(GameError, match="YAML syntax error"):
        read_game(write("bad.yaml", "id: [x\n"))
    with pytest.raises(GameError, match="given twice"):
        read_game(write("twice.yaml", ENTRY + "name: again\n"))


# ------------------------------------------------------------------ expressions


def test_expressions_are_exact():
    assert Expr.parse("0.1 + 0.2").evaluate() == Fraction(3, 10)
    e = Expr.parse("max(0, r - c) / 3 + abs(-x)")
    assert e.names == {"r", "c", "x"}
    assert e.evaluate({"r": Fraction(5), "c": Fraction(2), "x": Fraction(1, 2)}) == Fraction(3, 2)
    assert Expr.parse(0.75).evaluate() == Fraction(3, 4)
    with pytest.raises(ExprError, match="unknown parameter 'x'"):
        Expr.parse("x + 1").evaluate({})
    with pytest.raises(ExprError, match="at most"):
        Expr.parse("1" + " + 1" * 300)
    with pytest.raises(ExprError, match="too large"):
        Expr.parse("1e300")
    with pytest.raises(ExprError, match="abs takes one number"):
        Expr.parse("abs(1, 2)")
    with pytest.raises(ExprError):
        Expr.parse(True)
