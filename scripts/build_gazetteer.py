"""Build the gazetteer that ``realpolitik draft`` reads (src/realpolitik/draft/gazetteer.json).

The gazetteer names the actors a political text may mention: states (with their Correlates
of War code, names, demonyms, capital and metonyms such as "the Kremlin"), heads of state and
government with the dates of each term (so that a name resolves to its state as of a date),
international organisations, de facto states, armed groups (with the state they are within)
and disputed territories.

Two ways to build it:

* ``python scripts/build_gazetteer.py`` (the default, offline): compiles the hand-made lists
  in ``scripts/gazetteer/*.tsv`` (facts that Wikidata records, CC0, compiled by hand because
  this machine cannot reach Wikidata), checks every COW code against the Correlates of War
  state list of NMC v6.0 when that file is at hand (``--nmc PATH``; default
  ``../shared/data/capabilities/NMC-60-abridged.csv``), and checks every ISO 3166-1 code
  against ``pycountry`` when it is installed (it is not a dependency). Writes the JSON.
* ``python scripts/build_gazetteer.py --wikidata``: asks Wikidata's SPARQL endpoint for the
  heads of state (P35) and of government (P6) of every sovereign state since 1990, with the
  dates of their terms, and for every sovereign state's names, demonyms (P1549) and capital
  (P36), and writes them to ``scripts/gazetteer/leaders-wikidata.tsv`` and
  ``states-wikidata.tsv`` in the columns of ``leaders.tsv`` and ``states.tsv``, for an
  analyst to review and merge (by hand: the endpoint's answers need a look before they
  replace a checked list), then build as above. Needs the network; not run on the machine
  that built the shipped file, which could not reach Wikidata.

Only the standard library is used. Run from the repository root.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "scripts" / "gazetteer"
OUT = ROOT / "src" / "realpolitik" / "draft" / "gazetteer.json"
NMC = ROOT.parent / "shared" / "data" / "capabilities" / "NMC-60-abridged.csv"
SPARQL = "https://query.wikidata.org/sparql"

ABOUT = (
    "The gazetteer of realpolitik draft, built by scripts/build_gazetteer.py from "
    "scripts/gazetteer/*.tsv. Names, demonyms, capitals, offices and their dates are facts "
    "that Wikidata records (CC0: P1549 demonym, P36 capital, P298 ISO code, P35 head of "
    "state, P6 head of government, with P580/P582 dates), compiled by hand without access "
    "to Wikidata; COW codes are those of the Correlates of War state list (checked against "
    "NMC v6.0 when built with it); ISO 3166-1 codes checked against pycountry when "
    "installed. A general list: all UN member states, common de facto states, major "
    "international organisations and armed groups, and leaders of many states since about "
    "2000. Rebuild with --wikidata to refresh the leaders."
)


def _rows(name: str) -> list[dict[str, str]]:
    path = SOURCES / name
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for n, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise SystemExit(f"{path}: row {n} has the wrong number of columns: {row}")
        rows.append({k: v.strip() for k, v in row.items()})
    return rows


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _day(value: str, where: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise SystemExit(f"{where}: {value!r} is not a date YYYY-MM-DD") from None


def _cow_states(nmc: Path) -> dict[str, int] | None:
    if not nmc.is_file():
        return None
    with nmc.open(encoding="utf-8") as fh:
        return {r["stateabb"]: int(r["ccode"]) for r in csv.DictReader(fh)}


def _iso_codes() -> set[str] | None:
    try:
        import pycountry  # type: ignore[import-not-found]
    except ImportError:
        return None
    return {c.alpha_3 for c in pycountry.countries}


def build(nmc: Path = NMC) -> dict[str, object]:
    cow = _cow_states(nmc)
    iso = _iso_codes()
    checks = []
    states = []
    for row in _rows("states.tsv"):
        code, ccode = row["cow"], row["ccode"]
        key = code or row["iso3"]
        if cow is not None and code and cow.get(code) != int(ccode):
            raise SystemExit(f"states.tsv: {code} {ccode} is not a state of the COW list")
        if iso is not None and row["iso3"] and row["iso3"] not in iso:
            raise SystemExit(f"states.tsv: {row['iso3']} is not an ISO 3166-1 alpha-3 code")
        states.append(
            {
                "id": key,
                "cow": code or None,
                "ccode": int(ccode) if ccode else None,
                "iso3": row["iso3"] or None,
                "name": row["name"],
                "aliases": _split(row["aliases"]),
                "demonyms": _split(row["demonyms"]),
                "capital": row["capital"] or None,
                "metonyms": _split(row["metonyms"]),
            }
        )
    if cow is not None:
        checks.append(f"COW codes checked against {nmc.name}")
    if iso is not None:
        checks.append("ISO codes checked against pycountry")
    keys = {s["id"] for s in states}
    others = []
    for row in _rows("others.tsv"):
        parents = row["parent"].split()
        for p in parents:
            if p not in keys:
                raise SystemExit(f"others.tsv: {row['id']}: parent {p} is not a state")
        entry: dict[str, object] = {
            "id": row["id"],
            "kind": row["kind"],
            "name": row["name"],
            "aliases": _split(row["aliases"]),
            "parents": parents,
        }
        if row["note"].startswith("de-facto-state from "):
            entry["de_facto_from"] = _day(row["note"].split()[-1], row["id"])
        others.append(entry)
    ids = keys | {o["id"] for o in others}
    leaders = []
    for n, row in enumerate(_rows("leaders.tsv"), start=2):
        if row["of"] not in ids:
            raise SystemExit(f"leaders.tsv: row {n}: {row['of']} is not a state or group")
        leaders.append(
            {
                "name": row["name"],
                "aliases": _split(row["aliases"]),
                "of": row["of"],
                "office": row["office"],
                "start": _day(row["start"], f"leaders.tsv row {n}"),
                "end": _day(row["end"], f"leaders.tsv row {n}"),
            }
        )
    return {
        "about": ABOUT,
        "checks": checks,
        "states": states,
        "others": others,
        "leaders": leaders,
    }


_QUERY = """
SELECT ?iso ?personLabel ?role ?start ?end WHERE {
  ?state wdt:P31 wd:Q3624078; wdt:P298 ?iso.
  { ?state p:P35 ?st. BIND("head of state" AS ?role) }
  UNION { ?state p:P6 ?st. BIND("head of government" AS ?role) }
  ?st ps:P35|ps:P6 ?person; pq:P580 ?start.
  OPTIONAL { ?st pq:P582 ?end }
  FILTER(YEAR(?start) >= 1990 || !BOUND(?end) || YEAR(?end) >= 1990)
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
}
"""


_STATES_QUERY = """
SELECT ?iso ?stateLabel (GROUP_CONCAT(DISTINCT ?alias; SEPARATOR=";") AS ?aliases)
       (GROUP_CONCAT(DISTINCT ?demonym; SEPARATOR=";") AS ?demonyms) ?capitalLabel WHERE {
  ?state wdt:P31 wd:Q3624078; wdt:P298 ?iso.
  OPTIONAL { ?state skos:altLabel ?alias. FILTER(LANG(?alias) = "en") }
  OPTIONAL { ?state wdt:P1549 ?demonym. FILTER(LANG(?demonym) = "en") }
  OPTIONAL { ?state wdt:P36 ?capital }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
} GROUP BY ?iso ?stateLabel ?capitalLabel
"""


def _sparql(query: str) -> list[dict[str, dict[str, str]]]:
    url = SPARQL + "?" + urllib.parse.urlencode({"query": query, "format": "json"})
    req = urllib.request.Request(url, headers={"User-Agent": "realpolitik-gazetteer/1"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return list(json.load(resp)["results"]["bindings"])


def states_from_wikidata(out: Path) -> int:
    """Query the endpoint for every sovereign state's names, demonyms and capital and
    write them as rows of states.tsv's columns (COW codes from states.tsv by ISO code; the
    metonyms are left to the hand-made list); returns the number of rows."""
    known = {r["iso3"]: r for r in _rows("states.tsv") if r["iso3"]}
    rows = []
    for b in _sparql(_STATES_QUERY):
        iso = b["iso"]["value"]
        mine = known.get(iso, {"cow": "", "ccode": ""})
        rows.append(
            "\t".join(
                [
                    mine["cow"],
                    mine["ccode"],
                    iso,
                    b["stateLabel"]["value"],
                    b.get("aliases", {}).get("value", ""),
                    b.get("demonyms", {}).get("value", ""),
                    b.get("capitalLabel", {}).get("value", ""),
                    "",
                ]
            )
        )
    header = "cow\tccode\tiso3\tname\taliases\tdemonyms\tcapital\tmetonyms"
    out.write_text("\n".join([header, *sorted(rows)]) + "\n", encoding="utf-8")
    return len(rows)


def from_wikidata(out: Path) -> int:
    """Query the endpoint and write the leaders it gives as TSV rows (ISO codes mapped to
    COW codes through states.tsv); returns the number of rows."""
    to_cow = {r["iso3"]: (r["cow"] or r["iso3"]) for r in _rows("states.tsv") if r["iso3"]}
    data = {"results": {"bindings": _sparql(_QUERY)}}
    rows = []
    for b in data["results"]["bindings"]:
        iso = b["iso"]["value"]
        if iso not in to_cow:
            continue
        rows.append(
            "\t".join(
                [
                    b["personLabel"]["value"],
                    "",
                    to_cow[iso],
                    b["role"]["value"],
                    b["start"]["value"][:10],
                    b.get("end", {}).get("value", "")[:10],
                ]
            )
        )
    header = "name\taliases\tof\toffice\tstart\tend"
    out.write_text("\n".join([header, *sorted(rows)]) + "\n", encoding="utf-8")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nmc", type=Path, default=NMC, help="the COW NMC v6.0 CSV, to check codes")
    ap.add_argument("--output", "-o", type=Path, default=OUT)
    ap.add_argument("--wikidata", action="store_true", help="refresh leaders from Wikidata")
    args = ap.parse_args(argv)
    if args.wikidata:
        target = SOURCES / "leaders-wikidata.tsv"
        n = from_wikidata(target)
        print(f"wrote {target} ({n} terms); review and merge into leaders.tsv")
        target = SOURCES / "states-wikidata.tsv"
        n = states_from_wikidata(target)
        print(f"wrote {target} ({n} states); review and merge into states.tsv")
        return 0
    data = build(args.nmc)
    args.output.write_text(
        json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8"
    )
    print(
        f"wrote {args.output}: {len(data['states'])} states, "  # type: ignore[arg-type]
        f"{len(data['others'])} organisations, groups and territories, "  # type: ignore[arg-type]
        f"{len(data['leaders'])} terms of office; {'; '.join(data['checks']) or 'no checks'}"  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
