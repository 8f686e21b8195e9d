"""The commands that live in modules of their own, imported only when one of them runs.

``realpolitik simulate`` should not pay for importing the games, the back-test, the run
store's commands, the report or the dashboard: :class:`LazyGroup` is the root command
group, and the commands listed in :data:`COMMANDS` are built from their modules the first
time they are looked up (to run them, or when ``--help`` lists every command). The order
of :data:`COMMANDS` is the order ``--help`` shows them in, after the commands defined in
:mod:`realpolitik.cli` itself.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

#: A click command (Typer's own copy of click: ``typer._click``).
Command = Any

__all__ = ["COMMANDS", "LazyGroup"]

#: name -> (module, attribute: a command function or a Typer app of subcommands, help of
#: an app, or None to take the app's own); ``--help`` lists the apps after the commands.
COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "draft": ("realpolitik.cli.draft_cmd", "draft_cmd", None),
    "games": ("realpolitik.cli.game_cmds", "games_cmd", None),
    "sensitivity": ("realpolitik.cli.analysis_cmds", "sensitivity_cmd", None),
    "levers": ("realpolitik.cli.analysis_cmds", "levers_cmd", None),
    "report": ("realpolitik.cli.report_cmd", "report_cmd", None),
    "serve": ("realpolitik.cli.serve_cmd", "serve_cmd", None),
    "backtest": ("realpolitik.cli.backtest_cmd", "backtest_cmd", None),
    "capability": ("realpolitik.cli.capability_cmd", "capability_cmd", None),
    "seal": ("realpolitik.cli.backtest_cmd", "seal_cmd", None),
    "runs": (
        "realpolitik.cli.runs",
        "runs_app",
        "The run history: list, show and compare past runs.",
    ),
    "game": ("realpolitik.cli.game_cmds", "game_app", None),
}


def build(name: str, rich_markup_mode: Any) -> Command:
    """The click command ``name`` of :data:`COMMANDS`, as ``app.command`` or
    ``app.add_typer`` would have registered it."""
    module, attribute, help_text = COMMANDS[name]
    found = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(rich_markup_mode=rich_markup_mode)
    if isinstance(found, typer.Typer):
        if help_text is None:
            holder.add_typer(found, name=name)
        else:
            holder.add_typer(found, name=name, help=help_text)
    else:
        holder.command(name)(found)
    return typer.main.get_group(holder).commands[name]


#: What ``--help`` shows after an option that takes a value, by the value's type.
_METAVARS = {"int": "N", "float": "X", "str": "TEXT", "path": "PATH"}

#: click's names of its parameter types, as :data:`_METAVARS` names them.
_CLICK_TYPES = {"int": "int", "int range": "int", "integer": "int", "integer range": "int",
                "float": "float", "float range": "float", "str": "str", "text": "str",
                "path": "path"}  # fmt: skip


def _value_type(param: Any) -> str:
    """The type of one value of an option: ``int``, ``float``, ``str``, ``path`` or
    another name (Typer 0.29 names the Python type, earlier versions click's type)."""
    if hasattr(param, "bare_type"):
        return str(param.bare_type()).removeprefix("list[").removesuffix("]").lower()
    return _CLICK_TYPES.get(getattr(param.type, "name", ""), "")


def _tidy(command: Command) -> Command:
    """``command`` (and its subcommands) with a one-line summary and plain metavars.

    In rich markup mode Typer lists a command by the first paragraph of its docstring with
    the docstring's own line breaks, which wrap the list's column at random places; the
    summary is that paragraph with its lines joined (the terminal wraps it). Typer
    shows each option's type (0.29: ``<bool>`` after a flag, ``<list[str]>`` after a
    repeatable option; earlier: ``INTEGER``), which takes a third of an 80-column screen:
    a flag shows nothing, an option ``N``, ``X``, ``TEXT`` or ``PATH``, unless it names
    its own metavar."""
    help_text = getattr(command, "help", None)
    if help_text and not getattr(command, "short_help", None):
        first = inspect.cleandoc(help_text).split("\n\n")[0]
        command.short_help = " ".join(line.strip() for line in first.splitlines())
    for param in getattr(command, "params", ()):
        if param.metavar is not None:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.param_type_name == "option":
            param.metavar = _METAVARS.get(_value_type(param), "TEXT")
    _plain_help_option(command)
    _once_only(command)
    for sub in getattr(command, "commands", {}).values():
        _tidy(sub)
    return command


def _once_only(command: Command) -> None:
    """An option that takes one value, given twice, is a usage error (exit 2) instead of
    click's silent last-one-wins (``-m compromise -m median`` ran the median alone)."""
    single = {
        opt: param
        for param in getattr(command, "params", ())
        if param.param_type_name == "option"
        and not getattr(param, "multiple", False)
        and not getattr(param, "is_flag", False)
        and not getattr(param, "count", False)
        for opt in (*param.opts, *param.secondary_opts)
    }
    if not single:
        return
    parse = command.parse_args

    def parse_args(ctx: Any, args: list[str]) -> Any:
        seen: dict[int, str] = {}
        for token in args:
            if token == "--":
                break
            opt = token.split("=", 1)[0] if token.startswith("--") else token
            param = single.get(opt)
            if param is None:
                continue
            if id(param) in seen:
                raise typer.BadParameter(
                    f"given more than once ({seen[id(param)]}, then {opt}); give it once "
                    "(a comma-separated list where it takes several)",
                    ctx=ctx,
                    param=param,
                )
            seen[id(param)] = opt
        return parse(ctx, args)

    command.parse_args = parse_args


def _plain_help_option(command: Command) -> None:
    """``--help`` (made by click when help is shown) listed without a type."""
    made = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = made(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option


class _Commands(MutableMapping[str, Command]):
    """A group's commands: those given, then :data:`COMMANDS`, each built when first read."""

    def __init__(self, given: MutableMapping[str, Command], rich_markup_mode: Any) -> None:
        self._built = {name: _tidy(c) for name, c in given.items()}
        self._names = [*given, *(n for n in COMMANDS if n not in given)]
        self._mode = rich_markup_mode

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _tidy(build(name, self._mode))
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = _tidy(command)

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


class LazyGroup(TyperGroup):
    """The root group: the commands defined with it, and those of :data:`COMMANDS`, imported
    from their modules when first looked up."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands, self.rich_markup_mode)
        for param in self.params:
            param.metavar = ""  # the root's options are flags (--version)
        _plain_help_option(self)
