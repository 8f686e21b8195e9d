"""The error of the games layer.

A :class:`GameError` is a :class:`~realpolitik.errors.ScenarioError` (an input that cannot be
used, with every :class:`~realpolitik.errors.Problem` found, each located by file, line and
field), so that every front end reports a bad game file as it reports a bad scenario. Some
errors are not about a file (pygambit is missing, a method does not apply to the game):
those carry a ``message`` and no problems.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Problem, ScenarioError

__all__ = ["INSTALL_HINT", "GameError", "SolveLimitError", "SolverCrashError"]

#: how to install the solver, in every message that needs it
INSTALL_HINT = (
    "solving games needs pygambit, the games extra; it compiles from source (a few "
    'minutes): CFLAGS="-O2 -g0" CXXFLAGS="-O2 -g0" pip install \'realpolitik[games]\''
)


class GameError(ScenarioError):
    """A game that cannot be read, validated or solved; ``problems`` lists every problem
    found in a file, ``message`` says what else went wrong."""

    def __init__(self, problems: Sequence[Problem] = (), *, message: str | None = None) -> None:
        self.message = message
        super().__init__(list(problems))

    def describe(self) -> str:
        if self.message is not None and not self.problems:
            return self.message
        return super().describe()


class SolveLimitError(GameError):
    """A solve stopped at a limit: ``limit`` is ``"time"``, ``"memory"`` or ``"size"`` (the
    game is too large for the method to finish, refused before it starts); the message
    says which cheaper method to try."""

    def __init__(
        self, problems: Sequence[Problem] = (), *, message: str | None = None, limit: str = "time"
    ) -> None:
        self.limit = limit
        super().__init__(problems, message=message)


class SolverCrashError(GameError):
    """The solver (pygambit, in its own process) crashed; the caller carries on."""
