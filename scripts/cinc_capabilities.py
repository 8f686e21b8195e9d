"""Recompute the actors' capabilities of the built-in scenario ``caucasus-2022``.

Capabilities are the Composite Index of National Capability (CINC) of the Correlates of War
National Material Capabilities data, version 6.0, for the latest year in the file (2016);
version 6.0 was the latest release available in February 2022, the scenario's date.

* a state: its own CINC in 2016, looked up by COW country code (not ISO: Georgia is GRG 372,
  Kazakhstan KZK 705), the abbreviation checked against the file;
* the EU: the sum of the CINCs of its 27 member states as of February 2022 (the United
  Kingdom left in 2020 and is not counted);
* a non-state actor: a share of its parent state's CINC, either by population (the actor's
  population over the parent's 2016 population in the same file) or by a stated share (the
  opposition's vote share). The figures and where they come from are in ``SCALED`` below.

Every value is rounded to ``SIGNIFICANT`` significant figures and written in the scenario
file as printed here. Usage, from the repository root::

    python scripts/cinc_capabilities.py [path/to/NMC-60-abridged.csv]

The default path is ``../shared/data/capabilities/NMC-60-abridged.csv`` relative to the
repository root. Only the standard library is used.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

__all__ = [
    "DEFAULT_PATH",
    "EU_MEMBERS",
    "SCALED",
    "SIGNIFICANT",
    "STATES",
    "YEAR",
    "capabilities",
    "main",
    "rounded",
]

YEAR = 2016
SIGNIFICANT = 4
DEFAULT_PATH = (
    Path(__file__).resolve().parents[1].parent / "shared/data/capabilities/NMC-60-abridged.csv"
)

# actor id -> (COW abbreviation, COW country code)
STATES: dict[str, tuple[str, int]] = {
    "russia": ("RUS", 365),
    "azerbaijan": ("AZE", 373),
    "armenia": ("ARM", 371),
    "turkey": ("TUR", 640),
    "ukraine": ("UKR", 369),
    "united-states": ("USA", 2),
    "iran": ("IRN", 630),
    "georgia": ("GRG", 372),
    "belarus": ("BLR", 370),
    "kazakhstan": ("KZK", 705),
}

# The 27 member states of the European Union in February 2022: (COW abbreviation, code, name).
EU_MEMBERS: tuple[tuple[str, int, str], ...] = (
    ("AUS", 305, "Austria"),
    ("BEL", 211, "Belgium"),
    ("BUL", 355, "Bulgaria"),
    ("CRO", 344, "Croatia"),
    ("CYP", 352, "Cyprus"),
    ("CZR", 316, "Czechia"),
    ("DEN", 390, "Denmark"),
    ("EST", 366, "Estonia"),
    ("FIN", 375, "Finland"),
    ("FRN", 220, "France"),
    ("GMY", 255, "Germany"),
    ("GRC", 350, "Greece"),
    ("HUN", 310, "Hungary"),
    ("IRE", 205, "Ireland"),
    ("ITA", 325, "Italy"),
    ("LAT", 367, "Latvia"),
    ("LIT", 368, "Lithuania"),
    ("LUX", 212, "Luxembourg"),
    ("MLT", 338, "Malta"),
    ("NTH", 210, "Netherlands"),
    ("POL", 290, "Poland"),
    ("POR", 235, "Portugal"),
    ("ROM", 360, "Romania"),
    ("SLO", 317, "Slovakia"),
    ("SLV", 349, "Slovenia"),
    ("SPN", 230, "Spain"),
    ("SWD", 380, "Sweden"),
)


@dataclass(frozen=True)
class Scaled:
    """A non-state actor's capability as a share of a state actor's CINC.

    ``population`` (thousands) gives the share ``population / parent's tpop in YEAR``;
    otherwise ``share`` is used as given.
    """

    parent: str
    basis: str
    population: float | None = None
    share: float | None = None


SCALED: dict[str, Scaled] = {
    "karabakh-authorities": Scaled(
        parent="armenia",
        population=120.0,
        basis="about 120,000 inhabitants of the Armenian-run enclave (the de facto "
        "authorities' estimate of March 2021); Armenia's per-capita CINC, since the enclave's "
        "army and budget were largely Armenia's",
    ),
    "dpr-lpr-authorities": Scaled(
        parent="ukraine",
        population=2250.0,
        basis="2.25 million, the midpoint of the 2-2.5 million independent estimate of the "
        "population of the separatist-held areas (PISM, 'Donbas: Mired in Crises', 19 Nov 2020)",
    ),
    "armenian-opposition": Scaled(
        parent="armenia",
        share=0.2631,
        basis="the opposition blocs' vote share in the 20 June 2021 election: Armenia "
        "Alliance 21.09% + I Have Honor 5.22% (final results of the Central Electoral "
        "Commission, 27 June 2021)",
    ),
}


def rounded(value: float, significant: int = SIGNIFICANT) -> float:
    """``value`` rounded to ``significant`` significant figures (as printed and as in the YAML)."""
    return float(f"{value:.{significant}g}")


def _plain(value: float) -> str:
    """A rounded value in plain decimal notation, as written in the YAML (never ``1e-05``)."""
    return format(Decimal(f"{value:.{SIGNIFICANT}g}"), "f")


def _read_year(path: Path, year: int) -> dict[int, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = {int(r["ccode"]): r for r in csv.DictReader(handle) if int(r["year"]) == year}
    if not rows:
        raise ValueError(f"{path}: no rows for year {year}")
    return rows


def _row(rows: dict[int, dict[str, str]], abb: str, ccode: int, path: Path) -> dict[str, str]:
    try:
        row = rows[ccode]
    except KeyError:
        raise KeyError(f"{path}: no row for ccode {ccode} ({abb}) in {YEAR}") from None
    if row["stateabb"] != abb:
        raise ValueError(
            f"{path}: ccode {ccode} is {row['stateabb']!r} in the file, expected {abb!r}"
        )
    return row


def capabilities(path: str | Path = DEFAULT_PATH) -> dict[str, float]:
    """Unrounded capability of every actor whose capability comes from the COW file.

    Keys are the scenario's actor ids: the states, ``"eu"`` and the non-state actors of
    :data:`SCALED`. Round with :func:`rounded` to compare with the scenario file.
    """
    path = Path(path)
    rows = _read_year(path, YEAR)
    out: dict[str, float] = {}
    tpop: dict[str, float] = {}
    for actor, (abb, ccode) in STATES.items():
        row = _row(rows, abb, ccode, path)
        out[actor] = float(row["cinc"])
        tpop[actor] = float(row["tpop"])
    out["eu"] = sum(float(_row(rows, abb, code, path)["cinc"]) for abb, code, _ in EU_MEMBERS)
    for actor, rule in SCALED.items():
        share = rule.share if rule.population is None else rule.population / tpop[rule.parent]
        if share is None:
            raise ValueError(f"{actor}: give a population or a share")
        out[actor] = out[rule.parent] * share
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    if not path.is_file():
        print(f"error: {path} not found (pass the path to NMC-60-abridged.csv)", file=sys.stderr)
        return 2
    caps = capabilities(path)
    print(f"COW NMC v6.0, CINC {YEAR}, {SIGNIFICANT} significant figures ({path})")
    print(f"{'actor':<22} {'COW':<5} {'ccode':>5}  {'CINC (file)':>14}  capability")
    for actor, (abb, ccode) in STATES.items():
        print(f"{actor:<22} {abb:<5} {ccode:>5}  {caps[actor]:>14.10f}  {_plain(caps[actor])}")
    members = ", ".join(f"{abb} {code}" for abb, code, _ in EU_MEMBERS)
    print(f"{'eu':<22} {'sum':<5} {'':>5}  {caps['eu']:>14.10f}  {_plain(caps['eu'])}")
    print(f"  EU-27 (Feb 2022): {members}")
    for actor, rule in SCALED.items():
        print(f"{actor:<22} {'est.':<5} {'':>5}  {caps[actor]:>14.10f}  {_plain(caps[actor])}")
        print(f"  = {rule.parent} x share; {rule.basis}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
