"""From plain data (parsed YAML or JSON) to a validated :class:`~.objects.Game`.

Every problem is collected, located (file, line where known, field) and raised together in
one :class:`~.errors.GameError`, as for a scenario. A game is well formed when:

* every action leads to a node of the file, every node but the root is reached by exactly
  one action, and every node is reached from the root (a tree, no cycle);
* decision nodes name a player, chance nodes (``player: chance``) give each action a
  probability within 0-1 and their probabilities sum to exactly 1 (at the parameters'
  values; arithmetic is exact), ends give a payoff to every player and to no one else;
* the nodes of an information set belong to one player and have the same actions (ids,
  in the same order); a chance node is alone in its set;
* the game has perfect recall: the nodes of an information set share their player's own
  past (the same sets visited, the same actions taken), as the solvers require;
* expressions use only the parameters of the file, and parameters read from the linked
  scenario name a number it has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError, UnknownNameError
from ..scenario.document import Collector, Lines, check_source, list_entries, validate_document
from ..scenario.objects import Scenario, Source, SourceEntry
from ..scenario.schema import SourceEntrySpec
from .errors import GameError
from .expr import FUNCTIONS, Expr, ExprError, as_fraction, number_text
from .objects import Action, Game, Node, Parameter, Payoff, Player
from .spec import (
    CHANCE,
    LISTS,
    OPTIONAL_LISTS,
    VALUE_TAGS,
    GameHead,
    NodeSpec,
    ParameterSpec,
    PayoffSpec,
    PlayerSpec,
)

__all__ = ["MAX_NODES", "build_game", "linked_value"]

#: the most nodes a game may have (the solvers enumerate strategies: far fewer are practical)
MAX_NODES = 10_000


def linked_value(scenario: Scenario, target: str) -> Fraction:
    """The number ``target`` names in ``scenario``: ``ACTOR.capability``,
    ``ACTOR.ISSUE.position`` or ``ACTOR.ISSUE.salience``; an
    :class:`~realpolitik.errors.UnknownNameError` (a ``KeyError``) says what is not there."""
    parts = target.split(".")
    if len(parts) == 2 and parts[1] == "capability":
        return as_fraction(scenario.actor(parts[0]).capability)
    if len(parts) == 3 and parts[2] in ("position", "salience"):
        actor, issue, what = parts
        scenario.actor(actor)
        scenario.issue(issue)
        stance = scenario.stance(actor, issue)
        if stance is None:
            raise UnknownNameError(
                f"{actor!r} has no stance on {issue!r} in scenario {scenario.id!r}"
            )
        return as_fraction(stance.position if what == "position" else stance.salience)
    raise UnknownNameError(
        f"{target!r}: expected ACTOR.capability, ACTOR.ISSUE.position or ACTOR.ISSUE.salience"
    )


def _load_scenario(ref: str, base: Path | None) -> Scenario:
    from ..scenario import builtins, load

    if base is not None and not Path(ref).is_absolute():
        candidate = base / ref
        if candidate.exists():
            return load(candidate)
    if Path(ref).expanduser().exists() or ref in builtins.names():
        return load(ref)
    known = ", ".join(builtins.names())
    raise ScenarioError(
        [Problem(ref, "", f"no such file, nor a built-in scenario; the built-ins are: {known}")]
    )


def build_game(
    data: Any,
    *,
    file: str,
    lines: Lines,
    problems: Sequence[Problem] = (),
    base: Path | None = None,
) -> Game:
    """Validate ``data`` (the YAML form as plain Python) into a :class:`Game`; ``problems``
    already found by the reader are reported with the rest; ``base`` is the folder a linked
    scenario's relative path starts from."""
    c = Collector(
        file,
        lines,
        problems=problems,
        tags=VALUE_TAGS,
        renames={"from_": "from"},
        error=GameError,
        schema="realpolitik game schema",
    )
    head, items = validate_document(
        data,
        head=GameHead,
        lists=LISTS,
        optional=OPTIONAL_LISTS,
        collector=c,
        kind="game",
        most={"nodes": MAX_NODES},
    )
    if isinstance(data.get("nodes"), list) and len(data["nodes"]) == 1:
        c.add(("nodes",), "one node; expected a tree of at least a move and its ends")

    sources: list[tuple[int, SourceEntrySpec]] = items["sources"]  # type: ignore[assignment]
    players: list[tuple[int, PlayerSpec]] = items["players"]  # type: ignore[assignment]
    params: list[tuple[int, ParameterSpec]] = items["parameters"]  # type: ignore[assignment]
    nodes: list[tuple[int, NodeSpec]] = items["nodes"]  # type: ignore[assignment]

    # ids given twice, on the raw entries so that a broken entry still counts
    raw_ids: dict[str, dict[str, int]] = {}
    for key in LISTS:
        raw_ids[key] = {}
        for k, entry in list_entries(data, key):
            eid = entry.get("id") if isinstance(entry, Mapping) else None
            if not isinstance(eid, str):
                continue
            if eid in raw_ids[key]:
                c.add(
                    (key, k, "id"),
                    f"duplicate id {eid!r}; first used at {key}[{raw_ids[key][eid]}]",
                )
            else:
                raw_ids[key][eid] = k
    player_ids = set(raw_ids["players"])
    source_ids = set(raw_ids["sources"])
    node_ids = set(raw_ids["nodes"])
    if CHANCE in player_ids:
        c.add(
            ("players", raw_ids["players"][CHANCE], "id"),
            f"{CHANCE!r} is reserved for chance moves; give the player another id",
        )

    # ------------------------------------------------------------ parameters
    scenario: Scenario | None = None
    link = data.get("scenario")
    if isinstance(link, str) and link.strip():
        try:
            scenario = _load_scenario(link.strip(), base)
        except ScenarioError as exc:
            first = exc.problems[0].message if exc.problems else str(exc)
            c.add(("scenario",), f"cannot read the linked scenario {link!r}: {first}")
    values: dict[str, Fraction] = {}
    parameters: list[Parameter] = []
    for k, entry in list_entries(data, "parameters"):
        if isinstance(entry, Mapping):
            check_source(c, ("parameters", k, "source"), entry.get("source"), source_ids)
            pid = entry.get("id")
            if isinstance(pid, str) and pid in FUNCTIONS:
                c.add(("parameters", k, "id"), f"{pid!r} is a function name; choose another id")
    for k, p in params:
        if p.id in FUNCTIONS:
            continue
        value: Fraction | None = None
        if p.from_ is not None:
            if "scenario" not in data or not isinstance(link, str):
                c.add(
                    ("parameters", k, "from"),
                    "reads from the linked scenario, but the game links none; add "
                    "`scenario: NAME` at the top",
                )
            elif scenario is not None:
                try:
                    value = linked_value(scenario, p.from_)
                except KeyError as exc:
                    c.add(("parameters", k, "from"), str(exc.args[0]))
        else:
            value = as_fraction(p.value)
        if value is None:
            continue
        low = None if p.low is None else as_fraction(p.low)
        high = None if p.high is None else as_fraction(p.high)
        if p.from_ is not None and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            c.add(
                ("parameters", k, "from"),
                f"the scenario's {number_text(value)} lies outside low-high",
            )
        values.setdefault(p.id, value)
        parameters.append(
            Parameter(
                id=p.id,
                value=value,
                description=p.description,
                source=None if p.source is None else Source(**p.source.model_dump()),
                low=low,
                high=high,
                link=p.from_,
            )
        )

    # ------------------------------------------------------------ nodes
    def expr(path: tuple[Any, ...], raw: Any) -> Expr | None:
        try:
            e = Expr.parse(raw)
        except ExprError as exc:
            c.add(path, str(exc))
            return None
        unknown = sorted(e.names - set(raw_ids["parameters"]))
        if unknown:
            known = ", ".join(raw_ids["parameters"]) or "none are defined"
            c.add(
                path,
                f"unknown parameter{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(map(repr, unknown))}; expected a parameter of `parameters` ({known})",
            )
            return None
        return e

    def number(path: tuple[Any, ...], e: Expr | None) -> Fraction | None:
        if e is None or not e.names <= set(values):
            return None
        try:
            return e.evaluate(values)
        except ExprError as exc:
            c.add(path, str(exc))
            return None

    spec_by_id: dict[str, tuple[int, NodeSpec]] = {}
    for k, n in nodes:
        spec_by_id.setdefault(n.id, (k, n))
    for k, entry in list_entries(data, "nodes"):
        if isinstance(entry, Mapping):
            check_source(c, ("nodes", k, "source"), entry.get("source"), source_ids)
            pay = entry.get("payoffs")
            if isinstance(pay, Mapping):
                for who, pv in pay.items():
                    if isinstance(pv, Mapping):
                        check_source(
                            c, ("nodes", k, "payoffs", who, "source"), pv.get("source"), source_ids
                        )

    incoming: dict[str, list[tuple[int, int]]] = {}
    built: dict[str, Node] = {}
    for k, n in nodes:
        path = ("nodes", k)
        built_actions: list[Action] = []
        built_payoffs: list[Payoff] = []
        if n.actions is None and n.payoffs is None:
            c.add(
                path,
                f"node {n.id!r} has neither actions nor payoffs; expected `actions` (a move) "
                "or `payoffs` (an end)",
            )
            continue
        if n.actions is not None and n.payoffs is not None:
            c.add(
                path + ("payoffs",),
                f"node {n.id!r} has both actions and payoffs; payoffs belong at the ends only",
            )
            continue
        if n.actions is not None:
            if n.player is None:
                c.add(
                    path + ("player",),
                    "missing; a node with actions says who moves ('chance' for a chance move)",
                )
            elif n.player != CHANCE and n.player not in player_ids:
                c.add(
                    path + ("player",),
                    f"unknown player {n.player!r}; expected an id of `players` or 'chance'",
                )
            for field in ("reason", "source"):
                if getattr(n, field) is not None:
                    c.add(
                        path + (field,),
                        f"a {field} of payoffs at a node with no payoffs; give it at the ends",
                    )
            if n.player == CHANCE and n.infoset is not None:
                c.add(path + ("infoset",), "a chance move is its own information set; remove this")
            seen_actions: dict[str, int] = {}
            probs: list[Fraction | None] = []
            for j, a in enumerate(n.actions):
                apath = path + ("actions", j)
                if a.id in seen_actions:
                    c.add(
                        apath + ("id",),
                        f"duplicate action {a.id!r}; first at actions[{seen_actions[a.id]}]",
                    )
                seen_actions.setdefault(a.id, j)
                if a.to not in node_ids:
                    c.add(
                        apath + ("to",),
                        f"action {a.id!r} leads nowhere: no node {a.to!r}; expected the id of "
                        "a node of `nodes`",
                    )
                else:
                    incoming.setdefault(a.to, []).append((k, j))
                prob: Expr | None = None
                if n.player == CHANCE:
                    if a.probability is None:
                        c.add(
                            apath + ("probability",),
                            "missing; every action of a chance move needs a probability",
                        )
                        probs.append(None)
                    else:
                        prob = expr(apath + ("probability",), a.probability)
                        x = number(apath + ("probability",), prob)
                        if x is not None and not 0 <= x <= 1:
                            c.add(
                                apath + ("probability",),
                                f"{number_text(x)} is not a probability; expected 0 to 1",
                            )
                        probs.append(x)
                elif a.probability is not None and n.player is not None:
                    c.add(
                        apath + ("probability",),
                        f"a probability at a move of {n.player!r}; only chance moves have them "
                        "(the solvers find the players' probabilities)",
                    )
                built_actions.append(Action(a.id, a.label or a.id, a.to, prob))
            if n.player == CHANCE and probs and all(x is not None for x in probs):
                total = sum((x for x in probs if x is not None), Fraction(0))
                if total != 1:
                    c.add(
                        path + ("actions",),
                        f"the probabilities of chance node {n.id!r} sum to "
                        f"{number_text(total)}; expected 1",
                    )
        else:
            if n.player is not None:
                c.add(
                    path + ("player",),
                    f"node {n.id!r} is an end (it has payoffs); no one "
                    "moves there: remove `player`",
                )
            if n.infoset is not None:
                c.add(path + ("infoset",), "an end has no information set; remove this")
            assert n.payoffs is not None
            for who in n.payoffs:
                if who not in player_ids:
                    c.add(
                        path + ("payoffs", who),
                        f"a payoff for {who!r}, who is not a player; expected ids of `players`",
                    )
            for who in raw_ids["players"]:
                if who == CHANCE:
                    continue
                if who not in n.payoffs:
                    c.add(
                        path + ("payoffs",),
                        f"no payoff for {who!r} at end {n.id!r}; every end gives every "
                        "player a payoff",
                    )
                    continue
                pv = n.payoffs[who]
                ppath = path + ("payoffs", who)
                if isinstance(pv, PayoffSpec):
                    e = expr(ppath + ("value",), pv.value)
                    number(ppath + ("value",), e)
                    src = None if pv.source is None else Source(**pv.source.model_dump())
                    reason = pv.reason
                else:
                    e = expr(ppath, pv)
                    number(ppath, e)
                    src, reason = None, None
                if e is not None:
                    built_payoffs.append(Payoff(who, e, reason, src))
        built[n.id] = Node(
            id=n.id,
            player=n.player if n.actions is not None else None,
            infoset=(n.infoset or n.id) if n.actions is not None else None,
            text=n.text,
            actions=tuple(built_actions),
            payoffs=tuple(built_payoffs),
            reason=n.reason if n.actions is None else None,
            source=(
                None
                if n.actions is not None or n.source is None
                else Source(**n.source.model_dump())
            ),
            explicit_infoset=n.infoset is not None,
        )

    # ------------------------------------------------------------ the tree
    root: str | None = head.root if head is not None else None
    if root is None and nodes:
        root = nodes[0][1].id
    if root is not None and head is not None and head.root is not None and root not in node_ids:
        c.add(("root",), f"no node {root!r}; expected the id of a node of `nodes`")
        root = None
    if root is not None and root in incoming:
        k, j = incoming[root][0]
        c.add(
            ("nodes", k, "actions", j, "to"),
            f"leads back to the root {root!r}; a game is a tree, with no way back",
        )
    for target, sources_of in incoming.items():
        if len(sources_of) > 1:
            k0, j0 = sources_of[0]
            for k, j in sources_of[1:]:
                c.add(
                    ("nodes", k, "actions", j, "to"),
                    f"{target!r} is already reached by nodes[{k0}].actions[{j0}]; each node is "
                    "reached by one action (copy the node to reach it twice)",
                )
    if root is not None and root in spec_by_id:
        reached = _reach(root, spec_by_id)
        for k, n in nodes:
            if n.id not in reached:
                c.add(
                    ("nodes", k),
                    f"node {n.id!r} is not reached from the root {root!r}; connect it or remove it",
                )
        decisions = [n for n in built.values() if n.player is not None and n.player != CHANCE]
        if not decisions and built:
            c.add(("nodes",), "no player moves anywhere; expected at least one decision node")

    _check_infosets(c, nodes, built, root, spec_by_id)
    c.check()
    assert head is not None and root is not None
    return Game(
        id=head.id,
        name=head.name,
        players=tuple(Player(p.id, p.name, p.description) for _, p in players),
        nodes=tuple(built[n.id] for _, n in nodes),
        root=root,
        parameters=tuple(parameters),
        sources=tuple(SourceEntry(**e.model_dump()) for _, e in sources),
        date=head.date,
        description=head.description.strip(),
        scenario=head.scenario,
        payoff_scale=head.payoff_scale,
        notes=tuple(head.notes),
        origin=file,
    )


def _reach(root: str, spec_by_id: Mapping[str, tuple[int, NodeSpec]]) -> set[str]:
    seen = {root}
    stack = [root]
    while stack:
        nid = stack.pop()
        entry = spec_by_id.get(nid)
        if entry is None:
            continue
        for a in entry[1].actions or []:
            if a.to not in seen and a.to in spec_by_id:
                seen.add(a.to)
                stack.append(a.to)
    return seen


def _check_infosets(
    c: Collector,
    nodes: list[tuple[int, NodeSpec]],
    built: Mapping[str, Node],
    root: str | None,
    spec_by_id: Mapping[str, tuple[int, NodeSpec]],
) -> None:
    """Members of a set: one player, the same actions; then perfect recall."""
    groups: dict[str, list[tuple[int, NodeSpec]]] = {}
    for k, n in nodes:
        if n.actions is not None and n.player != CHANCE:
            groups.setdefault(n.infoset or n.id, []).append((k, n))
    for iid, members in groups.items():
        if iid in spec_by_id and spec_by_id[iid][1].id not in {m.id for _, m in members}:
            k, _ = members[0]
            c.add(
                ("nodes", k, "infoset"),
                f"{iid!r} is the id of another node; name the information set differently",
            )
        k0, first = members[0]
        for k, n in members[1:]:
            if n.player != first.player:
                c.add(
                    ("nodes", k, "player"),
                    f"information set {iid!r} joins nodes of {first.player!r} and {n.player!r}; "
                    "one player moves at all the nodes of a set",
                )
            a0 = [a.id for a in first.actions or []]
            a1 = [a.id for a in n.actions or []]
            if a0 != a1:
                c.add(
                    ("nodes", k, "actions"),
                    f"information set {iid!r} joins nodes with different actions: "
                    f"{', '.join(a1)} here, {', '.join(a0)} at {first.id!r} (nodes[{k0}]); a "
                    "player who cannot tell the nodes apart has the same choices at each",
                )
    if c.problems or root is None:
        return  # perfect recall is checked on a tree that is otherwise sound

    # perfect recall: each node's own-player past, (infoset, action) pairs in order
    past: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    stack: list[tuple[str, dict[str, tuple[tuple[str, str], ...]]]] = [(root, {})]
    where: dict[str, tuple[int, NodeSpec]] = dict(spec_by_id)
    while stack:
        nid, hist = stack.pop()
        node = built.get(nid)
        if node is None or node.is_terminal:
            continue
        past[nid] = hist
        for a in node.actions:
            nxt = dict(hist)
            if node.player is not None and node.player != CHANCE:
                key = node.player
                nxt[key] = hist.get(key, ()) + ((node.infoset or nid, a.id),)
            stack.append((a.to, nxt))
    for iid, members in groups.items():
        if len(members) < 2:
            continue
        player = members[0][1].player
        assert player is not None
        k0, first = members[0]
        ref = past.get(first.id, {}).get(player, ())
        for k, n in members[1:]:
            mine = past.get(n.id, {}).get(player, ())
            if mine != ref:
                ids = {m.id for _, m in members}
                if (
                    any(i == iid for i, _ in mine)
                    or any(i == iid for i, _ in ref)
                    or (_ancestor(n.id, ids, where))
                ):
                    why = "a node of the set lies below another of it"
                else:
                    why = (
                        f"{player!r} chose {_said(ref)} before {first.id!r} but {_said(mine)} "
                        f"before {n.id!r}"
                    )
                c.add(
                    ("nodes", k, "infoset"),
                    f"information set {iid!r} makes {player!r} forget its own moves ({why}); "
                    "the solvers need perfect recall: split the set",
                )


def _ancestor(nid: str, ids: set[str], where: Mapping[str, tuple[int, NodeSpec]]) -> bool:
    parents: dict[str, str] = {}
    for _, n in where.values():
        for a in n.actions or []:
            parents.setdefault(a.to, n.id)
    p = parents.get(nid)
    while p is not None:
        if p in ids:
            return True
        p = parents.get(p)
    return False


def _said(moves: tuple[tuple[str, str], ...]) -> str:
    return "nothing" if not moves else ", then ".join(a for _, a in moves)
