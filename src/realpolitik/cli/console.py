"""The command line's two consoles, standard output and standard error.

Text from a file never reaches the terminal raw: both are :class:`SafeConsole`, which writes
every control character, escape sequence and bidi control of what it prints visibly escaped
(:func:`~realpolitik.cli.text.shown_lines`). They are made on first use
(:mod:`realpolitik.cli.common` holds stand-ins): importing rich is a fifth of a command's
start, and a command that prints nothing to a console (``simulate --json``) does not pay it.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from .text import shown_lines

__all__ = ["SafeConsole", "stderr_console", "stdout_console"]


class SafeConsole(Console):
    """A rich console that writes the text it prints with every control character, escape
    sequence and bidi control visibly escaped (``\x1b[2J``, ``\u202e``), whatever the
    renderable (a string, a ``Text``, a table's cell): the console's own styles and cursor
    controls (rich's control segments) are kept."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterator[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and segment.text:
                text = shown_lines(segment.text)
                if text is not segment.text:
                    segment = Segment(text, segment.style)
            yield segment


def stdout_console() -> SafeConsole:
    """The console of standard output: results, tables."""
    return SafeConsole(highlight=False, soft_wrap=False)


def stderr_console() -> SafeConsole:
    """The console of standard error: messages, progress."""
    return SafeConsole(stderr=True, highlight=False)
