"""Regenerate the data that ``realpolitik capability`` ships (src/realpolitik/scenario/
capability/): the CINC of every state in recent years, and the coordinates of the capitals.

``cinc.csv``
    From the Correlates of War National Material Capabilities v6.0 abridged file
    (NMC-60-abridged.csv): ``ccode,stateabb,year,cinc`` for every state-year from
    ``--since`` (default 1990) to the end of the file (2016), the CINC written as in the
    file. Citation: Singer, Bremer & Stuckey (1972); Greig & Enterline (2017), NMC v6.0.
    Terms: free for public and academic use with citation (the COW project's terms).

``capitals.csv``
    ``ccode,stateabb,capital,lat,lon,source`` for the states of the CINC file's last year:
    the coordinates of the capital's point in Natural Earth's 1:110m populated places
    (version 2.0.0, public domain), as the geopandas 0.14.4 wheel ships it in
    ``geopandas/datasets/naturalearth_cities``. Which city is each state's capital is
    :data:`CAPITALS` below (this project's table; where a state has more than one capital
    the seat of government is taken and the note says so). A state whose capital is not
    among Natural Earth's 1:110m places is listed at the end of the run and left out.

Usage, from the repository root, with pyshp installed in any Python (not needed by the
project)::

    pip download geopandas==0.14.4 --no-deps -d /tmp/ne && unzip -o /tmp/ne/*.whl \
        'geopandas/datasets/naturalearth_cities/*' -d /tmp/ne
    python scripts/capability_data.py [--nmc PATH] \
        --cities /tmp/ne/geopandas/datasets/naturalearth_cities/naturalearth_cities

The default ``--nmc`` is ``../shared/data/capabilities/NMC-60-abridged.csv`` relative to the
repository root. Without ``--cities`` only ``cinc.csv`` is written.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

__all__ = ["CAPITALS", "NE_SOURCE", "capitals_rows", "cinc_rows", "main"]

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "realpolitik" / "scenario" / "capability"
DEFAULT_NMC = ROOT.parent / "shared" / "data" / "capabilities" / "NMC-60-abridged.csv"
NE_SOURCE = "Natural Earth 1:110m populated places v2.0.0 (public domain)"

#: COW abbreviation -> (the capital's name as written here, its name in Natural Earth's
#: 1:110m places, a note or ""). States of 2016; where two cities share the role, the seat
#: of government.
CAPITALS: dict[str, tuple[str, str, str]] = {
    "USA": ("Washington, D.C.", "Washington,  D.C.", ""),
    "CAN": ("Ottawa", "Ottawa", ""),
    "BHM": ("Nassau", "Nassau", ""),
    "CUB": ("Havana", "Havana", ""),
    "HAI": ("Port-au-Prince", "Port-au-Prince", ""),
    "DOM": ("Santo Domingo", "Santo Domingo", ""),
    "JAM": ("Kingston", "Kingston", ""),
    "TRI": ("Port of Spain", "Port-of-Spain", ""),
    "BAR": ("Bridgetown", "Bridgetown", ""),
    "DMA": ("Roseau", "Roseau", ""),
    "GRN": ("Saint George's", "Saint George's", ""),
    "SLU": ("Castries", "Castries", ""),
    "SVG": ("Kingstown", "Kingstown", ""),
    "AAB": ("Saint John's", "Saint John's", ""),
    "SKN": ("Basseterre", "Basseterre", ""),
    "MEX": ("Mexico City", "Mexico City", ""),
    "BLZ": ("Belmopan", "Belmopan", ""),
    "GUA": ("Guatemala City", "Guatemala City", ""),
    "HON": ("Tegucigalpa", "Tegucigalpa", ""),
    "SAL": ("San Salvador", "San Salvador", ""),
    "NIC": ("Managua", "Managua", ""),
    "COS": ("San José", "San José", ""),
    "PAN": ("Panama City", "Panama City", ""),
    "COL": ("Bogotá", "Bogota", ""),
    "VEN": ("Caracas", "Caracas", ""),
    "GUY": ("Georgetown", "Georgetown", ""),
    "SUR": ("Paramaribo", "Paramaribo", ""),
    "ECU": ("Quito", "Quito", ""),
    "PER": ("Lima", "Lima", ""),
    "BRA": ("Brasília", "Brasília", ""),
    "BOL": ("La Paz", "La Paz", "seat of government; Sucre is the constitutional capital"),
    "PAR": ("Asunción", "Asunción", ""),
    "CHL": ("Santiago", "Santiago", ""),
    "ARG": ("Buenos Aires", "Buenos Aires", ""),
    "URU": ("Montevideo", "Montevideo", ""),
    "UKG": ("London", "London", ""),
    "IRE": ("Dublin", "Dublin", ""),
    "NTH": ("Amsterdam", "Amsterdam", "the capital; the seat of government is The Hague"),
    "BEL": ("Brussels", "Brussels", ""),
    "LUX": ("Luxembourg", "Luxembourg", ""),
    "FRN": ("Paris", "Paris", ""),
    "MNC": ("Monaco", "Monaco", ""),
    "LIE": ("Vaduz", "Vaduz", ""),
    "SWZ": ("Bern", "Bern", ""),
    "SPN": ("Madrid", "Madrid", ""),
    "AND": ("Andorra la Vella", "Andorra", ""),
    "POR": ("Lisbon", "Lisbon", ""),
    "GMY": ("Berlin", "Berlin", ""),
    "POL": ("Warsaw", "Warsaw", ""),
    "AUS": ("Vienna", "Vienna", ""),
    "HUN": ("Budapest", "Budapest", ""),
    "CZR": ("Prague", "Prague", ""),
    "SLO": ("Bratislava", "Bratislava", ""),
    "ITA": ("Rome", "Rome", ""),
    "SNM": ("San Marino", "San Marino", ""),
    "MLT": ("Valletta", "Valletta", ""),
    "ALB": ("Tirana", "Tirana", ""),
    "MNG": ("Podgorica", "Podgorica", ""),
    "MAC": ("Skopje", "Skopje", ""),
    "CRO": ("Zagreb", "Zagreb", ""),
    "YUG": ("Belgrade", "Belgrade", "Serbia (COW's YUG, 345)"),
    "BOS": ("Sarajevo", "Sarajevo", ""),
    "KOS": ("Pristina", "Pristina", ""),
    "SLV": ("Ljubljana", "Ljubljana", ""),
    "GRC": ("Athens", "Athens", ""),
    "CYP": ("Nicosia", "Nicosia", ""),
    "BUL": ("Sofia", "Sofia", ""),
    "MLD": ("Chișinău", "Chi?in?u", "Natural Earth's file spells it 'Chi?in?u'"),
    "ROM": ("Bucharest", "Bucharest", ""),
    "RUS": ("Moscow", "Moscow", ""),
    "EST": ("Tallinn", "Tallinn", ""),
    "LAT": ("Riga", "Riga", ""),
    "LIT": ("Vilnius", "Vilnius", ""),
    "UKR": ("Kyiv", "Kyiv", ""),
    "BLR": ("Minsk", "Minsk", ""),
    "ARM": ("Yerevan", "Yerevan", ""),
    "GRG": ("Tbilisi", "Tbilisi", ""),
    "AZE": ("Baku", "Baku", ""),
    "FIN": ("Helsinki", "Helsinki", ""),
    "SWD": ("Stockholm", "Stockholm", ""),
    "NOR": ("Oslo", "Oslo", ""),
    "DEN": ("Copenhagen", "København", ""),
    "ICE": ("Reykjavík", "Reykjavík", ""),
    "CAP": ("Praia", "Praia", ""),
    "STP": ("São Tomé", "São Tomé", ""),
    "GNB": ("Bissau", "Bissau", ""),
    "EQG": ("Malabo", "Malabo", ""),
    "GAM": ("Banjul", "Banjul", ""),
    "MLI": ("Bamako", "Bamako", ""),
    "SEN": ("Dakar", "Dakar", ""),
    "BEN": ("Porto-Novo", "Porto-Novo", "the capital; the seat of government is Cotonou"),
    "MAA": ("Nouakchott", "Nouakchott", ""),
    "NIR": ("Niamey", "Niamey", ""),
    "CDI": ("Yamoussoukro", "Yamoussoukro", "the capital; most ministries are in Abidjan"),
    "GUI": ("Conakry", "Conakry", ""),
    "BFO": ("Ouagadougou", "Ouagadougou", ""),
    "LBR": ("Monrovia", "Monrovia", ""),
    "SIE": ("Freetown", "Freetown", ""),
    "GHA": ("Accra", "Accra", ""),
    "TOG": ("Lomé", "Lomé", ""),
    "CAO": ("Yaoundé", "Yaoundé", ""),
    "NIG": ("Abuja", "Abuja", ""),
    "GAB": ("Libreville", "Libreville", ""),
    "CEN": ("Bangui", "Bangui", ""),
    "CHA": ("N'Djamena", "N'Djamena", ""),
    "CON": ("Brazzaville", "Brazzaville", ""),
    "DRC": ("Kinshasa", "Kinshasa", ""),
    "UGA": ("Kampala", "Kampala", ""),
    "KEN": ("Nairobi", "Nairobi", ""),
    "TAZ": ("Dodoma", "Dodoma", "the capital; much of government sits in Dar es Salaam"),
    "BUI": ("Bujumbura", "Bujumbura", "the capital until Gitega became it (2019)"),
    "RWA": ("Kigali", "Kigali", ""),
    "SOM": ("Mogadishu", "Mogadishu", ""),
    "DJI": ("Djibouti", "Djibouti", ""),
    "ETH": ("Addis Ababa", "Addis Ababa", ""),
    "ERI": ("Asmara", "Asmara", ""),
    "ANG": ("Luanda", "Luanda", ""),
    "MZM": ("Maputo", "Maputo", ""),
    "ZAM": ("Lusaka", "Lusaka", ""),
    "ZIM": ("Harare", "Harare", ""),
    "MAW": ("Lilongwe", "Lilongwe", ""),
    "SAF": ("Pretoria", "Pretoria", "the executive capital"),
    "NAM": ("Windhoek", "Windhoek", ""),
    "LES": ("Maseru", "Maseru", ""),
    "BOT": ("Gaborone", "Gaborone", ""),
    "SWA": ("Mbabane", "Mbabane", "the administrative capital; Lobamba the royal one"),
    "MAG": ("Antananarivo", "Antananarivo", ""),
    "COM": ("Moroni", "Moroni", ""),
    "MAS": ("Port Louis", "Port Louis", ""),
    "SEY": ("Victoria", "Victoria", ""),
    "MOR": ("Rabat", "Rabat", ""),
    "ALG": ("Algiers", "Algiers", ""),
    "TUN": ("Tunis", "Tunis", ""),
    "LIB": ("Tripoli", "Tripoli", ""),
    "SUD": ("Khartoum", "Khartoum", ""),
    "SSD": ("Juba", "Juba", ""),
    "IRN": ("Tehran", "Tehran", ""),
    "TUR": ("Ankara", "Ankara", ""),
    "IRQ": ("Baghdad", "Baghdad", ""),
    "EGY": ("Cairo", "Cairo", ""),
    "SYR": ("Damascus", "Damascus", ""),
    "LEB": ("Beirut", "Beirut", ""),
    "JOR": ("Amman", "Amman", ""),
    "ISR": ("Jerusalem", "Jerusalem", "the seat of government; Tel Aviv is 54 km away"),
    "SAU": ("Riyadh", "Riyadh", ""),
    "YEM": ("Sanaa", "Sanaa", ""),
    "KUW": ("Kuwait City", "Kuwait City", ""),
    "BAH": ("Manama", "Manama", ""),
    "QAT": ("Doha", "Doha", ""),
    "UAE": ("Abu Dhabi", "Abu Dhabi", ""),
    "OMA": ("Muscat", "Muscat", ""),
    "AFG": ("Kabul", "Kabul", ""),
    "TKM": ("Ashgabat", "Ashgabat", ""),
    "TAJ": ("Dushanbe", "Dushanbe", ""),
    "KYR": ("Bishkek", "Bishkek", ""),
    "UZB": ("Tashkent", "Tashkent", ""),
    "KZK": ("Astana", "Nur-Sultan", "named Nur-Sultan from 2019 to 2022"),
    "CHN": ("Beijing", "Beijing", ""),
    "MON": ("Ulaanbaatar", "Ulaanbaatar", ""),
    "TAW": ("Taipei", "Taipei", ""),
    "PRK": ("Pyongyang", "Pyongyang", ""),
    "ROK": ("Seoul", "Seoul", ""),
    "JPN": ("Tokyo", "Tokyo", ""),
    "IND": ("New Delhi", "New Delhi", ""),
    "BHU": ("Thimphu", "Thimphu", ""),
    "PAK": ("Islamabad", "Islamabad", ""),
    "BNG": ("Dhaka", "Dhaka", ""),
    "MYA": ("Naypyidaw", "Naypyidaw", ""),
    "SRI": ("Sri Jayawardenepura Kotte", "Sri Jayawardenepura Kotte", ""),
    "MAD": ("Malé", "Malé", ""),
    "NEP": ("Kathmandu", "Kathmandu", ""),
    "THI": ("Bangkok", "Bangkok", ""),
    "CAM": ("Phnom Penh", "Phnom Penh", ""),
    "LAO": ("Vientiane", "Vientiane", ""),
    "DRV": ("Hanoi", "Hanoi", ""),
    "MAL": ("Kuala Lumpur", "Kuala Lumpur", "the capital; the seat of government is Putrajaya"),
    "SIN": ("Singapore", "Singapore", ""),
    "BRU": ("Bandar Seri Begawan", "Bandar Seri Begawan", ""),
    "PHI": ("Manila", "Manila", ""),
    "INS": ("Jakarta", "Jakarta", ""),
    "ETM": ("Dili", "Dili", ""),
    "AUL": ("Canberra", "Canberra", ""),
    "PNG": ("Port Moresby", "Port Moresby", ""),
    "NEW": ("Wellington", "Wellington", ""),
    "VAN": ("Port Vila", "Port Vila", ""),
    "SOL": ("Honiara", "Honiara", ""),
    "KIR": ("Tarawa", "Tarawa", ""),
    "TUV": ("Funafuti", "Funafuti", ""),
    "FIJ": ("Suva", "Suva", ""),
    "TON": ("Nuku'alofa", "Nuku'alofa", ""),
    "NAU": ("Yaren", "Yaren", ""),
    "MSI": ("Majuro", "Majuro", ""),
    "PAL": ("Melekeok", "Melekeok", "Natural Earth's point; the capital is Ngerulmud there"),
    "FSM": ("Palikir", "Palikir", ""),
    "WSM": ("Apia", "Apia", ""),
}


def _read_nmc(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cinc_rows(nmc: list[dict[str, str]], since: int) -> list[tuple[int, str, int, str]]:
    """(ccode, stateabb, year, cinc as written) for every row from ``since`` on."""
    out = []
    for r in nmc:
        year = int(r["year"])
        if year >= since:
            float(r["cinc"])  # a number, or the file is not what it should be
            out.append((int(r["ccode"]), r["stateabb"], year, r["cinc"]))
    return sorted(out, key=lambda t: (t[0], t[2]))


def _ne_places(path: Path) -> dict[str, tuple[float, float]]:
    import shapefile  # pyshp: only this script needs it

    reader = shapefile.Reader(str(path))
    places: dict[str, tuple[float, float]] = {}
    for rec in reader.iterShapeRecords():
        lon, lat = rec.shape.points[0]
        places[rec.record[0]] = (lat, lon)
    return places


def capitals_rows(
    nmc: list[dict[str, str]], places: dict[str, tuple[float, float]]
) -> tuple[list[tuple[int, str, str, float, float, str]], list[str]]:
    """The capitals of the states of the file's last year, and the states left out."""
    last = max(int(r["year"]) for r in nmc)
    states = sorted({(int(r["ccode"]), r["stateabb"]) for r in nmc if int(r["year"]) == last})
    rows, missing = [], []
    for ccode, abb in states:
        if abb not in CAPITALS:
            missing.append(f"{abb} {ccode}: no capital in CAPITALS")
            continue
        name, ne_name, note = CAPITALS[abb]
        if ne_name not in places:
            missing.append(f"{abb} {ccode}: {name} is not among Natural Earth's 1:110m places")
            continue
        lat, lon = places[ne_name]
        source = NE_SOURCE + (f"; {note}" if note else "")
        rows.append((ccode, abb, name, round(lat, 4), round(lon, 4), source))
    return rows, missing


def _write(path: Path, header: list[str], rows: list[tuple[object, ...]], comment: str) -> None:
    buf = io.StringIO()
    for line in comment.strip().splitlines():
        buf.write(f"# {line}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


CINC_COMMENT = """
CINC (composite index of national capability) by COW state code and year, {since}-{last}.
Correlates of War National Material Capabilities v6.0 (abridged file NMC-60-abridged.csv).
Cite: Singer, J. David, Stuart Bremer & John Stuckey (1972), "Capability Distribution,
Uncertainty, and Major Power War, 1820-1965", in B. Russett (ed.), Peace, War, and Numbers,
19-48; Greig, J. Michael & Andrew J. Enterline (2017), Correlates of War Project National
Material Capabilities Data Documentation, Version 6.0. Terms: free for public and academic
use with citation. Written by scripts/capability_data.py; do not edit by hand.
"""

CAPITALS_COMMENT = """
Capitals of the COW states of {last}: coordinates (degrees, WGS84) of the capital's point in
Natural Earth's 1:110m populated places v2.0.0 (public domain; naturalearthdata.com), as the
geopandas 0.14.4 wheel ships it (datasets/naturalearth_cities). Which city is a state's
capital: scripts/capability_data.py (CAPITALS). Written by that script; do not edit by hand.
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nmc", type=Path, default=DEFAULT_NMC, help="NMC-60-abridged.csv")
    p.add_argument("--cities", type=Path, help="Natural Earth's naturalearth_cities (no .shp)")
    p.add_argument("--since", type=int, default=1990, help="first year of cinc.csv")
    p.add_argument("--out", type=Path, default=OUT, help="the folder to write into")
    args = p.parse_args(argv)
    if not args.nmc.is_file():
        print(f"error: {args.nmc} not found (pass --nmc NMC-60-abridged.csv)", file=sys.stderr)
        return 2
    nmc = _read_nmc(args.nmc)
    last = max(int(r["year"]) for r in nmc)
    rows = cinc_rows(nmc, args.since)
    _write(
        args.out / "cinc.csv",
        ["ccode", "stateabb", "year", "cinc"],
        rows,  # type: ignore[arg-type]
        CINC_COMMENT.format(since=args.since, last=last),
    )
    print(f"wrote {args.out / 'cinc.csv'}: {len(rows)} state-years, {args.since}-{last}")
    if args.cities is None:
        return 0
    caps, missing = capitals_rows(nmc, _ne_places(args.cities))
    _write(
        args.out / "capitals.csv",
        ["ccode", "stateabb", "capital", "lat", "lon", "source"],
        caps,  # type: ignore[arg-type]
        CAPITALS_COMMENT.format(last=last),
    )
    print(f"wrote {args.out / 'capitals.csv'}: {len(caps)} capitals")
    for m in missing:
        print(f"  left out: {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
