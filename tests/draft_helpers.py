"""What the drafter's rule tests share: a date, the findings of a made-up text (every quote
checked verbatim) and their stances' positions by (actor, issue)."""

from __future__ import annotations

import datetime as dt

from realpolitik.draft import draft_text
from realpolitik.draft.findings import Findings, grounding

WHEN = dt.date(2023, 6, 1)


def findings(text: str) -> Findings:
    f = draft_text(text, when=WHEN).findings
    assert grounding(f)[1] == []
    return f


def positions(f: Findings) -> dict[tuple[str, str], str]:
    return {(s.actor, s.issue): s.position for s in f.stances}
