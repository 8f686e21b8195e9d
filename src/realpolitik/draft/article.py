"""An article: its text, normalised, split into numbered sentences with their offsets.

Every quote a draft carries is cut from one of these sentences, and every offset refers to
:attr:`Article.text` (the normalised text), so that ``article.text[s.start:s.end] == s.text``
holds for every sentence and any quote can be checked verbatim.

Normalisation (what changes between the file and :attr:`Article.text`): Unicode NFC; line
ends to ``\\n``; non-breaking and other horizontal spaces to a plain space, runs of them to
one; zero-width and bidirectional marks removed; spaces at the ends of lines removed.
Nothing else: typographic quotes and dashes stay as they are.

Sentence splitting (rules, no model): a blank line or a line break ends a sentence (a line
that ends without closing punctuation and is followed by a line starting in lower case is
joined to it, for text wrapped at a fixed width); within a line, ``.``, ``!`` or ``?``
(with any closing quotes or brackets) followed by a space and a capital, a digit or an
opening quote ends a sentence, unless the word before the full stop is a known
abbreviation ("Mr.", "U.S.", "Jan.") or a single capital (an initial, "Antony J. Blinken").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

__all__ = [
    "MAX_BYTES",
    "Article",
    "Sentence",
    "cut_quote",
    "normalise",
    "parse_article",
    "read_article",
    "split_sentences",
]

#: The largest article read (bytes): a long report is ~100 kB; a larger file is not an article.
MAX_BYTES = 2_000_000

_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e")
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr st gen lt col sgt maj capt adm gov sen rep prof jr sr no nos vs etc
    e.g i.e u.s u.n u.k e.u u.s.a jan feb mar apr jun jul aug sep sept oct nov dec
    approx dept est inc ltd co corp ft mt rev hon amb pres cf al fig p pp vol art para""".split()
)
_END = re.compile(r"[.!?]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")


@dataclass(frozen=True)
class Sentence:
    """Sentence number ``index`` (from 1) of an article: ``text`` is
    ``article.text[start:end]``."""

    index: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        """``s12``: how drafts and the model's answers cite the sentence."""
        return f"s{self.index}"


@dataclass(frozen=True)
class Article:
    """A text to draft a scenario from, normalised and split into sentences."""

    name: str
    text: str
    sentences: tuple[Sentence, ...]
    title: str | None = None
    date: dt.date | None = None
    licence: str | None = None
    url: str | None = None
    meta: dict[str, str] = field(default_factory=dict, compare=False)

    def sentence(self, ref: int | str) -> Sentence:
        """Sentence ``ref``: its number (from 1) or its id (``"s12"``)."""
        index = int(ref[1:]) if isinstance(ref, str) and ref.startswith("s") else int(ref)
        if not 1 <= index <= len(self.sentences):
            raise InputError(f"{self.name}: no sentence {ref} (it has {len(self.sentences)})")
        return self.sentences[index - 1]

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence that holds character ``offset`` of :attr:`text`."""
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        raise InputError(f"{self.name}: offset {offset} is in no sentence")


def normalise(text: str) -> str:
    """The text as :class:`Article` holds it (see the module's docstring)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_ZERO_WIDTH)
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _abbreviation_before(line: str, end: int) -> bool:
    """Whether the full stop at ``line[end]`` closes an abbreviation or an initial."""
    # the last 40 characters: no abbreviation is longer, and searching the whole line
    # before each full stop would take quadratic time on a long paragraph
    m = re.search(r"([\w.]+)$", line[max(0, end - 40) : end])
    if m is None:
        return False
    word = m.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "Antony J. Blinken"
    return word.lower().rstrip(".") in _ABBREVIATIONS


def _split_line(line: str, offset: int) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in _END.finditer(line):
        if line[m.start()] == "." and _abbreviation_before(line, m.start()):
            continue
        spans.append((start, m.end()))
        start = m.end()
        while start < len(line) and line[start] == " ":
            start += 1
    if start < len(line):
        spans.append((start, len(line)))
    return [(offset + a, offset + b) for a, b in spans if line[a:b].strip()]


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """The sentences of normalised ``text``, numbered from 1, with their offsets."""
    # units: lines, joined where a line is wrapped mid-sentence
    units: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        if a == b:
            continue
        if (
            units
            and line[:1].islower()
            and units[-1][1] == a - 1
            and text[units[-1][1] - 1] not in ".!?:;\"'”’)"
        ):
            units[-1] = (units[-1][0], b)
            continue
        units.append((a, b))
    out: list[Sentence] = []
    for a, b in units:
        unit = text[a:b].replace("\n", " ")
        for s, e in _split_line(unit, a):
            out.append(Sentence(len(out) + 1, s, e, text[s:e]))
    return tuple(out)


def parse_article(
    text: str,
    *,
    name: str = "article",
    title: str | None = None,
    when: dt.date | None = None,
    licence: str | None = None,
    url: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Article:
    """An :class:`Article` from ``text``; the title, unless given, is the first line when a
    blank line follows it (the convention of plain-text articles). A text of more than
    ``max_bytes`` bytes in UTF-8 is an :class:`~realpolitik.errors.InputError`, as
    :func:`read_article`'s file."""
    if not isinstance(text, str):
        raise InputError(f"{name}: expected the article's text, got {type(text).__name__}")
    if len(text) > max_bytes or (
        4 * len(text) > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes
    ):
        raise InputError(
            f"{name}: the text is too large for an article (at most {max_bytes:,} bytes); "
            "split it, or give the part that describes the contest"
        )
    norm = normalise(text)
    if not norm.strip():
        raise InputError(f"{name}: the article is empty; expected the text of an article")
    if title is None:
        first, _, rest = norm.partition("\n")
        if rest.startswith("\n") and 0 < len(first) <= 300:
            title = first.strip()
    return Article(
        name=name,
        text=norm,
        sentences=split_sentences(norm),
        title=title,
        date=when,
        licence=licence,
        url=url,
    )


def read_article(
    path: str | Path,
    *,
    title: str | None = None,
    when: dt.date | None = None,
    licence: str | None = None,
    url: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Article:
    """Read a UTF-8 plain-text article; a file that is missing, empty, binary, not UTF-8 or
    larger than ``max_bytes`` gets an :class:`~realpolitik.errors.InputError` saying which
    and what was expected."""
    p = Path(path)
    name = str(path)
    if p.is_dir():
        raise InputError(f"{name}: is a folder; expected a plain-text article (.txt)")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{name}: {size:,} bytes is too large for an article (at most {max_bytes:,}); "
                "split it, or give the part that describes the contest"
            )
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file: {exc.strerror or exc}") from None
    if not raw.strip():
        raise InputError(f"{name}: the file is empty; expected the text of an article")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    head = raw[:8192]
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 100 + 1:
        raise InputError(
            f"{name}: a binary file (control bytes near the start); expected plain UTF-8 "
            "text (save a PDF or a web page as text first)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}: line {line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    return parse_article(
        text, name=name, title=title, when=when, licence=licence, url=url, max_bytes=max_bytes
    )


def cut_quote(sentence: Sentence, around: tuple[int, int] | None = None, words: int = 30) -> str:
    """A verbatim piece of ``sentence`` of at most ``words`` words: the whole sentence when
    it is short enough, else the ``words`` words centred on ``around`` (offsets into the
    article's text; the middle of the sentence if ``None``). The result is always a
    substring of ``sentence.text``."""
    tokens = list(re.finditer(r"\S+", sentence.text))
    if len(tokens) <= words:
        return sentence.text
    if around is None:
        centre = len(tokens) // 2
    else:
        rel = (around[0] + around[1]) // 2 - sentence.start
        centre = next((k for k, t in enumerate(tokens) if t.end() > rel), len(tokens) - 1)
    first = max(0, min(centre - words // 2, len(tokens) - words))
    a, b = tokens[first].start(), tokens[first + words - 1].end()
    quote = sentence.text[a:b]
    assert quote in sentence.text
    return quote
