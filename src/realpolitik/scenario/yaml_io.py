"""Reading and writing scenario YAML, safely.

* Only YAML's safe subset is read (no Python objects), through PyYAML's SafeLoader.
* Files over :data:`MAX_BYTES` are refused before parsing.
* Anchors and aliases are allowed, but the document they expand to is measured
  first: over :data:`MAX_NODES` nodes (an "alias bomb") it is refused.
* A key given twice in one mapping is an error, not a silent overwrite.
* Every problem carries the line of the field at fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, ScenarioError
from .objects import Scenario
from .validate import build_scenario

__all__ = ["MAX_BYTES", "MAX_NODES", "dump_yaml", "parse_yaml", "read_text", "read_yaml"]

MAX_BYTES = 5_000_000
MAX_NODES = 200_000


def read_text(path: Path, *, label: str | None = None) -> str:
    """The file's text as UTF-8, or a :class:`ScenarioError` saying why not."""
    name = label or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError([Problem(name, "", "no such file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, "", f"cannot be read: {exc.strerror}")]) from None
    if path.is_dir():
        raise ScenarioError([Problem(name, "", "is a folder; expected a scenario file")])
    if size > MAX_BYTES:
        raise ScenarioError(
            [Problem(name, "", f"the file has {size:,} bytes; expected at most {MAX_BYTES:,}")]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(name, "", f"cannot be read: {exc.strerror}")]) from None
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


class _Loader(yaml.SafeLoader):
    """SafeLoader that records lines, refuses duplicate keys and bounds alias expansion."""


def _compose(text: str, name: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([Problem(name, "", "the file is empty; expected a scenario")])
        problems: list[Problem] = []
        lines: dict[tuple[Any, ...], int] = {}
        _measure(node, name)
        _walk(node, (), lines, problems, name, set())
        if problems:
            raise ScenarioError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        what = exc.problem or str(exc)
        raise ScenarioError([Problem(name, "", f"YAML syntax error{col}: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    return data, lines


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
    node: yaml.Node,
    path: tuple[Any, ...],
    lines: dict[tuple[Any, ...], int],
    problems: list[Problem],
    name: str,
    seen: set[int],
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in seen:  # an alias: its lines are the anchor's, already recorded
        return
    if isinstance(node, yaml.SequenceNode):
        seen = seen | {id(node)}
        for k, child in enumerate(node.value):
            _walk(child, path + (k,), lines, problems, name, seen)
    elif isinstance(node, yaml.MappingNode):
        seen = seen | {id(node)}
        keys: dict[Any, int] = {}
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if key == "<<":
                continue
            line = knode.start_mark.line + 1
            if key in keys:
                from .validate import field_name

                problems.append(
                    Problem(
                        name,
                        field_name(path + (key,)),
                        f"given twice (first on line {keys[key]}); expected each field once",
                        line,
                    )
                )
                continue
            keys[key] = line
            lines[path + (key,)] = line
            _walk(vnode, path + (key,), lines, problems, name, seen)


def parse_yaml(text: str, name: str) -> Scenario:
    """Parse and validate scenario YAML ``text``; ``name`` labels the problems."""
    data, lines = _compose(text, name)
    return build_scenario(data, file=name, lines=lines)


def read_yaml(path: Path, *, label: str | None = None) -> Scenario:
    name = label or str(path)
    return parse_yaml(read_text(path, label=name), name)


def dump_yaml(scenario: Scenario) -> str:
    """The scenario in the YAML format, readable back by :func:`parse_yaml`."""
    return yaml.safe_dump(
        scenario.to_dict(), sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
