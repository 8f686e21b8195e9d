"""The errors this library raises on bad input, and the one check of a seed.

Every error raised because of what a caller gave (a file, an argument, a parameter, a
name, a seed) is a :class:`RealpolitikError` and says what was expected:

* :class:`ScenarioError` carries every :class:`Problem` found in one input, so a user sees
  all of them at once, each with the file, the line where known, the field and what was
  expected (a game file's :class:`~realpolitik.games.GameError` is one);
* :class:`InputError`, a bad argument or parameter value ("seed must be a whole number
  from 0 to 2**63 - 1, got -1"); also a ``ValueError``;
* :class:`UnknownNameError`, a name that is not known (a model, an actor, an issue, a
  table); also a ``KeyError``, but its text is the message, not the quoted key;
* the errors of one part: ``BackendError`` (:mod:`realpolitik.runner`), ``StoreError``
  (the run history), ``SensitivityError``, ``ReportError``, ``FormatError`` (a result
  document that is not what it was read as; also a ``ValueError``).

``ValueError`` and ``KeyError`` are second bases so that code written when these faults
raised plain ``ValueError``/``KeyError`` keeps working. Any other exception out of the
library is a bug: the command line says so (exit code 1), and shows bad input as input
(exit code 2).
"""

from __future__ import annotations

import numbers
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "MAX_SEED",
    "InputError",
    "Problem",
    "RealpolitikError",
    "ScenarioError",
    "UnknownNameError",
    "check_seed",
    "check_whole",
    "find_named",
    "new_seed",
    "seed_or_fresh",
]

#: The largest seed (seeds are recorded as 64-bit integers in the run history).
MAX_SEED = 2**63 - 1


class RealpolitikError(Exception):
    """Base class of the errors this library raises on bad input; the message says what
    was expected."""


class InputError(RealpolitikError, ValueError):
    """A bad argument or parameter value: what was expected, and what was given.

    Also a ``ValueError`` (what these faults raised before), so ``except ValueError`` still
    catches it."""


class UnknownNameError(RealpolitikError, KeyError):
    """A name that is not known (a model, an actor, an issue, a parameter, a table); the
    message lists the known ones where there are few.

    Also a ``KeyError`` (what these faults raised before), so ``except KeyError`` still
    catches it; unlike a ``KeyError``, ``str()`` gives the message as written, unquoted."""

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


T = TypeVar("T")


def find_named(items: Iterable[T], key: Callable[[T], str], name: str, missing: str) -> T:
    """The first of ``items`` whose ``key`` is ``name``; an :class:`UnknownNameError`
    saying ``missing`` when there is none."""
    for item in items:
        if key(item) == name:
            return item
    raise UnknownNameError(missing)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected."""

    file: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(RealpolitikError):
    """A scenario input that cannot be used; ``problems`` lists everything found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.describe())

    def __reduce__(self) -> tuple[object, ...]:
        # as it is (its problems, message and text), e.g. when a worker process raises it;
        # the default would call __init__ with the text in place of the problems
        return (_rebuild, (type(self), self.args, self.__dict__))

    def describe(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def _rebuild(
    cls: type[BaseException], args: tuple[object, ...], state: dict[str, object]
) -> object:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


# ------------------------------------------------------------------ checks


def _shown(value: object) -> str:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        n = int(value)
        if abs(n) >= 10**30:  # no str() of a huge integer (refused past 4,300 digits)
            return f"an integer of about {int(n.bit_length() * 0.30103) + 1:,} digits"
        return str(n)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_whole(
    value: object, name: str, *, low: int = 0, high: int | None = None, bound: str | None = None
) -> int:
    """``value`` as an ``int`` if it is a whole number (a Python or numpy integer, not a
    bool, not a float) from ``low`` to ``high`` (no bound if ``None``); else an
    :class:`InputError` naming ``name`` and the range (``bound``: how to write ``high``)."""
    if high is None:
        expected = f"a whole number of {low:,} or more"
    else:
        expected = f"a whole number from {low:,} to {bound or f'{high:,}'}"
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= int(value)
        or (high is not None and int(value) > high)
    ):
        raise InputError(f"{name} must be {expected}, got {_shown(value)}")
    return int(value)


def check_seed(seed: object, name: str = "seed") -> int:
    """``seed`` as an ``int`` if it is a seed: a whole number from 0 to 2**63 - 1 (a Python
    or numpy integer; not a bool, a float or ``None``); else an :class:`InputError` naming
    the bound. Every seed the library takes is checked here."""
    return check_whole(seed, name, low=0, high=MAX_SEED, bound="2**63 - 1")


def new_seed() -> int:
    """A fresh random seed (63 bits), for runs that are not given one."""
    return secrets.randbits(63)


def seed_or_fresh(seed: object, name: str = "seed") -> int:
    """:func:`check_seed` of ``seed``, or a fresh one (:func:`new_seed`) if it is ``None``."""
    return new_seed() if seed is None else check_seed(seed, name)
