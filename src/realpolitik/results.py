"""What every result shares: where it came from, and how it is written and read.

A result (a :class:`~realpolitik.forecasting.Forecast`, an ensemble, a sensitivity
analysis, levers, a view from an actor, a back-test) holds a :class:`Provenance`: the input
it was computed from (:class:`Subject`: a scenario, a data set; its content hash), the
parameters and seed that produced it, and the library's version. Each serialises through
:class:`JsonResult`: ``to_json`` gives the same bytes for the same inputs, settings and
seed, and ``from_json`` reads them back to an equal result. Each also says how the run
history records it (:class:`Recordable`): under which kind of run (``record_kind``), with
which parameters (:meth:`JsonResult.run_parameters`), summary (``summary``), status
(:meth:`JsonResult.run_status`) and subject (:meth:`JsonResult.run_subject`), so that
:meth:`~realpolitik.runner.store.RunStore.record_result` records any result as the command
line does. ``tests/test_results.py`` holds every result class to that contract.

The helpers here turn arrays and mappings to JSON values and back (``nan`` <-> ``null``)
and freeze what a result holds (read-only arrays, mapping proxies, tuples).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import MISSING, dataclass, field, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import numpy as np

from ._version import __version__
from .errors import RealpolitikError

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario

__all__ = [
    "FormatError",
    "JsonResult",
    "Provenance",
    "ProvenanceFields",
    "Recordable",
    "Subject",
    "SubjectError",
    "array_from_json",
    "array_jsonable",
    "check_format",
    "deep_tuple",
    "dumps",
    "field_values",
    "freeze",
    "from_field_values",
    "jsonable",
    "readonly",
]


class FormatError(RealpolitikError, ValueError):
    """A document that is not the result it was read as (another format, or damaged)."""


class SubjectError(RealpolitikError, ValueError):
    """A result recorded with an input it was not computed from (another scenario)."""


def readonly(a: Any) -> np.ndarray:
    """``a`` as a float array that cannot be written to."""
    arr = np.array(a, dtype=float)
    arr.setflags(write=False)
    return arr


def jsonable(a: Any) -> Any:
    """Arrays, numpy scalars, tuples and mappings as JSON values; ``nan`` as ``None``.

    An array of numbers is converted in one pass (:func:`array_jsonable`), not value by
    value."""
    if isinstance(a, np.ndarray):
        return array_jsonable(a)
    if isinstance(a, (list, tuple)):
        return [jsonable(x) for x in a]
    if isinstance(a, (float, np.floating)):
        return None if math.isnan(a) else float(a)
    if isinstance(a, np.integer):
        return int(a)
    if isinstance(a, Mapping):
        return {str(k): jsonable(v) for k, v in a.items()}
    return a


def array_jsonable(a: np.ndarray) -> Any:
    """An array as (nested) lists of JSON values, ``nan`` as ``None``: what
    :func:`jsonable` gives value by value, in a few vectorised passes (``tolist`` makes
    Python numbers of the array's; an object array, say of actor ids and ``None``, is
    converted element by element)."""
    kind = a.dtype.kind
    if kind == "f":
        nan = np.isnan(a)
        if nan.any():
            filled = a.astype(object)
            filled[nan] = None
            return _numbers(filled.tolist(), a)
        return _numbers(a.tolist(), a)
    if kind in "biu":
        return _numbers(a.tolist(), a)
    return jsonable(a.tolist())


#: Arrays of at least this many numbers are written by :func:`dumps` in one piece.
_WRITTEN_WHOLE = 32
#: Set while :meth:`JsonResult.to_json` builds its document: arrays of numbers then come
#: out of :func:`array_jsonable` marked (:class:`_Numbers`) for :func:`dumps`.
_MARK_ARRAYS: ContextVar[bool] = ContextVar("realpolitik_mark_arrays", default=False)


class _Numbers(list):  # type: ignore[type-arg]
    """The values of an array of numbers with ``depth`` dimensions, none empty (numbers,
    ``None``, booleans: no strings), as :func:`dumps` can write them in one piece."""

    __slots__ = ("depth",)
    depth: int


def _numbers(values: Any, a: np.ndarray) -> Any:
    if a.ndim and a.size >= _WRITTEN_WHOLE and _MARK_ARRAYS.get():
        marked = _Numbers(values)
        marked.depth = a.ndim
        return marked
    return values


def dumps(value: Any, indent: int | None = 2) -> str:
    """``json.dumps(value, indent=indent, allow_nan=False)``, the same text, faster where
    ``value`` holds arrays of numbers marked by :func:`array_jsonable` in
    :meth:`JsonResult.to_json`: each is written by the C encoder in one piece, then laid
    out as the indented encoder lays it out (one number a line) by a few string
    replacements, instead of number by number in Python."""
    if indent is None:
        return json.dumps(value, allow_nan=False)
    tag = uuid.uuid4().hex
    arrays: list[_Numbers] = []

    def swap(x: Any) -> Any:
        if isinstance(x, _Numbers):
            arrays.append(x)
            return f"\x00{tag}:{len(arrays) - 1}\x00"
        if isinstance(x, dict):
            return {k: swap(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [swap(v) for v in x]
        return x

    text = json.dumps(swap(value), indent=indent, allow_nan=False)
    if not arrays:
        return text
    pad = " " * indent

    def written(match: re.Match[str]) -> str:
        start = match.start()
        head = text[text.rfind("\n", 0, start) + 1 : start]  # the line up to the array
        level = (len(head) - len(head.lstrip(" "))) // indent if indent else 0
        numbers = arrays[int(match.group(1))]
        compact = json.dumps(numbers, separators=(",", ":"), allow_nan=False)
        return _laid_out(compact, numbers.depth, level, pad)

    return re.sub(f'"\\\\u0000{tag}:(\\d+)\\\\u0000"', written, text)


def _laid_out(compact: str, depth: int, level: int, pad: str) -> str:
    """``compact`` (an array of ``depth`` dimensions, none empty, in JSON without spaces)
    as ``json.dumps`` with ``indent=len(pad)`` writes it when it starts at indentation
    ``level``: each list's items on lines of their own, one level deeper than the list."""
    newline = ["\n" + pad * (level + k) for k in range(depth + 1)]
    body = compact[depth:-depth]
    marks: dict[str, str] = {}
    for d in range(1, depth):  # between the items of the list at depth d, outermost first
        r = depth - d
        mark = f"\x00{d}\x00"
        body = body.replace("]" * r + "," + "[" * r, mark)
        marks[mark] = (
            "".join(newline[k - 1] + "]" for k in range(depth, d, -1))
            + ","
            + "".join(newline[k - 1] + "[" for k in range(d + 1, depth + 1))
            + newline[depth]
        )
    body = body.replace(",", "," + newline[depth])
    for mark, text in marks.items():
        body = body.replace(mark, text)
    head = "".join("[" + newline[k] for k in range(1, depth + 1))
    tail = "".join(newline[k - 1] + "]" for k in range(depth, 0, -1))
    return head + body + tail


def deep_tuple(x: Any) -> Any:
    """Nested lists as nested tuples, so that a frozen result cannot be changed inside."""
    if isinstance(x, (list, tuple)):
        return tuple(deep_tuple(y) for y in x)
    return x


def array_from_json(a: Any) -> np.ndarray:
    """The inverse of :func:`jsonable` for a (nested) list of numbers: ``None`` as ``nan``,
    read-only."""

    def conv(x: Any) -> Any:
        if isinstance(x, list):
            return [conv(y) for y in x]
        return np.nan if x is None else x

    return readonly(conv(a) if a else [])


def frozen_mapping(m: Mapping[str, Any], depth: int = 1) -> Mapping[str, Any]:
    """``m`` as a read-only mapping, its values too down to ``depth`` levels."""
    if depth > 1:
        return MappingProxyType({k: frozen_mapping(v, depth - 1) for k, v in m.items()})
    return MappingProxyType(dict(m))


T = TypeVar("T")


def _as_is(x: Any) -> Any:
    return x


def field_values(obj: Any, **write: Callable[[Any], Any]) -> dict[str, Any]:
    """The fields of the dataclass ``obj`` by name, in their order, as plain data: each as
    it is, or through ``write[name]`` where one is given. :func:`from_field_values` reads
    them back."""
    return {f.name: write.get(f.name, _as_is)(getattr(obj, f.name)) for f in fields(obj)}


def from_field_values(cls: type[T], d: Mapping[str, Any], **read: Callable[[Any], Any]) -> T:
    """The dataclass ``cls`` from the mapping ``d`` of its :func:`field_values`: each field
    from its key, as it is or through ``read[name]`` where one is given; a field with a
    default may be missing (a ``KeyError`` for one without)."""
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in d:
            values[f.name] = read.get(f.name, _as_is)(d[f.name])
        elif f.default is MISSING and f.default_factory is MISSING:
            raise KeyError(f.name)
    return cls(**values)


def freeze(obj: Any, **values: Any) -> None:
    """Set fields of a frozen dataclass in its ``__post_init__`` (their frozen forms)."""
    for name, value in values.items():
        object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Subject:
    """The input a result was computed from: its ``kind`` (``"scenario"``, ``"data"``), id,
    name, content hash and date (ISO, or ``None``)."""

    kind: str
    id: str
    name: str
    hash: str
    date: str | None = None

    @classmethod
    def of(cls, scenario: Scenario) -> Subject:
        """A scenario as a result names it."""
        return cls(
            kind="scenario",
            id=scenario.id,
            name=scenario.name,
            hash=scenario.content_hash(),
            date=scenario.date.isoformat() if scenario.date else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "hash": self.hash, "date": self.date}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], kind: str = "scenario") -> Subject:
        return cls(kind, d["id"], d["name"], d["hash"], d.get("date"))


@dataclass(frozen=True)
class Provenance:
    """How a result was produced: from what (``subject``), with which ``parameters`` (per
    model, or the analysis's own), which ``seed`` (``None`` where nothing is random) and
    which version of this library."""

    subject: Subject
    parameters: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    version: str = __version__

    def __post_init__(self) -> None:
        freeze(self, parameters=_frozen(self.parameters))

    def to_dict(self) -> dict[str, Any]:
        """The fields a result's JSON carries at its top level."""
        return {
            "version": self.version,
            self.subject.kind: self.subject.to_dict(),
            "seed": self.seed,
            "parameters": jsonable(_thawed(self.parameters)),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], kind: str = "scenario") -> Provenance:
        """Read back what :meth:`to_dict` wrote into a result's JSON ``d``."""
        return cls(
            subject=Subject.from_dict(d[kind], kind),
            parameters=d.get("parameters") or {},
            seed=d.get("seed"),
            version=d["version"],
        )

    def with_parameters(self, parameters: Mapping[str, Any]) -> Provenance:
        return Provenance(self.subject, parameters, self.seed, self.version)


class Recordable(Protocol):
    """What the run history needs of a result to record it (every :class:`JsonResult`,
    and a :class:`~realpolitik.report.Report`): the kind of run, its provenance, and the
    parameters, summary, status and subject to store."""

    record_kind: ClassVar[str]

    @property
    def provenance(self) -> Provenance: ...

    def run_parameters(self) -> dict[str, Any]: ...

    def summary(self) -> dict[str, Any]: ...

    def run_status(self) -> tuple[str, str | None]: ...

    def run_subject(self, scenario: Scenario | None) -> Scenario | Mapping[str, Any]: ...


def model_parameters(provenance: Provenance) -> dict[str, Any]:
    """``models`` (in the order run) and ``model_parameters`` (each model's) of a result
    whose provenance holds its parameters per model, as the run history stores them."""
    params = _thawed(provenance.parameters)
    return {"models": list(params), "model_parameters": params}


def check_subject(provenance: Provenance, scenario: Scenario | None) -> Scenario:
    """``scenario`` if it is the scenario ``provenance`` names (the same content hash);
    else a :class:`SubjectError` that says which was expected."""
    subject = provenance.subject
    if scenario is None:
        raise SubjectError(
            f"expected the scenario the result was computed from: {subject.id!r} "
            f"({subject.hash[:19]}); none was given"
        )
    have = scenario.content_hash()
    if subject.kind != "scenario" or have != subject.hash:
        raise SubjectError(
            f"the result of {subject.kind} {subject.id!r} ({subject.hash[:19]}) does not "
            f"match scenario {scenario.id!r} ({have[:19]}); expected the scenario the "
            "result was made on"
        )
    return scenario


def _frozen(x: Any) -> Any:
    if isinstance(x, Mapping):
        return MappingProxyType({str(k): _frozen(v) for k, v in x.items()})
    if isinstance(x, list):
        return tuple(_frozen(v) for v in x)
    return x


def _thawed(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {k: _thawed(v) for k, v in x.items()}
    if isinstance(x, tuple):
        return [_thawed(v) for v in x]
    return x


class JsonResult:
    """What every result shares: its :class:`Provenance`, :meth:`to_json` of its ``to_dict``
    (the same bytes for the same inputs, settings and seed), :meth:`from_json`, the check
    that a document read back is of its format (``format_id``, or one of ``reads``; ``kind``
    names it in the error), :meth:`summary`, what the run history keeps of it, and how the
    run history records it (:class:`Recordable`: ``record_kind``, :meth:`run_parameters`,
    :meth:`run_status`, :meth:`run_subject`)."""

    format_id: ClassVar[str]
    kind: ClassVar[str]
    #: Earlier formats ``from_dict`` still reads.
    reads: ClassVar[tuple[str, ...]] = ()
    #: The kind of run the run history files this result under (``forecast``,
    #: ``simulate``, ...).
    record_kind: ClassVar[str]
    # ``provenance`` (a :class:`Provenance`): a field, or a property computed from fields

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        """What the run history keeps of this result (plain JSON values)."""
        raise NotImplementedError

    def run_parameters(self) -> dict[str, Any]:
        """The parameters the run history keeps of the run that made this result: by
        default ``models`` and ``model_parameters`` from its provenance; a result with
        settings of its own (draws, samples, an actor) adds them."""
        return model_parameters(self.provenance)  # type: ignore[attr-defined]

    def run_status(self) -> tuple[str, str | None]:
        """``("complete", None)``, or ``("partial", why)`` for a result cut short."""
        return "complete", None

    def run_subject(self, scenario: Scenario | None) -> Scenario | Mapping[str, Any]:
        """What the run history files the run under: ``scenario``, which must be the
        scenario this result was computed from (:class:`SubjectError` otherwise)."""
        return check_subject(self.provenance, scenario)  # type: ignore[attr-defined]

    def to_json(self, *, indent: int | None = 2) -> str:
        """``json.dumps(self.to_dict(), indent=indent)``, the same text, with arrays of
        numbers written whole (:func:`dumps`)."""
        token = _MARK_ARRAYS.set(True)
        try:
            document = self.to_dict()
        finally:
            _MARK_ARRAYS.reset(token)
        return dumps(document, indent) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Any:
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise FormatError(f"not a realpolitik {cls.kind}: not JSON ({e})") from None
        if not isinstance(d, Mapping):
            raise FormatError(f"not a realpolitik {cls.kind}: expected a JSON object")
        try:
            return cls.from_dict(d)
        except RealpolitikError:
            raise
        except (KeyError, TypeError, IndexError, AttributeError, ValueError) as e:
            raise FormatError(
                f"a damaged realpolitik {cls.kind} ({cls.format_id}): {type(e).__name__} {e}"
            ) from None

    @classmethod
    def check_format(cls, d: Mapping[str, Any]) -> None:
        """Raise :class:`FormatError` unless ``d`` declares this result's format (or one it
        still reads)."""
        check_format(d, (cls.format_id, *cls.reads), cls.kind)


def check_format(d: Any, formats: tuple[str, ...], kind: str) -> None:
    """Raise :class:`FormatError` unless ``d`` is a mapping whose ``format`` is one of
    ``formats`` (the first is the current one, named in the message)."""
    found = d.get("format") if isinstance(d, Mapping) else None
    if found not in formats:
        raise FormatError(f"not a realpolitik {kind} (format {found!r}, expected {formats[0]!r})")


class ProvenanceFields:
    """The fields of a result's provenance, as attributes: the scenario it was computed
    from (``scenario_id``, ``scenario_name``, ``scenario_hash``, ``scenario_date``), its
    ``parameters``, ``seed`` and ``version``."""

    provenance: Provenance

    @property
    def scenario_id(self) -> str:
        return self.provenance.subject.id

    @property
    def scenario_name(self) -> str:
        return self.provenance.subject.name

    @property
    def scenario_hash(self) -> str:
        return self.provenance.subject.hash

    @property
    def scenario_date(self) -> str | None:
        return self.provenance.subject.date

    @property
    def version(self) -> str:
        return self.provenance.version

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The parameters the result was produced with (per model, where there are models)."""
        return self.provenance.parameters

    @property
    def seed(self) -> int | None:
        return self.provenance.seed
