"""Reading and writing scenario YAML, safely.

* Only regular files are read: a folder, a pipe (FIFO), a device or a socket is refused
  at once, before anything is opened for reading.
* Only YAML's safe subset is read (no Python objects), through PyYAML's SafeLoader, and
  only the tags of YAML 1.2's core schema (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!seq``, ``!!map``): ``!!binary``, ``!!set``, ``!!omap``, ``!!python/...``
  or a local ``!tag`` is a located problem, never a value of another type.
* Numbers follow the one grammar of :mod:`realpolitik.scenario.numbers`; an integer beyond
  a float's range is a located problem, not an overflow.
* Control characters (but tab and line ends) are refused in every text file read here.
* Files over :data:`MAX_BYTES` are refused before parsing.
* Anchors and aliases are allowed, but the document they expand to is measured
  first: over :data:`MAX_NODES` nodes (an "alias bomb") it is refused.
* A key given twice in one mapping is an error, not a silent overwrite.
* Every problem carries the line of the field at fault.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, cast

import yaml

from ..errors import Problem, ScenarioError
from .document import field_name
from .numbers import FLOAT_MAX, NUMBER, WHOLE, bad_character, excerpt
from .objects import Scenario
from .validate import build_scenario

__all__ = [
    "MAX_BYTES",
    "MAX_NODES",
    "check_characters",
    "dump_document",
    "dump_yaml",
    "parse_document",
    "parse_yaml",
    "read_bytes",
    "read_text",
    "read_yaml",
]

MAX_BYTES = 5_000_000
MAX_NODES = 200_000
#: The deepest nesting of lists and mappings a document may have (a scenario needs six).
MAX_DEPTH = 300


def read_bytes(path: Path, *, label: str | None = None, what: str = "a scenario file") -> bytes:
    """The file's bytes, or a :class:`ScenarioError` saying why not (``what`` the file was
    expected to be). Only a regular file is read: a folder, a pipe, a device or a socket is
    refused at once (a pipe would block the reader forever). At most :data:`MAX_BYTES` are
    read."""
    name = label or str(path)
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind is not None:
            raise ScenarioError([Problem(name, "", f"is {kind}; expected {what}")])
        # O_NONBLOCK: should the path be swapped for a pipe after the check, opening it
        # does not wait for a writer; fstat below then refuses it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            kind = _kind(os.fstat(fh.fileno()).st_mode)
            if kind is not None:
                raise ScenarioError([Problem(name, "", f"is {kind}; expected {what}")])
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem(name, "", "no such file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, "", f"cannot be read: {exc.strerror}")]) from None
    except ValueError:  # a path with a NUL byte
        raise ScenarioError([Problem(name, "", "not a valid file name")]) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(
            [
                Problem(
                    name, "", f"the file has more than {MAX_BYTES:,} bytes; expected at most that"
                )
            ]
        )
    return raw


def _kind(mode: int) -> str | None:
    """What a file of ``mode`` is, if it is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def read_text(path: Path, *, label: str | None = None) -> str:
    """The file's text as UTF-8, or a :class:`ScenarioError` saying why not
    (:func:`read_bytes`)."""
    name = label or str(path)
    raw = read_bytes(path, label=label)
    return decode(raw, name)


def check_characters(text: str, name: str) -> None:
    """A :class:`ScenarioError` at the first character no reader accepts in ``text`` (a
    control character but tab and line ends: :func:`~.numbers.bad_character`), with its
    line and column."""
    bad = bad_character(text)
    if bad is None:
        return
    at, code = bad
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    raise ScenarioError(
        [
            Problem(
                name,
                "",
                f"column {column}: the control character {code} is not allowed in a text "
                "file; remove it",
                line,
            )
        ]
    )


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
    check_characters(text, name)
    if not text.strip():
        raise ScenarioError([Problem(name, "", "the file is empty; expected a scenario")])
    return text


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
#: the tags of YAML 1.2's core schema, the only ones a file may give (and the merge key)
CORE_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP, "tag:yaml.org,2002:merge"))


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars (no octal ``050``, no ``0x10``, no
    sexagesimal ``1:30``, no ``yes``/``no`` booleans; ``1e300`` is a number)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _BOOL)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        #: the nodes given a tag outside YAML 1.2's core schema, with that tag
        self.foreign: dict[int, str] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        tag = getattr(event, "tag", None)
        node = super().compose_node(parent, index)
        if tag is not None and tag != "!" and tag not in CORE_TAGS:
            self.foreign[id(node)] = tag
            # read it as plain text, list or mapping, never as what the tag says
            node.tag = {yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}.get(type(node), _STR)
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:  # type: ignore[override]
        value = str(self.construct_scalar(node))
        if not WHOLE.fullmatch(value) or len(value.lstrip("+-0")) > 309:
            raise ValueError(f"{value[:20]!r} is not a decimal integer within range")
        return int(value)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:  # type: ignore[override]
        value = str(self.construct_scalar(node))
        if value.lower() in (".inf", "+.inf"):
            return float("inf")
        if value.lower() == "-.inf":
            return float("-inf")
        if value.lower() == ".nan":
            return float("nan")
        if not NUMBER.fullmatch(value):
            raise ValueError(f"{value[:20]!r} is not a decimal number")
        return float(value)

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:  # type: ignore[override]
        return str(self.construct_scalar(node)).lower() == "true"


#: the implicit resolvers of YAML 1.2's core schema that :class:`_Loader` adds (the dumper
#: quotes a text that matches one)
_CORE_RESOLVERS = (
    (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    (_INT, re.compile(rf"^{WHOLE.pattern}$"), list("-+0123456789")),
    (
        _FLOAT,
        re.compile(rf"^(?:{NUMBER.pattern}|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
        list("-+.0123456789"),
    ),
)
for _tag, _rx, _first in _CORE_RESOLVERS:
    _Loader.add_implicit_resolver(_tag, _rx, _first)
_Loader.add_constructor(_INT, _Loader.construct_yaml_int)
_Loader.add_constructor(_FLOAT, _Loader.construct_yaml_float)
_Loader.add_constructor(_BOOL, _Loader.construct_yaml_bool)


class _FastLoader(yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else _Loader):  # type: ignore[misc]
    """:class:`_Loader` with libyaml's parser (in C, where PyYAML was built with it: about
    ten times faster, 7 ms against 84 ms for caucasus-2022), for a text with no tag: the C
    parser composes nodes without :meth:`_Loader.compose_node`, which sees the tags a text
    gives, so a text with a ``!`` anywhere (a tag, or just an exclamation mark in a note) is
    read by :class:`_Loader`, and so is a text that holds what libyaml reads otherwise
    (:data:`_PYYAML_ONLY`). The same resolvers and constructors. A text it refuses is
    read again by :class:`_Loader` (:func:`parse_document`), which says why in PyYAML's
    words and at PyYAML's line, as every release did: libyaml words errors its own way
    (without the character at fault), places one at the end of a text with no line break
    after it on a line past the last, counts a control character's line by bytes, refuses
    what PyYAML reads (a ``%YAML 1.3`` or unknown directive, a BOM starting a line but the
    first) and cannot take a lone surrogate. A text it reads but PyYAML refuses (a ``?``
    in a flow list's plain text) is read by :class:`_Loader` too."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    yaml_constructors = _Loader.yaml_constructors
    construct_yaml_int = _Loader.construct_yaml_int
    construct_yaml_float = _Loader.construct_yaml_float
    construct_yaml_bool = _Loader.construct_yaml_bool

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.foreign: dict[int, str] = {}  # (none: a text with no `!` gives no tag)


#: what libyaml reads otherwise than PyYAML, which a text must not hold to be read by
#: :class:`_FastLoader`: a ``!`` (a tag, which only :class:`_Loader` sees), a tab (libyaml
#: takes one for a space after a ``:``, before a comment, in a flow list: PyYAML refuses
#: it, as did every release), a BOM (libyaml drops one starting any line, PyYAML keeps it
#: in the text) and a block scalar's header followed by ``#`` with no space (``|#``:
#: libyaml takes a comment there, PyYAML refuses it); and a ``?`` in a flow list or
#: mapping's plain text, found once the text is parsed (:func:`_question_in_flow`)
_PYYAML_ONLY = re.compile("[!\t\ufeff]|[|>][-+0-9]*#")


def _loader(text: str) -> _Loader:
    """The loader for ``text``: :class:`_FastLoader` unless the text holds what libyaml
    reads otherwise than PyYAML (:data:`_PYYAML_ONLY`) or a lone surrogate (which libyaml,
    reading UTF-8, cannot be given)."""
    if _PYYAML_ONLY.search(text):
        return _Loader(text)
    try:
        return cast(_Loader, _FastLoader(text))
    except UnicodeEncodeError:  # a lone surrogate: PyYAML's reader refuses it, located
        return _Loader(text)


class _Refused(Exception):
    """libyaml's parser refused a text: :func:`parse_document` reads it again by PyYAML's."""


def parse_document(text: str, name: str) -> tuple[Any, dict[tuple[Any, ...], int], list[Problem]]:
    """The YAML document ``text`` as plain data, the line of every path in it, and the
    problems found on the way (keys given twice, scalars that are not what their tag says),
    ``name`` labelling them; what cannot be read at all raises a :class:`ScenarioError`.
    Scenario and game files are both read by it."""
    try:
        return _parse(_loader, text, name)
    except _Refused:  # said in PyYAML's words, at its line (:class:`_FastLoader`)
        return _parse(_Loader, text, name)


def _parse(
    make: Callable[[str], _Loader], text: str, name: str
) -> tuple[Any, dict[tuple[Any, ...], int], list[Problem]]:
    """:func:`parse_document` with the loader ``make`` gives; :class:`_Refused` if that is
    libyaml's and refuses the text."""
    loader = None
    try:
        loader = make(text)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([Problem(name, "", "the file is empty; expected a scenario")])
        if not isinstance(loader, _Loader) and "?" in text and _question_in_flow(node):
            raise _Refused
        problems: list[Problem] = []
        lines: dict[tuple[Any, ...], int] = {}
        _measure(node, name)
        _walk(loader, node, lines, problems, name)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        if loader is not None and not isinstance(loader, _Loader):
            raise _Refused from None
        raise _unreadable(exc, text, name) from None
    except RecursionError:
        raise ScenarioError([Problem(name, "", _TOO_DEEP)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not text.endswith(("\n", "\r", "\x85", "\u2028", "\u2029")):
        # libyaml places what ends a text with no line break after it (an empty document's
        # null) on a line of its own, past the last
        last = len(_LINE_BREAK.findall(text)) + 1
        lines = {path: min(line, last) for path, line in lines.items()}
    return data, lines, problems


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _unreadable(exc: yaml.YAMLError, text: str, name: str) -> ScenarioError:
    """The error for a text PyYAML's parser refuses with ``exc``."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        kind = (
            "YAML error"
            if isinstance(exc, yaml.constructor.ConstructorError)
            else "YAML syntax error"
        )
        what = exc.problem or str(exc)
        return ScenarioError([Problem(name, "", f"{kind}{col}: {what}", line)])
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        line = text[: exc.position].count("\n") + 1
        return ScenarioError(
            [
                Problem(
                    name,
                    "",
                    f"the control character {_codepoint(exc.character)} is not allowed in "
                    "YAML; remove it",
                    line,
                )
            ]
        )
    return ScenarioError([Problem(name, "", f"not readable as YAML: {exc}")])


_TOO_DEEP = "nested too deeply; expected a scenario of lists and mappings"


def _short_tag(tag: str) -> str:
    short = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag
    return excerpt(short, 30)


def _codepoint(character: Any) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{code:04X}"


def _measure(root: yaml.Node, name: str) -> None:
    """Refuse documents of over MAX_NODES nodes, those whose alias expansion exceeds
    MAX_NODES nodes (an alias bomb), and those nested deeper than MAX_DEPTH (as PyYAML's
    parser does, by running out of recursion at about 330 levels, where libyaml's reads on
    to 1,000); linear time in the nodes written."""
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
            size[key] = min(total, MAX_NODES + 1)  # no huge numbers for a bomb
            continue
        if key in size:
            continue
        if key in on_path:
            raise ScenarioError(
                [Problem(name, "", "a YAML alias refers to itself", node.start_mark.line + 1)]
            )
        on_path.add(key)
        if len(on_path) > MAX_DEPTH:
            raise ScenarioError([Problem(name, "", _TOO_DEEP, node.start_mark.line + 1)])
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in size:
                stack.append((child, False))
    if len(size) > MAX_NODES:
        message = (
            f"the document has {len(size):,} values (lists, mappings and scalars); "
            f"expected at most {MAX_NODES:,}"
        )
    elif size[id(root)] > MAX_NODES:
        message = (
            f"the document expands to over {MAX_NODES:,} values through YAML aliases "
            f"(it has {len(size):,} as written); expected a plain scenario (is it an alias "
            "bomb?)"
        )
    else:
        return
    raise ScenarioError([Problem(name, "", message, root.start_mark.line + 1)])


def _question_in_flow(root: yaml.Node) -> bool:
    """Whether a plain scalar of a flow list or mapping holds a ``?`` (``{q: How far?}``),
    which libyaml reads as text (YAML 1.2) and PyYAML refuses, as did every release."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children = _children(node)
        for child in children:
            if isinstance(child, yaml.ScalarNode):
                if node.flow_style and not child.style and "?" in child.value:
                    return True
            else:
                stack.append(child)
    return False


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
        line = node.start_mark.line + 1
        if id(node) in loader.foreign:
            problems.append(
                Problem(
                    name,
                    field_name(path),
                    f"the tag {_short_tag(loader.foreign[id(node)])} is not allowed; expected "
                    "plain YAML (tags of YAML 1.2's core schema only: !!str, !!int, !!float, "
                    "!!bool, !!null, !!seq, !!map)",
                    line,
                )
            )
        if isinstance(node, yaml.ScalarNode):
            if node.tag in (_INT, _FLOAT) and NUMBER.fullmatch(node.value):
                if float(node.value) in (float("inf"), float("-inf")):
                    problems.append(
                        Problem(
                            name,
                            field_name(path),
                            f"{excerpt(node.value, 20)} is beyond the largest number "
                            f"({FLOAT_MAX}); expected a smaller number",
                            line,
                        )
                    )
                    node.tag = _STR
                    continue
                if float(node.value) == 0.0 and re.search(
                    r"[1-9]", re.split(r"[eE]", node.value)[0]
                ):
                    problems.append(
                        Problem(
                            name,
                            field_name(path),
                            f"{excerpt(node.value, 20)} is too small to tell from 0 (below "
                            "about 1e-308); write 0 or a larger number",
                            line,
                        )
                    )
                    node.tag = _STR
                    continue
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
            if isinstance(knode, yaml.ScalarNode) and knode.tag != _STR:
                # a key that is not what its tag says (`!!float x: 1`) is read as text
                try:
                    loader.construct_object(knode)
                except (ValueError, TypeError, OverflowError):
                    loader.recursive_objects.pop(knode, None)  # type: ignore[attr-defined]
                    knode.tag = _STR
            if id(knode) in loader.foreign:
                problems.append(
                    Problem(
                        name,
                        field_name(path),
                        f"a key tagged {_short_tag(loader.foreign[id(knode)])}, which is not "
                        "allowed; expected plain YAML (tags of YAML 1.2's core schema only)",
                        knode.start_mark.line + 1,
                    )
                )
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


class _Dumper(yaml.SafeDumper):
    """SafeDumper that quotes every text :class:`_Loader` would read as a number or a
    boolean (``1e5``, ``1.0e5``: YAML 1.1's resolvers, which SafeDumper asks, take them for
    text and would write them plain)."""


for _tag, _rx, _first in _CORE_RESOLVERS:
    _Dumper.add_implicit_resolver(_tag, _rx, _first)


class _BlockDumper(_Dumper):
    """A :class:`_Dumper` that writes a text of several lines as a literal block (``|``)."""


def _block_text(dumper: yaml.SafeDumper, data: str) -> Any:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_BlockDumper.add_representer(str, _block_text)


def dump_document(data: Any, *, flow_style: bool | None = None, blocks: bool = False) -> str:
    """``data`` as YAML that :func:`parse_document` reads back as it is (a text that would
    read as a number or a boolean is quoted), keys in their order, lines of about 100
    characters. ``flow_style`` is PyYAML's ``default_flow_style`` (None: innermost lists
    and mappings on one line, False: none); ``blocks`` writes texts of several lines as
    literal blocks."""
    return yaml.dump(
        data,
        Dumper=_BlockDumper if blocks else _Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=flow_style,
    )


def dump_yaml(scenario: Scenario) -> str:
    """The scenario in the YAML format, readable back by :func:`parse_yaml`."""
    return dump_document(scenario.to_dict())
