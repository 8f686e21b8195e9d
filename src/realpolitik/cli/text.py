"""How the command line writes numbers and names: :func:`number` for every number it
prints (never a float's ``repr``, no ``.0`` on a whole number), :func:`possessive` for a
name's English possessive ("Russia's", "United States'"), and :func:`shown` for any text
that comes from a file: its control characters, escape sequences and bidi controls written
visibly escaped (``\x1b[2J``, ``\u202e``), so that a name cannot clear the screen,
recolour it, retitle the window or reorder what is shown."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ..escapes import shown, shown_lines

__all__ = ["breakable", "number", "possessive", "possessives", "shown", "shown_lines"]


def number(
    x: float | None,
    *,
    decimals: int | None = None,
    sig: int = 3,
    signed: bool = False,
    percent: bool = False,
    grouped: bool = False,
    missing: str = "-",
) -> str:
    """``x`` as the command line prints it.

    ``decimals`` fixes the digits after the point, for numbers whose scale the caller knows
    (positions on a 0-100 scale: 1, so that a column of them lines up). Without it the number
    has ``sig`` significant digits for its magnitude, trailing zeros dropped: 0.2416667 is
    ``0.242``, 46.70454 ``46.7``, 10200.0 ``10200``, 3e-07 ``3e-07``; a whole number is
    written whole. ``percent``: ``x`` is a share, written as 100 ``x`` with ``%``
    (0.2416667 is ``24.2%``, or ``24%`` with ``decimals=0``). ``signed``: always a sign.
    ``grouped``: thousands separators (for counts: ``10,200``). ``None`` and NaN are
    ``missing``.
    """
    if x is None:
        return missing
    if isinstance(x, bool):
        return "true" if x else "false"
    v = float(x)
    if math.isnan(v):
        return missing
    suffix = "%" if percent else ""
    if percent:
        v *= 100
    sign = "+" if signed else ""
    if math.isinf(v):
        return ("-" if v < 0 else sign) + "inf" + suffix
    group = "," if grouped else ""
    if v == 0:
        v = 0.0  # no "-0"
    if decimals is not None:
        return f"{v:{sign}{group}.{max(decimals, 0)}f}{suffix}"
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):{sign}{group}d}{suffix}"
    magnitude = math.floor(math.log10(abs(v)))
    if magnitude < -4:  # too small for places: 3e-07
        return f"{v:{sign}.{sig}g}{suffix}"
    places = max(sig - 1 - magnitude, 0)
    text = f"{v:{sign}{group}.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0"):
        text = sign + "0"
    return text + suffix


def possessive(name: str) -> str:
    """``name``'s English possessive: "Russia's", but "United States'" (a name ending in s
    takes the apostrophe alone)."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


def possessives(text: str, names: Iterable[str]) -> str:
    """``text`` with every "<name>'s" of a name ending in s written "<name>'" (for text made
    elsewhere, such as a lever's description)."""
    for name in names:
        if name.endswith(("s", "S")):
            text = text.replace(f"{name}'s", f"{name}'")
    return text


def breakable(name: str, width: int) -> str:
    """``name`` (an id such as ``united-states.karabakh-control.position``) on lines of at
    most ``width`` characters, broken after a dot or a hyphen; a piece longer than
    ``width`` is left whole (for the table to fold). Joined without the line breaks, the
    lines are ``name``."""
    if len(name) <= width or width < 1:
        return name
    lines = [""]
    for piece in re.findall(r"[^.\-]+[.\-]*|[.\-]+", name):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(lines)
