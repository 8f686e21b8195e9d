"""Capabilities from data (realpolitik.scenario.capability, ``realpolitik capability``):
the shipped CINC and capitals, the great-circle distance and both discounts against hand
computations (done with bc, to 20 digits), the writing into a scenario with sources, the
issues' loci in the file format, and the command line."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.errors import InputError, ScenarioError, UnknownNameError
from realpolitik.scenario import capability as cap
from realpolitik.scenario import dump_yaml, parse_yaml

ROOT = Path(__file__).parents[1]
NMC = ROOT.parent / "shared" / "data" / "capabilities" / "NMC-60-abridged.csv"
runner = CliRunner()


# ---------------------------------------------------------------------- data


def test_cinc_of_a_state_in_a_year_as_in_the_cow_file():
    c = cap.cinc("RUS", 2016)
    assert (c.state, c.ccode, c.data_year, c.value) == ("RUS", 365, 2016, 0.036472768)
    assert not c.carried
    assert cap.cinc(372, 2016) == cap.cinc("grg", 2016)  # Georgia is GRG 372 in COW


def test_a_year_after_the_data_uses_the_last_year_and_says_so():
    c = cap.cinc("AZE", 2022)
    assert (c.year, c.data_year, c.carried) == (2022, 2016, True)
    assert c.value == cap.cinc("AZE", 2016).value
    assert "the data end in 2016; 2022 asked for" in c.describe()


@pytest.mark.parametrize(
    ("state", "year", "error", "words"),
    [
        ("XXX", 2016, UnknownNameError, "COW abbreviation"),
        ("GEO", 2016, UnknownNameError, "not ISO"),
        ("9999", 2016, UnknownNameError, "no state with the COW code 9999"),
        ("RUS", 1989, InputError, r"before the shipped CINC table \(1990-2016\)"),
        ("SSD", 2005, UnknownNameError, "has no CINC in 2005"),  # South Sudan: from 2011
        ("RUS", 2016.0, InputError, "whole number"),
    ],
)
def test_bad_states_and_years_say_what_was_expected(state, year, error, words):
    with pytest.raises(error, match=words):
        cap.cinc(state, year)


def test_the_shipped_table_is_the_cow_file():
    if not NMC.is_file():
        pytest.skip(f"the COW NMC v6.0 file is not at {NMC}; the shipped table cannot be checked")
    with NMC.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if int(r["year"]) >= 1990]
    assert len(rows) == 5122
    for r in rows:
        c = cap.cinc(int(r["ccode"]), int(r["year"]))
        assert (c.state, c.value) == (r["stateabb"], float(r["cinc"]))


def _alive_2016(code: int) -> bool:
    try:
        cap.cinc(code, 2016)
    except UnknownNameError:
        return False
    return True


def test_every_state_of_2016_has_a_capital_but_nauru():
    from realpolitik.scenario.capability.tables import _codes

    by_abb, _ = _codes()
    missing = []
    for abb in (a for a, code in by_abb.items() if _alive_2016(code)):
        try:
            c = cap.capital(abb)
        except UnknownNameError:
            missing.append(abb)
            continue
        assert -90 <= c.lat <= 90 and -180 <= c.lon <= 180
        assert c.source.startswith(cap.CAPITALS_SOURCE)
    assert missing == ["NAU"]
    moscow = cap.capital("RUS")
    assert moscow.name == "Moscow" and round(moscow.lat, 1) == 55.8 and round(moscow.lon, 1) == 37.6
    assert cap.capital("KZK").name == "Astana"


# ------------------------------------------------------------------ distance


def test_great_circle_against_hand_computations():
    quarter = math.pi / 2 * cap.EARTH_RADIUS_KM  # 10007.557221017962 by bc
    assert cap.great_circle_km(0, 0, 0, 90) == pytest.approx(10007.557221017962, rel=1e-12)
    assert cap.great_circle_km(0, 0, 90, 0) == pytest.approx(quarter, rel=1e-12)
    assert cap.great_circle_km(0, 0, 0, 180) == pytest.approx(2 * quarter, rel=1e-12)
    assert cap.great_circle_km(10, 20, 10, 20) == 0
    # Moscow-Yerevan, by the spherical law of cosines (another formula): 1803.8058644 km
    assert cap.great_circle_km(55.7541, 37.6136, 40.1831, 44.5116) == pytest.approx(
        1803.8058643963, rel=1e-9
    )
    # symmetric, and across the date line
    assert cap.great_circle_km(0, 179, 0, -179) == pytest.approx(quarter / 45, rel=1e-9)


# ------------------------------------------------------------------ discounts


def test_bdm1981_against_hand_computations():
    bdm = cap.Bdm1981()  # 500 miles a day
    # at the capital: 0.01 ** log10(10 - e) = 0.01 ** 0.86223386617809972742
    assert bdm.exponent(0) == pytest.approx(0.86223386617809972742, rel=1e-12)
    assert bdm.apply(0.01, 0) == pytest.approx(0.01885959089151034422, rel=1e-12)
    # 1,000 miles: exponent log10(2 + 10 - e) = 0.96762837744189917884
    km = 1000 * cap.KM_PER_MILE
    assert bdm.exponent(km) == pytest.approx(0.96762837744189917884, rel=1e-12)
    assert bdm.apply(0.036472768, km) == pytest.approx(0.04059944809254529998, rel=1e-12)
    # exponent 1 at e days of travel: the raw CINC
    assert bdm.apply(0.2, math.e * 500 * cap.KM_PER_MILE) == pytest.approx(0.2, rel=1e-12)
    # farther, weaker; a faster state loses less
    assert bdm.apply(0.1, 8000) < bdm.apply(0.1, 4000) < bdm.apply(0.1, 0)
    assert cap.Bdm1981(250).apply(0.1, 8000) < bdm.apply(0.1, 8000)


def test_exponential_against_a_hand_computation_with_its_range():
    ex = cap.discount("exponential", length_km=2000, length_range=(1000, 4000))
    assert ex.apply(0.04, 1000) == pytest.approx(0.02426122638850533694, rel=1e-12)
    low, high = ex.bounds(0.04, 1000)
    assert low == pytest.approx(0.04 * math.exp(-1), rel=1e-12)
    assert high == pytest.approx(0.04 * math.exp(-0.25), rel=1e-12)
    assert ex.bounds(0.04, 0) is None  # no distance, no range
    # scale-free: the ratio of two states does not depend on the CINC's units
    assert ex.apply(0.02, 500) / ex.apply(0.04, 900) == pytest.approx(
        0.5 * math.exp(400 / 2000), rel=1e-12
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"name": "linear"}, "unknown discount 'linear'"),
        ({"name": "exponential"}, "needs its length"),
        ({"name": "exponential", "length_km": -5}, "positive"),
        ({"name": "exponential", "length_km": 500, "length_range": (1000, 4000)}, "range"),
        ({"name": "bdm1981", "length_km": 500}, "not bdm1981"),
        ({"name": "bdm1981", "miles_per_day": 0}, "positive"),
    ],
)
def test_bad_discounts_say_what_was_expected(kwargs, words):
    name = kwargs.pop("name")
    with pytest.raises(InputError, match=words):
        cap.discount(name, **kwargs)


def test_a_cinc_is_a_share():
    with pytest.raises(InputError, match="share from 0 to 1"):
        cap.Bdm1981().apply(3.0, 100)


# ------------------------------------------------------------------ derived


def test_derive_combines_the_table_the_capital_and_the_discount():
    locus = cap.place("39.815,46.752,Stepanakert")
    d = cap.derive("AZE", 2022, locus=locus, discount=cap.Bdm1981())
    baku = cap.capital("AZE")
    km = cap.great_circle_km(baku.lat, baku.lon, 39.815, 46.752)
    assert d.km == km and 250 < km < 300
    assert d.value == cap.cinc("AZE", 2016).value ** math.log10(km / 1.609344 / 500 + 10 - math.e)
    note = d.note()
    for words in ("AZE (373)", "2016", "Stepanakert", "Baku", "log10", "Bueno de Mesquita"):
        assert words in note
    assert cap.derive("AZE", 2016).value == cap.cinc("AZE", 2016).value
    with pytest.raises(InputError, match="needs a place"):
        cap.derive("AZE", 2016, discount=cap.Bdm1981())


def test_places_from_coordinates_states_and_issues():
    sc = rp.load("caucasus-2022")
    assert cap.place("ARM").name == "Yerevan (ARM)"
    donetsk = cap.place("donbas-control", sc)
    assert (donetsk.name, donetsk.lat, donetsk.lon) == ("Donetsk", 48.016, 37.803)
    for bad in ("95,10", "nowhere", "abc,def"):
        with pytest.raises(InputError):
            cap.place(bad, sc)


def test_capabilities_written_into_a_scenario_with_sources():
    sc = rp.load("caucasus-2022")
    ex = cap.discount("exponential", length_km=2000, length_range=(1000, 4000))
    new = cap.with_capabilities(
        sc, {"russia": "RUS", "azerbaijan": 373}, issue="karabakh-control", discount=ex
    )
    ru = new.actor("russia")
    expected = cap.derive("RUS", 2022, locus=cap.place("karabakh-control", sc), discount=ex)
    assert ru.capability == float(f"{expected.value:.4g}")
    assert ru.capability_range is not None
    assert ru.capability_range.low == float(f"{expected.low:.4g}")
    assert ru.source.ref == cap.CINC_SOURCE_ID and ru.source.year == 2016
    assert "exp(-km / L)" in ru.source.note and "Stepanakert" in ru.source.note
    assert new.actor("armenia") == sc.actor("armenia")  # not asked: unchanged
    # still a valid scenario, and it survives the YAML round trip
    again = parse_yaml(dump_yaml(new), "again.yaml")
    assert again == new and again.content_hash() == new.content_hash()
    # undiscounted, the CINC itself, with the bibliography entry when missing
    bare = replace(sc, sources=tuple(s for s in sc.sources if s.id != "cow-nmc-6.0"))
    plain = cap.with_capabilities(bare, {"armenia": "ARM"})
    assert plain.actor("armenia").capability == 0.0006
    assert cap.CINC_SOURCE_ID in {s.id for s in plain.sources}


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"year": 2023}, InputError, "after the scenario's date"),
        ({"discount": cap.Bdm1981()}, InputError, "needs the issue"),
        ({"issue": "karabakh-control"}, InputError, "only used with a discount"),
        ({"issue": "nope", "discount": cap.Bdm1981()}, UnknownNameError, "no issue 'nope'"),
    ],
)
def test_writing_refuses_what_has_no_meaning(kwargs, error, words):
    with pytest.raises(error, match=words):
        cap.with_capabilities(rp.load("caucasus-2022"), {"russia": "RUS"}, **kwargs)
    with pytest.raises(UnknownNameError, match="no actor 'nobody'"):
        cap.with_capabilities(rp.load("caucasus-2022"), {"nobody": "RUS"})


# -------------------------------------------------------------- loci in files

LOCUS_FILE = """\
id: t
name: T
date: 2022-02-23
description: d
sources:
  - {{id: ne, title: Natural Earth}}
actors:
  - {{id: a, name: A, capability: 1, source: {{judgement: x}}}}
issues:
  - id: i1
    question: q
    scale: {{min: 0, max: 100, min_label: a, max_label: b}}
    locus: {locus}
stances:
  - {{actor: a, issue: i1, position: 1, salience: 2, source: {{judgement: x}}}}
"""


def test_a_locus_is_read_written_and_hashed():
    good = "{name: Baku, lat: 40.3972, lon: 49.8603, source: {ref: ne}}"
    sc = parse_yaml(LOCUS_FILE.format(locus=good), "t.yaml")
    assert sc.issue("i1").locus.name == "Baku"
    assert parse_yaml(dump_yaml(sc), "again.yaml") == sc
    without = replace(sc, issues=(replace(sc.issues[0], locus=None),))
    assert without.content_hash() != sc.content_hash()
    assert "locus" not in without.to_dict()["issues"][0]


@pytest.mark.parametrize(
    ("locus", "where", "words"),
    [
        ("{name: X, lat: 95, lon: 1, source: {ref: ne}}", "issues[0].locus.lat", "at most 90"),
        ("{name: X, lat: 5, lon: -181, source: {ref: ne}}", "issues[0].locus.lon", "-180 or more"),
        ("{name: X, lat: 5, lon: 1, source: {ref: nope}}", "issues[0].locus.source.ref", "nope"),
        ("{name: X, lat: 5, lon: 1}", "issues[0].locus.source", "missing"),
        ("{name: X, lat: north, lon: 1, source: {ref: ne}}", "issues[0].locus.lat", "number"),
    ],
)
def test_a_bad_locus_is_located(locus, where, words):
    with pytest.raises(ScenarioError) as info:
        parse_yaml(LOCUS_FILE.format(locus=locus), "t.yaml")
    text = str(info.value.problems)
    assert where in text and words in text, text


def test_caucasus_names_every_issue_locus_and_its_forecast_ignores_them():
    sc = rp.load("caucasus-2022")
    assert all(i.locus is not None for i in sc.issues)
    bare = replace(sc, issues=tuple(replace(i, locus=None) for i in sc.issues))
    a = rp.forecast(sc, model=["compromise", "median", "eum"])
    b = rp.forecast(bare, model=["compromise", "median", "eum"])
    for model in ("compromise", "median", "eum"):
        for issue in sc.issue_ids:
            fa, fb = a.issue_forecast(model, issue), b.issue_forecast(model, issue)
            assert fa.describe() == fb.describe()


# ------------------------------------------------------------------ command line


def test_the_command_prints_the_numbers_with_their_sources():
    res = runner.invoke(
        app,
        ["capability", "RUS", "AZE", "--year", "2022", "--locus", "39.815,46.752,Stepanakert",
         "--discount", "bdm1981"],
        env={"COLUMNS": "80"},
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    flat = " ".join(res.stdout.split())
    assert "the data end in 2016; 2022 asked for" in flat
    assert "Singer" in res.stdout and "Natural Earth" in res.stdout
    assert "Moscow" in res.stdout and "Baku" in res.stdout
    value = cap.derive("AZE", 2022, locus=cap.place("39.815,46.752"), discount=cap.Bdm1981()).value
    assert f"{value:.4g}" in res.stdout
    assert max(len(line) for line in res.stdout.splitlines()) <= 80


def test_the_command_json_and_writing_a_scenario(tmp_path):
    out = tmp_path / "c.yaml"
    res = runner.invoke(
        app,
        ["capability", "russia=RUS", "turkey=TUR", "-s", "caucasus-2022", "--locus",
         "karabakh-control", "--discount", "exponential", "--length", "2000",
         "--length-range", "1000,4000", "-o", str(out), "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["citation"].startswith("Singer")
    rows = {r["actor"]: r for r in data["capabilities"]}
    assert rows["russia"]["data_year"] == 2016 and rows["russia"]["capital"] == "Moscow"
    written = rp.load(out)
    assert written.actor("turkey").capability == float(f"{rows['turkey']['capability']:.4g}")
    assert written.actor("turkey").capability_range is not None


def test_writing_a_capability_names_the_stances_that_override_it(tmp_path):
    """A stance's own capability overrides the actor's on its issue: writing a derived
    capability for the actor left it in force, in other units, without a word."""
    d = rp.load("caucasus-2022").to_dict()
    st = next(s for s in d["stances"] if s["actor"] == "russia")
    st["capability"] = 40
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(d), encoding="utf-8")
    out = tmp_path / "c.yaml"
    res = runner.invoke(
        app,
        ["capability", "russia=RUS", "-s", str(tmp_path / "s.yaml"), "--year", "2016",
         "-o", str(out)],
        env={"COLUMNS": "80"},
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert f"note: russia keeps its own capability on {st['issue']} (40)" in flat
    assert rp.load(out).stance("russia", st["issue"]).capability == 40
    assert max(len(line) for line in res.output.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["RUS"], "give --year"),
        (["XXX", "--year", "2016"], "unknown state"),
        (["RUS", "--year", "2016", "--discount", "bdm1981"], "needs --locus"),
        (["RUS", "--year", "2016", "--length", "9"], "--discount exponential"),
        (
            [
                "RUS",
                "--year",
                "2016",
                "--locus",
                "ARM",
                "--discount",
                "exponential",
                "--length",
                "9",
                "--length-range",
                "1,x",
            ],
            "LOW,HIGH",
        ),
        (["russia=RUS", "-s", "caucasus-2022", "--year", "2023"], "after the scenario's date"),
        (["RUS", "-s", "caucasus-2022", "-o", "x.yaml"], "ACTOR=STATE"),
        (["russia=RUS", "-o", "x.yaml", "--year", "2016"], "--scenario"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_2(args, words):
    res = runner.invoke(app, ["capability", *args])
    assert res.exit_code == 2, res.output
    assert words in res.output


def test_the_command_takes_states_by_name():
    """A user types names: the draft's gazetteer turns a whole name (any case), an alias or
    a capital's metonym into the COW abbreviation the core reads; a name of no state is
    refused with exit 2, naming what is accepted."""
    res = runner.invoke(
        app, ["capability", "Russia", "united states", "the Kremlin", "365", "--year", "2010",
              "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    got = [(row["state"], row["ccode"]) for row in json.loads(res.stdout)["capabilities"]]
    assert got == [("RUS", 365), ("USA", 2), ("RUS", 365), ("RUS", 365)]
    res = runner.invoke(app, ["capability", "Narnia", "--year", "2010"])
    assert res.exit_code == 2 and "not a state's name" in res.output


# ------------------------------------------------------------------ the script


@pytest.fixture(scope="module")
def script():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "capability_data", ROOT / "scripts/capability_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shipped(name: str) -> list[list[str]]:
    path = ROOT / "src/realpolitik/scenario/capability" / name
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.reader(lines))[1:]


def test_the_script_regenerates_the_shipped_cinc(script):
    if not NMC.is_file():
        pytest.skip(f"the COW NMC v6.0 file is not at {NMC}; cinc.csv cannot be regenerated")
    rows = script.cinc_rows(script._read_nmc(NMC), 1990)
    assert [[str(c) for c in r] for r in rows] == _shipped("cinc.csv")


def test_the_script_names_a_capital_for_every_state_and_no_other(script):
    from realpolitik.scenario.capability.tables import _codes

    by_abb, _ = _codes()
    states_2016 = {a for a, code in by_abb.items() if _alive_2016(code)}
    assert set(script.CAPITALS) == states_2016
    nmc = [
        {"stateabb": "RUS", "ccode": "365", "year": "2016", "cinc": "0.03"},
        {"stateabb": "NAU", "ccode": "970", "year": "2016", "cinc": "0.0"},
        {"stateabb": "XXX", "ccode": "999", "year": "2016", "cinc": "0.0"},
    ]
    rows, missing = script.capitals_rows(nmc, {"Moscow": (55.75, 37.61)})
    assert rows == [(365, "RUS", "Moscow", 55.75, 37.61, script.NE_SOURCE)]
    assert missing == [
        "NAU 970: Yaren is not among Natural Earth's 1:110m places",
        "XXX 999: no capital in CAPITALS",
    ]
    shipped = {r[1]: r for r in _shipped("capitals.csv")}
    assert shipped["ARM"][2:5] == ["Yerevan", "40.1831", "44.5116"]


def test_capability_by_place_on_every_issue_as_stance_capabilities():
    """--by-issue: each actor's capability on each issue with a locus is its CINC
    discounted toward that locus (the stance's own capability, by hand:
    CINC * exp(-km / L)), ranged from L's range and cited in the stance's source note;
    the actor's own capability is its undiscounted CINC; the result validates."""
    from realpolitik.scenario.capability import (
        capital,
        cinc,
        discount,
        great_circle_km,
        with_issue_capabilities,
    )

    sc = rp.load("caucasus-2022")
    how = discount("exponential", length_km=2000.0, length_range=(1000.0, 4000.0))
    new = with_issue_capabilities(sc, {"russia": "RUS", "united-states": "USA"}, how)
    rus = cinc("RUS", 2022).value
    assert new.actor("russia").capability == pytest.approx(rus, rel=1e-3)
    for issue in new.issues:
        st = new.stance("russia", issue.id)
        if st is None:
            continue
        cap = capital("RUS")
        km = great_circle_km(cap.lat, cap.lon, issue.locus.lat, issue.locus.lon)
        assert st.capability == pytest.approx(rus * math.exp(-km / 2000.0), rel=1e-3)
        assert st.capability_range is not None
        assert st.capability_range.low == pytest.approx(rus * math.exp(-km / 1000.0), rel=1e-3)
        assert "capability: " in (st.source.note or "")
        assert st.position == sc.stance("russia", issue.id).position  # nothing else moves
    assert new.stance("iran", "karabakh-control").capability is None  # not asked for
    rp.Scenario.from_dict(new.to_dict())  # still valid
    # the discount changes the forecast: the distant power weighs less on Karabakh
    before = rp.forecast(sc, "compromise").value("compromise", "karabakh-control")
    after = rp.forecast(new, "compromise").value("compromise", "karabakh-control")
    assert before != after


def test_by_issue_on_the_command_line(tmp_path):
    out = tmp_path / "by-issue.yaml"
    args = ["capability", "russia=Russia", "united-states=USA", "-s", "caucasus-2022",
            "--discount", "bdm1981", "--by-issue"]  # fmt: skip
    res = runner.invoke(app, [*args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    new = rp.load(out)
    assert sum(1 for s in new.stances if s.capability is not None) == sum(
        1 for s in new.stances if s.actor in ("russia", "united-states")
    )
    res = runner.invoke(app, args)  # no -o: nothing to write into
    assert res.exit_code == 2 and "--by-issue writes" in res.output


def test_a_state_without_a_capital_is_not_told_to_give_coordinates():
    """Nauru has no capital in the shipped table: discounting its own capability has no
    coordinates to take (the locus's are another place), so the message says what to do."""
    with pytest.raises(UnknownNameError, match="cannot be discounted by distance") as info:
        cap.derive("NAU", 2016, locus=cap.place("38.9,-77.0"), discount=cap.Bdm1981())
    assert "coordinates" not in str(info.value)
    assert cap.derive("NAU", 2016).value > 0
    with pytest.raises(InputError, match="unknown place 'NAU'"):  # as a locus: coordinates
        cap.place("NAU")


def test_the_default_year_is_the_last_complete_year_before_the_date():
    """A year's CINC counts all of that year: a scenario dated within it takes the year
    before by default (and may ask for its own year; never a later one)."""
    import datetime as dt

    from realpolitik.scenario.capability import data_year, with_capabilities

    assert data_year(dt.date(2012, 5, 9)) == 2011
    sc = rp.load("caucasus-2022").to_dict()
    sc["date"] = dt.date(2012, 5, 9)
    early = rp.Scenario.from_dict({**sc, "retrospective": {"reason": "a test of the year"}})
    new = with_capabilities(early, {"russia": "RUS"})
    assert new.actor("russia").source.year == 2011
    assert (
        with_capabilities(early, {"russia": "RUS"}, year=2012).actor("russia").source.year == 2012
    )
