"""How well ``realpolitik draft`` reads articles, against gold codings (the rules extractor,
or a local language model with ``--llm-url``).

Run from the repository root (needs ../shared/data/articles/, or the folder named by
REALPOLITIK_SHARED, or ``--dir``)::

    python benchmarks/bench_draft.py            # a few seconds
    python benchmarks/bench_draft.py --dir DIR  # any folder of NAME.txt + NAME.gold.yaml
    python benchmarks/bench_draft.py --llm-url http://127.0.0.1:11434/v1 --llm-model M
                                                # a local model instead of the rules

For each text (``NAME.txt``) with a gold coding (``NAME.gold.yaml``: actors with their
mentions, issues and stances with verbatim evidence; see the folder's README) it drafts a
scenario as of the gold date and prints, per text and overall (sums over the texts):

* **actor precision / recall**: a drafted actor matches a gold actor when one of its
  mentions overlaps an occurrence of one of the gold actor's mentions in the text;
  precision = drafted actors that match a gold actor / drafted actors (every actor the
  extractor recognised, not only those that hold a stance), recall = gold actors matched /
  gold actors;
* **leaders**: of the gold leaders (kind ``leader`` with a state) that a drafted leader
  matches, how many the draft resolves to the right state (COW code) as of the date;
* **issue recall**: a gold issue is recalled when a drafted issue's evidence sentences
  hold the gold issue's evidence or the evidence of one of its gold stances;
* **stances**: for each gold stance whose actor is matched and whose issue is recalled,
  whether the draft gives that actor (or a leader who speaks for it) a stance on a drafted
  issue that recalls it, and if so whether the position bucket agrees; "found" = stances
  compared / gold stances, "agree" = same bucket / compared;
* **grounding**: the share of quotes and mentions that are verbatim in the cited sentence
  (:func:`realpolitik.draft.findings.grounding`); must be 100%, and the draft must pass the
  scenario validator (the script exits non-zero otherwise).

The texts are a development set: the rules were written while reading them, but their
gazetteer and cues are general lists (no name of these texts beyond what a general list
holds); texts of the same kind kept aside check that the figures carry over.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from realpolitik.draft import DraftError, draft_article
from realpolitik.draft.article import normalise, read_article
from realpolitik.draft.findings import Findings, grounding


def _shared() -> Path:
    env = os.environ.get("REALPOLITIK_SHARED")
    base = Path(env) if env else Path(__file__).resolve().parents[2] / "shared"
    return base / "data" / "articles"


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    needle = normalise(needle)
    out, at = [], text.find(needle)
    while needle and at >= 0:
        out.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Score:
    drafted: int = 0
    drafted_ok: int = 0
    gold_actors: int = 0
    gold_found: int = 0
    leaders: int = 0
    leaders_ok: int = 0
    gold_issues: int = 0
    issues_found: int = 0
    gold_stances: int = 0
    compared: int = 0
    agree: int = 0
    quotes: int = 0
    grounded: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, o: Score) -> None:
        for k, v in vars(o).items():
            if isinstance(v, int):
                setattr(self, k, getattr(self, k) + v)


def score(findings: Findings, gold: dict) -> Score:
    art = findings.article
    text = art.text
    sc = Score()
    # actors
    gold_spans = {
        g["id"]: [sp for m in g.get("mentions", []) for sp in _spans(text, m)]
        for g in gold["actors"]
    }
    match: dict[str, set[str]] = {}  # drafted id -> gold ids
    for a in findings.actors:
        hits = {
            gid
            for gid, spans in gold_spans.items()
            if any(_overlap((m.start, m.end), sp) for m in a.mentions for sp in spans)
        }
        hits |= {g["id"] for g in gold["actors"] if g["id"] == a.id}
        match[a.id] = hits
    sc.drafted = len(findings.actors)
    sc.drafted_ok = sum(1 for h in match.values() if h)
    found = set().union(*match.values()) if match else set()
    sc.gold_actors = len(gold["actors"])
    sc.gold_found = len(found)
    for g in gold["actors"]:
        if g["kind"] != "leader" or not g.get("state"):
            continue
        drafted = [a for a in findings.actors if a.kind == "leader" and g["id"] in match[a.id]]
        if drafted:
            sc.leaders += 1
            sc.leaders_ok += drafted[0].state == g["state"]
    # issues
    sentence_span = {s.index: (s.start, s.end) for s in art.sentences}
    recalls: dict[str, set[str]] = {}  # gold issue -> drafted issues
    for gi in gold["issues"]:
        ev = [gi["evidence"]] + [s["evidence"] for s in gold["stances"] if s["issue"] == gi["id"]]
        spans = [sp for e in ev for sp in _spans(text, e)]
        recalls[gi["id"]] = {
            di.id
            for di in findings.issues
            if any(_overlap(sentence_span[k], sp) for k in di.evidence for sp in spans)
        }
    sc.gold_issues = len(gold["issues"])
    sc.issues_found = sum(1 for v in recalls.values() if v)
    # stances
    speaks = {a.id: a.speaks_for for a in findings.actors}
    sc.gold_stances = len(gold["stances"])
    for gs in gold["stances"]:
        issues = recalls.get(gs["issue"], set())
        holders = {aid for aid, gids in match.items() if gs["actor"] in gids}
        if not issues or not holders:
            continue
        holders |= {aid for aid, to in speaks.items() if to in holders}
        mine = [s for s in findings.stances if s.actor in holders and s.issue in issues]
        if not mine:
            continue
        sc.compared += 1
        sc.agree += any(s.position == gs["position"] for s in mine[:1])
    checked, failures = grounding(findings)
    sc.quotes = checked
    sc.grounded = checked - len(failures)
    sc.notes += failures
    return sc


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    -"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=None, help="folder of NAME.txt + NAME.gold.yaml")
    ap.add_argument("--llm-url", help="score a local model (OpenAI-compatible server) instead")
    ap.add_argument("--llm-model", help="the model the server should use")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per text for the model")
    args = ap.parse_args(argv)
    extractor = None
    if args.llm_url:
        from realpolitik.draft.llm import extractor_from

        extractor = extractor_from(
            llm_url=args.llm_url, llm_model=args.llm_model, timeout=args.timeout
        )
    folder = args.dir or _shared()
    golds = sorted(folder.glob("*.gold.yaml"))
    if not golds:
        print(f"no gold codings (*.gold.yaml) in {folder}", file=sys.stderr)
        return 2
    head = (
        f"{'text':<28} {'act P':>6} {'act R':>6} {'leader':>7} {'issue R':>7} "
        f"{'st.found':>8} {'st.agree':>8} {'ground':>7}"
    )
    print(head)
    total = Score()
    bad = 0
    for g in golds:
        gold = yaml.safe_load(g.read_text(encoding="utf-8"))
        txt = g.with_name(g.name.replace(".gold.yaml", ".txt"))
        art = read_article(txt, when=dt.date.fromisoformat(str(gold["date"])))
        try:
            d = draft_article(art, extractor)
        except DraftError as exc:
            print(f"{txt.stem[:28]:<28} no draft: {exc}"[:200])
            bad += 1
            continue
        sc = score(d.findings, gold)
        total.add(sc)
        bad += sc.grounded != sc.quotes
        print(
            f"{txt.stem[:28]:<28} {_pct(sc.drafted_ok, sc.drafted):>6} "
            f"{_pct(sc.gold_found, sc.gold_actors):>6} "
            f"{f'{sc.leaders_ok}/{sc.leaders}':>7} "
            f"{_pct(sc.issues_found, sc.gold_issues):>7} "
            f"{_pct(sc.compared, sc.gold_stances):>8} {_pct(sc.agree, sc.compared):>8} "
            f"{_pct(sc.grounded, sc.quotes):>7}"
        )
    t = total
    print(
        f"{'overall':<28} {_pct(t.drafted_ok, t.drafted):>6} "
        f"{_pct(t.gold_found, t.gold_actors):>6} "
        f"{f'{t.leaders_ok}/{t.leaders}':>7} {_pct(t.issues_found, t.gold_issues):>7} "
        f"{_pct(t.compared, t.gold_stances):>8} {_pct(t.agree, t.compared):>8} "
        f"{_pct(t.grounded, t.quotes):>7}"
    )
    print(
        f"({len(golds)} texts; {t.drafted} actors drafted, {t.gold_actors} gold; "
        f"{t.gold_issues} gold issues;\n {t.gold_stances} gold stances, {t.compared} compared; "
        f"{t.quotes} quotes and mentions checked)"
    )
    if bad:
        print(f"{bad} text(s) not drafted or not fully grounded", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
