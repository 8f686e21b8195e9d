"""Reading and writing scenario YAML, safely.

* Only YAML's safe subset is read (no Python objects), through PyYAML's SafeLoader.
* Files over :data:`MAX_BYTES` are refused before parsing.
* Anchors and aliases are allowed, but the document they expand to is measured
  first: over :data:`MAX_NODES` nodes (an "alias bomb") it is refused.
* A key given twice in one mapping is an error, not a silent overwrite.
* Every problem carries the line of the field at fault.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import yaml

from ..errors import Problem, ScenarioError
from .objects import Scenario
from .validate import build_scenario, field_name

__all__ = [
    "MAX_BYTES",
    "MAX_NODES",
    "dump_yaml",
    "parse_document",
    "parse_yaml",
    "read_bytes",
    "read_text",
    "read_yaml",
]

MAX_BYTES = 5_000_000
MAX_NODES = 200_000


def read_bytes(path: Path, *, label: str | None = None, what: str = "a scenario file") -> bytes:
    """The file's bytes, or a :class:`ScenarioError` saying why not (``what`` the file was
    expected to be). At most :data:`MAX_BYTES` are read, whatever the file claims to be (a
    device or a pipe reports no size)."""
    name = label or str(path)
    try:
        if path.is_dir():
            raise ScenarioError([Problem(name, "", f"is a folder; expected {what}")])
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem(name, "", "no such file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, "", f"cannot be read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(
            [
                Problem(
                    name, "", f"the file has more than {MAX_BYTES:,} bytes; expected at most that"
                )
            ]
        )
    return raw


def read_text(path: Path, *, label: str | None = None) -> str:
    """The file's text as UTF-8, or a :class:`ScenarioError` saying why not
    (:func:`read_bytes`)."""
    name = label or str(path)
    raw = read_bytes(path, label=label)
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(name, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", line)]
        ) from None
    if not text.strip():
        raise ScenarioError([Problem(name, "", "the file is empty; expected a scenario")])
    return text


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars (no octal ``050``, no ``0x10``, no
    sexagesimal ``1:30``, no ``yes``/``no`` booleans; ``1e300`` is a number)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _BOOL)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:  # type: ignore[override]
        value = str(self.construct_scalar(node))
        if not re.fullmatch(r"[-+]?[0-9]+", value):
            raise ValueError(f"{value!r} is not a decimal integer")
        return int(value)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:  # type: ignore[override]
        value = str(self.construct_scalar(node)).lower()
        if value in (".inf", "+.inf"):
            return float("inf")
        if value == "-.inf":
            return float("-inf")
        if value == ".nan":
            return float("nan")
        return float(value)

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:  # type: ignore[override]
        return str(self.construct_scalar(node)).lower() == "true"


_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_Loader.add_constructor(_INT, _Loader.construct_yaml_int)
_Loader.add_constructor(_FLOAT, _Loader.construct_yaml_float)
_Loader.add_constructor(_BOOL, _Loader.construct_yaml_bool)


def parse_document(text: str, name: str) -> tuple[Any, dict[tuple[Any, ...], int], list[Problem]]:
    """The YAML document ``text`` as plain data, the line of every path in it, and the
    problems found on the way (keys given twice, scalars that are not what their tag says),
    ``name`` labelling them; what cannot be read at all raises a :class:`ScenarioError`.
    Scenario and game files are both read by it."""
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([Problem(name, "", "the file is empty; expected a scenario")])
        problems: list[Problem] = []
        lines: dict[tuple[Any, ...], int] = {}
        _measure(node, name)
        _walk(loader, node, lines, problems, name)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        kind = (
            "YAML error"
            if isinstance(exc, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        what = exc.problem or str(exc)
        raise ScenarioError([Problem(name, "", f"{kind}{col}: {what}", line)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text[: exc.position].count("\n") + 1
        raise ScenarioError(
            [
                Problem(
                    name,
                    "",
                    f"the control character {_codepoint(exc.character)} is not allowed in "
                    "YAML; remove it",
                    line,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, "", f"not readable as YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(
            [Problem(name, "", "nested too deeply; expected a scenario of lists and mappings")]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines, problems


def _codepoint(character: Any) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{code:04X}"


def _measure(root: yaml.Node, name: str) -> None:
    """Refuse documents whose alias expansion exceeds MAX_NODES nodes (linear time)."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1
            for child in _children(node):
                total += size[id(child)]
            if total > MAX_NODES:
                line = node.start_mark.line + 1
                raise ScenarioError(
                    [
                        Problem(
                            name,
                            "",
                            f"the document expands to over {MAX_NODES:,} values through YAML "
                            "aliases; expected a plain scenario (is it an alias bomb?)",
                            line,
                        )
                    ]
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise ScenarioError(
                [Problem(name, "", "a YAML alias refers to itself", node.start_mark.line + 1)]
            )
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _walk(
    loader: _Loader,
    root: yaml.Node,
    lines: dict[tuple[Any, ...], int],
    problems: list[Problem],
    name: str,
) -> None:
    """Record the line of every path, flag keys given twice, and turn scalars whose
    value does not fit their type (``2022-02-30``, ``!!float x``) into text, so that the
    schema reports them with their field. Iterative: depth is no limit here."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:  # an alias: its lines are the anchor's, already recorded
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _STR:
                try:
                    loader.construct_object(node)
                except (ValueError, TypeError, OverflowError):
                    loader.recursive_objects.pop(node, None)  # type: ignore[attr-defined]
                    node.tag = _STR
            continue
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*path, k)) for k, child in enumerate(node.value))
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        keys: dict[Any, int] = {}
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if key == "<<":
                continue
            line = knode.start_mark.line + 1
            if key in keys:
                problems.append(
                    Problem(
                        name,
                        field_name((*path, key)),
                        f"given twice (first on line {keys[key]}); expected each field once",
                        line,
                    )
                )
                continue
            keys[key] = line
            lines[(*path, key)] = line
            stack.append((vnode, (*path, key)))


def parse_yaml(text: str, name: str) -> Scenario:
    """Parse and validate scenario YAML ``text``; ``name`` labels the problems."""
    data, lines, problems = parse_document(text, name)
    return build_scenario(data, file=name, lines=lines, problems=problems)


def read_yaml(path: Path, *, label: str | None = None) -> Scenario:
    name = label or str(path)
    return parse_yaml(read_text(path, label=name), name)


def dump_yaml(scenario: Scenario) -> str:
    """The scenario in the YAML format, readable back by :func:`parse_yaml`."""
    return yaml.safe_dump(
        scenario.to_dict(), sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
