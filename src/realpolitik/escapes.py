"""Text from a file made safe to show: :func:`shown` writes its control characters, escape
sequences and bidi controls visibly escaped (``\x1b[2J``, ``\u202e``), so that a name can
neither drive a terminal (clear the screen, recolour it, retitle the window) nor reorder or
hide what a page or a chart shows. The command line, the charts and the HTML report use it.
"""

from __future__ import annotations

import re

__all__ = ["shown", "shown_in_page", "shown_lines"]

#: what a terminal acts on rather than shows: C0 controls (ESC starts an escape sequence),
#: DEL, C1 controls (CSI as one byte), and the bidi controls that reorder text (ALM, LRM,
#: RLM, the embeddings and overrides, the isolates)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: the same but the line break and the tab, which the terminal's own layout uses
_UNSAFE_IN_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` (a name, an id, a message quoting a file) safe to print: every control
    character (line breaks and tabs too), escape sequence and bidi control written visibly
    as Python writes it (``\x1b``, ``\n``, ``\u202e``); other text unchanged."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)


def shown_lines(text: str) -> str:
    """:func:`shown`, but line breaks and tabs kept: for text already laid out in lines
    (what the consoles write)."""
    if not _UNSAFE_IN_LINES.search(text):
        return text
    return _UNSAFE_IN_LINES.sub(_escape, text)


def shown_in_page(value: object) -> object:
    """A template's value as a page shows it (Jinja's ``finalize``): a text with its
    control characters shown (:func:`shown_lines`; HTML escaping leaves a NUL or an ESC as
    it is), Markup (charts, made safe already) and anything else as it is."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return shown_lines(value)
    return value
