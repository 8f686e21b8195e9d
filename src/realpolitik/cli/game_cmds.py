"""``realpolitik game solve | sweep | show | export | import | schema`` and ``realpolitik games``.

Thin commands over :mod:`realpolitik.games`: they parse arguments, call the public API and
render with rich. Bad input (a malformed game, an unknown parameter, a method that does not
apply) and a missing pygambit go to standard error with exit code 2, never a traceback; the
message of a missing pygambit says how to install it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree as RichTree

from ..errors import InputError
from ..games import GameError
from ..games.expr import number_text
from ..games.objects import Game
from ..games.solve import METHODS, SETS, Equilibrium, Solution
from ..games.sweep import Flip, Sweep
from ..games.worker import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT
from .common import JsonOption, fail, out, problems
from .render import plural, titled_table
from .text import number

__all__ = ["game_app", "games_cmd", "render_solution", "render_sweep", "render_tree"]

game_app = typer.Typer(
    name="game",
    help="Explicit strategic games: solve for the equilibria, sweep a parameter, show the "
    "tree, export to and import from Gambit's .efg. Solving needs the games extra (pygambit).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

GameArgument = Annotated[
    str | None,
    typer.Argument(
        help="A game file (YAML, or Gambit .efg) or a built-in name; default: "
        "karabakh-leverage-2022."
    ),
]
MethodOption = Annotated[
    str,
    typer.Option(
        "--method",
        "-m",
        help="all (pure, extreme mixed, LCP and refined), pure, refined, or one of "
        + ", ".join(METHODS)
        + ".",
    ),
]
SetParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="A parameter's value, repeatable: NAME=VALUE (p_stretched=0.7).",
    ),
]
TimeLimitOption = Annotated[
    float,
    typer.Option(
        "--time-limit",
        help="Seconds a solve may take (each parameter value of a sweep is a solve); at the "
        "limit it stops with advice on a cheaper method.",
    ),
]
MemoryLimitOption = Annotated[
    int,
    typer.Option(
        "--memory-limit",
        help="MiB the solver may allocate for a method; beyond it the solve stops.",
    ),
]


def _error(exc: GameError) -> typer.Exit:
    return problems(exc) if exc.problems else fail(exc.describe())


def _load(source: str | None) -> Game:
    from ..games import load_game

    try:
        return load_game(source)
    except GameError as exc:
        raise _error(exc) from None


def _params(items: list[str] | None) -> dict[str, Any]:
    from ..games.expr import ExprError, as_fraction

    out_: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ExprError("")
            out_[name.strip()] = as_fraction(value.strip())
        except ExprError:
            raise fail(f"--set: expected NAME=NUMBER (p_stretched=0.7), got {item!r}") from None
    return out_


def _solver_settings(
    sets: list[str] | None, time_limit: float, memory_limit: int
) -> dict[str, Any]:
    """The keyword arguments that solving and sweeping share: the parameters' values
    (--set) and the limits of each solve."""
    return {"params": _params(sets), "time_limit": time_limit, "memory_limit": memory_limit}


@contextmanager
def _solver_errors() -> Iterator[None]:
    """A solve's or a sweep's bad input (a method that does not apply, an unknown
    parameter, a malformed game) as an error message and exit code 2."""
    try:
        yield
    except InputError as exc:
        raise fail(str(exc)) from None
    except GameError as exc:
        raise _error(exc) from None


R = TypeVar("R", Solution, Sweep)


def _show(result: R, as_json: bool, render: Callable[[Console, R], None]) -> None:
    """``result`` as JSON (--json) or rendered on the console."""
    if as_json:
        sys.stdout.write(result.to_json())
    else:
        render(out, result)


def _written(text: str, output: Path | None, encoding: str) -> bool:
    """``text`` to standard output (``output`` None) or to the file ``output``; whether it
    went to a file (an error message and exit code 2 if it could not)."""
    if output is None:
        sys.stdout.write(text)
        return False
    try:
        output.write_text(text, encoding=encoding)
    except OSError as exc:
        raise fail(f"{output}: cannot be written: {exc.strerror}") from None
    return True


# ------------------------------------------------------------------ commands


@game_app.command("solve")
def solve_cmd(
    game: GameArgument = None,
    method: MethodOption = "all",
    sets: SetParamOption = None,
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    memory_limit: MemoryLimitOption = DEFAULT_MEMORY_LIMIT,
    as_json: JsonOption = False,
) -> None:
    """Solve a game: its equilibria, each with the path of play in words, beliefs, expected
    payoffs, who wins, and whether it is subgame perfect. By default (all) the methods are
    chosen by the game's size, and the notes say which were left out and why."""
    from ..games import solve_game

    if method not in METHODS + SETS:
        raise fail(f"--method: expected one of {', '.join(SETS + METHODS)}, got {method!r}")
    g = _load(game)
    with _solver_errors():
        sol = solve_game(g, method=method, **_solver_settings(sets, time_limit, memory_limit))
    _show(sol, as_json, render_solution)


@game_app.command("sweep")
def sweep_cmd(
    param: Annotated[str, typer.Option("--param", "-p", help="The parameter to sweep.")],
    game: GameArgument = None,
    start: Annotated[
        float | None,
        typer.Option(
            "--from", help="First value (default: the parameter's low).", show_default=False
        ),
    ] = None,
    stop: Annotated[
        float | None,
        typer.Option(
            "--to", help="Last value (default: the parameter's high).", show_default=False
        ),
    ] = None,
    steps: Annotated[
        int, typer.Option("--steps", "-k", min=2, max=10_001, help="Values, ends included.")
    ] = 11,
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            "-m",
            help="default: backward induction (perfect information), else the logit limit",
            show_default=False,
        ),
    ] = None,
    sets: SetParamOption = None,
    time_limit: TimeLimitOption = DEFAULT_TIME_LIMIT,
    memory_limit: MemoryLimitOption = DEFAULT_MEMORY_LIMIT,
    as_json: JsonOption = False,
) -> None:
    """How the refined equilibrium and the payoffs change with one parameter, and where the
    path of play or the winner flips."""
    from ..games import sweep

    if method is not None and method not in METHODS:
        raise fail(f"--method: expected one of {', '.join(METHODS)}, got {method!r}")
    g = _load(game)
    settings = _solver_settings(sets, time_limit, memory_limit)
    with _solver_errors():
        res = sweep(g, param, start, stop, steps, method=method, **settings)
    _show(res, as_json, render_sweep)


@game_app.command("show")
def show_cmd(
    game: GameArgument = None,
    sets: SetParamOption = None,
) -> None:
    """The game tree in text: who moves, what they may do, what they know, and each end's
    payoffs with their reasons (numbers at the parameters' values)."""
    g = _load(game)
    try:
        tree = g.tree(_params(sets))
    except GameError as exc:
        raise _error(exc) from None
    render_tree(out, g, tree)


@game_app.command("export")
def export_cmd(
    game: GameArgument = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The .efg file to write (default: standard output)."),
    ] = None,
    sets: SetParamOption = None,
) -> None:
    """Export a game to Gambit's .efg format, at its parameters' values."""
    from ..games import to_efg

    g = _load(game)
    try:
        text = to_efg(g, _params(sets))
    except GameError as exc:
        raise _error(exc) from None
    if _written(text, output, "ascii"):
        out.print(f"wrote {escape(str(output))} ({plural(len(text.splitlines()), 'line')})")


@game_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A Gambit .efg file.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The YAML file to write (default: standard output)."),
    ] = None,
) -> None:
    """Import a game from Gambit's .efg format as a game file (YAML): the structure and
    numbers; the payoffs' reasons are left for you to write."""
    from ..games import dump_yaml, read_efg

    try:
        g = read_efg(file)
    except GameError as exc:
        raise _error(exc) from None
    if _written(dump_yaml(g), output, "utf-8"):
        out.print(
            f"wrote {escape(str(output))}: game {escape(repr(g.id))}, "
            f"{plural(len(g.players), 'player')}, {plural(len(g.nodes), 'node')}; "
            "the payoffs have no reasons yet"
        )


@game_app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the game file format."""
    from ..games import json_schema_text

    sys.stdout.write(json_schema_text())


def games_cmd() -> None:
    """List the built-in games."""
    from ..games import builtins, load_game

    table = titled_table("Built-in games")
    table.add_column("name", no_wrap=True)
    table.add_column("game")
    table.add_column("players", overflow="fold")
    table.add_column("nodes", justify="right", no_wrap=True)
    table.add_column("scenario", no_wrap=True)
    for name in builtins.names():
        g = load_game(name)
        default = "\n(default)" if name == builtins.DEFAULT else ""
        table.add_row(
            Text(name + default),
            Text(g.name),
            Text(", ".join(p.name for p in g.players)),
            str(len(g.nodes)),
            Text(g.scenario or "-"),
        )
    out.print(table)


# ------------------------------------------------------------------ rendering


def _value(x: Any) -> str:
    from fractions import Fraction

    if isinstance(x, Fraction):
        text = number_text(x)
        return text if len(text) <= 10 else number(float(x), sig=4)
    return number(float(x), sig=4)


def _head(console: Console, g: Game, extra: str = "") -> None:
    date = f", {g.date.isoformat()}" if g.date else ""
    console.print(Text(f"{g.name}{date}", style="bold"))
    linked = f"; linked scenario {g.scenario}" if g.scenario else ""
    console.print(
        Text(
            f"game {g.id} ({g.content_hash()[:19]}); players: "
            + ", ".join(f"{p.name} ({p.id})" for p in g.players)
            + linked
            + extra,
            style="dim",
        )
    )


def _strategies(eq: Equilibrium) -> str:
    """The behaviour strategy, one information set a line."""
    parts = []
    for iset, probs in eq.behaviour.items():
        if probs is None:
            parts.append(f"{iset}: -")
            continue
        acts = [
            f"{a}" if float(p) > 1 - 1e-9 else f"{a} {number(float(p))}"
            for a, p in zip(eq.actions[iset], probs, strict=True)
            if float(p) > 1e-9
        ]
        parts.append(f"{iset}: {', '.join(acts)}")
    return "\n".join(parts)


def render_solution(console: Console, sol: Solution) -> None:
    """The headline equilibrium in words, then every equilibrium in a table."""
    g = sol.game
    over = (
        "; set: " + ", ".join(f"{k} = {_value(v)}" for k, v in sol.overrides.items())
        if sol.overrides
        else ""
    )
    _head(console, g, over)
    console.print(
        Text(
            f"methods: {', '.join(sol.methods)}; "
            + ("perfect information" if sol.perfect_information else "imperfect information")
            + f"; payoff range {_value(sol.payoff_range)}",
            style="dim",
        )
    )
    eq = sol.headline
    if eq is None:
        console.print(Text("No equilibrium found.", style="yellow"))
        return
    label = (
        "The refined equilibrium"
        if sol.refined is not None
        else f"Equilibrium {eq.index} (no refined method was run)"
    )
    how = (
        "backward induction"
        if "backward" in eq.found_by
        else ("the logit limit" if "logit" in eq.found_by else eq.method)
    )
    console.print()
    console.print(Text(f"{label} (#{eq.index}, {how}):", style="bold"))
    for sentence in eq.path:
        console.print(Text(f"  {sentence}."))
    if eq.off_path:
        console.print(Text("  Off the path:", style="dim"))
        for sentence in eq.off_path:
            console.print(Text(f"    {sentence}.", style="dim"))
    multi = {k: v for k, v in eq.beliefs.items() if v is not None and len(v) > 1}
    for iset, b in multi.items():
        console.print(
            Text(
                f"  Beliefs at {iset}: "
                + ", ".join(f"{n} {number(float(p))}" for n, p in b.items())
            )
        )
    console.print(Text(f"  {eq.verdict[:1].upper()}{eq.verdict[1:]}.", style="bold"))
    if g.payoff_scale:
        console.print(Text(f"  Payoffs: {g.payoff_scale}", style="dim"))

    table = titled_table(f"All equilibria found ({len(sol.equilibria)})")
    # at 80 columns the strategies keep their room: "found by" wraps to its longest method,
    # and a name longer than the column folds (nothing is cut)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("found by", max_width=max(len(m) for m in (*METHODS, "found")) + 1)
    table.add_column("SPE", no_wrap=True)
    for p in g.players:
        table.add_column(p.name, justify="right", overflow="fold")
    table.add_column("regret", justify="right", no_wrap=True)
    table.add_column("strategies (information set: actions)", overflow="fold", min_width=20)
    for e in sol.equilibria:
        mark = "*" if sol.refined is not None and e.index == sol.refined + 1 else ""
        table.add_row(
            f"{e.index}{mark}",
            Text(", ".join(e.found_by)),
            "yes" if e.subgame_perfect else "no",
            *(_value(e.payoffs[p.id]) for p in g.players),
            number(float(e.regret), sig=1),
            Text(_strategies(e)),
        )
    table.caption = Text(
        "* the refined equilibrium. SPE: an equilibrium of every subgame too (a threat off "
        "the path that would not be carried out makes it 'no'). regret: the most any player "
        f"could gain by deviating; tolerance {number(eq.tolerance, sig=2)} for this one "
        "(1e-6 of the payoff range for exact methods, 1e-5 for the logit limit). "
        "'-': the strategy says nothing there (excluded by the player's own moves).",
        style="dim",
    )
    table.caption_justify = "left"
    console.print()
    console.print(table)
    notes = list(sol.notes) + [n for e in sol.equilibria for n in e.notes]
    for note in dict.fromkeys(notes):
        console.print(Text("note: " + note, style="yellow"), soft_wrap=True)
    unreasoned = g.unreasoned_payoffs()
    if unreasoned:
        console.print(
            Text(
                f"note: {plural(len(unreasoned), 'payoff')} without a reason or source "
                f"(e.g. {unreasoned[0][1]} at {unreasoned[0][0]})",
                style="yellow",
            )
        )


def render_sweep(console: Console, res: Sweep) -> None:
    """A row per step (what is played, payoffs, winner), then the flips."""
    g = res.game
    _head(console, g)
    console.print(
        Text(
            f"sweep of {res.parameter} from {_value(res.start)} to {_value(res.stop)}, "
            f"{plural(len(res.steps), 'step')}; method {res.method}",
            style="dim",
        )
    )
    table = Table(title_justify="left")
    table.add_column(res.parameter, justify="right", overflow="fold")
    table.add_column("played on the path (information set: actions)", overflow="fold")
    for p in g.players:
        table.add_column(p.name, justify="right", overflow="fold")
    table.add_column("winner", overflow="fold")
    table.add_column("SPE", no_wrap=True)
    for s in res.steps:
        plays = "; ".join(f"{i}: {', '.join(a)}" for i, a in s.plays)
        table.add_row(
            number(float(s.value), sig=4),
            Text(plays),
            *(number(float(s.payoffs[p.id]), signed=True) for p in g.players),
            Text(g.player_name(s.winner) if s.winner else "-"),
            "yes" if s.subgame_perfect else "no",
        )
    console.print(table)
    if not res.flips:
        console.print(Text("No flip: the same path of play and the same winner throughout."))
    for f in res.flips:
        where, bracket = _flip_at(res, f)
        console.print()
        if f.kind == "path":
            console.print(Text(f"The path of play flips at {where}{bracket}:", style="bold"))
            console.print(Text(f"  before: {f.before}."))
            console.print(Text(f"  after:  {f.after}."))
        else:
            console.print(
                Text(
                    f"The winner flips at {where}{bracket}: {f.before} before, {f.after} after.",
                    style="bold",
                )
            )
        if not f.complete:
            inside = (
                "located to the bracket shown: inside it"
                if bracket
                else f"inside a bracket {number(float(f.high - f.low), sig=1)} wide around it"
            )
            console.print(
                Text(
                    f"  ({inside} the answer is neither, e.g. a "
                    "player mixes or the payoffs tie at the threshold)",
                    style="dim",
                )
            )
    for note in res.notes:
        console.print(Text("note: " + note, style="yellow"), soft_wrap=True)


def _flip_at(res: Sweep, f: Flip) -> tuple[str, str]:
    """Where a flip is, to a ten-thousandth of the swept range ("p = 0.2417"), and its
    bracket when it is wider than that (its ends rounded outward), else ""."""
    span = abs(float(res.stop - res.start)) or 1.0
    places = max(0, math.ceil(-math.log10(span * 1e-4)))
    step = 10.0**-places

    def text(x: float) -> str:
        t = number(x, decimals=places)
        return t.rstrip("0").rstrip(".") if "." in t else t

    where = f"{res.parameter} = {text(f.at)}"
    low, high = float(f.low), float(f.high)
    if high - low <= step:
        return where, ""
    low_text = text(math.floor(round(low / step, 6)) * step)
    high_text = text(math.ceil(round(high / step, 6)) * step)
    return where, f" (between {low_text} and {high_text})"


def render_tree(console: Console, g: Game, tree: Any) -> None:
    """The tree, node by node, with the information sets and each end's reasons."""
    _head(console, g)
    if g.description:
        console.print(Text(g.description))
    if g.parameters:
        table = titled_table("Parameters")
        table.add_column("name")
        table.add_column("value", justify="right")
        table.add_column("range", justify="right")
        table.add_column("from")
        table.add_column("description")
        for p in g.parameters:
            rng = (
                f"{_value(p.low)}-{_value(p.high)}"
                if p.low is not None and p.high is not None
                else ""
            )
            table.add_row(
                p.id,
                _value(tree.values[p.id]),
                rng,
                Text(p.link or ""),
                Text(p.description or ""),
            )
        console.print(table)

    def label(nid: str) -> Text:
        node = g.node(nid)
        if node.is_terminal:
            pays = ", ".join(
                f"{g.player_name(p)} {_value(v)}"
                for p, v in zip(tree.players, tree.payoffs[nid], strict=True)
            )
            t = Text(f"{nid}", style="bold")
            t.append(f"  end: {pays}")
            if node.text:
                t.append(f"\n{node.text}", style="italic")
            reasons = [node.reason] if node.reason else []
            reasons += [f"{g.player_name(p.player)}: {p.reason}" for p in node.payoffs if p.reason]
            sources = [node.source.describe()] if node.source else []
            sources += [p.source.describe() for p in node.payoffs if p.source]
            for r in reasons:
                t.append(f"\nwhy: {r}", style="dim")
            for s in sources:
                t.append(f"\nsource: {s}", style="dim")
            return t
        iset = tree.infoset(tree.infoset_of[nid])
        who = "chance" if node.is_chance else g.player_name(str(node.player))
        t = Text(f"{nid}", style="bold")
        t.append(f"  {who} moves")
        if len(iset.members) > 1:
            others = [m for m in iset.members if m != nid]
            t.append(
                f"  [information set {iset.id}: cannot tell this from {', '.join(others)}]",
                style="magenta",
            )
        if node.text:
            t.append(f"\n{node.text}", style="italic")
        return t

    root = RichTree(label(tree.root))
    stack: list[tuple[str, Any]] = [(tree.root, root)]
    while stack:
        nid, branch = stack.pop()
        node = g.node(nid)
        for j, a in enumerate(node.actions):
            move = Text(f"{a.label}", style="cyan")
            move.append(f" [{a.id}]", style="dim")
            if nid in tree.chance:
                move.append(f" p = {_value(tree.chance[nid][j])}")
                if a.probability is not None and not a.probability.is_constant:
                    move.append(f" ({a.probability.text})", style="dim")
            sub = branch.add(move)
            child = sub.add(label(a.to))
            stack.append((a.to, child))
    console.print()
    console.print(root)
    unreasoned = g.unreasoned_payoffs()
    if unreasoned:
        console.print(
            Text(
                f"note: {plural(len(unreasoned), 'payoff')} without a reason or source: "
                + ", ".join(f"{p} at {n}" for n, p in unreasoned[:6])
                + ("..." if len(unreasoned) > 6 else ""),
                style="yellow",
            ),
            soft_wrap=True,
        )
    for note in g.notes:
        console.print(Text("note: " + note, style="yellow"), soft_wrap=True)
