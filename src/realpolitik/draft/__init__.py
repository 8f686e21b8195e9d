"""From an article to a draft scenario, offline: ``realpolitik draft ARTICLE --date D``.

The flow: :func:`~.article.read_article` (normalised text, numbered sentences) ->
an extractor (:class:`~.rules.RulesExtractor`, the default, or :class:`~.llm.LLMExtractor`
with a local language model) -> :class:`~.findings.Findings` (actors, issues, stances,
each tied to its sentences) -> :func:`~.compose.compose` (YAML that passes ``validate``,
every number marked DRAFT, every quote cut verbatim from its sentence).

>>> import datetime as dt
>>> from realpolitik.draft import draft_text
>>> d = draft_text("Russia demands that Ukraine never join NATO. Ukraine insists on "
...                "its right to join NATO.", when=dt.date(2022, 2, 1))
>>> [i.id for i in d.findings.issues]
['membership-ukraine-nato']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import RealpolitikError
from ..files import write_atomically
from ..scenario.objects import Scenario
from .article import Article, parse_article, read_article
from .findings import Extractor, Findings, grounding

__all__ = [
    "Draft",
    "DraftError",
    "draft_article",
    "draft_file",
    "draft_text",
    "write_atomically",
]


class DraftError(RealpolitikError):
    """An article that cannot be drafted (no actor recognised, no issue found), or a
    language model that failed (down, too slow, or an answer that is not what was asked)."""


@dataclass(frozen=True)
class Draft:
    """A drafted scenario: the findings, the YAML text and the scenario it reads as."""

    findings: Findings
    text: str
    scenario: Scenario


def draft_article(article: Article, extractor: Extractor | None = None) -> Draft:
    """Draft a scenario from ``article`` with ``extractor`` (default: the rules)."""
    from .compose import compose
    from .rules import RulesExtractor

    ex = extractor or RulesExtractor()
    findings = ex.extract(article)
    if not findings.actors:
        raise DraftError(
            f"{article.name}: no actor recognised: the text names no state, leader, "
            "organisation or armed group that the gazetteer knows, nor a person or party "
            "introduced by a role; expected an article "
            "about a political contest (write the scenario by hand: "
            "docs/how-to/write-a-scenario.md)"
        )
    if not findings.issues or not findings.stances:
        named = ", ".join(a.name for a in findings.actors[:6])
        raise DraftError(
            f"{article.name}: found actors ({named}) but no issue that the "
            f"{ex.name} extractor recognises (control of a territory, recognition, "
            "membership, normalisation, a corridor, troops, sanctions, a treaty, a "
            "ceasefire, humanitarian access, elections, a release, talks, accountability, a "
            "boycott, the use of force); write the issues by hand "
            "(docs/how-to/write-a-scenario.md)"
        )
    checked, failures = grounding(findings)
    if failures:
        raise DraftError(
            f"{article.name}: {len(failures)} of {checked} quotes or mentions are not "
            f"verbatim in the article ({failures[0]}); nothing was written"
        )
    text, scenario = compose(findings)
    return Draft(findings, text, scenario)


def draft_text(
    text: str,
    *,
    when: dt.date | None = None,
    name: str = "article",
    title: str | None = None,
    licence: str | None = None,
    url: str | None = None,
    extractor: Extractor | None = None,
) -> Draft:
    """Draft a scenario from an article's text."""
    art = parse_article(text, name=name, title=title, when=when, licence=licence, url=url)
    return draft_article(art, extractor)


def draft_file(
    path: str | Path,
    *,
    when: dt.date | None = None,
    title: str | None = None,
    licence: str | None = None,
    url: str | None = None,
    extractor: Extractor | None = None,
) -> Draft:
    """Draft a scenario from a plain-text article file (UTF-8)."""
    art = read_article(path, title=title, when=when, licence=licence, url=url)
    return draft_article(art, extractor)
