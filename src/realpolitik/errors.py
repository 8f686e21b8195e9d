"""Errors raised at the edge, where files and user input enter the library.

A :class:`ScenarioError` carries every :class:`Problem` found in one input, so a
user sees all of them at once, each with the file, the line where known, the
field and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "RealpolitikError", "ScenarioError"]


class RealpolitikError(Exception):
    """Base class of the errors this library raises on bad input."""


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

    def describe(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
